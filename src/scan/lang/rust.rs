//! Rust front end: string and raw string literals, `format!`/`concat!`/`write!`, `+`,
//! `push_str`/`+=` builders, `Vec` + `join`, sqlx `QueryBuilder`, followed through local
//! variables to driver calls (sqlx `query`/`query_as`/`query!`, tokio-postgres / postgres
//! `query`/`execute`/`prepare`, rusqlite, diesel `sql_query`). `format!` of a value whose
//! declared type is numeric or boolean (`id: i64`) is safe (info), not dynamic.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use tree_sitter::Node;

use super::common::{
    FormatArg, Hole, Scope, Str, children, fold_braces, parse, position, text, unescape_c,
};
use super::javascript::{finish, reads_as_sql, sqlish};
use crate::scan::candidate::{Candidate, Extractor, Sinks};

pub struct RustExtractor;

impl Extractor for RustExtractor {
    fn extensions(&self) -> &'static [&'static str] {
        &["rs"]
    }

    fn sinks(&self) -> Option<Sinks> {
        Some(PREFILTER)
    }

    fn extract(&self, source: &str) -> Vec<Candidate> {
        if source.len() > MAX_SOURCE {
            return Vec::new();
        }
        let Some(tree) = parse(source, language()) else {
            return Vec::new();
        };
        let root = tree.root_node();
        let empty = Module::default();
        let mut module = Module::default();
        {
            let pre = Walker::new(source, &empty, Rc::new(Cell::new(0)));
            pre.collect_module(root, &mut module);
        }
        let mut w = Walker::new(source, &module, Rc::new(Cell::new(0)));
        let mut f = Frame::new(None);
        w.visit(root, &mut f);
        w.flush(f);
        finish(w.out)
    }
}

fn language() -> tree_sitter::Language {
    tree_sitter_rust::LANGUAGE.into()
}

const MAX_SOURCE: usize = 4_000_000;
const MAX_DEPTH: usize = 256;

/// The sinks as the prefilter looks for them: calls (`query(`, `query_as::<T>(`), sqlx's
/// macros (`query!(`) and sqlx's `QueryBuilder::new(` (its `build()` runs the text).
const PREFILTER: Sinks = Sinks {
    names: &[SINKS, SQLX_MACROS, &["QueryBuilder"]],
    receiver_names: &[],
    receiver_words: &[],
    call_marks: b"!:",
};

/// Methods / functions that run the SQL in their first string argument.
const SINKS: &[&str] = &[
    "query",
    "query_as",
    "query_scalar",
    "query_with",
    "query_as_with",
    "query_scalar_with",
    "execute",
    "query_one",
    "query_opt",
    "query_raw",
    "query_row",
    "query_typed",
    "prepare",
    "prepare_cached",
    "prepare_typed",
    "batch_execute",
    "execute_batch",
    "simple_query",
    "sql_query",
    "execute_unprepared",
    "from_string",
    "from_sql_and_values",
];

/// Sinks whose bind values follow as a `.bind(x)` chain (sqlx).
const BIND_CHAIN_SINKS: &[&str] = &[
    "query",
    "query_as",
    "query_scalar",
    "sql_query",
    "query_with",
    "query_as_with",
];

/// sqlx's checked macros: the SQL is a literal, the arguments are bound.
const SQLX_MACROS: &[&str] = &[
    "query",
    "query_as",
    "query_scalar",
    "query_unchecked",
    "query_as_unchecked",
    "query_scalar_unchecked",
];

/// Macros whose output is a string built like `format!`.
const FORMAT_MACROS: &[&str] = &["format", "format_args"];

/// Calls whose arguments are messages, not SQL.
const MESSAGE_CALLS: &[&str] = &[
    "expect",
    "context",
    "with_context",
    "wrap_err",
    "wrap_err_with",
    "msg",
    "Err",
    "custom",
    "set_message",
    "write_all",
];

/// Identifier/literal quoting functions (pg_escape, postgres-protocol).
const ESCAPERS: &[&str] = &[
    "escape_identifier",
    "escape_literal",
    "quote_identifier",
    "quote_literal",
    "quote_ident",
    "quote_ident_str",
];

/// Methods returning a number / boolean whatever the receiver.
const NUMERIC_METHODS: &[&str] = &[
    "len",
    "count",
    "abs",
    "pow",
    "is_empty",
    "is_some",
    "is_none",
    "is_ok",
    "is_err",
    "contains",
    "starts_with",
    "ends_with",
    "timestamp",
    "timestamp_millis",
    "as_secs",
    "as_millis",
    "num_seconds",
    "num_days",
    "year",
    "month",
    "day",
    "hour",
    "minute",
    "second",
    "signum",
    "round",
    "floor",
    "ceil",
];

const NUMERIC_TYPES: &[&str] = &[
    "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize", "f32",
    "f64", "bool",
];

/// A declared type that can only print as a number/boolean (or a list of them).
fn numeric_type(t: &str) -> bool {
    let mut t = t.trim();
    for _ in 0..8 {
        let before = t;
        t = t.trim_start_matches('&').trim();
        t = t.strip_prefix("mut ").unwrap_or(t).trim();
        t = t.strip_prefix("'static ").unwrap_or(t).trim();
        if let Some(inner) = t.strip_prefix("Vec<").and_then(|x| x.strip_suffix('>')) {
            t = inner.trim();
        }
        if let Some(inner) = t.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
            t = inner.split(';').next().unwrap_or("").trim();
        }
        if t == before {
            break;
        }
    }
    NUMERIC_TYPES.contains(&t)
}

#[derive(Default)]
struct Module {
    /// Constants by name (a map: a file may declare thousands).
    scope: HashMap<String, Str>,
    numeric: HashSet<String>,
    /// Struct field names declared with a numeric type (and never otherwise).
    numeric_fields: HashSet<String>,
}

#[derive(Clone)]
struct Frame {
    name: Option<String>,
    scope: Scope,
    numeric: HashSet<String>,
    arrays: HashMap<String, Vec<Str>>,
    /// sqlx `QueryBuilder`s: name → binds pushed so far.
    builders: HashMap<String, usize>,
    pending: Vec<String>,
    locals: HashSet<String>,
    touched: Vec<String>,
}

impl Frame {
    fn new(name: Option<String>) -> Self {
        Frame {
            name,
            scope: Scope::default(),
            numeric: HashSet::new(),
            arrays: HashMap::new(),
            builders: HashMap::new(),
            pending: Vec::new(),
            locals: HashSet::new(),
            touched: Vec::new(),
        }
    }

    fn child(&self, name: Option<String>) -> Self {
        Frame {
            name: name.or_else(|| self.name.clone()),
            scope: self.scope.clone(),
            numeric: self.numeric.clone(),
            arrays: self.arrays.clone(),
            builders: self.builders.clone(),
            pending: Vec::new(),
            locals: HashSet::new(),
            touched: Vec::new(),
        }
    }

    fn touch(&mut self, name: &str) {
        if !self.touched.iter().any(|t| t == name) {
            self.touched.push(name.to_string());
        }
    }

    fn add_pending(&mut self, name: &str) {
        if !self.pending.iter().any(|p| p == name) {
            self.pending.push(name.to_string());
        }
    }

    fn declare(&mut self, name: &str) {
        self.locals.insert(name.to_string());
        self.scope.remove(name);
        self.numeric.remove(name);
        self.arrays.remove(name);
        self.builders.remove(name);
        self.pending.retain(|p| p != name);
    }
}

