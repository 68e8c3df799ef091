//! JWT bearer authentication of the CDS Hooks service, over real HTTP on
//! localhost: the service runs in this process on port 0 trusting one issuer
//! (the TEST-ONLY keys of tests/fixtures/serve/), and each test signs its own
//! tokens as an EHR would. A refused call gets 401 and is never evaluated;
//! discovery, `/health` and the documents answer without a token.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use guidelang::fhir::parse_instant;
use guidelang::serve::{router, with_cors, AuthSettings, Authenticator, Clock, CorsPolicy, Limits, Service, Trust};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use proptest::prelude::*;
use serde_json::{json, Value as Json};

use crate::common::gen::config;

const FIXTURES: &str = "tests/fixtures/serve";
const ISSUER: &str = "https://ehr.example.org";
const SERVICE: &str = "/cds-services/als-hyperleukocytosis";
const ALLOWED_ORIGIN: &str = "https://ehr.example.org";

/// The test issuer's key set.
fn jwks() -> JwkSet {
    let text = std::fs::read_to_string(format!("{FIXTURES}/test-only-ehr-jwks.json")).expect("the test JWKS");
    serde_json::from_str(&text).expect("a JWK Set")
}

fn pem(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).expect("a test key")
}

/// An EHR's signing key: its algorithm, kid and private key.
struct Signer {
    alg: Algorithm,
    kid: &'static str,
    key: EncodingKey,
}

fn es384() -> Signer {
    Signer {
        alg: Algorithm::ES384,
        kid: "test-es384",
        key: EncodingKey::from_ec_pem(&pem("test-only-ehr-es384.pem")).expect("the EC test key"),
    }
}

fn rs384() -> Signer {
    Signer {
        alg: Algorithm::RS384,
        kid: "test-rs384",
        key: EncodingKey::from_rsa_pem(&pem("test-only-ehr-rs384.pem")).expect("the RSA test key"),
    }
}

/// Another P-384 key claiming the issuer's kid.
fn forger() -> Signer {
    Signer {
        alg: Algorithm::ES384,
        kid: "test-es384",
        key: EncodingKey::from_ec_pem(&pem("test-only-forger-es384.pem")).expect("the forger's key"),
    }
}

fn now() -> i64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    i64::try_from(secs).expect("in range")
}

/// The claims of a valid token for `SERVICE` at `base`, issued now for five minutes.
fn claims(base: &str) -> Json {
    json!({
        "iss": ISSUER,
        "sub": "ehr-client",
        "aud": format!("{base}{SERVICE}"),
        "iat": now(),
        "exp": now() + 300,
        "jti": uuid::Uuid::new_v4().to_string(),
    })
}

fn sign(signer: &Signer, claims: &Json) -> String {
    let mut header = Header::new(signer.alg);
    header.kid = Some(signer.kid.to_string());
    encode(&header, claims, &signer.key).expect("signed")
}

/// A service for the bundled guideline on a free port, trusting the test
/// issuer (with `aud` under its own URL), with CORS for `ALLOWED_ORIGIN`.
fn start_with(trusted: bool) -> String {
    let instant = parse_instant("2026-12-01").expect("a date");
    let bundled = guidelang::bundled().expect("the bundled guideline checks");
    let service = Service::new(vec![bundled], Clock::Fixed(instant)).expect("one id");
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    let trust = if trusted {
        let auth = Authenticator::new(vec![(ISSUER.to_string(), jwks())], AuthSettings::new(base.clone()))
            .expect("the test keys are usable");
        Trust::Tokens(Arc::new(auth))
    } else {
        Trust::InsecureNoAuth
    };
    let cors = CorsPolicy::new(vec![ALLOWED_ORIGIN.to_string()]).expect("an origin");
    let app = with_cors(router(Arc::new(service), Limits::default(), trust), &cors);
    std::thread::spawn(move || guidelang::serve::run(listener, app, std::future::pending()));
    base
}

