//! The command line: parses flags, runs the library, prints, and picks the exit code.
//! This is the only place that prints or decides how the process ends.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use clap::{Args, Parser, Subcommand};

use crate::compare;
use crate::config::{self, Config};
use crate::connect;
use crate::contract::{self, ContractErrors, ContractSet};
use crate::finding::{FailOn, Finding};
use crate::history;
use crate::introspect::{self, Reader, Scope, SessionOptions};
use crate::lint;
use crate::render::{self, Format, RenderOptions};
use crate::report::{Report, ReportBuilder, Target};
use crate::rules::{self, Check};

mod data;
mod queries;

#[derive(Debug, Parser)]
#[command(
    name = "zerogap",
    version,
    about = "Prove a PostgreSQL/TimescaleDB database matches its declared contracts."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Contracts vs the live database: schema, TimescaleDB objects, migration version.
    Check(CheckArgs),
    /// Repository scan only: find the SQL in code and .sql files, prove it is parameterised
    /// and names only declared tables and columns (offline).
    Scan(ScanArgs),
    /// Validate contract files without a database.
    Lint(LintArgs),
    /// Write contract files from a live database (the adoption path): everything it has,
    /// so that `check` of the same database finds nothing.
    Init(InitArgs),
    /// Write contract files offline from DDL: a schema.sql, or folders of migrations applied
    /// in version order (TimescaleDB calls included). Exit 1 when a statement that may change
    /// the schema was not understood (each one is listed with its line).
    Import(ImportArgs),
    /// Render stored JSON reports (one run, or the latest run of a --history folder with
    /// the trend over the stored runs) as Markdown, HTML or any other format.
    Report(ReportArgs),
    /// Classify the changes between two versions of the contracts as breaking or not;
    /// exit 1 on a breaking change without a major version bump. OLD and NEW are files,
    /// folders, or `git:REV:path`.
    Diff(DiffArgs),
    /// Print the JSON Schema of the contract format (for editor completion).
    Schema,
    /// List the rules (`--markdown` prints docs/rules.md).
    Rules {
        #[arg(long)]
        markdown: bool,
    },
}

#[derive(Debug, Args)]
struct OutputArgs {
    /// table | json | markdown | html | junit | sarif | github; repeat with --output to
    /// write several formats in one run.
    #[arg(long = "format", value_enum)]
    formats: Vec<Format>,
    /// Where the matching --format goes (by position); default stdout.
    #[arg(long = "output")]
    outputs: Vec<PathBuf>,
    /// Lowest severity that fails the run: error | warning | info | never.
    #[arg(long, value_parser = ["error", "warning", "info", "never"])]
    fail_on: Option<String>,
    #[arg(short, long)]
    quiet: bool,
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Keep this run's JSON report in DIR and mark each finding new / persisting / resolved
    /// against the previous run of the same target.
    #[arg(long, value_name = "DIR")]
    history: Option<PathBuf>,
    /// With --history: how many runs of each target to keep (older ones are deleted).
    #[arg(long, value_name = "N", default_value_t = 90)]
    history_keep: usize,
}

#[derive(Debug, Args)]
struct CommonArgs {
    /// Config file (default: zerogap.yaml here or in a parent folder).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Contract file or folder (repeatable; default from config, else contracts/).
    #[arg(long)]
    contracts: Vec<PathBuf>,
}

#[derive(Debug, Args)]
struct CheckArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Database URL (postgres://...) or key=value string; default DATABASE_URL, then PG* variables.
    #[arg(long)]
    db: Option<String>,
    /// A target named in zerogap.yaml; repeat it to check several targets concurrently
    /// (one combined report).
    #[arg(long = "target", value_name = "NAME")]
    targets: Vec<String>,
    /// Check every target of zerogap.yaml.
    #[arg(long, conflicts_with_all = ["targets", "db"])]
    all_targets: bool,
    /// Repository to scan for queries (default: config scan.paths, else the current folder).
    #[arg(long)]
    repo: Option<PathBuf>,
    /// Skip the repository scan.
    #[arg(long)]
    no_scan: bool,
    /// Do not ask the server to PREPARE the repository's and the declared queries.
    #[arg(long)]
    no_prepare: bool,
    /// Staging use: run EXPLAIN (ANALYZE, BUFFERS) of each declared query with
    /// `example_params` in a read-only transaction, report the median latency against
    /// `max_latency_ms` and whether the plan uses an index or scans a whole hypertable.
    #[arg(long)]
    bench: bool,
    /// Runs of each query with --bench (the median is reported).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    bench_runs: u32,
    /// Check the contracts' data rules (column `rules:`, table `data:`) on the rows: one
    /// aggregate query per table, read-only, under the statement timeout.
    #[arg(long)]
    data: bool,
    /// With --data: on hypertables, read only rows whose time column is within this
    /// interval of now() (chunk exclusion); `all` reads every row.
    #[arg(long, default_value = "1 day", value_name = "INTERVAL|all", value_parser = parse_window)]
    data_window: DataWindow,
    /// With --data: read PCT percent of the blocks (TABLESAMPLE SYSTEM) of tables of 10 MB
    /// or more that are not read over a window; counts are then of the sample.
    #[arg(long, value_name = "PCT", value_parser = parse_pct)]
    sample: Option<f64>,
    /// With --data: example values per rule in the findings.
    #[arg(long, default_value_t = 5, value_name = "N")]
    data_examples: usize,
    /// With --data: no example values in any output (sensitive data).
    #[arg(long)]
    no_examples: bool,
    #[arg(long, default_value_t = 4)]
    max_connections: usize,
    #[arg(long, default_value = "30s", value_parser = connect::parse_duration_flag)]
    statement_timeout: Duration,
    #[arg(long, default_value = "10s", value_parser = connect::parse_duration_flag)]
    connect_timeout: Duration,
    #[arg(long, default_value = "5s", value_parser = connect::parse_duration_flag)]
    lock_timeout: Duration,
    #[command(flatten)]
    output: OutputArgs,
}

fn data_options(args: &CheckArgs) -> crate::data::Options {
    crate::data::Options {
        window: args.data_window.0.clone(),
        sample_pct: args.sample,
        examples: if args.no_examples {
            0
        } else {
            args.data_examples
        },
    }
}

/// `--data-window`: an interval, or every row.
#[derive(Debug, Clone)]
struct DataWindow(Option<String>);

