//! Variable tracking shared by the statement-oriented front ends (Go, Java): every string
//! value that is built or bound to a variable becomes a *record* (one per SQL-building
//! expression); a variable names its record, so `q := "..."`, `q += ...`, `sb.append(..)`
//! and `db.Query(q)` all land on the same record and yield one candidate at the place the
//! value started. Records used inside a larger string expression are *consumed* (the larger
//! expression is the candidate), unless they reach a sink themselves.
//!
//! [`super::common::Scope`] keeps values only; a record id per variable is what lets a sink
//! seen later attach to the candidate made at the assignment, hence this module.

use std::collections::HashMap;

use tree_sitter::Node;

use super::common::{Hole, Str, text};
use crate::scan::candidate::{Candidate, looks_like_sql};
use crate::scan::sql::{Parsed, analyse};

/// Text standing for a constant whose value is declared in another file (a Go package
/// constant, a Java `UPPER_CASE` constant of another class). It contains `__zg_dyn_` so the
/// SQL analysis treats the name it lands in as unknown, yet the value stays constant.
pub const EXTERNAL_CONSTANT: &str = "__zg_dyn_const__";

/// Beyond this size a value stops growing (pathological doubling `b := a + a`).
const MAX_VALUE: usize = 16 * 1024;

/// One string value (possibly built over several statements).
#[derive(Debug, Clone)]
pub struct Rec {
    pub value: Str,
    pub sink: Option<String>,
    pub bind_args: Option<usize>,
    pub function: Option<String>,
    /// Used inside a larger string expression.
    pub consumed: bool,
    /// Passed as the SQL argument of a database call.
    pub sunk: bool,
    /// The sink takes a condition fragment (`db.Where("name = ?")`), not a statement.
    pub fragment: bool,
    /// Never report this record.
    pub ignored: bool,
    /// Length of the value's SQL text (bounded growth without re-measuring).
    size: usize,
}

/// A map's entries in insertion order: the key (`None` when not a known constant), the value.
pub type Entries = Vec<(Option<String>, Str)>;

/// What a variable holds.
#[derive(Debug, Clone)]
pub enum Var {
    /// A string value: the record it names.
    Rec(usize),
    /// A string builder (`strings.Builder`, `StringBuilder`): the record it accumulates.
    Builder(usize),
    /// A declared numeric or boolean value: printing it cannot inject SQL.
    Numeric,
    /// A list of strings (`[]string{..}`, `append`, `List.add`): its elements, `None` once
    /// an element of unknown value was added or the list came from elsewhere.
    List(Option<Vec<Str>>),
    /// A map with string values (`map[string]string{..}`, `Map.of(..)`, `HashMap.put`): its
    /// entries in insertion order, the key `None` when it is not a known constant; `None`
    /// once the map came from elsewhere or was changed in a way not followed.
    Map(Option<Entries>),
    /// Anything else (a parameter, the result of an unknown call).
    Other,
}

/// Records of one file and the variable scopes in effect.
#[derive(Debug, Default)]
pub struct Flow {
    pub recs: Vec<Rec>,
    scopes: Vec<(Option<String>, HashMap<String, Var>)>,
}

impl Flow {
    pub fn new() -> Self {
        Flow {
            recs: Vec::new(),
            scopes: vec![(None, HashMap::new())],
        }
    }

    /// Enters a function (or class) body: a new scope; `name` becomes the function of the
    /// records made inside (`None` keeps the enclosing function's name).
    pub fn enter(&mut self, name: Option<String>) {
        let name = name.or_else(|| self.function());
        self.scopes.push((name, HashMap::new()));
    }

    pub fn leave(&mut self) {
        if self.scopes.len() > 1 {
            self.scopes.pop();
        }
    }

    pub fn function(&self) -> Option<String> {
        self.scopes.last().and_then(|(n, _)| n.clone())
    }

    pub fn lookup(&self, name: &str) -> Option<&Var> {
        self.scopes.iter().rev().find_map(|(_, s)| s.get(name))
    }

    /// Declares a variable in the innermost scope.
    pub fn declare(&mut self, name: &str, var: Var) {
        if name == "_" || name.is_empty() {
            return;
        }
        if let Some((_, s)) = self.scopes.last_mut() {
            s.insert(name.to_string(), var);
        }
    }

    /// Assigns an existing variable (in the scope that declared it), else declares it.
    pub fn set(&mut self, name: &str, var: Var) {
        if name == "_" || name.is_empty() {
            return;
        }
        for (_, s) in self.scopes.iter_mut().rev() {
            if let Some(v) = s.get_mut(name) {
                *v = var;
                return;
            }
        }
        self.declare(name, var);
    }

