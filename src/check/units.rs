//! Units that differ but measure the same thing: converted exactly when the
//! file is checked, so that `platelets < 30000 /uL` against a count in
//! `10^9/L` is the comparison `platelets < 30`, and `creatinine > 100 umol/L`
//! against a value in `mg/dL` uses the molar mass the fact states.
//!
//! A constant is converted by an exact rational factor (one rounding, at the
//! end). Two quantities that are not constants are brought to one unit by
//! multiplying one of them by that factor when the guideline is evaluated.

use super::Checker;
use crate::diagnostics::{Problem, Span};
use crate::model::{ArithOp, Expr, ExprKind, FactId, FactKind};
use crate::syntax::ast;
use crate::units::{Ratio, Unit, UnitError};

/// One side of a comparison or sum, checked, with its unit and where it is.
pub(super) struct Side {
    pub expr: Expr,
    pub unit: Option<Unit>,
    pub span: Span,
}

impl Checker<'_> {
    /// Brings both sides to one unit; the unit they share. A bare number
    /// takes the other side's unit. `None` after an error.
    pub(super) fn reconcile(&mut self, l: Side, r: Side, op: &str) -> Option<(Expr, Expr, Option<Unit>)> {
        let (a, b) = match (&l.unit, &r.unit) {
            (Some(a), Some(b)) if a != b => (a.clone(), b.clone()),
            (Some(a), _) => return Some((l.expr, r.expr, Some(a.clone()))),
            (None, b) => return Some((l.expr, r.expr, b.clone())),
        };
        if let Some(k) = b.factor_to(&a) {
            // The constant moves to the other side's unit; else the right side does.
            if is_constant(&l.expr) {
                let back = a.factor_to(&b)?;
                return Some((rescale(l.expr, back), r.expr, Some(b)));
            }
            return Some((l.expr, rescale(r.expr, k), Some(a)));
        }
        if a.needs_molar_mass(&b) {
            return self.via_molar_mass(l, r, &a, &b, op);
        }
        self.error(
            Problem::error(
                "guidelang::check::unit_mismatch",
                format!("`{op}` needs both sides in one unit, but one is in {a} and the other in {b}"),
            )
            .with_label(l.span, format!("in {a}"))
            .with_label(r.span, format!("in {b}"))
            .with_help("these measure different things, so no conversion exists; check the fact's declared unit"),
        );
        None
    }

    /// A fact with a stated molar mass against a constant in the other unit.
    fn via_molar_mass(&mut self, l: Side, r: Side, a: &Unit, b: &Unit, op: &str) -> Option<(Expr, Expr, Option<Unit>)> {
        let fact_of = |e: &Expr| match e.kind {
            ExprKind::Fact(id) => Some(id),
            _ => None,
        };
        let with_mass = |c: &Self, e: &Expr| fact_of(e).and_then(|id| c.molar_masses.get(&id).copied());
        if let (Some(m), true) = (with_mass(self, &l.expr), is_constant(&r.expr)) {
            let k = b.factor_via_molar_mass(a, m)?;
            return Some((l.expr, rescale(r.expr, k), Some(a.clone())));
        }
        if let (Some(m), true) = (with_mass(self, &r.expr), is_constant(&l.expr)) {
            let k = a.factor_via_molar_mass(b, m)?;
            return Some((rescale(l.expr, k), r.expr, Some(b.clone())));
        }
        let fact = fact_of(&l.expr).or_else(|| fact_of(&r.expr));
        let name = fact.map(|id| self.facts[id.index()].name.clone());
        let help = match (&name, fact.is_some_and(|id| self.molar_masses.contains_key(&id))) {
            (Some(_), true) => "a molar mass converts a constant only: write the other side as a number with its unit".to_string(),
            (Some(n), false) => format!(
                "state the molar mass on the fact, after its type: `fact {n}: number in {} ... molar mass 113.12 g/mol`, or write the constant in the fact's unit",
                if fact_of(&l.expr).is_some() { a } else { b }
            ),
            (None, _) => "write both sides in one unit; only a fact that states its molar mass converts between an amount and a mass".into(),
        };
        self.error(
            Problem::error(
                "guidelang::check::needs_molar_mass",
                format!("`{op}` compares an amount with a mass ({a} and {b}): converting needs a molar mass"),
            )
            .with_label(l.span, format!("in {a}"))
            .with_label(r.span, format!("in {b}"))
            .with_help(help),
        );
        None
    }

    /// Records the molar mass a number fact states, in g/mol.
    pub(super) fn declare_molar_mass(&mut self, f: &ast::Fact, id: FactId) {
        let Some(mm) = &f.molar_mass else { return };
        let FactKind::Number { unit, .. } = &self.facts[id.index()].kind else {
            self.error(
                Problem::error(
                    "guidelang::check::molar_mass_on_non_number",
                    "only a number fact has a molar mass",
                )
                .with_label(mm.span, "not a number fact")
                .with_help("remove the molar mass, or declare the fact as `number in UNIT`"),
            );
            return;
        };
        let fact_unit = unit.clone();
        let Some(given) = self.unit(&mm.unit.node, mm.unit.span) else {
            return;
        };
        let per_mole = Unit::parse("g/mol").unwrap_or_default();
        let grams = given
            .factor_to(&per_mole)
            .and_then(|k| Ratio::from_written(mm.value.node)?.times(k));
        match grams {
            Some(m) if m != Ratio::int(0) => {
                let mass_or_amount = fact_unit.dims()[2] != 0 || fact_unit.dims()[3] != 0;
                if !mass_or_amount {
                    self.error(
                        Problem::warning(
                            "guidelang::check::molar_mass_unused",
                            format!("`{}` is in {fact_unit}, neither a mass nor an amount, so its molar mass converts nothing", f.name.node),
                        )
                        .with_label(mm.span, "never used")
                        .with_help("a molar mass belongs on a concentration such as mg/dL or umol/L"),
                    );
                }
                self.molar_masses.insert(id, m);
            }
            _ => self.error(
                Problem::error(
                    "guidelang::check::bad_molar_mass",
                    format!("`{}` is not a molar mass", self.source.slice(mm.span)),
                )
                .with_label(mm.unit.span, format!("in {given}"))
                .with_help("write a positive mass per amount, e.g. `molar mass 113.12 g/mol`"),
            ),
        }
    }

    /// Checks a written unit: a UCUM code, or one of the accepted synonyms.
    pub(super) fn unit(&mut self, text: &str, span: Span) -> Option<Unit> {
        match Unit::parse(text) {
            Ok(u) => Some(u),
            Err(UnitError {
                message,
                suggestion,
                case_only,
            }) => {
                let help = match &suggestion {
                    Some(s) if case_only => {
                        format!("did you mean `{s}`? Units are case-sensitive (UCUM): `dL`, `mg`, `10^9/L`")
                    }
                    Some(s) => format!("did you mean `{s}`? Units are UCUM codes, and case-sensitive"),
                    None => {
                        "write a UCUM unit (case-sensitive), e.g. `kg`, `mg/kg/d`, `10^9/L`, `mmol/L`, `m2`, `%`".into()
                    }
                };
                self.error(
                    Problem::error(
                        "guidelang::check::bad_unit",
                        format!("`{text}` is not a unit: {message}"),
                    )
                    .with_label(span, "unknown unit")
                    .with_help(help)
                    // Only where the span holds the unit as written, so that the
                    // replacement never swallows a neighbouring character.
                    .with_suggestion(span, suggestion.as_deref().filter(|_| self.source.slice(span) == text)),
                );
                None
            }
        }
    }
}

/// A number written in the file, possibly negated.
fn is_constant(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Num(_) => true,
        ExprKind::Neg(x) => is_constant(x),
        _ => false,
    }
}

/// `e` times an exact factor: a constant is converted now, exactly, with one
/// rounding; anything else is multiplied when evaluated.
fn rescale(e: Expr, k: Ratio) -> Expr {
    if k == Ratio::ONE {
        return e;
    }
    let span = e.span;
    match e.kind {
        ExprKind::Num(v) => {
            let exact = Ratio::from_written(v).and_then(|x| x.times(k)).map(Ratio::to_f64);
            Expr {
                kind: ExprKind::Num(exact.unwrap_or(v * k.to_f64())),
                span,
            }
        }
        ExprKind::Neg(x) => Expr {
            kind: ExprKind::Neg(Box::new(rescale(*x, k))),
            span,
        },
        kind => Expr {
            kind: ExprKind::Arith(
                ArithOp::Mul,
                Box::new(Expr { kind, span }),
                Box::new(Expr {
                    kind: ExprKind::Num(k.to_f64()),
                    span,
                }),
            ),
            span,
        },
    }
}
