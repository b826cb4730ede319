//! PostgreSQL `interval` semantics, for comparing chunk intervals, policy offsets and ages.
//!
//! A contract says `1 day` where TimescaleDB reports `24:00:00`, or `7 days` where a job's
//! config holds `168:00:00`. Parsing both sides the way PostgreSQL's `interval_in` does, and
//! comparing the way its `=` does (a month is 30 days, a day 24 hours), makes those equal.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use thiserror::Error;

const USECS_PER_SEC: i64 = 1_000_000;
const USECS_PER_MINUTE: i64 = 60 * USECS_PER_SEC;
const USECS_PER_HOUR: i64 = 60 * USECS_PER_MINUTE;
const USECS_PER_DAY: i64 = 24 * USECS_PER_HOUR;
const DAYS_PER_MONTH: i64 = 30;

/// A PostgreSQL interval: three separate fields, exactly as the server stores it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Interval {
    pub months: i64,
    pub days: i64,
    pub micros: i64,
}

/// Why an interval could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IntervalError {
    #[error("empty interval")]
    Empty,
    #[error("invalid interval {input:?}: {reason}")]
    Syntax { input: String, reason: String },
    #[error("interval out of range: {input:?}")]
    OutOfRange { input: String },
}

/// A duration as TimescaleDB accepts it: an interval, or a plain integer for hypertables
/// partitioned on an integer column (where `chunk_time_interval => 100000` is in column units).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PgDuration {
    Interval(Interval),
    Integer(i64),
}

impl Interval {
    pub const ZERO: Interval = Interval {
        months: 0,
        days: 0,
        micros: 0,
    };

    pub fn new(months: i64, days: i64, micros: i64) -> Self {
        Interval {
            months,
            days,
            micros,
        }
    }

    /// Length in microseconds with a month = 30 days and a day = 24 hours: the key PostgreSQL's
    /// `interval_cmp` uses, so `1 day` = `24 hours` and `1 mon` = `30 days`.
    pub fn total_micros(&self) -> i128 {
        (self.months as i128 * DAYS_PER_MONTH as i128 + self.days as i128) * USECS_PER_DAY as i128
            + self.micros as i128
    }

    /// Field-by-field identity (`1 day` is not `24:00:00` here). Expressions use this: adding
    /// `1 day` and adding `24 hours` to a timestamptz differ across a DST change.
    pub fn same_fields(&self, other: &Interval) -> bool {
        self.months == other.months && self.days == other.days && self.micros == other.micros
    }

    fn negate(&mut self) {
        self.months = -self.months;
        self.days = -self.days;
        self.micros = -self.micros;
    }
}

impl PartialEq for Interval {
    fn eq(&self, other: &Self) -> bool {
        self.total_micros() == other.total_micros()
    }
}

impl Eq for Interval {}

impl Hash for Interval {
    // Consistent with Eq: equal totals hash alike.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.total_micros().hash(state);
    }
}

impl PartialOrd for Interval {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Interval {
    fn cmp(&self, other: &Self) -> Ordering {
        self.total_micros().cmp(&other.total_micros())
    }
}

impl fmt::Display for Interval {
    /// PostgreSQL's default output (`IntervalStyle = postgres`), e.g. `1 year 2 mons`,
    /// `3 days 02:00:00`, `-1 days +02:00:00`, `00:00:00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let year = self.months / 12;
        let mon = self.months % 12;
        let mut out = String::new();
        let mut is_zero = true;
        let mut is_before = false;
        for (value, unit) in [(year, "year"), (mon, "mon"), (self.days, "day")] {
            if value == 0 {
                continue;
            }
            if !is_zero {
                out.push(' ');
            }
            if is_before && value > 0 {
                out.push('+');
            }
            out.push_str(&format!("{value} {unit}"));
            if value != 1 {
                out.push('s');
            }
            is_before = value < 0;
            is_zero = false;
        }
        if is_zero || self.micros != 0 {
            let m = self.micros;
            let minus = m < 0;
            let abs = m.unsigned_abs();
            let hours = abs / USECS_PER_HOUR as u64;
            let mins = (abs / USECS_PER_MINUTE as u64) % 60;
            let secs = (abs / USECS_PER_SEC as u64) % 60;
            let frac = abs % USECS_PER_SEC as u64;
            if !is_zero {
                out.push(' ');
            }
            if minus {
                out.push('-');
            } else if is_before {
                out.push('+');
            }
            out.push_str(&format!("{hours:02}:{mins:02}:{secs:02}"));
            if frac != 0 {
                let digits = format!("{frac:06}");
                out.push('.');
                out.push_str(digits.trim_end_matches('0'));
            }
        }
        f.write_str(&out)
    }
}

