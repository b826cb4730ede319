//! The report every renderer reads: findings plus what was checked, SPEC's JSON shape.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::compare::Tally;
use crate::finding::{FailOn, Finding, Severity};
use crate::model::Location;
use crate::rules::Check;

pub const REPORT_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Passed,
    Failed,
    Incomplete,
    Skipped,
}

impl CheckStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Passed => "passed",
            CheckStatus::Failed => "failed",
            CheckStatus::Incomplete => "incomplete",
            CheckStatus::Skipped => "skipped",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Target {
    pub name: Option<String>,
    pub database: Option<String>,
    pub server_version: Option<String>,
    pub timescaledb_version: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct CheckTally {
    pub checked: u64,
    pub matched: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub waived: usize,
    pub suppressed: usize,
    /// With `--history`: findings of the previous run that are gone now (listed with status
    /// `resolved`, counted nowhere else).
    #[serde(default)]
    pub resolved: usize,
    /// Declared objects and properties compared, over all checks that ran.
    pub objects_checked: u64,
    pub objects_matched: u64,
    /// `objects_matched / objects_checked`, in percent with one decimal; `null` when nothing was checked.
    pub compliance_pct: Option<f64>,
    pub per_check: BTreeMap<String, CheckTally>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct QueryEntry {
    pub file: String,
    pub line: usize,
    pub parameterised: bool,
    pub tables: Vec<String>,
    /// On a live target: `prepared`, `rejected`, `not_verifiable` or `not_prepared`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<String>,
    /// Parameter types the server infers (`$1`, `$2`, ...), when prepared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Vec<String>>,
    /// Result columns the server describes, when prepared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<ColumnShape>>,
    /// The name under `queries:` this query matches, and who relies on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_as: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consumers: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ColumnShape {
    pub name: String,
    #[serde(rename = "type")]
    pub type_name: String,
}

/// A query declared in `queries:`, as the run found it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DeclaredQueryEntry {
    pub name: String,
    /// In a fleet's report, the target whose server said what `verified`, `params`,
    /// `columns` and `bench` hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consumers: Vec<String>,
    /// `file:line` of each place in the repository with its fingerprint (`None`: not looked for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub found_at: Option<Vec<String>>,
    /// `prepared` or `rejected` on a live target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<ColumnShape>>,
    /// With `check --bench`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bench: Option<BenchEntry>,
}

/// One table read by `check --data`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DataTableEntry {
    pub table: String,
    /// In a fleet's report, the target whose rows these are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Which rows: `whole table`, `last 1 day`, `5% sample (TABLESAMPLE SYSTEM)`.
    pub scope: String,
    pub rows_scanned: u64,
    /// Rules evaluated by the table's one query.
    pub rules: usize,
    pub elapsed_ms: f64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct BenchEntry {
    pub runs: usize,
    pub median_ms: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_latency_ms: Option<f64>,
    pub uses_index: bool,
    /// Relations the plan reads with sequential scans.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seq_scans: Vec<String>,
}

/// A declared object the run checked (JUnit has one test case per object).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ObjectEntry {
    /// table, view, enum, continuous_aggregate, migration
    pub kind: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Report {
    pub report_version: u32,
    pub tool: Tool,
    pub generated_at: String,
    pub target: Target,
    pub contracts: Vec<String>,
    pub checks: BTreeMap<String, CheckStatus>,
    /// The `--fail-on` threshold the run was judged with: error | warning | info | never.
    #[serde(default = "default_fail_on")]
    pub fail_on: String,
    /// Why a check is `incomplete`: one line per check that could not run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_checked: Vec<String>,
    pub summary: Summary,
    pub findings: Vec<Finding>,
    pub queries: Vec<QueryEntry>,
    /// The queries of `queries:`: where they are, what the server says of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declared_queries: Vec<DeclaredQueryEntry>,
    /// With `check --data`: each table whose rows were read, and which rows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<DataTableEntry>,
    /// The declared objects that were compared (absent from reports of `scan`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<ObjectEntry>,
    /// A combined report of several targets (`--target a --target b`, `--all-targets`,
    /// `zerogap report A.json B.json`): one section per target; the top level sums them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<TargetSection>,
}

/// One target of a combined report.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TargetSection {
    /// How the target's findings are labelled (`target` of each finding).
    pub label: String,
    pub target: Target,
    pub generated_at: String,
    pub checks: BTreeMap<String, CheckStatus>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_checked: Vec<String>,
    pub summary: Summary,
}

