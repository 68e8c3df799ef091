//! The evaluator proper: runs a compiled [`Program`] on a case into buffers
//! it keeps between cases. One pass over the node arena computes every value
//! (definitions once); each action's fired and unknown rules become bit sets;
//! precedence and the enumeration of unknown rules work on those sets. Nothing
//! here allocates once the buffers have grown to the guideline's size, and no
//! name is compared.

use std::ops::Range;

use super::logic::{finite, Truth, Val};
use super::{Evaluation, Violation, MAX_UNKNOWN_RULES};
use crate::compile::{set_bit, verdict_bit, ActionCode, InvariantCode, Node, Program};
use crate::facts::{Case, Value};
use crate::model::{ActionId, ArithOp, FactId, RuleId};
use crate::syntax::ast::Verdict;

/// Why an action is undecided; says where its `needs` come from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Cause {
    /// The scope is unknown.
    Scope,
    /// Unknown rule conditions could change the verdict.
    Rules,
    /// A decision was held back because it might break this invariant.
    Invariant(u32),
}

/// The outcome of one action, as the evaluator keeps it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum State {
    Silent,
    Decided(Verdict),
    Conflict,
    /// `possible`: bit 0 for "no verdict", bit `1 + v` for verdict `v`.
    Undecided {
        possible: u8,
        cause: Cause,
    },
    Withheld {
        invariant: u32,
        verdict: Verdict,
    },
}

/// What one combination of fired rules resolves to.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Resolved {
    Silent,
    Verdict(Verdict),
    Conflict,
}

impl Resolved {
    /// A distinct bit per outcome, to collect the outcomes a set of cases can reach.
    fn bit(self) -> u8 {
        match self {
            Resolved::Silent => 1,
            Resolved::Conflict => 2,
            Resolved::Verdict(v) => 4 << (v as u8),
        }
    }

    fn state(self) -> State {
        match self {
            Resolved::Silent => State::Silent,
            Resolved::Verdict(v) => State::Decided(v),
            Resolved::Conflict => State::Conflict,
        }
    }
}

/// The kind of conclusion reached for one action, without its details.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutcomeKind {
    /// No rule applies.
    Silent,
    /// A verdict.
    Decided(Verdict),
    /// True rules disagree and no precedence settles them.
    Conflict,
    /// Unknown facts could change the outcome.
    Undecided,
    /// A verdict held back because it breaks a stated invariant.
    Withheld(Verdict),
}

/// The result of [`Evaluator::run`]: applicability and the kind of outcome
/// of each action, borrowed from the evaluator's buffers.
#[derive(Clone, Copy, Debug)]
pub struct Brief<'a> {
    scope: Truth,
    states: &'a [State],
    violations: &'a [Violation],
}

impl Brief<'_> {
    /// Whether the guideline applies: true, false, or unknown.
    pub fn scope(&self) -> Truth {
        self.scope
    }

    /// Each action's outcome kind, in action order; empty when out of scope.
    pub fn outcomes(&self) -> impl Iterator<Item = (ActionId, OutcomeKind)> + '_ {
        let states = if self.scope == Truth::False {
            &[][..]
        } else {
            self.states
        };
        states.iter().enumerate().map(|(i, s)| {
            let kind = match *s {
                State::Silent => OutcomeKind::Silent,
                State::Decided(v) => OutcomeKind::Decided(v),
                State::Conflict => OutcomeKind::Conflict,
                State::Undecided { .. } => OutcomeKind::Undecided,
                State::Withheld { verdict, .. } => OutcomeKind::Withheld(verdict),
            };
            (ActionId(i as u32), kind)
        })
    }

    /// Invariants the rules broke (or may break) on the case.
    pub fn violations(&self) -> &[Violation] {
        self.violations
    }
}

