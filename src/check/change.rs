//! A change from a baseline: `uric_acid is at least 25 % above
//! uric_acid_baseline`, `calcium is at least 25 % below calcium_baseline`.
//!
//! Written as a comparison with `1.25 * baseline`, a baseline of 0 would make
//! any value "a 25 % rise"; here a change relative to a baseline of 0 or less
//! is *unknown* (no decision rests on it), and the checker warns when a
//! baseline's declared range admits such a value, so that the editor can make
//! it invalid input instead.

use super::expr::Place;
use super::units::Side;
use super::Checker;
use crate::diagnostics::{Problem, Span};
use crate::model::{Expr, ExprKind, FactKind, Type};
use crate::syntax::ast;

impl Checker<'_> {
    pub(super) fn change(
        &mut self,
        subject: &ast::Expr,
        percent: &ast::Spanned<f64>,
        rise: bool,
        baseline: &ast::Spanned<String>,
        span: Span,
        place: Place,
    ) -> Option<(Expr, Type)> {
        let now = self.quantity(subject, place, "the value compared with its baseline");
        let base = self.named_quantity(baseline, place);
        let ((now, now_unit), (base, base_unit)) = (now?, base?);
        let fact_baseline = matches!(base.kind, ExprKind::Fact(_)).then_some(base.clone());
        let (now, base, _) = self.reconcile(
            Side {
                expr: now,
                unit: now_unit,
                span: subject.span,
            },
            Side {
                expr: base,
                unit: base_unit,
                span: baseline.span,
            },
            "is at least … % above",
        )?;
        let p = percent.node;
        let sensible = p > 0.0 && (rise || p < 100.0);
        if !sensible {
            self.error(
                Problem::error(
                    "guidelang::check::change_percent",
                    format!(
                        "a {} of {p} % {}",
                        if rise { "rise" } else { "fall" },
                        if rise {
                            "is no change"
                        } else {
                            "leaves nothing above zero"
                        }
                    ),
                )
                .with_label(percent.span, "this percentage")
                .with_help(if rise {
                    "give a percentage above 0, e.g. `is at least 25 % above`"
                } else {
                    "give a percentage from above 0 to below 100, e.g. `is at least 25 % below`"
                }),
            );
            return None;
        }
        if let Some(fact) = &fact_baseline {
            self.baseline_range(fact, baseline);
        }
        Some((
            Expr {
                kind: ExprKind::Change {
                    now: Box::new(now),
                    baseline: Box::new(base),
                    percent: p,
                    rise,
                },
                span,
            },
            Type::Bool,
        ))
    }

    fn named_quantity(
        &mut self,
        name: &ast::Spanned<String>,
        place: Place,
    ) -> Option<(Expr, Option<crate::units::Unit>)> {
        let e = ast::Expr {
            node: ast::ExprKind::Name(name.node.clone()),
            span: name.span,
        };
        self.quantity(&e, place, "a baseline")
    }

    /// Warns when the baseline is a fact whose declared range admits 0 or less.
    fn baseline_range(&mut self, base: &Expr, written: &ast::Spanned<String>) {
        let ExprKind::Fact(f) = base.kind else { return };
        let min = match &self.facts[f.index()].kind {
            FactKind::Number { min, .. } | FactKind::Integer { min, .. } => *min,
            _ => return,
        };
        if min.is_some_and(|m| m > 0.0) {
            return;
        }
        self.error(
            Problem::warning(
                "guidelang::check::baseline_may_be_zero",
                format!(
                    "`{}` may be {}: a change relative to it is then unknown, never a rise or a fall",
                    written.node,
                    if min.is_some() { "0" } else { "0 or less" }
                ),
            )
            .with_label(written.span, "the baseline")
            .with_help(format!(
                "declare the smallest value `{}` can really take, e.g. `from 0.1`, so that a 0 is refused as invalid input",
                written.node
            )),
        );
    }
}
