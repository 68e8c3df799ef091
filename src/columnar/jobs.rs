//! A cohort's batches on several threads, the results handed on in input
//! order. Each job has its own [`CohortEvaluator`] (all compiled alike);
//! one thread reads the batches, the jobs evaluate them, and the caller's
//! thread takes each batch's results in order, so that a file written from
//! them is the one a single job writes, byte for byte. At most two batches
//! per job are in flight: memory stays bounded by the batch size.

use std::collections::BTreeMap;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex, PoisonError};

use arrow::array::RecordBatch;

use super::{CohortEvaluator, Evaluated, SchemaError};
use crate::batch::Tally;

/// What one batch gave, in input order.
#[derive(Debug)]
pub enum BatchOutcome<E> {
    /// Its results and invalid rows, with the counts over them.
    Evaluated(Evaluated, Tally),
    /// The batch could not be read: nothing after it is read.
    Unreadable(E),
    /// The batch could not be evaluated (its schema): nothing after it is.
    Refused(SchemaError),
}

/// Evaluates `batches` (their rows numbered from 1) with one job per
/// evaluator in `jobs`, and hands each batch's outcome to `take` in input
/// order; `take` returning false stops the run (nothing more is read).
/// Stops too after the first batch that cannot be read or evaluated.
pub fn evaluate_in_order<'g, E, I>(
    jobs: Vec<CohortEvaluator<'g>>,
    batches: I,
    mut take: impl FnMut(BatchOutcome<E>) -> bool,
) where
    E: Send,
    I: Iterator<Item = Result<RecordBatch, E>> + Send,
{
    let count = jobs.len().max(1);
    // (sequence, first row, batch) to the jobs; (sequence, outcome) back.
    let (work_tx, work_rx) = sync_channel::<(u64, u64, RecordBatch)>(count);
    let (done_tx, done_rx) = sync_channel::<(u64, BatchOutcome<E>)>(2 * count);
    let work_rx = Arc::new(Mutex::new(work_rx));
    std::thread::scope(|scope| {
        for mut cohort in jobs {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            scope.spawn(move || {
                while let Some((seq, first_row, batch)) = next(&work_rx) {
                    let outcome = match cohort.evaluate(&batch, first_row) {
                        Ok(evaluated) => BatchOutcome::Evaluated(evaluated, cohort.take_tally()),
                        Err(e) => BatchOutcome::Refused(e),
                    };
                    // The taker has stopped: so do the jobs.
                    if done_tx.send((seq, outcome)).is_err() {
                        return;
                    }
                }
            });
        }
        // Only the jobs hold the work queue: when they stop, the reader does.
        drop(work_rx);
        let read_done = done_tx;
        scope.spawn(move || {
            let mut first_row = 1u64;
            for (seq, batch) in (0u64..).zip(batches) {
                match batch {
                    Ok(batch) => {
                        let rows = batch.num_rows() as u64;
                        if work_tx.send((seq, first_row, batch)).is_err() {
                            return;
                        }
                        first_row += rows;
                    }
                    Err(e) => {
                        let _ = read_done.send((seq, BatchOutcome::Unreadable(e)));
                        return;
                    }
                }
            }
        });
        // Outcomes arrive in any order; each is handed on when its turn comes.
        let mut waiting: BTreeMap<u64, BatchOutcome<E>> = BTreeMap::new();
        let mut turn = 0u64;
        'outcomes: while let Ok((seq, outcome)) = done_rx.recv() {
            waiting.insert(seq, outcome);
            while let Some(outcome) = waiting.remove(&turn) {
                turn += 1;
                let last = !matches!(outcome, BatchOutcome::Evaluated(..));
                if !take(outcome) || last {
                    break 'outcomes;
                }
            }
        }
        // Without a receiver the jobs stop at their next result, and with
        // the jobs gone the reader stops at its next batch.
        drop(done_rx);
    });
}

/// The next batch for a job; `None` when the reader is done.
fn next(work: &Mutex<Receiver<(u64, u64, RecordBatch)>>) -> Option<(u64, u64, RecordBatch)> {
    // A job that panicked while holding the lock leaves the receiver usable.
    work.lock().unwrap_or_else(PoisonError::into_inner).recv().ok()
}
