//! The grammar: pest's parser derived from `grammar/guideline.pest`, and the
//! questions asked of it directly (is a word reserved?).

use pest::iterators::Pair;
use pest::Parser;

use crate::diagnostics::Span;

/// pest's parser for `grammar/guideline.pest`; its `Rule` enum names the grammar's rules.
#[derive(pest_derive::Parser)]
#[grammar = "../grammar/guideline.pest"]
pub(super) struct GuidelineParser;

/// The source span a pair covers.
pub(super) fn span_of(pair: &Pair<Rule>) -> Span {
    let s = pair.as_span();
    Span::new(s.start(), s.end())
}

/// True for the language's reserved words.
pub fn is_reserved(word: &str) -> bool {
    GuidelineParser::parse(Rule::keyword, word).is_ok_and(|p| p.as_str() == word)
}
