//! Reading a FHIR R4 record (issue 16): one hand-made Bundle per reading
//! rule, through the library, with bindings set on the bundled guideline's
//! facts by hand (the `.gl` syntax is exercised end to end in `fhir_e2e.rs`).
//! Every expected value is worked out from the rule: 150000 /uL is
//! 150 × 10^9/L; 100 µmol/L of creatinine (113.12 g/mol) is 1.1312 mg/dL.

use guidelang::diagnostics::Span;
use guidelang::facts::Value;
use guidelang::fhir::{parse_instant, read_record, Instant, Provenance, Record};
use guidelang::model::{Binding, Code, CodeSystem, Guideline, RecordSource, Window};
use guidelang::units::Ratio;
use serde_json::{json, Value as Json};

const UCUM: &str = "http://unitsofmeasure.org";

pub fn code(system: CodeSystem, code: &str) -> Code {
    Code {
        system,
        code: code.to_string(),
        span: Span::new(0, 0),
    }
}

pub fn observation_binding(codes: &[&str], hours: i64, accept_preliminary: bool) -> RecordSource {
    RecordSource::Observation {
        codes: codes.iter().map(|c| code(CodeSystem::Loinc, c)).collect(),
        window: Window {
            seconds: hours * 3600,
            span: Span::new(0, 0),
        },
        accept_preliminary,
    }
}

pub fn bind(g: &mut Guideline, fact: &str, source: RecordSource) {
    let id = g.fact_id(fact).expect("a fact of the guideline");
    g.facts[id.index()].binding = Some(Binding {
        source,
        span: Span::new(0, 0),
    });
}

/// The bundled guideline with the bindings the issue gives as examples,
/// and only those: whatever the bundled file binds is cleared first, and
/// creatinine's molar mass too (a test sets it where it needs it).
pub fn bound() -> Guideline {
    let mut g = guidelang::bundled().unwrap();
    for f in &mut g.facts {
        f.binding = None;
    }
    let id = g.fact_id("creatinine").unwrap();
    g.facts[id.index()].grams_per_mole = None;
    bind(&mut g, "wbc", observation_binding(&["6690-2", "26464-8"], 48, false));
    bind(&mut g, "platelets", observation_binding(&["777-3"], 48, false));
    bind(
        &mut g,
        "creatinine",
        observation_binding(&["2160-0", "14682-9"], 48, true),
    );
    bind(&mut g, "weight", observation_binding(&["29463-7"], 7 * 24, false));
    bind(&mut g, "ecog", observation_binding(&["89262-0"], 30 * 24, false));
    bind(
        &mut g,
        "als",
        RecordSource::Condition {
            codes: vec![
                code(CodeSystem::Icd10Cm, "G12.21"),
                code(CodeSystem::Snomed, "86044005"),
            ],
            absent_means_false: false,
        },
    );
    bind(
        &mut g,
        "coagulopathy",
        RecordSource::Condition {
            codes: vec![code(CodeSystem::Snomed, "67406007")],
            absent_means_false: true,
        },
    );
    bind(&mut g, "age", RecordSource::BirthDate);
    g
}

/// An Observation entry with a LOINC code and a UCUM quantity.
pub fn lab(id: &str, loinc: &str, value: Json, unit: &str, at: &str, status: &str) -> Json {
    json!({"fullUrl": format!("urn:uuid:{id}"), "resource": {"resourceType": "Observation", "id": id, "status": status,
        "code": {"coding": [{"system": "http://loinc.org", "code": loinc}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": at,
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit}}})
}

pub fn condition(id: &str, system: &str, code: &str, clinical: Option<&str>, verification: Option<&str>) -> Json {
    let mut r = json!({"resourceType": "Condition", "id": id,
        "code": {"coding": [{"system": system, "code": code}]}, "subject": {"reference": "Patient/p1"},
        "recordedDate": "2026-11-20"});
    if let Some(c) = clinical {
        r["clinicalStatus"] =
            json!({"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": c}]});
    }
    if let Some(v) = verification {
        r["verificationStatus"] =
            json!({"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": v}]});
    }
    json!({"fullUrl": format!("urn:uuid:{id}"), "resource": r})
}

pub fn patient(birth: &str) -> Json {
    json!({"fullUrl": "urn:uuid:p1", "resource": {"resourceType": "Patient", "id": "p1", "birthDate": birth}})
}

