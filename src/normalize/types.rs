//! Canonical spelling of PostgreSQL column types.
//!
//! The canonical spelling is what PostgreSQL's `format_type(atttypid, atttypmod)` prints, so a
//! type a DBA writes in a contract (`varchar(255)`, `int`, `timestamptz`, `serial`) can be
//! compared as a plain string with what the catalog reports for the live column. Every mapping
//! below was checked against a real PostgreSQL 15 server (see the tests).

use thiserror::Error;

/// A type in its canonical (`format_type`) spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedType {
    /// What `format_type` prints, e.g. `character varying(255)`, `integer[]`, `myschema.mytype`.
    pub name: String,
    /// `serial`-family pseudo-types are not real types: PostgreSQL stores the integer type and
    /// an owned sequence with a `nextval(...)` default. The caller needs to know both.
    pub serial: Option<SerialKind>,
}

/// Which `serial` pseudo-type was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SerialKind {
    /// `smallserial` / `serial2`
    Small,
    /// `serial` / `serial4`
    Regular,
    /// `bigserial` / `serial8`
    Big,
}

/// Why a type spelling could not be normalised. The messages follow PostgreSQL's where it has one.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TypeError {
    #[error("empty type name")]
    Empty,
    #[error("invalid type syntax in {input:?}: {reason}")]
    Syntax { input: String, reason: String },
    #[error("invalid type modifier for {ty}: {reason}")]
    Modifier { ty: String, reason: String },
    #[error("array of serial is not implemented")]
    ArrayOfSerial,
}

/// Broad family of a (normalised) type; used to decide how literals of that type compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeCategory {
    /// text, character varying, character, bpchar, name, "char"
    Text,
    /// smallint, integer, bigint, numeric, real, double precision, money excluded
    Numeric,
    Boolean,
    Interval,
    Date,
    Timestamp,
    TimestampTz,
    Time,
    TimeTz,
    Uuid,
    Json,
    Jsonb,
    /// regclass and friends: names that print schema-qualified only when not on the search path
    RegName,
    Array,
    /// Another built-in type whose output spelling we do not reproduce (inet, bytea, ...)
    OtherBuiltin,
    /// Not a built-in name: an enum, domain or extension type.
    User,
}

/// Classifies a canonical type name (as produced by [`normalize_type`]).
pub fn type_category(name: &str) -> TypeCategory {
    if name.ends_with("[]") {
        return TypeCategory::Array;
    }
    // Drop modifiers so `character varying(10)` and `timestamp(3) with time zone` classify.
    let base: String = strip_parens(name);
    match base.as_str() {
        "text" | "character varying" | "character" | "bpchar" | "name" | "\"char\"" | "citext" => {
            TypeCategory::Text
        }
        "smallint" | "integer" | "bigint" | "numeric" | "real" | "double precision" | "oid" => {
            TypeCategory::Numeric
        }
        "boolean" => TypeCategory::Boolean,
        "date" => TypeCategory::Date,
        "timestamp without time zone" => TypeCategory::Timestamp,
        "timestamp with time zone" => TypeCategory::TimestampTz,
        "time without time zone" => TypeCategory::Time,
        "time with time zone" => TypeCategory::TimeTz,
        "uuid" => TypeCategory::Uuid,
        "json" => TypeCategory::Json,
        "jsonb" => TypeCategory::Jsonb,
        "regclass" | "regtype" | "regproc" | "regprocedure" | "regoper" | "regoperator"
        | "regnamespace" | "regrole" | "regconfig" | "regdictionary" | "regcollation" => {
            TypeCategory::RegName
        }
        b if b == "interval" || b.starts_with("interval ") => TypeCategory::Interval,
        b if SIMPLE_BUILTINS.contains(&b) || b == "bit" || b == "bit varying" => {
            TypeCategory::OtherBuiltin
        }
        _ => TypeCategory::User,
    }
}

