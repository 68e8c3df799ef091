//! Finite domains for the facts: every value a case could give a fact falls in
//! exactly one *cell*, and every condition the analysis decides exactly has the
//! same truth on all values of a cell.
//!
//! A boolean has two cells and an enum one per value. A number is cut at the
//! constants its comparisons use, and at its declared bounds: each constant is
//! a point cell and the open stretches between them are interval cells. A
//! comparison `fact op c` has one truth on each cell because `c` is a cut. Each
//! cell keeps one concrete value (a whole number inside it for integer facts),
//! so a cell choice turns into a valid case. Cells holding no value a case can
//! give (an interval with no whole number for an integer fact, or no `f64`
//! strictly inside) are dropped, which is exact: no case reaches them.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::model::{DefId, Expr, ExprKind, FactId, FactKind, Guideline};

/// A numeric expression as the analysis sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Term {
    /// A constant, computed with the evaluator's own operations.
    Const(f64),
    /// The value of a numeric fact (directly or through definitions).
    Fact(FactId),
    /// Always unknown (constant arithmetic that leaves the finite numbers).
    Unknown,
    /// Anything else (arithmetic on facts): outside the exact fragment.
    Other,
}

/// Resolves a numeric expression to a constant or a fact, following definitions.
/// Constants are folded with exactly the operations the evaluator uses, so the
/// cut points equal the values the evaluator compares with.
pub fn term(g: &Guideline, e: &Expr) -> Term {
    term_in(g, e, &mut HashMap::new())
}

/// [`term`], with the terms of the definitions met so far: a definition used
/// twice (`define twice: half + half`) is resolved once, not once per path.
fn term_in(g: &Guideline, e: &Expr, known: &mut HashMap<DefId, Term>) -> Term {
    let finite = |x: f64| if x.is_finite() { Term::Const(x) } else { Term::Unknown };
    match &e.kind {
        ExprKind::Num(x) => Term::Const(*x),
        ExprKind::Fact(f) => Term::Fact(*f),
        ExprKind::Def(d) => {
            if let Some(t) = known.get(d) {
                return *t;
            }
            let t = term_in(g, &g.definitions[d.index()].body, known);
            known.insert(*d, t);
            t
        }
        ExprKind::Neg(x) => match term_in(g, x, known) {
            Term::Const(c) => Term::Const(-c),
            Term::Unknown => Term::Unknown,
            _ => Term::Other,
        },
        ExprKind::Sqrt(x) => match term_in(g, x, known) {
            Term::Const(c) => finite(c.sqrt()),
            Term::Unknown => Term::Unknown,
            _ => Term::Other,
        },
        ExprKind::Arith(op, a, b) => match (term_in(g, a, known), term_in(g, b, known)) {
            (Term::Const(x), Term::Const(y)) => finite(match op {
                crate::model::ArithOp::Add => x + y,
                crate::model::ArithOp::Sub => x - y,
                crate::model::ArithOp::Mul => x * y,
                crate::model::ArithOp::Div => x / y,
            }),
            (Term::Unknown, _) | (_, Term::Unknown) => Term::Unknown,
            _ => Term::Other,
        },
        _ => Term::Other,
    }
}

/// The enum fact an enum-valued expression reads (a fact, or definitions naming one).
pub fn enum_subject(g: &Guideline, e: &Expr) -> Option<FactId> {
    match &e.kind {
        ExprKind::Fact(f) => Some(*f),
        ExprKind::Def(d) => enum_subject(g, &g.definitions[d.index()].body),
        _ => None,
    }
}

/// Records, per numeric fact, the constants it is compared with in `e`
/// (following definitions, each once).
pub fn collect_cuts(g: &Guideline, e: &Expr, cuts: &mut BTreeMap<FactId, Vec<f64>>) {
    cuts_into(g, e, cuts, &mut HashSet::new());
}

