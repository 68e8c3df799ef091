//! Declared actions: labels and urgency reach the model, a rule on an
//! undeclared action is an error with a did-you-mean, an unused declaration a
//! warning, and a warning may have no condition.

use guidelang::diagnostics::{Problem, Severity, Source};
use guidelang::eval::{evaluate, Outcome, Truth};

const HEAD: &str = "guideline demo
  version 1.0.0
  status draft
  applies when als

fact als: bool \"Pre-existing ALS\"
fact wbc: number in 10^9/L from 0 \"White blood cell count\"

action hydroxyurea \"Hydroxyurea\" urgent
action leukapheresis \"Leukapheresis\"
";

fn problems(body: &str) -> Vec<Problem> {
    let source = Source::new("demo.gl", format!("{HEAD}{body}"));
    match guidelang::syntax::parse(&source) {
        Err(p) => p,
        Ok(file) => guidelang::check::check(&file, &source).problems,
    }
}

fn codes(problems: &[Problem]) -> Vec<(&'static str, Severity)> {
    problems.iter().map(|p| (p.code, p.severity)).collect()
}

const BOTH_RULES: &str = "
rule hu: recommend hydroxyurea
  when wbc > 100
  cite 1
rule no-la: avoid leukapheresis
  when wbc > 100
  cite 1
reference 1 \"A source\"
";

#[test]
fn declared_actions_carry_their_label_and_urgency_in_declaration_order() {
    let g = guidelang::load_str("demo.gl", &format!("{HEAD}{BOTH_RULES}")).unwrap();
    let names: Vec<(&str, &str, bool)> = g
        .actions
        .iter()
        .map(|a| (a.name.as_str(), a.label.as_str(), a.urgent))
        .collect();
    assert_eq!(
        names,
        [
            ("hydroxyurea", "Hydroxyurea", true),
            ("leukapheresis", "Leukapheresis", false)
        ]
    );
}

#[test]
fn a_rule_on_an_undeclared_action_is_an_error_with_a_did_you_mean() {
    let found = problems(&BOTH_RULES.replace("avoid leukapheresis", "avoid leukaphersis"));
    assert_eq!(
        codes(&found),
        [
            ("guidelang::check::unused_action", Severity::Warning),
            ("guidelang::check::undeclared_action", Severity::Error)
        ]
    );
    let error = &found[1];
    assert!(error.message.contains("`leukaphersis`"), "{}", error.message);
    let help = error.help.as_deref().unwrap_or("");
    assert!(help.contains("did you mean `leukapheresis`?"), "{help}");
    let text = format!("{HEAD}{BOTH_RULES}").replace("avoid leukapheresis", "avoid leukaphersis");
    let span = error.primary_span().unwrap();
    assert_eq!(
        &text[span.start..span.end],
        "leukaphersis",
        "the misspelt action is underlined"
    );
}

#[test]
fn an_unused_declared_action_is_a_warning_and_the_guideline_still_loads() {
    let body = "
rule hu: recommend hydroxyurea
  when wbc > 100
";
    let found = problems(body);
    assert_eq!(codes(&found), [("guidelang::check::unused_action", Severity::Warning)]);
    assert!(found[0].message.contains("`leukapheresis`"));
    let g = guidelang::load_str("demo.gl", &format!("{HEAD}{body}")).unwrap();
    assert_eq!(g.actions.len(), 1, "an action no rule decides is not in the model");
}

#[test]
fn an_action_declared_twice_is_an_error() {
    let found = problems(&format!("action hydroxyurea \"Hydroxyurea again\"\n{BOTH_RULES}"));
    assert_eq!(codes(&found), [("guidelang::check::duplicate_action", Severity::Error)]);
}

#[test]
fn a_file_without_declarations_uses_the_ids_as_labels() {
    let text = "guideline sketch
  version 0.1.0
  status draft
fact wbc: number in 10^9/L from 0 \"White blood cell count\"
rule hu: recommend hydroxyurea
  when wbc > 100
";
    let g = guidelang::load_str("sketch.gl", text).unwrap();
    assert_eq!(g.actions[0].label, "hydroxyurea");
    assert!(!g.actions[0].urgent);
}

#[test]
fn a_warning_without_a_condition_goes_with_every_decision_of_its_rule() {
    let body = "
rule hu: recommend hydroxyurea
  when wbc > 100
  warn \"Check the swallowing first.\"
  warn \"Very high count.\" when wbc > 300
rule no-la: avoid leukapheresis
  when wbc > 100
";
    let g = guidelang::load_str("demo.gl", &format!("{HEAD}{body}")).unwrap();
    let case = guidelang::facts::parse_case(&g, r#"{"als": true, "wbc": 150}"#).unwrap();
    let e = evaluate(&g, &case);
    let Outcome::Decided(d) = &e.actions[0].outcome else {
        panic!("hydroxyurea is decided: {:?}", e.actions[0].outcome)
    };
    let shown: Vec<(usize, Truth)> = d.warnings.iter().map(|w| (w.index, w.truth)).collect();
    assert_eq!(
        shown,
        [(0, Truth::True)],
        "the unconditional one, not the one for > 300"
    );
    // And `fmt` keeps it unconditional.
    let formatted = guidelang::format::format_source(&Source::new("demo.gl", format!("{HEAD}{body}"))).unwrap();
    assert!(
        formatted.contains("  warn \"Check the swallowing first.\"\n"),
        "{formatted}"
    );
    assert!(
        formatted.contains("action hydroxyurea \"Hydroxyurea\" urgent\n"),
        "{formatted}"
    );
    assert!(
        formatted.contains("action leukapheresis \"Leukapheresis\"\n"),
        "{formatted}"
    );
}

#[test]
fn action_and_urgent_are_reserved_words() {
    let found = problems("fact urgent: bool \"x\"\n");
    assert!(!found.is_empty() && found[0].is_error(), "{found:?}");
}
