//! The library's values as the page's JSON: spans turned into UTF-16
//! offsets (what CodeMirror counts), fact declarations as form fields, and an
//! evaluation's decisions grouped the way the clinician's report groups them.

use serde_json::{json, Value};

use guidelang::diagnostics::{Problem, Span};
use guidelang::eval::{Evaluation, Outcome};
use guidelang::ide::diagnostics::EditorDiagnostic;
use guidelang::ide::{Fix, LineIndex};
use guidelang::model::{FactKind, Guideline, Verdict};

/// Converts byte spans of one text into UTF-16 offsets.
pub struct Utf16<'a>(pub &'a LineIndex);

impl Utf16<'_> {
    /// Where a span starts, in UTF-16 units.
    pub fn from(&self, span: Span) -> usize {
        self.0.utf16_offset(span.start)
    }

    /// Where a span ends, in UTF-16 units.
    pub fn to(&self, span: Span) -> usize {
        self.0.utf16_offset(span.end)
    }
}

/// A quick fix with its edits in UTF-16 offsets: `{title, edits: [{from, to, insert}]}`.
pub fn fix_json(at: &Utf16, fix: &Fix) -> Value {
    let edits: Vec<Value> = fix
        .edits
        .iter()
        .map(|e| json!({"from": at.from(e.span), "to": at.to(e.span), "insert": e.new_text}))
        .collect();
    json!({"title": fix.title, "edits": edits, "answers": fix.answers})
}

/// An editor diagnostic: `{from, to, severity, code, message, help, related, fixes}`.
pub fn diagnostic_json(at: &Utf16, d: &EditorDiagnostic) -> Value {
    let related: Vec<Value> = d
        .related
        .iter()
        .map(|r| json!({"from": at.from(r.span), "to": at.to(r.span), "message": r.message}))
        .collect();
    json!({
        "from": at.from(d.span),
        "to": at.to(d.span),
        "severity": d.severity,
        "code": d.code,
        "message": d.message,
        "help": d.help,
        "related": related,
        "fixes": d.fixes.iter().map(|f| fix_json(at, f)).collect::<Vec<_>>(),
    })
}

/// A checker problem in the same shape, without fixes (only the editor
/// services compute those). A problem with no place underlines the start.
pub fn problem_diagnostic(at: &Utf16, p: &Problem) -> Value {
    let span = p.primary_span().unwrap_or(Span::new(0, 0));
    json!({
        "from": at.from(span),
        "to": at.to(span),
        "severity": p.severity,
        "code": p.code,
        "message": p.message,
        "help": p.help,
        "related": [],
        "fixes": [],
    })
}

/// The fact declarations as form fields: `{facts: [{name, type, unit, min,
/// max, values, description}]}`, in file order.
pub fn case_form(g: &Guideline) -> Value {
    let facts: Vec<Value> = g
        .facts
        .iter()
        .map(|f| {
            let (kind, unit, min, max, values) = match &f.kind {
                FactKind::Bool => ("bool", None, None, None, None),
                FactKind::Integer { min, max } => ("integer", None, *min, *max, None),
                FactKind::Number { unit, min, max } => ("number", Some(unit.to_string()), *min, *max, None),
                FactKind::Enum { values } => ("enum", None, None, None, Some(values.clone())),
                FactKind::Date => ("date", None, None, None, None),
            };
            json!({
                "name": f.name,
                "type": kind,
                "unit": unit,
                "min": min,
                "max": max,
                "values": values,
                "description": f.description,
                "expected": f.kind.expected(),
            })
        })
        .collect();
    json!({"facts": facts})
}

/// The decisions grouped as the clinician's report groups them: `act_now`
/// (urgent actions recommended or considered), `do_not` (contraindicated or
/// to avoid), `also` (the other recommendations), `to_decide` (undecided,
/// with the facts that would settle each) and `unsafe` (conflicts and
/// withheld decisions, which the guideline must correct).
pub fn sections(g: &Guideline, e: &Evaluation) -> Value {
    let (mut act_now, mut do_not, mut also, mut to_decide, mut unsafe_) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for a in &e.actions {
        let action = g.action(a.action);
        let item = |verdict: Option<Verdict>| json!({"action": action.name, "label": action.label, "verdict": verdict.map(Verdict::as_str)});
        match &a.outcome {
            Outcome::Silent => {}
            Outcome::Decided(d) => match d.verdict {
                Verdict::Contraindicated | Verdict::Avoid => do_not.push(item(Some(d.verdict))),
                _ if action.urgent => act_now.push(item(Some(d.verdict))),
                _ => also.push(item(Some(d.verdict))),
            },
            Outcome::Undecided { needs, .. } => {
                let mut it = item(None);
                it["needs"] = json!(needs.iter().map(|f| g.fact(*f).name.clone()).collect::<Vec<_>>());
                to_decide.push(it);
            }
            Outcome::Conflict(_) => unsafe_.push(item(None)),
            Outcome::Withheld { verdict, .. } => unsafe_.push(item(Some(*verdict))),
        }
    }
    json!({"act_now": act_now, "do_not": do_not, "also": also, "to_decide": to_decide, "unsafe": unsafe_})
}
