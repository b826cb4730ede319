//! `zerogap init`: contract files written from what a live database has, so that `check` of
//! the same database finds nothing. Pure: a schema model in, YAML texts out.
//!
//! Readable first: common type spellings (`varchar(255)`, `timestamptz`), only the keys
//! that say something (no `nullable: true`, no default index method), one flow mapping per
//! column, objects in name order, one file per schema.

use std::collections::BTreeMap;

use crate::model::{Column, Schema, Table};

/// One contract file to write: its file name and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractFile {
    pub name: String,
    pub text: String,
}

/// Tables per file: a schema of thousands of tables is split into files of this many (the
/// layout a team keeps; a 5 MB file is hard to review).
pub const TABLES_PER_FILE: usize = 250;

/// What the header of each file says about where it came from.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The database's name (the contracts' names start with it).
    pub database_name: String,
    /// Password-free description of the database (`postgres://user@host/db`).
    pub database: String,
    pub generated_at: String,
    /// Empty when the contracts come from DDL (`zerogap import`).
    pub server_version: String,
    pub timescaledb_version: Option<String>,
    /// The command that wrote the files: `init` (default) or `import`.
    pub command: &'static str,
}

/// A scalar as YAML: plain when that reads back as the same string, else double-quoted
/// (a JSON string is a valid YAML double-quoted scalar).
fn scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ' ' | '.' | '-' | '@' | '/'))
        && (s
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            // An interval such as `1 day` reads back as text, not as a number.
            || s.split_once(' ').is_some_and(|(n, unit)| {
                n.chars().all(|c| c.is_ascii_digit())
                    && unit.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            }))
        && !s.ends_with(' ')
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        );
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| format!("\"{}\"", s.replace('"', "\\\"")))
    }
}

/// A key as YAML (identifiers are plain; anything else quoted).
fn key(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.chars().next().is_some_and(|c| c.is_ascii_digit())
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        );
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_default()
    }
}

fn list(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|s| scalar(s))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// The spelling a person writes for what `format_type` prints.
pub fn common_type(t: &str) -> String {
    let (base, array) = match t.strip_suffix("[]") {
        Some(b) => (b, "[]"),
        None => (t, ""),
    };
    let mapped = if let Some(rest) = base.strip_prefix("character varying") {
        format!("varchar{rest}")
    } else if let Some(rest) = base.strip_prefix("character") {
        format!("char{rest}")
    } else if base == "timestamp with time zone" {
        "timestamptz".into()
    } else if base == "timestamp without time zone" {
        "timestamp".into()
    } else if let Some(p) = base
        .strip_prefix("timestamp(")
        .and_then(|r| r.strip_suffix(") with time zone"))
    {
        format!("timestamptz({p})")
    } else if base == "time with time zone" {
        "timetz".into()
    } else if base == "integer" {
        "int".into()
    } else if base == "boolean" {
        "bool".into()
    } else {
        base.to_string()
    };
    format!("{mapped}{array}")
}

fn serial_type(t: &str) -> Option<&'static str> {
    match t {
        "integer" => Some("serial"),
        "bigint" => Some("bigserial"),
        "smallint" => Some("smallserial"),
        _ => None,
    }
}

fn column_line(c: &Column) -> String {
    let mut parts = Vec::new();
    let ty = match (c.serial, serial_type(&c.data_type)) {
        (true, Some(s)) => s.to_string(),
        _ => common_type(&c.data_type),
    };
    parts.push(format!("type: {}", scalar(&ty)));
    // Serial and identity columns are NOT NULL by themselves.
    if !c.nullable && !c.serial && c.identity.is_none() {
        parts.push("nullable: false".into());
    }
    if let Some(d) = &c.default {
        parts.push(format!("default: {}", scalar(d)));
    }
    if let Some(i) = c.identity {
        parts.push(format!("identity: {i}"));
    }
    if let Some(g) = &c.generated {
        parts.push(format!("generated: {}", scalar(g)));
    }
    if let Some(cm) = &c.comment {
        parts.push(format!("comment: {}", scalar(cm)));
    }
    format!("{{ {} }}", parts.join(", "))
}

