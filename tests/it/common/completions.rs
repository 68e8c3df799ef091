//! A brute-force oracle for exact `needs`, written from the definition and not
//! from the evaluator's code: the cells of each number are computed here from
//! the guideline's expressions, every completion of the absent facts an
//! action's rules read is built as a real case and evaluated by the real
//! evaluator (a complete case leaves no rule unknown), and the outcomes are
//! compared.
//!
//! - decided ⇔ every completion has one outcome and the rules true on the
//!   given facts resolve to it;
//! - `possible` = the outcomes of the completions (silent and conflict are "no verdict");
//! - `needs` = the facts whose change alone changes some completion's outcome
//!   (or, when all completions agree on an outcome no true rule carries, every
//!   absent fact the unknown rules read).
//!
//! Outside the exact fragment, or past [`LIMIT`] completions, only soundness is
//! checked: a decision holds on every completion tried, `possible` and `needs`
//! contain what the completions tried show.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::env::Env;
use guidelang::eval::{Evaluator, Outcome, Truth};
use guidelang::facts::{Case, Value};
use guidelang::model::{ActionId, ArithOp, Claim, Expr, ExprKind, FactId, FactKind, Guideline, RuleId};
use guidelang::syntax::ast::Verdict;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Most completions the oracle enumerates for one action (well under the
/// evaluator's cap, so that within it the evaluator must be exact).
pub const LIMIT: usize = 4096;

/// An action's outcome on a complete case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    Silent,
    Conflict,
    Verdict(Verdict),
}

impl Key {
    /// As `possible` lists it.
    fn possible(self) -> Option<Verdict> {
        match self {
            Key::Verdict(v) => Some(v),
            Key::Silent | Key::Conflict => None,
        }
    }
}

/// A numeric operand: a constant, a numeric fact, or anything else.
#[derive(Clone, Copy, Debug)]
enum Side {
    Const(f64),
    Fact(FactId),
    Other,
}

fn side(g: &Guideline, e: &Expr) -> Side {
    let finite = |x: f64| Side::Const(if x.is_finite() { x } else { f64::NAN });
    match &e.kind {
        ExprKind::Num(x) => Side::Const(*x),
        ExprKind::Fact(f) => Side::Fact(*f),
        ExprKind::Def(d) => side(g, &g.definitions[d.index()].body),
        ExprKind::Neg(x) => match side(g, x) {
            Side::Const(c) => Side::Const(-c),
            _ => Side::Other,
        },
        ExprKind::Sqrt(x) => match side(g, x) {
            Side::Const(c) => finite(c.sqrt()),
            _ => Side::Other,
        },
        ExprKind::Arith(op, a, b) => match (side(g, a), side(g, b)) {
            (Side::Const(x), Side::Const(y)) => finite(match op {
                ArithOp::Add => x + y,
                ArithOp::Sub => x - y,
                ArithOp::Mul => x * y,
                ArithOp::Div => x / y,
            }),
            _ => Side::Other,
        },
        _ => Side::Other,
    }
}

/// Whether a condition has one truth on each cell: built from booleans,
/// enums, comparisons of a fact (or a constant) with a constant, `not`, `and`,
/// `or`, `at least`.
pub fn exact(g: &Guideline, e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Bool(_) | ExprKind::Fact(_) => true,
        ExprKind::Def(d) => exact(g, &g.definitions[d.index()].body),
        ExprKind::Not(x) | ExprKind::EnumIn(x, _) => exact(g, x),
        ExprKind::And(a, b) | ExprKind::Or(a, b) => exact(g, a) && exact(g, b),
        ExprKind::AtLeast(_, items) => items.iter().all(|i| exact(g, i)),
        ExprKind::Compare(_, a, b) => !matches!(
            (side(g, a), side(g, b)),
            (Side::Other, _) | (_, Side::Other) | (Side::Fact(_), Side::Fact(_))
        ),
        _ => false,
    }
}

/// The expression and every definition body it reaches.
fn reach<'g>(g: &'g Guideline, e: &'g Expr) -> Vec<&'g Expr> {
    let mut out = vec![e];
    let mut seen = BTreeSet::new();
    let mut i = 0;
    while i < out.len() {
        let mut defs = Vec::new();
        guidelang::check::visit(out[i], &mut |k| {
            if let ExprKind::Def(d) = k {
                defs.push(*d);
            }
        });
        for d in defs {
            if seen.insert(d.index()) {
                out.push(&g.definitions[d.index()].body);
            }
        }
        i += 1;
    }
    out
}

