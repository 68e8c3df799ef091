//! JWT bearer authentication of CDS Hooks calls (CDS Hooks 2.0, "Security"):
//! the EHR signs a short-lived JWT with its private key and sends it as
//! `Authorization: Bearer <JWT>` on every service call; the service checks it
//! against the issuer's public keys before anything is evaluated.
//!
//! What is checked, in order (the first failure is the answer):
//! the header is `Bearer <JWT>`; the JWT header's `alg` is an asymmetric
//! algorithm (never `none`, never HMAC: a shared secret would let anyone who
//! can read the JWKS sign); it has a `kid`; the `iss` claim is an allow-listed
//! issuer, which holds a key with that `kid` usable for that `alg`; the
//! signature verifies; `aud` names this service's URL (the configured public
//! base URL and the request path); `exp` is not past and not further ahead
//! than the longest lifetime allowed; `iat` is not in the future; `jti` was
//! not seen before from this issuer while the token could still be used.
//! Times allow the configured clock skew either way.
//!
//! Keys come from JWK Sets given in the configuration, never fetched from a
//! `jku` URL: an allow-listed static key set cannot be redirected by a token.
//! The replay cache is in memory and bounded; when it is full of tokens still
//! alive, new tokens are refused (503) rather than a live `jti` forgotten.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

/// The signature algorithms accepted: asymmetric ones only. CDS Hooks names
/// ES384 and RS384; the others are their siblings the key types allow.
pub const ACCEPTED_ALGORITHMS: &[Algorithm] = &[
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
];

/// Smallest RSA modulus accepted in a key set, in bits.
pub const MIN_RSA_BITS: usize = 2048;

/// How tokens are judged, apart from the keys.
#[derive(Clone, Debug, PartialEq)]
pub struct AuthSettings {
    /// The base URL the EHR calls this service at (`https://cds.example.org`,
    /// no trailing slash needed): `aud` must be it followed by the request path.
    pub public_url: String,
    /// Seconds of clock difference tolerated on `exp` and `iat`.
    pub clock_skew: u64,
    /// Longest a token may still be valid for, in seconds from now: it bounds
    /// how long a `jti` must be remembered.
    pub max_lifetime: u64,
    /// Most `jti`s remembered at once.
    pub replay_capacity: usize,
}

impl AuthSettings {
    /// Defaults for a service at `public_url`: 60 s of skew, tokens living at
    /// most an hour, 100,000 remembered `jti`s (a few MB).
    pub fn new(public_url: impl Into<String>) -> AuthSettings {
        AuthSettings {
            public_url: public_url.into(),
            clock_skew: 60,
            max_lifetime: 3600,
            replay_capacity: 100_000,
        }
    }
}

/// One key of an issuer, checked at start.
struct Key {
    decoding: DecodingKey,
    /// The algorithms this key may verify.
    algorithms: Vec<Algorithm>,
}

/// Why a call was refused: the status (401, or 503 when the replay cache is
/// full), a fixed short reason for the `WWW-Authenticate` header, and a
/// sentence for the JSON body. Neither ever holds the token.
#[derive(Clone, Debug, PartialEq)]
pub struct Rejection {
    /// 401 or 503.
    pub status: u16,
    /// A short fixed phrase (ASCII, no quotes), for `error_description`.
    pub reason: &'static str,
    /// What was wrong, in a sentence.
    pub message: String,
}

impl Rejection {
    fn new(reason: &'static str, message: impl Into<String>) -> Rejection {
        Rejection {
            status: 401,
            reason,
            message: message.into(),
        }
    }
}

/// The `(iss, jti)` pairs of accepted tokens, each until its token can no
/// longer be used (its `exp` plus the skew).
struct ReplayCache {
    until: HashMap<(String, String), u64>,
    by_expiry: BTreeSet<(u64, String, String)>,
    capacity: usize,
}

