//! One action's rules as clauses, with the evaluator's resolution built on top:
//! a true contraindication wins outright, a rule overridden by another *true*
//! rule drops out, and the survivors either agree (a verdict) or not (a
//! conflict).
//!
//! Questions about complete cases assume every fact known, so each rule is
//! simply true or false. The "always decide" question is about partial cases:
//! there the evaluator tries every way the unknown rules could turn out, and
//! the action is undecided when two of those ways end differently. That
//! "two ways" is existential, so it is encoded as two copies of the rule set
//! (two *worlds*), each rule in a world being true if it is true, or unknown
//! and chosen; undecided means the worlds' outcomes differ.

use varisat::Lit;

use super::domain::Domain;
use super::encode::{Encoder, Tv};
use super::sat::{Budget, Model, Sat, SolverFailure};
use crate::eval::MAX_UNKNOWN_RULES;
use crate::facts::Case;
use crate::model::{ActionId, Expr, Guideline, OutcomeKind, RuleId, Verdict, VerdictSet};

/// Outcome literals of one world.
#[derive(Clone, Debug)]
pub struct Kinds {
    /// Some contraindication fires.
    pub contra: Lit,
    /// Each rule (by position on the action) survives: fires, and no rule
    /// overriding it fires.
    pub survives: Vec<Lit>,
    /// Exactly one holds, for each kind in the order of [`OutcomeKind::ALL`].
    by_kind: [Lit; 6],
}

impl Kinds {
    /// The literal "the action's rules resolve to this kind of outcome".
    pub fn kind(&self, k: OutcomeKind) -> Lit {
        self.by_kind[k.index()]
    }

    /// The literal "both worlds resolve to the same kind of outcome".
    pub fn same(&self, other: &Kinds, sat: &mut Sat) -> Lit {
        let same: Vec<Lit> = OutcomeKind::ALL
            .iter()
            .map(|k| sat.and(&[self.kind(*k), other.kind(*k)]))
            .collect();
        sat.or(&same)
    }
}

/// One action's rules and scope, encoded.
pub struct ActionModel<'g> {
    /// The encoder holding the clauses.
    pub enc: Encoder<'g>,
    /// The action.
    pub action: ActionId,
    /// Its rules, in file order.
    pub rules: Vec<RuleId>,
    /// Each rule's condition.
    pub when: Vec<Tv>,
    /// The guideline's scope.
    pub scope: Tv,
    /// For each rule (by position), the positions of the rules overriding it.
    pub overriders: Vec<Vec<usize>>,
    complete: Option<Kinds>,
    partial: Option<(Lit, Kinds)>,
}

