//! `guidelang serve --config serve.toml` and the trust it requires: the
//! example configuration of the docs loads; mistakes in a configuration (an
//! unknown key, keys that cannot verify tokens) are diagnostics naming the
//! place, and the service does not start; nor does it start without trust,
//! or with authentication off on an address other machines can reach.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use guidelang::serve::config::ServeConfig;
use guidelang::serve::CorsPolicy;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::json;

const EXAMPLE: &str = "examples/serve/serve.toml";

fn parse(text: &str) -> Result<ServeConfig, guidelang::diagnostics::Problem> {
    ServeConfig::parse("serve.toml", text, Path::new("tests/fixtures/serve"))
}

/// The 1-based line a problem's first label points at.
fn line_of(problem: &guidelang::diagnostics::Problem, text: &str) -> usize {
    let label = problem
        .labels
        .first()
        .unwrap_or_else(|| panic!("no place in {problem:?}"));
    text[..label.span.start].matches('\n').count() + 1
}

#[test]
fn the_documented_example_loads_with_its_issuers_and_origins() {
    let config = ServeConfig::load(Path::new(EXAMPLE)).unwrap_or_else(|p| panic!("{p:?}"));
    let issuers = config.issuers().unwrap_or_else(|p| panic!("{p:?}"));
    let names: Vec<&str> = issuers.iter().map(|(iss, _)| iss.as_str()).collect();
    assert_eq!(names, ["https://ehr.example.org", "https://second-ehr.example.org"]);
    assert_eq!(issuers[0].1.keys.len(), 2);
    assert_eq!(
        config.cors_policy().unwrap_or_else(|p| panic!("{p:?}")).allowed_origins,
        ["https://ehr.example.org"]
    );
    assert_eq!(
        config.public_url.as_ref().map(|u| u.get_ref().as_str()),
        Some("https://cds.example.org")
    );
    assert_eq!(config.auth.clock_skew, Some(60));
    // The guidelines named are read from the file's directory, and exist.
    let files = config.guideline_files();
    assert_eq!(files.len(), 2);
    assert!(files.iter().all(|f| f.is_file()), "{files:?}");
}

#[test]
fn the_docs_show_the_example_configuration_verbatim() {
    let example = std::fs::read_to_string(EXAMPLE).expect("the example");
    let docs = std::fs::read_to_string("docs/cds-hooks.md").expect("the docs");
    assert!(
        docs.contains(&format!("```toml\n{example}```")),
        "docs/cds-hooks.md should show {EXAMPLE} as it is"
    );
}

#[test]
fn an_unknown_key_is_named_with_its_line() {
    let text = "addr = \"127.0.0.1:8080\"\n\n[auth]\nclock_skew = 60\nclok_skew = 30\n";
    let problem = parse(text).expect_err("an unknown key");
    assert!(problem.message.contains("clok_skew"), "{}", problem.message);
    assert_eq!(line_of(&problem, text), 5);
    let text = "adress = \"0.0.0.0:80\"\n";
    let problem = parse(text).expect_err("an unknown key");
    assert!(problem.message.contains("adress"), "{}", problem.message);
}

#[test]
fn a_value_of_the_wrong_kind_is_named_with_its_line() {
    let text = "timeout = \"ten\"\n";
    let problem = parse(text).expect_err("not a number");
    assert_eq!(line_of(&problem, text), 1);
    let text = "addr = \"localhost\"\n";
    assert!(parse(text).is_err(), "not a socket address");
}

/// An issuer entry with inline keys `keys` (TOML).
fn issuer_with(keys: &str) -> String {
    format!("public_url = \"https://cds.example.org\"\n\n[[auth.issuers]]\niss = \"https://ehr.example.org\"\njwks = {{ keys = [ {keys} ] }}\n")
}