    /// A new record in the current function.
    pub fn record(&mut self, value: Str) -> usize {
        let function = self.function();
        let size = value.sql().len();
        self.recs.push(Rec {
            size,
            value,
            sink: None,
            bind_args: None,
            function,
            consumed: false,
            sunk: false,
            fragment: false,
            ignored: false,
        });
        self.recs.len() - 1
    }

    /// The record's value, to use inside a larger expression (marks it consumed).
    pub fn take(&mut self, rid: usize) -> Option<Str> {
        let r = self.recs.get_mut(rid)?;
        r.consumed = true;
        if r.size > MAX_VALUE {
            return Some(Str::hole(
                Hole::Dynamic("concatenation".into()),
                (r.value.line, r.value.column),
            ));
        }
        Some(r.value.clone())
    }

    /// Appends to a record (`+=`, builder append); dynamic parts get `how`.
    pub fn append(&mut self, rid: usize, mut value: Str, how: &str) {
        let Some(r) = self.recs.get_mut(rid) else {
            return;
        };
        if r.size > MAX_VALUE {
            return;
        }
        value.relabel_dynamic(how);
        r.size += value.sql().len();
        if r.value.sql().is_empty() {
            // Nothing yet (`var sb strings.Builder`): the value starts here.
            r.value.line = value.line;
            r.value.column = value.column;
        }
        r.value.push(value);
    }

    /// `q = q + "..."`: the record's new value, still starting where it did.
    pub fn replace(&mut self, rid: usize, mut value: Str) {
        if let Some(r) = self.recs.get_mut(rid) {
            value.line = r.value.line;
            value.column = r.value.column;
            r.size = value.sql().len();
            r.value = value;
            r.consumed = false;
        }
    }

    /// The record reaches a database call.
    pub fn sink(&mut self, rid: usize, sink: &str, bind_args: Option<usize>, fragment: bool) {
        if let Some(r) = self.recs.get_mut(rid)
            && !r.sunk
        {
            r.sunk = true;
            r.sink = Some(sink.to_string());
            r.bind_args = bind_args;
            r.fragment = fragment;
        }
    }

    /// Every candidate: records that reach a sink with SQL-ish text, and records never used
    /// inside a larger expression whose text reads as SQL.
    pub fn finish(self) -> Vec<Candidate> {
        let mut out: Vec<Candidate> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for r in self.recs {
            // A fragment sink (`db.Order(col + " " + dir)`) built at run time is reported even
            // when its constant text is only whitespace.
            let built_fragment = r.sunk && r.fragment && r.value.dynamic().is_some();
            if r.ignored || !(has_text(&r.value) || built_fragment) {
                continue;
            }
            let sunk = r.sunk && (r.fragment || sqlish(&r.value));
            if !sunk && (r.consumed || !looks_like_sql(&r.value.sql())) {
                continue;
            }
            // Text no database call receives that reads as English ("Select an option from
            // the list") or that no parser reads is prose, not a query.
            if !sunk
                && (prose(&r.value.sql())
                    || (r.value.dynamic().is_none()
                        && matches!(analyse(&r.value.sql(), None, &[]), Parsed::Error(_))))
            {
                continue;
            }
            let fragment = sunk && r.fragment;
            let mut c = if sunk {
                r.value.into_candidate(r.sink, r.bind_args, r.function)
            } else {
                r.value.into_candidate(None, None, r.function)
            };
            if fragment {
                c.sql = format!("SELECT 1 WHERE {}", c.sql);
            }
            if seen.insert((c.line, c.column)) {
                out.push(c);
            }
        }
        out.sort_by_key(|c| (c.line, c.column));
        out
    }
}

/// English words no query uses outside quotes: "Select an option from the list", "Update
/// your profile from the settings page."
pub fn prose(sql: &str) -> bool {
    const WORDS: &[&str] = &[
        "an", "the", "your", "you", "my", "our", "this", "please", "which", "will", "would",
        "should", "can't", "don't", "cannot",
    ];
    let mut unquoted = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    for c in sql.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None => unquoted.push(c),
        }
    }
    let t = unquoted.trim_end();
    t.ends_with('.')
        || t.ends_with('!')
        || unquoted
            .to_lowercase()
            .split(|c: char| !(c.is_ascii_alphabetic() || c == '\''))
            .any(|w| WORDS.contains(&w))
}

/// Constant text beyond whitespace and external-constant markers was seen.
pub fn has_text(s: &Str) -> bool {
    !s.constant_text()
        .replace(EXTERNAL_CONSTANT, "")
        .trim()
        .is_empty()
}

