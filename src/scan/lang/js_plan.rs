//! What to parse of a JavaScript/TypeScript file. A prefilter hit in a comment, or inside
//! a plain string literal anywhere but a statement keyword at the literal's start, cannot
//! start a candidate (the walker never reads comments, and a plain literal holds no call):
//! a file with only such hits is not parsed (vendored libraries name `query` in their
//! comments and messages). Any other file is parsed whole, and so is a file this lexer
//! cannot follow: JSX or a TypeScript `<T>` assertion (a `<` where an operand belongs), or a
//! comment, template literal or substitution still open at the end.
//!
//! Template literals are followed (their `${}` parts are code) but never opaque: like a
//! Python f-string, their text is built at run time. A regular expression is told from a
//! division by the token before the `/` (the usual lexer rule); after `)` or `}` either can
//! follow (`if (x) /'/.test(s)`, `(a + b) / 2`), so the `/` is read as a division and a
//! quote, backtick or comment later on that line makes the lexer give up. Regex bodies are
//! never opaque, and a regex never spans lines (one that does not close on its line was a
//! division), so a misread `/` cannot hide a hit.

use super::common::{Opaque, outside_opaque};
use crate::scan::candidate::Plan;

struct Lexed {
    /// In file order.
    opaque: Vec<Opaque>,
    /// Function bodies (`{` to `}`) known as such: after `=>`, or after the parameters
    /// of `function name(...)`. A method's body is taken for a block.
    functions: Vec<std::ops::Range<usize>>,
}

/// The token before a `{`, as far as telling a function body goes.
#[derive(Clone, Copy)]
enum Prev {
    Arrow,
    /// `)`, with the position of its `(`.
    Close(usize),
    Other,
}

pub(crate) fn plan(source: &str, hits: &[usize]) -> Plan {
    if super::javascript::is_minified(source) {
        return Plan::Skip;
    }
    let b = source.as_bytes();
    let Some(Lexed { opaque, functions }) = lex(b) else {
        return Plan::Whole;
    };
    if hits
        .iter()
        .any(|&h| outside_opaque(b, &opaque, h) && !unknown_argument(b, h, &functions))
    {
        Plan::Whole
    } else {
        Plan::Skip
    }
}

/// Whether the hit at `h` is a call `name(x)` or `name(x, ...)` whose first argument is a
/// bare name that no assignment the call can see gives a value: the walker sees no string
/// in `x` (a parameter, an import, a global), so the call yields no candidate, whatever
/// `name` is. Its other arguments are code whose candidates have hits of their own.
/// An assignment is `x` followed by `=`, `:` (a typed declaration) or an operator and `=`,
/// anywhere (in strings and comments too), unless it sits inside a function body that
/// does not hold the call.
fn unknown_argument(b: &[u8], h: usize, functions: &[std::ops::Range<usize>]) -> bool {
    if opens_literal(b, h) {
        // A statement keyword at a string's start (`"SELECT (total) FROM t"`), not a call.
        return false;
    }
    let skip_ws = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    let mut i = h;
    while b.get(i).copied().is_some_and(is_ident) {
        i += 1;
    }
    i = skip_ws(i);
    if b.get(i) != Some(&b'(') {
        return false;
    }
    let start = skip_ws(i + 1);
    if !b.get(start).copied().is_some_and(is_ident_start) {
        return false;
    }
    let mut end = start;
    while b.get(end).copied().is_some_and(is_ident) {
        end += 1;
    }
    let name = &b[start..end];
    if matches!(name, b"this" | b"super" | b"null" | b"true" | b"false")
        || !matches!(b.get(skip_ws(end)), Some(b',' | b')'))
    {
        return false;
    }
    for p in memchr::memmem::find_iter(b, name) {
        let whole = (p == 0 || !is_ident(b[p - 1]))
            && !b.get(p + name.len()).copied().is_some_and(is_ident);
        if !whole {
            continue;
        }
        let after = skip_ws(p + name.len());
        let assigns = match b.get(after) {
            Some(b':') => true,
            Some(b'=') => b.get(after + 1) != Some(&b'='),
            Some(c) if b"+-*/%&|^?<>!".contains(c) => b
                .get(after + 1..(after + 4).min(b.len()))
                .is_some_and(|w| w.contains(&b'=')),
            _ => false,
        };
        let hidden = functions.iter().any(|f| f.contains(&p) && !f.contains(&h));
        if assigns && !hidden {
            return false;
        }
    }
    true
}

