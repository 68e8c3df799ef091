//! Formatting: the `fmt` layout as edits.
//!
//! The layout is `guidelang fmt`'s own ([`crate::format::format_source`]), so
//! an editor and the command line never disagree. It is returned as one edit
//! that replaces only the middle of the text that changes (between the
//! longest common start and end of the two texts): an editor keeps the cursor,
//! the folds and the undo history of everything outside it, and a file that is
//! already formatted gets no edit at all.

use super::{Analysis, TextEdit};
use crate::diagnostics::Span;

/// The edits that put the text in `fmt`'s layout (none when it already is),
/// or `None` when it does not parse.
pub fn format(analysis: &Analysis) -> Option<Vec<TextEdit>> {
    // A text that does not parse has no layout; the parse is already known.
    analysis.file()?;
    let formatted = crate::format::format_source(analysis.source()).ok()?;
    Some(middle_edit(analysis.text(), &formatted).into_iter().collect())
}

/// The one edit that turns `old` into `new`, covering only what lies between
/// their common start and common end; `None` when they are equal. The edit's
/// ends fall on character boundaries of both texts.
pub fn middle_edit(old: &str, new: &str) -> Option<TextEdit> {
    if old == new {
        return None;
    }
    let prefix = common_prefix(old, new);
    // The common end is sought only in what the common start left, so that
    // the two never overlap (`aa` -> `aaa` inserts one `a`, not minus one).
    let suffix = common_suffix(&old[prefix..], &new[prefix..]);
    Some(TextEdit {
        span: Span::new(prefix, old.len() - suffix),
        new_text: new[prefix..new.len() - suffix].to_string(),
    })
}

/// Length in bytes of the longest common start, on a character boundary.
fn common_prefix(a: &str, b: &str) -> usize {
    a.char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i)
}

/// Length in bytes of the longest common end, on a character boundary.
fn common_suffix(a: &str, b: &str) -> usize {
    a.chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(old: &str, edit: &TextEdit) -> String {
        format!("{}{}{}", &old[..edit.span.start], edit.new_text, &old[edit.span.end..])
    }

    #[test]
    fn the_middle_edit_turns_one_text_into_the_other() {
        let pairs = [
            ("aa", "aaa"),
            ("aaa", "aa"),
            ("", "x"),
            ("x", ""),
            ("abc", "xbc"),
            ("abc", "abx"),
            ("a µ b", "a µµ b"),
            ("é", "è"),
            ("rule x:  recommend y", "rule x: recommend y"),
        ];
        for (old, new) in pairs {
            let edit = middle_edit(old, new).expect("the texts differ");
            assert_eq!(apply(old, &edit), new, "{old:?} -> {new:?}: {edit:?}");
        }
        assert_eq!(middle_edit("same", "same"), None);
    }

    #[test]
    fn the_edit_covers_only_what_changes() {
        let edit = middle_edit("rule x:  recommend y\n", "rule x: recommend y\n").expect("differ");
        assert_eq!(edit.span, Span::new(8, 9));
        assert_eq!(edit.new_text, "");
    }
}
