//! Contract checks that need no database: what TimescaleDB or PostgreSQL would refuse, and
//! references to objects the contracts do not declare. Works on the model only.

use crate::finding::Finding;
use crate::model::{Expectations, Table};
use crate::normalize::interval::{PgDuration, parse_duration};
use crate::rules;

pub fn lint(exp: &Expectations) -> Vec<Finding> {
    let mut out = Vec::new();
    let schema = &exp.schema;
    for t in schema.tables.values() {
        unknown_types(exp, t, &mut out);
        hypertable_keys(t, &mut out);
        column_references(t, &mut out);
        for fk in &t.foreign_keys {
            match schema.tables.get(&fk.ref_table) {
                None => out.push(
                    Finding::new(
                        &rules::UNDECLARED_REFERENCE,
                        "foreign_key",
                        t.name.child(&fk.columns.join(",")),
                        format!(
                            "foreign key of {} references {}, which the contracts do not declare",
                            t.name, fk.ref_table
                        ),
                    )
                    .expected(format!("a declared table {}", fk.ref_table))
                    .at(fk.loc.as_ref()),
                ),
                Some(target) => {
                    for c in &fk.ref_columns {
                        if target.column(c).is_none() {
                            out.push(
                                Finding::new(
                                    &rules::UNDECLARED_REFERENCE,
                                    "foreign_key",
                                    t.name.child(&fk.columns.join(",")),
                                    format!(
                                        "foreign key of {} references column {}, which {} does not declare",
                                        t.name,
                                        fk.ref_table.child(c),
                                        fk.ref_table
                                    ),
                                )
                                .at(fk.loc.as_ref()),
                            );
                        }
                    }
                }
            }
        }
        if let Some(h) = &t.hypertable
            && let (Some(c), Some(r)) = (
                h.compression.as_ref().and_then(|c| c.after.as_ref()),
                &h.retention,
            )
            && let (Ok(PgDuration::Interval(ca)), Ok(PgDuration::Interval(ra))) =
                (parse_duration(c), parse_duration(&r.drop_after))
            && ca >= ra
        {
            out.push(
                            Finding::new(
                                &rules::COMPRESSION_AFTER_RETENTION,
                                "hypertable",
                                t.name.to_string(),
                                format!(
                                    "hypertable {} compresses after {c} but retention drops data after {}: nothing would be compressed",
                                    t.name, r.drop_after
                                ),
                            )
                            .expected(format!("compression.after < {}", r.drop_after))
                            .actual(c)
                            .at(h.compression.as_ref().and_then(|c| c.loc.as_ref())),
                        );
        }
    }
    for cagg in schema.caggs.values() {
        let Some(src) = &cagg.source else { continue };
        match schema.tables.get(src) {
            Some(t) if t.hypertable.is_none() => out.push(
                Finding::new(
                    &rules::CAGG_SOURCE_NOT_HYPERTABLE,
                    "continuous_aggregate",
                    cagg.name.to_string(),
                    format!(
                        "continuous aggregate {} is built on {}, which is not declared as a hypertable",
                        cagg.name, src
                    ),
                )
                .at(cagg.loc.as_ref()),
            ),
            Some(_) => {}
            None if schema.caggs.contains_key(src) => {} // hierarchical cagg
            None => out.push(
                Finding::new(
                    &rules::UNDECLARED_REFERENCE,
                    "continuous_aggregate",
                    cagg.name.to_string(),
                    format!(
                        "continuous aggregate {} has source {}, which the contracts do not declare",
                        cagg.name, src
                    ),
                )
                .at(cagg.loc.as_ref()),
            ),
        }
    }
    out
}

/// A type that is neither built in nor a declared enum may be an extension or domain type,
/// or a typo: worth a warning, not a refusal.
fn unknown_types(exp: &Expectations, t: &Table, out: &mut Vec<Finding>) {
    use crate::normalize::types::{TypeCategory, type_category};
    for c in &t.columns {
        let base = c.data_type.trim_end_matches("[]");
        if type_category(base) != TypeCategory::User {
            continue;
        }
        let qn = crate::model::QualName::parse(base, &t.name.schema);
        if exp.schema.enums.contains_key(&qn) {
            continue;
        }
        out.push(
            Finding::new(
                &rules::UNDECLARED_REFERENCE,
                "column",
                t.name.child(&c.name),
                format!(
                    "column {} has type `{}`, which is not a built-in type nor an enum declared in `enums:` (fine for an extension or domain type)",
                    t.name.child(&c.name),
                    c.data_type
                ),
            )
            .at(c.loc.as_ref()),
        );
    }
}

