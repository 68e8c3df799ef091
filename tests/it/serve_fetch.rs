//! Missing prefetch data fetched from the EHR's FHIR server, over real HTTP
//! on localhost: the service runs in this process, and so does a stand-in
//! FHIR server (axum on port 0) that answers the discovery templates from a
//! list of resources, checks the bearer token, pages its searches, and can be
//! told to stall, fail or answer garbage. The stand-in is also what fills a
//! complete prefetch (as the EHR would), so "fetched" and "prefetched" are
//! compared on the same data.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use guidelang::fhir::parse_instant;
use guidelang::serve::{router, Clock, FetchOptions, Limits, Options, Service, Trust};
use serde_json::{json, Map, Value as Json};

const TOKEN: &str = "fhir-token-7f3a9c";

/// Reads APL, the acute leukemia and the age from the record; the white
/// count over 48 hours (the latest counts).
const GUIDELINE: &str = r#"guideline apl-fetch
  title "APL precautions (fetch test)"
  version 1.0.0
  status draft
  applies when acute_leukemia and age >= 18

reference 1 "Management of acute promyelocytic leukemia" year 2019

action leukapheresis "Leukapheresis" urgent
action hydroxyurea "Hydroxyurea" urgent
action atra "ATRA (all-trans retinoic acid)" urgent

fact age: number in years from 0 to 130 "Age" read from birth date
fact acute_leukemia: bool "Newly diagnosed acute leukemia"
  read from condition icd10 C92.0, C92.4
fact apl: bool "Acute promyelocytic leukemia"
  read from condition icd10 C92.4
fact wbc: number in 10^9/L from 0 "White blood cell count"
  read from observation loinc 6690-2, 26464-8 within 48 h

rule no-leukapheresis-in-apl: contraindicated leukapheresis
  when apl
  cite 1

rule hydroxyurea-for-cytoreduction: recommend hydroxyurea
  when wbc > 100
  cite 1

rule no-hydroxyurea-below: avoid hydroxyurea
  when wbc <= 100
  cite 1

rule atra-in-apl: recommend atra
  when apl
  cite 1
"#;

const PATIENT: &str = "apl-7";

/// How the stand-in answers.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Normal,
    Stall,
    ServerError,
    Garbage,
    OtherPatient,
}

/// The stand-in FHIR server's state: its resources, page size, mode, and
/// every request it was sent (path and query, Authorization header).
struct Fhir {
    base: String,
    record: Vec<Json>,
    page_size: usize,
    mode: Mutex<Mode>,
    asked: Mutex<Vec<(String, String)>>,
}

impl Fhir {
    fn asked(&self) -> Vec<(String, String)> {
        self.asked.lock().map(|a| a.clone()).unwrap_or_default()
    }
}

/// Starts a stand-in FHIR server for `record`; its state (base URL in it).
fn start_fhir(record: Vec<Json>, page_size: usize, mode: Mode) -> Arc<Fhir> {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let addr = listener.local_addr().expect("an address");
    listener.set_nonblocking(true).expect("non-blocking");
    let fhir = Arc::new(Fhir {
        base: format!("http://{addr}/fhir"),
        record,
        page_size,
        mode: Mutex::new(mode),
        asked: Mutex::new(Vec::new()),
    });
    let app = axum::Router::new().fallback(answer).with_state(fhir.clone());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("a listener");
            axum::serve(listener, app).await
        })
    });
    fhir
}

