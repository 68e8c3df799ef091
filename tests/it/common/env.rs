//! The tree-walking reference interpreter of expressions, a test oracle: it
//! walks the checked `model::Expr` trees directly, as the language reference
//! reads, independently of the compiled evaluator it checks (its arena, its
//! typed buffers, its sharing of subexpressions).

use guidelang::eval::{Truth, Val};
use guidelang::facts::{Case, Value};
use guidelang::model::{ArithOp, Expr, ExprKind, Guideline};

/// The truth of a condition's value; anything but a boolean is unknown.
pub fn truth_of(v: Val) -> Truth {
    match v {
        Val::Bool(b) => Truth::from_bool(b),
        _ => Truth::Unknown,
    }
}

/// A truth as a value.
fn from_truth(t: Truth) -> Val {
    match t {
        Truth::True => Val::Bool(true),
        Truth::False => Val::Bool(false),
        Truth::Unknown => Val::Unknown,
    }
}

/// The number, when the value is one.
fn num(v: Val) -> Option<f64> {
    match v {
        Val::Num(x) => Some(x),
        _ => None,
    }
}

/// Arithmetic that leaves the real numbers (x/0, sqrt of a negative) cannot
/// decide anything: it is unknown, never a silent infinity.
fn finite(x: f64) -> Val {
    if x.is_finite() {
        Val::Num(x)
    } else {
        Val::Unknown
    }
}

/// The reference interpreter of expressions: walks the checked trees directly,
/// so that tests can judge a condition's truth independently of the compiled
/// evaluator.
pub struct Env<'a> {
    case: &'a Case,
    defs: Vec<Val>,
}

impl<'a> Env<'a> {
    /// Computes every definition of `g` on `case`, in dependency order.
    pub fn new(g: &Guideline, case: &'a Case) -> Env<'a> {
        let mut env = Env {
            case,
            defs: vec![Val::Unknown; g.definitions.len()],
        };
        for &d in &g.definition_order {
            let v = env.value(&g.definitions[d.index()].body);
            env.defs[d.index()] = v;
        }
        env
    }

    /// The truth of a condition.
    pub fn truth(&self, e: &Expr) -> Truth {
        truth_of(self.value(e))
    }

    /// The truth of an optional condition; no condition is true.
    pub fn truth_opt(&self, e: Option<&Expr>) -> Truth {
        e.map_or(Truth::True, |e| self.truth(e))
    }

    /// The value of an expression.
    pub fn value(&self, e: &Expr) -> Val {
        match &e.kind {
            ExprKind::Bool(b) => Val::Bool(*b),
            ExprKind::Num(x) => Val::Num(*x),
            ExprKind::Fact(f) => match self.case.get(*f) {
                None => Val::Unknown,
                Some(Value::Bool(b)) => Val::Bool(b),
                Some(Value::Num(x)) => Val::Num(x),
                Some(Value::Enum(i)) => Val::Enum(i),
            },
            ExprKind::Def(d) => self.defs[d.index()],
            ExprKind::Not(x) => from_truth(self.truth(x).negate()),
            ExprKind::And(a, b) => {
                let l = self.truth(a);
                if l == Truth::False {
                    return Val::Bool(false);
                }
                from_truth(l.min(self.truth(b)))
            }
            ExprKind::Or(a, b) => {
                let l = self.truth(a);
                if l == Truth::True {
                    return Val::Bool(true);
                }
                from_truth(l.max(self.truth(b)))
            }
            ExprKind::Compare(op, a, b) => match (num(self.value(a)), num(self.value(b))) {
                (Some(x), Some(y)) => Val::Bool(op.apply(x, y)),
                _ => Val::Unknown,
            },
            ExprKind::Neg(x) => num(self.value(x)).map_or(Val::Unknown, |v| Val::Num(-v)),
            ExprKind::Arith(op, a, b) => match (num(self.value(a)), num(self.value(b))) {
                (Some(x), Some(y)) => finite(match op {
                    ArithOp::Add => x + y,
                    ArithOp::Sub => x - y,
                    ArithOp::Mul => x * y,
                    ArithOp::Div => x / y,
                }),
                _ => Val::Unknown,
            },
            ExprKind::Sqrt(x) => num(self.value(x)).map_or(Val::Unknown, |v| finite(v.sqrt())),
            ExprKind::Today => self.case.as_of().map_or(Val::Unknown, Val::Num),
            ExprKind::Change {
                now,
                baseline,
                percent,
                rise,
            } => match (num(self.value(now)), num(self.value(baseline))) {
                // The relative change: how far from the baseline, in percent of it.
                (Some(x), Some(b)) if b > 0.0 => {
                    let change = 100.0 * (x - b);
                    Val::Bool(if *rise {
                        change >= percent * b
                    } else {
                        -change >= percent * b
                    })
                }
                _ => Val::Unknown,
            },
            ExprKind::ShiftMonths(x, months) => {
                num(self.value(x)).map_or(Val::Unknown, |d| finite(guidelang::time::add_months(d, *months)))
            }
            ExprKind::Elapsed(unit, a, b) => match (num(self.value(a)), num(self.value(b))) {
                (Some(x), Some(y)) => finite(guidelang::time::whole_between(*unit, x, y)),
                _ => Val::Unknown,
            },
            ExprKind::EnumIn(x, set) => match self.value(x) {
                Val::Enum(i) => Val::Bool(set & (1u64 << i) != 0),
                _ => Val::Unknown,
            },
            ExprKind::Known(x, negated) => Val::Bool((self.value(x) != Val::Unknown) != *negated),
            ExprKind::AtLeast(n, items) => {
                let (mut yes, mut maybe) = (0u32, 0u32);
                for i in items {
                    match self.truth(i) {
                        Truth::True => yes += 1,
                        Truth::Unknown => maybe += 1,
                        Truth::False => {}
                    }
                }
                if yes >= *n {
                    Val::Bool(true)
                } else if yes + maybe < *n {
                    Val::Bool(false)
                } else {
                    Val::Unknown
                }
            }
        }
    }
}
