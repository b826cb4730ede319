//! What every language front end shares: the abstract value of a string expression
//! (constant text with holes), folding of concatenation and of printf/brace formatting,
//! per-function variable tracking, and tree-sitter helpers.
//!
//! An extractor walks its syntax tree and evaluates each string-valued expression to a
//! [`Str`]: literal text stays text; a part that is not constant becomes a hole, either
//! dynamic (the SQL is built at run time) or safe (inserted through a quoting/escaping API
//! or a numeric conversion). Constant folding falls out: literal + literal is text.

use tree_sitter::{Node, Parser, Tree};

use crate::scan::candidate::{Candidate, Construction, dyn_marker};

/// A part of a string value that is not constant text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hole {
    /// Built at run time from a non-constant value; names the construct ("f-string", "+").
    Dynamic(String),
    /// Inserted through a safe API (identifier quoting, escaping, numeric conversion).
    Safe(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Hole(Hole),
}

/// The abstract value of a string expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Str {
    parts: Vec<Part>,
    /// 1-based line and column where the expression starts.
    pub line: usize,
    pub column: usize,
}

impl Str {
    /// Constant text.
    pub fn text(text: impl Into<String>, (line, column): (usize, usize)) -> Self {
        Str {
            parts: vec![Part::Text(text.into())],
            line,
            column,
        }
    }

    /// A value that is a single hole.
    pub fn hole(hole: Hole, (line, column): (usize, usize)) -> Self {
        Str {
            parts: vec![Part::Hole(hole)],
            line,
            column,
        }
    }

    /// An empty value at a position (to push parts onto).
    pub fn empty((line, column): (usize, usize)) -> Self {
        Str {
            parts: Vec::new(),
            line,
            column,
        }
    }

    pub fn push_text(&mut self, text: &str) {
        if let Some(Part::Text(t)) = self.parts.last_mut() {
            t.push_str(text);
        } else {
            self.parts.push(Part::Text(text.to_string()));
        }
    }

    pub fn push_hole(&mut self, hole: Hole) {
        self.parts.push(Part::Hole(hole));
    }

    /// Appends another value (concatenation); keeps this value's position.
    pub fn push(&mut self, other: Str) {
        for p in other.parts {
            match p {
                Part::Text(t) => self.push_text(&t),
                Part::Hole(h) => self.push_hole(h),
            }
        }
    }

    /// `self + other`, positioned at `self`.
    pub fn concat(mut self, other: Str) -> Str {
        self.push(other);
        self
    }

    /// Only constant text (no hole at all).
    pub fn is_constant(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, Part::Text(_)))
    }

    /// The first dynamic hole's construct, if any.
    pub fn dynamic(&self) -> Option<&str> {
        self.parts.iter().find_map(|p| match p {
            Part::Hole(Hole::Dynamic(how)) => Some(how.as_str()),
            _ => None,
        })
    }

    /// The first safe hole's API, if any.
    pub fn safe(&self) -> Option<&str> {
        self.parts.iter().find_map(|p| match p {
            Part::Hole(Hole::Safe(api)) => Some(api.as_str()),
            _ => None,
        })
    }

    /// Renames every dynamic hole's construct (e.g. a variable built with `+` then
    /// interpolated into an f-string is still reported by its first construct).
    pub fn relabel_dynamic(&mut self, how: &str) {
        for p in &mut self.parts {
            if let Part::Hole(Hole::Dynamic(h)) = p {
                *h = how.to_string();
            }
        }
    }

    /// The text with each hole replaced by `__zg_dyn_N__`.
    pub fn sql(&self) -> String {
        let mut out = String::new();
        let mut n = 0;
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Hole(_) => {
                    out.push_str(&dyn_marker(n));
                    n += 1;
                }
            }
        }
        out
    }

    /// The constant text only (holes dropped), for the "is this SQL" test.
    pub fn constant_text(&self) -> String {
        self.parts
            .iter()
            .filter_map(|p| match p {
                Part::Text(t) => Some(t.as_str()),
                Part::Hole(_) => None,
            })
            .collect()
    }

    pub fn construction(&self) -> Construction {
        if let Some(how) = self.dynamic() {
            Construction::Dynamic {
                how: how.to_string(),
            }
        } else if let Some(api) = self.safe() {
            Construction::SafeIdentifier {
                api: api.to_string(),
            }
        } else {
            Construction::Constant
        }
    }

    pub fn into_candidate(
        self,
        sink: Option<String>,
        bind_args: Option<usize>,
        function: Option<String>,
    ) -> Candidate {
        Candidate {
            line: self.line,
            column: self.column,
            sql: self.sql(),
            construction: self.construction(),
            sink,
            bind_args,
            function,
        }
    }
}

