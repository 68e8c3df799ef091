//! Code actions: apply a did-you-mean, add a missing precedence for a clash.
//! (Skeleton: filled in by the editor-extension work.)

use super::diagnostics::EditorDiagnostic;
use super::{Analysis, Fix};
use crate::analysis::Finding;
use crate::diagnostics::{Problem, Span};

/// The quick fixes that answer a parse or check problem (a did-you-mean
/// replaces the misspelt name). `diagnostics::diagnostics` attaches them.
pub fn fixes_for_problem(analysis: &Analysis, problem: &Problem) -> Vec<Fix> {
    let _ = (analysis, problem);
    Vec::new()
}

/// The quick fixes that answer a lint finding (a clash gets "rule A
/// overrides B" and the other way round). `diagnostics::lint_diagnostics`
/// attaches them.
pub fn fixes_for_finding(analysis: &Analysis, finding: &Finding) -> Vec<Fix> {
    let _ = (analysis, finding);
    Vec::new()
}

/// The fixes on offer for a range of the text, given the diagnostics the
/// editor shows there.
pub fn code_actions(analysis: &Analysis, range: Span, diagnostics: &[EditorDiagnostic]) -> Vec<Fix> {
    let _ = (analysis, range, diagnostics);
    Vec::new()
}