pub fn bundle(entries: Vec<Json>) -> Vec<u8> {
    serde_json::to_vec(&json!({"resourceType": "Bundle", "type": "collection", "entry": entries})).unwrap()
}

pub fn at(text: &str) -> Instant {
    parse_instant(text).unwrap()
}

fn read(g: &Guideline, entries: Vec<Json>) -> Record {
    read_record(g, &bundle(entries), at("2026-12-01")).unwrap_or_else(|e| panic!("the record reads: {e:?}"))
}

fn value(g: &Guideline, r: &Record, fact: &str) -> Option<Value> {
    r.value(g.fact_id(fact).unwrap())
}

fn reason(g: &Guideline, r: &Record, fact: &str) -> String {
    match r.provenance(g.fact_id(fact).unwrap()) {
        Some(Provenance::Unknown { reason }) => reason.clone(),
        other => panic!("`{fact}` should be unknown with a reason, is {other:?}"),
    }
}

fn errors(g: &Guideline, bytes: &[u8]) -> Vec<String> {
    match read_record(g, bytes, at("2026-12-01")) {
        Ok(_) => panic!("the record must be refused"),
        Err(e) => e.into_iter().map(|e| e.message).collect(),
    }
}

const MORNING: &str = "2026-12-01T08:00:00Z";

#[test]
fn every_laboratorys_unit_for_a_white_count_reads_as_the_same_count() {
    let g = bound();
    // 150 × 10^9/L = 150 × 10^3/µL = 150000 /µL = 150000 /mm³ (1 mm³ = 1 µL).
    for (v, unit) in [
        (json!(150000), "/uL"),
        (json!(150000), "/mm3"),
        (json!(150), "10*3/uL"),
        (json!(150), "10*9/L"),
        (json!(150000), "{cells}/uL"),
    ] {
        let r = read(&g, vec![lab("w", "6690-2", v, unit, MORNING, "final")]);
        assert_eq!(value(&g, &r, "wbc"), Some(Value::Num(150.0)), "{unit}");
    }
    // 12345 /µL is exactly 12.345, not the product of rounded factors.
    let r = read(&g, vec![lab("w", "6690-2", json!(12345), "/uL", MORNING, "final")]);
    assert_eq!(value(&g, &r, "wbc"), Some(Value::Num(12.345)));
    // The second code of the binding counts as much as the first.
    let r = read(&g, vec![lab("w", "26464-8", json!(80), "10*9/L", MORNING, "final")]);
    assert_eq!(value(&g, &r, "wbc"), Some(Value::Num(80.0)));
}

#[test]
fn the_free_text_unit_is_read_only_when_the_code_is_not_ucum() {
    let g = bound();
    // A display unit "K/uL" with the UCUM code 10*3/uL: the code is read.
    let mut e = lab("w", "6690-2", json!(150), "10*3/uL", MORNING, "final");
    e["resource"]["valueQuantity"]["unit"] = json!("K/uL");
    let r = read(&g, vec![e]);
    assert_eq!(value(&g, &r, "wbc"), Some(Value::Num(150.0)));
    // Without a UCUM system, "K/uL" is read as written: K is the kelvin in
    // UCUM, so the unit does not convert, and the count stays unknown.
    let mut e = lab("w", "6690-2", json!(150), "K/uL", MORNING, "final");
    e["resource"]["valueQuantity"] = json!({"value": 150, "unit": "K/uL"});
    let r = read(&g, vec![e]);
    assert_eq!(value(&g, &r, "wbc"), None);
    assert!(
        reason(&g, &r, "wbc").contains("K/uL cannot be converted"),
        "{}",
        reason(&g, &r, "wbc")
    );
}

#[test]
fn an_amount_converts_to_a_mass_only_through_the_molar_mass_the_fact_states() {
    let mut g = bound();
    let r = read(&g, vec![lab("c", "14682-9", json!(100), "umol/L", MORNING, "final")]);
    assert_eq!(value(&g, &r, "creatinine"), None);
    assert!(
        reason(&g, &r, "creatinine").contains("molar mass"),
        "{}",
        reason(&g, &r, "creatinine")
    );
    let id = g.fact_id("creatinine").unwrap();
    g.facts[id.index()].grams_per_mole = Ratio::parse_decimal("113.12");
    let r = read(&g, vec![lab("c", "14682-9", json!(100), "umol/L", MORNING, "final")]);
    // 100 µmol/L × 113.12 g/mol = 11312 µg/L = 1.1312 mg/dL.
    assert_eq!(value(&g, &r, "creatinine"), Some(Value::Num(1.1312)));
    let r = read(&g, vec![lab("c", "2160-0", json!(1.2), "mg/dL", MORNING, "final")]);
    assert_eq!(value(&g, &r, "creatinine"), Some(Value::Num(1.2)));
}

