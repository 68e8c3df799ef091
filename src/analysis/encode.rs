//! Conditions into clauses, in the evaluator's three-valued logic.
//!
//! Every condition becomes a pair of literals ([`Tv`]): `t` ("it is true") and
//! `f` ("it is false"); neither holding means unknown. This dual-rail form
//! follows the evaluator's Kleene rules exactly (`and` is false as soon as one
//! side is false, `at least n` is true with `n` true items and false once fewer
//! than `n` items can still be true), so the same clauses answer questions about
//! complete cases (assume every fact known) and about partial ones (leave
//! knowledge free).
//!
//! A fact gets a `known` literal and literals for its value: one for a
//! boolean, one per value for an enum (exactly one when known), and for a
//! number an *order encoding* over its cells — `ge[i]` says "the value lies in
//! cell `i` or above" — so that a threshold is a single literal.
//!
//! A comparison outside the exact fragment (arithmetic on facts, comparing two
//! facts) becomes a *free* atom: fresh `t`/`f` literals that may take any of the
//! three values. That over-approximates, so "unsatisfiable" stays a proof; a
//! satisfying answer that leans on a free atom is only a candidate, which the
//! caller checks with the real evaluator.

mod relational;

use std::collections::HashMap;

use varisat::Lit;

use super::domain::{enum_subject, term, Domain, FactDomain, Term};
use super::sat::{Budget, Model, Sat};
use crate::diagnostics::Span;
use crate::facts::{Case, Value};
use crate::model::{CmpOp, DefId, Expr, ExprKind, FactId, Guideline, Type};

/// A condition's truth in the dual-rail form: `t` true, `f` false, neither unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tv {
    /// The condition is true.
    pub t: Lit,
    /// The condition is false.
    pub f: Lit,
}

impl std::ops::Not for Tv {
    type Output = Tv;

    /// Kleene negation: swap the rails.
    fn not(self) -> Tv {
        Tv { t: self.f, f: self.t }
    }
}

enum Values {
    Bool(Lit),
    OneHot(Vec<Lit>),
    /// `ge[i - 1]` for cells `i = 1..n`: the value is in cell `i` or above.
    Order(Vec<Lit>),
}

struct FactVars {
    known: Lit,
    values: Values,
}

/// Encodes the conditions of one guideline into one SAT instance.
pub struct Encoder<'g> {
    g: &'g Guideline,
    dom: &'g Domain,
    /// The instance, for gates built on top of the encoded conditions.
    pub sat: Sat,
    facts: Vec<Option<FactVars>>,
    defs: Vec<Option<Tv>>,
    atoms: HashMap<(FactId, Vec<bool>), Tv>,
    /// Facts read only by free atoms: the SAT instance has no variables for
    /// them, yet a witness must give them for the evaluator to judge the atom.
    read_freely: Vec<bool>,
    /// Comparisons of a fact with a multiple of another, by pair of facts.
    pairs: Vec<relational::Pair>,
    pair_index: HashMap<(FactId, FactId), usize>,
}