fn start() -> String {
    start_with(true)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

/// The specification's smallest patient-view call.
const CALL: &str = r#"{"hook": "patient-view", "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", "context": {"userId": "Practitioner/example", "patientId": "1288992"}}"#;

/// An answer: status, `WWW-Authenticate`, body as JSON.
struct Answer {
    status: u16,
    challenge: Option<String>,
    body: Json,
    text: String,
}

/// POSTs `CALL` to `path` with `authorization` as the header, if any.
fn call_at(base: &str, path: &str, authorization: Option<&str>) -> Answer {
    let mut request = agent()
        .post(&format!("{base}{path}"))
        .header("content-type", "application/json");
    if let Some(a) = authorization {
        request = request.header("authorization", a);
    }
    let mut r = request.send(CALL).expect("the service answers");
    let status = r.status().as_u16();
    let challenge = r
        .headers()
        .get("www-authenticate")
        .map(|h| h.to_str().expect("ASCII").to_string());
    let text = r.body_mut().read_to_string().expect("a body");
    let body = serde_json::from_str(&text).unwrap_or(Json::Null);
    Answer {
        status,
        challenge,
        body,
        text,
    }
}

fn call(base: &str, token: &str) -> Answer {
    call_at(base, SERVICE, Some(&format!("Bearer {token}")))
}

/// A 401 whose JSON error says `what`, with the RFC 6750 challenge, that
/// does not quote `token`.
fn assert_refused(a: &Answer, what: &str, token: Option<&str>) {
    assert_eq!(a.status, 401, "{}", a.text);
    let error = a.body["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error in {}", a.text));
    assert!(error.contains(what), "{error:?} should say {what:?}");
    assert!(error.contains("nothing was evaluated"), "{error}");
    assert!(a.body.get("cards").is_none(), "{}", a.text);
    let challenge = a
        .challenge
        .as_deref()
        .unwrap_or_else(|| panic!("no WWW-Authenticate on {}", a.text));
    assert!(
        challenge.starts_with("Bearer error=\"invalid_token\", error_description=\""),
        "{challenge}"
    );
    if let Some(t) = token {
        assert!(!a.text.contains(t) && !challenge.contains(t), "the token is echoed");
        // Not even its signature (an unsigned token has none to echo).
        let signature = t.rsplit('.').next().unwrap_or(t);
        assert!(
            signature.is_empty() || !a.text.contains(signature),
            "the signature is echoed"
        );
    }
}

fn assert_answered(a: &Answer) {
    assert_eq!(a.status, 200, "{}", a.text);
    let cards = a.body["cards"]
        .as_array()
        .unwrap_or_else(|| panic!("no cards in {}", a.text));
    // The patient is unknown to the guideline: one card asks for the scope facts.
    assert!(!cards.is_empty(), "{}", a.text);
}

#[test]
fn a_valid_es384_token_gets_cards() {
    let base = start();
    assert_answered(&call(&base, &sign(&es384(), &claims(&base))));
}

#[test]
fn a_valid_rs384_token_gets_cards() {
    let base = start();
    assert_answered(&call(&base, &sign(&rs384(), &claims(&base))));
}

#[test]
fn an_expired_token_is_refused() {
    let base = start();
    let mut c = claims(&base);
    // Ten minutes past: far beyond the 60 s of skew.
    c["iat"] = json!(now() - 900);
    c["exp"] = json!(now() - 600);
    let token = sign(&es384(), &c);
    assert_refused(&call(&base, &token), "expired", Some(&token));
}

#[test]
fn a_token_issued_in_the_future_is_refused() {
    let base = start();
    let mut c = claims(&base);
    c["iat"] = json!(now() + 600);
    c["exp"] = json!(now() + 900);
    let token = sign(&es384(), &c);
    assert_refused(&call(&base, &token), "in the future", Some(&token));
}

#[test]
fn a_token_valid_for_too_long_is_refused() {
    let base = start();
    let mut c = claims(&base);
    // A day: the replay cache would have to remember it that long.
    c["exp"] = json!(now() + 86_400);
    let token = sign(&es384(), &c);
    assert_refused(&call(&base, &token), "at most 3600 s", Some(&token));
}

#[test]
fn an_unknown_issuer_is_refused() {
    let base = start();
    let mut c = claims(&base);
    c["iss"] = json!("https://other-ehr.example.org");
    let token = sign(&es384(), &c);
    assert_refused(&call(&base, &token), "is not trusted here", Some(&token));
}

