//! The JSON output contract of `eval --format json` (see the spec's "Output
//! contract"): guideline identity, applicability, decisions, undecided, notes,
//! plus conflicts and invariant violations.

use serde_json::{json, Value};

use super::{fmt_num, fmt_range};
use crate::diagnostics::Problem;
use crate::eval::{Applicability, Decision, Evaluation, Outcome, Truth};
use crate::model::{FactId, Guideline, RuleId};

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn names(g: &Guideline, facts: &[FactId]) -> Vec<String> {
    facts.iter().map(|f| g.fact(*f).name.clone()).collect()
}

fn rule_ids(g: &Guideline, rules: &[RuleId]) -> Vec<String> {
    rules.iter().map(|r| g.rule(*r).id.clone()).collect()
}

/// The guideline's identity, as every output names it.
pub fn guideline_json(g: &Guideline) -> Value {
    json!({
        "id": g.meta.id,
        "version": g.meta.version.to_string(),
        "title": g.meta.title,
        "status": g.meta.status,
        "hash": g.hash,
    })
}

/// The whole report of one case.
pub fn evaluation_json(g: &Guideline, e: &Evaluation) -> Value {
    let applicable = match &e.applicability {
        Applicability::Applies => json!(true),
        Applicability::NotApplicable => json!(false),
        Applicability::Unknown(_) => Value::Null,
    };
    let scope_message = match &e.applicability {
        Applicability::Applies => Value::Null,
        Applicability::NotApplicable => {
            json!("out of scope: the guideline does not apply to this patient; no recommendations are made")
        }
        Applicability::Unknown(needs) => json!(format!(
            "scope undecided: give {} to know whether the guideline applies",
            names(g, needs).join(", ")
        )),
    };
    let mut decisions = Vec::new();
    let mut undecided = Vec::new();
    let mut conflicts = Vec::new();
    for a in &e.actions {
        let action = &g.action(a.action).name;
        match &a.outcome {
            Outcome::Silent => {}
            Outcome::Decided(d) => decisions.push(decision_json(g, action, d)),
            Outcome::Undecided { needs, possible } => undecided.push(json!({
                "action": action,
                "needs": names(g, needs),
                "possible": possible.iter().map(|v| v.map_or_else(|| "none".to_string(), |v| v.to_string())).collect::<Vec<_>>(),
            })),
            Outcome::Conflict(rules) => conflicts.push(json!({
                "action": action,
                "rules": rules.iter().map(|r| json!({"rule": g.rule(*r).id, "verdict": g.rule(*r).verdict})).collect::<Vec<_>>(),
                "message": "the rules disagree and no precedence settles them; no verdict is given",
            })),
            Outcome::Withheld { invariant, verdict } => undecided.push(json!({
                "action": action,
                "needs": [],
                "possible": [verdict.to_string()],
                "withheld_by_invariant": g.invariants[*invariant].id,
            })),
        }
    }
    let notes: Vec<&str> = e.notes.iter().map(|n| g.notes[*n].text.as_str()).collect();
    let note_details: Vec<Value> = e
        .notes
        .iter()
        .map(|n| json!({"note": g.notes[*n].id, "text": g.notes[*n].text, "citations": g.notes[*n].cites}))
        .collect();
    let violations: Vec<Value> = e
        .violations
        .iter()
        .map(|v| {
            json!({
                "invariant": g.invariants[v.invariant].id,
                "action": g.action(v.action).name,
                "verdict": v.verdict.map(|v| v.to_string()),
                "certain": v.certain,
            })
        })
        .collect();
    json!({
        "guideline": guideline_json(g),
        "applicable": applicable,
        "scope": scope_message,
        "decisions": decisions,
        "undecided": undecided,
        "conflicts": conflicts,
        "violations": violations,
        "notes": notes,
        "note_details": note_details,
    })
}

fn decision_json(g: &Guideline, action: &str, d: &Decision) -> Value {
    let mut citations: Vec<u32> = d.rules.iter().flat_map(|r| g.rule(*r).cites.iter().copied()).collect();
    citations.sort_unstable();
    citations.dedup();
    let mut detail: Vec<String> = Vec::new();
    let mut doses = Vec::new();
    for dose in &d.doses {
        let spec = g.rule(dose.rule).dose.as_ref();
        let Some(spec) = spec else { continue };
        let per = fmt_range(spec.low, spec.high, &spec.unit.to_string());
        match (dose.amount, dose.by) {
            (Some((lo, hi)), Some(by)) => {
                let text = format!(
                    "{} ({per} × {} {})",
                    fmt_range(lo, hi, &spec.result_unit.to_string()),
                    fmt_num(by),
                    spec.by_unit
                );
                detail.push(text.clone());
                doses.push(json!({
                    "rule": g.rule(dose.rule).id,
                    "low": round4(lo), "high": round4(hi), "unit": spec.result_unit.to_string(),
                    "per": {"low": spec.low, "high": spec.high, "unit": spec.unit.to_string()},
                    "by": round4(by), "by_unit": spec.by_unit.to_string(),
                    "text": text,
                }));
            }
            _ => {
                let text = format!(
                    "{per}; the dose cannot be computed without {}",
                    names(g, &dose.needs).join(", ")
                );
                detail.push(text.clone());
                doses.push(json!({
                    "rule": g.rule(dose.rule).id,
                    "low": Value::Null, "high": Value::Null, "unit": spec.result_unit.to_string(),
                    "per": {"low": spec.low, "high": spec.high, "unit": spec.unit.to_string()},
                    "needs": names(g, &dose.needs),
                    "text": text,
                }));
            }
        }
    }
    detail.extend(d.rules.iter().filter_map(|r| g.rule(*r).detail.clone()));
    let warnings: Vec<Value> = d
        .warnings
        .iter()
        .map(|w| {
            json!({
                "rule": g.rule(w.rule).id,
                "text": g.rule(w.rule).warnings[w.index].text,
                "certain": w.truth == Truth::True,
                "needs": names(g, &w.needs),
            })
        })
        .collect();
    let rationale: Vec<&str> = d.rules.iter().filter_map(|r| g.rule(*r).because.as_deref()).collect();
    json!({
        "action": action,
        "verdict": d.verdict,
        "rule": g.rule(d.rules[0]).id,
        "rules": rule_ids(g, &d.rules),
        "citations": citations,
        "detail": detail.join("; "),
        "dose": doses.into_iter().next(),
        "warnings": warnings,
        "rationale": rationale.join(" "),
        "overridden": d.overridden.iter().map(|(r, _)| g.rule(*r).id.clone()).collect::<Vec<_>>(),
        "overridden_by": d.overridden.iter().map(|(r, by)| json!({"rule": g.rule(*r).id, "by": g.rule(*by).id})).collect::<Vec<_>>(),
    })
}

/// Diagnostics as JSON (for `check --format json`).
pub fn problems_json(problems: &[Problem]) -> Value {
    Value::Array(
        problems
            .iter()
            .map(|p| {
                let at = p.primary_span().zip(p.source.as_ref()).map(|(s, src)| {
                    let (line, column) = src.line_col(s.start);
                    json!({"file": src.name(), "line": line, "column": column, "start": s.start, "end": s.end})
                });
                json!({"code": p.code, "severity": p.severity, "message": p.message, "help": p.help, "at": at})
            })
            .collect(),
    )
}