/// An argument to a formatting call: its value, or `None` when it is not a string at all
/// and not known (then the hole is dynamic with `how`).
pub type FormatArg = Option<Str>;

/// One printf-style conversion in a format string.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Conv {
    /// `%s`, `%v`, `%q`, ... (and `%(name)s` with the name).
    Value { verb: char, name: Option<String> },
    /// `%%`.
    Percent,
}

/// Splits a printf format (`%s`, `%d`, `%(name)s`, `%-10s`, `%5.2f`, `%%`) into text and
/// conversions. Unknown sequences stay text.
fn printf_parts(fmt: &str) -> Vec<Result<String, Conv>> {
    let chars: Vec<char> = fmt.chars().collect();
    let mut out: Vec<Result<String, Conv>> = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '%' {
            text.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        if i < chars.len() && chars[i] == '%' {
            out.push(Ok(std::mem::take(&mut text)));
            out.push(Err(Conv::Percent));
            i += 1;
            continue;
        }
        let mut name = None;
        if i < chars.len() && chars[i] == '(' {
            let close = chars[i..].iter().position(|&c| c == ')').map(|p| p + i);
            if let Some(close) = close {
                name = Some(chars[i + 1..close].iter().collect::<String>());
                i = close + 1;
            }
        }
        // Flags, width, precision, Go's argument index `[n]`.
        while i < chars.len() && "-+ #0123456789.*[]".contains(chars[i]) {
            i += 1;
        }
        // Length modifiers (Java/C): h l L q j z t.
        while i < chars.len() && "hlLqjzt".contains(chars[i]) && i + 1 < chars.len() {
            i += 1;
        }
        if i < chars.len() && chars[i].is_ascii_alphabetic() {
            out.push(Ok(std::mem::take(&mut text)));
            out.push(Err(Conv::Value {
                verb: chars[i],
                name,
            }));
            i += 1;
        } else {
            text.extend(&chars[start..i]);
        }
    }
    out.push(Ok(text));
    out
}

/// Verbs that can only print a number or a boolean: whatever the argument, it cannot carry
/// SQL syntax, so the result is injection-safe (though not a bind parameter).
fn numeric_verb(verb: char) -> bool {
    matches!(
        verb,
        'd' | 'i' | 'u' | 'f' | 'F' | 'e' | 'E' | 'g' | 'G' | 'x' | 'X' | 'o' | 'b' | 't'
    )
}

/// Folds a printf-style format (Python `%`, Go `fmt.Sprintf`, Java `String.format`) with
/// its arguments. `named` looks up `%(name)s` arguments (Python dict). `how` names the
/// construct for dynamic holes. A numeric verb with a non-constant argument is a safe hole.
pub fn fold_printf(
    fmt: &Str,
    args: &[FormatArg],
    named: &dyn Fn(&str) -> Option<FormatArg>,
    how: &str,
) -> Str {
    let mut out = Str::empty((fmt.line, fmt.column));
    let mut next = 0usize;
    for part in &fmt.parts {
        let text = match part {
            Part::Text(t) => t,
            Part::Hole(h) => {
                out.push_hole(h.clone());
                continue;
            }
        };
        for p in printf_parts(text) {
            match p {
                Ok(t) => out.push_text(&t),
                Err(Conv::Percent) => out.push_text("%"),
                Err(Conv::Value { verb, name }) => {
                    let arg = match &name {
                        Some(n) => named(n),
                        None => {
                            let a = args.get(next).cloned();
                            next += 1;
                            a
                        }
                    };
                    insert_arg(&mut out, arg, numeric_verb(verb), how);
                }
            }
        }
    }
    out
}

