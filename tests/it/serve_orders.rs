//! The order services (`{id}-order-select`, `{id}-order-sign`) over real
//! HTTP, and a property of their cards checked in-process: each card is about
//! exactly an ordered (and, for order-select, selected) action, with the
//! indicator its verdict calls for.
//!
//! The test guideline reads APL from a coded diagnosis (the bundled one
//! cannot, see serve_cds.rs) and codes its actions with FIXTURE codes: well
//! formed (SNOMED CT Verhoeff check digits), but not the real codes of these
//! procedures and medicines.

use std::net::TcpListener;
use std::sync::Arc;

use guidelang::eval::{evaluate, Applicability, Outcome};
use guidelang::fhir::{parse_instant, read_record};
use guidelang::model::{Guideline, Verdict};
use guidelang::serve::{router, Clock, Limits, Service, Trust, OVERRIDE_REASONS, OVERRIDE_SYSTEM};
use proptest::prelude::*;
use serde_json::{json, Map, Value as Json};

use crate::common::gen::config;

const SNOMED: &str = "http://snomed.info/sct";
const RXNORM: &str = "http://www.nlm.nih.gov/research/umls/rxnorm";
const PATIENT: &str = "apl-1";

/// Fixture codes of the test guideline's actions.
const LEUKAPHERESIS: (&str, &str) = (SNOMED, "9000001003");
const LUMBAR_PUNCTURE: (&str, &str) = (SNOMED, "9000002005");
const HYDROXYUREA: (&str, &str) = (RXNORM, "9000101");
const ATRA: (&str, &str) = (RXNORM, "9000102");

const APL: &str = r#"guideline apl-precautions
  title "APL precautions at presentation"
  version 1.0.0
  status draft
  applies when acute_leukemia

reference 1 "Management of acute promyelocytic leukemia: updated recommendations from an expert panel of the European LeukemiaNet" year 2019

action leukapheresis "Leukapheresis" urgent coded snomed 9000001003
action hydroxyurea "Hydroxyurea" urgent coded rxnorm 9000101
action atra "ATRA (all-trans retinoic acid)" urgent coded rxnorm 9000102
action lumbar_puncture "Lumbar puncture" coded snomed 9000002005

fact acute_leukemia: bool "Newly diagnosed acute leukemia"
  read from condition icd10 C92.0, C92.4, snomed 91861009, 110004001
fact apl: bool "Acute promyelocytic leukemia"
  read from condition icd10 C92.4, snomed 110004001
fact wbc: number in 10^9/L from 0 "White blood cell count"
  read from observation loinc 6690-2, 26464-8 within 48 h
fact coagulopathy: bool "Uncontrolled coagulopathy or DIC"
  read from condition snomed 67406007 absent means false

rule no-leukapheresis-in-apl: contraindicated leukapheresis
  when apl
  detail "Risk of fatal hemorrhage."
  because "Leukapheresis in APL can set off fatal bleeding."
  cite 1

rule no-leukapheresis-for-cytoreduction: avoid leukapheresis
  when wbc > 100
  detail "No survival benefit."
  cite 1

rule hydroxyurea-for-cytoreduction: recommend hydroxyurea
  when wbc > 100
  cite 1

rule atra-in-apl: recommend atra
  when apl
  cite 1

rule no-lumbar-puncture-in-coagulopathy: avoid lumbar_puncture
  when coagulopathy
  cite 1

rule lumbar-puncture-when-clotting: consider lumbar_puncture
  when not coagulopathy
  cite 1
"#;

fn guideline() -> &'static Guideline {
    static G: std::sync::OnceLock<Guideline> = std::sync::OnceLock::new();
    G.get_or_init(|| guidelang::load_str("apl.gl", APL).expect("the test guideline checks"))
}

fn service() -> Service {
    let bundled = guidelang::bundled().expect("the bundled guideline checks");
    let instant = parse_instant("2026-12-01").expect("a date");
    Service::new(vec![bundled, guideline().clone()], Clock::Fixed(instant)).expect("distinct ids")
}