impl Target {
    /// The name a person knows the target by: its config name, else its database.
    pub fn label(&self) -> String {
        self.name
            .clone()
            .or_else(|| self.database.clone())
            .unwrap_or_else(|| "database".into())
    }
}

fn worst(a: CheckStatus, b: CheckStatus) -> CheckStatus {
    let rank = |s: CheckStatus| match s {
        CheckStatus::Skipped => 0,
        CheckStatus::Passed => 1,
        CheckStatus::Failed => 2,
        CheckStatus::Incomplete => 3,
    };
    if rank(b) > rank(a) { b } else { a }
}

/// Combines the reports of several targets (or of one target's shards) into one: every
/// finding labelled with its target, checks at their worst status, counts summed and the
/// compliance recomputed from the sums. One report is returned as it is.
pub fn merge(mut reports: Vec<Report>) -> Report {
    if reports.len() == 1
        && let Some(r) = reports.pop()
    {
        return r;
    }
    // A combined report merged again (shards of a fleet) keeps its sections; its findings
    // already carry their labels.
    let mut out = Report {
        report_version: REPORT_VERSION,
        tool: reports.first().map(|r| r.tool.clone()).unwrap_or(Tool {
            name: "zerogap".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }),
        generated_at: reports
            .iter()
            .map(|r| r.generated_at.clone())
            .max()
            .unwrap_or_default(),
        target: Target {
            name: Some(format!("{} targets", reports.len())),
            ..Default::default()
        },
        contracts: Vec::new(),
        checks: BTreeMap::new(),
        fail_on: reports
            .first()
            .map(|r| r.fail_on.clone())
            .unwrap_or_else(default_fail_on),
        not_checked: Vec::new(),
        summary: Summary::default(),
        findings: Vec::new(),
        queries: Vec::new(),
        declared_queries: Vec::new(),
        data: Vec::new(),
        objects: Vec::new(),
        targets: Vec::new(),
    };
    let mut checked = 0;
    let mut matched = 0;
    let mut labels = Vec::new();
    for r in reports {
        let sections = if r.targets.is_empty() {
            let label = r.target.label();
            // Two runs of targets with the same name: keep them apart.
            let n = labels.iter().filter(|l: &&String| **l == label).count();
            let label = if n == 0 {
                label
            } else {
                format!("{label} #{}", n + 1)
            };
            labels.push(r.target.label());
            vec![TargetSection {
                label,
                target: r.target.clone(),
                generated_at: r.generated_at.clone(),
                checks: r.checks.clone(),
                not_checked: r.not_checked.clone(),
                summary: r.summary.clone(),
            }]
        } else {
            r.targets.clone()
        };
        let only = (sections.len() == 1).then(|| sections[0].label.clone());
        for c in &r.contracts {
            if !out.contracts.contains(c) {
                out.contracts.push(c.clone());
            }
        }
        for (k, v) in &r.checks {
            let e = out.checks.entry(k.clone()).or_insert(*v);
            *e = worst(*e, *v);
        }
        for reason in &r.not_checked {
            match &only {
                Some(l) => out.not_checked.push(format!("{l}: {reason}")),
                None => out.not_checked.push(reason.clone()),
            }
        }
        let s = &r.summary;
        out.summary.errors += s.errors;
        out.summary.warnings += s.warnings;
        out.summary.infos += s.infos;
        out.summary.waived += s.waived;
        out.summary.suppressed += s.suppressed;
        out.summary.resolved += s.resolved;
        checked += s.objects_checked;
        matched += s.objects_matched;
        for (k, t) in &s.per_check {
            let e = out.summary.per_check.entry(k.clone()).or_default();
            e.checked += t.checked;
            e.matched += t.matched;
        }
        for mut f in r.findings {
            if f.target.is_none() {
                f.target = only.clone();
            }
            out.findings.push(f);
        }
        for q in r.queries {
            if !out.queries.contains(&q) {
                out.queries.push(q);
            }
        }
        for mut d in r.declared_queries {
            if d.target.is_none() && d.verified.is_some() {
                d.target = only.clone();
            }
            out.declared_queries.push(d);
        }
        for mut d in r.data {
            if d.target.is_none() {
                d.target = only.clone();
            }
            out.data.push(d);
        }
        for o in r.objects {
            if !out
                .objects
                .iter()
                .any(|x| x.name == o.name && x.kind == o.kind)
            {
                out.objects.push(o);
            }
        }
        out.targets.extend(sections);
    }
    out.summary.objects_checked = checked;
    out.summary.objects_matched = matched;
    out.summary.compliance_pct = compliance_pct(matched, checked);
    out
}

