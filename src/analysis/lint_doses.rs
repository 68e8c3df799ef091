//! The lint questions about doses. Agreeing rules that say different things:
//! two rules on one action with the same verdict that can carry one decision
//! together for some patient, yet state different doses (the JSON report then
//! shows the first rule's dose, which is seldom what the authors meant; the
//! witness is a patient for whom both rules carry the decision). And amounts
//! chosen by criteria that no patient the rule fires for can get: a criterion
//! that never holds, or one that earlier criteria always take first.

use super::*;
use crate::analysis::encode::Tv;

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

/// What differs between two agreeing rules: "doses" when both state one and
/// they differ (one amount is given to the patient, and the JSON shows the
/// first rule's); "details" when both state a detail and the texts differ
/// (the report then shows both side by side, and two instructions for one
/// decision — "keep platelets above 30" beside "above 50" — leave the
/// clinician to choose). A rule without a dose or a detail adds nothing to
/// disagree with. Texts are compared with their spacing normalised.
fn differences(g: &Guideline, a: &crate::model::Rule, b: &crate::model::Rule) -> Vec<&'static str> {
    let mut out = Vec::new();
    if let (Some(x), Some(y)) = (dose_key(g, a), dose_key(g, b)) {
        if x != y {
            out.push("doses");
        }
    }
    let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    if let (Some(x), Some(y)) = (&a.detail, &b.detail) {
        if words(x) != words(y) {
            out.push("details");
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
                    .and_then(|c| self.checker.evaluate_action(&c, m.action))
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
                    "{}: give them the same {same}, narrow one condition so that both cannot hold, \
                     or let one rule take precedence (`overrides`)",
                    if what.contains("dose") {
                        "a decision carried by both shows the first rule's dose"
                    } else {
                        "a decision carried by both shows both details, leaving the clinician to choose"
                    }
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

    /// Reports each amount of a chosen dose that no complete case in scope
    /// gets while its rule fires: every criterion before it false and its own
    /// true (the last amount: every criterion false). Unsatisfiable is a
    /// proof even where conditions are over-approximated.
    pub(super) fn amounts_never_chosen(&mut self, m: &mut ActionModel, fires: &[bool]) -> Result<(), SolverFailure> {
        let g = self.g;
        for (i, fired) in fires.iter().enumerate().take(m.rules.len()) {
            let rule = g.rule(m.rules[i]);
            let Some(dose) = rule.dose.as_ref().filter(|d| d.is_chosen() && *fired) else {
                continue;
            };
            let criteria: Vec<Tv> = dose
                .branches
                .iter()
                .filter_map(|b| b.when.as_ref())
                .map(|e| m.condition(e))
                .collect();
            for (k, b) in dose.branches.iter().enumerate() {
                let mut assume = vec![m.when[i].t];
                assume.extend(criteria[..k].iter().map(|c| c.f));
                assume.extend(criteria.get(k).map(|c| c.t));
                if self.ask(m, &assume)?.is_some() {
                    continue;
                }
                let conditions: Vec<Option<&Expr>> = dose.branches[..=k].iter().map(|b| b.when.as_ref()).collect();
                let mut f = Finding::new(
                    "guidelang::lint::dose_never_chosen",
                    Severity::Warning,
                    format!(
                        "amount {} of rule `{}`'s dose is never given: no patient the rule applies to gets it",
                        k + 1,
                        rule.id
                    ),
                )
                .at(b.span, "never chosen")
                .help(if b.when.is_some() {
                    "its criterion never holds while the rule fires, or an earlier criterion always holds first; check the thresholds and the order of the amounts"
                } else {
                    "some earlier criterion always holds while the rule fires, so the amount given otherwise is never reached; remove it or narrow the criteria"
                });
                for s in inexact(g, &conditions) {
                    f = f.at(s, "over-approximated here");
                }
                f.action = Some(g.action(m.action).name.clone());
                f.rules = vec![rule.id.clone()];
                self.push(f);
            }
        }
        Ok(())
    }
}
