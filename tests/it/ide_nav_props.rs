//! Properties of the editor services (src/ide): no service panics at any
//! offset of the bundled guidelines, nor on a randomly edited text; and a
//! rename keeps the file checking and meaning the same — every declaration
//! of both bundled guidelines renamed to a fresh name, the file still checks
//! with the same warnings, formatting commutes with the rename, and random
//! cases (their keys and values renamed too) get the same evaluation.
//! Raise the case counts with `GUIDELANG_PROPTEST_CASES`.

use guidelang::diagnostics::{Source, Span};
use guidelang::eval::evaluate;
use guidelang::format::format_source;
use guidelang::ide::complete::completions;
use guidelang::ide::hover::hover;
use guidelang::ide::navigate::{definition, prepare_rename, references, rename};
use guidelang::ide::symbols::symbols;
use guidelang::ide::Analysis;
use guidelang::model::Guideline;
use guidelang::report::evaluation_json;
use guidelang::syntax::ast::{File, Item};
use guidelang::syntax::parse;
use guidelang::BUNDLED_TEXT;
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use serde_json::Value as Json;

use super::common::gen::{config, to_case, CaseSpace};
use super::ide_nav::{apply, declarations, TLS_TEXT};

fn every_service(a: &Analysis, offset: usize, last_good: Option<&Analysis>) {
    navigation(a, offset);
    let _ = completions(a, offset, last_good);
}

fn navigation(a: &Analysis, offset: usize) {
    let len = a.text().len();
    if let Some(h) = hover(a, offset) {
        assert!(h.span.end <= len && !h.markdown.is_empty());
    }
    if let Some(d) = definition(a, offset) {
        assert!(d.end <= len);
    }
    for s in references(a, offset, true)
        .into_iter()
        .chain(references(a, offset, false))
    {
        assert!(s.start < s.end && s.end <= len);
    }
    let _ = prepare_rename(a, offset);
    if let Ok(edits) = rename(a, offset, "fresh_name_q") {
        assert!(edits.iter().all(|e| e.span.end <= len));
    }
}

#[test]
fn no_service_panics_at_any_offset_of_the_bundled_guidelines() {
    for text in [BUNDLED_TEXT, TLS_TEXT] {
        let a = Analysis::new("g.gl", text);
        // Every offset, past the end too (a client a keystroke behind), and
        // inside multi-byte characters.
        // Hover at every offset; every service where a word starts or ends
        // (where what is under the cursor changes) and at every 7th offset.
        let bytes = text.as_bytes();
        for offset in 0..=text.len() + 2 {
            let _ = hover(&a, offset);
            let edge = |i: usize| bytes.get(i).is_some_and(|b| b.is_ascii_alphanumeric());
            let boundary = offset == 0 || edge(offset) != edge(offset - 1);
            if boundary || offset % 7 == 0 {
                navigation(&a, offset);
            }
        }
        // Completion reads the text before the cursor: every line's start,
        // middle and end, and every offset of a few lines.
        for (i, line) in text.split_inclusive('\n').enumerate() {
            let start = text[..].as_ptr() as usize;
            let at = line.as_ptr() as usize - start;
            let offsets: Vec<usize> = if i % 17 == 0 {
                (at..=at + line.len()).collect()
            } else {
                vec![at, at + line.len() / 2, at + line.len().saturating_sub(1)]
            };
            for offset in offsets {
                let _ = completions(&a, offset, None);
            }
        }
        let _ = symbols(&a);
    }
}

