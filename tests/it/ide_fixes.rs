//! The editor's quick fixes and formatting (`guidelang::ide::{actions, format}`):
//! every did-you-mean of the diagnostics tests carries a replacement of exactly
//! the misspelt word that makes its problem go away; a misspelt fact anywhere
//! in the bundled guideline is put back by its fix; a clash gets both
//! precedences, each of which checks and settles it; formatting edits give
//! `fmt`'s text.

use guidelang::analysis::lint;
use guidelang::diagnostics::{Problem, Source};
use guidelang::ide::actions::{apply, code_actions, fixes_for_finding, fixes_for_problem};
use guidelang::ide::diagnostics::EditorDiagnostic;
use guidelang::ide::format::format;
use guidelang::ide::{Analysis, Fix};
use proptest::prelude::*;

const BUNDLED: &str = include_str!("../../guidelines/als-hyperleukocytosis.gl");
const TLS: &str = include_str!("../../guidelines/tumour-lysis-prophylaxis.gl");

/// The header of the diagnostics tests (`diagnostics.rs`).
const HEADER: &str = "guideline demo
  version 1.0.0
  status draft
  applies when als

fact als: bool \"Pre-existing ALS.\"
fact wbc: number in 10^9/L from 0 \"White blood cell count.\"
";

fn analyse(text: &str) -> Analysis {
    Analysis::new("t.gl", text)
}

/// The suggestion a help line words, if it words one.
fn suggested_in_help(p: &Problem) -> Option<String> {
    let help = p.help.as_deref()?;
    let rest = &help[help.find("did you mean `")? + "did you mean `".len()..];
    Some(rest[..rest.find('`')?].to_string())
}

/// The one fix of a problem, applied.
fn fixed(a: &Analysis, p: &Problem) -> String {
    let fixes = fixes_for_problem(a, p);
    assert_eq!(fixes.len(), 1, "{p:?}: {fixes:?}");
    assert_eq!(fixes[0].answers.as_deref(), Some(p.code));
    apply(a.text(), &fixes[0].edits).expect("the edits apply")
}

/// Each body holds one misspelling, `wrong`, which the checker or the parser
/// answers with a did-you-mean of `right`. The cases of `diagnostics.rs`,
/// `derived_diagnostics.rs`, `units.rs`, `actions.rs` and `keywords.rs`.
const MISSPELT: [(&str, &str, &str, &str); 12] = [
    ("unknown fact", "rule hu: recommend hydroxyurea\n  when wcb > 100\n", "wcb", "wbc"),
    (
        "unknown definition",
        "define hyperleukocytosis: wbc > 100\nrule hu: recommend hydroxyurea\n  when hyperleukocytosys\n",
        "hyperleukocytosys",
        "hyperleukocytosis",
    ),
    (
        "undeclared value",
        "fact leukostasis: one of none, pulmonary, cerebral \"Clinical leukostasis.\"\nrule lk: consider leukapheresis\n  when wbc > 100 and leukostasis is pulmonry\n",
        "pulmonry",
        "pulmonary",
    ),
    (
        "unknown rule",
        "rule lk: consider leukapheresis\n  when wbc > 200\n  overrides no-leukapheresis-in-hyperleukocytsis\nrule no-leukapheresis-in-hyperleukocytosis: avoid leukapheresis\n  when wbc > 100\n",
        "no-leukapheresis-in-hyperleukocytsis",
        "no-leukapheresis-in-hyperleukocytosis",
    ),
    (
        "undeclared action",
        "action leukapheresis \"Leukapheresis\"\nrule lk: consider leukapheresis\n  when wbc > 200\nrule no-lk: avoid leukaphersis\n  when wbc > 100\n",
        "leukaphersis",
        "leukapheresis",
    ),
    (
        "unknown action of an invariant",
        "rule lk: consider leukapheresis\n  when wbc > 200\ninvariant safe:\n  never consider leukaphresis when wbc < 50\n",
        "leukaphresis",
        "leukapheresis",
    ),
    (
        "unknown level",
        "category band \"Band\":\n  high when wbc > 100\n  low otherwise\n\nrule r: recommend x\n  when band is hihg\n",
        "hihg",
        "high",
    ),
    (
        "misspelt unit",
        "rule hu: recommend hydroxyurea\n  when always\n  dose 50 to 60 mg/kg/dya by weight\n",
        "mg/kg/dya",
        "mg/kg/d",
    ),
    (
        "unit in the wrong case",
        "fact uric_acid: number in mg/dl from 0 \"Serum uric acid\"\nrule r: recommend x\n  when uric_acid > 8\n",
        "mg/dl",
        "mg/dL",
    ),
    (
        "keyword glued to a name",
        "rule hu: recommend hydroxyurea\n  whenals and wbc > 100\n",
        "whenals",
        "when als",
    ),
    (
        "number glued to a keyword",
        "rule hu: recommend hydroxyurea\n  when wbc > 100and als\n",
        "100and",
        "100 and",
    ),
    (
        "misspelt verdict",
        "rule hu: recomend hydroxyurea\n  when wbc > 100\n",
        "recomend",
        "recommend",
    ),
];

