//! The three large catalog reads, one record per row, decoded while the rows arrive (the
//! reads stream; the model is built from these records once all of them are in). Column
//! numbers stay numbers here: constraints and indexes are named from the columns read.

use tokio_postgres::Row;

use super::{IntrospectError, fk_action, get};
use crate::model::{Column, FkAction, Identity, QualName};

/// A row of `sql::COLUMNS`.
pub(super) struct ColumnRow {
    pub rel: i64,
    pub num: i32,
    pub column: Column,
}

impl ColumnRow {
    pub fn decode(r: &Row) -> Result<Self, IntrospectError> {
        const WHAT: &str = "columns";
        let default: Option<String> = get(r, 5, WHAT)?;
        let generated: &str = get(r, 7, WHAT)?;
        let owned_seq: Option<&str> = get(r, 9, WHAT)?;
        // A generated column's expression is read where a default would be.
        let (default, generated) = if generated.is_empty() {
            (default, None)
        } else {
            (None, default)
        };
        let serial = match (&default, owned_seq) {
            (Some(d), Some(seq)) => d.starts_with("nextval(") && d.contains(seq),
            _ => false,
        };
        Ok(Self {
            rel: get(r, 0, WHAT)?,
            num: get(r, 1, WHAT)?,
            column: Column {
                name: get(r, 2, WHAT)?,
                data_type: get(r, 3, WHAT)?,
                serial,
                nullable: !get::<bool>(r, 4, WHAT)?,
                default: if serial { None } else { default },
                identity: match get::<&str>(r, 6, WHAT)? {
                    "a" => Some(Identity::Always),
                    "d" => Some(Identity::ByDefault),
                    _ => None,
                },
                generated,
                comment: get(r, 8, WHAT)?,
                loc: None,
            },
        })
    }
}

/// A row of `sql::CONSTRAINTS`.
pub(super) struct ConstraintRow {
    pub rel: i64,
    pub name: String,
    pub conkey: Vec<i16>,
    pub kind: ConstraintKind,
}

pub(super) enum ConstraintKind {
    Primary,
    Unique,
    Check(String),
    Foreign {
        rel: i64,
        table: QualName,
        confkey: Vec<i16>,
        /// Named on the server only when the referenced table is out of scope.
        names: Option<Vec<String>>,
        on_delete: FkAction,
        on_update: FkAction,
    },
    /// Exclusion constraints are compared through their indexes.
    Other,
}

impl ConstraintRow {
    pub fn decode(r: &Row) -> Result<Self, IntrospectError> {
        const WHAT: &str = "constraints";
        let kind = match get::<&str>(r, 2, WHAT)? {
            "p" => ConstraintKind::Primary,
            "u" => ConstraintKind::Unique,
            "c" => ConstraintKind::Check(get(r, 3, WHAT)?),
            "f" => ConstraintKind::Foreign {
                rel: get(r, 5, WHAT)?,
                table: QualName::new(
                    get::<Option<String>>(r, 6, WHAT)?.unwrap_or_default(),
                    get::<Option<String>>(r, 7, WHAT)?.unwrap_or_default(),
                ),
                confkey: get(r, 8, WHAT)?,
                names: get(r, 9, WHAT)?,
                on_delete: fk_action(get(r, 10, WHAT)?),
                on_update: fk_action(get(r, 11, WHAT)?),
            },
            _ => ConstraintKind::Other,
        };
        Ok(Self {
            rel: get(r, 0, WHAT)?,
            name: get(r, 1, WHAT)?,
            conkey: get(r, 4, WHAT)?,
            kind,
        })
    }
}

/// A row of `sql::INDEXES`.
pub(super) struct IndexRow {
    pub rel: i64,
    pub name: String,
    pub method: String,
    pub unique: bool,
    pub nkey: i32,
    /// Column numbers, 0 for an expression.
    pub keys: Vec<i32>,
    /// The text of each expression column (by position), when there are any.
    pub exprs: Option<Vec<Option<String>>>,
    pub options: Vec<i32>,
    pub opclasses: Vec<i64>,
    pub predicate: Option<String>,
    pub constraint_backed: bool,
}

impl IndexRow {
    pub fn decode(r: &Row) -> Result<Self, IntrospectError> {
        const WHAT: &str = "indexes";
        Ok(Self {
            rel: get(r, 0, WHAT)?,
            name: get(r, 1, WHAT)?,
            method: get(r, 2, WHAT)?,
            unique: get(r, 3, WHAT)?,
            nkey: get(r, 4, WHAT)?,
            keys: get(r, 5, WHAT)?,
            exprs: get(r, 6, WHAT)?,
            options: get(r, 7, WHAT)?,
            opclasses: get(r, 8, WHAT)?,
            predicate: get(r, 9, WHAT)?,
            constraint_backed: get(r, 10, WHAT)?,
        })
    }
}
