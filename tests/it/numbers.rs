//! Numbers that cannot change silently (issue 18, item 6) and case keys that
//! cannot hide: a case integer is read exactly or refused, a decimal is read
//! as the nearest double (JSON and CSV alike), a dose too large to be a
//! number is never printed as one, and an unknown key says why it is unknown.

use assert_cmd::Command;
use guidelang::diagnostics::{Severity, Source};
use guidelang::facts::{parse_case, CaseError, Value};
use guidelang::model::{FactId, Guideline};
use proptest::prelude::*;

/// Facts with no declared range, so that only exactness decides.
const GUIDELINE: &str = r#"guideline numbers
  version 1.0.0
  status draft

reference 1 "Test reference"

action hydroxyurea "Hydroxyurea"

fact wbc: number in 10^9/L "White blood cell count."
fact count: integer "A count."
fact weight: number in kg "Body weight."

rule hydroxyurea-for-high-count: recommend hydroxyurea
  when wbc > 100 or count > 3
  dose 50 to 60 mg/kg/day by weight
  cite 1
"#;

fn guideline() -> Guideline {
    match guidelang::load_str("numbers.gl", GUIDELINE) {
        Ok(g) => g,
        Err(p) => panic!("the fixture does not load: {p:?}"),
    }
}

fn id(g: &Guideline, name: &str) -> FactId {
    g.fact_id(name).unwrap_or_else(|| panic!("no fact {name}"))
}

fn num(g: &Guideline, case: &str, key: &str) -> Result<f64, Vec<CaseError>> {
    let case = parse_case(g, case)?;
    match case.get(id(g, key)) {
        Some(Value::Num(x)) => Ok(x),
        other => panic!("{key} read as {other:?}"),
    }
}

/// A CSV cohort of one column `key` and one row `cell`, read as the batch reads it.
fn num_from_cell(g: &Guideline, key: &str, cell: &str) -> Result<f64, Vec<CaseError>> {
    let row = csv::ByteRecord::from(vec![cell]);
    let case = guidelang::batch::record::case_from_cells(g, &[id(g, key)], &row)?;
    match case.get(id(g, key)) {
        Some(Value::Num(x)) => Ok(x),
        other => panic!("{key} read as {other:?}"),
    }
}

fn refused_naming(result: Result<f64, Vec<CaseError>>, key: &str, says: &str) {
    let errors = match result {
        Ok(x) => panic!("read as {x}, expected a refusal"),
        Err(e) => e,
    };
    assert!(
        errors
            .iter()
            .any(|e| e.key.as_deref() == Some(key) && e.message.contains(key) && e.message.contains(says)),
        "no error on `{key}` saying \"{says}\": {errors:?}"
    );
}

