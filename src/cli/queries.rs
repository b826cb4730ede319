//! Live query verification for `check`: every repository query and every declared query
//! prepared on the server (never executed), declared queries matched to the code and their
//! `params` and `returns` checked, and with `--bench` their plans and latencies.
//!
//! Split in two because a fleet checks the repository once and the servers many times:
//! [`offline`] is what needs only the contracts and the scan, [`on_server`] what one target
//! answers. A single target runs both into the same report.

use futures_util::StreamExt;

use crate::compare::Tally;
use crate::contract::{ContractSet, DeclaredQuery};
use crate::finding::Finding;
use crate::introspect::{self, Reader};
use crate::report::{BenchEntry, ColumnShape, DeclaredQueryEntry, ReportBuilder};
use crate::rules::{self, Check};
use crate::scan::{FoundQuery, ScanResult};
use crate::verify::{self, Plan, PrepareOutcome};

/// What `--bench` and the hypertable test of plans need.
pub(super) struct ServerOptions<'a> {
    pub concurrency: usize,
    /// `Some(runs)` with `--bench`.
    pub bench: Option<usize>,
    pub hypertables: &'a [String],
}

/// The hypertables the contracts declare (`schema.table`), for telling plans that scan one.
pub(super) fn declared_hypertables(set: &ContractSet) -> Vec<String> {
    set.expectations
        .schema
        .tables
        .values()
        .filter(|t| t.hypertable.is_some())
        .map(|t| t.name.to_string())
        .collect()
}

/// Findings that need no server: repository queries that cannot be verified, declared queries
/// missing from the repository or not parameterised. Opens one inventory entry per declared
/// query.
pub(super) fn offline(b: &mut ReportBuilder, set: &ContractSet, scan: Option<&ScanResult>) {
    let mut tally = Tally::default();
    let found: &[FoundQuery] = scan.map(|s| s.queries.as_slice()).unwrap_or(&[]);
    for (i, q) in found.iter().enumerate() {
        match verify::plan_for(q) {
            Plan::Prepare(_) => {}
            Plan::NotVerifiable(why) => {
                let f = verify::not_verifiable_finding(&q.object(), &q.location(), &why);
                push_unless_ignored(b, q, f);
                if let Some(e) = b.queries.get_mut(i) {
                    e.verified = Some("not_verifiable".into());
                }
            }
            Plan::Skip(_) => {
                if let Some(e) = b.queries.get_mut(i) {
                    e.verified = Some("not_prepared".into());
                }
            }
        }
    }
    let prints = verify::fingerprints(found);
    for d in &set.queries {
        let consumers = d.query.consumers.clone().unwrap_or_default();
        let mut entry = DeclaredQueryEntry {
            name: d.name.clone(),
            consumers: consumers.clone(),
            ..Default::default()
        };
        if scan.is_some() {
            let places = verify::find_declared(d, found, &prints);
            tally.checked += 1;
            if places.is_empty() {
                b.findings.push(verify::not_found_finding(d));
            } else {
                tally.matched += 1;
            }
            entry.found_at = Some(
                places
                    .iter()
                    .map(|q| format!("{}:{}", q.file, q.candidate.line))
                    .collect(),
            );
            for e in b.queries.iter_mut() {
                if places
                    .iter()
                    .any(|q| q.file == e.file && q.candidate.line == e.line)
                {
                    e.declared_as = Some(d.name.clone());
                    e.consumers = consumers.clone();
                }
            }
        }
        tally.checked += 1;
        if let crate::scan::sql::Parsed::Ok(a) =
            crate::scan::sql::analyse(&d.query.sql, None, &set.expectations.schemas)
            && !a.inline_literals.is_empty()
        {
            b.findings.push(
                Finding::new(
                    &rules::DECLARED_QUERY_NOT_PARAMETERISED,
                    "query",
                    format!("query {}", d.name),
                    format!(
                        "declared query {} has literal value(s) where bind parameters belong: {}",
                        d.name,
                        a.inline_literals.join("; ")
                    ),
                )
                .expected("bind parameters")
                .actual(a.inline_literals.join("; "))
                .at(Some(&d.loc)),
            );
        } else {
            tally.matched += 1;
        }
        b.declared_queries.push(entry);
    }
    b.tally(Check::Queries, tally);
}