fn strip_parens(name: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in name.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Built-in types that take no modifier and print under their own name.
const SIMPLE_BUILTINS: &[&str] = &[
    "text",
    "name",
    "date",
    "json",
    "jsonb",
    "jsonpath",
    "uuid",
    "bytea",
    "inet",
    "cidr",
    "macaddr",
    "macaddr8",
    "money",
    "xml",
    "tsvector",
    "tsquery",
    "oid",
    "xid",
    "xid8",
    "cid",
    "tid",
    "pg_lsn",
    "txid_snapshot",
    "pg_snapshot",
    "regclass",
    "regtype",
    "regproc",
    "regprocedure",
    "regoper",
    "regoperator",
    "regnamespace",
    "regrole",
    "regconfig",
    "regdictionary",
    "regcollation",
    "point",
    "line",
    "lseg",
    "box",
    "path",
    "polygon",
    "circle",
    "int4range",
    "int8range",
    "numrange",
    "tsrange",
    "tstzrange",
    "daterange",
    "int4multirange",
    "int8multirange",
    "nummultirange",
    "tsmultirange",
    "tstzmultirange",
    "datemultirange",
    "record",
    "void",
    "refcursor",
];

/// Normalises a type as written by a DBA (or printed by PostgreSQL) to `format_type` spelling.
pub fn normalize_type(input: &str) -> Result<NormalizedType, TypeError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(TypeError::Empty);
    }
    let mut toks = lex(trimmed)?;
    let dims = strip_array_suffix(&mut toks, trimmed)?;
    if toks.is_empty() {
        return Err(syntax(trimmed, "missing type name"));
    }
    let base = normalize_base(&toks, trimmed)?;
    if dims > 0 {
        if base.serial.is_some() {
            return Err(TypeError::ArrayOfSerial);
        }
        // PostgreSQL has one array type per element type: any number of dimensions prints `[]`.
        return Ok(NormalizedType {
            name: format!("{}[]", base.name),
            serial: None,
        });
    }
    Ok(base)
}

/// Whether two type names (each already normalised) denote the same type, allowing for the
/// ways `format_type` and a contract legitimately differ: `public.foo` vs `foo` (format_type
/// drops the schema when it is on the search path), `"foo"` vs `foo`, and a redundant
/// `pg_catalog.` prefix.
pub fn types_equal(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (type_key(a), type_key(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// A comparison key: normalised if possible, unquoted name parts, `public`/`pg_catalog` dropped.
fn type_key(name: &str) -> Option<(Vec<String>, String, usize)> {
    let norm = normalize_type(name).map(|n| n.name).ok()?;
    let mut s = norm.as_str();
    let mut dims = 0;
    while let Some(rest) = s.strip_suffix("[]") {
        s = rest;
        dims += 1;
    }
    // Split the dotted path (outside quotes and parentheses) from a trailing modifier.
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut in_quote = false;
    let mut modifier = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quote {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    cur.push('"');
                    chars.next();
                } else {
                    in_quote = false;
                }
            } else {
                cur.push(c);
            }
            continue;
        }
        match c {
            '"' => in_quote = true,
            '.' => parts.push(std::mem::take(&mut cur)),
            '(' => {
                modifier.push(c);
                modifier.extend(chars.by_ref());
                break;
            }
            _ => cur.push(c),
        }
    }
    parts.push(cur);
    if parts.len() > 1 && (parts[0] == "public" || parts[0] == "pg_catalog") {
        parts.remove(0);
    }
    Some((parts, modifier, dims))
}

fn syntax(input: &str, reason: &str) -> TypeError {
    TypeError::Syntax {
        input: input.to_string(),
        reason: reason.to_string(),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// Unquoted word: (lower-cased, as written)
    Word(String, String),
    Quoted(String),
    Num(i64),
    Dot,
    LParen,
    RParen,
    Comma,
    LBracket,
    RBracket,
}

fn lex(input: &str) -> Result<Vec<Tok>, TypeError> {
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '.' => {
                out.push(Tok::Dot);
                i += 1;
            }
            '(' => {
                out.push(Tok::LParen);
                i += 1;
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1;
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1;
            }
            '[' => {
                out.push(Tok::LBracket);
                i += 1;
            }
            ']' => {
                out.push(Tok::RBracket);
                i += 1;
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(syntax(input, "unterminated quoted identifier")),
                        Some('"') if chars.get(i + 1) == Some(&'"') => {
                            s.push('"');
                            i += 2;
                        }
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some(&ch) => {
                            s.push(ch);
                            i += 1;
                        }
                    }
                }
                if s.is_empty() {
                    return Err(syntax(input, "zero-length quoted identifier"));
                }
                out.push(Tok::Quoted(s));
            }
            c if c.is_ascii_digit() || (c == '-' || c == '+') => {
                let start = i;
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                let n = text
                    .parse::<i64>()
                    .map_err(|_| syntax(input, &format!("bad number {text:?}")))?;
                out.push(Tok::Num(n));
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
                {
                    i += 1;
                }
                let raw: String = chars[start..i].iter().collect();
                out.push(Tok::Word(raw.to_lowercase(), raw));
            }
            other => return Err(syntax(input, &format!("unexpected character {other:?}"))),
        }
    }
    Ok(out)
}

