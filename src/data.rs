//! Data rules (`check --data`): the contract's promises about the rows.
//!
//! Every table with rules gets one aggregate query that evaluates all of its rules in a
//! single pass over the rows it reads (counts of violations per rule, and a few example
//! values gathered in the same pass); [`judge`] turns the query's one result row into
//! findings. Hypertables are read over a recent window (chunk exclusion on the time column),
//! big plain tables can be sampled (`TABLESAMPLE SYSTEM`). A NOT NULL or a foreign key the
//! contract declares and the database does not enforce is counted in the rows as well, and
//! the count is attached to that catalog finding, so both sides are seen at once.
//!
//! Pure: SQL text and parameters go out, a row of [`Cell`]s comes back; the CLI runs it.

use std::collections::{BTreeMap, HashMap};

use crate::compare::{self, Tally};
use crate::finding::{DataEvidence, Finding};
use crate::model::{Column, DataRule, DataRuleKind, Location, QualName, Schema, Table};
use crate::normalize::interval::parse_interval;
use crate::rules::{self, Rule};

/// Tables smaller than this are read whole even with `--sample`: sampling them saves
/// nothing and makes counts approximate.
pub const SAMPLE_MIN_BYTES: i64 = 10 * 1024 * 1024;

/// Longest example value shown (characters).
const EXAMPLE_CHARS: i64 = 80;

#[derive(Debug, Clone)]
pub struct Options {
    /// Hypertables: only rows whose time column is within this interval of `now()`;
    /// `None` reads every row.
    pub window: Option<String>,
    /// Percentage for `TABLESAMPLE SYSTEM` on tables of at least [`SAMPLE_MIN_BYTES`] that
    /// are not read over a window.
    pub sample_pct: Option<f64>,
    /// Example values per rule (0: none, for sensitive data).
    pub examples: usize,
}

/// What the catalog says about a table's size (read in one batch for every table); a
/// hypertable's are the sums over its chunks.
#[derive(Debug, Clone, Copy, Default)]
pub struct SizeFacts {
    /// From the statistics (`relpages`): 0 for a table never vacuumed or analysed, which
    /// is then read whole.
    pub bytes: i64,
    /// `pg_class.reltuples`; negative when the table was never analysed.
    pub estimated_rows: f64,
}

/// A bind parameter of a data query.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Text(String),
    TextArray(Vec<String>),
}

/// One value of the result row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Int(Option<i64>),
    Texts(Option<Vec<String>>),
}