#[test]
fn the_latest_result_inside_the_window_wins_and_later_ones_are_not_used() {
    let g = bound();
    let entries = vec![
        lab("a", "6690-2", json!(120), "10*9/L", "2026-11-30T08:00:00Z", "final"),
        lab("b", "6690-2", json!(150), "10*9/L", MORNING, "final"),
        lab("c", "6690-2", json!(90), "10*9/L", "2026-11-01T08:00:00Z", "final"),
        lab("d", "6690-2", json!(10), "10*9/L", "2026-12-02T08:00:00Z", "final"),
    ];
    let r = read(&g, entries.clone());
    assert_eq!(value(&g, &r, "wbc"), Some(Value::Num(150.0)));
    let Some(Provenance::Resource(found)) = r.provenance(g.fact_id("wbc").unwrap()) else {
        panic!("from a resource")
    };
    assert_eq!((found.resource.as_str(), found.entry), ("Observation/b", 1));
    assert_eq!(found.original, "150 10*9/L");
    assert_eq!(found.time.as_deref(), Some(MORNING));
    assert_eq!(found.status.as_deref(), Some("final"));
    // Read at 07:00 the same morning, b is in the future: a (23 h earlier) wins.
    let r = read_record(&g, &bundle(entries.clone()), at("2026-12-01T07:00:00Z")).unwrap();
    assert_eq!(value(&g, &r, "wbc"), Some(Value::Num(120.0)));
    // Three days later, nothing is within 48 h but d.
    let r = read_record(&g, &bundle(entries.clone()), at("2026-12-03")).unwrap();
    assert_eq!(value(&g, &r, "wbc"), Some(Value::Num(10.0)));
    // The window's edge: exactly 48 h before the instant is inside, a second more is not.
    let edge = vec![lab("e", "6690-2", json!(70), "10*9/L", "2026-11-29T23:59:59Z", "final")];
    let r = read_record(&g, &bundle(edge.clone()), at("2026-12-01")).unwrap();
    assert_eq!(value(&g, &r, "wbc"), Some(Value::Num(70.0)));
    let r = read_record(&g, &bundle(edge), at("2026-12-02T00:00:00Z")).unwrap();
    assert_eq!(value(&g, &r, "wbc"), None);
    assert!(reason(&g, &r, "wbc").contains("1 older than the window"));
    // A date-only time counts only when the whole day is inside the window.
    let day = vec![lab("f", "6690-2", json!(60), "10*9/L", "2026-11-29", "final")];
    let r = read_record(&g, &bundle(day), at("2026-12-01")).unwrap();
    assert_eq!(value(&g, &r, "wbc"), None);
}

#[test]
fn statuses_final_amended_corrected_count_and_the_rest_never_do() {
    let g = bound();
    for status in ["final", "amended", "corrected"] {
        let r = read(&g, vec![lab("w", "6690-2", json!(150), "10*9/L", MORNING, status)]);
        assert_eq!(value(&g, &r, "wbc"), Some(Value::Num(150.0)), "{status}");
    }
    for status in ["registered", "cancelled", "entered-in-error", "unknown", "preliminary"] {
        let r = read(&g, vec![lab("w", "6690-2", json!(150), "10*9/L", MORNING, status)]);
        assert_eq!(value(&g, &r, "wbc"), None, "{status}");
        assert!(reason(&g, &r, "wbc").contains("no usable Observation"), "{status}");
    }
    // A cancelled later result does not hide the earlier final one.
    let r = read(
        &g,
        vec![
            lab("a", "6690-2", json!(150), "10*9/L", "2026-11-30T08:00:00Z", "final"),
            lab("b", "6690-2", json!(5), "10*9/L", MORNING, "entered-in-error"),
        ],
    );
    assert_eq!(value(&g, &r, "wbc"), Some(Value::Num(150.0)));
}

