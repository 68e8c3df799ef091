//! Record bindings in the language (issue 16): `read from observation ...`,
//! `read from condition ...`, `read from birth date` parse, check into the
//! model's `Binding` that the FHIR reader follows, format canonically, and
//! every mistake an editor can make in one is an error (or a warning) naming
//! what and where. The LOINC and SNOMED CT check digits are verified against
//! known codes and, by property, against every one-digit mistype.

use guidelang::diagnostics::{Problem, Source};
use guidelang::format::format_source;
use guidelang::model::{CodeSystem, Fact, Guideline, RecordSource};
use proptest::prelude::*;

use crate::common::checked::without_spans;

const HEAD: &str = "guideline bindings
  version 1.0.0
  status draft
  applies when true

";

/// A guideline with `facts` and one rule reading every fact named in `uses`.
fn text(facts: &str, uses: &str) -> String {
    format!("{HEAD}{facts}\nrule r: recommend x\n  when {uses}\n")
}

fn load(facts: &str, uses: &str) -> Guideline {
    guidelang::load_str("bindings.gl", &text(facts, uses)).unwrap_or_else(|p| {
        let shown: Vec<String> = p.iter().map(Problem::render_plain).collect();
        panic!("does not check:\n{}", shown.join("\n"))
    })
}

fn fact<'g>(g: &'g Guideline, name: &str) -> &'g Fact {
    g.facts.iter().find(|f| f.name == name).expect("declared")
}

/// The codes of a record binding as `(system keyword, code)`.
fn codes(f: &Fact) -> Vec<(&'static str, String)> {
    let list = match &f.binding.as_ref().expect("bound").source {
        RecordSource::Observation { codes, .. } | RecordSource::Condition { codes, .. } => codes,
        RecordSource::BirthDate => return Vec::new(),
    };
    list.iter().map(|c| (c.system.keyword(), c.code.clone())).collect()
}

/// Every problem of a guideline, as the checker reports them.
fn problems(facts: &str, uses: &str) -> (String, Vec<Problem>) {
    let t = text(facts, uses);
    let source = Source::new("bindings.gl", t.clone());
    let found = match guidelang::syntax::parse(&source) {
        Err(p) => p,
        Ok(file) => guidelang::check::check(&file, &source).problems,
    };
    (t, found)
}

/// The single problem of a guideline: its code must be `code`; returns its
/// message, help and the text its primary label underlines.
fn only(facts: &str, uses: &str, code: &str) -> (String, String, String) {
    let (t, found) = problems(facts, uses);
    let shown: Vec<String> = found.iter().map(Problem::render_plain).collect();
    assert_eq!(
        found.iter().map(|p| p.code).collect::<Vec<_>>(),
        [code],
        "\n{}",
        shown.join("\n")
    );
    let p = &found[0];
    let span = p.primary_span().expect("a place");
    (
        p.message.clone(),
        p.help.clone().unwrap_or_default(),
        t[span.start..span.end].to_string(),
    )
}

// ---------------------------------------------------------------- each form

#[test]
fn an_observation_binding_checks_into_codes_a_window_and_its_statuses() {
    let g = load(
        "fact wbc: number in 10^9/L from 0 \"White blood cell count\"\n    read from observation loinc 6690-2, 26464-8 within 48 h\n\
         fact creatinine: number in mg/dL from 0 molar mass 113.12 g/mol \"Serum creatinine\"\n    read from observation loinc 2160-0, 14682-9 within 48 h preliminary allowed\n",
        "wbc > 100 and creatinine > 1",
    );
    let wbc = fact(&g, "wbc");
    assert_eq!(codes(wbc), [("loinc", "6690-2".into()), ("loinc", "26464-8".into())]);
    match &wbc.binding.as_ref().expect("bound").source {
        RecordSource::Observation {
            window,
            accept_preliminary,
            ..
        } => {
            assert_eq!(window.seconds, 48 * 3600);
            assert!(!accept_preliminary);
        }
        other => panic!("{other:?}"),
    }
    match &fact(&g, "creatinine").binding.as_ref().expect("bound").source {
        RecordSource::Observation { accept_preliminary, .. } => assert!(accept_preliminary),
        other => panic!("{other:?}"),
    }
    // The binding's span is the binding as written, from `read` on.
    let span = wbc.binding.as_ref().expect("bound").span;
    let whole = text(
        "fact wbc: number in 10^9/L from 0 \"White blood cell count\"\n    read from observation loinc 6690-2, 26464-8 within 48 h\n\
         fact creatinine: number in mg/dL from 0 molar mass 113.12 g/mol \"Serum creatinine\"\n    read from observation loinc 2160-0, 14682-9 within 48 h preliminary allowed\n",
        "wbc > 100 and creatinine > 1",
    );
    assert_eq!(
        &whole[span.start..span.end],
        "read from observation loinc 6690-2, 26464-8 within 48 h"
    );
}

