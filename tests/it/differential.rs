//! Differential check: the interpreter running the bundled guideline against
//! a naive, hand-written evaluator of the spec's decision table
//! (`common/naive.rs`), on many random complete cases. A disagreement is an
//! error in the guideline file, in the interpreter, or in the baseline.

use crate::common::gen::{config, to_case, CaseSpace};
use crate::common::naive::{self, Patient};
use guidelang::eval::{evaluate, Applicability, Outcome};
use guidelang::model::Guideline;
use proptest::prelude::*;
use serde_json::Value as Json;

fn bundled() -> &'static Guideline {
    static G: std::sync::OnceLock<Guideline> = std::sync::OnceLock::new();
    G.get_or_init(|| guidelang::bundled().expect("the bundled guideline checks"))
}

/// The bundled guideline's case space, with the spec's own thresholds added
/// so that a wrong threshold in the file is hit too.
fn space(g: &Guideline) -> CaseSpace {
    naive::THRESHOLDS
        .iter()
        .fold(CaseSpace::of(g), |s, (fact, k)| s.with_constant(fact, *k))
}

/// (action, verdict) of every decision the interpreter makes, sorted.
fn interpreter(g: &Guideline, json: &Json) -> (bool, Vec<(String, String)>, Vec<String>) {
    let case = to_case(g, json);
    let e = evaluate(g, &case);
    let mut decided = Vec::new();
    let mut unsettled = Vec::new();
    for a in &e.actions {
        let name = g.action(a.action).name.clone();
        match &a.outcome {
            Outcome::Decided(d) => decided.push((name, d.verdict.to_string())),
            Outcome::Silent => {}
            other => unsettled.push(format!("{name}: {other:?}")),
        }
    }
    decided.sort();
    (e.applicability == Applicability::Applies, decided, unsettled)
}

fn baseline(json: &Json) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = naive::decide(&Patient::from_json(json))
        .into_iter()
        .map(|(a, v)| (a.to_string(), v.to_string()))
        .collect();
    v.sort();
    v
}

fn agree(g: &Guideline, json: &Json) -> Result<(), TestCaseError> {
    let (applies, decided, unsettled) = interpreter(g, json);
    let p = Patient::from_json(json);
    prop_assert_eq!(applies, naive::applies(&p), "scope differs");
    prop_assert!(
        unsettled.is_empty(),
        "a complete case left outcomes unsettled: {:?}",
        unsettled
    );
    prop_assert_eq!(decided, baseline(json), "decisions differ on {}", json);
    let e = evaluate(g, &to_case(g, json));
    // Warnings (a complete case has no "possible" one) and notes.
    let mut warnings: Vec<(&str, usize)> = e
        .actions
        .iter()
        .filter_map(|a| match &a.outcome {
            Outcome::Decided(d) if !d.warnings.is_empty() => Some((g.action(a.action).name.as_str(), d.warnings.len())),
            _ => None,
        })
        .collect();
    warnings.sort();
    prop_assert_eq!(warnings, naive::warning_counts(&p), "warnings differ on {}", json);
    prop_assert_eq!(e.notes.len(), naive::note_count(&p), "notes differ on {}", json);
    // Doses, where the table computes one.
    for (action, low, high) in naive::doses(&p) {
        let a = g.action_id(action).unwrap();
        let Outcome::Decided(d) = &e.actions[a.index()].outcome else {
            return Err(TestCaseError::fail(format!("{action} has a dose but no decision")));
        };
        let (lo, hi) = d.doses.first().and_then(|x| x.amount).unwrap_or((f64::NAN, f64::NAN));
        prop_assert!(
            (lo - low).abs() <= 1e-9 * low.abs().max(1.0) && (hi - high).abs() <= 1e-9 * high.abs().max(1.0),
            "dose of {} differs: interpreter {}–{}, baseline {}–{}",
            action,
            lo,
            hi,
            low,
            high
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn interpreter_agrees_with_the_naive_table(json in space(bundled()).complete()) {
        agree(bundled(), &json)?;
    }

    #[test]
    fn interpreter_agrees_with_the_naive_table_in_scope(
        json in space(bundled()).complete().prop_map(|mut j| {
            j["als"] = Json::Bool(true);
            j["acute_leukemia"] = Json::Bool(true);
            j
        })
    ) {
        agree(bundled(), &json)?;
    }
}

/// The comparison can fail: a guideline file with a wrong threshold is caught
/// on a case between the two thresholds.
#[test]
fn a_wrong_threshold_in_the_file_is_detected() {
    let text = guidelang::BUNDLED_TEXT.replace(
        "define hyperleukocytosis: wbc > 100",
        "define hyperleukocytosis: wbc > 150",
    );
    let g = guidelang::load_str("mutant.gl", &text).unwrap();
    let mut json = space(&g)
        .complete()
        .new_tree(&mut proptest::test_runner::TestRunner::deterministic())
        .unwrap()
        .current();
    json["als"] = Json::Bool(true);
    json["acute_leukemia"] = Json::Bool(true);
    json["leukostasis"] = Json::from("none");
    json["wbc"] = serde_json::json!(120.0);
    assert!(agree(&g, &json).is_err());
    assert!(agree(bundled(), &json).is_ok());
}

/// Found by `interpreter_agrees_with_the_naive_table` (shrunk case below): the
/// file had no rule for the spec's "avoid growth factors in hyperleukocytosis".
#[test]
fn regression_growth_factors_avoided_in_hyperleukocytosis() {
    let json = serde_json::json!({
        "age": 0.0, "als": true, "acute_leukemia": true, "anc": 0.0, "apl_morphology": false, "blasts": 0.0, "calcium": 0.0,
        "coagulopathy": false, "creatinine": 0.0, "dysphagia": false, "ecog": 0, "height": 100.0,
        "hemoglobin": 0.0, "hydroxyurea_response": "not_started", "ldh": 0.0, "leukostasis": "none",
        "lineage": "myeloid", "phosphate": 0.0, "platelets": 0.0, "pml_rara": "positive", "potassium": 0.0,
        "respiratory_compromise": false, "uric_acid": 0.0, "wbc": 100.01, "weight": 20.0
    });
    agree(bundled(), &json).unwrap();
}
