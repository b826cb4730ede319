//! The HTML report in a real browser: headless Chromium opens the file offline, the
//! trend chart is drawn, the filters work, nothing is fetched and nothing errors
//! (`tests/browser/check_html.mjs`). Needs Chromium (`$CHROMIUM` or /usr/bin/chromium)
//! and Node.js; without them the test is skipped, or fails under CI.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use zerogap::compare::Tally;
use zerogap::finding::{FailOn, Finding, Severity, Status};
use zerogap::history::TrendPoint;
use zerogap::model::Location;
use zerogap::render::{self, Format, RenderOptions};
use zerogap::report::{QueryEntry, Report, ReportBuilder, Target};
use zerogap::rules::{self, Check};

use crate::harness;

const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";

#[test]
fn html_report_works_in_headless_chromium() {
    const TEST: &str = "html_report_works_in_headless_chromium";
    let chromium = match browser_ready() {
        Ok(path) => path,
        Err(reason) => return harness::unavailable("browser", TEST, &reason),
    };

    let html = render::render(
        Format::Html,
        &report(),
        &RenderOptions {
            color: false,
            trend: trend(),
        },
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("report.html");
    std::fs::write(&page, &html).expect("write report.html");
    // Kept for a human to look at; target/ is not committed.
    let artifacts = artifacts_dir();
    std::fs::create_dir_all(&artifacts).expect("create test-artifacts");
    let screenshot = artifacts.join("html-report.png");
    let _ = std::fs::write(artifacts.join("html-report.html"), &html);

    let out = Command::new("node")
        .arg("tests/browser/check_html.mjs")
        .arg(&page)
        .arg(&screenshot)
        .env("CHROMIUM", &chromium)
        .current_dir(harness::repo_root())
        .stdin(Stdio::null())
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let context = format!(
        "status {}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}",
        out.status
    );
    let verdict: serde_json::Value = stdout
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("no JSON verdict from check_html.mjs\n{context}"));
    eprintln!("check_html.mjs: {verdict}");
    assert!(out.status.success(), "{context}");
    assert_eq!(verdict["ok"], true, "{context}");
    assert_eq!(verdict["trend_points"], 3, "{context}");
    assert_eq!(verdict["findings_rows"], 5, "{context}");
    assert!(
        screenshot.is_file(),
        "no screenshot at {}",
        screenshot.display()
    );
}

/// Chromium's path once Chromium, node and the script's npm dependencies are there;
/// else why not. A `$CHROMIUM` that is not there is a mistake, not a reason to skip.
fn browser_ready() -> Result<PathBuf, String> {
    let named = env::var("CHROMIUM").ok().filter(|v| !v.is_empty());
    let chromium = PathBuf::from(named.as_deref().unwrap_or(DEFAULT_CHROMIUM));
    if !chromium.is_file() {
        if named.is_some() {
            panic!("CHROMIUM is set but {} is not a file", chromium.display());
        }
        return Err(format!(
            "{DEFAULT_CHROMIUM} not found: install chromium or set CHROMIUM"
        ));
    }
    match Command::new("node").arg("--version").output() {
        Ok(o) if o.status.success() => {}
        Ok(o) => return Err(format!("node --version failed: {}", o.status)),
        Err(e) => return Err(format!("node not found ({e}): install Node.js 20 or later")),
    }
    let dir = harness::repo_root().join("tests").join("browser");
    if !dir.join("node_modules").is_dir() {
        eprintln!("tests/browser/node_modules is missing: running npm ci");
        let output = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run npm ci: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "npm ci in tests/browser failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    Ok(chromium)
}

/// `<target dir>/test-artifacts`, wherever CARGO_TARGET_DIR puts the target dir
/// (cargo's per-target temporary folder is `<target dir>/tmp`).
fn artifacts_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| harness::repo_root().join("target"))
        .join("test-artifacts")
}

