//! `zerogap import` round trips: the DDL that built a database, imported offline, gives
//! contracts that `check` of that database finds nothing against — and that `diff` finds no
//! change from against what `init` writes from the same database. Plain PostgreSQL (fleet
//! fixture, a migrations folder with ALTER/DROP/RENAME and unnamed constraints) and
//! TimescaleDB (the seed fixtures, a migrations folder with both create_hypertable APIs).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

use crate::harness::{self, Flavor, TestDb};

fn zerogap() -> Command {
    let mut c = Command::cargo_bin("zerogap").expect("binary");
    c.env_remove("DATABASE_URL");
    c
}

/// `import` of `ddl` into a fresh folder: (folder, exit code, stderr).
fn import(db: &TestDb, ddl: &[&str], dir: &Path) -> (PathBuf, i32, String) {
    let out_dir = dir.join("imported");
    let mut cmd = zerogap();
    cmd.arg("import");
    for d in ddl {
        cmd.arg(harness::repo_root().join(d));
    }
    cmd.args(["--schema", &db.schema, "--out"]).arg(&out_dir);
    let out = cmd.output().expect("run import");
    (
        out_dir,
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn check(db: &TestDb, contracts: &Path) -> (i32, Value) {
    let mut cmd = zerogap();
    cmd.args([
        "check",
        "--no-scan",
        "--fail-on",
        "info",
        "--format",
        "json",
        "--db",
        &db.url,
        "--contracts",
    ])
    .arg(contracts);
    if db.flavor == Flavor::Timescale {
        cmd.args(["--max-connections", "1"]);
    }
    let out = cmd.output().expect("run check");
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), report)
}

fn texts(dir: &Path) -> String {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("contracts written")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).expect("read"))
        .collect::<Vec<_>>()
        .join("\n---\n")
}

/// Import, then check (no findings at all), then `diff` against init's contracts of the same
/// database (no change). Returns import's stderr and the imported texts.
fn round_trip(db: &TestDb, ddl: &[&str], expect_exit: i32) -> (String, String) {
    let dir = tempfile::tempdir().expect("tmp");
    let (imported, code, stderr) = import(db, ddl, dir.path());
    assert_eq!(code, expect_exit, "import: {stderr}");
    let all = texts(&imported);
    let (code, report) = check(db, &imported);
    assert_eq!(
        report["findings"],
        serde_json::json!([]),
        "check after import: {:#}\n{all}",
        report["findings"]
    );
    assert_eq!(code, 0);
    assert_eq!(report["summary"]["compliance_pct"], 100.0);

    let init_dir = dir.path().join("init");
    let mut init = zerogap();
    init.args(["init", "--db", &db.url, "--schema", &db.schema, "--out"])
        .arg(&init_dir);
    if db.flavor == Flavor::Timescale {
        init.args(["--max-connections", "1"]);
    }
    let out = init.output().expect("run init");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let diff = zerogap()
        .args(["diff", "--format", "json"])
        .arg(&init_dir)
        .arg(&imported)
        .output()
        .expect("run diff");
    let changes: Value = serde_json::from_slice(&diff.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&diff.stderr)));
    assert_eq!(
        changes["changes"],
        serde_json::json!([]),
        "init vs import: {changes:#}\n--- import:\n{all}\n--- init:\n{}",
        texts(&init_dir)
    );
    (stderr, all)
}

#[test]
fn import_round_trip_postgres_schema_sql() {
    let Some(db) = harness::postgres("import_fleet") else {
        return;
    };
    db.load_fixture("fixtures/fleet/schema.sql");
    let (stderr, all) = round_trip(&db, &["fixtures/fleet/schema.sql"], 0);
    assert!(stderr.contains("0 skipped"), "{stderr}");
    assert!(all.contains("written by `zerogap import`"), "{all}");
}

#[test]
fn import_round_trip_postgres_migrations_folder() {
    let Some(db) = harness::postgres("import_migrations") else {
        return;
    };
    for f in [
        "fixtures/migrations/postgres/000001_init.up.sql",
        "fixtures/migrations/postgres/000002_orders.up.sql",
        "fixtures/migrations/postgres/000003_more.up.sql",
    ] {
        db.load_fixture(f);
    }
    // The DO block is reported, with its line, and makes the exit code 1.
    let (stderr, all) = round_trip(&db, &["fixtures/migrations/postgres"], 1);
    assert!(
        stderr.contains("000003_more.up.sql:16:1: skipped `DO"),
        "{stderr}"
    );
    assert!(stderr.contains("1 skipped"), "{stderr}");
    // Names PostgreSQL generated, including a shortened one.
    for name in [
        "orders_total_check",
        "orders_check",
        "orders_customer_id_placed_at_key",
        "orders_customer_id_fkey",
        "idx_orders_customer_recent",
        "customers_email_key",
    ] {
        assert!(all.contains(name), "{name}: {all}");
    }
    assert!(!all.contains("orders_lower_idx"), "{all}");
    assert!(!all.contains("country"), "{all}");
}

#[test]
fn import_round_trip_timescale_signal_service() {
    let Some(db) = harness::timescale("import_signal") else {
        return;
    };
    db.load_fixture("fixtures/signal_service.sql");
    let (_, all) = round_trip(&db, &["fixtures/signal_service.sql"], 0);
    assert!(all.contains("signal_greeks_timestamp_idx"), "{all}");
    assert!(all.contains("continuous_aggregates:"), "{all}");
}

#[test]
fn import_round_trip_timescale_boursavision() {
    let Some(db) = harness::timescale("import_bourse") else {
        return;
    };
    db.load_fixture("fixtures/boursavision.sql");
    let (_, all) = round_trip(&db, &["fixtures/boursavision.sql"], 0);
    assert!(all.contains("market_data_symbol_time_idx"), "{all}");
}

#[test]
fn import_round_trip_timescale_migrations_folder() {
    let Some(db) = harness::timescale("import_ts_migrations") else {
        return;
    };
    for f in [
        "fixtures/migrations/timescale/001_metrics.sql",
        "fixtures/migrations/timescale/002_policies.sql",
        "fixtures/migrations/timescale/003_events.sql",
    ] {
        db.load_fixture(f);
    }
    let (_, all) = round_trip(&db, &["fixtures/migrations/timescale"], 0);
    assert!(
        all.contains("partitioning: { column: device, partitions: 2 }"),
        "{all}"
    );
    assert!(all.contains("chunk_time_interval: 12 hours"), "{all}");
}

#[test]
fn unreadable_sql_is_reported_with_its_line_and_the_rest_still_imported() {
    let dir = tempfile::tempdir().expect("tmp");
    let ddl = dir.path().join("schema.sql");
    std::fs::write(
        &ddl,
        "CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE b (id int PRIMARY KEY) PARTITION OF;\nCREATE TABLE c (id int);\n",
    )
    .expect("write");
    let out_dir = dir.path().join("out");
    let out = zerogap()
        .arg("import")
        .arg(&ddl)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("schema.sql:2:1: skipped `CREATE TABLE b"),
        "{stderr}"
    );
    let text = std::fs::read_to_string(out_dir.join("public.yaml")).expect("written");
    assert!(text.contains("  a:\n") && text.contains("  c:\n"), "{text}");

    // A file the tokenizer cannot read at all is an input error: exit 2 with file:line.
    std::fs::write(&ddl, "CREATE TABLE a (id int);\nSELECT 'unterminated\n").expect("write");
    let out = zerogap()
        .arg("import")
        .arg(&ddl)
        .arg("--out")
        .arg(dir.path().join("out2"))
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("schema.sql:2:"), "{stderr}");
}
