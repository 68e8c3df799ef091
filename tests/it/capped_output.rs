//! Output that hostile input cannot blow up or bend: lint findings capped per
//! kind (the full list behind `--all-findings`, the exit code and the counts
//! unchanged), SARIF valid against the vendored 2.1.0 schema whatever the file
//! is called, Markdown whose structure author text cannot change, a cohort
//! line at the size limit read alike with either line end, and `--summary`
//! saying where its invalid records are.

use std::path::Path;

use assert_cmd::Command;
use serde_json::{json, Value};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn guidelang(dir: &Path, args: &[&str], stdin: &[u8]) -> Run {
    let out = Command::cargo_bin("guidelang")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// `rules` rules on one action, all firing on the same patients, recommend
/// and avoid in turn. Every recommend rule clashes with every avoid rule:
/// (rules/2)² clashes. Within each verdict the rules are equivalent, so all
/// but the first of each are redundant: rules − 2 warnings. Each rule has a
/// citation and a rationale, so there is nothing else to report.
fn clashing(rules: usize) -> String {
    let mut text =
        String::from("guideline clashes\n  version 1.0.0\n  status draft\nreference 1 \"r\"\nfact x: bool\n");
    for i in 0..rules {
        let verdict = if i % 2 == 0 { "recommend" } else { "avoid" };
        text.push_str(&format!(
            "rule r{i}: {verdict} drug\n  when x\n  cite 1\n  because \"b\"\n"
        ));
    }
    text
}

const CLASH: &str = "guidelang::lint::clash";
const REDUNDANT: &str = "guidelang::lint::redundant";

fn lint(rules: usize, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("clashes.gl"), clashing(rules)).unwrap();
    let mut all = vec!["lint", "clashes.gl"];
    all.extend_from_slice(args);
    guidelang(dir.path(), &all, b"")
}

fn of_code<'a>(findings: &'a Value, code: &str) -> Vec<&'a Value> {
    findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}

#[test]
fn text_lists_fifty_findings_of_a_kind_and_counts_the_rest() {
    // 60 rules: 900 clashes and 58 redundant rules.
    let capped = lint(60, &[]);
    assert_eq!(capped.code, 1, "{}", capped.stderr);
    assert_eq!(capped.stderr.matches(&format!("code: {CLASH}")).count(), 50);
    assert_eq!(capped.stderr.matches(&format!("code: {REDUNDANT}")).count(), 50);
    assert!(capped
        .stderr
        .contains("and 850 more clash findings; --all-findings lists them\n"));
    assert!(capped
        .stderr
        .contains("and 8 more redundant findings; --all-findings lists them\n"));
    // The counts are those of the full list.
    assert!(
        capped.stderr.ends_with("clashes.gl: 900 errors, 58 warnings\n"),
        "{}",
        capped.stderr
    );

    let full = lint(60, &["--all-findings"]);
    assert_eq!(full.code, capped.code);
    assert_eq!(full.stderr.matches(&format!("code: {CLASH}")).count(), 900);
    assert_eq!(full.stderr.matches(&format!("code: {REDUNDANT}")).count(), 58);
    assert!(!full.stderr.contains("more clash findings"));
    assert!(full.stderr.ends_with("clashes.gl: 900 errors, 58 warnings\n"));
}

#[test]
fn text_output_stays_bounded_however_many_rules_clash() {
    // 200 rules: 10,000 clashes, the whole list some 24 MB of text. Capped,
    // it is 100 findings of about 750 bytes each (a snippet of at most 60
    // lines), whatever the number of rules.
    let capped = lint(200, &[]);
    assert_eq!(capped.code, 1);
    assert!(capped.stderr.contains("and 9950 more clash findings"));
    assert!(capped.stderr.contains("and 148 more redundant findings"));
    assert!(capped.stderr.len() < 100_000, "{} bytes", capped.stderr.len());
    assert!(capped.stderr.ends_with("clashes.gl: 10000 errors, 198 warnings\n"));
}

