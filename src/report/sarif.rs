//! Lint findings as SARIF 2.1.0, the format code-scanning tools read: each
//! finding a `result` on the rule file's lines, the other rules involved as
//! related locations, the witness case in the result's properties. Proved
//! invariants are results of kind `pass`.

use serde_json::{json, Value};

use crate::analysis::{Finding, Proved};
use crate::diagnostics::{Severity, Source, Span};

/// The SARIF schema this output follows.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A file path as a SARIF URI reference (relative paths stay relative).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '\\' => out.push('/'),
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            c => out.push(c),
        }
    }
    out
}

/// Line starts of a text, so that many spans turn into lines and columns
/// without rescanning the text for each.
pub struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    /// Indexes a source's text.
    pub fn new(source: &'a Source) -> Lines<'a> {
        let text = source.text();
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    /// 1-based line and column (in characters) of a byte offset, as
    /// [`Source::line_col`] counts them.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|s| *s <= offset);
        let start = self.starts[line.saturating_sub(1)];
        let col = self.text.get(start..offset).map_or(0, |s| s.chars().count()) + 1;
        (line, col)
    }
}

/// A `region` with 1-based lines and columns counted in Unicode code points.
pub fn region(lines: &Lines, span: Span) -> Value {
    let (start_line, start_column) = lines.line_col(span.start);
    let (end_line, end_column) = lines.line_col(span.end.max(span.start));
    json!({
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
    })
}

fn location(source: &Source, lines: &Lines, span: Span) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri(source.name())},
            "region": region(lines, span),
        }
    })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The whole SARIF log of one lint run.
pub fn lint_sarif(source: &Source, findings: &[Finding], proved: &[Proved]) -> Value {
    let lines = Lines::new(source);
    let mut codes: Vec<(&str, Severity)> = Vec::new();
    for f in findings {
        if !codes.iter().any(|(c, _)| *c == f.code) {
            codes.push((f.code, f.severity));
        }
    }
    let proved_code = "guidelang::lint::invariant_proved";
    if !proved.is_empty() {
        codes.push((proved_code, Severity::Warning));
    }
    let rules: Vec<Value> = codes
        .iter()
        .map(|(code, severity)| {
            json!({
                "id": code,
                "name": code.rsplit("::").next().unwrap_or(code),
                "shortDescription": {"text": describe(code)},
                "defaultConfiguration": {"level": if *code == proved_code { "none" } else { level(*severity) }},
            })
        })
        .collect();
    let index = |code: &str| codes.iter().position(|(c, _)| *c == code).unwrap_or(0);
    let mut results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let mut text = f.message.clone();
            if let Some(h) = &f.help {
                text.push_str(&format!(" Help: {h}"));
            }
            if let (Some(w), Some(shows)) = (&f.witness, &f.shows) {
                text.push_str(&format!(" Witness case: {w} ({shows})."));
            }
            let mut result = json!({
                "ruleId": f.code,
                "ruleIndex": index(f.code),
                "level": level(f.severity),
                "message": {"text": text},
                "properties": {
                    "action": f.action,
                    "rules": f.rules,
                    "invariant": f.invariant,
                    "witness": f.witness,
                },
            });
            if let Some(first) = f.places.first() {
                result["locations"] = json!([location(source, &lines, first.span)]);
            }
            let related: Vec<Value> = f
                .places
                .iter()
                .enumerate()
                .skip(1)
                .map(|(i, p)| {
                    let mut l = location(source, &lines, p.span);
                    l["id"] = json!(i);
                    l["message"] = json!({"text": p.text});
                    l
                })
                .collect();
            if !related.is_empty() {
                result["relatedLocations"] = Value::Array(related);
            }
            result
        })
        .collect();
    results.extend(proved.iter().map(|p| {
        json!({
            "ruleId": proved_code,
            "ruleIndex": index(proved_code),
            "kind": "pass",
            "level": "none",
            "message": {"text": format!("invariant `{}` holds for every patient", p.invariant)},
            "locations": [location(source, &lines, p.span)],
        })
    }));
    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "guidelang",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "artifacts": [{"location": {"uri": uri(source.name())}}],
            "results": results,
        }],
    })
}

fn describe(code: &str) -> &'static str {
    match code.rsplit("::").next().unwrap_or(code) {
        "clash" => "Two rules on one action can fire together with different verdicts and no precedence.",
        "invariant_violated" => "A stated invariant is broken by some patient.",
        "invariant_proved" => "A stated invariant holds for every patient.",
        "unreachable" => "A rule never fires, or never carries a verdict.",
        "redundant" => "A rule adds nothing: another rule with the same verdict covers it.",
        "inexact" => "A question the linter could not decide exactly.",
        "unsupported_rule" => "A rule without citation or rationale.",
        "approved_without_reviewers" => "An approved guideline names no reviewer.",
        "solver_failure" => "The analysis itself failed.",
        _ => "A problem found by the guideline checker.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_agrees_with_the_source() {
        let source = Source::new("x.gl", "ab\nµcd\n\nlast");
        let lines = Lines::new(&source);
        for offset in 0..=source.text().len() {
            if source.text().is_char_boundary(offset) {
                assert_eq!(lines.line_col(offset), source.line_col(offset), "offset {offset}");
            }
        }
    }
}
