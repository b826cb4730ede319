//! Producer #1: YAML contract files → the schema model (`Expectations`).
//! Every problem is collected (file:line:column) so a run reports all of them at once.

pub mod raw;

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use marked_yaml::{Node, Spanned};
use serde::de::DeserializeOwned;

use crate::model::{
    CheckConstraint, Column, Compression, ContinuousAggregate, DataRule, DataRuleKind, EnumType,
    Expectations, FkAction, ForeignKey, Hypertable, Identity, Index, IndexColumn, JSON_TYPES,
    Location, Migration, OrderItem, Policy, PolicyLevel, PrimaryKey, QualName, RefreshPolicy,
    Retention, SpacePartition, Table, UniqueConstraint, VersionRequirement, View, ident,
    split_ident_path,
};
use crate::normalize::interval::parse_duration;
use crate::normalize::types::normalize_type;
use raw::*;

/// One problem in a contract file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ContractError {
    pub location: Location,
    pub message: String,
}

impl fmt::Display for ContractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// All problems of a load, reported together.
#[derive(Debug, thiserror::Error)]
pub struct ContractErrors(pub Vec<ContractError>);

impl fmt::Display for ContractErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// A declared query (`queries:`), kept for the query checks.
#[derive(Debug, Clone)]
pub struct DeclaredQuery {
    pub name: String,
    pub contract: String,
    pub query: RawQuery,
    pub loc: Location,
}

#[derive(Debug, Clone, Default)]
pub struct ContractMeta {
    pub name: Option<String>,
    pub version: Option<String>,
    pub file: String,
}

/// Everything the contract files declare.
#[derive(Debug, Clone, Default)]
pub struct ContractSet {
    pub expectations: Expectations,
    pub files: Vec<String>,
    pub contracts: Vec<ContractMeta>,
    pub queries: Vec<DeclaredQuery>,
    /// The promises about the rows (`check --data`).
    pub data_rules: Vec<DataRule>,
}

/// Files a `--contracts` argument names: a file, or the `*.yaml`/`*.yml` files directly in a
/// folder (sub-folders are separate databases and are not read).
pub fn contract_files(path: &Path) -> Result<Vec<PathBuf>, std::io::Error> {
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && matches!(
                        p.extension().and_then(|e| e.to_str()),
                        Some("yaml") | Some("yml")
                    )
            })
            .collect();
        files.sort();
        Ok(files)
    } else {
        std::fs::metadata(path)?;
        Ok(vec![path.to_path_buf()])
    }
}

/// Loads and merges contract sources given as (display name, text).
///
/// Files are parsed in parallel, a few at a time (as many as there are threads), while the
/// batch before is loaded into the model: a parsed YAML tree with positions is ~30 times the
/// size of its text, so holding every file's tree at once would dominate memory on a large
/// database's contracts.
pub fn load_sources(sources: &[(String, String)]) -> Result<ContractSet, ContractErrors> {
    use rayon::prelude::*;
    let mut loader = Loader {
        files: sources.iter().map(|(name, _)| name.clone()).collect(),
        ..Default::default()
    };
    let batch = rayon::current_num_threads().max(1);
    let indexed: Vec<(usize, &(String, String))> = sources.iter().enumerate().collect();
    // A batch is parsed while the previous one is loaded into the model (in file order), so
    // at most two batches of trees are alive at a time.
    let mut parsed: Vec<(usize, Result<Node, ContractError>)> = Vec::new();
    for chunk in indexed.chunks(batch) {
        let previous = std::mem::take(&mut parsed);
        let loading = &mut loader;
        let (next, ()) = rayon::join(
            || {
                chunk
                    .par_iter()
                    .map(|(idx, (name, text))| (*idx, parse_file(*idx, name, text)))
                    .collect::<Vec<_>>()
            },
            move || loading.load_parsed(previous),
        );
        parsed = next;
    }
    loader.load_parsed(parsed);
    loader.finish()
}

/// Parses one contract file into a YAML tree with positions.
fn parse_file(source: usize, file: &str, text: &str) -> Result<Node, ContractError> {
    let text = quote_parenthesised_flow_values(text);
    marked_yaml::parse_yaml_with_options(
        source,
        text.as_ref(),
        marked_yaml::LoaderOptions::default()
            .error_on_duplicate_keys(true)
            .toplevel_mapping(),
    )
    .map_err(|e| {
        let (line, column, message) = load_error_parts(&e);
        ContractError {
            location: Location {
                file: file.to_string(),
                line,
                column,
            },
            message,
        }
    })
}