#[test]
fn a_token_signed_by_another_key_under_the_same_kid_is_refused() {
    let base = start();
    let token = sign(&forger(), &claims(&base));
    assert_refused(&call(&base, &token), "signature does not verify", Some(&token));
}

#[test]
fn an_unknown_kid_is_refused() {
    let base = start();
    let mut s = es384();
    s.kid = "retired-2019";
    let token = sign(&s, &claims(&base));
    assert_refused(&call(&base, &token), "has no key `retired-2019`", Some(&token));
}

#[test]
fn a_token_for_another_url_is_refused() {
    let base = start();
    // Another service here, and the right path on another host.
    for aud in [
        format!("{base}/cds-services/tumour-lysis-prophylaxis"),
        format!("https://elsewhere.example.org{SERVICE}"),
    ] {
        let mut c = claims(&base);
        c["aud"] = json!(aud);
        let token = sign(&es384(), &c);
        let a = call(&base, &token);
        assert_refused(&a, "`aud` does not name this service", Some(&token));
        assert!(
            a.text.contains(&format!("{base}{SERVICE}")),
            "the expected aud is named: {}",
            a.text
        );
    }
    // `aud` as a list naming this service among others is fine.
    let mut c = claims(&base);
    c["aud"] = json!(["https://elsewhere.example.org", format!("{base}{SERVICE}")]);
    assert_answered(&call(&base, &sign(&es384(), &c)));
}

#[test]
fn a_replayed_token_is_refused_the_second_time() {
    let base = start();
    let token = sign(&es384(), &claims(&base));
    assert_answered(&call(&base, &token));
    assert_refused(&call(&base, &token), "already used", Some(&token));
    // A fresh jti is welcome again.
    assert_answered(&call(&base, &sign(&es384(), &claims(&base))));
}

