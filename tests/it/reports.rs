//! Reports across runs, with the built binary on a real PostgreSQL: history (new →
//! persisting → resolved), waivers from zerogap.yaml, every format in one run, and
//! `zerogap report` rendering a history folder.

use assert_cmd::Command;
use serde_json::Value;

use crate::harness;

fn zerogap() -> Command {
    let mut c = Command::cargo_bin("zerogap").expect("binary");
    c.env_remove("DATABASE_URL")
        .current_dir(harness::repo_root());
    c
}

fn statuses(report: &Value) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["object"].as_str().unwrap_or_default().to_string(),
                f["status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

/// Drift introduced, kept, then fixed: new → persisting (first seen kept) → resolved.
#[test]
fn history_marks_new_persisting_resolved() {
    let Some(db) = harness::postgres("history") else {
        return;
    };
    db.exec("CREATE TABLE t (id int NOT NULL, note text)");
    let dir = tempfile::tempdir().expect("tmp");
    let contract = dir.path().join("c.yaml");
    std::fs::write(
        &contract,
        "tables:\n  t:\n    columns:\n      id: { type: int, nullable: false }\n      note: { type: text }\n",
    )
    .expect("write");
    let history = dir.path().join("history");
    let run = || {
        let out = zerogap()
            .args(["check", "--no-scan", "--db", &db.url, "--contracts"])
            .arg(&contract)
            .args(["--format", "json", "--history"])
            .arg(&history)
            .output()
            .expect("run");
        let report: Value = serde_json::from_slice(&out.stdout).expect("json");
        // Stored runs are named by target and UTC time: wait so two runs differ.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        (out.status.code(), report)
    };

    let (code, first) = run();
    assert_eq!(code, Some(0));
    assert_eq!(statuses(&first), vec![]);

    db.exec("ALTER TABLE t ALTER COLUMN note TYPE varchar(20)");
    let (code, second) = run();
    assert_eq!(code, Some(1));
    let s = statuses(&second);
    assert_eq!(s.len(), 1, "{s:?}");
    assert_eq!(s[0].0, "ZG104");
    assert_eq!(s[0].2, "new");
    let first_seen = second["findings"][0]["first_seen"].clone();
    assert!(first_seen.is_string());

    let (code, third) = run();
    assert_eq!(code, Some(1));
    assert_eq!(statuses(&third)[0].2, "persisting");
    assert_eq!(third["findings"][0]["first_seen"], first_seen);

    db.exec("ALTER TABLE t ALTER COLUMN note TYPE text");
    let (code, fourth) = run();
    assert_eq!(code, Some(0), "a resolved finding does not fail the run");
    assert_eq!(
        statuses(&fourth),
        vec![("ZG104".into(), "public.t.note".into(), "resolved".into())]
    );
    assert_eq!(fourth["summary"]["resolved"], 1);
    assert_eq!(fourth["summary"]["errors"], 0);

    let stored: Vec<_> = std::fs::read_dir(&history)
        .expect("history dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(stored.len(), 4, "{stored:?}");
    assert!(stored.iter().all(|n| n.ends_with("Z.json")), "{stored:?}");

    // `zerogap report` renders the newest stored run with the trend of all four.
    let out = zerogap()
        .args(["report", "--format", "markdown", "--history"])
        .arg(&history)
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.contains("## zerogap: OK"), "{md}");
    assert!(md.contains("| resolved |"), "{md}");
    let html = dir.path().join("nightly.html");
    let out = zerogap()
        .args(["report", "--format", "html", "--output"])
        .arg(&html)
        .arg("--history")
        .arg(&history)
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = std::fs::read_to_string(&html).expect("html written");
    assert!(page.contains("<svg"), "the trend chart is drawn");

    // Retention: keep the two newest runs.
    let out = zerogap()
        .args(["check", "--no-scan", "--db", &db.url, "--contracts"])
        .arg(&contract)
        .args(["--format", "json", "--history-keep", "2", "--history"])
        .arg(&history)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_dir(&history).expect("dir").count(), 2);
}

