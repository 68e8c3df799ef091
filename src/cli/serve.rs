//! `guidelang serve [GUIDELINE...] [--addr 127.0.0.1:8080]`: the guidelines
//! as a CDS Hooks service (see docs/cds-hooks.md). Every guideline is loaded
//! and checked before the socket opens: one that does not check prints its
//! diagnostics and the service does not start. Each request is logged on
//! stderr as one JSON line, without patient data.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::common::{load_guideline, Exit};
use guidelang::fhir::Instant;
use guidelang::serve::{router, Clock, Limits, Service};
use guidelang::serve::{FetchOptions, Options};

/// Arguments of `serve`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Guideline files, one service each; the bundled ALS guideline when none.
    files: Vec<PathBuf>,
    /// Address to listen on (port 0: any free port, printed at start).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Evaluate every request as of this instant instead of the server's
    /// clock (`YYYY-MM-DD` or an RFC 3339 timestamp): for replaying recorded
    /// requests and for tests, never for care.
    #[arg(long, value_name = "DATE", value_parser = guidelang::fhir::parse_instant)]
    as_of: Option<Instant>,
    /// Largest request body, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_body_bytes)]
    max_body: usize,
    /// Longest a request may take, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    timeout: u64,
    /// Most requests handled at once.
    #[arg(long, value_name = "N", default_value_t = Limits::default().concurrency)]
    concurrency: usize,
    /// Longest the FHIR server may take to give what a request's prefetch
    /// lacks, in seconds (all fetches of one request together).
    #[arg(long, value_name = "SECONDS", default_value_t = FetchOptions::default().timeout.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    fetch_timeout: u64,
    /// Append feedback (accepted / overridden cards) to this file, one JSON
    /// line each, without patient identifiers; without it the feedback
    /// endpoint answers 404.
    #[arg(long, value_name = "PATH")]
    feedback_log: Option<PathBuf>,
}

pub fn run(args: Args) -> Exit {
    let mut guidelines = Vec::new();
    let paths: Vec<Option<&std::path::Path>> = if args.files.is_empty() {
        vec![None]
    } else {
        args.files.iter().map(|p| Some(p.as_path())).collect()
    };
    for path in paths {
        match load_guideline(path, false) {
            Ok(g) => guidelines.push(g),
            Err(e) => {
                tell!(
                    "error: {} does not check; the service does not start",
                    path.map_or_else(|| guidelang::BUNDLED_NAME.to_string(), |p| p.display().to_string())
                );
                return e;
            }
        }
    }
    let clock = args.as_of.map_or(Clock::System, Clock::Fixed);
    let options = Options {
        fetch: FetchOptions {
            timeout: Duration::from_secs(args.fetch_timeout),
            ..FetchOptions::default()
        },
        feedback_log: args.feedback_log.clone(),
    };
    let service = match Service::new(guidelines, clock).map(|s| s.with_options(&options)) {
        Ok(Ok(s)) => Arc::new(s),
        Ok(Err(message)) => {
            tell!("error: {message}; the service does not start");
            return Exit::Io;
        }
        Err(message) => {
            tell!("error: {message}; the service does not start");
            return Exit::Usage;
        }
    };
    let limits = Limits {
        max_body_bytes: args.max_body,
        timeout: Duration::from_secs(args.timeout.max(1)),
        concurrency: args.concurrency.max(1),
    };
    let listener = match std::net::TcpListener::bind(args.addr) {
        Ok(l) => l,
        Err(e) => {
            tell!("error: cannot listen on {}: {e}", args.addr);
            return Exit::Io;
        }
    };
    let addr = listener
        .local_addr()
        .map_or_else(|_| args.addr.to_string(), |a| a.to_string());
    if args.as_of.is_some() {
        tell!("warning: every request is evaluated as of a fixed instant (--as-of), not now");
    }
    tell!("guidelang serve: listening on http://{addr} (discovery: http://{addr}/cds-services)");
    match guidelang::serve::run(
        listener,
        guidelang::serve::with_request_log(router(service, limits)),
        shutdown_signal(),
    ) {
        Ok(()) => {
            tell!("guidelang serve: stopped");
            Exit::Ok
        }
        Err(e) => {
            tell!("error: the service stopped: {e}");
            Exit::Io
        }
    }
}

/// Ctrl-C or SIGTERM: stop taking connections, finish the requests in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
