//! The properties of issue 3 as reusable checks on one evaluation. Each check
//! works on any guideline and returns a proptest failure (so proptest shrinks
//! it) naming the action and what went wrong.

use std::collections::{BTreeMap, BTreeSet};

use super::env::Env;
use guidelang::eval::{evaluate, Applicability, Decision, Evaluation, Outcome, Truth};
use guidelang::facts::Case;
use guidelang::model::{Claim, Guideline, RuleId};
use guidelang::report::evaluation_json;
use guidelang::syntax::ast::Verdict;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::Value as Json;

type Check = Result<(), TestCaseError>;

/// Evaluates and renders a case.
pub fn run(g: &Guideline, case: &Case) -> (Evaluation, Json) {
    let e = evaluate(g, case);
    let json = evaluation_json(g, &e);
    (e, json)
}

fn rule_truth(g: &Guideline, env: &Env, r: RuleId) -> Truth {
    env.truth_opt(g.rule(r).when.as_ref())
}

/// Property 1: each action appears at most once among decisions, undecided
/// items and conflicts, so it never carries two verdicts.
pub fn one_outcome_per_action(json: &Json) -> Check {
    let mut seen = BTreeSet::new();
    for list in ["decisions", "undecided", "conflicts"] {
        for item in json[list].as_array().into_iter().flatten() {
            let action = item["action"].as_str().unwrap_or_default().to_string();
            prop_assert!(
                seen.insert(action.clone()),
                "action `{}` appears twice in the report",
                action
            );
        }
    }
    Ok(())
}

/// Property 2: no emitted decision has a verdict an invariant forbids unless
/// the invariant's condition is false on the case, or the verdict is a
/// contraindication (never withheld: it is shown and the violation reported);
/// an `always decide` invariant whose condition is true either holds or is
/// reported violated.
pub fn invariants_hold(g: &Guideline, case: &Case, e: &Evaluation) -> Check {
    if e.applicability != Applicability::Applies {
        return Ok(());
    }
    let env = Env::new(g, case);
    for (i, inv) in g.invariants.iter().enumerate() {
        match &inv.claim {
            Claim::Never { verdicts, action, when } => {
                if let Outcome::Decided(d) = &e.actions[action.index()].outcome {
                    if d.verdict == Verdict::Contraindicated {
                        prop_assert!(
                            !verdicts.contains(&d.verdict)
                                || env.truth(when) == Truth::False
                                || e.violations.iter().any(|v| v.invariant == i),
                            "invariant `{}` is broken and not reported: `{}` is contraindicated while its condition is {:?}",
                            inv.id,
                            g.action(*action).name,
                            env.truth(when)
                        );
                        continue;
                    }
                    prop_assert!(
                        !verdicts.contains(&d.verdict) || env.truth(when) == Truth::False,
                        "invariant `{}` is broken: `{}` is {} while its condition is {:?}",
                        inv.id,
                        g.action(*action).name,
                        d.verdict,
                        env.truth(when)
                    );
                }
            }
            Claim::AlwaysDecide { action, when } => {
                if env.truth(when) == Truth::True
                    && matches!(e.actions[action.index()].outcome, Outcome::Undecided { .. })
                {
                    prop_assert!(
                        e.violations.iter().any(|v| v.invariant == i),
                        "invariant `{}` is broken and not reported: `{}` is undecided",
                        inv.id,
                        g.action(*action).name
                    );
                }
            }
        }
    }
    Ok(())
}