/// A finding about a repository query, unless its source line says `zerogap: ignore[...]`.
fn push_unless_ignored(b: &mut ReportBuilder, q: &FoundQuery, f: Finding) {
    if q.ignores(&f) {
        b.suppressed += 1;
    } else {
        b.findings.push(f);
    }
}

/// What one server says: each repository query and each declared query prepared, the declared
/// ones' shapes compared, and with `--bench` their plans. A server that cannot be asked makes
/// the check incomplete.
pub(super) fn on_server(
    b: &mut ReportBuilder,
    runtime: &tokio::runtime::Runtime,
    reader: &Reader,
    set: &ContractSet,
    scan: Option<&ScanResult>,
    opts: &ServerOptions,
) {
    let mut tally = Tally::default();
    b.ran(Check::Queries);
    let search_path = set.expectations.schemas.as_slice();

    let found: &[FoundQuery] = scan.map(|s| s.queries.as_slice()).unwrap_or(&[]);
    let to_prepare: Vec<(usize, String)> = found
        .iter()
        .enumerate()
        .filter_map(|(i, q)| match verify::plan_for(q) {
            Plan::Prepare(text) => Some((i, text)),
            _ => None,
        })
        .collect();
    let mut outcomes: Vec<(
        usize,
        String,
        Result<PrepareOutcome, introspect::IntrospectError>,
    )> = runtime.block_on(
        futures_util::stream::iter(to_prepare.into_iter().map(|(i, text)| async move {
            let r = reader.prepare(&text, search_path).await;
            (i, text, r)
        }))
        .buffer_unordered(opts.concurrency.max(1))
        .collect(),
    );
    outcomes.sort_by_key(|(i, _, _)| *i);
    for (i, text, outcome) in outcomes {
        let q = &found[i];
        match outcome {
            Ok(PrepareOutcome::Prepared(shape)) => {
                if let Some(e) = b.queries.get_mut(i) {
                    e.verified = Some("prepared".into());
                    e.params = Some(shape.params.clone());
                    e.columns = Some(columns(&shape));
                }
            }
            Ok(PrepareOutcome::Rejected {
                sqlstate,
                message,
                position,
            }) => {
                let f = verify::rejection_finding(
                    &q.object(),
                    &q.location(),
                    &text,
                    &sqlstate,
                    &message,
                    position,
                    None,
                );
                push_unless_ignored(b, q, f);
                if let Some(e) = b.queries.get_mut(i) {
                    e.verified = Some("rejected".into());
                }
            }
            Err(e) => {
                b.incomplete(Check::Queries, format!("queries not prepared: {e}"));
                return;
            }
        }
    }

    for d in &set.queries {
        let at = match b.declared_queries.iter().position(|e| e.name == d.name) {
            Some(at) => at,
            None => {
                b.declared_queries.push(DeclaredQueryEntry {
                    name: d.name.clone(),
                    consumers: d.query.consumers.clone().unwrap_or_default(),
                    ..Default::default()
                });
                b.declared_queries.len() - 1
            }
        };
        let (text, _) = crate::scan::sql::normalise_placeholders(&d.query.sql);
        tally.checked += 1;
        match runtime.block_on(reader.prepare(&text, search_path)) {
            Ok(PrepareOutcome::Prepared(shape)) => {
                tally.matched += 1;
                let shape_findings = verify::shape_findings(d, &shape);
                let declared_props =
                    usize::from(d.query.params.is_some()) + usize::from(d.query.returns.is_some());
                tally.checked += declared_props as u64;
                tally.matched += (declared_props - shape_findings.len().min(declared_props)) as u64;
                b.findings.extend(shape_findings);
                let entry = &mut b.declared_queries[at];
                entry.verified = Some("prepared".into());
                entry.params = Some(shape.params.clone());
                entry.columns = Some(columns(&shape));
            }
            Ok(PrepareOutcome::Rejected {
                sqlstate,
                message,
                position,
            }) => {
                b.findings.push(verify::rejection_finding(
                    &format!("query {}", d.name),
                    &d.loc,
                    &text,
                    &sqlstate,
                    &message,
                    position,
                    Some(d),
                ));
                b.declared_queries[at].verified = Some("rejected".into());
            }
            Err(e) => {
                b.incomplete(
                    Check::Queries,
                    format!("declared queries not prepared: {e}"),
                );
                return;
            }
        }
        if let (Some(runs), Some(params)) = (opts.bench, &d.query.example_params) {
            match bench_query(
                runtime,
                reader,
                d,
                params,
                runs,
                opts.hypertables,
                search_path,
            ) {
                Ok((entry_bench, findings)) => {
                    tally.checked += 1;
                    if findings.is_empty() {
                        tally.matched += 1;
                    }
                    b.findings.extend(findings);
                    b.declared_queries[at].bench = Some(entry_bench);
                }
                Err(BenchError::Query(message)) => {
                    tally.checked += 1;
                    b.findings.push(
                        Finding::new(
                            &rules::BENCH_FAILED,
                            "query",
                            format!("query {}", d.name),
                            format!(
                                "declared query {} could not be benchmarked: {message}",
                                d.name
                            ),
                        )
                        .actual(message)
                        .at(Some(&d.loc)),
                    );
                }
                Err(BenchError::Server(e)) => {
                    b.incomplete(Check::Queries, format!("--bench did not complete: {e}"));
                    return;
                }
            }
        }
    }
    b.tally(Check::Queries, tally);
}