fn parse_window(s: &str) -> std::result::Result<DataWindow, String> {
    if s.trim().eq_ignore_ascii_case("all") {
        return Ok(DataWindow(None));
    }
    crate::normalize::interval::parse_interval(s)
        .map(|_| DataWindow(Some(s.trim().to_string())))
        .map_err(|e| format!("{e} (an interval such as `1 day`, or `all`)"))
}

fn parse_pct(s: &str) -> std::result::Result<f64, String> {
    match s.trim().trim_end_matches('%').parse::<f64>() {
        Ok(p) if p > 0.0 && p <= 100.0 => Ok(p),
        _ => Err(format!("`{s}` is not a percentage in (0, 100]")),
    }
}

#[derive(Debug, Args)]
struct ScanArgs {
    /// Folder to scan (default: config scan.paths, else the current folder).
    path: Option<PathBuf>,
    /// Parse every source file whole, without the prefilter that skips files and parts of
    /// files that cannot hold a query (much slower; for checking that both give the same
    /// findings).
    #[arg(long)]
    whole_files: bool,
    #[command(flatten)]
    common: CommonArgs,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Debug, Args)]
struct InitArgs {
    /// Database URL or key=value string; default DATABASE_URL, then the PG* variables.
    #[arg(long)]
    db: Option<String>,
    /// Only these schemas (repeatable; default: every schema the team owns).
    #[arg(long = "schema", value_name = "NAME")]
    schemas: Vec<String>,
    /// Folder to write into (one file per schema).
    #[arg(long, default_value = "contracts")]
    out: PathBuf,
    /// Overwrite files that exist.
    #[arg(long)]
    force: bool,
    #[arg(long, default_value = "30s", value_parser = connect::parse_duration_flag)]
    statement_timeout: Duration,
    #[arg(long, default_value = "10s", value_parser = connect::parse_duration_flag)]
    connect_timeout: Duration,
    #[arg(long, default_value = "5s", value_parser = connect::parse_duration_flag)]
    lock_timeout: Duration,
    #[arg(long, default_value_t = 4)]
    max_connections: usize,
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// SQL files and folders of migrations (`*.down.sql` and Flyway undo files left out).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Schema of unqualified names, until a `SET search_path` in the DDL says otherwise.
    #[arg(long, default_value = "public")]
    schema: String,
    /// Folder to write into (one file per schema).
    #[arg(long, default_value = "contracts")]
    out: PathBuf,
    /// Overwrite files that exist.
    #[arg(long)]
    force: bool,
    /// Prefix of the contracts' names (`NAME_schema`; default: the schema's name alone).
    #[arg(long)]
    name: Option<String>,
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Debug, Args)]
struct DiffArgs {
    old: String,
    new: String,
    /// table | json | markdown
    #[arg(long, default_value = "table", value_parser = ["table", "json", "markdown"])]
    format: String,
    #[arg(long)]
    output: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ReportArgs {
    /// JSON reports written by check/scan/lint (default: the latest run in --history);
    /// several are merged into one combined report (the shards of a fleet).
    files: Vec<PathBuf>,
    /// Target key of the runs to use in the history folder (default: the file's target, or
    /// the only target there).
    #[arg(long)]
    target: Option<String>,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Debug, Args)]
struct LintArgs {
    /// Contract files or folders (default from config, else contracts/).
    paths: Vec<PathBuf>,
    #[arg(long)]
    config: Option<PathBuf>,
    #[command(flatten)]
    output: OutputArgs,
}

/// Entry point for `main`: returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ => 2,
            };
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("zerogap: error: {e:#}");
            2
        }
    }
}

fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Rules { markdown } => {
            if markdown {
                print!("{}", rules::markdown());
            } else {
                for r in rules::ALL {
                    println!(
                        "{}  {:<45} {:<8} {}",
                        r.code,
                        r.name,
                        r.severity.as_str(),
                        r.check.as_str()
                    );
                }
            }
            Ok(0)
        }
        Command::Lint(args) => run_lint(args),
        Command::Scan(args) => run_scan(args),
        Command::Check(args) => run_check(args),
        Command::Report(args) => run_report(args),
        Command::Init(args) => run_init(args),
        Command::Import(args) => run_import(args),
        Command::Diff(args) => run_diff(args),
        Command::Schema => {
            let text = serde_json::to_string_pretty(&crate::contract::raw::json_schema())
                .context("cannot print the schema")?;
            println!("{text}");
            Ok(0)
        }
    }
}

fn load_config(explicit: Option<&Path>) -> Result<Option<(PathBuf, Config)>> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => config::find(&std::env::current_dir().context("cannot read the current folder")?),
    };
    match path {
        None => Ok(None),
        Some(p) => match config::load(&p) {
            Ok(c) => Ok(Some((p, c))),
            Err(errors) => Err(anyhow!("{errors}")),
        },
    }
}

fn contract_paths(explicit: &[PathBuf], cfg: Option<&(PathBuf, Config)>) -> Vec<PathBuf> {
    if !explicit.is_empty() {
        return explicit.to_vec();
    }
    if let Some((path, c)) = cfg
        && let Some(list) = &c.contracts
    {
        // Relative to the config file's folder.
        let base = path.parent().unwrap_or(Path::new("."));
        return list.to_vec().iter().map(|p| base.join(p)).collect();
    }
    vec![PathBuf::from("contracts")]
}

/// The schemas the contract files name at top level (`schema: x`), plus `public` when a
/// file names none: a guess at the catalog scope, checked once the contracts are loaded.
fn guess_schemas(paths: &[PathBuf]) -> Vec<String> {
    let mut out = Vec::new();
    for p in paths {
        for f in contract::contract_files(p).unwrap_or_default() {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            let named = text.lines().find_map(|l| {
                let v = l.strip_prefix("schema:")?.split('#').next()?.trim();
                let v = v.trim_matches(['"', '\'']);
                (!v.is_empty()).then(|| v.to_lowercase())
            });
            out.push(named.unwrap_or_else(|| "public".to_string()));
        }
    }
    out.sort();
    out.dedup();
    out
}

