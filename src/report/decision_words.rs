//! One action's outcome in the words of the clinician's text report, in
//! parts, for a caller that lays the report out itself (the workbench's report
//! panel): the same verdict, dose, rule, citation and "record …" wording as
//! `guidelang eval` prints, without anyone parsing that text.

use super::words::{could_become, record_phrase, verdict_done};
use crate::eval::{Decision, Outcome, Truth};
use crate::model::{Guideline, Verdict};

/// What a line under a decision is, so a page can set each kind apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// What the dose needs or why its amount was chosen.
    Dose,
    /// A deciding rule's own `detail`.
    Detail,
    /// A warning whose condition holds.
    Warning,
    /// A warning whose condition is not known yet (with the facts to record).
    PossibleWarning,
    /// A deciding rule's `because`.
    Why,
    /// A rule this decision overrides.
    Overrides,
}

impl LineKind {
    /// The kind as one word (`dose`, `possible_warning`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::Dose => "dose",
            LineKind::Detail => "detail",
            LineKind::Warning => "warning",
            LineKind::PossibleWarning => "possible_warning",
            LineKind::Why => "why",
            LineKind::Overrides => "overrides",
        }
    }
}

/// One line under a decision, without the text report's prefix
/// (`WARNING:`, `why:`), which the kind stands for.
#[derive(Clone, Debug, PartialEq)]
pub struct DecisionLine {
    /// What the line is.
    pub kind: LineKind,
    /// Its words.
    pub text: String,
}

/// A decision in parts: the text report's line "Hydroxyurea — recommended,
/// 3500–4200 mg/day (50–60 mg/kg/day × 70 kg) [1, 3] (rule
/// hydroxyurea-for-cytoreduction)" and the lines under it.
#[derive(Clone, Debug, PartialEq)]
pub struct DecisionWords {
    /// The verdict as the heading line says it: `recommended`, `consider`,
    /// `avoid`, `CONTRAINDICATED`.
    pub verdict: &'static str,
    /// Each dose's amount for this patient, as written after the verdict.
    pub doses: Vec<String>,
    /// The reference numbers the deciding rules cite, sorted, once each.
    pub citations: Vec<u32>,
    /// The ids of the rules that carry the decision, in file order.
    pub rules: Vec<String>,
    /// The lines under it, in the text report's order.
    pub lines: Vec<DecisionLine>,
}

/// The verdict as the report's heading line says it (a contraindication loud).
pub fn verdict_heading(v: Verdict) -> &'static str {
    match v {
        Verdict::Recommend => "recommended",
        Verdict::Consider => "consider",
        Verdict::Avoid => "avoid",
        Verdict::Contraindicated => "CONTRAINDICATED",
    }
}

/// A decision as the clinician's text report words it.
pub fn decision_words(g: &Guideline, d: &Decision) -> DecisionWords {
    let mut citations: Vec<u32> = d.rules.iter().flat_map(|r| g.rule(*r).cites.iter().copied()).collect();
    citations.sort_unstable();
    citations.dedup();
    let line = |kind, text: String| DecisionLine { kind, text };
    let mut doses = Vec::new();
    let mut lines = Vec::new();
    for dose in &d.doses {
        if let Some(words) = super::dose::words(g, dose) {
            doses.push(words.head);
            lines.extend(words.later.into_iter().map(|l| line(LineKind::Dose, l)));
        }
    }
    for r in &d.rules {
        if let Some(detail) = &g.rule(*r).detail {
            lines.push(line(LineKind::Detail, detail.clone()));
        }
    }
    for w in &d.warnings {
        let text = &g.rule(w.rule).warnings[w.index].text;
        lines.push(if w.truth == Truth::True {
            line(LineKind::Warning, text.clone())
        } else {
            line(
                LineKind::PossibleWarning,
                format!("{text} ({} to know whether it applies)", record_phrase(g, &w.needs)),
            )
        });
    }
    for r in &d.rules {
        if let Some(b) = &g.rule(*r).because {
            lines.push(line(LineKind::Why, b.clone()));
        }
    }
    for (r, by) in &d.overridden {
        lines.push(line(
            LineKind::Overrides,
            format!(
                "overrides {} ({}), by {}",
                g.rule(*r).id,
                g.rule(*r).verdict,
                g.rule(*by).id
            ),
        ));
    }
    DecisionWords {
        verdict: verdict_heading(d.verdict),
        doses,
        citations,
        rules: d.rules.iter().map(|r| g.rule(*r).id.clone()).collect(),
        lines,
    }
}

