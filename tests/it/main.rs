//! Integration tests: one test binary, so the servers the harness starts are shared
//! by every test in it (see `harness.rs`).

mod cli;
mod connections;
mod data;
mod diff;
mod drift;
mod failclosed;
mod fleet;
mod harness;
mod html_report;
mod import;
mod init;
mod pgbouncer;
mod readonly;
mod reports;
mod scan;
mod smoke;
mod timescale_drift;
mod tls;
mod verify;
