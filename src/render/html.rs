//! The HTML report: one self-contained file a reviewer opens from a CI artifact or a mail.
//!
//! Nothing is fetched: the style and the filter script are inline, the trend is an inline
//! SVG, and a Content-Security-Policy forbids any other source, so the file renders the
//! same offline and cannot call home. Every string taken from the report goes through
//! [`esc`]; the script reads the findings' severity and kind from `data-` attributes, so
//! no report text is ever placed inside `<script>`.

use std::collections::BTreeMap;

use crate::finding::{Finding, Severity, Status};
use crate::history::TrendPoint;
use crate::report::Report;
use crate::rules;

/// Inline style and script only; `data:` for the (empty) favicon so the browser asks
/// for nothing.
const CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

/// The checks in the order SPEC lists them; a report's other keys follow, sorted.
const CHECK_ORDER: [&str; 4] = ["schema", "timescale", "queries", "data"];

const SEVERITIES: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Info];

pub fn render(report: &Report, trend: &[TrendPoint]) -> String {
    let mut out = String::new();
    out.push_str(&head(report));
    out.push_str("<body>\n");
    out.push_str(&header(report));
    out.push_str("<main>\n");
    out.push_str(&summary(report));
    out.push_str(&checks(report));
    out.push_str(&findings(report));
    out.push_str(&queries(report));
    out.push_str(&data_tables(report));
    out.push_str(&trend_section(trend));
    out.push_str("</main>\n");
    out.push_str(&format!("<script>\n{SCRIPT}</script>\n"));
    out.push_str("</body>\n</html>\n");
    out
}

/// HTML-escapes text for element content and for quoted attribute values alike.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An optional report field: escaped, or a dash when the run did not know it.
fn esc_or_dash(s: Option<&str>) -> String {
    s.map(esc).unwrap_or_else(|| "—".to_string())
}

fn pct(p: Option<f64>) -> String {
    p.map(|p| format!("{p:.1}%"))
        .unwrap_or_else(|| "n/a".to_string())
}

fn badge(class: &str, text: &str) -> String {
    format!(r#"<span class="badge {class}">{}</span>"#, esc(text))
}

/// The verdict every format leads with, and its CSS class.
fn verdict(report: &Report) -> (&'static str, &'static str) {
    let v = super::verdict(report);
    let class = match v {
        "NOT VERIFIED" => "incomplete",
        "DRIFT" => "failed",
        _ => "passed",
    };
    (v, class)
}

fn head(report: &Report) -> String {
    let title = match &report.target.name {
        Some(name) => format!("zerogap report — {name}"),
        None => "zerogap report".to_string(),
    };
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="{} {}">
<link rel="icon" href="data:,">
<title>{}</title>
<style>
{STYLE}</style>
</head>
"#,
        esc(&report.tool.name),
        esc(&report.tool.version),
        esc(&title)
    )
}

