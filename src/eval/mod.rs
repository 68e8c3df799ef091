//! Evaluation: a checked guideline and a validated case in, an [`Evaluation`]
//! out. Pure: no global state, no name looked up by string.
//!
//! Per action, the rules whose condition is true are candidates. A true
//! contraindication wins outright; otherwise a candidate overridden by another
//! true candidate drops out; agreeing survivors make the decision, disagreeing
//! ones a conflict. A decision is emitted only when every way the unknown rule
//! conditions could turn out gives the same outcome, so adding facts never
//! reverses a decision.

mod logic;

pub use logic::{Env, Truth, Val};

use crate::facts::Case;
use crate::model::{ActionId, Claim, FactId, Guideline, RuleId};
use crate::syntax::ast::Verdict;

/// Most unknown rules on one action whose combinations are enumerated; past
/// this the action is reported undecided (never guessed).
pub const MAX_UNKNOWN_RULES: usize = 12;
/// Most rule visits spent enumerating one action's unknown rules (the
/// combinations times the rules in each); past this the action is reported
/// undecided, as past [`MAX_UNKNOWN_RULES`]. It only binds on actions decided
/// by about a thousand rules or more, where enumeration would take seconds.
pub const MAX_ENUMERATION_WORK: usize = 1 << 22;

/// Whether the guideline applies to the case.
#[derive(Clone, Debug, PartialEq)]
pub enum Applicability {
    /// In scope.
    Applies,
    /// Out of scope: no decisions.
    NotApplicable,
    /// Scope cannot be decided; these absent facts would decide it.
    Unknown(Vec<FactId>),
}

/// The result of evaluating a case.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// Scope.
    pub applicability: Applicability,
    /// One entry per action of the guideline, in action order (empty when out of scope).
    pub actions: Vec<ActionResult>,
    /// Indices of notes whose condition holds.
    pub notes: Vec<usize>,
    /// Invariants the rules would have broken on this case.
    pub violations: Vec<Violation>,
}

/// What was concluded for one action, with the trace of every rule.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionResult {
    /// The action.
    pub action: ActionId,
    /// The conclusion.
    pub outcome: Outcome,
    /// Each rule on the action and the truth of its condition.
    pub trace: Vec<(RuleId, Truth)>,
}

/// The conclusion for one action.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// No rule applies.
    Silent,
    /// A verdict.
    Decided(Decision),
    /// True rules disagree and no precedence settles them.
    Conflict(Vec<RuleId>),
    /// Unknown facts could change the outcome.
    Undecided {
        /// Absent facts that would settle it.
        needs: Vec<FactId>,
        /// The verdicts it could end in (`None`: no verdict).
        possible: Vec<Option<Verdict>>,
    },
    /// A decision was withheld because it breaks (or may break) a stated invariant.
    Withheld {
        /// The invariant's index.
        invariant: usize,
        /// The verdict that was withheld.
        verdict: Verdict,
    },
}

/// A decision on one action.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// The verdict.
    pub verdict: Verdict,
    /// The true rules that carry it, in file order.
    pub rules: Vec<RuleId>,
    /// True rules that lost, with the rule that beat each.
    pub overridden: Vec<(RuleId, RuleId)>,
    /// Doses of the carrying rules that state one.
    pub doses: Vec<DoseResult>,
    /// Warnings of the carrying rules whose condition is true or unknown.
    pub warnings: Vec<WarningResult>,
}

/// A dose multiplied out for the patient.
#[derive(Clone, Debug, PartialEq)]
pub struct DoseResult {
    /// The rule that states it.
    pub rule: RuleId,
    /// `(low, high)` for this patient; `None` when the multiplier is unknown.
    pub amount: Option<(f64, f64)>,
    /// The multiplier's value (weight, bsa) when known.
    pub by: Option<f64>,
    /// Absent facts needed to compute it.
    pub needs: Vec<FactId>,
}

/// A warning attached to a decision.
#[derive(Clone, Debug, PartialEq)]
pub struct WarningResult {
    /// The rule that states it.
    pub rule: RuleId,
    /// Its index among the rule's warnings.
    pub index: usize,
    /// True, or unknown (shown as "possible", with what would settle it).
    pub truth: Truth,
    /// Absent facts that would settle an unknown warning.
    pub needs: Vec<FactId>,
}

/// An invariant the rules broke on a case.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    /// The invariant's index.
    pub invariant: usize,
    /// The action concerned.
    pub action: ActionId,
    /// The verdict that broke it (`None` for "always decide": it was undecided).
    pub verdict: Option<Verdict>,
    /// True when the violation is certain; false when only possible (unknown facts).
    pub certain: bool,
}

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

/// Evaluates a case.
pub fn evaluate(g: &Guideline, case: &Case) -> Evaluation {
    let env = Env::new(g, case);
    match env.truth_opt(g.scope.as_ref()) {
        Truth::False => Evaluation {
            applicability: Applicability::NotApplicable,
            actions: Vec::new(),
            notes: Vec::new(),
            violations: Vec::new(),
        },
        Truth::Unknown => {
            let needs = absent(case, &scope_facts(g));
            let actions = (0..g.actions.len())
                .map(|a| ActionResult {
                    action: ActionId(a as u32),
                    outcome: Outcome::Undecided {
                        needs: needs.clone(),
                        possible: scope_possibilities(g, ActionId(a as u32)),
                    },
                    trace: Vec::new(),
                })
                .collect();
            Evaluation {
                applicability: Applicability::Unknown(needs),
                actions,
                notes: Vec::new(),
                violations: Vec::new(),
            }
        }
        Truth::True => {
            let mut actions: Vec<ActionResult> = (0..g.actions.len())
                .map(|a| decide(g, &env, case, ActionId(a as u32)))
                .collect();
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
            }
        }
    }
}

