//! Code actions: apply a did-you-mean, add a missing precedence for a clash.
//! (Skeleton: filled in by the editor-extension work.)

use super::diagnostics::EditorDiagnostic;
use super::{Analysis, Fix};
use crate::diagnostics::Span;

/// The fixes on offer for a range of the text, given the diagnostics the
/// editor shows there.
pub fn code_actions(analysis: &Analysis, range: Span, diagnostics: &[EditorDiagnostic]) -> Vec<Fix> {
    let _ = (analysis, range, diagnostics);
    Vec::new()
}
