//! zerogap: two producers (contracts, live database), one model, one comparator, many renderers.

pub mod cli;
pub mod compare;
pub mod config;
pub mod connect;
pub mod contract;
pub mod data;
pub mod diff;
pub mod finding;
pub mod history;
pub mod import;
pub mod init;
pub mod introspect;
pub mod lint;
pub mod model;
pub mod normalize;
pub mod render;
pub mod report;
pub mod rules;
pub mod scan;
pub mod verify;
pub mod waiver;