fn insert_arg(out: &mut Str, arg: Option<FormatArg>, numeric: bool, how: &str) {
    match arg {
        Some(Some(v)) if v.is_constant() => out.push(v),
        Some(Some(v)) if v.dynamic().is_none() => out.push(v),
        _ if numeric => out.push_hole(Hole::Safe(format!("{how} numeric verb"))),
        Some(Some(mut v)) => {
            v.relabel_dynamic(how);
            out.push(v)
        }
        // The argument is missing or not a known string: a run-time value.
        _ => out.push_hole(Hole::Dynamic(how.to_string())),
    }
}

/// Folds a brace format (Python `.format()`, Rust `format!`): `{}`, `{0}`, `{name}`,
/// `{:>10}`, `{name:?}`; `{{`/`}}` are braces. Rust's inline `{var}` uses `named`.
/// A `:d`-style numeric spec with a non-constant argument is a safe hole.
pub fn fold_braces(
    fmt: &Str,
    args: &[FormatArg],
    named: &dyn Fn(&str) -> Option<FormatArg>,
    how: &str,
) -> Str {
    let mut out = Str::empty((fmt.line, fmt.column));
    let mut next = 0usize;
    for part in &fmt.parts {
        let text = match part {
            Part::Text(t) => t,
            Part::Hole(h) => {
                out.push_hole(h.clone());
                continue;
            }
        };
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if (c == '{' || c == '}') && chars.get(i + 1) == Some(&c) {
                out.push_text(&c.to_string());
                i += 2;
                continue;
            }
            if c != '{' {
                out.push_text(&c.to_string());
                i += 1;
                continue;
            }
            let Some(close) = chars[i..].iter().position(|&x| x == '}').map(|p| p + i) else {
                out.push_text(&chars[i..].iter().collect::<String>());
                break;
            };
            let inner: String = chars[i + 1..close].iter().collect();
            let (field, spec) = match inner.split_once(':') {
                Some((f, s)) => (f.trim().to_string(), s.to_string()),
                None => (inner.trim().to_string(), String::new()),
            };
            let field = field
                .split(['!', '.', '['])
                .next()
                .unwrap_or("")
                .to_string();
            let arg = if field.is_empty() {
                let a = args.get(next).cloned();
                next += 1;
                a
            } else if let Ok(n) = field.parse::<usize>() {
                args.get(n).cloned()
            } else {
                named(&field)
            };
            let numeric = spec
                .chars()
                .last()
                .is_some_and(|v| matches!(v, 'd' | 'f' | 'e' | 'g' | 'x' | 'o' | 'b' | 'n' | '%'));
            insert_arg(&mut out, arg, numeric, how);
            i = close + 1;
        }
    }
    out
}

/// Variables of one function (or of the module): name → abstract value, merged over every
/// assignment seen so far (a variable assigned a constant and later something dynamic is
/// dynamic). Lookups fall back to the enclosing (module) scope.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    vars: Vec<(String, Str)>,
}

impl Scope {
    /// `name = value`: replaces the value when both are constant-or-safe, otherwise keeps
    /// the dynamic one (flow-insensitive: we do not know which assignment reaches a use).
    pub fn assign(&mut self, name: &str, value: Str) {
        match self.vars.iter_mut().find(|(n, _)| n == name) {
            Some((_, old)) => {
                if old.dynamic().is_none() || value.dynamic().is_some() {
                    *old = value;
                }
            }
            None => self.vars.push((name.to_string(), value)),
        }
    }

