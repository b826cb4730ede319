//! Renderers: a `Report` in, text out. One per format.

pub mod json;
pub mod sarif;
pub mod table;

use crate::report::Report;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Sarif,
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
        Format::Sarif => sarif::render(report),
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
        ];
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
    fn json_snapshot() {
        let report = sample_report();
        insta::assert_json_snapshot!(report, {".tool.version" => "[version]"});
    }
}
