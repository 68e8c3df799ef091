//! `diff` against the interpreter on random guidelines and random edits of
//! them: whenever a random case gets a different outcome from the two
//! versions, the diff reported that very change (action, before, after), and
//! every witness the diff gives shows its change.
//!
//! Case counts are modest by default; raise them with `GUIDELANG_PROPTEST_CASES`.

use crate::lint_support::{case, guideline, Rng, Shape};
use guidelang::analysis::diff::{diff, kind_name};
use guidelang::eval::{evaluate_action, Outcome};
use guidelang::model::Guideline;
use proptest::prelude::*;

/// Negates some rule conditions and drops some `overrides` lines: edits that
/// always leave a valid guideline.
fn edit(text: &str, rng: &mut Rng) -> String {
    let mut out = Vec::new();
    for l in text.lines() {
        if l.starts_with("  overrides") && rng.chance(0.5) {
            continue;
        }
        out.push(match l.strip_prefix("  when ") {
            Some(c) if rng.chance(0.25) => format!("  when not ({c})"),
            _ => l.to_string(),
        });
    }
    out.join("\n")
}

fn outcome(g: &Guideline, json: &serde_json::Value, action: &str) -> String {
    let Some(a) = g.action_id(action) else {
        return kind_name(0);
    };
    let case = guidelang::facts::validate_json(g, json).unwrap();
    match evaluate_action(g, &case, a).map(|r| r.outcome) {
        None | Some(Outcome::Silent) => kind_name(0),
        Some(Outcome::Decided(d)) => d.verdict.to_string(),
        Some(Outcome::Conflict(_)) => kind_name(5),
        Some(other) => panic!("complete cases are decided: {other:?}"),
    }
}

fn check(seed: u64, shape: &Shape) {
    let old_text = guideline(seed, shape).text;
    let facts = guideline(seed, shape).facts;
    let mut rng = Rng::new(seed.rotate_left(7));
    let new_text = edit(&old_text, &mut rng);
    let old = guidelang::load_str("old.gl", &old_text).unwrap();
    let new = guidelang::load_str("new.gl", &new_text).unwrap();
    let d = diff(&old, &new).unwrap();
    assert!(d.not_compared.is_empty(), "{:?}", d.not_compared);
    for c in &d.decisions {
        assert_eq!(
            outcome(&old, &c.witness, &c.action),
            c.before,
            "{}\n---\n{}",
            old_text,
            new_text
        );
        assert_eq!(outcome(&new, &c.witness, &c.action), c.after);
    }
    let actions: Vec<String> = old.actions.iter().map(|a| a.name.clone()).collect();
    for _ in 0..80 {
        let json = case(&mut rng, &facts, 0.0);
        for a in &actions {
            let (before, after) = (outcome(&old, &json, a), outcome(&new, &json, a));
            if before != after {
                assert!(
                    d.decisions
                        .iter()
                        .any(|c| &c.action == a && c.before == before && c.after == after),
                    "{a}: {before} → {after} on {json} not reported\n{old_text}\n---\n{new_text}"
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(crate::common::gen::config(32))]

    #[test]
    fn diff_misses_no_change_the_interpreter_shows(
        seed in any::<u64>(),
        facts in 2usize..6,
        rules in 2usize..9,
        actions in 1usize..3,
        scope in any::<bool>(),
    ) {
        let shape = Shape { facts, rules, actions, definitions: 2, depth: 3, invariants: 0, scope };
        check(seed, &shape);
    }
}
