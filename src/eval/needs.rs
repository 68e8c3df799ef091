//! Exact `needs`: ask only for what can change the outcome.
//!
//! The rule-level check in `run.rs` combines the unknown rule conditions as if
//! they were independent. When it finds an action decided, the action is
//! decided (that enumeration reaches every outcome a completion can reach, and
//! more). When it does not, this module refines the answer over the
//! *completions* of the case: every way of giving a value to each absent fact
//! the action's unknown rules read.
//!
//! A number has infinitely many values, but a comparison `fact op constant`
//! has one truth on each cell of [`domain::numeric_cells`] (the fact cut at
//! the constants it is compared with and at its bounds), so one value per
//! cell is exact for conditions built from such comparisons, booleans, enum
//! membership, `not`/`and`/`or` and `at least` (the *exact fragment*). For each
//! completion the action's conditions are computed again (only the nodes that
//! were unknown) and resolved, which gives:
//!
//! - **decided** when every completion resolves to the outcome the given facts
//!   resolve to (silent, a conflict, or a verdict carried by rules true now);
//! - **`possible`**: exactly the outcomes the completions reach (silent and
//!   conflict are both "no verdict");
//! - **`needs`**: exactly the absent facts `f` for which two completions that
//!   differ only in `f` resolve differently (silent and conflict count as
//!   different outcomes here: a conflict is reported, silence is not).
//!
//! When every completion gives one outcome that no rule true on the given facts
//! carries (`recommend x when p` and `recommend x when not p`, `p` absent), the
//! action stays undecided, `possible` that one outcome, and `needs` every
//! absent fact the unknown rules read: no single fact changes the outcome, but
//! a decision must name a rule that is true, and which one is up to them.
//!
//! Fallbacks, all to the rule-level answer (never a verdict a completion could
//! change, never a fact dropped that might matter; its `needs` are the absent
//! facts under the unknown parts of the unknown rules, see
//! `Evaluator::needs_into`): an unknown rule outside the
//! exact fragment (arithmetic on facts, two facts compared, a constant that is
//! not a number); a condition still unknown on some completion; more than
//! [`MAX_COMPLETIONS`] completions; more than [`MAX_CONE`] nodes under an
//! action's conditions, or more than [`MAX_PLANNED`] over all of them.
//!
//! A decision held back because a `never` invariant's condition is unknown gets
//! the same treatment for that condition: `needs` lists the absent facts that
//! can change its truth, or every absent fact it reads when none alone can (or
//! when it reads `is known`, which only giving the fact settles). A
//! contraindication is never held back (withholding one is not fail-safe), so
//! an invariant that forbids only `contraindicated` gets no plan.

use std::collections::BTreeMap;

use super::logic::Truth;
use super::run::{for_each_bit, intersects, resolve, state_of, Buffers, Cause, Evaluator, State};
use super::MAX_UNKNOWN_RULES;
use crate::analysis::domain;
use crate::compile::{set_bit, ActionCode, InvariantCode, Node, Program, RuleCode, Ty, UNKNOWN_ENUM};
use crate::facts::{Case, Value};
use crate::model::{CmpOp, FactId, FactKind, Guideline};
use crate::model::{OutcomeKind, OutcomeSet, Verdict};

/// Most completions enumerated for one action (or one invariant condition);
/// past it the rule-level answer stands.
pub const MAX_COMPLETIONS: usize = 1 << 14;

/// Most nodes under one action's conditions that are planned for; past it the
/// rule-level answer stands (hostile guidelines, not clinical ones).
const MAX_CONE: usize = 4096;

/// Most nodes and cell values kept over all plans of a program: a hostile file
/// (100,000 actions each reading one huge definition) must not make compiling
/// slow or large. Plans past it are not made, and those actions keep the
/// rule-level answer.
const MAX_PLANNED: usize = 1 << 20;

/// What refining one question over completions needs, made once per program.
#[derive(Clone, Debug, Default)]
pub(crate) struct Plan {
    /// False when the cone was too large to plan: no refinement.
    pub(super) usable: bool,
    /// Every node the question's conditions read, operands first.
    pub(super) cone: Vec<u32>,
    /// The type of each node of `cone`, beside it: what tells an unknown
    /// node from a known one, read without the node.
    cone_ty: Vec<Ty>,
    /// The operands of the node at each place of `cone`, with their types:
    /// `operands[operand_ends[k]..operand_ends[k + 1]]` (a leading 0).
    operands: Vec<(u32, Ty)>,
    operand_ends: Vec<u32>,
    /// Per root condition (an action's rules by position, or the one
    /// invariant condition): whether it lies in the exact fragment.
    pub(super) exact: Vec<bool>,
    /// One value per cell of each fact the cone reads, sorted by fact.
    pub(super) values: Vec<(u32, Vec<Value>)>,
    /// Some node of the cone is a constant that is unknown on every case
    /// (`sqrt(-1)`): a rule may then stay unknown on a completion.
    unknown_constant: bool,
}

/// The plans of a program: one per action, one per invariant.
#[derive(Clone, Debug, Default)]
pub(crate) struct Plans {
    pub(super) actions: Vec<Plan>,
    /// Per action, what its rules read, as sets over its plan's facts.
    reads: Vec<ActionReads>,
    invariants: Vec<Plan>,
}

