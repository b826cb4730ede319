//! The repository scan: walk the tree (honouring .gitignore and the config's paths and
//! excludes), find SQL in `.sql` files and in source code, and judge every query:
//! parameterised or built at run time, parseable, naming only declared tables and columns.

pub mod candidate;
pub mod lang;
pub mod prefilter;
pub mod sql;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::compare::Tally;
use crate::finding::{Finding, Severity};
use crate::model::{Location, Schema};
use crate::report::QueryEntry;
use crate::rules;
use candidate::{Candidate, Construction, Extractor, Plan, looks_like_sql};
use sql::{Parsed, analyse, split_statements};

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("invalid exclude pattern `{pattern}`: {message}")]
    Glob { pattern: String, message: String },
    #[error("{path}: {message}")]
    Walk { path: String, message: String },
}

/// What to scan and against what.
pub struct ScanOptions<'a> {
    pub root: PathBuf,
    /// Sub-paths of `root` to scan (empty: all of it).
    pub paths: Vec<PathBuf>,
    pub exclude: Vec<String>,
    /// The declared schema; `None` skips the table/column checks.
    pub declared: Option<&'a Schema>,
    pub schemas: Vec<String>,
    /// No prefilter: parse every source file whole (slower; the reference the prefilter
    /// and the regions are checked against).
    pub whole_files: bool,
}

/// One query found, with its judgement.
#[derive(Debug, Clone)]
pub struct FoundQuery {
    pub file: String,
    pub candidate: Candidate,
    pub tables: Vec<String>,
    pub timescale_functions: Vec<String>,
    pub placeholders: usize,
    /// Could not be parsed (and so not verified).
    pub parse_error: Option<String>,
    /// The `zerogap: ignore[...]` annotation on the query's line or the line above, kept
    /// so that findings made later (on the server) honour it too.
    pub ignore: Option<Ignore>,
}

/// What a `zerogap: ignore` comment covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ignore {
    /// No brackets: every rule.
    All,
    /// Rule codes or names, as written.
    Rules(Vec<String>),
}

impl Ignore {
    pub fn covers(&self, f: &Finding) -> bool {
        match self {
            Ignore::All => true,
            Ignore::Rules(rules) => rules
                .iter()
                .any(|r| r.eq_ignore_ascii_case(&f.rule) || *r == f.name),
        }
    }
}

impl FoundQuery {
    /// Where findings about this query point: the string's (or expression's) start.
    pub fn location(&self) -> Location {
        Location {
            file: self.file.clone(),
            line: self.candidate.line,
            column: self.candidate.column,
        }
    }

    /// The `file:line` that names the query in findings.
    pub fn object(&self) -> String {
        format!("{}:{}", self.file, self.candidate.line)
    }

    /// Whether the source asks for this finding about the query to be left out.
    pub fn ignores(&self, f: &Finding) -> bool {
        self.ignore.as_ref().is_some_and(|i| i.covers(f))
    }
}

#[derive(Debug, Clone, Default)]
pub struct ScanResult {
    pub findings: Vec<Finding>,
    pub queries: Vec<FoundQuery>,
    pub suppressed: usize,
    pub files: usize,
    pub tally: Tally,
    /// Files that could not be read (reported, never silently skipped).
    pub errors: Vec<String>,
    /// Source files parsed (the others could not hold a candidate, see `prefilter`).
    pub parsed: usize,
}

impl ScanResult {
    pub fn inventory(&self) -> Vec<QueryEntry> {
        self.queries
            .iter()
            .map(|q| QueryEntry {
                file: q.file.clone(),
                line: q.candidate.line,
                parameterised: !matches!(q.candidate.construction, Construction::Dynamic { .. }),
                tables: q.tables.clone(),
                ..Default::default()
            })
            .collect()
    }
}

fn globset(patterns: &[String]) -> Result<GlobSet, ScanError> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let g = Glob::new(p).map_err(|e| ScanError::Glob {
            pattern: p.clone(),
            message: e.to_string(),
        })?;
        b.add(g);
    }
    b.build().map_err(|e| ScanError::Glob {
        pattern: patterns.join(", "),
        message: e.to_string(),
    })
}

/// One file's scan result (or why it could not be read), by its path relative to the root.
type Scanned = (String, Result<FileResult, String>);