/// Removes `[]`, `[n]` (any number) and a trailing `ARRAY` / `ARRAY[n]`; returns the dimensions.
fn strip_array_suffix(toks: &mut Vec<Tok>, input: &str) -> Result<usize, TypeError> {
    let mut dims = 0;
    loop {
        match toks.last() {
            Some(Tok::RBracket) => {
                toks.pop();
                if matches!(toks.last(), Some(Tok::Num(_))) {
                    toks.pop();
                }
                if toks.pop() != Some(Tok::LBracket) {
                    return Err(syntax(input, "unbalanced array brackets"));
                }
                dims += 1;
            }
            Some(Tok::Word(w, _)) if w == "array" && toks.len() > 1 => {
                toks.pop();
                dims += 1;
            }
            _ => break,
        }
    }
    Ok(dims)
}

/// Splits `words (mods)` where mods are numbers or, for user types, raw words.
struct Parts<'a> {
    words: Vec<&'a str>,
    mods: Option<Vec<&'a Tok>>,
    /// words written after the modifier (`timestamp(3) with time zone`)
    trailing: Vec<&'a str>,
}

fn split_parts<'a>(toks: &'a [Tok], input: &str) -> Result<Parts<'a>, TypeError> {
    let mut words = Vec::new();
    let mut mods = None;
    let mut trailing = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Word(w, _) => {
                if mods.is_some() {
                    trailing.push(w.as_str());
                } else {
                    words.push(w.as_str());
                }
                i += 1;
            }
            Tok::LParen if mods.is_none() => {
                let close = toks[i..]
                    .iter()
                    .position(|t| *t == Tok::RParen)
                    .map(|p| p + i)
                    .ok_or_else(|| syntax(input, "unbalanced parentheses"))?;
                mods = Some(toks[i + 1..close].iter().collect());
                i = close + 1;
            }
            other => {
                return Err(syntax(input, &format!("unexpected {}", tok_text(other))));
            }
        }
    }
    Ok(Parts {
        words,
        mods,
        trailing,
    })
}

fn tok_text(t: &Tok) -> String {
    match t {
        Tok::Word(_, raw) => raw.clone(),
        Tok::Quoted(q) => format!("\"{q}\""),
        Tok::Num(n) => n.to_string(),
        Tok::Dot => ".".into(),
        Tok::LParen => "(".into(),
        Tok::RParen => ")".into(),
        Tok::Comma => ",".into(),
        Tok::LBracket => "[".into(),
        Tok::RBracket => "]".into(),
    }
}

/// Numeric modifiers `(a)` or `(a, b)`.
fn int_mods(mods: &Option<Vec<&Tok>>, ty: &str, max: usize) -> Result<Vec<i64>, TypeError> {
    let Some(m) = mods else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let mut expect_num = true;
    for t in m {
        match (t, expect_num) {
            (Tok::Num(n), true) => {
                out.push(*n);
                expect_num = false;
            }
            (Tok::Comma, false) => expect_num = true,
            _ => {
                return Err(TypeError::Modifier {
                    ty: ty.into(),
                    reason: format!("unexpected {}", tok_text(t)),
                });
            }
        }
    }
    if expect_num || out.len() > max {
        return Err(TypeError::Modifier {
            ty: ty.into(),
            reason: format!("expects at most {max} integer modifier(s)"),
        });
    }
    Ok(out)
}

fn plain(name: &str) -> NormalizedType {
    NormalizedType {
        name: name.to_string(),
        serial: None,
    }
}

fn no_mods(parts: &Parts, name: &str) -> Result<NormalizedType, TypeError> {
    if parts.mods.is_some() {
        return Err(TypeError::Modifier {
            ty: name.into(),
            reason: "type modifier is not allowed".into(),
        });
    }
    Ok(plain(name))
}

fn normalize_base(toks: &[Tok], input: &str) -> Result<NormalizedType, TypeError> {
    // Quoted or dotted names are identifiers, not the SQL-standard multi-word spellings.
    let is_path = toks.iter().any(|t| matches!(t, Tok::Quoted(_) | Tok::Dot));
    if is_path {
        return normalize_path(toks, input);
    }
    let parts = split_parts(toks, input)?;
    if let Some(t) = builtin(&parts, input)? {
        return Ok(t);
    }
    if parts.words.len() != 1 || !parts.trailing.is_empty() {
        return Err(syntax(input, "unknown multi-word type"));
    }
    // A user type (enum, domain, extension type): unquoted names fold to lower case.
    let mut name = quote_ident(parts.words[0]);
    append_raw_mods(&mut name, toks);
    Ok(plain(&name))
}

