//! The libpq connection parameters tokio-postgres does not know (`sslmode` beyond
//! disable/prefer/require, `sslrootcert`, `passfile`), taken out of a connection string
//! before tokio-postgres parses the rest. Both forms: `postgres://…?sslmode=verify-full` and
//! `host=… sslmode=verify-full`.

/// Parameters zerogap handles itself.
pub const OWN: &[&str] = &["sslmode", "sslrootcert", "passfile"];

/// Parameters of libpq that zerogap does not support: refused with a clear message instead
/// of being ignored (a client certificate silently not sent would be a surprise).
pub const UNSUPPORTED: &[&str] = &["sslcert", "sslkey", "sslpassword", "sslcrl", "sslcrldir"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamError {
    /// The string is malformed (unbalanced quote, bad percent-encoding); never quoted back.
    Malformed,
    Unsupported(String),
}

/// Splits `s` into (the string without zerogap's own parameters, those parameters).
pub fn take_own(s: &str) -> Result<(String, Vec<(String, String)>), ParamError> {
    let s = s.trim();
    if s.starts_with("postgres://") || s.starts_with("postgresql://") {
        take_from_url(s)
    } else {
        take_from_keyword_value(s)
    }
}

fn take_from_url(s: &str) -> Result<(String, Vec<(String, String)>), ParamError> {
    let Some((base, query)) = s.split_once('?') else {
        return Ok((s.to_string(), Vec::new()));
    };
    let mut kept = Vec::new();
    let mut own = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode(k)?;
        if UNSUPPORTED.contains(&key.as_str()) {
            return Err(ParamError::Unsupported(key));
        }
        if OWN.contains(&key.as_str()) {
            own.push((key, percent_decode(v)?));
        } else {
            kept.push(pair);
        }
    }
    let rest = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((rest, own))
}

fn percent_decode(s: &str) -> Result<String, ParamError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3).ok_or(ParamError::Malformed)?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| ParamError::Malformed)?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| ParamError::Malformed)
}

/// `key = value` pairs; values may be single-quoted with `\'` and `\\` escapes (libpq).
fn take_from_keyword_value(s: &str) -> Result<(String, Vec<(String, String)>), ParamError> {
    let mut kept = Vec::new();
    let mut own = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while *i < chars.len() && chars[*i].is_whitespace() {
            *i += 1;
        }
    };
    loop {
        skip_ws(&mut i);
        if i >= chars.len() {
            break;
        }
        let start = i;
        while i < chars.len() && chars[i] != '=' && !chars[i].is_whitespace() {
            i += 1;
        }
        let key: String = chars[start..i].iter().collect();
        skip_ws(&mut i);
        if i >= chars.len() || chars[i] != '=' || key.is_empty() {
            return Err(ParamError::Malformed);
        }
        i += 1;
        skip_ws(&mut i);
        let mut value = String::new();
        if i < chars.len() && chars[i] == '\'' {
            i += 1;
            let mut closed = false;
            while i < chars.len() {
                match chars[i] {
                    '\\' if i + 1 < chars.len() => {
                        value.push(chars[i + 1]);
                        i += 2;
                    }
                    '\'' => {
                        closed = true;
                        i += 1;
                        break;
                    }
                    c => {
                        value.push(c);
                        i += 1;
                    }
                }
            }
            if !closed {
                return Err(ParamError::Malformed);
            }
        } else {
            while i < chars.len() && !chars[i].is_whitespace() {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    value.push(chars[i + 1]);
                    i += 2;
                } else {
                    value.push(chars[i]);
                    i += 1;
                }
            }
        }
        if UNSUPPORTED.contains(&key.as_str()) {
            return Err(ParamError::Unsupported(key));
        }
        if OWN.contains(&key.as_str()) {
            own.push((key, value));
        } else {
            kept.push(format!(
                "{key}='{}'",
                value.replace('\\', "\\\\").replace('\'', "\\'")
            ));
        }
    }
    Ok((kept.join(" "), own))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own(s: &str) -> (String, Vec<(String, String)>) {
        take_own(s).unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn url_parameters() {
        let (rest, p) = own(
            "postgres://u:p%40ss@h:5433/db?sslmode=verify-full&application_name=x&sslrootcert=%2Fetc%2Fca.pem",
        );
        assert_eq!(rest, "postgres://u:p%40ss@h:5433/db?application_name=x");
        assert_eq!(
            p,
            vec![
                ("sslmode".to_string(), "verify-full".to_string()),
                ("sslrootcert".to_string(), "/etc/ca.pem".to_string())
            ]
        );
        assert_eq!(own("postgresql://h/db").0, "postgresql://h/db");
        assert_eq!(own("postgres://h/db?sslmode=require").0, "postgres://h/db");
    }

    #[test]
    fn keyword_value_parameters() {
        let (rest, p) = own(
            r"host=h password='it\'s' sslmode = verify-ca dbname='my db' sslrootcert='/a b/ca.pem'",
        );
        assert_eq!(rest, r"host='h' password='it\'s' dbname='my db'");
        assert_eq!(
            p,
            vec![
                ("sslmode".to_string(), "verify-ca".to_string()),
                ("sslrootcert".to_string(), "/a b/ca.pem".to_string())
            ]
        );
    }

    #[test]
    fn unsupported_and_malformed() {
        assert_eq!(
            take_own("postgres://h/db?sslcert=/c.pem"),
            Err(ParamError::Unsupported("sslcert".into()))
        );
        assert_eq!(
            take_own("host=h password='unclosed"),
            Err(ParamError::Malformed)
        );
        assert_eq!(
            take_own("postgres://h/db?sslmode=%zz"),
            Err(ParamError::Malformed)
        );
    }
}
