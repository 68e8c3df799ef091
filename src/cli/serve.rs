//! `guidelang serve [GUIDELINE...] [--addr 127.0.0.1:8080] [--config serve.toml]`:
//! the guidelines as a CDS Hooks service (see docs/cds-hooks.md). Every
//! guideline is loaded and checked before the socket opens: one that does not
//! check prints its diagnostics and the service does not start. Nor does it
//! start without trust configured: trusted issuers (from the config file), or
//! `--insecure-no-auth` on a loopback address. Each request is logged on
//! stderr as one JSON line, without patient data.

mod trust;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::common::{load_guideline, print_problems, Exit};
use guidelang::fhir::Instant;
use guidelang::serve::config::ServeConfig;
use guidelang::serve::{router, Clock, FetchOptions, Limits, Options, Service};

/// Arguments of `serve`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Guideline files, one service each; the bundled ALS guideline when none.
    files: Vec<PathBuf>,
    /// Address to listen on (port 0: any free port, printed at start)
    /// [default: 127.0.0.1:8080].
    #[arg(long)]
    addr: Option<SocketAddr>,
    /// Evaluate every request as of this instant instead of the server's
    /// clock (`YYYY-MM-DD` or an RFC 3339 timestamp): for replaying recorded
    /// requests and for tests, never for care.
    #[arg(long, value_name = "DATE", value_parser = guidelang::fhir::parse_instant)]
    as_of: Option<Instant>,
    /// Largest request body, in bytes [default: 8 MiB].
    #[arg(long, value_name = "BYTES")]
    max_body: Option<usize>,
    /// Longest a request may take, in seconds [default: 10].
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<u64>,
    /// Most requests handled at once [default: 64].
    #[arg(long, value_name = "N")]
    concurrency: Option<usize>,
    /// Longest the FHIR server may take to give what a request's prefetch
    /// lacks, in seconds (all fetches of one request together) [default: 5].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    fetch_timeout: Option<u64>,
    /// Append feedback (accepted / overridden cards) to this file, one JSON
    /// line each, without patient identifiers; without it the feedback
    /// endpoint answers 404.
    #[arg(long, value_name = "PATH")]
    feedback_log: Option<PathBuf>,
    /// The configuration file (serve.toml): these options, the trusted
    /// issuers and their keys, CORS. Flags given here override it.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The base URL the EHR calls this service at: tokens' `aud` must be it
    /// followed by the request path.
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// No authentication: any caller is answered. For local testing only;
    /// refused unless listening on a loopback address.
    #[arg(long)]
    insecure_no_auth: bool,
}

pub fn run(args: Args) -> Exit {
    let config = match &args.config {
        Some(path) => match ServeConfig::load(path) {
            Ok(c) => c,
            Err(problem) => {
                print_problems(&[problem]);
                tell!("error: the configuration is not usable; the service does not start");
                return Exit::Usage;
            }
        },
        None => ServeConfig::default(),
    };
    let files = if args.files.is_empty() {
        config.guideline_files()
    } else {
        args.files.clone()
    };
    let mut guidelines = Vec::new();
    let paths: Vec<Option<&std::path::Path>> = if files.is_empty() {
        vec![None]
    } else {
        files.iter().map(|p| Some(p.as_path())).collect()
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
    let fetch_timeout = match args.fetch_timeout.or(config.fetch_timeout) {
        Some(0) => {
            tell!("error: `fetch_timeout` must be at least 1 second; the service does not start");
            return Exit::Usage;
        }
        Some(secs) => Duration::from_secs(secs),
        None => FetchOptions::default().timeout,
    };
    let options = Options {
        fetch: FetchOptions {
            timeout: fetch_timeout,
            ..FetchOptions::default()
        },
        feedback_log: args
            .feedback_log
            .clone()
            .or_else(|| config.feedback_log.as_deref().map(|p| config.resolve(p))),
    };
    let service = match Service::new(guidelines, clock).map(|s| s.with_options(&options)) {
        Ok(Ok(s)) => Arc::new(s),
        // The feedback log cannot be opened.
        Ok(Err(message)) => {
            tell!("error: {message}; the service does not start");
            return Exit::Io;
        }
        Err(message) => {
            tell!("error: {message}; the service does not start");
            return Exit::Usage;
        }
    };
    let defaults = Limits::default();
    let limits = Limits {
        max_body_bytes: args.max_body.or(config.max_body).unwrap_or(defaults.max_body_bytes),
        timeout: Duration::from_secs(args.timeout.or(config.timeout).unwrap_or(10).max(1)),
        concurrency: args
            .concurrency
            .or(config.concurrency)
            .unwrap_or(defaults.concurrency)
            .max(1),
    };
    let wanted = args.addr.or(config.addr).unwrap_or(DEFAULT_ADDR);
    let access = match trust::access(&args, &config, wanted) {
        Ok(a) => a,
        Err(exit) => return exit,
    };
    let listener = match std::net::TcpListener::bind(wanted) {
        Ok(l) => l,
        Err(e) => {
            tell!("error: cannot listen on {wanted}: {e}");
            return Exit::Io;
        }
    };
    let addr = listener
        .local_addr()
        .map_or_else(|_| wanted.to_string(), |a| a.to_string());
    if args.as_of.is_some() {
        tell!("warning: every request is evaluated as of a fixed instant (--as-of), not now");
    }
    if matches!(access.trust, guidelang::serve::Trust::InsecureNoAuth) {
        tell!("{}", trust::INSECURE_WARNING);
    }
    // Said once the stop signals are caught (in `shutdown_signal`): a
    // SIGTERM sent as soon as the line is read must stop it gracefully.
    let ready = format!("guidelang serve: listening on http://{addr} (discovery: http://{addr}/cds-services)");
    let app = guidelang::serve::with_cors(router(service, limits, access.trust), &access.cors);
    match guidelang::serve::run(
        listener,
        guidelang::serve::with_request_log(app),
        shutdown_signal(ready),
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

/// Where the service listens unless told otherwise: this machine only.
const DEFAULT_ADDR: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8080);

/// Ctrl-C or SIGTERM: stop taking connections, finish the requests in
/// flight. The handlers are installed before `ready` is printed, so whoever
/// waits for that line can stop the service at once without killing it.
async fn shutdown_signal(ready: String) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (interrupt, terminate) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate()));
        tell!("{ready}");
        match (interrupt, terminate) {
            (Ok(mut i), Ok(mut t)) => {
                tokio::select! {
                    _ = i.recv() => {},
                    _ = t.recv() => {},
                }
            }
            // Signals cannot be caught: the service runs until killed.
            _ => std::future::pending::<()>().await,
        }
    }
    #[cfg(not(unix))]
    {
        tell!("{ready}");
        let _ = tokio::signal::ctrl_c().await;
    }
}
