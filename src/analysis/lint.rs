//! The lint questions, asked action by action, and their findings. Every
//! witness is run through the real evaluator before it is reported.

use varisat::Lit;

use super::action::ActionModel;
use super::domain::Domain;
use super::encode::{inexact_parts, Tv};
use super::sat::SolverFailure;
use super::{Finding, LintOptions, LintReport, Proved};
use crate::compile::Program;
use crate::diagnostics::{Severity, Span};
use crate::eval::{ActionEvaluator, ActionResult, Evaluation, Outcome, Truth, Violation};
use crate::facts::Case;
use crate::model::{ActionId, Claim, Expr, Guideline, RuleId};
use crate::model::{OutcomeKind, Status, Verdict, VerdictSet};

#[path = "lint_doses.rs"]
mod doses;
#[path = "lint_jobs.rs"]
mod jobs;

/// Lints a guideline with the default options.
pub fn lint(g: &Guideline) -> LintReport {
    lint_with(g, LintOptions::default())
}

/// Lints a guideline.
pub fn lint_with(g: &Guideline, options: LintOptions) -> LintReport {
    let program = Program::new(g);
    lint_checking(g, &program, Checker::Cones(ActionEvaluator::new(&program)), options)
}

/// [`lint_with`] checking every witness the way the linter did before it
/// evaluated one action at a time: each on a fresh evaluator that computes
/// the whole guideline (quadratic in the number of rules). The reference
/// the tests hold [`lint_with`] to; not for use.
#[doc(hidden)]
pub fn lint_reference(g: &Guideline, options: LintOptions) -> LintReport {
    let program = Program::new(g);
    lint_checking(g, &program, Checker::Whole(&program), options)
}

/// How a witness is run through the evaluator: only the action it is about
/// (the linter's way), or the whole guideline on a fresh evaluator (the
/// reference).
pub(crate) enum Checker<'p> {
    Cones(ActionEvaluator<'p>),
    Whole(&'p Program),
}

impl Checker<'_> {
    /// The action's outcome before invariants are enforced; `None` out of scope.
    pub(crate) fn evaluate_action(&mut self, case: &Case, a: ActionId) -> Option<ActionResult> {
        match self {
            Checker::Cones(e) => e.evaluate_action(case, a),
            Checker::Whole(p) => p.evaluate_action(case, a),
        }
    }

    /// Whether action `a` is a conflict on `case` that both `rules` take part in.
    fn conflict_between(&mut self, case: &Case, a: ActionId, rules: [RuleId; 2]) -> bool {
        let found = match self {
            Checker::Cones(e) => e.conflict(case, a),
            Checker::Whole(p) => match p.evaluate_action(case, a).map(|r| r.outcome) {
                Some(Outcome::Conflict(rs)) => Some(rs),
                _ => None,
            },
        };
        found.is_some_and(|rs| rules.iter().all(|r| rs.contains(r)))
    }

    /// The invariants about action `a` the case breaks or may break.
    fn violations(&mut self, case: &Case, a: ActionId) -> Vec<Violation> {
        match self {
            Checker::Cones(e) => e.violations(case, a).to_vec(),
            Checker::Whole(p) => p
                .evaluate(case)
                .violations
                .into_iter()
                .filter(|v| v.action == a)
                .collect(),
        }
    }

    /// The whole evaluation, invariants enforced.
    fn evaluate(&mut self, case: &Case) -> Evaluation {
        match self {
            Checker::Cones(e) => e.evaluate(case),
            Checker::Whole(p) => p.evaluate(case),
        }
    }
}

fn lint_checking<'g>(g: &'g Guideline, program: &'g Program, checker: Checker<'g>, options: LintOptions) -> LintReport {
    let mut l = Linter {
        g,
        program,
        checker,
        report: LintReport::default(),
        options,
        settle_at: SETTLE_AT_LEAST,
    };
    for w in &g.warnings {
        l.push(Finding::from_problem(w));
    }
    l.metadata();
    let dom = domain(g);
    let jobs = l.options.jobs.min(g.actions.len());
    // Threads only where there are some (not in a browser), and only for the
    // linter's own checker: the reference stays the plain loop.
    if jobs > 1 && cfg!(not(target_arch = "wasm32")) && matches!(l.checker, Checker::Cones(_)) {
        jobs::actions(&mut l, &dom, jobs);
    } else {
        l.actions(&dom);
    }
    l.report.settle(l.options.per_kind);
    l.report.proved.sort_by_key(|p| p.span.start);
    l.report
}

