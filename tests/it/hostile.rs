//! Hostile input through the library: whatever a rule file or a case holds,
//! loading it ends in a value or in diagnostics, never in a panic, a stack
//! overflow or a run that does not end.
//!
//! The property tests feed arbitrary text, arbitrary bytes, token soup in the
//! language's own words, and arbitrary JSON. The named tests below them pin
//! every limit and every input that once crashed or hung guidelang (found by
//! hand or by the fuzz targets in `fuzz/`), so that none comes back.
//!
//! `GUIDELANG_PROPTEST_CASES` raises the number of cases for a soak.

use guidelang::diagnostics::Problem;
use guidelang::facts::{parse_case, validate_json, Case, Value};
use guidelang::model::{FactKind, Guideline};
use proptest::prelude::*;
use serde_json::Value as J;

fn bundled() -> &'static Guideline {
    static G: std::sync::OnceLock<Guideline> = std::sync::OnceLock::new();
    G.get_or_init(|| guidelang::bundled().unwrap())
}

/// Loads `text` as a guideline and goes as far as it allows: every problem
/// must be rendered (as the CLI would) and, when it checks, two cases are
/// evaluated and reported. Returns the problems, empty when it checked.
fn through_everything(text: &str) -> Vec<Problem> {
    match guidelang::load_str("hostile.gl", text) {
        Err(problems) => {
            assert!(
                problems.iter().any(Problem::is_error),
                "a refused file must carry at least one error: {problems:?}"
            );
            for p in &problems {
                assert!(!p.message.is_empty());
                assert!(p.render_plain().contains(p.code), "{}", p.render_plain());
            }
            let _ = guidelang::report::problems_json(&problems);
            problems
        }
        Ok(g) => {
            for case in [Case::empty(&g), filled(&g)] {
                let result = guidelang::eval::evaluate(&g, &case);
                let _ = guidelang::report::evaluation_json(&g, &result);
                let opts = guidelang::report::TextOptions {
                    color: false,
                    explain: true,
                };
                let _ = guidelang::report::evaluation_text(&g, &case, &result, opts);
            }
            Vec::new()
        }
    }
}

/// A case giving every fact a value its declaration allows.
fn filled(g: &Guideline) -> Case {
    let mut case = Case::empty(g);
    for (i, id) in g.fact_ids().enumerate() {
        let value = match &g.fact(id).kind {
            FactKind::Bool => Value::Bool(i % 2 == 0),
            FactKind::Integer { min, .. } => Value::Num(min.unwrap_or(1.0).ceil()),
            FactKind::Number { min, max, .. } => Value::Num(max.or(*min).unwrap_or(100.0)),
            FactKind::Enum { values } => Value::Enum((i % values.len().max(1)) as u8),
            FactKind::Date => Value::Num(20_000.0),
        };
        case.set(id, Some(value));
    }
    case
}

/// Loads `text` as a case for the bundled guideline; a case that loads is
/// evaluated, reported, and must survive its own JSON form unchanged.
fn case_through_everything(text: &str) {
    let g = bundled();
    match parse_case(g, text) {
        Ok(case) => {
            let result = guidelang::eval::evaluate(g, &case);
            let _ = guidelang::report::evaluation_json(g, &result);
            assert_eq!(validate_json(g, &case.to_json(g)).ok(), Some(case));
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            for e in errors {
                assert!(!e.message.is_empty() && !e.help.is_empty(), "{e:?}");
            }
        }
    }
}

// ---------------------------------------------------------------- strategies

