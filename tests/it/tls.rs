//! TLS against the harness's own PostgreSQL (`ssl = on`, a certificate for `localhost`
//! signed by a test CA): `verify-full` accepts the right CA and host and refuses a wrong CA
//! or a wrong host with a clear message and exit 2; `verify-ca` checks the chain only.

use assert_cmd::Command;
use serde_json::Value;

use crate::harness;

fn check(url: &str, contract: &std::path::Path) -> (Option<i32>, Value, String) {
    let out = Command::cargo_bin("zerogap")
        .expect("binary")
        .env_remove("DATABASE_URL")
        .env_remove("PGSSLMODE")
        .env_remove("PGSSLROOTCERT")
        .current_dir(harness::repo_root())
        .args([
            "check",
            "--no-scan",
            "-v",
            "--format",
            "json",
            "--db",
            url,
            "--contracts",
        ])
        .arg(contract)
        .output()
        .expect("run");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    (out.status.code(), report, stderr)
}

#[test]
fn verify_full_accepts_the_right_ca_and_refuses_a_wrong_ca_or_host() {
    let Some((db, tls)) = harness::postgres_tls("tls") else {
        return;
    };
    db.exec("CREATE TABLE t (id int)");
    let dir = tempfile::tempdir().expect("tmp");
    let contract = dir.path().join("c.yaml");
    std::fs::write(
        &contract,
        "tables:\n  t:\n    columns:\n      id: { type: int }\n",
    )
    .expect("write");
    let password = db
        .password
        .clone()
        .expect("the harness's cluster has a password");
    let url = |host: &str, mode: &str, ca: &std::path::Path| {
        format!(
            "postgresql://postgres:{password}@{host}:{}/{}?sslmode={mode}&sslrootcert={}",
            tls.port,
            db.database,
            ca.display()
        )
    };
    let no_secret = |text: &str| assert!(!text.contains(&password), "password leaked: {text}");

    let (code, report, stderr) = check(&url("localhost", "verify-full", &tls.ca), &contract);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(report["checks"]["schema"], "passed");
    assert!(stderr.contains("sslmode verify-full"), "{stderr}");
    no_secret(&stderr);

    // A CA that did not sign the server's certificate.
    let (code, report, stderr) = check(&url("localhost", "verify-full", &tls.wrong_ca), &contract);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(report["checks"]["schema"], "incomplete");
    let why = report["not_checked"][0].as_str().unwrap_or_default();
    assert!(why.contains("not signed by a trusted CA"), "{why}");
    assert!(stderr.contains("not signed by a trusted CA"), "{stderr}");
    no_secret(&stderr);
    no_secret(&report.to_string());

    // The right CA, but the certificate names `localhost`, not 127.0.0.1.
    let (code, report, stderr) = check(&url("127.0.0.1", "verify-full", &tls.ca), &contract);
    assert_eq!(code, Some(2), "{stderr}");
    let why = report["not_checked"][0].as_str().unwrap_or_default();
    assert!(why.contains("not valid for host `127.0.0.1`"), "{why}");
    no_secret(&stderr);

    // verify-ca checks the chain, not the name.
    let (code, _, stderr) = check(&url("127.0.0.1", "verify-ca", &tls.ca), &contract);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, _, stderr) = check(&url("127.0.0.1", "verify-ca", &tls.wrong_ca), &contract);
    assert_eq!(code, Some(2), "{stderr}");

    // require: encrypted, no certificate check (libpq) — unless a root file is given, when
    // libpq (and zerogap) verify the chain.
    let plain_require = format!(
        "postgresql://postgres:{password}@127.0.0.1:{}/{}?sslmode=require",
        tls.port, db.database
    );
    let (code, _, stderr) = check(&plain_require, &contract);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, _, stderr) = check(&url("127.0.0.1", "require", &tls.wrong_ca), &contract);
    assert_eq!(code, Some(2), "{stderr}");

    // A root file that does not exist: a clear message, no connection attempted.
    let (code, _, stderr) = check(
        &url(
            "localhost",
            "verify-full",
            std::path::Path::new("/nonexistent/ca.pem"),
        ),
        &contract,
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot read sslrootcert /nonexistent/ca.pem"),
        "{stderr}"
    );
    no_secret(&stderr);
}
