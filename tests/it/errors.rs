//! Every error path of the command line, through the real binary: the exit
//! code is asserted and what it says on stderr is snapshot-tested (each
//! snapshot in `tests/snapshots/errors__*.snap` was read by eye). Files are
//! made in a temporary directory and named relative to it, so the messages
//! do not depend on where the tests run.
//!
//! Exit codes (README, "Exit codes"): 0 ok, 1 guideline refused, 2 usage,
//! 3 case refused, 4 a file could not be read, 5 unsafe report.

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

const OK: i32 = 0;
const GUIDELINE_ERRORS: i32 = 1;
const USAGE: i32 = 2;
const INVALID_CASE: i32 = 3;
const IO: i32 = 4;
const UNSAFE: i32 = 5;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs guidelang in `dir` with `args`, `stdin` on its standard input.
fn run(dir: &Path, args: &[&str], stdin: &[u8]) -> Run {
    let out = Command::cargo_bin("guidelang")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .write_stdin(stdin.to_vec())
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

/// A guideline small enough to read in a snapshot.
const SMALL: &str = "guideline demo
  version 1.0.0
  status draft

action hydroxyurea \"Hydroxyurea\" urgent
fact als: bool \"Pre-existing ALS.\"
fact wbc: number in 10^9/L from 0 \"White blood cell count.\"

rule hydroxyurea-for-high-wbc: recommend hydroxyurea
  when als and wbc > 100
";

/// Runs `args`, asserts the exit code and that nothing went to stdout, and
/// snapshots stderr under `name`.
fn refused(name: &str, dir: &Path, args: &[&str], stdin: &[u8], code: i32) {
    let r = run(dir, args, stdin);
    assert_eq!(r.code, code, "{name}: exit code\nstderr:\n{}", r.stderr);
    assert!(r.stdout.is_empty(), "{name}: printed on stdout:\n{}", r.stdout);
    insta::assert_snapshot!(name, r.stderr);
}

// ---------------------------------------------------------------- files

#[test]
fn a_missing_guideline_file() {
    let d = dir();
    refused("check_missing_file", d.path(), &["check", "nowhere.gl"], b"", IO);
    refused(
        "eval_missing_guideline",
        d.path(),
        &["eval", "nowhere.gl", "--case", "-"],
        b"{}",
        IO,
    );
}

#[test]
fn a_directory_given_as_a_file() {
    let d = dir();
    std::fs::create_dir(d.path().join("folder.gl")).unwrap();
    refused("check_directory", d.path(), &["check", "folder.gl"], b"", IO);
    refused(
        "eval_case_directory",
        d.path(),
        &["eval", "--case", "folder.gl"],
        b"",
        IO,
    );
}

#[test]
fn a_guideline_that_is_not_utf8() {
    let d = dir();
    // "Zürich" in Latin-1, on line 5.
    let mut bytes = SMALL.as_bytes().to_vec();
    let at = SMALL.find("Pre-existing").unwrap();
    bytes.splice(at..at, b"Z\xfcrich ".iter().copied());
    write(d.path(), "latin1.gl", &bytes);
    refused(
        "check_not_utf8",
        d.path(),
        &["check", "latin1.gl"],
        b"",
        GUIDELINE_ERRORS,
    );
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(SMALL.encode_utf16().flat_map(u16::to_le_bytes));
    write(d.path(), "utf16.gl", &utf16);
    refused("check_utf16", d.path(), &["check", "utf16.gl"], b"", GUIDELINE_ERRORS);
}

#[test]
fn an_empty_guideline_file() {
    let d = dir();
    write(d.path(), "empty.gl", "");
    refused(
        "check_empty_file",
        d.path(),
        &["check", "empty.gl"],
        b"",
        GUIDELINE_ERRORS,
    );
    write(d.path(), "comments.gl", "# only a comment\n\n");
    refused(
        "check_only_comments",
        d.path(),
        &["check", "comments.gl"],
        b"",
        GUIDELINE_ERRORS,
    );
}

/// A file saved by a Windows editor: a byte-order mark and CRLF line ends. It
/// must check clean and evaluate exactly like the same file saved plainly.
#[test]
fn a_guideline_and_a_case_with_bom_and_crlf_work() {
    let d = dir();
    let windows = |text: &str| format!("\u{feff}{}", text.replace('\n', "\r\n"));
    write(d.path(), "plain.gl", guidelang::BUNDLED_TEXT);
    write(d.path(), "windows.gl", windows(guidelang::BUNDLED_TEXT));
    let case = r#"{"als": true, "wbc": 150, "weight": 70, "height": 170}"#;
    write(d.path(), "plain.json", case);
    write(d.path(), "windows.json", windows(&format!("{case}\n")));
    let check = run(d.path(), &["check", "windows.gl"], b"");
    assert_eq!(check.code, OK, "{}", check.stderr);
    let plain = run(
        d.path(),
        &["eval", "plain.gl", "--case", "plain.json", "--format", "json"],
        b"",
    );
    let windows = run(
        d.path(),
        &["eval", "windows.gl", "--case", "windows.json", "--format", "json"],
        b"",
    );
    assert_eq!(plain.code, OK, "{}", plain.stderr);
    assert_eq!(windows.code, OK, "{}", windows.stderr);
    // The same decisions; only the content hash (of different bytes) differs.
    let strip_hash = |s: &str| {
        let mut v: serde_json::Value = serde_json::from_str(s).unwrap();
        v["guideline"]["hash"] = serde_json::Value::Null;
        v
    };
    assert_eq!(strip_hash(&plain.stdout), strip_hash(&windows.stdout));
    assert!(plain.stdout.contains("\"hydroxyurea\""));
}

/// A 100 MiB file (sparse: made in no time) is refused from its size alone,
/// before it is read.
#[test]
fn a_huge_file_is_refused_by_its_size() {
    let d = dir();
    let big = std::fs::File::create(d.path().join("big.gl")).unwrap();
    big.set_len(100 * 1024 * 1024).unwrap();
    let big_case = std::fs::File::create(d.path().join("big.json")).unwrap();
    big_case.set_len(100 * 1024 * 1024).unwrap();
    refused("check_huge_file", d.path(), &["check", "big.gl"], b"", GUIDELINE_ERRORS);
    refused(
        "eval_huge_case",
        d.path(),
        &["eval", "--case", "big.json"],
        b"",
        INVALID_CASE,
    );
}

/// Just over the limit: the size is exact in the message.
#[test]
fn a_file_just_over_the_limit() {
    let d = dir();
    let f = std::fs::File::create(d.path().join("over.gl")).unwrap();
    f.set_len(guidelang::syntax::MAX_FILE_BYTES as u64 + 1).unwrap();
    refused(
        "check_file_just_over_the_limit",
        d.path(),
        &["check", "over.gl"],
        b"",
        GUIDELINE_ERRORS,
    );
}

/// An endless input (`/dev/zero` has no size to check) is read only up to the
/// limit, then refused.
#[test]
fn an_endless_case_is_refused() {
    if !Path::new("/dev/zero").exists() {
        eprintln!("skipped: no /dev/zero here");
        return;
    }
    let d = dir();
    refused(
        "eval_endless_case",
        d.path(),
        &["eval", "--case", "/dev/zero"],
        b"",
        INVALID_CASE,
    );
}

#[test]
fn a_huge_case_on_stdin_is_refused() {
    let d = dir();
    let mut case = b"{\"als\": true".to_vec();
    case.resize(guidelang::facts::MAX_CASE_BYTES + 10, b' ');
    case.push(b'}');
    refused(
        "eval_huge_case_on_stdin",
        d.path(),
        &["eval", "--case", "-"],
        &case,
        INVALID_CASE,
    );
}

// ---------------------------------------------------------------- guideline limits

#[test]
fn nesting_too_deep() {
    let d = dir();
    let deep = format!("{}als{}", "(".repeat(100), ")".repeat(100));
    write(d.path(), "deep.gl", SMALL.replace("als and wbc > 100", &deep));
    refused("check_too_deep", d.path(), &["check", "deep.gl"], b"", GUIDELINE_ERRORS);
    let nots = format!("{}als", "not\n".repeat(100));
    write(d.path(), "nots.gl", SMALL.replace("als and wbc > 100", &nots));
    refused(
        "check_not_chain_too_deep",
        d.path(),
        &["check", "nots.gl"],
        b"",
        GUIDELINE_ERRORS,
    );
}

#[test]
fn an_expression_too_long() {
    let d = dir();
    let chain = vec!["als"; 300].join("\n    and ");
    write(d.path(), "long.gl", SMALL.replace("als and wbc > 100", &chain));
    refused(
        "check_expression_too_deep",
        d.path(),
        &["check", "long.gl"],
        b"",
        GUIDELINE_ERRORS,
    );
}

#[test]
fn a_number_too_large() {
    let d = dir();
    write(
        d.path(),
        "number.gl",
        SMALL.replace("wbc > 100", &format!("wbc > 1{}", "0".repeat(400))),
    );
    refused(
        "check_number_too_large",
        d.path(),
        &["check", "number.gl"],
        b"",
        GUIDELINE_ERRORS,
    );
}

/// A mistake 60,000 characters into a line: the snippet would be unreadable
/// (and once crashed the renderer), so the line and column are named instead.
#[test]
fn a_mistake_at_the_end_of_a_very_long_line() {
    let d = dir();
    let line = format!("at least 1 of ({}wcb > 1)", "als, ".repeat(12_000));
    write(d.path(), "wide.gl", SMALL.replace("als and wbc > 100", &line));
    let r = run(d.path(), &["check", "wide.gl"], b"");
    assert_eq!(r.code, GUIDELINE_ERRORS, "{}", r.stderr);
    insta::assert_snapshot!("check_error_on_a_very_long_line", r.stderr);
}

/// A person reads what is wrong first; the developer code comes last, for a
/// check error and a case error alike.
#[test]
fn the_message_comes_before_the_code() {
    let d = dir();
    write(d.path(), "bad.gl", SMALL.replace("als and wbc", "als and wcb"));
    let r = run(d.path(), &["check", "bad.gl"], b"");
    // The first problem (a warning: `wbc` is now unused) opens with its message.
    assert_eq!(
        r.stderr.lines().next(),
        Some("  ⚠ fact `wbc` is declared but never used"),
        "{}",
        r.stderr
    );
    let message = r.stderr.find("`wcb` is not").unwrap();
    let code = r.stderr.find("code: guidelang::check::unknown_name").unwrap();
    assert!(message < code, "{}", r.stderr);

    write(d.path(), "good.gl", SMALL);
    let r = run(d.path(), &["eval", "good.gl", "--case", "-"], br#"{"wcb": 1}"#);
    assert_eq!(r.code, INVALID_CASE);
    assert!(
        r.stderr.trim_start().starts_with("× <stdin>: `wcb` is not a fact"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("\n  code: guidelang::case::invalid\n"),
        "{}",
        r.stderr
    );
}

/// Thousands of mistakes: the first hundred are printed, the rest counted.
#[test]
fn thousands_of_errors() {
    let d = dir();
    let mut text = SMALL.to_string();
    for i in 0..1_500 {
        text.push_str(&format!("rule r{i}: avoid x{i} when missing{i}\n"));
    }
    write(d.path(), "many.gl", &text);
    let r = run(d.path(), &["check", "many.gl"], b"");
    assert_eq!(r.code, GUIDELINE_ERRORS);
    // The first hundred problems are printed, each ending with its code.
    assert_eq!(r.stderr.matches("\n  code: guidelang::").count(), 100);
    let tail: Vec<&str> = r.stderr.lines().rev().take(2).collect();
    insta::assert_snapshot!("check_thousands_of_errors_tail", tail.join("\n"));
    // JSON lists every problem kept by the checker: a thousand and the count of the rest.
    let r = run(d.path(), &["check", "many.gl", "--format", "json"], b"");
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let problems = json[0]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), guidelang::check::MAX_PROBLEMS + 1);
    assert_eq!(problems.last().unwrap()["code"], "guidelang::check::too_many_problems");
}

/// One unreadable file among several: the others are still checked, the
/// JSON lists all of them, and the exit code is the first failure's.
#[test]
fn check_goes_on_past_a_file_it_cannot_read() {
    let d = dir();
    write(d.path(), "good.gl", SMALL);
    let r = run(d.path(), &["check", "missing.gl", "good.gl"], b"");
    assert_eq!(r.code, IO, "{}", r.stderr);
    assert!(r.stderr.contains("good.gl: ok"), "{}", r.stderr);
    let r = run(d.path(), &["check", "missing.gl", "good.gl", "--format", "json"], b"");
    assert_eq!(r.code, IO);
    insta::assert_snapshot!("check_json_with_a_missing_file", r.stdout);
}

// ---------------------------------------------------------------- cases

/// Every way a case can be bad JSON, each refused with exit 3, nothing on
/// stdout, and an error saying what was wrong, where, and what was expected.
#[test]
fn bad_case_json_in_each_way() {
    let d = dir();
    let cases: &[(&str, &[u8])] = &[
        ("case_empty", b""),
        ("case_blank", b"  \r\n\t\n"),
        ("case_not_an_object", b"[{\"als\": true}]"),
        ("case_null", b"null"),
        ("case_truncated", b"{\"als\": true,"),
        ("case_trailing_text", b"{\"als\": true} and more"),
        ("case_single_quotes", b"{'als': true}"),
        ("case_nan", b"{\"als\": true, \"wbc\": NaN}"),
        ("case_infinity", b"{\"als\": true, \"wbc\": -Infinity}"),
        ("case_1e999", b"{\"als\": true, \"wbc\": 1e999}"),
        (
            "case_huge_integer",
            b"{\"als\": true, \"ecog\": 123456789012345678901234567890}",
        ),
        ("case_fractional_integer", b"{\"als\": true, \"ecog\": 2.5}"),
        (
            "case_deeply_nested",
            &[b"{\"als\": ".as_slice(), &[b'['; 40], &[b']'; 40], b"}"].concat(),
        ),
        ("case_duplicate_key", b"{\"als\": true, \"als\": false}"),
        ("case_misspelt_key", b"{\"als\": true, \"wcb\": 150}"),
        ("case_not_utf8", b"{\"als\": true, \"lineage\": \"my\xe9loid\"}"),
        ("case_utf16", &[0xFF, 0xFE, b'{', 0, b'}', 0]),
    ];
    for (name, bytes) in cases {
        let file = format!("{name}.json");
        write(d.path(), &file, bytes);
        refused(name, d.path(), &["eval", "--case", &file], b"", INVALID_CASE);
    }
}

#[test]
fn a_missing_case_file() {
    let d = dir();
    refused(
        "eval_missing_case",
        d.path(),
        &["eval", "--case", "nowhere.json"],
        b"",
        IO,
    );
}

#[test]
fn a_guideline_with_errors_evaluates_nothing() {
    let d = dir();
    write(d.path(), "bad.gl", SMALL.replace("wbc > 100", "wcb > 100"));
    refused(
        "eval_bad_guideline",
        d.path(),
        &["eval", "bad.gl", "--case", "-"],
        b"{}",
        GUIDELINE_ERRORS,
    );
}

// ---------------------------------------------------------------- usage and unsafe reports

/// Usage errors are clap's: exit 2 and its message. Only the first line is
/// snapshot, since the usage text grows with every subcommand.
#[test]
fn usage_errors_exit_2() {
    let d = dir();
    for (name, args) in [
        ("usage_unknown_command", &["frobnicate"][..]),
        ("usage_check_without_files", &["check"][..]),
        ("usage_unknown_format", &["eval", "--case", "-", "--format", "xml"][..]),
        ("usage_unknown_option", &["check", "--frobnicate", "x.gl"][..]),
    ] {
        let r = run(d.path(), args, b"");
        assert_eq!(r.code, USAGE, "{name}: {}", r.stderr);
        insta::assert_snapshot!(name, r.stderr.lines().next().unwrap_or_default());
    }
    let r = run(d.path(), &[], b"");
    assert_eq!(r.code, USAGE);
    assert!(r.stderr.contains("Usage: guidelang <COMMAND>"), "{}", r.stderr);
}

/// Two rules that clash with no precedence: the report is produced, with the
/// conflict and no verdict, and the exit code says the guideline is unsafe.
#[test]
fn a_conflict_exits_5() {
    let d = dir();
    let text = format!("{SMALL}\nrule no-hydroxyurea: avoid hydroxyurea\n  when als\n");
    write(d.path(), "clash.gl", text);
    let r = run(
        d.path(),
        &["eval", "clash.gl", "--case", "-"],
        br#"{"als": true, "wbc": 150}"#,
    );
    assert_eq!(r.code, UNSAFE, "{}", r.stderr);
    insta::assert_snapshot!("eval_conflict_stderr", r.stderr);
    // The report names the conflict and both rules, and gives no verdict.
    let conflict = r.stdout.split("CONFLICTS").nth(1).expect("a CONFLICTS section");
    assert!(
        conflict.contains("rule hydroxyurea-for-high-wbc says recommend; rule no-hydroxyurea says avoid"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("ACT NOW") && !r.stdout.contains("DO NOT"),
        "{}",
        r.stdout
    );

    // The same in the JSON contract: one conflict, no decision for the action.
    let r = run(
        d.path(),
        &["eval", "clash.gl", "--case", "-", "--format", "json"],
        br#"{"als": true, "wbc": 150}"#,
    );
    assert_eq!(r.code, UNSAFE, "{}", r.stderr);
    let out: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(out["conflicts"].as_array().map(Vec::len), Some(1), "{out}");
    assert_eq!(out["conflicts"][0]["action"], "hydroxyurea");
    let verdicts: Vec<&str> = out["conflicts"][0]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["verdict"].as_str())
        .collect();
    assert_eq!(verdicts, ["recommend", "avoid"]);
    assert_eq!(out["decisions"], serde_json::json!([]), "no verdict is given");
    assert_eq!(
        out["undecided"],
        serde_json::json!([]),
        "a conflict is not a missing fact"
    );
}

// ---------------------------------------------------------------- cohorts

#[test]
fn a_cohort_that_cannot_be_read() {
    let d = dir();
    refused(
        "batch_missing_cohort",
        d.path(),
        &["eval", "--cases", "nowhere.ndjson"],
        b"",
        IO,
    );
    std::fs::create_dir(d.path().join("folder.ndjson")).unwrap();
    refused(
        "batch_cohort_directory",
        d.path(),
        &["eval", "--cases", "folder.ndjson"],
        b"",
        IO,
    );
}

#[test]
fn an_output_file_that_cannot_be_written() {
    let d = dir();
    let r = run(
        d.path(),
        &["eval", "--cases", "-", "-o", "missing/out.ndjson"],
        b"{\"als\": true}\n",
    );
    assert_eq!(r.code, IO, "{}", r.stderr);
    assert!(r.stderr.contains("cannot write"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_dir(d.path()).unwrap().count(),
        0,
        "nothing is left behind"
    );
}

/// Every hostile line of an NDJSON cohort gets its own error record, in
/// place; the valid lines around them are evaluated; exit 3 says some failed.
#[test]
fn a_hostile_ndjson_cohort() {
    let d = dir();
    let lines: &[&[u8]] = &[
        b"\xef\xbb\xbf{\"als\": true, \"wbc\": 150}",
        b"{\"als\": true, \"wbc\": NaN}",
        b"",
        b"{\"als\": false}\r",
        b"\x00\x01\x02",
        b"{\"lineage\": \"my\xffeloid\"}",
        b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        b"{\"als\": true, \"ecog\": 123456789012345678901234567890}",
        b"{\"als\": false}",
    ];
    let input = lines.join(&b'\n');
    let r = run(d.path(), &["eval", "--cases", "-", "--jobs", "2"], &input);
    assert_eq!(r.code, INVALID_CASE, "{}", r.stderr);
    let numbers: Vec<u64> = r
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["line"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(numbers, (1..=lines.len() as u64).collect::<Vec<_>>());
    let errors: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v.get("errors").is_some())
        .collect();
    insta::assert_snapshot!(
        "batch_hostile_ndjson_errors",
        serde_json::to_string_pretty(&errors).unwrap()
    );
    let summary = r.stderr.lines().next().unwrap_or_default();
    assert!(
        summary.starts_with("als-hyperleukocytosis: 9 records: 3 evaluated"),
        "{summary}"
    );
    assert!(summary.contains("6 errors"), "{summary}");
}

/// The same for CSV: a stray quote, a blank line, a carriage return inside a
/// line, ragged rows and bytes that are not UTF-8 each break their own line.
#[test]
fn a_hostile_csv_cohort() {
    let d = dir();
    let input: &[u8] = b"\xef\xbb\xbfals,wbc,lineage\r\n\
        true,150,myeloid\r\n\
        true,\"150,myeloid\r\n\
        false,10,lymphoid\r\n\
        \r\n\
        true,150\rfalse,1,lymphoid\r\n\
        true,150,myeloid,extra\r\n\
        \xff,1,x\r\n\
        true,\"1\"\"50\",myeloid\r\n\
        false,,";
    write(d.path(), "hostile.csv", input);
    let r = run(d.path(), &["eval", "--cases", "hostile.csv"], b"");
    assert_eq!(r.code, INVALID_CASE, "{}", r.stderr);
    let records: Vec<serde_json::Value> = r.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let numbers: Vec<u64> = records.iter().map(|v| v["line"].as_u64().unwrap()).collect();
    assert_eq!(numbers, (2..=10).collect::<Vec<_>>());
    let errors: Vec<&serde_json::Value> = records.iter().filter(|v| v.get("errors").is_some()).collect();
    insta::assert_snapshot!(
        "batch_hostile_csv_errors",
        serde_json::to_string_pretty(&errors).unwrap()
    );
}
