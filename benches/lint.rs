//! Lint time: the bundled guideline, and generated guidelines of 100, 1,000
//! and 5,000 rules over 50 facts (10 rules per action on average, with
//! definitions, precedence, a scope and invariants). Figures in
//! docs/performance.md ("Linting").

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

#[path = "../tests/it/lint_support/mod.rs"]
mod lint_support;

/// The generated shape for `rules` rules.
fn shape(rules: usize) -> lint_support::Shape {
    lint_support::Shape {
        facts: 50,
        rules,
        actions: (rules / 10).max(1),
        definitions: 10,
        depth: 3,
        invariants: (rules / 50).max(2),
        scope: true,
    }
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
}

criterion_group!(benches, bench);
criterion_main!(benches);