/// Walks the roots on several threads (like ripgrep: the walk itself is a large part of a
/// scan of a big tree) and scans each file where it is found. Results come back sorted by
/// path, with the walk errors met on the way.
fn walk_and_scan(
    opts: &ScanOptions,
    extensions: &BTreeSet<&str>,
    scan_one: &(dyn Fn(&str, &Path) -> Result<FileResult, String> + Sync),
) -> Result<(Vec<Scanned>, Vec<String>), ScanError> {
    let exclude = globset(&opts.exclude)?;
    let roots: Vec<PathBuf> = if opts.paths.is_empty() {
        vec![opts.root.clone()]
    } else {
        opts.paths.iter().map(|p| opts.root.join(p)).collect()
    };
    let mut errors = Vec::new();
    let mut existing = Vec::new();
    for r in roots {
        if r.exists() {
            existing.push(r);
        } else {
            errors.push(format!("{}: no such file or folder", r.display()));
        }
    }
    let Some((first, rest)) = existing.split_first() else {
        return Ok((Vec::new(), errors));
    };
    let mut builder = ignore::WalkBuilder::new(first);
    for r in rest {
        builder.add(r);
    }
    builder.hidden(true).git_ignore(true).require_git(false);
    let found: Mutex<Vec<Scanned>> = Mutex::new(Vec::new());
    let walk_errors: Mutex<Vec<String>> = Mutex::new(Vec::new());
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    lock(&walk_errors).push(e.to_string());
                    return ignore::WalkState::Continue;
                }
            };
            let path = entry.path();
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return ignore::WalkState::Continue;
            }
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !extensions.contains(ext) {
                return ignore::WalkState::Continue;
            }
            let rel = path.strip_prefix(&opts.root).unwrap_or(path);
            let rel_s = rel.to_string_lossy().replace('\\', "/");
            if exclude.is_match(rel) || exclude.is_match(&rel_s) {
                return ignore::WalkState::Continue;
            }
            let r = scan_one(&rel_s, path);
            lock(&found).push((rel_s, r));
            ignore::WalkState::Continue
        })
    });
    let mut found = found.into_inner().unwrap_or_else(|e| e.into_inner());
    // Overlapping roots (`scan.paths: [src, src/db]`) reach a file twice.
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found.dedup_by(|a, b| a.0 == b.0);
    let mut walk_errors = walk_errors.into_inner().unwrap_or_else(|e| e.into_inner());
    walk_errors.sort();
    errors.extend(walk_errors);
    Ok((found, errors))
}

/// A poisoned lock (a scanning thread panicked) still holds every result pushed before.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `:name`, `@name` or `%(name)s` outside `::` casts (string literals not excluded: a false
/// "yes" only skips the argument count).
fn has_named_placeholders(sql: &str) -> bool {
    let b = sql.as_bytes();
    (0..b.len()).any(|i| {
        let next_ident = b
            .get(i + 1)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_');
        match b[i] {
            b':' => next_ident && (i == 0 || b[i - 1] != b':'),
            b'@' => next_ident,
            b'%' => b.get(i + 1) == Some(&b'('),
            _ => false,
        }
    })
}

/// Scans the repository.
pub fn scan(opts: &ScanOptions) -> Result<ScanResult, ScanError> {
    let extractors = lang::extractors();
    let fronts: Vec<Front> = extractors
        .iter()
        .map(|e| Front {
            extractor: e.as_ref(),
            prefilter: prefilter::Prefilter::new(e.sinks()),
        })
        .collect();
    let mut exts: BTreeSet<&str> = BTreeSet::new();
    exts.insert("sql");
    for e in &extractors {
        exts.extend(e.extensions().iter().copied());
    }
    let scan_one = |rel: &str, path: &Path| -> Result<FileResult, String> {
        let text = std::fs::read(path).map_err(|e| format!("{rel}: cannot read: {e}"))?;
        // Non-UTF-8 bytes are replaced: a string literal's position still holds. Valid
        // UTF-8 (nearly every file) is checked by the fast validator and not copied.
        let text = match String::from_utf8(text) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        Ok(scan_file(rel, &text, &fronts, opts))
    };
    let (per_file, mut errors) = walk_and_scan(opts, &exts, &scan_one)?;
    let mut result = ScanResult {
        files: per_file.len(),
        ..Default::default()
    };
    for (_, r) in per_file {
        match r {
            Ok(fr) => {
                result.findings.extend(fr.findings);
                result.queries.extend(fr.queries);
                result.suppressed += fr.suppressed;
                result.parsed += usize::from(fr.parsed);
                result.tally.add(fr.tally);
            }
            Err(e) => errors.push(e),
        }
    }
    result.errors = errors;
    if let Some(declared) = opts.declared
        && !result.queries.is_empty()
    {
        let used: BTreeSet<&str> = result
            .queries
            .iter()
            .flat_map(|q| q.tables.iter().map(|t| t.as_str()))
            .collect();
        for (qn, t) in &declared.tables {
            if !used.contains(qn.to_string().as_str()) {
                result.findings.push(
                    Finding::new(
                        &rules::TABLE_NOT_QUERIED,
                        "table",
                        qn.to_string(),
                        format!("no query in the repository reads or writes {qn}"),
                    )
                    .at(t.loc.as_ref()),
                );
            }
        }
    }
    Ok(result)
}