/// What an action's rules read of its plan, as bit sets: a cohort refines
/// actions at nearly every row, and most refinements are recalled from the
/// memo, so finding which facts vary must cost a few words' work, not a sort.
#[derive(Clone, Debug, Default)]
struct ActionReads {
    /// Words in a set of the plan's facts (a bit per entry of `Plan::values`).
    entry_words: usize,
    /// Per rule position, the entries its condition reads (`entry_words` words each).
    rule_entries: Vec<u64>,
    /// The rule positions whose condition lies outside the exact fragment
    /// (the action's words of rule sets).
    inexact: Vec<u64>,
    /// Facts a rule's condition depends on that no entry holds (never
    /// expected: every fact is read by a node of the cone), by rule
    /// position. One of them absent leaves the rule-level answer.
    strays: Vec<(u32, FactId)>,
}

impl ActionReads {
    fn new(plan: &Plan, code: &ActionCode, rules: &[RuleCode]) -> ActionReads {
        let entry_words = plan.values.len().div_ceil(64);
        let mut rule_entries = vec![0u64; code.rules.len() * entry_words];
        let mut inexact = vec![0u64; code.words as usize];
        let mut strays = Vec::new();
        for (local, r) in code.rules.iter().enumerate() {
            if !plan.exact.get(local).copied().unwrap_or(false) {
                set_bit(&mut inexact, local);
            }
            let Some(rule) = rules.get(r.index()) else { continue };
            let entries = &mut rule_entries[local * entry_words..(local + 1) * entry_words];
            for &f in &rule.depends_on {
                match plan.values.binary_search_by_key(&f.0, |(g, _)| *g) {
                    Ok(entry) => set_bit(entries, entry),
                    Err(_) => strays.push((local as u32, f)),
                }
            }
        }
        ActionReads {
            entry_words,
            rule_entries,
            inexact,
            strays,
        }
    }
}

/// A numeric node as the planner sees it.
#[derive(Clone, Copy, Debug)]
enum Term {
    /// A constant, computed with the evaluator's operations (NaN: unknown).
    Const(f64),
    /// A numeric fact's value.
    Fact(u32),
    /// Arithmetic on facts.
    Other,
}

impl Plans {
    /// Plans every action and invariant of a compiled guideline.
    pub(crate) fn new(
        g: &Guideline,
        nodes: &[Node],
        items: &[u32],
        actions: &[ActionCode],
        invariants: &[InvariantCode],
        rules: &[RuleCode],
    ) -> Plans {
        let (exact, terms) = classify(nodes, items);
        let mut seen = vec![false; nodes.len()];
        let mut budget = MAX_PLANNED;
        let mut plan = |roots: &[u32]| {
            if budget == 0 {
                return Plan::default();
            }
            let made = plan(g, nodes, items, &exact, &terms, roots, &mut seen);
            let size = made.cone.len() + made.values.iter().map(|(_, v)| v.len()).sum::<usize>();
            if size > budget {
                budget = 0;
                return Plan::default();
            }
            budget -= size;
            made
        };
        let plans: Vec<Plan> = actions.iter().map(|a| plan(&a.whens)).collect();
        let reads = plans
            .iter()
            .zip(actions)
            .map(|(plan, code)| ActionReads::new(plan, code, rules))
            .collect();
        let invariants = invariants
            .iter()
            .map(|inv| match inv {
                InvariantCode::Never { when, verdicts, .. }
                    if verdicts.iter().any(|v| v != Verdict::Contraindicated) =>
                {
                    plan(&[*when])
                }
                InvariantCode::Never { .. } | InvariantCode::AlwaysDecide { .. } => Plan::default(),
            })
            .collect();
        Plans {
            actions: plans,
            reads,
            invariants,
        }
    }
}

/// Plans the choice of each dose chosen by criteria (over the conditions of
/// its amounts, see `dose.rs`), within the same bounds as the actions' plans.
pub(crate) fn plan_doses(g: &Guideline, nodes: &[Node], items: &[u32], rules: &mut [crate::compile::RuleCode]) {
    if !rules
        .iter()
        .any(|r| r.dose.as_ref().is_some_and(|d| d.branches.len() > 1))
    {
        return;
    }
    let (exact, terms) = classify(nodes, items);
    let mut seen = vec![false; nodes.len()];
    let mut budget = MAX_PLANNED;
    for dose in rules.iter_mut().filter_map(|r| r.dose.as_mut()) {
        let roots: Vec<u32> = dose.branches.iter().filter_map(|b| b.when).collect();
        if roots.is_empty() || budget == 0 {
            continue;
        }
        let made = plan(g, nodes, items, &exact, &terms, &roots, &mut seen);
        let size = made.cone.len() + made.values.iter().map(|(_, v)| v.len()).sum::<usize>();
        if size > budget {
            budget = 0;
            continue;
        }
        budget -= size;
        dose.plan = made;
    }
}

impl Program {
    /// Whether the evaluator refines `action` over completions exactly on
    /// every case: its plan was made, every rule lies in the exact fragment
    /// and is known on every completion (no constant unknown on every case),
    /// and even with every fact it reads absent the completions stay within
    /// [`MAX_COMPLETIONS`]. Then "undecided" means exactly "some completion of
    /// the absent facts resolves differently from the rules true on the case",
    /// and the linter encodes that; otherwise it keeps the rule-level answer,
    /// which the evaluator never undercuts.
    pub(crate) fn refines_exactly(&self, action: crate::model::ActionId) -> bool {
        let Some(plan) = self.needs.actions.get(action.index()) else {
            return false;
        };
        let mut count: usize = 1;
        for (_, values) in &plan.values {
            count = count.saturating_mul(values.len().max(1));
        }
        plan.usable && !plan.unknown_constant && plan.exact.iter().all(|e| *e) && count <= MAX_COMPLETIONS
    }
}

