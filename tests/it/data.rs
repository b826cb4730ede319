//! `check --data` on real servers: fixture rows that break every rule by a known count
//! (fixtures/data/*.sql), the counts asserted exactly; hypertables read over a window;
//! big plain tables sampled; a rule that cannot finish makes the run "not verified".

use std::collections::BTreeMap;

use assert_cmd::Command;
use serde_json::Value;

use crate::harness::{self, Flavor, TestDb};

struct Run {
    code: i32,
    report: Value,
    stdout: String,
}

fn check(db: &TestDb, contracts: &[&str], extra: &[&str], format: &str) -> Run {
    let root = harness::repo_root();
    let mut cmd = Command::cargo_bin("zerogap").expect("binary");
    cmd.env_remove("DATABASE_URL").current_dir(&root).args([
        "check",
        "--no-scan",
        "--format",
        format,
        "--db",
        &db.url,
    ]);
    for c in contracts {
        let text = std::fs::read_to_string(root.join(c)).expect("contract");
        let path = std::env::temp_dir().join(format!(
            "zg_data_{}_{}",
            db.schema,
            c.rsplit('/').next().unwrap_or("c.yaml")
        ));
        std::fs::write(&path, db.contract(&text)).expect("write contract");
        cmd.arg("--contracts").arg(path);
    }
    if db.flavor == Flavor::Timescale {
        cmd.args(["--max-connections", "1"]);
    }
    let out = cmd.args(extra).output().expect("run check");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let report = if format == "json" {
        serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    } else {
        Value::Null
    };
    Run {
        code: out.status.code().unwrap_or(-1),
        report,
        stdout,
    }
}

/// `(rule, object without its schema) → violations` of every finding that carries rows.
fn counts(report: &Value) -> BTreeMap<(String, String), u64> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| !f["data"].is_null())
        .map(|f| {
            let object = f["object"].as_str().unwrap_or("");
            let object = object.split_once('.').map(|(_, o)| o).unwrap_or(object);
            (
                (
                    f["rule"].as_str().unwrap_or("").to_string(),
                    object.to_string(),
                ),
                f["data"]["violations"].as_u64().unwrap_or(u64::MAX),
            )
        })
        .collect()
}

fn expect(items: &[(&str, &str, u64)]) -> BTreeMap<(String, String), u64> {
    items
        .iter()
        .map(|(r, o, n)| ((r.to_string(), o.to_string()), *n))
        .collect()
}

fn finding<'a>(report: &'a Value, rule: &str, object_suffix: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .and_then(|a| {
            a.iter().find(|f| {
                f["rule"] == rule
                    && f["object"]
                        .as_str()
                        .is_some_and(|o| o.ends_with(object_suffix))
            })
        })
        .unwrap_or_else(|| panic!("no {rule} on {object_suffix}: {:#}", report["findings"]))
}

