//! Lint findings as SARIF 2.1.0, the format code-scanning tools read: each
//! finding a `result` on the rule file's lines, the other rules involved as
//! related locations, the witness case in the result's properties. Proved
//! invariants are results of kind `pass`.

use serde_json::{json, Value};

use crate::analysis::LintReport;
use crate::diagnostics::{Severity, Source, Span};

/// The SARIF schema this output follows.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A file name as a SARIF `artifactLocation.uri`, a URI reference (RFC 3986)
/// naming the same file: relative names stay relative.
fn uri(path: &str) -> String {
    uri_for(path, Platform::HOST)
}

/// How the host spells paths: Unix only separates with `/` (a `\` is part of
/// a file name there); Windows separates with both and has drives and shares.
#[derive(Clone, Copy, Debug)]
struct Platform {
    windows: bool,
}

impl Platform {
    const HOST: Platform = Platform { windows: cfg!(windows) };

    fn is_separator(self, c: char) -> bool {
        c == '/' || (self.windows && c == '\\')
    }
}

/// [`uri`] for a given platform, so that both spellings are tested anywhere.
fn uri_for(path: &str, platform: Platform) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    if platform.windows {
        let mut chars = path.chars();
        match (chars.next(), chars.next()) {
            // `C:\x.gl` is absolute; as a relative reference `C:` would read as a scheme.
            (Some(d), Some(':')) if d.is_ascii_alphabetic() => {
                out.push_str("file:///");
                out.push(d);
                out.push(':');
                rest = &path[2..];
            }
            // `\\server\share\x.gl`: the server is the URI's authority.
            (Some(a), Some(b)) if platform.is_separator(a) && platform.is_separator(b) => {
                out.push_str("file://");
                rest = &path[2..];
            }
            _ => {}
        }
    }
    // In a relative reference a `:` before the first `/` would make what
    // precedes it a scheme, so it is encoded there.
    let mut first_segment = out.is_empty();
    let mut after_separator = false;
    for c in rest.chars() {
        if platform.is_separator(c) {
            // `a//b` names `a/b`, and a reference starting with `//` would
            // name a host: a run of separators is one.
            if !after_separator {
                out.push('/');
            }
            after_separator = true;
            first_segment = false;
            continue;
        }
        after_separator = false;
        match c {
            // RFC 3986 `pchar`: unreserved, sub-delims, `:` and `@`.
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '.' | '_' | '~' => out.push(c),
            '!' | '$' | '&' | '\'' | '(' | ')' | '*' | '+' | ',' | ';' | '=' | '@' => out.push(c),
            ':' if !first_segment => out.push(c),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
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

/// The whole SARIF log of one lint run. Findings left out by the cap are
/// counted in the run's `properties.omitted` (`[{"code", "severity",
/// "count"}]`) and told in a tool notification each.
pub fn lint_sarif(source: &Source, report: &LintReport) -> Value {
    let (findings, proved) = (&report.findings, &report.proved);
    let lines = Lines::new(source);
    let mut codes: Vec<(&str, Severity)> = Vec::new();
    let listed = findings.iter().map(|f| (f.code, f.severity));
    for (code, severity) in listed.chain(report.omitted.iter().map(|o| (o.code, o.severity))) {
        if !codes.iter().any(|(c, _)| *c == code) {
            codes.push((code, severity));
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
    let mut run = json!({
        "tool": {"driver": {
            "name": "guidelang",
            "version": env!("CARGO_PKG_VERSION"),
            "rules": rules,
        }},
        "columnKind": "unicodeCodePoints",
        "artifacts": [{"location": {"uri": uri(source.name())}}],
        "results": results,
    });
    if !report.omitted.is_empty() {
        let notifications: Vec<Value> = report
            .omitted
            .iter()
            .map(|o| {
                json!({
                    "level": "note",
                    "message": {"text": super::lint_text::more(o)},
                    "associatedRule": {"id": o.code, "index": index(o.code)},
                })
            })
            .collect();
        run["invocations"] = json!([{
            "executionSuccessful": true,
            "toolExecutionNotifications": notifications,
        }]);
        run["properties"] = json!({"omitted": super::lint_json::omitted_json(report)});
    }
    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [run],
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
        "dose_never_chosen" => "An amount of a dose chosen by criteria that no patient gets.",
        "agreeing_rules_differ" => "Two rules on one action carry one decision together with different doses.",
        _ => "A problem found by the guideline checker.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNIX: Platform = Platform { windows: false };
    const WINDOWS: Platform = Platform { windows: true };

    #[test]
    fn a_file_name_becomes_a_uri_reference_to_the_same_file() {
        // Each character outside RFC 3986's `pchar` is percent-encoded as UTF-8.
        assert_eq!(uri_for("dir/a b.gl", UNIX), "dir/a%20b.gl");
        assert_eq!(uri_for("[x]\t\"y\".gl", UNIX), "%5Bx%5D%09%22y%22.gl");
        assert_eq!(uri_for("é.gl", UNIX), "%C3%A9.gl");
        assert_eq!(uri_for("100%.gl", UNIX), "100%25.gl");
        assert_eq!(uri_for("a#b?c.gl", UNIX), "a%23b%3Fc.gl");
        // On Unix a backslash is part of a name, not a separator.
        assert_eq!(uri_for("a\\b.gl", UNIX), "a%5Cb.gl");
        // Characters a path segment allows stay as they are.
        assert_eq!(uri_for("a-b_c.d~e!$&'()*+,;=@.gl", UNIX), "a-b_c.d~e!$&'()*+,;=@.gl");
        // A colon before the first `/` would read as a scheme.
        assert_eq!(uri_for("c:x.gl", UNIX), "c%3Ax.gl");
        assert_eq!(uri_for("d/c:x.gl", UNIX), "d/c:x.gl");
        // Absolute stays absolute; a run of separators is one (`//` would name a host).
        assert_eq!(uri_for("/tmp/x.gl", UNIX), "/tmp/x.gl");
        assert_eq!(uri_for("//tmp//x.gl", UNIX), "/tmp/x.gl");
        assert_eq!(uri_for("", UNIX), "");
    }

    #[test]
    fn windows_paths_become_file_uris_or_relative_references() {
        assert_eq!(uri_for("dir\\a b.gl", WINDOWS), "dir/a%20b.gl");
        assert_eq!(uri_for("C:\\dir\\x.gl", WINDOWS), "file:///C:/dir/x.gl");
        assert_eq!(uri_for("\\\\server\\share\\x.gl", WINDOWS), "file://server/share/x.gl");
    }

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