/// One forward pass over the arena (operands come first): which condition
/// nodes are in the exact fragment, and what each numeric node is.
fn classify(nodes: &[Node], items: &[u32]) -> (Vec<bool>, Vec<Term>) {
    let mut exact = vec![true; nodes.len()];
    let mut terms = vec![Term::Other; nodes.len()];
    let finite = |x: f64| if x.is_finite() { x } else { f64::NAN };
    for (i, node) in nodes.iter().enumerate() {
        let t = |n: u32| terms[n as usize];
        let e = |n: u32| exact[n as usize];
        let (x, term) = match *node {
            Node::Num(c) => (true, Term::Const(c)),
            Node::FactNum(f) => (true, Term::Fact(f)),
            Node::Neg(a) => match t(a) {
                Term::Const(c) => (true, Term::Const(-c)),
                _ => (true, Term::Other),
            },
            Node::Sqrt(a) => match t(a) {
                Term::Const(c) => (true, Term::Const(finite(c.sqrt()))),
                _ => (true, Term::Other),
            },
            Node::Arith(op, a, b) => match (t(a), t(b)) {
                (Term::Const(x), Term::Const(y)) => (
                    true,
                    Term::Const(finite(match op {
                        crate::model::ArithOp::Add => x + y,
                        crate::model::ArithOp::Sub => x - y,
                        crate::model::ArithOp::Mul => x * y,
                        crate::model::ArithOp::Div => x / y,
                    })),
                ),
                _ => (true, Term::Other),
            },
            // A comparison is exact when the cells of its fact are cut at its
            // constant: a fact against a constant, or two constants.
            Node::Compare(_, a, b) => (
                matches!(
                    (t(a), t(b)),
                    (Term::Fact(_), Term::Const(_))
                        | (Term::Const(_), Term::Fact(_))
                        | (Term::Const(_), Term::Const(_))
                ),
                Term::Other,
            ),
            Node::Not(a) | Node::EnumIn(a, _) => (e(a), Term::Other),
            Node::And(a, b) | Node::Or(a, b) => (e(a) && e(b), Term::Other),
            Node::AtLeast { start, len, .. } => (
                items[start as usize..(start + len) as usize].iter().all(|n| e(*n)),
                Term::Other,
            ),
            // `is known` is true on every completion, yet only giving the fact
            // makes it so: not a question completions can answer.
            Node::Known(..) | Node::KnownInClaim(..) => (false, Term::Other),
            // Dates are compared with dates, never with the constants that
            // cut a fact into cells: the comparisons reading them are inexact.
            Node::Today => (true, Term::Other),
            Node::ShiftMonths(a, _) => (e(a), Term::Other),
            Node::Elapsed(_, a, b) => (e(a) && e(b), Term::Other),
            // Two quantities related: no cell of either fact settles it.
            Node::Change { .. } => (false, Term::Other),
            Node::Bool(_) | Node::FactBool(_) | Node::FactEnum(_) | Node::FactCmp(..) | Node::FactIn(..) => {
                (true, Term::Other)
            }
        };
        exact[i] = x;
        terms[i] = term;
    }
    (exact, terms)
}

/// Calls `f` with each operand of a node.
pub(super) fn operands(node: Node, items: &[u32], mut f: impl FnMut(u32)) {
    match node {
        Node::Not(a)
        | Node::Neg(a)
        | Node::Sqrt(a)
        | Node::EnumIn(a, _)
        | Node::Known(a, ..)
        | Node::KnownInClaim(a, ..)
        | Node::ShiftMonths(a, _) => f(a),
        Node::Elapsed(_, a, b)
        | Node::Change {
            now: a, baseline: b, ..
        } => {
            f(a);
            f(b);
        }
        Node::And(a, b) | Node::Or(a, b) | Node::Compare(_, a, b) | Node::Arith(_, a, b) => {
            f(a);
            f(b);
        }
        Node::AtLeast { start, len, .. } => items[start as usize..(start + len) as usize].iter().for_each(|n| f(*n)),
        Node::Bool(_)
        | Node::Num(_)
        | Node::FactBool(_)
        | Node::FactNum(_)
        | Node::FactEnum(_)
        | Node::FactCmp(..)
        | Node::FactIn(..)
        | Node::Today => {}
    }
}

