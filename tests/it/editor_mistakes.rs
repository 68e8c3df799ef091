//! Three mistakes an editor makes without noticing, made loud: a deleted
//! `when` line (a rule must say `when always` to apply to everyone), a
//! declaration inserted between another and its description, and `fmt`
//! dropping the parentheses an author wrote or joining a long condition into
//! one line.

use guidelang::diagnostics::{Problem, Source};
use guidelang::eval::{evaluate, Outcome};
use guidelang::format::format_source;

const HEAD: &str = "guideline mistakes
  version 1.0.0
  status draft
  applies when als

fact als: bool \"Pre-existing ALS\"
fact dysphagia: bool \"Difficulty swallowing\" recorded
";

fn problems(body: &str) -> Vec<Problem> {
    let source = Source::new("mistakes.gl", format!("{HEAD}{body}"));
    match guidelang::syntax::parse(&source) {
        Err(p) => p,
        Ok(file) => guidelang::check::check(&file, &source).problems,
    }
}

fn render(found: &[Problem]) -> String {
    found.iter().map(Problem::render_plain).collect::<Vec<_>>().join("\n")
}

fn codes(found: &[Problem]) -> Vec<&'static str> {
    found.iter().map(|p| p.code).collect()
}

fn fmt(text: &str) -> String {
    format_source(&Source::new("m.gl", text)).unwrap_or_else(|p| panic!("{p:?}"))
}

// ---------------------------------------------------------------- when always