#[test]
fn a_preliminary_result_is_used_only_when_allowed_and_no_final_one_is_in_the_window() {
    let g = bound();
    // creatinine allows preliminary results.
    let r = read(
        &g,
        vec![lab("p", "2160-0", json!(1.5), "mg/dL", MORNING, "preliminary")],
    );
    assert_eq!(value(&g, &r, "creatinine"), Some(Value::Num(1.5)));
    // A final one, even older, is preferred to a newer preliminary one.
    let r = read(
        &g,
        vec![
            lab("f", "2160-0", json!(1.1), "mg/dL", "2026-11-30T08:00:00Z", "final"),
            lab("p", "2160-0", json!(1.5), "mg/dL", MORNING, "preliminary"),
        ],
    );
    assert_eq!(value(&g, &r, "creatinine"), Some(Value::Num(1.1)));
    // wbc does not allow them.
    let r = read(
        &g,
        vec![lab("p", "6690-2", json!(150), "10*9/L", MORNING, "preliminary")],
    );
    assert!(reason(&g, &r, "wbc").contains("1 preliminary (not allowed for this fact)"));
}

#[test]
fn two_results_at_the_same_time_that_disagree_leave_the_fact_unknown() {
    let g = bound();
    let r = read(
        &g,
        vec![
            lab("a", "6690-2", json!(150), "10*9/L", MORNING, "final"),
            lab("b", "26464-8", json!(160), "10*9/L", MORNING, "final"),
        ],
    );
    assert_eq!(value(&g, &r, "wbc"), None);
    let why = reason(&g, &r, "wbc");
    assert!(
        why.contains("disagree") && why.contains("150") && why.contains("160"),
        "{why}"
    );
    // The same count in two units agrees.
    let r = read(
        &g,
        vec![
            lab("a", "6690-2", json!(150), "10*9/L", MORNING, "final"),
            lab(
                "b",
                "26464-8",
                json!(150000),
                "/uL",
                "2026-12-01T09:00:00+01:00",
                "final",
            ),
        ],
    );
    assert_eq!(value(&g, &r, "wbc"), Some(Value::Num(150.0)));
}

#[test]
fn a_missing_code_or_value_is_unknown_with_its_reason() {
    let g = bound();
    // No result with the codes (a haemoglobin is not a white count).
    let r = read(&g, vec![lab("h", "718-7", json!(9), "g/dL", MORNING, "final")]);
    assert!(reason(&g, &r, "wbc").contains("no Observation with LOINC 6690-2 or 26464-8 in the record"));
    // The right code in the wrong system is not the code.
    let mut e = lab("w", "6690-2", json!(150), "10*9/L", MORNING, "final");
    e["resource"]["code"]["coding"][0]["system"] = json!("http://example.org/local-codes");
    let r = read(&g, vec![e]);
    assert_eq!(value(&g, &r, "wbc"), None);
    // dataAbsentReason.
    let mut e = lab("w", "6690-2", json!(150), "10*9/L", MORNING, "final");
    e["resource"].as_object_mut().unwrap().remove("valueQuantity");
    e["resource"]["dataAbsentReason"] = json!({"coding": [{"code": "error"}]});
    let r = read(&g, vec![e]);
    assert!(reason(&g, &r, "wbc").contains("dataAbsentReason: error"));
    // No value at all.
    let mut e = lab("w", "6690-2", json!(150), "10*9/L", MORNING, "final");
    e["resource"].as_object_mut().unwrap().remove("valueQuantity");
    let r = read(&g, vec![e]);
    assert!(reason(&g, &r, "wbc").contains("no value"));
    // A unit no one knows, and no unit.
    let r = read(&g, vec![lab("w", "6690-2", json!(150), "zorglub", MORNING, "final")]);
    assert!(reason(&g, &r, "wbc").contains("not a UCUM unit"));
    let mut e = lab("w", "6690-2", json!(150), "10*9/L", MORNING, "final");
    e["resource"]["valueQuantity"] = json!({"value": 150});
    let r = read(&g, vec![e]);
    assert!(reason(&g, &r, "wbc").contains("no unit"));
    // A bound is not a value.
    let mut e = lab("w", "6690-2", json!(0.5), "10*9/L", MORNING, "final");
    e["resource"]["valueQuantity"]["comparator"] = json!("<");
    let r = read(&g, vec![e]);
    assert!(reason(&g, &r, "wbc").contains("a bound rather than a value"));
    // A text value for a number.
    let mut e = lab("w", "6690-2", json!(150), "10*9/L", MORNING, "final");
    e["resource"].as_object_mut().unwrap().remove("valueQuantity");
    e["resource"]["valueString"] = json!("very high");
    let r = read(&g, vec![e]);
    assert!(reason(&g, &r, "wbc").contains("valueString"));
    // A newer unreadable result is not skipped for an older readable one.
    let r = read(
        &g,
        vec![
            lab("a", "6690-2", json!(150), "10*9/L", "2026-11-30T08:00:00Z", "final"),
            lab("b", "6690-2", json!(150), "zorglub", MORNING, "final"),
        ],
    );
    assert_eq!(value(&g, &r, "wbc"), None);
}

