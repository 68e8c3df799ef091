//! One action evaluated on its own, in time proportional to that action.
//!
//! The linter and `diff` check every witness they report with the evaluator,
//! thousands of witnesses on a large guideline, each about one action.
//! [`Program::evaluate_action`] makes a fresh [`Evaluator`] (buffers as long
//! as the whole arena) and computes every node of the guideline for each of
//! them, so checking one witness per rule made linting quadratic in the
//! number of rules. An [`ActionEvaluator`] keeps one evaluator and, per
//! action, the nodes that action's outcome reads (its *cone*: the rules'
//! conditions, doses and warnings with their operands), and computes only
//! the scope and that cone.
//!
//! Nodes outside the cone keep whatever an earlier case left in them; nothing
//! the action's outcome is built from reads them (`tests/it/single_action.rs`
//! holds it to [`Program::evaluate_action`] on random cases).

use super::{ActionResult, Conclusion, Evaluation, Evaluator, Violation};
use crate::compile::{InvariantCode, Node, Program};
use crate::facts::Case;
use crate::model::{ActionId, RuleId};

/// Evaluates one action at a time on an already compiled [`Program`],
/// reusing its buffers: the outcome is exactly [`Program::evaluate_action`]'s.
#[derive(Clone, Debug)]
pub struct ActionEvaluator<'p> {
    evaluator: Evaluator<'p>,
    /// Per action, the nodes past the scope its outcome reads, operands first.
    cones: Vec<Vec<u32>>,
}

impl<'p> ActionEvaluator<'p> {
    /// An evaluator for `program`; finds every action's cone once (work
    /// proportional to the sum of the cones).
    pub fn new(program: &'p Program) -> ActionEvaluator<'p> {
        ActionEvaluator {
            evaluator: Evaluator::new(program),
            cones: cones(program),
        }
    }

    /// The outcome of `action` on `case` before invariants are enforced, as
    /// [`Program::evaluate_action`] finds it; `None` when the case is not in
    /// scope (or there is no such action).
    pub fn evaluate_action(&mut self, case: &Case, action: ActionId) -> Option<ActionResult> {
        let cone = self.cones.get(action.index())?;
        self.evaluator.run_cone(case, action, cone)
    }

    /// How `action` concludes on `case` before invariants are enforced,
    /// without building the decision: the kind of [`Self::evaluate_action`]'s
    /// outcome, found more cheaply (the completions of absent facts are tried
    /// only until one resolves differently, and no `needs` are collected).
    /// `None` when the case is not in scope.
    pub fn conclusion(&mut self, case: &Case, action: ActionId) -> Option<Conclusion> {
        let cone = self.cones.get(action.index())?;
        self.evaluator.conclude_cone(case, action, cone)
    }

    /// The rules in conflict on `action` for `case`, as
    /// [`Self::evaluate_action`]'s `Outcome::Conflict` lists them, found as
    /// cheaply as [`Self::conclusion`]; `None` when the action is not a
    /// conflict on the case (or the case is not in scope).
    pub fn conflict(&mut self, case: &Case, action: ActionId) -> Option<Vec<RuleId>> {
        match self.conclusion(case, action)? {
            Conclusion::Conflict => Some(self.evaluator.carrying(action.index())),
            _ => None,
        }
    }

    /// The invariants about `action` that `case` breaks or may break, as
    /// [`Program::evaluate`] reports them among its violations (in invariant
    /// order); empty when the case is not in scope.
    pub fn violations(&mut self, case: &Case, action: ActionId) -> &[Violation] {
        match self.cones.get(action.index()) {
            Some(cone) => self.evaluator.violations_in_cone(case, action, cone),
            None => &[],
        }
    }

    /// The whole evaluation of `case`, as [`Program::evaluate`] gives it,
    /// with the buffers reused.
    pub fn evaluate(&mut self, case: &Case) -> Evaluation {
        self.evaluator.evaluate(case)
    }
}

/// Every action's cone: the nodes at or past the scope's end that its rules'
/// conditions, doses and warnings and the conditions of the invariants about
/// it read, directly or through operands, sorted (the arena puts operands
/// first, so sorted is an order to compute in).
fn cones(p: &Program) -> Vec<Vec<u32>> {
    let mut claims: Vec<Vec<u32>> = vec![Vec::new(); p.actions.len()];
    for inv in &p.invariants {
        let (InvariantCode::Never { action, when, .. } | InvariantCode::AlwaysDecide { action, when }) = *inv;
        if let Some(c) = claims.get_mut(action.index()) {
            c.push(when);
        }
    }
    // `seen[n] == a + 1`: node `n` is already in action `a`'s cone; stamps
    // instead of clearing keep this linear in the sum of the cones.
    let mut seen = vec![0u32; p.nodes.len()];
    let mut stack: Vec<u32> = Vec::new();
    let mut out = Vec::with_capacity(p.actions.len());
    for (a, action) in p.actions.iter().enumerate() {
        let stamp = a as u32 + 1;
        stack.clear();
        stack.extend(action.whens.iter().copied());
        stack.extend(claims[a].iter().copied());
        for r in &action.rules {
            let rule = &p.rules[r.index()];
            stack.extend(rule.when);
            if let Some(dose) = &rule.dose {
                for b in &dose.branches {
                    stack.extend(b.when);
                    stack.extend(b.by);
                }
            }
            stack.extend(rule.warnings.iter().map(|w| w.when));
        }
        let mut cone = Vec::new();
        while let Some(n) = stack.pop() {
            let i = n as usize;
            // Nodes of the scope are computed for every case anyway.
            if i < p.scope_end || seen[i] == stamp {
                continue;
            }
            seen[i] = stamp;
            cone.push(n);
            operands(p.nodes[i], &p.items, |o| stack.push(o));
        }
        cone.sort_unstable();
        out.push(cone);
    }
    out
}

/// The operands of a node, as the evaluator reads them.
fn operands(node: Node, items: &[u32], f: impl FnMut(u32)) {
    super::needs::operands(node, items, f)
}
