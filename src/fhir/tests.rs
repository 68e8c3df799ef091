//! The reading rules on small Bundles, with bindings set by hand (the
//! end-to-end tests with `.gl` bindings are in tests/it/fhir_*.rs).

use serde_json::json;

use super::*;
use crate::diagnostics::Span;
use crate::model::{Binding, Code, CodeSystem, RecordSource, Window};

fn bind(g: &mut Guideline, fact: &str, source: RecordSource) {
    let id = g.fact_id(fact).expect("a fact of the guideline");
    g.facts[id.index()].binding = Some(Binding {
        source,
        span: Span::new(0, 0),
    });
}

fn loinc(codes: &[&str], hours: i64) -> RecordSource {
    RecordSource::Observation {
        codes: codes
            .iter()
            .map(|c| Code {
                system: CodeSystem::Loinc,
                code: c.to_string(),
                span: Span::new(0, 0),
            })
            .collect(),
        window: Window {
            seconds: hours * 3600,
            span: Span::new(0, 0),
        },
        accept_preliminary: false,
    }
}

fn wbc(value: serde_json::Value, unit: &str, at: &str, status: &str) -> serde_json::Value {
    json!({"resource": {"resourceType": "Observation", "id": format!("wbc-{at}-{unit}"), "status": status,
        "code": {"coding": [{"system": "http://loinc.org", "code": "6690-2"}]},
        "effectiveDateTime": at,
        "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}}})
}

fn bundle(entries: Vec<serde_json::Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({"resourceType": "Bundle", "type": "collection", "entry": entries})).unwrap()
}

fn guideline() -> Guideline {
    let mut g = crate::bundled().unwrap();
    bind(&mut g, "wbc", loinc(&["6690-2", "26464-8"], 48));
    g
}

fn at(text: &str) -> Instant {
    parse_instant(text).unwrap()
}

#[test]
fn units_per_laboratory_all_read_as_the_same_count() {
    let g = guideline();
    let id = g.fact_id("wbc").unwrap();
    for (value, unit) in [
        (json!(150000), "/uL"),
        (json!(150000), "/mm3"),
        (json!(150), "10*3/uL"),
        (json!(150), "10*9/L"),
        (json!(150), "10^9/L"),
    ] {
        let r = read_record(
            &g,
            &bundle(vec![wbc(value, unit, "2026-12-01T08:00:00Z", "final")]),
            at("2026-12-01"),
        )
        .unwrap();
        assert_eq!(r.value(id), Some(Value::Num(150.0)), "{unit}");
    }
}

#[test]
fn the_latest_result_in_the_window_wins() {
    let g = guideline();
    let id = g.fact_id("wbc").unwrap();
    let b = bundle(vec![
        wbc(json!(120), "10*9/L", "2026-11-30T08:00:00Z", "final"),
        wbc(json!(150), "10*9/L", "2026-12-01T08:00:00Z", "final"),
        wbc(json!(90), "10*9/L", "2026-11-01T08:00:00Z", "final"),
        // After the instant: not used.
        wbc(json!(10), "10*9/L", "2026-12-02T08:00:00Z", "final"),
    ]);
    let r = read_record(&g, &b, at("2026-12-01")).unwrap();
    assert_eq!(r.value(id), Some(Value::Num(150.0)));
    let Some(Provenance::Resource(found)) = r.provenance(id) else {
        panic!("from a resource")
    };
    assert_eq!(found.entry, 1);
    assert_eq!(found.original, "150 10*9/L");
    // Two days later only the result of 2026-12-01 is inside 48 h... and the later one.
    let r = read_record(&g, &b, at("2026-12-03")).unwrap();
    assert_eq!(r.value(id), Some(Value::Num(10.0)));
    // Ten days later nothing is inside the window.
    let r = read_record(&g, &b, at("2026-12-12")).unwrap();
    assert_eq!(r.value(id), None);
    let Some(Provenance::Unknown { reason }) = r.provenance(id) else {
        panic!("unknown")
    };
    assert!(reason.contains("4 older than the window"), "{reason}");
}
