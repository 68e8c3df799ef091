//! Speed of the bundled guideline, each figure beside what it is compared to
//! (docs/performance.md records the results):
//!
//! - `case/*`: one case already in memory. `run` is the compiled evaluator
//!   (every verdict, undecided and invariant; no details), `full` adds the
//!   whole [`Evaluation`](guidelang::eval::Evaluation) (trace, doses, needs),
//!   `evaluate` is the one-call API that compiles first, and `native` is the
//!   same decisions hand-written as a Rust `if`-chain.
//! - `batch/*`: NDJSON in, NDJSON out, through the real pipeline on one job and
//!   on every core, beside parsing and validating the same cases alone.
//! - `load/*`: parse + check of the bundled guideline, and compiling it.

use std::hint::black_box;
use std::io::Cursor;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use guidelang::batch::{self, NdjsonSource, RecordFormat, Work};
use guidelang::compile::Program;
use guidelang::eval::{evaluate, Evaluator, Outcome};
use guidelang::facts::parse_case;
use guidelang::model::Guideline;

// The safety suite's hand-written evaluator has the same interface; point this
// at `../tests/common/naive.rs` to benchmark that one instead.
#[path = "native_baseline.rs"]
mod native;

#[path = "../examples/cohort.rs"]
#[allow(dead_code)]
mod cohort;

/// Representative cases: the full presentation, APL undecided (the evaluator
/// enumerates unknown rules), a sparse case, and one out of scope.
const CASES: [(&str, &str); 4] = [
    (
        "full",
        r#"{"als": true, "age": 67, "weight": 70, "height": 175, "ecog": 2, "respiratory_compromise": true,
            "dysphagia": true, "lineage": "myeloid", "apl_morphology": false, "pml_rara": "negative",
            "wbc": 180, "leukostasis": "pulmonary", "hydroxyurea_response": "refractory", "coagulopathy": false,
            "platelets": 25, "hemoglobin": 8, "anc": 0.3, "blasts": 25, "uric_acid": 9, "potassium": 6.2,
            "phosphate": 5, "calcium": 8, "creatinine": 1.4, "ldh": 900}"#,
    ),
    (
        "apl-unknown",
        r#"{"als": true, "weight": 70, "height": 175, "wbc": 180, "leukostasis": "pulmonary",
            "hydroxyurea_response": "refractory", "lineage": "myeloid", "platelets": 45}"#,
    ),
    ("sparse", r#"{"als": true}"#),
    ("out-of-scope", r#"{"als": false, "wbc": 180}"#),
];

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
    for (name, text) in CASES {
        let case = parse_case(&g, text).expect("a valid case");
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
        group.bench_with_input(BenchmarkId::new("native", name), &patient, |b, p| {
            b.iter(|| black_box(native::decide(black_box(p))))
        });
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

criterion_group!(benches, case, batch, load);
criterion_main!(benches);