/// The stand-in's one handler: a read of `Patient/{id}`, or a search of a
/// resource type by `patient` and any of the `code` tokens, `_offset` paged.
async fn answer(
    State(fhir): State<Arc<Fhir>>,
    uri: Uri,
    headers: HeaderMap,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let auth = headers
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let asked = uri.path_and_query().map_or_else(String::new, |p| p.to_string());
    if let Ok(mut a) = fhir.asked.lock() {
        a.push((asked, auth.clone()));
    }
    let outcome = |status: StatusCode, text: &str| {
        let body = json!({ "resourceType": "OperationOutcome", "issue": [{ "severity": "error", "code": "processing", "diagnostics": text }] });
        (status, axum::Json(body)).into_response()
    };
    if auth != format!("Bearer {TOKEN}") {
        return outcome(StatusCode::UNAUTHORIZED, "no valid token");
    }
    let mode = fhir.mode.lock().map_or(Mode::Normal, |m| *m);
    match mode {
        Mode::Stall => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            return outcome(StatusCode::OK, "too late");
        }
        Mode::ServerError => return outcome(StatusCode::INTERNAL_SERVER_ERROR, "down"),
        Mode::Garbage => return (StatusCode::OK, "<html>a login page</html>").into_response(),
        Mode::Normal | Mode::OtherPatient => {}
    }
    let path = uri.path().trim_start_matches("/fhir/");
    if let Some(id) = path.strip_prefix("Patient/") {
        return match fhir
            .record
            .iter()
            .find(|r| r["resourceType"] == "Patient" && r["id"] == id)
        {
            Some(p) => axum::Json(p.clone()).into_response(),
            None => outcome(StatusCode::NOT_FOUND, "no such patient"),
        };
    }
    let param = |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let patient = param("patient").unwrap_or_default();
    let codes: Vec<(String, String)> = param("code")
        .unwrap_or_default()
        .split(',')
        .filter_map(|t| t.split_once('|'))
        .map(|(s, c)| (s.to_string(), c.to_string()))
        .collect();
    let subject = format!("Patient/{patient}");
    let mut matches: Vec<Json> = fhir
        .record
        .iter()
        .filter(|r| r["resourceType"] == path && r["subject"]["reference"] == subject.as_str())
        .filter(|r| {
            r["code"]["coding"].as_array().is_some_and(|cs| {
                cs.iter().any(|c| {
                    codes
                        .iter()
                        .any(|(s, k)| c["system"] == s.as_str() && c["code"] == k.as_str())
                })
            })
        })
        .cloned()
        .collect();
    if mode == Mode::OtherPatient {
        for m in &mut matches {
            m["subject"]["reference"] = json!("Patient/someone-else");
        }
    }
    let offset: usize = param("_offset").and_then(|o| o.parse().ok()).unwrap_or(0);
    let page: Vec<Json> = matches
        .iter()
        .skip(offset)
        .take(fhir.page_size)
        .map(|r| json!({ "resource": r, "search": { "mode": "match" } }))
        .collect();
    let mut bundle = json!({ "resourceType": "Bundle", "type": "searchset", "total": matches.len(), "entry": page });
    if offset + fhir.page_size < matches.len() {
        let query: Vec<String> = params
            .iter()
            .filter(|(n, _)| n != "_offset")
            .map(|(n, v)| format!("{n}={}", v.replace('|', "%7C")))
            .collect();
        let next = format!(
            "{}/{path}?{}&_offset={}",
            fhir.base,
            query.join("&"),
            offset + fhir.page_size
        );
        bundle["link"] = json!([{ "relation": "next", "url": next }]);
    }
    axum::Json(bundle).into_response()
}

/// Starts the service for the test guideline (or `guideline`), evaluating
/// as of 2026-12-01T12:00Z; its base URL.
fn start_service(guideline: guidelang::model::Guideline, limits: Limits, fetch: FetchOptions) -> String {
    let instant = parse_instant("2026-12-01T12:00:00Z").expect("an instant");
    let service = Service::new(vec![guideline], Clock::Fixed(instant))
        .expect("one guideline")
        .with_options(&Options {
            fetch,
            feedback_log: None,
        })
        .expect("no log to open");
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let addr = listener.local_addr().expect("an address");
    let app = router(Arc::new(service), limits, Trust::InsecureNoAuth);
    std::thread::spawn(move || guidelang::serve::run(listener, app, std::future::pending()));
    format!("http://{addr}")
}