impl<'g> Encoder<'g> {
    /// An empty encoder over `g`'s facts, cut as `dom` says, whose solver
    /// draws on `budget`.
    pub fn new(g: &'g Guideline, dom: &'g Domain, budget: &Budget) -> Encoder<'g> {
        Encoder {
            g,
            dom,
            sat: Sat::new(budget),
            facts: (0..g.facts.len()).map(|_| None).collect(),
            defs: vec![None; g.definitions.len()],
            atoms: HashMap::new(),
            read_freely: vec![false; g.facts.len()],
            pairs: Vec::new(),
            pair_index: HashMap::new(),
        }
    }

    /// The guideline encoded.
    pub fn guideline(&self) -> &'g Guideline {
        self.g
    }

    /// Literals that, assumed together, make every encoded fact known: the
    /// questions about complete cases assume them.
    pub fn complete(&self) -> Vec<Lit> {
        self.facts.iter().flatten().map(|f| f.known).collect()
    }

    /// The facts the encoded conditions read, in declaration order.
    pub fn encoded_facts(&self) -> Vec<FactId> {
        (0..self.facts.len())
            .filter(|i| self.facts[*i].is_some())
            .map(|i| FactId(i as u32))
            .collect()
    }

    /// An optional condition; no condition is true.
    pub fn optional(&mut self, e: Option<&Expr>) -> Tv {
        match e {
            Some(e) => self.condition(e),
            None => self.constant(true),
        }
    }

    fn constant(&self, b: bool) -> Tv {
        let (t, f) = (self.sat.top(), self.sat.bottom());
        if b {
            Tv { t, f }
        } else {
            Tv { t: f, f: t }
        }
    }

    fn free(&mut self) -> Tv {
        let t = self.sat.fresh();
        let f = self.sat.fresh();
        self.sat.clause(&[!t, !f]);
        Tv { t, f }
    }

    /// A free atom standing for `e`, whose facts a witness then gives.
    fn free_of(&mut self, e: &Expr) -> Tv {
        for f in self.g.facts_read(e) {
            if let Some(r) = self.read_freely.get_mut(f.index()) {
                *r = true;
            }
        }
        self.free()
    }

    /// Gates `x` by the fact being known: true when known and `x`, false when
    /// known and not `x`.
    fn gated(&mut self, known: Lit, x: Lit) -> Tv {
        let t = self.sat.and(&[known, x]);
        let f = self.sat.and(&[known, !x]);
        Tv { t, f }
    }

    /// Encodes a condition.
    pub fn condition(&mut self, e: &Expr) -> Tv {
        match &e.kind {
            ExprKind::Bool(b) => self.constant(*b),
            ExprKind::Fact(f) => {
                let known = self.fact(*f);
                match self.values(*f) {
                    Some(Values::Bool(v)) => {
                        let v = *v;
                        self.gated(known, v)
                    }
                    _ => self.free_of(e),
                }
            }
            ExprKind::Def(d) => {
                if let Some(tv) = self.defs[d.index()] {
                    return tv;
                }
                let tv = self.condition(&self.g.definitions[d.index()].body);
                self.defs[d.index()] = Some(tv);
                tv
            }
            ExprKind::Not(x) => !self.condition(x),
            ExprKind::And(a, b) => {
                let (a, b) = (self.condition(a), self.condition(b));
                let t = self.sat.and(&[a.t, b.t]);
                let f = self.sat.or(&[a.f, b.f]);
                Tv { t, f }
            }
            ExprKind::Or(a, b) => {
                let (a, b) = (self.condition(a), self.condition(b));
                let t = self.sat.or(&[a.t, b.t]);
                let f = self.sat.and(&[a.f, b.f]);
                Tv { t, f }
            }
            ExprKind::AtLeast(n, items) => {
                let tvs: Vec<Tv> = items.iter().map(|i| self.condition(i)).collect();
                let ts: Vec<Lit> = tvs.iter().map(|x| x.t).collect();
                let fs: Vec<Lit> = tvs.iter().map(|x| x.f).collect();
                let n = *n as usize;
                let t = self.sat.at_least(n, &ts);
                // False once more than `k - n` items are false.
                let f = self.sat.at_least((items.len() + 1).saturating_sub(n), &fs);
                Tv { t, f }
            }
            ExprKind::Compare(op, a, b) => self.compare(e, *op, a, b),
            ExprKind::EnumIn(x, mask) => match enum_subject(self.g, x) {
                Some(f) => {
                    let known = self.fact(f);
                    let Some(Values::OneHot(vals)) = self.values(f) else {
                        return self.free_of(e);
                    };
                    let in_set = |i: usize| mask & (1u64 << i) != 0;
                    let inside: Vec<Lit> = vals
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| in_set(*i))
                        .map(|(_, l)| *l)
                        .collect();
                    let outside: Vec<Lit> = vals
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| !in_set(*i))
                        .map(|(_, l)| *l)
                        .collect();
                    let yes = self.sat.or(&inside);
                    let no = self.sat.or(&outside);
                    let t = self.sat.and(&[known, yes]);
                    let f = self.sat.and(&[known, no]);
                    Tv { t, f }
                }
                None => self.free_of(e),
            },
            ExprKind::Known(x, negated) => {
                let tv = match self.knowable(x) {
                    Some(k) => Tv { t: k, f: !k },
                    None => self.free_of(e),
                };
                if *negated {
                    !tv
                } else {
                    tv
                }
            }
            ExprKind::Num(_)
            | ExprKind::Neg(_)
            | ExprKind::Arith(..)
            | ExprKind::Sqrt(_)
            | ExprKind::Today
            | ExprKind::ShiftMonths(..)
            | ExprKind::Elapsed(..) => self.free_of(e),
            ExprKind::Change {
                now,
                baseline,
                percent,
                rise,
            } => self.change(e, now, baseline, *percent, *rise),
        }
    }

    /// Encodes a `never` invariant's condition as the evaluator judges it
    /// (`claim_truth`): like [`Encoder::condition`], except that `x is known`
    /// on a missing `x`, reached through `not`/`and`/`or`/`at least`, is unknown
    /// rather than false — the fact may still arrive.
    pub fn claim(&mut self, e: &Expr) -> Tv {
        match &e.kind {
            ExprKind::Known(x, negated) => match self.knowable(x) {
                Some(k) => {
                    let bottom = self.sat.bottom();
                    if *negated {
                        Tv { t: bottom, f: k }
                    } else {
                        Tv { t: k, f: bottom }
                    }
                }
                None => self.free_of(e),
            },
            ExprKind::Not(x) => !self.claim(x),
            ExprKind::And(a, b) => {
                let (a, b) = (self.claim(a), self.claim(b));
                let t = self.sat.and(&[a.t, b.t]);
                let f = self.sat.or(&[a.f, b.f]);
                Tv { t, f }
            }
            ExprKind::Or(a, b) => {
                let (a, b) = (self.claim(a), self.claim(b));
                let t = self.sat.or(&[a.t, b.t]);
                let f = self.sat.and(&[a.f, b.f]);
                Tv { t, f }
            }
            ExprKind::AtLeast(n, items) => {
                let tvs: Vec<Tv> = items.iter().map(|i| self.claim(i)).collect();
                let ts: Vec<Lit> = tvs.iter().map(|x| x.t).collect();
                let fs: Vec<Lit> = tvs.iter().map(|x| x.f).collect();
                let n = *n as usize;
                let t = self.sat.at_least(n, &ts);
                let f = self.sat.at_least((items.len() + 1).saturating_sub(n), &fs);
                Tv { t, f }
            }
            _ => self.condition(e),
        }
    }

    /// A literal saying "the value of `x` is known", when that is exact.
    fn knowable(&mut self, x: &Expr) -> Option<Lit> {
        match &x.kind {
            ExprKind::Fact(f) => Some(self.fact(*f)),
            ExprKind::Def(d) => {
                let def = &self.g.definitions[d.index()];
                match def.ty {
                    Type::Bool => {
                        // Through the definition itself, so that its body is
                        // encoded once however often it is used.
                        let tv = self.condition(x);
                        Some(self.sat.or(&[tv.t, tv.f]))
                    }
                    Type::Enum(_) => enum_subject(self.g, &def.body).map(|f| self.fact(f)),
                    Type::Num(_) | Type::Date => match term(self.g, &def.body) {
                        Term::Const(_) => Some(self.sat.top()),
                        Term::Unknown => Some(self.sat.bottom()),
                        Term::Fact(f) => Some(self.fact(f)),
                        Term::Other => None,
                    },
                }
            }
            _ => None,
        }
    }

    fn compare(&mut self, whole: &Expr, op: CmpOp, a: &Expr, b: &Expr) -> Tv {
        let cells = |dom: &Domain, f: FactId| match dom.fact(f) {
            FactDomain::Numeric(c) => Some(c.iter().map(|c| c.value).collect::<Vec<f64>>()),
            _ => None,
        };
        let (ta, tb) = (term(self.g, a), term(self.g, b));
        let truth: Vec<bool> = match (ta, tb) {
            (Term::Unknown, _) | (_, Term::Unknown) => {
                let f = self.sat.bottom();
                return Tv { t: f, f };
            }
            (Term::Const(x), Term::Const(y)) => return self.constant(op.apply(x, y)),
            (Term::Fact(f), Term::Const(c)) => match cells(self.dom, f) {
                Some(v) => return self.atom(f, v.iter().map(|x| op.apply(*x, c)).collect()),
                None => return self.free_of(whole),
            },
            (Term::Const(c), Term::Fact(f)) => match cells(self.dom, f) {
                Some(v) => return self.atom(f, v.iter().map(|x| op.apply(c, *x)).collect()),
                None => return self.free_of(whole),
            },
            (Term::Fact(f), Term::Fact(g)) if f == g => match cells(self.dom, f) {
                Some(v) => v.iter().map(|x| op.apply(*x, *x)).collect(),
                None => return self.free_of(whole),
            },
            // Two facts, each perhaps times a constant.
            _ => return self.relational(whole, op, a, b),
        };
        match ta {
            Term::Fact(f) => self.atom(f, truth),
            _ => self.free_of(whole),
        }
    }

    /// A numeric atom given its truth on each cell of `f`.
    fn atom(&mut self, f: FactId, truth: Vec<bool>) -> Tv {
        if let Some(tv) = self.atoms.get(&(f, truth.clone())) {
            return *tv;
        }
        let known = self.fact(f);
        let Some(Values::Order(ge)) = self.values(f) else {
            return self.free();
        };
        let ge = ge.clone();
        let n = truth.len();
        let (top, bottom) = (self.sat.top(), self.sat.bottom());
        let at = |i: usize| -> Lit {
            if i == 0 {
                top
            } else if i >= n {
                bottom
            } else {
                ge[i - 1]
            }
        };
        let mut runs = Vec::new();
        let mut i = 0;
        while i < n {
            if truth[i] {
                let start = i;
                while i < n && truth[i] {
                    i += 1;
                }
                runs.push((at(start), !at(i)));
            } else {
                i += 1;
            }
        }
        let parts: Vec<Lit> = runs.into_iter().map(|(lo, hi)| self.sat.and(&[lo, hi])).collect();
        let inside = self.sat.or(&parts);
        let tv = self.gated(known, inside);
        self.atoms.insert((f, truth), tv);
        tv
    }

    /// Encodes `conditions` on a *completion* of the case the encoder
    /// describes: a fresh copy of every fact, known, equal to the case's value
    /// where the case knows it and free where it does not. Returns each
    /// condition's truth there (two-valued, except parts outside the exact
    /// fragment, which stay free atoms). The encoder's own facts and
    /// definitions are left as they were.
    pub fn on_completion(&mut self, conditions: &[Option<&Expr>]) -> Vec<Tv> {
        let case_facts = std::mem::replace(&mut self.facts, (0..self.g.facts.len()).map(|_| None).collect());
        let case_defs = std::mem::replace(&mut self.defs, vec![None; self.g.definitions.len()]);
        let case_atoms = std::mem::take(&mut self.atoms);
        let case_pairs = std::mem::take(&mut self.pairs);
        let case_pair_index = std::mem::take(&mut self.pair_index);
        // The completion agrees with the case on every fact the case knows.
        for (i, fv) in case_facts.iter().enumerate() {
            let Some(fv) = fv else { continue };
            let id = FactId(i as u32);
            self.fact(id);
            let Some(world) = self.facts[i].as_ref() else { continue };
            let pairs: Vec<(Lit, Lit)> = match (&fv.values, &world.values) {
                (Values::Bool(a), Values::Bool(b)) => vec![(*a, *b)],
                (Values::OneHot(a), Values::OneHot(b)) | (Values::Order(a), Values::Order(b)) => {
                    a.iter().copied().zip(b.iter().copied()).collect()
                }
                _ => Vec::new(),
            };
            for (a, b) in pairs {
                self.sat.clause(&[!fv.known, !a, b]);
                self.sat.clause(&[!fv.known, a, !b]);
            }
        }
        let truths: Vec<Tv> = conditions.iter().map(|c| self.optional(*c)).collect();
        // Every fact of the completion is known.
        let known: Vec<Lit> = self.facts.iter().flatten().map(|f| f.known).collect();
        for k in known {
            self.sat.clause(&[k]);
        }
        self.facts = case_facts;
        self.defs = case_defs;
        self.atoms = case_atoms;
        self.pairs = case_pairs;
        self.pair_index = case_pair_index;
        truths
    }

    fn values(&self, f: FactId) -> Option<&Values> {
        self.facts[f.index()].as_ref().map(|v| &v.values)
    }

    /// The `known` literal of a fact, creating its variables on first use.
    fn fact(&mut self, f: FactId) -> Lit {
        if let Some(v) = &self.facts[f.index()] {
            return v.known;
        }
        let known = self.sat.fresh();
        let values = match self.dom.fact(f) {
            FactDomain::Bool => Values::Bool(self.sat.fresh()),
            FactDomain::Enum(n) => {
                let vals: Vec<Lit> = (0..*n).map(|_| self.sat.fresh()).collect();
                // Exactly one value when known, none when unknown.
                let mut some = vec![!known];
                for (i, &a) in vals.iter().enumerate() {
                    self.sat.implies(a, known);
                    some.push(a);
                    for &b in &vals[i + 1..] {
                        self.sat.clause(&[!a, !b]);
                    }
                }
                self.sat.clause(&some);
                Values::OneHot(vals)
            }
            FactDomain::Numeric(cells) => {
                if cells.is_empty() {
                    self.sat.clause(&[!known]);
                }
                let ge: Vec<Lit> = (1..cells.len()).map(|_| self.sat.fresh()).collect();
                for w in ge.windows(2) {
                    self.sat.implies(w[1], w[0]);
                }
                Values::Order(ge)
            }
        };
        self.facts[f.index()] = Some(FactVars { known, values });
        known
    }

    /// Reads a case out of a model. With `complete`, every fact an encoded
    /// condition reads is given (a fact read only by a free atom gets a
    /// plausible default); a fact no encoded condition reads is left out: it
    /// plays no part in what the case shows.
    pub fn decode(&self, model: &Model, complete: bool) -> Case {
        let mut case = Case::empty(self.g);
        for i in 0..self.g.facts.len() {
            let id = FactId(i as u32);
            let value = match &self.facts[i] {
                // A fact no encoded condition reads is left out rather than
                // invented; one read only by a free atom gets a plausible value.
                None if complete && self.read_freely[i] => self.dom.default_value(id),
                None => None,
                Some(v) if !model.value(v.known) => None,
                Some(v) => match (&v.values, self.dom.fact(id)) {
                    (Values::Bool(b), _) => Some(Value::Bool(model.value(*b))),
                    (Values::OneHot(vals), _) => {
                        vals.iter().position(|l| model.value(*l)).map(|i| Value::Enum(i as u8))
                    }
                    (Values::Order(ge), FactDomain::Numeric(cells)) => {
                        let idx = ge.iter().filter(|l| model.value(**l)).count();
                        cells.get(idx).map(|c| Value::Num(c.value))
                    }
                    _ => None,
                },
            };
            case.set(id, value);
        }
        if !self.pairs.is_empty() {
            // A comparison of two facts holds on some points of a pair of
            // cells and not on others: move both facts onto a point that
            // shows what the model chose.
            let cell_of = |f: FactId| match self.facts[f.index()].as_ref() {
                Some(FactVars {
                    known,
                    values: Values::Order(ge),
                }) if model.value(*known) => Some(ge.iter().filter(|l| model.value(**l)).count()),
                _ => None,
            };
            let mut moved = HashMap::new();
            self.place_relations(model, &cell_of, &mut moved);
            for (f, v) in moved {
                case.set(f, Some(Value::Num(v)));
            }
        }
        case
    }
}

