//! The clinician's text report: decisions grouped by verdict, doses, warnings,
//! citations, what is undecided and what to measure, notes; and with
//! `explain`, every rule's part in each action.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::{fmt_num, fmt_range};
use crate::eval::{Applicability, Decision, Evaluation, Outcome, Truth};
use crate::model::{FactId, Guideline, RuleId};
use crate::syntax::ast::Verdict;

/// How to render the text report.
#[derive(Clone, Copy, Debug, Default)]
pub struct TextOptions {
    /// ANSI colour.
    pub color: bool,
    /// Show every rule's part in each action.
    pub explain: bool,
}

struct Painter {
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

    fn bold(&self, text: &str) -> String {
        self.paint(Style::new().bold(), text)
    }

    fn verdict(&self, v: Verdict, text: &str) -> String {
        let color = match v {
            Verdict::Recommend => AnsiColor::Green,
            Verdict::Consider => AnsiColor::Cyan,
            Verdict::Avoid => AnsiColor::Yellow,
            Verdict::Contraindicated => AnsiColor::Red,
        };
        self.paint(Style::new().bold().fg_color(Some(color.into())), text)
    }

    fn dim(&self, text: &str) -> String {
        self.paint(Style::new().dimmed(), text)
    }
}

fn fact_names(g: &Guideline, facts: &[FactId]) -> String {
    facts
        .iter()
        .map(|f| g.fact(*f).name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Renders the report.
pub fn evaluation_text(g: &Guideline, e: &Evaluation, opts: TextOptions) -> String {
    let p = Painter { color: opts.color };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        p.bold(&format!("{} — version {}", g.meta.title, g.meta.version))
    );
    let _ = writeln!(
        out,
        "{}",
        p.dim(&format!("guideline {} ({}), {}", g.meta.id, g.meta.status, g.hash))
    );
    match &e.applicability {
        Applicability::NotApplicable => {
            let _ = writeln!(
                out,
                "\nOUT OF SCOPE: this guideline does not apply to this patient. No recommendations are made."
            );
            return out;
        }
        Applicability::Unknown(needs) => {
            let _ = writeln!(
                out,
                "\nSCOPE UNDECIDED: give {} to know whether this guideline applies. No recommendations are made.",
                fact_names(g, needs)
            );
            return out;
        }
        Applicability::Applies => {}
    }
    for v in [
        Verdict::Contraindicated,
        Verdict::Avoid,
        Verdict::Recommend,
        Verdict::Consider,
    ] {
        let decided: Vec<(&str, &Decision)> = e
            .actions
            .iter()
            .filter_map(|a| match &a.outcome {
                Outcome::Decided(d) if d.verdict == v => Some((g.action(a.action).name.as_str(), d)),
                _ => None,
            })
            .collect();
        if decided.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{}", p.verdict(v, &v.as_str().to_uppercase()));
        for (action, d) in decided {
            decision_text(&mut out, g, &p, action, d);
        }
    }
    let conflicts: Vec<_> = e
        .actions
        .iter()
        .filter_map(|a| {
            if let Outcome::Conflict(r) = &a.outcome {
                Some((a.action, r))
            } else {
                None
            }
        })
        .collect();
    if !conflicts.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            p.verdict(
                Verdict::Contraindicated,
                "CONFLICTS (no verdict given: the guideline must be corrected)"
            )
        );
        for (a, rules) in conflicts {
            let list: Vec<String> = rules
                .iter()
                .map(|r| format!("{} says {}", g.rule(*r).id, g.rule(*r).verdict))
                .collect();
            let _ = writeln!(out, "  {}: {}", p.bold(&g.action(a).name), list.join("; "));
        }
    }
    let undecided: Vec<_> = e
        .actions
        .iter()
        .filter_map(|a| match &a.outcome {
            Outcome::Undecided { needs, possible } => Some((a.action, needs.clone(), possible.clone(), None)),
            Outcome::Withheld { invariant, verdict } => {
                Some((a.action, Vec::new(), vec![Some(*verdict)], Some(*invariant)))
            }
            _ => None,
        })
        .collect();
    if !undecided.is_empty() {
        let _ = writeln!(out, "\n{}", p.bold("UNDECIDED (measure or confirm to decide)"));
        for (a, needs, possible, withheld) in undecided {
            let could: Vec<String> = possible
                .iter()
                .map(|v| v.map_or_else(|| "no verdict".to_string(), |v| v.to_string()))
                .collect();
            let line = match withheld {
                Some(i) => format!("withheld: it would break invariant `{}`", g.invariants[i].id),
                None if needs.is_empty() => format!("could be {}", could.join(" or ")),
                None => format!("needs {}; could be {}", fact_names(g, &needs), could.join(" or ")),
            };
            let _ = writeln!(out, "  {}: {line}", p.bold(&g.action(a).name));
        }
    }
    if !e.violations.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            p.verdict(
                Verdict::Contraindicated,
                "INVARIANT VIOLATIONS (the guideline must be corrected)"
            )
        );
        for v in &e.violations {
            let what = v
                .verdict
                .map_or_else(|| "left undecided".to_string(), |x| format!("would be {x}"));
            let _ = writeln!(
                out,
                "  {}: {} {what}{}",
                g.invariants[v.invariant].id,
                g.action(v.action).name,
                if v.certain { "" } else { " (possibly, facts unknown)" }
            );
        }
    }
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
        explain(&mut out, g, e, &p);
    }
    references(&mut out, g, e, &p);
    out
}

