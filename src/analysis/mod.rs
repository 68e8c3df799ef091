//! Static analysis of a checked guideline: the questions `guidelang lint`
//! answers for *every* patient, not for sampled ones.
//!
//! - **Clashes**: two rules on one action, with different verdicts, that can
//!   both survive resolution on some complete case ([`lint`] reports each with a
//!   witness case on which `guidelang eval` shows the conflict).
//! - **Invariants**: a `never` invariant broken by some complete case, an
//!   `always decide` invariant broken by some partial case (it is a claim about
//!   missing facts); each with a witness, or reported as proved.
//! - **Unreachable** rules (never fire, or never survive when they fire),
//!   **redundant** rules, rules without citation or rationale, an approved
//!   guideline without reviewers, and the checker's own warnings.
//!
//! The method (see `docs/analysis.md`): each numeric fact is cut into finitely
//! many cells at the constants it is compared with ([`domain`]); conditions
//! become clauses in the evaluator's three-valued logic ([`encode`]); the
//! resolution of an action is built on top ([`action`]) and every question is a
//! satisfiability query to a SAT solver ([`sat`]). Within the exact fragment
//! (booleans, enums, comparisons of a fact with a constant, `at least`,
//! definitions of these) an answer is exact both ways. Outside it, a
//! comparison is left free, which can only add cases: "no case" stays a proof,
//! and a witness is kept only if the real evaluator confirms it; otherwise the
//! question is reported as not decided exactly, never silently dropped.

// The method's internals are the crate's own: only the questions (lint,
// diff) and the finite domain they reason over are public.
mod action;
mod categories;
pub mod diff;
pub(crate) mod domain;
mod encode;
mod lint;
mod sat;
mod witness;

pub use domain::{Cell, Domain, FactDomain};
#[doc(hidden)]
pub use lint::lint_reference;
pub use lint::{lint, lint_with};
pub use sat::{Budget, SolverFailure};

pub(crate) use categories::prove_categories;
pub use encode::inexact_parts;

use crate::diagnostics::{Problem, Severity, Source, Span};

/// A labelled place in the guideline.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    /// Where.
    pub span: Span,
    /// What is there.
    pub text: String,
}

/// One lint finding.
#[derive(Clone, Debug)]
pub struct Finding {
    /// Stable code, e.g. `guidelang::lint::clash`.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// One sentence.
    pub message: String,
    /// The places involved; the first is the main one.
    pub places: Vec<Place>,
    /// How to settle it.
    pub help: Option<String>,
    /// The action concerned, if any.
    pub action: Option<String>,
    /// The rules concerned, by id.
    pub rules: Vec<String>,
    /// The invariant concerned, if any.
    pub invariant: Option<String>,
    /// A case (JSON object of facts) on which `guidelang eval` shows the problem.
    pub witness: Option<serde_json::Value>,
    /// What the witness shows, in words.
    pub shows: Option<String>,
    /// The facts of the witness that the conditions involved read, by name.
    pub facts: Vec<String>,
}

impl Finding {
    fn new(code: &'static str, severity: Severity, message: impl Into<String>) -> Finding {
        Finding {
            code,
            severity,
            message: message.into(),
            places: Vec::new(),
            help: None,
            action: None,
            rules: Vec::new(),
            invariant: None,
            witness: None,
            shows: None,
            facts: Vec::new(),
        }
    }

    fn at(mut self, span: Span, text: impl Into<String>) -> Finding {
        self.places.push(Place {
            span,
            text: text.into(),
        });
        self
    }

    fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// As a miette diagnostic on `source`.
    pub fn to_problem(&self, source: &Source) -> Problem {
        let mut p = match self.severity {
            Severity::Error => Problem::error(self.code, self.message.clone()),
            Severity::Warning => Problem::warning(self.code, self.message.clone()),
        };
        for place in &self.places {
            p = p.with_label(place.span, place.text.clone());
        }
        if let Some(h) = &self.help {
            p = p.with_help(h.clone());
        }
        p.with_source(source)
    }

