//! Doses as clinicians write them: a fixed amount with how it is given, an
//! amount chosen by criteria (`if ... otherwise`), a cap (`at most`), and the
//! per-kg / per-m² ranges as before. The expected amounts are worked out by
//! hand from the guideline below (apixaban after the ESC 2020 dose-reduction
//! criteria, allopurinol 10 mg/kg/day capped at 800 mg/day); the choice while
//! criteria are unknown is checked against the reference evaluator, which
//! enumerates the completions of the case itself.

use guidelang::diagnostics::{Problem, Source};
use guidelang::eval::{evaluate, DoseResult, Outcome};
use guidelang::facts::{parse_case, Case, Value};
use guidelang::model::{FactId, Guideline};
use proptest::prelude::*;
use serde_json::{json, Value as Json};

use crate::common::{env::Env, gen, reference_dose};

const GUIDELINE: &str = r#"guideline dose-demo
  version 1.0.0
  status draft
  applies when af or tls_risk

reference 1 "A guideline"

action apixaban "Apixaban"
action allopurinol "Allopurinol"
action rasburicase "Rasburicase"
action hydroxyurea "Hydroxyurea"

fact af: bool "Atrial fibrillation."
fact tls_risk: bool "At risk of tumour lysis."
fact age: integer from 18 to 120 "Age in years."
fact weight: number in kg from 20 to 350 "Body weight."
fact creatinine: number in mg/dL from 0.1 to 20 "Serum creatinine."
fact p: bool "P."
fact q: bool "Q."
fact stage: one of early, late, relapse "Stage."

rule apixaban-for-af: recommend apixaban
  when af
  dose 2.5 mg "twice daily" if at least 2 of (age >= 80, weight <= 60 kg, creatinine >= 1.5 mg/dL) otherwise 5 mg "twice daily"
  because "Stroke prevention."
  cite 1

rule allopurinol-for-tls: recommend allopurinol
  when tls_risk
  dose 10 mg/kg/day by weight at most 800 mg/day "in 2 or 3 doses"
  because "Lowers uric acid."
  cite 1

# Whether `p and q or p and not q` holds depends on p alone: q never changes the amount.
rule rasburicase-for-tls: recommend rasburicase
  when tls_risk
  dose 0.2 mg/kg by weight if p and q or p and not q otherwise 0.1 to 0.15 mg/kg by weight if stage is late otherwise 3 mg
  because "Fast uric acid control."
  cite 1

rule hydroxyurea-for-tls: consider hydroxyurea
  when tls_risk
  dose 50 to 60 mg/kg/day by weight
  because "Cytoreduction."
  cite 1
"#;

fn guideline() -> Guideline {
    match guidelang::load_str("dose-demo.gl", GUIDELINE) {
        Ok(g) => g,
        Err(p) => panic!("{}", p.iter().map(Problem::render_plain).collect::<Vec<_>>().join("\n")),
    }
}

fn case(g: &Guideline, json: &str) -> Case {
    parse_case(g, json).expect("a valid case")
}

/// The one dose of `action`'s decision, which must be decided.
fn dose_of(g: &Guideline, c: &Case, action: &str) -> DoseResult {
    let e = evaluate(g, c);
    let a = e
        .actions
        .iter()
        .find(|a| g.action(a.action).name == action)
        .expect("the action");
    match &a.outcome {
        Outcome::Decided(d) => d.doses.first().cloned().expect("a dose"),
        other => panic!("{action} is not decided: {other:?}"),
    }
}

fn json_decision(g: &Guideline, c: &Case, action: &str) -> Json {
    let v = guidelang::report::evaluation_json(g, &evaluate(g, c));
    v["decisions"]
        .as_array()
        .and_then(|ds| ds.iter().find(|d| d["action"] == action))
        .cloned()
        .unwrap_or(Json::Null)
}

fn fact(g: &Guideline, name: &str) -> FactId {
    g.fact_id(name).expect("a fact")
}

// ---------------------------------------------------------------- fixed and chosen amounts

