//! Order codes on actions (issue 17): `action leukapheresis "Leukapheresis"
//! urgent coded snomed ..., rxnorm ...` parses, checks into the model's
//! `Action::codes` (which the CDS Hooks order services match draft orders
//! by), formats canonically, shows in the document and on hover, and every
//! mistake in one is an error naming what and where, with help: an unknown
//! or misplaced system, a malformed code, a code listed twice, and a code on
//! two actions (an order must name one action).

use guidelang::diagnostics::{Problem, Source};
use guidelang::format::format_source;
use guidelang::model::{CodeSystem, Guideline};
use proptest::prelude::*;

use crate::common::gen::config;

const HEAD: &str = "guideline orders
  version 1.0.0
  status draft
  applies when true

fact wbc: number in 10^9/L from 0
";

/// A guideline declaring `actions`, each decided by one rule.
fn text(actions: &str) -> String {
    let mut rules = String::new();
    for line in actions.lines().filter(|l| l.starts_with("action ")) {
        let name = line.split_whitespace().nth(1).unwrap_or_default();
        rules.push_str(&format!("rule r-{name}: recommend {name}\n  when wbc > 100\n"));
    }
    format!("{HEAD}{actions}\n{rules}")
}

fn load(actions: &str) -> Guideline {
    guidelang::load_str("orders.gl", &text(actions)).unwrap_or_else(|p| {
        let shown: Vec<String> = p.iter().map(Problem::render_plain).collect();
        panic!("does not check:\n{}", shown.join("\n"))
    })
}

/// The codes of action `name` as `(system keyword, code)`.
fn codes(g: &Guideline, name: &str) -> Vec<(&'static str, String)> {
    let a = g.actions.iter().find(|a| a.name == name).expect("declared");
    a.codes.iter().map(|c| (c.system.keyword(), c.code.clone())).collect()
}

/// The single problem of a guideline, which must have code `code`: its
/// message, help, the text its primary label underlines, and the texts of
/// all its labels.
fn only(actions: &str, code: &str) -> (String, String, String, Vec<String>) {
    let t = text(actions);
    let source = Source::new("orders.gl", t.clone());
    let found = match guidelang::syntax::parse(&source) {
        Err(p) => p,
        Ok(file) => guidelang::check::check(&file, &source).problems,
    };
    let shown: Vec<String> = found.iter().map(Problem::render_plain).collect();
    assert_eq!(
        found.iter().map(|p| p.code).collect::<Vec<_>>(),
        [code],
        "\n{}",
        shown.join("\n")
    );
    let p = &found[0];
    let span = p.primary_span().expect("a place");
    let rendered = p.render_plain();
    (
        p.message.clone(),
        p.help.clone().unwrap_or_default(),
        t[span.start..span.end].to_string(),
        vec![rendered],
    )
}

#[test]
fn an_action_takes_codes_of_several_systems_and_a_bare_code_takes_the_one_before() {
    let g = load(
        "action leukapheresis \"Leukapheresis\" urgent coded snomed 9000001003, 9000002005\n\
         action hydroxyurea \"Hydroxyurea\" coded rxnorm 9000101, loinc 6690-2\n\
         action plain \"Plain\"\n",
    );
    assert_eq!(
        codes(&g, "leukapheresis"),
        [
            ("snomed", "9000001003".to_string()),
            ("snomed", "9000002005".to_string())
        ]
    );
    assert!(g
        .actions
        .iter()
        .find(|a| a.name == "leukapheresis")
        .is_some_and(|a| a.urgent));
    assert_eq!(
        codes(&g, "hydroxyurea"),
        [("rxnorm", "9000101".to_string()), ("loinc", "6690-2".to_string())]
    );
    assert!(codes(&g, "plain").is_empty());
    assert_eq!(CodeSystem::RxNorm.uri(), "http://www.nlm.nih.gov/research/umls/rxnorm");
    assert_eq!(CodeSystem::from_uri("http://snomed.info/sct"), Some(CodeSystem::Snomed));
    assert_eq!(CodeSystem::from_uri("http://example.org/orders"), None);
}