/// What an action still to decide waits for, as the TO DECIDE section words
/// it after the action's label: "record the white blood cell count; could be
/// recommended", or why it is withheld. `None` for any other outcome.
pub fn to_decide_words(g: &Guideline, outcome: &Outcome) -> Option<String> {
    match outcome {
        Outcome::Undecided { needs, possible } if needs.is_empty() => Some(could_become(possible)),
        Outcome::Undecided { needs, possible } => {
            Some(format!("{}; {}", record_phrase(g, needs), could_become(possible)))
        }
        Outcome::Withheld { invariant, verdict } => Some(format!(
            "withheld: to have it {} would break the safety invariant `{}`",
            verdict_done(*verdict),
            g.invariants[*invariant].id
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{evaluation_text, TextOptions};

    fn evaluate(case: &str) -> (Guideline, crate::facts::Case, crate::eval::Evaluation) {
        let g = crate::bundled().expect("the bundled guideline checks");
        let case = crate::facts::parse_case(&g, case).expect("a valid case");
        let e = crate::eval::evaluate(&g, &case);
        (g, case, e)
    }

    fn decided<'e>(g: &Guideline, e: &'e crate::eval::Evaluation, action: &str) -> &'e Decision {
        e.actions
            .iter()
            .find_map(|a| match &a.outcome {
                Outcome::Decided(d) if g.action(a.action).name == action => Some(d),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{action} is not decided"))
    }

    #[test]
    fn hydroxyurea_for_a_70_kg_patient_is_worded_as_the_text_report_words_it() {
        let (g, case, e) = evaluate(r#"{"als": true, "acute_leukemia": true, "wbc": 150, "weight": 70}"#);
        let words = decision_words(&g, decided(&g, &e, "hydroxyurea"));
        // `dose 50 to 60 mg/kg/day by weight`, times 70 kg.
        assert_eq!(words.verdict, "recommended");
        assert_eq!(words.doses, ["3500–4200 mg/day (50–60 mg/kg/day × 70 kg)"]);
        assert!(words.rules.contains(&"hydroxyurea-for-cytoreduction".to_string()));
        assert!(!words.citations.is_empty());
        // The heading line of the text report is made of exactly these parts.
        let cites: Vec<String> = words.citations.iter().map(u32::to_string).collect();
        let head = format!(
            "Hydroxyurea — {}, {} [{}] (rule {})",
            words.verdict,
            words.doses.join(", "),
            cites.join(", "),
            words.rules.join(", ")
        );
        let text = evaluation_text(&g, &case, &e, TextOptions::default());
        assert!(text.contains(&head), "{head}\n---\n{text}");
        for l in &words.lines {
            assert!(text.contains(&l.text), "{:?} not in\n{text}", l);
        }
    }

    #[test]
    fn a_dose_without_the_weight_says_what_to_record() {
        let (g, _, e) = evaluate(r#"{"als": true, "acute_leukemia": true, "wbc": 150}"#);
        let words = decision_words(&g, decided(&g, &e, "hydroxyurea"));
        assert_eq!(words.doses, ["50–60 mg/kg/day"]);
        let dose_lines: Vec<&str> = words
            .lines
            .iter()
            .filter(|l| l.kind == LineKind::Dose)
            .map(|l| l.text.as_str())
            .collect();
        assert_eq!(dose_lines.len(), 1, "{:?}", words.lines);
        assert!(
            dose_lines[0].starts_with("dose: record the body weight"),
            "{dose_lines:?}"
        );
    }

    #[test]
    fn an_undecided_action_names_the_facts_that_decide_it() {
        // With ALS and acute leukemia but no count, hydroxyurea waits for the count.
        let (g, _, e) = evaluate(r#"{"als": true, "acute_leukemia": true}"#);
        let hydroxyurea = e
            .actions
            .iter()
            .find(|a| g.action(a.action).name == "hydroxyurea")
            .map(|a| &a.outcome)
            .expect("hydroxyurea is declared");
        let words = to_decide_words(&g, hydroxyurea).expect("hydroxyurea is to decide");
        assert!(words.starts_with("record "), "{words}");
        assert!(words.contains("white blood cell count"), "{words}");
        assert!(words.contains("recommended"), "{words}");
    }
}