/// Evaluates cases with one compiled [`Program`], reusing its buffers from
/// case to case. One per thread: it is cheap to make, and the program is shared.
///
/// ```
/// let g = guidelang::bundled().expect("the bundled guideline checks");
/// let program = guidelang::compile::Program::new(&g);
/// let mut evaluator = guidelang::eval::Evaluator::new(&program);
/// for text in [r#"{"als": true, "wbc": 150}"#, r#"{"als": false}"#] {
///     let case = guidelang::facts::parse_case(&g, text).expect("a valid case");
///     let brief = evaluator.run(&case);
///     println!("{:?}", brief.scope());
/// }
/// ```
#[derive(Clone, Debug)]
pub struct Evaluator<'p> {
    pub(crate) program: &'p Program,
    /// One value per node.
    pub(crate) vals: Vec<Val>,
    pub(crate) scope: Truth,
    /// One state per action.
    pub(crate) states: Vec<State>,
    /// Fired rules, per action (at each action's offset).
    pub(crate) fired: Vec<u64>,
    /// Rules whose condition is unknown, per action.
    pub(crate) unknown: Vec<u64>,
    /// One combination of fired and unknown rules, while enumerating.
    combo: Vec<u64>,
    /// Positions of an action's unknown rules, while enumerating.
    unknown_list: Vec<u32>,
    pub(crate) violations: Vec<Violation>,
}

impl<'p> Evaluator<'p> {
    /// An evaluator for `program`, its buffers sized once.
    pub fn new(program: &'p Program) -> Evaluator<'p> {
        Evaluator {
            program,
            vals: vec![Val::Unknown; program.nodes.len()],
            scope: Truth::Unknown,
            states: vec![State::Silent; program.actions.len()],
            fired: vec![0; program.set_words],
            unknown: vec![0; program.set_words],
            combo: vec![0; program.max_words],
            unknown_list: Vec::with_capacity(MAX_UNKNOWN_RULES),
            violations: Vec::with_capacity(program.invariants.len()),
        }
    }

    /// The program it runs.
    pub fn program(&self) -> &'p Program {
        self.program
    }

    /// Evaluates a case and returns the full result.
    pub fn evaluate(&mut self, case: &Case) -> Evaluation {
        self.run(case);
        self.evaluation(case)
    }

