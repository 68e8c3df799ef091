//! Any bytes as a patient record (a FHIR R4 Bundle) for the bundled guideline:
//! read it at a fixed instant, evaluate what reads, and render the report and
//! every error. Nothing may panic or run away; a record that reads gives a
//! case the guideline accepts (every value validated as a case value is).

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
    // 2026-12-01T12:00:00Z: a fixed instant, so a crash replays.
    let Some(instant) = guidelang::fhir::Instant::from_seconds(1_796_126_400) else {
        panic!("the fixed instant is on the calendar");
    };
    match guidelang::fhir::read_record(g, data, instant) {
        Ok(record) => {
            let again = guidelang::facts::validate_json(g, &record.case.to_json(g));
            assert_eq!(again.as_ref().ok(), Some(&record.case), "a record's case must be a valid case");
            let result = guidelang::eval::evaluate(g, &record.case);
            let _ = guidelang::report::evaluation_json_with_record(g, &result, Some(&record));
            let options = guidelang::report::TextOptions {
                color: false,
                explain: true,
            };
            let _ = guidelang::report::evaluation_text_with_record(g, &record.case, &result, options, Some(&record));
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "a refused record names at least one problem");
            for e in &errors {
                let _ = e.to_problem("fuzz.json").render_plain();
            }
        }
    }
});