/// Findings of every severity and several kinds, one waived, one resolved, and one
/// whose message would run as script if it were not escaped.
fn report() -> Report {
    let contract = "contracts/signal_service.yaml";
    let at = |line| {
        Some(Location {
            file: contract.into(),
            line,
            column: 7,
        })
    };
    let mut waived = Finding::new(
        &rules::VIEW_UNDECLARED,
        "view",
        "public.v_debug",
        "view public.v_debug exists but is not declared in the contracts",
    );
    waived.waived =
        Some(serde_json::json!({ "reason": "debug view, dropped in Q1", "until": "2027-03-31" }));
    let mut resolved = Finding::new(
        &rules::INDEX_MISSING,
        "index",
        "public.signal_greeks.idx_signal",
        "index public.signal_greeks.idx_signal is missing",
    )
    .at(at(30).as_ref());
    resolved.status = Some(Status::Resolved);
    resolved.first_seen = Some("2026-11-20T03:00:00Z".into());
    let mut persisting = Finding::new(
        &rules::COLUMN_TYPE_MISMATCH,
        "column",
        "public.signal_greeks.delta",
        "column public.signal_greeks.delta is numeric(12,4), the contract says numeric(10,6)",
    )
    .expected("numeric(10,6)")
    .actual("numeric(12,4)")
    .at(at(21).as_ref());
    persisting.status = Some(Status::Persisting);
    persisting.first_seen = Some("2026-11-20T03:00:00Z".into());
    let mut new = Finding::new(
        &rules::INLINE_LITERAL,
        "query",
        "public.signal_greeks",
        "query embeds the literal '<script>alert(1)</script>' & should bind it as a parameter",
    )
    .at(Some(&Location {
        file: "app/repo.py".into(),
        line: 40,
        column: 12,
    }));
    new.status = Some(Status::New);
    new.first_seen = Some("2026-11-22T03:00:00Z".into());
    let info = Finding::new(
        &rules::INDEX_UNDECLARED,
        "index",
        "public.signal_greeks.idx_tmp",
        "index public.signal_greeks.idx_tmp USING btree (signal_id) is not declared",
    )
    .severity(Severity::Info)
    .at(at(12).as_ref());

    let mut b = ReportBuilder {
        target: Target {
            name: Some("staging".into()),
            database: Some("signals".into()),
            server_version: Some("15.8".into()),
            timescaledb_version: Some("2.23.1".into()),
        },
        contracts: vec![contract.into()],
        findings: vec![persisting, waived, resolved, new, info],
        queries: vec![
            QueryEntry {
                file: "app/repo.py".into(),
                line: 40,
                parameterised: false,
                tables: vec!["public.signal_greeks".into()],
                ..Default::default()
            },
            QueryEntry {
                file: "app/repo.py".into(),
                line: 58,
                parameterised: true,
                tables: vec!["public.signal_greeks".into(), "public.signals".into()],
                ..Default::default()
            },
        ],
        ..Default::default()
    };
    b.tally(
        Check::Schema,
        Tally {
            checked: 120,
            matched: 117,
        },
    );
    b.tally(
        Check::Timescale,
        Tally {
            checked: 30,
            matched: 30,
        },
    );
    b.ran(Check::Schema);
    b.ran(Check::Timescale);
    b.ran(Check::Queries);
    b.skipped(Check::Data);
    b.build(
        FailOn::Severity(Severity::Error),
        "2026-11-22T03:00:00Z".into(),
    )
}

fn trend() -> Vec<TrendPoint> {
    [
        ("2026-11-20T03:00:00Z", 3, 2, Some(96.5)),
        ("2026-11-21T03:00:00Z", 2, 2, Some(97.3)),
        ("2026-11-22T03:00:00Z", 1, 1, Some(98.0)),
    ]
    .into_iter()
    .map(|(at, errors, warnings, compliance_pct)| TrendPoint {
        generated_at: at.into(),
        errors,
        warnings,
        infos: 1,
        compliance_pct,
        incomplete: false,
    })
    .collect()
}
