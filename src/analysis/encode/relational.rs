//! Comparisons of a fact with a multiple of another fact (`ldh >= 2 * ldh_uln`,
//! `creatinine >= 1.5 * creatinine_uln`, `a > b`), decided exactly.
//!
//! Both facts keep their cells (cut at the constants they are compared with).
//! A pair of cells, one of each fact, is a *box*; the comparison's boundary is
//! the line `x = r * y` through the origin. In a box the comparison is forced
//! true, forced false, or either. With several such comparisons on one pair,
//! not every combination of their truths need be possible in a box either
//! (`x > 2 * y` and `x < 1.5 * y` exclude each other on positive `y`). So for
//! every box the combinations some point of the box shows are found, and the
//! others are excluded by one clause each, over the cells' order-encoding
//! literals and the comparisons' value literals; the point found for each
//! combination is kept as its witness.
//!
//! The combinations are found on finitely many candidate points: every value
//! of one fact where something changes (a line meets a cell end, the lines
//! meet at 0) and one between each two, and for each, the other fact's
//! values at, just beside and between the lines' crossings. For two real
//! facts that visits every face of the box's arrangement of lines; an integer
//! fact is swept value by value when its cell holds at most
//! [`SWEEP_INTEGERS`] whole numbers. Otherwise (a wide integer cell against
//! any other fact) the box excludes nothing: sound, and the witness, checked
//! by the evaluator as always, settles the question or leaves it reported as
//! not decided exactly. The work is capped ([`MAX_ATOMS`], [`MAX_VECTORS`]);
//! past the cap a comparison is a free atom, as before.

use std::collections::HashMap;

use varisat::Lit;

use super::{Encoder, Tv, Values};
use crate::analysis::domain::{Cell, FactDomain};
use crate::model::{ArithOp, CmpOp, Expr, ExprKind, FactId, FactKind, Guideline};

/// Comparisons on one pair of facts encoded exactly, at most.
pub const MAX_ATOMS: usize = 6;
/// Boxes times combinations of the pair's comparisons examined, at most.
pub const MAX_VECTORS: usize = 1 << 14;
/// An integer cell with at most this many whole numbers is swept value by value.
pub const SWEEP_INTEGERS: f64 = 64.0;

/// `k * fact + c` as written: the fact, the factor `k` (nonzero, finite)
/// and the offset `c` (finite). Dates are day numbers, so `start - 3 d` is
/// `1 * start + (-3)`.
fn linear(g: &Guideline, e: &Expr) -> Option<(FactId, f64, f64)> {
    let constant = |e: &Expr| match crate::analysis::domain::term(g, e) {
        crate::analysis::domain::Term::Const(c) if c.is_finite() => Some(c),
        _ => None,
    };
    let (f, k, c) = match &e.kind {
        ExprKind::Fact(f) => match g.fact(*f).kind {
            FactKind::Number { .. } | FactKind::Integer { .. } | FactKind::Date => (*f, 1.0, 0.0),
            _ => return None,
        },
        ExprKind::Def(d) => linear(g, &g.definitions[d.index()].body)?,
        ExprKind::Neg(x) => {
            let (f, k, c) = linear(g, x)?;
            (f, -k, -c)
        }
        ExprKind::Arith(op, a, b) => match (linear(g, a), linear(g, b)) {
            (Some((f, k, c)), None) => {
                let m = constant(b)?;
                match op {
                    ArithOp::Mul => (f, k * m, c * m),
                    ArithOp::Div => (f, k / m, c / m),
                    ArithOp::Add => (f, k, c + m),
                    ArithOp::Sub => (f, k, c - m),
                }
            }
            (None, Some((f, k, c))) => {
                let m = constant(a)?;
                match op {
                    ArithOp::Mul => (f, k * m, c * m),
                    ArithOp::Add => (f, k, c + m),
                    ArithOp::Sub => (f, -k, m - c),
                    ArithOp::Div => return None,
                }
            }
            _ => return None,
        },
        _ => return None,
    };
    (k.is_finite() && k != 0.0 && c.is_finite()).then_some((f, k, c))
}

