//! PgBouncer in transaction pooling mode in front of PostgreSQL: a full `check` works
//! through it, with one connection or several, and finds a drift made behind its back.

use serde_json::Value;

use crate::drift::findings;
use crate::harness::{self, Bouncer, TestDb};

/// `zerogap check` of the fleet contract on `url` (the test's database through the
/// bouncer).
fn check(url: &str, max_connections: &str) -> (i32, Value, String) {
    let out = assert_cmd::Command::cargo_bin("zerogap")
        .expect("binary")
        .args(["check", "--no-scan", "--db", url, "--contracts"])
        .arg(harness::repo_root().join("fixtures/fleet/contract.yaml"))
        .args(["--format", "json", "--max-connections", max_connections])
        .env_remove("DATABASE_URL")
        .output()
        .expect("run zerogap");
    let code = out.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let json: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("report is not JSON ({e}); exit {code}\nstdout:\n{stdout}\nstderr:\n{stderr}")
    });
    (code, json, stderr)
}

/// Transactions and queries pgbouncer has passed to the server for `database` so far
/// (`SHOW STATS`; no row before the first client of that database).
fn traffic(bouncer: &Bouncer, database: &str) -> (u64, u64) {
    let stats = bouncer.show("SHOW STATS");
    let Some(row) = stats
        .iter()
        .find(|r| r.get("database").cloned().flatten().as_deref() == Some(database))
    else {
        return (0, 0);
    };
    let number = |column: &str| -> u64 {
        row.get(column)
            .cloned()
            .flatten()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("SHOW STATS has no number in {column}: {row:?}"))
    };
    (number("total_xact_count"), number("total_query_count"))
}

/// Runs a check through the bouncer and proves that it went through it: pgbouncer's
/// counters for the test's database (a name no one else uses) grew by at least one
/// transaction per catalog read.
fn check_through(bouncer: &Bouncer, db: &TestDb, max_connections: &str) -> (i32, Value, String) {
    let before = traffic(bouncer, &db.database);
    let (code, report, stderr) = check(&bouncer.url(db), max_connections);
    let after = traffic(bouncer, &db.database);
    // server information, relations, columns, constraints, indexes, enums, migrations.
    assert!(
        after.0 >= before.0 + 7 && after.1 > after.0,
        "pgbouncer saw too little of the run (--max-connections {max_connections}): \
         transactions/queries {before:?} -> {after:?}\nstderr: {stderr}\nlog:\n{}",
        bouncer.log_text()
    );
    (code, report, stderr)
}

#[test]
fn check_through_pgbouncer_in_transaction_pooling() {
    let name = "pgbouncer_check";
    let Some(bouncer) = harness::pgbouncer(name) else {
        return;
    };
    let Some(db) = harness::postgres(name) else {
        return;
    };
    let config = bouncer.show("SHOW CONFIG");
    let pool_mode = config
        .iter()
        .find(|r| r.get("key").cloned().flatten().as_deref() == Some("pool_mode"))
        .and_then(|r| r.get("value").cloned().flatten());
    assert_eq!(pool_mode.as_deref(), Some("transaction"));
    let url = bouncer.url(&db);
    assert_ne!(url, db.url);
    assert!(
        url.contains(&format!("@127.0.0.1:{}/", bouncer.port)),
        "{url}"
    );

    db.load_fixture("fixtures/fleet/schema.sql");
    for max_connections in ["4", "1"] {
        let (code, report, stderr) = check_through(bouncer, &db, max_connections);
        assert_eq!(
            findings(&report),
            vec![],
            "--max-connections {max_connections}\nstderr: {stderr}\n{report:#}"
        );
        assert_eq!(code, 0, "--max-connections {max_connections}\n{report:#}");
        assert_eq!(report["checks"]["schema"], "passed", "{report:#}");
        assert!(
            !stderr.contains(db.password.as_deref().unwrap_or("\u{0}")),
            "{stderr}"
        );
    }
    // The clients logged in to pgbouncer, for this database.
    let log = bouncer.log_text();
    assert!(
        log.contains(&format!("login attempt: db={} user=", db.database)),
        "no login to {} in the pgbouncer log:\n{log}",
        db.database
    );

    // A drift made on a direct connection, seen through the bouncer.
    db.exec("ALTER TABLE vehicles ALTER COLUMN fuel_type DROP NOT NULL");
    for max_connections in ["4", "1"] {
        let (code, report, stderr) = check_through(bouncer, &db, max_connections);
        let want = ("ZG106".to_string(), "public.vehicles.fuel_type".to_string());
        let got = findings(&report);
        assert!(
            got.contains(&want),
            "--max-connections {max_connections}: expected {want:?} in {got:#?}\nstderr: {stderr}"
        );
        assert_eq!(code, 1, "--max-connections {max_connections}\n{report:#}");
    }
}
