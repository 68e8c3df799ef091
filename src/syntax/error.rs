//! Parse errors as the user reads them: pest's failure turned into one problem
//! that names what was found and what the grammar expected there.

use std::borrow::Cow;

use super::grammar::{is_reserved, keyword_spelling, Rule};
use crate::diagnostics::{Problem, Source, Span};

/// The problem for a file pest could not parse.
pub(super) fn syntax_error(e: pest::error::Error<Rule>, source: &Source) -> Problem {
    use pest::error::{ErrorVariant, InputLocation};
    let (start, end) = match e.location {
        InputLocation::Pos(p) => (p, p),
        InputLocation::Span((a, b)) => (a, b),
    };
    // A word is shown without the punctuation after it (`dose`, not `dose:`),
    // so that a reserved word used as a name is recognised as one.
    let found = source.text().get(start..).and_then(|rest| {
        let token = rest.split_whitespace().next()?;
        let word_len = token
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(token.len());
        let word = if word_len > 0 && token.starts_with(|c: char| c.is_ascii_alphabetic()) {
            &token[..word_len]
        } else {
            token
        };
        Some(word.chars().take(30).collect::<String>())
    });
    let end = if end > start {
        end
    } else {
        start + found.as_ref().map_or(0, |w| w.len())
    };
    let positives = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => positives,
        ErrorVariant::CustomError { message } => return limit_error(message, start, source),
    };
    let mut expected: Vec<Cow<'static, str>> = positives.iter().map(|r| describe(*r)).collect();
    expected.sort_unstable();
    expected.dedup();
    let expected_text = match expected.len() {
        0 => "something else".to_string(),
        1 => expected[0].to_string(),
        n => format!("{} or {}", expected[..n - 1].join(", "), expected[n - 1]),
    };
    let reserved_as_name = expected.iter().any(|e| e == "a name") && found.as_deref().is_some_and(is_reserved);
    let glued = found.as_deref().and_then(|w| Some((w, glued_keyword(w, positives)?)));
    let message = match (&found, glued) {
        (Some(w), _) if reserved_as_name => format!("`{w}` is a reserved word and cannot be used as a name"),
        (_, Some((w, keyword))) => format!(
            "unexpected `{w}`: one word, not the keyword `{keyword}` followed by `{}`",
            &w[keyword.len()..]
        ),
        (Some(w), None) => format!("unexpected `{w}`: expected {expected_text}"),
        (None, _) => format!("the file ends too early: expected {expected_text}"),
    };
    let help = if reserved_as_name {
        "reserved words (when, dose, by, in, is, ...) carry the language's structure and cannot name a fact, \
         definition or action; choose another name"
            .to_string()
    } else if let Some((w, keyword)) = glued {
        format!(
            "keywords are whole words; if you meant `{keyword} {}`, put a space after `{keyword}`",
            &w[keyword.len()..]
        )
    } else if let Some((number, rest)) = found.as_deref().and_then(glued_number) {
        format!("a number and the word after it are written apart; if you meant `{number} {rest}`, put a space after `{number}`")
    } else if found.as_deref() == Some("otherwise") {
        "`otherwise` belongs to a dose chosen by criteria, whose criterion is written with `if`: \
         `dose 2.5 mg if CONDITION otherwise 5 mg` (`when` is the rule's own condition)"
            .to_string()
    } else {
        "see docs/language.md for the form of each item".to_string()
    };
    // The correction an editor can apply: the glued words written apart, or
    // a misspelt keyword spelt right. Only on a word the text holds whole
    // (`found` is cut at 30 characters), so the replacement covers exactly it.
    let whole = |w: &str| {
        let end = start + w.len();
        (source.slice(Span::new(start, end)) == w
            && !source.text()[end..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(Span::new(start, end))
    };
    let replacement = if reserved_as_name {
        None
    } else if let Some((w, keyword)) = glued {
        whole(w).map(|span| (span, format!("{keyword} {}", &w[keyword.len()..])))
    } else if let Some((number, rest)) = found.as_deref().and_then(glued_number) {
        whole(&format!("{number}{rest}")).map(|span| (span, format!("{number} {rest}")))
    } else {
        found
            .as_deref()
            .and_then(|w| Some((whole(w)?, misspelt_keyword(w, positives)?.to_string())))
    };
    let problem = Problem::error("guidelang::syntax::unexpected", message)
        .with_label(
            Span::new(start, end.min(source.text().len())),
            format!("expected {expected_text}"),
        )
        .with_help(help)
        .with_source(source);
    match replacement {
        Some((span, text)) => problem.with_replacement(span, text),
        None => problem,
    }
}

/// pest stops with a custom error only when one of its limits is reached.
fn limit_error(message: &str, at: usize, source: &Source) -> Problem {
    let at = Span::new(at.min(source.text().len()), at.min(source.text().len()));
    let problem = if message.contains("stack") {
        Problem::error(
            "guidelang::syntax::too_deep",
            "the file nests too deep for the parser's stack",
        )
        .with_help("name parts of deep expressions with `define` and use the names")
    } else {
        // guidelang sets no call limit (see `limits`): the program using it did.
        Problem::error(
            "guidelang::syntax::too_complex",
            format!("the parser stopped at the call limit set for pest in this program ({message})"),
        )
        .with_help(
            "the program that parses this file limits pest's work (`pest::set_call_limit`); raise or remove the limit",
        )
    };
    problem.with_label(at, "the parser stopped here").with_source(source)
}

/// The keywords pest expected, spelt out (a verdict is four keywords).
fn expected_keywords(positives: &[Rule]) -> impl Iterator<Item = &'static str> + Clone + '_ {
    const VERDICTS: [Rule; 4] = [
        Rule::kw_recommend,
        Rule::kw_consider,
        Rule::kw_avoid,
        Rule::kw_contraindicated,
    ];
    positives
        .iter()
        .flat_map(|r| match r {
            Rule::verdict => VERDICTS.to_vec(),
            r => vec![*r],
        })
        .filter_map(keyword_spelling)
}

/// The keyword expected where `found` stands that it is a misspelling of
/// (`recomend` for `recommend`, `wen` for `when`). Words under three letters
/// are left alone: one edit from `a` reaches `at`, from `as` reaches `is`.
fn misspelt_keyword(found: &str, positives: &[Rule]) -> Option<&'static str> {
    // A keyword in the wrong place is not a misspelling of another.
    if found.len() < 3 || !found.chars().all(|c| c.is_ascii_alphabetic()) || is_reserved(found) {
        return None;
    }
    // Closer than a name's did-you-mean: a name written where the grammar
    // wants a keyword (`when wbc > 100 als`, an `and` left out) is no
    // misspelling of `and`, two edits away.
    let keyword = crate::diagnostics::did_you_mean(found, expected_keywords(positives))?;
    let reach = if found.len() >= 7 { 2 } else { 1 };
    (strsim::damerau_levenshtein(found, keyword) <= reach).then_some(keyword)
}

