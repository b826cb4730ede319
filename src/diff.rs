//! `zerogap diff OLD NEW`: every change between two versions of the contracts, classified
//! breaking or not (SPEC.md, and the seed's breaking-change policy: adding a nullable or
//! defaulted column, an index or a table is not breaking; removing a column, changing a
//! type, dropping an index a query uses, renaming a table, changing a constraint are). Pure:
//! two contract sets in, changes out.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::contract::{ContractSet, DeclaredQuery};
use crate::model::{QualName, Table};
use crate::normalize::expr::{Equivalence, compare_exprs};
use crate::normalize::interval::parse_interval;
use crate::normalize::types::types_equal;

/// Two expressions of the contracts mean the same (spelling, casts and parentheses aside);
/// text equality when either cannot be read.
fn exprs_same(a: &str, b: &str) -> bool {
    match compare_exprs(a, b) {
        Equivalence::Equal => true,
        Equivalence::Different { .. } => false,
        _ => a == b,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Kebab-case kind: `column-removed`, `index-added`, ...
    pub kind: &'static str,
    pub breaking: bool,
    /// Qualified object name.
    pub object: String,
    pub message: String,
    /// Declared queries (and their consumers) that use the changed table.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub used_by: Vec<String>,
    /// The contract (file) the object belongs to.
    pub contract: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VersionCheck {
    pub contract: String,
    pub old: Option<String>,
    pub new: Option<String>,
    /// The major version went up (or the contract is new or gone).
    pub major_bumped: bool,
    pub breaking_changes: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub changes: Vec<Change>,
    pub versions: Vec<VersionCheck>,
}

impl Diff {
    /// Breaking changes in a contract whose major version was not bumped.
    pub fn unbumped_breaking(&self) -> usize {
        self.versions
            .iter()
            .filter(|v| !v.major_bumped)
            .map(|v| v.breaking_changes)
            .sum()
    }
}

/// A contract's key across the two sides: its `contract:` name, else its file's name (the
/// sides' paths differ: `old/c.yaml` and `new/c.yaml`, `HEAD:c.yaml` and `c.yaml`).
fn contract_key(m: &crate::contract::ContractMeta) -> String {
    m.name.clone().unwrap_or_else(|| {
        let file = m.file.rsplit(['/', ':']).next().unwrap_or(&m.file);
        file.to_string()
    })
}

fn major(v: Option<&str>) -> Option<u64> {
    semver::Version::parse(v?.trim()).ok().map(|v| v.major)
}

/// The declared queries whose SQL names `table` (by word), as "query (consumers)".
fn users(queries: &[DeclaredQuery], table: &QualName, column: Option<&str>) -> Vec<String> {
    let words = |sql: &str| -> BTreeSet<String> {
        sql.to_lowercase()
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    queries
        .iter()
        .filter(|q| {
            let w = words(&q.query.sql);
            w.contains(&table.name.to_lowercase())
                && column.is_none_or(|c| w.contains(&c.to_lowercase()) || q.query.sql.contains('*'))
        })
        .map(|q| match &q.query.consumers {
            Some(c) if !c.is_empty() => format!("{} ({})", q.name, c.join(", ")),
            _ => q.name.clone(),
        })
        .collect()
}

struct Builder<'a> {
    old: &'a ContractSet,
    new: &'a ContractSet,
    changes: Vec<Change>,
}

/// The contract (key) of the file an object was declared in.
fn contract_of(file: Option<&str>, set: &ContractSet) -> Option<String> {
    let file = file?;
    set.contracts
        .iter()
        .find(|m| m.file == file)
        .map(contract_key)
}

impl Builder<'_> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        kind: &'static str,
        breaking: bool,
        object: String,
        message: String,
        table: Option<(&QualName, Option<&str>)>,
        loc_file: Option<&str>,
        in_old: bool,
    ) {
        let set = if in_old { self.old } else { self.new };
        let used_by = match table {
            Some((t, c)) => {
                let mut u = users(&self.old.queries, t, c);
                u.extend(users(&self.new.queries, t, c));
                u.sort();
                u.dedup();
                u
            }
            None => Vec::new(),
        };
        let contract = contract_of(loc_file, set);
        self.changes.push(Change {
            kind,
            breaking,
            object,
            message,
            used_by,
            contract,
        });
    }

    fn table(&mut self, o: &Table, n: &Table) {
        let tq = &n.name;
        let file = n.loc.as_ref().map(|l| l.file.as_str());
        for oc in &o.columns {
            let obj = format!("{tq}.{}", oc.name);
            match n.column(&oc.name) {
                None => self.push(
                    "column-removed",
                    true,
                    obj.clone(),
                    format!("column {obj} is removed"),
                    Some((tq, Some(&oc.name))),
                    file,
                    false,
                ),
                Some(nc) => {
                    let same_type =
                        types_equal(&oc.data_type, &nc.data_type) && oc.serial == nc.serial;
                    if !same_type {
                        self.push(
                            "column-type-changed",
                            true,
                            obj.clone(),
                            format!(
                                "column {obj} changes type from {} to {}",
                                oc.data_type, nc.data_type
                            ),
                            Some((tq, Some(&oc.name))),
                            file,
                            false,
                        );
                    }
                    if oc.nullable && !nc.nullable {
                        self.push(
                            "column-made-not-null",
                            true,
                            obj.clone(),
                            format!("column {obj} becomes NOT NULL: writers that omit it fail"),
                            Some((tq, Some(&oc.name))),
                            file,
                            false,
                        );
                    } else if !oc.nullable && nc.nullable {
                        self.push(
                            "column-made-nullable",
                            false,
                            obj.clone(),
                            format!("column {obj} becomes nullable: readers may now see NULL"),
                            Some((tq, Some(&oc.name))),
                            file,
                            false,
                        );
                    }
                    let default_changed = match (&oc.default, &nc.default) {
                        (None, None) => false,
                        (Some(a), Some(b)) => !matches!(compare_exprs(a, b), Equivalence::Equal),
                        _ => true,
                    };
                    if default_changed {
                        self.push(
                            "column-default-changed",
                            false,
                            obj.clone(),
                            format!(
                                "default of column {obj} changes from {} to {}",
                                oc.default.as_deref().unwrap_or("none"),
                                nc.default.as_deref().unwrap_or("none")
                            ),
                            None,
                            file,
                            false,
                        );
                    }
                    let generated_changed = match (&oc.generated, &nc.generated) {
                        (None, None) => false,
                        (Some(a), Some(b)) => !exprs_same(a, b),
                        _ => true,
                    };
                    if oc.identity != nc.identity || generated_changed {
                        self.push(
                            "column-identity-changed",
                            true,
                            obj.clone(),
                            format!("identity or generation of column {obj} changes"),
                            Some((tq, Some(&oc.name))),
                            file,
                            false,
                        );
                    }
                }
            }
        }
        for nc in &n.columns {
            if o.column(&nc.name).is_none() {
                let obj = format!("{tq}.{}", nc.name);
                let safe = nc.nullable
                    || nc.default.is_some()
                    || nc.serial
                    || nc.identity.is_some()
                    || nc.generated.is_some();
                self.push(
                    if safe { "column-added" } else { "column-added-not-null" },
                    !safe,
                    obj.clone(),
                    if safe {
                        format!("column {obj} is added (nullable or with a default)")
                    } else {
                        format!("column {obj} is added NOT NULL without a default: writers that omit it fail")
                    },
                    Some((tq, Some(&nc.name))),
                    file,
                    false,
                );
            }
        }
        let pk = |t: &Table| t.primary_key.as_ref().map(|p| p.columns.clone());
        if pk(o) != pk(n) {
            self.push(
                "primary-key-changed",
                true,
                format!("{tq}"),
                format!(
                    "primary key of {tq} changes from {:?} to {:?}",
                    pk(o).unwrap_or_default(),
                    pk(n).unwrap_or_default()
                ),
                Some((tq, None)),
                file,
                false,
            );
        }
        // Constraints: any change to a definition is breaking (policy); a removal is not
        // (it only accepts more rows), an addition is (it may refuse writes).
        let fk_key = |f: &crate::model::ForeignKey| {
            (
                f.columns.clone(),
                f.ref_table.to_string(),
                f.ref_columns.clone(),
                f.on_delete.to_string(),
                f.on_update.to_string(),
            )
        };
        let ofk: BTreeSet<_> = o.foreign_keys.iter().map(fk_key).collect();
        let nfk: BTreeSet<_> = n.foreign_keys.iter().map(fk_key).collect();
        for k in nfk.difference(&ofk) {
            self.push(
                "foreign-key-added-or-changed",
                true,
                format!("{tq}({})", k.0.join(", ")),
                format!(
                    "foreign key {tq}({}) → {}({}) is added or changed",
                    k.0.join(", "),
                    k.1,
                    k.2.join(", ")
                ),
                Some((tq, None)),
                file,
                false,
            );
        }
        for k in ofk.difference(&nfk) {
            if !nfk.iter().any(|x| x.0 == k.0) {
                self.push(
                    "foreign-key-removed",
                    false,
                    format!("{tq}({})", k.0.join(", ")),
                    format!("foreign key {tq}({}) → {} is removed", k.0.join(", "), k.1),
                    None,
                    file,
                    false,
                );
            }
        }
        let ou: BTreeSet<Vec<String>> = o.uniques.iter().map(|u| u.columns.clone()).collect();
        let nu: BTreeSet<Vec<String>> = n.uniques.iter().map(|u| u.columns.clone()).collect();
        for u in nu.difference(&ou) {
            self.push(
                "unique-added",
                true,
                format!("{tq}({})", u.join(", ")),
                format!(
                    "unique constraint on {tq}({}) is added: duplicate writes fail",
                    u.join(", ")
                ),
                Some((tq, None)),
                file,
                false,
            );
        }
        for u in ou.difference(&nu) {
            self.push(
                "unique-removed",
                false,
                format!("{tq}({})", u.join(", ")),
                format!("unique constraint on {tq}({}) is removed", u.join(", ")),
                None,
                file,
                false,
            );
        }
        for oc in &o.checks {
            let name = oc.name.clone().unwrap_or_default();
            match n.checks.iter().find(|c| c.name == oc.name) {
                None => self.push(
                    "check-removed",
                    false,
                    format!("{tq}.{name}"),
                    format!("check constraint {tq}.{name} is removed"),
                    None,
                    file,
                    false,
                ),
                Some(nc) => {
                    if !matches!(compare_exprs(&oc.expr, &nc.expr), Equivalence::Equal) {
                        self.push(
                            "check-changed",
                            true,
                            format!("{tq}.{name}"),
                            format!(
                                "check constraint {tq}.{name} changes from `{}` to `{}`",
                                oc.expr, nc.expr
                            ),
                            Some((tq, None)),
                            file,
                            false,
                        );
                    }
                }
            }
        }
        for nc in &n.checks {
            if !o.checks.iter().any(|c| c.name == nc.name) {
                let name = nc.name.clone().unwrap_or_default();
                self.push(
                    "check-added",
                    true,
                    format!("{tq}.{name}"),
                    format!(
                        "check constraint {tq}.{name} `{}` is added: writes it refuses fail",
                        nc.expr
                    ),
                    Some((tq, None)),
                    file,
                    false,
                );
            }
        }
        // Indexes: adding is never breaking; dropping or changing one is breaking when a
        // declared query uses the table (it may rely on the index), otherwise not.
        for oi in &o.indexes {
            let obj = format!("{tq}.{}", oi.name);
            let used = !users(&self.old.queries, tq, None).is_empty()
                || !users(&self.new.queries, tq, None).is_empty();
            match n.indexes.iter().find(|i| i.name == oi.name) {
                None => self.push(
                    "index-removed",
                    used,
                    obj.clone(),
                    format!(
                        "index {obj} is removed{}",
                        if used {
                            " (a declared query uses its table)"
                        } else {
                            ""
                        }
                    ),
                    Some((tq, None)),
                    file,
                    false,
                ),
                Some(ni) => {
                    let cols = |i: &crate::model::Index| {
                        i.columns.iter().map(|c| c.to_string()).collect::<Vec<_>>()
                    };
                    let same_columns = oi.columns.len() == ni.columns.len()
                        && oi.columns.iter().zip(&ni.columns).all(|(a, b)| {
                            crate::compare::index_column_eq(a, b)
                                .unwrap_or_else(|_| a.to_string() == b.to_string())
                        });
                    let same_predicate = match (&oi.predicate, &ni.predicate) {
                        (None, None) => true,
                        (Some(a), Some(b)) => exprs_same(a, b),
                        _ => false,
                    };
                    if !same_columns
                        || oi.unique != ni.unique
                        || oi.method != ni.method
                        || oi.include != ni.include
                        || !same_predicate
                    {
                        self.push(
                            "index-changed",
                            used || (ni.unique && !oi.unique),
                            obj.clone(),
                            format!(
                                "index {obj} changes from ({}) to ({})",
                                cols(oi).join(", "),
                                cols(ni).join(", ")
                            ),
                            Some((tq, None)),
                            file,
                            false,
                        );
                    }
                }
            }
        }
        for ni in &n.indexes {
            if !o.indexes.iter().any(|i| i.name == ni.name) {
                let obj = format!("{tq}.{}", ni.name);
                self.push(
                    "index-added",
                    ni.unique,
                    obj.clone(),
                    if ni.unique {
                        format!("unique index {obj} is added: duplicate writes fail")
                    } else {
                        format!("index {obj} is added")
                    },
                    None,
                    file,
                    false,
                );
            }
        }
        self.hypertable(o, n, file);
    }

    fn hypertable(&mut self, o: &Table, n: &Table, file: Option<&str>) {
        let tq = &n.name;
        let obj = tq.to_string();
        match (&o.hypertable, &n.hypertable) {
            (None, None) => {}
            (None, Some(_)) => self.push(
                "hypertable-created",
                true,
                obj.clone(),
                format!("{tq} becomes a hypertable"),
                Some((tq, None)),
                file,
                false,
            ),
            (Some(_), None) => self.push(
                "hypertable-removed",
                true,
                obj.clone(),
                format!("{tq} is no longer a hypertable"),
                Some((tq, None)),
                file,
                false,
            ),
            (Some(a), Some(b)) => {
                if a.time_column != b.time_column || a.partitioning != b.partitioning {
                    self.push(
                        "hypertable-partitioning-changed",
                        true,
                        obj.clone(),
                        format!("the partitioning of hypertable {tq} changes"),
                        Some((tq, None)),
                        file,
                        false,
                    );
                }
                let iv = |s: Option<&String>| s.and_then(|s| parse_interval(s).ok());
                if iv(a.chunk_interval.as_ref()) != iv(b.chunk_interval.as_ref()) {
                    self.push(
                        "chunk-interval-changed",
                        false,
                        obj.clone(),
                        format!(
                            "chunk interval of {tq} changes from {} to {}",
                            a.chunk_interval.as_deref().unwrap_or("default"),
                            b.chunk_interval.as_deref().unwrap_or("default")
                        ),
                        None,
                        file,
                        false,
                    );
                }
                let ret = |h: &crate::model::Hypertable| {
                    h.retention
                        .as_ref()
                        .and_then(|r| parse_interval(&r.drop_after).ok())
                };
                match (ret(a), ret(b)) {
                    (None, None) => {}
                    (x, y) if x == y => {}
                    (Some(x), Some(y)) if y.total_micros() > x.total_micros() => self.push(
                        "retention-lengthened",
                        false,
                        obj.clone(),
                        format!("retention of {tq} is lengthened"),
                        None,
                        file,
                        false,
                    ),
                    (None, Some(_)) | (Some(_), Some(_)) => self.push(
                        "retention-shortened",
                        true,
                        obj.clone(),
                        format!("retention of {tq} is added or shortened: readers lose older rows"),
                        Some((tq, None)),
                        file,
                        false,
                    ),
                    (Some(_), None) => self.push(
                        "retention-removed",
                        false,
                        obj.clone(),
                        format!("retention of {tq} is removed"),
                        None,
                        file,
                        false,
                    ),
                }
                if a.compression != b.compression {
                    let normalize = |h: &crate::model::Hypertable| {
                        h.compression.as_ref().map(|c| {
                            (
                                c.segment_by.clone(),
                                c.order_by
                                    .as_ref()
                                    .map(|o| o.iter().map(|i| i.to_string()).collect::<Vec<_>>()),
                                c.after
                                    .as_ref()
                                    .and_then(|a| parse_interval(a).ok().map(|i| i.total_micros())),
                            )
                        })
                    };
                    if normalize(a) != normalize(b) {
                        self.push(
                            "compression-changed",
                            false,
                            obj.clone(),
                            format!("compression of {tq} changes"),
                            None,
                            file,
                            false,
                        );
                    }
                }
            }
        }
    }
}

