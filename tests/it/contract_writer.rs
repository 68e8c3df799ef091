//! The typed contract writer (issue 19, "write without trees") against the
//! tree-based writer it replaced, kept as the oracle: the same bytes, compact
//! (the batch's contract records, with and without `line`) and pretty (what
//! `eval --format json` prints, with and without `--explain`), on random
//! cases of the bundled guidelines, of guidelines with doses, scores and
//! categories, of random guidelines, on every example case, and on cases
//! read from the example patient records.

use std::sync::OnceLock;

use crate::common::gen::{config, to_case, CaseSpace};
use crate::common::random::gen_guideline;
use guidelang::eval::{evaluate, Evaluation};
use guidelang::facts::Case;
use guidelang::fhir::Record;
use guidelang::model::Guideline;
use guidelang::report::{
    evaluation_json_with_record, explanation_json, write_contract, write_evaluation_json_with_record, ContractExtras,
    ContractText, Layout,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::Value as Json;

/// The guidelines the cohort is drawn from: both bundled ones (dates, doses
/// by weight, capped and chosen doses), and the examples with doses, scores
/// and categories, and the corner-case fixture.
const GUIDELINES: &[&str] = &[
    "guidelines/als-hyperleukocytosis.gl",
    "guidelines/tumour-lysis-prophylaxis.gl",
    "examples/doses/anticoagulation.gl",
    "examples/scores/chads-vasc.gl",
    "examples/scores/tls-risk.gl",
    "tests/guidelines/corners.gl",
];

fn load(path: &str) -> Guideline {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    guidelang::load_str(path, &text).unwrap_or_else(|p| panic!("{path} does not check: {p:?}"))
}

struct Loaded {
    g: Guideline,
    text: ContractText,
    space: CaseSpace,
}

fn guidelines() -> &'static [Loaded] {
    static G: OnceLock<Vec<Loaded>> = OnceLock::new();
    G.get_or_init(|| {
        GUIDELINES
            .iter()
            .map(|p| {
                let g = load(p);
                let text = ContractText::new(&g);
                let space = CaseSpace::of(&g).with_extremes();
                Loaded { g, text, space }
            })
            .collect()
    })
}

fn new_bytes(text: &ContractText, g: &Guideline, e: &Evaluation, layout: Layout, extras: ContractExtras) -> String {
    let mut out = Vec::new();
    write_contract(&mut out, text, g, e, layout, extras);
    String::from_utf8(out).expect("the writer writes UTF-8")
}

/// Every layout of one evaluation, the new writer against the old one.
fn same_bytes(
    text: &ContractText,
    g: &Guideline,
    case: &Case,
    e: &Evaluation,
    record: Option<&Record>,
) -> Result<(), TestCaseError> {
    // The batch's contract record, before the `line` is put in front.
    let mut old = Vec::new();
    write_evaluation_json_with_record(&mut old, g, e, record).expect("the oracle writes");
    let old = String::from_utf8(old).expect("serde_json writes UTF-8");
    let extras = ContractExtras {
        record,
        ..ContractExtras::default()
    };
    prop_assert_eq!(&new_bytes(text, g, e, Layout::Compact, extras), &old);

    // The batch line: `line` first, then the contract's members.
    let with_line = ContractExtras {
        line: Some(4_294_967_301),
        ..extras
    };
    let old_line = format!("{{\"line\":4294967301,{}", &old[1..]);
    prop_assert_eq!(new_bytes(text, g, e, Layout::Compact, with_line), old_line);

    // `eval --format json`, with and without the explanation.
    let mut tree = evaluation_json_with_record(g, e, record);
    let old_pretty = serde_json::to_string_pretty(&tree).expect("a tree prints");
    prop_assert_eq!(new_bytes(text, g, e, Layout::Pretty, extras), old_pretty);
    let explanation = explanation_json(g, case, e);
    tree["explanation"] = explanation.clone();
    let explained = ContractExtras {
        explanation: Some(&explanation),
        ..extras
    };
    prop_assert_eq!(
        new_bytes(text, g, e, Layout::Pretty, explained),
        serde_json::to_string_pretty(&tree).expect("a tree prints")
    );
    Ok(())
}

fn check_case(which: usize, json: &Json) -> Result<(), TestCaseError> {
    let l = &guidelines()[which];
    let case = to_case(&l.g, json);
    let e = evaluate(&l.g, &case);
    same_bytes(&l.text, &l.g, &case, &e, None)
}

fn any_case() -> impl Strategy<Value = (usize, Json)> {
    (0..GUIDELINES.len()).prop_flat_map(|i| {
        let space = &guidelines()[i].space;
        (Just(i), prop_oneof![space.complete(), space.partial()])
    })
}

proptest! {
    #![proptest_config(config(600))]

    /// Random complete and partial cases (huge magnitudes included, where a
    /// dose is not finite) of every listed guideline.
    #[test]
    fn typed_writer_matches_the_tree_writer((which, json) in any_case()) {
        check_case(which, &json)?;
    }
}