/// The plan of the conditions at `roots`; `seen` is all false on entry and exit.
fn plan(
    g: &Guideline,
    nodes: &[Node],
    items: &[u32],
    exact: &[bool],
    terms: &[Term],
    roots: &[u32],
    seen: &mut [bool],
) -> Plan {
    let mut cone = Vec::new();
    let mut stack = roots.to_vec();
    let mut too_large = false;
    while let Some(n) = stack.pop() {
        if std::mem::replace(&mut seen[n as usize], true) {
            continue;
        }
        cone.push(n);
        if cone.len() > MAX_CONE {
            too_large = true;
            break;
        }
        operands(nodes[n as usize], items, |o| stack.push(o));
    }
    for &n in &cone {
        seen[n as usize] = false;
    }
    if too_large {
        return Plan::default();
    }
    cone.sort_unstable();
    // Each fact the cone reads, with the comparisons that read it (`x op c`
    // when the fact is on the left, `c op x` otherwise).
    let mut atoms: BTreeMap<u32, Vec<(CmpOp, f64, bool)>> = BTreeMap::new();
    // Each enum fact with the sets of values it is tested against.
    let mut sets: BTreeMap<u32, Vec<u64>> = BTreeMap::new();
    for &n in &cone {
        match nodes[n as usize] {
            Node::FactIn(f, set) => {
                atoms.entry(f).or_default();
                sets.entry(f).or_default().push(set);
            }
            Node::EnumIn(a, set) => {
                if let Node::FactEnum(f) = nodes[a as usize] {
                    sets.entry(f).or_default().push(set);
                }
            }
            Node::FactBool(f) | Node::FactNum(f) | Node::FactEnum(f) => {
                atoms.entry(f).or_default();
            }
            Node::FactCmp(op, f, k) => atoms.entry(f).or_default().push((op, k, true)),
            Node::Compare(op, a, b) => match (terms[a as usize], terms[b as usize]) {
                (Term::Fact(f), Term::Const(c)) => atoms.entry(f).or_default().push((op, c, true)),
                (Term::Const(c), Term::Fact(f)) => atoms.entry(f).or_default().push((op, c, false)),
                _ => {}
            },
            _ => {}
        }
    }
    let values = atoms
        .into_iter()
        .map(|(f, atoms)| {
            let sets = sets.get(&f).map_or(&[][..], Vec::as_slice);
            (f, representatives(&g.fact(FactId(f)).kind, &atoms, sets))
        })
        .collect();
    let unknown_constant = cone
        .iter()
        .any(|n| matches!(terms[*n as usize], Term::Const(c) if c.is_nan()));
    let mut cone_operands = Vec::new();
    let mut operand_ends = vec![0];
    for &n in &cone {
        operands(nodes[n as usize], items, |o| {
            cone_operands.push((o, nodes[o as usize].ty()))
        });
        operand_ends.push(cone_operands.len() as u32);
    }
    Plan {
        usable: true,
        cone_ty: cone.iter().map(|&n| nodes[n as usize].ty()).collect(),
        operands: cone_operands,
        operand_ends,
        cone,
        exact: roots.iter().map(|r| exact[*r as usize]).collect(),
        values,
        unknown_constant,
    }
}

/// One value per cell of a fact, and of cells that every comparison reading
/// the fact treats alike only the first: `wbc > 100` cuts `wbc` into the cells
/// 0, (0, 100), 100 and above, but only "at most 100" and "above" differ to
/// any condition, so two values are tried, not four.
/// Likewise, enum values that every set tested treats alike are tried once
/// (`leukostasis is one of (pulmonary, cerebral)`: none, and one of the two).
fn representatives(kind: &FactKind, atoms: &[(CmpOp, f64, bool)], sets: &[u64]) -> Vec<Value> {
    match kind {
        FactKind::Bool => vec![Value::Bool(false), Value::Bool(true)],
        // An enum node is read only by membership tests (`is known` is no
        // rule condition, and makes an invariant inexact), so these are all.
        FactKind::Enum { values } if sets.len() <= 64 => {
            let mut seen: Vec<u64> = Vec::with_capacity(values.len());
            let mut out = Vec::new();
            for v in 0..values.len() {
                let sig = sets
                    .iter()
                    .enumerate()
                    .fold(0u64, |sig, (i, set)| sig | (((set >> v) & 1) << i));
                if !seen.contains(&sig) {
                    seen.push(sig);
                    out.push(Value::Enum(v as u8));
                }
            }
            out
        }
        FactKind::Enum { values } => (0..values.len()).map(|i| Value::Enum(i as u8)).collect(),
        // A date is only compared with dates (an inexact comparison, so no
        // refinement runs over it): one value stands for all.
        FactKind::Date => vec![Value::Num(0.0)],
        FactKind::Integer { .. } | FactKind::Number { .. } => {
            let cuts: Vec<f64> = atoms.iter().map(|(_, c, _)| *c).collect();
            let cells = domain::numeric_cells(kind, &cuts);
            // Signatures as bit sets; a fact compared more than 64 times (a
            // hostile file, not a clinical one) keeps every cell.
            if atoms.len() > 64 {
                return cells.iter().map(|c| Value::Num(c.value)).collect();
            }
            let signature = |x: f64| -> u64 {
                atoms.iter().enumerate().fold(0, |sig, (i, &(op, c, left))| {
                    let holds = if left { op.apply(x, c) } else { op.apply(c, x) };
                    sig | (u64::from(holds) << i)
                })
            };
            let mut seen: Vec<u64> = Vec::with_capacity(cells.len());
            let mut out = Vec::new();
            for cell in cells {
                let sig = signature(cell.value);
                if !seen.contains(&sig) {
                    seen.push(sig);
                    out.push(Value::Num(cell.value));
                }
            }
            out
        }
    }
}

/// One absent fact being enumerated.
#[derive(Clone, Copy, Debug)]
struct Slot {
    fact: u32,
    /// Its entry in the plan's `values`.
    entry: u32,
    /// Number of cells.
    radix: u32,
    /// Distance between completions that differ by one cell of this fact.
    stride: u32,
    /// The current cell.
    digit: u32,
}

