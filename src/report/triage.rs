//! The decisions arranged for triage: what to do now (urgent actions the
//! patient should get), what not to do, the other recommendations, and what
//! cannot be decided yet with the facts to record. Actions are named by their
//! label; each decision still carries its citations and rule ids.

use std::fmt::Write;

use super::text::Painter;
use super::words::{could_become, record_phrase};

use crate::eval::{ActionResult, Decision, Evaluation, Outcome, Truth};
use crate::model::Verdict;
use crate::model::{ActionId, Guideline};

/// Writes ACT NOW, DO NOT, ALSO and TO DECIDE, each only when it has something.
pub(super) fn sections(out: &mut String, g: &Guideline, e: &Evaluation, p: &Painter) {
    let decided = |keep: &dyn Fn(&ActionResult, &Decision) -> bool, verdicts: &[Verdict]| {
        // Grouped by verdict in the order given, action order within each.
        let mut picked: Vec<(ActionId, &Decision)> = Vec::new();
        for v in verdicts {
            for a in &e.actions {
                if let Outcome::Decided(d) = &a.outcome {
                    if d.verdict == *v && keep(a, d) {
                        picked.push((a.action, d));
                    }
                }
            }
        }
        picked
    };
    let urgent = |a: &ActionResult, _: &Decision| g.action(a.action).urgent;
    let routine = |a: &ActionResult, _: &Decision| !g.action(a.action).urgent;
    let any = |_: &ActionResult, _: &Decision| true;
    let groups = [
        (
            "ACT NOW (urgent)",
            decided(&urgent, &[Verdict::Recommend, Verdict::Consider]),
        ),
        ("DO NOT", decided(&any, &[Verdict::Contraindicated, Verdict::Avoid])),
        ("ALSO", decided(&routine, &[Verdict::Recommend, Verdict::Consider])),
    ];
    for (title, picked) in groups {
        if picked.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{}", p.bold(title));
        for (a, d) in picked {
            decision(out, g, p, a, d);
        }
    }
    to_decide(out, g, e, p);
}

fn cites(c: &[u32]) -> String {
    if c.is_empty() {
        String::new()
    } else {
        format!(" [{}]", c.iter().map(u32::to_string).collect::<Vec<_>>().join(", "))
    }
}

/// The verdict as the heading line says it.
fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Recommend => "recommended",
        Verdict::Consider => "consider",
        Verdict::Avoid => "avoid",
        Verdict::Contraindicated => "CONTRAINDICATED",
    }
}

/// One decision: "Hydroxyurea — recommended, 3500–4200 mg/day (50–60 mg/kg/day
/// × 70 kg) [1, 3] (rule hydroxyurea-for-cytoreduction)", then its detail,
/// warnings, rationale and what it overrides.
fn decision(out: &mut String, g: &Guideline, p: &Painter, a: ActionId, d: &Decision) {
    let mut c: Vec<u32> = d.rules.iter().flat_map(|r| g.rule(*r).cites.iter().copied()).collect();
    c.sort_unstable();
    c.dedup();
    let ids: Vec<&str> = d.rules.iter().map(|r| g.rule(*r).id.as_str()).collect();
    let mut head = verdict_word(d.verdict).to_string();
    let mut later = Vec::new();
    for dose in &d.doses {
        if let Some(words) = super::dose::words(g, dose) {
            let _ = write!(head, ", {}", words.head);
            later.extend(words.later);
        }
    }
    let _ = writeln!(
        out,
        "  {} — {}{} {}",
        p.verdict(d.verdict, &g.action(a).label),
        head,
        cites(&c),
        p.dim(&format!("(rule {})", ids.join(", ")))
    );
    for line in later {
        let _ = writeln!(out, "      {line}");
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
                "      {} {text} ({} to know whether it applies)",
                p.verdict(Verdict::Avoid, "POSSIBLE WARNING:"),
                record_phrase(g, &w.needs)
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

/// Undecided and withheld actions, urgent ones first, each with what to record
/// and what it could become.
fn to_decide(out: &mut String, g: &Guideline, e: &Evaluation, p: &Painter) {
    let mut lines: Vec<(bool, String)> = Vec::new();
    for a in &e.actions {
        let action = g.action(a.action);
        let label = if action.urgent {
            format!("{} (urgent)", p.bold(&action.label))
        } else {
            p.bold(&action.label)
        };
        let line = match &a.outcome {
            Outcome::Undecided { needs, possible } if needs.is_empty() => {
                format!("{label} — {}", could_become(possible))
            }
            Outcome::Undecided { needs, possible } => {
                format!("{label} — {}; {}", record_phrase(g, needs), could_become(possible))
            }
            Outcome::Withheld { invariant, verdict } => format!(
                "{label} — withheld: to have it {} would break the safety invariant `{}`",
                super::words::verdict_done(*verdict),
                g.invariants[*invariant].id
            ),
            _ => continue,
        };
        lines.push((action.urgent, line));
    }
    if lines.is_empty() {
        return;
    }
    // Stable: action order is kept within urgent and within the rest.
    lines.sort_by_key(|(urgent, _)| !urgent);
    let _ = writeln!(out, "\n{}", p.bold("TO DECIDE (record these facts to decide)"));
    for (_, line) in lines {
        let _ = writeln!(out, "  {line}");
    }
}