/// The facts a condition reads, through definitions.
pub fn facts_read(g: &Guideline, e: &Expr) -> BTreeSet<FactId> {
    let mut out = BTreeSet::new();
    for x in reach(g, e) {
        guidelang::check::visit(x, &mut |k| {
            if let ExprKind::Fact(f) = k {
                out.insert(*f);
            }
        });
    }
    out
}

/// The constants each numeric fact is compared with in `exprs`.
fn cuts<'g>(g: &'g Guideline, exprs: impl IntoIterator<Item = &'g Expr>) -> BTreeMap<FactId, Vec<f64>> {
    let mut out: BTreeMap<FactId, Vec<f64>> = BTreeMap::new();
    for e in exprs {
        for x in reach(g, e) {
            guidelang::check::visit(x, &mut |k| {
                if let ExprKind::Compare(_, a, b) = k {
                    if let (Side::Fact(f), Side::Const(c)) | (Side::Const(c), Side::Fact(f)) = (side(g, a), side(g, b))
                    {
                        out.entry(f).or_default().push(c);
                    }
                }
            });
        }
    }
    out
}

/// One valid value per cell of a fact: every cut and bound, and one value
/// strictly inside each stretch between them (and beyond them when unbounded).
pub fn cell_values(kind: &FactKind, cuts: &[f64]) -> Vec<Value> {
    let (min, max, integer) = match kind {
        FactKind::Bool => return vec![Value::Bool(false), Value::Bool(true)],
        FactKind::Enum { values } => return (0..values.len()).map(|i| Value::Enum(i as u8)).collect(),
        FactKind::Integer { min, max } => (*min, *max, true),
        FactKind::Number { min, max, .. } => (*min, *max, false),
        // Day numbers: 1900-01-01 and 2026-12-01 bound what the tests use.
        FactKind::Date => (Some(-25_567.0), Some(20_788.0), true),
    };
    let inside = |x: f64| x.is_finite() && min.is_none_or(|m| x >= m) && max.is_none_or(|m| x <= m);
    let mut points: Vec<f64> = cuts
        .iter()
        .copied()
        .filter(|x| inside(*x))
        .chain(min)
        .chain(max)
        .collect();
    points.sort_by(f64::total_cmp);
    points.dedup();
    let whole = |x: f64| !integer || x.fract() == 0.0;
    let mut out = Vec::new();
    match (points.first(), min) {
        (None, _) => out.push(0.0),
        (Some(first), None) => out.push(first.floor() - 1.0),
        _ => {}
    }
    for (i, &p) in points.iter().enumerate() {
        if whole(p) {
            out.push(p);
        }
        if let Some(&q) = points.get(i + 1) {
            let v = if integer { p.floor() + 1.0 } else { p / 2.0 + q / 2.0 };
            if p < v && v < q {
                out.push(v);
            }
        }
    }
    if let (Some(last), None) = (points.last(), max) {
        out.push(last.floor() + 1.0);
    }
    out.into_iter().map(Value::Num).collect()
}

/// How a set of true rules resolves, by the language's definition.
pub fn resolve(g: &Guideline, fired: &[RuleId]) -> Key {
    if fired.is_empty() {
        return Key::Silent;
    }
    if fired.iter().any(|r| g.rule(*r).verdict == Verdict::Contraindicated) {
        return Key::Verdict(Verdict::Contraindicated);
    }
    let verdicts: BTreeSet<Verdict> = fired
        .iter()
        .filter(|r| !fired.iter().any(|o| g.rule(*o).overrides.contains(r)))
        .map(|r| g.rule(*r).verdict)
        .collect();
    match verdicts.iter().next() {
        Some(v) if verdicts.len() == 1 => Key::Verdict(*v),
        _ => Key::Conflict,
    }
}

