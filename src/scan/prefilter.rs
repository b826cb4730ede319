//! A cheap pass over a source file's bytes that decides whether parsing it can yield a
//! candidate at all, like ripgrep's literal prefilter: most files of a large repository
//! hold no SQL, and a tree-sitter parse costs far more than this search.
//!
//! A candidate either reaches a sink call (so the file names the sink, followed by `(`) or
//! its text reads as a SQL statement (`looks_like_sql`), which means some string starts
//! with a statement keyword: a quote character, then only whitespace, `(` or escaped
//! newlines/tabs, then the keyword. The test is a superset of both, so skipping a file that
//! fails it loses nothing the extractors would report. It never decides what is SQL.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::candidate::looks_like_sql;

/// Statement keywords a SQL string can start with (as in `looks_like_sql`).
const KEYWORDS: &[&str] = &[
    "select", "insert", "update", "delete", "with", "merge", "upsert", "replace", "create",
    "alter", "drop", "truncate", "copy", "grant", "revoke", "explain", "call",
];

/// How far after a keyword `looks_like_sql` may look for the word the statement needs;
/// raw source text, so the next literals of a concatenation are included.
const WINDOW: usize = 240;

pub struct Prefilter {
    sinks: AhoCorasick,
}

impl Prefilter {
    /// `None` when the extractor declared no sinks (or the automata cannot be built): then
    /// there is no prefilter and every file is parsed.
    pub fn new(sinks: &[&str]) -> Option<Prefilter> {
        if sinks.is_empty() {
            return None;
        }
        // Leftmost-longest: `fetch` must not hide `fetchrow(` (standard semantics report the
        // shorter name, and the call test after it then fails).
        let sinks = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(sinks)
            .ok()?;
        Some(Prefilter { sinks })
    }

    /// False only when no candidate can come out of this text.
    #[cfg(test)]
    pub fn may_hold_sql(&self, text: &str) -> bool {
        !self.hits(text, true).is_empty()
    }

    /// Byte offsets of every place a candidate can come from (a sink call, a string that
    /// starts like a SQL statement), in no particular order; with `first_only`, at most one.
    /// Empty: no candidate can come out of this text.
    pub fn hits(&self, text: &str, first_only: bool) -> Vec<usize> {
        let mut out = Vec::new();
        let sinks = &self.sinks;
        let bytes = text.as_bytes();
        for m in sinks.find_iter(text) {
            let before_ok = m.start() == 0 || !is_ident(bytes[m.start() - 1]);
            let rest = &bytes[m.end()..];
            let skip = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
            // `execute(`, `query!(`, `Query(`; not `executed` or `query_cache`.
            let call = matches!(
                rest.get(skip),
                Some(b'(') | Some(b'!') | Some(b'<') | Some(b'`')
            );
            if before_ok && call {
                out.push(m.start());
                if first_only {
                    return out;
                }
            }
        }
        // A statement keyword starts a string: after a quote and only whitespace, `(` or
        // escaped whitespace. Quotes are found with SIMD (memchr); a case-insensitive
        // keyword automaton over every byte cost more than the rest of the prefilter.
        for q in memchr::memchr3_iter(b'"', b'\'', b'`', bytes) {
            let Some(start) = after_quote_skip(bytes, q + 1) else {
                continue;
            };
            let Some(kw) = keyword_at(&bytes[start..]) else {
                continue;
            };
            let end = start + kw.len();
            // A statement keyword is followed by whitespace (or an escaped one): a lone
            // word such as "select" or "update" in quotes is not a statement.
            if !matches!(bytes.get(end), Some(b' ' | b'\t' | b'\n' | b'\r' | b'\\')) {
                continue;
            }
            let hit = if kw == "select" {
                // `"SELECT *" + " FROM t"`: the needed word may be in a later literal.
                true
            } else {
                let mut stop = (start + WINDOW).min(text.len());
                while !text.is_char_boundary(stop) {
                    stop -= 1;
                }
                // Escaped whitespace in the source reads as whitespace in the string.
                let window = text[start..stop]
                    .replace("\\n", " ")
                    .replace("\\t", " ")
                    .replace("\\r", " ");
                looks_like_sql(&window)
            };
            if hit {
                out.push(start);
                if first_only {
                    return out;
                }
            }
        }
        out
    }
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Where a string's text starts after its opening quote once whitespace, `(` and the
/// escapes `\n`, `\r`, `\t` are skipped (at most 64 of them, as a bound on odd input).
fn after_quote_skip(b: &[u8], mut i: usize) -> Option<usize> {
    for _ in 0..64 {
        match b.get(i)? {
            b' ' | b'\t' | b'\n' | b'\r' | b'(' => i += 1,
            b'\\' if matches!(b.get(i + 1), Some(b'n' | b'r' | b't')) => i += 2,
            _ => return Some(i),
        }
    }
    None
}

/// The statement keyword (lower case) that `b` starts with, in any letter case.
fn keyword_at(b: &[u8]) -> Option<&'static str> {
    let first = b.first()?.to_ascii_lowercase();
    KEYWORDS.iter().copied().find(|k| {
        k.as_bytes()[0] == first
            && b.len() >= k.len()
            && b[..k.len()].eq_ignore_ascii_case(k.as_bytes())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pf() -> Prefilter {
        Prefilter::new(&["execute", "Query"]).unwrap_or_else(|| unreachable!())
    }

    #[test]
    fn keeps_files_that_may_hold_sql() {
        let p = pf();
        assert!(p.may_hold_sql("x = \"SELECT *\" + \" FROM t\""));
        assert!(p.may_hold_sql("q = f'''\n    update users set a = 1'''"));
        assert!(p.may_hold_sql("s := `\\n\\tDELETE FROM t`"));
        assert!(p.may_hold_sql("s = (\"( insert into t values (1)\")"));
        assert!(p.may_hold_sql("s = 'DELETE\\nFROM t'"));
        assert!(p.may_hold_sql("cur.execute(q)"));
        assert!(p.may_hold_sql("rows, err := db.Query (q)"));
        // A sink whose name starts with another sink's.
        let p = Prefilter::new(&["fetch", "fetchrow"]).unwrap_or_else(|| unreachable!());
        assert!(p.may_hold_sql("await conn.fetchrow(q)"));
    }

    #[test]
    fn skips_files_that_cannot() {
        let p = pf();
        assert!(!p.may_hold_sql("d.update(x)\nprint('Update your profile')"));
        assert!(!p.may_hold_sql("selected = items.select_related('a')"));
        assert!(!p.may_hold_sql("self.executed = True; query_cache = {}"));
        assert!(!p.may_hold_sql("msg = 'delete the file'"));
    }

    #[test]
    fn no_sinks_means_no_filter() {
        // No prefilter: the scan parses every file of such a language.
        assert!(Prefilter::new(&[]).is_none());
    }
}
