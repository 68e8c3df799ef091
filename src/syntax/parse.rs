//! From text to [`File`]: pest does the recognising, one function per grammar
//! rule lowers its pairs to the typed AST, keeping every span.

use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser;
use std::sync::OnceLock;

use super::ast::*;
use crate::diagnostics::{Problem, Source, Span};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/guideline.pest"]
struct GuidelineParser;

/// Largest guideline file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;
/// Deepest nesting of parentheses and prefix operators accepted in an expression.
pub const MAX_NESTING: usize = 64;
/// Deepest expression tree accepted: operators applied to the results of
/// operators, as in a long `and` chain. Every later stage (checker, evaluator,
/// linter) walks expressions recursively, so this bounds their stack use.
pub const MAX_EXPR_DEPTH: usize = 128;
/// Parsing steps (pest's counted calls) allowed per byte of the largest file.
/// Real guidelines take 3 to 7 per byte, and the densest input measured,
/// rules whose conditions are nested 64 parentheses deep, 42; the budget only
/// stops a pathological input from running on (at most half a minute), and it
/// is the same for every parse because pest's limit is process-wide.
const PARSE_STEPS_PER_BYTE: usize = 64;

type Res<T> = Result<T, Problem>;

/// Parses a guideline source into its syntax tree, or reports every problem found.
pub fn parse(source: &Source) -> Result<File, Vec<Problem>> {
    let text = source.text();
    if text.len() > MAX_FILE_BYTES {
        return Err(vec![Problem::error(
            "guidelang::syntax::too_large",
            format!(
                "the file is {} bytes; guideline files are limited to {} bytes",
                text.len(),
                MAX_FILE_BYTES
            ),
        )
        .with_help("split the guideline, or check that this is the right file")
        .with_source(source)]);
    }
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
    if let Some(span) = too_deep(text) {
        return Err(vec![Problem::error(
            "guidelang::syntax::too_deep",
            format!("expression nested more than {MAX_NESTING} levels deep"),
        )
        .with_label(span, "nesting limit reached here")
        .with_help(format!(
            "parentheses and `not`/`-` count together, at most {MAX_NESTING}; name a part of the expression with `define` and use the name"
        ))
        .with_source(source)]);
    }
    set_call_limit();
    let mut pairs = GuidelineParser::parse(Rule::file, text).map_err(|e| vec![syntax_error(e, source)])?;
    let file = pairs
        .next()
        .ok_or_else(|| vec![Problem::error("guidelang::syntax::empty", "empty parse")])?;
    let mut lower = Lower { problems: Vec::new() };
    let out = lower.file(file);
    match out {
        Ok(f) if lower.problems.is_empty() => Ok(f),
        Ok(_) => Err(attach(lower.problems, source)),
        Err(p) => {
            lower.problems.push(p);
            Err(attach(lower.problems, source))
        }
    }
}

fn attach(problems: Vec<Problem>, source: &Source) -> Vec<Problem> {
    problems.into_iter().map(|p| p.with_source(source)).collect()
}

fn set_call_limit() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| pest::set_call_limit(std::num::NonZeroUsize::new(MAX_FILE_BYTES * PARSE_STEPS_PER_BYTE)));
}

