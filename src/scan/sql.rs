//! Judging one SQL string: placeholders normalised, parsed with sqlparser, tables and columns
//! resolved against the declared schema, inline literals and TimescaleDB functions noted.
//! No I/O.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::ControlFlow;

use sqlparser::ast::{
    AssignmentTarget, Expr, FromTable, ObjectName, Query, Select, SelectItem, SetExpr, Statement,
    TableFactor, TableObject, Value, Visit, Visitor,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use crate::model::{QualName, Schema};

/// TimescaleDB (and toolkit) functions worth listing in the inventory.
const TIMESCALE_FUNCTIONS: &[&str] = &[
    "time_bucket",
    "time_bucket_gapfill",
    "time_bucket_ng",
    "first",
    "last",
    "locf",
    "interpolate",
    "histogram",
    "approximate_row_count",
    "create_hypertable",
    "add_dimension",
    "by_range",
    "by_hash",
    "add_compression_policy",
    "add_retention_policy",
    "add_continuous_aggregate_policy",
    "show_chunks",
    "drop_chunks",
    "compress_chunk",
    "decompress_chunk",
    "set_chunk_time_interval",
    "approx_percentile",
    "percentile_agg",
    "stats_agg",
    "counter_agg",
    "time_weight",
    "candlestick_agg",
];

/// Rewrites every placeholder style to `$n` so one dialect parses them all, leaving string
/// literals, quoted identifiers, dollar-quoted bodies and comments alone. Returns the text
/// and the number of distinct placeholders.
pub fn normalise_placeholders(sql: &str) -> (String, usize) {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = String::with_capacity(sql.len());
    let mut named: HashMap<String, usize> = HashMap::new();
    let mut positional = 0usize;
    let mut max_dollar = 0usize;
    let mut i = 0usize;
    let prev_significant = |out: &str| out.trim_end().chars().last();
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '\'' | '"' => {
                let q = c;
                out.push(c);
                i += 1;
                while i < chars.len() {
                    out.push(chars[i]);
                    if chars[i] == q {
                        if chars.get(i + 1) == Some(&q) {
                            out.push(q);
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
            }
            '-' if next == Some('-') => {
                while i < chars.len() && chars[i] != '\n' {
                    out.push(chars[i]);
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                while i < chars.len() {
                    out.push(chars[i]);
                    if chars[i] == '/' && i > 0 && chars[i - 1] == '*' && out.len() > 2 {
                        i += 1;
                        break;
                    }
                    i += 1;
                }
            }
            '$' if next.is_some_and(|n| n.is_ascii_digit()) => {
                let mut j = i + 1;
                let mut num = String::new();
                while j < chars.len() && chars[j].is_ascii_digit() {
                    num.push(chars[j]);
                    j += 1;
                }
                max_dollar = max_dollar.max(num.parse().unwrap_or(0));
                out.push('$');
                out.push_str(&num);
                i = j;
            }
            '$' => {
                // Dollar-quoted body: $$...$$ or $tag$...$tag$.
                let mut j = i + 1;
                while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                if j < chars.len() && chars[j] == '$' {
                    let tag: String = chars[i..=j].iter().collect();
                    out.push_str(&tag);
                    let body_start = j + 1;
                    let rest: String = chars[body_start..].iter().collect();
                    match rest.find(&tag) {
                        Some(end) => {
                            out.push_str(&rest[..end + tag.len()]);
                            i = body_start + rest[..end + tag.len()].chars().count();
                        }
                        None => {
                            out.push_str(&rest);
                            i = chars.len();
                        }
                    }
                } else {
                    out.push(c);
                    i += 1;
                }
            }
            '%' if next == Some('s') => {
                positional += 1;
                out.push_str(&format!("${positional}"));
                i += 2;
            }
            '%' if next == Some('(') => {
                let close = chars[i..].iter().position(|&c| c == ')').map(|p| p + i);
                match close {
                    Some(cl) if chars.get(cl + 1) == Some(&'s') => {
                        let name: String = chars[i + 2..cl].iter().collect();
                        let n = named.len() + positional + 1;
                        let n = *named.entry(name).or_insert(n);
                        out.push_str(&format!("${n}"));
                        i = cl + 2;
                    }
                    _ => {
                        out.push(c);
                        i += 1;
                    }
                }
            }
            '?' => {
                // A placeholder stands where an operand goes; the jsonb `?` operator stands
                // between two operands.
                let before = prev_significant(&out);
                let operand_expected = matches!(
                    before,
                    None | Some('(' | ',' | '=' | '<' | '>' | '+' | '-' | '*' | '/')
                ) || out.trim_end().to_lowercase().ends_with(" in")
                    || out.trim_end().to_lowercase().ends_with(" like")
                    || out.trim_end().to_lowercase().ends_with(" limit")
                    || out.trim_end().to_lowercase().ends_with(" offset")
                    || out.trim_end().to_lowercase().ends_with(" values")
                    || out.trim_end().to_lowercase().ends_with(" and")
                    || out.trim_end().to_lowercase().ends_with(" or")
                    || out.trim_end().to_lowercase().ends_with(" then")
                    || out.trim_end().to_lowercase().ends_with(" else")
                    || out.trim_end().to_lowercase().ends_with(" between")
                    || out.trim_end().to_lowercase().ends_with(" is");
                if operand_expected {
                    let mut j = i + 1;
                    let mut num = String::new();
                    while j < chars.len() && chars[j].is_ascii_digit() {
                        num.push(chars[j]);
                        j += 1;
                    }
                    positional += 1;
                    let n = if num.is_empty() {
                        positional
                    } else {
                        num.parse().unwrap_or(positional)
                    };
                    out.push_str(&format!("${n}"));
                    i = j;
                } else {
                    out.push(c);
                    i += 1;
                }
            }
            '@' if next.is_some_and(|n| n.is_ascii_alphabetic() || n == '_')
                && !matches!(prev_significant(&out), Some(c) if c.is_alphanumeric() || c == ')' || c == '\'') =>
            {
                let mut j = i + 1;
                let mut name = String::new();
                while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                    name.push(chars[j]);
                    j += 1;
                }
                let n = named.len() + positional + 1;
                let n = *named.entry(name).or_insert(n);
                out.push_str(&format!("${n}"));
                i = j;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    let count = max_dollar.max(positional + named.len());
    (out, count)
}

/// What one statement (or batch) does.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Analysis {
    /// Declared or unknown tables the SQL names, as `schema.table` (unknown ones unqualified
    /// names are reported in `unknown_tables`).
    pub tables: BTreeSet<String>,
    pub unknown_tables: Vec<String>,
    /// `table.column` or `column` references that name no declared column.
    pub unknown_columns: Vec<String>,
    /// Comparisons / VALUES / SET against a literal where a bind parameter belongs.
    pub inline_literals: Vec<String>,
    pub timescale_functions: BTreeSet<String>,
    /// Distinct placeholders.
    pub placeholders: usize,
    pub statements: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    Ok(Analysis),
    /// The parser's message.
    Error(String),
}

/// Parses and analyses `sql` against `declared` (None: no contracts, so no table checks).
pub fn analyse(sql: &str, declared: Option<&Schema>, schemas: &[String]) -> Parsed {
    let (text, placeholders) = normalise_placeholders(sql);
    let statements = match Parser::parse_sql(&PostgreSqlDialect {}, &text) {
        Ok(s) => s,
        Err(e) => return Parsed::Error(e.to_string()),
    };
    let mut a = Analysis {
        placeholders,
        statements: statements.len(),
        ..Default::default()
    };
    for st in &statements {
        let mut v = Collector::default();
        let _ = st.visit(&mut v);
        resolve(&v, declared, schemas, &mut a);
        a.inline_literals.extend(v.literals);
        a.timescale_functions.extend(
            v.functions
                .into_iter()
                .filter(|f| TIMESCALE_FUNCTIONS.contains(&f.as_str())),
        );
    }
    Parsed::Ok(a)
}

#[derive(Default)]
struct Collector {
    /// (name parts, alias)
    tables: Vec<(Vec<String>, Option<String>)>,
    /// Aliases of subqueries, table functions and the like: anything may come from them.
    opaque_aliases: HashSet<String>,
    opaque_sources: bool,
    ctes: HashSet<String>,
    select_aliases: HashSet<String>,
    /// (qualifier, column)
    columns: Vec<(Option<String>, String)>,
    /// Columns written by INSERT (table index, column).
    insert_columns: Vec<(Vec<String>, String)>,
    functions: HashSet<String>,
    literals: Vec<String>,
}

fn name_parts(n: &ObjectName) -> Vec<String> {
    n.0.iter()
        .map(|p| p.as_ident().map(ident_of).unwrap_or_else(|| p.to_string()))
        .collect()
}

fn ident_of(i: &sqlparser::ast::Ident) -> String {
    if i.quote_style.is_some() {
        i.value.clone()
    } else {
        i.value.to_lowercase()
    }
}

fn is_literal(e: &Expr) -> Option<String> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s)
            | Value::EscapedStringLiteral(s)
            | Value::NationalStringLiteral(s) => Some(format!("'{s}'")),
            Value::Number(n, _) => Some(n.to_string()),
            _ => None,
        },
        Expr::UnaryOp { expr, .. } => is_literal(expr),
        Expr::Cast { expr, .. } => is_literal(expr),
        Expr::Nested(e) => is_literal(e),
        _ => None,
    }
}

