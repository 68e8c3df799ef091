//! Speed of the bundled guideline, each figure beside what it is compared to
//! (docs/performance.md records the results):
//!
//! - `case/*`: one case already in memory. `run` is the compiled evaluator
//!   (every verdict, undecided and invariant; no details), `full` adds the
//!   whole [`Evaluation`](guidelang::eval::Evaluation) (trace, doses, needs),
//!   `evaluate` is the one-call API that compiles first, and `native` is the
//!   differential test's hand-written evaluator of the spec's table
//!   (`tests/it/common/naive.rs`, a Rust `if`-chain), on the complete cases it
//!   can decide; the bench first asserts that it decides what the guideline
//!   decides.
//! - `batch/*`: NDJSON in, NDJSON out, through the real pipeline on one job and
//!   on every core, beside parsing and validating the same cases alone.
//! - `load/*`: parse + check of the bundled guideline, and compiling it.
//! - `needs/*`: what exact `needs` costs: a case with most facts missing
//!   (every undecided action refined over completions of the absent facts),
//!   one with APL status unknown, and a complete case (nothing to refine),
//!   through `run` (decidedness only) and `full` (with the `needs` lists).

use std::hint::black_box;
use std::io::Cursor;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use guidelang::batch::{self, NdjsonSource, RecordFormat, Work};
use guidelang::compile::Program;
use guidelang::eval::{evaluate, Evaluator, Outcome};
use guidelang::facts::parse_case;
use guidelang::model::Guideline;

#[path = "../tests/it/common/naive.rs"]
mod native;

mod cases;

#[path = "../examples/cohort.rs"]
#[allow(dead_code)]
mod cohort;

fn bundled() -> Guideline {
    guidelang::bundled().expect("the bundled guideline checks")
}

/// The compiled evaluator's decisions, as the native baseline lists them.
fn decisions(g: &Guideline, text: &str) -> Vec<(String, String)> {
    let e = evaluate(g, &parse_case(g, text).expect("a valid case"));
    let mut out: Vec<(String, String)> = e
        .actions
        .iter()
        .filter_map(|a| match &a.outcome {
            Outcome::Decided(d) => Some((g.action(a.action).name.clone(), d.verdict.to_string())),
            _ => None,
        })
        .collect();
    out.sort();
    out
}

fn case(c: &mut Criterion) {
    let g = bundled();
    let program = Program::new(&g);
    let mut evaluator = Evaluator::new(&program);
    let mut group = c.benchmark_group("case");
    let complete = cases::COMPLETE.iter().map(|c| (c, true));
    for (&(name, text), is_complete) in complete.chain(cases::INCOMPLETE.iter().map(|c| (c, false))) {
        let case = parse_case(&g, text).expect("a valid case");

        group.bench_with_input(BenchmarkId::new("run", name), &case, |b, case| {
            b.iter(|| {
                let brief = evaluator.run(black_box(case));
                black_box(brief.scope());
            })
        });
        group.bench_with_input(BenchmarkId::new("full", name), &case, |b, case| {
            b.iter(|| black_box(evaluator.evaluate(black_box(case))))
        });
        group.bench_with_input(BenchmarkId::new("evaluate", name), &case, |b, case| {
            b.iter(|| black_box(evaluate(&g, black_box(case))))
        });
        if is_complete {
            let json: serde_json::Value = serde_json::from_str(text).expect("JSON");
            let patient = native::Patient::from_json(&json);
            // The baseline must decide what the guideline decides, or the comparison means nothing.
            let mut native_decisions: Vec<(String, String)> = native::decide(&patient)
                .into_iter()
                .map(|(a, v)| (a.to_string(), v.to_string()))
                .collect();
            native_decisions.sort();
            assert_eq!(
                native_decisions,
                decisions(&g, text),
                "native baseline disagrees on {name}"
            );
            group.bench_with_input(BenchmarkId::new("native", name), &patient, |b, p| {
                b.iter(|| black_box(native::decide(black_box(p))))
            });
        }
    }
    group.finish();
}

