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

use super::candidate::{Sinks, looks_like_sql};
use super::lang::common::skip_literal_lead;

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
    /// Patterns from this index on are `Sinks::receiver_names`.
    receiver_from: usize,
    receiver_words: &'static [&'static str],
    call_marks: &'static [u8],
}

/// How far back a receiver that does not end in a name is read for its last segment.
const RECEIVER_WINDOW: usize = 256;

impl Prefilter {
    /// `None` when the extractor declared no sinks (or the automaton cannot be built): then
    /// there is no prefilter and every file is parsed.
    pub fn new(sinks: Option<Sinks>) -> Option<Prefilter> {
        let sinks = sinks?;
        let mut patterns: Vec<&str> = sinks.names.iter().flat_map(|l| l.iter().copied()).collect();
        let receiver_from = patterns.len();
        patterns.extend(sinks.receiver_names);
        if patterns.is_empty() {
            return None;
        }
        // Leftmost-longest: `fetch` must not hide `fetchrow(` (standard semantics report the
        // shorter name, and the call test after it then fails).
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .ok()?;
        Some(Prefilter {
            sinks: automaton,
            receiver_from,
            receiver_words: sinks.receiver_words,
            call_marks: sinks.call_marks,
        })
    }

    /// Whether the bytes after a sink's name make it a call: whitespace, then `(` or one
    /// of the language's call marks in its full form (`?.(`, `::`).
    fn is_call(&self, rest: &[u8]) -> bool {
        let skip = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let rest = &rest[skip..];
        match rest.first() {
            Some(b'(') => true,
            Some(&c) if self.call_marks.contains(&c) => match c {
                b'?' => rest.starts_with(b"?.("),
                b':' => rest.starts_with(b"::"),
                _ => true,
            },
            _ => false,
        }
    }

    /// Whether a receiver-bound sink's receiver may be named like a database handle: the
    /// call is a member call (`recv.name(`) and the receiver's last segment (what follows
    /// its last `.` or `:`, the extractor's receiver name) holds a database-handle word. A
    /// receiver ending in a name is that name (member access binds tightest); any other
    /// (`getDb().all(`) is read back to the previous `.` or `:`, a superset.
    fn receiver_ok(&self, bytes: &[u8], start: usize) -> bool {
        let mut i = start;
        while i > 0 && bytes[i - 1].is_ascii_whitespace() {
            i -= 1;
        }
        if i == 0 || bytes[i - 1] != b'.' {
            return false;
        }
        i -= 1;
        if i > 0 && bytes[i - 1] == b'?' {
            i -= 1;
        }
        while i > 0 && bytes[i - 1].is_ascii_whitespace() {
            i -= 1;
        }
        let end = i;
        let segment = if end > 0 && is_ident(bytes[end - 1]) {
            let from = bytes[..end]
                .iter()
                .rposition(|b| !is_ident(*b))
                .map_or(0, |p| p + 1);
            &bytes[from..end]
        } else {
            let from = end.saturating_sub(RECEIVER_WINDOW);
            match bytes[from..end]
                .iter()
                .rposition(|b| matches!(b, b'.' | b':'))
            {
                Some(p) => &bytes[from + p + 1..end],
                None if from == 0 => &bytes[..end],
                // No segment boundary in reach: it may hold anything.
                None => return true,
            }
        };
        let segment = segment.to_ascii_lowercase();
        self.receiver_words
            .iter()
            .any(|w| memchr::memmem::find(&segment, w.as_bytes()).is_some())
    }

    /// False only when no candidate can come out of this text.
    #[cfg(test)]
    pub fn may_hold_sql(&self, text: &str) -> bool {
        !self.hits(text).is_empty()
    }

    /// Byte offsets of every place a candidate can come from (a sink call, a string that
    /// starts like a SQL statement), in no particular order.
    /// Empty: no candidate can come out of this text.
    pub fn hits(&self, text: &str) -> Vec<usize> {
        let mut out = Vec::new();
        let sinks = &self.sinks;
        let bytes = text.as_bytes();
        for m in sinks.find_iter(text) {
            let before_ok = m.start() == 0 || !is_ident(bytes[m.start() - 1]);
            // `execute(`, `query!(`, `Query(`; not `executed` or `query_cache`.
            if before_ok
                && self.is_call(&bytes[m.end()..])
                && (m.pattern().as_usize() < self.receiver_from
                    || self.receiver_ok(bytes, m.start()))
            {
                out.push(m.start());
            }
        }
        // A statement keyword starts a string: after a quote and only whitespace, `(` or
        // escaped whitespace. Quotes are found with SIMD (memchr); a case-insensitive
        // keyword automaton over every byte cost more than the rest of the prefilter.
        for q in memchr::memchr3_iter(b'"', b'\'', b'`', bytes) {
            let Some(start) = skip_literal_lead(bytes, q + 1, 64) else {
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
            } else if kw == "call" {
                // `CALL proc(...)`, the name perhaps formatted in (`'CALL {}(%s)'.format`).
                let stop = (start + WINDOW).min(bytes.len());
                memchr::memchr(b'(', &bytes[end..stop]).is_some()
            } else {
                let mut stop = (start + WINDOW).min(text.len());
                while !text.is_char_boundary(stop) {
                    stop -= 1;
                }
                // Escaped whitespace in the source reads as whitespace in the string.
                let window = &text[start..stop];
                if window.contains('\\') {
                    looks_like_sql(
                        &window
                            .replace("\\n", " ")
                            .replace("\\t", " ")
                            .replace("\\r", " "),
                    )
                } else {
                    looks_like_sql(window)
                }
            };
            if hit {
                out.push(start);
            }
        }
        out
    }
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// For each byte, the keywords (bit `i`: `KEYWORDS[i]`) that start with it in either
/// letter case: most quotes are followed by a byte that starts none, and are done with
/// after one lookup.
const KEYWORD_FIRST: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < KEYWORDS.len() {
        let first = KEYWORDS[i].as_bytes()[0];
        t[first as usize] |= 1 << i;
        t[first.to_ascii_uppercase() as usize] |= 1 << i;
        i += 1;
    }
    t
};