#[test]
fn keys_that_cannot_verify_tokens_keep_the_configuration_out() {
    let cases = [
        // A shared secret: whoever reads the configuration could sign.
        (
            r#"{ kty = "oct", kid = "s", k = "c2VjcmV0LXNlY3JldC1zZWNyZXQ" }"#,
            "symmetric",
        ),
        // A curve no accepted algorithm uses.
        (
            r#"{ kty = "EC", crv = "P-521", kid = "p521", x = "AQ", y = "AQ" }"#,
            "curve",
        ),
        // An EC key declared for an RSA algorithm.
        (
            r#"{ kty = "EC", crv = "P-384", kid = "mixed", alg = "RS384", x = "4P8-F7mhmVGXVAgml9ggdLJj4YYbrtcIWltHOExYK_QSpqyz7xX0kyt5mfawUjDs", y = "Z34a8UBaY7krMmCa8oJq3PQw2SCk2mavP3rY5hTQKSHvEgu1kxdC9OjbTriInDGH" }"#,
            "not accepted for this key type",
        ),
        // An RSA key of 1024 bits.
        (
            r#"{ kty = "RSA", kid = "small", n = "wqoyOeXt-mvzZyqITpdrIUUxi7vyNVW9wnJuI3SY_StuunOVbeiJNsQMiXWAciL6iq3F3h5ifvD-a8ZCw_U1HkHsFb0MNAuKgIYjYvrkl9ww5v_tgn7x4UAUJJrYr0mIhfIDYovf7339XYauh9H3UWu2PXkr8v3FHwCR6MUJEes", e = "AQAB" }"#,
            "too weak",
        ),
        // RFC 7517's 2048-bit example key: fine.
        (
            r#"{ kty = "RSA", kid = "small", n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw", e = "AQAB" }"#,
            "ok",
        ),
        // A key without a kid: tokens could not name it.
        (
            r#"{ kty = "EC", crv = "P-384", x = "4P8-F7mhmVGXVAgml9ggdLJj4YYbrtcIWltHOExYK_QSpqyz7xX0kyt5mfawUjDs", y = "Z34a8UBaY7krMmCa8oJq3PQw2SCk2mavP3rY5hTQKSHvEgu1kxdC9OjbTriInDGH" }"#,
            "no `kid`",
        ),
        // A point that is not on the curve.
        (
            r#"{ kty = "EC", crv = "P-384", kid = "off", x = "AQ", y = "AQ" }"#,
            "does not parse",
        ),
    ];
    for (key, why) in cases {
        let text = issuer_with(key);
        let config = parse(&text).unwrap_or_else(|p| panic!("{p:?}"));
        match config.issuers() {
            // The 2048-bit example key (RFC 7517's) is the one that is fine.
            Ok(_) => assert_eq!(why, "ok", "{key} was accepted"),
            Err(problem) => {
                assert!(problem.message.contains(why), "{key}: {}", problem.message);
                assert!(
                    problem.message.contains("https://ehr.example.org"),
                    "{}",
                    problem.message
                );
                assert_eq!(line_of(&problem, &text), 5, "{}", problem.message);
            }
        }
    }
}

#[test]
fn a_jwks_file_that_does_not_parse_or_is_missing_is_an_error() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("bad.json"), "{ \"keys\": [ ").expect("written");
    for (file, why) in [("bad.json", "is not JSON"), ("missing.json", "cannot read")] {
        let text = format!("[[auth.issuers]]\niss = \"https://ehr.example.org\"\njwks_file = \"{file}\"\n");
        let config = ServeConfig::parse("serve.toml", &text, dir.path()).unwrap_or_else(|p| panic!("{p:?}"));
        let problem = config.issuers().expect_err("unusable");
        assert!(problem.message.contains(why), "{}", problem.message);
        assert_eq!(line_of(&problem, &text), 3);
    }
    // Both ways at once, or neither: which keys would count?
    let both = "[[auth.issuers]]\niss = \"a\"\njwks_file = \"x.json\"\njwks = { keys = [] }\n";
    let problem = parse(both).and_then(|c| c.issuers()).expect_err("ambiguous");
    assert!(
        problem.message.contains("either `jwks` or `jwks_file`"),
        "{}",
        problem.message
    );
    let neither = "[[auth.issuers]]\niss = \"a\"\n";
    assert!(parse(neither).and_then(|c| c.issuers()).is_err());
}

#[test]
fn cors_origins_are_exact_or_an_explicit_star() {
    assert!(CorsPolicy::new(vec!["*".into()]).is_ok());
    assert!(CorsPolicy::new(vec!["https://ehr.example.org:8443".into()]).is_ok());
    for bad in [
        vec!["*".to_string(), "https://ehr.example.org".to_string()],
        vec!["https://ehr.example.org/".to_string()],
        vec!["ehr.example.org".to_string()],
    ] {
        assert!(CorsPolicy::new(bad.clone()).is_err(), "{bad:?}");
    }
    let text = "[cors]\nallowed_origins = [\"https://ehr.example.org/app\"]\n";
    let problem = parse(text).and_then(|c| c.cors_policy()).expect_err("a path");
    assert_eq!(line_of(&problem, text), 2);
}

fn serve(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_guidelang"))
        .arg("serve")
        .args(args)
        .output()
        .expect("runs")
}

