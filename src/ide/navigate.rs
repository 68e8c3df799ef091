//! Go to definition, find references and rename, for facts, definitions,
//! scores, categories, rules, actions and references (citation numbers).
//! (Skeleton: filled in by the navigation work.)

use super::{Analysis, TextEdit};
use crate::diagnostics::Span;

/// Where the name at a byte offset is declared.
pub fn definition(analysis: &Analysis, offset: usize) -> Option<Span> {
    let _ = (analysis, offset);
    None
}

/// Every use of the name at a byte offset, with its declaration when asked.
pub fn references(analysis: &Analysis, offset: usize, include_declaration: bool) -> Vec<Span> {
    let _ = (analysis, offset, include_declaration);
    Vec::new()
}

/// The span of the renamable name at a byte offset.
pub fn prepare_rename(analysis: &Analysis, offset: usize) -> Option<Span> {
    let _ = (analysis, offset);
    None
}

/// The edits that rename the name at a byte offset everywhere, or why not
/// (not a name, a new name that is not an identifier, a keyword, or taken).
pub fn rename(analysis: &Analysis, offset: usize, new_name: &str) -> Result<Vec<TextEdit>, String> {
    let _ = (analysis, offset, new_name);
    Err("rename is not available yet".to_string())
}
