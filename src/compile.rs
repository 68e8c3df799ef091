//! Compilation: a checked [`Guideline`] becomes a [`Program`], the flat form
//! the evaluator runs.
//!
//! Every expression of the guideline (scope, definitions, rule conditions,
//! doses, warnings, notes, invariants) is lowered into one arena of [`Node`]s
//! in which every operand comes before the node that uses it. Evaluating a case
//! is then one pass over the arena into a buffer of values: no recursion, no
//! pointer chasing, no name looked up. A definition is not a node of its own: a
//! reference to it points at its body's node, so it is computed once per case
//! however many rules use it; identical subexpressions (`als`, `wbc > 100`)
//! are shared the same way. The nodes the scope needs come first, so an
//! out-of-scope case costs only those.
//!
//! Rules are grouped by action, and each rule knows its place in its action:
//! the evaluator keeps the rules that fired, or are unknown, as bit sets
//! per action, and precedence (`overrides`) becomes a mask per rule.

// A B-tree: for the few hundred nodes of a guideline it beats hashing.
use std::collections::BTreeMap;

use crate::model::{ActionId, ArithOp, Claim, CmpOp, Expr, ExprKind, FactId, FactKind, Guideline, RuleId};
use crate::model::{Verdict, VerdictSet};

/// What a node computes: each kind has its own buffer in the evaluator, so a
/// condition is one byte and a quantity one `f64` (NaN when unknown).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Ty {
    /// A [`Truth`](crate::eval::Truth).
    Truth,
    /// A number; NaN is unknown.
    Num,
    /// An enum value's index; [`UNKNOWN_ENUM`] is unknown.
    Enum,
}

/// An unknown enum value (an enum has at most 64 values).
pub(crate) const UNKNOWN_ENUM: u8 = u8::MAX;

/// One step of the compiled arena; operands are indices of earlier nodes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Node {
    /// A constant condition.
    Bool(bool),
    /// A constant number.
    Num(f64),
    /// A boolean fact.
    FactBool(u32),
    /// A numeric fact.
    FactNum(u32),
    /// An enum fact.
    FactEnum(u32),
    /// Kleene negation.
    Not(u32),
    /// Kleene conjunction.
    And(u32, u32),
    /// Kleene disjunction.
    Or(u32, u32),
    /// Numeric comparison.
    Compare(CmpOp, u32, u32),
    /// A fact compared with a constant (`wbc > 100`): the commonest
    /// condition, fused into one step.
    FactCmp(CmpOp, u32, f64),
    /// Arithmetic negation.
    Neg(u32),
    /// Arithmetic.
    Arith(ArithOp, u32, u32),
    /// Square root.
    Sqrt(u32),
    /// Enum membership by bit mask.
    EnumIn(u32, u64),
    /// An enum fact's membership in a set (`lineage is myeloid`), fused.
    FactIn(u32, u64),
    /// Whether the operand, of type `Ty`, is known (`true`: "is not known").
    Known(u32, Ty, bool),
    /// `is known` inside a `never` claim: unknown while the operand is absent,
    /// because it becomes true once the fact is given; a decision let through
    /// now could otherwise be withheld later.
    KnownInClaim(u32, Ty, bool),
    /// At least `n` of the items `items[start..start + len]`.
    AtLeast { n: u32, start: u32, len: u32 },
    /// The evaluation date, as a day number.
    Today,
    /// A date moved by whole calendar months.
    ShiftMonths(u32, i32),
    /// Whole calendar units from the first date to the second.
    Elapsed(crate::time::CalendarUnit, u32, u32),
    /// A rise or fall of at least `percent` of a baseline above 0.
    Change {
        now: u32,
        baseline: u32,
        percent: f64,
        rise: bool,
    },
}

/// What makes two nodes the same computation, for sharing them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct NodeKey(u8, u64, u64, u64);

impl Node {
    /// The kind of value the node computes.
    pub(crate) fn ty(self) -> Ty {
        match self {
            Node::Num(_)
            | Node::FactNum(_)
            | Node::Neg(_)
            | Node::Arith(..)
            | Node::Sqrt(_)
            | Node::Today
            | Node::ShiftMonths(..)
            | Node::Elapsed(..) => Ty::Num,
            Node::FactEnum(_) => Ty::Enum,
            _ => Ty::Truth,
        }
    }

