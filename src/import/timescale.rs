//! TimescaleDB in migrations: the function calls (`create_hypertable`, policies, ...) and
//! the statements sqlparser cannot read (`WITH (timescaledb.continuous)`, `SET
//! (timescaledb.compress ...)`, `CREATE TABLE ... WITH (tsdb.hypertable)`), read at the token
//! level.

use sqlparser::ast::{
    Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments, Query, SelectItem, SetExpr,
    Statement, TableFactor, Value,
};
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::apply::{Builder, Outcome, ident, parse_tokens};
use super::split::RawStatement;
use crate::contract::parse_order_item;
use crate::model::{
    Compression, ContinuousAggregate, Hypertable, Index, IndexColumn, QualName, RefreshPolicy,
    Retention, SpacePartition,
};

/// TimescaleDB's default `chunk_time_interval` for time-typed columns.
const DEFAULT_CHUNK_INTERVAL: &str = "7 days";

fn word(t: &TokenWithSpan) -> Option<String> {
    match &t.token {
        Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_uppercase()),
        _ => None,
    }
}

fn is_kw(words: &[&TokenWithSpan], i: usize, kw: &str) -> bool {
    words.get(i).and_then(|t| word(t)).as_deref() == Some(kw)
}

/// A possibly qualified name starting at `i`: its parts (folded) and the index after it.
fn name_at(words: &[&TokenWithSpan], mut i: usize) -> Option<(Vec<String>, usize)> {
    let mut parts = Vec::new();
    loop {
        match &words.get(i)?.token {
            Token::Word(w) => parts.push(if w.quote_style.is_some() {
                w.value.clone()
            } else {
                w.value.to_lowercase()
            }),
            _ => return None,
        }
        i += 1;
        if matches!(words.get(i).map(|t| &t.token), Some(Token::Period)) {
            i += 1;
        } else {
            return Some((parts, i));
        }
    }
}

fn qual_of(b: &Builder, parts: &[String]) -> QualName {
    match parts {
        [.., s, n] => QualName::new(s.clone(), n.clone()),
        [n] => QualName::new(b.search_path.clone(), n.clone()),
        [] => QualName::new(b.search_path.clone(), String::new()),
    }
}

/// `( key [= value], ... )` starting at the `(` at `i`: the options (keys lower-cased) and
/// the index after the `)`.
type Options = Vec<(String, Option<String>)>;

fn options_at(words: &[&TokenWithSpan], i: usize) -> Option<(Options, usize)> {
    if !matches!(words.get(i)?.token, Token::LParen) {
        return None;
    }
    let mut out: Options = Vec::new();
    let mut key = String::new();
    let mut value: Option<String> = None;
    let mut in_value = false;
    let mut j = i + 1;
    loop {
        let t = words.get(j)?;
        match &t.token {
            Token::RParen | Token::Comma => {
                if !key.is_empty() {
                    out.push((key.to_lowercase(), value.take()));
                }
                key.clear();
                in_value = false;
                if matches!(t.token, Token::RParen) {
                    return Some((out, j + 1));
                }
            }
            Token::Eq => in_value = true,
            Token::SingleQuotedString(s) if in_value => value = Some(s.clone()),
            other if in_value => {
                let v = value.get_or_insert_with(String::new);
                v.push_str(&other.to_string());
            }
            Token::Period => key.push('.'),
            Token::Word(w) => key.push_str(&w.value),
            _ => return None,
        }
        j += 1;
    }
}

fn is_timescale_option(key: &str) -> bool {
    key.starts_with("timescaledb.") || key.starts_with("tsdb.")
}

fn option_suffix(key: &str) -> &str {
    key.split_once('.').map(|(_, s)| s).unwrap_or(key)
}

fn truthy(v: &Option<String>) -> bool {
    v.as_deref()
        .is_none_or(|v| matches!(v.to_lowercase().as_str(), "true" | "on" | "yes" | "1" | "t"))
}

/// `a, "B"` → [a, B]: a list of column names as TimescaleDB reads it from an option string.
fn column_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(crate::model::ident)
        .collect()
}

