//! The feedback endpoint over real HTTP: outcomes on cards the service
//! issued appended to the feedback log as whole JSON lines, with no patient
//! identifier in the file, even when the EHR's free text holds one.

use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;

use guidelang::fhir::parse_instant;
use guidelang::serve::{router, Clock, Limits, Options, Service, Trust};
use serde_json::{json, Value as Json};

const PATIENT: &str = "patient-secret-4711";

/// Starts the bundled guideline's service with `log` as its feedback log
/// (or none); its base URL.
fn start(log: Option<&Path>) -> String {
    let g = guidelang::bundled().expect("the bundled guideline checks");
    let instant = parse_instant("2026-12-01").expect("a date");
    let service = Service::new(vec![g], Clock::Fixed(instant))
        .expect("one guideline")
        .with_options(&Options {
            feedback_log: log.map(Path::to_path_buf),
            ..Options::default()
        })
        .expect("the log opens");
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let addr = listener.local_addr().expect("an address");
    let app = router(Arc::new(service), Limits::default(), Trust::InsecureNoAuth);
    std::thread::spawn(move || guidelang::serve::run(listener, app, std::future::pending()));
    format!("http://{addr}")
}

fn post(url: &str, body: &[u8]) -> (u16, Json) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut r = agent
        .post(url)
        .header("content-type", "application/json")
        .send(body)
        .expect("the service answers");
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().expect("a body");
    (status, serde_json::from_str(&text).unwrap_or(Json::String(text)))
}

/// The uuids of the cards the service gives a patient with no prefetch
/// (at least the card asking for the scope facts).
fn card_uuids(base: &str) -> Vec<String> {
    let request = json!({
        "hook": "patient-view", "hookInstance": "5b1c4c2e-2f0c-4a53-9d3e-2f4b3f2b9e11",
        "context": { "userId": "Practitioner/example", "patientId": PATIENT, "encounterId": "enc-99" },
    });
    let (status, answer) = post(
        &format!("{base}/cds-services/als-hyperleukocytosis"),
        request.to_string().as_bytes(),
    );
    assert_eq!(status, 200, "{answer}");
    answer["cards"]
        .as_array()
        .expect("cards")
        .iter()
        .map(|c| c["uuid"].as_str().expect("a uuid").to_string())
        .collect()
}

fn feedback_url(base: &str) -> String {
    format!("{base}/cds-services/als-hyperleukocytosis/feedback")
}

fn lines(path: &Path) -> Vec<Json> {
    std::fs::read_to_string(path)
        .expect("the log")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line: {l:?}: {e}")))
        .collect()
}

#[test]
fn accepted_and_overridden_outcomes_are_appended_without_patient_identifiers() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let log = dir.path().join("feedback.jsonl");
    // What was there stays: the file is appended to.
    std::fs::write(&log, "{\"earlier\": true}\n").expect("written");
    let base = start(Some(&log));
    let cards = card_uuids(&base);
    let card = &cards[0];
    let body = json!({ "feedback": [
        { "card": card, "outcome": "accepted", "outcomeTimestamp": "2026-12-01T10:15:00Z" },
        { "card": card, "outcome": "overridden", "outcomeTimestamp": "2026-12-01T10:16:00Z",
          "overrideReason": {
            "reason": { "system": "http://example.org/cds/reasons", "code": "patient-declined", "display": "Patient declined" },
            "userComment": format!("{PATIENT} (encounter enc-99) said no") } }
    ] });
    let (status, answer) = post(&feedback_url(&base), body.to_string().as_bytes());
    assert_eq!((status, &answer), (200, &json!({})));
    let written = lines(&log);
    assert_eq!(written.len(), 3, "{written:?}");
    assert_eq!(written[0], json!({ "earlier": true }));
    for l in &written[1..] {
        assert_eq!(l["service"], "als-hyperleukocytosis");
        assert_eq!(&l["card"], card);
        assert!(l["received"].is_string(), "{l}");
    }
    assert_eq!(written[1]["outcome"], "accepted");
    assert_eq!(written[1]["outcomeTimestamp"], "2026-12-01T10:15:00Z");
    assert_eq!(written[2]["outcome"], "overridden");
    assert_eq!(written[2]["overrideReason"]["code"], "patient-declined");
    assert_eq!(written[2]["overrideReason"]["display"], "Patient declined");
    let text = std::fs::read_to_string(&log).expect("the log");
    assert!(!text.contains(PATIENT) && !text.contains("enc-99"), "{text}");
}

