//! `check --data`: the contracts' data rules run on one target's rows. The plan and the
//! judgement are [`crate::data`]'s; this runs the queries (concurrently, on the pool) and
//! records what could not run, which makes the run incomplete (exit 2), never passed.

use std::time::Instant;

use futures_util::StreamExt;

use crate::contract::ContractSet;
use crate::data::{self, Options};
use crate::introspect::{self, Live, Reader};
use crate::report::{DataTableEntry, ReportBuilder};
use crate::rules::Check;

/// `target`: the reader and what it read of the catalogs; `None` when the catalogs could not
/// be read, so the rows are not checked either.
pub(super) fn data_into(
    b: &mut ReportBuilder,
    runtime: &tokio::runtime::Runtime,
    target: Option<(&Reader, &Live)>,
    set: &ContractSet,
    opts: &Options,
    concurrency: usize,
) {
    let Some((reader, live)) = target else {
        b.incomplete(
            Check::Data,
            "data rules not checked: the catalogs could not be read",
        );
        return;
    };
    b.ran(Check::Data);
    let wanted = data::tables_to_size(&set.data_rules, &set.expectations.schema, &live.schema);
    let sizes = match runtime.block_on(introspect::table_sizes(reader, &wanted)) {
        Ok(s) => s,
        Err(e) => {
            b.incomplete(Check::Data, format!("data rules not checked: {e}"));
            return;
        }
    };
    let plan = data::plan(
        &set.data_rules,
        &set.expectations.schema,
        &live.schema,
        &sizes,
        opts,
    );
    b.findings.extend(plan.findings);
    b.tally(Check::Data, plan.tally);

    let results = runtime.block_on(
        futures_util::stream::iter(plan.queries.iter().map(|q| async move {
            let started = Instant::now();
            let r = reader.data_row(&q.sql, &q.params).await;
            (q, r, started.elapsed())
        }))
        .buffer_unordered(concurrency.max(1))
        .collect::<Vec<_>>(),
    );
    let mut results = results;
    results.sort_by(|a, b| a.0.table.cmp(&b.0.table));
    let mut pairs = Vec::new();
    for (q, result, elapsed) in results {
        let judged = result
            .map_err(|e| e.to_string())
            .and_then(|cells| data::judge(q, &cells).map_err(|e| e.to_string()));
        match judged {
            Ok(out) => {
                b.findings.extend(out.findings);
                b.tally(Check::Data, out.tally);
                pairs.extend(out.pairs);
                b.data.push(DataTableEntry {
                    table: q.table.to_string(),
                    target: None,
                    scope: q.scope.clone(),
                    rows_scanned: out.rows_scanned,
                    rules: q.rules.len(),
                    elapsed_ms: (elapsed.as_secs_f64() * 1e5).round() / 100.0,
                });
            }
            Err(e) => {
                // A timeout, a lost connection, a pattern the server refuses: these rules
                // are not checked, and the run says so.
                let rules: Vec<String> = q
                    .rules
                    .iter()
                    .map(|r| match (&r.column, &r.loc) {
                        (Some(c), Some(l)) => format!("{} on {c} ({l})", r.kind.key()),
                        (Some(c), None) => format!("{} on {c}", r.kind.key()),
                        (None, Some(l)) => format!("{} ({l})", r.kind.key()),
                        (None, None) => r.kind.key().to_string(),
                    })
                    .collect();
                b.incomplete(
                    Check::Data,
                    format!(
                        "data rules of {} not checked ({}): {e}",
                        q.table,
                        rules.join(", ")
                    ),
                );
            }
        }
    }
    data::attach(&mut b.findings, pairs);
}