/// [`collect_cuts`], skipping the definitions in `walked`: a second walk of a
/// definition finds the same cuts, and a chain of definitions each using the
/// previous twice would otherwise be walked once per path, exponentially.
fn cuts_into(g: &Guideline, e: &Expr, cuts: &mut BTreeMap<FactId, Vec<f64>>, walked: &mut HashSet<DefId>) {
    match &e.kind {
        ExprKind::Compare(_, a, b) => {
            if let (Term::Fact(f), Term::Const(c)) | (Term::Const(c), Term::Fact(f)) = (term(g, a), term(g, b)) {
                cuts.entry(f).or_default().push(c);
            }
        }
        // A definition walked before falls to the catch-all below.
        ExprKind::Def(d) if walked.insert(*d) => cuts_into(g, &g.definitions[d.index()].body, cuts, walked),
        ExprKind::Not(x) | ExprKind::Known(x, _) | ExprKind::EnumIn(x, _) => cuts_into(g, x, cuts, walked),
        ExprKind::And(a, b) | ExprKind::Or(a, b) => {
            cuts_into(g, a, cuts, walked);
            cuts_into(g, b, cuts, walked);
        }
        ExprKind::AtLeast(_, items) => items.iter().for_each(|i| cuts_into(g, i, cuts, walked)),
        // A change from a baseline means something only on a baseline above
        // 0: the baseline's cells part there.
        ExprKind::Change { baseline, .. } => {
            if let Term::Fact(f) = term(g, baseline) {
                cuts.entry(f).or_default().push(0.0);
            }
        }
        _ => {}
    }
}

/// One cell of a numeric fact: the values between `lo` and `hi` (each end
/// included when `lo_in` / `hi_in`; a point has `lo == hi`, both included).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cell {
    /// A value inside the cell, valid for the fact: the one a witness shows.
    pub value: f64,
    /// True for a single point.
    pub point: bool,
    /// The lower end (`-inf` when the cell is unbounded below).
    pub lo: f64,
    /// Whether `lo` itself is in the cell.
    pub lo_in: bool,
    /// The upper end (`+inf` when the cell is unbounded above).
    pub hi: f64,
    /// Whether `hi` itself is in the cell.
    pub hi_in: bool,
}

impl Cell {
    /// Whether `x` lies in the cell (whole-number validity aside).
    pub fn contains(&self, x: f64) -> bool {
        (self.lo < x || (self.lo_in && x == self.lo)) && (x < self.hi || (self.hi_in && x == self.hi))
    }
}

/// The cells of one fact.
#[derive(Clone, Debug, PartialEq)]
pub enum FactDomain {
    /// `false`, `true`.
    Bool,
    /// One cell per declared value.
    Enum(usize),
    /// Ordered cells of a number or integer.
    Numeric(Vec<Cell>),
}

/// The cells of every fact of a guideline.
#[derive(Clone, Debug)]
pub struct Domain {
    facts: Vec<FactDomain>,
}

impl Domain {
    /// Cuts each numeric fact of `g` at the constants `exprs` compare it with.
    pub fn new<'e>(g: &Guideline, exprs: impl IntoIterator<Item = &'e Expr>) -> Domain {
        let mut cuts = BTreeMap::new();
        for e in exprs {
            collect_cuts(g, e, &mut cuts);
        }
        Domain::with_cuts(g, &cuts)
    }

    /// Builds the cells from cut points already collected.
    pub fn with_cuts(g: &Guideline, cuts: &BTreeMap<FactId, Vec<f64>>) -> Domain {
        let facts = g
            .facts
            .iter()
            .enumerate()
            .map(|(i, f)| match &f.kind {
                FactKind::Bool => FactDomain::Bool,
                FactKind::Enum { values } => FactDomain::Enum(values.len()),
                // A date is compared only with dates (see encode/relational.rs):
                // no cuts, one cell for "some day" of the dates a case may hold.
                FactKind::Date => FactDomain::Numeric(vec![date_cell()]),
                FactKind::Integer { min, max } => FactDomain::Numeric(cells(
                    cuts.get(&FactId(i as u32)).map_or(&[][..], Vec::as_slice),
                    *min,
                    *max,
                    true,
                )),
                FactKind::Number { min, max, .. } => FactDomain::Numeric(cells(
                    cuts.get(&FactId(i as u32)).map_or(&[][..], Vec::as_slice),
                    *min,
                    *max,
                    false,
                )),
            })
            .collect();
        Domain { facts }
    }

    /// The cells of a fact.
    pub fn fact(&self, f: FactId) -> &FactDomain {
        &self.facts[f.index()]
    }

    /// A valid value for a fact the question at hand does not involve: the
    /// value of its widest cell (the middle of the declared range when no
    /// condition cuts it), `false`, the first enum value.
    pub fn default_value(&self, f: FactId) -> Option<crate::facts::Value> {
        use crate::facts::Value;
        match self.fact(f) {
            FactDomain::Bool => Some(Value::Bool(false)),
            FactDomain::Enum(n) => (*n > 0).then_some(Value::Enum(0)),
            FactDomain::Numeric(cells) => cells
                .iter()
                .find(|c| !c.point)
                .or(cells.first())
                .map(|c| Value::Num(c.value)),
        }
    }
}

