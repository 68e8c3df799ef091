//! The CDS Hooks service over real HTTP on localhost: the service runs in
//! this process on port 0 (a thread with its own runtime), and `ureq` talks
//! to it as an EHR would. A small "EHR" here runs the discovery document's
//! prefetch templates against a Bundle, so the prefetch a request carries is
//! the one the service asked for, not one written to suit it.

use std::net::TcpListener;
use std::sync::Arc;

use guidelang::fhir::parse_instant;
use guidelang::model::Guideline;
use guidelang::serve::{router, Clock, Limits, Service, Trust};
use serde_json::{json, Map, Value as Json};

/// The Synthea-style record of `examples/fhir/` (482 entries): an ALS
/// patient with AML and a white count of 152.4 × 10^9/L on 2026-12-01.
const REALISTIC: &str = "examples/fhir/synthea-style-als.json";

/// A guideline that, unlike the bundled one, reads APL from the record (a
/// coded diagnosis), with the bundled guideline's leukapheresis rules: APL
/// and hyperleukocytosis together must give the contraindication. The
/// coagulopathy condition is read with `absent means false`.
const APL: &str = r#"guideline apl-precautions
  title "APL precautions at presentation"
  version 1.0.0
  status draft
  applies when acute_leukemia

reference 1 "Management of acute promyelocytic leukemia: updated recommendations from an expert panel of the European LeukemiaNet" year 2019

action leukapheresis "Leukapheresis" urgent
action hydroxyurea "Hydroxyurea" urgent
action atra "ATRA (all-trans retinoic acid)" urgent
action lumbar_puncture "Lumbar puncture"

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
  because "ATRA corrects the APL coagulopathy; it is started on suspicion."
  cite 1

rule no-lumbar-puncture-in-coagulopathy: avoid lumbar_puncture
  when coagulopathy
  cite 1

rule lumbar-puncture-when-clotting: consider lumbar_puncture
  when not coagulopathy
  cite 1
"#;

/// The bundled guideline and the APL one, both checked.
fn guidelines() -> Vec<Guideline> {
    let bundled = guidelang::bundled().expect("the bundled guideline checks");
    let apl = guidelang::load_str("apl.gl", APL).expect("the APL test guideline checks");
    vec![bundled, apl]
}

