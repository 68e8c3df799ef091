//! The spec's "Invalid input" section, item by item, through the real binary:
//! every impossible case is refused with exit code 3, an error that names the
//! key and says what was expected, and nothing at all on stdout (no decision
//! is ever computed from an invalid case).

use assert_cmd::Command;

/// Exit code for an invalid case (README, "Exit codes").
const INVALID_CASE: i32 = 3;

fn eval(case: &str, format: &str) -> std::process::Output {
    Command::cargo_bin("guidelang")
        .unwrap()
        .env("NO_COLOR", "1")
        .args(["eval", "--format", format, "--case", "-"])
        .write_stdin(case)
        .output()
        .unwrap()
}

/// Asserts that `case` is refused in both formats, and that the error names
/// `key` (when given) and contains every phrase of `says`.
fn rejects(case: &str, key: Option<&str>, says: &[&str]) {
    for format in ["text", "json"] {
        let out = eval(case, format);
        // Diagnostics wrap long lines; read them as one line of words.
        let stderr: String = String::from_utf8_lossy(&out.stderr)
            .lines()
            .map(|l| l.trim().trim_start_matches('│').trim())
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(
            out.status.code(),
            Some(INVALID_CASE),
            "case {case} ({format}) was not refused:\n{stderr}"
        );
        assert!(
            out.stdout.is_empty(),
            "case {case} ({format}) printed a report:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
        if let Some(key) = key {
            assert!(
                stderr.contains(&format!("`{key}`")),
                "the error does not name `{key}`:\n{stderr}"
            );
        }
        for phrase in says {
            assert!(stderr.contains(phrase), "the error does not say {phrase:?}:\n{stderr}");
        }
        assert!(stderr.contains("nothing was evaluated"), "{stderr}");
    }
}

#[test]
fn a_valid_case_is_accepted() {
    // The control: the same facts, valid, evaluate with exit 0 and a report.
    let out = eval(
        r#"{"als": true, "wbc": 150, "weight": 70, "ecog": 2, "age": 64}"#,
        "json",
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!out.stdout.is_empty());
}

#[test]
fn negative_count() {
    rejects(
        r#"{"als": true, "wbc": -5}"#,
        Some("wbc"),
        &["-5", "outside its valid range", "from 0"],
    );
    rejects(
        r#"{"als": true, "platelets": -0.1}"#,
        Some("platelets"),
        &["-0.1", "from 0"],
    );
}

#[test]
fn negative_concentration() {
    rejects(
        r#"{"als": true, "potassium": -4}"#,
        Some("potassium"),
        &["mmol/L from 0"],
    );
}

#[test]
fn negative_weight() {
    rejects(
        r#"{"als": true, "weight": -70}"#,
        Some("weight"),
        &["a number in kg from 20 to 350"],
    );
}

#[test]
fn negative_height() {
    rejects(
        r#"{"als": true, "height": -170}"#,
        Some("height"),
        &["a number in cm from 100 to 250"],
    );
}

#[test]
fn ecog_outside_0_to_4() {
    rejects(
        r#"{"als": true, "ecog": 5}"#,
        Some("ecog"),
        &["whole number from 0 to 4"],
    );
    rejects(
        r#"{"als": true, "ecog": -1}"#,
        Some("ecog"),
        &["whole number from 0 to 4"],
    );
}

#[test]
fn ecog_not_a_whole_number() {
    rejects(
        r#"{"als": true, "ecog": 2.5}"#,
        Some("ecog"),
        &["2.5", "not a whole number", "from 0 to 4"],
    );
}

#[test]
fn age_outside_0_to_130() {
    rejects(r#"{"als": true, "age": 131}"#, Some("age"), &["from 0 to 130"]);
    rejects(r#"{"als": true, "age": -1}"#, Some("age"), &["from 0 to 130"]);
}

#[test]
fn enum_value_not_listed() {
    rejects(
        r#"{"als": true, "lineage": "myleoid"}"#,
        Some("lineage"),
        &[
            r#""myleoid""#,
            r#"one of "myeloid", "lymphoid" or "undetermined""#,
            r#"did you mean "myeloid"?"#,
        ],
    );
    rejects(
        r#"{"als": true, "pml_rara": "unknown"}"#,
        Some("pml_rara"),
        &[r#"one of "positive", "negative" or "pending""#],
    );
}

#[test]
fn number_given_as_a_string() {
    rejects(
        r#"{"als": true, "wbc": "150"}"#,
        Some("wbc"),
        &["must be a number in 10^9/L", r#"the text "150""#, "without quotes"],
    );
}

#[test]
fn bool_given_as_a_string() {
    rejects(
        r#"{"als": "true"}"#,
        Some("als"),
        &["must be true or false", "without quotes"],
    );
}

#[test]
fn key_that_is_not_a_fact() {
    // A misspelt `wbc` must never be read as "wbc unknown".
    rejects(
        r#"{"als": true, "wcb": 150}"#,
        Some("wcb"),
        &["is not a fact", "did you mean `wbc`?"],
    );
}

#[test]
fn key_far_from_any_fact_lists_the_facts() {
    rejects(
        r#"{"als": true, "temperature": 38.5}"#,
        Some("temperature"),
        &["is not a fact", "this guideline's facts are: age, weight, height"],
    );
}

#[test]
fn number_too_large_to_be_finite() {
    rejects(
        r#"{"als": true, "wbc": 1e999}"#,
        Some("wbc"),
        &["must be a number in 10^9/L from 0", "finite"],
    );
}

#[test]
fn nan_is_not_json() {
    rejects(r#"{"als": true, "wbc": NaN}"#, Some("wbc"), &["not valid JSON", "NaN"]);
}

#[test]
fn key_given_twice() {
    rejects(
        r#"{"als": true, "wbc": 150, "wbc": 20}"#,
        Some("wbc"),
        &["given more than once"],
    );
}

#[test]
fn not_an_object() {
    rejects("[1, 2]", None, &["must be a JSON object, not a list"]);
    rejects(r#""als""#, None, &["must be a JSON object, not the text"]);
    rejects("150", None, &["must be a JSON object, not the number 150"]);
    rejects("null", None, &["must be a JSON object, not null"]);
    rejects(r#"{"als": true"#, None, &["not a valid JSON object"]);
}

#[test]
fn every_problem_of_a_case_is_reported_at_once() {
    rejects(
        r#"{"als": true, "wcb": 150, "ecog": 7, "lineage": "B-ALL"}"#,
        None,
        &["`wcb`", "`ecog`", "`lineage`", "the case is invalid (3 problems)"],
    );
}

// Content 2.0.0 bounds weight and height to what an adult can weigh and
// measure: a mistyped 0 kg gave "0 mg/day" and 400 kg 20 g/day in 1.0.0.

#[test]
fn weight_zero_is_refused() {
    rejects(
        r#"{"als": true, "acute_leukemia": true, "wbc": 150, "weight": 0}"#,
        Some("weight"),
        &["from 20 to 350"],
    );
}

#[test]
fn weight_400_is_refused() {
    rejects(
        r#"{"als": true, "acute_leukemia": true, "wbc": 150, "weight": 400}"#,
        Some("weight"),
        &["from 20 to 350"],
    );
}

#[test]
fn height_50_is_refused() {
    rejects(
        r#"{"als": true, "acute_leukemia": true, "height": 50, "weight": 70}"#,
        Some("height"),
        &["from 100 to 250"],
    );
}
