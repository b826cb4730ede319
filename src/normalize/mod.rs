//! TEMPORARY STUB — replaced by the real normalisers.
pub mod expr;
pub mod interval;
pub mod types;