fn test_guideline() -> guidelang::model::Guideline {
    guidelang::load_str("apl-fetch.gl", GUIDELINE).expect("the test guideline checks")
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

/// GET as the EHR, with the token: the JSON answer.
fn ehr_get(url: &str) -> Json {
    let mut r = agent()
        .get(url)
        .header("Authorization", format!("Bearer {TOKEN}"))
        .call()
        .expect("the stand-in answers");
    serde_json::from_str(&r.body_mut().read_to_string().expect("a body")).expect("JSON")
}

/// POST a body: status and JSON answer.
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

/// The discovery templates of the only service.
fn templates(base: &str) -> Map<String, Json> {
    let mut r = agent().get(&format!("{base}/cds-services")).call().expect("answers");
    let d: Json = serde_json::from_str(&r.body_mut().read_to_string().expect("a body")).expect("JSON");
    d["services"][0]["prefetch"].as_object().expect("prefetch").clone()
}

/// The complete prefetch, as the EHR fills it from its FHIR server.
fn full_prefetch(base: &str, fhir: &Fhir, patient: &str) -> Map<String, Json> {
    templates(base)
        .into_iter()
        .map(|(key, t)| {
            let path = t
                .as_str()
                .expect("a template")
                .replace("{{context.patientId}}", patient)
                .replace('|', "%7C");
            (key, ehr_get(&format!("{}/{path}", fhir.base)))
        })
        .collect()
}

/// A patient-view request; with `fhir`, `fhirServer` and `fhirAuthorization`.
fn request(patient: &str, prefetch: Option<Map<String, Json>>, fhir: Option<(&str, &str)>) -> Json {
    let mut r = json!({
        "hook": "patient-view",
        "hookInstance": "0e1f7a1c-2b3d-4c5e-8f90-a1b2c3d4e5f6",
        "context": { "userId": "Practitioner/example", "patientId": patient },
    });
    if let Some(p) = prefetch {
        r["prefetch"] = Json::Object(p);
    }
    if let Some((server, token)) = fhir {
        r["fhirServer"] = json!(server);
        r["fhirAuthorization"] = json!({
            "access_token": token, "token_type": "Bearer", "expires_in": 300,
            "scope": "user/Patient.read user/Observation.read user/Condition.read", "subject": "guidelang"
        });
    }
    r
}

/// What a clinician sees of the cards, without the fresh uuids.
fn shown(answer: &Json) -> Vec<(String, String, String)> {
    answer["cards"]
        .as_array()
        .unwrap_or_else(|| panic!("no cards in {answer}"))
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
            (s("indicator"), s("summary"), s("detail"))
        })
        .collect()
}

fn observation(id: &str, patient: &str, when: &str, per_ul: f64) -> Json {
    json!({
        "resourceType": "Observation", "id": id, "status": "final",
        "code": { "coding": [{ "system": "http://loinc.org", "code": "6690-2" }] },
        "subject": { "reference": format!("Patient/{patient}") },
        "effectiveDateTime": when,
        "valueQuantity": { "value": per_ul, "unit": "/uL", "system": "http://unitsofmeasure.org", "code": "/uL" }
    })
}

fn condition(id: &str, patient: &str, code: &str) -> Json {
    json!({
        "resourceType": "Condition", "id": id,
        "clinicalStatus": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active" }] },
        "verificationStatus": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "confirmed" }] },
        "code": { "coding": [{ "system": "http://hl7.org/fhir/sid/icd-10", "code": code }] },
        "subject": { "reference": format!("Patient/{patient}") }
    })
}

/// An adult with APL and three white counts over the last day, the latest
/// (152 × 10^9/L) decisive: above 100, hydroxyurea is recommended; the
/// older ones (40, 60) would make it avoided.
fn apl_record() -> Vec<Json> {
    vec![
        json!({ "resourceType": "Patient", "id": PATIENT, "birthDate": "1960-05-01" }),
        condition("c-apl", PATIENT, "C92.4"),
        observation("wbc-1", PATIENT, "2026-11-30T20:00:00Z", 40_000.0),
        observation("wbc-2", PATIENT, "2026-12-01T02:00:00Z", 60_000.0),
        observation("wbc-3", PATIENT, "2026-12-01T08:00:00Z", 152_000.0),
        // Someone else's count, which the search must not return.
        observation("wbc-x", "another", "2026-12-01T09:00:00Z", 5_000.0),
    ]
}

