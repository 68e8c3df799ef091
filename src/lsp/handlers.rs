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
