//! The one comparison: (declared, actual) → findings, plus how many properties were checked
//! and matched. No I/O.

use std::collections::HashSet;

use crate::finding::{Finding, Severity};
use crate::model::{
    Column, ContinuousAggregate, Expectations, Hypertable, Index, IndexColumn, Location,
    PolicyLevel, QualName, Schema, ServerInfo, Table,
};
use crate::normalize::expr::{Equivalence, compare_exprs};
use crate::normalize::interval::parse_duration;
use crate::normalize::types::types_equal;
use crate::rules::{self, Check, Rule};

/// Properties compared and matched, for `compliance_pct`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    pub checked: u64,
    pub matched: u64,
}

impl Tally {
    pub fn add(&mut self, other: Tally) {
        self.checked += other.checked;
        self.matched += other.matched;
    }
}

#[derive(Debug, Clone, Default)]
pub struct Comparison {
    pub findings: Vec<Finding>,
    pub schema: Tally,
    pub timescale: Tally,
}

struct Cmp<'a> {
    exp: &'a Expectations,
    out: Comparison,
}

/// Outcome of comparing two expressions.
enum ExprOutcome {
    Equal,
    Different,
    Unknown(String),
}

impl<'a> Cmp<'a> {
    fn tally(&mut self, check: Check, ok: bool) {
        let t = match check {
            Check::Timescale => &mut self.out.timescale,
            _ => &mut self.out.schema,
        };
        t.checked += 1;
        if ok {
            t.matched += 1;
        }
    }

    /// Records one compared property; pushes the finding when it did not match.
    fn prop(&mut self, rule: &Rule, ok: bool, finding: impl FnOnce() -> Finding) -> bool {
        self.tally(rule.check, ok);
        if !ok {
            self.out.findings.push(finding());
        }
        ok
    }

    fn push(&mut self, f: Finding) {
        self.out.findings.push(f);
    }

    /// An undeclared object, reported at the policy's level (and not counted when ignored).
    fn undeclared(&mut self, rule: &Rule, level: PolicyLevel, f: Finding) {
        if let Some(sev) = Severity::from_policy(level) {
            self.tally(rule.check, false);
            self.out.findings.push(f.severity(sev));
        }
    }

    fn expr(&self, declared: &str, actual: &str) -> ExprOutcome {
        match compare_exprs(declared, actual) {
            Equivalence::Equal => ExprOutcome::Equal,
            Equivalence::Different { .. } => ExprOutcome::Different,
            Equivalence::Unknown { reason } => ExprOutcome::Unknown(reason),
        }
    }

    /// Compares two expressions: a mismatch finding, or a "could not compare" one.
    #[allow(clippy::too_many_arguments)]
    fn expr_prop(
        &mut self,
        rule: &Rule,
        kind: &str,
        object: &str,
        what: &str,
        declared: &str,
        actual: &str,
        loc: Option<&Location>,
    ) {
        match self.expr(declared, actual) {
            ExprOutcome::Equal => self.tally(rule.check, true),
            ExprOutcome::Different => {
                self.prop(rule, false, || {
                    Finding::new(
                        rule,
                        kind,
                        object,
                        format!("{what} of {object} is `{actual}`, the contract says `{declared}`"),
                    )
                    .expected(declared)
                    .actual(actual)
                    .at(loc)
                });
            }
            ExprOutcome::Unknown(reason) => {
                self.tally(rule.check, false);
                self.push(
                    Finding::new(
                        &rules::EXPRESSION_NOT_COMPARABLE,
                        kind,
                        object,
                        format!("{what} of {object} could not be compared ({reason}); database has `{actual}`"),
                    )
                    .expected(declared)
                    .actual(actual)
                    .at(loc),
                );
            }
        }
    }
}

/// Interval equality with PostgreSQL's semantics; `None` when either side does not parse.
pub fn intervals_equal(a: &str, b: &str) -> Option<bool> {
    use crate::normalize::interval::PgDuration;
    match (parse_duration(a), parse_duration(b)) {
        // A bare integer for a time-typed dimension is microseconds, as create_hypertable reads it.
        (Ok(PgDuration::Integer(n)), Ok(PgDuration::Interval(i)))
        | (Ok(PgDuration::Interval(i)), Ok(PgDuration::Integer(n))) => {
            Some(i128::from(n) == i.total_micros())
        }
        (Ok(x), Ok(y)) => Some(x == y),
        _ => None,
    }
}

fn same_interval(a: &str, b: &str) -> bool {
    intervals_equal(a, b).unwrap_or_else(|| a.trim().eq_ignore_ascii_case(b.trim()))
}

/// From how many declared tables `compare` uses a second thread.
const PARALLEL_TABLES: usize = 512;

/// Declared tables against the live ones, into a comparison of their own.
fn compare_tables(
    exp: &Expectations,
    live: &Schema,
    info: &ServerInfo,
    timescale_read: bool,
    tables: &[&Table],
) -> Comparison {
    let mut c = Cmp {
        exp,
        out: Comparison::default(),
    };
    for t in tables {
        match live.tables.get(&t.name) {
            None => {
                let also_view = live.views.contains_key(&t.name);
                c.prop(&rules::TABLE_MISSING, false, || {
                    Finding::new(
                        &rules::TABLE_MISSING,
                        "table",
                        t.name.to_string(),
                        if also_view {
                            format!("table {} is a view in the database", t.name)
                        } else {
                            format!("table {} does not exist", t.name)
                        },
                    )
                    .expected("table")
                    .actual(if also_view { "view" } else { "missing" })
                    .at(t.loc.as_ref())
                });
            }
            Some(a) => {
                c.tally(Check::Schema, true);
                table(&mut c, t, a, timescale_read, info);
            }
        }
    }
    c.out
}