const SQL_WORDS: &[&str] = &[
    "select",
    "insert",
    "update",
    "delete",
    "from",
    "where",
    "into",
    "values",
    "set",
    "join",
    "create",
    "alter",
    "drop",
    "truncate",
    "with",
    "returning",
    "order",
    "group",
    "limit",
    "call",
    "begin",
    "commit",
    "rollback",
    "show",
    "explain",
    "merge",
    "grant",
    "revoke",
    "copy",
    "lock",
    "vacuum",
    "analyze",
    "refresh",
    "listen",
    "notify",
    "savepoint",
    "upsert",
    "replace",
];

/// Text handed to a database call that could be SQL: it starts with a word (not an unknown
/// part) and has an SQL keyword. `cache.Get(ctx, "user:" + id)` is not; `SELEC id FROM
/// users` is (and is then judged unparseable).
pub fn sqlish(s: &Str) -> bool {
    let sql = s.sql();
    let t = sql.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
    if t.starts_with("__zg_dyn_") && s.dynamic().is_none() {
        return false;
    }
    t.to_lowercase()
        .split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| SQL_WORDS.contains(&w))
}

/// Leading/trailing trims on a value (`strings.TrimSuffix(q, ", ")`, `TrimSpace`): applied to
/// constant text at the end/start; a value with holes there is returned unchanged.
pub fn trim_value(v: Str, how: Trim) -> Str {
    let sql = v.sql();
    if !v.is_constant() {
        // Only the constant case is rewritten exactly; with holes the tail text is what
        // usually gets trimmed, but the value's shape is kept.
        return v;
    }
    let t = match &how {
        Trim::Suffix(s) => sql.strip_suffix(s.as_str()).unwrap_or(&sql).to_string(),
        Trim::Prefix(s) => sql.strip_prefix(s.as_str()).unwrap_or(&sql).to_string(),
        Trim::Right(set) => sql.trim_end_matches(|c| set.contains(c)).to_string(),
        Trim::Left(set) => sql.trim_start_matches(|c| set.contains(c)).to_string(),
        Trim::Space => sql.trim().to_string(),
    };
    Str::text(t, (v.line, v.column))
}

/// A trim applied to a value.
pub enum Trim {
    Suffix(String),
    Prefix(String),
    Right(String),
    Left(String),
    Space,
}

/// Joins list elements with a separator (`strings.Join`, `String.join`).
pub fn join(elems: &[Str], sep: &Str, pos: (usize, usize)) -> Str {
    let mut out = Str::empty(pos);
    for (i, e) in elems.iter().enumerate() {
        if i > 0 {
            out.push(sep.clone());
        }
        out.push(e.clone());
    }
    out
}

/// What a lookup in a map of known entries yields. With the key known and the map `exact`
/// (every change seen, in order, on straight-line code): the value stored under it. Otherwise
/// any value, when every value is constant (or safe) and so is the lookup's `default`
/// (`None`: a plain lookup, which yields null / the zero value when the key is missing;
/// `Some(None)`: a default not known). `None` when the result may be a run-time value.
pub fn map_lookup(
    entries: &[(Option<String>, Str)],
    key: Option<&str>,
    exact: bool,
    default: Option<Option<&Str>>,
) -> Option<Str> {
    if exact
        && let Some(k) = key
        && entries.iter().all(|(k2, _)| k2.is_some())
        && let Some((_, v)) = entries
            .iter()
            .rev()
            .find(|(k2, _)| k2.as_deref() == Some(k))
    {
        return Some(v.clone());
    }
    let default_safe = match default {
        None => true,
        Some(Some(d)) => d.dynamic().is_none(),
        Some(None) => false,
    };
    let (_, first) = entries.first()?;
    (default_safe && entries.iter().all(|(_, v)| v.dynamic().is_none())).then(|| first.clone())
}

/// What indexing a list of known elements yields: the element at a known index of an `exact`
/// list, else any element when every one is constant (or safe); `None` otherwise.
pub fn list_index(elems: &[Str], index: Option<i64>, exact: bool) -> Option<Str> {
    if exact
        && let Some(i) = index.and_then(|i| usize::try_from(i).ok())
        && let Some(v) = elems.get(i)
    {
        return Some(v.clone());
    }
    let first = elems.first()?;
    elems
        .iter()
        .all(|v| v.dynamic().is_none())
        .then(|| first.clone())
}

