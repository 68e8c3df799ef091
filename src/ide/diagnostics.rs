//! Diagnostics for an editor: every parse and check problem, and lint's
//! findings, with exact spans, the CLI's words, related places and fixes.
//!
//! The words are the CLI's own (`Problem::message` and `help`, `Finding`'s),
//! so an editor and `guidelang check` / `lint` never disagree about what is
//! wrong. A problem without a place (rare: a whole-file finding such as a
//! spent lint budget) is put at the start of the text, where an editor still
//! shows it.

use super::{actions, Analysis, Fix};
use crate::analysis::{lint_with, Budget, Finding, LintOptions};
use crate::diagnostics::{Problem, Severity, Span};

/// Another place a diagnostic refers to (the other rule of a clash, the
/// declaration a duplicate repeats).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Related {
    /// Where.
    pub span: Span,
    /// What is there.
    pub message: String,
}

/// One problem, placed in the text.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct EditorDiagnostic {
    /// The text it underlines.
    pub span: Span,
    /// Error or warning.
    pub severity: Severity,
    /// The stable code (`guidelang::check::unknown_name`, ...).
    pub code: String,
    /// The message, as the CLI words it.
    pub message: String,
    /// The help, as the CLI words it.
    pub help: Option<String>,
    /// Other places it refers to.
    pub related: Vec<Related>,
    /// Quick fixes that answer it (a did-you-mean, a missing precedence).
    pub fixes: Vec<Fix>,
}

/// The solver work lint may do after a pause in typing, in the units of
/// [`Budget`]: fifty times what the bundled guideline takes (under 100), and
/// a twentieth of the command line's default, so that a pathological file
/// (a count of many rules) gives up within seconds instead of a minute and
/// says so (`guidelang::lint::budget_spent`) rather than keeping an editor's
/// findings stale.
pub const EDITOR_LINT_UNITS: u64 = 5_000;

/// Lint's options for an editor: the command line's, on the bounded
/// [`EDITOR_LINT_UNITS`] budget.
pub fn editor_lint_options() -> LintOptions {
    LintOptions {
        budget: Budget::new(EDITOR_LINT_UNITS),
        ..LintOptions::default()
    }
}

/// Every parse and check problem of the text, in text order.
pub fn diagnostics(analysis: &Analysis) -> Vec<EditorDiagnostic> {
    let mut out: Vec<EditorDiagnostic> = analysis.problems().iter().map(|p| from_problem(analysis, p)).collect();
    // Stable: problems at one place keep the checker's order.
    out.sort_by_key(|d| (d.span.start, d.span.end));
    out
}

fn from_problem(analysis: &Analysis, p: &Problem) -> EditorDiagnostic {
    EditorDiagnostic {
        span: p.primary_span().unwrap_or_default(),
        severity: p.severity,
        code: p.code.to_string(),
        message: p.message.clone(),
        help: p.help.clone(),
        related: p
            .labels
            .iter()
            .skip(1)
            .map(|l| Related {
                span: l.span,
                message: l.text.clone(),
            })
            .collect(),
        fixes: actions::fixes_for_problem(analysis, p),
    }
}

/// Lint's findings (clashes with their two rules and the witness patient,
/// broken invariants, unreachable and redundant rules, missing citations),
/// or nothing when the text does not check.
///
/// The checker's warnings, which lint repeats as findings, are left out:
/// [`diagnostics`] already has them, and an editor would show each twice.
pub fn lint_diagnostics(analysis: &Analysis, options: LintOptions) -> Vec<EditorDiagnostic> {
    let Some(g) = analysis.guideline() else {
        return Vec::new();
    };
    let report = lint_with(g, options);
    let repeated = |f: &Finding| {
        g.warnings
            .iter()
            .any(|w| w.code == f.code && w.message == f.message && w.primary_span() == f.places.first().map(|p| p.span))
    };
    let mut out: Vec<EditorDiagnostic> = report
        .findings
        .iter()
        .filter(|f| !repeated(f))
        .map(|f| from_finding(analysis, f))
        .collect();
    out.sort_by_key(|d| (d.span.start, d.span.end));
    out
}

fn from_finding(analysis: &Analysis, f: &Finding) -> EditorDiagnostic {
    // A clash is about two rules alike: both are related places, so that an
    // editor lists both under the one underline. Otherwise the first place
    // is the underline and the others are related.
    let clash = f.code == "guidelang::lint::clash";
    let related = f
        .places
        .iter()
        .skip(if clash { 0 } else { 1 })
        .map(|p| Related {
            span: p.span,
            message: p.text.clone(),
        })
        .collect();
    EditorDiagnostic {
        span: f.places.first().map(|p| p.span).unwrap_or_default(),
        severity: f.severity,
        code: f.code.to_string(),
        message: with_witness(f),
        help: f.help.clone(),
        related,
        fixes: actions::fixes_for_finding(analysis, f),
    }
}