fn cites(c: &[u32]) -> String {
    if c.is_empty() {
        String::new()
    } else {
        format!("[{}]", c.iter().map(u32::to_string).collect::<Vec<_>>().join(", "))
    }
}

fn decision_text(out: &mut String, g: &Guideline, p: &Painter, action: &str, d: &Decision) {
    let mut c: Vec<u32> = d.rules.iter().flat_map(|r| g.rule(*r).cites.iter().copied()).collect();
    c.sort_unstable();
    c.dedup();
    let ids: Vec<&str> = d.rules.iter().map(|r| g.rule(*r).id.as_str()).collect();
    let _ = writeln!(
        out,
        "  {} {} {}",
        p.verdict(d.verdict, action),
        cites(&c),
        p.dim(&format!("(rule {})", ids.join(", ")))
    );
    for dose in &d.doses {
        let Some(spec) = &g.rule(dose.rule).dose else { continue };
        let per = fmt_range(spec.low, spec.high, &spec.unit.to_string());
        match (dose.amount, dose.by) {
            (Some((lo, hi)), Some(by)) => {
                let _ = writeln!(
                    out,
                    "      dose: {} ({per} × {} {})",
                    fmt_range(lo, hi, &spec.result_unit.to_string()),
                    fmt_num(by),
                    spec.by_unit
                );
            }
            _ => {
                let _ = writeln!(
                    out,
                    "      dose: {per}; give {} to compute it",
                    fact_names(g, &dose.needs)
                );
            }
        }
    }
    for r in &d.rules {
        if let Some(detail) = &g.rule(*r).detail {
            let _ = writeln!(out, "      {detail}");
        }
    }
    for w in &d.warnings {
        let text = &g.rule(w.rule).warnings[w.index].text;
        if w.truth == Truth::True {
            let _ = writeln!(out, "      {} {text}", p.verdict(Verdict::Avoid, "WARNING:"));
        } else {
            let _ = writeln!(
                out,
                "      {} {text} (applies if {}; not known)",
                p.verdict(Verdict::Avoid, "POSSIBLE WARNING:"),
                fact_names(g, &w.needs)
            );
        }
    }
    for r in &d.rules {
        if let Some(b) = &g.rule(*r).because {
            let _ = writeln!(out, "      {}", p.dim(&format!("why: {b}")));
        }
    }
    for (r, by) in &d.overridden {
        let _ = writeln!(
            out,
            "      {}",
            p.dim(&format!(
                "overrides {} ({}), by {}",
                g.rule(*r).id,
                g.rule(*r).verdict,
                g.rule(*by).id
            ))
        );
    }
}

fn explain(out: &mut String, g: &Guideline, e: &Evaluation, p: &Painter) {
    let _ = writeln!(out, "\n{}", p.bold("EXPLANATION (every rule, per action)"));
    for a in &e.actions {
        let _ = writeln!(out, "  {}", p.bold(&g.action(a.action).name));
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
                (Outcome::Undecided { needs, .. }, Truth::Unknown) => {
                    let missing: Vec<FactId> = rule.depends_on.iter().copied().filter(|f| needs.contains(f)).collect();
                    if missing.is_empty() {
                        "unknown".into()
                    } else {
                        format!("unknown: needs {}", fact_names(g, &missing))
                    }
                }
                (_, Truth::Unknown) => "unknown, but it cannot change the outcome".into(),
            };
            let _ = writeln!(out, "    {} {} when {cond}: {role}", rule.id, rule.verdict);
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
