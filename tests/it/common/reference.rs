//! The tree-walking evaluator the compiled one replaced, kept only as a test
//! oracle: a proptest (`tests/reference_agreement.rs`) checks that both give
//! the same [`Evaluation`] on random cases. It walks the checked `model::Expr`
//! trees directly with [`Env`] and allocates freely, which makes it slow but
//! easy to read against the semantics.

use super::env::Env;
use super::reference_needs;
use guidelang::eval::{
    ActionResult, Applicability, Decision, Evaluation, Outcome, Truth, Val, Violation, WarningResult, MAX_UNKNOWN_RULES,
};
use guidelang::facts::Case;
use guidelang::model::{ActionId, Claim, FactId, Guideline, RuleId};
use guidelang::syntax::ast::Verdict;

/// The outcome of one combination of fired rules.
#[derive(Clone, Debug, PartialEq)]
enum Resolution {
    Silent,
    Verdict(Verdict, Vec<RuleId>, Vec<(RuleId, RuleId)>),
    Conflict(Vec<RuleId>),
}

impl Resolution {
    fn kind(&self) -> Option<Option<Verdict>> {
        match self {
            Resolution::Silent => Some(None),
            Resolution::Verdict(v, ..) => Some(Some(*v)),
            Resolution::Conflict(_) => None,
        }
    }
}

/// Evaluates a case the old way.
pub fn evaluate(g: &Guideline, case: &Case) -> Evaluation {
    let env = Env::new(g, case);
    match env.truth_opt(g.scope.as_ref()) {
        Truth::False => Evaluation {
            applicability: Applicability::NotApplicable,
            actions: Vec::new(),
            notes: Vec::new(),
            violations: Vec::new(),
            as_of: case.as_of(),
            scores: Vec::new(),
            categories: Vec::new(),
        },
        Truth::Unknown => {
            let needs = absent(case, &scope_facts(g));
            let actions = g
                .action_ids()
                .map(|a| ActionResult {
                    action: a,
                    outcome: Outcome::Undecided {
                        needs: needs.clone(),
                        possible: {
                            let mut v: Vec<Option<Verdict>> = vec![None];
                            v.extend(g.action(a).rules.iter().map(|r| Some(g.rule(*r).verdict)));
                            v.sort();
                            v.dedup();
                            v
                        },
                    },
                    trace: Vec::new(),
                })
                .collect();
            Evaluation {
                applicability: Applicability::Unknown(needs),
                actions,
                notes: Vec::new(),
                violations: Vec::new(),
                as_of: case.as_of(),
                scores: Vec::new(),
                categories: Vec::new(),
            }
        }
        Truth::True => {
            let mut actions: Vec<ActionResult> = g.action_ids().map(|a| decide(g, &env, case, a)).collect();
            for a in &mut actions {
                if let Outcome::Decided(d) = &mut a.outcome {
                    annotate(g, &env, case, d);
                }
            }
            let violations = enforce_invariants(g, &env, case, &mut actions);
            let notes = g
                .notes
                .iter()
                .enumerate()
                .filter(|(_, n)| env.truth_opt(n.when.as_ref()) == Truth::True)
                .map(|(i, _)| i)
                .collect();
            Evaluation {
                applicability: Applicability::Applies,
                actions,
                notes,
                violations,
                as_of: case.as_of(),
                scores: super::reference_derived::scores(g, &env, case),
                categories: super::reference_derived::categories(g, &env, case),
            }
        }
    }
}

