//! Hover, go to definition, references, rename and the outline (src/ide), on
//! the bundled guideline, the tumour lysis guideline and small snippets.
//! Expected spans are found in the text, never written as offsets; the
//! oracles are independent of the index: a plain tokenizer for references,
//! the checker and the evaluator for rename.

use guidelang::diagnostics::Span;
use guidelang::ide::hover::hover;
use guidelang::ide::navigate::{definition, prepare_rename, references, rename};
use guidelang::ide::symbols::{symbols, Symbol, SymbolKind};
use guidelang::ide::{Analysis, TextEdit};
use guidelang::syntax::ast::{FactType, File, Item};
use guidelang::BUNDLED_TEXT;

pub const TLS_TEXT: &str = include_str!("../../guidelines/tumour-lysis-prophylaxis.gl");

fn bundled() -> Analysis {
    Analysis::new("als.gl", BUNDLED_TEXT)
}

/// The span of `word` (a whole word) inside the first occurrence of `context`.
pub fn word_in(text: &str, context: &str, word: &str) -> Span {
    let at = text
        .find(context)
        .unwrap_or_else(|| panic!("`{context}` is not in the text"));
    let inner = &text[at..at + context.len()];
    let mut from = 0;
    while let Some(i) = inner[from..].find(word).map(|i| i + from) {
        let before = inner[..i].chars().next_back().is_some_and(is_word_char);
        let after = inner[i + word.len()..].chars().next().is_some_and(is_word_char);
        if !before && !after {
            return Span::new(at + i, at + i + word.len());
        }
        from = i + 1;
    }
    panic!("`{word}` is not a word of `{context}`")
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn hover_at(a: &Analysis, span: Span) -> String {
    let h = hover(a, span.start + 1).unwrap_or_else(|| panic!("no hover at {span:?}"));
    assert_eq!(h.span, span, "the hover covers the word");
    h.markdown
}

pub fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut edits = edits.to_vec();
    edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
    let mut out = text.to_string();
    for e in edits {
        out.replace_range(e.span.start..e.span.end, &e.new_text);
    }
    out
}

// ------------------------------------------------------------------ hover

#[test]
fn hover_on_a_fact_shows_type_unit_range_and_description() {
    let a = bundled();
    let md = hover_at(&a, word_in(a.text(), "define hyperleukocytosis: wbc > 100", "wbc"));
    assert!(md.contains("fact wbc: number in 10^9/L from 0"), "{md}");
    assert!(md.contains("- unit: `10^9/L`"), "{md}");
    assert!(md.contains("- valid range: from 0 10^9/L"), "{md}");
    assert!(md.contains("White blood cell count"), "{md}");
    assert!(md.contains("rename changes this file only"), "{md}");
    let md = hover_at(&a, word_in(a.text(), "when als and lineage is myeloid", "lineage"));
    assert!(
        md.contains("- allowed values: `myeloid`, `lymphoid`, `undetermined`"),
        "{md}"
    );
    let md = hover_at(
        &a,
        word_in(a.text(), "fact weight: number in kg from 20 to 350", "weight"),
    );
    assert!(md.contains("- valid range: 20 to 350 kg"), "{md}");
}

#[test]
fn hover_on_a_definition_shows_its_expression_unit_and_description() {
    let a = bundled();
    let md = hover_at(&a, word_in(a.text(), "dose 10 to 20 mg/m2 by bsa", "bsa"));
    assert!(md.contains("define bsa in m2: sqrt(height * weight / 3600)"), "{md}");
    assert!(md.contains("- unit: `m2` (stated)"), "{md}");
    assert!(md.contains("Body surface area: by the Mosteller formula."), "{md}");
    let md = hover_at(&a, word_in(a.text(), "when neutropenia", "neutropenia"));
    assert!(md.contains("define neutropenia: anc < 0.5"), "{md}");
    assert!(md.contains("- type: condition"), "{md}");
}

