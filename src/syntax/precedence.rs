//! The one table of how tightly operators bind. The grammar lists the
//! operators flat (`infix`, `prefix`, `postfix` in `grammar/guideline.pest`);
//! the lowering builds its Pratt parser from [`Operator::prec`], and the
//! formatter puts parentheses where [`ExprKind::prec`] says the parse would
//! differ without them. Both read this table, so they cannot disagree on how
//! `not a and b or c` groups; a test formats every pair of operators nested
//! either way and parses the text back to the same tree.

use pest::pratt_parser::{Assoc, Op, PrattParser};
use std::sync::OnceLock;

use super::ast::{BinOp, ExprKind};
use super::grammar::Rule;

/// How tightly a form binds, weakest first: `or` < `and` < `not` <
/// comparisons < the `is` forms < `+ -` < `* /` < unary minus < an operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Prec {
    /// `or`
    Or,
    /// `and`
    And,
    /// Prefix `not`: `not a and b` is `(not a) and b`, `not a < b` is `not (a < b)`.
    Not,
    /// `<`, `<=`, `>`, `>=`, `=`, `!=`
    Compare,
    /// Postfix `is V`, `is not V`, `is one of (...)`, `is known`, and their negations.
    Is,
    /// `+`, `-`
    Sum,
    /// `*`, `/`
    Product,
    /// Prefix `-`
    Neg,
    /// A name, number, boolean, `at least`, `sqrt(...)`: nothing to group.
    Operand,
}

impl Prec {
    /// Every level, weakest first.
    pub const ALL: [Prec; 9] = [
        Prec::Or,
        Prec::And,
        Prec::Not,
        Prec::Compare,
        Prec::Is,
        Prec::Sum,
        Prec::Product,
        Prec::Neg,
        Prec::Operand,
    ];
}

/// An operator of the expression language. Binary operators are infix and
/// group to the left; `not` and unary minus are prefix; the `is` forms postfix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operator {
    /// An infix operator.
    Binary(BinOp),
    /// Prefix `not`.
    Not,
    /// Prefix `-`.
    Neg,
    /// A postfix `is` form.
    Is,
}

impl Operator {
    /// The table: how tightly each operator binds.
    pub fn prec(self) -> Prec {
        match self {
            Operator::Binary(op) => match op {
                BinOp::Or => Prec::Or,
                BinOp::And => Prec::And,
                BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne => Prec::Compare,
                BinOp::Add | BinOp::Sub => Prec::Sum,
                BinOp::Mul | BinOp::Div => Prec::Product,
            },
            Operator::Not => Prec::Not,
            Operator::Is => Prec::Is,
            Operator::Neg => Prec::Neg,
        }
    }
}

impl BinOp {
    /// How tightly this operator binds.
    pub fn prec(self) -> Prec {
        Operator::Binary(self).prec()
    }
}

impl ExprKind {
    /// The operator at the top of this expression; `None` for an operand.
    pub fn operator(&self) -> Option<Operator> {
        match self {
            ExprKind::Binary { op, .. } => Some(Operator::Binary(*op)),
            ExprKind::Not(_) => Some(Operator::Not),
            ExprKind::Neg(_) => Some(Operator::Neg),
            ExprKind::Is { .. } | ExprKind::OneOf { .. } | ExprKind::Known { .. } | ExprKind::Change { .. } => {
                Some(Operator::Is)
            }
            ExprKind::Bool(_)
            | ExprKind::Quantity { .. }
            | ExprKind::Name(_)
            | ExprKind::AtLeast { .. }
            | ExprKind::Sqrt(_)
            | ExprKind::Today
            | ExprKind::Paren(_) => None,
        }
    }

    /// How tightly this expression's outermost form binds.
    pub fn prec(&self) -> Prec {
        self.operator().map_or(Prec::Operand, Operator::prec)
    }
}

