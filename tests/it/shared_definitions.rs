//! Definitions that share definitions: a chain where each definition uses the
//! previous one twice (`define d2: d1 and d1`) has 2^n paths but only n
//! bodies. Lint and diff must look at each body once; before they did, a
//! chain of 26 took seconds and one of 200 would never finish. Also: the facts
//! a diff lists include those read only through a definition.

use guidelang::analysis::diff::diff;
use guidelang::analysis::lint;
use serde_json::Value;

/// A guideline whose scope and first rule each read the end of an `n`-long
/// chain of shared definitions; `verdict` is the first rule's verdict.
///
/// The scope chain only reads `age < 120`, the rule chain `a and age >= 18`;
/// `r2` (avoid, on `b`) can fire together with `r1`, so with `r1` saying
/// recommend the two clash, and nothing is ever contraindicated.
fn chain(n: usize, verdict: &str) -> String {
    let mut text = format!(
        "guideline shared-definitions\n  version 1.0.0\n  status draft\n  applies when s{n}\n\n\
         reference 1 \"Test reference\"\n\n\
         fact a: bool \"A.\"\n\
         fact b: bool \"B.\"\n\
         fact age: number in years from 0 to 130 \"Age.\"\n\n\
         define d1: a and age >= 18\n\
         define s1: age < 120\n"
    );
    for k in 2..=n {
        text.push_str(&format!("define d{k}: d{} and d{}\n", k - 1, k - 1));
        text.push_str(&format!("define s{k}: s{} or s{}\n", k - 1, k - 1));
    }
    text.push_str(&format!(
        "\nrule r1: {verdict} x\n  when d{n}\n  because \"test\"\n  cite 1\n\n\
         rule r2: avoid x\n  when b\n  because \"test\"\n  cite 1\n\n\
         invariant never-contraindicated:\n  never contraindicated x when d{n}\n  because \"test\"\n"
    ));
    text
}

fn load(text: &str) -> guidelang::model::Guideline {
    guidelang::load_str("chain.gl", text).unwrap()
}

#[test]
fn lint_reads_a_long_chain_of_shared_definitions() {
    let g = load(&chain(200, "recommend"));
    let report = lint(&g);
    let codes: Vec<&str> = report.findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, vec!["guidelang::lint::clash"], "{:#?}", report.findings);
    let clash = &report.findings[0];
    assert_eq!(clash.rules, vec!["r1", "r2"]);
    // Declaration order; `age` is read through both chains.
    assert_eq!(clash.facts, vec!["a", "b", "age"]);
    // The witness makes both rules fire: `a`, `b`, and an adult under 120.
    let w = clash.witness.as_ref().unwrap();
    assert_eq!(w["a"], true);
    assert_eq!(w["b"], true);
    let age = w["age"].as_f64().unwrap();
    assert!((18.0..120.0).contains(&age), "age {age}");
    let proved: Vec<&str> = report.proved.iter().map(|p| p.invariant.as_str()).collect();
    assert_eq!(proved, vec!["never-contraindicated"]);
}

#[test]
fn diff_reads_a_long_chain_of_shared_definitions() {
    let (old, new) = (load(&chain(200, "recommend")), load(&chain(200, "consider")));
    let d = diff(&old, &new).unwrap();
    let json = guidelang::report::diff_json(&old, &new, &d);
    let decisions = json["decisions"].as_array().unwrap();
    let pairs: Vec<(&str, &str)> = decisions
        .iter()
        .map(|c| (c["before"].as_str().unwrap(), c["after"].as_str().unwrap()))
        .collect();
    // Where only `r1` fires it said recommend and now says consider; where
    // `r2` fires too the clash stays a clash.
    assert_eq!(pairs, vec![("recommend", "consider")], "{json:#}");
    let facts: Vec<&str> = decisions[0]["facts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    // Every rule on the action, rule by rule (each in declaration order),
    // then the scope.
    assert_eq!(facts, vec!["a", "age", "b"]);
}

/// A scope that reads `age` only through a definition; the rule reads `a`.
fn adults_only(verdict: &str) -> String {
    format!(
        "guideline adults-only\n  version 1.0.0\n  status draft\n  applies when adult\n\n\
         fact a: bool \"A.\"\n\
         fact age: number in years from 0 to 130 \"Age.\"\n\n\
         define adult: age >= 18\n\n\
         rule r1: {verdict} x\n  when a\n"
    )
}

#[test]
fn a_diff_lists_the_facts_its_scope_reads_through_a_definition() {
    let (old, new) = (load(&adults_only("recommend")), load(&adults_only("avoid")));
    let d = diff(&old, &new).unwrap();
    let json = guidelang::report::diff_json(&old, &new, &d);
    let change = &json["decisions"][0];
    assert_eq!(
        (&change["before"], &change["after"]),
        (&Value::from("recommend"), &Value::from("avoid"))
    );
    // The witness is in scope, so it sets `age` (to 18 or more): the facts
    // the decision reads must say so.
    let age = change["witness"]["age"].as_f64().unwrap();
    assert!(age >= 18.0, "{change:#}");
    assert_eq!(change["facts"], serde_json::json!(["a", "age"]), "{change:#}");
}

/// `c{n}` doubles `c{n-1}`, which doubles ... `c1 = 1`: a numeric chain whose
/// value, 2^(n-1), is a constant the linter cuts `age` at.
fn doubling(n: usize) -> String {
    let mut text = String::from(
        "guideline doubling\n  version 1.0.0\n  status draft\n\n\
         reference 1 \"Test reference\"\n\n\
         fact age: number in years from 0 to 130 \"Age.\"\n\n\
         define c1: 1\n",
    );
    for k in 2..=n {
        text.push_str(&format!("define c{k}: c{} + c{}\n", k - 1, k - 1));
    }
    text.push_str(&format!(
        "\nrule older: recommend x\n  when age > c{n}\n  because \"test\"\n  cite 1\n\n\
         rule younger: recommend y\n  when age <= c{n}\n  because \"test\"\n  cite 1\n"
    ));
    text
}

#[test]
fn lint_folds_a_long_numeric_chain_of_shared_definitions() {
    // c200 = 2^199 lies far above the largest age, 130: `older` never fires,
    // `younger` always does, and both questions are exact (constants only).
    let g = load(&doubling(200));
    let report = lint(&g);
    let found: Vec<(&str, Vec<String>)> = report.findings.iter().map(|f| (f.code, f.rules.clone())).collect();
    assert_eq!(
        found,
        vec![("guidelang::lint::unreachable", vec!["older".to_string()])],
        "{:#?}",
        report.findings
    );
}
