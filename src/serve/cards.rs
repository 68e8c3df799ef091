//! An evaluation as CDS Hooks cards. Each card says only what the rules
//! decided: a contraindication is `critical`, an avoid a `warning`, an urgent
//! recommendation a `warning` that says to act now, any other recommendation
//! or consideration `info`. What is not decided is one `info` card naming the
//! facts to record, never a guess; a conflict between rules is a `warning`
//! saying the guideline gives no advice there. A note of the guideline whose
//! condition holds is an `info` card with its text. Every card names the guideline
//! (id, version, content hash) and links to its rendered document.

use serde_json::{json, Value};

use crate::eval::{Applicability, Evaluation, Outcome};
use crate::fhir::{Provenance, Record};
use crate::model::{FactId, Guideline, Verdict};
use crate::report::decision_words::{decision_words, to_decide_words, LineKind};
use crate::report::fact_label;

/// The specification's limit on a card's summary (140 characters).
pub const SUMMARY_MAX: usize = 139;

/// The cards for one evaluation. `document_url` is where the guideline's
/// rendered document is served; `new_id` gives each card its uuid.
pub fn cards(
    g: &Guideline,
    e: &Evaluation,
    record: &Record,
    document_url: &str,
    new_id: &mut dyn FnMut() -> String,
) -> Vec<Value> {
    let source = json!({
        "label": format!("{} {} ({})", g.meta.id, g.meta.version, g.hash),
        "url": document_url,
    });
    let mut card = |summary: String, indicator: &str, detail: String| {
        json!({
            "uuid": new_id(),
            "summary": summary_of(&summary),
            "indicator": indicator,
            "detail": detail,
            "source": source.clone(),
        })
    };
    let mut out = Vec::new();
    match &e.applicability {
        Applicability::NotApplicable => return out,
        Applicability::Unknown(needs) => {
            let detail = format!(
                "Whether this guideline applies to the patient is not known yet.\n\n{}",
                facts_to_record(g, record, needs)
            );
            out.push(card(
                format!("Not known whether this guideline applies: record {}", names(g, needs)),
                "info",
                detail,
            ));
            return out;
        }
        Applicability::Applies => {}
    }
    // Cards in order of caution, then action order: a contraindication first.
    let mut decided: Vec<(u8, Value)> = Vec::new();
    let mut undecided: Vec<String> = Vec::new();
    let mut needs: Vec<FactId> = Vec::new();
    for a in &e.actions {
        let action = g.action(a.action);
        match &a.outcome {
            Outcome::Silent => {}
            Outcome::Decided(d) => {
                let (rank, indicator, headline) = match d.verdict {
                    Verdict::Contraindicated => (0, "critical", "contraindicated".to_string()),
                    Verdict::Avoid => (1, "warning", "avoid".to_string()),
                    Verdict::Recommend if action.urgent => (1, "warning", "recommended, urgent: act now".to_string()),
                    Verdict::Recommend => (2, "info", "recommended".to_string()),
                    Verdict::Consider => (2, "info", "consider".to_string()),
                };
                let words = decision_words(g, d);
                let mut summary = format!("{}: {headline}", action.label);
                if let Some(dose) = words.doses.first() {
                    summary.push_str(&format!(", {dose}"));
                }
                let detail = decision_detail(g, &words);
                decided.push((rank, card(summary, indicator, detail)));
            }
            Outcome::Conflict(rules) => {
                let ids: Vec<String> = rules.iter().map(|r| format!("`{}`", g.rule(*r).id)).collect();
                decided.push((
                    1,
                    card(
                        format!("{}: the guideline's rules disagree; no advice", action.label),
                        "warning",
                        format!(
                            "The rules {} disagree and nothing in the guideline settles them, so it gives **no advice** on {}. The guideline must be corrected.",
                            ids.join(", "),
                            escape(&action.label)
                        ),
                    ),
                ));
            }
            Outcome::Undecided { needs: n, .. } => {
                needs.extend(n.iter().copied());
                let words = to_decide_words(g, &a.outcome).unwrap_or_default();
                undecided.push(format!("- **{}**: {}", escape(&action.label), escape(&words)));
            }
            Outcome::Withheld { .. } => {
                let words = to_decide_words(g, &a.outcome).unwrap_or_default();
                undecided.push(format!("- **{}**: {}", escape(&action.label), escape(&words)));
            }
        }
    }
    decided.sort_by_key(|(rank, _)| *rank);
    out.extend(decided.into_iter().map(|(_, c)| c));
    // The guideline's notes whose condition holds: what it says, as written.
    for &n in &e.notes {
        let Some(note) = g.notes.get(n) else { continue };
        let mut detail = escape(&note.text);
        detail.push_str(&references(g, &note.cites));
        out.push(card(note.text.clone(), "info", detail));
    }
    if !undecided.is_empty() {
        needs.sort_unstable_by_key(|f| f.index());
        needs.dedup();
        let plural = if undecided.len() == 1 { "" } else { "s" };
        let summary = if needs.is_empty() {
            format!("{} action{plural} not decided", undecided.len())
        } else {
            format!(
                "{} action{plural} not decided: record {}",
                undecided.len(),
                names(g, &needs)
            )
        };
        let detail = format!(
            "The guideline does not decide these yet:\n\n{}\n\n{}",
            undecided.join("\n"),
            facts_to_record(g, record, &needs)
        );
        out.push(card(summary, "info", detail));
    }
    out
}

