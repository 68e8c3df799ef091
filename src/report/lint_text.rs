//! `guidelang lint` as text, for a person at a terminal: each finding as a
//! diagnostic with its snippet, followed by its witness case and how to
//! replay it, then how many findings of each kind the cap left out, the
//! invariants proved and the counts.

use crate::analysis::{Finding, LintReport, Omitted};
use crate::diagnostics::Source;

/// Renders lint findings as text; `checked` is false when the file did not
/// check (its errors are then the findings); `color` picks miette's theme.
pub fn lint_text(source: &Source, report: &LintReport, checked: bool, color: bool) -> String {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let mut out = String::new();
    for f in &report.findings {
        out.push_str(&f.to_problem(source).render(theme.clone()));
        witness(&mut out, source, f);
    }
    for o in &report.omitted {
        out.push_str(&more(o));
        out.push('\n');
    }
    if !report.proved.is_empty() {
        let ids: Vec<&str> = report.proved.iter().map(|p| p.invariant.as_str()).collect();
        out.push_str(&format!("proved for every patient: {}\n", ids.join(", ")));
    }
    let (e, w) = (report.errors(), report.warnings());
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if !checked {
        out.push_str(&format!(
            "{}: the guideline does not check; nothing was analysed\n",
            source.name()
        ));
    }
    out.push_str(&format!(
        "{}: {e} error{}, {w} warning{}\n",
        source.name(),
        plural(e),
        plural(w)
    ));
    out
}

/// What the cap left out of one kind, and how to see it.
pub(super) fn more(o: &Omitted) -> String {
    // A kind as a reader names it: the last part of its code.
    let kind = o.code.rsplit("::").next().unwrap_or(o.code);
    let s = if o.count == 1 { "" } else { "s" };
    format!("and {} more {kind} finding{s}; --all-findings lists them", o.count)
}

/// The witness of a finding: what it shows, the facts that matter (and those
/// left unknown), the whole case, and the command that replays it.
fn witness(out: &mut String, source: &Source, f: &Finding) {
    let (Some(w), Some(shows)) = (&f.witness, &f.shows) else {
        return;
    };
    out.push_str(&format!("  witness: on this case {shows}\n"));
    let key: Vec<String> = f
        .facts
        .iter()
        .filter_map(|name| w.get(name).map(|v| format!("{name} = {v}")))
        .collect();
    let missing: Vec<&str> = f
        .facts
        .iter()
        .filter(|name| w.get(name.as_str()).is_none())
        .map(String::as_str)
        .collect();
    if !key.is_empty() {
        let unknown = if missing.is_empty() {
            String::new()
        } else {
            format!(", and {} not known", missing.join(", "))
        };
        out.push_str(&format!("  for a patient with {}{unknown}\n", key.join(", ")));
    }
    out.push_str(&format!("  {w}\n"));
    out.push_str(&format!(
        "  (save it as witness.json and run `guidelang eval {} --case witness.json`)\n\n",
        source.name()
    ));
}