/// The cells of one numeric fact declared `kind`, cut at `cuts` (the
/// evaluator's exact `needs` enumerate one value per cell); empty for a
/// boolean or an enum.
pub fn numeric_cells(kind: &FactKind, cuts: &[f64]) -> Vec<Cell> {
    match kind {
        FactKind::Integer { min, max } => cells(cuts, *min, *max, true),
        FactKind::Number { min, max, .. } => cells(cuts, *min, *max, false),
        FactKind::Bool | FactKind::Enum { .. } | FactKind::Date => Vec::new(),
    }
}

/// The one cell of a date fact: every day a case may give. Its value, the
/// day a witness shows unless a comparison moves it, is a recent one, so that
/// a witness reads as a patient's record would.
fn date_cell() -> Cell {
    let day = |text: &str| crate::time::parse_day(text).unwrap_or(0.0);
    Cell {
        value: day(WITNESS_DAY),
        point: false,
        lo: day(crate::time::EARLIEST),
        lo_in: true,
        hi: day(crate::time::LATEST),
        hi_in: true,
    }
}

/// The day a date in a witness shows when no comparison moves it.
pub const WITNESS_DAY: &str = "2025-01-01";

/// Cuts the line (or the declared range) at `cuts`; see the module doc.
///
/// Only the cuts are point cells: a declared bound that no condition
/// compares with closes the interval next to it instead. No comparison with
/// a constant tells the bound from the values just inside it, so the cell is
/// still uniform, and a witness never shows a patient at an absurd corner of
/// the range (age 0, potassium 0) unless a condition makes that corner a
/// threshold of its own.
fn cells(cuts: &[f64], min: Option<f64>, max: Option<f64>, integer: bool) -> Vec<Cell> {
    let inside = |x: f64| min.is_none_or(|m| x >= m) && max.is_none_or(|m| x <= m);
    let mut points: Vec<f64> = cuts.iter().copied().filter(|x| x.is_finite() && inside(*x)).collect();
    points.sort_by(f64::total_cmp);
    points.dedup_by(|a, b| a == b);
    let valid = |x: f64| x.is_finite() && (!integer || x.fract() == 0.0);
    // The stretches between the cuts, each end open at a cut and closed at a
    // declared bound.
    let lo_end = (min.unwrap_or(f64::NEG_INFINITY), min.is_some_and(f64::is_finite));
    let hi_end = (max.unwrap_or(f64::INFINITY), max.is_some_and(f64::is_finite));
    let mut out = Vec::new();
    let interval = |lo: (f64, bool), hi: (f64, bool), out: &mut Vec<Cell>| {
        if let Some(value) = representative(lo, hi, integer) {
            out.push(Cell {
                value,
                point: false,
                lo: lo.0,
                lo_in: lo.1,
                hi: hi.0,
                hi_in: hi.1,
            });
        }
    };
    let mut from = lo_end;
    for &p in &points {
        // A cut on the lower bound leaves nothing below it.
        if from.0 < p {
            interval(from, (p, false), &mut out);
        }
        if valid(p) {
            out.push(Cell {
                value: p,
                point: true,
                lo: p,
                lo_in: true,
                hi: p,
                hi_in: true,
            });
        }
        from = (p, false);
    }
    if from.0 < hi_end.0 || (from.0 == hi_end.0 && from.1 && hi_end.1) {
        interval(from, hi_end, &mut out);
    }
    out
}

