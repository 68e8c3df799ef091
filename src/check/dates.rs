//! Dates in expressions: `today`, a date moved by a duration, the time
//! between two dates, and comparisons of either.
//!
//! A date plus or minus days or weeks is plain arithmetic on day numbers. A
//! date moved by months or years is moved on the calendar (`ShiftMonths`), so
//! "the last 6 months" means since the same day six calendar months ago. The
//! time between two dates (`today - major_bleed`) is in days; compared with
//! months or years it is rewritten to move the later date back instead
//! (`today - major_bleed <= 6 mo` is `today - 6 mo <= major_bleed`), which is
//! exact on the calendar where dividing days by 30.4 would not be; and a
//! definition stated in years, months or weeks counts the whole units elapsed
//! (`define age in a: today - birth_date` is the age a person gives).

use super::expr::{cmp_op, Place};
use super::{Checker, Name};
use crate::diagnostics::{Problem, Span};
use crate::model::{ArithOp, CmpOp, Expr, ExprKind, FactKind, Type};
use crate::syntax::ast::{self, BinOp};
use crate::time::CalendarUnit;
use crate::units::Unit;

/// What a side of a date operation turned out to be.
enum Timed {
    /// A calendar day.
    Date(Expr),
    /// The time from the second date to the first (`first - second`).
    Between(Expr, Expr),
    /// Anything else, with its type.
    Other(Expr, Type),
}

