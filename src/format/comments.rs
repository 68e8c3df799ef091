//! Comment recovery. The grammar skips comments, so the syntax tree has none;
//! they are found again in the source text and attached by position to the
//! printed line they belong to.
//!
//! The attachment rule, which never drops a comment:
//! - an end-of-line comment (code before it on its line) goes to the line that
//!   starts last at or before it, and is printed at that line's end;
//! - a comment on its own line goes to the line whose source contains it (a
//!   comment inside a multi-line condition stays with that condition), else to
//!   the first line that starts after it (the following field or item), else to
//!   the end of the file.
//!
//! Anchors are the source spans of what each printed line shows; a line built
//! from several fields (two `cite` fields merged) has several anchors.

use std::collections::HashMap;

use crate::diagnostics::Span;

/// One comment as found in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Comment {
    /// From `#` to the end of its line, trailing whitespace removed.
    pub text: String,
    /// Byte offset of the `#`.
    pub pos: usize,
    /// Nothing but whitespace before it on its line.
    pub own_line: bool,
    /// A blank line separates it from what comes before.
    pub blank_before: bool,
}

/// Which printed line of the header or of an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Slot {
    Head,
    Title,
    Version,
    Status,
    Updated,
    Reviewers,
    Scope,
    When,
    Overrides,
    Dose,
    Detail,
    Warn(usize),
    Because,
    Cite,
    Says,
    Claim,
    Description,
    /// A fact's record binding, on its own line.
    Binding,
}

/// A printed line: the header's (`item: None`) or an item's, and which one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct Key {
    pub item: Option<usize>,
    pub slot: Slot,
}

/// The comments attached to one printed line.
#[derive(Clone, Debug, Default)]
pub(super) struct Attached {
    /// Printed on their own lines before it, in source order.
    pub leading: Vec<Comment>,
    /// Printed at its end (one), or before it (several, since a line ends once).
    pub trailing: Vec<Comment>,
}

/// Every comment of a text, in order.
pub(super) fn scan(text: &str) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'#' => {
                // The grammar ends a comment at any NEWLINE, lone `\r` included.
                let end = text[i..].find(['\n', '\r']).map_or(text.len(), |n| i + n);
                let line_start = text[..i].rfind('\n').map_or(0, |n| n + 1);
                out.push(Comment {
                    text: text[i..end].trim_end().to_string(),
                    pos: i,
                    own_line: text[line_start..i].trim_start_matches('\u{feff}').trim().is_empty(),
                    blank_before: blank_before(text, i),
                });
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The span without the whitespace and comments the parser counted at its end
/// (a rule ending in an optional part takes the skipped trivia with it).
pub(super) fn trim(text: &str, span: Span) -> Span {
    let Some(inner) = text.get(span.start..span.end) else {
        return span;
    };
    let bytes = inner.as_bytes();
    let mut last = 0;
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            last = i.min(bytes.len());
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                last = i + 1;
            }
            b'#' => {
                i = inner[i..].find(['\n', '\r']).map_or(bytes.len(), |n| i + n);
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => last = i + 1,
        }
        i += 1;
    }
    Span::new(span.start, span.start + last.max(1).min(inner.len()))
}

/// True when a blank line lies between `pos` and the last non-space before it.
pub(super) fn blank_before(text: &str, pos: usize) -> bool {
    let Some(before) = text.get(..pos) else { return false };
    let code = before.trim_end_matches([' ', '\t', '\r', '\n', '\u{feff}']);
    !code.is_empty() && before[code.len()..].matches('\n').count() >= 2
}

/// Attaches each comment to a printed line; the rest belong at the end of the file.
pub(super) fn attach(comments: Vec<Comment>, anchors: &[(Key, Span)]) -> (HashMap<Key, Attached>, Vec<Comment>) {
    let mut attached: HashMap<Key, Attached> = HashMap::new();
    let mut at_end = Vec::new();
    for c in comments {
        let p = c.pos;
        if !c.own_line {
            let line = anchors
                .iter()
                .filter(|(_, s)| s.start <= p)
                .max_by_key(|(_, s)| s.start);
            if let Some((key, _)) = line {
                attached.entry(*key).or_default().trailing.push(c);
                continue;
            }
        }
        let inside = anchors
            .iter()
            .filter(|(_, s)| s.start < p && p < s.end)
            .min_by_key(|(_, s)| s.end - s.start);
        let next = || anchors.iter().filter(|(_, s)| s.start > p).min_by_key(|(_, s)| s.start);
        match inside.or_else(next) {
            Some((key, _)) => {
                let comment = Comment {
                    own_line: true,
                    blank_before: c.own_line && c.blank_before,
                    ..c
                };
                attached.entry(*key).or_default().leading.push(comment);
            }
            None => at_end.push(c),
        }
    }
    (attached, at_end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_comments_outside_strings_only() {
        let text = "guideline g # one\n  title \"a # not a comment \\\" still not\"\n\n# two\n";
        let found = scan(text);
        let texts: Vec<&str> = found.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["# one", "# two"]);
        assert!(!found[0].own_line);
        assert!(found[1].own_line);
        assert!(found[1].blank_before);
    }

    #[test]
    fn comment_ends_at_carriage_return() {
        let found = scan("# a\r\nfact x: bool");
        assert_eq!(found[0].text, "# a");
    }
}
