//! The requests: each one reads its document's analysis, calls one editor
//! service of [`crate::ide`] and converts the answer. A request about a
//! document that is not open, or with parameters that do not read, is
//! answered with an error; a service with nothing to say answers `null`.

use lsp_server::{ErrorCode, Request, ResponseError};
use lsp_types as lsp;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::convert;
use super::documents::{Document, Documents};
use crate::ide::diagnostics::EditorDiagnostic;
use crate::ide::{self, Analysis, Fix};

type Answer = Result<Value, ResponseError>;

fn error(code: ErrorCode, message: impl Into<String>) -> ResponseError {
    ResponseError {
        code: code as i32,
        message: message.into(),
        data: None,
    }
}

fn params<P: DeserializeOwned>(req: Request) -> Result<P, ResponseError> {
    serde_json::from_value(req.params).map_err(|e| {
        error(
            ErrorCode::InvalidParams,
            format!("the `{}` parameters do not read: {e}", req.method),
        )
    })
}

fn json(value: impl serde::Serialize) -> Answer {
    serde_json::to_value(value).map_err(|e| error(ErrorCode::InternalError, format!("cannot write the answer: {e}")))
}

/// The open document and its analysis.
fn open<'a>(documents: &'a Documents, uri: &lsp::Uri) -> Result<(&'a Document, &'a Analysis), ResponseError> {
    let doc = documents.get(uri).ok_or_else(|| {
        error(
            ErrorCode::RequestFailed,
            format!("`{}` is not open: open it (textDocument/didOpen) first", uri.as_str()),
        )
    })?;
    let analysis = doc.analysis.as_deref().ok_or_else(|| {
        error(
            ErrorCode::RequestFailed,
            "guidelang could not read this text (see its diagnostic)",
        )
    })?;
    Ok((doc, analysis))
}

/// The document and byte offset of a position request.
fn at<'a>(
    documents: &'a Documents,
    p: &lsp::TextDocumentPositionParams,
) -> Result<(&'a Document, &'a Analysis, usize), ResponseError> {
    let (doc, a) = open(documents, &p.text_document.uri)?;
    Ok((doc, a, convert::offset(a.lines(), p.position)))
}

/// Answers one request.
pub fn handle(documents: &Documents, req: Request) -> Answer {
    use lsp::request::{Request as _, *};
    match req.method.as_str() {
        HoverRequest::METHOD => hover(documents, params(req)?),
        GotoDefinition::METHOD => definition(documents, params(req)?),
        References::METHOD => references(documents, params(req)?),
        PrepareRenameRequest::METHOD => prepare_rename(documents, params(req)?),
        Rename::METHOD => rename(documents, params(req)?),
        DocumentSymbolRequest::METHOD => symbols(documents, params(req)?),
        Completion::METHOD => completion(documents, params(req)?),
        Formatting::METHOD => formatting(documents, params(req)?),
        CodeActionRequest::METHOD => code_actions(documents, params(req)?),
        Initialize::METHOD => Err(error(ErrorCode::InvalidRequest, "the server is already initialized")),
        method => Err(error(
            ErrorCode::MethodNotFound,
            format!("guidelang lsp does not answer `{method}`"),
        )),
    }
}

fn hover(documents: &Documents, p: lsp::HoverParams) -> Answer {
    let (_, a, offset) = at(documents, &p.text_document_position_params)?;
    json(ide::hover::hover(a, offset).map(|h| lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: h.markdown,
        }),
        range: Some(convert::range(a.lines(), h.span)),
    }))
}

fn definition(documents: &Documents, p: lsp::GotoDefinitionParams) -> Answer {
    let (doc, a, offset) = at(documents, &p.text_document_position_params)?;
    json(ide::navigate::definition(a, offset).map(|s| {
        lsp::GotoDefinitionResponse::Scalar(lsp::Location::new(doc.uri.clone(), convert::range(a.lines(), s)))
    }))
}