pub fn diff(old: &ContractSet, new: &ContractSet) -> Diff {
    let mut b = Builder {
        old,
        new,
        changes: Vec::new(),
    };
    let os = &old.expectations.schema;
    let ns = &new.expectations.schema;

    // A table gone and one new with the same columns: a rename.
    let removed: Vec<&Table> = os
        .tables
        .values()
        .filter(|t| !ns.tables.contains_key(&t.name))
        .collect();
    let added: Vec<&Table> = ns
        .tables
        .values()
        .filter(|t| !os.tables.contains_key(&t.name))
        .collect();
    let cols = |t: &Table| {
        t.columns
            .iter()
            .map(|c| c.name.clone())
            .collect::<BTreeSet<_>>()
    };
    let mut renamed_to: BTreeMap<QualName, QualName> = BTreeMap::new();
    for r in &removed {
        if let Some(a) = added
            .iter()
            .find(|a| cols(a) == cols(r) && !renamed_to.values().any(|v| *v == a.name))
        {
            renamed_to.insert(r.name.clone(), a.name.clone());
        }
    }
    for r in &removed {
        let file = r.loc.as_ref().map(|l| l.file.as_str());
        match renamed_to.get(&r.name) {
            Some(to) => b.push(
                "table-renamed",
                true,
                r.name.to_string(),
                format!("table {} is renamed to {to}", r.name),
                Some((&r.name, None)),
                file,
                true,
            ),
            None => b.push(
                "table-removed",
                true,
                r.name.to_string(),
                format!("table {} is removed", r.name),
                Some((&r.name, None)),
                file,
                true,
            ),
        }
    }
    for a in &added {
        if !renamed_to.values().any(|v| *v == a.name) {
            let file = a.loc.as_ref().map(|l| l.file.as_str());
            b.push(
                "table-added",
                false,
                a.name.to_string(),
                format!("table {} is added", a.name),
                None,
                file,
                false,
            );
        }
    }
    for (q, o) in &os.tables {
        if let Some(n) = ns.tables.get(q) {
            b.table(o, n);
        }
    }
    for (q, o) in &os.enums {
        let file = o.loc.as_ref().map(|l| l.file.as_str());
        match ns.enums.get(q) {
            None => b.push(
                "enum-removed",
                true,
                q.to_string(),
                format!("enum {q} is removed"),
                None,
                file,
                true,
            ),
            Some(n) => {
                let gone: Vec<&String> =
                    o.values.iter().filter(|v| !n.values.contains(v)).collect();
                if !gone.is_empty() {
                    b.push(
                        "enum-value-removed",
                        true,
                        q.to_string(),
                        format!(
                            "enum {q} loses {}",
                            gone.iter()
                                .map(|s| s.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        None,
                        file,
                        false,
                    );
                }
                let new_values: Vec<&String> =
                    n.values.iter().filter(|v| !o.values.contains(v)).collect();
                if !new_values.is_empty() {
                    b.push(
                        "enum-value-added",
                        false,
                        q.to_string(),
                        format!(
                            "enum {q} gains {}",
                            new_values
                                .iter()
                                .map(|s| s.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        None,
                        file,
                        false,
                    );
                }
            }
        }
    }
    for (q, n) in &ns.enums {
        if !os.enums.contains_key(q) {
            b.push(
                "enum-added",
                false,
                q.to_string(),
                format!("enum {q} is added"),
                None,
                n.loc.as_ref().map(|l| l.file.as_str()),
                false,
            );
        }
    }
    for (q, o) in &os.views {
        let file = o.loc.as_ref().map(|l| l.file.as_str());
        match ns.views.get(q) {
            None => b.push(
                "view-removed",
                true,
                q.to_string(),
                format!("view {q} is removed"),
                Some((q, None)),
                file,
                true,
            ),
            Some(n) => {
                if let (Some(oc), Some(nc)) = (&o.columns, &n.columns) {
                    let gone: Vec<&String> = oc.iter().filter(|c| !nc.contains(c)).collect();
                    if !gone.is_empty() {
                        b.push(
                            "view-column-removed",
                            true,
                            q.to_string(),
                            format!(
                                "view {q} loses column(s) {}",
                                gone.iter()
                                    .map(|s| s.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                            Some((q, None)),
                            file,
                            false,
                        );
                    }
                }
            }
        }
    }
    for (q, n) in &ns.views {
        if !os.views.contains_key(q) {
            b.push(
                "view-added",
                false,
                q.to_string(),
                format!("view {q} is added"),
                None,
                n.loc.as_ref().map(|l| l.file.as_str()),
                false,
            );
        }
    }
    for (q, o) in &os.caggs {
        let file = o.loc.as_ref().map(|l| l.file.as_str());
        match ns.caggs.get(q) {
            None => b.push(
                "cagg-removed",
                true,
                q.to_string(),
                format!("continuous aggregate {q} is removed"),
                Some((q, None)),
                file,
                true,
            ),
            Some(n) => {
                let iv = |s: Option<&String>| s.and_then(|s| parse_interval(s).ok());
                if o.source != n.source || iv(o.bucket.as_ref()) != iv(n.bucket.as_ref()) {
                    b.push(
                        "cagg-changed",
                        true,
                        q.to_string(),
                        format!("continuous aggregate {q} changes its source or bucket"),
                        Some((q, None)),
                        file,
                        false,
                    );
                }
            }
        }
    }
    for (q, n) in &ns.caggs {
        if !os.caggs.contains_key(q) {
            b.push(
                "cagg-added",
                false,
                q.to_string(),
                format!("continuous aggregate {q} is added"),
                None,
                n.loc.as_ref().map(|l| l.file.as_str()),
                false,
            );
        }
    }
    // Declared queries are promises to consumers.
    for oq in &old.queries {
        match new.queries.iter().find(|q| q.name == oq.name) {
            None => b.changes.push(Change {
                kind: "query-removed",
                breaking: true,
                object: oq.name.clone(),
                message: format!("query {} is removed", oq.name),
                used_by: oq.query.consumers.clone().unwrap_or_default(),
                contract: contract_of(Some(&oq.loc.file), old),
            }),
            Some(nq) => {
                let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
                if norm(&oq.query.sql) != norm(&nq.query.sql)
                    || oq.query.params != nq.query.params
                    || oq.query.returns != nq.query.returns
                {
                    b.changes.push(Change {
                        kind: "query-changed",
                        breaking: true,
                        object: oq.name.clone(),
                        message: format!("query {} changes its SQL, parameters or result", oq.name),
                        used_by: nq.query.consumers.clone().unwrap_or_default(),
                        contract: contract_of(Some(&nq.loc.file), new),
                    });
                }
            }
        }
    }
    for nq in &new.queries {
        if !old.queries.iter().any(|q| q.name == nq.name) {
            b.changes.push(Change {
                kind: "query-added",
                breaking: false,
                object: nq.name.clone(),
                message: format!("query {} is added", nq.name),
                used_by: Vec::new(),
                contract: contract_of(Some(&nq.loc.file), new),
            });
        }
    }

    let changes = b.changes;
    // Versions per contract name; a contract without a name is its file.
    let name_of = contract_key;
    let mut names: BTreeSet<String> = old.contracts.iter().map(name_of).collect();
    names.extend(new.contracts.iter().map(name_of));
    let versions = names
        .into_iter()
        .map(|name| {
            let ov = old.contracts.iter().find(|m| name_of(m) == name).and_then(|m| m.version.clone());
            let nv = new.contracts.iter().find(|m| name_of(m) == name).and_then(|m| m.version.clone());
            let in_old = old.contracts.iter().any(|m| name_of(m) == name);
            let in_new = new.contracts.iter().any(|m| name_of(m) == name);
            let major_bumped = !in_old
                || !in_new
                || matches!((major(ov.as_deref()), major(nv.as_deref())), (Some(a), Some(b)) if b > a);
            let breaking_changes = changes
                .iter()
                .filter(|c| c.breaking && c.contract.as_deref().is_none_or(|c| c == name))
                .count();
            VersionCheck {
                contract: name,
                old: ov,
                new: nv,
                major_bumped,
                breaking_changes,
            }
        })
        .collect();
    Diff { changes, versions }
}

/// The verdict line every format leads with.
pub fn verdict(d: &Diff) -> String {
    let breaking = d.changes.iter().filter(|c| c.breaking).count();
    let unbumped = d.unbumped_breaking();
    if breaking == 0 {
        format!("no breaking change ({} change(s))", d.changes.len())
    } else if unbumped == 0 {
        format!("{breaking} breaking change(s), with a major version bump")
    } else {
        let which: Vec<String> = d
            .versions
            .iter()
            .filter(|v| !v.major_bumped && v.breaking_changes > 0)
            .map(|v| {
                format!(
                    "{} {} → {}",
                    v.contract,
                    v.old.as_deref().unwrap_or("?"),
                    v.new.as_deref().unwrap_or("?")
                )
            })
            .collect();
        format!(
            "{breaking} breaking change(s) without a major version bump ({})",
            which.join("; ")
        )
    }
}

/// For a terminal.
pub fn text(d: &Diff) -> String {
    let mut out = String::new();
    for c in &d.changes {
        out.push_str(&format!(
            "{:<12} {:<30} {}{}\n",
            if c.breaking { "BREAKING" } else { "ok" },
            c.kind,
            c.message,
            if c.used_by.is_empty() {
                String::new()
            } else {
                format!(" — used by {}", c.used_by.join(", "))
            }
        ));
    }
    out.push_str(&format!("{}\n", verdict(d)));
    out
}

/// For a pull-request comment.
pub fn markdown(d: &Diff) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut out = format!("## zerogap diff: {}\n\n", verdict(d));
    if d.changes.is_empty() {
        out.push_str("No change to the contracts.\n");
        return out;
    }
    out.push_str("| | change | object | what | used by |\n|---|---|---|---|---|\n");
    let mut sorted: Vec<&Change> = d.changes.iter().collect();
    sorted.sort_by_key(|c| !c.breaking);
    for c in sorted {
        out.push_str(&format!(
            "| {} | `{}` | `{}` | {} | {} |\n",
            if c.breaking {
                "🔴 breaking"
            } else {
                "🟢 compatible"
            },
            c.kind,
            c.object.replace('`', "'"),
            cell(&c.message),
            cell(&c.used_by.join(", "))
        ));
    }
    out.push_str("\n| contract | old | new | major bumped | breaking |\n|---|---|---|---|---|\n");
    for v in &d.versions {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            cell(&v.contract),
            v.old.as_deref().unwrap_or("—"),
            v.new.as_deref().unwrap_or("—"),
            if v.major_bumped { "yes" } else { "no" },
            v.breaking_changes
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "contract: shop\nversion: 1.4.0\ntables:\n  orders:\n    columns:\n      id: { type: bigserial }\n      customer_id: { type: int, nullable: false }\n      total: { type: \"numeric(12,2)\", nullable: false, default: 0 }\n      note: { type: text }\n    primary_key: [id]\n    constraints:\n      chk_total: { check: \"total >= 0\" }\n    indexes:\n      idx_orders_customer: { columns: [customer_id] }\n  customers:\n    columns:\n      id: { type: int }\n      name: { type: text }\n    primary_key: [id]\nenums:\n  status: [NEW, PAID]\nqueries:\n  orders_by_customer:\n    consumers: [billing]\n    sql: SELECT id, total FROM orders WHERE customer_id = $1\n";

    fn set(text: &str) -> ContractSet {
        crate::contract::load_sources(&[("c.yaml".to_string(), text.to_string())])
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// (what changes, how, expected kind, breaking?)
    fn case(from: &str, to: &str, kind: &str, breaking: bool) {
        assert!(BASE.contains(from), "base has no `{from}`");
        let d = diff(&set(BASE), &set(&BASE.replacen(from, to, 1)));
        let found: Vec<(&str, bool)> = d.changes.iter().map(|c| (c.kind, c.breaking)).collect();
        assert!(
            found.contains(&(kind, breaking)),
            "{from} → {to}: expected ({kind}, {breaking}) in {found:?}"
        );
    }

    #[test]
    fn every_kind_of_change_is_classified() {
        // Not breaking.
        case(
            "      note: { type: text }\n",
            "      note: { type: text }\n      extra: { type: text }\n",
            "column-added",
            false,
        );
        case(
            "      note: { type: text }\n",
            "      note: { type: text }\n      flag: { type: bool, nullable: false, default: false }\n",
            "column-added",
            false,
        );
        case(
            "    indexes:\n      idx_orders_customer: { columns: [customer_id] }\n",
            "    indexes:\n      idx_orders_customer: { columns: [customer_id] }\n      idx_orders_total: { columns: [total] }\n",
            "index-added",
            false,
        );
        case(
            "enums:\n",
            "  audit:\n    columns:\n      id: { type: int }\nenums:\n",
            "table-added",
            false,
        );
        case(
            "status: [NEW, PAID]",
            "status: [NEW, PAID, REFUNDED]",
            "enum-value-added",
            false,
        );
        case(
            "      chk_total: { check: \"total >= 0\" }\n",
            "",
            "check-removed",
            false,
        );
        // Breaking.
        case("      note: { type: text }\n", "", "column-removed", true);
        case(
            "      note: { type: text }\n",
            "      note: { type: \"varchar(20)\" }\n",
            "column-type-changed",
            true,
        );
        case(
            "      note: { type: text }\n",
            "      note: { type: text }\n      must: { type: int, nullable: false }\n",
            "column-added-not-null",
            true,
        );
        case(
            "      note: { type: text }\n",
            "      note: { type: text, nullable: false }\n",
            "column-made-not-null",
            true,
        );
        case(
            "chk_total: { check: \"total >= 0\" }",
            "chk_total: { check: \"total > 0\" }",
            "check-changed",
            true,
        );
        case("  customers:\n", "  clients:\n", "table-renamed", true);
        case(
            "status: [NEW, PAID]",
            "status: [NEW]",
            "enum-value-removed",
            true,
        );
        case(
            "      idx_orders_customer: { columns: [customer_id] }\n",
            "      idx_x: { columns: [note] }\n",
            "index-removed",
            true,
        );
        case(
            "    primary_key: [id]\n    constraints",
            "    primary_key: [id, customer_id]\n    constraints",
            "primary-key-changed",
            true,
        );
        case(
            "SELECT id, total FROM orders",
            "SELECT id FROM orders",
            "query-changed",
            true,
        );
    }

    /// A contract without a `contract:` name is matched by its file's name across sides.
    #[test]
    fn unnamed_contracts_still_need_a_bump() {
        let unnamed = BASE.replacen("contract: shop\n", "", 1);
        let load = |name: &str, text: &str| {
            crate::contract::load_sources(&[(name.to_string(), text.to_string())])
                .unwrap_or_else(|e| panic!("{e}"))
        };
        let old = load("HEAD:contracts/c.yaml", &unnamed);
        let new = load(
            "contracts/c.yaml",
            &unnamed.replacen("      note: { type: text }\n", "", 1),
        );
        let d = diff(&old, &new);
        assert_eq!(d.unbumped_breaking(), 1, "{:?}", d.versions);
        let q = unnamed.replacen("SELECT id, total FROM orders", "SELECT id FROM orders", 1);
        let d = diff(&old, &load("contracts/c.yaml", &q));
        assert_eq!(d.unbumped_breaking(), 1, "{:?}", d.changes);
    }

    #[test]
    fn equivalent_spellings_are_no_change() {
        let respelled = BASE
            .replace(
                "{ type: int, nullable: false }",
                "{ type: integer, nullable: false }",
            )
            .replace("\"total >= 0\"", "\"(total >= (0)::numeric)\"");
        let d = diff(&set(BASE), &set(&respelled));
        assert_eq!(d.changes, vec![], "{:?}", d.changes);
    }

    #[test]
    fn breaking_needs_a_major_bump_and_names_the_users() {
        let dropped = BASE.replacen(
            "      total: { type: \"numeric(12,2)\", nullable: false, default: 0 }\n",
            "",
            1,
        );
        let d = diff(&set(BASE), &set(&dropped));
        let c = d
            .changes
            .iter()
            .find(|c| c.kind == "column-removed")
            .unwrap_or_else(|| panic!("{:?}", d.changes));
        assert_eq!(c.used_by, vec!["orders_by_customer (billing)".to_string()]);
        assert_eq!(d.unbumped_breaking(), 1);
        let bumped = dropped.replacen("version: 1.4.0", "version: 2.0.0", 1);
        assert_eq!(diff(&set(BASE), &set(&bumped)).unbumped_breaking(), 0);
        let minor = dropped.replacen("version: 1.4.0", "version: 1.5.0", 1);
        assert_eq!(diff(&set(BASE), &set(&minor)).unbumped_breaking(), 1);
    }
}
