//! Witnesses cut down to what they show: a solver's model gives every fact
//! the action's rules read, but a reader should see only the facts that
//! matter. A fact outside the finding's own conditions is dropped when the
//! evaluator still shows the finding without it.

use crate::facts::{Case, Value};
use crate::model::{FactId, Guideline};

/// `case` without each fact outside `keep` whose absence still leaves
/// `shows` true, tried one by one in declaration order (greedy: what is
/// left still shows the finding, and each fact left is needed for it given
/// the others). With it, whether `shows` is known to hold for what is
/// left: true once a fact was dropped (each drop is asked of `shows`, and a
/// step that puts a fact back leaves the case as it was).
pub fn trimmed(g: &Guideline, case: &Case, keep: &[FactId], mut shows: impl FnMut(&Case) -> bool) -> (Case, bool) {
    let mut out = case.clone();
    let mut holds = false;
    for i in 0..g.facts.len() {
        let id = FactId(i as u32);
        let Some(v) = out.get(id) else { continue };
        if keep.contains(&id) {
            continue;
        }
        out.set(id, None);
        if shows(&out) {
            holds = true;
        } else {
            out.set(id, Some(v));
        }
    }
    (out, holds)
}

/// The same facts with the same values, bit for bit (`-0.0` is not `0.0`),
/// and the same evaluation date: nothing an evaluation reads differs.
pub fn identical(g: &Guideline, a: &Case, b: &Case) -> bool {
    let same = |x: Option<Value>, y: Option<Value>| match (x, y) {
        (Some(Value::Num(x)), Some(Value::Num(y))) => x.to_bits() == y.to_bits(),
        (x, y) => x == y,
    };
    a.as_of().map(f64::to_bits) == b.as_of().map(f64::to_bits) && g.fact_ids().all(|f| same(a.get(f), b.get(f)))
}