    /// From a checker diagnostic (unused names, a precedence cycle...).
    pub fn from_problem(p: &Problem) -> Finding {
        let mut f = Finding::new(p.code, p.severity, p.message.clone());
        for l in &p.labels {
            f = f.at(l.span, l.text.clone());
        }
        f.help = p.help.clone();
        f
    }
}

/// An invariant no case breaks.
#[derive(Clone, Debug, PartialEq)]
pub struct Proved {
    /// Its id.
    pub invariant: String,
    /// Where it is declared.
    pub span: Span,
}

/// Findings of one kind listed by default; the rest are counted (see
/// [`LintReport::omitted`]). 400 mutually clashing rules make 79,800 clashes:
/// listed whole they printed 158 MB, which no reader reads and which can take
/// an editor or a CI log down with it.
pub const FINDINGS_PER_KIND: usize = 50;

/// Findings of one kind left out of a report by the cap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Omitted {
    /// Their code, e.g. `guidelang::lint::clash`.
    pub code: &'static str,
    /// Their severity.
    pub severity: Severity,
    /// How many were left out.
    pub count: usize,
}

/// Everything the linter found.
#[derive(Clone, Debug, Default)]
pub struct LintReport {
    /// Findings, in file order: with a cap, the first of each kind.
    pub findings: Vec<Finding>,
    /// Findings found but left out by the cap, counted per code and severity.
    pub omitted: Vec<Omitted>,
    /// Invariants proved to hold.
    pub proved: Vec<Proved>,
    /// Number of satisfiability queries made.
    pub queries: usize,
}

impl LintReport {
    /// Number of errors, the omitted ones included: a capped report fails
    /// exactly as the full one would.
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    /// Number of warnings, the omitted ones included.
    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        let listed = self.findings.iter().filter(|f| f.severity == severity).count();
        let left_out: usize = self
            .omitted
            .iter()
            .filter(|o| o.severity == severity)
            .map(|o| o.count)
            .sum();
        listed + left_out
    }

    /// A report of these findings, in their order, keeping the first
    /// `per_kind` of each code (`None`: all of them).
    pub fn of_findings(findings: Vec<Finding>, per_kind: Option<usize>) -> LintReport {
        let mut report = LintReport {
            findings,
            ..LintReport::default()
        };
        if let Some(cap) = per_kind {
            report.cap(cap);
        }
        report
    }

    /// Sorts the findings in file order and keeps the first `per_kind` of
    /// each code, counting the others. Settling twice keeps the same
    /// findings as settling once: the first `k` of a kind among the first `k`
    /// of each batch are the first `k` of all (the sort is stable, so ties
    /// keep the order in which they were found).
    pub(crate) fn settle(&mut self, per_kind: Option<usize>) {
        self.findings
            .sort_by_key(|f| (f.places.first().map_or(0, |p| p.span.start), f.severity, f.code));
        if let Some(cap) = per_kind {
            self.cap(cap);
        }
    }

    /// Adds counts of findings left out elsewhere (by the cap of a part of
    /// the analysis run on its own) to this report's.
    pub(crate) fn absorb_omitted(&mut self, omitted: &[Omitted]) {
        for o in omitted {
            match self
                .omitted
                .iter_mut()
                .find(|x| x.code == o.code && x.severity == o.severity)
            {
                Some(x) => x.count += o.count,
                None => self.omitted.push(o.clone()),
            }
        }
        self.omitted.sort_by_key(|o| (o.code, o.severity));
    }

    /// Keeps the first `cap` findings of each code, in their order, and
    /// counts the others.
    fn cap(&mut self, cap: usize) {
        let mut seen: Vec<(&'static str, usize)> = Vec::new();
        let mut omitted = std::mem::take(&mut self.omitted);
        self.findings.retain(|f| {
            let i = seen.iter().position(|(c, _)| *c == f.code).unwrap_or_else(|| {
                seen.push((f.code, 0));
                seen.len() - 1
            });
            seen[i].1 += 1;
            if seen[i].1 <= cap {
                return true;
            }
            match omitted
                .iter_mut()
                .find(|o| o.code == f.code && o.severity == f.severity)
            {
                Some(o) => o.count += 1,
                None => omitted.push(Omitted {
                    code: f.code,
                    severity: f.severity,
                    count: 1,
                }),
            }
            false
        });
        // By code, so that the order does not depend on when the cap was applied.
        omitted.sort_by_key(|o| (o.code, o.severity));
        self.omitted = omitted;
    }
}

