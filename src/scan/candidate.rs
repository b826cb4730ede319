//! What a language extractor hands to the SQL analysis: one string that is (or may be) SQL,
//! where it is, how it was built, and which database call it reaches. Extractors parse
//! source with tree-sitter; they never judge SQL themselves beyond `looks_like_sql`.

/// How the SQL text came to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Construction {
    /// Literal text, or composed only of constants (literals, constant variables, folded
    /// concatenation/formatting of constants).
    Constant,
    /// Built at run time from non-constant parts. `how` names the construct: "f-string",
    /// "%-formatting", ".format()", "concatenation", "format!", "fmt.Sprintf",
    /// "template literal", "String.format", "StringBuilder", ...
    Dynamic { how: String },
    /// Identifiers composed through a safe quoting API (psycopg.sql.Identifier,
    /// quote_ident, pgx.Identifier, ...); values still bound as parameters.
    SafeIdentifier { api: String },
}

/// One SQL string found in source code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// 1-based line and column where the string (or the expression building it) starts.
    pub line: usize,
    pub column: usize,
    /// The SQL text: constant parts verbatim (escape sequences decoded), each non-constant
    /// part replaced by `__zg_dyn_N__` (N counting from 0 within this candidate).
    pub sql: String,
    pub construction: Construction,
    /// The database call the string reaches, directly or through a local variable, as
    /// written (`cursor.execute`, `db.Query`, `client.query`, `sqlx::query`,
    /// `jdbcTemplate.query`, `prepareStatement`); `None` when none was seen.
    pub sink: Option<String>,
    /// Bind arguments visibly passed with the SQL to the sink (`execute(sql, (a, b))` → 2);
    /// `None` when unknown or not applicable.
    pub bind_args: Option<usize>,
    /// Enclosing function or method, if any.
    pub function: Option<String>,
}

/// A language front end.
pub trait Extractor: Send + Sync {
    /// File extensions (without dot) this extractor reads.
    fn extensions(&self) -> &'static [&'static str];
    /// Every candidate in one file. Must not panic on any input (broken source included).
    fn extract(&self, source: &str) -> Vec<Candidate>;
    /// The database calls this extractor treats as sinks. A file that calls none of them
    /// and has no string starting like a SQL statement cannot hold a candidate and is not
    /// parsed (see `scan::prefilter`). `None`: every file is parsed.
    fn sinks(&self) -> Option<Sinks> {
        None
    }
    /// What to parse of a file, given every prefilter hit (byte offsets): the extractor may
    /// drop hits that cannot start a candidate (a sink's name in a comment, a SQL example in
    /// a docstring), skip the file when none is left, and name the parts of the file that
    /// hold every candidate the hits can lead to, with everything those candidates depend on.
    fn plan(&self, _source: &str, _hits: &[usize]) -> Plan {
        Plan::Whole
    }
    /// `extract` reading only `regions` of the file (positions stay the file's own).
    fn extract_regions(&self, source: &str, _regions: &[std::ops::Range<usize>]) -> Vec<Candidate> {
        self.extract(source)
    }
}

/// How an extractor's database calls look in source text, for the prefilter: a superset
/// of every call its sink logic accepts.
#[derive(Debug, Clone, Copy)]
pub struct Sinks {
    /// Called names that make a call a sink whatever the receiver (`execute`, `Query`),
    /// in lists (an extractor's sink lists as they are).
    pub names: &'static [&'static [&'static str]],
    /// Called names that are sinks only on a receiver named like a database handle
    /// (`db.get(sql)`, never `map.get(key)`).
    pub receiver_names: &'static [&'static str],
    /// Words such a receiver's name holds, in any letter case (`db`, `sqlite`).
    pub receiver_words: &'static [&'static str],
    /// What else than `(` may follow a name (after whitespace) in such a call: `!` (a
    /// macro), `:` (a turbofish `::<T>`), `<` (type arguments), `?` (an optional call `?.(`),
    /// `` ` `` (a tagged template).
    pub call_marks: &'static [u8],
}

/// What an extractor reads of a file the prefilter let through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Parse the whole file.
    Whole,
    /// No candidate can come out of it.
    Skip,
    /// Parse only these sorted, disjoint byte ranges (positions stay the file's own).
    Regions(Vec<std::ops::Range<usize>>),
}

