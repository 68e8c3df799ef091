//! Exact `needs`, `possible` and decidedness against a brute-force oracle
//! (`tests/common/completions.rs`): for random partial cases of the bundled
//! guideline and of random small guidelines, every completion of the absent
//! facts an action's rules read is evaluated by the real evaluator and the
//! outcomes compared with what the partial case reports. The brief path
//! (`Evaluator::run`), the full evaluation and `run_action` must agree.
//!
//! Case counts are modest by default; raise them with `GUIDELANG_PROPTEST_CASES`.

use crate::common;

use std::sync::OnceLock;

use crate::common::completions::{check_action, holding_invariant, invariant_needs, Tally};
use crate::common::gen::{to_case, CaseSpace};
use crate::common::random::{gen_guideline, GenGuideline};
use guidelang::compile::Program;
use guidelang::eval::{Conclusion, Evaluator, Outcome, Truth};
use guidelang::facts::Case;
use guidelang::model::{ActionId, Claim, Guideline};
use guidelang::syntax::ast::Verdict;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::Value as Json;

fn bundled() -> &'static Guideline {
    static G: OnceLock<Guideline> = OnceLock::new();
    G.get_or_init(|| guidelang::bundled().expect("the bundled guideline checks"))
}

fn space() -> &'static CaseSpace {
    static S: OnceLock<CaseSpace> = OnceLock::new();
    S.get_or_init(|| CaseSpace::of(bundled()))
}

/// Every action of an in-scope case against the oracle, then the three paths
/// against one another.
fn check_case(g: &Guideline, program: &Program, case: &Case, tally: &mut Tally) -> Result<(), TestCaseError> {
    let mut ev = Evaluator::new(program);
    let brief: Vec<(ActionId, Conclusion)> = ev.run(case).outcomes().collect();
    let scope = ev.brief().scope();
    let full = ev.evaluate(case);
    if scope != Truth::True {
        return Ok(());
    }
    for (a, kind) in brief {
        let outcome = &full.actions[a.index()].outcome;
        let same = match (kind, outcome) {
            (Conclusion::Silent, Outcome::Silent)
            | (Conclusion::Undecided, Outcome::Undecided { .. })
            | (Conclusion::Conflict, Outcome::Conflict(_)) => true,
            (Conclusion::Decided(v), Outcome::Decided(d)) => v == d.verdict,
            (Conclusion::Withheld(v), Outcome::Withheld { verdict, .. }) => v == *verdict,
            _ => false,
        };
        prop_assert!(
            same,
            "brief {:?} against full {:?} on `{}`",
            kind,
            outcome,
            g.action(a).name
        );
        check_action(g, &mut ev, case, a, tally)?;
        let alone = ev.run_action(case, a).map(|r| r.outcome);
        // No invariant holds back a contraindication, so only other verdicts
        // may differ from the action decided alone.
        let contraindicated = matches!(&alone, Some(Outcome::Decided(d)) if d.verdict == Verdict::Contraindicated);
        let guarded = !contraindicated
            && g.invariants
                .iter()
                .any(|i| matches!(&i.claim, Claim::Never { action, .. } if *action == a));
        if !guarded {
            prop_assert_eq!(alone.as_ref(), Some(outcome), "run_action on `{}`", g.action(a).name);
        } else if let (Some(Outcome::Decided(d)), Outcome::Undecided { needs, .. }) = (&alone, outcome) {
            // Held back by an invariant whose condition is unknown: `needs`
            // are the facts that can change that condition.
            if let Some(want) = holding_invariant(g, case, a, d.verdict).and_then(|i| invariant_needs(g, case, i)) {
                prop_assert_eq!(
                    needs,
                    &want,
                    "needs of `{}` held back on {}",
                    g.action(a).name,
                    case.to_json(g)
                );
            }
        }
    }
    Ok(())
}

fn program() -> &'static Program {
    static P: OnceLock<Program> = OnceLock::new();
    P.get_or_init(|| Program::new(bundled()))
}

/// Random guidelines with a few partial cases each, drawn from their own declarations.
fn guideline_and_cases() -> impl Strategy<Value = (String, Vec<Json>)> {
    gen_guideline().prop_flat_map(|gg: GenGuideline| {
        let text = gg.print().text();
        let cases = match guidelang::load_str("random.gl", &text) {
            Ok(g) => proptest::collection::vec(CaseSpace::of(&g).partial(), 1..5).boxed(),
            Err(_) => Just(Vec::new()).boxed(),
        };
        (Just(text), cases)
    })
}