/// Property 5: every decision is carried by rules of its action and verdict
/// whose conditions are true, cites exactly their references, and accounts
/// for every other true rule of the action as overridden by a true rule that
/// may beat it (a contraindication, or a rule that states `overrides` it).
pub fn decisions_justified(g: &Guideline, case: &Case, e: &Evaluation, json: &Json) -> Check {
    let env = Env::new(g, case);
    let by_action: BTreeMap<&str, &Json> = json["decisions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| (d["action"].as_str().unwrap_or_default(), d))
        .collect();
    for a in &e.actions {
        let action = g.action(a.action);
        let true_rules: Vec<RuleId> = action
            .rules
            .iter()
            .copied()
            .filter(|r| rule_truth(g, &env, *r) == Truth::True)
            .collect();
        let Outcome::Decided(d) = &a.outcome else {
            prop_assert!(
                !by_action.contains_key(action.name.as_str()),
                "`{}` reported without a decision",
                action.name
            );
            continue;
        };
        prop_assert!(!d.rules.is_empty(), "decision on `{}` carried by no rule", action.name);
        for &r in &d.rules {
            let rule = g.rule(r);
            prop_assert_eq!(rule.action, a.action, "rule `{}` decides another action", rule.id);
            prop_assert_eq!(rule.verdict, d.verdict, "rule `{}` has another verdict", rule.id);
            prop_assert_eq!(rule_truth(g, &env, r), Truth::True, "rule `{}` is not true", rule.id);
        }
        let contra_fired = true_rules
            .iter()
            .any(|r| g.rule(*r).verdict == Verdict::Contraindicated);
        prop_assert!(
            !contra_fired || d.verdict == Verdict::Contraindicated,
            "`{}` has a true contraindication but is {}",
            action.name,
            d.verdict
        );
        for &(loser, by) in &d.overridden {
            prop_assert_eq!(rule_truth(g, &env, loser), Truth::True);
            prop_assert_eq!(rule_truth(g, &env, by), Truth::True);
            let beats = g.rule(by).overrides.contains(&loser)
                || (g.rule(by).verdict == Verdict::Contraindicated
                    && g.rule(loser).verdict != Verdict::Contraindicated);
            prop_assert!(beats, "`{}` cannot beat `{}`", g.rule(by).id, g.rule(loser).id);
        }
        let accounted: BTreeSet<RuleId> = d
            .rules
            .iter()
            .copied()
            .chain(d.overridden.iter().map(|(r, _)| *r))
            .collect();
        prop_assert_eq!(accounted, true_rules.iter().copied().collect::<BTreeSet<_>>());
        // The rendered decision says the same.
        let Some(j) = by_action.get(action.name.as_str()) else {
            return Err(TestCaseError::fail(format!(
                "decision on `{}` not rendered",
                action.name
            )));
        };
        prop_assert_eq!(j["verdict"].as_str(), Some(d.verdict.as_str()));
        let mut cites: Vec<u64> = d
            .rules
            .iter()
            .flat_map(|r| g.rule(*r).cites.iter().map(|c| u64::from(*c)))
            .collect();
        cites.sort_unstable();
        cites.dedup();
        let rendered: Vec<u64> = j["citations"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Json::as_u64)
            .collect();
        prop_assert_eq!(rendered, cites, "citations of `{}`", action.name);
        let ids: Vec<&str> = d.rules.iter().map(|r| g.rule(*r).id.as_str()).collect();
        let rendered_ids: Vec<&str> = j["rules"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
            .collect();
        prop_assert_eq!(&rendered_ids, &ids);
        prop_assert!(ids.contains(&j["rule"].as_str().unwrap_or_default()));
    }
    Ok(())
}

/// The outcome each action must have on a case where every rule's condition
/// is known, computed straight from the language's definition: a true
/// contraindication wins; otherwise true rules beaten by a true rule that
/// overrides them drop out; the rest agree (a verdict) or clash (a conflict).
/// `None` when some rule's condition is unknown (e.g. a division by zero).
pub fn expected_outcomes(g: &Guideline, case: &Case) -> Option<Vec<Expected>> {
    let env = Env::new(g, case);
    let mut out = Vec::new();
    for action in &g.actions {
        let mut fired = Vec::new();
        for &r in &action.rules {
            match rule_truth(g, &env, r) {
                Truth::True => fired.push(r),
                Truth::False => {}
                Truth::Unknown => return None,
            }
        }
        let contra: BTreeSet<RuleId> = fired
            .iter()
            .copied()
            .filter(|r| g.rule(*r).verdict == Verdict::Contraindicated)
            .collect();
        out.push(if fired.is_empty() {
            Expected::Silent
        } else if !contra.is_empty() {
            Expected::Verdict(Verdict::Contraindicated, contra)
        } else {
            let survivors: BTreeSet<RuleId> = fired
                .iter()
                .copied()
                .filter(|r| !fired.iter().any(|o| g.rule(*o).overrides.contains(r)))
                .collect();
            let verdicts: BTreeSet<Verdict> = survivors.iter().map(|r| g.rule(*r).verdict).collect();
            match verdicts.len() {
                1 => Expected::Verdict(verdicts.into_iter().next().unwrap_or(Verdict::Avoid), survivors),
                _ => Expected::Conflict(survivors),
            }
        });
    }
    Some(out)
}

/// An action's outcome as the definition of the language fixes it.
#[derive(Clone, Debug, PartialEq)]
pub enum Expected {
    /// No rule fired.
    Silent,
    /// A verdict carried by these rules.
    Verdict(Verdict, BTreeSet<RuleId>),
    /// Surviving rules that disagree.
    Conflict(BTreeSet<RuleId>),
}

/// Checks an evaluation of a case on which every rule's condition is known
/// against [`expected_outcomes`]; a decision withheld by an invariant counts
/// as the verdict it withheld.
pub fn matches_definition(g: &Guideline, case: &Case, e: &Evaluation) -> Check {
    if e.applicability != Applicability::Applies {
        return Ok(());
    }
    let Some(expected) = expected_outcomes(g, case) else {
        return Ok(());
    };
    for (a, want) in e.actions.iter().zip(expected) {
        let name = &g.action(a.action).name;
        match (&a.outcome, &want) {
            (Outcome::Silent, Expected::Silent) => {}
            (Outcome::Decided(d), Expected::Verdict(v, rules)) => {
                prop_assert_eq!(d.verdict, *v, "verdict on `{}`", name);
                prop_assert_eq!(
                    &d.rules.iter().copied().collect::<BTreeSet<_>>(),
                    rules,
                    "rules on `{}`",
                    name
                );
            }
            (Outcome::Withheld { verdict, .. }, Expected::Verdict(v, _)) => {
                prop_assert_eq!(verdict, v, "withheld verdict on `{}`", name)
            }
            // A forbidden verdict whose invariant condition is unknown is withheld as undecided.
            (Outcome::Undecided { possible, .. }, Expected::Verdict(v, _)) if possible.contains(&Some(*v)) => {}
            (Outcome::Conflict(rules), Expected::Conflict(want)) => {
                prop_assert_eq!(
                    &rules.iter().copied().collect::<BTreeSet<_>>(),
                    want,
                    "conflict on `{}`",
                    name
                );
            }
            (got, want) => {
                return Err(TestCaseError::fail(format!(
                    "`{name}`: expected {want:?}, the evaluator gave {got:?}"
                )))
            }
        }
    }
    Ok(())
}

/// Property 3 between a case and a larger one: scope and every settled
/// outcome (silent, decided, conflict) stay as they were; a
/// decision keeps its verdict and, when `rules_grow`, its rules (more may
/// join); notes only accumulate. Undecided items may become anything.
pub fn monotone(g: &Guideline, small: &Evaluation, large: &Evaluation, rules_grow: bool) -> Check {
    match (&small.applicability, &large.applicability) {
        (Applicability::Unknown(_), _) => return Ok(()),
        (a, b) => prop_assert_eq!(a, b, "applicability changed"),
    }
    if small.applicability != Applicability::Applies {
        return Ok(());
    }
    for (s, l) in small.actions.iter().zip(&large.actions) {
        let name = &g.action(s.action).name;
        match (&s.outcome, &l.outcome) {
            (Outcome::Undecided { .. }, _) => {}
            (Outcome::Silent, Outcome::Silent) => {}
            (Outcome::Decided(a), Outcome::Decided(b)) => {
                prop_assert_eq!(a.verdict, b.verdict, "verdict on `{}` changed", name);
                if rules_grow {
                    prop_assert!(
                        a.rules.iter().all(|r| b.rules.contains(r)),
                        "rules of `{}` shrank: {:?} then {:?}",
                        name,
                        a.rules,
                        b.rules
                    );
                }
                // A dose computed once stays as computed; an uncomputed one may become computable.
                for dose in a.doses.iter().filter(|d| d.amount.is_some()) {
                    if let Some(later) = b.doses.iter().find(|d| d.rule == dose.rule) {
                        prop_assert_eq!(later.amount, dose.amount, "dose on `{}` changed", name);
                    }
                }
                // An amount chosen later is one the pending choice listed as possible.
                for dose in a.doses.iter().filter(|d| d.branch.is_none()) {
                    if let Some(k) = b.doses.iter().find(|d| d.rule == dose.rule).and_then(|d| d.branch) {
                        prop_assert!(
                            dose.possible.iter().any(|p| p.branch == Some(k)),
                            "dose on `{}` became amount {} outside {:?}",
                            name,
                            k,
                            dose.possible
                        );
                    }
                }
            }
            (Outcome::Conflict(_), Outcome::Conflict(_)) => {}
            // A withheld decision is reported as undecided: it may be released
            // (an invariant's `is not known` turning false), but only as the verdict withheld.
            (Outcome::Withheld { verdict: a, .. }, Outcome::Withheld { verdict: b, .. })
            | (Outcome::Withheld { verdict: a, .. }, Outcome::Decided(Decision { verdict: b, .. })) => {
                prop_assert_eq!(a, b, "withheld verdict on `{}` changed", name)
            }
            (Outcome::Withheld { .. }, Outcome::Undecided { .. }) => {}
            (a, b) => {
                return Err(TestCaseError::fail(format!(
                    "`{name}` was settled as {a:?} but became {b:?} when facts were added"
                )))
            }
        }
    }
    prop_assert!(
        small.notes.iter().all(|n| large.notes.contains(n)),
        "a note disappeared when facts were added"
    );
    Ok(())
}

/// A report with everything that legitimately follows file order taken out,
/// for comparing the reports of two orderings of one guideline: the hash,
/// the order of every list, which of several agreeing rules is named first,
/// which of several winners is named as the beater, and the order in which
/// the texts of several rules are joined.
pub fn order_free(json: &Json) -> Json {
    let mut j = json.clone();
    j["guideline"]["hash"] = Json::Null;
    for d in j["decisions"].as_array_mut().into_iter().flatten() {
        let rule = d["rule"].as_str().unwrap_or_default().to_string();
        let named = d["rules"]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x.as_str() == Some(&rule)));
        d["rule"] = Json::Bool(named);
        for by in d["overridden_by"].as_array_mut().into_iter().flatten() {
            by["by"] = Json::Null;
        }
        for (field, sep) in [("detail", "; "), ("rationale", " ")] {
            let mut parts: Vec<&str> = d[field].as_str().unwrap_or_default().split(sep).collect();
            parts.sort_unstable();
            d[field] = Json::String(parts.join(sep));
        }
        if let Some(doses) = d["dose"].as_object() {
            // Only the first rule's dose is shown; which rule is first follows the file.
            d["dose"] = Json::Bool(!doses.is_empty());
        }
    }
    sort_lists(&mut j);
    j
}

fn sort_lists(j: &mut Json) {
    match j {
        Json::Array(items) => {
            items.iter_mut().for_each(sort_lists);
            items.sort_by_key(|x| x.to_string());
        }
        Json::Object(map) => map.values_mut().for_each(sort_lists),
        _ => {}
    }
}
