//! Between the editor services' byte spans and plain types and the
//! protocol's ranges and types. Positions are UTF-16 columns (the protocol's
//! default, and the only encoding every client speaks), converted by the
//! analysed text's [`LineIndex`].

use std::collections::HashMap;

use lsp_types as lsp;

use crate::diagnostics::{Severity, Span};
use crate::ide::complete::{Completion, CompletionKind};
use crate::ide::diagnostics::EditorDiagnostic;
use crate::ide::position::LineCol;
use crate::ide::symbols::{Symbol, SymbolKind};
use crate::ide::{Fix, LineIndex, TextEdit};

/// What every diagnostic says it comes from.
pub const SOURCE: &str = "guidelang";

/// The protocol's range of a byte span.
pub fn range(lines: &LineIndex, span: Span) -> lsp::Range {
    lsp::Range {
        start: position(lines, span.start),
        end: position(lines, span.end.max(span.start)),
    }
}

/// The protocol's position of a byte offset.
pub fn position(lines: &LineIndex, offset: usize) -> lsp::Position {
    let lc = lines.line_col(offset);
    lsp::Position {
        line: lc.line,
        character: lc.col,
    }
}

/// The byte offset of a protocol position (clamped to the text).
pub fn offset(lines: &LineIndex, at: lsp::Position) -> usize {
    lines.offset(LineCol {
        line: at.line,
        col: at.character,
    })
}

/// The byte span of a protocol range (its ends in order).
pub fn span(lines: &LineIndex, r: lsp::Range) -> Span {
    let (a, b) = (offset(lines, r.start), offset(lines, r.end));
    Span::new(a.min(b), a.max(b))
}

/// An editor diagnostic as the protocol's. The help, which the protocol has
/// no field for, follows the message as the CLI prints it (`help: ...`).
pub fn diagnostic(lines: &LineIndex, uri: &lsp::Uri, d: &EditorDiagnostic) -> lsp::Diagnostic {
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .related
        .iter()
        .map(|r| lsp::DiagnosticRelatedInformation {
            location: lsp::Location::new(uri.clone(), range(lines, r.span)),
            message: r.message.clone(),
        })
        .collect();
    lsp::Diagnostic {
        range: range(lines, d.span),
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        }),
        code: Some(lsp::NumberOrString::String(d.code.clone())),
        code_description: None,
        source: Some(SOURCE.to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// Edits as the protocol's.
pub fn text_edits(lines: &LineIndex, edits: &[TextEdit]) -> Vec<lsp::TextEdit> {
    edits
        .iter()
        .map(|e| lsp::TextEdit {
            range: range(lines, e.span),
            new_text: e.new_text.clone(),
        })
        .collect()
}

/// Edits of one document as a workspace edit.
pub fn workspace_edit(lines: &LineIndex, uri: &lsp::Uri, edits: &[TextEdit]) -> lsp::WorkspaceEdit {
    lsp::WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), text_edits(lines, edits))])),
        ..lsp::WorkspaceEdit::default()
    }
}

/// A quick fix as a code action, with the diagnostics it answers.
pub fn code_action(
    lines: &LineIndex,
    uri: &lsp::Uri,
    fix: &Fix,
    answers: Vec<lsp::Diagnostic>,
    preferred: bool,
) -> lsp::CodeAction {
    lsp::CodeAction {
        title: fix.title.clone(),
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics: (!answers.is_empty()).then_some(answers),
        edit: Some(workspace_edit(lines, uri, &fix.edits)),
        is_preferred: preferred.then_some(true),
        ..lsp::CodeAction::default()
    }
}

/// An outline entry, with its children.
pub fn document_symbol(lines: &LineIndex, s: &Symbol) -> lsp::DocumentSymbol {
    let kind = match s.kind {
        SymbolKind::Header => lsp::SymbolKind::FILE,
        SymbolKind::Group => lsp::SymbolKind::NAMESPACE,
        SymbolKind::Fact => lsp::SymbolKind::FIELD,
        SymbolKind::Definition => lsp::SymbolKind::FUNCTION,
        SymbolKind::Action => lsp::SymbolKind::EVENT,
        SymbolKind::Rule => lsp::SymbolKind::METHOD,
        SymbolKind::Invariant => lsp::SymbolKind::BOOLEAN,
        SymbolKind::Note => lsp::SymbolKind::STRING,
        SymbolKind::Reference => lsp::SymbolKind::CONSTANT,
    };
    let range = range(lines, s.span);
    // The protocol requires the name's range inside the whole one.
    let selection = if s.selection.start >= s.span.start && s.selection.end <= s.span.end {
        self::range(lines, s.selection)
    } else {
        range
    };
    #[allow(deprecated)] // `deprecated` is a required field of the struct.
    lsp::DocumentSymbol {
        name: if s.name.is_empty() {
            "?".to_string()
        } else {
            s.name.clone()
        },
        detail: s.detail.clone(),
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range: selection,
        children: (!s.children.is_empty()).then(|| s.children.iter().map(|c| document_symbol(lines, c)).collect()),
    }
}

/// A completion as the protocol's item.
pub fn completion_item(c: &Completion) -> lsp::CompletionItem {
    let kind = match c.kind {
        CompletionKind::Fact => lsp::CompletionItemKind::FIELD,
        CompletionKind::Definition => lsp::CompletionItemKind::FUNCTION,
        CompletionKind::Value => lsp::CompletionItemKind::ENUM_MEMBER,
        CompletionKind::Unit => lsp::CompletionItemKind::UNIT,
        CompletionKind::Rule => lsp::CompletionItemKind::REFERENCE,
        CompletionKind::Action => lsp::CompletionItemKind::EVENT,
        CompletionKind::Keyword => lsp::CompletionItemKind::KEYWORD,
        CompletionKind::Reference => lsp::CompletionItemKind::CONSTANT,
    };
    lsp::CompletionItem {
        label: c.label.clone(),
        kind: Some(kind),
        detail: c.detail.clone(),
        ..lsp::CompletionItem::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_count_utf16_units_and_round_trip() {
        let text = "fact µ: bool \"𝔸 note\"\nrule r";
        let lines = LineIndex::new(text);
        let start = text.find("note").unwrap_or(0);
        let r = range(&lines, Span::new(start, start + 4));
        // `fact µ: bool "` is 14 units, `𝔸 ` three more.
        assert_eq!(r.start, lsp::Position { line: 0, character: 17 });
        assert_eq!(span(&lines, r), Span::new(start, start + 4));
        let r = range(&lines, Span::new(text.len() - 1, text.len()));
        assert_eq!((r.start.line, r.start.character, r.end.character), (1, 5, 6));
    }
}