#[test]
fn every_did_you_mean_replaces_exactly_the_misspelt_word() {
    for (what, body, wrong, right) in MISSPELT {
        // The unit test needs `weight` for its dose.
        let text = format!("{HEADER}fact weight: number in kg from 0 \"Weight.\"\n{body}");
        let a = analyse(&text);
        let with: Vec<&Problem> = a.problems().iter().filter(|p| p.replacement.is_some()).collect();
        assert_eq!(with.len(), 1, "{what}: {:#?}", a.problems());
        let p = with[0];
        let r = p.replacement.as_ref().expect("filtered on it");
        assert_eq!(&text[r.span.start..r.span.end], wrong, "{what}");
        assert_eq!(r.text, right, "{what}");
        // The help says the same, where it words a did-you-mean.
        if let Some(s) = suggested_in_help(p) {
            assert_eq!(s, right, "{what}");
        }
        // Applying it removes that problem; the rest of the file was right.
        let after = fixed(&a, p);
        assert_eq!(after, text.replacen(wrong, right, 1), "{what}");
        let again = analyse(&after);
        assert!(
            !again.problems().iter().any(|q| q.code == p.code && q.is_error()),
            "{what}: still {:#?}",
            again.problems()
        );
    }
}

#[test]
fn every_check_problem_whose_help_suggests_a_name_carries_it() {
    // `diagnostics.rs`' four errors at once: one has a did-you-mean, and the
    // value and rule that are nothing like a declared one have none.
    let body = "fact leukostasis: one of none, pulmonary, cerebral \"Clinical leukostasis.\"
reference 1 \"Guideline Directed Topic Overview\" year 2025
rule hydroxyurea-for-high-wbc: recommend hydroxyurea
  when wcb > 100
  cite 3
rule leukapheresis-for-leukostasis: consider leukapheresis
  when wbc > 100 and leukostasis is lungs
  overrides no-such-rule
";
    let mut texts: Vec<String> = vec![format!("{HEADER}{body}")];
    texts.extend(MISSPELT.iter().map(|(_, b, _, _)| format!("{HEADER}{b}")));
    let mut seen = 0;
    for text in &texts {
        let a = analyse(text);
        for p in a.problems().iter().filter(|p| p.code.starts_with("guidelang::check::")) {
            let said = suggested_in_help(p);
            let carried = p.replacement.as_ref().map(|r| r.text.clone());
            assert_eq!(carried, said, "{}: {:?}", p.message, p.help);
            if let Some(r) = &p.replacement {
                assert_eq!(Some(r.span), p.primary_span(), "{}", p.message);
                seen += 1;
            }
        }
    }
    assert!(seen >= 8, "only {seen} did-you-means");
}

#[test]
fn a_suggestion_is_a_fix_in_the_code_actions_of_its_range_only() {
    let text = format!("{HEADER}rule hu: recommend hydroxyurea\n  when wcb > 100\n");
    let a = analyse(&text);
    let at = text.find("wcb").expect("misspelt");
    let span = |s, e| guidelang::diagnostics::Span::new(s, e);
    let fixes = code_actions(&a, span(at + 1, at + 1), &[]);
    assert_eq!(titles(&fixes), ["Replace `wcb` with `wbc`"]);
    assert!(code_actions(&a, span(0, 10), &[]).is_empty());
    // A fix the editor's diagnostic already carries is not offered twice;
    // one it carries from elsewhere in the range is offered too.
    let p = a.problems().iter().find(|p| p.replacement.is_some()).expect("one");
    let other = Fix {
        title: "Something else".into(),
        edits: Vec::new(),
        answers: None,
    };
    let diag = |fixes: Vec<Fix>| EditorDiagnostic {
        span: p.primary_span().expect("placed"),
        severity: p.severity,
        code: p.code.into(),
        message: p.message.clone(),
        help: p.help.clone(),
        related: Vec::new(),
        fixes,
    };
    let given = [diag(fixes_for_problem(&a, p)), diag(vec![other])];
    let both = code_actions(&a, span(at, at + 3), &given);
    assert_eq!(titles(&both), ["Replace `wcb` with `wbc`", "Something else"]);
}

