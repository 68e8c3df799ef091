//! A thin layer over the `varisat` CDCL solver: fresh literals, gates defined
//! by equivalence (Tseitin), cardinality, and incremental solving under
//! assumptions.
//!
//! Every analysis runs on a [`Budget`]: the solver's work is metered as the
//! clauses the encoding adds (16 bytes a literal) plus the bytes of the proof
//! it writes as it searches (its own format: DRAT cannot
//! record the assumptions every query is solved under). The meter refuses to write
//! once the budget is spent, and varisat stops at the next step; the question
//! ends as [`SolverFailure::BudgetSpent`], never as a hang. Work, not time:
//! the same file gets the same answer on a fast machine and a loaded one.
//!
//! Every gate is a full equivalence (`g ↔ f(inputs)`), not an implication,
//! because the same gate is asked about in both polarities: a rule's condition
//! is assumed true in one query and false ("the overriding rule does not fire")
//! in the next. Constant inputs are folded so that trivial gates cost nothing.

use std::cell::Cell;
use std::io;
use std::rc::Rc;

use varisat::{ExtendFormula, Lit, ProofFormat, Solver};

/// Why a question got no answer (never a property of the guideline).
#[derive(Debug)]
pub enum SolverFailure {
    /// The analysis's budget was spent before the solver finished.
    BudgetSpent,
    /// The solver itself failed.
    Solver(String),
}

impl std::fmt::Display for SolverFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SolverFailure::BudgetSpent => f.write_str("the analysis budget was spent"),
            SolverFailure::Solver(why) => f.write_str(why),
        }
    }
}

/// How much solver work one analysis (a whole `lint`, a whole `diff`) may do,
/// in units of a kibibyte: of clauses added by the encoding (16 bytes a
/// literal) and of proof written by the search (about a hundred learned
/// clauses). Cloning
/// shares the allowance: every instance an analysis builds draws on it.
#[derive(Clone, Debug)]
pub struct Budget {
    limit: Option<u64>,
    left: Rc<Cell<u64>>,
}

impl Budget {
    /// The default, about 100 MiB of proof: a thousand times what linting the
    /// bundled guideline takes (under 100 units), while a pathological file
    /// (two counts of 150 out of 300 compared by `diff`) stops within a minute
    /// instead of running for hours.
    pub const DEFAULT_UNITS: u64 = 100_000;

    /// A budget of `units` kibibytes of proof.
    pub fn new(units: u64) -> Budget {
        Budget {
            limit: Some(units),
            left: Rc::new(Cell::new(units.saturating_mul(1024))),
        }
    }

    /// No limit at all (for tests and oracles that must finish).
    pub fn unlimited() -> Budget {
        Budget {
            limit: None,
            left: Rc::new(Cell::new(u64::MAX)),
        }
    }

    /// The units this budget started with; `None` when unlimited.
    pub fn units(&self) -> Option<u64> {
        self.limit
    }

    /// True once the allowance is used up.
    pub fn is_spent(&self) -> bool {
        self.limit.is_some() && self.left.get() == 0
    }

    /// What this budget has left, as a seed that can go to another thread:
    /// a part of the analysis run there draws on a budget of its own grown
    /// from it, and what it spent is then charged here with
    /// [`Budget::charge`].
    pub(crate) fn seed(&self) -> BudgetSeed {
        BudgetSeed {
            limit: self.limit,
            left: self.left.get(),
        }
    }

    /// Charges `bytes` spent elsewhere, when some is left after them: true
    /// when charged. Strictly less than what is left, so that a part run
    /// alone never reached the state "spent" that the same part, run in
    /// turn on this budget, would have seen (the solver asks `is_spent`).
    pub(crate) fn charge(&self, bytes: u64) -> bool {
        let left = self.left.get();
        if self.limit.is_some() && bytes >= left {
            return false;
        }
        self.left.set(left.saturating_sub(bytes));
        true
    }
}

/// A [`Budget`]'s allowance at one moment, to start budgets of their own
/// on other threads (a budget itself is shared by reference counting, so it
/// stays on its thread).
#[derive(Clone, Copy, Debug)]
pub(crate) struct BudgetSeed {
    limit: Option<u64>,
    left: u64,
}