    /// `name += value`.
    pub fn append(&mut self, name: &str, value: Str) {
        match self.vars.iter_mut().find(|(n, _)| n == name) {
            Some((_, old)) => old.push(value),
            None => self.vars.push((name.to_string(), value)),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Str> {
        self.vars.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    pub fn remove(&mut self, name: &str) {
        self.vars.retain(|(n, _)| n != name);
    }
}

/// Parses source with a tree-sitter language; `None` if the parser cannot be set up.
pub fn parse(source: &str, language: tree_sitter::Language) -> Option<Tree> {
    let mut parser = Parser::new();
    parser.set_language(&language).ok()?;
    parser.parse(source, None)
}

/// Parses only the given byte ranges of `source` (sorted, disjoint, each starting at a line
/// start): tree-sitter reads them as one document but keeps the file's own positions, so
/// lines and columns of what it finds are those of the file. `None` if the parser cannot be
/// set up or the ranges are refused.
pub fn parse_ranges(
    source: &str,
    language: tree_sitter::Language,
    ranges: &[std::ops::Range<usize>],
) -> Option<Tree> {
    let mut parser = Parser::new();
    parser.set_language(&language).ok()?;
    let bytes = source.as_bytes();
    let column = |offset: usize| {
        offset
            - bytes[..offset]
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1)
    };
    // Rows counted incrementally: a large file has many ranges.
    let mut ts_ranges = Vec::with_capacity(ranges.len());
    let (mut at, mut row) = (0usize, 0usize);
    for r in ranges {
        if r.start < at || r.end > bytes.len() || r.start >= r.end {
            return None;
        }
        row += bytes[at..r.start].iter().filter(|b| **b == b'\n').count();
        let start_point = tree_sitter::Point {
            row,
            column: column(r.start),
        };
        row += bytes[r.start..r.end]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        at = r.end;
        let end_point = tree_sitter::Point {
            row,
            column: column(r.end),
        };
        ts_ranges.push(tree_sitter::Range {
            start_byte: r.start,
            end_byte: r.end,
            start_point,
            end_point,
        });
    }
    parser.set_included_ranges(&ts_ranges).ok()?;
    parser.parse(source, None)
}

/// A node's source text.
pub fn text<'s>(node: Node, source: &'s str) -> &'s str {
    source.get(node.byte_range()).unwrap_or("")
}

/// A node's 1-based line and column (column in characters).
pub fn position(node: Node, source: &str) -> (usize, usize) {
    let p = node.start_position();
    let line_start = node.start_byte() - p.column;
    let column = source
        .get(line_start..node.start_byte())
        .map(|s| s.chars().count())
        .unwrap_or(p.column);
    (p.row + 1, column + 1)
}

/// Named children of a node.
pub fn children<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

/// The last segment of a dotted callee (`self.db.cursor().execute` → `execute`).
pub fn method_name(callee: &str) -> &str {
    callee.rsplit(['.', ':']).next().unwrap_or(callee).trim()
}

/// A comment or a plain (non-interpolating) string literal's text, as a front end's hit
/// judgement lexes it.
pub struct Opaque {
    pub start: usize,
    pub end: usize,
    pub comment: bool,
    /// A literal no candidate's text can come from: every hit in it is dead, a statement
    /// keyword at its start too.
    pub inert: bool,
}

/// Whether a prefilter hit at `h` can start a candidate as far as comments and plain
/// literals go (`opaque` in file order): not in a comment or an inert literal, and inside
/// a plain literal only at its start, as the prefilter's statement-keyword rule allows
/// (a sink's name inside a string is no call).
pub fn outside_opaque(b: &[u8], opaque: &[Opaque], h: usize) -> bool {
    let i = opaque.partition_point(|o| o.start <= h);
    match i.checked_sub(1).map(|i| &opaque[i]) {
        Some(o) if h < o.end => {
            !o.comment
                && !o.inert
                && skip_literal_lead(b, o.start, usize::MAX).is_none_or(|p| p >= h)
        }
        _ => true,
    }
}

/// Skips what may stand between a quote and a statement keyword: whitespace, `(` and the
/// escapes `\n`, `\r`, `\t`, at most `limit` of them. Where the text starts; `None` at the
/// end of `b` or past the limit.
pub fn skip_literal_lead(b: &[u8], mut i: usize, limit: usize) -> Option<usize> {
    for _ in 0..limit {
        match b.get(i)? {
            b' ' | b'\t' | b'\n' | b'\r' | b'(' => i += 1,
            b'\\' if matches!(b.get(i + 1), Some(b'n' | b'r' | b't')) => i += 2,
            _ => return Some(i),
        }
    }
    None
}