fn load_contracts(paths: &[PathBuf]) -> std::result::Result<ContractSet, ContractErrors> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        match contract::contract_files(p) {
            Ok(f) => files.extend(f),
            Err(e) => errors.push(contract::ContractError {
                location: crate::model::Location {
                    file: p.to_string_lossy().to_string(),
                    line: 0,
                    column: 0,
                },
                message: format!("cannot read contracts: {e}"),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(ContractErrors(errors));
    }
    contract::load_paths(&files)
}

fn fail_on(out: &OutputArgs, cfg: Option<&(PathBuf, Config)>) -> Result<FailOn> {
    let s = out
        .fail_on
        .clone()
        .or_else(|| cfg.and_then(|(_, c)| c.fail_on.clone()))
        .unwrap_or_else(|| "error".into());
    FailOn::parse(&s)
        .ok_or_else(|| anyhow!("fail_on `{s}` is not one of error, warning, info, never"))
}

fn print_contract_errors(errors: &ContractErrors) {
    eprintln!(
        "zerogap: the contracts are invalid ({} problem(s)):",
        errors.0.len()
    );
    for e in &errors.0 {
        eprintln!("  {e}");
    }
}

fn now_utc() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Runs the repository scan into the report builder; a scan that could not run is incomplete.
fn scan_into(
    b: &mut ReportBuilder,
    repo: Option<&Path>,
    cfg: Option<&(PathBuf, Config)>,
    set: Option<&ContractSet>,
    verbose: bool,
    whole_files: bool,
) -> Option<crate::scan::ScanResult> {
    let scan_cfg = cfg.and_then(|(_, c)| c.scan.clone()).unwrap_or_default();
    let (root, paths) = match repo {
        Some(r) => (r.to_path_buf(), Vec::new()),
        None => {
            let base = cfg
                .and_then(|(p, _)| p.parent().map(|p| p.to_path_buf()))
                .unwrap_or_else(|| PathBuf::from("."));
            (base, scan_cfg.paths.iter().map(PathBuf::from).collect())
        }
    };
    let opts = crate::scan::ScanOptions {
        root,
        paths,
        exclude: scan_cfg.exclude.clone(),
        declared: set.map(|s| &s.expectations.schema),
        schemas: set
            .map(|s| s.expectations.schemas.clone())
            .unwrap_or_else(|| vec!["public".into()]),
        whole_files,
    };
    match crate::scan::scan(&opts) {
        Ok(r) => {
            if verbose {
                eprintln!(
                    "zerogap: scan: {} file(s) read, {} parsed, {} queries",
                    r.files,
                    r.parsed,
                    r.queries.len()
                );
            }
            b.queries = r.inventory();
            b.suppressed += r.suppressed;
            b.tally(Check::Queries, r.tally);
            b.findings.extend(r.findings.iter().cloned());
            if r.errors.is_empty() {
                b.ran(Check::Queries);
            } else {
                b.incomplete(
                    Check::Queries,
                    format!("queries not fully checked: {}", r.errors.join("; ")),
                );
            }
            Some(r)
        }
        Err(e) => {
            b.incomplete(Check::Queries, format!("queries not checked: {e}"));
            None
        }
    }
}

fn run_scan(args: ScanArgs) -> Result<i32> {
    let cfg = load_config(args.common.config.as_deref())?;
    let fail = fail_on(&args.output, cfg.as_ref())?;
    // Contracts are optional for a scan: without them only parameterisation is judged.
    let paths = contract_paths(&args.common.contracts, cfg.as_ref());
    let explicit = !args.common.contracts.is_empty()
        || cfg.as_ref().is_some_and(|(_, c)| c.contracts.is_some());
    let set = if explicit || paths.iter().all(|p| p.exists()) {
        match load_contracts(&paths) {
            Ok(s) => Some(s),
            Err(errors) => {
                print_contract_errors(&errors);
                return Ok(2);
            }
        }
    } else {
        None
    };
    let mut b = ReportBuilder {
        contracts: set.as_ref().map(|s| s.files.clone()).unwrap_or_default(),
        ..Default::default()
    };
    let _ = scan_into(
        &mut b,
        args.path.as_deref(),
        cfg.as_ref(),
        set.as_ref(),
        args.output.verbose > 0,
        args.whole_files,
    );
    finish(b, cfg.as_ref(), &args.output, fail)
}

fn run_lint(args: LintArgs) -> Result<i32> {
    let cfg = load_config(args.config.as_deref())?;
    let fail = fail_on(&args.output, cfg.as_ref())?;
    let paths = contract_paths(&args.paths, cfg.as_ref());
    let set = match load_contracts(&paths) {
        Ok(s) => s,
        Err(errors) => {
            print_contract_errors(&errors);
            return Ok(2);
        }
    };
    let mut b = ReportBuilder {
        contracts: set.files.clone(),
        ..Default::default()
    };
    b.findings = lint::lint(&set.expectations);
    b.findings
        .extend(lint::declared_queries(&set.queries, &set.expectations));
    b.ran(Check::Schema);
    finish(b, cfg.as_ref(), &args.output, fail)
}

/// How to reach one target: an explicit connection string (with where it came from) or
/// the environment, and the TLS settings its zerogap.yaml entry adds.
#[derive(Debug, Clone, Default)]
struct TargetSpec {
    name: Option<String>,
    /// (where it came from, the connection string); `None`: the environment.
    explicit: Option<(String, String)>,
    /// The target's `url_env` names a variable that is not set: this target is not checked.
    missing_env: Option<String>,
    tls: connect::TargetTls,
}

/// The targets to check: `--db`, the `--target`s (or `--all-targets`), else the environment.
fn target_specs(args: &CheckArgs, cfg: Option<&(PathBuf, Config)>) -> Result<Vec<TargetSpec>> {
    if let Some(db) = &args.db {
        if !args.targets.is_empty() {
            return Err(anyhow!("give --db or --target, not both"));
        }
        return Ok(vec![TargetSpec {
            explicit: Some(("--db".into(), db.clone())),
            ..Default::default()
        }]);
    }
    let names: Vec<String> = if args.all_targets {
        let names: Vec<String> = cfg
            .map(|(_, c)| c.targets.keys().cloned().collect())
            .unwrap_or_default();
        if names.is_empty() {
            return Err(anyhow!("--all-targets: zerogap.yaml defines no targets"));
        }
        names
    } else {
        args.targets.clone()
    };
    if names.is_empty() {
        return Ok(vec![TargetSpec::default()]);
    }
    let mut specs = Vec::new();
    for name in names {
        let (cfg_path, c) =
            cfg.ok_or_else(|| anyhow!("target `{name}` needs a zerogap.yaml (none found)"))?;
        let t = c
            .targets
            .get(&name)
            .ok_or_else(|| anyhow!("target `{name}` is not defined in zerogap.yaml"))?;
        // A CA file named in zerogap.yaml is relative to that file's folder.
        let base = cfg_path.parent().unwrap_or(Path::new("."));
        let tls = connect::TargetTls {
            sslmode: t.sslmode.clone(),
            sslrootcert: t.sslrootcert.as_ref().map(|p| {
                if p == "system" {
                    p.clone()
                } else {
                    base.join(p).to_string_lossy().to_string()
                }
            }),
        };
        // A missing variable fails this target only (reported as not checked), not the fleet.
        let (url, missing_env) = match (&t.url, &t.url_env) {
            (Some(u), _) => (u.clone(), None),
            (None, Some(env)) => match std::env::var(env) {
                Ok(u) => (u, None),
                Err(_) => (String::new(), Some(env.clone())),
            },
            (None, None) => return Err(anyhow!("target `{name}` has neither url nor url_env")),
        };
        specs.push(TargetSpec {
            explicit: Some((format!("target {name}"), url)),
            missing_env,
            name: Some(name),
            tls,
        });
    }
    Ok(specs)
}

/// Resolves a target's connection; the error names what is missing, never a password.
fn resolve_target(
    spec: &TargetSpec,
    args: &CheckArgs,
) -> Result<connect::Resolved, connect::ConnectError> {
    if let Some(env) = &spec.missing_env {
        return Err(connect::ConnectError::MissingEnv(env.clone()));
    }
    connect::resolve(
        spec.explicit
            .as_ref()
            .map(|(n, u)| (n.as_str(), u.as_str())),
        &spec.tls,
        args.connect_timeout,
    )
}

fn session_for(
    args: &CheckArgs,
    resolved: &connect::Resolved,
    max_connections: usize,
) -> SessionOptions {
    SessionOptions {
        statement_timeout: args.statement_timeout,
        lock_timeout: args.lock_timeout,
        max_connections,
        tls: resolved.tls.clone(),
        host: resolved.host(),
    }
}

/// Compares what was read with the contracts into `b`, or records why it could not run.
fn compare_into(
    b: &mut ReportBuilder,
    set: &ContractSet,
    name: Option<&String>,
    // The database the connection names: a run that could not read it is still filed
    // under it (history, labels), not under "scan".
    database: Option<String>,
    result: std::result::Result<introspect::Live, String>,
    quiet: bool,
) -> Option<introspect::Live> {
    match result {
        Ok(live) => {
            b.target = Target {
                name: name.cloned(),
                database: Some(live.info.database.clone()),
                server_version: Some(live.info.server_version.clone()),
                timescaledb_version: live.info.timescaledb_version.clone(),
            };
            let cmp = compare::compare(
                &set.expectations,
                &live.schema,
                &live.info,
                live.timescale_read,
            );
            b.findings.extend(cmp.findings);
            b.tally(Check::Schema, cmp.schema);
            b.tally(Check::Timescale, cmp.timescale);
            b.ran(Check::Schema);
            if live.info.timescaledb_version.is_some() || cmp.timescale.checked > 0 {
                b.ran(Check::Timescale);
            }
            Some(live)
        }
        Err(e) => {
            b.target.name = name.cloned();
            b.target.database = database;
            let reason = format!("schema not checked: {e}");
            b.incomplete(Check::Schema, reason.clone());
            let needs_ts = set.expectations.timescaledb.is_some()
                || !set.expectations.schema.caggs.is_empty()
                || set
                    .expectations
                    .schema
                    .tables
                    .values()
                    .any(|t| t.hypertable.is_some());
            if needs_ts {
                b.incomplete(Check::Timescale, format!("timescale not checked: {e}"));
            }
            if !quiet {
                // The report's own line: what was not checked, then why.
                match name {
                    Some(n) => eprintln!("zerogap: {n}: not verified: {reason}"),
                    None => eprintln!("zerogap: not verified: {reason}"),
                }
            }
            None
        }
    }
}

fn print_timings(reader: &Reader, label: Option<&String>) {
    for t in reader.timings() {
        eprintln!(
            "zerogap: {}{:<40} {:>6} rows {:>8.1} ms",
            label.map(|l| format!("{l}: ")).unwrap_or_default(),
            t.what,
            t.rows,
            t.elapsed.as_secs_f64() * 1000.0
        );
    }
}

fn run_check(args: CheckArgs) -> Result<i32> {
    let cfg = load_config(args.common.config.as_deref())?;
    let fail = fail_on(&args.output, cfg.as_ref())?;
    let paths = contract_paths(&args.common.contracts, cfg.as_ref());
    let specs = target_specs(&args, cfg.as_ref())?;
    if specs.len() > 1 {
        return run_fleet(&args, cfg.as_ref(), fail, &paths, specs);
    }
    let spec = specs.into_iter().next().unwrap_or_default();
    // The contracts load on their own thread while the catalogs are read: on a large
    // database both take about a second. The catalog reads need the schemas in scope, so
    // they start with the schemas the files name at top level (`schema:`, else public) and
    // are read again if the loaded contracts say otherwise (BENCHMARKS.md).
    let guess = guess_schemas(&paths);
    let loading = {
        let paths = paths.clone();
        std::thread::spawn(move || load_contracts(&paths))
    };
    let progress = Progress::new(&args.output, "reading the catalogs");

    let resolved = resolve_target(&spec, &args)?;
    if !args.output.quiet {
        for w in &resolved.warnings {
            eprintln!("zerogap: warning: {w}");
        }
    }
    if args.output.verbose > 0 {
        eprintln!(
            "zerogap: connecting to {} (sslmode {})",
            resolved.display,
            resolved.tls.mode.as_str()
        );
    }
    let session = session_for(&args, &resolved, args.max_connections);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let pool = introspect::make_pool(resolved.config.clone(), &session)?;
    let reader = Reader::new(pool, session);
    let speculative = runtime.block_on(introspect::introspect(
        &reader,
        &Scope {
            schemas: guess.clone(),
            migrations: Vec::new(),
        },
    ));
    progress.stage("loading the contracts");
    let set = match loading.join() {
        Ok(Ok(s)) => s,
        Ok(Err(errors)) => {
            progress.done();
            print_contract_errors(&errors);
            return Ok(2);
        }
        Err(_) => return Err(anyhow!("the contract loader stopped unexpectedly")),
    };
    let mut b = ReportBuilder {
        contracts: set.files.clone(),
        ..Default::default()
    };
    let scope = Scope {
        schemas: set.expectations.schemas.clone(),
        migrations: set.expectations.schema.migrations.clone(),
    };
    let mut declared: Vec<String> = scope.schemas.clone();
    declared.sort();
    declared.dedup();
    let result = if speculative.is_err() || (declared == guess && scope.migrations.is_empty()) {
        // Same scope (or the server already failed: asking again would fail the same way).
        speculative
    } else {
        progress.stage("reading the catalogs");
        runtime.block_on(introspect::introspect(&reader, &scope))
    };
    if args.output.verbose > 0 {
        print_timings(&reader, None);
    }
    progress.stage("comparing and linting");
    // The contracts are linted while the comparison runs: on a large set both take tens of
    // milliseconds with one core otherwise idle. Lint findings stay ahead of the others.
    let (live, (linted, objects)) = std::thread::scope(|s| {
        let linting = s.spawn(|| {
            let mut findings = lint::lint(&set.expectations);
            findings.extend(lint::declared_queries(&set.queries, &set.expectations));
            (
                findings,
                crate::report::objects_of(&set.expectations.schema),
            )
        });
        let live = compare_into(
            &mut b,
            &set,
            spec.name.as_ref(),
            resolved.config.get_dbname().map(str::to_string),
            result.map_err(|e| e.to_string()),
            args.output.quiet,
        );
        match linting.join() {
            Ok(linted) => (live, linted),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    });
    b.findings.splice(0..0, linted);
    b.objects = objects;
    let scanned = if args.no_scan {
        None
    } else {
        progress.stage("scanning the repository");
        scan_into(
            &mut b,
            args.repo.as_deref(),
            cfg.as_ref(),
            Some(&set),
            args.output.verbose > 0,
            false,
        )
    };
    if scanned.is_some() || !set.queries.is_empty() {
        queries::offline(&mut b, &set, scanned.as_ref());
    }
    // Queries are prepared only where the catalogs could be read: otherwise the schema
    // check is already incomplete and asking again would fail the same way.
    if !args.no_prepare && !b.is_incomplete() && (scanned.is_some() || !set.queries.is_empty()) {
        progress.stage("preparing the queries on the server");
        let hypertables = queries::declared_hypertables(&set);
        queries::on_server(
            &mut b,
            &runtime,
            &reader,
            &set,
            scanned.as_ref(),
            &queries::ServerOptions {
                concurrency: args.max_connections,
                bench: args.bench.then_some(args.bench_runs as usize),
                hypertables: &hypertables,
            },
        );
    }
    if args.data {
        progress.stage("checking the data rules");
        data::data_into(
            &mut b,
            &runtime,
            live.as_ref().map(|l| (&reader, l)),
            &set,
            &data_options(&args),
            args.max_connections,
        );
    }
    runtime.shutdown_timeout(Duration::from_secs(1));
    progress.done();
    let code = finish(b, cfg.as_ref(), &args.output, fail);
    progress.stage("report written");
    // The process exits next: freeing both models object by object (hundreds of thousands
    // of allocations on a large database, on one core while the other idles) only delays it.
    std::mem::forget(set);
    std::mem::forget(live);
    code
}

/// Several targets: checked concurrently, at most `--max-connections` connections in all;
/// each target's findings marked against its own history; one combined report.
fn run_fleet(
    args: &CheckArgs,
    cfg: Option<&(PathBuf, Config)>,
    fail: FailOn,
    paths: &[PathBuf],
    specs: Vec<TargetSpec>,
) -> Result<i32> {
    let set = match load_contracts(paths) {
        Ok(s) => s,
        Err(errors) => {
            print_contract_errors(&errors);
            return Ok(2);
        }
    };
    // Contract-level findings (lint) and the repository scan belong to no target; the scan
    // runs first so that every target can prepare its queries.
    let mut common = ReportBuilder {
        contracts: set.files.clone(),
        target: Target {
            name: Some("contracts and repository".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    common.findings.extend(lint::lint(&set.expectations));
    common
        .findings
        .extend(lint::declared_queries(&set.queries, &set.expectations));
    let scanned = if args.no_scan {
        None
    } else {
        scan_into(
            &mut common,
            args.repo.as_deref(),
            cfg,
            Some(&set),
            args.output.verbose > 0,
            false,
        )
    };
    let verify_queries = scanned.is_some() || !set.queries.is_empty();
    if verify_queries {
        queries::offline(&mut common, &set, scanned.as_ref());
    }
    let hypertables = queries::declared_hypertables(&set);
    let total = args.max_connections.max(1);
    let at_once = specs.len().min(total);
    let per_target = (total / at_once).max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let progress = Progress::bar(&args.output, specs.len() as u64, "targets checked");
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: std::sync::Mutex<Vec<(usize, ReportBuilder)>> = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..at_once {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(spec) = specs.get(i) else { break };
                    let mut b = ReportBuilder {
                        contracts: set.files.clone(),
                        objects: crate::report::objects_of(&set.expectations.schema),
                        ..Default::default()
                    };
                    let resolved = resolve_target(spec, args);
                    let database = resolved
                        .as_ref()
                        .ok()
                        .and_then(|r| r.config.get_dbname().map(str::to_string));
                    let result = resolved.map_err(|e| e.to_string()).and_then(|resolved| {
                        if !args.output.quiet {
                            for w in &resolved.warnings {
                                eprintln!("zerogap: warning: {w}");
                            }
                        }
                        let session = session_for(args, &resolved, per_target);
                        let pool = introspect::make_pool(resolved.config.clone(), &session)
                            .map_err(|e| e.to_string())?;
                        let reader = Reader::new(pool, session);
                        let scope = Scope {
                            schemas: set.expectations.schemas.clone(),
                            migrations: set.expectations.schema.migrations.clone(),
                        };
                        let r = runtime.block_on(introspect::introspect(&reader, &scope));
                        if args.output.verbose > 0 {
                            print_timings(&reader, spec.name.as_ref());
                        }
                        r.map(|r| (r, reader)).map_err(|e| e.to_string())
                    });
                    let (result, reader) = match result {
                        Ok((r, reader)) => (Ok(r), Some(reader)),
                        Err(e) => (Err(e), None),
                    };
                    let live = compare_into(
                        &mut b,
                        &set,
                        spec.name.as_ref(),
                        database,
                        result,
                        args.output.quiet,
                    );
                    if args.data {
                        data::data_into(
                            &mut b,
                            &runtime,
                            reader.as_ref().zip(live.as_ref()),
                            &set,
                            &data_options(args),
                            per_target,
                        );
                    }
                    if let Some(reader) = reader
                        && verify_queries
                        && !args.no_prepare
                        && !b.is_incomplete()
                    {
                        queries::on_server(
                            &mut b,
                            &runtime,
                            &reader,
                            &set,
                            scanned.as_ref(),
                            &queries::ServerOptions {
                                concurrency: per_target,
                                bench: args.bench.then_some(args.bench_runs as usize),
                                hypertables: &hypertables,
                            },
                        );
                    }
                    progress.inc();
                    if let Ok(mut r) = results.lock() {
                        r.push((i, b));
                    }
                }
            });
        }
    });
    runtime.shutdown_timeout(Duration::from_secs(1));
    progress.done();
    let mut builders = results.into_inner().unwrap_or_default();
    builders.sort_by_key(|(i, _)| *i);

    // Waivers over the whole fleet at once: one waiver is unused only if no target has what
    // it covers, and an expired or unused one is reported once.
    let Some(waivers) = load_waivers(cfg) else {
        return Ok(2);
    };
    let mut builders: Vec<ReportBuilder> = builders.into_iter().map(|(_, b)| b).collect();
    builders.push(common);
    let extra = {
        let mut sets: Vec<&mut Vec<Finding>> =
            builders.iter_mut().map(|b| &mut b.findings).collect();
        crate::waiver::apply_all(&mut sets, &waivers, today())
    };
    if let Some(common) = builders.last_mut() {
        common.findings.extend(extra);
    }
    let mut reports = Vec::new();
    for b in builders {
        reports.push(finalize(b, &args.output, fail)?.0);
    }
    let combined = crate::report::merge(reports);
    emit(&combined, &args.output, &[])?;
    Ok(combined.exit_code(fail))
}

