//! JavaScript / TypeScript front end: string literals, template literals, `+`/`+=`/
//! `Array.join` building, safe tagged templates (`sql`...``, Prisma `$queryRaw`), escaping
//! APIs (mysql `escape`/`escapeId`, pg `escapeIdentifier`, pg-format) and numeric values
//! (`parseInt`, TypeScript `number`), followed through local variables to driver calls
//! (`pg`, `mysql`/`mysql2`, `knex.raw`, `sequelize.query`, Prisma, pg-promise, sqlite).
//!
//! One walker serves three grammars: `JavaScriptExtractor` (js, mjs, cjs, jsx),
//! `TypeScriptExtractor` (ts, mts, cts) and `TsxExtractor` (tsx).

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use tree_sitter::Node;

use super::common::{
    FormatArg, Hole, Scope, Str, children, fold_printf, method_name, parse, position, text,
    unescape_c,
};
use crate::scan::candidate::{Candidate, Construction, Extractor, Plan, Sinks, looks_like_sql};

pub struct JavaScriptExtractor;
pub struct TypeScriptExtractor;
pub struct TsxExtractor;

impl Extractor for JavaScriptExtractor {
    fn extensions(&self) -> &'static [&'static str] {
        &["js", "mjs", "cjs", "jsx"]
    }

    fn sinks(&self) -> Option<Sinks> {
        Some(PREFILTER)
    }

    fn plan(&self, source: &str, hits: &[usize]) -> Plan {
        super::js_plan::plan(source, hits)
    }

    fn extract(&self, source: &str) -> Vec<Candidate> {
        extract_with(source, tree_sitter_javascript::LANGUAGE.into(), false)
    }
}

impl Extractor for TypeScriptExtractor {
    fn extensions(&self) -> &'static [&'static str] {
        &["ts", "mts", "cts"]
    }

    fn sinks(&self) -> Option<Sinks> {
        Some(PREFILTER)
    }

    fn plan(&self, source: &str, hits: &[usize]) -> Plan {
        super::js_plan::plan(source, hits)
    }

    fn extract(&self, source: &str) -> Vec<Candidate> {
        extract_with(
            source,
            tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            true,
        )
    }
}

impl Extractor for TsxExtractor {
    fn extensions(&self) -> &'static [&'static str] {
        &["tsx"]
    }

    fn sinks(&self) -> Option<Sinks> {
        Some(PREFILTER)
    }

    fn plan(&self, source: &str, hits: &[usize]) -> Plan {
        super::js_plan::plan(source, hits)
    }

    fn extract(&self, source: &str) -> Vec<Candidate> {
        extract_with(source, tree_sitter_typescript::LANGUAGE_TSX.into(), true)
    }
}

/// Files larger than this are not read (generated bundles, dumps).
const MAX_SOURCE: usize = 4_000_000;
/// Nesting depth beyond which an expression or statement is not followed (no stack
/// overflow on pathological input).
const MAX_DEPTH: usize = 256;

/// `typed`: TypeScript (only its fields carry types).
fn extract_with(source: &str, language: tree_sitter::Language, typed: bool) -> Vec<Candidate> {
    if source.len() > MAX_SOURCE || is_minified(source) {
        return Vec::new();
    }
    let Some(tree) = parse(source, language) else {
        return Vec::new();
    };
    let root = tree.root_node();
    let empty = Module::default();
    let mut module = Module::default();
    {
        let pre = Walker::new(source, &empty);
        pre.collect_module(root, &mut module, typed);
    }
    let mut w = Walker::new(source, &module);
    let mut f = Frame::root();
    w.visit(root, &mut f);
    w.flush(f);
    finish(w.out)
}

/// A bundled/minified file: long lines of code, not hand-written queries. Linguist calls a
/// JavaScript file minified when its lines average over 110 bytes; this asks for 500, and
/// 16 KiB so that a short one-line module is not taken for one.
pub(crate) fn is_minified(source: &str) -> bool {
    if source.len() < 16 * 1024 {
        return false;
    }
    let lines = memchr::memchr_iter(b'\n', source.as_bytes()).count().max(1);
    source.len() / lines > 500
}

/// Sorted by position; one candidate per position, the most severe view kept (a variable
/// run by a sink is also flushed as a pending variable; a builder run twice is seen twice).
pub(crate) fn finish(mut out: Vec<Candidate>) -> Vec<Candidate> {
    let rank = |c: &Candidate| match c.construction {
        Construction::Dynamic { .. } => 0,
        Construction::SafeIdentifier { .. } => 1,
        Construction::Constant => 2,
    };
    out.sort_by_key(|c| (c.line, c.column, rank(c), c.sink.is_none()));
    out.dedup_by_key(|c| (c.line, c.column));
    out
}

/// Methods that run the SQL in their first argument (receiver ignored).
const SINKS: &[&str] = &[
    "query",
    "execute",
    "raw",
    "$queryRawUnsafe",
    "$executeRawUnsafe",
    "unsafe",
    "none",
    "one",
    "many",
    "any",
    "oneOrNone",
    "manyOrNone",
    "multi",
    "result",
    "prepare",
];

/// Every sink as the prefilter looks for it: the names of `SINKS`, `FRAGMENT_SINKS` and
/// `BARE_SINKS`, and the tags of tagged-template sinks; `DB_RECEIVER_SINKS` only on a
/// receiver named with a database-handle word (the same words `sink_of` tests).
const PREFILTER: Sinks = Sinks {
    names: &[
        SINKS,
        FRAGMENT_SINKS,
        BARE_SINKS,
        &["$queryRaw", "$executeRaw"],
    ],
    receiver_names: DB_RECEIVER_SINKS,
    receiver_words: &["db", "database", "sqlite"],
    call_marks: b"<?`",
};

/// Sinks whose extra arguments are the bind values (`$queryRawUnsafe(sql, a, b)`).
const VARIADIC_SINKS: &[&str] = &["$queryRawUnsafe", "$executeRawUnsafe", "run", "all", "get"];

/// Sinks that run SQL only on a receiver that reads as a database handle (better-sqlite3,
/// sqlite3): `db.run(sql)`, never `app.get(path)` or `stmt.run(value)`.
const DB_RECEIVER_SINKS: &[&str] = &["run", "all", "get", "exec", "each"];

/// Functions called by bare name that run SQL (`import { query } from "./db"`).
const BARE_SINKS: &[&str] = &["query", "execute", "sql_query"];

/// Builder methods taking an SQL fragment (knex `whereRaw`, TypeORM `where`): only dynamic
/// text that reads as a condition is reported, since a fragment does not parse as a statement.
const FRAGMENT_SINKS: &[&str] = &[
    "where",
    "andWhere",
    "orWhere",
    "having",
    "andHaving",
    "orHaving",
    "whereRaw",
    "orWhereRaw",
    "andWhereRaw",
    "havingRaw",
    "orHavingRaw",
    "orderByRaw",
    "groupByRaw",
    "joinRaw",
    "fromRaw",
    "selectRaw",
    "literal",
];

/// Calls whose arguments are messages, not SQL.
const MESSAGE_CALLS: &[&str] = &[
    "log",
    "info",
    "warn",
    "warning",
    "error",
    "debug",
    "trace",
    "fatal",
    "verbose",
    "silly",
    "notice",
    "alert",
    "confirm",
    "prompt",
    "write",
    "send",
    "t",
    "__",
    "describe",
    "it",
    "test",
    "expect",
    "toBe",
    "toEqual",
    "toStrictEqual",
    "toContain",
    "toMatch",
    "toHaveBeenCalledWith",
    "toMatchInlineSnapshot",
    "assert",
    "equal",
    "strictEqual",
    "deepEqual",
    "deepStrictEqual",
    "notEqual",
];

/// Calls that return a number or a boolean.
const NUMERIC_CALLS: &[&str] = &[
    "parseInt",
    "parseFloat",
    "Number",
    "BigInt",
    "Boolean",
    "isNaN",
    "isFinite",
    "getTime",
    "valueOf",
    "indexOf",
    "lastIndexOf",
    "findIndex",
    "toFixed",
    "toPrecision",
    "charCodeAt",
    "includes",
    "startsWith",
    "endsWith",
    "isInteger",
    "isSafeInteger",
    "now",
    "floor",
    "ceil",
    "round",
    "trunc",
    "abs",
    "min",
    "max",
    "random",
    "getFullYear",
    "getMonth",
    "getDate",
    "getDay",
    "getHours",
    "getMinutes",
    "getSeconds",
];

/// Receivers of `escape`/`format` that are SQL libraries (not lodash's HTML escape).
const SQL_RECEIVERS: &[&str] = &[
    "mysql",
    "sqlstring",
    "connection",
    "conn",
    "pool",
    "db",
    "client",
    "sql",
    "knex",
    "database",
];

/// Escaping / identifier quoting calls by method name (any receiver).
const ESCAPERS: &[&str] = &[
    "escapeId",
    "escapeIdentifier",
    "escapeLiteral",
    "escapeString",
    "quoteIdentifier",
    "quoteLiteral",
    "quote_ident",
    "quote_literal",
    "quoteIdent",
];

/// Words one of which an SQL text reaching a sink must contain (so that a key-value store's
/// `execute("GET", k)` or a GraphQL `client.query("{ user }")` is not taken for SQL).
const SQL_WORDS: &[&str] = &[
    "select",
    "insert",
    "update",
    "delete",
    "from",
    "where",
    "into",
    "values",
    "join",
    "returning",
    "create",
    "drop",
    "alter",
    "truncate",
    "merge",
    "upsert",
    "explain",
    "grant",
    "revoke",
    "copy",
    "pragma",
    "vacuum",
    "analyze",
    "begin",
    "commit",
    "rollback",
    "savepoint",
    "refresh",
    "listen",
    "notify",
    "declare",
    "call",
    "show",
    "set",
    "with",
    "lock",
    "table",
];