/// `CHECK ((a > 0)) NOT VALID` as pg_get_constraintdef prints it → `(a > 0)`.
fn check_expr(def: &str) -> String {
    let d = def.trim();
    let d = d.strip_suffix("NOT VALID").map(str::trim).unwrap_or(d);
    match d.strip_prefix("CHECK ") {
        Some(rest) => rest.trim().to_string(),
        None => d.to_string(),
    }
}

/// A name relative to the file's schema: `t` in the same schema, `s.t` elsewhere.
fn relative(q: &crate::model::QualName, schema: &str) -> String {
    if q.schema == schema {
        q.name.clone()
    } else {
        format!("{}.{}", q.schema, q.name)
    }
}

fn table_text(t: &Table, schema: &str, out: &mut String) {
    out.push_str(&format!("  {}:\n", key(&t.name.name)));
    if let Some(c) = &t.comment {
        out.push_str(&format!("    comment: {}\n", scalar(c)));
    }
    out.push_str("    columns:\n");
    let width = t
        .columns
        .iter()
        .map(|c| key(&c.name).len())
        .max()
        .unwrap_or(0)
        + 1;
    for c in &t.columns {
        out.push_str(&format!(
            "      {:<width$} {}\n",
            format!("{}:", key(&c.name)),
            column_line(c),
            width = width
        ));
    }
    if let Some(pk) = &t.primary_key {
        out.push_str(&format!("    primary_key: {}\n", list(&pk.columns)));
    }
    if !t.foreign_keys.is_empty() {
        out.push_str("    foreign_keys:\n");
        let mut fks: Vec<_> = t.foreign_keys.iter().collect();
        fks.sort_by(|a, b| a.name.cmp(&b.name));
        for fk in fks {
            let mut parts = vec![
                format!("columns: {}", list(&fk.columns)),
                format!(
                    "references: {}",
                    scalar(&format!(
                        "{}({})",
                        relative(&fk.ref_table, schema),
                        fk.ref_columns.join(", ")
                    ))
                ),
            ];
            if fk.on_delete != crate::model::FkAction::NoAction {
                parts.push(format!("on_delete: {}", fk.on_delete));
            }
            if fk.on_update != crate::model::FkAction::NoAction {
                parts.push(format!("on_update: {}", fk.on_update));
            }
            out.push_str(&format!(
                "      {}: {{ {} }}\n",
                key(fk.name.as_deref().unwrap_or("fk")),
                parts.join(", ")
            ));
        }
    }
    let mut constraints: BTreeMap<String, String> = BTreeMap::new();
    for c in &t.checks {
        constraints.insert(
            c.name.clone().unwrap_or_default(),
            format!("{{ check: {} }}", scalar(&check_expr(&c.expr))),
        );
    }
    for u in &t.uniques {
        constraints.insert(
            u.name.clone().unwrap_or_default(),
            format!("{{ unique: {} }}", list(&u.columns)),
        );
    }
    if !constraints.is_empty() {
        out.push_str("    constraints:\n");
        for (name, body) in constraints {
            out.push_str(&format!("      {}: {body}\n", key(&name)));
        }
    }
    let mut indexes: Vec<_> = t.indexes.iter().filter(|i| !i.constraint_backed).collect();
    indexes.sort_by(|a, b| a.name.cmp(&b.name));
    if !indexes.is_empty() {
        out.push_str("    indexes:\n");
        for i in indexes {
            let cols: Vec<String> = i.columns.iter().map(|c| c.to_string()).collect();
            let mut parts = vec![format!("columns: {}", list(&cols))];
            if i.method != "btree" {
                parts.push(format!("method: {}", scalar(&i.method)));
            }
            if i.unique {
                parts.push("unique: true".into());
            }
            if let Some(p) = &i.predicate {
                parts.push(format!("where: {}", scalar(p)));
            }
            if !i.include.is_empty() {
                parts.push(format!("include: {}", list(&i.include)));
            }
            out.push_str(&format!(
                "      {}: {{ {} }}\n",
                key(&i.name),
                parts.join(", ")
            ));
        }
    }
    if let Some(h) = &t.hypertable {
        out.push_str("    hypertable:\n");
        out.push_str(&format!("      time_column: {}\n", scalar(&h.time_column)));
        if let Some(ci) = &h.chunk_interval {
            out.push_str(&format!("      chunk_time_interval: {}\n", scalar(ci)));
        }
        if let Some(p) = &h.partitioning {
            let mut parts = vec![format!("column: {}", scalar(&p.column))];
            if let Some(n) = p.partitions {
                parts.push(format!("partitions: {n}"));
            }
            out.push_str(&format!("      partitioning: {{ {} }}\n", parts.join(", ")));
        }
        if let Some(c) = &h.compression {
            out.push_str("      compression:\n");
            out.push_str(&format!("        segment_by: {}\n", list(&c.segment_by)));
            if let Some(o) = &c.order_by {
                let items: Vec<String> = o.iter().map(|i| i.to_string()).collect();
                out.push_str(&format!("        order_by: {}\n", list(&items)));
            }
            if let Some(a) = &c.after {
                out.push_str(&format!("        after: {}\n", scalar(a)));
            }
        }
        if let Some(r) = &h.retention {
            out.push_str(&format!(
                "      retention: {{ drop_after: {} }}\n",
                scalar(&r.drop_after)
            ));
        }
    }
}

