//! The semantics of exact `needs` on a small fixture, each expected value
//! worked out by hand from the definition (see `needs.rs`): the spec's
//! platelet example, the covering case, decisions only completions can make,
//! silence against conflict, invariants, and the fallbacks.

use super::super::{evaluate, Conclusion, Evaluation, Evaluator, Outcome};
use crate::compile::Program;
use crate::facts::{parse_case, Case};
use crate::model::Verdict;
use crate::model::{ActionId, Guideline};

const FIXTURE: &str = r#"guideline needs-fixture
  version 0.1.0
  status draft

reference 1 "r"

fact platelets: number in 10^9/L from 0 "Platelet count."
fact coagulopathy: bool "Coagulopathy."
fact apl_morphology: bool "Smear suggests APL."
fact pml_rara: one of positive, negative, pending "PML-RARA."
fact p: bool "p"
fact q: bool "q"
fact m: bool "m"
fact w: number in kg from 0 to 20 "w"
fact h: number in kg from 0 to 20 "h"

define apl: apl_morphology or pml_rara is positive

rule platelets-30: recommend platelet_transfusion
  when platelets <= 30
  cite 1
rule platelets-50: recommend platelet_transfusion
  when platelets <= 50 and (coagulopathy or apl)
  cite 1

rule covered-yes: recommend covered
  when p
  cite 1
rule covered-no: recommend covered
  when not p
  cite 1

rule settled-yes: recommend settled
  when q
  cite 1
rule settled-never: contraindicated settled
  when w > 5 and w < 3
  cite 1

rule quiet-never: avoid quiet
  when w > 5 and w < 3
  cite 1

rule split-yes: recommend split
  when p
  cite 1
rule split-no: avoid split
  when p
  cite 1

rule held: recommend held
  when q
  cite 1

rule loose-yes: recommend loose
  when h * 2 > 10
  cite 1
rule loose-no: avoid loose
  when h > 5 and h < 3
  cite 1

invariant held-back:
  never recommend held when (m and p) or (m and not p)
"#;

fn fixture() -> Guideline {
    crate::load_str("needs-fixture.gl", FIXTURE).expect("the fixture checks")
}

struct Run {
    g: Guideline,
    e: Evaluation,
    case: Case,
}

fn run(text: &str) -> Run {
    let g = fixture();
    let case = parse_case(&g, text).expect("a valid case");
    let e = evaluate(&g, &case);
    Run { g, e, case }
}

impl Run {
    fn id(&self, action: &str) -> ActionId {
        self.g.action_id(action).expect("declared")
    }

    fn outcome(&self, action: &str) -> &Outcome {
        &self.e.actions[self.id(action).index()].outcome
    }

    /// `needs` and `possible` of an undecided action, by name.
    fn undecided(&self, action: &str) -> (Vec<String>, Vec<Option<Verdict>>) {
        match self.outcome(action) {
            Outcome::Undecided { needs, possible } => (
                needs.iter().map(|f| self.g.fact(*f).name.clone()).collect(),
                possible.clone(),
            ),
            other => panic!("`{action}` is {other:?}, not undecided"),
        }
    }

    fn verdict(&self, action: &str) -> Verdict {
        match self.outcome(action) {
            Outcome::Decided(d) => d.verdict,
            other => panic!("`{action}` is {other:?}, not decided"),
        }
    }