/// Words and punctuation of the language, so that generated text gets past
/// the first token often enough to reach the checker and the evaluator.
fn token() -> impl Strategy<Value = String> {
    let words = [
        "guideline",
        "g",
        "version",
        "1.0.0",
        "status",
        "draft",
        "approved",
        "applies",
        "when",
        "fact",
        "define",
        "rule",
        "note",
        "invariant",
        "reference",
        "recommend",
        "consider",
        "avoid",
        "contraindicated",
        "overrides",
        "cite",
        "dose",
        "to",
        "by",
        "warn",
        "because",
        "detail",
        "says",
        "never",
        "always",
        "decide",
        "and",
        "or",
        "not",
        "at",
        "least",
        "of",
        "is",
        "one",
        "known",
        "true",
        "false",
        "sqrt",
        "number",
        "integer",
        "bool",
        "from",
        "in",
        "recorded",
        "a",
        "b",
        "c",
        "x",
        "kg",
        "cm",
        "m2",
        "10^9/L",
        "mg/kg/day",
        "%",
        "(",
        ")",
        ",",
        ":",
        "<",
        "<=",
        ">",
        ">=",
        "=",
        "!=",
        "+",
        "-",
        "*",
        "/",
        "0",
        "1",
        "2.5",
        "100",
        "-3",
        "\"text\"",
        "#",
        "\n",
    ];
    prop_oneof![
        8 => proptest::sample::select(words.to_vec()).prop_map(str::to_string),
        1 => "[a-z_]{1,8}",
        1 => "[0-9]{1,40}(\\.[0-9]{1,5})?",
    ]
}

/// A small valid guideline followed by generated items: the header checks, so
/// mistakes further down reach the checker's every stage.
const PRELUDE: &str = "guideline g version 1.0.0 status draft
fact a: bool
fact b: number in kg from 0 to 500
fact c: one of x, y, z
fact n: integer from 0 to 10
";

fn json() -> impl Strategy<Value = J> {
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i64>().prop_map(J::from),
        any::<u64>().prop_map(J::from),
        any::<f64>().prop_map(|x| serde_json::Number::from_f64(x).map_or(J::Null, J::Number)),
        ".{0,20}".prop_map(J::String),
        proptest::sample::select(vec!["myeloid", "positive", "none", "refractory", "pending"])
            .prop_map(|s| J::String(s.to_string())),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(J::Array),
            proptest::collection::vec((key(), inner), 0..6).prop_map(|kv| J::Object(kv.into_iter().collect())),
        ]
    })
}

/// Object keys: mostly the bundled guideline's facts (and near misses).
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(vec![
            "als", "wbc", "age", "weight", "height", "lineage", "pml_rara", "apl_morphology", "leukostasis",
            "hydroxyurea_response", "ecog", "anc", "blasts", "wcb", "Als", "",
        ])
        .prop_map(str::to_string),
        1 => ".{0,12}",
    ]
}

