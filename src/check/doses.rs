//! Doses: each amount (fixed, or a range per unit of a multiplier, perhaps
//! capped), the criteria that choose among amounts, and the units of all of
//! them agreeing, so that the report can name one unit for the dose.

use super::*;
use crate::units::Unit;

impl Checker<'_> {
    pub(super) fn dose(&mut self, d: &ast::Dose, def_facts: &[Vec<FactId>]) -> Option<model::Dose> {
        let mut branches = Vec::new();
        let mut ok = true;
        for b in &d.branches {
            let when = match &b.when {
                Some(e) => {
                    let c = self.condition(e, Place::Condition, "a dose's criterion");
                    ok &= c.is_some();
                    c
                }
                None => None,
            };
            let amount = self.dose_amount(&b.amount, def_facts);
            ok &= amount.is_some();
            if let Some(amount) = amount {
                let when_facts = when.as_ref().map(|e| facts_read_with(e, def_facts)).unwrap_or_default();
                branches.push((
                    b,
                    model::DoseBranch {
                        when,
                        when_facts,
                        amount,
                        span: b.span,
                    },
                ));
            }
        }
        // Every amount in one unit: the report states the dose in it, and
        // amounts chosen by criteria must be comparable.
        if let Some((first, head)) = branches.first() {
            let unit = head.amount.result_unit.clone();
            for (b, other) in &branches[1..] {
                if other.amount.result_unit != unit {
                    ok = false;
                    self.error(
                        Problem::error(
                            "guidelang::check::dose_units_disagree",
                            format!(
                                "the amounts of one dose are given in {unit} and in {}",
                                other.amount.result_unit
                            ),
                        )
                        .with_label(b.amount.unit.span, format!("gives {}", other.amount.result_unit))
                        .with_label(first.amount.unit.span, format!("gives {unit}"))
                        .with_help("write every amount of a dose in the same unit (after multiplying by `by`), so the report can compare them"),
                    );
                }
            }
        }
        if !ok {
            return None;
        }
        let mut criteria_facts: Vec<FactId> = branches
            .iter()
            .flat_map(|(_, b)| b.when_facts.iter().copied())
            .collect();
        criteria_facts.sort_unstable();
        criteria_facts.dedup();
        Some(model::Dose {
            branches: branches.into_iter().map(|(_, b)| b).collect(),
            criteria_facts,
        })
    }

    fn dose_amount(&mut self, a: &ast::DoseAmount, def_facts: &[Vec<FactId>]) -> Option<model::DoseAmount> {
        let unit = self.unit(&a.unit.node, a.unit.span)?;
        let high = a.high.as_ref().map_or(a.low.node, |h| h.node);
        if a.low.node > high || a.low.node < 0.0 {
            self.error(
                Problem::error(
                    "guidelang::check::dose_range",
                    format!("the dose range {} to {high} is not a range of amounts", a.low.node),
                )
                .with_label(a.high.as_ref().map_or(a.low.span, |h| a.low.span.join(h.span)), "here")
                .with_help("write the lower amount first; amounts are not negative"),
            );
            return None;
        }
        let by = match &a.by {
            Some(by) => Some(self.dose_by(by, &unit, &a.unit, def_facts)?),
            None => {
                self.per_unit_without_by(&unit, a);
                None
            }
        };
        let result_unit = by.as_ref().map_or_else(|| unit.clone(), |b| unit.mul(&b.unit));
        let cap = match &a.cap {
            Some(cap) => Some(self.dose_cap(cap, by.is_some(), &result_unit, a.unit.span)?),
            None => None,
        };
        Some(model::DoseAmount {
            low: a.low.node,
            high,
            unit,
            by,
            cap,
            result_unit,
            how: a.how.as_ref().map(|h| h.node.clone()),
        })
    }

    fn dose_by(
        &mut self,
        by: &ast::Expr,
        unit: &Unit,
        unit_at: &ast::Spanned<String>,
        def_facts: &[Vec<FactId>],
    ) -> Option<model::DoseBy> {
        let (expr, by_unit) = self.quantity(by, Place::Condition, "what a dose is multiplied by")?;
        let by_unit = by_unit.unwrap_or_default();
        // The multiplier must cancel a "per ..." of the dose unit: mg/kg/day by a
        // weight in kg, L/m2/day by a surface in m2.
        let cancels = !by_unit.is_one()
            && by_unit
                .powers()
                .all(|(atom, p)| unit.powers().any(|(a, q)| a == atom && q == -p));
        if !cancels {
            self.error(
                Problem::error("guidelang::check::dose_unit", format!("a dose in {unit} cannot be multiplied by a quantity in {by_unit}"))
                    .with_label(unit_at.span, format!("per-unit dose in {unit}"))
                    .with_label(by.span, format!("in {by_unit}"))
                    .with_help("the multiplier's unit must cancel the dose's \"per\" unit, e.g. `mg/kg/day by weight` with weight in kg"),
            );
            return None;
        }
        let depends_on = facts_read_with(&expr, def_facts);
        self.unbounded_dose_facts(&depends_on, by.span);
        Some(model::DoseBy {
            expr,
            unit: by_unit,
            depends_on,
        })
    }

    /// Warns on a fixed amount whose unit is "per" the unit of a fact
    /// (`dose 5 mg/kg` with a weight in kg): almost surely an amount per
    /// body weight or surface whose `by` was left out, which the report would
    /// show as if it were the patient's dose.
    fn per_unit_without_by(&mut self, unit: &Unit, a: &ast::DoseAmount) {
        let per = unit.powers().find_map(|(atom, p)| {
            let measured = self.facts.iter().find(|f| {
                matches!(&f.kind, FactKind::Number { unit: u, .. } if u.powers().any(|(b, q)| b == atom && q == -p && q > 0))
            })?;
            Some((atom.to_string(), measured.name.clone()))
        });
        let Some((atom, fact)) = per else { return };
        self.error(
            Problem::warning(
                "guidelang::check::dose_per_unit_fixed",
                format!("the dose is an amount per {atom}, with no `by` to multiply it for the patient"),
            )
            .with_label(a.unit.span, format!("per {atom}"))
            .with_help(format!(
                "say what it is multiplied by (`dose {} {} by {fact}`), or write the amount the patient gets",
                a.low.node, a.unit.node
            )),
        );
    }

    /// `at most N UNIT`: only on an amount computed for the patient (a fixed
    /// amount is its own most), in the unit of the computed amount.
    fn dose_cap(&mut self, cap: &ast::DoseCap, computed: bool, result_unit: &Unit, unit_at: Span) -> Option<f64> {
        if !computed {
            self.error(
                Problem::error(
                    "guidelang::check::dose_cap_fixed",
                    "a cap (`at most`) limits a dose computed for the patient, and this amount is fixed",
                )
                .with_label(cap.span, "nothing to limit")
                .with_label(unit_at, "a fixed amount")
                .with_help("a fixed amount is its own most: remove `at most ...`, or compute the amount with `by ...`"),
            );
            return None;
        }
        let unit = self.unit(&cap.unit.node, cap.unit.span)?;
        if &unit != result_unit {
            self.error(
                Problem::error(
                    "guidelang::check::dose_cap_unit",
                    format!("the cap is in {unit}, but the dose computed is in {result_unit}"),
                )
                .with_label(cap.unit.span, format!("in {unit}"))
                .with_label(unit_at, format!("gives {result_unit} once multiplied"))
                .with_help(format!("write the cap in {result_unit}: `at most N {result_unit}`")),
            );
            return None;
        }
        Some(cap.amount.node)
    }

    /// Warns on each numeric fact a dose is computed from that declares no
    /// range: a case may then give a value (1e308) whose dose is not a
    /// finite number, and the report can only say it cannot compute it.
    fn unbounded_dose_facts(&mut self, depends_on: &[FactId], at: Span) {
        for &f in depends_on {
            let Some(fact) = self.facts.get(f.index()) else {
                continue;
            };
            let (FactKind::Number { min, max, .. } | FactKind::Integer { min, max }) = &fact.kind else {
                continue;
            };
            let missing = match (min, max) {
                (Some(_), Some(_)) => continue,
                (Some(_), None) => "upper bound",
                (None, Some(_)) => "lower bound",
                (None, None) => "range",
            };
            let name = fact.name.clone();
            self.error(
                Problem::warning(
                    "guidelang::check::dose_unbounded",
                    format!("a dose is computed from `{name}`, which declares no {missing}"),
                )
                .with_label(at, format!("computed from `{name}`"))
                .with_help(format!(
                    "declare the values `{name}` can take (`from LOW to HIGH`): a case could otherwise give one so large that the dose is not a number"
                )),
            );
        }
    }
}