#[test]
fn hover_on_a_rule_shows_verdict_action_label_citations_and_precedence() {
    let a = bundled();
    let text = a.text();
    let used = word_in(
        text,
        "overrides no-leukapheresis-for-cytoreduction",
        "no-leukapheresis-for-cytoreduction",
    );
    let md = hover_at(&a, used);
    assert!(
        md.contains("**rule** `no-leukapheresis-for-cytoreduction`: avoid `leukapheresis` (Leukapheresis, urgent)"),
        "{md}"
    );
    assert!(md.contains("when `cytoreduction_indicated`"), "{md}");
    assert!(
        md.contains("- overridden by: `leukapheresis-for-refractory-leukostasis`"),
        "{md}"
    );
    assert!(
        md.contains("- [4] Acute Leukemia Diagnosis and Management (2025)"),
        "{md}"
    );
    let md = hover_at(
        &a,
        word_in(
            text,
            "rule leukapheresis-for-refractory-leukostasis",
            "leukapheresis-for-refractory-leukostasis",
        ),
    );
    assert!(md.contains("- overrides: `no-leukapheresis-for-cytoreduction`"), "{md}");
    assert!(!md.contains("- dose"), "no dose on this rule: {md}");
    let md = hover_at(
        &a,
        word_in(
            text,
            "rule hydroxyurea-for-cytoreduction",
            "hydroxyurea-for-cytoreduction",
        ),
    );
    assert!(md.contains("- dose 50 to 60 mg/kg/day by weight"), "{md}");
}

#[test]
fn hover_on_a_citation_shows_its_reference() {
    let a = bundled();
    let text = a.text();
    let at = text.find("cite 1, 3").unwrap() + "cite 1, ".len();
    let md = hover_at(&a, Span::new(at, at + 1));
    assert!(
        md.contains("Leukocytoreduction for acute leukemia, Therapeutic Apheresis (2002)"),
        "{md}"
    );
    assert!(md.contains("rule `hydroxyurea-for-cytoreduction`"), "{md}");
}

#[test]
fn hover_on_an_action_shows_label_urgency_and_the_rules_deciding_it() {
    let a = bundled();
    let md = hover_at(&a, word_in(a.text(), "contraindicated leukapheresis", "leukapheresis"));
    assert!(
        md.contains("**action** `leukapheresis`: Leukapheresis — urgent"),
        "{md}"
    );
    for line in [
        "- `no-leukapheresis-in-apl`: contraindicated",
        "- `leukapheresis-for-refractory-leukostasis`: consider",
        "- `no-leukapheresis-for-cytoreduction`: avoid",
    ] {
        assert!(md.contains(line), "{line} in {md}");
    }
    let md = hover_at(&a, word_in(a.text(), "action rbc_transfusion", "rbc_transfusion"));
    assert!(!md.contains("urgent"), "{md}");
}

#[test]
fn hover_on_scores_categories_and_levels() {
    let a = Analysis::new("tls.gl", TLS_TEXT);
    let md = hover_at(&a, word_in(a.text(), "when tls_risk is low", "tls_risk"));
    assert!(md.contains("**category** `tls_risk` \"Risk of tumour lysis\""), "{md}");
    assert!(md.contains("- `low` otherwise"), "{md}");
    let md = hover_at(&a, word_in(a.text(), "when tls_risk is low", "low"));
    assert!(md.contains("level `low` of the category `tls_risk`"), "{md}");
    let text = "guideline s\n  version 1.0.0\n  status draft\n\
        fact hf: bool \"HF\"\nfact age: number in years from 0 to 130 \"Age\"\n\
        score chads \"CHADS\":\n  1 when hf\n  2 when age >= 75\n\
        rule r: recommend anticoagulation\n  when chads >= 2\n";
    let a = Analysis::new("s.gl", text);
    let md = hover_at(&a, word_in(text, "when chads >= 2", "chads"));
    assert!(md.contains("**score** `chads` \"CHADS\""), "{md}");
    assert!(md.contains("- 2 when `age >= 75`"), "{md}");
}

#[test]
fn no_hover_on_keywords_comments_strings_or_a_text_that_does_not_parse() {
    let a = bundled();
    let text = a.text();
    for at in [
        text.find("rule no-transplant").unwrap() + 1,
        text.find("# Urgent actions").unwrap() + 4,
        text.find("\"Body weight\"").unwrap() + 2,
    ] {
        assert_eq!(hover(&a, at), None, "at {at}");
    }
    let broken = Analysis::new("b.gl", &BUNDLED_TEXT[..BUNDLED_TEXT.len() / 2]);
    assert!(broken.file().is_none());
    assert_eq!(hover(&broken, 300), None);
}

// ------------------------------------------------------------------ definition and references