    fn key(self) -> Option<NodeKey> {
        let k = |tag, a: u32, b: u32, c: u64| Some(NodeKey(tag, a.into(), b.into(), c));
        match self {
            Node::Bool(b) => k(0, b.into(), 0, 0),
            Node::Num(x) => Some(NodeKey(1, x.to_bits(), 0, 0)),
            Node::FactBool(f) => k(2, f, 0, 0),
            Node::FactNum(f) => k(3, f, 0, 0),
            Node::FactEnum(f) => k(4, f, 0, 0),
            Node::Not(a) => k(5, a, 0, 0),
            Node::And(a, b) => k(6, a, b, 0),
            Node::Or(a, b) => k(7, a, b, 0),
            Node::Compare(op, a, b) => k(8, a, b, op as u64),
            Node::FactCmp(op, f, x) => Some(NodeKey(9, f.into(), x.to_bits(), op as u64)),
            Node::Neg(a) => k(10, a, 0, 0),
            Node::Arith(op, a, b) => k(11, a, b, op as u64),
            Node::Sqrt(a) => k(12, a, 0, 0),
            Node::EnumIn(a, set) => k(13, a, 0, set),
            Node::FactIn(f, set) => k(14, f, 0, set),
            Node::Known(a, ty, negated) => k(15, a, negated.into(), ty as u64),
            Node::KnownInClaim(a, ty, negated) => k(16, a, negated.into(), ty as u64),
            // Keyed by a list: the builder shares these with a map of its own.
            Node::AtLeast { .. } => None,
            Node::Today => k(17, 0, 0, 0),
            Node::ShiftMonths(a, months) => Some(NodeKey(18, a.into(), i64::from(months) as u64, 0)),
            Node::Elapsed(unit, a, b) => k(19, a, b, unit as u64),
            Node::Change {
                now,
                baseline,
                percent,
                rise,
            } => Some(NodeKey(
                20 + u8::from(rise),
                now.into(),
                baseline.into(),
                percent.to_bits(),
            )),
        }
    }
}

/// A rule, ready to run.
#[derive(Clone, Debug)]
pub(crate) struct RuleCode {
    /// Condition node; `None` is always true (within scope).
    pub when: Option<u32>,
    /// Verdict.
    pub verdict: Verdict,
    /// Offset in [`Program::masks`] of the rules (of the same action) that override this one.
    pub overridden_by: u32,
    /// Facts the condition depends on.
    pub depends_on: Vec<FactId>,
    /// The dose, if the rule states one.
    pub dose: Option<DoseCode>,
    /// Conditional warnings.
    pub warnings: Vec<WarningCode>,
}

/// A dose, ready to run: its amounts in order, each with the node of the
/// condition that chooses it.
#[derive(Clone, Debug)]
pub(crate) struct DoseCode {
    /// The amounts in written order; the last has no condition.
    pub branches: Vec<BranchCode>,
    /// What refining a pending choice over completions needs (the plan of
    /// the branches' conditions); unusable when the dose has one amount.
    pub plan: crate::eval::needs::Plan,
}

/// One amount of a dose, ready to run.
#[derive(Clone, Debug)]
pub(crate) struct BranchCode {
    /// The condition's node; `None` on the last amount.
    pub when: Option<u32>,
    /// Facts the condition depends on.
    pub when_facts: Vec<FactId>,
    /// The multiplier's node, for an amount per unit.
    pub by: Option<u32>,
    /// Facts the multiplier depends on.
    pub by_facts: Vec<FactId>,
    /// Low end (per unit when multiplied).
    pub low: f64,
    /// High end (per unit when multiplied).
    pub high: f64,
    /// The most the computed amount may be.
    pub cap: Option<f64>,
}

/// A warning's condition, ready to run.
#[derive(Clone, Debug)]
pub(crate) struct WarningCode {
    /// Condition node.
    pub when: u32,
    /// Facts the condition depends on.
    pub depends_on: Vec<FactId>,
}

