//! Scores and categories the slow way, for the reference evaluator: each
//! item's and level's condition walked with [`Env`], the interval summed
//! straight from the definition ("sure points" to "sure plus possible").

use super::env::Env;
use guidelang::eval::{completions, level_cells, CategoryResult, ScoreResult, Truth};
use guidelang::facts::Case;
use guidelang::model::{FactId, Guideline};

fn absent(g: &Guideline, case: &Case, e: &guidelang::model::Expr) -> Vec<FactId> {
    g.facts_read(e).into_iter().filter(|f| case.get(*f).is_none()).collect()
}

/// Every score's value on the case.
pub fn scores(g: &Guideline, env: &Env, case: &Case) -> Vec<ScoreResult> {
    g.scores
        .iter()
        .enumerate()
        .map(|(score, s)| {
            let truths: Vec<Truth> = s.items.iter().map(|i| env.truth(&i.when)).collect();
            let sure: i64 = s
                .items
                .iter()
                .zip(&truths)
                .filter(|(_, t)| **t == Truth::True)
                .map(|(i, _)| i.points)
                .sum();
            let unknown: Vec<usize> = (0..truths.len()).filter(|&i| truths[i] == Truth::Unknown).collect();
            let up: i64 = unknown.iter().map(|&i| s.items[i].points.max(0)).sum();
            let down: i64 = unknown.iter().map(|&i| s.items[i].points.min(0)).sum();
            let mut needs: Vec<FactId> = unknown
                .iter()
                .flat_map(|&i| absent(g, case, &s.items[i].when))
                .collect();
            needs.sort_unstable();
            needs.dedup();
            ScoreResult {
                score,
                low: sure + down,
                high: sure + up,
                counted: (0..truths.len()).filter(|&i| truths[i] == Truth::True).collect(),
                unknown,
                needs,
            }
        })
        .collect()
}

/// Every category's level on the case.
pub fn categories(g: &Guideline, env: &Env, case: &Case) -> Vec<CategoryResult> {
    g.categories
        .iter()
        .enumerate()
        .map(|(category, c)| {
            let truths: Vec<Truth> = c.levels.iter().map(|l| env.truth(&l.condition)).collect();
            let level = truths.iter().position(|t| *t == Truth::True);
            let mut possible: Vec<usize> = match level {
                Some(l) => vec![l],
                None => (0..truths.len()).filter(|&l| truths[l] != Truth::False).collect(),
            };
            // Undecided: the levels the completions reach, each walked anew
            // (the cells are the library's; what holds on each is ours).
            let conditions: Vec<&guidelang::model::Expr> = c.levels.iter().map(|l| &l.condition).collect();
            let cases = match level_cells(g, &conditions) {
                Some(cells) if level.is_none() && possible.len() > 1 => completions(case, &cells),
                _ => None,
            };
            if let Some(cases) = cases {
                let reached: Vec<usize> = (0..c.levels.len())
                    .filter(|&l| {
                        cases
                            .iter()
                            .any(|full| Env::new(g, full).truth(&c.levels[l].condition) == Truth::True)
                    })
                    .collect();
                if !reached.is_empty() {
                    possible = reached;
                }
            }
            let mut needs: Vec<FactId> = match level {
                Some(_) => Vec::new(),
                None => possible
                    .iter()
                    .flat_map(|&l| absent(g, case, &c.levels[l].condition))
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
