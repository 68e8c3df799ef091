//! A change from a baseline (`is at least 25 % above` / `below`): the
//! Cairo-Bishop "25 % rise from baseline" read as written, exact at the
//! boundary, and never true merely because the baseline is 0.

use guidelang::eval::{evaluate, Outcome};
use guidelang::facts::parse_case;
use guidelang::model::{Guideline, Verdict};
use proptest::prelude::*;

const LYSIS: &str = r#"guideline lysis
  version 1.0.0
  status draft

fact uric_acid: number in mg/dL from 0 "Serum uric acid"
fact uric_acid_baseline: number in mg/dL from 0.1 "Serum uric acid before treatment"
fact calcium: number in mg/dL from 0 "Serum calcium"
fact calcium_baseline: number in mg/dL from 0.1 "Serum calcium before treatment"
fact potassium: number in mmol/L from 0 "Serum potassium"
fact potassium_baseline: number in mmol/L from 0 "Serum potassium before treatment"

rule uric-rise: recommend uric_acid_review when uric_acid is at least 25 % above uric_acid_baseline
rule calcium-fall: recommend calcium_review when calcium is at least 25 % below calcium_baseline
rule potassium-rise: recommend potassium_review when potassium is at least 25 % above potassium_baseline
"#;

fn lysis() -> Guideline {
    guidelang::load_str("lysis.gl", LYSIS).unwrap_or_else(|p| panic!("the guideline checks: {p:?}"))
}

/// The outcome on `action`: `Some(Some(verdict))` decided, `Some(None)`
/// silent, `None` undecided.
fn outcome(g: &Guideline, json: &str, action: &str) -> Option<Option<Verdict>> {
    let case = parse_case(g, json).unwrap_or_else(|e| panic!("{json}: {e:?}"));
    let id = g.action_id(action).expect("declared");
    let result = evaluate(g, &case);
    let a = result.actions.iter().find(|a| a.action == id).expect("an outcome");
    match &a.outcome {
        Outcome::Decided(d) => Some(Some(d.verdict)),
        Outcome::Silent => Some(None),
        _ => None,
    }
}

#[test]
fn a_quarter_above_the_baseline_is_a_rise_and_a_hair_less_is_not() {
    let g = lysis();
    let at = |now: &str| {
        outcome(
            &g,
            &format!(r#"{{"uric_acid": {now}, "uric_acid_baseline": 8}}"#),
            "uric_acid_review",
        )
    };
    assert_eq!(at("10"), Some(Some(Verdict::Recommend)), "8 × 1.25 = 10");
    assert_eq!(at("9.99"), Some(None));
    assert_eq!(at("12"), Some(Some(Verdict::Recommend)));
    // A fall is not a rise.
    assert_eq!(at("4"), Some(None));
}

#[test]
fn a_quarter_below_the_baseline_is_a_fall() {
    let g = lysis();
    let at = |now: &str| {
        outcome(
            &g,
            &format!(r#"{{"calcium": {now}, "calcium_baseline": 8}}"#),
            "calcium_review",
        )
    };
    assert_eq!(at("6"), Some(Some(Verdict::Recommend)), "8 × 0.75 = 6");
    assert_eq!(at("6.01"), Some(None));
    assert_eq!(at("10"), Some(None));
}

#[test]
fn a_baseline_of_zero_decides_nothing() {
    let g = lysis();
    // Written as `potassium >= 1.25 * potassium_baseline`, any value would rise from 0.
    for now in ["0", "3.5", "9"] {
        let json = format!(r#"{{"potassium": {now}, "potassium_baseline": 0}}"#);
        assert_eq!(outcome(&g, &json, "potassium_review"), None, "potassium {now} from 0");
    }
    // The checker said so, on the baseline that admits 0 only.
    let warned: Vec<&str> = g.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(warned[0].contains("`potassium_baseline` may be 0"), "{warned:?}");
    // A baseline declared from 0.1 refuses a 0 as invalid input instead.
    assert!(parse_case(&g, r#"{"uric_acid": 5, "uric_acid_baseline": 0}"#).is_err());
}

#[test]
fn an_unknown_value_or_baseline_leaves_the_rule_open() {
    let g = lysis();
    assert_eq!(outcome(&g, r#"{"uric_acid": 10}"#, "uric_acid_review"), None);
    assert_eq!(outcome(&g, r#"{"uric_acid_baseline": 8}"#, "uric_acid_review"), None);
}

#[test]
fn mistakes_in_a_change_are_explained() {
    let head = "guideline bad\n  version 1.0.0\n  status draft\nfact a: number in mg/dL from 0 \"A\"\nfact b: number in mg/dL from 1 \"B\"\nfact k: number in kg from 1 \"K\"\n";
    for (when, says) in [
        ("a is at least 0 % above b", "a rise of 0 % is no change"),
        ("a is at least 100 % below b", "leaves nothing above zero"),
        ("a is at least 25 % above k", "in one unit"),
        ("a is at least 25 % above missing", "not a declared fact"),
    ] {
        let text = format!("{head}rule r: recommend x when {when}\n");
        let problems = guidelang::load_str("bad.gl", &text).expect_err(when);
        let all: Vec<String> = problems.iter().map(|p| p.message.clone()).collect();
        assert!(all.iter().any(|m| m.contains(says)), "`{when}`: {all:?}");
    }
}

#[test]
fn a_change_formats_reads_back_and_renders_in_words() {
    let source = guidelang::diagnostics::Source::new("lysis.gl", LYSIS);
    let file = guidelang::syntax::parse(&source).expect("parses");
    let text = guidelang::format::format_file(&file);
    assert!(
        text.contains("when uric_acid is at least 25 % above uric_acid_baseline"),
        "{text}"
    );
    let again = guidelang::syntax::parse(&guidelang::diagnostics::Source::new("again.gl", &text)).expect("reparses");
    assert_eq!(
        crate::common::checked::without_spans(&file),
        crate::common::checked::without_spans(&again),
        "read back differently:\n{text}"
    );
    let g = lysis();
    let document = guidelang::report::render_markdown(&guidelang::report::document(&g));
    assert!(document.contains("at least 25 % above"), "{document}");
}

proptest! {
    #![proptest_config(crate::common::gen::config(256))]

    /// On whole numbers (exact in any arithmetic) the rule fires exactly when
    /// the rise, in percent of the baseline, reaches the threshold.
    #[test]
    fn a_rise_is_the_relative_change(now in 0i64..200, base in 1i64..100) {
        let g = lysis();
        let json = format!(r#"{{"uric_acid": {now}, "uric_acid_baseline": {base}}}"#);
        let rose = 100 * (now - base) >= 25 * base;
        prop_assert_eq!(outcome(&g, &json, "uric_acid_review"), Some(rose.then_some(Verdict::Recommend)));
        let json = format!(r#"{{"calcium": {now}, "calcium_baseline": {base}}}"#);
        let fell = 100 * (base - now) >= 25 * base;
        prop_assert_eq!(outcome(&g, &json, "calcium_review"), Some(fell.then_some(Verdict::Recommend)));
    }
}