fn titles(fixes: &[Fix]) -> Vec<&str> {
    fixes.iter().map(|f| f.title.as_str()).collect()
}

// ------------------------------------------------ misspelt facts, by property

/// Each use of a fact in the text: the byte range of a word that names a
/// fact, outside quoted text and comments, and not its declaration.
fn fact_uses(text: &str) -> Vec<(usize, usize)> {
    let a = analyse(text);
    let g = a.guideline().expect("the bundled guideline checks");
    let names: std::collections::HashSet<&str> = g.facts.iter().map(|f| f.name.as_str()).collect();
    let mut out = Vec::new();
    for (line_start, line) in lines_with_offsets(text) {
        let code = line.split('#').next().unwrap_or("");
        if code.trim_start().starts_with("fact ") {
            continue;
        }
        let mut in_string = false;
        let mut word_start = None;
        for (i, c) in code.char_indices().chain(std::iter::once((code.len(), ' '))) {
            // A rule id (`no-leukapheresis-in-apl`) is one word, not a use of `apl`.
            let word_char = c.is_ascii_alphanumeric() || c == '_' || c == '-';
            match (word_start, word_char && !in_string) {
                (None, true) => word_start = Some(i),
                (Some(s), false) => {
                    if names.contains(&code[s..i]) {
                        out.push((line_start + s, line_start + i));
                    }
                    word_start = None;
                }
                _ => {}
            }
            if c == '"' {
                in_string = !in_string;
            }
        }
    }
    out
}

fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_inclusive('\n').scan(0, |at, line| {
        let start = *at;
        *at += line.len();
        Some((start, line.trim_end_matches('\n')))
    })
}

/// One edit of a word: delete, insert, substitute or swap two letters.
fn misspell(word: &str, kind: u8, at: usize, letter: char) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    let at = at % chars.len();
    match kind % 4 {
        0 if chars.len() > 2 => {
            chars.remove(at);
        }
        1 => chars.insert(at + 1, letter),
        2 => chars[at] = letter,
        _ if at + 1 < chars.len() => chars.swap(at, at + 1),
        _ => chars.push(letter),
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(crate::common::gen::config(64))]

    /// A fact use misspelt by one edit anywhere in the bundled guidelines is
    /// answered by a fix that restores the original text, unless another
    /// declared name is as close to the misspelling (then the fix names one of
    /// the closest).
    #[test]
    fn a_misspelt_fact_is_put_back_by_its_fix(
        bundled in any::<bool>(),
        pick in any::<prop::sample::Index>(),
        kind in 0u8..4,
        at in 0usize..64,
        letter in proptest::char::range('a', 'z'),
    ) {
        let text = if bundled { BUNDLED } else { TLS };
        let uses = fact_uses(text);
        prop_assert!(uses.len() > 20, "too few uses found: {}", uses.len());
        let (s, e) = uses[pick.index(uses.len())];
        let wrong = misspell(&text[s..e], kind, at, letter);
        let original = analyse(text);
        let g = original.guideline().expect("checks");
        let mut names: Vec<&str> = g.facts.iter().map(|f| f.name.as_str()).collect();
        names.extend(g.definitions.iter().map(|d| d.name.as_str()));
        prop_assume!(wrong != text[s..e] && !names.contains(&wrong.as_str()));
        // A name starts with a letter: `6gpd_status` (from `g6pd_status`) is no name.
        prop_assume!(!guidelang::syntax::is_reserved(&wrong) && wrong.starts_with(|c: char| c.is_ascii_alphabetic()));
        let broken = format!("{}{wrong}{}", &text[..s], &text[e..]);
        let a = analyse(&broken);
        let unknown: Vec<&Problem> =
            a.problems().iter().filter(|p| p.code == "guidelang::check::unknown_name").collect();
        prop_assert_eq!(unknown.len(), 1, "{:#?}", a.problems());
        let p = unknown[0];
        let r = p.replacement.as_ref().expect("a one-edit misspelling is within reach");
        prop_assert_eq!(r.span, guidelang::diagnostics::Span::new(s, s + wrong.len()));
        let after = fixed(&a, p);
        let closest = names
            .iter()
            .map(|n| strsim::damerau_levenshtein(&wrong, n))
            .min()
            .unwrap_or(usize::MAX);
        let ties = names.iter().filter(|n| strsim::damerau_levenshtein(&wrong, n) == closest).count();
        if ties == 1 {
            prop_assert_eq!(after, text);
        } else {
            prop_assert_eq!(strsim::damerau_levenshtein(&wrong, &r.text), closest);
        }
    }
}

