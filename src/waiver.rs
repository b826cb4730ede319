//! Waivers from zerogap.yaml: accepted findings, each with a reason and an expiry. A waived
//! finding stays in every report, marked, and does not fail the gate; from the day after its
//! expiry it counts again. Expired and never-matching waivers are findings themselves.

use chrono::NaiveDate;
use globset::{Glob, GlobMatcher};
use serde_json::json;

use crate::finding::Finding;
use crate::model::Location;
use crate::rules::{self, Rule};

#[derive(Debug, Clone)]
pub struct Waiver {
    pub rule: &'static Rule,
    /// The object as written (`public.legacy_audit`, or a glob such as `public.tmp_*`).
    pub object: String,
    matcher: GlobMatcher,
    pub reason: String,
    pub expires: NaiveDate,
    pub location: Option<Location>,
}

impl Waiver {
    /// Checks one waiver as written in the config; the error says what is wrong with it.
    pub fn new(
        rule: &str,
        object: &str,
        reason: &str,
        expires: &str,
        location: Option<Location>,
    ) -> Result<Self, String> {
        let r = rules::lookup(rule.trim()).ok_or_else(|| {
            let mut m = format!("waiver rule `{rule}` is not a rule code or name");
            let names = rules::ALL.iter().map(|r| r.name);
            if let Some(s) = crate::contract::did_you_mean(rule.trim(), names) {
                m.push_str(&format!(" (did you mean `{s}`?)"));
            }
            m
        })?;
        if reason.trim().is_empty() {
            return Err("a waiver needs a `reason`".into());
        }
        let expires = NaiveDate::parse_from_str(expires.trim(), "%Y-%m-%d")
            .map_err(|e| format!("waiver `expires` `{expires}` is not a date YYYY-MM-DD ({e})"))?;
        let matcher = Glob::new(object.trim())
            .map_err(|e| format!("waiver object `{object}` is not a valid pattern: {e}"))?
            .compile_matcher();
        Ok(Self {
            rule: r,
            object: object.trim().to_string(),
            matcher,
            reason: reason.trim().to_string(),
            expires,
            location,
        })
    }

    fn matches(&self, f: &Finding) -> bool {
        f.rule == self.rule.code && (f.object == self.object || self.matcher.is_match(&f.object))
    }

    fn describe(&self) -> String {
        format!("{} {} on {}", self.rule.code, self.rule.name, self.object)
    }
}

/// Marks the findings the waivers cover (as of `today`) and appends a finding for every
/// waiver that has expired or matched nothing.
pub fn apply(findings: &mut Vec<Finding>, waivers: &[Waiver], today: NaiveDate) {
    let extra = apply_all(&mut [&mut *findings], waivers, today);
    findings.extend(extra);
}

/// [`apply`] over several sets of findings at once (the targets of a fleet): a waiver is
/// unused only when it matches nothing in any of them, and each expired or unused waiver is
/// reported once — returned for the caller to place.
pub fn apply_all(
    sets: &mut [&mut Vec<Finding>],
    waivers: &[Waiver],
    today: NaiveDate,
) -> Vec<Finding> {
    let mut extra = Vec::new();
    for w in waivers {
        let expired = today > w.expires;
        let mut matched = 0usize;
        for f in sets
            .iter_mut()
            .flat_map(|s| s.iter_mut())
            .filter(|f| w.matches(f))
        {
            matched += 1;
            if !expired && f.waived.is_none() {
                f.waived = Some(json!({
                    "reason": w.reason,
                    "expires": w.expires.to_string(),
                    "waiver": w.location.as_ref().map(|l| l.to_string()),
                }));
            }
        }
        if expired {
            extra.push(
                Finding::new(
                    &rules::WAIVER_EXPIRED,
                    "waiver",
                    w.object.clone(),
                    format!(
                        "the waiver for {} expired on {} ({matched} finding(s) count again); reason was: {}",
                        w.describe(),
                        w.expires,
                        w.reason
                    ),
                )
                .expected(format!("expires after {today}"))
                .actual(format!("expired {}", w.expires))
                .at(w.location.as_ref()),
            );
        } else if matched == 0 {
            extra.push(
                Finding::new(
                    &rules::WAIVER_UNUSED,
                    "waiver",
                    w.object.clone(),
                    format!(
                        "the waiver for {} matches no finding of this run; remove it or correct it",
                        w.describe()
                    ),
                )
                .at(w.location.as_ref()),
            );
        }
    }
    extra
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("{e}"))
    }

    fn undeclared(object: &str) -> Finding {
        Finding::new(&rules::TABLE_UNDECLARED, "table", object, "extra table")
    }

    fn waiver(object: &str, expires: &str) -> Waiver {
        Waiver::new(
            "table-undeclared",
            object,
            "dropped in Q1",
            expires,
            Some(Location {
                file: "zerogap.yaml".into(),
                line: 9,
                column: 5,
            }),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn waived_until_expiry_then_counts_again() {
        let w = [waiver("public.legacy_audit", "2027-03-31")];
        for (today, waived) in [
            ("2027-03-30", true),
            ("2027-03-31", true),
            ("2027-04-01", false),
        ] {
            let mut f = vec![undeclared("public.legacy_audit")];
            apply(&mut f, &w, day(today));
            assert_eq!(f[0].waived.is_some(), waived, "{today}");
            assert_eq!(f[0].is_active(), !waived, "{today}");
            // The day after the expiry the waiver itself is reported.
            assert_eq!(f.len(), if waived { 1 } else { 2 }, "{today}");
        }
        let mut f = vec![undeclared("public.legacy_audit")];
        apply(&mut f, &w, day("2027-04-01"));
        assert_eq!(f[1].rule, "ZG005");
        assert_eq!(f[1].location.as_ref().map(|l| l.line), Some(9));
    }

    #[test]
    fn unused_waivers_and_globs() {
        let w = [
            waiver("public.tmp_*", "2030-01-01"),
            waiver("public.gone", "2030-01-01"),
        ];
        let mut f = vec![undeclared("public.tmp_1"), undeclared("public.tmp_2")];
        apply(&mut f, &w, day("2026-11-23"));
        assert!(f[0].waived.is_some() && f[1].waived.is_some());
        assert_eq!(f.len(), 3);
        assert_eq!(f[2].rule, "ZG006");
        assert_eq!(f[2].object, "public.gone");
    }

    #[test]
    fn bad_waivers_say_why() {
        let e = Waiver::new("table-undeclard", "x", "r", "2027-01-01", None).err();
        assert!(e.is_some_and(|e| e.contains("did you mean `table-undeclared`")));
        let e = Waiver::new("ZG102", "x", "r", "31/03/2027", None).err();
        assert!(e.is_some_and(|e| e.contains("not a date")));
        let e = Waiver::new("ZG102", "x", " ", "2027-01-01", None).err();
        assert!(e.is_some_and(|e| e.contains("reason")));
    }
}