fn references(documents: &Documents, p: lsp::ReferenceParams) -> Answer {
    let (doc, a, offset) = at(documents, &p.text_document_position)?;
    let spans = ide::navigate::references(a, offset, p.context.include_declaration);
    json(
        spans
            .into_iter()
            .map(|s| lsp::Location::new(doc.uri.clone(), convert::range(a.lines(), s)))
            .collect::<Vec<_>>(),
    )
}

fn prepare_rename(documents: &Documents, p: lsp::TextDocumentPositionParams) -> Answer {
    let (_, a, offset) = at(documents, &p)?;
    json(
        ide::navigate::prepare_rename(a, offset)
            .map(|s| lsp::PrepareRenameResponse::Range(convert::range(a.lines(), s))),
    )
}

fn rename(documents: &Documents, p: lsp::RenameParams) -> Answer {
    let (doc, a, offset) = at(documents, &p.text_document_position)?;
    match ide::navigate::rename(a, offset, &p.new_name) {
        Ok(edits) => json(convert::workspace_edit(a.lines(), &doc.uri, &edits)),
        // Why not, in words the editor shows.
        Err(why) => Err(error(ErrorCode::RequestFailed, why)),
    }
}

fn symbols(documents: &Documents, p: lsp::DocumentSymbolParams) -> Answer {
    let (_, a) = open(documents, &p.text_document.uri)?;
    let outline: Vec<lsp::DocumentSymbol> = ide::symbols::symbols(a)
        .iter()
        .map(|s| convert::document_symbol(a.lines(), s))
        .collect();
    json(lsp::DocumentSymbolResponse::Nested(outline))
}

fn completion(documents: &Documents, p: lsp::CompletionParams) -> Answer {
    let (doc, a, offset) = at(documents, &p.text_document_position)?;
    let items: Vec<lsp::CompletionItem> = ide::complete::completions(a, offset, doc.last_good.as_deref())
        .iter()
        .map(convert::completion_item)
        .collect();
    json(lsp::CompletionResponse::Array(items))
}

fn formatting(documents: &Documents, p: lsp::DocumentFormattingParams) -> Answer {
    let (_, a) = open(documents, &p.text_document.uri)?;
    // `null` for a text that does not parse: there is no layout to give it.
    json(ide::format::format(a).map(|edits| convert::text_edits(a.lines(), &edits)))
}

