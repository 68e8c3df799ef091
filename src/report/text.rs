//! The clinician's text report, arranged for triage: the guideline, anything
//! that makes the report unsafe, the patient, what to do now, what not to do,
//! the rest, what is still to decide; then notes, and with `explain`, every
//! rule's part in each action with the values behind it.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::why::{Reason, Why};
use super::words::{fact_noun, join_and, record_phrase, verdict_done};
use super::{patient, triage};
use crate::eval::{Applicability, Evaluation, Outcome, Truth};
use crate::facts::{Case, Value};
use crate::model::Verdict;
use crate::model::{FactKind, Guideline, RuleId};

/// How to render the text report.
#[derive(Clone, Copy, Debug, Default)]
pub struct TextOptions {
    /// ANSI colour.
    pub color: bool,
    /// Show every rule's part in each action.
    pub explain: bool,
}

/// Styles text when colour is on (stdout is a terminal), else leaves it plain.
pub(super) struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }

    pub(super) fn bold(&self, text: &str) -> String {
        self.paint(Style::new().bold(), text)
    }

    pub(super) fn verdict(&self, v: Verdict, text: &str) -> String {
        let color = match v {
            Verdict::Recommend => AnsiColor::Green,
            Verdict::Consider => AnsiColor::Cyan,
            Verdict::Avoid => AnsiColor::Yellow,
            Verdict::Contraindicated => AnsiColor::Red,
        };
        self.paint(Style::new().bold().fg_color(Some(color.into())), text)
    }

    pub(super) fn dim(&self, text: &str) -> String {
        self.paint(Style::new().dimmed(), text)
    }
}

/// Renders the report for one case: header, anything that makes it unsafe,
/// scope, the patient summary, then the decisions arranged for triage
/// (`triage`), notes, the explanation when asked, and references.
pub fn evaluation_text(g: &Guideline, case: &Case, e: &Evaluation, opts: TextOptions) -> String {
    evaluation_text_with_record(g, case, e, opts, None)
}

/// [`evaluation_text`] for a case read from a patient record: the patient
/// summary says where each fact came from (resource, original value and
/// unit, time, status; the case; or why it is unknown), and a report that
/// stops at its scope lists the record's facts too, since their reasons are
/// what to act on. Without a record, the same text.
pub fn evaluation_text_with_record(
    g: &Guideline,
    case: &Case,
    e: &Evaluation,
    opts: TextOptions,
    record: Option<&crate::fhir::Record>,
) -> String {
    let p = Painter { color: opts.color };
    let why = Why::new(g, case);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        p.bold(&format!(
            "{} — version {} ({})",
            g.meta.title, g.meta.version, g.meta.status
        ))
    );
    let as_of = e.as_of.map_or_else(
        || "no evaluation date given".to_string(),
        |d| format!("evaluated as of {}", crate::time::format_day(d)),
    );
    let _ = writeln!(
        out,
        "{}",
        p.dim(&format!("guideline {}, {}; {as_of}", g.meta.id, g.hash))
    );
    alarms(&mut out, g, e, &p);
    match &e.applicability {
        Applicability::NotApplicable => {
            let _ = writeln!(
                out,
                "\n{} — this guideline does not apply: {}. No recommendations are made.",
                p.bold("OUT OF SCOPE"),
                out_of_scope(&why)
            );
            if let Some(r) = record {
                super::record::section(&mut out, g, r, &p);
            }
            return out;
        }
        Applicability::Unknown(needs) => {
            let _ = writeln!(
                out,
                "\n{} — {} to know whether this guideline applies. No recommendations are made.",
                p.bold("SCOPE UNDECIDED"),
                record_phrase(g, needs)
            );
            if let Some(r) = record {
                super::record::section(&mut out, g, r, &p);
            }
            return out;
        }
        Applicability::Applies => {}
    }
    patient::summary(&mut out, &why, &p, record);
    super::derived::section(&mut out, g, e, &p);
    triage::sections(&mut out, g, e, &p);
    if !e.notes.is_empty() {
        let _ = writeln!(out, "\n{}", p.bold("NOTES (information, not decisions)"));
        for &n in &e.notes {
            let note = &g.notes[n];
            let c = cites(&note.cites);
            if c.is_empty() {
                let _ = writeln!(out, "  - {}", note.text);
            } else {
                let _ = writeln!(out, "  - {} {}", note.text, p.dim(&c));
            }
        }
    }
    if opts.explain {
        explain(&mut out, &why, e, &p);
    }
    references(&mut out, g, e, &p);
    out
}