fn start() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let addr = listener.local_addr().expect("an address");
    let app = router(Arc::new(service()), Limits::default(), Trust::InsecureNoAuth);
    std::thread::spawn(move || guidelang::serve::run(listener, app, std::future::pending()));
    format!("http://{addr}")
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

fn get(url: &str) -> (u16, Json) {
    let mut r = agent().get(url).call().expect("the service answers");
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().expect("a body");
    (status, serde_json::from_str(&text).unwrap_or(Json::String(text)))
}

fn post(url: &str, body: &Json) -> (u16, Json) {
    let mut r = agent()
        .post(url)
        .header("content-type", "application/json")
        .send(serde_json::to_vec(body).expect("JSON").as_slice())
        .expect("the service answers");
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().expect("a body");
    (status, serde_json::from_str(&text).unwrap_or(Json::String(text)))
}

/// The patient's record: an acute leukemia (APL when `apl`), a white count
/// when given, a coagulopathy when `coagulopathy`. Keyed as the guideline's
/// prefetch is (one searchset per bound fact).
fn prefetch(apl: bool, wbc: Option<f64>, coagulopathy: bool) -> Map<String, Json> {
    let condition = |id: &str, system: &str, code: &str| {
        json!({
            "resourceType": "Condition", "id": id,
            "clinicalStatus": { "coding": [ { "system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active" } ] },
            "verificationStatus": { "coding": [ { "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "confirmed" } ] },
            "code": { "coding": [ { "system": system, "code": code } ] },
            "subject": { "reference": format!("Patient/{PATIENT}") }
        })
    };
    let leukemia = if apl {
        condition("leukemia-1", "http://hl7.org/fhir/sid/icd-10", "C92.4")
    } else {
        condition("leukemia-1", "http://hl7.org/fhir/sid/icd-10", "C92.0")
    };
    let searchset = |resources: Vec<Json>| {
        let entries: Vec<Json> = resources.into_iter().map(|r| json!({ "resource": r })).collect();
        json!({ "resourceType": "Bundle", "type": "searchset", "entry": entries })
    };
    let mut p = Map::new();
    p.insert("acute_leukemia".into(), searchset(vec![leukemia.clone()]));
    p.insert("apl".into(), searchset(if apl { vec![leukemia] } else { Vec::new() }));
    let observations = wbc
        .map(|v| {
            vec![json!({
                "resourceType": "Observation", "id": "wbc-1", "status": "final",
                "code": { "coding": [ { "system": "http://loinc.org", "code": "6690-2" } ] },
                "subject": { "reference": format!("Patient/{PATIENT}") },
                "effectiveDateTime": "2026-11-30T06:30:00Z",
                "valueQuantity": { "value": v, "unit": "10*9/L", "system": "http://unitsofmeasure.org", "code": "10*9/L" }
            })]
        })
        .unwrap_or_default();
    p.insert("wbc".into(), searchset(observations));
    let dic = if coagulopathy {
        vec![condition("dic-1", SNOMED, "67406007")]
    } else {
        Vec::new()
    };
    p.insert("coagulopathy".into(), searchset(dic));
    p
}

/// A draft order: a MedicationRequest for an RxNorm code, a ServiceRequest
/// otherwise.
fn order(id: &str, (system, code): (&str, &str)) -> Json {
    let coding = json!({ "coding": [ { "system": system, "code": code } ], "text": "as the EHR names it" });
    let subject = json!({ "reference": format!("Patient/{PATIENT}") });
    if system == RXNORM {
        json!({ "resourceType": "MedicationRequest", "id": id, "status": "draft", "intent": "order",
                "medicationCodeableConcept": coding, "subject": subject })
    } else {
        json!({ "resourceType": "ServiceRequest", "id": id, "status": "draft", "intent": "order",
                "code": coding, "subject": subject })
    }
}

fn call(hook: &str, orders: &[Json], selections: Option<&[&str]>, prefetch: Map<String, Json>) -> Json {
    let entries: Vec<Json> = orders.iter().map(|o| json!({ "resource": o })).collect();
    let mut context = json!({
        "userId": "Practitioner/example",
        "patientId": PATIENT,
        "draftOrders": { "resourceType": "Bundle", "type": "collection", "entry": entries },
    });
    if let Some(s) = selections {
        context["selections"] = json!(s);
    }
    json!({
        "hook": hook,
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": context,
        "prefetch": prefetch,
    })
}

fn cards(answer: &Json) -> Vec<Json> {
    answer["cards"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("no cards in {answer}"))
}

fn summary(card: &Json) -> &str {
    card["summary"].as_str().unwrap_or_default()
}

#[test]
fn discovery_lists_order_services_only_for_a_guideline_with_coded_actions() {
    let base = start();
    let (status, discovery) = get(&format!("{base}/cds-services"));
    assert_eq!(status, 200);
    let services = discovery["services"].as_array().expect("services");
    let find = |id: &str| services.iter().find(|s| s["id"] == id);
    let view = find("apl-precautions").expect("patient-view");
    for (id, hook) in [
        ("apl-precautions-order-select", "order-select"),
        ("apl-precautions-order-sign", "order-sign"),
    ] {
        let s = find(id).unwrap_or_else(|| panic!("no {id} in {discovery}"));
        assert_eq!(s["hook"], hook);
        assert_eq!(
            s["prefetch"], view["prefetch"],
            "the patient is read as for patient-view"
        );
        let description = s["description"].as_str().expect("a description");
        assert!(description.contains("Leukapheresis"), "{description}");
    }
    // The bundled guideline codes no action (yet): patient-view only.
    assert!(find("als-hyperleukocytosis").is_some());
    assert!(find("als-hyperleukocytosis-order-sign").is_none());
    assert!(find("als-hyperleukocytosis-order-select").is_none());
}

#[test]
fn signing_leukapheresis_for_apl_with_hyperleukocytosis_gets_one_critical_card_with_override_reasons() {
    let base = start();
    let orders = [order("lp-1", LEUKAPHERESIS), order("hu-1", HYDROXYUREA)];
    let body = call("order-sign", &orders, None, prefetch(true, Some(152.0), false));
    let (status, answer) = post(&format!("{base}/cds-services/apl-precautions-order-sign"), &body);
    assert_eq!(status, 200, "{answer}");
    let cards = cards(&answer);
    // Hydroxyurea is recommended: ordering it agrees with the guideline, no card.
    assert_eq!(cards.len(), 1, "{answer}");
    let c = &cards[0];
    assert_eq!(c["indicator"], "critical");
    assert_eq!(summary(c), "Leukapheresis ordered: contraindicated for this patient");
    let detail = c["detail"].as_str().expect("a detail");
    for part in [
        "ServiceRequest/lp-1",
        "SNOMED CT 9000001003",
        "`no-leukapheresis-in-apl`",
        "Risk of fatal hemorrhage.",
        "Leukapheresis in APL can set off fatal bleeding.",
        "Management of acute promyelocytic leukemia",
    ] {
        assert!(detail.contains(part), "{part} not in {detail}");
    }
    let reasons = c["overrideReasons"].as_array().expect("override reasons");
    assert_eq!(reasons.len(), OVERRIDE_REASONS.len());
    for (r, (code, display)) in reasons.iter().zip(OVERRIDE_REASONS) {
        assert_eq!(r["system"], OVERRIDE_SYSTEM);
        assert_eq!(r["code"], code);
        assert_eq!(r["display"], display);
    }
    let g = guideline();
    let label = c["source"]["label"].as_str().expect("a label");
    assert!(
        label.contains("apl-precautions") && label.contains("1.0.0") && label.contains(&g.hash),
        "{label}"
    );
    assert_eq!(c["source"]["url"], format!("{base}/guidelines/apl-precautions"));
    assert_eq!(c["uuid"].as_str().map(str::len), Some(36));
}

#[test]
fn order_select_answers_only_about_the_selected_orders() {
    let base = start();
    let url = format!("{base}/cds-services/apl-precautions-order-select");
    // APL with a coagulopathy: leukapheresis contraindicated, lumbar puncture avoided.
    let orders = [order("lp-1", LEUKAPHERESIS), order("spinal-1", LUMBAR_PUNCTURE)];
    let body = call(
        "order-select",
        &orders,
        Some(&["ServiceRequest/spinal-1"]),
        prefetch(true, Some(152.0), true),
    );
    let (status, answer) = post(&url, &body);
    assert_eq!(status, 200, "{answer}");
    let cards = cards(&answer);
    assert_eq!(cards.len(), 1, "{answer}");
    assert_eq!(summary(&cards[0]), "Lumbar puncture ordered: avoid for this patient");
    assert_eq!(cards[0]["indicator"], "warning");
    assert!(cards[0]["overrideReasons"].is_array());

    let body = call(
        "order-select",
        &orders,
        Some(&["ServiceRequest/lp-1"]),
        prefetch(true, Some(152.0), true),
    );
    let (_, answer) = post(&url, &body);
    let cards = self::cards(&answer);
    assert_eq!(cards.len(), 1, "{answer}");
    assert_eq!(cards[0]["indicator"], "critical");
    assert!(summary(&cards[0]).starts_with("Leukapheresis ordered"));
}

#[test]
fn an_order_coded_to_nothing_in_the_guideline_gets_no_card() {
    let base = start();
    let orders = [
        order("other-1", (SNOMED, "9000003000")),
        json!({ "resourceType": "ServiceRequest", "id": "x", "status": "draft", "intent": "order",
                "code": { "coding": [ { "system": SNOMED, "code": "9000101" } ] },
                "subject": { "reference": format!("Patient/{PATIENT}") } }),
        json!({ "resourceType": "MedicationRequest", "id": "text-only", "status": "draft", "intent": "order",
                "medicationCodeableConcept": { "text": "leukapheresis" },
                "subject": { "reference": format!("Patient/{PATIENT}") } }),
    ];
    let body = call("order-sign", &orders[..1], None, prefetch(true, Some(152.0), false));
    let (status, answer) = post(&format!("{base}/cds-services/apl-precautions-order-sign"), &body);
    assert_eq!((status, cards(&answer).len()), (200, 0), "{answer}");
    // Hydroxyurea's RxNorm code written as a SNOMED CT code, and an order in words only.
    let body = call("order-sign", &orders[1..], None, prefetch(true, Some(152.0), false));
    let (status, answer) = post(&format!("{base}/cds-services/apl-precautions-order-sign"), &body);
    assert_eq!((status, cards(&answer).len()), (200, 0), "{answer}");
}

#[test]
fn an_undecided_order_gets_one_info_card_naming_the_facts_that_decide_it() {
    let base = start();
    // No APL diagnosis in the record (unknown, not false) and no white count.
    let mut p = prefetch(false, None, false);
    p.remove("wbc");
    let body = call("order-sign", &[order("lp-1", LEUKAPHERESIS)], None, p);
    let (status, answer) = post(&format!("{base}/cds-services/apl-precautions-order-sign"), &body);
    assert_eq!(status, 200, "{answer}");
    let cards = cards(&answer);
    assert_eq!(cards.len(), 1, "{answer}");
    assert_eq!(cards[0]["indicator"], "info");
    let s = summary(&cards[0]);
    assert!(s.starts_with("Leukapheresis ordered: not decided"), "{s}");
    assert!(
        s.contains("record acute promyelocytic leukemia, white blood cell count"),
        "{s}"
    );
    assert!(
        cards[0].get("overrideReasons").is_none(),
        "nothing to override: {answer}"
    );
    let detail = cards[0]["detail"].as_str().expect("a detail");
    assert!(detail.contains("the EHR sent no \"wbc\" prefetch"), "{detail}");
}

#[test]
fn a_hook_the_service_does_not_answer_is_refused_and_a_guideline_without_codes_has_no_order_service() {
    let base = start();
    let p = || prefetch(true, Some(152.0), false);
    let orders = [order("lp-1", LEUKAPHERESIS)];
    let cases = [
        (
            "apl-precautions-order-sign",
            call("order-select", &orders, Some(&["ServiceRequest/lp-1"]), p()),
            400,
            "answers the `order-sign` hook, not `order-select`",
        ),
        (
            "apl-precautions-order-select",
            call("order-sign", &orders, None, p()),
            400,
            "answers the `order-select` hook, not `order-sign`",
        ),
        (
            "apl-precautions-order-sign",
            call("patient-view", &orders, None, p()),
            400,
            "not `patient-view`",
        ),
        (
            "apl-precautions",
            call("order-sign", &orders, None, p()),
            400,
            "answers the `patient-view` hook, not `order-sign`",
        ),
        (
            "als-hyperleukocytosis-order-sign",
            call("order-sign", &orders, None, p()),
            404,
            "no CDS service",
        ),
    ];
    for (id, body, expected, words) in cases {
        let (status, answer) = post(&format!("{base}/cds-services/{id}"), &body);
        assert_eq!(status, expected, "{id}: {answer}");
        let error = answer["error"].as_str().expect("an error");
        assert!(error.contains(words), "{id}: {error}");
    }
}

#[test]
fn malformed_draft_orders_are_refused_naming_what_and_where() {
    let base = start();
    let url = format!("{base}/cds-services/apl-precautions-order-select");
    let p = || prefetch(true, Some(152.0), false);
    let good = order("lp-1", LEUKAPHERESIS);
    let mut bad_coding = order("spinal-1", LUMBAR_PUNCTURE);
    bad_coding["code"]["coding"] = json!("snomed 9000002005");
    let mut bad_system = order("spinal-1", LUMBAR_PUNCTURE);
    bad_system["code"]["coding"][0]["system"] = json!(42);
    let mut other_patient = order("spinal-1", LUMBAR_PUNCTURE);
    other_patient["subject"]["reference"] = json!("Patient/someone-else");
    let selections: &[&str] = &["ServiceRequest/lp-1"];
    let mut no_orders = call("order-select", std::slice::from_ref(&good), Some(selections), p());
    no_orders["context"]
        .as_object_mut()
        .expect("context")
        .remove("draftOrders");
    let mut not_a_bundle = call("order-select", std::slice::from_ref(&good), Some(selections), p());
    not_a_bundle["context"]["draftOrders"] = json!([good.clone()]);
    let mut no_selections = call("order-select", std::slice::from_ref(&good), Some(selections), p());
    no_selections["context"]
        .as_object_mut()
        .expect("context")
        .remove("selections");
    let cases = [
        (
            call("order-select", &[good.clone(), bad_coding], Some(selections), p()),
            "`context.draftOrders.entry[1].resource.code.coding` must be an array, not a string",
        ),
        (
            call("order-select", &[good.clone(), bad_system], Some(selections), p()),
            "`context.draftOrders.entry[1].resource.code.coding[0].system` must be a string, not a number",
        ),
        (
            call("order-select", &[good.clone(), other_patient], Some(selections), p()),
            "`context.draftOrders.entry[1].resource` is about `Patient/someone-else`",
        ),
        (
            call(
                "order-select",
                std::slice::from_ref(&good),
                Some(&["ServiceRequest/nope"]),
                p(),
            ),
            "`context.selections[0]` names `ServiceRequest/nope`, which is not in `context.draftOrders`",
        ),
        (no_orders, "the request has no `context.draftOrders`"),
        (
            not_a_bundle,
            "`context.draftOrders` must be a FHIR Bundle, not an array",
        ),
        (no_selections, "the request has no `context.selections`"),
    ];
    for (body, words) in cases {
        let (status, answer) = post(&url, &body);
        assert_eq!(status, 400, "{words}: {answer}");
        let error = answer["error"].as_str().expect("an error");
        assert!(error.contains(words), "expected {words:?} in {error}");
    }
}

/// The action coded `code`, its id in the guideline.
const CODED: [(&str, (&str, &str)); 4] = [
    ("leukapheresis", LEUKAPHERESIS),
    ("hydroxyurea", HYDROXYUREA),
    ("atra", ATRA),
    ("lumbar_puncture", LUMBAR_PUNCTURE),
];

/// What the cards must say about an ordered action, from the evaluation of
/// the same record: `None` for no card.
fn expected_indicator(g: &Guideline, e: &guidelang::eval::Evaluation, action: &str) -> Option<&'static str> {
    match &e.applicability {
        Applicability::NotApplicable => None,
        Applicability::Unknown(_) => Some("info"),
        Applicability::Applies => {
            let a = e.actions.iter().find(|a| g.action(a.action).name == action)?;
            match &a.outcome {
                Outcome::Silent => None,
                Outcome::Decided(d) => match d.verdict {
                    Verdict::Contraindicated => Some("critical"),
                    Verdict::Avoid => Some("warning"),
                    Verdict::Recommend | Verdict::Consider => None,
                },
                Outcome::Conflict(_) => Some("warning"),
                Outcome::Undecided { .. } | Outcome::Withheld { .. } => Some("info"),
            }
        }
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn each_card_is_about_exactly_an_ordered_action_with_the_indicator_of_its_verdict(
        leukemia in any::<bool>(),
        apl in any::<bool>(),
        wbc in proptest::option::of(1u32..400),
        coagulopathy in any::<bool>(),
        ordered in proptest::collection::vec(any::<bool>(), 4),
        selected in proptest::collection::vec(any::<bool>(), 4),
        sign in any::<bool>(),
        decoy in any::<bool>(),
    ) {
        let g = guideline();
        let service = service();
        let mut p = prefetch(apl, wbc.map(f64::from), coagulopathy);
        if !leukemia {
            p.insert("acute_leukemia".into(), json!({ "resourceType": "Bundle", "type": "searchset", "entry": [] }));
            p.insert("apl".into(), json!({ "resourceType": "Bundle", "type": "searchset", "entry": [] }));
        }
        let mut orders = Vec::new();
        let mut answered = Vec::new();
        let mut selections = Vec::new();
        for (i, (name, code)) in CODED.iter().enumerate() {
            if !ordered[i] { continue; }
            let id = format!("o{i}");
            let o = order(&id, *code);
            let reference = format!("{}/{id}", o["resourceType"].as_str().unwrap_or_default());
            if sign || selected[i] {
                answered.push(*name);
                selections.push(reference);
            }
            orders.push(o);
        }
        if decoy {
            orders.push(order("decoy", (SNOMED, "9000003000")));
        }
        let selection_refs: Vec<&str> = selections.iter().map(String::as_str).collect();
        let (hook, body) = if sign {
            ("order-sign", call("order-sign", &orders, None, p.clone()))
        } else {
            ("order-select", call("order-select", &orders, Some(&selection_refs), p.clone()))
        };
        let answer = service
            .answer(&format!("apl-precautions-{hook}"), &serde_json::to_vec(&body).expect("JSON"), "")
            .unwrap_or_else(|r| panic!("refused: {r:?}"));
        let cards = cards(&answer);
        // The oracle: the same resources read and evaluated by the library.
        let mut entries = Vec::new();
        for v in p.values() {
            for e in v["entry"].as_array().into_iter().flatten() {
                if !entries.contains(e) { entries.push(e.clone()); }
            }
        }
        let bundle = json!({ "resourceType": "Bundle", "type": "collection", "entry": entries });
        let instant = parse_instant("2026-12-01").expect("a date");
        let record = read_record(g, &serde_json::to_vec(&bundle).expect("JSON"), instant).expect("the record reads");
        let e = evaluate(g, &record.case);
        let mut expected_cards = 0;
        for (name, _) in CODED {
            let label = &g.actions.iter().find(|a| a.name == name).expect("an action").label;
            let prefix = format!("{label} ordered:");
            let mine: Vec<&Json> = cards.iter().filter(|c| summary(c).starts_with(&prefix)).collect();
            let expected = if answered.contains(&name) { expected_indicator(g, &e, name) } else { None };
            match expected {
                None => prop_assert!(mine.is_empty(), "{name}: {answer}"),
                Some(indicator) => {
                    expected_cards += 1;
                    prop_assert_eq!(mine.len(), 1, "{}: {}", name, answer);
                    prop_assert_eq!(mine[0]["indicator"].as_str(), Some(indicator), "{}: {}", name, answer);
                    prop_assert_eq!(mine[0].get("overrideReasons").is_some(), indicator != "info" && !matches!(
                        e.actions.iter().find(|a| g.action(a.action).name == name).map(|a| &a.outcome),
                        Some(Outcome::Conflict(_))
                    ));
                }
            }
        }
        prop_assert_eq!(cards.len(), expected_cards, "{}", answer);
    }
}