#[test]
fn definition_of_a_use_is_its_declaration() {
    let a = bundled();
    let text = a.text();
    let cases = [
        (
            word_in(text, "when apl\n  detail \"Risk", "apl"),
            word_in(text, "define apl:", "apl"),
        ),
        (
            word_in(text, "cite 1, 4, 5, 7", "7"),
            word_in(text, "reference 7 ", "7"),
        ),
        (
            word_in(text, "never avoid or contraindicated atra", "atra"),
            word_in(text, "action atra ", "atra"),
        ),
        (
            word_in(text, "pml_rara is positive", "positive"),
            word_in(text, "one of positive, negative", "positive"),
        ),
        // Inside parentheses the name, not the parentheses.
        (
            word_in(text, "(coagulopathy or apl)", "apl"),
            word_in(text, "define apl:", "apl"),
        ),
    ];
    for (used, declared) in cases {
        assert_eq!(definition(&a, used.start), Some(declared), "at {used:?}");
        // The cursor just after the word counts too.
        assert_eq!(definition(&a, used.end), Some(declared), "after {used:?}");
    }
}

#[test]
fn references_with_and_without_the_declaration() {
    let a = bundled();
    let text = a.text();
    let decl = word_in(text, "define laboratory_tls:", "laboratory_tls");
    let uses: Vec<Span> = references(&a, decl.start, false);
    // Three rules and one note, nothing else.
    assert_eq!(uses.len(), 4, "{uses:?}");
    assert!(uses.iter().all(|s| &text[s.start..s.end] == "laboratory_tls"));
    let all = references(&a, uses[0].start, true);
    assert_eq!(all.len(), 5);
    assert_eq!(all[0], decl);
}

#[test]
fn a_rule_and_an_invariant_with_one_id_are_two_things() {
    let a = bundled();
    let text = a.text();
    let rule = word_in(
        text,
        "rule no-growth-factors-for-cytoreduction",
        "no-growth-factors-for-cytoreduction",
    );
    let inv = word_in(
        text,
        "invariant no-growth-factors-for-cytoreduction",
        "no-growth-factors-for-cytoreduction",
    );
    assert_eq!(references(&a, rule.start, true), [rule]);
    assert_eq!(references(&a, inv.start, true), [inv]);
    let edits = rename(&a, rule.start, "growth-factors-held").unwrap();
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0].span, rule);
}

/// Tokens as a reader sees them: words of letters, digits, `_` and `-`,
/// outside comments and quoted texts.
fn tokens(text: &str) -> Vec<(Span, &str)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'#' => i = text[i..].find('\n').map_or(b.len(), |n| i + n),
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'-') {
                    i += 1;
                }
                out.push((Span::new(start, i), &text[start..i]));
            }
            _ => i += 1,
        }
    }
    out
}

/// Every declaration of a file: (what, name, name span).
pub fn declarations(file: &File) -> Vec<(&'static str, String, Span)> {
    let mut out = Vec::new();
    for item in &file.items {
        match item {
            Item::Reference(r) => out.push(("reference", r.number.node.to_string(), r.number.span)),
            Item::Action(x) => out.push(("action", x.name.node.clone(), x.name.span)),
            Item::Fact(f) => {
                out.push(("fact", f.name.node.clone(), f.name.span));
                if let FactType::Enum(vs) = &f.ty.node {
                    out.extend(vs.iter().map(|v| ("value", v.node.clone(), v.span)));
                }
            }
            Item::Definition(d) => out.push(("definition", d.name.node.clone(), d.name.span)),
            Item::Score(s) => out.push(("score", s.name.node.clone(), s.name.span)),
            Item::Category(c) => {
                out.push(("category", c.name.node.clone(), c.name.span));
                for l in c.levels.iter().map(|l| &l.name).chain(&c.otherwise) {
                    out.push(("level", l.node.clone(), l.span));
                }
            }
            Item::Rule(r) => out.push(("rule", r.id.node.clone(), r.id.span)),
            Item::Note(n) => out.push(("note", n.id.node.clone(), n.id.span)),
            Item::Invariant(v) => out.push(("invariant", v.id.node.clone(), v.id.span)),
        }
    }
    out
}

