//! The `dose` field printed on one line, every amount in the order the
//! grammar reads it, so that formatting and parsing again gives the same dose.

use super::{expr, quote};
use crate::syntax::ast::Dose;

/// `dose 50 to 60 mg/kg/day by weight at most 800 mg/day "in two doses" if C
/// otherwise ...`: every amount in the order the grammar reads it.
pub(super) fn line(d: &Dose) -> String {
    let mut line = String::from("dose");
    for (k, b) in d.branches.iter().enumerate() {
        let a = &b.amount;
        if k > 0 {
            line.push_str(" otherwise");
        }
        line.push_str(&format!(" {}", a.low.node));
        if let Some(h) = &a.high {
            line.push_str(&format!(" to {}", h.node));
        }
        line.push_str(&format!(" {}", a.unit.node));
        if let Some(by) = &a.by {
            line.push_str(&format!(" by {}", expr(by)));
        }
        if let Some(cap) = &a.cap {
            line.push_str(&format!(" at most {} {}", cap.amount.node, cap.unit.node));
        }
        if let Some(how) = &a.how {
            line.push_str(&format!(" {}", quote(&how.node)));
        }
        if let Some(w) = &b.when {
            line.push_str(&format!(" if {}", expr(w)));
        }
    }
    line
}
