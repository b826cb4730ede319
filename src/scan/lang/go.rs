//! Go front end: `database/sql`, sqlx, pgx, gorm and squirrel-style calls, with the SQL
//! built by literals, `+`, `+=`, `fmt.Sprintf`, `strings.Builder`, `strings.Join`.

use std::collections::HashSet;

use tree_sitter::Node;

use super::common::{
    FormatArg, Hole, Str, children, fold_printf, method_name, parse, position, text, unescape_c,
};
use super::flow::{
    EXTERNAL_CONSTANT, Flow, Trim, Var, list_index, map_lookup, parenthesise_in_placeholder,
    trim_value,
};
use crate::scan::candidate::{Candidate, Extractor, Sinks};

/// Files beyond this size (generated code, vendored blobs) are not read.
const MAX_FILE: usize = 2 * 1024 * 1024;
/// Syntax nesting beyond this depth is not followed (bounded recursion).
const MAX_DEPTH: usize = 200;

pub struct GoExtractor;

impl Extractor for GoExtractor {
    fn extensions(&self) -> &'static [&'static str] {
        &["go"]
    }

    fn sinks(&self) -> Option<Sinks> {
        Some(PREFILTER)
    }

    fn extract(&self, source: &str) -> Vec<Candidate> {
        if source.len() > MAX_FILE {
            return Vec::new();
        }
        let Some(tree) = parse(source, tree_sitter_go::LANGUAGE.into()) else {
            return Vec::new();
        };
        let mut g = Go {
            src: source,
            flow: Flow::new(),
            imports: HashSet::new(),
            depth: 0,
        };
        g.file(tree.root_node());
        let mut out = g.flow.finish();
        for c in &mut out {
            if c.sql.contains('?') {
                c.sql = parenthesise_in_placeholder(&c.sql);
            }
        }
        out
    }
}

/// The sinks as the prefilter looks for them: `name(`.
const PREFILTER: Sinks = Sinks {
    names: &[SINKS, RAW_FRAGMENT_SINKS],
    receiver_names: &[],
    receiver_words: &[],
    call_marks: b"",
};

/// Methods that take SQL (receiver ignored).
const SINKS: &[&str] = &[
    "Query",
    "QueryRow",
    "QueryContext",
    "QueryRowContext",
    "Exec",
    "ExecContext",
    "Prepare",
    "PrepareContext",
    "Select",
    "Get",
    "SelectContext",
    "GetContext",
    "NamedExec",
    "NamedExecContext",
    "NamedQuery",
    "NamedQueryContext",
    "PrepareNamed",
    "PrepareNamedContext",
    "MustExec",
    "MustExecContext",
    "Queryx",
    "QueryRowx",
    "QueryxContext",
    "QueryRowxContext",
    "Preparex",
    "PreparexContext",
    "Raw",
    "Where",
    "Queue",
];

/// gorm methods that put their string argument into the statement as raw SQL (column lists,
/// ORDER BY, GROUP BY, HAVING, JOIN, table names, OR/NOT conditions). Only text built at run
/// time is reported there: constant fragments are not statements to judge.
const RAW_FRAGMENT_SINKS: &[&str] = &[
    "Order", "Group", "Having", "Joins", "Or", "Not", "Table", "Distinct", "Pluck", "Select",
];

const NUMERIC_TYPES: &[&str] = &[
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "uintptr",
    "float32",
    "float64",
    "byte",
    "bool",
    "complex64",
    "complex128",
];

/// Calls whose string arguments are messages, not SQL.
const LOG_METHODS: &[&str] = &[
    "Print",
    "Printf",
    "Println",
    "Fatal",
    "Fatalf",
    "Fatalln",
    "Panic",
    "Panicf",
    "Panicln",
    "Debug",
    "Debugf",
    "Debugw",
    "Info",
    "Infof",
    "Infow",
    "Warn",
    "Warnf",
    "Warnw",
    "Warning",
    "Warningf",
    "Error",
    "Errorf",
    "Errorw",
    "Trace",
    "Tracef",
    "Msg",
    "Msgf",
    "Log",
    "Logf",
    "Skip",
    "Skipf",
    "Wrap",
    "Wrapf",
    "WithMessage",
    "WithMessagef",
];

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Define,
    Assign,
    Append,
}

struct Go<'s> {
    src: &'s str,
    flow: Flow,
    /// Imported package names (a `pkg.Name` selector on one is a package constant).
    imports: HashSet<String>,
    depth: usize,
}

fn is_string_literal(n: Node) -> bool {
    matches!(
        n.kind(),
        "interpreted_string_literal" | "raw_string_literal"
    )
}

fn field<'t>(n: Node<'t>, name: &str) -> Option<Node<'t>> {
    n.child_by_field_name(name)
}

/// Named children of a field that may repeat (`name: a, name: b`).
fn fields<'t>(n: Node<'t>, name: &str) -> Vec<Node<'t>> {
    let mut c = n.walk();
    n.children_by_field_name(name, &mut c).collect()
}

fn args_of(call: Node) -> Vec<Node> {
    field(call, "arguments")
        .map(|a| {
            children(a)
                .into_iter()
                .filter(|c| c.kind() != "comment")
                .collect()
        })
        .unwrap_or_default()
}

/// The expression inside a composite literal's `literal_element`.
fn literal_element_value(n: Node) -> Node {
    children(n).first().copied().unwrap_or(n)
}

fn unparen(mut n: Node) -> Node {
    while n.kind() == "parenthesized_expression" {
        match children(n).into_iter().find(|c| c.kind() != "comment") {
            Some(c) => n = c,
            None => break,
        }
    }
    n
}

