//! The built binary: exit codes, messages, and that no password ever shows.

use assert_cmd::Command;

use crate::harness;

fn zerogap() -> Command {
    let mut c = Command::cargo_bin("zerogap").expect("binary");
    c.env_remove("DATABASE_URL")
        .current_dir(harness::repo_root());
    c
}

#[test]
fn lint_rejects_the_seed_contract_as_documented() {
    let out = zerogap()
        .args([
            "lint",
            "fixtures/seed/signal_service_as_documented.yaml",
            "--format",
            "json",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let f = &report["findings"].as_array().expect("findings")[0];
    assert_eq!(f["rule"], "ZG001");
    assert_eq!(f["object"], "public.signal_greeks.pkey");
    assert!(f["message"].as_str().unwrap_or_default().contains(
        "cannot create a unique index without the column \"timestamp\" (used in partitioning)"
    ));
    assert_eq!(f["location"]["line"], 15);
    assert_eq!(report["findings"].as_array().map(|a| a.len()), Some(2));
}

#[test]
fn lint_accepts_the_bundled_contracts() {
    for path in [
        "contracts/signal_service.yaml",
        "contracts/boursavision",
        "fixtures/fleet/contract.yaml",
    ] {
        let out = zerogap()
            .args(["lint", path, "--format", "json"])
            .output()
            .expect("run");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(report["findings"], serde_json::json!([]), "{path}");
        assert_eq!(out.status.code(), Some(0), "{path}");
    }
}

#[test]
fn invalid_contract_reports_every_error_with_position_and_exits_2() {
    let dir = tempfile::tempdir().expect("tmp");
    let a = dir.path().join("a.yaml");
    std::fs::write(
        &a,
        "tables:\n  t:\n    columns:\n      id: { type: int, nullabel: false }\n    hypertable: { time_column: id, chunk_time_interval: fortnight }\n",
    )
    .expect("write");
    let b = dir.path().join("b.yaml");
    std::fs::write(&b, "tabels: {}\n").expect("write");
    let out = zerogap()
        .args([
            "check",
            "--no-scan",
            "--db",
            "postgres://nobody@127.0.0.1:1/x",
            "--contracts",
        ])
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("a.yaml:4:"), "{stderr}");
    assert!(stderr.contains("did you mean `nullable`?"), "{stderr}");
    assert!(
        stderr.contains("a.yaml:5:") && stderr.contains("`fortnight` is not an interval"),
        "{stderr}"
    );
    assert!(
        stderr.contains("b.yaml:1:1") && stderr.contains("did you mean `tables`?"),
        "{stderr}"
    );
}

#[test]
fn unreachable_database_is_not_verified_and_hides_the_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    // Nothing listens on `port` once the listener is dropped.
    let url = format!("postgres://alice:Sup3rS3cret@127.0.0.1:{port}/app?connect_timeout=2");
    let out = zerogap()
        .args([
            "check",
            "--no-scan",
            "--db",
            &url,
            "--contracts",
            "fixtures/fleet/contract.yaml",
            "--format",
            "json",
            "-v",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stdout.contains("Sup3rS3cret") && !stderr.contains("Sup3rS3cret"),
        "{stdout}\n{stderr}"
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(report["checks"]["schema"], "incomplete");
    assert!(
        report["not_checked"][0]
            .as_str()
            .unwrap_or_default()
            .contains("schema not checked")
    );
    assert!(stderr.contains("not verified"), "{stderr}");
}

#[test]
fn fail_on_sets_the_threshold() {
    let Some(db) = harness::postgres("fail_on") else {
        return;
    };
    db.exec("CREATE TABLE t (id int); CREATE TABLE extra (id int)");
    let dir = tempfile::tempdir().expect("tmp");
    let c = dir.path().join("c.yaml");
    // An undeclared table is a warning by default policy.
    std::fs::write(&c, "tables:\n  t:\n    columns:\n      id: { type: int }\n").expect("write");
    let run = |fail_on: &str| {
        zerogap()
            .args(["check", "--no-scan", "--db", &db.url, "--contracts"])
            .arg(&c)
            .args(["--format", "json", "--fail-on", fail_on])
            .output()
            .expect("run")
            .status
            .code()
    };
    assert_eq!(run("error"), Some(0));
    assert_eq!(run("warning"), Some(1));
    assert_eq!(run("never"), Some(0));
}

#[test]
fn several_formats_in_one_run() {
    let Some(db) = harness::postgres("formats") else {
        return;
    };
    db.load_fixture("fixtures/fleet/schema.sql");
    let dir = tempfile::tempdir().expect("tmp");
    let json = dir.path().join("r.json");
    let out = zerogap()
        .args([
            "check",
            "--no-scan",
            "--db",
            &db.url,
            "--contracts",
            "fixtures/fleet/contract.yaml",
            "--format",
            "json",
            "--output",
        ])
        .arg(&json)
        .args(["--format", "table"])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("OK: 0 error(s)"), "{stdout}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("read")).expect("json");
    assert_eq!(report["report_version"], 1);
}

#[test]
fn rules_markdown_matches_docs() {
    let out = zerogap()
        .args(["rules", "--markdown"])
        .output()
        .expect("run");
    let docs = std::fs::read_to_string(harness::repo_root().join("docs/rules.md")).expect("docs");
    assert_eq!(String::from_utf8_lossy(&out.stdout), docs);
}
