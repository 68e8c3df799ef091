//! Every subcommand on every file of the hostile corpus (`tests/hostile/`, its
//! README says what each file is), through the real binary, under a memory
//! limit (`prlimit --as`, where the system has it) and a hang guard. Each run
//! must end cleanly: an exit code (never a signal, never 101, the code of a
//! panic), and a message whenever the code is not 0 (on stderr, or in the
//! JSON or SARIF report asked for).
//!
//! What a file *should* produce is tested elsewhere (errors.rs, hostile.rs,
//! diagnostics.rs); here the question is only whether anything falls over.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The memory a run may map: far more than any of these files needs, far less
/// than a runaway analysis would take.
const ADDRESS_SPACE: &str = "--as=4294967296";

/// Hang guard: a run still going after this is killed and reported.
const HANG_GUARD: Duration = Duration::from_secs(120);

const PANIC: i32 = 101;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

fn files(ext: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    out.sort();
    out
}

fn has_prlimit() -> bool {
    Command::new("prlimit")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs guidelang with `args` (stdin closed), returns a complaint or `None`.
fn clean_end(args: &[&str], limit: bool) -> Option<String> {
    let bin = env!("CARGO_BIN_EXE_guidelang");
    let mut cmd = if limit {
        let mut c = assert_cmd::Command::new("prlimit");
        c.arg(ADDRESS_SPACE).arg(bin);
        c
    } else {
        assert_cmd::Command::new(bin)
    };
    let out = cmd
        .args(args)
        .env("NO_COLOR", "1")
        .write_stdin(Vec::new())
        .timeout(HANG_GUARD)
        .output();
    let out = match out {
        Ok(out) => out,
        Err(e) => return Some(format!("could not run: {e}")),
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        None => Some(format!(
            "ended by a signal (killed by the hang guard, or crashed)\n{stderr}"
        )),
        Some(PANIC) => Some(format!("panicked\n{stderr}")),
        Some(0) => None,
        // With `--format json` or `sarif` the problems are the report itself.
        Some(_) if stderr.trim().is_empty() && out.stdout.is_empty() => {
            Some("a non-zero exit that says nothing".into())
        }
        Some(_) => None,
    }
}

fn run_all(runs: Vec<Vec<String>>) {
    let limit = has_prlimit();
    let mut failures = Vec::new();
    for args in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        if let Some(why) = clean_end(&args, limit) {
            failures.push(format!("guidelang {}: {why}", args.join(" ")));
        }
    }
    assert!(runs.len() > 10, "{} runs", runs.len());
    assert!(
        failures.is_empty(),
        "{} of {} runs:\n{}",
        failures.len(),
        runs.len(),
        failures.join("\n\n")
    );
}

fn s(x: &Path) -> String {
    x.to_string_lossy().into_owned()
}

#[test]
fn every_subcommand_ends_cleanly_on_every_hostile_guideline() {
    let empty_case = corpus().join("../../examples/cases/apl-refractory-leukostasis.json");
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("guidelines/als-hyperleukocytosis.gl");
    let out = tempfile::tempdir().unwrap();
    let mut runs = Vec::new();
    for f in files("gl") {
        let f = s(&f);
        let html = s(&out.path().join("out.html"));
        for args in [
            vec!["check", &f],
            vec!["check", &f, "--format", "json"],
            vec!["eval", &f, "--case", &s(&empty_case)],
            vec!["eval", &f, "--case", &s(&empty_case), "--format", "json", "--explain"],
            vec!["lint", &f],
            vec!["lint", &f, "--format", "sarif"],
            vec!["diff", &f, &f],
            vec!["diff", &s(&bundled), &f, "--format", "markdown"],
            vec!["fmt", "--check", &f],
            vec!["render", &f],
            vec!["render", &f, "--format", "html", "-o", &html],
            vec!["test", &f],
        ] {
            runs.push(args.into_iter().map(String::from).collect());
        }
    }
    run_all(runs);
}

#[test]
fn case_input_ends_cleanly_on_every_hostile_case_and_cohort() {
    let mut runs = Vec::new();
    for f in files("json") {
        let f = s(&f);
        runs.push(vec!["eval".into(), "--case".into(), f.clone()]);
        runs.push(vec![
            "eval".into(),
            "--case".into(),
            f.clone(),
            "--format".into(),
            "json".into(),
        ]);
        runs.push(vec!["eval".into(), "--cases".into(), f]);
    }
    for f in files("ndjson") {
        let f = s(&f);
        runs.push(vec!["eval".into(), "--cases".into(), f.clone()]);
        runs.push(vec!["eval".into(), "--cases".into(), f.clone(), "--summary".into()]);
        runs.push(vec![
            "eval".into(),
            "--cases".into(),
            f,
            "--format".into(),
            "json".into(),
        ]);
    }
    run_all(runs);
}
