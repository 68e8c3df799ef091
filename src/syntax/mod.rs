//! Syntax: guideline text to a typed syntax tree with spans.
//!
//! [`parse`] runs the stages in order: `limits` screens the input (size,
//! nesting), pest recognises it with the grammar in `grammar/guideline.pest`
//! (`grammar`), `error` words a failure for the user, and `lower` builds the
//! [`ast`], ordering operators by the one [`precedence`] table.
//!
//! pest's call limit is process-wide, so this module never sets it: the file
//! size limit ([`MAX_FILE_BYTES`]) bounds the parser's work instead, and a
//! limit the host program sets is left as it is (a parse that reaches it fails
//! with `guidelang::syntax::too_complex`).

pub mod ast;
mod error;
mod grammar;
#[cfg(test)]
mod grammar_tests;
mod limits;
mod lower;
mod parse;
pub mod precedence;

pub use grammar::is_reserved;
pub use limits::{MAX_EXPR_DEPTH, MAX_FILE_BYTES, MAX_NESTING};
pub use parse::parse;