fn columns(shape: &verify::ServerShape) -> Vec<ColumnShape> {
    shape
        .columns
        .iter()
        .map(|(n, t)| ColumnShape {
            name: n.clone(),
            type_name: t.clone(),
        })
        .collect()
}

enum BenchError {
    /// The query or its example parameters: a finding.
    Query(String),
    /// The server could not be asked: the check is incomplete.
    Server(introspect::IntrospectError),
}

/// EXPLAIN (ANALYZE, BUFFERS, VERBOSE, FORMAT JSON) of a declared query `runs` times, in
/// read-only transactions: the median execution time and what the plan reads.
fn bench_query(
    runtime: &tokio::runtime::Runtime,
    reader: &Reader,
    d: &DeclaredQuery,
    params: &[String],
    runs: usize,
    hypertables: &[String],
    search_path: &[String],
) -> Result<(BenchEntry, Vec<Finding>), BenchError> {
    let text = verify::with_example_params(&d.query.sql, params).map_err(BenchError::Query)?;
    let explain = format!("EXPLAIN (ANALYZE, BUFFERS, VERBOSE, FORMAT JSON) {text}");
    let mut times = Vec::new();
    let mut facts = verify::PlanFacts::default();
    for _ in 0..runs {
        let rows = runtime
            .block_on(reader.query_on_path("bench", &explain, search_path))
            .map_err(|e| match e {
                introspect::IntrospectError::Query { message, .. }
                    if !message.starts_with("connection lost") =>
                {
                    BenchError::Query(message)
                }
                other => BenchError::Server(other),
            })?;
        let plan: serde_json::Value = rows
            .first()
            .and_then(|r| r.try_get::<_, serde_json::Value>(0).ok())
            .ok_or_else(|| BenchError::Query("EXPLAIN returned no plan".into()))?;
        facts = verify::plan_facts(&plan);
        times.push(facts.execution_ms);
    }
    let median = verify::median(&mut times);
    let entry = BenchEntry {
        runs,
        median_ms: (median * 1000.0).round() / 1000.0,
        max_latency_ms: d.query.max_latency_ms,
        uses_index: facts.uses_index,
        seq_scans: facts.seq_scans.clone(),
    };
    let mut findings = Vec::new();
    if let Some(max) = d.query.max_latency_ms
        && median > max
    {
        findings.push(
            Finding::new(
                &rules::QUERY_TOO_SLOW,
                "query",
                format!("query {}", d.name),
                format!(
                    "declared query {} takes {median:.1} ms (median of {runs} runs), its budget is {max} ms",
                    d.name
                ),
            )
            .expected(format!("<= {max} ms"))
            .actual(format!("{median:.1} ms"))
            .at(Some(&d.loc)),
        );
    }
    let hyper_scans: Vec<&String> = facts
        .seq_scans
        .iter()
        .filter(|s| s.starts_with("_timescaledb_internal.") || hypertables.contains(s))
        .collect();
    if !hyper_scans.is_empty() && !facts.uses_index {
        findings.push(
            Finding::new(
                &rules::QUERY_SCANS_HYPERTABLE,
                "query",
                format!("query {}", d.name),
                format!(
                    "declared query {} reads {} hypertable chunk(s) with sequential scans and no index",
                    d.name,
                    hyper_scans.len()
                ),
            )
            .expected("index scans or chunk exclusion")
            .actual(format!("Seq Scan on {} relation(s)", hyper_scans.len()))
            .at(Some(&d.loc)),
        );
    }
    Ok((entry, findings))
}
