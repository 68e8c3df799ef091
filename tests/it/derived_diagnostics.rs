//! One snapshot per diagnostic of scores and categories, rendered as an
//! editor sees it; each example is correct but for the one mistake, and the
//! exact list of codes is asserted too (a stray extra error is a bug).

const HEADER: &str = "guideline demo
  version 1.0.0
  status draft

fact age: integer from 0 to 130 \"Age in years.\"
fact heart_failure: bool \"Congestive heart failure.\"
fact stroke: bool \"Prior stroke or TIA.\"
fact wbc: number in 10^9/L from 0 \"White blood cell count.\"
";

fn diagnose(body: &str, expected: &[&str]) -> String {
    crate::common::checked::diagnose(HEADER, body, expected)
}

const SCORE: &str = "
score risk \"Risk score\":
  1 when heart_failure
  2 when age >= 75
  2 when stroke
";

#[test]
fn a_well_formed_score_and_category_check_clean() {
    let body = format!(
        "{SCORE}
category band \"Risk band\":
  high when risk >= 2
  low otherwise

rule r: recommend x
  when band is high and wbc > 100
"
    );
    assert_eq!(diagnose(&body, &[]), "");
}

#[test]
fn duplicate_level() {
    let out = diagnose(
        "
category band \"Band\":
  high when wbc > 100
  low when wbc <= 100
  high otherwise

rule r: recommend x
  when band is high
",
        &["guidelang::check::duplicate_level"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn unknown_level_in_is() {
    let out = diagnose(
        "
category band \"Band\":
  high when wbc > 100
  low otherwise

rule r: recommend x
  when band is hihg
",
        &["guidelang::check::unknown_level"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn unknown_level_in_is_one_of() {
    let out = diagnose(
        "
category band \"Band\":
  high when wbc > 100
  low otherwise

rule r: recommend x
  when band is not one of (low, medium)
",
        &["guidelang::check::unknown_level"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn non_integer_points() {
    let out = diagnose(
        "
score risk \"Risk\":
  1 when heart_failure
  0.5 when stroke

rule r: recommend x
  when risk >= 1
",
        &["guidelang::check::score_points"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn zero_points() {
    let out = diagnose(
        "
score risk \"Risk\":
  1 when heart_failure
  0 when stroke

rule r: recommend x
  when risk >= 1
",
        &["guidelang::check::score_points"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn score_in_arithmetic() {
    let out = diagnose(
        &format!("{SCORE}\nrule r: recommend x\n  when risk + 1 >= 3\n"),
        &["guidelang::check::score_in_arithmetic"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn score_compared_with_a_fact() {
    let out = diagnose(
        &format!("{SCORE}\nrule r: recommend x\n  when risk >= age\n"),
        &["guidelang::check::score_compared"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn score_alone_as_a_condition() {
    let out = diagnose(
        &format!("{SCORE}\nrule r: recommend x\n  when risk and stroke\n"),
        &["guidelang::check::score_not_compared"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn category_compared_with_a_number() {
    let out = diagnose(
        "
category band \"Band\":
  high when wbc > 100
  low otherwise

rule r: recommend x
  when band > 1
",
        &["guidelang::check::category_not_tested"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn a_definition_cannot_use_a_score() {
    let out = diagnose(
        &format!("{SCORE}\ndefine high_risk: risk >= 2\n\nrule r: recommend x\n  when high_risk\n"),
        &["guidelang::check::derived_order"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn overlapping_levels_with_a_witness() {
    let out = diagnose(
        "
category band \"Band\":
  high when wbc > 100
  middle when wbc > 50 and wbc <= 150
  low when wbc <= 50

rule r: recommend x
  when band is high
",
        &["guidelang::check::category_overlap"],
    );
    // The witness is a white count in both ranges.
    assert!(out.contains("\"wbc\":"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn a_gap_between_levels_with_a_witness() {
    let out = diagnose(
        &format!(
            "{SCORE}
category band \"Band\":
  high when risk >= 3
  low when risk <= 1

rule r: recommend x
  when band is high
"
        ),
        &["guidelang::check::category_gap"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn otherwise_before_another_level() {
    let out = diagnose(
        "
category band \"Band\":
  low otherwise
  high when wbc > 100

rule r: recommend x
  when band is high
",
        &["guidelang::syntax::otherwise_not_last"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn points_without_when() {
    let out = diagnose(
        "
score risk \"Risk\":
  1 heart_failure

rule r: recommend x
  when risk >= 1
",
        &["guidelang::syntax::unexpected"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn levels_over_computed_quantities_are_not_proved_never_passed() {
    // The analysis leaves `wbc * 2 > 10` free, so it cannot prove the levels
    // exclusive or exhaustive; the evaluator refutes its witnesses, and the
    // checker warns instead of passing or failing.
    let out = diagnose(
        "
category band \"Band\":
  high when wbc * 2 > 10
  low when wbc * 2 <= 10

rule r: recommend x
  when band is high
",
        &[
            "guidelang::check::category_not_proved",
            "guidelang::check::category_not_proved",
        ],
    );
    insta::assert_snapshot!(out);
}