/// The evaluator's buffers for refining; they grow once and are reused.
#[derive(Clone, Debug)]
pub(crate) struct Scratch {
    facts: Vec<FactId>,
    /// The entries of the plan's facts that vary (absent, and read by an
    /// unknown rule), a bit each; see [`ActionReads`].
    vary: Vec<u64>,
    slots: Vec<Slot>,
    /// The places in the plan's cone of the nodes unknown on the case, a bit each.
    dirty_places: Vec<u64>,
    /// Those nodes, ascending (listed only when completions are enumerated).
    dirty: Vec<u32>,
    /// Per node, the first slot it depends on (`u32::MAX`: none); set for the
    /// dirty nodes while enumerating.
    first_slot: Vec<u32>,
    /// The dirty nodes that depend on some slot, by first slot descending
    /// (operands before users: an operand's first slot is never below its
    /// user's), then by position.
    order: Vec<u32>,
    /// `order[starts[j]..]`: the nodes to recompute when slots `0..=j` changed.
    starts: Vec<u32>,
    /// The completion being evaluated, by fact (`None` outside the slots).
    completion: Vec<Option<Value>>,
    /// Each completion's answer to the question asked.
    outcomes: Vec<Answer>,
    /// The key of the refinement being made (see `Evaluator::memo_key`).
    pub(super) key: Vec<u64>,
}

impl Scratch {
    pub(crate) fn new(p: &Program) -> Scratch {
        Scratch {
            facts: Vec::new(),
            vary: Vec::new(),
            slots: Vec::new(),
            dirty_places: Vec::new(),
            dirty: Vec::new(),
            first_slot: vec![u32::MAX; p.nodes.len()],
            order: Vec::new(),
            starts: Vec::new(),
            completion: vec![None; p.fact_count],
            outcomes: Vec::new(),
            key: Vec::new(),
        }
    }
}

/// How far [`Evaluator::refine_rules_to`] goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Depth {
    /// Every completion, and the exact `needs` of an undecided action.
    Full,
    /// Only whether the action is decided, and how.
    OutcomeOnly,
}

/// What a completion is asked.
#[derive(Clone, Copy)]
enum Question {
    /// How action `a` resolves.
    Rules(usize),
    /// The truth of invariant `invariant`'s condition, at `node`.
    Condition { invariant: usize, node: u32 },
}