#[test]
fn concurrent_feedback_gives_whole_lines() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let log = dir.path().join("feedback.jsonl");
    let base = start(Some(&log));
    let card = card_uuids(&base)[0].clone();
    // Long override reasons make each line large, so interleaved writes
    // would show as broken JSON.
    let display = "x".repeat(500);
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (url, card, display) = (feedback_url(&base), card.clone(), display.clone());
            std::thread::spawn(move || {
                for i in 0..15 {
                    let body = json!({ "feedback": [
                        { "card": card, "outcome": "overridden", "outcomeTimestamp": "2026-12-01T10:16:00Z",
                          "overrideReason": { "reason": { "code": format!("t{t}-{i}"), "display": display } } },
                        { "card": card, "outcome": "accepted", "outcomeTimestamp": "2026-12-01T10:17:00Z" }
                    ] });
                    let (status, answer) = post(&url, body.to_string().as_bytes());
                    assert_eq!(status, 200, "{answer}");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("a poster");
    }
    let written = lines(&log);
    assert_eq!(written.len(), 8 * 15 * 2);
    // Each request's two lines are written together, in order.
    for pair in written.chunks(2) {
        assert_eq!(pair[0]["outcome"], "overridden", "{pair:?}");
        assert_eq!(pair[1]["outcome"], "accepted", "{pair:?}");
    }
    let mut codes: Vec<String> = written
        .iter()
        .filter_map(|l| l["overrideReason"]["code"].as_str().map(str::to_string))
        .collect();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), 8 * 15);
}

#[test]
fn bad_feedback_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let log = dir.path().join("feedback.jsonl");
    let base = start(Some(&log));
    let card = card_uuids(&base)[0].clone();
    let good = json!({ "card": card, "outcome": "accepted", "outcomeTimestamp": "2026-12-01T10:15:00Z" });
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"{not json".to_vec(), "not valid JSON"),
        (json!({ "feedback": {} }).to_string().into_bytes(), "`feedback` must be an array"),
        // One bad item refuses the whole body: the good one is not written either.
        (
            json!({ "feedback": [good, { "card": card, "outcome": "maybe", "outcomeTimestamp": "2026-12-01T10:15:00Z" }] })
                .to_string()
                .into_bytes(),
            "`feedback[1].outcome` must be",
        ),
        (
            json!({ "feedback": [{ "card": PATIENT, "outcome": "accepted", "outcomeTimestamp": "2026-12-01T10:15:00Z" }] })
                .to_string()
                .into_bytes(),
            "`feedback[0].card` is not a uuid",
        ),
    ];
    for (body, expected) in cases {
        let (status, answer) = post(&feedback_url(&base), &body);
        assert_eq!(status, 400, "{answer}");
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(error.contains(expected), "{expected:?} not in {error:?}");
    }
    assert_eq!(std::fs::read_to_string(&log).expect("the log"), "");
}

#[test]
fn an_unknown_service_or_a_service_without_a_log_answers_404() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let log = dir.path().join("feedback.jsonl");
    let base = start(Some(&log));
    let card = card_uuids(&base)[0].clone();
    let body =
        json!({ "feedback": [{ "card": card, "outcome": "accepted", "outcomeTimestamp": "2026-12-01T10:15:00Z" }] })
            .to_string();
    let (status, answer) = post(&format!("{base}/cds-services/no-such/feedback"), body.as_bytes());
    assert_eq!(status, 404, "{answer}");
    assert!(
        answer["error"].as_str().is_some_and(|e| e.contains("no-such")),
        "{answer}"
    );
    let without = start(None);
    let (status, answer) = post(&feedback_url(&without), body.as_bytes());
    assert_eq!(status, 404, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .is_some_and(|e| e.contains("records no feedback")),
        "{answer}"
    );
    assert_eq!(std::fs::read_to_string(&log).expect("the log"), "");
}