/// Statements read here rather than by sqlparser; `None` for everything else.
pub(super) fn targeted(b: &mut Builder, raw: &RawStatement) -> Option<Outcome> {
    let words = raw.words();
    let first = words.first().and_then(|t| word(t))?;
    match first.as_str() {
        "DO" => Some(Outcome::Skipped(
            "a DO block runs procedural code whose effect import does not know; declare what \
             it creates by hand"
                .into(),
        )),
        "REFRESH" => Some(Outcome::Ignored("REFRESH MATERIALIZED VIEW".into())),
        "CREATE" if is_kw(&words, 1, "MATERIALIZED") && is_kw(&words, 2, "VIEW") => {
            continuous_aggregate(b, &words)
        }
        "CREATE" if is_kw(&words, 1, "TABLE") => create_table_with(b, &words),
        "ALTER" if is_kw(&words, 1, "TABLE") => alter_set(b, &words, 2, false),
        "ALTER" if is_kw(&words, 1, "MATERIALIZED") && is_kw(&words, 2, "VIEW") => {
            alter_set(b, &words, 3, true)
        }
        _ => None,
    }
}

/// `ALTER TABLE [IF EXISTS] [ONLY] t SET (timescaledb.compress, ...)` and
/// `ALTER MATERIALIZED VIEW v SET (timescaledb.materialized_only = ...)`.
fn alter_set(
    b: &mut Builder,
    words: &[&TokenWithSpan],
    mut i: usize,
    view: bool,
) -> Option<Outcome> {
    if is_kw(words, i, "IF") && is_kw(words, i + 1, "EXISTS") {
        i += 2;
    }
    if is_kw(words, i, "ONLY") {
        i += 1;
    }
    let (parts, i) = name_at(words, i)?;
    if !is_kw(words, i, "SET") {
        return None;
    }
    let (opts, end) = options_at(words, i + 1)?;
    if end != words.len() || !opts.iter().any(|(k, _)| is_timescale_option(k)) {
        return None;
    }
    let q = qual_of(b, &parts);
    if view {
        let Some(cagg) = b.schema.caggs.get_mut(&q) else {
            return Some(Outcome::Skipped(format!(
                "continuous aggregate {q} is not created by an earlier statement"
            )));
        };
        for (k, v) in &opts {
            // Compression of a continuous aggregate is not in the contract format.
            if option_suffix(k) == "materialized_only" {
                cagg.materialized_only = Some(truthy(v));
            }
        }
        return Some(Outcome::Applied);
    }
    Some(match apply_compression_options(b, &q, &opts) {
        Ok(()) => Outcome::Applied,
        Err(e) => Outcome::Skipped(e),
    })
}

fn apply_compression_options(b: &mut Builder, q: &QualName, opts: &Options) -> Result<(), String> {
    let t = b.table_mut(q)?;
    let h = t.hypertable.as_mut().ok_or_else(|| {
        format!("{q} is not a hypertable (create_hypertable must come before compression)")
    })?;
    for (k, v) in opts {
        match option_suffix(k) {
            "compress" | "enable_columnstore" => {
                if truthy(v) {
                    h.compression.get_or_insert_with(Compression::default);
                } else {
                    h.compression = None;
                }
            }
            "compress_segmentby" | "segmentby" => {
                h.compression
                    .get_or_insert_with(Compression::default)
                    .segment_by = column_list(v.as_deref().unwrap_or(""));
            }
            "compress_orderby" | "orderby" => {
                let items = v
                    .as_deref()
                    .unwrap_or("")
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(parse_order_item)
                    .collect();
                h.compression
                    .get_or_insert_with(Compression::default)
                    .order_by = Some(items);
            }
            _ => {}
        }
    }
    Ok(())
}

