//! `guidelang lsp` in-process, over the protocol: the lifecycle, diagnostics
//! on open and on change, lint after a pause, cancellation, requests about
//! documents that are not open, half-typed text, and the shape of every
//! answer. The services' own content is tested in `lsp_services`.

use guidelang::lsp::{Config, Ended};
use serde_json::{json, Value};

use super::lsp_client::{codes, position, range_of, uri, Client, BUNDLED, CLASH};

const REQUEST_CANCELLED: i64 = -32800;
const REQUEST_FAILED: i64 = -32803;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;
const INVALID_REQUEST: i64 = -32600;
const INTERNAL_ERROR: i64 = -32603;
const SERVER_NOT_INITIALIZED: i64 = -32002;

fn error_code(r: &lsp_server::Response) -> Option<i64> {
    r.response_result.as_ref().err().map(|e| i64::from(e.code))
}

#[test]
fn the_lifecycle_announces_every_capability_and_ends_cleanly() {
    let mut c = Client::queued(Config::default(), |_| {});
    let init = c.ok("initialize", json!({"capabilities": {}}));
    assert_eq!(init["serverInfo"]["name"], "guidelang");
    let caps = &init["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    // Incremental sync (2), with open and close.
    assert_eq!(caps["textDocumentSync"]["change"], 2);
    assert_eq!(caps["textDocumentSync"]["openClose"], true);
    for cap in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "documentSymbolProvider",
        "documentFormattingProvider",
    ] {
        assert_eq!(caps[cap], true, "{cap}");
    }
    assert_eq!(caps["renameProvider"]["prepareProvider"], true);
    assert!(caps["completionProvider"].is_object());
    assert_eq!(caps["codeActionProvider"]["codeActionKinds"], json!(["quickfix"]));
    c.notify("initialized", json!({}));
    assert_eq!(c.shutdown(), Ended::Clean);
}

#[test]
fn exit_without_shutdown_is_abrupt_and_requests_after_shutdown_are_refused() {
    let c = Client::start();
    assert_eq!(c.exit(), Ended::Abrupt);

    let mut c = Client::start();
    assert!(c.request("shutdown", Value::Null).response_result.is_ok());
    let late = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri("a.gl")}}),
    );
    assert_eq!(error_code(&late), Some(INVALID_REQUEST));
    assert_eq!(c.exit(), Ended::Clean);
}

#[test]
fn a_request_before_initialize_is_refused_and_the_server_waits() {
    let mut c = Client::queued(Config::default(), |_| {});
    let early = c.request("textDocument/hover", json!({}));
    assert_eq!(error_code(&early), Some(SERVER_NOT_INITIALIZED));
    assert!(c
        .request("initialize", json!({"capabilities": {}}))
        .response_result
        .is_ok());
    c.notify("initialized", json!({}));
    assert_eq!(c.shutdown(), Ended::Clean);
}

#[test]
fn the_bundled_guideline_opens_without_diagnostics_before_and_after_lint() {
    let mut c = Client::start();
    c.open("als.gl", BUNDLED);
    let first = c.publication();
    assert_eq!(first["uri"], uri("als.gl"));
    assert_eq!(first["version"], 1);
    assert_eq!(first["diagnostics"], json!([]));
    // The second publication is lint's, after the pause: the bundled
    // guideline lints clean (`.ci/run` lints it with `--deny warnings`).
    let second = c.publication();
    assert_eq!(second["version"], 1);
    assert_eq!(second["diagnostics"], json!([]));
    assert_eq!(c.shutdown(), Ended::Clean);
}