/// A rule as it will run: the contract's rule, or the data side of a catalog finding.
#[derive(Debug, Clone)]
pub struct RuleCheck {
    pub table: QualName,
    pub column: Option<String>,
    pub kind: DataRuleKind,
    pub loc: Option<Location>,
    /// The catalog finding (rule code, object) the rows' answer belongs with.
    pub paired: Option<(&'static str, String)>,
    /// Declared as a data rule, so it counts toward compliance; `false` for the data side
    /// of a catalog finding, which is counted there.
    pub declared: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum SlotKind {
    /// Rows read.
    Rows,
    /// Violations of rule `i`.
    Count(usize),
    /// Example values of rule `i`.
    Examples(usize),
    /// `[newest, age in seconds]` of rule `i`'s column.
    Freshness(usize),
    /// Exact row count of the whole table, for rule `i`.
    RowCount(usize),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum RowCountSource {
    /// The query reads the whole table: its row count is exact.
    Scanned,
    /// From the planner's statistics (the query reads a window or a sample).
    Estimated(f64),
    /// Counted by its own slot.
    Counted,
}

/// One table's query.
#[derive(Debug, Clone)]
pub struct TableQuery {
    pub table: QualName,
    pub sql: String,
    pub params: Vec<Param>,
    pub rules: Vec<RuleCheck>,
    /// Which rows are read, in words.
    pub scope: String,
    /// Whether the scope is the whole table (so counts are exact).
    pub whole: bool,
    /// Whether findings may show values (`--no-examples` says no).
    pub examples: bool,
    slots: Vec<SlotKind>,
    row_count: RowCountSource,
}

/// Everything `check --data` will do, before it asks the server.
#[derive(Debug, Clone, Default)]
pub struct DataPlan {
    pub queries: Vec<TableQuery>,
    /// Rules that cannot run (ZG511).
    pub findings: Vec<Finding>,
    /// Rules settled without a query (enforced by the database) or that cannot run.
    pub tally: Tally,
}

/// The data side of a catalog finding, to be attached to it.
#[derive(Debug, Clone)]
pub struct Pair {
    pub rule: &'static str,
    pub object: String,
    pub evidence: DataEvidence,
    /// What the rows say, as a clause appended to the finding's message.
    pub clause: String,
}

/// What one table's result row says.
#[derive(Debug, Clone, Default)]
pub struct TableOutcome {
    pub findings: Vec<Finding>,
    pub pairs: Vec<Pair>,
    pub tally: Tally,
    pub rows_scanned: u64,
}

/// The tables whose sizes the plan needs (to decide on sampling, to estimate row counts):
/// those with rules, and those whose catalog findings may be counted in the rows (a NOT NULL
/// or foreign key the database lacks), in one catalog read.
pub fn tables_to_size(rules: &[DataRule], declared: &Schema, actual: &Schema) -> Vec<QualName> {
    let mut out: Vec<QualName> = rules
        .iter()
        .map(|r| r.table.clone())
        .chain(declared.tables.keys().cloned())
        .filter(|t| actual.tables.contains_key(t))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Rules per table, with the data side of catalog findings added; what cannot run becomes
/// a finding; one query per table for the rest.
pub fn plan(
    rules: &[DataRule],
    declared: &Schema,
    actual: &Schema,
    sizes: &HashMap<QualName, SizeFacts>,
    opts: &Options,
) -> DataPlan {
    let mut out = DataPlan::default();
    let mut by_table: BTreeMap<QualName, Vec<RuleCheck>> = BTreeMap::new();
    for r in rules {
        by_table
            .entry(r.table.clone())
            .or_default()
            .push(RuleCheck {
                table: r.table.clone(),
                column: r.column.clone(),
                kind: r.kind.clone(),
                loc: r.loc.clone(),
                paired: None,
                declared: true,
            });
    }
    add_catalog_pairs(&mut by_table, declared, actual);

    for (name, checks) in by_table {
        let Some(table) = actual.tables.get(&name) else {
            for c in checks.iter().filter(|c| c.declared) {
                out.tally.checked += 1;
                out.findings
                    .push(not_run(c, &format!("table {name} does not exist")));
            }
            continue;
        };
        let mut runnable = Vec::new();
        for c in checks {
            match runnable_reason(&c, table, actual) {
                Readiness::Run => runnable.push(c),
                Readiness::Enforced => {
                    out.tally.checked += 1;
                    out.tally.matched += 1;
                }
                Readiness::Cannot(why) => {
                    if c.declared {
                        out.tally.checked += 1;
                        out.findings.push(not_run(&c, &why));
                    }
                }
            }
        }
        if runnable.is_empty() {
            continue;
        }
        // Rows are named by their key in examples; a hypertable without one by its time.
        let pk = declared
            .tables
            .get(&name)
            .and_then(|t| t.primary_key.as_ref())
            .or(table.primary_key.as_ref())
            .map(|p| p.columns.clone())
            .or_else(|| {
                table
                    .hypertable
                    .as_ref()
                    .map(|h| vec![h.time_column.clone()])
            })
            .filter(|cols| cols.iter().all(|c| table.column(c).is_some()));
        out.queries.push(build_query(
            table,
            runnable,
            pk.as_deref(),
            sizes.get(&name).copied(),
            opts,
        ));
    }
    out
}

/// A NOT NULL or foreign key the contract declares and the database lacks: its rows are
/// counted too (null values, orphans), reported with the catalog finding.
fn add_catalog_pairs(
    by_table: &mut BTreeMap<QualName, Vec<RuleCheck>>,
    declared: &Schema,
    actual: &Schema,
) {
    for (name, d) in &declared.tables {
        let Some(a) = actual.tables.get(name) else {
            continue;
        };
        for dc in &d.columns {
            let Some(ac) = a.column(&dc.name) else {
                continue;
            };
            if dc.nullable || !ac.nullable {
                continue;
            }
            let object = name.child(&dc.name);
            let checks = by_table.entry(name.clone()).or_default();
            match checks.iter_mut().find(|c| {
                c.kind == DataRuleKind::NotNull && c.column.as_deref() == Some(dc.name.as_str())
            }) {
                Some(c) => c.paired = Some((rules::COLUMN_NULLABILITY_MISMATCH.code, object)),
                None => checks.push(RuleCheck {
                    table: name.clone(),
                    column: Some(dc.name.clone()),
                    kind: DataRuleKind::NotNull,
                    loc: dc.loc.clone(),
                    paired: Some((rules::COLUMN_NULLABILITY_MISMATCH.code, object)),
                    declared: false,
                }),
            }
        }
        for fk in &d.foreign_keys {
            if compare::find_foreign_key(a, fk).is_some()
                || !actual.tables.contains_key(&fk.ref_table)
            {
                continue;
            }
            let object = compare::foreign_key_object(d, fk);
            let checks = by_table.entry(name.clone()).or_default();
            match checks
                .iter_mut()
                .find(|c| matches!(&c.kind, DataRuleKind::NoOrphans(f) if f == fk))
            {
                Some(c) => c.paired = Some((rules::FOREIGN_KEY_MISSING.code, object)),
                None => checks.push(RuleCheck {
                    table: name.clone(),
                    column: None,
                    kind: DataRuleKind::NoOrphans(fk.clone()),
                    loc: fk.loc.clone(),
                    paired: Some((rules::FOREIGN_KEY_MISSING.code, object)),
                    declared: false,
                }),
            }
        }
    }
}

enum Readiness {
    Run,
    /// The database enforces the promise: nothing to count.
    Enforced,
    Cannot(String),
}

fn is_time_type(ty: &str) -> bool {
    ty.starts_with("timestamp") || ty == "date"
}

fn runnable_reason(c: &RuleCheck, table: &Table, actual: &Schema) -> Readiness {
    let column: Option<&Column> = match &c.column {
        Some(col) => match table.column(col) {
            Some(ac) => Some(ac),
            None => {
                return Readiness::Cannot(format!(
                    "column {} does not exist",
                    table.name.child(col)
                ));
            }
        },
        None => None,
    };
    let ty = column.map(|c| c.data_type.as_str()).unwrap_or("");
    match &c.kind {
        DataRuleKind::NotNull if column.is_some_and(|c| !c.nullable) => Readiness::Enforced,
        DataRuleKind::JsonType(_) if !matches!(ty, "json" | "jsonb") => Readiness::Cannot(format!(
            "json_type needs a json or jsonb column, and {} is {ty}",
            c.column.as_deref().unwrap_or_default()
        )),
        DataRuleKind::Range { .. } if !crate::normalize::types::is_numeric_type(ty) => {
            Readiness::Cannot(format!(
                "min/max compare numbers, and {} is {ty}",
                c.column.as_deref().unwrap_or_default()
            ))
        }
        DataRuleKind::Freshness { .. } if !is_time_type(ty) => Readiness::Cannot(format!(
            "freshness needs a timestamp or date column, and {} is {ty}",
            c.column.as_deref().unwrap_or_default()
        )),
        DataRuleKind::Unique
            if matches!(
                ty,
                "json" | "xml" | "point" | "line" | "lseg" | "box" | "path" | "polygon" | "circle"
            ) =>
        {
            Readiness::Cannot(format!(
                "unique needs values PostgreSQL can compare for equality, and {} is {ty}",
                c.column.as_deref().unwrap_or_default()
            ))
        }
        DataRuleKind::NoOrphans(fk) if fk.columns.len() != fk.ref_columns.len() => {
            Readiness::Cannot(format!(
                "the foreign key names {} column(s) and {} referenced column(s)",
                fk.columns.len(),
                fk.ref_columns.len()
            ))
        }
        DataRuleKind::NoOrphans(fk) => {
            if compare::find_foreign_key(table, fk).is_some() {
                Readiness::Enforced
            } else if !actual.tables.contains_key(&fk.ref_table) {
                Readiness::Cannot(format!("referenced table {} does not exist", fk.ref_table))
            } else if let Some(missing) = fk
                .columns
                .iter()
                .find(|col| table.column(col).is_none())
                .map(|col| table.name.child(col))
                .or_else(|| {
                    let rt = actual.tables.get(&fk.ref_table)?;
                    fk.ref_columns
                        .iter()
                        .find(|col| rt.column(col).is_none())
                        .map(|col| rt.name.child(col))
                })
            {
                Readiness::Cannot(format!("column {missing} does not exist"))
            } else {
                Readiness::Run
            }
        }
        _ => Readiness::Run,
    }
}

fn rule_of(kind: &DataRuleKind) -> &'static Rule {
    match kind {
        DataRuleKind::Pattern(_) => &rules::DATA_PATTERN,
        DataRuleKind::Range { .. } => &rules::DATA_OUT_OF_RANGE,
        DataRuleKind::In(_) => &rules::DATA_VALUE_NOT_ALLOWED,
        DataRuleKind::NotNull => &rules::DATA_NULL,
        DataRuleKind::Unique => &rules::DATA_DUPLICATE,
        DataRuleKind::MaxLength(_) => &rules::DATA_TOO_LONG,
        DataRuleKind::JsonType(_) => &rules::DATA_JSON_TYPE,
        DataRuleKind::Freshness { .. } => &rules::DATA_STALE,
        DataRuleKind::RowCount { .. } => &rules::DATA_ROW_COUNT,
        DataRuleKind::NoOrphans(_) => &rules::DATA_ORPHANS,
    }
}

/// The object a rule's finding names: the column, the foreign key, or the table.
fn object_of(c: &RuleCheck) -> String {
    match (&c.kind, &c.column) {
        (DataRuleKind::NoOrphans(fk), _) => c.table.child(
            fk.name
                .as_deref()
                .unwrap_or(&format!("{}_fkey", fk.columns.join("_"))),
        ),
        (_, Some(col)) => c.table.child(col),
        (_, None) => c.table.to_string(),
    }
}

fn not_run(c: &RuleCheck, why: &str) -> Finding {
    Finding::new(
        &rules::DATA_RULE_NOT_RUN,
        "data",
        object_of(c),
        format!(
            "data rule {} on {} was not run: {why}",
            c.kind.key(),
            object_of(c)
        ),
    )
    .actual(why)
    .at(c.loc.as_ref())
}

/// Always quoted: generated SQL never depends on which words are keywords.
fn q(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

fn qualified(t: &QualName) -> String {
    format!("{}.{}", q(&t.schema), q(&t.name))
}

/// Collects bind parameters and hands out their `$n`.
#[derive(Default)]
struct Params(Vec<Param>);

impl Params {
    fn text(&mut self, v: impl Into<String>) -> String {
        self.0.push(Param::Text(v.into()));
        format!("${}", self.0.len())
    }

    fn texts(&mut self, v: Vec<String>) -> String {
        self.0.push(Param::TextArray(v));
        format!("${}", self.0.len())
    }
}

fn build_query(
    table: &Table,
    rules: Vec<RuleCheck>,
    pk: Option<&[String]>,
    size: Option<SizeFacts>,
    opts: &Options,
) -> TableQuery {
    let mut p = Params::default();
    let from = qualified(&table.name);

    // Which rows: a window of a hypertable, a sample of a big plain table, or all.
    let window_col = table
        .hypertable
        .as_ref()
        .map(|h| h.time_column.as_str())
        .filter(|col| {
            table
                .column(col)
                .is_some_and(|c| is_time_type(&c.data_type))
        });
    let (source, scope, whole) = match (window_col, &opts.window, opts.sample_pct, size) {
        (Some(col), Some(w), _, _) => {
            let w_param = p.text(w.clone());
            (
                format!("{from} WHERE {} >= now() - {w_param}::interval", q(col)),
                format!("last {w}"),
                false,
            )
        }
        // A plain table, or a hypertable read without a window.
        (_, _, Some(pct), Some(s)) if s.bytes >= SAMPLE_MIN_BYTES => {
            let pct_param = p.text(format_pct(pct));
            (
                format!("{from} TABLESAMPLE SYSTEM ({pct_param}::float4)"),
                format!("{}% sample (TABLESAMPLE SYSTEM)", format_pct(pct)),
                false,
            )
        }
        _ => (from.clone(), "whole table".to_string(), true),
    };

    // Three layers: the rows read with one boolean per rule (and only the columns the
    // aggregates need), a running count of each rule's violations when examples are wanted,
    // then one aggregate row. Example values are converted to text in the aggregate, for the
    // few rows kept, not for every row.
    let mut preds = Vec::new();
    let mut needed: Vec<String> = Vec::new();
    let mut need = |col: String| {
        if !needed.contains(&col) {
            needed.push(col);
        }
    };
    let mut outer = vec!["count(*)::int8".to_string()];
    let mut slots = vec![SlotKind::Rows];
    let mut running = Vec::new();
    let mut row_count = RowCountSource::Scanned;

    for (i, c) in rules.iter().enumerate() {
        let colv = c.column.as_deref().map(q).unwrap_or_default();
        let text = format!("{colv}::text");
        let ty = c
            .column
            .as_deref()
            .and_then(|col| table.column(col))
            .map(|col| col.data_type.as_str())
            .unwrap_or("");
        let numeric = crate::normalize::types::is_numeric_type(ty);
        let predicate = match &c.kind {
            DataRuleKind::Pattern(re) => Some(format!("{text} !~ {}", p.text(re.clone()))),
            DataRuleKind::Range { min, max } => {
                // The bound is cast once and PostgreSQL compares in the column's type (a
                // float8 column is not converted to numeric row by row); a `real` is compared
                // as numeric, or a stored 1.1 would be 1.10000002 as float8 and break max 1.1.
                let value = if ty == "real" {
                    format!("{colv}::numeric")
                } else {
                    colv.clone()
                };
                let mut parts = Vec::new();
                if let Some(lo) = min {
                    parts.push(format!("{value} < {}::numeric", p.text(lo.to_string())));
                }
                if let Some(hi) = max {
                    parts.push(format!("{value} > {}::numeric", p.text(hi.to_string())));
                }
                Some(parts.join(" OR "))
            }
            // Numbers compare as numbers (1.00 is in [1, 2]); everything else as the text
            // PostgreSQL prints (enums, text, varchar).
            DataRuleKind::In(values) if numeric => Some(format!(
                "NOT ({colv} = ANY ({}::text[]::numeric[]))",
                p.texts(values.clone())
            )),
            DataRuleKind::In(values) => Some(format!(
                "NOT ({text} = ANY ({}::text[]))",
                p.texts(values.clone())
            )),
            DataRuleKind::NotNull => Some(format!("{colv} IS NULL")),
            DataRuleKind::MaxLength(n) => Some(format!(
                "char_length({text}) > {}::int8",
                p.text(n.to_string())
            )),
            DataRuleKind::JsonType(t) => Some(format!(
                "jsonb_typeof({colv}::jsonb) <> {}::text",
                p.text(t.clone())
            )),
            DataRuleKind::NoOrphans(fk) => {
                let cols: Vec<String> = fk.columns.iter().map(|c| q(c)).collect();
                let refs: Vec<String> = fk.ref_columns.iter().map(|c| q(c)).collect();
                let not_null = |cs: &[String]| {
                    cs.iter()
                        .map(|c| format!("{c} IS NOT NULL"))
                        .collect::<Vec<_>>()
                        .join(" AND ")
                };
                // `IN (subquery)` over the parent's keys: a hashed subplan, one read of the
                // parent, not a lookup per row.
                Some(format!(
                    "{} AND NOT (({}) IN (SELECT {} FROM {} WHERE {}))",
                    not_null(&cols),
                    cols.join(", "),
                    refs.join(", "),
                    qualified(&fk.ref_table),
                    not_null(&refs)
                ))
            }
            DataRuleKind::Unique => {
                need(colv.clone());
                outer.push(format!("(count({colv}) - count(DISTINCT {colv}))::int8"));
                slots.push(SlotKind::Count(i));
                None
            }
            DataRuleKind::Freshness { .. } => {
                let newest = |expr: &str| {
                    // Epoch arithmetic, not `now() - newest`: an 'infinity' value must not
                    // raise "interval out of range"; a timestamp without time zone is read
                    // as UTC, whatever the session's time zone.
                    format!(
                        "ARRAY[{expr}::text, (extract(epoch FROM now()) - extract(epoch FROM {expr}))::text]"
                    )
                };
                if whole {
                    need(colv.clone());
                    outer.push(newest(&format!("max({colv})")));
                } else {
                    // The newest row, wherever it is: on a hypertable the time index finds
                    // it in the newest chunk.
                    outer.push(format!(
                        "(SELECT {} FROM {from})",
                        newest(&format!("max({colv})"))
                    ));
                }
                slots.push(SlotKind::Freshness(i));
                None
            }
            DataRuleKind::RowCount { .. } => {
                if !whole {
                    match size.map(|s| s.estimated_rows) {
                        Some(n) if n >= 0.0 => row_count = RowCountSource::Estimated(n),
                        _ => {
                            // Never analysed: no estimate to give, so count.
                            outer.push(format!("(SELECT count(*) FROM {from})::int8"));
                            slots.push(SlotKind::RowCount(i));
                            row_count = RowCountSource::Counted;
                        }
                    }
                }
                None
            }
        };
        let Some(pred) = predicate else {
            continue;
        };
        preds.push(format!("coalesce(({pred}), false) AS zg_v{i}"));
        outer.push(format!("count(*) FILTER (WHERE zg_v{i})::int8"));
        slots.push(SlotKind::Count(i));
        if opts.examples > 0 {
            let example = match &c.kind {
                DataRuleKind::NotNull => key_text(pk),
                DataRuleKind::NoOrphans(fk) => key_text(Some(&fk.columns)),
                _ => format!("left({text}, {EXAMPLE_CHARS})"),
            };
            match &c.kind {
                DataRuleKind::NotNull => match pk {
                    Some(cols) if !cols.is_empty() => cols.iter().for_each(|c| need(q(c))),
                    _ => need("ctid AS zg_ctid".into()),
                },
                DataRuleKind::NoOrphans(fk) => fk.columns.iter().for_each(|c| need(q(c))),
                _ => need(colv.clone()),
            }
            running.push(format!("count(*) FILTER (WHERE zg_v{i}) OVER w AS zg_r{i}"));
            outer.push(format!(
                "(array_agg({example}) FILTER (WHERE zg_v{i} AND zg_r{i} <= {}))::text[]",
                opts.examples
            ));
            slots.push(SlotKind::Examples(i));
        }
    }
    let mut inner: Vec<String> = needed;
    inner.extend(preds);
    if inner.is_empty() {
        inner.push("1 AS zg_one".into());
    }
    let rows = format!("SELECT {} FROM {source}", inner.join(", "));
    // Examples in the same pass: a running count per rule (a window without ORDER BY needs
    // no sort) keeps the first N violations of each rule, so memory stays bounded however
    // many rows break it.
    let body = if running.is_empty() {
        rows
    } else {
        format!(
            "SELECT *, {} FROM ({rows}) r WINDOW w AS (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)",
            running.join(", ")
        )
    };
    let sql = format!("SELECT {} FROM ({body}) s", outer.join(", "));
    TableQuery {
        table: table.name.clone(),
        sql,
        params: p.0,
        rules,
        scope,
        whole,
        examples: opts.examples > 0,
        slots,
        row_count,
    }
}

/// `id=42, ts=...`: which rows, by their key (or their physical address without one).
fn key_text(cols: Option<&[String]>) -> String {
    match cols {
        Some(cols) if !cols.is_empty() => {
            let fmt: Vec<String> = cols
                .iter()
                .map(|c| format!("{}=%s", c.replace('%', "%%")))
                .collect();
            let args: Vec<String> = cols.iter().map(|c| q(c)).collect();
            // An E'' literal reads the same whatever standard_conforming_strings says.
            format!(
                "format(E'{}', {})",
                fmt.join(", ").replace('\\', "\\\\").replace('\'', "''"),
                args.join(", ")
            )
        }
        _ => "'ctid=' || zg_ctid::text".to_string(),
    }
}

fn format_pct(p: f64) -> String {
    let s = format!("{p}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// Thousands separated: counts a DBA reads at a glance.
fn n(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn age_words(secs: f64) -> String {
    let s = secs.max(0.0).round() as u64;
    let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{sec} s"),
        (0, 0, _) => format!("{m} min {sec} s"),
        (0, _, _) => format!("{h} h {m} min"),
        _ => format!("{d} d {h} h"),
    }
}

fn quoted_examples(examples: &[String]) -> String {
    examples
        .iter()
        .map(|e| format!("'{e}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why the result row could not be read (a programming error, or a server that answers
/// differently than asked): the table's rules did not run.
#[derive(Debug, thiserror::Error)]
#[error("unexpected result for the data rules of {table}: {message}")]
pub struct JudgeError {
    pub table: String,
    pub message: String,
}

/// The result row of a table's query, judged.
pub fn judge(q: &TableQuery, cells: &[Cell]) -> Result<TableOutcome, JudgeError> {
    let err = |message: String| JudgeError {
        table: q.table.to_string(),
        message,
    };
    if cells.len() != q.slots.len() {
        return Err(err(format!(
            "{} values, {} expected",
            cells.len(),
            q.slots.len()
        )));
    }
    let mut rows = 0u64;
    let mut counts: HashMap<usize, u64> = HashMap::new();
    let mut examples: HashMap<usize, Vec<String>> = HashMap::new();
    let mut freshness: HashMap<usize, (Option<String>, Option<f64>)> = HashMap::new();
    let mut counted: Option<u64> = None;
    for (slot, cell) in q.slots.iter().zip(cells) {
        match (slot, cell) {
            (SlotKind::Rows, Cell::Int(v)) => rows = v.unwrap_or(0).max(0) as u64,
            (SlotKind::Count(i), Cell::Int(v)) => {
                counts.insert(*i, v.unwrap_or(0).max(0) as u64);
            }
            (SlotKind::Examples(i), Cell::Texts(v)) => {
                examples.insert(*i, v.clone().unwrap_or_default());
            }
            (SlotKind::Freshness(i), Cell::Texts(v)) => {
                let v = v.clone().unwrap_or_default();
                let newest = v.first().cloned();
                let age = v.get(1).and_then(|a| a.parse::<f64>().ok());
                freshness.insert(*i, (newest, age));
            }
            (SlotKind::RowCount(_), Cell::Int(v)) => counted = Some(v.unwrap_or(0).max(0) as u64),
            (slot, cell) => return Err(err(format!("{cell:?} where {slot:?} was expected"))),
        }
    }

    let mut out = TableOutcome {
        rows_scanned: rows,
        ..Default::default()
    };
    for (i, c) in q.rules.iter().enumerate() {
        let object = object_of(c);
        let rule = rule_of(&c.kind);
        let (violations, what, expected): (u64, String, String) = match &c.kind {
            DataRuleKind::Freshness { max_age } => {
                let (newest, age) = freshness.get(&i).cloned().unwrap_or((None, None));
                let limit = parse_interval(max_age)
                    .map(|iv| iv.total_micros() as f64 / 1e6)
                    .unwrap_or(f64::INFINITY);
                let col = c.column.as_deref().unwrap_or_default();
                let stale = match age {
                    Some(a) => a > limit,
                    None => true,
                };
                if c.declared {
                    out.tally.checked += 1;
                    if !stale {
                        out.tally.matched += 1;
                    }
                }
                if stale {
                    let actual = match (&newest, age) {
                        (Some(t), Some(a)) => format!("newest {t} ({} old)", age_words(a)),
                        _ => "no rows".to_string(),
                    };
                    // What is judged is one row, the newest.
                    let mut ev = DataEvidence::new("freshness", 1, 1, &q.scope);
                    if q.examples {
                        ev.examples = newest.into_iter().collect();
                    }
                    let mut f = Finding::new(
                        rule,
                        "data",
                        &object,
                        format!(
                            "{} is stale: {actual}, the contract allows {max_age} (column {col})",
                            q.table
                        ),
                    )
                    .expected(format!("newest {col} within {max_age}"))
                    .actual(actual)
                    .at(c.loc.as_ref());
                    f.data = Some(ev);
                    out.findings.push(f);
                }
                continue;
            }
            DataRuleKind::RowCount { min, max } => {
                let (count, how) = match (q.row_count, counted) {
                    (RowCountSource::Scanned, _) => (rows, String::new()),
                    (RowCountSource::Counted, Some(c)) => (c, String::new()),
                    (RowCountSource::Estimated(e), _) => (
                        e.round() as u64,
                        " (estimate from the planner's statistics)".into(),
                    ),
                    (RowCountSource::Counted, None) => (0, " (not counted)".into()),
                };
                let low = min.is_some_and(|m| count < m);
                let high = max.is_some_and(|m| count > m);
                if c.declared {
                    out.tally.checked += 1;
                    if !low && !high {
                        out.tally.matched += 1;
                    }
                }
                if low || high {
                    let bounds = match (min, max) {
                        (Some(lo), Some(hi)) => format!("between {} and {}", n(*lo), n(*hi)),
                        (Some(lo), None) => format!("at least {}", n(*lo)),
                        (None, Some(hi)) => format!("at most {}", n(*hi)),
                        (None, None) => String::new(),
                    };
                    let ev = DataEvidence::new("row_count", 0, count, &q.scope);
                    let mut f = Finding::new(
                        rule,
                        "data",
                        &object,
                        format!(
                            "{} has {} rows{how}, the contract says {bounds}",
                            q.table,
                            n(count)
                        ),
                    )
                    .expected(bounds)
                    .actual(format!("{} rows{how}", n(count)))
                    .at(c.loc.as_ref());
                    f.data = Some(ev);
                    out.findings.push(f);
                }
                continue;
            }
            DataRuleKind::Pattern(re) => (
                counts.get(&i).copied().unwrap_or(0),
                format!("do not match the pattern `{re}`"),
                format!("every value matches `{re}`"),
            ),
            DataRuleKind::Range { min, max } => {
                let bounds = match (min, max) {
                    (Some(lo), Some(hi)) => format!("within [{lo}, {hi}]"),
                    (Some(lo), None) => format!(">= {lo}"),
                    (None, Some(hi)) => format!("<= {hi}"),
                    (None, None) => String::new(),
                };
                (
                    counts.get(&i).copied().unwrap_or(0),
                    format!("are not {bounds}"),
                    format!("every value {bounds}"),
                )
            }
            DataRuleKind::In(values) => (
                counts.get(&i).copied().unwrap_or(0),
                format!("hold a value outside [{}]", values.join(", ")),
                format!("one of [{}]", values.join(", ")),
            ),
            DataRuleKind::NotNull => (
                counts.get(&i).copied().unwrap_or(0),
                "are NULL".to_string(),
                "no NULL".to_string(),
            ),
            DataRuleKind::Unique => (
                counts.get(&i).copied().unwrap_or(0),
                "repeat a value of an earlier row".to_string(),
                "every value once".to_string(),
            ),
            DataRuleKind::MaxLength(m) => (
                counts.get(&i).copied().unwrap_or(0),
                format!("are longer than {m} characters"),
                format!("at most {m} characters"),
            ),
            DataRuleKind::JsonType(t) => (
                counts.get(&i).copied().unwrap_or(0),
                format!("are JSON of another type than {t}"),
                format!("JSON {t}"),
            ),
            DataRuleKind::NoOrphans(fk) => (
                counts.get(&i).copied().unwrap_or(0),
                format!(
                    "are orphans: their ({}) names no row of {}({})",
                    fk.columns.join(", "),
                    fk.ref_table,
                    fk.ref_columns.join(", ")
                ),
                "no orphan".to_string(),
            ),
        };
        if c.declared {
            out.tally.checked += 1;
            if violations == 0 {
                out.tally.matched += 1;
            }
        }
        let mut ev = DataEvidence::new(c.kind.key(), violations, rows, &q.scope);
        ev.examples = examples.get(&i).cloned().unwrap_or_default();
        let share = ev.share_pct;
        let eg = if ev.examples.is_empty() {
            String::new()
        } else {
            format!(", e.g. {}", quoted_examples(&ev.examples))
        };
        if let Some((code, catalog_object)) = &c.paired {
            // The catalog finding gets the rows' side.
            let clause = if violations == 0 {
                let would = if q.whole {
                    match &c.kind {
                        DataRuleKind::NotNull => ", so SET NOT NULL would succeed",
                        _ => ", so the foreign key can be added",
                    }
                } else {
                    ""
                };
                format!(
                    "in the data ({}): none of {} rows {what}{would}",
                    q.scope,
                    n(rows)
                )
            } else {
                format!(
                    "in the data ({}): {} of {} rows ({share}%) {what}{eg}",
                    q.scope,
                    n(violations),
                    n(rows)
                )
            };
            out.pairs.push(Pair {
                rule: code,
                object: catalog_object.clone(),
                evidence: ev.clone(),
                clause,
            });
            // A rule the contract states is judged on its own as well: a waiver of the
            // catalog finding (the constraint is missing on purpose) must not hide rows
            // that break the promise.
            if !c.declared {
                continue;
            }
        }
        if violations == 0 {
            continue;
        }
        let mut f = Finding::new(
            rule,
            "data",
            &object,
            format!(
                "{object}: {} of {} rows read ({share}%, {}) {what}{eg}",
                n(violations),
                n(rows),
                q.scope
            ),
        )
        .expected(expected)
        .actual(format!("{} rows ({share}%)", n(violations)))
        .at(c.loc.as_ref());
        f.data = Some(ev);
        out.findings.push(f);
    }
    Ok(out)
}

/// Attaches the rows' side to the catalog findings they belong with. A pair whose catalog
/// finding is not there (waived, or the schema check did not report it) becomes nothing.
pub fn attach(findings: &mut [Finding], pairs: Vec<Pair>) {
    for p in pairs {
        if let Some(f) = findings
            .iter_mut()
            .find(|f| f.rule == p.rule && f.object == p.object && f.data.is_none())
        {
            f.message = format!("{}; {}", f.message, p.clause);
            f.data = Some(p.evidence);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Hypertable;

    fn col(name: &str, ty: &str, nullable: bool) -> Column {
        Column {
            name: name.into(),
            data_type: ty.into(),
            nullable,
            ..Default::default()
        }
    }

    fn table(hyper: bool) -> Table {
        Table {
            name: QualName::new("public", "t"),
            columns: vec![
                col("id", "bigint", false),
                col("code", "text", true),
                col("ts", "timestamp with time zone", false),
                col("attrs", "jsonb", true),
            ],
            hypertable: hyper.then(|| Hypertable {
                time_column: "ts".into(),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn rule(column: Option<&str>, kind: DataRuleKind) -> DataRule {
        DataRule {
            table: QualName::new("public", "t"),
            column: column.map(str::to_string),
            kind,
            loc: None,
        }
    }

    fn schema(t: Table) -> Schema {
        let mut s = Schema::default();
        s.tables.insert(t.name.clone(), t);
        s
    }

    fn opts() -> Options {
        Options {
            window: Some("1 day".into()),
            sample_pct: Some(5.0),
            examples: 3,
        }
    }

    #[test]
    fn one_query_per_table_with_every_rule_and_bind_parameters() {
        let rules = vec![
            rule(Some("code"), DataRuleKind::Pattern("^[A-Z]+$".into())),
            rule(Some("code"), DataRuleKind::MaxLength(4)),
            rule(Some("attrs"), DataRuleKind::JsonType("object".into())),
            rule(Some("code"), DataRuleKind::Unique),
        ];
        let s = schema(table(false));
        let p = plan(&rules, &s, &s, &HashMap::new(), &opts());
        assert_eq!(p.queries.len(), 1);
        let q = &p.queries[0];
        assert_eq!(q.scope, "whole table");
        // The pattern travels as a parameter, never spliced into the text.
        assert!(!q.sql.contains("^[A-Z]+$"), "{}", q.sql);
        assert_eq!(q.params[0], Param::Text("^[A-Z]+$".into()));
        assert!(q.sql.contains("FROM \"public\".\"t\""), "{}", q.sql);
        assert!(q.sql.contains("count(DISTINCT \"code\")"), "{}", q.sql);
        assert!(q.sql.contains("OVER w"), "{}", q.sql);
    }

    #[test]
    fn hypertables_read_a_window_and_big_tables_a_sample() {
        let rules = vec![rule(Some("code"), DataRuleKind::NotNull)];
        let s = schema(table(true));
        let q = &plan(&rules, &s, &s, &HashMap::new(), &opts()).queries[0];
        assert_eq!(q.scope, "last 1 day");
        assert!(
            q.sql.contains("WHERE \"ts\" >= now() - $1::interval"),
            "{}",
            q.sql
        );

        let s = schema(table(false));
        let mut sizes = HashMap::new();
        sizes.insert(
            QualName::new("public", "t"),
            SizeFacts {
                bytes: SAMPLE_MIN_BYTES,
                estimated_rows: 1e6,
            },
        );
        let q = &plan(&rules, &s, &s, &sizes, &opts()).queries[0];
        assert_eq!(q.scope, "5% sample (TABLESAMPLE SYSTEM)");
        assert!(
            q.sql.contains("TABLESAMPLE SYSTEM ($1::float4)"),
            "{}",
            q.sql
        );
        sizes.insert(
            QualName::new("public", "t"),
            SizeFacts {
                bytes: 8192,
                estimated_rows: 10.0,
            },
        );
        let q = &plan(&rules, &s, &s, &sizes, &opts()).queries[0];
        assert_eq!(q.scope, "whole table");
    }

    #[test]
    fn enforced_and_impossible_rules_need_no_query() {
        let rules = vec![
            rule(Some("id"), DataRuleKind::NotNull), // NOT NULL in the database
            rule(Some("nope"), DataRuleKind::NotNull),
            rule(Some("code"), DataRuleKind::JsonType("object".into())),
        ];
        let s = schema(table(false));
        let p = plan(&rules, &s, &s, &HashMap::new(), &opts());
        assert!(p.queries.is_empty());
        assert_eq!(
            p.tally,
            Tally {
                checked: 3,
                matched: 1
            }
        );
        let codes: Vec<&str> = p.findings.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(codes, ["ZG511", "ZG511"]);
    }

    #[test]
    fn judged_counts_share_and_examples() {
        let rules = vec![rule(Some("code"), DataRuleKind::Pattern("^A$".into()))];
        let s = schema(table(false));
        let q = &plan(&rules, &s, &s, &HashMap::new(), &opts()).queries[0];
        let out = judge(
            q,
            &[
                Cell::Int(Some(400)),
                Cell::Int(Some(3)),
                Cell::Texts(Some(vec!["b".into(), "c".into(), "d".into()])),
            ],
        )
        .expect("judged");
        assert_eq!(
            out.tally,
            Tally {
                checked: 1,
                matched: 0
            }
        );
        let f = &out.findings[0];
        assert_eq!(f.rule, "ZG501");
        assert_eq!(
            f.message,
            "public.t.code: 3 of 400 rows read (0.75%, whole table) do not match the pattern `^A$`, e.g. 'b', 'c', 'd'"
        );
        let ev = f.data.as_ref().expect("evidence");
        assert_eq!(
            (ev.violations, ev.rows_scanned, ev.share_pct),
            (3, 400, 0.75)
        );
        assert!(judge(q, &[Cell::Int(Some(1))]).is_err());
    }

    #[test]
    fn a_not_null_the_database_lacks_is_counted_with_its_catalog_finding() {
        let mut declared = table(false);
        declared.columns[1].nullable = false;
        let actual = table(false);
        let p = plan(
            &[],
            &schema(declared),
            &schema(actual),
            &HashMap::new(),
            &opts(),
        );
        let q = &p.queries[0];
        let out = judge(
            q,
            &[Cell::Int(Some(10)), Cell::Int(Some(0)), Cell::Texts(None)],
        )
        .expect("judged");
        assert!(out.findings.is_empty());
        assert_eq!(out.tally, Tally::default());
        let mut findings = vec![Finding::new(
            &rules::COLUMN_NULLABILITY_MISMATCH,
            "column",
            "public.t.code",
            "column public.t.code is NULL, the contract says NOT NULL",
        )];
        attach(&mut findings, out.pairs);
        assert_eq!(
            findings[0].message,
            "column public.t.code is NULL, the contract says NOT NULL; in the data (whole table): none of 10 rows are NULL, so SET NOT NULL would succeed"
        );
    }

    #[test]
    fn numbers_compare_as_numbers() {
        let mut t = table(false);
        t.columns.push(col("price", "numeric(10,2)", true));
        t.columns.push(col("ratio", "real", true));
        let rules = vec![
            rule(
                Some("price"),
                DataRuleKind::In(vec!["1".into(), "2".into()]),
            ),
            rule(
                Some("ratio"),
                DataRuleKind::Range {
                    min: None,
                    max: Some(1.1),
                },
            ),
            rule(Some("attrs"), DataRuleKind::Unique),
        ];
        let s = schema(t);
        let p = plan(&rules, &s, &s, &HashMap::new(), &opts());
        let q = &p.queries[0];
        assert!(
            q.sql.contains("\"price\" = ANY ($1::text[]::numeric[])"),
            "{}",
            q.sql
        );
        assert!(
            q.sql.contains("\"ratio\"::numeric > $2::numeric"),
            "{}",
            q.sql
        );
        // jsonb has equality, json would not: the rule runs.
        assert!(q.sql.contains("count(DISTINCT \"attrs\")"), "{}", q.sql);
    }

    #[test]
    fn numbers_and_ages_in_words() {
        assert_eq!(n(1_234_567), "1,234,567");
        assert_eq!(n(12), "12");
        assert_eq!(age_words(3725.0), "1 h 2 min");
        assert_eq!(age_words(90_000.0), "1 d 1 h");
        assert_eq!(format_pct(5.0), "5");
        assert_eq!(format_pct(0.5), "0.5");
    }
}