/// The cells for every condition the linter asks about.
pub fn domain(g: &Guideline) -> Domain {
    let invariants = g.invariants.iter().map(|i| match &i.claim {
        Claim::Never { when, .. } | Claim::AlwaysDecide { when, .. } => when,
    });
    let exprs: Vec<&Expr> = g
        .scope
        .iter()
        .chain(g.rules.iter().filter_map(|r| r.when.as_ref()))
        .chain(invariants)
        .chain(
            g.rules
                .iter()
                .flat_map(|r| r.dose.iter().flat_map(|d| &d.branches))
                .filter_map(|b| b.when.as_ref()),
        )
        .collect();
    Domain::new(g, exprs)
}

struct Linter<'g> {
    g: &'g Guideline,
    /// The compiled guideline, compiled once.
    program: &'g Program,
    /// Runs every witness on `program`.
    checker: Checker<'g>,
    report: LintReport,
    options: LintOptions,
    /// With a cap, the number of findings held at which the cap is applied
    /// again, so that memory follows the cap, not the number of findings.
    settle_at: usize,
}

/// The fewest findings held before the cap is applied during the analysis.
const SETTLE_AT_LEAST: usize = 256;

/// The parts of the scope and of some conditions outside the exact fragment.
fn inexact(g: &Guideline, conditions: &[Option<&Expr>]) -> Vec<Span> {
    let mut out: Vec<Span> = g.scope.iter().flat_map(|s| inexact_parts(g, s)).collect();
    for e in conditions.iter().flatten() {
        out.extend(inexact_parts(g, e));
    }
    out.sort_unstable();
    out.dedup();
    out
}

impl<'g> Linter<'g> {
    /// Analyses every action in turn, until the budget is spent.
    fn actions(&mut self, dom: &Domain) {
        for a in 0..self.g.actions.len() {
            let result = self.action(dom, ActionId(a as u32));
            if !self.after_action(a, result) {
                break;
            }
        }
    }

    /// Reports how the analysis of action `a` ended; false when the budget
    /// is spent and no further action is analysed.
    fn after_action(&mut self, a: usize, result: Result<(), SolverFailure>) -> bool {
        match result {
            Ok(()) => true,
            Err(SolverFailure::BudgetSpent) => {
                self.budget_spent(a);
                false
            }
            Err(SolverFailure::Solver(why)) => {
                let action = &self.g.action(ActionId(a as u32)).name;
                self.push(
                    Finding::new(
                        "guidelang::lint::solver_failure",
                        Severity::Error,
                        format!("the analysis of `{action}` failed: {why}"),
                    )
                    .help("nothing was decided about this action; please report this"),
                );
                true
            }
        }
    }

    /// Records a finding. With a cap, once `settle_at` findings are held
    /// they are settled to the cap, and the next settling waits until twice
    /// as many are held: each finding is sorted a bounded number of times on
    /// average, and at most twice the cap per kind (or [`SETTLE_AT_LEAST`])
    /// is held at once, however many are found.
    fn push(&mut self, f: Finding) {
        self.report.findings.push(f);
        if let Some(cap) = self.options.per_kind {
            if self.report.findings.len() >= self.settle_at {
                self.report.settle(Some(cap));
                self.settle_at = (2 * self.report.findings.len()).max(SETTLE_AT_LEAST);
            }
        }
    }

    fn metadata(&mut self) {
        let g = self.g;
        if g.meta.status == Status::Approved && g.meta.reviewers.is_empty() {
            self.push(
                Finding::new(
                    "guidelang::lint::approved_without_reviewers",
                    Severity::Warning,
                    format!("guideline `{}` is approved but names no reviewer", g.meta.id),
                )
                .at(g.meta.span, "approved")
                .help("add `reviewed by \"...\"` to the header, or set `status in-review`"),
            );
        }
        for r in &g.rules {
            let missing: Vec<&str> = [
                (r.cites.is_empty(), "no citation (`cite N`)"),
                (r.because.is_none(), "no rationale (`because \"...\"`)"),
            ]
            .into_iter()
            .filter(|(m, _)| *m)
            .map(|(_, w)| w)
            .collect();
            if !missing.is_empty() {
                let mut f = Finding::new(
                    "guidelang::lint::unsupported_rule",
                    Severity::Warning,
                    format!("rule `{}` has {}", r.id, missing.join(" and ")),
                )
                .at(first_line(g, r.span), "this rule")
                .help("reviewers need to see where a rule comes from and why it holds");
                f.rules = vec![r.id.clone()];
                self.push(f);
            }
        }
    }

