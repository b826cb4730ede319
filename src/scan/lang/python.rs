//! Python front end: strings, f-strings, `%`/`.format()`/`+` building, psycopg's `sql`
//! composition, followed through local variables to DB-API/asyncpg/SQLAlchemy/Django calls.

use std::cell::Cell;
use std::collections::HashSet;

use tree_sitter::Node;

use super::common::{
    FormatArg, Hole, Opaque, Scope, Str, children, fold_braces, fold_printf, method_name,
    outside_opaque, parse, parse_ranges, position, text, unescape_c,
};
use crate::scan::candidate::{Candidate, Extractor, Plan, Sinks, looks_like_sql};

pub struct PythonExtractor;

impl Extractor for PythonExtractor {
    fn extensions(&self) -> &'static [&'static str] {
        &["py", "pyi"]
    }

    fn sinks(&self) -> Option<Sinks> {
        Some(PREFILTER)
    }

    fn plan(&self, source: &str, hits: &[usize]) -> Plan {
        plan(source, hits)
    }

    fn extract_regions(&self, source: &str, regions: &[std::ops::Range<usize>]) -> Vec<Candidate> {
        match parse_ranges(source, tree_sitter_python::LANGUAGE.into(), regions) {
            Some(tree) => extract_tree(source, &tree),
            None => self.extract(source),
        }
    }

    fn extract(&self, source: &str) -> Vec<Candidate> {
        match parse(source, tree_sitter_python::LANGUAGE.into()) {
            Some(tree) => extract_tree(source, &tree),
            None => Vec::new(),
        }
    }
}

/// The grammar's field ids, looked up once: `child_by_field_name` looks the name up among
/// all of the grammar's fields on every call (string compares, ~3 % of a scan's CPU).
struct Fields {
    arguments: u16,
    attribute: u16,
    body: u16,
    expression: u16,
    format_specifier: u16,
    function: u16,
    key: u16,
    left: u16,
    name: u16,
    object: u16,
    operator: u16,
    right: u16,
    value: u16,
}

fn fields() -> &'static Fields {
    static FIELDS: std::sync::OnceLock<Fields> = std::sync::OnceLock::new();
    FIELDS.get_or_init(|| {
        let language: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
        // 0 is no field: a name the grammar lacks finds no child, as by name.
        let id = |name: &str| language.field_id_for_name(name).map_or(0, |f| f.get());
        Fields {
            arguments: id("arguments"),
            attribute: id("attribute"),
            body: id("body"),
            expression: id("expression"),
            format_specifier: id("format_specifier"),
            function: id("function"),
            key: id("key"),
            left: id("left"),
            name: id("name"),
            object: id("object"),
            operator: id("operator"),
            right: id("right"),
            value: id("value"),
        }
    })
}

fn extract_tree(source: &str, tree: &tree_sitter::Tree) -> Vec<Candidate> {
    let mut w = Walker {
        src: source,
        module: Scope::default(),
        out: Vec::new(),
        depth: Cell::new(0),
        module_dicts: Vec::new(),
    };
    let root = tree.root_node();
    w.collect_module_constants(root);
    let mut f = Frame::new(None);
    w.visit_block(root, &mut f);
    w.flush(f);
    // A module constant run by a sink is seen twice (at the sink, and as an unconsumed
    // variable): keep the sink's view.
    w.out.sort_by_key(|c| (c.line, c.column, c.sink.is_none()));
    w.out.dedup_by_key(|c| (c.line, c.column));
    w.out
}

/// What to parse of a file. Hits in comments, and hits inside a string literal that cannot
/// interpolate other than a statement keyword at the literal's start, cannot start a
/// candidate (a docstring's `conn.execute(text("SELECT ..."))` example): without others the
/// file is skipped. A file is narrowed to the statements that hold a hit, plus every
/// simple statement at module or class level (constants that f-strings and `%` formatting
/// fold in). A function holds its own local flow, so it is taken whole; a class is
/// narrowed to its header, its simple statements and the members that hold a hit. The
/// whole file when the statements cannot be told apart (an unterminated string or bracket),
/// when a hit sits before the first statement, or when the regions are all of it. (Regions
/// pay for themselves even in small files: measured on a 10,000-file tree, parsing files
/// under 16 KiB whole and any file whose regions were half of it cost 30 % more CPU.)
fn plan(source: &str, hits: &[usize]) -> Plan {
    let bytes = source.as_bytes();
    let Some(Lexed { lines, opaque }) = lex(bytes) else {
        return Plan::Whole;
    };
    let mut hits: Vec<usize> = hits
        .iter()
        .copied()
        .filter(|&h| live(bytes, &opaque, h))
        .collect();
    if hits.is_empty() {
        return Plan::Skip;
    }
    let Some(first) = lines.first() else {
        return Plan::Whole;
    };
    hits.sort_unstable();
    if hits.first().is_some_and(|&h| h < first.start) {
        // A hit before the first statement (a leading comment): parse the whole file.
        return Plan::Whole;
    }
    // A constant holding SQL reaches candidates wherever it is used (`self.sql_x % {...}`
    // in a method without SQL of its own): its uses are hits too, to a fixpoint (a constant
    // built from another).
    let simple = simple_statements(bytes, &lines);
    let mut hot: Vec<&str> = Vec::new();
    for _ in 0..4 {
        let mut names: Vec<&str> = Vec::new();
        for r in &simple {
            let i = hits.partition_point(|&h| h < r.start);
            if hits.get(i).is_some_and(|&h| h < r.end) {
                for n in assigned_names(&source[r.clone()]) {
                    if !hot.contains(&n) && !names.contains(&n) {
                        names.push(n);
                    }
                }
            }
        }
        if names.is_empty() {
            break;
        }
        // Leftmost-longest: a constant whose name starts with another's
        // (`sql_alter_column`, `sql_alter_column_type`) must not hide its uses.
        let Ok(ac) = names_automaton(&names) else {
            return Plan::Whole;
        };
        for m in ac.find_iter(source) {
            let before = m.start().checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(m.end()).copied();
            let ident = |c: Option<u8>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_');
            if !ident(before) && !ident(after) && live(bytes, &opaque, m.start()) {
                hits.push(m.start());
            }
        }
        hits.sort_unstable();
        hits.dedup();
        hot.extend(names);
    }
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    let mut optional = Vec::new();
    pick(
        bytes,
        &lines,
        Block::module(bytes, &lines),
        &hits,
        &mut out,
        &mut optional,
    );
    let Some(out) = add_referenced(source, out, optional) else {
        return Plan::Whole;
    };
    let kept: usize = out.iter().map(|r| r.end - r.start).sum();
    if kept < bytes.len() {
        Plan::Regions(out)
    } else {
        Plan::Whole
    }
}

/// Whether a hit can start a candidate: not a name being defined (`def execute(`), not in
/// a comment, and inside a literal that cannot interpolate only at the literal's start
/// (after whitespace, `(` or escaped whitespace, as the prefilter's keyword test allows
/// after a quote).
fn live(b: &[u8], opaque: &[Opaque], h: usize) -> bool {
    let before = &b[..h];
    let trimmed = before.trim_ascii_end();
    if trimmed.len() < before.len()
        && let Some(rest) = trimmed.strip_suffix(b"def")
        && !rest
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
    {
        return false;
    }
    outside_opaque(b, opaque, h)
}

/// A search for a file's names, used once: an NFA (the default, a DFA, took longer to build
/// than the search it served: ~3 % of a scan). Leftmost-longest: a name that starts with
/// another (`sql_alter_column`, `sql_alter_column_type`) must not hide it.
fn names_automaton(names: &[&str]) -> Result<aho_corasick::AhoCorasick, aho_corasick::BuildError> {
    aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
        .build(names)
}

/// A module- or class-level assignment without a hit, kept only if a kept part names one
/// of the names it binds.
type Optional<'s> = (std::ops::Range<usize>, Vec<&'s str>);

