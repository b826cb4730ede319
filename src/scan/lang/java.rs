//! Java front end: JDBC (`Statement`, `Connection.prepareStatement`), Spring `JdbcTemplate`,
//! JPA/Hibernate (`createQuery`, `createNativeQuery`, native `@Query`), with the SQL built by
//! literals, text blocks, `+`, `+=`, `String.format`, `.formatted()`, `StringBuilder`,
//! `String.join`.

use tree_sitter::Node;

use super::common::{
    FormatArg, Hole, Str, children, fold_braces, fold_printf, parse, position, text, unescape_c,
};
use super::flow::{EXTERNAL_CONSTANT, Flow, Var, has_text, join};
use crate::scan::candidate::{Candidate, Construction, Extractor};

/// Files beyond this size (generated code) are not read.
const MAX_FILE: usize = 2 * 1024 * 1024;
/// Syntax nesting beyond this depth is not followed (bounded recursion).
const MAX_DEPTH: usize = 200;

pub struct JavaExtractor;

impl Extractor for JavaExtractor {
    fn extensions(&self) -> &'static [&'static str] {
        &["java"]
    }

    fn extract(&self, source: &str) -> Vec<Candidate> {
        if source.len() > MAX_FILE {
            return Vec::new();
        }
        let Some(tree) = parse(source, tree_sitter_java::LANGUAGE.into()) else {
            return Vec::new();
        };
        let mut j = Java {
            src: source,
            flow: Flow::new(),
            depth: 0,
        };
        j.visit(tree.root_node());
        j.flow
            .finish()
            .into_iter()
            .filter(|c| !jpql_not_sql(c))
            .collect()
    }
}

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

