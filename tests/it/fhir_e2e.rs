//! `eval --fhir` end to end, through the real binary: the bundled ALS
//! guideline with `read from` bindings written in the language (on a copy,
//! so these tests hold whatever bindings the bundled file carries), the
//! Synthea-style record of `examples/fhir/` (482 entries, most of them
//! irrelevant), `--case` over the record, the text and JSON reports, a batch
//! of Bundles, and a malformed Bundle refused naming its entry.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value as Json;

const REALISTIC: &str = "examples/fhir/synthea-style-als.json";

/// The bindings of the copy, by fact (the codes are the ones the record's
/// generator writes).
const BINDINGS: &[(&str, &str)] = &[
    ("age", "read from birth date"),
    ("weight", "read from observation loinc 29463-7 within 7 d"),
    ("height", "read from observation loinc 8302-2 within 30 d"),
    ("als", "read from condition icd10cm G12.21, snomed 86044005"),
    ("acute_leukemia", "read from condition snomed 91861009, icd10 C92.0"),
    ("coagulopathy", "read from condition snomed 67406007 absent means false"),
    ("wbc", "read from observation loinc 6690-2, 26464-8 within 48 h"),
    ("platelets", "read from observation loinc 777-3 within 48 h"),
    ("hemoglobin", "read from observation loinc 718-7 within 48 h"),
    ("anc", "read from observation loinc 751-8 within 48 h"),
    ("uric_acid", "read from observation loinc 3084-1 within 48 h"),
    ("potassium", "read from observation loinc 2823-3 within 48 h"),
    ("phosphate", "read from observation loinc 2777-1 within 48 h"),
    ("calcium", "read from observation loinc 17861-6 within 48 h"),
    (
        "creatinine",
        "read from observation loinc 2160-0, 14682-9 within 48 h preliminary allowed",
    ),
    ("ldh", "read from observation loinc 2532-0 within 48 h"),
];