/// Every completion of `facts` on `case` (first fact fastest); `None` past `LIMIT`.
fn completions(g: &Guideline, case: &Case, facts: &[FactId], cuts: &BTreeMap<FactId, Vec<f64>>) -> Option<Vec<Case>> {
    let values: Vec<Vec<Value>> = facts
        .iter()
        .map(|f| cell_values(&g.fact(*f).kind, cuts.get(f).map_or(&[][..], Vec::as_slice)))
        .collect();
    let count = values.iter().try_fold(1usize, |n, v| n.checked_mul(v.len()))?;
    if count > LIMIT {
        return None;
    }
    Some(
        (0..count)
            .map(|mut idx| {
                let mut c = case.clone();
                for (f, vs) in facts.iter().zip(&values) {
                    c.set(*f, Some(vs[idx % vs.len()]));
                    idx /= vs.len();
                }
                c
            })
            .collect(),
    )
}

/// The facts (among `facts`) whose change alone changes an outcome.
fn changing<T: PartialEq>(facts: &[FactId], completions: &[Case], outcomes: &[T]) -> Vec<FactId> {
    facts
        .iter()
        .copied()
        .filter(|f| {
            let mut first: HashMap<String, usize> = HashMap::new();
            (0..completions.len()).any(|i| {
                let others: Vec<String> = facts
                    .iter()
                    .filter(|o| *o != f)
                    .map(|o| format!("{:?}", completions[i].get(*o)))
                    .collect();
                let j = *first.entry(others.join(",")).or_insert(i);
                outcomes[i] != outcomes[j]
            })
        })
        .collect()
}

fn key_of(outcome: &Outcome) -> Option<Key> {
    match outcome {
        Outcome::Silent => Some(Key::Silent),
        Outcome::Conflict(_) => Some(Key::Conflict),
        Outcome::Decided(d) => Some(Key::Verdict(d.verdict)),
        Outcome::Undecided { .. } | Outcome::Withheld { .. } => None,
    }
}

fn names(g: &Guideline, facts: &[FactId]) -> Vec<String> {
    facts.iter().map(|f| g.fact(*f).name.clone()).collect()
}

/// How much the oracle could check on one action.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tally {
    /// Actions checked exactly.
    pub exact: usize,
    /// Actions checked for soundness only.
    pub sound: usize,
}

/// Checks action `a` on an in-scope `case` (before invariants, as
/// `run_action` gives it) against every completion.
pub fn check_action(
    g: &Guideline,
    ev: &mut Evaluator,
    case: &Case,
    a: ActionId,
    tally: &mut Tally,
) -> Result<(), TestCaseError> {
    let name = &g.action(a).name;
    let Some(got) = ev.run_action(case, a) else {
        return Ok(());
    };
    let env = Env::new(g, case);
    let rules = &g.action(a).rules;
    let truth = |r: RuleId| env.truth_opt(g.rule(r).when.as_ref());
    let fired: Vec<RuleId> = rules.iter().copied().filter(|r| truth(*r) == Truth::True).collect();
    let unknown: Vec<RuleId> = rules.iter().copied().filter(|r| truth(*r) == Truth::Unknown).collect();
    let base = resolve(g, &fired);
    let conditions = rules.iter().filter_map(|r| g.rule(*r).when.as_ref());
    let cuts = cuts(g, conditions);
    let mut all: BTreeSet<FactId> = BTreeSet::new();
    let mut of_unknown: BTreeSet<FactId> = BTreeSet::new();
    for &r in rules {
        if let Some(e) = &g.rule(r).when {
            let read = facts_read(g, e);
            if unknown.contains(&r) {
                of_unknown.extend(read.iter().copied());
            }
            all.extend(read);
        }
    }
    let absent: Vec<FactId> = all.into_iter().filter(|f| case.get(*f).is_none()).collect();
    let Some(cases) = completions(g, case, &absent, &cuts) else {
        tally.sound += 1;
        return Ok(());
    };
    let keys: Vec<Option<Key>> = cases
        .iter()
        .map(|c| ev.run_action(c, a).and_then(|r| key_of(&r.outcome)))
        .collect();
    let keyed = keys.iter().all(Option::is_some);
    let reached: BTreeSet<Key> = keys.iter().flatten().copied().collect();
    let shown: Vec<Key> = keys.iter().flatten().copied().collect();
    let is_exact = keyed
        && unknown
            .iter()
            .all(|r| g.rule(*r).when.as_ref().is_none_or(|e| exact(g, e)));
    let mut possible: Vec<Option<Verdict>> = reached.iter().map(|k| k.possible()).collect();
    possible.dedup();
    let moved = if keyed {
        changing(&absent, &cases, &shown)
    } else {
        Vec::new()
    };
    let context = || format!("`{name}` on {}", case.to_json(g));
    if let Some(k) = key_of(&got.outcome) {
        // A decision (or silence, or a conflict) must hold on every completion.
        for (c, key) in cases.iter().zip(&keys) {
            if let Some(key) = key {
                prop_assert_eq!(
                    *key,
                    k,
                    "{} is {:?} but {:?} on the completion {}",
                    context(),
                    k,
                    key,
                    c.to_json(g)
                );
            }
        }
        if is_exact {
            prop_assert_eq!(k, base, "{}: settled without the true rules carrying it", context());
        }
    } else if let Outcome::Undecided {
        needs,
        possible: got_possible,
    } = &got.outcome
    {
        if is_exact {
            prop_assert!(
                !(reached.len() == 1 && reached.contains(&base)),
                "{}: undecided, yet every completion gives {:?} as the given facts do",
                context(),
                base
            );
            prop_assert_eq!(got_possible, &possible, "possible of {}", context());
            let want: Vec<FactId> = if reached.len() > 1 {
                moved
            } else {
                of_unknown.into_iter().filter(|f| case.get(*f).is_none()).collect()
            };
            prop_assert_eq!(names(g, needs), names(g, &want), "needs of {}", context());
        } else {
            if !got_possible.is_empty() {
                for p in &possible {
                    prop_assert!(
                        got_possible.contains(p),
                        "{}: {:?} reachable, not in {:?}",
                        context(),
                        p,
                        got_possible
                    );
                }
            }
            for f in &moved {
                prop_assert!(
                    needs.contains(f),
                    "{}: `{}` changes the outcome, not in needs",
                    context(),
                    g.fact(*f).name
                );
            }
        }
    }
    if is_exact {
        tally.exact += 1;
    } else {
        tally.sound += 1;
    }
    Ok(())
}

