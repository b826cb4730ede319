//! `zerogap init` round trips: contracts written from a database, then `check` of the same
//! database finds nothing — plain PostgreSQL (the fleet fixture) and TimescaleDB (the seed
//! fixtures: hypertables, space partitioning, compression, retention, a continuous aggregate).

use assert_cmd::Command;
use serde_json::Value;

use crate::harness::{self, Flavor, TestDb};

fn init_then_check(db: &TestDb) -> (Value, Vec<String>) {
    let dir = tempfile::tempdir().expect("tmp");
    let out_dir = dir.path().join("contracts");
    let mut init = Command::cargo_bin("zerogap").expect("binary");
    init.env_remove("DATABASE_URL")
        .args(["init", "--db", &db.url, "--out"])
        .arg(&out_dir);
    if db.flavor == Flavor::Timescale {
        init.args(["--schema", &db.schema, "--max-connections", "1"]);
    }
    let out = init.output().expect("run init");
    assert_eq!(
        out.status.code(),
        Some(0),
        "init: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files: Vec<String> = std::fs::read_dir(&out_dir)
        .expect("contracts written")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    let texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(out_dir.join(f)).expect("read"))
        .collect();

    // Written files are valid contracts (lint), and they describe the database exactly.
    let lint = Command::cargo_bin("zerogap")
        .expect("binary")
        .args(["lint", "--format", "json"])
        .arg(&out_dir)
        .output()
        .expect("run lint");
    assert_eq!(
        lint.status.code(),
        Some(0),
        "lint: {}",
        String::from_utf8_lossy(&lint.stdout)
    );

    let mut check = Command::cargo_bin("zerogap").expect("binary");
    check
        .env_remove("DATABASE_URL")
        .args([
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
        .arg(&out_dir);
    if db.flavor == Flavor::Timescale {
        check.args(["--max-connections", "1"]);
    }
    let out = check.output().expect("run check");
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(
        out.status.code(),
        Some(0),
        "check after init: {:#}\n{}",
        report["findings"],
        texts.join("\n---\n")
    );
    assert_eq!(report["findings"], serde_json::json!([]));
    assert_eq!(report["summary"]["compliance_pct"], 100.0);
    (report, texts)
}

fn assert_exists(path: &str) {
    assert!(harness::repo_root().join(path).is_file(), "{path}");
}

#[test]
fn init_round_trip_postgres() {
    let Some(db) = harness::postgres("init_pg") else {
        return;
    };
    assert_exists("fixtures/fleet/schema.sql");
    db.load_fixture("fixtures/fleet/schema.sql");
    let (report, texts) = init_then_check(&db);
    assert!(report["summary"]["objects_checked"].as_u64().unwrap_or(0) > 150);
    let all = texts.join("\n");
    // Idiomatic spellings, not format_type's.
    assert!(all.contains("type: \"varchar(100)\""), "{all}");
    assert!(all.contains("type: timestamptz"), "{all}");
    assert!(all.contains("type: serial"), "{all}");
    assert!(!all.contains("nullable: true"), "{all}");
}

#[test]
fn init_round_trip_timescale_signal_service() {
    let Some(db) = harness::timescale("init_signal") else {
        return;
    };
    db.load_fixture("fixtures/signal_service.sql");
    let (report, texts) = init_then_check(&db);
    assert!(
        report["summary"]["per_check"]["timescale"]["checked"]
            .as_u64()
            .unwrap_or(0)
            > 0
    );
    let all = texts.join("\n");
    assert!(all.contains("hypertable:"), "{all}");
    assert!(all.contains("continuous_aggregates:"), "{all}");
    assert!(all.contains("retention:"), "{all}");
}

#[test]
fn init_round_trip_timescale_boursavision() {
    let Some(db) = harness::timescale("init_bourse") else {
        return;
    };
    db.load_fixture("fixtures/boursavision.sql");
    let (_, texts) = init_then_check(&db);
    let all = texts.join("\n");
    assert!(all.contains("partitioning:"), "{all}");
    assert!(all.contains("compression:"), "{all}");
}