/// What to look for, and how much work it may take.
#[derive(Clone, Debug)]
pub struct LintOptions {
    /// Look for redundant rules (one query per pair of agreeing rules).
    pub redundancy: bool,
    /// The solver work the whole lint may do; when it is spent, what is left
    /// is reported as not proved (`guidelang::lint::budget_spent`).
    pub budget: Budget,
    /// Findings of one kind to list; the others are only counted. `None`
    /// lists them all (`lint --all-findings`), however many there are.
    pub per_kind: Option<usize>,
    /// Threads to analyse the actions on (`lint --jobs`); 1, the default,
    /// analyses them in turn on the caller's thread (the only way in a
    /// browser). The report is the same for any number.
    pub jobs: usize,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            redundancy: true,
            budget: Budget::default(),
            per_kind: Some(FINDINGS_PER_KIND),
            jobs: 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CODES: [(&str, Severity); 3] = [
        ("guidelang::lint::clash", Severity::Error),
        ("guidelang::lint::redundant", Severity::Warning),
        ("guidelang::lint::inexact", Severity::Warning),
    ];

    fn finding(kind: usize, start: usize, n: usize) -> Finding {
        let (code, severity) = CODES[kind];
        // `n` tells equal places apart, to see that ties keep their order.
        Finding::new(code, severity, format!("finding {n}")).at(Span::new(start, start + 1), "here")
    }

    fn listed(report: &LintReport) -> Vec<String> {
        report.findings.iter().map(|f| f.message.clone()).collect()
    }

    proptest! {
        /// Settling in batches as they arrive (what the linter does to keep
        /// memory bounded) keeps the same findings, in the same order, and
        /// the same counts as settling the whole list once.
        #[test]
        fn settling_in_batches_is_settling_once(
            found in proptest::collection::vec((0..CODES.len(), 0usize..20), 0..200),
            cap in 0usize..8,
            every in 1usize..40,
        ) {
            let all: Vec<Finding> = found.iter().enumerate().map(|(n, (k, s))| finding(*k, *s, n)).collect();
            let mut once = LintReport { findings: all.clone(), ..LintReport::default() };
            once.settle(Some(cap));
            let mut batched = LintReport::default();
            for (i, f) in all.into_iter().enumerate() {
                batched.findings.push(f);
                if i % every == 0 {
                    batched.settle(Some(cap));
                }
            }
            batched.settle(Some(cap));
            prop_assert_eq!(listed(&batched), listed(&once));
            prop_assert_eq!(&batched.omitted, &once.omitted);
            // Nothing is lost from the counts.
            let errors = found.iter().filter(|(k, _)| CODES[*k].1 == Severity::Error).count();
            prop_assert_eq!(once.errors(), errors);
            prop_assert_eq!(once.errors() + once.warnings(), found.len());
            for (code, _) in CODES {
                let kept = once.findings.iter().filter(|f| f.code == code).count();
                let total = found.iter().filter(|(k, _)| CODES[*k].0 == code).count();
                prop_assert_eq!(kept, total.min(cap));
            }
        }
    }

    #[test]
    fn without_a_cap_every_finding_is_listed() {
        let all: Vec<Finding> = (0..100).map(|n| finding(0, 100 - n, n)).collect();
        let mut report = LintReport {
            findings: all,
            ..LintReport::default()
        };
        report.settle(None);
        assert_eq!(report.findings.len(), 100);
        assert!(report.omitted.is_empty());
        // In file order.
        assert_eq!(report.findings[0].places[0].span.start, 1);
    }
}