    /// The budget ran out while action `a` was analysed: one error naming it
    /// and every action left unanalysed. Nothing about them is claimed, in
    /// either direction: no clash is reported and no invariant is proved.
    fn budget_spent(&mut self, a: usize) {
        let g = self.g;
        let action = g.action(ActionId(a as u32));
        let left: Vec<String> = g.actions[a + 1..].iter().map(|x| format!("`{}`", x.name)).collect();
        let rest = if left.is_empty() {
            String::new()
        } else {
            format!("; not analysed: {}", left.join(", "))
        };
        let units = self.options.budget.units().unwrap_or(0);
        let mut finding = Finding::new(
            "guidelang::lint::budget_spent",
            Severity::Error,
            format!(
                "not proved: the analysis budget ({units} units) was spent on `{}`{rest}",
                action.name
            ),
        )
        .help(
            "nothing was decided about these actions; raise the budget with `--budget UNITS`, \
             or simplify the conditions the solver found hard (a wide `at least`, many overlapping rules)",
        );
        finding.action = Some(action.name.clone());
        let span = action.span.or_else(|| action.rules.first().map(|r| g.rule(*r).span));
        if let Some(span) = span {
            finding = finding.at(span, "the budget ran out on this action's rules");
        }
        self.push(finding);
    }

    fn ask(&mut self, m: &mut ActionModel, extra: &[Lit]) -> Result<Option<Case>, SolverFailure> {
        self.report.queries += 1;
        m.complete_case(extra)
    }

    fn action(&mut self, dom: &Domain, a: ActionId) -> Result<(), SolverFailure> {
        let g = self.g;
        let mut m = ActionModel::new(g, dom, a, &self.options.budget);
        let n = m.rules.len();
        let kinds = m.complete_kinds();
        let rules = m.rules.clone();
        let when = |i: usize| g.rule(rules[i]).when.as_ref();
        // Which rules can fire, and which can carry a verdict, on some patient.
        let mut survives = vec![false; n];
        let mut fires = vec![false; n];
        for i in 0..n {
            let r = m.rules[i];
            let loose = inexact(g, &[when(i)]);
            let fire = m.when[i].t;
            match self.ask(&mut m, &[fire])? {
                None => {
                    self.unreachable(r, &loose);
                    continue;
                }
                Some(case) => {
                    fires[i] = true;
                    if !loose.is_empty() && rule_truth(&mut self.checker, &case, a, r) != Some(Truth::True) {
                        self.inexact_question(&[r], &loose, format!("whether rule `{}` can fire", g.rule(r).id));
                    }
                }
            }
            if m.verdict(i) == Verdict::Contraindicated {
                survives[i] = true;
                continue;
            }
            let beaters: Vec<usize> = (0..n)
                .filter(|o| m.verdict(*o) == Verdict::Contraindicated || m.overriders[i].contains(o))
                .collect();
            let mut conds = vec![when(i)];
            conds.extend(beaters.iter().map(|o| when(*o)));
            let loose = inexact(g, &conds);
            match self.ask(&mut m, &[kinds.survives[i], !kinds.contra])? {
                None => self.never_decides(&m, i, &beaters, &loose),
                Some(case) => {
                    survives[i] = true;
                    if !loose.is_empty() && !carries(&self.checker.evaluate(&case), a, r) {
                        self.inexact_question(
                            &[r],
                            &loose,
                            format!("whether rule `{}` ever carries a verdict", g.rule(r).id),
                        );
                    }
                }
            }
        }
        for i in 0..n {
            for j in i + 1..n {
                let (vi, vj) = (m.verdict(i), m.verdict(j));
                if vi == vj
                    || !survives[i]
                    || !survives[j]
                    || vi == Verdict::Contraindicated
                    || vj == Verdict::Contraindicated
                {
                    continue;
                }
                let assume = m.clash(i, j);
                if let Some(case) = self.ask(&mut m, &assume)? {
                    self.clash(&m, i, j, case);
                }
            }
        }
        self.agreeing_rules_differ(&mut m, &survives)?;
        self.amounts_never_chosen(&mut m, &fires)?;
        if self.options.redundancy {
            self.redundancy(&mut m, &fires)?;
        }
        self.invariants(&mut m)
    }