/// `CREATE TABLE ... WITH (tsdb.hypertable, tsdb.partition_column = 'time', ...)`: the table
/// by sqlparser without the options, then the hypertable from them.
fn create_table_with(b: &mut Builder, words: &[&TokenWithSpan]) -> Option<Outcome> {
    // The WITH at parenthesis depth 0, after the column list.
    let mut depth = 0i32;
    let mut with_at = None;
    for (i, t) in words.iter().enumerate() {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            _ if depth == 0 && word(t).as_deref() == Some("WITH") => {
                with_at = Some(i);
                break;
            }
            _ => {}
        }
    }
    let with_at = with_at?;
    let (opts, end) = options_at(words, with_at + 1)?;
    if !opts.iter().any(|(k, _)| is_timescale_option(k)) {
        return None;
    }
    let kept: Vec<TokenWithSpan> = words[..with_at]
        .iter()
        .chain(words[end..].iter())
        .map(|t| (*t).clone())
        .collect();
    let statements = match parse_tokens(kept) {
        Ok(s) => s,
        Err(e) => return Some(Outcome::Skipped(format!("sqlparser cannot read it: {e}"))),
    };
    let Some(Statement::CreateTable(ct)) = statements.first() else {
        return None;
    };
    if let Err(e) = b.create_table(ct) {
        return Some(Outcome::Skipped(e));
    }
    let q = b.qual(&ct.name);
    let get = |name: &str| {
        opts.iter()
            .find(|(k, _)| is_timescale_option(k) && option_suffix(k) == name)
            .map(|(_, v)| v.clone())
    };
    if !get("hypertable").is_some_and(|v| truthy(&v)) {
        return Some(Outcome::Applied);
    }
    let Some(Some(time)) = get("partition_column").or_else(|| get("partitioning_column")) else {
        return Some(Outcome::Skipped(
            "tsdb.hypertable without tsdb.partition_column: the time column is not named".into(),
        ));
    };
    let chunk = get("chunk_interval").flatten();
    let default_indexes = get("create_default_indexes").is_none_or(|v| truthy(&v));
    if let Err(e) = make_hypertable(
        b,
        &q,
        &crate::model::ident(&time),
        chunk.clone(),
        None,
        default_indexes,
    ) {
        return Some(Outcome::Skipped(e));
    }
    // TimescaleDB 2.23 enables the columnstore of a hypertable made this way, with a policy
    // after one chunk interval, unless `tsdb.enable_columnstore = false`.
    if get("enable_columnstore").is_none_or(|v| truthy(&v))
        && let Ok(h) = hypertable_mut(b, &q)
    {
        h.compression = Some(Compression {
            after: Some(chunk.unwrap_or_else(|| DEFAULT_CHUNK_INTERVAL.to_string())),
            ..Default::default()
        });
    }
    let compression: Options = opts
        .iter()
        .filter(|(k, _)| {
            matches!(
                option_suffix(k),
                "segmentby"
                    | "orderby"
                    | "compress_segmentby"
                    | "compress_orderby"
                    | "enable_columnstore"
            )
        })
        .cloned()
        .collect();
    if !compression.is_empty()
        && let Err(e) = apply_compression_options(b, &q, &compression)
    {
        return Some(Outcome::Skipped(e));
    }
    Some(Outcome::Applied)
}

