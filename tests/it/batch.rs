//! `guidelang eval --cases`: batch evaluation through the real binary. Every
//! record is checked against the library's single-case evaluation, so these
//! tests hold whatever the guideline decides.

use std::path::Path;

use assert_cmd::Command;
use guidelang::eval::{evaluate, Applicability, Outcome};
use guidelang::facts::parse_case;
use guidelang::model::Guideline;
use guidelang::report::evaluation_json;
use predicates::prelude::*;
use serde_json::{json, Value};

const CORNERS: &str = "tests/guidelines/corners.gl";

fn guidelang() -> Command {
    Command::cargo_bin("guidelang").unwrap()
}

fn bundled() -> Guideline {
    guidelang::bundled().unwrap()
}

/// A reproducible cohort for the bundled guideline: every fact sometimes
/// absent, values on both sides of the thresholds.
fn cohort(n: usize, seed: u64) -> Vec<String> {
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 33
    };
    let g = bundled();
    (0..n)
        .map(|_| {
            let mut case = serde_json::Map::new();
            for fact in &g.facts {
                let r = next();
                if r % 5 == 0 && fact.name != "als" && fact.name != "acute_leukemia" {
                    continue;
                }
                let v = match &fact.kind {
                    guidelang::model::FactKind::Bool => json!(r % 7 != 0),
                    guidelang::model::FactKind::Integer { .. } => json!(r % 5),
                    guidelang::model::FactKind::Number { min, max, .. } => {
                        let x = (r % 3000) as f64 / 10.0;
                        let x = min.map_or(x, |m| x.max(m));
                        json!(max.map_or(x, |m| x.min(m)))
                    }
                    guidelang::model::FactKind::Enum { values } => json!(values[(r as usize) % values.len()]),
                    guidelang::model::FactKind::Date => json!("2026-01-01"),
                };
                case.insert(fact.name.clone(), v);
            }
            Value::Object(case).to_string()
        })
        .collect()
}

fn names(g: &Guideline, facts: &[guidelang::model::FactId]) -> Vec<String> {
    facts.iter().map(|f| g.fact(*f).name.clone()).collect()
}

/// What the brief record of one input line must be, from the library.
fn expected_brief(g: &Guideline, line: usize, text: &str) -> Value {
    let case = match parse_case(g, text) {
        Ok(c) => c,
        Err(errors) => {
            let errors: Vec<Value> = errors
                .iter()
                .map(|e| json!({"key": e.key, "message": e.message, "help": e.help}))
                .collect();
            return json!({"line": line, "errors": errors});
        }
    };
    let e = evaluate(g, &case);
    let mut decisions = serde_json::Map::new();
    let mut undecided = serde_json::Map::new();
    let mut conflicts = Vec::new();
    for a in &e.actions {
        let name = g.action(a.action).name.clone();
        match &a.outcome {
            Outcome::Decided(d) => {
                decisions.insert(name, json!(d.verdict));
            }
            Outcome::Undecided { needs, .. } => {
                undecided.insert(name, json!(names(g, needs)));
            }
            Outcome::Withheld { .. } => {
                undecided.insert(name, json!([]));
            }
            Outcome::Conflict(_) => conflicts.push(name),
            Outcome::Silent => {}
        }
    }
    let applicable = match e.applicability {
        Applicability::Applies => json!(true),
        Applicability::NotApplicable => json!(false),
        Applicability::Unknown(_) => Value::Null,
    };
    let violations: Vec<&str> = e
        .violations
        .iter()
        .map(|v| g.invariants[v.invariant].id.as_str())
        .collect();
    json!({"line": line, "applicable": applicable, "decisions": decisions, "undecided": undecided,
           "conflicts": conflicts, "violations": violations})
}

