#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Equivalence { Equal, Different { declared: String, actual: String }, Unknown { reason: String } }
pub fn compare_exprs(declared: &str, actual: &str) -> Equivalence {
    if declared.trim().eq_ignore_ascii_case(actual.trim()) { Equivalence::Equal } else { Equivalence::Different { declared: declared.into(), actual: actual.into() } }
}