/// The keyword that `found` starts with, among the keywords expected where it
/// stands: `when` for `whenals` after a rule's head. The longest such keyword,
/// and only a proper prefix, since a keyword written whole would have matched.
fn glued_keyword(found: &str, positives: &[Rule]) -> Option<&'static str> {
    expected_keywords(positives)
        .filter(|k| found.len() > k.len() && found.starts_with(k))
        .max_by_key(|k| k.len())
}

/// A number and the word glued after it: `100` and `and` for `100and`.
fn glued_number(found: &str) -> Option<(&str, &str)> {
    let end = found.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, rest) = found.split_at(end);
    let word = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0 && rest.starts_with(|c: char| c.is_ascii_alphabetic())).then_some((number, &rest[..word]))
}

/// What a grammar rule pest expected is called in a message.
fn describe(kind: Rule) -> Cow<'static, str> {
    const ITEM: &str = "an item (reference, action, fact, define, rule, note, invariant)";
    const HEADER: &str = "the header `guideline <id>`";
    // A rule that starts with a keyword is reported as that keyword when pest
    // tried nothing else there; the item and header keywords read better as what they start.
    let text = match kind {
        Rule::kw_reference
        | Rule::kw_action
        | Rule::kw_fact
        | Rule::kw_define
        | Rule::kw_rule
        | Rule::kw_note
        | Rule::kw_invariant => ITEM,
        Rule::kw_guideline => HEADER,
        Rule::kw_title
        | Rule::kw_version
        | Rule::kw_status
        | Rule::kw_updated
        | Rule::kw_reviewed
        | Rule::kw_applies => "a header field",
        Rule::kw_at | Rule::kw_sqrt => "an expression",
        Rule::kw_integer | Rule::kw_number => "a fact type",
        // Starts both a fact type and a postfix test, and is never written alone.
        Rule::kw_one => "`one of`",
        Rule::kw_never | Rule::kw_always => "`never` or `always decide`",
        _ => match keyword_spelling(kind) {
            Some(word) => return format!("`{word}`").into(),
            None => describe_rule(kind),
        },
    };
    text.into()
}