/// Adds to `kept` every optional assignment whose names appear as a word in a kept part, to
/// a fixpoint (a constant built from another), and merges adjacent parts. The names are
/// searched for anywhere in the kept text (strings and comments too: `%(table)s`,
/// `getattr(self, "sql")`), which can only keep more. `None` if the search cannot be built.
fn add_referenced(
    source: &str,
    mut kept: Vec<std::ops::Range<usize>>,
    mut optional: Vec<Optional<'_>>,
) -> Option<Vec<std::ops::Range<usize>>> {
    let b = source.as_bytes();
    let mut fresh = kept.clone();
    while !optional.is_empty() && !fresh.is_empty() {
        let names: Vec<&str> = {
            let mut n: Vec<&str> = optional
                .iter()
                .flat_map(|(_, names)| names.iter().copied())
                .collect();
            n.sort_unstable();
            n.dedup();
            n
        };
        let ac = names_automaton(&names).ok()?;
        let ident = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_');
        let mut used = vec![false; names.len()];
        for r in &fresh {
            for m in ac.find_iter(&b[r.clone()]) {
                let (start, end) = (r.start + m.start(), r.start + m.end());
                if !ident(start.checked_sub(1).and_then(|i| b.get(i))) && !ident(b.get(end)) {
                    used[m.pattern().as_usize()] = true;
                }
            }
        }
        let take: Vec<bool> = optional
            .iter()
            .map(|(_, ns)| {
                ns.iter()
                    .any(|n| names.binary_search(n).is_ok_and(|i| used[i]))
            })
            .collect();
        let (now, later): (Vec<_>, Vec<_>) =
            optional.into_iter().zip(take).partition(|(_, take)| *take);
        optional = later.into_iter().map(|(o, _)| o).collect();
        fresh = now.into_iter().map(|((r, _), _)| r).collect();
        kept.extend(fresh.iter().cloned());
    }
    kept.sort_by_key(|r| r.start);
    let mut merged: Vec<std::ops::Range<usize>> = Vec::with_capacity(kept.len());
    for r in kept {
        match merged.last_mut() {
            Some(last) if last.end >= r.start => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    Some(merged)
}

/// The names a plain assignment binds (`a = ...`, `a, b = c = ...`, `a += ...`); `None`
/// for any other statement (annotated, subscript or attribute targets, calls), which is
/// then always kept.
fn bound_names(stmt: &str) -> Option<Vec<&str>> {
    if stmt.contains(';') {
        // `a = 1; b = 2`: more than one statement.
        return None;
    }
    let mut names = Vec::new();
    let mut rest = stmt.trim_start();
    loop {
        let mut target = Vec::new();
        let mut t = rest;
        loop {
            let n = t
                .bytes()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
                .count();
            if n == 0 || t.as_bytes()[0].is_ascii_digit() {
                break;
            }
            target.push(&t[..n]);
            t = t[n..].trim_start_matches([' ', '\t']);
            match t.strip_prefix(',') {
                Some(after) => t = after.trim_start_matches([' ', '\t']),
                None => break,
            }
        }
        let augmented = ["+=", "-=", "*=", "/=", "%=", "|=", "&=", "//="]
            .iter()
            .find_map(|op| t.strip_prefix(op));
        let after = match (t.strip_prefix('='), augmented) {
            (Some(after), _) if !after.starts_with('=') && !target.is_empty() => after,
            (_, Some(_)) if target.len() == 1 => {
                names.extend(target);
                return Some(names);
            }
            // Not a target list: the value of the last `=` (or not an assignment at all).
            _ => return (!names.is_empty()).then_some(names),
        };
        names.extend(target);
        rest = after.trim_start_matches([' ', '\t']);
    }
}

/// Adds the statements of `block` that a candidate may need, merging adjacent ranges; a
/// plain assignment without a hit goes to `optional` (kept if something kept names it).
fn pick<'s>(
    b: &'s [u8],
    lines: &[Line],
    block: Block,
    hits: &[usize],
    out: &mut Vec<std::ops::Range<usize>>,
    optional: &mut Vec<Optional<'s>>,
) {
    let push = |out: &mut Vec<std::ops::Range<usize>>, r: std::ops::Range<usize>| {
        if r.start >= r.end {
            return;
        }
        match out.last_mut() {
            Some(last) if last.end == r.start => last.end = r.end,
            _ => out.push(r),
        }
    };
    for st in statements(b, lines, block) {
        let (s, e) = (st.span.start, st.span.end);
        let hit = {
            let i = hits.partition_point(|&h| h < s);
            hits.get(i).is_some_and(|&h| h < e)
        };
        if is_simple(b, &lines[st.head]) {
            // A simple statement: it may bind a constant.
            match std::str::from_utf8(&b[s..e]).ok().and_then(bound_names) {
                Some(names) if !hit => optional.push((s..e, names)),
                _ => push(out, s..e),
            }
        } else if st.is_class(b, lines) {
            // A class without a hit still lends its constants (`Queries.TABLE`); one with
            // hits is narrowed too: header, then the members of its body (whatever its
            // size: taking classes under 4 KiB whole parsed 6 % more of the tree).
            match st.body(lines, block.indent) {
                Some(body) => {
                    push(out, s..lines[body.from].start);
                    pick(b, lines, body, hits, out, optional);
                }
                None => push(out, s..e),
            }
        } else if hit {
            push(out, s..e);
        }
    }
}

/// Statement words that do not start a simple statement binding a name.
const NOT_SIMPLE: &[&[u8]] = &[
    b"def",
    b"class",
    b"async",
    b"if",
    b"for",
    b"while",
    b"try",
    b"with",
    b"import",
    b"from",
    b"match",
    b"assert",
    b"raise",
    b"del",
    b"pass",
    b"return",
    b"global",
    b"nonlocal",
];

/// Whether the statement starting at `line` may bind a constant.
fn is_simple(b: &[u8], line: &Line) -> bool {
    let word = first_word(&b[line.first..]);
    !word.is_empty() && !NOT_SIMPLE.contains(&word)
}

/// Byte ranges of the simple statements at module level and in the bodies of module-level
/// classes.
fn simple_statements(b: &[u8], lines: &[Line]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    for st in statements(b, lines, Block::module(b, lines)) {
        if is_simple(b, &lines[st.head]) {
            out.push(st.span);
            continue;
        }
        if !st.is_class(b, lines) {
            continue;
        }
        let Some(body) = st.body(lines, 0) else {
            continue;
        };
        for m in statements(b, lines, body) {
            if is_simple(b, &lines[m.head]) {
                out.push(m.span);
            }
        }
    }
    out.sort_by_key(|r| r.start);
    out
}

/// The names a simple statement binds: `a = ...`, `a: T = ...`, `a, b = ...`, `d["k"] = ...`.
fn assigned_names(stmt: &str) -> Vec<&str> {
    let t = stmt.trim_start();
    let end = t.find(['=', ':', '[', '\n', '+', '(']).unwrap_or(t.len());
    t[..end]
        .split(',')
        .map(str::trim)
        .filter(|n| {
            !n.is_empty()
                && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !n.starts_with(|c: char| c.is_ascii_digit())
        })
        .collect()
}

fn first_word(b: &[u8]) -> &[u8] {
    let n = b
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count();
    if b.first().is_some_and(|c| c.is_ascii_digit()) {
        &[]
    } else {
        &b[..n]
    }
}

/// A statement at one indentation: its lines are `lines[first..next]`.
struct Stmt {
    /// Its bytes, up to the next statement at the same indentation (or the enclosing end).
    span: std::ops::Range<usize>,
    /// Its first line past the decorators above it.
    head: usize,
    next: usize,
}

impl Stmt {
    fn is_class(&self, b: &[u8], lines: &[Line]) -> bool {
        first_word(&b[lines[self.head].first..]) == b"class"
    }

    /// Its indented body (of a statement at `indent`), if it has one.
    fn body(&self, lines: &[Line], indent: usize) -> Option<Block> {
        let from = (self.head + 1..self.next).find(|&i| lines[i].indent > indent)?;
        Some(Block {
            from,
            to: self.next,
            end: self.span.end,
            indent: lines[from].indent,
        })
    }
}

/// The statements at `indent` among `lines[from..to]`, which end at byte `end`.
#[derive(Clone, Copy)]
struct Block {
    from: usize,
    to: usize,
    end: usize,
    indent: usize,
}

impl Block {
    /// The whole file at column 0.
    fn module(b: &[u8], lines: &[Line]) -> Block {
        Block {
            from: 0,
            to: lines.len(),
            end: b.len(),
            indent: 0,
        }
    }
}

/// The statements of a block. A statement starts at a line that is not a clause continuing
/// the statement before (`else`, `elif`, `except`, `finally`) and not the statement that a
/// decorator just above decorates.
fn statements(b: &[u8], lines: &[Line], block: Block) -> Vec<Stmt> {
    let Block {
        from,
        to,
        end,
        indent,
    } = block;
    let mut starts = Vec::new();
    let mut decorating = false;
    for (k, l) in lines.iter().enumerate().take(to).skip(from) {
        if l.indent != indent || l.clause {
            continue;
        }
        if !decorating {
            starts.push(k);
        }
        decorating = l.decorator;
    }
    starts
        .iter()
        .enumerate()
        .map(|(j, &k)| {
            let next = starts.get(j + 1).copied().unwrap_or(to);
            let head = (k..next)
                .find(|&i| lines[i].indent == indent && b[lines[i].first] != b'@')
                .unwrap_or(k);
            Stmt {
                span: lines[k].start..lines.get(next).map_or(end, |l| l.start).min(end),
                head,
                next,
            }
        })
        .collect()
}

/// The first line of a logical line (one that starts outside any string, bracket or
/// backslash continuation and is not blank or only a comment).
struct Line {
    /// Byte offset of the line's start (its indentation included).
    start: usize,
    /// Byte offset of its first non-blank byte.
    first: usize,
    /// Width of the indentation in bytes (a tab counts as one: a file mixes them at its peril
    /// and is then only parsed in larger pieces).
    indent: usize,
    /// `else`, `elif`, `except`, `finally`: continues the statement before.
    clause: bool,
    decorator: bool,
}

struct Lexed {
    lines: Vec<Line>,
    /// In file order.
    opaque: Vec<Opaque>,
}

/// The logical lines of a Python file and its comments and plain literals; `None` if a
/// triple-quoted string or a bracket never closes (the statements cannot be told apart and
/// the file is parsed whole).
fn lex(b: &[u8]) -> Option<Lexed> {
    let mut lines = Vec::new();
    let mut opaque = Vec::new();
    let (mut i, mut depth) = (0usize, 0usize);
    let mut continued = false;
    let mut line_start = true;
    while i < b.len() {
        if line_start {
            line_start = false;
            if depth == 0 && !continued {
                let indent = b[i..]
                    .iter()
                    .take_while(|c| matches!(c, b' ' | b'\t' | 0x0c))
                    .count();
                let first = i + indent;
                if let Some(&c) = b.get(first)
                    && !matches!(c, b'\n' | b'\r' | b'#')
                {
                    let clause = ["else", "elif", "except", "finally"].iter().any(|kw| {
                        b[first..].starts_with(kw.as_bytes())
                            && !b
                                .get(first + kw.len())
                                .is_some_and(|n| n.is_ascii_alphanumeric() || *n == b'_')
                    });
                    lines.push(Line {
                        start: i,
                        first,
                        indent,
                        clause,
                        decorator: c == b'@',
                    });
                }
            }
            continued = false;
        }
        match b[i] {
            b'\n' => {
                line_start = true;
                i += 1;
            }
            b'\\' => {
                // A backslash before the line end continues the statement.
                let eol = match (b.get(i + 1), b.get(i + 2)) {
                    (Some(b'\n'), _) => Some(i + 2),
                    (Some(b'\r'), Some(b'\n')) => Some(i + 3),
                    _ => None,
                };
                match eol {
                    Some(next) => {
                        i = next;
                        line_start = true;
                        continued = true;
                    }
                    None => i += 2,
                }
            }
            b'#' => {
                let start = i;
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |p| i + p);
                opaque.push(Opaque {
                    start,
                    end: i,
                    comment: true,
                    inert: false,
                });
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            q @ (b'"' | b'\'') => {
                let triple = b.len() >= i + 3 && b[i + 1] == q && b[i + 2] == q;
                let start = if triple { i + 3 } else { i + 1 };
                let end = string_end(b, start, q, triple)?;
                if !interpolates(b, i) {
                    let inert = inert_literal(b, i, end, depth, &lines, &opaque);
                    opaque.push(Opaque {
                        start,
                        end,
                        comment: false,
                        inert,
                    });
                }
                i = end;
            }
            _ => {
                // Most bytes are none of the above: skip them in a tight loop.
                i += 1;
                while i < b.len() && !LEX_SPECIAL[usize::from(b[i])] {
                    i += 1;
                }
            }
        }
    }
    if depth != 0 {
        return None;
    }
    Some(Lexed { lines, opaque })
}

/// Whether the plain literal whose quote is at `q` (and that ends just before `end`) can
/// never be a candidate's text, as the extractor judges it: a statement of its own (a
/// docstring: the walker skips bare strings), or the whole first argument of a message call
/// (`_("Select a valid choice")`, `ValueError("...")`: the walker drops message arguments
/// and `eval` knows no such call). Anything else, including a literal joined to another, is
/// not inert.
fn inert_literal(
    b: &[u8],
    q: usize,
    end: usize,
    depth: usize,
    lines: &[Line],
    opaque: &[Opaque],
) -> bool {
    let from = q - literal_prefix(b, q).len();
    let ws = |c: &u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0c);
    if depth == 0 {
        // A logical line of its own: it starts the line and nothing follows but a comment.
        let starts_line = lines.last().is_some_and(|l| l.first == from);
        let rest = b[end..].iter().find(|c| !matches!(c, b' ' | b'\t' | 0x0c));
        return starts_line && matches!(rest, None | Some(b'\n' | b'\r' | b'#'));
    }
    let after = b[end..].iter().find(|c| !ws(c));
    if !matches!(after, Some(b')' | b',')) {
        return false;
    }
    let Some(open) = b[..from].iter().rposition(|c| !ws(c)) else {
        return false;
    };
    // A `(` inside the comment that ends just before the literal opens no call.
    if b[open] != b'('
        || opaque
            .last()
            .is_some_and(|o| o.comment && o.start <= open && open < o.end)
    {
        return false;
    }
    let name_end = b[..open]
        .iter()
        .rposition(|c| !matches!(c, b' ' | b'\t'))
        .map_or(0, |p| p + 1);
    let name_start = b[..name_end]
        .iter()
        .rposition(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
        .map_or(0, |p| p + 1);
    let Ok(name) = std::str::from_utf8(&b[name_start..name_end]) else {
        return false;
    };
    is_message_call(name)
}

/// A call whose arguments are messages, not SQL (by its method name).
fn is_message_call(name: &str) -> bool {
    MESSAGE_CALLS.contains(&name) || name.ends_with("Error") || name.ends_with("Exception")
}

/// The bytes `lex` acts on (a line end, a continuation, a comment, a bracket, a quote).
const LEX_SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let special = b"\n\\#([{)]}\"'";
    let mut k = 0;
    while k < special.len() {
        t[special[k] as usize] = true;
        k += 1;
    }
    t
};

