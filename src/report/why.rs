//! Why a condition came out true, false or unknown on a case: the given fact
//! values (and derived notions) that decide it.
//!
//! Values come from [`Values`]: each part of a condition is valued by the
//! compiled evaluator's own node semantics, so a reason states what the
//! evaluator computed for exactly that part. Nothing here changes a decision.
//!
//! Which parts decide: for `and`, the false parts when it is false, every
//! part when true; for `or` the reverse; for `at least k of`, the items that
//! went the way of the result; for unknown, only the unknown parts, down to
//! the facts that are missing.

use std::collections::HashSet;

use super::words::{definition_label, definition_unit, fact_short, fact_value, join_and, quantity, yes_no};
use crate::eval::{Truth, Val, Values};
use crate::facts::Case;
use crate::model::{CmpOp, DefId, Expr, ExprKind, FactId, Guideline};

/// One thing that decided a condition.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    /// A given fact, with the value the case gives it.
    Given(FactId),
    /// A fact the case does not give.
    Missing(FactId),
    /// A derived notion, with its (known) truth.
    Derived(DefId, bool),
    /// A comparison with the values put in: "white blood cell count 150 × 10^9/L > 100".
    Compared(String),
}

/// Explains conditions on one case.
pub struct Why<'a> {
    g: &'a Guideline,
    case: &'a Case,
    values: Values<'a>,
}