fn default_fail_on() -> String {
    "error".into()
}

/// The declared objects of the contracts, one entry per table, view, enum, continuous
/// aggregate and migration table.
pub fn objects_of(schema: &crate::model::Schema) -> Vec<ObjectEntry> {
    let entry = |kind: &str, name: String, loc: &Option<Location>| ObjectEntry {
        kind: kind.into(),
        name,
        location: loc.clone(),
    };
    let mut out = Vec::new();
    out.extend(
        schema
            .tables
            .values()
            .map(|t| entry("table", t.name.to_string(), &t.loc)),
    );
    out.extend(
        schema
            .views
            .values()
            .map(|v| entry("view", v.name.to_string(), &v.loc)),
    );
    out.extend(
        schema
            .enums
            .values()
            .map(|e| entry("enum", e.name.to_string(), &e.loc)),
    );
    out.extend(
        schema
            .caggs
            .values()
            .map(|c| entry("continuous_aggregate", c.name.to_string(), &c.loc)),
    );
    out.extend(
        schema
            .migrations
            .iter()
            .map(|m| entry("migration", m.table.to_string(), &m.loc)),
    );
    out
}

/// Collects a run's results and turns them into a `Report`.
#[derive(Debug, Default)]
pub struct ReportBuilder {
    pub target: Target,
    pub contracts: Vec<String>,
    pub findings: Vec<Finding>,
    pub tallies: BTreeMap<&'static str, Tally>,
    pub statuses: BTreeMap<&'static str, Option<CheckStatus>>,
    pub not_checked: Vec<String>,
    pub queries: Vec<QueryEntry>,
    pub declared_queries: Vec<DeclaredQueryEntry>,
    pub data: Vec<DataTableEntry>,
    pub objects: Vec<ObjectEntry>,
    pub suppressed: usize,
}

impl ReportBuilder {
    pub fn tally(&mut self, check: Check, t: Tally) {
        self.tallies.entry(check.as_str()).or_default().add(t);
    }

    /// Marks a check as run (its status then follows from its findings).
    pub fn ran(&mut self, check: Check) {
        self.statuses.entry(check.as_str()).or_insert(None);
    }

    pub fn skipped(&mut self, check: Check) {
        self.statuses
            .entry(check.as_str())
            .or_insert(Some(CheckStatus::Skipped));
    }

    /// A check was asked for and could not complete.
    pub fn is_incomplete(&self) -> bool {
        self.statuses
            .values()
            .any(|s| *s == Some(CheckStatus::Incomplete))
    }

    pub fn incomplete(&mut self, check: Check, reason: impl Into<String>) {
        self.statuses
            .insert(check.as_str(), Some(CheckStatus::Incomplete));
        self.not_checked.push(reason.into());
    }

    pub fn build(self, fail_on: FailOn, generated_at: String) -> Report {
        let mut findings = self.findings;
        findings.sort_by(|a, b| {
            (a.object.as_str(), a.rule.as_str(), a.message.as_str()).cmp(&(
                b.object.as_str(),
                b.rule.as_str(),
                b.message.as_str(),
            ))
        });
        let check_of = |f: &Finding| {
            crate::rules::by_code(&f.rule)
                .map(|r| match r.check {
                    Check::Contract => "schema",
                    other => other.as_str(),
                })
                .unwrap_or("schema")
        };
        let mut checks = BTreeMap::new();
        for name in ["schema", "timescale", "queries", "data"] {
            let status = match self.statuses.get(name) {
                None => CheckStatus::Skipped,
                Some(Some(s)) => *s,
                Some(None) => {
                    let failed = findings
                        .iter()
                        .filter(|f| f.is_active() && check_of(f) == name)
                        .any(|f| fail_on.trips(f.severity));
                    if failed {
                        CheckStatus::Failed
                    } else {
                        CheckStatus::Passed
                    }
                }
            };
            checks.insert(name.to_string(), status);
        }
        let active = || findings.iter().filter(|f| f.is_active());
        let count = |s: Severity| active().filter(|f| f.severity == s).count();
        let mut per_check = BTreeMap::new();
        let (mut checked, mut matched) = (0, 0);
        for (k, t) in &self.tallies {
            checked += t.checked;
            matched += t.matched;
            per_check.insert(
                k.to_string(),
                CheckTally {
                    checked: t.checked,
                    matched: t.matched,
                },
            );
        }
        let summary = Summary {
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            waived: findings.iter().filter(|f| f.waived.is_some()).count(),
            suppressed: self.suppressed,
            resolved: findings
                .iter()
                .filter(|f| f.status == Some(crate::finding::Status::Resolved))
                .count(),
            objects_checked: checked,
            objects_matched: matched,
            compliance_pct: compliance_pct(matched, checked),
            per_check,
        };
        Report {
            report_version: REPORT_VERSION,
            tool: Tool {
                name: "zerogap".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            generated_at,
            target: self.target,
            contracts: self.contracts,
            checks,
            fail_on: match fail_on {
                FailOn::Severity(s) => s.as_str().to_string(),
                FailOn::Never => "never".to_string(),
            },
            not_checked: self.not_checked,
            summary,
            findings,
            queries: self.queries,
            declared_queries: self.declared_queries,
            data: self.data,
            objects: self.objects,
            targets: Vec::new(),
        }
    }
}

/// Rounded down to one decimal, so 99.96 % of matches never shows as 100.0.
pub fn compliance_pct(matched: u64, checked: u64) -> Option<f64> {
    if checked == 0 {
        return None;
    }
    let permille = (matched as u128 * 1000) / checked as u128;
    Some(permille as f64 / 10.0)
}

impl Report {
    pub fn incomplete(&self) -> bool {
        self.checks.values().any(|s| *s == CheckStatus::Incomplete)
    }

