//! The second bundled guideline, tumour lysis prophylaxis: it checks without a
//! warning, its case suite passes with full coverage, lint proves its
//! invariants, and on random patients it never contradicts itself or its
//! stated safety properties, and never takes back a decision when facts are
//! added.

use assert_cmd::Command;
use guidelang::eval::{evaluate, Evaluation, Outcome};
use guidelang::model::{Guideline, Verdict};
use proptest::prelude::*;
use serde_json::Value as Json;

use crate::common::gen::{config, to_case, CaseSpace};

const FILE: &str = "guidelines/tumour-lysis-prophylaxis.gl";

fn tls() -> Guideline {
    let text = std::fs::read_to_string(FILE).expect("the guideline is in the repository");
    guidelang::load_str(FILE, &text).unwrap_or_else(|p| panic!("the TLS guideline checks: {p:?}"))
}

fn cli() -> Command {
    let mut cmd = Command::cargo_bin("guidelang").expect("the binary is built");
    cmd.env("NO_COLOR", "1");
    cmd
}

#[test]
fn it_checks_without_a_warning() {
    let g = tls();
    assert!(g.warnings.is_empty(), "{:?}", g.warnings);
    assert_eq!(g.meta.id, "tumour-lysis-prophylaxis");
}

#[test]
fn its_suite_passes_with_full_coverage() {
    let out = cli()
        .args(["test", FILE, "--min-coverage", "100"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("14 passed, 0 failed"), "{stdout}");
}

#[test]
fn lint_is_clean_and_proves_every_invariant() {
    let out = cli()
        .args(["lint", FILE, "--format", "json", "--deny", "warnings"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Json = serde_json::from_slice(&out.stdout).expect("JSON");
    let text = report.to_string();
    let proved: Vec<&str> = report["proved"]
        .as_array()
        .expect("a list of proved invariants")
        .iter()
        .filter_map(|p| p.as_str())
        .collect();
    for invariant in [
        "no-rasburicase-when-g6pd-deficient",
        "hydrate-at-high-risk",
        "no-allopurinol-beside-rasburicase",
    ] {
        assert!(proved.contains(&invariant), "{invariant} is not proved: {text}");
    }
    // Dates, changes from a baseline and multiples of another fact are all
    // decided exactly: not even a "not decided exactly" warning is left.
    assert_eq!(report["findings"], serde_json::json!([]), "{text}");
}

fn verdict(g: &Guideline, e: &Evaluation, action: &str) -> Option<Option<Verdict>> {
    let id = g.action_id(action).expect("declared");
    match &e.actions.iter().find(|a| a.action == id)?.outcome {
        Outcome::Decided(d) => Some(Some(d.verdict)),
        Outcome::Silent => Some(None),
        _ => None,
    }
}

fn dated(json: &Json) -> Json {
    let mut json = json.clone();
    if let Json::Object(map) = &mut json {
        // The generated dates are never after 2026-12-01.
        map.insert("as_of".into(), Json::String("2026-12-01".into()));
    }
    json
}

proptest! {
    #![proptest_config(config(256))]

    /// A complete patient gets a decision on every action (or none), no
    /// conflict, no invariant broken, and exactly one risk class; rasburicase
    /// never reaches a G6PD-deficient patient, and allopurinol never sits
    /// beside rasburicase.
    #[test]
    fn complete_patients_get_consistent_advice(case in CaseSpace::of(&tls()).complete()) {
        let g = tls();
        let c = to_case(&g, &dated(&case));
        let e = evaluate(&g, &c);
        prop_assert!(e.violations.is_empty(), "{case}");
        if case["cytotoxic_therapy"] == false {
            prop_assert_eq!(&e.applicability, &guidelang::eval::Applicability::NotApplicable);
            return Ok(());
        }
        for a in &e.actions {
            prop_assert!(matches!(a.outcome, Outcome::Decided(_) | Outcome::Silent), "{:?} on {case}", a.outcome);
        }
        prop_assert_eq!(e.categories.len(), 1);
        prop_assert!(e.categories[0].level.is_some(), "no risk class on {}", case);
        let deficient = case["g6pd_status"] == "deficient";
        let rasburicase = verdict(&g, &e, "rasburicase").flatten();
        if deficient {
            prop_assert_eq!(rasburicase, Some(Verdict::Contraindicated));
        }
        if matches!(rasburicase, Some(Verdict::Recommend)) {
            prop_assert_eq!(verdict(&g, &e, "allopurinol"), Some(Some(Verdict::Avoid)));
        }
    }

    /// Adding facts never changes a decision already made.
    #[test]
    fn decisions_stand_when_facts_are_added(pair in CaseSpace::of(&tls()).pair()) {
        let g = tls();
        let (partial, complete) = pair;
        let before = evaluate(&g, &to_case(&g, &dated(&partial)));
        let after = evaluate(&g, &to_case(&g, &dated(&complete)));
        for a in g.action_ids() {
            let name = &g.action(a).name;
            if let Some(decided) = verdict(&g, &before, name) {
                prop_assert_eq!(verdict(&g, &after, name), Some(decided), "{} on {}", name, partial);
            }
        }
    }
}