impl fmt::Display for PgDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PgDuration::Interval(i) => i.fmt(f),
            PgDuration::Integer(n) => write!(f, "{n}"),
        }
    }
}

/// Parses an interval the way PostgreSQL's `interval_in` does (verbose `1 day 02:00:00`,
/// abbreviations `1h`/`15min`, `@ 1 day`, `ago`, SQL-standard `1-2`, ISO 8601 `P1DT2H`),
/// also accepting the SQL wrappers a contract may carry: `INTERVAL '1 day'`, `'1 day'`,
/// `'1 day'::interval`, `INTERVAL '1' DAY`.
pub fn parse_interval(input: &str) -> Result<Interval, IntervalError> {
    let body = unwrap_sql(input)?;
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return Err(IntervalError::Empty);
    }
    let mut p = Acc::new(input);
    if trimmed.starts_with(['P', 'p']) {
        p.iso(&trimmed[1..])?;
    } else {
        p.verbose(trimmed)?;
    }
    Ok(p.iv)
}

/// Parses a duration: a plain integer (integer-time hypertables) or an interval.
/// Note that PostgreSQL reads a bare `5` as an interval of 5 seconds; here it is `Integer(5)`,
/// because for TimescaleDB settings a bare integer is in the time column's own units.
pub fn parse_duration(input: &str) -> Result<PgDuration, IntervalError> {
    let t = input.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return t
            .parse::<i64>()
            .map(PgDuration::Integer)
            .map_err(|_| IntervalError::OutOfRange {
                input: input.to_string(),
            });
    }
    parse_interval(input).map(PgDuration::Interval)
}

fn syntax(input: &str, reason: impl Into<String>) -> IntervalError {
    IntervalError::Syntax {
        input: input.to_string(),
        reason: reason.into(),
    }
}

/// Strips `INTERVAL`, the quotes, a `::interval` cast, and applies a single-field qualifier
/// (`INTERVAL '1' DAY`) to a bare number.
fn unwrap_sql(input: &str) -> Result<String, IntervalError> {
    let mut s = input.trim();
    if let Some(pos) = s.rfind("::") {
        let ty = s[pos + 2..].trim();
        if ty.eq_ignore_ascii_case("interval") {
            s = s[..pos].trim();
        }
    }
    if let (Some(head), Some(rest)) = (s.get(..8), s.get(8..))
        && head.eq_ignore_ascii_case("interval")
        && rest.starts_with(|c: char| c.is_whitespace() || c == '\'')
    {
        s = rest.trim_start();
    }
    let Some(inner) = s.strip_prefix('\'') else {
        return Ok(s.to_string());
    };
    // Find the closing quote ('' is an escaped quote).
    let mut body = String::new();
    let mut chars = inner.char_indices().peekable();
    let mut rest = None;
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            if chars.peek().map(|&(_, n)| n) == Some('\'') {
                body.push('\'');
                chars.next();
            } else {
                rest = Some(&inner[i + 1..]);
                break;
            }
        } else {
            body.push(c);
        }
    }
    let Some(rest) = rest else {
        return Err(syntax(input, "unterminated quoted string"));
    };
    let qualifier = rest.trim().to_ascii_lowercase();
    if qualifier.is_empty() {
        return Ok(body);
    }
    const FIELDS: &[&str] = &["year", "month", "day", "hour", "minute", "second"];
    let is_number = {
        let b = body.trim();
        let b = b.strip_prefix(['-', '+']).unwrap_or(b);
        !b.is_empty() && b.bytes().all(|c| c.is_ascii_digit() || c == b'.')
    };
    if FIELDS.contains(&qualifier.as_str()) && is_number {
        return Ok(format!("{} {qualifier}", body.trim()));
    }
    Err(syntax(
        input,
        "interval field qualifiers are supported only as INTERVAL 'n' UNIT",
    ))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Micro,
    Milli,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
    Decade,
    Century,
    Millennium,
}

