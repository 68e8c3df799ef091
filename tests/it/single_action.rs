//! Evaluating one action at a time (`eval::ActionEvaluator`, what lint and
//! diff check their witnesses with) against evaluating the whole guideline
//! (`Program::evaluate_action` on a fresh evaluator, which computes every
//! node): the same result on every action of every case, with one
//! evaluator reused across cases so that values left over from an earlier
//! case would show. Then lint and diff themselves against their reference
//! paths (`lint_reference`, `diff_reference`: the witness check as it was
//! before) on the lint bench's generated guidelines: the same report.
//!
//! Case counts are modest by default; raise them with `GUIDELANG_PROPTEST_CASES`.

use std::sync::OnceLock;

use crate::common::gen::{to_case, CaseSpace};
use crate::common::random::{gen_guideline, GenGuideline};
use crate::lint_support::{bench_shape, case, guideline, next_version, Rng, Shape};
use guidelang::analysis::{lint_reference, lint_with, LintOptions};
use guidelang::compile::Program;
use guidelang::eval::{ActionEvaluator, Conclusion, Outcome};
use guidelang::model::Guideline;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::Value as Json;

/// Every action of every case, one evaluator for all of them, against the
/// whole-guideline path; and the full evaluation through it.
fn agree(g: &Guideline, cases: &[Json]) -> Result<(), TestCaseError> {
    let program = Program::new(g);
    let mut one = ActionEvaluator::new(&program);
    let mut quick = ActionEvaluator::new(&program);
    for json in cases {
        let case = to_case(g, json);
        // Actions in a different order on each case, so that a node one
        // action shares with another is not always computed by the first.
        let mut order: Vec<_> = g.action_ids().collect();
        if json.as_object().is_some_and(|m| m.len() % 2 == 1) {
            order.reverse();
        }
        for a in order {
            let fast = one.evaluate_action(&case, a);
            let whole = program.evaluate_action(&case, a);
            prop_assert_eq!(
                &fast,
                &whole,
                "action `{}` on {} in `{}`",
                g.action(a).name,
                json,
                g.meta.id
            );
            // The outcome-only path (lint's witness trimming): the same kind
            // of outcome, and for a conflict the same rules.
            let kind = whole.as_ref().map(|r| match &r.outcome {
                Outcome::Silent => Conclusion::Silent,
                Outcome::Decided(d) => Conclusion::Decided(d.verdict),
                Outcome::Conflict(_) => Conclusion::Conflict,
                Outcome::Undecided { .. } => Conclusion::Undecided,
                Outcome::Withheld { verdict, .. } => Conclusion::Withheld(*verdict),
            });
            prop_assert_eq!(
                quick.conclusion(&case, a),
                kind,
                "conclusion of `{}` on {}",
                g.action(a).name,
                json
            );
            let rules = whole.and_then(|r| match r.outcome {
                Outcome::Conflict(rs) => Some(rs),
                _ => None,
            });
            prop_assert_eq!(
                quick.conflict(&case, a),
                rules,
                "conflict on `{}` on {}",
                g.action(a).name,
                json
            );
        }
        prop_assert_eq!(
            one.evaluate(&case),
            program.evaluate(&case),
            "full evaluation of {}",
            json
        );
    }
    Ok(())
}

fn loaded(path: &str) -> Guideline {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    guidelang::load_str(path, &text).unwrap_or_else(|p| panic!("{path} does not check: {p:?}"))
}

/// The bundled guidelines and the dose example: doses chosen by criteria,
/// warnings, dates, a scope over several facts.
fn with_doses() -> &'static [(Guideline, CaseSpace)] {
    static G: OnceLock<Vec<(Guideline, CaseSpace)>> = OnceLock::new();
    G.get_or_init(|| {
        [
            "guidelines/als-hyperleukocytosis.gl",
            "guidelines/tumour-lysis-prophylaxis.gl",
            "examples/doses/anticoagulation.gl",
        ]
        .iter()
        .map(|p| {
            let g = loaded(p);
            let space = CaseSpace::of(&g);
            (g, space)
        })
        .collect()
    })
}

