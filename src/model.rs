//! The in-memory schema model. Both producers (contracts, live database) build it;
//! the comparator reads it. No I/O, no YAML, no async here.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// `schema.name`, the identity of every relation-level object.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct QualName {
    pub schema: String,
    pub name: String,
}

impl QualName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            schema: schema.into(),
            name: name.into(),
        }
    }

    /// Parses `name` or `schema.name`, unquoting `"Quoted"` parts and lower-casing unquoted
    /// ones as PostgreSQL does.
    pub fn parse(input: &str, default_schema: &str) -> Self {
        let parts = split_ident_path(input);
        match parts.as_slice() {
            [schema, name] => Self::new(schema.clone(), name.clone()),
            [name] => Self::new(default_schema, name.clone()),
            _ => Self::new(default_schema, input.trim()),
        }
    }

    /// `schema.name.sub` for findings about parts of the relation.
    pub fn child(&self, part: &str) -> String {
        format!("{}.{}.{}", self.schema, self.name, part)
    }
}

impl fmt::Display for QualName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.schema, self.name)
    }
}

/// Splits `a.b` / `"A"."b"` into normalised identifier parts.
pub fn split_ident_path(input: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    let mut chars = input.trim().chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            '"' => {
                quoted = !quoted;
                was_quoted = true;
            }
            '.' if !quoted => {
                parts.push(finish_ident(&cur, was_quoted));
                cur.clear();
                was_quoted = false;
            }
            _ => cur.push(c),
        }
    }
    parts.push(finish_ident(&cur, was_quoted));
    parts
}

fn finish_ident(raw: &str, quoted: bool) -> String {
    if quoted {
        raw.to_string()
    } else {
        raw.trim().to_lowercase()
    }
}

/// Normalises a single identifier (column name) the way PostgreSQL folds it.
pub fn ident(input: &str) -> String {
    let t = input.trim();
    if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') {
        t[1..t.len() - 1].replace("\"\"", "\"")
    } else {
        t.to_lowercase()
    }
}