/// What every command does with its findings: waivers, history, the report in every
/// requested format, the exit code.
fn finish(
    mut b: ReportBuilder,
    cfg: Option<&(PathBuf, Config)>,
    out: &OutputArgs,
    fail: FailOn,
) -> Result<i32> {
    let Some(waivers) = load_waivers(cfg) else {
        return Ok(2);
    };
    crate::waiver::apply(&mut b.findings, &waivers, today());
    let (report, trend) = finalize(b, out, fail)?;
    emit(&report, out, &trend)?;
    Ok(report.exit_code(fail))
}

/// The waivers of zerogap.yaml; `None` when they are invalid (said on stderr: exit 2).
fn load_waivers(cfg: Option<&(PathBuf, Config)>) -> Option<Vec<crate::waiver::Waiver>> {
    let Some((path, c)) = cfg else {
        return Some(Vec::new());
    };
    // Waiver locations read best relative to where zerogap runs.
    let shown = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.clone());
    match c.waivers(&shown) {
        Ok(w) => Some(w),
        Err(errors) => {
            eprintln!(
                "zerogap: zerogap.yaml is invalid ({} problem(s)):",
                errors.0.len()
            );
            for e in &errors.0 {
                eprintln!("  {e}");
            }
            None
        }
    }
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// History applied, the report built (and stored with `--history`), with the trend of the
/// stored runs. Waivers are applied before, by the caller.
fn finalize(
    mut b: ReportBuilder,
    out: &OutputArgs,
    fail: FailOn,
) -> Result<(Report, Vec<history::TrendPoint>)> {
    let now = now_utc();
    let Some(dir) = &out.history else {
        return Ok((b.build(fail, now), Vec::new()));
    };
    let key = history::target_key(&b.target);
    let runs = history::load(dir, Some(&key))?;
    let complete = !b.is_incomplete();
    history::mark(&mut b.findings, history::previous(&runs), &now, complete);
    let report = b.build(fail, now);
    let stored = history::store(dir, &report, out.history_keep)?;
    if out.verbose > 0 {
        eprintln!("zerogap: history: stored {}", stored.display());
    }
    let mut all: Vec<Report> = runs.into_iter().map(|(_, r)| r).collect();
    all.push(report.clone());
    let trend = history::trend(&all);
    Ok((report, trend))
}

