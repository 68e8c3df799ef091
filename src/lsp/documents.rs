//! The open documents: each one's text, its analysis (rebuilt on every
//! change), the last analysis whose text parsed (completion reads names from
//! it while the text is half typed) and the lint findings last published.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use lsp_types as lsp;

use super::convert;
use crate::diagnostics::Span;
use crate::ide::diagnostics::{diagnostics, EditorDiagnostic};
use crate::ide::{Analysis, LineIndex};

/// One open document.
pub struct Document {
    /// Its address, as the client names it.
    pub uri: lsp::Uri,
    /// The client's version of it.
    pub version: i32,
    /// Counts the changes seen: a lint result computed for an older count is stale.
    pub generation: u64,
    /// The text.
    pub text: String,
    /// The text's analysis; `None` only when analysing it panicked (a bug,
    /// said to the user as a diagnostic, never a dead server).
    pub analysis: Option<Arc<Analysis>>,
    /// The latest analysis whose text parsed.
    pub last_good: Option<Arc<Analysis>>,
    /// The parse and check diagnostics of `analysis`.
    pub checked: Vec<EditorDiagnostic>,
    /// Lint's findings: for the current text once the lint of this
    /// generation is in, until then the older ones moved along with the edits
    /// since (those an edit touched are dropped).
    pub lint: Vec<EditorDiagnostic>,
}

/// A change the client reported, in bytes of the text before it.
struct Edit {
    span: Span,
    inserted: usize,
}

impl Document {
    /// A document opened with `text`.
    pub fn open(uri: lsp::Uri, version: i32, text: String) -> Document {
        let mut doc = Document {
            uri,
            version,
            generation: 0,
            text,
            analysis: None,
            last_good: None,
            checked: Vec::new(),
            lint: Vec::new(),
        };
        doc.analyse();
        doc
    }

    /// The name problems are reported under: the path of a `file:` address,
    /// the whole address otherwise.
    pub fn name(&self) -> String {
        let s = self.uri.as_str();
        s.strip_prefix("file://").unwrap_or(s).to_string()
    }

    /// Applies the client's changes in order (a change without a range
    /// replaces the whole text) and analyses the result.
    pub fn change(&mut self, version: i32, changes: Vec<lsp::TextDocumentContentChangeEvent>) {
        let mut edits = Vec::new();
        let mut whole = false;
        for change in changes {
            match change.range {
                Some(r) => {
                    let lines = LineIndex::new(&self.text);
                    let span = convert::span(&lines, r);
                    self.text.replace_range(span.start..span.end, &change.text);
                    edits.push(Edit {
                        span,
                        inserted: change.text.len(),
                    });
                }
                None => {
                    self.text = change.text;
                    whole = true;
                }
            }
        }
        self.lint = if whole {
            Vec::new()
        } else {
            shift(std::mem::take(&mut self.lint), &edits)
        };
        self.version = version;
        self.generation += 1;
        self.analyse();
    }

    fn analyse(&mut self) {
        let name = self.name();
        let text = &self.text;
        let built = catch_unwind(AssertUnwindSafe(|| {
            let analysis = Analysis::new(&name, text);
            let checked = diagnostics(&analysis);
            (analysis, checked)
        }));
        match built {
            Ok((analysis, checked)) => {
                let analysis = Arc::new(analysis);
                if analysis.file().is_some() {
                    self.last_good = Some(Arc::clone(&analysis));
                }
                self.analysis = Some(analysis);
                self.checked = checked;
            }
            Err(_) => {
                self.analysis = None;
                self.checked = vec![EditorDiagnostic {
                    span: Span::default(),
                    severity: crate::diagnostics::Severity::Error,
                    code: "guidelang::lsp::internal".to_string(),
                    message: "guidelang failed while reading this text; this is a bug, please report it with the text"
                        .to_string(),
                    help: None,
                    related: Vec::new(),
                    fixes: Vec::new(),
                }];
                self.lint.clear();
            }
        }
    }

    /// The protocol's diagnostics: the check's and lint's together, as a
    /// publication replaces every earlier one for the document.
    pub fn published(&self) -> Vec<lsp::Diagnostic> {
        let lines = LineIndex::new(&self.text);
        self.checked
            .iter()
            .chain(&self.lint)
            .map(|d| convert::diagnostic(&lines, &self.uri, d))
            .collect()
    }
}

