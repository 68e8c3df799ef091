//! The clinical-review document as Markdown (CommonMark with tables).

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
            Block::Paragraph(p) => out.push_str(&format!("{}\n\n", inline(p))),
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
                    out.push_str(&format!("{bullet} {}\n", inline(item)));
                }
                out.push('\n');
            }
            Block::Card { title, fields, .. } => {
                out.push_str(&format!("{}\n\n", inline(title)));
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
    fn text_cannot_become_markup() {
        assert_eq!(
            escape("a *b* <script> [x](y) | z\nw"),
            "a \\*b\\* \\<script\\> \\[x\\](y) \\| z w"
        );
    }
}
