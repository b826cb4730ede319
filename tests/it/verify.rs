//! Live query verification: the repository's queries and the declared ones prepared on real
//! servers, then the schema broken (changed type, dropped column, renamed table) and the
//! exact findings asserted; `--bench`; TimescaleDB hyperfunctions with one connection.

use std::collections::BTreeSet;

use assert_cmd::Command;
use serde_json::Value;

use crate::harness::{self, Flavor, TestDb};

const QUERY_RULES: &[&str] = &[
    "ZG308", "ZG401", "ZG402", "ZG403", "ZG404", "ZG405", "ZG406", "ZG407", "ZG408", "ZG409",
];

fn check(db: &TestDb, repo: &str, contracts: &str, extra: &[&str]) -> (i32, Value) {
    let root = harness::repo_root();
    let mut cmd = Command::cargo_bin("zerogap").expect("binary");
    cmd.env_remove("DATABASE_URL")
        .current_dir(&root)
        .args(["check", "--format", "json", "--db", &db.url, "--repo", repo]);
    let contracts = if db.schema == "public" {
        root.join(contracts)
    } else {
        let text = std::fs::read_to_string(root.join(contracts)).expect("contract");
        let path = std::env::temp_dir().join(format!("zg_verify_{}.yaml", db.schema));
        std::fs::write(&path, harness::rewrite_contract_schema(&text, &db.schema)).expect("write");
        path
    };
    cmd.arg("--contracts").arg(contracts).args(extra);
    if db.flavor == Flavor::Timescale {
        cmd.args(["--max-connections", "1"]);
    }
    let out = cmd.output().expect("run check");
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), report)
}

/// (rule, file, line) of the query findings.
fn query_findings(report: &Value) -> BTreeSet<(String, String, u64)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| QUERY_RULES.contains(&f["rule"].as_str().unwrap_or("")))
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["location"]["file"]
                    .as_str()
                    .unwrap_or("")
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
                    .to_string(),
                f["location"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn set(items: &[(&str, &str, u64)]) -> BTreeSet<(String, String, u64)> {
    items
        .iter()
        .map(|(r, f, l)| (r.to_string(), f.to_string(), *l))
        .collect()
}

fn message_of<'a>(report: &'a Value, rule: &str, line: u64) -> &'a str {
    report["findings"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|f| f["rule"] == rule && f["location"]["line"].as_u64() == Some(line))
        })
        .and_then(|f| f["message"].as_str())
        .unwrap_or("")
}