/// The placeholder extractors put where a non-constant part was.
pub fn dyn_marker(n: usize) -> String {
    format!("__zg_dyn_{n}__")
}

const STATEMENT_STARTS: &[(&str, &[&str])] = &[
    (
        "select",
        &["from", "where", "limit", "join", "returning", "__zg_dyn_"],
    ),
    ("insert", &["into"]),
    ("update", &["set"]),
    ("delete", &["from"]),
    ("with", &["select", "insert", "update", "delete"]),
    ("merge", &["into", "using"]),
    ("upsert", &["into"]),
    ("replace", &["into"]),
    (
        "create",
        &[
            "table",
            "index",
            "view",
            "function",
            "schema",
            "type",
            "extension",
            "materialized",
            "unique",
            "trigger",
            "sequence",
            "policy",
        ],
    ),
    (
        "alter",
        &[
            "table",
            "index",
            "view",
            "type",
            "schema",
            "sequence",
            "materialized",
            "extension",
        ],
    ),
    (
        "drop",
        &[
            "table",
            "index",
            "view",
            "type",
            "schema",
            "sequence",
            "materialized",
            "function",
            "extension",
        ],
    ),
    ("truncate", &[""]),
    ("copy", &["from", "to"]),
    ("grant", &["on", "to"]),
    ("revoke", &["on", "from"]),
    (
        "explain",
        &["select", "insert", "update", "delete", "analyze"],
    ),
    ("call", &["("]),
];

/// Cheap, conservative test for text that reads as a SQL statement: it starts with a
/// statement keyword and has a word that statement needs (`SELECT ... FROM`,
/// `INSERT INTO`, `UPDATE ... SET`, `DELETE FROM`, ...). Prose such as "Select a file"
/// does not pass; `SELECT 1` alone does not either unless it reaches a database call.
pub fn looks_like_sql(text: &str) -> bool {
    // Compared without copying the text to lower case (this runs on every string that may
    // be a candidate): keywords and the words they need are ASCII.
    let text = text.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
    let first = &text[..text.bytes().take_while(|c| c.is_ascii_alphabetic()).count()];
    let Some((keyword, needs)) = STATEMENT_STARTS
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(first))
    else {
        return false;
    };
    let rest = &text[first.len()..];
    // A lone keyword ("truncate", "update") is a word, not a statement.
    if !rest.starts_with(|c: char| c.is_whitespace()) || rest.trim().is_empty() {
        return false;
    }
    if *keyword == "call" {
        // `CALL proc(...)`: a procedure name and its arguments, not "Call ``func`` on ...".
        let rest = rest.trim_start();
        let name = rest
            .bytes()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'"'))
            .count();
        return name > 0 && rest[name..].trim_start().starts_with('(');
    }
    needs.iter().any(|w| {
        if w.is_empty() {
            return true;
        }
        rest.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '('))
            .any(|tok| {
                tok.eq_ignore_ascii_case(w)
                    || (w.ends_with('_')
                        && tok
                            .as_bytes()
                            .get(..w.len())
                            .is_some_and(|p| p.eq_ignore_ascii_case(w.as_bytes())))
                    || (*w == "(" && tok.contains('('))
            })
            || (*w == "(" && rest.contains('('))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_shapes() {
        assert!(looks_like_sql("SELECT id FROM users WHERE id = %s"));
        assert!(looks_like_sql("  insert into t (a) values ($1)"));
        assert!(looks_like_sql("UPDATE t SET a = 1"));
        assert!(looks_like_sql("delete from t"));
        assert!(looks_like_sql("WITH x AS (SELECT 1) SELECT * FROM x"));
        assert!(looks_like_sql("SELECT * FROM __zg_dyn_0__"));
        assert!(!looks_like_sql("Select a file to upload"));
        assert!(!looks_like_sql("Update your profile settings"));
        assert!(!looks_like_sql("deleted from the list"));
        assert!(!looks_like_sql("selection"));
        assert!(!looks_like_sql("truncate"));
        assert!(!looks_like_sql("update "));
        assert!(looks_like_sql(
            "CALL refresh_continuous_aggregate('a', NULL, NULL)"
        ));
        assert!(looks_like_sql("call app.rebuild ($1)"));
        assert!(!looks_like_sql(
            "Call ``func`` on self producing a frame (axis)"
        ));
    }
}