#[test]
fn a_misspelt_fact_is_an_error_at_the_exact_word_with_the_did_you_mean() {
    let text = BUNDLED.replacen("when coagulopathy or", "when coagulopathyy or", 1);
    let mut c = Client::start();
    c.open("m.gl", &text);
    let p = c.publication();
    let ds = p["diagnostics"].as_array().unwrap();
    assert_eq!(ds.len(), 1, "{p:#}");
    let d = &ds[0];
    assert_eq!(d["range"], range_of(&text, "coagulopathyy", 0));
    assert_eq!(d["severity"], 1);
    assert_eq!(d["code"], "guidelang::check::unknown_name");
    assert_eq!(d["source"], "guidelang");
    let message = d["message"].as_str().unwrap();
    // The CLI's words: the message, then its help.
    assert!(
        message.starts_with("`coagulopathyy` is not a declared fact or definition"),
        "{message}"
    );
    assert!(
        message.contains("\nhelp: ") && message.contains("`coagulopathy`"),
        "{message}"
    );
    // Text that does not check is not linted: no second publication with findings.
    let after = c.publication();
    assert_eq!(codes(&after), ["guidelang::check::unknown_name"]);
    assert_eq!(c.shutdown(), Ended::Clean);
}

#[test]
fn a_file_that_does_not_parse_gets_its_syntax_error_at_the_item_it_cannot_read() {
    let text = CLASH.replace("fact wbc: number", "fact wbc number");
    let mut c = Client::start();
    c.open("p.gl", &text);
    let p = c.publication();
    let ds = p["diagnostics"].as_array().unwrap();
    assert_eq!(ds.len(), 1, "{p:#}");
    assert_eq!(ds[0]["code"], "guidelang::syntax::unexpected");
    assert_eq!(ds[0]["severity"], 1);
    // The parser cannot read the item that starts with `fact` on line 6.
    assert_eq!(
        ds[0]["range"],
        json!({"start": {"line": 5, "character": 0}, "end": {"line": 5, "character": 4}})
    );
    assert_eq!(c.shutdown(), Ended::Clean);
}

#[test]
fn lint_findings_follow_the_diagnostics_after_a_pause_with_the_clash_and_its_witness() {
    let mut c = Client::start();
    c.open("clash.gl", CLASH);
    // At once: the check's diagnostics, which know nothing of clashes.
    let first = c.publication();
    assert!(!codes(&first).iter().any(|c| c.contains("::lint::")), "{first:#}");
    // After the pause: lint's findings as well.
    let linted = c.publication();
    let clash = linted["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "guidelang::lint::clash")
        .unwrap_or_else(|| panic!("no clash in {linted:#}"))
        .clone();
    assert_eq!(clash["severity"], 1);
    assert_eq!(clash["range"], range_of(CLASH, "wbc > 100", 0));
    let related = clash["relatedInformation"].as_array().unwrap();
    let places: Vec<(&Value, &Value)> = related
        .iter()
        .map(|r| (&r["location"]["range"], &r["message"]))
        .collect();
    assert_eq!(
        places,
        [
            (&range_of(CLASH, "wbc > 100", 0), &json!("`r1` says recommend")),
            (&range_of(CLASH, "wbc > 50", 0), &json!("`r2` says avoid")),
        ]
    );
    assert!(related.iter().all(|r| r["location"]["uri"] == uri("clash.gl")));
    // The witness patient, as compact JSON on a line of its own: a white
    // count above 100, where both rules fire.
    let message = clash["message"].as_str().unwrap();
    let witness: Value = message
        .lines()
        .find_map(|l| serde_json::from_str::<Value>(l).ok().filter(Value::is_object))
        .unwrap_or_else(|| panic!("no witness in {message}"));
    assert!(witness["wbc"].as_f64().is_some_and(|w| w > 100.0), "{message}");
    assert_eq!(c.shutdown(), Ended::Clean);
}

#[test]
fn a_settled_clash_is_gone_once_lint_has_seen_the_change_and_stale_lint_is_never_published() {
    let mut c = Client::start();
    c.open("clash.gl", CLASH);
    c.publication_where(|p| codes(p).iter().any(|c| c == "guidelang::lint::clash"));
    // Settle it, then break and settle it again in quick succession.
    let settled = CLASH.replace("cite 1\nrule r2", "cite 1 overrides r2\nrule r2");
    c.replace("clash.gl", 2, &settled);
    c.replace("clash.gl", 3, CLASH);
    c.replace("clash.gl", 4, &settled);
    // Once the server has seen version 4, every publication is for it; and
    // lint's (the one with lint's warnings on rules without rationale) has no clash.
    let mut seen_latest = false;
    loop {
        let p = c.publication();
        let version = p["version"].as_i64().unwrap();
        seen_latest |= version == 4;
        if seen_latest {
            assert_eq!(version, 4, "a publication for an older text after the latest: {p:#}");
        }
        let cs = codes(&p);
        if version == 4 && cs.iter().any(|c| c == "guidelang::lint::unsupported_rule") {
            assert!(!cs.iter().any(|c| c == "guidelang::lint::clash"), "{p:#}");
            break;
        }
    }
    assert_eq!(c.shutdown(), Ended::Clean);
}

#[test]
fn incremental_changes_edit_the_text_the_diagnostics_are_for() {
    let mut c = Client::start();
    c.open("inc.gl", CLASH);
    c.publication();
    // Misspell `wbc` in r2's condition by inserting an `x` after it.
    let at = CLASH.find("wbc > 50").unwrap() + 3;
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri("inc.gl"), "version": 2}, "contentChanges": [
            {"range": {"start": position(CLASH, at), "end": position(CLASH, at)}, "text": "x"}
        ]}),
    );
    let p = c.publication_where(|p| p["version"] == 2);
    let ds = p["diagnostics"].as_array().unwrap();
    let unknown: Vec<&Value> = ds
        .iter()
        .filter(|d| d["code"] == "guidelang::check::unknown_name")
        .collect();
    assert_eq!(unknown.len(), 1, "{p:#}");
    let edited = format!("{}x{}", &CLASH[..at], &CLASH[at..]);
    assert_eq!(unknown[0]["range"], range_of(&edited, "wbcx", 0));
    // A change older than the text held is ignored.
    c.replace("inc.gl", 1, "nonsense");
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri("inc.gl")}}),
    );
    assert!(symbols.response_result.is_ok());
    assert_eq!(c.shutdown(), Ended::Clean);
}

