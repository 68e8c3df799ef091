//! Decisions compared for every patient: both versions encoded into one SAT
//! instance over shared facts, and for each action every pair of outcome
//! kinds (before, after) that some complete case shows, with that case as a
//! witness confirmed by each version's evaluator.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;
use varisat::Lit;

use super::{DecisionChange, NotCompared};
use crate::analysis::action::{outcome_kinds, Kinds};
use crate::analysis::domain::{collect_cuts, Domain};
use crate::analysis::encode::{inexact_parts, Encoder, Tv};
use crate::analysis::lint::{witness_json, Checker};
use crate::analysis::sat::{Budget, SolverFailure};
use crate::compile::Program;
use crate::eval::{ActionEvaluator, Outcome};
use crate::facts::Case;
use crate::model::{Definition, Expr, ExprKind, FactId, FactKind, Guideline, OutcomeKind, Rule, RuleId, Type, Verdict};

/// The new guideline extended with the old one's facts and definitions, and
/// the renaming of the old facts and definitions into it.
struct Universe {
    g: Guideline,
    facts: Vec<Option<FactId>>,
    def_offset: usize,
    broken_defs: Vec<bool>,
    incompatible: Vec<String>,
}

impl Universe {
    fn new(old: &Guideline, new: &Guideline) -> Universe {
        let mut g = new.clone();
        let mut facts = Vec::new();
        let mut incompatible = Vec::new();
        for f in &old.facts {
            match new.fact_id(&f.name) {
                Some(j) => match meet(&new.fact(j).kind, &f.kind) {
                    Some(kind) => {
                        g.facts[j.index()].kind = kind;
                        facts.push(Some(j));
                    }
                    None => {
                        incompatible.push(f.name.clone());
                        facts.push(None);
                    }
                },
                None => {
                    g.facts.push(f.clone());
                    facts.push(Some(FactId(g.facts.len() as u32 - 1)));
                }
            }
        }
        let mut u = Universe {
            def_offset: g.definitions.len(),
            g,
            facts,
            broken_defs: Vec::new(),
            incompatible,
        };
        for d in &old.definitions {
            let body = u.remap(&d.body);
            u.broken_defs.push(body.is_none());
            let ty = match &d.ty {
                Type::Enum(f) => Type::Enum(u.facts[f.index()].unwrap_or(FactId(0))),
                t => t.clone(),
            };
            u.g.definitions.push(Definition {
                name: format!("{} (old)", d.name),
                ty,
                body: body.unwrap_or(Expr {
                    kind: ExprKind::Bool(false),
                    span: d.body.span,
                }),
                description: None,
                span: d.span,
            });
        }
        // The old definitions come after the new ones and use only each other.
        let old_order = old.definition_order.iter();
        let shifted = old_order.map(|d| crate::model::DefId((u.def_offset + d.index()) as u32));
        u.g.definition_order.extend(shifted);
        u.g.definition_facts = crate::model::definition_facts(&u.g.definitions, &u.g.definition_order);
        u
    }