fn column_ref(e: &Expr) -> Option<String> {
    match e {
        Expr::Identifier(i) => Some(ident_of(i)),
        Expr::CompoundIdentifier(parts) => parts.last().map(ident_of),
        Expr::Cast { expr, .. } | Expr::Nested(expr) => column_ref(expr),
        _ => None,
    }
}

impl Visitor for Collector {
    type Break = ();

    fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<()> {
        if let Some(w) = &q.with {
            for cte in &w.cte_tables {
                self.ctes.insert(ident_of(&cte.alias.name));
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_select(&mut self, s: &Select) -> ControlFlow<()> {
        for item in &s.projection {
            if let SelectItem::ExprWithAlias { alias, .. } = item {
                self.select_aliases.insert(ident_of(alias));
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, tf: &TableFactor) -> ControlFlow<()> {
        match tf {
            TableFactor::Table {
                name, alias, args, ..
            } => {
                let parts = name_parts(name);
                if args.is_some() {
                    // A set-returning function: its columns are not the contract's business.
                    self.opaque_sources = true;
                    if let Some(a) = alias {
                        self.opaque_aliases.insert(ident_of(&a.name));
                    }
                } else {
                    self.tables
                        .push((parts, alias.as_ref().map(|a| ident_of(&a.name))));
                }
            }
            other => {
                self.opaque_sources = true;
                if let Some(a) = table_factor_alias(other) {
                    self.opaque_aliases.insert(a);
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_statement(&mut self, st: &Statement) -> ControlFlow<()> {
        match st {
            Statement::Insert(ins) => {
                if let TableObject::TableName(name) = &ins.table {
                    let parts = name_parts(name);
                    self.tables.push((
                        parts.clone(),
                        ins.table_alias.as_ref().map(|a| ident_of(&a.alias)),
                    ));
                    for c in &ins.columns {
                        if let Some(col) = name_parts(c).last() {
                            self.insert_columns.push((parts.clone(), col.clone()));
                        }
                    }
                    // ON CONFLICT ... DO UPDATE SET x = EXCLUDED.x
                    self.opaque_aliases.remove("excluded");
                    self.tables.push((parts, Some("excluded".into())));
                }
                if let Some(src) = &ins.source
                    && let SetExpr::Values(values) = src.body.as_ref()
                {
                    for row in &values.rows {
                        for e in &row.content {
                            if let Some(l) = is_literal(e) {
                                self.literals.push(format!("VALUES ({l})"));
                            }
                        }
                    }
                }
            }
            Statement::Update(u) => {
                for a in &u.assignments {
                    if let AssignmentTarget::ColumnName(n) = &a.target
                        && let Some(col) = name_parts(n).last()
                    {
                        self.columns.push((None, col.clone()));
                        if let Some(l) = is_literal(&a.value) {
                            self.literals.push(format!("SET {col} = {l}"));
                        }
                    }
                }
            }
            Statement::Delete(d) => {
                let from = match &d.from {
                    FromTable::WithFromKeyword(t) | FromTable::WithoutKeyword(t) => t,
                };
                let _ = from;
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        match e {
            Expr::Identifier(i) => self.columns.push((None, ident_of(i))),
            Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                let n = parts.len();
                self.columns
                    .push((Some(ident_of(&parts[n - 2])), ident_of(&parts[n - 1])));
            }
            Expr::Function(f) => {
                if let Some(last) = f.name.0.last() {
                    self.functions.insert(last.to_string().to_lowercase());
                }
            }
            Expr::BinaryOp { left, op, right } => {
                use sqlparser::ast::BinaryOperator as B;
                if matches!(op, B::Eq | B::NotEq | B::Lt | B::LtEq | B::Gt | B::GtEq) {
                    let pair = match (
                        column_ref(left),
                        is_literal(right),
                        column_ref(right),
                        is_literal(left),
                    ) {
                        (Some(c), Some(l), _, _) | (_, _, Some(c), Some(l)) => Some((c, l)),
                        _ => None,
                    };
                    if let Some((c, l)) = pair {
                        self.literals.push(format!("{c} {op} {l}"));
                    }
                }
            }
            Expr::Like { expr, pattern, .. } | Expr::ILike { expr, pattern, .. } => {
                if let (Some(c), Some(l)) = (column_ref(expr), is_literal(pattern)) {
                    self.literals.push(format!("{c} LIKE {l}"));
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

fn table_factor_alias(tf: &TableFactor) -> Option<String> {
    match tf {
        TableFactor::Derived { alias, .. }
        | TableFactor::TableFunction { alias, .. }
        | TableFactor::Function { alias, .. }
        | TableFactor::UNNEST { alias, .. }
        | TableFactor::NestedJoin { alias, .. } => alias.as_ref().map(|a| ident_of(&a.name)),
        _ => None,
    }
}

fn is_system(parts: &[String]) -> bool {
    let schema = if parts.len() >= 2 {
        parts[parts.len() - 2].as_str()
    } else {
        ""
    };
    let name = parts.last().map(|s| s.as_str()).unwrap_or("");
    matches!(
        schema,
        "pg_catalog"
            | "information_schema"
            | "timescaledb_information"
            | "timescaledb_experimental"
    ) || schema.starts_with("_timescaledb")
        || (schema.is_empty() && (name.starts_with("pg_") || name == "dual"))
}

/// Columns a declared relation has; `None` = any (a view or cagg without listed columns).
fn declared_columns(declared: &Schema, qn: &QualName) -> Option<Option<HashSet<String>>> {
    if let Some(t) = declared.tables.get(qn) {
        return Some(Some(t.columns.iter().map(|c| c.name.clone()).collect()));
    }
    if let Some(v) = declared.views.get(qn) {
        return Some(v.columns.as_ref().map(|c| c.iter().cloned().collect()));
    }
    if declared.caggs.contains_key(qn) {
        return Some(None);
    }
    None
}

/// Finds a declared relation for `parts`: qualified, or unqualified in the first scope
/// schema that has it.
fn find_relation(declared: &Schema, schemas: &[String], parts: &[String]) -> Option<QualName> {
    match parts {
        [.., schema, name] => {
            let qn = QualName::new(schema.clone(), name.clone());
            declared_columns(declared, &qn).map(|_| qn)
        }
        [name] => schemas
            .iter()
            .map(|s| QualName::new(s.clone(), name.clone()))
            .find(|qn| declared_columns(declared, qn).is_some()),
        [] => None,
    }
}

fn resolve(v: &Collector, declared: Option<&Schema>, schemas: &[String], a: &mut Analysis) {
    let dynamic = |s: &str| s.contains("__zg_dyn_");
    // alias or table name → columns (None = anything goes)
    let mut scope: HashMap<String, Option<HashSet<String>>> = HashMap::new();
    let mut all_known = !v.opaque_sources;
    for (parts, alias) in &v.tables {
        let name = parts.last().cloned().unwrap_or_default();
        if parts.iter().any(|p| dynamic(p)) || is_system(parts) {
            all_known = false;
            if let Some(al) = alias {
                scope.insert(al.clone(), None);
            }
            continue;
        }
        if parts.len() == 1 && v.ctes.contains(&name) {
            all_known = false;
            scope.insert(alias.clone().unwrap_or(name), None);
            continue;
        }
        let Some(declared) = declared else {
            a.tables.insert(parts.join("."));
            all_known = false;
            continue;
        };
        match find_relation(declared, schemas, parts) {
            Some(qn) => {
                a.tables.insert(qn.to_string());
                let cols = declared_columns(declared, &qn).flatten();
                if cols.is_none() {
                    all_known = false;
                }
                scope.insert(name.clone(), cols.clone());
                if let Some(al) = alias {
                    scope.insert(al.clone(), cols);
                }
            }
            None => {
                if !a.unknown_tables.contains(&parts.join(".")) {
                    a.unknown_tables.push(parts.join("."));
                }
                all_known = false;
                scope.insert(alias.clone().unwrap_or(name), None);
            }
        }
    }
    if declared.is_none() {
        return;
    }
    let mut report = |s: String| {
        if !a.unknown_columns.contains(&s) {
            a.unknown_columns.push(s);
        }
    };
    for (parts, col) in &v.insert_columns {
        let name = parts.last().cloned().unwrap_or_default();
        if let Some(Some(cols)) = scope.get(&name)
            && !cols.contains(col)
            && !dynamic(col)
        {
            report(format!("{name}.{col}"));
        }
    }
    for (qualifier, col) in &v.columns {
        if dynamic(col) || col == "*" {
            continue;
        }
        match qualifier {
            Some(q) => {
                if dynamic(q) || v.opaque_aliases.contains(q) {
                    continue;
                }
                if let Some(Some(cols)) = scope.get(q)
                    && !cols.contains(col)
                {
                    report(format!("{q}.{col}"));
                }
            }
            None => {
                if !all_known || v.select_aliases.contains(col) || scope.is_empty() {
                    continue;
                }
                let found = scope
                    .values()
                    .any(|c| c.as_ref().is_none_or(|c| c.contains(col)));
                if !found {
                    report(col.clone());
                }
            }
        }
    }
}

/// Splits a `.sql` file into statements with their 1-based start line, respecting quotes,
/// dollar quotes and comments.
pub fn split_statements(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let (mut i, mut line, mut start, mut start_line) = (0usize, 1usize, 0usize, 1usize);
    let mut seen_code = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\n' => {
                line += 1;
                i += 1;
            }
            '-' if chars.get(i + 1) == Some(&'-') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
                i += 2;
            }
            '\'' | '"' => {
                if !seen_code {
                    seen_code = true;
                    start_line = line;
                }
                let q = c;
                i += 1;
                while i < chars.len() {
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    if chars[i] == q {
                        if chars.get(i + 1) == Some(&q) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
            }
            '$' => {
                if !seen_code {
                    seen_code = true;
                    start_line = line;
                }
                let mut j = i + 1;
                while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                if j < chars.len()
                    && chars[j] == '$'
                    && !chars[i + 1..j]
                        .iter()
                        .any(|c| c.is_ascii_digit() && j == i + 2)
                {
                    let tag: Vec<char> = chars[i..=j].to_vec();
                    i = j + 1;
                    while i < chars.len() && !chars[i..].starts_with(&tag) {
                        if chars[i] == '\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                    i += tag.len();
                } else {
                    i += 1;
                }
            }
            ';' => {
                let stmt: String = chars[start..i].iter().collect();
                if seen_code {
                    out.push((start_line, stmt.trim().to_string()));
                }
                i += 1;
                start = i;
                seen_code = false;
            }
            c if c.is_whitespace() => i += 1,
            _ => {
                if !seen_code {
                    seen_code = true;
                    start_line = line;
                }
                i += 1;
            }
        }
    }
    let tail: String = chars[start.min(chars.len())..].iter().collect();
    if seen_code && !tail.trim().is_empty() {
        out.push((start_line, tail.trim().to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::load_sources;

    fn schema() -> (Schema, Vec<String>) {
        let set = load_sources(&[(
            "c.yaml".into(),
            "tables:\n  users:\n    columns:\n      id: { type: int }\n      name: { type: text }\n      data: { type: jsonb }\n  orders:\n    columns:\n      id: { type: int }\n      user_id: { type: int }\n      total: { type: \"numeric(10,2)\" }\n".into(),
        )])
        .unwrap();
        (set.expectations.schema, set.expectations.schemas)
    }

    fn ok(sql: &str) -> Analysis {
        let (s, schemas) = schema();
        match analyse(sql, Some(&s), &schemas) {
            Parsed::Ok(a) => a,
            Parsed::Error(e) => panic!("{sql}: {e}"),
        }
    }

    #[test]
    fn every_placeholder_style_parses() {
        for sql in [
            "SELECT id FROM users WHERE id = $1",
            "SELECT id FROM users WHERE id = %s AND name = %s",
            "SELECT id FROM users WHERE id = %(id)s AND name = %(name)s OR id = %(id)s",
            "SELECT id FROM users WHERE id = :id",
            "SELECT id FROM users WHERE id = ? AND name = ?",
            "SELECT id FROM users WHERE id = @p1 AND name = @name",
            "SELECT id FROM users WHERE id IN (?, ?) LIMIT ?",
        ] {
            let a = ok(sql);
            assert!(
                a.unknown_tables.is_empty() && a.unknown_columns.is_empty(),
                "{sql}: {a:?}"
            );
            assert!(a.inline_literals.is_empty(), "{sql}: {a:?}");
        }
        assert_eq!(normalise_placeholders("a = %(id)s OR b = %(id)s").1, 1);
        assert_eq!(normalise_placeholders("a = ? AND b = ?").1, 2);
        // jsonb `?` operator stays an operator.
        assert_eq!(
            normalise_placeholders("SELECT data ? 'k' FROM users").0,
            "SELECT data ? 'k' FROM users"
        );
        assert_eq!(
            normalise_placeholders("WHERE s = '?' AND t = ?").0,
            "WHERE s = '?' AND t = $1"
        );
    }

    #[test]
    fn unknown_tables_and_columns_with_aliases_ctes_and_subqueries() {
        let a = ok(
            "SELECT u.id, o.total FROM users u JOIN orders o ON o.user_id = u.id WHERE u.name = $1",
        );
        assert_eq!(
            (a.unknown_tables.len(), a.unknown_columns.len()),
            (0, 0),
            "{a:?}"
        );
        assert!(a.tables.contains("public.users") && a.tables.contains("public.orders"));
        let a = ok("SELECT u.nickname FROM users u");
        assert_eq!(a.unknown_columns, vec!["u.nickname"]);
        let a = ok("SELECT nickname FROM users");
        assert_eq!(a.unknown_columns, vec!["nickname"]);
        let a = ok("SELECT * FROM customers WHERE id = $1");
        assert_eq!(a.unknown_tables, vec!["customers"]);
        let a = ok(
            "WITH recent AS (SELECT user_id, total AS t FROM orders) SELECT r.t, r.user_id FROM recent r",
        );
        assert!(
            a.unknown_columns.is_empty() && a.unknown_tables.is_empty(),
            "{a:?}"
        );
        let a = ok("SELECT x.n FROM (SELECT name AS n FROM users) x");
        assert!(a.unknown_columns.is_empty(), "{a:?}");
        let a = ok("SELECT count(*) AS c FROM public.orders GROUP BY user_id ORDER BY c");
        assert!(a.unknown_columns.is_empty(), "{a:?}");
        let a = ok("INSERT INTO users (id, nick) VALUES ($1, $2)");
        assert_eq!(a.unknown_columns, vec!["users.nick"]);
        let a = ok("UPDATE users SET name = $1 WHERE id = $2");
        assert!(
            a.unknown_columns.is_empty() && a.inline_literals.is_empty(),
            "{a:?}"
        );
        let a = ok(
            "INSERT INTO users (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name",
        );
        assert!(a.unknown_columns.is_empty(), "{a:?}");
        let a = ok("SELECT relname FROM pg_class");
        assert!(
            a.unknown_tables.is_empty() && a.unknown_columns.is_empty(),
            "{a:?}"
        );
    }

    #[test]
    fn inline_literals_and_timescale_functions() {
        let a = ok("SELECT id FROM users WHERE name = 'bob'");
        assert_eq!(a.inline_literals, vec!["name = 'bob'"]);
        let a = ok("INSERT INTO users (id, name) VALUES (1, 'x')");
        assert_eq!(a.inline_literals.len(), 2);
        let a =
            ok("SELECT time_bucket('1 hour', now()) AS b, last(total, id) FROM orders GROUP BY b");
        assert!(
            a.timescale_functions.contains("time_bucket") && a.timescale_functions.contains("last"),
            "{a:?}"
        );
    }

    #[test]
    fn unparseable_sql_carries_the_parser_message() {
        let (s, schemas) = schema();
        match analyse("SELEC id FRM users", Some(&s), &schemas) {
            Parsed::Error(e) => assert!(e.contains("Expected"), "{e}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn splits_sql_files() {
        let parts = split_statements(
            "-- c;\nCREATE TABLE a (x text DEFAULT ';');\n\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n/* ; */ SELECT 2",
        );
        let lines: Vec<usize> = parts.iter().map(|p| p.0).collect();
        assert_eq!(lines, vec![2, 4, 5]);
        assert!(parts[1].1.contains("SELECT 1;"));
    }
}