/// Whether only a quote and what the prefilter's keyword rule allows after one
/// (whitespace, `(`, escaped line ends and tabs) stand before `h`.
fn opens_literal(b: &[u8], h: usize) -> bool {
    let mut i = h;
    while i > 0 {
        match b[i - 1] {
            b' ' | b'\t' | b'\n' | b'\r' | b'(' => i -= 1,
            b'n' | b'r' | b't' if i >= 2 && b[i - 2] == b'\\' => i -= 2,
            b'"' | b'\'' | b'`' => return true,
            _ => return false,
        }
    }
    false
}

/// Words after which a `/` starts a regular expression (`return /x/.test(s)`).
const BEFORE_REGEX: &[&[u8]] = &[
    b"return",
    b"typeof",
    b"instanceof",
    b"in",
    b"of",
    b"new",
    b"delete",
    b"void",
    b"throw",
    b"case",
    b"do",
    b"else",
    b"yield",
    b"await",
];

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c >= 0x80
}

fn is_ident(c: u8) -> bool {
    is_ident_start(c) || c.is_ascii_digit()
}

/// Whether the parameters opening at `open` follow `function` or `function name`.
fn after_function_keyword(b: &[u8], open: usize) -> bool {
    let word_before = |end: usize| {
        let end = b[..end]
            .iter()
            .rposition(|c| !c.is_ascii_whitespace())
            .map_or(0, |p| p + 1);
        let start = b[..end]
            .iter()
            .rposition(|c| !is_ident(*c))
            .map_or(0, |p| p + 1);
        (start, &b[start..end])
    };
    let (start, word) = word_before(open);
    word == b"function" || (!word.is_empty() && word_before(start).1 == b"function")
}

/// Comments, plain string literals and function bodies; `None` where the file needs a
/// parser.
fn lex(b: &[u8]) -> Option<Lexed> {
    let mut out = Vec::new();
    let mut functions = Vec::new();
    // Open `(`s; open `{`s with whether each opens a function body.
    let mut parens: Vec<usize> = Vec::new();
    let mut braces: Vec<(usize, bool)> = Vec::new();
    let mut prev = Prev::Other;
    // One entry per open template substitution: its `{` depth.
    let mut substitutions: Vec<usize> = Vec::new();
    // The last token ends an operand: a `/` divides, a `<` compares.
    let mut operand = false;
    // The last token is `)` or `}`: a `/` may start a regex as well as divide.
    let mut ambiguous = false;
    // Up to here (the end of a line with an ambiguous `/`) a quote or comment is not
    // followed: the lexer gives up.
    let mut unsure_until = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let closes = matches!(c, b')' | b'}');
        if i < unsure_until
            && (matches!(c, b'\'' | b'"' | b'`')
                || (c == b'/' && matches!(b.get(i + 1), Some(b'/' | b'*'))))
        {
            return None;
        }
        match c {
            b'/' if matches!(b.get(i + 1), Some(b'/' | b'*')) => {
                let end = if b[i + 1] == b'/' {
                    memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |p| i + p)
                } else {
                    i + 2 + memchr::memmem::find(&b[i + 2..], b"*/")? + 2
                };
                out.push(Opaque {
                    start: i,
                    end,
                    comment: true,
                    inert: false,
                });
                // A comment is no token: what it follows still decides a `/`.
                i = end;
                continue;
            }
            b'/' if ambiguous => {
                unsure_until = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |p| i + p);
                operand = false;
                i += 1;
            }
            b'/' if !operand => match regex_end(b, i + 1) {
                Some(end) => {
                    i = end;
                    operand = true;
                }
                None => i += 1,
            },
            b'\'' | b'"' => {
                let end = string_end(b, i + 1, c);
                out.push(Opaque {
                    start: i + 1,
                    end,
                    comment: false,
                    inert: false,
                });
                i = end;
                operand = true;
            }
            b'`' => {
                let (end, open) = template_text(b, i + 1)?;
                i = end;
                operand = !open;
                if open {
                    substitutions.push(0);
                }
            }
            b'{' => {
                if let Some(d) = substitutions.last_mut() {
                    *d += 1;
                }
                let function = match prev {
                    Prev::Arrow => true,
                    Prev::Close(open) => after_function_keyword(b, open),
                    Prev::Other => false,
                };
                braces.push((i, function));
                operand = false;
                i += 1;
            }
            b'}' => {
                match substitutions.last_mut() {
                    Some(0) => {
                        // The substitution closes: back in the template's text.
                        substitutions.pop();
                        let (end, open) = template_text(b, i + 1)?;
                        i = end;
                        operand = !open;
                        if open {
                            substitutions.push(0);
                        }
                        ambiguous = false;
                        prev = Prev::Other;
                        continue;
                    }
                    Some(d) => *d -= 1,
                    None => {}
                }
                if let (open, true) = braces.pop()? {
                    functions.push(open..i + 1);
                }
                operand = true;
                i += 1;
            }
            b'(' => {
                parens.push(i);
                operand = false;
                i += 1;
            }
            b')' => {
                prev = Prev::Close(parens.pop()?);
                operand = true;
                i += 1;
                ambiguous = true;
                continue;
            }
            b']' => {
                operand = true;
                i += 1;
            }
            b'=' if b.get(i + 1) == Some(&b'>') => {
                prev = Prev::Arrow;
                operand = false;
                i += 2;
                ambiguous = false;
                continue;
            }
            b'<' if !operand
                && b.get(i + 1)
                    .is_some_and(|&n| is_ident_start(n) || n == b'>') =>
            {
                // JSX, or a TypeScript assertion or generic arrow function.
                return None;
            }
            c if is_ident_start(c) => {
                let start = i;
                while i < b.len() && is_ident(b[i]) {
                    i += 1;
                }
                operand = !BEFORE_REGEX.contains(&&b[start..i]);
            }
            c if c.is_ascii_digit() => {
                while i < b.len() && (is_ident(b[i]) || b[i] == b'.') {
                    i += 1;
                }
                operand = true;
            }
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            _ => {
                operand = false;
                i += 1;
            }
        }
        if !matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
            ambiguous = closes;
            prev = Prev::Other;
        }
    }
    (substitutions.is_empty() && braces.is_empty() && parens.is_empty()).then_some(Lexed {
        opaque: out,
        functions,
    })
}

