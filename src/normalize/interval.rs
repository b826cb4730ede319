#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Interval { pub months: i64, pub days: i64, pub micros: i64 }
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PgDuration { Interval(Interval), Integer(i64) }
#[derive(Debug, thiserror::Error)]
#[error("not an interval")]
pub struct IntervalError;
pub fn parse_duration(input: &str) -> Result<PgDuration, IntervalError> {
    let t = input.trim();
    let mut it = t.split_whitespace();
    let n: i64 = it.next().and_then(|n| n.parse().ok()).ok_or(IntervalError)?;
    let unit = it.next().unwrap_or("");
    let days = match unit { "day" | "days" => n, "hour" | "hours" => 0, _ => return Err(IntervalError) };
    let micros = if unit.starts_with("hour") { n * 3_600_000_000 } else { 0 };
    Ok(PgDuration::Interval(Interval { months: 0, days, micros }))
}
