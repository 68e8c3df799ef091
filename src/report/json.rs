//! The JSON output contract of `eval --format json` (see the spec's "Output
//! contract"): guideline identity, applicability, decisions, undecided, notes,
//! plus conflicts and invariant violations. Every entry about an action names
//! it three ways: `action` (the id programs key on), `label` (what a person
//! reads) and `urgent`.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::{json, Value};

use crate::diagnostics::Problem;
use crate::eval::{Applicability, Decision, Evaluation, Outcome, Truth};
use crate::model::Verdict;
use crate::model::{Action, FactId, Guideline};

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

/// The whole report of one case, as a JSON value (for callers that add to it).
pub fn evaluation_json(g: &Guideline, e: &Evaluation) -> Value {
    // Serialising these structs cannot fail: every key is a string.
    serde_json::to_value(Report::new(g, e)).unwrap_or(Value::Null)
}

/// [`evaluation_json`] with the `"record"` object of a patient record read
/// (see [`super::record_json`]); without one, the same bytes.
pub fn evaluation_json_with_record(g: &Guideline, e: &Evaluation, record: Option<&crate::fhir::Record>) -> Value {
    let mut report = Report::new(g, e);
    report.record = record.map(|r| super::record::record_json(g, r));
    serde_json::to_value(report).unwrap_or(Value::Null)
}

/// [`write_evaluation_json`] with the `"record"` object. The tree-based
/// writer that [`super::write_contract`] replaced, kept as the oracle its
/// byte-for-byte tests compare against.
#[doc(hidden)]
pub fn write_evaluation_json_with_record<W: std::io::Write>(
    out: W,
    g: &Guideline,
    e: &Evaluation,
    record: Option<&crate::fhir::Record>,
) -> serde_json::Result<()> {
    let mut report = Report::new(g, e);
    report.record = record.map(|r| super::record::record_json(g, r));
    serde_json::to_writer(out, &report)
}

/// Writes the whole report of one case as compact JSON through serde, the
/// same object as [`evaluation_json`]. Superseded by
/// [`super::write_contract`]; kept as the oracle its tests compare against.
#[doc(hidden)]
pub fn write_evaluation_json<W: std::io::Write>(out: W, g: &Guideline, e: &Evaluation) -> serde_json::Result<()> {
    serde_json::to_writer(out, &Report::new(g, e))
}

// The contract's objects, borrowed from the guideline. Fields are declared in
// alphabetical order, the order in which a `serde_json::Value` object writes
// its keys, so that both paths give the same bytes.

#[derive(Serialize)]
struct Report<'g> {
    applicable: Option<bool>,
    /// The evaluation date, `YYYY-MM-DD`; null when the case gave none.
    as_of: Option<String>,
    // Only in a guideline with categories: every other report keeps its bytes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    categories: Vec<super::derived::CategoryJson<'g>>,
    conflicts: Vec<ConflictJson<'g>>,
    decisions: Vec<DecisionJson<'g>>,
    guideline: GuidelineJson<'g>,
    note_details: Vec<NoteJson<'g>>,
    notes: Vec<&'g str>,
    // Only when a patient record was read (`eval --fhir`): every other
    // report keeps its bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<Value>,
    scope: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    scores: Vec<super::derived::ScoreJson<'g>>,
    undecided: Vec<UndecidedJson<'g>>,
    violations: Vec<ViolationJson<'g>>,
}

#[derive(Serialize)]
struct GuidelineJson<'g> {
    hash: &'g str,
    id: &'g str,
    status: &'g crate::model::Status,
    title: &'g str,
    version: String,
}

#[derive(Serialize)]
struct ConflictJson<'g> {
    action: &'g str,
    label: &'g str,
    message: &'static str,
    rules: Vec<RuleVerdictJson<'g>>,
    urgent: bool,
}

#[derive(Serialize)]
struct RuleVerdictJson<'g> {
    rule: &'g str,
    verdict: Verdict,
}

#[derive(Serialize)]
struct UndecidedJson<'g> {
    action: &'g str,
    label: &'g str,
    needs: Vec<&'g str>,
    possible: Vec<String>,
    urgent: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    withheld_by_invariant: Option<&'g str>,
}

#[derive(Serialize)]
struct NoteJson<'g> {
    citations: &'g [u32],
    note: &'g str,
    text: &'g str,
}

#[derive(Serialize)]
struct ViolationJson<'g> {
    action: &'g str,
    certain: bool,
    invariant: &'g str,
    label: &'g str,
    verdict: Option<String>,
}

#[derive(Serialize)]
struct DecisionJson<'g> {
    action: &'g str,
    citations: Vec<u32>,
    /// The deciding rules' own `detail` text; the dose has its own fields.
    detail: String,
    dose: Option<super::dose::DoseJson<'g>>,
    label: &'g str,
    overridden: Vec<&'g str>,
    overridden_by: Vec<OverriddenJson<'g>>,
    rationale: String,
    rule: &'g str,
    rules: Vec<&'g str>,
    urgent: bool,
    verdict: Verdict,
    warnings: Vec<WarningJson<'g>>,
}

#[derive(Serialize)]
struct OverriddenJson<'g> {
    by: &'g str,
    rule: &'g str,
}

#[derive(Serialize)]
struct WarningJson<'g> {
    certain: bool,
    needs: Vec<&'g str>,
    rule: &'g str,
    text: &'g str,
}