    fn redundancy(&mut self, m: &mut ActionModel, fires: &[bool]) -> Result<(), SolverFailure> {
        let g = self.g;
        let n = m.rules.len();
        let mut redundant = vec![false; n];
        // Later rules first, so that of two equivalent rules the later is reported.
        for i in (0..n).rev() {
            let ri = g.rule(m.rules[i]);
            if !fires[i] || ri.dose.is_some() || !ri.warnings.is_empty() {
                continue;
            }
            for j in 0..n {
                let rj = g.rule(m.rules[j]);
                let precedence_kept = ri.overrides.iter().all(|o| rj.overrides.contains(o))
                    && m.overriders[j].iter().all(|o| m.overriders[i].contains(o));
                if i == j || redundant[j] || !fires[j] || ri.verdict != rj.verdict || !precedence_kept {
                    continue;
                }
                let assume = [m.when[i].t, !m.when[j].t];
                if self.ask(m, &assume)?.is_none() {
                    redundant[i] = true;
                    let mut f = Finding::new(
                        "guidelang::lint::redundant",
                        Severity::Warning,
                        format!(
                            "rule `{}` is redundant: whenever it fires, `{}` fires too with the same verdict ({})",
                            ri.id, rj.id, ri.verdict
                        ),
                    )
                    .at(ri.when_span, "implies the other condition")
                    .at(rj.when_span, "already covers it")
                    .help(format!(
                        "remove `{}`, or merge what it adds (detail, rationale, citations) into `{}`",
                        ri.id, rj.id
                    ));
                    f.action = Some(g.action(m.action).name.clone());
                    f.rules = vec![ri.id.clone(), rj.id.clone()];
                    self.push(f);
                    break;
                }
            }
        }
        Ok(())
    }

    fn invariants(&mut self, m: &mut ActionModel) -> Result<(), SolverFailure> {
        let g = self.g;
        // The evaluator enforces every `never` claim (in file order) before any
        // `always decide` claim, and the latter sees what the former withheld.
        let mut nevers: Vec<(VerdictSet, Tv)> = Vec::new();
        for (index, inv) in g.invariants.iter().enumerate() {
            let Claim::Never { verdicts, action, when } = &inv.claim else {
                continue;
            };
            if *action != m.action {
                continue;
            }
            let c = m.claim(when);
            let kinds = m.complete_kinds();
            let mut broken = false;
            let mut undecided = false;
            for v in verdicts {
                let decided = kinds.kind(OutcomeKind::Verdict(*v));
                let Some(case) = self.ask(m, &[c.t, decided])? else {
                    continue;
                };
                let (json, violations) = run(g, &mut self.checker, &case, m.action);
                let shown = violations
                    .iter()
                    .any(|x| x.action == m.action && x.certain && x.verdict.is_some_and(|v| verdicts.contains(&v)));
                if shown {
                    let shows = format!(
                        "`{}` is decided {v} while the invariant's condition holds",
                        g.action(m.action).name
                    );
                    self.violation(m, index, json, shows);
                    broken = true;
                    break;
                }
                undecided = true;
            }
            if !broken {
                self.settled(index, undecided, inexact(g, &[Some(when)]));
            }
            nevers.push((verdicts.iter().collect(), c));
        }
        for (index, inv) in g.invariants.iter().enumerate() {
            let Claim::AlwaysDecide { action, when } = &inv.claim else {
                continue;
            };
            if *action != m.action {
                continue;
            }
            let c = m.condition(when);
            let open = m.undecided(&nevers, self.program.refines_exactly(m.action));
            self.report.queries += 1;
            let Some(case) = m.partial_case(&[c.t, open])? else {
                self.settled(index, false, Vec::new());
                continue;
            };
            let (json, violations) = run(g, &mut self.checker, &case, m.action);
            if violations.iter().any(|x| x.invariant == index && x.verdict.is_none()) {
                let shows = format!(
                    "`{}` is left undecided while the invariant's condition holds",
                    g.action(m.action).name
                );
                self.violation(m, index, json, shows);
            } else {
                self.settled(index, true, inexact(g, &[Some(when)]));
            }
        }
        Ok(())
    }

