//! Live query verification, the pure half: which queries to prepare and as what text, what
//! the server's answers mean as findings, declared queries (`queries:`) matched to the code
//! by fingerprint and checked against what the server describes, and `check --bench` plans.
//! The I/O (PREPARE, EXPLAIN ANALYZE) is `introspect::Reader`'s.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

use crate::contract::DeclaredQuery;
use crate::finding::Finding;
use crate::model::Location;
use crate::normalize::types::{normalize_type, types_equal};
use crate::rules;
use crate::scan::FoundQuery;
use crate::scan::candidate::Construction;
use crate::scan::sql::normalise_placeholders;

/// What the server describes of a prepared statement: parameter types and result columns,
/// by their type names (`int4`, `varchar`, `timestamptz`, an enum's name).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerShape {
    pub params: Vec<String>,
    pub columns: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrepareOutcome {
    Prepared(ServerShape),
    Rejected {
        sqlstate: String,
        message: String,
        /// 1-based character position in the prepared text.
        position: Option<usize>,
    },
}

/// What to do with one query found in the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Prepare this text (placeholders rewritten to `$n`).
    Prepare(String),
    /// Its text is not known before it runs: reported, never counted as passing.
    NotVerifiable(String),
    /// Not prepared, for a reason that is not a gap (dynamic SQL is already an error;
    /// migrations are history, not today's schema).
    Skip(String),
}

fn is_migration_or_ddl(q: &FoundQuery) -> bool {
    let sql_file = q.file.to_ascii_lowercase().ends_with(".sql");
    if !sql_file {
        return false;
    }
    let first = q
        .candidate
        .sql
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    crate::scan::is_migration_path(&q.file)
        || !matches!(
            first.as_str(),
            "SELECT" | "WITH" | "INSERT" | "UPDATE" | "DELETE" | "MERGE" | "VALUES" | "TABLE"
        )
}

pub fn plan_for(q: &FoundQuery) -> Plan {
    match &q.candidate.construction {
        Construction::Dynamic { how } => Plan::Skip(format!("built at run time ({how})")),
        Construction::SafeIdentifier { api } => Plan::NotVerifiable(format!(
            "identifiers are composed at run time through {api}"
        )),
        Construction::Constant if is_migration_or_ddl(q) => {
            Plan::Skip("a migration or DDL statement".into())
        }
        Construction::Constant => {
            let (text, _) = normalise_placeholders(&q.candidate.sql);
            if statement_count(&text) > 1 {
                return Plan::NotVerifiable(
                    "several statements in one string cannot be prepared together".into(),
                );
            }
            Plan::Prepare(text)
        }
    }
}

/// Statements separated by top-level semicolons (a trailing one does not count).
fn statement_count(sql: &str) -> usize {
    let Ok(tokens) = Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize() else {
        return 1;
    };
    let mut count = 0;
    let mut pending = false;
    for t in tokens {
        match t {
            Token::SemiColon => {
                if pending {
                    count += 1;
                }
                pending = false;
            }
            Token::Whitespace(_) | Token::EOF => {}
            _ => pending = true,
        }
    }
    count + usize::from(pending)
}

/// A query's identity regardless of whitespace, comments, keyword case and placeholder
/// style: its tokens, unquoted words upper-cased, every placeholder as `?`.
pub fn fingerprint(sql: &str) -> String {
    let (text, _) = normalise_placeholders(sql);
    let Ok(tokens) = Tokenizer::new(&PostgreSqlDialect {}, &text).tokenize() else {
        return text.split_whitespace().collect::<Vec<_>>().join(" ");
    };
    let mut out: Vec<String> = Vec::new();
    for t in tokens {
        match t {
            Token::Whitespace(_) | Token::EOF => {}
            Token::SemiColon => {}
            Token::Placeholder(_) => out.push("?".into()),
            Token::Word(w) if w.quote_style.is_none() => out.push(w.value.to_uppercase()),
            other => out.push(other.to_string()),
        }
    }
    out.join(" ")
}