fn decide(g: &Guideline, env: &Env, case: &Case, action: ActionId) -> ActionResult {
    let rules = &g.action(action).rules;
    let trace: Vec<(RuleId, Truth)> = rules
        .iter()
        .map(|&r| (r, env.truth_opt(g.rule(r).when.as_ref())))
        .collect();
    let fired: Vec<RuleId> = trace
        .iter()
        .filter(|(_, t)| *t == Truth::True)
        .map(|(r, _)| *r)
        .collect();
    let unknown: Vec<RuleId> = trace
        .iter()
        .filter(|(_, t)| *t == Truth::Unknown)
        .map(|(r, _)| *r)
        .collect();
    let base = resolve(g, &fired);
    // A true contraindication is absolute: no unknown can change it.
    let settled = matches!(base, Resolution::Verdict(Verdict::Contraindicated, ..));
    // Past the rule level, completions of the absent facts decide (see oracle_needs.rs).
    let refined = |fallback: Outcome| {
        let kind = |fired: &[RuleId]| resolve(g, fired).kind();
        match reference_needs::refine(g, case, action, &unknown, kind(&fired), kind) {
            Some((_, Some(undecided))) => undecided,
            Some((_, None)) => to_outcome(resolve(g, &fired)),
            None => fallback,
        }
    };
    let outcome = if unknown.is_empty() || settled {
        to_outcome(base)
    } else if unknown.len() > MAX_UNKNOWN_RULES {
        refined(undecided(g, env, case, &unknown, Vec::new()))
    } else {
        let mut possible: Vec<Option<Option<Verdict>>> = vec![base.kind()];
        let mut scratch = fired.clone();
        for mask in 1u32..(1 << unknown.len()) {
            scratch.truncate(fired.len());
            scratch.extend(
                unknown
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << i) != 0)
                    .map(|(_, r)| *r),
            );
            let k = resolve(g, &scratch).kind();
            if !possible.contains(&k) {
                possible.push(k);
            }
        }
        if possible.len() == 1 {
            to_outcome(base)
        } else {
            // `None` in `possible` stands for a conflict, which is no verdict either.
            let verdicts = possible
                .into_iter()
                .map(Option::flatten)
                .fold(Vec::new(), |mut acc, v| {
                    if !acc.contains(&v) {
                        acc.push(v);
                    }
                    acc
                });
            refined(undecided(g, env, case, &unknown, verdicts))
        }
    };
    ActionResult { action, outcome, trace }
}

fn undecided(g: &Guideline, env: &Env, case: &Case, unknown: &[RuleId], possible: Vec<Option<Verdict>>) -> Outcome {
    // The absent facts under the unknown parts of the unknown rules: a part
    // whose value is known already cannot change.
    let mut facts = Vec::new();
    let mut seen = vec![false; g.definitions.len()];
    for r in unknown {
        if let Some(when) = g.rule(*r).when.as_ref() {
            unknown_facts(g, env, when, &mut seen, &mut facts);
        }
    }
    facts.sort_unstable();
    facts.dedup();
    let mut possible = possible;
    possible.sort();
    Outcome::Undecided {
        needs: absent(case, &facts),
        possible,
    }
}

fn to_outcome(r: Resolution) -> Outcome {
    match r {
        Resolution::Silent => Outcome::Silent,
        Resolution::Verdict(verdict, rules, overridden) => Outcome::Decided(Decision {
            verdict,
            rules,
            overridden,
            doses: Vec::new(),
            warnings: Vec::new(),
        }),
        Resolution::Conflict(rules) => Outcome::Conflict(rules),
    }
}

/// Resolves a set of fired rules (in file order) to one outcome.
fn resolve(g: &Guideline, fired: &[RuleId]) -> Resolution {
    if fired.is_empty() {
        return Resolution::Silent;
    }
    let contra: Vec<RuleId> = fired
        .iter()
        .copied()
        .filter(|r| g.rule(*r).verdict == Verdict::Contraindicated)
        .collect();
    if let Some(&first) = contra.first() {
        let overridden = fired
            .iter()
            .copied()
            .filter(|r| !contra.contains(r))
            .map(|r| (r, first))
            .collect();
        return Resolution::Verdict(Verdict::Contraindicated, sorted(contra), overridden);
    }
    let mut survivors = Vec::new();
    let mut overridden = Vec::new();
    for &r in fired {
        match fired.iter().find(|o| g.rule(**o).overrides.contains(&r)) {
            Some(&by) => overridden.push((r, by)),
            None => survivors.push(r),
        }
    }
    let survivors = sorted(survivors);
    overridden.sort_unstable();
    let v = g.rule(survivors[0]).verdict;
    if survivors.iter().all(|r| g.rule(*r).verdict == v) {
        Resolution::Verdict(v, survivors, overridden)
    } else {
        Resolution::Conflict(survivors)
    }
}