#[test]
fn window_units_are_minutes_hours_days_and_weeks() {
    for (window, seconds) in [
        ("90 min", 5_400),
        ("48 h", 172_800),
        ("7 d", 604_800),
        ("2 wk", 1_209_600),
    ] {
        let g = load(
            &format!("fact weight: number in kg from 20 to 350 read from observation loinc 29463-7 within {window}\n"),
            "weight > 50",
        );
        match &fact(&g, "weight").binding.as_ref().expect("bound").source {
            RecordSource::Observation { window: w, .. } => assert_eq!(w.seconds, seconds, "{window}"),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn a_condition_binding_mixes_systems_and_a_bare_code_takes_the_one_before() {
    let g = load(
        "fact als: bool \"Pre-existing ALS\"\n    read from condition icd10 G12.21, snomed 86044005\n\
         fact apl: bool \"APL\" read from condition icd10 C92.4, C92 absent means false\n",
        "als and apl",
    );
    let als = fact(&g, "als");
    assert_eq!(codes(als), [("icd10", "G12.21".into()), ("snomed", "86044005".into())]);
    match &als.binding.as_ref().expect("bound").source {
        RecordSource::Condition { absent_means_false, .. } => assert!(!absent_means_false),
        other => panic!("{other:?}"),
    }
    // `C92` has no system: ICD-10, from `C92.4`; and `absent` after it is
    // the option, not a code of a system called `C92`.
    let apl = fact(&g, "apl");
    assert_eq!(codes(apl), [("icd10", "C92.4".into()), ("icd10", "C92".into())]);
    match &apl.binding.as_ref().expect("bound").source {
        RecordSource::Condition { absent_means_false, .. } => assert!(absent_means_false),
        other => panic!("{other:?}"),
    }
    assert_eq!(CodeSystem::Icd10.uri(), "http://hl7.org/fhir/sid/icd-10");
}

#[test]
fn the_birth_date_gives_an_age_in_years_a_whole_number_or_the_date() {
    let g = load(
        "fact age: number in years from 0 to 130 \"Age at diagnosis\" read from birth date\n\
         fact age_whole: integer from 0 read from birth date\n\
         fact born: date read from birth date\n",
        "age > 18 and age_whole > 18 and born < today",
    );
    for name in ["age", "age_whole", "born"] {
        assert_eq!(
            fact(&g, name).binding.as_ref().map(|b| &b.source),
            Some(&RecordSource::BirthDate),
            "{name}"
        );
    }
}

#[test]
fn a_fact_without_a_binding_has_none() {
    let g = load("fact wbc: number in 10^9/L from 0 \"White count\"\n", "wbc > 100");
    assert!(fact(&g, "wbc").binding.is_none());
}

#[test]
fn the_words_of_a_binding_still_name_facts() {
    // None of them is reserved: a guideline that named a fact `read` or
    // `observation` before bindings existed still checks.
    let names = [
        "read",
        "observation",
        "condition",
        "birth",
        "within",
        "preliminary",
        "allowed",
        "absent",
        "means",
        "loinc",
        "snomed",
        "icd10",
        "icd10cm",
    ];
    let facts: String = names.iter().map(|n| format!("fact {n}: bool\n")).collect();
    let uses = names.join(" and ");
    let g = load(&facts, &uses);
    assert_eq!(g.facts.len(), names.len());
    // ... and bound ones too, with a binding after.
    let g = load(
        "fact read: bool read from condition snomed 86044005\nfact within: integer read from birth date\n",
        "read and within > 3",
    );
    assert!(fact(&g, "read").binding.is_some());
}

#[test]
fn a_fact_may_be_recorded_and_bound() {
    let g = load(
        "fact ecog: integer from 0 to 4 \"ECOG performance status\" recorded\n    read from observation loinc 89247-1 within 30 d\nfact x: bool\n",
        "x",
    );
    assert_eq!(codes(fact(&g, "ecog")), [("loinc", "89247-1".into())]);
}

// ---------------------------------------------------------------- diagnostics

#[test]
fn an_unknown_code_system_is_named_with_the_one_meant() {
    let (message, help, under) = only(
        "fact wbc: number in 10^9/L from 0 read from observation lonic 6690-2 within 48 h\n",
        "wbc > 100",
        "guidelang::check::unknown_code_system",
    );
    assert_eq!(message, "`lonic` is not a code system");
    assert!(help.starts_with("did you mean `loinc`?"), "{help}");
    assert!(help.contains("icd10, icd10cm, loinc, snomed"), "{help}");
    assert_eq!(under, "lonic");
}

#[test]
fn an_unknown_system_shared_by_several_codes_is_reported_once() {
    let (_, _, under) = only(
        "fact als: bool read from condition icd11 G12.21, G12.2\n",
        "als",
        "guidelang::check::unknown_code_system",
    );
    assert_eq!(under, "icd11");
}

#[test]
fn a_loinc_code_with_a_wrong_check_digit_is_refused() {
    let (message, help, under) = only(
        "fact wbc: number in 10^9/L from 0 read from observation loinc 6690-3 within 48 h\n",
        "wbc > 100",
        "guidelang::check::bad_code",
    );
    assert_eq!(
        message,
        "`6690-3` is not a LOINC code: its check digit should be 2, so a digit is mistyped"
    );
    assert!(help.contains("`6690-2`"), "{help}");
    assert_eq!(under, "6690-3");
}

#[test]
fn a_loinc_code_without_its_check_digit_is_refused() {
    let (message, _, under) = only(
        "fact wbc: number in 10^9/L from 0 read from observation loinc 6690 within 48 h\n",
        "wbc > 100",
        "guidelang::check::bad_code",
    );
    assert_eq!(
        message,
        "`6690` is not a LOINC code: it has no `-` before its check digit"
    );
    assert_eq!(under, "6690");
}

#[test]
fn a_snomed_code_failing_verhoeff_is_refused() {
    let (message, help, under) = only(
        "fact als: bool read from condition snomed 86044006\n",
        "als",
        "guidelang::check::bad_code",
    );
    assert!(
        message.starts_with("`86044006` is not a SNOMED CT code: its check digit"),
        "{message}"
    );
    assert!(help.contains("Verhoeff"), "{help}");
    assert_eq!(under, "86044006");
    let (message, _, _) = only(
        "fact als: bool read from condition snomed 12345\n",
        "als",
        "guidelang::check::bad_code",
    );
    assert_eq!(message, "`12345` is not a SNOMED CT code: it must be 6 to 18 digits");
}

#[test]
fn an_icd10_code_has_a_letter_two_digits_and_an_optional_subdivision() {
    for (code, why) in [
        ("g12.21", "its letters must be capitals"),
        ("G1.21", "it must start with a letter and two digits"),
        ("G12.", "after the `.` come 1 to 4 capitals or digits"),
        ("G12.12345", "after the `.` come 1 to 4 capitals or digits"),
    ] {
        let (message, help, under) = only(
            &format!("fact als: bool read from condition icd10 {code}\n"),
            "als",
            "guidelang::check::bad_code",
        );
        assert_eq!(message, format!("`{code}` is not an ICD-10 code: {why}"));
        assert!(help.contains("`G12.21`"), "{help}");
        assert_eq!(under, code);
    }
    // ICD-10-CM has categories with a letter third (C4A, Merkel cell carcinoma).
    load("fact merkel: bool read from condition icd10cm C4A.0\n", "merkel");
}

#[test]
fn an_observation_without_a_window_is_refused() {
    let (message, help, under) = only(
        "fact wbc: number in 10^9/L from 0 read from observation loinc 6690-2\n",
        "wbc > 100",
        "guidelang::check::binding_without_window",
    );
    assert_eq!(message, "`wbc` is read from observations but says no window");
    assert!(help.contains("`within 48 h`"), "{help}");
    assert_eq!(under, "observation");
}

#[test]
fn a_window_is_a_positive_whole_number_of_a_known_unit() {
    let bad = |window: &str, code: &str| {
        only(
            &format!("fact wbc: number in 10^9/L from 0 read from observation loinc 6690-2 within {window}\n"),
            "wbc > 100",
            code,
        )
    };
    let (message, help, under) = bad("0 h", "guidelang::check::bad_window");
    assert_eq!(message, "a window of 0 admits no result");
    assert!(help.contains("within 48 h"), "{help}");
    assert_eq!(under, "within 0 h");
    let (message, help, _) = bad("1.5 h", "guidelang::check::bad_window");
    assert_eq!(message, "a window is a whole number of h, not 1.5");
    assert!(help.contains("90 min"), "{help}");
    let (message, _, _) = bad("20000 wk", "guidelang::check::bad_window");
    assert_eq!(message, "a window of 20000 wk is longer than a lifetime");
    let (message, help, under) = bad("48 hours", "guidelang::check::bad_window_unit");
    assert_eq!(message, "`hours` is not a window unit");
    assert!(help.starts_with("did you mean `h`?"), "{help}");
    assert_eq!(under, "hours");
}

#[test]
fn a_condition_reads_only_a_bool_fact() {
    let (message, help, under) = only(
        "fact als: integer read from condition icd10 G12.21\n",
        "als > 1",
        "guidelang::check::binding_type",
    );
    assert_eq!(message, "`als` is read from conditions, but it is not a bool fact");
    assert!(help.contains("declare the fact `bool`"), "{help}");
    assert_eq!(under, "condition");
}

#[test]
fn an_observation_does_not_give_a_list_value_or_a_date() {
    for (ty, what, uses) in [
        ("one of a, b", "one of a list of values", "x is a"),
        ("date", "a date", "x < today"),
    ] {
        let (message, _, under) = only(
            &format!("fact x: {ty} read from observation loinc 89247-1 within 30 d\n"),
            uses,
            "guidelang::check::binding_type",
        );
        assert_eq!(
            message,
            format!("`x` is {what}, which an observation's value does not give")
        );
        assert_eq!(under, "observation");
    }
}

#[test]
fn the_birth_date_does_not_give_a_bool_a_list_value_or_months() {
    for (ty, uses) in [("bool", "x"), ("one of a, b", "x is a")] {
        let (message, help, under) = only(
            &format!("fact x: {ty} read from birth date\n"),
            uses,
            "guidelang::check::binding_type",
        );
        assert_eq!(
            message,
            "`x` is not a number, a whole number or a date, which the birth date gives"
        );
        assert!(help.contains("`number in years`"), "{help}");
        assert_eq!(under, "birth date");
    }
    let (message, _, _) = only(
        "fact x: number in mo read from birth date\n",
        "x > 1",
        "guidelang::check::binding_type",
    );
    assert_eq!(message, "`x` is in mo, but the birth date gives an age in whole years");
}

#[test]
fn absent_means_false_belongs_to_a_condition() {
    let (message, help, under) = only(
        "fact wbc: number in 10^9/L from 0 read from observation loinc 6690-2 within 48 h absent means false\n",
        "wbc > 100",
        "guidelang::check::binding_option",
    );
    assert_eq!(
        message,
        "`absent means false` belongs to a condition, not an observation"
    );
    assert!(help.contains("unknown"), "{help}");
    assert_eq!(under, "absent means false");
}

#[test]
fn a_window_or_preliminary_results_belong_to_an_observation() {
    let (message, _, under) = only(
        "fact als: bool read from condition icd10 G12.21 within 30 d\n",
        "als",
        "guidelang::check::binding_option",
    );
    assert_eq!(message, "`within` belongs to an observation, not a condition");
    assert_eq!(under, "within 30 d");
    let (message, _, under) = only(
        "fact als: bool read from condition icd10 G12.21 preliminary allowed\n",
        "als",
        "guidelang::check::binding_option",
    );
    assert_eq!(
        message,
        "`preliminary allowed` belongs to an observation, not a condition"
    );
    assert_eq!(under, "preliminary allowed");
}

#[test]
fn a_code_listed_twice_is_refused_even_when_its_system_is_implied() {
    let (message, help, under) = only(
        "fact wbc: number in 10^9/L from 0 read from observation loinc 6690-2, 26464-8, loinc 6690-2 within 48 h\n",
        "wbc > 100",
        "guidelang::check::duplicate_code",
    );
    assert_eq!(message, "LOINC `6690-2` is listed twice");
    assert_eq!(help, "list each code once");
    // The second one is underlined: the first stays.
    let (t, found) = problems(
        "fact wbc: number in 10^9/L from 0 read from observation loinc 6690-2, 26464-8, loinc 6690-2 within 48 h\n",
        "wbc > 100",
    );
    let span = found[0].primary_span().expect("a place");
    assert_eq!(under, "6690-2");
    assert!(span.start > t.find("26464-8").expect("written"));
}

#[test]
fn an_option_given_twice_is_refused() {
    let (t, found) = problems(
        "fact wbc: number in 10^9/L from 0 read from observation loinc 6690-2 within 48 h within 24 h\n",
        "wbc > 100",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].code, "guidelang::syntax::duplicate_field");
    assert_eq!(found[0].message, "`within` is given twice");
    let span = found[0].primary_span().expect("a place");
    assert_eq!(&t[span.start..span.end], "within 24 h");
}

#[test]
fn a_mass_concentration_read_from_observations_asks_for_a_molar_mass() {
    let (message, help, under) = only(
        "fact uric_acid: number in mg/dL from 0 \"Serum uric acid\" read from observation loinc 3084-1 within 48 h\n",
        "uric_acid > 8",
        "guidelang::check::binding_needs_molar_mass",
    );
    assert_eq!(
        message,
        "`uric_acid` is a mass concentration (mg/dL) with no molar mass: results reported as an amount (µmol/L) will stay unknown"
    );
    assert!(help.contains("molar mass"), "{help}");
    assert_eq!(under, "mg/dL");
    let (_, found) = problems("fact uric_acid: number in mg/dL from 0 molar mass 168.11 g/mol read from observation loinc 3084-1 within 48 h\n", "uric_acid > 8");
    assert!(found.is_empty(), "{found:?}");
    // An amount concentration or a count is not a mass: no warning.
    let (_, found) = problems(
        "fact potassium: number in mmol/L from 0 read from observation loinc 2823-3 within 48 h\nfact wbc: number in 10^9/L from 0 read from observation loinc 6690-2 within 48 h\n",
        "potassium > 6 and wbc > 100",
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_binding_that_does_not_parse_says_what_was_expected() {
    let (_, found) = problems(
        "fact wbc: number in 10^9/L from 0 read from lab loinc 6690-2 within 48 h\n",
        "wbc > 100",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].is_error());
    assert!(
        found[0].message.contains("`observation`, `condition` or `birth date`"),
        "{}",
        found[0].message
    );
    // A trailing comma: the next item's keyword is no code.
    let (_, found) = problems(
        "fact als: bool read from condition icd10 G12.21,\nfact x: bool\n",
        "als and x",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].message.contains("code"), "{}", found[0].message);
}

// ---------------------------------------------------------------- check digits

#[test]
fn known_codes_pass_their_checks_and_one_digit_off_fails() {
    use guidelang::check::well_formed_code;
    let valid = [
        (CodeSystem::Loinc, "6690-2"),
        (CodeSystem::Loinc, "26464-8"),
        (CodeSystem::Loinc, "2160-0"),
        (CodeSystem::Loinc, "777-3"),
        (CodeSystem::Loinc, "718-7"),
        (CodeSystem::Snomed, "86044005"),
        (CodeSystem::Snomed, "22298006"),
        (CodeSystem::Snomed, "73211009"),
        // Acute myeloid leukemia and hypertensive disorder: codes whose check
        // digits a mistyped permutation table once refused.
        (CodeSystem::Snomed, "91861009"),
        (CodeSystem::Snomed, "38341003"),
        (CodeSystem::Icd10, "G12.21"),
    ];
    for (system, code) in valid {
        assert_eq!(well_formed_code(system, code), Ok(()), "{code}");
    }
    for (system, code) in [
        (CodeSystem::Loinc, "6690-1"),
        (CodeSystem::Loinc, "6790-2"),
        (CodeSystem::Snomed, "86044015"),
        (CodeSystem::Snomed, "96044005"),
    ] {
        assert!(well_formed_code(system, code).is_err(), "{code}");
    }
}

/// The Verhoeff check digit of `body`: the one digit that makes it valid.
fn verhoeff_digit(body: &str) -> char {
    let fitting: Vec<char> = ('0'..='9')
        .filter(|d| guidelang::check::verhoeff_valid(&format!("{body}{d}")))
        .collect();
    assert_eq!(fitting.len(), 1, "exactly one check digit fits {body}");
    fitting[0]
}

/// `code` with the digit at `at` (counting digits only) replaced by another.
fn one_digit_off(code: &str, at: usize, shift: u8) -> String {
    let mut seen = 0;
    code.chars()
        .map(|c| {
            if !c.is_ascii_digit() {
                return c;
            }
            seen += 1;
            if seen - 1 != at {
                return c;
            }
            let d = c as u8 - b'0';
            (b'0' + (d + shift) % 10) as char
        })
        .collect()
}

proptest! {
    #![proptest_config(crate::common::gen::config(256))]

    /// Both schemes catch every single mistyped digit, the check digit included.
    #[test]
    fn changing_one_digit_of_a_valid_code_always_fails_the_check(
        loinc_body in "[1-9][0-9]{0,6}",
        snomed_body in "[1-9][0-9]{5,16}",
        at in 0usize..18,
        shift in 1u8..10,
    ) {
        use guidelang::check::{loinc_check_digit, well_formed_code};
        let loinc = format!("{loinc_body}-{}", loinc_check_digit(&loinc_body));
        prop_assert_eq!(well_formed_code(CodeSystem::Loinc, &loinc), Ok(()));
        let off = one_digit_off(&loinc, at % (loinc_body.len() + 1), shift);
        prop_assert!(well_formed_code(CodeSystem::Loinc, &off).is_err(), "{} -> {}", loinc, off);

        let snomed = format!("{snomed_body}{}", verhoeff_digit(&snomed_body));
        prop_assert_eq!(well_formed_code(CodeSystem::Snomed, &snomed), Ok(()));
        let off = one_digit_off(&snomed, at % snomed.len(), shift);
        // A leading zero is refused for its own reason; either way it fails.
        prop_assert!(well_formed_code(CodeSystem::Snomed, &off).is_err(), "{} -> {}", snomed, off);
    }
}

// ---------------------------------------------------------------- fmt

fn fmt(t: &str) -> String {
    format_source(&Source::new("t.gl", t)).unwrap_or_else(|p| panic!("{p:?}"))
}

#[test]
fn fmt_puts_a_binding_that_fits_on_the_facts_line_and_a_long_one_below() {
    let facts = "fact age: number in years from 0 to 130 \"Age\"\n   read   from birth  date\n\
                 fact wbc: number in 10^9/L from 0 \"White blood cell count\" read from observation loinc 6690-2, loinc 26464-8 within 48 h\n\
                 fact apl: bool read from condition icd10 C92.4,snomed 110004001 absent means false\n";
    let out = fmt(&text(facts, "age > 1 and wbc > 1 and apl"));
    assert!(
        out.contains("fact age: number in years from 0 to 130 \"Age\" read from birth date\n"),
        "{out}"
    );
    // Too long for one line: below, indented; the repeated system written once.
    assert!(
        out.contains("fact wbc: number in 10^9/L from 0 \"White blood cell count\"\n  read from observation loinc 6690-2, 26464-8 within 48 h\n"),
        "{out}"
    );
    assert!(
        out.contains("fact apl: bool read from condition icd10 C92.4, snomed 110004001 absent means false\n"),
        "{out}"
    );
    assert_eq!(fmt(&out), out, "idempotent");
}

#[test]
fn fmt_keeps_options_in_a_fixed_order_and_comments_in_place() {
    let facts = "fact creatinine: number in mg/dL from 0 molar mass 113.12 g/mol \"Serum creatinine\" # mass\n  # labs differ in the code they use\n  read from observation loinc 2160-0, 14682-9 preliminary allowed within 48 h # two days\n";
    let t = text(facts, "creatinine > 1");
    let out = fmt(&t);
    assert!(
        out.contains("fact creatinine: number in mg/dL from 0 molar mass 113.12 g/mol \"Serum creatinine\" # mass\n  # labs differ in the code they use\n  read from observation loinc 2160-0, 14682-9 within 48 h preliminary allowed # two days\n"),
        "{out}"
    );
    let parse = |t: &str| guidelang::syntax::parse(&Source::new("t.gl", t)).expect("parses");
    assert_eq!(without_spans(&parse(&out)), without_spans(&parse(&t)));
}

#[test]
fn the_syntax_tree_holds_each_codes_system_however_the_list_is_written() {
    let parse = |t: &str| guidelang::syntax::parse(&Source::new("t.gl", t)).expect("parses");
    let a = parse(&text("fact als: bool read from condition icd10 G12.21, C92.4\n", "als"));
    let b = parse(&text(
        "fact als: bool read from condition icd10 G12.21, icd10 C92.4\n",
        "als",
    ));
    assert_eq!(a, b);
    let c = parse(&text(
        "fact als: bool read from condition icd10 G12.21, snomed 86044005\n",
        "als",
    ));
    assert_ne!(a, c);
}

// ---------------------------------------------------------------- in words

#[test]
fn the_document_says_each_binding_in_words() {
    let g = load(
        "fact wbc: number in 10^9/L from 0 read from observation loinc 6690-2, 26464-8 within 48 h\n\
         fact weight: number in kg from 20 to 350 read from observation loinc 29463-7 within 7 d preliminary allowed\n\
         fact als: bool read from condition icd10cm G12.21, snomed 86044005\n\
         fact apl: bool read from condition icd10 C92.4, C92.0, snomed 110004001 absent means false\n\
         fact age: integer from 0 read from birth date\n\
         fact born: date read from birth date\n\
         fact lineage: one of myeloid, lymphoid\n",
        "wbc > 100 and weight > 50 and als and apl and age > 18 and born < today and lineage is myeloid",
    );
    let words = |name: &str| {
        let f = fact(&g, name);
        guidelang::report::binding_in_words(f.binding.as_ref().expect("bound"), &f.kind)
    };
    assert_eq!(
        words("wbc"),
        "read from the latest final Observation with LOINC 6690-2 or 26464-8 in the last 48 hours"
    );
    assert_eq!(
        words("weight"),
        "read from the latest final Observation with LOINC 29463-7 in the last 7 days, or the latest preliminary one when no final one is"
    );
    assert_eq!(
        words("als"),
        "true when the record has an active, confirmed Condition with ICD-10-CM G12.21 or SNOMED CT 86044005; unknown when the record has none"
    );
    assert_eq!(
        words("apl"),
        "true when the record has an active, confirmed Condition with ICD-10 C92.4, C92.0 or SNOMED CT 110004001; false when the record has none (the guideline states the record is complete for it)"
    );
    assert_eq!(
        words("age"),
        "the age in whole years at the evaluation date, from the patient's birth date"
    );
    assert_eq!(words("born"), "the patient's birth date");
    // The rendered document has a column for it, and says which facts the
    // case must give.
    let md = guidelang::report::render_markdown(&guidelang::report::document(&g));
    assert!(md.contains("| From a patient record |"), "{md}");
    assert!(
        md.contains("Read from the latest final Observation with LOINC 6690-2 or 26464-8 in the last 48 hours |"),
        "{md}"
    );
    assert!(md.contains("| Given in the case |"), "{md}");
}

#[test]
fn a_document_without_bindings_has_no_record_column() {
    let g = load("fact wbc: number in 10^9/L from 0\n", "wbc > 100");
    let md = guidelang::report::render_markdown(&guidelang::report::document(&g));
    assert!(!md.contains("patient record"), "{md}");
}