/// Random guidelines with many partial cases each: absent facts fall into the
/// same few patterns, with the known ones changing.
fn guideline_and_many_cases() -> impl Strategy<Value = (String, Vec<Json>)> {
    gen_guideline().prop_flat_map(|gg: GenGuideline| {
        let text = gg.print().text();
        let cases = match guidelang::load_str("random.gl", &text) {
            Ok(g) => proptest::collection::vec(CaseSpace::of(&g).partial(), 2..40).boxed(),
            Err(_) => Just(Vec::new()).boxed(),
        };
        (Just(text), cases)
    })
}

/// One evaluator over `cases`, each given twice (the second time, and any
/// case with an earlier one's pattern, is answered from the memo of
/// refinements, `src/eval/memo.rs`), against a fresh evaluator for each
/// case (which has nothing to recall; the oracle tests hold it exact).
fn recalls_exactly(g: &Guideline, program: &Program, cases: &[Json]) -> Result<(), TestCaseError> {
    let mut shared = Evaluator::new(program);
    for json in cases.iter().chain(cases) {
        let case = to_case(g, json);
        let fresh = Evaluator::new(program).evaluate(&case);
        prop_assert_eq!(shared.evaluate(&case), fresh, "on {}", json);
    }
    Ok(())
}

proptest! {
    #![proptest_config(crate::common::gen::config(48))]

    /// The memo on the bundled guideline: cases in scope.
    #[test]
    fn bundled_refinements_are_recalled_exactly(cases in proptest::collection::vec(space().partial(), 2..40)) {
        let g = bundled();
        let in_scope: Vec<Json> = cases
            .into_iter()
            .map(|mut json| {
                for f in common::completions::scope_facts(g) {
                    json[g.fact(f).name.as_str()] = Json::Bool(true);
                }
                json
            })
            .collect();
        recalls_exactly(g, program(), &in_scope)?;
    }

    /// The memo on random small guidelines.
    #[test]
    fn random_refinements_are_recalled_exactly((text, cases) in guideline_and_many_cases()) {
        let g = guidelang::load_str("random.gl", &text)
            .map_err(|p| TestCaseError::fail(format!("generated guideline does not check: {p:?}\n{text}")))?;
        recalls_exactly(&g, &Program::new(&g), &cases)?;
    }

    /// Partial cases of the bundled guideline, in scope (the scope is one fact).
    #[test]
    fn bundled_needs_are_exact(json in space().partial()) {
        let g = bundled();
        let mut json = json;
        for f in common::completions::scope_facts(g) {
            json[g.fact(f).name.as_str()] = Json::Bool(true);
        }
        let case = to_case(g, &json);
        let mut tally = Tally::default();
        check_case(g, program(), &case, &mut tally)?;
    }

    /// Random small guidelines: random conditions, precedence, invariants.
    #[test]
    fn random_needs_are_exact((text, cases) in guideline_and_cases()) {
        let g = guidelang::load_str("random.gl", &text)
            .map_err(|p| TestCaseError::fail(format!("generated guideline does not check: {p:?}\n{text}")))?;
        let program = Program::new(&g);
        let mut tally = Tally::default();
        for json in &cases {
            check_case(&g, &program, &to_case(&g, json), &mut tally)?;
        }
    }
}

/// The oracle must really check something exactly: on the bundled guideline
/// most actions are in the exact fragment and within the limit.
#[test]
fn the_oracle_checks_exactly_on_the_bundled_guideline() {
    let g = bundled();
    let mut case = Case::empty(g);
    for f in common::completions::scope_facts(g) {
        case.set(f, Some(guidelang::facts::Value::Bool(true)));
    }
    let mut tally = Tally::default();
    check_case(g, program(), &case, &mut tally).unwrap();
    assert!(tally.exact > tally.sound, "{tally:?}");
}

