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

/// The counter is global: tests that count take this lock, so that one
/// test's allocations are never counted in another's.
static COUNTING: std::sync::Mutex<()> = std::sync::Mutex::new(());

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
    let _counting = COUNTING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
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

/// The contract writer (issue 19, "write without trees") allocates nothing
/// per record once its buffer has grown: the guideline's text is escaped
/// once into its table, numbers and doses are formatted in place. (The batch
/// with `--format json` still builds each record's `Evaluation`, which
/// allocates; what is counted here is the writing alone.)
#[test]
fn the_contract_writer_allocates_nothing_per_record() {
    use guidelang::report::{write_contract, ContractExtras, ContractText, Layout};
    let _counting = COUNTING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let g = guidelang::bundled().expect("the bundled guideline checks");
    let mut lines = Vec::new();
    cohort::write_cohort(&mut lines, CHUNK, false, 7, 0).expect("writing to memory");
    let text = std::str::from_utf8(&lines).expect("the cohort is UTF-8");
    // In scope and out (as generated), and scope undecided: every fourth
    // line loses `acute_leukemia`, which the scope reads.
    let evaluations: Vec<_> = text
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let mut json: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(line).expect("a generated line is an object");
            if i % 4 == 0 {
                json.remove("acute_leukemia");
            }
            let line = serde_json::Value::Object(json).to_string();
            let case = guidelang::facts::parse_case(&g, &line).expect("a generated case");
            guidelang::eval::evaluate(&g, &case)
        })
        .collect();
    let contract_text = ContractText::new(&g);
    let mut out = Vec::new();
    let write_all = |out: &mut Vec<u8>| {
        for (i, e) in evaluations.iter().enumerate() {
            out.clear();
            let extras = ContractExtras {
                line: Some(i as u64 + 1),
                ..ContractExtras::default()
            };
            write_contract(out, &contract_text, &g, e, Layout::Compact, extras);
        }
    };
    // Warm-up: the buffer grows to the longest record.
    write_all(&mut out);
    let in_scope = evaluations
        .iter()
        .filter(|e| matches!(e.applicability, guidelang::eval::Applicability::Applies))
        .count();
    assert!(in_scope > 100, "the cohort must reach decisions: {in_scope} in scope");
    let undecided = evaluations
        .iter()
        .filter(|e| matches!(e.applicability, guidelang::eval::Applicability::Unknown(_)))
        .count();
    assert!(undecided > 0, "the cohort must hold scope-undecided records");
    let region = Region::new(GLOBAL);
    write_all(&mut out);
    let change = region.change();
    assert_eq!(
        change.allocations + change.reallocations,
        0,
        "writing {} contracts once warm",
        evaluations.len()
    );
}
