//! What the prefetch lacks, fetched from the EHR's FHIR server.
//!
//! A CDS Hooks request may carry `fhirServer` and `fhirAuthorization` (an
//! OAuth bearer token the EHR issued to this service). When a prefetch key
//! the guideline needs is *absent* from the request, the service runs that
//! key's discovery template against `fhirServer` itself, with the token,
//! and reads what comes back exactly as it reads a prefetch. A key sent as
//! `null` is not fetched: the specification uses `null` for "the EHR ran
//! the query and had nothing to give", so asking the same server again
//! would only repeat it; its facts stay unknown.
//!
//! Every fetch is bounded: one overall deadline per request
//! ([`FetchOptions::timeout`]), a byte budget, a bound on followed `next`
//! pages. Anything that goes wrong (timeout, refusal, server error, not
//! FHIR JSON, too big, a resource about someone else) leaves that key's facts
//! unknown with the reason on the undecided card; it never guesses and never
//! fails the request. The token goes only to the FHIR server named in the
//! request (https, or plain http on this machine), never to a `next` link on
//! another origin, and is never logged or shown.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

use super::discovery::PrefetchKey;
use super::request::{HookRequest, Refusal};

/// Bounds on fetching missing data for one request.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FetchOptions {
    /// The longest all fetches of one request may take together.
    pub timeout: Duration,
    /// The most bytes all answers of one request may hold together.
    pub max_bytes: usize,
    /// The most pages of one search followed (`next` links included).
    pub max_pages: usize,
}

impl Default for FetchOptions {
    /// The specification asks services to answer in about half a second; a
    /// FHIR server slower than 5 s is treated as not answering. A patient's
    /// searches for a guideline's few codes fit in a few megabytes.
    fn default() -> FetchOptions {
        FetchOptions {
            timeout: Duration::from_secs(5),
            max_bytes: 8 * 1024 * 1024,
            max_pages: 10,
        }
    }
}

/// The bearer token of `fhirAuthorization`. Its `Debug` hides it, so no log
/// or error message can print it by accident.
#[derive(Clone, PartialEq)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<hidden>)")
    }
}

/// How the request lets the service reach the EHR's FHIR server.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FhirAccess {
    /// `fhirServer`, checked to be an http(s) URL.
    pub server: Option<String>,
    /// `fhirAuthorization.access_token`.
    pub token: Option<Token>,
}

/// What came of fetching each missing key: the value as a prefetch would
/// hold it, or why it could not be had ("the FHIR server did not answer
/// within 5 s").
pub type Fetched = HashMap<String, Result<Value, String>>;

/// Reads `fhirServer` and `fhirAuthorization` from the request's top level.
/// Wrong shapes are a 400 (naming the field, never the token's value);
/// whether the server may be used is decided when fetching.
pub fn parse_access(top: &Map<String, Value>) -> Result<FhirAccess, Refusal> {
    let server = match top.get("fhirServer") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            let uri: ureq::http::Uri = s
                .parse()
                .map_err(|_| Refusal::bad(format!("`fhirServer` is not a URL: `{s}`")))?;
            if uri.host().is_none() || !matches!(uri.scheme_str(), Some("http" | "https")) {
                return Err(Refusal::bad(format!(
                    "`fhirServer` must be an http or https URL, not `{s}`"
                )));
            }
            Some(s.clone())
        }
        Some(_) => return Err(Refusal::bad("`fhirServer` must be a string (a URL)")),
    };
    let token = match top.get("fhirAuthorization") {
        None | Some(Value::Null) => None,
        Some(Value::Object(auth)) => {
            if server.is_none() {
                return Err(Refusal::bad(
                    "the request has `fhirAuthorization` but no `fhirServer` (the specification requires it)",
                ));
            }
            let token = match auth.get("access_token") {
                Some(Value::String(t)) if !t.is_empty() => t,
                Some(Value::String(_)) => return Err(Refusal::bad("`fhirAuthorization.access_token` is empty")),
                Some(_) => return Err(Refusal::bad("`fhirAuthorization.access_token` must be a string")),
                None => return Err(Refusal::bad("`fhirAuthorization` has no `access_token`")),
            };
            // Sent as a header: anything else than visible ASCII cannot be.
            if !token.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(Refusal::bad(
                    "`fhirAuthorization.access_token` holds characters a bearer token cannot",
                ));
            }
            match auth.get("token_type") {
                Some(Value::String(t)) if t.eq_ignore_ascii_case("Bearer") => {}
                Some(Value::String(t)) => {
                    return Err(Refusal::bad(format!(
                        "`fhirAuthorization.token_type` must be `Bearer`, not `{t}`"
                    )))
                }
                Some(_) => return Err(Refusal::bad("`fhirAuthorization.token_type` must be a string")),
                None => return Err(Refusal::bad("`fhirAuthorization` has no `token_type`")),
            }
            for (field, is_right, what) in [
                ("expires_in", Value::is_number as fn(&Value) -> bool, "a number"),
                ("scope", Value::is_string, "a string"),
                ("subject", Value::is_string, "a string"),
            ] {
                if auth.get(field).is_some_and(|v| !is_right(v)) {
                    return Err(Refusal::bad(format!("`fhirAuthorization.{field}` must be {what}")));
                }
            }
            Some(Token(token.clone()))
        }
        Some(_) => return Err(Refusal::bad("`fhirAuthorization` must be an object")),
    };
    Ok(FhirAccess { server, token })
}

