//! The workloads of the instruction-count benchmarks (`benches/instructions.sh`),
//! each inside one function that callgrind counts alone
//! (`--toggle-collect=*measured_*`), so that setup (loading the guideline,
//! generating the lint guideline) is not counted and no subtraction is needed:
//!
//! ```sh
//! cargo build --release --example instructions
//! valgrind --tool=callgrind --toggle-collect='*measured_*' target/release/examples/instructions eval 1000
//! ```
//!
//! - `eval N`: the bundled guideline's `full` case (benches/cases.rs) run N
//!   times by one reused evaluator (`Evaluator::run`, the batch's path);
//! - `parse N`: that case as one NDJSON line through `facts::parse_case`
//!   (what `guidelang eval --cases` does per line), N times;
//! - `lint RULES`: `analysis::lint` once on the lint bench's generated
//!   guideline of RULES rules (seed 42).
#![allow(clippy::expect_used)]

use std::hint::black_box;

// Only the complete cases are used here.
#[allow(dead_code)]
#[path = "../benches/cases.rs"]
mod cases;

#[path = "../tests/it/lint_support/mod.rs"]
mod lint_support;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (what, count) = match &args[..] {
        [_, what, count] => (what.as_str(), count.parse::<usize>().ok()),
        _ => ("", None),
    };
    let Some(count) = count else {
        eprintln!("usage: instructions eval|parse|lint COUNT");
        std::process::exit(2);
    };
    let full = cases::COMPLETE
        .iter()
        .find(|(n, _)| *n == "full")
        .map(|(_, t)| *t)
        .expect("benches/cases.rs has the full case");
    match what {
        "eval" => {
            let g = guidelang::bundled().expect("the bundled guideline checks");
            let case = guidelang::facts::parse_case(&g, full).expect("a valid case");
            let program = guidelang::compile::Program::new(&g);
            let mut evaluator = guidelang::eval::Evaluator::new(&program);
            measured_eval(&mut evaluator, &case, count);
        }
        "parse" => {
            let g = guidelang::bundled().expect("the bundled guideline checks");
            // One NDJSON line, as a batch reads it.
            let line: String = full.split_whitespace().collect::<Vec<_>>().join(" ");
            measured_parse(&g, &line, count);
        }
        "lint" => {
            let generated = lint_support::guideline(42, &lint_support::bench_shape(count));
            let g = guidelang::load_str("generated.gl", &generated.text).expect("the generated guideline checks");
            measured_lint(&g);
        }
        _ => {
            eprintln!("usage: instructions eval|parse|lint COUNT");
            std::process::exit(2);
        }
    }
}

#[inline(never)]
fn measured_eval(evaluator: &mut guidelang::eval::Evaluator, case: &guidelang::facts::Case, count: usize) {
    for _ in 0..count {
        black_box(evaluator.run(black_box(case)).scope());
    }
}

#[inline(never)]
fn measured_parse(g: &guidelang::model::Guideline, line: &str, count: usize) {
    for _ in 0..count {
        black_box(guidelang::facts::parse_case(g, black_box(line)).is_ok());
    }
}

#[inline(never)]
fn measured_lint(g: &guidelang::model::Guideline) {
    black_box(guidelang::analysis::lint(black_box(g)).findings.len());
}
