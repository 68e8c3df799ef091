//! The editor's commands through the real binary: `fmt`, `test`, `render`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn bin() -> Command {
    let mut c = Command::cargo_bin("guidelang").unwrap();
    c.env("NO_COLOR", "1");
    c
}

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

const BUNDLED: &str = "guidelines/als-hyperleukocytosis.gl";

const SMALL: &str = "guideline small version 1.0.0 status draft applies when adult
# the patient
fact adult: bool   # asked at triage
fact wbc: number in 10^9/L from 0
reference 1 \"A source\"
rule treat-high: recommend treatment cite 1 when wbc > 100 because \"High count.\"
rule avoid-low: avoid treatment when wbc < 10
note high-count: says \"The count is high.\" when wbc > 100
";

// ------------------------------------------------------------------ fmt

#[test]
fn fmt_check_accepts_the_bundled_guideline() {
    bin()
        .current_dir(repo(""))
        .args(["fmt", "--check", BUNDLED])
        .assert()
        .success()
        .stdout("");
}

#[test]
fn fmt_check_prints_a_diff_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("small.gl");
    std::fs::write(&file, SMALL).unwrap();
    bin()
        .args(["fmt", "--check"])
        .arg(&file)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("--- "))
        .stdout(predicate::str::contains("(formatted)"))
        .stdout(predicate::str::contains("@@"))
        .stdout(predicate::str::contains(
            "+rule treat-high: recommend treatment\n+  when wbc > 100",
        ))
        .stderr(predicate::str::contains("is not formatted"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), SMALL);
}

#[test]
fn fmt_rewrites_in_place_keeping_comments_then_check_passes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("small.gl");
    std::fs::write(&file, SMALL).unwrap();
    bin().arg("fmt").arg(&file).assert().success();
    let formatted = std::fs::read_to_string(&file).unwrap();
    assert!(
        formatted.contains("# the patient\nfact adult: bool # asked at triage\n"),
        "{formatted}"
    );
    assert!(formatted
        .contains("rule treat-high: recommend treatment\n  when wbc > 100\n  because \"High count.\"\n  cite 1\n"));
    bin().args(["fmt", "--check"]).arg(&file).assert().success();
    bin().arg("check").arg(&file).assert().success();
}

#[test]
fn fmt_reads_stdin_and_writes_stdout() {
    bin()
        .args(["fmt", "-"])
        .write_stdin("guideline g   title \"T\"\nfact  a :bool")
        .assert()
        .success()
        .stdout("guideline g\n  title \"T\"\n\nfact a: bool\n");
}

#[test]
fn fmt_leaves_a_file_that_does_not_parse_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.gl");
    std::fs::write(&file, "guideline g\nrule r: maybe x\n").unwrap();
    bin()
        .arg("fmt")
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("does not parse"));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "guideline g\nrule r: maybe x\n"
    );
    bin().args(["fmt", "no/such/file.gl"]).assert().code(4);
}

// ------------------------------------------------------------------ test

#[test]
fn the_bundled_suite_passes_with_full_coverage() {
    bin()
        .current_dir(repo(""))
        .args(["test", BUNDLED, "--coverage", "--min-coverage", "100"])
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"(?m)^\d+ passed, 0 failed$").unwrap())
        .stdout(predicate::str::contains("coverage: 100.0%"))
        .stdout(predicate::str::contains("not exercised").not())
        .stdout(predicate::str::contains("FAIL").not());
}

fn small_with_cases(cases: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("small.gl");
    std::fs::write(&file, SMALL).unwrap();
    std::fs::write(dir.path().join("small.cases.toml"), cases).unwrap();
    (dir, file)
}

const CASES: &str = r#"
[[case]]
name = "high count"
facts = { adult = true, wbc = 150 }
notes = ["high-count"]
[case.expect]
treatment = "recommend"

[[case]]
name = "wrong on purpose"
facts = { adult = true, wbc = 5 }
[case.expect]
treatment = "recommend"
"#;

#[test]
fn a_failing_case_shows_expected_and_actual_and_exits_1() {
    let (_dir, file) = small_with_cases(CASES);
    bin()
        .arg("test")
        .arg(&file)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("ok    high count"))
        .stdout(predicate::str::contains("FAIL  wrong on purpose"))
        .stdout(predicate::str::contains(
            "treatment:\n          - expected: recommend\n          + actual:   avoid",
        ))
        .stdout(predicate::str::ends_with("1 passed, 1 failed\n"));
}

#[test]
fn coverage_lists_what_no_case_exercised() {
    let only_high = CASES.split("[[case]]\nname = \"wrong").next().unwrap();
    let (_dir, file) = small_with_cases(only_high);
    bin()
        .arg("test")
        .arg(&file)
        .arg("--coverage")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "coverage: 66.7% (2 of 3: rules 1/2, precedence links 0/0, notes 1/1)",
        ))
        .stdout(predicate::str::contains("  rule avoid-low (avoid treatment)"));
    bin()
        .arg("test")
        .arg(&file)
        .args(["--min-coverage", "70"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("coverage 66.7% is below the required 70%"))
        .stdout(predicate::str::ends_with("1 passed, 0 failed\n"));
}

#[test]
fn an_invalid_suite_runs_nothing() {
    let (_dir, file) = small_with_cases("[[case]]\nname = \"x\"\n[case.expect]\ntreatment = \"recomend\"\n");
    bin()
        .arg("test")
        .arg(&file)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("expect.treatment is \"recomend\""));
    let dir = tempfile::tempdir().unwrap();
    let lonely = dir.path().join("lonely.gl");
    std::fs::write(&lonely, SMALL).unwrap();
    bin()
        .arg("test")
        .arg(&lonely)
        .assert()
        .code(4)
        .stderr(predicate::str::contains("no case suite found"));
}

// ------------------------------------------------------------------ render

#[test]
fn render_markdown_has_title_actions_notes_and_references() {
    bin()
        .arg("render")
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "# Hyperleukocytosis and acute leukemia with pre-existing ALS\n",
        ))
        .stdout(predicate::str::contains("### Leukapheresis `leukapheresis` **urgent**\n"))
        .stdout(predicate::str::contains(
            "**recommend** when *cytoreduction indicated*\n\n- Dose: 50–60 mg/kg/day, by body weight (kg)",
        ))
        .stdout(predicate::str::contains(
            "- **Applies to:** patients with pre-existing amyotrophic lateral sclerosis and newly diagnosed acute leukemia\n",
        ))
        .stdout(predicate::str::contains("white blood cell count above 100 × 10^9/L"))
        .stdout(predicate::str::contains("## Notes"))
        .stdout(predicate::str::contains(
            "- \\[3\\] Leukocytoreduction for acute leukemia. Therapeutic Apheresis, 2002.",
        ));
}

#[test]
fn render_html_is_self_contained_and_escapes_text() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hostile.gl");
    let hostile = SMALL.replace(
        "guideline small version",
        "guideline small title \"<script>alert(1)</script> & \\\"more\\\"\" version",
    );
    std::fs::write(&file, hostile).unwrap();
    let out = dir.path().join("doc.html");
    bin()
        .arg("render")
        .arg(&file)
        .args(["--format", "html", "-o"])
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;more&quot;"));
    assert!(!html.contains("<script"), "no script, hostile or not");
    for external in ["http://", "https://", "<link", "src=", "@import"] {
        assert!(!html.contains(external), "external asset: {external}");
    }
    bin().args(["render", "no/such.gl"]).assert().code(4);
}