/// The `needs` of a decision held back by invariant `i` (a `never` claim
/// whose condition is exact), from the completions of the facts it reads;
/// `None` when the oracle cannot tell.
pub fn invariant_needs(g: &Guideline, case: &Case, i: usize) -> Option<Vec<FactId>> {
    let Claim::Never { when, .. } = &g.invariants[i].claim else {
        return None;
    };
    if !exact(g, when) {
        return None;
    }
    let absent: Vec<FactId> = facts_read(g, when)
        .into_iter()
        .filter(|f| case.get(*f).is_none())
        .collect();
    let cases = completions(g, case, &absent, &cuts(g, [when]))?;
    let truths: Vec<Truth> = cases.iter().map(|c| Env::new(g, c).truth(when)).collect();
    if truths.contains(&Truth::Unknown) {
        return None;
    }
    let moved = changing(&absent, &cases, &truths);
    Some(if moved.is_empty() { absent } else { moved })
}

/// The never invariant that holds back a decision `v` on action `a` (the first
/// in file order whose condition is not false), when its condition is exact.
/// None holds back a contraindication: withholding one is not fail-safe.
pub fn holding_invariant(g: &Guideline, case: &Case, a: ActionId, v: Verdict) -> Option<usize> {
    if v == Verdict::Contraindicated {
        return None;
    }
    let env = Env::new(g, case);
    for (i, inv) in g.invariants.iter().enumerate() {
        if let Claim::Never { verdicts, action, when } = &inv.claim {
            if *action != a || !verdicts.contains(&v) {
                continue;
            }
            if !exact(g, when) {
                return None;
            }
            if env.truth(when) != Truth::False {
                return Some(i);
            }
        }
    }
    None
}

/// The boolean facts the scope reads: set to true, they put most guidelines
/// (a conjunction of flags, as the bundled one) in scope.
pub fn scope_facts(g: &Guideline) -> Vec<FactId> {
    g.scope
        .as_ref()
        .map(|e| facts_read(g, e))
        .unwrap_or_default()
        .into_iter()
        .filter(|f| matches!(g.fact(*f).kind, FactKind::Bool))
        .collect()
}
