//! Scores and categories: their declarations, their items and levels, and
//! their uses. A use never reaches the model as such: `score >= 2` becomes an
//! `at least` over the score's conditions, each repeated by its points, and
//! `risk is high` becomes the level's condition. `at least` is exact in the
//! evaluator, in `needs`, in the SAT encoding and in diff, so scores and
//! categories are too, with no new node anywhere downstream.
//!
//! Scores and categories are checked after the definitions, in file order;
//! each may use facts, definitions and the scores and categories declared
//! above it. Definitions cannot use them (their order is settled first).

use super::expr::Place;
use super::{Checker, Name};
use crate::diagnostics::{suggestion, Problem, Span};
use crate::model::{Category, CmpOp, Expr, ExprKind, Level, Score, ScoreItem, Type};
use crate::syntax::ast::{self, BinOp, Item};

/// Largest number of points one item may carry, either sign.
pub const MAX_POINTS: i64 = 100;
/// Largest sum of the points' sizes of one score: a comparison becomes an
/// `at least` over that many conditions.
pub const MAX_TOTAL_POINTS: i64 = 300;

/// Most levels a category may have: exclusivity is proved pair by pair.
pub const MAX_LEVELS: usize = 64;

/// Where a score or category stands in the walk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum State {
    /// Not checked yet: a use now is a use before the declaration.
    #[default]
    Pending,
    /// Checked; usable.
    Done,
    /// Checked with errors, already reported: uses stay silent.
    Failed,
}

/// The checker's scores and categories.
#[derive(Default)]
pub(super) struct Derived {
    scores: Vec<(State, Option<Score>)>,
    categories: Vec<(State, Option<Category>)>,
}

impl Derived {
    /// The checked scores and categories, for the model.
    pub(super) fn take(&mut self) -> (Vec<Score>, Vec<Category>) {
        let scores = std::mem::take(&mut self.scores)
            .into_iter()
            .filter_map(|(_, s)| s)
            .collect();
        let categories = std::mem::take(&mut self.categories)
            .into_iter()
            .filter_map(|(_, c)| c)
            .collect();
        (scores, categories)
    }
}