/// A waived finding stays in the report, marked, and does not fail the gate; once its
/// waiver has expired it counts again and the expired waiver is itself reported.
#[test]
fn waivers_from_the_config() {
    let Some(db) = harness::postgres("waivers") else {
        return;
    };
    db.exec("CREATE TABLE t (id int); CREATE TABLE legacy_audit (id int)");
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("c.yaml"),
        "tables:\n  t:\n    columns:\n      id: { type: int }\n",
    )
    .expect("write");
    let run = |expires: &str| {
        std::fs::write(
            dir.path().join("zerogap.yaml"),
            format!(
                "contracts: c.yaml\nwaivers:\n  - rule: table-undeclared\n    object: public.legacy_audit\n    reason: dropped in the Q1 migration plan\n    expires: {expires}\n  - rule: ZG104\n    object: public.nothing\n    reason: stale\n    expires: 2999-01-01\n"
            ),
        )
        .expect("write");
        let mut c = Command::cargo_bin("zerogap").expect("binary");
        let out = c
            .env_remove("DATABASE_URL")
            .current_dir(dir.path())
            .args([
                "check",
                "--no-scan",
                "--db",
                &db.url,
                "--format",
                "json",
                "--fail-on",
                "warning",
            ])
            .output()
            .expect("run");
        let report: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code(), report)
    };

    let (code, report) = run("2999-12-31");
    let f = report["findings"].as_array().expect("findings");
    let legacy = f.iter().find(|f| f["rule"] == "ZG102").expect("ZG102 kept");
    assert_eq!(
        legacy["waived"]["reason"],
        "dropped in the Q1 migration plan"
    );
    assert_eq!(legacy["waived"]["waiver"], "zerogap.yaml:3:11");
    let unused = f
        .iter()
        .find(|f| f["rule"] == "ZG006")
        .expect("unused waiver reported");
    assert_eq!(unused["location"]["line"], 7);
    // The unused waiver is a warning, and the gate is at warning.
    assert_eq!(code, Some(1));
    assert_eq!(report["summary"]["waived"], 1);
    assert_eq!(report["summary"]["warnings"], 1);

    let (code, report) = run("2020-01-01");
    assert_eq!(code, Some(1));
    let f = report["findings"].as_array().expect("findings");
    let legacy = f.iter().find(|f| f["rule"] == "ZG102").expect("ZG102");
    assert!(
        legacy["waived"].is_null(),
        "an expired waiver waives nothing"
    );
    assert!(f.iter().any(|f| f["rule"] == "ZG005"), "{f:?}");

    // A bad waiver is a config error: exit 2 with the line.
    std::fs::write(
        dir.path().join("zerogap.yaml"),
        "contracts: c.yaml\nwaivers:\n  - { rule: table-undeclard, object: x, reason: r, expires: 2030-01-01 }\n",
    )
    .expect("write");
    let out = Command::cargo_bin("zerogap")
        .expect("binary")
        .env_remove("DATABASE_URL")
        .current_dir(dir.path())
        .args(["check", "--no-scan", "--db", &db.url])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("zerogap.yaml:3:"), "{stderr}");
    assert!(
        stderr.contains("did you mean `table-undeclared`?"),
        "{stderr}"
    );
}

/// One run, every format: each file is what its consumer reads.
#[test]
fn every_format_from_one_run() {
    let Some(db) = harness::postgres("every_format") else {
        return;
    };
    db.exec("CREATE TABLE t (id bigint)");
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("c.yaml"),
        "tables:\n  t:\n    columns:\n      id: { type: int }\n",
    )
    .expect("write");
    let mut cmd = zerogap();
    cmd.args(["check", "--no-scan", "--db", &db.url, "--contracts"])
        .arg(dir.path().join("c.yaml"));
    let formats = [
        "json", "markdown", "html", "junit", "sarif", "github", "table",
    ];
    for f in formats {
        cmd.args(["--format", f, "--output"])
            .arg(dir.path().join(format!("out.{f}")));
    }
    let out = cmd.output().expect("run");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |f: &str| std::fs::read_to_string(dir.path().join(format!("out.{f}"))).expect(f);
    let json: Value = serde_json::from_str(&read("json")).expect("json");
    assert_eq!(json["findings"][0]["rule"], "ZG104");
    assert_eq!(json["objects"][0]["name"], "public.t");
    assert!(read("markdown").contains("column-type-mismatch"));
    assert!(read("html").contains("column-type-mismatch"));
    let junit = read("junit");
    assert!(
        junit.contains("<testcase name=\"public.t\" classname=\"table\">"),
        "{junit}"
    );
    assert!(junit.contains("failures=\"1\""), "{junit}");
    let sarif: Value = serde_json::from_str(&read("sarif")).expect("sarif");
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "ZG104");
    assert!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            == Some(4)
    );
    assert!(
        read("github").starts_with("::error file="),
        "{}",
        read("github")
    );
    assert!(read("table").contains("DRIFT"));
}
