//! Every subcommand that writes a report to stdout, piped into a reader that
//! has already gone (`guidelang diff A B --format json | head -c 10`): a
//! closed pipe ends the command quietly, never with a panic (exit 101).

use std::path::Path;
use std::process::{Command, Stdio};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `guidelang args` with its stdout a pipe whose reading end is closed
/// before the command writes; returns the exit code and stderr.
fn into_closed_pipe(args: &[&str], stdin: Option<&str>) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_guidelang"))
        .current_dir(root())
        .env("NO_COLOR", "1")
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away at once.
    drop(child.stdout.take());
    if let (Some(text), Some(mut input)) = (stdin, child.stdin.take()) {
        use std::io::Write;
        let _ = input.write_all(text.as_bytes());
    }
    let out = child.wait_with_output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn quiet(args: &[&str], stdin: Option<&str>) {
    let (code, stderr) = into_closed_pipe(args, stdin);
    assert_ne!(code, Some(101), "`guidelang {}` panicked:\n{stderr}", args.join(" "));
    assert!(
        !stderr.contains("panicked"),
        "`guidelang {}`:\n{stderr}",
        args.join(" ")
    );
}

const GUIDELINE: &str = "guidelines/als-hyperleukocytosis.gl";
const OLD: &str = "guidelines/history/als-hyperleukocytosis-1.0.0.gl";
const CASE: &str = "examples/cases/apl-refractory-leukostasis.json";

#[test]
fn eval_text_and_json() {
    quiet(&["eval", "--case", CASE], None);
    quiet(&["eval", "--case", CASE, "--format", "json", "--explain"], None);
}

#[test]
fn eval_a_cohort() {
    let line = std::fs::read_to_string(root().join(CASE)).unwrap().replace('\n', " ");
    let cohort = format!("{line}\n").repeat(2000);
    quiet(&["eval", "--cases", "-"], Some(&cohort));
}

#[test]
fn diff_in_every_format() {
    for format in ["text", "json", "markdown"] {
        quiet(&["diff", OLD, GUIDELINE, "--format", format], None);
    }
}

#[test]
fn lint_json_and_sarif() {
    quiet(&["lint", GUIDELINE, "--format", "json"], None);
    quiet(&["lint", GUIDELINE, "--format", "sarif"], None);
}

#[test]
fn check_json() {
    quiet(&["check", GUIDELINE, "--format", "json"], None);
}

#[test]
fn test_render_and_fmt() {
    quiet(&["test", GUIDELINE, "--coverage"], None);
    quiet(&["render", GUIDELINE], None);
    quiet(&["render", GUIDELINE, "--format", "html"], None);
    let text = std::fs::read_to_string(root().join(GUIDELINE)).unwrap();
    quiet(&["fmt", "-"], Some(&text));
    // `fmt --check` prints a diff of an unformatted file.
    quiet(&["fmt", "--check", "-"], Some(&text.replace("  when ", "      when ")));
}