#[test]
fn a_cancelled_request_still_waiting_is_answered_as_cancelled() {
    let doc = json!({"textDocument": {"uri": uri("c.gl")}});
    let mut cancelled = None;
    let mut c = Client::queued(Config::default(), |c| {
        // Everything is queued before the server reads anything, so the
        // cancellation is there before the request is handled.
        c.send_request("initialize", json!({"capabilities": {}}));
        c.notify("initialized", json!({}));
        c.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri("c.gl"), "languageId": "guidelang", "version": 1, "text": CLASH}}),
        );
        let id = c.send_request("textDocument/documentSymbol", doc.clone());
        c.notify("$/cancelRequest", json!({"id": 2}));
        cancelled = Some(id);
    });
    let init = c.response(&lsp_server::RequestId::from(1));
    assert!(init.response_result.is_ok());
    let r = c.response(&cancelled.unwrap());
    assert_eq!(error_code(&r), Some(REQUEST_CANCELLED));
    // A cancellation that comes too late (the answer went out) changes nothing.
    let answered = c.request("textDocument/documentSymbol", doc.clone());
    assert!(answered.response_result.is_ok());
    c.notify("$/cancelRequest", json!({"id": 3}));
    c.notify("$/cancelRequest", json!({"id": "never-sent"}));
    assert!(c.request("textDocument/documentSymbol", doc).response_result.is_ok());
    assert_eq!(c.shutdown(), Ended::Clean);
}