/// `CREATE MATERIALIZED VIEW [IF NOT EXISTS] v [(cols)] WITH (timescaledb.continuous, ...) AS
/// SELECT ... [WITH [NO] DATA]`.
fn continuous_aggregate(b: &mut Builder, words: &[&TokenWithSpan]) -> Option<Outcome> {
    let mut i = 3;
    if is_kw(words, i, "IF") && is_kw(words, i + 1, "NOT") && is_kw(words, i + 2, "EXISTS") {
        i += 3;
    }
    let (parts, mut i) = name_at(words, i)?;
    if matches!(words.get(i).map(|t| &t.token), Some(Token::LParen)) {
        while !matches!(words.get(i).map(|t| &t.token), Some(Token::RParen) | None) {
            i += 1;
        }
        i += 1;
    }
    if !is_kw(words, i, "WITH") {
        return None;
    }
    let (opts, i) = options_at(words, i + 1)?;
    if !opts
        .iter()
        .any(|(k, v)| is_timescale_option(k) && option_suffix(k) == "continuous" && truthy(v))
    {
        return None;
    }
    if !is_kw(words, i, "AS") {
        return None;
    }
    let mut end = words.len();
    if end >= 2 && is_kw(words, end - 1, "DATA") {
        end -= 1;
        if is_kw(words, end - 1, "NO") {
            end -= 1;
        }
        if is_kw(words, end - 1, "WITH") {
            end -= 1;
        }
    }
    let tokens: Vec<TokenWithSpan> = words[i + 1..end].iter().map(|t| (*t).clone()).collect();
    let query = match parse_tokens(tokens) {
        Ok(mut s) if s.len() == 1 => match s.remove(0) {
            Statement::Query(q) => q,
            _ => {
                return Some(Outcome::Skipped(
                    "the continuous aggregate's body is not a query".into(),
                ));
            }
        },
        Ok(_) => {
            return Some(Outcome::Skipped(
                "the continuous aggregate's body is not one query".into(),
            ));
        }
        Err(e) => {
            return Some(Outcome::Skipped(format!(
                "sqlparser cannot read the continuous aggregate's query: {e}"
            )));
        }
    };
    let q = qual_of(b, &parts);
    let (source, bucket) = cagg_source_and_bucket(b, &query);
    let materialized_only = opts
        .iter()
        .find(|(k, _)| is_timescale_option(k) && option_suffix(k) == "materialized_only")
        .map(|(_, v)| truthy(v));
    b.take_relation(&q.schema, &q.name);
    b.schema.caggs.insert(
        q.clone(),
        ContinuousAggregate {
            name: q,
            source,
            bucket,
            materialized_only,
            refresh: None,
            retention: None,
            loc: None,
        },
    );
    Some(Outcome::Applied)
}

fn cagg_source_and_bucket(b: &Builder, q: &Query) -> (Option<QualName>, Option<String>) {
    let SetExpr::Select(select) = q.body.as_ref() else {
        return (None, None);
    };
    let source = select.from.first().and_then(|f| match &f.relation {
        TableFactor::Table { name, .. } => Some(b.qual(name)),
        _ => None,
    });
    let bucket = select.projection.iter().find_map(|item| {
        let e = match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => e,
            _ => return None,
        };
        let Expr::Function(f) = e else { return None };
        if function_name(f) != "time_bucket" {
            return None;
        }
        Args::of(f).get("bucket_width", 0).and_then(interval_text)
    });
    (source, bucket)
}

fn function_name(f: &Function) -> String {
    f.name
        .0
        .last()
        .and_then(|p| p.as_ident())
        .map(ident)
        .unwrap_or_default()
}

/// A function call's arguments, by position and by name.
struct Args<'a> {
    positional: Vec<&'a Expr>,
    named: Vec<(String, &'a Expr)>,
}

impl<'a> Args<'a> {
    fn of(f: &'a Function) -> Self {
        let mut out = Args {
            positional: Vec::new(),
            named: Vec::new(),
        };
        if let FunctionArguments::List(list) = &f.args {
            for a in &list.args {
                match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => out.positional.push(e),
                    FunctionArg::Named {
                        name,
                        arg: FunctionArgExpr::Expr(e),
                        ..
                    } => out.named.push((ident(name), e)),
                    FunctionArg::ExprNamed {
                        name: Expr::Identifier(name),
                        arg: FunctionArgExpr::Expr(e),
                        ..
                    } => out.named.push((ident(name), e)),
                    _ => {}
                }
            }
        }
        out
    }

    fn get(&self, name: &str, position: usize) -> Option<&'a Expr> {
        self.named
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, e)| *e)
            .or_else(|| self.positional.get(position).copied())
    }
}

/// A literal argument as text: `'x'`, `'x'::regclass`, `42`, `true`; `None` for NULL.
fn text(e: &Expr) -> Option<String> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s)
            | Value::DollarQuotedString(sqlparser::ast::DollarQuotedString { value: s, .. }) => {
                Some(s.clone())
            }
            Value::Number(n, _) => Some(n.to_string()),
            Value::Boolean(b) => Some(b.to_string()),
            Value::Null => None,
            other => Some(other.to_string()),
        },
        Expr::Cast { expr, .. } | Expr::Nested(expr) => text(expr),
        Expr::Interval(_) => interval_text(e),
        Expr::UnaryOp { op, expr } => text(expr).map(|t| format!("{op}{t}")),
        _ => None,
    }
}

