//! The clinical-review document as one self-contained HTML page: inline CSS,
//! no script, no external asset, every text escaped.

use super::document::{anchor, Block, Document};
use super::english::Inline;
use crate::model::Verdict;

const STYLE: &str = r#"
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: #1d2329; background: #fff; margin: 0; }
main { max-width: 60rem; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
h1 { font-size: 1.9rem; line-height: 1.25; margin: 0 0 1rem; }
h2 { font-size: 1.4rem; margin: 2.5rem 0 0.75rem; padding-bottom: 0.25rem; border-bottom: 2px solid #d8dee4; }
h3 { font-size: 1.15rem; margin: 1.75rem 0 0.5rem; }
h3 code { font-size: 0.8em; color: #57606a; font-weight: normal; margin-left: 0.4rem; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.88em; background: #f3f4f6; padding: 0.05em 0.3em; border-radius: 4px; }
a { color: #0b5cad; text-decoration: none; } a:hover { text-decoration: underline; }
a.term { font-style: italic; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; font-size: 0.95rem; }
th, td { text-align: left; vertical-align: top; padding: 0.4rem 0.6rem; border-bottom: 1px solid #e3e7eb; }
th { background: #f6f8fa; }
table.meta th { width: 11rem; background: none; color: #57606a; font-weight: 600; }
.card { border: 1px solid #d8dee4; border-left: 6px solid #8c959f; border-radius: 6px; padding: 0.6rem 1rem; margin: 0.6rem 0; background: #fcfcfd; }
.card p.title { margin: 0 0 0.3rem; }
.card dl { display: grid; grid-template-columns: 11rem 1fr; gap: 0.15rem 0.8rem; margin: 0; font-size: 0.95rem; }
.card dt { color: #57606a; font-weight: 600; } .card dd { margin: 0; }
.recommend { border-left-color: #1a7f37; } .consider { border-left-color: #0969da; }
.avoid { border-left-color: #bf8700; } .contraindicated { border-left-color: #cf222e; }
.badge { display: inline-block; font-weight: 700; font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.03em; padding: 0.1rem 0.5rem; border-radius: 999px; color: #fff; background: #57606a; }
.badge.recommend { background: #1a7f37; } .badge.consider { background: #0969da; }
.badge.avoid { background: #9a6700; } .badge.contraindicated { background: #cf222e; }
.badge.urgent { background: #fff; color: #a40e26; border: 1.5px solid #a40e26; padding: 0 0.45rem; }
td code { font-size: 0.78em; color: #57606a; }
ul.references { list-style: none; padding-left: 0; } ul.references li { margin: 0.3rem 0; }
@media print { .card { break-inside: avoid; } a { color: inherit; } }
"#;

/// Renders a document as a self-contained HTML page.
pub fn html(d: &Document) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!(
        "<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        escape(&d.title)
    ));
    for b in &d.blocks {
        block(&mut out, b);
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn block(out: &mut String, b: &Block) {
    match b {
        Block::Heading { level, text, id } => {
            let id = id
                .as_ref()
                .map(|i| format!(" id=\"{}\"", escape(i)))
                .unwrap_or_default();
            out.push_str(&format!("<h{level}{id}>{}</h{level}>\n", inline(text)));
        }
        Block::Paragraph(p) => out.push_str(&format!("<p>{}</p>\n", inline(p))),
        Block::Fields(fields) => {
            out.push_str("<table class=\"meta\">\n");
            for (label, value) in fields {
                out.push_str(&format!(
                    "<tr><th>{}</th><td>{}</td></tr>\n",
                    escape(label),
                    inline(value)
                ));
            }
            out.push_str("</table>\n");
        }
        Block::Table { header, rows } => {
            out.push_str("<table>\n<thead><tr>");
            for h in header {
                out.push_str(&format!("<th>{}</th>", escape(h)));
            }
            out.push_str("</tr></thead>\n<tbody>\n");
            for row in rows {
                out.push_str("<tr>");
                for c in row {
                    out.push_str(&format!("<td>{}</td>", inline(c)));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody>\n</table>\n");
        }
        Block::List { ordered, items } => {
            let tag = if *ordered { "ol" } else { "ul" };
            out.push_str(&format!("<{tag} class=\"references\">\n"));
            for (id, item) in items {
                let id = id
                    .as_ref()
                    .map(|i| format!(" id=\"{}\"", escape(i)))
                    .unwrap_or_default();
                out.push_str(&format!("<li{id}>{}</li>\n", inline(item)));
            }
            out.push_str(&format!("</{tag}>\n"));
        }
        Block::Card {
            id,
            verdict,
            title,
            fields,
        } => {
            let class = verdict.map_or("", Verdict::as_str);
            out.push_str(&format!(
                "<section class=\"card {class}\" id=\"{}\">\n<p class=\"title\">{}</p>\n<dl>\n",
                escape(id),
                inline(title)
            ));
            for (label, value) in fields {
                out.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", escape(label), inline(value)));
            }
            out.push_str("</dl>\n</section>\n");
        }
    }
}

fn inline(p: &[Inline]) -> String {
    p.iter()
        .map(|i| match i {
            Inline::Text(s) => escape(s),
            Inline::Strong(s) => format!("<strong>{}</strong>", escape(s)),
            Inline::Code(s) => format!("<code>{}</code>", escape(s)),
            Inline::Unit(s) => unit(s),
            Inline::Term { name, label } => format!(
                "<a class=\"term\" href=\"#{}\">{}</a>",
                escape(&anchor("def", name)),
                escape(label)
            ),
            Inline::Cite(n) => format!("<a href=\"#{}\">[{n}]</a>", escape(&anchor("ref", &n.to_string()))),
            Inline::Verdict(v) => format!("<span class=\"badge {v}\">{v}</span>"),
            Inline::Urgent => "<span class=\"badge urgent\">urgent</span>".into(),
            Inline::RuleLink(r) => format!(
                "<a href=\"#{}\"><code>{}</code></a>",
                escape(&anchor("rule", r)),
                escape(r)
            ),
        })
        .collect()
}

/// `10^9/L` with the power raised.
fn unit(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('^') {
        out.push_str(&escape(&rest[..i]));
        let after = &rest[i + 1..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit() || c == '-').len();
        if digits == 0 {
            out.push('^');
        } else {
            out.push_str(&format!("<sup>{}</sup>", escape(&after[..digits])));
        }
        rest = &after[digits..];
    }
    out.push_str(&escape(rest));
    out
}

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_raises_powers() {
        assert_eq!(
            escape("<b>\"x\" & 'y'</b>"),
            "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;"
        );
        assert_eq!(unit("10^9/L"), "10<sup>9</sup>/L");
        assert_eq!(unit("m^2<"), "m<sup>2</sup>&lt;");
    }
}