#[test]
fn json_lists_the_first_fifty_and_counts_what_was_left_out() {
    let capped = lint(60, &["--format", "json"]);
    let full = lint(60, &["--format", "json", "--all-findings"]);
    assert_eq!((capped.code, full.code), (1, 1));
    let capped: Value = serde_json::from_str(&capped.stdout).unwrap();
    let full: Value = serde_json::from_str(&full.stdout).unwrap();
    assert_eq!(
        capped["omitted"],
        json!([
            {"code": CLASH, "severity": "error", "count": 850},
            {"code": REDUNDANT, "severity": "warning", "count": 8},
        ])
    );
    assert_eq!(full["omitted"], json!([]));
    for report in [&capped, &full] {
        assert_eq!(
            (report["errors"].as_u64(), report["warnings"].as_u64()),
            (Some(900), Some(58))
        );
    }
    let (listed, all) = (of_code(&capped["findings"], CLASH), of_code(&full["findings"], CLASH));
    assert_eq!((listed.len(), all.len()), (50, 900));
    // The fifty listed are the first fifty of the full list, in its order.
    assert_eq!(listed, all[..50]);
    assert_eq!(of_code(&full["findings"], REDUNDANT).len(), 58);
}

/// The SARIF 2.1.0 schema, vendored (see `tests/it/schemas/README.md`),
/// checked as draft-07 so that URI formats are checked too.
fn sarif_validator() -> jsonschema::Validator {
    let mut schema: Value = serde_json::from_str(include_str!("schemas/sarif-2.1.0-rtm.5.json")).unwrap();
    // With formats checked, the schema is itself checked against the
    // meta-schema, and the pattern of `language` (of a run and of a tool)
    // fails the `regex` format: a stray `]` in "ll or ll-CC". It is given as
    // intended; the linter writes no `language`.
    for owner in ["run", "toolComponent"] {
        let language = &mut schema["definitions"][owner]["properties"]["language"]["pattern"];
        assert_eq!(language, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$");
        *language = json!("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
    }
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn assert_valid_sarif(log: &Value) {
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "not valid SARIF 2.1.0:\n{}", errors.join("\n"));
}

/// The schema really rejects what the old encoding let through, so that the
/// tests below can fail.
#[test]
fn the_schema_rejects_an_unencoded_uri() {
    let log = json!({
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "x"}}, "artifacts": [{"location": {"uri": "a [b].gl"}}]}],
    });
    assert!(!sarif_validator().is_valid(&log));
}

#[test]
fn sarif_is_capped_alike_and_valid_either_way() {
    let capped = lint(60, &["--format", "sarif"]);
    let full = lint(60, &["--format", "sarif", "--all-findings"]);
    assert_eq!((capped.code, full.code), (1, 1));
    let capped: Value = serde_json::from_str(&capped.stdout).unwrap();
    let full: Value = serde_json::from_str(&full.stdout).unwrap();
    assert_valid_sarif(&capped);
    assert_valid_sarif(&full);
    let clashes = |log: &Value| {
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["ruleId"] == CLASH)
            .count()
    };
    assert_eq!((clashes(&capped), clashes(&full)), (50, 900));
    let run = &capped["runs"][0];
    assert_eq!(
        run["properties"]["omitted"][0],
        json!({"code": CLASH, "severity": "error", "count": 850})
    );
    let notes = &run["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(
        notes[0]["message"]["text"],
        "and 850 more clash findings; --all-findings lists them"
    );
    assert!(full["runs"][0].get("properties").is_none());
}

/// The bundled guideline (its invariants proved: results of kind `pass`),
/// and a file that does not check (its errors are the findings).
#[test]
fn sarif_of_the_bundled_guideline_and_of_a_broken_file_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let run = guidelang(dir.path(), &["lint", "--format", "sarif"], b"");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_valid_sarif(&serde_json::from_str(&run.stdout).unwrap());
    std::fs::write(
        dir.path().join("broken.gl"),
        "guideline g\n  version 1.0.0\nrule r1: recommend\n",
    )
    .unwrap();
    let run = guidelang(dir.path(), &["lint", "broken.gl", "--format", "sarif"], b"");
    assert_eq!(run.code, 1, "{}", run.stderr);
    let log: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_valid_sarif(&log);
    assert!(!log["runs"][0]["results"].as_array().unwrap().is_empty());
}