fn url(base: &str) -> String {
    format!("{base}/cds-services/apl-fetch")
}

fn undecided_detail(answer: &Json) -> String {
    let cards = answer["cards"].as_array().expect("cards");
    let last = cards.last().expect("a card");
    assert_eq!(last["indicator"], "info", "{answer}");
    last["detail"].as_str().unwrap_or_default().to_string()
}

#[test]
fn a_missing_key_is_fetched_and_decides_exactly_as_the_prefetch_would() {
    let fhir = start_fhir(apl_record(), 50, Mode::Normal);
    let base = start_service(test_guideline(), Limits::default(), FetchOptions::default());
    let full = full_prefetch(&base, &fhir, PATIENT);
    let (status, prefetched) = post(&url(&base), &request(PATIENT, Some(full.clone()), None));
    assert_eq!(status, 200, "{prefetched}");
    let before = fhir.asked().len();
    let mut without_wbc = full;
    assert!(without_wbc.remove("wbc").is_some());
    let (status, fetched) = post(
        &url(&base),
        &request(PATIENT, Some(without_wbc.clone()), Some((&fhir.base, TOKEN))),
    );
    assert_eq!(status, 200, "{fetched}");
    assert_eq!(shown(&fetched), shown(&prefetched));
    // The latest count decided: hydroxyurea recommended, urgent.
    assert!(
        shown(&fetched)
            .iter()
            .any(|(i, s, _)| i == "warning" && s == "Hydroxyurea: recommended, urgent: act now"),
        "{fetched}"
    );
    // Only the missing key was asked for, once, with the token.
    let asked = fhir.asked()[before..].to_vec();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert!(
        asked[0].0.starts_with("/fhir/Observation?patient=apl-7&code="),
        "{asked:?}"
    );
    assert_eq!(asked[0].1, format!("Bearer {TOKEN}"));
    // Without fhirServer the same request leaves hydroxyurea undecided.
    let (_, alone) = post(&url(&base), &request(PATIENT, Some(without_wbc), None));
    assert!(
        !shown(&alone).iter().any(|(_, s, _)| s.starts_with("Hydroxyurea")),
        "{alone}"
    );
    assert!(undecided_detail(&alone).contains("the EHR sent no \"wbc\" prefetch"));
}

#[test]
fn no_prefetch_at_all_is_fetched_key_by_key_with_the_same_cards() {
    let fhir = start_fhir(apl_record(), 50, Mode::Normal);
    let base = start_service(test_guideline(), Limits::default(), FetchOptions::default());
    let full = full_prefetch(&base, &fhir, PATIENT);
    let keys = full.len();
    let (_, prefetched) = post(&url(&base), &request(PATIENT, Some(full), None));
    let before = fhir.asked().len();
    let (status, fetched) = post(&url(&base), &request(PATIENT, None, Some((&fhir.base, TOKEN))));
    assert_eq!(status, 200, "{fetched}");
    assert_eq!(shown(&fetched), shown(&prefetched));
    assert_eq!(shown(&fetched)[0].1, "Leukapheresis: contraindicated");
    // One read of the Patient and one search per bound condition or count.
    assert_eq!(fhir.asked().len() - before, keys);
    assert_eq!(keys, 4);
}

