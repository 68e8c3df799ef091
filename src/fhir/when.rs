//! Times in a record: the evaluation instant, and FHIR `dateTime` /
//! `instant` values, which may be partial (`2026`, `2026-12`, `2026-12-01`).
//! A partial time is kept as the span it covers, so a window check never
//! guesses where in the day (or month) a result was taken.

use std::fmt;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// The instant a record is read at: results after it are not used, and the
/// look-back windows end at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Instant(Timestamp);

impl Instant {
    /// The instant from a Unix time in seconds, if in range.
    pub fn from_seconds(seconds: i64) -> Option<Instant> {
        Timestamp::from_second(seconds).ok().map(Instant)
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn seconds(self) -> i64 {
        self.0.as_second()
    }

    /// Its day (in UTC) as a day number ([`crate::time`]): the case's `as_of`.
    pub fn day(self) -> f64 {
        day_number(self.0.to_zoned(TimeZone::UTC).date())
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The last second of `day` (a day number) in UTC: `--as-of 2026-12-01`
/// reads every result of that day.
pub fn end_of_day(day: f64) -> Option<Instant> {
    if !day.is_finite() || day.fract() != 0.0 {
        return None;
    }
    let seconds = (day as i64).checked_mul(86_400)?.checked_add(86_399)?;
    Instant::from_seconds(seconds)
}

/// `--as-of` as given: a date `YYYY-MM-DD` (the end of that day, UTC) or an
/// RFC 3339 timestamp with its offset (`2026-12-01T08:00:00Z`).
pub fn parse_instant(text: &str) -> Result<Instant, String> {
    if text.len() == 10 {
        let day = crate::time::parse_day(text)?;
        return end_of_day(day).ok_or_else(|| format!("{text} is out of range"));
    }
    let t: Timestamp = text
        .parse()
        .map_err(|_| format!("`{text}` is neither a date YYYY-MM-DD nor a timestamp such as 2026-12-01T08:00:00Z"))?;
    let instant = Instant(t);
    // The same calendar bounds as a date.
    crate::time::parse_day(&crate::time::format_day(instant.day()))?;
    Ok(instant)
}

/// A FHIR time as the span it covers, in seconds since 1970: one second for
/// a full timestamp, the whole day, month or year for a partial one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// The earliest second it may mean.
    pub earliest: i64,
    /// The latest second it may mean.
    pub latest: i64,
}

/// Reads a FHIR `dateTime` (or `instant`): `YYYY`, `YYYY-MM`, `YYYY-MM-DD`,
/// or a timestamp with hours, minutes, optional seconds and a required
/// offset. A partial date is taken in UTC.
pub fn parse_fhir_time(text: &str) -> Result<Span, String> {
    let refuse = || {
        format!(
            "`{}` is not a FHIR dateTime (YYYY, YYYY-MM, YYYY-MM-DD or a timestamp with its offset, e.g. 2026-12-01T08:00:00Z)",
            text.chars().take(40).collect::<String>()
        )
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let date_span = |first: Date, last: Date| -> Result<Span, String> {
        let earliest = first.to_zoned(TimeZone::UTC).map_err(|_| refuse())?.timestamp();
        let latest = last.to_zoned(TimeZone::UTC).map_err(|_| refuse())?.timestamp();
        Ok(Span {
            earliest: earliest.as_second(),
            latest: latest.as_second() + 86_399,
        })
    };
    match text.len() {
        4 if digits(text) => {
            let y: i16 = text.parse().map_err(|_| refuse())?;
            let first = Date::new(y, 1, 1).map_err(|_| refuse())?;
            let last = Date::new(y, 12, 31).map_err(|_| refuse())?;
            date_span(first, last)
        }
        7 if digits(&text[..4]) && &text[4..5] == "-" && digits(&text[5..]) => {
            let y: i16 = text[..4].parse().map_err(|_| refuse())?;
            let m: i8 = text[5..].parse().map_err(|_| refuse())?;
            let first = Date::new(y, m, 1).map_err(|_| refuse())?;
            date_span(first, first.last_of_month())
        }
        10 => {
            let d: Date = text.parse().map_err(|_| refuse())?;
            date_span(d, d)
        }
        _ => {
            // jiff reads RFC 3339 and requires the offset, as FHIR does.
            let t: Timestamp = text.parse().map_err(|_| refuse())?;
            Ok(Span {
                earliest: t.as_second(),
                latest: t.as_second(),
            })
        }
    }
}

/// A day number of a civil date.
fn day_number(d: Date) -> f64 {
    crate::time::parse_day(&d.to_string()).unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_times_cover_their_whole_span() {
        let day = parse_fhir_time("2026-12-01").unwrap();
        assert_eq!(day.latest - day.earliest, 86_399);
        let month = parse_fhir_time("2026-02").unwrap();
        assert_eq!(month.latest - month.earliest + 1, 28 * 86_400);
        let year = parse_fhir_time("2024").unwrap();
        assert_eq!(year.latest - year.earliest + 1, 366 * 86_400);
        let t = parse_fhir_time("2026-12-01T08:00:00+01:00").unwrap();
        assert_eq!(t.earliest, parse_fhir_time("2026-12-01T07:00:00Z").unwrap().earliest);
        assert_eq!(t.earliest, day.earliest + 7 * 3600);
    }

    #[test]
    fn a_timestamp_without_its_offset_is_refused() {
        assert!(parse_fhir_time("2026-12-01T08:00:00").is_err());
        assert!(parse_fhir_time("2026-13-01").is_err());
        assert!(parse_fhir_time("yesterday").is_err());
    }

    #[test]
    fn a_date_instant_is_the_end_of_that_day() {
        let i = parse_instant("2026-12-01").unwrap();
        assert_eq!(i.to_string(), "2026-12-01T23:59:59Z");
        assert_eq!(crate::time::format_day(i.day()), "2026-12-01");
        let t = parse_instant("2026-12-01T08:30:00Z").unwrap();
        assert_eq!(t.day(), i.day());
        assert!(parse_instant("2026-12-01T08:30:00").is_err());
        assert!(parse_instant("2300-01-01T00:00:00Z").is_err());
    }
}
