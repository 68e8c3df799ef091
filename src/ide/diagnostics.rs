//! Diagnostics for an editor: every parse and check problem, and lint's
//! findings, with exact spans, the CLI's words, related places and fixes.
//! (Skeleton: filled in by the language-server work.)

use super::{Analysis, Fix};
use crate::analysis::LintOptions;
use crate::diagnostics::{Severity, Span};

/// Another place a diagnostic refers to (the other rule of a clash, the
/// declaration a duplicate repeats).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Related {
    /// Where.
    pub span: Span,
    /// What is there.
    pub message: String,
}

/// One problem, placed in the text.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct EditorDiagnostic {
    /// The text it underlines.
    pub span: Span,
    /// Error or warning.
    pub severity: Severity,
    /// The stable code (`guidelang::check::unknown_name`, ...).
    pub code: String,
    /// The message, as the CLI words it.
    pub message: String,
    /// The help, as the CLI words it.
    pub help: Option<String>,
    /// Other places it refers to.
    pub related: Vec<Related>,
    /// Quick fixes that answer it (a did-you-mean, a missing precedence).
    pub fixes: Vec<Fix>,
}

/// Every parse and check problem of the text, in text order.
pub fn diagnostics(analysis: &Analysis) -> Vec<EditorDiagnostic> {
    let _ = analysis;
    Vec::new()
}

/// Lint's findings (clashes with their two rules and the witness patient,
/// broken invariants, unreachable and redundant rules, missing citations),
/// or nothing when the text does not check.
pub fn lint_diagnostics(analysis: &Analysis, options: LintOptions) -> Vec<EditorDiagnostic> {
    let _ = (analysis, options);
    Vec::new()
}