fn rows_fixture_is_counted_exactly(db: &TestDb) {
    db.load_fixture("fixtures/data/rows.sql");
    let r = check(db, &["fixtures/data/rows.yaml"], &["--data"], "json");
    assert_eq!(r.code, 1, "{:#}", r.report);
    assert_eq!(
        counts(&r.report),
        expect(&[
            // The catalog findings carry the rows' side: NOT NULL and foreign keys the
            // contract declares and the database does not enforce.
            ("ZG106", "accounts.email", 2),
            ("ZG112", "instruments.account_id_fkey", 2),
            ("ZG112", "orders.account_id_fkey", 1),
            ("ZG501", "instruments.instrument_key", 3),
            ("ZG502", "instruments.delta", 2),
            ("ZG503", "instruments.moneyness", 1),
            ("ZG504", "instruments.payload", 1),
            ("ZG505", "instruments.code", 2),
            ("ZG506", "instruments.code", 1),
            ("ZG507", "instruments.payload", 2),
            ("ZG508", "instruments.updated_at", 1),
            ("ZG509", "instruments", 0),
            // Declared no_orphans is judged on its own too (a waiver of ZG112 must not
            // hide orphans).
            ("ZG510", "instruments.account_id_fkey", 2),
        ]),
        "{:#}",
        r.report["findings"]
    );
    let email = finding(&r.report, "ZG106", "accounts.email");
    assert_eq!(email["data"]["rows_scanned"], 5);
    assert_eq!(email["data"]["share_pct"], 40.0);
    let mut ids: Vec<&str> = email["data"]["examples"]
        .as_array()
        .expect("examples")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    ids.sort();
    assert_eq!(ids, ["id=2", "id=4"]);
    assert!(
        email["message"]
            .as_str()
            .is_some_and(|m| m.contains("is NULL, the contract says NOT NULL; in the data (whole table): 2 of 5 rows (40%) are NULL")),
        "{}",
        email["message"]
    );
    let pattern = finding(&r.report, "ZG501", "instruments.instrument_key");
    // The first violations the scan meets (scan order is the server's).
    let mut examples: Vec<&str> = pattern["data"]["examples"]
        .as_array()
        .expect("examples")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    examples.sort();
    assert_eq!(examples, ["", "NSE-NIFTY", "nse@nifty@ce"]);
    assert_eq!(pattern["data"]["scope"], "whole table");
    assert!(
        finding(&r.report, "ZG509", "instruments")["message"]
            .as_str()
            .is_some_and(|m| m.contains("has 12 rows, the contract says at least 20"))
    );
    // A rule on a column the database lacks: not run, said so (and the column is missing).
    finding(&r.report, "ZG511", "instruments.venue");
    finding(&r.report, "ZG103", "instruments.venue");
    // Data rules count toward compliance: 13 rules, 2 met (accounts' row count, and the
    // foreign key the database enforces on payments).
    assert_eq!(
        r.report["summary"]["per_check"]["data"],
        serde_json::json!({"checked": 13, "matched": 2})
    );
    assert_eq!(r.report["checks"]["data"], "failed");
    let tables: Vec<(&str, u64)> = r.report["data"]
        .as_array()
        .expect("data tables")
        .iter()
        .map(|t| {
            (
                t["table"].as_str().unwrap_or(""),
                t["rows_scanned"].as_u64().unwrap_or(0),
            )
        })
        .map(|(t, n)| (t.split_once('.').map(|(_, t)| t).unwrap_or(t), n))
        .collect();
    // One query per table; payments needs none (its foreign key is enforced).
    assert_eq!(
        tables,
        vec![("accounts", 5), ("instruments", 12), ("orders", 3)]
    );

    // --no-examples: counts, never values, in any format.
    let r = check(
        db,
        &["fixtures/data/rows.yaml"],
        &["--data", "--no-examples"],
        "json",
    );
    assert_eq!(counts(&r.report).len(), 13);
    assert!(
        r.report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| f["data"]["examples"].is_null()
                && !f["message"].as_str().unwrap_or("").contains("e.g.")),
        "{:#}",
        r.report["findings"]
    );
    let md = check(
        db,
        &["fixtures/data/rows.yaml"],
        &["--data", "--no-examples"],
        "markdown",
    );
    assert!(
        md.stdout
            .contains("3 of 12 rows read (25%, whole table) do not match"),
        "{}",
        md.stdout
    );
    assert!(!md.stdout.contains("nse@nifty@ce"), "{}", md.stdout);

    // Without --data the rows are not read.
    let r = check(db, &["fixtures/data/rows.yaml"], &[], "json");
    assert!(r.report.get("data").is_none_or(Value::is_null));
    assert!(counts(&r.report).is_empty());
}

#[test]
fn data_rules_on_postgres_counted_exactly() {
    let Some(db) = harness::postgres("data_rows") else {
        return;
    };
    rows_fixture_is_counted_exactly(&db);
}

#[test]
fn data_rules_on_timescale_counted_exactly() {
    let Some(db) = harness::timescale("data_rows_ts") else {
        return;
    };
    rows_fixture_is_counted_exactly(&db);
}

