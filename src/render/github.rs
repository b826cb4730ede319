//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per active
//! finding, so it shows as an annotation on the file and line.

use crate::finding::Severity;
use crate::report::Report;

/// Escapes a command's message (`%`, CR, LF).
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value (also `:` and `,`).
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in report.findings.iter().filter(|f| f.is_active()) {
        let cmd = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = Vec::new();
        if let Some(l) = &f.location {
            props.push(format!("file={}", property(&l.file)));
            if l.line > 0 {
                props.push(format!("line={}", l.line));
            }
            if l.column > 0 {
                props.push(format!("col={}", l.column));
            }
        }
        props.push(format!(
            "title={}",
            property(&format!("{} {}", f.rule, f.name))
        ));
        out.push_str(&format!(
            "::{cmd} {}::{}\n",
            props.join(","),
            data(&f.message)
        ));
    }
    let s = &report.summary;
    out.push_str(&format!(
        "::notice title=zerogap::{}\n",
        data(&format!(
            "{}: {} error(s), {} warning(s), {} info(s); compliance {}",
            super::verdict(report),
            s.errors,
            s.warnings,
            s.infos,
            s.compliance_pct
                .map(|p| format!("{p:.1}%"))
                .unwrap_or_else(|| "n/a".into())
        ))
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_runner_expects() {
        assert_eq!(data("100% done\nnext"), "100%25 done%0Anext");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