/// Source text with whitespace runs collapsed and none around `.`/`::` (a callee written
/// over several lines reads as one).
fn compact_callee(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(joined.len());
    let chars: Vec<char> = joined.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let prev = if i > 0 { chars[i - 1] } else { ' ' };
            let next = chars.get(i + 1).copied().unwrap_or(' ');
            if matches!(prev, '.' | ':' | '<' | '(') || matches!(next, '.' | ':' | '>' | ')' | '?')
            {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// A module-level constant (recorded by name so the pre-pass can list them).
fn module_assign(f: &mut Frame, name: &str, v: Str) {
    f.scope.assign(name, v);
    f.touch(name);
}

struct DepthGuard(Rc<Cell<usize>>);

impl Drop for DepthGuard {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

struct Walker<'s> {
    src: &'s str,
    module: &'s Module,
    out: Vec<Candidate>,
    depth: Rc<Cell<usize>>,
}

/// Groups of a macro's token tree split at top-level commas (delimiters excluded).
fn token_groups(tt: Node) -> Vec<Vec<Node>> {
    let n = tt.child_count();
    let mut groups: Vec<Vec<Node>> = vec![Vec::new()];
    for i in 1..n.saturating_sub(1) {
        let Some(c) = tt.child(i) else {
            continue;
        };
        if c.kind() == "," {
            groups.push(Vec::new());
        } else if !matches!(c.kind(), "line_comment" | "block_comment")
            && let Some(g) = groups.last_mut()
        {
            g.push(c);
        }
    }
    groups.retain(|g| !g.is_empty());
    groups
}

impl<'s> Walker<'s> {
    fn new(src: &'s str, module: &'s Module, depth: Rc<Cell<usize>>) -> Self {
        Walker {
            src,
            module,
            out: Vec::new(),
            depth,
        }
    }

    fn t(&self, n: Node) -> &'s str {
        text(n, self.src)
    }

    fn guard(&self) -> Option<DepthGuard> {
        let d = self.depth.get();
        if d >= MAX_DEPTH {
            return None;
        }
        self.depth.set(d + 1);
        Some(DepthGuard(Rc::clone(&self.depth)))
    }

    fn compact(&self, n: Node) -> String {
        compact_callee(self.t(n))
    }

    // ------------------------------------------------------------- module pre-pass

    fn collect_module(&self, root: Node, m: &mut Module) {
        let mut f = Frame::new(None);
        let mut fields: HashMap<String, bool> = HashMap::new();
        self.collect_items(root, &mut f, &mut fields, 0);
        m.scope = f
            .touched
            .iter()
            .filter_map(|k| f.scope.get(k).map(|v| (k.clone(), v.clone())))
            .collect();
        m.numeric = f.numeric;
        m.numeric_fields = fields
            .into_iter()
            .filter(|(_, n)| *n)
            .map(|(k, _)| k)
            .collect();
    }

    fn collect_items(
        &self,
        n: Node,
        f: &mut Frame,
        fields: &mut HashMap<String, bool>,
        depth: usize,
    ) {
        if depth > 32 {
            return;
        }
        for c in children(n) {
            match c.kind() {
                "const_item" | "static_item" => {
                    let (Some(name), Some(value)) = (
                        c.child_by_field_name("name"),
                        c.child_by_field_name("value"),
                    ) else {
                        continue;
                    };
                    let name = self.t(name);
                    if c.child_by_field_name("type")
                        .is_some_and(|t| numeric_type(self.t(t)))
                    {
                        f.numeric.insert(name.to_string());
                    }
                    if let Some(v) = self.eval(value, f).filter(|v| v.dynamic().is_none()) {
                        module_assign(f, name, v);
                    }
                }
                "field_declaration" => {
                    if let (Some(k), Some(t)) =
                        (c.child_by_field_name("name"), c.child_by_field_name("type"))
                    {
                        let numeric = numeric_type(self.t(t));
                        let e = fields.entry(self.t(k).to_string()).or_insert(numeric);
                        *e = *e && numeric;
                    }
                }
                "mod_item"
                | "impl_item"
                | "trait_item"
                | "declaration_list"
                | "struct_item"
                | "field_declaration_list" => self.collect_items(c, f, fields, depth + 1),
                _ => {
                    if let Some(body) = c.child_by_field_name("body")
                        && matches!(c.kind(), "mod_item" | "impl_item" | "trait_item")
                    {
                        self.collect_items(body, f, fields, depth + 1);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------- evaluation

    fn lookup(&self, name: &str, f: &Frame) -> Option<Str> {
        f.scope
            .get(name)
            .or_else(|| {
                if f.locals.contains(name) {
                    None
                } else {
                    self.module.scope.get(name)
                }
            })
            .cloned()
    }

    fn numeric_name(&self, name: &str, f: &Frame) -> bool {
        f.numeric.contains(name) || (!f.locals.contains(name) && self.module.numeric.contains(name))
    }

    fn unwrap_expr<'t>(&self, n: Node<'t>) -> Node<'t> {
        let mut n = n;
        for _ in 0..MAX_DEPTH {
            let inner = match n.kind() {
                "parenthesized_expression" | "reference_expression" => {
                    n.child_by_field_name("value").or_else(|| {
                        children(n)
                            .into_iter()
                            .find(|c| !c.kind().ends_with("comment"))
                    })
                }
                "unary_expression" if self.t(n).starts_with('*') => n.named_child(0),
                _ => None,
            };
            match inner {
                Some(i) if i.kind() != "mutable_specifier" => n = i,
                Some(_) => n = n.named_child(1).unwrap_or(n),
                None => break,
            }
            if n.kind() == "mutable_specifier" {
                break;
            }
        }
        n
    }

    /// The tail expression of a block (`{ ...; "ASC" }`).
    fn tail<'t>(&self, block: Node<'t>) -> Option<Node<'t>> {
        let last = children(block)
            .into_iter()
            .rfind(|c| !c.kind().ends_with("comment"))?;
        (!matches!(
            last.kind(),
            "expression_statement" | "let_declaration" | "empty_statement"
        ) && !last.kind().ends_with("_item"))
        .then_some(last)
    }

    fn eval(&self, n: Node, f: &Frame) -> Option<Str> {
        let _g = self.guard()?;
        let n = self.unwrap_expr(n);
        let pos = position(n, self.src);
        match n.kind() {
            "string_literal" => Some(self.string(n)),
            "raw_string_literal" => {
                let mut v = Str::empty(pos);
                for c in children(n) {
                    if c.kind() == "string_content" {
                        v.push_text(self.t(c));
                    }
                }
                Some(v)
            }
            "char_literal" => {
                let t = self.t(n);
                let inner = t.trim_start_matches('b');
                let inner = inner
                    .strip_prefix('\'')
                    .and_then(|x| x.strip_suffix('\''))
                    .unwrap_or(inner);
                Some(Str::text(unescape_c(inner), pos))
            }
            "integer_literal" | "float_literal" | "boolean_literal" => {
                Some(Str::text(self.t(n), pos))
            }
            "identifier" | "field_expression" => self.lookup(&self.compact(n), f),
            "scoped_identifier" => self.lookup(&self.compact(n), f).or_else(|| {
                let name = n.child_by_field_name("name")?;
                if f.locals.contains(self.t(name)) {
                    return None;
                }
                self.module.scope.get(self.t(name)).cloned()
            }),
            "binary_expression" => self.binary(n, f),
            "macro_invocation" => self.macro_value(n, f).map(|mut v| {
                (v.line, v.column) = pos;
                v
            }),
            "call_expression" => self.call(n, f),
            "if_expression" => {
                let a = n
                    .child_by_field_name("consequence")
                    .and_then(|b| self.tail(b))
                    .and_then(|e| self.eval(e, f));
                let alt = n.child_by_field_name("alternative")?;
                let alt = children(alt).into_iter().next()?;
                let b = if alt.kind() == "block" {
                    self.tail(alt).and_then(|e| self.eval(e, f))
                } else {
                    self.eval(alt, f)
                };
                match (a, b) {
                    (Some(a), Some(b)) => Some(if b.dynamic().is_some() && a.dynamic().is_none() {
                        b
                    } else {
                        a
                    }),
                    _ => None,
                }
            }
            "match_expression" => {
                let body = n.child_by_field_name("body")?;
                let mut out: Option<Str> = None;
                for arm in children(body) {
                    if arm.kind() != "match_arm" {
                        continue;
                    }
                    let v = arm.child_by_field_name("value")?;
                    let v = if v.kind() == "block" {
                        self.tail(v)?
                    } else {
                        v
                    };
                    let v = self.eval(v, f)?;
                    out = match out {
                        Some(o) if o.dynamic().is_some() || v.dynamic().is_none() => Some(o),
                        _ => Some(v),
                    };
                }
                out.map(|mut v| {
                    (v.line, v.column) = pos;
                    v
                })
            }
            "block" => self.tail(n).and_then(|e| self.eval(e, f)),
            // `&q[..]`: the whole string.
            "index_expression" if n.named_child(1).is_some_and(|i| self.t(i) == "..") => {
                n.named_child(0).and_then(|v| self.eval(v, f))
            }
            _ => None,
        }
    }

    fn string(&self, n: Node) -> Str {
        let mut v = Str::empty(position(n, self.src));
        let mut skip_ws = false;
        for c in children(n) {
            match c.kind() {
                "string_content" => {
                    let t = self.t(c);
                    if skip_ws {
                        v.push_text(t.trim_start());
                    } else {
                        v.push_text(t);
                    }
                    skip_ws = false;
                }
                "escape_sequence" => {
                    let t = self.t(c);
                    if t.starts_with("\\\n") || t.starts_with("\\\r") {
                        skip_ws = true;
                    } else {
                        v.push_text(&unescape_c(t));
                    }
                }
                _ => {}
            }
        }
        v
    }

    fn operand(&self, n: Node, f: &Frame, how: &str) -> Str {
        let pos = position(n, self.src);
        if let Some(v) = self.eval(n, f) {
            return v;
        }
        self.hole_for(n, f, how, pos)
    }

    fn hole_for(&self, n: Node, f: &Frame, how: &str, pos: (usize, usize)) -> Str {
        if self.is_numeric(n, f) {
            return Str::hole(Hole::Safe("numeric value".into()), pos);
        }
        Str::hole(Hole::Dynamic(how.to_string()), pos)
    }

    fn fmt_arg(&self, n: Node, f: &Frame) -> FormatArg {
        self.eval(n, f).or_else(|| {
            self.is_numeric(n, f)
                .then(|| Str::hole(Hole::Safe("numeric value".into()), position(n, self.src)))
        })
    }

    /// The last name of a callee: `a.b.query` → `query`, `sqlx::query` → `query`,
    /// `sqlx::query_as::<_, T>` → `query_as`.
    fn fn_name(&self, func: Node) -> Option<String> {
        match func.kind() {
            "field_expression" => func
                .child_by_field_name("field")
                .map(|x| self.t(x).to_string()),
            "scoped_identifier" => func
                .child_by_field_name("name")
                .map(|x| self.t(x).to_string()),
            "identifier" => Some(self.t(func).to_string()),
            "generic_function" => func
                .child_by_field_name("function")
                .and_then(|x| self.fn_name(x)),
            _ => None,
        }
    }

    fn is_numeric(&self, n: Node, f: &Frame) -> bool {
        let Some(_g) = self.guard() else {
            return false;
        };
        let n = self.unwrap_expr(n);
        match n.kind() {
            "integer_literal" | "float_literal" | "boolean_literal" => true,
            "identifier" => self.numeric_name(self.t(n), f),
            "field_expression" => {
                self.numeric_name(&self.compact(n), f)
                    || n.child_by_field_name("field")
                        .is_some_and(|x| self.module.numeric_fields.contains(self.t(x)))
            }
            "scoped_identifier" => {
                self.numeric_name(&self.compact(n), f)
                    || n.child_by_field_name("name")
                        .is_some_and(|x| self.module.numeric.contains(self.t(x)))
            }
            "type_cast_expression" => n
                .child_by_field_name("type")
                .is_some_and(|t| numeric_type(self.t(t))),
            "unary_expression" => !self.t(n).starts_with('*'),
            "binary_expression" => {
                let op = n
                    .child_by_field_name("operator")
                    .map(|o| self.t(o))
                    .unwrap_or("");
                match op {
                    "+" => {
                        n.child_by_field_name("left")
                            .is_some_and(|l| self.is_numeric(l, f))
                            && n.child_by_field_name("right")
                                .is_some_and(|r| self.is_numeric(r, f))
                    }
                    _ => true,
                }
            }
            "try_expression" => n.named_child(0).is_some_and(|c| self.is_numeric(c, f)),
            "call_expression" => {
                let Some(func) = n.child_by_field_name("function") else {
                    return false;
                };
                let name = self.fn_name(func).unwrap_or_default();
                if NUMERIC_METHODS.contains(&name.as_str()) {
                    return true;
                }
                // `i64::from(x)`, `u32::try_from(x)?`, `x.parse::<i64>()?`.
                if func.kind() == "scoped_identifier"
                    && func
                        .child_by_field_name("path")
                        .is_some_and(|p| numeric_type(self.t(p)))
                {
                    return true;
                }
                if func.kind() == "generic_function"
                    && name == "parse"
                    && func
                        .child_by_field_name("type_arguments")
                        .and_then(|a| a.named_child(0))
                        .is_some_and(|a| numeric_type(self.t(a)))
                {
                    return true;
                }
                if matches!(
                    name.as_str(),
                    "unwrap"
                        | "unwrap_or"
                        | "unwrap_or_default"
                        | "expect"
                        | "to_string"
                        | "clone"
                        | "min"
                        | "max"
                        | "saturating_sub"
                        | "saturating_add"
                        | "checked_add"
                        | "checked_sub"
                        | "wrapping_add"
                ) && func.kind() == "field_expression"
                {
                    return func
                        .child_by_field_name("value")
                        .is_some_and(|v| self.is_numeric(v, f));
                }
                false
            }
            _ => false,
        }
    }

    fn binary(&self, n: Node, f: &Frame) -> Option<Str> {
        let op = n.child_by_field_name("operator").map(|o| self.t(o))?;
        if op != "+" {
            return None;
        }
        let left = n.child_by_field_name("left")?;
        let right = n.child_by_field_name("right")?;
        let l = self.eval(left, f);
        let r = self.eval(right, f);
        if l.is_none() && r.is_none() {
            return None;
        }
        let pos = position(n, self.src);
        let l = l.unwrap_or_else(|| self.hole_for(left, f, "concatenation", pos));
        let r = r.unwrap_or_else(|| self.hole_for(right, f, "concatenation", pos));
        let mut v = l.concat(r);
        (v.line, v.column) = pos;
        Some(v)
    }

    /// Runs `k` on a macro's arguments, re-parsed as the arguments of a call (token trees
    /// are opaque to the grammar). The sub-walker shares the module and depth budget.
    fn with_macro_args<R>(
        &self,
        tt: Node,
        k: impl FnOnce(&Walker<'_>, Vec<Node<'_>>) -> R,
    ) -> Option<R> {
        let t = self.t(tt);
        if t.len() < 2 || t.len() > 100_000 {
            return None;
        }
        let inner = t.get(1..t.len() - 1)?;
        let wrapped = format!("fn __zg() {{ __zg({inner}); }}");
        let tree = parse(&wrapped, language())?;
        let root = tree.root_node();
        let body = root.named_child(0)?.child_by_field_name("body")?;
        let stmt = children(body).into_iter().next()?;
        let call = if stmt.kind() == "expression_statement" {
            stmt.named_child(0)?
        } else {
            stmt
        };
        if call.kind() != "call_expression" {
            return None;
        }
        let args = call.child_by_field_name("arguments")?;
        let list: Vec<Node> = children(args)
            .into_iter()
            .filter(|c| !c.kind().ends_with("comment"))
            .collect();
        let sub = Walker::new(&wrapped, self.module, Rc::clone(&self.depth));
        Some(k(&sub, list))
    }

    fn macro_name(&self, m: Node) -> String {
        m.child_by_field_name("macro")
            .map(|x| {
                let t = self.t(x);
                t.rsplit("::").next().unwrap_or(t).to_string()
            })
            .unwrap_or_default()
    }

    fn token_tree<'t>(&self, m: Node<'t>) -> Option<Node<'t>> {
        children(m).into_iter().find(|c| c.kind() == "token_tree")
    }

    /// `format!`/`concat!` (and the text `write!` appends): the string it builds.
    fn macro_value(&self, m: Node, f: &Frame) -> Option<Str> {
        let name = self.macro_name(m);
        let tt = self.token_tree(m)?;
        if FORMAT_MACROS.contains(&name.as_str()) {
            return self
                .with_macro_args(tt, |sub, args| sub.fold_format(&args, f, "format!"))
                .flatten();
        }
        if name == "concat" {
            return self
                .with_macro_args(tt, |sub, args| {
                    let mut v = Str::empty((0, 0));
                    for a in args {
                        v.push(sub.eval(a, f)?);
                    }
                    Some(v)
                })
                .flatten();
        }
        None
    }

    /// A format string and its arguments (positional and `name = value`), inline `{name}`
    /// captured from the scope.
    fn fold_format(&self, args: &[Node], f: &Frame, how: &str) -> Option<Str> {
        let fmt = self.eval(*args.first()?, f)?;
        let mut positional: Vec<FormatArg> = Vec::new();
        let mut named: Vec<(String, FormatArg)> = Vec::new();
        for a in args.iter().skip(1) {
            if a.kind() == "assignment_expression"
                && let (Some(l), Some(r)) = (
                    a.child_by_field_name("left"),
                    a.child_by_field_name("right"),
                )
            {
                named.push((self.t(l).to_string(), self.fmt_arg(r, f)));
                continue;
            }
            positional.push(self.fmt_arg(*a, f));
        }
        let captured = |name: &str| -> Option<FormatArg> {
            if let Some((_, v)) = named.iter().find(|(k, _)| k == name) {
                return Some(v.clone());
            }
            if let Some(v) = self.lookup(name, f) {
                return Some(Some(v));
            }
            if self.numeric_name(name, f) {
                return Some(Some(Str::hole(Hole::Safe("numeric value".into()), (0, 0))));
            }
            None
        };
        Some(fold_braces(&fmt, &positional, &captured, how))
    }

    fn call(&self, n: Node, f: &Frame) -> Option<Str> {
        let func = n.child_by_field_name("function")?;
        let args = n.child_by_field_name("arguments")?;
        let pos = position(n, self.src);
        let name = self.fn_name(func)?;
        let list: Vec<Node> = children(args)
            .into_iter()
            .filter(|c| !c.kind().ends_with("comment"))
            .collect();
        if ESCAPERS.contains(&name.as_str()) {
            return Some(Str::hole(Hole::Safe(self.compact(func)), pos));
        }
        match func.kind() {
            "field_expression" => {
                let recv = func.child_by_field_name("value")?;
                match name.as_str() {
                    "to_string" | "to_owned" | "into" | "clone" | "as_str" | "as_ref" | "trim"
                    | "trim_start" | "trim_end" | "to_uppercase" | "to_lowercase" | "borrow"
                    | "deref" | "into_owned" | "to_vec" => self.eval(recv, f),
                    "replace" | "replacen" => {
                        let mut v = self.eval(recv, f)?;
                        if let Some(with) = list.get(1)
                            && !self.eval(*with, f).is_some_and(|w| w.is_constant())
                        {
                            v.push(self.hole_for(*with, f, "replace", pos));
                        }
                        Some(v)
                    }
                    "join" | "concat" => self.join(n, recv, list.first().copied(), &name, f),
                    "repeat" => {
                        let v = self.eval(recv, f)?;
                        v.is_constant()
                            .then(|| Str::hole(Hole::Safe("repeated constant".into()), pos))
                    }
                    _ => None,
                }
            }
            "scoped_identifier" | "generic_function" | "identifier" => {
                let path = func
                    .child_by_field_name("path")
                    .map(|p| self.t(p))
                    .unwrap_or("");
                match (path, name.as_str()) {
                    ("String", "new") | ("String", "with_capacity") => Some(Str::text("", pos)),
                    ("String" | "Cow" | "str" | "std::string::String", "from" | "from_str")
                    | (_, "to_string") => {
                        let a = *list.first()?;
                        let mut v = self.eval(a, f)?;
                        (v.line, v.column) = pos;
                        Some(v)
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// `parts.join(" ")`, `[a, b].concat()`, `ids.iter().map(|_| "?").collect::<Vec<_>>().join(",")`.
    fn join(
        &self,
        call: Node,
        recv: Node,
        sep: Option<Node>,
        name: &str,
        f: &Frame,
    ) -> Option<Str> {
        let pos = position(call, self.src);
        let sep = match sep {
            Some(s) => self.eval(s, f)?,
            None if name == "concat" => Str::text("", pos),
            None => return None,
        };
        let recv = self.unwrap_expr(recv);
        let items: Option<Vec<Str>> = match recv.kind() {
            "array_expression" => Some(
                children(recv)
                    .into_iter()
                    .filter(|c| !c.kind().ends_with("comment"))
                    .map(|c| self.operand(c, f, "join"))
                    .collect(),
            ),
            "identifier" => f.arrays.get(self.t(recv)).cloned(),
            "macro_invocation" if self.macro_name(recv) == "vec" => {
                match self.repeated_vec(recv, f) {
                    Some(one) => Some(vec![one]),
                    None => self
                        .token_tree(recv)
                        .and_then(|tt| self.with_macro_args(tt, |sub, args| sub.items(&args, f))),
                }
            }
            _ => None,
        };
        if let Some(items) = items {
            let mut v = Str::empty(pos);
            for (i, item) in items.into_iter().enumerate() {
                if i > 0 {
                    v.push(sep.clone());
                }
                v.push(item);
            }
            return Some(v);
        }
        if recv.kind() == "identifier" && self.numeric_name(self.t(recv), f) {
            return Some(Str::hole(Hole::Safe("numeric join".into()), pos));
        }
        if let Some(safe) = self.mapped_safely(recv, f) {
            return Some(Str::hole(Hole::Safe(safe.into()), pos));
        }
        Some(Str::hole(Hole::Dynamic("join".into()), pos))
    }

    fn items(&self, args: &[Node], f: &Frame) -> Vec<Str> {
        args.iter().map(|a| self.operand(*a, f, "join")).collect()
    }

    /// `xs.iter().map(|_| "?").collect::<Vec<_>>()`, `vec!["?"; n]`,
    /// `(1..=n).map(|i| format!("${i}"))`: a repeated constant / numbered placeholders.
    fn mapped_safely(&self, n: Node, f: &Frame) -> Option<&'static str> {
        let mut cur = self.unwrap_expr(n);
        for _ in 0..16 {
            match cur.kind() {
                "call_expression" => {
                    let func = cur.child_by_field_name("function")?;
                    let name = self.fn_name(func).unwrap_or_default();
                    if name == "map" {
                        let cb = cur
                            .child_by_field_name("arguments")
                            .and_then(|a| a.named_child(0))?;
                        let source = func.child_by_field_name("value");
                        let (numeric, enumerated) = source
                            .map(|s| self.iter_source(s, f))
                            .unwrap_or((false, false));
                        return self.closure_is_safe(cb, f, numeric, enumerated);
                    }
                    cur = func.child_by_field_name("value").or_else(|| {
                        func.child_by_field_name("function")
                            .and_then(|g| g.child_by_field_name("value"))
                    })?;
                }
                "generic_function" => cur = cur.child_by_field_name("function")?,
                "field_expression" => cur = cur.child_by_field_name("value")?,
                "macro_invocation" if self.macro_name(cur) == "vec" => {
                    return self
                        .repeated_vec(cur, f)
                        .filter(|v| v.dynamic().is_none())
                        .map(|_| "repeated constant");
                }
                _ => return None,
            }
        }
        None
    }

    /// `vec![x; n]`: one repeated item (`None` for a plain list).
    fn repeated_vec(&self, m: Node, f: &Frame) -> Option<Str> {
        let tt = self.token_tree(m)?;
        let repeated = (0..tt.child_count())
            .filter_map(|i| tt.child(i))
            .any(|c| c.kind() == ";");
        if !repeated {
            return None;
        }
        let first = children(tt).into_iter().next()?;
        let pos = position(m, self.src);
        Some(match self.eval(first, f) {
            Some(v) if v.is_constant() => Str::hole(Hole::Safe("repeated constant".into()), pos),
            Some(v) => v,
            None => self.hole_for(first, f, "join", pos),
        })
    }

    /// What a `.map` iterates: (items are numbers, `.enumerate()` was applied).
    /// `(1..=n)`, `ids.iter()` with `ids: &[i64]`, `xs.iter().enumerate()`.
    fn iter_source(&self, n: Node, f: &Frame) -> (bool, bool) {
        let mut cur = self.unwrap_expr(n);
        let mut enumerated = false;
        for _ in 0..16 {
            match cur.kind() {
                "range_expression" => return (true, enumerated),
                "identifier" | "field_expression" => return (self.is_numeric(cur, f), enumerated),
                "call_expression" => {
                    let Some(func) = cur.child_by_field_name("function") else {
                        break;
                    };
                    let name = self.fn_name(func).unwrap_or_default();
                    if !matches!(
                        name.as_str(),
                        "iter"
                            | "into_iter"
                            | "enumerate"
                            | "copied"
                            | "cloned"
                            | "rev"
                            | "skip"
                            | "take"
                            | "step_by"
                            | "filter"
                    ) {
                        break;
                    }
                    enumerated |= name == "enumerate";
                    let Some(next) = func.child_by_field_name("value") else {
                        break;
                    };
                    cur = self.unwrap_expr(next);
                }
                _ => break,
            }
        }
        (false, enumerated)
    }

    fn closure_is_safe(
        &self,
        cb: Node,
        f: &Frame,
        numeric_items: bool,
        enumerated: bool,
    ) -> Option<&'static str> {
        if cb.kind() != "closure_expression" {
            return None;
        }
        let mut inner = f.child(None);
        let mut params = Vec::new();
        let ps = cb
            .child_by_field_name("parameters")
            .map(children)
            .unwrap_or_default();
        for p in &ps {
            self.pattern_names(*p, &mut params, 0);
        }
        for p in &params {
            inner.declare(p);
        }
        // The index of `.enumerate()` and the items of a numeric source are numbers.
        match (enumerated, params.as_slice()) {
            (true, [index, item, ..]) => {
                inner.numeric.insert(index.clone());
                if numeric_items {
                    inner.numeric.insert(item.clone());
                }
            }
            (true, [index]) => {
                inner.numeric.insert(index.clone());
            }
            (false, [item, ..]) if numeric_items => {
                inner.numeric.insert(item.clone());
            }
            _ => {}
        }
        let body = cb.child_by_field_name("body")?;
        let body = if body.kind() == "block" {
            self.tail(body)?
        } else {
            body
        };
        if self.is_numeric(body, &inner) {
            return Some("numeric join");
        }
        let v = self.eval(body, &inner)?;
        if v.is_constant() {
            Some("repeated constant")
        } else if v.dynamic().is_none() {
            Some("numbered placeholders")
        } else {
            None
        }
    }

    // ------------------------------------------------------------- statements

    fn pattern_names(&self, n: Node, out: &mut Vec<String>, depth: usize) {
        if depth > 32 {
            return;
        }
        match n.kind() {
            "identifier" => out.push(self.t(n).to_string()),
            "parameter" => {
                if let Some(p) = n.child_by_field_name("pattern") {
                    self.pattern_names(p, out, depth + 1);
                }
            }
            "self_parameter"
            | "type_identifier"
            | "scoped_identifier"
            | "scoped_type_identifier"
            | "primitive_type"
            | "reference_type"
            | "generic_type" => {}
            _ => {
                for c in children(n) {
                    self.pattern_names(c, out, depth + 1);
                }
            }
        }
    }

    fn visit_function(&mut self, n: Node, name: Option<String>, parent: &mut Frame) {
        let Some(_g) = self.guard() else { return };
        let mut f = parent.child(name);
        if let Some(ps) = n.child_by_field_name("parameters") {
            for p in children(ps) {
                let mut names = Vec::new();
                self.pattern_names(p, &mut names, 0);
                let typed = p
                    .child_by_field_name("type")
                    .is_some_and(|t| numeric_type(self.t(t)));
                for name in names {
                    f.declare(&name);
                    if typed {
                        f.numeric.insert(name);
                    }
                }
            }
        }
        if let Some(body) = n.child_by_field_name("body") {
            if body.kind() == "block" {
                self.visit(body, &mut f);
            } else {
                self.visit_expr(body, &mut f, false);
            }
        }
        for name in std::mem::take(&mut f.touched) {
            if f.locals.contains(&name) {
                continue;
            }
            if let Some(v) = f.scope.get(&name).cloned()
                && parent.scope.get(&name).is_some()
            {
                parent.scope.assign(&name, v);
                parent.touch(&name);
            }
            if let Some(a) = f.arrays.get(&name).cloned()
                && parent.arrays.contains_key(&name)
            {
                parent.arrays.insert(name.clone(), a);
                parent.touch(&name);
            }
        }
        self.flush(f);
    }

    fn visit(&mut self, n: Node, f: &mut Frame) {
        let Some(_g) = self.guard() else { return };
        match n.kind() {
            "function_item" => {
                let name = n.child_by_field_name("name").map(|x| self.t(x).to_string());
                let mut top = Frame::new(None);
                // A nested `fn` does not capture locals; module constants stay visible.
                top.name = f.name.clone();
                self.visit_function(n, name, &mut top);
            }
            "const_item" | "static_item" => {
                let (Some(name), Some(value)) = (
                    n.child_by_field_name("name"),
                    n.child_by_field_name("value"),
                ) else {
                    return;
                };
                let name = self.t(name).to_string();
                if let Some(v) = self.eval(value, f) {
                    f.scope.assign(&name, v);
                    f.add_pending(&name);
                } else {
                    self.visit_expr(value, f, false);
                }
            }
            "let_declaration" => self.declarator(n, f),
            "expression_statement" => {
                let Some(e) = n.named_child(0) else { return };
                match e.kind() {
                    "string_literal" | "raw_string_literal" => {}
                    _ => self.visit_expr(e, f, false),
                }
            }
            "attribute_item"
            | "inner_attribute_item"
            | "line_comment"
            | "block_comment"
            | "use_declaration"
            | "struct_item"
            | "enum_item"
            | "union_item"
            | "type_item"
            | "macro_definition"
            | "extern_crate_declaration"
            | "foreign_mod_item"
            | "function_signature_item"
            | "empty_statement" => {}
            "source_file" | "declaration_list" | "block" => {
                for c in children(n) {
                    self.visit(c, f);
                }
            }
            "mod_item" | "impl_item" | "trait_item" => {
                if let Some(body) = n.child_by_field_name("body") {
                    self.visit(body, f);
                }
            }
            _ => self.visit_expr(n, f, false),
        }
    }

    /// `Vec::new()` / `Vec::with_capacity(n)`: an empty list to push parts onto.
    fn is_vec_ctor(&self, value: Node) -> Option<Vec<Str>> {
        if value.kind() != "call_expression" {
            return None;
        }
        let func = value.child_by_field_name("function")?;
        let path = func.child_by_field_name("path").map(|p| self.t(p));
        let name = self.fn_name(func)?;
        (path.is_some_and(|p| p.starts_with("Vec"))
            && matches!(name.as_str(), "new" | "with_capacity"))
        .then(Vec::new)
    }

    fn declarator(&mut self, d: Node, f: &mut Frame) {
        let Some(pattern) = d.child_by_field_name("pattern") else {
            return;
        };
        let value = d.child_by_field_name("value");
        if pattern.kind() != "identifier" {
            let mut names = Vec::new();
            self.pattern_names(pattern, &mut names, 0);
            for n in names {
                f.declare(&n);
            }
            if let Some(v) = value {
                self.visit_expr(v, f, false);
            }
            return;
        }
        let name = self.t(pattern).to_string();
        let typed = d
            .child_by_field_name("type")
            .is_some_and(|t| numeric_type(self.t(t)));
        let Some(value) = value else {
            f.declare(&name);
            if typed {
                f.numeric.insert(name);
            }
            return;
        };
        // `let q = q + ...` / shadowing: the value is read before the new binding, and the
        // SQL is still built from the first assignment.
        let mut v = self.eval(value, f);
        if let Some(v) = v.as_mut()
            && self.starts_with_name(value, &name)
            && let Some(old) = self.lookup(&name, f)
        {
            (v.line, v.column) = (old.line, old.column);
        }
        let numeric = typed || self.is_numeric(value, f);
        f.declare(&name);
        if numeric {
            f.numeric.insert(name.clone());
        }
        if value.kind() == "closure_expression" {
            self.visit_function(value, None, f);
            return;
        }
        let bare = self.unwrap_expr(value);
        let array = match bare.kind() {
            "array_expression" => Some(
                children(bare)
                    .into_iter()
                    .filter(|c| !c.kind().ends_with("comment"))
                    .map(|c| self.operand(c, f, "join"))
                    .collect::<Vec<_>>(),
            ),
            "macro_invocation" if self.macro_name(bare) == "vec" => {
                match self.repeated_vec(bare, f) {
                    Some(one) => Some(vec![one]),
                    None => self
                        .token_tree(bare)
                        .and_then(|tt| self.with_macro_args(tt, |sub, args| sub.items(&args, f))),
                }
            }
            _ => self.is_vec_ctor(bare),
        };
        if let Some(items) = array {
            f.arrays.insert(name, items);
            self.visit_expr(value, f, false);
            return;
        }
        if let Some(b) = self.query_builder(bare, f) {
            f.scope.assign(&name, b);
            f.builders.insert(name.clone(), 0);
            f.add_pending(&name);
            f.touch(&name);
            return;
        }
        match v {
            Some(v) if !numeric => {
                f.scope.assign(&name, v);
                f.add_pending(&name);
                f.touch(&name);
                self.visit_calls_within(value, f);
            }
            _ => self.visit_expr(value, f, false),
        }
    }

    /// `QueryBuilder::new("SELECT ...")` (sqlx): its initial text.
    fn query_builder(&self, n: Node, f: &Frame) -> Option<Str> {
        if n.kind() != "call_expression" {
            return None;
        }
        let func = n.child_by_field_name("function")?;
        let path = func.child_by_field_name("path").map(|p| self.t(p))?;
        if !path.starts_with("QueryBuilder") && !path.ends_with("QueryBuilder") {
            return None;
        }
        let arg = n.child_by_field_name("arguments")?.named_child(0)?;
        let mut v = self.operand(arg, f, "QueryBuilder");
        (v.line, v.column) = position(n, self.src);
        Some(v)
    }

    /// Whether an expression starts with the variable `name` (`name + ...`, `name.to_owned() + ...`).
    fn starts_with_name(&self, n: Node, name: &str) -> bool {
        let mut cur = self.unwrap_expr(n);
        for _ in 0..MAX_DEPTH {
            match cur.kind() {
                "identifier" | "field_expression" => return self.compact(cur) == name,
                "binary_expression" => match cur.child_by_field_name("left") {
                    Some(l) => cur = self.unwrap_expr(l),
                    None => return false,
                },
                "call_expression" => match cur
                    .child_by_field_name("function")
                    .filter(|x| x.kind() == "field_expression")
                    .and_then(|x| x.child_by_field_name("value"))
                {
                    Some(v) => cur = self.unwrap_expr(v),
                    None => return false,
                },
                _ => return false,
            }
        }
        false
    }

    fn assignment(&mut self, a: Node, f: &mut Frame) {
        let (Some(left), Some(right)) = (
            a.child_by_field_name("left"),
            a.child_by_field_name("right"),
        ) else {
            return;
        };
        if matches!(left.kind(), "identifier" | "field_expression") {
            let name = self.compact(left);
            if let Some(mut v) = self.eval(right, f) {
                // `q = q + "..."`: still built from the first assignment.
                if self.starts_with_name(right, &name)
                    && let Some(old) = self.lookup(&name, f)
                {
                    (v.line, v.column) = (old.line, old.column);
                }
                f.scope.assign(&name, v);
                f.add_pending(&name);
                f.touch(&name);
                self.visit_calls_within(right, f);
                return;
            }
        }
        self.visit_expr(right, f, false);
    }

    fn append(&mut self, name: &str, v: Str, f: &mut Frame) {
        if f.scope.get(name).is_none()
            && let Some(old) = self.lookup(name, f)
        {
            f.scope.assign(name, old);
        }
        f.scope.append(name, v);
        f.add_pending(name);
        f.touch(name);
    }

    fn known(&self, name: &str, f: &Frame) -> bool {
        f.scope.get(name).is_some()
    }

    fn compound(&mut self, a: Node, f: &mut Frame) {
        let (Some(left), Some(right)) = (
            a.child_by_field_name("left"),
            a.child_by_field_name("right"),
        ) else {
            return;
        };
        let name = self.compact(left);
        let op = a
            .child_by_field_name("operator")
            .map(|o| self.t(o))
            .unwrap_or("");
        if op == "+=" && self.known(&name, f) {
            let v = self.operand(right, f, "+=");
            self.append(&name, v, f);
            self.visit_calls_within(right, f);
            return;
        }
        self.visit_expr(right, f, false);
    }

    /// `q.push_str(x)`, `q.push(c)`, `parts.push(x)`, `qb.push(x)`, `qb.push_bind(x)`.
    /// Returns false when the call is not a builder step.
    fn builder_step(&mut self, call: Node, f: &mut Frame) -> bool {
        let Some(func) = call
            .child_by_field_name("function")
            .filter(|x| x.kind() == "field_expression")
        else {
            return false;
        };
        let (Some(recv), Some(method)) = (
            func.child_by_field_name("value"),
            func.child_by_field_name("field"),
        ) else {
            return false;
        };
        let recv = self.unwrap_expr(recv);
        if !matches!(recv.kind(), "identifier" | "field_expression") {
            return false;
        }
        let name = self.compact(recv);
        let method = self.t(method);
        let Some(arg) = call.child_by_field_name("arguments").and_then(|a| {
            children(a)
                .into_iter()
                .find(|c| !c.kind().ends_with("comment"))
        }) else {
            return false;
        };
        if f.builders.contains_key(&name) {
            match method {
                "push" => {
                    let v = self.operand(arg, f, "QueryBuilder::push");
                    self.append(&name, v, f);
                }
                "push_bind" | "push_bind_unseparated" => {
                    let n = f.builders.get(&name).copied().unwrap_or(0) + 1;
                    f.builders.insert(name.clone(), n);
                    let pos = position(arg, self.src);
                    self.append(&name, Str::text(format!("${n}"), pos), f);
                }
                _ => return false,
            }
            self.visit_calls_within(arg, f);
            return true;
        }
        if f.arrays.contains_key(&name) && method == "push" {
            let v = self.operand(arg, f, "join");
            if let Some(a) = f.arrays.get_mut(&name) {
                a.push(v);
            }
            f.touch(&name);
            self.visit_calls_within(arg, f);
            return true;
        }
        if self.known(&name, f) || self.lookup(&name, f).is_some() {
            let how = match method {
                "push_str" => "push_str",
                "push" => "push",
                _ => return false,
            };
            let v = self.operand(arg, f, how);
            self.append(&name, v, f);
            self.visit_calls_within(arg, f);
            return true;
        }
        false
    }

    fn visit_calls_within(&mut self, n: Node, f: &mut Frame) {
        let Some(_g) = self.guard() else { return };
        match n.kind() {
            "call_expression" if self.sink_of(n).is_some() => {
                self.visit_expr(n, f, false);
                return;
            }
            "macro_invocation" if SQLX_MACROS.contains(&self.macro_name(n).as_str()) => {
                self.visit_expr(n, f, false);
                return;
            }
            "closure_expression" => {
                self.visit_function(n, None, f);
                return;
            }
            _ => {}
        }
        for c in children(n) {
            self.visit_calls_within(c, f);
        }
    }

    fn sink_of(&self, call: Node) -> Option<(String, String)> {
        let func = call.child_by_field_name("function")?;
        let name = self.fn_name(func)?;
        let ok = match func.kind() {
            "identifier" => matches!(
                name.as_str(),
                "query" | "query_as" | "query_scalar" | "sql_query"
            ),
            _ => SINKS.contains(&name.as_str()),
        };
        ok.then(|| (self.compact(func), name))
    }

    fn visit_expr(&mut self, n: Node, f: &mut Frame, in_message: bool) {
        let Some(_g) = self.guard() else { return };
        match n.kind() {
            "call_expression" => {
                let Some(args) = n.child_by_field_name("arguments") else {
                    return;
                };
                if let Some((sink, name)) = self.sink_of(n) {
                    self.sink_call(n, args, sink, &name, f);
                    return;
                }
                if self.builder_step(n, f) {
                    return;
                }
                let func = n.child_by_field_name("function");
                let name = func.and_then(|x| self.fn_name(x)).unwrap_or_default();
                // `qb.build()` / `qb.build_query_as::<T>()`: the builder's text is run.
                if name.starts_with("build")
                    && let Some(recv) =
                        func.and_then(|x| x.child_by_field_name("value"))
                            .or_else(|| {
                                func.and_then(|x| x.child_by_field_name("function"))
                                    .and_then(|g| g.child_by_field_name("value"))
                            })
                {
                    let key = self.compact(self.unwrap_expr(recv));
                    if f.builders.contains_key(&key)
                        && let Some(v) = f.scope.get(&key).cloned()
                    {
                        f.pending.retain(|p| *p != key);
                        let sink = func.map(|x| self.compact(x)).unwrap_or_default();
                        self.out
                            .push(v.into_candidate(Some(sink), None, f.name.clone()));
                        return;
                    }
                }
                let message = in_message
                    || MESSAGE_CALLS.contains(&name.as_str())
                    || name.ends_with("Error")
                    || func.is_some_and(|x| {
                        x.child_by_field_name("path")
                            .is_some_and(|p| self.t(p).ends_with("Error"))
                    });
                if let Some(func) = func {
                    self.visit_expr(func, f, message);
                }
                for a in children(args) {
                    self.visit_expr(a, f, message && a.kind() != "closure_expression");
                }
            }
            "macro_invocation" => self.visit_macro(n, f, in_message),
            "string_literal" | "raw_string_literal" | "binary_expression" => {
                if in_message {
                    return;
                }
                if let Some(v) = self.eval(n, f) {
                    if reads_as_sql(&v) {
                        self.out.push(v.into_candidate(None, None, f.name.clone()));
                    }
                    self.visit_calls_within(n, f);
                    return;
                }
                for c in children(n) {
                    self.visit_expr(c, f, in_message);
                }
            }
            "closure_expression" => self.visit_function(n, None, f),
            "assignment_expression" => self.assignment(n, f),
            "compound_assignment_expr" => self.compound(n, f),
            "function_item"
            | "let_declaration"
            | "block"
            | "expression_statement"
            | "const_item"
            | "static_item" => self.visit(n, f),
            "identifier" | "line_comment" | "block_comment" | "integer_literal"
            | "field_identifier" | "type_identifier" | "primitive_type" | "type_arguments" => {}
            _ => {
                for c in children(n) {
                    self.visit_expr(c, f, in_message);
                }
            }
        }
    }

    fn visit_macro(&mut self, m: Node, f: &mut Frame, in_message: bool) {
        let name = self.macro_name(m);
        let Some(tt) = self.token_tree(m) else { return };
        let pos = position(m, self.src);
        if SQLX_MACROS.contains(&name.as_str()) {
            let groups = token_groups(tt);
            let Some(idx) = groups.iter().position(|g| {
                g.len() == 1 && matches!(g[0].kind(), "string_literal" | "raw_string_literal")
            }) else {
                return;
            };
            let Some(v) = self.eval(groups[idx][0], f) else {
                return;
            };
            let sink = format!(
                "{}!",
                m.child_by_field_name("macro")
                    .map(|x| self.compact(x))
                    .unwrap_or_default()
            );
            let binds = groups.len() - idx - 1;
            self.out
                .push(v.into_candidate(Some(sink), Some(binds), f.name.clone()));
            return;
        }
        if FORMAT_MACROS.contains(&name.as_str()) || name == "concat" {
            if in_message {
                return;
            }
            if let Some(mut v) = self.macro_value(m, f) {
                (v.line, v.column) = pos;
                if reads_as_sql(&v) {
                    self.out.push(v.into_candidate(None, None, f.name.clone()));
                }
            }
            return;
        }
        if matches!(name.as_str(), "write" | "writeln") {
            // `write!(q, " AND x = {}", v)`: appends to a String being built.
            let step = self.with_macro_args(tt, |sub, args| {
                let target = sub.unwrap_expr(*args.first()?);
                let target = sub.compact(target);
                let mut v = sub.fold_format(&args[1..], f, "write!")?;
                if name == "writeln" {
                    v.push_text("\n");
                }
                Some((target, v))
            });
            if let Some(Some((target, mut v))) = step
                && self.known(&target, f)
            {
                (v.line, v.column) = pos;
                self.append(&target, v, f);
            }
        }
        // Other macros (println!, tracing, assert!, vec!, ...) are messages or opaque.
    }

    fn sink_call(&mut self, call: Node, args: Node, sink: String, name: &str, f: &mut Frame) {
        let all: Vec<Node> = children(args)
            .into_iter()
            .filter(|a| !a.kind().ends_with("comment"))
            .collect();
        if let Some(func) = call.child_by_field_name("function") {
            self.visit_expr(func, f, false);
        }
        // The SQL: the first of the first two arguments that is a visible string
        // (`Statement::from_string(backend, sql)` has it second).
        let mut found = None;
        for (i, a) in all.iter().take(2).enumerate() {
            if let Some(v) = self.eval(*a, f) {
                found = Some((i, *a, v));
                break;
            }
        }
        let Some((idx, sql_arg, v)) = found else {
            for a in all {
                self.visit_expr(a, f, false);
            }
            return;
        };
        let mut bind_args = all.get(idx + 1).and_then(|b| self.count_binds(*b));
        if bind_args.is_none() && all.len() == idx + 1 && BIND_CHAIN_SINKS.contains(&name) {
            bind_args = Some(self.bind_chain(call));
        }
        if sqlish(&v) {
            let bare = self.unwrap_expr(sql_arg);
            if matches!(bare.kind(), "identifier" | "field_expression") {
                let key = self.compact(bare);
                f.pending.retain(|p| *p != key);
            }
            self.out
                .push(v.into_candidate(Some(sink), bind_args, f.name.clone()));
        }
        self.visit_calls_within(sql_arg, f);
        for a in all {
            if a.id() != sql_arg.id() {
                self.visit_expr(a, f, false);
            }
        }
    }

    /// `&[&a, &b]`, `[]`, `(a, b)`, `params![a, b]`: the bind values' count.
    fn count_binds(&self, n: Node) -> Option<usize> {
        let n = self.unwrap_expr(n);
        match n.kind() {
            "array_expression" | "tuple_expression" => Some(
                children(n)
                    .iter()
                    .filter(|c| !c.kind().ends_with("comment"))
                    .count(),
            ),
            "unit_expression" => Some(0),
            "macro_invocation"
                if matches!(
                    self.macro_name(n).as_str(),
                    "params" | "named_params" | "vec"
                ) =>
            {
                self.token_tree(n).map(|tt| token_groups(tt).len())
            }
            _ => None,
        }
    }

    /// `sqlx::query(sql).bind(a).bind(b)`: the number of `.bind` calls on the result.
    fn bind_chain(&self, call: Node) -> usize {
        let mut count = 0;
        let mut cur = call;
        for _ in 0..1000 {
            let Some(field) = cur.parent().filter(|p| p.kind() == "field_expression") else {
                break;
            };
            let Some(next) = field.parent().filter(|p| p.kind() == "call_expression") else {
                break;
            };
            if field
                .child_by_field_name("field")
                .is_none_or(|x| self.t(x) != "bind")
            {
                break;
            }
            count += 1;
            cur = next;
        }
        count
    }

    fn flush(&mut self, f: Frame) {
        let mut seen = HashSet::new();
        for name in &f.pending {
            if !seen.insert(name) {
                continue;
            }
            if let Some(v) = f.scope.get(name)
                && reads_as_sql(v)
            {
                self.out
                    .push(v.clone().into_candidate(None, None, f.name.clone()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::candidate::Construction;

    fn extract(src: &str) -> Vec<Candidate> {
        RustExtractor.extract(src)
    }

    fn one(src: &str) -> Candidate {
        let c = extract(src);
        assert_eq!(c.len(), 1, "{c:#?}");
        c.into_iter().next().unwrap_or_else(|| unreachable!())
    }

    fn how(c: &Candidate) -> String {
        match &c.construction {
            Construction::Dynamic { how } => format!("dynamic {how}"),
            Construction::SafeIdentifier { api } => format!("safe {api}"),
            Construction::Constant => "constant".into(),
        }
    }

    #[test]
    fn literal_with_bind_parameters() {
        let c = one(
            "async fn by_id(client: &Client, id: i64) -> Result<Row> {\n    client.query_one(\"SELECT * FROM users WHERE id = $1\", &[&id]).await\n}\n",
        );
        assert_eq!(c.construction, Construction::Constant);
        assert_eq!(c.sink.as_deref(), Some("client.query_one"));
        assert_eq!(c.bind_args, Some(1));
        assert_eq!((c.line, c.column), (2, 22));
        assert_eq!(c.function.as_deref(), Some("by_id"));
    }

    #[test]
    fn format_with_a_string_is_dynamic_through_a_variable() {
        let c = one(
            "async fn find(client: &Client, name: &str) {\n    let q = format!(\"SELECT * FROM users WHERE name = '{}'\", name);\n    tracing::info!(\"running\");\n    client.query(&q, &[]).await.unwrap();\n}\n",
        );
        assert_eq!(how(&c), "dynamic format!");
        assert_eq!((c.line, c.column), (2, 13));
        assert_eq!(c.sink.as_deref(), Some("client.query"));
        assert_eq!(c.bind_args, Some(0));
        assert_eq!(c.sql, "SELECT * FROM users WHERE name = '__zg_dyn_0__'");
    }

    #[test]
    fn builders_are_dynamic_at_the_first_assignment() {
        let src = "fn list(conn: &Connection, name: &str, email: String) {\n    let mut q = String::from(\"SELECT * FROM users WHERE 1 = 1\");\n    q.push_str(&format!(\" AND name = '{name}'\"));\n    conn.execute(&q, []).unwrap();\n    let r = \"SELECT * FROM users WHERE email = '\".to_string() + &email + \"'\";\n    sqlx::query(&r).fetch_all(&pool);\n    let mut s = String::new();\n    write!(s, \"DELETE FROM users WHERE name = '{}'\", name).unwrap();\n    conn.execute(&s, []).unwrap();\n}\n";
        let c = extract(src);
        assert_eq!(c.len(), 3, "{c:#?}");
        assert_eq!((c[0].line, how(&c[0]).as_str()), (2, "dynamic format!"));
        assert_eq!(
            (c[1].line, how(&c[1]).as_str()),
            (5, "dynamic concatenation")
        );
        assert_eq!(c[1].bind_args, Some(0));
        assert_eq!((c[2].line, how(&c[2]).as_str()), (7, "dynamic write!"));
    }

    #[test]
    fn constants_and_safe_forms() {
        let src = "const COLS: &str = \"id, name\";\nconst BY_ID: &str = \"SELECT id FROM users WHERE id = $1\";\nimpl Repo {\n    const TABLE: &'static str = \"users\";\n    async fn get(&self, id: i64, limit: u32, asc: bool) {\n        sqlx::query(BY_ID).bind(id).fetch_one(&self.pool).await;\n        sqlx::query!(\"SELECT id FROM users WHERE id = $1 AND name = $2\", id, \"x\").fetch_one(&self.pool).await;\n        let q = format!(\"SELECT {} FROM {} WHERE id = $1\", COLS, Self::TABLE);\n        sqlx::query(&q).bind(id);\n        let p = format!(\"SELECT id FROM users LIMIT {limit} OFFSET {}\", id * 2);\n        self.client.query(&p, &[]).await;\n        let order = if asc { \"ASC\" } else { \"DESC\" };\n        self.client.query(&format!(\"SELECT id FROM users ORDER BY id {order}\"), &[]).await;\n        let raw = r#\"SELECT \"id\" FROM users\"#;\n        self.client.query(raw, &[]).await;\n        self.client.query(concat!(\"SELECT id \", \"FROM users\"), &[]).await;\n    }\n}\n";
        let c = extract(src);
        let got: Vec<(usize, String, Option<usize>)> =
            c.iter().map(|c| (c.line, how(c), c.bind_args)).collect();
        assert_eq!(
            got,
            vec![
                (2, "constant".to_string(), Some(1)),
                (7, "constant".to_string(), Some(2)),
                (8, "constant".to_string(), Some(1)),
                (10, "safe numeric value".to_string(), Some(0)),
                (13, "constant".to_string(), Some(0)),
                (14, "constant".to_string(), Some(0)),
                (16, "constant".to_string(), Some(0)),
            ],
            "{c:#?}"
        );
        assert_eq!(c[2].sql, "SELECT id, name FROM users WHERE id = $1");
        assert_eq!(c[4].sql, "SELECT id FROM users ORDER BY id ASC");
        assert_eq!(c[5].sql, "SELECT \"id\" FROM users");
    }

    #[test]
    fn query_builder_and_joins() {
        let src = "fn f(names: &[String], ids: &[i64], t: &str) {\n    let mut qb = QueryBuilder::new(\"SELECT * FROM users WHERE name = \");\n    qb.push_bind(&names[0]);\n    qb.build().fetch_all(&pool);\n    let mut bad = QueryBuilder::<Postgres>::new(\"SELECT * FROM users WHERE name = \");\n    bad.push(format!(\"'{}'\", t));\n    bad.build();\n    let marks = ids.iter().map(|_| \"?\").collect::<Vec<_>>().join(\",\");\n    conn.execute(&format!(\"DELETE FROM users WHERE id IN ({marks})\"), params![]).unwrap();\n    let list = names.join(\"','\");\n    conn.execute(&format!(\"DELETE FROM users WHERE name IN ('{list}')\"), []).unwrap();\n    conn.execute(&format!(\"SELECT * FROM {}\", quote_identifier(t)), []).unwrap();\n}\n";
        let c = extract(src);
        let got: Vec<(usize, String)> = c.iter().map(|c| (c.line, how(c))).collect();
        assert_eq!(
            got,
            vec![
                (2, "constant".to_string()),
                (5, "dynamic format!".to_string()),
                (9, "safe repeated constant".to_string()),
                (11, "dynamic format!".to_string()),
                (12, "safe quote_identifier".to_string()),
            ],
            "{c:#?}"
        );
        assert_eq!(c[0].sql, "SELECT * FROM users WHERE name = $1");
    }

    #[test]
    fn mapped_lists_are_safe_only_when_numeric_or_constant() {
        let src = "fn f(conn: &Connection, ids: &[i64], names: &[String]) {\n    let a = vec![\"?\"; ids.len()].join(\",\");\n    conn.execute(&format!(\"DELETE FROM users WHERE id IN ({a})\"), []).unwrap();\n    let b = ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(\",\");\n    conn.execute(&format!(\"DELETE FROM users WHERE id IN ({b})\"), []).unwrap();\n    let c = names.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(\",\");\n    conn.execute(&format!(\"DELETE FROM users WHERE name IN ({c})\"), []).unwrap();\n    let d = names.iter().enumerate().map(|(i, _)| format!(\"${}\", i + 1)).collect::<Vec<_>>().join(\",\");\n    conn.execute(&format!(\"DELETE FROM users WHERE name IN ({d})\"), []).unwrap();\n}\n";
        let got: Vec<(usize, String)> = extract(src).iter().map(|c| (c.line, how(c))).collect();
        assert_eq!(
            got,
            vec![
                (3, "safe repeated constant".to_string()),
                (5, "safe numeric join".to_string()),
                (7, "dynamic format!".to_string()),
                (9, "safe numbered placeholders".to_string()),
            ]
        );
    }

    #[test]
    fn messages_prose_and_parameters_are_not_candidates() {
        let src = "fn f(client: &Client, sql: &str, x: &str) -> anyhow::Result<()> {\n    println!(\"SELECT from {} failed\", x);\n    let msg = format!(\"Select a user, {}\", x);\n    client.execute(sql, &[])?;\n    sqlx::query(sql).execute(&pool);\n    let r = client.query(\"x\", &[]).context(format!(\"update of {} failed\", x))?;\n    Err(anyhow::anyhow!(\"select from where {}\", x))\n}\n";
        assert!(extract(src).is_empty(), "{:#?}", extract(src));
    }

    #[test]
    fn broken_source_does_not_panic() {
        for src in [
            "fn (",
            "fn f() { format!(\"SELECT {\" ",
            "\"\\",
            "fn f() { let q = format!(); conn.execute(&q); }",
            "macro_rules! m { () => {} }",
            "fn f() { write!(); sqlx::query!(); }",
        ] {
            let _ = extract(src);
        }
        let deep = format!(
            "fn f() {{ conn.execute(&(\"SELECT \".to_string() {}), &[]); }}",
            "+ &x ".repeat(5000)
        );
        let nested = format!(
            "fn f() {{ let q = {}\"SELECT\"{}; }}",
            "format!(\"{}\", ".repeat(300),
            ")".repeat(300)
        );
        for src in [deep, nested] {
            let handle = std::thread::Builder::new()
                .stack_size(2 * 1024 * 1024)
                .spawn(move || extract(&src).len())
                .unwrap_or_else(|_| unreachable!());
            assert!(handle.join().is_ok());
        }
    }
}
