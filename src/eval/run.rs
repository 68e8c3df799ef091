//! The evaluator proper: runs a compiled [`Program`] on a case into buffers
//! it keeps between cases. One pass over the node arena computes every value
//! (definitions once); each action's fired and unknown rules become bit sets;
//! precedence and the enumeration of unknown rules work on those sets. Nothing
//! here allocates once the buffers have grown to the guideline's size, and no
//! name is compared.

use std::ops::Range;

use super::logic::Truth;
use super::memo::Memo;
use super::needs::Scratch;
use super::{Evaluation, Violation, MAX_UNKNOWN_RULES};
use crate::compile::{set_bit, ActionCode, Node, Program, Ty, UNKNOWN_ENUM};
use crate::facts::{Case, Value};
use crate::model::{ActionId, ArithOp, CmpOp, FactId, RuleId};
use crate::model::{OutcomeKind, OutcomeSet, Verdict};

/// Why an action is undecided; says where its `needs` come from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Cause {
    /// The scope is unknown.
    Scope,
    /// Unknown rule conditions could change the verdict.
    Rules,
    /// A decision was held back because it might break this invariant.
    Invariant(u32),
    /// Refined over the completions of the absent facts: the facts that can
    /// change the outcome are in [`Evaluator::needs`] (see `needs.rs`).
    Exact,
}

/// The outcome of one action, as the evaluator keeps it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum State {
    Silent,
    Decided(Verdict),
    Conflict,
    /// `possible`: the outcomes the unknown facts could lead to, a conflict
    /// read as no verdict ([`OutcomeSet::as_given`]).
    Undecided {
        possible: OutcomeSet,
        cause: Cause,
    },
    Withheld {
        invariant: u32,
        verdict: Verdict,
    },
}

/// The state an action is in when the rules resolve to `kind`.
pub(super) fn state_of(kind: OutcomeKind) -> State {
    match kind {
        OutcomeKind::NoVerdict => State::Silent,
        OutcomeKind::Verdict(v) => State::Decided(v),
        OutcomeKind::Conflict => State::Conflict,
    }
}

