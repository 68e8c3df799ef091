//! The clinical-review document of the bundled guideline, as a reviewed
//! Markdown snapshot, plus the properties every rendering must keep.

use guidelang::report::{document, render_html, render_markdown};

#[test]
fn bundled_guideline_markdown() {
    let g = guidelang::bundled().unwrap();
    // The hash changes with every edit of the file; its presence is what matters here.
    let markdown = render_markdown(&document(&g)).replace(&g.hash, "sha256:[hash]");
    assert!(
        markdown.contains("sha256:[hash]"),
        "the document names the content hash"
    );
    insta::assert_snapshot!("bundled_markdown", markdown);
}

#[test]
fn every_action_rule_note_and_reference_appears() {
    let g = guidelang::bundled().unwrap();
    let md = render_markdown(&document(&g));
    let html = render_html(&document(&g));
    for a in &g.actions {
        // Each action's heading names it by its label (by its name in words
        // in a file that declares no action) and gives its id.
        let shown = if a.label == a.name {
            a.name.replace('_', " ")
        } else {
            a.label.clone()
        };
        assert!(
            md.lines()
                .any(|l| l.starts_with(&format!("### {shown}"))
                    && (shown == a.name || l.contains(&format!("`{}`", a.name)))),
            "{}",
            a.name
        );
        assert!(html.contains(&format!("id=\"action-{}\"", a.name)), "{}", a.name);
    }
    for r in &g.rules {
        assert!(md.contains(&format!("- Rule: `{}`", r.id)), "{}", r.id);
        assert!(html.contains(&format!("id=\"rule-{}\"", r.id)), "{}", r.id);
    }
    for n in &g.notes {
        assert!(md.contains(&n.text), "{}", n.id);
    }
    for r in &g.references {
        assert!(html.contains(&format!("id=\"ref-{}\"", r.number)));
    }
    // Every link inside the page points at an anchor the page has.
    for link in html.split("href=\"#").skip(1) {
        let target = link.split('"').next().unwrap();
        assert!(html.contains(&format!("id=\"{target}\"")), "dangling link #{target}");
    }
}

/// A small guideline for the properties of the document; the bundled one is
/// rewritten from time to time, this one is not.
const FIXTURE: &str = r#"guideline render-fixture
  title "Render fixture"
  version 1.0.0
  status draft
  applies when als

reference 1 "Test reference"

action anticoagulation "Anticoagulation"
action atra "ATRA (all-trans retinoic acid)" urgent
action rasburicase "Rasburicase" urgent

fact als: bool "Pre-existing ALS."
fact prior_stroke: bool "Prior stroke, TIA or systemic thromboembolism."
fact apl_morphology: bool "APL suspected on the smear."
fact pml_rara: one of positive, negative, pending "PML-RARA result."
fact wbc: number in 10^9/L from 0 "WBC count."
fact g6pd_deficient: bool "G6PD deficiency."
fact respiratory_compromise: bool "ALS respiratory muscle weakness (e.g. FVC below 50 %, on NIV)."

define apl: apl_morphology or pml_rara is positive

rule anticoagulation-after-stroke: consider anticoagulation
  when prior_stroke
  cite 1

rule atra-for-apl: recommend atra
  when apl
  warn "High risk of differentiation syndrome." when wbc > 10
  warn "Plan how oral capsules will be given." when respiratory_compromise
  cite 1

rule rasburicase-for-high-count: recommend rasburicase
  when wbc > 100
  warn "Not in G6PD deficiency; check G6PD status where there is a risk."
  cite 1

rule no-rasburicase-in-g6pd-deficiency: contraindicated rasburicase
  when g6pd_deficient
  cite 1
"#;

fn fixture_markdown() -> String {
    let g = guidelang::load_str("fixture.gl", FIXTURE).unwrap();
    render_markdown(&document(&g))
}

