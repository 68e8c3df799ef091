//! Hover: what the name under the cursor is, in Markdown.
//! (Skeleton: filled in by the navigation work.)

use super::Analysis;
use crate::diagnostics::Span;

/// What a hover shows.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Hover {
    /// The word hovered.
    pub span: Span,
    /// Markdown.
    pub markdown: String,
}

/// The hover at a byte offset: a fact (type, unit, valid range, allowed
/// values, description), a definition (expression, unit, description), a
/// rule (verdict, action, label, citations, what it overrides), a citation
/// number (its reference), an action (label, urgency, every rule deciding it).
pub fn hover(analysis: &Analysis, offset: usize) -> Option<Hover> {
    let _ = (analysis, offset);
    None
}
