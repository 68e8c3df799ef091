//! Lint time: the bundled guideline, and generated guidelines of 100, 1,000
//! and 5,000 rules over 50 facts (10 rules per action on average, with
//! definitions, precedence, a scope and invariants); lint and diff time on a
//! chain of `n` definitions each using the previous twice. Figures in
//! docs/performance.md ("Linting", "Shared definitions").

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

#[path = "../tests/it/lint_support/mod.rs"]
mod lint_support;

/// The generated shape for `rules` rules.
fn shape(rules: usize) -> lint_support::Shape {
    lint_support::bench_shape(rules)
}

fn bench(c: &mut Criterion) {
    let bundled = guidelang::bundled().expect("the bundled guideline checks");
    c.bench_function("lint/bundled", |b| b.iter(|| guidelang::analysis::lint(&bundled)));
    let mut group = c.benchmark_group("lint/generated");
    group.sample_size(10);
    for rules in [100usize, 1_000, 5_000] {
        let generated = lint_support::guideline(42, &shape(rules));
        let g = guidelang::load_str("generated.gl", &generated.text).expect("generated guideline checks");
        group.bench_with_input(BenchmarkId::from_parameter(rules), &g, |b, g| {
            b.iter(|| guidelang::analysis::lint(g))
        });
    }
    group.finish();
    shared_definitions(c);
}

/// A scope and a rule reading the end of a chain `define d{k}: d{k-1} and
/// d{k-1}` (2^n paths, n bodies), and an invariant on it; `verdict` is the
/// rule's, so that two versions differ in one decision.
fn chain(n: usize, verdict: &str) -> guidelang::model::Guideline {
    let mut text = format!(
        "guideline chain\n  version 1.0.0\n  status draft\n  applies when d{n}\n\n\
         fact a: bool \"A.\"\nfact b: bool \"B.\"\nfact age: number in years from 0 to 130 \"Age.\"\n\n\
         define d1: a and age >= 18\n"
    );
    for k in 2..=n {
        text.push_str(&format!("define d{k}: d{} and d{}\n", k - 1, k - 1));
    }
    text.push_str(&format!(
        "\nrule r1: {verdict} x\n  when d{n} and b\n\n\
         invariant never-contraindicated:\n  never contraindicated x when d{n}\n"
    ));
    guidelang::load_str("chain.gl", &text).expect("the chain checks")
}

fn shared_definitions(c: &mut Criterion) {
    let sizes = [10usize, 20, 40, 80];
    let mut group = c.benchmark_group("lint/chain");
    group.sample_size(10);
    for n in sizes {
        let g = chain(n, "recommend");
        group.bench_with_input(BenchmarkId::from_parameter(n), &g, |b, g| {
            b.iter(|| guidelang::analysis::lint(g))
        });
    }
    group.finish();
    let mut group = c.benchmark_group("diff/chain");
    group.sample_size(10);
    for n in sizes {
        let versions = (chain(n, "recommend"), chain(n, "consider"));
        group.bench_with_input(BenchmarkId::from_parameter(n), &versions, |b, (old, new)| {
            b.iter(|| guidelang::analysis::diff::diff(old, new).expect("the solver works"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