#[test]
fn a_rule_whose_when_was_deleted_is_an_error() {
    let found = problems("rule supportive-care: recommend best_supportive_care\n  detail \"Palliative intent.\"\n");
    assert_eq!(codes(&found), ["guidelang::syntax::missing_when"], "{}", render(&found));
    let out = render(&found);
    assert!(
        out.contains("this rule has no `when`: write `when always` if it applies to every patient in scope"),
        "{out}"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn a_note_whose_when_was_deleted_is_an_error() {
    let found = problems("note prognosis:\n  says \"Survival is short.\"\n");
    assert_eq!(codes(&found), ["guidelang::syntax::missing_when"], "{}", render(&found));
}

#[test]
fn when_always_applies_to_every_patient_in_scope_and_only_there() {
    let body = "rule supportive-care: recommend best_supportive_care\n  when always\n";
    let g = guidelang::load_str("m.gl", &format!("{HEAD}{body}")).unwrap();
    let decided = |case: &str| {
        let case = guidelang::facts::parse_case(&g, case).unwrap();
        let e = evaluate(&g, &case);
        e.actions
            .first()
            .is_some_and(|a| matches!(a.outcome, Outcome::Decided(_)))
    };
    assert!(decided(r#"{"als": true}"#));
    assert!(!decided(r#"{"als": false}"#), "out of scope, nothing applies");
}

#[test]
fn when_always_is_given_once() {
    let found = problems("rule r: recommend x\n  when always\n  when dysphagia\n");
    assert_eq!(
        codes(&found),
        ["guidelang::syntax::duplicate_field"],
        "{}",
        render(&found)
    );
}

#[test]
fn fmt_writes_when_always_back() {
    let text = format!("{HEAD}\nrule r: recommend x\n  when always\n");
    let out = fmt(&text);
    assert!(out.ends_with("rule r: recommend x\n  when always\n"), "{out}");
    assert_eq!(fmt(&out), out);
}

// ---------------------------------------------------------------- descriptions

#[test]
fn a_declaration_inserted_above_a_description_is_named_with_the_one_it_displaced() {
    // Before the edit, `apl`'s description was on the line under it.
    let before = "define apl: als and dysphagia\n  \"Both together.\"\nrule r: recommend x\n  when apl\n";
    assert!(problems(before).is_empty(), "{}", render(&problems(before)));
    let after = "define apl: als and dysphagia\ndefine apl_excluded: not dysphagia\n  \"Both together.\"\nrule r: recommend x\n  when apl or apl_excluded\n";
    let found = problems(after);
    assert_eq!(
        codes(&found),
        ["guidelang::check::description_may_belong_above"],
        "{}",
        render(&found)
    );
    let out = render(&found);
    assert!(out.contains("`apl_excluded`") && out.contains("`apl`"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn a_description_on_its_declarations_line_is_unambiguous() {
    let body = "define apl: als and dysphagia\ndefine apl_excluded: not dysphagia \"Not swallowing.\"\nrule r: recommend x\n  when apl or apl_excluded\n";
    assert!(problems(body).is_empty(), "{}", render(&problems(body)));
    // Facts likewise: the usual one-line facts never warn.
    let facts = "fact a: bool\nfact b: bool \"B\"\nrule r: recommend x\n  when a or b\n";
    assert!(problems(facts).is_empty(), "{}", render(&problems(facts)));
}

#[test]
fn two_described_declarations_in_a_row_never_warn() {
    let body = "define apl: als and dysphagia\n  \"Both.\"\ndefine apl_excluded: not dysphagia\n  \"Not swallowing.\"\nrule r: recommend x\n  when apl or apl_excluded\n";
    assert!(problems(body).is_empty(), "{}", render(&problems(body)));
}

// ---------------------------------------------------------------- fmt

#[test]
fn fmt_keeps_clarifying_parentheses() {
    let text = format!("{HEAD}\ndefine d: als or (dysphagia and not als)\n");
    let out = fmt(&text);
    assert!(out.contains("define d: als or (dysphagia and not als)\n"), "{out}");
    assert_eq!(fmt(&out), out);
}

#[test]
fn fmt_breaks_a_long_definition_at_and_or_within_a_hundred_columns() {
    let names: Vec<String> = (0..20).map(|i| format!("criterion_{i:02}_of_the_list")).collect();
    let mut text = HEAD.to_string();
    for n in &names {
        text.push_str(&format!("fact {n}: bool \"{n}\"\n"));
    }
    // One 500-column line, as an editor may paste it.
    let body = format!("({}) or ({})", names[..10].join(" and "), names[10..].join(" or "));
    assert!(body.len() > 500);
    text.push_str(&format!("\ndefine many: {body}\n  \"Many criteria.\"\n"));
    text.push_str("\nrule r: recommend x\n  when many\n");
    let out = fmt(&text);
    assert!(out.lines().all(|l| l.chars().count() <= 100), "{out}");
    assert!(
        out.contains("define many: (criterion_00_of_the_list\n      and criterion_01_of_the_list\n"),
        "{out}"
    );
    assert!(
        out.contains("\n    or (criterion_10_of_the_list\n      or criterion_11_of_the_list\n"),
        "{out}"
    );
    assert_eq!(fmt(&out), out, "idempotent");
    // The same tree as the one-line original.
    let tree = |t: &str| guidelang::syntax::parse(&Source::new("m.gl", t)).unwrap();
    assert_eq!(tree(&out), tree(&text));
    // The breaks do not depend on the author's: joined again, it formats the same.
    let joined = out
        .replace("\n      and ", " and ")
        .replace("\n      or ", " or ")
        .replace("\n    or ", " or ");
    assert_eq!(fmt(&joined), out);
}

/// Category levels and score items are conditions like any other: past 100
/// columns they break at their outermost `and`/`or`, under the level.
#[test]
fn fmt_breaks_long_category_levels_and_score_items() {
    let names: Vec<String> = (0..8)
        .map(|i| format!("finding_number_{i}_of_the_risk_model"))
        .collect();
    let mut text = HEAD.to_string();
    for n in &names {
        text.push_str(&format!("fact {n}: bool \"{n}\"\n"));
    }
    text.push_str(&format!(
        "\ncategory risk \"Risk\":\n  high when {}\n  low otherwise\n",
        names[..4].join(" or ")
    ));
    text.push_str(&format!(
        "\nscore points \"Points\":\n  2 when {}\n  1 when {}\n",
        names[4..].join(" and "),
        names[0]
    ));
    text.push_str("\nrule r: recommend x\n  when risk is high or points >= 2\n");
    let out = fmt(&text);
    assert!(out.lines().all(|l| l.chars().count() <= 100), "{out}");
    assert!(
        out.contains(&format!(
            "  high when {}\n    or {}\n    or {}\n    or {}\n  low otherwise\n",
            names[0], names[1], names[2], names[3]
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("  2 when {}\n    and {}\n", names[4], names[5])),
        "{out}"
    );
    // A short item stays on one line.
    assert!(out.contains(&format!("  1 when {}\n", names[0])), "{out}");
    assert_eq!(fmt(&out), out, "idempotent");
    let tree = |t: &str| guidelang::syntax::parse(&Source::new("m.gl", t)).unwrap();
    assert_eq!(tree(&out), tree(&text));
}

#[test]
fn a_fact_inserted_above_a_description_is_named_too() {
    let body = "fact anc: number in 10^9/L from 0\nfact platelets: number in 10^9/L from 0\n  \"Absolute neutrophil count\"\nrule r: recommend x\n  when anc < 0.5 or platelets < 10\n";
    let found = problems(body);
    assert_eq!(
        codes(&found),
        ["guidelang::check::description_may_belong_above"],
        "{}",
        render(&found)
    );
    assert!(render(&found).contains("taken by `platelets`, but `anc` just above has none"));
}

#[test]
fn a_description_at_the_start_of_a_line_is_a_warning() {
    let body = "define apl: als and dysphagia\n\"Both together.\"\nrule r: recommend x\n  when apl\n";
    let found = problems(body);
    assert_eq!(
        codes(&found),
        ["guidelang::check::description_not_indented"],
        "{}",
        render(&found)
    );
    // Indented, it is fine; and `fmt` indents it.
    let indented = body.replace("\n\"Both", "\n  \"Both");
    assert!(problems(&indented).is_empty(), "{}", render(&problems(&indented)));
    let out = fmt(&format!("{HEAD}{body}"));
    assert!(
        out.contains("define apl: als and dysphagia\n  \"Both together.\"\n"),
        "{out}"
    );
}
