//! Witnesses cut down to what they show: a solver's model gives every fact
//! the action's rules read, but a reader should see only the facts that
//! matter. A fact outside the finding's own conditions is dropped when the
//! evaluator still shows the finding without it.

use crate::facts::Case;
use crate::model::{FactId, Guideline};

/// `case` without each fact outside `keep` whose absence still leaves
/// `shows` true, tried one by one in declaration order (greedy: what is
/// left still shows the finding, and each fact left is needed for it given
/// the others).
pub fn trimmed(g: &Guideline, case: &Case, keep: &[FactId], mut shows: impl FnMut(&Case) -> bool) -> Case {
    let mut out = case.clone();
    for i in 0..g.facts.len() {
        let id = FactId(i as u32);
        let Some(v) = out.get(id) else { continue };
        if keep.contains(&id) {
            continue;
        }
        out.set(id, None);
        if !shows(&out) {
            out.set(id, Some(v));
        }
    }
    out
}