/// Reads the files and loads them; an unreadable file is an error of the run like any other.
pub fn load_paths(paths: &[PathBuf]) -> Result<ContractSet, ContractErrors> {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        let name = p.to_string_lossy().to_string();
        match std::fs::read_to_string(p) {
            Ok(text) => sources.push((name, text)),
            Err(e) => errors.push(ContractError {
                location: Location {
                    file: name,
                    line: 0,
                    column: 0,
                },
                message: format!("cannot read contract file: {e}"),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(ContractErrors(errors));
    }
    if sources.is_empty() {
        return Err(ContractErrors(vec![ContractError {
            location: Location {
                file: paths
                    .first()
                    .map(|p| p.to_string_lossy().to_string())
                    .unwrap_or_default(),
                line: 0,
                column: 0,
            },
            message: "no contract files found (*.yaml, *.yml)".into(),
        }]));
    }
    load_sources(&sources)
}

/// "did you mean" for a misspelt key or value.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[derive(Default)]
struct Loader {
    files: Vec<String>,
    errors: Vec<ContractError>,
    set: ContractSet,
    policy_seen: Option<Location>,
    schemas: BTreeSet<String>,
}

impl Loader {
    fn loc_of(&self, span: &marked_yaml::Span) -> Location {
        match span.start() {
            Some(m) => Location {
                file: self.files.get(m.source()).cloned().unwrap_or_default(),
                line: m.line(),
                column: m.column(),
            },
            None => Location {
                file: self.files.last().cloned().unwrap_or_default(),
                line: 0,
                column: 0,
            },
        }
    }

    fn err(&mut self, loc: Location, message: impl Into<String>) {
        self.errors.push(ContractError {
            location: loc,
            message: message.into(),
        });
    }

    fn err_at(&mut self, span: &marked_yaml::Span, message: impl Into<String>) {
        let loc = self.loc_of(span);
        self.err(loc, message);
    }

    /// Deserialises one node, turning a serde failure into a located error.
    fn de<T: DeserializeOwned>(&mut self, node: &Node, what: &str) -> Option<T> {
        self.de_lazy(node, || what.to_string())
    }

    /// `de` with the description built only when there is an error to describe (it is
    /// called for every column of every table).
    fn de_lazy<T: DeserializeOwned>(
        &mut self,
        node: &Node,
        what: impl FnOnce() -> String,
    ) -> Option<T> {
        // Without the path tracking first: it records every key of every node it passes
        // (a tenth of loading a large contract). A failure is deserialised again with it,
        // for the message.
        if let Ok(v) = T::deserialize(marked_yaml::spanned_serde::NodeDeserializer::new(node)) {
            return Some(v);
        }
        match marked_yaml::from_node::<T>(node) {
            Ok(v) => Some(v),
            Err(e) => {
                let what = what();
                let path = e.path().map(|p| p.to_string());
                let what = match &path {
                    Some(p) if !p.is_empty() && p != "." && !p.contains('?') => {
                        format!("{what} (at `{p}`)")
                    }
                    _ => what.to_string(),
                };
                let what = what.as_str();
                let inner = e.into_inner();
                let span_loc = inner.start_mark().map(|m| Location {
                    file: self.files.get(m.source()).cloned().unwrap_or_default(),
                    line: m.line(),
                    column: m.column(),
                });
                let loc = span_loc.unwrap_or_else(|| self.loc_of(node.span()));
                let message = match &inner {
                    marked_yaml::Error::UnknownFieldError(field, expected, _) => {
                        let mut m = format!("unknown key `{field}` in {what}");
                        if let Some(s) = did_you_mean(field, expected.iter().copied()) {
                            m.push_str(&format!(" (did you mean `{s}`?)"));
                        }
                        m.push_str(&format!("; expected one of: {}", expected.join(", ")));
                        m
                    }
                    marked_yaml::Error::NotBoolean(_) => {
                        format!("in {what}: expected true or false")
                    }
                    marked_yaml::Error::IntegerParseFailure(e, _) => {
                        format!("in {what}: expected a whole number ({e})")
                    }
                    marked_yaml::Error::FloatParseFailure(e, _) => {
                        format!("in {what}: expected a number ({e})")
                    }
                    marked_yaml::Error::Other(msg, _) => format!("in {what}: {msg}"),
                };
                self.err(loc, message);
                None
            }
        }
    }

    /// Parsed files into the model, in the order given.
    fn load_parsed(&mut self, parsed: Vec<(usize, Result<Node, ContractError>)>) {
        for (idx, node) in parsed {
            match node {
                Ok(node) => self.load_file(idx, &node),
                Err(e) => self.errors.push(e),
            }
        }
    }

    fn load_file(&mut self, source: usize, node: &Node) {
        let file = self.files[source].clone();
        let Some(map) = node.as_mapping() else {
            self.err_at(node.span(), "a contract file must be a mapping");
            return;
        };

        // The default schema first: every other key depends on it.
        let schema = match map.get_scalar("schema") {
            Some(s) => ident(s.as_str()),
            None => "public".to_string(),
        };
        self.schemas.insert(schema.clone());
        let mut meta = ContractMeta {
            file: file.clone(),
            ..Default::default()
        };

        for (key, value) in map.iter() {
            let k = key.as_str();
            match k {
                "contract" => meta.name = self.de::<String>(value, "contract"),
                "version" => {
                    if let Some(v) = self.de::<String>(value, "version") {
                        if semver::Version::parse(v.trim()).is_err() {
                            self.err_at(
                                value.span(),
                                format!("version `{v}` is not a semver version (e.g. 1.0.0)"),
                            );
                        }
                        meta.version = Some(v);
                    }
                }
                "schema" | "description" => {
                    let _ = self.de::<String>(value, k);
                }
                "requires" => {
                    if let Some(r) = self.de::<RawRequires>(value, "requires")
                        && let Some(req) = r.timescaledb
                    {
                        if semver::VersionReq::parse(req.trim()).is_err() {
                            self.err_at(
                                    req.span(),
                                    format!("requires.timescaledb `{}` is not a version requirement (e.g. \">=2.13\")", *req),
                                );
                        } else {
                            let loc = self.loc_of(req.span());
                            self.set.expectations.timescaledb = Some(VersionRequirement {
                                requirement: req.trim().to_string(),
                                loc: Some(loc),
                            });
                        }
                    }
                }
                "migrations" => {
                    if let Some(m) = self.de::<RawMigrations>(value, "migrations") {
                        let loc = self.loc_of(key.span());
                        self.set.expectations.schema.migrations.push(Migration {
                            table: QualName::parse(&m.table, &schema),
                            version_column: ident(&m.version_column),
                            order_by: m.order_by.as_deref().map(ident),
                            expect: Some(m.expect.trim().to_string()),
                            applied: None,
                            found: false,
                            loc: Some(loc),
                        });
                    }
                }
                "policy" => {
                    if let Some(p) = self.de::<RawPolicy>(value, "policy") {
                        let loc = self.loc_of(key.span());
                        if let Some(prev) = &self.policy_seen {
                            let prev = prev.clone();
                            self.err(
                                loc.clone(),
                                format!("policy is declared again (first at {prev}); declare it in one file"),
                            );
                        }
                        self.policy_seen = Some(loc);
                        let mut policy = Policy::default();
                        for (slot, raw) in [
                            (&mut policy.undeclared_tables, &p.undeclared_tables),
                            (&mut policy.undeclared_columns, &p.undeclared_columns),
                            (&mut policy.undeclared_indexes, &p.undeclared_indexes),
                        ] {
                            if let Some(raw) = raw {
                                match PolicyLevel::parse(raw) {
                                    Some(l) => *slot = l,
                                    None => self.errors.push(ContractError {
                                        location: self.loc_of(raw.span()),
                                        message: format!(
                                            "policy level `{}` is not one of error, warning, info, ignore",
                                            **raw
                                        ),
                                    }),
                                }
                            }
                        }
                        self.set.expectations.policy = policy;
                    }
                }
                "enums" => self.each_entry(value, "enums", |this, name, span, node| {
                    if let Some(values) = this.de::<Vec<String>>(node, &format!("enum `{name}`")) {
                        let qn = QualName::parse(name, &schema);
                        let loc = this.loc_of(span);
                        if this.set.expectations.schema.enums.contains_key(&qn) {
                            this.err(loc.clone(), format!("enum {qn} is declared twice"));
                        }
                        this.set.expectations.schema.enums.insert(
                            qn.clone(),
                            EnumType {
                                name: qn,
                                values,
                                loc: Some(loc),
                            },
                        );
                    }
                }),
                "tables" => self.each_entry(value, "tables", |this, name, span, node| {
                    if let Some(t) = this.de_table(node, name) {
                        let loc = this.loc_of(span);
                        this.add_table(name, loc, t, &schema);
                    }
                }),
                "continuous_aggregates" => {
                    self.each_entry(value, "continuous_aggregates", |this, name, span, node| {
                        if let Some(c) =
                            this.de::<RawCagg>(node, &format!("continuous aggregate `{name}`"))
                        {
                            let loc = this.loc_of(span);
                            this.add_cagg(name, loc, c, &schema);
                        }
                    })
                }
                "views" => self.each_entry(value, "views", |this, name, span, node| {
                    if let Some(v) = this.de::<RawView>(node, &format!("view `{name}`")) {
                        let qn = QualName::parse(name, &schema);
                        let loc = this.loc_of(span);
                        if this.set.expectations.schema.views.contains_key(&qn) {
                            this.err(loc.clone(), format!("view {qn} is declared twice"));
                        }
                        this.set.expectations.schema.views.insert(
                            qn.clone(),
                            View {
                                name: qn,
                                columns: v.columns.map(|c| c.iter().map(|c| ident(c)).collect()),
                                materialized: v.materialized.unwrap_or(false),
                                loc: Some(loc),
                            },
                        );
                    }
                }),
                "queries" => {
                    let contract_name = meta.name.clone().unwrap_or_default();
                    self.each_entry(value, "queries", |this, name, span, node| {
                        if let Some(q) = this.de::<RawQuery>(node, &format!("query `{name}`")) {
                            let loc = this.loc_of(span);
                            this.set.queries.push(DeclaredQuery {
                                name: name.to_string(),
                                contract: contract_name.clone(),
                                query: q,
                                loc,
                            });
                        }
                    })
                }
                other => {
                    let mut m = format!("unknown key `{other}` at the top level");
                    if let Some(s) = did_you_mean(other, TOP_LEVEL_KEYS.iter().copied()) {
                        m.push_str(&format!(" (did you mean `{s}`?)"));
                    }
                    m.push_str(&format!("; expected one of: {}", TOP_LEVEL_KEYS.join(", ")));
                    self.err_at(key.span(), m);
                }
            }
        }
        self.set.contracts.push(meta);
    }

    fn each_entry(
        &mut self,
        value: &Node,
        what: &str,
        mut f: impl FnMut(&mut Self, &str, &marked_yaml::Span, &Node),
    ) {
        match value.as_mapping() {
            Some(map) => {
                for (k, v) in map.iter() {
                    f(self, k.as_str(), k.span(), v);
                }
            }
            None => {
                // `views: {}` style empty values are fine; anything else is an error.
                if value.as_scalar().map(|s| s.as_str().is_empty()) != Some(true) {
                    self.err_at(
                        value.span(),
                        format!("`{what}` must be a mapping of names to definitions"),
                    );
                }
            }
        }
    }

    /// A table key by key and column by column, so one bad column does not hide the
    /// problems of the others.
    fn de_table(&mut self, node: &Node, name: &str) -> Option<RawTable> {
        let Some(map) = node.as_mapping() else {
            return self.de::<RawTable>(node, &format!("table `{name}`"));
        };
        let what = format!("table `{name}`");
        let mut ok = true;
        let mut columns = Named::<RawColumn>::new();
        for (k, v) in map.iter() {
            match k.as_str() {
                "columns" => match v.as_mapping() {
                    Some(cols) => {
                        for (ck, cv) in cols.iter() {
                            // `id: serial` is shorthand for `id: { type: serial }`.
                            let shorthand = cv.as_scalar().map(|sc| RawColumn {
                                ty: Spanned::new(*sc.span(), sc.as_str().to_string()),
                                nullable: None,
                                default: None,
                                identity: None,
                                generated: None,
                                comment: None,
                                description: None,
                                references: None,
                                rules: None,
                            });
                            let parsed = match shorthand {
                                Some(c) => Some(c),
                                None => self.de_lazy::<RawColumn>(cv, || {
                                    format!("column `{name}.{}`", ck.as_str())
                                }),
                            };
                            match parsed {
                                Some(c) => {
                                    columns.insert(
                                        Spanned::new(*ck.span(), ck.as_str().to_string()),
                                        c,
                                    );
                                }
                                None => ok = false,
                            }
                        }
                    }
                    None => {
                        self.err_at(
                            v.span(),
                            format!("`columns` of {what} must be a mapping of column names"),
                        );
                        ok = false;
                    }
                },
                key if RAW_TABLE_KEYS.contains(&key) => {}
                other => {
                    let mut m = format!("unknown key `{other}` in {what}");
                    if let Some(s) = did_you_mean(other, RAW_TABLE_KEYS.iter().copied()) {
                        m.push_str(&format!(" (did you mean `{s}`?)"));
                    }
                    m.push_str(&format!("; expected one of: {}", RAW_TABLE_KEYS.join(", ")));
                    self.err_at(k.span(), m);
                    ok = false;
                }
            }
        }
        // Everything but the columns, each part on its own for separate errors.
        let mut rest = RawTable {
            description: None,
            comment: None,
            columns: Named::new(),
            primary_key: None,
            foreign_keys: None,
            constraints: None,
            indexes: None,
            hypertable: None,
            data: None,
        };
        for (k, v) in map.iter() {
            let part = || format!("{what} `{}`", k.as_str());
            match k.as_str() {
                "description" => {
                    rest.description = self.de_lazy(v, part).or_else(|| {
                        ok = false;
                        None
                    })
                }
                "comment" => {
                    rest.comment = self.de_lazy(v, part).or_else(|| {
                        ok = false;
                        None
                    })
                }
                "primary_key" => {
                    rest.primary_key = self.de_lazy(v, part).or_else(|| {
                        ok = false;
                        None
                    })
                }
                "foreign_keys" => {
                    rest.foreign_keys = self.de_lazy(v, part).or_else(|| {
                        ok = false;
                        None
                    })
                }
                "constraints" => {
                    rest.constraints = self.de_lazy(v, part).or_else(|| {
                        ok = false;
                        None
                    })
                }
                "indexes" => {
                    rest.indexes = self.de_lazy(v, part).or_else(|| {
                        ok = false;
                        None
                    })
                }
                "hypertable" => {
                    rest.hypertable = self.de_lazy(v, part).or_else(|| {
                        ok = false;
                        None
                    })
                }
                "data" => {
                    rest.data = self.de_lazy(v, part).or_else(|| {
                        ok = false;
                        None
                    })
                }
                _ => {}
            }
        }
        if map.get_node("columns").is_none() {
            self.err_at(node.span(), format!("{what} has no `columns`"));
            ok = false;
        }
        rest.columns = columns;
        // Semantic checks still run on the parts that did parse.
        if !ok {
            // The partial table is not kept; only its additional errors are.
            let loc = self.loc_of(node.span());
            self.build_table(name, loc, rest, "public");
            return None;
        }
        Some(rest)
    }

    fn interval(&mut self, v: &Spanned<String>, what: &str) -> Option<String> {
        match parse_duration(v) {
            Ok(_) => Some(v.trim().to_string()),
            Err(e) => {
                self.err_at(
                    v.span(),
                    format!("{what} `{}` is not an interval: {e}", **v),
                );
                None
            }
        }
    }

    fn add_table(&mut self, name: &str, loc: Location, t: RawTable, schema: &str) {
        let qn = QualName::parse(name, schema);
        if let Some(prev) = self.set.expectations.schema.tables.get(&qn) {
            let prev = prev.loc.clone().map(|l| l.to_string()).unwrap_or_default();
            self.err(
                loc.clone(),
                format!("table {qn} is declared twice (first at {prev})"),
            );
            return;
        }
        let (table, rules) = self.build_table(name, loc, t, schema);
        self.set.data_rules.extend(rules);
        self.set.expectations.schema.tables.insert(qn, table);
    }

    /// Converts a raw table, recording every problem it finds.
    fn build_table(
        &mut self,
        name: &str,
        loc: Location,
        t: RawTable,
        schema: &str,
    ) -> (Table, Vec<DataRule>) {
        let qn = QualName::parse(name, schema);
        let pk_cols: Vec<String> = t
            .primary_key
            .as_ref()
            .map(|p| p.iter().map(|c| ident(c)).collect())
            .unwrap_or_default();
        let time_col = t.hypertable.as_ref().map(|h| ident(&h.time_column));

        let mut table = Table {
            name: qn.clone(),
            comment: t.comment.clone(),
            loc: Some(loc.clone()),
            ..Default::default()
        };
        let mut shorthand_fks = Vec::new();
        let mut col_rules = Vec::new();
        for (cname, c) in &t.columns {
            let col_name = ident(cname);
            let cloc = self.loc_of(cname.span());
            let ty = match normalize_type(&c.ty) {
                Ok(t) => t,
                Err(e) => {
                    self.err_at(
                        c.ty.span(),
                        format!("column {}: type `{}`: {e}", qn.child(&col_name), *c.ty),
                    );
                    continue;
                }
            };
            let identity = match c.identity.as_ref() {
                None => None,
                Some(v) => match v.trim().to_lowercase().replace(' ', "_").as_str() {
                    "always" => Some(Identity::Always),
                    "by_default" => Some(Identity::ByDefault),
                    other => {
                        self.err_at(
                            v.span(),
                            format!("identity `{other}` must be `always` or `by_default`"),
                        );
                        None
                    }
                },
            };
            let serial = ty.serial.is_some();
            let implied_not_null = serial
                || identity.is_some()
                || pk_cols.contains(&col_name)
                || time_col.as_deref() == Some(col_name.as_str());
            if c.nullable == Some(true) && implied_not_null {
                self.err_at(
                    cname.span(),
                    format!("column {} cannot be nullable: it is a primary-key, serial, identity or hypertable time column", qn.child(&col_name)),
                );
            }
            if let Some(r) = &c.references {
                match parse_reference(r, schema) {
                    Some((rt, rc)) => shorthand_fks.push(ForeignKey {
                        name: None,
                        columns: vec![col_name.clone()],
                        ref_table: rt,
                        ref_columns: rc,
                        on_delete: FkAction::NoAction,
                        on_update: FkAction::NoAction,
                        loc: Some(self.loc_of(r.span())),
                    }),
                    None => self.err_at(
                        r.span(),
                        format!("references `{}` must look like table(column)", **r),
                    ),
                }
            }
            if let Some(rules) = &c.rules {
                col_rules.push((col_name.clone(), rules, ty.name.clone()));
            }
            table.columns.push(Column {
                name: col_name,
                data_type: ty.name,
                serial,
                nullable: c.nullable.unwrap_or(!implied_not_null),
                default: c.default.as_ref().map(|d| d.trim().to_string()),
                identity,
                generated: c.generated.as_ref().map(|g| g.trim().to_string()),
                comment: c.comment.clone(),
                loc: Some(cloc),
            });
        }
        if let Some(pk) = &t.primary_key {
            table.primary_key = Some(PrimaryKey {
                name: None,
                columns: pk_cols.clone(),
                loc: Some(self.loc_of(pk.span())),
            });
        }
        for (fname, fk) in t.foreign_keys.iter().flatten() {
            let floc = self.loc_of(fname.span());
            let Some((rt, rc)) = parse_reference(&fk.references, schema) else {
                self.err_at(
                    fk.references.span(),
                    format!(
                        "references `{}` must look like table(column, ...)",
                        *fk.references
                    ),
                );
                continue;
            };
            let on_delete = self.fk_action(fk.on_delete.as_ref());
            let on_update = self.fk_action(fk.on_update.as_ref());
            table.foreign_keys.push(ForeignKey {
                name: Some(ident(fname)),
                columns: fk.columns.iter().map(|c| ident(c)).collect(),
                ref_table: rt,
                ref_columns: rc,
                on_delete,
                on_update,
                loc: Some(floc),
            });
        }
        // A shorthand `references:` repeated by a full foreign_keys entry is one key.
        for fk in shorthand_fks {
            if !table
                .foreign_keys
                .iter()
                .any(|f| f.columns == fk.columns && f.ref_table == fk.ref_table)
            {
                table.foreign_keys.push(fk);
            }
        }
        for (cname, c) in t.constraints.iter().flatten() {
            let cloc = self.loc_of(cname.span());
            match (&c.check, &c.unique) {
                (Some(check), None) => table.checks.push(CheckConstraint {
                    name: Some(ident(cname)),
                    expr: check.trim().to_string(),
                    loc: Some(cloc),
                }),
                (None, Some(cols)) => table.uniques.push(UniqueConstraint {
                    name: Some(ident(cname)),
                    columns: cols.iter().map(|c| ident(c)).collect(),
                    loc: Some(cloc),
                }),
                _ => self.err(
                    cloc,
                    format!(
                        "constraint `{}` needs exactly one of `check` or `unique`",
                        **cname
                    ),
                ),
            }
        }
        for (iname, i) in t.indexes.iter().flatten() {
            let iloc = self.loc_of(iname.span());
            let method = i
                .method
                .as_ref()
                .map(|m| m.trim().to_lowercase())
                .unwrap_or_else(|| "btree".into());
            if !["btree", "gin", "gist", "brin", "hash", "spgist"].contains(&method.as_str())
                && let Some(m) = &i.method
            {
                self.err_at(
                    m.span(),
                    format!(
                        "index method `{method}` is not one of btree, gin, gist, brin, hash, spgist"
                    ),
                );
            }
            if i.columns.is_empty() {
                self.err(iloc.clone(), format!("index `{}` has no columns", **iname));
            }
            table.indexes.push(Index {
                name: ident(iname),
                method,
                unique: i.unique.unwrap_or(false),
                columns: i.columns.iter().map(|c| parse_index_column(c)).collect(),
                include: i.include.iter().flatten().map(|c| ident(c)).collect(),
                predicate: i.predicate.as_ref().map(|p| p.trim().to_string()),
                constraint_backed: false,
                loc: Some(iloc),
            });
        }
        if let Some(h) = &t.hypertable {
            let hloc = self.loc_of(h.span());
            let chunk_interval = h
                .chunk_time_interval
                .as_ref()
                .and_then(|v| self.interval(v, "chunk_time_interval"));
            let compression = h.compression.as_ref().map(|c| {
                let after = c
                    .after
                    .as_ref()
                    .and_then(|v| self.interval(v, "compression.after"));
                Compression {
                    segment_by: c.segment_by.iter().flatten().map(|s| ident(s)).collect(),
                    order_by: c
                        .order_by
                        .as_ref()
                        .map(|o| o.iter().map(|s| parse_order_item(s)).collect()),
                    after,
                    loc: Some(self.loc_of(c.span())),
                }
            });
            let retention = h.retention.as_ref().and_then(|r| {
                self.interval(&r.drop_after, "retention.drop_after")
                    .map(|d| Retention {
                        drop_after: d,
                        loc: Some(self.loc_of(r.span())),
                    })
            });
            table.hypertable = Some(Hypertable {
                time_column: ident(&h.time_column),
                chunk_interval,
                partitioning: h.partitioning.as_ref().map(|p| SpacePartition {
                    column: ident(&p.column),
                    partitions: p.partitions,
                }),
                compression,
                retention,
                loc: Some(hloc),
            });
        }
        let mut rules = Vec::new();
        for (column, r, ty) in col_rules {
            rules.extend(self.column_data_rules(&table, &column, r, &ty));
        }
        if let Some(d) = &t.data {
            rules.extend(self.table_data_rules(&table, d));
        }
        (table, rules)
    }

    /// A column's `rules:` as model rules; what cannot hold is an error at the `rules:` line.
    fn column_data_rules(
        &mut self,
        table: &Table,
        column: &str,
        r: &Spanned<RawColumnRules>,
        ty: &str,
    ) -> Vec<DataRule> {
        let loc = self.loc_of(r.span());
        let object = table.name.child(column);
        let mut kinds = Vec::new();
        if let Some(p) = &r.pattern {
            if p.is_empty() {
                self.err(loc.clone(), format!("column {object}: `pattern` is empty"));
            } else {
                kinds.push(DataRuleKind::Pattern(p.clone()));
            }
        }
        if r.min.is_some() || r.max.is_some() {
            if let (Some(lo), Some(hi)) = (r.min, r.max)
                && lo > hi
            {
                self.err(
                    loc.clone(),
                    format!("column {object}: `min` {lo} is above `max` {hi}"),
                );
            }
            if !crate::normalize::types::is_numeric_type(ty) {
                self.err(
                    loc.clone(),
                    format!("column {object}: `min`/`max` compare numbers, and the column is {ty}"),
                );
            }
            kinds.push(DataRuleKind::Range {
                min: r.min,
                max: r.max,
            });
        }
        if let Some(values) = &r.in_values {
            if values.is_empty() {
                self.err(loc.clone(), format!("column {object}: `in` lists no value"));
            }
            kinds.push(DataRuleKind::In(values.clone()));
        }
        if r.not_null == Some(true) {
            kinds.push(DataRuleKind::NotNull);
        }
        if r.unique == Some(true) {
            kinds.push(DataRuleKind::Unique);
        }
        if let Some(n) = r.max_length {
            kinds.push(DataRuleKind::MaxLength(n));
        }
        if let Some(j) = &r.json_type {
            if !JSON_TYPES.contains(&j.as_str()) {
                self.err(
                    loc.clone(),
                    format!(
                        "column {object}: `json_type` `{j}` is not one of {}",
                        JSON_TYPES.join(", ")
                    ),
                );
            } else if !matches!(ty, "json" | "jsonb") {
                self.err(
                    loc.clone(),
                    format!("column {object}: `json_type` needs a json or jsonb column, not {ty}"),
                );
            }
            kinds.push(DataRuleKind::JsonType(j.clone()));
        }
        kinds
            .into_iter()
            .map(|kind| DataRule {
                table: table.name.clone(),
                column: Some(column.to_string()),
                kind,
                loc: Some(loc.clone()),
            })
            .collect()
    }

    /// A table's `data:` as model rules.
    fn table_data_rules(&mut self, table: &Table, d: &Spanned<RawTableData>) -> Vec<DataRule> {
        let loc = self.loc_of(d.span());
        let mut out = Vec::new();
        let rule = |column: Option<String>, kind: DataRuleKind| DataRule {
            table: table.name.clone(),
            column,
            kind,
            loc: Some(loc.clone()),
        };
        if let Some(f) = &d.freshness {
            let column = ident(&f.column);
            if table.column(&column).is_none() {
                self.err(
                    loc.clone(),
                    format!(
                        "table {}: `freshness` reads column {column}, which the table does not declare",
                        table.name
                    ),
                );
            }
            match crate::normalize::interval::parse_interval(&f.max_age) {
                Ok(_) => out.push(rule(
                    Some(column),
                    DataRuleKind::Freshness {
                        max_age: f.max_age.trim().to_string(),
                    },
                )),
                Err(e) => self.err(
                    loc.clone(),
                    format!(
                        "table {}: `freshness.max_age` `{}` is not an interval: {e}",
                        table.name, f.max_age
                    ),
                ),
            }
        }
        if let Some(rc) = &d.row_count {
            if let (Some(lo), Some(hi)) = (rc.min, rc.max)
                && lo > hi
            {
                self.err(
                    loc.clone(),
                    format!(
                        "table {}: `row_count.min` {lo} is above `max` {hi}",
                        table.name
                    ),
                );
            }
            out.push(rule(
                None,
                DataRuleKind::RowCount {
                    min: rc.min,
                    max: rc.max,
                },
            ));
        }
        for name in d.no_orphans.iter().flatten() {
            // A foreign key by its name (or the name PostgreSQL gives an unnamed one), or by
            // its column when it has one.
            let wanted = ident(name);
            let found = table.foreign_keys.iter().find(|fk| {
                let generated = format!("{}_{}_fkey", table.name.name, fk.columns.join("_"));
                fk.name.as_deref() == Some(wanted.as_str())
                    || generated == wanted
                    || fk.columns == [wanted.clone()]
            });
            match found {
                Some(fk) => out.push(rule(None, DataRuleKind::NoOrphans(fk.clone()))),
                None => self.err(
                    loc.clone(),
                    format!(
                        "table {}: `no_orphans` names {name}, which is not one of its declared foreign keys",
                        table.name
                    ),
                ),
            }
        }
        out
    }

    fn fk_action(&mut self, v: Option<&Spanned<String>>) -> FkAction {
        match v {
            None => FkAction::NoAction,
            Some(s) => FkAction::parse(s).unwrap_or_else(|| {
                self.err_at(
                    s.span(),
                    format!(
                        "`{}` is not one of no_action, restrict, cascade, set_null, set_default",
                        **s
                    ),
                );
                FkAction::NoAction
            }),
        }
    }

    fn add_cagg(&mut self, name: &str, loc: Location, c: RawCagg, schema: &str) {
        let qn = QualName::parse(name, schema);
        if self.set.expectations.schema.caggs.contains_key(&qn) {
            self.err(
                loc.clone(),
                format!("continuous aggregate {qn} is declared twice"),
            );
        }
        let bucket = c.bucket.as_ref().and_then(|b| self.interval(b, "bucket"));
        let refresh = c.refresh.as_ref().map(|r| RefreshPolicy {
            start_offset: r
                .start_offset
                .as_ref()
                .and_then(|v| self.interval(v, "refresh.start_offset")),
            end_offset: r
                .end_offset
                .as_ref()
                .and_then(|v| self.interval(v, "refresh.end_offset")),
            schedule_interval: r
                .schedule_interval
                .as_ref()
                .and_then(|v| self.interval(v, "refresh.schedule_interval")),
        });
        let retention = c.retention.as_ref().and_then(|r| {
            self.interval(&r.drop_after, "retention.drop_after")
                .map(|d| Retention {
                    drop_after: d,
                    loc: Some(self.loc_of(r.span())),
                })
        });
        self.set.expectations.schema.caggs.insert(
            qn.clone(),
            ContinuousAggregate {
                name: qn,
                source: Some(QualName::parse(&c.source, schema)),
                bucket,
                materialized_only: c.materialized_only,
                refresh,
                retention,
                loc: Some(loc),
            },
        );
    }

    fn finish(mut self) -> Result<ContractSet, ContractErrors> {
        // Names across files: a view and a table of the same name is a duplicate too.
        let schema = &self.set.expectations.schema;
        let mut dup = Vec::new();
        for (qn, v) in &schema.views {
            if schema.tables.contains_key(qn) || schema.caggs.contains_key(qn) {
                dup.push((v.loc.clone(), qn.to_string()));
            }
        }
        for (qn, c) in &schema.caggs {
            if schema.tables.contains_key(qn) {
                dup.push((c.loc.clone(), qn.to_string()));
            }
        }
        for (loc, name) in dup {
            self.err(
                loc.unwrap_or(Location {
                    file: String::new(),
                    line: 0,
                    column: 0,
                }),
                format!("{name} is declared as more than one kind of object"),
            );
        }
        if !self.errors.is_empty() {
            self.errors.sort();
            self.errors.dedup();
            return Err(ContractErrors(self.errors));
        }
        let mut schemas = self.schemas;
        let s = &self.set.expectations.schema;
        schemas.extend(s.tables.keys().map(|q| q.schema.clone()));
        schemas.extend(s.views.keys().map(|q| q.schema.clone()));
        schemas.extend(s.caggs.keys().map(|q| q.schema.clone()));
        schemas.extend(s.enums.keys().map(|q| q.schema.clone()));
        self.set.expectations.schemas = schemas.into_iter().collect();
        self.set.files = self.files;
        Ok(self.set)
    }
}

fn load_error_parts(e: &marked_yaml::LoadError) -> (usize, usize, String) {
    use marked_yaml::LoadError::*;
    let (m, msg) = match e {
        TopLevelMustBeMapping(m) => (*m, "a contract file must be a mapping of keys".to_string()),
        TopLevelMustBeSequence(m) => (*m, "top level must be a sequence".to_string()),
        UnexpectedAnchor(m) => (
            *m,
            "YAML anchors and aliases are not supported in contracts".to_string(),
        ),
        MappingKeyMustBeScalar(m) => (*m, "mapping keys must be plain strings".to_string()),
        UnexpectedTag(m) => (*m, "YAML tags are not supported in contracts".to_string()),
        ScanError(m, se) => (*m, format!("YAML syntax error: {}", se.info())),
        DuplicateKey(inner) => {
            let m = inner
                .key
                .span()
                .start()
                .copied()
                .unwrap_or_else(|| marked_yaml::Marker::new(0, 0, 0, 0));
            (m, format!("duplicate key `{}`", inner.key.as_str()))
        }
        #[allow(unreachable_patterns)]
        _ => (marked_yaml::Marker::new(0, 0, 0, 0), e.to_string()),
    };
    (m.line(), m.column(), msg)
}

/// YAML ends a plain value inside `{ ... }` at the first comma, so SPEC-style
/// `{ type: numeric(10,6) }` would read as `numeric(10` plus a key `6)`. Commas inside
/// parentheses never end a value here: such values are quoted before parsing. Only lines
/// with a flow mapping are touched, so line numbers stay exact.
pub fn quote_parenthesised_flow_values(text: &str) -> std::borrow::Cow<'_, str> {
    // Only a flow collection with a comma inside parentheses can need quotes; the text
    // between such lines is copied in one piece (most lines of a large contract).
    let mut out: Option<String> = None;
    let (mut copied, mut start) = (0usize, 0usize);
    for line in text.split('\n') {
        let end = start + line.len();
        if (line.contains('{') || line.contains('[')) && comma_in_parentheses(line) {
            let quoted = quote_line(line);
            if quoted != line {
                let o = out.get_or_insert_with(|| String::with_capacity(text.len() + 16));
                o.push_str(&text[copied..start]);
                o.push_str(&quoted);
                copied = end;
            }
        }
        start = end + 1;
    }
    match out {
        None => std::borrow::Cow::Borrowed(text),
        Some(mut o) => {
            o.push_str(&text[copied..]);
            std::borrow::Cow::Owned(o)
        }
    }
}

/// Whether a comma stands inside parentheses (`numeric(12,2)`; not `now()`, `[a, b]`).
fn comma_in_parentheses(line: &str) -> bool {
    let mut depth = 0i32;
    for b in line.bytes() {
        match b {
            b'(' => depth += 1,
            b')' => depth -= 1,
            b',' if depth > 0 => return true,
            _ => {}
        }
    }
    false
}

fn quote_line(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len() + 4);
    // Open flow collections: '{' or '['.
    let mut stack: Vec<char> = Vec::new();
    let mut i = 0usize;
    // Whether the next non-space character starts a value (a sequence item or a map value).
    let mut at_value = false;
    while i < chars.len() {
        let c = chars[i];
        if at_value && c == ' ' {
            out.push(c);
            i += 1;
            continue;
        }
        if at_value && !matches!(c, '\'' | '"' | '[' | '{' | ']' | '}' | ',' | '#') {
            at_value = false;
            let start = i;
            let (mut paren, mut comma_inside) = (0i32, false);
            while i < chars.len() {
                match chars[i] {
                    '(' => paren += 1,
                    ')' => paren -= 1,
                    ',' if paren > 0 => comma_inside = true,
                    ',' | '}' | ']' if paren <= 0 => break,
                    _ => {}
                }
                i += 1;
            }
            let value: String = chars[start..i].iter().collect();
            let trimmed = value.trim_end();
            if comma_inside {
                out.push('"');
                out.push_str(&trimmed.replace('\\', "\\\\").replace('"', "\\\""));
                out.push('"');
                out.push_str(&value[trimmed.len()..]);
            } else {
                out.push_str(&value);
            }
            continue;
        }
        at_value = false;
        match c {
            '\'' | '"' => {
                // Copy a quoted scalar verbatim.
                out.push(c);
                i += 1;
                while i < chars.len() {
                    out.push(chars[i]);
                    if chars[i] == c {
                        if c == '\'' && chars.get(i + 1) == Some(&'\'') {
                            out.push('\'');
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    if c == '"' && chars[i] == '\\' && i + 1 < chars.len() {
                        out.push(chars[i + 1]);
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            '#' if i == 0 || chars[i - 1].is_whitespace() => {
                out.extend(&chars[i..]);
                break;
            }
            '{' | '[' => {
                stack.push(c);
                out.push(c);
                i += 1;
                at_value = c == '[';
            }
            '}' | ']' => {
                stack.pop();
                out.push(c);
                i += 1;
            }
            ',' => {
                out.push(c);
                i += 1;
                at_value = stack.last() == Some(&'[');
            }
            ':' if !stack.is_empty() && chars.get(i + 1).is_some_and(|n| *n == ' ') => {
                out.push(':');
                i += 1;
                at_value = stack.last() == Some(&'{');
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// `fleets(fleet_id)` / `ops.fleets(a, b)` → (table, columns).
pub fn parse_reference(s: &str, schema: &str) -> Option<(QualName, Vec<String>)> {
    let s = s.trim();
    let open = s.find('(')?;
    let close = s.rfind(')')?;
    if close < open || !s[close + 1..].trim().is_empty() {
        return None;
    }
    let table = s[..open].trim();
    if table.is_empty() {
        return None;
    }
    let cols: Vec<String> = s[open + 1..close]
        .split(',')
        .map(ident)
        .filter(|c| !c.is_empty())
        .collect();
    if cols.is_empty() {
        return None;
    }
    Some((QualName::parse(table, schema), cols))
}

/// Splits trailing `ASC|DESC`, `NULLS FIRST|LAST` and an operator class from an index element.
pub fn parse_index_column(s: &str) -> IndexColumn {
    let (rest, descending, nulls_first) = split_ordering(s);
    // An operator class follows a column name or a parenthesised/function expression.
    let mut expr = rest.to_string();
    let mut opclass = None;
    if let Some(pos) = rest.rfind(char::is_whitespace) {
        let (head, tail) = (rest[..pos].trim_end(), rest[pos..].trim());
        let tail_is_ident = !tail.is_empty()
            && tail
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        let head_is_simple = split_ident_path(head).len() == 1 && is_plain_ident(head);
        if tail_is_ident && (head_is_simple || head.ends_with(')')) {
            expr = head.to_string();
            opclass = Some(tail.to_lowercase());
        }
    }
    let expr = if is_plain_ident(&expr) {
        ident(&expr)
    } else {
        expr
    };
    IndexColumn {
        expr,
        descending,
        nulls_first,
        opclass,
    }
}

fn is_plain_ident(s: &str) -> bool {
    let t = s.trim();
    (t.starts_with('"') && t.ends_with('"') && t.len() >= 2)
        || (!t.is_empty()
            && t.chars().all(|c| c.is_alphanumeric() || c == '_')
            && !t.starts_with(|c: char| c.is_ascii_digit()))
}

fn split_ordering(s: &str) -> (&str, bool, Option<bool>) {
    let mut rest = s.trim();
    let mut nulls_first = None;
    let lower = rest.to_lowercase();
    if lower.ends_with(" nulls first") {
        nulls_first = Some(true);
        rest = rest[..rest.len() - " nulls first".len()].trim_end();
    } else if lower.ends_with(" nulls last") {
        nulls_first = Some(false);
        rest = rest[..rest.len() - " nulls last".len()].trim_end();
    }
    let lower = rest.to_lowercase();
    let mut descending = false;
    if lower.ends_with(" desc") {
        descending = true;
        rest = rest[..rest.len() - 5].trim_end();
    } else if lower.ends_with(" asc") {
        rest = rest[..rest.len() - 4].trim_end();
    }
    (rest, descending, nulls_first)
}

/// `timestamp DESC NULLS LAST` → order item of compression settings.
pub fn parse_order_item(s: &str) -> OrderItem {
    let (rest, descending, nulls_first) = split_ordering(s);
    OrderItem {
        column: ident(rest),
        descending,
        nulls_first,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<ContractSet, ContractErrors> {
        load_sources(&[("c.yaml".to_string(), text.to_string())])
    }

    /// What a later file declares again is reported at the later place, and the first
    /// declaration (with its data rules) stands.
    #[test]
    fn declarations_across_files_merge_in_file_order() {
        let a = "policy:\n  undeclared_tables: warning\nenums:\n  mood: [a, b]\ntables:\n  t:\n    columns:\n      id: { type: int, rules: { min: 0 } }\n  u:\n    columns:\n      id: int\n";
        let b = "policy:\n  undeclared_tables: info\nenums:\n  mood: [c]\nviews:\n  u: {}\ntables:\n  t:\n    columns:\n      id: { type: bigint, rules: { max: 9 } }\n";
        let errors = load_sources(&[
            ("a.yaml".to_string(), a.to_string()),
            ("b.yaml".to_string(), b.to_string()),
        ])
        .unwrap_err();
        let got: Vec<String> = errors.0.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            got,
            [
                "b.yaml:1:1: policy is declared again (first at a.yaml:1:1); declare it in one file",
                "b.yaml:4:3: enum public.mood is declared twice",
                "b.yaml:6:3: public.u is declared as more than one kind of object",
                "b.yaml:8:3: table public.t is declared twice (first at a.yaml:6:3)",
            ]
        );
        // Without the clashes, every file's declarations arrive, in file order.
        let c = "tables:\n  v:\n    columns:\n      id: { type: int, rules: { max: 9 } }\n";
        let set = load_sources(&[
            ("a.yaml".to_string(), a.to_string()),
            ("c.yaml".to_string(), c.to_string()),
        ])
        .unwrap();
        let tables: Vec<String> = set
            .expectations
            .schema
            .tables
            .keys()
            .map(|q| q.to_string())
            .collect();
        assert_eq!(tables, ["public.t", "public.u", "public.v"]);
        let rules: Vec<String> = set.data_rules.iter().map(|r| r.table.to_string()).collect();
        assert_eq!(rules, ["public.t", "public.v"]);
        assert_eq!(set.files, ["a.yaml", "c.yaml"]);
        assert_eq!(
            set.expectations.policy.undeclared_tables,
            PolicyLevel::Warning
        );
    }

    #[test]
    fn index_columns_parse() {
        let c = parse_index_column("timestamp DESC");
        assert_eq!(
            (c.expr.as_str(), c.descending, c.opclass),
            ("timestamp", true, None)
        );
        let c = parse_index_column("attrs jsonb_path_ops");
        assert_eq!(
            (c.expr.as_str(), c.opclass.as_deref()),
            ("attrs", Some("jsonb_path_ops"))
        );
        let c = parse_index_column("lower(vin)");
        assert_eq!((c.expr.as_str(), c.opclass), ("lower(vin)", None));
        let c = parse_index_column("a NULLS FIRST");
        assert_eq!(
            (c.expr.as_str(), c.descending, c.nulls_first),
            ("a", false, Some(true))
        );
        let c = parse_index_column("\"Mixed\" DESC NULLS LAST");
        assert_eq!((c.expr.as_str(), c.nulls_first), ("Mixed", Some(false)));
    }

    #[test]
    fn spec_style_flow_types_with_commas_load() {
        let set = load(
            "tables:\n  t:\n    columns:\n      delta: { type: numeric(10,6), rules: { min: -5, max: 5 } }\n      d2: { type: \"numeric(12, 4)\", default: round(1.5, 2) }\n      note: { type: text, default: \"'a,b'\" }  # comment, with (comma)\n",
        )
        .unwrap();
        let t = &set.expectations.schema.tables[&QualName::new("public", "t")];
        assert_eq!(t.column("delta").unwrap().data_type, "numeric(10,6)");
        assert_eq!(
            t.column("d2").unwrap().default.as_deref(),
            Some("round(1.5, 2)")
        );
        assert_eq!(t.column("note").unwrap().default.as_deref(), Some("'a,b'"));
        assert_eq!(t.column("d2").unwrap().loc.as_ref().unwrap().line, 5);
        let set = load(
            "tables:\n  t:\n    columns:\n      a: { type: int }\n      b: { type: int }\n    indexes:\n      i: { columns: [coalesce(a, b), a DESC], where: \"a > 0\" }\n",
        )
        .unwrap();
        let t = &set.expectations.schema.tables[&QualName::new("public", "t")];
        let cols: Vec<&str> = t.indexes[0]
            .columns
            .iter()
            .map(|c| c.expr.as_str())
            .collect();
        assert_eq!(cols, vec!["coalesce(a, b)", "a"]);
    }

    #[test]
    fn column_shorthand_is_a_type() {
        let set =
            load("tables:\n  t:\n    columns:\n      id: serial\n      note: text\n").unwrap();
        let t = &set.expectations.schema.tables[&QualName::new("public", "t")];
        assert!(t.column("id").unwrap().serial);
        assert_eq!(t.column("note").unwrap().data_type, "text");
    }

    #[test]
    fn references_parse() {
        let (t, c) = parse_reference("ops.fleets(a, B)", "public").unwrap();
        assert_eq!(t, QualName::new("ops", "fleets"));
        assert_eq!(c, vec!["a", "b"]);
        assert!(parse_reference("fleets", "public").is_none());
    }

    #[test]
    fn loads_spec_example_and_implies_not_null() {
        let set = load(
            "contract: s\nversion: 1.0.0\nschema: public\ntables:\n  t:\n    columns:\n      id: { type: serial }\n      ts: { type: timestamptz }\n      v: { type: varchar(10), default: \"'x'\" }\n    primary_key: [id, ts]\n    hypertable: { time_column: ts, chunk_time_interval: 1 day }\n",
        )
        .unwrap();
        let t = &set.expectations.schema.tables[&QualName::new("public", "t")];
        assert!(t.columns.iter().all(|c| c.name == "v" || !c.nullable));
        assert!(t.column("v").unwrap().nullable);
        assert_eq!(t.column("v").unwrap().data_type, "character varying(10)");
        assert!(t.column("id").unwrap().serial);
        assert_eq!(t.loc.as_ref().unwrap().line, 5);
        assert_eq!(set.expectations.schemas, vec!["public"]);
    }

    #[test]
    fn collects_all_errors_with_locations_and_suggestions() {
        let err = load(
            "tabels: {}\ntables:\n  a:\n    columns:\n      x: { type: int, nullabel: false }\n  b:\n    columns:\n      y: { type: int }\n    hypertable: { time_column: y, chunk_time_interval: soon }\n",
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains(
                "c.yaml:1:1: unknown key `tabels` at the top level (did you mean `tables`?)"
            ),
            "{text}"
        );
        assert!(
            text.contains("c.yaml:5:") && text.contains("did you mean `nullable`?"),
            "{text}"
        );
        assert!(
            text.contains("c.yaml:9:") && text.contains("`soon` is not an interval"),
            "{text}"
        );
        assert_eq!(err.0.len(), 3, "{text}");
    }

    #[test]
    fn yaml_syntax_error_has_position() {
        let err = load("tables:\n  a: [\n").unwrap_err();
        assert_eq!(err.0.len(), 1);
        assert!(err.0[0].location.line >= 2, "{}", err);
    }
}