fn header(report: &Report) -> String {
    let t = &report.target;
    let (word, class) = verdict(report);
    let contracts = if report.contracts.is_empty() {
        "—".to_string()
    } else {
        report
            .contracts
            .iter()
            .map(|c| format!("<code>{}</code>", esc(c)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        r#"<header>
<h1>{} {} <span class="verdict {class}">{word}</span></h1>
<dl class="meta">
<dt>target</dt><dd>{}</dd>
<dt>database</dt><dd>{}</dd>
<dt>PostgreSQL</dt><dd>{}</dd>
<dt>TimescaleDB</dt><dd>{}</dd>
<dt>generated</dt><dd><time>{}</time></dd>
<dt>contracts</dt><dd>{contracts}</dd>
</dl>
</header>
"#,
        esc(&report.tool.name),
        esc(&report.tool.version),
        esc_or_dash(t.name.as_deref()),
        esc_or_dash(t.database.as_deref()),
        esc_or_dash(t.server_version.as_deref()),
        esc_or_dash(t.timescaledb_version.as_deref()),
        esc(&report.generated_at),
    )
}

fn summary(report: &Report) -> String {
    let s = &report.summary;
    let tile = |class: &str, label: &str, value: String| {
        format!(
            "<div class=\"tile {class}\"><span class=\"value\">{value}</span><span class=\"label\">{label}</span></div>\n"
        )
    };
    let mut out =
        String::from("<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"tiles\">\n");
    out.push_str(&tile("error", "errors", s.errors.to_string()));
    out.push_str(&tile("warning", "warnings", s.warnings.to_string()));
    out.push_str(&tile("info", "infos", s.infos.to_string()));
    out.push_str(&tile("muted", "waived", s.waived.to_string()));
    out.push_str(&tile("muted", "suppressed", s.suppressed.to_string()));
    out.push_str(&tile("muted", "resolved", s.resolved.to_string()));
    out.push_str(&tile(
        "plain",
        "objects checked",
        s.objects_checked.to_string(),
    ));
    out.push_str(&tile(
        "plain",
        "objects matched",
        s.objects_matched.to_string(),
    ));
    out.push_str(&tile("plain", "compliance", pct(s.compliance_pct)));
    out.push_str("</div>\n</section>\n");
    out
}

/// The checks' names in display order: SPEC's four first, then any other status or tally.
fn check_names(report: &Report) -> Vec<&str> {
    let mut names: Vec<&str> = CHECK_ORDER.to_vec();
    let others = report
        .checks
        .keys()
        .chain(report.summary.per_check.keys())
        .map(String::as_str);
    for name in others {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

fn checks(report: &Report) -> String {
    let mut out = String::from(
        "<section id=\"checks\">\n<h2>Checks</h2>\n<table class=\"checks\">\n<thead><tr><th>check</th><th>status</th><th>checked</th><th>matched</th><th>compliance</th></tr></thead>\n<tbody>\n",
    );
    for name in check_names(report) {
        let status = report.checks.get(name).copied();
        let tally = report.summary.per_check.get(name);
        if status.is_none() && tally.is_none() {
            continue;
        }
        let status = status
            .map(|s| badge(s.as_str(), s.as_str()))
            .unwrap_or_else(|| "—".to_string());
        let (checked, matched, compliance) = match tally {
            Some(t) => (
                t.checked.to_string(),
                t.matched.to_string(),
                pct(crate::report::compliance_pct(t.matched, t.checked)),
            ),
            None => ("—".into(), "—".into(), "n/a".into()),
        };
        out.push_str(&format!(
            "<tr><td>{}</td><td>{status}</td><td class=\"num\">{checked}</td><td class=\"num\">{matched}</td><td class=\"num\">{compliance}</td></tr>\n",
            esc(name)
        ));
    }
    out.push_str("</tbody>\n</table>\n");
    if !report.not_checked.is_empty() {
        out.push_str("<h3>Not checked</h3>\n<ul class=\"not-checked\">\n");
        for reason in &report.not_checked {
            out.push_str(&format!("<li>{}</li>\n", esc(reason)));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
    out
}

fn findings(report: &Report) -> String {
    let mut out = String::from("<section id=\"findings-section\">\n<h2>Findings</h2>\n");
    if report.findings.is_empty() {
        out.push_str("<p class=\"note\">No findings.</p>\n</section>\n");
        return out;
    }
    out.push_str(&filters(&report.findings));
    out.push_str(
        "<table id=\"findings\" class=\"findings\">\n<thead><tr><th>severity</th><th>rule</th><th>kind</th><th>object</th><th>message</th><th>expected / actual</th><th>location</th><th>status</th><th>waived</th></tr></thead>\n<tbody>\n",
    );
    for f in &report.findings {
        out.push_str(&finding_row(f));
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
    out
}

/// Checkboxes the script reads; every box starts ticked, so without the script (or before
/// it runs) every row shows and the counter's server-side text is already right.
fn filters(findings: &[Finding]) -> String {
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for f in findings {
        *kinds.entry(f.kind.as_str()).or_default() += 1;
    }
    let checkbox = |filter: &str, value: &str, n: usize| {
        format!(
            "<label><input type=\"checkbox\" data-filter=\"{filter}\" value=\"{v}\" checked> {v} <span class=\"n\">({n})</span></label>\n",
            v = esc(value)
        )
    };
    let mut out = String::from(
        "<div id=\"filters\" class=\"filters\">\n<fieldset><legend>severity</legend>\n",
    );
    for s in SEVERITIES {
        let n = findings.iter().filter(|f| f.severity == s).count();
        out.push_str(&checkbox("severity", s.as_str(), n));
    }
    out.push_str("</fieldset>\n<fieldset><legend>kind</legend>\n");
    for (kind, n) in &kinds {
        out.push_str(&checkbox("kind", kind, *n));
    }
    let total = findings.len();
    out.push_str(&format!(
        "</fieldset>\n<p id=\"shown\" aria-live=\"polite\">showing {total} of {total}</p>\n</div>\n"
    ));
    out
}

fn status_str(s: Status) -> &'static str {
    match s {
        Status::New => "new",
        Status::Persisting => "persisting",
        Status::Resolved => "resolved",
    }
}

fn finding_row(f: &Finding) -> String {
    let sev = f.severity.as_str();
    let mut classes = vec![format!("sev-{sev}")];
    let mut attrs = format!(" data-severity=\"{sev}\" data-kind=\"{}\"", esc(&f.kind));
    if let Some(s) = f.status {
        attrs.push_str(&format!(" data-status=\"{}\"", status_str(s)));
        if s == Status::Resolved {
            classes.push("resolved".into());
        }
    }
    if f.waived.is_some() {
        attrs.push_str(" data-waived=\"true\"");
        classes.push("waived".into());
    }
    // The rule's summary as a tooltip: the name alone rarely says what to do.
    let rule_title = rules::by_code(&f.rule)
        .map(|r| format!(" title=\"{}\"", esc(r.summary)))
        .unwrap_or_default();
    let location = f
        .location
        .as_ref()
        .map(|l| format!("<code>{}:{}</code>", esc(&l.file), l.line))
        .unwrap_or_else(|| "—".to_string());
    format!(
        "<tr class=\"{}\"{attrs}>\
<td>{}</td>\
<td{rule_title}><code>{}</code> {}</td>\
<td>{}</td>\
<td><code>{}</code></td>\
<td>{}</td>\
<td>{}</td>\
<td>{location}</td>\
<td>{}</td>\
<td>{}</td></tr>\n",
        classes.join(" "),
        badge(sev, sev),
        esc(&f.rule),
        esc(&f.name),
        esc(&f.kind),
        esc(&f.object),
        esc(&f.message),
        expected_actual(f),
        status_cell(f),
        waived_cell(f),
    )
}

fn expected_actual(f: &Finding) -> String {
    let mut parts = Vec::new();
    if let Some(e) = &f.expected {
        parts.push(format!(
            "<div><span class=\"k\">expected</span> <code>{}</code></div>",
            esc(e)
        ));
    }
    if let Some(a) = &f.actual {
        parts.push(format!(
            "<div><span class=\"k\">actual</span> <code>{}</code></div>",
            esc(a)
        ));
    }
    if parts.is_empty() {
        "—".to_string()
    } else {
        parts.join("")
    }
}

fn status_cell(f: &Finding) -> String {
    let Some(s) = f.status else {
        return "—".to_string();
    };
    let since = f
        .first_seen
        .as_deref()
        .map(|t| format!("<div class=\"since\">since {}</div>", esc(t)))
        .unwrap_or_default();
    format!("{}{since}", badge(status_str(s), status_str(s)))
}

/// A waiver is free-form JSON in the report: its `reason` when it has one (a string
/// waiver is its own reason), the other fields after it, else the JSON text.
fn waived_cell(f: &Finding) -> String {
    let Some(w) = &f.waived else {
        return String::new();
    };
    let text = match w {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Object(map) => {
            let mut parts: Vec<String> = Vec::new();
            if let Some(serde_json::Value::String(reason)) = map.get("reason") {
                parts.push(reason.clone());
            }
            for (k, v) in map.iter().filter(|(k, _)| k.as_str() != "reason") {
                let v = match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                parts.push(format!("{k}: {v}"));
            }
            parts.join("; ")
        }
        other => other.to_string(),
    };
    if text.is_empty() {
        "waived".to_string()
    } else {
        esc(&text)
    }
}

/// The tables `check --data` read: which rows, how many, how long.
fn data_tables(report: &Report) -> String {
    if report.data.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "<section id=\"data\">\n<h2>Data</h2>\n<table class=\"queries\">\n<thead><tr><th>table</th><th>rows read</th><th>which rows</th><th>rules</th><th>time</th></tr></thead>\n<tbody>\n",
    );
    for d in &report.data {
        let table = match &d.target {
            Some(t) => format!("{} ({t})", d.table),
            None => d.table.clone(),
        };
        out.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{:.0} ms</td></tr>\n",
            esc(&table),
            d.rows_scanned,
            esc(&d.scope),
            d.rules,
            d.elapsed_ms
        ));
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
    out
}

fn queries(report: &Report) -> String {
    if report.queries.is_empty() {
        return String::new();
    }
    let parameterised = report.queries.iter().filter(|q| q.parameterised).count();
    let mut out = format!(
        "<section id=\"queries\">\n<h2>Queries</h2>\n<p>{} quer{} found, {parameterised} parameterised.</p>\n<table class=\"queries\">\n<thead><tr><th>location</th><th>parameterised</th><th>on the server</th><th>tables</th></tr></thead>\n<tbody>\n",
        report.queries.len(),
        if report.queries.len() == 1 {
            "y"
        } else {
            "ies"
        },
    );
    for q in &report.queries {
        let tables = q
            .tables
            .iter()
            .map(|t| format!("<code>{}</code>", esc(t)))
            .collect::<Vec<_>>()
            .join(", ");
        let param = if q.parameterised {
            badge("passed", "yes")
        } else {
            badge("failed", "no")
        };
        let server = match q.verified.as_deref() {
            Some("prepared") => badge("passed", "prepared"),
            Some("rejected") => badge("failed", "rejected"),
            Some("not_verifiable") => "not verifiable".to_string(),
            Some("not_prepared") => "not prepared (DDL)".to_string(),
            _ => "—".to_string(),
        };
        out.push_str(&format!(
            "<tr><td><code>{}:{}</code></td><td>{param}</td><td>{server}</td><td>{tables}</td></tr>\n",
            esc(&q.file),
            q.line
        ));
    }
    out.push_str("</tbody>\n</table>\n");
    if !report.declared_queries.is_empty() {
        out.push_str("<h3>Declared queries</h3>\n<table class=\"queries\">\n<thead><tr><th>query</th><th>consumers</th><th>found at</th><th>on the server</th><th>median</th></tr></thead>\n<tbody>\n");
        for d in &report.declared_queries {
            let name = match &d.target {
                Some(t) => format!("{} ({t})", d.name),
                None => d.name.clone(),
            };
            let found = match &d.found_at {
                Some(at) if at.is_empty() => badge("failed", "not found"),
                Some(at) => esc(&at.join(", ")),
                None => "—".to_string(),
            };
            let server = match d.verified.as_deref() {
                Some("prepared") => badge("passed", "prepared"),
                Some("rejected") => badge("failed", "rejected"),
                _ => "—".to_string(),
            };
            let median = d
                .bench
                .as_ref()
                .map(|b| format!("{:.1} ms", b.median_ms))
                .unwrap_or_else(|| "—".into());
            out.push_str(&format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{found}</td><td>{server}</td><td>{median}</td></tr>\n",
                esc(&name),
                esc(&d.consumers.join(", "))
            ));
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
    out
}

fn trend_section(trend: &[TrendPoint]) -> String {
    let body = if trend.len() < 2 {
        format!(
            "<p class=\"note\">No trend yet: {} earlier run{} stored, the chart needs two. Keep runs with <code>--history DIR</code>.</p>\n",
            trend.len(),
            if trend.len() == 1 { "" } else { "s" }
        )
    } else {
        trend_svg(trend)
    };
    format!("<section id=\"trend-section\">\n<h2>Trend</h2>\n{body}</section>\n")
}

// The chart's frame, in SVG user units; the SVG scales down to narrow windows.
const W: f64 = 760.0;
const H: f64 = 290.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 60.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 70.0;
/// More date labels than this overlap; the rest stay in the points' tooltips.
const MAX_X_LABELS: usize = 8;

/// A "nice" step (1, 2 or 5 times a power of ten) that covers `max` in at most 5 ticks.
fn nice_step(max: usize) -> usize {
    let mut magnitude = 1;
    loop {
        for m in [1, 2, 5] {
            let step = m * magnitude;
            if max.div_ceil(step) <= 5 {
                return step;
            }
        }
        magnitude *= 10;
    }
}

/// Errors and warnings against the left axis, compliance % against the right one; the
/// runs are evenly spaced (a run's time is on its label and in its tooltips).
fn trend_svg(trend: &[TrendPoint]) -> String {
    let n = trend.len();
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let bottom = TOP + plot_h;
    let x = |i: usize| LEFT + plot_w * i as f64 / (n.max(2) - 1) as f64;

    let max_count = trend
        .iter()
        .map(|p| p.errors.max(p.warnings))
        .max()
        .unwrap_or(0)
        .max(1);
    let step = nice_step(max_count);
    let top_count = max_count.div_ceil(step) * step;
    let y_count = |v: usize| bottom - plot_h * v as f64 / top_count as f64;

    // Compliance sits close to 100 %: start the axis at the lowest ten below the data
    // so a drop of a point or two stays visible.
    let min_pct = trend
        .iter()
        .filter_map(|p| p.compliance_pct)
        .fold(100.0_f64, f64::min);
    let pct_floor = ((min_pct / 10.0).floor() * 10.0).clamp(0.0, 90.0);
    let y_pct = |v: f64| bottom - plot_h * (v - pct_floor) / (100.0 - pct_floor);

    let mut out = format!(
        "<svg id=\"trend\" role=\"img\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" data-points=\"{n}\" aria-labelledby=\"trend-title\">\n<title id=\"trend-title\">Errors, warnings and compliance over the last {n} runs</title>\n"
    );
    // Left axis: finding counts, with grid lines.
    let mut v = 0;
    while v <= top_count {
        let y = y_count(v);
        out.push_str(&format!(
            "<line class=\"grid\" x1=\"{LEFT:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/><text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{v}</text>\n",
            LEFT + plot_w,
            LEFT - 6.0,
            y + 4.0
        ));
        v += step;
    }
    // Right axis: compliance, five intervals from the floor to 100 %.
    for k in 0..=5 {
        let p = pct_floor + (100.0 - pct_floor) * k as f64 / 5.0;
        out.push_str(&format!(
            "<text class=\"tick pct\" x=\"{:.1}\" y=\"{:.1}\">{p:.0}%</text>\n",
            LEFT + plot_w + 6.0,
            y_pct(p) + 4.0
        ));
    }
    out.push_str(&format!(
        "<line class=\"axis\" x1=\"{LEFT:.1}\" y1=\"{bottom:.1}\" x2=\"{:.1}\" y2=\"{bottom:.1}\"/>\n\
<text class=\"axis-title\" transform=\"translate(14 {:.1}) rotate(-90)\" text-anchor=\"middle\">findings</text>\n\
<text class=\"axis-title pct\" transform=\"translate({:.1} {:.1}) rotate(90)\" text-anchor=\"middle\">compliance %</text>\n",
        LEFT + plot_w,
        TOP + plot_h / 2.0,
        W - 12.0,
        TOP + plot_h / 2.0
    ));
    out.push_str(&x_labels(trend, &x, bottom));

    let errors: Vec<Option<(f64, f64)>> = trend
        .iter()
        .enumerate()
        .map(|(i, p)| Some((x(i), y_count(p.errors))))
        .collect();
    let warnings: Vec<Option<(f64, f64)>> = trend
        .iter()
        .enumerate()
        .map(|(i, p)| Some((x(i), y_count(p.warnings))))
        .collect();
    let compliance: Vec<Option<(f64, f64)>> = trend
        .iter()
        .enumerate()
        .map(|(i, p)| p.compliance_pct.map(|c| (x(i), y_pct(c))))
        .collect();
    out.push_str(&line("compliance", &compliance));
    out.push_str(&line("warnings", &warnings));
    out.push_str(&line("errors", &errors));

    // Points after the lines, so they are drawn on top and their tooltips win.
    for (i, p) in trend.iter().enumerate() {
        let when = esc(&p.generated_at);
        let flag = if p.incomplete {
            " (not verified: a check did not complete)"
        } else {
            ""
        };
        let extra = if p.incomplete { " incomplete" } else { "" };
        if let Some(c) = p.compliance_pct {
            out.push_str(&point(
                "compliance",
                extra,
                x(i),
                y_pct(c),
                &format!("{when}: compliance {c:.1}%{flag}"),
            ));
        }
        out.push_str(&point(
            "warnings",
            extra,
            x(i),
            y_count(p.warnings),
            &format!("{when}: {} warning(s){flag}", p.warnings),
        ));
        out.push_str(&point(
            "errors",
            extra,
            x(i),
            y_count(p.errors),
            &format!("{when}: {} error(s){flag}", p.errors),
        ));
    }
    out.push_str(&legend());
    out.push_str("</svg>\n");
    out
}

/// One series as a path; a run without a value (no compliance) breaks the line.
fn line(series: &str, points: &[Option<(f64, f64)>]) -> String {
    let mut d = String::new();
    let mut pen_down = false;
    for p in points {
        match p {
            Some((x, y)) => {
                d.push_str(&format!(
                    "{}{x:.1} {y:.1} ",
                    if pen_down { "L" } else { "M" }
                ));
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    format!("<path class=\"line {series}\" d=\"{}\"/>\n", d.trim_end())
}

/// `tooltip` is already escaped.
fn point(series: &str, extra_class: &str, x: f64, y: f64, tooltip: &str) -> String {
    format!(
        "<circle class=\"pt {series}{extra_class}\" data-series=\"{series}\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\"><title>{tooltip}</title></circle>\n"
    )
}

/// Dates under the runs; with many runs only every k-th (and always the last).
/// Runs of the same day are told apart by their time.
fn x_labels(trend: &[TrendPoint], x: &dyn Fn(usize) -> f64, bottom: f64) -> String {
    let n = trend.len();
    let stride = n.div_ceil(MAX_X_LABELS).max(1);
    let day = |p: &TrendPoint| {
        p.generated_at
            .get(..10)
            .unwrap_or(&p.generated_at)
            .to_string()
    };
    let same_day = trend.windows(2).any(|w| day(&w[0]) == day(&w[1]));
    let mut out = String::new();
    for (i, p) in trend.iter().enumerate() {
        if i % stride != 0 && i != n - 1 {
            continue;
        }
        let label = if same_day {
            // "2026-11-22T03:00:00Z" -> "11-22 03:00"
            match (p.generated_at.get(5..10), p.generated_at.get(11..16)) {
                (Some(d), Some(t)) => format!("{d} {t}"),
                _ => p.generated_at.clone(),
            }
        } else {
            day(p)
        };
        let mark = if p.incomplete { "*" } else { "" };
        out.push_str(&format!(
            "<text class=\"tick date\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}{mark}</text>\n",
            x(i),
            bottom + 18.0,
            esc(&label)
        ));
    }
    out
}

fn legend() -> String {
    let y = H - 16.0;
    let items = [
        ("errors", "errors"),
        ("warnings", "warnings"),
        ("compliance", "compliance % (right axis)"),
    ];
    let mut out = String::from("<g class=\"legend\">\n");
    let mut x = LEFT;
    for (series, label) in items {
        out.push_str(&format!(
            "<line class=\"line {series}\" x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/><text class=\"tick\" x=\"{:.1}\" y=\"{y:.1}\">{label}</text>\n",
            y - 4.0,
            x + 22.0,
            y - 4.0,
            x + 28.0
        ));
        x += 40.0 + 7.0 * label.len() as f64;
    }
    out.push_str(&format!(
        "<text class=\"tick\" x=\"{:.1}\" y=\"{y:.1}\" text-anchor=\"end\">* not verified</text>\n</g>\n",
        W - RIGHT
    ));
    out
}

const STYLE: &str = r#":root { --error: #c62828; --warning: #b26a00; --info: #1565c0; --ok: #2e7d32; --muted: #6b7280; --line: #e5e7eb; --bg-alt: #f8fafc; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111827; background: #fff; }
header, main { max-width: 1280px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 20px; border-bottom: 1px solid var(--line); }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 17px; margin: 28px 0 10px; }
h3 { font-size: 14px; margin: 14px 0 6px; }
code { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0 0 16px; }
.meta dt { color: var(--muted); }
.meta dd { margin: 0; }
.verdict { font-size: 13px; vertical-align: middle; padding: 2px 10px; border-radius: 12px; color: #fff; }
.verdict.passed { background: var(--ok); }
.verdict.failed { background: var(--error); }
.verdict.incomplete { background: var(--warning); }
.tiles { display: flex; flex-wrap: wrap; gap: 10px; }
.tile { min-width: 110px; padding: 8px 12px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg-alt); }
.tile .value { display: block; font-size: 20px; font-weight: 600; }
.tile .label { color: var(--muted); font-size: 12px; }
.tile.error .value { color: var(--error); }
.tile.warning .value { color: var(--warning); }
.tile.info .value { color: var(--info); }
.tile.muted .value { color: var(--muted); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { font-size: 12px; color: var(--muted); font-weight: 600; background: var(--bg-alt); }
table.checks { width: auto; min-width: 480px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.findings td { overflow-wrap: anywhere; }
table.findings td:nth-child(1), table.findings td:nth-child(3) { white-space: nowrap; }
table.findings td:nth-child(2) { min-width: 130px; }
table.findings td:nth-child(4) { min-width: 170px; }
table.findings td:nth-child(5) { min-width: 240px; }
table.findings td:nth-child(6) { min-width: 130px; }
table.findings td:nth-child(7) { min-width: 150px; }
table.findings td:nth-child(8), table.findings td:nth-child(9) { min-width: 110px; }
tr.waived td, tr.resolved td { color: var(--muted); }
tr.resolved td:nth-child(5) { text-decoration: line-through; }
.badge { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px; font-weight: 600; border: 1px solid currentColor; white-space: nowrap; }
.badge.error, .badge.failed { color: var(--error); }
.badge.warning, .badge.incomplete { color: var(--warning); }
.badge.info { color: var(--info); }
.badge.passed, .badge.resolved { color: var(--ok); }
.badge.skipped, .badge.persisting { color: var(--muted); }
.badge.new { color: #7b1fa2; }
.k { color: var(--muted); font-size: 12px; }
.since { color: var(--muted); font-size: 12px; }
.note { color: var(--muted); }
.not-checked li { color: var(--warning); }
.filters { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 18px; margin-bottom: 8px; }
.filters fieldset { border: 1px solid var(--line); border-radius: 6px; padding: 4px 10px; margin: 0; }
.filters legend { font-size: 12px; color: var(--muted); }
.filters label { margin-right: 10px; white-space: nowrap; }
.filters .n { color: var(--muted); }
#shown { margin: 0; font-weight: 600; }
#trend { max-width: 100%; height: auto; display: block; }
#trend .grid { stroke: var(--line); }
#trend .axis { stroke: #9ca3af; }
#trend .tick { font-size: 11px; fill: #374151; }
#trend .tick.pct, #trend .axis-title.pct { fill: var(--info); }
#trend .axis-title { font-size: 11px; fill: var(--muted); }
#trend .line { fill: none; stroke-width: 2; }
#trend .line.errors { stroke: var(--error); }
#trend .line.warnings { stroke: var(--warning); }
#trend .line.compliance { stroke: var(--info); stroke-dasharray: 5 4; }
#trend .pt { stroke: #fff; stroke-width: 1.5; }
#trend .pt.errors { fill: var(--error); }
#trend .pt.warnings { fill: var(--warning); }
#trend .pt.compliance { fill: var(--info); }
#trend .pt.incomplete { fill: #fff; stroke: #111827; }
"#;

/// Filters the findings table by the ticked severities and kinds. It only reads the
/// DOM (`data-` attributes and checkbox values), never report text of its own.
const SCRIPT: &str = r##""use strict";
(function () {
  var table = document.getElementById("findings");
  var counter = document.getElementById("shown");
  if (!table || !counter) return;
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var boxes = Array.prototype.slice.call(document.querySelectorAll("#filters input[data-filter]"));
  // A Set, not an object: a kind named like "__proto__" must not break the lookup.
  function ticked(filter) {
    var on = new Set();
    boxes.forEach(function (box) {
      if (box.dataset.filter === filter && box.checked) on.add(box.value);
    });
    return on;
  }
  function apply() {
    var severity = ticked("severity");
    var kind = ticked("kind");
    var shown = 0;
    rows.forEach(function (row) {
      var show = severity.has(row.dataset.severity) && kind.has(row.dataset.kind);
      row.hidden = !show;
      if (show) shown += 1;
    });
    counter.textContent = "showing " + shown + " of " + rows.length;
  }
  boxes.forEach(function (box) { box.addEventListener("change", apply); });
  apply();
})();
"##;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::sample_report;

    fn trend_of(points: &[(&str, usize, usize, Option<f64>, bool)]) -> Vec<TrendPoint> {
        points
            .iter()
            .map(
                |&(at, errors, warnings, compliance_pct, incomplete)| TrendPoint {
                    generated_at: at.to_string(),
                    errors,
                    warnings,
                    infos: 0,
                    compliance_pct,
                    incomplete,
                },
            )
            .collect()
    }

    fn three_runs() -> Vec<TrendPoint> {
        trend_of(&[
            ("2026-11-20T03:00:00Z", 3, 2, Some(96.5), false),
            ("2026-11-21T03:00:00Z", 2, 1, None, true),
            ("2026-11-22T03:00:00Z", 1, 1, Some(98.0), false),
        ])
    }

    #[test]
    fn html_snapshot() {
        let html = render(&sample_report(), &three_runs());
        insta::with_settings!({filters => vec![(r"zerogap \d+\.\d+\.\d+", "zerogap [version]")]}, {
            insta::assert_snapshot!(html);
        });
    }

    #[test]
    fn report_text_is_escaped() {
        let mut report = sample_report();
        report.findings[0].message = "<script>alert(1)</script>".into();
        report.findings[0].kind = "col\"umn' & <b>".into();
        report.target.name = Some("<img src=x onerror=alert(2)>".into());
        let html = render(&report, &[]);
        assert!(!html.contains("<script>alert(1)"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("data-kind=\"col&quot;umn&#39; &amp; &lt;b&gt;\""));
        assert!(!html.contains("<img"));
        // The only script element is the filter code.
        assert_eq!(html.matches("<script").count(), 1);
    }

    #[test]
    fn one_point_per_run_and_series() {
        let trend = three_runs();
        let html = render(&sample_report(), &trend);
        assert!(html.contains("<svg id=\"trend\""));
        assert!(html.contains("data-points=\"3\""));
        for series in ["errors", "warnings"] {
            let n = html.matches(&format!("data-series=\"{series}\"")).count();
            assert_eq!(n, trend.len(), "{series}");
        }
        // The run without a compliance figure has no compliance point.
        assert_eq!(html.matches("data-series=\"compliance\"").count(), 2);
        assert_eq!(html.matches("<title>2026-11-2").count(), 3 + 3 + 2);
    }

    #[test]
    fn short_trend_is_a_note_not_an_empty_chart() {
        for trend in [vec![], three_runs()[..1].to_vec()] {
            let html = render(&sample_report(), &trend);
            assert!(!html.contains("<svg"));
            assert!(html.contains("No trend yet"));
        }
    }

    #[test]
    fn missing_compliance_shows_na() {
        let mut report = sample_report();
        report.summary.compliance_pct = None;
        let html = render(&report, &[]);
        assert!(
            html.contains(
                "<span class=\"value\">n/a</span><span class=\"label\">compliance</span>"
            )
        );
    }

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(1), 1);
        assert_eq!(nice_step(5), 1);
        assert_eq!(nice_step(6), 2);
        assert_eq!(nice_step(23), 5);
        assert_eq!(nice_step(120), 50);
    }
}