/// The grammar's operator rules, as listed in its `infix`, `prefix` and `postfix`.
const OPERATOR_RULES: [Rule; 21] = [
    Rule::or_op,
    Rule::and_op,
    Rule::lt,
    Rule::le,
    Rule::gt,
    Rule::ge,
    Rule::eq,
    Rule::ne,
    Rule::add,
    Rule::sub,
    Rule::mul,
    Rule::div,
    Rule::not_op,
    Rule::neg,
    Rule::is_known,
    Rule::is_unknown,
    Rule::is_one_of,
    Rule::is_not_one_of,
    Rule::is_value,
    Rule::is_not_value,
    Rule::is_change,
];

/// The operator a grammar rule writes; `None` for a rule that is no operator.
pub(super) fn operator_of(kind: Rule) -> Option<Operator> {
    Some(match kind {
        Rule::or_op => Operator::Binary(BinOp::Or),
        Rule::and_op => Operator::Binary(BinOp::And),
        Rule::lt => Operator::Binary(BinOp::Lt),
        Rule::le => Operator::Binary(BinOp::Le),
        Rule::gt => Operator::Binary(BinOp::Gt),
        Rule::ge => Operator::Binary(BinOp::Ge),
        Rule::eq => Operator::Binary(BinOp::Eq),
        Rule::ne => Operator::Binary(BinOp::Ne),
        Rule::add => Operator::Binary(BinOp::Add),
        Rule::sub => Operator::Binary(BinOp::Sub),
        Rule::mul => Operator::Binary(BinOp::Mul),
        Rule::div => Operator::Binary(BinOp::Div),
        Rule::not_op => Operator::Not,
        Rule::neg => Operator::Neg,
        Rule::is_known
        | Rule::is_unknown
        | Rule::is_one_of
        | Rule::is_not_one_of
        | Rule::is_value
        | Rule::is_not_value
        | Rule::is_change => Operator::Is,
        _ => return None,
    })
}

/// The Pratt parser the lowering orders operators with, built from the table:
/// one level per [`Prec`], weakest first, as pest's `PrattParser` wants them.
pub(super) fn pratt() -> &'static PrattParser<Rule> {
    static PARSER: OnceLock<PrattParser<Rule>> = OnceLock::new();
    PARSER.get_or_init(|| {
        let mut parser = PrattParser::new();
        for level in Prec::ALL {
            let ops = OPERATOR_RULES.into_iter().filter_map(|kind| {
                let operator = operator_of(kind).filter(|o| o.prec() == level)?;
                Some(match operator {
                    Operator::Binary(_) => Op::infix(kind, Assoc::Left),
                    Operator::Not | Operator::Neg => Op::prefix(kind),
                    Operator::Is => Op::postfix(kind),
                })
            });
            if let Some(level_ops) = ops.reduce(|a, b| a | b) {
                parser = parser.op(level_ops);
            }
        }
        parser
    })
}

#[cfg(test)]
mod tests {
    //! The table pinned against the grammar: every operator nested in every
    //! other, on either side, is printed by the formatter and parsed back to
    //! the same tree, with parentheses exactly where the parse needs them.

    use super::*;
    use crate::diagnostics::{Source, Span};
    use crate::syntax::ast::{Expr, Item, Spanned};

    const BINARY: [BinOp; 12] = [
        BinOp::Or,
        BinOp::And,
        BinOp::Lt,
        BinOp::Le,
        BinOp::Gt,
        BinOp::Ge,
        BinOp::Eq,
        BinOp::Ne,
        BinOp::Add,
        BinOp::Sub,
        BinOp::Mul,
        BinOp::Div,
    ];

    fn at<T>(node: T) -> Spanned<T> {
        Spanned::new(node, Span::new(0, 0))
    }

    fn leaf(name: &str) -> Expr {
        at(ExprKind::Name(name.to_string()))
    }

    /// Every operator form, applied to the operands given (one or two).
    /// An operator form: its name in messages, how many operands, and how it builds its node.
    type Form = (String, usize, Box<dyn Fn(Vec<Expr>) -> ExprKind>);