    fn settled(&mut self, index: usize, undecided: bool, loose: Vec<Span>) {
        let inv = &self.g.invariants[index];
        if undecided {
            let mut f = Finding::new(
                "guidelang::lint::inexact",
                Severity::Warning,
                format!("invariant `{}` could not be decided exactly", inv.id),
            )
            .at(first_line(self.g, inv.span), "neither proved nor broken")
            .help("a condition it depends on lies outside what the linter decides exactly (arithmetic on facts, comparing two facts); test it with cases");
            for s in loose {
                f = f.at(s, "not decided exactly");
            }
            f.invariant = Some(inv.id.clone());
            self.push(f);
        } else {
            self.report.proved.push(Proved {
                invariant: inv.id.clone(),
                span: first_line(self.g, inv.span),
            });
        }
    }

    fn violation(&mut self, m: &ActionModel, index: usize, json: serde_json::Value, shows: String) {
        let action = m.action;
        let inv = &self.g.invariants[index];
        let mut f = Finding::new(
            "guidelang::lint::invariant_violated",
            Severity::Error,
            format!("invariant `{}` is broken: some patient violates it", inv.id),
        )
        .at(first_line(self.g, inv.span), "broken by the witness case")
        .help("the witness below is a patient who breaks it; change the rules (a contraindication, an `overrides`, a narrower condition) so that no patient can");
        f.action = Some(self.g.action(action).name.clone());
        f.invariant = Some(inv.id.clone());
        f.facts = named(self.g, &m.enc.encoded_facts());
        f.witness = Some(json);
        f.shows = Some(shows);
        self.push(f);
    }

    fn unreachable(&mut self, r: RuleId, loose: &[Span]) {
        let rule = self.g.rule(r);
        let mut f = Finding::new(
            "guidelang::lint::unreachable",
            Severity::Warning,
            format!("rule `{}` can never fire: no patient in scope meets its condition", rule.id),
        )
        .at(rule.when_span, "never true")
        .help("check the thresholds against the facts' declared ranges and the guideline's scope; remove the rule if it is dead");
        for s in loose {
            f = f.at(*s, "over-approximated here");
        }
        f.action = Some(self.g.action(rule.action).name.clone());
        f.rules = vec![rule.id.clone()];
        self.push(f);
    }

    fn never_decides(&mut self, m: &ActionModel, i: usize, beaters: &[usize], loose: &[Span]) {
        let g = self.g;
        let rule = g.rule(m.rules[i]);
        let names: Vec<String> = beaters
            .iter()
            .map(|b| format!("`{}`", g.rule(m.rules[*b]).id))
            .collect();
        let mut f = Finding::new(
            "guidelang::lint::unreachable",
            Severity::Warning,
            format!(
                "rule `{}` never decides: whenever it fires, a rule that beats it fires too ({})",
                rule.id,
                names.join(", ")
            ),
        )
        .at(rule.when_span, "always beaten")
        .help("a contraindication or an `overrides` always takes precedence here; remove the rule or narrow the rules that beat it");
        for b in beaters {
            f = f.at(g.rule(m.rules[*b]).when_span, "beats it");
        }
        for s in loose {
            f = f.at(*s, "over-approximated here");
        }
        f.action = Some(g.action(m.action).name.clone());
        f.rules = std::iter::once(&m.rules[i])
            .chain(beaters.iter().map(|b| &m.rules[*b]))
            .map(|r| g.rule(*r).id.clone())
            .collect();
        self.push(f);
    }

