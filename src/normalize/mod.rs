//! Canonical forms for comparing what a contract declares with what PostgreSQL reports.
//!
//! PostgreSQL never prints things the way a DBA writes them: `varchar(255)` comes back as
//! `character varying(255)`, `24 hours` as `24:00:00`, `x IN ('a','b')` as
//! `x = ANY (ARRAY['a'::text, 'b'::text])`. These pure functions (no I/O) bring both sides to
//! one spelling so equal things compare equal, and say "could not compare" rather than guess.

pub mod expr;
pub mod interval;
pub mod types;

pub use expr::{Equivalence, ExprError, compare_exprs, normalize_expr};
pub use interval::{Interval, IntervalError, PgDuration, parse_duration, parse_interval};
pub use types::{
    NormalizedType, SerialKind, TypeCategory, TypeError, normalize_type, type_category, types_equal,
};
