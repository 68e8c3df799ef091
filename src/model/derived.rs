//! Scores and categories: named values derived from the facts. A rule never
//! reads them directly; the checker rewrites `score >= 2` and `risk is high`
//! into conditions over the items (see `check/derived.rs`), so evaluation,
//! `needs`, lint and diff treat them as the conditions they are. The model
//! keeps them for the reports ("CHA2DS2-VASc 4", "TLS risk: high").

use super::Expr;
use crate::diagnostics::Span;

/// A weighted score: the sum of the points whose conditions hold.
#[derive(Clone, Debug)]
pub struct Score {
    /// Its name in conditions.
    pub name: String,
    /// The label a clinician reads (the name when none is written).
    pub label: String,
    /// Its items, in written order.
    pub items: Vec<ScoreItem>,
    /// Where it is declared.
    pub span: Span,
}

/// `N when COND`.
#[derive(Clone, Debug)]
pub struct ScoreItem {
    /// Whole points, never zero; negative ones subtract.
    pub points: i64,
    /// When they count.
    pub when: Expr,
}

impl Score {
    /// The lowest and highest value the score can take.
    pub fn bounds(&self) -> (i64, i64) {
        let low = self.items.iter().map(|i| i.points.min(0)).sum();
        let high = self.items.iter().map(|i| i.points.max(0)).sum();
        (low, high)
    }
}

/// A derived value with named levels, exactly one of which holds for every
/// complete patient in scope (the checker proves it).
#[derive(Clone, Debug)]
pub struct Category {
    /// Its name in conditions.
    pub name: String,
    /// The label a clinician reads (the name when none is written).
    pub label: String,
    /// Its levels, in written order (`otherwise` last).
    pub levels: Vec<Level>,
    /// Where it is declared.
    pub span: Span,
}

/// One level of a category.
#[derive(Clone, Debug)]
pub struct Level {
    /// Its name.
    pub name: String,
    /// The condition as written; `None` for the `otherwise` level.
    pub when: Option<Expr>,
    /// When the patient is at this level: the written condition, or for
    /// `otherwise`, that no other level holds.
    pub condition: Expr,
}
