//! `zerogap diff` with the built binary: files, folders and `git:REV:path`; exit 1 on a
//! breaking change without a major version bump, 0 with one, Markdown for a PR comment.

use assert_cmd::Command;

use crate::harness;

fn git(dir: &std::path::Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .args(["-c", "user.email=t@example.org", "-c", "user.name=t"])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git")
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn diff_against_a_git_revision() {
    let dir = tempfile::tempdir().expect("tmp");
    let contracts = dir.path().join("contracts");
    std::fs::create_dir(&contracts).expect("mkdir");
    let original =
        std::fs::read_to_string(harness::repo_root().join("contracts/signal_service.yaml"))
            .expect("contract");
    std::fs::write(contracts.join("signal_service.yaml"), &original).expect("write");
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "v1"]);
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("zerogap")
            .expect("binary")
            .current_dir(dir.path())
            .arg("diff")
            .args(args)
            .output()
            .expect("run");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };

    // Unchanged: nothing, exit 0.
    let (code, out, err) = run(&["git:HEAD:contracts", "contracts"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("no breaking change (0 change(s))"), "{out}");

    // A column removed that declared queries read: breaking, named users, exit 1.
    let edited = original.replacen(
        "      rho:                { type: \"decimal(10,6)\" }\n",
        "",
        1,
    );
    assert_ne!(edited, original);
    std::fs::write(contracts.join("signal_service.yaml"), &edited).expect("write");
    let (code, out, _) = run(&["git:HEAD:contracts", "contracts", "--format", "markdown"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("🔴 breaking | `column-removed` | `public.signal_greeks.rho`"),
        "{out}"
    );
    assert!(out.contains("without a major version bump"), "{out}");

    // The same with the major version bumped: allowed.
    std::fs::write(
        contracts.join("signal_service.yaml"),
        edited.replacen("version: 1.0.0", "version: 2.0.0", 1),
    )
    .expect("write");
    let (code, out, _) = run(&[
        "git:HEAD:contracts/signal_service.yaml",
        "contracts/signal_service.yaml",
    ]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("with a major version bump"), "{out}");

    // An added nullable column is compatible.
    std::fs::write(
        contracts.join("signal_service.yaml"),
        original.replacen("      rho:                { type: \"decimal(10,6)\" }\n", "      rho:                { type: \"decimal(10,6)\" }\n      rho2:               { type: \"decimal(10,6)\" }\n", 1),
    )
    .expect("write");
    let (code, out, _) = run(&["git:HEAD:contracts", "contracts", "--format", "json"]);
    assert_eq!(code, Some(0), "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["changes"][0]["kind"], "column-added");
    assert_eq!(v["changes"][0]["breaking"], false);
}
