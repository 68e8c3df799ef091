#![allow(clippy::unwrap_used)]
//! `guidelang diff OLD NEW` through the real binary: items changed, decisions
//! that change with witnesses that `guidelang eval` confirms on both versions,
//! and the version bump.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const BUNDLED: &str = include_str!("../guidelines/als-hyperleukocytosis.gl");

fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` must occur once");
    text.replacen(from, to, 1)
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("guidelang")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Writes both versions and diffs them as JSON.
fn diff(new: &str) -> (tempfile::TempDir, Value, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.gl"), BUNDLED).unwrap();
    std::fs::write(dir.path().join("new.gl"), new).unwrap();
    let (code, stdout, stderr) = run(dir.path(), &["diff", "old.gl", "new.gl", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    (dir, serde_json::from_str(&stdout).unwrap(), stderr)
}

/// The action's outcome when `file` evaluates the witness's facts it declares.
fn outcome(dir: &Path, file: &str, witness: &Value, action: &str) -> String {
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    let g = guidelang::load_str(file, &text).unwrap();
    let own: serde_json::Map<String, Value> = witness
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| g.fact_id(k).is_some())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    std::fs::write(dir.join("witness.json"), Value::Object(own).to_string()).unwrap();
    let (_, stdout, _) = run(dir, &["eval", file, "--case", "witness.json", "--format", "json"]);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    if report["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["action"] == action)
    {
        return "conflict".into();
    }
    report["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["action"] == action)
        .map_or("none".into(), |d| d["verdict"].as_str().unwrap().to_string())
}

#[test]
fn a_version_against_itself_changes_nothing() {
    let (_dir, d, stderr) = diff(BUNDLED);
    assert_eq!(d["decisions"], Value::Array(Vec::new()));
    assert_eq!(d["rules"], Value::Array(Vec::new()));
    assert_eq!(d["implied_bump"], "none");
    assert_eq!(d["version_ok"], true);
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn changed_decisions_come_with_witnesses_that_eval_confirms() {
    let new = edit(BUNDLED, "  overrides no-leukapheresis-for-cytoreduction\n", "");
    let new = edit(&new, "when platelets <= 50 and", "when platelets <= 40 and");
    let (dir, d, stderr) = diff(&new);
    let decisions = d["decisions"].as_array().unwrap();
    let pairs: Vec<(&str, &str, &str)> = decisions
        .iter()
        .map(|c| {
            (
                c["action"].as_str().unwrap(),
                c["before"].as_str().unwrap(),
                c["after"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("leukapheresis", "consider", "conflict"),
            ("platelet_transfusion", "recommend", "none")
        ]
    );
    for c in decisions {
        let action = c["action"].as_str().unwrap();
        assert_eq!(
            outcome(dir.path(), "old.gl", &c["witness"], action),
            c["before"].as_str().unwrap()
        );
        assert_eq!(
            outcome(dir.path(), "new.gl", &c["witness"], action),
            c["after"].as_str().unwrap()
        );
    }
    let platelets = &decisions[1]["witness"]["platelets"];
    assert!(platelets.as_f64().unwrap() > 40.0 && platelets.as_f64().unwrap() <= 50.0);
    let changed: Vec<&str> = d["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        changed,
        [
            "leukapheresis-for-refractory-leukostasis",
            "platelets-at-or-below-50-with-bleeding-risk"
        ]
    );
    assert_eq!(d["implied_bump"], "minor");
    assert_eq!(d["version_bump"], "none");
    assert_eq!(d["version_ok"], false);
    assert!(stderr.contains("implies a minor version bump"), "{stderr}");
}

#[test]
fn strict_version_fails_when_the_version_is_not_bumped() {
    let new = edit(BUNDLED, "when platelets <= 50 and", "when platelets <= 40 and");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.gl"), BUNDLED).unwrap();
    std::fs::write(dir.path().join("new.gl"), &new).unwrap();
    let (code, stdout, _) = run(dir.path(), &["diff", "old.gl", "new.gl", "--strict-version"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("platelet_transfusion: recommend → no recommendation"),
        "{stdout}"
    );
    let bumped = edit(&new, "  version 2.0.0\n", "  version 2.1.0\n");
    std::fs::write(dir.path().join("new.gl"), bumped).unwrap();
    let (code, _, stderr) = run(dir.path(), &["diff", "old.gl", "new.gl", "--strict-version"]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn wording_is_a_patch_and_facts_move_the_bump() {
    let reworded = edit(
        BUNDLED,
        "\"Red cells raise blood viscosity",
        "\"Red blood cells raise viscosity",
    );
    let (_dir, d, _) = diff(&reworded);
    assert_eq!(d["implied_bump"], "patch");
    assert_eq!(d["rules"][0]["parts"], serde_json::json!(["rationale"]));
    assert_eq!(d["decisions"], Value::Array(Vec::new()));

    let added = edit(
        BUNDLED,
        "fact ldh:",
        "fact albumin: number in g/dL from 0 recorded\nfact ldh:",
    );
    let (_dir, d, _) = diff(&added);
    assert_eq!(d["implied_bump"], "minor");
    assert_eq!(d["facts"][0]["change"], "added");

    let narrowed = edit(
        BUNDLED,
        "fact wbc: number in 10^9/L from 0 ",
        "fact wbc: number in 10^9/L from 0 to 1000 ",
    );
    let (_dir, d, _) = diff(&narrowed);
    assert_eq!(
        d["implied_bump"], "major",
        "old cases with wbc above 1000 are now rejected"
    );
}

#[test]
fn a_new_contraindication_shows_who_it_affects() {
    let new = format!(
        "{BUNDLED}\nrule no-rasburicase-in-coagulopathy: contraindicated rasburicase\n  when coagulopathy\n  because \"Invented for the test.\"\n  cite 1\n"
    );
    let (dir, d, _) = diff(&new);
    let decisions = d["decisions"].as_array().unwrap();
    assert!(!decisions.is_empty());
    for c in decisions {
        assert_eq!(c["action"], "rasburicase");
        assert_eq!(c["after"], "contraindicated");
        assert_eq!(c["witness"]["coagulopathy"], true);
        assert_eq!(
            outcome(dir.path(), "new.gl", &c["witness"], "rasburicase"),
            "contraindicated"
        );
        assert_eq!(
            outcome(dir.path(), "old.gl", &c["witness"], "rasburicase"),
            c["before"].as_str().unwrap()
        );
    }
    let befores: Vec<&str> = decisions.iter().map(|c| c["before"].as_str().unwrap()).collect();
    assert_eq!(befores, ["none", "recommend"]);
}