impl ReplayCache {
    /// Records `(iss, jti)` as used until `until`; false if it was already
    /// recorded (a replay). Full of live entries: `Err`.
    fn admit(&mut self, iss: &str, jti: &str, until: u64, now: u64) -> Result<bool, ()> {
        // Forget what can no longer be replayed: its token is refused as expired anyway.
        while let Some(first) = self.by_expiry.first() {
            if first.0 >= now {
                break;
            }
            if let Some((_, i, j)) = self.by_expiry.pop_first() {
                self.until.remove(&(i, j));
            }
        }
        let key = (iss.to_string(), jti.to_string());
        if self.until.contains_key(&key) {
            return Ok(false);
        }
        if self.until.len() >= self.capacity {
            return Err(());
        }
        self.by_expiry.insert((until, key.0.clone(), key.1.clone()));
        self.until.insert(key, until);
        Ok(true)
    }
}

/// Checks bearer tokens against allow-listed issuers and their keys.
pub struct Authenticator {
    issuers: HashMap<String, HashMap<String, Key>>,
    settings: AuthSettings,
    replay: Mutex<ReplayCache>,
}

impl Authenticator {
    /// An authenticator trusting `issuers`, each with its key set. Refused
    /// (an error naming the issuer and key): no issuer, an issuer twice, a
    /// key without `kid` or with a `kid` twice, a symmetric key, a key for
    /// encryption, a curve or algorithm not accepted, an RSA key under
    /// 2048 bits, a key that does not parse.
    pub fn new(issuers: Vec<(String, JwkSet)>, settings: AuthSettings) -> Result<Authenticator, String> {
        if issuers.is_empty() {
            return Err("no issuer is trusted: every call would be refused".into());
        }
        if !(settings.public_url.starts_with("https://") || settings.public_url.starts_with("http://")) {
            return Err(format!(
                "public_url `{}` is not an http(s) URL: tokens' `aud` is compared to it",
                settings.public_url
            ));
        }
        let mut by_iss = HashMap::new();
        for (iss, set) in issuers {
            if iss.is_empty() {
                return Err("an issuer has an empty `iss`".into());
            }
            let keys = issuer_keys(&set).map_err(|why| format!("issuer `{iss}`: {why}"))?;
            if by_iss.insert(iss.clone(), keys).is_some() {
                return Err(format!("the issuer `{iss}` is listed twice"));
            }
        }
        let replay = Mutex::new(ReplayCache {
            until: HashMap::new(),
            by_expiry: BTreeSet::new(),
            capacity: settings.replay_capacity.max(1),
        });
        Ok(Authenticator {
            issuers: by_iss,
            settings,
            replay,
        })
    }

    /// The settings tokens are judged by.
    pub fn settings(&self) -> &AuthSettings {
        &self.settings
    }

    /// The `aud` a token must name for a call of `path`.
    pub fn audience(&self, path: &str) -> String {
        format!("{}{path}", self.settings.public_url.trim_end_matches('/'))
    }

    /// Checks the `Authorization` header value of a call of `path` at `now`
    /// (seconds since the epoch). Ok: the token's issuer. An accepted token's
    /// `jti` is remembered: the same token a second time is refused.
    pub fn check(&self, authorization: Option<&str>, path: &str, now: u64) -> Result<String, Rejection> {
        let Some(header) = authorization else {
            return Err(Rejection::new(
                "missing bearer token",
                "no Authorization header: a CDS service call needs `Authorization: Bearer <JWT>`",
            ));
        };
        let token = match header.split_once(' ') {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
            _ => {
                return Err(Rejection::new(
                    "not a bearer token",
                    "the Authorization header is not `Bearer <JWT>`",
                ))
            }
        };
        let parts: Vec<&str> = token.split('.').collect();
        let [head, body, _] = parts[..] else {
            return Err(Rejection::new(
                "malformed token",
                "the bearer token is not a JWT (three base64url parts separated by dots)",
            ));
        };
        let head = json_part(head)
            .ok_or_else(|| Rejection::new("malformed token", "the token's header is not base64url JSON"))?;
        let alg_name = head.get("alg").and_then(Value::as_str).unwrap_or("");
        let alg = ACCEPTED_ALGORITHMS
            .iter()
            .copied()
            .find(|a| format!("{a:?}") == alg_name)
            .ok_or_else(|| {
                Rejection::new(
                    "algorithm not accepted",
                    format!(
                        "the token's algorithm `{}` is not accepted: only asymmetric signatures (ES256, ES384, RS256, RS384, RS512, PS256, PS384, PS512), never `none` or HMAC",
                        printable(alg_name)
                    ),
                )
            })?;
        let Some(kid) = head.get("kid").and_then(Value::as_str) else {
            return Err(Rejection::new(
                "missing kid",
                "the token's header has no `kid` naming its key",
            ));
        };
        let claims = json_part(body)
            .ok_or_else(|| Rejection::new("malformed token", "the token's payload is not base64url JSON"))?;
        let Some(iss) = claims.get("iss").and_then(Value::as_str) else {
            return Err(Rejection::new("missing iss", "the token has no `iss` claim"));
        };
        let Some(keys) = self.issuers.get(iss) else {
            return Err(Rejection::new(
                "unknown issuer",
                format!("the issuer `{}` is not trusted here", printable(iss)),
            ));
        };
        let Some(key) = keys.get(kid) else {
            return Err(Rejection::new(
                "unknown kid",
                format!(
                    "the issuer `{iss}` has no key `{}` in its configured key set",
                    printable(kid)
                ),
            ));
        };
        if !key.algorithms.contains(&alg) {
            return Err(Rejection::new(
                "key not usable for alg",
                format!("the key `{kid}` of `{iss}` cannot verify {alg:?} signatures"),
            ));
        }
        // The signature alone: the claims are judged below, with messages of our own.
        let mut validation = Validation::new(alg);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        if jsonwebtoken::decode::<Value>(token, &key.decoding, &validation).is_err() {
            return Err(Rejection::new(
                "bad signature",
                format!("the token's signature does not verify with the key `{kid}` of `{iss}`"),
            ));
        }
        self.check_claims(&claims, iss, path, now)
    }

