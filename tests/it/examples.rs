//! The example cases in `examples/cases/`, run through the real binary.
//!
//! Each `NAME.json` has a hand-written `NAME.expected.json`, worked out from
//! the spec: it states what must hold, not everything the report says. The
//! comparison is field by field so that a regression points at the field that
//! moved (`decisions[hydroxyurea].dose.low`) rather than at a wall of JSON:
//! every key the expectation names must match (numbers to 4 decimals, as the
//! report rounds them), keys it leaves out are free, and lists keyed by action
//! (decisions, undecided) must hold exactly the actions expected, in order.
//! The content hash is checked on its own against the file.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use sha2::{Digest, Sha256};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn cases_dir() -> PathBuf {
    root().join("examples/cases")
}

/// Case names (file stems), sorted, without the expected outputs.
fn case_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(cases_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") && !n.ends_with(".expected.json"))
        .map(|n| n.trim_end_matches(".json").to_string())
        .collect();
    names.sort();
    names
}

fn guidelang() -> Command {
    let mut cmd = Command::cargo_bin("guidelang").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Runs `eval --format json` on a case; the case must evaluate cleanly (exit 0).
fn eval_json(name: &str, extra: &[&str]) -> Value {
    let case = cases_dir().join(format!("{name}.json"));
    let out = guidelang()
        .args(["eval", "--format", "json", "--case"])
        .arg(&case)
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "case {name}: exit code {:?}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "case {name}: stdout is not JSON ({e}):\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn eval_text(name: &str, extra: &[&str]) -> String {
    let case = cases_dir().join(format!("{name}.json"));
    let out = guidelang()
        .args(["eval", "--case"])
        .arg(&case)
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn expected_hash() -> String {
    let text = std::fs::read(root().join("guidelines/als-hyperleukocytosis.gl")).unwrap();
    let hex: String = Sha256::digest(&text).iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Replaces every `sha256:<64 hex>` with a placeholder, so that snapshots do
/// not change each time the guideline is edited.
fn redact_hash(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("sha256:") {
        out.push_str(&rest[..i]);
        out.push_str("sha256:[hash]");
        let after = &rest[i + "sha256:".len()..];
        let hex = after.chars().take_while(char::is_ascii_hexdigit).count();
        rest = &after[hex..];
    }
    out.push_str(rest);
    redact_as_of(&out)
}

/// Replaces the evaluation date (today, when the command gives none) with a
/// placeholder: the report prints it, and the snapshot must not age.
fn redact_as_of(text: &str) -> String {
    const MARK: &str = "evaluated as of ";
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(MARK) {
        out.push_str(&rest[..i + MARK.len()]);
        out.push_str("[date]");
        let after = &rest[i + MARK.len()..];
        let date = after.chars().take_while(|c| c.is_ascii_digit() || *c == '-').count();
        rest = &after[date..];
    }
    out.push_str(rest);
    out
}

fn without_hash(mut v: Value) -> Value {
    if let Some(g) = v.get_mut("guideline").and_then(Value::as_object_mut) {
        g.remove("hash");
    }
    v
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(120).collect::<String>())
    } else {
        s
    }
}

/// Arrays of per-action entries are compared by action, so that one missing
/// decision reads as one line, not as every later entry shifted by one.
fn action_keyed(items: &[Value]) -> Option<Vec<(String, &Value)>> {
    items
        .iter()
        .map(|i| i.get("action").and_then(Value::as_str).map(|a| (a.to_string(), i)))
        .collect()
}

/// Collects every difference between `expected` and `actual` as one line each.
fn diff(path: &str, expected: &Value, actual: &Value, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match a.get(k) {
                    Some(av) => diff(&p, ev, av, out),
                    None => out.push(format!("{p}: missing (expected {})", short(ev))),
                }
            }
        }
        (Value::Number(e), Value::Number(a)) => {
            let (x, y) = (e.as_f64().unwrap_or(f64::NAN), a.as_f64().unwrap_or(f64::NAN));
            if (x - y).abs() > 5e-5 * x.abs().max(1.0) {
                out.push(format!("{path}: expected {x}, got {y}"));
            }
        }
        (Value::Array(e), Value::Array(a)) => match (action_keyed(e), action_keyed(a)) {
            (Some(ek), Some(ak)) if !e.is_empty() || !a.is_empty() => {
                let before = out.len();
                for (name, ev) in &ek {
                    let p = format!("{path}[{name}]");
                    match ak.iter().find(|(n, _)| n == name) {
                        Some((_, av)) => diff(&p, ev, av, out),
                        None => out.push(format!("{p}: missing (expected {})", short(ev))),
                    }
                }
                for (name, av) in &ak {
                    if !ek.iter().any(|(n, _)| n == name) {
                        out.push(format!("{path}[{name}]: not expected (got {})", short(av)));
                    }
                }
                let eo: Vec<&str> = ek.iter().map(|(n, _)| n.as_str()).collect();
                let ao: Vec<&str> = ak.iter().map(|(n, _)| n.as_str()).collect();
                if out.len() == before && eo != ao {
                    out.push(format!(
                        "{path}: order differs\n    expected {eo:?}\n    got      {ao:?}"
                    ));
                }
            }
            _ => {
                for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                    diff(&format!("{path}[{i}]"), ev, av, out);
                }
                if e.len() != a.len() {
                    out.push(format!(
                        "{path}: expected {} items, got {}\n    expected {}\n    got      {}",
                        e.len(),
                        a.len(),
                        short(expected),
                        short(actual)
                    ));
                }
            }
        },
        _ if expected != actual => out.push(format!("{path}: expected {}, got {}", short(expected), short(actual))),
        _ => {}
    }
}