// ------------------------------------------------------------------ clashes

/// The bundled guideline without the `overrides` that settles its
/// leukapheresis rules: they clash.
fn without_precedence() -> (String, String) {
    let line = "  overrides no-leukapheresis-for-cytoreduction\n";
    assert!(BUNDLED.contains(line));
    (BUNDLED.replacen(line, "", 1), line.to_string())
}

/// The clashes lint reports in a text, as pairs of rule ids.
fn clashes(text: &str) -> Vec<(String, String)> {
    let g = guidelang::load_str("t.gl", text).unwrap_or_else(|p| panic!("{p:?}"));
    lint(&g)
        .findings
        .into_iter()
        .filter(|f| f.code == "guidelang::lint::clash")
        .map(|f| (f.rules[0].clone(), f.rules[1].clone()))
        .collect()
}

fn clash_fixes(text: &str) -> Vec<Fix> {
    let g = guidelang::load_str("t.gl", text).unwrap_or_else(|p| panic!("{p:?}"));
    let a = analyse(text);
    let findings: Vec<_> = lint(&g)
        .findings
        .into_iter()
        .filter(|f| f.code == "guidelang::lint::clash")
        .collect();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    fixes_for_finding(&a, &findings[0])
}

fn fmt(text: &str) -> String {
    guidelang::format::format_source(&Source::new("t.gl", text)).expect("parses")
}

