//! From the evaluator's buffers to the full [`Evaluation`]: the trace of every
//! rule, which rules carry a decision and which were overridden, doses,
//! warnings, what an undecided action needs, notes. This is the only part of
//! evaluation that allocates, and only for what the result holds.

use super::run::{for_each_bit, intersects, mask, Cause, Evaluator, State};
use super::{ActionResult, Applicability, DecidedDose, Decision, Evaluation, Outcome, Truth, WarningResult};
use crate::compile::{ActionCode, InvariantCode, Node, Program, Ty, UNKNOWN_ENUM};
use crate::facts::Case;
use crate::model::{ActionId, FactId, RuleId};
use crate::model::{OutcomeKind, OutcomeSet, Verdict};

impl Evaluator<'_> {
    /// The full result of the case last [`run`](Evaluator::run); `case` must
    /// be that case (it says which facts were absent). Computes first what
    /// `run` left out: doses, warnings and notes.
    pub fn evaluation(&mut self, case: &Case) -> Evaluation {
        let p = self.program;
        if self.scope == Truth::True {
            self.compute(case, p.run_end..p.nodes.len());
        }
        match self.scope {
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
                let needs = absent(case, &p.scope_facts);
                let actions = (0..p.actions.len())
                    .map(|a| ActionResult {
                        action: ActionId(a as u32),
                        outcome: Outcome::Undecided {
                            needs: needs.clone(),
                            possible: scope_possibilities(p, a),
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
            Truth::True => Evaluation {
                applicability: Applicability::Applies,
                actions: (0..p.actions.len()).map(|a| self.action_result(case, a)).collect(),
                notes: p
                    .notes
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| n.map_or(Truth::True, |n| self.truth[n as usize]) == Truth::True)
                    .map(|(i, _)| i)
                    .collect(),
                violations: self.violations.clone(),
                as_of: case.as_of(),
                scores: self.score_results(case),
                categories: self.category_results(case),
            },
        }
    }

    /// The true rules that carry action `a` on the case last computed, as a
    /// decision or conflict lists them (`Outcome::Conflict`'s rules).
    pub(super) fn carrying(&self, a: usize) -> Vec<RuleId> {
        let action = &self.program.actions[a];
        let (off, w) = (action.offset as usize, action.words as usize);
        carriers(self.program, action, &self.fired[off..off + w]).carrying
    }

    pub(super) fn action_result(&self, case: &Case, a: usize) -> ActionResult {
        let p = self.program;
        let action = &p.actions[a];
        let (off, w) = (action.offset as usize, action.words as usize);
        let fired = &self.fired[off..off + w];
        let outcome = match self.states[a] {
            State::Silent => Outcome::Silent,
            State::Decided(verdict) => {
                let Carriers { carrying, overridden } = carriers(p, action, fired);
                let mut d = Decision {
                    verdict,
                    rules: carrying,
                    overridden,
                    doses: Vec::new(),
                    warnings: Vec::new(),
                };
                self.annotate(case, &mut d);
                Outcome::Decided(d)
            }
            State::Conflict => Outcome::Conflict(carriers(p, action, fired).carrying),
            State::Withheld { invariant, verdict } => Outcome::Withheld {
                invariant: invariant as usize,
                verdict,
            },
            State::Undecided { possible, .. } => {
                let mut needs = Vec::new();
                self.needs_into(case, ActionId(a as u32), &mut needs);
                Outcome::Undecided {
                    needs,
                    possible: possible_verdicts(possible),
                }
            }
        };
        self.with_trace(a, outcome)
    }

    /// Fills `out` with the absent facts that would settle `action` if it is
    /// undecided on the case last run (`case` must be that case): sorted, no
    /// duplicates; empty for an action that is not undecided. Reusing `out`
    /// keeps this free of allocation.
    pub fn needs_into(&self, case: &Case, action: ActionId, out: &mut Vec<FactId>) {
        out.clear();
        let p = self.program;
        let State::Undecided { cause, .. } = self.states[action.index()] else {
            return;
        };
        match cause {
            Cause::Scope => out.extend_from_slice(&p.scope_facts),
            Cause::Rules => {
                let code = &p.actions[action.index()];
                let (off, w) = (code.offset as usize, code.words as usize);
                let mut roots = Vec::new();
                for_each_bit(&self.unknown[off..off + w], |local| {
                    roots.extend(p.rules[code.rules[local].index()].when);
                });
                self.facts_under_unknown(&roots, out);
                out.sort_unstable();
                out.dedup();
            }
            Cause::Exact => out.extend_from_slice(&self.needs[action.index()]),
            Cause::Invariant(i) => {
                if let InvariantCode::Never { facts, .. } = &p.invariants[i as usize] {
                    out.extend_from_slice(facts);
                }
            }
        }
        out.retain(|f| case.get(*f).is_none());
    }

    /// The facts read under `roots` through nodes whose value is still
    /// unknown. A node already known keeps its value whatever is added to the
    /// case (three-valued logic is monotone), so a fact read only beneath
    /// known nodes cannot change an unknown rule: `tls_risk is high and
    /// g6pd_status is normal`, with the risk already high, needs the G6PD
    /// status alone, not every fact the risk could have been made of.
    fn facts_under_unknown(&self, roots: &[u32], out: &mut Vec<FactId>) {
        let p = self.program;
        let mut seen = vec![false; p.nodes.len()];
        let mut stack = roots.to_vec();
        while let Some(n) = stack.pop() {
            let i = n as usize;
            if std::mem::replace(&mut seen[i], true) || self.known(i) {
                continue;
            }
            match p.nodes[i] {
                Node::FactBool(f)
                | Node::FactNum(f)
                | Node::FactEnum(f)
                | Node::FactCmp(_, f, _)
                | Node::FactIn(f, _) => out.push(FactId(f)),
                node => super::needs::operands(node, &p.items, |o| stack.push(o)),
            }
        }
    }

    /// Whether node `i` has a value on the case last run.
    fn known(&self, i: usize) -> bool {
        match self.program.nodes[i].ty() {
            Ty::Truth => self.truth[i] != Truth::Unknown,
            Ty::Num => !self.num[i].is_nan(),
            Ty::Enum => self.enm[i] != UNKNOWN_ENUM,
        }
    }

    fn with_trace(&self, a: usize, outcome: Outcome) -> ActionResult {
        ActionResult {
            action: ActionId(a as u32),
            outcome,
            trace: self.program.actions[a]
                .rules
                .iter()
                .map(|&r| (r, self.rule_truth(r)))
                .collect(),
        }
    }

    /// Works out the doses and collects the warnings of a decision's rules.
    fn annotate(&self, case: &Case, d: &mut Decision) {
        for &r in &d.rules {
            let rule = &self.program.rules[r.index()];
            if let Some(dose) = &rule.dose {
                d.doses.push(self.dose(case, r, dose));
            }
            for (index, w) in rule.warnings.iter().enumerate() {
                let truth = self.truth[w.when as usize];
                if truth != Truth::False {
                    d.warnings.push(WarningResult {
                        rule: r,
                        index,
                        truth,
                        needs: absent(case, &w.depends_on),
                    });
                }
            }
        }
    }
}

/// The rules behind an outcome run.rs already resolved from the same fired
/// set (the decision itself is made there, once): with a fired
/// contraindication, the contraindicating rules carry it and every other
/// fired rule loses to the first of them; otherwise the fired rules no fired
/// rule overrides carry the outcome (the agreeing verdict, or the conflict),
/// and each overridden rule records the first fired rule that overrides it.
struct Carriers {
    carrying: Vec<RuleId>,
    overridden: Vec<(RuleId, RuleId)>,
}

fn carriers(p: &Program, action: &ActionCode, fired: &[u64]) -> Carriers {
    let id = |local: usize| action.rules[local];
    let contra = mask(p, action, action.contra);
    if intersects(fired, contra) {
        let (mut carrying, mut losing) = (Vec::new(), Vec::new());
        for_each_bit(fired, |local| {
            if contra[local / 64] & (1 << (local % 64)) != 0 {
                carrying.push(id(local));
            } else {
                losing.push(id(local));
            }
        });
        carrying.sort_unstable();
        let overridden = match carrying.first() {
            Some(&first) => losing.into_iter().map(|r| (r, first)).collect(),
            None => Vec::new(),
        };
        return Carriers { carrying, overridden };
    }
    let (mut carrying, mut overridden) = (Vec::new(), Vec::new());
    for_each_bit(fired, |local| match beaten_by(p, action, fired, local) {
        Some(by) => overridden.push((id(local), id(by))),
        None => carrying.push(id(local)),
    });
    carrying.sort_unstable();
    overridden.sort_unstable();
    Carriers { carrying, overridden }
}

/// The first true rule (by its place in `action`) that overrides true rule
/// `local`, when no contraindication is true.
fn beaten_by(p: &Program, action: &ActionCode, fired: &[u64], local: usize) -> Option<usize> {
    let beaten_by = mask(p, action, p.rules[action.rules[local].index()].overridden_by);
    let mut by = None;
    for_each_bit(beaten_by, |o| {
        if by.is_none() && fired[o / 64] & (1 << (o % 64)) != 0 {
            by = Some(o);
        }
    });
    by
}

/// The possibilities in a set, in order: `None` for no verdict (a conflict
/// gives none either), then each verdict.
fn possible_verdicts(set: OutcomeSet) -> Vec<Option<Verdict>> {
    let mut out: Vec<Option<Verdict>> = set
        .as_given()
        .iter()
        .map(|k| match k {
            OutcomeKind::Verdict(v) => Some(v),
            OutcomeKind::NoVerdict | OutcomeKind::Conflict => None,
        })
        .collect();
    out.dedup();
    out
}

/// With the scope unknown, an action could end in no verdict (out of scope)
/// or in any verdict its rules carry.
fn scope_possibilities(p: &Program, a: usize) -> Vec<Option<Verdict>> {
    let mut out: Vec<Option<Verdict>> = vec![None];
    out.extend(p.actions[a].rules.iter().map(|r| Some(p.rules[r.index()].verdict)));
    out.sort();
    out.dedup();
    out
}

pub(super) fn absent(case: &Case, facts: &[FactId]) -> Vec<FactId> {
    facts.iter().copied().filter(|f| case.get(*f).is_none()).collect()
}

impl Evaluator<'_> {
    /// The doses of `actions` on the case last [`run`](Evaluator::run)
    /// (`case` must be that case), one per action in the order given: for a
    /// decided action, the dose of the first carrying rule that states one
    /// (what [`Decision::doses`] lists first), as a [`DecidedDose`]; `None`
    /// otherwise. Computes only the nodes doses read, and builds no
    /// [`Evaluation`] (a columnar cohort asks this of every case, for the
    /// actions that state a dose).
    pub fn decided_doses(&mut self, case: &Case, actions: &[ActionId], out: &mut Vec<Option<DecidedDose>>) {
        out.clear();
        let p = self.program;
        if self.scope != Truth::True {
            out.resize(actions.len(), None);
            return;
        }
        self.compute(case, p.run_end..p.dose_end);
        for a in actions.iter().map(|a| a.index()) {
            let dose = match self.states.get(a) {
                Some(State::Decided(_)) => self.first_dosed_carrier(a).and_then(|r| {
                    let code = p.rules[r.index()].dose.as_ref()?;
                    Some(self.decided_dose(case, r, code))
                }),
                _ => None,
            };
            out.push(dose);
        }
    }

    /// The first (by id) of the rules carrying action `a` that states a
    /// dose: the first of [`Evaluator::carrying`] with one, without listing them.
    fn first_dosed_carrier(&self, a: usize) -> Option<RuleId> {
        let p = self.program;
        let action = &p.actions[a];
        let (off, w) = (action.offset as usize, action.words as usize);
        let fired = &self.fired[off..off + w];
        let contra = mask(p, action, action.contra);
        let contra_fired = intersects(fired, contra);
        let mut first: Option<RuleId> = None;
        for_each_bit(fired, |local| {
            let id = action.rules[local];
            if p.rules[id.index()].dose.is_none() || first.is_some_and(|f| f < id) {
                return;
            }
            let carries = if contra_fired {
                contra[local / 64] & (1 << (local % 64)) != 0
            } else {
                beaten_by(p, action, fired, local).is_none()
            };
            if carries {
                first = Some(id);
            }
        });
        first
    }
}