/// The value of a linear term when its fact is `v`, with the evaluator's own
/// operations in the evaluator's order.
fn value(g: &Guideline, e: &Expr, v: f64) -> f64 {
    match &e.kind {
        ExprKind::Num(c) => *c,
        ExprKind::Fact(_) => v,
        ExprKind::Def(d) => value(g, &g.definitions[d.index()].body, v),
        ExprKind::Neg(x) => -value(g, x, v),
        ExprKind::Arith(op, a, b) => {
            let (a, b) = (value(g, a, v), value(g, b, v));
            match op {
                ArithOp::Add => a + b,
                ArithOp::Sub => a - b,
                ArithOp::Mul => a * b,
                ArithOp::Div => a / b,
            }
        }
        ExprKind::Sqrt(x) => value(g, x, v).sqrt(),
        // `linear` admits nothing else.
        _ => f64::NAN,
    }
}

/// One comparison `a op b`, `a` reading one fact of the pair and `b` the other.
#[derive(Clone)]
pub(super) struct Relation {
    op: CmpOp,
    a: Expr,
    b: Expr,
    /// Whether `a` reads the pair's `x`.
    a_is_x: bool,
    /// The boundary is `x = ratio * y + shift`.
    ratio: f64,
    shift: f64,
    key: (CmpOp, [u64; 4], bool),
}

impl Relation {
    fn holds(&self, g: &Guideline, x: f64, y: f64) -> bool {
        let (va, vb) = if self.a_is_x {
            (value(g, &self.a, x), value(g, &self.b, y))
        } else {
            (value(g, &self.a, y), value(g, &self.b, x))
        };
        self.op.apply(va, vb)
    }
}

/// The comparisons on one pair of facts, with what was found per box.
pub(super) struct Pair {
    x: FactId,
    y: FactId,
    atoms: Vec<(Relation, Lit)>,
    /// A point of box `(i, j)` showing combination `bits`.
    points: HashMap<(usize, usize, u64), (f64, f64)>,
}

/// Whether `e` compares two linear terms of two different numeric facts:
/// the facts `(a's, b's)` when it does.
pub(super) fn relation_facts(g: &Guideline, a: &Expr, b: &Expr) -> Option<(FactId, FactId)> {
    if let Some((a, b)) = days_between(g, a, b) {
        return relation_facts(g, &a, &b);
    }
    let ((fa, ..), (fb, ..)) = (linear(g, a)?, linear(g, b)?);
    (fa != fb).then_some((fa, fb))
}

/// The days between two dates against a number of days
/// (`labs_date - treatment_start <= 7 d`) as a date against a moved date
/// (`labs_date <= treatment_start + 7 d`): day numbers are whole and far
/// below 2^53, so both forms compute the same truth exactly.
fn days_between(g: &Guideline, a: &Expr, b: &Expr) -> Option<(Expr, Expr)> {
    let date = |e: &Expr| {
        matches!(linear(g, e), Some((f, k, c)) if matches!(g.fact(f).kind, FactKind::Date)
            && k.abs() == 1.0 && c.fract() == 0.0)
    };
    let whole = |e: &Expr| match crate::analysis::domain::term(g, e) {
        crate::analysis::domain::Term::Const(c) if c.fract() == 0.0 && c.abs() < 1e9 => Some(c),
        _ => None,
    };
    let plus = |q: &Expr, c: f64| Expr {
        kind: ExprKind::Arith(
            ArithOp::Add,
            Box::new(q.clone()),
            Box::new(Expr {
                kind: ExprKind::Num(c),
                span: q.span,
            }),
        ),
        span: q.span,
    };
    let difference = |e: &Expr| -> Option<(Expr, Expr)> {
        let mut e = e;
        while let ExprKind::Def(d) = &e.kind {
            e = &g.definitions[d.index()].body;
        }
        match &e.kind {
            ExprKind::Arith(ArithOp::Sub, p, q) if date(p) && date(q) => Some(((**p).clone(), (**q).clone())),
            _ => None,
        }
    };
    if let (Some((p, q)), Some(c)) = (difference(a), whole(b)) {
        return Some((p, plus(&q, c)));
    }
    let ((p, q), c) = (difference(b)?, whole(a)?);
    Some((plus(&q, c), p))
}

/// Whether a change from a baseline (`now is at least p % above baseline`)
/// is decided exactly: `now` a multiple of one fact (plus a constant) and the
/// baseline another fact itself, whose cells part at 0.
pub(super) fn change_exact(g: &Guideline, now: &Expr, baseline: &Expr) -> bool {
    match (linear(g, now), crate::analysis::domain::term(g, baseline)) {
        (Some((n, ..)), crate::analysis::domain::Term::Fact(b)) => n != b,
        _ => false,
    }
}

