//! Keywords are whole words: a keyword glued to the word after it
//! (`whenals`, `statusdraft`, `recommendhydroxyurea`), or a number glued to the
//! keyword after it (`100dose`), is not read as the two words apart. Before the
//! fix only `and`, `or`, `not`, `known`, `true` and `false` checked where they
//! end, so every other glued keyword parsed as if a space were there.

use guidelang::diagnostics::Source;
use guidelang::syntax::{is_reserved, parse};

/// A valid guideline that writes every keyword of the language at least once,
/// and every status and verdict.
const EVERY_KEYWORD: &str = r#"guideline kw-demo
  title "Keywords"
  version 1.0.0
  status draft
  updated 2026-01-05
  reviewed by "A. Reviewer", "B. Reviewer"
  applies when adult

reference 1 "A guideline" source "A society" year 2025
reference 2 "Another"

action hydroxyurea "Hydroxyurea" urgent
action hydration "IV hydration"

fact adult: bool "Adult."
fact als: bool
fact age: integer from 0 to 130 recorded
fact wbc: number in 10^9/L from 0 "White cells."
fact weight: number in kg from 0 to 500
fact height: number in cm from 0
fact creatinine: number in mg/dL from 0 molar mass 113.12 g/mol recorded
fact phase: one of induction, consolidation
fact risk: one of low, high

define bsa in m2: sqrt(height * weight / 3600) "Body surface area."
define high_count: wbc > 100 and not als or false

rule hu-high: recommend hydroxyurea
  when als and wbc > 100 and phase is one of (induction) and risk is not one of (low)
    and at least 1 of (phase is induction, risk is not high, true)
  overrides hu-low
  dose 50 to 60 mg/kg/day by weight at most 6000 mg/day if phase is induction otherwise 40 mg/kg/day by weight
  detail "Oral."
  warn "Watch counts."
  warn "Check weight." when weight > 100
  because "High counts."
  cite 1, 2

rule hu-low: avoid hydroxyurea
  when not als

rule hu-never: contraindicated hydroxyurea
  when phase is consolidation

rule hydrate: consider hydration when high_count

note n1:
  when als
  says "Note."
  cite 1

invariant no-hu-without-count:
  never recommend or consider hydroxyurea when wbc is not known
  because "Count first."

invariant hydration-decided:
  always decide hydration when wbc is known and wbc > 200
"#;

/// The other values the header's `status` takes.
const STATUSES: [&str; 2] = ["in-review", "approved"];

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Each whole word of `text` outside quoted text and comments, with its byte range.
fn words(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while bytes[i] != b'"' {
                    i += 1;
                }
                i += 1;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b if is_word_char(b as char) => {
                let start = i;
                while i < bytes.len() && is_word_char(bytes[i] as char) {
                    i += 1;
                }
                out.push((start, i));
            }
            _ => i += 1,
        }
    }
    out
}

/// Parses `text`, or returns the codes of the problems found.
fn tree(text: &str) -> Result<guidelang::syntax::ast::File, Vec<&'static str>> {
    parse(&Source::new("kw.gl", text)).map_err(|ps| ps.iter().map(|p| p.code).collect())
}

/// `text` with the whitespace between `at` and the next non-blank character removed.
fn glue_at(text: &str, at: usize) -> String {
    let rest = text[at..].trim_start();
    format!("{}{rest}", &text[..at])
}

#[test]
fn the_guideline_with_every_keyword_loads() {
    let g = guidelang::load_str("kw.gl", EVERY_KEYWORD);
    assert!(g.is_ok(), "{:#?}", g.err());
    for status in STATUSES {
        let text = EVERY_KEYWORD.replace("status draft", &format!("status {status}"));
        assert!(guidelang::load_str("kw.gl", &text).is_ok(), "status {status}");
    }
}

#[test]
fn a_keyword_glued_to_the_next_word_is_not_read_as_two_words() {
    let original = tree(EVERY_KEYWORD).unwrap();
    let mut glued_keywords = Vec::new();
    for (start, end) in words(EVERY_KEYWORD) {
        let word = &EVERY_KEYWORD[start..end];
        let follows_a_word = EVERY_KEYWORD[end..].trim_start().starts_with(is_word_char);
        if !(is_reserved(word) || word == "draft")
            || !follows_a_word
            || !EVERY_KEYWORD[end..].starts_with(char::is_whitespace)
        {
            continue;
        }
        let glued = glue_at(EVERY_KEYWORD, end);
        if let Ok(t) = tree(&glued) {
            assert!(
                t != original,
                "`{word}` glued to the next word reads as if they were apart:\n{}",
                &glued[start.saturating_sub(20)..(end + 20).min(glued.len())]
            );
        }
        glued_keywords.push(word);
    }
    // The test reaches the keywords it is about: every reserved word written
    // above with a word after it.
    for kw in [
        "guideline",
        "status",
        "draft",
        "reviewed",
        "applies",
        "when",
        "reference",
        "year",
        "action",
        "fact",
        "integer",
        "from",
        "to",
        "number",
        "in",
        "one",
        "of",
        "define",
        "rule",
        "recommend",
        "avoid",
        "contraindicated",
        "consider",
        "overrides",
        "dose",
        "by",
        "cite",
        "at",
        "least",
        "is",
        "not",
        "note",
        "invariant",
        "never",
        "or",
        "always",
        "decide",
        "and",
    ] {
        assert!(glued_keywords.contains(&kw), "`{kw}` was never glued");
    }
}