fn sorted(mut v: Vec<RuleId>) -> Vec<RuleId> {
    v.sort_unstable();
    v
}

/// Checks every invariant; a decision that breaks one (or might, given unknown
/// facts) is withheld, so the report never carries it. A contraindication is
/// the exception: it is shown, with the violation reported beside it.
fn enforce_invariants(g: &Guideline, env: &Env, case: &Case, actions: &mut [ActionResult]) -> Vec<Violation> {
    let mut out = Vec::new();
    let nevers = g
        .invariants
        .iter()
        .enumerate()
        .filter(|(_, inv)| matches!(inv.claim, Claim::Never { .. }));
    let always = g
        .invariants
        .iter()
        .enumerate()
        .filter(|(_, inv)| matches!(inv.claim, Claim::AlwaysDecide { .. }));
    for (i, inv) in nevers.chain(always) {
        match &inv.claim {
            Claim::Never { verdicts, action, when } => {
                let result = &mut actions[action.index()];
                let Outcome::Decided(d) = &result.outcome else { continue };
                if !verdicts.contains(&d.verdict) {
                    continue;
                }
                let verdict = d.verdict;
                match claim_truth(env, when) {
                    Truth::False => {}
                    truth if verdict == Verdict::Contraindicated => out.push(Violation {
                        invariant: i,
                        action: *action,
                        verdict: Some(verdict),
                        certain: truth == Truth::True,
                    }),
                    Truth::True => {
                        out.push(Violation {
                            invariant: i,
                            action: *action,
                            verdict: Some(verdict),
                            certain: true,
                        });
                        result.outcome = Outcome::Withheld { invariant: i, verdict };
                    }
                    Truth::Unknown => {
                        // It might break the invariant once the facts are known:
                        // withhold it as undecided, so no later fact can reverse it.
                        let mut facts = Vec::new();
                        guidelang::check::visit(when, &mut |k| {
                            if let guidelang::model::ExprKind::Fact(f) = k {
                                facts.push(*f);
                            }
                        });
                        facts.extend(definition_facts_of(g, when));
                        facts.sort_unstable();
                        facts.dedup();
                        out.push(Violation {
                            invariant: i,
                            action: *action,
                            verdict: Some(verdict),
                            certain: false,
                        });
                        let needs = reference_needs::invariant_needs(g, case, when, &facts)
                            .unwrap_or_else(|| absent(case, &facts));
                        result.outcome = Outcome::Undecided {
                            needs,
                            possible: vec![None, Some(verdict)],
                        };
                    }
                }
            }
            Claim::AlwaysDecide { action, when } => {
                if env.truth(when) == Truth::True
                    && matches!(actions[action.index()].outcome, Outcome::Undecided { .. })
                {
                    out.push(Violation {
                        invariant: i,
                        action: *action,
                        verdict: None,
                        certain: true,
                    });
                }
            }
        }
    }
    out.sort_by_key(|v| v.invariant);
    out
}

fn definition_facts_of(g: &Guideline, e: &guidelang::model::Expr) -> Vec<FactId> {
    let mut defs = Vec::new();
    guidelang::check::visit(e, &mut |k| {
        if let guidelang::model::ExprKind::Def(d) = k {
            defs.push(*d);
        }
    });
    let mut facts = Vec::new();
    let mut seen = std::collections::HashSet::new();
    while let Some(d) = defs.pop() {
        if !seen.insert(d) {
            continue;
        }
        guidelang::check::visit(&g.definitions[d.index()].body, &mut |k| match k {
            guidelang::model::ExprKind::Fact(f) => facts.push(*f),
            guidelang::model::ExprKind::Def(d2) => defs.push(*d2),
            _ => {}
        });
    }
    facts
}