fn describe_rule(kind: Rule) -> &'static str {
    match kind {
        Rule::EOI => "end of file",
        Rule::file | Rule::header => "the header `guideline <id>`",
        Rule::name => "a name",
        Rule::item_id | Rule::guideline_id => "an id",
        Rule::string => "a quoted text",
        Rule::num | Rule::signed_num | Rule::quantity => "a number",
        Rule::int => "a whole number",
        Rule::unit => "a unit",
        Rule::semver => "a version like 1.0.0",
        Rule::date => "a date like 2026-01-05",
        Rule::status => "draft, in-review or approved",
        Rule::verdict => "a verdict (recommend, consider, avoid, contraindicated)",
        Rule::expr | Rule::paren | Rule::at_least | Rule::sqrt_call | Rule::boolean => "an expression",
        Rule::reference
        | Rule::action_decl
        | Rule::fact
        | Rule::definition
        | Rule::rule
        | Rule::note
        | Rule::invariant => "an item (reference, action, fact, define, rule, note, invariant)",
        Rule::urgent => "`urgent`",
        Rule::action_codes | Rule::coded_word => "order codes (`coded snomed 71791006`)",
        Rule::recorded => "`recorded`",
        Rule::title_field
        | Rule::version_field
        | Rule::status_field
        | Rule::updated_field
        | Rule::reviewers_field
        | Rule::scope_field => "a header field",
        Rule::when_field => "`when`",
        Rule::dose_field => "`dose`",
        Rule::detail_field => "`detail`",
        Rule::warn_field => "`warn`",
        Rule::because_field => "`because`",
        Rule::cite_field => "`cite`",
        Rule::overrides_field => "`overrides`",
        Rule::says_field => "`says`",
        Rule::bool_type | Rule::integer_type | Rule::number_type | Rule::enum_type => "a fact type",
        Rule::range | Rule::lower_bound | Rule::upper_bound => "a range (from .. to ..)",
        Rule::or_op | Rule::and_op => "`and`/`or`",
        Rule::lt | Rule::le | Rule::gt | Rule::ge | Rule::eq | Rule::ne => "a comparison",
        Rule::add | Rule::sub | Rule::mul | Rule::div => "an operator",
        Rule::not_op | Rule::neg => "an expression",
        Rule::is_known
        | Rule::is_unknown
        | Rule::is_one_of
        | Rule::is_not_one_of
        | Rule::is_value
        | Rule::is_not_value => "`is`",
        Rule::never_claim | Rule::always_claim => "`never` or `always decide`",
        Rule::molar_mass | Rule::mass_word => "`molar mass`",
        Rule::per_unit => "a unit",
        Rule::when_always => "`always`",
        Rule::score | Rule::category => "an item (reference, action, fact, define, rule, note, invariant)",
        Rule::score_item | Rule::points => "points and their condition, e.g. `1 when heart_failure`",
        Rule::score_cond => "an expression",
        Rule::level => "a level and its condition, e.g. `high when wbc > 100`",
        Rule::otherwise_level => "a level followed by `otherwise`",
        Rule::dose_branch | Rule::dose_amount => "an amount (`5 mg`, `50 to 60 mg/kg/day by weight`)",
        Rule::dose_by => "`by`",
        Rule::dose_cap => "`at most`",
        Rule::dose_if => "`if`",
        Rule::binding | Rule::read_word => "a record binding (`read from ...`)",
        Rule::birth_date_source | Rule::record_source | Rule::record_kind | Rule::birth_word => {
            "`observation`, `condition` or `birth date`"
        }
        Rule::code_list | Rule::system_code | Rule::code_system => "a code system and code, e.g. `loinc 6690-2`",
        Rule::code => "a code, e.g. `6690-2`",
        Rule::window | Rule::within_word => "`within`",
        Rule::window_unit => "a window unit (`min`, `h`, `d`, `wk`)",
        Rule::preliminary_allowed | Rule::preliminary_word | Rule::allowed_word => "`preliminary allowed`",
        Rule::absent_means_false | Rule::absent_word | Rule::means_word => "`absent means false`",
        _ => "something else",
    }
}