impl Evaluator<'_> {
    /// Refines the rule-level state of action `a` over the completions of
    /// `case`; any state but undecided-by-rules is returned as it is.
    #[inline]
    pub(super) fn refine_rules(&mut self, case: &Case, a: usize, state: State) -> State {
        // Most actions of most cases are decided (or silent): they are
        // answered here, without a call (a cohort asks this of every action).
        if !matches!(
            state,
            State::Undecided {
                cause: Cause::Rules,
                ..
            }
        ) {
            return state;
        }
        self.refine_rules_to(case, a, state, Depth::Full)
    }

    /// [`Evaluator::refine_rules`] to the given depth: with
    /// [`Depth::OutcomeOnly`] the completions are tried only until one
    /// resolves otherwise than the known rules do, and no `needs` are
    /// collected, so the state says decided or not exactly as a full
    /// refinement would, but an undecided state's `possible` may be partial
    /// and `needs[a]` is left as it was.
    pub(super) fn refine_rules_to(&mut self, case: &Case, a: usize, state: State, depth: Depth) -> State {
        if !matches!(
            state,
            State::Undecided {
                cause: Cause::Rules,
                ..
            }
        ) {
            return state;
        }
        let p = self.program;
        let (plan, code) = (&p.needs.actions[a], &p.actions[a]);
        let (off, w) = (code.offset as usize, code.words as usize);
        if !plan.usable {
            return state;
        }
        // Rules known on the case keep their truth on every completion
        // (Kleene logic is monotone), so only the unknown rules' facts vary.
        if intersects(&self.unknown[off..off + w], &p.needs.reads[a].inexact) || !self.vary(case, a) {
            return state;
        }
        self.mark_dirty(plan);
        // A full refinement is a function of what `memo_key` reads; a cohort
        // repeats the same few patterns, so the answer is recalled when it
        // was worked out before (see `memo.rs`).
        let remember = depth == Depth::Full;
        if remember {
            self.memo_key(a);
            if let Some(found) = self.memo.recall(&self.scratch.key) {
                let Some(refined) = found.state else {
                    return state;
                };
                if let Some(needs) = self.needs.get_mut(a) {
                    needs.clear();
                    needs.extend_from_slice(&found.needs);
                }
                return refined;
            }
        }
        let base = resolve(p, code, &self.fired[off..off + w]);
        let stop = match depth {
            Depth::Full => None,
            Depth::OutcomeOnly => Some(Answer::Outcome(base)),
        };
        let refined = if !self.slots_of_vary(plan) {
            // Too many completions: the rule-level answer stands.
            None
        } else {
            self.list_dirty(plan);
            self.order_dirty();
            if self.enumerate(Question::Rules(a), stop) {
                let reached = reached(&self.scratch.outcomes);
                if reached == OutcomeSet::of(base) {
                    Some(state_of(base))
                } else {
                    if remember {
                        self.collect_needs(a, reached.len() > 1);
                    }
                    Some(State::Undecided {
                        possible: reached.as_given(),
                        cause: Cause::Exact,
                    })
                }
            } else {
                None
            }
        };
        if remember {
            let needs = match refined {
                Some(State::Undecided { .. }) => self.needs.get(a).map_or(&[][..], Vec::as_slice),
                _ => &[],
            };
            self.memo.keep(&self.scratch.key, refined, needs);
        }
        refined.unwrap_or(state)
    }

    /// Sets `scratch.vary` to the entries of action `a`'s plan that vary:
    /// the facts its unknown rules read that the case lacks. False when an
    /// unknown rule reads an absent fact the plan has no cells for.
    fn vary(&mut self, case: &Case, a: usize) -> bool {
        let p = self.program;
        let (reads, code, plan) = (&p.needs.reads[a], &p.actions[a], &p.needs.actions[a]);
        let (off, w, ew) = (code.offset as usize, code.words as usize, reads.entry_words);
        let unknown = &self.unknown[off..off + w];
        let vary = &mut self.scratch.vary;
        vary.clear();
        vary.resize(ew, 0);
        for_each_bit(unknown, |local| {
            if let Some(entries) = reads.rule_entries.get(local * ew..(local + 1) * ew) {
                for (v, e) in vary.iter_mut().zip(entries) {
                    *v |= e;
                }
            }
        });
        for (k, word) in vary.iter_mut().enumerate() {
            let mut bits = *word;
            while bits != 0 {
                let bit = bits.trailing_zeros();
                bits &= bits - 1;
                let given = plan
                    .values
                    .get(k * 64 + bit as usize)
                    .is_some_and(|(f, _)| case.get(FactId(*f)).is_some());
                if given {
                    *word &= !(1 << bit);
                }
            }
        }
        !reads
            .strays
            .iter()
            .any(|&(local, f)| unknown[local as usize / 64] >> (local % 64) & 1 == 1 && case.get(f).is_none())
    }

    /// The slots of the entries in `scratch.vary`, in the plan's order (by
    /// fact). False when the completions are too many to enumerate.
    fn slots_of_vary(&mut self, plan: &Plan) -> bool {
        let s = &mut self.scratch;
        s.slots.clear();
        let mut count: usize = 1;
        let mut fits = true;
        for_each_bit(&s.vary, |entry| {
            let Some((fact, values)) = plan.values.get(entry) else {
                fits = false;
                return;
            };
            let radix = values.len();
            s.slots.push(Slot {
                fact: *fact,
                entry: entry as u32,
                radix: radix as u32,
                stride: count as u32,
                digit: 0,
            });
            count = match count.checked_mul(radix) {
                Some(n) if n <= MAX_COMPLETIONS && radix > 0 => n,
                _ => {
                    fits = false;
                    MAX_COMPLETIONS
                }
            };
        });
        s.outcomes.clear();
        if fits {
            s.outcomes.reserve(count);
        }
        fits
    }

    /// The key of a full refinement of action `a` into `scratch.key`, after
    /// `vary` and `mark_dirty`: everything the refinement reads
    /// from the case. That is the action's true and unknown rules (the
    /// outcome every completion starts from), the slots (which absent facts
    /// vary), which of the cone's nodes are unknown (what is computed again
    /// per completion), the value of every known node such a node reads
    /// (its operands that do not vary), and the evaluation date. Nothing else
    /// of the case reaches `enumerate` or `collect_needs`.
    fn memo_key(&mut self, a: usize) {
        let p = self.program;
        let code = &p.actions[a];
        let (off, w) = (code.offset as usize, code.words as usize);
        let s = &mut self.scratch;
        let key = &mut s.key;
        key.clear();
        key.push(a as u64);
        key.extend_from_slice(&self.fired[off..off + w]);
        key.extend_from_slice(&self.unknown[off..off + w]);
        // Sets of a length the action fixes, then the values, as many as
        // the dirty nodes' known operands: no key is a prefix of another's
        // parts read differently.
        key.extend_from_slice(&s.vary);
        key.extend_from_slice(&s.dirty_places);
        key.push(self.today.to_bits());
        let plan = &p.needs.actions[a];
        let (truth, num, enm) = (&self.truth, &self.num, &self.enm);
        for_each_bit(&s.dirty_places, |k| {
            let (from, to) = (plan.operand_ends[k] as usize, plan.operand_ends[k + 1] as usize);
            for &(o, ty) in plan.operands.get(from..to).unwrap_or_default() {
                let i = o as usize;
                let value = match ty {
                    Ty::Truth if truth[i] != Truth::Unknown => Some(truth[i] as u64),
                    Ty::Num if !num[i].is_nan() => Some(num[i].to_bits()),
                    Ty::Enum if enm[i] != UNKNOWN_ENUM => Some(u64::from(enm[i])),
                    Ty::Truth | Ty::Num | Ty::Enum => None,
                };
                if let Some(v) = value {
                    key.push(v);
                }
            }
        });
    }

    /// Refines the `needs` of a decision held back because invariant `i`'s
    /// condition is unknown: the absent facts that can change its truth.
    pub(super) fn refine_invariant(&mut self, case: &Case, i: usize, held: State) -> State {
        let p = self.program;
        let (
            InvariantCode::Never {
                action, when, facts, ..
            },
            State::Undecided { possible, .. },
        ) = (&p.invariants[i], held)
        else {
            return held;
        };
        let plan = &p.needs.invariants[i];
        if !plan.usable || !plan.exact.first().copied().unwrap_or(false) {
            return held;
        }
        self.scratch.facts.clear();
        self.scratch.facts.extend_from_slice(facts);
        if !self.prepare(case, plan)
            || !self.enumerate(
                Question::Condition {
                    invariant: i,
                    node: *when,
                },
                None,
            )
        {
            return held;
        }
        let varies = self.scratch.outcomes.iter().any(|o| *o != self.scratch.outcomes[0]);
        self.collect_needs(action.index(), varies);
        State::Undecided {
            possible,
            cause: Cause::Exact,
        }
    }

    /// Sets up the slots (the absent facts among `scratch.facts`) and the
    /// dirty nodes (the cone's nodes unknown on the case). False when the
    /// completions are too many to enumerate.
    fn prepare(&mut self, case: &Case, plan: &Plan) -> bool {
        if !self.prepare_slots(case, plan) {
            return false;
        }
        self.mark_dirty(plan);
        self.list_dirty(plan);
        self.order_dirty();
        true
    }

    /// Sets up the slots: the absent facts among `scratch.facts`. False
    /// when the completions are too many to enumerate.
    fn prepare_slots(&mut self, case: &Case, plan: &Plan) -> bool {
        let s = &mut self.scratch;
        s.facts.sort_unstable();
        s.facts.dedup();
        s.slots.clear();
        let mut count: usize = 1;
        for f in &s.facts {
            if case.get(*f).is_some() {
                continue;
            }
            let Ok(entry) = plan.values.binary_search_by_key(&f.0, |(g, _)| *g) else {
                // A fact the conditions read but the plan does not know: never
                // expected, and not worth a guess.
                return false;
            };
            let radix = plan.values[entry].1.len();
            if radix == 0 {
                return false;
            }
            s.slots.push(Slot {
                fact: f.0,
                entry: entry as u32,
                radix: radix as u32,
                stride: count as u32,
                digit: 0,
            });
            count = match count.checked_mul(radix) {
                Some(n) if n <= MAX_COMPLETIONS => n,
                _ => return false,
            };
        }
        s.outcomes.clear();
        s.outcomes.reserve(count);
        true
    }

    /// The dirty places: where the cone's nodes unknown on the case are in
    /// it, a bit each, with no branch on the case's values.
    fn mark_dirty(&mut self, plan: &Plan) {
        let places = &mut self.scratch.dirty_places;
        places.clear();
        places.resize(plan.cone.len().div_ceil(64), 0);
        let (truth, num, enm) = (&self.truth, &self.num, &self.enm);
        for (k, (&n, &ty)) in plan.cone.iter().zip(&plan.cone_ty).enumerate() {
            let i = n as usize;
            let unknown = match ty {
                Ty::Truth => truth.get(i) == Some(&Truth::Unknown),
                Ty::Num => num.get(i).is_some_and(|x| x.is_nan()),
                Ty::Enum => enm.get(i) == Some(&UNKNOWN_ENUM),
            };
            if let Some(word) = places.get_mut(k / 64) {
                *word |= u64::from(unknown) << (k % 64);
            }
        }
    }

    /// The dirty nodes, ascending, from the dirty places.
    fn list_dirty(&mut self, plan: &Plan) {
        let s = &mut self.scratch;
        s.dirty.clear();
        for_each_bit(&s.dirty_places, |k| {
            if let Some(&n) = plan.cone.get(k) {
                s.dirty.push(n);
            }
        });
    }

    /// Orders the dirty nodes for [`Evaluator::enumerate`]. Only what
    /// depends on a changed slot is recomputed: the first slot changes at
    /// every step, the others ever more rarely.
    fn order_dirty(&mut self) {
        let s = &mut self.scratch;
        let nodes = &self.program.nodes;
        let items = &self.program.items;
        for &n in &s.dirty {
            let node = nodes[n as usize];
            let mut first = match node {
                Node::FactBool(f)
                | Node::FactNum(f)
                | Node::FactEnum(f)
                | Node::FactCmp(_, f, _)
                | Node::FactIn(f, _) => s
                    .slots
                    .iter()
                    .position(|slot| slot.fact == f)
                    .map_or(u32::MAX, |j| j as u32),
                _ => u32::MAX,
            };
            operands(node, items, |o| first = first.min(s.first_slot[o as usize]));
            s.first_slot[n as usize] = first;
        }
        s.order.clear();
        s.order.extend(
            s.dirty
                .iter()
                .copied()
                .filter(|n| s.first_slot[*n as usize] != u32::MAX),
        );
        let first_slot = &s.first_slot;
        s.order
            .sort_by_key(|n| (std::cmp::Reverse(first_slot[*n as usize]), *n));
        s.starts.clear();
        for j in 0..s.slots.len() as u32 {
            let start = s.order.partition_point(|n| first_slot[*n as usize] > j);
            s.starts.push(start as u32);
        }
    }

    /// Evaluates every completion of the slots, first slot fastest, into
    /// `scratch.outcomes`, then puts the buffers back as the case left them.
    /// False when some completion leaves the question unknown. With `stop`,
    /// the first completion answering otherwise ends it (its answer last).
    fn enumerate(&mut self, question: Question, stop: Option<Answer>) -> bool {
        let p = self.program;
        let plans = &p.needs;
        let Evaluator {
            truth,
            num,
            enm,
            fired,
            combo,
            scratch,
            today,
            ..
        } = self;
        let s = scratch;
        for slot in &s.slots {
            s.completion[slot.fact as usize] = Some(plans_value(plans, question, slot, 0));
        }
        let mut ok = true;
        // The highest slot changed since the last completion; all at first.
        let mut changed = s.slots.len().saturating_sub(1);
        'completions: loop {
            let mut bufs = Buffers {
                truth: &mut truth[..],
                num: &mut num[..],
                enm: &mut enm[..],
                today: *today,
            };
            let completion = &s.completion;
            let start = s.starts.get(changed).map_or(s.order.len(), |x| *x as usize);
            for &n in &s.order[start..] {
                bufs.step(&p.items, n as usize, p.nodes[n as usize], |f| completion[f as usize]);
            }
            let outcome = match question {
                Question::Condition { node, .. } => match truth[node as usize] {
                    Truth::False => Some(Answer::Condition(false)),
                    Truth::True => Some(Answer::Condition(true)),
                    Truth::Unknown => None,
                },
                Question::Rules(a) => resolve_now(p, a, truth, fired, combo).map(Answer::Outcome),
            };
            let Some(outcome) = outcome else {
                ok = false;
                break;
            };
            s.outcomes.push(outcome);
            if stop.is_some_and(|t| t != outcome) {
                break;
            }
            // The next completion: an odometer over the slots.
            for (j, slot) in s.slots.iter_mut().enumerate() {
                changed = j;
                slot.digit += 1;
                if slot.digit == slot.radix {
                    slot.digit = 0;
                }
                s.completion[slot.fact as usize] = Some(plans_value(plans, question, slot, slot.digit));
                if slot.digit != 0 {
                    continue 'completions;
                }
            }
            break;
        }
        for &n in &s.dirty {
            let i = n as usize;
            s.first_slot[i] = u32::MAX;
            match p.nodes[i].ty() {
                Ty::Truth => truth[i] = Truth::Unknown,
                Ty::Num => num[i] = f64::NAN,
                Ty::Enum => enm[i] = UNKNOWN_ENUM,
            }
        }
        for slot in s.slots.iter_mut() {
            s.completion[slot.fact as usize] = None;
            slot.digit = 0;
        }
        ok
    }

    /// Fills `needs[a]`: with `exact`, the slots whose change alone changes
    /// some completion's outcome; otherwise (one outcome throughout, yet not
    /// the given facts') every slot.
    fn collect_needs(&mut self, a: usize, exact: bool) {
        let s = &self.scratch;
        let out = &mut self.needs[a];
        out.clear();
        for slot in &s.slots {
            if !exact || changes_outcome(&s.outcomes, slot) {
                out.push(FactId(slot.fact));
            }
        }
    }
}