#[test]
fn a_number_glued_to_the_keyword_after_it_is_not_read_as_two_words() {
    let original = tree(EVERY_KEYWORD).unwrap();
    let mut tried = 0;
    for (start, end) in words(EVERY_KEYWORD) {
        let word = &EVERY_KEYWORD[start..end];
        let before = EVERY_KEYWORD[..start].trim_end();
        if !is_reserved(word) || before.len() == start || !before.ends_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let glued = glue_at(EVERY_KEYWORD, before.len());
        if let Ok(t) = tree(&glued) {
            assert!(
                t != original,
                "a number glued to `{word}` reads as if they were apart:\n{}",
                &glued[before.len().saturating_sub(20)..(start + 20).min(glued.len())]
            );
        }
        tried += 1;
    }
    // `100 and`, `60 mg`... are not all keywords; these are: `0 to`, `60 to`, `1 of`, `2025 action`...
    assert!(tried >= 5, "only {tried} numbers before a keyword");
}

/// The three examples of the bug report, through the library's front door.
#[test]
fn the_reported_glued_keywords_are_syntax_errors() {
    for (spaced, glued) in [
        ("recommend hydroxyurea", "recommendhydroxyurea"),
        ("when als", "whenals"),
        ("status draft", "statusdraft"),
    ] {
        let text = EVERY_KEYWORD.replacen(spaced, glued, 1);
        assert_ne!(text, EVERY_KEYWORD);
        let problems = guidelang::load_str("kw.gl", &text).err().unwrap_or_default();
        let codes: Vec<&str> = problems.iter().map(|p| p.code).collect();
        assert_eq!(codes, ["guidelang::syntax::unexpected"], "{glued}");
        // The message names the keyword and the word glued to it.
        let (keyword, rest) = spaced.split_once(' ').unwrap();
        assert_eq!(
            problems[0].message,
            format!("unexpected `{glued}`: one word, not the keyword `{keyword}` followed by `{rest}`")
        );
        let help = problems[0].help.as_deref().unwrap_or_default();
        assert!(help.contains(&format!("put a space after `{keyword}`")), "{help}");
    }
}

#[test]
fn a_number_glued_to_a_word_is_a_syntax_error_that_says_so() {
    let text = EVERY_KEYWORD.replacen("wbc > 100 and", "wbc > 100and", 1);
    let problems = guidelang::load_str("kw.gl", &text).err().unwrap_or_default();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, "guidelang::syntax::unexpected");
    let help = problems[0].help.as_deref().unwrap_or_default();
    assert!(help.contains("if you meant `100 and`"), "{help}");
}

#[test]
fn a_unit_may_follow_its_number_after_a_tab() {
    let text = EVERY_KEYWORD.replace("wbc > 200", "wbc > 200\t10^9/L");
    assert!(guidelang::load_str("kw.gl", &text).is_ok());
    // The same with a space, and the tree is the same either way.
    let spaced = EVERY_KEYWORD.replace("wbc > 200", "wbc > 200 10^9/L");
    assert_eq!(tree(&text).unwrap(), tree(&spaced).unwrap());
}

/// What the user reads on the command line for a glued keyword.
#[test]
fn the_command_line_says_which_keyword_is_glued() {
    let dir = tempfile::tempdir().unwrap();
    let text = EVERY_KEYWORD.replacen("when als", "whenals", 1);
    std::fs::write(dir.path().join("kw.gl"), text).unwrap();
    let out = assert_cmd::Command::cargo_bin("guidelang")
        .unwrap()
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["check", "kw.gl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // miette may wrap the message, continuing it after a `│`; compare the words.
    let flat = stderr
        .split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        flat.contains("unexpected `whenals`: one word, not the keyword `when` followed by `als`"),
        "{stderr}"
    );
    assert!(flat.contains("put a space after `when`"), "{stderr}");
    assert!(flat.contains("guidelang::syntax::unexpected"), "{stderr}");
}