#[test]
fn without_trust_the_service_does_not_start_and_says_both_ways_out() {
    let out = serve(&["--addr", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no trust is configured"), "{err}");
    assert!(
        err.contains("[[auth.issuers]]") && err.contains("--insecure-no-auth"),
        "{err}"
    );
    assert!(!err.contains("listening"), "{err}");
}

#[test]
fn authentication_off_is_refused_on_an_address_others_can_reach() {
    let out = serve(&["--addr", "0.0.0.0:0", "--insecure-no-auth"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("only on a loopback address"), "{err}");
    assert!(!err.contains("listening"), "{err}");
}

#[test]
fn issuers_without_a_public_url_or_with_auth_off_do_not_start() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let jwks = std::fs::canonicalize("tests/fixtures/serve/test-only-ehr-jwks.json").expect("the fixture");
    let issuer = format!(
        "[[auth.issuers]]\niss = \"https://ehr.example.org\"\njwks_file = {:?}\n",
        jwks
    );
    let config = dir.path().join("serve.toml");
    std::fs::write(&config, &issuer).expect("written");
    let out = serve(&["--addr", "127.0.0.1:0", "--config", config.to_str().expect("UTF-8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("public_url"));
    let out = serve(&[
        "--addr",
        "127.0.0.1:0",
        "--insecure-no-auth",
        "--config",
        config.to_str().expect("UTF-8"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("choose one"));
}

#[test]
fn a_configuration_with_an_unknown_key_does_not_start_the_service() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let config = dir.path().join("serve.toml");
    std::fs::write(
        &config,
        "addr = \"127.0.0.1:0\"\ninsecure_no_auth = true\nlisten = \"127.0.0.1:0\"\n",
    )
    .expect("written");
    let out = serve(&["--config", config.to_str().expect("UTF-8")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("listen") && err.contains("serve.toml:3"), "{err}");
    assert!(!err.contains("listening on"), "{err}");
}

/// Starts the binary with `args`; the child and its base URL, after the
/// lines before "listening on" (warnings).
fn start(args: &[&str]) -> (Child, String, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_guidelang"))
        .arg("serve")
        .args(args)
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut before = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).expect("a line") > 0,
            "no listening line after {before:?}"
        );
        if line.contains("listening on ") {
            break;
        }
        before.push(line.clone());
    }
    let addr = line
        .split("listening on ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    // Drain the rest so the child never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    (child, addr, before)
}

fn stop(mut child: Child) {
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    assert_eq!(child.wait().expect("exits").code(), Some(0));
}

#[cfg(unix)]
#[test]
fn the_example_configuration_serves_with_tokens_and_flags_override_it() {
    // The flags move it to a free port and name the URL the tokens are for.
    let public = "https://cds.test.example";
    let (child, base, before) = start(&["--config", EXAMPLE, "--addr", "127.0.0.1:0", "--public-url", public]);
    assert!(before.iter().all(|l| !l.contains("WARNING")), "{before:?}");
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let url = format!("{base}/cds-services/als-hyperleukocytosis");
    let body = r#"{"hook": "patient-view", "hookInstance": "h-1", "context": {"patientId": "p-1"}}"#;
    let refused = agent.post(&url).send(body).expect("answers");
    assert_eq!(refused.status().as_u16(), 401);
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs(),
    )
    .expect("in range");
    let claims = json!({
        "iss": "https://ehr.example.org",
        "aud": format!("{public}/cds-services/als-hyperleukocytosis"),
        "iat": now, "exp": now + 300, "jti": "serve-config-1",
    });
    let mut header = Header::new(Algorithm::ES384);
    header.kid = Some("test-es384".into());
    let key = EncodingKey::from_ec_pem(&std::fs::read("tests/fixtures/serve/test-only-ehr-es384.pem").expect("key"))
        .expect("the test key");
    let token = encode(&header, &claims, &key).expect("signed");
    let mut answered = agent
        .post(&url)
        .header("authorization", &format!("Bearer {token}"))
        .send(body)
        .expect("answers");
    let text = answered.body_mut().read_to_string().expect("a body");
    assert_eq!(answered.status().as_u16(), 200, "{text}");
    assert!(text.contains("\"cards\""), "{text}");
    // Both guidelines of the configuration are served.
    let mut discovery = agent.get(&format!("{base}/cds-services")).call().expect("answers");
    let text = discovery.body_mut().read_to_string().expect("a body");
    assert!(
        text.contains("tumour-lysis-prophylaxis") && text.contains("als-hyperleukocytosis"),
        "{text}"
    );
    stop(child);
}

#[cfg(unix)]
#[test]
fn authentication_off_warns_loudly_at_start() {
    let (child, _, before) = start(&["--addr", "127.0.0.1:0", "--insecure-no-auth"]);
    assert!(
        before
            .iter()
            .any(|l| l.contains("WARNING") && l.contains("WITHOUT authentication")),
        "{before:?}"
    );
    stop(child);
}