/// `k × e`, as the evaluator multiplies.
fn times(k: f64, e: &Expr) -> Expr {
    let k = Expr {
        kind: ExprKind::Num(k),
        span: e.span,
    };
    Expr {
        kind: ExprKind::Arith(ArithOp::Mul, Box::new(k), Box::new(e.clone())),
        span: e.span,
    }
}

/// Whether a fact takes whole values only: an integer, or a date (a day number).
fn integer(g: &Guideline, f: FactId) -> bool {
    matches!(g.fact(f).kind, FactKind::Integer { .. } | FactKind::Date)
}

impl Encoder<'_> {
    /// Encodes `a op b` over two facts exactly (see the module doc), or as a
    /// free atom past the caps.
    pub(super) fn relational(&mut self, whole: &Expr, op: CmpOp, a: &Expr, b: &Expr) -> Tv {
        if let Some((a, b)) = days_between(self.g, a, b) {
            return self.relational(whole, op, &a, &b);
        }
        let (Some((fa, ka, ca)), Some((fb, kb, cb))) = (linear(self.g, a), linear(self.g, b)) else {
            return self.free_of(whole);
        };
        if fa == fb {
            return self.free_of(whole);
        }
        let (kx, ky) = (self.fact(fa), self.fact(fb));
        let dom = self.dom;
        let cells = |f: FactId| match dom.fact(f) {
            FactDomain::Numeric(c) => Some(c.clone()),
            _ => None,
        };
        let (Some(_), Some(_)) = (cells(fa), cells(fb)) else {
            return self.free_of(whole);
        };
        let pair_key = (fa.min(fb), fa.max(fb));
        let p = match self.pair_index.get(&pair_key) {
            Some(p) => *p,
            None => {
                self.pairs.push(Pair {
                    x: pair_key.0,
                    y: pair_key.1,
                    atoms: Vec::new(),
                    points: HashMap::new(),
                });
                self.pairs.len() - 1
            }
        };
        self.pair_index.insert(pair_key, p);
        let a_is_x = fa == self.pairs[p].x;
        // a = ka * fa + ca, b = kb * fb + cb: on the boundary they are equal.
        let (ratio, shift) = if a_is_x {
            (kb / ka, (cb - ca) / ka)
        } else {
            (ka / kb, (ca - cb) / kb)
        };
        let key = (op, [ka, kb, ca, cb].map(f64::to_bits), a_is_x);
        // The same comparison twice (a definition read by two rules) is one atom.
        if let Some((_, v)) = self.pairs[p].atoms.iter().find(|(r, _)| r.key == key) {
            let v = *v;
            return self.relation_truth(kx, ky, v);
        }
        let (cx, cy) = (
            cells(self.pairs[p].x).unwrap_or_default(),
            cells(self.pairs[p].y).unwrap_or_default(),
        );
        let k = self.pairs[p].atoms.len() + 1;
        if k > MAX_ATOMS || cx.len().saturating_mul(cy.len()).saturating_mul(1 << k) > MAX_VECTORS {
            return self.free_of(whole);
        }
        let v = self.sat.fresh();
        let relation = Relation {
            op,
            a: a.clone(),
            b: b.clone(),
            a_is_x,
            ratio,
            shift,
            key,
        };
        self.pairs[p].atoms.push((relation, v));
        self.exclude_impossible(p, &cx, &cy);
        self.relation_truth(kx, ky, v)
    }

    /// A change from a baseline, as the evaluator decides it: with both known
    /// and the baseline above 0, `100 × now >= (100 + p) × baseline` for a
    /// rise, `100 × now <= (100 - p) × baseline` for a fall; unknown otherwise.
    pub(super) fn change(&mut self, whole: &Expr, now: &Expr, baseline: &Expr, percent: f64, rise: bool) -> Tv {
        if !change_exact(self.g, now, baseline) {
            return self.free_of(whole);
        }
        let (op, factor) = if rise {
            (CmpOp::Ge, 100.0 + percent)
        } else {
            (CmpOp::Le, 100.0 - percent)
        };
        let moved = self.relational(whole, op, &times(100.0, now), &times(factor, baseline));
        let zero = Expr {
            kind: ExprKind::Num(0.0),
            span: baseline.span,
        };
        let positive = self.compare(whole, CmpOp::Gt, baseline, &zero);
        let t = self.sat.and(&[moved.t, positive.t]);
        let f = self.sat.and(&[moved.f, positive.t]);
        Tv { t, f }
    }

    /// True when both facts are known and the comparison holds, false when
    /// both are known and it does not.
    fn relation_truth(&mut self, kx: Lit, ky: Lit, v: Lit) -> Tv {
        let both = self.sat.and(&[kx, ky]);
        self.gated(both, v)
    }

    /// Excludes, box by box, the combinations of the pair's comparisons no
    /// point of the box shows, and keeps a point for each one some point shows.
    fn exclude_impossible(&mut self, p: usize, cx: &[Cell], cy: &[Cell]) {
        let g = self.g;
        let (x, y) = (self.pairs[p].x, self.pairs[p].y);
        let (ix, iy) = (integer(g, x), integer(g, y));
        let Some((Values::Order(gx), Values::Order(gy))) = self.values(x).zip(self.values(y)) else {
            return;
        };
        let (gx, gy) = (gx.clone(), gy.clone());
        let (top, bottom) = (self.sat.top(), self.sat.bottom());
        let at = |ge: &[Lit], i: usize| -> Lit {
            if i == 0 {
                top
            } else if i > ge.len() {
                bottom
            } else {
                ge[i - 1]
            }
        };
        let relations: Vec<Relation> = self.pairs[p].atoms.iter().map(|(r, _)| r.clone()).collect();
        let lits: Vec<Lit> = self.pairs[p].atoms.iter().map(|(_, v)| *v).collect();
        let k = relations.len();
        let mut points = HashMap::new();
        for (i, bx) in cx.iter().enumerate() {
            for (j, by) in cy.iter().enumerate() {
                let (found, exact) = combinations(g, &relations, bx, ix, by, iy);
                for (bits, pt) in &found {
                    points.insert((i, j, *bits), *pt);
                }
                if !exact {
                    continue;
                }
                for bits in 0..(1u64 << k) {
                    if found.iter().any(|(b, _)| *b == bits) {
                        continue;
                    }
                    // Not in this box, or not this combination.
                    let mut clause = vec![!at(&gx, i), at(&gx, i + 1), !at(&gy, j), at(&gy, j + 1)];
                    clause.extend(
                        lits.iter()
                            .enumerate()
                            .map(|(a, l)| if bits >> a & 1 == 1 { !*l } else { *l }),
                    );
                    self.sat.clause(&clause);
                }
            }
        }
        self.pairs[p].points = points;
    }

    /// Moves the values of a decoded case onto a point showing, in the
    /// chosen boxes, the combination of comparisons the model chose.
    /// `cell_of` gives each numeric fact's cell index; the moved values go to
    /// `values`. Pairs sharing a fact are placed one after the other, the
    /// later ones on the earlier ones' values; when that fails in file order,
    /// other orders are tried (each pair first once, then backwards), and the
    /// order placing the most pairs wins. A pair left unplaced keeps its cells'
    /// values, and the evaluator's check of the witness tells.
    pub(super) fn place_relations(
        &self,
        model: &crate::analysis::sat::Model,
        cell_of: &dyn Fn(FactId) -> Option<usize>,
        values: &mut HashMap<FactId, f64>,
    ) {
        let n = self.pairs.len();
        let mut orders: Vec<Vec<usize>> = vec![(0..n).collect()];
        orders.extend((1..n.min(8)).map(|first| {
            std::iter::once(first)
                .chain((0..n).filter(move |p| *p != first))
                .collect()
        }));
        orders.push((0..n).rev().collect());
        let mut best: Option<(usize, HashMap<FactId, f64>)> = None;
        for order in orders {
            let mut attempt = HashMap::new();
            let placed = self.place_in_order(model, cell_of, &order, &mut attempt);
            if best.as_ref().is_none_or(|(b, _)| placed > *b) {
                best = Some((placed, attempt));
            }
            if placed == n {
                break;
            }
        }
        if let Some((_, moved)) = best {
            values.extend(moved);
        }
    }

    /// [`Encoder::place_relations`] in one order; returns the pairs placed.
    fn place_in_order(
        &self,
        model: &crate::analysis::sat::Model,
        cell_of: &dyn Fn(FactId) -> Option<usize>,
        order: &[usize],
        values: &mut HashMap<FactId, f64>,
    ) -> usize {
        let mut fixed: Vec<FactId> = Vec::new();
        let mut placed = 0;
        for pair in order.iter().filter_map(|p| self.pairs.get(*p)) {
            let (Some(i), Some(j)) = (cell_of(pair.x), cell_of(pair.y)) else {
                // Not both known: nothing to place.
                placed += 1;
                continue;
            };
            let bits = pair
                .atoms
                .iter()
                .enumerate()
                .fold(0u64, |b, (a, (_, l))| b | (u64::from(model.value(*l)) << a));
            let relations: Vec<Relation> = pair.atoms.iter().map(|(r, _)| r.clone()).collect();
            let shows = |px: f64, py: f64| {
                relations
                    .iter()
                    .enumerate()
                    .all(|(a, r)| r.holds(self.g, px, py) == (bits >> a & 1 == 1))
            };
            let (x_fixed, y_fixed) = (fixed.contains(&pair.x), fixed.contains(&pair.y));
            let cells = |f: FactId, c: usize| match self.dom.fact(f) {
                FactDomain::Numeric(cs) => cs.get(c).copied(),
                _ => None,
            };
            let point = match (x_fixed, y_fixed) {
                (false, false) => pair.points.get(&(i, j, bits)).copied(),
                (true, false) => values.get(&pair.x).copied().and_then(|px| {
                    let by = cells(pair.y, j)?;
                    let breaks: Vec<f64> = relations.iter().flat_map(|r| crossings(self.g, r, false, px)).collect();
                    let (ys, _) = line(&by, integer(self.g, pair.y), &breaks);
                    ys.into_iter().find(|py| shows(px, *py)).map(|py| (px, py))
                }),
                (false, true) => values.get(&pair.y).copied().and_then(|py| {
                    let bx = cells(pair.x, i)?;
                    let breaks: Vec<f64> = relations.iter().flat_map(|r| crossings(self.g, r, true, py)).collect();
                    let (xs, _) = line(&bx, integer(self.g, pair.x), &breaks);
                    xs.into_iter().find(|px| shows(*px, py)).map(|px| (px, py))
                }),
                (true, true) => None,
            };
            if let Some((px, py)) = point {
                values.insert(pair.x, px);
                values.insert(pair.y, py);
                fixed.extend([pair.x, pair.y]);
                placed += 1;
            } else if x_fixed && y_fixed {
                // Both already placed: fine if they show the combination.
                if let (Some(px), Some(py)) = (values.get(&pair.x), values.get(&pair.y)) {
                    placed += usize::from(shows(*px, *py));
                }
            }
        }
        placed
    }
}