fn unit_of(word: &str) -> Option<Unit> {
    let w = word.to_ascii_lowercase();
    Some(match w.as_str() {
        "microsecond" | "microseconds" | "us" | "usec" | "usecs" | "usecond" | "useconds" => {
            Unit::Micro
        }
        "millisecond" | "milliseconds" | "ms" | "msec" | "msecs" | "msecond" | "mseconds" => {
            Unit::Milli
        }
        "second" | "seconds" | "s" | "sec" | "secs" => Unit::Second,
        "minute" | "minutes" | "m" | "min" | "mins" => Unit::Minute,
        "hour" | "hours" | "h" | "hr" | "hrs" => Unit::Hour,
        "day" | "days" | "d" => Unit::Day,
        "week" | "weeks" | "w" => Unit::Week,
        "month" | "months" | "mon" | "mons" => Unit::Month,
        "year" | "years" | "y" | "yr" | "yrs" => Unit::Year,
        "decade" | "decades" | "dec" | "decs" => Unit::Decade,
        "century" | "centuries" | "c" | "cent" => Unit::Century,
        "millennium" | "millennia" | "mil" | "mils" => Unit::Millennium,
        _ => return None,
    })
}

/// A signed decimal split into whole and fractional parts (both carry the sign).
#[derive(Debug, Clone, Copy)]
struct Num {
    whole: i64,
    frac: f64,
}

fn parse_num(text: &str, input: &str) -> Result<Num, IntervalError> {
    let (neg, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    let ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int_part.is_empty() && frac_part.is_empty()) || !ok(int_part) || !ok(frac_part) {
        return Err(syntax(input, format!("bad number {text:?}")));
    }
    let whole: i64 = if int_part.is_empty() {
        0
    } else {
        int_part.parse().map_err(|_| IntervalError::OutOfRange {
            input: input.to_string(),
        })?
    };
    let frac: f64 = if frac_part.is_empty() {
        0.0
    } else {
        format!("0.{frac_part}").parse().unwrap_or(0.0)
    };
    let sign = if neg { -1 } else { 1 };
    Ok(Num {
        whole: whole * sign,
        frac: frac * sign as f64,
    })
}

/// Accumulates fields while parsing, with overflow checks.
struct Acc<'a> {
    input: &'a str,
    iv: Interval,
    seen: Vec<Unit>,
}

impl<'a> Acc<'a> {
    fn new(input: &'a str) -> Self {
        Acc {
            input,
            iv: Interval::ZERO,
            seen: Vec::new(),
        }
    }

    fn range(&self) -> IntervalError {
        IntervalError::OutOfRange {
            input: self.input.to_string(),
        }
    }

    fn add(&self, a: i64, b: i64) -> Result<i64, IntervalError> {
        a.checked_add(b).ok_or_else(|| self.range())
    }

    fn mul(&self, a: i64, b: i64) -> Result<i64, IntervalError> {
        a.checked_mul(b).ok_or_else(|| self.range())
    }

    fn round_micros(&self, v: f64) -> Result<i64, IntervalError> {
        let r = v.round();
        if r.is_finite() && r.abs() < 9.2e18 {
            Ok(r as i64)
        } else {
            Err(self.range())
        }
    }

    /// Fractional days spill into time of day, as PostgreSQL's AdjustFractDays does.
    fn add_frac_days(&mut self, days: f64) -> Result<(), IntervalError> {
        let whole = days.trunc();
        self.iv.days = self.add(self.iv.days, whole as i64)?;
        let micros = self.round_micros((days - whole) * USECS_PER_DAY as f64)?;
        self.iv.micros = self.add(self.iv.micros, micros)?;
        Ok(())
    }

