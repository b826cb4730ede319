//! Fleets: several targets of zerogap.yaml checked in one run (`--target` repeated,
//! `--all-targets`), one combined report and exit code; separate runs' JSON reports merged
//! by `zerogap report`.

use assert_cmd::Command;
use serde_json::Value;

use crate::harness;

const CONTRACT: &str = "tables:\n  t:\n    columns:\n      id: { type: int, nullable: false }\n";

fn zerogap(dir: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("zerogap").expect("binary");
    c.env_remove("DATABASE_URL").current_dir(dir);
    c
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn targets_checked_together_and_reports_merged() {
    let (Some(a), Some(b)) = (harness::postgres("fleet_a"), harness::postgres("fleet_b")) else {
        return;
    };
    a.exec("CREATE TABLE t (id int NOT NULL)");
    b.exec("CREATE TABLE t (id int)"); // drift: nullable
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("c.yaml"), CONTRACT).expect("write");
    std::fs::write(
        dir.path().join("zerogap.yaml"),
        "contracts: c.yaml\ntargets:\n  eu: { url_env: ZG_FLEET_EU }\n  us: { url_env: ZG_FLEET_US }\n  ap: { url_env: ZG_FLEET_AP_NOT_SET }\n",
    )
    .expect("write");
    let run = |extra: &[&str]| {
        let out = zerogap(dir.path())
            .env("ZG_FLEET_EU", &a.url)
            .env("ZG_FLEET_US", &b.url)
            .env_remove("ZG_FLEET_AP_NOT_SET")
            .args([
                "check",
                "--no-scan",
                "--format",
                "json",
                "--max-connections",
                "2",
            ])
            .args(extra)
            .output()
            .expect("run");
        (
            out.status.code(),
            json(&out),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };

    // Two targets: one combined report, the drift labelled with its target.
    let (code, r, stderr) = run(&["--target", "eu", "--target", "us"]);
    assert_eq!(code, Some(1), "{stderr}");
    let labels: Vec<&str> = r["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .map(|t| t["label"].as_str().unwrap_or_default())
        .collect();
    assert!(
        labels.contains(&"eu") && labels.contains(&"us"),
        "{labels:?}"
    );
    let drift: Vec<&Value> = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "ZG106")
        .collect();
    assert_eq!(drift.len(), 1, "{r}");
    assert_eq!(drift[0]["target"], "us");
    assert_eq!(r["summary"]["errors"], 1);
    assert_eq!(r["checks"]["schema"], "failed");

    // Every target, one of them unreachable for want of its variable: not verified (2),
    // the others still reported.
    let (code, r, stderr) = run(&["--all-targets"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(r["checks"]["schema"], "incomplete");
    let why = r["not_checked"].as_array().expect("not_checked");
    assert!(
        why.iter()
            .any(|w| w.as_str().is_some_and(|w| w.starts_with("ap: ")
                && w.contains("ZG_FLEET_AP_NOT_SET (named by the target) is not set"))),
        "{why:?}"
    );
    assert_eq!(
        r["summary"]["errors"], 1,
        "the reachable targets are still reported"
    );

    // Shards run separately, merged by `zerogap report`.
    for (name, url) in [("eu", &a.url), ("us", &b.url)] {
        let out = zerogap(dir.path())
            .args([
                "check",
                "--no-scan",
                "--db",
                url,
                "--format",
                "json",
                "--output",
            ])
            .arg(format!("{name}.json"))
            .output()
            .expect("run");
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = zerogap(dir.path())
        .args(["report", "eu.json", "us.json", "--format", "json"])
        .output()
        .expect("run");
    // The merged report gates like the run would have: one shard drifted.
    assert_eq!(out.status.code(), Some(1));
    let merged = json(&out);
    assert_eq!(merged["targets"].as_array().map(|t| t.len()), Some(2));
    assert_eq!(merged["summary"]["errors"], 1);
    let out = zerogap(dir.path())
        .args(["report", "eu.json", "us.json", "--format", "markdown"])
        .output()
        .expect("run");
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.contains("| target | database |"), "{md}");
}

/// The progress indicator appears on a terminal (a pseudo-terminal from util-linux's
/// `script`), and not when stderr is a pipe or with -q.
#[test]
fn progress_only_on_a_terminal() {
    let Some(db) = harness::postgres("progress") else {
        return;
    };
    db.exec("CREATE TABLE t (id int NOT NULL)");
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("c.yaml"), CONTRACT).expect("write");
    let bin = assert_cmd::cargo::cargo_bin("zerogap");
    let cmd = |extra: &str| {
        format!(
            "{} check --no-scan --db '{}' --contracts c.yaml --format json --output /dev/null {extra}",
            bin.display(),
            db.url
        )
    };
    let on_tty = |extra: &str| {
        let out = std::process::Command::new("script")
            .args(["-qec", &cmd(extra), "/dev/null"])
            .current_dir(dir.path())
            .env_remove("DATABASE_URL")
            .output();
        match out {
            Ok(o) => Some((
                o.status.code(),
                String::from_utf8_lossy(&o.stdout).to_string(),
            )),
            Err(e) => {
                harness::unavailable("script (util-linux)", "progress", &e.to_string());
                None
            }
        }
    };
    let Some((code, terminal)) = on_tty("") else {
        return;
    };
    assert_eq!(code, Some(0), "{terminal}");
    assert!(terminal.contains("reading the catalogs"), "{terminal:?}");
    let Some((_, quiet)) = on_tty("-q") else {
        return;
    };
    assert!(!quiet.contains("reading the catalogs"), "{quiet:?}");
    let piped = zerogap(dir.path())
        .args([
            "check",
            "--no-scan",
            "--db",
            &db.url,
            "--contracts",
            "c.yaml",
            "--format",
            "json",
        ])
        .output()
        .expect("run");
    assert_eq!(piped.status.code(), Some(0));
    assert!(
        piped.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&piped.stderr)
    );
}