    /// An old expression in the universe's names; `None` when it reads a fact
    /// the versions cannot share.
    fn remap(&self, e: &Expr) -> Option<Expr> {
        let r = |x: &Expr| self.remap(x).map(Box::new);
        let kind = match &e.kind {
            ExprKind::Fact(f) => ExprKind::Fact(self.facts[f.index()]?),
            ExprKind::Def(d) => {
                if self.broken_defs.get(d.index()).copied().unwrap_or(true) {
                    return None;
                }
                ExprKind::Def(crate::model::DefId((self.def_offset + d.index()) as u32))
            }
            ExprKind::Bool(b) => ExprKind::Bool(*b),
            ExprKind::Num(x) => ExprKind::Num(*x),
            ExprKind::Not(x) => ExprKind::Not(r(x)?),
            ExprKind::Neg(x) => ExprKind::Neg(r(x)?),
            ExprKind::Sqrt(x) => ExprKind::Sqrt(r(x)?),
            ExprKind::Known(x, n) => ExprKind::Known(r(x)?, *n),
            ExprKind::And(a, b) => ExprKind::And(r(a)?, r(b)?),
            ExprKind::Or(a, b) => ExprKind::Or(r(a)?, r(b)?),
            ExprKind::Compare(op, a, b) => ExprKind::Compare(*op, r(a)?, r(b)?),
            ExprKind::Arith(op, a, b) => ExprKind::Arith(*op, r(a)?, r(b)?),
            ExprKind::AtLeast(n, items) => {
                ExprKind::AtLeast(*n, items.iter().map(|i| self.remap(i)).collect::<Option<Vec<_>>>()?)
            }
            // Enum values are matched by name: `meet` keeps only facts whose
            // values are the same list, so the bits carry over.
            ExprKind::EnumIn(x, mask) => ExprKind::EnumIn(r(x)?, *mask),
            ExprKind::Today => ExprKind::Today,
            ExprKind::ShiftMonths(x, months) => ExprKind::ShiftMonths(r(x)?, *months),
            ExprKind::Elapsed(unit, a, b) => ExprKind::Elapsed(*unit, r(a)?, r(b)?),
            ExprKind::Change {
                now,
                baseline,
                percent,
                rise,
            } => ExprKind::Change {
                now: r(now)?,
                baseline: r(baseline)?,
                percent: *percent,
                rise: *rise,
            },
        };
        Some(Expr { kind, span: e.span })
    }
}

/// The values both declarations accept, when the types agree.
fn meet(a: &FactKind, b: &FactKind) -> Option<FactKind> {
    let lo = |x: Option<f64>, y: Option<f64>| match (x, y) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    };
    let hi = |x: Option<f64>, y: Option<f64>| match (x, y) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    match (a, b) {
        (FactKind::Bool, FactKind::Bool) => Some(FactKind::Bool),
        (FactKind::Date, FactKind::Date) => Some(FactKind::Date),
        (FactKind::Enum { values: x }, FactKind::Enum { values: y }) if x == y => Some(a.clone()),
        (FactKind::Integer { min: a1, max: a2 }, FactKind::Integer { min: b1, max: b2 }) => Some(FactKind::Integer {
            min: lo(*a1, *b1),
            max: hi(*a2, *b2),
        }),
        (
            FactKind::Number { unit, min: a1, max: a2 },
            FactKind::Number {
                unit: u2,
                min: b1,
                max: b2,
            },
        ) if unit == u2 => Some(FactKind::Number {
            unit: unit.clone(),
            min: lo(*a1, *b1),
            max: hi(*a2, *b2),
        }),
        _ => None,
    }
}

/// One version's rules on one action, encoded.
struct Side {
    kinds: Kinds,
    inexact: bool,
}

fn side(enc: &mut Encoder, scope: Tv, conds: &[Option<Expr>], verdicts: &[Verdict], overriders: &[Vec<usize>]) -> Side {
    let world: Vec<Lit> = conds
        .iter()
        .map(|c| {
            let tv = enc.optional(c.as_ref());
            enc.sat.and(&[scope.t, tv.t])
        })
        .collect();
    Side {
        kinds: outcome_kinds(&mut enc.sat, &world, verdicts, overriders),
        inexact: false,
    }
}

/// For each of one action's rules (given with their ids), the positions of
/// the rules that override it.
fn positions(rules: &[(RuleId, &Rule)]) -> Vec<Vec<usize>> {
    rules
        .iter()
        .map(|(me, _)| {
            rules
                .iter()
                .enumerate()
                .filter(|(_, (_, o))| o.overrides.contains(me))
                .map(|(i, _)| i)
                .collect()
        })
        .collect()
}

/// Each action's rules with their ids, in file order, by action name: one
/// pass over the rules instead of one per action.
fn rules_by_action(g: &Guideline) -> HashMap<&str, Vec<(RuleId, &Rule)>> {
    let mut by: HashMap<&str, Vec<(RuleId, &Rule)>> = HashMap::new();
    for (i, r) in g.rules.iter().enumerate() {
        by.entry(g.action(r.action).name.as_str())
            .or_default()
            .push((RuleId(i as u32), r));
    }
    by
}