/// `INTERVAL '1 day'`, `'1 day'::interval`, `INTERVAL '1' DAY`, `'1 day'` → `1 day`.
fn interval_text(e: &Expr) -> Option<String> {
    match e {
        Expr::Interval(iv) => {
            let v = text(&iv.value)?;
            Some(match &iv.leading_field {
                Some(f) => format!("{v} {}", f.to_string().to_lowercase()),
                None => v,
            })
        }
        _ => text(e),
    }
}

fn truthy_expr(e: Option<&Expr>) -> Option<bool> {
    text(e?).map(|t| truthy(&Some(t)))
}

/// Every TimescaleDB call in a `SELECT f(...), g(...)`; other queries are ignored.
pub(super) fn calls_in_query(b: &mut Builder, q: &Query) -> Outcome {
    let SetExpr::Select(select) = q.body.as_ref() else {
        return Outcome::Ignored("SELECT".into());
    };
    let mut calls: Vec<&Function> = select
        .projection
        .iter()
        .filter_map(|item| match item {
            SelectItem::UnnamedExpr(Expr::Function(f))
            | SelectItem::ExprWithAlias {
                expr: Expr::Function(f),
                ..
            } => Some(f),
            _ => None,
        })
        .collect();
    if calls.is_empty() {
        return Outcome::Ignored("SELECT".into());
    }
    let mut last = Outcome::Ignored("SELECT".into());
    for f in calls.drain(..) {
        last = call(b, f);
        if matches!(last, Outcome::Skipped(_)) {
            return last;
        }
    }
    last
}

/// One function call (`SELECT f(...)` or `CALL f(...)`).
pub(super) fn call(b: &mut Builder, f: &Function) -> Outcome {
    let name = function_name(f);
    let args = Args::of(f);
    let rel = |b: &Builder, pos: usize, arg: &str| -> Result<QualName, String> {
        args.get(arg, pos)
            .and_then(text)
            .map(|s| QualName::parse(&s, &b.search_path))
            .ok_or_else(|| format!("{name}: the relation argument is not a literal"))
    };
    let result: Result<(), String> = match name.as_str() {
        "create_hypertable" => create_hypertable(b, &args, &rel),
        "add_dimension" => add_dimension(b, &args, &rel),
        "set_chunk_time_interval" => (|| {
            let q = rel(b, 0, "hypertable")?;
            let ci = args
                .get("chunk_time_interval", 1)
                .and_then(interval_text)
                .ok_or("set_chunk_time_interval: no interval")?;
            hypertable_mut(b, &q)?.chunk_interval = Some(ci);
            Ok(())
        })(),
        "set_number_partitions" => (|| {
            let q = rel(b, 0, "hypertable")?;
            let n = args
                .get("number_partitions", 1)
                .and_then(text)
                .and_then(|t| t.parse::<i64>().ok())
                .ok_or("set_number_partitions: no number")?;
            let h = hypertable_mut(b, &q)?;
            let p = h
                .partitioning
                .as_mut()
                .ok_or_else(|| format!("{q} has no space dimension"))?;
            p.partitions = Some(n);
            Ok(())
        })(),
        "add_compression_policy" | "add_columnstore_policy" => (|| {
            let q = rel(b, 0, "hypertable")?;
            let after = args
                .get("compress_after", 1)
                .or_else(|| args.get("after", 1))
                .and_then(interval_text)
                .ok_or_else(|| format!("{name}: no compress_after interval"))?;
            let h = hypertable_mut(b, &q)?;
            let c = h
                .compression
                .as_mut()
                .ok_or_else(|| format!("{name}: compression is not enabled on {q}"))?;
            c.after = Some(after);
            Ok(())
        })(),
        "remove_compression_policy" | "remove_columnstore_policy" => (|| {
            let q = rel(b, 0, "hypertable")?;
            if let Some(c) = hypertable_mut(b, &q)?.compression.as_mut() {
                c.after = None;
            }
            Ok(())
        })(),
        "add_retention_policy" | "remove_retention_policy" => (|| {
            let q = rel(b, 0, "relation")?;
            let retention = if name == "add_retention_policy" {
                let drop_after = args
                    .get("drop_after", 1)
                    .and_then(interval_text)
                    .ok_or("add_retention_policy: no drop_after interval")?;
                Some(Retention {
                    drop_after,
                    loc: None,
                })
            } else {
                None
            };
            if let Some(c) = b.schema.caggs.get_mut(&q) {
                c.retention = retention;
            } else {
                hypertable_mut(b, &q)?.retention = retention;
            }
            Ok(())
        })(),
        "add_continuous_aggregate_policy" | "remove_continuous_aggregate_policy" => (|| {
            let q = rel(b, 0, "continuous_aggregate")?;
            let refresh = (name == "add_continuous_aggregate_policy").then(|| RefreshPolicy {
                start_offset: args.get("start_offset", 1).and_then(interval_text),
                end_offset: args.get("end_offset", 2).and_then(interval_text),
                schedule_interval: args.get("schedule_interval", 3).and_then(interval_text),
            });
            let c = b.schema.caggs.get_mut(&q).ok_or_else(|| {
                format!("continuous aggregate {q} is not created by an earlier statement")
            })?;
            c.refresh = refresh;
            Ok(())
        })(),
        // Jobs and policies the contract format does not declare; refreshes change no schema.
        "add_reorder_policy"
        | "remove_reorder_policy"
        | "add_job"
        | "alter_job"
        | "delete_job"
        | "set_integer_now_func"
        | "refresh_continuous_aggregate"
        | "compress_chunk"
        | "decompress_chunk"
        | "convert_to_columnstore"
        | "convert_to_rowstore"
        | "drop_chunks"
        | "enable_chunk_skipping"
        | "set_config"
        | "setval" => {
            return Outcome::Ignored(name);
        }
        _ => return Outcome::Ignored(format!("SELECT {name}(...)")),
    };
    match result {
        Ok(()) => Outcome::Applied,
        Err(e) => Outcome::Skipped(e),
    }
}

