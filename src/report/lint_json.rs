//! Lint findings as JSON (`lint --format json`): one object per file with the
//! guideline's identity, counts, findings (with places as line/column and the
//! witness case), the findings left out by the cap, and the invariants proved.

use serde_json::{json, Value};

use super::sarif::{region, Lines};
use crate::analysis::{Finding, LintReport};
use crate::diagnostics::Source;
use crate::model::Guideline;

fn finding_json(lines: &Lines, f: &Finding) -> Value {
    let places: Vec<Value> = f
        .places
        .iter()
        .map(|p| {
            let mut r = region(lines, p.span);
            r["text"] = json!(p.text);
            r["start"] = json!(p.span.start);
            r["end"] = json!(p.span.end);
            r
        })
        .collect();
    json!({
        "code": f.code,
        "severity": f.severity,
        "message": f.message,
        "action": f.action,
        "rules": f.rules,
        "invariant": f.invariant,
        "places": places,
        "help": f.help,
        "witness": f.witness,
        "shows": f.shows,
        "facts": f.facts,
    })
}

/// The findings the cap left out, per code: `[{"code", "severity", "count"}]`,
/// empty when every finding is listed. `errors` and `warnings` count them too.
pub(super) fn omitted_json(report: &LintReport) -> Value {
    report
        .omitted
        .iter()
        .map(|o| json!({"code": o.code, "severity": o.severity, "count": o.count}))
        .collect()
}

/// The JSON report of linting one file; `guideline` is `None` when the file
/// did not check (its errors are then the findings).
pub fn lint_json(source: &Source, guideline: Option<&Guideline>, report: &LintReport) -> Value {
    let lines = Lines::new(source);
    json!({
        "file": source.name(),
        "guideline": guideline.map(super::json::guideline_json),
        "errors": report.errors(),
        "warnings": report.warnings(),
        "findings": report.findings.iter().map(|f| finding_json(&lines, f)).collect::<Vec<_>>(),
        "omitted": omitted_json(report),
        "proved": report.proved.iter().map(|p| p.invariant.clone()).collect::<Vec<_>>(),
        "queries": report.queries,
    })
}