/// Starts a service on a free port; its base URL. The thread ends with the
/// test process.
fn start(limits: Limits) -> String {
    let instant = parse_instant("2026-12-01").expect("a date");
    let service = Service::new(guidelines(), Clock::Fixed(instant)).expect("distinct ids");
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let addr = listener.local_addr().expect("an address");
    let app = router(Arc::new(service), limits, Trust::InsecureNoAuth);
    std::thread::spawn(move || guidelang::serve::run(listener, app, std::future::pending()));
    format!("http://{addr}")
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

/// GET: status and body as JSON.
fn get(url: &str) -> (u16, Json) {
    let mut r = agent().get(url).call().expect("the service answers");
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().expect("a body");
    (status, serde_json::from_str(&text).unwrap_or(Json::String(text)))
}

/// POST a body: status and body as JSON.
fn post(url: &str, body: &[u8]) -> (u16, Json) {
    let mut r = agent()
        .post(url)
        .header("content-type", "application/json")
        .send(body)
        .expect("the service answers");
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().expect("a body");
    (status, serde_json::from_str(&text).unwrap_or(Json::String(text)))
}

/// The prefetch templates the service lists for `id`.
fn templates(base: &str, id: &str) -> Map<String, Json> {
    let (status, discovery) = get(&format!("{base}/cds-services"));
    assert_eq!(status, 200);
    let service = discovery["services"]
        .as_array()
        .expect("services")
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no service {id} in {discovery}"));
    service["prefetch"].as_object().expect("prefetch").clone()
}

/// The EHR's side: runs each template against `record` (resources whose
/// subject is already `Patient/<id>`) for patient `patient`, as a FHIR server
/// would: a read for `Patient/{id}`, a search by any of the codes otherwise.
fn run_templates(templates: &Map<String, Json>, record: &[Json], patient: &str) -> Map<String, Json> {
    let mut prefetch = Map::new();
    for (key, template) in templates {
        let t = template
            .as_str()
            .expect("a template")
            .replace("{{context.patientId}}", patient);
        if let Some(id) = t.strip_prefix("Patient/") {
            if let Some(p) = record.iter().find(|r| r["resourceType"] == "Patient" && r["id"] == id) {
                prefetch.insert(key.clone(), p.clone());
            }
            continue;
        }
        let (kind, query) = t.split_once('?').expect("a search");
        let mut codes: Vec<(String, String)> = Vec::new();
        for param in query.split('&') {
            let (name, value) = param.split_once('=').expect("name=value");
            match name {
                "patient" => assert_eq!(value, patient),
                "code" => {
                    for token in value.split(',') {
                        let (system, code) = token.split_once('|').expect("system|code");
                        codes.push((system.into(), code.into()));
                    }
                }
                other => panic!("unexpected search parameter {other} in {t}"),
            }
        }
        let matches = |r: &Json| {
            r["code"]["coding"].as_array().is_some_and(|cs| {
                cs.iter().any(|c| {
                    codes
                        .iter()
                        .any(|(s, k)| c["system"] == s.as_str() && c["code"] == k.as_str())
                })
            })
        };
        let entries: Vec<Json> = record
            .iter()
            .filter(|r| r["resourceType"] == kind && matches(r))
            .map(|r| json!({ "resource": r }))
            .collect();
        prefetch.insert(
            key.clone(),
            json!({ "resourceType": "Bundle", "type": "searchset", "total": entries.len(), "entry": entries }),
        );
    }
    prefetch
}

/// The realistic record as a FHIR server returns it: its resources, with
/// the transaction-style `urn:uuid:` patient references made `Patient/<id>`.
fn realistic() -> (Vec<Json>, String) {
    let bundle: Json = serde_json::from_str(&std::fs::read_to_string(REALISTIC).expect("the example")).expect("JSON");
    let entries = bundle["entry"].as_array().expect("entries");
    let patient = entries
        .iter()
        .find(|e| e["resource"]["resourceType"] == "Patient")
        .expect("a patient");
    let id = patient["resource"]["id"].as_str().expect("an id").to_string();
    let full_url = patient["fullUrl"].as_str().expect("a fullUrl").to_string();
    let text = serde_json::to_string(&entries.iter().map(|e| e["resource"].clone()).collect::<Vec<_>>())
        .expect("JSON")
        .replace(&full_url, &format!("Patient/{id}"));
    (serde_json::from_str(&text).expect("JSON"), id)
}

/// A patient-view request in the specification's shape.
fn request(patient: &str, prefetch: Option<Map<String, Json>>) -> Vec<u8> {
    let mut r = json!({
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "fhirServer": "http://hooks.smarthealthit.org:9080",
        "hook": "patient-view",
        "context": { "userId": "Practitioner/example", "patientId": patient },
    });
    if let Some(p) = prefetch {
        r["prefetch"] = Json::Object(p);
    }
    serde_json::to_vec(&r).expect("JSON")
}

fn cards(answer: &Json) -> &Vec<Json> {
    answer["cards"]
        .as_array()
        .unwrap_or_else(|| panic!("no cards in {answer}"))
}

/// Every card has the specification's required fields, a summary under 140
/// characters, and names the guideline with a link to its document.
fn assert_well_formed(card: &Json, base: &str, g: &Guideline) {
    let summary = card["summary"].as_str().expect("a summary");
    assert!(summary.chars().count() < 140, "{summary}");
    assert!(
        matches!(card["indicator"].as_str(), Some("info" | "warning" | "critical")),
        "{card}"
    );
    let uuid = card["uuid"].as_str().expect("a uuid");
    assert_eq!(uuid.len(), 36, "{uuid}");
    let label = card["source"]["label"].as_str().expect("a label");
    assert!(
        label.contains(&g.meta.id) && label.contains(&g.meta.version.to_string()) && label.contains(&g.hash),
        "{label}"
    );
    assert_eq!(card["source"]["url"], format!("{base}/guidelines/{}", g.meta.id));
}

fn card_for<'c>(cards: &'c [Json], summary_start: &str) -> Option<&'c Json> {
    cards
        .iter()
        .find(|c| c["summary"].as_str().is_some_and(|s| s.starts_with(summary_start)))
}