#[test]
fn requests_about_documents_that_are_not_open_get_errors_not_a_dead_server() {
    let mut c = Client::start();
    let at = json!({"textDocument": {"uri": uri("nowhere.gl")}, "position": {"line": 0, "character": 0}});
    for method in [
        "textDocument/hover",
        "textDocument/definition",
        "textDocument/completion",
        "textDocument/prepareRename",
    ] {
        let r = c.request(method, at.clone());
        assert_eq!(error_code(&r), Some(REQUEST_FAILED), "{method}: {r:?}");
        let message = &r.response_result.as_ref().unwrap_err().message;
        assert!(message.contains("is not open"), "{message}");
    }
    // A change or a close for a document never opened is ignored.
    c.replace("nowhere.gl", 2, "x");
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri("nowhere.gl")}}),
    );
    // Parameters that do not read, and methods the server does not know.
    let r = c.request("textDocument/hover", json!({"nonsense": true}));
    assert_eq!(error_code(&r), Some(INVALID_PARAMS));
    let r = c.request("textDocument/semanticTokens/full", json!({}));
    assert_eq!(error_code(&r), Some(METHOD_NOT_FOUND));
    // Still serving.
    c.open("now.gl", CLASH);
    assert_eq!(c.publication()["uri"], uri("now.gl"));
    assert_eq!(c.shutdown(), Ended::Clean);
}

#[test]
fn closing_a_document_clears_its_diagnostics() {
    let mut c = Client::start();
    let text = CLASH.replace("wbc > 50", "wbcx > 50");
    c.open("close.gl", &text);
    assert!(!codes(&c.publication()).is_empty());
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri("close.gl")}}),
    );
    let p = c.publication_where(|p| p["diagnostics"] == json!([]));
    assert_eq!(p["uri"], uri("close.gl"));
    let r = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri("close.gl")}}),
    );
    assert_eq!(error_code(&r), Some(REQUEST_FAILED));
    assert_eq!(c.shutdown(), Ended::Clean);
}

/// Every request the server answers, at `offset` of `text` in document `name`.
fn every_request(name: &str, text: &str, offset: usize) -> Vec<(&'static str, Value)> {
    let doc = json!({"uri": uri(name)});
    let at = position(text, offset);
    let whole = json!({"start": {"line": 0, "character": 0}, "end": position(text, text.len())});
    vec![
        ("textDocument/hover", json!({"textDocument": doc, "position": at})),
        ("textDocument/definition", json!({"textDocument": doc, "position": at})),
        (
            "textDocument/references",
            json!({"textDocument": doc, "position": at, "context": {"includeDeclaration": true}}),
        ),
        (
            "textDocument/prepareRename",
            json!({"textDocument": doc, "position": at}),
        ),
        ("textDocument/documentSymbol", json!({"textDocument": doc})),
        ("textDocument/completion", json!({"textDocument": doc, "position": at})),
        (
            "textDocument/formatting",
            json!({"textDocument": doc, "options": {"tabSize": 2, "insertSpaces": true}}),
        ),
        (
            "textDocument/codeAction",
            json!({"textDocument": doc, "range": whole, "context": {"diagnostics": []}}),
        ),
    ]
}

#[test]
fn every_prefix_of_a_guideline_gets_diagnostics_and_answers_to_every_request() {
    let mut c = Client::start();
    c.open("typing.gl", "");
    let boundaries: Vec<usize> = CLASH.char_indices().map(|(i, _)| i).chain([CLASH.len()]).collect();
    for (n, &end) in boundaries.iter().enumerate() {
        let version = n as i32 + 2;
        let prefix = &CLASH[..end];
        c.replace("typing.gl", version, prefix);
        for (method, params) in every_request("typing.gl", prefix, end) {
            let r = c.request(method, params);
            assert_ne!(error_code(&r), Some(INTERNAL_ERROR), "{method} on {prefix:?}: {r:?}");
            assert_eq!(
                r.response_result.as_ref().err().map(|e| e.code),
                None,
                "{method} on {prefix:?}: {r:?}"
            );
        }
        let p = c.publication_where(|p| p["version"] == version);
        // A text cut short anywhere but at the end is wrong somewhere; every
        // diagnostic lies within it.
        for d in p["diagnostics"].as_array().unwrap() {
            assert!(d["range"]["end"]["line"].as_u64().unwrap() <= prefix.matches('\n').count() as u64);
        }
    }
    assert_eq!(c.shutdown(), Ended::Clean);
}