/// Where an object was declared: a contract file position, 1-based.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schema {
    pub tables: BTreeMap<QualName, Table>,
    pub enums: BTreeMap<QualName, EnumType>,
    pub views: BTreeMap<QualName, View>,
    pub caggs: BTreeMap<QualName, ContinuousAggregate>,
    pub migrations: Vec<Migration>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub name: QualName,
    pub columns: Vec<Column>,
    pub primary_key: Option<PrimaryKey>,
    pub foreign_keys: Vec<ForeignKey>,
    pub uniques: Vec<UniqueConstraint>,
    pub checks: Vec<CheckConstraint>,
    pub indexes: Vec<Index>,
    pub hypertable: Option<Hypertable>,
    /// `COMMENT ON TABLE`; `None` on the declared side means "not declared".
    pub comment: Option<String>,
    pub loc: Option<Location>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Identity {
    Always,
    ByDefault,
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Identity::Always => "always",
            Identity::ByDefault => "by_default",
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Column {
    pub name: String,
    /// Canonical spelling, as `format_type` prints it.
    pub data_type: String,
    /// The default is `nextval()` of a sequence owned by this column (serial/bigserial).
    pub serial: bool,
    pub nullable: bool,
    /// Default expression, excluding the implied sequence default of a serial column.
    pub default: Option<String>,
    pub identity: Option<Identity>,
    /// Expression of a `GENERATED ALWAYS AS (...) STORED` column.
    pub generated: Option<String>,
    /// `COMMENT ON COLUMN`; on the declared side `None` means "not declared".
    pub comment: Option<String>,
    pub loc: Option<Location>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PrimaryKey {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub loc: Option<Location>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FkAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl FkAction {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_lowercase().replace([' ', '-'], "_").as_str() {
            "no_action" => Some(Self::NoAction),
            "restrict" => Some(Self::Restrict),
            "cascade" => Some(Self::Cascade),
            "set_null" => Some(Self::SetNull),
            "set_default" => Some(Self::SetDefault),
            _ => None,
        }
    }
}

impl fmt::Display for FkAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FkAction::NoAction => "no_action",
            FkAction::Restrict => "restrict",
            FkAction::Cascade => "cascade",
            FkAction::SetNull => "set_null",
            FkAction::SetDefault => "set_default",
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ForeignKey {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub ref_table: QualName,
    pub ref_columns: Vec<String>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
    pub loc: Option<Location>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct UniqueConstraint {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub loc: Option<Location>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckConstraint {
    pub name: Option<String>,
    pub expr: String,
    pub loc: Option<Location>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexColumn {
    /// A column name or an expression, as written.
    pub expr: String,
    pub descending: bool,
    /// `None`: the default for the direction (NULLS LAST for ASC, FIRST for DESC).
    pub nulls_first: Option<bool>,
    /// Non-default operator class, e.g. `jsonb_path_ops`.
    pub opclass: Option<String>,
}

impl IndexColumn {
    /// NULLS FIRST/LAST resolved against the direction's default.
    pub fn effective_nulls_first(&self) -> bool {
        self.nulls_first.unwrap_or(self.descending)
    }
}

impl fmt::Display for IndexColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.expr)?;
        if let Some(op) = &self.opclass {
            write!(f, " {op}")?;
        }
        if self.descending {
            f.write_str(" DESC")?;
        }
        if self.effective_nulls_first() != self.descending {
            f.write_str(if self.effective_nulls_first() {
                " NULLS FIRST"
            } else {
                " NULLS LAST"
            })?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Index {
    pub name: String,
    pub method: String,
    pub unique: bool,
    pub columns: Vec<IndexColumn>,
    pub include: Vec<String>,
    pub predicate: Option<String>,
    /// Backs a primary-key, unique or exclusion constraint (checked as that constraint).
    pub constraint_backed: bool,
    pub loc: Option<Location>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SpacePartition {
    pub column: String,
    pub partitions: Option<i64>,
}

/// An ORDER BY item of compression settings.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderItem {
    pub column: String,
    pub descending: bool,
    pub nulls_first: Option<bool>,
}

impl fmt::Display for OrderItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.column)?;
        if self.descending {
            f.write_str(" DESC")?;
        }
        let nf = self.nulls_first.unwrap_or(self.descending);
        if nf != self.descending {
            f.write_str(if nf { " NULLS FIRST" } else { " NULLS LAST" })?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Compression {
    pub segment_by: Vec<String>,
    /// Declared side: `None` means "not checked".
    pub order_by: Option<Vec<OrderItem>>,
    /// `compress_after` of the compression policy; `None` = no policy.
    pub after: Option<String>,
    pub loc: Option<Location>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Retention {
    pub drop_after: String,
    pub loc: Option<Location>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hypertable {
    pub time_column: String,
    /// Declared side: `None` means "not checked".
    pub chunk_interval: Option<String>,
    pub partitioning: Option<SpacePartition>,
    pub compression: Option<Compression>,
    pub retention: Option<Retention>,
    pub loc: Option<Location>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RefreshPolicy {
    /// `None` = unbounded (NULL in the policy).
    pub start_offset: Option<String>,
    pub end_offset: Option<String>,
    pub schedule_interval: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContinuousAggregate {
    pub name: QualName,
    pub source: Option<QualName>,
    pub bucket: Option<String>,
    pub materialized_only: Option<bool>,
    pub refresh: Option<RefreshPolicy>,
    pub retention: Option<Retention>,
    pub loc: Option<Location>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct View {
    pub name: QualName,
    /// Declared side: `None` = existence only.
    pub columns: Option<Vec<String>>,
    pub materialized: bool,
    pub loc: Option<Location>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct EnumType {
    pub name: QualName,
    pub values: Vec<String>,
    pub loc: Option<Location>,
}

/// A migration-version table: declared (with `expect`) or read (with `applied`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Migration {
    pub table: QualName,
    pub version_column: String,
    pub order_by: Option<String>,
    pub expect: Option<String>,
    /// Actual side: the latest applied version, `None` when the table is empty.
    pub applied: Option<String>,
    /// Actual side: the table and its columns exist and were read.
    pub found: bool,
    pub loc: Option<Location>,
}

/// How objects the contract does not declare are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyLevel {
    Ignore,
    Info,
    Warning,
    Error,
}

impl PolicyLevel {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_lowercase().as_str() {
            "ignore" => Some(Self::Ignore),
            "info" => Some(Self::Info),
            "warning" | "warn" => Some(Self::Warning),
            "error" => Some(Self::Error),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub undeclared_tables: PolicyLevel,
    pub undeclared_columns: PolicyLevel,
    pub undeclared_indexes: PolicyLevel,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            undeclared_tables: PolicyLevel::Warning,
            undeclared_columns: PolicyLevel::Error,
            undeclared_indexes: PolicyLevel::Info,
        }
    }
}

/// What the contracts expect: the declared schema plus what is not itself a schema object.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expectations {
    pub schema: Schema,
    pub policy: Policy,
    /// Schemas the contracts speak for: undeclared objects are looked for only here.
    pub schemas: Vec<String>,
    /// `requires.timescaledb`, a semver requirement such as `>=2.13`.
    pub timescaledb: Option<VersionRequirement>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VersionRequirement {
    pub requirement: String,
    pub loc: Option<Location>,
}

/// Facts about the server that are not schema objects.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ServerInfo {
    pub database: String,
    pub server_version: String,
    pub timescaledb_version: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualname_parses_quoted_and_default_schema() {
        assert_eq!(
            QualName::parse("Foo", "public"),
            QualName::new("public", "foo")
        );
        assert_eq!(
            QualName::parse("\"Sales\".\"Orders\"", "public"),
            QualName::new("Sales", "Orders")
        );
        assert_eq!(QualName::parse("a.b", "public"), QualName::new("a", "b"));
    }

    #[test]
    fn index_column_display_omits_defaults() {
        let c = IndexColumn {
            expr: "ts".into(),
            descending: true,
            nulls_first: Some(true),
            opclass: None,
        };
        assert_eq!(c.to_string(), "ts DESC");
        let c = IndexColumn {
            expr: "ts".into(),
            descending: true,
            nulls_first: Some(false),
            opclass: None,
        };
        assert_eq!(c.to_string(), "ts DESC NULLS LAST");
    }
}

/// A promise about the rows (a column's `rules:`, a table's `data:`), checked by
/// `check --data`.
#[derive(Debug, Clone, PartialEq)]
pub struct DataRule {
    pub table: QualName,
    /// The column the rule reads (`freshness`'s column too); `None` for table rules.
    pub column: Option<String>,
    pub kind: DataRuleKind,
    pub loc: Option<Location>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DataRuleKind {
    /// A PostgreSQL regular expression every non-null value matches (`~`).
    Pattern(String),
    /// Inclusive bounds, compared as numeric.
    Range {
        min: Option<f64>,
        max: Option<f64>,
    },
    /// Allowed values, compared as text.
    In(Vec<String>),
    NotNull,
    Unique,
    MaxLength(u64),
    /// `jsonb_typeof` of every non-null value.
    JsonType(String),
    /// The newest value of the rule's column is at most this old (an interval).
    Freshness {
        max_age: String,
    },
    RowCount {
        min: Option<u64>,
        max: Option<u64>,
    },
    /// Every row's key names a row of the referenced table (a declared foreign key).
    NoOrphans(ForeignKey),
}

impl DataRuleKind {
    /// The contract's spelling of the rule.
    pub fn key(&self) -> &'static str {
        match self {
            DataRuleKind::Pattern(_) => "pattern",
            DataRuleKind::Range { .. } => "range",
            DataRuleKind::In(_) => "in",
            DataRuleKind::NotNull => "not_null",
            DataRuleKind::Unique => "unique",
            DataRuleKind::MaxLength(_) => "max_length",
            DataRuleKind::JsonType(_) => "json_type",
            DataRuleKind::Freshness { .. } => "freshness",
            DataRuleKind::RowCount { .. } => "row_count",
            DataRuleKind::NoOrphans(_) => "no_orphans",
        }
    }
}

/// `jsonb_typeof`'s answers.
pub const JSON_TYPES: [&str; 6] = ["object", "array", "string", "number", "boolean", "null"];
