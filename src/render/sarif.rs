//! SARIF 2.1.0 for code scanning: every rule in the driver with its help text, findings at
//! the contract line (schema) or source line (queries), fingerprints stable across runs.

use serde_json::{Value, json};

use crate::finding::Severity;
use crate::report::Report;
use crate::rules;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

pub fn render(report: &Report) -> String {
    let rules_json: Vec<Value> = rules::ALL
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": { "text": r.name },
                "fullDescription": { "text": r.summary },
                "help": {
                    "text": format!("{}\nHow to fix: {}\nExample: {}", r.summary, r.fix, r.example),
                    "markdown": format!("{}\n\n**How to fix:** {}\n\n```\n{}\n```", r.summary, r.fix, r.example),
                },
                "defaultConfiguration": { "level": level(r.severity) },
                "properties": { "tags": [r.check.as_str()] },
            })
        })
        .collect();
    let fallback_file = report.contracts.first().cloned();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let index = rules::ALL.iter().position(|r| r.code == f.rule);
            let (file, line, column) = match &f.location {
                Some(l) => (Some(l.file.clone()), l.line.max(1), l.column.max(1)),
                None => (fallback_file.clone(), 1, 1),
            };
            let mut result = json!({
                "ruleId": f.rule,
                "level": level(f.severity),
                "message": { "text": f.message },
                "partialFingerprints": {
                    // Object and rule, not line: a finding keeps its identity when lines move.
                    "zerogap/v1": f.fingerprint(),
                },
                "properties": { "object": f.object, "kind": f.kind, "expected": f.expected, "actual": f.actual },
            });
            if let Some(i) = index {
                result["ruleIndex"] = json!(i);
            }
            if let Some(d) = &f.data {
                result["properties"]["data"] = json!(d);
            }
            if let Some(file) = file {
                result["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": { "uri": file },
                        "region": { "startLine": line, "startColumn": column },
                    }
                }]);
            }
            if let Some(w) = &f.waived {
                result["suppressions"] = json!([{ "kind": "external", "justification": w.get("reason").cloned().unwrap_or(Value::Null) }]);
            }
            result
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "zerogap",
                "version": report.tool.version,
                "rules": rules_json,
            }},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}
