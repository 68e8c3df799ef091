//! The limits that keep hostile input from exhausting the stack or the clock:
//! the file size, the nesting of parentheses and prefix operators (checked by a
//! flat scan before pest's recursive descent sees the text), and the depth of
//! the expression tree (checked while lowering, before a deeper node is built).
//!
//! pest's call limit (`pest::set_call_limit`) is process-wide, so guidelang
//! never sets it: a host program that uses pest for its own grammars keeps the
//! limit it chose, or none. The parser's work is bounded by the file size
//! instead: the grammar reads each byte a bounded number of times (no choice
//! re-reads a nested expression: the forms of a primary, an item or a field
//! start differently). Measured with pest's counter: the bundled guideline
//! takes 3 steps per byte, a chain of definitions 8, and the densest input
//! found, conditions nested 64 parentheses deep, 35; so an 8 MiB file takes at
//! most about 300 million steps. pest's stack guard and the nesting scan keep
//! deep input from overflowing the stack. If the host has set a call limit and
//! a parse reaches it, the parse fails with `guidelang::syntax::too_complex`.

use crate::diagnostics::{Problem, Source, Span};

/// Largest guideline file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;
/// Deepest nesting of parentheses and prefix operators accepted in an expression.
pub const MAX_NESTING: usize = 64;
/// Deepest expression tree accepted: operators applied to the results of
/// operators, as in a long `and` chain. Every later stage (checker, evaluator,
/// linter) walks expressions recursively, so this bounds their stack use.
pub const MAX_EXPR_DEPTH: usize = 128;
/// The problem for a file past [`MAX_FILE_BYTES`], if it is.
pub(super) fn too_large(source: &Source) -> Option<Problem> {
    let text = source.text();
    (text.len() > MAX_FILE_BYTES).then(|| {
        Problem::error(
            "guidelang::syntax::too_large",
            format!(
                "the file is {} bytes; guideline files are limited to {} bytes",
                text.len(),
                MAX_FILE_BYTES
            ),
        )
        .with_help("split the guideline, or check that this is the right file")
        .with_source(source)
    })
}

/// The problem for an expression nested past [`MAX_NESTING`], if one is.
pub(super) fn too_deep(source: &Source) -> Option<Problem> {
    let span = first_too_deep(source.text())?;
    Some(
        Problem::error(
            "guidelang::syntax::too_deep",
            format!("expression nested more than {MAX_NESTING} levels deep"),
        )
        .with_label(span, "nesting limit reached here")
        .with_help(format!(
            "parentheses and `not`/`-` count together, at most {MAX_NESTING}; name a part of the expression with `define` and use the name"
        ))
        .with_source(source),
    )
}

/// Finds the first place where parentheses and `not`/`-` chains nest too
/// deep, so deep input is refused before any recursive stage sees it: pest's
/// descent and the Pratt parser's prefix recursion both grow with it.
///
/// Prefix operators waiting for their operand when a parenthesis opens stay
/// pending inside it (`not (not (not (...` recurses once per `not` and once per
/// parenthesis), so they are counted together along the path.
fn first_too_deep(text: &str) -> Option<Span> {
    let bytes = text.as_bytes();
    // Prefix operators pending at each open parenthesis, and their sum.
    let mut open: Vec<usize> = Vec::new();
    let mut pending = 0usize;
    // Prefix operators since the last operand at the current level. Infix `-`
    // is counted too: a conservative over-count that an operand resets.
    let mut chain = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                chain = 0;
                continue;
            }
            b'(' => {
                open.push(chain);
                pending += chain;
                chain = 0;
            }
            b')' => {
                pending -= open.pop().unwrap_or(0);
                chain = 0;
            }
            b'-' => chain += 1,
            b if b.is_ascii_alphanumeric() || b == b'_' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                if &bytes[start..i] == b"not" {
                    chain += 1;
                } else {
                    chain = 0;
                }
                if open.len() + pending + chain > MAX_NESTING {
                    return Some(Span::new(start, i));
                }
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => chain = 0,
        }
        i += 1;
        if open.len() + pending + chain > MAX_NESTING {
            // Every byte that opens a level here is ASCII, so `start + 1` is a char boundary.
            return Some(Span::new(start, start + 1));
        }
    }
    None
}

/// The depth of a node over a subtree `depth` deep, or the error past the limit.
pub(super) fn deeper(depth: usize, span: Span) -> Result<usize, Problem> {
    if depth < MAX_EXPR_DEPTH {
        Ok(depth + 1)
    } else {
        Err(Problem::error(
            "guidelang::syntax::expression_too_deep",
            format!("this expression is more than {MAX_EXPR_DEPTH} operators deep"),
        )
        .with_label(span, "the limit is reached here")
        .with_help("a long chain of `and`/`or` or of arithmetic nests one level per operator; name parts of it with `define` and use the names, or use `at least N of (...)`"))
    }
}