/// A random edit of the bundled guideline: a deletion, or a fragment typed
/// at a random place (half-typed keywords, an open parenthesis or quote...).
fn edited() -> impl Strategy<Value = (String, usize)> {
    let len = BUNDLED_TEXT.len();
    let fragments = prop_oneof![
        Just(""),
        Just("when "),
        Just("is "),
        Just("is one of ("),
        Just("cite "),
        Just("overrides "),
        Just("(\""),
        Just("# "),
        Just("wbc > 100 "),
        Just("rule x: "),
        Just("dose 5 "),
        Just("µ"),
    ];
    (0..len, 0usize..40, fragments, 0..len + 1).prop_map(move |(at, cut, fragment, cursor)| {
        let mut at = at;
        while !BUNDLED_TEXT.is_char_boundary(at) {
            at -= 1;
        }
        let mut end = (at + cut).min(len);
        while !BUNDLED_TEXT.is_char_boundary(end) {
            end -= 1;
        }
        let text = format!("{}{fragment}{}", &BUNDLED_TEXT[..at], &BUNDLED_TEXT[end..]);
        (text, cursor)
    })
}

proptest! {
    #![proptest_config(config(96))]

    #[test]
    fn no_service_panics_on_an_edited_text((text, cursor) in edited()) {
        let good = Analysis::new("als.gl", BUNDLED_TEXT);
        let a = Analysis::new("als.gl", &text);
        every_service(&a, cursor, Some(&good));
        every_service(&a, text.len(), Some(&good));
        for s in symbols(&a) {
            prop_assert!(s.span.end <= text.len() && s.selection.end <= text.len());
        }
    }

    #[test]
    fn completion_never_panics_on_a_prefix(cut in 0..BUNDLED_TEXT.len() + 1) {
        let good = Analysis::new("als.gl", BUNDLED_TEXT);
        let mut cut = cut;
        while !BUNDLED_TEXT.is_char_boundary(cut) {
            cut -= 1;
        }
        let a = Analysis::new("als.gl", &BUNDLED_TEXT[..cut]);
        let _ = completions(&a, cut, Some(&good));
        let _ = completions(&a, cut, None);
    }
}

// ------------------------------------------------------------------ rename

/// One declaration renamed: its kind, old and new names, and the enumeration
/// fact that owns it when it is a value.
struct Renamed {
    what: &'static str,
    old: String,
    new: String,
    owner: Option<String>,
    guideline: Guideline,
}

fn fresh(what: &str, name: &str) -> String {
    match what {
        "reference" => format!("9{name}0"),
        "rule" | "note" | "invariant" => format!("{name}-rn"),
        _ => format!("{name}_rn"),
    }
}

fn owner_of(file: &File, span: Span) -> Option<String> {
    file.items.iter().find_map(|i| match i {
        Item::Fact(f) if f.span.start <= span.start && span.end <= f.span.end => Some(f.name.node.clone()),
        _ => None,
    })
}

/// Every declaration renamed: each rename must check, keep the warnings, and
/// commute with `fmt`.
fn rename_everything(text: &str) -> Vec<Renamed> {
    let a = Analysis::new("g.gl", text);
    let file = a.file().expect("parses");
    let warnings = a.problems().len();
    let formatted = format_source(&Source::new("g.gl", text)).expect("formats");
    let fa = Analysis::new("g.gl", &formatted);
    let fdecls = declarations(fa.file().expect("the formatted text parses"));
    let decls = declarations(file);
    assert_eq!(decls.len(), fdecls.len());
    let mut out = Vec::new();
    for ((what, old, span), (_, fold, fspan)) in decls.iter().zip(&fdecls) {
        assert_eq!(old, fold);
        let new = fresh(what, old);
        let edits = rename(&a, span.start, &new).unwrap_or_else(|e| panic!("{what} `{old}`: {e}"));
        let renamed = apply(text, &edits);
        let b = Analysis::new("g.gl", &renamed);
        assert!(
            b.guideline().is_some(),
            "{what} `{old}` → `{new}` no longer checks: {:?}",
            b.problems()
        );
        assert_eq!(b.problems().len(), warnings, "{what} `{old}`: the warnings changed");
        // fmt(rename(text)) reads as rename(fmt(text)) (the layout may
        // differ: a longer name can move a line break).
        let f_edits = rename(&fa, fspan.start, &new).unwrap_or_else(|e| panic!("formatted {what} `{old}`: {e}"));
        let renamed_then_formatted = format_source(&Source::new("g.gl", &renamed)).expect("formats");
        let tree = |t: &str| parse(&Source::new("g.gl", t)).expect("parses");
        assert!(
            tree(&renamed_then_formatted) == tree(&apply(&formatted, &f_edits)),
            "{what} `{old}`: rename and fmt do not commute"
        );
        let Some(guideline) = b.guideline().cloned() else {
            continue;
        };
        out.push(Renamed {
            what,
            old: old.clone(),
            new,
            owner: (*what == "value").then(|| owner_of(file, *span)).flatten(),
            guideline,
        });
    }
    out
}

