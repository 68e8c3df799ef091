//! Checking: from the syntax tree to a [`Guideline`] where every name is
//! resolved, every type and unit agrees, and precedence is sound. Every problem
//! of a file is collected in one run.
//!
//! This file holds the checker's state and the order of the walk; each kind of
//! item is checked in its own file: `header.rs` (metadata, references),
//! `facts.rs` (fact declarations, names, actions), `definitions.rs` (in
//! dependency order), `rules.rs` (rules, doses, citations, `overrides`, notes),
//! `precedence.rs` (cycles), `invariants.rs` (claims, unused names), and
//! `expr.rs` (typing one expression).

mod action_codes;
mod binding;
mod change;
mod dates;
mod definitions;
mod derived;
mod descriptions;
mod doses;
mod expr;
mod facts;
mod header;
mod invariants;
mod precedence;
mod rules;
mod units;

use std::collections::{BTreeMap, HashMap, HashSet};

use sha2::{Digest, Sha256};

pub use binding::{
    loinc_check_digit, verhoeff_valid, well_formed as well_formed_code, MAX_WINDOW_SECONDS, WINDOW_UNITS,
};

use crate::diagnostics::{suggestion, Problem, Source, Span};
use crate::model::{self, facts_read_with, *};
use crate::syntax::ast::{self, Item};
use expr::Place;

/// Largest number of rules a guideline may hold.
pub const MAX_RULES: usize = 100_000;
/// Largest number of rules that may decide one action. The compiled evaluator
/// keeps, for each rule, the set of the action's rules that override it, so
/// its memory and resolution time grow with the square of this number.
pub const MAX_RULES_PER_ACTION: usize = 1_024;
/// Most errors one check reports, and separately most warnings; the rest are
/// counted in a closing problem. A file with more is not a draft but the wrong
/// file, and bounding the count bounds the work spent on suggestions.
pub const MAX_PROBLEMS: usize = 1_000;
/// Most "did you mean" suggestions one check computes: each costs an edit
/// distance per declared name, and past the first screenful nobody reads them.
pub const MAX_SUGGESTIONS: usize = 200;

/// The outcome of checking: the guideline (when there are no errors) and
/// every problem found, errors and warnings.
pub struct Checked {
    /// The checked guideline, present when no error was found.
    pub guideline: Option<Guideline>,
    /// All problems, in source order.
    pub problems: Vec<Problem>,
}

#[derive(Clone, Copy, Debug)]
enum Name {
    Fact(FactId),
    Def(DefId),
    /// A score, by its index in file order.
    Score(usize),
    /// A category, by its index in file order.
    Category(usize),
}

struct Checker<'a> {
    source: &'a Source,
    problems: Vec<Problem>,
    names: BTreeMap<String, Name>,
    /// Where each name in `names` was declared, to point at both places of a clash.
    name_spans: HashMap<String, Span>,
    facts: Vec<Fact>,
    def_types: Vec<Option<Type>>,
    used_facts: HashSet<FactId>,
    used_defs: HashSet<DefId>,
    action_names: HashSet<String>,
    /// True while checking a definition that states its unit.
    unit_stated: bool,
    /// Errors and warnings kept, then those left out past [`MAX_PROBLEMS`].
    kept: [usize; 2],
    dropped: [usize; 2],
    /// Suggestions computed so far, up to [`MAX_SUGGESTIONS`].
    suggested: usize,
    /// The molar mass (g/mol) each number fact states, for unit conversions.
    molar_masses: HashMap<FactId, crate::units::Ratio>,
    /// Facts whose declaration was refused (a bad unit, an empty range):
    /// their uses are not reported again as unknown names.
    refused_facts: HashSet<String>,
    /// Scores and categories, as they are checked.
    derived: derived::Derived,
}

