//! `--history DIR`: each run's JSON report kept per target, findings marked new / persisting
//! / resolved against the previous run of the same target, and the trend over stored runs.
//!
//! The marking and the trend are pure functions of reports; the store (listing, reading,
//! writing, pruning files) is the only I/O here.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::finding::{Finding, Status};
use crate::report::{CheckStatus, Report, Target};

/// One stored run, as the HTML trend chart draws it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub generated_at: String,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub compliance_pct: Option<f64>,
    /// A check of that run could not complete (the run was not verified).
    pub incomplete: bool,
}

impl TrendPoint {
    pub fn of(r: &Report) -> Self {
        Self {
            generated_at: r.generated_at.clone(),
            errors: r.summary.errors,
            warnings: r.summary.warnings,
            infos: r.summary.infos,
            compliance_pct: r.summary.compliance_pct,
            incomplete: r.checks.values().any(|s| *s == CheckStatus::Incomplete),
        }
    }
}

/// The run to compare with: the newest stored run that completed (a night the database was
/// unreachable must not turn every finding into resolved-then-new).
pub fn previous(runs: &[(PathBuf, Report)]) -> Option<&Report> {
    runs.iter().rev().map(|(_, r)| r).find(|r| !r.incomplete())
}

/// The runs' trend, oldest first.
pub fn trend(runs: &[Report]) -> Vec<TrendPoint> {
    let mut points: Vec<TrendPoint> = runs.iter().map(TrendPoint::of).collect();
    points.sort_by(|a, b| a.generated_at.cmp(&b.generated_at));
    points
}

/// Marks `findings` (this run's) against the previous run's report of the same target:
/// `new` (first seen now), `persisting` (first seen when it first appeared) or, appended,
/// the previous run's findings that are gone, as `resolved`. Identity is
/// [`Finding::fingerprint`] (rule, object, file), matched as a multiset so two findings with
/// the same identity pair up one to one. A run that did not complete resolves nothing: what
/// it could not see is not gone.
pub fn mark(findings: &mut Vec<Finding>, previous: Option<&Report>, now: &str, complete: bool) {
    let mut before: HashMap<String, Vec<&Finding>> = HashMap::new();
    if let Some(prev) = previous {
        for f in prev
            .findings
            .iter()
            .filter(|f| f.status != Some(Status::Resolved))
        {
            before.entry(f.fingerprint()).or_default().push(f);
        }
    }
    let prev_time = previous.map(|p| p.generated_at.as_str()).unwrap_or(now);
    for f in findings.iter_mut() {
        match before.get_mut(&f.fingerprint()).and_then(|v| v.pop()) {
            Some(old) => {
                f.status = Some(Status::Persisting);
                f.first_seen = Some(
                    old.first_seen
                        .clone()
                        .unwrap_or_else(|| prev_time.to_string()),
                );
            }
            None => {
                f.status = Some(Status::New);
                f.first_seen = Some(now.to_string());
            }
        }
    }
    if !complete {
        return;
    }
    let mut gone: Vec<Finding> = before
        .into_values()
        .flatten()
        .map(|old| {
            let mut f = old.clone();
            f.status = Some(Status::Resolved);
            f.first_seen = Some(
                old.first_seen
                    .clone()
                    .unwrap_or_else(|| prev_time.to_string()),
            );
            f
        })
        .collect();
    gone.sort_by(|a, b| (&a.object, &a.rule).cmp(&(&b.object, &b.rule)));
    findings.extend(gone);
}

/// The key runs of one target share in the history folder: the target's name, else its
/// database, else `scan`; reduced to `[a-z0-9_-]`.
pub fn target_key(target: &Target) -> String {
    let raw = target
        .name
        .as_deref()
        .or(target.database.as_deref())
        .unwrap_or("scan");
    let key: String = raw
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if key.is_empty() { "scan".into() } else { key }
}

/// `<target>__<UTC time>.json`, e.g. `staging__20261122T030000Z.json`: sorts by time.
pub fn file_name(key: &str, generated_at: &str) -> String {
    let stamp: String = generated_at
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    format!("{key}__{stamp}.json")
}

