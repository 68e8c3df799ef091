//! The editor services through `guidelang lsp`, with the content the issue
//! asks for (not only the protocol's shape, which `lsp_protocol` checks).
//!
//! These depend on the other parts of issue 14: hover, definition,
//! references, rename, the outline and completion on the navigation work
//! (`src/ide/{hover,navigate,symbols,complete}.rs`), formatting and the quick
//! fixes on the editor-extension work (`src/ide/{format,actions}.rs`). On the
//! language server's branch alone those services are stubs and these tests
//! fail; with the three parts merged they pass.

use serde_json::{json, Value};

use super::lsp_client::{apply_edits, offset, outline, position, range_of, uri, Client, BUNDLED, CLASH};

/// The bundled guideline open as `als.gl`, its first diagnostics read.
fn bundled() -> Client {
    let mut c = Client::start();
    c.open("als.gl", BUNDLED);
    c.publication();
    c
}

/// Where a rule reads `wbc` (`when wbc > 10` in the ATRA warning).
fn wbc_use() -> usize {
    BUNDLED.find("when wbc").unwrap() + "when ".len()
}

fn at(offset: usize) -> Value {
    json!({"textDocument": {"uri": uri("als.gl")}, "position": position(BUNDLED, offset)})
}

fn declaration_of_wbc() -> Value {
    range_of(
        BUNDLED,
        "wbc",
        BUNDLED[..BUNDLED.find("fact wbc:").unwrap()].matches("wbc").count(),
    )
}

#[test]
fn hover_on_a_fact_shows_its_type_unit_range_and_description() {
    let mut c = bundled();
    let h = c.ok("textDocument/hover", at(wbc_use()));
    assert_eq!(h["contents"]["kind"], "markdown", "{h:#}");
    let md = h["contents"]["value"].as_str().unwrap();
    for part in ["number", "10^9/L", "White blood cell count"] {
        assert!(md.contains(part), "`{part}` missing from {md}");
    }
    assert_eq!(h["range"]["start"], position(BUNDLED, wbc_use()));
}

#[test]
fn definition_and_references_of_a_fact() {
    let mut c = bundled();
    let d = c.ok("textDocument/definition", at(wbc_use()));
    assert_eq!(d["uri"], uri("als.gl"), "{d:#}");
    assert_eq!(d["range"], declaration_of_wbc());
    let mut params = at(wbc_use());
    params["context"] = json!({"includeDeclaration": true});
    let refs = c.ok("textDocument/references", params.clone());
    let ranges: Vec<&Value> = refs.as_array().unwrap().iter().map(|l| &l["range"]).collect();
    assert!(ranges.contains(&&declaration_of_wbc()), "{refs:#}");
    let use_range = json!({"start": position(BUNDLED, wbc_use()), "end": position(BUNDLED, wbc_use() + 3)});
    assert!(ranges.contains(&&use_range), "{refs:#}");
    // Each place is the word `wbc` itself (columns are UTF-16: the line of
    // the ATRA warning has a `×` before it).
    for r in &ranges {
        assert_eq!(
            &BUNDLED[offset(BUNDLED, &r["start"])..offset(BUNDLED, &r["end"])],
            "wbc",
            "{r}"
        );
    }
    params["context"] = json!({"includeDeclaration": false});
    let uses = c.ok("textDocument/references", params);
    assert_eq!(uses.as_array().unwrap().len(), ranges.len() - 1);
}

#[test]
fn rename_of_a_fact_gives_a_guideline_that_checks_under_the_new_name() {
    let mut c = bundled();
    let prepared = c.ok("textDocument/prepareRename", at(wbc_use()));
    assert_eq!(
        prepared,
        json!({"start": position(BUNDLED, wbc_use()), "end": position(BUNDLED, wbc_use() + 3)})
    );
    let mut params = at(wbc_use());
    params["newName"] = json!("white_count");
    let edit = c.ok("textDocument/rename", params);
    let renamed = apply_edits(BUNDLED, &edit["changes"][uri("als.gl")]);
    let g = guidelang::load_str("renamed.gl", &renamed).unwrap_or_else(|p| panic!("{p:?}"));
    let names: Vec<&str> = g.facts.iter().map(|f| f.name.as_str()).collect();
    assert!(names.contains(&"white_count") && !names.contains(&"wbc"), "{names:?}");
    // A name already taken is refused with a reason.
    let mut params = at(wbc_use());
    params["newName"] = json!("platelets");
    let r = c.request("textDocument/rename", params);
    assert!(r.response_result.is_err(), "{r:?}");
}

