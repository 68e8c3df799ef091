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
pub mod diff;
pub(crate) mod domain;
mod encode;
mod lint;
mod sat;

pub use domain::{Cell, Domain, FactDomain};
pub use lint::{lint, lint_with};
pub use sat::{Budget, SolverFailure};

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

/// Everything the linter found.
#[derive(Clone, Debug, Default)]
pub struct LintReport {
    /// Findings, in file order.
    pub findings: Vec<Finding>,
    /// Invariants proved to hold.
    pub proved: Vec<Proved>,
    /// Number of satisfiability queries made.
    pub queries: usize,
}

impl LintReport {
    /// Number of errors.
    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|f| f.is_error()).count()
    }

    /// Number of warnings.
    pub fn warnings(&self) -> usize {
        self.findings.len() - self.errors()
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
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            redundancy: true,
            budget: Budget::default(),
        }
    }
}