/// Rewrites gorm's / sqlx's `IN ?` (expanded by the library to a list) to `IN (?)`.
pub fn parenthesise_in_placeholder(sql: &str) -> String {
    let b = sql.as_bytes();
    let mut out = String::with_capacity(sql.len() + 4);
    let mut i = 0;
    while i < b.len() {
        if b[i].eq_ignore_ascii_case(&b'i')
            && b.get(i + 1).is_some_and(|c| c.eq_ignore_ascii_case(&b'n'))
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
        {
            let mut j = i + 2;
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            if j > i + 2 && b.get(j) == Some(&b'?') {
                out.push_str(&sql[i..i + 2]);
                out.push_str(" (?)");
                i = j + 1;
                continue;
            }
        }
        let ch = sql[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// The operands of a left-nested `a + b + c` chain (`binary_expression` with `+`), left to
/// right; a left operand in parentheses that continues the chain is unwrapped by `unparen`.
pub fn plus_chain<'t>(n: Node<'t>, src: &str, unparen: fn(Node<'t>) -> Node<'t>) -> Vec<Node<'t>> {
    let mut operands = Vec::new();
    let mut cur = n;
    loop {
        let is_plus = cur.kind() == "binary_expression"
            && cur
                .child_by_field_name("operator")
                .is_some_and(|o| text(o, src) == "+");
        if !is_plus {
            operands.push(cur);
            break;
        }
        if let Some(r) = cur.child_by_field_name("right") {
            operands.push(r);
        }
        match cur.child_by_field_name("left") {
            Some(l) => cur = unparen(l),
            None => break,
        }
    }
    operands.reverse();
    operands
}

/// The concatenation of the operands' values: an operand with no visible string value is a
/// dynamic hole named `how`; `None` when no operand is a string at all.
pub fn join_concat(pos: (usize, usize), values: Vec<Option<Str>>, how: &str) -> Option<Str> {
    if values.iter().all(|v| v.is_none()) {
        return None;
    }
    let mut out = Str::empty(pos);
    for v in values {
        match v {
            Some(v) => out.push(v),
            None => out.push_hole(Hole::Dynamic(how.into())),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_attach_sinks_and_consumption() {
        let mut f = Flow::new();
        f.enter(Some("find".into()));
        let base = f.record(Str::text("SELECT id FROM users WHERE ", (2, 5)));
        let v = f.take(base).unwrap();
        let q = f.record(v.concat(Str::text("id = $1", (3, 1))));
        f.sink(q, "db.Query", Some(1), false);
        f.leave();
        let c = f.finish();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].sink.as_deref(), Some("db.Query"));
        assert_eq!(c[0].function.as_deref(), Some("find"));
    }

    #[test]
    fn lookups_in_known_collections() {
        let c = |s: &str| Str::text(s, (1, 1));
        let d = || Str::hole(Hole::Dynamic("x".into()), (1, 1));
        let m = vec![
            (Some("a".to_string()), c("x")),
            (Some("b".to_string()), d()),
        ];
        // Exact: the value under the key, run-time or not.
        assert_eq!(map_lookup(&m, Some("a"), true, None), Some(c("x")));
        assert!(
            map_lookup(&m, Some("b"), true, None)
                .unwrap()
                .dynamic()
                .is_some()
        );
        // Not exact, or key unknown: only when every value is constant.
        assert_eq!(map_lookup(&m, Some("a"), false, None), None);
        let k = vec![(None, c("x")), (Some("b".to_string()), c("y"))];
        assert_eq!(map_lookup(&k, Some("b"), true, None), Some(c("x")));
        assert_eq!(
            map_lookup(&k, None, false, Some(Some(&c("id")))),
            Some(c("x"))
        );
        assert_eq!(map_lookup(&k, None, false, Some(Some(&d()))), None);
        assert_eq!(map_lookup(&k, None, false, Some(None)), None);
        assert_eq!(map_lookup(&[], None, false, None), None);
        let l = vec![c("a"), d(), c("b")];
        assert_eq!(list_index(&l, Some(2), true), Some(c("b")));
        assert!(list_index(&l, Some(1), true).unwrap().dynamic().is_some());
        assert_eq!(list_index(&l, Some(2), false), None);
        assert_eq!(list_index(&l, Some(7), true), None);
        assert_eq!(list_index(&[c("a"), c("b")], None, false), Some(c("a")));
    }

    #[test]
    fn prose_is_not_sql() {
        assert!(prose("Select an option from the list"));
        assert!(prose("Select users from the table."));
        assert!(!prose("SELECT a.id FROM users a WHERE a.name = 'the one.'"));
        assert!(!prose("SELECT id FROM users WHERE id = ?"));
    }

    #[test]
    fn sqlish_and_in_rewrite() {
        assert!(sqlish(&Str::text("SELEC id FROM users", (1, 1))));
        assert!(!sqlish(&Str::text("user:", (1, 1))));
        assert!(!sqlish(&Str::text(
            format!("{EXTERNAL_CONSTANT} LIMIT 1"),
            (1, 1)
        )));
        assert_eq!(
            parenthesise_in_placeholder("id IN ? AND x in  ? AND min = ?"),
            "id IN (?) AND x in (?) AND min = ?"
        );
        assert_eq!(parenthesise_in_placeholder("héllo in ?"), "héllo in (?)");
    }
}
