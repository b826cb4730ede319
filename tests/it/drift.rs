//! Mutation tests: a database built from a fixture satisfies its contract (exit 0, no
//! finding); one change to the database (or the contract) gives exit 1 and a finding
//! naming the changed object. On PostgreSQL and on TimescaleDB.

use std::path::PathBuf;

use serde_json::Value;

use crate::harness::{self, Flavor, TestDb};

/// Runs `zerogap check` on the test's database with the given contract files.
pub fn check(db: &TestDb, contracts: &[(&str, String)], extra: &[&str]) -> (i32, Value, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut args: Vec<String> = vec![
        "check".into(),
        "--no-scan".into(),
        "--db".into(),
        db.url.clone(),
    ];
    for (name, text) in contracts {
        let path: PathBuf = dir.path().join(name);
        std::fs::write(&path, text).expect("write contract");
        args.push("--contracts".into());
        args.push(path.to_string_lossy().to_string());
    }
    args.extend(["--format", "json"].map(String::from));
    if db.flavor == Flavor::Timescale {
        args.extend(["--max-connections", "1"].map(String::from));
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let out = assert_cmd::Command::cargo_bin("zerogap")
        .expect("binary")
        .args(&args)
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

pub fn findings(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["rule"].as_str().unwrap_or_default().to_string(),
                        f["object"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn fleet_contract(db: &TestDb) -> String {
    db.contract(
        &std::fs::read_to_string(harness::repo_root().join("fixtures/fleet/contract.yaml"))
            .expect("fleet contract"),
    )
}

fn fleet_db(flavor: Flavor, name: &str) -> Option<TestDb> {
    let db = match flavor {
        Flavor::Postgres => harness::postgres(name)?,
        Flavor::Timescale => harness::timescale(name)?,
    };
    db.load_fixture("fixtures/fleet/schema.sql");
    Some(db)
}

/// The unchanged fixture: verified, nothing to report.
fn clean(flavor: Flavor) {
    let Some(db) = fleet_db(flavor, "fleet_clean") else {
        return;
    };
    let (code, report, stderr) = check(&db, &[("fleet.yaml", fleet_contract(&db))], &[]);
    assert_eq!(findings(&report), vec![], "stderr: {stderr}\n{report:#}");
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["checks"]["schema"], "passed");
    assert_eq!(report["summary"]["compliance_pct"], 100.0);
    assert!(
        report["summary"]["objects_checked"].as_u64().unwrap_or(0) > 150,
        "{report:#}"
    );
}

/// One database change → exit 1 and `rule` on `object` (`{s}` = the test's schema).
fn mutation(flavor: Flavor, name: &str, sql: &str, rule: &str, object: &str) {
    mutation_with(flavor, name, sql, rule, object, &[]);
}

/// An undeclared object is reported at the contract's policy level (here warning), so
/// these runs fail on warnings.
fn undeclared(flavor: Flavor, name: &str, sql: &str, rule: &str, object: &str) {
    mutation_with(flavor, name, sql, rule, object, &["--fail-on", "warning"]);
}

fn mutation_with(flavor: Flavor, name: &str, sql: &str, rule: &str, object: &str, extra: &[&str]) {
    let Some(db) = fleet_db(flavor, name) else {
        return;
    };
    db.exec(sql);
    let (code, report, stderr) = check(&db, &[("fleet.yaml", fleet_contract(&db))], extra);
    let want = (rule.to_string(), object.replace("{s}", &db.schema));
    let got = findings(&report);
    assert!(
        got.contains(&want),
        "expected {want:?} in {got:#?}\nstderr: {stderr}"
    );
    assert_eq!(code, 1, "{report:#}");
}

/// One contract change → exit 1 and `rule` on `object`.
fn contract_mutation(flavor: Flavor, name: &str, from: &str, to: &str, rule: &str, object: &str) {
    let Some(db) = fleet_db(flavor, name) else {
        return;
    };
    let text = fleet_contract(&db);
    assert!(text.contains(from), "contract has no `{from}`");
    let (code, report, stderr) = check(&db, &[("fleet.yaml", text.replacen(from, to, 1))], &[]);
    let want = (rule.to_string(), object.replace("{s}", &db.schema));
    let got = findings(&report);
    assert!(
        got.contains(&want),
        "expected {want:?} in {got:#?}\nstderr: {stderr}"
    );
    assert_eq!(code, 1, "{report:#}");
}

macro_rules! both_flavours {
    ($($name:ident => $body:expr;)*) => {
        mod postgres {
            use super::*;
            $( #[test] fn $name() { let f = Flavor::Postgres; $body(f) } )*
        }
        mod timescale {
            use super::*;
            $( #[test] fn $name() { let f = Flavor::Timescale; $body(f) } )*
        }
    };
}

both_flavours! {
    fleet_clean => clean;
    table_missing => |f| mutation(f, "table_missing", "DROP VIEW active_vehicles; DROP TABLE vehicles", "ZG101", "{s}.vehicles");
    table_undeclared => |f| mutation(f, "table_undeclared", "CREATE TABLE legacy_audit (id int)", "ZG102", "{s}.legacy_audit");
    column_missing => |f| mutation(f, "column_missing", "ALTER TABLE vehicles DROP COLUMN commissioned_on", "ZG103", "{s}.vehicles.commissioned_on");
    column_undeclared => |f| mutation(f, "column_undeclared", "ALTER TABLE vehicles ADD COLUMN debug_note text", "ZG105", "{s}.vehicles.debug_note");
    column_type => |f| mutation(f, "column_type", "ALTER TABLE vehicles ALTER COLUMN capacity_kg TYPE numeric(12,4)", "ZG104", "{s}.vehicles.capacity_kg");
    column_type_length => |f| mutation(f, "column_type_length", "ALTER TABLE vehicles ALTER COLUMN plate TYPE varchar(30)", "ZG104", "{s}.vehicles.plate");
    column_not_null_added => |f| mutation(f, "column_not_null_added", "ALTER TABLE fleets ALTER COLUMN region SET NOT NULL", "ZG106", "{s}.fleets.region");
    column_not_null_dropped => |f| mutation(f, "column_not_null_dropped", "ALTER TABLE vehicles ALTER COLUMN fuel_type DROP NOT NULL", "ZG106", "{s}.vehicles.fuel_type");
    column_default_changed => |f| mutation(f, "column_default_changed", "ALTER TABLE fleets ALTER COLUMN max_vehicles SET DEFAULT 50", "ZG107", "{s}.fleets.max_vehicles");
    column_default_dropped => |f| mutation(f, "column_default_dropped", "ALTER TABLE vehicles ALTER COLUMN fuel_type DROP DEFAULT", "ZG107", "{s}.vehicles.fuel_type");
    column_default_added => |f| mutation(f, "column_default_added", "ALTER TABLE vehicles ALTER COLUMN plate SET DEFAULT 'NONE'", "ZG107", "{s}.vehicles.plate");
    column_identity => |f| mutation(f, "column_identity", "ALTER TABLE vehicles ALTER COLUMN row_id SET GENERATED BY DEFAULT", "ZG108", "{s}.vehicles.row_id");
    column_serial_lost => |f| mutation(f, "column_serial_lost", "ALTER TABLE fleets ALTER COLUMN fleet_id DROP DEFAULT", "ZG108", "{s}.fleets.fleet_id");
    column_generated => |f| mutation(f, "column_generated", "DROP VIEW active_vehicles; ALTER TABLE vehicles DROP COLUMN vin_prefix; ALTER TABLE vehicles ADD COLUMN vin_prefix text GENERATED ALWAYS AS (substr(vin, 1, 4)) STORED", "ZG109", "{s}.vehicles.vin_prefix");
    column_comment => |f| mutation(f, "column_comment", "COMMENT ON COLUMN vehicles.vin IS 'Vehicle identification number'", "ZG110", "{s}.vehicles.vin");
    primary_key => |f| mutation(f, "primary_key", "ALTER TABLE schema_migrations DROP CONSTRAINT schema_migrations_pkey; ALTER TABLE schema_migrations ADD PRIMARY KEY (version, applied_at)", "ZG111", "{s}.schema_migrations.schema_migrations_pkey");
    foreign_key_missing => |f| mutation(f, "foreign_key_missing", "ALTER TABLE vehicles DROP CONSTRAINT vehicles_home_fleet_id_fkey", "ZG112", "{s}.vehicles.home_fleet_id_fkey");
    foreign_key_action => |f| mutation(f, "foreign_key_action", "ALTER TABLE vehicles DROP CONSTRAINT vehicles_fleet_id_fkey; ALTER TABLE vehicles ADD CONSTRAINT vehicles_fleet_id_fkey FOREIGN KEY (fleet_id) REFERENCES fleets (fleet_id) ON DELETE RESTRICT", "ZG113", "{s}.vehicles.vehicles_fleet_id_fkey");
    unique_missing => |f| mutation(f, "unique_missing", "ALTER TABLE fleets DROP CONSTRAINT fleets_name_key", "ZG114", "{s}.fleets.fleets_name_key");
    unique_columns => |f| mutation(f, "unique_columns", "ALTER TABLE fleets DROP CONSTRAINT fleets_name_key; ALTER TABLE fleets ADD CONSTRAINT fleets_name_key UNIQUE (name, country)", "ZG115", "{s}.fleets.fleets_name_key");
    check_missing => |f| mutation(f, "check_missing", "ALTER TABLE vehicles DROP CONSTRAINT chk_model_year", "ZG116", "{s}.vehicles.chk_model_year");
    check_changed_in_list => |f| mutation(f, "check_changed_in_list", "ALTER TABLE fleets DROP CONSTRAINT chk_fleets_country; ALTER TABLE fleets ADD CONSTRAINT chk_fleets_country CHECK (country IN ('FR', 'DE', 'ES'))", "ZG117", "{s}.fleets.chk_fleets_country");
    check_changed_bound => |f| mutation(f, "check_changed_bound", "ALTER TABLE vehicles DROP CONSTRAINT chk_model_year; ALTER TABLE vehicles ADD CONSTRAINT chk_model_year CHECK (model_year BETWEEN 1980 AND 2100)", "ZG117", "{s}.vehicles.chk_model_year");
    constraint_undeclared => |f| mutation(f, "constraint_undeclared", "ALTER TABLE fleets ADD CONSTRAINT chk_extra CHECK (max_vehicles < 100000)", "ZG118", "{s}.fleets.chk_extra");
    index_missing => |f| mutation(f, "index_missing", "DROP INDEX idx_vehicles_plate_hash", "ZG119", "{s}.vehicles.idx_vehicles_plate_hash");
    index_columns => |f| mutation(f, "index_columns", "DROP INDEX idx_vehicles_fleet_status; CREATE INDEX idx_vehicles_fleet_status ON vehicles (fleet_id) INCLUDE (vin)", "ZG120", "{s}.vehicles.idx_vehicles_fleet_status");
    index_include => |f| mutation(f, "index_include", "DROP INDEX idx_vehicles_fleet_status; CREATE INDEX idx_vehicles_fleet_status ON vehicles (fleet_id, status)", "ZG120", "{s}.vehicles.idx_vehicles_fleet_status");
    index_order => |f| mutation(f, "index_order", "DROP INDEX idx_vehicles_last_seen; CREATE INDEX idx_vehicles_last_seen ON vehicles (last_seen_at DESC)", "ZG120", "{s}.vehicles.idx_vehicles_last_seen");
    index_predicate => |f| mutation(f, "index_predicate", "DROP INDEX idx_vehicles_active; CREATE INDEX idx_vehicles_active ON vehicles (fleet_id) WHERE status = 'RETIRED'", "ZG120", "{s}.vehicles.idx_vehicles_active");
    index_method => |f| mutation(f, "index_method", "DROP INDEX idx_vehicles_plate_hash; CREATE INDEX idx_vehicles_plate_hash ON vehicles (plate)", "ZG120", "{s}.vehicles.idx_vehicles_plate_hash");
    index_opclass => |f| mutation(f, "index_opclass", "DROP INDEX idx_vehicles_attrs; CREATE INDEX idx_vehicles_attrs ON vehicles USING gin (attrs)", "ZG120", "{s}.vehicles.idx_vehicles_attrs");
    index_unique => |f| mutation(f, "index_unique", "DROP INDEX uq_vehicles_vin_lower; CREATE INDEX uq_vehicles_vin_lower ON vehicles (lower(vin))", "ZG120", "{s}.vehicles.uq_vehicles_vin_lower");
    index_expression => |f| mutation(f, "index_expression", "DROP INDEX uq_vehicles_vin_lower; CREATE UNIQUE INDEX uq_vehicles_vin_lower ON vehicles (upper(vin))", "ZG120", "{s}.vehicles.uq_vehicles_vin_lower");
    index_undeclared => |f| undeclared(f, "index_undeclared", "CREATE INDEX idx_tmp_debug ON vehicles (plate)", "ZG121", "{s}.vehicles.idx_tmp_debug");
    enum_values => |f| mutation(f, "enum_values", "ALTER TYPE vehicle_status ADD VALUE 'SOLD'", "ZG123", "{s}.vehicle_status");
    enum_missing => |f| contract_mutation(f, "enum_missing", "enums:\n", "enums:\n  fuel_kind: [diesel, petrol]\n", "ZG122", "{s}.fuel_kind");
    view_missing => |f| mutation(f, "view_missing", "DROP VIEW active_vehicles", "ZG124", "{s}.active_vehicles");
    view_columns => |f| mutation(f, "view_columns", "CREATE OR REPLACE VIEW active_vehicles AS SELECT v.vehicle_id, v.vin, f.name AS fleet, v.plate FROM vehicles v JOIN fleets f ON f.fleet_id = v.fleet_id", "ZG125", "{s}.active_vehicles");
    view_undeclared => |f| mutation(f, "view_undeclared", "CREATE VIEW v_extra AS SELECT 1 AS x", "ZG126", "{s}.v_extra");
    migration_behind => |f| mutation(f, "migration_behind", "INSERT INTO schema_migrations VALUES ('2.11.0', '2026-04-01 09:00:00+00', 'new')", "ZG128", "{s}.schema_migrations");
    migration_table_missing => |f| mutation(f, "migration_table_missing", "DROP TABLE schema_migrations", "ZG128", "{s}.schema_migrations");
    table_declared_missing_in_contract => |f| contract_mutation(f, "table_extra_in_contract", "tables:\n", "tables:\n  drivers:\n    columns:\n      id: { type: int }\n", "ZG101", "{s}.drivers");
}
