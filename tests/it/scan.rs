//! The repository scan on the fixture repositories of `fixtures/scan/<language>/`: the
//! findings (file, line, rule) must be exactly those listed in each folder's EXPECTED.

use std::collections::BTreeSet;

use assert_cmd::Command;

use crate::harness;

fn zerogap() -> Command {
    let mut c = Command::cargo_bin("zerogap").expect("binary");
    c.env_remove("DATABASE_URL")
        .current_dir(harness::repo_root());
    c
}

fn scan_json(dir: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    scan_as(dir, "json", extra)
}

fn scan_as(dir: &str, format: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let out = zerogap()
        .args([
            "scan",
            dir,
            "--contracts",
            "fixtures/scan/contract.yaml",
            "--format",
            format,
        ])
        .args(extra)
        .output()
        .expect("run zerogap");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

fn expected(lang: &str) -> BTreeSet<String> {
    let path = harness::repo_root().join(format!("fixtures/scan/{lang}/EXPECTED"));
    let text = std::fs::read_to_string(&path).expect("EXPECTED");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

fn findings(report: &serde_json::Value) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] != "ZG307")
        .map(|f| {
            format!(
                "{}:{} {}",
                f["location"]["file"].as_str().expect("file"),
                f["location"]["line"],
                f["rule"].as_str().expect("rule")
            )
        })
        .collect()
}

fn check_language(lang: &str) {
    let dir = format!("fixtures/scan/{lang}");
    let (code, report) = scan_json(&dir, &[]);
    let want = expected(lang);
    let got = findings(&report);
    let missing: Vec<_> = want.difference(&got).collect();
    let unexpected: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "{lang}: missing {missing:#?}\nunexpected {unexpected:#?}"
    );
    let errors = report["summary"]["errors"].as_u64().expect("errors");
    assert_eq!(code, if errors > 0 { 1 } else { 0 }, "{lang}: exit code");
    assert_eq!(report["checks"]["queries"], "failed");
}

#[test]
fn python_fixture_findings_are_exact() {
    check_language("python");
}

#[test]
fn go_fixture_findings_are_exact() {
    check_language("go");
}

#[test]
fn java_fixture_findings_are_exact() {
    check_language("java");
}

#[test]
fn javascript_fixture_findings_are_exact() {
    check_language("javascript");
}

#[test]
fn rust_fixture_findings_are_exact() {
    check_language("rust");
}

/// The prefilter (files and, for Python, parts of files that cannot hold a query are not
/// parsed) must not change what the scan reports: `--whole-files` parses everything.
#[test]
fn prefilter_changes_no_finding_and_no_query() {
    for dir in ["fixtures/scan", "bench/corpus"] {
        let (_, fast) = scan_json(dir, &[]);
        let (_, whole) = scan_json(dir, &["--whole-files"]);
        assert_eq!(fast["findings"], whole["findings"], "{dir}");
        assert_eq!(fast["queries"], whole["queries"], "{dir}");
        let n = fast["queries"].as_array().map_or(0, Vec::len);
        assert!(n > 200, "{dir}: {n} queries");
    }
}

#[test]
fn suppressions_are_counted_and_inventory_lists_queries() {
    let (_, report) = scan_json("fixtures/scan/python", &[]);
    assert_eq!(report["summary"]["suppressed"], 1);
    let queries = report["queries"].as_array().expect("queries");
    let metrics = queries
        .iter()
        .find(|q| {
            q["tables"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t == "public.metrics"))
        })
        .expect("the metrics query is in the inventory");
    assert_eq!(metrics["parameterised"], true);
    assert!(
        queries.iter().any(|q| q["parameterised"] == false),
        "dynamic queries are marked"
    );
}

#[test]
fn sarif_output_locates_query_findings_at_the_source_line() {
    let (_, report) = scan_as("fixtures/scan/python", "sarif", &[]);
    let results = report["runs"][0]["results"].as_array().expect("results");
    assert!(results.iter().any(|r| {
        r["ruleId"] == "ZG301"
            && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app/users.py"
            && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 39
    }));
}

#[test]
fn fail_on_never_passes_and_missing_path_is_not_verified() {
    let (code, _) = scan_json("fixtures/scan/python", &["--fail-on", "never"]);
    assert_eq!(code, 0);
    let (code, report) = scan_json("fixtures/scan/no-such-folder", &[]);
    assert_eq!(code, 2);
    assert_eq!(report["checks"]["queries"], "incomplete");
}
