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
        let span = span_of(&pair);
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
                    let lspan = span_of(&p);
                    let mut parts = children(p);
                    let level = parts.next().map(|n| self.text(&n)).ok_or_else(missing)?;
                    let when = self.expr(parts.next().ok_or_else(missing)?)?;
                    levels.push(Level {
                        name: level,
                        when,
                        span: lspan,
                    });
                }
                Rule::otherwise_level => otherwise = children(p).next().map(|n| self.text(&n)),
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
