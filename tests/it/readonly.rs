//! Read-only, proven: `zerogap check` passes as a role that can do nothing but connect and
//! read the catalogs, and pg_stat_statements shows that every statement that role ran was
//! a read inside a `START TRANSACTION READ ONLY … ROLLBACK` block with its timeouts set.

use assert_cmd::Command;

use crate::harness::{self, TestDb, quote_ident};

/// A LOGIN role whose only privilege is CONNECT on the test's database (everything else
/// PUBLIC had there is revoked, and PUBLIC may not create in schema `public`): it can read
/// the catalogs, as every role can, and nothing else. Dropped with the value.
pub struct LimitedRole<'a> {
    db: &'a TestDb,
    pub name: String,
    /// `postgresql://name:password@host:port/database` (the password percent-encoded).
    pub url: String,
}

impl<'a> LimitedRole<'a> {
    /// `suffix` makes the name unique per role within a test (the database name is unique
    /// per test).
    pub fn create(db: &'a TestDb, suffix: &str, password: &str) -> LimitedRole<'a> {
        let name = format!("{}_{suffix}", db.database);
        assert!(name.len() <= 63, "role name too long: {name}");
        db.exec(&format!(
            "CREATE ROLE {role} LOGIN PASSWORD '{pw}' NOSUPERUSER NOCREATEDB NOCREATEROLE \
             NOINHERIT;
             REVOKE ALL ON DATABASE {dbname} FROM PUBLIC;
             GRANT CONNECT ON DATABASE {dbname} TO {role};
             REVOKE CREATE ON SCHEMA public FROM PUBLIC;",
            role = quote_ident(&name),
            pw = password.replace('\'', "''"),
            dbname = quote_ident(&db.database),
        ));
        let config: postgres::Config = db.url.parse().expect("the test database URL parses");
        let host = match config.get_hosts().first() {
            Some(postgres::config::Host::Tcp(h)) => h.clone(),
            other => panic!("the test database is not on a TCP host: {other:?}"),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let url = format!(
            "postgresql://{name}:{}@{host}:{port}/{}",
            percent_encode(password),
            db.database
        );
        LimitedRole { db, name, url }
    }

    /// The role's oid, for filtering pg_stat_statements and pg_stat_activity.
    pub fn oid(&self) -> String {
        self.db
            .query_one_string(&format!(
                "SELECT oid::text FROM pg_roles WHERE rolname = '{}'",
                self.name
            ))
            .expect("the role exists")
    }
}

impl Drop for LimitedRole<'_> {
    fn drop(&mut self) {
        // Roles are cluster-wide: on a shared (external) server they must not pile up. Never
        // panic here (this may run while a failed test unwinds).
        let sql = format!(
            "DROP OWNED BY {r}; DROP ROLE {r}",
            r = quote_ident(&self.name)
        );
        if let Ok(mut client) = postgres::Client::connect(&self.db.url, postgres::NoTls) {
            let _ = client.batch_execute(&sql);
            let _ = client.close();
        }
    }
}

/// Every byte outside RFC 3986's unreserved set as `%XX`.
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn zerogap() -> Command {
    let mut c = Command::cargo_bin("zerogap").expect("binary");
    c.env_remove("DATABASE_URL")
        .env_remove("PGPASSWORD")
        .env_remove("PGSSLMODE")
        .current_dir(harness::repo_root())
        .timeout(std::time::Duration::from_secs(120));
    c
}

/// The first word of a statement, upper-cased, after leading blanks and `--` comments.
fn first_word(sql: &str) -> String {
    let mut rest = sql.trim_start();
    while let Some(after) = rest.strip_prefix("--") {
        rest = after.split_once('\n').map_or("", |(_, r)| r).trim_start();
    }
    rest.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase()
}

/// The statement's words (identifier-like tokens, upper-cased), outside quoted literals.
fn words(sql: &str) -> Vec<String> {
    let mut unquoted = String::new();
    let mut in_quote = false;
    for c in sql.chars() {
        if c == '\'' {
            in_quote = !in_quote;
            unquoted.push(' ');
        } else if !in_quote {
            unquoted.push(c);
        }
    }
    unquoted
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .map(|w| w.to_ascii_uppercase())
        .collect()
}

#[test]
fn check_as_a_catalog_only_role_passes_and_issues_no_write() {
    let Some(db) = harness::postgres("readonly_proven") else {
        return;
    };
    let preload = db
        .query_one_string("SHOW shared_preload_libraries")
        .unwrap_or_default();
    if !preload.contains("pg_stat_statements") {
        harness::unavailable(
            "pg_stat_statements",
            "readonly_proven",
            "the server does not preload pg_stat_statements",
        );
        return;
    }
    db.exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    let track = db.query_one_string("SHOW pg_stat_statements.track");
    let track_utility = db.query_one_string("SHOW pg_stat_statements.track_utility");
    assert_eq!(
        (track.as_deref(), track_utility.as_deref()),
        (Some("all"), Some("on")),
        "pg_stat_statements must record every statement, utility ones included"
    );
    db.load_fixture("fixtures/fleet/schema.sql");
    let role = LimitedRole::create(&db, "ro", "ro-pw-Zg-1093");
    // The one table zerogap reads: the contract's migration table (`migrations:` in
    // fixtures/fleet/contract.yaml). Without this grant the migration check cannot run and
    // the result is exit 2 (failclosed.rs); the catalogs need no grant at all.
    db.exec(&format!(
        "GRANT SELECT ON schema_migrations TO {}",
        quote_ident(&role.name)
    ));
    // The role can write nothing: no privilege on any table, no CREATE in public or in
    // the database, no temporary tables.
    let privileges = db.query_strings(&format!(
        "SELECT has_table_privilege('{r}', 'fleets', 'INSERT, UPDATE, DELETE, TRUNCATE')::text,
                has_table_privilege('{r}', 'fleets', 'SELECT')::text,
                has_schema_privilege('{r}', 'public', 'CREATE')::text,
                has_database_privilege('{r}', current_database(), 'CREATE, TEMP')::text,
                has_database_privilege('{r}', current_database(), 'CONNECT')::text",
        r = role.name
    ));
    let no = Some("false".to_string());
    let yes = Some("true".to_string());
    assert_eq!(
        privileges,
        vec![vec![no.clone(), no.clone(), no.clone(), no, yes]],
        "the role's privileges"
    );

    let oid = role.oid();
    let dbid = db
        .query_one_string("SELECT oid::text FROM pg_database WHERE datname = current_database()")
        .expect("dbid");
    // Cluster-wide statistics: forget only this role's statements (it has none yet).
    db.exec(&format!("SELECT pg_stat_statements_reset({oid}::oid)"));

    let out = zerogap()
        .args([
            "check",
            "--no-scan",
            "--db",
            &role.url,
            "--contracts",
            "fixtures/fleet/contract.yaml",
            "--format",
            "json",
            "--statement-timeout",
            "7s",
            "--lock-timeout",
            "3s",
        ])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not a JSON report ({e}): {}\n{stderr}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    assert_eq!(out.status.code(), Some(0), "{report:#}\n{stderr}");
    assert_eq!(report["findings"], serde_json::json!([]), "{report:#}");
    assert_eq!(report["checks"]["schema"], "passed");
    assert!(report.get("not_checked").is_none(), "{report:#}");

    // Every statement the role ran in this database, with how often.
    let rows = db.query_strings(&format!(
        "SELECT query, calls::text FROM pg_stat_statements
         WHERE userid = {oid}::oid AND dbid = {dbid}::oid ORDER BY query"
    ));
    let statements: Vec<(String, u64)> = rows
        .into_iter()
        .map(|r| {
            let query = r[0].clone().unwrap_or_default();
            let calls = r[1].as_deref().and_then(|c| c.parse().ok()).unwrap_or(0);
            (query, calls)
        })
        .collect();
    let listing = statements
        .iter()
        .map(|(q, n)| {
            format!(
                "{n:>4} × {}",
                q.split_whitespace().collect::<Vec<_>>().join(" ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    // Not vacuous: the server, relations, columns, constraints, indexes, enums and
    // migration reads, each with its transaction and settings.
    let selects: Vec<&(String, u64)> = statements
        .iter()
        .filter(|(q, _)| matches!(first_word(q).as_str(), "SELECT" | "WITH"))
        .collect();
    assert!(selects.len() >= 6, "too few reads recorded:\n{listing}");

    const ALLOWED: &[&str] = &[
        "SELECT", "WITH", "SET", "SHOW", "BEGIN", "START", "ROLLBACK",
    ];
    const WRITES: &[&str] = &[
        "INSERT", "UPDATE", "DELETE", "MERGE", "CREATE", "ALTER", "DROP", "COPY", "TRUNCATE",
        "GRANT", "REVOKE", "COMMIT", "LOCK", "VACUUM", "ANALYZE", "CLUSTER", "REINDEX", "REFRESH",
        "COMMENT", "SECURITY", "PREPARE", "CALL", "DO", "DISCARD", "NOTIFY", "LISTEN", "INTO",
    ];
    for (q, _) in &statements {
        let first = first_word(q);
        assert!(
            ALLOWED.contains(&first.as_str()),
            "a statement that is not a read: {q}\n--- all ---\n{listing}"
        );
        if let Some(w) = words(q).iter().find(|w| WRITES.contains(&w.as_str())) {
            panic!("`{w}` in a statement: {q}\n--- all ---\n{listing}");
        }
        if first == "SET" {
            // Only transaction-local settings: nothing outlives the read-only transaction.
            assert_eq!(
                words(q).get(1).map(String::as_str),
                Some("LOCAL"),
                "a session-level SET: {q}"
            );
        }
        if first == "BEGIN" || first == "START" {
            assert!(
                q.to_ascii_uppercase().contains("READ ONLY"),
                "a transaction not opened read-only: {q}"
            );
        }
    }

    // Every read ran in its own transaction opened READ ONLY, with the timeouts of the
    // command line set locally, and ended by ROLLBACK (never COMMIT, checked above).
    let calls_of = |text: &str| -> u64 {
        statements
            .iter()
            .filter(|(q, _)| q.trim().eq_ignore_ascii_case(text))
            .map(|(_, n)| *n)
            .sum()
    };
    // The declared query is prepared in a transaction of its own (`SET LOCAL search_path`),
    // inside which tokio-postgres may look up a type it does not know (pg_type, pg_enum);
    // the query itself is parsed and described, never executed, so it is not recorded.
    let client_lookup = |q: &str| {
        q.contains("FROM pg_catalog.pg_type")
            || q.contains("FROM pg_catalog.pg_enum")
            || q.contains("FROM pg_catalog.pg_attribute")
    };
    let reads: u64 = selects
        .iter()
        .filter(|(q, _)| !client_lookup(q))
        .map(|(_, n)| *n)
        .sum();
    let prepares: u64 = statements
        .iter()
        .filter(|(q, _)| q.starts_with("SET LOCAL search_path"))
        .map(|(_, n)| *n)
        .sum();
    assert!(prepares > 0, "no query prepared:\n{listing}");
    assert!(
        !statements.iter().any(|(q, _)| q.contains("FROM vehicles")),
        "a declared query was executed:\n{listing}"
    );
    let begun = calls_of("START TRANSACTION READ ONLY");
    assert!(begun > 0, "no START TRANSACTION READ ONLY:\n{listing}");
    assert_eq!(
        begun,
        reads + prepares,
        "one read-only transaction per read or prepare:\n{listing}"
    );
    assert_eq!(
        calls_of("ROLLBACK"),
        begun,
        "each ended by ROLLBACK:\n{listing}"
    );
    assert_eq!(
        calls_of("SET LOCAL statement_timeout = 7000"),
        begun,
        "--statement-timeout 7s set in every transaction:\n{listing}"
    );
    assert_eq!(
        calls_of("SET LOCAL lock_timeout = 3000"),
        begun,
        "--lock-timeout 3s set in every transaction:\n{listing}"
    );
}
