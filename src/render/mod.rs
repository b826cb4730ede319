//! Renderers: a `Report` in, text out. One per format.

pub mod github;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod table;

use crate::report::Report;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Markdown,
    Html,
    Junit,
    Sarif,
    Github,
}

/// The one-word verdict every format leads with.
pub fn verdict(report: &Report) -> &'static str {
    if report.incomplete() {
        "NOT VERIFIED"
    } else if report.exit_code_judged() == 1 {
        "DRIFT"
    } else {
        "OK"
    }
}

pub struct RenderOptions {
    pub color: bool,
    /// Earlier runs of the same target, oldest first (HTML draws the trend).
    pub trend: Vec<crate::history::TrendPoint>,
}

impl RenderOptions {
    pub fn plain() -> Self {
        Self {
            color: false,
            trend: Vec::new(),
        }
    }
}

pub fn render(format: Format, report: &Report, opts: &RenderOptions) -> String {
    match format {
        Format::Table => table::render(report, opts),
        Format::Json => json::render(report),
        Format::Markdown => markdown::render(report),
        Format::Junit => junit::render(report),
        Format::Sarif => sarif::render(report),
        Format::Html => html::render(report, &opts.trend),
        Format::Github => github::render(report),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::Tally;
    use crate::finding::{FailOn, Finding, Severity};
    use crate::model::Location;
    use crate::report::{ReportBuilder, Target};
    use crate::rules::{self, Check};

    /// One shared set of findings for every renderer's snapshot.
    pub fn sample_report() -> Report {
        let mut b = ReportBuilder {
            target: Target {
                name: Some("staging".into()),
                database: Some("signals".into()),
                server_version: Some("15.8".into()),
                timescaledb_version: Some("2.23.1".into()),
            },
            contracts: vec!["contracts/signal_service.yaml".into()],
            ..Default::default()
        };
        let loc = |line| {
            Some(Location {
                file: "contracts/signal_service.yaml".into(),
                line,
                column: 7,
            })
        };
        b.findings = vec![
            Finding::new(
                &rules::COLUMN_TYPE_MISMATCH,
                "column",
                "public.signal_greeks.delta",
                "column public.signal_greeks.delta is numeric(12,4), the contract says numeric(10,6)",
            )
            .expected("numeric(10,6)")
            .actual("numeric(12,4)")
            .at(loc(21).as_ref()),
            Finding::new(
                &rules::TABLE_UNDECLARED,
                "table",
                "public.legacy_audit",
                "table public.legacy_audit exists but is not declared in the contracts",
            )
            .expected("not present")
            .actual("table"),
            Finding::new(
                &rules::INDEX_UNDECLARED,
                "index",
                "public.signal_greeks.idx_tmp",
                "index public.signal_greeks.idx_tmp USING btree (signal_id) is not declared",
            )
            .severity(Severity::Info)
            .at(loc(12).as_ref()),
            Finding::new(
                &rules::DYNAMIC_SQL,
                "query",
                "app/report.py:12",
                "SQL built with an f-string from `sort` (a function argument) is executed at app/report.py:12",
            )
            .at(Some(&Location {
                file: "app/report.py".into(),
                line: 12,
                column: 20,
            })),
            Finding::new(
                &rules::CHECK_CONSTRAINT_MISMATCH,
                "constraint",
                "public.signal_indicators.chk_rsi",
                "check constraint public.signal_indicators.chk_rsi differs",
            )
            .expected("rsi BETWEEN 0 AND 100")
            .actual("rsi >= 0")
            .at(loc(48).as_ref()),
            {
                let mut f = Finding::new(
                    &rules::DATA_PATTERN,
                    "data",
                    "public.signal_greeks.signal_id",
                    "public.signal_greeks.signal_id: 3 of 1,440 rows read (0.21%, last 1 day) do not match the pattern `^signal_\\d{8}_\\d{6}$`, e.g. 'sig-1'",
                )
                .expected("every value matches `^signal_\\d{8}_\\d{6}$`")
                .actual("3 rows (0.21%)")
                .at(loc(12).as_ref());
                let mut ev = crate::finding::DataEvidence::new("pattern", 3, 1440, "last 1 day");
                ev.examples = vec!["sig-1".into()];
                f.data = Some(ev);
                f
            },
        ];
        // History and waiver marks, as `--history` and zerogap.yaml would set them.
        for f in &mut b.findings {
            match f.rule.as_str() {
                "ZG104" => {
                    f.status = Some(crate::finding::Status::Persisting);
                    f.first_seen = Some("2026-11-20T03:00:00Z".into());
                }
                "ZG117" => {
                    f.status = Some(crate::finding::Status::Resolved);
                    f.first_seen = Some("2026-11-19T03:00:00Z".into());
                }
                "ZG102" => {
                    f.status = Some(crate::finding::Status::Persisting);
                    f.first_seen = Some("2026-10-01T03:00:00Z".into());
                    f.waived = Some(serde_json::json!({
                        "reason": "dropped in the Q1 migration plan",
                        "expires": "2027-03-31",
                        "waiver": "zerogap.yaml:9:5",
                    }));
                }
                _ => {
                    f.status = Some(crate::finding::Status::New);
                    f.first_seen = Some("2026-11-22T03:00:00Z".into());
                }
            }
        }
        b.objects = ["public.signal_greeks", "public.signal_indicators"]
            .iter()
            .enumerate()
            .map(|(i, name)| crate::report::ObjectEntry {
                kind: "table".into(),
                name: name.to_string(),
                location: loc(5 + 40 * i),
            })
            .collect();
        b.queries = vec![
            crate::report::QueryEntry {
                file: "app/repo.py".into(),
                line: 40,
                parameterised: true,
                tables: vec!["public.signal_greeks".into()],
                verified: Some("prepared".into()),
                declared_as: Some("latest_greeks".into()),
                ..Default::default()
            },
            crate::report::QueryEntry {
                file: "app/report.py".into(),
                line: 12,
                parameterised: false,
                tables: vec!["public.signal_indicators".into()],
                ..Default::default()
            },
        ];
        b.data = vec![crate::report::DataTableEntry {
            table: "public.signal_greeks".into(),
            target: None,
            scope: "last 1 day".into(),
            rows_scanned: 1440,
            rules: 4,
            elapsed_ms: 12.5,
        }];
        b.declared_queries = vec![crate::report::DeclaredQueryEntry {
            name: "latest_greeks".into(),
            consumers: vec!["pricing-api".into()],
            found_at: Some(vec!["app/repo.py:40".into()]),
            verified: Some("prepared".into()),
            bench: Some(crate::report::BenchEntry {
                runs: 5,
                median_ms: 0.42,
                max_latency_ms: Some(50.0),
                uses_index: true,
                seq_scans: Vec::new(),
            }),
            ..Default::default()
        }];
        b.tally(
            Check::Queries,
            Tally {
                checked: 4,
                matched: 3,
            },
        );
        b.ran(Check::Queries);
        b.tally(
            Check::Schema,
            Tally {
                checked: 120,
                matched: 117,
            },
        );
        b.tally(
            Check::Timescale,
            Tally {
                checked: 30,
                matched: 30,
            },
        );
        b.ran(Check::Schema);
        b.ran(Check::Timescale);
        b.build(
            FailOn::Severity(Severity::Error),
            "2026-11-22T03:00:00Z".into(),
        )
    }

    #[test]
    fn table_snapshot() {
        let text = render(Format::Table, &sample_report(), &RenderOptions::plain());
        insta::with_settings!({filters => vec![(r"zerogap \d+\.\d+\.\d+", "zerogap [version]")]}, {
            insta::assert_snapshot!(text);
        });
    }

    #[test]
    fn sarif_snapshot() {
        let text = render(Format::Sarif, &sample_report(), &RenderOptions::plain());
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        insta::assert_json_snapshot!(v["runs"][0]["results"]);
        assert_eq!(
            v["runs"][0]["tool"]["driver"]["rules"]
                .as_array()
                .map(|a| a.len()),
            Some(crate::rules::ALL.len())
        );
    }

    #[test]
    fn markdown_snapshot() {
        let text = render(Format::Markdown, &sample_report(), &RenderOptions::plain());
        insta::with_settings!({filters => vec![(r"zerogap \d+\.\d+\.\d+", "zerogap [version]")]}, {
            insta::assert_snapshot!(text);
        });
    }

    #[test]
    fn github_snapshot() {
        let text = render(Format::Github, &sample_report(), &RenderOptions::plain());
        insta::assert_snapshot!(text);
    }

    #[test]
    fn junit_snapshot() {
        let text = render(Format::Junit, &sample_report(), &RenderOptions::plain());
        insta::assert_snapshot!(text);
    }

    /// The JUnit XML parses back: one test case per declared object and per query, plus one
    /// per finding about nothing declared; failures are exactly the active errors.
    #[test]
    fn junit_parses_back() {
        use quick_xml::events::Event;
        let text = render(Format::Junit, &sample_report(), &RenderOptions::plain());
        let mut reader = quick_xml::Reader::from_str(&text);
        let (mut cases, mut failures, mut names) = (0, 0, Vec::new());
        loop {
            match reader.read_event() {
                Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.name().as_ref() {
                    "testcase" => {
                        cases += 1;
                        for a in e.attributes().flatten() {
                            if a.key.as_ref() == "name" {
                                names.push(a.value.to_string());
                            }
                        }
                    }
                    "failure" => failures += 1,
                    _ => {}
                },
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("JUnit XML does not parse: {e}"),
            }
        }
        // 2 tables (the undeclared index belongs to its table) + 2 queries + the undeclared
        // table (waived: it passes).
        assert_eq!(cases, 5, "{names:?}");
        // The type mismatch (on a table) and the dynamic SQL (on a query); not the waived
        // warning, the info, or the resolved check.
        assert_eq!(failures, 2, "{text}");
        assert!(names.contains(&"app/report.py:12".to_string()));
        assert!(names.contains(&"public.signal_greeks".to_string()));
    }

    /// SARIF validated against the SARIF 2.1.0 JSON schema (rtm.5, vendored in tests/data).
    #[test]
    fn sarif_is_valid_against_the_2_1_0_schema() {
        let schema_path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/sarif-2.1.0-rtm.5.json"
        );
        // The schema's `language` pattern has a lone `]`, a literal in ECMAScript regexes but
        // an error in Rust's: escaping it gives the same regex (the file stays as published).
        let text = std::fs::read_to_string(schema_path)
            .unwrap_or_else(|e| panic!("{schema_path}: {e}"))
            .replace("[a-zA-Z]{2}]?$", "[a-zA-Z]{2}\\\\]?$");
        let schema: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("schema: {e}"));
        let validator = jsonschema::options()
            .with_pattern_options(jsonschema::PatternOptions::fancy_regex())
            .build(&schema)
            .unwrap_or_else(|e| panic!("schema: {e}"));
        let text = render(Format::Sarif, &sample_report(), &RenderOptions::plain());
        let doc: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("SARIF is not JSON: {e}"));
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "SARIF violates the 2.1.0 schema:\n{}",
            errors.join("\n")
        );
        // And the schema does catch a broken document.
        let mut broken = doc.clone();
        broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
        assert!(!validator.is_valid(&broken));
    }

    #[test]
    fn json_snapshot() {
        let report = sample_report();
        insta::assert_json_snapshot!(report, {".tool.version" => "[version]"});
    }
}
