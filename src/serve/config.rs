//! `serve.toml`, the service's configuration file (`guidelang serve
//! --config serve.toml`): the command line's options, and what a command line
//! is no place for (the trusted issuers and their keys, CORS origins).
//!
//! Every key is optional; the command line's flags override the file's keys.
//! An unknown key, a value of the wrong type, a key set that does not parse
//! or holds a key that cannot verify tokens: a diagnostic pointing at the
//! line, and the service does not start. Relative paths (`guidelines`,
//! `jwks_file`) are read from the configuration file's directory.
//!
//! To add a key: a field here (an `Option`, documented), and its use where
//! the service starts.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use jsonwebtoken::jwk::JwkSet;
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostics::{Problem, Source, Span};

/// Code of every configuration problem.
pub const CONFIG_PROBLEM: &str = "guidelang::serve::config";

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    /// Where to listen (`--addr`).
    pub addr: Option<SocketAddr>,
    /// Guideline files, one service each (the command line's files).
    pub guidelines: Option<Vec<PathBuf>>,
    /// Largest request body in bytes (`--max-body`).
    pub max_body: Option<usize>,
    /// Longest a request may take, in seconds (`--timeout`).
    pub timeout: Option<u64>,
    /// Most requests at once (`--concurrency`).
    pub concurrency: Option<usize>,
    /// The base URL the EHR calls (`--public-url`): tokens' `aud` must be it
    /// followed by the request path.
    pub public_url: Option<Spanned<String>>,
    /// No authentication, for local testing (`--insecure-no-auth`).
    pub insecure_no_auth: Option<bool>,
    /// Longest the FHIR server may take for what a prefetch lacks, in
    /// seconds (`--fetch-timeout`).
    pub fetch_timeout: Option<u64>,
    /// Where feedback lines are appended (`--feedback-log`; relative to the
    /// file's directory).
    pub feedback_log: Option<PathBuf>,
    /// Trusted issuers and how tokens are judged.
    #[serde(default)]
    pub auth: AuthSection,
    /// Origins a browser may call from.
    #[serde(default)]
    pub cors: CorsSection,
    /// The file's text, for diagnostics after parsing.
    #[serde(skip)]
    source: Option<Source>,
    /// The directory relative paths are read from.
    #[serde(skip)]
    base: PathBuf,
}

/// `[auth]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSection {
    /// `[[auth.issuers]]`: the EHRs trusted, each with its keys.
    #[serde(default)]
    pub issuers: Vec<Spanned<IssuerSection>>,
    /// Seconds of clock difference tolerated (default 60).
    pub clock_skew: Option<u64>,
    /// Longest remaining lifetime of a token accepted, in seconds (default 3600).
    pub max_token_lifetime: Option<u64>,
    /// Most token ids remembered against replay (default 100,000).
    pub replay_cache_size: Option<usize>,
}

/// One `[[auth.issuers]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerSection {
    /// The `iss` its tokens carry.
    pub iss: String,
    /// Its JWK Set, inline (`jwks = { keys = [ ... ] }`).
    pub jwks: Option<Spanned<serde_json::Value>>,
    /// Its JWK Set, in a JSON file.
    pub jwks_file: Option<Spanned<PathBuf>>,
}

/// `[cors]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorsSection {
    /// Exact origins, or `["*"]` for any.
    pub allowed_origins: Option<Spanned<Vec<String>>>,
}

