//! The clinical-review document as Markdown (CommonMark with tables). Author
//! text is escaped so that it can never change the document's structure: no
//! markup inside a line, and nothing that opens a block at a line's start.

use super::document::{Block, Document};
use super::english::Inline;

/// Renders a document as Markdown.
pub fn markdown(d: &Document) -> String {
    let mut out = String::new();
    for b in &d.blocks {
        match b {
            Block::Heading { level, text, .. } => {
                out.push_str(&format!("{} {}\n\n", "#".repeat(usize::from(*level)), inline(text)));
            }
            Block::Paragraph(p) => out.push_str(&format!("{}\n\n", line_start(&inline(p)))),
            Block::Fields(fields) => {
                for (label, value) in fields {
                    out.push_str(&format!("- **{}:** {}\n", escape(label), inline(value)));
                }
                out.push('\n');
            }
            Block::Table { header, rows } => {
                // `escape` turns every `|` of a text into `\|`, so cells stay cells.
                let head: Vec<String> = header.iter().map(|h| escape(h)).collect();
                out.push_str(&format!("| {} |\n", head.join(" | ")));
                out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
                for row in rows {
                    let cells: Vec<String> = row.iter().map(|c| inline(c)).collect();
                    out.push_str(&format!("| {} |\n", cells.join(" | ")));
                }
                out.push('\n');
            }
            Block::List { ordered, items } => {
                for (i, (_, item)) in items.iter().enumerate() {
                    let bullet = if *ordered { format!("{}.", i + 1) } else { "-".into() };
                    out.push_str(&format!("{bullet} {}\n", line_start(&inline(item))));
                }
                out.push('\n');
            }
            Block::Card { title, fields, .. } => {
                out.push_str(&format!("{}\n\n", line_start(&inline(title))));
                for (label, value) in fields {
                    out.push_str(&format!("- {}: {}\n", escape(label), inline(value)));
                }
                out.push('\n');
            }
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('\n');
    out
}

/// A phrase as Markdown (also used by the diff changelog).
pub(super) fn inline(p: &[Inline]) -> String {
    p.iter()
        .map(|i| match i {
            Inline::Text(s) => escape(s),
            Inline::Strong(s) => format!("**{}**", escape(s)),
            Inline::Code(s) | Inline::RuleLink(s) => code(s),
            Inline::Unit(s) => escape(s),
            Inline::Term { label, .. } => format!("*{}*", escape(label)),
            Inline::Cite(n) => format!("\\[{n}\\]"),
            Inline::Verdict(v) => format!("**{v}**"),
            Inline::Urgent => "**urgent**".into(),
        })
        .collect()
}

/// Backslash-escapes the characters Markdown (and inline HTML) would read as
/// syntax, and folds line breaks into spaces so a text stays in its block.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text (already escaped by [`inline`]) that starts a block or a list
/// item: what would open a block there is made text. [`escape`] already
/// covers `#`, `>`, `*`, `_`, backticks, `~`, `<` and `|`; left are a bullet
/// (`-`, `+`), which also begins a thematic break (`---`) when repeated, an
/// ordered item (`1.`, `1)`), and leading spaces, which can make an indented
/// code block. Leading spaces show as nothing in Markdown anyway.
pub(super) fn line_start(text: &str) -> String {
    let text = text.trim_start_matches([' ', '\t']);
    let digits = text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let after_digits = text[digits..].chars().next();
    if text.starts_with(['-', '+']) {
        format!("\\{text}")
    } else if digits > 0 && matches!(after_digits, Some('.' | ')')) {
        format!("{}\\{}", &text[..digits], &text[digits..])
    } else {
        text.to_string()
    }
}

/// A name as written, in code type.
pub(super) fn code(s: &str) -> String {
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_at_a_line_start_cannot_open_a_block() {
        assert_eq!(line_start("---"), "\\---");
        assert_eq!(line_start("- a"), "\\- a");
        assert_eq!(line_start("+ a"), "\\+ a");
        assert_eq!(line_start("1. a"), "1\\. a");
        assert_eq!(line_start("12) a"), "12\\) a");
        assert_eq!(line_start("    code"), "code");
        assert_eq!(line_start("\t- a"), "\\- a");
        // Only what would open a block changes.
        assert_eq!(line_start("12 a. b - c"), "12 a. b - c");
        assert_eq!(line_start("1.5 mg"), "1\\.5 mg");
        assert_eq!(line_start(""), "");
    }

    #[test]
    fn text_cannot_become_markup() {
        assert_eq!(
            escape("a *b* <script> [x](y) | z\nw"),
            "a \\*b\\* \\<script\\> \\[x\\](y) \\| z w"
        );
    }
}