#[test]
fn the_outline_has_facts_and_rules() {
    let mut c = bundled();
    let symbols = c.ok(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri("als.gl")}}),
    );
    let all = outline(&symbols);
    // Facts are fields (8), rules methods (6): the server's mapping.
    assert!(all.contains(&("wbc".to_string(), 8)), "{all:?}");
    assert!(all.contains(&("atra-for-apl".to_string(), 6)), "{all:?}");
}

#[test]
fn completion_in_a_half_typed_rule_offers_the_facts_of_the_last_text_that_parsed() {
    let mut c = bundled();
    let typing = format!("{BUNDLED}\nrule new-rule: recommend atra\n  when ");
    c.replace("als.gl", 2, &typing);
    let items = c.ok(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri("als.gl")}, "position": position(&typing, typing.len())}),
    );
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"wbc") && labels.contains(&"coagulopathy"),
        "{labels:?}"
    );
}

#[test]
fn formatting_leaves_the_bundled_guideline_alone_and_lays_out_a_messy_one() {
    let mut c = bundled();
    let doc = json!({"textDocument": {"uri": uri("als.gl")}, "options": {"tabSize": 2, "insertSpaces": true}});
    assert_eq!(c.ok("textDocument/formatting", doc.clone()), json!([]));
    let messy = CLASH.replace("\nrule r2:", "\n\n\nrule    r2:");
    c.open("messy.gl", &messy);
    let mut params = doc;
    params["textDocument"]["uri"] = json!(uri("messy.gl"));
    let edits = c.ok("textDocument/formatting", params);
    let expected =
        guidelang::format::format_source(&guidelang::diagnostics::Source::new("m.gl", messy.as_str())).unwrap();
    assert_eq!(apply_edits(&messy, &edits), expected);
}

#[test]
fn the_did_you_mean_is_a_quick_fix_that_restores_the_name() {
    let text = BUNDLED.replacen("when coagulopathy or", "when coagulopathyy or", 1);
    let mut c = Client::start();
    c.open("m.gl", &text);
    let p = c.publication();
    let d = p["diagnostics"][0].clone();
    let actions = c.ok(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri("m.gl")}, "range": d["range"], "context": {"diagnostics": [d]}}),
    );
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "quickfix" && a["title"].as_str().unwrap_or("").contains("coagulopathy"))
        .unwrap_or_else(|| panic!("no did-you-mean in {actions:#}"));
    assert_eq!(fix["diagnostics"][0]["code"], "guidelang::check::unknown_name");
    assert_eq!(apply_edits(&text, &fix["edit"]["changes"][uri("m.gl")]), BUNDLED);
}

#[test]
fn a_clash_offers_the_missing_precedence_both_ways_and_either_settles_it() {
    let mut c = Client::start();
    c.open("clash.gl", CLASH);
    let linted = c.publication_where(|p| {
        p["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "guidelang::lint::clash")
    });
    let clash = linted["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "guidelang::lint::clash")
        .unwrap()
        .clone();
    let actions = c.ok(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri("clash.gl")}, "range": clash["range"], "context": {"diagnostics": [clash]}}),
    );
    let fixes: Vec<&Value> = actions
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["edit"].is_object())
        .collect();
    assert!(fixes.len() >= 2, "{actions:#}");
    for fix in fixes {
        let settled = apply_edits(CLASH, &fix["edit"]["changes"][uri("clash.gl")]);
        let a = guidelang::ide::Analysis::new("settled.gl", &settled);
        let lint =
            guidelang::ide::diagnostics::lint_diagnostics(&a, guidelang::ide::diagnostics::editor_lint_options());
        assert!(a.guideline().is_some(), "{}: {settled}", fix["title"]);
        assert!(
            !lint.iter().any(|d| d.code == "guidelang::lint::clash"),
            "{}: {settled}",
            fix["title"]
        );
    }
}
