//! Markdown for a pull-request comment and `$GITHUB_STEP_SUMMARY`: a verdict line, the
//! per-check status, the findings table, and the details collapsed.
//!
//! GitHub cuts a comment at 65,536 characters: the table stops at [`MAX_ROWS`] rows and
//! says how many it left out (the JSON report has them all).

use super::verdict;
use crate::finding::{Finding, Severity, Status};
use crate::report::Report;

const MAX_ROWS: usize = 100;

/// Text inside a table cell: pipes escaped, newlines flattened, markup characters escaped.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '`' => out.push('\''),
            '*' | '_' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

fn icon(s: Severity) -> &'static str {
    match s {
        Severity::Error => "🔴 error",
        Severity::Warning => "🟠 warning",
        Severity::Info => "🔵 info",
    }
}

fn check_icon(status: &str) -> &'static str {
    match status {
        "passed" => "✅",
        "failed" => "❌",
        "incomplete" => "⚠️",
        _ => "➖",
    }
}

fn status_text(f: &Finding) -> String {
    let mut s = match f.status {
        Some(Status::New) => "new".to_string(),
        Some(Status::Persisting) => match &f.first_seen {
            Some(d) => format!("persisting since {}", d.get(..10).unwrap_or(d)),
            None => "persisting".to_string(),
        },
        Some(Status::Resolved) => "resolved".to_string(),
        None => String::new(),
    };
    if f.waived.is_some() {
        if !s.is_empty() {
            s.push_str(", ");
        }
        s.push_str("waived");
    }
    s
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let s = &report.summary;
    let t = &report.target;
    let target = t
        .name
        .clone()
        .or_else(|| t.database.clone())
        .unwrap_or_else(|| "repository".into());
    out.push_str(&format!(
        "## zerogap: {} — {}\n\n",
        verdict(report),
        cell(&target)
    ));
    let mut counts = format!(
        "**{}** error(s), **{}** warning(s), **{}** info(s)",
        s.errors, s.warnings, s.infos
    );
    for (n, what) in [
        (s.waived, "waived"),
        (s.suppressed, "suppressed"),
        (s.resolved, "resolved"),
    ] {
        if n > 0 {
            counts.push_str(&format!(", {n} {what}"));
        }
    }
    out.push_str(&counts);
    match s.compliance_pct {
        Some(p) => out.push_str(&format!(
            " · compliance **{p:.1}%** ({} of {} declared objects and properties matched)",
            s.objects_matched, s.objects_checked
        )),
        None => out.push_str(" · compliance n/a (nothing declared was compared)"),
    }
    out.push_str(&format!(" · fails on {}\n\n", report.fail_on));

    out.push_str("| check | status | matched / checked |\n|---|---|---|\n");
    for (name, status) in &report.checks {
        let tally = s
            .per_check
            .get(name)
            .map(|t| format!("{} / {}", t.matched, t.checked))
            .unwrap_or_else(|| "—".into());
        out.push_str(&format!(
            "| {name} | {} {} | {tally} |\n",
            check_icon(status.as_str()),
            status.as_str()
        ));
    }
    if !report.targets.is_empty() {
        out.push_str("\n| target | database | errors | warnings | compliance | checks |\n|---|---|---|---|---|---|\n");
        for t in &report.targets {
            let checks: Vec<String> = t
                .checks
                .iter()
                .filter(|(_, v)| v.as_str() != "skipped")
                .map(|(k, v)| format!("{} {k}", check_icon(v.as_str())))
                .collect();
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                cell(&t.label),
                cell(t.target.database.as_deref().unwrap_or("—")),
                t.summary.errors,
                t.summary.warnings,
                t.summary
                    .compliance_pct
                    .map(|p| format!("{p:.1}%"))
                    .unwrap_or_else(|| "n/a".into()),
                checks.join(" ")
            ));
        }
    }
    for reason in &report.not_checked {
        out.push_str(&format!("\n> ⚠️ not checked: {}\n", cell(reason)));
    }
    out.push('\n');

    if report.findings.is_empty() {
        out.push_str("No findings.\n");
    } else {
        out.push_str(
            "| severity | rule | object | finding | where | status |\n|---|---|---|---|---|---|\n",
        );
        for f in report.findings.iter().take(MAX_ROWS) {
            out.push_str(&format!(
                "| {} | `{}` {} | {}`{}` | {} | {} | {} |\n",
                icon(f.severity),
                f.rule,
                f.name,
                f.target
                    .as_deref()
                    .map(|t| format!("{}: ", cell(t)))
                    .unwrap_or_default(),
                f.object.replace('`', "'"),
                cell(&f.message),
                f.location
                    .as_ref()
                    .map(|l| format!("`{l}`"))
                    .unwrap_or_default(),
                status_text(f)
            ));
        }
        if report.findings.len() > MAX_ROWS {
            out.push_str(&format!(
                "\n{} more finding(s) not shown; the JSON report has them all.\n",
                report.findings.len() - MAX_ROWS
            ));
        }
        out.push_str("\n<details><summary>Details: expected and actual</summary>\n\n");
        for f in report.findings.iter().take(MAX_ROWS) {
            out.push_str(&format!(
                "- **{}** `{}`",
                f.rule,
                f.object.replace('`', "'")
            ));
            if let Some(e) = &f.expected {
                out.push_str(&format!(" — expected: `{}`", e.replace('`', "'")));
            }
            if let Some(a) = &f.actual {
                out.push_str(&format!(" — actual: `{}`", a.replace('`', "'")));
            }
            if let Some(w) = f
                .waived
                .as_ref()
                .and_then(|w| w.get("reason"))
                .and_then(|r| r.as_str())
            {
                out.push_str(&format!(" — waived: {}", cell(w)));
            }
            out.push('\n');
        }
        out.push_str("\n</details>\n");
    }
    if !report.queries.is_empty() {
        let dynamic = report.queries.iter().filter(|q| !q.parameterised).count();
        out.push_str(&format!(
            "\n<details><summary>Queries: {} found, {} not parameterised</summary>\n\n| where | parameterised | on the server | tables |\n|---|---|---|---|\n",
            report.queries.len(),
            dynamic
        ));
        for q in report.queries.iter().take(MAX_ROWS) {
            out.push_str(&format!(
                "| `{}:{}` | {} | {} | {} |\n",
                q.file,
                q.line,
                if q.parameterised { "yes" } else { "**no**" },
                q.verified.as_deref().map(verified_word).unwrap_or("—"),
                cell(&q.tables.join(", "))
            ));
        }
        out.push_str("\n</details>\n");
    }
    if !report.declared_queries.is_empty() {
        out.push_str(&format!(
            "\n<details><summary>Declared queries: {}</summary>\n\n| query | consumers | found at | on the server | median |\n|---|---|---|---|---|\n",
            report.declared_queries.len()
        ));
        for d in report.declared_queries.iter().take(MAX_ROWS) {
            let name = match &d.target {
                Some(t) => format!("{} ({t})", d.name),
                None => d.name.clone(),
            };
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                cell(&name),
                cell(&d.consumers.join(", ")),
                match &d.found_at {
                    Some(at) if at.is_empty() => "**not found**".to_string(),
                    Some(at) => cell(&at.join(", ")),
                    None => "—".to_string(),
                },
                d.verified.as_deref().map(verified_word).unwrap_or("—"),
                d.bench
                    .as_ref()
                    .map(|b| format!("{:.1} ms", b.median_ms))
                    .unwrap_or_else(|| "—".into()),
            ));
        }
        out.push_str("\n</details>\n");
    }
    if !report.data.is_empty() {
        let rows: u64 = report.data.iter().map(|d| d.rows_scanned).sum();
        out.push_str(&format!(
            "\n<details><summary>Data: {} table(s), {} rows read</summary>\n\n| table | rows read | which rows | rules | time |\n|---|---|---|---|---|\n",
            report.data.len(),
            rows
        ));
        for d in report.data.iter().take(MAX_ROWS) {
            let table = match &d.target {
                Some(t) => format!("{} ({t})", d.table),
                None => d.table.clone(),
            };
            out.push_str(&format!(
                "| {} | {} | {} | {} | {:.0} ms |\n",
                cell(&table),
                d.rows_scanned,
                cell(&d.scope),
                d.rules,
                d.elapsed_ms
            ));
        }
        out.push_str("\n</details>\n");
    }
    out.push_str(&format!(
        "\n<sub>zerogap {} · {} · contracts: {}</sub>\n",
        report.tool.version,
        report.generated_at,
        cell(&report.contracts.join(", "))
    ));
    out
}

/// How a query fared on the server, in words (the JSON's `verified`).
pub(crate) fn verified_word(v: &str) -> &'static str {
    match v {
        "prepared" => "prepared",
        "rejected" => "**rejected**",
        "not_verifiable" => "not verifiable",
        "not_prepared" => "not prepared (DDL)",
        _ => "—",
    }
}