impl Checker<'_> {
    /// Declares every score's and category's name, before definitions are
    /// checked, so that a use anywhere finds it.
    pub(super) fn declare_derived(&mut self, file: &ast::File) {
        for item in &file.items {
            match item {
                Item::Score(s) => {
                    let i = self.derived.scores.len();
                    self.derived.scores.push((State::Failed, None));
                    if self.declare_name(&s.name, Name::Score(i)) {
                        self.derived.scores[i].0 = State::Pending;
                    }
                }
                Item::Category(c) => {
                    let i = self.derived.categories.len();
                    self.derived.categories.push((State::Failed, None));
                    if self.declare_name(&c.name, Name::Category(i)) {
                        self.derived.categories[i].0 = State::Pending;
                    }
                }
                _ => {}
            }
        }
    }

    /// Checks scores and categories in file order.
    pub(super) fn check_derived(&mut self, file: &ast::File) {
        let (mut si, mut ci) = (0, 0);
        for item in &file.items {
            match item {
                Item::Score(s) => {
                    if self.derived.scores[si].0 == State::Pending {
                        let checked = self.score(s);
                        let state = if checked.is_some() { State::Done } else { State::Failed };
                        self.derived.scores[si] = (state, checked);
                    }
                    si += 1;
                }
                Item::Category(c) => {
                    if self.derived.categories[ci].0 == State::Pending {
                        let checked = self.category(c);
                        let state = if checked.is_some() { State::Done } else { State::Failed };
                        self.derived.categories[ci] = (state, checked);
                    }
                    ci += 1;
                }
                _ => {}
            }
        }
    }

    fn score(&mut self, s: &ast::Score) -> Option<Score> {
        let mut items = Vec::new();
        let mut ok = true;
        let mut total = 0i64;
        for it in &s.items {
            let when = self.condition(&it.when, Place::Condition, "the condition of a score's points");
            let p = it.points.node;
            let problem = if p.fract() != 0.0 {
                Some((
                    format!("a score counts whole points, not {p}"),
                    "use whole points (scale every item if the score needs halves)",
                ))
            } else if p == 0.0 {
                Some((
                    "an item worth 0 points never changes the score".to_string(),
                    "give it a number of points, or remove it",
                ))
            } else if p.abs() > MAX_POINTS as f64 {
                Some((
                    format!("{p} points is more than a score item may carry ({MAX_POINTS} either way)"),
                    "clinical scores weigh items with small whole numbers",
                ))
            } else {
                None
            };
            if let Some((message, help)) = problem {
                self.error(
                    Problem::error("guidelang::check::score_points", message)
                        .with_label(it.points.span, "these points")
                        .with_help(help),
                );
                ok = false;
                continue;
            }
            let points = p as i64;
            total += points.abs();
            match when {
                Some(when) => items.push(ScoreItem { points, when }),
                None => ok = false,
            }
        }
        if total > MAX_TOTAL_POINTS {
            self.error(
                Problem::error(
                    "guidelang::check::score_points",
                    format!(
                        "the points of `{}` add up to {total}, more than a score may hold ({MAX_TOTAL_POINTS})",
                        s.name.node
                    ),
                )
                .with_label(s.name.span, "this score")
                .with_help("clinical scores weigh items with small whole numbers"),
            );
            return None;
        }
        ok.then(|| Score {
            name: s.name.node.clone(),
            label: s.label.as_ref().map_or_else(|| s.name.node.clone(), |l| l.node.clone()),
            items,
            span: s.span,
        })
    }

    fn category(&mut self, c: &ast::Category) -> Option<Category> {
        let mut levels: Vec<Level> = Vec::new();
        let count = c.levels.len() + usize::from(c.otherwise.is_some());
        if count > MAX_LEVELS {
            self.error(
                Problem::error(
                    "guidelang::check::too_many_levels",
                    format!(
                        "`{}` has {count} levels, more than a category may have ({MAX_LEVELS})",
                        c.name.node
                    ),
                )
                .with_label(c.name.span, "this category")
                .with_help("a category names a few levels; use a score for a finer measure"),
            );
            return None;
        }
        let mut ok = true;
        let mut seen: Vec<(&str, Span)> = Vec::new();
        let names = c.levels.iter().map(|l| &l.name).chain(c.otherwise.iter());
        for name in names {
            if let Some((_, first)) = seen.iter().find(|(n, _)| *n == name.node) {
                self.error(
                    Problem::error(
                        "guidelang::check::duplicate_level",
                        format!("level `{}` of `{}` is given twice", name.node, c.name.node),
                    )
                    .with_label(name.span, "given again here")
                    .with_label(*first, "first given here")
                    .with_help("each level is named once; join its conditions with `or`"),
                );
                ok = false;
            } else {
                seen.push((&name.node, name.span));
            }
        }
        for l in &c.levels {
            let what = format!("the condition of level `{}`", l.name.node);
            match self.condition(&l.when, Place::Condition, &what) {
                Some(when) => levels.push(Level {
                    name: l.name.node.clone(),
                    condition: when.clone(),
                    when: Some(when),
                }),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        if let Some(o) = &c.otherwise {
            // No other level holds: exclusive and exhaustive by construction.
            let others = any(levels.iter().map(|l| l.condition.clone()).collect(), o.span);
            levels.push(Level {
                name: o.node.clone(),
                when: None,
                condition: not(others, o.span),
            });
        }
        Some(Category {
            name: c.name.node.clone(),
            label: c.label.as_ref().map_or_else(|| c.name.node.clone(), |l| l.node.clone()),
            levels,
            span: c.span,
        })
    }
}

impl Checker<'_> {
    /// The score or category `e` names, when it is a bare name of one.
    fn derived_name(&self, e: &ast::Expr) -> Option<Name> {
        match &e.node {
            ast::ExprKind::Name(n) => match self.names.get(n) {
                Some(x @ (Name::Score(_) | Name::Category(_))) => Some(*x),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether the score or category `name` can be used here; reports why not
    /// (once per use), and stays silent for one whose errors are reported.
    fn ready(&mut self, name: Name, text: &str, span: Span) -> bool {
        let state = match name {
            Name::Score(i) => self.derived.scores.get(i).map(|s| s.0),
            Name::Category(i) => self.derived.categories.get(i).map(|c| c.0),
            _ => None,
        };
        match state {
            Some(State::Done) => true,
            Some(State::Pending) => {
                let what = if matches!(name, Name::Score(_)) {
                    "score"
                } else {
                    "category"
                };
                self.error(
                    Problem::error(
                        "guidelang::check::derived_order",
                        format!("{what} `{text}` is used before it is declared"),
                    )
                    .with_label(span, "used here")
                    .with_help(
                        "definitions cannot use scores or categories, and a score or category can only use \
                         those declared above it; use it in a rule, or move its declaration up",
                    ),
                );
                false
            }
            _ => false,
        }
    }

    /// A score or category written where a value is expected, with nothing to
    /// compare it with (`chads_vasc` alone, `sqrt(chads_vasc)`).
    pub(super) fn derived_alone(&mut self, name: Name, text: &str, span: Span) -> Option<(Expr, Type)> {
        let p = match name {
            Name::Score(_) => Problem::error(
                "guidelang::check::score_not_compared",
                format!("score `{text}` can only be compared with a number"),
            )
            .with_label(span, "a score")
            .with_help(format!("write e.g. `{text} >= 2`")),
            _ => Problem::error(
                "guidelang::check::category_not_tested",
                format!("category `{text}` can only be tested for its level with `is`"),
            )
            .with_label(span, "a category")
            .with_help(format!("write e.g. `{text} is {}`", self.first_level(name))),
        };
        self.error(p);
        None
    }

    fn first_level(&self, name: Name) -> String {
        match name {
            Name::Category(i) => self
                .derived
                .categories
                .get(i)
                .and_then(|c| c.1.as_ref())
                .and_then(|c| c.levels.first())
                .map_or_else(|| "<level>".to_string(), |l| l.name.clone()),
            _ => "<level>".to_string(),
        }
    }

    /// `score OP number` (either way round) lowered to `at least`; `None`
    /// when neither side is a score or a category.
    pub(super) fn derived_comparison(
        &mut self,
        op: BinOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
    ) -> Option<Option<(Expr, Type)>> {
        let (l, r) = (self.derived_name(lhs), self.derived_name(rhs));
        let (name, subject, other, flipped) = match (l, r) {
            (Some(n), _) => (n, lhs, rhs, false),
            (None, Some(n)) => (n, rhs, lhs, true),
            (None, None) => return None,
        };
        let text = self.source.slice(subject.span).to_string();
        let Name::Score(i) = name else {
            self.error(
                Problem::error(
                    "guidelang::check::category_not_tested",
                    format!(
                        "category `{text}` has named levels, so it cannot be compared with `{}`",
                        op.as_str()
                    ),
                )
                .with_label(subject.span, "a category")
                .with_help(format!(
                    "test its level with `is`: `{text} is {}` or `{text} is one of (...)`",
                    self.first_level(name)
                )),
            );
            return Some(None);
        };
        let Some(k) = constant(other).filter(|(_, unit)| !unit).map(|(k, _)| k) else {
            self.error(
                Problem::error(
                    "guidelang::check::score_compared",
                    format!("score `{text}` can only be compared with a plain number"),
                )
                .with_label(other.span, "not a plain number")
                .with_help(format!(
                    "write the threshold itself, e.g. `{text} >= 2`; a score has no unit, and comparing it with \
                     a constant keeps it exact when items are unknown"
                )),
            );
            return Some(None);
        };
        if !self.ready(name, &text, subject.span) {
            return Some(None);
        }
        let score = self.derived.scores[i].1.clone()?;
        let cmp = match (op, flipped) {
            (BinOp::Lt, false) | (BinOp::Gt, true) => CmpOp::Lt,
            (BinOp::Le, false) | (BinOp::Ge, true) => CmpOp::Le,
            (BinOp::Gt, false) | (BinOp::Lt, true) => CmpOp::Gt,
            (BinOp::Ge, false) | (BinOp::Le, true) => CmpOp::Ge,
            (BinOp::Eq, _) => CmpOp::Eq,
            _ => CmpOp::Ne,
        };
        Some(Some((compare(&score, cmp, k, span), Type::Bool)))
    }

    /// A score or category as an operand of `+ - * /`: refused, since the
    /// interval of a sum is exact only against a constant.
    pub(super) fn derived_arithmetic(&mut self, op: BinOp, lhs: &ast::Expr, rhs: &ast::Expr) -> bool {
        for side in [lhs, rhs] {
            let Some(name) = self.derived_name(side) else { continue };
            let text = self.source.slice(side.span).to_string();
            let p = match name {
                Name::Score(_) => Problem::error(
                    "guidelang::check::score_in_arithmetic",
                    format!("score `{text}` cannot be used in arithmetic (`{}`)", op.as_str()),
                )
                .with_label(side.span, "a score")
                .with_help(format!(
                    "compare the score itself with a number, e.g. `{text} >= 3` rather than `{text} + 1 >= 4`: \
                     only a comparison with a constant stays exact while items are unknown"
                )),
                _ => Problem::error(
                    "guidelang::check::category_not_tested",
                    format!("category `{text}` has named levels, so it cannot be used in arithmetic"),
                )
                .with_label(side.span, "a category")
                .with_help(format!(
                    "test its level with `is`, e.g. `{text} is {}`",
                    self.first_level(name)
                )),
            };
            self.error(p);
            return true;
        }
        false
    }

    /// `category is LEVEL`, `is not`, `is one of (...)`, `is not one of
    /// (...)`, lowered to the levels' conditions; `None` when the subject is
    /// not a category.
    pub(super) fn category_test(
        &mut self,
        subject: &ast::Expr,
        values: &[ast::Spanned<String>],
        negated: bool,
        span: Span,
    ) -> Option<Option<(Expr, Type)>> {
        let name = self.derived_name(subject)?;
        let text = self.source.slice(subject.span).to_string();
        let Name::Category(i) = name else {
            self.error(
                Problem::error(
                    "guidelang::check::score_not_compared",
                    format!(
                        "score `{text}` is a number, so it cannot be `{}`",
                        values.first().map_or("", |v| v.node.as_str())
                    ),
                )
                .with_label(subject.span, "a score")
                .with_help(format!("compare it with a threshold, e.g. `{text} >= 2`")),
            );
            return Some(None);
        };
        if !self.ready(name, &text, subject.span) {
            return Some(None);
        }
        let category = self.derived.categories[i].1.clone()?;
        let mut conditions = Vec::new();
        let mut ok = true;
        for v in values {
            match category.levels.iter().find(|l| l.name == v.node) {
                Some(l) => conditions.push(l.condition.clone()),
                None => {
                    let (help, suggested) =
                        suggestion(&v.node, category.levels.iter().map(|l| l.name.as_str()), "level");
                    self.error(
                        Problem::error(
                            "guidelang::check::unknown_level",
                            format!("`{}` is not a level of `{}`", v.node, category.name),
                        )
                        .with_label(v.span, "not a level")
                        .with_help(help)
                        .with_suggestion(v.span, suggested),
                    );
                    ok = false;
                }
            }
        }
        if !ok {
            return Some(None);
        }
        let holds = any(conditions, span);
        let e = if negated { not(holds, span) } else { holds };
        Some(Some((Expr { kind: e.kind, span }, Type::Bool)))
    }
}

/// A number written out, `2` or `-1`, and whether it has a unit.
fn constant(e: &ast::Expr) -> Option<(f64, bool)> {
    match &e.node {
        ast::ExprKind::Quantity { value, unit } => Some((*value, unit.is_some())),
        ast::ExprKind::Neg(x) => constant(x).map(|(v, u)| (-v, u)),
        _ => None,
    }
}

/// `score OP k` as conditions over the score's items. With `M` the points of
/// the negative items, `score = Σ p·[c] (p > 0) + Σ |p|·[not c] (p < 0) − M`,
/// so `score >= n` is "at least `n + M` of" the items, each repeated by its
/// points (negative ones negated). Each side of `>=` is monotone in every
/// item, so its three-valued truth is exactly that of the interval of the
/// score: true when the sure points reach `n`, false when even every unknown
/// item cannot.
pub fn compare(score: &Score, op: CmpOp, k: f64, span: Span) -> Expr {
    // Beyond the bounds every comparison is settled; clamping keeps the
    // rounding below within i64.
    let k = k.clamp(-1e9, 1e9);
    let ge = |n: f64| at_least(score, n.ceil() as i64, span);
    let gt = |n: f64| at_least(score, n.floor() as i64 + 1, span);
    let eq = || {
        if k.fract() != 0.0 {
            bool_expr(false, span)
        } else {
            and(ge(k), not(gt(k), span), span)
        }
    };
    match op {
        CmpOp::Ge => ge(k),
        CmpOp::Gt => gt(k),
        CmpOp::Le => not(gt(k), span),
        CmpOp::Lt => not(ge(k), span),
        CmpOp::Eq => eq(),
        CmpOp::Ne => not(eq(), span),
    }
}

/// `score >= n`.
fn at_least(score: &Score, n: i64, span: Span) -> Expr {
    let offset: i64 = score.items.iter().map(|i| (-i.points).max(0)).sum();
    let total: i64 = score.items.iter().map(|i| i.points.abs()).sum();
    let n = n + offset;
    if n <= 0 {
        return bool_expr(true, span);
    }
    if n > total {
        return bool_expr(false, span);
    }
    let mut items = Vec::new();
    for i in &score.items {
        let item = if i.points > 0 {
            i.when.clone()
        } else {
            not(i.when.clone(), i.when.span)
        };
        for _ in 0..i.points.unsigned_abs() {
            items.push(item.clone());
        }
    }
    Expr {
        // Within MAX_TOTAL_POINTS, so it fits.
        kind: ExprKind::AtLeast(n as u32, items),
        span,
    }
}

fn bool_expr(b: bool, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Bool(b),
        span,
    }
}

fn not(e: Expr, span: Span) -> Expr {
    match e.kind {
        ExprKind::Bool(b) => bool_expr(!b, span),
        ExprKind::Not(inner) => *inner,
        kind => Expr {
            kind: ExprKind::Not(Box::new(Expr { kind, span: e.span })),
            span,
        },
    }
}

fn and(a: Expr, b: Expr, span: Span) -> Expr {
    match (&a.kind, &b.kind) {
        (ExprKind::Bool(false), _) | (_, ExprKind::Bool(false)) => bool_expr(false, span),
        (ExprKind::Bool(true), _) => b,
        (_, ExprKind::Bool(true)) => a,
        _ => Expr {
            kind: ExprKind::And(Box::new(a), Box::new(b)),
            span,
        },
    }
}

/// Any of the conditions; false for none.
fn any(conditions: Vec<Expr>, span: Span) -> Expr {
    let mut it = conditions.into_iter();
    let Some(first) = it.next() else {
        return bool_expr(false, span);
    };
    it.fold(first, |acc, c| Expr {
        kind: ExprKind::Or(Box::new(acc), Box::new(c)),
        span,
    })
}