#[test]
fn hypertables_are_read_over_a_window() {
    let Some(db) = harness::timescale("data_window") else {
        return;
    };
    db.load_fixture("fixtures/data/ticks.sql");
    let r = check(&db, &["fixtures/data/ticks.yaml"], &["--data"], "json");
    assert_eq!(r.code, 1, "{:#}", r.report);
    // The last day only: the older rows break every rule and are not counted.
    assert_eq!(
        counts(&r.report),
        expect(&[
            ("ZG501", "ticks.instrument_key", 2),
            ("ZG502", "ticks.delta", 2),
            ("ZG504", "ticks.payload", 1),
            ("ZG507", "ticks.payload", 1),
            // Freshness from the newest row, though quotes' window is empty.
            ("ZG508", "quotes.ts", 1),
        ]),
        "{:#}",
        r.report["findings"]
    );
    let scopes: Vec<(&str, &str, u64)> = r.report["data"]
        .as_array()
        .expect("data tables")
        .iter()
        .map(|t| {
            (
                t["table"]
                    .as_str()
                    .unwrap_or("")
                    .rsplit('.')
                    .next()
                    .unwrap_or(""),
                t["scope"].as_str().unwrap_or(""),
                t["rows_scanned"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        scopes,
        vec![("quotes", "last 1 day", 0), ("ticks", "last 1 day", 6)]
    );
    // ticks is fresh (10 minutes); quotes' newest row is 3 days old.
    assert!(
        finding(&r.report, "ZG508", "quotes.ts")["message"]
            .as_str()
            .is_some_and(|m| m.contains("(3 d 0 h old), the contract allows 1 day"))
    );
    // Rows without a key are named by their time.
    assert!(
        finding(&r.report, "ZG504", "ticks.payload")["data"]["examples"][0]
            .as_str()
            .is_some_and(|e| e.starts_with("ts=")),
        "{:#}",
        r.report["findings"]
    );

    // Every row: the old rows count too.
    let r = check(
        &db,
        &["fixtures/data/ticks.yaml"],
        &["--data", "--data-window", "all"],
        "json",
    );
    assert_eq!(
        counts(&r.report),
        expect(&[
            ("ZG501", "ticks.instrument_key", 6),
            ("ZG502", "ticks.delta", 6),
            ("ZG502", "quotes.price", 1),
            ("ZG504", "ticks.payload", 2),
            ("ZG507", "ticks.payload", 4),
            ("ZG508", "quotes.ts", 1),
        ]),
        "{:#}",
        r.report["findings"]
    );
}

#[test]
fn big_plain_tables_are_sampled() {
    let Some(db) = harness::postgres("data_sample") else {
        return;
    };
    // ~20 MB, one row in 100 breaking the pattern.
    db.exec(
        "CREATE TABLE events (id bigint PRIMARY KEY, code text NOT NULL, note text);
         INSERT INTO events
           SELECT i, CASE WHEN i % 100 = 0 THEN 'bad' ELSE 'EV' || i END, repeat('x', 40)
           FROM generate_series(1, 300000) i;
         ANALYZE events;",
    );
    std::fs::write(
        std::env::temp_dir().join("zg_data_sample.yaml"),
        "tables:\n  events:\n    columns:\n      id: { type: bigint }\n      code: { type: text, nullable: false, rules: { pattern: '^EV[0-9]+$' } }\n      note: { type: text }\n    primary_key: [id]\n",
    )
    .expect("write");
    let run = |extra: &[&str]| {
        let out = Command::cargo_bin("zerogap")
            .expect("binary")
            .env_remove("DATABASE_URL")
            .args(["check", "--no-scan", "--format", "json", "--db", &db.url])
            .arg("--contracts")
            .arg(std::env::temp_dir().join("zg_data_sample.yaml"))
            .args(extra)
            .output()
            .expect("run");
        serde_json::from_slice::<Value>(&out.stdout).expect("json")
    };
    let whole = run(&["--data"]);
    assert_eq!(whole["data"][0]["scope"], "whole table");
    assert_eq!(whole["data"][0]["rows_scanned"], 300_000);
    assert_eq!(
        finding(&whole, "ZG501", "events.code")["data"]["violations"],
        3000
    );

    let sampled = run(&["--data", "--sample", "10"]);
    assert_eq!(
        sampled["data"][0]["scope"],
        "10% sample (TABLESAMPLE SYSTEM)"
    );
    let read = sampled["data"][0]["rows_scanned"].as_u64().unwrap_or(0);
    // SYSTEM sampling picks whole pages: about a tenth, not exactly.
    assert!((10_000..=60_000).contains(&read), "{read}");
    let share = finding(&sampled, "ZG501", "events.code")["data"]["share_pct"]
        .as_f64()
        .unwrap_or(0.0);
    assert!((0.5..=1.5).contains(&share), "{share}");
}

#[test]
fn a_rule_that_cannot_finish_is_not_checked() {
    let Some(db) = harness::postgres("data_timeout") else {
        return;
    };
    db.load_fixture("fixtures/data/rows.sql");
    // Another session holds instruments: its rules wait for the lock until the timeout.
    let mut holder = db.connect();
    holder
        .batch_execute("BEGIN; LOCK TABLE instruments IN ACCESS EXCLUSIVE MODE")
        .expect("lock");
    let r = check(
        &db,
        &["fixtures/data/rows.yaml"],
        &["--data", "--lock-timeout", "300ms"],
        "json",
    );
    holder.close();
    assert_eq!(r.code, 2, "{:#}", r.report);
    assert_eq!(r.report["checks"]["data"], "incomplete");
    let reasons = r.report["not_checked"].to_string();
    assert!(
        reasons.contains("data rules of public.instruments not checked")
            && reasons.contains("pattern on instrument_key (")
            && reasons.contains("timed out"),
        "{reasons}"
    );
    // The other tables were still read.
    assert_eq!(
        finding(&r.report, "ZG106", "accounts.email")["data"]["violations"],
        2
    );
    assert!(
        !r.report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["rule"] == "ZG501")
    );
}

#[test]
fn fleets_check_the_rows_of_every_target() {
    let (Some(a), Some(b)) = (
        harness::postgres("data_fleet_a"),
        harness::postgres("data_fleet_b"),
    ) else {
        return;
    };
    a.exec(
        "CREATE TABLE t (id int PRIMARY KEY, code text); INSERT INTO t VALUES (1, 'A'), (2, 'bad')",
    );
    b.exec("CREATE TABLE t (id int PRIMARY KEY, code text); INSERT INTO t VALUES (1, 'A')");
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("c.yaml"),
        "tables:\n  t:\n    columns:\n      id: { type: int }\n      code: { type: text, rules: { pattern: '^[A-Z]+$' } }\n    primary_key: [id]\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("zerogap.yaml"),
        "contracts: c.yaml\ntargets:\n  eu: { url_env: ZG_DF_EU }\n  us: { url_env: ZG_DF_US }\n",
    )
    .expect("write");
    let out = Command::cargo_bin("zerogap")
        .expect("binary")
        .env_remove("DATABASE_URL")
        .current_dir(dir.path())
        .env("ZG_DF_EU", &a.url)
        .env("ZG_DF_US", &b.url)
        .args(["check", "--no-scan", "--data", "--format", "json"])
        .args(["--target", "eu", "--target", "us"])
        .output()
        .expect("run");
    let r: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let broken: Vec<(&str, u64)> = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "ZG501")
        .map(|f| {
            (
                f["target"].as_str().unwrap_or(""),
                f["data"]["violations"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(broken, [("eu", 1)], "{:#}", r["findings"]);
    let read: Vec<(&str, u64)> = r["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|d| {
            (
                d["target"].as_str().unwrap_or(""),
                d["rows_scanned"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(read, [("eu", 2), ("us", 1)]);
    assert_eq!(out.status.code(), Some(1));
}