/// Conflicts and invariant violations, right under the header: the report is
/// unsafe to act on until the guideline is corrected, and must not read as if
/// it were complete.
fn alarms(out: &mut String, g: &Guideline, e: &Evaluation, p: &Painter) {
    let conflicts: Vec<_> = e
        .actions
        .iter()
        .filter_map(|a| match &a.outcome {
            Outcome::Conflict(r) => Some((a.action, r)),
            _ => None,
        })
        .collect();
    if conflicts.is_empty() && e.violations.is_empty() {
        return;
    }
    let loud = |text: &str| p.verdict(Verdict::Contraindicated, text);
    let _ = writeln!(
        out,
        "\n{}",
        loud("!! THIS REPORT IS INCOMPLETE: THE GUIDELINE MUST BE CORRECTED (see below) !!")
    );
    if !conflicts.is_empty() {
        let _ = writeln!(out, "\n{}", loud("CONFLICTS (no verdict given: the rules disagree)"));
        for (a, rules) in conflicts {
            let list: Vec<String> = rules
                .iter()
                .map(|r| format!("rule {} says {}", g.rule(*r).id, g.rule(*r).verdict))
                .collect();
            let _ = writeln!(out, "  {}: {}", p.bold(&g.action(a).label), list.join("; "));
        }
    }
    if !e.violations.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            loud("INVARIANT VIOLATIONS (a safety property of the guideline is broken)")
        );
        for v in &e.violations {
            // A contraindication is shown even when it breaks an invariant
            // (withholding it is not fail-safe): it *is* contraindicated.
            let shown = matches!(
                e.actions.get(v.action.index()).map(|a| &a.outcome),
                Some(Outcome::Decided(d)) if Some(d.verdict) == v.verdict
            );
            let what = match v.verdict {
                None => "left undecided".to_string(),
                Some(x) if shown => format!("is {}", verdict_done(x)),
                Some(x) => format!("would be {}", verdict_done(x)),
            };
            let _ = writeln!(
                out,
                "  {} {what}, against invariant `{}`{}",
                p.bold(&g.action(v.action).label),
                g.invariants[v.invariant].id,
                if v.certain {
                    ""
                } else {
                    " (possibly: facts not recorded)"
                }
            );
        }
    }
}

/// Why the guideline does not apply: the parts of its scope the case makes
/// false, in words ("the patient does not have pre-existing amyotrophic
/// lateral sclerosis (ALS)").
fn out_of_scope(why: &Why) -> String {
    let g = why.guideline();
    let Some(scope) = &g.scope else {
        return "its scope is not met".into();
    };
    let said: Vec<String> = why
        .reasons(scope)
        .iter()
        .map(|r| match r {
            Reason::Given(f) => match (why.case().get(*f), &g.fact(*f).kind) {
                (Some(Value::Bool(false)), FactKind::Bool) => format!("the patient does not have {}", fact_noun(g, *f)),
                (Some(Value::Bool(true)), FactKind::Bool) => format!("the patient has {}", fact_noun(g, *f)),
                _ => why.text(r),
            },
            other => why.text(other),
        })
        .collect();
    if said.is_empty() {
        "its scope is not met".into()
    } else {
        join_and(&said)
    }
}

fn cites(c: &[u32]) -> String {
    if c.is_empty() {
        String::new()
    } else {
        format!("[{}]", c.iter().map(u32::to_string).collect::<Vec<_>>().join(", "))
    }
}

/// Every rule's part in each action, with the values that made its condition
/// true, false or unknown.
fn explain(out: &mut String, why: &Why, e: &Evaluation, p: &Painter) {
    let g = why.guideline();
    let _ = writeln!(out, "\n{}", p.bold("EXPLANATION (every rule, per action)"));
    for a in &e.actions {
        let _ = writeln!(out, "  {}", p.bold(&g.action(a.action).label));
        // Looked up once per rule: an action may have thousands of rules.
        let (carriers, overriders): (HashSet<RuleId>, HashMap<RuleId, RuleId>) = match &a.outcome {
            Outcome::Decided(d) => (
                d.rules.iter().copied().collect(),
                d.overridden.iter().copied().collect(),
            ),
            _ => Default::default(),
        };
        for (r, truth) in &a.trace {
            let rule = g.rule(*r);
            let cond = g
                .source
                .slice(rule.when_span)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let role = match (&a.outcome, truth) {
                (Outcome::Decided(_), Truth::True) if carriers.contains(r) => "fired: carries the decision".to_string(),
                (Outcome::Decided(_), Truth::True) => match overriders.get(r) {
                    Some(by) => format!("fired, overridden by {}", g.rule(*by).id),
                    None => "fired".into(),
                },
                (Outcome::Conflict(_), Truth::True) => "fired: in conflict".into(),
                (Outcome::Withheld { .. }, Truth::True) => "fired: withheld by an invariant".into(),
                (_, Truth::True) => "fired".into(),
                (_, Truth::False) => "did not fire".into(),
                (Outcome::Undecided { .. }, Truth::Unknown) => "unknown".into(),
                (_, Truth::Unknown) => "unknown, but it cannot change the outcome".into(),
            };
            let because = rule.when.as_ref().map(|w| why.reason_texts(w)).unwrap_or_default();
            let because = if because.is_empty() {
                String::new()
            } else {
                format!(" — {}", because.join("; "))
            };
            let _ = writeln!(
                out,
                "    rule {} ({}) when {cond}: {role}{because}",
                rule.id, rule.verdict
            );
        }
    }
}

fn references(out: &mut String, g: &Guideline, e: &Evaluation, p: &Painter) {
    let mut used: Vec<u32> = Vec::new();
    for a in &e.actions {
        if let Outcome::Decided(d) = &a.outcome {
            used.extend(d.rules.iter().flat_map(|r| g.rule(*r).cites.iter().copied()));
        }
    }
    used.extend(e.notes.iter().flat_map(|n| g.notes[*n].cites.iter().copied()));
    used.sort_unstable();
    used.dedup();
    if used.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{}", p.bold("REFERENCES"));
    for r in g.references.iter().filter(|r| used.contains(&r.number)) {
        let mut line = format!("  [{}] {}", r.number, r.title);
        if let Some(s) = &r.source {
            let _ = write!(line, ", {s}");
        }
        if let Some(y) = r.year {
            let _ = write!(line, " ({y})");
        }
        let _ = writeln!(out, "{line}");
    }
}