#[test]
fn a_description_is_shown_whole() {
    let md = fixture_markdown();
    // In a condition: the whole description, quoted, since its own comma and
    // "or" would otherwise blur the condition.
    assert!(
        md.contains("**consider** when “prior stroke, TIA or systemic thromboembolism”\n"),
        "{md}"
    );
    // In the facts table: the description as written.
    assert!(
        md.contains("| `prior_stroke` | “prior stroke, TIA or systemic thromboembolism” | yes or no | Prior stroke, TIA or systemic thromboembolism. |"),
        "{md}"
    );
    // Too long (and two sentences) for a condition: the fact's name in words,
    // and the whole description in the table.
    assert!(
        md.contains("- Warning: Plan how oral capsules will be given. — when respiratory compromise\n"),
        "{md}"
    );
    assert!(md.contains("| ALS respiratory muscle weakness (e.g. FVC below 50 %, on NIV). |"));
    // Never the head of a description alone.
    assert!(!md.contains("when prior stroke\n") && !md.contains("when “prior stroke”"));
}

#[test]
fn acronyms_are_kept_as_written() {
    let md = fixture_markdown();
    for written in [
        "patients with pre-existing ALS",
        "APL suspected on the smear",
        "PML-RARA result is positive",
        "— when WBC count above 10 × 10^9/L",
        "| G6PD deficiency |",
        "TIA or systemic",
        "ATRA (all-trans retinoic acid)",
    ] {
        assert!(md.contains(written), "{written:?} missing from:\n{md}");
    }
    let lower = md.to_lowercase();
    for (acronym, lowered) in [
        ("ALS", "pre-existing als"),
        ("APL", "apl suspected"),
        ("PML-RARA", "pml-rara result"),
        ("WBC", "wbc count"),
        ("G6PD", "g6pd deficiency"),
        ("TIA", "tia or systemic"),
    ] {
        let written = md.matches(lowered).count();
        assert_eq!(written, 0, "{acronym} lower-cased in:\n{md}");
        assert!(lower.contains(lowered), "the test looks for {lowered:?}");
    }
}

#[test]
fn the_summary_shows_each_rule_with_its_condition_and_actions_by_label() {
    let md = fixture_markdown();
    let summary: Vec<&str> = md
        .lines()
        .skip_while(|l| *l != "## Summary")
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .filter(|l| l.starts_with('|'))
        .collect();
    assert_eq!(
        summary,
        [
            "| Action | Verdict | When | Rule |",
            "|---|---|---|---|",
            "| **Anticoagulation** `anticoagulation` | **consider** | “prior stroke, TIA or systemic thromboembolism” | `anticoagulation-after-stroke` |",
            "| **ATRA (all-trans retinoic acid)** `atra` **urgent** | **recommend** | *apl* | `atra-for-apl` |",
            "| **Rasburicase** `rasburicase` **urgent** | **recommend** | WBC count above 100 × 10^9/L | `rasburicase-for-high-count` |",
            "|  | **contraindicated** | G6PD deficiency | `no-rasburicase-in-g6pd-deficiency` |",
        ]
    );
    // Headings: the label, the id for editors, the urgent mark.
    assert!(
        md.contains("\n### ATRA (all-trans retinoic acid) `atra` **urgent**\n"),
        "{md}"
    );
    assert!(md.contains("\n### Anticoagulation `anticoagulation`\n"), "{md}");
    // The urgent mark is explained once, above the summary.
    assert!(md.contains("Actions marked **urgent** are emergency measures"));
}

#[test]
fn a_warning_without_condition_reads_as_always() {
    let md = fixture_markdown();
    assert!(
        md.contains("- Warning: Not in G6PD deficiency; check G6PD status where there is a risk. — always\n"),
        "{md}"
    );
    assert!(md.contains("- Warning: High risk of differentiation syndrome. — when WBC count above 10 × 10^9/L\n"));
}

#[test]
fn the_html_page_shows_labels_urgency_and_conditions() {
    let g = guidelang::load_str("fixture.gl", FIXTURE).unwrap();
    let html = render_html(&document(&g));
    assert!(html.contains(
        "<tr><td><strong>Anticoagulation</strong> <code>anticoagulation</code></td><td><span class=\"badge consider\">consider</span></td><td>“prior stroke, TIA or systemic thromboembolism”</td>"
    ), "{html}");
    assert!(html.contains(
        "<h3 id=\"action-atra\">ATRA (all-trans retinoic acid) <code>atra</code> <span class=\"badge urgent\">urgent</span></h3>"
    ));
    // Still one self-contained page.
    assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("<link"));
}
