//! TimescaleDB mutation tests on the seed contracts (signal_service, BoursaVision):
//! the fixture satisfies its contract; one change gives exit 1 and a finding naming it.

use crate::drift::{check, findings};
use crate::harness::{self, TestDb};

fn contract_text(db: &TestDb, path: &str) -> String {
    db.contract(&std::fs::read_to_string(harness::repo_root().join(path)).expect("contract"))
}

fn signal_db(name: &str) -> Option<TestDb> {
    let db = harness::timescale(name)?;
    db.load_fixture("fixtures/signal_service.sql");
    Some(db)
}

fn signal_contract(db: &TestDb) -> String {
    contract_text(db, "contracts/signal_service.yaml")
}

fn assert_finding(
    db: &TestDb,
    code: i32,
    report: &serde_json::Value,
    stderr: &str,
    rule: &str,
    object: &str,
) {
    let want = (rule.to_string(), object.replace("{s}", &db.schema));
    let got = findings(report);
    assert!(
        got.contains(&want),
        "expected {want:?} in {got:#?}\nstderr: {stderr}"
    );
    assert_eq!(code, 1, "{report:#}");
}

fn mutation(name: &str, sql: &str, rule: &str, object: &str) {
    mutation_with(name, sql, rule, object, &[]);
}

fn mutation_with(name: &str, sql: &str, rule: &str, object: &str, extra: &[&str]) {
    let Some(db) = signal_db(name) else { return };
    db.exec(sql);
    let (code, report, stderr) =
        check(&db, &[("signal_service.yaml", signal_contract(&db))], extra);
    assert_finding(&db, code, &report, &stderr, rule, object);
}

fn contract_mutation(name: &str, from: &str, to: &str, rule: &str, object: &str) {
    let Some(db) = signal_db(name) else { return };
    let text = signal_contract(&db);
    assert!(text.contains(from), "contract has no `{from}`");
    let (code, report, stderr) = check(
        &db,
        &[("signal_service.yaml", text.replacen(from, to, 1))],
        &[],
    );
    assert_finding(&db, code, &report, &stderr, rule, object);
}

#[test]
fn signal_service_fixture_satisfies_its_contract() {
    let Some(db) = signal_db("signal_clean") else {
        return;
    };
    let (code, report, stderr) = check(&db, &[("signal_service.yaml", signal_contract(&db))], &[]);
    assert_eq!(findings(&report), vec![], "stderr: {stderr}\n{report:#}");
    assert_eq!(code, 0);
    assert_eq!(report["checks"]["timescale"], "passed");
    assert_eq!(report["checks"]["schema"], "passed");
    assert!(
        report["target"]["timescaledb_version"]
            .as_str()
            .is_some_and(|v| v.starts_with("2."))
    );
    assert!(
        report["summary"]["per_check"]["timescale"]["checked"]
            .as_u64()
            .unwrap_or(0)
            >= 20,
        "{report:#}"
    );
}

#[test]
fn boursavision_fixture_satisfies_its_contract() {
    let Some(db) = harness::timescale("bv_clean") else {
        return;
    };
    db.load_fixture("fixtures/boursavision.sql");
    let text = contract_text(&db, "contracts/boursavision/boursavision.yaml");
    let (code, report, stderr) = check(&db, &[("boursavision.yaml", text)], &[]);
    assert_eq!(findings(&report), vec![], "stderr: {stderr}\n{report:#}");
    assert_eq!(code, 0);
}

#[test]
fn space_partitions_changed() {
    let Some(db) = harness::timescale("bv_partitions") else {
        return;
    };
    db.load_fixture("fixtures/boursavision.sql");
    db.exec("SELECT set_number_partitions('market_data', 8)");
    let text = contract_text(&db, "contracts/boursavision/boursavision.yaml");
    let (code, report, stderr) = check(&db, &[("boursavision.yaml", text)], &[]);
    assert_finding(&db, code, &report, &stderr, "ZG205", "{s}.market_data");
}

#[test]
fn chunk_interval_changed() {
    mutation(
        "ts_chunk",
        "SELECT set_chunk_time_interval('signal_greeks', INTERVAL '2 days')",
        "ZG204",
        "{s}.signal_greeks",
    );
}

#[test]
fn segment_by_changed() {
    mutation(
        "ts_segment",
        "ALTER TABLE signal_greeks SET (timescaledb.compress_segmentby = 'signal_id')",
        "ZG206",
        "{s}.signal_greeks",
    );
}

#[test]
fn compression_disabled() {
    mutation(
        "ts_nocompress",
        "SELECT remove_compression_policy('signal_indicators'); ALTER TABLE signal_indicators SET (timescaledb.compress = false)",
        "ZG206",
        "{s}.signal_indicators",
    );
}