#[test]
fn health_and_discovery_list_one_service_per_guideline_with_prefetch_from_the_bindings() {
    let base = start(Limits::default());
    let (status, health) = get(&format!("{base}/health"));
    assert_eq!((status, health), (200, json!({ "status": "ok" })));
    let (status, discovery) = get(&format!("{base}/cds-services"));
    assert_eq!(status, 200);
    let ids: Vec<&Json> = discovery["services"]
        .as_array()
        .expect("services")
        .iter()
        .map(|s| &s["id"])
        .collect();
    assert_eq!(ids, [&json!("als-hyperleukocytosis"), &json!("apl-precautions")]);
    for s in discovery["services"].as_array().expect("services") {
        assert_eq!(s["hook"], "patient-view");
        assert!(
            s["description"]
                .as_str()
                .is_some_and(|d| d.contains(s["title"].as_str().unwrap_or("?"))),
            "{s}"
        );
    }
    let p = templates(&base, "als-hyperleukocytosis");
    // The templates follow the bundled guideline's `read from` lines.
    assert_eq!(p["patient"], "Patient/{{context.patientId}}");
    assert_eq!(
        p["wbc"],
        "Observation?patient={{context.patientId}}&code=http://loinc.org|6690-2,http://loinc.org|26464-8"
    );
    assert_eq!(
        p["als"],
        "Condition?patient={{context.patientId}}&code=http://hl7.org/fhir/sid/icd-10-cm|G12.21,http://snomed.info/sct|86044005"
    );
    assert_eq!(
        p["weight"],
        "Observation?patient={{context.patientId}}&code=http://loinc.org|29463-7"
    );
    // Facts without a binding have no template: the EHR cannot send them.
    for unbound in ["pml_rara", "apl_morphology", "lineage", "hydroxyurea_response", "age"] {
        assert!(!p.contains_key(unbound), "{unbound}");
    }
    // One Patient read, 13 observations, 2 conditions.
    assert_eq!(p.len(), 16, "{p:?}");
}

#[test]
fn the_specifications_example_request_gets_one_card_asking_for_the_scope_facts() {
    let base = start(Limits::default());
    // The CDS Hooks 2.0 specification's patient-view example, verbatim: its
    // prefetch key is not one this service asked for, so nothing is known.
    let example = r#"{
       "hookInstance" : "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
       "fhirServer" : "http://hooks.smarthealthit.org:9080",
       "hook" : "patient-view",
       "fhirAuthorization" : {
         "access_token" : "some-opaque-fhir-access-token",
         "token_type" : "Bearer",
         "expires_in" : 300,
         "scope" : "user/Patient.read user/Observation.read",
         "subject" : "cds-service4"
       },
       "context" : {
         "userId" : "Practitioner/example",
         "patientId" : "1288992",
         "encounterId" : "89284"
       },
       "prefetch" : {
          "patientToGreet" : {
            "resourceType" : "Patient",
            "gender" : "male",
            "birthDate" : "1925-12-23",
            "id" : "1288992",
            "active" : true
          }
       }
    }"#;
    let (status, answer) = post(
        &format!("{base}/cds-services/als-hyperleukocytosis"),
        example.as_bytes(),
    );
    assert_eq!(status, 200, "{answer}");
    let cards = cards(&answer);
    assert_eq!(cards.len(), 1, "{answer}");
    let g = &guidelines()[0];
    assert_well_formed(&cards[0], &base, g);
    assert_eq!(cards[0]["indicator"], "info");
    let summary = cards[0]["summary"].as_str().unwrap_or_default();
    assert!(
        summary.starts_with("Not known whether this guideline applies: record"),
        "{summary}"
    );
    let detail = cards[0]["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("the EHR sent no \"als\" prefetch"), "{detail}");
    assert!(
        detail.contains("the EHR sent no \"acute\\_leukemia\" prefetch"),
        "{detail}"
    );
}

