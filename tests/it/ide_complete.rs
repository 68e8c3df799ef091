//! Completion (src/ide/complete.rs) while typing into the bundled guidelines:
//! the text being typed does not parse, so names come from the last text
//! that did. What is offered must fit the place: values after `is`, units
//! after a number, rule ids after `overrides`, reference numbers after
//! `cite`, verdicts and actions in a rule's head, and nothing else there.

use guidelang::ide::complete::{completions, Completion, CompletionKind};
use guidelang::ide::Analysis;
use guidelang::BUNDLED_TEXT;

use super::ide_nav::TLS_TEXT;

/// The completions at the end of `base` followed by `typed` (a new item
/// being written at the end of the file), with `base` as the last good text.
fn typing(base: &str, typed: &str) -> Vec<Completion> {
    let good = Analysis::new("g.gl", base);
    assert!(good.guideline().is_some());
    let text = format!("{base}\n{typed}");
    let a = Analysis::new("g.gl", &text);
    completions(&a, text.len(), Some(&good))
}

fn labels(cs: &[Completion]) -> Vec<&str> {
    cs.iter().map(|c| c.label.as_str()).collect()
}

fn of_kind(cs: &[Completion], kind: CompletionKind) -> Vec<&str> {
    cs.iter().filter(|c| c.kind == kind).map(|c| c.label.as_str()).collect()
}

fn detail<'a>(cs: &'a [Completion], label: &str) -> Option<&'a str> {
    cs.iter().find(|c| c.label == label).and_then(|c| c.detail.as_deref())
}

const RULE: &str = "rule new-rule: consider leukapheresis\n  when ";

#[test]
fn values_of_the_enumeration_after_is() {
    let cs = typing(BUNDLED_TEXT, &format!("{RULE}leukostasis is "));
    assert_eq!(of_kind(&cs, CompletionKind::Value), ["none", "pulmonary", "cerebral"]);
    assert_eq!(detail(&cs, "pulmonary"), Some("value of `leukostasis`"));
    assert!(of_kind(&cs, CompletionKind::Fact).is_empty());
    let cs = typing(BUNDLED_TEXT, &format!("{RULE}lineage is not one of (myeloid, "));
    assert_eq!(labels(&cs), ["myeloid", "lymphoid", "undetermined"]);
    // A bool fact: true or false.
    let cs = typing(BUNDLED_TEXT, &format!("{RULE}als is "));
    assert_eq!(of_kind(&cs, CompletionKind::Value), ["true", "false"]);
}

#[test]
fn levels_of_the_category_after_is_one_of() {
    let cs = typing(
        TLS_TEXT,
        "rule new-rule: consider allopurinol\n  when tls_risk is one of (",
    );
    assert_eq!(labels(&cs), ["high", "intermediate", "low"]);
}

#[test]
fn facts_and_definitions_in_a_condition_with_their_types() {
    let g = guidelang::bundled().unwrap();
    let cs = typing(BUNDLED_TEXT, RULE);
    let facts: Vec<&str> = g.facts.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(of_kind(&cs, CompletionKind::Fact), facts);
    let defs: Vec<&str> = g.definitions.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(of_kind(&cs, CompletionKind::Definition), defs);
    assert_eq!(detail(&cs, "wbc"), Some("number in 10^9/L from 0"));
    assert_eq!(detail(&cs, "lineage"), Some("one of myeloid, lymphoid, undetermined"));
    assert_eq!(detail(&cs, "apl"), Some("condition"));
    assert_eq!(detail(&cs, "bsa"), Some("quantity in m2"));
    // A rule's `when` may be `always`; nothing that is not an operand.
    assert!(labels(&cs).contains(&"always"));
    for kind in [
        CompletionKind::Action,
        CompletionKind::Rule,
        CompletionKind::Reference,
        CompletionKind::Unit,
    ] {
        assert!(of_kind(&cs, kind).is_empty(), "{kind:?}");
    }
    // After `and` too, but `always` no longer fits.
    let cs = typing(BUNDLED_TEXT, &format!("{RULE}apl and "));
    assert_eq!(of_kind(&cs, CompletionKind::Fact), facts);
    assert!(!labels(&cs).contains(&"always"));
}

#[test]
fn scores_and_categories_are_offered_as_definitions() {
    let cs = typing(TLS_TEXT, "rule new-rule: consider allopurinol\n  when ");
    assert_eq!(detail(&cs, "tls_risk"), Some("category Risk of tumour lysis"));
}

#[test]
fn units_after_a_number_the_facts_own_first() {
    let cs = typing(BUNDLED_TEXT, &format!("{RULE}platelets < 30000 "));
    let units = of_kind(&cs, CompletionKind::Unit);
    assert_eq!(units[0], "10^9/L");
    assert_eq!(detail(&cs, "10^9/L"), Some("the unit of `platelets` is 10^9/L"));
    let position = |u: &str| units.iter().position(|x| *x == u).unwrap();
    // Units it converts to come before those it cannot be compared with.
    assert!(position("/uL") < position("kg"), "{units:?}");
    assert_eq!(cs.len(), units.len(), "only units");
    // Glued to the number, a unit is not a unit: nothing is offered.
    assert!(typing(BUNDLED_TEXT, &format!("{RULE}platelets < 30000")).is_empty());
}

