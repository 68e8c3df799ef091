//! What each score is worth and which level each category is at, on one
//! case: for the reports ("CHA2DS2-VASc 4", "CHA2DS2-VASc 2 to 5"). Decisions
//! never read these: rules see scores and categories through the conditions
//! the checker lowered them to. The item and level conditions are compiled
//! into the program's arena after everything a decision needs, so they are
//! computed only when the full result is asked for.

use super::run::Evaluator;
use super::Truth;
use crate::analysis::{inexact_parts, Domain, FactDomain};
use crate::compile::Builder;
use crate::facts::{Case, Value};
use crate::model::{Expr, FactId, Guideline};

/// Most completions of a case tried to find the levels still possible; past
/// it, every level whose condition is not false stays possible.
pub const MAX_LEVEL_COMPLETIONS: usize = 256;

/// A score's value on a case: exact when `low == high`, else an interval
/// whose ends are both reached by some truth of the unknown items.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreResult {
    /// Index into `Guideline::scores`.
    pub score: usize,
    /// Lowest value the unknown items allow.
    pub low: i64,
    /// Highest value the unknown items allow.
    pub high: i64,
    /// Items whose condition holds (indices into the score's items).
    pub counted: Vec<usize>,
    /// Items whose condition is unknown.
    pub unknown: Vec<usize>,
    /// Absent facts the unknown items read, in declaration order.
    pub needs: Vec<FactId>,
}

/// A category's level on a case.
#[derive(Clone, Debug, PartialEq)]
pub struct CategoryResult {
    /// Index into `Guideline::categories`.
    pub category: usize,
    /// The level that holds (index into its levels); `None` while undecided.
    pub level: Option<usize>,
    /// Levels still possible: those whose condition is not false.
    pub possible: Vec<usize>,
    /// Absent facts the undecided levels read, in declaration order.
    pub needs: Vec<FactId>,
}

/// A condition's node and the facts it reads.
#[derive(Clone, Debug)]
struct Cond {
    node: u32,
    facts: Vec<FactId>,
}

/// Scores' items and categories' levels, compiled.
#[derive(Clone, Debug, Default)]
pub(crate) struct DerivedCode {
    scores: Vec<Vec<(i64, Cond)>>,
    categories: Vec<CategoryCode>,
}

/// A category's levels, and the values worth trying for each fact they read.
#[derive(Clone, Debug)]
struct CategoryCode {
    levels: Vec<Cond>,
    /// One value per cell of each fact the levels read (see
    /// [`level_cells`]); `None` when a level leaves the exact fragment.
    cells: Option<Vec<(FactId, Vec<Value>)>>,
}

/// For each fact the conditions read, one value per cell of its domain cut
/// at the constants they compare it with: within the exact fragment the
/// conditions' truths on these values are all their truths. `None` outside
/// that fragment (a comparison of computed quantities).
pub fn level_cells(g: &Guideline, conditions: &[&Expr]) -> Option<Vec<(FactId, Vec<Value>)>> {
    if conditions.iter().any(|e| !inexact_parts(g, e).is_empty()) {
        return None;
    }
    let dom = Domain::new(g, conditions.iter().copied());
    let mut facts: Vec<FactId> = conditions.iter().flat_map(|e| g.facts_read(e)).collect();
    facts.sort_unstable();
    facts.dedup();
    Some(
        facts
            .into_iter()
            .map(|f| {
                let values = match dom.fact(f) {
                    FactDomain::Bool => vec![Value::Bool(false), Value::Bool(true)],
                    FactDomain::Enum(n) => (0..*n).map(|i| Value::Enum(i as u8)).collect(),
                    FactDomain::Numeric(cells) => cells.iter().map(|c| Value::Num(c.value)).collect(),
                };
                (f, values)
            })
            .collect(),
    )
}

/// Every completion of `case` over the absent facts of `cells`, or `None`
/// past [`MAX_LEVEL_COMPLETIONS`].
pub fn completions(case: &Case, cells: &[(FactId, Vec<Value>)]) -> Option<Vec<Case>> {
    let open: Vec<&(FactId, Vec<Value>)> = cells.iter().filter(|(f, _)| case.get(*f).is_none()).collect();
    let mut count = 1usize;
    for (_, values) in &open {
        count = count.checked_mul(values.len().max(1))?;
        if count > MAX_LEVEL_COMPLETIONS {
            return None;
        }
    }
    let mut out = vec![case.clone()];
    for (f, values) in open {
        out = out
            .into_iter()
            .flat_map(|c| {
                values.iter().map(move |v| {
                    let mut c = c.clone();
                    c.set(*f, Some(*v));
                    c
                })
            })
            .collect();
    }
    Some(out)
}