#[test]
fn a_clash_in_the_bundled_guideline_gets_both_precedences() {
    let (text, _) = without_precedence();
    let refractory = "leukapheresis-for-refractory-leukostasis";
    let cytoreduction = "no-leukapheresis-for-cytoreduction";
    let found = clashes(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    let fixes = clash_fixes(&text);
    assert_eq!(fixes.len(), 2, "{fixes:#?}");
    for fix in &fixes {
        let after = apply(&text, &fix.edits).expect("applies");
        assert!(clashes(&after).is_empty(), "{}: still clashes", fix.title);
        // Placed where `fmt` puts it: the formatted file stays formatted.
        assert_eq!(fmt(&after), after, "{}", fix.title);
    }
    // The one the guideline's authors chose gives back their file.
    let theirs = fixes
        .iter()
        .find(|f| f.title == format!("Let `{refractory}` override `{cytoreduction}`"))
        .expect("offered");
    assert_eq!(apply(&text, &theirs.edits).as_deref(), Some(BUNDLED));
    assert!(fixes
        .iter()
        .any(|f| f.title == format!("Let `{cytoreduction}` override `{refractory}`")));
}

/// A small guideline where `first` clashes with `second`; `first` already
/// overrides another rule, and `second` is written `when always`.
const LISTED: &str = "guideline demo
  version 1.0.0
  status draft

action x \"X\"

fact a: bool \"A.\"
fact c: bool \"C.\"

rule first: recommend x
  when a  # a comment stays on its line
  overrides third

rule second: avoid x
  detail \"when always\"  # when always
  when always

rule third: avoid x
  when c
";

#[test]
fn a_precedence_joins_an_existing_list_or_follows_when_always() {
    let fixes = clash_fixes(LISTED);
    assert_eq!(
        titles(&fixes),
        ["Let `first` override `second`", "Let `second` override `first`"]
    );
    let after: Vec<String> = fixes
        .iter()
        .map(|f| apply(LISTED, &f.edits).expect("applies"))
        .collect();
    assert_eq!(after[0], LISTED.replace("overrides third", "overrides third, second"));
    assert_eq!(
        after[1],
        LISTED.replace("  when always\n", "  when always\n  overrides first\n")
    );
    for text in &after {
        assert!(clashes(text).is_empty(), "{text}");
    }
}

#[test]
fn a_precedence_that_would_close_a_circle_is_not_offered() {
    // `first` overrides `third`, `third` overrides `second`: `second`
    // overriding `first` would close the circle, which the checker refuses.
    let text = LISTED.replace("  when c\n", "  when c\n  overrides second\n");
    let fixes = clash_fixes(&text);
    assert_eq!(titles(&fixes), ["Let `first` override `second`"]);
}

// --------------------------------------------------------------- formatting

#[test]
fn formatting_edits_give_fmt_s_text() {
    for text in [BUNDLED, TLS] {
        assert_eq!(format(&analyse(text)), Some(Vec::new()), "formatted already");
        // Indentation lost, spaces doubled, a field out of fmt's order.
        let messy = text
            .replace("\n  when ", "\n when ")
            .replace(": recommend ", ":  recommend ")
            .replacen("\nrule ", "\n\n\n\nrule ", 1);
        assert_ne!(messy, text);
        let edits = format(&analyse(&messy)).expect("parses");
        assert_eq!(edits.len(), 1);
        assert_eq!(apply(&messy, &edits).expect("applies"), fmt(&messy));
        assert_eq!(fmt(&messy), text);
    }
    assert_eq!(format(&analyse("guideline\n")), None, "does not parse");
}

proptest! {
    #![proptest_config(crate::common::gen::config(32))]

    /// Spaces added at random places between words: the edits give what
    /// `fmt` gives, which is the original text.
    #[test]
    fn formatting_edits_undo_added_spaces(places in prop::collection::vec(any::<prop::sample::Index>(), 1..6)) {
        let spaces: Vec<usize> = BUNDLED.match_indices(' ').map(|(i, _)| i).collect();
        let mut at: Vec<usize> = places.iter().map(|p| spaces[p.index(spaces.len())]).collect();
        at.sort_unstable();
        at.dedup();
        let mut messy = BUNDLED.to_string();
        for i in at.iter().rev() {
            messy.insert(*i, ' ');
        }
        let a = analyse(&messy);
        // A space inside quoted text is the text's own: fmt keeps it.
        let edits = format(&a).expect("parses");
        prop_assert_eq!(apply(&messy, &edits).expect("applies"), fmt(&messy));
    }
}

#[test]
fn a_misspelt_keyword_is_spelt_right_and_a_name_out_of_place_is_left_alone() {
    for (body, wrong, right) in [
        ("rule hu: recommend hydroxyurea\n  wen wbc > 100\n", "wen", "when"),
        (
            "rule hu: recommend hydroxyurea\n  when wbc > 100\n  becuase \"High.\"\n",
            "becuase",
            "because",
        ),
        (
            "rule hu: contraindicted hydroxyurea\n  when wbc > 100\n",
            "contraindicted",
            "contraindicated",
        ),
    ] {
        let text = format!("{HEADER}{body}");
        let a = analyse(&text);
        let p = &a.problems()[0];
        assert_eq!(p.code, "guidelang::syntax::unexpected");
        let after = fixed(&a, p);
        assert_eq!(after, text.replacen(wrong, right, 1));
        assert!(analyse(&after).guideline().is_some(), "{after}");
    }
    // `and` left out: `als` is a name, two edits from `and`, not a misspelling.
    // (After a bare number it would be read as a unit.)
    let text = format!("{HEADER}rule hu: recommend hydroxyurea\n  when (wbc > 100) als\n");
    let a = analyse(&text);
    assert_eq!(a.problems()[0].code, "guidelang::syntax::unexpected");
    assert!(
        a.problems().iter().all(|p| p.replacement.is_none()),
        "{:#?}",
        a.problems()
    );
}

proptest! {
    #![proptest_config(crate::common::gen::config(48))]

    /// A half-typed file (any prefix of a bundled guideline, with a random
    /// word cut out of it) never makes formatting or the fixes panic, and
    /// every fix offered applies to the text cleanly.
    #[test]
    fn no_fix_or_format_fails_on_a_half_typed_file(
        bundled in any::<bool>(),
        cut in any::<prop::sample::Index>(),
        hole in any::<prop::sample::Index>(),
        hole_len in 0usize..12,
    ) {
        let full = if bundled { BUNDLED } else { TLS };
        let boundary = |i: usize| (i..=full.len()).find(|&j| full.is_char_boundary(j)).unwrap_or(full.len());
        let end = boundary(cut.index(full.len() + 1));
        let at = boundary(hole.index(end + 1).min(end));
        let hole_end = boundary((at + hole_len).min(end));
        let text = format!("{}{}", &full[..at], &full[hole_end..end]);
        let a = analyse(&text);
        if let Some(edits) = format(&a) {
            prop_assert_eq!(apply(&text, &edits).expect("applies"), fmt(&text));
        }
        let everywhere = guidelang::diagnostics::Span::new(0, text.len());
        for fix in code_actions(&a, everywhere, &[]) {
            prop_assert!(apply(&text, &fix.edits).is_some(), "{:?}", fix);
        }
    }
}