/// A progress indicator on stderr for long runs: only on a terminal, never with -q or -v
/// (whose lines it would garble).
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    /// `-vv`: each stage is printed with the time since the start (where a run's time goes).
    clock: Option<std::time::Instant>,
}

impl Progress {
    fn enabled(out: &OutputArgs) -> bool {
        !out.quiet && out.verbose == 0 && std::io::stderr().is_terminal()
    }

    fn new(out: &OutputArgs, first: &str) -> Self {
        if !Self::enabled(out) {
            // The first stage is not printed: a run refused before it starts (a bad
            // connection string) prints its error alone.
            let clock = (out.verbose >= 2).then(std::time::Instant::now);
            return Self { bar: None, clock };
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message(first.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        Self {
            bar: Some(bar),
            clock: None,
        }
    }

    fn bar(out: &OutputArgs, len: u64, what: &str) -> Self {
        if !Self::enabled(out) {
            return Self {
                bar: None,
                clock: None,
            };
        }
        let bar = indicatif::ProgressBar::new(len);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} {pos}/{len} {msg} [{elapsed}] {wide_bar}",
        ) {
            bar.set_style(style);
        }
        bar.set_message(what.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        Self {
            bar: Some(bar),
            clock: None,
        }
    }

    fn stage(&self, message: &str) {
        if let Some(b) = &self.bar {
            b.set_message(message.to_string());
        }
        if let Some(start) = self.clock {
            eprintln!(
                "zerogap: {:>8.1} ms  {message}",
                start.elapsed().as_secs_f64() * 1000.0
            );
        }
    }

    fn inc(&self) {
        if let Some(b) = &self.bar {
            b.inc(1);
        }
    }

    fn done(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
        self.stage("done");
    }
}

fn run_init(args: InitArgs) -> Result<i32> {
    let resolved = connect::resolve(
        args.db.as_deref().map(|d| ("--db", d)),
        &connect::TargetTls::default(),
        args.connect_timeout,
    )?;
    if !args.quiet {
        for w in &resolved.warnings {
            eprintln!("zerogap: warning: {w}");
        }
    }
    let session = SessionOptions {
        statement_timeout: args.statement_timeout,
        lock_timeout: args.lock_timeout,
        max_connections: args.max_connections,
        tls: resolved.tls.clone(),
        host: resolved.host(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let pool = introspect::make_pool(resolved.config.clone(), &session)?;
    let reader = Reader::new(pool, session);
    let live = runtime.block_on(async {
        let schemas = if args.schemas.is_empty() {
            introspect::user_schemas(&reader).await?
        } else {
            args.schemas.clone()
        };
        introspect::introspect(
            &reader,
            &Scope {
                schemas,
                migrations: Vec::new(),
            },
        )
        .await
    });
    runtime.shutdown_timeout(Duration::from_secs(1));
    let live = live.with_context(|| format!("cannot read {}", resolved.display))?;
    let files = crate::init::contracts(
        &live.schema,
        &crate::init::Origin {
            database_name: live.info.database.clone(),
            database: resolved.display.clone(),
            generated_at: now_utc(),
            server_version: live.info.server_version.clone(),
            timescaledb_version: live.info.timescaledb_version.clone(),
            command: "init",
        },
    );
    if files.is_empty() {
        return Err(anyhow!(
            "{} has no tables, views, enums or continuous aggregates in the schemas read",
            resolved.display
        ));
    }
    write_contract_files(&files, &args.out, args.force, args.quiet)?;
    Ok(0)
}

/// Writes `init`/`import` output, refusing to overwrite anything unless `force`.
fn write_contract_files(
    files: &[crate::init::ContractFile],
    out: &Path,
    force: bool,
    quiet: bool,
) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    for f in files {
        let path = out.join(&f.name);
        if path.exists() && !force {
            return Err(anyhow!(
                "{} exists; use --force to overwrite it",
                path.display()
            ));
        }
    }
    for f in files {
        let path = out.join(&f.name);
        std::fs::write(&path, &f.text)
            .with_context(|| format!("cannot write {}", path.display()))?;
        if !quiet {
            eprintln!("zerogap: wrote {}", path.display());
        }
    }
    Ok(())
}

/// The `.sql` files under `dir`, in the order a migration tool applies them.
fn migration_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in
            std::fs::read_dir(&d).with_context(|| format!("cannot read {}", d.display()))?
        {
            let path = entry
                .with_context(|| format!("cannot read {}", d.display()))?
                .path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("sql"))
                && !path
                    .file_name()
                    .is_some_and(|n| crate::import::is_down_migration(&n.to_string_lossy()))
            {
                found.push(path);
            }
        }
    }
    let key = |p: &PathBuf| {
        p.strip_prefix(dir)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    };
    found.sort_by(|a, b| crate::import::compare_migration_paths(&key(a), &key(b)));
    Ok(found)
}