/// The finding's message followed by its witness as `lint` prints it: what
/// it shows, the facts that matter, and the case as compact JSON (ready to
/// save and replay with `guidelang eval --case`).
fn with_witness(f: &Finding) -> String {
    let mut message = f.message.clone();
    let (Some(w), Some(shows)) = (&f.witness, &f.shows) else {
        return message;
    };
    message.push_str(&format!("\nwitness: on this case {shows}"));
    let key: Vec<String> = f
        .facts
        .iter()
        .filter_map(|name| w.get(name).map(|v| format!("{name} = {v}")))
        .collect();
    if !key.is_empty() {
        message.push_str(&format!("\nfor a patient with {}", key.join(", ")));
    }
    message.push_str(&format!("\n{w}"));
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLASH: &str = "guideline t
  title \"T\"
  version 1.0.0
  status draft

fact wbc: number in 10^9/L from 0 \"White count\"
action hydroxyurea \"Hydroxyurea\"

rule r1: recommend hydroxyurea when wbc > 100 cite 1
rule r2: avoid hydroxyurea when wbc > 50 cite 1
reference 1 \"x\"
";

    fn span_of(text: &str, word: &str) -> Span {
        let start = text.find(word).unwrap_or(usize::MAX);
        Span::new(start, start + word.len())
    }

    #[test]
    fn the_bundled_guideline_has_no_diagnostics_and_no_lint_findings() {
        let a = Analysis::new(crate::BUNDLED_NAME, crate::BUNDLED_TEXT);
        assert_eq!(diagnostics(&a), []);
        assert_eq!(lint_diagnostics(&a, editor_lint_options()), []);
    }

    #[test]
    fn a_misspelt_fact_is_underlined_at_the_word_with_the_did_you_mean() {
        let text = crate::BUNDLED_TEXT.replacen("when coagulopathy", "when coagulopathyy", 1);
        let a = Analysis::new("t.gl", &text);
        let ds = diagnostics(&a);
        let unknown: Vec<_> = ds
            .iter()
            .filter(|d| d.code == "guidelang::check::unknown_name")
            .collect();
        assert_eq!(unknown.len(), 1, "{ds:#?}");
        let d = unknown[0];
        assert_eq!(d.span, span_of(&text, "coagulopathyy"));
        assert_eq!(&text[d.span.start..d.span.end], "coagulopathyy");
        assert_eq!(d.severity, Severity::Error);
        assert!(d.message.contains("coagulopathyy"), "{}", d.message);
        let help = d.help.as_deref().unwrap_or("");
        assert!(help.contains("`coagulopathy`"), "{help}");
        // The same words as the CLI: the problem's own message and help.
        let p = &a.problems()[0];
        assert_eq!(
            (d.message.as_str(), d.help.as_ref()),
            (p.message.as_str(), p.help.as_ref())
        );
    }

    #[test]
    fn a_file_that_does_not_parse_still_gets_a_diagnostic() {
        let text = "guideline t\n  title \"T\n";
        let a = Analysis::new("t.gl", text);
        let ds = diagnostics(&a);
        assert!(!ds.is_empty());
        assert!(ds.iter().all(|d| d.severity == Severity::Error));
        assert!(ds.iter().all(|d| d.span.end <= text.len()));
        assert_eq!(lint_diagnostics(&a, editor_lint_options()), []);
    }

    #[test]
    fn a_clash_has_both_rules_as_related_places_and_its_witness_in_the_message() {
        let a = Analysis::new("t.gl", CLASH);
        assert!(a.guideline().is_some(), "{:#?}", a.problems());
        let lint = lint_diagnostics(&a, editor_lint_options());
        let clashes: Vec<_> = lint.iter().filter(|d| d.code == "guidelang::lint::clash").collect();
        assert_eq!(clashes.len(), 1, "{lint:#?}");
        let c = clashes[0];
        assert_eq!(c.severity, Severity::Error);
        assert_eq!(c.span, span_of(CLASH, "wbc > 100"));
        let related: Vec<(Span, &str)> = c.related.iter().map(|r| (r.span, r.message.as_str())).collect();
        assert_eq!(
            related,
            [
                (span_of(CLASH, "wbc > 100"), "`r1` says recommend"),
                (span_of(CLASH, "wbc > 50"), "`r2` says avoid"),
            ]
        );
        // The witness must make both fire: a white count above 100.
        let json = c.message.lines().last().unwrap_or("");
        let witness: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
        assert!(witness["wbc"].as_f64().is_some_and(|w| w > 100.0), "{}", c.message);
        assert!(c.message.contains("witness: on this case `hydroxyurea` is a conflict"));
        assert!(c.help.as_deref().unwrap_or("").contains("overrides r2"));
    }

    #[test]
    fn lint_does_not_repeat_the_checkers_warnings() {
        // An unused fact is a checker warning; lint copies it into its report.
        let text = CLASH.replace("action hydroxyurea", "fact unused: bool \"Unused\"\naction hydroxyurea");
        let a = Analysis::new("t.gl", &text);
        let checked = diagnostics(&a);
        assert!(checked.iter().any(|d| d.severity == Severity::Warning), "{checked:#?}");
        let lint = lint_diagnostics(&a, editor_lint_options());
        for d in &checked {
            assert!(
                !lint.iter().any(|l| l.code == d.code && l.span == d.span),
                "{d:#?} repeated"
            );
        }
        assert!(lint.iter().any(|d| d.code == "guidelang::lint::clash"));
    }

    #[test]
    fn a_spent_budget_is_said_not_silent() {
        let a = Analysis::new("t.gl", CLASH);
        let options = LintOptions {
            budget: Budget::new(0),
            ..LintOptions::default()
        };
        let lint = lint_diagnostics(&a, options);
        assert!(
            lint.iter().any(|d| d.code == "guidelang::lint::budget_spent"),
            "{lint:#?}"
        );
    }
}
