//! Renderers: a `Report` in, text out. One per format.

pub mod json;
pub mod table;

use crate::report::Report;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

pub struct RenderOptions {
    pub color: bool,
}

pub fn render(format: Format, report: &Report, opts: &RenderOptions) -> String {
    match format {
        Format::Table => table::render(report, opts),
        Format::Json => json::render(report),
    }
}
