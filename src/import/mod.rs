//! `zerogap import`: the schema model built offline from DDL — a `schema.sql` or a folder of
//! migrations applied in order — so that contracts can be written without a database.
//! Pure: texts in, a [`Schema`] and notes out; the CLI reads the files and writes contracts
//! with the same writer as `init`.
//!
//! sqlparser reads most PostgreSQL DDL; what it cannot (TimescaleDB's `WITH (timescaledb.*)`
//! options, `WITH NO DATA`, `DO` blocks) is handled at the token level in [`timescale`], and
//! anything still unread is reported as skipped with its line, never dropped silently.

mod apply;
mod names;
mod split;
mod timescale;

use std::cmp::Ordering;

use crate::model::Schema;

/// One DDL file: a name for messages and its text.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Options {
    /// The schema of unqualified names until a `SET search_path` says otherwise.
    pub default_schema: String,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            default_schema: "public".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NoteKind {
    /// A statement that may change the schema but was not understood: the contracts may
    /// miss what it did.
    Skipped,
    /// A statement that changes nothing a contract declares (INSERT, GRANT, CREATE FUNCTION...).
    Ignored,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub kind: NoteKind,
    /// The statement's first words.
    pub statement: String,
    pub reason: String,
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {} `{}`: {}",
            self.file,
            self.line,
            self.column,
            match self.kind {
                NoteKind::Skipped => "skipped",
                NoteKind::Ignored => "ignored",
            },
            self.statement,
            self.reason
        )
    }
}

#[derive(Debug, Clone, Default)]
pub struct Imported {
    pub schema: Schema,
    pub notes: Vec<Note>,
    /// Statements that changed the model.
    pub applied: usize,
}