const _: () = assert!(
    KEYWORDS.len() <= 32,
    "KEYWORD_FIRST holds a bit per keyword"
);

/// The statement keyword (lower case) that `b` starts with, in any letter case.
fn keyword_at(b: &[u8]) -> Option<&'static str> {
    let mut set = KEYWORD_FIRST[usize::from(*b.first()?)];
    while set != 0 {
        let k = KEYWORDS[set.trailing_zeros() as usize];
        if b.len() >= k.len() && b[..k.len()].eq_ignore_ascii_case(k.as_bytes()) {
            return Some(k);
        }
        set &= set - 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sinks(names: &'static [&'static [&'static str]]) -> Option<Sinks> {
        Some(Sinks {
            names,
            receiver_names: &[],
            receiver_words: &[],
            call_marks: b"",
        })
    }

    fn pf() -> Prefilter {
        Prefilter::new(sinks(&[&["execute", "Query"]])).unwrap_or_else(|| unreachable!())
    }

    #[test]
    fn keeps_files_that_may_hold_sql() {
        let p = pf();
        assert!(p.may_hold_sql("x = \"SELECT *\" + \" FROM t\""));
        assert!(p.may_hold_sql("q = f'''\n    update users set a = 1'''"));
        assert!(p.may_hold_sql("s := `\\n\\tDELETE FROM t`"));
        assert!(p.may_hold_sql("s = (\"( insert into t values (1)\")"));
        assert!(p.may_hold_sql("s = 'DELETE\\nFROM t'"));
        assert!(p.may_hold_sql("s = '''Select a, b From t'''"));
        assert!(p.may_hold_sql("s = 'CALL {}(%s)'.format(proc)"));
        assert!(p.may_hold_sql("cur.execute(q)"));
        assert!(p.may_hold_sql("rows, err := db.Query (q)"));
        // A sink whose name starts with another sink's.
        let p = Prefilter::new(sinks(&[&["fetch", "fetchrow"]])).unwrap_or_else(|| unreachable!());
        assert!(p.may_hold_sql("await conn.fetchrow(q)"));
    }

    #[test]
    fn skips_files_that_cannot() {
        let p = pf();
        assert!(!p.may_hold_sql("d.update(x)\nprint('Update your profile')"));
        assert!(!p.may_hold_sql("selected = items.select_related('a')"));
        assert!(!p.may_hold_sql("self.executed = True; query_cache = {}"));
        assert!(!p.may_hold_sql("msg = 'delete the file'"));
        assert!(!p.may_hold_sql("s = 'SELECTED'"));
    }

    #[test]
    fn call_marks_and_receivers() {
        let p = Prefilter::new(Some(Sinks {
            names: &[&["query", "query_as"]],
            receiver_names: &["get", "all"],
            receiver_words: &["db", "database", "sqlite"],
            call_marks: b"!:?<",
        }))
        .unwrap_or_else(|| unreachable!());
        assert!(p.may_hold_sql("let r = query!(\"x\", a);"));
        assert!(p.may_hold_sql("sqlx::query_as::<_, User>(q)"));
        assert!(p.may_hold_sql("await client.query?.(q)"));
        assert!(p.may_hold_sql("pool.query<Row>(q)"));
        assert!(p.may_hold_sql("this.db.get(q, id)"));
        assert!(p.may_hold_sql("(await openSqlite()).all(q)"));
        assert!(p.may_hold_sql("x.getDb().all(q)"));
        assert!(p.may_hold_sql("this.Database\n  .get(q)"));
        // Not calls, or the receiver is not a database handle.
        assert!(!p.may_hold_sql("const ok = query ? a : b; q = query: 1"));
        assert!(!p.may_hold_sql("const v = map.get(key); items.all(x => x)"));
        assert!(!p.may_hold_sql("db = 1; x = all(q); y = cache.get(k)"));
        assert!(!p.may_hold_sql("$(this).parent().get(0); rquickExpr.get(1)"));
        // Without call marks only `(` makes a call.
        assert!(!pf().may_hold_sql("execute!(x); execute::<T>"));
    }

    #[test]
    fn no_sinks_means_no_filter() {
        // No prefilter: the scan parses every file of such a language.
        assert!(Prefilter::new(None).is_none());
        assert!(Prefilter::new(sinks(&[])).is_none());
    }
}