    /// The brief path (batch) and the one-action path (lint witnesses) agree
    /// with the full evaluation on every action.
    fn paths_agree(&self) {
        let program = Program::new(&self.g);
        let mut evaluator = Evaluator::new(&program);
        let kinds: Vec<(ActionId, Conclusion)> = evaluator.run(&self.case).outcomes().collect();
        for (a, kind) in kinds {
            let full = &self.e.actions[a.index()].outcome;
            let same = match (kind, full) {
                (Conclusion::Silent, Outcome::Silent) | (Conclusion::Undecided, Outcome::Undecided { .. }) => true,
                (Conclusion::Decided(v), Outcome::Decided(d)) => v == d.verdict,
                (Conclusion::Conflict, Outcome::Conflict(_)) => true,
                (Conclusion::Withheld(v), Outcome::Withheld { verdict, .. }) => v == *verdict,
                _ => false,
            };
            assert!(
                same,
                "brief {kind:?} against full {full:?} on `{}`",
                self.g.action(a).name
            );
            // Invariants are enforced after `run_action`; the fixture's one
            // invariant concerns `held` only.
            if self.g.action(a).name != "held" {
                let one = evaluator.run_action(&self.case, a).expect("in scope");
                assert_eq!(&one.outcome, full, "run_action on `{}`", self.g.action(a).name);
            }
        }
    }
}