fn run_import(args: ImportArgs) -> Result<i32> {
    let mut paths = Vec::new();
    for p in &args.paths {
        if p.is_dir() {
            let files = migration_files(p)?;
            if files.is_empty() {
                return Err(anyhow!("{} holds no .sql files", p.display()));
            }
            paths.extend(files);
        } else {
            paths.push(p.clone());
        }
    }
    let mut sources = Vec::new();
    for p in &paths {
        let text =
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?;
        sources.push(crate::import::Source {
            name: p.display().to_string(),
            text,
        });
    }
    let imported = crate::import::import(
        &sources,
        &crate::import::Options {
            default_schema: args.schema.clone(),
        },
    )?;
    let files = crate::init::contracts(
        &imported.schema,
        &crate::init::Origin {
            database_name: args.name.clone().unwrap_or_default(),
            database: match paths.as_slice() {
                [one] => one.display().to_string(),
                many => format!("{} SQL files", many.len()),
            },
            generated_at: now_utc(),
            command: "import",
            ..Default::default()
        },
    );
    if files.is_empty() {
        return Err(anyhow!(
            "the DDL creates no tables, views, enums or continuous aggregates"
        ));
    }
    write_contract_files(&files, &args.out, args.force, args.quiet)?;
    let mut ignored: BTreeMap<&str, usize> = BTreeMap::new();
    for n in imported
        .notes
        .iter()
        .filter(|n| n.kind == crate::import::NoteKind::Ignored)
    {
        *ignored.entry(n.reason.as_str()).or_default() += 1;
    }
    let skipped: Vec<_> = imported.skipped().collect();
    if !args.quiet {
        let ignored_text = ignored
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        eprintln!(
            "zerogap: {} statements applied from {} file(s); {} ignored (no contract object){}; {} skipped",
            imported.applied,
            sources.len(),
            ignored.values().sum::<usize>(),
            if ignored_text.is_empty() {
                String::new()
            } else {
                format!(": {ignored_text}")
            },
            skipped.len()
        );
    }
    for n in &skipped {
        eprintln!("{n}");
    }
    Ok(if skipped.is_empty() { 0 } else { 1 })
}