/// The prefix letters (`rb`, `f`, ...) of the literal whose quote is at `q`.
fn literal_prefix(b: &[u8], q: usize) -> &[u8] {
    let n = b[..q]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count();
    &b[q - n..q]
}

/// Whether the literal whose quote is at `q` has an `f` or `t` prefix (its `{...}` parts
/// are code).
fn interpolates(b: &[u8], q: usize) -> bool {
    literal_prefix(b, q)
        .iter()
        .any(|c| matches!(c, b'f' | b'F' | b't' | b'T'))
}

/// Just past the quote that closes a string whose text starts at `i`; a backslash escapes
/// the next byte (also in raw strings, where `\"` does not end the string either). A
/// one-line string ends at the line end if unclosed (tree-sitter recovers the same way);
/// `None` for a triple-quoted string that never closes.
fn string_end(b: &[u8], mut i: usize, q: u8, triple: bool) -> Option<usize> {
    while i < b.len() {
        // Only a backslash, the quote or a line end matter (memchr3: SIMD).
        match memchr::memchr3(b'\\', q, b'\n', &b[i..]) {
            Some(p) => i += p,
            None => break,
        }
        match b[i] {
            b'\\' => i += 2,
            b'\n' if !triple => return Some(i),
            c if c == q => {
                if !triple {
                    return Some(i + 1);
                }
                if b.len() >= i + 3 && b[i + 1] == q && b[i + 2] == q {
                    return Some(i + 3);
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    if triple { None } else { Some(b.len()) }
}

/// Methods that run the SQL in their first argument (receiver ignored).
const SINKS: &[&str] = &[
    "execute",
    "executemany",
    "executescript",
    "mogrify",
    "fetch",
    "fetchrow",
    "fetchval",
    "fetch_all",
    "fetch_one",
    "fetch_val",
    "copy_expert",
    "copy_from_query",
    "raw",
    "exec_driver_sql",
    "read_sql",
    "read_sql_query",
    "text",
    "prepare",
    "run_sql",
    "RawSQL",
    "execute_sql",
    "extra",
];

/// The sinks as the prefilter looks for them: `name(`.
const PREFILTER: Sinks = Sinks {
    names: &[SINKS],
    receiver_names: &[],
    receiver_words: &[],
    call_marks: b"",
};

/// Calls whose arguments are messages, not SQL.
const MESSAGE_CALLS: &[&str] = &[
    "print",
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
    "log",
    "echo",
    "secho",
    "write",
    "_",
    "gettext",
    "ngettext",
];

/// Calls that quote or escape what they return (value or identifier): safe composition.
const ESCAPERS: &[(&str, &str)] = &[
    ("quote_ident", "quote_ident"),
    ("quote_literal", "quote_literal"),
    ("escape_string", "escape_string"),
    ("escape_identifier", "escape_identifier"),
    ("escape_literal", "escape_literal"),
    ("escape", "escape"),
    ("literal", "literal"),
    ("sqlescape", "sqlescape"),
    ("Identifier", "psycopg.sql"),
    ("Literal", "psycopg.sql"),
    ("Placeholder", "psycopg.sql"),
];

/// Calls that return a number or a boolean.
const NUMERIC: &[&str] = &[
    "int", "float", "len", "bool", "round", "abs", "Decimal", "min", "max", "sum", "count",
];

struct Frame {
    name: Option<String>,
    scope: Scope,
    /// Local lists built with `append`/`extend`/`+=`: their elements' values.
    lists: Vec<(String, Vec<Str>)>,
    /// Local dicts whose values are all constant strings (allow-lists): one value stands
    /// for any lookup.
    dicts: Vec<(String, Str)>,
    /// Variables holding SQL that no sink has consumed yet (reported when the frame ends).
    pending: Vec<String>,
}

impl Frame {
    fn new(name: Option<String>) -> Self {
        Frame {
            name,
            scope: Scope::default(),
            lists: Vec::new(),
            dicts: Vec::new(),
            pending: Vec::new(),
        }
    }
}

struct Walker<'s> {
    src: &'s str,
    module: Scope,
    out: Vec<Candidate>,
    /// Current nesting of `eval` / `visit_expr`.
    depth: Cell<usize>,
    /// Module/class-level dicts and collections of constant strings (allow-lists).
    module_dicts: Vec<(String, Str)>,
}

/// Deeper expressions are not followed (each level costs stack; rayon threads have 2 MiB).
const MAX_DEPTH: usize = 200;

impl<'s> Walker<'s> {
    fn t(&self, n: Node) -> &'s str {
        text(n, self.src)
    }

    /// Module- and class-level constants, so functions see them wherever they are defined.
    fn collect_module_constants(&mut self, root: Node) {
        for stmt in children(root) {
            self.collect_constant(stmt, None);
            if stmt.kind() == "class_definition" {
                let class = stmt
                    .child_by_field_id(fields().name)
                    .map(|n| self.t(n).to_string());
                if let Some(body) = stmt.child_by_field_id(fields().body) {
                    for s in children(body) {
                        self.collect_constant(s, class.as_deref());
                    }
                }
            }
        }
    }

    fn collect_constant(&mut self, stmt: Node, class: Option<&str>) {
        if stmt.kind() != "expression_statement" {
            return;
        }
        let Some(a) = stmt.named_child(0).filter(|a| a.kind() == "assignment") else {
            return;
        };
        let (Some(left), Some(right)) = (
            a.child_by_field_id(fields().left),
            a.child_by_field_id(fields().right),
        ) else {
            return;
        };
        if left.kind() != "identifier" {
            return;
        }
        let empty = Frame::new(None);
        if let Some(rep) = self.constant_collection(right, &empty) {
            let name = self.t(left).to_string();
            if let Some(c) = class {
                self.module_dicts
                    .push((format!("self.{name}"), rep.clone()));
                self.module_dicts.push((format!("cls.{name}"), rep.clone()));
                self.module_dicts.push((format!("{c}.{name}"), rep.clone()));
            }
            self.module_dicts.push((name, rep));
            return;
        }
        if let Some(v) = self.eval(right, &empty).filter(|v| v.dynamic().is_none()) {
            let name = self.t(left);
            match class {
                Some(c) => {
                    self.module.assign(&format!("self.{name}"), v.clone());
                    self.module.assign(&format!("cls.{name}"), v.clone());
                    self.module.assign(&format!("{c}.{name}"), v);
                }
                None => self.module.assign(name, v),
            }
        }
    }

    /// A dict literal whose values (or a set/list/tuple whose elements) are all constant
    /// strings: returns one of them, standing for whatever a lookup picks.
    fn constant_collection(&self, n: Node, f: &Frame) -> Option<Str> {
        let items: Vec<Node> = match n.kind() {
            "dictionary" => children(n)
                .into_iter()
                .filter(|p| p.kind() == "pair")
                .filter_map(|p| p.child_by_field_id(fields().value))
                .collect(),
            "set" | "list" | "tuple" | "frozenset" => children(n),
            _ => return None,
        };
        let mut rep = None;
        for i in items {
            let v = self.eval(i, f)?;
            if !v.is_constant() {
                return None;
            }
            rep.get_or_insert(v);
        }
        rep
    }

    fn collection(&self, name: &str, f: &Frame) -> Option<Str> {
        f.dicts
            .iter()
            .chain(self.module_dicts.iter())
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    fn lookup(&self, name: &str, f: &Frame) -> Option<Str> {
        f.scope.get(name).or_else(|| self.module.get(name)).cloned()
    }

    /// The abstract string value of an expression; `None` when it is not a string we can
    /// see (a parameter, a call result, ...).
    fn eval(&self, n: Node, f: &Frame) -> Option<Str> {
        // Deeply nested expressions (generated code) are not followed: bounded stack.
        if self.depth.get() > MAX_DEPTH {
            return None;
        }
        self.depth.set(self.depth.get() + 1);
        let v = self.eval_inner(n, f);
        self.depth.set(self.depth.get() - 1);
        v
    }

    fn eval_inner(&self, n: Node, f: &Frame) -> Option<Str> {
        let pos = position(n, self.src);
        match n.kind() {
            "string" => Some(self.string(n, f)),
            "concatenated_string" => {
                let mut v = Str::empty(pos);
                for s in children(n) {
                    v.push(self.eval(s, f)?);
                }
                Some(v)
            }
            "parenthesized_expression" => n.named_child(0).and_then(|c| self.eval(c, f)),
            "identifier" | "attribute" => self.lookup(self.t(n), f),
            "subscript" => {
                let value = n.child_by_field_id(fields().value)?;
                self.collection(self.t(value), f).map(|mut v| {
                    (v.line, v.column) = pos;
                    v
                })
            }
            "integer" | "float" | "true" | "false" | "none" => Some(Str::text(self.t(n), pos)),
            "conditional_expression" => {
                // `x if x in ALLOWED else "id"`: the value is one of ALLOWED's constants.
                if let (Some(a), Some(cond)) = (n.named_child(0), n.named_child(1))
                    && let Some(rep) = self.membership(a, cond, f)
                {
                    let b = n.named_child(2).and_then(|c| self.eval(c, f));
                    if b.as_ref().is_some_and(|b| b.is_constant()) {
                        return Some(rep);
                    }
                }
                let a = n.named_child(0).and_then(|c| self.eval(c, f));
                let b = n.named_child(2).and_then(|c| self.eval(c, f));
                match (a, b) {
                    (Some(a), Some(b)) => Some(if b.dynamic().is_some() && a.dynamic().is_none() {
                        b
                    } else {
                        a
                    }),
                    _ => None,
                }
            }
            "binary_operator" => self.binary(n, f),
            "call" => self.call(n, f),
            _ => None,
        }
    }

    /// `cond` is `a in C` with C a constant collection: C's representative.
    fn membership(&self, a: Node, cond: Node, f: &Frame) -> Option<Str> {
        if cond.kind() != "comparison_operator" {
            return None;
        }
        let kids = children(cond);
        let (Some(l), Some(r)) = (kids.first(), kids.get(1)) else {
            return None;
        };
        let op = cond.child(1).map(|o| self.t(o)).unwrap_or_default();
        if op != "in" || self.t(*l) != self.t(a) {
            return None;
        }
        self.collection(self.t(*r), f)
            .or_else(|| self.constant_collection(*r, f))
    }

    /// An operand that is not a visible string: a numeric conversion is safe, anything
    /// else is dynamic.
    fn operand(&self, n: Node, f: &Frame, how: &str) -> Str {
        match self.eval(n, f) {
            Some(v) => v,
            None => self.unknown(n, how),
        }
    }

    /// An operand `eval` could not see: safe if numeric, else dynamic. Never evaluates
    /// again (re-evaluating each side of `a + b + c + ...` would be exponential).
    fn unknown(&self, n: Node, how: &str) -> Str {
        let pos = position(n, self.src);
        if self.is_numeric(n) {
            return Str::hole(Hole::Safe(format!("{}()", self.callee_name(n))), pos);
        }
        Str::hole(Hole::Dynamic(how.to_string()), pos)
    }

    fn callee_name(&self, call: Node) -> String {
        call.child_by_field_id(fields().function)
            .map(|c| method_name(self.t(c)).to_string())
            .unwrap_or_default()
    }

    fn is_numeric(&self, n: Node) -> bool {
        let n = if n.kind() == "parenthesized_expression" {
            match n.named_child(0) {
                Some(c) => c,
                None => return false,
            }
        } else {
            n
        };
        match n.kind() {
            "integer" | "float" | "true" | "false" => true,
            "call" => {
                let name = self.callee_name(n);
                NUMERIC.contains(&name.as_str())
                    || (name == "str"
                        && n.child_by_field_id(fields().arguments)
                            .and_then(|a| a.named_child(0))
                            .is_some_and(|a| self.is_numeric(a)))
            }
            _ => false,
        }
    }

    fn binary(&self, n: Node, f: &Frame) -> Option<Str> {
        let op = n.child_by_field_id(fields().operator).map(|o| self.t(o))?;
        let left = n.child_by_field_id(fields().left)?;
        let right = n.child_by_field_id(fields().right)?;
        match op {
            "+" => {
                let l = self.eval(left, f);
                let r = self.eval(right, f);
                if l.is_none() && r.is_none() {
                    return None;
                }
                let l = l.unwrap_or_else(|| self.unknown(left, "concatenation"));
                let r = r.unwrap_or_else(|| self.unknown(right, "concatenation"));
                let mut v = l.concat(r);
                let pos = position(n, self.src);
                (v.line, v.column) = pos;
                Some(v)
            }
            "%" => {
                let fmt = self.eval(left, f)?;
                let args: Vec<FormatArg>;
                let mut named: Vec<(String, FormatArg)> = Vec::new();
                match right.kind() {
                    "tuple" => {
                        args = children(right)
                            .into_iter()
                            .map(|a| self.fmt_arg(a, f))
                            .collect();
                    }
                    "dictionary" => {
                        args = Vec::new();
                        for p in children(right) {
                            if let (Some(k), Some(v)) = (
                                p.child_by_field_id(fields().key),
                                p.child_by_field_id(fields().value),
                            ) {
                                let key = self.eval(k, f).map(|k| k.constant_text());
                                if let Some(key) = key {
                                    named.push((key, self.fmt_arg(v, f)));
                                }
                            }
                        }
                    }
                    _ => args = vec![self.fmt_arg(right, f)],
                }
                let lookup = |name: &str| {
                    named
                        .iter()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.clone())
                };
                let mut v = fold_printf(&fmt, &args, &lookup, "%-formatting");
                (v.line, v.column) = position(n, self.src);
                Some(v)
            }
            "*" => {
                // `"%s, " * n` / `["%s"] * n`: repeated constant placeholders.
                let l = self.eval(left, f).or_else(|| self.constant_list(left, f))?;
                l.is_constant().then(|| {
                    Str::hole(
                        Hole::Safe("repeated constant".into()),
                        position(n, self.src),
                    )
                })
            }
            _ => None,
        }
    }

    fn fmt_arg(&self, a: Node, f: &Frame) -> FormatArg {
        self.eval(a, f).or_else(|| {
            self.is_numeric(a).then(|| {
                Str::hole(
                    Hole::Safe(format!("{}()", self.callee_name(a))),
                    position(a, self.src),
                )
            })
        })
    }

    /// A list literal of constant strings, joined with nothing (used by `*` and `join`).
    fn constant_list(&self, n: Node, f: &Frame) -> Option<Str> {
        if n.kind() != "list" && n.kind() != "tuple" {
            return None;
        }
        let mut v = Str::empty(position(n, self.src));
        for c in children(n) {
            let e = self.eval(c, f)?;
            if !e.is_constant() {
                return None;
            }
            v.push(e);
        }
        Some(v)
    }

    fn call(&self, n: Node, f: &Frame) -> Option<Str> {
        let func = n.child_by_field_id(fields().function)?;
        let args = n.child_by_field_id(fields().arguments)?;
        let pos = position(n, self.src);
        let name = method_name(self.t(func));
        let positional: Vec<Node> = children(args)
            .into_iter()
            .filter(|a| a.kind() != "keyword_argument" && a.kind() != "comment")
            .collect();
        if func.kind() == "attribute" {
            let object = func.child_by_field_id(fields().object)?;
            match name {
                "format" => {
                    let fmt = self.eval(object, f)?;
                    let psycopg = self.is_psycopg_sql(object);
                    let how = ".format()";
                    let conv = |a: Node| -> FormatArg {
                        if psycopg && self.is_psycopg_call(a) {
                            return Some(Str::hole(
                                Hole::Safe("psycopg.sql".into()),
                                position(a, self.src),
                            ));
                        }
                        self.fmt_arg(a, f)
                    };
                    let pos_args: Vec<FormatArg> = positional.iter().map(|a| conv(*a)).collect();
                    let kw: Vec<(String, FormatArg)> = children(args)
                        .into_iter()
                        .filter(|a| a.kind() == "keyword_argument")
                        .filter_map(|a| {
                            let k = a.child_by_field_id(fields().name)?;
                            let v = a.child_by_field_id(fields().value)?;
                            Some((self.t(k).to_string(), conv(v)))
                        })
                        .collect();
                    let lookup = |k: &str| kw.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
                    let mut v = fold_braces(&fmt, &pos_args, &lookup, how);
                    (v.line, v.column) = pos;
                    return Some(v);
                }
                "get" => {
                    let rep = self.collection(self.t(object), f)?;
                    // The default must be constant too (or absent: None is not text).
                    if let Some(d) = positional.get(1)
                        && !self.eval(*d, f).is_some_and(|d| d.is_constant())
                    {
                        return None;
                    }
                    let mut v = rep;
                    (v.line, v.column) = pos;
                    return Some(v);
                }
                "join" => {
                    let sep = self.eval(object, f)?;
                    let arg = *positional.first()?;
                    if arg.kind() == "identifier"
                        && let Some((_, items)) = f.lists.iter().find(|(n, _)| n == self.t(arg))
                    {
                        let mut v = Str::empty(pos);
                        if items.is_empty() {
                            return Some(v);
                        }
                        for (i, item) in items.iter().enumerate() {
                            if i > 0 {
                                v.push(sep.clone());
                            }
                            v.push(item.clone());
                        }
                        return Some(v);
                    }
                    if let Some(list) = self.list_items(arg, f) {
                        let mut v = Str::empty(pos);
                        for (i, item) in list.into_iter().enumerate() {
                            if i > 0 {
                                v.push(sep.clone());
                            }
                            v.push(item);
                        }
                        return Some(v);
                    }
                    if self.is_psycopg_sql(object) {
                        return Some(Str::hole(Hole::Safe("psycopg.sql".into()), pos));
                    }
                    // A generator/comprehension of constants, or `[...] * n`.
                    if let Some(body) = self.comprehension_body(arg) {
                        if self.eval(body, f).is_some_and(|b| b.is_constant()) {
                            return Some(Str::hole(Hole::Safe("repeated constant".into()), pos));
                        }
                        if self.is_numeric(body) {
                            return Some(Str::hole(Hole::Safe("numeric join".into()), pos));
                        }
                    }
                    if let Some(v) = self.eval(arg, f).filter(|v| v.dynamic().is_none()) {
                        return Some(v);
                    }
                    return Some(Str::hole(Hole::Dynamic("str.join".into()), pos));
                }
                "strip" | "lstrip" | "rstrip" | "upper" | "lower" | "dedent" => {
                    return self.eval(object, f);
                }
                _ => {}
            }
        }
        if name == "dedent" || name == "SQL" || name == "text" || name == "str" {
            let a = *positional.first()?;
            if name == "str" && self.is_numeric(a) {
                return Some(Str::hole(Hole::Safe("str(number)".into()), pos));
            }
            return self.eval(a, f);
        }
        if let Some((_, api)) = ESCAPERS.iter().find(|(k, _)| *k == name) {
            return Some(Str::hole(Hole::Safe((*api).to_string()), pos));
        }
        None
    }

    fn list_items(&self, n: Node, f: &Frame) -> Option<Vec<Str>> {
        if n.kind() != "list" && n.kind() != "tuple" {
            return None;
        }
        children(n)
            .into_iter()
            .map(|c| {
                Some(
                    self.eval(c, f)
                        .unwrap_or_else(|| self.operand(c, f, "str.join")),
                )
            })
            .collect()
    }

    fn comprehension_body<'t>(&self, n: Node<'t>) -> Option<Node<'t>> {
        match n.kind() {
            "generator_expression" | "list_comprehension" => n.child_by_field_id(fields().body),
            "binary_operator" => Some(n).filter(|_| {
                n.child_by_field_id(fields().operator)
                    .is_some_and(|o| self.t(o) == "*")
            }),
            _ => None,
        }
    }

    /// `sql.SQL(...)` / `SQL(...)` / `sql.Composed(...)` (psycopg 2 and 3).
    fn is_psycopg_sql(&self, n: Node) -> bool {
        n.kind() == "call"
            && n.child_by_field_id(fields().function)
                .is_some_and(|c| matches!(method_name(self.t(c)), "SQL" | "Composed"))
    }

    fn is_psycopg_call(&self, n: Node) -> bool {
        n.kind() == "call"
            && n.child_by_field_id(fields().function).is_some_and(|c| {
                matches!(
                    method_name(self.t(c)),
                    "Identifier" | "Literal" | "Placeholder" | "SQL" | "Composed"
                )
            })
    }

    fn string(&self, n: Node, f: &Frame) -> Str {
        let pos = position(n, self.src);
        let mut v = Str::empty(pos);
        let prefix: String = children(n)
            .first()
            .filter(|c| c.kind() == "string_start")
            .map(|c| {
                self.t(*c)
                    .chars()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .collect::<String>()
                    .to_lowercase()
            })
            .unwrap_or_default();
        let raw = prefix.contains('r');
        let fstring = prefix.contains('f');
        for c in children(n) {
            match c.kind() {
                "string_content" => {
                    let mut s = self.t(c).to_string();
                    if fstring {
                        s = s.replace("{{", "{").replace("}}", "}");
                    }
                    if !raw {
                        s = unescape_c(&s);
                    }
                    v.push_text(&s);
                }
                "interpolation" => {
                    let Some(e) = c.child_by_field_id(fields().expression) else {
                        v.push_hole(Hole::Dynamic("f-string".into()));
                        continue;
                    };
                    let spec = c
                        .child_by_field_id(fields().format_specifier)
                        .map(|s| self.t(s).trim_start_matches(':').to_string())
                        .unwrap_or_default();
                    let numeric_spec = spec
                        .chars()
                        .last()
                        .is_some_and(|x| matches!(x, 'd' | 'f' | 'e' | 'g' | 'x' | 'n' | '%'));
                    match self.eval(e, f) {
                        Some(mut s) if s.dynamic().is_some() => {
                            s.relabel_dynamic("f-string");
                            v.push(s)
                        }
                        Some(s) => v.push(s),
                        None if numeric_spec || self.is_numeric(e) => {
                            v.push_hole(Hole::Safe("f-string numeric".into()))
                        }
                        None => v.push_hole(Hole::Dynamic("f-string".into())),
                    }
                }
                _ => {}
            }
        }
        v
    }

    // ----------------------------------------------------------------- statements

    fn visit_block(&mut self, n: Node, f: &mut Frame) {
        for c in children(n) {
            self.visit(c, f);
        }
    }

    fn visit(&mut self, n: Node, f: &mut Frame) {
        if self.depth.get() > MAX_DEPTH {
            return;
        }
        self.depth.set(self.depth.get() + 1);
        self.visit_inner(n, f);
        self.depth.set(self.depth.get() - 1);
    }

    /// `for c in ALLOWED` / `for k, c in ALLOWED.items()` / `.values()` over a constant
    /// collection: the loop variable holds one of its constants.
    fn bind_loop_variable(&mut self, n: Node, f: &mut Frame) {
        let (Some(left), Some(right)) = (
            n.child_by_field_id(fields().left),
            n.child_by_field_id(fields().right),
        ) else {
            return;
        };
        let (coll, method) = match right.kind() {
            "call" => {
                let Some(func) = right.child_by_field_id(fields().function) else {
                    return;
                };
                let Some(obj) = func.child_by_field_id(fields().object) else {
                    return;
                };
                (self.t(obj), method_name(self.t(func)))
            }
            "identifier" | "attribute" => (self.t(right), ""),
            _ => return,
        };
        let Some(rep) = self.collection(coll, f) else {
            return;
        };
        let target = match (method, left.kind()) {
            ("items", "pattern_list" | "tuple_pattern") => children(left).get(1).copied(),
            ("values" | "", "identifier") => Some(left),
            _ => None,
        };
        if let Some(t) = target.filter(|t| t.kind() == "identifier") {
            f.scope.assign(self.t(t), rep);
        }
    }

    fn visit_inner(&mut self, n: Node, f: &mut Frame) {
        if n.kind() == "for_statement" {
            self.bind_loop_variable(n, f);
        }
        match n.kind() {
            "function_definition" => {
                let name = n
                    .child_by_field_id(fields().name)
                    .map(|x| self.t(x).to_string());
                let mut inner = Frame::new(name);
                if let Some(body) = n.child_by_field_id(fields().body) {
                    self.visit_block(body, &mut inner);
                }
                self.flush(inner);
            }
            "expression_statement" => {
                let Some(e) = n.named_child(0) else { return };
                match e.kind() {
                    // A bare string is a docstring or a no-op, never a query.
                    "string" | "concatenated_string" => {}
                    "assignment" => self.assignment(e, f),
                    "augmented_assignment" => self.augmented(e, f),
                    _ => self.visit_expr(e, f, false),
                }
            }
            "return_statement" => {
                for c in children(n) {
                    self.visit_expr(c, f, false);
                }
            }
            "comment" | "import_statement" | "import_from_statement" => {}
            "decorated_definition"
            | "class_definition"
            | "block"
            | "if_statement"
            | "for_statement"
            | "while_statement"
            | "try_statement"
            | "with_statement"
            | "elif_clause"
            | "else_clause"
            | "except_clause"
            | "finally_clause"
            | "match_statement"
            | "case_clause" => {
                for c in children(n) {
                    self.visit(c, f);
                }
            }
            _ => self.visit_expr(n, f, false),
        }
    }

    fn assignment(&mut self, a: Node, f: &mut Frame) {
        let (Some(left), Some(right)) = (
            a.child_by_field_id(fields().left),
            a.child_by_field_id(fields().right),
        ) else {
            return;
        };
        if left.kind() == "identifier" && matches!(right.kind(), "list" | "dictionary") {
            let name = self.t(left).to_string();
            if right.kind() == "dictionary" {
                if let Some(rep) = self.constant_collection(right, f) {
                    f.dicts.retain(|(n, _)| *n != name);
                    f.dicts.push((name, rep));
                }
            } else {
                let mut items = Vec::new();
                for c in children(right) {
                    let Some(item) = self.eval(c, f) else {
                        // Not a string: whatever it holds (calls, tuples) is visited.
                        self.visit_expr(c, f, false);
                        items.push(self.unknown(c, "list"));
                        continue;
                    };
                    // Each statement in a list of statements is a query of its own.
                    if !matches!(c.kind(), "identifier" | "attribute")
                        && !item.constant_text().trim().is_empty()
                    {
                        self.out
                            .push(item.clone().into_candidate(None, None, f.name.clone()));
                    }
                    items.push(item);
                }
                f.lists.retain(|(n, _)| *n != name);
                f.lists.push((name, items));
            }
            self.visit_calls_within(right, f);
            return;
        }
        if matches!(left.kind(), "identifier" | "attribute") && self.is_numeric(right) {
            // `n = int(x)`: interpolating `n` later cannot inject.
            let name = self.t(left).to_string();
            let v = Str::hole(Hole::Safe("int()".into()), position(right, self.src));
            f.scope.assign(&name, v);
            self.visit_expr(right, f, false);
            return;
        }
        if matches!(left.kind(), "identifier" | "attribute")
            && let Some(mut v) = self.eval(right, f)
        {
            let name = self.t(left).to_string();
            if matches!(right.kind(), "identifier" | "attribute") {
                // A copy of another variable (often a module constant) starts here: what is
                // appended later belongs to this function.
                (v.line, v.column) = position(right, self.src);
            }
            f.scope.assign(&name, v);
            if !f.pending.contains(&name) {
                f.pending.push(name);
            }
            // Sinks inside the building expression (rare) are still visited.
            self.visit_calls_within(right, f);
            return;
        }
        self.visit_expr(right, f, false);
    }

    fn augmented(&mut self, a: Node, f: &mut Frame) {
        let (Some(left), Some(right)) = (
            a.child_by_field_id(fields().left),
            a.child_by_field_id(fields().right),
        ) else {
            return;
        };
        let name = self.t(left).to_string();
        let op = a
            .child_by_field_id(fields().operator)
            .map(|o| self.t(o))
            .unwrap_or("");
        if op == "+=" && right.kind() == "list" && f.lists.iter().any(|(n, _)| *n == name) {
            let items: Vec<Str> = children(right)
                .into_iter()
                .map(|c| self.operand(c, f, "list"))
                .collect();
            if let Some((_, l)) = f.lists.iter_mut().find(|(n, _)| *n == name) {
                l.extend(items);
            }
            return;
        }
        if op == "+=" && f.scope.get(&name).is_some() {
            let v = self.operand(right, f, "+=");
            f.scope.append(&name, v);
            if !f.pending.contains(&name) {
                f.pending.push(name);
            }
            return;
        }
        self.visit_expr(right, f, false);
    }

    /// Visits calls nested in an expression (arguments of a sink inside a string building
    /// expression are rare, but a sink anywhere must be seen).
    fn visit_calls_within(&mut self, n: Node, f: &mut Frame) {
        if n.kind() == "call" && self.sink_of(n).is_some() {
            self.visit_expr(n, f, true);
            return;
        }
        for c in children(n) {
            self.visit_calls_within(c, f);
        }
    }

    fn sink_of(&self, call: Node) -> Option<String> {
        let func = call.child_by_field_id(fields().function)?;
        let name = method_name(self.t(func));
        SINKS.contains(&name).then(|| self.t(func).to_string())
    }

    /// An expression in statement or argument position. A string-building expression that
    /// is not assigned to a variable is a candidate where it stands (unless it is a message
    /// for a logger/print); calls to sinks report their SQL argument.
    fn visit_expr(&mut self, n: Node, f: &mut Frame, in_message: bool) {
        if self.depth.get() > MAX_DEPTH {
            return;
        }
        self.depth.set(self.depth.get() + 1);
        self.visit_expr_inner(n, f, in_message);
        self.depth.set(self.depth.get() - 1);
    }

    fn visit_expr_inner(&mut self, n: Node, f: &mut Frame, in_message: bool) {
        match n.kind() {
            "call" => {
                let Some(args) = n.child_by_field_id(fields().arguments) else {
                    return;
                };
                if !in_message && let Some(c) = self.raw_clause(n, args, f) {
                    self.out.push(c);
                    return;
                }
                if let Some(sink) = self.sink_of(n) {
                    self.sink_call(n, args, sink, f);
                    return;
                }
                if self.list_append(n, args, f) {
                    return;
                }

                // A string-building call (`"...".format(x)`, `" ".join(...)`) standing alone.
                if !in_message
                    && let Some(v) = self.eval(n, f)
                    && !v.constant_text().trim().is_empty()
                {
                    self.out.push(v.into_candidate(None, None, f.name.clone()));
                    return;
                }
                let name = n
                    .child_by_field_id(fields().function)
                    .map(|c| method_name(self.t(c)).to_string())
                    .unwrap_or_default();
                let message = in_message || is_message_call(&name);
                if let Some(func) = n.child_by_field_id(fields().function) {
                    // `cur.execute(q).fetchall()`: the sink is the receiver.
                    self.visit_expr(func, f, message);
                }
                for a in children(args) {
                    let a = if a.kind() == "keyword_argument" {
                        match a.child_by_field_id(fields().value) {
                            Some(v) => v,
                            None => continue,
                        }
                    } else {
                        a
                    };
                    self.visit_expr(a, f, message);
                }
            }
            "string" | "concatenated_string" | "binary_operator" => {
                if in_message {
                    return;
                }
                if let Some(v) = self
                    .eval(n, f)
                    .filter(|v| !v.constant_text().trim().is_empty())
                {
                    self.out.push(v.into_candidate(None, None, f.name.clone()));
                    return;
                }
                for c in children(n) {
                    self.visit_expr(c, f, in_message);
                }
            }
            "identifier" => {}
            "lambda" | "function_definition" => {}
            _ => {
                for c in children(n) {
                    self.visit_expr(c, f, in_message);
                }
            }
        }
    }

    /// SQLAlchemy `order_by(text(sort))` / `filter(text(cond))` / `literal_column(x)`: a
    /// clause whose whole text is a run-time value (nothing constant to judge, but the
    /// value is SQL by construction).
    fn raw_clause(&self, call: Node, args: Node, f: &Frame) -> Option<Candidate> {
        let name = self.callee_name(call);
        if !matches!(name.as_str(), "text" | "literal_column") {
            return None;
        }
        let arg = children(args).into_iter().next()?;
        if !matches!(
            arg.kind(),
            "identifier" | "attribute" | "subscript" | "call"
        ) || self.eval(arg, f).is_some()
            || self.is_numeric(arg)
        {
            return None;
        }
        let outer = call
            .parent()
            .filter(|p| p.kind() == "argument_list")?
            .parent()?;
        let clause = self.callee_name(outer);
        if !matches!(
            clause.as_str(),
            "order_by" | "group_by" | "filter" | "where" | "having" | "join" | "select_from"
        ) {
            return None;
        }
        let v = Str::hole(
            Hole::Dynamic(format!("{name}() of a run-time value")),
            position(arg, self.src),
        );
        Some(v.into_candidate(Some(clause), None, f.name.clone()))
    }

    /// `xs.append(v)` / `xs.extend([..])` / `xs.insert(i, v)` on a tracked list.
    fn list_append(&mut self, call: Node, args: Node, f: &mut Frame) -> bool {
        let Some(func) = call.child_by_field_id(fields().function) else {
            return false;
        };
        if func.kind() != "attribute" {
            return false;
        }
        let (Some(obj), Some(attr)) = (
            func.child_by_field_id(fields().object),
            func.child_by_field_id(fields().attribute),
        ) else {
            return false;
        };
        let name = self.t(obj).to_string();
        if !f.lists.iter().any(|(n, _)| *n == name) {
            return false;
        }
        let positional: Vec<Node> = children(args)
            .into_iter()
            .filter(|a| a.kind() != "keyword_argument" && a.kind() != "comment")
            .collect();
        let items: Vec<Str> = match (self.t(attr), positional.as_slice()) {
            ("append", [v]) | ("insert", [_, v]) => {
                let item = self.operand(*v, f, "list.append");
                // A whole statement appended to a list of statements is a query in its
                // own right (`scan_file` keeps it only if it reads as SQL).
                if !matches!(v.kind(), "identifier" | "attribute")
                    && !item.constant_text().trim().is_empty()
                {
                    self.out
                        .push(item.clone().into_candidate(None, None, f.name.clone()));
                }
                vec![item]
            }
            ("extend", [v]) if v.kind() == "list" || v.kind() == "tuple" => children(*v)
                .into_iter()
                .map(|c| self.operand(c, f, "list.append"))
                .collect(),
            ("extend", [v]) => vec![self.unknown(*v, "list.extend")],
            _ => return false,
        };
        if let Some((_, l)) = f.lists.iter_mut().find(|(n, _)| *n == name) {
            l.extend(items);
        }
        true
    }

    fn sink_call(&mut self, call: Node, args: Node, sink: String, f: &mut Frame) {
        let all = children(args);
        if method_name(&sink) == "extra" {
            // Django `QuerySet.extra(where=[...], select={...}, tables=[...])`: each
            // fragment is SQL text.
            for a in &all {
                let Some(v) = a.child_by_field_id(fields().value) else {
                    continue;
                };
                let items: Vec<Node> = match v.kind() {
                    "list" | "tuple" => children(v),
                    "dictionary" => children(v)
                        .into_iter()
                        .filter_map(|p| p.child_by_field_id(fields().value))
                        .collect(),
                    _ => Vec::new(),
                };
                for i in items {
                    if let Some(s) = self.eval(i, f) {
                        self.out
                            .push(s.into_candidate(Some(sink.clone()), None, f.name.clone()));
                    }
                }
            }
            return;
        }
        let mut sql_arg = all
            .iter()
            .copied()
            .find(|a| a.kind() != "keyword_argument" && a.kind() != "comment");
        if sql_arg.is_none() {
            // `execute(query=...)`, `execute(operation=...)`, `text(sql=...)`.
            sql_arg = all.iter().copied().find_map(|a| {
                let k = a.child_by_field_id(fields().name)?;
                matches!(
                    self.t(k),
                    "query" | "sql" | "operation" | "statement" | "text"
                )
                .then(|| a.child_by_field_id(fields().value))
                .flatten()
            });
        }
        if let Some(func) = call.child_by_field_id(fields().function) {
            self.visit_expr(func, f, false);
        }
        let Some(sql_arg) = sql_arg else { return };
        let positional: Vec<_> = all
            .iter()
            .copied()
            .filter(|a| a.kind() != "keyword_argument" && a.kind() != "comment")
            .collect();
        let method = call
            .child_by_field_id(fields().function)
            .map(|f| self.t(f).rsplit('.').next().unwrap_or("").to_string())
            .unwrap_or_default();
        // asyncpg passes values as separate arguments (`fetch(sql, a, b)`); DB-API drivers as
        // one sequence or mapping (`execute(sql, (a, b))`). Three or more positional
        // arguments, or asyncpg's fetch methods, can only be the former.
        let asyncpg =
            positional.len() >= 3 || matches!(method.as_str(), "fetch" | "fetchrow" | "fetchval");
        let bind_args = if asyncpg {
            Some(positional.len().saturating_sub(1))
        } else {
            positional.get(1).and_then(|p| match p.kind() {
                "tuple" | "list" | "dictionary" => Some(children(*p).len()),
                _ => None,
            })
        };
        match self.eval(sql_arg, f) {
            Some(v) => {
                if matches!(sql_arg.kind(), "identifier" | "attribute") {
                    let name = self.t(sql_arg).to_string();
                    f.pending.retain(|p| *p != name);
                }
                self.out
                    .push(v.into_candidate(Some(sink), bind_args, f.name.clone()));
            }
            None => self.visit_expr(sql_arg, f, false),
        }
        for a in all.into_iter().skip(1) {
            if a.id() != sql_arg.id() {
                self.visit_expr(a, f, false);
            }
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
                && looks_like_sql(&v.sql())
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
        PythonExtractor.extract(src)
    }

    fn one(src: &str) -> Candidate {
        let c = extract(src);
        assert_eq!(c.len(), 1, "{c:#?}");
        c.into_iter().next().unwrap_or_else(|| unreachable!())
    }

    /// What the scan keeps of a file's candidates (it drops those that reach no sink and do
    /// not read as SQL, such as `return total + 1`).
    fn kept(c: Vec<Candidate>) -> Vec<Candidate> {
        c.into_iter()
            .filter(|c| c.sink.is_some() || looks_like_sql(&c.sql))
            .collect()
    }

    fn whole_extract(src: &str) -> Vec<Candidate> {
        kept(PythonExtractor.extract(src))
    }

    /// Regions of a large file, by the prefilter the scan uses.
    fn region_extract(src: &str) -> (Vec<Candidate>, Option<Vec<std::ops::Range<usize>>>) {
        let p = crate::scan::prefilter::Prefilter::new(Some(PREFILTER))
            .unwrap_or_else(|| unreachable!());
        let hits = p.hits(src);
        let plan = if hits.is_empty() {
            Plan::Skip
        } else {
            plan(src, &hits)
        };
        match plan {
            Plan::Skip => (Vec::new(), None),
            Plan::Whole => (kept(PythonExtractor.extract(src)), None),
            Plan::Regions(r) => (kept(PythonExtractor.extract_regions(src, &r)), Some(r)),
        }
    }

    /// Methods without SQL (decorated, with brackets and a backslash continuation over
    /// several lines), indented for a class body.
    fn methods(n: usize) -> String {
        let mut f = String::new();
        for i in 0..n {
            f.push_str(&format!(
                "\n    @property\n    def m{i}(self):\n        total = (self.X +\n                 {i})\n        return total + \\\n            1\n"
            ));
        }
        f
    }

    /// Statements without SQL that make a file large, with what the
    /// statement splitter must not be fooled by: column-0 text in a triple-quoted string,
    /// decorators, clauses of a compound statement at column 0.
    fn filler() -> String {
        let mut f = String::from(
            "\ntry:\n    import json\nexcept ImportError:\n    json = None\nelse:\n    pass\n\nDOC = \"\"\"\nSELECT * FROM not_a_statement\ndef not_a_function():\n\"\"\"\n",
        );
        f.push_str("class Filler:\n    \"\"\"Docs.\n\nclass NotAClass:\n\"\"\"\n    X = 1\n");
        // Enough that even a fixture of nothing but SQL is less than half of the file.
        f.push_str(&methods(1500));
        f
    }

    #[test]
    fn regions_of_a_large_file_give_the_candidates_of_the_whole_file() {
        let dirs = [
            "fixtures/scan/python",
            "bench/corpus/python",
            "bench/corpus/python/independent",
        ];
        let (mut compared, mut narrowed) = (0, 0);
        for dir in dirs {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            let Ok(entries) = std::fs::read_dir(&root) else {
                continue;
            };
            for e in entries.flatten() {
                let path = e.path();
                if path.extension().and_then(|x| x.to_str()) != Some("py") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                // The fixture as it is (hits judged, parsed whole or skipped), after the
                // filler, and before it.
                for (padded, src) in [
                    (false, text.clone()),
                    (true, format!("{}{text}", filler())),
                    (true, format!("{text}\n{}", filler())),
                ] {
                    let whole = whole_extract(&src);
                    let (parts, r) = region_extract(&src);
                    let only_whole: Vec<_> = whole.iter().filter(|c| !parts.contains(c)).collect();
                    let only_parts: Vec<_> = parts.iter().filter(|c| !whole.contains(c)).collect();
                    assert!(
                        only_whole.is_empty() && only_parts.is_empty(),
                        "{}: only in the whole file {only_whole:#?}, only in the regions {only_parts:#?}",
                        path.display()
                    );
                    if !padded {
                        continue;
                    }
                    if let Some(r) = r {
                        let kept: usize = r.iter().map(|x| x.end - x.start).sum();
                        assert!(kept * 2 < src.len(), "{}", path.display());
                        narrowed += 1;
                    }
                    compared += 1;
                }
            }
        }
        // A file the splitter cannot take apart (or whose hits sit before its first
        // statement) is parsed whole, which is also compared above.
        assert!(narrowed * 2 > compared, "{narrowed} of {compared} narrowed");
        assert!(compared >= 6, "only {compared} files compared");
    }

    /// The uses of a constant whose name starts with another constant's name are found too
    /// (Django: `sql_alter_column` and `sql_alter_column_type`).
    #[test]
    fn a_constant_whose_name_extends_another_is_still_followed() {
        let src = format!(
            "class Editor:\n    sql_alter = \"ALTER TABLE %(table)s %(changes)s\"\n    sql_alter_type = \"ALTER TABLE t ALTER COLUMN %(column)s TYPE %(type)s\"\n{}\n    def retype(self, c, t):\n        return self.sql_alter_type % {{'column': c, 'type': t}}\n",
            methods(400)
        );
        let whole = whole_extract(&src);
        let (parts, r) = region_extract(&src);
        assert!(r.is_some(), "narrowed");
        assert_eq!(parts, whole);
        assert!(
            whole
                .iter()
                .any(|c| matches!(c.construction, Construction::Dynamic { .. })),
            "{whole:#?}"
        );
    }

    /// A large class is narrowed to its constants and the methods that use them (Django's
    /// schema editor: `self.sql_x % {...}` in a method with no SQL of its own).
    #[test]
    fn a_large_class_is_narrowed_to_the_members_that_matter() {
        let src = format!(
            "class Editor:\n    sql_rename = \"ALTER TABLE %(table)s RENAME TO %(new)s\"\n    X = 1\n{}\n    def rename(self, t, n):\n        return self.sql_rename % {{'table': t, 'new': n}}\n\n    def run(self, cur, uid):\n        cur.fetchrow(\"SELECT 1 FROM t WHERE id = $1\", uid)\n",
            methods(400)
        );
        let whole = whole_extract(&src);
        let (parts, r) = region_extract(&src);
        assert_eq!(parts, whole);
        // The constant (a module-level string that reads as SQL, at line 2 of the class),
        // the method's `%` formatting of it, and the fetchrow call.
        assert_eq!(whole.len(), 3, "{whole:#?}");
        let r = r.unwrap_or_else(|| panic!("no regions"));
        let kept: usize = r.iter().map(|x| x.end - x.start).sum();
        assert!(kept * 4 < src.len(), "{kept} of {}", src.len());
    }

    /// A sink's name in a comment, or a SQL example inside a docstring, cannot start a
    /// candidate: a file with only such hits is not parsed. A statement keyword at a
    /// literal's start, and anything inside an f-string's braces, still count.
    #[test]
    fn hits_in_comments_and_docstrings_do_not_count() {
        let p = crate::scan::prefilter::Prefilter::new(Some(PREFILTER))
            .unwrap_or_else(|| unreachable!());
        let plan_of = |src: &str| plan(src, &p.hits(src));
        let docs = "def to_sql(con):\n    \"\"\"Write records.\n\n    >>> with engine.connect() as conn:\n    ...    conn.execute(text(\"SELECT * FROM users\")).fetchall()\n    \"\"\"\n    # cur.execute(q) is left to the caller\n    return con\n";
        assert_eq!(plan_of(docs), Plan::Skip);
        let defs = "class Conn:\n    def execute(self, q):\n        return q\n\n    async def  fetch(self):\n        pass\n";
        assert_eq!(plan_of(defs), Plan::Skip);
        assert!(whole_extract(defs).is_empty());
        assert!(whole_extract(docs).is_empty());
        for live in [
            "Q = \"\"\"\n    SELECT id FROM users\"\"\"\n",
            "def f(cur, n):\n    return f\"{cur.execute('DELETE FROM t WHERE a = ' + n)}\"\n",
            "def g(cur, n):\n    x = rb'a'  # execute(\n    cur.execute(\"UPDATE t SET a = \" + n)\n",
        ] {
            assert_eq!(plan_of(live), Plan::Whole, "{live}");
            assert!(!whole_extract(live).is_empty(), "{live}");
        }
        // In a large file, the function with only a docstring example is left out.
        let src = format!(
            "{}\n{docs}\ndef run(cur):\n    cur.execute(\"SELECT 1 FROM t\")\n",
            filler()
        );
        let (parts, r) = region_extract(&src);
        assert_eq!(parts, whole_extract(&src));
        let r = r.unwrap_or_else(|| panic!("no regions"));
        let to_sql = src.find("def to_sql").unwrap_or_default();
        assert!(r.iter().all(|x| !x.contains(&to_sql)), "{r:?}");
    }

    /// A docstring that starts with a statement keyword ("Insert column into DataFrame"), or
    /// a message call's literal (`_("Select a valid choice")`), cannot be a candidate: such
    /// a file is not parsed. A literal that is joined, formatted or passed on still counts.
    #[test]
    fn keyword_hits_in_docstrings_and_messages_do_not_count() {
        let p = crate::scan::prefilter::Prefilter::new(Some(PREFILTER))
            .unwrap_or_else(|| unreachable!());
        let plan_of = |src: &str| plan(src, &p.hits(src));
        for dead in [
            "def insert(self, loc):\n    \"\"\"\n    Insert column into DataFrame at specified location.\n    \"\"\"\n    return loc\n",
            "class Frame:\n    'Select values at particular time of day.'  # doc\n",
            "ERRORS = {\n    'invalid': _(\n        'Select a valid choice. %(value)s is not one of the choices.'\n    ),\n}\n",
            "def f(x):\n    raise ValueError(\"Truncate requires a sorted index\", x)\n",
            "def g():\n    warnings.warn ('Delete from the table is deprecated')\n",
        ] {
            assert!(!p.hits(dead).is_empty(), "{dead}");
            assert_eq!(plan_of(dead), Plan::Skip, "{dead}");
            assert!(whole_extract(dead).is_empty(), "{dead}");
        }
        for live in [
            "def f(t):\n    \"SELECT * FROM users WHERE name = '%s'\" % t\n",
            "def g(uid):\n    \"SELECT * FROM users WHERE id = {}\".format(uid)\n",
            "Q = _(\"SELECT a FROM t\") or \"SELECT b FROM t WHERE c = 'x'\"\n",
            "x = [  # warn(\n    \"SELECT a FROM t WHERE c = 'x'\",\n]\n",
            "def h(t):\n    log(\"DELETE FROM t WHERE a = \" + t)\n    return \"DELETE FROM t WHERE a = '1'\"\n",
        ] {
            assert_ne!(plan_of(live), Plan::Skip, "{live}");
            assert!(!whole_extract(live).is_empty(), "{live}");
        }
    }

    /// A module or class constant without a hit is parsed only if a kept part names it, to a
    /// fixpoint (`BASE` names `COLS`, which names `TABLE`).
    #[test]
    fn constants_are_kept_when_a_kept_part_names_them() {
        let src = format!(
            "{}\nTABLE = 'users'\nCOLS = 'id, name' if TABLE else ''\nclass Q:\n    BASE = 'SELECT ' + COLS + ' FROM ' + TABLE\n    LIMIT = 10\nUNUSED = 'x' * 3\n\ndef run(cur, n):\n    cur.execute(Q.BASE + ' WHERE id = ' + n)\n",
            filler()
        );
        let (parts, r) = region_extract(&src);
        assert!(!parts.is_empty());
        assert_eq!(parts, whole_extract(&src));
        let r = r.unwrap_or_else(|| panic!("no regions"));
        let kept = |at: &str| {
            let at = src.find(at).unwrap_or_else(|| panic!("{at}"));
            r.iter().any(|x| x.contains(&at))
        };
        for name in ["TABLE =", "COLS =", "BASE =", "class Q"] {
            assert!(kept(name), "{name}");
        }
        assert!(!kept("UNUSED ="));
        assert!(!kept("LIMIT ="));
    }

    #[test]
    fn bound_names_of_plain_assignments_only() {
        let names = |s: &str| bound_names(s).map(|v| v.join(","));
        assert_eq!(names("a = 1\n").as_deref(), Some("a"));
        assert_eq!(names("a, b = c = f(x=1)\n").as_deref(), Some("a,b,c"));
        assert_eq!(names("sql += ' WHERE a = 1'").as_deref(), Some("sql"));
        assert_eq!(names("a = b == c").as_deref(), Some("a"));
        for kept in [
            "x: str = 'a'",
            "d['k'] = 1",
            "obj.attr = 1",
            "setup()",
            "a = 1; b = 2",
            "del x",
        ] {
            assert_eq!(names(kept), None, "{kept}");
        }
    }

    #[test]
    fn every_field_name_is_in_the_grammar() {
        let f = fields();
        for id in [
            f.arguments,
            f.attribute,
            f.body,
            f.expression,
            f.format_specifier,
            f.function,
            f.key,
            f.left,
            f.name,
            f.object,
            f.operator,
            f.right,
            f.value,
        ] {
            assert_ne!(id, 0);
        }
    }

    #[test]
    fn small_or_unsplittable_files_are_parsed_whole() {
        assert_eq!(
            plan("def f(cur):\n    cur.execute('SELECT 1')\n", &[20]),
            Plan::Whole
        );
        // An unterminated triple-quoted string: the statements cannot be told apart.
        let src = format!("{}\nx = '''never closed\n", filler());
        assert_eq!(plan(&src, &[src.len() - 5]), Plan::Whole);
    }

    #[test]
    fn literal_with_placeholders_is_constant() {
        let c = one(
            "def f(cur, uid):\n    cur.execute(\"SELECT * FROM users WHERE id = %s\", (uid,))\n",
        );
        assert_eq!(c.construction, Construction::Constant);
        assert_eq!(c.sql, "SELECT * FROM users WHERE id = %s");
        assert_eq!(c.sink.as_deref(), Some("cur.execute"));
        assert_eq!(c.bind_args, Some(1));
        assert_eq!((c.line, c.column), (2, 17));
        assert_eq!(c.function.as_deref(), Some("f"));
    }

    #[test]
    fn fstring_with_a_parameter_is_dynamic() {
        let c = one(
            "def f(cur, name):\n    q = f\"SELECT * FROM users WHERE name = '{name}'\"\n    cur.execute(q)\n",
        );
        assert_eq!(
            c.construction,
            Construction::Dynamic {
                how: "f-string".into()
            }
        );
        assert_eq!(c.line, 2);
        assert_eq!(c.sql, "SELECT * FROM users WHERE name = '__zg_dyn_0__'");
    }

    #[test]
    fn constant_folding() {
        let src = "TABLE = 'users'\nCOLS = 'id, name'\n\ndef f(cur):\n    cur.execute('SELECT ' + COLS + ' FROM ' + TABLE)\n    cur.execute(f'SELECT {COLS} FROM {TABLE} WHERE id = %s', (1,))\n    cur.execute('SELECT %s FROM users' % COLS)\n    cur.execute('SELECT {} FROM {}'.format(COLS, TABLE))\n";
        let c = extract(src);
        assert_eq!(c.len(), 4, "{c:#?}");
        assert!(
            c.iter().all(|c| c.construction == Construction::Constant),
            "{c:#?}"
        );
        assert_eq!(c[0].sql, "SELECT id, name FROM users");
        assert_eq!(c[1].sql, "SELECT id, name FROM users WHERE id = %s");
    }

    #[test]
    fn every_building_construct_is_dynamic() {
        let src = "def f(cur, x):\n    cur.execute('SELECT * FROM users WHERE name = ' + x)\n    cur.execute('SELECT * FROM users WHERE name = %s' % x)\n    cur.execute('SELECT * FROM users WHERE name = {}'.format(x))\n    cur.execute(\"SELECT * FROM users WHERE id IN (%s)\" % \",\".join(x))\n";
        let hows: Vec<String> = extract(src)
            .into_iter()
            .map(|c| match c.construction {
                Construction::Dynamic { how } => how,
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            hows,
            vec!["concatenation", "%-formatting", ".format()", "%-formatting"]
        );
    }

    #[test]
    fn plus_equals_builder() {
        let c = one(
            "def f(cur, name):\n    q = 'SELECT * FROM users WHERE 1=1'\n    if name:\n        q += \" AND name = '\" + name + \"'\"\n    cur.execute(q)\n",
        );
        assert!(
            matches!(c.construction, Construction::Dynamic { .. }),
            "{c:#?}"
        );
        assert_eq!(c.line, 2);
    }

    #[test]
    fn safe_apis_and_numbers() {
        let src = "from psycopg import sql\n\ndef f(cur, t, n, ids):\n    cur.execute(sql.SQL('SELECT * FROM {} WHERE id = %s').format(sql.Identifier(t)), (1,))\n    cur.execute('SELECT * FROM users LIMIT %d' % n)\n    cur.execute(f'SELECT * FROM users LIMIT {int(n)}')\n    cur.execute('SELECT * FROM users WHERE id IN (%s)' % ','.join(['%s'] * len(ids)), ids)\n";
        let c = extract(src);
        assert_eq!(c.len(), 4, "{c:#?}");
        for x in &c {
            assert!(
                matches!(x.construction, Construction::SafeIdentifier { .. }),
                "{x:#?}"
            );
        }
    }

    #[test]
    fn docstrings_messages_and_parameters_are_not_candidates() {
        let src = "def f(cur, query, x):\n    \"\"\"Select rows from the table where x.\"\"\"\n    log.info(f'SELECT from {x} failed')\n    cur.execute(query)\n    raise ValueError('select from where ' + x)\n";
        assert!(extract(src).is_empty(), "{:#?}", extract(src));
    }

    #[test]
    fn unconsumed_sql_variables_and_returns_are_candidates() {
        let src = "def build(x):\n    return 'SELECT * FROM users WHERE id = ' + x\n\ndef g(x):\n    q = f'DELETE FROM users WHERE id = {x}'\n    run(q)\n";
        let c = extract(src);
        assert_eq!(c.len(), 2, "{c:#?}");
        assert_eq!((c[0].line, c[1].line), (2, 5));
        assert!(c.iter().all(|c| c.sink.is_none()));
    }

    #[test]
    fn allow_lists_lists_and_clauses() {
        let src = r#"SORT = {"name": "name", "new": "created_at DESC"}
COLS = ("id", "name")

def safe_dict(cur, key):
    col = SORT.get(key, "id")
    cur.execute("SELECT id FROM users ORDER BY " + col)

def safe_membership(cur, col):
    col = col if col in COLS else "id"
    cur.execute(f"SELECT {col} FROM users")

def safe_loop(cur, args):
    where = []
    params = []
    for key, column in SORT.items():
        where.append(column + " = %s")
        params.append(args[key])
    cur.execute("SELECT id FROM users WHERE " + " AND ".join(where), params)

def vuln_list(cur, args):
    where = []
    for k, v in args.items():
        where.append("%s = '%s'" % (k, v))
    cur.execute("SELECT id FROM users WHERE " + " AND ".join(where))

def vuln_dict_default(cur, key):
    col = SORT.get(key, key)
    cur.execute("SELECT id FROM users ORDER BY " + col)

def vuln_text(session, sort):
    return session.query(User).order_by(text(sort))
"#;
        let got: Vec<(Option<String>, bool)> = extract(src)
            .into_iter()
            .filter(|c| c.sink.is_some())
            .map(|c| {
                let dynamic = matches!(c.construction, Construction::Dynamic { .. });
                (c.function, dynamic)
            })
            .collect();
        let expect = |f: &str, d: bool| (Some(f.to_string()), d);
        assert_eq!(
            got,
            vec![
                expect("safe_dict", false),
                expect("safe_membership", false),
                expect("safe_loop", false),
                expect("vuln_list", true),
                expect("vuln_dict_default", true),
                expect("vuln_text", true),
            ]
        );
    }

    #[test]
    fn long_chains_and_deep_nesting_are_bounded() {
        let chain: Vec<String> = (0..3000).map(|i| format!("a{i}")).collect();
        let src = format!(
            "def f(cur):\n    x = {}\n    cur.execute('SELECT 1 FROM t WHERE a = ' + x)\n",
            chain.join(" + ")
        );
        let c = extract(&src);
        assert_eq!(c.len(), 1);
        let nested = format!("x = {}1{}\n", "(".repeat(3000), ")".repeat(3000));
        let _ = extract(&nested);
    }

    #[test]
    fn broken_source_does_not_panic() {
        for src in [
            "def (:\n  cur.execute(f'SELECT {",
            "\"\"\"",
            "x = '\\",
            "cur.execute(",
            "f'{'",
        ] {
            let _ = extract(src);
        }
    }
}