fn scope_facts(g: &Guideline) -> Vec<FactId> {
    let Some(scope) = &g.scope else { return Vec::new() };
    let mut facts = Vec::new();
    guidelang::check::visit(scope, &mut |k| {
        if let guidelang::model::ExprKind::Fact(f) = k {
            facts.push(*f);
        }
    });
    facts.extend(definition_facts_of(g, scope));
    facts.sort_unstable();
    facts.dedup();
    facts
}

fn absent(case: &Case, facts: &[FactId]) -> Vec<FactId> {
    facts.iter().copied().filter(|f| case.get(*f).is_none()).collect()
}

/// Multiplies out the doses and collects the warnings of a decision's rules.
fn annotate(g: &Guideline, env: &Env, case: &Case, d: &mut Decision) {
    for &r in &d.rules {
        let rule = g.rule(r);
        if let Some(dose) = &rule.dose {
            d.doses.push(super::reference_dose::dose(g, env, case, r, dose));
        }
        for (i, w) in rule.warnings.iter().enumerate() {
            let truth = w.when.as_ref().map_or(Truth::True, |e| env.truth(e));
            if truth != Truth::False {
                d.warnings.push(WarningResult {
                    rule: r,
                    index: i,
                    truth,
                    needs: absent(case, &w.depends_on),
                });
            }
        }
    }
}

/// The truth of a `never` claim's condition as it could turn out on any
/// completion of the case: `x is known` on an absent `x` counts as unknown.
fn claim_truth(env: &Env, e: &guidelang::model::Expr) -> Truth {
    use guidelang::model::ExprKind;
    match &e.kind {
        ExprKind::Known(x, _) if env.value(x) == Val::Unknown => Truth::Unknown,
        ExprKind::Not(x) => claim_truth(env, x).negate(),
        ExprKind::And(a, b) => claim_truth(env, a).min(claim_truth(env, b)),
        ExprKind::Or(a, b) => claim_truth(env, a).max(claim_truth(env, b)),
        ExprKind::AtLeast(n, items) => {
            let truths: Vec<Truth> = items.iter().map(|i| claim_truth(env, i)).collect();
            let yes = truths.iter().filter(|t| **t == Truth::True).count();
            let maybe = truths.iter().filter(|t| **t == Truth::Unknown).count();
            if yes >= *n as usize {
                Truth::True
            } else if yes + maybe < *n as usize {
                Truth::False
            } else {
                Truth::Unknown
            }
        }
        _ => env.truth(e),
    }
}

/// The facts read by `e` through subexpressions whose value is unknown.
fn unknown_facts(g: &Guideline, env: &Env, e: &guidelang::model::Expr, seen: &mut [bool], out: &mut Vec<FactId>) {
    use guidelang::model::ExprKind as K;
    if env.value(e) != guidelang::eval::Val::Unknown {
        return;
    }
    let mut each = |x: &guidelang::model::Expr| unknown_facts(g, env, x, seen, out);
    match &e.kind {
        K::Fact(f) => out.push(*f),
        K::Def(d) => {
            if !std::mem::replace(&mut seen[d.index()], true) {
                unknown_facts(g, env, &g.definitions[d.index()].body, seen, out);
            }
        }
        K::Bool(_) | K::Num(_) | K::Today => {}
        K::Not(x) | K::Neg(x) | K::Sqrt(x) | K::EnumIn(x, _) | K::Known(x, _) | K::ShiftMonths(x, _) => each(x),
        K::And(a, b)
        | K::Or(a, b)
        | K::Compare(_, a, b)
        | K::Arith(_, a, b)
        | K::Elapsed(_, a, b)
        | K::Change {
            now: a, baseline: b, ..
        } => {
            each(a);
            each(b);
        }
        K::AtLeast(_, items) => items.iter().for_each(each),
    }
}
