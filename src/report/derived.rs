//! Scores and categories in the reports: "CHA2DS2-VASc 4", "CHA2DS2-VASc 2
//! to 5 (unknown: ...)", "Stroke risk: high (chads_vasc >= 2)"; and their
//! objects in the JSON output contract.

use std::fmt::Write;

use serde::Serialize;

use super::document::{anchor, heading, Block};
use super::english::{condition, plain, Inline};
use super::text::Painter;
use super::words::record_phrase;
use crate::eval::{CategoryResult, Evaluation, ScoreResult};
use crate::model::{Expr, Guideline};

/// A score in the JSON report: `value` when it is known, its interval always.
#[derive(Serialize)]
pub(super) struct ScoreJson<'g> {
    counted: Vec<ItemJson<'g>>,
    high: i64,
    label: &'g str,
    low: i64,
    name: &'g str,
    needs: Vec<&'g str>,
    unknown: Vec<ItemJson<'g>>,
    value: Option<i64>,
}

/// One item of a score: its points and its condition as written.
#[derive(Serialize)]
pub(super) struct ItemJson<'g> {
    condition: &'g str,
    points: i64,
}

/// A category in the JSON report: its level, or the levels still possible.
#[derive(Serialize)]
pub(super) struct CategoryJson<'g> {
    label: &'g str,
    level: Option<&'g str>,
    name: &'g str,
    needs: Vec<&'g str>,
    possible: Vec<&'g str>,
}

fn written<'g>(g: &'g Guideline, e: &Expr) -> &'g str {
    g.source.slice(e.span)
}

fn needs<'g>(g: &'g Guideline, facts: &[crate::model::FactId]) -> Vec<&'g str> {
    facts.iter().map(|f| g.fact(*f).name.as_str()).collect()
}

pub(super) fn scores_json<'g>(g: &'g Guideline, e: &Evaluation) -> Vec<ScoreJson<'g>> {
    e.scores
        .iter()
        .map(|r| {
            let s = &g.scores[r.score];
            let items = |which: &[usize]| {
                which
                    .iter()
                    .map(|&i| ItemJson {
                        condition: written(g, &s.items[i].when),
                        points: s.items[i].points,
                    })
                    .collect()
            };
            ScoreJson {
                counted: items(&r.counted),
                high: r.high,
                label: &s.label,
                low: r.low,
                name: &s.name,
                needs: needs(g, &r.needs),
                unknown: items(&r.unknown),
                value: (r.low == r.high).then_some(r.low),
            }
        })
        .collect()
}

pub(super) fn categories_json<'g>(g: &'g Guideline, e: &Evaluation) -> Vec<CategoryJson<'g>> {
    e.categories
        .iter()
        .map(|r| {
            let c = &g.categories[r.category];
            CategoryJson {
                label: &c.label,
                level: r.level.map(|l| c.levels[l].name.as_str()),
                name: &c.name,
                needs: needs(g, &r.needs),
                possible: r.possible.iter().map(|&l| c.levels[l].name.as_str()).collect(),
            }
        })
        .collect()
}

/// "CHA2DS2-VASc 4" or "CHA2DS2-VASc 2 to 5 (unknown: ...)".
pub fn score_line(g: &Guideline, r: &ScoreResult) -> String {
    let s = &g.scores[r.score];
    if r.low == r.high {
        return format!("{} {}", s.label, r.low);
    }
    let unknown: Vec<String> = r
        .unknown
        .iter()
        .map(|&i| {
            let it = &s.items[i];
            format!("{} ({:+})", plain(&condition(g, &it.when)), it.points)
        })
        .collect();
    format!("{} {} to {} (unknown: {})", s.label, r.low, r.high, unknown.join("; "))
}