#[test]
fn coded_is_not_reserved_and_codes_may_wrap_after_a_comma() {
    let g = load(
        "fact coded: bool\n\
         action x \"X\" coded snomed 9000001003,\n    rxnorm 9000101\n",
    );
    assert_eq!(
        codes(&g, "x"),
        [("snomed", "9000001003".to_string()), ("rxnorm", "9000101".to_string())]
    );
}

#[test]
fn an_unknown_code_system_is_named_with_the_one_meant() {
    let (message, help, under, _) = only(
        "action x \"X\" coded rxnrom 9000101\n",
        "guidelang::check::unknown_code_system",
    );
    assert_eq!(message, "`rxnrom` is not a code system");
    assert!(help.starts_with("did you mean `rxnorm`?"), "{help}");
    assert!(help.contains("loinc, rxnorm, snomed"), "{help}");
    assert_eq!(under, "rxnrom");
}

#[test]
fn a_diagnosis_code_system_on_an_action_and_rxnorm_on_a_fact_are_misplaced() {
    let (message, help, under, _) = only(
        "action x \"X\" coded icd10 C92.4\n",
        "guidelang::check::code_system_misplaced",
    );
    assert_eq!(message, "ICD-10 codes diagnoses, which are not ordered");
    assert!(help.contains("loinc, rxnorm, snomed"), "{help}");
    assert_eq!(under, "icd10");
    let t = format!(
        "{HEAD}fact on_hu: bool read from condition rxnorm 9000101\naction x \"X\"\nrule r: recommend x\n  when on_hu and wbc > 1\n"
    );
    let source = Source::new("f.gl", t.clone());
    let file = guidelang::syntax::parse(&source).expect("parses");
    let found = guidelang::check::check(&file, &source).problems;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].code, "guidelang::check::code_system_misplaced");
    assert_eq!(
        found[0].message,
        "RxNorm codes medicines, which a fact is not read from"
    );
    let span = found[0].primary_span().expect("a place");
    assert_eq!(&t[span.start..span.end], "rxnorm");
}

#[test]
fn a_snomed_code_failing_verhoeff_is_refused_where_it_is_written() {
    // 71791006 has a wrong check digit: a mistyped code would match no order.
    let (message, help, under, _) = only(
        "action leukapheresis \"Leukapheresis\" urgent coded snomed 71791006\n",
        "guidelang::check::bad_code",
    );
    assert!(
        message.starts_with("`71791006` is not a SNOMED CT code: its check digit"),
        "{message}"
    );
    assert!(help.contains("Verhoeff"), "{help}");
    assert_eq!(under, "71791006");
}

#[test]
fn an_rxnorm_code_is_digits_only() {
    for (code, why) in [
        ("9000101a", "it must be 1 to 8 digits"),
        ("123456789", "it must be 1 to 8 digits"),
        ("0552", "it must not start with 0"),
        ("55-52", "it must be 1 to 8 digits"),
    ] {
        let (message, help, under, _) = only(
            &format!("action x \"X\" coded rxnorm {code}\n"),
            "guidelang::check::bad_code",
        );
        assert_eq!(message, format!("`{code}` is not an RxNorm code: {why}"));
        assert!(help.contains("RXCUI"), "{help}");
        assert_eq!(under, code);
    }
}

#[test]
fn a_code_listed_twice_on_one_action_is_refused() {
    let (message, _, under, _) = only(
        "action x \"X\" coded rxnorm 9000101, 9000101\n",
        "guidelang::check::duplicate_code",
    );
    assert_eq!(message, "RxNorm `9000101` is listed twice");
    assert_eq!(under, "9000101");
}

