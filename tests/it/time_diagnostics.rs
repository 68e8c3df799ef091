//! One snapshot per diagnostic of dates and of changes from a baseline,
//! rendered as an editor sees it; each example is correct but for the one
//! mistake, and the exact list of codes is asserted too.

const HEADER: &str = "guideline demo
  version 1.0.0
  status draft

fact birth_date: date \"Date of birth.\"
fact major_bleed: date \"Date of the last major bleed.\"
fact weight: number in kg from 20 to 350 \"Body weight.\"
fact uric_acid: number in mg/dL from 0 \"Serum uric acid.\"
fact uric_acid_baseline: number in mg/dL from 0.1 \"Serum uric acid before treatment.\"
fact potassium_baseline: number in mmol/L from 0 \"Serum potassium before treatment.\"
";

fn diagnose(body: &str, expected: &[&str]) -> String {
    crate::common::checked::diagnose(HEADER, body, expected)
}

#[test]
fn well_formed_dates_and_changes_check_clean() {
    let body = "
define age in a: today - birth_date \"Age in whole years.\"
rule older: consider review when age >= 75
rule bleed: avoid anticoagulation when major_bleed >= today - 6 mo
rule rise: recommend rasburicase when uric_acid is at least 25 % above uric_acid_baseline
";
    diagnose(body, &[]);
}

#[test]
fn a_duration_without_its_unit() {
    let out = diagnose(
        "rule r: avoid anticoagulation when major_bleed >= today - 180\n",
        &["guidelang::check::date_arithmetic"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn a_date_compared_with_a_number() {
    let out = diagnose(
        "rule r: consider review when birth_date > 1950\n",
        &["guidelang::check::date_arithmetic"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn a_fraction_of_a_month() {
    let out = diagnose(
        "rule r: avoid anticoagulation when major_bleed >= today - 1.5 mo\n",
        &["guidelang::check::date_arithmetic"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn a_fact_named_as_of() {
    let out = diagnose(
        "fact as_of: date \"When.\"\nrule r: consider review when birth_date <= today\n",
        &["guidelang::check::reserved_fact_name"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn a_change_of_no_percent() {
    let out = diagnose(
        "rule r: recommend rasburicase when uric_acid is at least 0 % above uric_acid_baseline\n",
        &["guidelang::check::change_percent"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn a_baseline_that_may_be_zero() {
    let out = diagnose(
        "fact potassium: number in mmol/L from 0 \"Serum potassium.\"\nrule r: recommend review when potassium is at least 25 % above potassium_baseline\n",
        &["guidelang::check::baseline_may_be_zero"],
    );
    insta::assert_snapshot!(out);
}
