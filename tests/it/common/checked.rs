//! Checking snippets as an editor would see them: the problems of a small
//! guideline, rendered, and a syntax tree's meaning without its spans.

use guidelang::diagnostics::{Problem, Source};

/// The problems of `header` followed by `body`, but for the header's facts
/// that the body leaves unused.
pub fn problems(header: &str, body: &str) -> Vec<Problem> {
    let source = Source::new("demo.gl", format!("{header}{body}"));
    let all = match guidelang::syntax::parse(&source) {
        Err(p) => p,
        Ok(file) => guidelang::check::check(&file, &source).problems,
    };
    all.into_iter()
        .filter(|p| p.code != "guidelang::check::unused_fact")
        .collect()
}

/// The problems rendered as an editor sees them, after asserting that their
/// codes are exactly `expected` (a stray extra error is a bug).
pub fn diagnose(header: &str, body: &str, expected: &[&str]) -> String {
    let found = problems(header, body);
    let rendered: Vec<String> = found.iter().map(Problem::render_plain).collect();
    let codes: Vec<&str> = found.iter().map(|p| p.code).collect();
    assert_eq!(codes, expected, "\n{}", rendered.join("\n"));
    rendered.join("\n")
}

/// A syntax tree's debug form without its spans: what the text means, not
/// where it sits (the formatter moves things).
pub fn without_spans(f: &guidelang::syntax::ast::File) -> String {
    let text = format!("{f:?}");
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("span: Span {") {
        out.push_str(&rest[..i]);
        rest = rest[i..].split_once('}').map_or("", |(_, r)| r);
    }
    out.push_str(rest);
    out
}
