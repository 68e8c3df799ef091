//! Cross-origin calls (a browser-based EHR or a test harness on another
//! origin): allowed only from the exact origins configured, or from any
//! origin when `*` is listed explicitly. None configured: no CORS headers at
//! all, and browsers keep other origins out.

use axum::http::{header, HeaderValue, Method};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The origins allowed to call from a browser.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CorsPolicy {
    /// Exact origins (`https://ehr.example.org`), or `*` alone for any.
    pub allowed_origins: Vec<String>,
}

impl CorsPolicy {
    /// A policy for `origins`, each checked: `*` alone, or
    /// `scheme://host[:port]` with no path. An error names the bad one.
    pub fn new(origins: Vec<String>) -> Result<CorsPolicy, String> {
        if origins.iter().any(|o| o == "*") && origins.len() > 1 {
            return Err("`*` allows every origin: list it alone, or list exact origins without it".into());
        }
        for o in &origins {
            if o == "*" {
                continue;
            }
            let rest = o.strip_prefix("https://").or_else(|| o.strip_prefix("http://"));
            let ok = rest.is_some_and(|host| {
                !host.is_empty() && host.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
            });
            if !ok {
                return Err(format!(
                    "`{o}` is not an origin: write `https://host` or `https://host:port`, with no path or trailing slash"
                ));
            }
        }
        Ok(CorsPolicy {
            allowed_origins: origins,
        })
    }
}

/// `router` answering CORS preflights and marking responses for the
/// policy's origins; unchanged when the policy allows none.
pub fn with_cors(router: Router, policy: &CorsPolicy) -> Router {
    if policy.allowed_origins.is_empty() {
        return router;
    }
    let origins = if policy.allowed_origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        // `CorsPolicy::new` let through only header-safe ASCII.
        AllowOrigin::list(
            policy
                .allowed_origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o).ok()),
        )
    };
    router.layer(
        CorsLayer::new()
            .allow_origin(origins)
            .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE]),
    )
}