impl BudgetSeed {
    /// A budget of its own with this allowance.
    pub(crate) fn budget(self) -> Budget {
        Budget {
            limit: self.limit,
            left: Rc::new(Cell::new(self.left)),
        }
    }

    /// The bytes `budget`, grown from this seed, has spent.
    pub(crate) fn spent_by(self, budget: &Budget) -> u64 {
        self.left.saturating_sub(budget.left.get())
    }
}

impl Default for Budget {
    fn default() -> Self {
        Budget::new(Budget::DEFAULT_UNITS)
    }
}

/// What a literal of an added clause costs, in budget bytes: about what the
/// solver keeps for it (the literal, its share of the clause header and of the
/// watch lists).
const BYTES_PER_LITERAL: u64 = 16;

/// The proof "file": counts the bytes against the budget and refuses to write
/// once it is spent, which makes varisat stop.
struct Meter(Budget);

impl io::Write for Meter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let left = self.0.left.get();
        let n = buf.len() as u64;
        if n > left {
            self.0.left.set(0);
            return Err(io::Error::other("budget spent"));
        }
        self.0.left.set(left - n);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A satisfying assignment: the truth of every literal created so far.
#[derive(Clone, Debug)]
pub struct Model {
    values: Vec<bool>,
}

impl Model {
    /// The value of a literal in the model (a literal created after the model
    /// was found, or one the solver left free, reads as false).
    pub fn value(&self, lit: Lit) -> bool {
        let v = self.values.get(lit.var().index()).copied().unwrap_or(false);
        v == lit.is_positive()
    }
}

/// An incremental SAT instance with a constant-true literal.
pub struct Sat {
    solver: Solver<'static>,
    truth: Lit,
    vars: usize,
    budget: Budget,
}

impl Sat {
    /// An empty instance drawing on `budget`.
    pub fn new(budget: &Budget) -> Sat {
        let mut solver = Solver::new();
        if budget.limit.is_some() {
            solver.write_proof(Meter(budget.clone()), ProofFormat::Varisat);
        }
        let truth = solver.new_lit();
        solver.add_clause(&[truth]);
        Sat {
            solver,
            truth,
            vars: 1,
            budget: budget.clone(),
        }
    }

    /// The literal that is always true.
    pub fn top(&self) -> Lit {
        self.truth
    }

    /// The literal that is always false.
    pub fn bottom(&self) -> Lit {
        !self.truth
    }

    /// A fresh, unconstrained literal.
    pub fn fresh(&mut self) -> Lit {
        self.vars += 1;
        self.solver.new_lit()
    }

    #[cfg(test)]
    /// Number of variables created.
    pub fn var_count(&self) -> usize {
        self.vars
    }

    /// Adds a clause (a disjunction that must hold).
    pub fn clause(&mut self, lits: &[Lit]) {
        if lits.contains(&self.truth) {
            return;
        }
        let kept: Vec<Lit> = lits.iter().copied().filter(|l| *l != !self.truth).collect();
        self.add(&kept);
    }

    /// Adds a clause to the solver, charged to the budget: an encoding can be
    /// as costly as a search (`at least 600 of 1200` is millions of clauses),
    /// so the clauses it adds draw on the same allowance as the proof. Once the
    /// budget is spent nothing more is added (the next query then ends as
    /// [`SolverFailure::BudgetSpent`]), which bounds the solver's memory too.
    fn add(&mut self, lits: &[Lit]) {
        if self.budget.limit.is_some() {
            let cost = BYTES_PER_LITERAL * lits.len() as u64;
            let left = self.budget.left.get();
            if cost > left {
                self.budget.left.set(0);
                return;
            }
            self.budget.left.set(left - cost);
        }
        self.solver.add_clause(lits);
    }

    /// `a → b`.
    pub fn implies(&mut self, a: Lit, b: Lit) {
        self.clause(&[!a, b]);
    }

    /// A literal equivalent to the conjunction of `xs` (true when empty).
    pub fn and(&mut self, xs: &[Lit]) -> Lit {
        let mut kept: Vec<Lit> = Vec::with_capacity(xs.len());
        for &x in xs {
            if x == !self.truth || kept.contains(&!x) {
                return !self.truth;
            }
            if x != self.truth && !kept.contains(&x) {
                kept.push(x);
            }
        }
        match kept.len() {
            0 => self.truth,
            1 => kept[0],
            _ => {
                let g = self.fresh();
                let mut long = vec![g];
                for &x in &kept {
                    self.add(&[!g, x]);
                    long.push(!x);
                }
                self.add(&long);
                g
            }
        }
    }

