//! Parse-only throughput on an NDJSON cohort of the bundled guideline, the
//! reference reader (`facts::parse_case_reference`, the reader before issue
//! 19) and the typed reader (`facts::CaseReader`, reused as a batch worker
//! reuses it) side by side in one run, each pass timed in turn, best of
//! ROUNDS:
//!
//! ```sh
//! cargo run --release --example cohort -- 200000 > cohort.ndjson
//! cargo run --release --example parse_rate -- cohort.ndjson 3
//! ```
#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::time::Instant;

use guidelang::facts::{parse_case_reference, Case, CaseReader};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: parse_rate COHORT.ndjson [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(3);
    let text = std::fs::read_to_string(&path).expect("the cohort is readable UTF-8");
    let lines: Vec<&str> = text.lines().collect();
    let g = guidelang::bundled().expect("the bundled guideline checks");
    let (mut reference_best, mut typed_best) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..rounds {
        let start = Instant::now();
        let mut accepted = 0usize;
        for line in &lines {
            accepted += usize::from(black_box(parse_case_reference(&g, black_box(line))).is_ok());
        }
        reference_best = reference_best.min(start.elapsed().as_secs_f64());

        let start = Instant::now();
        let mut reader = CaseReader::new(&g);
        let mut case = Case::empty(&g);
        let mut typed_accepted = 0usize;
        for line in &lines {
            typed_accepted += usize::from(reader.read_into(black_box(line), &mut case).is_ok());
            black_box(&case);
        }
        typed_best = typed_best.min(start.elapsed().as_secs_f64());
        assert_eq!(accepted, typed_accepted, "both readers accept the same lines");
    }
    let n = lines.len() as f64;
    println!("lines: {}", lines.len());
    println!("reference (parse_case_reference): {:>10.0} lines/s", n / reference_best);
    println!("typed (CaseReader::read_into):    {:>10.0} lines/s", n / typed_best);
    println!("ratio: {:.2}x", reference_best / typed_best);
}