/// References of each declaration are exactly the whole-word occurrences of
/// its name outside comments and strings, less the declarations of other
/// things that share the name (a rule and an invariant, say); names that
/// two things with uses share are left to the tests above.
fn references_are_every_textual_occurrence(name: &str, text: &str) {
    let a = Analysis::new(name, text);
    let file = a.file().expect("parses");
    let decls = declarations(file);
    let toks = tokens(text);
    for (what, name, span) in decls.iter().filter(|d| d.0 != "reference") {
        let namesakes: Vec<&(&str, String, Span)> = decls.iter().filter(|d| d.1 == *name && d.2 != *span).collect();
        if namesakes.iter().any(|d| !matches!(d.0, "note" | "invariant")) && !matches!(*what, "note" | "invariant") {
            continue;
        }
        let expected: Vec<Span> = toks
            .iter()
            .filter(|(s, t)| t == name && !namesakes.iter().any(|d| d.2 == *s))
            .map(|(s, _)| *s)
            .collect();
        let got = references(&a, span.start, true);
        assert_eq!(got, expected, "{what} `{name}`");
        // And every one of them leads back to the declaration.
        for s in &got {
            assert_eq!(definition(&a, s.start), Some(*span), "{what} `{name}` at {s:?}");
        }
    }
}

#[test]
fn references_match_a_tokenizer_on_the_bundled_guideline() {
    references_are_every_textual_occurrence("als.gl", BUNDLED_TEXT);
}

#[test]
fn references_match_a_tokenizer_on_the_tumour_lysis_guideline() {
    references_are_every_textual_occurrence("tls.gl", TLS_TEXT);
}

#[test]
fn citations_are_references_of_their_number() {
    let a = bundled();
    let text = a.text();
    let decl = word_in(text, "reference 9 ", "9");
    let uses = references(&a, decl.start, false);
    assert_eq!(uses, [word_in(text, "cite 6, 9", "9")]);
}

// ------------------------------------------------------------------ rename

#[test]
fn rename_refuses_what_cannot_be_a_name() {
    let a = bundled();
    let text = a.text();
    let wbc = word_in(text, "fact wbc:", "wbc").start;
    let refused = |at: usize, new: &str, why: &str| {
        let err = rename(&a, at, new).expect_err(new);
        assert!(err.contains(why), "`{new}`: {err}");
    };
    refused(wbc, "when", "keyword");
    refused(wbc, "white count", "not a name");
    refused(wbc, "2wbc", "not a name");
    refused(wbc, "white-count", "not a name");
    refused(wbc, "platelets", "already declared");
    refused(wbc, "leukapheresis", "already declared");
    let rule = word_in(text, "rule no-central-line", "no-central-line").start;
    refused(rule, "no-transplant-in-als", "already declared");
    refused(rule, "overrides", "keyword");
    refused(text.find("# Urgent").unwrap() + 3, "x", "no declared name");
    let seven = word_in(text, "reference 7 ", "7").start;
    refused(seven, "3", "already declared");
    refused(seven, "seven", "not a reference number");
    assert_eq!(prepare_rename(&a, text.find("rule no-transplant").unwrap() + 1), None);
    assert_eq!(prepare_rename(&a, wbc + 1), Some(word_in(text, "fact wbc:", "wbc")));
    // A hyphen is fine in a rule id.
    assert!(rename(&a, rule, "no-central-line-yet").is_ok());
}

#[test]
fn renaming_a_reference_renumbers_its_citations() {
    let a = bundled();
    let text = a.text();
    let edits = rename(&a, word_in(text, "reference 7 ", "7").start, "70").unwrap();
    let renamed = apply(text, &edits);
    // One declaration and three citations.
    assert_eq!(edits.len(), 4);
    let b = Analysis::new("als.gl", &renamed);
    assert!(b.guideline().is_some(), "{:?}", b.problems());
    assert!(renamed.contains("cite 1, 4, 5, 70"));
}

// ------------------------------------------------------------------ outline

fn find<'a>(symbols: &'a [Symbol], name: &str) -> &'a Symbol {
    symbols.iter().find(|s| s.name == name).unwrap_or_else(|| {
        panic!(
            "no `{name}` among {:?}",
            symbols.iter().map(|s| &s.name).collect::<Vec<_>>()
        )
    })
}