/// A file name with brackets, a tab, quotes, a non-ASCII letter, a percent
/// sign and a backslash (a plain character of a Unix file name, not a
/// separator): the URI names that very file, in a subdirectory, and the log
/// stays valid SARIF.
#[cfg(unix)]
#[test]
fn sarif_uris_encode_every_character_a_path_segment_does_not_allow() {
    let dir = tempfile::tempdir().unwrap();
    let name = "a [b]\t\"é\" 100% x\\y.gl";
    std::fs::create_dir(dir.path().join("sub dir")).unwrap();
    std::fs::write(dir.path().join("sub dir").join(name), clashing(2)).unwrap();
    let path = format!("sub dir/{name}");
    let run = guidelang(dir.path(), &["lint", &path, "--format", "sarif"], b"");
    assert_eq!(run.code, 1, "{}", run.stderr);
    let log: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_valid_sarif(&log);
    let expected = "sub%20dir/a%20%5Bb%5D%09%22%C3%A9%22%20100%25%20x%5Cy.gl";
    assert_eq!(log["runs"][0]["artifacts"][0]["location"]["uri"], expected);
    let location = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], expected);
}

/// The shape of a Markdown line: what block it opens under CommonMark (with
/// GFM tables), not what it says. Two documents with the same shapes line by
/// line have the same structure.
fn shape(line: &str) -> String {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[indent..];
    if line.trim().is_empty() {
        return "blank".into();
    }
    if line.starts_with('\t') || indent >= 4 {
        return "code".into();
    }
    let first = rest.chars().next().unwrap_or(' ');
    let marker_only = rest.chars().all(|c| c == first || c == ' ' || c == '\t');
    if matches!(first, '-' | '*' | '_') && marker_only && rest.matches(first).count() >= 3 {
        return "thematic break".into();
    }
    if matches!(first, '=' | '-') && marker_only {
        return "setext underline".into();
    }
    let blank_or_space = |s: &str| s.is_empty() || s.starts_with([' ', '\t']);
    if matches!(first, '-' | '+' | '*') && blank_or_space(&rest[1..]) {
        return "bullet".into();
    }
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if (1..=9).contains(&digits) && rest[digits..].starts_with(['.', ')']) && blank_or_space(&rest[digits + 1..]) {
        return "ordered item".into();
    }
    if first == '#' {
        let hashes = rest.len() - rest.trim_start_matches('#').len();
        if hashes <= 6 && blank_or_space(&rest[hashes..]) {
            return format!("heading {hashes}");
        }
    }
    if matches!(first, '>' | '<' | '`' | '~' | '[') {
        return format!("opens with {first}");
    }
    if first == '|' {
        // Cells are split at every `|` not escaped by a backslash.
        let mut cells = 0;
        let mut escaped = false;
        for c in rest.chars() {
            if c == '|' && !escaped {
                cells += 1;
            }
            escaped = c == '\\' && !escaped;
        }
        return format!("table row of {cells} bars");
    }
    "paragraph".into()
}

fn render_markdown(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("g.gl"), text).unwrap();
    let run = guidelang(dir.path(), &["render", "g.gl", "--format", "markdown"], b"");
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

#[test]
fn author_text_cannot_change_the_markdown_structure() {
    let hostile = [
        "---",
        "- a list item",
        "+ another",
        "* and another",
        "1. an ordered item",
        "2) another",
        "    indented code",
        "# a heading",
        "> a quote",
        "```",
        "| a | table |",
        "[x]: https://example.org",
        "<div>html</div>",
        "===",
    ];
    let mut text = String::from(
        "guideline g\n  title \"T\"\n  version 1.0.0\n  status draft\nreference 1 \"- r | s\"\nfact x: bool \"a | b\"\n",
    );
    let mut plain = text.replace("- r | s", "plain").replace("a | b", "plain");
    for (i, h) in hostile.iter().enumerate() {
        let note = format!("note n{i}:\n  when always\n  says \"{h}\"\n  cite 1\n");
        text.push_str(&note);
        plain.push_str(&note.replace(h, "plain"));
    }
    let (hostile_md, plain_md) = (render_markdown(&text), render_markdown(&plain));
    let shapes = |md: &str| {
        let mut out: Vec<String> = Vec::new();
        for line in md.lines() {
            let mut s = shape(line);
            // An underline only makes a heading of the paragraph line above it.
            if s == "setext underline" && out.last().map(String::as_str) != Some("paragraph") {
                s = "paragraph".into();
            }
            out.push(s);
        }
        out
    };
    assert_eq!(
        shapes(&hostile_md),
        shapes(&plain_md),
        "the hostile document:\n{hostile_md}\nthe plain one:\n{plain_md}"
    );
    // The text itself is still there, escaped.
    for expected in [
        "\\---",
        "\\- a list item",
        "1\\. an ordered item",
        "2\\) another",
        "a \\| b",
    ] {
        assert!(hostile_md.contains(expected), "`{expected}` in:\n{hostile_md}");
    }
}