fn cases_of(which: usize) -> BoxedStrategy<Vec<Json>> {
    proptest::collection::vec(with_doses()[which].1.partial(), 1..8).boxed()
}

/// Random small guidelines with a few partial cases each.
fn random_and_cases() -> impl Strategy<Value = (String, Vec<Json>)> {
    gen_guideline().prop_flat_map(|gg: GenGuideline| {
        let text = gg.print().text();
        let cases = match guidelang::load_str("random.gl", &text) {
            Ok(g) => proptest::collection::vec(CaseSpace::of(&g).partial(), 1..6).boxed(),
            Err(_) => Just(Vec::new()).boxed(),
        };
        (Just(text), cases)
    })
}

proptest! {
    #![proptest_config(crate::common::gen::config(48))]

    #[test]
    fn one_action_matches_the_whole_guideline_on_the_bundled_and_dose_guidelines(
        (which, cases) in (0usize..3).prop_flat_map(|w| (Just(w), cases_of(w)))
    ) {
        agree(&with_doses()[which].0, &cases)?;
    }

    #[test]
    fn one_action_matches_the_whole_guideline_on_random_guidelines((text, cases) in random_and_cases()) {
        let g = guidelang::load_str("random.gl", &text)
            .map_err(|p| TestCaseError::fail(format!("generated guideline does not check: {p:?}\n{text}")))?;
        agree(&g, &cases)?;
    }

    /// The lint bench's kind of guideline (definitions shared by many
    /// actions, a scope, `at least`), smaller, with cases around its thresholds.
    #[test]
    fn one_action_matches_the_whole_guideline_on_generated_guidelines(seed in 0u64..1_000_000, absent in 0.0f64..0.6) {
        let shape = Shape { facts: 12, rules: 40, actions: 6, definitions: 4, depth: 3, invariants: 3, scope: true };
        let generated = guideline(seed, &shape);
        let g = guidelang::load_str("generated.gl", &generated.text)
            .map_err(|p| TestCaseError::fail(format!("generated guideline does not check: {p:?}")))?;
        let mut rng = Rng::new(seed ^ 0x5eed);
        let cases: Vec<Json> = (0..12).map(|_| case(&mut rng, &generated.facts, absent)).collect();
        agree(&g, &cases)?;
    }
}

/// The lint bench's guideline of `rules` rules (seed 42), and its next version.
fn bench_pair(rules: usize) -> (Guideline, Guideline) {
    let text = guideline(42, &bench_shape(rules)).text;
    let old = guidelang::load_str("old.gl", &text).expect("the generated guideline checks");
    let new = guidelang::load_str("new.gl", &next_version(&text)).expect("its next version checks");
    (old, new)
}

/// The same findings, witnesses, proofs and query count as the reference:
/// the witness check is the only thing that differs between them.
#[test]
fn lint_reports_what_the_reference_reports_on_the_bench_guidelines() {
    for rules in [100, 300] {
        let (g, _) = bench_pair(rules);
        // The command's defaults (findings capped per kind), and every finding.
        let all = LintOptions {
            per_kind: None,
            ..LintOptions::default()
        };
        for options in [LintOptions::default(), all] {
            let fast = lint_with(&g, options.clone());
            let reference = lint_reference(&g, options);
            assert!(
                !fast.findings.is_empty(),
                "{rules} rules: the bench guideline has findings"
            );
            assert_eq!(format!("{fast:#?}"), format!("{reference:#?}"), "{rules} rules");
        }
    }
}

#[test]
fn diff_reports_what_the_reference_reports_on_the_bench_guidelines() {
    for rules in [100, 300] {
        let (old, new) = bench_pair(rules);
        let fast = guidelang::analysis::diff::diff(&old, &new).expect("the solver works");
        let reference = guidelang::analysis::diff::diff_reference(&old, &new).expect("the solver works");
        // Every tenth `recommend` became `consider`: some decision changes.
        assert!(!fast.decisions.is_empty(), "{rules} rules: some decision changes");
        assert_eq!(format!("{fast:#?}"), format!("{reference:#?}"), "{rules} rules");
    }
}
