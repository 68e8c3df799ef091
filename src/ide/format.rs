//! Formatting: the `fmt` layout as edits.
//! (Skeleton: filled in by the editor-extension work.)

use super::{Analysis, TextEdit};

/// The edits that put the text in `fmt`'s layout (none when it already is),
/// or `None` when it does not parse.
pub fn format(analysis: &Analysis) -> Option<Vec<TextEdit>> {
    let _ = analysis;
    None
}
