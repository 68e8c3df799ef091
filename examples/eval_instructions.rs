//! Runs one representative case many times, for counting instructions per
//! case under callgrind (repeatable on a loaded machine, unlike wall time):
//!
//! ```sh
//! cargo build --release --example eval_instructions
//! valgrind --tool=callgrind target/release/examples/eval_instructions run full 10000
//! valgrind --tool=callgrind target/release/examples/eval_instructions native full 10000
//! ```
//!
//! Subtract a run of 0 iterations (setup) and divide by the count.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

#[path = "../tests/it/common/naive.rs"]
mod native;

#[path = "../benches/cases.rs"]
mod cases;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (what, name, count) = match &args[..] {
        [_, what, name, count] => (what.as_str(), name.as_str(), count.parse::<u64>().expect("a count")),
        _ => {
            eprintln!("usage: eval_instructions run|native CASE COUNT");
            std::process::exit(2);
        }
    };
    let text = cases::COMPLETE
        .iter()
        .chain(&cases::INCOMPLETE)
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .expect("a case of benches/cases.rs");
    let g = guidelang::bundled().expect("the bundled guideline checks");
    let program = guidelang::compile::Program::new(&g);
    let mut evaluator = guidelang::eval::Evaluator::new(&program);
    let case = guidelang::facts::parse_case(&g, text).expect("a valid case");
    let patient = native::Patient::from_json(&serde_json::from_str(text).expect("JSON"));
    for _ in 0..count {
        match what {
            "run" => {
                black_box(evaluator.run(black_box(&case)).scope());
            }
            _ => {
                black_box(native::decide(black_box(&patient)));
            }
        }
    }
}
