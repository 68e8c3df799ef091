//! Typing one expression: names to slots, operators to their checked forms,
//! units through arithmetic, enum values against their declarations.

use super::units::Side;
use super::{Checker, Name};
use crate::diagnostics::{suggestion, Problem, Span};
use crate::model::{ArithOp, CmpOp, Expr, ExprKind, FactKind, Type};
use crate::syntax::ast::{self, BinOp};
use crate::units::Unit;

/// Where an expression appears; `is known` is only meaningful in invariants,
/// because a rule that fires on a *missing* fact would change its decision
/// when the fact arrives, breaking monotonicity.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    Condition,
    Invariant,
}

impl Checker<'_> {
    /// Checks an expression that must be a condition.
    pub(super) fn condition(&mut self, e: &ast::Expr, place: Place, what: &str) -> Option<Expr> {
        let (expr, ty) = self.expr(e, place)?;
        if ty != Type::Bool {
            self.error(
                Problem::error(
                    "guidelang::check::not_a_condition",
                    format!("{what} must be a condition, but this is {}", self.type_name(&ty)),
                )
                .with_label(e.span, "not true/false")
                .with_help("compare it with something, e.g. `wbc > 100`, or use `is` for a named value"),
            );
            return None;
        }
        Some(expr)
    }

    /// Checks an expression that must be a quantity; returns its unit.
    pub(super) fn quantity(&mut self, e: &ast::Expr, place: Place, what: &str) -> Option<(Expr, Option<Unit>)> {
        let (expr, ty) = self.expr(e, place)?;
        match ty {
            Type::Num(u) => Some((expr, u)),
            other => {
                self.error(
                    Problem::error(
                        "guidelang::check::not_a_quantity",
                        format!("{what} must be a number, but this is {}", self.type_name(&other)),
                    )
                    .with_label(e.span, "not a number")
                    .with_help("use a numeric fact or definition here"),
                );
                None
            }
        }
    }

    pub(super) fn expr(&mut self, e: &ast::Expr, place: Place) -> Option<(Expr, Type)> {
        let span = e.span;
        let mk = |kind| Expr { kind, span };
        match &e.node {
            ast::ExprKind::Bool(b) => Some((mk(ExprKind::Bool(*b)), Type::Bool)),
            ast::ExprKind::Today => Some((mk(ExprKind::Today), Type::Date)),
            ast::ExprKind::Change {
                subject,
                percent,
                rise,
                baseline,
            } => self.change(subject, percent, *rise, baseline, span, place),
            ast::ExprKind::Quantity { value, unit } => {
                let unit = match unit {
                    None => None,
                    // The unit ends the quantity: its span is the last characters.
                    Some(u) => Some(self.unit(u, Span::new(span.end.saturating_sub(u.len()), span.end))?),
                };
                Some((mk(ExprKind::Num(*value)), Type::Num(unit)))
            }
            ast::ExprKind::Name(n) => self.name(n, span),
            ast::ExprKind::Not(inner) => {
                let x = self.condition(inner, place, "the operand of `not`")?;
                Some((mk(ExprKind::Not(Box::new(x))), Type::Bool))
            }
            ast::ExprKind::Neg(inner) => {
                let (x, u) = self.quantity(inner, place, "the operand of `-`")?;
                Some((mk(ExprKind::Neg(Box::new(x))), Type::Num(u)))
            }
            ast::ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, span, place),
            ast::ExprKind::Is {
                subject,
                value,
                negated,
            } => self.is_value(subject, value, *negated, span, place),
            ast::ExprKind::OneOf {
                subject,
                values,
                negated,
            } => self.one_of(subject, values, *negated, span, place),
            ast::ExprKind::Known { subject, negated } => {
                if place != Place::Invariant {
                    // The subject is still a use of its name (no false "unused" warning).
                    self.mark_used(subject);
                    self.error(
                        Problem::error("guidelang::check::known_outside_invariant", "`is known` can only be used in an invariant")
                            .with_label(span, "here")
                            .with_help("rules decide on values, not on whether a value was given; a missing fact already makes a rule undecided"),
                    );
                    return None;
                }
                if !matches!(subject.node.unparen(), ast::ExprKind::Name(_)) {
                    self.error(
                        Problem::error(
                            "guidelang::check::known_needs_name",
                            "`is known` applies to a fact or definition name",
                        )
                        .with_label(subject.span, "not a name")
                        .with_help("write e.g. `wbc is known`"),
                    );
                    return None;
                }
                let (x, _) = self.expr(subject, place)?;
                Some((mk(ExprKind::Known(Box::new(x), *negated)), Type::Bool))
            }
            ast::ExprKind::AtLeast { n, items } => {
                let mut checked = Vec::new();
                let mut ok = true;
                for item in items {
                    match self.condition(item, place, "each item of `at least`") {
                        Some(x) => checked.push(x),
                        None => ok = false,
                    }
                }
                if n.node == 0 || n.node as usize > items.len() {
                    self.error(
                        Problem::error(
                            "guidelang::check::at_least_count",
                            format!(
                                "`at least {}` of {} conditions can {}",
                                n.node,
                                items.len(),
                                if n.node == 0 { "never fail" } else { "never hold" }
                            ),
                        )
                        .with_label(n.span, "this count")
                        .with_help(format!("use a count from 1 to {}", items.len())),
                    );
                    return None;
                }
                ok.then(|| (mk(ExprKind::AtLeast(n.node, checked)), Type::Bool))
            }
            // Parentheses group; the lowering gave the inside their span.
            ast::ExprKind::Paren(inner) => self.expr(inner, place),
            ast::ExprKind::Sqrt(inner) => {
                let (x, u) = self.quantity(inner, place, "the operand of `sqrt`")?;
                let unit = match u {
                    None => None,
                    Some(u) => match u.sqrt() {
                        Some(r) => Some(r),
                        None if self.unit_stated => None,
                        None => {
                            self.error(
                                Problem::error(
                                    "guidelang::check::unit_sqrt",
                                    format!("the square root of {u} has no unit"),
                                )
                                .with_label(inner.span, format!("in {u}"))
                                .with_help(
                                    "state the result's unit on the definition, e.g. `define bsa in m2: sqrt(...)`",
                                ),
                            );
                            // The definition's stated unit settles it; keep checking.
                            return Some((mk(ExprKind::Sqrt(Box::new(x))), Type::Num(None)));
                        }
                    },
                };
                Some((mk(ExprKind::Sqrt(Box::new(x))), Type::Num(unit)))
            }
        }
    }

    fn name(&mut self, n: &str, span: Span) -> Option<(Expr, Type)> {
        match self.names.get(n).copied() {
            Some(Name::Fact(id)) => {
                self.used_facts.insert(id);
                let ty = match &self.facts[id.index()].kind {
                    FactKind::Bool => Type::Bool,
                    FactKind::Integer { .. } => Type::Num(Some(Unit::one())),
                    FactKind::Number { unit, .. } => Type::Num(Some(unit.clone())),
                    FactKind::Enum { .. } => Type::Enum(id),
                    FactKind::Date => Type::Date,
                };
                Some((
                    Expr {
                        kind: ExprKind::Fact(id),
                        span,
                    },
                    ty,
                ))
            }
            Some(Name::Def(id)) => {
                self.used_defs.insert(id);
                let ty = self.def_types.get(id.index()).cloned().flatten()?;
                Some((
                    Expr {
                        kind: ExprKind::Def(id),
                        span,
                    },
                    ty,
                ))
            }
            // Already reported where it is declared.
            None if self.refused_facts.contains(n) => None,
            Some(name @ (Name::Score(_) | Name::Category(_))) => self.derived_alone(name, n, span),
            None => {
                let (help, suggested) = if self.may_suggest() {
                    suggestion(n, self.names.keys().map(String::as_str), "fact or definition")
                } else {
                    (super::no_suggestion("fact or definition"), None)
                };
                let extra = if self.action_names.contains(n) {
                    format!("; `{n}` is an action, and actions cannot be used in conditions")
                } else {
                    String::new()
                };
                self.error(
                    Problem::error(
                        "guidelang::check::unknown_name",
                        format!("`{n}` is not a declared fact or definition{extra}"),
                    )
                    .with_label(span, "unknown name")
                    .with_help(help)
                    .with_suggestion(span, suggested),
                );
                None
            }
        }
    }

    fn binary(
        &mut self,
        op: BinOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
        place: Place,
    ) -> Option<(Expr, Type)> {
        let mk = |kind| Expr { kind, span };
        if !matches!(op, BinOp::And | BinOp::Or) && (self.involves_date(lhs) || self.involves_date(rhs)) {
            return self.date_binary(op, lhs, rhs, span, place);
        }
        match op {
            BinOp::And | BinOp::Or => {
                let what = format!("each side of `{}`", op.as_str());
                let l = self.condition(lhs, place, &what);
                let r = self.condition(rhs, place, &what);
                let (l, r) = (Box::new(l?), Box::new(r?));
                let kind = if op == BinOp::And {
                    ExprKind::And(l, r)
                } else {
                    ExprKind::Or(l, r)
                };
                Some((mk(kind), Type::Bool))
            }
            _ if op.is_comparison() => {
                if let Some(lowered) = self.derived_comparison(op, lhs, rhs, span) {
                    return lowered;
                }
                let l = self.expr(lhs, place);
                let r = self.expr(rhs, place);
                let ((l, lt), (r, rt)) = (l?, r?);
                for (side, ty) in [(lhs, &lt), (rhs, &rt)] {
                    if let Type::Enum(f) = ty {
                        let fact = &self.facts[f.index()];
                        let values = match &fact.kind {
                            FactKind::Enum { values } => values.clone(),
                            _ => Vec::new(),
                        };
                        let name = fact.name.clone();
                        let example = values.first().map_or("<value>", String::as_str);
                        self.error(
                            Problem::error(
                                "guidelang::check::enum_compared",
                                format!(
                                    "`{name}` takes named values, not numbers, so it cannot be compared with `{}`",
                                    op.as_str()
                                ),
                            )
                            .with_label(side.span, "named values")
                            .with_help(format!(
                                "write `{name} is {example}` or `{name} is one of (...)`; its values are {}",
                                values.join(", ")
                            )),
                        );
                        return None;
                    }
                    if *ty == Type::Bool {
                        self.error(
                            Problem::error(
                                "guidelang::check::bool_compared",
                                format!("a condition cannot be compared with `{}`", op.as_str()),
                            )
                            .with_label(side.span, "true/false")
                            .with_help("use `and`, `or`, `not`, or `is true` / `is false`"),
                        );
                        return None;
                    }
                }
                let (Type::Num(lu), Type::Num(ru)) = (lt, rt) else {
                    // Dates are compared in dates.rs; anything else reaching
                    // here is a date in a form it does not read: said, never
                    // dropped silently.
                    self.error(
                        Problem::error(
                            "guidelang::check::date_arithmetic",
                            format!("a date cannot be compared with `{}` here", op.as_str()),
                        )
                        .with_label(lhs.span.join(rhs.span), "not two numbers")
                        .with_help("compare dates directly (`labs_date >= treatment_start - 3 d`), or subtract them for the days between"),
                    );
                    return None;
                };
                let (l, r, _) = self.reconcile(
                    Side {
                        expr: l,
                        unit: lu,
                        span: lhs.span,
                    },
                    Side {
                        expr: r,
                        unit: ru,
                        span: rhs.span,
                    },
                    op.as_str(),
                )?;
                Some((mk(ExprKind::Compare(cmp_op(op), Box::new(l), Box::new(r))), Type::Bool))
            }
            _ => {
                if self.derived_arithmetic(op, lhs, rhs) {
                    return None;
                }
                let what = format!("each side of `{}`", op.as_str());
                let l = self.quantity(lhs, place, &what);
                let r = self.quantity(rhs, place, &what);
                let ((l, lu), (r, ru)) = (l?, r?);
                let (aop, l, r, unit) = match op {
                    BinOp::Add | BinOp::Sub => {
                        let (l, r, u) = self.reconcile(
                            Side {
                                expr: l,
                                unit: lu,
                                span: lhs.span,
                            },
                            Side {
                                expr: r,
                                unit: ru,
                                span: rhs.span,
                            },
                            op.as_str(),
                        )?;
                        (if op == BinOp::Add { ArithOp::Add } else { ArithOp::Sub }, l, r, u)
                    }
                    BinOp::Mul => (ArithOp::Mul, l, r, combine(lu, ru, Unit::mul)),
                    _ => (ArithOp::Div, l, r, combine(lu, ru, Unit::div)),
                };
                Some((mk(ExprKind::Arith(aop, Box::new(l), Box::new(r))), Type::Num(unit)))
            }
        }
    }

    fn is_value(
        &mut self,
        subject: &ast::Expr,
        value: &ast::Spanned<String>,
        negated: bool,
        span: Span,
        place: Place,
    ) -> Option<(Expr, Type)> {
        if let Some(tested) = self.category_test(subject, std::slice::from_ref(value), negated, span) {
            return tested;
        }
        let (s, ty) = self.expr(subject, place)?;
        let mk = |kind| Expr { kind, span };
        match ty {
            Type::Bool => match value.node.as_str() {
                "true" | "false" => {
                    let want_true = (value.node == "true") != negated;
                    let kind = if want_true { s.kind } else { ExprKind::Not(Box::new(s)) };
                    Some((mk(kind), Type::Bool))
                }
                other => {
                    self.error(
                        Problem::error(
                            "guidelang::check::bool_is_value",
                            format!("a condition can only be `true` or `false`, not `{other}`"),
                        )
                        .with_label(value.span, "not true/false")
                        .with_help("write `is true` or `is false`, or just the condition"),
                    );
                    None
                }
            },
            Type::Enum(f) => {
                let bits = self.enum_bits(f, std::slice::from_ref(value))?;
                Some((
                    mk(ExprKind::EnumIn(
                        Box::new(s),
                        if negated { !bits & self.all_bits(f) } else { bits },
                    )),
                    Type::Bool,
                ))
            }
            Type::Num(_) | Type::Date => {
                self.error(
                    Problem::error(
                        "guidelang::check::number_is_value",
                        format!(
                            "`{}` is a number, so it cannot be `{}`",
                            self.source.slice(subject.span),
                            value.node
                        ),
                    )
                    .with_label(subject.span, "a number")
                    .with_label(value.span, "not a value of a number")
                    .with_help(
                        "compare it with a threshold, e.g. `wbc > 100`; to give the notion a name, \
                         `define` it once (`define hyperleukocytosis: wbc > 100`) and use the name",
                    ),
                );
                None
            }
        }
    }

    fn one_of(
        &mut self,
        subject: &ast::Expr,
        values: &[ast::Spanned<String>],
        negated: bool,
        span: Span,
        place: Place,
    ) -> Option<(Expr, Type)> {
        if let Some(tested) = self.category_test(subject, values, negated, span) {
            return tested;
        }
        let (s, ty) = self.expr(subject, place)?;
        let Type::Enum(f) = ty else {
            self.error(
                Problem::error(
                    "guidelang::check::one_of_needs_enum",
                    format!(
                        "`is one of` needs a fact with named values, but this is {}",
                        self.type_name(&ty)
                    ),
                )
                .with_label(subject.span, "no named values")
                .with_help("use `is one of` with facts declared as `one of ...`"),
            );
            return None;
        };
        let bits = self.enum_bits(f, values)?;
        let set = if negated { !bits & self.all_bits(f) } else { bits };
        Some((
            Expr {
                kind: ExprKind::EnumIn(Box::new(s), set),
                span,
            },
            Type::Bool,
        ))
    }

    fn all_bits(&self, f: crate::model::FactId) -> u64 {
        match &self.facts[f.index()].kind {
            FactKind::Enum { values } if values.len() < 64 => (1u64 << values.len()) - 1,
            _ => u64::MAX,
        }
    }

    fn enum_bits(&mut self, f: crate::model::FactId, values: &[ast::Spanned<String>]) -> Option<u64> {
        let fact = &self.facts[f.index()];
        let FactKind::Enum { values: declared } = &fact.kind else {
            return None;
        };
        let mut bits = 0u64;
        let mut problems = Vec::new();
        for v in values {
            match declared.iter().position(|d| *d == v.node) {
                Some(i) => bits |= 1 << i,
                None => {
                    let (help, suggested) = suggestion(&v.node, declared.iter().map(String::as_str), "value");
                    problems.push(
                        Problem::error(
                            "guidelang::check::unknown_value",
                            format!("`{}` is not a value of `{}`", v.node, fact.name),
                        )
                        .with_label(v.span, "not declared")
                        .with_help(help)
                        .with_suggestion(v.span, suggested),
                    )
                }
            }
        }
        let ok = problems.is_empty();
        for p in problems {
            self.error(p);
        }
        ok.then_some(bits)
    }

    pub(super) fn type_name(&self, ty: &Type) -> String {
        match ty {
            Type::Bool => "a condition".into(),
            Type::Num(Some(u)) if !u.is_one() => format!("a number in {u}"),
            Type::Num(_) => "a number".into(),
            Type::Enum(f) => format!("a value of `{}`", self.facts[f.index()].name),
            Type::Date => "a date".into(),
        }
    }
}

fn combine(a: Option<Unit>, b: Option<Unit>, f: fn(&Unit, &Unit) -> Unit) -> Option<Unit> {
    match (a, b) {
        (None, None) => None,
        (a, b) => Some(f(&a.unwrap_or_default(), &b.unwrap_or_default())),
    }
}

/// The comparison a comparison operator means.
pub(super) fn cmp_op(op: BinOp) -> CmpOp {
    match op {
        BinOp::Lt => CmpOp::Lt,
        BinOp::Le => CmpOp::Le,
        BinOp::Gt => CmpOp::Gt,
        BinOp::Ge => CmpOp::Ge,
        BinOp::Eq => CmpOp::Eq,
        _ => CmpOp::Ne,
    }
}