#[test]
fn a_value_the_fact_cannot_take_is_an_error_like_a_cases() {
    let g = bound();
    // 10 kg is below the declared 20–350 kg.
    let bytes = bundle(vec![lab("wt", "29463-7", json!(10), "kg", MORNING, "final")]);
    let e = errors(&g, &bytes);
    assert!(
        e[0].contains("Observation/wt") && e[0].contains("outside its valid range"),
        "{e:?}"
    );
    // 22 lb is 9.98 kg: the same, after conversion.
    let bytes = bundle(vec![lab("wt", "29463-7", json!(22), "[lb_av]", MORNING, "final")]);
    assert!(errors(&g, &bytes)[0].contains("outside its valid range"));
    // 154 lb is 69.85322498 kg exactly (1 lb = 0.45359237 kg), one rounding
    // from the decimal, not the product of two rounded doubles.
    let r = read(&g, vec![lab("wt", "29463-7", json!(154), "[lb_av]", MORNING, "final")]);
    assert_eq!(value(&g, &r, "weight"), Some(Value::Num(69.85322498)));
    // ECOG 2.5 is not a whole number.
    let mut e = lab("e", "89262-0", json!(2), "1", MORNING, "final");
    e["resource"]["valueQuantity"] = json!({"value": 2.5});
    assert!(errors(&g, &bundle(vec![e]))[0].contains("not a whole number"));
    let mut e = lab("e", "89262-0", json!(2), "1", MORNING, "final");
    e["resource"].as_object_mut().unwrap().remove("valueQuantity");
    e["resource"]["valueInteger"] = json!(2);
    assert_eq!(value(&g, &read(&g, vec![e]), "ecog"), Some(Value::Num(2.0)));
}

#[test]
fn a_condition_counts_when_active_and_confirmed() {
    let g = bound();
    let icd = "http://hl7.org/fhir/sid/icd-10-cm";
    let sct = "http://snomed.info/sct";
    let r = read(
        &g,
        vec![condition("c", icd, "G12.21", Some("active"), Some("confirmed"))],
    );
    assert_eq!(value(&g, &r, "als"), Some(Value::Bool(true)));
    for clinical in ["recurrence", "relapse"] {
        let r = read(
            &g,
            vec![condition("c", sct, "86044005", Some(clinical), Some("confirmed"))],
        );
        assert_eq!(value(&g, &r, "als"), Some(Value::Bool(true)), "{clinical}");
    }
    // Not confirmed, refuted, resolved, or without a verification status:
    // unknown, not false, since the guideline does not say the record is complete.
    for (clinical, verification) in [
        (Some("active"), Some("provisional")),
        (Some("active"), Some("refuted")),
        (Some("active"), Some("entered-in-error")),
        (Some("resolved"), Some("confirmed")),
        (Some("inactive"), Some("confirmed")),
        (Some("active"), None),
    ] {
        let r = read(&g, vec![condition("c", icd, "G12.21", clinical, verification)]);
        assert_eq!(value(&g, &r, "als"), None, "{clinical:?} {verification:?}");
        assert!(reason(&g, &r, "als").contains("Condition/c is"));
    }
    // An unconfirmed one next to a confirmed one: the confirmed one counts.
    let r = read(
        &g,
        vec![
            condition("a", icd, "G12.21", Some("active"), None),
            condition("b", sct, "86044005", Some("active"), Some("confirmed")),
        ],
    );
    assert_eq!(value(&g, &r, "als"), Some(Value::Bool(true)));
    // No such condition: unknown, or false where absence means false.
    let r = read(&g, vec![]);
    assert!(
        reason(&g, &r, "als").contains("no active, confirmed Condition with ICD-10-CM G12.21 or SNOMED CT 86044005")
    );
    assert_eq!(value(&g, &r, "coagulopathy"), Some(Value::Bool(false)));
    assert!(matches!(
        r.provenance(g.fact_id("coagulopathy").unwrap()),
        Some(Provenance::Absent { .. })
    ));
    // A diagnosis recorded after the instant was not known then.
    let mut late = condition("c", icd, "G12.21", Some("active"), Some("confirmed"));
    late["resource"]["recordedDate"] = json!("2026-12-05");
    assert_eq!(value(&g, &read(&g, vec![late]), "als"), None);
}