    /// The claims of a token whose signature verified.
    fn check_claims(&self, claims: &Value, iss: &str, path: &str, now: u64) -> Result<String, Rejection> {
        let skew = self.settings.clock_skew;
        let expected = self.audience(path);
        let aud_ok = match claims.get("aud") {
            Some(Value::String(a)) => *a == expected,
            Some(Value::Array(all)) => all.iter().any(|a| a.as_str() == Some(expected.as_str())),
            _ => return Err(Rejection::new("missing aud", "the token has no `aud` claim")),
        };
        if !aud_ok {
            return Err(Rejection::new(
                "wrong audience",
                format!("the token's `aud` does not name this service: it must be `{expected}`"),
            ));
        }
        let seconds = |name: &'static str| {
            claims.get(name).and_then(Value::as_u64).ok_or_else(|| {
                Rejection::new(
                    "missing time claim",
                    format!("the token has no `{name}` claim in seconds since 1970"),
                )
            })
        };
        let exp = seconds("exp")?;
        let iat = seconds("iat")?;
        if exp.saturating_add(skew) < now {
            return Err(Rejection::new(
                "token expired",
                format!("the token expired {} s ago (exp {exp})", now - exp),
            ));
        }
        if iat > now.saturating_add(skew) {
            return Err(Rejection::new(
                "issued in the future",
                format!(
                    "the token is issued {} s in the future (iat {iat}): check the clocks",
                    iat - now
                ),
            ));
        }
        if exp > now.saturating_add(self.settings.max_lifetime).saturating_add(skew) {
            return Err(Rejection::new(
                "token lives too long",
                format!(
                    "the token is valid for {} s more; at most {} s are accepted",
                    exp - now,
                    self.settings.max_lifetime
                ),
            ));
        }
        let Some(jti) = claims.get("jti").and_then(Value::as_str).filter(|j| !j.is_empty()) else {
            return Err(Rejection::new("missing jti", "the token has no `jti` claim"));
        };
        let admitted = self
            .replay
            .lock()
            .map_err(|_| Rejection {
                status: 503,
                reason: "replay cache unavailable",
                message: "the replay cache is unavailable; nothing was evaluated".into(),
            })?
            .admit(iss, jti, exp.saturating_add(skew), now);
        match admitted {
            Ok(true) => Ok(iss.to_string()),
            Ok(false) => Err(Rejection::new(
                "replayed token",
                "this token (its `iss` and `jti`) was already used: each call needs a fresh token",
            )),
            Err(()) => Err(Rejection {
                status: 503,
                reason: "replay cache full",
                message: format!(
                    "{} tokens are still alive and remembered (the replay cache is full); try again when some expire",
                    self.settings.replay_capacity
                ),
            }),
        }
    }
}

