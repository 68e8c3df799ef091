//! Syntax: guideline text to a typed syntax tree with spans.

pub mod ast;
mod parse;

pub use parse::{is_reserved, parse, MAX_EXPR_DEPTH, MAX_FILE_BYTES, MAX_NESTING};