#[test]
fn the_age_is_counted_in_whole_years_from_the_birth_date() {
    let g = bound();
    // Born 1950-12-01: 76 on 2026-12-01; born 1950-12-02: still 75.
    assert_eq!(
        value(&g, &read(&g, vec![patient("1950-12-01")]), "age"),
        Some(Value::Num(76.0))
    );
    assert_eq!(
        value(&g, &read(&g, vec![patient("1950-12-02")]), "age"),
        Some(Value::Num(75.0))
    );
    // A birth year alone does not give an age to the year.
    let r = read(&g, vec![patient("1950")]);
    assert_eq!(value(&g, &r, "age"), None);
    assert!(reason(&g, &r, "age").contains("birthDate"));
    assert!(reason(&g, &read(&g, vec![]), "age").contains("no Patient"));
}

#[test]
fn a_malformed_bundle_is_refused_naming_the_entry() {
    let g = bound();
    assert!(errors(&g, b"not json")[0].contains("not JSON"));
    assert!(errors(&g, br#"{"resourceType": "Patient"}"#)[0].contains("not a FHIR Bundle"));
    assert!(errors(&g, br#"{"resourceType": "Bundle", "entry": {}}"#)[0].contains("not a list"));
    let e = errors(&g, &bundle(vec![json!({"fullUrl": "urn:uuid:x"})]));
    assert!(e[0].contains("entry 0 (urn:uuid:x) has no `resource`"), "{e:?}");
    let e = errors(
        &g,
        &bundle(vec![patient("1950-01-01"), json!({"resource": {"id": "y"}})]),
    );
    assert!(
        e[0].contains("entry 1 has a resource without a `resourceType`"),
        "{e:?}"
    );
    // A value of the wrong type, even in a result no binding reads.
    let e = errors(
        &g,
        &bundle(vec![lab("q", "718-7", json!("150"), "10*9/L", MORNING, "final")]),
    );
    assert!(
        e[0].contains("entry 0 (Observation/q, urn:uuid:q) is not a valid Observation"),
        "{e:?}"
    );
    // A time without its offset.
    let e = errors(
        &g,
        &bundle(vec![lab(
            "t",
            "6690-2",
            json!(150),
            "10*9/L",
            "2026-12-01T08:00:00",
            "final",
        )]),
    );
    assert!(e[0].contains("effectiveDateTime"), "{e:?}");
    // Two patients, or a result about another patient.
    let mut other = patient("1960-01-01");
    other["resource"]["id"] = json!("p2");
    other["fullUrl"] = json!("urn:uuid:p2");
    assert!(errors(&g, &bundle(vec![patient("1950-01-01"), other]))[0].contains("second Patient"));
    let mut theirs = lab("w", "6690-2", json!(150), "10*9/L", MORNING, "final");
    theirs["resource"]["subject"]["reference"] = json!("Patient/p2");
    let e = errors(&g, &bundle(vec![patient("1950-01-01"), theirs]));
    assert!(e[0].contains("is about `Patient/p2`"), "{e:?}");
    // Every malformed entry is listed, not just the first.
    let e = errors(&g, &bundle(vec![json!({}), json!({}), json!({})]));
    assert_eq!(e.len(), 3);
}

#[test]
fn resources_of_other_types_are_skipped() {
    let g = bound();
    let r = read(
        &g,
        vec![
            json!({"resource": {"resourceType": "Encounter", "id": "e", "status": 42}}),
            json!({"resource": {"resourceType": "MedicationRequest", "id": "m"}}),
            lab("w", "6690-2", json!(150), "10*9/L", MORNING, "final"),
        ],
    );
    assert_eq!(value(&g, &r, "wbc"), Some(Value::Num(150.0)));
    assert_eq!(r.entries, 3);
}

#[test]
fn a_case_overrides_and_completes_the_record_and_says_so() {
    let g = bound();
    let mut r = read(&g, vec![lab("w", "6690-2", json!(150), "10*9/L", MORNING, "final")]);
    let given = guidelang::facts::parse_case(&g, r#"{"wbc": 90, "acute_leukemia": true}"#).unwrap();
    r.complete_with(&g, &given).unwrap();
    assert_eq!(value(&g, &r, "wbc"), Some(Value::Num(90.0)));
    assert_eq!(value(&g, &r, "acute_leukemia"), Some(Value::Bool(true)));
    let Some(Provenance::Case { record: Some(before) }) = r.provenance(g.fact_id("wbc").unwrap()) else {
        panic!("wbc comes from the case, over the record")
    };
    assert!(matches!(before.as_ref(), Provenance::Resource(f) if f.resource == "Observation/w"));
    assert!(matches!(
        r.provenance(g.fact_id("acute_leukemia").unwrap()),
        Some(Provenance::Case { record: None })
    ));
    // A case dated another day than the record is refused.
    let dated = guidelang::facts::parse_case(&g, r#"{"as_of": "2026-11-01"}"#).unwrap();
    assert!(r.complete_with(&g, &dated).is_err());
}

/// The realistic record of `examples/fhir/` (482 entries in the shape of a
/// Synthea export), read with the bindings above: the values worked out
/// from its generator, `examples/fhir/make_realistic.py`.
#[test]
fn the_synthea_style_record_gives_the_values_its_generator_wrote() {
    let g = bound();
    let bytes = std::fs::read("examples/fhir/synthea-style-als.json").unwrap();
    let r = read_record(&g, &bytes, at("2026-12-01")).unwrap();
    assert_eq!(r.entries, 482);
    // This morning's 152.4 × 10^3/µL, not the corrected 131 of last evening
    // nor the one entered in error half an hour later.
    assert_eq!(value(&g, &r, "wbc"), Some(Value::Num(152.4)));
    assert_eq!(value(&g, &r, "platelets"), Some(Value::Num(42.0)));
    // Born 1958-04-12: 68 on 2026-12-01.
    assert_eq!(value(&g, &r, "age"), Some(Value::Num(68.0)));
    assert_eq!(value(&g, &r, "weight"), Some(Value::Num(71.2)));
    assert_eq!(value(&g, &r, "als"), Some(Value::Bool(true)));
    // No DIC in the record, which the binding declares complete: false.
    assert_eq!(value(&g, &r, "coagulopathy"), Some(Value::Bool(false)));
    // Creatinine in µmol/L, and this fact states no molar mass: unknown, with why.
    assert!(reason(&g, &r, "creatinine").contains("molar mass"));
    // ECOG is not in the record.
    assert!(reason(&g, &r, "ecog").contains("no Observation with LOINC 89262-0"));
    let case = r.case.clone();
    let e = guidelang::eval::evaluate(&g, &case);
    let text = guidelang::report::evaluation_text_with_record(&g, &case, &e, Default::default(), Some(&r));
    let json = guidelang::report::evaluation_json_with_record(&g, &e, Some(&r));
    // The patient summary names, for each fact, the resource, the value and
    // unit as the laboratory gave them, the time and the status.
    let wbc = "White blood cell count: 152 × 10^9/L — Observation/000017d5-0000-4000-8000-0000000001d5, \
               152.4 10*3/uL, 2026-12-01T06:30:00-05:00, final";
    assert!(text.contains(wbc), "{text}");
    assert!(
        text.contains(
            "Condition/000017d0-0000-4000-8000-0000000001d0, SNOMED CT 86044005, 2024-03-14, active/confirmed"
        ),
        "{text}"
    );
    assert!(
        text.contains("unknown (not found in the record)\n    ECOG performance status: no Observation"),
        "{text}"
    );
    let facts = &json["record"]["facts"];
    assert_eq!(facts["wbc"]["source"], "record");
    assert_eq!(facts["wbc"]["value"], 152.4);
    assert_eq!(facts["wbc"]["original"], "152.4 10*3/uL");
    assert_eq!(facts["wbc"]["entry"], 469);
    assert_eq!(facts["coagulopathy"]["source"], "absent");
    assert_eq!(facts["creatinine"]["source"], "unknown");
    assert!(facts["creatinine"]["value"].is_null());
    assert_eq!(json["record"]["instant"], "2026-12-01T23:59:59Z");
    // A fact with no binding that nobody gave is not listed.
    assert!(facts.get("lineage").is_none());
}