    /// Evaluates a case into the evaluator's buffers and returns the kind of
    /// each outcome; [`Evaluator::evaluate`] gives the details.
    pub fn run(&mut self, case: &Case) -> Brief<'_> {
        let p = self.program;
        self.violations.clear();
        self.compute(case, 0..p.scope_end);
        self.scope = p.scope.map_or(Truth::True, |n| self.vals[n as usize].truth());
        match self.scope {
            Truth::False => {}
            Truth::Unknown => self.states.fill(State::Undecided {
                possible: 0,
                cause: Cause::Scope,
            }),
            Truth::True => {
                self.compute(case, p.scope_end..p.nodes.len());
                for a in 0..p.actions.len() {
                    self.states[a] = self.decide(&p.actions[a]);
                }
                self.enforce_invariants();
            }
        }
        self.brief()
    }

    /// The outcome kinds of the case last run.
    pub fn brief(&self) -> Brief<'_> {
        Brief {
            scope: self.scope,
            states: &self.states,
            violations: &self.violations,
        }
    }

    /// The truth of a rule's condition on the current case.
    #[inline]
    pub(crate) fn rule_truth(&self, r: RuleId) -> Truth {
        self.program.rules[r.index()]
            .when
            .map_or(Truth::True, |n| self.vals[n as usize].truth())
    }

    /// Computes the nodes in `range`; their operands are computed already.
    fn compute(&mut self, case: &Case, range: Range<usize>) {
        let nodes = &self.program.nodes;
        let items = &self.program.items;
        let vals = &mut self.vals;
        let truth = |vals: &[Val], a: u32| vals[a as usize].truth();
        let num = |vals: &[Val], a: u32| vals[a as usize].num();
        for i in range {
            let v = match nodes[i] {
                Node::Const(v) => v,
                Node::Fact(f) => match case.get(FactId(f)) {
                    None => Val::Unknown,
                    Some(Value::Bool(b)) => Val::Bool(b),
                    Some(Value::Num(x)) => Val::Num(x),
                    Some(Value::Enum(e)) => Val::Enum(e),
                },
                Node::Not(a) => Val::from_truth(truth(vals, a).negate()),
                // Kleene: false wins a conjunction, true a disjunction, so the
                // result is the least (greatest) truth; there are no side effects
                // to skip by short-circuiting.
                Node::And(a, b) => Val::from_truth(truth(vals, a).min(truth(vals, b))),
                Node::Or(a, b) => Val::from_truth(truth(vals, a).max(truth(vals, b))),
                Node::Compare(op, a, b) => match (num(vals, a), num(vals, b)) {
                    (Some(x), Some(y)) => Val::Bool(op.apply(x, y)),
                    _ => Val::Unknown,
                },
                Node::Neg(a) => num(vals, a).map_or(Val::Unknown, |x| Val::Num(-x)),
                Node::Arith(op, a, b) => match (num(vals, a), num(vals, b)) {
                    (Some(x), Some(y)) => finite(match op {
                        ArithOp::Add => x + y,
                        ArithOp::Sub => x - y,
                        ArithOp::Mul => x * y,
                        ArithOp::Div => x / y,
                    }),
                    _ => Val::Unknown,
                },
                Node::Sqrt(a) => num(vals, a).map_or(Val::Unknown, |x| finite(x.sqrt())),
                Node::EnumIn(a, set) => match vals[a as usize] {
                    Val::Enum(e) => Val::Bool(set & (1u64 << e) != 0),
                    _ => Val::Unknown,
                },
                Node::Known(a, negated) => Val::Bool((vals[a as usize] != Val::Unknown) != negated),
                Node::AtLeast { n, start, len } => {
                    let (mut yes, mut maybe) = (0u32, 0u32);
                    for &item in &items[start as usize..(start + len) as usize] {
                        match truth(vals, item) {
                            Truth::True => yes += 1,
                            Truth::Unknown => maybe += 1,
                            Truth::False => {}
                        }
                    }
                    if yes >= n {
                        Val::Bool(true)
                    } else if yes + maybe < n {
                        Val::Bool(false)
                    } else {
                        Val::Unknown
                    }
                }
            };
            vals[i] = v;
        }
    }

    /// Concludes one action. A decision stands only when every way the
    /// unknown rules could turn out resolves the same way.
    fn decide(&mut self, action: &ActionCode) -> State {
        let p = self.program;
        let (off, w) = (action.offset as usize, action.words as usize);
        self.fired[off..off + w].fill(0);
        self.unknown[off..off + w].fill(0);
        for (local, &r) in action.rules.iter().enumerate() {
            match self.rule_truth(r) {
                Truth::True => set_bit(&mut self.fired[off..off + w], local),
                Truth::Unknown => set_bit(&mut self.unknown[off..off + w], local),
                Truth::False => {}
            }
        }
        let fired = &self.fired[off..off + w];
        let unknown = &self.unknown[off..off + w];
        let base = resolve(p, action, fired);
        // A true contraindication is absolute: no unknown can change it.
        if base == Resolved::Verdict(Verdict::Contraindicated) || unknown.iter().all(|x| *x == 0) {
            return base.state();
        }
        let n = unknown.iter().map(|x| x.count_ones() as usize).sum::<usize>();
        if n > MAX_UNKNOWN_RULES {
            return State::Undecided {
                possible: 0,
                cause: Cause::Rules,
            };
        }
        self.unknown_list.clear();
        for_each_bit(unknown, |i| self.unknown_list.push(i as u32));
        let combo = &mut self.combo[..w];
        let mut reached = base.bit();
        for mask in 1u32..(1 << n) {
            combo.copy_from_slice(fired);
            let mut m = mask;
            while m != 0 {
                set_bit(combo, self.unknown_list[m.trailing_zeros() as usize] as usize);
                m &= m - 1;
            }
            reached |= resolve(p, action, combo).bit();
        }
        if reached.count_ones() == 1 {
            base.state()
        } else {
            // Silent and conflict are both "no verdict".
            let none = u8::from(reached & 3 != 0);
            State::Undecided {
                possible: none | ((reached >> 2) << 1),
                cause: Cause::Rules,
            }
        }
    }

    /// Checks every invariant in order; a decision that breaks one (or might,
    /// given unknown facts) is withheld, so no report carries it.
    fn enforce_invariants(&mut self) {
        for (i, inv) in self.program.invariants.iter().enumerate() {
            match *inv {
                InvariantCode::Never {
                    verdicts, action, when, ..
                } => {
                    let State::Decided(verdict) = self.states[action.index()] else {
                        continue;
                    };
                    if verdicts & verdict_bit(verdict) == 0 {
                        continue;
                    }
                    let certain = match self.vals[when as usize].truth() {
                        Truth::False => continue,
                        Truth::True => true,
                        Truth::Unknown => false,
                    };
                    self.violations.push(Violation {
                        invariant: i,
                        action,
                        verdict: Some(verdict),
                        certain,
                    });
                    self.states[action.index()] = if certain {
                        State::Withheld {
                            invariant: i as u32,
                            verdict,
                        }
                    } else {
                        // It might break the invariant once the facts are known:
                        // undecided, so that no later fact can reverse it.
                        State::Undecided {
                            possible: 1 | (2 << (verdict as u8)),
                            cause: Cause::Invariant(i as u32),
                        }
                    };
                }
                InvariantCode::AlwaysDecide { action, when } => {
                    if self.vals[when as usize].truth() == Truth::True
                        && matches!(self.states[action.index()], State::Undecided { .. })
                    {
                        self.violations.push(Violation {
                            invariant: i,
                            action,
                            verdict: None,
                            certain: true,
                        });
                    }
                }
            }
        }
    }
}