/// The bundled guideline's text with the bindings above, any binding it
/// already has removed first; creatinine gets its molar mass.
fn bound_text() -> String {
    let mut out = String::new();
    // Inside a binding of the file: its continuation lines go with it.
    let mut in_binding = false;
    for line in guidelang::BUNDLED_TEXT.lines() {
        let indented = line.starts_with(' ') && !line.trim().is_empty();
        if line.trim_start().starts_with("read from ") || (in_binding && indented) {
            in_binding = true;
            continue;
        }
        in_binding = false;
        let line = match line.find(" read from ") {
            Some(i) if line.starts_with("fact ") => {
                in_binding = true;
                &line[..i]
            }
            _ => line,
        };
        let name = line
            .strip_prefix("fact ")
            .and_then(|l| l.split(':').next())
            .unwrap_or_default();
        match BINDINGS.iter().find(|(f, _)| *f == name) {
            Some((f, binding)) => {
                let line = if *f == "creatinine" && !line.contains("molar mass") {
                    line.replacen("from 0 ", "from 0 molar mass 113.12 g/mol ", 1)
                } else {
                    line.to_string()
                };
                out.push_str(&format!("{line}\n    {binding}\n"));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

fn guideline(dir: &Path) -> PathBuf {
    let path = dir.join("als-bound.gl");
    std::fs::write(&path, bound_text()).unwrap();
    path
}

fn cli() -> Command {
    let mut cmd = Command::cargo_bin("guidelang").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

fn eval(gl: &Path, extra: &[&str]) -> (Option<i32>, String, String) {
    let out = cli()
        .arg("eval")
        .arg(gl)
        .args(["--fhir", REALISTIC, "--as-of", "2026-12-01"])
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn decision<'a>(report: &'a Json, action: &str) -> Option<&'a Json> {
    report["decisions"].as_array()?.iter().find(|d| d["action"] == action)
}

#[test]
fn the_bound_copy_checks_and_binds_every_fact_it_names() {
    let g = guidelang::load_str("als-bound.gl", &bound_text()).unwrap_or_else(|p| panic!("{p:?}"));
    for (fact, _) in BINDINGS {
        let id = g.fact_id(fact).unwrap();
        assert!(g.fact(id).binding.is_some(), "{fact}");
    }
    assert!(g.fact(g.fact_id("lineage").unwrap()).binding.is_none());
}

#[test]
fn a_realistic_record_evaluates_with_the_values_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let gl = guideline(dir.path());
    let (code, out, err) = eval(&gl, &["--format", "json"]);
    assert_eq!(code, Some(0), "{err}");
    let report: Json = serde_json::from_str(&out).unwrap();
    assert_eq!(report["applicable"], true);
    assert_eq!(report["as_of"], "2026-12-01");
    // ALS with a white count of 152.4 × 10^9/L: hyperleukocytosis.
    assert_eq!(
        decision(&report, "intensive_induction").unwrap()["verdict"],
        "contraindicated"
    );
    let hu = decision(&report, "hydroxyurea").unwrap();
    assert_eq!(hu["verdict"], "recommend");
    // 50–60 mg/kg/day at 71.2 kg is 3560–4272 mg/day.
    let dose = &hu["dose"];
    let (low, high) = (dose["low"].as_f64().unwrap(), dose["high"].as_f64().unwrap());
    assert!((low - 3560.0).abs() < 1e-9 && (high - 4272.0).abs() < 1e-9, "{dose}");
    let facts = &report["record"]["facts"];
    assert_eq!(facts["wbc"]["value"], 152.4);
    assert_eq!(facts["wbc"]["original"], "152.4 10*3/uL");
    // 115 µmol/L × 113.12 g/mol = 1.30088 mg/dL.
    assert_eq!(facts["creatinine"]["value"], 1.30088);
    assert_eq!(facts["creatinine"]["original"], "115 umol/L");
    assert_eq!(facts["acute_leukemia"]["original"], "SNOMED CT 91861009");
    assert_eq!(facts["age"]["value"], 68.0);
    assert_eq!(report["record"]["entries"], 482);
    // The contract without the record is the one a case with the same facts gives.
    let mut case = serde_json::Map::new();
    for (name, f) in facts.as_object().unwrap() {
        if !f["value"].is_null() {
            case.insert(name.clone(), f["value"].clone());
        }
    }
    case.insert("as_of".into(), "2026-12-01".into());
    let from_case = cli()
        .arg("eval")
        .arg(&gl)
        .args(["--case", "-", "--format", "json"])
        .write_stdin(Json::Object(case).to_string())
        .output()
        .unwrap();
    let mut from_case: Json = serde_json::from_slice(&from_case.stdout).unwrap();
    let mut from_record = report.clone();
    from_record.as_object_mut().unwrap().remove("record");
    assert!(from_case.get("record").is_none());
    from_case.as_object_mut().unwrap().remove("record");
    assert_eq!(from_record, from_case);
}

#[test]
fn the_text_report_says_where_each_fact_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let gl = guideline(dir.path());
    let case = dir.path().join("case.json");
    std::fs::write(&case, r#"{"hydroxyurea_response": "refractory", "platelets": 60}"#).unwrap();
    let (code, out, err) = eval(&gl, &["--case", case.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    for line in [
        "from the record of Patient/6f1c2a7e-0b7d-4c1e-9a55-3c2d1e0f9a10 as of 2026-12-01T23:59:59Z (482 entries)",
        "White blood cell count: 152 × 10^9/L — Observation/000017d5-0000-4000-8000-0000000001d5, 152.4 10*3/uL, 2026-12-01T06:30:00-05:00, final",
        "Response of the white count to hydroxyurea: refractory — given in the case",
        "Platelet count: 60 × 10^9/L — given in the case, instead of the record's Observation/000017d7-0000-4000-8000-0000000001d7, 42 10*3/uL",
        "Serum creatinine: 1.3 mg/dL — Observation/000017da-0000-4000-8000-0000000001da, 115 umol/L",
    ] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
}

#[test]
fn a_case_overrides_the_record_in_the_decisions_and_the_json() {
    let dir = tempfile::tempdir().unwrap();
    let gl = guideline(dir.path());
    let case = dir.path().join("case.json");
    // A white count of 50 with leukostasis unknown: hydroxyurea is undecided.
    std::fs::write(&case, r#"{"wbc": 50}"#).unwrap();
    let (code, out, err) = eval(&gl, &["--case", case.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, Some(0), "{err}");
    let report: Json = serde_json::from_str(&out).unwrap();
    assert!(decision(&report, "hydroxyurea").is_none());
    let wbc = &report["record"]["facts"]["wbc"];
    assert_eq!(wbc["source"], "case");
    assert_eq!(wbc["value"], 50.0);
    assert_eq!(wbc["record"]["source"], "record");
    assert_eq!(wbc["record"]["original"], "152.4 10*3/uL");
    assert!(wbc["record"].get("value").is_none());
}

#[test]
fn a_malformed_record_is_refused_naming_its_entry_and_nothing_is_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    let gl = guideline(dir.path());
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"resourceType": "Bundle", "entry": [
            {"fullUrl": "urn:uuid:a", "resource": {"resourceType": "Encounter", "id": "e"}},
            {"fullUrl": "urn:uuid:b", "resource": {"resourceType": "Observation", "id": "w", "status": "final",
              "code": {"coding": [{"system": "http://loinc.org", "code": "6690-2"}]},
              "effectiveDateTime": "2026-12-01T08:00:00Z", "valueQuantity": {"value": "150", "unit": "10*9/L"}}}]}"#,
    )
    .unwrap();
    let out = cli()
        .arg("eval")
        .arg(&gl)
        .args(["--fhir", bad.to_str().unwrap(), "--as-of", "2026-12-01"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("entry 1 (Observation/w, urn:uuid:b) is not a valid Observation"),
        "{err}"
    );
    assert!(err.contains("nothing was evaluated"), "{err}");
    // A file that is not there is an I/O error.
    let out = cli().args(["eval", "--fhir", "no/such/bundle.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
}

#[test]
fn a_batch_of_bundles_answers_each_line_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let gl = guideline(dir.path());
    let realistic: Json = serde_json::from_str(&std::fs::read_to_string(REALISTIC).unwrap()).unwrap();
    let small = r#"{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Observation", "id": "w", "status": "final", "code": {"coding": [{"system": "http://loinc.org", "code": "6690-2"}]}, "effectiveDateTime": "2026-12-01T08:00:00Z", "valueQuantity": {"value": 30000, "unit": "/uL", "system": "http://unitsofmeasure.org", "code": "/uL"}}}]}"#;
    let input = format!("{}\n{{\"resourceType\": \"Patient\"}}\n{small}\n", realistic);
    let records = dir.path().join("records.ndjson");
    std::fs::write(&records, input).unwrap();
    let out = cli()
        .arg("eval")
        .arg(&gl)
        .args(["--cases", records.to_str().unwrap(), "--input-format", "fhir"])
        .args(["--as-of", "2026-12-01", "--format", "json", "--jobs", "2"])
        .output()
        .unwrap();
    // One record could not be read: exit 3, every line answered.
    assert_eq!(out.status.code(), Some(3));
    let lines: Vec<Json> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["line"], 1);
    assert_eq!(lines[0]["record"]["facts"]["wbc"]["value"], 152.4);
    assert!(lines[1]["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("not a FHIR Bundle"));
    // 30000 /µL is 30 × 10^9/L.
    assert_eq!(lines[2]["record"]["facts"]["wbc"]["value"], 30.0);
    assert_eq!(lines[2]["applicable"], Json::Null);
    // The brief records keep their shape.
    let out = cli()
        .arg("eval")
        .arg(&gl)
        .args([
            "--cases",
            records.to_str().unwrap(),
            "--input-format",
            "fhir",
            "--as-of",
            "2026-12-01",
        ])
        .output()
        .unwrap();
    let first: Json = serde_json::from_str(String::from_utf8(out.stdout).unwrap().lines().next().unwrap()).unwrap();
    assert_eq!(first["decisions"]["hydroxyurea"], "recommend");
    assert!(first.get("record").is_none());
}
