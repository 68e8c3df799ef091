//! Any bytes as a case for the bundled guideline: load it (`parse_case`, and
//! `validate_json` when the bytes are JSON at all), evaluate what loads, and
//! render the report and every error. Nothing may panic or run away, and a
//! case that loads must round-trip through its JSON form unchanged.

#![no_main]

use std::sync::OnceLock;

use guidelang::model::Guideline;
use libfuzzer_sys::fuzz_target;

fn guideline() -> &'static Guideline {
    static G: OnceLock<Guideline> = OnceLock::new();
    G.get_or_init(|| match guidelang::bundled() {
        Ok(g) => g,
        Err(_) => panic!("the bundled guideline must check"),
    })
}

fuzz_target!(|data: &[u8]| {
    let g = guideline();
    let text = String::from_utf8_lossy(data);
    match guidelang::facts::parse_case(g, &text) {
        Ok(case) => {
            let result = guidelang::eval::evaluate(g, &case);
            let _ = guidelang::report::evaluation_json(g, &result);
            let options = guidelang::report::TextOptions {
                color: false,
                explain: true,
            };
            let _ = guidelang::report::evaluation_text(g, &case, &result, options);
            let again = guidelang::facts::validate_json(g, &case.to_json(g));
            assert_eq!(again.as_ref().ok(), Some(&case), "a loaded case must round-trip");
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            for e in &errors {
                let _ = e.to_problem("fuzz.json").render_plain();
            }
        }
    }
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = guidelang::facts::validate_json(g, &json);
    }
});