#[derive(Debug, Error)]
pub enum HistoryError {
    #[error("cannot read history folder {path}: {source}")]
    ReadDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a zerogap JSON report: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The stored runs' files of a history folder (all targets, or the one `key` names), in
/// name order, which is time order within a target.
fn files(dir: &Path, key: Option<&str>) -> Result<Vec<PathBuf>, HistoryError> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let entries = std::fs::read_dir(dir).map_err(|source| HistoryError::ReadDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = Vec::new();
    for e in entries {
        let e = e.map_err(|source| HistoryError::ReadDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let p = e.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let Some(stem) = name.strip_suffix(".json") else {
            continue;
        };
        let Some((k, _)) = stem.rsplit_once("__") else {
            continue;
        };
        if key.is_none_or(|want| want == k) {
            paths.push(p);
        }
    }
    paths.sort();
    Ok(paths)
}

/// The stored runs of a history folder (all targets, or the one `key` names), oldest first.
/// A file that is not a report is an error: a silently skipped run would break the trend.
pub fn load(dir: &Path, key: Option<&str>) -> Result<Vec<(PathBuf, Report)>, HistoryError> {
    let mut runs = Vec::new();
    for p in files(dir, key)? {
        let text = std::fs::read_to_string(&p).map_err(|source| HistoryError::Read {
            path: p.clone(),
            source,
        })?;
        let report: Report = serde_json::from_str(&text).map_err(|source| HistoryError::Parse {
            path: p.clone(),
            source,
        })?;
        runs.push((p, report));
    }
    runs.sort_by(|a, b| a.1.generated_at.cmp(&b.1.generated_at));
    Ok(runs)
}

/// Writes this run's report into the folder and deletes the target's oldest runs beyond
/// `keep`; returns the path written.
pub fn store(dir: &Path, report: &Report, keep: usize) -> Result<PathBuf, HistoryError> {
    std::fs::create_dir_all(dir).map_err(|source| HistoryError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let key = target_key(&report.target);
    let path = dir.join(file_name(&key, &report.generated_at));
    let text = crate::render::json::render(report);
    std::fs::write(&path, text).map_err(|source| HistoryError::Write {
        path: path.clone(),
        source,
    })?;
    // Pruned by name (time order), without reading the runs again.
    let runs = files(dir, Some(&key))?;
    if runs.len() > keep.max(1) {
        for p in &runs[..runs.len() - keep.max(1)] {
            std::fs::remove_file(p).map_err(|source| HistoryError::Write {
                path: p.clone(),
                source,
            })?;
        }
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules;

    fn finding(object: &str) -> Finding {
        Finding::new(&rules::TABLE_UNDECLARED, "table", object, "m")
    }

    fn report_with(findings: Vec<Finding>, at: &str) -> Report {
        crate::report::ReportBuilder {
            findings,
            ..Default::default()
        }
        .build(
            crate::finding::FailOn::Severity(crate::finding::Severity::Error),
            at.into(),
        )
    }

    #[test]
    fn new_then_persisting_then_resolved() {
        let mut first = vec![finding("public.a")];
        mark(&mut first, None, "2026-11-20T03:00:00Z", true);
        assert_eq!(first[0].status, Some(Status::New));
        let r1 = report_with(first, "2026-11-20T03:00:00Z");

        let mut second = vec![finding("public.a"), finding("public.b")];
        mark(&mut second, Some(&r1), "2026-11-21T03:00:00Z", true);
        assert_eq!(second[0].status, Some(Status::Persisting));
        assert_eq!(
            second[0].first_seen.as_deref(),
            Some("2026-11-20T03:00:00Z")
        );
        assert_eq!(second[1].status, Some(Status::New));
        let r2 = report_with(second, "2026-11-21T03:00:00Z");

        let mut third = vec![finding("public.b")];
        let mut partial = vec![];
        mark(&mut partial, Some(&r2), "2026-11-22T03:00:00Z", false);
        assert!(partial.is_empty(), "an incomplete run resolves nothing");
        mark(&mut third, Some(&r2), "2026-11-22T03:00:00Z", true);
        assert_eq!(third.len(), 2);
        assert_eq!(third[0].status, Some(Status::Persisting));
        assert_eq!(third[1].object, "public.a");
        assert_eq!(third[1].status, Some(Status::Resolved));
        let r3 = report_with(third, "2026-11-22T03:00:00Z");
        // A resolved finding counts nowhere but in `resolved`.
        assert_eq!(
            r3.summary.errors + r3.summary.warnings + r3.summary.infos,
            1
        );
        assert_eq!(r3.summary.resolved, 1);

        // Resolved findings are not carried into the next comparison.
        let mut fourth = vec![];
        mark(&mut fourth, Some(&r3), "2026-11-23T03:00:00Z", true);
        assert_eq!(fourth.len(), 1);
        assert_eq!(fourth[0].object, "public.b");
    }

    #[test]
    fn file_names_sort_by_time_and_keys_are_safe() {
        assert_eq!(
            file_name("staging", "2026-11-22T03:00:00Z"),
            "staging__20261122T030000Z.json"
        );
        let mut r = report_with(vec![], "2026-11-22T03:00:00Z");
        r.target.name = Some("Prod EU/1".into());
        assert_eq!(target_key(&r.target), "prod_eu_1");
    }

    #[test]
    fn store_keeps_the_newest_runs() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        for day in 20..25 {
            let r = report_with(vec![], &format!("2026-11-{day}T03:00:00Z"));
            store(dir.path(), &r, 3).unwrap_or_else(|e| panic!("{e}"));
        }
        let runs = load(dir.path(), Some("scan")).unwrap_or_else(|e| panic!("{e}"));
        let times: Vec<&str> = runs.iter().map(|(_, r)| r.generated_at.as_str()).collect();
        assert_eq!(
            times,
            [
                "2026-11-22T03:00:00Z",
                "2026-11-23T03:00:00Z",
                "2026-11-24T03:00:00Z"
            ]
        );
    }
}