    /// The exit code under the report's own `fail_on`.
    pub fn exit_code_judged(&self) -> i32 {
        self.exit_code(FailOn::parse(&self.fail_on).unwrap_or(FailOn::Severity(Severity::Error)))
    }

    /// 0 verified clean, 1 verified with findings at or above `fail_on`, 2 not verified.
    pub fn exit_code(&self, fail_on: FailOn) -> i32 {
        if self.incomplete() {
            2
        } else if self
            .findings
            .iter()
            .any(|f| f.is_active() && fail_on.trips(f.severity))
        {
            1
        } else {
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(target: &str, errors: usize, incomplete: bool) -> Report {
        let mut b = ReportBuilder {
            target: Target {
                name: Some(target.into()),
                ..Default::default()
            },
            ..Default::default()
        };
        for i in 0..errors {
            b.findings.push(Finding::new(
                &crate::rules::TABLE_MISSING,
                "table",
                format!("public.t{i}"),
                "missing",
            ));
        }
        b.tally(
            Check::Schema,
            crate::compare::Tally {
                checked: 10,
                matched: 10 - errors as u64,
            },
        );
        if incomplete {
            b.incomplete(Check::Schema, "schema not checked: connection refused");
        } else {
            b.ran(Check::Schema);
        }
        b.build(
            FailOn::Severity(Severity::Error),
            "2026-11-23T03:00:00Z".into(),
        )
    }

    #[test]
    fn merged_targets_sum_and_keep_their_labels() {
        let m = merge(vec![
            run("eu", 1, false),
            run("us", 0, false),
            run("ap", 0, true),
        ]);
        assert_eq!(m.targets.len(), 3);
        assert_eq!(m.summary.errors, 1);
        assert_eq!(m.summary.objects_checked, 30);
        assert_eq!(m.summary.objects_matched, 29);
        assert_eq!(m.summary.compliance_pct, Some(96.6));
        assert_eq!(m.findings[0].target.as_deref(), Some("eu"));
        assert_eq!(m.checks["schema"], CheckStatus::Incomplete);
        assert_eq!(
            m.not_checked,
            vec!["ap: schema not checked: connection refused".to_string()]
        );
        assert_eq!(m.exit_code(FailOn::Severity(Severity::Error)), 2);
        // Merging merged reports (shards of a fleet) keeps the sections.
        let again = merge(vec![m.clone(), run("sa", 0, false)]);
        assert_eq!(again.targets.len(), 4);
        assert_eq!(again.summary.errors, 1);
        let clean = merge(vec![run("eu", 0, false), run("us", 0, false)]);
        assert_eq!(clean.exit_code(FailOn::Severity(Severity::Error)), 0);
        assert_eq!(clean.checks["schema"], CheckStatus::Passed);
    }

    #[test]
    fn compliance_never_rounds_up_to_full() {
        assert_eq!(compliance_pct(9999, 10000), Some(99.9));
        assert_eq!(compliance_pct(10, 10), Some(100.0));
        assert_eq!(compliance_pct(0, 0), None);
    }
}
