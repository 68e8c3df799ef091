//! Actions a change leaves alone: their rules (conditions, verdicts,
//! precedence, doses, warnings), the scope, and every definition and fact
//! declaration these read are the same in both versions. Such an action
//! decides every patient as before, so `diff` reports nothing about it —
//! not even "not compared" when its conditions lie outside the exact
//! fragment (two copies of one inexact condition are two free atoms to the
//! solver, which would otherwise see them disagree).

use std::collections::BTreeSet;

use super::{squash, text_of};
use crate::model::{Expr, ExprKind, Guideline, Rule};

/// True when the action's rules in `old` and `new` (each in file order) and
/// everything they read are the same, so that its decision cannot change.
pub(super) fn action_unchanged(old: &Guideline, old_rules: &[&Rule], new: &Guideline, new_rules: &[&Rule]) -> bool {
    if old_rules.len() != new_rules.len()
        || text_of(old, old.scope.as_ref()) != text_of(new, new.scope.as_ref())
        || derived_text(old) != derived_text(new)
    {
        return false;
    }
    let same_rules = old_rules
        .iter()
        .zip(new_rules)
        .all(|(o, n)| o.id == n.id && decides_alike(old, o, new, n));
    same_rules && same_reads(old, &read_by(old, old_rules), new, &read_by(new, new_rules))
}

/// The parts of a rule that make a decision: its verdict, condition,
/// precedence, dose and warnings (not its wording: detail, rationale, citations).
fn decides_alike(og: &Guideline, o: &Rule, ng: &Guideline, n: &Rule) -> bool {
    let overrides =
        |g: &Guideline, r: &Rule| -> Vec<String> { r.overrides.iter().map(|x| g.rule(*x).id.clone()).collect() };
    let dose = super::items::dose_text;
    let warnings = |g: &Guideline, r: &Rule| -> Vec<(String, String)> {
        r.warnings
            .iter()
            .map(|w| (w.text.clone(), text_of(g, w.when.as_ref())))
            .collect()
    };
    o.verdict == n.verdict
        && text_of(og, o.when.as_ref()) == text_of(ng, n.when.as_ref())
        && overrides(og, o) == overrides(ng, n)
        && dose(og, o) == dose(ng, n)
        && warnings(og, o) == warnings(ng, n)
}

/// Names of the facts and definitions read, directly or through definitions.
#[derive(Default)]
struct Reads {
    facts: BTreeSet<String>,
    definitions: BTreeSet<String>,
}

/// What the scope and the rules' conditions, doses and warnings read.
fn read_by(g: &Guideline, rules: &[&Rule]) -> Reads {
    let mut pending: Vec<&Expr> = g.scope.iter().collect();
    for r in rules {
        pending.extend(r.when.iter());
        for b in r.dose.iter().flat_map(|d| &d.branches) {
            pending.extend(b.amount.by.as_ref().map(|by| &by.expr));
            pending.extend(b.when.as_ref());
        }
        pending.extend(r.warnings.iter().filter_map(|w| w.when.as_ref()));
    }
    let mut reads = Reads::default();
    while let Some(e) = pending.pop() {
        crate::check::visit(e, &mut |k| match k {
            ExprKind::Fact(f) => {
                reads.facts.insert(g.fact(*f).name.clone());
            }
            ExprKind::Def(d) => {
                let def = &g.definitions[d.index()];
                if reads.definitions.insert(def.name.clone()) {
                    pending.push(&def.body);
                }
            }
            _ => {}
        });
    }
    reads
}

/// Whether both versions read the same names, declared alike: a fact with
/// the same type and range, a definition declared with the same text.
fn same_reads(old: &Guideline, o: &Reads, new: &Guideline, n: &Reads) -> bool {
    if o.facts != n.facts || o.definitions != n.definitions {
        return false;
    }
    let facts_alike = o.facts.iter().all(|name| match (old.fact_id(name), new.fact_id(name)) {
        (Some(a), Some(b)) => old.fact(a).kind == new.fact(b).kind,
        _ => false,
    });
    let body = |g: &Guideline, name: &str| {
        g.definitions
            .iter()
            .find(|d| d.name == name)
            // The whole declaration: a type or unit written before the body
            // changes what the body means.
            .map(|d| squash(g.source.slice(d.span)))
    };
    facts_alike
        && o.definitions.iter().all(|name| {
            let (a, b) = (body(old, name), body(new, name));
            a.is_some() && a == b
        })
}

/// Every score and category as written. A rule reads one through a condition
/// whose text names it (`chads_vasc >= 2`), unchanged when only an item's
/// points or a level's condition moved; so any change to them counts for
/// every action (the decisions are then compared, with witnesses).
fn derived_text(g: &Guideline) -> Vec<String> {
    let scores = g.scores.iter().map(|s| squash(g.source.slice(s.span)));
    let categories = g.categories.iter().map(|c| squash(g.source.slice(c.span)));
    scores.chain(categories).collect()
}
