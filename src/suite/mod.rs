//! Case suites: the editor's regression tests. A test case gives a patient's
//! facts and what the guideline must conclude — a verdict, an absent action, an
//! undecided one with the facts it needs, a note, a dose — and [`run_case`]
//! compares that with a real evaluation. [`Coverage`] records which rules,
//! precedence links and notes the suite exercised.

mod load;

pub use load::{discover, parse_suite, toml_files};

use crate::compile::Program;
use crate::diagnostics::did_you_mean;
use crate::eval::{Applicability, Evaluation, Evaluator, Outcome, Truth};
use crate::model::Verdict;
use crate::model::{FactId, Guideline, RuleId};
use crate::report::{fmt_num, fmt_range};
use crate::units::Unit;

/// One test case.
#[derive(Clone, Debug, PartialEq)]
pub struct TestCase {
    /// Its name, as the runner prints it.
    pub name: String,
    /// The file it came from.
    pub origin: String,
    /// The facts, as a case JSON object.
    pub facts: serde_json::Value,
    /// Whether the guideline must apply.
    pub scope: Option<ScopeExpect>,
    /// Expectations per action, in the file's order.
    pub actions: Vec<(String, ActionExpect)>,
    /// Notes that must be shown.
    pub notes: Vec<String>,
    /// Notes that must not be shown.
    pub notes_absent: Vec<String>,
    /// Every action not listed must be absent, and no note but those listed shown.
    pub complete: bool,
}

/// What the case says about scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeExpect {
    /// The guideline applies.
    Applies,
    /// Out of scope.
    NotApplicable,
    /// Scope cannot be decided from the facts.
    Undecided,
}

/// What the case says about one action.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionExpect {
    /// The outcome.
    pub outcome: OutcomeExpect,
    /// The dose the decision must carry.
    pub dose: Option<DoseExpect>,
    /// Fragments each shown warning must contain (`[]`: no warning at all).
    pub warnings: Option<Vec<String>>,
}

/// An expected outcome for an action.
#[derive(Clone, Debug, PartialEq)]
pub enum OutcomeExpect {
    /// Decided with this verdict.
    Verdict(Verdict),
    /// No rule applies: the action is not in the report.
    Absent,
    /// Undecided; with a list, exactly these absent facts would settle it.
    Undecided(Option<Vec<String>>),
    /// True rules disagree with no precedence.
    Conflict,
    /// Withheld by an invariant.
    Withheld,
}

/// An expected dose.
#[derive(Clone, Debug, PartialEq)]
pub enum DoseExpect {
    /// Multiplied out for the patient.
    Amount {
        /// Lower end.
        low: f64,
        /// Upper end.
        high: f64,
        /// Unit of the result, e.g. `mg/day`.
        unit: String,
    },
    /// Not computable without these facts.
    Needs(Vec<String>),
}

/// One difference between what a case expects and what came out.
#[derive(Clone, Debug, PartialEq)]
pub struct Mismatch {
    /// What is compared: an action, `scope`, `notes`, `facts`.
    pub subject: String,
    /// As the case expects it.
    pub expected: String,
    /// As the guideline concluded.
    pub actual: String,
}

/// The result of one case.
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// Empty when the case passed.
    pub mismatches: Vec<Mismatch>,
    /// The evaluation, when the facts were valid.
    pub evaluation: Option<Evaluation>,
}

impl CaseResult {
    /// True when every expectation held.
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty()
    }
}

/// Runs one case against a guideline, compiling it first; to run a suite,
/// compile once and call [`run_case_with`].
pub fn run_case(g: &Guideline, case: &TestCase) -> CaseResult {
    let program = Program::new(g);
    run_case_with(g, &mut Evaluator::new(&program), case)
}