type Changes = (Vec<DecisionChange>, Vec<NotCompared>);

/// `reference`: check witnesses as [`super::diff_reference`] does.
pub(super) fn decision_changes(
    old: &Guideline,
    new: &Guideline,
    budget: &Budget,
    reference: bool,
) -> Result<Changes, SolverFailure> {
    let u = Universe::new(old, new);
    let old_scope = match &old.scope {
        Some(s) => u.remap(s).map(Some),
        None => Some(None),
    };
    let mut names: Vec<&str> = new.actions.iter().map(|a| a.name.as_str()).collect();
    let new_names: HashSet<&str> = names.iter().copied().collect();
    names.extend(
        old.actions
            .iter()
            .map(|a| a.name.as_str())
            .filter(|n| !new_names.contains(n)),
    );
    let mut cuts = BTreeMap::new();
    let old_whens: Vec<Option<Option<Expr>>> = old
        .rules
        .iter()
        .map(|r| match &r.when {
            Some(w) => u.remap(w).map(Some),
            None => Some(None),
        })
        .collect();
    for e in new
        .scope
        .iter()
        .chain(new.rules.iter().filter_map(|r| r.when.as_ref()))
        .chain(old_scope.iter().flatten())
        .chain(old_whens.iter().flatten().flatten())
    {
        collect_cuts(&u.g, e, &mut cuts);
    }
    let dom = Domain::with_cuts(&u.g, &cuts);
    // Compiled once: every witness below is run through both versions,
    // evaluating only the action it is about.
    let (old_program, new_program) = (Program::new(old), Program::new(new));
    let (mut old_checker, mut new_checker) = if reference {
        (Checker::Whole(&old_program), Checker::Whole(&new_program))
    } else {
        (
            Checker::Cones(ActionEvaluator::new(&old_program)),
            Checker::Cones(ActionEvaluator::new(&new_program)),
        )
    };
    let (old_by_action, new_by_action) = (rules_by_action(old), rules_by_action(new));
    let mut decisions = Vec::new();
    let mut not_compared = Vec::new();
    for name in names {
        let new_ided = new_by_action.get(name).map_or(&[][..], |rs| &rs[..]);
        let old_ided = old_by_action.get(name).map_or(&[][..], |rs| &rs[..]);
        let new_rules: Vec<&Rule> = new_ided.iter().map(|(_, r)| *r).collect();
        let old_rules: Vec<&Rule> = old_ided.iter().map(|(_, r)| *r).collect();
        // Nothing it decides with changed: the same decision for every
        // patient, so nothing to report, and no solver work.
        if super::unchanged::action_unchanged(old, &old_rules, new, &new_rules) {
            continue;
        }
        let old_conds: Option<Vec<Option<Expr>>> = old_ided.iter().map(|(i, _)| old_whens[i.index()].clone()).collect();
        let (Some(old_conds), Some(old_scope)) = (old_conds, old_scope.clone()) else {
            not_compared.push(NotCompared {
                action: name.to_string(),
                reason: format!("a fact it reads changed its type: {}", u.incompatible.join(", ")),
            });
            continue;
        };
        let mut enc = Encoder::new(&u.g, &dom, budget);
        let scope_new = enc.optional(new.scope.as_ref());
        let scope_old = enc.optional(old_scope.as_ref());
        let new_conds: Vec<Option<Expr>> = new_rules.iter().map(|r| r.when.clone()).collect();
        let verdicts = |rs: &[&Rule]| rs.iter().map(|r| r.verdict).collect::<Vec<_>>();
        let mut before = side(
            &mut enc,
            scope_old,
            &old_conds,
            &verdicts(&old_rules),
            &positions(old_ided),
        );
        let mut after = side(
            &mut enc,
            scope_new,
            &new_conds,
            &verdicts(&new_rules),
            &positions(new_ided),
        );
        before.inexact = old_conds
            .iter()
            .flatten()
            .chain(old_scope.iter())
            .any(|e| !inexact_parts(&u.g, e).is_empty());
        after.inexact = new_conds
            .iter()
            .flatten()
            .chain(new.scope.iter())
            .any(|e| !inexact_parts(&u.g, e).is_empty());
        // A comparison of two facts is exact, but its witness point can be
        // lost when one fact sits in several such pairs, or a wide integer
        // cell is searched loosely: an unconfirmed witness is then reported.
        let reads_two_facts = old_conds
            .iter()
            .flatten()
            .chain(old_scope.iter())
            .chain(new_conds.iter().flatten())
            .chain(new.scope.iter())
            .any(|e| crate::analysis::encode::compares_two_facts(&u.g, e));
        let same = before.kinds.same(&after.kinds, &mut enc.sat);
        let mut complete = enc.complete();
        complete.push(!same);
        if enc.sat.solve(&complete)?.is_none() {
            continue;
        }
        complete.pop();
        for kb in OutcomeKind::ALL {
            for ka in OutcomeKind::ALL {
                if ka == kb {
                    continue;
                }
                let mut assume = complete.clone();
                assume.push(before.kinds.kind(kb));
                assume.push(after.kinds.kind(ka));
                let Some(model) = enc.sat.solve(&assume)? else { continue };
                let case = enc.decode(&model, true);
                let witness = witness_json(&u.g, &case);
                let shown = outcome_kind(old, &mut old_checker, &witness, name) == Some(kb)
                    && outcome_kind(new, &mut new_checker, &witness, name) == Some(ka);
                if shown {
                    decisions.push(DecisionChange {
                        action: name.to_string(),
                        before: kb,
                        after: ka,
                        witness,
                        facts: read_facts(old, &old_rules, new, &new_rules),
                    });
                } else if before.inexact || after.inexact || reads_two_facts {
                    not_compared.push(NotCompared {
                        action: name.to_string(),
                        reason: format!(
                            "whether it can go from {kb} to {ka} lies outside what the analysis decides exactly"
                        ),
                    });
                }
            }
        }
    }
    Ok((decisions, not_compared))
}