/// Finds the first place where parentheses and `not`/`-` chains nest too
/// deep, so deep input is refused before any recursive stage sees it: pest's
/// descent and the Pratt parser's prefix recursion both grow with it.
///
/// Prefix operators waiting for their operand when a parenthesis opens stay
/// pending inside it (`not (not (not (...` recurses once per `not` and once per
/// parenthesis), so they are counted together along the path.
fn too_deep(text: &str) -> Option<Span> {
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

fn span_of(pair: &Pair<Rule>) -> Span {
    let s = pair.as_span();
    Span::new(s.start(), s.end())
}

fn syntax_error(e: pest::error::Error<Rule>, source: &Source) -> Problem {
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
    let expected = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<&str> = positives.iter().map(|r| describe(*r)).collect();
            names.sort_unstable();
            names.dedup();
            names
        }
        ErrorVariant::CustomError { message } => return limit_error(message, start, source),
    };
    let expected_text = match expected.len() {
        0 => "something else".to_string(),
        1 => expected[0].to_string(),
        n => format!("{} or {}", expected[..n - 1].join(", "), expected[n - 1]),
    };
    let reserved_as_name = expected.contains(&"a name") && found.as_deref().is_some_and(is_reserved);
    let message = match &found {
        Some(w) if reserved_as_name => format!("`{w}` is a reserved word and cannot be used as a name"),
        Some(w) => format!("unexpected `{w}`: expected {expected_text}"),
        None => format!("the file ends too early: expected {expected_text}"),
    };
    let help = if reserved_as_name {
        "reserved words (when, dose, by, in, is, ...) carry the language's structure and cannot name a fact, \
         definition or action; choose another name"
            .to_string()
    } else {
        "see docs/language.md for the form of each item".to_string()
    };
    Problem::error("guidelang::syntax::unexpected", message)
        .with_label(
            Span::new(start, end.min(source.text().len())),
            format!("expected {expected_text}"),
        )
        .with_help(help)
        .with_source(source)
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
        Problem::error(
            "guidelang::syntax::too_complex",
            format!(
                "the parser gave up after {} steps ({message})",
                MAX_FILE_BYTES * PARSE_STEPS_PER_BYTE
            ),
        )
        .with_help("guideline files take a few steps per byte; please report this file as a bug")
    };
    problem.with_label(at, "the parser stopped here").with_source(source)
}

/// True for the language's reserved words.
pub fn is_reserved(word: &str) -> bool {
    GuidelineParser::parse(Rule::keyword, word).is_ok_and(|p| p.as_str() == word)
}

fn describe(kind: Rule) -> &'static str {
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
        _ => "something else",
    }
}

fn pratt() -> &'static PrattParser<Rule> {
    static P: OnceLock<PrattParser<Rule>> = OnceLock::new();
    P.get_or_init(|| {
        PrattParser::new()
            .op(Op::infix(Rule::or_op, Assoc::Left))
            .op(Op::infix(Rule::and_op, Assoc::Left))
            .op(Op::prefix(Rule::not_op))
            .op(Op::infix(Rule::lt, Assoc::Left)
                | Op::infix(Rule::le, Assoc::Left)
                | Op::infix(Rule::gt, Assoc::Left)
                | Op::infix(Rule::ge, Assoc::Left)
                | Op::infix(Rule::eq, Assoc::Left)
                | Op::infix(Rule::ne, Assoc::Left))
            .op(Op::postfix(Rule::is_known)
                | Op::postfix(Rule::is_unknown)
                | Op::postfix(Rule::is_one_of)
                | Op::postfix(Rule::is_not_one_of)
                | Op::postfix(Rule::is_value)
                | Op::postfix(Rule::is_not_value))
            .op(Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left))
            .op(Op::infix(Rule::mul, Assoc::Left) | Op::infix(Rule::div, Assoc::Left))
            .op(Op::prefix(Rule::neg))
    })
}

struct Lower {
    problems: Vec<Problem>,
}

impl Lower {
    fn file(&mut self, pair: Pair<Rule>) -> Res<File> {
        let mut inner = pair.into_inner();
        // The grammar guarantees the header comes first.
        let header = match inner.next() {
            Some(h) if h.as_rule() == Rule::header => self.header(h)?,
            _ => unreachable!("grammar: file starts with header"),
        };
        let mut items = Vec::new();
        for p in inner {
            if p.as_rule() == Rule::EOI {
                continue;
            }
            match self.item(p) {
                Ok(i) => items.push(i),
                Err(e) => self.problems.push(e),
            }
        }
        Ok(File { header, items })
    }

