//! The VS Code extension (`editors/vscode/`) cannot drift from the language:
//! its TextMate grammar names every reserved word of `grammar/guideline.pest`
//! and no other, its grammar tests are over real lines of the bundled
//! guidelines, and its manifest ties the grammar to `.gl` files.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

const PEST: &str = include_str!("../../grammar/guideline.pest");
const GRAMMAR: &str = include_str!("../../editors/vscode/syntaxes/guidelang.tmLanguage.json");
const MANIFEST: &str = include_str!("../../editors/vscode/package.json");

/// The words of the pest `keyword` rule (the reserved words).
fn pest_keywords() -> BTreeSet<String> {
    let start = PEST.find("\nkeyword = @{").expect("the keyword rule");
    let body = &PEST[start..];
    let body = &body[..body.find('}').expect("its end")];
    body.split('"').skip(1).step_by(2).map(str::to_string).collect()
}

/// The words a `\b(?:a|b|c)(?![A-Za-z0-9_])` pattern matches.
fn alternatives(pattern: &str) -> Vec<String> {
    let inner = pattern
        .strip_prefix("\\b(?:")
        .and_then(|p| p.strip_suffix(")(?![A-Za-z0-9_])"))
        .or_else(|| {
            pattern
                .strip_prefix("\\b")
                .and_then(|p| p.strip_suffix("(?![A-Za-z0-9_])"))
        })
        .unwrap_or_else(|| panic!("not a list of words: {pattern}"));
    inner.split('|').map(str::to_string).collect()
}

/// Every word the patterns of a repository entry match, following includes.
fn words_of(grammar: &Value, entry: &str, out: &mut Vec<String>) {
    let patterns = grammar["repository"][entry]["patterns"]
        .as_array()
        .unwrap_or_else(|| panic!("repository entry `{entry}` has patterns"));
    for p in patterns {
        if let Some(include) = p["include"].as_str() {
            words_of(grammar, include.trim_start_matches('#'), out);
        } else {
            out.extend(alternatives(p["match"].as_str().expect("a match")));
        }
    }
}

#[test]
fn the_textmate_grammar_names_every_keyword_of_the_pest_grammar_and_no_other() {
    let grammar: Value = serde_json::from_str(GRAMMAR).expect("the grammar is JSON");
    let mut words = Vec::new();
    words_of(&grammar, "keywords", &mut words);
    let unique: BTreeSet<String> = words.iter().cloned().collect();
    assert_eq!(unique.len(), words.len(), "a keyword is listed twice: {words:?}");
    let pest = pest_keywords();
    assert!(pest.len() > 60, "the keyword rule was not read: {pest:?}");
    let missing: Vec<&String> = pest.difference(&unique).collect();
    let extra: Vec<&String> = unique.difference(&pest).collect();
    assert!(missing.is_empty(), "keywords the TextMate grammar lacks: {missing:?}");
    assert!(
        extra.is_empty(),
        "words the TextMate grammar highlights as keywords that are not: {extra:?}"
    );
    // Every keyword is a reserved word of the parser, too.
    for w in &pest {
        assert!(guidelang::syntax::is_reserved(w), "{w}");
    }
}

#[test]
fn the_grammar_tests_are_over_real_lines_of_the_bundled_guidelines() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/vscode/test");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).expect("editors/vscode/test") {
        let path = entry.expect("an entry").path();
        if !path.to_string_lossy().ends_with(".test.gl") {
            continue;
        }
        files += 1;
        let text = std::fs::read_to_string(&path).expect("readable");
        let mut lines = text.lines();
        let header = lines.next().expect("a header");
        assert!(header.starts_with("# SYNTAX TEST \"source.guidelang\""), "{header}");
        // The header names the guideline the lines come from.
        let from = header
            .split("lines of ")
            .nth(1)
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or_else(|| panic!("{}: the header names no guideline", path.display()));
        let guideline = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(from)).expect(from);
        let real: BTreeSet<&str> = guideline.lines().collect();
        let mut source_lines = 0;
        for line in lines {
            let assertion = line.starts_with('#') && line.trim_start_matches('#').trim_start().starts_with(['^', '<']);
            if line.is_empty() || assertion {
                continue;
            }
            assert!(
                real.contains(line),
                "{}: not a line of {from}: {line:?}",
                path.display()
            );
            source_lines += 1;
        }
        assert!(source_lines >= 5, "{}", path.display());
    }
    assert!(files >= 2, "no grammar tests in {}", dir.display());
}

#[test]
fn the_manifest_ties_the_grammar_to_guideline_files() {
    let manifest: Value = serde_json::from_str(MANIFEST).expect("package.json is JSON");
    let grammar: Value = serde_json::from_str(GRAMMAR).expect("the grammar is JSON");
    let contributes = &manifest["contributes"];
    assert_eq!(contributes["languages"][0]["id"], "guidelang");
    assert_eq!(contributes["languages"][0]["extensions"][0], ".gl");
    assert_eq!(contributes["grammars"][0]["scopeName"], grammar["scopeName"]);
    assert_eq!(
        contributes["configuration"]["properties"]["guidelang.server.path"]["default"],
        "guidelang"
    );
    assert_eq!(manifest["activationEvents"][0], "onLanguage:guidelang");
    // `fmt` indents by two spaces; so does the editor in a guideline.
    let editor = &contributes["configurationDefaults"]["[guidelang]"];
    assert_eq!(editor["editor.tabSize"], 2);
    assert_eq!(editor["editor.insertSpaces"], true);
    // Pinned exactly: no range operator in any version.
    for deps in ["dependencies", "devDependencies"] {
        for (name, version) in manifest[deps].as_object().expect("a map") {
            let v = version.as_str().expect("a string");
            assert!(v.chars().all(|c| c.is_ascii_digit() || c == '.'), "{name} {v}");
        }
    }
}