/// Runs one case with an evaluator of `g`'s compiled program, reused from case to case.
pub fn run_case_with(g: &Guideline, evaluator: &mut Evaluator, case: &TestCase) -> CaseResult {
    let facts = match crate::facts::validate_json(g, &case.facts) {
        Ok(f) => f,
        Err(errors) => {
            let actual = errors
                .iter()
                .map(|e| format!("{} ({})", e.message, e.help))
                .collect::<Vec<_>>()
                .join("; ");
            return CaseResult {
                mismatches: vec![mismatch("facts", "a valid case", actual)],
                evaluation: None,
            };
        }
    };
    let e = evaluator.evaluate(&facts);
    let mut out = Vec::new();
    if let Some(scope) = case.scope {
        let actual = match e.applicability {
            Applicability::Applies => ScopeExpect::Applies,
            Applicability::NotApplicable => ScopeExpect::NotApplicable,
            Applicability::Unknown(_) => ScopeExpect::Undecided,
        };
        if actual != scope {
            out.push(mismatch("scope", scope_word(scope), scope_word(actual)));
        }
    }
    for (name, expect) in &case.actions {
        check_action(g, &e, name, expect, &mut out);
    }
    if case.complete {
        for a in &e.actions {
            let name = &g.action(a.action).name;
            if a.outcome != Outcome::Silent && !case.actions.iter().any(|(n, _)| n == name) {
                out.push(mismatch(name, "absent (the case is complete)", describe(g, &a.outcome)));
            }
        }
    }
    check_notes(g, &e, case, &mut out);
    CaseResult {
        mismatches: out,
        evaluation: Some(e),
    }
}

fn mismatch(subject: &str, expected: impl Into<String>, actual: impl Into<String>) -> Mismatch {
    Mismatch {
        subject: subject.to_string(),
        expected: expected.into(),
        actual: actual.into(),
    }
}

fn scope_word(s: ScopeExpect) -> &'static str {
    match s {
        ScopeExpect::Applies => "applies",
        ScopeExpect::NotApplicable => "not-applicable",
        ScopeExpect::Undecided => "undecided",
    }
}

