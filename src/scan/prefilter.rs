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
    keywords: AhoCorasick,
    sinks: AhoCorasick,
}

impl Prefilter {
    /// `None` when the extractor declared no sinks (or the automata cannot be built): then
    /// there is no prefilter and every file is parsed.
    pub fn new(sinks: &[&str]) -> Option<Prefilter> {
        if sinks.is_empty() {
            return None;
        }
        // A DFA: the keywords are searched over every byte of every candidate file, and
        // case-insensitive patterns leave no fast literal prefilter (measured: the default
        // automaton was ~6% of a large scan).
        let keywords = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .match_kind(MatchKind::Standard)
            .build(KEYWORDS)
            .ok()?;
        // Leftmost-longest: `fetch` must not hide `fetchrow(` (standard semantics report the
        // shorter name, and the call test after it then fails).
        let sinks = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(sinks)
            .ok()?;
        Some(Prefilter { keywords, sinks })
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
        for m in self.keywords.find_iter(text) {
            // A statement keyword is followed by whitespace (or an escaped one): a lone
            // word such as "select" or "update" in quotes is not a statement.
            if !matches!(
                bytes.get(m.end()),
                Some(b' ' | b'\t' | b'\n' | b'\r' | b'\\')
            ) {
                continue;
            }
            if !after_quote(&bytes[..m.start()]) {
                continue;
            }
            let kw = &text[m.start()..m.end()];
            let hit = if kw.eq_ignore_ascii_case("select") {
                // `"SELECT *" + " FROM t"`: the needed word may be in a later literal.
                true
            } else {
                let mut end = (m.start() + WINDOW).min(text.len());
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                // Escaped whitespace in the source reads as whitespace in the string.
                let window = text[m.start()..end]
                    .replace("\\n", " ")
                    .replace("\\t", " ")
                    .replace("\\r", " ");
                looks_like_sql(&window)
            };
            if hit {
                out.push(m.start());
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

/// Whether the text before a keyword ends with a quote followed only by whitespace, `(`,
/// or the escapes `\n`, `\r`, `\t`.
fn after_quote(before: &[u8]) -> bool {
    let mut i = before.len();
    let mut steps = 0;
    while i > 0 && steps < 64 {
        steps += 1;
        let b = before[i - 1];
        match b {
            b'"' | b'\'' | b'`' => return true,
            b' ' | b'\t' | b'\n' | b'\r' | b'(' => i -= 1,
            b'n' | b'r' | b't' if i >= 2 && before[i - 2] == b'\\' => i -= 2,
            _ => return false,
        }
    }
    false
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
