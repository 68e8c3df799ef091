//! Calendar dates: how a date fact's value, the evaluation date (`as_of`) and
//! date arithmetic are represented and computed.
//!
//! A date is carried through the evaluator as a whole number of days since
//! 1970-01-01 (an `f64`, like every quantity, NaN when unknown), so comparing
//! two dates and counting the days between them is plain arithmetic. What is
//! not plain arithmetic — adding calendar months or years, and counting whole
//! years between two dates (an age) — is done on the calendar by `jiff`, a
//! well-kept calendar crate, so that "6 months before 31 August" is 28 or 29
//! February and a birthday on 29 February is reached on 1 March.

use jiff::civil::Date;
use jiff::{Span, Unit};

/// The earliest date a case may give: older records are typing errors.
pub const EARLIEST: &str = "1900-01-01";
/// The latest date a case may give (the evaluation date included).
pub const LATEST: &str = "2199-12-31";

const EPOCH: Date = Date::constant(1970, 1, 1);
const FIRST: Date = Date::constant(1900, 1, 1);
const LAST: Date = Date::constant(2199, 12, 31);

/// The calendar units a date can be moved by or counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CalendarUnit {
    /// `d`: a day.
    Day,
    /// `wk`: seven days.
    Week,
    /// `mo`: a calendar month.
    Month,
    /// `a`: a calendar year (the UCUM symbol, from *annus*).
    Year,
}

impl CalendarUnit {
    /// The unit of a duration as written, if it is one dates understand.
    pub fn from_unit(written: &str) -> Option<CalendarUnit> {
        match written {
            "d" => Some(CalendarUnit::Day),
            "wk" => Some(CalendarUnit::Week),
            "mo" => Some(CalendarUnit::Month),
            "a" => Some(CalendarUnit::Year),
            _ => None,
        }
    }

    /// The UCUM symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            CalendarUnit::Day => "d",
            CalendarUnit::Week => "wk",
            CalendarUnit::Month => "mo",
            CalendarUnit::Year => "a",
        }
    }

    /// Months in one of this unit, for the units the calendar measures.
    pub fn months(self) -> Option<i32> {
        match self {
            CalendarUnit::Month => Some(1),
            CalendarUnit::Year => Some(12),
            _ => None,
        }
    }

    /// Days in one of this unit, for the units of fixed length.
    pub fn days(self) -> Option<i32> {
        match self {
            CalendarUnit::Day => Some(1),
            CalendarUnit::Week => Some(7),
            _ => None,
        }
    }
}

/// Reads `YYYY-MM-DD` (exactly that form) as a day number; the error says
/// what is wrong in words a person can act on.
pub fn parse_day(text: &str) -> Result<f64, String> {
    let b = text.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return Err("a date is written YYYY-MM-DD, e.g. 2026-03-31".into());
    }
    let num = |r: std::ops::Range<usize>| text[r].parse::<i16>().unwrap_or(0);
    let (y, m, d) = (num(0..4), num(5..7), num(8..10));
    let date = Date::new(y, m as i8, d as i8).map_err(|_| format!("there is no day {text} in the calendar"))?;
    if date < FIRST || date > LAST {
        return Err(format!("dates from {EARLIEST} to {LATEST} are accepted"));
    }
    Ok(day_number(date))
}

/// `YYYY-MM-DD` of a day number.
pub fn format_day(day: f64) -> String {
    date_of(day).map_or_else(|| format!("day {day}"), |d| d.to_string())
}

/// Today in UTC, as a day number: the evaluation date when none is given.
pub fn today_utc() -> f64 {
    day_number(jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date())
}

/// The day `months` calendar months after `day` (before, when negative);
/// the day of the month is kept, or the month's last day when it has fewer.
/// NaN when `day` is unknown or the result leaves the calendar.
pub fn add_months(day: f64, months: i32) -> f64 {
    date_of(day)
        .and_then(|d| d.checked_add(Span::new().months(months)).ok())
        .map_or(f64::NAN, day_number)
}