#[test]
fn repository_and_declared_queries_are_prepared_and_breakage_is_found() {
    let Some(db) = harness::postgres("verify_billing") else {
        return;
    };
    db.load_fixture("fixtures/queries/schema.sql");
    let repo = "fixtures/queries/app";
    let contract = "fixtures/queries/contract.yaml";

    // As built: only the argument-count mismatch (error) and the identifier-composed query
    // (info) — every other query prepares, declared ones with the declared shapes.
    let (code, r) = check(&db, repo, contract, &[]);
    assert_eq!(
        query_findings(&r),
        set(&[("ZG308", "billing.py", 25), ("ZG402", "billing.py", 30)]),
        "{:#}",
        r["findings"]
    );
    assert_eq!(code, 1);
    assert_eq!(r["checks"]["queries"], "failed");
    let prepared: Vec<&Value> = r["queries"]
        .as_array()
        .expect("queries")
        .iter()
        .filter(|q| q["verified"] == "prepared")
        .collect();
    assert_eq!(prepared.len(), 5, "{:#}", r["queries"]);
    let js = prepared
        .iter()
        .find(|q| {
            q["file"]
                .as_str()
                .is_some_and(|f| f.ends_with("reports.js"))
        })
        .expect("reports.js prepared");
    assert_eq!(js["params"], serde_json::json!(["int8"]));
    assert_eq!(
        js["columns"],
        serde_json::json!([{"name": "id", "type": "int8"}, {"name": "amount", "type": "numeric"}, {"name": "email", "type": "text"}])
    );
    let by_email = prepared
        .iter()
        .find(|q| q["declared_as"] == "account_by_email")
        .expect("declared query matched in billing.py");
    assert_eq!(
        by_email["consumers"],
        serde_json::json!(["billing-service"])
    );
    let declared = r["declared_queries"].as_array().expect("declared_queries");
    assert_eq!(declared.len(), 2);
    assert_eq!(declared[1]["name"], "payments_since");
    assert_eq!(
        declared[1]["found_at"],
        serde_json::json!(["billing.py:12"])
    );
    assert_eq!(declared[1]["verified"], "prepared");

    // A changed type: the declared result no longer holds.
    db.exec("ALTER TABLE payments ALTER COLUMN amount TYPE double precision");
    let (_, r) = check(&db, repo, contract, &[]);
    assert_eq!(
        query_findings(&r),
        set(&[
            ("ZG308", "billing.py", 25),
            ("ZG402", "billing.py", 30),
            ("ZG406", "contract.yaml", 31),
        ]),
        "{:#}",
        r["findings"]
    );
    assert!(
        message_of(&r, "ZG406", 31).contains("total float8")
            && message_of(&r, "ZG406", 31).contains("consumers: reporting, finance-export"),
        "{}",
        message_of(&r, "ZG406", 31)
    );

    // A dropped column and a renamed table: every query that uses them is rejected, at its
    // source line (and inside a multi-line string, at the line of the error).
    db.exec("ALTER TABLE accounts DROP COLUMN plan; ALTER TABLE payments RENAME TO charges");
    let (code, r) = check(&db, repo, contract, &[]);
    assert_eq!(
        query_findings(&r),
        set(&[
            ("ZG401", "billing.py", 6),
            ("ZG401", "billing.py", 14),
            ("ZG401", "billing.py", 25),
            ("ZG308", "billing.py", 25),
            ("ZG402", "billing.py", 30),
            ("ZG401", "reports.js", 5),
            ("ZG401", "plans.go", 8),
            ("ZG401", "contract.yaml", 24),
            ("ZG401", "contract.yaml", 31),
        ]),
        "{:#}",
        r["findings"]
    );
    assert_eq!(code, 1);
    let m = message_of(&r, "ZG401", 6);
    assert!(
        m.contains("column \"plan\" does not exist") && m.contains("42703"),
        "{m}"
    );
    let m = message_of(&r, "ZG401", 24);
    assert!(
        m.contains("declared query account_by_email (consumers: billing-service)"),
        "{m}"
    );
    let m = message_of(&r, "ZG401", 14);
    assert!(
        m.contains("relation \"payments\" does not exist") && m.contains("42P01"),
        "{m}"
    );

    // The session stayed read-only: nothing was executed, the table is still empty of
    // what a failed UPDATE would have written.
    assert_eq!(
        db.query_one_string("SELECT count(*)::text FROM accounts"),
        Some("2".to_string())
    );
}

#[test]
fn bench_reports_median_latency_and_plan() {
    let Some(db) = harness::postgres("verify_bench") else {
        return;
    };
    db.load_fixture("fixtures/queries/schema.sql");
    let (_, r) = check(
        &db,
        "fixtures/queries/app",
        "fixtures/queries/contract.yaml",
        &["--bench", "--bench-runs", "3"],
    );
    let declared = r["declared_queries"].as_array().expect("declared_queries");
    let bench = &declared[0]["bench"];
    assert_eq!(bench["runs"], 3, "{:#}", r["declared_queries"]);
    assert!(bench["median_ms"].as_f64().is_some_and(|m| m >= 0.0));
    assert_eq!(bench["max_latency_ms"], 50.0);
    assert_eq!(bench["seq_scans"], serde_json::json!(["public.accounts"]));
    // No example_params: not benchmarked.
    assert!(declared[1].get("bench").is_none());
    assert!(
        !query_findings(&r)
            .iter()
            .any(|(rule, _, _)| rule == "ZG409")
    );

    // Without --bench nothing is executed.
    let (_, r) = check(
        &db,
        "fixtures/queries/app",
        "fixtures/queries/contract.yaml",
        &[],
    );
    assert!(r["declared_queries"][0].get("bench").is_none());
}