impl<'g> ActionModel<'g> {
    /// Encodes the scope and every rule of `action`.
    pub fn new(g: &'g Guideline, dom: &'g Domain, action: ActionId, budget: &Budget) -> ActionModel<'g> {
        let mut enc = Encoder::new(g, dom, budget);
        let rules = g.action(action).rules.clone();
        let scope = enc.optional(g.scope.as_ref());
        let when = rules.iter().map(|r| enc.optional(g.rule(*r).when.as_ref())).collect();
        let overriders = rules
            .iter()
            .map(|r| {
                rules
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| g.rule(**o).overrides.contains(r))
                    .map(|(i, _)| i)
                    .collect()
            })
            .collect();
        ActionModel {
            enc,
            action,
            rules,
            when,
            scope,
            overriders,
            complete: None,
            partial: None,
        }
    }

    /// The guideline.
    pub fn guideline(&self) -> &'g Guideline {
        self.enc.guideline()
    }

    /// The verdict of the rule at a position.
    pub fn verdict(&self, i: usize) -> Verdict {
        self.guideline().rule(self.rules[i]).verdict
    }

    /// Encodes another condition (an `always decide` invariant's) into the same instance.
    pub fn condition(&mut self, e: &Expr) -> Tv {
        self.enc.condition(e)
    }

    /// Encodes a `never` invariant's condition, as the evaluator judges it.
    pub fn claim(&mut self, e: &Expr) -> Tv {
        self.enc.claim(e)
    }

    /// A complete case in scope where all `extra` hold, if there is one.
    pub fn complete_case(&mut self, extra: &[Lit]) -> Result<Option<Case>, SolverFailure> {
        let mut assume = self.enc.complete();
        assume.push(self.scope.t);
        assume.extend_from_slice(extra);
        Ok(self.enc.sat.solve(&assume)?.map(|m| self.enc.decode(&m, true)))
    }

    /// A case in scope, facts possibly missing, where all `extra` hold.
    pub fn partial_case(&mut self, extra: &[Lit]) -> Result<Option<Case>, SolverFailure> {
        let mut assume = vec![self.scope.t];
        assume.extend_from_slice(extra);
        Ok(self.enc.sat.solve(&assume)?.map(|m: Model| self.enc.decode(&m, false)))
    }

    /// What makes rules `a` and `b` (positions) both survive on a complete
    /// case: both fire, no contraindication fires, nothing overriding either fires.
    pub fn clash(&self, a: usize, b: usize) -> Vec<Lit> {
        let mut out = vec![self.when[a].t, self.when[b].t];
        for (i, tv) in self.when.iter().enumerate() {
            let beats = self.verdict(i) == Verdict::Contraindicated
                || self.overriders[a].contains(&i)
                || self.overriders[b].contains(&i);
            if beats {
                out.push(!tv.t);
            }
        }
        out
    }

    /// The outcome literals on complete cases (each rule true or false).
    pub fn complete_kinds(&mut self) -> Kinds {
        if let Some(k) = &self.complete {
            return k.clone();
        }
        let world: Vec<Lit> = self.when.iter().map(|tv| tv.t).collect();
        let k = self.kinds(&world);
        self.complete = Some(k.clone());
        k
    }

    fn kinds(&mut self, world: &[Lit]) -> Kinds {
        let verdicts: Vec<Verdict> = (0..world.len()).map(|i| self.verdict(i)).collect();
        outcome_kinds(&mut self.enc.sat, world, &verdicts, &self.overriders)
    }

    /// The literal "on this partial case the evaluator leaves the action
    /// undecided, or a `never` invariant turns its decision (other than a
    /// contraindication) into an undecided one". `prior` lists the `never` invariants on this action (the evaluator
    /// enforces them all, in file order, before any `always decide`): their
    /// verdicts and their condition as [`ActionModel::claim`] encodes it.
    ///
    /// With `exact` (the evaluator refines this action over completions on
    /// every case, [`crate::compile::Program::refines_exactly`]) the evaluator
    /// leaves it undecided exactly when some completion of the absent facts
    /// resolves differently from the rules true on the case, and that is what
    /// is encoded; otherwise the rule-level question below, which the
    /// evaluator's answer never undercuts.
    pub fn undecided(&mut self, prior: &[(VerdictSet, Tv)], exact: bool) -> Lit {
        let (undecided, world) = match &self.partial {
            Some(p) => p.clone(),
            None => {
                let p = if exact {
                    self.build_completion()
                } else {
                    self.build_partial()
                };
                self.partial = Some(p.clone());
                p
            }
        };
        // A `never` invariant withholds a decision as undecided when its
        // condition is unknown, unless one before it already withheld it
        // outright (condition true). A contraindication is never withheld,
        // so a proof must not count on one leaving the action undecided.
        let mut via = vec![undecided];
        for v in Verdict::ALL.into_iter().filter(|v| *v != Verdict::Contraindicated) {
            let mut chain = Vec::new();
            let mut before: Vec<Lit> = Vec::new();
            for (_, c) in prior.iter().filter(|(vs, _)| vs.contains(v)) {
                let mut parts = before.clone();
                parts.push(!c.t);
                parts.push(!c.f);
                chain.push(self.enc.sat.and(&parts));
                before.push(c.f);
            }
            let chain = self.enc.sat.or(&chain);
            via.push(self.enc.sat.and(&[world.kind(OutcomeKind::Verdict(v)), chain]));
        }
        self.enc.sat.or(&via)
    }

    /// Undecided as the exact evaluator sees it: no contraindication fires on
    /// the case, and some completion resolves to another outcome than the
    /// rules true on the case (silent and conflict count as different).
    fn build_completion(&mut self) -> (Lit, Kinds) {
        let g = self.guideline();
        let conditions: Vec<Option<&Expr>> = self.rules.iter().map(|r| g.rule(*r).when.as_ref()).collect();
        let completion: Vec<Lit> = self.enc.on_completion(&conditions).iter().map(|tv| tv.t).collect();
        let on_case: Vec<Lit> = self.when.iter().map(|tv| tv.t).collect();
        let base = self.kinds(&on_case);
        let other = self.kinds(&completion);
        let same = base.same(&other, &mut self.enc.sat);
        let undecided = self.enc.sat.and(&[!base.contra, !same]);
        (undecided, base)
    }

    fn build_partial(&mut self) -> (Lit, Kinds) {
        let unknown: Vec<Lit> = self
            .when
            .clone()
            .iter()
            .map(|tv| self.enc.sat.and(&[!tv.t, !tv.f]))
            .collect();
        let mut worlds = Vec::new();
        for _ in 0..2 {
            let world: Vec<Lit> = (0..self.when.len())
                .map(|i| {
                    let chosen = self.enc.sat.fresh();
                    let maybe = self.enc.sat.and(&[unknown[i], chosen]);
                    self.enc.sat.or(&[self.when[i].t, maybe])
                })
                .collect();
            worlds.push(self.kinds(&world));
        }
        let differ = !worlds[0].same(&worlds[1], &mut self.enc.sat);
        let many = self.enc.sat.at_least(MAX_UNKNOWN_RULES + 1, &unknown);
        let fired_contra: Vec<Lit> = (0..self.when.len())
            .filter(|i| self.verdict(*i) == Verdict::Contraindicated)
            .map(|i| self.when[i].t)
            .collect();
        let settled = self.enc.sat.or(&fired_contra);
        let open = self.enc.sat.or(&[differ, many]);
        let undecided = self.enc.sat.and(&[!settled, open]);
        (undecided, worlds.swap_remove(0))
    }
}