/// TimescaleDB refuses a unique index on a hypertable without every partitioning column.
fn hypertable_keys(t: &Table, out: &mut Vec<Finding>) {
    let Some(h) = &t.hypertable else { return };
    let mut partition_cols = vec![h.time_column.clone()];
    if let Some(p) = &h.partitioning {
        partition_cols.push(p.column.clone());
    }
    let mut keys: Vec<(String, &str, Vec<String>, Option<&crate::model::Location>)> = Vec::new();
    if let Some(pk) = &t.primary_key {
        keys.push((
            t.name.child("pkey"),
            "primary key",
            pk.columns.clone(),
            pk.loc.as_ref(),
        ));
    }
    for u in &t.uniques {
        let name = u.name.clone().unwrap_or_default();
        keys.push((
            t.name.child(&name),
            "unique constraint",
            u.columns.clone(),
            u.loc.as_ref(),
        ));
    }
    for i in t.indexes.iter().filter(|i| i.unique) {
        keys.push((
            t.name.child(&i.name),
            "unique index",
            i.columns.iter().map(|c| c.expr.clone()).collect(),
            i.loc.as_ref(),
        ));
    }
    for (object, what, cols, loc) in keys {
        for p in &partition_cols {
            if !cols.contains(p) {
                out.push(
                    Finding::new(
                        &rules::HYPERTABLE_UNIQUE_WITHOUT_PARTITION_COLUMN,
                        "constraint",
                        object.clone(),
                        format!(
                            "the {what} ({}) of hypertable {} lacks partitioning column \"{p}\"; TimescaleDB refuses it: cannot create a unique index without the column \"{p}\" (used in partitioning)",
                            cols.join(", "),
                            t.name
                        ),
                    )
                    .expected(format!("({}, {p})", cols.join(", ")))
                    .actual(format!("({})", cols.join(", ")))
                    .at(loc),
                );
            }
        }
    }
}

/// Keys, indexes and hypertable settings must name declared columns.
fn column_references(t: &Table, out: &mut Vec<Finding>) {
    let mut named: Vec<(&str, String, Option<&crate::model::Location>)> = Vec::new();
    if let Some(pk) = &t.primary_key {
        for c in &pk.columns {
            named.push(("primary key", c.clone(), pk.loc.as_ref()));
        }
    }
    for u in &t.uniques {
        for c in &u.columns {
            named.push(("unique constraint", c.clone(), u.loc.as_ref()));
        }
    }
    for fk in &t.foreign_keys {
        for c in &fk.columns {
            named.push(("foreign key", c.clone(), fk.loc.as_ref()));
        }
    }
    for i in &t.indexes {
        for c in i.columns.iter().filter(|c| is_simple(&c.expr)) {
            named.push(("index", c.expr.clone(), i.loc.as_ref()));
        }
        for c in &i.include {
            named.push(("index", c.clone(), i.loc.as_ref()));
        }
    }
    if let Some(h) = &t.hypertable {
        named.push((
            "hypertable time_column",
            h.time_column.clone(),
            h.loc.as_ref(),
        ));
        if let Some(p) = &h.partitioning {
            named.push(("hypertable partitioning", p.column.clone(), h.loc.as_ref()));
        }
        if let Some(c) = &h.compression {
            for s in &c.segment_by {
                named.push(("compression segment_by", s.clone(), c.loc.as_ref()));
            }
            for o in c.order_by.iter().flatten() {
                named.push(("compression order_by", o.column.clone(), c.loc.as_ref()));
            }
        }
    }
    for (what, col, loc) in named {
        if t.column(&col).is_none() {
            out.push(
                Finding::new(
                    &rules::UNDECLARED_REFERENCE,
                    "column",
                    t.name.child(&col),
                    format!(
                        "{what} of {} names column \"{col}\", which the table does not declare",
                        t.name
                    ),
                )
                .at(loc),
            );
        }
    }
}