/// The outcome of one action on a case, exactly as [`evaluate`] finds it before
/// invariants are enforced; `None` when the case is not in scope. For tools
/// that check many cases against one action (the linter's witnesses), where
/// evaluating every action would be wasted work.
pub fn evaluate_action(g: &Guideline, case: &Case, action: ActionId) -> Option<ActionResult> {
    let env = Env::new(g, case);
    if env.truth_opt(g.scope.as_ref()) != Truth::True || action.index() >= g.actions.len() {
        return None;
    }
    Some(decide(g, &env, case, action))
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
    let outcome = if unknown.is_empty() || settled {
        to_outcome(base)
    } else if unknown.len() > MAX_UNKNOWN_RULES || (fired.len() + unknown.len()) << unknown.len() > MAX_ENUMERATION_WORK
    {
        undecided(g, case, &unknown, Vec::new())
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
            undecided(g, case, &unknown, verdicts)
        }
    };
    ActionResult { action, outcome, trace }
}

fn undecided(g: &Guideline, case: &Case, unknown: &[RuleId], possible: Vec<Option<Verdict>>) -> Outcome {
    let mut facts: Vec<FactId> = unknown
        .iter()
        .flat_map(|r| g.rule(*r).depends_on.iter().copied())
        .collect();
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
            .filter(|r| g.rule(*r).verdict != Verdict::Contraindicated)
            .map(|r| (r, first))
            .collect();
        return Resolution::Verdict(Verdict::Contraindicated, sorted(contra), overridden);
    }
    // Each fired rule is overridden by the first fired rule (in `fired` order)
    // that names it. The links are gathered and sorted once, so that an action
    // with many rules costs n log n, not n².
    let mut links: Vec<(RuleId, usize)> = fired
        .iter()
        .enumerate()
        .flat_map(|(pos, o)| g.rule(*o).overrides.iter().map(move |t| (*t, pos)))
        .collect();
    links.sort_unstable();
    let mut survivors = Vec::new();
    let mut overridden = Vec::new();
    for &r in fired {
        let first = links.partition_point(|(t, _)| *t < r);
        match links.get(first) {
            Some(&(t, pos)) if t == r => overridden.push((r, fired[pos])),
            _ => survivors.push(r),
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
/// facts) is withheld, so the report never carries it. `always decide` claims
/// are checked after every `never` claim, because withholding a decision can
/// leave an action undecided.
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
                        crate::check::visit(when, &mut |k| {
                            if let crate::model::ExprKind::Fact(f) = k {
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
                        result.outcome = Outcome::Undecided {
                            needs: absent(case, &facts),
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

/// The truth of a `never` claim's condition as it could turn out on any
/// completion of the case. Only `x is known` differs from plain evaluation: on
/// an absent `x` it is false now but true once `x` is given, so it counts as
/// unknown; otherwise a decision let through now could be withheld later.
fn claim_truth(env: &Env, e: &crate::model::Expr) -> Truth {
    use crate::model::ExprKind;
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

fn definition_facts_of(g: &Guideline, e: &crate::model::Expr) -> Vec<FactId> {
    let mut defs = Vec::new();
    crate::check::visit(e, &mut |k| {
        if let crate::model::ExprKind::Def(d) = k {
            defs.push(*d);
        }
    });
    let mut facts = Vec::new();
    let mut seen = std::collections::HashSet::new();
    while let Some(d) = defs.pop() {
        if !seen.insert(d) {
            continue;
        }
        crate::check::visit(&g.definitions[d.index()].body, &mut |k| match k {
            crate::model::ExprKind::Fact(f) => facts.push(*f),
            crate::model::ExprKind::Def(d2) => defs.push(*d2),
            _ => {}
        });
    }
    facts
}

fn scope_facts(g: &Guideline) -> Vec<FactId> {
    let Some(scope) = &g.scope else { return Vec::new() };
    let mut facts = Vec::new();
    crate::check::visit(scope, &mut |k| {
        if let crate::model::ExprKind::Fact(f) = k {
            facts.push(*f);
        }
    });
    facts.extend(definition_facts_of(g, scope));
    facts.sort_unstable();
    facts.dedup();
    facts
}

/// With the scope unknown, an action could end in no verdict (out of scope)
/// or in any verdict its rules carry.
fn scope_possibilities(g: &Guideline, action: ActionId) -> Vec<Option<Verdict>> {
    let mut out: Vec<Option<Verdict>> = vec![None];
    out.extend(g.action(action).rules.iter().map(|r| Some(g.rule(*r).verdict)));
    out.sort();
    out.dedup();
    out
}

fn absent(case: &Case, facts: &[FactId]) -> Vec<FactId> {
    facts.iter().copied().filter(|f| case.get(*f).is_none()).collect()
}

/// Multiplies out the doses and collects the warnings of a decision's rules.
fn annotate(g: &Guideline, env: &Env, case: &Case, d: &mut Decision) {
    for &r in &d.rules {
        let rule = g.rule(r);
        if let Some(dose) = &rule.dose {
            let by = match env.value(&dose.by) {
                Val::Num(x) => Some(x),
                _ => None,
            };
            d.doses.push(DoseResult {
                rule: r,
                amount: by.map(|x| (dose.low * x, dose.high * x)),
                by,
                needs: absent(case, &dose.depends_on),
            });
        }
        for (i, w) in rule.warnings.iter().enumerate() {
            let truth = env.truth(&w.when);
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
