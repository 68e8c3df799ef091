//! From text to [`File`]: the limits screen the input, pest recognises it, the
//! lowering builds the typed tree; any failure becomes problems with the source.

use pest::Parser;

use super::ast::File;
use super::grammar::{GuidelineParser, Rule};
use super::{error, limits, lower};
use crate::diagnostics::{Problem, Source};

/// Parses a guideline source into its syntax tree, or reports every problem found.
pub fn parse(source: &Source) -> Result<File, Vec<Problem>> {
    if let Some(problem) = limits::too_large(source) {
        return Err(vec![problem]);
    }
    let text = source.text();
    if text
        .trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .is_empty()
    {
        return Err(vec![Problem::error(
            "guidelang::syntax::empty",
            "the file is empty: a guideline starts with `guideline <id>`",
        )
        .with_help("see docs/language.md for the header and the items that follow it")
        .with_source(source)]);
    }
    if let Some(problem) = limits::too_deep(source) {
        return Err(vec![problem]);
    }
    let mut pairs = GuidelineParser::parse(Rule::file, text).map_err(|e| vec![error::syntax_error(e, source)])?;
    let file = pairs
        .next()
        .ok_or_else(|| vec![Problem::error("guidelang::syntax::empty", "empty parse")])?;
    lower::file(file).map_err(|problems| problems.into_iter().map(|p| p.with_source(source)).collect())
}