/// The Markdown detail of a decision: doses, the rules' details, warnings,
/// reasons, the rules that carry it and the references they cite.
pub(super) fn decision_detail(g: &Guideline, words: &crate::report::decision_words::DecisionWords) -> String {
    let mut lines = Vec::new();
    for dose in &words.doses {
        lines.push(format!("- **Dose:** {}", escape(dose)));
    }
    for l in &words.lines {
        let text = escape(&l.text);
        lines.push(match l.kind {
            LineKind::Dose => format!("- {text}"),
            LineKind::Detail => format!("- {text}"),
            LineKind::Warning => format!("- **Warning:** {text}"),
            LineKind::PossibleWarning => format!("- **Possible warning:** {text}"),
            LineKind::Why => format!("- *Why:* {text}"),
            LineKind::Overrides => format!("- {text}"),
        });
    }
    let rules: Vec<String> = words.rules.iter().map(|r| format!("`{r}`")).collect();
    lines.push(format!(
        "- Rule{}: {}",
        if rules.len() == 1 { "" } else { "s" },
        rules.join(", ")
    ));
    let mut out = lines.join("\n");
    out.push_str(&references(g, &words.citations));
    out
}

/// The cited references as a numbered Markdown list after a blank line;
/// empty when nothing is cited.
fn references(g: &Guideline, cites: &[u32]) -> String {
    let mut out = String::new();
    if cites.is_empty() {
        return out;
    }
    out.push_str("\n\nReferences:\n");
    for n in cites {
        if let Some(r) = g.references.iter().find(|r| r.number == *n) {
            let mut line = format!("\n{n}. {}", escape(&r.title));
            if let Some(s) = &r.source {
                line.push_str(&format!(", {}", escape(s)));
            }
            if let Some(y) = r.year {
                line.push_str(&format!(" ({y})"));
            }
            out.push_str(&line);
        }
    }
    out
}

/// The facts to record, split by whether this guideline reads them from a
/// record (then why the record did not give them) or only from a case.
pub(super) fn facts_to_record(g: &Guideline, record: &Record, needs: &[FactId]) -> String {
    let mut from_record = Vec::new();
    let mut not_bound = Vec::new();
    for &f in needs {
        let label = escape(&fact_label(g, f));
        match record.provenance(f) {
            Some(Provenance::Unknown { reason }) => from_record.push(format!("- {label}: {}", escape(reason))),
            Some(_) => from_record.push(format!("- {label}")),
            None => not_bound.push(format!("- {label}")),
        }
    }
    let mut parts = Vec::new();
    if !from_record.is_empty() {
        parts.push(format!(
            "To record in the EHR (this service reads them from the patient's record):\n\n{}",
            from_record.join("\n")
        ));
    }
    if !not_bound.is_empty() {
        parts.push(format!(
            "Not read from a record by this guideline (no standard code is bound to them), so this service cannot know them:\n\n{}",
            not_bound.join("\n")
        ));
    }
    parts.join("\n\n")
}

/// Fact labels joined for a summary: "white blood cell count, PML-RARA result".
pub(super) fn names(g: &Guideline, facts: &[FactId]) -> String {
    let labels: Vec<String> = facts.iter().map(|&f| fact_label(g, f)).collect();
    labels.join(", ")
}

/// A summary under the specification's limit: cut at a character boundary,
/// with an ellipsis, when longer.
pub fn summary_of(s: &str) -> String {
    if s.chars().count() <= SUMMARY_MAX {
        return s.to_string();
    }
    let mut cut: String = s.chars().take(SUMMARY_MAX - 1).collect();
    cut.push('…');
    cut
}

/// Escapes the characters Markdown would read as markup, so guideline text
/// shows as written.
pub(super) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_summary_is_cut_under_the_limit_at_a_character_boundary() {
        let long = "é".repeat(300);
        let s = summary_of(&long);
        assert_eq!(s.chars().count(), SUMMARY_MAX);
        assert!(s.ends_with('…'));
        assert_eq!(summary_of("short"), "short");
    }

    #[test]
    fn markup_in_guideline_text_is_escaped() {
        assert_eq!(escape("a*b_c [1] <x>"), "a\\*b\\_c \\[1\\] \\<x\\>");
    }
}