    fn header(&mut self, pair: Pair<Rule>) -> Res<Header> {
        let mut inner = pair.into_inner();
        let id = inner.next().map(|p| self.text(&p)).ok_or_else(missing)?;
        let mut h = Header {
            id,
            title: None,
            version: None,
            status: None,
            updated: None,
            reviewers: Vec::new(),
            scope: None,
        };
        for field in inner {
            let span = span_of(&field);
            let kind = field.as_rule();
            let value = field.into_inner().collect::<Vec<_>>();
            match kind {
                Rule::title_field => {
                    let t = self.string(&value[0]);
                    set_once(&mut self.problems, &mut h.title, t, span, "title")
                }
                Rule::version_field => {
                    let v = self.text(&value[0]);
                    set_once(&mut self.problems, &mut h.version, v, span, "version")
                }
                Rule::status_field => {
                    let s = match value[0].as_str() {
                        "draft" => Status::Draft,
                        "in-review" => Status::InReview,
                        _ => Status::Approved,
                    };
                    set_once(
                        &mut self.problems,
                        &mut h.status,
                        Spanned::new(s, span_of(&value[0])),
                        span,
                        "status",
                    )
                }
                Rule::updated_field => {
                    let d = self.text(&value[0]);
                    set_once(&mut self.problems, &mut h.updated, d, span, "updated")
                }
                Rule::reviewers_field => {
                    for v in &value {
                        let s = self.string(v);
                        h.reviewers.push(s);
                    }
                }
                Rule::scope_field => {
                    let e = self.expr(value[0].clone())?;
                    set_once(&mut self.problems, &mut h.scope, e, span, "applies when")
                }
                _ => unreachable!("grammar: header fields only"),
            }
        }
        Ok(h)
    }

    fn item(&mut self, pair: Pair<Rule>) -> Res<Item> {
        Ok(match pair.as_rule() {
            Rule::reference => Item::Reference(self.reference(pair)?),
            Rule::action_decl => Item::Action(self.action(pair)?),
            Rule::fact => Item::Fact(self.fact(pair)?),
            Rule::definition => Item::Definition(self.definition(pair)?),
            Rule::rule => Item::Rule(self.rule(pair)?),
            Rule::note => Item::Note(self.note(pair)?),
            Rule::invariant => Item::Invariant(self.invariant(pair)?),
            _ => unreachable!("grammar: items only"),
        })
    }