#[test]
fn an_integer_past_2_pow_53_is_refused_not_rounded_to_its_neighbour() {
    let g = guideline();
    // 2^53 + 1 has no double: the default reading gives 2^53, which then
    // compares equal to it.
    for key in ["count", "wbc"] {
        refused_naming(
            num(&g, &format!("{{\"{key}\": 9007199254740993}}"), key),
            key,
            "exactly",
        );
        refused_naming(num_from_cell(&g, key, "9007199254740993"), key, "exactly");
        refused_naming(
            num(&g, &format!("{{\"{key}\": -9007199254740993}}"), key),
            key,
            "exactly",
        );
    }
    // 2^53 itself is exact, and so is read.
    assert_eq!(
        num(&g, r#"{"count": 9007199254740992}"#, "count"),
        Ok(9_007_199_254_740_992.0)
    );
    assert_eq!(
        num_from_cell(&g, "wbc", "9007199254740992"),
        Ok(9_007_199_254_740_992.0)
    );
}

#[test]
fn a_decimal_just_above_a_threshold_is_read_above_it() {
    let g = guideline();
    // 100.00000000000001 lies between 100 and the next double, 100 + 2^-46,
    // nearer the latter: correctly rounded, it is above 100.
    let above = 100.0 + 2f64.powi(-46);
    assert_eq!(num(&g, r#"{"wbc": 100.00000000000001}"#, "wbc"), Ok(above));
    assert_eq!(num_from_cell(&g, "wbc", "100.00000000000001"), Ok(above));
}

/// Decimal strings JSON allows: a sign, up to 25 significant digits with a
/// point somewhere, and an exponent that keeps most of them finite.
fn decimal() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        "[1-9][0-9]{0,12}",
        "[0-9]{1,12}",
        prop::option::of(-330i32..310),
    )
        .prop_map(|(negative, int, frac, exp)| {
            let sign = if negative { "-" } else { "" };
            match exp {
                Some(e) => format!("{sign}{int}.{frac}e{e}"),
                None => format!("{sign}{int}.{frac}"),
            }
        })
}

proptest! {
    /// Rust's `str::parse::<f64>` rounds correctly; a case must read every
    /// decimal exactly as it does, or refuse one too large to be a double.
    #[test]
    fn a_decimal_is_read_as_the_nearest_double(text in decimal()) {
        let g = guideline();
        let reference: f64 = text.parse().map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let json = num(&g, &format!("{{\"wbc\": {text}}}"), "wbc");
        let csv = num_from_cell(&g, "wbc", &text);
        if reference.is_finite() {
            prop_assert_eq!(json.as_ref().map(|x| x.to_bits()), Ok(reference.to_bits()), "JSON {}", text);
            prop_assert_eq!(csv.as_ref().map(|x| x.to_bits()), Ok(reference.to_bits()), "CSV {}", text);
        } else {
            prop_assert!(json.is_err(), "JSON {} read as {:?}", text, json);
            prop_assert!(csv.is_err(), "CSV {} read as {:?}", text, csv);
        }
    }

    /// An integer is read when a double holds it exactly and refused otherwise.
    #[test]
    fn an_integer_is_read_exactly_or_refused(n in any::<i64>()) {
        let g = guideline();
        let exact = (n as f64) as i128 == i128::from(n);
        for key in ["wbc", "count"] {
            let json = num(&g, &format!("{{\"{key}\": {n}}}"), key);
            let csv = num_from_cell(&g, key, &n.to_string());
            // An integer fact holds counts: past 2^53 not every neighbour has
            // a double, so it refuses them all.
            let fits = exact && (key == "wbc" || n.unsigned_abs() <= 1 << 53);
            if fits {
                prop_assert_eq!(json.clone().ok(), Some(n as f64), "{}: {:?}", n, json);
                prop_assert_eq!(csv.clone().ok(), Some(n as f64), "{}: {:?}", n, csv);
            } else {
                prop_assert!(json.is_err(), "{} read as {:?}", n, json);
                prop_assert!(csv.is_err(), "{} read as {:?}", n, csv);
            }
        }
    }
}

fn eval(case: &str, format: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("g.gl"), GUIDELINE).unwrap();
    std::fs::write(dir.path().join("case.json"), case).unwrap();
    Command::cargo_bin("guidelang")
        .unwrap()
        .env("NO_COLOR", "1")
        .current_dir(dir.path())
        .args(["eval", "g.gl", "--case", "case.json", "--format", format])
        .output()
        .unwrap()
}

#[test]
fn a_dose_too_large_to_be_a_number_is_not_printed_as_one() {
    // 50 × 1e308 overflows: the decision stands, the dose is not computed
    // and the report names the fact that made it so.
    let case = r#"{"wbc": 150, "weight": 1e308}"#;
    let text = eval(case, "text");
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(stdout.contains("recommended"), "{stdout}");
    assert!(!stdout.contains("inf"), "an infinite dose was printed:\n{stdout}");
    assert!(stdout.contains("cannot be computed"), "{stdout}");
    assert!(stdout.contains("weight"), "the fact is not named:\n{stdout}");

    let json = eval(case, "json");
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let decision = report["decisions"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["action"] == "hydroxyurea"))
        .unwrap_or_else(|| panic!("no decision: {report}"));
    let dose = &decision["dose"];
    assert_eq!(dose["low"], serde_json::Value::Null, "{dose}");
    assert_eq!(dose["high"], serde_json::Value::Null, "{dose}");
    assert_eq!(dose["not_finite"], serde_json::json!(["weight"]), "{dose}");
    assert!(dose.get("needs").is_none(), "nothing is missing: {dose}");
    assert!(!dose["text"].as_str().unwrap_or_default().contains("inf"), "{dose}");
}

