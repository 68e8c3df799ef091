//! The reference evaluator's exact `needs`, written from the definition and
//! independently of `src/eval/needs.rs`: it works on the checked expression trees,
//! cuts numbers with the library's [`Domain`] at the constants it finds in those trees (its
//! own constant folding, below), builds every
//! completion as a real [`Case`] and evaluates it with the tree-walking
//! [`Env`]. Slow and plain, which is the point.

use super::env::Env;
use guidelang::analysis::{Domain, FactDomain};
use guidelang::eval::{Outcome, Truth, MAX_COMPLETIONS};
use guidelang::facts::{Case, Value};
use guidelang::model::{ActionId, ArithOp, Expr, ExprKind, FactId, Guideline, RuleId};
use guidelang::syntax::ast::Verdict;

/// An outcome on a complete case: silent, a conflict, or a verdict.
pub type Kind = Option<Option<Verdict>>;

/// A numeric expression, folded: a constant, a fact, always unknown, or
/// anything else (arithmetic on facts).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Term {
    Const(f64),
    Fact(FactId),
    Unknown,
    Other,
}

/// Folds constants with plain `f64` arithmetic; a non-finite result is
/// unknown, as the evaluator has it.
fn term(g: &Guideline, e: &Expr) -> Term {
    let finite = |x: f64| if x.is_finite() { Term::Const(x) } else { Term::Unknown };
    let both = |a: Term, b: Term, f: fn(f64, f64) -> f64| match (a, b) {
        (Term::Const(x), Term::Const(y)) => finite(f(x, y)),
        (Term::Unknown, _) | (_, Term::Unknown) => Term::Unknown,
        _ => Term::Other,
    };
    match &e.kind {
        ExprKind::Num(x) => Term::Const(*x),
        ExprKind::Fact(f) => Term::Fact(*f),
        ExprKind::Def(d) => term(g, &g.definitions[d.index()].body),
        ExprKind::Neg(x) => both(Term::Const(0.0), term(g, x), |_, c| -c),
        ExprKind::Sqrt(x) => both(Term::Const(0.0), term(g, x), |_, c| c.sqrt()),
        ExprKind::Arith(op, a, b) => {
            let f: fn(f64, f64) -> f64 = match op {
                ArithOp::Add => |x, y| x + y,
                ArithOp::Sub => |x, y| x - y,
                ArithOp::Mul => |x, y| x * y,
                ArithOp::Div => |x, y| x / y,
            };
            both(term(g, a), term(g, b), f)
        }
        _ => Term::Other,
    }
}

/// Whether a condition is one whose truth is constant on every domain cell.
pub fn exact(g: &Guideline, e: &Expr) -> bool {
    let numeric = |t: Term| matches!(t, Term::Const(_) | Term::Unknown);
    match &e.kind {
        ExprKind::Bool(_) | ExprKind::Fact(_) => true,
        ExprKind::Def(d) => exact(g, &g.definitions[d.index()].body),
        ExprKind::Not(x) | ExprKind::EnumIn(x, _) => exact(g, x),
        ExprKind::And(a, b) | ExprKind::Or(a, b) => exact(g, a) && exact(g, b),
        ExprKind::AtLeast(_, items) => items.iter().all(|i| exact(g, i)),
        ExprKind::Compare(_, a, b) => match (term(g, a), term(g, b)) {
            (Term::Fact(_), t) | (t, Term::Fact(_)) => numeric(t),
            (s, t) => numeric(s) && numeric(t),
        },
        _ => false,
    }
}

/// Every completion of `facts` on `case`, first fact fastest, with the values
/// of `domain`; `None` past [`MAX_COMPLETIONS`].
pub fn completions(g: &Guideline, case: &Case, facts: &[FactId], domain: &Domain) -> Option<Vec<Case>> {
    let values: Vec<Vec<Value>> = facts
        .iter()
        .map(|f| match domain.fact(*f) {
            FactDomain::Bool => vec![Value::Bool(false), Value::Bool(true)],
            FactDomain::Enum(n) => (0..*n).map(|i| Value::Enum(i as u8)).collect(),
            FactDomain::Numeric(cells) => cells.iter().map(|c| Value::Num(c.value)).collect(),
        })
        .collect();
    let count = values.iter().try_fold(1usize, |n, v| n.checked_mul(v.len()))?;
    if count > MAX_COMPLETIONS || count == 0 {
        return None;
    }
    let _ = g;
    let mut out = Vec::with_capacity(count);
    for mut idx in 0..count {
        let mut c = case.clone();
        for (f, vs) in facts.iter().zip(&values) {
            c.set(*f, Some(vs[idx % vs.len()]));
            idx /= vs.len();
        }
        out.push(c);
    }
    Some(out)
}

