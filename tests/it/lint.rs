//! `guidelang lint` through the real binary, on mutated copies of the bundled
//! guideline: each mutation is caught with the right finding, and each witness,
//! run through `guidelang eval`, really shows the conflict or violation.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const BUNDLED: &str = include_str!("../../guidelines/als-hyperleukocytosis.gl");

/// The bundled text with `from` (which must occur exactly once) replaced.
fn mutate(from: &str, to: &str) -> String {
    assert_eq!(BUNDLED.matches(from).count(), 1, "`{from}` must occur once");
    BUNDLED.replacen(from, to, 1)
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn guidelang(dir: &Path, args: &[&str]) -> Run {
    let out = Command::cargo_bin("guidelang")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Writes `text` as `mutated.gl` in a fresh directory and lints it as JSON.
fn lint(text: &str) -> (tempfile::TempDir, i32, Value) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mutated.gl"), text).unwrap();
    let run = guidelang(dir.path(), &["lint", "mutated.gl", "--format", "json"]);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    (dir, run.code, json)
}

fn with_code<'a>(report: &'a Value, code: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}

/// Runs `guidelang eval mutated.gl --case witness.json --format json`.
fn eval_witness(dir: &Path, witness: &Value) -> (i32, Value) {
    std::fs::write(dir.join("witness.json"), witness.to_string()).unwrap();
    let run = guidelang(
        dir,
        &["eval", "mutated.gl", "--case", "witness.json", "--format", "json"],
    );
    (run.code, serde_json::from_str(&run.stdout).unwrap())
}