struct FileResult {
    parsed: bool,
    findings: Vec<Finding>,
    queries: Vec<FoundQuery>,
    suppressed: usize,
    tally: Tally,
}

/// A language front end and its prefilter.
struct Front<'a> {
    extractor: &'a dyn Extractor,
    prefilter: Option<prefilter::Prefilter>,
}

fn front_for<'a, 'b>(rel: &str, fronts: &'b [Front<'a>]) -> Option<&'b Front<'a>> {
    let ext = Path::new(rel)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("");
    fronts
        .iter()
        .find(|f| f.extractor.extensions().contains(&ext))
}

pub fn is_migration_path(rel: &str) -> bool {
    let l = rel.to_lowercase();
    l.contains("migration")
        || l.contains("/migrate")
        || l.contains("schema")
        || l.contains("alembic")
        || l.contains("flyway")
}

fn is_ddl(sql: &str) -> bool {
    let first: String = sql
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_lowercase();
    matches!(
        first.as_str(),
        "create"
            | "alter"
            | "drop"
            | "comment"
            | "grant"
            | "revoke"
            | "do"
            | "refresh"
            | "set"
            | "begin"
            | "commit"
            | "rollback"
            | "truncate"
            | "vacuum"
            | "analyze"
            | "reindex"
            | "cluster"
    ) || sql
        .trim_start()
        .to_lowercase()
        .starts_with("select create_hypertable")
        || sql.trim_start().to_lowercase().starts_with("select add_")
        || sql.trim_start().to_lowercase().starts_with("select set_")
}