/// The parts of a condition the analysis cannot decide exactly (following
/// definitions): comparisons of computed quantities, `is known` of a computed
/// quantity. A part inside a definition is shown where the condition uses the
/// definition. Empty for a condition inside the exact fragment.
pub fn inexact_parts(g: &Guideline, e: &Expr) -> Vec<Span> {
    let mut out = Vec::new();
    inexact_into(g, e, &mut HashMap::new(), &mut out);
    out.sort_unstable();
    out.dedup();
    out
}

/// Pushes the spans of the inexact parts of `e`; `judged` holds, for each
/// definition already looked at, whether it has any, so that a definition used
/// on many paths (`define d2: d1 and d1`) is looked at once.
fn inexact_into(g: &Guideline, e: &Expr, judged: &mut HashMap<DefId, bool>, out: &mut Vec<Span>) {
    match &e.kind {
        ExprKind::Bool(_) | ExprKind::Fact(_) => {}
        ExprKind::Def(d) => {
            if definition_inexact(g, *d, judged) {
                out.push(e.span);
            }
        }
        ExprKind::Not(x) => inexact_into(g, x, judged, out),
        ExprKind::And(a, b) | ExprKind::Or(a, b) => {
            inexact_into(g, a, judged, out);
            inexact_into(g, b, judged, out);
        }
        ExprKind::AtLeast(_, items) => items.iter().for_each(|i| inexact_into(g, i, judged, out)),
        ExprKind::Compare(_, a, b) => {
            let exact = match (term(g, a), term(g, b)) {
                (Term::Unknown, _) | (_, Term::Unknown) | (Term::Const(_), Term::Const(_)) => true,
                (Term::Fact(f), Term::Const(_)) | (Term::Const(_), Term::Fact(f)) => numeric(g, f),
                (Term::Fact(f), Term::Fact(h)) if f == h => numeric(g, f),
                // A fact against a multiple of another: see `relational`.
                _ => relational::relation_facts(g, a, b).is_some(),
            };
            if !exact {
                out.push(e.span);
            }
        }
        ExprKind::EnumIn(x, _) => {
            if enum_subject(g, x).is_none() {
                out.push(e.span);
            }
        }
        ExprKind::Known(x, _) => {
            let exact = match &x.kind {
                ExprKind::Fact(_) => true,
                ExprKind::Def(d) => {
                    let def = &g.definitions[d.index()];
                    match def.ty {
                        Type::Bool => !definition_inexact(g, *d, judged),
                        Type::Enum(_) => enum_subject(g, &def.body).is_some(),
                        Type::Num(_) | Type::Date => !matches!(term(g, &def.body), Term::Other),
                    }
                }
                _ => false,
            };
            if !exact {
                out.push(e.span);
            }
        }
        ExprKind::Num(_)
        | ExprKind::Neg(_)
        | ExprKind::Arith(..)
        | ExprKind::Sqrt(_)
        | ExprKind::Today
        | ExprKind::ShiftMonths(..)
        | ExprKind::Elapsed(..) => out.push(e.span),
        ExprKind::Change { now, baseline, .. } => {
            if !relational::change_exact(g, now, baseline) {
                out.push(e.span);
            }
        }
    }
}