/// Who may call the services.
#[derive(Clone)]
pub enum Trust {
    /// Every call must carry a valid bearer token.
    Tokens(Arc<Authenticator>),
    /// No authentication at all: for local testing only. The command line
    /// allows it only on a loopback address, and says so loudly.
    InsecureNoAuth,
}

/// True for the calls that need a token: anything but a read under
/// `/cds-services` (service calls, feedback, and whatever is added there).
/// Discovery (`GET /cds-services`) and CORS preflights do not.
pub fn needs_token(method: &Method, path: &str) -> bool {
    let under = path == "/cds-services" || path.starts_with("/cds-services/");
    under && !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The middleware: a call that needs a token and lacks a valid one gets the
/// rejection (401, or 503) before any route runs, so nothing is evaluated.
pub async fn guard(State(trust): State<Trust>, request: Request, next: Next) -> Response {
    let Trust::Tokens(auth) = &trust else {
        return next.run(request).await;
    };
    if !needs_token(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    // A header that is not text cannot be `Bearer <JWT>`: judged as empty.
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .map(|h| h.to_str().unwrap_or(""));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs());
    let checked = match now {
        Ok(now) => auth.check(authorization, request.uri().path(), now),
        Err(_) => Err(Rejection {
            status: 503,
            reason: "server clock before 1970",
            message: "the server's clock is wrong: no token can be judged".into(),
        }),
    };
    match checked {
        Ok(_) => next.run(request).await,
        Err(r) => rejection_response(&r),
    }
}

/// 401 with `WWW-Authenticate` (RFC 6750) and `{"error": ...}`; 503 without.
fn rejection_response(r: &Rejection) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::UNAUTHORIZED);
    let body = Json(serde_json::json!({ "error": format!("{}; nothing was evaluated", r.message) }));
    if status == StatusCode::UNAUTHORIZED {
        let challenge = format!("Bearer error=\"invalid_token\", error_description=\"{}\"", r.reason);
        (status, [(header::WWW_AUTHENTICATE, challenge)], body).into_response()
    } else {
        (status, body).into_response()
    }
}

/// The JSON object in one base64url part of a JWT.
fn json_part(part: &str) -> Option<Value> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).ok()?;
    let value: Value = serde_json::from_slice(&bytes).ok()?;
    value.is_object().then_some(value)
}

/// A claim from an unverified token, fit to quote: at most 80 printable
/// ASCII characters (anything can be written in a token).
fn printable(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' })
        .take(80)
        .collect();
    if text.chars().count() > 80 {
        format!("{clean}...")
    } else {
        clean
    }
}

/// Checks a key set as [`Authenticator::new`] does: the first key that
/// cannot verify tokens, and why.
pub fn check_key_set(set: &JwkSet) -> Result<(), String> {
    issuer_keys(set).map(|_| ())
}

/// The keys of one issuer by `kid`, or the first one that is not usable.
fn issuer_keys(set: &JwkSet) -> Result<HashMap<String, Key>, String> {
    if set.keys.is_empty() {
        return Err("its key set has no keys".into());
    }
    let mut keys = HashMap::new();
    for (i, jwk) in set.keys.iter().enumerate() {
        let kid = jwk
            .common
            .key_id
            .clone()
            .ok_or_else(|| format!("key {} has no `kid`; tokens name their key by it", i + 1))?;
        let key = usable_key(jwk).map_err(|why| format!("key `{kid}`: {why}"))?;
        if keys.insert(kid.clone(), key).is_some() {
            return Err(format!("two keys have the kid `{kid}`"));
        }
    }
    Ok(keys)
}