#[test]
fn an_apl_patient_with_hyperleukocytosis_gets_a_critical_card_against_leukapheresis() {
    let base = start(Limits::default());
    let patient = "apl-1";
    let record = vec![
        json!({ "resourceType": "Patient", "id": patient, "birthDate": "1960-05-01" }),
        condition("c-apl", patient, "http://hl7.org/fhir/sid/icd-10", "C92.4"),
        json!({
            "resourceType": "Observation", "id": "wbc-1", "status": "final",
            "code": { "coding": [{ "system": "http://loinc.org", "code": "6690-2" }] },
            "subject": { "reference": format!("Patient/{patient}") },
            "effectiveDateTime": "2026-12-01T06:30:00Z",
            "valueQuantity": { "value": 152000, "unit": "/uL", "system": "http://unitsofmeasure.org", "code": "/uL" }
        }),
    ];
    let prefetch = run_templates(&templates(&base, "apl-precautions"), &record, patient);
    let (status, answer) = post(
        &format!("{base}/cds-services/apl-precautions"),
        &request(patient, Some(prefetch)),
    );
    assert_eq!(status, 200, "{answer}");
    let cards = cards(&answer);
    let g = &guidelines()[1];
    for c in cards {
        assert_well_formed(c, &base, g);
    }
    // The contraindication comes first, critical, with why and the citation.
    assert_eq!(cards[0]["summary"], "Leukapheresis: contraindicated");
    assert_eq!(cards[0]["indicator"], "critical");
    let detail = cards[0]["detail"].as_str().unwrap_or_default();
    for part in [
        "Risk of fatal hemorrhage.",
        "Leukapheresis in APL can set off fatal bleeding.",
        "`no-leukapheresis-in-apl`",
        "European LeukemiaNet",
    ] {
        assert!(detail.contains(part), "{part} not in {detail}");
    }
    // Urgent recommendations: warnings to act now.
    for action in ["Hydroxyurea", "ATRA (all-trans retinoic acid)"] {
        let c = card_for(cards, action).unwrap_or_else(|| panic!("no {action} card in {answer}"));
        assert_eq!(c["indicator"], "warning");
        assert_eq!(c["summary"], format!("{action}: recommended, urgent: act now"));
    }
    // The coagulopathy key came back empty and the guideline reads its
    // absence as false: the lumbar puncture is considered (not urgent: info).
    let lp = card_for(cards, "Lumbar puncture").expect("a lumbar puncture card");
    assert_eq!(
        (&lp["indicator"], &lp["summary"]),
        (&json!("info"), &json!("Lumbar puncture: consider"))
    );
    assert_eq!(cards.len(), 4, "{answer}");
}

