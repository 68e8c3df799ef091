//! One snapshot per diagnostic of the parser and the checker, rendered the way
//! an editor sees it (message, label under the source, help), without colour.
//!
//! Each bad guideline is a small inline file that is correct except for the
//! one mistake under test, so each test also asserts that exactly the expected
//! diagnostics come out: a stray extra error would be a bug too.

use guidelang::diagnostics::{Problem, Severity, Source};

/// A header every example shares, so the snippets show only what matters.
const HEADER: &str = "guideline demo
  version 1.0.0
  status draft
  applies when als

fact als: bool \"Pre-existing ALS.\"
fact wbc: number in 10^9/L from 0 \"White blood cell count.\"
";

fn problems(body: &str) -> Vec<Problem> {
    let source = Source::new("demo.gl", format!("{HEADER}{body}"));
    match guidelang::syntax::parse(&source) {
        Err(p) => p,
        Ok(file) => guidelang::check::check(&file, &source).problems,
    }
}

fn codes(problems: &[Problem]) -> Vec<&'static str> {
    problems.iter().map(|p| p.code).collect()
}

fn render(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(Problem::render_plain)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The rendering of `body`'s diagnostics, which must be exactly `expected` (by code).
fn diagnose(body: &str, expected: &[&str]) -> String {
    let found = problems(body);
    assert_eq!(codes(&found), expected, "\n{}", render(&found));
    render(&found)
}

// ---------------------------------------------------------------- syntax

#[test]
fn parse_error_missing_verdict() {
    let out = diagnose(
        "rule hydroxyurea-for-high-wbc: hydroxyurea
  when wbc > 100
",
        &["guidelang::syntax::unexpected"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn parse_error_reserved_word_as_name() {
    let out = diagnose(
        "fact dose: number in mg from 0 \"Cumulative dose.\"
",
        &["guidelang::syntax::unexpected"],
    );
    insta::assert_snapshot!(out);
}

// ---------------------------------------------------------------- names

#[test]
fn unknown_fact_with_did_you_mean() {
    let out = diagnose(
        "rule hydroxyurea-for-high-wbc: recommend hydroxyurea
  when wcb > 100
",
        // The misspelling leaves `wbc` unused, and the warning says so.
        &["guidelang::check::unused_fact", "guidelang::check::unknown_name"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn unknown_definition_with_did_you_mean() {
    let out = diagnose(
        "define hyperleukocytosis: wbc > 100
rule hydroxyurea-for-high-wbc: recommend hydroxyurea
  when hyperleukocytosys
",
        &["guidelang::check::unused_definition", "guidelang::check::unknown_name"],
    );
    insta::assert_snapshot!(out);
}

// ---------------------------------------------------------------- types

#[test]
fn enum_compared_with_a_number() {
    let out = diagnose(
        "fact leukostasis: one of none, pulmonary, cerebral \"Clinical leukostasis.\"
rule leukapheresis-for-leukostasis: consider leukapheresis
  when wbc > 100 and leukostasis > 0
",
        &["guidelang::check::enum_compared"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn enum_value_not_declared() {
    let out = diagnose(
        "fact leukostasis: one of none, pulmonary, cerebral \"Clinical leukostasis.\"
rule leukapheresis-for-leukostasis: consider leukapheresis
  when wbc > 100 and leukostasis is pulmonry
",
        &["guidelang::check::unknown_value"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn number_is_a_named_value() {
    let out = diagnose(
        "rule hydroxyurea-for-high-wbc: recommend hydroxyurea
  when wbc is high
",
        &["guidelang::check::number_is_value"],
    );
    insta::assert_snapshot!(out);
}

// ---------------------------------------------------------------- units

#[test]
fn kilograms_added_to_centimetres() {
    let out = diagnose(
        "fact weight: number in kg from 0 \"Body weight.\"
fact height: number in cm from 0 \"Height.\"
define size: weight + height
rule hydroxyurea-for-high-wbc: recommend hydroxyurea
  when wbc > 100 and size > 200
",
        &["guidelang::check::unit_mismatch"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn wbc_compared_with_a_quantity_in_another_unit() {
    let out = diagnose(
        "rule hydroxyurea-for-high-wbc: recommend hydroxyurea
  when wbc > 100 g/dL
",
        &["guidelang::check::unit_mismatch"],
    );
    insta::assert_snapshot!(out);
}

// ---------------------------------------------------------------- duplicates

#[test]
fn duplicate_rule_id() {
    let out = diagnose(
        "rule hydroxyurea-for-high-wbc: recommend hydroxyurea
  when wbc > 100
rule hydroxyurea-for-high-wbc: recommend hydroxyurea
  when wbc > 150
",
        &["guidelang::check::duplicate_rule"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn duplicate_fact() {
    let out = diagnose(
        "fact wbc: number in 10^9/L from 0 \"White count, again.\"
rule hydroxyurea-for-high-wbc: recommend hydroxyurea
  when wbc > 100
",
        &["guidelang::check::duplicate_name"],
    );
    insta::assert_snapshot!(out);
}

// ---------------------------------------------------------------- citations

#[test]
fn unknown_citation() {
    let out = diagnose(
        "reference 1 \"Guideline Directed Topic Overview\" year 2025
reference 2 \"Management of Active Leukocytosis\" year 2025
rule hydroxyurea-for-high-wbc: recommend hydroxyurea
  when wbc > 100
  cite 1, 7
",
        &["guidelang::check::unknown_citation"],
    );
    insta::assert_snapshot!(out);
}

// ---------------------------------------------------------------- definitions

#[test]
fn definitions_in_a_cycle() {
    let out = diagnose(
        "define high_count: wbc > 100 and not low_count
define low_count: not high_count
rule hydroxyurea-for-high-wbc: recommend hydroxyurea
  when high_count
",
        &["guidelang::check::definition_cycle"],
    );
    insta::assert_snapshot!(out);
}

// ---------------------------------------------------------------- precedence

#[test]
fn overrides_an_unknown_rule() {
    let out = diagnose(
        "rule leukapheresis-for-leukostasis: consider leukapheresis
  when wbc > 200
  overrides no-leukapheresis-in-hyperleukocytsis
rule no-leukapheresis-in-hyperleukocytosis: avoid leukapheresis
  when wbc > 100
",
        &["guidelang::check::unknown_rule"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn overrides_a_rule_on_another_action() {
    let out = diagnose(
        "rule leukapheresis-for-leukostasis: consider leukapheresis
  when wbc > 200
  overrides no-red-cells
rule no-red-cells: avoid rbc_transfusion
  when wbc > 100
",
        &["guidelang::check::override_other_action"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn overrides_a_contraindication() {
    let out = diagnose(
        "rule no-leukapheresis-in-als: contraindicated leukapheresis
  when als
rule leukapheresis-for-leukostasis: consider leukapheresis
  when wbc > 200
  overrides no-leukapheresis-in-als
",
        &["guidelang::check::override_contraindication"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn precedence_cycle() {
    let out = diagnose(
        "rule leukapheresis-for-leukostasis: consider leukapheresis
  when wbc > 200
  overrides no-leukapheresis-in-hyperleukocytosis
rule no-leukapheresis-in-hyperleukocytosis: avoid leukapheresis
  when wbc > 100
  overrides leukapheresis-for-leukostasis
",
        &[
            "guidelang::check::precedence_cycle",
            "guidelang::check::precedence_cycle",
        ],
    );
    insta::assert_snapshot!(out);
}

// ---------------------------------------------------------------- is known

#[test]
fn is_known_outside_an_invariant() {
    let out = diagnose(
        "rule hydroxyurea-when-wbc-missing: recommend hydroxyurea
  when wbc is not known
",
        &["guidelang::check::known_outside_invariant"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn is_known_inside_an_invariant_is_accepted() {
    let found = problems(
        "rule hydroxyurea-for-high-wbc: recommend hydroxyurea
  when wbc > 100
invariant hydroxyurea-decided:
  always decide hydroxyurea when wbc is known and wbc > 100
",
    );
    assert!(found.is_empty(), "{}", render(&found));
}

// ---------------------------------------------------------------- header

#[test]
fn bad_version() {
    let source = Source::new(
        "demo.gl",
        "guideline demo
  version 1.0
  status draft
",
    );
    let file = guidelang::syntax::parse(&source).unwrap();
    let found = guidelang::check::check(&file, &source).problems;
    assert_eq!(codes(&found), ["guidelang::check::bad_version"]);
    insta::assert_snapshot!(render(&found));
}

// ---------------------------------------------------------------- warnings

#[test]
fn unused_fact_is_a_warning() {
    let body = "fact platelets: number in 10^9/L from 0 \"Platelet count.\"
rule hydroxyurea-for-high-wbc: recommend hydroxyurea
  when als and wbc > 100
";
    let out = diagnose(body, &["guidelang::check::unused_fact"]);
    let g = guidelang::load_str("demo.gl", &format!("{HEADER}{body}")).unwrap();
    assert_eq!(g.warnings.len(), 1);
    assert_eq!(g.warnings[0].severity, Severity::Warning);
    insta::assert_snapshot!(out);
}

#[test]
fn recorded_fact_is_not_reported_unused() {
    let found = problems(
        "fact ldh: number in U/L from 0 \"Lactate dehydrogenase.\" recorded
rule hydroxyurea-for-high-wbc: recommend hydroxyurea
  when als and wbc > 100
",
    );
    assert!(found.is_empty(), "{}", render(&found));
}

#[test]
fn unused_definition_is_a_warning() {
    let body = "define neutropenia: wbc < 0.5
rule hydroxyurea-for-high-wbc: recommend hydroxyurea
  when als and wbc > 100
";
    let out = diagnose(body, &["guidelang::check::unused_definition"]);
    let g = guidelang::load_str("demo.gl", &format!("{HEADER}{body}")).unwrap();
    assert_eq!(g.warnings[0].severity, Severity::Warning);
    insta::assert_snapshot!(out);
}

// ---------------------------------------------------------------- all at once

#[test]
fn four_different_errors_are_reported_in_one_run() {
    let out = diagnose(
        "fact leukostasis: one of none, pulmonary, cerebral \"Clinical leukostasis.\"
reference 1 \"Guideline Directed Topic Overview\" year 2025
rule hydroxyurea-for-high-wbc: recommend hydroxyurea
  when wcb > 100
  cite 3
rule leukapheresis-for-leukostasis: consider leukapheresis
  when wbc > 100 and leukostasis is lungs
  overrides no-such-rule
",
        &[
            "guidelang::check::unknown_name",
            "guidelang::check::unknown_citation",
            "guidelang::check::unknown_value",
            "guidelang::check::unknown_rule",
        ],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn the_bundled_guideline_is_clean() {
    let source = Source::new(guidelang::BUNDLED_NAME, guidelang::BUNDLED_TEXT);
    let file = guidelang::syntax::parse(&source).unwrap();
    let found = guidelang::check::check(&file, &source).problems;
    assert!(found.is_empty(), "{}", render(&found));
}

// ---------------------------------------------------------------- the reference

/// The ```gl blocks of docs/language.md.
fn reference_examples() -> Vec<String> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/language.md")).unwrap();
    doc.split("```gl\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap().to_string())
        .collect()
}

#[test]
fn every_example_of_the_language_reference_parses() {
    let examples = reference_examples();
    assert!(examples.len() > 10, "found only {} examples", examples.len());
    for example in examples {
        // Fragments of a rule's fields cannot stand alone; the rule examples show them whole.
        if example.starts_with(' ') {
            continue;
        }
        let text = if example.lines().any(|l| l.starts_with("guideline ")) {
            example.clone()
        } else {
            format!("guideline doc\n  version 1.0.0\n  status draft\n{example}")
        };
        let parsed = guidelang::syntax::parse(&Source::new("language.md", text));
        assert!(
            parsed.is_ok(),
            "{example}\n{}",
            parsed.err().map(|p| render(&p)).unwrap_or_default()
        );
    }
}

#[test]
fn the_complete_example_of_the_language_reference_checks_clean() {
    let example = reference_examples().pop().unwrap();
    match guidelang::load_str("language.md", &example) {
        Ok(g) => assert!(g.warnings.is_empty(), "{}", render(&g.warnings)),
        Err(problems) => panic!("{}", render(&problems)),
    }
}