/// Whether `e` (following definitions) compares a fact with a multiple of
/// another fact: exact, but its witness is searched for, not read off.
pub fn compares_two_facts(g: &Guideline, e: &Expr) -> bool {
    let mut found = false;
    let mut pending = vec![e];
    let mut seen = std::collections::HashSet::new();
    while let Some(e) = pending.pop() {
        crate::check::visit(e, &mut |k| match k {
            ExprKind::Compare(_, a, b) => found |= relational::relation_facts(g, a, b).is_some(),
            ExprKind::Change { now, baseline, .. } => found |= relational::change_exact(g, now, baseline),
            ExprKind::Def(d) if seen.insert(*d) => pending.push(&g.definitions[d.index()].body),
            _ => {}
        });
    }
    found
}

/// Whether a definition's body has a part outside the exact fragment: the
/// whole use of the definition is then shown, not the part inside it.
fn definition_inexact(g: &Guideline, d: DefId, judged: &mut HashMap<DefId, bool>) -> bool {
    if let Some(inexact) = judged.get(&d) {
        return *inexact;
    }
    let mut parts = Vec::new();
    inexact_into(g, &g.definitions[d.index()].body, judged, &mut parts);
    let inexact = !parts.is_empty();
    judged.insert(d, inexact);
    inexact
}

