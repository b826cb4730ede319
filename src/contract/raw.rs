//! The contract file format, version 1, as serde types. Unknown keys are errors
//! (`deny_unknown_fields`); `Spanned` keeps the position of what a finding must point at.

use indexmap::IndexMap;
use marked_yaml::Spanned;
use schemars::JsonSchema;
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

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRequires {
    #[schemars(with = "Option<String>")]
    pub timescaledb: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub postgresql: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMigrations {
    #[schemars(with = "String")]
    pub table: Spanned<String>,
    pub version_column: String,
    pub order_by: Option<String>,
    #[schemars(with = "ScalarSchema")]
    pub expect: Spanned<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    #[schemars(with = "Option<String>")]
    pub undeclared_tables: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub undeclared_columns: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
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

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTable {
    pub description: Option<String>,
    pub comment: Option<String>,
    #[schemars(with = "std::collections::BTreeMap<String, ColumnSchema>")]
    pub columns: Named<RawColumn>,
    #[schemars(with = "Option<Vec<String>>")]
    pub primary_key: Option<Spanned<Vec<String>>>,
    #[schemars(with = "Option<std::collections::BTreeMap<String, RawForeignKey>>")]
    pub foreign_keys: Option<Named<RawForeignKey>>,
    #[schemars(with = "Option<std::collections::BTreeMap<String, RawConstraint>>")]
    pub constraints: Option<Named<RawConstraint>>,
    #[schemars(with = "Option<std::collections::BTreeMap<String, RawIndex>>")]
    pub indexes: Option<Named<RawIndex>>,
    #[schemars(with = "Option<RawHypertable>")]
    pub hypertable: Option<Spanned<RawHypertable>>,
    #[schemars(with = "Option<RawTableData>")]
    pub data: Option<Spanned<RawTableData>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawColumn {
    #[serde(rename = "type")]
    #[schemars(with = "String")]
    pub ty: Spanned<String>,
    pub nullable: Option<bool>,
    #[schemars(with = "Option<ScalarSchema>")]
    pub default: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub identity: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub generated: Option<Spanned<String>>,
    pub comment: Option<String>,
    pub description: Option<String>,
    #[schemars(with = "Option<String>")]
    pub references: Option<Spanned<String>>,
    #[schemars(with = "Option<RawColumnRules>")]
    pub rules: Option<Spanned<RawColumnRules>>,
}

/// Data rules (checked with `check --data`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawColumnRules {
    pub pattern: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    #[serde(rename = "in")]
    #[schemars(with = "Option<Vec<ScalarSchema>>")]
    pub in_values: Option<Vec<String>>,
    pub not_null: Option<bool>,
    pub unique: Option<bool>,
    pub max_length: Option<u64>,
    pub json_type: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTableData {
    pub freshness: Option<RawFreshness>,
    pub row_count: Option<RawRowCount>,
    pub no_orphans: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFreshness {
    pub column: String,
    pub max_age: String,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRowCount {
    pub min: Option<u64>,
    pub max: Option<u64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawForeignKey {
    pub columns: Vec<String>,
    #[schemars(with = "String")]
    pub references: Spanned<String>,
    #[schemars(with = "Option<String>")]
    pub on_delete: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub on_update: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawConstraint {
    #[schemars(with = "Option<String>")]
    pub check: Option<Spanned<String>>,
    pub unique: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawIndex {
    pub columns: Vec<String>,
    #[schemars(with = "Option<String>")]
    pub method: Option<Spanned<String>>,
    pub unique: Option<bool>,
    #[serde(rename = "where")]
    #[schemars(with = "Option<String>")]
    pub predicate: Option<Spanned<String>>,
    pub include: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHypertable {
    #[schemars(with = "String")]
    pub time_column: Spanned<String>,
    #[schemars(with = "Option<ScalarSchema>")]
    pub chunk_time_interval: Option<Spanned<String>>,
    pub partitioning: Option<RawPartitioning>,
    #[schemars(with = "Option<RawCompression>")]
    pub compression: Option<Spanned<RawCompression>>,
    #[schemars(with = "Option<RawRetention>")]
    pub retention: Option<Spanned<RawRetention>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPartitioning {
    #[schemars(with = "String")]
    pub column: Spanned<String>,
    pub partitions: Option<i64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCompression {
    pub segment_by: Option<Vec<String>>,
    pub order_by: Option<Vec<String>>,
    #[schemars(with = "Option<ScalarSchema>")]
    pub after: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRetention {
    #[schemars(with = "ScalarSchema")]
    pub drop_after: Spanned<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCagg {
    pub description: Option<String>,
    #[schemars(with = "String")]
    pub source: Spanned<String>,
    #[schemars(with = "Option<ScalarSchema>")]
    pub bucket: Option<Spanned<String>>,
    pub materialized_only: Option<bool>,
    pub refresh: Option<RawRefresh>,
    #[schemars(with = "Option<RawRetention>")]
    pub retention: Option<Spanned<RawRetention>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRefresh {
    #[schemars(with = "Option<ScalarSchema>")]
    pub start_offset: Option<Spanned<String>>,
    #[schemars(with = "Option<ScalarSchema>")]
    pub end_offset: Option<Spanned<String>>,
    #[schemars(with = "Option<ScalarSchema>")]
    pub schedule_interval: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawView {
    pub description: Option<String>,
    pub columns: Option<Vec<String>>,
    pub materialized: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
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

/// A scalar the loader reads as text: YAML may type it as a number or a boolean
/// (`default: 0`, `default: true`, `expect: 42`), the loader takes its text.
pub struct ScalarSchema;

impl JsonSchema for ScalarSchema {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Scalar".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": ["string", "number", "boolean"] })
    }
}

/// A column as written: `id: serial` (the type alone) or the full mapping. For the JSON
/// Schema only; the loader reads both forms itself.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum ColumnSchema {
    Type(String),
    Full(Box<RawColumn>),
}

/// One contract file, for the JSON Schema (`zerogap schema`): the loader reads the top
/// level key by key (each part with its own errors), with these types.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ContractFileSchema {
    /// The contract's name.
    pub contract: Option<String>,
    /// Semver of the contract (a breaking change needs a major bump, see `zerogap diff`).
    pub version: Option<String>,
    /// Default schema of unqualified names (default `public`).
    pub schema: Option<String>,
    pub description: Option<String>,
    pub requires: Option<RawRequires>,
    pub migrations: Option<RawMigrations>,
    pub policy: Option<RawPolicy>,
    pub enums: Option<std::collections::BTreeMap<String, Vec<String>>>,
    pub tables: Option<std::collections::BTreeMap<String, RawTable>>,
    pub continuous_aggregates: Option<std::collections::BTreeMap<String, RawCagg>>,
    pub views: Option<std::collections::BTreeMap<String, RawView>>,
    pub queries: Option<std::collections::BTreeMap<String, RawQuery>>,
}

/// The JSON Schema of a contract file.
pub fn json_schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(ContractFileSchema);
    schema.insert(
        "title".into(),
        serde_json::Value::String("zerogap contract file, format version 1".into()),
    );
    schema.to_value()
}

/// A contract file's YAML as JSON, scalars typed as YAML 1.2's core schema types them
/// (quoted scalars stay strings), with the loader's own leniency applied first — what the
/// JSON Schema validates (an editor with yaml-language-server sees the same).
pub fn yaml_to_json(text: &str) -> Result<serde_json::Value, String> {
    let text = super::quote_parenthesised_flow_values(text);
    let node = marked_yaml::parse_yaml(0, text.as_ref()).map_err(|e| e.to_string())?;
    Ok(node_to_json(&node))
}

fn node_to_json(node: &marked_yaml::Node) -> serde_json::Value {
    use serde_json::Value;
    match node {
        marked_yaml::Node::Scalar(s) => {
            let text = s.as_str();
            if !s.may_coerce() {
                return Value::String(text.to_string());
            }
            match text {
                "true" | "True" | "TRUE" => Value::Bool(true),
                "false" | "False" | "FALSE" => Value::Bool(false),
                "null" | "Null" | "NULL" | "~" | "" => Value::Null,
                _ => {
                    if let Ok(i) = text.parse::<i64>() {
                        Value::from(i)
                    } else if let Some(f) = text
                        .parse::<f64>()
                        .ok()
                        .filter(|f| f.is_finite() && text.chars().any(|c| c.is_ascii_digit()))
                    {
                        Value::from(f)
                    } else {
                        Value::String(text.to_string())
                    }
                }
            }
        }
        marked_yaml::Node::Sequence(seq) => Value::Array(seq.iter().map(node_to_json).collect()),
        marked_yaml::Node::Mapping(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.as_str().to_string(), node_to_json(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The schema's top level is the loader's.
    #[test]
    fn schema_top_level_matches_the_loader() {
        let schema = json_schema();
        let props = schema["properties"]
            .as_object()
            .map(|o| o.len())
            .unwrap_or(0);
        assert_eq!(props, TOP_LEVEL_KEYS.len());
        for k in TOP_LEVEL_KEYS {
            assert!(schema["properties"].get(*k).is_some(), "{k}");
        }
    }

    /// docs/contract.schema.json (what editors point at) is the generated schema.
    #[test]
    fn docs_schema_is_fresh() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/contract.schema.json");
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        let fresh = serde_json::to_string_pretty(&json_schema()).unwrap_or_default() + "\n";
        assert!(
            on_disk == fresh,
            "docs/contract.schema.json is stale: run `cargo run -- schema > docs/contract.schema.json`"
        );
    }

    /// Every contract in the repository is valid against the schema.
    #[test]
    fn every_contract_in_the_repository_validates() {
        let schema = json_schema();
        let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{e}"));
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in [
            "contracts",
            "contracts/boursavision",
            "fixtures/fleet",
            "fixtures/scan",
            "fixtures/seed",
        ] {
            for e in std::fs::read_dir(root.join(dir))
                .into_iter()
                .flatten()
                .flatten()
            {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                    files.push(p);
                }
            }
        }
        assert!(files.len() >= 4, "{files:?}");
        for p in files {
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{e}"));
            let doc = yaml_to_json(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let errors: Vec<String> = validator
                .iter_errors(&doc)
                .map(|e| format!("{e} at {}", e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{}:\n{}", p.display(), errors.join("\n"));
        }
        // And the schema refuses what the loader refuses.
        let bad =
            yaml_to_json("tables:\n  t:\n    columns:\n      id: { type: int, nullabel: false }\n")
                .unwrap_or_else(|e| panic!("{e}"));
        assert!(!validator.is_valid(&bad));
    }
}
