//! The value of any expression of a guideline on one case, computed by the
//! compiled evaluator's own node semantics ([`Buffers::step`]): for tools
//! that explain a result (the text report's reasons, an editor's hover), not
//! for deciding. The decisions come from [`Evaluator`](super::Evaluator);
//! this answers "what is this part of the condition worth here" with the very
//! same arithmetic and three-valued logic.
//!
//! Every definition is lowered up front (the report lists them all, used or
//! not). An expression asked about is lowered into the same arena, where it
//! finds the nodes it shares with what is already there, so asking about a
//! part of the guideline adds nothing; only the nodes not yet valued are
//! computed. `is known` means what it means in a rule: whether the value is
//! known now (not the `never` claims' "may still become known").

use std::cell::RefCell;

use super::logic::{Truth, Val};
use super::run::Buffers;
use crate::compile::{Builder, Ty, UNKNOWN_ENUM};
use crate::facts::Case;
use crate::model::{DefId, Expr, FactId, Guideline};

/// The values of a guideline's expressions on one case.
///
/// ```
/// let g = guidelang::bundled().expect("the bundled guideline checks");
/// let case = guidelang::facts::parse_case(&g, r#"{"als": true, "wbc": 150}"#).expect("a valid case");
/// let values = guidelang::eval::Values::new(&g, &case);
/// for &d in &g.definition_order {
///     println!("{}: {:?}", g.definitions[d.index()].name, values.definition(d));
/// }
/// ```
pub struct Values<'a> {
    case: &'a Case,
    /// Grows when an expression not lowered yet is asked about; behind a
    /// cell so that asking stays a read of the case's values.
    arena: RefCell<Arena<'a>>,
}

/// The lowered expressions and each node's value.
struct Arena<'a> {
    builder: Builder<'a>,
    truth: Vec<Truth>,
    num: Vec<f64>,
    enm: Vec<u8>,
}

impl<'a> Values<'a> {
    /// Lowers every definition of `g` and values it on `case`.
    pub fn new(g: &'a Guideline, case: &'a Case) -> Values<'a> {
        let mut builder = Builder::new(g);
        for d in &g.definition_order {
            builder.definition(d.index());
        }
        let mut arena = Arena {
            builder,
            truth: Vec::new(),
            num: Vec::new(),
            enm: Vec::new(),
        };
        arena.compute(case);
        Values {
            case,
            arena: RefCell::new(arena),
        }
    }

    /// The value of an expression of the guideline.
    pub fn value(&self, e: &Expr) -> Val {
        let mut arena = self.arena.borrow_mut();
        let node = arena.builder.expr(e);
        arena.compute(self.case);
        arena.value(node)
    }

    /// The truth of a condition; anything but a boolean is unknown.
    pub fn truth(&self, e: &Expr) -> Truth {
        match self.value(e) {
            Val::Bool(b) => Truth::from_bool(b),
            _ => Truth::Unknown,
        }
    }

    /// The value of a definition.
    pub fn definition(&self, d: DefId) -> Val {
        let mut arena = self.arena.borrow_mut();
        let node = arena.builder.definition(d.index());
        arena.compute(self.case);
        arena.value(node)
    }
}

impl Arena<'_> {
    /// Values the nodes lowered since the last call (operands come first).
    fn compute(&mut self, case: &Case) {
        let (done, len) = (self.truth.len(), self.builder.nodes.len());
        self.truth.resize(len, Truth::Unknown);
        self.num.resize(len, f64::NAN);
        self.enm.resize(len, UNKNOWN_ENUM);
        let mut bufs = Buffers {
            truth: &mut self.truth,
            num: &mut self.num,
            enm: &mut self.enm,
            today: case.as_of().unwrap_or(f64::NAN),
        };
        for i in done..len {
            let node = self.builder.nodes[i];
            bufs.step(&self.builder.items, i, node, |f| case.get(FactId(f)));
        }
    }

    /// A node's value, from the buffer of its type.
    fn value(&self, node: u32) -> Val {
        let i = node as usize;
        match self.builder.nodes[i].ty() {
            Ty::Truth => match self.truth[i] {
                Truth::True => Val::Bool(true),
                Truth::False => Val::Bool(false),
                Truth::Unknown => Val::Unknown,
            },
            Ty::Num if self.num[i].is_nan() => Val::Unknown,
            Ty::Num => Val::Num(self.num[i]),
            Ty::Enum if self.enm[i] == UNKNOWN_ENUM => Val::Unknown,
            Ty::Enum => Val::Enum(self.enm[i]),
        }
    }
}