/// Checks a parsed file.
pub fn check(file: &ast::File, source: &Source) -> Checked {
    let mut c = Checker {
        source,
        problems: Vec::new(),
        names: BTreeMap::new(),
        name_spans: HashMap::new(),
        facts: Vec::new(),
        def_types: Vec::new(),
        used_facts: HashSet::new(),
        used_defs: HashSet::new(),
        action_names: HashSet::new(),
        unit_stated: false,
        kept: [0; 2],
        dropped: [0; 2],
        suggested: 0,
        molar_masses: HashMap::new(),
        refused_facts: HashSet::new(),
        derived: derived::Derived::default(),
    };
    let g = c.guideline(file);
    let dropped = c.dropped;
    let mut problems = c.problems;
    // Categories are proved exclusive and exhaustive on the checked guideline
    // (a question for the SAT machinery), once everything else is sound.
    if let Some(g) = g.as_ref().filter(|_| !problems.iter().any(Problem::is_error)) {
        problems.extend(crate::analysis::prove_categories(g));
    }
    problems.sort_by_key(|p| (p.primary_span().map_or(0, |s| s.start), p.severity));
    for (n, what, make) in [
        (
            dropped[0],
            "errors",
            Problem::error as fn(&'static str, String) -> Problem,
        ),
        (dropped[1], "warnings", Problem::warning),
    ] {
        if n > 0 {
            problems.push(
                make(
                    "guidelang::check::too_many_problems",
                    format!("{n} more {what} were found and are not listed; only the first {MAX_PROBLEMS} are"),
                )
                .with_help("correct the ones listed and check again"),
            );
        }
    }
    let has_errors = problems.iter().any(Problem::is_error);
    let guideline = g.filter(|_| !has_errors).map(|mut g| {
        g.warnings = problems.iter().filter(|p| !p.is_error()).cloned().collect();
        g
    });
    Checked { guideline, problems }
}

/// `sha256:<hex>` of a text: the content hash every output names.
pub fn content_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

impl Checker<'_> {
    fn error(&mut self, p: Problem) {
        let slot = usize::from(!p.is_error());
        if self.kept[slot] >= MAX_PROBLEMS {
            self.dropped[slot] += 1;
            return;
        }
        self.kept[slot] += 1;
        self.problems.push(p.with_source(self.source));
    }

    /// True once no further error will be listed: what would only serve its
    /// message (suggestions, listings) need not be computed.
    fn saturated(&self) -> bool {
        self.kept[0] >= MAX_PROBLEMS
    }

    /// True while a "did you mean" may still be computed; counts it.
    fn may_suggest(&mut self) -> bool {
        if self.saturated() || self.suggested >= MAX_SUGGESTIONS {
            return false;
        }
        self.suggested += 1;
        true
    }

    fn guideline(&mut self, file: &ast::File) -> Option<Guideline> {
        let meta = self.meta(&file.header);
        let references = self.references(file);
        self.declare_facts(file);
        self.declare_derived(file);
        let (definitions, definition_order) = self.definitions(file);
        self.check_derived(file);
        let scope = file
            .header
            .scope
            .as_ref()
            .and_then(|e| self.condition(e, Place::Condition, "the scope (`applies when`)"));
        let cited: HashSet<u32> = references.iter().map(|r| r.number).collect();
        let definition_facts = model::definition_facts(&definitions, &definition_order);
        let (rules, actions) = self.rules(file, &cited, &definition_facts);
        let notes = self.notes(file, &cited);
        let invariants = self.invariants(file, &actions);
        self.unused(file);
        self.descriptions(file);
        let (scores, categories) = self.derived.take();
        let meta = meta?;
        if file.header.scope.is_some() && scope.is_none() {
            return None;
        }
        Some(Guideline {
            source: self.source.clone(),
            hash: content_hash(self.source.text()),
            meta,
            references,
            facts: self.facts.clone(),
            date_facts: model::date_facts(&self.facts),
            definitions,
            definition_order,
            definition_facts,
            scope,
            rules,
            actions,
            notes,
            invariants,
            warnings: Vec::new(),
            scores,
            categories,
        })
    }
}

/// Help for an undeclared name once the suggestions' budget is spent.
fn no_suggestion(what: &str) -> String {
    format!("check the spelling against the declared {what}s")
}

/// Calls `f` on every name an AST expression mentions.
fn names_in(e: &ast::Expr, f: &mut dyn FnMut(&str, Span)) {
    use ast::ExprKind as K;
    match &e.node {
        K::Name(n) => f(n, e.span),
        K::Bool(_) | K::Quantity { .. } | K::Today => {}
        K::Not(x) | K::Neg(x) | K::Sqrt(x) | K::Paren(x) => names_in(x, f),
        K::Binary { lhs, rhs, .. } => {
            names_in(lhs, f);
            names_in(rhs, f);
        }
        K::Is { subject, .. } | K::OneOf { subject, .. } | K::Known { subject, .. } => names_in(subject, f),
        K::Change { subject, baseline, .. } => {
            names_in(subject, f);
            f(&baseline.node, baseline.span);
        }
        K::AtLeast { items, .. } => items.iter().for_each(|i| names_in(i, f)),
    }
}

/// Calls `f` on every node of a checked expression.
pub fn visit(e: &Expr, f: &mut dyn FnMut(&ExprKind)) {
    f(&e.kind);
    match &e.kind {
        ExprKind::Bool(_) | ExprKind::Num(_) | ExprKind::Fact(_) | ExprKind::Def(_) | ExprKind::Today => {}
        ExprKind::Not(x)
        | ExprKind::Neg(x)
        | ExprKind::Sqrt(x)
        | ExprKind::EnumIn(x, _)
        | ExprKind::Known(x, _)
        | ExprKind::ShiftMonths(x, _) => visit(x, f),
        ExprKind::Elapsed(_, a, b)
        | ExprKind::Change {
            now: a, baseline: b, ..
        } => {
            visit(a, f);
            visit(b, f);
        }
        ExprKind::And(a, b) | ExprKind::Or(a, b) | ExprKind::Compare(_, a, b) | ExprKind::Arith(_, a, b) => {
            visit(a, f);
            visit(b, f);
        }
        ExprKind::AtLeast(_, items) => items.iter().for_each(|i| visit(i, f)),
    }
}