/// Decodes the common backslash escapes of C-like string literals (`\n`, `\t`, `\"`, `\'`,
/// `\\`, `\r`, `\0`, `\u{..}`/`\uXXXX`, `\xHH`); unknown escapes keep the character.
pub fn unescape_c(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('\n') => {}
            Some('x') => {
                let h: String = it.by_ref().take(2).collect();
                match u32::from_str_radix(&h, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => out.push_str(&h),
                }
            }
            Some('u') => {
                let h: String = if it.peek() == Some(&'{') {
                    it.next();
                    it.by_ref().take_while(|&c| c != '}').collect()
                } else {
                    it.by_ref().take(4).collect()
                };
                match u32::from_str_radix(&h, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => out.push_str(&h),
                }
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Str {
        Str::text(s, (1, 1))
    }

    fn none(_: &str) -> Option<FormatArg> {
        None
    }

    #[test]
    fn concatenation_of_constants_is_constant() {
        let v = t("SELECT * FROM ").concat(t("users"));
        assert!(v.is_constant());
        assert_eq!(v.sql(), "SELECT * FROM users");
        let d = t("SELECT * FROM users WHERE id = ")
            .concat(Str::hole(Hole::Dynamic("+".into()), (1, 5)));
        assert_eq!(d.sql(), "SELECT * FROM users WHERE id = __zg_dyn_0__");
        assert_eq!(d.construction(), Construction::Dynamic { how: "+".into() });
    }

    #[test]
    fn printf_folding() {
        let f = t("SELECT * FROM %s WHERE id = %d AND pct = 5%%");
        let v = fold_printf(&f, &[Some(t("users")), None], &none, "%-formatting");
        assert_eq!(
            v.sql(),
            "SELECT * FROM users WHERE id = __zg_dyn_0__ AND pct = 5%"
        );
        assert_eq!(
            v.construction(),
            Construction::SafeIdentifier {
                api: "%-formatting numeric verb".into()
            }
        );
        let v = fold_printf(&t("WHERE name = '%s'"), &[None], &none, "fmt.Sprintf");
        assert_eq!(v.dynamic(), Some("fmt.Sprintf"));
        let named = |n: &str| (n == "t").then(|| Some(t("orders")));
        let v = fold_printf(&t("SELECT * FROM %(t)s"), &[], &named, "%");
        assert!(v.is_constant());
        assert_eq!(v.sql(), "SELECT * FROM orders");
    }

    #[test]
    fn brace_folding() {
        let v = fold_braces(
            &t("SELECT {} FROM {tbl} WHERE x = {{y}} LIMIT {:d}"),
            &[Some(t("id")), None],
            &|n| (n == "tbl").then(|| Some(t("users"))),
            ".format()",
        );
        assert_eq!(
            v.sql(),
            "SELECT id FROM users WHERE x = {y} LIMIT __zg_dyn_0__"
        );
        assert!(v.dynamic().is_none());
        let v = fold_braces(&t("WHERE a = '{}'"), &[None], &none, "format!");
        assert_eq!(v.dynamic(), Some("format!"));
    }

    #[test]
    fn scope_keeps_the_dynamic_assignment() {
        let mut s = Scope::default();
        s.assign("q", t("SELECT 1"));
        s.assign("q", Str::hole(Hole::Dynamic("f-string".into()), (2, 1)));
        s.assign("q", t("SELECT 2"));
        assert_eq!(s.get("q").and_then(|v| v.dynamic()), Some("f-string"));
        s.append("r", t("SELECT * FROM t"));
        s.append("r", Str::hole(Hole::Dynamic("+=".into()), (3, 1)));
        assert_eq!(
            s.get("r").map(|v| v.sql()).as_deref(),
            Some("SELECT * FROM t__zg_dyn_0__")
        );
    }

    #[test]
    fn escapes() {
        assert_eq!(unescape_c(r#"a\n\"b\u{41}\x42"#), "a\n\"bAB");
    }
}
