//! Dates: date facts, the evaluation date (`today`, `--as-of`, a case's
//! `"as_of"`), moving a date by days, weeks, months or years, the time
//! between two dates, and an age in whole years. Expected values come from
//! the calendar, worked out by hand or by a plain tuple formula, never from
//! the program's output.

use assert_cmd::Command;
use guidelang::eval::{evaluate, Outcome};
use guidelang::facts::{parse_case, Case};
use guidelang::model::{Guideline, Verdict};
use guidelang::time::{add_months, format_day, parse_day, whole_between, CalendarUnit};
use proptest::prelude::*;

const DATED: &str = r#"guideline dated
  version 1.0.0
  status draft

fact birth_date: date "Date of birth"
fact major_bleed: date "Last major bleed"
fact treatment_start: date "Start of treatment"
fact uric_acid_date: date "Date of the uric acid result"

define age in a: today - birth_date "Age in whole years"
define recent_bleed: major_bleed >= today - 6 mo "A major bleed in the last 6 months"
define uric_acid_in_window: uric_acid_date >= treatment_start - 3 d and uric_acid_date <= treatment_start + 1 wk
  "Uric acid measured from 3 days before to 7 days after the start of treatment"

rule older: consider geriatric_review when age >= 75
rule bleed: avoid anticoagulation when recent_bleed
rule bleed-by-difference: avoid bleeding_risk_review when today - major_bleed <= 6 mo
rule window: recommend tls_assessment when uric_acid_in_window
rule bleed-in-parentheses: avoid aspirin when (today - major_bleed) <= (6 mo)
"#;

fn dated() -> Guideline {
    match guidelang::load_str("dated.gl", DATED) {
        Ok(g) => g,
        Err(problems) => panic!("the dated guideline checks: {problems:?}"),
    }
}

fn case(g: &Guideline, json: &str) -> Case {
    parse_case(g, json).unwrap_or_else(|e| panic!("{json} is valid: {e:?}"))
}

/// The verdict on `action`, `None` when silent; panics when undecided.
fn verdict(g: &Guideline, c: &Case, action: &str) -> Option<Verdict> {
    let id = g.action_id(action).expect("declared action");
    let result = evaluate(g, c);
    let a = result
        .actions
        .iter()
        .find(|a| a.action == id)
        .expect("an outcome per action");
    match &a.outcome {
        Outcome::Decided(d) => Some(d.verdict),
        Outcome::Silent => None,
        other => panic!("{action} is not decided: {other:?}"),
    }
}

