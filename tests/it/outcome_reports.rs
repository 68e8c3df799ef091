//! The diff, lint and `--explain` reports built by the library
//! (`guidelang::report`), on guidelines small enough that every line of the
//! expected output follows from reading them: one boolean fact, so each
//! witness is the only case that shows its change.

use guidelang::analysis::diff::{diff, Change};
use guidelang::analysis::lint;
use guidelang::diagnostics::Source;
use guidelang::eval::evaluate;
use guidelang::model::{Guideline, OutcomeKind, Verdict};
use guidelang::report::{diff_json, diff_markdown, diff_text, diff_version_warning, explanation_json, lint_text};
use serde_json::{json, Value};

/// `a` recommended when `x`; `b` avoided when not `x`.
const OLD: &str = r#"guideline vocabulary
  version 1.0.0
  status draft

reference 1 "Test reference"

fact x: bool "X."

rule r1: recommend a
  when x
  cite 1

rule r2: avoid b
  when not x
  cite 1
"#;

/// `b` gone (so a major change); `a` also avoided when `x`, with no
/// precedence: a conflict. The version number is not moved.
const NEW: &str = r#"guideline vocabulary
  version 1.0.0
  status draft

reference 1 "Test reference"

fact x: bool "X."

rule r1: recommend a
  when x
  cite 1

rule r3: avoid a
  when x
  cite 1
"#;

fn load(name: &str, text: &str) -> Guideline {
    guidelang::load_str(name, text).unwrap()
}

