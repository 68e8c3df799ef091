//! Agreeing rules that say different things: two rules on one action with the
//! same verdict that can carry one decision together for some patient, yet
//! state different doses. The JSON report then shows the first rule's dose,
//! which is seldom what the authors meant; the witness is a patient for whom
//! both rules carry the decision.

use super::*;

/// What two rules' doses look like as written, for comparing them.
fn dose_key(g: &Guideline, r: &crate::model::Rule) -> Option<Vec<String>> {
    let text = |e: Option<&Expr>| e.map(|e| g.source.slice(e.span).split_whitespace().collect::<Vec<_>>().join(" "));
    r.dose.as_ref().map(|d| {
        d.branches
            .iter()
            .map(|b| {
                let a = &b.amount;
                format!(
                    "{} {} {} {:?} {:?} {:?} {:?}",
                    a.low,
                    a.high,
                    a.unit,
                    text(a.by.as_ref().map(|by| &by.expr)),
                    a.cap,
                    a.how,
                    text(b.when.as_ref())
                )
            })
            .collect()
    })
}

/// "doses" when both rules state one and they differ. Differing details are
/// not reported: every carrying rule's detail is shown (joined), so none is
/// lost, and agreeing rules that add their own advice are common and meant
/// (the bundled guideline's two platelet rules give two thresholds). A dose,
/// by contrast, is one amount for the patient, and the JSON shows the first.
fn differences(g: &Guideline, a: &crate::model::Rule, b: &crate::model::Rule) -> Vec<&'static str> {
    let mut out = Vec::new();
    if let (Some(x), Some(y)) = (dose_key(g, a), dose_key(g, b)) {
        if x != y {
            out.push("doses");
        }
    }
    out
}

impl Linter<'_> {
    pub(super) fn agreeing_rules_differ(
        &mut self,
        m: &mut ActionModel,
        survives: &[bool],
    ) -> Result<(), SolverFailure> {
        let g = self.g;
        let n = m.rules.len();
        for i in 0..n {
            for j in i + 1..n {
                let (vi, vj) = (m.verdict(i), m.verdict(j));
                if vi != vj || vi == Verdict::Contraindicated || !survives[i] || !survives[j] {
                    continue;
                }
                let (a, b) = (g.rule(m.rules[i]), g.rule(m.rules[j]));
                let what = differences(g, a, b);
                if what.is_empty() {
                    continue;
                }
                let assume = m.clash(i, j);
                let Some(case) = self.ask(m, &assume)? else {
                    continue;
                };
                let json = witness_json(g, &case);
                // Checked as a case file would be, on the action alone (the
                // decision is made before invariants are enforced).
                let shown = crate::facts::validate_json(g, &json)
                    .ok()
                    .and_then(|c| self.program.evaluate_action(&c, m.action))
                    .is_some_and(|r| {
                        matches!(r.outcome, Outcome::Decided(d) if d.rules.contains(&m.rules[i]) && d.rules.contains(&m.rules[j]))
                    });
                if !shown {
                    let loose = inexact(g, &[a.when.as_ref(), b.when.as_ref()]);
                    self.inexact_question(
                        &[m.rules[i], m.rules[j]],
                        &loose,
                        format!("whether rules `{}` and `{}` carry one decision together", a.id, b.id),
                    );
                    continue;
                }
                let action = &g.action(m.action).name;
                let same = what
                    .iter()
                    .map(|w| w.trim_end_matches('s'))
                    .collect::<Vec<_>>()
                    .join(" and ");
                let what = what.join(" and ");
                let mut f = Finding::new(
                    "guidelang::lint::agreeing_rules_differ",
                    Severity::Warning,
                    format!(
                        "rules `{}` and `{}` both {vi} `{action}` for some patients, with different {what}",
                        a.id, b.id
                    ),
                )
                .at(first_line(g, a.span), format!("`{}`", a.id))
                .at(first_line(g, b.span), format!("`{}`", b.id))
                .help(format!(
                    "a decision carried by both shows the first rule's dose: give them the same {same}, \
                     narrow one condition so that both cannot hold, or let one rule take precedence (`overrides`)"
                ));
                f.action = Some(action.clone());
                f.rules = vec![a.id.clone(), b.id.clone()];
                let mut read: Vec<crate::model::FactId> = g.scope.iter().flat_map(|s| g.facts_read(s)).collect();
                read.extend(a.depends_on.iter().chain(&b.depends_on));
                read.sort_unstable();
                read.dedup();
                f.facts = named(g, &read);
                f.witness = Some(json);
                f.shows = Some(format!(
                    "`{action}` is decided {vi} by both `{}` and `{}`, whose {what} differ",
                    a.id, b.id
                ));
                self.push(f);
            }
        }
        Ok(())
    }
}
