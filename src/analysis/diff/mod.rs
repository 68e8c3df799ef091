//! Two versions of a guideline compared by meaning (`guidelang diff OLD NEW`):
//! what was added, removed and changed, and — with the linter's analysis — for
//! every action whose decision differs for some patient, a witness case with
//! the decision before and after. From that, the version bump the change
//! implies.
//!
//! Both versions are encoded into one SAT instance over shared facts (matched
//! by name): the new version's guideline is the base, the old version's
//! definitions and conditions are copied in with their facts renamed. A fact
//! whose bounds changed is compared over the values both versions accept; a
//! fact whose type changed cannot be shared, and the actions whose rules read
//! it are reported as not compared.
//!
//! `items` lists what changed item by item, `decisions` finds the
//! decisions that change and their witnesses, `version` turns both into the
//! bump the change implies; this module holds the vocabulary they share.

mod decisions;
mod items;
mod unchanged;
mod version;

use serde_json::Value;

use super::sat::{Budget, SolverFailure};
use crate::model::{Expr, Guideline, OutcomeKind};
pub use version::Bump;

/// What happened to one named item between the versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Only the new version has it.
    Added,
    /// Only the old version has it.
    Removed,
    /// Both have it, with some parts different.
    Changed,
}

impl Change {
    /// Every change, in the order the reports list them.
    pub const ALL: [Change; 3] = [Change::Added, Change::Removed, Change::Changed];

    /// The word in the JSON contract and the text report.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Changed => "changed",
        }
    }
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A change to one named item.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ItemChange {
    /// The item's id or name.
    pub name: String,
    /// Added, removed or changed.
    pub change: Change,
    /// For `changed`: which parts.
    pub parts: Vec<String>,
}

/// A decision that differs for some patient.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct DecisionChange {
    /// The action.
    pub action: String,
    /// Its outcome under the old version.
    pub before: OutcomeKind,
    /// Its outcome under the new version.
    pub after: OutcomeKind,
    /// A case (facts of both versions) on which the decision changes so.
    pub witness: Value,
    /// The facts the action's rules (in either version) and the scopes read.
    pub facts: Vec<String>,
}

/// An action whose decisions could not be compared.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NotCompared {
    /// The action.
    pub action: String,
    /// Why, in words.
    pub reason: String,
}

/// Everything the comparison found.
#[derive(Clone, Debug)]
pub struct Diff {
    /// Declared actions added, removed, changed (by id; parts `label`, `urgent`).
    pub actions: Vec<ItemChange>,
    /// Rules added, removed, changed (by id).
    pub rules: Vec<ItemChange>,
    /// Facts added, removed, changed (by name).
    pub facts: Vec<ItemChange>,
    /// Definitions, notes, invariants and the header, added, removed or changed.
    pub other: Vec<ItemChange>,
    /// References added, removed or changed (by number; parts `title`,
    /// `source`, `year`). Informational: the header's `references` part
    /// already carries their weight in the bump.
    pub references: Vec<ItemChange>,
    /// Decisions that change for some patient, one per (action, before, after).
    pub decisions: Vec<DecisionChange>,
    /// Actions whose decisions could not be compared, with the reason.
    pub not_compared: Vec<NotCompared>,
    /// The bump the change implies.
    pub implied: Bump,
    /// The bump the version numbers show.
    pub actual: Bump,
    /// True when the new version is lower than the old.
    pub downgrade: bool,
}

impl Diff {
    /// True when the new version number does not reflect the change.
    pub fn version_too_low(&self) -> bool {
        self.downgrade || self.actual < self.implied
    }
}

/// Compares two versions.
pub fn diff(old: &Guideline, new: &Guideline) -> Result<Diff, SolverFailure> {
    diff_with(old, new, &Budget::default())
}

/// [`diff`] with the solver's work bounded by `budget`; when it is spent the
/// comparison ends with [`SolverFailure::BudgetSpent`].
pub fn diff_with(old: &Guideline, new: &Guideline, budget: &Budget) -> Result<Diff, SolverFailure> {
    compare(old, new, budget, false)
}

/// [`diff`] checking every witness the way it did before it evaluated one
/// action at a time: each on a fresh evaluator that computes the whole
/// guideline. The reference the tests hold [`diff`] to; not for use.
#[doc(hidden)]
pub fn diff_reference(old: &Guideline, new: &Guideline) -> Result<Diff, SolverFailure> {
    compare(old, new, &Budget::default(), true)
}

fn compare(old: &Guideline, new: &Guideline, budget: &Budget, reference: bool) -> Result<Diff, SolverFailure> {
    let (facts, facts_major) = items::fact_changes(old, new);
    let (decisions, not_compared) = decisions::decision_changes(old, new, budget, reference)?;
    let (actual, downgrade) = version::actual_bump(&old.meta.version, &new.meta.version);
    let mut d = Diff {
        actions: items::action_changes(old, new),
        rules: items::rule_changes(old, new),
        facts,
        other: items::other_changes(old, new),
        references: items::reference_changes(old, new),
        decisions,
        not_compared,
        // Read off everything else the comparison found, just below.
        implied: Bump::None,
        actual,
        downgrade,
    };
    d.implied = version::implied_bump(old, new, &d, facts_major);
    Ok(d)
}

/// Source text with its whitespace squashed, so that a re-indented item
/// does not count as changed.
pub(super) fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An optional condition as squashed source text (empty when absent).
pub(super) fn text_of(g: &Guideline, e: Option<&Expr>) -> String {
    e.map_or_else(String::new, |e| squash(g.source.slice(e.span)))
}
