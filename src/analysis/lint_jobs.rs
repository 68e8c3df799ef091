//! The actions of a guideline linted on several threads, with exactly the
//! report one thread gives. Each action is analysed on its own solver and its
//! own evaluator, so the actions are independent but for the budget, which
//! the whole lint shares: each worker analyses an action on a fork of the
//! budget as it stood at the start, and the results are then taken in action
//! order, each charged to the shared budget. An action that would not have
//! fitted in what its predecessors left is analysed again, in turn, on the
//! shared budget itself, as the single thread would have done; so the
//! findings, their order, the budget error and the query count are those of
//! [`super::lint_checking`] run on one thread.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::*;
use crate::analysis::Omitted;

/// What analysing one action alone gave.
struct Analysed {
    findings: Vec<Finding>,
    omitted: Vec<Omitted>,
    proved: Vec<Proved>,
    queries: usize,
    /// Budget bytes the analysis spent.
    spent: u64,
    result: Result<(), SolverFailure>,
}

/// Analyses every action of `l`'s guideline on `jobs` threads into `l`'s
/// report, as [`Linter::actions`] does on one.
pub(super) fn actions(l: &mut Linter<'_>, dom: &Domain, jobs: usize) {
    let g = l.g;
    let program = l.program;
    let n = g.actions.len();
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<Option<Analysed>>> = Mutex::new((0..n).map(|_| None).collect());
    let (redundancy, per_kind) = (l.options.redundancy, l.options.per_kind);
    // Budgets stay on their thread: each action is analysed on one of its
    // own, grown from the shared one as it stands now (nothing else draws on
    // that while the workers run).
    let seed = l.options.budget.seed();
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let (next, done) = (&next, &done);
            scope.spawn(move || {
                let mut worker = Linter {
                    g,
                    program,
                    checker: Checker::Cones(ActionEvaluator::new(program)),
                    report: LintReport::default(),
                    options: LintOptions {
                        redundancy,
                        budget: seed.budget(),
                        per_kind,
                        jobs: 1,
                    },
                    settle_at: SETTLE_AT_LEAST,
                };
                loop {
                    let a = next.fetch_add(1, Ordering::Relaxed);
                    if a >= n {
                        break;
                    }
                    worker.options.budget = seed.budget();
                    worker.report = LintReport::default();
                    worker.settle_at = SETTLE_AT_LEAST;
                    let result = worker.action(dom, ActionId(a as u32));
                    let report = std::mem::take(&mut worker.report);
                    let analysed = Analysed {
                        findings: report.findings,
                        omitted: report.omitted,
                        proved: report.proved,
                        queries: report.queries,
                        spent: seed.spent_by(&worker.options.budget),
                        result,
                    };
                    // A poisoned lock means another worker panicked; the
                    // scope re-raises that panic when it ends.
                    if let Ok(mut done) = done.lock() {
                        done[a] = Some(analysed);
                    }
                }
            });
        }
    });
    let done = done.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    for (a, analysed) in done.into_iter().enumerate() {
        let id = ActionId(a as u32);
        let fits = analysed
            .as_ref()
            .is_some_and(|x| !matches!(x.result, Err(SolverFailure::BudgetSpent)) && l.options.budget.charge(x.spent));
        let result = match analysed {
            Some(x) if fits => {
                for f in x.findings {
                    l.push(f);
                }
                l.report.absorb_omitted(&x.omitted);
                l.report.proved.extend(x.proved);
                l.report.queries += x.queries;
                x.result
            }
            // Did not fit in what the earlier actions left (or was never
            // analysed): in turn, on the shared budget, as one thread would.
            _ => l.action(dom, id),
        };
        if !l.after_action(a, result) {
            break;
        }
    }
}