/// Keeps an extension type's modifier as written (`geometry(Point,4326)`), spaces removed.
fn append_raw_mods(name: &mut String, toks: &[Tok]) {
    if let Some(open) = toks.iter().position(|t| *t == Tok::LParen) {
        name.push('(');
        for t in &toks[open + 1..] {
            if *t == Tok::RParen {
                break;
            }
            name.push_str(&tok_text(t));
        }
        name.push(')');
    }
}

/// `schema.type`, `"MyType"`, `pg_catalog.int4`, `myschema."MyType"(...)`.
fn normalize_path(toks: &[Tok], input: &str) -> Result<NormalizedType, TypeError> {
    let mut names: Vec<(String, bool)> = Vec::new(); // (name, was quoted)
    let mut i = 0;
    let mut expect_name = true;
    while i < toks.len() {
        match (&toks[i], expect_name) {
            (Tok::Word(w, _), true) => {
                names.push((w.clone(), false));
                expect_name = false;
            }
            (Tok::Quoted(q), true) => {
                names.push((q.clone(), true));
                expect_name = false;
            }
            (Tok::Dot, false) => expect_name = true,
            (Tok::LParen, false) => break,
            (t, _) => return Err(syntax(input, &format!("unexpected {}", tok_text(t)))),
        }
        i += 1;
    }
    if expect_name {
        return Err(syntax(input, "incomplete qualified name"));
    }
    let rest = &toks[i..];
    if names.len() == 2 && names[0].0 == "pg_catalog" {
        names.remove(0);
    }
    if names.len() == 1 {
        let (n, quoted) = &names[0];
        // A quoted name resolves only to pg_type's own name (`"int4"` works, `"integer"` does
        // not); an unquoted one after `pg_catalog.` also accepts the SQL keywords.
        if *quoted && n == "char" {
            return Ok(plain("\"char\""));
        }
        if !quoted || INTERNAL_NAMES.contains(&n.as_str()) {
            let mut sub = vec![Tok::Word(n.clone(), n.clone())];
            sub.extend(rest.iter().cloned());
            let parts = split_parts(&sub, input)?;
            if let Some(t) = builtin(&parts, input)? {
                return Ok(t);
            }
        }
    }
    let mut name = names
        .iter()
        .map(|(n, _)| quote_ident(n))
        .collect::<Vec<_>>()
        .join(".");
    append_raw_mods(&mut name, rest);
    Ok(plain(&name))
}

/// pg_type names a quoted identifier may resolve to.
const INTERNAL_NAMES: &[&str] = &[
    "int2",
    "int4",
    "int8",
    "float4",
    "float8",
    "bool",
    "varchar",
    "bpchar",
    "numeric",
    "timestamp",
    "timestamptz",
    "time",
    "timetz",
    "interval",
    "bit",
    "varbit",
    "text",
    "name",
    "date",
    "json",
    "jsonb",
    "uuid",
    "bytea",
    "inet",
    "cidr",
    "macaddr",
    "money",
    "xml",
    "oid",
    "regclass",
];

/// Whether `min`/`max` can compare the column's values as numbers.
pub fn is_numeric_type(ty: &str) -> bool {
    let base = ty.split('(').next().unwrap_or(ty).trim();
    matches!(
        base,
        "smallint" | "integer" | "bigint" | "numeric" | "real" | "double precision"
    )
}

