//! Categories: the level a case is at, or the levels still possible; `is`,
//! `is not`, `is one of` in rules; exactly one level on every complete case
//! (what the checker proves), and a decided level that no completion of the
//! case's unknown facts can change.

use guidelang::eval::{self, Outcome, Truth, Values};
use guidelang::model::{Guideline, Verdict};
use proptest::prelude::*;

/// A tumour lysis risk in the spirit of the ALS guideline's spec.
const TLS: &str = "guideline tls
  version 1.0.0
  status draft

fact wbc: number in 10^9/L from 0 \"White blood cell count.\"
fact ldh_high: bool \"LDH above twice the upper limit.\"
fact creatinine_high: bool \"Creatinine above the upper limit.\"

category tls_risk \"TLS risk\":
  high when wbc >= 100 or (wbc >= 25 and ldh_high)
  intermediate when wbc >= 25 and wbc < 100 and not ldh_high
  low when wbc < 25

rule rasburicase: recommend rasburicase
  when tls_risk is high

rule allopurinol: recommend allopurinol
  when tls_risk is one of (intermediate, low)

rule fluids: recommend iv_hydration
  when tls_risk is not low or creatinine_high
";

fn load(text: &str) -> Guideline {
    match guidelang::load_str("t.gl", text) {
        Ok(g) => g,
        Err(p) => panic!("{}", p.iter().map(|p| p.render_plain()).collect::<Vec<_>>().join("\n")),
    }
}

fn eval_json(g: &Guideline, json: serde_json::Value) -> (guidelang::facts::Case, eval::Evaluation) {
    let c = guidelang::facts::validate_json(g, &json).expect("a valid case");
    let e = eval::evaluate(g, &c);
    (c, e)
}

fn verdict(e: &eval::Evaluation, i: usize) -> Option<Verdict> {
    match &e.actions[i].outcome {
        Outcome::Decided(d) => Some(d.verdict),
        _ => None,
    }
}

#[test]
fn a_known_level_decides_the_rules_that_test_it() {
    let g = load(TLS);
    let (c, e) = eval_json(&g, serde_json::json!({"wbc": 150}));
    assert_eq!(e.categories[0].level, Some(0));
    assert_eq!(verdict(&e, 0), Some(Verdict::Recommend)); // rasburicase
    assert!(matches!(e.actions[1].outcome, Outcome::Silent)); // allopurinol
    assert_eq!(verdict(&e, 2), Some(Verdict::Recommend)); // fluids
    let text = guidelang::report::evaluation_text(&g, &c, &e, Default::default());
    assert!(
        text.contains("TLS risk: high (when wbc >= 100 or (wbc >= 25 and ldh_high))"),
        "{text}"
    );
    let json = guidelang::report::evaluation_json(&g, &e);
    assert_eq!(json["categories"][0]["level"], "high");
    assert_eq!(json["categories"][0]["possible"], serde_json::json!(["high"]));
}

#[test]
fn an_undecided_level_is_unknown_with_the_levels_still_possible() {
    let g = load(TLS);
    let (c, e) = eval_json(&g, serde_json::json!({"wbc": 50}));
    assert_eq!(e.categories[0].level, None);
    assert_eq!(e.categories[0].possible, vec![0, 1]);
    let json = guidelang::report::evaluation_json(&g, &e);
    assert_eq!(json["categories"][0]["level"], serde_json::Value::Null);
    assert_eq!(json["categories"][0]["needs"], serde_json::json!(["ldh_high"]));
    let text = guidelang::report::evaluation_text(&g, &c, &e, Default::default());
    assert!(text.contains("TLS risk: high or intermediate"), "{text}");
    // Not low whatever LDH is: fluids are decided, the drugs are not.
    assert_eq!(verdict(&e, 2), Some(Verdict::Recommend));
    assert!(matches!(e.actions[0].outcome, Outcome::Undecided { .. }));
}