proptest! {
    #![proptest_config(config(48))]

    /// Random guidelines, whose names, labels and texts the generator draws.
    #[test]
    fn typed_writer_matches_on_random_guidelines(
        (text, cases) in gen_guideline().prop_flat_map(|gg| {
            let text = gg.print().text();
            let cases = match guidelang::load_str("random.gl", &text) {
                Ok(g) => proptest::collection::vec(CaseSpace::of(&g).with_extremes().partial(), 1..6).boxed(),
                Err(_) => Just(Vec::new()).boxed(),
            };
            (Just(text), cases)
        })
    ) {
        let Ok(g) = guidelang::load_str("random.gl", &text) else { return Ok(()) };
        let contract_text = ContractText::new(&g);
        for json in &cases {
            let case = to_case(&g, json);
            let e = evaluate(&g, &case);
            same_bytes(&contract_text, &g, &case, &e, None)?;
        }
    }
}

/// Text the guideline holds that JSON must escape: quotes, backslashes,
/// control characters, non-ASCII, in every kind of text the contract copies.
#[test]
fn escaped_guideline_text_matches() {
    let source = r#"guideline esc-fixture
  version 1.0.0
  title "A \"quoted\" title \\ with a backslash – and a dash"
  status draft

reference 1 "Ref"

action a "Label with \"quotes\" and \\ backslash" urgent

fact w: number in kg from 1 to 300 "Weight \"in\" kg."

rule r-1: recommend a
  when w > 10
  dose 5 to 6 mg/kg/day by w
  detail "Detail \"quoted\"\ttabbed"
  because "Because \\ so"
  cite 1

note n-1:
  when w > 20
  says "Note \"text\" é"
  cite 1
"#;
    let g = match guidelang::load_str("escaped.gl", source) {
        Ok(g) => g,
        // The fixture exercises escapes the language may not allow: what
        // it does allow is covered by the random guidelines.
        Err(problems) => panic!("the escape fixture must check: {problems:?}"),
    };
    let text = ContractText::new(&g);
    for w in ["5", "15", "30"] {
        let case = guidelang::facts::parse_case(&g, &format!("{{\"w\": {w}}}")).expect("a valid case");
        let e = evaluate(&g, &case);
        same_bytes(&text, &g, &case, &e, None).expect("same bytes");
    }
}

/// Every example case, on the guideline it was written for.
#[test]
fn every_example_case_matches() {
    let mut checked = 0;
    let examples = [
        ("examples/cases", "guidelines/als-hyperleukocytosis.gl", ""),
        ("examples/doses", "examples/doses/anticoagulation.gl", ""),
        ("examples/scores", "examples/scores/chads-vasc.gl", "af-"),
        ("examples/scores", "examples/scores/tls-risk.gl", "wbc-"),
    ];
    for (dir, guideline, prefix) in examples {
        let g = load(guideline);
        let text = ContractText::new(&g);
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .expect("the examples directory")
            .map(|entry| entry.expect("a directory entry").path())
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                name.ends_with(".json") && !name.ends_with(".expected.json") && name.starts_with(prefix)
            })
            .collect();
        paths.sort();
        for path in paths {
            let json = std::fs::read_to_string(&path).expect("an example case");
            let case = guidelang::facts::parse_case(&g, &json)
                .unwrap_or_else(|e| panic!("{}: not a case of {guideline}: {e:?}", path.display()));
            let e = evaluate(&g, &case);
            same_bytes(&text, &g, &case, &e, None).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            checked += 1;
        }
    }
    assert!(checked >= 25, "only {checked} example cases found");
}

/// The cases read from the example patient records (`eval --fhir`), with
/// their `"record"` provenance, and each record under a case that
/// overrides some of its facts.
#[test]
fn example_patient_records_match() {
    let g = load("guidelines/als-hyperleukocytosis.gl");
    let text = ContractText::new(&g);
    let as_of = guidelang::facts::parse_case(&g, r#"{"as_of": "2026-12-01"}"#).expect("a date");
    let day = as_of.as_of().expect("the case gives as_of");
    let instant = guidelang::fhir::end_of_day(day).expect("a day with an end");
    for bundle in [
        "examples/fhir/als-hyperleukocytosis.json",
        "examples/fhir/synthea-style-als.json",
    ] {
        let bytes = std::fs::read(bundle).expect("an example record");
        let record = guidelang::fhir::read_record(&g, &bytes, instant).unwrap_or_else(|e| panic!("{bundle}: {e:?}"));
        let e = evaluate(&g, &record.case);
        same_bytes(&text, &g, &record.case, &e, Some(&record)).unwrap_or_else(|e| panic!("{bundle}: {e}"));
    }
}

/// The CLI prints the typed writer's bytes: `eval --format json` of an
/// example equals the oracle's pretty tree, newline-terminated.
#[test]
fn cli_prints_the_same_report() {
    let g = load("guidelines/als-hyperleukocytosis.gl");
    let path = "examples/cases/dose-without-weight.json";
    let mut case =
        guidelang::facts::parse_case(&g, &std::fs::read_to_string(path).expect("the example")).expect("a case");
    let day = guidelang::facts::parse_case(&g, r#"{"as_of": "2026-12-01"}"#)
        .expect("a date")
        .as_of()
        .expect("the case gives as_of");
    case.default_as_of(&g, day).expect("a valid day");
    let e = evaluate(&g, &case);
    let want = serde_json::to_string_pretty(&evaluation_json_with_record(&g, &e, None)).expect("prints") + "\n";
    let out = assert_cmd::Command::cargo_bin("guidelang")
        .expect("the binary")
        .args(["eval", "--format", "json", "--as-of", "2026-12-01", "--case", path])
        .output()
        .expect("runs");
    assert_eq!(String::from_utf8_lossy(&out.stdout), want);
}
