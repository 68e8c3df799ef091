//! The library's values as the page's JSON: spans turned into UTF-16
//! offsets (what CodeMirror counts), fact declarations as form fields, and an
//! evaluation's decisions grouped the way the clinician's report groups them.

use serde_json::{json, Value};

use guidelang::diagnostics::{Problem, Span};
use guidelang::eval::{Decision, Evaluation, Outcome};
use guidelang::ide::diagnostics::EditorDiagnostic;
use guidelang::ide::{Fix, LineIndex};
use guidelang::model::{Action, FactKind, Guideline, Verdict};
use guidelang::report::decision_words::{decision_words, to_decide_words};

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

/// A reference as the text report's REFERENCES section writes it:
/// "Leukocytoreduction for acute leukemia, Therapeutic Apheresis (2002)".
fn reference_text(g: &Guideline, number: u32) -> Value {
    let text = g.references.iter().find(|r| r.number == number).map(|r| {
        let mut line = r.title.clone();
        if let Some(s) = &r.source {
            line.push_str(&format!(", {s}"));
        }
        if let Some(y) = r.year {
            line.push_str(&format!(" ({y})"));
        }
        line
    });
    json!({"number": number, "text": text})
}

/// A decided action as the report panel shows it: the verdict as the text
/// report's heading line says it, each dose's amount, the deciding rules, the
/// references they cite (with titles) and the lines under it.
fn decided_item(g: &Guideline, action: &Action, d: &Decision) -> Value {
    let words = decision_words(g, d);
    let lines: Vec<Value> = words
        .lines
        .iter()
        .map(|l| json!({"kind": l.kind.as_str(), "text": l.text}))
        .collect();
    json!({
        "action": action.name,
        "label": action.label,
        "urgent": action.urgent,
        "verdict": d.verdict.as_str(),
        "heading": words.verdict,
        "doses": words.doses,
        "rules": words.rules,
        "citations": words.citations.iter().map(|n| reference_text(g, *n)).collect::<Vec<_>>(),
        "lines": lines,
    })
}

/// The decisions grouped as the clinician's report groups them: `act_now`
/// (urgent actions recommended or considered), `do_not` (contraindicated or
/// to avoid), `also` (the other recommendations), `to_decide` (undecided or
/// withheld, urgent first, each with the facts that would settle it in the
/// report's words and by name) and `unsafe` (conflicts and withheld
/// decisions, which the guideline must correct). Within a decided group the
/// order is the text report's: by verdict, then action order.
pub fn sections(g: &Guideline, e: &Evaluation) -> Value {
    let decided = |keep: &dyn Fn(&Action) -> bool, verdicts: &[Verdict]| -> Vec<Value> {
        let mut picked = Vec::new();
        for v in verdicts {
            for a in &e.actions {
                let action = g.action(a.action);
                if let Outcome::Decided(d) = &a.outcome {
                    if d.verdict == *v && keep(action) {
                        picked.push(decided_item(g, action, d));
                    }
                }
            }
        }
        picked
    };
    let act_now = decided(&|a| a.urgent, &[Verdict::Recommend, Verdict::Consider]);
    let do_not = decided(&|_| true, &[Verdict::Contraindicated, Verdict::Avoid]);
    let also = decided(&|a| !a.urgent, &[Verdict::Recommend, Verdict::Consider]);
    let (mut to_decide, mut unsafe_) = (Vec::new(), Vec::new());
    for a in &e.actions {
        let action = g.action(a.action);
        let item = json!({"action": action.name, "label": action.label, "urgent": action.urgent});
        match &a.outcome {
            Outcome::Undecided { needs, .. } => {
                let mut it = item;
                it["needs"] = json!(needs.iter().map(|f| g.fact(*f).name.clone()).collect::<Vec<_>>());
                it["words"] = json!(to_decide_words(g, &a.outcome));
                to_decide.push(it);
            }
            Outcome::Conflict(rules) => {
                let mut it = item;
                it["rules"] = json!(rules
                    .iter()
                    .map(|r| json!({"rule": g.rule(*r).id, "verdict": g.rule(*r).verdict.as_str()}))
                    .collect::<Vec<_>>());
                unsafe_.push(it);
            }
            Outcome::Withheld { verdict, .. } => {
                let mut it = item;
                it["verdict"] = json!(verdict.as_str());
                it["words"] = json!(to_decide_words(g, &a.outcome));
                unsafe_.push(it);
            }
            Outcome::Silent | Outcome::Decided(_) => {}
        }
    }
    // Urgent first, action order kept within each (a stable sort).
    to_decide.sort_by_key(|i| !i["urgent"].as_bool().unwrap_or(false));
    json!({"act_now": act_now, "do_not": do_not, "also": also, "to_decide": to_decide, "unsafe": unsafe_})
}
