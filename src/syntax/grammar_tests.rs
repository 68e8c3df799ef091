//! The grammar at the level of pest's tokens (`parses_to!`, `fails_with!`),
//! and operator precedence as the trees the lowering builds. Sections: whole
//! words, units, operators in the grammar, precedence, the keyword list.

use pest::{consumes_to, fails_with, parses_to, Parser};

use super::ast::{Expr, ExprKind, Item};
use super::grammar::{is_reserved, keyword_spelling, GuidelineParser, Rule};
use crate::diagnostics::Source;

// ---------------------------------------------------------------- whole words

#[test]
fn a_keyword_and_the_word_after_it_are_two_tokens() {
    parses_to! {
        parser: GuidelineParser,
        input: "when als",
        rule: Rule::when_field,
        tokens: [when_field(0, 8, [kw_when(0, 4), expr(5, 8, [name(5, 8)])])]
    };
    parses_to! {
        parser: GuidelineParser,
        input: "status draft",
        rule: Rule::status_field,
        tokens: [status_field(0, 12, [kw_status(0, 6), status(7, 12)])]
    };
}

#[test]
fn a_keyword_glued_to_the_next_word_is_refused() {
    fails_with! {
        parser: GuidelineParser,
        input: "whenals",
        rule: Rule::when_field,
        positives: vec![Rule::kw_when],
        negatives: vec![],
        pos: 0
    };
    fails_with! {
        parser: GuidelineParser,
        input: "statusdraft",
        rule: Rule::status_field,
        positives: vec![Rule::kw_status],
        negatives: vec![],
        pos: 0
    };
    fails_with! {
        parser: GuidelineParser,
        input: "rule r1: recommendhydroxyurea",
        rule: Rule::rule,
        positives: vec![Rule::verdict],
        negatives: vec![],
        pos: 9
    };
    fails_with! {
        parser: GuidelineParser,
        input: "dose 50 to60 mg/kg by weight",
        rule: Rule::dose_field,
        positives: vec![Rule::kw_to],
        negatives: vec![],
        pos: 8
    };
    fails_with! {
        parser: GuidelineParser,
        input: "atleast 1 of (a)",
        rule: Rule::at_least,
        positives: vec![Rule::kw_at],
        negatives: vec![],
        pos: 0
    };
}

#[test]
fn a_status_glued_to_the_next_word_is_refused() {
    fails_with! {
        parser: GuidelineParser,
        input: "status draftx",
        rule: Rule::status_field,
        positives: vec![Rule::status],
        negatives: vec![],
        pos: 7
    };
}

#[test]
fn a_number_glued_to_a_word_is_refused() {
    // `100and` is not `100 and`: no form of expression starts with it.
    fails_with! {
        parser: GuidelineParser,
        input: "100and",
        rule: Rule::expr,
        positives: vec![Rule::expr],
        negatives: vec![],
        pos: 0
    };
    fails_with! {
        parser: GuidelineParser,
        input: "cite 1because",
        rule: Rule::cite_field,
        positives: vec![Rule::int],
        negatives: vec![],
        pos: 5
    };
}

#[test]
fn a_word_that_starts_with_a_keyword_is_a_name() {
    // `notable`, `whenever`, `integer_count`: names, because a keyword is a whole word.
    for word in ["notable", "whenever", "integer_count", "is_high", "toxic"] {
        let parsed = GuidelineParser::parse(Rule::name, word).map(|p| p.as_str());
        assert_eq!(parsed.ok(), Some(word));
    }
}

// ---------------------------------------------------------------- units

#[test]
fn a_unit_follows_its_number_after_a_space_or_a_tab() {
    parses_to! {
        parser: GuidelineParser,
        input: "100 kg",
        rule: Rule::quantity,
        tokens: [quantity(0, 6, [num(0, 3), unit(4, 6)])]
    };
    parses_to! {
        parser: GuidelineParser,
        input: "100\t10^9/L",
        rule: Rule::quantity,
        tokens: [quantity(0, 10, [num(0, 3), unit(4, 10)])]
    };
}

#[test]
fn a_unit_on_the_next_line_or_a_keyword_is_not_the_numbers_unit() {
    parses_to! {
        parser: GuidelineParser,
        input: "100\nkg",
        rule: Rule::quantity,
        tokens: [quantity(0, 3, [num(0, 3)])]
    };
    parses_to! {
        parser: GuidelineParser,
        input: "100 to",
        rule: Rule::quantity,
        tokens: [quantity(0, 3, [num(0, 3)])]
    };
}

// ---------------------------------------------------------------- operators in the grammar