    fn reference(&mut self, pair: Pair<Rule>) -> Res<Reference> {
        let span = span_of(&pair);
        let mut number = None;
        let mut title = None;
        let mut source = None;
        let mut year = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::int if number.is_none() => number = Some(self.int(&p)?),
                Rule::int => year = Some(self.int(&p)?),
                Rule::string if title.is_none() => title = Some(self.string(&p)),
                Rule::string => source = Some(self.string(&p)),
                _ => unreachable!("grammar: reference parts"),
            }
        }
        Ok(Reference {
            number: number.ok_or_else(missing)?,
            title: title.ok_or_else(missing)?,
            source,
            year,
            span,
        })
    }

    fn action(&mut self, pair: Pair<Rule>) -> Res<ActionDecl> {
        let span = span_of(&pair);
        let mut inner = pair.into_inner();
        let name = inner.next().map(|p| self.text(&p)).ok_or_else(missing)?;
        let label = inner.next().map(|p| self.string(&p)).ok_or_else(missing)?;
        let urgent = inner.next().is_some_and(|p| p.as_rule() == Rule::urgent);
        Ok(ActionDecl {
            name,
            label,
            urgent,
            span,
        })
    }

    fn fact(&mut self, pair: Pair<Rule>) -> Res<Fact> {
        let span = span_of(&pair);
        let mut inner = pair.into_inner();
        let name = inner.next().map(|p| self.text(&p)).ok_or_else(missing)?;
        let ty_pair = inner.next().ok_or_else(missing)?;
        let ty_span = span_of(&ty_pair);
        let ty = match ty_pair.as_rule() {
            Rule::bool_type => FactType::Bool,
            Rule::integer_type => {
                let (min, max) = self.range(ty_pair.into_inner().next())?;
                FactType::Integer { min, max }
            }
            Rule::number_type => {
                let mut parts = ty_pair.into_inner();
                let unit = parts.next().map(|p| self.text(&p)).ok_or_else(missing)?;
                let (min, max) = self.range(parts.next())?;
                FactType::Number { unit, min, max }
            }
            Rule::enum_type => FactType::Enum(ty_pair.into_inner().map(|p| self.text(&p)).collect()),
            _ => unreachable!("grammar: fact types"),
        };
        let mut description = None;
        let mut recorded = false;
        for p in inner {
            match p.as_rule() {
                Rule::string => description = Some(self.string(&p)),
                _ => recorded = true,
            }
        }
        Ok(Fact {
            name,
            ty: Spanned::new(ty, ty_span),
            description,
            recorded,
            span,
        })
    }

    fn range(&mut self, pair: Option<Pair<Rule>>) -> Res<(Option<f64>, Option<f64>)> {
        let mut out = (None, None);
        if let Some(range) = pair {
            for bound in range.into_inner() {
                let kind = bound.as_rule();
                let n = bound.into_inner().next().ok_or_else(missing)?;
                let v = self.number(&n)?;
                if kind == Rule::lower_bound {
                    out.0 = Some(v);
                } else {
                    out.1 = Some(v);
                }
            }
        }
        Ok(out)
    }

    fn definition(&mut self, pair: Pair<Rule>) -> Res<Definition> {
        let span = span_of(&pair);
        let mut name = None;
        let mut unit = None;
        let mut body = None;
        let mut description = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::name => name = Some(self.text(&p)),
                Rule::unit => unit = Some(self.text(&p)),
                Rule::expr => body = Some(self.expr(p)?),
                Rule::string => description = Some(self.string(&p)),
                _ => unreachable!("grammar: definition parts"),
            }
        }
        Ok(Definition {
            name: name.ok_or_else(missing)?,
            unit,
            body: body.ok_or_else(missing)?,
            description,
            span,
        })
    }

    fn rule(&mut self, pair: Pair<Rule>) -> Res<Rule_> {
        let span = span_of(&pair);
        let mut inner = pair.into_inner();
        let id = inner.next().map(|p| self.text(&p)).ok_or_else(missing)?;
        let verdict = inner.next().map(|p| verdict(&p)).ok_or_else(missing)?;
        let action = inner.next().map(|p| self.text(&p)).ok_or_else(missing)?;
        let mut r = Rule_ {
            id,
            verdict,
            action,
            when: None,
            dose: None,
            detail: None,
            warnings: Vec::new(),
            because: None,
            cites: Vec::new(),
            overrides: Vec::new(),
            span,
        };
        for field in inner {
            let fspan = span_of(&field);
            match field.as_rule() {
                Rule::when_field => {
                    let e = self.expr(first(field)?)?;
                    set_once(&mut self.problems, &mut r.when, e, fspan, "when")
                }
                Rule::dose_field => {
                    let d = self.dose(field)?;
                    set_once(&mut self.problems, &mut r.dose, d, fspan, "dose")
                }
                Rule::detail_field => {
                    let s = self.string(&first(field)?);
                    set_once(&mut self.problems, &mut r.detail, s, fspan, "detail")
                }
                Rule::because_field => {
                    let s = self.string(&first(field)?);
                    set_once(&mut self.problems, &mut r.because, s, fspan, "because")
                }
                Rule::warn_field => {
                    let mut parts = field.into_inner();
                    let text = parts.next().map(|p| self.string(&p)).ok_or_else(missing)?;
                    let when = parts.next().map(|p| self.expr(p)).transpose()?;
                    r.warnings.push(Warning {
                        text,
                        when,
                        span: fspan,
                    });
                }
                Rule::cite_field => r.cites.extend(self.ints(field.into_inner())?),
                Rule::overrides_field => r.overrides.extend(field.into_inner().map(|p| self.text(&p))),
                _ => unreachable!("grammar: rule fields"),
            }
        }
        Ok(r)
    }

    fn dose(&mut self, pair: Pair<Rule>) -> Res<Dose> {
        let span = span_of(&pair);
        let mut parts = pair.into_inner();
        let low = parts.next().ok_or_else(missing)?;
        let high = parts.next().ok_or_else(missing)?;
        let unit = parts.next().map(|p| self.text(&p)).ok_or_else(missing)?;
        let by = self.expr(parts.next().ok_or_else(missing)?)?;
        Ok(Dose {
            low: Spanned::new(self.number(&low)?, span_of(&low)),
            high: Spanned::new(self.number(&high)?, span_of(&high)),
            unit,
            by,
            span,
        })
    }

    fn note(&mut self, pair: Pair<Rule>) -> Res<Note> {
        let span = span_of(&pair);
        let mut inner = pair.into_inner();
        let id = inner.next().map(|p| self.text(&p)).ok_or_else(missing)?;
        let mut n = Note {
            id,
            when: None,
            says: None,
            cites: Vec::new(),
            span,
        };
        for field in inner {
            let fspan = span_of(&field);
            match field.as_rule() {
                Rule::when_field => {
                    let e = self.expr(first(field)?)?;
                    set_once(&mut self.problems, &mut n.when, e, fspan, "when")
                }
                Rule::says_field => {
                    let s = self.string(&first(field)?);
                    set_once(&mut self.problems, &mut n.says, s, fspan, "says")
                }
                Rule::cite_field => n.cites.extend(self.ints(field.into_inner())?),
                _ => unreachable!("grammar: note fields"),
            }
        }
        Ok(n)
    }

    fn invariant(&mut self, pair: Pair<Rule>) -> Res<Invariant> {
        let span = span_of(&pair);
        let mut inner = pair.into_inner();
        let id = inner.next().map(|p| self.text(&p)).ok_or_else(missing)?;
        let claim_pair = inner.next().ok_or_else(missing)?;
        let claim = match claim_pair.as_rule() {
            Rule::never_claim => {
                let mut verdicts = Vec::new();
                let mut action = None;
                let mut when = None;
                for p in claim_pair.into_inner() {
                    match p.as_rule() {
                        Rule::verdict => verdicts.push(verdict(&p)),
                        Rule::name => action = Some(self.text(&p)),
                        Rule::expr => when = Some(self.expr(p)?),
                        _ => unreachable!("grammar: never claim parts"),
                    }
                }
                Claim::Never {
                    verdicts,
                    action: action.ok_or_else(missing)?,
                    when: when.ok_or_else(missing)?,
                }
            }
            _ => {
                let mut parts = claim_pair.into_inner();
                let action = parts.next().map(|p| self.text(&p)).ok_or_else(missing)?;
                let when = self.expr(parts.next().ok_or_else(missing)?)?;
                Claim::AlwaysDecide { action, when }
            }
        };
        let because = inner.next().map(|p| self.string(&p));
        Ok(Invariant {
            id,
            claim,
            because,
            span,
        })
    }

    fn expr(&mut self, pair: Pair<Rule>) -> Res<Expr> {
        self.expr_with_depth(pair).map(|(e, _)| e)
    }

    /// An expression and the depth of its tree, refused past [`MAX_EXPR_DEPTH`]
    /// before anything deeper is built.
    fn expr_with_depth(&mut self, pair: Pair<Rule>) -> Res<(Expr, usize)> {
        let pairs = pair.into_inner();
        self.pratt_expr(pairs)
    }

    fn pratt_expr(&mut self, pairs: Pairs<Rule>) -> Res<(Expr, usize)> {
        pratt()
            .map_primary(|p| self.primary(p))
            .map_prefix(|op, rhs| {
                let (rhs, depth) = rhs?;
                let depth = deeper(depth, span_of(&op))?;
                let span = span_of(&op).join(rhs.span);
                Ok((
                    Spanned::new(
                        match op.as_rule() {
                            Rule::not_op => ExprKind::Not(Box::new(rhs)),
                            _ => ExprKind::Neg(Box::new(rhs)),
                        },
                        span,
                    ),
                    depth,
                ))
            })
            .map_postfix(|lhs, op| {
                let (lhs, depth) = lhs?;
                let depth = deeper(depth, span_of(&op))?;
                let span = lhs.span.join(span_of(&op));
                let kind_of_op = op.as_rule();
                let subject = Box::new(lhs);
                let names = |op: Pair<Rule>| -> Vec<Spanned<String>> {
                    op.into_inner()
                        .map(|p| Spanned::new(p.as_str().to_string(), span_of(&p)))
                        .collect()
                };
                let kind = match kind_of_op {
                    Rule::is_known => ExprKind::Known {
                        subject,
                        negated: false,
                    },
                    Rule::is_unknown => ExprKind::Known { subject, negated: true },
                    Rule::is_one_of | Rule::is_not_one_of => ExprKind::OneOf {
                        subject,
                        values: names(op),
                        negated: kind_of_op == Rule::is_not_one_of,
                    },
                    _ => {
                        let negated = kind_of_op == Rule::is_not_value;
                        let value = names(op).into_iter().next().ok_or_else(missing)?;
                        ExprKind::Is {
                            subject,
                            value,
                            negated,
                        }
                    }
                };
                Ok((Spanned::new(kind, span), depth))
            })
            .map_infix(|lhs, op, rhs| {
                let ((lhs, left), (rhs, right)) = (lhs?, rhs?);
                let depth = deeper(left.max(right), span_of(&op))?;
                let span = lhs.span.join(rhs.span);
                let op = match op.as_rule() {
                    Rule::or_op => BinOp::Or,
                    Rule::and_op => BinOp::And,
                    Rule::lt => BinOp::Lt,
                    Rule::le => BinOp::Le,
                    Rule::gt => BinOp::Gt,
                    Rule::ge => BinOp::Ge,
                    Rule::eq => BinOp::Eq,
                    Rule::ne => BinOp::Ne,
                    Rule::add => BinOp::Add,
                    Rule::sub => BinOp::Sub,
                    Rule::mul => BinOp::Mul,
                    _ => BinOp::Div,
                };
                Ok((
                    Spanned::new(
                        ExprKind::Binary {
                            op,
                            lhs: Box::new(lhs),
                            rhs: Box::new(rhs),
                        },
                        span,
                    ),
                    depth,
                ))
            })
            .parse(pairs)
    }

    fn primary(&mut self, pair: Pair<Rule>) -> Res<(Expr, usize)> {
        let span = span_of(&pair);
        let (kind, depth) = match pair.as_rule() {
            Rule::paren => {
                let (mut inner, depth) = self.expr_with_depth(first(pair)?)?;
                inner.span = span;
                return Ok((inner, depth));
            }
            Rule::boolean => (ExprKind::Bool(pair.as_str() == "true"), 1),
            Rule::name => (ExprKind::Name(pair.as_str().to_string()), 1),
            Rule::quantity => {
                let mut parts = pair.into_inner();
                let n = parts.next().ok_or_else(missing)?;
                let kind = ExprKind::Quantity {
                    value: self.number(&n)?,
                    unit: parts.next().map(|u| u.as_str().to_string()),
                };
                (kind, 1)
            }
            Rule::sqrt_call => {
                let (inner, depth) = self.expr_with_depth(first(pair)?)?;
                (ExprKind::Sqrt(Box::new(inner)), deeper(depth, span)?)
            }
            Rule::at_least => {
                let mut parts = pair.into_inner();
                let n = parts.next().ok_or_else(missing)?;
                let n = self.int(&n)?;
                let mut items = Vec::new();
                let mut depth = 0;
                for p in parts {
                    let (item, d) = self.expr_with_depth(p)?;
                    items.push(item);
                    depth = depth.max(d);
                }
                (ExprKind::AtLeast { n, items }, deeper(depth, span)?)
            }
            _ => unreachable!("grammar: primaries only"),
        };
        Ok((Spanned::new(kind, span), depth))
    }

    fn text(&self, pair: &Pair<Rule>) -> Spanned<String> {
        Spanned::new(pair.as_str().to_string(), span_of(pair))
    }

    fn string(&self, pair: &Pair<Rule>) -> Spanned<String> {
        let raw = pair.as_str();
        let inner = raw.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(raw);
        Spanned::new(unescape(inner), span_of(pair))
    }

    fn number(&self, pair: &Pair<Rule>) -> Res<f64> {
        match pair.as_str().parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(Problem::error(
                "guidelang::syntax::bad_number",
                format!("`{}` is too large to be a number", abbreviate(pair.as_str())),
            )
            .with_label(span_of(pair), "too large")
            .with_help(format!("numbers must be below {:e}", f64::MAX))),
        }
    }

    fn int(&self, pair: &Pair<Rule>) -> Res<Spanned<u32>> {
        pair.as_str()
            .parse::<u32>()
            .map(|v| Spanned::new(v, span_of(pair)))
            .map_err(|_| {
                Problem::error(
                    "guidelang::syntax::bad_number",
                    format!("`{}` is too large for a whole number here", abbreviate(pair.as_str())),
                )
                .with_label(span_of(pair), "too large")
                .with_help("whole numbers here must be below 4294967296")
            })
    }

    fn ints(&self, pairs: Pairs<Rule>) -> Res<Vec<Spanned<u32>>> {
        pairs.map(|p| self.int(&p)).collect()
    }
}

