//! The contract file format, version 1, as serde types. Unknown keys are errors
//! (`deny_unknown_fields`); `Spanned` keeps the position of what a finding must point at.

use indexmap::IndexMap;
use marked_yaml::Spanned;
use serde::Deserialize;

pub type Named<T> = IndexMap<Spanned<String>, T>;

/// Top-level keys, in the order the format documents them.
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "contract",
    "version",
    "schema",
    "description",
    "requires",
    "migrations",
    "policy",
    "enums",
    "tables",
    "continuous_aggregates",
    "views",
    "queries",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRequires {
    pub timescaledb: Option<Spanned<String>>,
    pub postgresql: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMigrations {
    pub table: Spanned<String>,
    pub version_column: String,
    pub order_by: Option<String>,
    pub expect: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    pub undeclared_tables: Option<Spanned<String>>,
    pub undeclared_columns: Option<Spanned<String>>,
    pub undeclared_indexes: Option<Spanned<String>>,
}

/// Keys of a table, for "did you mean".
pub const RAW_TABLE_KEYS: &[&str] = &[
    "description",
    "comment",
    "columns",
    "primary_key",
    "foreign_keys",
    "constraints",
    "indexes",
    "hypertable",
    "data",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTable {
    pub description: Option<String>,
    pub comment: Option<String>,
    pub columns: Named<RawColumn>,
    pub primary_key: Option<Spanned<Vec<String>>>,
    pub foreign_keys: Option<Named<RawForeignKey>>,
    pub constraints: Option<Named<RawConstraint>>,
    pub indexes: Option<Named<RawIndex>>,
    pub hypertable: Option<Spanned<RawHypertable>>,
    pub data: Option<RawTableData>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawColumn {
    #[serde(rename = "type")]
    pub ty: Spanned<String>,
    pub nullable: Option<bool>,
    pub default: Option<Spanned<String>>,
    pub identity: Option<Spanned<String>>,
    pub generated: Option<Spanned<String>>,
    pub comment: Option<String>,
    pub description: Option<String>,
    pub references: Option<Spanned<String>>,
    pub rules: Option<RawColumnRules>,
}

/// Data rules (checked with `check --data`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawColumnRules {
    pub pattern: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    #[serde(rename = "in")]
    pub in_values: Option<Vec<String>>,
    pub not_null: Option<bool>,
    pub unique: Option<bool>,
    pub max_length: Option<u64>,
    pub json_type: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTableData {
    pub freshness: Option<RawFreshness>,
    pub row_count: Option<RawRowCount>,
    pub no_orphans: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFreshness {
    pub column: String,
    pub max_age: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRowCount {
    pub min: Option<u64>,
    pub max: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawForeignKey {
    pub columns: Vec<String>,
    pub references: Spanned<String>,
    pub on_delete: Option<Spanned<String>>,
    pub on_update: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConstraint {
    pub check: Option<Spanned<String>>,
    pub unique: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIndex {
    pub columns: Vec<String>,
    pub method: Option<Spanned<String>>,
    pub unique: Option<bool>,
    #[serde(rename = "where")]
    pub predicate: Option<Spanned<String>>,
    pub include: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHypertable {
    pub time_column: Spanned<String>,
    pub chunk_time_interval: Option<Spanned<String>>,
    pub partitioning: Option<RawPartitioning>,
    pub compression: Option<Spanned<RawCompression>>,
    pub retention: Option<Spanned<RawRetention>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPartitioning {
    pub column: Spanned<String>,
    pub partitions: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCompression {
    pub segment_by: Option<Vec<String>>,
    pub order_by: Option<Vec<String>>,
    pub after: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRetention {
    pub drop_after: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCagg {
    pub description: Option<String>,
    pub source: Spanned<String>,
    pub bucket: Option<Spanned<String>>,
    pub materialized_only: Option<bool>,
    pub refresh: Option<RawRefresh>,
    pub retention: Option<Spanned<RawRetention>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRefresh {
    pub start_offset: Option<Spanned<String>>,
    pub end_offset: Option<Spanned<String>>,
    pub schedule_interval: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawView {
    pub description: Option<String>,
    pub columns: Option<Vec<String>>,
    pub materialized: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQuery {
    pub description: Option<String>,
    pub consumers: Option<Vec<String>>,
    pub sql: String,
    pub params: Option<Vec<String>>,
    pub returns: Option<IndexMap<String, String>>,
    pub max_latency_ms: Option<f64>,
    pub example_params: Option<Vec<String>>,
}