fn contains(outer: Span, inner: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

#[test]
fn the_outline_has_the_header_and_groups_with_rules_by_action() {
    let a = bundled();
    let text = a.text();
    let out = symbols(&a);
    let names: Vec<&str> = out.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "als-hyperleukocytosis",
            "facts",
            "definitions",
            "rules",
            "invariants",
            "notes",
            "references"
        ]
    );
    let header = &out[0];
    assert_eq!(header.kind, SymbolKind::Header);
    assert_eq!(
        &text[header.span.start..header.span.end],
        &text[text.find("guideline als").unwrap()..text.find("acute_leukemia\n").unwrap() + "acute_leukemia".len()]
    );
    let facts = find(&out, "facts");
    assert_eq!(facts.children.len(), 25);
    let wbc = find(&facts.children, "wbc");
    assert_eq!(wbc.detail.as_deref(), Some("number in 10^9/L from 0"));
    assert_eq!(wbc.selection, word_in(text, "fact wbc:", "wbc"));
    assert_eq!(
        &text[wbc.span.start..wbc.span.end],
        // The declaration with its record binding, which is part of it.
        "fact wbc: number in 10^9/L from 0 \"White blood cell count\"\n  read from observation loinc 6690-2, 26464-8 within 48 h"
    );
    let rules = find(&out, "rules");
    let leuka = find(&rules.children, "leukapheresis");
    assert_eq!(leuka.kind, SymbolKind::Action);
    let ids: Vec<&str> = leuka.children.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        ids,
        [
            "no-leukapheresis-in-apl",
            "leukapheresis-for-refractory-leukostasis",
            "no-leukapheresis-for-cytoreduction"
        ]
    );
    assert_eq!(
        leuka.children[0].detail.as_deref(),
        Some("contraindicated leukapheresis")
    );
    // A rule's span ends with its last field, before the blank line and the
    // comment that follow it.
    let lumbar = find(
        &find(&rules.children, "lumbar_puncture").children,
        "no-lumbar-puncture-in-als",
    );
    assert!(text[lumbar.span.start..lumbar.span.end].starts_with("rule no-lumbar-puncture-in-als: avoid"));
    assert!(text[..lumbar.span.end].ends_with("for this patient.\"\n  cite 1"));
    // Every entry holds its selection and its children.
    fn nested(s: &Symbol) {
        assert!(contains(s.span, s.selection), "{}", s.name);
        for c in &s.children {
            assert!(contains(s.span, c.span), "{} in {}", c.name, s.name);
            nested(c);
        }
    }
    out.iter().for_each(nested);
    let invariants = find(&out, "invariants");
    assert_eq!(
        find(&invariants.children, "atra-never-waits-for-genetics")
            .detail
            .as_deref(),
        Some("always decide atra")
    );
    assert_eq!(find(&out, "notes").children.len(), 4);
    assert_eq!(find(&out, "references").children.len(), 9);
}

#[test]
fn the_outline_of_a_text_that_does_not_parse_is_empty() {
    assert!(symbols(&Analysis::new("b.gl", "guideline x\n  version")).is_empty());
}

#[test]
fn definitions_group_holds_scores_and_categories() {
    let a = Analysis::new("tls.gl", TLS_TEXT);
    let out = symbols(&a);
    let defs = find(&out, "definitions");
    assert_eq!(
        find(&defs.children, "tls_risk").detail.as_deref(),
        Some("category Risk of tumour lysis")
    );
    assert_eq!(find(&defs.children, "bsa").detail.as_deref(), Some("in m2"));
}

#[test]
fn a_file_without_action_declarations_still_navigates_its_actions() {
    let text = "guideline t\n  version 1.0.0\n  status draft\n\
        fact a: bool \"A\"\n\
        rule r1: recommend x\n  when a\n\
        rule r2: avoid x\n  when not a\n";
    let an = Analysis::new("t.gl", text);
    let first = word_in(text, "recommend x", "x");
    let second = word_in(text, "avoid x", "x");
    assert_eq!(definition(&an, second.start), Some(first));
    assert_eq!(references(&an, second.start, true), [first, second]);
    let md = hover(&an, second.start).unwrap().markdown;
    assert!(md.contains("not declared"), "{md}");
    let edits = rename(&an, first.start, "y").unwrap();
    let renamed = apply(text, &edits);
    assert!(renamed.contains("recommend y") && renamed.contains("avoid y"));
    let outline = symbols(&an);
    assert_eq!(find(&find(&outline, "rules").children, "x").children.len(), 2);
}