#[test]
fn a_code_on_two_actions_is_refused_at_the_second_with_the_first_named() {
    let actions = "action hydroxyurea \"Hydroxyurea\" coded rxnorm 9000101\n\
                   action cytoreduction \"Cytoreduction\" coded snomed 9000001003, rxnorm 9000101\n";
    let (message, help, under, rendered) = only(actions, "guidelang::check::order_code_on_two_actions");
    assert_eq!(message, "RxNorm `9000101` codes both `hydroxyurea` and `cytoreduction`");
    assert!(help.starts_with("an order must name one action"), "{help}");
    assert_eq!(under, "9000101");
    // The primary label is the second use; the first is labelled too.
    let t = text(actions);
    let second = t.rfind("9000101").expect("second");
    let first = t.find("9000101").expect("first");
    assert!(second > first);
    assert!(rendered[0].contains("first on `hydroxyurea`"), "{}", rendered[0]);
    // The same code in two systems is two codes.
    load(
        "action a \"A\" coded loinc 6690-2\n\
         action b \"B\" coded snomed 9000001003\n",
    );
}

#[test]
fn fmt_writes_codes_on_the_action_line_with_the_system_where_it_changes() {
    let messy = text(
        "action leukapheresis   \"Leukapheresis\"  urgent   coded snomed 9000001003 ,snomed 9000002005,\n   rxnorm 9000101\n",
    );
    let formatted = format_source(&Source::new("o.gl", messy)).expect("formats");
    assert!(
        formatted.contains(
            "action leukapheresis \"Leukapheresis\" urgent coded snomed 9000001003, 9000002005, rxnorm 9000101\n"
        ),
        "{formatted}"
    );
    let again = format_source(&Source::new("o.gl", formatted.clone())).expect("formats");
    assert_eq!(again, formatted);
}

#[test]
fn the_document_and_hover_show_the_order_codes() {
    let actions = "action leukapheresis \"Leukapheresis\" urgent coded snomed 9000001003, rxnorm 9000101\n";
    let g = load(actions);
    let md = guidelang::report::render_markdown(&guidelang::report::document(&g));
    assert!(
        md.contains("Ordered as SNOMED CT 9000001003 or RxNorm 9000101."),
        "{md}"
    );
    let t = text(actions);
    let a = guidelang::ide::Analysis::new("o.gl", &t);
    let at = t.find("action leukapheresis").expect("declared") + "action ".len() + 2;
    let hover = guidelang::ide::hover::hover(&a, at).expect("a hover").markdown;
    assert!(
        hover.contains("ordered as snomed 9000001003, rxnorm 9000101"),
        "{hover}"
    );
    // An action without codes says nothing about orders.
    let g = load("action x \"X\"\n");
    let md = guidelang::report::render_markdown(&guidelang::report::document(&g));
    assert!(!md.contains("Ordered as"), "{md}");
}

/// A valid SNOMED CT code from a number: its Verhoeff check digit appended.
fn with_verhoeff(number: u64) -> String {
    let digits = number.to_string();
    (0..10u8)
        .map(|d| format!("{digits}{d}"))
        .find(|c| guidelang::check::verhoeff_valid(c))
        .expect("one check digit fits")
}

proptest! {
    #![proptest_config(config(64))]

    /// Distinct codes on distinct actions check; the same code given to a
    /// second action is always refused, whatever else the actions carry.
    #[test]
    fn a_code_names_at_most_one_action(
        numbers in proptest::collection::btree_set(10_000u64..99_999_999, 2..6),
        clash in any::<proptest::sample::Index>(),
    ) {
        let codes: Vec<String> = numbers.iter().map(|n| with_verhoeff(*n)).collect();
        let mut actions = String::new();
        for (i, c) in codes.iter().enumerate() {
            actions.push_str(&format!("action a{i} \"A{i}\" coded snomed {c}\n"));
        }
        let g = load(&actions);
        for (i, c) in codes.iter().enumerate() {
            let name = format!("a{i}");
            prop_assert_eq!(self::codes(&g, &name), vec![("snomed", c.clone())]);
        }
        let taken = &codes[clash.index(codes.len())];
        actions.push_str(&format!("action again \"Again\" coded snomed {taken}\n"));
        let (message, _, under, _) = only(&actions, "guidelang::check::order_code_on_two_actions");
        prop_assert!(message.contains(taken.as_str()), "{}", message);
        prop_assert_eq!(under, taken.clone());
    }
}