/// A combination of the comparisons' truths (comparison `a` at bit `a`)
/// and a point showing it.
type Shown = (u64, (f64, f64));

/// `v` and its neighbouring `f64`s: a boundary computed in floating point may
/// sit a rounding step from where the evaluator's comparison turns.
fn near(v: f64) -> [f64; 3] {
    [v, v.next_down(), v.next_up()]
}

/// The combinations (as bits, comparison `a` at bit `a`) of the comparisons'
/// truths that points of box `bx` × `by` show, each with a point; and whether
/// the list is complete.
fn combinations(g: &Guideline, rels: &[Relation], bx: &Cell, ix: bool, by: &Cell, iy: bool) -> (Vec<Shown>, bool) {
    let mut found: Vec<Shown> = Vec::new();
    // Of the points showing one combination, the witness keeps the most
    // plausible: near the cells' own values, off the ends of the declared
    // range (a cell's finite end that is no threshold is such an end),
    // whole where a whole number will do.
    let off = |c: &Cell, v: f64| {
        let corner = !c.point && (v == c.lo || v == c.hi);
        // A whole number reads as a clinician writes it; a value a rounding
        // step from a boundary does not.
        let ragged = if v.fract() == 0.0 { 0.0 } else { 1.0 };
        (v - c.value).abs() / c.value.abs().max(1.0) + ragged + if corner { 1e6 } else { 0.0 }
    };
    let mut record = |px: f64, py: f64| {
        let bits = rels
            .iter()
            .enumerate()
            .fold(0u64, |b, (a, r)| b | (u64::from(r.holds(g, px, py)) << a));
        let score = off(bx, px) + off(by, py);
        match found.iter_mut().find(|(b, _)| *b == bits) {
            Some(entry) => {
                let (ox, oy) = entry.1;
                if score < off(bx, ox) + off(by, oy) {
                    entry.1 = (px, py);
                }
            }
            None => found.push((bits, (px, py))),
        }
    };
    let ends = |c: &Cell| [c.lo, c.hi].into_iter().filter(|v| v.is_finite()).collect::<Vec<f64>>();
    // Sweep one fact and solve the other exactly on each of its values. The
    // sweep visits every face when both facts are real (the faces change
    // only at the critical values), or when the swept fact is an integer
    // whose cell is walked whole. A real sweep against an integer fact could
    // miss a thin wedge holding whole numbers only for some values: not exact.
    //
    // Two integer facts whose lines all have slope 1 (or all -1) at whole
    // offsets (dates: `labs >= start - 3 d`) form a lattice: along any whole
    // `y` the comparisons turn at whole `x`, and the combinations a row shows
    // change only where a line meets an end of x's cell. So whole `y` around
    // those values and between them visit every combination.
    let slope = rels.first().map_or(0.0, |r| r.ratio);
    let lattice = ix && iy && slope.abs() == 1.0 && rels.iter().all(|r| r.ratio == slope && r.shift.fract() == 0.0);
    let exact_y = (!ix && !iy) || (iy && few_integers(by)) || lattice;
    let exact_x = ix && few_integers(bx);
    if exact_y || !exact_x {
        // Where a line meets an end of x's cell, and where the lines meet.
        let mut critical = vec![0.0];
        for r in rels {
            critical.extend(ends(bx).iter().flat_map(|e| near((e - r.shift) / r.ratio)));
        }
        critical.extend(meetings(rels, true));
        let (ys, _) = line(by, iy, &critical);
        for py in ys {
            let breaks: Vec<f64> = rels.iter().flat_map(|r| crossings(g, r, true, py)).collect();
            let (xs, _) = line(bx, ix, &breaks);
            xs.into_iter().for_each(|px| record(px, py));
        }
        return (found, exact_y);
    }
    let mut critical = vec![0.0];
    for r in rels {
        critical.extend(ends(by).iter().flat_map(|e| near(e * r.ratio + r.shift)));
    }
    critical.extend(meetings(rels, false));
    let (xs, _) = line(bx, ix, &critical);
    for px in xs {
        let breaks: Vec<f64> = rels.iter().flat_map(|r| crossings(g, r, false, px)).collect();
        let (ys, _) = line(by, iy, &breaks);
        ys.into_iter().for_each(|py| record(px, py));
    }
    (found, true)
}