    fn apply(&mut self, n: Num, unit: Unit) -> Result<(), IntervalError> {
        if self.seen.contains(&unit) {
            return Err(syntax(self.input, "the same unit appears twice"));
        }
        self.seen.push(unit);
        let micro_unit = match unit {
            Unit::Micro => Some(1),
            Unit::Milli => Some(1_000),
            Unit::Second => Some(USECS_PER_SEC),
            Unit::Minute => Some(USECS_PER_MINUTE),
            Unit::Hour => Some(USECS_PER_HOUR),
            _ => None,
        };
        if let Some(scale) = micro_unit {
            let whole = self.mul(n.whole, scale)?;
            let frac = self.round_micros(n.frac * scale as f64)?;
            self.iv.micros = self.add(self.iv.micros, self.add(whole, frac)?)?;
            return Ok(());
        }
        match unit {
            Unit::Day => {
                self.iv.days = self.add(self.iv.days, n.whole)?;
                self.add_frac_days(n.frac)?;
            }
            Unit::Week => {
                self.iv.days = self.add(self.iv.days, self.mul(n.whole, 7)?)?;
                self.add_frac_days(n.frac * 7.0)?;
            }
            Unit::Month => {
                self.iv.months = self.add(self.iv.months, n.whole)?;
                self.add_frac_days(n.frac * DAYS_PER_MONTH as f64)?;
            }
            _ => {
                // Fractional years become whole months; the rest is dropped, as in PostgreSQL.
                let years = match unit {
                    Unit::Year => 1,
                    Unit::Decade => 10,
                    Unit::Century => 100,
                    _ => 1000,
                };
                let months = self.mul(self.mul(n.whole, years)?, 12)?;
                let frac = (n.frac * (years * 12) as f64).round() as i64;
                self.iv.months = self.add(self.iv.months, self.add(months, frac)?)?;
            }
        }
        Ok(())
    }

