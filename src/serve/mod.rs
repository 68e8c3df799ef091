//! The CDS Hooks service (`guidelang serve`, the `serve` feature): checked
//! guidelines offered to an EHR over HTTP, one `patient-view` service each.
//!
//! - `GET /health`: the service is up.
//! - `GET /cds-services`: discovery, with prefetch templates derived from the
//!   guidelines' record bindings (`discovery.rs`).
//! - `POST /cds-services/{id}`: the request's prefetch read as a patient
//!   record (`request.rs`), evaluated, answered as cards (`cards.rs`).
//! - `GET /guidelines/{id}`: the guideline's rendered document, which every
//!   card links to.
//!
//! Only guidelines that checked can be served ([`Service::new`] takes
//! [`Guideline`]s, which exist only after checking). Requests are bounded in
//! size, time and number at once ([`Limits`]); evaluation runs on tokio's
//! blocking pool so a slow request does not stall the others. Outside the
//! library's default build: the browser build has no sockets or threads.

mod auth;
mod cards;
pub mod config;
mod cors;
mod discovery;
mod feedback;
mod fetch;
mod orders;
mod request;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::compile::Program;
use crate::fhir::Instant;
use crate::model::Guideline;

pub use auth::{check_key_set, needs_token, AuthSettings, Authenticator, Rejection, Trust, ACCEPTED_ALGORITHMS};
pub use cards::{cards, summary_of, SUMMARY_MAX};
pub use cors::{with_cors, CorsPolicy};
pub use discovery::{prefetch_keys, PrefetchKey, PATIENT_KEY, PATIENT_VIEW};
pub use feedback::{feedback_lines, FeedbackLog};
pub use fetch::FetchOptions;
pub use orders::{override_reasons, ORDER_SELECT, ORDER_SIGN, OVERRIDE_REASONS, OVERRIDE_SYSTEM};
pub use request::Refusal;

/// What the service does beyond answering from the prefetch: fetching what
/// it lacks from the EHR's FHIR server (`--fetch-timeout`), and where
/// feedback goes (`--feedback-log`; none: the feedback endpoint answers 404).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Options {
    /// Bounds on fetching missing prefetch data.
    pub fetch: FetchOptions,
    /// The file feedback lines are appended to.
    pub feedback_log: Option<std::path::PathBuf>,
}

/// Bounds on what one request may cost.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Largest request body, in bytes (larger: 413).
    pub max_body_bytes: usize,
    /// Longest a request may take (longer: 408).
    pub timeout: Duration,
    /// Most requests handled at once; others wait their turn.
    pub concurrency: usize,
}

impl Default for Limits {
    /// A patient's prefetch is kilobytes to a few megabytes; an evaluation
    /// takes milliseconds.
    fn default() -> Limits {
        Limits {
            max_body_bytes: 8 * 1024 * 1024,
            timeout: Duration::from_secs(10),
            concurrency: 64,
        }
    }
}

/// The evaluation instant of a request.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Clock {
    /// The server's clock when the request arrives.
    System,
    /// A fixed instant, for replaying requests and for tests.
    Fixed(Instant),
}

/// One guideline as served.
struct Offered {
    guideline: Guideline,
    program: Program,
    prefetch: Vec<PrefetchKey>,
    document: String,
}

/// The guidelines served and how requests are dated.
pub struct Service {
    offered: Vec<Offered>,
    by_id: HashMap<String, usize>,
    clock: Clock,
    fetch: FetchOptions,
    feedback: Option<FeedbackLog>,
}