/// Line and column of a 1-based character position in `text`, relative to its start.
fn line_col(text: &str, position: usize) -> (usize, usize) {
    let mut line = 0;
    let mut col = 1;
    for c in text.chars().take(position.saturating_sub(1)) {
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    (line, col)
}

/// A few characters of `text` around a position, for the message.
fn near(text: &str, position: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let start = position.saturating_sub(1).min(chars.len());
    let snippet: String = chars[start..]
        .iter()
        .take(30)
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    snippet
}

/// The finding of a query the server rejected, at its source line (the error position mapped
/// into the SQL text where the server gives one).
pub fn rejection_finding(
    object: &str,
    base: &Location,
    prepared: &str,
    sqlstate: &str,
    message: &str,
    position: Option<usize>,
    declared: Option<&DeclaredQuery>,
) -> Finding {
    let mut loc = base.clone();
    let mut at = String::new();
    if let Some(p) = position {
        let (line, col) = line_col(prepared, p);
        // Where the SQL is the file's own text (.sql files), lines map one to one; in code the
        // string may start mid-line, so the column is only known past its first line. A
        // declared query stays at its name in the contract.
        if line > 0 && declared.is_none() {
            loc.line += line;
            loc.column = col;
        }
        at = format!(" at \"{}\"", near(prepared, p));
    }
    let who = declared
        .map(declared_name)
        .unwrap_or_else(|| "query".into());
    Finding::new(
        &rules::PREPARE_FAILED,
        "query",
        object,
        format!("the server rejects the {who}: {message} (SQLSTATE {sqlstate}){at}"),
    )
    .expected("the server prepares it")
    .actual(format!("{sqlstate}: {message}"))
    .at(Some(&loc))
}

pub fn not_verifiable_finding(object: &str, loc: &Location, why: &str) -> Finding {
    Finding::new(
        &rules::QUERY_NOT_VERIFIABLE,
        "query",
        object,
        format!("query not verifiable on the server: {why}"),
    )
    .actual(why)
    .at(Some(loc))
}

/// A type name as the server describes it, comparable with a declared one (`int4` and
/// `integer`; the declared length or precision is not in a statement's description).
fn base_type(t: &str) -> String {
    // The server's internal names: `_text` is `text[]`, `bpchar` is `character`.
    let t = match t.strip_prefix('_') {
        Some(elem) => format!("{elem}[]"),
        None => t.to_string(),
    };
    let t = t.replacen("bpchar", "character", 1);
    let n = normalize_type(&t).map(|n| n.name).unwrap_or(t);
    match n.split_once('(') {
        Some((head, rest)) => {
            // `timestamp(3) with time zone` keeps its words after the parenthesis.
            let tail = rest.split_once(')').map(|(_, t)| t).unwrap_or("");
            format!("{}{tail}", head.trim_end())
        }
        None => n,
    }
}

fn same_type(declared: &str, server: &str) -> bool {
    types_equal(&base_type(declared), &base_type(server))
}

/// The declared `params` and `returns` of a query against what the server describes.
pub fn shape_findings(d: &DeclaredQuery, shape: &ServerShape) -> Vec<Finding> {
    let mut out = Vec::new();
    let object = format!("query {}", d.name);
    if let Some(params) = &d.query.params {
        // A declared varchar for a parameter the server infers as text is the same value on
        // the wire (`varchar = unknown` resolves to `text = text`).
        let ok = params.len() == shape.params.len()
            && params.iter().zip(&shape.params).all(|(a, b)| {
                same_type(a, b) || (base_type(a) == "character varying" && b == "text")
            });
        if !ok {
            out.push(
                Finding::new(
                    &rules::DECLARED_QUERY_PARAMS_MISMATCH,
                    "query",
                    &object,
                    format!(
                        "declared query {} takes ({}) on the server, the contract says ({})",
                        d.name,
                        shape.params.join(", "),
                        params.join(", ")
                    ),
                )
                .expected(params.join(", "))
                .actual(shape.params.join(", "))
                .at(Some(&d.loc)),
            );
        }
    }
    if let Some(returns) = &d.query.returns {
        let declared: Vec<String> = returns.iter().map(|(n, t)| format!("{n} {t}")).collect();
        let actual: Vec<String> = shape
            .columns
            .iter()
            .map(|(n, t)| format!("{n} {t}"))
            .collect();
        let ok = returns.len() == shape.columns.len()
            && returns
                .iter()
                .zip(&shape.columns)
                .all(|((dn, dt), (an, at))| dn == an && same_type(dt, at));
        if !ok {
            let consumers = d.query.consumers.clone().unwrap_or_default();
            out.push(
                Finding::new(
                    &rules::DECLARED_QUERY_RETURNS_MISMATCH,
                    "query",
                    &object,
                    format!(
                        "declared query {} returns ({}) on the server, the contract says ({}){}",
                        d.name,
                        actual.join(", "),
                        declared.join(", "),
                        if consumers.is_empty() {
                            String::new()
                        } else {
                            format!("; consumers: {}", consumers.join(", "))
                        }
                    ),
                )
                .expected(declared.join(", "))
                .actual(actual.join(", "))
                .at(Some(&d.loc)),
            );
        }
    }
    out
}

/// The fingerprint of each repository query (`None` for dynamic SQL, whose text is not the
/// query), computed once for all declared queries.
pub fn fingerprints(found: &[FoundQuery]) -> Vec<Option<String>> {
    found
        .iter()
        .map(|q| {
            (!matches!(q.candidate.construction, Construction::Dynamic { .. }))
                .then(|| fingerprint(&q.candidate.sql))
        })
        .collect()
}

/// Where in the repository a declared query is (matched by fingerprint; `prints` from
/// [`fingerprints`] of `found`).
pub fn find_declared<'a>(
    d: &DeclaredQuery,
    found: &'a [FoundQuery],
    prints: &[Option<String>],
) -> Vec<&'a FoundQuery> {
    let fp = fingerprint(&d.query.sql);
    found
        .iter()
        .zip(prints)
        .filter(|(_, p)| p.as_deref() == Some(fp.as_str()))
        .map(|(q, _)| q)
        .collect()
}