/// The action's outcome in `g` (run by `checker`) on the facts of
/// `witness` that `g` declares;
/// `None` when the evaluator leaves it undecided (which no complete case
/// should) or the witness does not validate.
fn outcome_kind(g: &Guideline, checker: &mut Checker, witness: &Value, action: &str) -> Option<OutcomeKind> {
    let mut own = serde_json::Map::new();
    if let Value::Object(map) = witness {
        for (k, v) in map {
            if g.fact_id(k).is_some() {
                own.insert(k.clone(), v.clone());
            }
        }
    }
    let case: Case = crate::facts::validate_json(g, &Value::Object(own)).ok()?;
    let Some(a) = g.action_id(action) else {
        return Some(OutcomeKind::NoVerdict);
    };
    let outcome = checker.evaluate_action(&case, a).map(|r| r.outcome);
    match outcome {
        None | Some(Outcome::Silent) => Some(OutcomeKind::NoVerdict),
        Some(Outcome::Decided(d)) => Some(OutcomeKind::Verdict(d.verdict)),
        Some(Outcome::Conflict(_)) => Some(OutcomeKind::Conflict),
        // The rules decided; an invariant held the verdict back.
        Some(Outcome::Withheld { verdict, .. }) => Some(OutcomeKind::Verdict(verdict)),
        Some(Outcome::Undecided { .. }) => None,
    }
}

/// Names of the facts the scopes and the given rules read, in either version.
fn read_facts(old: &Guideline, old_rules: &[&Rule], new: &Guideline, new_rules: &[&Rule]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (g, rules) in [(old, old_rules), (new, new_rules)] {
        let mut ids: Vec<FactId> = rules.iter().flat_map(|r| r.depends_on.iter().copied()).collect();
        // The scope may read a fact only through a definition; the witness
        // sets that fact all the same.
        ids.extend(g.scope.iter().flat_map(|s| g.facts_read(s)));
        for f in ids {
            let n = &g.fact(f).name;
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
    }
    names
}
