//! Lowering: the pairs pest recognised become the typed AST, one function per
//! grammar rule, keeping every span. Keyword tokens are skipped (see
//! [`children`]); operators are ordered by the Pratt parser built from the
//! precedence table.

use pest::iterators::Pair;

use super::ast::*;
use super::grammar::{keyword_spelling, span_of, Rule};
use super::limits::deeper;
use super::precedence::{operator_of, pratt, Operator};
use crate::diagnostics::{Problem, Span};

type Res<T> = Result<T, Problem>;

mod binding;
mod derived;
#[path = "lower_dose.rs"]
mod dose;

/// Lowers the pair of a whole file; every problem found, without their source.
pub(super) fn file(pair: Pair<Rule>) -> Result<File, Vec<Problem>> {
    let mut lower = Lower { problems: Vec::new() };
    let out = lower.file(pair);
    match out {
        Ok(f) if lower.problems.is_empty() => Ok(f),
        Ok(_) => Err(lower.problems),
        Err(p) => {
            lower.problems.push(p);
            Err(lower.problems)
        }
    }
}

struct Lower {
    problems: Vec<Problem>,
}

impl Lower {
    fn file(&mut self, pair: Pair<Rule>) -> Res<File> {
        let mut inner = children(pair);
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
        let mut inner = children(pair);
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
            let value = children(field).collect::<Vec<_>>();
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
            Rule::score => Item::Score(self.score(pair)?),
            Rule::category => Item::Category(self.category(pair)?),
            _ => unreachable!("grammar: items only"),
        })
    }

    fn reference(&mut self, pair: Pair<Rule>) -> Res<Reference> {
        let span = span_of(&pair);
        let mut number = None;
        let mut title = None;
        let mut source = None;
        let mut year = None;
        for p in children(pair) {
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
        let mut inner = children(pair);
        let name = inner.next().map(|p| self.text(&p)).ok_or_else(missing)?;
        let label = inner.next().map(|p| self.string(&p)).ok_or_else(missing)?;
        let mut urgent = false;
        let mut codes = Vec::new();
        for p in inner {
            match p.as_rule() {
                Rule::urgent => urgent = true,
                Rule::action_codes => codes = binding::action_codes(p),
                _ => {}
            }
        }
        Ok(ActionDecl {
            name,
            label,
            urgent,
            codes,
            span,
        })
    }

    fn fact(&mut self, pair: Pair<Rule>) -> Res<Fact> {
        let span = span_of(&pair);
        let mut inner = children(pair);
        let name = inner.next().map(|p| self.text(&p)).ok_or_else(missing)?;
        let ty_pair = inner.next().ok_or_else(missing)?;
        let ty_span = span_of(&ty_pair);
        let ty = match ty_pair.as_rule() {
            Rule::bool_type => FactType::Bool,
            Rule::integer_type => {
                let (min, max) = self.range(children(ty_pair).next())?;
                FactType::Integer { min, max }
            }
            Rule::number_type => {
                let mut parts = children(ty_pair);
                let unit = parts.next().map(|p| self.text(&p)).ok_or_else(missing)?;
                let (min, max) = self.range(parts.next())?;
                FactType::Number { unit, min, max }
            }
            Rule::enum_type => FactType::Enum(children(ty_pair).map(|p| self.text(&p)).collect()),
            Rule::date_type => FactType::Date,
            _ => unreachable!("grammar: fact types"),
        };
        let mut description = None;
        let mut recorded = false;
        let mut molar_mass = None;
        let mut binding = None;
        for p in inner {
            match p.as_rule() {
                Rule::string => description = Some(self.string(&p)),
                Rule::molar_mass => molar_mass = Some(self.molar_mass(p)?),
                Rule::binding => binding = Some(self.binding(p)?),
                _ => recorded = true,
            }
        }
        Ok(Fact {
            name,
            ty: Spanned::new(ty, ty_span),
            description,
            recorded,
            span,
            molar_mass,
            binding,
        })
    }

    fn molar_mass(&mut self, pair: Pair<Rule>) -> Res<MolarMass> {
        let span = span_of(&pair);
        let mut parts = children(pair).filter(|p| p.as_rule() != Rule::mass_word);
        let value = parts.next().ok_or_else(missing)?;
        let unit = parts.next().map(|p| self.text(&p)).ok_or_else(missing)?;
        Ok(MolarMass {
            value: Spanned::new(self.number(&value)?, span_of(&value)),
            unit,
            span,
        })
    }

    fn range(&mut self, pair: Option<Pair<Rule>>) -> Res<(Option<f64>, Option<f64>)> {
        let mut out = (None, None);
        if let Some(range) = pair {
            for bound in children(range) {
                let kind = bound.as_rule();
                let n = children(bound).next().ok_or_else(missing)?;
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
        for p in children(pair) {
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
        let mut inner = children(pair);
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
        let mut whens = 0;
        for field in inner {
            let fspan = span_of(&field);
            match field.as_rule() {
                Rule::when_field => {
                    whens += 1;
                    let e = self.when(field)?;
                    if whens > 1 {
                        self.problems.push(duplicate_when(fspan));
                    } else {
                        r.when = e;
                    }
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
                    let mut parts = children(field);
                    let text = parts.next().map(|p| self.string(&p)).ok_or_else(missing)?;
                    let when = parts.next().map(|p| self.expr(p)).transpose()?;
                    r.warnings.push(Warning {
                        text,
                        when,
                        span: fspan,
                    });
                }
                Rule::cite_field => r.cites.extend(self.ints(children(field))?),
                Rule::overrides_field => r.overrides.extend(children(field).map(|p| self.text(&p))),
                _ => unreachable!("grammar: rule fields"),
            }
        }
        if whens == 0 {
            self.problems.push(missing_when("rule", &r.id));
        }
        Ok(r)
    }

    /// A `when` field's condition; `None` for `when always`.
    fn when(&mut self, field: Pair<Rule>) -> Res<Option<Expr>> {
        let condition = first(field)?;
        if condition.as_rule() == Rule::when_always {
            return Ok(None);
        }
        self.expr(condition).map(Some)
    }

    fn note(&mut self, pair: Pair<Rule>) -> Res<Note> {
        let span = span_of(&pair);
        let mut inner = children(pair);
        let id = inner.next().map(|p| self.text(&p)).ok_or_else(missing)?;
        let mut n = Note {
            id,
            when: None,
            says: None,
            cites: Vec::new(),
            span,
        };
        let mut whens = 0;
        for field in inner {
            let fspan = span_of(&field);
            match field.as_rule() {
                Rule::when_field => {
                    whens += 1;
                    let e = self.when(field)?;
                    if whens > 1 {
                        self.problems.push(duplicate_when(fspan));
                    } else {
                        n.when = e;
                    }
                }
                Rule::says_field => {
                    let s = self.string(&first(field)?);
                    set_once(&mut self.problems, &mut n.says, s, fspan, "says")
                }
                Rule::cite_field => n.cites.extend(self.ints(children(field))?),
                _ => unreachable!("grammar: note fields"),
            }
        }
        if whens == 0 {
            self.problems.push(missing_when("note", &n.id));
        }
        Ok(n)
    }

    fn invariant(&mut self, pair: Pair<Rule>) -> Res<Invariant> {
        let span = span_of(&pair);
        let mut inner = children(pair);
        let id = inner.next().map(|p| self.text(&p)).ok_or_else(missing)?;
        let claim_pair = inner.next().ok_or_else(missing)?;
        let claim = match claim_pair.as_rule() {
            Rule::never_claim => {
                let mut verdicts = Vec::new();
                let mut action = None;
                let mut when = None;
                for p in children(claim_pair) {
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
                let mut parts = children(claim_pair);
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
        let pairs = children(pair);
        self.pratt_expr(pairs)
    }

    fn pratt_expr<'i>(&mut self, pairs: impl Iterator<Item = Pair<'i, Rule>>) -> Res<(Expr, usize)> {
        pratt()
            .map_primary(|p| self.primary(p))
            .map_prefix(|op, rhs| {
                let (rhs, depth) = rhs?;
                let depth = deeper(depth, span_of(&op))?;
                let span = span_of(&op).join(rhs.span);
                Ok((
                    Spanned::new(
                        match operator_of(op.as_rule()) {
                            Some(Operator::Not) => ExprKind::Not(Box::new(rhs)),
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
                    children(op)
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
                    Rule::is_change => {
                        let mut parts = children(op);
                        let percent = parts.next().ok_or_else(missing)?;
                        let way = parts.next().ok_or_else(missing)?;
                        let base = parts.next().ok_or_else(missing)?;
                        // The grammar's `num` is digits with an optional fraction.
                        let value = percent.as_str().parse::<f64>().map_err(|_| missing())?;
                        ExprKind::Change {
                            subject,
                            percent: Spanned::new(value, span_of(&percent)),
                            rise: way.as_str() == "above",
                            baseline: Spanned::new(base.as_str().to_string(), span_of(&base)),
                        }
                    }
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
                // The Pratt parser calls this for the table's binary operators only.
                let Some(Operator::Binary(op)) = operator_of(op.as_rule()) else {
                    return Err(missing());
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
                // The inner expression takes the parentheses' span too, so
                // that messages point where they did before parentheses
                // were kept in the tree.
                let (mut inner, depth) = self.expr_with_depth(first(pair)?)?;
                inner.span = span;
                (ExprKind::Paren(Box::new(inner)), depth)
            }
            Rule::boolean => (ExprKind::Bool(pair.as_str() == "true"), 1),
            Rule::name => (ExprKind::Name(pair.as_str().to_string()), 1),
            Rule::quantity => {
                let mut parts = children(pair);
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
                let mut parts = children(pair);
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
            Rule::today => (ExprKind::Today, 1),
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

    fn ints<'i>(&self, pairs: impl Iterator<Item = Pair<'i, Rule>>) -> Res<Vec<Spanned<u32>>> {
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

/// A pair's children without its keyword tokens: the keywords say which
/// rule matched, which the pair's own rule already tells.
fn children(pair: Pair<'_, Rule>) -> impl Iterator<Item = Pair<'_, Rule>> {
    pair.into_inner().filter(|p| keyword_spelling(p.as_rule()).is_none())
}

fn first(pair: Pair<Rule>) -> Res<Pair<Rule>> {
    children(pair).next().ok_or_else(missing)
}

fn missing() -> Problem {
    Problem::error(
        "guidelang::syntax::internal",
        "internal error: the parser lost a part of an item",
    )
}

/// A rule or note that says nothing about when it applies: deleting a `when`
/// line must not silently make it apply to everyone.
fn missing_when(what: &str, id: &Spanned<String>) -> Problem {
    Problem::error(
        "guidelang::syntax::missing_when",
        format!("this {what} has no `when`: write `when always` if it applies to every patient in scope"),
    )
    .with_label(id.span, format!("{what} `{}`", id.node))
    .with_help("add `when CONDITION`, or `when always`")
}

fn duplicate_when(span: Span) -> Problem {
    Problem::error("guidelang::syntax::duplicate_field", "`when` is given twice")
        .with_label(span, "second one here")
        .with_help("keep one `when`")
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
