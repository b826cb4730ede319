//! Java front end: JDBC (`Statement`, `Connection.prepareStatement`), Spring `JdbcTemplate`,
//! JPA/Hibernate (`createQuery`, `createNativeQuery`, native `@Query`), with the SQL built by
//! literals, text blocks, `+`, `+=`, `String.format`, `.formatted()`, `StringBuilder`,
//! `String.join`.
//!
//! Data flow is followed the way OWASP-Benchmark-style code needs: conditions, `switch`
//! selectors and indexes made of local constants are evaluated (only the live branch of
//! `cond ? a : b`, `if` and `switch` is read); local lists and maps are modelled element by
//! element while every change to them is on straight-line code; a helper method of the file
//! whose every `return` is constant yields that constant.

use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use super::common::{
    FormatArg, Hole, Str, children, fold_braces, fold_printf, parse, position, text, unescape_c,
};
use super::flow::{EXTERNAL_CONSTANT, Entries, Flow, Var, has_text, join, list_index, map_lookup};
use crate::scan::candidate::{Candidate, Construction, Extractor, Sinks};

/// Files beyond this size (generated code) are not read.
const MAX_FILE: usize = 2 * 1024 * 1024;
/// Syntax nesting beyond this depth is not followed (bounded recursion).
const MAX_DEPTH: usize = 200;

pub struct JavaExtractor;

impl Extractor for JavaExtractor {
    fn extensions(&self) -> &'static [&'static str] {
        &["java"]
    }

    fn sinks(&self) -> Option<Sinks> {
        Some(PREFILTER)
    }

    fn extract(&self, source: &str) -> Vec<Candidate> {
        if source.len() > MAX_FILE {
            return Vec::new();
        }
        let Some(tree) = parse(source, tree_sitter_java::LANGUAGE.into()) else {
            return Vec::new();
        };
        let root = tree.root_node();
        let (enums, classes, called) = type_names(root, source);
        // First pass: which helper methods of the file (those it calls) return a constant.
        let returns = if called.is_empty() {
            HashMap::new()
        } else {
            let mut pre = Java::new(source, enums.clone(), classes.clone(), HashMap::new());
            pre.summarising = true;
            pre.called = called;
            pre.visit(root);
            pre.constant_returns()
        };
        let mut j = Java::new(source, enums, classes, returns);
        j.visit(root);
        j.flow
            .finish()
            .into_iter()
            .filter(|c| !jpql_not_sql(c))
            .collect()
    }
}

/// The sinks as the prefilter looks for them: `name(`, and the annotations whose
/// query a JPA native query runs (`@Query(...)`, `@NamedNativeQuery(...)`).
const PREFILTER: Sinks = Sinks {
    names: &[SINKS, &["Query", "NamedNativeQuery"]],
    receiver_names: &[],
    receiver_words: &[],
    call_marks: b"",
};

/// Methods that take SQL as their first argument (receiver ignored).
const SINKS: &[&str] = &[
    "executeQuery",
    "executeUpdate",
    "executeLargeUpdate",
    "execute",
    "addBatch",
    "prepareStatement",
    "prepareCall",
    "query",
    "queryForObject",
    "queryForList",
    "queryForMap",
    "queryForRowSet",
    "queryForStream",
    "update",
    "batchUpdate",
    "createQuery",
    "createNativeQuery",
    "createSQLQuery",
    "createUpdate",
];

/// Sinks whose extra arguments are bind values (JdbcTemplate); on JDBC/JPA calls they are
/// options, and values are bound separately.
const BINDING_SINKS: &[&str] = &[
    "query",
    "queryForObject",
    "queryForList",
    "queryForMap",
    "queryForRowSet",
    "queryForStream",
    "update",
];

const NUMERIC_CLASSES: &[&str] = &[
    "Integer",
    "Long",
    "Short",
    "Byte",
    "Double",
    "Float",
    "Boolean",
    "BigDecimal",
    "BigInteger",
    "Number",
    "AtomicInteger",
    "AtomicLong",
    "UUID",
];

/// Methods whose string arguments are messages, not SQL.
const LOG_METHODS: &[&str] = &[
    "println",
    "print",
    "printf",
    "debug",
    "info",
    "warn",
    "warning",
    "error",
    "trace",
    "fatal",
    "log",
    "severe",
    "fine",
    "finer",
    "finest",
    "config",
    "fail",
    "assertEquals",
    "compile",
    "assertThat",
    "assertTrue",
    "assertFalse",
    "assertNotNull",
    "requireNonNull",
];

/// A JPQL/HQL query (entity names, `SELECT u FROM User u`) is not SQL: not judged against
/// the tables unless built at run time (then it is still an injection).
fn jpql_not_sql(c: &Candidate) -> bool {
    if matches!(c.construction, Construction::Dynamic { .. }) {
        return false;
    }
    let jpa_sink = match &c.sink {
        None => true,
        Some(s) => {
            let m = s.rsplit('.').next().unwrap_or(s);
            m == "createQuery"
        }
    };
    jpa_sink && looks_like_jpql(&c.sql)
}

/// A name after FROM/JOIN/UPDATE/INTO is an entity (`User`, `OrderItem`): capitalised with
/// lower-case letters, or a path (`u.orders`) after JOIN.
fn looks_like_jpql(sql: &str) -> bool {
    let words: Vec<&str> = sql
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(2).any(|w| {
        let kw = w[0].to_ascii_lowercase();
        let name = w[1];
        matches!(kw.as_str(), "from" | "join" | "update" | "into")
            && name.starts_with(|c: char| c.is_ascii_uppercase())
            && name.chars().any(|c| c.is_ascii_lowercase())
            && !name.contains('"')
    })
}

/// A compile-time value (Java semantics, `int` range): what decides a condition, a `switch`
/// or an index.
#[derive(Debug, Clone, PartialEq)]
enum CVal {
    Int(i64),
    Char(char),
    Bool(bool),
    Str(String),
}

impl CVal {
    fn num(&self) -> Option<i64> {
        match self {
            CVal::Int(i) => Some(*i),
            CVal::Char(c) => Some(i64::from(u32::from(*c))),
            _ => None,
        }
    }

    fn text(&self) -> String {
        match self {
            CVal::Int(i) => i.to_string(),
            CVal::Char(c) => c.to_string(),
            CVal::Bool(b) => b.to_string(),
            CVal::Str(s) => s.clone(),
        }
    }

    /// `==` of two constants (`None` for strings: `==` compares references).
    fn same(&self, other: &CVal) -> Option<bool> {
        match (self, other) {
            (CVal::Bool(a), CVal::Bool(b)) => Some(a == b),
            _ => Some(self.num()? == other.num()?),
        }
    }
}

/// An `int` result, `None` on overflow (the value is then not followed).
fn int(v: i64) -> Option<CVal> {
    (i64::from(i32::MIN)..=i64::from(i32::MAX))
        .contains(&v)
        .then_some(CVal::Int(v))
}

fn parse_int(t: &str) -> Option<i64> {
    let t = t.replace('_', "");
    let t = t.trim_end_matches(['l', 'L']);
    let lower = t.to_ascii_lowercase();
    if let Some(h) = lower.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()
    } else if let Some(b) = lower.strip_prefix("0b") {
        i64::from_str_radix(b, 2).ok()
    } else if t.len() > 1 && t.starts_with('0') {
        i64::from_str_radix(&t[1..], 8).ok()
    } else {
        t.parse().ok()
    }
}

/// A local variable (or parameter) of the method being read.
#[derive(Debug, Clone, Default)]
struct Local {
    /// The block (node id) whose statements declared it.
    block: Option<usize>,
    /// Its value, when it is an effectively final constant.
    value: Option<CVal>,
    /// A collection whose every change was seen, in order, on straight-line code of its
    /// declaring block: its elements are known by position / key.
    exact: bool,
    /// Holds `X.valueOf(..)` of a class not declared in the file, typed `X`: an enum constant
    /// for `.name()` / `.ordinal()` (its `toString()` may be anything).
    enum_like: bool,
}

/// The variables of one method (or lambda, initializer block); frame 0 holds `final` fields.
#[derive(Debug, Default)]
struct Frame {
    locals: HashMap<String, Local>,
}

/// The hole standing for a collection element / map value not known.
const ELEMENT: &str = "collection element";
const MAP_VALUE: &str = "map value";

/// Statements that leave a `switch` group.
const JUMPS: &[&str] = &[
    "break_statement",
    "return_statement",
    "throw_statement",
    "continue_statement",
    "yield_statement",
];

/// List methods that do not change the list.
const LIST_READS: &[&str] = &[
    "get",
    "size",
    "isEmpty",
    "contains",
    "containsAll",
    "indexOf",
    "lastIndexOf",
    "stream",
    "iterator",
    "forEach",
    "toArray",
    "equals",
    "hashCode",
    "toString",
    "getFirst",
    "getLast",
    "length",
    "clone",
];

/// Map methods that do not change the map.
const MAP_READS: &[&str] = &[
    "get",
    "getOrDefault",
    "containsKey",
    "containsValue",
    "size",
    "isEmpty",
    "keySet",
    "forEach",
    "equals",
    "hashCode",
    "toString",
];

/// Classes whose `valueOf` does not yield an enum constant.
const NOT_ENUMS: &[&str] = &[
    "String",
    "Character",
    "CharSequence",
    "Object",
    "StringBuilder",
    "StringBuffer",
];

/// Names of the enums and of all classes (interfaces, records, enums) declared in the file,
/// and of its methods that return a value and whose name is written again (a call,
/// probably): the helpers whose `return`s are worth reading.
fn type_names(root: Node, src: &str) -> (HashSet<String>, HashSet<String>, HashSet<String>) {
    let mut enums = HashSet::new();
    let mut classes = HashSet::new();
    let mut helpers = HashSet::new();
    let mut stack = vec![root];
    let mut steps = 0;
    while let Some(n) = stack.pop() {
        steps += 1;
        if steps > 200_000 {
            break;
        }
        let k = n.kind();
        if k == "method_declaration"
            && field(n, "type").is_some_and(|t| t.kind() != "void_type")
            && let Some(name) = field(n, "name")
        {
            let name = text(name, src);
            if src.match_indices(&format!("{name}(")).nth(1).is_some() {
                helpers.insert(name.to_string());
            }
        }
        if k.ends_with("_declaration")
            && !matches!(
                k,
                "method_declaration"
                    | "constructor_declaration"
                    | "field_declaration"
                    | "local_variable_declaration"
            )
            && let Some(name) = field(n, "name")
        {
            let name = text(name, src).to_string();
            if k == "enum_declaration" {
                enums.insert(name.clone());
            }
            classes.insert(name);
        }
        if k == "program" || k.ends_with("_declaration") || k.ends_with("_body") {
            stack.extend(children(n));
        }
    }
    (enums, classes, helpers)
}

/// Calls `f` on every node under `root` (itself included) in preorder, without allocating;
/// `false` when it stopped after `limit` nodes.
fn preorder<'t>(root: Node<'t>, limit: usize, mut f: impl FnMut(Node<'t>)) -> bool {
    let mut c = root.walk();
    let mut steps = 0;
    loop {
        f(c.node());
        steps += 1;
        if steps >= limit {
            return false;
        }
        if c.goto_first_child() {
            continue;
        }
        loop {
            if c.depth() == 0 {
                return true;
            }
            if c.goto_next_sibling() {
                break;
            }
            if !c.goto_parent() {
                return true;
            }
        }
    }
}

/// Block `b` (a node id) contains `n`.
fn encloses(b: usize, n: Node) -> bool {
    let mut cur = n.parent();
    let mut steps = 0;
    while let Some(p) = cur {
        steps += 1;
        if p.id() == b {
            return true;
        }
        if steps > 10_000 {
            return false;
        }
        cur = p.parent();
    }
    false
}

/// The id of the block whose statement `n` (an expression) is: `n` must be the whole
/// expression of an expression statement directly in a block or a `switch` group.
fn statement_block(n: Node) -> Option<usize> {
    let stmt = n.parent()?;
    if stmt.kind() != "expression_statement" {
        return None;
    }
    let b = stmt.parent()?;
    matches!(
        b.kind(),
        "block" | "constructor_body" | "switch_block_statement_group"
    )
    .then(|| b.id())
}

struct Java<'s> {
    src: &'s str,
    flow: Flow,
    depth: usize,
    frames: Vec<Frame>,
    enums: HashSet<String>,
    classes: HashSet<String>,
    /// Methods of the file whose every `return` is constant (or safe): name → a value.
    returns: HashMap<String, Str>,
    /// First pass: collecting `return` values instead of candidates.
    summarising: bool,
    /// While summarising: per method being read (`None` for a lambda), its name and the
    /// values of its `return`s (`None` for one not known).
    ret_stack: Vec<Option<(String, Vec<Option<Str>>)>>,
    /// While summarising: every method name seen → its values (`None` once one is not
    /// constant).
    seen_returns: HashMap<String, Option<Str>>,
    /// While summarising: the methods worth reading (see [`type_names`]).
    called: HashSet<String>,
    /// Per body (node id): the names assigned in it (see [`Java::effectively_final`]).
    assigned: HashMap<usize, HashSet<String>>,
}

fn field<'t>(n: Node<'t>, name: &str) -> Option<Node<'t>> {
    n.child_by_field_name(name)
}

fn fields<'t>(n: Node<'t>, name: &str) -> Vec<Node<'t>> {
    let mut c = n.walk();
    n.children_by_field_name(name, &mut c).collect()
}

