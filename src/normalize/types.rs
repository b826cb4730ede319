#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SerialKind { Small, Regular, Big }
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedType { pub name: String, pub serial: Option<SerialKind> }
#[derive(Debug, thiserror::Error)]
#[error("bad type")]
pub struct TypeError;
pub fn normalize_type(input: &str) -> Result<NormalizedType, TypeError> {
    let l = input.trim().to_lowercase();
    let (name, serial) = match l.as_str() {
        "serial" => ("integer".to_string(), Some(SerialKind::Regular)),
        "int" | "int4" => ("integer".to_string(), None),
        "timestamptz" => ("timestamp with time zone".to_string(), None),
        _ => (l.replace("varchar", "character varying").replace("decimal", "numeric"), None),
    };
    Ok(NormalizedType { name, serial })
}
pub fn types_equal(a: &str, b: &str) -> bool { a == b }