    fn forms() -> Vec<Form> {
        let mut out: Vec<Form> = Vec::new();
        for op in BINARY {
            out.push((
                op.as_str().to_string(),
                2,
                Box::new(move |mut xs: Vec<Expr>| {
                    let rhs = Box::new(xs.pop().unwrap_or_else(|| leaf("r")));
                    let lhs = Box::new(xs.pop().unwrap_or_else(|| leaf("l")));
                    ExprKind::Binary { op, lhs, rhs }
                }),
            ));
        }
        let one = |xs: Vec<Expr>| Box::new(xs.into_iter().next().unwrap_or_else(|| leaf("x")));
        out.push(("not".into(), 1, Box::new(move |xs| ExprKind::Not(one(xs)))));
        out.push(("neg".into(), 1, Box::new(move |xs| ExprKind::Neg(one(xs)))));
        for negated in [false, true] {
            out.push((
                format!("is {negated}"),
                1,
                Box::new(move |xs| ExprKind::Is {
                    subject: one(xs),
                    value: at("v".to_string()),
                    negated,
                }),
            ));
            out.push((
                format!("one of {negated}"),
                1,
                Box::new(move |xs| ExprKind::OneOf {
                    subject: one(xs),
                    values: vec![at("v".to_string()), at("w".to_string())],
                    negated,
                }),
            ));
            out.push((
                format!("known {negated}"),
                1,
                Box::new(move |xs| ExprKind::Known {
                    subject: one(xs),
                    negated,
                }),
            ));
        }
        out
    }

    fn parse_expr(text: &str) -> Option<Expr> {
        let source = Source::new("t.gl", format!("guideline g\ndefine d: {text}\n"));
        let file = crate::syntax::parse(&source).ok()?;
        match file.items.into_iter().next()? {
            Item::Definition(d) => Some(d.body),
            _ => None,
        }
    }

    #[test]
    fn every_operator_nested_in_every_other_prints_and_parses_back_the_same() {
        let forms = forms();
        let mut checked = 0;
        for (outer_name, arity, outer) in &forms {
            for (inner_name, inner_arity, inner) in &forms {
                for slot in 0..*arity {
                    let inner_operands = (0..*inner_arity).map(|i| leaf(["a", "b"][i])).collect();
                    let mut operands: Vec<Expr> = (0..*arity).map(|i| leaf(["c", "d"][i])).collect();
                    operands[slot] = at(inner(inner_operands));
                    let tree = at(outer(operands));
                    let text = crate::format::expr(&tree);
                    let back = parse_expr(&text);
                    assert_eq!(
                        back.as_ref(),
                        Some(&tree),
                        "`{inner_name}` in operand {slot} of `{outer_name}` printed as `{text}`"
                    );
                    checked += 1;
                }
            }
        }
        // 12 binary forms with two operands, 8 unary with one; 20 inner forms each.
        assert_eq!(checked, (12 * 2 + 8) * 20);
    }

    #[test]
    fn parentheses_are_printed_only_where_binary_operators_need_them() {
        for outer in BINARY {
            for inner in BINARY {
                for slot in 0..2 {
                    let nested = at(ExprKind::Binary {
                        op: inner,
                        lhs: Box::new(leaf("a")),
                        rhs: Box::new(leaf("b")),
                    });
                    let (lhs, rhs) = if slot == 0 {
                        (nested, leaf("c"))
                    } else {
                        (leaf("c"), nested)
                    };
                    let tree = at(ExprKind::Binary {
                        op: outer,
                        lhs: Box::new(lhs),
                        rhs: Box::new(rhs),
                    });
                    let text = crate::format::expr(&tree);
                    // Without parentheses the text parses to the same tree exactly
                    // when the inner operator binds tighter, or equally on the left.
                    let bare = text.replace(['(', ')'], "");
                    let needed = parse_expr(&bare).as_ref() != Some(&tree);
                    assert_eq!(text.contains('('), needed, "`{text}`");
                    let tighter = inner.prec() > outer.prec() || (inner.prec() == outer.prec() && slot == 0);
                    assert_eq!(needed, !tighter, "`{text}`");
                }
            }
        }
    }
}