/// Fetches the keys of `keys` the request's prefetch does not have (absent,
/// not `null`) from its FHIR server. Nothing is fetched, and the map is
/// empty, when no key is missing or the request names no server.
pub fn fetch_missing(keys: &[PrefetchKey], request: &HookRequest, options: &FetchOptions) -> Fetched {
    let mut fetched = Fetched::new();
    let missing: Vec<&PrefetchKey> = keys
        .iter()
        .filter(|k| request.prefetch.as_ref().is_none_or(|p| !p.contains_key(&k.key)))
        .collect();
    let Some(server) = &request.fhir.server else {
        return fetched;
    };
    if missing.is_empty() {
        return fetched;
    }
    let refuse_all = |fetched: &mut Fetched, reason: String| {
        for k in &missing {
            fetched.insert(k.key.clone(), Err(reason.clone()));
        }
    };
    let Some(token) = &request.fhir.token else {
        refuse_all(
            &mut fetched,
            "the request gave no fhirAuthorization to fetch it from the FHIR server with".into(),
        );
        return fetched;
    };
    let origin = match Origin::of(server) {
        Ok(o) => o,
        Err(reason) => {
            refuse_all(&mut fetched, reason);
            return fetched;
        }
    };
    let mut fetcher = Fetcher {
        agent: agent(origin.loopback),
        base: server.trim_end_matches('/').to_string(),
        origin,
        token,
        deadline: Instant::now() + options.timeout,
        options,
        bytes_left: options.max_bytes,
    };
    for k in missing {
        let result = fetcher.key(k, &request.patient_id);
        fetched.insert(k.key.clone(), result);
    }
    fetched
}

/// The scheme and authority of a URL, to keep the token on one server.
#[derive(Debug, PartialEq)]
struct Origin {
    scheme: String,
    authority: String,
    loopback: bool,
}