#[test]
fn there_are_enough_cases_and_each_has_an_expected_output() {
    let names = case_names();
    assert!(names.len() >= 14, "only {} example cases", names.len());
    assert!(
        names.iter().any(|n| n == "apl-refractory-leukostasis"),
        "the README quick start runs apl-refractory-leukostasis.json"
    );
    for n in &names {
        assert!(
            cases_dir().join(format!("{n}.expected.json")).is_file(),
            "{n}.json has no {n}.expected.json"
        );
    }
}

#[test]
fn every_case_gives_its_expected_output() {
    let mut failures = Vec::new();
    for name in case_names() {
        let path = cases_dir().join(format!("{name}.expected.json"));
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue; // reported by there_are_enough_cases_and_each_has_an_expected_output
        };
        let expected: Value = serde_json::from_str(&text).unwrap();
        let actual = eval_json(&name, &[]);
        let mut lines = Vec::new();
        diff("", &without_hash(expected), &without_hash(actual), &mut lines);
        if !lines.is_empty() {
            failures.push(format!("{name}:\n  {}", lines.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) differ from their expected output:\n\n{}\n\n\
         If the change is intended, work the new expectation out from the spec and\n\
         edit examples/cases/NAME.expected.json by hand.",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_output_names_the_guideline_and_the_hash_of_its_file() {
    let hash = expected_hash();
    for name in case_names() {
        let actual = eval_json(&name, &[]);
        let g = &actual["guideline"];
        assert_eq!(g["hash"], Value::String(hash.clone()), "case {name}");
        assert_eq!(g["id"], "als-hyperleukocytosis", "case {name}");
        assert_eq!(g["version"], "2.0.0", "case {name}");
    }
}

#[test]
fn the_field_diff_names_the_field_that_moved() {
    let expected = serde_json::json!({"decisions": [
        {"action": "atra", "verdict": "recommend"},
        {"action": "hydroxyurea", "dose": {"low": 3500.0}}
    ]});
    let actual = serde_json::json!({"decisions": [
        {"action": "hydroxyurea", "dose": {"low": 3600.0, "high": 4200.0}}
    ]});
    let mut lines = Vec::new();
    diff("", &expected, &actual, &mut lines);
    assert_eq!(
        lines,
        [
            "decisions[atra]: missing (expected {\"action\":\"atra\",\"verdict\":\"recommend\"})",
            "decisions[hydroxyurea].dose.low: expected 3500, got 3600",
        ]
    );
}

#[test]
fn text_report_of_the_quick_start_case() {
    let text = eval_text("apl-refractory-leukostasis", &[]);
    assert!(!text.contains('\u{1b}'), "no colour when stdout is not a terminal");
    assert!(text.contains(&expected_hash()), "the report names the guideline's hash");
    insta::assert_snapshot!("text_report_apl_refractory_leukostasis", redact_hash(&text));
}

#[test]
fn explain_shows_fired_overridden_and_unknown_rules() {
    let text = eval_text("respiratory-compromise-warnings", &["--explain"]);
    let plain = eval_text("respiratory-compromise-warnings", &[]);
    assert!(!plain.contains("EXPLANATION"), "--explain adds the section");
    assert!(text.starts_with(&plain[..plain.find("\nREFERENCES").unwrap()]));
    insta::assert_snapshot!("explain_respiratory_compromise", redact_hash(&text));
}

#[test]
fn explain_in_json_gives_each_rule_its_part() {
    let rules_of = |v: &Value, action: &str| -> Vec<(String, String, Value)> {
        v["explanation"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["action"] == action)
            .unwrap()["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["rule"].as_str().unwrap().to_string(),
                    r["condition"].as_str().unwrap().to_string(),
                    r["overridden_by"].clone(),
                )
            })
            .collect()
    };
    let decided = eval_json("respiratory-compromise-warnings", &["--explain"]);
    assert_eq!(
        rules_of(&decided, "leukapheresis"),
        [
            ("no-leukapheresis-in-apl".into(), "false".into(), Value::Null),
            (
                "leukapheresis-for-refractory-leukostasis".into(),
                "true".into(),
                Value::Null
            ),
            (
                "no-leukapheresis-for-cytoreduction".into(),
                "true".into(),
                Value::from("leukapheresis-for-refractory-leukostasis")
            ),
        ]
    );
    let undecided = eval_json("missing-apl-status-refractory-leukostasis", &["--explain"]);
    assert_eq!(rules_of(&undecided, "leukapheresis")[0].1, "unknown");
    // The explanation is an addition: the rest of the report is unchanged.
    let mut without = undecided.clone();
    without.as_object_mut().unwrap().remove("explanation");
    assert_eq!(without, eval_json("missing-apl-status-refractory-leukostasis", &[]));
}