/// The contract sources a `diff` side names: a file, a folder, or `git:REV:path` (read with
/// `git show`, so the working tree is not touched).
fn diff_sources(spec: &str) -> Result<Vec<(String, String)>> {
    if let Some(rest) = spec.strip_prefix("git:") {
        let (rev, path) = rest
            .split_once(':')
            .ok_or_else(|| anyhow!("`{spec}`: expected git:REV:path"))?;
        // Paths inside REV's tree: `.` is its root.
        let path = path.trim_end_matches('/').trim_start_matches("./");
        let path = if path == "." { "" } else { path };
        let git = |args: &[&str]| -> Result<String> {
            let out = std::process::Command::new("git")
                .args(args)
                .output()
                .context("cannot run git")?;
            if !out.status.success() {
                return Err(anyhow!(
                    "git {}: {}",
                    args.join(" "),
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
            Ok(String::from_utf8_lossy(&out.stdout).to_string())
        };
        // `ls-tree REV:path` succeeds only on a tree: a folder's YAML files (not sub-folders,
        // as for --contracts); otherwise the path is a file.
        let files: Vec<String> = match git(&["ls-tree", "--name-only", &format!("{rev}:{path}")]) {
            Ok(names) => names
                .lines()
                .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
                .map(|n| {
                    if path.is_empty() {
                        n.to_string()
                    } else {
                        format!("{path}/{n}")
                    }
                })
                .collect(),
            Err(_) => vec![path.to_string()],
        };
        let mut sources = Vec::new();
        for f in files {
            let text = git(&["show", &format!("{rev}:{f}")])?;
            sources.push((format!("{rev}:{f}"), text));
        }
        return Ok(sources);
    }
    let mut sources = Vec::new();
    for f in
        contract::contract_files(Path::new(spec)).with_context(|| format!("cannot read {spec}"))?
    {
        let text =
            std::fs::read_to_string(&f).with_context(|| format!("cannot read {}", f.display()))?;
        sources.push((f.to_string_lossy().to_string(), text));
    }
    Ok(sources)
}

fn run_diff(args: DiffArgs) -> Result<i32> {
    let mut sets = Vec::new();
    for spec in [&args.old, &args.new] {
        let sources = diff_sources(spec)?;
        if sources.is_empty() {
            return Err(anyhow!("{spec}: no contract files"));
        }
        match contract::load_sources(&sources) {
            Ok(s) => sets.push(s),
            Err(errors) => {
                print_contract_errors(&errors);
                return Ok(2);
            }
        }
    }
    let d = crate::diff::diff(&sets[0], &sets[1]);
    let text = match args.format.as_str() {
        "json" => serde_json::to_string_pretty(&d).context("cannot render JSON")? + "\n",
        "markdown" => crate::diff::markdown(&d),
        _ => crate::diff::text(&d),
    };
    match &args.output {
        Some(p) => {
            std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display()))?
        }
        None => print!("{text}"),
    }
    Ok(if d.unbumped_breaking() > 0 { 1 } else { 0 })
}

fn run_report(args: ReportArgs) -> Result<i32> {
    let read = |p: &Path| -> Result<Report> {
        let text =
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?;
        serde_json::from_str(&text)
            .with_context(|| format!("{} is not a zerogap JSON report", p.display()))
    };
    let reports: Vec<Report> = args.files.iter().map(|p| read(p)).collect::<Result<_>>()?;
    if reports.len() > 1 {
        if args.output.history.is_some() {
            return Err(anyhow!(
                "give several JSON reports, or --history DIR, not both"
            ));
        }
        let merged = crate::report::merge(reports);
        emit(&merged, &args.output, &[])?;
        return Ok(merged.exit_code_judged());
    }
    let file_report = reports.into_iter().next();
    let Some(dir) = &args.output.history else {
        let report =
            file_report.ok_or_else(|| anyhow!("give a JSON report file, or --history DIR"))?;
        emit(&report, &args.output, &[])?;
        return Ok(report.exit_code_judged());
    };
    let key = match (&args.target, &file_report) {
        (Some(k), _) => k.clone(),
        (None, Some(r)) => history::target_key(&r.target),
        (None, None) => {
            let mut keys: Vec<String> = history::load(dir, None)?
                .iter()
                .map(|(_, r)| history::target_key(&r.target))
                .collect();
            keys.sort();
            keys.dedup();
            match keys.len() {
                0 => return Err(anyhow!("no stored runs in {}", dir.display())),
                1 => keys.remove(0),
                _ => {
                    return Err(anyhow!(
                        "{} holds runs of several targets ({}); choose one with --target",
                        dir.display(),
                        keys.join(", ")
                    ));
                }
            }
        }
    };
    let runs: Vec<Report> = history::load(dir, Some(&key))?
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    let report = match file_report {
        Some(r) => r,
        None => runs
            .last()
            .cloned()
            .ok_or_else(|| anyhow!("no stored runs of target `{key}` in {}", dir.display()))?,
    };
    // The trend up to the rendered run, not past it.
    let upto: Vec<Report> = runs
        .into_iter()
        .filter(|r| r.generated_at <= report.generated_at)
        .collect();
    emit(&report, &args.output, &history::trend(&upto))?;
    Ok(report.exit_code_judged())
}

/// Writes every requested format; `--format/--output` pair up by position.
fn emit(report: &Report, out: &OutputArgs, trend: &[history::TrendPoint]) -> Result<()> {
    let formats = if out.formats.is_empty() {
        vec![Format::Table]
    } else {
        out.formats.clone()
    };
    if out.outputs.len() > formats.len() {
        return Err(anyhow!(
            "{} --output given for {} --format",
            out.outputs.len(),
            formats.len()
        ));
    }
    for (i, f) in formats.iter().enumerate() {
        match out.outputs.get(i) {
            Some(path) => {
                let text = render::render(
                    *f,
                    report,
                    &RenderOptions {
                        color: false,
                        trend: trend.to_vec(),
                    },
                );
                std::fs::write(path, text)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            None => {
                if out.quiet && *f == Format::Table {
                    continue;
                }
                let color =
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
                let text = render::render(
                    *f,
                    report,
                    &RenderOptions {
                        color,
                        trend: trend.to_vec(),
                    },
                );
                let mut stdout = std::io::stdout().lock();
                stdout
                    .write_all(text.as_bytes())
                    .context("cannot write to stdout")?;
            }
        }
    }
    Ok(())
}

/// Used by tests: findings of a lint run on in-memory sources.
pub fn lint_sources(
    sources: &[(String, String)],
) -> std::result::Result<Vec<Finding>, ContractErrors> {
    let set = contract::load_sources(sources)?;
    let mut findings = lint::lint(&set.expectations);
    findings.extend(lint::declared_queries(&set.queries, &set.expectations));
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guessed_scope_is_the_files_top_level_schemas() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let write = |name: &str, text: &str| {
            std::fs::write(dir.path().join(name), text).unwrap_or_else(|e| panic!("{e}"))
        };
        write(
            "a.yaml",
            "contract: a\nschema: Billing # the default\ntables: {}\n",
        );
        write(
            "b.yaml",
            "tables:\n  t:\n    columns:\n      schema: { type: text }\n",
        );
        write("c.yaml", "schema: \"billing\"\n");
        assert_eq!(
            guess_schemas(&[dir.path().to_path_buf()]),
            vec!["billing".to_string(), "public".to_string()]
        );
    }
}