/// "Stroke risk: high (when chads_vasc >= 2)" or "Stroke risk: high or
/// moderate — record ...".
pub fn category_line(g: &Guideline, r: &CategoryResult) -> String {
    let c = &g.categories[r.category];
    match r.level {
        Some(l) => {
            let level = &c.levels[l];
            match &level.when {
                // As written: a level's condition often tests a score, which
                // the model holds lowered (`at least` over its items).
                Some(w) => format!("{}: {} (when {})", c.label, level.name, written(g, w)),
                None => format!("{}: {} (no other level holds)", c.label, level.name),
            }
        }
        None => {
            let names: Vec<String> = r.possible.iter().map(|&l| c.levels[l].name.clone()).collect();
            let open = if names.is_empty() {
                "undecided".to_string()
            } else {
                format!("{} or {}", names[..names.len() - 1].join(", "), names[names.len() - 1])
            };
            let open = if names.len() == 1 { names[0].clone() } else { open };
            if r.needs.is_empty() {
                format!("{}: {open}", c.label)
            } else {
                format!("{}: {open} — {} to decide", c.label, record_phrase(g, &r.needs))
            }
        }
    }
}

/// The scores' and categories' section of the text report, when the
/// guideline has any.
pub(super) fn section(out: &mut String, g: &Guideline, e: &Evaluation, p: &Painter) {
    if e.scores.is_empty() && e.categories.is_empty() {
        return;
    }
    let heading = match (e.scores.is_empty(), e.categories.is_empty()) {
        (false, true) => "SCORES",
        (true, false) => "CATEGORIES",
        _ => "SCORES AND CATEGORIES",
    };
    let _ = writeln!(out, "\n{}", p.bold(heading));
    let lines: Vec<String> = e
        .scores
        .iter()
        .map(|r| score_line(g, r))
        .chain(e.categories.iter().map(|r| category_line(g, r)))
        .collect();
    for l in lines {
        let _ = writeln!(out, "  {l}");
    }
}

/// A score comparison the checker lowered (`at least n` of a score's items,
/// repeated by their points) as the score's label and threshold; `None` for
/// an `at least` the editor wrote. The lowered items are the score's own
/// conditions, so they lie within its declaration.
pub(super) fn score_threshold<'g>(g: &'g Guideline, n: u32, items: &[Expr]) -> Option<(&'g str, i64)> {
    let first = items.first()?;
    let s = g
        .scores
        .iter()
        .find(|s| s.items.iter().any(|i| i.when.span == first.span))?;
    // Exactly the expansion: as many items as points, each one of the
    // score's conditions (an `at least` written inside an item has others).
    let total: i64 = s.items.iter().map(|i| i.points.abs()).sum();
    if i64::try_from(items.len()).ok()? != total || !items.iter().all(|e| s.items.iter().any(|i| i.when.span == e.span))
    {
        return None;
    }
    let offset: i64 = s.items.iter().map(|i| (-i.points).max(0)).sum();
    Some((&s.label, i64::from(n) - offset))
}

/// The document's section on scores and categories: each score's points
/// and conditions, each category's levels and conditions.
pub(super) fn document_blocks(g: &Guideline) -> Vec<Block> {
    let mut b = Vec::new();
    if g.scores.is_empty() && g.categories.is_empty() {
        return b;
    }
    b.push(heading(2, "Scores and categories", Some("scores")));
    for s in &g.scores {
        b.push(Block::Heading {
            level: 3,
            text: vec![
                Inline::Strong(s.label.clone()),
                Inline::Text(" ".into()),
                Inline::Code(s.name.clone()),
            ],
            id: Some(anchor("score", &s.name)),
        });
        let rows = s
            .items
            .iter()
            .map(|i| vec![vec![Inline::Text(format!("{:+}", i.points))], condition(g, &i.when)])
            .collect();
        b.push(Block::Table {
            header: vec!["Points".into(), "When".into()],
            rows,
        });
    }
    for c in &g.categories {
        b.push(Block::Heading {
            level: 3,
            text: vec![
                Inline::Strong(c.label.clone()),
                Inline::Text(" ".into()),
                Inline::Code(c.name.clone()),
            ],
            id: Some(anchor("category", &c.name)),
        });
        let rows = c
            .levels
            .iter()
            .map(|l| {
                let when = match &l.when {
                    Some(w) => condition(g, w),
                    None => vec![Inline::Text("no other level holds".into())],
                };
                vec![vec![Inline::Code(l.name.clone())], when]
            })
            .collect();
        b.push(Block::Table {
            header: vec!["Level".into(), "When".into()],
            rows,
        });
    }
    b
}