#[test]
fn a_dose_whose_multiplier_overflows_names_its_facts_not_an_empty_need() {
    // sqrt(height × weight / 3600) overflows in its product: evaluation
    // reads that as no value, the same as a missing fact, though none is.
    let g = GUIDELINE
        .replace("dose 50 to 60 mg/kg/day by weight", "dose 1 to 2 mg/m2 by bsa")
        .replace(
            "fact weight: number in kg \"Body weight.\"",
            "fact weight: number in kg \"Body weight.\"\nfact height: number in cm \"Height.\"\ndefine bsa in m2: sqrt(height * weight / 3600)",
        );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("g.gl"), &g).unwrap();
    std::fs::write(
        dir.path().join("case.json"),
        r#"{"wbc": 150, "weight": 1e308, "height": 180}"#,
    )
    .unwrap();
    let out = Command::cargo_bin("guidelang")
        .unwrap()
        .current_dir(dir.path())
        .args(["eval", "g.gl", "--case", "case.json", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let dose = &report["decisions"][0]["dose"];
    assert_eq!(dose["not_finite"], serde_json::json!(["weight", "height"]), "{dose}");
    assert!(dose.get("needs").is_none(), "nothing is missing: {dose}");
    assert_eq!(dose["low"], serde_json::Value::Null, "{dose}");
}

#[test]
fn a_dose_of_an_unbounded_fact_is_warned_about() {
    let warned = |text: &str| {
        let source = Source::new("g.gl", text);
        let file = guidelang::syntax::parse(&source).unwrap_or_else(|p| panic!("{p:?}"));
        guidelang::check::check(&file, &source)
            .problems
            .iter()
            .filter(|p| p.code == "guidelang::check::dose_unbounded")
            .map(|p| (p.severity, p.message.clone()))
            .collect::<Vec<_>>()
    };
    let found = warned(GUIDELINE);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, Severity::Warning);
    assert!(found[0].1.contains("`weight`"), "{found:?}");
    // With an upper bound the dose has a largest value: no warning.
    let bounded = GUIDELINE.replace("number in kg \"Body", "number in kg from 0 to 350 \"Body");
    assert_eq!(warned(&bounded), []);
}

fn unknown_key(case: &str) -> CaseError {
    let g = guideline();
    match parse_case(&g, case) {
        Ok(c) => panic!("{case} accepted as {c:?}"),
        Err(mut e) => {
            assert_eq!(e.len(), 1, "{e:?}");
            e.remove(0)
        }
    }
}

#[test]
fn a_key_in_the_wrong_case_gets_a_suggestion() {
    let e = unknown_key(r#"{"WBC": 150}"#);
    assert!(e.help.contains("did you mean `wbc`"), "{e:?}");
}

#[test]
fn a_key_with_an_invisible_character_is_shown_escaped_and_explained() {
    let e = unknown_key("{\"w\u{200b}bc\": 150}");
    assert!(e.message.contains(r"`w\u{200b}bc`"), "{e:?}");
    assert!(e.message.contains("invisible character"), "{e:?}");
    assert!(e.help.contains("did you mean `wbc`"), "{e:?}");
    // The key field keeps the key as given, for a program to match on.
    assert_eq!(e.key.as_deref(), Some("w\u{200b}bc"));
}

#[test]
fn a_key_with_a_look_alike_letter_is_shown_escaped_and_explained() {
    // U+0441 is the Cyrillic small letter es, drawn like a Latin `c`.
    let e = unknown_key("{\"wb\u{441}\": 150}");
    assert!(e.message.contains(r"`wb\u{441}`"), "{e:?}");
    assert!(e.message.contains("looks like `c`"), "{e:?}");
    assert!(e.help.contains("did you mean `wbc`"), "{e:?}");
}

/// Regression: a whole number wider than 64 bits reached the fact as its
/// nearest double, silently (100000000000000000001 read as 1e20). The text is
/// checked before parsing; an exactly representable one still passes.
#[test]
fn a_whole_number_wider_than_64_bits_is_read_exactly_or_refused() {
    let g = guidelang::load_str(
        "wide.gl",
        "guideline wide\n  version 1.0.0\n  status draft\n\nfact x: number in mg from 0 \"X.\"\n\nrule r: recommend act\n  when x > 100000000000000000000 mg\n",
    )
    .unwrap();
    let refused = guidelang::facts::parse_case(&g, r#"{"x": 100000000000000000001}"#).unwrap_err();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(
        refused[0]
            .message
            .contains("100000000000000000001, which cannot be read exactly"),
        "{}",
        refused[0].message
    );
    // 10^20 is a double exactly: read as written, and not above itself.
    let case = guidelang::facts::parse_case(&g, r#"{"x": 100000000000000000000}"#).unwrap();
    let result = guidelang::eval::evaluate(&g, &case);
    assert!(matches!(result.actions[0].outcome, guidelang::eval::Outcome::Silent));
    // Digits inside a string are not a number.
    assert!(
        guidelang::facts::parse_case(&g, r#"{"x": 1, "y": "100000000000000000001"}"#)
            .unwrap_err()
            .iter()
            .all(|e| !e.message.contains("cannot be read exactly"))
    );
    assert_eq!(refused[0].key.as_deref(), Some("x"));
    // A value out of range says so first, the plainer message, and only once.
    let refused = guidelang::facts::parse_case(&g, r#"{"x": -36893488147419103233}"#).unwrap_err();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(
        refused[0].message.contains("outside its valid range"),
        "{}",
        refused[0].message
    );
}