/// The outcome literals of one world of an action's rules: `world[i]` says
/// rule `i` fires, `verdicts[i]` is its verdict, `overriders[i]` the positions
/// of the rules overriding it.
pub fn outcome_kinds(
    sat: &mut super::sat::Sat,
    world: &[Lit],
    verdicts: &[Verdict],
    overriders: &[Vec<usize>],
) -> Kinds {
    let contras: Vec<Lit> = (0..world.len())
        .filter(|i| verdicts[*i] == Verdict::Contraindicated)
        .map(|i| world[i])
        .collect();
    let contra = sat.or(&contras);
    let survives: Vec<Lit> = (0..world.len())
        .map(|i| {
            let mut parts = vec![world[i]];
            parts.extend(overriders[i].iter().map(|o| !world[*o]));
            sat.and(&parts)
        })
        .collect();
    let mut has = [sat.bottom(); 3];
    for (slot, v) in has.iter_mut().zip(VerdictSet::OVERRIDABLE.iter()) {
        let mine: Vec<Lit> = (0..world.len())
            .filter(|i| verdicts[*i] == v)
            .map(|i| survives[i])
            .collect();
        *slot = sat.or(&mine);
    }
    let silent = sat.and(&[!contra, !has[0], !has[1], !has[2]]);
    let mut only = |k: usize| {
        let mut parts = vec![!contra];
        for (j, h) in has.iter().enumerate() {
            parts.push(if j == k { *h } else { !*h });
        }
        sat.and(&parts)
    };
    let rec = only(0);
    let con = only(1);
    let avo = only(2);
    let two = sat.at_least(2, &has);
    let conflict = sat.and(&[!contra, two]);
    // In the order of `OutcomeKind::ALL`; a contraindication decides alone.
    Kinds {
        contra,
        survives,
        by_kind: [silent, rec, con, avo, contra, conflict],
    }
}
