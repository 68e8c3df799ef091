//! Faults around what guidelang reads and writes, through the real binary:
//! `-o` onto a symlink, a FIFO or a device (written through, never replaced
//! by a regular file); temporary files removed on SIGTERM and SIGINT; an input
//! with no line end (`--cases /dev/zero`) refused instead of read forever;
//! and stdout on a full disk (`/dev/full`) giving the I/O exit code with a
//! message, for every subcommand, never a panic (exit 101).
//!
//! The devices written with `-o` are made with `mknod` in a temporary
//! directory, never the machine's own `/dev/null`: a regression would
//! otherwise replace the real one with a regular file for every other program.
//! Those tests need root (or CAP_MKNOD) and say so when they are skipped.

use std::fs;
use std::io::Write;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GUIDELINE: &str = "guidelines/als-hyperleukocytosis.gl";
const OLD: &str = "guidelines/history/als-hyperleukocytosis-1.0.0.gl";
const CASE: &str = "examples/cases/apl-refractory-leukostasis.json";

/// A hang guard only: every command here ends in well under a second when it
/// works, and never when the fault it tests is back.
const HANG_GUARD: Duration = Duration::from_secs(120);

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn guidelang() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_guidelang"));
    c.current_dir(root()).env("NO_COLOR", "1");
    c
}

/// A cohort of `n` copies of the example case, one per line.
fn cohort(n: usize) -> String {
    let line = fs::read_to_string(root().join(CASE)).unwrap().replace('\n', " ");
    format!("{line}\n").repeat(n)
}

/// What `eval --cases` prints on stdout for `cohort`: the bytes `-o` must write.
fn expected_report(dir: &Path, cohort: &str) -> Vec<u8> {
    let input = dir.join("expected-input.ndjson");
    fs::write(&input, cohort).unwrap();
    let out = guidelang().args(["eval", "--cases"]).arg(&input).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!out.stdout.is_empty());
    out.stdout
}

/// Makes a character device like `/dev/null` (1, 3) or `/dev/full` (1, 7) at
/// `path`; `false` when this process may not (not root).
fn make_device(path: &Path, minor: u32) -> bool {
    let made = Command::new("mknod")
        .arg(path)
        .args(["c", "1", &minor.to_string()])
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("skipped: mknod {} needs root", path.display());
    }
    made
}

fn is_char_device(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_char_device())
}

/// Files of `dir` whose name says they are temporary output.
fn leftovers(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().contains(".part")))
        .collect()
}

#[test]
fn output_onto_a_symlink_keeps_the_link_and_writes_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let cohort = cohort(3);
    let input = dir.path().join("cohort.ndjson");
    fs::write(&input, &cohort).unwrap();
    let target = dir.path().join("reports").join("real.ndjson");
    fs::create_dir(target.parent().unwrap()).unwrap();
    fs::write(&target, "an older report\n").unwrap();
    let link = dir.path().join("link.ndjson");
    std::os::unix::fs::symlink(&target, &link).unwrap();

    let out = guidelang()
        .args(["eval", "--cases"])
        .arg(&input)
        .arg("-o")
        .arg(&link)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        fs::symlink_metadata(&link).unwrap().file_type().is_symlink(),
        "the link was replaced by a file"
    );
    assert_eq!(fs::read(&target).unwrap(), expected_report(dir.path(), &cohort));
    // The temporary file went beside the file it replaced, and is gone.
    assert!(leftovers(target.parent().unwrap()).is_empty());
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn render_onto_a_symlink_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real.md");
    fs::write(&target, "old\n").unwrap();
    let link = dir.path().join("link.md");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = guidelang()
        .args(["render", GUIDELINE, "-o"])
        .arg(&link)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    let stdout = guidelang().args(["render", GUIDELINE]).output().unwrap().stdout;
    assert_eq!(fs::read(&target).unwrap(), stdout);
}

