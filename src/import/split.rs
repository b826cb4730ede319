//! Splitting a DDL file into statements with sqlparser's tokenizer (which knows strings,
//! dollar quotes and comments), so that one statement sqlparser cannot read does not take the
//! rest of the file with it.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

/// One statement: its tokens without the `;`, whitespace and comments included.
#[derive(Debug, Clone)]
pub struct RawStatement {
    pub tokens: Vec<TokenWithSpan>,
    pub line: u64,
    pub column: u64,
}

impl RawStatement {
    /// The tokens that say something (no whitespace, no comments).
    pub fn words(&self) -> Vec<&TokenWithSpan> {
        self.tokens
            .iter()
            .filter(|t| !matches!(t.token, Token::Whitespace(_)))
            .collect()
    }

    /// The statement as text, for messages: its first words.
    pub fn head(&self, n: usize) -> String {
        let words: Vec<String> = self
            .words()
            .iter()
            .take(n)
            .map(|t| t.token.to_string())
            .collect();
        words.join(" ")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    pub line: u64,
    pub column: u64,
    pub message: String,
}

/// Lines that are not SQL for the server: psql meta-commands (`\set`, `\connect`), and the
/// "down" halves of migration files that hold both (dbmate `-- migrate:down`, goose
/// `-- +goose Down`). Blanked, not removed, so that line numbers stay those of the file.
fn blank_non_sql(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut down = false;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        let lower = t.to_ascii_lowercase();
        let marker = lower.trim_end();
        if marker.starts_with("-- migrate:down") || marker.starts_with("-- +goose down") {
            down = true;
        } else if marker.starts_with("-- migrate:up") || marker.starts_with("-- +goose up") {
            down = false;
        }
        if down || t.starts_with('\\') {
            if line.ends_with('\n') {
                out.push('\n');
            }
        } else {
            out.push_str(line);
        }
    }
    out
}

/// The statements of `text`, in order. Empty statements (`;;`) are dropped.
pub fn split(text: &str) -> Result<Vec<RawStatement>, SplitError> {
    let text = blank_non_sql(text);
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, &text)
        .tokenize_with_location()
        .map_err(|e| SplitError {
            line: e.location.line,
            column: e.location.column,
            message: e.message,
        })?;
    let mut out = Vec::new();
    let mut current: Vec<TokenWithSpan> = Vec::new();
    let mut flush = |current: &mut Vec<TokenWithSpan>| {
        let first = current
            .iter()
            .find(|t| !matches!(t.token, Token::Whitespace(_) | Token::EOF));
        if let Some(first) = first {
            let (line, column) = (first.span.start.line, first.span.start.column);
            out.push(RawStatement {
                tokens: std::mem::take(current),
                line,
                column,
            });
        } else {
            current.clear();
        }
    };
    for t in tokens {
        match t.token {
            Token::SemiColon => flush(&mut current),
            Token::EOF => {}
            _ => current.push(t),
        }
    }
    flush(&mut current);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_top_level_semicolons_only() {
        let sql = "CREATE TABLE a (x text DEFAULT ';');\n\n-- c; d\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n;\nSELECT 1";
        let s = split(sql).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!((s[0].line, s[0].column), (1, 1));
        assert_eq!(s[1].line, 4);
        assert_eq!(s[2].line, 6);
        assert_eq!(s[2].head(2), "SELECT 1");
    }

    #[test]
    fn skips_meta_commands_and_down_sections() {
        let sql = "-- migrate:up\nCREATE TABLE a (x int);\n\\set ON_ERROR_STOP 1\n-- migrate:down\nDROP TABLE a;\n";
        let s = split(sql).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].line, 2);
        let goose = "-- +goose Up\nCREATE TABLE a (x int);\n-- +goose Down\nDROP TABLE a;\n";
        assert_eq!(split(goose).unwrap().len(), 1);
    }

    #[test]
    fn unterminated_string_is_located() {
        let e = split("SELECT 1;\nSELECT 'abc").unwrap_err();
        assert_eq!(e.line, 2);
    }
}
