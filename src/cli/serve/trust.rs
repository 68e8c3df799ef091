//! Who may call the service, decided before the socket opens: the trusted
//! issuers of the configuration file (with `public_url`, which tokens' `aud`
//! names), or `--insecure-no-auth` on a loopback address. Neither: the
//! service does not start (exit 2), and the message names both ways out.

use std::net::SocketAddr;
use std::sync::Arc;

use super::super::common::{print_problems, Exit};
use super::Args;
use guidelang::serve::config::ServeConfig;
use guidelang::serve::{AuthSettings, Authenticator, CorsPolicy, Trust};

/// Printed at start when nothing is authenticated.
pub const INSECURE_WARNING: &str = "WARNING: --insecure-no-auth: calls are answered WITHOUT authentication. \
For local testing only; never let an EHR or a network reach this service so.";

/// Trust and CORS, as configured.
pub struct Access {
    pub trust: Trust,
    pub cors: CorsPolicy,
}

/// The access policy from the flags and the file (flags first), or the exit
/// code after saying why the service cannot start.
pub fn access(args: &Args, config: &ServeConfig, addr: SocketAddr) -> Result<Access, Exit> {
    let refuse = |message: String| {
        tell!("error: {message}; the service does not start");
        Exit::Usage
    };
    let problem = |p| {
        print_problems(&[p]);
        tell!("error: the configuration is not usable; the service does not start");
        Exit::Usage
    };
    let cors = config.cors_policy().map_err(problem)?;
    let issuers = config.issuers().map_err(problem)?;
    let insecure = args.insecure_no_auth || config.insecure_no_auth == Some(true);
    if insecure {
        if !issuers.is_empty() {
            return Err(refuse(
                "trusted issuers are configured and authentication is switched off (--insecure-no-auth): choose one"
                    .into(),
            ));
        }
        if !addr.ip().is_loopback() {
            return Err(refuse(format!(
                "--insecure-no-auth is allowed only on a loopback address (127.0.0.1 or ::1), not {addr}: \
                 a service without authentication must not be reachable from other machines"
            )));
        }
        return Ok(Access {
            trust: Trust::InsecureNoAuth,
            cors,
        });
    }
    if issuers.is_empty() {
        return Err(refuse(
            "no trust is configured: list the EHRs you trust, with their public keys, as [[auth.issuers]] \
             in a --config file (see docs/cds-hooks.md), or, for local testing only, pass --insecure-no-auth"
                .into(),
        ));
    }
    let public_url = args
        .public_url
        .clone()
        .or_else(|| config.public_url.as_ref().map(|u| u.get_ref().clone()));
    let Some(public_url) = public_url else {
        return Err(refuse(
            "tokens name the URL they are for (`aud`): set `public_url` in the configuration, or --public-url, \
             to the base URL the EHR calls (e.g. https://cds.example.org)"
                .into(),
        ));
    };
    let defaults = AuthSettings::new(public_url);
    let settings = AuthSettings {
        clock_skew: config.auth.clock_skew.unwrap_or(defaults.clock_skew),
        max_lifetime: config.auth.max_token_lifetime.unwrap_or(defaults.max_lifetime),
        replay_capacity: config.auth.replay_cache_size.unwrap_or(defaults.replay_capacity),
        ..defaults
    };
    match Authenticator::new(issuers, settings) {
        Ok(a) => Ok(Access {
            trust: Trust::Tokens(Arc::new(a)),
            cors,
        }),
        Err(why) => Err(refuse(why)),
    }
}
