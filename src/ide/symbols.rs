//! The outline: header, facts, definitions, rules by action, invariants, notes.
//! (Skeleton: filled in by the navigation work.)

use super::Analysis;
use crate::diagnostics::Span;

/// What an outline entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum SymbolKind {
    /// The guideline header.
    Header,
    /// A group (facts, definitions, an action's rules, ...).
    Group,
    /// A fact.
    Fact,
    /// A definition, score or category.
    Definition,
    /// An action.
    Action,
    /// A rule.
    Rule,
    /// An invariant.
    Invariant,
    /// A note.
    Note,
    /// A reference.
    Reference,
}

/// One outline entry.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Symbol {
    /// Its name.
    pub name: String,
    /// A short detail (a type, a verdict and action).
    pub detail: Option<String>,
    /// Its kind.
    pub kind: SymbolKind,
    /// The whole declaration.
    pub span: Span,
    /// The name within it.
    pub selection: Span,
    /// Entries inside it.
    pub children: Vec<Symbol>,
}

/// The outline of a text that parses (empty when it does not).
pub fn symbols(analysis: &Analysis) -> Vec<Symbol> {
    let _ = analysis;
    Vec::new()
}