proptest! {
    #![proptest_config(crate::common::gen::config(256))]

    #[test]
    fn any_text_as_a_guideline(text in any::<String>()) {
        through_everything(&text);
    }

    #[test]
    fn any_bytes_as_a_guideline(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        through_everything(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn token_soup_as_a_guideline(tokens in proptest::collection::vec(token(), 0..120)) {
        through_everything(&tokens.join(" "));
    }

    #[test]
    fn token_soup_after_a_valid_header(tokens in proptest::collection::vec(token(), 0..120)) {
        through_everything(&format!("{PRELUDE}{}", tokens.join(" ")));
    }

    #[test]
    fn the_bundled_guideline_cut_anywhere(cut in 0usize..guidelang::BUNDLED_TEXT.len(), len in 0usize..200) {
        let text = guidelang::BUNDLED_TEXT;
        let mut start = cut;
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + len).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        through_everything(&format!("{}{}", &text[..start], &text[end..]));
    }

    #[test]
    fn any_text_as_a_case(text in any::<String>()) {
        case_through_everything(&text);
    }

    #[test]
    fn any_json_as_a_case(value in json()) {
        case_through_everything(&value.to_string());
        let _ = validate_json(bundled(), &value);
    }

    #[test]
    fn any_object_of_facts_as_a_case(entries in proptest::collection::vec((key(), json()), 0..12)) {
        let value = J::Object(entries.into_iter().collect());
        case_through_everything(&value.to_string());
    }
}

// ---------------------------------------------------------------- limits

/// Runs `f` on a thread with the 8 MiB stack that the CLI's main thread gets,
/// so that a limit set too high shows as a crash here even in a debug build,
/// whose frames are several times larger than a release build's (the whole
/// pipeline at [`guidelang::syntax::MAX_EXPR_DEPTH`] needs about 3 MiB in
/// debug and under 1 MiB in release; docs/reliability.md has the figures).
fn on_main_sized_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(8 * 1024 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

fn codes(problems: &[Problem]) -> Vec<&'static str> {
    problems.iter().map(|p| p.code).collect()
}

fn rule_when(condition: &str) -> String {
    format!("{PRELUDE}rule r: recommend act when {condition}\n")
}

#[test]
fn deep_parentheses_are_refused_before_parsing() {
    let problems = through_everything(&rule_when(&format!("{}a{}", "(".repeat(100_000), ")".repeat(100_000))));
    assert_eq!(codes(&problems), ["guidelang::syntax::too_deep"]);
}

#[test]
fn parentheses_at_the_nesting_limit_are_accepted() {
    let depth = guidelang::syntax::MAX_NESTING;
    let text = rule_when(&format!("{}a{}", "(".repeat(depth), ")".repeat(depth)));
    let problems = on_main_sized_stack(move || through_everything(&text));
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn a_long_not_chain_is_refused_on_one_line() {
    let problems = through_everything(&rule_when(&format!("{}a", "not ".repeat(100_000))));
    assert_eq!(codes(&problems), ["guidelang::syntax::too_deep"]);
}

/// Regression: the pre-scan only counted `not` followed by a space, and reset
/// its count on the `o` of `not`, so a chain of `not` was never refused and
/// overflowed the Pratt parser's stack.
#[test]
fn a_long_not_chain_is_refused_across_lines_and_parentheses() {
    for sep in ["\n", "\t", "\r\n"] {
        let problems = through_everything(&rule_when(&format!("{}a", format!("not{sep}").repeat(50_000))));
        assert_eq!(codes(&problems), ["guidelang::syntax::too_deep"], "separator {sep:?}");
    }
    let problems = through_everything(&rule_when(&format!("{}a{}", "not (".repeat(40), ")".repeat(40))));
    assert_eq!(codes(&problems), ["guidelang::syntax::too_deep"]);
}

#[test]
fn a_long_minus_chain_is_refused() {
    let problems = through_everything(&rule_when(&format!("{}b > 1 kg", "- ".repeat(100_000))));
    assert_eq!(codes(&problems), ["guidelang::syntax::too_deep"]);
}

/// Regression: a left-deep chain of operators needs no parenthesis to build a
/// tree 20,000 levels deep, which overflowed the checker's recursion (and
/// dropping the tree).
#[test]
fn long_operator_chains_are_refused_before_the_tree_is_built() {
    let n = 20_000;
    let chains = [
        vec!["a"; n].join(" and "),
        vec!["a"; n].join(" or "),
        format!("{} > 1 kg", vec!["b"; n].join(" + ")),
        format!("a{}", " is known".repeat(n)),
        format!("{} < 1", vec!["n"; n].join(" * ")),
    ];
    for chain in chains {
        let problems = through_everything(&rule_when(&chain));
        assert_eq!(codes(&problems), ["guidelang::syntax::expression_too_deep"]);
    }
}

#[test]
fn an_operator_chain_at_the_depth_limit_checks_and_evaluates() {
    let terms = guidelang::syntax::MAX_EXPR_DEPTH / 2;
    let chain = vec!["a"; terms].join(" and ");
    let text =
        format!("{PRELUDE}define d: {chain}\nrule r: recommend act when {chain} and d and b > 1 kg and c is x\n");
    let problems = on_main_sized_stack(move || {
        let problems = through_everything(&text);
        let g = guidelang::load_str("deep.gl", &text).unwrap();
        let case = parse_case(&g, r#"{"a": true, "b": 2, "c": "x"}"#).unwrap();
        let result = guidelang::eval::evaluate(&g, &case);
        assert_eq!(
            guidelang::report::evaluation_json(&g, &result)["decisions"][0]["verdict"],
            "recommend"
        );
        problems
    });
    assert!(problems.iter().all(|p| !p.is_error()), "{problems:?}");
}

#[test]
fn a_long_at_least_list_is_flat_and_accepted() {
    let items = vec!["a"; 20_000].join(", ");
    let problems = through_everything(&rule_when(&format!("at least 3 of ({items})")));
    assert!(problems.is_empty(), "{problems:?}");
}

/// Regression: the facts each definition depends on were gathered by recursion
/// through the definitions, so a long chain declared last-first overflowed;
/// and a lookup per definition in the dependency order made the check
/// quadratic (100,000 definitions: 25 s of CPU in a debug build, now 4 s).
#[test]
fn a_long_chain_of_definitions_declared_in_reverse_checks() {
    let n = 100_000;
    let mut text = PRELUDE.to_string();
    for i in 0..n {
        text.push_str(&format!("define d{i}: d{}\n", i + 1));
    }
    text.push_str(&format!("define d{n}: a\nrule r: recommend act when d0\n"));
    let g = on_main_sized_stack(move || guidelang::load_str("chain.gl", &text).map_err(|p| codes(&p)));
    let g = g.unwrap();
    let case = parse_case(&g, r#"{"a": true}"#).unwrap();
    let result = guidelang::eval::evaluate(&g, &case);
    assert_eq!(
        guidelang::report::evaluation_json(&g, &result)["decisions"][0]["verdict"],
        "recommend"
    );
}

#[test]
fn a_file_past_the_size_limit_is_refused_with_its_own_error() {
    let text = format!("{PRELUDE}{}", "#".repeat(guidelang::syntax::MAX_FILE_BYTES));
    let problems = through_everything(&text);
    assert_eq!(codes(&problems), ["guidelang::syntax::too_large"]);
}

#[test]
fn too_many_rules_are_refused_with_their_own_error() {
    let mut text = PRELUDE.to_string();
    for i in 0..=guidelang::check::MAX_RULES {
        text.push_str(&format!("rule r{i}: avoid act{} when a\n", i % 200));
    }
    let problems = through_everything(&text);
    assert!(
        codes(&problems).contains(&"guidelang::check::too_many_rules"),
        "{:?}",
        codes(&problems)
    );
}

#[test]
fn empty_and_blank_files_say_so() {
    for text in ["", "   \n\t\r\n", "\u{feff}", "\u{feff}\n\n"] {
        assert_eq!(
            codes(&through_everything(text)),
            ["guidelang::syntax::empty"],
            "{text:?}"
        );
    }
    // Comments only: not empty, but the header is missing.
    let problems = through_everything("# a comment\n");
    assert_eq!(codes(&problems), ["guidelang::syntax::unexpected"]);
    assert!(
        problems[0].message.contains("`guideline <id>`"),
        "{}",
        problems[0].message
    );
}

#[test]
fn a_byte_order_mark_and_crlf_line_ends_are_accepted() {
    let text = format!("\u{feff}{}", guidelang::BUNDLED_TEXT.replace('\n', "\r\n"));
    let g = guidelang::load_str("bom.gl", &text).unwrap();
    assert_eq!(g.rules.len(), bundled().rules.len());
}

#[test]
fn huge_numbers_in_a_guideline_are_errors() {
    let big = "9".repeat(400);
    let problems = through_everything(&rule_when(&format!("b > {big} kg")));
    assert_eq!(codes(&problems), ["guidelang::syntax::bad_number"]);
    // The message shows the number cut short, not 400 digits.
    assert!(problems[0].message.len() < 100, "{}", problems[0].message);
    let problems = through_everything(&format!("{PRELUDE}reference 99999999999 \"t\"\n"));
    assert_eq!(codes(&problems), ["guidelang::syntax::bad_number"]);
}

/// Regression: miette lays labels out with `{:width$}`, which panics past
/// column 65535; a problem on a very long line now names its line and column
/// instead of showing the line.
#[test]
fn a_problem_far_along_a_very_long_line_renders() {
    let filler = "a and ".repeat(15_000);
    let text = format!("{PRELUDE}define long: {filler} zzz\n");
    let problems = through_everything(&text);
    let rendered = problems[0].render_plain();
    assert!(rendered.contains("hostile.gl:6:"), "{rendered}");
}

// ---------------------------------------------------------------- no hang

/// The work a file may cause is bounded: each of these used to take minutes
/// (time quadratic in the number of rules or names); in a debug build each
/// now takes a few seconds. No clock is read here (a slow machine must not
/// fail a correct build): the sizes are chosen so that a quadratic path would
/// not finish, and `benches/` keep the timings.
fn actions_evaluated(text: String, case: &str) -> usize {
    let case = case.to_string();
    on_main_sized_stack(move || {
        let g = guidelang::load_str("big.gl", &text).map_err(|p| codes(&p)).unwrap();
        let case = parse_case(&g, &case).unwrap();
        guidelang::eval::evaluate(&g, &case).actions.len()
    })
}

/// Rules for `actions` actions, each decided by as many rules as allowed:
/// 12 whose condition is unknown (all combinations are enumerated), the rest
/// firing with clashing verdicts, each overriding the next, so that every
/// resolution walks the longest override chain.
fn crowded_actions(actions: usize) -> String {
    let per_action = guidelang::check::MAX_RULES_PER_ACTION;
    let mut text = PRELUDE.to_string();
    for x in 0..actions {
        for i in 0..12 {
            text.push_str(&format!("rule u{x}-{i}: avoid act{x} when b > {i} kg\n"));
        }
        for i in 0..per_action - 12 {
            let verdict = if i % 2 == 0 { "recommend" } else { "avoid" };
            let link = if i + 13 < per_action {
                format!(" overrides r{x}-{}", i + 1)
            } else {
                String::new()
            };
            text.push_str(&format!("rule r{x}-{i}: {verdict} act{x} when a{link}\n"));
        }
    }
    text
}

/// Regression: precedence cycles were searched from every rule (quadratic in
/// a chain of overrides), fired rules were resolved by a scan per rule, and
/// the explanation looked every rule up in the decision by a scan.
#[test]
fn full_actions_with_override_chains_and_unknowns_check_and_evaluate_quickly() {
    assert_eq!(actions_evaluated(crowded_actions(8), r#"{"a": true}"#), 8);
    let text = crowded_actions(1);
    let g = guidelang::load_str("crowded.gl", &text).unwrap();
    let case = parse_case(&g, r#"{"a": true, "b": 0}"#).unwrap();
    let result = guidelang::eval::evaluate(&g, &case);
    let opts = guidelang::report::TextOptions {
        color: false,
        explain: true,
    };
    assert!(guidelang::report::evaluation_text(&g, &case, &result, opts).contains("overridden by"));
}

/// The compiled evaluator keeps a set of overriders per rule, as wide as the
/// action: its memory grows with the square of an action's rules, hence their
/// limit (100,000 rules on one action took 1.3 GB and a minute per case).
#[test]
fn too_many_rules_on_one_action_are_refused_with_their_own_error() {
    let mut text = PRELUDE.to_string();
    for i in 0..=guidelang::check::MAX_RULES_PER_ACTION {
        text.push_str(&format!("rule r{i}: avoid act when a\n"));
    }
    let problems: Vec<Problem> = through_everything(&text)
        .into_iter()
        .filter(Problem::is_error)
        .collect();
    assert_eq!(codes(&problems), ["guidelang::check::too_many_rules_for_action"]);
    assert!(
        problems[0].message.starts_with("1025 rules decide `act`"),
        "{}",
        problems[0].message
    );
}

#[test]
fn thousands_of_unknown_names_are_reported_quickly_and_capped() {
    let n = 5_000;
    let mut text = PRELUDE.to_string();
    for i in 0..n {
        text.push_str(&format!("define d{i}: a\n"));
    }
    for i in 0..n {
        text.push_str(&format!("rule r{i}: recommend x{i} when e{i} overrides s{i}\n"));
    }
    let problems = guidelang::load_str("names.gl", &text).unwrap_err();
    let cap = guidelang::check::MAX_PROBLEMS;
    let errors = problems.iter().filter(|p| p.is_error()).count();
    assert_eq!(errors, cap + 1, "the first {cap} errors and one that counts the rest");
    let last = problems.iter().rfind(|p| p.is_error()).unwrap();
    assert_eq!(last.code, "guidelang::check::too_many_problems");
    assert!(
        last.message.starts_with(&format!("{} more errors", 2 * n - cap)),
        "{}",
        last.message
    );
}

#[test]
fn a_case_with_thousands_of_unknown_keys_is_reported_quickly_and_capped() {
    let keys: Vec<String> = (0..50_000).map(|i| format!("\"k{i}\": 1")).collect();
    let text = format!("{{{}}}", keys.join(", "));
    let errors = parse_case(bundled(), &text).unwrap_err();
    let cap = guidelang::facts::MAX_CASE_ERRORS;
    assert_eq!(errors.len(), cap + 1);
    assert!(errors[cap]
        .message
        .starts_with(&format!("{} more problems", 50_000 - cap)));
}

/// A name a megabyte long must not cost an edit distance of 10¹² steps when
/// it is misspelt.
#[test]
fn a_huge_misspelt_name_gets_no_costly_suggestion() {
    let name = "a".repeat(1_000_000);
    let text = format!("{PRELUDE}fact {name}: bool\nrule r: recommend act when {name}b\n");
    let problems = through_everything(&text);
    assert!(codes(&problems).contains(&"guidelang::check::unknown_name"));
}

// ---------------------------------------------------------------- cases

#[test]
fn deeply_nested_json_is_refused_before_it_is_parsed() {
    for text in [
        format!("{}{}", "[".repeat(1_000_000 / 2), "]".repeat(1_000_000 / 2)),
        format!("{{\"als\": {}1{}}}", "[".repeat(100), "]".repeat(100)),
    ] {
        let errors = parse_case(bundled(), &text).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("nested more than"), "{}", errors[0].message);
    }
}

#[test]
fn non_finite_and_huge_numbers_in_a_case_are_errors_naming_the_key() {
    for (text, key) in [
        (r#"{"wbc": NaN}"#, "wbc"),
        (r#"{"wbc": Infinity}"#, "wbc"),
        (r#"{"wbc": -Infinity}"#, "wbc"),
        (r#"{"wbc": 1e999}"#, "wbc"),
        (r#"{"ecog": 123456789012345678901234567890}"#, "ecog"),
        (r#"{"ecog": 2.5}"#, "ecog"),
    ] {
        let errors = parse_case(bundled(), text).unwrap_err();
        assert_eq!(errors.len(), 1, "{text}");
        assert_eq!(errors[0].key.as_deref(), Some(key), "{text}: {}", errors[0].message);
    }
}

#[test]
fn empty_and_non_object_cases_say_what_was_expected() {
    for text in ["", "  \n", "\u{feff}"] {
        let errors = parse_case(bundled(), text).unwrap_err();
        assert!(errors[0].message.contains("empty"), "{text:?}: {}", errors[0].message);
    }
    for text in ["[]", "null", "3", "\"als\"", "{\"als\": true} {}", "{\"als\": true,"] {
        let errors = parse_case(bundled(), text).unwrap_err();
        assert_eq!(errors.len(), 1, "{text}");
    }
}

#[test]
fn a_case_with_a_byte_order_mark_and_crlf_loads() {
    let case = parse_case(bundled(), "\u{feff}{\"als\": true,\r\n \"wbc\": 150}\r\n").unwrap();
    assert_eq!(case, parse_case(bundled(), r#"{"als": true, "wbc": 150}"#).unwrap());
}

#[test]
fn a_case_past_the_size_limit_is_refused() {
    let text = format!("{{\"als\": true{}}}", " ".repeat(guidelang::facts::MAX_CASE_BYTES));
    let errors = parse_case(bundled(), &text).unwrap_err();
    assert!(errors[0].message.contains("limited to"), "{}", errors[0].message);
}

#[test]
fn a_huge_key_or_value_is_shown_cut_short() {
    let long = "x".repeat(100_000);
    let errors = parse_case(bundled(), &format!("{{\"{long}\": 1, \"lineage\": \"{long}\"}}")).unwrap_err();
    assert_eq!(errors.len(), 2);
    for e in errors {
        assert!(e.message.len() < 300, "{}", e.message.len());
    }
}