/// Moves diagnostics' spans along with edits made in order; a diagnostic
/// whose place an edit touched is dropped (the lint to come will say).
fn shift(mut ds: Vec<EditorDiagnostic>, edits: &[Edit]) -> Vec<EditorDiagnostic> {
    for e in edits {
        let moved = |s: Span| -> Option<Span> {
            if s.end < e.span.start || (s.end == e.span.start && s.start < s.end) {
                Some(s)
            } else if s.start > e.span.end {
                let delta = e.inserted as isize - (e.span.end - e.span.start) as isize;
                Some(Span::new(
                    s.start.saturating_add_signed(delta),
                    s.end.saturating_add_signed(delta),
                ))
            } else {
                None
            }
        };
        ds.retain_mut(|d| {
            let Some(span) = moved(d.span) else { return false };
            d.span = span;
            d.related.retain_mut(|r| match moved(r.span) {
                Some(s) => {
                    r.span = s;
                    true
                }
                None => false,
            });
            // A fix's edits point into the old text: offered again by the next lint.
            d.fixes.clear();
            true
        });
    }
    ds
}

/// The open documents, by address (as text: `Uri` caches parts of itself
/// in cells, which makes a poor key).
#[derive(Default)]
pub struct Documents {
    open: HashMap<String, Document>,
}

impl Documents {
    /// Opens (or reopens) a document.
    pub fn open(&mut self, doc: Document) -> &Document {
        let uri = doc.uri.as_str().to_string();
        self.open.entry(uri).insert_entry(doc).into_mut()
    }

    /// The document at `uri`, if open.
    pub fn get(&self, uri: &lsp::Uri) -> Option<&Document> {
        self.open.get(uri.as_str())
    }

    /// The document at `uri`, to change, if open.
    pub fn get_mut(&mut self, uri: &lsp::Uri) -> Option<&mut Document> {
        self.open.get_mut(uri.as_str())
    }

    /// Closes a document; true if it was open.
    pub fn close(&mut self, uri: &lsp::Uri) -> bool {
        self.open.remove(uri.as_str()).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri() -> lsp::Uri {
        "file:///t.gl".parse().unwrap_or_else(|_| unreachable!())
    }

    fn change(r: Option<((u32, u32), (u32, u32))>, text: &str) -> lsp::TextDocumentContentChangeEvent {
        lsp::TextDocumentContentChangeEvent {
            range: r.map(|((l0, c0), (l1, c1))| lsp::Range {
                start: lsp::Position::new(l0, c0),
                end: lsp::Position::new(l1, c1),
            }),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn incremental_changes_apply_in_order_in_utf16_columns() {
        let mut d = Document::open(uri(), 1, "fact µg: bool\nrule x\n".to_string());
        // Replace `bool` (columns 9..13: `µ` is one unit), then insert on line 1.
        d.change(
            2,
            vec![
                change(Some(((0, 9), (0, 13))), "integer"),
                change(Some(((1, 6), (1, 6))), "y"),
            ],
        );
        assert_eq!(d.text, "fact µg: integer\nrule xy\n");
        d.change(3, vec![change(None, "whole")]);
        assert_eq!((d.text.as_str(), d.version, d.generation), ("whole", 3, 2));
    }

    #[test]
    fn lint_places_move_with_edits_and_touched_ones_go() {
        let diag = |start, end| EditorDiagnostic {
            span: Span::new(start, end),
            severity: crate::diagnostics::Severity::Warning,
            code: "c".to_string(),
            message: String::new(),
            help: None,
            related: Vec::new(),
            fixes: Vec::new(),
        };
        let ds = vec![diag(0, 2), diag(5, 7), diag(10, 12)];
        // Replace bytes 5..6 with three bytes: the one before stays, the one
        // touched goes, the one after moves by two.
        let out = shift(
            ds,
            &[Edit {
                span: Span::new(5, 6),
                inserted: 3,
            }],
        );
        let spans: Vec<Span> = out.iter().map(|d| d.span).collect();
        assert_eq!(spans, [Span::new(0, 2), Span::new(12, 14)]);
    }
}