/// `declared query NAME (consumers: a, b)`: who is affected, in a finding's message.
fn declared_name(d: &DeclaredQuery) -> String {
    match d.query.consumers.as_deref() {
        Some(c) if !c.is_empty() => {
            format!("declared query {} (consumers: {})", d.name, c.join(", "))
        }
        _ => format!("declared query {}", d.name),
    }
}

pub fn not_found_finding(d: &DeclaredQuery) -> Finding {
    Finding::new(
        &rules::DECLARED_QUERY_NOT_FOUND,
        "query",
        format!("query {}", d.name),
        format!(
            "{} is not in the repository (no query has its fingerprint)",
            declared_name(d)
        ),
    )
    .expected(fingerprint(&d.query.sql))
    .actual("not found")
    .at(Some(&d.loc))
}

/// The text EXPLAIN ANALYZE runs for `check --bench`: the declared SQL with each `$n`
/// replaced by its example value as a quoted literal (the server casts it to the
/// parameter's type, as it would a bound text value).
pub fn with_example_params(sql: &str, params: &[String]) -> Result<String, String> {
    let (text, count) = normalise_placeholders(sql);
    if count != params.len() {
        return Err(format!(
            "{} example_params for {count} placeholder(s)",
            params.len()
        ));
    }
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, &text)
        .tokenize()
        .map_err(|e| e.to_string())?;
    let mut out = String::new();
    for t in tokens {
        match &t {
            Token::Placeholder(p) => {
                let n: usize = p
                    .trim_start_matches('$')
                    .parse()
                    .map_err(|_| format!("placeholder {p}"))?;
                let v = params
                    .get(n.wrapping_sub(1))
                    .ok_or_else(|| format!("no example value for {p}"))?;
                out.push('\'');
                out.push_str(&v.replace('\'', "''"));
                out.push('\'');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    Ok(out)
}

/// What one EXPLAIN (ANALYZE, FORMAT JSON) plan says for `--bench`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanFacts {
    pub execution_ms: f64,
    pub uses_index: bool,
    /// `schema.relation` of sequentially scanned relations.
    pub seq_scans: Vec<String>,
}

pub fn plan_facts(explain: &serde_json::Value) -> PlanFacts {
    let top = explain.get(0).unwrap_or(explain);
    let mut facts = PlanFacts {
        execution_ms: top
            .get("Execution Time")
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0),
        ..Default::default()
    };
    fn walk(node: &serde_json::Value, f: &mut PlanFacts) {
        let kind = node.get("Node Type").and_then(|v| v.as_str()).unwrap_or("");
        if kind.contains("Index") {
            f.uses_index = true;
        }
        if kind == "Seq Scan" {
            let schema = node.get("Schema").and_then(|v| v.as_str()).unwrap_or("");
            let rel = node
                .get("Relation Name")
                .and_then(|v| v.as_str())
                .unwrap_or("");
            f.seq_scans.push(format!("{schema}.{rel}"));
        }
        if let Some(children) = node.get("Plans").and_then(|p| p.as_array()) {
            for c in children {
                walk(c, f);
            }
        }
    }
    if let Some(plan) = top.get("Plan") {
        walk(plan, &mut facts);
    }
    facts
}

pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(|a, b| a.total_cmp(b));
    let m = values.len() / 2;
    if values.len() % 2 == 1 {
        values[m]
    } else {
        (values[m - 1] + values[m]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_ignore_layout_case_and_placeholder_style() {
        let a = fingerprint("SELECT id FROM t\n  WHERE a = $1 AND b = $2 -- note\n");
        let b = fingerprint("select ID from T where A = %s and B = %s");
        let c = fingerprint("SELECT id FROM t WHERE a = ? AND b = ?;");
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_ne!(a, fingerprint("SELECT id FROM t WHERE a = $1"));
        // Quoted identifiers keep their case.
        assert_ne!(
            fingerprint("SELECT \"Id\" FROM t"),
            fingerprint("SELECT id FROM t")
        );
    }

    #[test]
    fn positions_map_to_lines() {
        let sql = "SELECT a,\n       nope\nFROM t";
        let p = sql.find("nope").unwrap() + 1;
        assert_eq!(line_col(sql, p), (1, 8));
        assert_eq!(near(sql, p), "nope FROM t");
    }

    #[test]
    fn example_params_become_literals() {
        assert_eq!(
            with_example_params(
                "SELECT * FROM t WHERE k = $1 AND n < $2",
                &["O'X".into(), "5".into()]
            )
            .unwrap(),
            "SELECT * FROM t WHERE k = 'O''X' AND n < '5'"
        );
        assert!(with_example_params("SELECT $1", &[]).is_err());
    }

    #[test]
    fn declared_types_compare_with_server_names() {
        assert!(same_type("varchar(255)", "varchar"));
        assert!(same_type("integer", "int4"));
        assert!(same_type("timestamptz", "timestamptz"));
        assert!(same_type("numeric(10,6)", "numeric"));
        assert!(!same_type("integer", "int8"));
        assert!(same_type("text[]", "_text"));
        assert!(same_type("char(3)", "bpchar"));
    }

    #[test]
    fn statements_are_counted() {
        assert_eq!(statement_count("SELECT 1;"), 1);
        assert_eq!(statement_count("SELECT 1; SELECT 2"), 2);
        assert_eq!(statement_count("SELECT ';'"), 1);
    }

    #[test]
    fn plans_tell_index_use_and_seq_scans() {
        let plan = serde_json::json!([{ "Plan": { "Node Type": "Append", "Plans": [
            { "Node Type": "Seq Scan", "Schema": "_timescaledb_internal", "Relation Name": "_hyper_1_1_chunk" },
            { "Node Type": "Index Scan", "Schema": "_timescaledb_internal", "Relation Name": "_hyper_1_2_chunk" }
        ]}, "Execution Time": 1.5 }]);
        let f = plan_facts(&plan);
        assert!(f.uses_index);
        assert_eq!(f.seq_scans, ["_timescaledb_internal._hyper_1_1_chunk"]);
        assert_eq!(f.execution_ms, 1.5);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
    }
}