/// The facts among `facts` (in order) whose value alone changes an outcome:
/// `outcomes[i]` belongs to completion `i`. Completions agreeing on every
/// other fact form a group; the fact matters when some group disagrees.
pub fn changing<T: PartialEq>(case: &Case, facts: &[FactId], completions: &[Case], outcomes: &[T]) -> Vec<FactId> {
    facts
        .iter()
        .copied()
        .filter(|f| {
            let mut first: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
            (0..completions.len()).any(|i| {
                let others: Vec<Option<Value>> = facts
                    .iter()
                    .filter(|o| *o != f)
                    .map(|o| completions[i].get(*o))
                    .collect();
                let j = *first.entry(format!("{others:?}")).or_insert(i);
                outcomes[i] != outcomes[j]
            })
        })
        .filter(|f| case.get(*f).is_none())
        .collect()
}

/// Refines an action the rule level left undecided; `None` to keep the
/// rule-level answer (outside the exact fragment, too many completions, or a
/// condition unknown on a completion).
pub fn refine(
    g: &Guideline,
    case: &Case,
    action: ActionId,
    unknown: &[RuleId],
    base: Kind,
    resolve: impl Fn(&[RuleId]) -> Kind,
) -> Option<(Kind, Option<Outcome>)> {
    let rules = &g.action(action).rules;
    if !unknown
        .iter()
        .all(|r| g.rule(*r).when.as_ref().is_none_or(|e| exact(g, e)))
    {
        return None;
    }
    let mut facts: Vec<FactId> = unknown
        .iter()
        .flat_map(|r| g.rule(*r).depends_on.iter().copied())
        .filter(|f| case.get(*f).is_none())
        .collect();
    facts.sort_unstable();
    facts.dedup();
    let domain = Domain::new(g, rules.iter().filter_map(|r| g.rule(*r).when.as_ref()));
    let all = completions(g, case, &facts, &domain)?;
    let mut outcomes = Vec::with_capacity(all.len());
    for c in &all {
        let env = Env::new(g, c);
        let mut fired = Vec::new();
        for &r in rules {
            match env.truth_opt(g.rule(r).when.as_ref()) {
                Truth::True => fired.push(r),
                Truth::False => {}
                Truth::Unknown => return None,
            }
        }
        outcomes.push(resolve(&fired));
    }
    let mut reached: Vec<Kind> = outcomes.clone();
    reached.sort();
    reached.dedup();
    if reached == [base] {
        return Some((base, None));
    }
    let needs = if reached.len() > 1 {
        changing(case, &facts, &all, &outcomes)
    } else {
        facts.clone()
    };
    let mut possible: Vec<Option<Verdict>> = reached.into_iter().map(Option::flatten).collect();
    possible.sort();
    possible.dedup();
    Some((base, Some(Outcome::Undecided { needs, possible })))
}

/// The exact `needs` of a decision held back by a `never` claim whose
/// condition `when` is unknown; `None` to keep every fact it reads.
pub fn invariant_needs(g: &Guideline, case: &Case, when: &Expr, facts: &[FactId]) -> Option<Vec<FactId>> {
    if !exact(g, when) {
        return None;
    }
    let facts: Vec<FactId> = facts.iter().copied().filter(|f| case.get(*f).is_none()).collect();
    let domain = Domain::new(g, [when]);
    let all = completions(g, case, &facts, &domain)?;
    let mut truths = Vec::with_capacity(all.len());
    for c in &all {
        match Env::new(g, c).truth(when) {
            Truth::Unknown => return None,
            t => truths.push(t),
        }
    }
    let changing = changing(case, &facts, &all, &truths);
    Some(if changing.is_empty() { facts } else { changing })
}
