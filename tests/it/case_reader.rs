//! The typed case reader (`facts::CaseReader`, what `parse_case` and the
//! batch use) against the reference reader it replaced
//! (`facts::parse_case_reference`): on random valid cases and on random
//! damage to them, both give the same `Case` or the same errors, word for
//! word. One reused reader reads every line of a run, so that a value left
//! over from an earlier case would show.

use std::sync::OnceLock;

use guidelang::facts::{parse_case, parse_case_reference, Case, CaseReader};
use guidelang::model::Guideline;
use proptest::prelude::*;
use serde_json::Value as Json;

use crate::common::gen::{config, CaseSpace};

fn bundled() -> &'static Guideline {
    static G: OnceLock<Guideline> = OnceLock::new();
    G.get_or_init(|| guidelang::bundled().expect("the bundled guideline checks"))
}

/// Dates, and enums, numbers with no bound at all.
fn tls() -> &'static Guideline {
    static G: OnceLock<Guideline> = OnceLock::new();
    G.get_or_init(|| {
        let text = include_str!("../../guidelines/tumour-lysis-prophylaxis.gl");
        guidelang::load_str("tls.gl", text).expect("the TLS guideline checks")
    })
}

/// More facts than the typed reader compares name by name (it indexes
/// them), of every kind, with ranges open and closed.
fn wide() -> &'static Guideline {
    static G: OnceLock<Guideline> = OnceLock::new();
    G.get_or_init(|| {
        let mut text = String::from("guideline wide version 1.0.0 status draft\n");
        let kinds = [
            "bool",
            "number in kg from 0 to 500",
            "number in kg",
            "integer from 0 to 10",
            "integer",
            "one of x, y, z",
            "date",
        ];
        for i in 0..40 {
            text.push_str(&format!("fact f{i}: {}\n", kinds[i % kinds.len()]));
        }
        text.push_str("rule r: recommend act when f0\n");
        guidelang::load_str("wide.gl", &text).expect("the generated guideline checks")
    })
}

fn guideline(which: u8) -> &'static Guideline {
    match which % 3 {
        0 => bundled(),
        1 => tls(),
        _ => wide(),
    }
}

fn space(which: u8) -> &'static CaseSpace {
    static S: OnceLock<[CaseSpace; 3]> = OnceLock::new();
    &S.get_or_init(|| [bundled(), tls(), wide()].map(|g| CaseSpace::of(g).with_extremes()))[which as usize % 3]
}

/// A guideline (by number) and some of its cases, complete or partial.
fn cases(n: std::ops::Range<usize>) -> impl Strategy<Value = (u8, Vec<Json>)> {
    (0u8..3).prop_flat_map(move |which| {
        let one = prop_oneof![space(which).complete(), space(which).partial()];
        (Just(which), proptest::collection::vec(one, n.clone()))
    })
}

/// Reads `text` with the reused `reader` into `case` and with the reference,
/// and requires the same outcome.
fn agree(g: &Guideline, reader: &mut CaseReader, case: &mut Case, text: &str) -> Result<(), TestCaseError> {
    let typed = reader.read_into(text, case).map(|()| case.clone());
    let reference = parse_case_reference(g, text);
    prop_assert_eq!(&typed, &reference, "{}", text);
    prop_assert_eq!(parse_case(g, text), reference, "{}", text);
    Ok(())
}

/// Ways to damage a valid case line, each aimed at one check the reader
/// makes while reading (or one it must leave to the reference).
#[derive(Clone, Debug)]
enum Damage {
    /// Replace the text between two byte offsets with some text.
    Splice(usize, usize, String),
    /// Give a fact a raw JSON value (any type, nested, wide numbers).
    Value(usize, String),
    /// Give a key twice (the same fact, or the evaluation date).
    Repeat(usize),
    /// Add an evaluation date.
    AsOf(String),
    /// Add a key that is not a fact.
    Key(String),
    /// A byte-order mark, whitespace.
    Wrap(String, String),
}

fn raw_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("null".to_string()),
        Just("true".to_string()),
        Just("false".to_string()),
        Just("[]".to_string()),
        Just("{\"a\": 1}".to_string()),
        Just("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]".to_string()),
        Just("1e999".to_string()),
        Just("-1e999".to_string()),
        Just("NaN".to_string()),
        Just("1e19".to_string()),
        Just("9007199254740993".to_string()),
        Just("9007199254740992".to_string()),
        Just("-9007199254740993".to_string()),
        Just("18446744073709551615".to_string()),
        Just("18446744073709551617".to_string()),
        Just("123456789012345678901234567890".to_string()),
        Just("100000000000000000000000".to_string()),
        Just("-0".to_string()),
        Just("2.0".to_string()),
        Just("2.5".to_string()),
        Just("\"2026-02-29\"".to_string()),
        Just("\"2024-02-29\"".to_string()),
        Just("\"2027-01-01\"".to_string()),
        Just("\"1800-01-01\"".to_string()),
        Just("\"x\"".to_string()),
        Just("\"\\u0078\"".to_string()),
        Just("\"myeloid\"".to_string()),
        Just("\"positive\"".to_string()),
        any::<i64>().prop_map(|i| i.to_string()),
        any::<u64>().prop_map(|u| u.to_string()),
        any::<f64>().prop_map(|x| format!("{x:e}")),
        (-20i32..600).prop_map(|i| i.to_string()),
        "\"[a-z0-9 -]{0,12}\"",
        "[0-9]{1,30}",
    ]
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        1 => (any::<usize>(), 0usize..4, "[{}\\[\\]\":,a-z0-9 \\\\.-]{0,4}")
            .prop_map(|(at, len, with)| Damage::Splice(at, len, with)),
        3 => (any::<usize>(), raw_value()).prop_map(|(i, v)| Damage::Value(i, v)),
        1 => any::<usize>().prop_map(Damage::Repeat),
        1 => prop_oneof![raw_value(), Just("\"2026-03-31\"".to_string()), Just("\"2000-01-01\"".to_string())]
            .prop_map(Damage::AsOf),
        1 => prop_oneof![
            Just("\"WBC\"".to_string()),
            Just("\"w\\u200bbc\"".to_string()),
            Just("\"\\u0077bc\"".to_string()),
            Just("\"\"".to_string()),
            Just("\"as_of\"".to_string()),
            "\"[a-z_]{1,8}\"",
        ]
        .prop_map(Damage::Key),
        1 => (
            prop_oneof![Just(""), Just("\u{feff}"), Just("  "), Just("\t")],
            prop_oneof![Just(""), Just(" "), Just(" x"), Just("{}"), Just("\r")]
        )
            .prop_map(|(a, b)| Damage::Wrap(a.to_string(), b.to_string())),
    ]
}