impl ServeConfig {
    /// Reads and parses the file at `path`.
    pub fn load(path: &Path) -> Result<ServeConfig, Problem> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Problem::error(
                CONFIG_PROBLEM,
                format!("cannot read the configuration file {}: {e}", path.display()),
            )
        })?;
        let base = path.parent().map_or_else(PathBuf::new, Path::to_path_buf);
        ServeConfig::parse(&path.display().to_string(), &text, &base)
    }

    /// Parses `text`, known as `name`; relative paths are under `base`.
    pub fn parse(name: &str, text: &str, base: &Path) -> Result<ServeConfig, Problem> {
        let source = Source::new(name, text);
        let mut config: ServeConfig = toml::from_str(text).map_err(|e| {
            let problem = Problem::error(CONFIG_PROBLEM, format!("{name}: {}", e.message().trim_end()));
            match e.span() {
                Some(r) => problem
                    .with_label(Span::new(r.start, r.end), "here")
                    .with_source(&source),
                None => problem,
            }
        })?;
        config.source = Some(source);
        config.base = base.to_path_buf();
        Ok(config)
    }

    /// An error pointing at `span` of the file.
    fn problem_at(&self, span: std::ops::Range<usize>, message: String, label: &str) -> Problem {
        let p = Problem::error(CONFIG_PROBLEM, message);
        match &self.source {
            Some(s) => p.with_label(Span::new(span.start, span.end), label).with_source(s),
            None => p,
        }
    }

    /// `path` as the service reads it: relative to the file's directory.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.base.join(path)
        }
    }

    /// The guideline files, resolved.
    pub fn guideline_files(&self) -> Vec<PathBuf> {
        self.guidelines.iter().flatten().map(|p| self.resolve(p)).collect()
    }

    /// The trusted issuers with their key sets, each read and checked
    /// (inline or from its file; exactly one of the two).
    pub fn issuers(&self) -> Result<Vec<(String, JwkSet)>, Problem> {
        let mut out = Vec::new();
        for entry in &self.auth.issuers {
            let issuer = entry.get_ref();
            let (value, span, from) = match (&issuer.jwks, &issuer.jwks_file) {
                (Some(inline), None) => (inline.get_ref().clone(), inline.span(), "its inline `jwks`".to_string()),
                (None, Some(file)) => {
                    let path = self.resolve(file.get_ref());
                    let text = std::fs::read_to_string(&path).map_err(|e| {
                        self.problem_at(
                            file.span(),
                            format!(
                                "issuer `{}`: cannot read its JWKS file {}: {e}",
                                issuer.iss,
                                path.display()
                            ),
                            "this file",
                        )
                    })?;
                    let value = serde_json::from_str(&text).map_err(|e| {
                        self.problem_at(
                            file.span(),
                            format!(
                                "issuer `{}`: its JWKS file {} is not JSON: {e}",
                                issuer.iss,
                                path.display()
                            ),
                            "this file",
                        )
                    })?;
                    (value, file.span(), format!("its JWKS file {}", path.display()))
                }
                _ => {
                    return Err(self.problem_at(
                        entry.span(),
                        format!(
                            "issuer `{}` needs its keys: either `jwks` or `jwks_file`, not both",
                            issuer.iss
                        ),
                        "this issuer",
                    ))
                }
            };
            let set: JwkSet = serde_json::from_value(value).map_err(|e| {
                self.problem_at(
                    span.clone(),
                    format!("issuer `{}`: {from} is not a JWK Set: {e}", issuer.iss),
                    "here",
                )
            })?;
            crate::serve::check_key_set(&set).map_err(|why| {
                self.problem_at(span.clone(), format!("issuer `{}`: {why}", issuer.iss), "in these keys")
            })?;
            if out.iter().any(|(iss, _)| *iss == issuer.iss) {
                return Err(self.problem_at(
                    entry.span(),
                    format!("the issuer `{}` is listed twice", issuer.iss),
                    "again",
                ));
            }
            out.push((issuer.iss.clone(), set));
        }
        Ok(out)
    }

    /// The CORS policy, its origins checked.
    pub fn cors_policy(&self) -> Result<crate::serve::CorsPolicy, Problem> {
        let Some(origins) = &self.cors.allowed_origins else {
            return Ok(crate::serve::CorsPolicy::default());
        };
        crate::serve::CorsPolicy::new(origins.get_ref().clone())
            .map_err(|why| self.problem_at(origins.span(), format!("[cors] allowed_origins: {why}"), "here"))
    }
}