impl Service {
    /// A service for checked guidelines. Two guidelines with the same id
    /// cannot both be served: an error naming the id.
    pub fn new(guidelines: Vec<Guideline>, clock: Clock) -> Result<Service, String> {
        let mut by_id = HashMap::new();
        let mut offered = Vec::new();
        for g in guidelines {
            if by_id.insert(g.meta.id.clone(), offered.len()).is_some() {
                return Err(format!(
                    "two guidelines have the id `{}`: a service id must name one guideline",
                    g.meta.id
                ));
            }
            let document = crate::report::render_html(&crate::report::document(&g));
            offered.push(Offered {
                program: Program::new(&g),
                prefetch: prefetch_keys(&g),
                document,
                guideline: g,
            });
        }
        // An order service id (`{id}-order-sign`) must not be another guideline's id.
        for o in offered.iter().filter(|o| orders::has_orders(&o.guideline)) {
            for hook in [ORDER_SELECT, ORDER_SIGN] {
                let service = orders::service_id(&o.guideline.meta.id, hook);
                if by_id.contains_key(&service) {
                    return Err(format!(
                        "the guideline `{service}` has the id of the {hook} service of `{}`: a service id must name one service",
                        o.guideline.meta.id
                    ));
                }
            }
        }
        Ok(Service {
            offered,
            by_id,
            clock,
            fetch: FetchOptions::default(),
            feedback: None,
        })
    }

    /// The service with `options`: fetching bounds, and the feedback log
    /// opened for appending (an error naming the file if it cannot be).
    pub fn with_options(mut self, options: &Options) -> Result<Service, String> {
        self.fetch = options.fetch;
        self.feedback = match &options.feedback_log {
            Some(path) => Some(
                FeedbackLog::open(path).map_err(|e| format!("cannot open the feedback log {}: {e}", path.display()))?,
            ),
            None => None,
        };
        Ok(self)
    }

    /// The discovery document.
    pub fn discovery(&self) -> Value {
        let services: Vec<Value> = self
            .offered
            .iter()
            .map(|o| discovery::service_json(&o.guideline, &o.prefetch))
            .chain(
                self.offered
                    .iter()
                    .flat_map(|o| discovery::order_services_json(&o.guideline, &o.prefetch)),
            )
            .collect();
        json!({ "services": services })
    }

    fn offered(&self, id: &str) -> Option<&Offered> {
        self.by_id.get(id).map(|&i| &self.offered[i])
    }

    /// Whether `id` names a service here: a guideline's patient-view
    /// service, or one of its order services.
    fn serves(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
            || orders::split_service_id(id)
                .is_some_and(|(gid, _)| self.offered(gid).is_some_and(|o| orders::has_orders(&o.guideline)))
    }

    /// Answers one call of service `id` with `body`: the cards, or why not.
    /// `base_url` prefixes the document link (`http://host:port`).
    pub fn answer(&self, id: &str, body: &[u8], base_url: &str) -> Result<Value, Refusal> {
        // `{id}-order-select` / `{id}-order-sign`, for a guideline with coded actions.
        if let Some((gid, hook)) = orders::split_service_id(id).filter(|_| !self.by_id.contains_key(id)) {
            if let Some(o) = self.offered(gid).filter(|o| orders::has_orders(&o.guideline)) {
                return self.answer_orders(o, hook, body, base_url);
            }
        }
        let Some(o) = self.offered(id) else {
            return Err(Refusal {
                status: 404,
                message: format!("no CDS service `{id}` here; GET /cds-services lists them"),
                problems: Vec::new(),
            });
        };
        let mut call = request::parse(body)?;
        if call.hook != PATIENT_VIEW {
            return Err(Refusal::bad(format!(
                "service `{id}` answers the `{PATIENT_VIEW}` hook, not `{}`",
                call.hook
            )));
        }
        let instant = match self.clock {
            Clock::Fixed(i) => i,
            Clock::System => now().ok_or_else(|| Refusal {
                status: 500,
                message: "the server's clock is out of range; nothing was evaluated".into(),
                problems: Vec::new(),
            })?,
        };
        let g = &o.guideline;
        call.fetched = fetch::fetch_missing(&o.prefetch, &call, &self.fetch);
        let record = request::read_prefetch(g, &o.prefetch, &call, instant)?;
        let evaluation = o.program.evaluate(&record.case);
        let url = format!("{base_url}/guidelines/{}", g.meta.id);
        let mut new_id = || uuid::Uuid::new_v4().to_string();
        Ok(json!({ "cards": cards::cards(g, &evaluation, &record, &url, &mut new_id) }))
    }
}

