//! Batch evaluation of a cohort: records stream in (NDJSON or CSV), each is
//! validated and evaluated, and exactly one output line per record streams
//! out, in input order, whatever the number of threads.
//!
//! With one job everything runs on the calling thread. With more, a reader
//! thread cuts the input into chunks, worker threads each own an
//! [`Evaluator`] over the shared [`Program`] and turn chunks into output
//! bytes, and the calling thread writes chunks back in their input order.
//! Memory stays flat: a fixed number of tokens bounds the chunks in flight
//! (read, being evaluated, or waiting for an earlier chunk to be written), so
//! a slow worker holds the reader back instead of letting chunks pile up.

pub mod input;
pub mod record;
pub mod summary;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};

pub use input::BundleSource;
pub use input::{CsvSource, HeaderError, NdjsonSource, RecordSource};
pub use record::{RecordFormat, Work};
pub use summary::{summary_json, summary_text, ActionTally, ConclusionCounts, Tally};

use crate::compile::Program;
use crate::eval::Evaluator;
use input::Chunk;
use record::{process, Done, Scratch};

/// A chunk of records and the buffer its output is written to.
type Slot = (Chunk, Done);

/// Chunks in flight per worker: enough to keep every worker busy while the
/// writer waits for a slow one.
const CHUNKS_PER_JOB: usize = 4;

/// Why a batch stopped before its end. A bad record never stops it.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// The input could not be read.
    #[error("cannot read the cohort: {0}")]
    Read(io::Error),
    /// The output could not be written.
    #[error("cannot write the output: {0}")]
    Write(io::Error),
}

/// Runs a batch: every record of `source` evaluated, its output line written
/// to `out` in input order (none when `work.summary`). `progress` is called
/// after each chunk is written with the records done and the input bytes read.
/// Returns the counts.
pub fn run(
    work: &Work,
    source: &mut dyn RecordSource,
    out: &mut dyn Write,
    jobs: usize,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Tally, BatchError> {
    let mut tally = Tally::new(work.guideline.actions.len());
    // The guideline's text, escaped for the output once for the whole batch.
    let text = Arc::new(crate::report::ContractText::new(work.guideline));
    if jobs <= 1 {
        let mut evaluator = Evaluator::new(work.program);
        let mut scratch = Scratch::with_text(work.guideline, text);
        // One chunk and one output buffer, reused from chunk to chunk.
        let (mut chunk, mut done) = (Chunk::new(), Done::new(work.guideline.actions.len()));
        while source.refill(&mut chunk).map_err(BatchError::Read)? {
            process(work, &mut evaluator, &mut scratch, &chunk, &mut done);
            out.write_all(&done.out).map_err(BatchError::Write)?;
            tally.merge(&done.tally);
            progress(tally.records, source.bytes_read());
        }
        return Ok(tally);
    }
    run_parallel(work, source, out, jobs, progress, &mut tally, &text)?;
    Ok(tally)
}

fn run_parallel(
    work: &Work,
    source: &mut dyn RecordSource,
    out: &mut dyn Write,
    jobs: usize,
    progress: &mut dyn FnMut(u64, u64),
    tally: &mut Tally,
    text: &Arc<crate::report::ContractText>,
) -> Result<(), BatchError> {
    let in_flight = jobs * CHUNKS_PER_JOB;
    let read_error: Mutex<Option<io::Error>> = Mutex::new(None);
    let bytes_read = std::sync::atomic::AtomicU64::new(0);
    let program: &Program = work.program;
    std::thread::scope(|s| -> Result<(), BatchError> {
        let (chunk_tx, chunk_rx) = sync_channel::<(u64, Slot)>(in_flight);
        let (done_tx, done_rx) = sync_channel::<(u64, Slot)>(in_flight);
        // The tokens are the buffers themselves: a chunk and its output go
        // round reader, worker and writer, and back to the reader to be
        // refilled, so that after warm-up nothing is allocated per record.
        let (token_tx, token_rx) = sync_channel::<Slot>(in_flight);
        for _ in 0..in_flight {
            // Cannot fail: the receiver is alive and the channel has room.
            let _ = token_tx.send((Chunk::new(), Done::new(work.guideline.actions.len())));
        }
        let (read_error, bytes_read) = (&read_error, &bytes_read);
        s.spawn(move || {
            let mut seq = 0u64;
            // A token per chunk; the writer returns it once the chunk is written.
            while let Ok((mut chunk, done)) = token_rx.recv() {
                match source.refill(&mut chunk) {
                    Ok(true) => {
                        bytes_read.store(source.bytes_read(), std::sync::atomic::Ordering::Relaxed);
                        if chunk_tx.send((seq, (chunk, done))).is_err() {
                            break;
                        }
                        seq += 1;
                    }
                    Ok(false) => break,
                    Err(e) => {
                        if let Ok(mut slot) = read_error.lock() {
                            *slot = Some(e);
                        }
                        break;
                    }
                }
            }
        });
        let chunk_rx = Arc::new(Mutex::new(chunk_rx));
        for _ in 0..jobs {
            let (chunk_rx, done_tx, text) = (Arc::clone(&chunk_rx), done_tx.clone(), Arc::clone(text));
            s.spawn(move || {
                let mut evaluator = Evaluator::new(program);
                let mut scratch = Scratch::with_text(work.guideline, text);
                while let Some((seq, (chunk, mut done))) = next(&chunk_rx) {
                    process(work, &mut evaluator, &mut scratch, &chunk, &mut done);
                    if done_tx.send((seq, (chunk, done))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        // Chunks finish in any order; write them in the order they were read.
        let mut pending: BTreeMap<u64, Slot> = BTreeMap::new();
        let mut next_seq = 0u64;
        for (seq, slot) in done_rx.iter() {
            pending.insert(seq, slot);
            while let Some((chunk, done)) = pending.remove(&next_seq) {
                // On a write error, returning drops the channels, which stops
                // the reader and the workers.
                out.write_all(&done.out).map_err(BatchError::Write)?;
                tally.merge(&done.tally);
                next_seq += 1;
                let _ = token_tx.send((chunk, done));
                progress(tally.records, bytes_read.load(std::sync::atomic::Ordering::Relaxed));
            }
        }
        Ok(())
    })?;
    match read_error.into_inner() {
        Ok(Some(e)) => Err(BatchError::Read(e)),
        _ => Ok(()),
    }
}

fn next<T>(rx: &Mutex<Receiver<T>>) -> Option<T> {
    rx.lock().ok()?.recv().ok()
}