impl Checker<'_> {
    /// Whether the expression is a date or the difference of dates, judged
    /// from its form and the declared types alone (no checking, no errors),
    /// so that `binary` knows to hand the operation here.
    pub(super) fn involves_date(&self, e: &ast::Expr) -> bool {
        match &e.node {
            ast::ExprKind::Today => true,
            ast::ExprKind::Paren(inner) => self.involves_date(inner),
            ast::ExprKind::Name(n) => match self.names.get(n) {
                Some(Name::Fact(f)) => matches!(self.facts[f.index()].kind, FactKind::Date),
                Some(Name::Def(d)) => matches!(self.def_types.get(d.index()), Some(Some(Type::Date))),
                Some(Name::Score(_) | Name::Category(_)) | None => false,
            },
            ast::ExprKind::Binary {
                op: BinOp::Add | BinOp::Sub,
                lhs,
                rhs,
            } => self.involves_date(lhs) || self.involves_date(rhs),
            _ => false,
        }
    }

    /// A comparison or arithmetic in which a date takes part.
    pub(super) fn date_binary(
        &mut self,
        op: BinOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
        place: Place,
    ) -> Option<(Expr, Type)> {
        if op.is_comparison() {
            let l = self.timed(lhs, place);
            let r = self.timed(rhs, place);
            let cmp = self.date_compare(cmp_op(op), (l?, lhs.span), (r?, rhs.span), span)?;
            return Some((cmp, Type::Bool));
        }
        if !matches!(op, BinOp::Add | BinOp::Sub) {
            return self.date_error(
                span,
                "`*` and `/` take no dates",
                &format!("dates cannot be used with `{}`", op.as_str()),
                "dates can be compared, moved by a duration (`+ 7 d`, `- 6 mo`) or subtracted for the days between",
            );
        }
        Some(match self.timed_arith(op, lhs, rhs, span, place)? {
            Timed::Date(e) => (e, Type::Date),
            Timed::Between(a, b) => (arith(ArithOp::Sub, a, b, span), Type::Num(Some(days()))),
            Timed::Other(e, ty) => (e, ty),
        })
    }

    /// A definition stated in years, months or weeks whose body is the time
    /// between two dates: the whole units elapsed. `None` when the body is
    /// not such a difference (the definition is checked as usual).
    pub(super) fn elapsed_definition(
        &mut self,
        body: &ast::Expr,
        unit: &ast::Spanned<String>,
    ) -> Option<Option<(Expr, Type)>> {
        let calendar = Unit::parse(&unit.node)
            .ok()
            .and_then(|u| calendar_unit(&u))
            .filter(|u| *u != CalendarUnit::Day)?;
        let ast::ExprKind::Binary { op: BinOp::Sub, .. } = &body.node else {
            return None;
        };
        if !self.involves_date(body) {
            return None;
        }
        let checked = match self.timed(body, Place::Condition) {
            Some(Timed::Between(later, earlier)) => Some((
                Expr {
                    kind: ExprKind::Elapsed(calendar, Box::new(earlier), Box::new(later)),
                    span: body.span,
                },
                Type::Num(Unit::parse(calendar.symbol()).ok()),
            )),
            Some(_) => {
                self.error(
                    Problem::error(
                        "guidelang::check::elapsed_needs_dates",
                        format!("a definition in {} counts the time between two dates", unit.node),
                    )
                    .with_label(body.span, "not the difference of two dates")
                    .with_help("write the later date minus the earlier, e.g. `define age in a: today - birth_date`"),
                );
                None
            }
            None => None,
        };
        Some(checked)
    }

    fn timed(&mut self, e: &ast::Expr, place: Place) -> Option<Timed> {
        match &e.node {
            // The author's parentheses group; they change nothing here.
            ast::ExprKind::Paren(inner) => self.timed(inner, place),
            ast::ExprKind::Binary {
                op: op @ (BinOp::Add | BinOp::Sub),
                lhs,
                rhs,
            } if self.involves_date(e) => self.timed_arith(*op, lhs, rhs, e.span, place),
            _ => self.expr(e, place).map(|(x, ty)| match ty {
                Type::Date => Timed::Date(x),
                ty => Timed::Other(x, ty),
            }),
        }
    }

    /// `lhs ± rhs` where a date takes part.
    fn timed_arith(&mut self, op: BinOp, lhs: &ast::Expr, rhs: &ast::Expr, span: Span, place: Place) -> Option<Timed> {
        let l = self.timed(lhs, place);
        let r = self.timed(rhs, place);
        let (l, r) = (l?, r?);
        match (op, l, r) {
            (BinOp::Sub, Timed::Date(a), Timed::Date(b)) => Some(Timed::Between(a, b)),
            (BinOp::Add, Timed::Date(a), Timed::Other(q, ty)) => self.shift(a, q, &ty, 1, rhs.span, span),
            (BinOp::Add, Timed::Other(q, ty), Timed::Date(a)) => self.shift(a, q, &ty, 1, lhs.span, span),
            (BinOp::Sub, Timed::Date(a), Timed::Other(q, ty)) => self.shift(a, q, &ty, -1, rhs.span, span),
            (BinOp::Add, Timed::Date(_), Timed::Date(_)) => self.date_error(
                span,
                "two dates",
                "two dates cannot be added",
                "subtract them for the days between, or add a duration such as `7 d` to one date",
            ),
            (_, Timed::Other(..), Timed::Date(_)) => self.date_error(
                span,
                "a number minus a date",
                "a date cannot be subtracted from a number",
                "write the date first: `treatment_start - 3 d`",
            ),
            (_, l, r) => {
                // The difference of two dates is a number of days from here on.
                let l = self.plain(l, lhs.span)?;
                let r = self.plain(r, rhs.span)?;
                let aop = if op == BinOp::Add { ArithOp::Add } else { ArithOp::Sub };
                let unit = self.same_duration(&l.1, &r.1, lhs.span, rhs.span, op.as_str())?;
                Some(Timed::Other(arith(aop, l.0, r.0, span), Type::Num(unit)))
            }
        }
    }

    /// A side as a plain quantity: the days between two dates, or a number.
    fn plain(&mut self, t: Timed, span: Span) -> Option<(Expr, Type)> {
        match t {
            Timed::Between(a, b) => Some((arith(ArithOp::Sub, a, b, span), Type::Num(Some(days())))),
            Timed::Other(x, ty) => Some((x, ty)),
            Timed::Date(_) => self.date_error(
                span,
                "a date",
                "a date is not a quantity",
                "add or subtract a duration such as `7 d`, or subtract another date for the days between",
            ),
        }
    }

    fn same_duration(&mut self, l: &Type, r: &Type, ls: Span, rs: Span, op: &str) -> Option<Option<Unit>> {
        match (l, r) {
            (Type::Num(a), Type::Num(b)) if a == b || a.is_none() || b.is_none() => {
                Some(a.clone().or_else(|| b.clone()))
            }
            (Type::Num(Some(a)), Type::Num(Some(b))) => self.date_error(
                ls.join(rs),
                "different units",
                &format!("`{op}` needs both sides in one unit, but one is in {a} and the other in {b}"),
                "the time between two dates is in days (`d`); write the other side in days too",
            ),
            _ => self.date_error(
                ls.join(rs),
                "not a number of days",
                "only numbers of days can be added to the days between two dates",
                "check both sides",
            ),
        }
    }

    /// `date ± q`: days and weeks as days, months and years on the calendar.
    fn shift(&mut self, date: Expr, q: Expr, ty: &Type, sign: i32, qspan: Span, span: Span) -> Option<Timed> {
        let unit = match ty {
            Type::Num(Some(u)) => calendar_unit(u),
            _ => None,
        };
        let Some(unit) = unit else {
            return self.date_error(
                qspan,
                "no duration unit",
                &format!(
                    "a date moves by a duration in d, wk, mo or a, but this is {}",
                    self.type_name(ty)
                ),
                "write the unit after the number, e.g. `treatment_start + 7 d` or `today - 6 mo`",
            );
        };
        if let Some(per) = unit.days() {
            let factor = f64::from(per * sign);
            let q = if factor == 1.0 {
                q
            } else {
                let k = Expr {
                    kind: ExprKind::Num(factor),
                    span: qspan,
                };
                arith(ArithOp::Mul, q, k, qspan)
            };
            return Some(Timed::Date(arith(ArithOp::Add, date, q, span)));
        }
        let months = unit.months().unwrap_or(1);
        match whole_constant(&q) {
            Some(n) if (n * f64::from(months)).abs() <= 12.0 * 300.0 => Some(Timed::Date(Expr {
                kind: ExprKind::ShiftMonths(Box::new(date), sign * months * n as i32),
                span,
            })),
            _ => self.date_error(
                qspan,
                "not a whole number",
                &format!(
                    "a date moves by a whole number of {} written out",
                    if months == 12 { "years" } else { "months" }
                ),
                "write e.g. `today - 6 mo`; for a computed or fractional span, use days (`d`)",
            ),
        }
    }

    fn date_compare(&mut self, op: CmpOp, l: (Timed, Span), r: (Timed, Span), span: Span) -> Option<Expr> {
        let cmp = |a: Expr, b: Expr| Expr {
            kind: ExprKind::Compare(op, Box::new(a), Box::new(b)),
            span,
        };
        let ((l, ls), (r, rs)) = (l, r);
        match (l, r) {
            (Timed::Date(a), Timed::Date(b)) => Some(cmp(a, b)),
            // `a - b OP q` is `a - q OP b`; `q OP a - b` is `b OP a - q`.
            (Timed::Between(a, b), Timed::Other(q, ty)) => Some(cmp(self.moved_back(a, q, &ty, rs)?, b)),
            (Timed::Other(q, ty), Timed::Between(a, b)) => Some(cmp(b, self.moved_back(a, q, &ty, ls)?)),
            (Timed::Between(a, b), Timed::Between(c, d)) => {
                Some(cmp(arith(ArithOp::Sub, a, b, ls), arith(ArithOp::Sub, c, d, rs)))
            }
            (Timed::Date(_), _) | (_, Timed::Date(_)) => self.date_error(
                span,
                "not two dates",
                "a date can only be compared with another date",
                "compare with `today`, another date fact, or a date moved by a duration (`treatment_start + 7 d`)",
            ),
            (Timed::Other(a, ta), Timed::Other(b, tb)) => {
                self.same_duration(&ta, &tb, ls, rs, op.as_str())?;
                Some(cmp(a, b))
            }
        }
    }

    /// `later - earlier OP q` as `later - q OP earlier`: one comparison of
    /// dates, exact on the calendar for months and years. The later date is
    /// the one moved, so that "`today - major_bleed <= 6 mo`" is the same
    /// test as "`major_bleed >= today - 6 mo`" (moving the other date would
    /// differ at month ends).
    fn moved_back(&mut self, later: Expr, q: Expr, ty: &Type, qspan: Span) -> Option<Expr> {
        let span = later.span.join(qspan);
        match self.shift(later, q, ty, -1, qspan, span)? {
            Timed::Date(moved) => Some(moved),
            _ => None,
        }
    }

    fn date_error<T>(&mut self, span: Span, label: &str, message: &str, help: &str) -> Option<T> {
        self.error(
            Problem::error("guidelang::check::date_arithmetic", message.to_string())
                .with_label(span, label.to_string())
                .with_help(help.to_string()),
        );
        None
    }
}

fn arith(op: ArithOp, a: Expr, b: Expr, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Arith(op, Box::new(a), Box::new(b)),
        span,
    }
}

/// The calendar unit a duration's unit is, by meaning: `d` and `day`, `a`
/// and `years` alike (UCUM units compare by scale and dimension).
fn calendar_unit(u: &Unit) -> Option<CalendarUnit> {
    [
        CalendarUnit::Day,
        CalendarUnit::Week,
        CalendarUnit::Month,
        CalendarUnit::Year,
    ]
    .into_iter()
    .find(|c| Unit::parse(c.symbol()).is_ok_and(|cu| cu == *u))
}

fn days() -> Unit {
    Unit::parse("d").unwrap_or_default()
}

fn whole_constant(e: &Expr) -> Option<f64> {
    match &e.kind {
        ExprKind::Num(x) if x.fract() == 0.0 && x.is_finite() => Some(*x),
        ExprKind::Neg(x) => whole_constant(x).map(|n| -n),
        _ => None,
    }
}
