//! The batch path allocates nothing per record once warm (issue 19): every
//! allocation of the process is counted (a counting global allocator, hence
//! a test binary of its own), and a cohort run twice as long, or ten times
//! as long, must not cost more allocations per record read. The cohort is one
//! chunk of generated records repeated, so that the buffers a first pass
//! grows (each record's text, the output) are as large as any later pass
//! needs, and what remains to count is what each record itself costs.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::alloc::System;
use std::io::Cursor;

use guidelang::batch::{self, NdjsonSource, RecordFormat, Work};
use guidelang::compile::Program;
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[allow(dead_code)]
#[path = "../examples/cohort.rs"]
mod cohort;

/// Records per chunk of the batch.
const CHUNK: u64 = batch::input::CHUNK_RECORDS as u64;

/// The allocations (new blocks and resized ones) of a whole batch over
/// `repeats` copies of `chunk`, on `jobs` workers, the output discarded.
fn allocations(work: &Work, chunk: &[u8], repeats: usize, jobs: usize) -> usize {
    let input = chunk.repeat(repeats);
    let mut source = NdjsonSource::new(Cursor::new(&input[..]));
    let mut out = std::io::sink();
    let region = Region::new(GLOBAL);
    let tally = batch::run(work, &mut source, &mut out, jobs, &mut |_, _| {}).expect("an in-memory batch");
    let change = region.change();
    assert_eq!(tally.records, CHUNK * repeats as u64);
    assert_eq!(tally.errors, 0, "every generated record is a valid case");
    change.allocations + change.reallocations
}

#[test]
fn a_batch_allocates_nothing_per_record_once_warm() {
    let g = guidelang::bundled().expect("the bundled guideline checks");
    let program = Program::new(&g);
    let work = Work {
        guideline: &g,
        program: &program,
        format: RecordFormat::Brief,
        summary: false,
        columns: None,
        as_of: None,
    };
    let mut chunk = Vec::new();
    cohort::write_cohort(&mut chunk, CHUNK, false, 7, 0).expect("writing to memory");

    // One job: every buffer is reused, so a longer batch allocates exactly
    // as much as a shorter one (8 more chunks, 4,096 more records).
    let short = allocations(&work, &chunk, 2, 1);
    let long = allocations(&work, &chunk, 10, 1);
    assert_eq!(long, short, "1 job: {short} allocations for 2 chunks, {long} for 10");

    // Two jobs: the buffers of the 8 chunks in flight go round reader,
    // workers and writer, each warmed by its first chunk (so both runs are
    // past 8 chunks); putting a chunk back in input order may cost the
    // writer's queue a node per chunk, never anything per record.
    let short = allocations(&work, &chunk, 16, 2);
    let long = allocations(&work, &chunk, 48, 2);
    let per_chunk = long.saturating_sub(short) as f64 / 32.0;
    assert!(
        per_chunk <= 4.0,
        "2 jobs: {short} allocations for 16 chunks, {long} for 48: {per_chunk} per chunk of {CHUNK} records"
    );
}