/// An action with its rules.
#[derive(Clone, Debug)]
pub(crate) struct ActionCode {
    /// Its rules in file order; a rule's position here is its bit in the action's sets.
    pub rules: Vec<RuleId>,
    /// Words in each of the action's rule sets.
    pub words: u32,
    /// Offset of the action's rule sets in the evaluator's set buffers.
    pub offset: u32,
    /// Offset in [`Program::masks`] of the action's contraindicating rules.
    pub contra: u32,
    /// Each rule's condition node, by position (an always-true node when it has none).
    pub whens: Vec<u32>,
    /// For an action of at most 64 rules: its contraindicating rules as one word.
    pub contra_word: u64,
    /// For an action of at most 64 rules: each rule's verdict and the rules that beat it.
    pub small: Vec<SmallRule>,
    /// For an action of one rule: its condition node and verdict.
    pub single: Option<(u32, Verdict)>,
}

/// What resolving needs of one rule of a small action, kept beside the others.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SmallRule {
    /// Its verdict.
    pub verdict: Verdict,
    /// The rules (by position) that override it.
    pub beaten_by: u64,
}

/// An invariant, ready to run.
#[derive(Clone, Debug)]
pub(crate) enum InvariantCode {
    /// The action never gets a verdict in `verdicts` when `when` holds.
    Never {
        /// Forbidden verdicts.
        verdicts: VerdictSet,
        /// The action.
        action: ActionId,
        /// Condition node.
        when: u32,
        /// Facts the condition depends on (through definitions too), sorted.
        facts: Vec<FactId>,
    },
    /// The action is never undecided when `when` holds.
    AlwaysDecide {
        /// The action.
        action: ActionId,
        /// Condition node.
        when: u32,
    },
}

/// One invariant as enforcement reads it: a few words, so that a case's
/// pass over every invariant loads no more than it tests.
#[derive(Clone, Copy, Debug)]
pub(crate) struct InvariantCheck {
    /// Its index in [`Program::invariants`].
    pub index: u32,
    /// The action it is about.
    pub action: u32,
    /// Its condition node.
    pub when: u32,
    /// The verdicts a `never` claim forbids; `None` for `always decide`.
    pub forbids: Option<VerdictSet>,
}

/// A guideline compiled for evaluation. Build it once ([`Program::new`]) and
/// run it on many cases with an [`Evaluator`](crate::eval::Evaluator).
#[derive(Clone, Debug)]
pub struct Program {
    /// The arena; operands before users.
    pub(crate) nodes: Vec<Node>,
    /// Item lists of `at least`.
    pub(crate) items: Vec<u32>,
    /// Number of fact slots a case has.
    pub(crate) fact_count: usize,
    /// The scope's node; `None`: every case is in scope.
    pub(crate) scope: Option<u32>,
    /// Nodes `0..scope_end` are all the scope needs.
    pub(crate) scope_end: usize,
    /// When the scope is one boolean fact (node 0, `scope_end == 1`): that
    /// fact, read directly, so that an out-of-scope case costs next to nothing.
    pub(crate) scope_fact: Option<u32>,
    /// Nodes `0..run_end` are all that rules and invariants need; the rest
    /// (doses, warnings, notes) only the full result.
    pub(crate) run_end: usize,
    /// Nodes `run_end..dose_end` are all that doses add (their criteria and
    /// multipliers); warnings and notes come after.
    pub(crate) dose_end: usize,
    /// Facts the scope depends on, sorted.
    pub(crate) scope_facts: Vec<FactId>,
    /// Rules by [`RuleId`].
    pub(crate) rules: Vec<RuleCode>,
    /// Actions by [`ActionId`].
    pub(crate) actions: Vec<ActionCode>,
    /// Every bit mask, each `words` long for its action.
    pub(crate) masks: Vec<u64>,
    /// Words of all actions' rule sets together.
    pub(crate) set_words: usize,
    /// Words of the largest action's rule set.
    pub(crate) max_words: usize,
    /// Each note's condition node.
    pub(crate) notes: Vec<Option<u32>>,
    /// Invariants in file order.
    pub(crate) invariants: Vec<InvariantCode>,
    /// The invariants as enforcement reads them, in the order they are
    /// enforced: `never`, then `always decide`.
    pub(crate) invariant_checks: Vec<InvariantCheck>,
    /// What refining an undecided action over completions of the case needs.
    pub(crate) needs: crate::eval::needs::Plans,
    /// Scores' items and categories' levels, for the full result only.
    pub(crate) derived: crate::eval::DerivedCode,
}

