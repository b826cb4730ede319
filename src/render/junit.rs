//! JUnit XML for CI test views: one test case per declared object and per query; a test
//! case fails with the findings about it at or above the run's `--fail-on`. Findings about
//! nothing declared (an undeclared table, a waiver) are test cases of their own.

use std::collections::BTreeMap;

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

use crate::finding::{FailOn, Finding};
use crate::report::Report;

fn line(f: &Finding) -> String {
    let resolved = if f.status == Some(crate::finding::Status::Resolved) {
        " (resolved)"
    } else {
        ""
    };
    let mut s = format!(
        "[{}{resolved}] {} {}: {}",
        f.severity, f.rule, f.name, f.message
    );
    if let Some(e) = &f.expected {
        s.push_str(&format!("\n  expected: {e}"));
    }
    if let Some(a) = &f.actual {
        s.push_str(&format!("\n  actual:   {a}"));
    }
    if let Some(l) = &f.location {
        s.push_str(&format!("\n  at {l}"));
    }
    if let Some(r) = f
        .waived
        .as_ref()
        .and_then(|w| w.get("reason"))
        .and_then(|r| r.as_str())
    {
        s.push_str(&format!("\n  waived: {r}"));
    }
    s
}

/// A test case for `name` that fails when any of `findings` trips `fail_on`.
fn case(name: &str, classname: &str, findings: &[&Finding], fail_on: FailOn) -> TestCase {
    let failing: Vec<&&Finding> = findings
        .iter()
        .filter(|f| f.is_active() && fail_on.trips(f.severity))
        .collect();
    let status = match failing.first() {
        Some(first) => {
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
            st.set_message(first.message.clone());
            st.set_type(format!("{} {}", first.rule, first.name));
            st.set_description(
                failing
                    .iter()
                    .map(|f| line(f))
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
            st
        }
        None => TestCaseStatus::success(),
    };
    let mut tc = TestCase::new(name, status);
    tc.set_classname(classname);
    let rest: Vec<String> = findings
        .iter()
        .filter(|f| !(f.is_active() && fail_on.trips(f.severity)))
        .map(|f| line(f))
        .collect();
    if !rest.is_empty() {
        // Below the threshold, waived or resolved: visible, not failing.
        tc.set_system_out(rest.join("\n"));
    }
    tc
}

pub fn render(report: &Report) -> String {
    let fail_on =
        FailOn::parse(&report.fail_on).unwrap_or(FailOn::Severity(crate::finding::Severity::Error));
    // Each finding goes to the declared object it is about (the object itself or a part of
    // it: `schema.table.column`), else to the query at its source line, else stands alone.
    let mut by_object: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    let mut by_query: BTreeMap<(String, usize), Vec<&Finding>> = BTreeMap::new();
    let mut alone: Vec<&Finding> = Vec::new();
    let queries: std::collections::HashSet<(&str, usize)> = report
        .queries
        .iter()
        .map(|q| (q.file.as_str(), q.line))
        .collect();
    for f in &report.findings {
        let owner = report.objects.iter().find(|o| {
            f.object == o.name
                || f.object
                    .strip_prefix(o.name.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        });
        let at_query = f
            .location
            .as_ref()
            .filter(|l| queries.contains(&(l.file.as_str(), l.line)));
        match (owner, at_query) {
            (_, Some(l)) => by_query
                .entry((l.file.clone(), l.line))
                .or_default()
                .push(f),
            (Some(o), None) => by_object.entry(o.name.as_str()).or_default().push(f),
            (None, None) => alone.push(f),
        }
    }

    let mut junit = quick_junit::Report::new("zerogap");
    let mut kinds: BTreeMap<&str, TestSuite> = BTreeMap::new();
    for o in &report.objects {
        let findings = by_object.get(o.name.as_str()).cloned().unwrap_or_default();
        kinds
            .entry(o.kind.as_str())
            .or_insert_with(|| TestSuite::new(format!("schema: {}", o.kind)))
            .add_test_case(case(&o.name, &o.kind, &findings, fail_on));
    }
    for (_, suite) in kinds {
        junit.add_test_suite(suite);
    }
    if !report.queries.is_empty() {
        let mut suite = TestSuite::new("queries");
        for q in &report.queries {
            let findings = by_query
                .get(&(q.file.clone(), q.line))
                .cloned()
                .unwrap_or_default();
            suite.add_test_case(case(
                &format!("{}:{}", q.file, q.line),
                &q.file,
                &findings,
                fail_on,
            ));
        }
        junit.add_test_suite(suite);
    }
    if !alone.is_empty() {
        let mut suite = TestSuite::new("other findings");
        for f in alone {
            suite.add_test_case(case(
                &format!("{} {}", f.rule, f.object),
                &f.kind,
                &[f],
                fail_on,
            ));
        }
        junit.add_test_suite(suite);
    }
    // Serialising into memory fails only on an I/O error of the writer, which a Vec has not.
    junit.to_string().unwrap_or_default()
}