/// Found by a 400-case run with the refinement's "decided" branch disabled:
/// `not (f0 is v0)` with `v0` the only value is unknown without `f0` but
/// false on every completion, so the action is silent. Kept so that the
/// default run exercises a decision only completions can make.
#[test]
fn regression_a_rule_no_completion_fires_leaves_the_action_silent() {
    let text = "guideline one-value\n  version 1.0.0\n  status draft\nreference 1 \"r\"\nfact f0: one of v0\nrule r0: recommend a0\n  when not (f0 is one of (v0))\n  cite 1\n";
    let g = guidelang::load_str("one-value.gl", text).unwrap();
    let program = Program::new(&g);
    let mut tally = Tally::default();
    check_case(&g, &program, &Case::empty(&g), &mut tally).unwrap();
    assert_eq!(tally.exact, 1);
    let e = guidelang::eval::evaluate(&g, &Case::empty(&g));
    assert_eq!(e.actions[0].outcome, Outcome::Silent);
}

/// Found by `random_needs_are_exact` in a CI run (shrunk): `sqrt(d0)` with the
/// constant `d0 = -1` is unknown on every case, so a rule reading it stays
/// unknown on a completion. The completion `f0 = false` still has one outcome
/// (a contraindication fires), and the refinement used to give up on it and
/// keep "no verdict" among the possible outcomes.
#[test]
fn regression_a_rule_unknown_on_every_case_does_not_block_a_fired_contraindication() {
    let text = "guideline g\n  version 1.0.0\n  status draft\nreference 1 \"r\"\nfact f0: bool\ndefine d0: -1\n\
                rule r1: contraindicated a3\n  when not (f0 is true)\n  cite 1\n\
                rule r2: avoid a3\n  when (sqrt(d0) >= 0) or (((d0 * -d0) <= 0) and (f0))\n  cite 1\n\
                rule r3: avoid a3\n  when (f0 is true) or ((d0 - 0) <= -5)\n  overrides r2\n  cite 1\n";
    let g = guidelang::load_str("g.gl", text).unwrap();
    let program = Program::new(&g);
    let mut tally = Tally::default();
    check_case(&g, &program, &Case::empty(&g), &mut tally).unwrap();
    assert_eq!(tally.exact, 1, "the oracle judges it exactly");
    let e = guidelang::eval::evaluate(&g, &Case::empty(&g));
    // f0 true: r3 beats r2, avoid; f0 false: r1, contraindicated.
    let Outcome::Undecided { needs, possible } = &e.actions[0].outcome else {
        panic!("{:?}", e.actions[0].outcome)
    };
    assert_eq!(possible, &[Some(Verdict::Avoid), Some(Verdict::Contraindicated)]);
    assert_eq!(needs, &[g.fact_id("f0").unwrap()]);
}

/// The memo's key holds the values of the known nodes that unknown ones
/// read, not only which nodes are unknown: `at least 2 of (p, q, r)` with
/// `p` known is unknown whether `p` is true (then it is `q or r`) or false
/// (`q and r`), and with `avoid a when q and not r` beside it only the first
/// can reach a conflict. One evaluator given both cases must answer each as
/// a fresh one does.
#[test]
fn a_recalled_refinement_tells_known_operands_apart() {
    let text = "guideline g\n  version 1.0.0\n  status draft\nreference 1 \"r\"\n\
                fact p: bool\nfact q: bool\nfact r: bool\n\
                rule two: recommend a\n  when at least 2 of (p, q, r)\n  cite 1\n\
                rule lone: avoid a\n  when q and not r\n  cite 1\n";
    let g = guidelang::load_str("g.gl", text).unwrap();
    let program = Program::new(&g);
    let mut shared = Evaluator::new(&program);
    let possible = |e: &guidelang::eval::Evaluation| match &e.actions[0].outcome {
        Outcome::Undecided { possible, .. } => possible.clone(),
        other => panic!("undecided expected, got {other:?}"),
    };
    let p_true = to_case(&g, &serde_json::json!({"p": true}));
    let p_false = to_case(&g, &serde_json::json!({"p": false}));
    let first = shared.evaluate(&p_true);
    // p true: q alone (r false) recommends and avoids, a conflict, which
    // reads as no verdict; never avoid alone.
    assert_eq!(possible(&first), vec![None, Some(Verdict::Recommend)]);
    let second = shared.evaluate(&p_false);
    assert_eq!(second, Evaluator::new(&program).evaluate(&p_false));
    // p false: no completion reaches a conflict, but every one of
    // silence, recommend and avoid is reached.
    assert_eq!(
        possible(&second),
        vec![None, Some(Verdict::Recommend), Some(Verdict::Avoid)]
    );
    assert_eq!(shared.evaluate(&p_true), first);
}
