//! Lowering scores and categories: `score NAME "Label": N when COND ...` and
//! `category NAME "Label": LEVEL when COND ... LEVEL otherwise`.

use pest::iterators::Pair;

use super::{children, missing, Lower, Res};
use crate::diagnostics::Problem;
use crate::syntax::ast::*;
use crate::syntax::grammar::{span_of, Rule};

impl Lower {
    pub(super) fn score(&mut self, pair: Pair<Rule>) -> Res<Score> {
        let span = span_of(&pair);
        let mut name = None;
        let mut label = None;
        let mut items = Vec::new();
        for p in children(pair) {
            match p.as_rule() {
                Rule::name => name = Some(self.text(&p)),
                Rule::string => label = Some(self.string(&p)),
                Rule::score_item => items.push(self.score_item(p)?),
                _ => unreachable!("grammar: score parts"),
            }
        }
        Ok(Score {
            name: name.ok_or_else(missing)?,
            label,
            items,
            span,
        })
    }

    fn score_item(&mut self, pair: Pair<Rule>) -> Res<ScoreItem> {
        let mut parts = children(pair);
        let points = parts.next().ok_or_else(missing)?;
        let when = self.expr(parts.next().ok_or_else(missing)?)?;
        // `- 1` is read as `-1`: the sign belongs to the points.
        let text: String = points.as_str().chars().filter(|c| !c.is_whitespace()).collect();
        let value = match text.parse::<f64>() {
            Ok(v) if v.is_finite() => v,
            _ => {
                return Err(Problem::error(
                    "guidelang::syntax::bad_number",
                    format!("`{text}` is too large to be a number of points"),
                )
                .with_label(span_of(&points), "too large")
                .with_help("a score's points are small whole numbers, such as 1 or 2"))
            }
        };
        let span = span_of(&points).join(when.span);
        Ok(ScoreItem {
            points: Spanned::new(value, span_of(&points)),
            when,
            span,
        })
    }

    pub(super) fn category(&mut self, pair: Pair<Rule>) -> Res<Category> {
        let span = span_of(&pair);
        let mut name = None;
        let mut label = None;
        let mut levels = Vec::new();
        let mut otherwise = None;
        for p in children(pair) {
            match p.as_rule() {
                Rule::name => name = Some(self.text(&p)),
                Rule::string => label = Some(self.string(&p)),
                Rule::level => {
                    let mut parts = children(p);
                    let level = parts.next().map(|n| self.text(&n)).ok_or_else(missing)?;
                    let when = self.expr(parts.next().ok_or_else(missing)?)?;
                    // From the name to the condition's end, without the
                    // blank that may follow it.
                    let lspan = level.span.join(when.span);
                    if let Some(o) = &otherwise {
                        let o: &Spanned<String> = o;
                        self.problems.push(
                            Problem::error(
                                "guidelang::syntax::otherwise_not_last",
                                format!("`{} otherwise` must be the last level", o.node),
                            )
                            .with_label(o.span, "the `otherwise` level")
                            .with_label(lspan, "a level after it")
                            .with_help(format!("move `{} otherwise` to the end of the category", o.node)),
                        );
                    }
                    levels.push(Level {
                        name: level,
                        when,
                        span: lspan,
                    });
                }
                Rule::otherwise_level => {
                    let ospan = span_of(&p);
                    if let Some(first) = &otherwise {
                        let first: &Spanned<String> = first;
                        self.problems.push(
                            Problem::error(
                                "guidelang::syntax::otherwise_twice",
                                format!(
                                    "`{}` already holds otherwise; a category has one such level",
                                    first.node
                                ),
                            )
                            .with_label(ospan, "second `otherwise`")
                            .with_label(first.span, "first here")
                            .with_help("keep one `LEVEL otherwise`, as the last level"),
                        );
                    }
                    otherwise = children(p).next().map(|n| self.text(&n));
                }
                _ => unreachable!("grammar: category parts"),
            }
        }
        Ok(Category {
            name: name.ok_or_else(missing)?,
            label,
            levels,
            otherwise,
            span,
        })
    }
}