#[test]
fn a_search_is_followed_through_its_pages_and_refused_past_the_bound() {
    // One resource a page: the decisive count is on the third page.
    let fhir = start_fhir(apl_record(), 1, Mode::Normal);
    let base = start_service(test_guideline(), Limits::default(), FetchOptions::default());
    let mut prefetch = full_prefetch(&base, &fhir, PATIENT);
    prefetch.remove("wbc");
    let before = fhir.asked().len();
    let (status, answer) = post(
        &url(&base),
        &request(PATIENT, Some(prefetch.clone()), Some((&fhir.base, TOKEN))),
    );
    assert_eq!(status, 200, "{answer}");
    assert!(
        shown(&answer)
            .iter()
            .any(|(_, s, _)| s == "Hydroxyurea: recommended, urgent: act now"),
        "{answer}"
    );
    let pages: Vec<String> = fhir.asked()[before..].iter().map(|(p, _)| p.clone()).collect();
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert!(pages[2].contains("_offset=2"), "{pages:?}");
    // With at most two pages followed, the search is incomplete: not read.
    let bounded = start_service(
        test_guideline(),
        Limits::default(),
        FetchOptions {
            max_pages: 2,
            ..FetchOptions::default()
        },
    );
    let (status, answer) = post(
        &url(&bounded),
        &request(PATIENT, Some(prefetch), Some((&fhir.base, TOKEN))),
    );
    assert_eq!(status, 200, "{answer}");
    assert!(
        !shown(&answer).iter().any(|(_, s, _)| s.starts_with("Hydroxyurea")),
        "{answer}"
    );
    let detail = undecided_detail(&answer);
    assert!(detail.contains("white blood cell count"), "{detail}");
    assert!(detail.contains("more than 2 pages"), "{detail}");
}

#[test]
fn a_stalled_fhir_server_leaves_the_fact_unknown_within_the_fetch_timeout() {
    let fhir = start_fhir(apl_record(), 50, Mode::Normal);
    // The request may take 20 s; fetching, 0.5 s. Were the fetch not cut at
    // its timeout, the stand-in's 60 s stall would make this a 408.
    let base = start_service(
        test_guideline(),
        Limits {
            timeout: Duration::from_secs(20),
            ..Limits::default()
        },
        FetchOptions {
            timeout: Duration::from_millis(500),
            ..FetchOptions::default()
        },
    );
    let mut prefetch = full_prefetch(&base, &fhir, PATIENT);
    prefetch.remove("wbc");
    if let Ok(mut m) = fhir.mode.lock() {
        *m = Mode::Stall;
    }
    let (status, answer) = post(
        &url(&base),
        &request(PATIENT, Some(prefetch), Some((&fhir.base, TOKEN))),
    );
    assert_eq!(status, 200, "{answer}");
    // What the prefetch decides still shows; the count's decision does not.
    assert_eq!(shown(&answer)[0].1, "Leukapheresis: contraindicated");
    assert!(
        !shown(&answer).iter().any(|(_, s, _)| s.starts_with("Hydroxyurea")),
        "{answer}"
    );
    let detail = undecided_detail(&answer);
    assert!(detail.contains("**Hydroxyurea**"), "{detail}");
    assert!(
        detail.contains("white blood cell count: the EHR sent no \"wbc\" prefetch, and it could not be fetched: the FHIR server did not answer within 0.5 s"),
        "{detail}"
    );
}

#[test]
fn refusals_errors_and_garbage_from_the_fhir_server_leave_the_fact_unknown_with_the_reason() {
    let fhir = start_fhir(apl_record(), 50, Mode::Normal);
    let base = start_service(test_guideline(), Limits::default(), FetchOptions::default());
    let mut prefetch = full_prefetch(&base, &fhir, PATIENT);
    prefetch.remove("wbc");
    let cases = [
        (
            Mode::Normal,
            "wrong-token",
            "the FHIR server refused the access token (HTTP 401)",
        ),
        (Mode::ServerError, TOKEN, "the FHIR server answered HTTP 500"),
        (Mode::Garbage, TOKEN, "the FHIR server did not answer with JSON"),
        (
            Mode::OtherPatient,
            TOKEN,
            "the FHIR server answered with a resource about another patient",
        ),
    ];
    for (mode, token, reason) in cases {
        if let Ok(mut m) = fhir.mode.lock() {
            *m = mode;
        }
        let (status, answer) = post(
            &url(&base),
            &request(PATIENT, Some(prefetch.clone()), Some((&fhir.base, token))),
        );
        assert_eq!(status, 200, "{mode:?}: {answer}");
        assert!(
            !shown(&answer).iter().any(|(_, s, _)| s.starts_with("Hydroxyurea")),
            "{mode:?}: {answer}"
        );
        let detail = undecided_detail(&answer);
        assert!(detail.contains(reason), "{mode:?}: {reason:?} not in {detail}");
    }
}