/// The key of `jwk`, or why it cannot verify tokens.
fn usable_key(jwk: &Jwk) -> Result<Key, String> {
    if matches!(&jwk.common.public_key_use, Some(u) if *u != PublicKeyUse::Signature) {
        return Err("its `use` is not `sig`".into());
    }
    let by_type: Vec<Algorithm> = match &jwk.algorithm {
        AlgorithmParameters::EllipticCurve(ec) => {
            let coordinate = |c: &str| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(c.trim_end_matches('='))
                    .map_err(|_| "its coordinates are not base64url".to_string())
            };
            // Uncompressed SEC1: 0x04, x, y.
            let mut point = vec![4u8];
            point.extend(coordinate(&ec.x)?);
            point.extend(coordinate(&ec.y)?);
            let on_curve = match ec.curve {
                EllipticCurve::P256 => p256::PublicKey::from_sec1_bytes(&point).is_ok(),
                EllipticCurve::P384 => p384::PublicKey::from_sec1_bytes(&point).is_ok(),
                ref other => return Err(format!("the curve {other:?} is not accepted (P-256 or P-384)")),
            };
            if !on_curve {
                return Err("it does not parse as a public key: (x, y) is not a point of its curve".into());
            }
            match ec.curve {
                EllipticCurve::P256 => vec![Algorithm::ES256],
                _ => vec![Algorithm::ES384],
            }
        }
        AlgorithmParameters::RSA(rsa) => {
            let n = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(rsa.n.trim_end_matches('='))
                .map_err(|_| "its modulus `n` is not base64url".to_string())?;
            let bits = n.iter().skip_while(|b| **b == 0).count() * 8;
            if bits < MIN_RSA_BITS {
                return Err(format!(
                    "an RSA key of about {bits} bits is too weak (at least {MIN_RSA_BITS})"
                ));
            }
            let e = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(rsa.e.trim_end_matches('='))
                .map_err(|_| "its exponent `e` is not base64url".to_string())?;
            let e: Vec<u8> = e.into_iter().skip_while(|b| *b == 0).collect();
            // An even exponent, or 1, is no RSA key.
            if e.last().is_none_or(|b| b % 2 == 0) || e == [1] {
                return Err("its exponent `e` is not a usable RSA exponent".into());
            }
            vec![
                Algorithm::RS256,
                Algorithm::RS384,
                Algorithm::RS512,
                Algorithm::PS256,
                Algorithm::PS384,
                Algorithm::PS512,
            ]
        }
        AlgorithmParameters::OctetKey(_) => {
            return Err("a symmetric (`oct`) key cannot be trusted: whoever reads it could sign tokens".into())
        }
        _ => return Err("its key type is not accepted (EC or RSA)".into()),
    };
    let algorithms = match jwk.common.key_algorithm {
        None => by_type,
        Some(named) => {
            let alg = Algorithm::try_from(named)
                .ok()
                .filter(|a| by_type.contains(a))
                .ok_or_else(|| format!("its `alg` {named} is not accepted for this key type"))?;
            vec![alg]
        }
    };
    let decoding = DecodingKey::from_jwk(jwk).map_err(|e| format!("it does not parse as a public key: {e}"))?;
    Ok(Key { decoding, algorithms })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(capacity: usize) -> ReplayCache {
        ReplayCache {
            until: HashMap::new(),
            by_expiry: BTreeSet::new(),
            capacity,
        }
    }

    #[test]
    fn a_jti_is_refused_the_second_time_while_its_token_lives() {
        let mut c = cache(10);
        assert_eq!(c.admit("ehr", "a", 100, 0), Ok(true));
        assert_eq!(c.admit("ehr", "a", 100, 50), Ok(false));
        // Another issuer may use the same jti.
        assert_eq!(c.admit("other", "a", 100, 50), Ok(true));
    }

    #[test]
    fn a_full_cache_refuses_rather_than_forget_a_live_jti() {
        let mut c = cache(2);
        assert_eq!(c.admit("ehr", "a", 100, 0), Ok(true));
        assert_eq!(c.admit("ehr", "b", 200, 0), Ok(true));
        assert_eq!(c.admit("ehr", "c", 300, 0), Err(()));
        // Still remembered: a replay of `a` is caught.
        assert_eq!(c.admit("ehr", "a", 100, 10), Ok(false));
        // Once `a` can no longer be used, its place is free.
        assert_eq!(c.admit("ehr", "c", 300, 101), Ok(true));
        assert_eq!(c.until.len(), 2);
    }

    #[test]
    fn quoted_claims_are_cut_and_printable() {
        assert_eq!(printable("a\"b\nc"), "a\"b?c");
        assert_eq!(printable(&"x".repeat(100)).len(), 83);
    }
}
