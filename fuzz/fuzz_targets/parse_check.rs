//! Any bytes as a guideline file: parse, check, render every diagnostic the
//! way the CLI does, and, when the file checks, evaluate two fixed cases (every
//! fact unknown, every fact at a declared value) and render both reports.
//! Nothing may panic, overflow the stack or run away.

#![no_main]

use guidelang::facts::{Case, Value};
use guidelang::model::{FactKind, Guideline};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match guidelang::load_str("fuzz.gl", &text) {
        Err(problems) => {
            for p in problems.iter().take(20) {
                let _ = p.render_plain();
            }
            let _ = guidelang::report::problems_json(&problems);
        }
        Ok(g) => {
            for p in &g.warnings {
                let _ = p.render_plain();
            }
            for case in [Case::empty(&g), filled(&g)] {
                let result = guidelang::eval::evaluate(&g, &case);
                let _ = guidelang::report::evaluation_json(&g, &result);
                let options = guidelang::report::TextOptions {
                    color: false,
                    explain: true,
                };
                let _ = guidelang::report::evaluation_text(&g, &case, &result, options);
            }
        }
    }
});

/// A case giving every fact a value its declaration allows.
fn filled(g: &Guideline) -> Case {
    let mut case = Case::empty(g);
    for (i, id) in g.fact_ids().enumerate() {
        let value = match &g.fact(id).kind {
            FactKind::Bool => Value::Bool(i % 2 == 0),
            FactKind::Integer { min, .. } => Value::Num(min.unwrap_or(1.0).ceil()),
            FactKind::Number { min, max, .. } => Value::Num(max.or(*min).unwrap_or(100.0)),
            FactKind::Enum { values } => Value::Enum((i % values.len().max(1)) as u8),
            // 2024-10-04, before the evaluation date set below.
            FactKind::Date => Value::Num(20_000.0),
        };
        case.set(id, Some(value));
    }
    // An evaluation date, so that `today` is evaluated too (2026-12-01).
    let _ = case.set_as_of(g, 20_788.0);
    case
}