#[test]
fn the_grammar_lists_operators_flat() {
    // Precedence is the lowering's job (see `precedence`): pest sees a flat list.
    parses_to! {
        parser: GuidelineParser,
        input: "not a and b < 2",
        rule: Rule::expr,
        tokens: [expr(0, 15, [
            not_op(0, 3), name(4, 5), and_op(6, 9), name(10, 11), lt(12, 13),
            quantity(14, 15, [num(14, 15)])
        ])]
    };
}

#[test]
fn parentheses_nest_an_expression() {
    parses_to! {
        parser: GuidelineParser,
        input: "(a or b) and c",
        rule: Rule::expr,
        tokens: [expr(0, 14, [
            paren(0, 8, [expr(1, 7, [name(1, 2), or_op(3, 5), name(6, 7)])]),
            and_op(9, 12),
            name(13, 14)
        ])]
    };
}

#[test]
fn a_postfix_form_keeps_its_keywords_as_tokens() {
    parses_to! {
        parser: GuidelineParser,
        input: "a is not known",
        rule: Rule::expr,
        tokens: [expr(0, 14, [
            name(0, 1),
            is_unknown(2, 14, [kw_is(2, 4), kw_not(5, 8), kw_known(9, 14)])
        ])]
    };
}

// ---------------------------------------------------------------- precedence

/// The tree the lowering builds for an expression, as an S-expression.
fn tree(expression: &str) -> String {
    let source = Source::new("t.gl", format!("guideline g\ndefine d: {expression}\n"));
    let file = super::parse(&source).unwrap_or_else(|p| panic!("{expression}: {p:?}"));
    match &file.items[..] {
        [Item::Definition(d)] => sexp(&d.body),
        _ => panic!("one definition expected"),
    }
}

fn sexp(e: &Expr) -> String {
    let list = |head: &str, parts: &[&Expr]| {
        let parts: Vec<String> = parts.iter().map(|p| sexp(p)).collect();
        format!("({head} {})", parts.join(" "))
    };
    match &e.node {
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Quantity { value, unit } => match unit {
            Some(u) => format!("{value}[{u}]"),
            None => value.to_string(),
        },
        ExprKind::Name(n) => n.clone(),
        ExprKind::Not(x) => list("not", &[x]),
        ExprKind::Neg(x) => list("neg", &[x]),
        ExprKind::Binary { op, lhs, rhs } => list(op.as_str(), &[lhs, rhs]),
        ExprKind::Is {
            subject,
            value,
            negated,
        } => {
            let head = if *negated { "is-not" } else { "is" };
            format!("({head} {} {})", sexp(subject), value.node)
        }
        ExprKind::OneOf {
            subject,
            values,
            negated,
        } => {
            let head = if *negated { "not-one-of" } else { "one-of" };
            let values: Vec<&str> = values.iter().map(|v| v.node.as_str()).collect();
            format!("({head} {} {})", sexp(subject), values.join(" "))
        }
        ExprKind::Known { subject, negated } => list(if *negated { "unknown" } else { "known" }, &[subject]),
        ExprKind::AtLeast { n, items } => {
            let items: Vec<&Expr> = items.iter().collect();
            list(&format!("at-least {}", n.node), &items)
        }
        ExprKind::Sqrt(x) => list("sqrt", &[x]),
        ExprKind::Today => "today".into(),
        ExprKind::Change {
            subject,
            percent,
            rise,
            baseline,
        } => {
            let head = if *rise { "rise" } else { "fall" };
            format!("({head} {} {} {})", percent.node, sexp(subject), baseline.node)
        }
        // The grouping shows in the tree's shape; that the parentheses are
        // kept is tested on its own below.
        ExprKind::Paren(x) => sexp(x),
    }
}

#[test]
fn not_binds_tighter_than_and_which_binds_tighter_than_or() {
    assert_eq!(tree("not a and b or c"), "(or (and (not a) b) c)");
    assert_eq!(tree("a or b and c"), "(or a (and b c))");
    assert_eq!(tree("a or not b and c"), "(or a (and (not b) c))");
    assert_eq!(tree("a and b and c"), "(and (and a b) c)");
}

#[test]
fn a_comparison_binds_tighter_than_not_and_looser_than_arithmetic() {
    assert_eq!(tree("not a < b"), "(not (< a b))");
    assert_eq!(tree("a < b and c >= d"), "(and (< a b) (>= c d))");
    assert_eq!(tree("a + b * c < d - e / f"), "(< (+ a (* b c)) (- d (/ e f)))");
    assert_eq!(tree("a - b - c"), "(- (- a b) c)");
    assert_eq!(tree("a / b * c"), "(* (/ a b) c)");
}

