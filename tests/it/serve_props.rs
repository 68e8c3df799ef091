//! Property: the cards say exactly what the evaluation decided, for random
//! cases of the bundled guideline. Each decided action has one card whose
//! indicator follows the verdict (contraindicated critical; avoid and urgent
//! recommendations warning; the rest info), silent actions have none, and
//! every undecided or withheld action is listed on the one `info` card that
//! asks for facts; each note whose condition holds is an info card; no summary reaches 140 characters, and the cards come in
//! order of caution. The expected side is read from the evaluation, not from
//! the cards.

use guidelang::eval::{evaluate, Applicability, Outcome};
use guidelang::fhir::{parse_instant, Record};
use guidelang::model::{Guideline, Verdict};
use guidelang::serve::cards;
use proptest::prelude::*;
use serde_json::Value as Json;

use crate::common::gen::{config, to_case, CaseSpace};

fn guideline() -> &'static Guideline {
    static G: std::sync::OnceLock<Guideline> = std::sync::OnceLock::new();
    G.get_or_init(|| guidelang::bundled().expect("the bundled guideline checks"))
}

fn space() -> &'static CaseSpace {
    static S: std::sync::OnceLock<CaseSpace> = std::sync::OnceLock::new();
    S.get_or_init(|| CaseSpace::of(guideline()))
}

fn rank(indicator: &str) -> u8 {
    match indicator {
        "critical" => 0,
        "warning" => 1,
        _ => 2,
    }
}

proptest! {
    #![proptest_config(config(200))]

    #[test]
    fn every_card_says_only_what_the_rules_decided(case_json in space().partial()) {
        let g = guideline();
        let case = to_case(g, &case_json);
        let e = evaluate(g, &case);
        let record = Record {
            case: case.clone(),
            facts: vec![None; g.facts.len()],
            instant: parse_instant("2026-12-01").expect("a date"),
            entries: 0,
            patient: None,
        };
        let mut n = 0;
        let mut new_id = || { n += 1; format!("card-{n}") };
        let cards = cards(g, &e, &record, "/guidelines/als-hyperleukocytosis", &mut new_id);
        let field = |c: &Json, k: &str| c[k].as_str().unwrap_or_default().to_string();
        for c in &cards {
            prop_assert!(field(c, "summary").chars().count() < 140, "{}", c);
        }
        prop_assert!(cards.windows(2).all(|w| rank(&field(&w[0], "indicator")) <= rank(&field(&w[1], "indicator"))));
        match &e.applicability {
            Applicability::NotApplicable => prop_assert!(cards.is_empty()),
            Applicability::Unknown(_) => {
                prop_assert_eq!(cards.len(), 1);
                prop_assert_eq!(field(&cards[0], "indicator"), "info");
            }
            Applicability::Applies => {
                let mut expected = 0;
                let mut undecided = Vec::new();
                for a in &e.actions {
                    let action = g.action(a.action);
                    let prefix = format!("{}: ", action.label);
                    let mine: Vec<&Json> = cards.iter().filter(|c| field(c, "summary").starts_with(&prefix)).collect();
                    let indicator = match &a.outcome {
                        Outcome::Decided(d) => Some(match d.verdict {
                            Verdict::Contraindicated => "critical",
                            Verdict::Avoid => "warning",
                            Verdict::Recommend if action.urgent => "warning",
                            Verdict::Recommend | Verdict::Consider => "info",
                        }),
                        Outcome::Conflict(_) => Some("warning"),
                        Outcome::Undecided { .. } | Outcome::Withheld { .. } => {
                            undecided.push(format!("**{}**", action.label));
                            None
                        }
                        Outcome::Silent => None,
                    };
                    match indicator {
                        Some(i) => {
                            expected += 1;
                            prop_assert_eq!(mine.len(), 1, "{}: {:?}", action.name, cards);
                            prop_assert_eq!(field(mine[0], "indicator"), i, "{}", action.name);
                        }
                        None => prop_assert!(mine.is_empty(), "{}: {:?}", action.name, cards),
                    }
                }
                // Each note whose condition holds: an info card with its text.
                for &note in &e.notes {
                    let text = &g.notes[note].text;
                    let shown = cards.iter().any(|c| {
                        field(c, "indicator") == "info" && guidelang::serve::summary_of(text) == field(c, "summary")
                    });
                    prop_assert!(shown, "note {} not shown in {:?}", g.notes[note].id, cards);
                }
                let expected = expected + e.notes.len();
                if undecided.is_empty() {
                    prop_assert_eq!(cards.len(), expected);
                } else {
                    prop_assert_eq!(cards.len(), expected + 1);
                    let last = cards.last().expect("cards");
                    prop_assert_eq!(field(last, "indicator"), "info");
                    let detail = field(last, "detail");
                    for label in &undecided {
                        // Labels are plain words and parentheses here: escaping leaves them.
                        prop_assert!(detail.contains(label.as_str()), "{} not in {}", label, detail);
                    }
                }
            }
        }
    }
}
