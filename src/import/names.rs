//! The names PostgreSQL gives what DDL leaves unnamed (`makeObjectName`, `ChooseRelationName`
//! and `ChooseConstraintName` in its sources), so that imported contracts name constraints and
//! indexes the way the database that ran the DDL does.

use std::collections::BTreeSet;

/// NAMEDATALEN - 1: the longest identifier PostgreSQL keeps, in bytes.
const MAX_IDENT: usize = 63;

fn clip(s: &str, bytes: usize) -> &str {
    let mut end = bytes.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `name1_name2_label`, shortening the longer of name1/name2 first until it fits.
pub fn make_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let mut overhead = label.len() + 1;
    let mut n1 = name1.len();
    let mut n2 = 0;
    if let Some(n) = name2 {
        n2 = n.len();
        overhead += 1;
    }
    let avail = MAX_IDENT.saturating_sub(overhead);
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let mut out = clip(name1, n1).to_string();
    if let Some(n) = name2 {
        out.push('_');
        out.push_str(clip(n, n2));
    }
    out.push('_');
    out.push_str(label);
    out
}

/// The first of `name1_name2_label`, `..._label1`, `..._label2`, ... not in `taken`.
pub fn choose(name1: &str, name2: Option<&str>, label: &str, taken: &BTreeSet<String>) -> String {
    let mut candidate = make_object_name(name1, name2, label);
    let mut pass = 0;
    while taken.contains(&candidate) {
        pass += 1;
        candidate = make_object_name(name1, name2, &format!("{label}{pass}"));
    }
    candidate
}

/// Column names joined with `_` for an index or constraint name, cut once it is too long.
pub fn join_columns(names: &[String]) -> String {
    let mut out = String::new();
    for n in names {
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(n);
        if out.len() >= MAX_IDENT {
            break;
        }
    }
    clip(&out, MAX_IDENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_joined() {
        assert_eq!(make_object_name("t", None, "pkey"), "t_pkey");
        assert_eq!(make_object_name("t", Some("a_b"), "key"), "t_a_b_key");
    }

    #[test]
    fn long_names_are_shortened_like_postgres() {
        // The longer part is cut first, then both in turn (PostgreSQL's makeObjectName).
        let t = "a".repeat(60);
        let c = "b".repeat(30);
        let n = make_object_name(&t, Some(&c), "key");
        assert_eq!(n.len(), 63);
        assert!(n.starts_with(&"a".repeat(29)));
        assert!(n.ends_with(&format!("{}_key", "b".repeat(29))));
    }

    #[test]
    fn taken_names_get_a_number() {
        let taken: BTreeSet<String> = ["t_check".to_string(), "t_check1".to_string()].into();
        assert_eq!(choose("t", None, "check", &taken), "t_check2");
    }
}