impl<'s> Go<'s> {
    fn t(&self, n: Node) -> &'s str {
        text(n, self.src)
    }

    fn pos(&self, n: Node) -> (usize, usize) {
        position(n, self.src)
    }

    // ---------------------------------------------------------------- declarations

    fn file(&mut self, root: Node) {
        let top = children(root);
        for n in &top {
            if n.kind() == "import_declaration" {
                self.imports_of(*n);
            }
        }
        for n in &top {
            if matches!(n.kind(), "const_declaration" | "var_declaration") {
                self.visit(*n);
            }
        }
        for n in &top {
            if matches!(n.kind(), "function_declaration" | "method_declaration") {
                self.function(*n);
            }
        }
    }

    fn imports_of(&mut self, n: Node) {
        let mut stack = vec![n];
        while let Some(n) = stack.pop() {
            if n.kind() == "import_spec" {
                let name = field(n, "name").map(|x| self.t(x).to_string());
                let path = field(n, "path")
                    .map(|p| self.t(p).trim_matches(['"', '`']).to_string())
                    .unwrap_or_default();
                let name = name.unwrap_or_else(|| {
                    let mut segs = path.rsplit('/');
                    let last = segs.next().unwrap_or("");
                    // `github.com/jackc/pgx/v5` is package pgx.
                    let last = if last.len() > 1
                        && last.starts_with('v')
                        && last[1..].chars().all(|c| c.is_ascii_digit())
                    {
                        segs.next().unwrap_or(last)
                    } else {
                        last
                    };
                    last.split('.').next().unwrap_or(last).replace('-', "_")
                });
                self.imports.insert(name);
            } else {
                stack.extend(children(n));
            }
        }
    }

    fn function(&mut self, n: Node) {
        let name = field(n, "name").map(|x| self.t(x).to_string());
        self.flow.enter(name);
        for p in ["receiver", "parameters", "result"] {
            if let Some(list) = field(n, p) {
                self.parameters(list);
            }
        }
        if let Some(body) = field(n, "body") {
            self.visit(body);
        }
        self.flow.leave();
    }

    fn parameters(&mut self, list: Node) {
        if list.kind() != "parameter_list" {
            return;
        }
        for p in children(list) {
            let numeric = p.kind() == "parameter_declaration"
                && field(p, "type").is_some_and(|t| self.numeric_type(t));
            for name in fields(p, "name") {
                let var = if numeric { Var::Numeric } else { Var::Other };
                let name = self.t(name).to_string();
                self.flow.declare(&name, var);
            }
        }
    }

    fn numeric_type(&self, t: Node) -> bool {
        t.kind() == "type_identifier" && NUMERIC_TYPES.contains(&self.t(t))
    }

    fn builder_type(&self, t: Node) -> bool {
        let s = self.t(t).trim_start_matches('*');
        matches!(s, "strings.Builder" | "bytes.Buffer")
    }

    fn string_slice_type(&self, t: Node) -> bool {
        t.kind() == "slice_type" && self.t(t).replace(' ', "") == "[]string"
    }

    /// `var`/`const` specs, at any level.
    fn spec(&mut self, s: Node) {
        let names = fields(s, "name");
        let ty = field(s, "type");
        let values: Vec<Node> = field(s, "value").map(children).unwrap_or_default();
        // A constant that is not a known string is a number or a boolean (`iota`).
        let constant = s.kind() == "const_spec";
        if values.is_empty() {
            let pos = self.pos(s);
            for name in names {
                let name = self.t(name).to_string();
                let var = match ty {
                    _ if constant => Var::Numeric,
                    Some(t) if self.numeric_type(t) => Var::Numeric,
                    Some(t) if self.builder_type(t) => {
                        Var::Builder(self.flow.record(Str::empty(pos)))
                    }
                    Some(t) if self.string_slice_type(t) => Var::List(Some(Vec::new())),
                    Some(t) if self.t(t) == "string" => Var::Rec(self.flow.record(Str::empty(pos))),
                    _ => Var::Other,
                };
                self.flow.declare(&name, var);
            }
            return;
        }
        if names.len() == values.len() {
            for (name, value) in names.iter().zip(values) {
                let numeric = constant || ty.is_some_and(|t| self.numeric_type(t));
                self.assign_name(*name, value, Op::Define, numeric);
            }
        } else {
            for v in values {
                self.visit(v);
            }
            for name in names {
                let name = self.t(name).to_string();
                self.flow.declare(&name, Var::Other);
            }
        }
    }

    // ---------------------------------------------------------------- statements

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
            "comment" | "import_declaration" | "type_declaration" | "field_declaration" => {}
            "function_declaration" | "method_declaration" => self.function(n),
            "func_literal" => {
                self.flow.enter(None);
                if let Some(p) = field(n, "parameters") {
                    self.parameters(p);
                }
                if let Some(b) = field(n, "body") {
                    self.visit(b);
                }
                self.flow.leave();
            }
            "var_spec" | "const_spec" => self.spec(n),
            "short_var_declaration" => self.assignment(n, Op::Define),
            "assignment_statement" => {
                let op = field(n, "operator").map(|o| self.t(o)).unwrap_or("=");
                match op {
                    "=" => self.assignment(n, Op::Assign),
                    "+=" => self.assignment(n, Op::Append),
                    _ => {
                        // `-=`, `*=`, ...: the variable is a number.
                        if let Some(l) = field(n, "left") {
                            for x in children(l) {
                                if x.kind() == "identifier" {
                                    let name = self.t(x).to_string();
                                    self.flow.set(&name, Var::Numeric);
                                }
                            }
                        }
                        if let Some(r) = field(n, "right") {
                            self.visit(r);
                        }
                    }
                }
            }
            "inc_statement" | "dec_statement" => {
                if let Some(x) = children(n).first()
                    && x.kind() == "identifier"
                {
                    let name = self.t(*x).to_string();
                    self.flow.set(&name, Var::Numeric);
                }
            }
            "range_clause" => {
                if let Some(r) = field(n, "right") {
                    self.visit(r);
                }
                let element = field(n, "right").and_then(|r| self.constant_element(r));
                if let Some(l) = field(n, "left") {
                    let names = children(l);
                    let last = names.len().saturating_sub(1);
                    for (i, x) in names.iter().enumerate() {
                        let name = self.t(*x).to_string();
                        let var = match &element {
                            Some(e) if i == last && i > 0 => Var::Rec(self.flow.record(e.clone())),
                            _ => Var::Other,
                        };
                        self.flow.declare(&name, var);
                    }
                }
            }
            "type_switch_statement" | "receive_statement" => {
                let names = field(n, "alias")
                    .or_else(|| field(n, "left"))
                    .map(children)
                    .unwrap_or_default();
                for x in names {
                    if x.kind() == "identifier" {
                        let name = self.t(x).to_string();
                        self.flow.declare(&name, Var::Other);
                    }
                }
                for c in children(n) {
                    self.visit(c);
                }
            }
            "call_expression" => self.call(n),
            "interpreted_string_literal" | "raw_string_literal" => self.root(n),
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
            _ => {
                for c in children(n) {
                    self.visit(c);
                }
            }
        }
    }

    /// A string-valued expression in a position of its own: a candidate if it has text.
    fn root(&mut self, n: Node) {
        if let Some(v) = self.eval(n)
            && super::flow::has_text(&v)
        {
            self.flow.record(v);
        }
    }

    /// Syntactically involves a string literal somewhere in a `+` chain (so it is a
    /// concatenation, not arithmetic) or a known string variable.
    fn stringy(&self, n: Node) -> bool {
        let mut stack = vec![n];
        let mut steps = 0;
        while let Some(x) = stack.pop() {
            steps += 1;
            if steps > 10_000 {
                return false;
            }
            match x.kind() {
                "interpreted_string_literal" | "raw_string_literal" => return true,
                "identifier" => {
                    if matches!(
                        self.flow.lookup(self.t(x)),
                        Some(Var::Rec(_)) | Some(Var::Builder(_))
                    ) {
                        return true;
                    }
                }
                "binary_expression" if field(x, "operator").is_some_and(|o| self.t(o) == "+") => {
                    stack.extend(children(x));
                }
                "parenthesized_expression" => stack.extend(children(x)),
                "call_expression" => {
                    let callee = field(x, "function").map(|f| self.t(f)).unwrap_or("");
                    if callee.starts_with("fmt.Sprint")
                        || callee.starts_with("strings.")
                        || callee.starts_with("strconv.")
                        || callee.ends_with(".String")
                        || callee.ends_with("QuoteIdentifier")
                        || callee.ends_with("QuoteLiteral")
                        || callee.ends_with(".Sanitize")
                    {
                        return true;
                    }
                }
                _ => {}
            }
        }
        false
    }

    fn assignment(&mut self, n: Node, op: Op) {
        let lefts: Vec<Node> = field(n, "left").map(children).unwrap_or_default();
        let rights: Vec<Node> = field(n, "right").map(children).unwrap_or_default();
        if lefts.len() == rights.len() {
            for (l, r) in lefts.iter().zip(rights) {
                self.assign_one(*l, r, op);
            }
            return;
        }
        // `a, b := f()`.
        let Some(r) = rights.first().copied() else {
            return;
        };
        let r = unparen(r);
        let callee = field(r, "function").map(|f| self.t(f)).unwrap_or("");
        let m = method_name(callee);
        let first = lefts.first().copied();
        if r.kind() == "index_expression" && lefts.len() == 2 {
            // `col, ok := allowed[key]`: the value (a constant when every value of a known map
            // is), and a boolean.
            let var = match self.eval(r) {
                Some(v) => Var::Rec(self.flow.record(v)),
                None => Var::Other,
            };
            let targets = [(lefts[0], var), (lefts[1], Var::Numeric)];
            for (l, var) in targets {
                if l.kind() == "identifier" {
                    let name = self.t(l).to_string();
                    if op == Op::Define {
                        self.flow.declare(&name, var);
                    } else {
                        self.flow.set(&name, var);
                    }
                }
            }
            return;
        }
        let define = |g: &mut Self, l: Node, var: Var| {
            if l.kind() == "identifier" {
                let name = g.t(l).to_string();
                if op == Op::Define {
                    g.flow.declare(&name, var);
                } else {
                    g.flow.set(&name, var);
                }
            }
        };
        if r.kind() == "call_expression"
            && matches!(m, "In" | "Named" | "BindNamed")
            && let Some(l) = first
        {
            // sqlx.In(query, args...) / sqlx.Named(query, arg): the query comes back.
            let args = args_of(r);
            let q = if m == "BindNamed" {
                args.get(1)
            } else {
                args.first()
            };
            let var = match q.copied().map(unparen) {
                Some(q) if q.kind() == "identifier" => match self.flow.lookup(self.t(q)) {
                    Some(Var::Rec(rid)) => Var::Rec(*rid),
                    _ => Var::Other,
                },
                Some(q) => match self.eval(q) {
                    Some(v) => Var::Rec(self.flow.record(v)),
                    None => Var::Other,
                },
                None => Var::Other,
            };
            define(self, l, var);
            for x in lefts.iter().skip(1) {
                define(self, *x, Var::Other);
            }
            return;
        }
        self.visit(r);
        let numeric_first = matches!(
            callee,
            "strconv.Atoi"
                | "strconv.ParseInt"
                | "strconv.ParseUint"
                | "strconv.ParseFloat"
                | "strconv.ParseBool"
        );
        for (i, l) in lefts.iter().enumerate() {
            let var = if i == 0 && numeric_first {
                Var::Numeric
            } else {
                Var::Other
            };
            define(self, *l, var);
        }
    }

    fn assign_one(&mut self, l: Node, r: Node, op: Op) {
        match l.kind() {
            "identifier" => self.assign_name(l, r, op, false),
            "index_expression" => {
                // `parts[i] = "$" + strconv.Itoa(i+1)`: an element of a list.
                let operand = field(l, "operand");
                let list = operand
                    .filter(|o| o.kind() == "identifier")
                    .map(|o| self.t(o).to_string());
                match list {
                    Some(name) if matches!(self.flow.lookup(&name), Some(Var::List(_))) => {
                        let v = self.eval(r);
                        self.list_push(&name, vec![v]);
                    }
                    Some(name) if matches!(self.flow.lookup(&name), Some(Var::Map(_))) => {
                        // `m[k] = v`: one more entry (earlier ones are kept: the write may be
                        // conditional).
                        let key = field(l, "index").and_then(|k| self.eval(k));
                        let key = key.filter(|k| k.is_constant()).map(|k| k.sql());
                        let v = self.eval(r).unwrap_or_else(|| {
                            Str::hole(Hole::Dynamic("map value".into()), self.pos(r))
                        });
                        if let Some(Var::Map(Some(mut m))) = self.flow.lookup(&name).cloned() {
                            let map = (m.len() < 256).then(|| {
                                m.push((key, v));
                                m
                            });
                            self.flow.set(&name, Var::Map(map));
                        }
                    }
                    _ => self.visit(r),
                }
            }
            _ => self.visit(r),
        }
    }

    fn list_push(&mut self, name: &str, elems: Vec<Option<Str>>) {
        let Some(Var::List(list)) = self.flow.lookup(name).cloned() else {
            return;
        };
        let list = match list {
            Some(mut l) => {
                if elems.iter().all(|e| e.is_some()) && l.len() < 256 {
                    l.extend(elems.into_iter().flatten());
                    Some(l)
                } else {
                    None
                }
            }
            None => None,
        };
        self.flow.set(name, Var::List(list));
    }

    fn assign_name(&mut self, l: Node, r: Node, op: Op, declared_numeric: bool) {
        let name = self.t(l).to_string();
        let r = unparen(r);
        let set = |g: &mut Self, var: Var| {
            if op == Op::Define {
                g.flow.declare(&name, var);
            } else {
                g.flow.set(&name, var);
            }
        };
        if op == Op::Append {
            let v = self
                .eval(r)
                .unwrap_or_else(|| Str::hole(Hole::Dynamic("+=".into()), self.pos(r)));
            match self.flow.lookup(&name).cloned() {
                Some(Var::Rec(rid)) | Some(Var::Builder(rid)) => self.flow.append(rid, v, "+="),
                Some(Var::Numeric) => {}
                _ => {
                    // `where += "..."` on a parameter: its start is unknown.
                    let mut base = Str::hole(Hole::Dynamic("+=".into()), self.pos(l));
                    base.push(v);
                    let rid = self.flow.record(base);
                    self.flow.set(&name, Var::Rec(rid));
                }
            }
            return;
        }
        // Aliases: `q := sb.String()`, `query := q`.
        if let Some(var) = self.alias(r) {
            set(self, var);
            return;
        }
        if let Some(var) = self.constructor(r) {
            set(self, var);
            return;
        }
        // `conds = append(conds, "name = $1")`.
        if r.kind() == "call_expression"
            && field(r, "function").is_some_and(|f| self.t(f) == "append")
        {
            let args = args_of(r);
            let base = args
                .first()
                .filter(|a| a.kind() == "identifier")
                .map(|a| self.t(*a).to_string());
            if let Some(base) = base
                && let Some(Var::List(list)) = self.flow.lookup(&base).cloned()
            {
                if base != name {
                    set(self, Var::List(list));
                }
                let elems: Vec<Option<Str>> = args[1..]
                    .iter()
                    .map(|a| {
                        if a.kind() == "variadic_argument" {
                            None
                        } else {
                            self.eval(*a)
                        }
                    })
                    .collect();
                self.list_push(&name, elems);
                return;
            }
            for a in args {
                self.visit(a);
            }
            set(self, Var::Other);
            return;
        }
        if r.kind() == "nil" {
            let rid = self.flow.record(Str::empty(self.pos(r)));
            set(self, Var::Rec(rid));
            return;
        }
        let self_ref = op == Op::Assign && self.mentions(r, &name);
        match self.eval(r) {
            Some(v) => {
                if op == Op::Assign && v.dynamic().is_none() && self.holds_run_time_value(&name) {
                    // `name = "default"` after `name := r.FormValue("n")`: flow-insensitive,
                    // the run-time value may still be what reaches the query.
                    self.flow.record(v);
                    return;
                }
                if self_ref && let Some(Var::Rec(rid)) = self.flow.lookup(&name).cloned() {
                    // `q = q + " AND ..."`: the same value, still starting where it did.
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
                    || matches!(self.flow.lookup(&name), Some(Var::Numeric))
                    || matches!(self.flow.lookup(&name), Some(Var::Rec(rid))
                        if self.flow.recs[*rid].value.is_constant()
                            && self.flow.recs[*rid].value.sql().trim().parse::<f64>().is_ok());
                set(self, if numeric { Var::Numeric } else { Var::Other });
            }
        }
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
            "identifier" => match self.flow.lookup(self.t(r)) {
                Some(
                    v @ (Var::Rec(_) | Var::Builder(_) | Var::Numeric | Var::List(_) | Var::Map(_)),
                ) => Some(match v {
                    Var::Builder(rid) => Var::Rec(*rid),
                    other => other.clone(),
                }),
                _ => None,
            },
            "call_expression" => {
                let f = field(r, "function")?;
                if f.kind() == "selector_expression"
                    && field(f, "field").is_some_and(|x| self.t(x) == "String")
                    && args_of(r).is_empty()
                {
                    let operand = unparen(field(f, "operand")?);
                    if let Some(Var::Builder(rid)) = self.flow.lookup(self.t(operand)) {
                        return Some(Var::Rec(*rid));
                    }
                }
                None
            }
            _ => None,
        }
    }

    /// `strings.Builder{}`, `&strings.Builder{}`, `new(strings.Builder)`,
    /// `bytes.NewBufferString(..)`, `[]string{..}`, `make([]string, n)`.
    fn constructor(&mut self, r: Node) -> Option<Var> {
        let pos = self.pos(r);
        let inner = if r.kind() == "unary_expression" {
            field(r, "operand").map(unparen)?
        } else {
            r
        };
        match inner.kind() {
            "composite_literal" => {
                let ty = field(inner, "type")?;
                if self.builder_type(ty) {
                    return Some(Var::Builder(self.flow.record(Str::empty(pos))));
                }
                if ty.kind() == "map_type" {
                    let mut entries = Vec::new();
                    let body = field(inner, "body").map(children).unwrap_or_default();
                    for e in body {
                        if e.kind() != "keyed_element" {
                            continue;
                        }
                        let key = field(e, "key")
                            .map(literal_element_value)
                            .and_then(|k| self.eval(k))
                            .filter(|k| k.is_constant())
                            .map(|k| k.sql());
                        let v = field(e, "value").map(literal_element_value);
                        let v = v.and_then(|v| self.eval(v)).unwrap_or_else(|| {
                            Str::hole(Hole::Dynamic("map value".into()), self.pos(e))
                        });
                        entries.push((key, v));
                    }
                    // String values in the literal are still candidates of their own.
                    self.visit(inner);
                    return Some(Var::Map(Some(entries)));
                }
                if self.string_slice_type(ty) {
                    let body = field(inner, "body").map(children).unwrap_or_default();
                    let mut elems = Vec::new();
                    for e in body {
                        let e = children(e).first().copied().unwrap_or(e);
                        elems.push(self.eval(e));
                    }
                    let all = elems.iter().all(|e| e.is_some());
                    return Some(Var::List(
                        all.then(|| elems.into_iter().flatten().collect()),
                    ));
                }
                None
            }
            "call_expression" => {
                let callee = self.t(field(inner, "function")?);
                let args = args_of(inner);
                match callee {
                    "new" if args.first().is_some_and(|a| self.builder_type(*a)) => {
                        Some(Var::Builder(self.flow.record(Str::empty(pos))))
                    }
                    "bytes.NewBufferString" => {
                        let v = args
                            .first()
                            .and_then(|a| self.eval(*a))
                            .unwrap_or_else(|| Str::empty(pos));
                        Some(Var::Builder(self.flow.record(v)))
                    }
                    "make" if args.first().is_some_and(|a| self.string_slice_type(*a)) => {
                        Some(Var::List(Some(Vec::new())))
                    }
                    "make" if args.first().is_some_and(|a| a.kind() == "map_type") => {
                        Some(Var::Map(Some(Vec::new())))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The subtree names identifier `name`.
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
            "int_literal" | "float_literal" => true,
            "identifier" => matches!(self.flow.lookup(self.t(n)), Some(Var::Numeric)),
            "binary_expression" => true,
            "unary_expression" => field(n, "operator").is_some_and(|o| self.t(o) == "-"),
            "call_expression" => field(n, "function").is_some_and(|f| {
                let c = self.t(f);
                NUMERIC_TYPES.contains(&c) || c == "len" || c == "cap"
            }),
            _ => false,
        }
    }

    // ---------------------------------------------------------------- calls

    fn call(&mut self, n: Node) {
        let Some(callee) = field(n, "function") else {
            return;
        };
        let callee_text: String = self.t(callee).split_whitespace().collect();
        let m = method_name(&callee_text).to_string();
        let args = args_of(n);
        // Builder writes.
        if callee.kind() == "selector_expression"
            && let Some(operand) = field(callee, "operand").map(unparen)
            && operand.kind() == "identifier"
            && let Some(Var::Builder(rid)) = self.flow.lookup(self.t(operand)).cloned()
            && matches!(
                m.as_str(),
                "WriteString" | "WriteByte" | "WriteRune" | "Write"
            )
        {
            if let Some(a) = args.first() {
                let v = self.eval(*a).unwrap_or_else(|| {
                    Str::hole(Hole::Dynamic("strings.Builder".into()), self.pos(*a))
                });
                self.flow.append(rid, v, "strings.Builder");
            }
            return;
        }
        if matches!(
            callee_text.as_str(),
            "fmt.Fprintf" | "fmt.Fprint" | "fmt.Fprintln"
        ) && let Some(w) = args.first()
        {
            let w = unparen(*w);
            let target = if w.kind() == "unary_expression" {
                field(w, "operand").map(unparen)
            } else {
                Some(w)
            };
            if let Some(t) = target
                && let Some(Var::Builder(rid)) = self.flow.lookup(self.t(t)).cloned()
            {
                let v = if callee_text == "fmt.Fprintf" {
                    self.sprintf(&args[1..])
                } else {
                    self.sprint(&args[1..], self.pos(n))
                };
                let v = v.unwrap_or_else(|| {
                    Str::hole(Hole::Dynamic("strings.Builder".into()), self.pos(n))
                });
                self.flow.append(rid, v, "strings.Builder");
                return;
            }
        }
        if callee.kind() == "selector_expression"
            && SINKS.contains(&m.as_str())
            && self.sink_call(callee, &callee_text, &m, &args)
        {
            return;
        }
        if callee.kind() == "selector_expression"
            && RAW_FRAGMENT_SINKS.contains(&m.as_str())
            && self.raw_fragment_call(callee, &callee_text, &args)
        {
            return;
        }
        if LOG_METHODS.contains(&m.as_str())
            || callee_text.starts_with("log.")
            || callee_text.starts_with("fmt.Print")
            || callee_text.starts_with("fmt.Fprint")
            || callee_text == "fmt.Errorf"
            || callee_text == "errors.New"
            || callee_text == "panic"
            || matches!(
                m.as_str(),
                "ExpectQuery" | "ExpectExec" | "ExpectPrepare" | "QuoteMeta" | "MustCompile"
            )
        {
            return;
        }
        if self.string_call(&callee_text) {
            self.root(n);
            return;
        }
        self.visit(callee);
        for a in args {
            // A map handed to a function may be changed there: its values are no longer known.
            let a = unparen(a);
            let target = if a.kind() == "unary_expression" {
                field(a, "operand").map(unparen)
            } else {
                Some(a)
            };
            if callee_text != "len"
                && callee_text != "delete"
                && let Some(t) = target.filter(|t| t.kind() == "identifier")
                && matches!(self.flow.lookup(self.t(t)), Some(Var::Map(Some(_))))
            {
                let name = self.t(t).to_string();
                self.flow.set(&name, Var::Map(None));
            }
            self.visit(a);
        }
    }

    /// gorm's raw-SQL fragment methods (`Order`, `Group`, `Joins`, ...): text built at run
    /// time reaching one is reported (as a condition fragment); `false` when the argument is
    /// not such text (the call is then visited as any other).
    fn raw_fragment_call(&mut self, callee: Node, callee_text: &str, args: &[Node]) -> bool {
        let Some(a) = args.first().copied().map(unparen) else {
            return false;
        };
        let rid = match a.kind() {
            "identifier" => match self.flow.lookup(self.t(a)) {
                Some(Var::Rec(rid)) | Some(Var::Builder(rid))
                    if self.flow.recs[*rid].value.dynamic().is_some() =>
                {
                    Some(*rid)
                }
                _ => None,
            },
            _ => match self.eval(a) {
                Some(v) if v.dynamic().is_some() => Some(self.flow.record(v)),
                _ => None,
            },
        };
        let Some(rid) = rid else {
            return false;
        };
        self.flow.sink(rid, callee_text, None, true);
        if let Some(operand) = field(callee, "operand") {
            self.visit(operand);
        }
        for x in &args[1..] {
            self.visit(*x);
        }
        true
    }

    /// Calls `eval` folds into a string value.
    fn string_call(&self, callee: &str) -> bool {
        callee.starts_with("fmt.Sprint")
            || matches!(
                callee,
                "strings.Join"
                    | "strings.Repeat"
                    | "strings.TrimSuffix"
                    | "strings.TrimPrefix"
                    | "strings.TrimSpace"
                    | "strings.TrimRight"
                    | "strings.TrimLeft"
                    | "strings.ToUpper"
                    | "strings.ToLower"
                    | "strings.Replace"
                    | "strings.ReplaceAll"
                    | "string"
            )
    }

    fn is_ctx(&self, a: Node) -> bool {
        if is_string_literal(a) {
            return false;
        }
        let t = self.t(a);
        matches!(t, "ctx" | "c" | "context" | "cx")
            || t.ends_with("ctx")
            || t.ends_with("Ctx")
            || t.contains("context.")
            || t.contains("Context()")
    }

    /// A database call: attaches the SQL argument. `false` when the call turns out not to be
    /// one (`c.Get("key")`, gorm's column `Select("name")`).
    fn sink_call(&mut self, callee: Node, callee_text: &str, m: &str, args: &[Node]) -> bool {
        let mut i = 0;
        if (m.ends_with("Context") || (args.len() > 1 && self.is_ctx(args[0]))) && !args.is_empty()
        {
            i = 1;
        }
        if matches!(m, "Select" | "Get" | "SelectContext" | "GetContext") {
            // sqlx: (ctx,) &dest, query, args...
            let dest = args.get(i).copied().map(unparen);
            let is_dest = dest.is_some_and(|d| {
                (d.kind() == "unary_expression"
                    && field(d, "operator").is_some_and(|o| self.t(o) == "&"))
                    || (d.kind() == "identifier"
                        && !matches!(
                            self.flow.lookup(self.t(d)),
                            Some(Var::Rec(_)) | Some(Var::Builder(_))
                        ))
            });
            if !is_dest || args.len() < i + 2 {
                return false;
            }
            i += 1;
        }
        let Some(sql_arg) = args.get(i).copied() else {
            return false;
        };
        let fragment = m == "Where";
        let rest = &args[i + 1..];
        let bind_args = if rest.iter().any(|a| a.kind() == "variadic_argument") {
            None
        } else {
            Some(rest.len())
        };
        let mut a = unparen(sql_arg);
        // db.Query(db.Rebind(q), ...)
        if a.kind() == "call_expression"
            && field(a, "function").is_some_and(|f| method_name(self.t(f)) == "Rebind")
            && let Some(last) = args_of(a).last()
        {
            a = unparen(*last);
        }
        let var = match a.kind() {
            "identifier" => match self.flow.lookup(self.t(a)) {
                Some(Var::Rec(rid)) | Some(Var::Builder(rid)) => Some(*rid),
                _ => None,
            },
            "call_expression" => match self.alias(a) {
                Some(Var::Rec(rid)) => Some(rid),
                _ => None,
            },
            _ => None,
        };
        match var {
            Some(rid) => self.flow.sink(rid, callee_text, bind_args, fragment),
            None => match self.eval(a) {
                Some(v) if super::flow::has_text(&v) => {
                    let rid = self.flow.record(v);
                    self.flow.sink(rid, callee_text, bind_args, fragment);
                }
                _ => self.visit(a),
            },
        }
        if let Some(operand) = field(callee, "operand") {
            self.visit(operand);
        }
        for (j, x) in args.iter().enumerate() {
            if j != i {
                self.visit(*x);
            }
        }
        true
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
            "interpreted_string_literal" => {
                let t = self.t(n);
                let inner = t.strip_prefix('"').unwrap_or(t);
                let inner = inner.strip_suffix('"').unwrap_or(inner);
                Some(Str::text(unescape_c(inner), pos))
            }
            "raw_string_literal" => {
                let t = self.t(n);
                let inner = t.strip_prefix('`').unwrap_or(t);
                let inner = inner.strip_suffix('`').unwrap_or(inner);
                Some(Str::text(inner.replace('\r', ""), pos))
            }
            "rune_literal" => {
                let t = self.t(n);
                let inner = t.strip_prefix('\'').unwrap_or(t);
                let inner = inner.strip_suffix('\'').unwrap_or(inner);
                Some(Str::text(unescape_c(inner), pos))
            }
            "int_literal" | "float_literal" | "true" | "false" => Some(Str::text(self.t(n), pos)),
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
            "unary_expression" if self.numeric_expr(n) => {
                Some(Str::hole(Hole::Safe("numeric expression".into()), pos))
            }
            "identifier" => self.ident(n),
            "selector_expression" => {
                let operand = field(n, "operand")?;
                let name = self.t(operand);
                if operand.kind() == "identifier"
                    && self.imports.contains(name)
                    && self.flow.lookup(name).is_none()
                {
                    Some(Str::text(EXTERNAL_CONSTANT, pos))
                } else {
                    None
                }
            }
            "slice_expression" => {
                // `q[:len(q)-5]`: trims the text; the value's shape is kept.
                let mut v = self.eval(field(n, "operand")?)?;
                (v.line, v.column) = pos;
                Some(v)
            }
            "type_conversion_expression" => {
                let ty = field(n, "type")?;
                let operand = field(n, "operand")?;
                if self.numeric_type(ty) {
                    return Some(Str::hole(Hole::Safe("numeric conversion".into()), pos));
                }
                let mut v = self.eval(operand)?;
                (v.line, v.column) = pos;
                Some(v)
            }
            "call_expression" => self.eval_call(n),
            "index_expression" => {
                // `allowed[key]`, `cols[i]`: a constant when every value of the known map (or
                // element of the known list) is.
                let operand = unparen(field(n, "operand")?);
                if operand.kind() != "identifier" {
                    return None;
                }
                let mut v = match self.flow.lookup(self.t(operand)).cloned() {
                    Some(Var::Map(Some(entries))) => map_lookup(&entries, None, false, None)?,
                    Some(Var::List(Some(elems))) => list_index(&elems, None, false)?,
                    _ => return None,
                };
                (v.line, v.column) = pos;
                Some(v)
            }
            _ => None,
        }
    }

    fn ident(&mut self, n: Node) -> Option<Str> {
        let pos = self.pos(n);
        let name = self.t(n);
        match self.flow.lookup(name).cloned() {
            Some(Var::Rec(rid)) => {
                let mut v = self.flow.take(rid)?;
                (v.line, v.column) = pos;
                Some(v)
            }
            Some(Var::Numeric) => Some(Str::hole(Hole::Safe("numeric variable".into()), pos)),
            Some(_) => None,
            None => {
                if matches!(name, "nil" | "true" | "false" | "iota" | "_") {
                    None
                } else {
                    // Declared in another file of the package: a package-level constant.
                    Some(Str::text(EXTERNAL_CONSTANT, pos))
                }
            }
        }
    }

    /// A `+` chain, flattened (long chains do not recurse).
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
        let mut out = Vec::new();
        for a in args {
            if a.kind() == "variadic_argument" {
                break;
            }
            out.push(self.eval(*a));
        }
        out
    }

    fn sprintf(&mut self, args: &[Node]) -> Option<Str> {
        let fmt = self.eval(*args.first()?)?;
        let rest = self.format_args(&args[1..]);
        Some(fold_printf(&fmt, &rest, &|_| None, "fmt.Sprintf"))
    }

    fn sprint(&mut self, args: &[Node], pos: (usize, usize)) -> Option<Str> {
        let values = self.format_args(args);
        super::flow::join_concat(pos, values, "fmt.Sprint")
    }

    fn eval_call(&mut self, n: Node) -> Option<Str> {
        let pos = self.pos(n);
        let callee = field(n, "function")?;
        let ct: String = self.t(callee).split_whitespace().collect();
        let m = method_name(&ct).to_string();
        let args = args_of(n);
        let first = args.first().copied();
        let with_pos = |v: Option<Str>| {
            v.map(|mut v| {
                (v.line, v.column) = pos;
                v
            })
        };
        match ct.as_str() {
            "fmt.Sprintf" => return with_pos(self.sprintf(&args)),
            "fmt.Sprint" | "fmt.Sprintln" => return self.sprint(&args, pos),
            "strings.Join" => {
                let sep = args
                    .get(1)
                    .and_then(|s| self.eval(*s))
                    .unwrap_or_else(|| Str::text(", ", pos));
                let elems = first.and_then(|l| self.list_value(l));
                return Some(match elems {
                    Some(e) if !e.is_empty() => super::flow::join(&e, &sep, pos),
                    _ => Str::hole(Hole::Dynamic("strings.Join".into()), pos),
                });
            }
            "strings.Repeat" | "strings.ToUpper" | "strings.ToLower" | "strings.Title"
            | "strings.Replace" | "strings.ReplaceAll" | "string" => {
                return with_pos(self.eval(first?));
            }
            "strings.TrimSuffix" | "strings.TrimPrefix" | "strings.TrimRight"
            | "strings.TrimLeft" | "strings.TrimSpace" | "strings.Trim" => {
                let v = self.eval(first?)?;
                let arg = args
                    .get(1)
                    .and_then(|a| self.eval(*a))
                    .filter(|a| a.is_constant())
                    .map(|a| a.sql());
                let how = match (m.as_str(), arg) {
                    ("TrimSuffix", Some(s)) => Trim::Suffix(s),
                    ("TrimPrefix", Some(s)) => Trim::Prefix(s),
                    ("TrimRight", Some(s)) => Trim::Right(s),
                    ("TrimLeft", Some(s)) => Trim::Left(s),
                    ("TrimSpace", _) => Trim::Space,
                    _ => return with_pos(Some(v)),
                };
                return with_pos(Some(trim_value(v, how)));
            }
            "len" | "cap" => {
                return Some(Str::hole(Hole::Safe("numeric expression".into()), pos));
            }
            _ => {}
        }
        if NUMERIC_TYPES.contains(&ct.as_str()) {
            return Some(Str::hole(Hole::Safe("numeric conversion".into()), pos));
        }
        if ct.starts_with("strconv.")
            && matches!(
                m.as_str(),
                "Itoa" | "FormatInt" | "FormatUint" | "FormatFloat" | "FormatBool"
            )
        {
            return Some(Str::hole(Hole::Safe(ct.clone()), pos));
        }
        if matches!(m.as_str(), "QuoteIdentifier" | "QuoteLiteral") {
            let api = if ct.contains('.') {
                ct.clone()
            } else {
                format!("pq.{m}")
            };
            return Some(Str::hole(Hole::Safe(api), pos));
        }
        if callee.kind() == "selector_expression" {
            let operand = field(callee, "operand").map(unparen)?;
            if m == "Sanitize" && args.is_empty() {
                let api = if self.t(operand).contains("Identifier") {
                    "pgx.Identifier.Sanitize"
                } else {
                    "Sanitize"
                };
                return Some(Str::hole(Hole::Safe(api.into()), pos));
            }
            if m == "String"
                && args.is_empty()
                && let Some(Var::Builder(rid)) = self.flow.lookup(self.t(operand)).cloned()
            {
                return self.flow.take(rid);
            }
            if m == "Rebind" {
                return with_pos(self.eval(*args.last()?));
            }
        }
        None
    }

    /// `for _, c := range cols` over a list of constants: one element stands for all.
    fn constant_element(&self, list: Node) -> Option<Str> {
        let list = unparen(list);
        if list.kind() != "identifier" {
            return None;
        }
        match self.flow.lookup(self.t(list)) {
            Some(Var::List(Some(elems)))
                if !elems.is_empty() && elems.iter().all(|e| e.is_constant()) =>
            {
                Some(elems[0].clone())
            }
            _ => None,
        }
    }

    /// The elements of a list value: a `[]string{..}` literal or a tracked list variable.
    fn list_value(&mut self, n: Node) -> Option<Vec<Str>> {
        let n = unparen(n);
        match n.kind() {
            "identifier" => match self.flow.lookup(self.t(n)).cloned() {
                Some(Var::List(l)) => l,
                _ => None,
            },
            "composite_literal" => {
                let body = field(n, "body").map(children).unwrap_or_default();
                let mut out = Vec::new();
                for e in body {
                    let e = children(e).first().copied().unwrap_or(e);
                    out.push(self.eval(e)?);
                }
                Some(out)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::candidate::Construction;

    fn run(src: &str) -> Vec<Candidate> {
        GoExtractor.extract(src)
    }

    fn dynamic(c: &Candidate) -> Option<&str> {
        match &c.construction {
            Construction::Dynamic { how } => Some(how),
            _ => None,
        }
    }

    fn one(src: &str) -> Candidate {
        let c = run(src);
        assert_eq!(c.len(), 1, "{c:#?}");
        c.into_iter().next().unwrap()
    }

    #[test]
    fn literal_to_sink_with_binds() {
        let c = one(
            "package p\nfunc f(ctx context.Context, id int64) {\n\trows, err := db.QueryContext(ctx, \"SELECT id FROM users WHERE id = $1\", id)\n}\n",
        );
        assert_eq!(c.construction, Construction::Constant);
        assert_eq!(c.sink.as_deref(), Some("db.QueryContext"));
        assert_eq!(c.bind_args, Some(1));
        assert_eq!(c.function.as_deref(), Some("f"));
        assert_eq!((c.line, c.column), (3, 36));
    }

    #[test]
    fn concatenation_with_a_parameter_is_dynamic() {
        let c = one(
            "package p\nfunc f(name string) {\n\tdb.Query(\"SELECT id FROM users WHERE name = '\" + name + \"'\")\n}\n",
        );
        assert_eq!(dynamic(&c), Some("concatenation"));
        assert_eq!(c.sql, "SELECT id FROM users WHERE name = '__zg_dyn_0__'");
    }

    #[test]
    fn constants_fold() {
        let c = one(
            "package p\nconst table = \"users\"\nfunc f() {\n\tq := \"SELECT id FROM \" + table + \" WHERE id = $1\"\n\tdb.Query(q, 1)\n}\n",
        );
        assert_eq!(c.construction, Construction::Constant);
        assert_eq!(c.sql, "SELECT id FROM users WHERE id = $1");
        assert_eq!(c.line, 4);
        assert_eq!(c.sink.as_deref(), Some("db.Query"));
    }

    #[test]
    fn sprintf_request_value_and_numeric_verb() {
        let c = one(
            "package p\nfunc f(r *http.Request) {\n\tq := fmt.Sprintf(\"SELECT * FROM users WHERE id = '%s'\", r.URL.Query().Get(\"id\"))\n\tdb.Exec(q)\n}\n",
        );
        assert_eq!(dynamic(&c), Some("fmt.Sprintf"));
        let c = one(
            "package p\nfunc f(n int) {\n\tdb.Exec(fmt.Sprintf(\"SELECT * FROM users LIMIT %d\", n))\n}\n",
        );
        assert!(matches!(
            c.construction,
            Construction::SafeIdentifier { .. }
        ));
    }

    #[test]
    fn plus_equals_and_builder() {
        let c = one(
            "package p\nfunc f(name string) {\n\tquery := \"SELECT id FROM users WHERE 1=1\"\n\tif name != \"\" {\n\t\tquery += \" AND name = '\" + name + \"'\"\n\t}\n\tdb.Query(query)\n}\n",
        );
        assert_eq!(dynamic(&c), Some("+="));
        assert_eq!(c.line, 3);
        let c = one(
            "package p\nfunc f(x string) {\n\tvar sb strings.Builder\n\tsb.WriteString(\"SELECT id FROM users WHERE name = \")\n\tsb.WriteString(x)\n\trows, _ := db.Query(sb.String())\n}\n",
        );
        assert_eq!(dynamic(&c), Some("strings.Builder"));
        assert_eq!(c.line, 4);
    }

    #[test]
    fn safe_apis() {
        let c = one(
            "package p\nfunc f(t string) {\n\tdb.Query(\"SELECT id FROM \" + pq.QuoteIdentifier(t) + \" WHERE id = $1\", 1)\n}\n",
        );
        assert_eq!(
            c.construction,
            Construction::SafeIdentifier {
                api: "pq.QuoteIdentifier".into()
            }
        );
        let c = one(
            "package p\nfunc f(t string) {\n\tq := \"SELECT id FROM \" + pgx.Identifier{\"public\", t}.Sanitize()\n\tconn.Query(ctx, q)\n}\n",
        );
        assert!(matches!(
            c.construction,
            Construction::SafeIdentifier { .. }
        ));
    }

    #[test]
    fn sqlx_and_gorm() {
        let c = one(
            "package p\nfunc f(id int) {\n\terr := db.Select(&users, \"SELECT id FROM users WHERE id IN (?)\", id)\n}\n",
        );
        assert_eq!(c.sink.as_deref(), Some("db.Select"));
        let c = one(
            "package p\nfunc f(name string) {\n\tdb.Where(fmt.Sprintf(\"name = '%s'\", name)).Find(&u)\n}\n",
        );
        assert_eq!(dynamic(&c), Some("fmt.Sprintf"));
        assert!(c.sql.starts_with("SELECT 1 WHERE name = '"));
        let c = one(
            "package p\nfunc f(ids []int) {\n\tdb.Raw(\"SELECT id FROM users WHERE id IN ?\", ids).Scan(&u)\n}\n",
        );
        assert_eq!(c.sql, "SELECT id FROM users WHERE id IN (?)");
        // Not database calls.
        assert!(run("package p\nfunc f(c *gin.Context) {\n\tx := c.Get(\"key\")\n\tr.URL.Query().Get(\"id\")\n}\n").is_empty());
    }

    #[test]
    fn joins_of_constant_lists_are_constant() {
        let c = one(
            "package p\nfunc f(ids []int) {\n\tph := make([]string, len(ids))\n\tfor i := range ids {\n\t\tph[i] = \"$\" + strconv.Itoa(i+1)\n\t}\n\tconds := []string{}\n\tconds = append(conds, \"active = true\")\n\tq := \"SELECT id FROM users WHERE id IN (\" + strings.Join(ph, \",\") + \") AND \" + strings.Join(conds, \" AND \")\n\tdb.Query(q, args...)\n}\n",
        );
        assert!(
            !matches!(c.construction, Construction::Dynamic { .. }),
            "{c:?}"
        );
        assert_eq!(c.bind_args, None);
    }

    #[test]
    fn map_lookups_and_gorm_fragments() {
        let map = |extra: &str| {
            format!(
                "package p\nvar allowed = map[string]string{{\"n\": \"name\"}}\nfunc f(r *http.Request) {{\n\t{extra}\n\tcol, ok := allowed[r.FormValue(\"s\")]\n\tif !ok {{\n\t\tcol = \"id\"\n\t}}\n\tdb.Query(\"SELECT id FROM users ORDER BY \" + col)\n}}\n"
            )
        };
        let judged = |src: String| {
            run(&src)
                .into_iter()
                .find(|c| c.sink.is_some())
                .map(|c| c.construction)
        };
        assert_eq!(judged(map("")), Some(Construction::Constant));
        // A request value stored in the map, or the map handed to a function.
        for extra in ["allowed[\"x\"] = r.FormValue(\"x\")", "fill(allowed, r)"] {
            assert!(matches!(
                judged(map(extra)),
                Some(Construction::Dynamic { .. })
            ));
        }
        // gorm raw fragments: reported when built at run time, even without other text.
        let c = one(
            "package p\nfunc f(db *gorm.DB, field, dir string) {\n\tdb.Order(field + \" \" + dir).Find(&u)\n}\n",
        );
        assert_eq!(c.sink.as_deref(), Some("db.Order"));
        assert_eq!(dynamic(&c), Some("concatenation"));
        assert!(
            run("package p\nfunc f(db *gorm.DB) {\n\tdb.Order(\"created_at desc\").Select(\"id, name\").Find(&u)\n}\n")
                .iter()
                .all(|c| c.sink.is_none())
        );
    }

    #[test]
    fn no_text_no_candidate_and_prose() {
        assert!(run("package p\nfunc f(q string) {\n\tdb.Query(q)\n\tlog.Printf(\"select from users failed: %v\", err)\n\tx := \"Select a file\"\n}\n").is_empty());
    }

    #[test]
    fn flow_insensitive_reassignment_keeps_the_run_time_value() {
        let c = one(
            "package p\nfunc f(r *http.Request) {\n\tname := r.FormValue(\"n\")\n\tif name == \"\" {\n\t\tname = \"anonymous\"\n\t}\n\tdb.Query(\"SELECT id FROM users WHERE name = '\" + name + \"'\")\n}\n",
        );
        assert_eq!(dynamic(&c), Some("concatenation"));
        // A local bound only to constants stays constant.
        let c = one(
            "package p\nfunc f(sort string) {\n\torder := \"id\"\n\tif sort == \"name\" {\n\t\torder = \"name\"\n\t}\n\tdb.Query(\"SELECT id FROM users ORDER BY \" + order)\n}\n",
        );
        assert_eq!(c.construction, Construction::Constant);
    }

    #[test]
    fn test_doubles_and_helpers() {
        assert!(run("package p\nfunc T(mock sqlmock.Sqlmock) {\n\tmock.ExpectQuery(regexp.QuoteMeta(\"SELECT (.+) FROM users\"))\n}\n").is_empty());
        // A helper returning dynamic SQL: no sink seen, still a candidate.
        let c = one(
            "package p\nfunc build(s string) string {\n\treturn \"SELECT id FROM orders WHERE status = '\" + s + \"'\"\n}\n",
        );
        assert_eq!(c.sink, None);
        assert_eq!(dynamic(&c), Some("concatenation"));
        assert_eq!(c.function.as_deref(), Some("build"));
        assert!(
            run("package p\nfunc f() string {\n\treturn \"Select an option from the list\"\n}\n")
                .is_empty()
        );
    }

    #[test]
    fn broken_and_huge_inputs_do_not_panic() {
        run("package p\nfunc f( {\n\tdb.Query(\"SELECT \" + \n");
        run("\u{0}\u{ffff}`");
        let mut s =
            String::from("package p\nfunc f(x string) {\n\tq := \"SELECT a FROM t WHERE a = \"");
        for _ in 0..20_000 {
            s.push_str(" + \"x\"");
        }
        s.push_str(" + x\n\tdb.Query(q)\n}\n");
        let c = run(&s);
        assert_eq!(c.len(), 1);
        let mut d = String::from("package p\nfunc f() {\n\tx := ");
        for _ in 0..5_000 {
            d.push('(');
        }
        d.push_str("\"SELECT 1 FROM t\"");
        for _ in 0..5_000 {
            d.push(')');
        }
        d.push_str("\n}\n");
        run(&d);
        let mut e = String::from("package p\nfunc f() {\n\ta := \"SELECT a FROM t\"\n");
        for i in 0..60 {
            e.push_str(&format!("\tv{i} := a + a\n\ta = v{i}\n"));
        }
        e.push_str("}\n");
        run(&e);
    }
}