/// The value a witness shows for a stretch from `lo` to `hi` (each with
/// whether it is included; either may be infinite), whole when `integer`:
/// a round number near the middle of a bounded stretch, a step past the
/// threshold of an unbounded one, an included end only when nothing lies
/// strictly inside. `None` when the stretch holds no valid value.
fn representative(lo: (f64, bool), hi: (f64, bool), integer: bool) -> Option<f64> {
    let (l, h) = (lo.0, hi.0);
    let strictly = |v: f64| v.is_finite() && l < v && v < h && (!integer || v.fract() == 0.0);
    let mut candidates: Vec<f64> = Vec::with_capacity(24);
    let aim = match (l.is_finite(), h.is_finite()) {
        (true, true) => l / 2.0 + h / 2.0,
        (true, false) => l + (l.abs() / 2.0).max(1.0),
        (false, true) => h - (h.abs() / 2.0).max(1.0),
        (false, false) => 0.0,
    };
    // The roundest number near the aim first: 65 rather than 65.37.
    let mut scale = 1.0;
    for _ in 0..16 {
        candidates.push((aim * scale).round() / scale);
        scale *= 10.0;
    }
    candidates.extend([aim, aim.floor(), aim.ceil()]);
    if l.is_finite() {
        candidates.extend([l.floor() + 1.0, next_up(l)]);
    }
    if h.is_finite() {
        candidates.extend([h.ceil() - 1.0, -next_up(-h)]);
    }
    if let Some(v) = candidates.iter().copied().find(|v| strictly(*v)) {
        return Some(v);
    }
    // Nothing strictly inside: an included end is the only value (an
    // integer fact from 0 below a threshold of 1 is 0).
    let valid_end = |(v, included): (f64, bool)| included && v.is_finite() && (!integer || v.fract() == 0.0);
    [lo, hi].into_iter().find(|e| valid_end(*e)).map(|e| e.0)
}

/// The smallest `f64` above a finite `x`.
fn next_up(x: f64) -> f64 {
    if x == 0.0 {
        return f64::from_bits(1);
    }
    let bits = x.to_bits();
    f64::from_bits(if x > 0.0 { bits + 1 } else { bits - 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(c: &[Cell]) -> Vec<f64> {
        c.iter().map(|c| c.value).collect()
    }

    #[test]
    fn numbers_are_cut_at_constants_and_bounds() {
        // The bound 0 is no cut: it closes the stretch below 50, whose
        // value is its middle; above the last cut, a step past it.
        let c = cells(&[100.0, 50.0, 100.0], Some(0.0), None, false);
        assert_eq!(values(&c), vec![25.0, 50.0, 75.0, 100.0, 150.0]);
        let c = cells(&[0.5], None, None, false);
        assert_eq!(values(&c), vec![-1.0, 0.5, 2.0]);
        let c = cells(&[], None, None, false);
        assert_eq!(values(&c), vec![0.0]);
        // Constants outside the range are no cut; an uncut range is one
        // cell, shown by its middle, not by a corner.
        let c = cells(&[200.0, -3.0], Some(0.0), Some(130.0), false);
        assert_eq!(values(&c), vec![65.0]);
        assert!(c[0].contains(0.0) && c[0].contains(130.0) && !c[0].contains(131.0));
        // A threshold on a bound is a point of its own: the corner is the point.
        let c = cells(&[0.0, 130.0], Some(0.0), Some(130.0), false);
        assert_eq!(values(&c), vec![0.0, 65.0, 130.0]);
        assert!(!c[1].contains(0.0) && !c[1].contains(130.0));
    }

    #[test]
    fn integers_keep_only_whole_values() {
        // Between 2 and 3 there is no whole number; 2.5 is no valid value.
        let c = cells(&[2.0, 2.5, 3.0], Some(0.0), Some(4.0), true);
        assert_eq!(values(&c), vec![1.0, 2.0, 3.0, 4.0]);
        assert!(c.iter().all(|c| c.value.fract() == 0.0));
        // Below a threshold of 1 an integer from 0 can only be 0.
        let c = cells(&[1.0], Some(0.0), None, true);
        assert_eq!(values(&c), vec![0.0, 1.0, 2.0]);
    }

    #[test]
    fn tiny_intervals_use_a_value_inside() {
        let v = representative((0.1, false), (0.2, false), false).expect("a value");
        assert!(0.1 < v && v < 0.2);
        assert_eq!(v, 0.15);
        assert!(representative((1.0, false), (next_up(1.0), false), false).is_none());
        let big = representative((f64::MAX / 2.0, false), (f64::INFINITY, false), false).expect("a value");
        assert!(big > f64::MAX / 2.0 && big.is_finite());
    }

    #[test]
    fn every_value_lies_in_its_cell() {
        for (cuts, min, max, integer) in [
            (vec![1.5, 7.0], Some(0.0), Some(10.0), false),
            (vec![-2.0, 0.0, 3.0], None, None, true),
            (vec![1e-9], Some(0.0), None, false),
            (vec![5.0], Some(5.0), Some(5.0), true),
        ] {
            for c in cells(&cuts, min, max, integer) {
                assert!(c.contains(c.value), "{c:?}");
            }
        }
    }
}
