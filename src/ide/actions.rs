//! Code actions: apply a did-you-mean, add a missing precedence for a clash.
//!
//! A did-you-mean is the [`Problem::replacement`] the checker (or the parser,
//! for glued or misspelt keywords) attaches where its help suggests a name.
//! A clash between rules A and B is settled by `overrides`, on either side;
//! both are offered, each placed where `guidelang fmt` puts the field (right
//! after the `when` line, or appended to the rule's `overrides` list), and
//! each only when the file still checks once it is applied (an `overrides`
//! that closes a circle of precedence is not offered).

use super::diagnostics::EditorDiagnostic;
use super::{Analysis, Fix, TextEdit};
use crate::analysis::Finding;
use crate::diagnostics::{Problem, Span};
use crate::syntax::ast;

/// The code of lint's clash finding.
const CLASH: &str = "guidelang::lint::clash";

/// How `fmt` indents a rule's fields.
const INDENT: &str = "  ";

/// The quick fixes that answer a parse or check problem (a did-you-mean
/// replaces the misspelt name). `diagnostics::diagnostics` attaches them.
pub fn fixes_for_problem(analysis: &Analysis, problem: &Problem) -> Vec<Fix> {
    let Some(r) = &problem.replacement else {
        return Vec::new();
    };
    // A problem about another text (a case file) has nothing to fix here.
    // (The analysis' own problems share its text: compared by address first.)
    let other = |t: &str| !std::ptr::eq(t, analysis.text()) && t != analysis.text();
    if problem.source.as_ref().is_some_and(|s| other(s.text())) {
        return Vec::new();
    }
    let Some(wrong) = analysis.text().get(r.span.start..r.span.end) else {
        return Vec::new();
    };
    if wrong == r.text {
        return Vec::new();
    }
    vec![Fix {
        title: format!("Replace `{wrong}` with `{}`", r.text),
        edits: vec![TextEdit {
            span: r.span,
            new_text: r.text.clone(),
        }],
        answers: Some(problem.code.to_string()),
    }]
}

/// The quick fixes that answer a lint finding (a clash gets "rule A
/// overrides B" and the other way round). `diagnostics::lint_diagnostics`
/// attaches them.
pub fn fixes_for_finding(analysis: &Analysis, finding: &Finding) -> Vec<Fix> {
    let [a, b] = finding.rules.as_slice() else {
        return Vec::new();
    };
    if finding.code != CLASH {
        return Vec::new();
    }
    [(a, b), (b, a)]
        .into_iter()
        .filter_map(|(winner, loser)| {
            let edit = precedence_edit(analysis, winner, loser)?;
            // Offered only if the file still checks with it: `overrides`
            // cannot close a circle or overrule a contraindication.
            let fixed = apply(analysis.text(), std::slice::from_ref(&edit))?;
            Analysis::new(analysis.source().name(), &fixed).guideline()?;
            Some(Fix {
                title: format!("Let `{winner}` override `{loser}`"),
                edits: vec![edit],
                answers: Some(CLASH.to_string()),
            })
        })
        .collect()
}

/// The fixes on offer for a range of the text, given the diagnostics the
/// editor shows there.
pub fn code_actions(analysis: &Analysis, range: Span, diagnostics: &[EditorDiagnostic]) -> Vec<Fix> {
    let given = diagnostics
        .iter()
        .filter(|d| meets(d.span, range))
        .flat_map(|d| d.fixes.iter().cloned());
    // The analysis' own problems too: an editor may ask before the
    // diagnostics carrying their fixes have reached it.
    let own = analysis
        .problems()
        .iter()
        .filter(|p| p.primary_span().is_some_and(|s| meets(s, range)))
        .flat_map(|p| fixes_for_problem(analysis, p));
    let mut out: Vec<Fix> = Vec::new();
    for fix in given.chain(own) {
        if !out.contains(&fix) {
            out.push(fix);
        }
    }
    out
}

/// The text with the edits applied, or `None` when an edit is out of the
/// text, off a character boundary, or overlaps another.
pub fn apply(text: &str, edits: &[TextEdit]) -> Option<String> {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in sorted {
        if e.span.start < at || e.span.end < e.span.start {
            return None;
        }
        out.push_str(text.get(at..e.span.start)?);
        out.push_str(&e.new_text);
        text.get(e.span.start..e.span.end)?;
        at = e.span.end;
    }
    out.push_str(text.get(at..)?);
    Some(out)
}

/// True when two spans share a byte or touch (an empty range at a word's
/// end still asks about that word).
fn meets(a: Span, b: Span) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// The edit that makes rule `winner` override rule `loser`: `loser` appended
/// to the `overrides` list `winner` has, or a new `overrides` line right after
/// its `when` line, where `fmt` puts it.
fn precedence_edit(analysis: &Analysis, winner: &str, loser: &str) -> Option<TextEdit> {
    let rule = analysis.file()?.items.iter().find_map(|item| match item {
        ast::Item::Rule(r) if r.id.node == winner => Some(r),
        _ => None,
    })?;
    if let Some(last) = rule.overrides.iter().max_by_key(|o| o.span.end) {
        return Some(TextEdit {
            span: Span::new(last.span.end, last.span.end),
            new_text: format!(", {loser}"),
        });
    }
    let text = analysis.text();
    let when_end = match &rule.when {
        Some(w) => w.span.end,
        None => when_always_end(text, rule)?,
    };
    // At the end of the `when` line, after any comment on it.
    let line_end = text.get(when_end..)?.find('\n').map_or(text.len(), |i| when_end + i);
    // A line ending `\r\n` keeps its `\r` before the `\n`.
    let line_end = if text[..line_end].ends_with('\r') {
        line_end - 1
    } else {
        line_end
    };
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    Some(TextEdit {
        span: Span::new(line_end, line_end),
        new_text: format!("{newline}{INDENT}overrides {loser}"),
    })
}

/// Where `when always` ends in a rule (the tree keeps no span for it): the
/// words `when` and `always` one after the other, outside quoted text and
/// comments.
fn when_always_end(text: &str, rule: &ast::Rule) -> Option<usize> {
    let words = words(text.get(rule.action.span.end..rule.span.end)?);
    words
        .windows(2)
        .find(|w| w[0].1 == "when" && w[1].1 == "always")
        .map(|w| rule.action.span.end + w[1].0 + w[1].1.len())
}

/// The words of a text outside quoted text and comments, with their offsets.
fn words(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '#' => {
                for (_, c) in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '"' => {
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            c if c.is_ascii_alphanumeric() || c == '_' => {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if !(d.is_ascii_alphanumeric() || d == '_') {
                        break;
                    }
                    end = j + d.len_utf8();
                    chars.next();
                }
                out.push((i, &text[i..end]));
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_skip_quoted_text_and_comments() {
        let text = "x detail \"when always\" # when always\n  when  always";
        let w: Vec<&str> = words(text).into_iter().map(|(_, w)| w).collect();
        assert_eq!(w, ["x", "detail", "when", "always"]);
    }

    #[test]
    fn overlapping_or_misplaced_edits_are_refused() {
        let e = |s, e, t: &str| TextEdit {
            span: Span::new(s, e),
            new_text: t.into(),
        };
        assert_eq!(apply("abcd", &[e(1, 2, "X"), e(3, 3, "Y")]).as_deref(), Some("aXcYd"));
        assert_eq!(apply("abcd", &[e(1, 3, "X"), e(2, 4, "Y")]), None);
        assert_eq!(apply("abcd", &[e(3, 9, "X")]), None);
        assert_eq!(apply("µ", &[e(1, 1, "X")]), None);
    }
}
