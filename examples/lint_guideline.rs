//! Writes the lint bench's generated guideline (`benches/lint.rs`: seed 42,
//! 50 facts, 10 rules per action) to standard output, for measuring the
//! whole `guidelang lint` and `guidelang diff` processes on files:
//!
//! ```sh
//! cargo run --release --example lint_guideline -- 5000 > g5000.gl
//! cargo run --release --example lint_guideline -- 5000 changed > g5000-changed.gl
//! /usr/bin/time -v target/release/guidelang lint g5000.gl --format json > /dev/null
//! /usr/bin/time -v target/release/guidelang diff g5000.gl g5000-changed.gl > /dev/null
//! ```
//!
//! `changed` is the next version of the same guideline: version 2.0.0 and
//! every tenth `recommend` rule turned into `consider`, so that `diff` finds
//! decisions that change on about one action in ten.

#[path = "../tests/it/lint_support/mod.rs"]
mod lint_support;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (rules, changed) = match &args[1..] {
        [n] => (n.parse::<usize>().ok(), false),
        [n, c] if c == "changed" => (n.parse::<usize>().ok(), true),
        _ => (None, false),
    };
    let Some(rules) = rules else {
        eprintln!("usage: lint_guideline RULES [changed]");
        std::process::exit(2);
    };
    let generated = lint_support::guideline(42, &lint_support::bench_shape(rules));
    let text = if changed {
        lint_support::next_version(&generated.text)
    } else {
        generated.text
    };
    print!("{text}");
}