fn lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8(out.to_vec())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn brief_records_answer_every_line_in_order_whatever_the_jobs() {
    let g = bundled();
    let mut input = cohort(2000, 1);
    // Broken lines scattered through several chunks.
    for i in (10..input.len()).step_by(97) {
        input[i] = r#"{"als": true, "wbc": "#.to_string();
    }
    // The first chunk is slow to parse (whitespace inside each case), so that
    // with several jobs later chunks finish first and must wait their turn.
    let padding = " ".repeat(20_000);
    for case in input.iter_mut().take(300) {
        *case = case.replacen('{', &format!("{{{padding}"), 1);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "cohort.ndjson", &(input.join("\n") + "\n"));
    let run = |jobs: &str| {
        guidelang()
            .args(["eval", "--cases"])
            .arg(&path)
            .args(["--jobs", jobs])
            .assert()
            .code(3)
            .get_output()
            .stdout
            .clone()
    };
    let one = run("1");
    let four = run("4");
    assert_eq!(one, four, "--jobs 1 and --jobs 4 must write the same bytes");
    let got = lines(&one);
    assert_eq!(got.len(), input.len(), "one output line per input line");
    for (i, (record, text)) in got.iter().zip(&input).enumerate() {
        assert_eq!(record, &expected_brief(&g, i + 1, text), "line {}", i + 1);
    }
}

#[test]
fn contract_records_are_the_single_case_contract() {
    let g = bundled();
    let input = cohort(60, 2);
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "cohort.ndjson", &(input.join("\n") + "\n"));
    let out = guidelang()
        .args([
            "eval",
            "--format",
            "json",
            "--jobs",
            "3",
            "--as-of",
            "2026-12-01",
            "--cases",
        ])
        .arg(&path)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let got = lines(&out);
    assert_eq!(got.len(), input.len());
    for (i, (record, text)) in got.iter().zip(&input).enumerate() {
        let mut record = record.clone();
        assert_eq!(record["line"], json!(i + 1));
        record.as_object_mut().unwrap().remove("line");
        let mut case = parse_case(&g, text).unwrap();
        case.set_as_of(&g, guidelang::time::parse_day("2026-12-01").unwrap())
            .unwrap();
        let expected = evaluation_json(&g, &evaluate(&g, &case));
        assert_eq!(record, expected, "line {}", i + 1);
        // And a few through the binary's own single-case path.
        if i % 15 == 0 {
            let single = guidelang()
                .args(["eval", "--format", "json", "--as-of", "2026-12-01", "--case", "-"])
                .write_stdin(text.as_str())
                .output()
                .unwrap();
            let single: Value = serde_json::from_slice(&single.stdout).unwrap();
            assert_eq!(record, single, "line {}", i + 1);
        }
    }
}

#[test]
fn broken_records_get_error_lines_in_place() {
    let mut input: Vec<u8> = Vec::new();
    for line in [
        &br#"{"als": true, "acute_leukemia": true, "wbc": 150, "weight": 70}"#[..],
        br#"{"als": true, "wbc": 150"#,
        br#"{"als": true, "wbx": 150}"#,
        br#"{"als": "yes", "wbc": -4}"#,
        b"",
        b"{\"als\": false}\r",
        b"{\"als\": true, \"lineage\": \"my\xffeloid\"}",
        b"[1, 2]",
        br#"{"als": true, "ecog": 2.5, "lineage": "myelod"}"#,
        br#"{"als": true, "als": false}"#,
        br#"{"als": true, "wbc": 1e999}"#,
        br#"{"als": false}"#,
    ] {
        input.extend_from_slice(line);
        input.push(b'\n');
    }
    let assert = guidelang()
        .args(["eval", "--cases", "-", "--jobs", "2"])
        .write_stdin(input)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("12 records: 3 evaluated"))
        .stderr(predicate::str::contains("9 errors"));
    let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let numbers: Vec<u64> = lines(out.as_bytes())
        .iter()
        .map(|l| l["line"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, (1..=12).collect::<Vec<_>>());
    insta::assert_snapshot!(out);
}