fn scan_file(rel: &str, text: &str, fronts: &[Front], opts: &ScanOptions) -> FileResult {
    let mut parsed = true;
    let (candidates, is_sql_file) = if rel.ends_with(".sql") {
        let c = split_statements(text)
            .into_iter()
            .map(|(line, sql)| Candidate {
                line,
                column: 1,
                sql,
                construction: Construction::Constant,
                sink: None,
                bind_args: None,
                function: None,
            })
            .collect();
        (c, true)
    } else {
        match front_for(rel, fronts) {
            Some(f) => match &f.prefilter {
                // `--whole-files`: no prefilter, every file parsed whole (the reference the
                // prefilter and the regions are checked against).
                Some(p) if !opts.whole_files => {
                    // Every hit, so that the extractor can judge them.
                    let hits = p.hits(text);
                    let plan = if hits.is_empty() {
                        Plan::Skip
                    } else {
                        f.extractor.plan(text, &hits)
                    };
                    match plan {
                        Plan::Skip => {
                            parsed = false;
                            (Vec::new(), false)
                        }
                        Plan::Whole => (f.extractor.extract(text), false),
                        Plan::Regions(r) => (f.extractor.extract_regions(text, &r), false),
                    }
                }
                _ => (f.extractor.extract(text), false),
            },
            None => {
                parsed = false;
                (Vec::new(), false)
            }
        }
    };
    // Only for suppression comments: most files have no candidate and need no lines.
    let lines: Vec<&str> = if candidates.is_empty() {
        Vec::new()
    } else {
        text.lines().collect()
    };
    let mut fr = FileResult {
        parsed,
        findings: Vec::new(),
        queries: Vec::new(),
        suppressed: 0,
        tally: Tally::default(),
    };
    for c in candidates {
        if !is_sql_file && c.sink.is_none() && !looks_like_sql(&c.sql) {
            continue;
        }
        let mut found = Vec::new();
        let mut query = FoundQuery {
            file: rel.to_string(),
            candidate: c.clone(),
            tables: Vec::new(),
            timescale_functions: Vec::new(),
            placeholders: 0,
            parse_error: None,
            ignore: ignore_at(&lines, c.line),
        };
        let loc = query.location();
        let object = query.object();
        match &c.construction {
            Construction::Dynamic { how } => found.push(
                Finding::new(
                    &rules::DYNAMIC_SQL,
                    "query",
                    &object,
                    format!(
                        "SQL built at run time ({how}){}: pass values as bind parameters",
                        c.sink
                            .as_ref()
                            .map(|s| format!(" reaches {s}"))
                            .unwrap_or_default()
                    ),
                )
                .expected("constant SQL text with bind parameters")
                .actual(how),
            ),
            Construction::SafeIdentifier { api } => found.push(
                Finding::new(
                    &rules::IDENTIFIER_COMPOSITION,
                    "query",
                    &object,
                    format!(
                        "SQL composed at run time only through {api}, which quotes, escapes or \
                         converts to a number what it inserts"
                    ),
                )
                .actual(api),
            ),
            Construction::Constant => {}
        }
        match analyse(&c.sql, opts.declared, &opts.schemas) {
            Parsed::Ok(a) => {
                query.tables = a.tables.iter().cloned().collect();
                query.timescale_functions = a.timescale_functions.iter().cloned().collect();
                query.placeholders = a.placeholders;
                if !matches!(c.construction, Construction::Dynamic { .. }) {
                    for t in &a.unknown_tables {
                        found.push(
                            Finding::new(
                                &rules::UNKNOWN_TABLE,
                                "query",
                                &object,
                                format!(
                                    "query names table {t}, which the contracts do not declare"
                                ),
                            )
                            .expected("a declared table")
                            .actual(t),
                        );
                    }
                    for col in &a.unknown_columns {
                        found.push(
                            Finding::new(
                                &rules::UNKNOWN_COLUMN,
                                "query",
                                &object,
                                format!(
                                    "query names column {col}, which the contracts do not declare"
                                ),
                            )
                            .expected("a declared column")
                            .actual(col),
                        );
                    }
                }
                // Named placeholders take one mapping or struct: counting is for positional ones.
                if let Some(n) = c.bind_args
                    && !matches!(c.construction, Construction::Dynamic { .. })
                    && !has_named_placeholders(&c.sql)
                    && n != a.placeholders
                {
                    found.push(
                        Finding::new(
                            &rules::PLACEHOLDER_COUNT_MISMATCH,
                            "query",
                            &object,
                            format!(
                                "the query has {} placeholder(s) and the call{} passes {n} \
                                 argument(s)",
                                a.placeholders,
                                c.sink
                                    .as_ref()
                                    .map(|s| format!(" to {s}"))
                                    .unwrap_or_default()
                            ),
                        )
                        .expected(format!("{} argument(s)", a.placeholders))
                        .actual(format!("{n} argument(s)")),
                    );
                }
                let app_code = !is_sql_file || (!is_migration_path(rel) && !is_ddl(&c.sql));
                // Dynamic SQL is already an error; its quoted holes are not literals.
                let dynamic = matches!(c.construction, Construction::Dynamic { .. });
                if app_code && !dynamic && !a.inline_literals.is_empty() && !is_ddl(&c.sql) {
                    found.push(
                        Finding::new(
                            &rules::INLINE_LITERAL,
                            "query",
                            &object,
                            format!(
                                "literal value(s) where a bind parameter belongs: {}",
                                a.inline_literals.join("; ")
                            ),
                        )
                        .expected("bind parameters")
                        .actual(a.inline_literals.join("; ")),
                    );
                }
            }
            Parsed::Error(msg) => {
                query.parse_error = Some(msg.clone());
                if !matches!(c.construction, Construction::Dynamic { .. }) {
                    let sev = if is_sql_file && is_ddl(&c.sql) {
                        Severity::Info
                    } else {
                        Severity::Warning
                    };
                    found.push(
                        Finding::new(
                            &rules::UNPARSEABLE_SQL,
                            "query",
                            &object,
                            format!("SQL does not parse, so it was not verified: {msg}"),
                        )
                        .actual(msg)
                        .severity(sev),
                    );
                }
            }
        }
        let mut failed = false;
        for f in found {
            let f = f.at(Some(&loc));
            if is_suppressed(&lines, c.line, &f) {
                fr.suppressed += 1;
                continue;
            }
            if f.severity >= Severity::Warning {
                failed = true;
            }
            fr.findings.push(f);
        }
        fr.tally.checked += 1;
        if !failed {
            fr.tally.matched += 1;
        }
        fr.queries.push(query);
    }
    fr
}