/// A case object as compact text, with `damage` done to it.
fn damaged(g: &Guideline, case: &Json, damage: &Damage) -> String {
    let Json::Object(map) = case else {
        return case.to_string();
    };
    let mut entries: Vec<(String, String)> = map.iter().map(|(k, v)| (format!("{k:?}"), v.to_string())).collect();
    let pick = |i: usize, n: usize| if n == 0 { 0 } else { i % n };
    match damage {
        Damage::Value(i, v) => {
            let name = &g.facts[pick(*i, g.facts.len())].name;
            entries.retain(|(k, _)| k != &format!("{name:?}"));
            entries.push((format!("{name:?}"), v.clone()));
        }
        Damage::Repeat(i) if !entries.is_empty() => {
            let e = entries[pick(*i, entries.len())].clone();
            entries.push(e);
        }
        Damage::Repeat(_) => entries.push(("\"as_of\"".into(), "\"2026-01-01\"".into())),
        Damage::AsOf(v) => entries.push(("\"as_of\"".into(), v.clone())),
        Damage::Key(k) => entries.push((k.clone(), "true".into())),
        Damage::Splice(..) | Damage::Wrap(..) => {}
    }
    let body: Vec<String> = entries.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    let text = format!("{{{}}}", body.join(","));
    match damage {
        Damage::Splice(at, len, with) => {
            let at = pick(*at, text.len() + 1);
            let end = (at + len).min(text.len());
            format!("{}{with}{}", &text[..at], &text[end..])
        }
        Damage::Wrap(before, after) => format!("{before}{text}{after}"),
        _ => text,
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// Valid cases, complete and partial, read alike into one reused case.
    #[test]
    fn valid_cases_read_as_the_reference_reads_them((which, cases) in cases(1..6)) {
        let g = guideline(which);
        let mut reader = CaseReader::new(g);
        let mut case = Case::empty(g);
        for json in cases {
            agree(g, &mut reader, &mut case, &json.to_string())?;
            agree(g, &mut reader, &mut case, &serde_json::to_string_pretty(&json).unwrap_or_default())?;
        }
    }

    /// Damaged cases: the same errors, or the same case when the damage
    /// left it valid, with the reader reused across a valid case and back.
    #[test]
    fn damaged_cases_are_refused_as_the_reference_refuses_them(
        (which, cases) in cases(1..2),
        damages in proptest::collection::vec(damage(), 1..4),
    ) {
        let g = guideline(which);
        let json = &cases[0];
        let mut reader = CaseReader::new(g);
        let mut case = Case::empty(g);
        for d in &damages {
            agree(g, &mut reader, &mut case, &json.to_string())?;
            agree(g, &mut reader, &mut case, &damaged(g, json, d))?;
        }
    }

    /// Any text at all.
    #[test]
    fn any_text_is_read_as_the_reference_reads_it(which in 0u8..3, text in any::<String>()) {
        let g = guideline(which);
        agree(g, &mut CaseReader::new(g), &mut Case::empty(g), &text)?;
    }
}

/// Each kind of value the typed reader accepts itself, and the nearest ones
/// it leaves to the reference, on the wide guideline (f1: number 0–500 kg,
/// f2: number, f3: integer 0–10, f4: integer, f5: enum, f6: date).
#[test]
fn edge_values_read_as_the_reference_reads_them() {
    let g = wide();
    let mut reader = CaseReader::new(g);
    let mut case = Case::empty(g);
    let lines = [
        r#"{"f0": true, "f1": 500, "f2": -1.5e300, "f3": 10, "f4": -9007199254740992, "f5": "z", "f6": "2026-03-31"}"#,
        r#"{"f1": 500.0000000000001}"#,
        r#"{"f2": 1e19}"#,
        r#"{"f2": 123456789012345678901234567890}"#,
        r#"{"f2": 100000000000000000000000}"#,
        r#"{"f2": 9007199254740993}"#,
        r#"{"f4": 9007199254740993}"#,
        r#"{"f4": 3.0}"#,
        r#"{"f4": 3.5}"#,
        r#"{"f6": "2026-03-31", "as_of": "2026-03-30"}"#,
        r#"{"f6": "2026-03-31", "as_of": "2026-03-31"}"#,
        r#"{"as_of": null}"#,
        r#"{"f6": null, "f5": null}"#,
        r#"{"f0": null, "f0": true}"#,
        r#"{"f0": [true]}"#,
        "\u{feff}{\"f0\": false}",
        "{\"f\\u0030\": false}",
        "",
        "   ",
        "[]",
        "{} {}",
    ];
    for text in lines {
        let typed = reader.read_into(text, &mut case).map(|()| case.clone());
        assert_eq!(typed, parse_case_reference(g, text), "{text}");
    }
    assert!(reader.read_into(lines[0], &mut case).is_ok());
}