#[test]
fn an_oversized_line_is_one_error_record() {
    let huge = format!("{{\"als\": true, \"ldh\": {}1}}", "0".repeat(1_500_000));
    let input = format!("{huge}\n{{\"als\": false}}\n");
    let out = guidelang()
        .args(["eval", "--cases", "-"])
        .write_stdin(input)
        .assert()
        .code(3)
        .get_output()
        .stdout
        .clone();
    let got = lines(&out);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0]["line"], json!(1));
    assert!(got[0]["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("a case is limited to"));
    assert_eq!(
        got[1],
        json!({"line": 2, "applicable": false, "decisions": {}, "undecided": {},
                               "conflicts": [], "violations": []})
    );
}

#[test]
fn csv_empty_cells_are_unknown_and_rows_match_their_json_twins() {
    let g = bundled();
    let header = "als,acute_leukemia,wbc,leukostasis,weight,height,lineage,apl_morphology,pml_rara,platelets,ecog";
    let rows = [
        "true,true,150,none,70,175,myeloid,false,negative,20,1",
        "true,true,,none,,,,,,,",
        "true,true,150,,,,myeloid,,pending,45,",
        "false,,,,,,,,,,",
        ",,120,,,,,,,,",
        " TRUE ,true, 99.5 ,,60,,lymphoid,false,,,4",
    ];
    let json_twins = [
        r#"{"als":true,"acute_leukemia":true,"wbc":150,"leukostasis":"none","weight":70,"height":175,"lineage":"myeloid","apl_morphology":false,"pml_rara":"negative","platelets":20,"ecog":1}"#,
        r#"{"als":true,"acute_leukemia":true,"leukostasis":"none"}"#,
        r#"{"als":true,"acute_leukemia":true,"wbc":150,"lineage":"myeloid","pml_rara":"pending","platelets":45}"#,
        r#"{"als":false}"#,
        r#"{"wbc":120}"#,
        r#"{"als":true,"acute_leukemia":true,"wbc":99.5,"weight":60,"lineage":"lymphoid","apl_morphology":false,"ecog":4}"#,
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "cohort.csv", &format!("{header}\n{}\n", rows.join("\n")));
    let out = guidelang()
        .args(["eval", "--cases"])
        .arg(&path)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let got = lines(&out);
    assert_eq!(got.len(), rows.len());
    for (i, (record, twin)) in got.iter().zip(json_twins).enumerate() {
        // The header is line 1, so row i is on line i + 2.
        assert_eq!(record, &expected_brief(&g, i + 2, twin), "row {}", i + 1);
    }
    // An empty cell is unknown: the second row (no leukostasis) cannot decide
    // hydroxyurea without wbc.
    assert_eq!(got[1]["undecided"]["hydroxyurea"], json!(["wbc"]));
}

#[test]
fn csv_cells_are_checked_by_the_facts_type() {
    let input = "als,acute_leukemia,wbc,lineage,ecog,apl_morphology\n\
                 yes,true,abc,myelod,2.5,true\n\
                 true,true,-3,myeloid,7,\n\
                 true,true,inf,,,\n\
                 true,true,100\n\
                 true,true,150,myeloid,1,false\n";
    let out = guidelang()
        .args(["eval", "--input-format", "csv", "--cases", "-"])
        .write_stdin(input)
        .assert()
        .code(3)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert_eq!(out.lines().count(), 5);
    insta::assert_snapshot!(out);
}

#[test]
fn csv_header_naming_no_fact_stops_before_any_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "cohort.csv", "als,wbx,weight\ntrue,150,70\n");
    let target = dir.path().join("out.ndjson");
    guidelang()
        .args(["eval", "--cases"])
        .arg(&path)
        .arg("-o")
        .arg(&target)
        .assert()
        .code(3)
        .stdout("")
        .stderr(predicate::str::contains("`wbx`"))
        .stderr(predicate::str::contains("did you mean `wbc`?"))
        .stderr(predicate::str::contains("nothing was evaluated"));
    assert!(!target.exists());
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());

    let twice = write(dir.path(), "twice.csv", "als,wbc,als\n");
    guidelang()
        .args(["eval", "--cases"])
        .arg(&twice)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("names `als` twice"));
}

