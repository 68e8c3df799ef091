//! Lowering of the `dose` field: its amounts, each with the condition that
//! chooses it, and the editor's common slips worded as what is missing (a
//! range without `by`, a chosen amount without `otherwise`).

use pest::iterators::Pair;

use super::{children, missing, Lower, Res};
use crate::diagnostics::Problem;
use crate::syntax::ast::{Dose, DoseAmount, DoseBranch, DoseCap, Spanned};
use crate::syntax::grammar::{span_of, Rule};

impl Lower {
    pub(super) fn dose(&mut self, pair: Pair<Rule>) -> Res<Dose> {
        let span = span_of(&pair);
        let mut branches = Vec::new();
        for b in children(pair) {
            branches.push(self.dose_branch(b)?);
        }
        let count = branches.len();
        for (i, b) in branches.iter().enumerate() {
            let last = i + 1 == count;
            match (&b.when, last) {
                // `dose 2.5 mg if ...` alone: without an amount for the other
                // patients, known criteria could leave the action without a dose.
                (Some(w), true) => self.problems.push(
                    Problem::error(
                        "guidelang::syntax::dose_without_otherwise",
                        "a dose chosen by criteria needs an amount for when they do not hold",
                    )
                    .with_label(w.span, "chosen only when this holds")
                    .with_help(format!(
                        "add `otherwise AMOUNT` after it, e.g. `dose {} if ... otherwise 5 mg`",
                        amount_text(&b.amount)
                    )),
                ),
                // An amount without `if` before `otherwise` is always taken:
                // the amounts after it could never be.
                (None, false) => self.problems.push(
                    Problem::error(
                        "guidelang::syntax::dose_branch_without_if",
                        "this amount has no `if`, so the amounts after it can never be chosen",
                    )
                    .with_label(b.amount.span, "taken whenever it is reached")
                    .with_help(
                        "give it a condition (`AMOUNT if CONDITION otherwise ...`), or remove the amounts after it",
                    ),
                ),
                _ => {}
            }
        }
        Ok(Dose { branches, span })
    }

    fn dose_branch(&mut self, pair: Pair<Rule>) -> Res<DoseBranch> {
        let mut parts = children(pair);
        let amount = self.dose_amount(parts.next().ok_or_else(missing)?)?;
        let when = match parts.next() {
            Some(p) => Some(self.expr(children(p).next().ok_or_else(missing)?)?),
            None => None,
        };
        // From the amount to the end of its condition, without the spaces
        // pest read after it while looking for more.
        let span = when.as_ref().map_or(amount.span, |w| amount.span.join(w.span));
        Ok(DoseBranch { amount, when, span })
    }

    fn dose_amount(&mut self, pair: Pair<Rule>) -> Res<DoseAmount> {
        let mut span: Option<crate::diagnostics::Span> = None;
        let mut nums = Vec::new();
        let (mut unit, mut by, mut cap, mut how) = (None, None, None, None);
        for p in children(pair) {
            // The parts' extent, without the spaces read after the last one.
            let at = span_of(&p);
            span = Some(span.map_or(at, |s| s.join(at)));
            match p.as_rule() {
                Rule::num => nums.push(Spanned::new(self.number(&p)?, span_of(&p))),
                Rule::unit => unit = Some(self.text(&p)),
                Rule::dose_by => by = Some(self.expr(children(p).next().ok_or_else(missing)?)?),
                Rule::dose_cap => cap = Some(self.dose_cap(p)?),
                Rule::string => how = Some(self.string(&p)),
                _ => unreachable!("grammar: dose amount parts"),
            }
        }
        let mut nums = nums.into_iter();
        let low = nums.next().ok_or_else(missing)?;
        let high = nums.next();
        let unit = unit.ok_or_else(missing)?;
        let span = span.ok_or_else(missing)?;
        if let (Some(high), None) = (&high, &by) {
            // `dose 5 to 5 mg`: a range is per unit of something, and the
            // something is missing. Said here, not as "expected `dose`".
            self.problems.push(
                Problem::error(
                    "guidelang::syntax::dose_range_without_by",
                    format!(
                        "the dose range {} to {} {} has no `by`: a range is per unit of a quantity",
                        low.node, high.node, unit.node
                    ),
                )
                .with_label(low.span.join(unit.span), "a range with nothing to multiply it by")
                .with_help(format!(
                    "a fixed dose is one amount (`dose {} {}`); a range per unit needs what it is multiplied by (`dose {} to {} mg/kg/day by weight`)",
                    low.node, unit.node, low.node, high.node
                )),
            );
        }
        Ok(DoseAmount {
            low,
            high,
            unit,
            by,
            cap,
            how,
            span,
        })
    }

    fn dose_cap(&mut self, pair: Pair<Rule>) -> Res<DoseCap> {
        let span = span_of(&pair);
        let mut parts = children(pair);
        let n = parts.next().ok_or_else(missing)?;
        let amount = Spanned::new(self.number(&n)?, span_of(&n));
        let unit = parts.next().map(|p| self.text(&p)).ok_or_else(missing)?;
        Ok(DoseCap { amount, unit, span })
    }
}

/// An amount as the editor wrote it, for help texts.
fn amount_text(a: &DoseAmount) -> String {
    match &a.high {
        Some(h) => format!("{} to {} {}", a.low.node, h.node, a.unit.node),
        None => format!("{} {}", a.low.node, a.unit.node),
    }
}