#[test]
fn a_null_key_is_not_fetched_and_plain_http_to_another_machine_is_not_used() {
    let fhir = start_fhir(apl_record(), 50, Mode::Normal);
    let base = start_service(test_guideline(), Limits::default(), FetchOptions::default());
    let mut prefetch = full_prefetch(&base, &fhir, PATIENT);
    prefetch.insert("wbc".into(), Json::Null);
    let before = fhir.asked().len();
    let (status, answer) = post(
        &url(&base),
        &request(PATIENT, Some(prefetch.clone()), Some((&fhir.base, TOKEN))),
    );
    assert_eq!(status, 200, "{answer}");
    // The EHR ran the search and had nothing to give: not asked again.
    assert_eq!(fhir.asked().len(), before);
    assert!(undecided_detail(&answer).contains("the EHR sent no \"wbc\" prefetch"));
    // A plain-http server elsewhere would get the token in clear: not asked.
    prefetch.remove("wbc");
    let (status, answer) = post(
        &url(&base),
        &request(PATIENT, Some(prefetch), Some(("http://ehr.invalid/fhir", TOKEN))),
    );
    assert_eq!(status, 200, "{answer}");
    let detail = undecided_detail(&answer);
    assert!(detail.contains("plain http on another machine"), "{detail}");
}

#[test]
fn a_malformed_fhir_authorization_is_refused_with_400() {
    let base = start_service(test_guideline(), Limits::default(), FetchOptions::default());
    let mut r = request(PATIENT, None, Some(("https://ehr.example.org/fhir", TOKEN)));
    r["fhirAuthorization"]["token_type"] = json!("MAC");
    let (status, answer) = post(&url(&base), &r);
    assert_eq!(status, 400, "{answer}");
    let error = answer["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("`fhirAuthorization.token_type` must be `Bearer`"),
        "{error}"
    );
    assert!(!error.contains(TOKEN), "{error}");
}

#[cfg(unix)]
#[test]
fn the_token_never_appears_in_the_services_log() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Command, Stdio};
    let fhir = start_fhir(apl_record(), 1, Mode::Normal);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("apl-fetch.gl");
    std::fs::write(&file, GUIDELINE).expect("written");
    let mut child = Command::new(env!("CARGO_BIN_EXE_guidelang"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--as-of",
            "2026-12-01T12:00:00Z",
            "--fetch-timeout",
            "5",
            "--insecure-no-auth",
        ])
        .arg(&file)
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut log = String::new();
    while !log.contains("listening on") {
        let mut line = String::new();
        if stderr.read_line(&mut line).expect("a line") == 0 {
            panic!("the service did not start: {log}");
        }
        log.push_str(&line);
    }
    let addr = log
        .split("listening on ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {log:?}"))
        .to_string();
    // Everything fetched (and paged), then a refused token, then a stall-free error.
    let (status, answer) = post(&url(&addr), &request(PATIENT, None, Some((&fhir.base, TOKEN))));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(shown(&answer)[0].1, "Leukapheresis: contraindicated");
    if let Ok(mut m) = fhir.mode.lock() {
        *m = Mode::ServerError;
    }
    let (status, _) = post(&url(&addr), &request(PATIENT, None, Some((&fhir.base, TOKEN))));
    assert_eq!(status, 200);
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    assert_eq!(child.wait().expect("exits").code(), Some(0));
    stderr.read_to_string(&mut log).expect("the rest");
    assert!(log.contains("stopped"), "{log}");
    assert!(!log.contains(TOKEN), "{log}");
    assert!(!log.contains(PATIENT), "{log}");
    // The stand-in did get it, so the test would see a leak.
    assert!(fhir.asked().iter().all(|(_, auth)| auth.contains(TOKEN)));
}