struct Java<'s> {
    src: &'s str,
    flow: Flow,
    depth: usize,
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
                let s = self.t(t);
                NUMERIC_CLASSES.contains(&s.rsplit('.').next().unwrap_or(s))
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
                    if !matches!(m.kind(), "field_declaration" | "constant_declaration") {
                        self.visit(m);
                    }
                }
            }
            "method_declaration"
            | "constructor_declaration"
            | "compact_constructor_declaration" => {
                let name = field(n, "name").map(|x| self.t(x).to_string());
                self.flow.enter(name);
                for c in children(n) {
                    match c.kind() {
                        "formal_parameters" => self.parameters(c),
                        "modifiers" => self.visit(c),
                        "block" | "constructor_body" => self.visit(c),
                        _ => {}
                    }
                }
                self.flow.leave();
            }
            "lambda_expression" => {
                self.flow.enter(None);
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
                            }
                        }
                    }
                }
                if let Some(b) = field(n, "body") {
                    self.visit(b);
                }
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
            }
        }
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
        for d in fields(n, "declarator") {
            let Some(name) = field(d, "name") else {
                continue;
            };
            let name = self.t(name).to_string();
            let value = field(d, "value");
            let numeric = ty.is_some_and(|t| self.numeric_type(t));
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
                continue;
            }
            self.assign_name(&name, value, true, numeric);
        }
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
        let Some(name) = name else {
            self.visit(r);
            return;
        };
        match op {
            "=" => self.assign_name(&name, r, false, false),
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

    fn assign_name(&mut self, name: &str, r: Node, define: bool, declared_numeric: bool) {
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
        // Builders and lists: `new StringBuilder("SELECT ...")`, `new ArrayList<>()`.
        if r.kind() == "object_creation_expression" {
            let ty = field(r, "type").map(|t| self.t(t)).unwrap_or("");
            let ty = ty.split('<').next().unwrap_or(ty);
            if self.builder_type(ty) {
                let init = args_of(r)
                    .first()
                    .and_then(|a| self.eval(*a))
                    .filter(|v| !self.is_number_text(v))
                    .unwrap_or_else(|| Str::empty(self.pos(r)));
                let mut init = init;
                (init.line, init.column) = self.pos(r);
                let rid = self.flow.record(init);
                set(self, Var::Builder(rid));
                return;
            }
            if matches!(ty, "ArrayList" | "LinkedList" | "Vector") && args_of(r).is_empty() {
                set(self, Var::List(Some(Vec::new())));
                return;
            }
        }
        if let Some(elems) = self.list_literal(r) {
            set(self, Var::List(elems));
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
                if !define && v.dynamic().is_none() && self.holds_run_time_value(name) {
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
            "identifier" => match self.flow.lookup(self.t(r)) {
                Some(v @ (Var::Rec(_) | Var::Numeric | Var::List(_))) => Some(v.clone()),
                Some(Var::Builder(rid)) => Some(Var::Builder(*rid)),
                _ => None,
            },
            "field_access" => {
                let o = field(r, "object")?;
                let f = self.t(field(r, "field")?);
                if o.kind() == "this" || is_constant_name(f) {
                    match self.flow.lookup(f) {
                        Some(v @ (Var::Rec(_) | Var::Numeric | Var::List(_))) => Some(v.clone()),
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
        let mut out = Vec::new();
        for e in elems {
            match self.eval(e) {
                Some(v) => out.push(v),
                None => return Some(None),
            }
        }
        Some(Some(out))
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
        // Builder appends: `sb.append(x)`, `sb.append(a).append(b)`.
        if name == "append" {
            let mut chain = Vec::new();
            let mut cur = n;
            loop {
                let m = field(cur, "name").map(|x| self.t(x)).unwrap_or("");
                if cur.kind() != "method_invocation" || m != "append" {
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
                    if let Some(first) = a.first() {
                        let v = self.eval(*first).unwrap_or_else(|| {
                            Str::hole(Hole::Dynamic("StringBuilder".into()), self.pos(*first))
                        });
                        self.flow.append(rid, v, "StringBuilder");
                    }
                }
                return;
            }
        }
        // `conds.add("x = ?")`.
        if name == "add"
            && let Some(o) = field(n, "object").map(unparen)
            && o.kind() == "identifier"
            && let Some(Var::List(list)) = self.flow.lookup(self.t(o)).cloned()
            && args.len() == 1
        {
            let list_name = self.t(o).to_string();
            let v = self.eval(args[0]);
            let list = match (list, v) {
                (Some(mut l), Some(v)) if l.len() < 256 => {
                    l.push(v);
                    Some(l)
                }
                _ => None,
            };
            self.flow.set(&list_name, Var::List(list));
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
        let mut operands = Vec::new();
        let mut cur = n;
        loop {
            let is_plus = cur.kind() == "binary_expression"
                && field(cur, "operator").is_some_and(|o| self.t(o) == "+");
            if !is_plus {
                operands.push(cur);
                break;
            }
            if let Some(r) = field(cur, "right") {
                operands.push(r);
            }
            match field(cur, "left") {
                Some(l) => cur = unparen(l),
                None => break,
            }
        }
        operands.reverse();
        if operands.iter().all(|o| self.numeric_expr(*o)) {
            return Some(Str::hole(Hole::Safe("numeric expression".into()), pos));
        }
        let values: Vec<Option<Str>> = operands.iter().map(|o| self.eval(*o)).collect();
        if values.iter().all(|v| v.is_none()) {
            return None;
        }
        let mut out = Str::empty(pos);
        for v in values {
            match v {
                Some(v) => out.push(v),
                None => out.push_hole(Hole::Dynamic("concatenation".into())),
            }
        }
        Some(out)
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
        match (o, m) {
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
                let sep = args
                    .first()
                    .and_then(|s| self.eval(*s))
                    .unwrap_or_else(|| Str::text(", ", pos));
                let elems = if args.len() == 2 {
                    self.list_value(args[1])
                } else {
                    args[1..].iter().map(|a| self.eval(*a)).collect()
                };
                return Some(match elems {
                    Some(e) if !e.is_empty() => join(&e, &sep, pos),
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

    /// `new StringBuilder("a").append(b).toString()` or `sb.append(x).toString()`.
    fn builder_chain(&mut self, n: Node) -> Option<Str> {
        let mut appended = Vec::new();
        let mut cur = unparen(n);
        while cur.kind() == "method_invocation"
            && field(cur, "name").is_some_and(|x| self.t(x) == "append")
        {
            appended.push(args_of(cur).first().copied());
            cur = unparen(field(cur, "object")?);
        }
        let pos = self.pos(n);
        let mut out = match cur.kind() {
            "object_creation_expression" => {
                let ty = field(cur, "type").map(|t| self.t(t)).unwrap_or("");
                if !self.builder_type(ty) {
                    return None;
                }
                args_of(cur)
                    .first()
                    .and_then(|a| self.eval(*a))
                    .filter(|v| !self.is_number_text(v))
                    .unwrap_or_else(|| Str::empty(pos))
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
            "  void f(String p) {\n    String bar = p;\n    bar = \"safe\";\n    stmt.execute(\"DELETE FROM users WHERE name = '\" + bar + \"'\");\n  }",
        ));
        assert_eq!(dynamic(&c), Some("concatenation"));
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
