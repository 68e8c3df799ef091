//! The grammar: pest's parser derived from `grammar/guideline.pest`, and the
//! questions asked of it directly (is a word reserved?).

use pest::iterators::Pair;
use pest::Parser;
use std::sync::OnceLock;

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

/// The spelling of a keyword's rule (`when` for `kw_when`), `None` for any
/// other rule. The grammar names each keyword's rule `kw_` and its spelling,
/// so the spelling is read from the rule's name rather than written twice.
pub(super) fn keyword_spelling(kind: Rule) -> Option<&'static str> {
    static SPELLINGS: OnceLock<Vec<Option<String>>> = OnceLock::new();
    let spellings = SPELLINGS.get_or_init(|| {
        let rules = Rule::all_rules();
        let mut out = vec![None; rules.iter().map(|r| *r as usize + 1).max().unwrap_or(0)];
        for r in rules {
            out[*r as usize] = format!("{r:?}").strip_prefix("kw_").map(str::to_string);
        }
        out
    });
    spellings.get(kind as usize)?.as_deref()
}