/// Single-word statements.
const SQL_ONE_WORD: &[&str] = &[
    "begin",
    "commit",
    "rollback",
    "vacuum",
    "analyze",
    "checkpoint",
    "discard",
    "abort",
    "end",
];

/// A value reaching no sink is kept only if it reads as SQL, with and without its holes:
/// `looks_like_sql` accepts `SELECT` followed by any hole, so "Select a user, {name}"
/// would pass on its own.
pub(crate) fn reads_as_sql(v: &Str) -> bool {
    let constant = v.constant_text();
    !constant.trim().is_empty()
        && looks_like_sql(&v.sql())
        && looks_like_sql(&constant)
        && !is_prose(&constant)
}

/// Words of English prose that SQL does not use ("Select a user from the list.").
const PROSE_WORDS: &[&str] = &[
    "the", "your", "you", "please", "we", "our", "will", "would", "should", "could", "cannot",
    "don't", "can't", "won't", "isn't",
];

/// A sentence rather than a statement: prose words, or a full stop / exclamation at the end.
pub(crate) fn is_prose(text: &str) -> bool {
    let t = text.trim();
    if t.ends_with('.') || t.ends_with('!') || t.ends_with("...") {
        return true;
    }
    let lower = t.to_lowercase();
    lower
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '_'))
        .any(|w| PROSE_WORDS.contains(&w))
}

/// Statement keywords that, followed by run-time parts, make a statement
/// (`format!("SELECT {expr}::{type}")`).
const SQL_STARTS: &[&str] = &[
    "select", "insert", "update", "delete", "with", "create", "drop", "alter", "truncate", "call",
    "explain", "copy", "merge", "grant", "revoke", "lock", "listen", "notify", "refresh",
];

/// A fragment that reads as an SQL condition (`name = '${x}'`, `id IN (${ids})`).
fn condition(v: &Str) -> bool {
    let lower = v.constant_text().to_lowercase();
    lower.contains(['=', '<', '>'])
        || lower.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
            matches!(
                w,
                "like" | "ilike" | "in" | "is" | "between" | "exists" | "any"
            )
        })
}

/// Whether a value reaching a sink reads as SQL at all (its constant text).
pub(crate) fn sqlish(v: &Str) -> bool {
    let lower = v.constant_text().to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    match words.as_slice() {
        [] => false,
        [one] => SQL_ONE_WORD.contains(one) || (!v.is_constant() && SQL_STARTS.contains(one)),
        many => many.iter().any(|w| SQL_WORDS.contains(w)),
    }
}

/// What the file's top level declares: constants, numeric names, constant maps.
#[derive(Default)]
struct Module {
    /// Constants by name (a map: a file may declare thousands).
    scope: HashMap<String, Str>,
    numeric: HashSet<String>,
    /// Object literals of constant strings (`const COLS = { name: "name" }`): allow-lists.
    maps: HashMap<String, Vec<Str>>,
    /// Property names declared numeric in an interface/class of this file (and never
    /// otherwise).
    numeric_fields: HashSet<String>,
}

#[derive(Clone)]
struct Frame {
    name: Option<String>,
    scope: Scope,
    numeric: HashSet<String>,
    /// Arrays of strings being built (`parts.push(...)`, later `parts.join(" ")`).
    arrays: HashMap<String, Vec<Str>>,
    /// Local object literals of constant strings (allow-lists: `ALLOWED[sort]`).
    maps: HashMap<String, Vec<Str>>,
    /// Variables holding SQL that no sink has consumed yet (reported when the frame ends).
    pending: Vec<String>,
    /// Names declared in this frame (parameters included): they shadow the outer ones.
    locals: HashSet<String>,
    /// Names assigned in this frame (propagated to the enclosing frame if not local).
    touched: Vec<String>,
    /// The file's top level: its constants are in `Module`, so functions defined there
    /// start empty instead of copying every top-level binding.
    root: bool,
}

impl Frame {
    fn new(name: Option<String>) -> Self {
        Frame {
            name,
            scope: Scope::default(),
            numeric: HashSet::new(),
            arrays: HashMap::new(),
            maps: HashMap::new(),
            pending: Vec::new(),
            locals: HashSet::new(),
            touched: Vec::new(),
            root: false,
        }
    }

    fn root() -> Self {
        Frame {
            root: true,
            ..Frame::new(None)
        }
    }

