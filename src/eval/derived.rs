//! What each score is worth and which level each category is at, on one
//! case: for the reports ("CHA2DS2-VASc 4", "CHA2DS2-VASc 2 to 5"). Decisions
//! never read these: rules see scores and categories through the conditions
//! the checker lowered them to. The item and level conditions are compiled
//! into the program's arena after everything a decision needs, so they are
//! computed only when the full result is asked for.

use super::run::Evaluator;
use super::Truth;
use crate::compile::Builder;
use crate::facts::Case;
use crate::model::{FactId, Guideline};

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
    categories: Vec<Vec<Cond>>,
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
                .map(|c| c.levels.iter().map(|l| cond(&l.condition)).collect())
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

    /// Every category's level.
    pub(super) fn category_results(&self, case: &Case) -> Vec<CategoryResult> {
        let code = &self.program.derived;
        code.categories
            .iter()
            .enumerate()
            .map(|(category, levels)| {
                let truth = |c: &Cond| self.truth[c.node as usize];
                let level = levels.iter().position(|c| truth(c) == Truth::True);
                let possible: Vec<usize> = match level {
                    Some(l) => vec![l],
                    None => (0..levels.len())
                        .filter(|&l| truth(&levels[l]) != Truth::False)
                        .collect(),
                };
                let mut needs: Vec<FactId> = match level {
                    Some(_) => Vec::new(),
                    None => possible
                        .iter()
                        .flat_map(|&l| levels[l].facts.iter().copied())
                        .filter(|f| case.get(*f).is_none())
                        .collect(),
                };
                needs.sort_unstable();
                needs.dedup();
                CategoryResult {
                    category,
                    level,
                    possible,
                    needs,
                }
            })
            .collect()
    }
}