/// The case as the renamed guideline reads it: a renamed fact's key, a
/// renamed value of an enumeration.
fn renamed_case(case: &Json, r: &Renamed) -> Json {
    let Json::Object(map) = case else { return case.clone() };
    let map = map
        .iter()
        .map(|(k, v)| match (r.what, &r.owner) {
            ("fact", _) if *k == r.old => (r.new.clone(), v.clone()),
            ("value", Some(owner)) if k == owner && v.as_str() == Some(r.old.as_str()) => {
                (k.clone(), Json::String(r.new.clone()))
            }
            _ => (k.clone(), v.clone()),
        })
        .collect();
    Json::Object(map)
}

/// The report without the guideline's identity (its hash changes), with the
/// new name read back as the old.
fn comparable(g: &Guideline, e: &guidelang::eval::Evaluation, r: Option<&Renamed>) -> String {
    let mut json = evaluation_json(g, e);
    if let Json::Object(m) = &mut json {
        m.remove("guideline");
    }
    match r {
        Some(r) if r.what == "reference" => {
            renumber(&mut json, &r.new, &r.old);
            json.to_string()
        }
        Some(r) => json.to_string().replace(&r.new, &r.old),
        None => json.to_string(),
    }
}

/// A renumbered reference read back: in every `citations` list, `new`
/// becomes `old`, and the list is sorted again.
fn renumber(json: &mut Json, new: &str, old: &str) {
    match json {
        Json::Object(m) => {
            for (k, v) in m.iter_mut() {
                match v {
                    Json::Array(items) if k == "citations" => {
                        for n in items.iter_mut() {
                            if n.as_u64().map(|x| x.to_string()).as_deref() == Some(new) {
                                *n = serde_json::from_str(old).unwrap();
                            }
                        }
                        items.sort_by_key(|n| n.as_u64());
                    }
                    _ => renumber(v, new, old),
                }
            }
        }
        Json::Array(items) => items.iter_mut().for_each(|v| renumber(v, new, old)),
        _ => {}
    }
}

fn rename_keeps_the_meaning(text: &str, cases: u32) {
    let original = guidelang::load_str("g.gl", text).expect("checks");
    let renamed = rename_everything(text);
    let space = CaseSpace::of(&original);
    // Failures persist beside the other properties' (proptest's macros set the file).
    let mut cfg = config(cases);
    cfg.source_file = Some(file!());
    let mut runner = TestRunner::new(cfg);
    let result = runner.run(&(0..renamed.len(), space.partial()), |(i, json)| {
        let r = &renamed[i];
        let case = to_case(&original, &json);
        let case2 = to_case(&r.guideline, &renamed_case(&json, r));
        let (e1, e2) = (evaluate(&original, &case), evaluate(&r.guideline, &case2));
        prop_assert_eq!(&e1, &e2, "{} `{}` renamed: the evaluation differs", r.what, r.old);
        let (j1, j2) = (comparable(&original, &e1, None), comparable(&r.guideline, &e2, Some(r)));
        prop_assert!(
            j1 == j2,
            "{} `{}` renamed: the report differs:\n{}\n{}",
            r.what,
            r.old,
            j1,
            j2
        );
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn renaming_any_declaration_keeps_the_bundled_guideline_meaning_the_same() {
    rename_keeps_the_meaning(BUNDLED_TEXT, 256);
}

#[test]
fn renaming_any_declaration_keeps_the_tumour_lysis_guideline_meaning_the_same() {
    rename_keeps_the_meaning(TLS_TEXT, 256);
}