/// The quick fixes of the diagnostics the client sent back (matched to the
/// ones published for the current text by place, code and message), then
/// whatever else [`ide::actions::code_actions`] offers for the range.
fn code_actions(documents: &Documents, p: lsp::CodeActionParams) -> Answer {
    let (doc, a) = open(documents, &p.text_document.uri)?;
    let wanted = |kind: &lsp::CodeActionKind| {
        p.context.only.as_ref().is_none_or(|only| {
            only.iter()
                .any(|o| kind.as_str() == o.as_str() || kind.as_str().starts_with(&format!("{}.", o.as_str())))
        })
    };
    if !wanted(&lsp::CodeActionKind::QUICKFIX) {
        return json(Vec::<lsp::CodeActionOrCommand>::new());
    }
    let lines = a.lines();
    let published: Vec<(&EditorDiagnostic, lsp::Diagnostic)> = doc
        .checked
        .iter()
        .chain(&doc.lint)
        .map(|d| (d, convert::diagnostic(lines, &doc.uri, d)))
        .collect();
    let asked: Vec<(&EditorDiagnostic, &lsp::Diagnostic)> = p
        .context
        .diagnostics
        .iter()
        .filter_map(|c| {
            published
                .iter()
                .find(|(_, d)| d.range == c.range && d.code == c.code && d.message == c.message)
                .map(|(e, d)| (*e, d))
        })
        .collect();
    let mut offered: Vec<(Fix, Vec<lsp::Diagnostic>, bool)> = Vec::new();
    for (e, d) in &asked {
        for fix in &e.fixes {
            // The only fix of a diagnostic is the one to apply.
            offered.push((fix.clone(), vec![(*d).clone()], e.fixes.len() == 1));
        }
    }
    let in_range: Vec<EditorDiagnostic> = asked.iter().map(|(e, _)| (*e).clone()).collect();
    for fix in ide::actions::code_actions(a, convert::span(lines, p.range), &in_range) {
        if !offered
            .iter()
            .any(|(f, _, _)| f.title == fix.title && f.edits == fix.edits)
        {
            offered.push((fix, Vec::new(), false));
        }
    }
    let actions: Vec<lsp::CodeActionOrCommand> = offered
        .into_iter()
        .map(|(fix, answers, preferred)| convert::code_action(lines, &doc.uri, &fix, answers, preferred).into())
        .collect();
    json(actions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Span;
    use crate::ide::TextEdit;
    use lsp_server::RequestId;

    const TEXT: &str = "guideline t\n  title \"T\"\n  version 1.0.0\n  status draft\n\nfact wbc: number in 10^9/L from 0 \"White count\"\naction hydroxyurea \"Hydroxyurea\"\n\nrule r1: recommend hydroxyurea when wbcc > 100 cite 1\nreference 1 \"x\"\n";

    fn request(method: &str, params: Value) -> Request {
        Request::new(RequestId::from(1), method.to_string(), params)
    }

    /// A document whose one diagnostic (the misspelt `wbcc`) carries a fix,
    /// put there by hand: the wiring is tested whatever fixes the services offer.
    fn documents() -> (Documents, lsp::Uri, lsp::Diagnostic) {
        let uri: lsp::Uri = "file:///t.gl".parse().unwrap_or_else(|_| unreachable!());
        let mut documents = Documents::default();
        documents.open(Document::open(uri.clone(), 1, TEXT.to_string()));
        let doc = documents.get_mut(&uri).unwrap_or_else(|| unreachable!());
        // The unknown name (the unused `wbc` is a warning beside it).
        let i = doc
            .checked
            .iter()
            .position(|d| d.code == "guidelang::check::unknown_name")
            .unwrap_or_else(|| panic!("{:#?}", doc.checked));
        let at = TEXT.find("wbcc").unwrap_or(0);
        assert_eq!(doc.checked[i].span, Span::new(at, at + 4));
        doc.checked[i].fixes = vec![Fix {
            title: "replace `wbcc` with `wbc`".to_string(),
            edits: vec![TextEdit {
                span: Span::new(at, at + 4),
                new_text: "wbc".to_string(),
            }],
            answers: Some(doc.checked[i].code.clone()),
        }];
        let published = doc.published().remove(i);
        (documents, uri, published)
    }

    fn actions(documents: &Documents, uri: &lsp::Uri, diagnostics: Vec<lsp::Diagnostic>, only: Option<&str>) -> Value {
        let params = serde_json::json!({
            "textDocument": {"uri": uri.as_str()},
            "range": {"start": {"line": 8, "character": 0}, "end": {"line": 8, "character": 10}},
            "context": {"diagnostics": diagnostics, "only": only.map(|o| vec![o])},
        });
        handle(documents, request("textDocument/codeAction", params)).unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn a_diagnostics_fix_comes_back_as_a_quick_fix_with_its_edit_in_utf16_ranges() {
        let (documents, uri, published) = documents();
        let answer = actions(&documents, &uri, vec![published.clone()], None);
        let expected = serde_json::json!([{
            "title": "replace `wbcc` with `wbc`",
            "kind": "quickfix",
            "diagnostics": [published],
            "isPreferred": true,
            "edit": {"changes": {"file:///t.gl": [{
                "range": {"start": {"line": 8, "character": 36}, "end": {"line": 8, "character": 40}},
                "newText": "wbc",
            }]}},
        }]);
        assert_eq!(answer, expected);
    }

    #[test]
    fn a_diagnostic_the_server_did_not_publish_or_another_kind_gets_no_fix() {
        let (documents, uri, published) = documents();
        let mut stale = published.clone();
        stale.range.start.character += 1;
        assert_eq!(actions(&documents, &uri, vec![stale], None), serde_json::json!([]));
        assert_eq!(
            actions(&documents, &uri, vec![published.clone()], Some("refactor")),
            serde_json::json!([])
        );
        // `quickfix` asked for by name is offered.
        assert_eq!(
            actions(&documents, &uri, vec![published], Some("quickfix"))
                .as_array()
                .map(Vec::len),
            Some(1)
        );
    }
}