/// Temporary files left in a directory by an output that was not finished.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".guidelang-"))
        .collect()
}

#[test]
fn stdin_cohort_gives_the_same_records_as_a_file() {
    let input = cohort(40, 3).join("\n") + "\n";
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "cohort.ndjson", &input);
    let from_file = guidelang().args(["eval", "--cases"]).arg(&path).output().unwrap();
    let from_stdin = guidelang()
        .args(["eval", "--cases", "-"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(from_file.status.success());
    assert_eq!(from_file.stdout, from_stdin.stdout);
    assert_eq!(lines(&from_stdin.stdout).len(), 40);
}

#[test]
fn output_file_appears_whole_and_only_on_success() {
    let input = cohort(700, 4).join("\n") + "\n";
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "cohort.ndjson", &input);
    let target = dir.path().join("report.ndjson");
    let to_stdout = guidelang().args(["eval", "--cases"]).arg(&path).output().unwrap();
    guidelang()
        .args(["eval", "--cases"])
        .arg(&path)
        .arg("-o")
        .arg(&target)
        .assert()
        .success()
        .stdout("");
    assert_eq!(std::fs::read(&target).unwrap(), to_stdout.stdout);
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());

    // A run that fails while reading (a directory is no cohort) keeps the old report.
    guidelang()
        .args(["eval", "--cases"])
        .arg(dir.path())
        .arg("-o")
        .arg(&target)
        .assert()
        .code(4)
        .stderr(predicate::str::contains("no report was written"));
    assert_eq!(std::fs::read(&target).unwrap(), to_stdout.stdout);
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());

    // A missing cohort: nothing is created.
    let fresh = dir.path().join("fresh.ndjson");
    guidelang()
        .args(["eval", "--cases"])
        .arg(dir.path().join("missing.ndjson"))
        .arg("-o")
        .arg(&fresh)
        .assert()
        .code(4);
    assert!(!fresh.exists());
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

/// Counts per action from single-case `eval --format json` runs of the binary.
fn tally_single_runs(g: &Guideline, cases: &[String]) -> Value {
    let mut actions: Vec<serde_json::Map<String, Value>> = g
        .actions
        .iter()
        .map(|a| {
            let mut m = serde_json::Map::new();
            m.insert("action".into(), json!(a.name));
            for k in [
                "recommend",
                "consider",
                "avoid",
                "contraindicated",
                "undecided",
                "withheld",
                "no_verdict",
                "conflict",
            ] {
                m.insert(k.into(), json!(0));
            }
            m
        })
        .collect();
    let (mut in_scope, mut out_of_scope, mut scope_undecided) = (0, 0, 0);
    let bump = |m: &mut serde_json::Map<String, Value>, k: &str| {
        let v = m[k].as_u64().unwrap();
        m.insert(k.into(), json!(v + 1));
    };
    for text in cases {
        let out = guidelang()
            .args(["eval", "--format", "json", "--case", "-"])
            .write_stdin(text.as_str())
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        match &report["applicable"] {
            Value::Bool(false) => {
                out_of_scope += 1;
                continue;
            }
            Value::Bool(true) => in_scope += 1,
            _ => scope_undecided += 1,
        }
        let index = |name: &Value| g.action_id(name.as_str().unwrap()).unwrap().index();
        let mut seen = vec![false; g.actions.len()];
        for d in report["decisions"].as_array().unwrap() {
            seen[index(&d["action"])] = true;
            bump(&mut actions[index(&d["action"])], d["verdict"].as_str().unwrap());
        }
        for u in report["undecided"].as_array().unwrap() {
            seen[index(&u["action"])] = true;
            bump(&mut actions[index(&u["action"])], "undecided");
            if u.get("withheld_by_invariant").is_some() {
                bump(&mut actions[index(&u["action"])], "withheld");
            }
        }
        for c in report["conflicts"].as_array().unwrap() {
            seen[index(&c["action"])] = true;
            bump(&mut actions[index(&c["action"])], "conflict");
        }
        for (i, s) in seen.iter().enumerate() {
            if !s {
                bump(&mut actions[i], "no_verdict");
            }
        }
    }
    json!({"in_scope": in_scope, "out_of_scope": out_of_scope, "scope_undecided": scope_undecided,
           "actions": actions})
}