fn rules_of(finding: &Value) -> Vec<&str> {
    finding["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect()
}

#[test]
fn the_bundled_guideline_lints_clean_and_its_invariants_are_proved() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = guidelang(
        root,
        &[
            "lint",
            "guidelines/als-hyperleukocytosis.gl",
            "--deny",
            "warnings",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["findings"], Value::Array(Vec::new()));
    let mut proved: Vec<&str> = report["proved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    proved.sort_unstable();
    let g = guidelang::bundled().unwrap();
    let mut all: Vec<&str> = g.invariants.iter().map(|i| i.id.as_str()).collect();
    all.sort_unstable();
    assert!(all.len() >= 4);
    assert_eq!(proved, all, "every invariant of the bundled guideline is proved");
    drop(dir);
}

#[test]
fn a_removed_overrides_is_a_clash_whose_witness_conflicts() {
    let text = mutate("  overrides no-leukapheresis-for-cytoreduction\n", "");
    let (dir, code, report) = lint(&text);
    assert_eq!(code, 1);
    let clashes = with_code(&report, "guidelang::lint::clash");
    assert_eq!(clashes.len(), 1, "{report:#}");
    let clash = clashes[0];
    assert_eq!(clash["action"], "leukapheresis");
    assert_eq!(
        rules_of(clash),
        [
            "leukapheresis-for-refractory-leukostasis",
            "no-leukapheresis-for-cytoreduction"
        ]
    );
    let witness = &clash["witness"];
    assert_eq!(witness["hydroxyurea_response"], "refractory");
    let (code, out) = eval_witness(dir.path(), witness);
    assert_eq!(code, 5, "eval flags the conflict");
    let conflict = &out["conflicts"][0];
    assert_eq!(conflict["action"], "leukapheresis");
    let rules: Vec<&str> = conflict["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, rules_of(clash));
}

#[test]
fn an_added_clashing_rule_is_caught_with_a_real_witness() {
    let text = format!(
        "{BUNDLED}\nrule no-atra-in-coagulopathy: avoid atra\n  when coagulopathy\n  because \"Invented for the test.\"\n  cite 1\n"
    );
    let (dir, code, report) = lint(&text);
    assert_eq!(code, 1);
    let clashes = with_code(&report, "guidelang::lint::clash");
    assert_eq!(clashes.len(), 1, "{report:#}");
    assert_eq!(rules_of(clashes[0]), ["atra-for-apl", "no-atra-in-coagulopathy"]);
    let witness = &clashes[0]["witness"];
    assert_eq!(witness["coagulopathy"], true);
    let (code, out) = eval_witness(dir.path(), witness);
    assert_eq!(code, 5);
    assert_eq!(out["conflicts"][0]["action"], "atra");
}

#[test]
fn a_removed_contraindication_breaks_the_invariants_that_keep_it() {
    let start = BUNDLED.find("rule no-leukapheresis-in-apl").unwrap();
    let end = start + BUNDLED[start..].find("\n\n").unwrap();
    let text = format!("{}{}", &BUNDLED[..start], &BUNDLED[end + 2..]);
    let (dir, code, report) = lint(&text);
    assert_eq!(code, 1);
    let broken = with_code(&report, "guidelang::lint::invariant_violated");
    let mut ids: Vec<&str> = broken.iter().map(|f| f["invariant"].as_str().unwrap()).collect();
    ids.sort_unstable();
    // In 2.0.0 the consider rule needs APL excluded, so without the
    // contraindication leukapheresis is avoided (not considered) in APL: the
    // invariants that catch it are "only contraindicated in APL" and "decided
    // when APL is suspected", while "never in APL" still holds.
    assert_eq!(
        ids,
        [
            "leukapheresis-decided-when-apl-suspected",
            "leukapheresis-only-contraindicated-in-apl"
        ],
        "{report:#}"
    );
    // Every witness breaks its invariant when evaluated.
    for f in &broken {
        let (code, out) = eval_witness(dir.path(), &f["witness"]);
        assert_eq!(code, 5);
        let shown: Vec<&Value> = out["violations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["action"] == "leukapheresis")
            .collect();
        assert!(!shown.is_empty(), "{}", f["witness"]);
    }
    let weakened = broken
        .iter()
        .find(|f| f["invariant"] == "leukapheresis-only-contraindicated-in-apl")
        .unwrap();
    let (_, out) = eval_witness(dir.path(), &weakened["witness"]);
    let v = out["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["invariant"] == "leukapheresis-only-contraindicated-in-apl")
        .unwrap();
    assert_eq!(v["verdict"], "avoid");
    assert_eq!(v["certain"], true);
    let proved = report["proved"].as_array().unwrap();
    assert!(!proved.contains(&Value::from("leukapheresis-only-contraindicated-in-apl")));
    assert!(proved.contains(&Value::from("leukapheresis-never-in-apl")));
}

#[test]
fn a_narrowed_rule_breaks_always_decide_on_a_partial_case() {
    let text = mutate(
        "recommend hydroxyurea\n  when cytoreduction_indicated\n",
        "recommend hydroxyurea\n  when cytoreduction_indicated and not coagulopathy\n",
    );
    let (dir, code, report) = lint(&text);
    assert_eq!(code, 1);
    let broken = with_code(&report, "guidelang::lint::invariant_violated");
    assert_eq!(broken.len(), 1, "{report:#}");
    assert_eq!(broken[0]["invariant"], "hydroxyurea-decided-when-the-count-is-high");
    let witness = &broken[0]["witness"];
    // A partial case: coagulopathy missing is what leaves hydroxyurea undecided.
    assert!(witness.get("coagulopathy").is_none(), "{witness}");
    let (code, out) = eval_witness(dir.path(), witness);
    assert_eq!(code, 5);
    assert_eq!(
        out["violations"][0]["invariant"],
        "hydroxyurea-decided-when-the-count-is-high"
    );
    assert_eq!(out["violations"][0]["verdict"], Value::Null);
}

#[test]
fn a_moved_threshold_makes_a_rule_redundant() {
    let text = mutate("when platelets <= 50 and", "when platelets <= 30 and");
    let (_dir, code, report) = lint(&text);
    assert_eq!(code, 0, "a warning alone passes");
    let redundant = with_code(&report, "guidelang::lint::redundant");
    assert_eq!(redundant.len(), 1, "{report:#}");
    assert_eq!(
        rules_of(redundant[0]),
        [
            "platelets-at-or-below-50-with-bleeding-risk",
            "platelets-at-or-below-30"
        ]
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mutated.gl"), &text).unwrap();
    let run = guidelang(dir.path(), &["lint", "mutated.gl", "--deny", "warnings"]);
    assert_eq!(run.code, 1, "--deny warnings fails on it");
}

#[test]
fn a_threshold_below_the_range_makes_a_rule_unreachable() {
    let text = mutate("when platelets <= 30\n", "when platelets < 0\n");
    let (_dir, _, report) = lint(&text);
    let dead = with_code(&report, "guidelang::lint::unreachable");
    assert_eq!(dead.len(), 1, "{report:#}");
    assert_eq!(rules_of(dead[0]), ["platelets-at-or-below-30"]);
    assert!(dead[0]["message"].as_str().unwrap().contains("can never fire"));
}

#[test]
fn a_rule_always_beaten_by_a_contraindication_never_decides() {
    let text = mutate(
        "avoid leukapheresis\n  when cytoreduction_indicated\n",
        "avoid leukapheresis\n  when cytoreduction_indicated and apl\n",
    );
    let (_dir, _, report) = lint(&text);
    let dead = with_code(&report, "guidelang::lint::unreachable");
    assert_eq!(dead.len(), 1, "{report:#}");
    let never: Vec<&&Value> = dead
        .iter()
        .filter(|f| f["message"].as_str().unwrap().contains("never decides"))
        .collect();
    assert_eq!(
        rules_of(never[0])[..2],
        ["no-leukapheresis-for-cytoreduction", "no-leukapheresis-in-apl"]
    );
}

#[test]
fn a_precedence_cycle_is_an_error() {
    let text = mutate(
        "avoid leukapheresis\n  when cytoreduction_indicated\n",
        "avoid leukapheresis\n  when cytoreduction_indicated\n  overrides leukapheresis-for-refractory-leukostasis\n",
    );
    let (_dir, code, report) = lint(&text);
    assert_eq!(code, 1);
    assert!(
        !with_code(&report, "guidelang::check::precedence_cycle").is_empty(),
        "{report:#}"
    );
    assert_eq!(report["guideline"], Value::Null);
}

#[test]
fn housekeeping_warnings() {
    // 2.0.0 is in review with no reviewer; approving it without one is flagged.
    let text = mutate("  status in-review\n", "  status approved\n");
    let text = text.replacen(
        "  cite 1\n\nrule no-transplant-in-als",
        "\nrule no-transplant-in-als",
        1,
    );
    let text = text.replacen("\"Age at diagnosis\" recorded", "\"Age at diagnosis\"", 1);
    let (_dir, code, report) = lint(&text);
    assert_eq!(code, 0);
    assert_eq!(
        with_code(&report, "guidelang::lint::approved_without_reviewers").len(),
        1
    );
    let uncited = with_code(&report, "guidelang::lint::unsupported_rule");
    assert_eq!(uncited.len(), 1, "{report:#}");
    assert_eq!(rules_of(uncited[0]), ["no-intensive-induction-in-als"]);
    assert_eq!(with_code(&report, "guidelang::check::unused_fact").len(), 1);
}

#[test]
fn arithmetic_on_facts_is_never_a_silent_no_clash() {
    let text = format!(
        "{BUNDLED}\nrule no-hydroxyurea-for-large-patients: avoid hydroxyurea\n  when bsa > 2\n  because \"Invented for the test.\"\n  cite 1\n"
    );
    let (_dir, _, report) = lint(&text);
    // Either the clash is shown on a witness the evaluator confirms (a
    // plausible patient, weight and height mid-range, has a BSA over 2), or
    // the question is reported as not decided exactly: never silence.
    let inexact = with_code(&report, "guidelang::lint::inexact");
    let clashes = with_code(&report, "guidelang::lint::clash");
    assert!(
        inexact
            .iter()
            .chain(&clashes)
            .any(|f| rules_of(f).contains(&"no-hydroxyurea-for-large-patients")),
        "{report:#}"
    );
}

#[test]
fn sarif_points_at_the_rule_lines() {
    let text = mutate("  overrides no-leukapheresis-for-cytoreduction\n", "");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mutated.gl"), &text).unwrap();
    let run = guidelang(dir.path(), &["lint", "mutated.gl", "--format", "sarif"]);
    assert_eq!(run.code, 1);
    let sarif: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let clash = results
        .iter()
        .find(|r| r["ruleId"] == "guidelang::lint::clash")
        .unwrap();
    assert_eq!(clash["level"], "error");
    let loc = &clash["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "mutated.gl");
    let line_of = |needle: &str| text[..text.find(needle).unwrap()].matches('\n').count() + 1;
    let when = "when leukostasis_present and hydroxyurea_response is refractory and apl_excluded";
    assert_eq!(loc["region"]["startLine"], line_of(when));
    assert_eq!(loc["region"]["startColumn"], 8);
    let related = &clash["relatedLocations"][0]["physicalLocation"]["region"]["startLine"];
    assert_eq!(*related, line_of("avoid leukapheresis\n") + 1);
    let passes = results.iter().filter(|r| r["kind"] == "pass").count();
    let invariants = guidelang::bundled().unwrap().invariants.len();
    assert_eq!(passes, invariants, "every invariant holds");
    let ids: Vec<&str> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        clash["ruleIndex"],
        ids.iter().position(|i| *i == "guidelang::lint::clash").unwrap()
    );
}

/// A small fixed guideline for the snapshot, so that it does not move when the
/// bundled guideline grows.
const EXAMPLE: &str = r#"guideline leukapheresis-example
  title "Leukapheresis (lint example)"
  version 1.0.0
  status draft
  applies when als

reference 1 "Example"

fact als: bool "ALS diagnosed."
fact wbc: number in 10^9/L from 0 "White blood cell count."
fact leukostasis: one of none, pulmonary, cerebral "Signs of leukostasis."
fact hydroxyurea_response: one of not_started, responding, refractory "Answer to hydroxyurea."

define hyperleukocytosis: wbc > 100

rule leukapheresis-for-refractory-leukostasis: consider leukapheresis
  when hyperleukocytosis and leukostasis is one of (pulmonary, cerebral) and hydroxyurea_response is refractory
  because "Mechanical removal may be the remaining option."
  cite 1

rule no-leukapheresis-in-hyperleukocytosis: avoid leukapheresis
  when hyperleukocytosis
  because "No survival benefit."
  cite 1

invariant leukapheresis-decided:
  always decide leukapheresis when wbc is known and wbc > 100
"#;

#[test]
fn human_output_shows_both_rules_the_witness_and_help() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("example.gl"), EXAMPLE).unwrap();
    let run = guidelang(dir.path(), &["lint", "example.gl"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("lint_example_clash", run.stderr);
}

const HEADER: &str = "guideline small\n  version 1.0.0\n  status draft\nreference 1 \"Test\"\n";

/// Lints a small guideline and returns the ids of broken and proved invariants.
fn invariant_verdicts(text: &str) -> (tempfile::TempDir, Value, Vec<String>, Vec<String>) {
    let (dir, _, report) = lint(text);
    let broken = with_code(&report, "guidelang::lint::invariant_violated")
        .iter()
        .map(|f| f["invariant"].as_str().unwrap().to_string())
        .collect();
    let proved = report["proved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    (dir, report, broken, proved)
}

#[test]
fn more_completions_than_the_evaluator_enumerates_is_undecided() {
    let rules = |n: usize| {
        let mut text = HEADER.to_string();
        for i in 0..n {
            text.push_str(&format!(
                "fact b{i}: bool\nrule r{i}: recommend x\n  when b{i}\n  because \"t\"\n  cite 1\n"
            ));
        }
        text.push_str("fact k: bool\nrule always: recommend x\n  when k or not k\n  because \"t\"\n  cite 1\n");
        text.push_str("invariant decided: always decide x when k is known\n");
        text
    };
    // Every completion of the 16 unknown facts ends in "recommend", but past
    // 2^14 completions the evaluator does not enumerate them: it keeps the
    // rule-level answer, undecided, and the invariant breaks on that case.
    // The linter cannot encode that cap exactly (it depends on how many facts
    // a case leaves out), so it must not claim a proof: it says "not decided
    // exactly", and the case shows why.
    let (dir, report, broken, proved) = invariant_verdicts(&rules(16));
    assert!(broken.is_empty() && proved.is_empty(), "{report:#}");
    let inexact = with_code(&report, "guidelang::lint::inexact");
    assert_eq!(inexact.len(), 1, "{report:#}");
    assert_eq!(inexact[0]["invariant"], "decided");
    let (code, out) = eval_witness(dir.path(), &serde_json::json!({"k": true}));
    assert_eq!(code, 5);
    assert_eq!(out["violations"][0]["invariant"], "decided");
    // With 12 such facts (and `k`) the evaluator tries every completion: all
    // give "recommend", as the rule true on the case does, so it is decided,
    // and the linter, encoding completions, proves it.
    let (_dir, report, broken, proved) = invariant_verdicts(&rules(12));
    assert!(broken.is_empty(), "{report:#}");
    assert_eq!(proved, ["decided"]);
}

#[test]
fn a_never_invariant_can_leave_an_action_undecided() {
    let rules = "fact a: bool\nfact b: bool\nrule r: recommend x\n  when a\n  because \"t\"\n  cite 1\n";
    let never = "invariant n: never recommend x when b\n";
    let always = "invariant d: always decide x when a is known\n";
    // With `b` unknown, `n` withholds the decision as undecided, which `d`
    // then sees — whichever comes first in the file: the evaluator enforces
    // every `never` claim before any `always decide`.
    for text in [
        format!("{HEADER}{rules}{never}{always}"),
        format!("{HEADER}{rules}{always}{never}"),
    ] {
        let (dir, report, mut broken, _) = invariant_verdicts(&text);
        broken.sort_unstable();
        assert_eq!(broken, ["d", "n"], "{report:#}");
        let finding = with_code(&report, "guidelang::lint::invariant_violated")
            .into_iter()
            .find(|f| f["invariant"] == "d")
            .unwrap();
        assert!(
            finding["witness"].get("b").is_none(),
            "b must be missing: {}",
            finding["witness"]
        );
        let (code, out) = eval_witness(dir.path(), &finding["witness"]);
        assert_eq!(code, 5);
        assert!(out["violations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["invariant"] == "d"));
    }
}

#[test]
fn a_never_claim_on_a_missing_known_fact_is_unknown() {
    // `never recommend x when b is known`: with `b` missing the claim may
    // still come true, so the decision is withheld and `d` is broken.
    let rules = "fact a: bool\nfact b: bool\nrule r: recommend x\n  when a\n  because \"t\"\n  cite 1\n";
    let text = format!(
        "{HEADER}{rules}invariant n: never recommend x when b is known and a\ninvariant d: always decide x when a is known\n"
    );
    let (dir, report, mut broken, _) = invariant_verdicts(&text);
    broken.sort_unstable();
    assert_eq!(broken, ["d", "n"], "{report:#}");
    let finding = with_code(&report, "guidelang::lint::invariant_violated")
        .into_iter()
        .find(|f| f["invariant"] == "d")
        .unwrap();
    let (code, _) = eval_witness(dir.path(), &finding["witness"]);
    assert_eq!(code, 5);
}