/// The AST's `Rule`, renamed here because pest's generated enum owns the name.
type Rule_ = super::ast::Rule;

fn verdict(pair: &Pair<Rule>) -> Spanned<Verdict> {
    let v = match pair.as_str() {
        "recommend" => Verdict::Recommend,
        "consider" => Verdict::Consider,
        "avoid" => Verdict::Avoid,
        _ => Verdict::Contraindicated,
    };
    Spanned::new(v, span_of(pair))
}

/// The depth of a node over a subtree `depth` deep, or the error past the limit.
fn deeper(depth: usize, span: Span) -> Res<usize> {
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

fn first(pair: Pair<Rule>) -> Res<Pair<Rule>> {
    pair.into_inner().next().ok_or_else(missing)
}

fn missing() -> Problem {
    Problem::error(
        "guidelang::syntax::internal",
        "internal error: the parser lost a part of an item",
    )
}

fn set_once<T>(problems: &mut Vec<Problem>, slot: &mut Option<T>, value: T, span: Span, what: &str) {
    if slot.is_some() {
        problems.push(
            Problem::error("guidelang::syntax::duplicate_field", format!("`{what}` is given twice"))
                .with_label(span, "second one here")
                .with_help(format!("keep one `{what}`")),
        );
    } else {
        *slot = Some(value);
    }
}

/// A long token cut short for a message: its first 20 and last 5 characters.
fn abbreviate(text: &str) -> String {
    let n = text.chars().count();
    if n <= 30 {
        return text.to_string();
    }
    let head: String = text.chars().take(20).collect();
    let tail: String = text.chars().skip(n - 5).collect();
    format!("{head}…{tail} ({n} characters)")
}

/// Resolves `\"`, `\\`, `\n` escapes in a quoted text.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}