#[test]
fn otherwise_is_the_level_when_no_other_holds() {
    let g = load(
        "guideline o
  version 1.0.0
  status draft
fact wbc: number in 10^9/L from 0 \"WBC.\"
category band \"Band\":
  high when wbc > 100
  low otherwise
rule r: recommend x
  when band is low
",
    );
    let (_, e) = eval_json(&g, serde_json::json!({"wbc": 20}));
    assert_eq!(e.categories[0].level, Some(1));
    assert_eq!(verdict(&e, 0), Some(Verdict::Recommend));
    let (_, e) = eval_json(&g, serde_json::json!({}));
    assert_eq!(e.categories[0].level, None);
    assert_eq!(e.categories[0].possible, vec![0, 1]);
}

#[test]
fn a_category_may_test_a_score() {
    let g = load(
        "guideline s
  version 1.0.0
  status draft
fact a: bool \"A.\"
fact b: bool \"B.\"
score points \"Points\":
  2 when a
  1 when b
category band \"Band\":
  high when points >= 2
  low otherwise
rule r: recommend x
  when band is high
",
    );
    let (_, e) = eval_json(&g, serde_json::json!({"a": true}));
    assert_eq!(e.categories[0].level, Some(0));
    assert_eq!(verdict(&e, 0), Some(Verdict::Recommend));
}

proptest! {
    #![proptest_config(crate::common::gen::config(200))]

    /// Exactly one level holds on a complete case, and a level decided on a
    /// partial case is the level of every completion of it.
    #[test]
    fn exactly_one_level_and_a_decided_level_never_changes(
        wbc in prop::sample::select(vec![0.0, 24.9, 25.0, 60.0, 99.9, 100.0, 300.0]),
        ldh in any::<bool>(),
        wbc_known in any::<bool>(),
        ldh_known in any::<bool>(),
    ) {
        let g = load(TLS);
        let mut partial = serde_json::Map::new();
        if wbc_known { partial.insert("wbc".into(), wbc.into()); }
        if ldh_known { partial.insert("ldh_high".into(), ldh.into()); }
        let (_, e) = eval_json(&g, serde_json::Value::Object(partial));
        let (c, full) = eval_json(&g, serde_json::json!({"wbc": wbc, "ldh_high": ldh}));
        let values = Values::new(&g, &c);
        let holding: Vec<usize> = (0..3)
            .filter(|&l| values.truth(&g.categories[0].levels[l].condition) == Truth::True)
            .collect();
        prop_assert_eq!(holding.len(), 1);
        prop_assert_eq!(full.categories[0].level, Some(holding[0]));
        if let Some(l) = e.categories[0].level {
            prop_assert_eq!(l, holding[0]);
        }
        prop_assert!(e.categories[0].possible.contains(&holding[0]));
    }
}

proptest! {
    #![proptest_config(crate::common::gen::config(64))]

    /// The random guidelines of the other properties (which now hold scores
    /// and categories of the shapes that are one level per patient by
    /// construction) check without a problem, so those properties cover them.
    #[test]
    fn random_guidelines_with_scores_and_categories_check(g in crate::common::random::gen_guideline()) {
        let text = g.print().text();
        if let Err(p) = guidelang::load_str("r.gl", &text) {
            let shown: Vec<String> = p.iter().map(|p| p.render_plain()).collect();
            prop_assert!(false, "{}\n{}", text, shown.join("\n"));
        }
    }
}

#[test]
fn the_review_document_reads_levels_and_scores_in_words() {
    let g = load(TLS);
    let md = guidelang::report::render_markdown(&guidelang::report::document(&g));
    // Rules test the level by name, not by the conditions they were lowered to.
    assert!(md.contains("**recommend** when TLS risk is high\n"), "{md}");
    assert!(md.contains("## Scores and categories"), "{md}");
    // The level table states each level's own condition.
    assert!(
        md.contains("| `low` | white blood cell count below 25 × 10^9/L |"),
        "{md}"
    );
    let af = load(
        "guideline a
  version 1.0.0
  status draft
fact a: bool \"A.\"
fact b: bool \"B.\"
score points \"Points\":
  2 when a
  -1 when b
rule r: recommend x
  when points >= 1
",
    );
    let md = guidelang::report::render_markdown(&guidelang::report::document(&af));
    // `points >= 1` is "at least 2 of (a, a, not b)": read back as the score.
    assert!(md.contains("**recommend** when Points at least 1\n"), "{md}");
    assert!(md.contains("| -1 | b |"), "{md}");
}