#[test]
fn a_token_without_jti_is_refused() {
    let base = start();
    let mut c = claims(&base);
    c.as_object_mut().expect("an object").remove("jti");
    let token = sign(&es384(), &c);
    assert_refused(&call(&base, &token), "no `jti`", Some(&token));
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[test]
fn unsigned_and_hmac_tokens_are_refused() {
    let base = start();
    let payload = b64(claims(&base).to_string().as_bytes());
    let none = format!(
        "{}.{payload}.",
        b64(br#"{"alg":"none","typ":"JWT","kid":"test-es384"}"#)
    );
    assert_refused(&call(&base, &none), "`none` is not accepted", Some(&none));
    // HS256 keyed with the issuer's public key: the classic confusion attack.
    let public = serde_json::to_vec(&jwks().keys[0]).expect("JSON");
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("test-es384".into());
    let hmac = encode(
        &header,
        &claims(&base),
        &EncodingKey::from_secret(&public).expect("a secret"),
    )
    .expect("signed");
    assert_refused(&call(&base, &hmac), "`HS256` is not accepted", Some(&hmac));
}

#[test]
fn a_call_without_a_bearer_token_is_refused() {
    let base = start();
    assert_refused(&call_at(&base, SERVICE, None), "no Authorization header", None);
    assert_refused(
        &call_at(&base, SERVICE, Some("Basic dXNlcjpwYXNz")),
        "not `Bearer <JWT>`",
        None,
    );
    assert_refused(&call(&base, "not-a-jwt"), "not a JWT", None);
}

#[test]
fn discovery_health_and_documents_answer_without_a_token() {
    let base = start();
    for path in ["/cds-services", "/health", "/guidelines/als-hyperleukocytosis"] {
        let r = agent().get(&format!("{base}{path}")).call().expect("answers");
        assert_eq!(r.status().as_u16(), 200, "{path}");
    }
}

#[test]
fn feedback_and_unknown_calls_under_cds_services_need_a_token_first() {
    let base = start();
    // Whether or not a route exists behind it, authentication answers first.
    for path in [
        "/cds-services/als-hyperleukocytosis/feedback",
        "/cds-services/no-such-service",
        "/cds-services",
    ] {
        assert_refused(&call_at(&base, path, None), "no Authorization header", None);
    }
    // With a valid token for that URL, the route's own answer comes through.
    let mut c = claims(&base);
    c["aud"] = json!(format!("{base}/cds-services/no-such-service"));
    let a = call_at(
        &base,
        "/cds-services/no-such-service",
        Some(&format!("Bearer {}", sign(&es384(), &c))),
    );
    assert_eq!(a.status, 404, "{}", a.text);
}

#[test]
fn without_authentication_calls_are_answered_as_before() {
    let base = start_with(false);
    assert_answered(&call_at(&base, SERVICE, None));
}

/// An OPTIONS preflight from `origin`: the allowed origin and headers.
fn preflight(base: &str, origin: &str) -> (Option<String>, Option<String>) {
    let r = agent()
        .options(&format!("{base}{SERVICE}"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization, content-type")
        .call()
        .expect("answers");
    let get = |name: &str| r.headers().get(name).map(|h| h.to_str().expect("ASCII").to_lowercase());
    (get("access-control-allow-origin"), get("access-control-allow-headers"))
}

#[test]
fn cors_preflights_are_allowed_for_configured_origins_only() {
    let base = start();
    let (origin, headers) = preflight(&base, ALLOWED_ORIGIN);
    assert_eq!(origin.as_deref(), Some(ALLOWED_ORIGIN));
    let headers = headers.expect("allowed headers");
    assert!(
        headers.contains("authorization") && headers.contains("content-type"),
        "{headers}"
    );
    let (origin, _) = preflight(&base, "https://evil.example.com");
    assert_eq!(origin, None);
    // A refused call from the allowed origin still carries the header, so
    // the browser can show the 401.
    let r = agent()
        .post(&format!("{base}{SERVICE}"))
        .header("origin", ALLOWED_ORIGIN)
        .send(CALL)
        .expect("answers");
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(
        r.headers()
            .get("access-control-allow-origin")
            .and_then(|h| h.to_str().ok()),
        Some(ALLOWED_ORIGIN)
    );
}

#[test]
fn without_cors_configured_no_cors_headers_are_sent() {
    let instant = parse_instant("2026-12-01").expect("a date");
    let service = Service::new(vec![guidelang::bundled().expect("checks")], Clock::Fixed(instant)).expect("one id");
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    let app = with_cors(
        router(Arc::new(service), Limits::default(), Trust::InsecureNoAuth),
        &CorsPolicy::default(),
    );
    std::thread::spawn(move || guidelang::serve::run(listener, app, std::future::pending()));
    let (origin, headers) = preflight(&base, ALLOWED_ORIGIN);
    assert_eq!((origin, headers), (None, None));
}

/// A valid token, and an authenticator for it, without a server.
fn offline() -> (Authenticator, String, u64) {
    let base = "https://cds.example.org";
    let auth = Authenticator::new(vec![(ISSUER.to_string(), jwks())], AuthSettings::new(base)).expect("usable keys");
    let token = sign(&es384(), &claims(base));
    (auth, token, u64::try_from(now()).expect("after 1970"))
}

proptest! {
    #![proptest_config(config(64))]

    /// Any one character of a valid token changed to another base64url
    /// character (in its header, payload or signature): refused.
    #[test]
    fn any_changed_character_of_a_token_is_refused(at in any::<prop::sample::Index>(), by in 1usize..64) {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let (auth, token, now) = offline();
        let positions: Vec<usize> = token.bytes().enumerate().filter(|(_, b)| *b != b'.').map(|(i, _)| i).collect();
        let i = positions[at.index(positions.len())];
        let mut bytes = token.into_bytes();
        let old = ALPHABET.iter().position(|c| *c == bytes[i]).expect("base64url");
        bytes[i] = ALPHABET[(old + by) % ALPHABET.len()];
        let changed = String::from_utf8(bytes).expect("ASCII");
        let checked = auth.check(Some(&format!("Bearer {changed}")), SERVICE, now);
        prop_assert!(checked.is_err(), "accepted with character {} changed", i);
    }
}

#[test]
fn the_unchanged_token_of_the_property_is_accepted_once() {
    let (auth, token, now) = offline();
    let header = format!("Bearer {token}");
    assert_eq!(auth.check(Some(&header), SERVICE, now).as_deref(), Ok(ISSUER));
    assert!(auth.check(Some(&header), SERVICE, now).is_err());
}
