//! Findings: what every check produces and every renderer consumes.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::{Location, PolicyLevel};
use crate::rules::Rule;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// A policy level as a severity; `ignore` yields none.
    pub fn from_policy(level: PolicyLevel) -> Option<Self> {
        match level {
            PolicyLevel::Ignore => None,
            PolicyLevel::Info => Some(Severity::Info),
            PolicyLevel::Warning => Some(Severity::Warning),
            PolicyLevel::Error => Some(Severity::Error),
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The threshold of `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    Severity(Severity),
    Never,
}

impl FailOn {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "error" => Some(FailOn::Severity(Severity::Error)),
            "warning" => Some(FailOn::Severity(Severity::Warning)),
            "info" => Some(FailOn::Severity(Severity::Info)),
            "never" => Some(FailOn::Never),
            _ => None,
        }
    }

    pub fn trips(self, severity: Severity) -> bool {
        match self {
            FailOn::Severity(min) => severity >= min,
            FailOn::Never => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    New,
    Persisting,
    Resolved,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub name: String,
    pub severity: Severity,
    /// table, column, index, constraint, view, enum, hypertable, continuous_aggregate, ...
    pub kind: String,
    pub object: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
    pub message: String,
    pub location: Option<Location>,
    pub status: Option<Status>,
    /// With `--history`: when this finding was first reported for the target (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    pub waived: Option<serde_json::Value>,
    /// In a combined report of several targets: the target the finding is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// With `check --data`: what the rows showed (a data rule's violations, or the data side
    /// of a catalog finding such as a NOT NULL the database does not enforce).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<DataEvidence>,
}

/// The rows behind a data finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataEvidence {
    /// The rule as the contract spells it: `pattern`, `min`/`max` (`range`), `in`, `not_null`,
    /// `unique`, `max_length`, `json_type`, `freshness`, `row_count`, `no_orphans`.
    pub rule: String,
    /// Rows that break the rule (for `unique`: rows repeating an earlier value).
    pub violations: u64,
    /// Rows the check read.
    pub rows_scanned: u64,
    /// `violations` as a percentage of `rows_scanned`.
    pub share_pct: f64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<String>,
    /// Which rows were read: `whole table`, `last 1 day`, `10% sample (TABLESAMPLE SYSTEM)`.
    pub scope: String,
}

impl DataEvidence {
    pub fn new(rule: &str, violations: u64, rows_scanned: u64, scope: &str) -> Self {
        let share_pct = if rows_scanned == 0 {
            0.0
        } else {
            // Two decimals: 1 in 10,000 rows still shows.
            ((violations as f64 / rows_scanned as f64) * 10_000.0).round() / 100.0
        };
        DataEvidence {
            rule: rule.to_string(),
            violations,
            rows_scanned,
            share_pct,
            examples: Vec::new(),
            scope: scope.to_string(),
        }
    }
}

impl Finding {
    pub fn new(
        rule: &Rule,
        kind: &str,
        object: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            rule: rule.code.to_string(),
            name: rule.name.to_string(),
            severity: rule.severity,
            kind: kind.to_string(),
            object: object.into(),
            expected: None,
            actual: None,
            message: message.into(),
            location: None,
            status: None,
            first_seen: None,
            waived: None,
            target: None,
            data: None,
        }
    }

    pub fn expected(mut self, v: impl fmt::Display) -> Self {
        self.expected = Some(v.to_string());
        self
    }

    pub fn actual(mut self, v: impl fmt::Display) -> Self {
        self.actual = Some(v.to_string());
        self
    }

    pub fn at(mut self, loc: Option<&Location>) -> Self {
        self.location = loc.cloned();
        self
    }

    pub fn severity(mut self, s: Severity) -> Self {
        self.severity = s;
        self
    }

    /// The finding's identity across runs: rule, object and file, not the line, so a finding
    /// keeps it when lines move (SARIF partial fingerprints, `--history`).
    pub fn fingerprint(&self) -> String {
        let file = self
            .location
            .as_ref()
            .map(|l| l.file.as_str())
            .unwrap_or("");
        fnv1a(&[&self.rule, &self.object, file])
    }

    /// Counts toward the summary and the exit code: neither waived nor resolved.
    pub fn is_active(&self) -> bool {
        self.waived.is_none() && self.status != Some(Status::Resolved)
    }
}

/// FNV-1a, 64 bit: stable across runs and platforms, no dependency.
fn fnv1a(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0u8)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_and_distinct() {
        assert_eq!(
            fnv1a(&["ZG104", "public.t.c"]),
            fnv1a(&["ZG104", "public.t.c"])
        );
        assert_ne!(
            fnv1a(&["ZG104", "public.t.c"]),
            fnv1a(&["ZG104", "public.t.d"])
        );
        assert_ne!(fnv1a(&["ab", "c"]), fnv1a(&["a", "bc"]));
    }
}