    fn clash(&mut self, m: &ActionModel, i: usize, j: usize, case: Case) {
        let g = self.g;
        let (a, b) = (g.rule(m.rules[i]), g.rule(m.rules[j]));
        // Only the facts the conflict needs: the two rules' and the scope's,
        // and those of other rules only when leaving them out changes it.
        let mut own: Vec<crate::model::FactId> = g.scope.iter().flat_map(|s| g.facts_read(s)).collect();
        own.extend(a.depends_on.iter().chain(&b.depends_on));
        let checker = &mut self.checker;
        let pair = [m.rules[i], m.rules[j]];
        let (case, holds) = super::witness::trimmed(g, &case, &own, |c| checker.conflict_between(c, m.action, pair));
        let json = witness_json(g, &case);
        // The witness is checked as a case file would be, then on the action
        // alone: the conflict is decided before invariants are enforced.
        // When the file reads back as the very case trimming showed the
        // conflict on, that answer stands (asking again would enumerate the
        // most completions of any step); debug builds ask anyway.
        let shown = crate::facts::validate_json(g, &json).ok().is_some_and(|c| {
            if holds && super::witness::identical(g, &c, &case) {
                debug_assert!(self.checker.conflict_between(&c, m.action, pair));
                true
            } else {
                self.checker.conflict_between(&c, m.action, pair)
            }
        });
        if !shown {
            let loose = inexact(g, &[a.when.as_ref(), b.when.as_ref()]);
            self.inexact_question(
                &[m.rules[i], m.rules[j]],
                &loose,
                format!("whether rules `{}` and `{}` clash", a.id, b.id),
            );
            return;
        }
        let action = &g.action(m.action).name;
        let mut f = Finding::new(
            "guidelang::lint::clash",
            Severity::Error,
            format!(
                "rules `{}` ({}) and `{}` ({}) clash on `{action}`: both can fire and no precedence settles them",
                a.id, a.verdict, b.id, b.verdict
            ),
        )
        .at(a.when_span, format!("`{}` says {}", a.id, a.verdict))
        .at(b.when_span, format!("`{}` says {}", b.id, b.verdict))
        .help(format!(
            "state which wins with `overrides {}` on `{}` (or `overrides {}` on `{}`), or narrow one condition so that both cannot hold for the same patient",
            b.id, a.id, a.id, b.id
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
            "`{action}` is a conflict: `{}` says {}, `{}` says {}",
            a.id, a.verdict, b.id, b.verdict
        ));
        self.push(f);
    }

    fn inexact_question(&mut self, rules: &[RuleId], loose: &[Span], question: String) {
        let g = self.g;
        let ids: Vec<String> = rules.iter().map(|r| g.rule(*r).id.clone()).collect();
        let mut f = Finding::new(
            "guidelang::lint::inexact",
            Severity::Warning,
            format!("the linter cannot decide exactly {question}"),
        )
        .help("a condition involved lies outside what the linter decides exactly (arithmetic on facts, comparing two facts); test it with cases, or rewrite it as comparisons of facts with constants");
        let spans: Vec<Span> = if loose.is_empty() {
            rules.iter().map(|r| g.rule(*r).when_span).collect()
        } else {
            loose.to_vec()
        };
        for s in spans {
            f = f.at(s, "not decided exactly");
        }
        f.rules = ids;
        self.push(f);
    }
}

/// The first line of an item, where its keyword and id are.
fn first_line(g: &Guideline, span: Span) -> Span {
    let text = g.source.slice(span);
    let len = text.find('\n').unwrap_or(text.len());
    Span::new(span.start, span.start + text[..len].trim_end().len())
}

/// A case as JSON, whole numbers written as integers so that it reads as a
/// clinician would write it.
pub fn witness_json(g: &Guideline, case: &Case) -> serde_json::Value {
    let mut json = case.to_json(g);
    if let serde_json::Value::Object(map) = &mut json {
        for v in map.values_mut() {
            if let Some(x) = v.as_f64() {
                if x.fract() == 0.0 && x.abs() < 1e15 {
                    *v = serde_json::Value::from(x as i64);
                }
            }
        }
    }
    json
}

/// Validates a witness exactly as a case file would be, then evaluates it:
/// the invariants about action `a` it breaks or may break.
fn run(g: &Guideline, checker: &mut Checker, case: &Case, a: ActionId) -> (serde_json::Value, Vec<Violation>) {
    let json = witness_json(g, case);
    match crate::facts::validate_json(g, &json) {
        Ok(checked) => {
            let violations = checker.violations(&checked, a);
            (json, violations)
        }
        // A witness that does not validate shows nothing: the caller then
        // reports the question as undecided rather than a finding.
        Err(_) => (json, Vec::new()),
    }
}

fn named(g: &Guideline, facts: &[crate::model::FactId]) -> Vec<String> {
    facts.iter().map(|f| g.fact(*f).name.clone()).collect()
}

fn rule_truth(checker: &mut Checker, case: &Case, a: ActionId, r: RuleId) -> Option<Truth> {
    let result = checker.evaluate_action(case, a)?;
    result.trace.iter().find(|(x, _)| *x == r).map(|(_, t)| *t)
}

fn carries(e: &Evaluation, a: ActionId, r: RuleId) -> bool {
    match e.actions.get(a.index()).map(|x| &x.outcome) {
        Some(Outcome::Decided(d)) => d.rules.contains(&r),
        Some(Outcome::Conflict(rs)) => rs.contains(&r),
        Some(Outcome::Withheld { .. }) => true,
        _ => false,
    }
}