/// The value of cell `digit` of a slot's fact.
fn plans_value(plans: &Plans, question: Question, slot: &Slot, digit: u32) -> Value {
    let plan = match question {
        Question::Rules(a) => &plans.actions[a],
        Question::Condition { invariant, .. } => &plans.invariants[invariant],
    };
    plan.values[slot.entry as usize].1[digit as usize]
}

/// What one completion answers: an invariant's condition, or an action's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Answer {
    Condition(bool),
    Outcome(OutcomeKind),
}

/// The outcomes the completions reach.
fn reached(answers: &[Answer]) -> OutcomeSet {
    answers
        .iter()
        .filter_map(|a| match a {
            Answer::Outcome(k) => Some(*k),
            Answer::Condition(_) => None,
        })
        .collect()
}

/// Whether two completions that differ only in `slot`'s cell have different outcomes.
fn changes_outcome(outcomes: &[Answer], slot: &Slot) -> bool {
    let (stride, radix) = (slot.stride as usize, slot.radix as usize);
    (0..outcomes.len())
        .filter(|idx| (idx / stride) % radix == 0)
        .any(|idx| (1..radix).any(|d| outcomes[idx + d * stride] != outcomes[idx]))
}

/// How action `a` resolves on the current buffers, as the evaluator would
/// decide the completed case. A rule can stay unknown even on a completion
/// (arithmetic that leaves the real numbers, `sqrt(-1)`, is unknown on every
/// case); then the completion has the outcome every way those rules could
/// turn out agrees on (a fired contraindication, say), as on a complete case,
/// and `None` when they disagree.
fn resolve_now(p: &Program, a: usize, truth: &[Truth], fired: &[u64], combo: &mut [u64]) -> Option<OutcomeKind> {
    let code = &p.actions[a];
    let (off, w) = (code.offset as usize, code.words as usize);
    let combo = &mut combo[..w];
    combo.copy_from_slice(&fired[off..off + w]);
    let mut open = 0u64;
    for (local, &when) in code.whens.iter().enumerate() {
        match truth[when as usize] {
            Truth::True => set_bit(combo, local),
            Truth::False => {}
            // Only single-word actions are settled past an unknown rule.
            Truth::Unknown if w == 1 => open |= 1 << local,
            Truth::Unknown => return None,
        }
    }
    let base = resolve(p, code, combo);
    if open == 0 || base == OutcomeKind::Verdict(Verdict::Contraindicated) {
        return Some(base);
    }
    if open.count_ones() as usize > MAX_UNKNOWN_RULES {
        return None;
    }
    // Every combination of the still-unknown rules, as the evaluator tries them.
    let mut subset = open;
    loop {
        if resolve(p, code, &[combo[0] | subset]) != base {
            return None;
        }
        if subset == 0 {
            break;
        }
        subset = (subset - 1) & open;
    }
    Some(base)
}

#[cfg(test)]
#[path = "needs_tests.rs"]
mod tests;