fn hypertable_mut<'b>(b: &'b mut Builder, q: &QualName) -> Result<&'b mut Hypertable, String> {
    b.table_mut(q)?
        .hypertable
        .as_mut()
        .ok_or_else(|| format!("{q} is not a hypertable"))
}

type RelFn<'a> = dyn Fn(&Builder, usize, &str) -> Result<QualName, String> + 'a;

/// A `by_range(...)` / `by_hash(...)` dimension builder of the 2.13+ API.
fn dimension_builder(e: &Expr) -> Option<(String, &Function)> {
    match e {
        Expr::Function(f) => {
            let n = function_name(f);
            matches!(n.as_str(), "by_range" | "by_hash").then_some((n, f))
        }
        _ => None,
    }
}

fn create_hypertable(b: &mut Builder, args: &Args, rel: &RelFn) -> Result<(), String> {
    let q = rel(b, 0, "relation")?;
    let (time, chunk, space, default_indexes) =
        match args.get("dimension", 1).and_then(dimension_builder) {
            Some((kind, f)) => {
                if kind != "by_range" {
                    return Err("create_hypertable with by_hash as its first dimension".into());
                }
                let d = Args::of(f);
                let col = d
                    .get("column_name", 0)
                    .and_then(text)
                    .ok_or("by_range: no column")?;
                (
                    col,
                    d.get("partition_interval", 1).and_then(interval_text),
                    None,
                    truthy_expr(args.get("create_default_indexes", 2)),
                )
            }
            None => {
                let col = args
                    .get("time_column_name", 1)
                    .and_then(text)
                    .ok_or("create_hypertable: no time column")?;
                let space =
                    args.get("partitioning_column", 2)
                        .and_then(text)
                        .map(|c| SpacePartition {
                            column: crate::model::ident(&c),
                            partitions: args
                                .get("number_partitions", 3)
                                .and_then(text)
                                .and_then(|n| n.parse().ok()),
                        });
                (
                    col,
                    args.get("chunk_time_interval", 6).and_then(interval_text),
                    space,
                    truthy_expr(args.get("create_default_indexes", 7)),
                )
            }
        };
    make_hypertable(
        b,
        &q,
        &crate::model::ident(&time),
        chunk,
        space,
        default_indexes.unwrap_or(true),
    )
}

