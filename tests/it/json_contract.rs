//! The JSON output contract of `eval --format json` (the spec's "Output
//! contract") on a small fixture guideline: every decision, undecided action
//! and conflict carries the action's `label` and `urgent`, and `detail` is
//! the rules' own text, never the dose again.

use assert_cmd::Command;
use serde_json::{json, Value};

/// Four declared actions, two urgent, reaching each kind of entry: a decision
/// with a dose and a detail, a decision without dose, an undecided action
/// (APL unknown: consider or contraindicated) and a conflict.
const FIXTURE: &str = r#"guideline contract-fixture
  version 1.0.0
  status draft

reference 1 "Test reference"

action hydroxyurea "Hydroxyurea" urgent
action goals_of_care "Goals-of-care discussion"
action leukapheresis "Leukapheresis" urgent
action rbc_transfusion "Red-cell transfusion"

fact wbc: number in 10^9/L from 0 "White blood cell count."
fact weight: number in kg from 20 to 350 "Body weight."
fact apl: bool "APL suspected or confirmed."

rule hydroxyurea-for-high-count: recommend hydroxyurea
  when wbc > 100
  dose 50 to 60 mg/kg/day by weight
  detail "Aim for a white count below 10 to 20."
  cite 1

rule goals-of-care-for-everyone: recommend goals_of_care
  when always
  detail "At diagnosis."
  cite 1

rule no-leukapheresis-in-apl: contraindicated leukapheresis
  when apl
  cite 1

rule leukapheresis-for-high-count: consider leukapheresis
  when wbc > 100
  cite 1

rule red-cells-for-high-count: recommend rbc_transfusion
  when wbc > 100
  cite 1

rule no-red-cells-for-high-count: avoid rbc_transfusion
  when wbc > 100
  cite 1
"#;

fn eval(case: &Value) -> Value {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("g.gl"), FIXTURE).unwrap();
    std::fs::write(dir.path().join("case.json"), case.to_string()).unwrap();
    let out = Command::cargo_bin("guidelang")
        .unwrap()
        .current_dir(dir.path())
        .args(["eval", "g.gl", "--case", "case.json", "--format", "json"])
        .output()
        .unwrap();
    // The conflict makes the exit code 5; the report is printed all the same.
    assert_eq!(out.status.code(), Some(5), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn entry<'a>(report: &'a Value, list: &str, action: &str) -> &'a Value {
    report[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["action"] == action)
        .unwrap_or_else(|| panic!("{action} is not in {list}: {report}"))
}

#[test]
fn every_entry_names_its_action_by_label_and_urgency() {
    let report = eval(&json!({"wbc": 150, "weight": 70}));

    let hydroxyurea = entry(&report, "decisions", "hydroxyurea");
    assert_eq!(hydroxyurea["label"], "Hydroxyurea");
    assert_eq!(hydroxyurea["urgent"], true);
    assert_eq!(hydroxyurea["verdict"], "recommend");
    assert_eq!(hydroxyurea["rule"], "hydroxyurea-for-high-count");
    assert_eq!(hydroxyurea["citations"], json!([1]));
    assert_eq!(hydroxyurea["overridden"], json!([]));

    let goals = entry(&report, "decisions", "goals_of_care");
    assert_eq!(goals["label"], "Goals-of-care discussion");
    assert_eq!(goals["urgent"], false);

    // apl unknown: contraindicated if APL, else considered.
    let leukapheresis = entry(&report, "undecided", "leukapheresis");
    assert_eq!(leukapheresis["label"], "Leukapheresis");
    assert_eq!(leukapheresis["urgent"], true);
    assert_eq!(leukapheresis["needs"], json!(["apl"]));

    let red_cells = entry(&report, "conflicts", "rbc_transfusion");
    assert_eq!(red_cells["label"], "Red-cell transfusion");
    assert_eq!(red_cells["urgent"], false);
}

#[test]
fn detail_is_the_rules_text_and_the_dose_stays_in_its_fields() {
    let report = eval(&json!({"wbc": 150, "weight": 70}));
    let hydroxyurea = entry(&report, "decisions", "hydroxyurea");
    // 50–60 mg/kg/day × 70 kg = 3500–4200 mg/day, in `dose` only.
    assert_eq!(hydroxyurea["detail"], "Aim for a white count below 10 to 20.");
    assert_eq!(hydroxyurea["dose"]["low"], 3500.0);
    assert_eq!(hydroxyurea["dose"]["high"], 4200.0);
    assert_eq!(hydroxyurea["dose"]["unit"], "mg/day");
    assert_eq!(entry(&report, "decisions", "goals_of_care")["detail"], "At diagnosis.");

    // Without the weight the dose cannot be computed; detail is unchanged.
    let report = eval(&json!({"wbc": 150}));
    let hydroxyurea = entry(&report, "decisions", "hydroxyurea");
    assert_eq!(hydroxyurea["detail"], "Aim for a white count below 10 to 20.");
    assert_eq!(hydroxyurea["dose"]["needs"], json!(["weight"]));
}

#[test]
fn the_full_batch_record_is_the_same_contract() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("g.gl"), FIXTURE).unwrap();
    std::fs::write(dir.path().join("cohort.ndjson"), "{\"wbc\": 150, \"weight\": 70}\n").unwrap();
    let out = Command::cargo_bin("guidelang")
        .unwrap()
        .current_dir(dir.path())
        .args(["eval", "g.gl", "--cases", "cohort.ndjson", "--format", "json"])
        .output()
        .unwrap();
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    let hydroxyurea = entry(&line, "decisions", "hydroxyurea");
    assert_eq!(hydroxyurea["label"], "Hydroxyurea");
    assert_eq!(hydroxyurea["urgent"], true);
    assert_eq!(hydroxyurea["detail"], "Aim for a white count below 10 to 20.");
    assert_eq!(
        entry(&line, "conflicts", "rbc_transfusion")["label"],
        "Red-cell transfusion"
    );
}
