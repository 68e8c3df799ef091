//! In-memory columnar evaluation throughput: a cohort file (Parquet or Arrow
//! IPC) read into record batches first, then evaluated batch by batch on one
//! thread by a `CohortEvaluator` (cells read from the columns, every case
//! run, the result columns built), best of ROUNDS, each round with a new
//! evaluator (nothing remembered from the round before, as a new process or
//! a new `evaluate_arrow` call starts). File reading and writing are left
//! out: this is what `evaluate_arrow` and a Spark worker pay.
//!
//! ```sh
//! cargo run --release --example cohort -- 200000 > cohort.ndjson
//! cargo run --release --example parquet -- cohort.ndjson cohort.arrow
//! cargo run --release --example columnar_rate -- cohort.arrow 5
//! ```
#![allow(clippy::expect_used)]

use std::path::Path;
use std::time::Instant;

use guidelang::columnar::files::{CohortReader, ColumnarFormat};
use guidelang::columnar::{CohortEvaluator, ColumnMap};
use guidelang::compile::Program;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: columnar_rate COHORT.arrow|.parquet [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let format = ColumnarFormat::from_path(Path::new(&path)).expect("a .parquet or .arrow file");
    let reader = CohortReader::open(Path::new(&path), format).expect("the cohort opens");
    let schema = reader.schema();
    let batches: Vec<_> = reader.collect::<Result<_, _>>().expect("the cohort reads");
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    let g = guidelang::bundled().expect("the bundled guideline checks");
    let program = Program::new(&g);
    let as_of = guidelang::time::parse_day("2026-12-01").ok();
    let mut best = f64::INFINITY;
    let mut results = 0;
    for _ in 0..rounds {
        let start = Instant::now();
        let mut cohort = CohortEvaluator::new(&g, &program, &schema, &ColumnMap::default(), &[], as_of)
            .expect("the columns suit the facts");
        let mut first = 1u64;
        results = 0;
        for batch in &batches {
            let out = cohort.evaluate(batch, first).expect("the batch has the schema");
            results += out.results.num_rows();
            first += batch.num_rows() as u64;
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!("rows: {rows}, results: {results}");
    println!(
        "evaluate: {best:.3} s, {:.0} rows/s, {:.2} us/row",
        rows as f64 / best,
        best * 1e6 / rows as f64
    );
}
