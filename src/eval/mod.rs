//! Evaluation: a checked guideline and a validated case in, an [`Evaluation`]
//! out. Pure: no global state, no name looked up by string.
//!
//! Per action, the rules whose condition is true are candidates. A true
//! contraindication wins outright; otherwise a candidate overridden by another
//! true candidate drops out; agreeing survivors make the decision, disagreeing
//! ones a conflict. A decision is emitted only when every way the unknown rule
//! conditions could turn out gives the same outcome, so adding facts never
//! reverses a decision. When that rule-level check leaves an action undecided,
//! `needs.rs` refines it over the completions of the absent facts: decided when
//! every completion agrees with the rules true now, `possible` and `needs`
//! exactly what completions can reach and change. Invariants come last: a
//! decision that breaks a `never` claim is withheld (undecided while its
//! condition is unknown), except a contraindication, which is always shown.
//!
//! The work is done on the compiled form ([`Program`]): [`evaluate`] compiles
//! and runs in one call; to evaluate many cases, compile once and reuse an
//! [`Evaluator`], whose buffers make evaluating a case allocation-free until
//! the full [`Evaluation`] is asked for.

mod derived;
mod dose;
mod logic;
mod materialize;
mod memo;
pub(crate) mod needs;
mod run;
mod single;
mod values;

pub use logic::{Truth, Val};
pub use needs::MAX_COMPLETIONS;
pub use run::{Brief, Conclusion, Evaluator};
pub use single::ActionEvaluator;
pub use values::Values;

pub(crate) use derived::DerivedCode;
pub use derived::{completions, level_cells, CategoryResult, ScoreResult, MAX_LEVEL_COMPLETIONS};

use crate::compile::Program;
use crate::facts::Case;
use crate::model::Verdict;
use crate::model::{ActionId, FactId, Guideline, RuleId};

/// Most unknown rules on one action whose combinations are enumerated; past
/// this only the completions of their facts can decide it (up to
/// [`MAX_COMPLETIONS`]), else it is reported undecided (never guessed).
pub const MAX_UNKNOWN_RULES: usize = 12;

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
    /// The evaluation date (`today`) as a day number, when the case gave one.
    pub as_of: Option<f64>,
    /// Each score's value, in file order (empty unless in scope).
    pub scores: Vec<ScoreResult>,
    /// Each category's level, in file order (empty unless in scope).
    pub categories: Vec<CategoryResult>,
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
    /// A decision was withheld because it breaks a stated invariant. Never a
    /// contraindication: holding one back is not fail-safe, so it is shown
    /// and the violation reported beside it.
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
    /// The given facts it is computed from when their values make it too
    /// large to be a number (an overflow): the dose is then not computed.
    pub not_finite: Vec<FactId>,
    /// Which amount of the rule's dose this is (0 for a dose of one amount);
    /// `None` while the criteria that choose it are unknown.
    pub branch: Option<usize>,
    /// The computed amount was above the dose's cap: `amount` is capped.
    pub capped: bool,
    /// While the choice is pending: each amount the criteria can still
    /// choose, in written order, computed as far as the given facts allow.
    pub possible: Vec<DoseResult>,
    /// While the choice is pending: the absent facts whose values can change
    /// which amount is chosen (like an undecided action's `needs`).
    pub settle: Vec<FactId>,
}

/// A decided action's dose as a cohort's columns hold it (see
/// [`Evaluator::decided_doses`]): the [`DoseResult`] of the same case with
/// only its `rule`, `branch` and `amount`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DecidedDose {
    /// The rule that states it.
    pub rule: RuleId,
    /// Which amount of the rule's dose this is; `None` while the criteria
    /// that choose it are unknown.
    pub branch: Option<usize>,
    /// `(low, high)` for this patient, capped; `None` while the choice is
    /// pending, the multiplier unknown, or too large to be a number.
    pub amount: Option<(f64, f64)>,
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

/// Evaluates a case: compiles the guideline and runs it, for one-off use. To
/// evaluate many cases, build a [`Program`] once and call
/// [`Program::evaluate`], or reuse an [`Evaluator`] (which also keeps its buffers).
pub fn evaluate(g: &Guideline, case: &Case) -> Evaluation {
    Program::new(g).evaluate(case)
}

/// The outcome of one action on a case, exactly as [`evaluate`] finds it before
/// invariants are enforced; `None` when the case is not in scope. Compiles the
/// guideline; [`Program::evaluate_action`] reuses a compiled one.
pub fn evaluate_action(g: &Guideline, case: &Case, action: ActionId) -> Option<ActionResult> {
    Program::new(g).evaluate_action(case, action)
}

impl Program {
    /// Evaluates a case with this compiled guideline.
    pub fn evaluate(&self, case: &Case) -> Evaluation {
        Evaluator::new(self).evaluate(case)
    }

    /// The outcome of one action on a case before invariants are enforced, as
    /// [`evaluate_action`] finds it, without compiling again.
    pub fn evaluate_action(&self, case: &Case, action: ActionId) -> Option<ActionResult> {
        Evaluator::new(self).run_action(case, action)
    }
}