impl<'a> Why<'a> {
    /// Computes every definition on the case once.
    pub fn new(g: &'a Guideline, case: &'a Case) -> Why<'a> {
        Why {
            g,
            case,
            values: Values::new(g, case),
        }
    }

    /// The guideline.
    pub fn guideline(&self) -> &'a Guideline {
        self.g
    }

    /// The case.
    pub fn case(&self) -> &'a Case {
        self.case
    }

    /// The truth of a condition.
    pub fn truth(&self, e: &Expr) -> Truth {
        self.values.truth(e)
    }

    /// The value of a definition.
    pub fn definition(&self, d: DefId) -> Val {
        self.values.definition(d)
    }

    /// What decided the condition, in order, without repeats.
    pub fn reasons(&self, e: &Expr) -> Vec<Reason> {
        let mut out = Vec::new();
        // Definitions already looked through for missing facts: a guideline
        // whose definitions share others (a diamond) must not be walked once
        // per path.
        let mut seen_defs = vec![false; self.g.definitions.len()];
        self.cond(e, &mut out, &mut seen_defs);
        let mut said = HashSet::new();
        out.retain(|r| said.insert(r.clone()));
        out
    }

    /// The reasons as short texts: "PML-RARA result: pending". A derived
    /// notion among them gives its own reasons, one level down (each notion
    /// has its own line in the patient summary; going deeper could repeat
    /// shared notions without end in a large guideline). Missing facts
    /// are said once, together, where the first of them comes:
    /// "serum uric acid and serum potassium not recorded".
    pub fn reason_texts(&self, e: &Expr) -> Vec<String> {
        self.texts(e, true)
    }

    fn texts(&self, e: &Expr, expand: bool) -> Vec<String> {
        let reasons = self.reasons(e);
        let missing: Vec<String> = reasons
            .iter()
            .filter_map(|r| match r {
                Reason::Missing(f) => Some(fact_short(self.g, *f)),
                _ => None,
            })
            .collect();
        let mut out = Vec::new();
        let mut said_missing = false;
        for r in &reasons {
            match r {
                Reason::Missing(_) if said_missing => {}
                Reason::Missing(_) => {
                    said_missing = true;
                    out.push(format!("{} not recorded", join_and(&missing)));
                }
                Reason::Derived(d, b) if expand => {
                    let label = definition_label(self.g, *d);
                    let inner = self.texts(&self.g.definitions[d.index()].body, false);
                    if inner.is_empty() {
                        out.push(format!("{label}: {}", yes_no(*b)));
                    } else {
                        out.push(format!("{label}: {} ({})", yes_no(*b), inner.join("; ")));
                    }
                }
                other => out.push(self.text(other)),
            }
        }
        out
    }

    /// One reason in words.
    pub fn text(&self, r: &Reason) -> String {
        match r {
            Reason::Given(f) => match self.case.get(*f) {
                Some(v) => format!("{}: {}", fact_short(self.g, *f), fact_value(self.g, *f, v)),
                None => format!("{} not recorded", fact_short(self.g, *f)),
            },
            Reason::Missing(f) => format!("{} not recorded", fact_short(self.g, *f)),
            Reason::Derived(d, b) => format!("{}: {}", definition_label(self.g, *d), yes_no(*b)),
            Reason::Compared(s) => s.clone(),
        }
    }

    fn cond(&self, e: &Expr, out: &mut Vec<Reason>, seen: &mut [bool]) {
        let truth = self.truth(e);
        match &e.kind {
            ExprKind::Bool(_) | ExprKind::Num(_) => {}
            ExprKind::Fact(f) => out.push(self.given(*f)),
            ExprKind::Def(d) => match truth {
                Truth::Unknown => self.missing(e, out, seen),
                t => out.push(Reason::Derived(*d, t == Truth::True)),
            },
            ExprKind::Not(x) => self.cond(x, out, seen),
            ExprKind::And(..) | ExprKind::Or(..) => {
                let is_and = matches!(e.kind, ExprKind::And(..));
                let mut items = Vec::new();
                flatten(e, is_and, &mut items);
                // All parts explain a true `and` (or a false `or`); otherwise
                // only the parts that share the result decide it.
                let all = (is_and && truth == Truth::True) || (!is_and && truth == Truth::False);
                for item in items {
                    if all || self.truth(item) == truth {
                        self.cond(item, out, seen);
                    }
                }
            }
            ExprKind::AtLeast(_, items) => {
                for item in items.iter().filter(|i| self.truth(i) == truth) {
                    self.cond(item, out, seen);
                }
            }
            ExprKind::Compare(op, a, b) => match truth {
                Truth::Unknown => self.missing(e, out, seen),
                t => {
                    let op = if t == Truth::True { *op } else { negate(*op) };
                    out.push(Reason::Compared(format!(
                        "{} {} {}",
                        self.side(a),
                        symbol(op),
                        self.side(b)
                    )));
                }
            },
            ExprKind::EnumIn(x, _) | ExprKind::Known(x, _) => match &x.kind {
                ExprKind::Fact(f) => out.push(self.given(*f)),
                _ => self.missing(x, out, seen),
            },
            ExprKind::Neg(_)
            | ExprKind::Arith(..)
            | ExprKind::Sqrt(_)
            | ExprKind::Today
            | ExprKind::ShiftMonths(..)
            | ExprKind::Elapsed(..) => self.missing(e, out, seen),
            ExprKind::Change { now, baseline, .. } => match truth {
                Truth::Unknown => self.missing(e, out, seen),
                _ => {
                    out.push(Reason::Compared(format!(
                        "{} against {}",
                        self.side(now),
                        self.side(baseline)
                    )));
                }
            },
        }
    }

    fn given(&self, f: FactId) -> Reason {
        if self.case.get(f).is_some() {
            Reason::Given(f)
        } else {
            Reason::Missing(f)
        }
    }

    /// The facts under `e` that the case does not give, looking through
    /// definitions whose value is unknown.
    fn missing(&self, e: &Expr, out: &mut Vec<Reason>, seen: &mut [bool]) {
        match &e.kind {
            ExprKind::Fact(f) if self.case.get(*f).is_none() => out.push(Reason::Missing(*f)),
            ExprKind::Def(d) if self.definition(*d) == Val::Unknown && !seen[d.index()] => {
                seen[d.index()] = true;
                self.missing(&self.g.definitions[d.index()].body, out, seen);
            }
            ExprKind::Not(x)
            | ExprKind::Neg(x)
            | ExprKind::Sqrt(x)
            | ExprKind::EnumIn(x, _)
            | ExprKind::Known(x, _)
            | ExprKind::ShiftMonths(x, _) => {
                self.missing(x, out, seen);
            }
            ExprKind::Elapsed(_, a, b)
            | ExprKind::Change {
                now: a, baseline: b, ..
            } => {
                self.missing(a, out, seen);
                self.missing(b, out, seen);
            }
            ExprKind::And(a, b) | ExprKind::Or(a, b) | ExprKind::Compare(_, a, b) | ExprKind::Arith(_, a, b) => {
                self.missing(a, out, seen);
                self.missing(b, out, seen);
            }
            ExprKind::AtLeast(_, items) => items.iter().for_each(|i| self.missing(i, out, seen)),
            _ => {}
        }
    }

    /// One side of a comparison with its value: "white blood cell count 150 × 10^9/L".
    fn side(&self, e: &Expr) -> String {
        match &e.kind {
            ExprKind::Num(x) => super::fmt_num(*x),
            ExprKind::Fact(f) => match self.case.get(*f) {
                Some(v) => format!("{} {}", fact_short(self.g, *f), fact_value(self.g, *f, v)),
                None => format!("{} (not recorded)", fact_short(self.g, *f)),
            },
            ExprKind::Def(d) => match self.definition(*d) {
                Val::Num(x) => format!(
                    "{} {}",
                    definition_label(self.g, *d),
                    quantity(x, definition_unit(self.g, *d))
                ),
                _ => definition_label(self.g, *d),
            },
            _ => match self.values.value(e) {
                Val::Num(x) => format!("the computed value {}", super::fmt_num(x)),
                _ => "a value not known".into(),
            },
        }
    }
}

fn flatten<'e>(e: &'e Expr, is_and: bool, out: &mut Vec<&'e Expr>) {
    match &e.kind {
        ExprKind::And(a, b) if is_and => {
            flatten(a, is_and, out);
            flatten(b, is_and, out);
        }
        ExprKind::Or(a, b) if !is_and => {
            flatten(a, is_and, out);
            flatten(b, is_and, out);
        }
        _ => out.push(e),
    }
}

/// The comparison that holds when `op` does not.
fn negate(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Ge,
        CmpOp::Le => CmpOp::Gt,
        CmpOp::Gt => CmpOp::Le,
        CmpOp::Ge => CmpOp::Lt,
        CmpOp::Eq => CmpOp::Ne,
        CmpOp::Ne => CmpOp::Eq,
    }
}

fn symbol(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Lt => "<",
        CmpOp::Le => "≤",
        CmpOp::Gt => ">",
        CmpOp::Ge => "≥",
        CmpOp::Eq => "=",
        CmpOp::Ne => "≠",
    }
}