impl Program {
    /// Compiles a checked guideline.
    pub fn new(g: &Guideline) -> Program {
        let mut b = Builder::new(g);
        let scope = g.scope.as_ref().map(|e| b.expr(e));
        let scope_end = b.nodes.len();
        let scope_facts = g.scope.as_ref().map(|e| g.facts_read(e)).unwrap_or_default();

        let mut masks = Vec::new();
        let mut actions = Vec::with_capacity(g.actions.len());
        let mut set_words = 0usize;
        let mut max_words = 0usize;
        for a in &g.actions {
            let words = a.rules.len().div_ceil(64).max(1);
            let contra = masks.len() as u32;
            masks.resize(masks.len() + words, 0);
            for (local, &r) in a.rules.iter().enumerate() {
                if g.rule(r).verdict == Verdict::Contraindicated {
                    set_bit(&mut masks[contra as usize..], local);
                }
            }
            actions.push(ActionCode {
                rules: a.rules.clone(),
                words: words as u32,
                offset: set_words as u32,
                contra,
                whens: Vec::new(),
                contra_word: 0,
                small: Vec::new(),
                single: None,
            });
            set_words += words;
            max_words = max_words.max(words);
        }

        // What `Evaluator::run` needs (rule conditions, invariants) is lowered
        // first, so that it computes nodes `0..run_end` only; doses, warnings
        // and notes come after, computed only when the details are asked for.
        let whens: Vec<Option<u32>> = g.rules.iter().map(|r| r.when.as_ref().map(|e| b.expr(e))).collect();
        let always = b.push(Node::Bool(true));
        let invariants: Vec<InvariantCode> = g
            .invariants
            .iter()
            .map(|inv| match &inv.claim {
                Claim::Never { verdicts, action, when } => {
                    b.in_claim = true;
                    let when_node = b.expr(when);
                    b.in_claim = false;
                    InvariantCode::Never {
                        verdicts: verdicts.iter().collect(),
                        action: *action,
                        when: when_node,
                        facts: g.facts_read(when),
                    }
                }
                Claim::AlwaysDecide { action, when } => InvariantCode::AlwaysDecide {
                    action: *action,
                    when: b.expr(when),
                },
            })
            .collect();
        let run_end = b.nodes.len();
        // `always decide` claims are checked after every `never` claim.
        let check = |(i, inv): (usize, &InvariantCode)| match *inv {
            InvariantCode::Never {
                verdicts, action, when, ..
            } => InvariantCheck {
                index: i as u32,
                action: action.0,
                when,
                forbids: Some(verdicts),
            },
            InvariantCode::AlwaysDecide { action, when } => InvariantCheck {
                index: i as u32,
                action: action.0,
                when,
                forbids: None,
            },
        };
        let mut invariant_checks: Vec<InvariantCheck> = invariants.iter().enumerate().map(check).collect();
        // Stable: file order within each kind.
        invariant_checks.sort_by_key(|c| c.forbids.is_none());

        // Doses are lowered next, before warnings and notes, so that a
        // cohort's dose columns compute nodes `run_end..dose_end` only.
        let doses: Vec<Option<DoseCode>> = g
            .rules
            .iter()
            .map(|rule| {
                rule.dose.as_ref().map(|d| DoseCode {
                    branches: d
                        .branches
                        .iter()
                        .map(|br| BranchCode {
                            when: br.when.as_ref().map(|e| b.expr(e)),
                            when_facts: br.when_facts.clone(),
                            by: br.amount.by.as_ref().map(|by| b.expr(&by.expr)),
                            by_facts: br
                                .amount
                                .by
                                .as_ref()
                                .map(|by| by.depends_on.clone())
                                .unwrap_or_default(),
                            low: br.amount.low,
                            high: br.amount.high,
                            cap: br.amount.cap,
                        })
                        .collect(),
                    plan: crate::eval::needs::Plan::default(),
                })
            })
            .collect();
        let dose_end = b.nodes.len();
        let mut doses = doses.into_iter();

        let mut rules = Vec::with_capacity(g.rules.len());
        for (index, rule) in g.rules.iter().enumerate() {
            let me = RuleId(index as u32);
            let action = &actions[rule.action.index()];
            let overridden_by = masks.len() as u32;
            masks.resize(masks.len() + action.words as usize, 0);
            // The checker keeps `overrides` within one action, so every rule
            // that overrides this one has a bit in this action's sets.
            for (local, &other) in action.rules.iter().enumerate() {
                if g.rule(other).overrides.contains(&me) {
                    set_bit(&mut masks[overridden_by as usize..], local);
                }
            }
            rules.push(RuleCode {
                when: whens[index],
                verdict: rule.verdict,
                overridden_by,
                depends_on: rule.depends_on.clone(),
                dose: doses.next().flatten(),
                warnings: rule
                    .warnings
                    .iter()
                    .map(|w| WarningCode {
                        when: w.when.as_ref().map_or(always, |e| b.expr(e)),
                        depends_on: w.depends_on.clone(),
                    })
                    .collect(),
            });
        }

        for a in &mut actions {
            a.whens = a
                .rules
                .iter()
                .map(|r| rules[r.index()].when.unwrap_or(always))
                .collect();
            if let ([when], [r]) = (&a.whens[..], &a.rules[..]) {
                a.single = Some((*when, rules[r.index()].verdict));
            }
            if a.words == 1 {
                a.contra_word = masks[a.contra as usize];
                a.small = a
                    .rules
                    .iter()
                    .map(|r| SmallRule {
                        verdict: rules[r.index()].verdict,
                        beaten_by: masks[rules[r.index()].overridden_by as usize],
                    })
                    .collect();
            }
        }

        let notes = g.notes.iter().map(|n| n.when.as_ref().map(|e| b.expr(e))).collect();
        let derived = crate::eval::DerivedCode::new(g, &mut b);
        let scope_fact = match b.nodes[..scope_end] {
            [Node::FactBool(f)] => Some(f),
            _ => None,
        };
        let needs = crate::eval::needs::Plans::new(g, &b.nodes, &b.items, &actions, &invariants, &rules);
        crate::eval::needs::plan_doses(g, &b.nodes, &b.items, &mut rules);
        Program {
            needs,
            nodes: b.nodes,
            items: b.items,
            fact_count: g.facts.len(),
            scope,
            scope_end,
            scope_fact,
            run_end,
            dose_end,
            scope_facts,
            rules,
            actions,
            masks,
            set_words,
            max_words,
            notes,
            invariants,
            invariant_checks,
            derived,
        }
    }