fn header(s: &str, origin: &Origin, part: Option<(usize, usize)>) -> String {
    let server = if origin.server_version.is_empty() {
        String::new()
    } else {
        format!(
            " (PostgreSQL {}{})",
            origin.server_version,
            origin
                .timescaledb_version
                .as_deref()
                .map(|v| format!(", TimescaleDB {v}"))
                .unwrap_or_default()
        )
    };
    let mut out = format!(
        "# Contract of schema `{s}`{}, written by `zerogap {}`\n# from {} on {}{server}.\n# Edit freely: it is yours now; `zerogap check` compares the database with it.\n",
        part.map(|(i, n)| format!(" (tables, part {i} of {n})"))
            .unwrap_or_default(),
        if origin.command.is_empty() {
            "init"
        } else {
            origin.command
        },
        origin.database,
        origin.generated_at,
    );
    let name = if origin.database_name.is_empty() {
        s.to_string()
    } else {
        format!("{}_{s}", origin.database_name)
    };
    let name = match part {
        Some((i, _)) => format!("{name}_tables_{i:03}"),
        None => name,
    };
    out.push_str(&format!(
        "contract: {}\nversion: 1.0.0\nschema: {}\n",
        scalar(&name),
        scalar(s)
    ));
    out
}

fn file_stem(s: &str) -> String {
    s.replace(
        |c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '-',
        "_",
    )
}