fn is_simple(expr: &str) -> bool {
    !expr.is_empty() && expr.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// Declared queries (`queries:`) must name only declared tables and columns, like the
/// repository's queries; each unknown one is an undeclared reference at the query's line.
pub fn declared_queries(
    queries: &[crate::contract::DeclaredQuery],
    exp: &Expectations,
) -> Vec<Finding> {
    use crate::scan::sql::{Parsed, analyse};
    let mut out = Vec::new();
    for q in queries {
        let Parsed::Ok(a) = analyse(&q.query.sql, Some(&exp.schema), &exp.schemas) else {
            // Unparseable SQL is judged where queries are prepared on the server.
            continue;
        };
        for (what, names) in [("table", &a.unknown_tables), ("column", &a.unknown_columns)] {
            for n in names {
                out.push(
                    Finding::new(
                        &rules::UNDECLARED_REFERENCE,
                        "query",
                        format!("query {}", q.name),
                        format!(
                            "declared query {} names {what} {n}, which the contracts do not declare",
                            q.name
                        ),
                    )
                    .expected(format!("a declared {what}"))
                    .actual(n)
                    .at(Some(&q.loc)),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::load_sources;

    fn lint_text(text: &str) -> Vec<Finding> {
        let set = load_sources(&[("c.yaml".into(), text.into())]).unwrap();
        lint(&set.expectations)
    }

    #[test]
    fn serial_primary_key_on_hypertable_is_refused() {
        let f = lint_text(
            "tables:\n  g:\n    columns:\n      id: { type: serial }\n      timestamp: { type: timestamptz }\n    primary_key: [id]\n    hypertable: { time_column: timestamp }\n",
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].rule, "ZG001");
        assert!(f[0].message.contains(
            "cannot create a unique index without the column \"timestamp\" (used in partitioning)"
        ));
        assert_eq!(f[0].location.as_ref().unwrap().line, 6);
    }

    #[test]
    fn compression_after_retention_and_cagg_source() {
        let f = lint_text(
            "tables:\n  g:\n    columns:\n      ts: { type: timestamptz }\n    hypertable:\n      time_column: ts\n      compression: { after: 120 days }\n      retention: { drop_after: 2160 hours }\n  u:\n    columns:\n      id: { type: int }\ncontinuous_aggregates:\n  c: { source: u, bucket: 1 hour }\n",
        );
        let codes: Vec<&str> = f.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(codes, vec!["ZG002", "ZG003"], "{f:?}");
    }

    #[test]
    fn unknown_types_warn_but_declared_enums_do_not() {
        let f = lint_text(
            "enums:\n  mood: [a, b]\ntables:\n  t:\n    columns:\n      m: { type: mood }\n      x: { type: integr }\n      ok: { type: \"varchar(3)[]\" }\n",
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(
            (f[0].rule.as_str(), f[0].object.as_str()),
            ("ZG004", "public.t.x")
        );
        assert_eq!(f[0].severity, crate::finding::Severity::Warning);
    }

    #[test]
    fn clean_contract_has_no_findings() {
        let f = lint_text(
            "tables:\n  g:\n    columns:\n      id: { type: serial }\n      ts: { type: timestamptz }\n    primary_key: [id, ts]\n    hypertable:\n      time_column: ts\n      compression: { after: 7 days, segment_by: [id] }\n      retention: { drop_after: 90 days }\n",
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn declared_queries_name_only_declared_tables_and_columns() {
        let text = "tables:\n  t:\n    columns:\n      id: { type: int }\nqueries:\n  ok:\n    sql: SELECT id FROM t WHERE id = $1\n  bad_table:\n    sql: SELECT id FROM nowhere\n  bad_column:\n    sql: SELECT nope FROM t\n";
        let set = crate::contract::load_sources(&[("c.yaml".into(), text.into())])
            .unwrap_or_else(|e| panic!("{e}"));
        let f = declared_queries(&set.queries, &set.expectations);
        let got: Vec<(&str, Option<usize>)> = f
            .iter()
            .map(|f| (f.object.as_str(), f.location.as_ref().map(|l| l.line)))
            .collect();
        assert_eq!(
            got,
            vec![("query bad_table", Some(8)), ("query bad_column", Some(10))]
        );
        assert!(f.iter().all(|f| f.rule == "ZG004"));
    }
}
