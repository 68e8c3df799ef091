//! Long conditions on several lines. An expression that does not fit in
//! [`WIDTH`] columns is broken before each `and`/`or` of its outermost chain,
//! each operand on a line of its own, indented under the field; an operand
//! that still does not fit is broken the same way, one step deeper, and so
//! is the inside of parentheses. The layout depends on the tree alone (never
//! on where the author broke lines), so formatting stays idempotent.

use super::write_expr;
use crate::syntax::ast::{BinOp, Expr, ExprKind};
use crate::syntax::precedence::Prec;

/// The widest line `fmt` writes for a condition, when it can break it.
pub const WIDTH: usize = 100;
/// How much deeper each level of a broken chain is indented.
const STEP: usize = 2;

/// `prefix` then `e`, the prefix starting at column `col`, continuation
/// lines indented from `indent`: `when a\n    and b`.
pub(super) fn long(prefix: &str, e: &Expr, col: usize, indent: usize) -> String {
    let lines = broken(&e.node, col + prefix.chars().count(), indent);
    format!("{prefix}{}", lines.join("\n"))
}

fn flat(e: &ExprKind) -> String {
    let mut s = String::new();
    write_expr(&mut s, e);
    s
}

/// The lines of `e`, the first starting at column `col`, the others with
/// their indentation written out.
fn broken(e: &ExprKind, col: usize, indent: usize) -> Vec<String> {
    let one = flat(e);
    if col + one.chars().count() <= WIDTH {
        return vec![one];
    }
    match e {
        ExprKind::Binary {
            op: op @ (BinOp::And | BinOp::Or),
            ..
        } => {
            let mut operands = Vec::new();
            chain(e, *op, &mut operands);
            let inner = indent + STEP;
            let mut out = Vec::new();
            for (i, (operand, parens)) in operands.into_iter().enumerate() {
                let lead = if i == 0 {
                    String::new()
                } else {
                    format!("{}{} ", " ".repeat(inner), op.as_str())
                };
                let start = if i == 0 { col } else { lead.chars().count() };
                let mut part = wrapped(operand, parens, start, inner);
                part[0].insert_str(0, &lead);
                out.extend(part);
            }
            out
        }
        ExprKind::Paren(x) => wrapped(&x.node, true, col, indent),
        _ => vec![one],
    }
}

/// `e`'s lines, in parentheses when `parens`.
fn wrapped(e: &ExprKind, parens: bool, col: usize, indent: usize) -> Vec<String> {
    if !parens {
        return broken(e, col, indent);
    }
    let mut lines = broken(e, col + 1, indent);
    lines[0].insert(0, '(');
    if let Some(last) = lines.last_mut() {
        last.push(')');
    }
    lines
}

/// The operands of a chain of one operator, left to right, each with whether
/// the one-line printer would put it in parentheses (see `format::write_expr`).
fn chain<'a>(e: &'a ExprKind, op: BinOp, out: &mut Vec<(&'a ExprKind, bool)>) {
    let p: Prec = op.prec();
    match e {
        ExprKind::Binary { op: o, lhs, rhs } if *o == op => {
            chain(&lhs.node, op, out);
            out.push((&rhs.node, rhs.node.prec() <= p));
        }
        other => out.push((other, other.prec() < p)),
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::Source;
    use crate::format::format_source;

    fn fmt(text: &str) -> String {
        format_source(&Source::new("t.gl", text)).expect("parses")
    }

    #[test]
    fn a_long_condition_breaks_before_each_and_or() {
        let long_names: Vec<String> = (0..8).map(|i| format!("condition_number_{i}_is_long")).collect();
        let src = format!(
            "guideline g\nrule r: recommend x\n  when {} or (short and {})\n",
            long_names[..5].join(" and "),
            long_names[5..7].join(" or ")
        );
        let out = fmt(&src);
        let expected = "rule r: recommend x
  when condition_number_0_is_long
      and condition_number_1_is_long
      and condition_number_2_is_long
      and condition_number_3_is_long
      and condition_number_4_is_long
    or (short and condition_number_5_is_long or condition_number_6_is_long)
";
        assert!(out.ends_with(expected), "{out}");
        assert!(out.lines().all(|l| l.chars().count() <= super::WIDTH), "{out}");
        assert_eq!(fmt(&out), out, "idempotent");
    }

    #[test]
    fn a_short_condition_stays_on_one_line_whatever_the_author_did() {
        let out = fmt("guideline g\nrule r: recommend x\n  when a\n    and b\n");
        assert!(out.contains("  when a and b\n"), "{out}");
    }
}