fn make_hypertable(
    b: &mut Builder,
    q: &QualName,
    time: &str,
    chunk: Option<String>,
    space: Option<SpacePartition>,
    default_indexes: bool,
) -> Result<(), String> {
    let t = b.table_mut(q)?;
    if t.hypertable.is_some() {
        return Ok(());
    }
    let c = t
        .columns
        .iter_mut()
        .find(|c| c.name == time)
        .ok_or_else(|| format!("{q} has no column {time}"))?;
    // TimescaleDB makes the time column NOT NULL.
    c.nullable = false;
    // The default indexes: ("time" DESC) unless an index of that one column exists, and
    // (space, "time" DESC) unless an index of those two exists (TimescaleDB's indexing.c).
    let mut existing: Vec<Vec<String>> = t
        .indexes
        .iter()
        .map(|i| {
            i.columns
                .iter()
                .map(|c| c.expr.clone())
                .chain(i.include.iter().cloned())
                .collect()
        })
        .collect();
    existing.extend(t.primary_key.iter().map(|p| p.columns.clone()));
    existing.extend(t.uniques.iter().map(|u| u.columns.clone()));
    let has_time = existing
        .iter()
        .any(|cols| cols.len() == 1 && cols[0] == time);
    let has_space = space.as_ref().is_some_and(|s| {
        existing
            .iter()
            .any(|cols| cols.len() == 2 && cols[0] == s.column && cols[1] == time)
    });
    t.hypertable = Some(Hypertable {
        time_column: time.to_string(),
        chunk_interval: Some(chunk.unwrap_or_else(|| DEFAULT_CHUNK_INTERVAL.to_string())),
        partitioning: space.clone(),
        compression: None,
        retention: None,
        loc: None,
    });
    if !default_indexes {
        return Ok(());
    }
    let desc_time = IndexColumn {
        expr: time.to_string(),
        descending: true,
        nulls_first: None,
        opclass: None,
    };
    let mut new = Vec::new();
    if !has_time {
        let name = b.choose_relation(&q.schema, &q.name, Some(time), "idx");
        new.push(Index {
            name,
            method: "btree".into(),
            columns: vec![desc_time.clone()],
            ..Default::default()
        });
    }
    if let Some(s) = space.filter(|_| !has_space) {
        let joined = super::names::join_columns(&[s.column.clone(), time.to_string()]);
        let name = b.choose_relation(&q.schema, &q.name, Some(&joined), "idx");
        new.push(Index {
            name,
            method: "btree".into(),
            columns: vec![
                IndexColumn {
                    expr: s.column.clone(),
                    descending: false,
                    nulls_first: None,
                    opclass: None,
                },
                desc_time,
            ],
            ..Default::default()
        });
    }
    b.table_mut(q)?.indexes.extend(new);
    Ok(())
}

fn add_dimension(b: &mut Builder, args: &Args, rel: &RelFn) -> Result<(), String> {
    let q = rel(b, 0, "hypertable")?;
    let (column, partitions, interval) = match args.get("dimension", 1).and_then(dimension_builder)
    {
        Some((kind, f)) => {
            let d = Args::of(f);
            let col = d.get("column_name", 0).and_then(text).ok_or("no column")?;
            if kind == "by_hash" {
                (col, d.get("number_partitions", 1).and_then(text), None)
            } else {
                (col, None, Some(()))
            }
        }
        None => (
            args.get("column_name", 1)
                .and_then(text)
                .ok_or("add_dimension: no column")?,
            args.get("number_partitions", 2).and_then(text),
            args.get("chunk_time_interval", 3).map(|_| ()),
        ),
    };
    if interval.is_some() || partitions.is_none() {
        return Err(format!(
            "add_dimension({q}, {column}): a second time dimension is not in the contract format"
        ));
    }
    let h = hypertable_mut(b, &q)?;
    if h.partitioning.is_some() {
        return Err(format!(
            "{q}: a second space dimension is not in the contract format"
        ));
    }
    h.partitioning = Some(SpacePartition {
        column: crate::model::ident(&column),
        partitions: partitions.and_then(|p| p.parse().ok()),
    });
    Ok(())
}
