//! `guidelang serve` as a process: it refuses to start on a guideline that
//! does not check (printing the diagnostics), and otherwise listens, answers,
//! logs each request without patient data, and stops on SIGTERM after
//! finishing what is in flight.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn a_guideline_that_does_not_check_keeps_the_service_from_starting() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let bad = dir.path().join("bad.gl");
    std::fs::write(
        &bad,
        "guideline bad\n  title \"Bad\"\n  version 1.0.0\n  status draft\n\nrule r: recommend nothing_declared\n  when no_such_fact\n",
    )
    .expect("written");
    let out = Command::new(env!("CARGO_BIN_EXE_guidelang"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .arg(&bad)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no_such_fact"), "{err}");
    assert!(err.contains("does not check; the service does not start"), "{err}");
    assert!(!err.contains("listening"), "{err}");
}

#[test]
fn two_guidelines_with_one_id_keep_the_service_from_starting() {
    let out = Command::new(env!("CARGO_BIN_EXE_guidelang"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "guidelines/als-hyperleukocytosis.gl",
            "guidelines/als-hyperleukocytosis.gl",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("two guidelines have the id `als-hyperleukocytosis`"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn the_service_listens_on_the_port_it_prints_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_guidelang"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--insecure-no-auth",
            "guidelines/tumour-lysis-prophylaxis.gl",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    // The warning that nothing is authenticated comes first.
    while !line.contains("listening on ") {
        line.clear();
        assert!(stderr.read_line(&mut line).expect("a line") > 0, "no listening line");
    }
    let addr = line
        .split("listening on ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut health = agent.get(&format!("{addr}/health")).call().expect("answers");
    assert_eq!(health.status().as_u16(), 200);
    let mut discovery = agent.get(&format!("{addr}/cds-services")).call().expect("answers");
    let text = discovery.body_mut().read_to_string().expect("a body");
    assert!(text.contains("\"hook\":\"patient-view\""), "{text}");
    drop(health.body_mut().read_to_string());
    // A call about a patient: the log says that it was answered, not about whom.
    let body = r#"{"hook": "patient-view", "hookInstance": "h-1", "context": {"patientId": "secret-patient-42"}}"#;
    let call = agent
        .post(&format!("{addr}/cds-services/tumour-lysis-prophylaxis"))
        .send(body)
        .expect("answers");
    assert_eq!(call.status().as_u16(), 200);
    // SIGTERM to the child this test started, by its id.
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = child.wait().expect("exits");
    assert_eq!(status.code(), Some(0));
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).expect("the rest");
    assert!(rest.contains("stopped"), "{rest}");
    // One JSON line per request, in order, with no patient data.
    let logged: Vec<serde_json::Value> = rest.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let seen: Vec<(&str, u64)> = logged
        .iter()
        .map(|l| (l["path"].as_str().unwrap_or("?"), l["status"].as_u64().unwrap_or(0)))
        .collect();
    assert_eq!(
        seen,
        [
            ("/health", 200),
            ("/cds-services", 200),
            ("/cds-services/tumour-lysis-prophylaxis", 200)
        ],
        "{rest}"
    );
    assert!(
        logged.iter().all(|l| l["method"].is_string() && l["ms"].is_number()),
        "{rest}"
    );
    assert!(!rest.contains("secret-patient-42"), "{rest}");
}