#[test]
fn dose_units_start_with_those_the_file_uses() {
    let cs = typing(
        BUNDLED_TEXT,
        "rule new-rule: recommend hydroxyurea\n  when apl\n  dose 50 to 60 ",
    );
    let units = of_kind(&cs, CompletionKind::Unit);
    assert_eq!(&units[..3], ["mg/kg/day", "L/m2/day", "mg/m2"]);
}

#[test]
fn rule_ids_after_overrides_only_those_it_may_override() {
    let cs = typing(
        BUNDLED_TEXT,
        "rule new-rule: consider leukapheresis\n  when apl\n  overrides no-leukapheresis-for-cytoreduction, ",
    );
    // The rules on leukapheresis but the contraindication (an override of
    // one is refused), and not the rule itself.
    assert_eq!(
        labels(&cs),
        [
            "leukapheresis-for-refractory-leukostasis",
            "no-leukapheresis-for-cytoreduction"
        ]
    );
    assert_eq!(
        detail(&cs, "no-leukapheresis-for-cytoreduction"),
        Some("avoid leukapheresis")
    );
    assert!(cs.iter().all(|c| c.kind == CompletionKind::Rule));
    // An existing rule: the others on its action.
    let text = BUNDLED_TEXT.replace(
        "  overrides no-leukapheresis-for-cytoreduction\n",
        "  overrides no-leukapheresis-for-cytoreduction, \n",
    );
    let at = text.find("cytoreduction, ").unwrap() + "cytoreduction, ".len();
    let good = Analysis::new("g.gl", BUNDLED_TEXT);
    let cs = completions(&Analysis::new("g.gl", &text), at, Some(&good));
    assert_eq!(labels(&cs), ["no-leukapheresis-for-cytoreduction"]);
}

#[test]
fn reference_numbers_after_cite_and_nothing_else() {
    let cs = typing(
        BUNDLED_TEXT,
        "rule new-rule: consider leukapheresis\n  when apl\n  cite ",
    );
    assert_eq!(labels(&cs), ["1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    assert_eq!(
        detail(&cs, "3"),
        Some("Leukocytoreduction for acute leukemia, Therapeutic Apheresis (2002)")
    );
    let cs = typing(
        BUNDLED_TEXT,
        "rule new-rule: consider leukapheresis\n  when apl\n  cite 1, 3, ",
    );
    assert_eq!(cs.len(), 9);
    assert!(cs.iter().all(|c| c.kind == CompletionKind::Reference));
}

#[test]
fn verdicts_then_actions_in_a_rule_head() {
    let cs = typing(BUNDLED_TEXT, "rule new-rule: ");
    assert_eq!(labels(&cs), ["recommend", "consider", "avoid", "contraindicated"]);
    let cs = typing(BUNDLED_TEXT, "rule new-rule: avoid ");
    let actions = of_kind(&cs, CompletionKind::Action);
    assert_eq!(actions.len(), 19);
    assert_eq!(cs.len(), 19, "only actions");
    assert_eq!(detail(&cs, "hydroxyurea"), Some("Hydroxyurea, urgent"));
    assert_eq!(detail(&cs, "rbc_transfusion"), Some("Red-cell transfusion"));
}

#[test]
fn verdicts_and_actions_in_an_invariant() {
    let cs = typing(BUNDLED_TEXT, "invariant new-one:\n  never consider or ");
    assert_eq!(labels(&cs), ["recommend", "consider", "avoid", "contraindicated"]);
    let cs = typing(BUNDLED_TEXT, "invariant new-one:\n  never consider ");
    assert_eq!(of_kind(&cs, CompletionKind::Action).len(), 19);
    assert_eq!(of_kind(&cs, CompletionKind::Keyword), ["or"]);
    let cs = typing(BUNDLED_TEXT, "invariant new-one:\n  always decide ");
    assert_eq!(cs.len(), 19);
}

#[test]
fn nothing_inside_a_comment_or_a_quoted_text() {
    assert!(typing(BUNDLED_TEXT, "# rule x: avoid a when ").is_empty());
    assert!(typing(BUNDLED_TEXT, "rule new-rule: avoid atra\n  when apl\n  detail \"when ").is_empty());
}

#[test]
fn without_a_good_text_the_declarations_typed_so_far_are_offered() {
    let text = "guideline t\n  version 1.0.0\n  status draft\n\
        fact kind: one of early, late \"Kind\"\nfact count: number in 10^9/L from 0 \"Count\"\n\
        rule x: avoid y\n  when kind is ";
    let a = Analysis::new("t.gl", text);
    assert!(a.file().is_none(), "the text does not parse");
    let cs = completions(&a, text.len(), None);
    assert_eq!(of_kind(&cs, CompletionKind::Value), ["early", "late"]);
    let text = format!("{}count > 2 and ", &text[..text.len() - "kind is ".len()]);
    let a = Analysis::new("t.gl", &text);
    let cs = completions(&a, text.len(), None);
    assert_eq!(of_kind(&cs, CompletionKind::Fact), ["kind", "count"]);
}

#[test]
fn a_fact_declared_since_the_last_good_text_is_offered_too() {
    let cs = typing(
        BUNDLED_TEXT,
        "fact fever: bool \"Fever\"\nrule new-rule: consider atra\n  when ",
    );
    assert!(of_kind(&cs, CompletionKind::Fact).contains(&"fever"));
}