#[test]
fn a_fixed_dose_is_its_amount_and_how_it_is_given() {
    let g = guideline();
    // Age 60, 80 kg, creatinine 1.0: no criterion holds, so 5 mg.
    let c = case(&g, r#"{"af": true, "age": 60, "weight": 80, "creatinine": 1.0}"#);
    let d = dose_of(&g, &c, "apixaban");
    assert_eq!((d.branch, d.amount), (Some(1), Some((5.0, 5.0))));
    let j = json_decision(&g, &c, "apixaban");
    assert_eq!(j["dose"]["low"], 5.0);
    assert_eq!(j["dose"]["high"], 5.0);
    assert_eq!(j["dose"]["unit"], "mg");
    assert_eq!(j["dose"]["how"], "twice daily");
    assert_eq!(j["dose"]["criterion"], "otherwise");
    assert_eq!(j["dose"]["text"], "5 mg twice daily");
    // A fixed amount is per nothing: no `per`, no `by`.
    assert!(j["dose"].get("per").is_none() && j["dose"].get("by").is_none(), "{j}");
}

#[test]
fn two_criteria_choose_the_lower_amount() {
    let g = guideline();
    // 85 years and 55 kg: two of three criteria, whatever the creatinine.
    let c = case(&g, r#"{"af": true, "age": 85, "weight": 55}"#);
    let d = dose_of(&g, &c, "apixaban");
    assert_eq!((d.branch, d.amount), (Some(0), Some((2.5, 2.5))));
    assert!(d.settle.is_empty() && d.possible.is_empty());
}

#[test]
fn only_a_fact_that_can_still_change_the_amount_settles_it() {
    let g = guideline();
    // 85 years, 90 kg: one criterion holds, one fails; the creatinine alone
    // can still make two, so it settles the dose (and only it).
    let c = case(&g, r#"{"af": true, "age": 85, "weight": 90}"#);
    let d = dose_of(&g, &c, "apixaban");
    assert_eq!(d.branch, None);
    assert_eq!(d.settle, vec![fact(&g, "creatinine")]);
    let amounts: Vec<_> = d.possible.iter().map(|p| (p.branch, p.amount)).collect();
    assert_eq!(amounts, vec![(Some(0), Some((2.5, 2.5))), (Some(1), Some((5.0, 5.0)))]);
    // 70 years and 90 kg: two criteria fail, the creatinine cannot make two.
    let c = case(&g, r#"{"af": true, "age": 70, "weight": 90}"#);
    let d = dose_of(&g, &c, "apixaban");
    assert_eq!((d.branch, d.amount), (Some(1), Some((5.0, 5.0))));
}

#[test]
fn a_pending_choice_leaves_the_action_decided_and_says_what_settles_it() {
    let g = guideline();
    let c = case(&g, r#"{"af": true, "age": 85}"#);
    let d = dose_of(&g, &c, "apixaban");
    assert_eq!(d.branch, None);
    assert_eq!(d.settle, vec![fact(&g, "weight"), fact(&g, "creatinine")]);
    let j = json_decision(&g, &c, "apixaban");
    assert_eq!(j["verdict"], "recommend");
    assert_eq!(j["dose"]["settled_by"], json!(["weight", "creatinine"]));
    assert_eq!(j["dose"]["possible"][0]["text"], "2.5 mg twice daily");
    assert_eq!(j["dose"]["possible"][1]["text"], "5 mg twice daily");
    assert_eq!(j["dose"]["low"], Json::Null);
    let text = guidelang::report::evaluation_text(&g, &c, &evaluate(&g, &c), Default::default());
    assert!(
        text.contains("dose pending: 2.5 mg twice daily or 5 mg twice daily"),
        "{text}"
    );
    assert!(
        text.contains("dose: record the body weight and the serum creatinine to choose it"),
        "{text}"
    );
}

#[test]
fn a_fact_that_cannot_change_the_amount_is_not_asked_for() {
    let g = guideline();
    // `p and q or p and not q` is unknown with p and q absent, yet only p
    // changes it; the second criterion (stage) is reached only when p is false.
    let c = case(&g, r#"{"tls_risk": true, "weight": 70}"#);
    let d = dose_of(&g, &c, "rasburicase");
    assert_eq!(d.branch, None);
    assert_eq!(d.settle, vec![fact(&g, "p"), fact(&g, "stage")]);
    // 0.2 × 70 is 14.000000000000002 in floating point: compared to a millionth.
    let round = |x: f64| (x * 1e6).round() / 1e6;
    let amounts: Vec<_> = d
        .possible
        .iter()
        .map(|p| (p.branch, p.amount.map(|(lo, hi)| (round(lo), round(hi)))))
        .collect();
    assert_eq!(
        amounts,
        vec![
            (Some(0), Some((14.0, 14.0))),
            (Some(1), Some((7.0, 10.5))),
            (Some(2), Some((3.0, 3.0)))
        ]
    );
    // With p given true the amount is 0.2 mg/kg × 70 kg, q still absent.
    let c = case(&g, r#"{"tls_risk": true, "weight": 70, "p": true}"#);
    let d = dose_of(&g, &c, "rasburicase");
    assert_eq!(
        (d.branch, d.amount.map(|(lo, hi)| (round(lo), round(hi)))),
        (Some(0), Some((14.0, 14.0)))
    );
}

// ---------------------------------------------------------------- caps and ranges

#[test]
fn a_cap_limits_the_computed_amount_and_says_so() {
    let g = guideline();
    // 10 mg/kg/day × 100 kg = 1000 mg/day, capped at 800.
    let c = case(&g, r#"{"tls_risk": true, "weight": 100}"#);
    let d = dose_of(&g, &c, "allopurinol");
    assert_eq!((d.amount, d.capped), (Some((800.0, 800.0)), true));
    let j = json_decision(&g, &c, "allopurinol");
    assert_eq!(
        (j["dose"]["cap"].clone(), j["dose"]["capped"].clone()),
        (json!(800.0), json!(true))
    );
    assert_eq!(
        j["dose"]["text"],
        "800 mg/day (10 mg/kg/day × 100 kg, capped at 800 mg/day) in 2 or 3 doses"
    );
    // × 50 kg = 500 mg/day, under the cap.
    let c = case(&g, r#"{"tls_risk": true, "weight": 50}"#);
    let d = dose_of(&g, &c, "allopurinol");
    assert_eq!((d.amount, d.capped), (Some((500.0, 500.0)), false));
}

#[test]
fn a_range_per_kg_is_as_before() {
    let g = guideline();
    let c = case(&g, r#"{"tls_risk": true, "weight": 70}"#);
    let j = json_decision(&g, &c, "hydroxyurea");
    assert_eq!(
        j["dose"],
        json!({"by": 70.0, "by_unit": "kg", "high": 4200.0, "low": 3500.0,
               "per": {"high": 60.0, "low": 50.0, "unit": "mg/kg/day"},
               "rule": "hydroxyurea-for-tls", "text": "3500–4200 mg/day (50–60 mg/kg/day × 70 kg)", "unit": "mg/day"})
    );
    let c = case(&g, r#"{"tls_risk": true}"#);
    let j = json_decision(&g, &c, "hydroxyurea");
    assert_eq!(j["dose"]["needs"], json!(["weight"]));
    assert_eq!(
        j["dose"]["text"],
        "50–60 mg/kg/day; the dose cannot be computed without weight"
    );
}

// ---------------------------------------------------------------- properties

fn value_for(g: &Guideline, f: usize, pick: u32, given: bool) -> Option<Value> {
    use guidelang::model::FactKind;
    if !given {
        return None;
    }
    Some(match &g.facts[f].kind {
        FactKind::Bool => Value::Bool(pick.is_multiple_of(2)),
        FactKind::Enum { values } => Value::Enum((pick as usize % values.len()) as u8),
        FactKind::Date => Value::Num(f64::from(pick % 20_000)),
        FactKind::Integer { min, max } | FactKind::Number { min, max, .. } => {
            let whole = matches!(g.facts[f].kind, FactKind::Integer { .. });
            let (lo, hi) = (min.unwrap_or(0.0), max.unwrap_or(1000.0));
            // Values on the criteria's thresholds matter most: 1 in 4 is one.
            let edges = [80.0, 60.0, 1.5, 20.0, 350.0, 18.0, 120.0];
            let x = if pick.is_multiple_of(4) {
                edges[(pick as usize / 4) % edges.len()]
            } else {
                lo + (hi - lo) * f64::from(pick % 1000) / 999.0
            };
            let x = x.clamp(lo, hi);
            Value::Num(if whole { x.round() } else { x })
        }
    })
}

fn random_case(g: &Guideline, picks: &[(u32, bool)]) -> Case {
    let mut c = Case::empty(g);
    for (f, (pick, given)) in g.fact_ids().zip(picks) {
        c.set(f, value_for(g, f.index(), *pick, *given));
    }
    c
}

proptest! {
    #![proptest_config(gen::config(256))]

    /// The evaluator's dose equals the reference's, which picks the amount by
    /// walking the criteria and, while one is unknown, builds every
    /// completion of the absent facts as a case: the same chosen amount, the
    /// same possible amounts, exactly the same facts to settle it.
    #[test]
    fn the_chosen_dose_agrees_with_brute_force(picks in proptest::collection::vec((0u32..4000, any::<bool>()), 8)) {
        let g = guideline();
        let c = random_case(&g, &picks);
        let e = evaluate(&g, &c);
        let env = Env::new(&g, &c);
        for a in &e.actions {
            let Outcome::Decided(d) = &a.outcome else { continue };
            for dose in &d.doses {
                let spec = g.rule(dose.rule).dose.as_ref().expect("a dose");
                let want = reference_dose::dose(&g, &env, &c, dose.rule, spec);
                prop_assert_eq!(dose, &want, "case {}", c.to_json(&g));
            }
        }
    }

    /// A capped dose never exceeds its cap, and its range stays in order.
    #[test]
    fn the_cap_is_never_exceeded(weight in 20.0f64..350.0) {
        let g = guideline();
        let c = case(&g, &format!(r#"{{"tls_risk": true, "weight": {weight}}}"#));
        let d = dose_of(&g, &c, "allopurinol");
        let (lo, hi) = d.amount.expect("computed");
        prop_assert!(lo <= hi && hi <= 800.0, "{lo}–{hi} for {weight} kg");
        prop_assert_eq!(d.capped, weight * 10.0 > 800.0);
    }
}

// ---------------------------------------------------------------- lint and diff

const AGREEING: &str = r#"
rule apixaban-elderly: recommend apixaban
  when af and age >= 75
  dose 2.5 mg "twice daily"
  because "Bleeding risk."
  cite 1
"#;

#[test]
fn lint_warns_when_agreeing_rules_carry_different_doses() {
    let g = guidelang::load_str("agree.gl", &format!("{GUIDELINE}{AGREEING}")).expect("checks");
    let report = guidelang::analysis::lint(&g);
    let found: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.code == "guidelang::lint::agreeing_rules_differ")
        .collect();
    assert_eq!(found.len(), 1, "{:?}", report.findings);
    // The witness is a patient for whom both rules carry the recommendation.
    let witness = found[0].witness.clone().expect("a witness");
    let c = guidelang::facts::validate_json(&g, &witness).expect("a valid case");
    let e = evaluate(&g, &c);
    let a = e
        .actions
        .iter()
        .find(|a| g.action(a.action).name == "apixaban")
        .expect("apixaban");
    let Outcome::Decided(d) = &a.outcome else {
        panic!("{:?}", a.outcome)
    };
    assert_eq!(d.rules.len(), 2);
    // The same dose on both: nothing to warn about.
    let same = AGREEING.replace(
        r#"dose 2.5 mg "twice daily""#,
        r#"dose 2.5 mg "twice daily" if at least 2 of (age >= 80, weight <= 60 kg, creatinine >= 1.5 mg/dL) otherwise 5 mg "twice daily""#,
    );
    let g = guidelang::load_str("agree.gl", &format!("{GUIDELINE}{same}")).expect("checks");
    let report = guidelang::analysis::lint(&g);
    assert!(report
        .findings
        .iter()
        .all(|f| f.code != "guidelang::lint::agreeing_rules_differ"));
}

/// Two agreeing rules with different instructions: both are shown for a
/// patient both fire for, so lint says so; the same words (spacing aside),
/// or a detail on one rule only, are nothing to warn about.
#[test]
fn lint_warns_when_agreeing_rules_carry_different_details() {
    let two = |first: &str, second: &str| {
        format!(
            "{GUIDELINE}\nrule apixaban-check: recommend apixaban\n  when af and age >= 75\n{second}  because \"Check.\"\n  cite 1\n"
        )
        .replace(
            "  dose 2.5 mg \"twice daily\" if at least 2 of",
            &format!("{first}  dose 2.5 mg \"twice daily\" if at least 2 of"),
        )
    };
    let differ = |text: &str| -> Vec<guidelang::analysis::Finding> {
        let g = guidelang::load_str("details.gl", text).expect("checks");
        guidelang::analysis::lint(&g)
            .findings
            .into_iter()
            .filter(|f| f.code == "guidelang::lint::agreeing_rules_differ")
            .collect()
    };
    let text = two(
        "  detail \"Review the dose every year.\"\n",
        "  detail \"Review the dose every 3 months.\"\n",
    );
    let found = differ(&text);
    assert_eq!(found.len(), 1, "{text}");
    let f = &found[0];
    assert_eq!(f.rules, ["apixaban-for-af", "apixaban-check"]);
    assert!(f.message.contains("with different details"), "{}", f.message);
    assert!(!f.message.contains("doses"), "{}", f.message);
    assert!(
        f.help.as_deref().is_some_and(|h| h.contains("shows both details")),
        "{:?}",
        f.help
    );
    // Its witness: atrial fibrillation at 75 or older, where both carry the decision.
    let w = f.witness.clone().expect("a witness");
    assert_eq!(w["af"], true, "{w}");
    assert!(w["age"].as_i64().is_some_and(|a| a >= 75), "{w}");

    let spaced = two(
        "  detail \"Review the dose every year.\"\n",
        "  detail \"Review   the dose\n    every year.\"\n",
    );
    assert!(differ(&spaced).is_empty(), "{spaced}");
    let one = two("  detail \"Review the dose every year.\"\n", "");
    assert!(differ(&one).is_empty(), "{one}");
}

#[test]
fn lint_finds_an_amount_no_patient_gets() {
    let lint = |from: &str, to: &str| -> Vec<String> {
        let g = guidelang::load_str("dead.gl", &GUIDELINE.replace(from, to)).expect("checks");
        guidelang::analysis::lint(&g)
            .findings
            .iter()
            .filter(|f| f.code == "guidelang::lint::dose_never_chosen")
            .map(|f| f.message.clone())
            .collect()
    };
    // Every amount of the guideline as written can be given.
    assert_eq!(lint("", ""), Vec::<String>::new());
    // Age is at most 120: the criterion never holds.
    assert_eq!(
        lint(
            "if at least 2 of (age >= 80, weight <= 60 kg, creatinine >= 1.5 mg/dL)",
            "if age >= 180"
        ),
        vec!["amount 1 of rule `apixaban-for-af`'s dose is never given: no patient the rule applies to gets it"]
    );
    // Whenever the rule fires, af holds: the amount given otherwise is never reached.
    assert_eq!(
        lint(
            "if at least 2 of (age >= 80, weight <= 60 kg, creatinine >= 1.5 mg/dL)",
            "if af"
        ),
        vec!["amount 2 of rule `apixaban-for-af`'s dose is never given: no patient the rule applies to gets it"]
    );
}

#[test]
fn diff_reports_a_changed_dose_on_an_unchanged_rule() {
    let old = guideline();
    for (from, to) in [
        ("at most 800 mg/day", "at most 600 mg/day"),
        (r#"otherwise 5 mg "twice daily""#, r#"otherwise 5 mg "once daily""#),
        ("weight <= 60 kg", "weight <= 50 kg"),
    ] {
        let new = guidelang::load_str("new.gl", &GUIDELINE.replace(from, to)).expect("checks");
        let d = guidelang::analysis::diff::diff(&old, &new).expect("compared");
        let changed: Vec<_> = d
            .rules
            .iter()
            .filter(|r| r.parts.contains(&"dose".to_string()))
            .collect();
        assert_eq!(changed.len(), 1, "{from} → {to}: {:?}", d.rules);
    }
}

// ---------------------------------------------------------------- diagnostics

const HEADER: &str = "guideline demo
  version 1.0.0
  status draft
  applies when af

action apixaban \"Apixaban\"
fact af: bool \"AF.\"
fact age: integer from 18 to 120 \"Age.\"
fact weight: number in kg from 20 to 350 \"Weight.\"
note uses-both: when age >= 18 and weight >= 20 kg says \"Every fact is used.\"
";

fn diagnose(dose: &str, expected: &[&str]) -> String {
    let source = Source::new(
        "demo.gl",
        format!("{HEADER}\nrule r: recommend apixaban\n  when af\n  {dose}\n"),
    );
    let found = match guidelang::syntax::parse(&source) {
        Err(p) => p,
        Ok(file) => guidelang::check::check(&file, &source).problems,
    };
    let codes: Vec<&str> = found.iter().map(|p| p.code).collect();
    let out = found.iter().map(Problem::render_plain).collect::<Vec<_>>().join("\n");
    assert_eq!(codes, expected, "\n{out}");
    out
}

#[test]
fn a_range_without_by_says_what_is_missing() {
    let out = diagnose("dose 5 to 5 mg", &["guidelang::syntax::dose_range_without_by"]);
    assert!(!out.contains("expected `dose`"));
    insta::assert_snapshot!(out);
}

#[test]
fn chosen_amounts_need_otherwise() {
    insta::assert_snapshot!(diagnose(
        "dose 2.5 mg if age >= 80",
        &["guidelang::syntax::dose_without_otherwise"]
    ));
}

#[test]
fn an_amount_without_if_before_otherwise_hides_the_rest() {
    insta::assert_snapshot!(diagnose(
        "dose 5 mg otherwise 2.5 mg",
        &["guidelang::syntax::dose_branch_without_if"]
    ));
}

#[test]
fn when_instead_of_if_points_at_otherwise() {
    let out = diagnose(
        "dose 2.5 mg when age >= 80 otherwise 5 mg",
        &["guidelang::syntax::unexpected"],
    );
    assert!(out.contains("written with `if`"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn a_cap_on_a_fixed_amount_is_refused() {
    insta::assert_snapshot!(diagnose(
        "dose 5 mg at most 10 mg",
        &["guidelang::check::dose_cap_fixed"]
    ));
}

#[test]
fn a_cap_in_another_unit_is_refused() {
    insta::assert_snapshot!(diagnose(
        "dose 10 mg/kg/day by weight at most 800 mg",
        &["guidelang::check::dose_cap_unit"]
    ));
}

#[test]
fn amounts_of_one_dose_agree_in_unit() {
    insta::assert_snapshot!(diagnose(
        "dose 2.5 mg if age >= 80 otherwise 10 mg/kg/day by weight",
        &["guidelang::check::dose_units_disagree"]
    ));
}

#[test]
fn a_criterion_must_be_a_condition() {
    diagnose(
        "dose 2.5 mg if weight otherwise 5 mg",
        &["guidelang::check::not_a_condition"],
    );
}

#[test]
fn a_dose_formats_back_to_itself() {
    let text = format!("{GUIDELINE}{AGREEING}");
    let source = Source::new("demo.gl", text.clone());
    let formatted = guidelang::format::format_source(&source).expect("formats");
    let again = guidelang::format::format_source(&Source::new("demo.gl", formatted.clone())).expect("formats");
    assert_eq!(formatted, again);
    let a = guidelang::syntax::parse(&source).expect("parses");
    let b = guidelang::syntax::parse(&Source::new("demo.gl", formatted.clone())).expect("parses");
    assert_eq!(a, b);
    assert!(formatted.contains(r#"dose 0.2 mg/kg by weight if p and q or p and not q otherwise 0.1 to 0.15 mg/kg by weight if stage is late otherwise 3 mg"#), "{formatted}");
}

#[test]
fn a_fixed_amount_per_kg_is_a_missing_by() {
    insta::assert_snapshot!(diagnose(
        "dose 5 mg/kg \"once\"",
        &["guidelang::check::dose_per_unit_fixed"]
    ));
    // Per day is no body measure: a fixed daily amount is fine.
    diagnose("dose 800 mg/day", &[]);
}