#[test]
fn a_missing_prefetch_key_leaves_its_facts_unknown_never_guessed() {
    let base = start(Limits::default());
    let patient = "apl-2";
    let record = vec![
        json!({ "resourceType": "Patient", "id": patient }),
        condition("c-apl", patient, "http://snomed.info/sct", "110004001"),
    ];
    let mut prefetch = run_templates(&templates(&base, "apl-precautions"), &record, patient);
    // The EHR could not run two of the searches: one left out, one null.
    assert!(prefetch.remove("wbc").is_some());
    prefetch.insert("coagulopathy".into(), Json::Null);
    let (status, answer) = post(
        &format!("{base}/cds-services/apl-precautions"),
        &request(patient, Some(prefetch)),
    );
    assert_eq!(status, 200, "{answer}");
    let cards = cards(&answer);
    // What the record decides is still said: APL alone contraindicates
    // leukapheresis and calls for ATRA.
    assert_eq!(cards[0]["summary"], "Leukapheresis: contraindicated");
    assert!(card_for(cards, "ATRA").is_some(), "{answer}");
    // Hydroxyurea needs the white count; the lumbar puncture the coagulopathy,
    // whose absence would read as false had the search been run: one info card.
    assert!(card_for(cards, "Hydroxyurea").is_none(), "{answer}");
    assert!(card_for(cards, "Lumbar puncture").is_none(), "{answer}");
    let last = cards.last().expect("cards");
    assert_eq!(last["indicator"], "info");
    assert!(
        last["summary"]
            .as_str()
            .is_some_and(|s| s.starts_with("2 actions not decided: record")),
        "{last}"
    );
    let detail = last["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("the EHR sent no \"wbc\" prefetch"), "{detail}");
    assert!(detail.contains("the EHR sent no \"coagulopathy\" prefetch"), "{detail}");
    assert_eq!(cards.len(), 3, "{answer}");
}