#[test]
fn every_answer_has_the_protocols_shape() {
    let mut c = Client::start();
    c.open("shape.gl", BUNDLED);
    c.publication();
    let offset = BUNDLED.find("when coagulopathy or").unwrap() + "when ".len();
    for (method, params) in every_request("shape.gl", BUNDLED, offset) {
        let v = c.ok(method, params);
        let ok = match method {
            // A hover, a location or a range: an object, or null when there is nothing.
            "textDocument/hover" => v.is_null() || v["contents"]["kind"] == "markdown",
            "textDocument/definition" | "textDocument/prepareRename" => {
                v.is_null() || v["start"].is_object() || v["uri"].is_string() || v["range"].is_object()
            }
            "textDocument/references"
            | "textDocument/documentSymbol"
            | "textDocument/completion"
            | "textDocument/codeAction" => v.is_array(),
            // Edits, or null for a text that does not parse (this one does).
            "textDocument/formatting" => v.is_array() || v.is_null(),
            _ => false,
        };
        assert!(ok, "{method}: {v:#}");
    }
    let r = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": uri("shape.gl")}, "position": position(BUNDLED, offset), "newName": "coag"}),
    );
    match &r.response_result {
        Ok(edit) => assert!(edit["changes"][uri("shape.gl")].is_array(), "{edit:#}"),
        // A refusal says why, as an error the editor shows.
        Err(e) => assert_eq!(i64::from(e.code), REQUEST_FAILED),
    }
    assert_eq!(c.shutdown(), Ended::Clean);
}

/// Edits as an editor sends them: a place, some characters removed, some
/// typed (ASCII, multi-byte, astral, line breaks).
fn edit_strategy() -> impl proptest::strategy::Strategy<Value = (proptest::sample::Index, usize, String)> {
    use proptest::prelude::*;
    let typed = prop::collection::vec(
        prop::sample::select(vec!["w", "bc", " ", "\n", ">", "1", "µ", "𝔸", "\"", "when "]),
        0..4,
    )
    .prop_map(|parts| parts.concat());
    (any::<proptest::sample::Index>(), 0usize..12, typed)
}

proptest::proptest! {
    #![proptest_config(super::common::gen::config(24))]

    /// Incremental changes, several to a notification, leave the server
    /// with the text the editor has: its diagnostics are those of a fresh
    /// analysis of that text, at the same ranges.
    #[test]
    fn incremental_changes_keep_the_servers_text_the_editors(edits in proptest::collection::vec(edit_strategy(), 1..6)) {
        let mut c = Client::start();
        c.open("edit.gl", CLASH);
        let mut text = CLASH.to_string();
        let mut changes = Vec::new();
        for (at, removed, typed) in &edits {
            let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let i = at.index(bounds.len());
            let (start, end) = (bounds[i], bounds[(i + removed).min(bounds.len() - 1)]);
            changes.push(json!({"range": {"start": position(&text, start), "end": position(&text, end)}, "text": typed}));
            text.replace_range(start..end, typed);
        }
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri("edit.gl"), "version": 2}, "contentChanges": changes}),
        );
        let p = c.publication_where(|p| p["version"] == 2);
        let analysis = guidelang::ide::Analysis::new("edit.gl", &text);
        let expected: Vec<(Value, String)> = guidelang::ide::diagnostics::diagnostics(&analysis)
            .into_iter()
            .map(|d| (json!({"start": position(&text, d.span.start), "end": position(&text, d.span.end)}), d.code))
            .collect();
        let got: Vec<(Value, String)> = p["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| !d["code"].as_str().unwrap_or("").contains("::lint::"))
            .map(|d| (d["range"].clone(), d["code"].as_str().unwrap_or("").to_string()))
            .collect();
        proptest::prop_assert_eq!(got, expected, "text after the edits: {:?}", text);
        c.shutdown();
    }
}