/// The realistic record of `examples/fhir/` (482 entries) as a FHIR server
/// holds it: its resources, with transaction-style `urn:uuid:` patient
/// references made `Patient/<id>`; and the patient's id.
fn realistic() -> (Vec<Json>, String) {
    let text = std::fs::read_to_string("examples/fhir/synthea-style-als.json").expect("the example");
    let bundle: Json = serde_json::from_str(&text).expect("JSON");
    let entries = bundle["entry"].as_array().expect("entries");
    let patient = entries
        .iter()
        .find(|e| e["resource"]["resourceType"] == "Patient")
        .expect("a patient");
    let id = patient["resource"]["id"].as_str().expect("an id").to_string();
    let full_url = patient["fullUrl"].as_str().expect("a fullUrl").to_string();
    let resources = serde_json::to_string(&entries.iter().map(|e| e["resource"].clone()).collect::<Vec<_>>())
        .expect("JSON")
        .replace(&full_url, &format!("Patient/{id}"));
    (serde_json::from_str(&resources).expect("JSON"), id)
}

/// The bundled guideline's service, and stand-ins for the realistic record
/// paging by 7, 50 and 1000 entries; the full prefetch and its cards.
struct Realistic {
    base: String,
    fhirs: Vec<Arc<Fhir>>,
    patient: String,
    full: Map<String, Json>,
    cards: Vec<(String, String, String)>,
}

fn realistic_setup() -> &'static Realistic {
    static R: std::sync::OnceLock<Realistic> = std::sync::OnceLock::new();
    R.get_or_init(|| {
        let (record, patient) = realistic();
        let fhirs: Vec<Arc<Fhir>> = [7, 50, 1000]
            .into_iter()
            .map(|size| start_fhir(record.clone(), size, Mode::Normal))
            .collect();
        let g = guidelang::bundled().expect("the bundled guideline checks");
        let base = start_service(
            g,
            Limits::default(),
            FetchOptions {
                max_pages: 100,
                ..FetchOptions::default()
            },
        );
        let full = full_prefetch(&base, &fhirs[2], &patient);
        let url = format!("{base}/cds-services/als-hyperleukocytosis");
        let (status, answer) = post(&url, &request(&patient, Some(full.clone()), None));
        assert_eq!(status, 200, "{answer}");
        Realistic {
            cards: shown(&answer),
            base,
            fhirs,
            patient,
            full,
        }
    })
}

proptest::proptest! {
    #![proptest_config(crate::common::gen::config(12))]

    /// Whatever keys the EHR leaves out, and however the server pages its
    /// searches, fetching them gives the cards the full prefetch gives.
    #[test]
    fn any_keys_left_out_are_fetched_to_the_same_cards(left_out in proptest::collection::vec(proptest::bool::ANY, 16), server in 0usize..3) {
        let r = realistic_setup();
        proptest::prop_assert_eq!(r.full.len(), 16);
        let prefetch: Map<String, Json> = r
            .full
            .iter()
            .zip(&left_out)
            .filter(|(_, &out)| !out)
            .map(|((k, v), _)| (k.clone(), v.clone()))
            .collect();
        let url = format!("{}/cds-services/als-hyperleukocytosis", r.base);
        let fhir = &r.fhirs[server];
        let (status, answer) = post(&url, &request(&r.patient, Some(prefetch), Some((&fhir.base, TOKEN))));
        proptest::prop_assert_eq!(status, 200, "{}", answer);
        proptest::prop_assert_eq!(shown(&answer), r.cards.clone());
    }
}