impl DerivedCode {
    /// Lowers every item and level condition of `g` into the arena.
    pub(crate) fn new(g: &Guideline, b: &mut Builder) -> DerivedCode {
        let mut cond = |e| Cond {
            node: b.expr(e),
            facts: g.facts_read(e),
        };
        DerivedCode {
            scores: g
                .scores
                .iter()
                .map(|s| s.items.iter().map(|i| (i.points, cond(&i.when))).collect())
                .collect(),
            categories: g
                .categories
                .iter()
                .map(|c| {
                    let conditions: Vec<&Expr> = c.levels.iter().map(|l| &l.condition).collect();
                    CategoryCode {
                        levels: c.levels.iter().map(|l| cond(&l.condition)).collect(),
                        cells: level_cells(g, &conditions),
                    }
                })
                .collect(),
        }
    }
}

impl Evaluator<'_> {
    /// Every score's value; the nodes after `run_end` must be computed.
    pub(super) fn score_results(&self, case: &Case) -> Vec<ScoreResult> {
        let code = &self.program.derived;
        code.scores
            .iter()
            .enumerate()
            .map(|(score, items)| {
                let mut r = ScoreResult {
                    score,
                    low: 0,
                    high: 0,
                    counted: Vec::new(),
                    unknown: Vec::new(),
                    needs: Vec::new(),
                };
                for (i, (points, cond)) in items.iter().enumerate() {
                    match self.truth[cond.node as usize] {
                        Truth::True => {
                            r.low += points;
                            r.high += points;
                            r.counted.push(i);
                        }
                        Truth::False => {}
                        Truth::Unknown => {
                            if *points > 0 {
                                r.high += points;
                            } else {
                                r.low += points;
                            }
                            r.unknown.push(i);
                            r.needs.extend(cond.facts.iter().filter(|f| case.get(**f).is_none()));
                        }
                    }
                }
                r.needs.sort_unstable();
                r.needs.dedup();
                r
            })
            .collect()
    }

    /// Every category's level. While a level is undecided, the levels still
    /// possible are those some completion of the absent facts reaches (tried
    /// on one value per cell; the arena is computed again for each and
    /// restored after), or, outside the exact fragment or past
    /// [`MAX_LEVEL_COMPLETIONS`], every level whose condition is not false.
    pub(super) fn category_results(&mut self, case: &Case) -> Vec<CategoryResult> {
        let code = &self.program.derived;
        let mut out = Vec::with_capacity(code.categories.len());
        for (category, c) in code.categories.iter().enumerate() {
            let truth = |s: &Self, l: &Cond| s.truth[l.node as usize];
            let level = c.levels.iter().position(|l| truth(self, l) == Truth::True);
            let mut possible: Vec<usize> = match level {
                Some(l) => vec![l],
                None => (0..c.levels.len())
                    .filter(|&l| truth(self, &c.levels[l]) != Truth::False)
                    .collect(),
            };
            let completed = match (level, &c.cells) {
                (None, Some(cells)) if possible.len() > 1 => completions(case, cells),
                _ => None,
            };
            if let Some(cases) = completed {
                let mut reached = vec![false; c.levels.len()];
                for full in &cases {
                    self.compute(full, 0..self.program.nodes.len());
                    for (l, cond) in c.levels.iter().enumerate() {
                        reached[l] |= truth(self, cond) == Truth::True;
                    }
                }
                // Back to the case itself, for the next category.
                self.compute(case, 0..self.program.nodes.len());
                // Some level holds on every complete case (the checker
                // proved it), so `reached` is never empty there.
                if reached.iter().any(|r| *r) {
                    possible = (0..c.levels.len()).filter(|&l| reached[l]).collect();
                }
            }
            let mut needs: Vec<FactId> = match level {
                Some(_) => Vec::new(),
                None => possible
                    .iter()
                    .flat_map(|&l| c.levels[l].facts.iter().copied())
                    .filter(|f| case.get(*f).is_none())
                    .collect(),
            };
            needs.sort_unstable();
            needs.dedup();
            out.push(CategoryResult {
                category,
                level,
                possible,
                needs,
            });
        }
        out
    }
}