impl Origin {
    /// The origin of the FHIR server, refused when the token would travel
    /// in clear over a network: plain http only to this machine.
    fn of(url: &str) -> Result<Origin, String> {
        let uri: ureq::http::Uri = url
            .parse()
            .map_err(|_| "the FHIR server's address is not a URL".to_string())?;
        let (Some(scheme), Some(authority), Some(host)) = (uri.scheme_str(), uri.authority(), uri.host()) else {
            return Err("the FHIR server's address is not a URL".into());
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let loopback =
            host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
        match scheme {
            "https" => {}
            "http" if loopback => {}
            "http" => return Err(
                "the FHIR server's address is plain http on another machine; the access token is sent only over https"
                    .into(),
            ),
            _ => return Err("the FHIR server's address is not http or https".into()),
        }
        Ok(Origin {
            scheme: scheme.to_ascii_lowercase(),
            authority: authority.as_str().to_ascii_lowercase(),
            loopback,
        })
    }
}

/// A client that follows no redirects (they could carry the token
/// elsewhere) and leaves statuses to the caller. The environment's proxy is
/// used, except to reach this machine.
fn agent(loopback: bool) -> ureq::Agent {
    let proxy = if loopback { None } else { ureq::Proxy::try_from_env() };
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .proxy(proxy)
        .user_agent(concat!("guidelang-serve/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// The state of one request's fetching: its deadline and byte budget.
struct Fetcher<'a> {
    agent: ureq::Agent,
    base: String,
    origin: Origin,
    token: &'a Token,
    deadline: Instant,
    options: &'a FetchOptions,
    bytes_left: usize,
}

impl Fetcher<'_> {
    /// One key: a read (`Patient/{{context.patientId}}`) gives the resource,
    /// a search the matches of all its pages as one searchset Bundle.
    fn key(&mut self, k: &PrefetchKey, patient_id: &str) -> Result<Value, String> {
        let path = k.template.replace("{{context.patientId}}", &encode(patient_id));
        if path.contains("{{") {
            return Err("its query needs a value the request does not give".into());
        }
        // The literal bar of a token search, encoded: servers decode it.
        let url = format!("{}/{}", self.base, path.replace('|', "%7C"));
        if !path.contains('?') {
            let resource = self.get(&url)?;
            let expected = path.split('/').next().unwrap_or_default();
            if resource.get("resourceType").and_then(Value::as_str) != Some(expected) {
                return Err(format!("the FHIR server did not answer with a {expected} resource"));
            }
            about_patient(&resource, patient_id)?;
            return Ok(resource);
        }
        let mut entries = Vec::new();
        let mut next = Some(url);
        let mut pages = 0;
        while let Some(url) = next.take() {
            if pages == self.options.max_pages {
                return Err(format!(
                    "the FHIR server's search has more than {} pages; an incomplete search is not read",
                    self.options.max_pages
                ));
            }
            pages += 1;
            let page = self.get(&url)?;
            if page.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
                return Err("the FHIR server did not answer the search with a Bundle".into());
            }
            for entry in page.get("entry").and_then(Value::as_array).into_iter().flatten() {
                // Included resources and OperationOutcomes are not matches.
                let mode = entry.get("search").and_then(|s| s.get("mode")).and_then(Value::as_str);
                if !matches!(mode, None | Some("match")) {
                    continue;
                }
                let Some(resource) = entry.get("resource").filter(|r| r.is_object()) else {
                    return Err("the FHIR server's Bundle has an entry without a resource".into());
                };
                about_patient(resource, patient_id)?;
                entries.push(json!({ "resource": resource }));
            }
            next = next_link(&page);
            if let Some(n) = &next {
                if !self.same_origin(n) {
                    return Err(
                        "the FHIR server's next page is on another server; the access token is not sent there".into(),
                    );
                }
            }
        }
        Ok(json!({ "resourceType": "Bundle", "type": "searchset", "entry": entries }))
    }

    /// One GET within the deadline and the byte budget: the JSON answer.
    fn get(&mut self, url: &str) -> Result<Value, String> {
        let late = || {
            format!(
                "the FHIR server did not answer within {} s",
                self.options.timeout.as_secs_f64()
            )
        };
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(late());
        }
        let answer = self
            .agent
            .get(url)
            .header("Authorization", format!("Bearer {}", self.token.0))
            .header("Accept", "application/fhir+json")
            .config()
            .timeout_global(Some(left))
            .build()
            .call();
        let mut response = match answer {
            Ok(r) => r,
            Err(e) => return Err(self.failure(&e, &late)),
        };
        let status = response.status().as_u16();
        match status {
            200 => {}
            401 | 403 => return Err(format!("the FHIR server refused the access token (HTTP {status})")),
            _ => return Err(format!("the FHIR server answered HTTP {status}")),
        }
        let body = response
            .body_mut()
            .with_config()
            .limit(u64::try_from(self.bytes_left).unwrap_or(u64::MAX))
            .read_to_vec()
            .map_err(|e| self.failure(&e, &late))?;
        self.bytes_left = self.bytes_left.saturating_sub(body.len());
        let value: Value =
            serde_json::from_slice(&body).map_err(|_| "the FHIR server did not answer with JSON".to_string())?;
        if value.get("resourceType").and_then(Value::as_str) == Some("OperationOutcome") {
            return Err("the FHIR server answered with an OperationOutcome (an error)".into());
        }
        Ok(value)
    }