/// Just past a regular expression whose body starts at `i` (and its flags); `None` if the
/// line ends first (then the `/` was a division).
fn regex_end(b: &[u8], mut i: usize) -> Option<usize> {
    let mut class = false;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'\n' | b'\r' => return None,
            b'[' => {
                class = true;
                i += 1;
            }
            b']' => {
                class = false;
                i += 1;
            }
            b'/' if !class => {
                i += 1;
                while i < b.len() && is_ident(b[i]) {
                    i += 1;
                }
                return Some(i);
            }
            _ => i += 1,
        }
    }
    None
}

/// Just past the quote that closes a string whose text starts at `i`; at the line end if
/// it does not close (an escaped line end continues it).
fn string_end(b: &[u8], mut i: usize, q: u8) -> usize {
    while i < b.len() {
        match memchr::memchr3(b'\\', q, b'\n', &b[i..]) {
            Some(p) => i += p,
            None => return b.len(),
        }
        match b[i] {
            b'\\' => i += 2,
            b'\n' => return i,
            _ => return i + 1,
        }
    }
    b.len()
}

/// From inside a template literal's text at `i`: just past its closing backtick
/// (`false`), or just past a `${` that opens a substitution (`true`). `None` if it never
/// closes.
fn template_text(b: &[u8], mut i: usize) -> Option<(usize, bool)> {
    while i < b.len() {
        i += memchr::memchr3(b'`', b'\\', b'$', &b[i..])?;
        match b[i] {
            b'`' => return Some((i + 1, false)),
            b'\\' => i += 2,
            _ if b.get(i + 1) == Some(&b'{') => return Some((i + 2, true)),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::candidate::Extractor;
    use crate::scan::lang::javascript::JavaScriptExtractor;
    use crate::scan::prefilter::Prefilter;

    fn plan_of(src: &str) -> Plan {
        let p = Prefilter::new(JavaScriptExtractor.sinks()).unwrap_or_else(|| unreachable!());
        let hits = p.hits(src);
        assert!(!hits.is_empty(), "no hit in {src}");
        plan(src, &hits)
    }

    /// Sinks named in comments and messages (select2's "The `query` method must be
    /// defined", xregexp's "a literal `$1`") do not make a file parsed; the walker agrees
    /// that nothing comes out of them.
    #[test]
    fn hits_in_comments_and_plain_strings_do_not_count() {
        for dead in [
            "// call db.query(sql) yourself\nfunction f(x) { return x; }\n",
            "/* db.query(`SELECT 1`)\n   is left to the caller */\nvar a = 1;\n",
            "throw new Error('The `query` method must be defined in child classes.');\n",
            "var s = \"use db.execute(q) to run it\";\nvar r = /['`]/g;\n",
            "const t = `a ${'db.query(x)'} b`; // literal `$1`\n",
            "var a = b / c; var d = 'x'; // db.query(q)\n",
        ] {
            assert_eq!(plan_of(dead), Plan::Skip, "{dead}");
            assert!(JavaScriptExtractor.extract(dead).is_empty(), "{dead}");
        }
        for live in [
            "db.query(\"SELECT * FROM users WHERE id = \" + id);\n",
            "var q = '  SELECT * FROM users WHERE id = ' + id; run(q);\n",
            "var r = x / 2; db.query(`DELETE FROM t WHERE a = ${a}`);\n",
            "var r = /'/.test(s); db.query(\"UPDATE t SET a = \" + a);\n",
            "if (ok) /'/.test(s); db.query(\"UPDATE t SET a = \" + a);\n",
            "const t = `${db.query('DELETE FROM t WHERE a = ' + a)}`;\n",
        ] {
            assert_eq!(plan_of(live), Plan::Whole, "{live}");
            assert!(!JavaScriptExtractor.extract(live).is_empty(), "{live}");
        }
    }

    /// Where a lexer cannot follow the file (JSX text with an apostrophe, an unclosed
    /// template), the file is parsed whole.
    #[test]
    fn what_a_lexer_cannot_follow_is_parsed_whole() {
        for src in [
            "const A = () => <p>Don't db.query(x)</p>;\n",
            "// db.query(q)\nconst t = `never closed\n",
            "/* db.query(q)\n",
        ] {
            assert_eq!(plan_of(src), Plan::Whole, "{src}");
        }
    }

    /// A one-line bundle (select2.full.min.js: 79 KB, one line) is not read; a short
    /// one-line module is.
    #[test]
    fn minified_bundles_are_skipped() {
        let call = "db.query('SELECT * FROM users WHERE id = ' + id);";
        let bundle = format!("!function(){{{}}}();\n", call.repeat(400));
        assert!(bundle.len() > 16 * 1024);
        assert_eq!(plan_of(&bundle), Plan::Skip);
        assert_eq!(plan_of(call), Plan::Whole);
        assert!(!JavaScriptExtractor.extract(call).is_empty());
    }

    /// select2's `this.dataAdapter.query(params, ...)`: `params` is a parameter, and the
    /// only `params = ...` lies in another function, so nothing comes out of the call.
    /// An assignment the call can see (before it, in an enclosing function, in a method or
    /// block this lexer does not take for a function) keeps the file.
    #[test]
    fn calls_on_a_name_no_visible_assignment_gives_are_not_parsed() {
        let dead = "(function () {\n  S.prototype.query = function (params) {\n    this.dataAdapter.query(params, function (data) { show(data); });\n  };\n  function other() { var params = slice.call(arguments, 1); return params; }\n  var f = (params) => { params = params || {}; };\n})();\n";
        assert_eq!(plan_of(dead), Plan::Skip);
        assert!(JavaScriptExtractor.extract(dead).is_empty());
        for live in [
            "function run(db, a) {\n  var params = 'SELECT * FROM t WHERE a = ' + a;\n  db.query(params);\n}\n",
            "function outer(a) {\n  var q = 'DELETE FROM t WHERE a = ' + a;\n  return function () { db.query(q); };\n}\n",
            "class R {\n  run(a) {\n    let q: string = `UPDATE t SET a = ${a}`;\n    return this.db.query(q);\n  }\n}\n",
            "let q;\nif (a) { q = 'DELETE FROM t WHERE a = ' + a; }\ndb.query(q);\n",
            // A statement keyword opening a string is no call, whatever follows it.
            "var q = \"SELECT (total) FROM t WHERE a = \" + a; run(q);\n",
            "var q = `DELETE (x) FROM t WHERE a = ${a}`; run(q);\n",
        ] {
            assert_eq!(plan_of(live), Plan::Whole, "{live}");
            assert!(!JavaScriptExtractor.extract(live).is_empty(), "{live}");
        }
    }
}