/// Where, with one fact at `v`, the comparison turns along the other fact:
/// the boundary value and its float neighbours. `along_x`: `v` is `y`.
fn crossings(g: &Guideline, r: &Relation, along_x: bool, v: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(6);
    if along_x {
        out.extend(near(r.ratio * v + r.shift));
    } else {
        out.extend(near((v - r.shift) / r.ratio));
    }
    // Inverting the term the evaluator computes, to meet equality exactly.
    let computed = value(g, if r.a_is_x == along_x { &r.b } else { &r.a }, v);
    let own = if r.a_is_x == along_x { &r.a } else { &r.b };
    let (at0, unit) = (value(g, own, 0.0), value(g, own, 1.0) - value(g, own, 0.0));
    if unit.is_finite() && unit != 0.0 {
        out.extend(near((computed - at0) / unit));
    }
    out
}

/// Where two of the lines meet, as a value of `y` (`along_y`) or of `x`,
/// with float neighbours: lines through the origin meet at 0, lines with
/// offsets anywhere.
fn meetings(rels: &[Relation], along_y: bool) -> Vec<f64> {
    let mut out = Vec::new();
    for (i, r) in rels.iter().enumerate() {
        for q in &rels[i + 1..] {
            if r.ratio != q.ratio {
                let y = (q.shift - r.shift) / (r.ratio - q.ratio);
                let v = if along_y { y } else { r.ratio * y + r.shift };
                if v.is_finite() {
                    out.extend(near(v));
                }
            }
        }
    }
    out
}