    /// Why a call failed, in words for the card; never the URL or token.
    fn failure(&self, e: &ureq::Error, late: &dyn Fn() -> String) -> String {
        match e {
            ureq::Error::Timeout(_) => late(),
            ureq::Error::BodyExceedsLimit(_) => {
                format!("the FHIR server's answers exceed {} bytes", self.options.max_bytes)
            }
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => late(),
            ureq::Error::Io(_) | ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => {
                "the FHIR server could not be reached".into()
            }
            ureq::Error::Tls(_) | ureq::Error::Rustls(_) => "the FHIR server's TLS connection failed".into(),
            _ => "the FHIR server's answer could not be read".into(),
        }
    }

    fn same_origin(&self, url: &str) -> bool {
        Origin::of(url).is_ok_and(|o| o.scheme == self.origin.scheme && o.authority == self.origin.authority)
    }
}

/// The `next` link of a searchset Bundle page.
fn next_link(page: &Value) -> Option<String> {
    page.get("link")?
        .as_array()?
        .iter()
        .find(|l| l.get("relation").and_then(Value::as_str) == Some("next"))?
        .get("url")?
        .as_str()
        .map(str::to_string)
}

/// A fetched resource about another patient is not read: the server
/// answered wrongly, and the facts of its key stay unknown.
fn about_patient(resource: &Value, patient_id: &str) -> Result<(), String> {
    super::request::about_patient("fetched", resource, patient_id)
        .map_err(|_| "the FHIR server answered with a resource about another patient".to_string())
}

/// Percent-encodes a value for a URL path or query: all but the unreserved
/// characters.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_travels_in_clear_only_to_this_machine() {
        assert!(Origin::of("https://ehr.example.org/fhir").is_ok());
        assert!(Origin::of("http://127.0.0.1:9/fhir").is_ok_and(|o| o.loopback));
        assert!(Origin::of("http://localhost/fhir").is_ok());
        assert!(Origin::of("http://[::1]:80/fhir").is_ok());
        let refused = Origin::of("http://hooks.smarthealthit.org:9080").unwrap_err();
        assert!(refused.contains("only over https"), "{refused}");
        assert!(Origin::of("ftp://ehr.example.org").is_err());
    }

    #[test]
    fn patient_ids_are_encoded_in_urls() {
        assert_eq!(encode("a b/c?d&e"), "a%20b%2Fc%3Fd%26e");
        assert_eq!(encode("apl-1.x_~"), "apl-1.x_~");
    }

    #[test]
    fn the_token_does_not_show_in_debug_output() {
        let access = FhirAccess {
            server: Some("https://ehr".into()),
            token: Some(Token("secret-token".into())),
        };
        assert!(!format!("{access:?}").contains("secret-token"));
    }

    #[test]
    fn authorization_shapes_are_checked_field_by_field() {
        let parse = |v: Value| parse_access(v.as_object().unwrap_or(&Map::new()));
        let ok = json!({ "fhirServer": "https://ehr/fhir", "fhirAuthorization": {
            "access_token": "t", "token_type": "Bearer", "expires_in": 300, "scope": "s", "subject": "x" } });
        assert!(parse(ok).is_ok_and(|a| a.token.is_some()));
        let cases = [
            (json!({ "fhirServer": 5 }), "`fhirServer` must be a string"),
            (json!({ "fhirServer": "not a url" }), "not a URL"),
            (
                json!({ "fhirAuthorization": { "access_token": "t", "token_type": "Bearer" } }),
                "no `fhirServer`",
            ),
            (
                json!({ "fhirServer": "https://e", "fhirAuthorization": { "token_type": "Bearer" } }),
                "no `access_token`",
            ),
            (
                json!({ "fhirServer": "https://e", "fhirAuthorization": { "access_token": "t", "token_type": "MAC" } }),
                "must be `Bearer`",
            ),
            (
                json!({ "fhirServer": "https://e", "fhirAuthorization": { "access_token": "t", "token_type": "Bearer", "expires_in": "300" } }),
                "expires_in` must be a number",
            ),
        ];
        for (v, expected) in cases {
            let e = parse(v).unwrap_err();
            assert!(e.message.contains(expected), "{expected:?} not in {:?}", e.message);
        }
    }
}