fn args_of(call: Node) -> Vec<Node> {
    field(call, "arguments")
        .map(|a| {
            children(a)
                .into_iter()
                .filter(|c| !matches!(c.kind(), "line_comment" | "block_comment"))
                .collect()
        })
        .unwrap_or_default()
}

fn unparen(mut n: Node) -> Node {
    while n.kind() == "parenthesized_expression" {
        match children(n)
            .into_iter()
            .find(|c| !matches!(c.kind(), "line_comment" | "block_comment"))
        {
            Some(c) => n = c,
            None => break,
        }
    }
    n
}

fn is_constant_name(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The value of a text block: incidental indentation and the opening line removed, trailing
/// spaces stripped, then escapes decoded.
fn text_block(raw: &str) -> String {
    let inner = raw.strip_prefix("\"\"\"").unwrap_or(raw);
    let inner = inner.strip_suffix("\"\"\"").unwrap_or(inner);
    let inner = match inner.find('\n') {
        Some(i) => &inner[i + 1..],
        None => inner,
    };
    let inner = inner.replace('\r', "");
    let lines: Vec<&str> = inner.split('\n').collect();
    let indent = lines
        .iter()
        .enumerate()
        .filter(|(i, l)| !l.trim().is_empty() || *i == lines.len() - 1)
        .map(|(_, l)| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let stripped: Vec<String> = lines
        .iter()
        .map(|l| {
            let cut = l
                .char_indices()
                .nth(indent)
                .map(|(i, _)| i)
                .unwrap_or(l.len());
            let cut = if l[..cut].trim().is_empty() { cut } else { 0 };
            l[cut..].trim_end().to_string()
        })
        .collect();
    unescape_c(&stripped.join("\n").replace("\\s", " "))
}

impl<'s> Java<'s> {
    fn new(
        src: &'s str,
        enums: HashSet<String>,
        classes: HashSet<String>,
        returns: HashMap<String, Str>,
    ) -> Self {
        Java {
            src,
            flow: Flow::new(),
            depth: 0,
            frames: vec![Frame::default()],
            enums,
            classes,
            returns,
            summarising: false,
            ret_stack: Vec::new(),
            seen_returns: HashMap::new(),
            called: HashSet::new(),
            assigned: HashMap::new(),
        }
    }

    /// After the first pass: methods whose every `return` is constant.
    fn constant_returns(&self) -> HashMap<String, Str> {
        self.seen_returns
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.clone()?)))
            .collect()
    }

    /// Records the `return` values of one method (bodies only; overloads must all agree).
    fn merge_returns(&mut self, name: String, values: Vec<Option<Str>>) {
        let constant = !values.is_empty()
            && values
                .iter()
                .all(|v| v.as_ref().is_some_and(|v| v.dynamic().is_none()));
        let v = if constant { values[0].clone() } else { None };
        let merged = match self.seen_returns.get(&name) {
            Some(prev) => prev.clone().and(v),
            None => v,
        };
        self.seen_returns.insert(name, merged);
    }

    // ---------------------------------------------------------------- locals and constants

    /// Enters a method, lambda or initializer: a frame of its own.
    fn push_frame(&mut self) {
        self.frames.push(Frame::default());
    }

    fn pop_frame(&mut self) {
        if self.frames.len() > 1 {
            self.frames.pop();
        }
    }

    /// Names on the left of an assignment or in `++`/`--` anywhere under `n` (`*` when the
    /// body is too large to read: then nothing is effectively final).
    fn assigned_names(&self, n: Node) -> HashSet<String> {
        let mut out = HashSet::new();
        let complete = preorder(n, 400_000, |x| match x.kind() {
            "assignment_expression" => {
                if let Some(l) = field(x, "left") {
                    let l = unparen(l);
                    match l.kind() {
                        "identifier" => {
                            out.insert(self.t(l).to_string());
                        }
                        "field_access" => {
                            if let Some(f) = field(l, "field") {
                                out.insert(self.t(f).to_string());
                            }
                        }
                        _ => {}
                    }
                }
            }
            "update_expression" => {
                for c in children(x) {
                    let c = unparen(c);
                    if c.kind() == "identifier" {
                        out.insert(self.t(c).to_string());
                    }
                }
            }
            _ => {}
        });
        if !complete {
            out.insert("*".to_string());
        }
        out
    }

    fn local(&self, name: &str) -> Option<&Local> {
        self.frames.iter().rev().find_map(|f| f.locals.get(name))
    }

    fn local_mut(&mut self, name: &str) -> Option<&mut Local> {
        self.frames
            .iter_mut()
            .rev()
            .find_map(|f| f.locals.get_mut(name))
    }

    /// The variable is a local of a method (not a field).
    fn is_method_local(&self, name: &str) -> bool {
        self.frames
            .iter()
            .rposition(|f| f.locals.contains_key(name))
            .is_some_and(|i| i > 0)
    }

    fn declare_local(&mut self, name: &str, local: Local) {
        if let Some(f) = self.frames.last_mut() {
            f.locals.insert(name.to_string(), local);
        }
    }

    /// A parameter-like name (parameter, loop or catch variable): known to shadow fields.
    fn declare_opaque(&mut self, name: &str) {
        self.declare_local(name, Local::default());
    }

    /// The local `name` declared at `decl` is never assigned again in the body it lives in
    /// (the nearest method, constructor, lambda or initializer block).
    fn effectively_final(&mut self, decl: Node, name: &str) -> bool {
        let mut cur = decl.parent();
        let mut body = None;
        while let Some(p) = cur {
            match p.kind() {
                "method_declaration"
                | "constructor_declaration"
                | "compact_constructor_declaration"
                | "lambda_expression" => {
                    body = field(p, "body");
                    break;
                }
                "static_initializer" => {
                    body = Some(p);
                    break;
                }
                "block" if p.parent().is_some_and(|g| g.kind() == "class_body") => {
                    body = Some(p);
                    break;
                }
                "class_body" | "program" => break,
                _ => {}
            }
            cur = p.parent();
        }
        let Some(body) = body else {
            return false;
        };
        if !self.assigned.contains_key(&body.id()) {
            let names = self.assigned_names(body);
            self.assigned.insert(body.id(), names);
        }
        self.assigned
            .get(&body.id())
            .is_some_and(|a| !a.contains(name) && !a.contains("*"))
    }

    /// The value of a constant expression over literals, effectively final locals and
    /// `final` fields of the file; `None` when it is not one.
    fn cval(&self, n: Node) -> Option<CVal> {
        self.cval_at(n, 0)
    }

    fn cond(&self, n: Node) -> Option<bool> {
        match self.cval(n)? {
            CVal::Bool(b) => Some(b),
            _ => None,
        }
    }

    fn cval_at(&self, n: Node, d: usize) -> Option<CVal> {
        if d > 64 {
            return None;
        }
        let n = unparen(n);
        let sub = |x: Option<Node>| x.and_then(|x| self.cval_at(x, d + 1));
        match n.kind() {
            "decimal_integer_literal"
            | "hex_integer_literal"
            | "octal_integer_literal"
            | "binary_integer_literal" => int(parse_int(self.t(n))?),
            "character_literal" => {
                let t = self.t(n);
                let inner = t.strip_prefix('\'').unwrap_or(t);
                let inner = inner.strip_suffix('\'').unwrap_or(inner);
                let u = unescape_c(inner);
                let mut cs = u.chars();
                let c = cs.next()?;
                cs.next().is_none().then_some(CVal::Char(c))
            }
            "string_literal" => {
                let t = self.t(n);
                if t.starts_with("\"\"\"") {
                    return None;
                }
                let inner = t.strip_prefix('"').unwrap_or(t);
                let inner = inner.strip_suffix('"').unwrap_or(inner);
                Some(CVal::Str(unescape_c(inner)))
            }
            "true" => Some(CVal::Bool(true)),
            "false" => Some(CVal::Bool(false)),
            "identifier" => {
                let l = self.local(self.t(n))?;
                let v = l.value.as_ref()?;
                // A local of a block the use is not in (a sibling's) is not this name.
                match l.block {
                    Some(b) if !encloses(b, n) => None,
                    _ => Some(v.clone()),
                }
            }
            "field_access" => {
                let o = field(n, "object")?;
                let f = self.t(field(n, "field")?);
                let own = o.kind() == "this"
                    || (o.kind() == "identifier" && self.classes.contains(self.t(o)));
                if own {
                    self.frames.first()?.locals.get(f)?.value.clone()
                } else {
                    None
                }
            }
            "unary_expression" => {
                let v = sub(field(n, "operand"))?;
                match field(n, "operator").map(|o| self.t(o))? {
                    "-" => int(-v.num()?),
                    "+" => int(v.num()?),
                    "~" => int(!v.num()?),
                    "!" => match v {
                        CVal::Bool(b) => Some(CVal::Bool(!b)),
                        _ => None,
                    },
                    _ => None,
                }
            }
            "binary_expression" => {
                let op = field(n, "operator").map(|o| self.t(o))?;
                let l = sub(field(n, "left"));
                let r = sub(field(n, "right"));
                if op == "&&" || op == "||" {
                    let b = |v: &Option<CVal>| match v {
                        Some(CVal::Bool(b)) => Some(*b),
                        _ => None,
                    };
                    let (lb, rb) = (b(&l), b(&r));
                    // A decided side decides the whole (its other side's value cannot matter).
                    let decisive = op == "||";
                    if lb == Some(decisive) || rb == Some(decisive) {
                        return Some(CVal::Bool(decisive));
                    }
                    return Some(CVal::Bool(if decisive { lb? || rb? } else { lb? && rb? }));
                }
                let (l, r) = (l?, r?);
                if op == "+" && (matches!(l, CVal::Str(_)) || matches!(r, CVal::Str(_))) {
                    return Some(CVal::Str(l.text() + &r.text()));
                }
                if let (CVal::Bool(a), CVal::Bool(b)) = (&l, &r) {
                    return match op {
                        "==" => Some(CVal::Bool(a == b)),
                        "!=" | "^" => Some(CVal::Bool(a != b)),
                        "&" => Some(CVal::Bool(*a && *b)),
                        "|" => Some(CVal::Bool(*a || *b)),
                        _ => None,
                    };
                }
                match op {
                    "==" => return l.same(&r).map(CVal::Bool),
                    "!=" => return l.same(&r).map(|b| CVal::Bool(!b)),
                    _ => {}
                }
                let (a, b) = (l.num()?, r.num()?);
                match op {
                    "+" => int(a.checked_add(b)?),
                    "-" => int(a.checked_sub(b)?),
                    "*" => int(a.checked_mul(b)?),
                    "/" if b != 0 => int(a / b),
                    "%" if b != 0 => int(a % b),
                    "&" => int(a & b),
                    "|" => int(a | b),
                    "^" => int(a ^ b),
                    "<" => Some(CVal::Bool(a < b)),
                    "<=" => Some(CVal::Bool(a <= b)),
                    ">" => Some(CVal::Bool(a > b)),
                    ">=" => Some(CVal::Bool(a >= b)),
                    _ => None,
                }
            }
            "ternary_expression" => match sub(field(n, "condition"))? {
                CVal::Bool(true) => sub(field(n, "consequence")),
                CVal::Bool(false) => sub(field(n, "alternative")),
                _ => None,
            },
            "cast_expression" => {
                let ty = self.t(field(n, "type")?);
                let v = sub(field(n, "value"))?;
                match ty {
                    "int" | "long" => int(v.num()?),
                    "char" => char::from_u32(u32::try_from(v.num()?).ok()?).map(CVal::Char),
                    "String" => matches!(v, CVal::Str(_)).then_some(v),
                    _ => None,
                }
            }
            "method_invocation" => {
                let CVal::Str(s) = sub(field(n, "object"))? else {
                    return None;
                };
                let m = self.t(field(n, "name")?);
                let args = args_of(n);
                let arg = |i: usize| sub(args.get(i).copied());
                let arg_str = |i: usize| match arg(i) {
                    Some(CVal::Str(a)) => Some(a),
                    _ => None,
                };
                if !s.is_ascii() {
                    return None;
                }
                match (m, args.len()) {
                    ("charAt", 1) => {
                        let i = usize::try_from(arg(0)?.num()?).ok()?;
                        s.chars().nth(i).map(CVal::Char)
                    }
                    ("length", 0) => int(i64::try_from(s.len()).ok()?),
                    ("isEmpty", 0) => Some(CVal::Bool(s.is_empty())),
                    ("equals", 1) => Some(CVal::Bool(s == arg_str(0)?)),
                    ("equalsIgnoreCase", 1) => {
                        Some(CVal::Bool(s.eq_ignore_ascii_case(&arg_str(0)?)))
                    }
                    ("startsWith", 1) => Some(CVal::Bool(s.starts_with(&arg_str(0)?))),
                    ("endsWith", 1) => Some(CVal::Bool(s.ends_with(&arg_str(0)?))),
                    ("contains", 1) => Some(CVal::Bool(s.contains(&arg_str(0)?))),
                    ("toUpperCase", 0) => Some(CVal::Str(s.to_ascii_uppercase())),
                    ("toLowerCase", 0) => Some(CVal::Str(s.to_ascii_lowercase())),
                    ("trim", 0) => Some(CVal::Str(s.trim_matches(|c| c <= ' ').to_string())),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The parts of a `switch` (statement or expression) that run for its constant selector,
    /// in order: a group's statements through fall-through up to a jump, or one rule's body.
    /// `None` when the selector or a label is not a known constant.
    fn live_switch<'t>(&self, sw: Node<'t>) -> Option<Vec<Node<'t>>> {
        let sel = self.cval(field(sw, "condition")?)?;
        let items: Vec<Node> = children(field(sw, "body")?)
            .into_iter()
            .filter(|c| matches!(c.kind(), "switch_block_statement_group" | "switch_rule"))
            .collect();
        let mut start = None;
        let mut default = None;
        for (i, item) in items.iter().enumerate() {
            for label in children(*item)
                .into_iter()
                .filter(|c| c.kind() == "switch_label")
            {
                let exprs: Vec<Node> = children(label)
                    .into_iter()
                    .filter(|c| !matches!(c.kind(), "line_comment" | "block_comment"))
                    .collect();
                if exprs.is_empty() {
                    if self.t(label).trim_start().starts_with("default") {
                        default.get_or_insert(i);
                        continue;
                    }
                    return None;
                }
                for e in exprs {
                    let v = self.cval(e)?;
                    let hit = match (&v, &sel) {
                        (CVal::Str(a), CVal::Str(b)) => a == b,
                        _ => v.same(&sel)?,
                    };
                    if hit && start.is_none() {
                        start = Some(i);
                    }
                }
            }
        }
        let Some(start) = start.or(default) else {
            return Some(Vec::new());
        };
        let mut live = Vec::new();
        for item in &items[start..] {
            let body: Vec<Node> = children(*item)
                .into_iter()
                .filter(|c| !matches!(c.kind(), "switch_label" | "line_comment" | "block_comment"))
                .collect();
            if item.kind() == "switch_rule" {
                return Some(body);
            }
            for st in body {
                live.push(st);
                if JUMPS.contains(&st.kind()) {
                    return Some(live);
                }
            }
        }
        Some(live)
    }

    fn t(&self, n: Node) -> &'s str {
        text(n, self.src)
    }

    fn pos(&self, n: Node) -> (usize, usize) {
        position(n, self.src)
    }

    fn numeric_type(&self, t: Node) -> bool {
        match t.kind() {
            "integral_type" | "floating_point_type" | "boolean_type" => true,
            "type_identifier" | "scoped_type_identifier" => {
                // An enum of this file prints one of its constants' names.
                let s = self.t(t);
                let s = s.rsplit('.').next().unwrap_or(s);
                NUMERIC_CLASSES.contains(&s) || self.enums.contains(s)
            }
            _ => false,
        }
    }

    fn builder_type(&self, t: &str) -> bool {
        matches!(t, "StringBuilder" | "StringBuffer")
    }

    fn list_type(&self, t: Node) -> bool {
        let s: String = self.t(t).split_whitespace().collect();
        s == "String[]" || s.ends_with("<String>")
    }

    // ---------------------------------------------------------------- visiting

    fn visit(&mut self, n: Node) {
        if self.depth > MAX_DEPTH {
            return;
        }
        self.depth += 1;
        self.visit_inner(n);
        self.depth -= 1;
    }

    fn visit_inner(&mut self, n: Node) {
        match n.kind() {
            "line_comment" | "block_comment" | "import_declaration" | "package_declaration" => {}
            "class_body"
            | "interface_body"
            | "enum_body"
            | "enum_body_declarations"
            | "annotation_type_body" => {
                // Fields first, so methods see constants declared below them.
                let members = children(n);
                for m in &members {
                    if matches!(m.kind(), "field_declaration" | "constant_declaration") {
                        self.declaration(*m);
                    }
                }
                for m in members {
                    if m.kind() == "block" {
                        // An instance initializer.
                        self.body_frame(m);
                    } else if !matches!(m.kind(), "field_declaration" | "constant_declaration") {
                        self.visit(m);
                    }
                }
            }
            "static_initializer" => {
                for b in children(n) {
                    self.body_frame(b);
                }
            }
            "method_declaration"
            | "constructor_declaration"
            | "compact_constructor_declaration" => {
                let name = field(n, "name").map(|x| self.t(x).to_string());
                // Summarising reads only helpers that are called and return a value.
                let helper = n.kind() == "method_declaration"
                    && field(n, "type").is_some_and(|t| t.kind() != "void_type")
                    && name.as_ref().is_some_and(|m| self.called.contains(m));
                if self.summarising && !helper {
                    return;
                }
                self.flow.enter(name.clone());
                let body = field(n, "body");
                self.push_frame();
                self.ret_stack.push(name.map(|m| (m, Vec::new())));
                for c in children(n) {
                    match c.kind() {
                        "formal_parameters" => self.parameters(c),
                        "modifiers" => self.visit(c),
                        "block" | "constructor_body" => self.visit(c),
                        _ => {}
                    }
                }
                if let Some(Some((m, values))) = self.ret_stack.pop()
                    && self.summarising
                    && body.is_some()
                {
                    self.merge_returns(m, values);
                }
                self.pop_frame();
                self.flow.leave();
            }
            "return_statement" if self.summarising => {
                let e = children(n)
                    .into_iter()
                    .find(|c| !matches!(c.kind(), "line_comment" | "block_comment"));
                match (e, self.ret_stack.last().is_some_and(|r| r.is_some())) {
                    (Some(e), true) => {
                        let v = self.eval(e);
                        if let Some(Some((_, values))) = self.ret_stack.last_mut() {
                            values.push(v);
                        }
                    }
                    _ => {
                        for c in children(n) {
                            self.visit(c);
                        }
                    }
                }
            }
            "if_statement" => {
                // A constant condition: only the branch that runs is read.
                match field(n, "condition").and_then(|c| self.cond(c)) {
                    Some(true) => {
                        if let Some(c) = field(n, "consequence") {
                            self.visit(c);
                        }
                    }
                    Some(false) => {
                        if let Some(a) = field(n, "alternative") {
                            self.visit(a);
                        }
                    }
                    None => {
                        for c in children(n) {
                            self.visit(c);
                        }
                    }
                }
            }
            "ternary_expression" => {
                let live = match field(n, "condition").and_then(|c| self.cond(c)) {
                    Some(true) => field(n, "consequence"),
                    Some(false) => field(n, "alternative"),
                    None => None,
                };
                match live {
                    Some(x) => self.visit(x),
                    None => {
                        for c in children(n) {
                            self.visit(c);
                        }
                    }
                }
            }
            "switch_expression" => match self.live_switch(n) {
                Some(live) => {
                    for x in live {
                        self.visit(x);
                    }
                }
                None => {
                    for c in children(n) {
                        self.visit(c);
                    }
                }
            },
            "lambda_expression" => {
                self.flow.enter(None);
                self.push_frame();
                self.ret_stack.push(None);
                if let Some(p) = field(n, "parameters") {
                    match p.kind() {
                        "formal_parameters" => self.parameters(p),
                        _ => {
                            let names = if p.kind() == "identifier" {
                                vec![p]
                            } else {
                                children(p)
                            };
                            for x in names {
                                let name = self.t(x).to_string();
                                self.flow.declare(&name, Var::Other);
                                self.declare_opaque(&name);
                            }
                        }
                    }
                }
                if let Some(b) = field(n, "body") {
                    self.visit(b);
                }
                self.ret_stack.pop();
                self.pop_frame();
                self.flow.leave();
            }
            "local_variable_declaration" | "field_declaration" | "constant_declaration" => {
                self.declaration(n)
            }
            "assignment_expression" => self.assignment(n),
            "update_expression" => {
                for c in children(n) {
                    if c.kind() == "identifier" {
                        let name = self.t(c).to_string();
                        self.flow.set(&name, Var::Numeric);
                    }
                }
            }
            "enhanced_for_statement" => {
                if let Some(v) = field(n, "value") {
                    self.visit(v);
                }
                self.flow.enter(None);
                if let (Some(ty), Some(name)) = (field(n, "type"), field(n, "name")) {
                    let var = if self.numeric_type(ty) {
                        Var::Numeric
                    } else {
                        self.element_of(field(n, "value"))
                    };
                    let name = self.t(name).to_string();
                    self.flow.declare(&name, var);
                    self.declare_opaque(&name);
                }
                if let Some(b) = field(n, "body") {
                    self.visit(b);
                }
                self.flow.leave();
            }
            "formal_parameter" | "catch_formal_parameter" | "resource" => {
                if let Some(name) = field(n, "name") {
                    let numeric = field(n, "type").is_some_and(|t| self.numeric_type(t));
                    let name = self.t(name).to_string();
                    self.flow
                        .declare(&name, if numeric { Var::Numeric } else { Var::Other });
                    self.declare_opaque(&name);
                }
                if let Some(v) = field(n, "value") {
                    self.visit(v);
                }
            }
            "method_invocation" => self.call(n),
            "object_creation_expression" => {
                let ty = field(n, "type").map(|t| self.t(t)).unwrap_or("");
                if ty.ends_with("Exception") || ty.ends_with("Error") {
                    return;
                }
                for c in children(n) {
                    self.visit(c);
                }
            }
            "string_literal" | "text_block" | "template_expression" => self.root(n),
            "binary_expression" => {
                let plus = field(n, "operator").is_some_and(|o| self.t(o) == "+");
                if plus && self.stringy(n) {
                    self.root(n);
                } else {
                    for c in children(n) {
                        self.visit(c);
                    }
                }
            }
            "annotation" => self.annotation(n),
            "marker_annotation" => {}
            _ => {
                for c in children(n) {
                    self.visit(c);
                }
            }
        }
    }

    fn parameters(&mut self, list: Node) {
        for p in children(list) {
            if !matches!(p.kind(), "formal_parameter" | "spread_parameter") {
                continue;
            }
            let numeric = p.kind() == "formal_parameter"
                && field(p, "type").is_some_and(|t| self.numeric_type(t));
            let name = field(p, "name").or_else(|| {
                children(p)
                    .into_iter()
                    .find(|c| c.kind() == "variable_declarator")
                    .and_then(|d| field(d, "name"))
            });
            if let Some(name) = name {
                let name = self.t(name).to_string();
                self.flow
                    .declare(&name, if numeric { Var::Numeric } else { Var::Other });
                self.declare_opaque(&name);
            }
        }
    }

    /// An initializer block: its own frame (its locals, its assignments).
    fn body_frame(&mut self, b: Node) {
        self.push_frame();
        self.ret_stack.push(None);
        self.visit(b);
        self.ret_stack.pop();
        self.pop_frame();
    }

    /// `@Query(value = "...", nativeQuery = true)` and `@NamedNativeQuery(query = "...")`
    /// hold SQL; other annotations (JPQL `@Query`, `@NamedQuery`) do not.
    fn annotation(&mut self, n: Node) {
        let name = field(n, "name").map(|x| self.t(x)).unwrap_or("");
        let name = name.rsplit('.').next().unwrap_or(name);
        let Some(args) = field(n, "arguments") else {
            return;
        };
        let items = children(args);
        let native = name == "NamedNativeQuery"
            || items.iter().any(|p| {
                p.kind() == "element_value_pair"
                    && field(*p, "key").is_some_and(|k| self.t(k) == "nativeQuery")
                    && field(*p, "value").is_some_and(|v| self.t(v) == "true")
            });
        if !(native && matches!(name, "Query" | "NamedNativeQuery")) {
            return;
        }
        let value = items.iter().find_map(|p| {
            if p.kind() == "element_value_pair" {
                let k = field(*p, "key").map(|k| self.t(k))?;
                matches!(k, "value" | "query").then(|| field(*p, "value"))?
            } else {
                Some(*p)
            }
        });
        if let Some(v) = value
            && let Some(s) = self.eval(v)
            && has_text(&s)
        {
            let rid = self.flow.record(s);
            self.flow.sink(rid, &format!("@{name}"), None, false);
        }
    }

    /// A string-valued expression in a position of its own: a candidate if it has text.
    fn root(&mut self, n: Node) {
        if let Some(v) = self.eval(n)
            && has_text(&v)
        {
            self.flow.record(v);
        }
    }

    /// A `+` chain with a string literal or a known string variable in it (concatenation,
    /// not arithmetic).
    fn stringy(&self, n: Node) -> bool {
        let mut stack = vec![n];
        let mut steps = 0;
        while let Some(x) = stack.pop() {
            steps += 1;
            if steps > 10_000 {
                return false;
            }
            match x.kind() {
                "string_literal" | "text_block" => return true,
                "identifier" => {
                    if matches!(self.flow.lookup(self.t(x)), Some(Var::Rec(_))) {
                        return true;
                    }
                }
                "binary_expression" if field(x, "operator").is_some_and(|o| self.t(o) == "+") => {
                    stack.extend(children(x));
                }
                "parenthesized_expression" => stack.extend(children(x)),
                "method_invocation" => {
                    let name = field(x, "name").map(|f| self.t(f)).unwrap_or("");
                    if matches!(
                        name,
                        "format" | "formatted" | "join" | "toString" | "valueOf"
                    ) || name.starts_with("enquote")
                    {
                        return true;
                    }
                }
                _ => {}
            }
        }
        false
    }

    fn declaration(&mut self, n: Node) {
        let ty = field(n, "type");
        let ty_text: String = ty.map(|t| self.t(t)).unwrap_or("").to_string();
        let is_field = n.kind() != "local_variable_declaration";
        let block = if is_field {
            None
        } else {
            n.parent()
                .filter(|p| {
                    matches!(
                        p.kind(),
                        "block" | "constructor_body" | "switch_block_statement_group"
                    )
                })
                .map(|p| p.id())
        };
        let final_field = is_field
            && (n.kind() == "constant_declaration"
                || children(n).iter().any(|c| {
                    c.kind() == "modifiers" && self.t(*c).split_whitespace().any(|w| w == "final")
                }));
        for d in fields(n, "declarator") {
            let Some(name) = field(d, "name") else {
                continue;
            };
            let name = self.t(name).to_string();
            let value = field(d, "value");
            let constant = value.and_then(|v| self.cval(v)).filter(|_| {
                if is_field {
                    final_field
                } else {
                    self.effectively_final(n, &name)
                }
            });
            let (file_enum, enum_like) = value
                .map(|v| self.enum_value(&ty_text, v))
                .unwrap_or_default();
            self.declare_local(
                &name,
                Local {
                    block,
                    value: constant,
                    exact: false,
                    enum_like,
                },
            );
            let numeric = ty.is_some_and(|t| self.numeric_type(t)) || file_enum;
            let list = ty.is_some_and(|t| self.list_type(t));
            let Some(value) = value else {
                let var = if numeric {
                    Var::Numeric
                } else if self.builder_type(&ty_text) {
                    Var::Builder(self.flow.record(Str::empty(self.pos(d))))
                } else if ty_text == "String" {
                    Var::Rec(self.flow.record(Str::empty(self.pos(d))))
                } else {
                    Var::Other
                };
                self.flow.declare(&name, var);
                continue;
            };
            if list && let Some(elems) = self.list_literal(value) {
                self.flow.declare(&name, Var::List(elems));
                self.mark_exact(&name);
                continue;
            }
            if is_field && let Some(map) = self.field_map(n, d, &name, value, final_field) {
                self.flow.declare(&name, map);
                continue;
            }
            self.assign_name(&name, value, true, numeric, false);
        }
    }

    /// A local collection just created: its elements are known by position.
    fn mark_exact(&mut self, name: &str) {
        if self.is_method_local(name)
            && let Some(l) = self.local_mut(name)
        {
            l.exact = true;
        }
    }

    /// `Dir d = Dir.valueOf(s)` (also `var`, `Enum.valueOf(Dir.class, s)`): whether the value
    /// is a constant of an enum of this file (printing it cannot inject), and whether it is
    /// `X.valueOf(..)` typed `X` of a class from elsewhere (an enum, likely, but only its
    /// `name()` is known not to carry the input: `Email.valueOf(s)` may print `s`).
    fn enum_value(&self, ty: &str, v: Node) -> (bool, bool) {
        let v = unparen(v);
        if v.kind() != "method_invocation"
            || field(v, "name").is_none_or(|x| self.t(x) != "valueOf")
        {
            return (false, false);
        }
        let Some(o) = field(v, "object") else {
            return (false, false);
        };
        let o = self.t(o);
        let cls = o.rsplit('.').next().unwrap_or(o);
        let ty = ty.split('<').next().unwrap_or(ty);
        let ty = ty.rsplit('.').next().unwrap_or(ty).trim();
        let file_enum = self.enums.contains(cls)
            || (cls == "Enum" && self.enums.contains(ty) && args_of(v).len() == 2);
        let enum_like = cls == ty && self.enum_value_call(v);
        (file_enum, enum_like)
    }

    /// A `final` map field created empty and filled only by `put`s of constants anywhere in
    /// its class (a static block, typically), otherwise only read: its entries. A map field
    /// used any other way (passed on, returned, changed otherwise, not final) is not known.
    /// `None` when `value` creates no map.
    fn field_map(
        &mut self,
        decl: Node,
        declarator: Node,
        name: &str,
        value: Node,
        final_field: bool,
    ) -> Option<Var> {
        let value = unparen(value);
        if value.kind() != "object_creation_expression" {
            return None;
        }
        let ty = field(value, "type").map(|t| self.t(t)).unwrap_or("");
        let ty = ty.split('<').next().unwrap_or(ty);
        if !ty.rsplit('.').next().unwrap_or(ty).ends_with("Map") {
            return None;
        }
        let fresh = args_of(value).iter().all(|a| self.numeric_expr(*a))
            && !children(value).iter().any(|c| c.kind() == "class_body");
        if !final_field || !fresh {
            return Some(Var::Map(None));
        }
        let body = decl.parent()?;
        let own = field(declarator, "name").map(|x| x.id());
        let mut entries = Vec::new();
        let mut stack = vec![body];
        let mut steps = 0;
        while let Some(x) = stack.pop() {
            steps += 1;
            if steps > 100_000 {
                return Some(Var::Map(None));
            }
            stack.extend(children(x));
            if x.kind() != "identifier" || self.t(x) != name || Some(x.id()) == own {
                continue;
            }
            let mut target = x;
            if let Some(p) = x.parent()
                && p.kind() == "field_access"
                && field(p, "field").is_some_and(|f| f.id() == x.id())
            {
                target = p;
            }
            let call = target.parent().filter(|p| {
                p.kind() == "method_invocation"
                    && field(*p, "object").is_some_and(|o| o.id() == target.id())
            });
            let Some(call) = call else {
                return Some(Var::Map(None));
            };
            let m = field(call, "name").map(|f| self.t(f)).unwrap_or("");
            let args = args_of(call);
            if MAP_READS.contains(&m) {
                continue;
            }
            if m != "put" || args.len() != 2 {
                return Some(Var::Map(None));
            }
            let key = self.cval(args[0]).map(|k| k.text());
            let Some(v) = self.cval(args[1]) else {
                return Some(Var::Map(None));
            };
            entries.push((key, Str::text(v.text(), self.pos(args[1]))));
        }
        Some(Var::Map(Some(entries)))
    }

    fn assignment(&mut self, n: Node) {
        let (Some(l), Some(r)) = (field(n, "left"), field(n, "right")) else {
            return;
        };
        let op = field(n, "operator").map(|o| self.t(o)).unwrap_or("=");
        let name = match l.kind() {
            "identifier" => Some(self.t(l).to_string()),
            "field_access" if field(l, "object").is_some_and(|o| o.kind() == "this") => {
                field(l, "field").map(|f| self.t(f).to_string())
            }
            _ => None,
        };
        if op == "="
            && l.kind() == "array_access"
            && let Some(a) = field(l, "array").map(unparen)
            && a.kind() == "identifier"
            && let Some(Var::List(Some(list))) = self.flow.lookup(self.t(a)).cloned()
            && let Some(index) = field(l, "index")
        {
            // `arr[i] = x`: an element of a known array.
            let name = self.t(a).to_string();
            self.collection_change(n, &name, Var::List(Some(list)), "set", &[index, r]);
            return;
        }
        let Some(name) = name else {
            self.visit(r);
            return;
        };
        match op {
            "=" => {
                // On the declaring block's straight-line code, an assignment replaces the
                // value (the earlier one cannot reach what follows).
                let strong = l.kind() == "identifier"
                    && statement_block(n).is_some()
                    && statement_block(n) == self.local(&name).and_then(|x| x.block);
                self.assign_name(&name, r, false, false, strong)
            }
            "+=" => {
                let v = self
                    .eval(r)
                    .unwrap_or_else(|| Str::hole(Hole::Dynamic("+=".into()), self.pos(r)));
                match self.flow.lookup(&name).cloned() {
                    Some(Var::Rec(rid)) | Some(Var::Builder(rid)) => self.flow.append(rid, v, "+="),
                    Some(Var::Numeric) => {}
                    _ => {
                        let mut base = Str::hole(Hole::Dynamic("+=".into()), self.pos(l));
                        base.push(v);
                        let rid = self.flow.record(base);
                        self.flow.set(&name, Var::Rec(rid));
                    }
                }
            }
            _ => {
                self.visit(r);
                self.flow.set(&name, Var::Numeric);
            }
        }
    }

    fn assign_name(
        &mut self,
        name: &str,
        r: Node,
        define: bool,
        declared_numeric: bool,
        strong: bool,
    ) {
        let r = unparen(r);
        let set = |j: &mut Self, var: Var| {
            if define {
                j.flow.declare(name, var);
            } else {
                j.flow.set(name, var);
            }
        };
        // Aliases: `String sql = sb.toString()`, `String q = SQL`.
        if let Some(var) = self.alias(r) {
            set(self, var);
            return;
        }
        // Builders and collections: `new StringBuilder("SELECT ...")`, `new ArrayList<>()`,
        // `new HashMap<>()`.
        if r.kind() == "object_creation_expression" {
            let ty = field(r, "type").map(|t| self.t(t)).unwrap_or("");
            let ty = ty.split('<').next().unwrap_or(ty);
            let ty = ty.rsplit('.').next().unwrap_or(ty).trim();
            let args = args_of(r);
            // Double-brace initialisation (an anonymous subclass) is not followed.
            let anonymous = children(r).iter().any(|c| c.kind() == "class_body");
            let empty = args.iter().all(|a| self.numeric_expr(*a)) && !anonymous;
            if self.builder_type(ty) {
                let init = self.builder_init(r);
                let rid = self.flow.record(init);
                set(self, Var::Builder(rid));
                return;
            }
            let list = matches!(
                ty,
                "ArrayList" | "LinkedList" | "Vector" | "CopyOnWriteArrayList"
            );
            if list || ty.ends_with("Map") || ty == "Hashtable" {
                let known = match args.as_slice() {
                    _ if anonymous => None,
                    _ if empty => Some(Var::List(Some(Vec::new()))),
                    [a] if list => Some(Var::List(self.list_value(*a))),
                    [a] => Some(Var::Map(self.map_value(*a))),
                    _ => None,
                };
                let var = match known {
                    Some(Var::List(l)) if !list => Var::Map(l.map(|_| Vec::new())),
                    Some(v) => v,
                    None if list => Var::List(None),
                    None => Var::Map(None),
                };
                set(self, var);
                if define && empty {
                    self.mark_exact(name);
                }
                return;
            }
        }
        if let Some(elems) = self.list_literal(r) {
            set(self, Var::List(elems));
            if define {
                self.mark_exact(name);
            }
            return;
        }
        if let Some(map) = self.map_literal(r) {
            set(self, Var::Map(map));
            // String values in the literal are still candidates of their own.
            self.visit(r);
            return;
        }
        if r.kind() == "null_literal" {
            let rid = self.flow.record(Str::empty(self.pos(r)));
            set(self, Var::Rec(rid));
            return;
        }
        let self_ref = !define && self.mentions(r, name);
        match self.eval(r) {
            Some(v) => {
                if !define && !strong && v.dynamic().is_none() && self.holds_run_time_value(name) {
                    // `bar = "safe"` after `bar = param`: flow-insensitive, the run-time
                    // value may still be what reaches the query.
                    self.flow.record(v);
                    return;
                }
                if self_ref && let Some(Var::Rec(rid)) = self.flow.lookup(name).cloned() {
                    self.flow.replace(rid, v);
                    return;
                }
                let rid = self.flow.record(v);
                set(self, Var::Rec(rid));
            }
            None => {
                self.visit(r);
                let numeric = declared_numeric
                    || self.numeric_expr(r)
                    || matches!(self.flow.lookup(name), Some(Var::Numeric));
                set(self, if numeric { Var::Numeric } else { Var::Other });
            }
        }
    }

    /// The initial value of `new StringBuilder(..)`: empty, or with a capacity; the text
    /// given; a run-time value when the argument is not known.
    fn builder_init(&mut self, r: Node) -> Str {
        let pos = self.pos(r);
        let mut init = match args_of(r).first() {
            None => Str::empty(pos),
            Some(a) if self.numeric_expr(*a) => Str::empty(pos),
            Some(a) => self
                .eval(*a)
                .filter(|v| !self.is_number_text(v))
                .unwrap_or_else(|| Str::hole(Hole::Dynamic("StringBuilder".into()), pos)),
        };
        (init.line, init.column) = pos;
        init
    }

    fn is_number_text(&self, v: &Str) -> bool {
        v.is_constant() && v.sql().trim().parse::<f64>().is_ok()
    }

    /// The variable holds a value from elsewhere (a parameter, a call) or text built at
    /// run time: assigning it a constant does not make it constant (flow-insensitive).
    fn holds_run_time_value(&self, name: &str) -> bool {
        match self.flow.lookup(name) {
            Some(Var::Other) => true,
            Some(Var::Rec(rid)) => self.flow.recs[*rid].value.dynamic().is_some(),
            _ => false,
        }
    }

    /// `r` is another name for an existing value (no new candidate).
    fn alias(&mut self, r: Node) -> Option<Var> {
        match r.kind() {
            "identifier" => match self.flow.lookup(self.t(r)).cloned() {
                Some(v @ (Var::Rec(_) | Var::Numeric)) => Some(v),
                Some(v @ (Var::List(_) | Var::Map(_))) => {
                    // Two names for one collection: positions are no longer followed.
                    let name = self.t(r).to_string();
                    if let Some(l) = self.local_mut(&name) {
                        l.exact = false;
                    }
                    Some(v)
                }
                Some(Var::Builder(rid)) => Some(Var::Builder(rid)),
                _ => None,
            },
            "field_access" => {
                let o = field(r, "object")?;
                let f = self.t(field(r, "field")?);
                if o.kind() == "this" || is_constant_name(f) {
                    match self.flow.lookup(f) {
                        Some(v @ (Var::Rec(_) | Var::Numeric | Var::List(_) | Var::Map(_))) => {
                            Some(v.clone())
                        }
                        _ => None,
                    }
                } else {
                    None
                }
            }
            "method_invocation" => {
                let name = self.t(field(r, "name")?);
                let o = unparen(field(r, "object")?);
                if name == "toString"
                    && args_of(r).is_empty()
                    && o.kind() == "identifier"
                    && let Some(Var::Builder(rid)) = self.flow.lookup(self.t(o))
                {
                    return Some(Var::Rec(*rid));
                }
                None
            }
            _ => None,
        }
    }

    /// `{"a", "b"}`, `new String[]{..}`, `List.of(..)`, `Arrays.asList(..)`: the elements
    /// (`Some(None)` when one is not a known string); `None` when `n` is no list literal.
    fn list_literal(&mut self, n: Node) -> Option<Option<Vec<Str>>> {
        let n = unparen(n);
        let elems: Vec<Node> = match n.kind() {
            "array_initializer" => children(n),
            "array_creation_expression" => field(n, "value").map(children)?,
            "method_invocation" => {
                let o = field(n, "object").map(|o| self.t(o)).unwrap_or("");
                let m = field(n, "name").map(|x| self.t(x)).unwrap_or("");
                if matches!((o, m), ("List" | "Set", "of") | ("Arrays", "asList")) {
                    args_of(n)
                } else {
                    return None;
                }
            }
            _ => return None,
        };
        let out = elems.into_iter().map(|e| self.element(e)).collect();
        Some(Some(out))
    }

    /// An element put in a collection: its value, a run-time value when not known.
    fn element(&mut self, e: Node) -> Str {
        self.eval(e)
            .unwrap_or_else(|| Str::hole(Hole::Dynamic(ELEMENT.into()), self.pos(e)))
    }

    /// A constant map key.
    fn key(&self, k: Node) -> Option<String> {
        self.cval(k).map(|v| v.text())
    }

    /// `Map.of(k, v, ..)`, `Map.ofEntries(Map.entry(k, v), ..)`, `ImmutableMap.of(..)`,
    /// `Collections.unmodifiableMap(m)`, `Map.copyOf(m)`: the entries (`Some(None)` when not
    /// known); `None` when `n` is no map literal.
    fn map_literal(&mut self, n: Node) -> Option<Option<Entries>> {
        let n = unparen(n);
        if n.kind() != "method_invocation" {
            return None;
        }
        let o = field(n, "object").map(|o| self.t(o)).unwrap_or("");
        let o = o.rsplit('.').next().unwrap_or(o);
        let m = field(n, "name").map(|x| self.t(x)).unwrap_or("");
        let args = args_of(n);
        match (o, m) {
            ("Map" | "ImmutableMap", "of") => {
                if !args.len().is_multiple_of(2) {
                    return Some(None);
                }
                let entries = args
                    .chunks(2)
                    .map(|kv| (self.key(kv[0]), self.element(kv[1])))
                    .collect();
                Some(Some(entries))
            }
            ("Map", "ofEntries") => {
                let mut entries = Vec::new();
                for a in args {
                    let a = unparen(a);
                    let e = args_of(a);
                    let is_entry = a.kind() == "method_invocation"
                        && field(a, "name").is_some_and(|x| self.t(x) == "entry")
                        && e.len() == 2;
                    if !is_entry {
                        return Some(None);
                    }
                    entries.push((self.key(e[0]), self.element(e[1])));
                }
                Some(Some(entries))
            }
            ("Collections", "unmodifiableMap" | "unmodifiableSortedMap")
            | ("Map" | "ImmutableMap", "copyOf") => {
                Some(args.first().and_then(|a| self.map_value(*a)))
            }
            _ => None,
        }
    }

    /// Entries of a map value: a tracked variable or a map literal.
    fn map_value(&mut self, n: Node) -> Option<Entries> {
        let n = unparen(n);
        if n.kind() == "identifier" {
            return match self.flow.lookup(self.t(n)).cloned() {
                Some(Var::Map(m)) => m,
                _ => None,
            };
        }
        self.map_literal(n).flatten()
    }

    /// A call that changes a local list or map (`add`, `remove`, `set`, `put`, `clear`, ...):
    /// its effect on the tracked elements. `false` when `n` is no such call.
    fn collection_call(&mut self, n: Node, m: &str, args: &[Node]) -> bool {
        let Some(o) = field(n, "object").map(unparen) else {
            return false;
        };
        if o.kind() != "identifier" {
            return false;
        }
        let name = self.t(o).to_string();
        let var = match self.flow.lookup(&name) {
            Some(v @ Var::List(_)) if !LIST_READS.contains(&m) => v.clone(),
            Some(v @ Var::Map(_)) if !MAP_READS.contains(&m) => v.clone(),
            _ => return false,
        };
        if matches!(var, Var::Map(_)) && !self.is_method_local(&name) {
            // A map field is known from its declaration (immutable, or filled by constants).
            return true;
        }
        self.collection_change(n, &name, var, m, args);
        true
    }

    /// Applies one change (`m` with `args`, at statement `n`) to a tracked collection.
    fn collection_change(&mut self, n: Node, name: &str, var: Var, m: &str, args: &[Node]) {
        let straight = self.is_method_local(name)
            && self
                .local(name)
                .and_then(|l| l.block)
                .is_some_and(|b| statement_block(n) == Some(b));
        let mut exact = straight && self.local(name).is_some_and(|l| l.exact);
        let index = |j: &Self, a: Node| match j.cval(a) {
            Some(CVal::Int(i)) => usize::try_from(i).ok(),
            _ => None,
        };
        let var = match var {
            Var::List(Some(mut l)) => {
                let known = match (m, args) {
                    ("add", [x]) => {
                        l.push(self.element(*x));
                        true
                    }
                    ("add", [i, x]) => {
                        let v = self.element(*x);
                        match index(self, *i) {
                            Some(i) if exact && i <= l.len() => l.insert(i, v),
                            _ => {
                                l.push(v);
                                exact = false;
                            }
                        }
                        true
                    }
                    ("set", [i, x]) => {
                        let v = self.element(*x);
                        match index(self, *i) {
                            Some(i) if exact && i < l.len() => l[i] = v,
                            _ => {
                                l.push(v);
                                exact = false;
                            }
                        }
                        true
                    }
                    ("addAll", [x]) => {
                        match self.list_value(*x) {
                            Some(e) => l.extend(e),
                            None => {
                                l.push(Str::hole(Hole::Dynamic(ELEMENT.into()), self.pos(*x)));
                                exact = false;
                            }
                        }
                        true
                    }
                    ("remove", [i]) => {
                        match index(self, *i) {
                            Some(i) if exact && i < l.len() => {
                                l.remove(i);
                            }
                            _ => exact = false,
                        }
                        true
                    }
                    ("clear", []) => {
                        if exact {
                            l.clear();
                        }
                        true
                    }
                    (
                        "removeIf" | "removeAll" | "retainAll" | "sort" | "removeFirst"
                        | "removeLast",
                        _,
                    ) => {
                        exact = false;
                        true
                    }
                    _ => false,
                };
                Var::List((known && l.len() <= 256).then_some(l))
            }
            Var::Map(Some(mut e)) => {
                let known = match (m, args) {
                    ("put", [k, v]) => {
                        let key = self.key(*k);
                        let v = self.element(*v);
                        match e.iter_mut().find(|(k2, _)| key.is_some() && *k2 == key) {
                            Some(slot) if exact => slot.1 = v,
                            _ => {
                                exact &= key.is_some();
                                e.push((key, v));
                            }
                        }
                        true
                    }
                    ("putIfAbsent", [k, v]) => {
                        let entry = (self.key(*k), self.element(*v));
                        e.push(entry);
                        exact = false;
                        true
                    }
                    ("putAll", [x]) => {
                        match self.map_value(*x) {
                            Some(more) => e.extend(more),
                            None => e.push((
                                None,
                                Str::hole(Hole::Dynamic(MAP_VALUE.into()), self.pos(*x)),
                            )),
                        }
                        exact = false;
                        true
                    }
                    ("remove", [k, ..]) => {
                        match self.key(*k) {
                            Some(key) if exact => e.retain(|(k2, _)| k2.as_deref() != Some(&key)),
                            _ => exact = false,
                        }
                        true
                    }
                    ("clear", []) => {
                        if exact {
                            e.clear();
                        }
                        true
                    }
                    _ => false,
                };
                Var::Map((known && e.len() <= 256).then_some(e))
            }
            other => other,
        };
        self.flow.set(name, var);
        if !exact && let Some(l) = self.local_mut(name) {
            l.exact = false;
        }
    }

    /// The value of `xs.get(i)` / `xs[i]` / `m.get(k)` / `m.getOrDefault(k, d)` on a tracked
    /// collection; `None` when not known (or not a tracked collection).
    fn collection_get(&mut self, obj: Node, m: &str, args: &[Node]) -> Option<Str> {
        let obj = unparen(obj);
        let name = match obj.kind() {
            "identifier" => self.t(obj).to_string(),
            "field_access" if field(obj, "object").is_some_and(|o| o.kind() == "this") => {
                self.t(field(obj, "field")?).to_string()
            }
            _ => return None,
        };
        let exact = self.is_method_local(&name) && self.local(&name).is_some_and(|l| l.exact);
        let v = match (self.flow.lookup(&name).cloned()?, m, args) {
            (Var::List(Some(l)), "get", [i]) => {
                let i = match self.cval(*i) {
                    Some(CVal::Int(i)) => Some(i),
                    _ => None,
                };
                list_index(&l, i, exact)
            }
            (Var::Map(Some(e)), "get", [k]) => map_lookup(&e, self.key(*k).as_deref(), exact, None),
            (Var::Map(Some(e)), "getOrDefault", [k, d]) => {
                let d = self.eval(*d);
                map_lookup(&e, self.key(*k).as_deref(), exact, Some(d.as_ref()))
            }
            _ => None,
        }?;
        // An element that is only a value from elsewhere reads as that value: not known.
        let bare = v.constant_text().is_empty()
            && matches!(v.dynamic(), Some(ELEMENT | MAP_VALUE))
            && v.sql() == crate::scan::candidate::dyn_marker(0);
        (!bare).then_some(v)
    }

    /// The loop variable of `for (String c : COLUMNS)` over a known list of constants.
    fn element_of(&mut self, list: Option<Node>) -> Var {
        let Some(l) = list.map(unparen) else {
            return Var::Other;
        };
        if l.kind() != "identifier" {
            return Var::Other;
        }
        match self.flow.lookup(self.t(l)).cloned() {
            Some(Var::List(Some(elems)))
                if !elems.is_empty() && elems.iter().all(|e| e.is_constant()) =>
            {
                Var::Rec(self.flow.record(elems[0].clone()))
            }
            _ => Var::Other,
        }
    }

    fn mentions(&self, n: Node, name: &str) -> bool {
        let mut stack = vec![n];
        let mut steps = 0;
        while let Some(x) = stack.pop() {
            steps += 1;
            if steps > 10_000 {
                return false;
            }
            if x.kind() == "identifier" && self.t(x) == name {
                return true;
            }
            stack.extend(children(x));
        }
        false
    }

    fn numeric_expr(&self, n: Node) -> bool {
        let n = unparen(n);
        match n.kind() {
            "decimal_integer_literal"
            | "hex_integer_literal"
            | "octal_integer_literal"
            | "binary_integer_literal"
            | "decimal_floating_point_literal"
            | "hex_floating_point_literal"
            | "true"
            | "false" => true,
            "identifier" => matches!(self.flow.lookup(self.t(n)), Some(Var::Numeric)),
            "field_access" => field(n, "field")
                .is_some_and(|f| matches!(self.flow.lookup(self.t(f)), Some(Var::Numeric))),
            "binary_expression" => {
                let op = field(n, "operator").map(|o| self.t(o)).unwrap_or("");
                op != "+"
                    || (field(n, "left").is_some_and(|l| self.numeric_expr(l))
                        && field(n, "right").is_some_and(|r| self.numeric_expr(r)))
            }
            "unary_expression" | "update_expression" => true,
            "cast_expression" => field(n, "type").is_some_and(|t| self.numeric_type(t)),
            "method_invocation" => {
                let o = field(n, "object").map(|o| self.t(o)).unwrap_or("");
                let m = field(n, "name").map(|x| self.t(x)).unwrap_or("");
                (NUMERIC_CLASSES.contains(&o) || o == "Math") && m != "toString"
                    || matches!(m, "size" | "length" | "intValue" | "longValue")
            }
            _ => false,
        }
    }

    // ---------------------------------------------------------------- calls

    fn callee_text(&self, n: Node) -> String {
        let name = field(n, "name").map(|x| self.t(x)).unwrap_or("");
        let s = match field(n, "object") {
            Some(o) => format!("{}.{}", self.t(o), name),
            None => name.to_string(),
        };
        s.split_whitespace().collect()
    }

    fn call(&mut self, n: Node) {
        let name = field(n, "name")
            .map(|x| self.t(x))
            .unwrap_or("")
            .to_string();
        let args = args_of(n);
        // Builder appends: `sb.append(x)`, `sb.append(a).append(b)`, `sb.insert(0, x)`.
        if matches!(name.as_str(), "append" | "insert" | "replace") {
            let mut chain = Vec::new();
            let mut cur = n;
            loop {
                let m = field(cur, "name").map(|x| self.t(x)).unwrap_or("");
                if cur.kind() != "method_invocation"
                    || !matches!(m, "append" | "insert" | "replace")
                {
                    break;
                }
                chain.push(cur);
                match field(cur, "object") {
                    Some(o) => cur = unparen(o),
                    None => break,
                }
            }
            if cur.kind() == "identifier"
                && let Some(Var::Builder(rid)) = self.flow.lookup(self.t(cur)).cloned()
            {
                for call in chain.into_iter().rev() {
                    let a = args_of(call);
                    // The text is the last argument of `insert(i, x)` / `replace(a, b, x)`.
                    if let Some(first) = a.last() {
                        let v = self.eval(*first).unwrap_or_else(|| {
                            Str::hole(Hole::Dynamic("StringBuilder".into()), self.pos(*first))
                        });
                        self.flow.append(rid, v, "StringBuilder");
                    }
                }
                return;
            }
        }
        // `conds.add("x = ?")`, `map.put("k", v)`, `values.remove(0)`.
        if self.collection_call(n, &name, &args) {
            return;
        }
        if SINKS.contains(&name.as_str()) && self.sink_call(n, &name, &args) {
            return;
        }
        if LOG_METHODS.contains(&name.as_str()) {
            return;
        }
        if self.string_call(n) {
            self.root(n);
            return;
        }
        // A local collection handed to another method may be changed there.
        for a in &args {
            let a = unparen(*a);
            if a.kind() == "identifier" && self.is_method_local(self.t(a)) {
                let a_name = self.t(a).to_string();
                match self.flow.lookup(&a_name) {
                    Some(Var::List(_)) => self.flow.set(&a_name, Var::List(None)),
                    Some(Var::Map(_)) => self.flow.set(&a_name, Var::Map(None)),
                    _ => {}
                }
            }
        }
        for c in children(n) {
            self.visit(c);
        }
    }

    /// Calls `eval` folds into a string value.
    fn string_call(&self, n: Node) -> bool {
        let o = field(n, "object").map(|o| self.t(o)).unwrap_or("");
        let m = field(n, "name").map(|x| self.t(x)).unwrap_or("");
        matches!(
            (o, m),
            ("String", "format" | "join") | ("MessageFormat", "format")
        ) || m == "formatted"
            || (m == "toString"
                && field(n, "object").is_some_and(|o| o.kind() == "method_invocation"))
            || (m == "concat" && field(n, "object").is_some_and(|o| o.kind() == "string_literal"))
    }

    fn sink_call(&mut self, n: Node, name: &str, args: &[Node]) -> bool {
        let Some(first) = args.first().copied() else {
            return false;
        };
        let callee = self.callee_text(n);
        let rest = &args[1..];
        let bind_args = if BINDING_SINKS.contains(&name) {
            self.count_binds(rest)
        } else {
            None
        };
        let a = unparen(first);
        let var = match self.alias(a) {
            Some(Var::Rec(rid)) | Some(Var::Builder(rid)) => Some(rid),
            _ => None,
        };
        match var {
            Some(rid) => self.flow.sink(rid, &callee, bind_args, false),
            None => match self.eval(a) {
                Some(v) if has_text(&v) => {
                    let rid = self.flow.record(v);
                    self.flow.sink(rid, &callee, bind_args, false);
                }
                Some(_) => {}
                None => self.visit(a),
            },
        }
        if let Some(o) = field(n, "object") {
            self.visit(o);
        }
        for x in rest {
            self.visit(*x);
        }
        true
    }

    /// Bind values after the SQL on a JdbcTemplate call: row mappers, extractors, callbacks
    /// and result classes are not counted; `new Object[]{a, b}` counts its elements.
    fn count_binds(&self, rest: &[Node]) -> Option<usize> {
        let mut n = 0;
        for a in rest {
            let t = self.t(*a);
            match a.kind() {
                "lambda_expression" | "method_reference" | "class_literal" => {}
                "method_invocation" if t.ends_with(".toArray()") => return None,
                "array_creation_expression" => match field(*a, "value") {
                    Some(v) => n += children(v).len(),
                    None => return None,
                },
                "object_creation_expression"
                    if ["Mapper", "Extractor", "Callback", "Handler"]
                        .iter()
                        .any(|s| t.contains(s)) => {}
                "identifier"
                    if t.to_lowercase().contains("mapper")
                        || t.to_lowercase().contains("extractor")
                        || t.to_lowercase().contains("callback") => {}
                _ => n += 1,
            }
        }
        Some(n)
    }

    // ---------------------------------------------------------------- values

    fn eval(&mut self, n: Node) -> Option<Str> {
        if self.depth > MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        let v = self.eval_inner(n);
        self.depth -= 1;
        v
    }

    fn eval_inner(&mut self, n: Node) -> Option<Str> {
        let pos = self.pos(n);
        match n.kind() {
            "string_literal" | "text_block" => {
                let t = self.t(n);
                if t.starts_with("\"\"\"") {
                    return Some(Str::text(text_block(t), pos));
                }
                let inner = t.strip_prefix('"').unwrap_or(t);
                let inner = inner.strip_suffix('"').unwrap_or(inner);
                Some(Str::text(unescape_c(inner), pos))
            }
            "character_literal" => {
                let t = self.t(n);
                let inner = t.strip_prefix('\'').unwrap_or(t);
                let inner = inner.strip_suffix('\'').unwrap_or(inner);
                Some(Str::text(unescape_c(inner), pos))
            }
            "decimal_integer_literal"
            | "hex_integer_literal"
            | "octal_integer_literal"
            | "binary_integer_literal"
            | "decimal_floating_point_literal"
            | "true"
            | "false" => {
                let t = self.t(n).trim_end_matches(['L', 'l', 'd', 'D', 'f', 'F']);
                Some(Str::text(t.replace('_', ""), pos))
            }
            "parenthesized_expression" => {
                let inner = unparen(n);
                if inner == n {
                    return None;
                }
                let mut v = self.eval(inner)?;
                (v.line, v.column) = pos;
                Some(v)
            }
            "binary_expression" => {
                let op = field(n, "operator").map(|o| self.t(o)).unwrap_or("");
                if op != "+" {
                    return Some(Str::hole(Hole::Safe("numeric expression".into()), pos));
                }
                self.concat(n)
            }
            "unary_expression" | "update_expression" => {
                Some(Str::hole(Hole::Safe("numeric expression".into()), pos))
            }
            "cast_expression" => {
                let ty = field(n, "type")?;
                if self.numeric_type(ty) {
                    return Some(Str::hole(Hole::Safe("numeric cast".into()), pos));
                }
                let mut v = self.eval(field(n, "value")?)?;
                (v.line, v.column) = pos;
                Some(v)
            }
            "ternary_expression" => {
                // A constant condition: only the branch taken.
                let live = match self.cond(field(n, "condition")?) {
                    Some(true) => field(n, "consequence"),
                    Some(false) => field(n, "alternative"),
                    None => None,
                };
                if let Some(x) = live {
                    let mut v = self.eval(x)?;
                    (v.line, v.column) = pos;
                    return Some(v);
                }
                let a = self.eval(field(n, "consequence")?);
                let b = self.eval(field(n, "alternative")?);
                match (a, b) {
                    (Some(a), Some(b)) => {
                        let mut v = if b.dynamic().is_some() && a.dynamic().is_none() {
                            b
                        } else {
                            a
                        };
                        (v.line, v.column) = pos;
                        Some(v)
                    }
                    (Some(_), None) | (None, Some(_)) => {
                        Some(Str::hole(Hole::Dynamic("concatenation".into()), pos))
                    }
                    (None, None) => None,
                }
            }
            "switch_expression" => self.eval_switch(n),
            "array_access" => {
                let mut v =
                    self.collection_get(field(n, "array")?, "get", &[field(n, "index")?])?;
                (v.line, v.column) = pos;
                Some(v)
            }
            "identifier" => self.ident(n, self.t(n)),
            "field_access" => {
                let o = field(n, "object")?;
                let f = field(n, "field")?;
                let name = self.t(f);
                if o.kind() == "this" {
                    return self.ident(n, name);
                }
                let on_class = o.kind() == "identifier"
                    && self.t(o).starts_with(|c: char| c.is_ascii_uppercase());
                if on_class && is_constant_name(name) {
                    return match self.flow.lookup(name) {
                        Some(Var::Rec(_)) | Some(Var::Numeric) => self.ident(n, name),
                        _ => Some(Str::text(EXTERNAL_CONSTANT, pos)),
                    };
                }
                None
            }
            "method_invocation" => self.eval_call(n),
            "object_creation_expression" => {
                let ty = field(n, "type").map(|t| self.t(t)).unwrap_or("");
                if ty == "String" {
                    let mut v = self.eval(*args_of(n).first()?)?;
                    (v.line, v.column) = pos;
                    return Some(v);
                }
                None
            }
            _ => None,
        }
    }

    /// A `switch` expression: the arm that runs for a constant selector, else every arm
    /// (a run-time value if any arm may be one).
    fn eval_switch(&mut self, n: Node) -> Option<Str> {
        let pos = self.pos(n);
        let arms: Vec<Node> = match self.live_switch(n) {
            Some(live) => live,
            None => children(field(n, "body")?)
                .into_iter()
                .flat_map(children)
                .filter(|c| !matches!(c.kind(), "switch_label" | "line_comment" | "block_comment"))
                .collect(),
        };
        // Each arm's value: `case X -> v;`, or the `yield`s of a block or group.
        let mut values = Vec::new();
        for arm in arms {
            match arm.kind() {
                "expression_statement" => {
                    values.push(children(arm).first().and_then(|e| self.eval(*e)))
                }
                "throw_statement" => {}
                _ => {
                    let mut stack = vec![arm];
                    let mut steps = 0;
                    while let Some(x) = stack.pop() {
                        steps += 1;
                        if steps > 10_000 {
                            values.push(None);
                            break;
                        }
                        if x.kind() == "yield_statement" {
                            values.push(children(x).first().and_then(|e| self.eval(*e)));
                        } else if !matches!(
                            x.kind(),
                            "switch_expression" | "lambda_expression" | "class_body"
                        ) {
                            stack.extend(children(x));
                        }
                    }
                }
            }
        }
        if values.iter().all(|v| v.is_none()) {
            return None;
        }
        if values.iter().any(|v| v.is_none()) {
            return Some(Str::hole(Hole::Dynamic("switch".into()), pos));
        }
        let values: Vec<Str> = values.into_iter().flatten().collect();
        let mut v = values
            .iter()
            .find(|v| v.dynamic().is_some())
            .unwrap_or(&values[0])
            .clone();
        (v.line, v.column) = pos;
        Some(v)
    }

    fn ident(&mut self, n: Node, name: &str) -> Option<Str> {
        let pos = self.pos(n);
        match self.flow.lookup(name).cloned() {
            Some(Var::Rec(rid)) => {
                let mut v = self.flow.take(rid)?;
                (v.line, v.column) = pos;
                Some(v)
            }
            Some(Var::Builder(rid)) => {
                let mut v = self.flow.take(rid)?;
                (v.line, v.column) = pos;
                Some(v)
            }
            Some(Var::Numeric) => Some(Str::hole(Hole::Safe("numeric variable".into()), pos)),
            Some(_) => None,
            None if is_constant_name(name) => Some(Str::text(EXTERNAL_CONSTANT, pos)),
            None => None,
        }
    }

    fn concat(&mut self, n: Node) -> Option<Str> {
        let pos = self.pos(n);
        let operands = super::flow::plus_chain(n, self.src, unparen);
        if operands.iter().all(|o| self.numeric_expr(*o)) {
            return Some(Str::hole(Hole::Safe("numeric expression".into()), pos));
        }
        let values: Vec<Option<Str>> = operands.iter().map(|o| self.eval(*o)).collect();
        super::flow::join_concat(pos, values, "concatenation")
    }

    fn format_args(&mut self, args: &[Node]) -> Vec<FormatArg> {
        args.iter().map(|a| self.eval(*a)).collect()
    }

    fn eval_call(&mut self, n: Node) -> Option<Str> {
        let pos = self.pos(n);
        let obj = field(n, "object").map(unparen);
        let o = obj.map(|o| self.t(o)).unwrap_or("");
        let m = field(n, "name").map(|x| self.t(x)).unwrap_or("");
        let args = args_of(n);
        let with_pos = |v: Option<Str>| {
            v.map(|mut v| {
                (v.line, v.column) = pos;
                v
            })
        };
        // A helper method of this file whose every `return` is constant.
        if let Some(v) = self.returns.get(m)
            && self.own_call(obj)
        {
            return with_pos(Some(v.clone()));
        }
        match (o, m) {
            ("StringUtils" | "Strings", "repeat") => {
                // `StringUtils.repeat("?", ",", n)`: repeated placeholders.
                let a = self.eval(*args.first()?)?;
                let sep = args
                    .get(1)
                    .filter(|_| args.len() == 3)
                    .map(|s| self.eval(*s));
                let safe = a.dynamic().is_none()
                    && sep.is_none_or(|s| s.is_some_and(|s| s.dynamic().is_none()));
                return Some(Str::hole(
                    if safe {
                        Hole::Safe("repeated placeholders".into())
                    } else {
                        Hole::Dynamic(format!("{o}.repeat"))
                    },
                    pos,
                ));
            }
            ("String", "format") => {
                // String.format(Locale.ROOT, fmt, args...)
                let skip = usize::from(
                    args.len() > 1
                        && !matches!(args[0].kind(), "string_literal" | "text_block")
                        && self.t(args[0]).contains("Locale"),
                );
                let fmt = self.eval(*args.get(skip)?)?;
                let rest = self.format_args(&args[skip + 1..]);
                return with_pos(Some(fold_printf(&fmt, &rest, &|_| None, "String.format")));
            }
            ("MessageFormat", "format") => {
                let fmt = self.eval(*args.first()?)?;
                let rest = self.format_args(&args[1..]);
                return with_pos(Some(fold_braces(
                    &fmt,
                    &rest,
                    &|_| None,
                    "MessageFormat.format",
                )));
            }
            ("String", "join") => {
                let sep = args.first().and_then(|s| self.eval(*s));
                if args.len() == 2
                    && let Some(v) = self.repeated(args[1], sep.as_ref(), pos)
                {
                    return Some(v);
                }
                let sep = sep.unwrap_or_else(|| Str::text(", ", pos));
                let elems = if args.len() == 2 {
                    self.list_value(args[1])
                } else {
                    args[1..].iter().map(|a| self.eval(*a)).collect()
                };
                return Some(match elems {
                    Some(e) if !e.is_empty() => {
                        let mut v = join(&e, &sep, pos);
                        v.relabel_dynamic("String.join");
                        v
                    }
                    _ => Str::hole(Hole::Dynamic("String.join".into()), pos),
                });
            }
            ("String", "valueOf") => {
                let a = *args.first()?;
                if self.numeric_expr(a) {
                    return Some(Str::hole(Hole::Safe("String.valueOf".into()), pos));
                }
                return with_pos(self.eval(a));
            }
            _ => {}
        }
        if (NUMERIC_CLASSES.contains(&o) || o == "Math") && o != "UUID" {
            return Some(Str::hole(Hole::Safe(format!("{o}.{m}")), pos));
        }
        if m == "valueOf" && self.enums.contains(o.rsplit('.').next().unwrap_or(o)) {
            return Some(Str::hole(Hole::Safe("enum constant".into()), pos));
        }
        if m.starts_with("enquote") {
            return Some(Str::hole(Hole::Safe(format!("Statement.{m}")), pos));
        }
        let obj = obj?;
        match m {
            "formatted" => {
                let fmt = self.eval(obj)?;
                let rest = self.format_args(&args);
                with_pos(Some(fold_printf(&fmt, &rest, &|_| None, ".formatted()")))
            }
            "toString" if args.is_empty() => {
                if self.numeric_expr(obj) {
                    return Some(Str::hole(Hole::Safe("numeric toString".into()), pos));
                }
                if let Some(v) = self.builder_chain(obj) {
                    return Some(v);
                }
                with_pos(self.eval(obj))
            }
            "name" | "ordinal" if args.is_empty() => {
                // The name of an enum constant: an identifier of the code, not input.
                let enum_like = unparen(obj).kind() == "identifier"
                    && self.local(self.t(obj)).is_some_and(|l| l.enum_like);
                if self.numeric_expr(obj) || self.enum_value_call(obj) || enum_like {
                    return Some(Str::hole(Hole::Safe("enum name".into()), pos));
                }
                with_pos(self.eval(obj).filter(|v| v.dynamic().is_none()))
            }
            "repeat" if args.len() == 1 => {
                // `"?, ".repeat(n)`: repeated placeholders.
                let v = self.eval(obj)?;
                if v.dynamic().is_some() {
                    let mut v = v;
                    v.relabel_dynamic("String.repeat");
                    return with_pos(Some(v));
                }
                Some(Str::hole(Hole::Safe("repeated placeholders".into()), pos))
            }
            "get" | "getOrDefault" => with_pos(self.collection_get(obj, m, &args)),
            "collect" => self.joined_stream(obj, &args, pos),
            "trim" | "strip" | "toUpperCase" | "toLowerCase" | "intern" | "replace"
            | "replaceAll" | "stripTrailing" | "stripLeading" | "substring" => {
                with_pos(self.eval(obj))
            }
            "concat" => {
                let a = self.eval(obj);
                let b = args.first().and_then(|x| self.eval(*x));
                if a.is_none() && b.is_none() {
                    return None;
                }
                let mut out = Str::empty(pos);
                for v in [a, b] {
                    match v {
                        Some(v) => out.push(v),
                        None => out.push_hole(Hole::Dynamic("concatenation".into())),
                    }
                }
                Some(out)
            }
            _ => None,
        }
    }

    /// The call runs a method of this file: unqualified, on `this`, on a class of the file,
    /// or on a new instance of one.
    fn own_call(&self, obj: Option<Node>) -> bool {
        let Some(o) = obj.map(unparen) else {
            return true;
        };
        match o.kind() {
            "this" => true,
            "identifier" => {
                let t = self.t(o);
                self.classes.contains(t) && self.flow.lookup(t).is_none()
            }
            "object_creation_expression" => {
                let ty = field(o, "type").map(|t| self.t(t)).unwrap_or("");
                let ty = ty.split('<').next().unwrap_or(ty);
                self.classes
                    .contains(ty.rsplit('.').next().unwrap_or(ty).trim())
                    && !children(o).iter().any(|c| c.kind() == "class_body")
            }
            _ => false,
        }
    }

    /// `Dir.valueOf(s)` on an enum-like class (not `String`, `Integer`, ...).
    fn enum_value_call(&self, n: Node) -> bool {
        let n = unparen(n);
        if n.kind() != "method_invocation"
            || field(n, "name").is_none_or(|x| self.t(x) != "valueOf")
        {
            return false;
        }
        let Some(o) = field(n, "object") else {
            return false;
        };
        let o = self.t(o);
        let cls = o.rsplit('.').next().unwrap_or(o);
        cls.starts_with(|c: char| c.is_ascii_uppercase())
            && !NOT_ENUMS.contains(&cls)
            && !NUMERIC_CLASSES.contains(&cls)
    }

    /// `Collections.nCopies(n, "?")` joined (`String.join(",", ..)`): repeated placeholders,
    /// a safe hole; run-time text when the element or separator is. `None` when `list` is not
    /// such a call.
    fn repeated(&mut self, list: Node, sep: Option<&Str>, pos: (usize, usize)) -> Option<Str> {
        let list = unparen(list);
        let is_copies = list.kind() == "method_invocation"
            && field(list, "name").is_some_and(|x| self.t(x) == "nCopies")
            && field(list, "object").is_none_or(|o| self.t(o).ends_with("Collections"));
        if !is_copies {
            return None;
        }
        let elem = args_of(list).get(1).and_then(|e| self.eval(*e));
        let safe = elem.is_some_and(|e| e.dynamic().is_none())
            && sep.is_some_and(|s| s.dynamic().is_none());
        Some(Str::hole(
            if safe {
                Hole::Safe("repeated placeholders".into())
            } else {
                Hole::Dynamic("String.join".into())
            },
            pos,
        ))
    }

    /// `stream.collect(Collectors.joining(sep))`: repeated placeholders when each element is
    /// mapped to a constant (`ids.stream().map(i -> "?")`, `Collections.nCopies(n, "?")`),
    /// the joined elements of a known list, else run-time text.
    fn joined_stream(&mut self, obj: Node, args: &[Node], pos: (usize, usize)) -> Option<Str> {
        let collector = unparen(*args.first()?);
        if collector.kind() != "method_invocation"
            || field(collector, "name").is_none_or(|x| self.t(x) != "joining")
        {
            return None;
        }
        let dynamic = || Some(Str::hole(Hole::Dynamic("Collectors.joining".into()), pos));
        let parts: Vec<Option<Str>> = args_of(collector).iter().map(|a| self.eval(*a)).collect();
        if parts
            .iter()
            .any(|p| p.as_ref().is_none_or(|p| p.dynamic().is_some()))
        {
            return dynamic();
        }
        let sep = parts
            .first()
            .cloned()
            .flatten()
            .unwrap_or_else(|| Str::empty(pos));
        // Stages that do not change the elements' values.
        let mut cur = unparen(obj);
        while cur.kind() == "method_invocation"
            && field(cur, "name").is_some_and(|x| {
                matches!(
                    self.t(x),
                    "limit"
                        | "skip"
                        | "distinct"
                        | "sorted"
                        | "filter"
                        | "peek"
                        | "parallel"
                        | "sequential"
                        | "unordered"
                )
            })
        {
            let Some(o) = field(cur, "object") else {
                return dynamic();
            };
            cur = unparen(o);
        }
        if cur.kind() != "method_invocation" {
            return dynamic();
        }
        let m = field(cur, "name").map(|x| self.t(x)).unwrap_or("");
        let stage_args = args_of(cur);
        match (m, stage_args.as_slice()) {
            ("map" | "mapToObj" | "generate", [f]) if f.kind() == "lambda_expression" => {
                match self.lambda_value(*f) {
                    Some(v) if v.dynamic().is_none() => {
                        Some(Str::hole(Hole::Safe("repeated placeholders".into()), pos))
                    }
                    _ => dynamic(),
                }
            }
            ("stream", []) => {
                let list = field(cur, "object")?;
                if let Some(v) = self.repeated(list, Some(&sep), pos) {
                    return Some(v);
                }
                match self.list_value(list) {
                    Some(e) if !e.is_empty() => {
                        let mut v = join(&e, &sep, pos);
                        v.relabel_dynamic("Collectors.joining");
                        Some(v)
                    }
                    _ => dynamic(),
                }
            }
            _ => dynamic(),
        }
    }

    /// The value of a lambda's expression body, its parameters unknown.
    fn lambda_value(&mut self, f: Node) -> Option<Str> {
        let body = field(f, "body")?;
        if body.kind() == "block" {
            return None;
        }
        self.flow.enter(None);
        if let Some(p) = field(f, "parameters") {
            let names = if p.kind() == "identifier" {
                vec![p]
            } else {
                children(p)
            };
            for x in names {
                let x = field(x, "name").unwrap_or(x);
                let name = self.t(x).to_string();
                self.flow.declare(&name, Var::Other);
            }
        }
        let v = self.eval(body);
        self.flow.leave();
        v
    }

    /// `new StringBuilder("a").append(b).toString()` or `sb.append(x).toString()`.
    fn builder_chain(&mut self, n: Node) -> Option<Str> {
        let mut appended = Vec::new();
        let mut cur = unparen(n);
        while cur.kind() == "method_invocation"
            && field(cur, "name")
                .is_some_and(|x| matches!(self.t(x), "append" | "insert" | "replace"))
        {
            appended.push(args_of(cur).last().copied());
            cur = unparen(field(cur, "object")?);
        }
        let pos = self.pos(n);
        let mut out = match cur.kind() {
            "object_creation_expression" => {
                let ty = field(cur, "type").map(|t| self.t(t)).unwrap_or("");
                if !self.builder_type(ty) {
                    return None;
                }
                self.builder_init(cur)
            }
            "identifier" => match self.flow.lookup(self.t(cur)).cloned() {
                Some(Var::Builder(rid)) => self.flow.take(rid)?,
                _ => return None,
            },
            _ => return None,
        };
        (out.line, out.column) = pos;
        for a in appended.into_iter().rev() {
            let mut v = a
                .and_then(|a| self.eval(a))
                .unwrap_or_else(|| Str::hole(Hole::Dynamic("StringBuilder".into()), pos));
            v.relabel_dynamic("StringBuilder");
            out.push(v);
        }
        Some(out)
    }

    /// Elements of a list value: a tracked variable or a list literal.
    fn list_value(&mut self, n: Node) -> Option<Vec<Str>> {
        let n = unparen(n);
        if n.kind() == "identifier" {
            return match self.flow.lookup(self.t(n)).cloned() {
                Some(Var::List(l)) => l,
                _ => None,
            };
        }
        self.list_literal(n).flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str) -> Vec<Candidate> {
        JavaExtractor.extract(src)
    }

    fn one(src: &str) -> Candidate {
        let c = run(src);
        assert_eq!(c.len(), 1, "{c:#?}");
        c.into_iter().next().unwrap()
    }

    fn dynamic(c: &Candidate) -> Option<&str> {
        match &c.construction {
            Construction::Dynamic { how } => Some(how),
            _ => None,
        }
    }

    fn class(body: &str) -> String {
        format!("class R {{\n{body}\n}}\n")
    }

    #[test]
    fn concatenation_to_execute_query() {
        let c = one(&class(
            "  List<User> find(String user) throws SQLException {\n    ResultSet rs = stmt.executeQuery(\"SELECT id FROM users WHERE name = '\" + user + \"'\");\n  }",
        ));
        assert_eq!(dynamic(&c), Some("concatenation"));
        assert_eq!(c.sink.as_deref(), Some("stmt.executeQuery"));
        assert_eq!(c.function.as_deref(), Some("find"));
        assert_eq!((c.line, c.column), (3, 38));
    }

    #[test]
    fn prepare_statement_of_a_dynamic_variable() {
        let c = one(&class(
            "  void f(Connection conn, String x) {\n    String sql = \"SELECT id FROM users WHERE name = '\" + x + \"'\";\n    PreparedStatement ps = conn.prepareStatement(sql);\n  }",
        ));
        assert_eq!(dynamic(&c), Some("concatenation"));
        assert_eq!(c.line, 3);
        assert_eq!(c.sink.as_deref(), Some("conn.prepareStatement"));
    }

    #[test]
    fn constants_and_numbers() {
        let c = one(&class(
            "  private static final String TABLE = \"users\";\n  private static final String BASE = \"SELECT id FROM \" + TABLE;\n  void f(Connection c) {\n    c.prepareStatement(BASE + \" WHERE id = ?\");\n  }",
        ));
        assert_eq!(c.construction, Construction::Constant);
        assert_eq!(c.sql, "SELECT id FROM users WHERE id = ?");
        let c = one(&class(
            "  void f(int id) {\n    stmt.executeQuery(\"SELECT id FROM users WHERE id = \" + id);\n  }",
        ));
        assert!(matches!(
            c.construction,
            Construction::SafeIdentifier { .. }
        ));
    }

    #[test]
    fn formats_and_builders() {
        let c = one(&class(
            "  void f(String n) {\n    jdbcTemplate.query(String.format(\"SELECT id FROM users WHERE name = '%s'\", n), mapper);\n  }",
        ));
        assert_eq!(dynamic(&c), Some("String.format"));
        assert_eq!(c.bind_args, Some(0));
        let c = one(&class(
            "  void f(String n) {\n    em.createNativeQuery(\"SELECT id FROM users WHERE name = '%s'\".formatted(n));\n  }",
        ));
        assert_eq!(dynamic(&c), Some(".formatted()"));
        let c = one(&class(
            "  void f(String n) {\n    StringBuilder sb = new StringBuilder(\"SELECT id FROM users\");\n    sb.append(\" WHERE name = '\").append(n).append(\"'\");\n    stmt.executeQuery(sb.toString());\n  }",
        ));
        assert_eq!(dynamic(&c), Some("StringBuilder"));
        assert_eq!(c.line, 3);
    }

    #[test]
    fn text_blocks_and_jpql() {
        let c = one(&class(
            "  static final String Q = \"\"\"\n      SELECT id\n        FROM users\n      WHERE id = ?\n      \"\"\";\n  void f() { jdbcTemplate.queryForObject(Q, Long.class, 1L); }",
        ));
        assert_eq!(c.sql, "SELECT id\n  FROM users\nWHERE id = ?\n");
        assert_eq!(c.bind_args, Some(1));
        assert!(
            run(&class(
                "  void f() { em.createQuery(\"SELECT u FROM User u WHERE u.name = :name\"); }"
            ))
            .is_empty()
        );
        let c = one(&class(
            "  void f(String n) { em.createQuery(\"SELECT u FROM User u WHERE u.name = '\" + n + \"'\"); }",
        ));
        assert_eq!(dynamic(&c), Some("concatenation"));
    }

    #[test]
    fn prose_and_messages() {
        assert!(run(&class(
            "  void f(String q) {\n    log.info(\"select from users failed\");\n    throw new IllegalStateException(\"Update your profile\");\n    stmt.execute(q);\n  }"
        ))
        .is_empty());
    }

    #[test]
    fn ternaries_reassignments_and_annotations() {
        let c = one(&class(
            "  void f(HttpServletRequest r) {\n    String param = r.getParameter(\"x\");\n    String bar = 1 > 2 ? \"safe\" : param;\n    String sql = \"SELECT id FROM users WHERE name = '\" + bar + \"'\";\n    statement.addBatch(sql);\n  }",
        ));
        assert_eq!(dynamic(&c), Some("concatenation"));
        assert_eq!(c.line, 5);
        let c = one(&class(
            "  void f(String p) {\n    String bar = p;\n    if (p.isEmpty()) bar = \"safe\";\n    stmt.execute(\"DELETE FROM users WHERE name = '\" + bar + \"'\");\n  }",
        ));
        assert_eq!(dynamic(&c), Some("concatenation"));
        // On the declaring block's straight-line code the reassignment replaces the value.
        let c = one(&class(
            "  void f(String p) {\n    String bar = p;\n    bar = \"safe\";\n    stmt.execute(\"DELETE FROM users WHERE name = '\" + bar + \"'\");\n  }",
        ));
        assert_eq!(c.construction, Construction::Constant);
        let c = one(
            "interface R {\n  @Query(value = \"SELECT id FROM users WHERE email = ?1\", nativeQuery = true)\n  Object byEmail(String e);\n  @Query(\"SELECT u FROM User u\")\n  Object all();\n}\n",
        );
        assert_eq!(c.sink.as_deref(), Some("@Query"));
        assert!(
            run(&class(
                "  void f() { session.createQuery(\"from User where name = :n\"); }"
            ))
            .is_empty()
        );
    }

    /// The SQL reaching the sink in a method of class R: dynamic, safe or constant.
    fn judged(body: &str) -> Construction {
        one(&class(body)).construction
    }

    fn is_dynamic(body: &str) -> bool {
        matches!(judged(body), Construction::Dynamic { .. })
    }

    #[test]
    fn constant_conditions_take_the_live_branch() {
        // Ternary over local int constants.
        let t = |num: &str| {
            format!(
                "  void f(String p) {{\n    int num = {num};\n    String c = (7 * 18) + num > 200 ? \"name\" : p;\n    stmt.executeQuery(\"SELECT id FROM users ORDER BY \" + c);\n  }}"
            )
        };
        assert!(!is_dynamic(&t("106")));
        assert!(is_dynamic(&t("6")));
        // Not effectively final: the value is not known.
        assert!(is_dynamic(
            "  void f(String p) {\n    int num = 106;\n    num = p.length();\n    String c = (7 * 18) + num > 200 ? \"name\" : p;\n    stmt.executeQuery(\"SELECT id FROM users ORDER BY \" + c);\n  }"
        ));
        // if / else with a constant condition (integer division).
        let i = |cmp: &str| {
            format!(
                "  void f(String p) {{\n    String c;\n    int num = 196;\n    if ((500 / 42) + num {cmp} 200) c = p; else c = \"name\";\n    stmt.executeQuery(\"SELECT id FROM users ORDER BY \" + c);\n  }}"
            )
        };
        assert!(is_dynamic(&i(">")));
        assert!(!is_dynamic(&i("<")));
        // switch on a char of a constant string, with fall-through.
        let sw = |at: usize| {
            format!(
                "  void f(String p) {{\n    String c;\n    String g = \"ABC\";\n    char t = g.charAt({at});\n    switch (t) {{\n      case 'A': c = p; break;\n      case 'B': c = \"name\"; break;\n      case 'C':\n      case 'D': c = p; break;\n      default: c = \"id\"; break;\n    }}\n    stmt.executeQuery(\"SELECT id FROM users ORDER BY \" + c);\n  }}"
            )
        };
        assert!(!is_dynamic(&sw(1)));
        assert!(is_dynamic(&sw(2)));
        // A switch expression: every arm constant, or one the parameter.
        assert!(!is_dynamic(
            "  void f(String p) {\n    String c = switch (p) { case \"a\" -> \"name\"; default -> \"id\"; };\n    stmt.executeQuery(\"SELECT id FROM users ORDER BY \" + c);\n  }"
        ));
        assert!(is_dynamic(
            "  void f(String p) {\n    String c = switch (p) { case \"a\" -> \"name\"; default -> p; };\n    stmt.executeQuery(\"SELECT id FROM users ORDER BY \" + c);\n  }"
        ));
        // A loop counter is not a constant.
        assert!(is_dynamic(
            "  void f(String p) {\n    String c = \"id\";\n    for (int i = 0; i < 3; i++) {\n      c = i > 1 ? p : \"name\";\n    }\n    stmt.executeQuery(\"SELECT id FROM users ORDER BY \" + c);\n  }"
        ));
    }

    #[test]
    fn collections_by_position_and_key() {
        let list = |get: &str, cond: bool| {
            let add = if cond {
                "if (p.isEmpty()) v.add(0, p);"
            } else {
                "v.add(p);"
            };
            format!(
                "  void f(String p) {{\n    List<String> v = new ArrayList<>();\n    v.add(\"name\");\n    {add}\n    v.add(\"email\");\n    v.remove(0);\n    String c = v.get({get});\n    stmt.executeQuery(\"SELECT id FROM users ORDER BY \" + c);\n  }}"
            )
        };
        assert!(!is_dynamic(&list("1", false)));
        assert!(is_dynamic(&list("0", false)));
        // A conditional insert: positions are no longer known.
        assert!(is_dynamic(&list("1", true)));
        let map = |reads: &str| {
            format!(
                "  void f(String p) {{\n    String c = \"id\";\n    HashMap<String, Object> m = new HashMap<>();\n    m.put(\"keyA\", \"name\");\n    m.put(\"keyB\", p);\n    {reads}\n    stmt.executeQuery(\"SELECT id FROM users ORDER BY \" + c);\n  }}"
            )
        };
        // A straight-line reassignment replaces the run-time value.
        assert!(!is_dynamic(&map(
            "c = (String) m.get(\"keyB\");\n    c = (String) m.get(\"keyA\");"
        )));
        assert!(is_dynamic(&map("c = (String) m.get(\"keyB\");")));
        assert!(is_dynamic(&map(
            "helper(m);\n    c = (String) m.get(\"keyA\");"
        )));
        // Whitelists: a constant map (literal or filled by a static block), constant default.
        let wl = |init: &str, default: &str| {
            format!(
                "  private static final Map<String, String> SORT = {init}\n  void f(String p) {{\n    stmt.executeQuery(\"SELECT id FROM users ORDER BY \" + SORT.getOrDefault(p, {default}));\n  }}"
            )
        };
        assert!(!is_dynamic(&wl("Map.of(\"n\", \"name\");", "\"id\"")));
        assert!(is_dynamic(&wl("Map.of(\"n\", \"name\");", "p")));
        assert!(!is_dynamic(&wl(
            "new HashMap<>();\n  static { SORT.put(\"n\", \"name\"); }",
            "\"id\""
        )));
        // A map field changed elsewhere is not known.
        assert!(is_dynamic(&wl(
            "new HashMap<>();\n  void g(String x) { SORT.put(\"x\", x); }",
            "\"id\""
        )));
        // Array elements.
        let arr = |i: &str| {
            format!(
                "  void f(HttpServletRequest r) {{\n    String[] a = {{\"name\", r.getParameter(\"x\")}};\n    stmt.executeQuery(\"SELECT id FROM users ORDER BY \" + a[{i}]);\n  }}"
            )
        };
        assert!(!is_dynamic(&arr("0")));
        assert!(is_dynamic(&arr("1")));
    }

    #[test]
    fn placeholders_enums_builders_and_helpers() {
        let safe = |c: Construction| matches!(c, Construction::SafeIdentifier { .. });
        assert!(safe(judged(
            "  void f(List<Long> ids) {\n    String ph = String.join(\",\", Collections.nCopies(ids.size(), \"?\"));\n    conn.prepareStatement(\"SELECT id FROM users WHERE id IN (\" + ph + \")\");\n  }"
        )));
        assert!(safe(judged(
            "  void f(List<Long> ids) {\n    String ph = ids.stream().map(i -> \"?\").collect(Collectors.joining(\",\"));\n    conn.prepareStatement(\"SELECT id FROM users WHERE id IN (\" + ph + \")\");\n  }"
        )));
        assert!(is_dynamic(
            "  void f(List<String> ns) {\n    String ph = ns.stream().map(n -> \"'\" + n + \"'\").collect(Collectors.joining(\",\"));\n    stmt.executeQuery(\"SELECT id FROM users WHERE name IN (\" + ph + \")\");\n  }"
        ));
        // Enum constants: of this file, or `X.valueOf(..).name()`; a value class is not one.
        let e = "enum Dir { ASC, DESC }\nclass R {\n  void f(String p) {\n    Dir d = Dir.valueOf(p);\n    stmt.executeQuery(\"SELECT id FROM users ORDER BY id \" + d);\n  }\n}\n";
        assert!(safe(one(e).construction));
        assert!(safe(judged(
            "  void f(String p) {\n    Sort.Direction d = Sort.Direction.valueOf(p);\n    stmt.executeQuery(\"SELECT id FROM users ORDER BY id \" + d.name());\n  }"
        )));
        assert!(is_dynamic(
            "  void f(String p) {\n    Email e = Email.valueOf(p);\n    stmt.executeQuery(\"SELECT id FROM users WHERE email = '\" + e + \"'\");\n  }"
        ));
        // A builder created from the parameter carries it.
        let c = one(&class(
            "  void f(String p) {\n    StringBuilder sb = new StringBuilder(p);\n    String v = sb.append(\"_x\").toString();\n    stmt.executeQuery(\"SELECT id FROM users WHERE name = '\" + v + \"'\");\n  }",
        ));
        assert_eq!(dynamic(&c), Some("StringBuilder"));
        assert!(!is_dynamic(
            "  void f() {\n    StringBuilder sb = new StringBuilder(64);\n    sb.append(\"SELECT id FROM users\");\n    conn.prepareStatement(sb.toString());\n  }"
        ));
        // Helpers of the file: every return constant, or one not.
        let h = |ret: &str| {
            format!(
                "  void f(String p) {{\n    stmt.executeQuery(\"SELECT id FROM users ORDER BY \" + col(p));\n  }}\n  private String col(String s) {{\n    if (s.equals(\"e\")) return \"email\";\n    return {ret};\n  }}"
            )
        };
        assert!(!is_dynamic(&h("\"id\"")));
        assert!(is_dynamic(&h("s")));
        // A method of another object with the same name is not the helper.
        assert!(is_dynamic(
            "  void f(String p) {\n    stmt.executeQuery(\"SELECT id FROM users ORDER BY \" + other.col(p));\n  }\n  private String col(String s) {\n    return \"id\";\n  }"
        ));
    }

    #[test]
    fn integer_literals() {
        assert_eq!(parse_int("0x1F"), Some(31));
        assert_eq!(parse_int("0b101"), Some(5));
        assert_eq!(parse_int("017"), Some(15));
        assert_eq!(parse_int("1_000L"), Some(1000));
        assert_eq!(int(i64::from(i32::MAX) + 1), None);
        assert_eq!(CVal::Char('B').same(&CVal::Int(66)), Some(true));
        assert_eq!(CVal::Str("a".into()).same(&CVal::Str("a".into())), None);
    }

    #[test]
    fn broken_input_does_not_panic() {
        run("class { void f( { stmt.executeQuery(\"SELECT \" + ");
        run("\"\"\"");
        let mut s =
            String::from("class A { void f(String x) { String q = \"SELECT a FROM t WHERE a = \"");
        for _ in 0..20_000 {
            s.push_str(" + \"x\"");
        }
        s.push_str(" + x; stmt.executeQuery(q); } }");
        assert_eq!(run(&s).len(), 1);
    }
}
