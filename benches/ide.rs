//! Editor latency: what `guidelang lsp` does after a keystroke on the bundled
//! guideline (a fresh [`Analysis`] of the edited text and its diagnostics),
//! and what it does after a pause in typing (lint's findings, on the editor's
//! budget). Figures in docs/performance.md ("Editor services").

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use guidelang::ide::diagnostics::{diagnostics, editor_lint_options, lint_diagnostics};
use guidelang::ide::Analysis;

fn bench(c: &mut Criterion) {
    let text = guidelang::BUNDLED_TEXT;
    // One character typed: a digit added to a threshold, so the text still
    // checks and every stage runs (`wbc > 100` becomes `wbc > 1000`).
    let at = text
        .find("wbc > 100")
        .expect("the bundled guideline compares wbc with 100")
        + "wbc > 100".len();
    let typed = format!("{}0{}", &text[..at], &text[at..]);
    assert!(diagnostics(&Analysis::new("typed.gl", &typed)).is_empty());
    c.bench_function("ide/keystroke", |b| {
        b.iter(|| {
            let a = Analysis::new("typed.gl", black_box(&typed));
            diagnostics(&a)
        })
    });
    // A keystroke that breaks the text (a letter in the middle of a fact's name).
    let at = text.find("when wbc").expect("a rule reads wbc") + "when w".len();
    let broken = format!("{}x{}", &text[..at], &text[at..]);
    c.bench_function("ide/keystroke-error", |b| {
        b.iter(|| {
            let a = Analysis::new("broken.gl", black_box(&broken));
            diagnostics(&a)
        })
    });
    let analysis = Analysis::new("typed.gl", &typed);
    c.bench_function("ide/lint", |b| {
        b.iter(|| lint_diagnostics(black_box(&analysis), editor_lint_options()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