    /// A literal equivalent to the disjunction of `xs` (false when empty).
    pub fn or(&mut self, xs: &[Lit]) -> Lit {
        let negated: Vec<Lit> = xs.iter().map(|x| !*x).collect();
        !self.and(&negated)
    }

    /// A literal equivalent to "at least `n` of `xs` are true", by the
    /// sequential counter: `c[j]` after item `i` says "at least `j` of the
    /// first `i` items".
    pub fn at_least(&mut self, n: usize, xs: &[Lit]) -> Lit {
        if n == 0 {
            return self.truth;
        }
        if n > xs.len() {
            return !self.truth;
        }
        let mut c = vec![!self.truth; n + 1];
        c[0] = self.truth;
        for (i, &x) in xs.iter().enumerate() {
            // Only counts reachable after i+1 items, and still able to reach n, matter.
            let hi = n.min(i + 1);
            for j in (1..=hi).rev() {
                let carry = self.and(&[c[j - 1], x]);
                c[j] = self.or(&[c[j], carry]);
            }
        }
        c[n]
    }

    /// Solves under assumptions. `Ok(None)` when unsatisfiable.
    pub fn solve(&mut self, assumptions: &[Lit]) -> Result<Option<Model>, SolverFailure> {
        let kept: Vec<Lit> = assumptions.iter().copied().filter(|l| *l != self.truth).collect();
        if kept.contains(&!self.truth) {
            return Ok(None);
        }
        if self.budget.is_spent() {
            return Err(SolverFailure::BudgetSpent);
        }
        self.solver.assume(&kept);
        let sat = self.solver.solve().map_err(|e| match e {
            varisat::solver::SolverError::ProofIoError { .. } if self.budget.is_spent() => SolverFailure::BudgetSpent,
            e => SolverFailure::Solver(e.to_string()),
        })?;
        if !sat {
            return Ok(None);
        }
        let lits = self.solver.model().unwrap_or_default();
        let mut values = vec![false; self.vars + 1];
        for l in lits {
            if let Some(slot) = values.get_mut(l.var().index()) {
                *slot = l.is_positive();
            }
        }
        Ok(Some(Model { values }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count_models(sat: &mut Sat, inputs: &[Lit], out: Lit, want: impl Fn(&[bool]) -> bool) {
        for mask in 0u32..(1 << inputs.len()) {
            let bits: Vec<bool> = (0..inputs.len()).map(|i| mask & (1 << i) != 0).collect();
            let mut assume: Vec<Lit> = inputs
                .iter()
                .zip(&bits)
                .map(|(l, b)| if *b { *l } else { !*l })
                .collect();
            assume.push(out);
            let model = sat.solve(&assume).expect("solver works");
            assert_eq!(model.is_some(), want(&bits), "inputs {bits:?}");
        }
    }

    #[test]
    fn gates_are_equivalences() {
        let mut sat = Sat::new(&Budget::default());
        let xs: Vec<Lit> = (0..4).map(|_| sat.fresh()).collect();
        let a = sat.and(&xs);
        count_models(&mut sat, &xs, a, |b| b.iter().all(|x| *x));
        count_models(&mut sat, &xs, !a, |b| !b.iter().all(|x| *x));
        let o = sat.or(&xs);
        count_models(&mut sat, &xs, o, |b| b.iter().any(|x| *x));
        for n in 0..=5 {
            let k = sat.at_least(n, &xs);
            count_models(&mut sat, &xs, k, |b| b.iter().filter(|x| **x).count() >= n);
            count_models(&mut sat, &xs, !k, |b| b.iter().filter(|x| **x).count() < n);
        }
    }

    #[test]
    fn constants_fold() {
        let mut sat = Sat::new(&Budget::default());
        let x = sat.fresh();
        let (t, f) = (sat.top(), sat.bottom());
        assert_eq!(sat.and(&[x, t]), x);
        assert_eq!(sat.and(&[x, f]), f);
        assert_eq!(sat.or(&[x, t]), t);
        assert_eq!(sat.and(&[x, !x]), f);
        assert!(sat.solve(&[f]).expect("solves").is_none());
    }
}