/// Whole `unit`s elapsed from `from` to `to` (negative when `to` is
/// earlier): a person born on 2000-03-15 is 25 on 2026-03-14 and 26 on
/// 2026-03-15. NaN when either day is unknown.
pub fn whole_between(unit: CalendarUnit, from: f64, to: f64) -> f64 {
    let (Some(a), Some(b)) = (date_of(from), date_of(to)) else {
        return f64::NAN;
    };
    match unit {
        CalendarUnit::Day => to - from,
        CalendarUnit::Week => ((to - from) / 7.0).trunc(),
        CalendarUnit::Month | CalendarUnit::Year => {
            let largest = if unit == CalendarUnit::Year {
                Unit::Year
            } else {
                Unit::Month
            };
            match a.until((largest, b)) {
                Ok(span) if unit == CalendarUnit::Year => f64::from(span.get_years()),
                Ok(span) => f64::from(span.get_years()) * 12.0 + f64::from(span.get_months()),
                Err(_) => f64::NAN,
            }
        }
    }
}

fn day_number(d: Date) -> f64 {
    EPOCH
        .until((Unit::Day, d))
        .map_or(f64::NAN, |s| f64::from(s.get_days()))
}

fn date_of(day: f64) -> Option<Date> {
    if !day.is_finite() || day.fract() != 0.0 || day.abs() > 200_000.0 {
        return None;
    }
    EPOCH.checked_add(Span::new().days(day as i64)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> f64 {
        parse_day(s).expect("a valid date")
    }

    #[test]
    fn day_numbers_count_from_1970() {
        assert_eq!(day("1970-01-01"), 0.0);
        assert_eq!(day("1970-01-02"), 1.0);
        assert_eq!(day("1969-12-31"), -1.0);
        // 30 years of 365 days, and the 7 leap days of 1972 to 1996.
        assert_eq!(day("2000-01-01"), 30.0 * 365.0 + 7.0);
        assert_eq!(format_day(day("2026-02-28") + 1.0), "2026-03-01");
        assert_eq!(format_day(day("2024-02-28") + 1.0), "2024-02-29");
    }

    #[test]
    fn only_real_dates_in_the_accepted_years_are_read() {
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-1-01",
            "26-01-01",
            "2026/01/01",
            "2026-01-01T00",
        ] {
            assert!(parse_day(bad).is_err(), "{bad} must be refused");
        }
        assert!(parse_day("1899-12-31").is_err());
        assert!(parse_day("2200-01-01").is_err());
        assert!(parse_day("1900-01-01").is_ok());
        assert!(parse_day("2024-02-29").is_ok());
    }

    #[test]
    fn months_are_calendar_months_and_clamp_to_the_month_end() {
        assert_eq!(format_day(add_months(day("2026-08-31"), -6)), "2026-02-28");
        assert_eq!(format_day(add_months(day("2024-08-31"), -6)), "2024-02-29");
        assert_eq!(format_day(add_months(day("2026-12-01"), -6)), "2026-06-01");
        assert_eq!(format_day(add_months(day("2026-01-15"), 12)), "2027-01-15");
        assert!(add_months(f64::NAN, 1).is_nan());
    }

    #[test]
    fn whole_years_are_reached_on_the_birthday() {
        let born = day("2000-03-15");
        assert_eq!(whole_between(CalendarUnit::Year, born, day("2026-03-14")), 25.0);
        assert_eq!(whole_between(CalendarUnit::Year, born, day("2026-03-15")), 26.0);
        // Born on 29 February: the birthday in a common year is 1 March.
        let leap = day("2004-02-29");
        assert_eq!(whole_between(CalendarUnit::Year, leap, day("2005-02-28")), 0.0);
        assert_eq!(whole_between(CalendarUnit::Year, leap, day("2005-03-01")), 1.0);
        assert_eq!(
            whole_between(CalendarUnit::Month, day("2026-01-31"), day("2026-02-28")),
            0.0
        );
        assert_eq!(
            whole_between(CalendarUnit::Month, day("2026-01-31"), day("2026-03-31")),
            2.0
        );
        assert_eq!(
            whole_between(CalendarUnit::Week, day("2026-01-01"), day("2026-01-14")),
            1.0
        );
        assert_eq!(
            whole_between(CalendarUnit::Day, day("2026-01-10"), day("2026-01-01")),
            -9.0
        );
        assert_eq!(whole_between(CalendarUnit::Year, day("2026-03-15"), born), -26.0);
    }
}