#[test]
fn a_realistic_record_through_the_derived_prefetch_gives_the_bundled_guidelines_cards() {
    let base = start(Limits::default());
    let (record, patient) = realistic();
    assert!(record.len() > 400);
    let prefetch = run_templates(&templates(&base, "als-hyperleukocytosis"), &record, &patient);
    let (status, answer) = post(
        &format!("{base}/cds-services/als-hyperleukocytosis"),
        &request(&patient, Some(prefetch)),
    );
    assert_eq!(status, 200, "{answer}");
    let cards = cards(&answer);
    let g = &guidelines()[0];
    for c in cards {
        assert_well_formed(c, &base, g);
    }
    // ALS contraindicates intensive induction: critical.
    let induction = card_for(cards, "Intensive induction").expect("an induction card");
    assert_eq!(induction["indicator"], "critical");
    // White count 152.4, weight 71.2 kg: hydroxyurea 50–60 mg/kg/day, urgent.
    let hu = card_for(cards, "Hydroxyurea").expect("a hydroxyurea card");
    assert_eq!(hu["indicator"], "warning");
    let summary = hu["summary"].as_str().unwrap_or_default();
    assert!(
        summary.contains("act now") && summary.contains("3560–4272 mg/day"),
        "{summary}"
    );
    // APL is not known from a record (no code is bound to the smear or
    // PML-RARA): leukapheresis is not decided, and the card says what to record.
    assert!(card_for(cards, "Leukapheresis").is_none(), "{answer}");
    let undecided = cards.last().expect("cards");
    assert_eq!(undecided["indicator"], "info");
    let detail = undecided["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("**Leukapheresis**: record"), "{detail}");
    assert!(detail.contains("PML-RARA result"), "{detail}");
    // Cards come in order of caution.
    let rank = |c: &Json| match c["indicator"].as_str() {
        Some("critical") => 0,
        Some("warning") => 1,
        _ => 2,
    };
    assert!(cards.windows(2).all(|w| rank(&w[0]) <= rank(&w[1])), "{answer}");
}

#[test]
fn bad_requests_are_refused_with_a_clear_json_error() {
    let base = start(Limits::default());
    let url = format!("{base}/cds-services/als-hyperleukocytosis");
    let cases: [(&[u8], &str); 6] = [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (br#"{"hookInstance": "x", "context": {"patientId": "p"}}"#, "no `hook`"),
        (
            br#"{"hook": "patient-view", "hookInstance": "x", "context": {}}"#,
            "no `context.patientId`",
        ),
        (
            br#"{"hook": "order-sign", "hookInstance": "x", "context": {"patientId": "p"}}"#,
            "not `order-sign`",
        ),
        (
            br#"{"hook": "patient-view", "hookInstance": "x", "context": {"patientId": "p"}, "prefetch": {"wbc": 5}}"#,
            "`prefetch.wbc` must be a FHIR resource or Bundle",
        ),
    ];
    for (body, expected) in cases {
        let (status, answer) = post(&url, body);
        assert_eq!(status, 400, "{answer}");
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(error.contains(expected), "{expected:?} not in {error:?}");
    }
}

#[test]
fn a_resource_about_another_patient_is_refused_not_read() {
    let base = start(Limits::default());
    let record = vec![
        json!({ "resourceType": "Patient", "id": "p-1" }),
        condition("c-apl", "someone-else", "http://hl7.org/fhir/sid/icd-10", "C92.4"),
    ];
    let prefetch = run_templates(&templates(&base, "apl-precautions"), &record, "p-1");
    let (status, answer) = post(
        &format!("{base}/cds-services/apl-precautions"),
        &request("p-1", Some(prefetch)),
    );
    assert_eq!(status, 400, "{answer}");
    let error = answer["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("Patient/someone-else") && error.contains("nothing was evaluated"),
        "{error}"
    );
}

#[test]
fn unknown_services_and_endpoints_are_404_and_the_document_is_served() {
    let base = start(Limits::default());
    let (status, answer) = post(&format!("{base}/cds-services/no-such-guideline"), &request("p", None));
    assert_eq!(status, 404);
    assert!(
        answer["error"]
            .as_str()
            .is_some_and(|e| e.contains("no-such-guideline")),
        "{answer}"
    );
    let (status, _) = get(&format!("{base}/no/such/endpoint"));
    assert_eq!(status, 404);
    let (status, doc) = get(&format!("{base}/guidelines/apl-precautions"));
    assert_eq!(status, 200);
    let html = doc.as_str().unwrap_or_default();
    assert!(
        html.contains("APL precautions at presentation") && html.contains("Risk of fatal hemorrhage"),
        "{html}"
    );
}

#[test]
fn an_oversized_body_is_refused_with_413() {
    let base = start(Limits {
        max_body_bytes: 16 * 1024,
        ..Limits::default()
    });
    let url = format!("{base}/cds-services/als-hyperleukocytosis");
    let big = vec![b' '; 32 * 1024];
    let (status, _) = post(&url, &big);
    assert_eq!(status, 413);
    // Under the limit, the same service answers.
    let (status, _) = post(&url, &request("p", None));
    assert_eq!(status, 200);
}

/// An active, confirmed Condition with one code.
fn condition(id: &str, patient: &str, system: &str, code: &str) -> Json {
    json!({
        "resourceType": "Condition", "id": id,
        "clinicalStatus": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active" }] },
        "verificationStatus": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "confirmed" }] },
        "code": { "coding": [{ "system": system, "code": code }] },
        "subject": { "reference": format!("Patient/{patient}") }
    })
}

#[test]
fn a_request_that_outlasts_the_timeout_gets_408() {
    use std::io::{Read, Write};
    let base = start(Limits {
        timeout: std::time::Duration::from_millis(300),
        ..Limits::default()
    });
    // A client that announces a body and stalls after its first byte: the
    // service gives up at the timeout instead of holding the request open.
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).expect("connects");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .expect("a read timeout");
    let head = format!(
        "POST /cds-services/als-hyperleukocytosis HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{"
    );
    stream.write_all(head.as_bytes()).expect("sent");
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    // Read until the status line is in (the connection may stay open).
    while !answer.windows(2).any(|w| w == b"\r\n") {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) => panic!("no answer: {e}"),
        }
    }
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
}