/// `zerogap: ignore[RULE, ...]` (code or name; no brackets = every rule) in a comment on the
/// finding's line or the line above.
fn is_suppressed(lines: &[&str], line: usize, f: &Finding) -> bool {
    ignore_at(lines, line).is_some_and(|i| i.covers(f))
}

/// The `zerogap: ignore` annotations on 1-based `line` and the line above, merged.
fn ignore_at(lines: &[&str], line: usize) -> Option<Ignore> {
    let mut out: Option<Ignore> = None;
    for l in [line.checked_sub(1), line.checked_sub(2)]
        .into_iter()
        .flatten()
        .filter_map(|i| lines.get(i))
    {
        let Some(pos) = l.find("zerogap: ignore") else {
            continue;
        };
        let rest = &l[pos + "zerogap: ignore".len()..];
        let this = match rest.strip_prefix('[') {
            Some(inner) => Ignore::Rules(
                inner
                    .split(']')
                    .next()
                    .unwrap_or("")
                    .split(',')
                    .map(|r| r.trim().to_string())
                    .filter(|r| !r.is_empty())
                    .collect(),
            ),
            None => Ignore::All,
        };
        out = Some(match (out, this) {
            (Some(Ignore::Rules(mut a)), Ignore::Rules(b)) => {
                a.extend(b);
                Ignore::Rules(a)
            }
            (Some(Ignore::All), _) | (_, Ignore::All) => Ignore::All,
            (None, this) => this,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppression_on_line_or_line_above() {
        let f = Finding::new(&rules::DYNAMIC_SQL, "query", "a.py:2", "m");
        let lines = vec![
            "# zerogap: ignore[ZG301]",
            "cur.execute(q)",
            "x  # zerogap: ignore[inline-literal]",
        ];
        assert!(is_suppressed(&lines, 2, &f));
        assert!(is_suppressed(&lines, 1, &f));
        assert!(!is_suppressed(&lines, 3, &f));
        let g = Finding::new(&rules::INLINE_LITERAL, "query", "a.py:3", "m");
        assert!(is_suppressed(&lines, 3, &g));
    }

    #[test]
    fn sql_files_are_split_and_judged() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("queries")).unwrap();
        std::fs::write(
            dir.path().join("queries/q.sql"),
            "SELECT id FROM users WHERE id = $1;\n-- zerogap: ignore[inline-literal]\nSELECT id FROM users WHERE name = 'x';\nSELECT id FROM users WHERE name = 'y';\nSELECT nope FROM users;\n",
        )
        .unwrap();
        let set = crate::contract::load_sources(&[("c.yaml".into(), "tables:\n  users:\n    columns:\n      id: { type: int }\n      name: { type: text }\n  other:\n    columns:\n      id: { type: int }\n".into())]).unwrap();
        let r = scan(&ScanOptions {
            root: dir.path().to_path_buf(),
            paths: vec![],
            exclude: vec![],
            declared: Some(&set.expectations.schema),
            schemas: set.expectations.schemas.clone(),
            whole_files: false,
        })
        .unwrap();
        let got: Vec<(String, usize)> = r
            .findings
            .iter()
            .map(|f| {
                (
                    f.name.clone(),
                    f.location.as_ref().map(|l| l.line).unwrap_or(0),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("inline-literal".to_string(), 4),
                ("unknown-column".to_string(), 5),
                ("table-not-queried".to_string(), 6)
            ]
        );
        assert_eq!(r.suppressed, 1);
        assert_eq!(r.queries.len(), 4);
        assert_eq!(
            r.tally,
            Tally {
                checked: 4,
                matched: 2
            }
        );
    }
}
