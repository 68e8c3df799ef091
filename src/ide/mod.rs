//! Editor services as plain library functions: diagnostics, hover, completion,
//! go to definition, references, rename, the outline, formatting and code
//! actions, over one [`Analysis`] of a guideline's text.
//!
//! Positions are byte [`Span`]s of the text; [`position::LineIndex`] turns them
//! into the UTF-16 line/column pairs of the Language Server Protocol and the
//! UTF-16 offsets of a browser editor. Nothing here knows about a protocol:
//! `guidelang lsp` and the browser workbench call these functions unchanged.

pub mod actions;
pub mod complete;
pub mod diagnostics;
pub mod format;
pub mod hover;
mod index;
pub mod navigate;
pub mod position;
pub mod symbols;

use crate::check;
use crate::diagnostics::{Problem, Source, Span};
use crate::model::Guideline;
use crate::syntax::{self, ast};

pub use position::LineIndex;

/// One reading of a guideline's text: its syntax tree (when it parses), its
/// checked model (when it checks) and every problem found on the way. Built
/// once per edit; every service reads it.
#[derive(Debug)]
pub struct Analysis {
    source: Source,
    file: Option<ast::File>,
    guideline: Option<Guideline>,
    problems: Vec<Problem>,
    lines: LineIndex,
}

impl Analysis {
    /// Parses and checks `text`, known to the user as `name`. Never fails: a
    /// text that does not parse has its parse problems and no tree.
    pub fn new(name: &str, text: &str) -> Analysis {
        let source = Source::new(name, text);
        let lines = LineIndex::new(text);
        let (file, guideline, problems) = match syntax::parse(&source) {
            Err(problems) => (None, None, problems),
            Ok(file) => {
                // The checker's problems hold its warnings too (the model
                // keeps a copy in `Guideline::warnings`).
                let checked = check::check(&file, &source);
                (Some(file), checked.guideline, checked.problems)
            }
        };
        Analysis {
            source,
            file,
            guideline,
            problems,
            lines,
        }
    }

    /// The text analysed, with its name.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The text analysed.
    pub fn text(&self) -> &str {
        self.source.text()
    }

    /// The syntax tree, when the text parses.
    pub fn file(&self) -> Option<&ast::File> {
        self.file.as_ref()
    }

    /// The checked guideline, when the text has no errors.
    pub fn guideline(&self) -> Option<&Guideline> {
        self.guideline.as_ref()
    }

    /// Every parse and check problem, errors and warnings.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// Line starts of the text, for converting positions.
    pub fn lines(&self) -> &LineIndex {
        &self.lines
    }
}

/// A replacement of the text a span covers.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TextEdit {
    /// The bytes replaced (empty for an insertion).
    pub span: Span,
    /// What goes there.
    pub new_text: String,
}

/// A named set of edits an editor offers to apply (a quick fix).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Fix {
    /// What the fix does, as the editor's menu shows it.
    pub title: String,
    /// The edits, none overlapping.
    pub edits: Vec<TextEdit>,
    /// The diagnostic code it answers, when it answers one.
    pub answers: Option<String>,
}
