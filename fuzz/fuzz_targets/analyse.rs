//! Any bytes as a guideline file, through the analyses: when it checks, lint
//! it and compare it by meaning with itself and with the bundled guideline,
//! each on a small budget of solver work, and render every finding and change
//! the way the CLI does (text, JSON, SARIF, Markdown). Nothing may panic,
//! overflow the stack or run past its budget.

#![no_main]

use std::sync::OnceLock;

use guidelang::analysis::{diff::diff_with, lint_with, Budget, LintOptions};
use guidelang::diagnostics::Source;
use guidelang::model::Guideline;
use libfuzzer_sys::fuzz_target;

/// Solver work per analysis: enough for small files, small enough that the
/// fuzzer keeps its pace.
const UNITS: u64 = 200;

fn bundled() -> &'static Guideline {
    static G: OnceLock<Guideline> = OnceLock::new();
    G.get_or_init(|| match guidelang::bundled() {
        Ok(g) => g,
        Err(_) => panic!("the bundled guideline must check"),
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let source = Source::new("fuzz.gl", text.as_ref());
    let Ok(g) = guidelang::load(&source) else {
        return;
    };
    let options = LintOptions {
        budget: Budget::new(UNITS),
        ..LintOptions::default()
    };
    let report = lint_with(&g, options);
    let _ = guidelang::report::lint_text(&source, &report, true, false);
    let _ = guidelang::report::lint_json(&source, Some(&g), &report);
    let _ = guidelang::report::sarif::lint_sarif(&source, &report);
    for (old, new) in [(&g, &g), (bundled(), &g)] {
        if let Ok(d) = diff_with(old, new, &Budget::new(UNITS)) {
            let _ = guidelang::report::diff_text(old, new, &d);
            let _ = guidelang::report::diff_json(old, new, &d);
            let _ = guidelang::report::diff_markdown(old, new, &d);
        }
    }
});