fn name_refs<'g>(g: &'g Guideline, facts: &[FactId]) -> Vec<&'g str> {
    facts.iter().map(|f| g.fact(*f).name.as_str()).collect()
}

impl<'g> Report<'g> {
    fn new(g: &'g Guideline, e: &Evaluation) -> Report<'g> {
        let applicable = match &e.applicability {
            Applicability::Applies => Some(true),
            Applicability::NotApplicable => Some(false),
            Applicability::Unknown(_) => None,
        };
        let scope = match &e.applicability {
            Applicability::Applies => None,
            // In words an editor wrote: what the guideline is for, and which
            // scope facts to record, by their descriptions.
            Applicability::NotApplicable => Some(Cow::Owned(format!(
                "out of scope: this guideline applies to {}; no recommendations are made",
                super::english::plain(&super::english::scope_phrase(g))
            ))),
            Applicability::Unknown(needs) => Some(Cow::Owned(format!(
                "scope undecided: {} to know whether this guideline applies",
                super::words::record_phrase(g, needs)
            ))),
        };
        let mut decisions = Vec::new();
        let mut undecided = Vec::new();
        let mut conflicts = Vec::new();
        for a in &e.actions {
            let declared = g.action(a.action);
            let (action, label, urgent) = (declared.name.as_str(), declared.label.as_str(), declared.urgent);
            match &a.outcome {
                Outcome::Silent => {}
                Outcome::Decided(d) => decisions.push(decision(g, declared, d)),
                Outcome::Undecided { needs, possible } => undecided.push(UndecidedJson {
                    action,
                    label,
                    urgent,
                    needs: name_refs(g, needs),
                    possible: possible
                        .iter()
                        .map(|v| v.map_or_else(|| "none".to_string(), |v| v.to_string()))
                        .collect(),
                    withheld_by_invariant: None,
                }),
                Outcome::Conflict(rules) => conflicts.push(ConflictJson {
                    action,
                    label,
                    urgent,
                    message: "the rules disagree and no precedence settles them; no verdict is given",
                    rules: rules
                        .iter()
                        .map(|r| RuleVerdictJson {
                            rule: &g.rule(*r).id,
                            verdict: g.rule(*r).verdict,
                        })
                        .collect(),
                }),
                Outcome::Withheld { invariant, verdict } => undecided.push(UndecidedJson {
                    action,
                    label,
                    urgent,
                    needs: Vec::new(),
                    possible: vec![verdict.to_string()],
                    withheld_by_invariant: Some(&g.invariants[*invariant].id),
                }),
            }
        }
        Report {
            applicable,
            as_of: e.as_of.map(crate::time::format_day),
            categories: super::derived::categories_json(g, e),
            conflicts,
            decisions,
            guideline: GuidelineJson {
                hash: &g.hash,
                id: &g.meta.id,
                status: &g.meta.status,
                title: &g.meta.title,
                version: g.meta.version.to_string(),
            },
            note_details: e
                .notes
                .iter()
                .map(|n| NoteJson {
                    citations: &g.notes[*n].cites,
                    note: &g.notes[*n].id,
                    text: &g.notes[*n].text,
                })
                .collect(),
            notes: e.notes.iter().map(|n| g.notes[*n].text.as_str()).collect(),
            record: None,
            scope,
            scores: super::derived::scores_json(g, e),
            undecided,
            violations: e
                .violations
                .iter()
                .map(|v| ViolationJson {
                    action: &g.action(v.action).name,
                    certain: v.certain,
                    invariant: &g.invariants[v.invariant].id,
                    label: &g.action(v.action).label,
                    verdict: v.verdict.map(|v| v.to_string()),
                })
                .collect(),
        }
    }
}

fn decision<'g>(g: &'g Guideline, action: &'g Action, d: &Decision) -> DecisionJson<'g> {
    let mut citations: Vec<u32> = d.rules.iter().flat_map(|r| g.rule(*r).cites.iter().copied()).collect();
    citations.sort_unstable();
    citations.dedup();
    let first_dose = d.doses.iter().find_map(|dose| super::dose::json(g, dose));
    // The dose is not repeated here: a program reads it from `dose`, and a
    // reader of `detail` would otherwise see it twice.
    let detail: Vec<&str> = d.rules.iter().filter_map(|r| g.rule(*r).detail.as_deref()).collect();
    let rationale: Vec<&str> = d.rules.iter().filter_map(|r| g.rule(*r).because.as_deref()).collect();
    DecisionJson {
        action: &action.name,
        citations,
        detail: detail.join("; "),
        dose: first_dose,
        label: &action.label,
        overridden: d.overridden.iter().map(|(r, _)| g.rule(*r).id.as_str()).collect(),
        overridden_by: d
            .overridden
            .iter()
            .map(|(r, by)| OverriddenJson {
                by: &g.rule(*by).id,
                rule: &g.rule(*r).id,
            })
            .collect(),
        rationale: rationale.join(" "),
        rule: &g.rule(d.rules[0]).id,
        rules: d.rules.iter().map(|r| g.rule(*r).id.as_str()).collect(),
        urgent: action.urgent,
        verdict: d.verdict,
        warnings: d
            .warnings
            .iter()
            .map(|w| WarningJson {
                certain: w.truth == Truth::True,
                needs: name_refs(g, &w.needs),
                rule: &g.rule(w.rule).id,
                text: &g.rule(w.rule).warnings[w.index].text,
            })
            .collect(),
    }
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