/// The contract files for `schema`: one per schema it holds objects in, its tables split
/// into files of [`TABLES_PER_FILE`] when there are more.
pub fn contracts(schema: &Schema, origin: &Origin) -> Vec<ContractFile> {
    let mut schemas: Vec<String> = schema
        .tables
        .keys()
        .chain(schema.views.keys())
        .chain(schema.enums.keys())
        .chain(schema.caggs.keys())
        .map(|q| q.schema.clone())
        .collect();
    schemas.sort();
    schemas.dedup();
    let mut files = Vec::new();
    for s in schemas {
        let in_schema = |q: &crate::model::QualName| q.schema == s;
        let tables: Vec<&Table> = schema
            .tables
            .values()
            .filter(|t| in_schema(&t.name))
            .collect();
        let split = tables.len() > TABLES_PER_FILE;
        let mut out = header(&s, origin, None);

        let enums: Vec<_> = schema
            .enums
            .values()
            .filter(|e| in_schema(&e.name))
            .collect();
        if !enums.is_empty() {
            out.push_str("\nenums:\n");
            for e in &enums {
                out.push_str(&format!("  {}: {}\n", key(&e.name.name), list(&e.values)));
            }
        }
        let tables_text = |chunk: &[&Table]| {
            let mut t_out = String::from("\ntables:\n");
            for (i, t) in chunk.iter().enumerate() {
                if i > 0 {
                    t_out.push('\n');
                }
                table_text(t, &s, &mut t_out);
            }
            t_out
        };
        if !tables.is_empty() && !split {
            out.push_str(&tables_text(&tables));
        }
        let views: Vec<_> = schema
            .views
            .values()
            .filter(|v| in_schema(&v.name))
            .collect();
        if !views.is_empty() {
            out.push_str("\nviews:\n");
            for v in &views {
                let mut parts = Vec::new();
                if let Some(c) = &v.columns {
                    parts.push(format!("columns: {}", list(c)));
                }
                if v.materialized {
                    parts.push("materialized: true".into());
                }
                out.push_str(&format!(
                    "  {}: {{ {} }}\n",
                    key(&v.name.name),
                    parts.join(", ")
                ));
            }
        }
        let caggs: Vec<_> = schema
            .caggs
            .values()
            .filter(|c| in_schema(&c.name))
            .collect();
        if !caggs.is_empty() {
            out.push_str("\ncontinuous_aggregates:\n");
            for c in &caggs {
                out.push_str(&format!("  {}:\n", key(&c.name.name)));
                if let Some(src) = &c.source {
                    out.push_str(&format!("    source: {}\n", scalar(&relative(src, &s))));
                }
                if let Some(b) = &c.bucket {
                    out.push_str(&format!("    bucket: {}\n", scalar(b)));
                }
                if let Some(m) = c.materialized_only {
                    out.push_str(&format!("    materialized_only: {m}\n"));
                }
                if let Some(r) = &c.refresh {
                    let mut parts = Vec::new();
                    for (k, v) in [
                        ("start_offset", &r.start_offset),
                        ("end_offset", &r.end_offset),
                        ("schedule_interval", &r.schedule_interval),
                    ] {
                        if let Some(v) = v {
                            parts.push(format!("{k}: {}", scalar(v)));
                        }
                    }
                    out.push_str(&format!("    refresh: {{ {} }}\n", parts.join(", ")));
                }
                if let Some(r) = &c.retention {
                    out.push_str(&format!(
                        "    retention: {{ drop_after: {} }}\n",
                        scalar(&r.drop_after)
                    ));
                }
            }
        }
        let stem = file_stem(&s);
        // With its tables in files of their own, the schema's file is written only when it
        // holds something else.
        let others = !enums.is_empty() || !views.is_empty() || !caggs.is_empty();
        if !split || others {
            files.push(ContractFile {
                name: format!("{stem}.yaml"),
                text: out,
            });
        }
        if split {
            let chunks: Vec<&[&Table]> = tables.chunks(TABLES_PER_FILE).collect();
            let n = chunks.len();
            for (i, chunk) in chunks.into_iter().enumerate() {
                let mut text = header(&s, origin, Some((i + 1, n)));
                text.push_str(&tables_text(chunk));
                files.push(ContractFile {
                    name: format!("{stem}_tables_{:03}.yaml", i + 1),
                    text,
                });
            }
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_read_back_as_written() {
        assert_eq!(scalar("1 day"), "1 day");
        assert_eq!(scalar("numeric(12,2)"), "\"numeric(12,2)\"");
        assert_eq!(scalar("true"), "\"true\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar("'FR'::bpchar"), "\"'FR'::bpchar\"");
        assert_eq!(key("user id"), "\"user id\"");
        assert_eq!(key("on"), "\"on\"");
    }

    #[test]
    fn common_spellings() {
        assert_eq!(common_type("character varying(255)"), "varchar(255)");
        assert_eq!(common_type("timestamp with time zone"), "timestamptz");
        assert_eq!(common_type("character(2)"), "char(2)");
        assert_eq!(common_type("integer[]"), "int[]");
        assert_eq!(common_type("double precision"), "double precision");
        assert_eq!(
            check_expr("CHECK ((amount >= (0)::numeric)) NOT VALID"),
            "((amount >= (0)::numeric))"
        );
    }
}
