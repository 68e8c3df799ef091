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
        _ => {}
    }
}

/// One cell of a numeric fact.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cell {
    /// A value inside the cell, valid for the fact.
    pub value: f64,
    /// True for a single point.
    pub point: bool,
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
                // A date is compared only with dates (free atoms, see
                // encode.rs): no cuts, one cell for "some day".
                FactKind::Date => FactDomain::Numeric(cells(&[], None, None, true)),
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

    /// A valid value for a fact the question at hand does not involve: zero
    /// (or the cell value nearest it), `false`, the first enum value.
    pub fn default_value(&self, f: FactId) -> Option<crate::facts::Value> {
        use crate::facts::Value;
        match self.fact(f) {
            FactDomain::Bool => Some(Value::Bool(false)),
            FactDomain::Enum(n) => (*n > 0).then_some(Value::Enum(0)),
            FactDomain::Numeric(cells) => cells
                .iter()
                .map(|c| c.value)
                .min_by(|a, b| a.abs().total_cmp(&b.abs()))
                .map(Value::Num),
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

/// Cuts the line (or the declared range) at `cuts`; see the module doc.
fn cells(cuts: &[f64], min: Option<f64>, max: Option<f64>, integer: bool) -> Vec<Cell> {
    let inside = |x: f64| min.is_none_or(|m| x >= m) && max.is_none_or(|m| x <= m);
    let mut points: Vec<f64> = cuts.iter().copied().filter(|x| x.is_finite() && inside(*x)).collect();
    points.extend(min);
    points.extend(max);
    points.sort_by(f64::total_cmp);
    points.dedup_by(|a, b| a == b);
    let valid = |x: f64| x.is_finite() && (!integer || x.fract() == 0.0);
    let mut out = Vec::new();
    let interval = |lo: f64, hi: f64, out: &mut Vec<Cell>| {
        if let Some(v) = inside_interval(lo, hi, integer) {
            out.push(Cell { value: v, point: false });
        }
    };
    let first = points.first().copied().unwrap_or(f64::INFINITY);
    if min.is_none() {
        interval(f64::NEG_INFINITY, first, &mut out);
    }
    for (i, &p) in points.iter().enumerate() {
        if valid(p) {
            out.push(Cell { value: p, point: true });
        }
        if let Some(&next) = points.get(i + 1) {
            interval(p, next, &mut out);
        }
    }
    if max.is_none() {
        if let Some(&last) = points.last() {
            interval(last, f64::INFINITY, &mut out);
        }
    }
    out
}

/// A readable value strictly between `lo` and `hi` (either may be infinite),
/// whole when `integer`; `None` when there is none.
fn inside_interval(lo: f64, hi: f64, integer: bool) -> Option<f64> {
    let ok = |v: f64| v.is_finite() && lo < v && v < hi && (!integer || v.fract() == 0.0);
    let mut candidates = Vec::with_capacity(4);
    match (lo.is_finite(), hi.is_finite()) {
        (false, false) => candidates.push(0.0),
        (true, _) => candidates.push(lo.floor() + 1.0),
        (false, true) => candidates.push(hi.ceil() - 1.0),
    }
    if lo.is_finite() && hi.is_finite() {
        let mid = lo / 2.0 + hi / 2.0;
        candidates.push(mid);
        candidates.push(mid.floor());
        candidates.push(mid.ceil());
    } else if lo.is_finite() {
        candidates.push(lo + lo.abs().max(1.0));
        candidates.push(next_up(lo));
    } else if hi.is_finite() {
        candidates.push(hi - hi.abs().max(1.0));
        candidates.push(-next_up(-hi));
    }
    candidates.into_iter().find(|v| ok(*v))
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
        let c = cells(&[100.0, 50.0, 100.0], Some(0.0), None, false);
        assert_eq!(values(&c), vec![0.0, 1.0, 50.0, 51.0, 100.0, 101.0]);
        let c = cells(&[0.5], None, None, false);
        assert_eq!(values(&c), vec![0.0, 0.5, 1.0]);
        let c = cells(&[], None, None, false);
        assert_eq!(values(&c), vec![0.0]);
        // Constants outside the range are no cut; the range ends are points.
        let c = cells(&[200.0, -3.0], Some(0.0), Some(130.0), false);
        assert_eq!(values(&c), vec![0.0, 1.0, 130.0]);
    }

    #[test]
    fn integers_keep_only_whole_values() {
        // Between 2 and 3 there is no whole number; 2.5 is no valid value.
        let c = cells(&[2.0, 2.5, 3.0], Some(0.0), Some(4.0), true);
        assert_eq!(values(&c), vec![0.0, 1.0, 2.0, 3.0, 4.0]);
        assert!(c.iter().all(|c| c.value.fract() == 0.0));
    }

    #[test]
    fn tiny_intervals_use_a_value_inside() {
        let v = inside_interval(0.1, 0.2, false).expect("a value");
        assert!(0.1 < v && v < 0.2);
        assert!(inside_interval(1.0, next_up(1.0), false).is_none());
        let big = inside_interval(f64::MAX / 2.0, f64::INFINITY, false).expect("a value");
        assert!(big > f64::MAX / 2.0 && big.is_finite());
    }
}