fn few_integers(c: &Cell) -> bool {
    c.lo.is_finite() && c.hi.is_finite() && c.hi - c.lo <= SWEEP_INTEGERS
}

/// Values of a cell to try, given the points `breaks` where something turns:
/// each break inside, one value between each two (and past the last toward an
/// unbounded end), the included ends; for an integer fact the whole numbers
/// around each of these, or every whole number of a small cell. The flag
/// says whether every whole number was listed (always true for a real fact's
/// 1-D question).
fn line(c: &Cell, integer: bool, breaks: &[f64]) -> (Vec<f64>, bool) {
    let valid = |v: f64| v.is_finite() && c.contains(v) && (!integer || v.fract() == 0.0);
    if c.point {
        return (vec![c.value], true);
    }
    if integer && few_integers(c) {
        let mut v = c.lo.ceil();
        let mut out = Vec::new();
        while v <= c.hi {
            if valid(v) {
                out.push(v);
            }
            v += 1.0;
        }
        return (out, true);
    }
    let mut fences: Vec<f64> = breaks
        .iter()
        .copied()
        .filter(|b| b.is_finite() && c.contains(*b))
        .collect();
    fences.extend([c.lo, c.hi].into_iter().filter(|v| v.is_finite()));
    fences.push(c.value);
    fences.sort_by(f64::total_cmp);
    fences.dedup();
    let mut raw = fences.clone();
    for w in fences.windows(2) {
        // The middle, and a whole number near it for a readable witness.
        let mid = w[0] / 2.0 + w[1] / 2.0;
        raw.extend([mid, mid.round()]);
    }
    if let (Some(first), Some(last)) = (fences.first(), fences.last()) {
        if c.lo == f64::NEG_INFINITY {
            raw.push(first - first.abs().max(1.0));
        }
        if c.hi == f64::INFINITY {
            raw.push(last + last.abs().max(1.0));
        }
    }
    // Multiplying the smallest numbers above 0 rounds (half of 5e-324 is 0):
    // the comparisons can turn there as they do nowhere else.
    for bits in 1..=4 {
        raw.extend([f64::from_bits(bits), -f64::from_bits(bits)]);
    }
    let mut out: Vec<f64> = if integer {
        raw.iter()
            .flat_map(|v| [v.floor() - 1.0, v.floor(), v.ceil(), v.ceil() + 1.0])
            .collect()
    } else {
        raw
    };
    out.retain(|v| valid(*v));
    out.sort_by(f64::total_cmp);
    out.dedup();
    (out, !integer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::domain::Domain;
    use crate::analysis::sat::Budget;

    const TEXT: &str = "guideline rel\n  version 1.0.0\n  status draft\n\n\
        fact ldh: number in U/L from 0 to 10000 \"LDH.\"\n\
        fact ldh_uln: number in U/L from 100 to 500 \"LDH upper limit.\"\n\n\
        rule a: recommend x\n  when ldh >= 2 * ldh_uln\n\n\
        rule b: avoid x\n  when ldh < 1.5 * ldh_uln\n";

    #[test]
    fn multiples_of_a_fact_are_exact() {
        let g = crate::load_str("rel.gl", TEXT).expect("it checks");
        let whens: Vec<&Expr> = g.rules.iter().filter_map(|r| r.when.as_ref()).collect();
        let dom = Domain::new(&g, whens.iter().copied());
        let mut enc = Encoder::new(&g, &dom, &Budget::unlimited());
        let (a, b) = (enc.condition(whens[0]), enc.condition(whens[1]));
        let mut both = enc.complete();
        both.extend([a.t, b.t]);
        assert!(enc.sat.solve(&both).expect("solves").is_none(), "no LDH is both");
        // Each side's witness is a point where the comparisons say so, with
        // whole, mid-range values.
        let num = |c: &crate::facts::Case, f: u32| match c.get(FactId(f)) {
            Some(crate::facts::Value::Num(x)) => Some(x),
            _ => None,
        };
        type Holds = fn(f64, f64) -> bool;
        let checks: [(Lit, Holds); 3] = [
            (a.t, |l, u| l >= 2.0 * u),
            (b.t, |l, u| l < 1.5 * u),
            (a.f, |l, u| l < 2.0 * u),
        ];
        for (want, holds) in checks {
            let mut q = enc.complete();
            q.push(want);
            let m = enc.sat.solve(&q).expect("solves").expect("a case");
            let case = enc.decode(&m, true);
            let (Some(l), Some(u)) = (num(&case, 0), num(&case, 1)) else {
                panic!("both facts are given")
            };
            assert!(holds(l, u), "{l} {u}");
            assert!(
                l.fract() == 0.0 && u.fract() == 0.0 && u > 100.0 && u < 500.0,
                "{l} {u}"
            );
        }
    }
}