/// CHA2DS2-VASc and its risk levels: `=` and `otherwise`, which a level's
/// own condition cannot rule out while items are unknown.
const STROKE_RISK: &str = "guideline af
  version 1.0.0
  status draft

fact age: integer from 0 to 130 \"Age in years.\"
fact female: bool \"Female sex.\"
fact heart_failure: bool \"Congestive heart failure.\"
fact hypertension: bool \"Hypertension.\"
fact stroke: bool \"Prior stroke.\"

score chads_vasc \"CHA2DS2-VASc\":
  1 when heart_failure
  1 when hypertension
  2 when age >= 75
  1 when age >= 65 and age < 75
  2 when stroke
  1 when female

category stroke_risk \"Stroke risk\":
  high when chads_vasc >= 2
  moderate when chads_vasc = 1
  low otherwise

rule r: recommend oral_anticoagulant
  when stroke_risk is high
";

#[test]
fn a_level_no_completion_reaches_is_not_possible() {
    let g = load(STROKE_RISK);
    // One point for age, the rest unknown but for the stroke: never 0.
    let (c, e) = eval_json(&g, serde_json::json!({"age": 70, "stroke": false}));
    assert_eq!(e.categories[0].possible, vec![0, 1]);
    let text = guidelang::report::evaluation_text(&g, &c, &e, Default::default());
    assert!(text.contains("Stroke risk: high or moderate — record"), "{text}");
}

proptest! {
    #![proptest_config(crate::common::gen::config(48))]

    /// `possible` is exactly the set of levels the completions of the case
    /// reach, the completions built here from the oracle's own cells.
    #[test]
    fn the_possible_levels_are_those_some_completion_reaches(
        known in prop::collection::vec(any::<bool>(), 5),
        bools in prop::collection::vec(any::<bool>(), 4),
        age in prop::sample::select(vec![30i64, 65, 70, 75, 90]),
    ) {
        use crate::common::completions::cell_values;
        let g = load(STROKE_RISK);
        let names = ["female", "heart_failure", "hypertension", "stroke"];
        let mut json = serde_json::Map::new();
        if known[0] {
            json.insert("age".into(), age.into());
        }
        for (i, n) in names.iter().enumerate() {
            if known[i + 1] {
                json.insert((*n).into(), bools[i].into());
            }
        }
        let (_, e) = eval_json(&g, serde_json::Value::Object(json.clone()));
        let age_id = g.fact_id("age").expect("age is declared");
        let ages: Vec<serde_json::Value> = if known[0] {
            vec![age.into()]
        } else {
            cell_values(&g.fact(age_id).kind, &[65.0, 75.0])
                .into_iter()
                .map(|v| match v {
                    guidelang::facts::Value::Num(x) => serde_json::json!(x as i64),
                    other => panic!("a number, not {other:?}"),
                })
                .collect()
        };
        let open: Vec<&str> = names.iter().enumerate().filter(|(i, _)| !known[i + 1]).map(|(_, n)| *n).collect();
        let mut reached = std::collections::BTreeSet::new();
        for a in &ages {
            for bits in 0u32..(1 << open.len()) {
                let mut full = json.clone();
                full.insert("age".into(), a.clone());
                for (j, n) in open.iter().enumerate() {
                    full.insert((*n).into(), (bits >> j & 1 == 1).into());
                }
                let (_, fe) = eval_json(&g, serde_json::Value::Object(full));
                reached.insert(fe.categories[0].level.expect("a complete case is at a level"));
            }
        }
        prop_assert_eq!(e.categories[0].possible.clone(), reached.into_iter().collect::<Vec<_>>());
    }
}