#[test]
fn diff_text_lists_items_decisions_and_the_bump() {
    let (old, new) = (load("old.gl", OLD), load("new.gl", NEW));
    let d = diff(&old, &new).unwrap();
    // Actions first (b removed), then rules (new ones in file order, then the
    // removed ones); `a` comes before `b` because the new version declares it;
    // removing an action is major, and 1.0.0 → 1.0.0 moves nothing.
    let expected = "vocabulary 1.0.0 → vocabulary 1.0.0

actions:
  - b (removed)
rules:
  + r3 (added)
  - r2 (removed)

decisions that change for some patient:
  a: recommend → conflict, for a patient with x = true
    witness: {\"x\":true}
  b: avoid → no recommendation, for a patient with x = false
    witness: {\"x\":false}

the change implies a major version bump; 1.0.0 → 1.0.0 is no bump
";
    assert_eq!(diff_text(&old, &new, &d), expected);
    assert_eq!(
        diff_version_warning(&old, &new, &d).as_deref(),
        Some("warning: the change implies a major version bump, but 1.0.0 → 1.0.0 is no bump")
    );
    // A version against itself: nothing to say, and nothing to warn about.
    let same = diff(&old, &old).unwrap();
    assert_eq!(diff_version_warning(&old, &old, &same), None);
    assert!(diff_text(&old, &old, &same).contains("\nno item was added, removed or changed\n\nno decision changes"));
}

#[test]
fn diff_types_carry_the_outcomes_and_the_json_keeps_their_names() {
    let (old, new) = (load("old.gl", OLD), load("new.gl", NEW));
    let d = diff(&old, &new).unwrap();
    let changes: Vec<(&str, Change)> = d.rules.iter().map(|c| (c.name.as_str(), c.change)).collect();
    assert_eq!(changes, [("r3", Change::Added), ("r2", Change::Removed)]);
    let moves: Vec<(&str, OutcomeKind, OutcomeKind)> = d
        .decisions
        .iter()
        .map(|c| (c.action.as_str(), c.before, c.after))
        .collect();
    assert_eq!(
        moves,
        [
            ("a", OutcomeKind::Verdict(Verdict::Recommend), OutcomeKind::Conflict),
            ("b", OutcomeKind::Verdict(Verdict::Avoid), OutcomeKind::NoVerdict),
        ]
    );
    let j = diff_json(&old, &new, &d);
    assert_eq!(j["actions"], json!([{"name": "b", "change": "removed", "parts": []}]));
    assert_eq!(
        j["rules"],
        json!([
            {"name": "r3", "change": "added", "parts": []},
            {"name": "r2", "change": "removed", "parts": []},
        ])
    );
    assert_eq!(
        j["decisions"],
        json!([
            {"action": "a", "before": "recommend", "after": "conflict", "witness": {"x": true}, "facts": ["x"]},
            {"action": "b", "before": "avoid", "after": "none", "witness": {"x": false}, "facts": ["x"]},
        ])
    );
    assert_eq!(j["not_compared"], json!([]));
    assert_eq!(
        (&j["implied_bump"], &j["version_bump"], &j["version_ok"]),
        (&json!("major"), &json!("none"), &json!(false))
    );
}

#[test]
fn diff_markdown_orders_sections_by_change_then_kind() {
    let (old, new) = (load("old.gl", OLD), load("new.gl", NEW));
    let md = diff_markdown(&old, &new, &diff(&old, &new).unwrap());
    let at = |s: &str| md.find(s).unwrap_or_else(|| panic!("`{s}` missing from\n{md}"));
    // Added before removed; within a change, actions before rules.
    assert!(at("## Added\n\n### Rules\n\n- `r3`") < at("## Removed\n\n### Actions\n\n- `b`\n\n### Rules\n\n- `r2`"));
    assert!(at("#### recommend → conflict") < at("#### avoid → no recommendation"));
    assert!(md.contains("goes from *recommended* (version 1.0.0) to *a conflict between rules (no verdict)*"));
    assert!(md.contains("goes from *avoided* (version 1.0.0) to *no recommendation*"));
}

#[test]
fn lint_text_gives_each_witness_a_replay_and_ends_with_the_counts() {
    let source = Source::new("clash.gl", NEW);
    let g = guidelang::load(&source).unwrap();
    let report = lint(&g);
    assert_eq!(report.errors(), 1, "{:?}", report.findings);
    let text = lint_text(&source, &report, true, false);
    // The clash of r1 and r3 shows on the only case where both fire.
    assert!(text.contains("\n  {\"x\":true}\n"), "{text}");
    assert!(text.contains("  for a patient with x = true\n"), "{text}");
    assert!(
        text.contains("  (save it as witness.json and run `guidelang eval clash.gl --case witness.json`)\n\n"),
        "{text}"
    );
    let w = report.warnings();
    let plural = if w == 1 { "" } else { "s" };
    assert!(
        text.ends_with(&format!("clash.gl: 1 error, {w} warning{plural}\n")),
        "{text}"
    );
    assert!(!text.contains("does not check"), "{text}");
    // Without colour, no escape sequence reaches a file or a pipe.
    assert!(!text.contains('\u{1b}'), "{text}");
}

#[test]
fn lint_text_says_when_nothing_was_analysed() {
    let source = Source::new("broken.gl", "guideline broken\n  version 1.0.0\n");
    let report = guidelang::analysis::LintReport::default();
    let text = lint_text(&source, &report, false, false);
    assert_eq!(
        text,
        "broken.gl: the guideline does not check; nothing was analysed\nbroken.gl: 0 errors, 0 warnings\n"
    );
}

#[test]
fn explanation_names_each_rule_its_truth_and_who_overrode_it() {
    let text = OLD.replace(
        "rule r2: avoid b",
        "rule r0: consider a\n  when x\n  overrides r1\n  cite 1\n\nrule r2: avoid b",
    );
    let g = load("explain.gl", &text);
    let case = guidelang::facts::parse_case(&g, r#"{"x": true}"#).unwrap();
    let e = evaluate(&g, &case);
    let explanation = explanation_json(&g, &case, &e);
    let rules = |action: &str| -> Vec<(Value, Value, Value, Value)> {
        let a = explanation
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["action"] == action)
            .unwrap();
        a["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["rule"].clone(),
                    r["verdict"].clone(),
                    r["condition"].clone(),
                    r["overridden_by"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(
        rules("a"),
        [
            (json!("r1"), json!("recommend"), json!("true"), json!("r0")),
            (json!("r0"), json!("consider"), json!("true"), Value::Null),
        ]
    );
    assert_eq!(rules("b"), [(json!("r2"), json!("avoid"), json!("false"), Value::Null)]);
}
