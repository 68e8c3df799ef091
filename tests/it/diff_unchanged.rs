//! `diff` says nothing about an action whose rules, and every definition and
//! fact declaration they read, are the same in both versions — not a decision
//! change, not a "not compared" — however far its conditions lie outside the
//! exact fragment.

use guidelang::analysis::diff::diff;

/// `ratio` is arithmetic on two facts: to the solver, two copies of it are
/// two free atoms, which is where a spurious "not compared" came from.
const OLD: &str = r#"guideline unchanged-actions
  version 1.0.0
  status draft

reference 1 "Test reference"

fact weight: number in kg from 1 to 300 "Body weight."
fact ideal_weight: number in kg from 1 to 300 "Ideal body weight."
fact wbc: number in 10^9/L from 0 "White blood cell count."
fact frail: bool "Frail."

define ratio: weight / ideal_weight

rule fluids-for-large-patients: recommend fluids
  when ratio > 1.2
  cite 1

rule no-fluids-when-frail: avoid fluids
  when frail and weight + ideal_weight > 150
  cite 1

rule hydroxyurea-for-high-count: recommend hydroxyurea
  when wbc > 100
  cite 1
"#;

fn versions(new_text: &str) -> (guidelang::model::Guideline, guidelang::model::Guideline) {
    let old = guidelang::load_str("old.gl", OLD).expect("the old version checks");
    let new = guidelang::load_str("new.gl", new_text).expect("the new version checks");
    (old, new)
}

fn about(d: &guidelang::analysis::diff::Diff, action: &str) -> (usize, usize) {
    (
        d.decisions.iter().filter(|c| c.action == action).count(),
        d.not_compared.iter().filter(|c| c.action == action).count(),
    )
}

#[test]
fn an_unrelated_rule_change_reports_nothing_about_the_untouched_action() {
    let new_text = OLD
        .replace("version 1.0.0", "version 1.1.0")
        .replace("when wbc > 100", "when wbc > 50");
    let (old, new) = versions(&new_text);
    let d = diff(&old, &new).expect("the budget suffices");
    assert_eq!(about(&d, "fluids"), (0, 0), "{:?} {:?}", d.decisions, d.not_compared);
    // The changed action is still compared: 75 now gets hydroxyurea.
    assert!(
        d.decisions.iter().any(|c| c.action == "hydroxyurea"),
        "{:?}",
        d.decisions
    );
}

#[test]
fn wording_of_the_untouched_rules_is_no_decision_change() {
    // A rationale and a description are wording: nothing a patient sees.
    let new_text = OLD.replace("version 1.0.0", "version 1.0.1").replace(
        "  when ratio > 1.2\n",
        "  when ratio > 1.2\n  because \"Invented for the test.\"\n",
    );
    let (old, new) = versions(&new_text);
    let d = diff(&old, &new).expect("the budget suffices");
    assert_eq!(about(&d, "fluids"), (0, 0), "{:?} {:?}", d.decisions, d.not_compared);
    assert!(d.decisions.is_empty() && d.not_compared.is_empty());
}

#[test]
fn a_changed_definition_the_action_reads_is_still_compared() {
    // The rules' text is the same, but `ratio` means something else now:
    // the action must not be skipped.
    let new_text = OLD.replace("version 1.0.0", "version 2.0.0").replace(
        "define ratio: weight / ideal_weight",
        "define ratio: weight / (ideal_weight / 2)",
    );
    let (old, new) = versions(&new_text);
    let d = diff(&old, &new).expect("the budget suffices");
    let (decisions, not_compared) = about(&d, "fluids");
    assert!(decisions + not_compared > 0, "{:?} {:?}", d.decisions, d.not_compared);
}

#[test]
fn a_changed_fact_range_the_action_reads_is_still_compared() {
    let new_text = OLD
        .replace("version 1.0.0", "version 2.0.0")
        .replace("from 1 to 300 \"Body weight.\"", "from 1 to 200 \"Body weight.\"");
    let (old, new) = versions(&new_text);
    let d = diff(&old, &new).expect("the budget suffices");
    // Not skipped: the solver is asked. (Over the values both accept the
    // decision is the same, so what it finds is at most "not compared".)
    let (decisions, _) = about(&d, "fluids");
    assert_eq!(decisions, 0, "{:?}", d.decisions);
    assert_eq!(about(&d, "hydroxyurea"), (0, 0));
}