/// The kind of conclusion reached for one action, without its details.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Conclusion {
    /// No rule applies.
    Silent,
    /// A verdict.
    Decided(Verdict),
    /// True rules disagree and no precedence settles them.
    Conflict,
    /// Unknown facts could change the outcome.
    Undecided,
    /// A verdict held back because it breaks a stated invariant (never a
    /// contraindication).
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
    pub fn outcomes(&self) -> impl Iterator<Item = (ActionId, Conclusion)> + '_ {
        let states = if self.scope == Truth::False {
            &[][..]
        } else {
            self.states
        };
        states.iter().enumerate().map(|(i, s)| {
            let kind = match *s {
                State::Silent => Conclusion::Silent,
                State::Decided(v) => Conclusion::Decided(v),
                State::Conflict => Conclusion::Conflict,
                State::Undecided { .. } => Conclusion::Undecided,
                State::Withheld { verdict, .. } => Conclusion::Withheld(verdict),
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
    /// Each condition node's truth.
    pub(crate) truth: Vec<Truth>,
    /// Each numeric node's value; NaN is unknown.
    pub(crate) num: Vec<f64>,
    /// Each enum node's value index; [`UNKNOWN_ENUM`] is unknown.
    pub(crate) enm: Vec<u8>,
    pub(crate) scope: Truth,
    /// One state per action.
    pub(crate) states: Vec<State>,
    /// Fired rules, per action (at each action's offset).
    pub(crate) fired: Vec<u64>,
    /// Rules whose condition is unknown, per action.
    pub(crate) unknown: Vec<u64>,
    /// One combination of fired and unknown rules, while enumerating.
    pub(crate) combo: Vec<u64>,
    /// Positions of an action's unknown rules, while enumerating.
    unknown_list: Vec<u32>,
    pub(crate) violations: Vec<Violation>,
    /// Per action, the facts that can change its outcome, when its state is
    /// undecided with [`Cause::Exact`].
    pub(crate) needs: Vec<Vec<FactId>>,
    /// Buffers of the refinement over completions.
    pub(super) scratch: Scratch,
    /// Refinements made on earlier cases, by what they read.
    pub(super) memo: Memo,
    /// The evaluation date of the case being evaluated (NaN: none).
    pub(super) today: f64,
}

impl<'p> Evaluator<'p> {
    /// An evaluator for `program`, its buffers sized once.
    pub fn new(program: &'p Program) -> Evaluator<'p> {
        Evaluator {
            program,
            truth: vec![Truth::Unknown; program.nodes.len()],
            num: vec![f64::NAN; program.nodes.len()],
            enm: vec![UNKNOWN_ENUM; program.nodes.len()],
            scope: Truth::Unknown,
            states: vec![State::Silent; program.actions.len()],
            fired: vec![0; program.set_words],
            unknown: vec![0; program.set_words],
            combo: vec![0; program.max_words],
            unknown_list: Vec::with_capacity(MAX_UNKNOWN_RULES),
            violations: Vec::with_capacity(program.invariants.len()),
            needs: vec![Vec::new(); program.actions.len()],
            scratch: Scratch::new(program),
            memo: Memo::default(),
            today: f64::NAN,
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
        match p.scope_fact {
            Some(f) => {
                let truth = fact_truth(case, f);
                self.truth[0] = truth;
                self.scope = truth;
            }
            None => {
                self.compute(case, 0..p.scope_end);
                self.scope = p.scope.map_or(Truth::True, |n| self.truth[n as usize]);
            }
        }
        match self.scope {
            Truth::False => {}
            Truth::Unknown => self.states.fill(State::Undecided {
                possible: OutcomeSet::EMPTY,
                cause: Cause::Scope,
            }),
            Truth::True => {
                self.compute(case, p.scope_end..p.run_end);
                for (a, action) in p.actions.iter().enumerate() {
                    let state = match action.single {
                        // One rule: its truth is the outcome, or unknown between it and none.
                        Some((when, verdict)) => {
                            let truth = self.truth[when as usize];
                            let off = action.offset as usize;
                            self.fired[off] = u64::from(truth == Truth::True);
                            self.unknown[off] = u64::from(truth == Truth::Unknown);
                            match truth {
                                Truth::True => State::Decided(verdict),
                                Truth::False => State::Silent,
                                Truth::Unknown => State::Undecided {
                                    possible: OutcomeSet::of(OutcomeKind::NoVerdict)
                                        .with(OutcomeKind::Verdict(verdict)),
                                    cause: Cause::Rules,
                                },
                            }
                        }
                        None => decide(
                            &self.truth,
                            &mut self.fired,
                            &mut self.unknown,
                            &mut self.combo,
                            &mut self.unknown_list,
                            p,
                            action,
                        ),
                    };
                    self.states[a] = self.refine_rules(case, a, state);
                }
                self.enforce_invariants(case, None);
            }
        }
        self.brief()
    }

    /// Decides one action on a case, before invariants are enforced; `None`
    /// when the case is not in scope or the action does not exist.
    pub fn run_action(&mut self, case: &Case, action: ActionId) -> Option<super::ActionResult> {
        let p = self.program;
        self.violations.clear();
        self.compute(case, 0..p.scope_end);
        self.scope = p.scope.map_or(Truth::True, |n| self.truth[n as usize]);
        let a = action.index();
        if self.scope != Truth::True || a >= p.actions.len() {
            return None;
        }
        self.compute(case, p.scope_end..p.nodes.len());
        Some(self.decide_action(case, a))
    }

    /// [`Evaluator::run_action`] computing past the scope only the nodes of
    /// `cone` (sorted, operands first): those the action's outcome reads.
    pub(super) fn run_cone(&mut self, case: &Case, action: ActionId, cone: &[u32]) -> Option<super::ActionResult> {
        self.decide_cone(case, action, cone)?;
        Some(self.action_result(case, action.index()))
    }

    /// The invariants about `action` that the case breaks (or may break),
    /// exactly as [`Evaluator::run`] reports them among all; `cone` must hold
    /// those invariants' conditions too.
    pub(super) fn violations_in_cone(&mut self, case: &Case, action: ActionId, cone: &[u32]) -> &[Violation] {
        if self.decide_cone(case, action, cone).is_some() {
            self.enforce_invariants(case, Some(action));
        }
        &self.violations
    }

    /// Computes the scope and `cone`, and decides `action` into its state;
    /// `None` when the case is not in scope or there is no such action.
    fn decide_cone(&mut self, case: &Case, action: ActionId, cone: &[u32]) -> Option<()> {
        let a = self.compute_cone(case, action, cone)?;
        self.decide_state(case, a);
        Some(())
    }

    /// Computes the scope and `cone` for `action`; its index, or `None` when
    /// the case is not in scope or there is no such action.
    fn compute_cone(&mut self, case: &Case, action: ActionId, cone: &[u32]) -> Option<usize> {
        let p = self.program;
        self.violations.clear();
        self.compute(case, 0..p.scope_end);
        self.scope = p.scope.map_or(Truth::True, |n| self.truth[n as usize]);
        let a = action.index();
        if self.scope != Truth::True || a >= p.actions.len() {
            return None;
        }
        self.today = case.as_of().unwrap_or(f64::NAN);
        let mut bufs = Buffers {
            truth: &mut self.truth,
            num: &mut self.num,
            enm: &mut self.enm,
            today: self.today,
        };
        for &n in cone {
            bufs.step(&p.items, n as usize, p.nodes[n as usize], |f| case.get(FactId(f)));
        }
        Some(a)
    }

    /// How `action` concludes on `case` before invariants are enforced, as
    /// [`Evaluator::run_cone`] would find it, without the decision's details
    /// or an undecided action's `needs`; `None` out of scope. Cheaper: the
    /// completions of absent facts are tried only until one differs.
    pub(super) fn conclude_cone(&mut self, case: &Case, action: ActionId, cone: &[u32]) -> Option<Conclusion> {
        let a = self.compute_cone(case, action, cone)?;
        let p = self.program;
        let state = decide(
            &self.truth,
            &mut self.fired,
            &mut self.unknown,
            &mut self.combo,
            &mut self.unknown_list,
            p,
            &p.actions[a],
        );
        let state = self.refine_rules_to(case, a, state, super::needs::Depth::OutcomeOnly);
        // Not kept in `states`: an outcome-only state has no exact `needs`.
        Some(match state {
            State::Silent => Conclusion::Silent,
            State::Decided(v) => Conclusion::Decided(v),
            State::Conflict => Conclusion::Conflict,
            State::Undecided { .. } => Conclusion::Undecided,
            State::Withheld { verdict, .. } => Conclusion::Withheld(verdict),
        })
    }

    /// Resolves action `a` from the computed nodes, refines it over the
    /// completions of the absent facts, and gives its result.
    fn decide_action(&mut self, case: &Case, a: usize) -> super::ActionResult {
        self.decide_state(case, a);
        self.action_result(case, a)
    }

    /// Resolves action `a` from the computed nodes into its state, refined
    /// over the completions of the absent facts.
    fn decide_state(&mut self, case: &Case, a: usize) {
        let p = self.program;
        let state = decide(
            &self.truth,
            &mut self.fired,
            &mut self.unknown,
            &mut self.combo,
            &mut self.unknown_list,
            p,
            &p.actions[a],
        );
        self.states[a] = self.refine_rules(case, a, state);
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
            .map_or(Truth::True, |n| self.truth[n as usize])
    }

    /// Computes the nodes in `range`; their operands are computed already.
    /// Each node writes the buffer of its type; an unknown number is NaN.
    pub(super) fn compute(&mut self, case: &Case, range: Range<usize>) {
        let p = self.program;
        self.today = case.as_of().unwrap_or(f64::NAN);
        let mut bufs = Buffers {
            truth: &mut self.truth,
            num: &mut self.num,
            enm: &mut self.enm,
            today: self.today,
        };
        for (i, node) in p.nodes[range.clone()].iter().enumerate() {
            bufs.step(&p.items, range.start + i, *node, |f| case.get(FactId(f)));
        }
    }

    /// Checks every invariant in order; a decision that breaks one (or might,
    /// given unknown facts) is withheld, so no report carries it, except a
    /// contraindication: withholding one is not fail-safe, so it is always
    /// shown and the violation reported beside it.
    /// `always decide` claims are checked after every `never` claim, because
    /// withholding a decision can leave an action undecided.
    /// With `only`, just the invariants about that action (each invariant
    /// reads and withholds its own action's state alone, so the others
    /// change nothing about it).
    fn enforce_invariants(&mut self, case: &Case, only: Option<ActionId>) {
        let p = self.program;
        for check in &p.invariant_checks {
            let (i, action) = (check.index as usize, ActionId(check.action));
            if only.is_some_and(|a| a != action) {
                continue;
            }
            match check.forbids {
                Some(verdicts) => {
                    let Some(&State::Decided(verdict)) = self.states.get(action.index()) else {
                        continue;
                    };
                    if !verdicts.contains(verdict) {
                        continue;
                    }
                    let certain = match self.truth[check.when as usize] {
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
                    if verdict == Verdict::Contraindicated {
                        continue;
                    }
                    self.states[action.index()] = if certain {
                        State::Withheld {
                            invariant: i as u32,
                            verdict,
                        }
                    } else {
                        // It might break the invariant once the facts are known:
                        // undecided, so that no later fact can reverse it.
                        let held = State::Undecided {
                            possible: OutcomeSet::of(OutcomeKind::NoVerdict).with(OutcomeKind::Verdict(verdict)),
                            cause: Cause::Invariant(i as u32),
                        };
                        self.refine_invariant(case, i, held)
                    };
                }
                None => {
                    if self.truth[check.when as usize] == Truth::True
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
        // Most cases break none, and one needs no order.
        if self.violations.len() > 1 {
            self.violations.sort_by_key(|v| v.invariant);
        }
    }
}

/// The evaluator's value buffers, borrowed together so that one node can be
/// computed from the values of its operands.
pub(super) struct Buffers<'b> {
    pub truth: &'b mut [Truth],
    pub num: &'b mut [f64],
    pub enm: &'b mut [u8],
    /// The evaluation date's day number; NaN when the case has none.
    pub today: f64,
}

impl Buffers<'_> {
    /// Computes node `i` from its operands; `items` are the arena's item
    /// lists (of `at least`) and `fact` gives each fact's value (`None`:
    /// unknown). The one definition of what a node means, used for the case
    /// as given, for its completions (see `needs.rs`) and for the values the
    /// reports explain (see `values.rs`).
    #[inline(always)]
    pub(super) fn step(&mut self, items: &[u32], i: usize, node: Node, fact: impl Fn(u32) -> Option<Value>) {
        let (truth, num, enm) = (&mut *self.truth, &mut *self.num, &mut *self.enm);
        match node {
            Node::Bool(b) => truth[i] = Truth::from_bool(b),
            Node::Num(x) => num[i] = x,
            Node::FactBool(f) => {
                truth[i] = match fact(f) {
                    Some(Value::Bool(b)) => Truth::from_bool(b),
                    _ => Truth::Unknown,
                }
            }
            Node::FactNum(f) => {
                num[i] = match fact(f) {
                    Some(Value::Num(x)) => x,
                    _ => f64::NAN,
                }
            }
            Node::FactEnum(f) => {
                enm[i] = match fact(f) {
                    Some(Value::Enum(e)) => e,
                    _ => UNKNOWN_ENUM,
                }
            }
            Node::Not(a) => truth[i] = truth[a as usize].negate(),
            // Kleene: false wins a conjunction, true a disjunction, so the
            // result is the least (greatest) truth; there are no side effects
            // to skip by short-circuiting.
            Node::And(a, b) => truth[i] = truth[a as usize].min(truth[b as usize]),
            Node::Or(a, b) => truth[i] = truth[a as usize].max(truth[b as usize]),
            Node::Compare(op, a, b) => truth[i] = compare(op, num[a as usize], num[b as usize]),
            Node::FactCmp(op, f, k) => {
                truth[i] = match fact(f) {
                    Some(Value::Num(x)) => Truth::from_bool(op.apply(x, k)),
                    _ => Truth::Unknown,
                }
            }
            Node::Neg(a) => num[i] = -num[a as usize],
            Node::Arith(op, a, b) => {
                let (x, y) = (num[a as usize], num[b as usize]);
                num[i] = finite(match op {
                    ArithOp::Add => x + y,
                    ArithOp::Sub => x - y,
                    ArithOp::Mul => x * y,
                    ArithOp::Div => x / y,
                })
            }
            Node::Sqrt(a) => num[i] = finite(num[a as usize].sqrt()),
            Node::EnumIn(a, set) => truth[i] = member(enm[a as usize], set),
            Node::FactIn(f, set) => {
                truth[i] = match fact(f) {
                    Some(Value::Enum(e)) => member(e, set),
                    _ => Truth::Unknown,
                }
            }
            Node::Known(a, ty, negated) => {
                let known = is_known(truth, num, enm, a as usize, ty);
                truth[i] = Truth::from_bool(known != negated);
            }
            Node::KnownInClaim(a, ty, negated) => {
                truth[i] = if is_known(truth, num, enm, a as usize, ty) {
                    Truth::from_bool(!negated)
                } else {
                    Truth::Unknown
                };
            }
            Node::Today => num[i] = self.today,
            Node::Change {
                now,
                baseline,
                percent,
                rise,
            } => {
                let (x, base) = (num[now as usize], num[baseline as usize]);
                // Scaled by 100 rather than multiplied by 1.25: exact for the
                // whole percentages guidelines use.
                truth[i] = if x.is_nan() || base.is_nan() || base <= 0.0 {
                    Truth::Unknown
                } else if rise {
                    Truth::from_bool(100.0 * x >= (100.0 + percent) * base)
                } else {
                    Truth::from_bool(100.0 * x <= (100.0 - percent) * base)
                };
            }
            Node::ShiftMonths(a, months) => num[i] = crate::time::add_months(num[a as usize], months),
            Node::Elapsed(unit, from, to) => {
                num[i] = crate::time::whole_between(unit, num[from as usize], num[to as usize])
            }
            Node::AtLeast { n, start, len } => {
                let (mut yes, mut maybe) = (0u32, 0u32);
                for &item in &items[start as usize..(start + len) as usize] {
                    match truth[item as usize] {
                        Truth::True => yes += 1,
                        Truth::Unknown => maybe += 1,
                        Truth::False => {}
                    }
                }
                truth[i] = if yes >= n {
                    Truth::True
                } else if yes + maybe < n {
                    Truth::False
                } else {
                    Truth::Unknown
                };
            }
        }
    }
}

/// Concludes one action of several rules. A decision stands only when every
/// way the unknown rules could turn out resolves the same way. Its fired and
/// unknown rules are left in `fired` and `unknown` for the details.
fn decide(
    truth: &[Truth],
    fired_sets: &mut [u64],
    unknown_sets: &mut [u64],
    combo: &mut [u64],
    unknown_list: &mut Vec<u32>,
    p: &Program,
    action: &ActionCode,
) -> State {
    if action.words == 1 {
        decide_small(truth, fired_sets, unknown_sets, action)
    } else {
        decide_wide(truth, fired_sets, unknown_sets, combo, unknown_list, p, action)
    }
}

/// [`decide`] for an action of at most 64 rules, the usual case: its rule
/// sets are single words kept in registers.
fn decide_small(truth: &[Truth], fired_sets: &mut [u64], unknown_sets: &mut [u64], action: &ActionCode) -> State {
    let off = action.offset as usize;
    let (mut fired, mut unknown) = (0u64, 0u64);
    for (local, &when) in action.whens.iter().enumerate() {
        match truth[when as usize] {
            Truth::True => fired |= 1 << local,
            Truth::Unknown => unknown |= 1 << local,
            Truth::False => {}
        }
    }
    fired_sets[off] = fired;
    unknown_sets[off] = unknown;
    let base = resolve_small(action, fired);
    if base == OutcomeKind::Verdict(Verdict::Contraindicated) || unknown == 0 {
        return state_of(base);
    }
    let n = unknown.count_ones() as usize;
    if n > MAX_UNKNOWN_RULES {
        return too_many_unknowns();
    }
    let mut reached = OutcomeSet::of(base);
    for mask in 1u32..(1 << n) {
        // Scatter the bits of `mask` onto the unknown rules' positions.
        let (mut combo, mut m, mut u) = (fired, mask, unknown);
        while u != 0 {
            if m & 1 != 0 {
                combo |= u & u.wrapping_neg();
            }
            m >>= 1;
            u &= u - 1;
        }
        reached.insert(resolve_small(action, combo));
    }
    conclude(base, reached)
}

/// [`decide`] for an action of more than 64 rules.
fn decide_wide(
    truth: &[Truth],
    fired_sets: &mut [u64],
    unknown_sets: &mut [u64],
    combo: &mut [u64],
    unknown_list: &mut Vec<u32>,
    p: &Program,
    action: &ActionCode,
) -> State {
    let (off, w) = (action.offset as usize, action.words as usize);
    let fired = &mut fired_sets[off..off + w];
    let unknown = &mut unknown_sets[off..off + w];
    fired.fill(0);
    unknown.fill(0);
    for (local, &when) in action.whens.iter().enumerate() {
        match truth[when as usize] {
            Truth::True => set_bit(fired, local),
            Truth::Unknown => set_bit(unknown, local),
            Truth::False => {}
        }
    }
    let base = resolve_wide(p, action, fired);
    if base == OutcomeKind::Verdict(Verdict::Contraindicated) || unknown.iter().all(|x| *x == 0) {
        return state_of(base);
    }
    let n = unknown.iter().map(|x| x.count_ones() as usize).sum::<usize>();
    if n > MAX_UNKNOWN_RULES {
        return too_many_unknowns();
    }
    unknown_list.clear();
    for_each_bit(unknown, |i| unknown_list.push(i as u32));
    let combo = &mut combo[..w];
    let mut reached = OutcomeSet::of(base);
    for mask in 1u32..(1 << n) {
        combo.copy_from_slice(fired);
        let mut m = mask;
        while m != 0 {
            set_bit(combo, unknown_list[m.trailing_zeros() as usize] as usize);
            m &= m - 1;
        }
        reached.insert(resolve_wide(p, action, combo));
    }
    conclude(base, reached)
}

/// A boolean fact's truth.
#[inline]
fn fact_truth(case: &Case, f: u32) -> Truth {
    match case.get(FactId(f)) {
        Some(Value::Bool(b)) => Truth::from_bool(b),
        _ => Truth::Unknown,
    }
}

/// Whether a node's value, of type `ty`, is known.
#[inline]
fn is_known(truth: &[Truth], num: &[f64], enm: &[u8], a: usize, ty: Ty) -> bool {
    match ty {
        Ty::Truth => truth[a] != Truth::Unknown,
        Ty::Num => !num[a].is_nan(),
        Ty::Enum => enm[a] != UNKNOWN_ENUM,
    }
}

/// A comparison of two numbers that may be unknown (NaN).
#[inline]
fn compare(op: CmpOp, x: f64, y: f64) -> Truth {
    if x.is_nan() || y.is_nan() {
        Truth::Unknown
    } else {
        Truth::from_bool(op.apply(x, y))
    }
}

/// Arithmetic that leaves the real numbers (x/0, the square root of a
/// negative) cannot decide anything: it is unknown, never an infinity.
#[inline]
fn finite(x: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        f64::NAN
    }
}

#[inline]
fn member(e: u8, set: u64) -> Truth {
    if e == UNKNOWN_ENUM {
        Truth::Unknown
    } else {
        Truth::from_bool(set & (1u64 << e) != 0)
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

/// Past [`MAX_UNKNOWN_RULES`] the combinations are not enumerated: undecided,
/// with no list of possible verdicts.
fn too_many_unknowns() -> State {
    State::Undecided {
        possible: OutcomeSet::EMPTY,
        cause: Cause::Rules,
    }
}

/// The state of an action from its outcome with the facts as given (`base`)
/// and every outcome the unknown rules could lead to (`reached`).
fn conclude(base: OutcomeKind, reached: OutcomeSet) -> State {
    if reached.len() == 1 {
        state_of(base)
    } else {
        State::Undecided {
            possible: reached.as_given(),
            cause: Cause::Rules,
        }
    }
}

/// Resolves a set of fired rules of `action`: the one entry point, which picks
/// the single-word fast path or the general one (`resolve_small` is
/// `resolve_wide` specialised to one word; a unit test holds them together).
pub(super) fn resolve(p: &Program, action: &ActionCode, fired: &[u64]) -> OutcomeKind {
    if action.words == 1 {
        resolve_small(action, fired[0])
    } else {
        resolve_wide(p, action, fired)
    }
}

/// Resolves one set of fired rules: a true contraindication wins outright;
/// otherwise the rules no fired rule overrides must agree. The checker rejects
/// precedence cycles, so some fired rule survives; were none to, no verdict is
/// the safe answer.
pub(super) fn resolve_small(action: &ActionCode, fired: u64) -> OutcomeKind {
    if fired == 0 {
        return OutcomeKind::NoVerdict;
    }
    if fired & action.contra_word != 0 {
        return OutcomeKind::Verdict(Verdict::Contraindicated);
    }
    let mut verdict = None;
    let mut bits = fired;
    while bits != 0 {
        let rule = action.small[bits.trailing_zeros() as usize];
        bits &= bits - 1;
        if fired & rule.beaten_by != 0 {
            continue;
        }
        match verdict {
            None => verdict = Some(rule.verdict),
            Some(v) if v != rule.verdict => return OutcomeKind::Conflict,
            Some(_) => {}
        }
    }
    verdict.map_or(OutcomeKind::Conflict, OutcomeKind::Verdict)
}

/// [`resolve_small`] over rule sets of several words.
pub(super) fn resolve_wide(p: &Program, action: &ActionCode, fired: &[u64]) -> OutcomeKind {
    if fired.iter().all(|x| *x == 0) {
        return OutcomeKind::NoVerdict;
    }
    if intersects(fired, mask(p, action, action.contra)) {
        return OutcomeKind::Verdict(Verdict::Contraindicated);
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
                Some(v) if v != rule.verdict => return OutcomeKind::Conflict,
                Some(_) => {}
            }
        }
    }
    verdict.map_or(OutcomeKind::Conflict, OutcomeKind::Verdict)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path is the general routine specialised to one word: on every
    /// action of the bundled guideline (precedence, contraindications and
    /// all), every set of fired rules resolves the same both ways.
    #[test]
    fn the_single_word_path_resolves_as_the_general_one() {
        let Ok(g) = crate::bundled() else {
            panic!("the bundled guideline checks")
        };
        let p = Program::new(&g);
        let mut compared = 0;
        for action in &p.actions {
            assert_eq!(action.words, 1, "the bundled actions fit one word");
            let n = action.rules.len();
            assert!(n <= 16, "{n} rules: too many to try every set");
            for fired in 0u64..(1 << n) {
                assert_eq!(
                    resolve_small(action, fired),
                    resolve_wide(&p, action, &[fired]),
                    "fired set {fired:#b}"
                );
                compared += 1;
            }
        }
        assert!(compared >= 40, "{compared} sets compared");
    }
}
