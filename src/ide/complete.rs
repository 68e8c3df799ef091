//! Completion: facts and definitions in conditions, declared values after
//! `is` / `is one of`, units, rule ids after `overrides`, verdicts, actions,
//! reference numbers after `cite`.
//! (Skeleton: filled in by the navigation work.)

use super::Analysis;

/// What kind of thing a completion inserts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum CompletionKind {
    /// A fact.
    Fact,
    /// A definition, score or category.
    Definition,
    /// A declared value of an enumeration or a category level.
    Value,
    /// A unit.
    Unit,
    /// A rule id.
    Rule,
    /// An action.
    Action,
    /// A verdict or another keyword.
    Keyword,
    /// A reference number.
    Reference,
}

/// One completion.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Completion {
    /// What the menu shows and what is inserted.
    pub label: String,
    /// Its kind.
    pub kind: CompletionKind,
    /// A one-line detail (type and unit, a label).
    pub detail: Option<String>,
}

/// The completions at a byte offset. Works on a text that does not parse
/// (the usual state while typing), from the words before the cursor and the
/// names of `last_good` (the last analysis whose text parsed), if given.
pub fn completions(analysis: &Analysis, offset: usize, last_good: Option<&Analysis>) -> Vec<Completion> {
    let _ = (analysis, offset, last_good);
    Vec::new()
}