    /// Number of nodes in the arena (after sharing); for benchmarks and tests.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Number of fact slots a case of this guideline has.
    pub fn fact_count(&self) -> usize {
        self.fact_count
    }
}

/// The comparison with its operands swapped: `3 < x` is `x > 3`.
fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        CmpOp::Eq | CmpOp::Ne => op,
    }
}

pub(crate) fn set_bit(words: &mut [u64], i: usize) {
    words[i / 64] |= 1 << (i % 64);
}

/// Lowers expressions into the arena, sharing what is computed twice: an
/// expression lowered again gets the node it got the first time. Besides
/// [`Program::new`], `eval::Values` lowers with it to value any expression
/// of a guideline on a case.
pub(crate) struct Builder<'g> {
    g: &'g Guideline,
    pub(crate) nodes: Vec<Node>,
    pub(crate) items: Vec<u32>,
    shared: BTreeMap<NodeKey, u32>,
    /// `at least` nodes by threshold and items, so that they are shared too.
    at_least: BTreeMap<(u32, Vec<u32>), u32>,
    /// The node of each definition's body, once lowered.
    defs: Vec<Option<u32>>,
    /// True while lowering a `never` claim's condition.
    in_claim: bool,
}

impl<'g> Builder<'g> {
    /// An empty arena for `g`'s expressions.
    pub(crate) fn new(g: &'g Guideline) -> Builder<'g> {
        Builder {
            g,
            nodes: Vec::new(),
            items: Vec::new(),
            shared: BTreeMap::new(),
            at_least: BTreeMap::new(),
            defs: vec![None; g.definitions.len()],
            in_claim: false,
        }
    }

    fn push(&mut self, node: Node) -> u32 {
        let key = node.key();
        if let Some(id) = key.and_then(|k| self.shared.get(&k)) {
            return *id;
        }
        let id = self.nodes.len() as u32;
        self.nodes.push(node);
        if let Some(k) = key {
            self.shared.insert(k, id);
        }
        id
    }

    /// The node computing `e`, lowered unless it already is.
    pub(crate) fn expr(&mut self, e: &Expr) -> u32 {
        let node = match &e.kind {
            ExprKind::Bool(b) => Node::Bool(*b),
            ExprKind::Num(x) => Node::Num(*x),
            ExprKind::Fact(f) => match self.g.fact(*f).kind {
                FactKind::Bool => Node::FactBool(f.0),
                FactKind::Enum { .. } => Node::FactEnum(f.0),
                FactKind::Integer { .. } | FactKind::Number { .. } | FactKind::Date => Node::FactNum(f.0),
            },
            ExprKind::Def(d) => return self.definition(d.index()),
            ExprKind::Not(x) => Node::Not(self.expr(x)),
            ExprKind::Neg(x) => Node::Neg(self.expr(x)),
            ExprKind::Sqrt(x) => Node::Sqrt(self.expr(x)),
            ExprKind::And(a, b) => Node::And(self.expr(a), self.expr(b)),
            ExprKind::Or(a, b) => Node::Or(self.expr(a), self.expr(b)),
            ExprKind::Compare(op, a, b) => match (&a.kind, &b.kind) {
                (ExprKind::Fact(f), ExprKind::Num(x)) if self.is_number(*f) => Node::FactCmp(*op, f.0, *x),
                (ExprKind::Num(x), ExprKind::Fact(f)) if self.is_number(*f) => Node::FactCmp(flip(*op), f.0, *x),
                _ => Node::Compare(*op, self.expr(a), self.expr(b)),
            },
            ExprKind::Arith(op, a, b) => Node::Arith(*op, self.expr(a), self.expr(b)),
            ExprKind::Today => Node::Today,
            ExprKind::ShiftMonths(x, months) => Node::ShiftMonths(self.expr(x), *months),
            ExprKind::Elapsed(unit, from, to) => Node::Elapsed(*unit, self.expr(from), self.expr(to)),
            ExprKind::Change {
                now,
                baseline,
                percent,
                rise,
            } => Node::Change {
                now: self.expr(now),
                baseline: self.expr(baseline),
                percent: *percent,
                rise: *rise,
            },
            ExprKind::EnumIn(x, set) => match &x.kind {
                ExprKind::Fact(f) if matches!(self.g.fact(*f).kind, FactKind::Enum { .. }) => Node::FactIn(f.0, *set),
                _ => Node::EnumIn(self.expr(x), *set),
            },
            ExprKind::Known(x, negated) => {
                let x = self.expr(x);
                let ty = self.nodes[x as usize].ty();
                if self.in_claim {
                    Node::KnownInClaim(x, ty, *negated)
                } else {
                    Node::Known(x, ty, *negated)
                }
            }
            ExprKind::AtLeast(n, list) => {
                let ids: Vec<u32> = list.iter().map(|i| self.expr(i)).collect();
                let key = (*n, ids);
                if let Some(id) = self.at_least.get(&key) {
                    return *id;
                }
                let ids = key.1.clone();
                let start = self.items.len() as u32;
                self.items.extend(&ids);
                let id = self.push(Node::AtLeast {
                    n: *n,
                    start,
                    len: ids.len() as u32,
                });
                self.at_least.insert(key, id);
                return id;
            }
        };
        self.push(node)
    }

    fn is_number(&self, f: FactId) -> bool {
        matches!(self.g.fact(f).kind, FactKind::Integer { .. } | FactKind::Number { .. })
    }

    /// The node of definition `d`'s body, lowered (with the definitions it
    /// names) unless it already is.
    pub(crate) fn definition(&mut self, d: usize) -> u32 {
        if let Some(id) = self.defs[d] {
            return id;
        }
        // The definitions `d` names are lowered first, deepest first, so that
        // lowering a body finds every definition it names already done: a
        // chain of 100,000 definitions costs no recursion. (The checker
        // rejects cycles; `started` keeps this loop finite regardless.)
        let g = self.g;
        let mut started = vec![false; g.definitions.len()];
        let mut stack = vec![(d, false)];
        while let Some((x, deps_done)) = stack.pop() {
            if self.defs[x].is_some() {
                continue;
            }
            if deps_done {
                let id = self.expr(&g.definitions[x].body);
                self.defs[x] = Some(id);
                continue;
            }
            if std::mem::replace(&mut started[x], true) {
                continue;
            }
            stack.push((x, true));
            crate::check::visit(&g.definitions[x].body, &mut |k| {
                if let ExprKind::Def(y) = k {
                    stack.push((y.index(), false));
                }
            });
        }
        match self.defs[d] {
            Some(id) => id,
            None => {
                let id = self.expr(&g.definitions[d].body);
                self.defs[d] = Some(id);
                id
            }
        }
    }
}