#[test]
fn unary_minus_binds_tightest_and_is_forms_between_comparisons_and_sums() {
    assert_eq!(tree("-a * b"), "(* (neg a) b)");
    assert_eq!(tree("a - -b"), "(- a (neg b))");
    assert_eq!(tree("a is x and b"), "(and (is a x) b)");
    assert_eq!(tree("not a is not x"), "(not (is-not a x))");
    assert_eq!(tree("a < b is known"), "(< a (known b))");
    assert_eq!(tree("a + b is not known"), "(unknown (+ a b))");
    assert_eq!(tree("a is one of (x, y) or b"), "(or (one-of a x y) b)");
}

#[test]
fn parentheses_the_author_wrote_are_kept() {
    let src = "guideline g\ndefine d: (a and b) or ((c))\n";
    let file = super::parse(&Source::new("t.gl", src)).expect("parses");
    let Some(Item::Definition(d)) = file.items.first() else {
        panic!("one definition expected")
    };
    let ExprKind::Binary { lhs, rhs, .. } = &d.body.node else {
        panic!("an `or` expected")
    };
    assert!(matches!(&lhs.node, ExprKind::Paren(x) if matches!(x.node, ExprKind::Binary { .. })));
    assert!(
        matches!(&rhs.node, ExprKind::Paren(x) if matches!(&x.node, ExprKind::Paren(y) if matches!(y.node, ExprKind::Name(_))))
    );
    // Equality looks through them, like through spans.
    assert_eq!(rhs.node, ExprKind::Name("c".into()));
}

#[test]
fn parentheses_override_precedence() {
    assert_eq!(tree("not (a and b)"), "(not (and a b))");
    assert_eq!(tree("(a or b) and c"), "(and (or a b) c)");
    assert_eq!(tree("-(a * b)"), "(neg (* a b))");
    assert_eq!(tree("a - (b - c)"), "(- a (- b c))");
    assert_eq!(
        tree("at least 2 of (a, b or c, sqrt(x * 2 kg))"),
        "(at-least 2 a (or b c) (sqrt (* x 2[kg])))"
    );
}

// ---------------------------------------------------------------- the keyword list

/// The words of the grammar's `keyword` rule, read from the grammar itself.
fn reserved_list() -> Vec<String> {
    let grammar = include_str!("../../grammar/guideline.pest");
    let start = grammar.find("keyword = @{").unwrap_or(0);
    let block = &grammar[start..];
    let block = &block[..block.find('}').unwrap_or(block.len())];
    block.split('"').skip(1).step_by(2).map(str::to_string).collect()
}

#[test]
fn the_reserved_words_are_exactly_the_keyword_rules() {
    let mut spellings: Vec<String> = Rule::all_rules()
        .iter()
        .filter_map(|r| keyword_spelling(*r))
        .map(str::to_string)
        .collect();
    let mut reserved = reserved_list();
    spellings.sort();
    reserved.sort();
    assert!(reserved.len() > 40, "{reserved:?}");
    assert_eq!(spellings, reserved);
}

#[test]
fn every_keyword_rule_matches_its_whole_word_only() {
    for &kind in Rule::all_rules() {
        let Some(word) = keyword_spelling(kind) else { continue };
        assert!(is_reserved(word), "{word}");
        let whole = GuidelineParser::parse(kind, word).map(|p| p.as_str());
        assert_eq!(whole.ok(), Some(word));
        for glued in [format!("{word}x"), format!("{word}_"), format!("{word}1")] {
            assert!(GuidelineParser::parse(kind, &glued).is_err(), "{glued}");
            assert!(!is_reserved(&glued), "{glued}");
        }
        // Punctuation and space end a word.
        for ended in [format!("{word}("), format!("{word} x"), format!("{word}:")] {
            let matched = GuidelineParser::parse(kind, &ended).map(|p| p.as_str());
            assert_eq!(matched.ok(), Some(word), "{ended}");
        }
    }
}

// ---------------------------------------------------------------- scores

#[test]
fn signed_points_after_a_number_start_the_next_score_item() {
    // `75 -1 when` would be `75 - 1` in an expression; in a score, the
    // condition stops before points followed by `when`.
    parses_to! {
        parser: GuidelineParser,
        input: "score s: 2 when a > 75 -1 when b",
        rule: Rule::score,
        tokens: [score(0, 32, [
            kw_score(0, 5), name(6, 7),
            // pest keeps the space the condition's last repetition tried past.
            score_item(9, 23, [points(9, 10), kw_when(11, 15), score_cond(16, 23, [
                name(16, 17), gt(18, 19), quantity(20, 22, [num(20, 22)])
            ])]),
            score_item(23, 32, [points(23, 25), kw_when(26, 30), score_cond(31, 32, [name(31, 32)])])
        ])]
    };
    // A subtraction not followed by `when` stays a subtraction.
    parses_to! {
        parser: GuidelineParser,
        input: "a - 1",
        rule: Rule::score_cond,
        tokens: [score_cond(0, 5, [name(0, 1), sub(2, 3), quantity(4, 5, [num(4, 5)])])]
    };
}