fn numeric(g: &Guideline, f: FactId) -> bool {
    matches!(
        g.fact(f).kind,
        crate::model::FactKind::Number { .. } | crate::model::FactKind::Integer { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::domain::Domain;

    /// The SAT variables made to encode `d{n}` of a chain where each level uses
    /// the previous twice: `define d{k}: d{k-1} and (d{k-1} or c)`.
    fn encoded_variables(n: usize) -> usize {
        let mut text = String::from(
            "guideline encoded\n  version 1.0.0\n  status draft\n\n\
             fact a: bool \"A.\"\nfact b: bool \"B.\"\nfact c: bool \"C.\"\n\n\
             define d1: a and b\n",
        );
        for k in 2..=n {
            text.push_str(&format!("define d{k}: d{} and (d{} or c)\n", k - 1, k - 1));
        }
        text.push_str(&format!("\nrule r: recommend x\n  when d{n}\n"));
        let g = crate::load_str("encoded.gl", &text).expect("the chain checks");
        let Some(when) = g.rules[0].when.as_ref() else {
            panic!("the rule has a condition")
        };
        let dom = Domain::new(&g, [when]);
        let mut enc = Encoder::new(&g, &dom, &Budget::unlimited());
        enc.condition(when);
        enc.sat.var_count()
    }

    #[test]
    fn each_shared_definition_is_encoded_once() {
        // Every level adds the same gates once (its body is encoded once, and
        // both uses share it), so the count grows by the same amount per 100
        // levels; encoding per use would double it per level.
        let (v100, v200, v300) = (encoded_variables(100), encoded_variables(200), encoded_variables(300));
        assert!(v200 > v100, "each level adds gates");
        assert_eq!(v300 - v200, v200 - v100);
    }
}