/// PostgreSQL's quote_identifier: bare only when lower-case letters, digits and underscores.
pub fn quote_ident(name: &str) -> String {
    let simple = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if simple {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

fn precision_suffix(p: Option<i64>, ty: &str) -> Result<String, TypeError> {
    match p {
        None => Ok(String::new()),
        Some(p) if p < 0 => Err(TypeError::Modifier {
            ty: ty.into(),
            reason: format!("precision {p} must not be negative"),
        }),
        // PostgreSQL warns and reduces an over-large precision to 6.
        Some(p) => Ok(format!("({})", p.min(6))),
    }
}

fn length_mod(mods: &[i64], ty: &str, max: i64) -> Result<Option<i64>, TypeError> {
    match mods.first() {
        None => Ok(None),
        Some(&n) if n < 1 => Err(TypeError::Modifier {
            ty: ty.into(),
            reason: format!("length for type {ty} must be at least 1"),
        }),
        Some(&n) if n > max => Err(TypeError::Modifier {
            ty: ty.into(),
            reason: format!("length for type {ty} cannot exceed {max}"),
        }),
        Some(&n) => Ok(Some(n)),
    }
}

/// Resolves the built-in spellings. `Ok(None)` means "not a built-in".
fn builtin(p: &Parts, input: &str) -> Result<Option<NormalizedType>, TypeError> {
    const MAX_VARCHAR: i64 = 10_485_760;
    let w: Vec<&str> = p.words.clone();
    let tz_words = |words: &[&str]| -> Option<Option<bool>> {
        match words {
            [] => Some(None),
            ["with", "time", "zone"] => Some(Some(true)),
            ["without", "time", "zone"] => Some(Some(false)),
            _ => None,
        }
    };
    let serial = |name: &str, kind: SerialKind| -> Result<Option<NormalizedType>, TypeError> {
        no_mods(p, name).map(|mut t| {
            t.serial = Some(kind);
            Some(t)
        })
    };
    let t = match w.as_slice() {
        ["int"] | ["integer"] | ["int4"] => no_mods(p, "integer")?,
        ["int8"] | ["bigint"] => no_mods(p, "bigint")?,
        ["int2"] | ["smallint"] => no_mods(p, "smallint")?,
        ["serial"] | ["serial4"] => return serial("integer", SerialKind::Regular),
        ["bigserial"] | ["serial8"] => return serial("bigint", SerialKind::Big),
        ["smallserial"] | ["serial2"] => return serial("smallint", SerialKind::Small),
        ["varchar"]
        | ["character", "varying"]
        | ["char", "varying"]
        | ["nchar", "varying"]
        | ["national", "character", "varying"]
        | ["national", "char", "varying"] => {
            let m = int_mods(&p.mods, "varchar", 1)?;
            match length_mod(&m, "varchar", MAX_VARCHAR)? {
                Some(n) => plain(&format!("character varying({n})")),
                None => plain("character varying"),
            }
        }
        ["char"] | ["character"] | ["nchar"] | ["national", "character"] | ["national", "char"] => {
            let m = int_mods(&p.mods, "char", 1)?;
            let n = length_mod(&m, "char", MAX_VARCHAR)?.unwrap_or(1);
            plain(&format!("character({n})"))
        }
        ["bpchar"] => {
            // Bare bpchar is the unlimited blank-padded type and prints as itself.
            let m = int_mods(&p.mods, "char", 1)?;
            match length_mod(&m, "char", MAX_VARCHAR)? {
                Some(n) => plain(&format!("character({n})")),
                None => plain("bpchar"),
            }
        }
        ["decimal"] | ["numeric"] | ["dec"] => {
            let m = int_mods(&p.mods, "numeric", 2)?;
            match m.as_slice() {
                [] => plain("numeric"),
                [prec, ..] if !(1..=1000).contains(prec) => {
                    return Err(TypeError::Modifier {
                        ty: "numeric".into(),
                        reason: format!("NUMERIC precision {prec} must be between 1 and 1000"),
                    });
                }
                [_, scale] if !(-1000..=1000).contains(scale) => {
                    return Err(TypeError::Modifier {
                        ty: "numeric".into(),
                        reason: format!("NUMERIC scale {scale} must be between -1000 and 1000"),
                    });
                }
                [prec] => plain(&format!("numeric({prec},0)")),
                [prec, scale] => plain(&format!("numeric({prec},{scale})")),
                _ => return Err(syntax(input, "bad numeric modifier")),
            }
        }
        ["float8"] | ["double", "precision"] => no_mods(p, "double precision")?,
        ["float4"] | ["real"] => no_mods(p, "real")?,
        ["float"] => {
            // float(p) is real for 1..24 bits and double precision for 25..53 (SQL standard).
            let m = int_mods(&p.mods, "float", 1)?;
            match m.first() {
                None => plain("double precision"),
                Some(&b) if b < 1 => {
                    return Err(TypeError::Modifier {
                        ty: "float".into(),
                        reason: "precision for type float must be at least 1 bit".into(),
                    });
                }
                Some(&b) if b <= 24 => plain("real"),
                Some(&b) if b <= 53 => plain("double precision"),
                Some(_) => {
                    return Err(TypeError::Modifier {
                        ty: "float".into(),
                        reason: "precision for type float must be less than 54 bits".into(),
                    });
                }
            }
        }
        ["bool"] | ["boolean"] => no_mods(p, "boolean")?,
        ["timestamp", rest @ ..] | ["time", rest @ ..] => {
            let base = w[0];
            // The zone words may come before the modifier-less form or after `(p)`.
            let words: Vec<&str> = rest.iter().chain(p.trailing.iter()).copied().collect();
            let Some(tz) = tz_words(&words) else {
                return Err(syntax(input, "expected WITH or WITHOUT TIME ZONE"));
            };
            if !rest.is_empty() && p.mods.is_some() {
                return Err(syntax(
                    input,
                    "precision goes before WITH/WITHOUT TIME ZONE",
                ));
            }
            let m = int_mods(&p.mods, base, 1)?;
            let prec = precision_suffix(m.first().copied(), base)?;
            let zone = if tz == Some(true) {
                "with time zone"
            } else {
                "without time zone"
            };
            return Ok(Some(plain(&format!("{base}{prec} {zone}"))));
        }
        ["timestamptz"] | ["timetz"] => {
            let base = if w[0] == "timestamptz" {
                "timestamp"
            } else {
                "time"
            };
            let m = int_mods(&p.mods, w[0], 1)?;
            let prec = precision_suffix(m.first().copied(), w[0])?;
            plain(&format!("{base}{prec} with time zone"))
        }
        ["interval", fields @ ..] => {
            return interval_type(fields, p, input).map(Some);
        }
        ["bit"] => {
            let m = int_mods(&p.mods, "bit", 1)?;
            let n = length_mod(&m, "bit", 83_886_080)?.unwrap_or(1);
            plain(&format!("bit({n})"))
        }
        ["varbit"] | ["bit", "varying"] => {
            let m = int_mods(&p.mods, "varbit", 1)?;
            match length_mod(&m, "varbit", 83_886_080)? {
                Some(n) => plain(&format!("bit varying({n})")),
                None => plain("bit varying"),
            }
        }
        [single] if SIMPLE_BUILTINS.contains(single) => no_mods(p, single)?,
        _ => return Ok(None),
    };
    if !p.trailing.is_empty() {
        return Err(syntax(input, "unexpected words after the type modifier"));
    }
    Ok(Some(t))
}

/// `interval`, `interval(p)`, `interval day`, `interval day to second(p)`.
fn interval_type(fields: &[&str], p: &Parts, input: &str) -> Result<NormalizedType, TypeError> {
    const UNITS: &[&str] = &["year", "month", "day", "hour", "minute", "second"];
    const RANGES: &[(&str, &str)] = &[
        ("year", "month"),
        ("day", "hour"),
        ("day", "minute"),
        ("day", "second"),
        ("hour", "minute"),
        ("hour", "second"),
        ("minute", "second"),
    ];
    let m = int_mods(&p.mods, "interval", 1)?;
    let prec = precision_suffix(m.first().copied(), "interval")?;
    // `interval(p)` has no fields; `interval second(p)` puts p after the fields.
    let (fields, after): (Vec<&str>, bool) = if fields.is_empty() {
        (p.trailing.clone(), false)
    } else {
        if !p.trailing.is_empty() {
            return Err(syntax(input, "unexpected words after interval precision"));
        }
        (fields.to_vec(), true)
    };
    let text = match fields.as_slice() {
        [] => return Ok(plain(&format!("interval{prec}"))),
        [f] if UNITS.contains(f) => (*f).to_string(),
        [a, "to", b] if RANGES.contains(&(*a, *b)) => format!("{a} to {b}"),
        _ => return Err(syntax(input, "unknown interval fields")),
    };
    if !prec.is_empty() && (!after || !text.ends_with("second")) {
        return Err(syntax(input, "interval precision only follows SECOND"));
    }
    Ok(plain(&format!("interval {text}{prec}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> String {
        match normalize_type(s) {
            Ok(t) => t.name,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    /// Left: as written in `CREATE TABLE`; right: what PostgreSQL 15.18 printed via
    /// `format_type(atttypid, atttypmod)` for that column.
    const PG15: &[(&str, &str)] = &[
        ("int", "integer"),
        ("int4", "integer"),
        ("integer", "integer"),
        ("int8", "bigint"),
        ("bigint", "bigint"),
        ("int2", "smallint"),
        ("smallint", "smallint"),
        ("serial", "integer"),
        ("bigserial", "bigint"),
        ("serial8", "bigint"),
        ("smallserial", "smallint"),
        ("serial2", "smallint"),
        ("serial4", "integer"),
        ("varchar(255)", "character varying(255)"),
        ("character varying(10)", "character varying(10)"),
        ("varchar", "character varying"),
        ("char(2)", "character(2)"),
        ("character(3)", "character(3)"),
        ("bpchar", "bpchar"),
        ("bpchar(3)", "character(3)"),
        ("char", "character(1)"),
        ("character", "character(1)"),
        ("char varying(4)", "character varying(4)"),
        ("national character varying(5)", "character varying(5)"),
        ("nchar(3)", "character(3)"),
        ("text", "text"),
        ("decimal(10,6)", "numeric(10,6)"),
        ("numeric(12,4)", "numeric(12,4)"),
        ("numeric(5)", "numeric(5,0)"),
        ("decimal(10)", "numeric(10,0)"),
        ("dec(10,2)", "numeric(10,2)"),
        ("numeric(3,5)", "numeric(3,5)"),
        ("numeric(5,-2)", "numeric(5,-2)"),
        ("numeric", "numeric"),
        ("decimal", "numeric"),
        ("numeric (10 , 2)", "numeric(10,2)"),
        ("float8", "double precision"),
        ("double precision", "double precision"),
        ("float", "double precision"),
        ("float(25)", "double precision"),
        ("float(53)", "double precision"),
        ("float4", "real"),
        ("real", "real"),
        ("float(1)", "real"),
        ("float(24)", "real"),
        ("bool", "boolean"),
        ("boolean", "boolean"),
        ("timestamptz", "timestamp with time zone"),
        ("timestamp with time zone", "timestamp with time zone"),
        ("timestamp", "timestamp without time zone"),
        ("timestamp without time zone", "timestamp without time zone"),
        ("timestamp(3) with time zone", "timestamp(3) with time zone"),
        ("timestamptz(3)", "timestamp(3) with time zone"),
        ("timestamp(6)", "timestamp(6) without time zone"),
        ("timestamp(0)", "timestamp(0) without time zone"),
        ("timestamp(7)", "timestamp(6) without time zone"),
        ("timestamptz(7)", "timestamp(6) with time zone"),
        ("time", "time without time zone"),
        ("timetz", "time with time zone"),
        ("time(3)", "time(3) without time zone"),
        ("time(7)", "time(6) without time zone"),
        ("timetz(2)", "time(2) with time zone"),
        ("time(3) with time zone", "time(3) with time zone"),
        ("time with time zone", "time with time zone"),
        ("date", "date"),
        ("interval", "interval"),
        ("interval day", "interval day"),
        ("interval(3)", "interval(3)"),
        ("interval(7)", "interval(6)"),
        ("interval hour to minute", "interval hour to minute"),
        ("interval year to month", "interval year to month"),
        (
            "interval minute to second(3)",
            "interval minute to second(3)",
        ),
        ("interval second(3)", "interval second(3)"),
        ("interval day to second(2)", "interval day to second(2)"),
        ("json", "json"),
        ("jsonb", "jsonb"),
        ("uuid", "uuid"),
        ("bytea", "bytea"),
        ("inet", "inet"),
        ("cidr", "cidr"),
        ("macaddr", "macaddr"),
        ("macaddr8", "macaddr8"),
        ("money", "money"),
        ("xml", "xml"),
        ("tsvector", "tsvector"),
        ("tsquery", "tsquery"),
        ("oid", "oid"),
        ("regclass", "regclass"),
        ("regtype", "regtype"),
        ("name", "name"),
        ("xid", "xid"),
        ("jsonpath", "jsonpath"),
        ("point", "point"),
        ("int4range", "int4range"),
        ("tstzrange", "tstzrange"),
        ("bit(3)", "bit(3)"),
        ("bit", "bit(1)"),
        ("varbit", "bit varying"),
        ("bit varying", "bit varying"),
        ("bit varying(5)", "bit varying(5)"),
        ("text[]", "text[]"),
        ("int[]", "integer[]"),
        ("varchar(10)[]", "character varying(10)[]"),
        ("integer ARRAY", "integer[]"),
        ("int ARRAY[3]", "integer[]"),
        ("int[][]", "integer[]"),
        ("int[3][4]", "integer[]"),
        ("timestamptz[]", "timestamp with time zone[]"),
        ("numeric(10,2)[]", "numeric(10,2)[]"),
        ("smallint[]", "smallint[]"),
        ("double precision[]", "double precision[]"),
        ("float8[]", "double precision[]"),
        ("float4[]", "real[]"),
        ("bool[]", "boolean[]"),
        ("int8[]", "bigint[]"),
        ("char(5)[]", "character(5)[]"),
        ("character varying[]", "character varying[]"),
        ("regclass[]", "regclass[]"),
        ("myschema.mytype", "myschema.mytype"),
        ("myschema.MyType", "myschema.mytype"),
        ("MySchema.mytype", "myschema.mytype"),
        ("\"MyType\"", "\"MyType\""),
        ("\"MyType\"[]", "\"MyType\"[]"),
        ("mood", "mood"),
        ("Mood", "mood"),
        ("\"mood\"", "mood"),
        ("mood[]", "mood[]"),
        ("\"char\"", "\"char\""),
        ("\"int4\"", "integer"),
        ("pg_catalog.int4", "integer"),
        ("pg_catalog.varchar(5)", "character varying(5)"),
        ("VARCHAR ( 255 )", "character varying(255)"),
    ];

    #[test]
    fn matches_format_type_of_postgres_15() {
        for (input, want) in PG15 {
            assert_eq!(n(input), *want, "input {input:?}");
        }
    }

    #[test]
    fn case_and_spacing_are_tolerated() {
        assert_eq!(
            n("  TIMESTAMP   WITH  TIME ZONE "),
            "timestamp with time zone"
        );
        assert_eq!(n("Character Varying (12)"), "character varying(12)");
        assert_eq!(n("INT [ ]"), "integer[]");
        assert_eq!(n("Double Precision"), "double precision");
    }

    #[test]
    fn serial_kinds() {
        let s = |x: &str| normalize_type(x).map(|t| t.serial).ok().flatten();
        assert_eq!(s("serial"), Some(SerialKind::Regular));
        assert_eq!(s("SERIAL4"), Some(SerialKind::Regular));
        assert_eq!(s("bigserial"), Some(SerialKind::Big));
        assert_eq!(s("serial8"), Some(SerialKind::Big));
        assert_eq!(s("smallserial"), Some(SerialKind::Small));
        assert_eq!(s("serial2"), Some(SerialKind::Small));
        assert_eq!(s("integer"), None);
    }

    /// Each of these was rejected by PostgreSQL 15 too.
    #[test]
    fn rejects_what_postgres_rejects() {
        for bad in [
            "",
            "   ",
            "varchar(0)",
            "char(0)",
            "serial[]",
            "float(0)",
            "float(54)",
            "numeric(1001)",
            "varchar(10485761)",
            "int4(3)",
            "float8(3)",
            "text(5)",
            "bit(0)",
            "timestamp with time zone(3)",
            "interval day(3)",
            "varchar(abc)",
            "varchar(10",
            "\"unterminated",
            "int[",
            "some unknown words",
            "timestamp with zone",
        ] {
            assert!(normalize_type(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn odd_input_is_an_error_not_a_panic() {
        for s in [
            "é",
            "inté",
            "\"\"",
            "(",
            ")",
            "[]",
            "int[",
            "int]",
            ".",
            "a.",
            ".a",
            "a..b",
            "numeric(,)",
            "numeric(1,)",
            "numeric(99999999999999999999)",
            "varchar(-1)",
            "-",
            "int ARRAY ARRAY",
            "timestamp(3) with",
            "interval to second",
            "\"a\"\"b\"",
            "x(",
            "a.b.c.d",
        ] {
            let _ = normalize_type(s);
            let _ = types_equal(s, s);
        }
    }

    #[test]
    fn extension_type_modifiers_are_kept() {
        assert_eq!(n("geometry(Point, 4326)"), "geometry(Point,4326)");
        assert_eq!(n("public.citext"), "public.citext");
    }

    #[test]
    fn equal_types() {
        assert!(types_equal("mood", "public.mood"));
        assert!(types_equal("public.mood[]", "mood[]"));
        assert!(types_equal("\"mood\"", "mood"));
        assert!(types_equal("\"MyType\"", "public.\"MyType\""));
        assert!(types_equal("integer", "pg_catalog.int4"));
        assert!(types_equal("myschema.mytype", "myschema.mytype"));
        assert!(!types_equal("myschema.mytype", "mytype"));
        assert!(!types_equal("\"MyType\"", "mytype"));
        assert!(!types_equal("mood", "mood[]"));
        assert!(!types_equal(
            "character varying(10)",
            "character varying(20)"
        ));
        assert!(!types_equal("integer", "bigint"));
    }

    #[test]
    fn categories() {
        assert_eq!(type_category("character varying(10)"), TypeCategory::Text);
        assert_eq!(type_category("numeric(10,2)"), TypeCategory::Numeric);
        assert_eq!(
            type_category("timestamp(3) with time zone"),
            TypeCategory::TimestampTz
        );
        assert_eq!(type_category("interval day"), TypeCategory::Interval);
        assert_eq!(type_category("text[]"), TypeCategory::Array);
        assert_eq!(type_category("mood"), TypeCategory::User);
        assert_eq!(type_category("inet"), TypeCategory::OtherBuiltin);
        assert_eq!(type_category("regclass"), TypeCategory::RegName);
    }
}