const BATCH_RECORDS: u64 = 20_000;

fn batch(c: &mut Criterion) {
    let g = bundled();
    let program = Program::new(&g);
    let mut input = Vec::new();
    cohort::write_cohort(&mut input, BATCH_RECORDS, false, 1, 0).expect("writing to memory");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut group = c.benchmark_group("batch");
    group.sample_size(10);
    group.throughput(Throughput::Elements(BATCH_RECORDS));
    // What parsing alone costs: the floor of the whole pipeline.
    group.bench_function("parse-only", |b| {
        b.iter(|| {
            for line in input.split(|&c| c == b'\n').filter(|l| !l.is_empty()) {
                let text = std::str::from_utf8(line).expect("UTF-8");
                black_box(parse_case(&g, text).is_ok());
            }
        })
    });
    for (format, label) in [(RecordFormat::Brief, "brief"), (RecordFormat::Contract, "json")] {
        for jobs in [1, cores] {
            let work = Work {
                guideline: &g,
                program: &program,
                format,
                summary: false,
                columns: None,
                as_of: None,
            };
            let id = BenchmarkId::new(label, format!("{jobs}-jobs"));
            group.bench_function(id, |b| {
                b.iter(|| {
                    let mut source = NdjsonSource::new(Cursor::new(&input[..]));
                    let mut out = Vec::with_capacity(input.len() * 2);
                    let tally =
                        batch::run(&work, &mut source, &mut out, jobs, &mut |_, _| {}).expect("in-memory batch");
                    assert_eq!(tally.records, BATCH_RECORDS);
                    black_box(out.len())
                })
            });
        }
    }
    group.finish();
}

fn load(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    group.bench_function("parse+check", |b| b.iter(|| black_box(bundled())));
    let g = bundled();
    group.bench_function("compile", |b| b.iter(|| black_box(Program::new(black_box(&g)))));
    group.finish();
}

/// Cases for `needs/*`, all in scope (ALS with an acute leukemia): nothing
/// else known; APL status unknown with a refractory leukostasis; everything known.
const NEEDS_CASES: [(&str, &str); 3] = [
    ("missing-most", r#"{"als": true, "acute_leukemia": true}"#),
    (
        "missing-apl",
        r#"{"als": true, "acute_leukemia": true, "weight": 70, "height": 175, "wbc": 180,
            "leukostasis": "pulmonary", "hydroxyurea_response": "refractory", "lineage": "myeloid",
            "platelets": 45}"#,
    ),
    (
        "complete",
        r#"{"als": true, "acute_leukemia": true, "age": 67, "weight": 70, "height": 175, "ecog": 2,
            "respiratory_compromise": true, "dysphagia": true, "lineage": "myeloid", "apl_morphology": false,
            "pml_rara": "negative", "wbc": 180, "leukostasis": "pulmonary", "hydroxyurea_response": "refractory",
            "coagulopathy": false, "platelets": 25, "hemoglobin": 8, "anc": 0.3, "blasts": 25, "uric_acid": 9,
            "potassium": 6.2, "phosphate": 5, "calcium": 8, "creatinine": 1.4, "ldh": 900}"#,
    ),
];

fn needs(c: &mut Criterion) {
    let g = bundled();
    let program = Program::new(&g);
    let mut evaluator = Evaluator::new(&program);
    let mut group = c.benchmark_group("needs");
    for (name, text) in NEEDS_CASES {
        let case = parse_case(&g, text).expect("a valid case");
        group.bench_with_input(BenchmarkId::new("run", name), &case, |b, case| {
            b.iter(|| black_box(evaluator.run(black_box(case)).scope()))
        });
        group.bench_with_input(BenchmarkId::new("full", name), &case, |b, case| {
            b.iter(|| black_box(evaluator.evaluate(black_box(case))))
        });
    }
    group.finish();
}

criterion_group!(benches, case, batch, load, needs);
criterion_main!(benches);