/// Evaluates one NDJSON line of the bundled guideline from stdin.
fn eval_line(line: &[u8]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let run = guidelang(dir.path(), &["eval", "--cases", "-", "--format", "json"], line);
    serde_json::from_str(run.stdout.trim_end()).unwrap()
}

/// A cohort line of exactly the case limit, as a CRLF file would end it and
/// as an LF file would: the line end is not part of the case, so both are
/// read. One byte more is refused with either.
#[test]
fn a_cohort_line_at_the_size_limit_is_read_alike_with_crlf_or_lf() {
    let limit = guidelang::facts::MAX_CASE_BYTES;
    // An empty case padded with spaces to `len` bytes.
    let case = |len: usize| format!("{{{}}}", " ".repeat(len - 2));
    for end in ["\n", "\r\n"] {
        let at = eval_line(format!("{}{end}", case(limit)).as_bytes());
        assert!(at.get("errors").is_none(), "{end:?}: {at}");
        assert_eq!(at["line"], 1);
        let past = eval_line(format!("{}{end}", case(limit + 1)).as_bytes());
        let message = past["errors"][0]["message"].as_str().unwrap();
        assert_eq!(
            message,
            format!("the case is {} bytes; a case is limited to {limit} bytes", limit + 1),
            "{end:?}"
        );
    }
}

/// Lines 2 and 4 are not cases; with `--summary` no record is printed, so the
/// message names the lines and how to see why.
#[test]
fn summary_says_where_the_invalid_records_are() {
    let dir = tempfile::tempdir().unwrap();
    let cohort = b"{}\nnot json\n{}\n{\"wcb\": 1}\n{}\n";
    let run = guidelang(dir.path(), &["eval", "--cases", "-", "--summary"], cohort);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.ends_with(
            "error: 2 record(s) were not valid cases (input lines 2 and 4); run without --summary for their error lines\n"
        ),
        "{}",
        run.stderr
    );
    let run = guidelang(dir.path(), &["eval", "--cases", "-"], cohort);
    assert!(run.stderr.ends_with(
        "error: 2 record(s) were not valid cases (input lines 2 and 4); their error lines are in the output\n"
    ));
    let run = guidelang(dir.path(), &["eval", "--cases", "-", "-o", "out.ndjson"], cohort);
    assert!(
        run.stderr.ends_with(
            "error: 2 record(s) were not valid cases (input lines 2 and 4); their error lines are in out.ndjson\n"
        ),
        "{}",
        run.stderr
    );
}

/// Past ten invalid records the first ten are named and the rest counted,
/// the same whatever the number of jobs.
#[test]
fn summary_names_the_first_invalid_lines_in_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut cohort = String::new();
    for i in 1..=3000 {
        cohort.push_str(if i % 100 == 0 { "{\"wcb\": 1}\n" } else { "{}\n" });
    }
    for jobs in ["1", "4"] {
        let run = guidelang(
            dir.path(),
            &["eval", "--cases", "-", "--summary", "--jobs", jobs],
            cohort.as_bytes(),
        );
        assert!(
            run.stderr.ends_with(
                "error: 30 record(s) were not valid cases (input lines 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000 and 20 more); run without --summary for their error lines\n"
            ),
            "--jobs {jobs}: {}",
            run.stderr
        );
    }
}
