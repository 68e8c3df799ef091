#![allow(clippy::unwrap_used)]
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
        assert!(md.contains(&format!("### {}", a.name.replace('_', " "))), "{}", a.name);
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