    /// A nested function: sees the enclosing variables (closures).
    fn child(&self, name: Option<String>) -> Self {
        if self.root {
            return Frame::new(name);
        }
        Frame {
            name: name.or_else(|| self.name.clone()),
            scope: self.scope.clone(),
            numeric: self.numeric.clone(),
            arrays: self.arrays.clone(),
            maps: self.maps.clone(),
            pending: Vec::new(),
            locals: HashSet::new(),
            touched: Vec::new(),
            root: false,
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

    /// A new local binding: forget what an outer variable of that name held.
    fn declare(&mut self, name: &str) {
        self.locals.insert(name.to_string());
        self.scope.remove(name);
        self.numeric.remove(name);
        self.arrays.remove(name);
        self.maps.remove(name);
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

fn is_function(kind: &str) -> bool {
    matches!(
        kind,
        "arrow_function"
            | "function_expression"
            | "function"
            | "generator_function"
            | "function_declaration"
            | "generator_function_declaration"
            | "method_definition"
    )
}

/// A TypeScript annotation naming only numbers/booleans (or arrays of them).
fn numeric_type(annotation: &str) -> bool {
    let mut t = annotation.trim().trim_start_matches(':').trim();
    t = t.trim_start_matches("readonly ").trim();
    for wrapper in ["Array<", "ReadonlyArray<"] {
        if let Some(inner) = t.strip_prefix(wrapper).and_then(|x| x.strip_suffix('>')) {
            t = inner.trim();
        }
    }
    let t = t.trim_end_matches("[]").trim();
    !t.is_empty()
        && t.split('|').all(|p| {
            matches!(
                p.trim(),
                "number" | "bigint" | "boolean" | "null" | "undefined"
            )
        })
        && t.split('|')
            .any(|p| matches!(p.trim(), "number" | "bigint" | "boolean"))
}

impl<'s> Walker<'s> {
    fn new(src: &'s str, module: &'s Module) -> Self {
        Walker {
            src,
            module,
            out: Vec::new(),
            depth: Rc::new(Cell::new(0)),
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

    /// The called expression (`await db.query<T>(...)` parses as a call of `await db.query`).
    fn callee<'t>(&self, call: Node<'t>) -> Option<Node<'t>> {
        let func = call.child_by_field_name("function")?;
        Some(match func.kind() {
            "await_expression" | "non_null_expression" => func.named_child(0).unwrap_or(func),
            _ => func,
        })
    }

    /// The callee as written, whitespace collapsed.
    fn callee_text(&self, n: Node) -> String {
        compact_callee(self.t(n))
    }

    /// The called name: a member's property, or the identifier.
    fn callee_name(&self, call: Node) -> String {
        let Some(func) = self.callee(call) else {
            return String::new();
        };
        match func.kind() {
            "member_expression" => func
                .child_by_field_name("property")
                .map(|p| self.t(p).to_string())
                .unwrap_or_default(),
            "identifier" => self.t(func).to_string(),
            _ => method_name(self.t(func)).to_string(),
        }
    }

    fn receiver_name(&self, call: Node) -> String {
        self.callee(call)
            .filter(|f| f.kind() == "member_expression")
            .and_then(|f| f.child_by_field_name("object"))
            .map(|o| method_name(self.t(o)).to_lowercase())
            .unwrap_or_default()
    }

    // ------------------------------------------------------------- module pre-pass

    /// Top-level constants (also exported ones), constant maps, class static fields, string
    /// enums and numeric-typed properties, so that functions see them wherever they are.
    fn collect_module(&self, root: Node, m: &mut Module, typed: bool) {
        let mut f = Frame::new(None);
        let mut field_types: HashMap<String, bool> = HashMap::new();
        if typed {
            // A walk of the whole tree for typed fields, which JavaScript does not have.
            self.collect_fields(root, &mut field_types, 0);
        }
        m.numeric_fields = field_types
            .into_iter()
            .filter(|(_, numeric)| *numeric)
            .map(|(k, _)| k)
            .collect();
        for stmt in children(root) {
            let stmt = if stmt.kind() == "export_statement" {
                match stmt.child_by_field_name("declaration") {
                    Some(d) => d,
                    None => continue,
                }
            } else {
                stmt
            };
            match stmt.kind() {
                "lexical_declaration" | "variable_declaration" => {
                    for d in children(stmt) {
                        if d.kind() == "variable_declarator" {
                            self.collect_declarator(d, &mut f, m);
                        }
                    }
                }
                "class_declaration" | "abstract_class_declaration" => {
                    self.collect_class(stmt, &mut f);
                }
                "enum_declaration" => {
                    let Some(name) = stmt.child_by_field_name("name") else {
                        continue;
                    };
                    let name = self.t(name).to_string();
                    let Some(body) = stmt.child_by_field_name("body") else {
                        continue;
                    };
                    for e in children(body) {
                        if e.kind() != "enum_assignment" {
                            continue;
                        }
                        let (Some(k), Some(v)) = (
                            e.child_by_field_name("name"),
                            e.child_by_field_name("value"),
                        ) else {
                            continue;
                        };
                        if let Some(v) = self.eval(v, &f).filter(|v| v.is_constant()) {
                            module_assign(&mut f, &format!("{name}.{}", self.t(k)), v);
                        }
                    }
                }
                _ => {}
            }
        }
        let mut this_fields = HashMap::new();
        self.collect_this_fields(root, &f, &mut this_fields, 0);
        for (k, v) in this_fields {
            if let Some(v) = v
                && f.scope.get(&k).is_none()
            {
                module_assign(&mut f, &k, v);
            }
        }
        m.scope = f
            .touched
            .iter()
            .filter_map(|k| f.scope.get(k).map(|v| (k.clone(), v.clone())))
            .collect();
        m.numeric.extend(f.numeric);
    }

    fn collect_fields(&self, n: Node, types: &mut HashMap<String, bool>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        for c in children(n) {
            match c.kind() {
                "property_signature" | "public_field_definition" => {
                    if let (Some(k), Some(t)) =
                        (c.child_by_field_name("name"), c.child_by_field_name("type"))
                    {
                        let numeric = numeric_type(self.t(t));
                        let e = types.entry(self.t(k).to_string()).or_insert(numeric);
                        *e = *e && numeric;
                    }
                }
                _ => self.collect_fields(c, types, depth + 1),
            }
        }
    }

    fn collect_declarator(&self, d: Node, f: &mut Frame, m: &mut Module) {
        let (Some(name), Some(value)) = (
            d.child_by_field_name("name"),
            d.child_by_field_name("value"),
        ) else {
            return;
        };
        if name.kind() != "identifier" {
            return;
        }
        let name = self.t(name).to_string();
        let typed_numeric = d
            .child_by_field_name("type")
            .is_some_and(|t| numeric_type(self.t(t)));
        if typed_numeric || self.is_numeric(value, f) {
            f.numeric.insert(name.clone());
        }
        if value.kind() == "object" {
            if let Some(values) = self.object_constants(&name, value, f) {
                m.maps.insert(name, values);
            }
            return;
        }
        if let Some(values) = self.map_constants(value, f) {
            m.maps.insert(name, values);
            return;
        }
        if let Some(v) = self.eval(value, f).filter(|v| v.dynamic().is_none()) {
            module_assign(f, &name, v);
        }
    }

    /// An object literal's constant string properties, registered as `name.key`; all its
    /// values when every property is one (an allow-list).
    /// `new Map([["k", "v"], ...])` whose values are all constant strings: an allow-list.
    fn map_constants(&self, value: Node, f: &Frame) -> Option<Vec<Str>> {
        if value.kind() != "new_expression" {
            return None;
        }
        let ctor = value.child_by_field_name("constructor")?;
        if self.t(ctor) != "Map" {
            return None;
        }
        let args = value.child_by_field_name("arguments")?;
        let array = children(args).into_iter().find(|a| a.kind() != "comment")?;
        if array.kind() != "array" {
            return None;
        }
        let mut values = Vec::new();
        for pair in children(array)
            .into_iter()
            .filter(|c| c.kind() != "comment")
        {
            if pair.kind() != "array" {
                return None;
            }
            let items: Vec<Node> = children(pair)
                .into_iter()
                .filter(|c| c.kind() != "comment")
                .collect();
            let [_, v] = items.as_slice() else {
                return None;
            };
            values.push(self.eval(*v, f).filter(|v| v.is_constant())?);
        }
        (!values.is_empty()).then_some(values)
    }

    fn object_constants(&self, name: &str, value: Node, f: &mut Frame) -> Option<Vec<Str>> {
        let mut values = Vec::new();
        let mut all = true;
        for p in children(value) {
            if p.kind() != "pair" {
                all = all && p.kind() == "comment";
                continue;
            }
            let (Some(k), Some(v)) = (p.child_by_field_name("key"), p.child_by_field_name("value"))
            else {
                continue;
            };
            match self.eval(v, f).filter(|v| v.is_constant()) {
                Some(v) => {
                    let key = self.t(k).trim_matches(['"', '\'']).to_string();
                    module_assign(f, &format!("{name}.{key}"), v.clone());
                    values.push(v);
                }
                None => all = false,
            }
        }
        (all && !values.is_empty()).then_some(values)
    }

    /// `this.x = <constant>` wherever it appears (constructors), when every such
    /// assignment in the file is a constant.
    fn collect_this_fields(
        &self,
        n: Node,
        f: &Frame,
        out: &mut HashMap<String, Option<Str>>,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        for c in children(n) {
            if c.kind() == "assignment_expression"
                && let (Some(l), Some(r)) = (
                    c.child_by_field_name("left"),
                    c.child_by_field_name("right"),
                )
                && l.kind() == "member_expression"
                && l.child_by_field_name("object")
                    .is_some_and(|o| o.kind() == "this")
            {
                let v = self.eval(r, f).filter(|v| v.is_constant());
                let key = self.t(l).to_string();
                match out.get_mut(&key) {
                    Some(old) => {
                        if old.as_ref() != v.as_ref() {
                            *old = None;
                        }
                    }
                    None => {
                        out.insert(key, v);
                    }
                }
            }
            self.collect_this_fields(c, f, out, depth + 1);
        }
    }

    fn collect_class(&self, class: Node, f: &mut Frame) {
        let Some(name) = class.child_by_field_name("name") else {
            return;
        };
        let cname = self.t(name).to_string();
        let Some(body) = class.child_by_field_name("body") else {
            return;
        };
        for c in children(body) {
            if !matches!(c.kind(), "field_definition" | "public_field_definition") {
                continue;
            }
            let key = c
                .child_by_field_name("name")
                .or_else(|| c.child_by_field_name("property"));
            let (Some(k), Some(v)) = (key, c.child_by_field_name("value")) else {
                continue;
            };
            let is_static = (0..c.child_count())
                .filter_map(|i| c.child(i))
                .any(|x| x.kind() == "static");
            if let Some(v) = self.eval(v, f).filter(|v| v.is_constant()) {
                let key = self.t(k);
                if is_static {
                    module_assign(f, &format!("{cname}.{key}"), v.clone());
                    module_assign(f, &format!("this.constructor.{key}"), v);
                } else {
                    module_assign(f, &format!("this.{key}"), v);
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
                "parenthesized_expression"
                | "as_expression"
                | "satisfies_expression"
                | "non_null_expression" => children(n).into_iter().find(|c| c.kind() != "comment"),
                "type_assertion" => children(n).into_iter().last(),
                _ => None,
            };
            match inner {
                Some(i) => n = i,
                None => break,
            }
        }
        n
    }

    /// The abstract string value of an expression; `None` when it is not a string we can
    /// see (a parameter, a call result, a number, ...).
    fn eval(&self, n: Node, f: &Frame) -> Option<Str> {
        let _g = self.guard()?;
        let n = self.unwrap_expr(n);
        let pos = position(n, self.src);
        match n.kind() {
            "string" => Some(self.string(n)),
            "template_string" => Some(self.template(n, f, "template literal")),
            "number" | "true" | "false" | "null" => Some(Str::text(self.t(n), pos)),
            "identifier" | "member_expression" => {
                let key = self.t(n);
                self.lookup(key, f).or_else(|| {
                    // `Queries.BY_ID` written over several lines.
                    let compact: String = key.split_whitespace().collect();
                    (compact != key).then(|| self.lookup(&compact, f)).flatten()
                })
            }
            "subscript_expression" => {
                // `ALLOWED[sort]`: an allow-list of constant strings.
                let object = n.child_by_field_name("object")?;
                let key = self.t(object);
                let values = f.maps.get(key).or_else(|| {
                    (!f.locals.contains(key))
                        .then(|| self.module.maps.get(key))
                        .flatten()
                })?;
                let mut v = values.first()?.clone();
                (v.line, v.column) = pos;
                Some(v)
            }
            "binary_expression" => self.binary(n, f),
            "ternary_expression" => {
                let a = n
                    .child_by_field_name("consequence")
                    .and_then(|c| self.eval(c, f));
                let b = n
                    .child_by_field_name("alternative")
                    .and_then(|c| self.eval(c, f));
                match (a, b) {
                    (Some(a), Some(b)) => Some(if b.dynamic().is_some() && a.dynamic().is_none() {
                        b
                    } else {
                        a
                    }),
                    _ => None,
                }
            }
            "call_expression" => self.call(n, f),
            _ => None,
        }
    }

    /// A value that is not a visible string: numeric is safe, anything else dynamic.
    fn operand(&self, n: Node, f: &Frame, how: &str) -> Str {
        let pos = position(n, self.src);
        if let Some(v) = self.eval(n, f) {
            return v;
        }
        self.hole_for(n, f, how, pos)
    }

    /// The hole for an expression already known not to evaluate to a string.
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

    fn is_numeric(&self, n: Node, f: &Frame) -> bool {
        let Some(_g) = self.guard() else {
            return false;
        };
        let n = self.unwrap_expr(n);
        match n.kind() {
            "number" | "true" | "false" | "update_expression" => true,
            "identifier" => self.numeric_name(self.t(n), f),
            "unary_expression" => {
                let op = n
                    .child_by_field_name("operator")
                    .map(|o| self.t(o))
                    .unwrap_or("");
                matches!(op, "-" | "+" | "!" | "~")
            }
            "member_expression" => {
                let prop = n
                    .child_by_field_name("property")
                    .map(|p| self.t(p))
                    .unwrap_or("");
                matches!(prop, "length" | "size")
                    || self.numeric_name(self.t(n), f)
                    || self.module.numeric_fields.contains(prop)
            }
            "binary_expression" => {
                let op = n
                    .child_by_field_name("operator")
                    .map(|o| self.t(o))
                    .unwrap_or("");
                let l = n.child_by_field_name("left");
                let r = n.child_by_field_name("right");
                match op {
                    "+" | "&&" | "||" | "??" => {
                        l.is_some_and(|l| self.is_numeric(l, f))
                            && r.is_some_and(|r| self.is_numeric(r, f))
                    }
                    "-" | "*" | "/" | "%" | "**" | "&" | "|" | "^" | "<<" | ">>" | ">>>" | "=="
                    | "===" | "!=" | "!==" | "<" | ">" | "<=" | ">=" | "instanceof" | "in" => true,
                    _ => false,
                }
            }
            "ternary_expression" => {
                n.child_by_field_name("consequence")
                    .is_some_and(|c| self.is_numeric(c, f))
                    && n.child_by_field_name("alternative")
                        .is_some_and(|c| self.is_numeric(c, f))
            }
            "call_expression" => {
                let name = self.callee_name(n);
                let func = self.callee(n);
                if NUMERIC_CALLS.contains(&name.as_str()) {
                    return true;
                }
                if let Some(func) = func
                    && func.kind() == "member_expression"
                {
                    let object = func.child_by_field_name("object");
                    if object.is_some_and(|o| matches!(self.t(o), "Math" | "Number")) {
                        return true;
                    }
                    // `id.toString()` of a number.
                    if name == "toString" {
                        return object.is_some_and(|o| self.is_numeric(o, f));
                    }
                }
                if name == "String" {
                    return n
                        .child_by_field_name("arguments")
                        .and_then(|a| a.named_child(0))
                        .is_some_and(|a| self.is_numeric(a, f));
                }
                false
            }
            _ => false,
        }
    }

    fn binary(&self, n: Node, f: &Frame) -> Option<Str> {
        let op = n.child_by_field_name("operator").map(|o| self.t(o))?;
        if matches!(op, "||" | "??") {
            // `ALLOWED[sort] || "id"`: both sides visible strings.
            let a = self.eval(n.child_by_field_name("left")?, f)?;
            let b = self.eval(n.child_by_field_name("right")?, f)?;
            return Some(if b.dynamic().is_some() && a.dynamic().is_none() {
                b
            } else {
                a
            });
        }
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

    fn string(&self, n: Node) -> Str {
        let mut v = Str::empty(position(n, self.src));
        for c in children(n) {
            match c.kind() {
                "string_fragment" => v.push_text(self.t(c)),
                "escape_sequence" => v.push_text(&unescape_c(self.t(c))),
                "html_character_reference" => v.push_text(self.t(c)),
                _ => {}
            }
        }
        v
    }

    /// An untagged template literal: each `${}` is run-time text unless it is a visible
    /// constant (or numeric, which cannot carry SQL).
    fn template(&self, n: Node, f: &Frame, how: &str) -> Str {
        let mut v = Str::empty(position(n, self.src));
        for c in children(n) {
            match c.kind() {
                "string_fragment" => v.push_text(self.t(c)),
                "escape_sequence" => v.push_text(&unescape_c(self.t(c))),
                "template_substitution" => {
                    let Some(e) = c.named_child(0) else {
                        v.push_hole(Hole::Dynamic(how.into()));
                        continue;
                    };
                    match self.eval(e, f) {
                        Some(mut s) if s.dynamic().is_some() => {
                            s.relabel_dynamic(how);
                            v.push(s)
                        }
                        Some(s) => v.push(s),
                        None if self.is_numeric(e, f) => {
                            v.push_hole(Hole::Safe("numeric value".into()))
                        }
                        None => v.push_hole(Hole::Dynamic(how.into())),
                    }
                }
                _ => {}
            }
        }
        v
    }

    /// Whether a tag binds its substitutions as parameters (`sql`, `SQL`, `Prisma.sql`,
    /// `db.sql`, `prisma.$queryRaw`, mssql's `sql.query`).
    fn is_safe_tag(&self, tag: &str) -> bool {
        let last = method_name(tag);
        let lower = tag.to_lowercase();
        lower.contains("sql") || matches!(last, "$queryRaw" | "$executeRaw" | "query" | "sqltag")
    }

    /// Tags that only concatenate (`String.raw`, `dedent`): a plain template literal.
    fn is_concat_tag(&self, tag: &str) -> bool {
        matches!(
            method_name(tag),
            "raw" | "dedent" | "stripIndent" | "stripIndents" | "oneLine" | "outdent" | "trim"
        ) && !tag.to_lowercase().contains("sql")
    }

    /// A safe tagged template: constant text with each substitution a bind parameter
    /// (`$n`); nested safe fragments are inlined, `raw`/`unsafe` parts are run-time text,
    /// identifier helpers are safe holes.
    fn safe_template(&self, n: Node, f: &Frame, counter: &mut usize) -> Str {
        let mut v = Str::empty(position(n, self.src));
        for c in children(n) {
            match c.kind() {
                "string_fragment" => v.push_text(self.t(c)),
                "escape_sequence" => v.push_text(&unescape_c(self.t(c))),
                "template_substitution" => {
                    let Some(e) = c.named_child(0).map(|e| self.unwrap_expr(e)) else {
                        continue;
                    };
                    if e.kind() == "call_expression" {
                        let func = self.callee(e);
                        let args = e.child_by_field_name("arguments");
                        let tag = func.map(|x| self.t(x)).unwrap_or("");
                        if let Some(a) = args
                            && a.kind() == "template_string"
                            && self.is_safe_tag(tag)
                        {
                            let inner = self.safe_template(a, f, counter);
                            v.push(inner);
                            continue;
                        }
                        let name = self.callee_name(e);
                        if matches!(name.as_str(), "raw" | "unsafe") {
                            let arg = args.and_then(|a| a.named_child(0));
                            match arg.and_then(|a| self.eval(a, f)) {
                                Some(mut s) => {
                                    s.relabel_dynamic(&self.callee_text(func.unwrap_or(e)));
                                    v.push(s)
                                }
                                None => {
                                    v.push_hole(Hole::Dynamic(self.callee_text(func.unwrap_or(e))))
                                }
                            }
                            continue;
                        }
                        if matches!(
                            name.as_str(),
                            "identifier"
                                | "ident"
                                | "escapeIdentifier"
                                | "sql"
                                | "ref"
                                | "id"
                                | "table"
                                | "lit"
                        ) || func.is_some_and(|x| {
                            x.kind() == "identifier" && self.is_safe_tag(self.t(x))
                        }) {
                            v.push_hole(Hole::Safe(self.callee_text(func.unwrap_or(e))));
                            continue;
                        }
                    }
                    *counter += 1;
                    v.push_text(&format!("${counter}"));
                }
                _ => {}
            }
        }
        v
    }

    fn call(&self, n: Node, f: &Frame) -> Option<Str> {
        let func = self.callee(n)?;
        let args = n.child_by_field_name("arguments")?;
        let pos = position(n, self.src);
        if args.kind() == "template_string" {
            let tag = self.t(func);
            if self.is_concat_tag(tag) {
                let mut v = self.template(args, f, "template literal");
                (v.line, v.column) = pos;
                return Some(v);
            }
            if self.is_safe_tag(tag) {
                let mut counter = 0;
                let mut v = self.safe_template(args, f, &mut counter);
                (v.line, v.column) = pos;
                return Some(v);
            }
            return None;
        }
        let name = self.callee_name(n);
        let list: Vec<Node> = children(args)
            .into_iter()
            .filter(|a| a.kind() != "comment")
            .collect();
        let receiver = self.receiver_name(n);
        let sql_receiver = SQL_RECEIVERS.iter().any(|r| receiver.contains(r));
        if func.kind() == "member_expression" {
            let object = func.child_by_field_name("object")?;
            match name.as_str() {
                "get" => {
                    // `ALLOWED.get(key)` on a constant `Map`: one of its constants (or
                    // undefined, which a `??`/`||` default then replaces).
                    let key = self.t(object);
                    let values = f.maps.get(key).or_else(|| {
                        (!f.locals.contains(key))
                            .then(|| self.module.maps.get(key))
                            .flatten()
                    })?;
                    let mut v = values.first()?.clone();
                    (v.line, v.column) = pos;
                    return Some(v);
                }
                "join" => return self.join(n, object, list.first().copied(), f),
                "concat" => {
                    let mut v = self.eval(object, f)?;
                    for a in &list {
                        v.push(self.operand(*a, f, "concatenation"));
                    }
                    (v.line, v.column) = pos;
                    return Some(v);
                }
                "trim" | "trimStart" | "trimEnd" | "toUpperCase" | "toLowerCase" | "normalize"
                | "toString" | "valueOf" => {
                    return self.eval(object, f);
                }
                "replace" | "replaceAll" => {
                    // Whitespace clean-up keeps the text; a run-time replacement is a hole.
                    let mut v = self.eval(object, f)?;
                    if let Some(with) = list.get(1)
                        && !self.eval(*with, f).is_some_and(|w| w.is_constant())
                        && !is_function(with.kind())
                    {
                        v.push(self.hole_for(*with, f, "replace", pos));
                    }
                    return Some(v);
                }
                "repeat" => {
                    let v = self.eval(object, f)?;
                    return v
                        .is_constant()
                        .then(|| Str::hole(Hole::Safe("repeated constant".into()), pos));
                }
                "format" if receiver == "util" => {
                    let fmt = self.eval(*list.first()?, f)?;
                    let rest: Vec<FormatArg> =
                        list.iter().skip(1).map(|a| self.fmt_arg(*a, f)).collect();
                    let mut v = fold_printf(&fmt, &rest, &|_| None, "util.format");
                    (v.line, v.column) = pos;
                    return Some(v);
                }
                "format" if sql_receiver || receiver.contains("format") => {
                    return self.sql_format(n, func, &list, &receiver, f);
                }
                "escape" if sql_receiver => {
                    return Some(Str::hole(Hole::Safe(self.callee_text(func)), pos));
                }
                _ => {}
            }
        } else if func.kind() == "identifier" {
            match name.as_str() {
                "String" => {
                    let a = *list.first()?;
                    return match self.eval(a, f) {
                        Some(v) => Some(v),
                        None => self
                            .is_numeric(a, f)
                            .then(|| Str::hole(Hole::Safe("numeric value".into()), pos)),
                    };
                }
                "dedent" | "stripIndent" | "oneLine" => return self.eval(*list.first()?, f),
                "format" | "pgFormat" | "pgformat" => {
                    return self.sql_format(n, func, &list, "pg-format", f);
                }
                "escape" => return Some(Str::hole(Hole::Safe(self.callee_text(func)), pos)),
                _ => {}
            }
        }
        if ESCAPERS.contains(&name.as_str()) {
            return Some(Str::hole(Hole::Safe(self.callee_text(func)), pos));
        }
        None
    }

    /// pg-format's `format('%I ... %L ... %s', ...)` (identifier/literal quoted, `%s` raw) and
    /// mysql's `format(sql, [values])` (`?`/`??` replaced by escaped values).
    fn sql_format(
        &self,
        n: Node,
        func: Node,
        list: &[Node],
        receiver: &str,
        f: &Frame,
    ) -> Option<Str> {
        let pos = position(n, self.src);
        let fmt = self.eval(*list.first()?, f)?;
        let api = self.callee_text(func);
        let pg = receiver.contains("format") || receiver == "pg-format";
        if !pg {
            // mysql.format / SqlString.format: placeholders filled with escaped values.
            let mut v = Str::empty(pos);
            if list.len() < 2 {
                v.push(fmt);
                return Some(v);
            }
            let sql = fmt.sql();
            if !fmt.is_constant() {
                v.push(fmt);
                return Some(v);
            }
            let mut rest = sql.as_str();
            while let Some(i) = rest.find('?') {
                v.push_text(&rest[..i]);
                v.push_hole(Hole::Safe(api.clone()));
                rest = rest[i..].trim_start_matches('?');
            }
            v.push_text(rest);
            return Some(v);
        }
        // pg-format: the verbs in order decide each argument's treatment.
        let text = fmt.constant_text();
        let mut verbs = Vec::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '%' {
                match chars.next() {
                    Some('%') | None => {}
                    Some(v) => verbs.push(v),
                }
            }
        }
        let args: Vec<FormatArg> = list
            .iter()
            .skip(1)
            .enumerate()
            .map(|(i, a)| match verbs.get(i) {
                Some('I') | Some('L') => Some(Str::hole(
                    Hole::Safe(format!("{api} %I/%L")),
                    position(*a, self.src),
                )),
                _ => self.fmt_arg(*a, f),
            })
            .collect();
        // `%I`/`%L` are plain verbs to fold_printf; the safe holes carry the meaning.
        let mut v = fold_printf(&fmt, &args, &|_| None, "pg-format %s");
        (v.line, v.column) = pos;
        Some(v)
    }

    /// `[a, b].join(sep)`, `parts.join(sep)`, `ids.map(() => "?").join(",")`.
    fn join(&self, call: Node, object: Node, sep: Option<Node>, f: &Frame) -> Option<Str> {
        let pos = position(call, self.src);
        let sep = match sep {
            Some(s) => self.eval(s, f)?,
            None => Str::text(",", pos),
        };
        let object = self.unwrap_expr(object);
        let items: Option<Vec<Str>> = match object.kind() {
            "array" => Some(
                children(object)
                    .into_iter()
                    .filter(|c| c.kind() != "comment")
                    .map(|c| self.operand(c, f, "Array.join"))
                    .collect(),
            ),
            "identifier" => f.arrays.get(self.t(object)).cloned(),
            _ => None,
        };
        if object.kind() == "identifier" && self.numeric_name(self.t(object), f) {
            return Some(Str::hole(Hole::Safe("numeric join".into()), pos));
        }
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
        // `xs.map(cb).join()` / `Array(n).fill("?").join()`: a repeated constant or number.
        if object.kind() == "call_expression" {
            let name = self.callee_name(object);
            let first = object
                .child_by_field_name("arguments")
                .and_then(|a| a.named_child(0));
            match name.as_str() {
                "map" => {
                    if let Some(cb) = first.filter(|c| is_function(c.kind()))
                        && let Some(safe) = self.callback_is_safe(cb, f)
                    {
                        return Some(Str::hole(Hole::Safe(safe.into()), pos));
                    }
                }
                "fill"
                    if first
                        .and_then(|a| self.eval(a, f))
                        .is_some_and(|v| v.is_constant()) =>
                {
                    return Some(Str::hole(Hole::Safe("repeated constant".into()), pos));
                }
                _ => {}
            }
        }
        if self.is_numeric_array(object, f) {
            return Some(Str::hole(Hole::Safe("numeric join".into()), pos));
        }
        Some(Str::hole(Hole::Dynamic("Array.join".into()), pos))
    }

    /// `ids.map(Number)`, `.map(x => parseInt(x))`: a list of numbers.
    fn is_numeric_array(&self, n: Node, f: &Frame) -> bool {
        if n.kind() != "call_expression" || self.callee_name(n) != "map" {
            return false;
        }
        let Some(first) = n
            .child_by_field_name("arguments")
            .and_then(|a| a.named_child(0))
        else {
            return false;
        };
        match first.kind() {
            "identifier" => matches!(
                self.t(first),
                "Number" | "parseInt" | "parseFloat" | "BigInt"
            ),
            "member_expression" => matches!(self.t(first), "Number.parseInt" | "Number.parseFloat"),
            k if is_function(k) => self.callback_is_safe(first, f) == Some("numeric join"),
            _ => false,
        }
    }

    /// A `.map` callback whose result is a constant (`() => "?"`) or a number / numbered
    /// placeholder (`(_, i) => "$" + (i + 1)`): its index parameter is a number.
    fn callback_is_safe(&self, cb: Node, f: &Frame) -> Option<&'static str> {
        let mut inner = f.child(None);
        let params = self.params_of(cb);
        for (i, p) in params.iter().enumerate() {
            inner.declare(p);
            if i == 1 {
                inner.numeric.insert(p.clone());
            }
        }
        let body = cb.child_by_field_name("body")?;
        let body = if body.kind() == "statement_block" {
            children(body)
                .into_iter()
                .find(|s| s.kind() == "return_statement")
                .and_then(|r| r.named_child(0))?
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

    fn params_of(&self, func: Node) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(p) = func.child_by_field_name("parameter") {
            self.pattern_names(p, &mut out, 0);
        }
        if let Some(ps) = func.child_by_field_name("parameters") {
            for p in children(ps) {
                self.pattern_names(p, &mut out, 0);
            }
        }
        out
    }

    fn pattern_names(&self, n: Node, out: &mut Vec<String>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match n.kind() {
            "identifier" | "shorthand_property_identifier_pattern" => {
                out.push(self.t(n).to_string())
            }
            "required_parameter" | "optional_parameter" => {
                if let Some(p) = n.child_by_field_name("pattern") {
                    self.pattern_names(p, out, depth + 1);
                }
            }
            "assignment_pattern" | "object_assignment_pattern" => {
                if let Some(p) = n.child_by_field_name("left") {
                    self.pattern_names(p, out, depth + 1);
                }
            }
            "pair_pattern" => {
                if let Some(p) = n.child_by_field_name("value") {
                    self.pattern_names(p, out, depth + 1);
                }
            }
            "rest_pattern" | "array_pattern" | "object_pattern" => {
                for c in children(n) {
                    self.pattern_names(c, out, depth + 1);
                }
            }
            _ => {}
        }
    }

    fn visit_function(&mut self, n: Node, name: Option<String>, parent: &mut Frame) {
        let Some(_g) = self.guard() else { return };
        let mut f = parent.child(name);
        if let Some(ps) = n.child_by_field_name("parameters") {
            for p in children(ps) {
                let mut names = Vec::new();
                self.pattern_names(p, &mut names, 0);
                let typed_numeric = p
                    .child_by_field_name("type")
                    .is_some_and(|t| numeric_type(self.t(t)));
                for name in names {
                    f.declare(&name);
                    if typed_numeric {
                        f.numeric.insert(name);
                    }
                }
            }
        }
        if let Some(p) = n.child_by_field_name("parameter") {
            let mut names = Vec::new();
            self.pattern_names(p, &mut names, 0);
            for name in names {
                f.declare(&name);
            }
        }
        if let Some(body) = n.child_by_field_name("body") {
            if body.kind() == "statement_block" {
                self.visit(body, &mut f);
            } else {
                self.visit_expr(body, &mut f, false);
            }
        }
        // Closures assigning enclosing variables (`parts.forEach(p => { sql += ... })`).
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

    fn visit_class(&mut self, n: Node, f: &mut Frame) {
        let Some(body) = n.child_by_field_name("body") else {
            return;
        };
        for m in children(body) {
            match m.kind() {
                "method_definition" => {
                    let name = m.child_by_field_name("name").map(|x| self.t(x).to_string());
                    self.visit_function(m, name, f);
                }
                "field_definition" | "public_field_definition" => {
                    let key = m
                        .child_by_field_name("name")
                        .or_else(|| m.child_by_field_name("property"))
                        .map(|x| self.t(x).to_string());
                    if let Some(v) = m.child_by_field_name("value") {
                        if is_function(v.kind()) {
                            self.visit_function(v, key, f);
                        } else {
                            self.visit_expr(v, f, false);
                        }
                    }
                }
                "class_static_block" => {
                    if let Some(b) = m.child_by_field_name("body") {
                        let mut inner = f.child(None);
                        self.visit(b, &mut inner);
                        self.flush(inner);
                    }
                }
                _ => {}
            }
        }
    }

    fn visit(&mut self, n: Node, f: &mut Frame) {
        let Some(_g) = self.guard() else { return };
        match n.kind() {
            "function_declaration" | "generator_function_declaration" => {
                let name = n.child_by_field_name("name").map(|x| self.t(x).to_string());
                self.visit_function(n, name, f);
            }
            "class_declaration" | "abstract_class_declaration" | "class" => self.visit_class(n, f),
            "lexical_declaration" | "variable_declaration" => {
                for d in children(n) {
                    if d.kind() == "variable_declarator" {
                        self.declarator(d, f);
                    }
                }
            }
            "expression_statement" => {
                let Some(e) = n.named_child(0) else { return };
                match e.kind() {
                    // A bare string is a directive ("use strict") or a no-op, never a query.
                    "string" | "template_string" => {}
                    "assignment_expression" => self.assignment(e, f),
                    "augmented_assignment_expression" => self.augmented(e, f),
                    _ => self.visit_expr(e, f, false),
                }
            }
            "throw_statement" => {
                for c in children(n) {
                    self.visit_expr(c, f, true);
                }
            }
            "comment"
            | "import_statement"
            | "type_alias_declaration"
            | "interface_declaration"
            | "enum_declaration"
            | "ambient_declaration"
            | "hash_bang_line"
            | "empty_statement"
            | "debugger_statement"
            | "break_statement"
            | "continue_statement" => {}
            "program" | "statement_block" | "if_statement" | "else_clause" | "for_statement"
            | "for_in_statement" | "while_statement" | "do_statement" | "try_statement"
            | "catch_clause" | "finally_clause" | "switch_statement" | "switch_body"
            | "switch_case" | "switch_default" | "labeled_statement" | "with_statement"
            | "export_statement" | "internal_module" | "module" | "return_statement" => {
                for c in children(n) {
                    self.visit(c, f);
                }
            }
            _ => self.visit_expr(n, f, false),
        }
    }

    fn declarator(&mut self, d: Node, f: &mut Frame) {
        let Some(value) = d.child_by_field_name("value") else {
            if let Some(name) = d
                .child_by_field_name("name")
                .filter(|n| n.kind() == "identifier")
            {
                let name = self.t(name).to_string();
                f.declare(&name);
                if d.child_by_field_name("type")
                    .is_some_and(|t| numeric_type(self.t(t)))
                {
                    f.numeric.insert(name);
                }
            }
            return;
        };
        let Some(name) = d
            .child_by_field_name("name")
            .filter(|n| n.kind() == "identifier")
        else {
            if let Some(name) = d.child_by_field_name("name") {
                let mut names = Vec::new();
                self.pattern_names(name, &mut names, 0);
                for n in names {
                    f.declare(&n);
                }
            }
            self.visit_expr(value, f, false);
            return;
        };
        let name = self.t(name).to_string();
        f.declare(&name);
        if is_function(value.kind()) {
            self.visit_function(value, Some(name), f);
            return;
        }
        if value.kind() == "class" {
            self.visit_class(value, f);
            return;
        }
        let typed_numeric = d
            .child_by_field_name("type")
            .is_some_and(|t| numeric_type(self.t(t)));
        if typed_numeric || self.is_numeric(value, f) {
            f.numeric.insert(name.clone());
        }
        let bare = self.unwrap_expr(value);
        if bare.kind() == "array" {
            let items = children(bare)
                .into_iter()
                .filter(|c| c.kind() != "comment")
                .map(|c| self.operand(c, f, "Array.join"))
                .collect();
            f.arrays.insert(name, items);
            self.visit_expr(value, f, false);
            return;
        }
        if bare.kind() == "object"
            && let Some(values) = self.object_constants(&name, bare, f)
        {
            f.maps.insert(name, values);
            self.visit_expr(value, f, false);
            return;
        }
        if let Some(values) = self.map_constants(bare, f) {
            f.maps.insert(name, values);
            return;
        }
        match self.eval(value, f) {
            Some(v) if !typed_numeric => {
                f.scope.assign(&name, v);
                f.add_pending(&name);
                f.touch(&name);
                self.visit_calls_within(value, f);
            }
            _ => self.visit_expr(value, f, false),
        }
    }

    fn assignment(&mut self, a: Node, f: &mut Frame) {
        let (Some(left), Some(right)) = (
            a.child_by_field_name("left"),
            a.child_by_field_name("right"),
        ) else {
            return;
        };
        if is_function(right.kind()) {
            let name = match left.kind() {
                "member_expression" => left
                    .child_by_field_name("property")
                    .map(|p| self.t(p).to_string()),
                "identifier" => Some(self.t(left).to_string()),
                _ => None,
            };
            self.visit_function(right, name, f);
            return;
        }
        if matches!(left.kind(), "identifier" | "member_expression") {
            let name = self.t(left).to_string();
            let bare = self.unwrap_expr(right);
            if bare.kind() == "array" && left.kind() == "identifier" {
                let items = children(bare)
                    .into_iter()
                    .filter(|c| c.kind() != "comment")
                    .map(|c| self.operand(c, f, "Array.join"))
                    .collect();
                f.arrays.insert(name.clone(), items);
                f.touch(&name);
                self.visit_expr(right, f, false);
                return;
            }
            if let Some(mut v) = self.eval(right, f) {
                // `q = q + "..."` / `` q = `${q} ...` ``: still built from the first assignment.
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
            if self.is_numeric(right, f) && left.kind() == "identifier" {
                f.numeric.insert(name);
            }
        }
        self.visit_expr(right, f, false);
    }

    /// Whether an expression starts with the variable `name` (`name + ...`, `` `${name}...` ``).
    fn starts_with_name(&self, n: Node, name: &str) -> bool {
        let mut cur = self.unwrap_expr(n);
        for _ in 0..MAX_DEPTH {
            match cur.kind() {
                "identifier" | "member_expression" => return self.t(cur) == name,
                "binary_expression" => match cur.child_by_field_name("left") {
                    Some(l) => cur = self.unwrap_expr(l),
                    None => return false,
                },
                "template_string" => {
                    let first = children(cur).into_iter().next();
                    match first.filter(|c| c.kind() == "template_substitution") {
                        Some(sub) => match sub.named_child(0) {
                            Some(e) => cur = self.unwrap_expr(e),
                            None => return false,
                        },
                        None => return false,
                    }
                }
                _ => return false,
            }
        }
        false
    }

    fn augmented(&mut self, a: Node, f: &mut Frame) {
        let (Some(left), Some(right)) = (
            a.child_by_field_name("left"),
            a.child_by_field_name("right"),
        ) else {
            return;
        };
        let name = self.t(left).to_string();
        let op = a
            .child_by_field_name("operator")
            .map(|o| self.t(o))
            .unwrap_or("");
        if op == "+=" {
            if f.scope.get(&name).is_none()
                && let Some(v) = self.lookup(&name, f)
            {
                f.scope.assign(&name, v);
            }
            if f.scope.get(&name).is_some() {
                let v = self.operand(right, f, "+=");
                f.scope.append(&name, v);
                f.add_pending(&name);
                f.touch(&name);
                self.visit_calls_within(right, f);
                return;
            }
        }
        self.visit_expr(right, f, false);
    }

    /// Sinks (and functions) nested in an expression whose value was already taken.
    fn visit_calls_within(&mut self, n: Node, f: &mut Frame) {
        let Some(_g) = self.guard() else { return };
        if n.kind() == "call_expression" && self.sink_of(n).is_some() {
            self.visit_expr(n, f, false);
            return;
        }
        if is_function(n.kind()) {
            self.visit_function(n, None, f);
            return;
        }
        for c in children(n) {
            self.visit_calls_within(c, f);
        }
    }

    /// The sink a call is, as written: (callee text, method name).
    fn sink_of(&self, call: Node) -> Option<(String, String)> {
        let func = self.callee(call)?;
        let args = call.child_by_field_name("arguments")?;
        if args.kind() != "arguments" {
            return None;
        }
        let name = self.callee_name(call);
        let ok = match func.kind() {
            "member_expression" => {
                SINKS.contains(&name.as_str())
                    || FRAGMENT_SINKS.contains(&name.as_str())
                    || (DB_RECEIVER_SINKS.contains(&name.as_str()) && {
                        let r = self.receiver_name(call);
                        PREFILTER.receiver_words.iter().any(|w| r.contains(w))
                    })
            }
            "identifier" => BARE_SINKS.contains(&name.as_str()),
            _ => false,
        };
        ok.then(|| (self.callee_text(func), name))
    }

    fn is_message_call(&self, call: Node) -> bool {
        let name = self.callee_name(call);
        MESSAGE_CALLS.contains(&name.as_str())
            || name.ends_with("Error")
            || name.ends_with("Exception")
            || self.receiver_name(call) == "console"
    }

    /// An expression in statement or argument position. A string-building expression is a
    /// candidate where it stands (unless it is a message); sinks report their SQL argument.
    fn visit_expr(&mut self, n: Node, f: &mut Frame, in_message: bool) {
        let Some(_g) = self.guard() else { return };
        match n.kind() {
            "call_expression" => {
                let Some(args) = n.child_by_field_name("arguments") else {
                    return;
                };
                if args.kind() == "template_string" {
                    self.tagged_template(n, args, f, in_message);
                    return;
                }
                if let Some((sink, name)) = self.sink_of(n) {
                    self.sink_call(n, args, sink, &name, f);
                    return;
                }
                let name = self.callee_name(n);
                if matches!(name.as_str(), "push" | "unshift")
                    && let Some(obj) = self
                        .callee(n)
                        .and_then(|x| x.child_by_field_name("object"))
                        .filter(|o| o.kind() == "identifier")
                {
                    let arr = self.t(obj).to_string();
                    if f.arrays.contains_key(&arr) {
                        let items: Vec<Str> = children(args)
                            .into_iter()
                            .filter(|c| c.kind() != "comment")
                            .map(|c| self.operand(c, f, "Array.join"))
                            .collect();
                        if let Some(a) = f.arrays.get_mut(&arr) {
                            if name == "push" {
                                a.extend(items);
                            } else {
                                let tail = std::mem::take(a);
                                *a = items;
                                a.extend(tail);
                            }
                        }
                        f.touch(&arr);
                        for c in children(args) {
                            self.visit_calls_within(c, f);
                        }
                        return;
                    }
                }
                let message = in_message || self.is_message_call(n);
                if let Some(func) = self.callee(n) {
                    self.visit_expr(func, f, message);
                }
                for a in children(args) {
                    self.visit_expr(a, f, message && !is_function(a.kind()));
                }
            }
            "new_expression" => {
                let ctor = n
                    .child_by_field_name("constructor")
                    .map(|c| method_name(self.t(c)).to_string())
                    .unwrap_or_default();
                let message = in_message || ctor.ends_with("Error") || ctor.ends_with("Exception");
                if let Some(args) = n.child_by_field_name("arguments") {
                    for a in children(args) {
                        self.visit_expr(a, f, message);
                    }
                }
            }
            "string" | "template_string" | "binary_expression" => {
                if in_message {
                    self.visit_functions_within(n, f);
                    return;
                }
                if let Some(v) = self
                    .eval(n, f)
                    .filter(|v| !v.constant_text().trim().is_empty())
                {
                    // Not reaching a sink: kept only if it reads as SQL.
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
            "arrow_function" | "function_expression" | "function" | "generator_function" => {
                self.visit_function(n, None, f);
            }
            "method_definition" => {
                let name = n.child_by_field_name("name").map(|x| self.t(x).to_string());
                self.visit_function(n, name, f);
            }
            "pair" => {
                let key = n
                    .child_by_field_name("key")
                    .map(|k| self.t(k).trim_matches(['"', '\'']).to_string());
                if let Some(v) = n.child_by_field_name("value") {
                    if is_function(v.kind()) {
                        self.visit_function(v, key, f);
                    } else {
                        self.visit_expr(v, f, in_message);
                    }
                }
            }
            "class" => self.visit_class(n, f),
            "assignment_expression" => self.assignment(n, f),
            "augmented_assignment_expression" => self.augmented(n, f),
            "identifier"
            | "comment"
            | "number"
            | "regex"
            | "property_identifier"
            | "type_annotation"
            | "type_arguments" => {}
            "statement_block"
            | "lexical_declaration"
            | "variable_declaration"
            | "expression_statement"
            | "if_statement"
            | "return_statement" => self.visit(n, f),
            _ => {
                for c in children(n) {
                    self.visit_expr(c, f, in_message);
                }
            }
        }
    }

    /// Inside a message: only functions (callbacks) are still walked.
    fn visit_functions_within(&mut self, n: Node, f: &mut Frame) {
        let Some(_g) = self.guard() else { return };
        if is_function(n.kind()) {
            self.visit_function(n, None, f);
            return;
        }
        for c in children(n) {
            self.visit_functions_within(c, f);
        }
    }

    fn tagged_template(&mut self, call: Node, args: Node, f: &mut Frame, in_message: bool) {
        let tag = self.callee(call).map(|x| self.t(x)).unwrap_or("");
        match self.eval(call, f) {
            Some(v) if !in_message && !v.constant_text().trim().is_empty() => {
                let last = method_name(tag);
                let sink = matches!(last, "$queryRaw" | "$executeRaw" | "query")
                    .then(|| self.callee_text(self.callee(call).unwrap_or(call)));
                if sink.is_some() || reads_as_sql(&v) {
                    let binds = sink.as_ref().map(|_| {
                        children(args)
                            .iter()
                            .filter(|c| c.kind() == "template_substitution")
                            .count()
                    });
                    self.out.push(v.into_candidate(sink, binds, f.name.clone()));
                }
            }
            _ => {}
        }
        for c in children(args) {
            if c.kind() == "template_substitution" {
                self.visit_functions_within(c, f);
                for e in children(c) {
                    if e.kind() == "call_expression" && self.sink_of(e).is_some() {
                        self.visit_expr(e, f, false);
                    }
                }
            }
        }
    }

    fn sink_call(&mut self, call: Node, args: Node, sink: String, name: &str, f: &mut Frame) {
        let all: Vec<Node> = children(args)
            .into_iter()
            .filter(|a| a.kind() != "comment")
            .collect();
        if let Some(func) = self.callee(call) {
            self.visit_expr(func, f, false);
        }
        let Some(first) = all.first().copied() else {
            return;
        };
        let mut sql_arg = first;
        let mut bind_args = None;
        // `query({ text, values })` (pg), `query({ sql, values })` (mysql).
        if self.unwrap_expr(first).kind() == "object" {
            for p in children(self.unwrap_expr(first)) {
                let (Some(k), Some(v)) =
                    (p.child_by_field_name("key"), p.child_by_field_name("value"))
                else {
                    continue;
                };
                match self.t(k).trim_matches(['"', '\'']) {
                    "text" | "sql" | "query" => sql_arg = v,
                    "values" => bind_args = self.count_binds(v),
                    _ => {}
                }
            }
            if sql_arg.id() == first.id() {
                self.visit_expr(first, f, false);
                for a in all.iter().skip(1) {
                    self.visit_expr(*a, f, false);
                }
                return;
            }
        } else if let Some(second) = all.get(1).copied() {
            bind_args = self.count_binds(second).or_else(|| {
                let b = self.unwrap_expr(second);
                (b.kind() == "identifier")
                    .then(|| f.arrays.get(self.t(b)).map(|a| a.len()))
                    .flatten()
            });
            if bind_args.is_none() && self.unwrap_expr(second).kind() == "object" {
                // sequelize: { replacements: [...] | {...}, bind: [...] }.
                for p in children(self.unwrap_expr(second)) {
                    if let (Some(k), Some(v)) =
                        (p.child_by_field_name("key"), p.child_by_field_name("value"))
                        && matches!(self.t(k), "replacements" | "bind" | "values")
                    {
                        bind_args = self.count_binds(v);
                    }
                }
            }
            if bind_args.is_none()
                && VARIADIC_SINKS.contains(&name)
                && !matches!(
                    self.unwrap_expr(second).kind(),
                    "arrow_function" | "function_expression"
                )
            {
                bind_args = Some(all.len() - 1);
            }
        } else if VARIADIC_SINKS.contains(&name) {
            bind_args = Some(0);
        }
        let fragment = FRAGMENT_SINKS.contains(&name);
        match self.eval(sql_arg, f) {
            Some(v) if sqlish(&v) || (fragment && v.dynamic().is_some() && condition(&v)) => {
                let bare = self.unwrap_expr(sql_arg);
                if matches!(bare.kind(), "identifier" | "member_expression") {
                    let key = self.t(bare).to_string();
                    f.pending.retain(|p| *p != key);
                }
                if !fragment || v.dynamic().is_some() {
                    self.out
                        .push(v.into_candidate(Some(sink), bind_args, f.name.clone()));
                }
                self.visit_calls_within(sql_arg, f);
            }
            Some(_) => self.visit_calls_within(sql_arg, f),
            None => self.visit_expr(sql_arg, f, false),
        }
        for a in all {
            if a.id() != sql_arg.id() {
                self.visit_expr(a, f, false);
            }
        }
    }

    /// Elements of a literal array / properties of a literal object (the bind values).
    fn count_binds(&self, n: Node) -> Option<usize> {
        let n = self.unwrap_expr(n);
        match n.kind() {
            "array" | "object" => {
                Some(children(n).iter().filter(|c| c.kind() != "comment").count())
            }
            _ => None,
        }
    }

    /// Variables that held SQL and reached no sink are candidates too (the SQL may be run
    /// by a helper); `scan_file` keeps only those that look like SQL.
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

    fn js(src: &str) -> Vec<Candidate> {
        JavaScriptExtractor.extract(src)
    }

    fn ts(src: &str) -> Vec<Candidate> {
        TypeScriptExtractor.extract(src)
    }

    fn one(c: Vec<Candidate>) -> Candidate {
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
    fn literal_with_placeholders_is_constant() {
        let c = one(js(
            "async function byId(pool, id) {\n  return pool.query(\"SELECT * FROM users WHERE id = $1\", [id]);\n}\n",
        ));
        assert_eq!(c.construction, Construction::Constant);
        assert_eq!(c.sql, "SELECT * FROM users WHERE id = $1");
        assert_eq!(c.sink.as_deref(), Some("pool.query"));
        assert_eq!(c.bind_args, Some(1));
        assert_eq!((c.line, c.column), (2, 21));
        assert_eq!(c.function.as_deref(), Some("byId"));
    }

    #[test]
    fn constant_map_allow_lists() {
        let src = "const SORTABLE = new Map([['name', 'name'], ['price', 'price DESC']]);\nasync function list(req) {\n  const col = SORTABLE.get(req.query.sort) ?? 'id';\n  return pool.query(`SELECT id FROM products ORDER BY ${col}`);\n}\nasync function bad(req) {\n  const col = SORTABLE.get(req.query.sort) ?? req.query.sort;\n  return pool.query(`SELECT id FROM products ORDER BY ${col}`);\n}\n";
        let c = js(src);
        assert_eq!(c.len(), 2, "{c:#?}");
        assert_eq!(how(&c[0]), "constant");
        assert!(how(&c[1]).starts_with("dynamic"), "{:#?}", c[1]);
    }

    #[test]
    fn concatenation_with_request_value_is_dynamic() {
        let c = one(js(
            "app.get('/u/:id', (req, res) => {\n  connection.query(\"SELECT * FROM users WHERE id = \" + req.params.id, cb);\n});\n",
        ));
        assert_eq!(how(&c), "dynamic concatenation");
        assert_eq!(c.sink.as_deref(), Some("connection.query"));
        assert_eq!(c.sql, "SELECT * FROM users WHERE id = __zg_dyn_0__");
    }

    #[test]
    fn template_literal_through_a_variable() {
        let c = one(js(
            "async function find(req) {\n  const q = `SELECT * FROM users WHERE name = '${req.body.name}'`;\n  log(1);\n  return knex.raw(q);\n}\n",
        ));
        assert_eq!(how(&c), "dynamic template literal");
        assert_eq!(c.line, 2);
        assert_eq!(c.sink.as_deref(), Some("knex.raw"));
        assert_eq!(c.function.as_deref(), Some("find"));
    }

    #[test]
    fn plus_equals_and_join_builders() {
        let src = "function f(db, name, filters) {\n  let q = \"SELECT * FROM users WHERE 1 = 1\";\n  if (name) { q += \" AND name = '\" + name + \"'\"; }\n  db.query(q);\n  const parts = [\"SELECT id\", \"FROM users\"];\n  parts.push(\"WHERE email = '\" + filters.email + \"'\");\n  db.query(parts.join(\" \"));\n  const conds = [];\n  filters.forEach((x) => { conds.push(`${x.k} = '${x.v}'`); });\n  sequelize.query(\"SELECT * FROM users WHERE \" + conds.join(\" AND \"));\n}\n";
        let c = js(src);
        assert_eq!(c.len(), 3, "{c:#?}");
        assert_eq!(
            (c[0].line, how(&c[0]).as_str()),
            (2, "dynamic concatenation")
        );
        assert_eq!(
            (c[1].line, how(&c[1]).as_str()),
            (7, "dynamic concatenation")
        );
        assert_eq!(
            c[1].sql,
            "SELECT id FROM users WHERE email = '__zg_dyn_0__'"
        );
        assert_eq!(c[2].line, 10);
        assert!(how(&c[2]).starts_with("dynamic"), "{:#?}", c[2]);
    }

    #[test]
    fn constant_folding() {
        let src = "const TABLE = \"users\";\nconst COLS = 'id, name';\nexport const BY_ID = `SELECT ${COLS} FROM ${TABLE} WHERE id = ?`;\nfunction f(conn, id) {\n  conn.query(\"SELECT \" + COLS + \" FROM \" + TABLE + \" WHERE id = ?\", [id]);\n  conn.execute(BY_ID, [id]);\n  conn.query([\"SELECT id\", \"FROM users\", \"WHERE id = ?\"].join(\" \"), [id]);\n}\n";
        let c = js(src);
        assert_eq!(c.len(), 3, "{c:#?}");
        assert!(
            c.iter().all(|c| c.construction == Construction::Constant),
            "{c:#?}"
        );
        assert_eq!(c[0].sql, "SELECT id, name FROM users WHERE id = ?");
        assert_eq!(c[0].line, 3);
        assert_eq!(c[0].sink.as_deref(), Some("conn.execute"));
        assert_eq!(c[1].sql, "SELECT id, name FROM users WHERE id = ?");
        assert_eq!(c[2].sql, "SELECT id FROM users WHERE id = ?");
    }

    #[test]
    fn safe_tags_escapes_and_numbers() {
        let src = "async function f(prisma, mysql, connection, req, ids) {\n  const a = sql`SELECT * FROM users WHERE id = ${req.params.id}`;\n  await prisma.$queryRaw`SELECT * FROM users WHERE name = ${req.query.name}`;\n  connection.query(\"SELECT * FROM users WHERE name = \" + connection.escape(req.query.name));\n  connection.query(\"SELECT * FROM \" + mysql.escapeId(req.query.t));\n  connection.query(\"SELECT * FROM users LIMIT \" + parseInt(req.query.n, 10));\n  connection.query(`SELECT * FROM users WHERE id IN (${ids.map(() => '?').join(',')})`, ids);\n  return a;\n}\n";
        let c = js(src);
        assert_eq!(c.len(), 6, "{c:#?}");
        assert_eq!(how(&c[0]), "constant");
        assert_eq!(c[0].sql, "SELECT * FROM users WHERE id = $1");
        assert_eq!(how(&c[1]), "constant");
        assert_eq!(c[1].sink.as_deref(), Some("prisma.$queryRaw"));
        assert_eq!(how(&c[2]), "safe connection.escape");
        assert_eq!(how(&c[3]), "safe mysql.escapeId");
        assert_eq!(how(&c[4]), "safe numeric value");
        assert_eq!(how(&c[5]), "safe repeated constant");
    }

    #[test]
    fn typescript_numeric_types() {
        let src = "export async function page(db: Pool, limit: number, name: string): Promise<void> {\n  await db.query(`SELECT * FROM users LIMIT ${limit}`);\n  await db.query(`SELECT * FROM users WHERE name = '${name}'`);\n  const n: number = Number(name);\n  await db.query(\"SELECT * FROM users OFFSET \" + n);\n  await prisma.$queryRawUnsafe(`SELECT * FROM users WHERE name = '${name}'`);\n}\n";
        let c = ts(src);
        assert_eq!(c.len(), 4, "{c:#?}");
        assert_eq!(how(&c[0]), "safe numeric value");
        assert_eq!(how(&c[1]), "dynamic template literal");
        assert_eq!(how(&c[2]), "safe numeric value");
        assert_eq!(how(&c[3]), "dynamic template literal");
        assert_eq!(c[3].bind_args, Some(0));
    }

    #[test]
    fn prose_messages_and_parameters_are_not_candidates() {
        let src = "const i18n = { pick: \"Select a user from the list\", up: \"Update from the server.\" };\nit('builds', () => { expect(build(1)).toBe(`SELECT * FROM users WHERE id = ${x}`); });\nfunction f(db, sql, x) {\n  console.log(`SELECT from ${x} failed`);\n  logger.error(\"update of \" + x + \" failed\");\n  throw new Error(`select from where ${x}`);\n  db.query(sql);\n  const label = \"Select a user\";\n  client.query({ query: GET_USER });\n  redis.execute(\"GET\", x);\n}\n";
        assert!(js(src).is_empty(), "{:#?}", js(src));
    }

    #[test]
    fn pg_config_objects_and_bare_sinks() {
        let src = "import { query } from './db';\nexport const get = async (id) => {\n  await pool.query({ text: 'SELECT * FROM users WHERE id = $1', values: [id] });\n  return query(`DELETE FROM users WHERE id = ${id}`);\n};\n";
        let c = js(src);
        assert_eq!(c.len(), 2, "{c:#?}");
        assert_eq!(c[0].bind_args, Some(1));
        assert_eq!(c[0].function.as_deref(), Some("get"));
        assert_eq!(how(&c[1]), "dynamic template literal");
        assert_eq!(c[1].sink.as_deref(), Some("query"));
    }

    #[test]
    fn allow_lists_fields_and_self_append() {
        let src = "class Repo {\n  constructor(db) { this.db = db; this.table = \"users\"; }\n  find(id) { return this.db.query(`SELECT * FROM ${this.table} WHERE id = $1`, [id]); }\n  async sorted(sort: string, name: string) {\n    const allowed = { name: \"name\", date: \"created_at\" };\n    await this.db.query<Row>(`SELECT * FROM users ORDER BY ${allowed[sort] || \"id\"}`);\n    let q = \"SELECT * FROM users WHERE 1 = 1\";\n    q = q + \" AND name = '\" + name + \"'\";\n    await this.db.query(q);\n    this.db.createQueryBuilder().where(`u.name = '${name}'`).where(\"u.id = :id\", { id: 1 });\n  }\n}\n";
        let c = ts(src);
        let got: Vec<(usize, String, Option<&str>)> = c
            .iter()
            .map(|c| (c.line, how(c), c.sink.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (3, "constant".to_string(), Some("this.db.query")),
                (6, "constant".to_string(), Some("this.db.query")),
                (
                    7,
                    "dynamic concatenation".to_string(),
                    Some("this.db.query")
                ),
                (
                    10,
                    "dynamic template literal".to_string(),
                    Some("this.db.createQueryBuilder().where")
                ),
            ],
            "{c:#?}"
        );
        assert_eq!(c[0].sql, "SELECT * FROM users WHERE id = $1");
    }

    #[test]
    fn tsx_and_broken_source_do_not_panic() {
        let _ = TsxExtractor.extract("const A = () => <div>{db.query(`SELECT ${x}`)}</div>;");
        for src in [
            "function (",
            "db.query(`SELECT ${",
            "\"\\",
            "`${`${`",
            "a + + + ",
        ] {
            let _ = js(src);
            let _ = ts(src);
        }
        let deep = [
            format!("db.query(\"SELECT \" {} );", "+ x ".repeat(5000)),
            format!(
                "{}db.query(\"SELECT \" + x){}",
                "f(() => {".repeat(3000),
                "})".repeat(3000)
            ),
            format!("q = {}\"SELECT\"{};", "(".repeat(5000), ")".repeat(5000)),
            format!("q = `SELECT ${{{}`", "`${".repeat(3000)),
        ];
        for src in deep {
            let handle = std::thread::Builder::new()
                .stack_size(2 * 1024 * 1024)
                .spawn(move || (js(&src).len(), ts(&src).len()))
                .unwrap_or_else(|_| unreachable!());
            assert!(handle.join().is_ok());
        }
    }
}