pub fn compare(
    exp: &Expectations,
    live: &Schema,
    info: &ServerInfo,
    timescale_read: bool,
) -> Comparison {
    let mut c = Cmp {
        exp,
        out: Comparison::default(),
    };
    timescale_requirements(&mut c, info);
    let declared = &exp.schema;
    // Tables compare independently. On a large contract set two threads halve what is the
    // run's last single-threaded step (the server and the contract loader are done by then);
    // findings keep the declared order.
    let tables: Vec<&Table> = declared.tables.values().collect();
    let per_thread = if tables.len() >= PARALLEL_TABLES {
        tables.len().div_ceil(2)
    } else {
        tables.len().max(1)
    };
    let parts: Vec<Comparison> = std::thread::scope(|s| {
        let mut chunks = tables.chunks(per_thread);
        let first = chunks.next().unwrap_or(&[]);
        let others: Vec<_> = chunks
            .map(|chunk| s.spawn(move || compare_tables(exp, live, info, timescale_read, chunk)))
            .collect();
        let mut parts = vec![compare_tables(exp, live, info, timescale_read, first)];
        for h in others {
            match h.join() {
                Ok(part) => parts.push(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        parts
    });
    for part in parts {
        c.out.findings.extend(part.findings);
        c.out.schema.add(part.schema);
        c.out.timescale.add(part.timescale);
    }
    for v in declared.views.values() {
        match live.views.get(&v.name) {
            None => {
                c.prop(&rules::VIEW_MISSING, false, || {
                    Finding::new(
                        &rules::VIEW_MISSING,
                        "view",
                        v.name.to_string(),
                        format!("view {} does not exist", v.name),
                    )
                    .expected("view")
                    .actual("missing")
                    .at(v.loc.as_ref())
                });
            }
            Some(a) => {
                c.tally(Check::Schema, true);
                if let (Some(dc), Some(ac)) = (&v.columns, &a.columns) {
                    c.prop(&rules::VIEW_COLUMNS_MISMATCH, dc == ac, || {
                        Finding::new(
                            &rules::VIEW_COLUMNS_MISMATCH,
                            "view",
                            v.name.to_string(),
                            format!(
                                "view {} has columns ({}), the contract says ({})",
                                v.name,
                                ac.join(", "),
                                dc.join(", ")
                            ),
                        )
                        .expected(dc.join(", "))
                        .actual(ac.join(", "))
                        .at(v.loc.as_ref())
                    });
                }
            }
        }
    }
    for e in declared.enums.values() {
        match live.enums.get(&e.name) {
            None => {
                c.prop(&rules::ENUM_MISSING, false, || {
                    Finding::new(
                        &rules::ENUM_MISSING,
                        "enum",
                        e.name.to_string(),
                        format!("enum type {} does not exist", e.name),
                    )
                    .expected(e.values.join(", "))
                    .actual("missing")
                    .at(e.loc.as_ref())
                });
            }
            Some(a) => {
                c.tally(Check::Schema, true);
                c.prop(&rules::ENUM_VALUES_MISMATCH, a.values == e.values, || {
                    Finding::new(
                        &rules::ENUM_VALUES_MISMATCH,
                        "enum",
                        e.name.to_string(),
                        format!(
                            "enum {} has values [{}], the contract says [{}]",
                            e.name,
                            a.values.join(", "),
                            e.values.join(", ")
                        ),
                    )
                    .expected(e.values.join(", "))
                    .actual(a.values.join(", "))
                    .at(e.loc.as_ref())
                });
            }
        }
    }
    for cagg in declared.caggs.values() {
        continuous_aggregate(&mut c, cagg, live, timescale_read, info);
    }
    migrations(&mut c, live);
    undeclared_objects(&mut c, live);
    c.out
}

fn timescale_requirements(c: &mut Cmp, info: &ServerInfo) {
    let needs_ts = c.exp.timescaledb.is_some()
        || !c.exp.schema.caggs.is_empty()
        || c.exp.schema.tables.values().any(|t| t.hypertable.is_some());
    if !needs_ts {
        return;
    }
    let loc = c.exp.timescaledb.as_ref().and_then(|r| r.loc.clone());
    let Some(version) = &info.timescaledb_version else {
        c.prop(&rules::TIMESCALEDB_MISSING, false, || {
            Finding::new(
                &rules::TIMESCALEDB_MISSING,
                "extension",
                "timescaledb",
                "the contracts need TimescaleDB but the extension is not installed in this database",
            )
            .expected(c.exp.timescaledb.as_ref().map(|r| r.requirement.clone()).unwrap_or_else(|| "installed".into()))
            .actual("not installed")
            .at(loc.as_ref())
        });
        return;
    };
    c.tally(Check::Timescale, true);
    if let Some(req) = &c.exp.timescaledb {
        let ok = version_satisfies(version, &req.requirement).unwrap_or(false);
        c.prop(&rules::TIMESCALEDB_VERSION_UNSATISFIED, ok, || {
            Finding::new(
                &rules::TIMESCALEDB_VERSION_UNSATISFIED,
                "extension",
                "timescaledb",
                format!(
                    "TimescaleDB {version} does not satisfy `{}`",
                    req.requirement
                ),
            )
            .expected(&req.requirement)
            .actual(version)
            .at(req.loc.as_ref())
        });
    }
}

/// Pre-release builds (`2.23.0-dev`) are judged by their release number.
pub fn version_satisfies(version: &str, requirement: &str) -> Option<bool> {
    let req = semver::VersionReq::parse(requirement).ok()?;
    let core: String = version
        .split(['-', '+'])
        .next()
        .unwrap_or(version)
        .to_string();
    let mut parts: Vec<&str> = core.split('.').collect();
    while parts.len() < 3 {
        parts.push("0");
    }
    let v = semver::Version::parse(&parts[..3].join(".")).ok()?;
    Some(req.matches(&v))
}

fn table(c: &mut Cmp, t: &Table, a: &Table, timescale_read: bool, info: &ServerInfo) {
    for col in &t.columns {
        let object = t.name.child(&col.name);
        match a.column(&col.name) {
            None => {
                c.prop(&rules::COLUMN_MISSING, false, || {
                    Finding::new(
                        &rules::COLUMN_MISSING,
                        "column",
                        &object,
                        format!("column {object} does not exist"),
                    )
                    .expected(&col.data_type)
                    .actual("missing")
                    .at(col.loc.as_ref())
                });
            }
            Some(ac) => {
                c.tally(Check::Schema, true);
                column(c, &t.name.schema, &object, col, ac);
            }
        }
    }
    let policy = c.exp.policy;
    for ac in &a.columns {
        if t.column(&ac.name).is_none() {
            let object = t.name.child(&ac.name);
            c.undeclared(
                &rules::COLUMN_UNDECLARED,
                policy.undeclared_columns,
                Finding::new(
                    &rules::COLUMN_UNDECLARED,
                    "column",
                    &object,
                    format!(
                        "column {object} ({}) is not declared in the contract",
                        ac.data_type
                    ),
                )
                .expected("not present")
                .actual(&ac.data_type)
                .at(t.loc.as_ref()),
            );
        }
    }
    keys(c, t, a);
    indexes(c, t, a);
    hypertable(c, t, a, timescale_read, info);
    if let Some(dc) = &t.comment {
        let ac = a.comment.clone().unwrap_or_default();
        c.prop(&rules::COMMENT_MISMATCH, dc.trim() == ac.trim(), || {
            Finding::new(
                &rules::COMMENT_MISMATCH,
                "table",
                t.name.to_string(),
                format!(
                    "comment on table {} is \"{ac}\", the contract says \"{dc}\"",
                    t.name
                ),
            )
            .expected(dc)
            .actual(&ac)
            .at(t.loc.as_ref())
        });
    }
}

/// `format_type` qualifies a type outside the search path; a type in the table's own
/// schema is the one an unqualified contract name means.
fn strip_own_schema(ty: &str, schema: &str) -> String {
    for prefix in [format!("{schema}."), format!("\"{schema}\".")] {
        if let Some(rest) = ty.strip_prefix(&prefix) {
            return rest.to_string();
        }
    }
    ty.to_string()
}

fn column(c: &mut Cmp, schema: &str, object: &str, d: &Column, a: &Column) {
    let loc = d.loc.as_ref();
    let same_type = types_equal(&d.data_type, &a.data_type)
        || types_equal(
            &strip_own_schema(&d.data_type, schema),
            &strip_own_schema(&a.data_type, schema),
        );
    c.prop(&rules::COLUMN_TYPE_MISMATCH, same_type, || {
        Finding::new(
            &rules::COLUMN_TYPE_MISMATCH,
            "column",
            object,
            format!(
                "column {object} is {}, the contract says {}",
                a.data_type, d.data_type
            ),
        )
        .expected(&d.data_type)
        .actual(&a.data_type)
        .at(loc)
    });
    let null_word = |n: bool| if n { "NULL" } else { "NOT NULL" };
    c.prop(
        &rules::COLUMN_NULLABILITY_MISMATCH,
        d.nullable == a.nullable,
        || {
            Finding::new(
                &rules::COLUMN_NULLABILITY_MISMATCH,
                "column",
                object,
                format!(
                    "column {object} is {}, the contract says {}",
                    null_word(a.nullable),
                    null_word(d.nullable)
                ),
            )
            .expected(null_word(d.nullable))
            .actual(null_word(a.nullable))
            .at(loc)
        },
    );
    // serial / identity
    let ident_word = |col: &Column| match (col.serial, col.identity) {
        (true, _) => "serial (owned sequence default)".to_string(),
        (false, Some(i)) => format!("identity {i}"),
        (false, None) => "none".to_string(),
    };
    let same_ident = d.serial == a.serial && d.identity == a.identity;
    c.prop(&rules::COLUMN_IDENTITY_MISMATCH, same_ident, || {
        Finding::new(
            &rules::COLUMN_IDENTITY_MISMATCH,
            "column",
            object,
            format!(
                "column {object} has {}, the contract says {}",
                ident_word(a),
                ident_word(d)
            ),
        )
        .expected(ident_word(d))
        .actual(ident_word(a))
        .at(loc)
    });
    match (&d.default, &a.default) {
        (None, None) => c.tally(Check::Schema, true),
        (Some(dd), Some(ad)) => c.expr_prop(
            &rules::COLUMN_DEFAULT_MISMATCH,
            "column",
            object,
            "default",
            dd,
            ad,
            loc,
        ),
        (dd, ad) => {
            let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "no default".into());
            c.prop(&rules::COLUMN_DEFAULT_MISMATCH, false, || {
                Finding::new(
                    &rules::COLUMN_DEFAULT_MISMATCH,
                    "column",
                    object,
                    format!(
                        "column {object} has {}, the contract says {}",
                        show(ad),
                        show(dd)
                    ),
                )
                .expected(show(dd))
                .actual(show(ad))
                .at(loc)
            });
        }
    }
    match (&d.generated, &a.generated) {
        (None, None) => {}
        (Some(dg), Some(ag)) => c.expr_prop(
            &rules::COLUMN_GENERATED_MISMATCH,
            "column",
            object,
            "generation expression",
            dg,
            ag,
            loc,
        ),
        (dg, ag) => {
            let show = |v: &Option<String>| {
                v.clone()
                    .map(|g| format!("GENERATED ALWAYS AS ({g})"))
                    .unwrap_or_else(|| "not generated".into())
            };
            c.prop(&rules::COLUMN_GENERATED_MISMATCH, false, || {
                Finding::new(
                    &rules::COLUMN_GENERATED_MISMATCH,
                    "column",
                    object,
                    format!(
                        "column {object} is {}, the contract says {}",
                        show(ag),
                        show(dg)
                    ),
                )
                .expected(show(dg))
                .actual(show(ag))
                .at(loc)
            });
        }
    }
    if let Some(dc) = &d.comment {
        let ac = a.comment.clone().unwrap_or_default();
        c.prop(&rules::COMMENT_MISMATCH, dc.trim() == ac.trim(), || {
            Finding::new(
                &rules::COMMENT_MISMATCH,
                "column",
                object,
                format!("comment on column {object} is \"{ac}\", the contract says \"{dc}\""),
            )
            .expected(dc)
            .actual(&ac)
            .at(loc)
        });
    }
}

fn keys(c: &mut Cmp, t: &Table, a: &Table) {
    // Primary key: DDL semantics, so an undeclared key is drift too.
    let show = |k: &Option<crate::model::PrimaryKey>| match k {
        Some(k) => format!("({})", k.columns.join(", ")),
        None => "none".to_string(),
    };
    if t.primary_key.is_some() || a.primary_key.is_some() {
        let ok = t.primary_key.as_ref().map(|k| &k.columns)
            == a.primary_key.as_ref().map(|k| &k.columns);
        let object = match &a.primary_key {
            Some(k) => t.name.child(k.name.as_deref().unwrap_or("pkey")),
            None => t.name.child(&format!("{}_pkey", t.name.name)),
        };
        let loc = t
            .primary_key
            .as_ref()
            .and_then(|k| k.loc.as_ref())
            .or(t.loc.as_ref());
        c.prop(&rules::PRIMARY_KEY_MISMATCH, ok, || {
            Finding::new(
                &rules::PRIMARY_KEY_MISMATCH,
                "constraint",
                object,
                format!(
                    "primary key of {} is {}, the contract says {}",
                    t.name,
                    show(&a.primary_key),
                    show(&t.primary_key)
                ),
            )
            .expected(show(&t.primary_key))
            .actual(show(&a.primary_key))
            .at(loc)
        });
    }

    let fk_text = |f: &crate::model::ForeignKey| {
        format!(
            "({}) REFERENCES {}({}) ON DELETE {} ON UPDATE {}",
            f.columns.join(", "),
            f.ref_table,
            f.ref_columns.join(", "),
            f.on_delete,
            f.on_update
        )
    };
    let mut used_fk = HashSet::new();
    for d in &t.foreign_keys {
        let found = find_foreign_key(a, d);
        let object = foreign_key_object(t, d);
        match found {
            None => {
                c.prop(&rules::FOREIGN_KEY_MISSING, false, || {
                    Finding::new(
                        &rules::FOREIGN_KEY_MISSING,
                        "constraint",
                        &object,
                        format!("foreign key {object} {} does not exist", fk_text(d)),
                    )
                    .expected(fk_text(d))
                    .actual("missing")
                    .at(d.loc.as_ref())
                });
            }
            Some(i) => {
                used_fk.insert(i);
                let af = &a.foreign_keys[i];
                c.tally(Check::Schema, true);
                let ok = af.columns == d.columns
                    && af.ref_table == d.ref_table
                    && af.ref_columns == d.ref_columns
                    && af.on_delete == d.on_delete
                    && af.on_update == d.on_update;
                let object = t.name.child(af.name.as_deref().unwrap_or_default());
                c.prop(&rules::FOREIGN_KEY_MISMATCH, ok, || {
                    Finding::new(
                        &rules::FOREIGN_KEY_MISMATCH,
                        "constraint",
                        &object,
                        format!(
                            "foreign key {object} is {}, the contract says {}",
                            fk_text(af),
                            fk_text(d)
                        ),
                    )
                    .expected(fk_text(d))
                    .actual(fk_text(af))
                    .at(d.loc.as_ref())
                });
            }
        }
    }
    for (i, af) in a.foreign_keys.iter().enumerate() {
        if !used_fk.contains(&i) {
            let object = t.name.child(af.name.as_deref().unwrap_or_default());
            c.tally(Check::Schema, false);
            c.push(
                Finding::new(
                    &rules::CONSTRAINT_UNDECLARED,
                    "constraint",
                    &object,
                    format!("foreign key {object} {} is not declared", fk_text(af)),
                )
                .expected("not present")
                .actual(fk_text(af))
                .at(t.loc.as_ref()),
            );
        }
    }

    let mut used_u = HashSet::new();
    for d in &t.uniques {
        let found = a
            .uniques
            .iter()
            .position(|u| u.name == d.name)
            .or_else(|| a.uniques.iter().position(|u| u.columns == d.columns));
        let object = t.name.child(d.name.as_deref().unwrap_or_default());
        match found {
            None => {
                c.prop(&rules::UNIQUE_CONSTRAINT_MISSING, false, || {
                    Finding::new(
                        &rules::UNIQUE_CONSTRAINT_MISSING,
                        "constraint",
                        &object,
                        format!(
                            "unique constraint {object} UNIQUE ({}) does not exist",
                            d.columns.join(", ")
                        ),
                    )
                    .expected(format!("UNIQUE ({})", d.columns.join(", ")))
                    .actual("missing")
                    .at(d.loc.as_ref())
                });
            }
            Some(i) => {
                used_u.insert(i);
                c.tally(Check::Schema, true);
                let au = &a.uniques[i];
                c.prop(&rules::UNIQUE_CONSTRAINT_MISMATCH, au.columns == d.columns, || {
                    Finding::new(
                        &rules::UNIQUE_CONSTRAINT_MISMATCH,
                        "constraint",
                        &object,
                        format!("unique constraint {object} is UNIQUE ({}), the contract says UNIQUE ({})", au.columns.join(", "), d.columns.join(", ")),
                    )
                    .expected(format!("UNIQUE ({})", d.columns.join(", ")))
                    .actual(format!("UNIQUE ({})", au.columns.join(", ")))
                    .at(d.loc.as_ref())
                });
            }
        }
    }
    for (i, au) in a.uniques.iter().enumerate() {
        if !used_u.contains(&i) {
            let object = t.name.child(au.name.as_deref().unwrap_or_default());
            c.tally(Check::Schema, false);
            c.push(
                Finding::new(
                    &rules::CONSTRAINT_UNDECLARED,
                    "constraint",
                    &object,
                    format!(
                        "unique constraint {object} UNIQUE ({}) is not declared",
                        au.columns.join(", ")
                    ),
                )
                .expected("not present")
                .actual(format!("UNIQUE ({})", au.columns.join(", ")))
                .at(t.loc.as_ref()),
            );
        }
    }

    let mut used_c = HashSet::new();
    for d in &t.checks {
        let by_name = a.checks.iter().position(|k| k.name == d.name);
        let found = by_name.or_else(|| {
            a.checks.iter().enumerate().position(|(i, k)| {
                !used_c.contains(&i)
                    && matches!(compare_exprs(&d.expr, &k.expr), Equivalence::Equal)
            })
        });
        let object = t.name.child(d.name.as_deref().unwrap_or_default());
        match found {
            None => {
                c.prop(&rules::CHECK_CONSTRAINT_MISSING, false, || {
                    Finding::new(
                        &rules::CHECK_CONSTRAINT_MISSING,
                        "constraint",
                        &object,
                        format!(
                            "check constraint {object} CHECK ({}) does not exist",
                            d.expr
                        ),
                    )
                    .expected(format!("CHECK ({})", d.expr))
                    .actual("missing")
                    .at(d.loc.as_ref())
                });
            }
            Some(i) => {
                used_c.insert(i);
                c.tally(Check::Schema, true);
                let ak = a.checks[i].expr.clone();
                c.expr_prop(
                    &rules::CHECK_CONSTRAINT_MISMATCH,
                    "constraint",
                    &object,
                    "check constraint",
                    &d.expr,
                    &ak,
                    d.loc.as_ref(),
                );
            }
        }
    }
    for (i, ak) in a.checks.iter().enumerate() {
        if !used_c.contains(&i) {
            let object = t.name.child(ak.name.as_deref().unwrap_or_default());
            c.tally(Check::Schema, false);
            c.push(
                Finding::new(
                    &rules::CONSTRAINT_UNDECLARED,
                    "constraint",
                    &object,
                    format!("check constraint {object} {} is not declared", ak.expr),
                )
                .expected("not present")
                .actual(&ak.expr)
                .at(t.loc.as_ref()),
            );
        }
    }
}

fn index_text(i: &Index) -> String {
    let mut s = format!(
        "{}USING {} ({})",
        if i.unique { "UNIQUE " } else { "" },
        i.method,
        i.columns
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !i.include.is_empty() {
        s.push_str(&format!(" INCLUDE ({})", i.include.join(", ")));
    }
    if let Some(p) = &i.predicate {
        s.push_str(&format!(" WHERE {p}"));
    }
    s
}

/// Index column equality; `None` when an expression could not be compared.
pub(crate) fn index_column_eq(d: &IndexColumn, a: &IndexColumn) -> Result<bool, String> {
    let same_order = d.descending == a.descending
        && d.effective_nulls_first() == a.effective_nulls_first()
        && d.opclass == a.opclass;
    if d.expr == a.expr {
        return Ok(same_order);
    }
    match compare_exprs(&d.expr, &a.expr) {
        Equivalence::Equal => Ok(same_order),
        Equivalence::Different { .. } => Ok(false),
        Equivalence::Unknown { reason } => Err(reason),
    }
}

/// Indexes create_hypertable/add_dimension make by themselves: implied by `hypertable:`.
fn is_default_hypertable_index(t: &Table, a: &Index) -> bool {
    let Some(h) = &t.hypertable else { return false };
    let time = &h.time_column;
    let plain = format!("{}_{}_idx", t.name.name, time);
    if a.name == plain && a.columns.len() == 1 && a.columns[0].expr == *time {
        return true;
    }
    if let Some(p) = &h.partitioning {
        let space = format!("{}_{}_{}_idx", t.name.name, p.column, time);
        if a.name == space
            && a.columns.len() == 2
            && a.columns[0].expr == p.column
            && a.columns[1].expr == *time
        {
            return true;
        }
    }
    false
}

fn indexes(c: &mut Cmp, t: &Table, a: &Table) {
    for d in &t.indexes {
        let object = t.name.child(&d.name);
        let Some(ai) = a.indexes.iter().find(|i| i.name == d.name) else {
            c.prop(&rules::INDEX_MISSING, false, || {
                Finding::new(
                    &rules::INDEX_MISSING,
                    "index",
                    &object,
                    format!("index {object} {} does not exist", index_text(d)),
                )
                .expected(index_text(d))
                .actual("missing")
                .at(d.loc.as_ref())
            });
            continue;
        };
        c.tally(Check::Schema, true);
        let mut ok = d.method == ai.method
            && d.unique == ai.unique
            && d.include == ai.include
            && d.columns.len() == ai.columns.len();
        let mut unknown = None;
        if ok {
            for (dc, ac) in d.columns.iter().zip(&ai.columns) {
                match index_column_eq(dc, ac) {
                    Ok(true) => {}
                    Ok(false) => ok = false,
                    Err(reason) => unknown = Some(reason),
                }
            }
        }
        if ok {
            match (&d.predicate, &ai.predicate) {
                (None, None) => {}
                (Some(dp), Some(ap)) => match c.expr(dp, ap) {
                    ExprOutcome::Equal => {}
                    ExprOutcome::Different => ok = false,
                    ExprOutcome::Unknown(r) => unknown = Some(r),
                },
                _ => ok = false,
            }
        }
        if ok && let Some(reason) = unknown {
            c.tally(Check::Schema, false);
            c.push(
                Finding::new(
                    &rules::EXPRESSION_NOT_COMPARABLE,
                    "index",
                    &object,
                    format!(
                        "index {object} could not be compared ({reason}); database has {}",
                        index_text(ai)
                    ),
                )
                .expected(index_text(d))
                .actual(index_text(ai))
                .at(d.loc.as_ref()),
            );
            continue;
        }
        c.prop(&rules::INDEX_MISMATCH, ok, || {
            Finding::new(
                &rules::INDEX_MISMATCH,
                "index",
                &object,
                format!(
                    "index {object} is {}, the contract says {}",
                    index_text(ai),
                    index_text(d)
                ),
            )
            .expected(index_text(d))
            .actual(index_text(ai))
            .at(d.loc.as_ref())
        });
    }
    let policy = c.exp.policy;
    for ai in &a.indexes {
        if ai.constraint_backed
            || t.indexes.iter().any(|d| d.name == ai.name)
            || is_default_hypertable_index(t, ai)
        {
            continue;
        }
        let object = t.name.child(&ai.name);
        c.undeclared(
            &rules::INDEX_UNDECLARED,
            policy.undeclared_indexes,
            Finding::new(
                &rules::INDEX_UNDECLARED,
                "index",
                &object,
                format!("index {object} {} is not declared", index_text(ai)),
            )
            .expected("not present")
            .actual(index_text(ai))
            .at(t.loc.as_ref()),
        );
    }
}

fn hypertable(c: &mut Cmp, t: &Table, a: &Table, timescale_read: bool, info: &ServerInfo) {
    let object = t.name.to_string();
    match (&t.hypertable, &a.hypertable) {
        (None, None) => {}
        (Some(d), None) => {
            // Without TimescaleDB there is one finding (ZG213) for the whole run.
            if info.timescaledb_version.is_some() || timescale_read {
                c.prop(&rules::HYPERTABLE_MISSING, false, || {
                    Finding::new(
                        &rules::HYPERTABLE_MISSING,
                        "hypertable",
                        &object,
                        format!("table {object} is not a hypertable"),
                    )
                    .expected(format!("hypertable on {}", d.time_column))
                    .actual("plain table")
                    .at(d.loc.as_ref())
                });
            }
        }
        (None, Some(ah)) => {
            c.prop(&rules::HYPERTABLE_UNDECLARED, false, || {
                Finding::new(
                    &rules::HYPERTABLE_UNDECLARED,
                    "hypertable",
                    &object,
                    format!(
                        "table {object} is a hypertable on {}, the contract declares a plain table",
                        ah.time_column
                    ),
                )
                .expected("plain table")
                .actual(format!("hypertable on {}", ah.time_column))
                .at(t.loc.as_ref())
            });
        }
        (Some(d), Some(ah)) => {
            c.tally(Check::Timescale, true);
            hypertable_props(c, &object, d, ah);
        }
    }
}

fn hypertable_props(c: &mut Cmp, object: &str, d: &Hypertable, a: &Hypertable) {
    let loc = d.loc.as_ref();
    c.prop(
        &rules::TIME_DIMENSION_MISMATCH,
        d.time_column == a.time_column,
        || {
            Finding::new(
                &rules::TIME_DIMENSION_MISMATCH,
                "hypertable",
                object,
                format!(
                    "hypertable {object} is partitioned on {}, the contract says {}",
                    a.time_column, d.time_column
                ),
            )
            .expected(&d.time_column)
            .actual(&a.time_column)
            .at(loc)
        },
    );
    if let Some(di) = &d.chunk_interval {
        let ai = a.chunk_interval.clone().unwrap_or_else(|| "unknown".into());
        c.prop(
            &rules::CHUNK_INTERVAL_MISMATCH,
            same_interval(di, &ai),
            || {
                Finding::new(
                    &rules::CHUNK_INTERVAL_MISMATCH,
                    "hypertable",
                    object,
                    format!("hypertable {object} has chunk interval {ai}, the contract says {di}"),
                )
                .expected(di)
                .actual(&ai)
                .at(loc)
            },
        );
    }
    let show_part = |p: &Option<crate::model::SpacePartition>| match p {
        Some(p) => match p.partitions {
            Some(n) => format!("{} ({n} partitions)", p.column),
            None => p.column.clone(),
        },
        None => "none".to_string(),
    };
    let part_ok = match (&d.partitioning, &a.partitioning) {
        (None, None) => true,
        (Some(dp), Some(ap)) => {
            dp.column == ap.column && (dp.partitions.is_none() || dp.partitions == ap.partitions)
        }
        _ => false,
    };
    if d.partitioning.is_some() || a.partitioning.is_some() {
        c.prop(&rules::SPACE_PARTITIONING_MISMATCH, part_ok, || {
            Finding::new(
                &rules::SPACE_PARTITIONING_MISMATCH,
                "hypertable",
                object,
                format!(
                    "hypertable {object} has space partitioning {}, the contract says {}",
                    show_part(&a.partitioning),
                    show_part(&d.partitioning)
                ),
            )
            .expected(show_part(&d.partitioning))
            .actual(show_part(&a.partitioning))
            .at(loc)
        });
    }
    compression(c, object, d, a);
    let dret = d.retention.as_ref().map(|r| r.drop_after.clone());
    let aret = a.retention.as_ref().map(|r| r.drop_after.clone());
    let rloc = d.retention.as_ref().and_then(|r| r.loc.as_ref()).or(loc);
    policy_interval(
        c,
        &rules::RETENTION_POLICY_MISMATCH,
        "hypertable",
        object,
        "retention policy (drop_after)",
        dret,
        aret,
        rloc,
    );
}

#[allow(clippy::too_many_arguments)]
fn policy_interval(
    c: &mut Cmp,
    rule: &Rule,
    kind: &str,
    object: &str,
    what: &str,
    declared: Option<String>,
    actual: Option<String>,
    loc: Option<&Location>,
) {
    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
    let ok = match (&declared, &actual) {
        (None, None) => return,
        (Some(d), Some(a)) => same_interval(d, a),
        _ => false,
    };
    c.prop(rule, ok, || {
        Finding::new(
            rule,
            kind,
            object,
            format!(
                "{what} of {object} is {}, the contract says {}",
                show(&actual),
                show(&declared)
            ),
        )
        .expected(show(&declared))
        .actual(show(&actual))
        .at(loc)
    });
}

fn compression(c: &mut Cmp, object: &str, d: &Hypertable, a: &Hypertable) {
    let loc = d
        .compression
        .as_ref()
        .and_then(|x| x.loc.as_ref())
        .or(d.loc.as_ref());
    match (&d.compression, &a.compression) {
        (None, None) => {}
        (Some(_), None) => {
            c.prop(&rules::COMPRESSION_MISMATCH, false, || {
                Finding::new(
                    &rules::COMPRESSION_MISMATCH,
                    "hypertable",
                    object,
                    format!("compression is not enabled on hypertable {object}"),
                )
                .expected("compression enabled")
                .actual("compression disabled")
                .at(loc)
            });
        }
        (None, Some(ac)) => {
            c.prop(&rules::COMPRESSION_MISMATCH, false, || {
                Finding::new(
                    &rules::COMPRESSION_MISMATCH,
                    "hypertable",
                    object,
                    format!("compression is enabled on hypertable {object}, the contract does not declare it"),
                )
                .expected("compression not declared")
                .actual(format!("segment_by [{}]", ac.segment_by.join(", ")))
                .at(loc)
            });
            let aafter = ac.after.clone();
            policy_interval(
                c,
                &rules::COMPRESSION_POLICY_MISMATCH,
                "hypertable",
                object,
                "compression policy (compress_after)",
                None,
                aafter,
                loc,
            );
        }
        (Some(dc), Some(ac)) => {
            c.tally(Check::Timescale, true);
            c.prop(
                &rules::COMPRESSION_MISMATCH,
                dc.segment_by == ac.segment_by,
                || {
                    Finding::new(
                        &rules::COMPRESSION_MISMATCH,
                        "hypertable",
                        object,
                        format!(
                            "compression of {object} segments by [{}], the contract says [{}]",
                            ac.segment_by.join(", "),
                            dc.segment_by.join(", ")
                        ),
                    )
                    .expected(format!("segment_by [{}]", dc.segment_by.join(", ")))
                    .actual(format!("segment_by [{}]", ac.segment_by.join(", ")))
                    .at(loc)
                },
            );
            if let Some(dob) = &dc.order_by {
                let aob = ac.order_by.clone().unwrap_or_default();
                let show = |v: &[crate::model::OrderItem]| {
                    v.iter()
                        .map(|o| o.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let ok = dob.len() == aob.len()
                    && dob.iter().zip(&aob).all(|(x, y)| {
                        x.column == y.column
                            && x.descending == y.descending
                            && x.nulls_first.unwrap_or(x.descending)
                                == y.nulls_first.unwrap_or(y.descending)
                    });
                c.prop(&rules::COMPRESSION_MISMATCH, ok, || {
                    Finding::new(
                        &rules::COMPRESSION_MISMATCH,
                        "hypertable",
                        object,
                        format!(
                            "compression of {object} orders by [{}], the contract says [{}]",
                            show(&aob),
                            show(dob)
                        ),
                    )
                    .expected(format!("order_by [{}]", show(dob)))
                    .actual(format!("order_by [{}]", show(&aob)))
                    .at(loc)
                });
            }
            policy_interval(
                c,
                &rules::COMPRESSION_POLICY_MISMATCH,
                "hypertable",
                object,
                "compression policy (compress_after)",
                dc.after.clone(),
                ac.after.clone(),
                loc,
            );
        }
    }
}

fn continuous_aggregate(
    c: &mut Cmp,
    d: &ContinuousAggregate,
    live: &Schema,
    timescale_read: bool,
    info: &ServerInfo,
) {
    let object = d.name.to_string();
    let loc = d.loc.as_ref();
    let Some(a) = live.caggs.get(&d.name) else {
        if info.timescaledb_version.is_none() && !timescale_read {
            return; // reported once as timescaledb-missing
        }
        let what = if live.views.contains_key(&d.name) {
            "is a plain view, not a continuous aggregate"
        } else {
            "does not exist"
        };
        c.prop(&rules::CAGG_MISSING, false, || {
            Finding::new(
                &rules::CAGG_MISSING,
                "continuous_aggregate",
                &object,
                format!("continuous aggregate {object} {what}"),
            )
            .expected("continuous aggregate")
            .actual("missing")
            .at(loc)
        });
        return;
    };
    c.tally(Check::Timescale, true);
    if let Some(ds) = &d.source {
        let asrc = a
            .source
            .as_ref()
            .map(|s| s.to_string())
            .unwrap_or_else(|| "unknown".into());
        c.prop(&rules::CAGG_MISMATCH, a.source.as_ref() == Some(ds), || {
            Finding::new(
                &rules::CAGG_MISMATCH,
                "continuous_aggregate",
                &object,
                format!("continuous aggregate {object} is built on {asrc}, the contract says {ds}"),
            )
            .expected(format!("source {ds}"))
            .actual(format!("source {asrc}"))
            .at(loc)
        });
    }
    if let Some(db) = &d.bucket {
        let ab = a.bucket.clone().unwrap_or_else(|| "unknown".into());
        c.prop(&rules::CAGG_MISMATCH, same_interval(db, &ab), || {
            Finding::new(
                &rules::CAGG_MISMATCH,
                "continuous_aggregate",
                &object,
                format!("continuous aggregate {object} buckets by {ab}, the contract says {db}"),
            )
            .expected(format!("bucket {db}"))
            .actual(format!("bucket {ab}"))
            .at(loc)
        });
    }
    if let Some(dm) = d.materialized_only {
        let am = a.materialized_only.unwrap_or(false);
        c.prop(&rules::CAGG_MISMATCH, dm == am, || {
            Finding::new(
                &rules::CAGG_MISMATCH,
                "continuous_aggregate",
                &object,
                format!("continuous aggregate {object} has materialized_only = {am}, the contract says {dm}"),
            )
            .expected(format!("materialized_only {dm}"))
            .actual(format!("materialized_only {am}"))
            .at(loc)
        });
    }
    match (&d.refresh, &a.refresh) {
        (None, None) => {}
        (Some(_), None) => {
            c.prop(&rules::CAGG_REFRESH_POLICY_MISMATCH, false, || {
                Finding::new(
                    &rules::CAGG_REFRESH_POLICY_MISMATCH,
                    "continuous_aggregate",
                    &object,
                    format!("continuous aggregate {object} has no refresh policy"),
                )
                .expected("refresh policy")
                .actual("none")
                .at(loc)
            });
        }
        (None, Some(_)) => {
            c.prop(&rules::CAGG_REFRESH_POLICY_MISMATCH, false, || {
                Finding::new(
                    &rules::CAGG_REFRESH_POLICY_MISMATCH,
                    "continuous_aggregate",
                    &object,
                    format!("continuous aggregate {object} has a refresh policy the contract does not declare"),
                )
                .expected("no refresh policy")
                .actual("refresh policy")
                .at(loc)
            });
        }
        (Some(dr), Some(ar)) => {
            for (what, dv, av) in [
                ("start_offset", &dr.start_offset, &ar.start_offset),
                ("end_offset", &dr.end_offset, &ar.end_offset),
                (
                    "schedule_interval",
                    &dr.schedule_interval,
                    &ar.schedule_interval,
                ),
            ] {
                let Some(dv) = dv else { continue };
                let show = av.clone().unwrap_or_else(|| "unbounded".into());
                let ok = av.as_ref().is_some_and(|av| same_interval(dv, av));
                c.prop(&rules::CAGG_REFRESH_POLICY_MISMATCH, ok, || {
                    Finding::new(
                        &rules::CAGG_REFRESH_POLICY_MISMATCH,
                        "continuous_aggregate",
                        &object,
                        format!(
                            "refresh policy of {object} has {what} {show}, the contract says {dv}"
                        ),
                    )
                    .expected(format!("{what} {dv}"))
                    .actual(format!("{what} {show}"))
                    .at(loc)
                });
            }
        }
    }
    let dret = d.retention.as_ref().map(|r| r.drop_after.clone());
    let aret = a.retention.as_ref().map(|r| r.drop_after.clone());
    policy_interval(
        c,
        &rules::RETENTION_POLICY_MISMATCH,
        "continuous_aggregate",
        &object,
        "retention policy (drop_after)",
        dret,
        aret,
        loc,
    );
}

fn migrations(c: &mut Cmp, live: &Schema) {
    for d in &c.exp.schema.migrations.clone() {
        let expect = d.expect.clone().unwrap_or_default();
        let object = d.table.to_string();
        let a = live.migrations.iter().find(|m| m.table == d.table);
        let (ok, actual, why) = match a {
            None => (false, "not read".to_string(), "was not read".to_string()),
            Some(m) if !m.found => (
                false,
                "missing".to_string(),
                format!(
                    "table {} or its column {} does not exist",
                    d.table, d.version_column
                ),
            ),
            Some(m) => match &m.applied {
                None => (
                    false,
                    "empty".to_string(),
                    format!("table {} has no applied version", d.table),
                ),
                Some(v) => (
                    versions_equal(v, &expect),
                    v.clone(),
                    format!("database is at version {v}"),
                ),
            },
        };
        c.prop(&rules::MIGRATION_VERSION_MISMATCH, ok, || {
            Finding::new(
                &rules::MIGRATION_VERSION_MISMATCH,
                "migration",
                &object,
                format!("migration version: the contract expects {expect}, {why}"),
            )
            .expected(&expect)
            .actual(&actual)
            .at(d.loc.as_ref())
        });
    }
}

fn versions_equal(a: &str, b: &str) -> bool {
    match (
        semver::Version::parse(a.trim()),
        semver::Version::parse(b.trim()),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => a.trim() == b.trim(),
    }
}

fn undeclared_objects(c: &mut Cmp, live: &Schema) {
    let declared = &c.exp.schema;
    let policy = c.exp.policy;
    let migration_tables: HashSet<&QualName> =
        declared.migrations.iter().map(|m| &m.table).collect();
    for (qn, t) in &live.tables {
        if declared.tables.contains_key(qn) || migration_tables.contains(qn) {
            continue;
        }
        let kind = if t.hypertable.is_some() {
            "hypertable"
        } else {
            "table"
        };
        c.undeclared(
            &rules::TABLE_UNDECLARED,
            policy.undeclared_tables,
            Finding::new(
                &rules::TABLE_UNDECLARED,
                "table",
                qn.to_string(),
                format!("{kind} {qn} exists but is not declared in the contracts"),
            )
            .expected("not present")
            .actual(kind),
        );
    }
    for qn in live.views.keys() {
        if declared.views.contains_key(qn)
            || declared.caggs.contains_key(qn)
            || declared.tables.contains_key(qn)
        {
            continue;
        }
        c.undeclared(
            &rules::VIEW_UNDECLARED,
            policy.undeclared_tables,
            Finding::new(
                &rules::VIEW_UNDECLARED,
                "view",
                qn.to_string(),
                format!("view {qn} exists but is not declared in the contracts"),
            )
            .expected("not present")
            .actual("view"),
        );
    }
    for qn in live.caggs.keys() {
        if declared.caggs.contains_key(qn) || declared.views.contains_key(qn) {
            continue;
        }
        c.undeclared(
            &rules::CAGG_UNDECLARED,
            policy.undeclared_tables,
            Finding::new(
                &rules::CAGG_UNDECLARED,
                "continuous_aggregate",
                qn.to_string(),
                format!("continuous aggregate {qn} exists but is not declared in the contracts"),
            )
            .expected("not present")
            .actual("continuous aggregate"),
        );
    }
    for (qn, e) in &live.enums {
        if declared.enums.contains_key(qn) {
            continue;
        }
        // Enum types are documentation-level: at most info.
        let level = policy.undeclared_tables.min(PolicyLevel::Info);
        c.undeclared(
            &rules::ENUM_UNDECLARED,
            level,
            Finding::new(
                &rules::ENUM_UNDECLARED,
                "enum",
                qn.to_string(),
                format!("enum type {qn} exists but is not declared in the contracts"),
            )
            .expected("not present")
            .actual(e.values.join(", ")),
        );
    }
}

/// The live foreign key a declared one is: the same name, else the same columns and
/// referenced table.
pub fn find_foreign_key(actual: &Table, d: &crate::model::ForeignKey) -> Option<usize> {
    actual
        .foreign_keys
        .iter()
        .position(|f| d.name.is_some() && f.name == d.name)
        .or_else(|| {
            actual
                .foreign_keys
                .iter()
                .position(|f| f.columns == d.columns && f.ref_table == d.ref_table)
        })
}

/// The object a declared foreign key's findings name.
pub fn foreign_key_object(t: &Table, d: &crate::model::ForeignKey) -> String {
    t.name.child(
        d.name
            .as_deref()
            .unwrap_or(&format!("{}_fkey", d.columns.join("_"))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prerelease_versions_satisfy_by_release_number() {
        assert_eq!(version_satisfies("2.23.0-dev", ">=2.13"), Some(true));
        assert_eq!(version_satisfies("2.11.2", ">=2.13"), Some(false));
        assert_eq!(version_satisfies("2.14", ">=2.13"), Some(true));
    }

    #[test]
    fn intervals_compare_as_postgresql_does() {
        assert_eq!(intervals_equal("72 hours", "3 days"), Some(true));
        assert_eq!(intervals_equal("1 week", "7 days"), Some(true));
        assert_eq!(intervals_equal("1 hour", "01:00:00"), Some(true));
        assert_eq!(intervals_equal("86400000000", "1 day"), Some(true));
        assert_eq!(intervals_equal("1 day", "2 days"), Some(false));
        assert_eq!(intervals_equal("soon", "1 day"), None);
    }

    /// Above PARALLEL_TABLES the tables are compared on two threads: the findings and the
    /// tallies must be those of one pass over all of them, in declared order.
    #[test]
    fn large_sets_compare_as_one_pass() {
        let table = |i: usize, ty: &str| Table {
            name: QualName::new("public".to_string(), format!("t_{i:04}")),
            columns: vec![Column {
                name: "id".into(),
                data_type: ty.into(),
                nullable: true,
                ..Default::default()
            }],
            ..Default::default()
        };
        let n = PARALLEL_TABLES + 100;
        let mut exp = Expectations::default();
        let mut live = Schema::default();
        for i in 0..n {
            let declared = table(i, "integer");
            exp.schema.tables.insert(declared.name.clone(), declared);
            // Every 97th table differs, one of them in each half.
            let actual = table(i, if i % 97 == 0 { "bigint" } else { "integer" });
            live.tables.insert(actual.name.clone(), actual);
        }
        let info = ServerInfo::default();
        let both = compare(&exp, &live, &info, false);
        let all: Vec<&Table> = exp.schema.tables.values().collect();
        let one = compare_tables(&exp, &live, &info, false, &all);
        let objects = |c: &Comparison| -> Vec<String> {
            c.findings.iter().map(|f| f.object.clone()).collect()
        };
        assert_eq!(both.findings.len(), n.div_ceil(97));
        assert_eq!(objects(&both), objects(&one));
        assert!(objects(&both).windows(2).all(|w| w[0] < w[1]));
        assert_eq!(both.schema, one.schema);
        assert!(both.schema.checked > n as u64);
    }

    #[test]
    fn versions_compare_semantically() {
        assert!(versions_equal("1.0.0", " 1.0.0"));
        assert!(!versions_equal("1.0.0", "1.1.0"));
        assert!(versions_equal("20240101_01", "20240101_01"));
    }
}