#[test]
fn timescale_hyperfunction_queries_prepare_with_one_connection() {
    let Some(db) = harness::timescale("verify_ts") else {
        return;
    };
    db.load_fixture("fixtures/signal_service.sql");
    let (code, r) = check(
        &db,
        "fixtures/signal_app",
        "contracts/signal_service.yaml",
        &["--bench", "--bench-runs", "1"],
    );
    let qf = query_findings(&r);
    assert!(
        !qf.iter().any(|(rule, _, _)| matches!(
            rule.as_str(),
            "ZG308" | "ZG401" | "ZG403" | "ZG405" | "ZG406" | "ZG409"
        )),
        "{:#}",
        r["findings"]
    );
    let queries = r["queries"].as_array().expect("queries");
    assert!(queries.len() >= 6);
    assert!(
        queries.iter().all(|q| q["verified"] == "prepared"),
        "{:#}",
        r["queries"]
    );
    // time_bucket + last(): prepared with the server's types.
    let hourly = queries
        .iter()
        .find(|q| q["columns"][0]["name"] == "bucket")
        .expect("time_bucket query");
    assert_eq!(hourly["columns"][0]["type"], "timestamptz");
    assert!(code == 0 || code == 1, "{code}");
}

#[test]
fn fleet_prepares_on_every_target_and_ignore_comments_hold() {
    let (Some(a), Some(b)) = (
        harness::postgres("verify_fleet_a"),
        harness::postgres("verify_fleet_b"),
    ) else {
        return;
    };
    let schema = "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, plan text);";
    a.exec(schema);
    b.exec(schema);
    b.exec("ALTER TABLE accounts DROP COLUMN plan"); // us has lost a column
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("c.yaml"),
        "tables:\n  accounts:\n    columns:\n      id: { type: bigint, nullable: false }\n      email: { type: text, nullable: false }\n      plan: { type: text }\n    primary_key: [id]\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("zerogap.yaml"),
        "contracts: c.yaml\ntargets:\n  eu: { url_env: ZG_VF_EU }\n  us: { url_env: ZG_VF_US }\n",
    )
    .expect("write");
    std::fs::create_dir(dir.path().join("app")).expect("mkdir");
    std::fs::write(
        dir.path().join("app/q.py"),
        "def plan(cur, i):\n    cur.execute(\"SELECT plan FROM accounts WHERE id = %s\", (i,))\n\n\ndef plan_again(cur, i):\n    # zerogap: ignore[prepare-failed]\n    cur.execute(\"SELECT plan, email FROM accounts WHERE id = %s\", (i,))\n",
    )
    .expect("write");
    let out = Command::cargo_bin("zerogap")
        .expect("binary")
        .env_remove("DATABASE_URL")
        .current_dir(dir.path())
        .env("ZG_VF_EU", &a.url)
        .env("ZG_VF_US", &b.url)
        .args([
            "check", "--format", "json", "--repo", "app", "--target", "eu", "--target", "us",
        ])
        .output()
        .expect("run");
    let r: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    // The query is rejected on us only (and the ignored one not reported), at its line.
    let rejected: Vec<(String, u64)> = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "ZG401")
        .map(|f| {
            (
                f["target"].as_str().unwrap_or("").to_string(),
                f["location"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(rejected, vec![("us".to_string(), 2)], "{:#}", r["findings"]);
    assert_eq!(r["summary"]["suppressed"], 1, "{:#}", r["summary"]);
    assert_eq!(out.status.code(), Some(1));
}
