//! The reference evaluator's doses, written from the definition and not from
//! `src/eval/dose.rs`: the first amount whose criterion holds (the last
//! otherwise), multiplied out on the tree-walking [`Env`] and capped; while an
//! unknown criterion stands before the first true one, every completion of
//! the absent facts the unknown criteria read is built as a real case, and
//! `possible` / `settle` are what those completions show.

use super::env::Env;
use super::reference_needs::{changing, completions, exact};
use guidelang::analysis::Domain;
use guidelang::eval::{DoseResult, Truth, Val};
use guidelang::facts::Case;
use guidelang::model::{Dose, FactId, Guideline, RuleId};

fn absent(case: &Case, facts: &[FactId]) -> Vec<FactId> {
    facts.iter().copied().filter(|f| case.get(*f).is_none()).collect()
}

/// Amount `k` of `dose` on the case `env` values.
pub fn amount(env: &Env, case: &Case, rule: RuleId, dose: &Dose, k: usize) -> DoseResult {
    let a = &dose.branches[k].amount;
    let mut out = DoseResult {
        rule,
        amount: None,
        by: None,
        needs: Vec::new(),
        not_finite: Vec::new(),
        branch: Some(k),
        capped: false,
        possible: Vec::new(),
        settle: Vec::new(),
    };
    let Some(by) = &a.by else {
        out.amount = Some((a.low, a.high));
        return out;
    };
    let x = match env.value(&by.expr) {
        Val::Num(x) if !x.is_nan() => x,
        _ => {
            out.needs = absent(case, &by.depends_on);
            if out.needs.is_empty() {
                out.not_finite = by.depends_on.clone();
            }
            return out;
        }
    };
    let (lo, hi) = (a.low * x, a.high * x);
    if !(lo.is_finite() && hi.is_finite()) {
        out.not_finite = by.depends_on.clone();
        return out;
    }
    out.by = Some(x);
    out.capped = a.cap.is_some_and(|cap| hi > cap);
    out.amount = Some(match a.cap {
        Some(cap) => (lo.min(cap), hi.min(cap)),
        None => (lo, hi),
    });
    out
}

/// The amount the criteria choose on a complete-enough case: `Err(())` when a
/// criterion before the choice is unknown.
fn pick(env: &Env, dose: &Dose) -> Result<usize, ()> {
    let last = dose.branches.len() - 1;
    for (k, b) in dose.branches.iter().enumerate() {
        match env.truth_opt(b.when.as_ref()) {
            Truth::True => return Ok(k),
            Truth::False => {}
            Truth::Unknown => return Err(()),
        }
    }
    Ok(last)
}

/// The dose of `rule` on `case`.
pub fn dose(g: &Guideline, env: &Env, case: &Case, rule: RuleId, dose: &Dose) -> DoseResult {
    if let Ok(k) = pick(env, dose) {
        return amount(env, case, rule, dose, k);
    }
    let truths: Vec<Truth> = dose.branches.iter().map(|b| env.truth_opt(b.when.as_ref())).collect();
    let end = truths
        .iter()
        .position(|t| *t == Truth::True)
        .unwrap_or(dose.branches.len() - 1);
    let open: Vec<usize> = (0..end).filter(|k| truths[*k] == Truth::Unknown).collect();
    let mut facts: Vec<FactId> = open
        .iter()
        .flat_map(|k| dose.branches[*k].when_facts.iter().copied())
        .collect();
    facts.sort_unstable();
    facts.dedup();
    let facts = absent(case, &facts);
    let exact_now = open
        .iter()
        .all(|k| dose.branches[*k].when.as_ref().is_some_and(|e| exact(g, e)));
    let domain = Domain::new(g, dose.branches.iter().filter_map(|b| b.when.as_ref()));
    let enumerated = exact_now
        .then(|| completions(g, case, &facts, &domain))
        .flatten()
        .and_then(|all| {
            let picks: Option<Vec<usize>> = all.iter().map(|c| pick(&Env::new(g, c), dose).ok()).collect();
            picks.map(|p| (all, p))
        });
    let (possible, settle) = match enumerated {
        Some((all, picks)) => {
            let mut possible = picks.clone();
            possible.sort_unstable();
            possible.dedup();
            if let [only] = possible[..] {
                return amount(env, case, rule, dose, only);
            }
            (possible, changing(case, &facts, &all, &picks))
        }
        None => (open.iter().copied().chain([end]).collect(), facts),
    };
    DoseResult {
        rule,
        amount: None,
        by: None,
        needs: Vec::new(),
        not_finite: Vec::new(),
        branch: None,
        capped: false,
        possible: possible.into_iter().map(|k| amount(env, case, rule, dose, k)).collect(),
        settle,
    }
}