fn fact_list(g: &Guideline, facts: &[FactId]) -> String {
    facts
        .iter()
        .map(|f| g.fact(*f).name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// An outcome as the runner shows it: `avoid`, `undecided, needs wbc (could be: recommend or none)`.
pub fn describe(g: &Guideline, o: &Outcome) -> String {
    match o {
        Outcome::Silent => "absent".into(),
        Outcome::Decided(d) => d.verdict.to_string(),
        Outcome::Undecided { needs, possible } => {
            let could: Vec<String> = possible
                .iter()
                .map(|v| v.map_or_else(|| "absent".to_string(), |v| v.to_string()))
                .collect();
            let mut s = "undecided".to_string();
            if !needs.is_empty() {
                s.push_str(&format!(", needs {}", fact_list(g, needs)));
            }
            if !could.is_empty() {
                s.push_str(&format!(" (could be {})", could.join(" or ")));
            }
            s
        }
        Outcome::Conflict(rules) => {
            let list: Vec<String> = rules
                .iter()
                .map(|r| format!("{} says {}", g.rule(*r).id, g.rule(*r).verdict))
                .collect();
            format!("conflict: {}", list.join("; "))
        }
        Outcome::Withheld { invariant, verdict } => {
            format!(
                "withheld by invariant {} (would be {verdict})",
                g.invariants[*invariant].id
            )
        }
    }
}

fn expected_word(o: &OutcomeExpect) -> String {
    match o {
        OutcomeExpect::Verdict(v) => v.to_string(),
        OutcomeExpect::Absent => "absent".into(),
        OutcomeExpect::Undecided(None) => "undecided".into(),
        OutcomeExpect::Undecided(Some(needs)) if needs.is_empty() => "undecided, needing no fact".into(),
        OutcomeExpect::Undecided(Some(needs)) => format!("undecided, needs {}", needs.join(", ")),
        OutcomeExpect::Conflict => "conflict".into(),
        OutcomeExpect::Withheld => "withheld".into(),
    }
}

fn check_action(g: &Guideline, e: &Evaluation, name: &str, expect: &ActionExpect, out: &mut Vec<Mismatch>) {
    let Some(id) = g.action_id(name) else {
        let actual = match did_you_mean(name, g.actions.iter().map(|a| a.name.as_str())) {
            Some(s) => format!("no action `{name}` in the guideline; did you mean `{s}`?"),
            None => format!("no action `{name}` in the guideline"),
        };
        out.push(mismatch(name, expected_word(&expect.outcome), actual));
        return;
    };
    // Out of scope, no action is in the report.
    let outcome = e
        .actions
        .iter()
        .find(|a| a.action == id)
        .map_or(Outcome::Silent, |a| a.outcome.clone());
    let same = match (&expect.outcome, &outcome) {
        (OutcomeExpect::Verdict(v), Outcome::Decided(d)) => d.verdict == *v,
        (OutcomeExpect::Absent, Outcome::Silent) => true,
        (OutcomeExpect::Undecided(None), Outcome::Undecided { .. }) => true,
        (OutcomeExpect::Undecided(Some(names)), Outcome::Undecided { needs, .. }) => {
            let mut want: Vec<&str> = names.iter().map(String::as_str).collect();
            let mut got: Vec<&str> = needs.iter().map(|f| g.fact(*f).name.as_str()).collect();
            want.sort_unstable();
            got.sort_unstable();
            want == got
        }
        (OutcomeExpect::Conflict, Outcome::Conflict(_)) => true,
        (OutcomeExpect::Withheld, Outcome::Withheld { .. }) => true,
        _ => false,
    };
    if !same {
        out.push(mismatch(name, expected_word(&expect.outcome), describe(g, &outcome)));
        return;
    }
    let Outcome::Decided(d) = &outcome else { return };
    if let Some(want) = &expect.dose {
        let shown: Vec<String> = d.doses.iter().map(|dose| dose_text(g, dose)).collect();
        let hit = d.doses.iter().any(|dose| dose_matches(g, dose, want));
        if !hit {
            let actual = if shown.is_empty() {
                "no dose".to_string()
            } else {
                shown.join("; ")
            };
            out.push(mismatch(&format!("{name} dose"), dose_expected(want), actual));
        }
    }
    if let Some(fragments) = &expect.warnings {
        let texts: Vec<&str> = d
            .warnings
            .iter()
            .map(|w| g.rule(w.rule).warnings[w.index].text.as_str())
            .collect();
        let ok = if fragments.is_empty() {
            texts.is_empty()
        } else {
            fragments.len() == texts.len() && fragments.iter().all(|f| texts.iter().any(|t| t.contains(f.as_str())))
        };
        if !ok {
            let expected = if fragments.is_empty() {
                "no warning".to_string()
            } else {
                fragments
                    .iter()
                    .map(|f| format!("\"…{f}…\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let actual = if texts.is_empty() {
                "no warning".to_string()
            } else {
                texts.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(", ")
            };
            out.push(mismatch(&format!("{name} warnings"), expected, actual));
        }
    }
}

/// Two amounts agree when they read the same in the report, or are equal to
/// one part in a million.
fn same_amount(a: f64, b: f64) -> bool {
    fmt_num(a) == fmt_num(b) || (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

fn dose_matches(g: &Guideline, dose: &crate::eval::DoseResult, want: &DoseExpect) -> bool {
    let Some(spec) = &g.rule(dose.rule).dose else {
        return false;
    };
    match (want, dose.amount) {
        (DoseExpect::Amount { low, high, unit }, Some((lo, hi))) => {
            let result_unit = spec.branches.first().map(|b| &b.amount.result_unit);
            same_amount(lo, *low) && same_amount(hi, *high) && Unit::parse(unit).is_ok_and(|u| Some(&u) == result_unit)
        }
        (DoseExpect::Needs(names), None) => {
            let mut want: Vec<&str> = names.iter().map(String::as_str).collect();
            // A pending choice needs the facts that settle it.
            let needs = if dose.branch.is_none() {
                &dose.settle
            } else {
                &dose.needs
            };
            let mut got: Vec<&str> = needs.iter().map(|f| g.fact(*f).name.as_str()).collect();
            want.sort_unstable();
            got.sort_unstable();
            want == got
        }
        _ => false,
    }
}

fn dose_text(g: &Guideline, dose: &crate::eval::DoseResult) -> String {
    let Some(spec) = &g.rule(dose.rule).dose else {
        return String::new();
    };
    let unit = spec
        .branches
        .first()
        .map(|b| b.amount.result_unit.to_string())
        .unwrap_or_default();
    match dose.amount {
        Some((lo, hi)) => fmt_range(lo, hi, &unit),
        None if dose.branch.is_none() => format!("not chosen, needs {}", fact_list(g, &dose.settle)),
        None if !dose.not_finite.is_empty() => {
            format!("not computed, not finite from {}", fact_list(g, &dose.not_finite))
        }
        None => format!("not computed, needs {}", fact_list(g, &dose.needs)),
    }
}

fn dose_expected(want: &DoseExpect) -> String {
    match want {
        DoseExpect::Amount { low, high, unit } => fmt_range(*low, *high, unit),
        DoseExpect::Needs(n) => format!("not computed, needs {}", n.join(", ")),
    }
}

fn check_notes(g: &Guideline, e: &Evaluation, case: &TestCase, out: &mut Vec<Mismatch>) {
    let shown: Vec<&str> = e.notes.iter().map(|n| g.notes[*n].id.as_str()).collect();
    let known = |id: &str, out: &mut Vec<Mismatch>| {
        if g.notes.iter().any(|n| n.id == id) {
            return true;
        }
        let actual = match did_you_mean(id, g.notes.iter().map(|n| n.id.as_str())) {
            Some(s) => format!("no note `{id}` in the guideline; did you mean `{s}`?"),
            None => format!("no note `{id}` in the guideline"),
        };
        out.push(mismatch(&format!("note {id}"), "a note of the guideline", actual));
        false
    };
    let shown_text = || {
        if shown.is_empty() {
            "no note shown".to_string()
        } else {
            format!("shown: {}", shown.join(", "))
        }
    };
    for id in &case.notes {
        if known(id, out) && !shown.contains(&id.as_str()) {
            out.push(mismatch(&format!("note {id}"), "shown", shown_text()));
        }
    }
    for id in &case.notes_absent {
        if known(id, out) && shown.contains(&id.as_str()) {
            out.push(mismatch(&format!("note {id}"), "not shown", shown_text()));
        }
    }
    if case.complete {
        for id in shown.iter().filter(|s| !case.notes.iter().any(|n| n == *s)) {
            out.push(mismatch(
                &format!("note {id}"),
                "not shown (the case is complete)",
                "shown",
            ));
        }
    }
}

/// What a suite exercised. A rule counts when it carries the decision in a case
/// that states an expectation about its action; a precedence link (`A
/// overrides B`) when both are true and A carries the decision, in such a case;
/// a note when it is shown in a case that expects it. Running a rule without
/// checking its result does not count.
#[derive(Clone, Debug)]
pub struct Coverage {
    /// Per rule, whether exercised.
    pub rules: Vec<bool>,
    /// Every `overrides` link (winner, overridden) and whether exercised.
    pub links: Vec<(RuleId, RuleId, bool)>,
    /// Per note, whether exercised.
    pub notes: Vec<bool>,
}

impl Coverage {
    /// Nothing exercised yet.
    pub fn new(g: &Guideline) -> Coverage {
        let links = g
            .rules
            .iter()
            .enumerate()
            .flat_map(|(i, r)| r.overrides.iter().map(move |o| (RuleId(i as u32), *o, false)))
            .collect();
        Coverage {
            rules: vec![false; g.rules.len()],
            links,
            notes: vec![false; g.notes.len()],
        }
    }

    /// Records what one case exercised.
    pub fn record(&mut self, g: &Guideline, case: &TestCase, e: &Evaluation) {
        for a in &e.actions {
            let checked = case.complete || case.actions.iter().any(|(n, _)| *n == g.action(a.action).name);
            let Outcome::Decided(d) = &a.outcome else { continue };
            if !checked {
                continue;
            }
            for r in &d.rules {
                self.rules[r.index()] = true;
            }
            let fired = |r: RuleId| a.trace.iter().any(|(x, t)| *x == r && *t == Truth::True);
            for (winner, loser, hit) in &mut self.links {
                if d.rules.contains(winner) && fired(*loser) {
                    *hit = true;
                }
            }
        }
        for &n in &e.notes {
            if case.complete || case.notes.iter().any(|id| *id == g.notes[n].id) {
                self.notes[n] = true;
            }
        }
    }

    /// (exercised, total) over rules, links and notes together.
    pub fn counts(&self) -> (usize, usize) {
        let hit = self.rules.iter().filter(|x| **x).count()
            + self.links.iter().filter(|l| l.2).count()
            + self.notes.iter().filter(|x| **x).count();
        (hit, self.rules.len() + self.links.len() + self.notes.len())
    }

    /// The percentage exercised; 100 when there is nothing to exercise.
    pub fn percent(&self) -> f64 {
        let (hit, total) = self.counts();
        if total == 0 {
            100.0
        } else {
            hit as f64 * 100.0 / total as f64
        }
    }

    /// What no case exercised, as lines: `rule r`, `precedence a overrides b`, `note n`.
    pub fn missed(&self, g: &Guideline) -> Vec<String> {
        let rules = self.rules.iter().enumerate().filter(|(_, hit)| !**hit).map(|(i, _)| {
            format!(
                "rule {} ({} {})",
                g.rules[i].id,
                g.rules[i].verdict,
                g.action(g.rules[i].action).name
            )
        });
        let links = self
            .links
            .iter()
            .filter(|l| !l.2)
            .map(|(w, l, _)| format!("precedence {} overrides {}", g.rule(*w).id, g.rule(*l).id));
        let notes = self
            .notes
            .iter()
            .enumerate()
            .filter(|(_, hit)| !**hit)
            .map(|(i, _)| format!("note {}", g.notes[i].id));
        rules.chain(links).chain(notes).collect()
    }
}