/// The current instant, to the second.
fn now() -> Option<Instant> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    Instant::from_seconds(i64::try_from(secs).ok()?)
}

/// The HTTP routes over `service`, with the limits as layers and `trust`
/// guarding every call under `/cds-services/` (see [`needs_token`]).
pub fn router(service: Arc<Service>, limits: Limits, trust: Trust) -> Router {
    use tower_http::limit::RequestBodyLimitLayer;
    use tower_http::timeout::TimeoutLayer;
    Router::new()
        .route("/health", get(|| async { Json(json!({ "status": "ok" })) }))
        .route("/cds-services", get(discovery_route))
        .route("/cds-services/{id}", post(call_route))
        .route("/cds-services/{id}/feedback", post(feedback::route))
        .route("/guidelines/{id}", get(document_route))
        .fallback(|| async {
            refusal(&Refusal {
                status: 404,
                message: "no such endpoint".into(),
                problems: Vec::new(),
            })
        })
        .with_state(service)
        // Inside the limits: a flood of bad tokens waits its turn like any call.
        .layer(axum::middleware::from_fn_with_state(trust, auth::guard))
        // axum's own 2 MB default would answer first; the configured limit rules.
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(limits.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.timeout,
        ))
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(
            limits.concurrency.max(1),
        ))
}

/// `router` with one structured log line per request on stderr: a JSON
/// object with the time, method, path, status and milliseconds taken. The
/// path names at most a service id; the body, where patient data is, is
/// never logged.
pub fn with_request_log(router: Router) -> Router {
    router.layer(axum::middleware::from_fn(log_request))
}

async fn log_request(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    use std::io::Write as _;
    let started = std::time::Instant::now();
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    let line = json!({
        "time": now().map(|i| i.to_string()),
        "method": method,
        "path": path,
        "status": response.status().as_u16(),
        "ms": started.elapsed().as_secs_f64() * 1000.0,
    });
    // A log line that cannot be written (stderr closed) must not fail the request.
    let _ = writeln!(std::io::stderr(), "{line}");
    response
}

async fn discovery_route(State(service): State<Arc<Service>>) -> Json<Value> {
    Json(service.discovery())
}

async fn document_route(State(service): State<Arc<Service>>, Path(id): Path<String>) -> Response {
    match service.offered(&id) {
        Some(o) => Html(o.document.clone()).into_response(),
        None => refusal(&Refusal {
            status: 404,
            message: format!("no guideline `{id}` here"),
            problems: Vec::new(),
        }),
    }
}

async fn call_route(
    State(service): State<Arc<Service>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let base = base_url(&headers);
    let answered = tokio::task::spawn_blocking(move || service.answer(&id, &body, &base)).await;
    match answered {
        Ok(Ok(cards)) => Json(cards).into_response(),
        Ok(Err(r)) => refusal(&r),
        Err(_) => refusal(&Refusal {
            status: 500,
            message: "the evaluation failed; nothing was evaluated".into(),
            problems: Vec::new(),
        }),
    }
}

/// `http://<Host>` from the request, for absolute document links; empty (a
/// relative link) without a usable Host header.
fn base_url(headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b)))
        .map_or_else(String::new, |h| format!("http://{h}"))
}

fn refusal(r: &Refusal) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(r.body())).into_response()
}

/// Serves `router` on `listener` until `shutdown` completes, on a runtime of
/// its own (two workers: evaluation runs on the blocking pool). Requests in
/// flight finish before it returns.
pub fn run(
    listener: std::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        axum::serve(listener, router).with_graceful_shutdown(shutdown).await
    })
}