#[test]
fn compression_policy_changed() {
    mutation(
        "ts_compress_after",
        "SELECT remove_compression_policy('signal_greeks'); SELECT add_compression_policy('signal_greeks', INTERVAL '14 days')",
        "ZG207",
        "{s}.signal_greeks",
    );
}

#[test]
fn compression_policy_missing() {
    mutation(
        "ts_compress_gone",
        "SELECT remove_compression_policy('signal_greeks')",
        "ZG207",
        "{s}.signal_greeks",
    );
}

#[test]
fn retention_changed() {
    mutation(
        "ts_retention",
        "SELECT remove_retention_policy('signal_greeks'); SELECT add_retention_policy('signal_greeks', INTERVAL '30 days')",
        "ZG208",
        "{s}.signal_greeks",
    );
}

#[test]
fn retention_missing() {
    mutation(
        "ts_retention_gone",
        "SELECT remove_retention_policy('signal_moneyness_greeks')",
        "ZG208",
        "{s}.signal_moneyness_greeks",
    );
}

#[test]
fn cagg_missing() {
    mutation(
        "ts_cagg_gone",
        "DROP MATERIALIZED VIEW greeks_hourly",
        "ZG209",
        "{s}.greeks_hourly",
    );
}

#[test]
fn cagg_materialized_only() {
    mutation(
        "ts_cagg_realtime",
        "ALTER MATERIALIZED VIEW greeks_hourly SET (timescaledb.materialized_only = false)",
        "ZG210",
        "{s}.greeks_hourly",
    );
}

#[test]
fn cagg_refresh_policy_changed() {
    mutation(
        "ts_cagg_refresh",
        "SELECT remove_continuous_aggregate_policy('greeks_hourly'); SELECT add_continuous_aggregate_policy('greeks_hourly', start_offset => INTERVAL '2 days', end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '1 hour')",
        "ZG211",
        "{s}.greeks_hourly",
    );
}

#[test]
fn cagg_bucket_in_contract_changed() {
    contract_mutation(
        "ts_cagg_bucket",
        "bucket: 1 hour",
        "bucket: 1 day",
        "ZG210",
        "{s}.greeks_hourly",
    );
}

/// `policy.undeclared_tables: warning` in the contract: fails with `--fail-on warning`.
#[test]
fn cagg_undeclared() {
    mutation_with(
        "ts_cagg_extra",
        "CREATE MATERIALIZED VIEW greeks_daily WITH (timescaledb.continuous) AS SELECT time_bucket('1 day', \"timestamp\") AS bucket, count(*) FROM signal_greeks GROUP BY 1 WITH NO DATA",
        "ZG212",
        "{s}.greeks_daily",
        &["--fail-on", "warning"],
    );
}

#[test]
fn hypertable_undeclared_and_hypertable_missing() {
    let Some(db) = signal_db("ts_hyper_kinds") else {
        return;
    };
    db.exec("CREATE TABLE ticks (ts timestamptz NOT NULL, v int); SELECT create_hypertable('ticks', 'ts'); CREATE TABLE plain_log (ts timestamptz NOT NULL)");
    let extra = db.contract(
        "schema: public\ntables:\n  ticks:\n    columns:\n      ts: { type: timestamptz }\n      v: { type: int }\n  plain_log:\n    columns:\n      ts: { type: timestamptz }\n    hypertable: { time_column: ts }\n",
    );
    let (code, report, stderr) = check(
        &db,
        &[
            ("signal_service.yaml", signal_contract(&db)),
            ("extra.yaml", extra),
        ],
        &[],
    );
    assert_finding(&db, code, &report, &stderr, "ZG202", "{s}.ticks");
    assert_finding(&db, code, &report, &stderr, "ZG201", "{s}.plain_log");
}

#[test]
fn timescaledb_version_requirement() {
    contract_mutation(
        "ts_requires",
        "timescaledb: \">=2.13\"",
        "timescaledb: \">=3.0\"",
        "ZG214",
        "timescaledb",
    );
}

#[test]
fn migration_version_behind() {
    contract_mutation(
        "ts_migration",
        "expect: 1.0.0",
        "expect: 1.1.0",
        "ZG128",
        "{s}.schema_version",
    );
}

/// On PostgreSQL without TimescaleDB, a contract with hypertables is drift, not a crash.
#[test]
fn timescaledb_missing_on_plain_postgres() {
    let Some(db) = harness::postgres("no_timescale") else {
        return;
    };
    db.exec("CREATE TABLE ticks (ts timestamptz NOT NULL, v int)");
    let contract = "schema: public\ntables:\n  ticks:\n    columns:\n      ts: { type: timestamptz }\n      v: { type: int }\n    hypertable: { time_column: ts, chunk_time_interval: 1 day }\n";
    let (code, report, stderr) = check(&db, &[("c.yaml", contract.to_string())], &[]);
    assert_finding(&db, code, &report, &stderr, "ZG213", "timescaledb");
}