    /// `[-]h:mm[:ss[.ffffff]]`
    fn time_field(&mut self, text: &str) -> Result<(), IntervalError> {
        for u in [Unit::Hour, Unit::Minute, Unit::Second] {
            if self.seen.contains(&u) {
                return Err(syntax(self.input, "time given twice"));
            }
            self.seen.push(u);
        }
        let (neg, t) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let parts: Vec<&str> = t.split(':').collect();
        let bad = || syntax(self.input, format!("bad time {text:?}"));
        let int = |s: &str| -> Result<i64, IntervalError> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            s.parse::<i64>().map_err(|_| self.range())
        };
        let (h, m, s) = match parts.as_slice() {
            [h, m] => (
                int(h)?,
                int(m)?,
                Num {
                    whole: 0,
                    frac: 0.0,
                },
            ),
            [h, m, s] => (int(h)?, int(m)?, parse_num(s, self.input)?),
            _ => return Err(bad()),
        };
        if !(0..60).contains(&m) || !(0..60).contains(&s.whole) || s.frac < 0.0 {
            return Err(bad());
        }
        let mut micros = self.add(
            self.mul(h, USECS_PER_HOUR)?,
            self.add(
                m * USECS_PER_MINUTE + s.whole * USECS_PER_SEC,
                self.round_micros(s.frac * USECS_PER_SEC as f64)?,
            )?,
        )?;
        if neg {
            micros = -micros;
        }
        self.iv.micros = self.add(self.iv.micros, micros)?;
        Ok(())
    }

    /// PostgreSQL's own format: `[@] quantity unit [quantity unit ...] [hh:mm:ss] [ago]`.
    fn verbose(&mut self, body: &str) -> Result<(), IntervalError> {
        let mut words: Vec<&str> = body.split_whitespace().collect();
        if words.first() == Some(&"@") {
            words.remove(0);
        } else if let Some(first) = words.first_mut()
            && let Some(rest) = first.strip_prefix('@')
        {
            *first = rest;
        }
        let mut ago = false;
        if words.last().is_some_and(|w| w.eq_ignore_ascii_case("ago")) {
            words.pop();
            ago = true;
        }
        if words.is_empty() {
            return Err(syntax(self.input, "no fields"));
        }
        let mut pending: Option<Num> = None;
        for w in words {
            let is_num_start = w.starts_with(|c: char| c.is_ascii_digit() || "+-.".contains(c));
            if !is_num_start {
                let unit =
                    unit_of(w).ok_or_else(|| syntax(self.input, format!("unknown unit {w:?}")))?;
                let n = pending
                    .take()
                    .ok_or_else(|| syntax(self.input, format!("unit {w:?} without a number")))?;
                self.apply(n, unit)?;
                continue;
            }
            if let Some(n) = pending.take() {
                // A bare number right before a time field counts days (`3 4:05:06`).
                if !w.contains(':') {
                    return Err(syntax(
                        self.input,
                        format!("number {} without a unit", n.whole),
                    ));
                }
                self.apply(n, Unit::Day)?;
            }
            // Split "1.5h", "15min", "1days" into number and unit.
            let split = w.find(|c: char| c.is_alphabetic()).unwrap_or(w.len());
            let (num, unit) = w.split_at(split);
            if num.contains(':') {
                if !unit.is_empty() {
                    return Err(syntax(self.input, format!("bad time {w:?}")));
                }
                self.time_field(num)?;
            } else if num.len() > 1 && num[1..].contains('-') && unit.is_empty() {
                // SQL-standard year-month literal `1-2`.
                let (neg, t) = match num.strip_prefix('-') {
                    Some(t) => (true, t),
                    None => (false, num.strip_prefix('+').unwrap_or(num)),
                };
                let (y, m) = t
                    .split_once('-')
                    .ok_or_else(|| syntax(self.input, format!("bad year-month {w:?}")))?;
                let y = parse_num(y, self.input)?;
                let m = parse_num(m, self.input)?;
                if y.frac != 0.0 || m.frac != 0.0 || !(0..12).contains(&m.whole) {
                    return Err(syntax(self.input, format!("bad year-month {w:?}")));
                }
                let mut months = self.add(self.mul(y.whole, 12)?, m.whole)?;
                if neg {
                    months = -months;
                }
                self.iv.months = self.add(self.iv.months, months)?;
            } else if unit.is_empty() {
                pending = Some(parse_num(num, self.input)?);
            } else {
                let u = unit_of(unit)
                    .ok_or_else(|| syntax(self.input, format!("unknown unit {unit:?}")))?;
                let n = parse_num(num, self.input)?;
                self.apply(n, u)?;
            }
        }
        if let Some(n) = pending {
            // A trailing bare number is seconds, as in PostgreSQL ('5'::interval = 00:00:05).
            self.apply(n, Unit::Second)?;
        }
        if ago {
            self.iv.negate();
        }
        Ok(())
    }

    /// ISO 8601 durations after the `P`: `1Y2M3DT4H5M6S`, `T1H`, `1W`, or the alternative
    /// format `0001-02-03T04:05:06`.
    fn iso(&mut self, body: &str) -> Result<(), IntervalError> {
        let (date, time) = match body.find(['T', 't']) {
            Some(i) => (&body[..i], Some(&body[i + 1..])),
            None => (body, None),
        };
        // PostgreSQL accepts a bare `PT` as zero but rejects a bare `P`.
        if date.is_empty() && time.is_none() {
            return Err(syntax(self.input, "empty ISO 8601 duration"));
        }
        if date.get(1..).is_some_and(|d| d.contains('-')) && !date.contains(char::is_alphabetic) {
            // Alternative format: P<years>-<months>-<days>T<hh:mm:ss>.
            let parts: Vec<&str> = date.split('-').collect();
            let [y, m, d] = parts.as_slice() else {
                return Err(syntax(self.input, "bad ISO 8601 alternative format"));
            };
            self.apply(parse_num(y, self.input)?, Unit::Year)?;
            self.apply(parse_num(m, self.input)?, Unit::Month)?;
            self.apply(parse_num(d, self.input)?, Unit::Day)?;
            if let Some(t) = time {
                self.time_field(t)?;
            }
            return Ok(());
        }
        self.designators(date, false)?;
        if let Some(t) = time {
            self.designators(t, true)?;
        }
        Ok(())
    }

    fn designators(&mut self, mut s: &str, time: bool) -> Result<(), IntervalError> {
        while !s.is_empty() {
            let end = s
                .find(|c: char| c.is_ascii_alphabetic())
                .ok_or_else(|| syntax(self.input, "ISO 8601 number without a designator"))?;
            let n = parse_num(&s[..end], self.input)?;
            let d = s[end..].chars().next().map(|c| c.to_ascii_uppercase());
            let unit = match (d, time) {
                (Some('Y'), false) => Unit::Year,
                (Some('M'), false) => Unit::Month,
                (Some('W'), false) => Unit::Week,
                (Some('D'), false) => Unit::Day,
                (Some('H'), true) => Unit::Hour,
                (Some('M'), true) => Unit::Minute,
                (Some('S'), true) => Unit::Second,
                _ => return Err(syntax(self.input, "bad ISO 8601 designator")),
            };
            self.apply(n, unit)?;
            s = &s[end + 1..];
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Interval {
        match parse_interval(s) {
            Ok(i) => i,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    /// Left: input; right: what PostgreSQL 15.18 printed for `SELECT '<input>'::interval`.
    const PG15: &[(&str, &str)] = &[
        ("1h", "01:00:00"),
        ("15min", "00:15:00"),
        ("2 hrs", "02:00:00"),
        ("1d", "1 day"),
        ("1.5h", "01:30:00"),
        ("1 d", "1 day"),
        ("3 4:05:06", "3 days 04:05:06"),
        ("1-2", "1 year 2 mons"),
        ("-1 day", "-1 days"),
        ("1 day ago", "-1 days"),
        ("-1 day +2 hours", "-1 days +02:00:00"),
        ("1.5 years", "1 year 6 mons"),
        ("1.5 months", "1 mon 15 days"),
        ("1.5 weeks", "10 days 12:00:00"),
        ("1 day -1 hours", "1 day -01:00:00"),
        ("P1Y2M3DT4H5M6S", "1 year 2 mons 3 days 04:05:06"),
        ("PT1.5S", "00:00:01.5"),
        ("P1W", "7 days"),
        ("P0001-02-03T04:05:06", "1 year 2 mons 3 days 04:05:06"),
        ("@ 1 day", "1 day"),
        ("1 us", "00:00:00.000001"),
        ("1 ms", "00:00:00.001"),
        ("1.5 ms", "00:00:00.0015"),
        ("2 decades", "20 years"),
        ("1 century", "100 years"),
        ("1 millennium", "1000 years"),
        ("1 mil", "1000 years"),
        ("+1 day", "1 day"),
        ("1 DAY", "1 day"),
        ("1days", "1 day"),
        ("1 Week", "7 days"),
        ("168:00:00", "168:00:00"),
        ("1:30", "01:30:00"),
        ("-1:30", "-01:30:00"),
        ("1:30:15.5", "01:30:15.5"),
        ("72 hours", "72:00:00"),
        ("1 year 2 mons", "1 year 2 mons"),
        ("13 months", "1 year 1 mon"),
        ("-13 months", "-1 years -1 mons"),
        ("1.5 days", "1 day 12:00:00"),
        ("0.1 seconds", "00:00:00.1"),
        ("1.000001 s", "00:00:01.000001"),
        ("-1 days -02:00:00", "-1 days -02:00:00"),
        ("1 day 02:00:00 ago", "-1 days -02:00:00"),
        ("1 mon -1 day", "1 mon -1 days"),
        ("-1 mon 1 day", "-1 mons +1 day"),
        ("1 sec 500 ms", "00:00:01.5"),
        ("2 weeks 3 days", "17 days"),
        ("PT36H", "36:00:00"),
        ("P1.5D", "1 day 12:00:00"),
        ("P1M1.5D", "1 mon 1 day 12:00:00"),
        ("PT-1H", "-01:00:00"),
        ("1 m", "00:01:00"),
        ("1 M", "00:01:00"),
        ("1 min 1 h", "01:01:00"),
        ("0", "00:00:00"),
        ("5", "00:00:05"),
        ("0.5 mon", "15 days"),
        ("1y 2mon", "1 year 2 mons"),
        ("2y", "2 years"),
        ("3 yrs", "3 years"),
        ("1 yr", "1 year"),
        ("10 secs", "00:00:10"),
        ("10 mins", "00:10:00"),
        ("P1D", "1 day"),
        ("PT1H", "01:00:00"),
        ("1 h 30 m", "01:30:00"),
        ("7 days", "7 days"),
        ("1 mon 30 days", "1 mon 30 days"),
        ("30 days", "30 days"),
        ("-0.5 days", "-12:00:00"),
        ("2.5 min", "00:02:30"),
        ("24 hours", "24:00:00"),
        ("1 day 02:00:00", "1 day 02:00:00"),
        ("1 mon", "1 mon"),
        ("1 month", "1 mon"),
        ("1 year", "1 year"),
        ("90 days", "90 days"),
        ("30 seconds", "00:00:30"),
        ("P-1D", "-1 days"),
        ("PT", "00:00:00"),
        ("@1 day", "1 day"),
        ("1 hour 30", "01:00:30"),
    ];

    #[test]
    fn parses_and_prints_like_postgres_15() {
        for (input, want) in PG15 {
            assert_eq!(p(input).to_string(), *want, "input {input:?}");
        }
    }

    /// Each of these was rejected by PostgreSQL 15 as well.
    #[test]
    fn rejects_what_postgres_rejects() {
        for bad in [
            "",
            "abc",
            "1 fortnight",
            "1 hour 1 hour",
            "-PT1H",
            "1e2 seconds",
            "day",
            "P",
            "1:75",
            "'1 day",
            "1 hour 01:00:00",
            "9223372036854775807 hours",
        ] {
            assert!(parse_interval(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    /// Pairs PostgreSQL 15 reports as equal with `SELECT interval 'a' = interval 'b'`.
    #[test]
    fn equal_like_postgres() {
        for (a, b) in [
            ("72 hours", "3 days"),
            ("1 day", "24 hours"),
            ("1 hour", "60 minutes"),
            ("1 week", "7 days"),
            ("2 weeks", "14 days"),
            ("7 days", "168:00:00"),
            ("1 hour", "01:00:00"),
            ("1 mon", "30 days"),
            ("1 year", "360 days"),
            ("1 day 02:00:00", "26 hours"),
            ("15 minutes", "900 seconds"),
            ("1.5 hours", "90 min"),
            ("P1D", "1 day"),
            ("PT1H", "1 hour"),
        ] {
            assert_eq!(p(a), p(b), "{a} = {b}");
        }
        assert_ne!(p("1 day"), p("1 hour"));
        assert!(p("1 day") < p("25 hours"));
        assert!(p("1 mon") > p("29 days"));
    }

    #[test]
    fn sql_wrappers() {
        assert_eq!(p("INTERVAL '1 day'").to_string(), "1 day");
        assert_eq!(p("interval '7 days'").to_string(), "7 days");
        assert_eq!(p("'1 day'").to_string(), "1 day");
        assert_eq!(p("'1 day'::interval").to_string(), "1 day");
        assert_eq!(p("'24:00:00'::INTERVAL").to_string(), "24:00:00");
        assert_eq!(p("INTERVAL '1' DAY").to_string(), "1 day");
        assert_eq!(p("interval '2' hour").to_string(), "02:00:00");
        assert!(parse_interval("INTERVAL '1 day' HOUR TO MINUTE").is_err());
    }

    #[test]
    fn fields_are_kept_apart() {
        let day = p("1 day");
        let hours = p("24 hours");
        assert_eq!(day, hours);
        assert!(!day.same_fields(&hours));
        assert_eq!((day.months, day.days, day.micros), (0, 1, 0));
        assert_eq!(hours.micros, 24 * USECS_PER_HOUR);
        assert_eq!(p("1 year").total_micros(), 360 * USECS_PER_DAY as i128);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("100000"), Ok(PgDuration::Integer(100000)));
        assert_eq!(parse_duration(" -5 "), Ok(PgDuration::Integer(-5)));
        assert_eq!(
            parse_duration("1 day"),
            Ok(PgDuration::Interval(Interval::new(0, 1, 0)))
        );
        assert_eq!(
            parse_duration("7 days").map(|d| d.to_string()).ok(),
            Some("7 days".into())
        );
        assert!(parse_duration("99999999999999999999").is_err());
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn odd_input_is_an_error_not_a_panic() {
        for s in [
            "Pé",
            "intervalé",
            "intervaléé '1 day'",
            "é",
            "1é",
            "@",
            "@ ",
            "ago",
            "1 day ago ago",
            "''",
            "'",
            "P-",
            "PT1",
            "P1",
            "1:",
            ":",
            "1::",
            "--1 day",
            "1-",
            "-",
            "+",
            ".",
            "1..5 s",
            "P1Y-2",
            "P0001-02",
            "1 day ' extra",
            "INTERVAL",
            "INTERVAL '1' FORTNIGHT",
        ] {
            let _ = parse_interval(s);
            let _ = parse_duration(s);
        }
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        assert!(parse_interval("9223372036854775807 hours").is_err());
        assert!(parse_interval("99999999999999999999 days").is_err());
        assert!(parse_interval("9223372036854775807 years").is_err());
    }
}