#[test]
fn summary_counts_match_single_case_evaluations() {
    let g = bundled();
    let cases = cohort(45, 5);
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "cohort.ndjson", &(cases.join("\n") + "\n"));
    let summary = |jobs: &str| -> Value {
        let out = guidelang()
            .args(["eval", "--summary", "--format", "json", "--jobs", jobs, "--cases"])
            .arg(&path)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&out).unwrap()
    };
    let got = summary("1");
    assert_eq!(got, summary("3"));
    let expected = tally_single_runs(&g, &cases);
    for key in ["in_scope", "out_of_scope", "scope_undecided", "actions"] {
        assert_eq!(got[key], expected[key], "{key}");
    }
    assert_eq!(got["records"], json!(45));
    assert_eq!(got["errors"], json!(0));
}

#[test]
fn summary_table_reads_as_a_table() {
    let input = cohort(30, 6).join("\n") + "\n{\"wbx\": 1}\n";
    let out = guidelang()
        .args(["eval", "--summary", "--cases", "-"])
        .write_stdin(input)
        .assert()
        .code(3)
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!(String::from_utf8(out).unwrap());
}

#[test]
fn exit_code_says_whether_the_cohort_was_clean() {
    let clean = cohort(20, 7).join("\n") + "\n";
    guidelang()
        .args(["eval", "--cases", "-"])
        .write_stdin(clean)
        .assert()
        .success()
        .stderr(predicate::str::contains("20 records"));
    // Conflicts in the reports, no invalid record: 5, as for a single case.
    guidelang()
        .args(["eval", CORNERS, "--cases", "-"])
        .write_stdin("{\"in_scope\": true, \"a\": true, \"b\": false, \"c\": true}\n")
        .assert()
        .code(5)
        .stdout(predicate::str::contains("\"conflicts\":[\"clash\"]"));
    // An empty cohort is no error.
    guidelang()
        .args(["eval", "--cases", "-"])
        .write_stdin("")
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("0 records"));
}

#[test]
fn withheld_and_possible_violations_show_in_brief_records() {
    let g = guidelang::load_str(CORNERS, &std::fs::read_to_string(CORNERS).unwrap()).unwrap();
    let input = [
        r#"{"in_scope": true, "d": true, "x": 150}"#,
        r#"{"in_scope": true, "d": true}"#,
        r#"{"in_scope": true, "a": true, "x": 3, "f1": true}"#,
        r#"{"x": 0}"#,
    ];
    let out = guidelang()
        .args(["eval", CORNERS, "--cases", "-"])
        .write_stdin(input.join("\n"))
        .assert()
        .code(5)
        .get_output()
        .stdout
        .clone();
    let got = lines(&out);
    for (i, (record, text)) in got.iter().zip(input).enumerate() {
        assert_eq!(record, &expected_brief(&g, i + 1, text), "line {}", i + 1);
    }
    assert_eq!(got[0]["violations"], json!(["no-risky-when-heavy"]));
    assert_eq!(got[0]["undecided"]["risky"], json!([]));
}

#[test]
fn batch_options_need_a_cohort() {
    guidelang()
        .args(["eval", "--case", "x.json", "-o", "out"])
        .assert()
        .code(2);
    guidelang()
        .args(["eval", "--cases", "-", "--explain"])
        .write_stdin("")
        .assert()
        .code(2);
    guidelang()
        .args(["eval", "--cases", "-", "--jobs", "0"])
        .assert()
        .code(2);
}