impl Imported {
    pub fn skipped(&self) -> impl Iterator<Item = &Note> {
        self.notes.iter().filter(|n| n.kind == NoteKind::Skipped)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}:{column}: cannot read the SQL: {message}")]
pub struct ImportError {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
}

/// Applies every statement of `sources`, in order.
pub fn import(sources: &[Source], options: &Options) -> Result<Imported, ImportError> {
    let mut b = apply::Builder::new(&options.default_schema);
    for src in sources {
        let statements = split::split(&src.text).map_err(|e| ImportError {
            file: src.name.clone(),
            line: e.line,
            column: e.column,
            message: e.message,
        })?;
        // Each file starts from the default search path, as a migration tool runs it.
        b.reset_search_path(&options.default_schema);
        for st in &statements {
            b.statement(&src.name, st);
        }
    }
    Ok(b.finish())
}

/// Whether a migration file is one that undoes another (`*.down.sql`, `down.sql`, Flyway's
/// `U1__x.sql`): import applies only the forward ones.
pub fn is_down_migration(file_name: &str) -> bool {
    let lower = file_name.to_ascii_lowercase();
    lower.ends_with(".down.sql")
        || lower.ends_with("_down.sql")
        || lower == "down.sql"
        || (lower.starts_with('u')
            && lower[1..].starts_with(|c: char| c.is_ascii_digit())
            && lower.contains("__"))
}

/// Orders migration paths as migration tools apply them: versions compared as numbers
/// (`V2__` before `V10__`, `V1__` before `V1_1__`, `9_` before `010_`), Flyway's repeatable
/// `R__` files last.
pub fn compare_migration_paths(a: &str, b: &str) -> Ordering {
    let repeatable = |p: &str| {
        p.rsplit('/')
            .next()
            .is_some_and(|f| f.starts_with("R__") || f.starts_with("r__"))
    };
    repeatable(a).cmp(&repeatable(b)).then_with(|| {
        for (x, y) in a.split('/').zip(b.split('/')) {
            let ord = match (version_prefix(x), version_prefix(y)) {
                (Some(v), Some(w)) => v.cmp(&w).then_with(|| natural_cmp(x, y)),
                _ => natural_cmp(x, y),
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        a.split('/').count().cmp(&b.split('/').count())
    })
}

/// `V1_2__x` → [1, 2]; `010_x` → [10]; `20240101_x` → [20240101]; `init.sql` → None.
fn version_prefix(name: &str) -> Option<Vec<u128>> {
    let s = match name.strip_prefix(['V', 'v']) {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => name,
    };
    let bytes = s.as_bytes();
    let mut parts = Vec::new();
    let mut i = 0;
    loop {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            break;
        }
        parts.push(s[start..i].parse::<u128>().ok()?);
        let sep = i < bytes.len() && matches!(bytes[i], b'.' | b'_');
        if sep && bytes.get(i + 1).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
        } else {
            break;
        }
    }
    (!parts.is_empty()).then_some(parts)
}

fn natural_cmp(a: &str, b: &str) -> Ordering {
    let chunks = |s: &str| -> Vec<(bool, String)> {
        let mut out: Vec<(bool, String)> = Vec::new();
        for c in s.chars() {
            let digit = c.is_ascii_digit();
            match out.last_mut() {
                Some((d, text)) if *d == digit => text.push(c),
                _ => out.push((digit, c.to_string())),
            }
        }
        out
    };
    let (ca, cb) = (chunks(a), chunks(b));
    for (x, y) in ca.iter().zip(cb.iter()) {
        let ord = match (x, y) {
            ((true, n), (true, m)) => {
                let (n, m) = (n.trim_start_matches('0'), m.trim_start_matches('0'));
                n.len().cmp(&m.len()).then_with(|| n.cmp(m))
            }
            ((_, s), (_, t)) => s.cmp(t),
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    ca.len().cmp(&cb.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_sort_numerically_with_repeatables_last() {
        let mut v = vec![
            "m/R__views.sql",
            "m/V10__c.sql",
            "m/V2__b.sql",
            "m/V1__a.sql",
            "m/V1_1__a2.sql",
        ];
        v.sort_by(|a, b| compare_migration_paths(a, b));
        assert_eq!(
            v,
            [
                "m/V1__a.sql",
                "m/V1_1__a2.sql",
                "m/V2__b.sql",
                "m/V10__c.sql",
                "m/R__views.sql"
            ]
        );
        let mut w = vec!["010_x.sql", "9_y.sql", "20240101120000_z.sql"];
        w.sort_by(|a, b| compare_migration_paths(a, b));
        assert_eq!(w, ["9_y.sql", "010_x.sql", "20240101120000_z.sql"]);
    }

    #[test]
    fn down_migrations_are_recognised() {
        assert!(is_down_migration("001_init.down.sql"));
        assert!(is_down_migration("down.sql"));
        assert!(is_down_migration("U3__undo.sql"));
        assert!(!is_down_migration("001_init.up.sql"));
        assert!(!is_down_migration("users.sql"));
    }
}

#[cfg(test)]
mod import_tests {
    use super::*;
    use crate::model::QualName;

    fn run(sql: &str) -> Imported {
        import(
            &[Source {
                name: "m.sql".into(),
                text: sql.into(),
            }],
            &Options::default(),
        )
        .unwrap()
    }

    #[test]
    fn unnamed_constraints_get_postgres_names() {
        let i = run(
            "CREATE TABLE t (id serial PRIMARY KEY, a int CHECK (a > 0), b int, \
                     UNIQUE (a, b), CHECK (a < b), CHECK (b > 1));\nCREATE INDEX ON t (lower(b::text));",
        );
        let t = &i.schema.tables[&QualName::new("public", "t")];
        let checks: Vec<_> = t.checks.iter().map(|c| c.name.clone().unwrap()).collect();
        assert_eq!(checks, ["t_a_check", "t_check", "t_b_check"]);
        assert_eq!(t.uniques[0].name.as_deref(), Some("t_a_b_key"));
        assert_eq!(t.indexes[0].name, "t_lower_idx");
        assert!(!t.column("id").unwrap().nullable);
    }

    #[test]
    fn drop_and_rename_follow_postgres() {
        let i = run(
            "CREATE TABLE t (a int, b int CHECK (b > 0));\nCREATE INDEX i ON t (b);\n\
                     ALTER TABLE t RENAME COLUMN a TO c;\nALTER TABLE t DROP COLUMN b;\n\
                     ALTER TABLE t RENAME TO u;",
        );
        let t = &i.schema.tables[&QualName::new("public", "u")];
        assert_eq!(t.columns.len(), 1);
        assert_eq!(t.columns[0].name, "c");
        assert!(t.indexes.is_empty() && t.checks.is_empty());
        assert_eq!(i.skipped().count(), 0);
    }

    #[test]
    fn timescale_calls_build_the_hypertable() {
        let i = run("SET search_path = app, public;\n\
                     CREATE TABLE m (ts timestamptz, d text, v float8, PRIMARY KEY (d, ts));\n\
                     SELECT create_hypertable('m', by_range('ts'));\n\
                     SELECT add_dimension('m', by_hash('d', 4));\n\
                     ALTER TABLE m SET (timescaledb.compress, timescaledb.compress_segmentby = 'd');\n\
                     SELECT add_compression_policy('m', INTERVAL '2 days');\n\
                     SELECT add_retention_policy('app.m', drop_after => '1 year'::interval);");
        let t = &i.schema.tables[&QualName::new("app", "m")];
        let h = t.hypertable.as_ref().unwrap();
        assert_eq!(h.chunk_interval.as_deref(), Some("7 days"));
        assert_eq!(h.partitioning.as_ref().unwrap().partitions, Some(4));
        let c = h.compression.as_ref().unwrap();
        assert_eq!(
            (c.segment_by.as_slice(), c.after.as_deref()),
            (&["d".to_string()][..], Some("2 days"))
        );
        assert_eq!(h.retention.as_ref().unwrap().drop_after, "1 year");
        // The primary key (d, ts) is not an index of ts alone: the default time index is made.
        assert_eq!(t.indexes.len(), 1);
        assert_eq!(t.indexes[0].name, "m_ts_idx");
        assert!(!t.column("ts").unwrap().nullable);
    }

    #[test]
    fn unknown_statements_are_skipped_with_their_line() {
        let i = run(
            "CREATE TABLE a (x int);\nDO $$ BEGIN END $$;\nGRANT SELECT ON a TO r;\nALTER TABLE missing ADD COLUMN y int;",
        );
        let notes: Vec<String> = i.notes.iter().map(|n| n.to_string()).collect();
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(notes[0].starts_with("m.sql:2:1: skipped `DO"), "{notes:?}");
        assert!(
            notes[1].starts_with("m.sql:3:1: ignored `GRANT"),
            "{notes:?}"
        );
        assert!(
            notes[2].contains("table public.missing is not created"),
            "{notes:?}"
        );
    }
}