#[test]
fn age_in_whole_years_is_reached_on_the_birthday() {
    let g = dated();
    let on = case(&g, r#"{"birth_date": "1951-03-15", "as_of": "2026-03-15"}"#);
    let before = case(&g, r#"{"birth_date": "1951-03-15", "as_of": "2026-03-14"}"#);
    assert_eq!(verdict(&g, &on, "geriatric_review"), Some(Verdict::Consider));
    assert_eq!(verdict(&g, &before, "geriatric_review"), None);
}

#[test]
fn the_last_six_months_are_calendar_months() {
    let g = dated();
    // Six months before 31 August is 28 February (2026 is not a leap year).
    let edge = case(&g, r#"{"major_bleed": "2026-02-28", "as_of": "2026-08-31"}"#);
    let older = case(&g, r#"{"major_bleed": "2026-02-27", "as_of": "2026-08-31"}"#);
    for action in ["anticoagulation", "bleeding_risk_review", "aspirin"] {
        assert_eq!(verdict(&g, &edge, action), Some(Verdict::Avoid), "{action} on the edge");
        assert_eq!(verdict(&g, &older, action), None, "{action} a day earlier");
    }
}

#[test]
fn a_window_around_another_date_includes_both_ends() {
    let g = dated();
    let at = |lab: &str| {
        case(
            &g,
            &format!(r#"{{"treatment_start": "2026-05-10", "uric_acid_date": "{lab}", "as_of": "2026-06-01"}}"#),
        )
    };
    for (lab, inside) in [
        ("2026-05-06", false),
        ("2026-05-07", true),
        ("2026-05-10", true),
        ("2026-05-17", true),
        ("2026-05-18", false),
    ] {
        let want = inside.then_some(Verdict::Recommend);
        assert_eq!(verdict(&g, &at(lab), "tls_assessment"), want, "uric acid on {lab}");
    }
}

#[test]
fn an_unknown_date_leaves_the_decision_open_and_names_the_fact() {
    let g = dated();
    let c = case(&g, r#"{"as_of": "2026-06-01"}"#);
    let result = evaluate(&g, &c);
    let id = g.action_id("geriatric_review").expect("declared");
    let a = result.actions.iter().find(|a| a.action == id).expect("an outcome");
    match &a.outcome {
        Outcome::Undecided { needs, .. } => {
            let names: Vec<&str> = needs.iter().map(|f| g.fact(*f).name.as_str()).collect();
            assert_eq!(names, ["birth_date"]);
        }
        other => panic!("undecided expected, got {other:?}"),
    }
}

#[test]
fn without_an_evaluation_date_today_is_unknown_never_a_guess() {
    let g = dated();
    let c = case(&g, r#"{"birth_date": "1930-01-01"}"#);
    let id = g.action_id("geriatric_review").expect("declared");
    let result = evaluate(&g, &c);
    let a = result.actions.iter().find(|a| a.action == id).expect("an outcome");
    assert!(matches!(a.outcome, Outcome::Undecided { .. }), "{:?}", a.outcome);
    assert_eq!(result.as_of, None);
}

#[test]
fn dates_in_the_future_or_off_the_calendar_are_invalid_input() {
    let g = dated();
    let future = parse_case(&g, r#"{"major_bleed": "2026-06-02", "as_of": "2026-06-01"}"#).unwrap_err();
    assert_eq!(future.len(), 1);
    assert_eq!(future[0].key.as_deref(), Some("major_bleed"));
    assert!(
        future[0].message.contains("after the evaluation date 2026-06-01"),
        "{}",
        future[0].message
    );
    for (bad, says) in [
        ("2026-02-30", "no day 2026-02-30"),
        ("1899-12-31", "from 1900-01-01"),
        ("31/01/2026", "YYYY-MM-DD"),
    ] {
        let errors = parse_case(&g, &format!(r#"{{"birth_date": "{bad}"}}"#)).unwrap_err();
        assert!(errors[0].message.contains(says), "{bad}: {}", errors[0].message);
    }
    let number = parse_case(&g, r#"{"birth_date": 19510315}"#).unwrap_err();
    assert!(number[0].message.contains("YYYY-MM-DD"), "{}", number[0].message);
    // The evaluation date set later (from the command line) is checked too.
    let mut c = case(&g, r#"{"treatment_start": "2026-06-10"}"#);
    assert!(c.set_as_of(&g, day("2026-06-01")).is_err());
    assert!(c.set_as_of(&g, day("2026-06-10")).is_ok());
}

#[test]
fn no_fact_may_take_the_evaluation_date_key() {
    let text = "guideline g\n  version 1.0.0\n  status draft\nfact as_of: date \"A date\"\nrule r: recommend x when as_of <= today\n";
    let problems = guidelang::load_str("g.gl", text).expect_err("as_of is reserved");
    assert!(
        problems
            .iter()
            .any(|p| p.code == "guidelang::check::reserved_fact_name"),
        "{problems:?}"
    );
}

fn day(s: &str) -> f64 {
    parse_day(s).expect("a valid date")
}

fn guidelang_cli() -> Command {
    let mut cmd = Command::cargo_bin("guidelang").expect("the binary is built");
    cmd.env("NO_COLOR", "1");
    cmd
}

#[test]
fn the_evaluation_date_is_printed_and_a_case_date_wins() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("dated.gl");
    std::fs::write(&file, DATED).expect("written");
    let run = |stdin: &str, format: &str| {
        let out = guidelang_cli()
            .args([
                "eval",
                file.to_str().expect("utf-8"),
                "--as-of",
                "2026-03-14",
                "--format",
                format,
            ])
            .args(["--case", "-"])
            .write_stdin(stdin)
            .output()
            .expect("runs");
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let (code, json) = run(r#"{"birth_date": "1951-03-15"}"#, "json");
    assert_eq!(code, Some(0));
    let json: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(json["as_of"], "2026-03-14");
    assert!(json["decisions"]
        .as_array()
        .expect("a list")
        .iter()
        .all(|d| d["action"] != "geriatric_review"));
    // The case's own date is the one it was recorded for.
    let (_, json) = run(r#"{"birth_date": "1951-03-15", "as_of": "2026-03-15"}"#, "json");
    let json: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(json["as_of"], "2026-03-15");
    assert!(json["decisions"]
        .as_array()
        .expect("a list")
        .iter()
        .any(|d| d["action"] == "geriatric_review"));
    let (_, text) = run(r#"{"birth_date": "1951-03-15"}"#, "text");
    assert!(text.contains("evaluated as of 2026-03-14"), "{text}");
    // A date after --as-of is refused with exit 3, and nothing is printed.
    let (code, out) = run(r#"{"major_bleed": "2026-03-20"}"#, "json");
    assert_eq!((code, out.as_str()), (Some(3), ""));
    // A malformed --as-of is a usage error.
    let out = guidelang_cli()
        .args(["eval", "--as-of", "2026-13-01", "--case", "-"])
        .write_stdin("{}")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

/// In a batch, each brief record of a guideline with dates names the date it
/// was decided as of: `--as-of`, or the record's own.
#[test]
fn brief_records_name_their_evaluation_date() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("dated.gl");
    std::fs::write(&file, DATED).expect("written");
    let cohort = "{\"birth_date\": \"1951-03-15\"}\n{\"birth_date\": \"1951-03-15\", \"as_of\": \"2026-03-15\"}\n";
    let out = guidelang_cli()
        .args([
            "eval",
            file.to_str().expect("utf-8"),
            "--as-of",
            "2026-03-14",
            "--cases",
            "-",
        ])
        .write_stdin(cohort)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let records: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON record"))
        .collect();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["as_of"], "2026-03-14");
    assert_eq!(records[1]["as_of"], "2026-03-15");
    // The 75th birthday falls between the two dates.
    assert!(
        records[0]["decisions"].get("geriatric_review").is_none(),
        "{}",
        records[0]
    );
    assert_eq!(
        records[1]["decisions"]["geriatric_review"], "consider",
        "{}",
        records[1]
    );
}

#[test]
fn date_arithmetic_mistakes_are_explained() {
    let head = "guideline bad\n  version 1.0.0\n  status draft\nfact d: date \"A date\"\nfact n: number in kg from 0 \"A weight\"\n";
    for (when, says) in [
        ("today + 2 > d", "write the unit after the number"),
        ("d > 5", "a date can only be compared with another date"),
        ("today - 1.5 mo > d", "whole number of months"),
        ("d * 2 > today", "dates cannot be used with `*`"),
        ("today + d > d", "two dates cannot be added"),
        ("today - d > 3 kg", "but this is a number in kg"),
        ("today - n > d", "write the unit after the number"),
        ("(d) > 5", "a date can only be compared with another date"),
        ("(today - d) > (3)", "write the unit after the number"),
    ] {
        let text = format!("{head}rule r: recommend x when {when}\n");
        let problems = guidelang::load_str("bad.gl", &text).expect_err(when);
        let all: Vec<String> = problems
            .iter()
            .map(|p| format!("{} {}", p.message, p.help.clone().unwrap_or_default()))
            .collect();
        assert!(all.iter().any(|m| m.contains(says)), "`{when}`: {all:?}");
    }
}

#[test]
fn a_dated_guideline_formats_and_reads_back_the_same() {
    let source = guidelang::diagnostics::Source::new("dated.gl", DATED);
    let file = guidelang::syntax::parse(&source).expect("parses");
    let text = guidelang::format::format_file(&file);
    let again = guidelang::syntax::parse(&guidelang::diagnostics::Source::new("again.gl", &text)).expect("reparses");
    assert_eq!(
        crate::common::checked::without_spans(&file),
        crate::common::checked::without_spans(&again),
        "read back differently:\n{text}"
    );
    assert!(text.contains("define age in a: today - birth_date"), "{text}");
    // And the review document says it in words.
    let document = guidelang::report::render_markdown(&guidelang::report::document(&dated()));
    assert!(document.contains("6 months before today"), "{document}");
    assert!(document.contains("whole years from"), "{document}");
}

/// Whole years the way people count them: the years between, less one when
/// this year's birthday (29 February's being 1 March) is still to come.
fn naive_years(from: (i32, u32, u32), to: (i32, u32, u32)) -> i32 {
    let birthday_passed = (to.1, to.2) >= (from.1, from.2);
    to.0 - from.0 - i32::from(!birthday_passed)
}

fn leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn month_days(y: i32, m: u32) -> u32 {
    match m {
        2 if leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn ymd() -> impl Strategy<Value = (i32, u32, u32)> {
    (1900i32..=2150, 1u32..=12).prop_flat_map(|(y, m)| (Just(y), Just(m), 1..=month_days(y, m)))
}

/// The calendar day of a day number, as a tuple.
fn ymd_of(day: f64) -> (i32, u32, u32) {
    let text = format_day(day);
    let part = |r: std::ops::Range<usize>| text[r].parse::<u32>().expect("digits");
    (part(0..4) as i32, part(5..7), part(8..10))
}

fn text_of((y, m, d): (i32, u32, u32)) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

proptest! {
    #![proptest_config(crate::common::gen::config(256))]

    /// An age in whole years agrees with counting birthdays, including
    /// 29 February (its birthday in a common year is 1 March).
    #[test]
    fn whole_years_count_birthdays(a in ymd(), b in ymd()) {
        let (from, to) = if a <= b { (a, b) } else { (b, a) };
        let want = naive_years(from, to);
        let got = whole_between(CalendarUnit::Year, day(&text_of(from)), day(&text_of(to)));
        prop_assert_eq!(got, f64::from(want), "{} to {}", text_of(from), text_of(to));
    }

    /// Moving by calendar months keeps the day of the month, or the month's
    /// last day when it is shorter.
    #[test]
    fn months_move_on_the_calendar(from in ymd(), months in -36i32..=36) {
        let total = from.0 * 12 + from.1 as i32 - 1 + months;
        let (y, m) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
        prop_assume!((1900..=2199).contains(&y));
        let want = text_of((y, m, from.2.min(month_days(y, m))));
        prop_assert_eq!(format_day(add_months(day(&text_of(from)), months)), want);
    }

    /// The guideline's date rules, evaluated on random dates, agree with the
    /// calendar worked out here: age by birthdays, the six-month look-back by
    /// calendar months (both spellings), the window by days.
    #[test]
    fn date_rules_agree_with_the_calendar(
        as_of in ymd().prop_filter("120 years after 1900", |d| d.0 >= 2030),
        birth_back in 0u32..=43_800,
        bleed_back in 0u32..=400,
        start_back in 0u32..=30,
        offset in -12i32..=12,
    ) {
        // Every date on or before the evaluation date (a later one is invalid
        // input), drawn as days back from it: ages 0 to 120, bleeds around
        // the six-month edge, a treatment begun in the last month.
        let back = |days: u32| ymd_of(day(&text_of(as_of)) - f64::from(days));
        let (birth, bleed, start) = (back(birth_back), back(bleed_back), back(start_back));
        let g = dated();
        let lab_day = day(&text_of(start)) + f64::from(offset);
        prop_assume!(lab_day <= day(&text_of(as_of)) && lab_day >= day("1900-01-01"));
        let c = case(&g, &format!(
            r#"{{"birth_date": "{}", "major_bleed": "{}", "treatment_start": "{}", "uric_acid_date": "{}", "as_of": "{}"}}"#,
            text_of(birth), text_of(bleed), text_of(start), format_day(lab_day), text_of(as_of)
        ));
        let older = naive_years(birth, as_of) >= 75;
        prop_assert_eq!(verdict(&g, &c, "geriatric_review"), older.then_some(Verdict::Consider));
        // Six calendar months back from the evaluation date, clamped.
        let total = as_of.0 * 12 + as_of.1 as i32 - 1 - 6;
        let (y, m) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
        let cutoff = (y, m, as_of.2.min(month_days(y, m)));
        let recent = bleed >= cutoff;
        prop_assert_eq!(verdict(&g, &c, "anticoagulation"), recent.then_some(Verdict::Avoid));
        prop_assert_eq!(verdict(&g, &c, "bleeding_risk_review"), recent.then_some(Verdict::Avoid));
        let inside = (-3..=7).contains(&offset);
        prop_assert_eq!(verdict(&g, &c, "tls_assessment"), inside.then_some(Verdict::Recommend));
    }
}