/// Calls `f` with the position of every set bit, lowest first.
#[inline]
pub(crate) fn for_each_bit(words: &[u64], mut f: impl FnMut(usize)) {
    for (i, &word) in words.iter().enumerate() {
        let mut w = word;
        while w != 0 {
            f(i * 64 + w.trailing_zeros() as usize);
            w &= w - 1;
        }
    }
}

#[inline]
pub(crate) fn intersects(a: &[u64], b: &[u64]) -> bool {
    a.iter().zip(b).any(|(x, y)| x & y != 0)
}

/// The mask at `offset` in the program's mask table, as long as the action's sets.
#[inline]
pub(crate) fn mask<'p>(p: &'p Program, action: &ActionCode, offset: u32) -> &'p [u64] {
    &p.masks[offset as usize..(offset + action.words) as usize]
}

/// Resolves one set of fired rules: a true contraindication wins outright;
/// otherwise the rules no fired rule overrides must agree.
fn resolve(p: &Program, action: &ActionCode, fired: &[u64]) -> Resolved {
    if fired.iter().all(|x| *x == 0) {
        return Resolved::Silent;
    }
    if intersects(fired, mask(p, action, action.contra)) {
        return Resolved::Verdict(Verdict::Contraindicated);
    }
    let mut verdict = None;
    for (i, &word) in fired.iter().enumerate() {
        let mut w = word;
        while w != 0 {
            let local = i * 64 + w.trailing_zeros() as usize;
            w &= w - 1;
            let rule = &p.rules[action.rules[local].index()];
            if intersects(fired, mask(p, action, rule.overridden_by)) {
                continue;
            }
            match verdict {
                None => verdict = Some(rule.verdict),
                Some(v) if v != rule.verdict => return Resolved::Conflict,
                Some(_) => {}
            }
        }
    }
    // The checker rejects precedence cycles, so some fired rule survives; were
    // none to, no verdict is the safe answer.
    verdict.map_or(Resolved::Conflict, Resolved::Verdict)
}