#[test]
fn platelets_40_with_apl_confirmed_is_decided_and_asks_nothing() {
    // 40 <= 30 is false; 40 <= 50 is true and APL is confirmed, so the second
    // rule is true whatever coagulopathy is.
    let r = run(r#"{"platelets": 40, "pml_rara": "positive"}"#);
    assert_eq!(r.verdict("platelet_transfusion"), Verdict::Recommend);
    r.paths_agree();
}

#[test]
fn platelets_and_coagulopathy_unknown_with_apl_confirmed_needs_platelets_only() {
    // With APL confirmed, `coagulopathy or apl` is true on every completion,
    // so coagulopathy (and the smear) cannot change anything; platelets can
    // (recommend at 50 or below, silent above).
    let r = run(r#"{"pml_rara": "positive"}"#);
    let (needs, possible) = r.undecided("platelet_transfusion");
    assert_eq!(needs, ["platelets"]);
    assert_eq!(possible, [None, Some(Verdict::Recommend)]);
    r.paths_agree();
}

#[test]
fn apl_not_confirmed_needs_what_can_still_matter() {
    // Platelets 40: only the second rule can fire, and it needs coagulopathy
    // or APL; each of coagulopathy, the smear and PML-RARA can decide it.
    let r = run(r#"{"platelets": 40}"#);
    let (needs, possible) = r.undecided("platelet_transfusion");
    assert_eq!(needs, ["coagulopathy", "apl_morphology", "pml_rara"]);
    assert_eq!(possible, [None, Some(Verdict::Recommend)]);
    // Platelets 20: the first rule is true; nothing else can change it.
    let r = run(r#"{"platelets": 20}"#);
    assert_eq!(r.verdict("platelet_transfusion"), Verdict::Recommend);
    // Platelets 60: neither rule can fire.
    let r = run(r#"{"platelets": 60}"#);
    assert_eq!(r.outcome("platelet_transfusion"), &Outcome::Silent);
}

#[test]
fn one_verdict_on_every_completion_but_no_true_rule_stays_undecided() {
    // `p` and `not p`: every completion recommends, but no rule is true on
    // the given facts to name. Undecided, recommend the only possibility, and
    // `needs` lists the facts the unknown rules read.
    let r = run("{}");
    let (needs, possible) = r.undecided("covered");
    assert_eq!(needs, ["p"]);
    assert_eq!(possible, [Some(Verdict::Recommend)]);
    r.paths_agree();
    let r = run(r#"{"p": false}"#);
    assert_eq!(r.verdict("covered"), Verdict::Recommend);
}

#[test]
fn a_rule_no_completion_can_fire_does_not_hold_a_decision_back() {
    // `w > 5 and w < 3` is unknown without w but false for every w: the
    // recommendation stands, and the action whose only rule it is is silent.
    let r = run(r#"{"q": true}"#);
    assert_eq!(r.verdict("settled"), Verdict::Recommend);
    assert_eq!(r.outcome("quiet"), &Outcome::Silent);
    r.paths_agree();
}

#[test]
fn silence_and_conflict_are_different_outcomes() {
    // p true: the two rules clash; p false: silent. Both are "no verdict" in
    // `possible`, but p decides which is reported.
    let r = run("{}");
    let (needs, possible) = r.undecided("split");
    assert_eq!(needs, ["p"]);
    assert_eq!(possible, [None]);
    r.paths_agree();
}

#[test]
fn a_decision_held_back_by_an_invariant_needs_what_changes_its_condition() {
    // `(m and p) or (m and not p)` is `m` on every completion: p cannot
    // change it.
    let r = run(r#"{"q": true}"#);
    let (needs, possible) = r.undecided("held");
    assert_eq!(needs, ["m"]);
    assert_eq!(possible, [None, Some(Verdict::Recommend)]);
    r.paths_agree();
}

#[test]
fn outside_the_exact_fragment_the_rule_level_answer_stands() {
    // `h * 2 > 10` is arithmetic on a fact: not refined. Rule level: both
    // rules unknown, so recommend, avoid, a conflict or nothing.
    let r = run("{}");
    let (needs, possible) = r.undecided("loose");
    assert_eq!(needs, ["h"]);
    assert_eq!(possible, [None, Some(Verdict::Recommend), Some(Verdict::Avoid)]);
    r.paths_agree();
}

#[test]
fn past_the_cap_the_rule_level_answer_stands() {
    // Fifteen unknown boolean rules: 2^15 completions, past MAX_COMPLETIONS
    // (and past the rule-level enumeration): undecided with no list of
    // possible verdicts, every fact the rules read asked for.
    const { assert!(1usize << 15 > super::MAX_COMPLETIONS) };
    let mut text = String::from("guideline capped\n  version 0.1.0\n  status draft\nreference 1 \"r\"\n");
    for i in 0..15 {
        text.push_str(&format!(
            "fact f{i}: bool \"f\"\nrule r{i}: recommend many\n  when f{i}\n  cite 1\n"
        ));
    }
    let g = crate::load_str("capped.gl", &text).expect("checks");
    let e = evaluate(&g, &Case::empty(&g));
    match &e.actions[0].outcome {
        Outcome::Undecided { needs, possible } => {
            assert_eq!(needs.len(), 15);
            assert!(possible.is_empty());
        }
        other => panic!("{other:?}"),
    }
    // With one rule true, fourteen unknown rules are still past the
    // rule-level enumeration, but their 2^14 completions are within the cap,
    // and none changes the verdict: decided.
    let case = parse_case(&g, r#"{"f0": true}"#).expect("valid");
    assert!(matches!(&evaluate(&g, &case).actions[0].outcome, Outcome::Decided(d) if d.verdict == Verdict::Recommend));
}

#[test]
fn planning_stops_at_its_budget_and_evaluation_falls_back() {
    // 100 actions, each reading one definition of 4,000 comparisons: about
    // 12,000 nodes and values per plan, so the budget runs out part-way. An
    // action past it keeps the rule-level answer, which lists `x`.
    let mut text = String::from(
        "guideline big\n  version 0.1.0\n  status draft\nreference 1 \"r\"\nfact x: number in kg from 0 \"x\"\n",
    );
    let comparisons: Vec<String> = (0..4000).map(|i| format!("x > {i}")).collect();
    text.push_str(&format!("define many: at least 1 of ({})\n", comparisons.join(", ")));
    for i in 0..100 {
        text.push_str(&format!("rule r{i}: recommend a{i}\n  when many\n  cite 1\n"));
    }
    let g = crate::load_str("big.gl", &text).expect("checks");
    let program = Program::new(&g);
    let usable = program.needs.actions.iter().filter(|p| p.usable).count();
    assert!(usable > 0 && usable < 100, "{usable} plans made");
    let last = ActionId(99);
    assert!(!program.needs.actions[last.index()].usable);
    let mut evaluator = Evaluator::new(&program);
    let result = evaluator.run_action(&Case::empty(&g), last).expect("in scope");
    let Outcome::Undecided { needs, possible } = result.outcome else {
        panic!("{:?}", result.outcome)
    };
    assert_eq!(needs.len(), 1);
    assert_eq!(possible, [None, Some(Verdict::Recommend)]);
}
