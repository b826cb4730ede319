//! The DBA's terminal view: a header, one table grouped by object, a summary line.

use comfy_table::{Cell, Color, ContentArrangement, Table, presets};

use super::RenderOptions;
use crate::finding::{Severity, Status};
use crate::report::Report;

pub fn render(report: &Report, opts: &RenderOptions) -> String {
    let mut out = String::new();
    let t = &report.target;
    out.push_str(&format!(
        "zerogap {} — {}{}{}\n",
        report.tool.version,
        t.name
            .as_deref()
            .map(|n| format!("{n} "))
            .unwrap_or_default(),
        t.database
            .as_deref()
            .map(|d| format!("database {d}"))
            .unwrap_or_else(|| "no database".into()),
        match (&t.server_version, &t.timescaledb_version) {
            (Some(v), Some(ts)) => format!(" (PostgreSQL {v}, TimescaleDB {ts})"),
            (Some(v), None) => format!(" (PostgreSQL {v})"),
            _ => String::new(),
        }
    ));
    out.push_str(&format!("contracts: {}\n", report.contracts.join(", ")));
    let checks: Vec<String> = report
        .checks
        .iter()
        .map(|(k, v)| format!("{k} {}", v.as_str()))
        .collect();
    out.push_str(&format!("checks: {}\n", checks.join(" · ")));
    for reason in &report.not_checked {
        out.push_str(&format!("not checked: {reason}\n"));
    }
    for t in &report.targets {
        let checks: Vec<String> = t
            .checks
            .iter()
            .map(|(k, v)| format!("{k} {}", v.as_str()))
            .collect();
        out.push_str(&format!(
            "  {}: {} error(s), {} warning(s){} — {}\n",
            t.label,
            t.summary.errors,
            t.summary.warnings,
            t.target
                .database
                .as_deref()
                .map(|d| format!(", database {d}"))
                .unwrap_or_default(),
            checks.join(" · ")
        ));
    }

    if !report.findings.is_empty() {
        let mut table = Table::new();
        table
            .load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(140);
        if !opts.color {
            table.force_no_tty();
        }
        // A status column only when the run was compared with history.
        let with_status = report.findings.iter().any(|f| f.status.is_some());
        let mut header = vec!["object", "severity", "rule", "finding", "where"];
        if with_status {
            header.push("status");
        }
        table.set_header(header);
        let mut last_object: Option<&str> = None;
        for f in &report.findings {
            let object = if last_object == Some(f.object.as_str()) && f.target.is_none() {
                String::new()
            } else {
                match &f.target {
                    Some(t) => format!("[{t}] {}", f.object),
                    None => f.object.clone(),
                }
            };
            last_object = Some(f.object.as_str());
            let mut sev = Cell::new(if f.waived.is_some() {
                format!("{} (waived)", f.severity)
            } else {
                f.severity.to_string()
            });
            if opts.color {
                sev = sev.fg(match f.severity {
                    Severity::Error => Color::Red,
                    Severity::Warning => Color::Yellow,
                    Severity::Info => Color::Blue,
                });
            }
            let mut row = vec![
                Cell::new(object),
                sev,
                Cell::new(format!("{} {}", f.rule, f.name)),
                Cell::new(&f.message),
                Cell::new(
                    f.location
                        .as_ref()
                        .map(|l| l.to_string())
                        .unwrap_or_default(),
                ),
            ];
            if with_status {
                row.push(Cell::new(match (f.status, &f.first_seen) {
                    (Some(Status::New), _) => "new".to_string(),
                    (Some(Status::Persisting), Some(d)) => {
                        format!("since {}", d.get(..10).unwrap_or(d))
                    }
                    (Some(Status::Persisting), None) => "persisting".to_string(),
                    (Some(Status::Resolved), _) => "resolved".to_string(),
                    (None, _) => String::new(),
                }));
            }
            table.add_row(row);
        }
        out.push_str(&table.to_string());
        out.push('\n');
    }
    let s = &report.summary;
    let verdict = super::verdict(report);

    out.push_str(&format!(
        "{verdict}: {} error(s), {} warning(s), {} info(s){}{}; {} of {} declared objects and properties matched{}\n",
        s.errors,
        s.warnings,
        s.infos,
        if s.waived > 0 { format!(", {} waived", s.waived) } else { String::new() }
            + &if s.resolved > 0 { format!(", {} resolved", s.resolved) } else { String::new() },
        if s.suppressed > 0 { format!(", {} suppressed", s.suppressed) } else { String::new() },
        s.objects_matched,
        s.objects_checked,
        s.compliance_pct.map(|p| format!(" ({p:.1}%)")).unwrap_or_default()
    ));
    out
}