/// `-o /dev/null` run as root replaced the device with a regular file.
#[test]
fn output_onto_a_device_leaves_the_device() {
    let dir = tempfile::tempdir().unwrap();
    let null = dir.path().join("null");
    if !make_device(&null, 3) {
        return;
    }
    let input = dir.path().join("cohort.ndjson");
    fs::write(&input, cohort(3)).unwrap();
    let batch = guidelang()
        .args(["eval", "--cases"])
        .arg(&input)
        .arg("-o")
        .arg(&null)
        .output()
        .unwrap();
    assert_eq!(
        batch.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&batch.stderr)
    );
    assert!(is_char_device(&null), "eval --cases -o replaced the device");
    let render = guidelang()
        .args(["render", GUIDELINE, "-o"])
        .arg(&null)
        .output()
        .unwrap();
    assert_eq!(render.status.code(), Some(0));
    assert!(is_char_device(&null), "render -o replaced the device");
    assert!(leftovers(dir.path()).is_empty());

    // A full device is written through too, and its error reported as such.
    let full = dir.path().join("full");
    if !make_device(&full, 7) {
        return;
    }
    let out = guidelang()
        .args(["eval", "--cases"])
        .arg(&input)
        .arg("-o")
        .arg(&full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(is_char_device(&full));
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn output_into_a_fifo_reaches_its_reader() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("report.fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let cohort = cohort(2000);
    let input = dir.path().join("cohort.ndjson");
    fs::write(&input, &cohort).unwrap();
    // The reader opens the FIFO first, as a consumer of a report stream would.
    let received = dir.path().join("received");
    let mut reader = Command::new("cat")
        .arg(&fifo)
        .stdout(fs::File::create(&received).unwrap())
        .spawn()
        .unwrap();
    let out = guidelang()
        .args(["eval", "--cases"])
        .arg(&input)
        .arg("-o")
        .arg(&fifo)
        .output()
        .unwrap();
    let replaced = !fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo();
    if replaced {
        // Nothing will ever open the old FIFO for writing: free the reader.
        let _ = reader.kill();
    }
    let _ = reader.wait();
    assert!(!replaced, "the FIFO was replaced by a regular file");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(fs::read(&received).unwrap(), expected_report(dir.path(), &cohort));
}

/// An interrupted batch into `-o` once left its `.part` file behind (1.35 GB
/// for a 10M-line cohort). The batch reads a stdin kept open, so it is still
/// running when the signal comes.
#[test]
fn a_signal_during_a_batch_leaves_no_temporary_file() {
    for (signal, number) in [("TERM", 15), ("INT", 2), ("HUP", 1)] {
        let dir = tempfile::tempdir().unwrap();
        let report = dir.path().join("report.ndjson");
        let mut child = guidelang()
            .args(["eval", "--cases", "-", "--jobs", "2", "-o"])
            .arg(&report)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(cohort(1000).as_bytes()).unwrap();
        stdin.flush().unwrap();
        // The temporary file exists from the start of the batch.
        let started = Instant::now();
        while leftovers(dir.path()).is_empty() {
            assert!(started.elapsed() < HANG_GUARD, "no temporary file appeared");
            std::thread::sleep(Duration::from_millis(20));
        }
        let killed = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(killed.success());
        let out = child.wait_with_output().unwrap();
        drop(stdin);
        assert_eq!(
            out.status.signal(),
            Some(number),
            "SIG{signal}: {:?} {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(leftovers(dir.path()), Vec::<PathBuf>::new(), "after SIG{signal}");
        assert!(!report.exists(), "an interrupted batch wrote a report");
    }
}

/// Runs `guidelang args` with stdin read from `input`, within the hang guard.
fn run_with_stdin(args: &[&str], input: &Path) -> (Option<i32>, Vec<u8>, String) {
    let mut child = guidelang()
        .args(args)
        .stdin(fs::File::open(input).unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > HANG_GUARD {
            let _ = child.kill();
            panic!("`guidelang {}` did not end", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The per-line limit was checked only when a newline came: `--cases
/// /dev/zero` read forever. Now the line gets its error record and the batch
/// stops with a message and exit 3.
#[test]
fn a_cohort_without_line_ends_is_refused() {
    let mut child = guidelang()
        .args(["eval", "--cases", "/dev/zero"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > HANG_GUARD {
            let _ = child.kill();
            panic!("`eval --cases /dev/zero` did not end");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("line 1 has no line end"), "{stderr}");
    let lines: Vec<serde_json::Value> = out
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "one error record for the one line read");
    assert_eq!(lines[0]["line"], 1);
    assert!(lines[0]["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("a case is limited to"));

    // The same from stdin, and as CSV (where it is the header that has no end).
    let zero = Path::new("/dev/zero");
    let (code, _, stderr) = run_with_stdin(&["eval", "--cases", "-"], zero);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.contains("no line end"), "{stderr}");
    let (code, stdout, stderr) = run_with_stdin(&["eval", "--cases", "-", "--input-format", "csv"], zero);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.contains("the CSV header is more than"), "{stderr}");
    assert!(stdout.is_empty());
}

/// `fmt -` read stdin whole before its size was checked: an endless stdin
/// grew without bound. It is now read like a guideline file.
#[test]
fn fmt_refuses_an_endless_stdin() {
    let (code, stdout, stderr) = run_with_stdin(&["fmt", "-"], Path::new("/dev/zero"));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("guidelang::input::too_large"), "{stderr}");
    assert!(stderr.contains("<stdin> is more than 8388608 bytes"), "{stderr}");
    assert!(stdout.is_empty());
}

/// Runs `guidelang args` with stdout on `/dev/full`; returns the exit code and stderr.
fn onto_a_full_disk(args: &[&str], stdin: Option<&str>) -> (Option<i32>, String) {
    let full = fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let mut child = guidelang()
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(full)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let (Some(text), Some(mut input)) = (stdin, child.stdin.take()) {
        let _ = input.write_all(text.as_bytes());
    }
    let out = child.wait_with_output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Every report written to stdout on a full disk: exit 4 and a message saying
/// why, never a panic.
fn fails_cleanly(args: &[&str], stdin: Option<&str>) {
    let (code, stderr) = onto_a_full_disk(args, stdin);
    let shown = args.join(" ");
    assert!(!stderr.contains("panicked"), "`guidelang {shown}`:\n{stderr}");
    assert_eq!(code, Some(4), "`guidelang {shown}`:\n{stderr}");
    assert!(
        stderr.contains("error: cannot write") && stderr.contains("No space left on device"),
        "`guidelang {shown}`:\n{stderr}"
    );
}

#[test]
fn check_and_eval_on_a_full_disk() {
    fails_cleanly(&["check", GUIDELINE, "--format", "json"], None);
    fails_cleanly(&["eval", "--case", CASE], None);
    fails_cleanly(&["eval", "--case", CASE, "--format", "json", "--explain"], None);
    fails_cleanly(
        &["eval", "--case", "-"],
        Some(&fs::read_to_string(root().join(CASE)).unwrap()),
    );
    // `check` in text prints nothing on stdout: nothing to fail.
    let (code, stderr) = onto_a_full_disk(&["check", GUIDELINE], None);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn a_cohort_on_a_full_disk() {
    let cohort = cohort(2000);
    fails_cleanly(&["eval", "--cases", "-"], Some(&cohort));
    fails_cleanly(&["eval", "--cases", "-", "--jobs", "1"], Some(&cohort));
    fails_cleanly(
        &["eval", "--cases", "-", "--format", "json", "--summary"],
        Some(&cohort),
    );
    fails_cleanly(&["eval", "--cases", "-", "--summary"], Some(&cohort));
}

#[test]
fn lint_on_a_full_disk() {
    fails_cleanly(&["lint", GUIDELINE, "--format", "json"], None);
    fails_cleanly(&["lint", GUIDELINE, "--format", "sarif"], None);
    // The text report goes to stderr: stdout being full changes nothing.
    let (code, stderr) = onto_a_full_disk(&["lint", GUIDELINE], None);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("0 errors"), "{stderr}");
}

#[test]
fn diff_test_render_and_fmt_on_a_full_disk() {
    for format in ["text", "json", "markdown"] {
        fails_cleanly(&["diff", OLD, GUIDELINE, "--format", format], None);
    }
    fails_cleanly(&["test", GUIDELINE], None);
    fails_cleanly(&["test", GUIDELINE, "--coverage"], None);
    fails_cleanly(&["render", GUIDELINE], None);
    fails_cleanly(&["render", GUIDELINE, "--format", "html"], None);
    let text = fs::read_to_string(root().join(GUIDELINE)).unwrap();
    fails_cleanly(&["fmt", "-"], Some(&text));
    // `fmt --check` prints the diff of an unformatted file.
    fails_cleanly(&["fmt", "--check", "-"], Some(&text.replace("  when ", "      when ")));
}

/// `fmt FILE` rewrites the file through a temporary one: a write that fails
/// leaves the guideline as it was, not cut short.
#[test]
fn fmt_in_place_keeps_a_symlink_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(root().join(GUIDELINE)).unwrap();
    let unformatted = text.replace("  when ", "      when ");
    let target = dir.path().join("real.gl");
    fs::write(&target, &unformatted).unwrap();
    let link = dir.path().join("link.gl");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = guidelang().arg("fmt").arg(&link).output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("formatted"),
        "the file needed no rewrite"
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    let formatted = guidelang::format::format_source(&guidelang::diagnostics::Source::new("x", unformatted)).unwrap();
    assert_eq!(fs::read_to_string(&target).unwrap(), formatted);
    assert!(leftovers(dir.path()).is_empty());
}

/// Runs `guidelang args` with stderr on `/dev/full`; returns the exit code.
fn errors_onto_a_full_disk(args: &[&str], stdin: &str) -> Option<i32> {
    let full = fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let mut child = guidelang()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(full)
        .spawn()
        .unwrap();
    if let Some(mut input) = child.stdin.take() {
        let _ = input.write_all(stdin.as_bytes());
    }
    child.wait_with_output().unwrap().status.code()
}

/// Regression: diagnostics went out with `eprintln!`, which panics (exit 101)
/// when stderr cannot be written. A message that cannot be shown is dropped;
/// the exit code still says what happened.
#[test]
fn diagnostics_onto_a_full_disk_keep_their_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let refused = dir.path().join("refused.gl");
    fs::write(
        &refused,
        "guideline x\n  version 1.0.0\n  status draft\nrule r: recommend a when nothing\n",
    )
    .unwrap();
    let refused = refused.to_str().unwrap();
    assert_eq!(errors_onto_a_full_disk(&["check", refused], ""), Some(1));
    assert_eq!(errors_onto_a_full_disk(&["lint", refused], ""), Some(1));
    assert_eq!(
        errors_onto_a_full_disk(&["eval", "--case", "-"], "{\"wbc\": \"high\"}"),
        Some(3)
    );
    assert_eq!(errors_onto_a_full_disk(&["test", "missing.gl"], ""), Some(4));
    assert_eq!(
        errors_onto_a_full_disk(&["eval", "--case", "-", "--summary"], "{}"),
        Some(2)
    );
}
