//! Regression (issue 12): a `never` invariant held back a contraindication.
//! With `never contraindicated x when y` and `y` unknown, the report said
//! "could be no verdict or contraindicated" instead of the contraindication,
//! and with `y` true it withheld it outright. Withholding a contraindication
//! is not fail-safe, so an invariant never withholds one: it is shown, and the
//! invariant's violation (certain or possible) is reported beside it. Other
//! verdicts are still withheld.

use guidelang::eval::{evaluate, Evaluation, Outcome};
use guidelang::facts::parse_case;
use guidelang::model::Guideline;
use guidelang::report::{evaluation_json, evaluation_text, TextOptions};
use guidelang::syntax::ast::Verdict;
use serde_json::Value as Json;

/// `x` is contraindicated when `z`; `w` is avoided when `z`. Both invariants
/// forbid their verdict when `y`: only the avoid may be held back.
fn guideline(claim: &str) -> Guideline {
    guidelang::load_str("never-withheld.gl", &guideline_text(claim)).unwrap()
}

fn guideline_text(claim: &str) -> String {
    format!(
        r#"guideline never-withheld
  version 0.1.0
  status draft

reference 1 "r"

action x "Drug X"
action w "Drug W"

fact y: bool "y"
fact z: bool "z"

rule no-x: contraindicated x
  when z
  cite 1

rule no-w: avoid w
  when z
  cite 1

invariant x-rule:
  {claim} x when y
  because "test"

invariant w-rule:
  never avoid w when y
  because "test"
"#
    )
}

fn run(g: &Guideline, case: &str) -> (Evaluation, Json, String) {
    let case = parse_case(g, case).unwrap();
    let e = evaluate(g, &case);
    let json = evaluation_json(g, &e);
    let text = evaluation_text(
        g,
        &case,
        &e,
        TextOptions {
            color: false,
            explain: false,
        },
    );
    (e, json, text)
}

fn decisions(json: &Json) -> Vec<(String, String)> {
    json["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["action"].as_str().unwrap().to_string(),
                d["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn undecided(json: &Json) -> Vec<String> {
    json["undecided"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["action"].as_str().unwrap().to_string())
        .collect()
}

/// `(invariant, action, certain)` of each violation in the JSON report.
fn violations(json: &Json) -> Vec<(String, String, bool)> {
    json["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["invariant"].as_str().unwrap().to_string(),
                v["action"].as_str().unwrap().to_string(),
                v["certain"].as_bool().unwrap(),
            )
        })
        .collect()
}

const CLAIMS: [&str; 2] = ["never contraindicated", "never avoid or contraindicated"];

#[test]
fn with_the_condition_unknown_the_contraindication_is_shown() {
    for claim in CLAIMS {
        let g = guideline(claim);
        let (e, json, text) = run(&g, r#"{"z": true}"#);
        assert!(
            matches!(&e.actions[0].outcome, Outcome::Decided(d) if d.verdict == Verdict::Contraindicated),
            "{claim}: {:?}",
            e.actions[0].outcome
        );
        assert!(
            decisions(&json).contains(&("x".into(), "contraindicated".into())),
            "{claim}: {json}"
        );
        assert!(!undecided(&json).contains(&"x".to_string()), "{claim}: {json}");
        assert!(
            text.contains("Drug X — CONTRAINDICATED [1] (rule no-x)"),
            "{claim}:\n{text}"
        );
        // The invariant might be broken once `y` is recorded: said, as possible.
        assert!(
            violations(&json).contains(&("x-rule".into(), "x".into(), false)),
            "{claim}: {json}"
        );
        assert!(
            text.contains("Drug X is contraindicated, against invariant `x-rule` (possibly: facts not recorded)\n"),
            "{claim}:\n{text}"
        );
        // The avoid is still held back as undecided: y would settle it.
        assert!(undecided(&json).contains(&"w".to_string()), "{claim}: {json}");
        assert!(!decisions(&json).iter().any(|(a, _)| a == "w"), "{claim}: {json}");
    }
}

#[test]
fn with_the_condition_true_the_contraindication_is_shown_and_the_violation_listed() {
    for claim in CLAIMS {
        let g = guideline(claim);
        let (e, json, text) = run(&g, r#"{"z": true, "y": true}"#);
        assert!(
            matches!(&e.actions[0].outcome, Outcome::Decided(d) if d.verdict == Verdict::Contraindicated),
            "{claim}: {:?}",
            e.actions[0].outcome
        );
        assert!(
            decisions(&json).contains(&("x".into(), "contraindicated".into())),
            "{claim}: {json}"
        );
        assert!(!undecided(&json).contains(&"x".to_string()), "{claim}: {json}");
        assert!(
            violations(&json).contains(&("x-rule".into(), "x".into(), true)),
            "{claim}: {json}"
        );
        assert!(
            text.contains("Drug X — CONTRAINDICATED [1] (rule no-x)"),
            "{claim}:\n{text}"
        );
        assert!(text.contains("INVARIANT VIOLATIONS"), "{claim}:\n{text}");
        assert!(
            text.contains("Drug X is contraindicated, against invariant `x-rule`\n"),
            "{claim}:\n{text}"
        );
        // The withheld avoid is not shown: it only would be.
        assert!(
            text.contains("Drug W would be avoided, against invariant `w-rule`\n"),
            "{claim}:\n{text}"
        );
        // The avoid breaking its own invariant is still withheld outright.
        assert!(
            matches!(e.actions[1].outcome, Outcome::Withheld { .. }),
            "{claim}: {:?}",
            e.actions[1].outcome
        );
        assert!(
            violations(&json).contains(&("w-rule".into(), "w".into(), true)),
            "{claim}: {json}"
        );
    }
}

#[test]
fn with_the_condition_false_nothing_is_said() {
    let g = guideline(CLAIMS[0]);
    let (_, json, _) = run(&g, r#"{"z": true, "y": false}"#);
    let mut got = decisions(&json);
    got.sort();
    assert_eq!(
        got,
        vec![("w".into(), "avoid".into()), ("x".into(), "contraindicated".into())]
    );
    assert!(violations(&json).is_empty(), "{json}");
}

/// Lint's `always decide` proof must not count on a `never` invariant turning
/// a contraindication into "undecided": here `x` is contraindicated whenever
/// `z` holds, whatever `y`, so `always decide x when z` holds on every case.
/// (Before the fix lint reported it broken, with `{"z": true}` as witness.)
#[test]
fn lint_proves_always_decide_without_counting_on_a_withheld_contraindication() {
    let text = guideline_text("never contraindicated").replace(
        "invariant w-rule:",
        "invariant x-decided:\n  always decide x when z\n  because \"test\"\n\ninvariant w-rule:",
    );
    let g = guidelang::load_str("never-withheld.gl", &text).unwrap();
    let report = guidelang::analysis::lint(&g);
    let proved: Vec<&str> = report.proved.iter().map(|p| p.invariant.as_str()).collect();
    assert!(proved.contains(&"x-decided"), "{:#?}", report.findings);
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.invariant.as_deref() == Some("x-decided")),
        "{:#?}",
        report.findings
    );
    // The `never` invariant itself is broken by `z` and `y` both true: the
    // contraindication is shown with the violation, which lint finds.
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.invariant.as_deref() == Some("x-rule") && f.code == "guidelang::lint::invariant_violated"),
        "{:#?}",
        report.findings
    );
}
