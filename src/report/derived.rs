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
use crate::model::{Expr, ExprKind, Guideline};

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
    for (index, c) in g.categories.iter().enumerate() {
        // Its levels in words, reading the categories before it by level
        // (a level may test them) but not its own, which would read
        // "TLS risk is high" for the condition of `high`.
        let mut earlier = g.clone();
        earlier.categories.truncate(index);
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
                    Some(w) => condition(&earlier, w),
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

/// "TLS risk is high" for a condition that is a level's condition: the
/// checker lowers `tls_risk is high` to it. `None` otherwise (and at once
/// for a guideline without categories).
pub(super) fn level_words(g: &Guideline, e: &ExprKind) -> Option<String> {
    g.categories.iter().find_map(|c| {
        c.levels
            .iter()
            .find(|l| same(&l.condition.kind, e))
            .map(|l| format!("{} is {}", c.label, l.name))
    })
}

/// Structural equality of two conditions, spans aside.
fn same(a: &ExprKind, b: &ExprKind) -> bool {
    use ExprKind as K;
    match (a, b) {
        (K::Bool(x), K::Bool(y)) => x == y,
        (K::Num(x), K::Num(y)) => x.to_bits() == y.to_bits(),
        (K::Fact(x), K::Fact(y)) => x == y,
        (K::Def(x), K::Def(y)) => x == y,
        (K::Not(x), K::Not(y)) | (K::Neg(x), K::Neg(y)) | (K::Sqrt(x), K::Sqrt(y)) => same(&x.kind, &y.kind),
        (K::And(a1, a2), K::And(b1, b2)) | (K::Or(a1, a2), K::Or(b1, b2)) => {
            same(&a1.kind, &b1.kind) && same(&a2.kind, &b2.kind)
        }
        (K::Compare(o1, a1, a2), K::Compare(o2, b1, b2)) => {
            o1 == o2 && same(&a1.kind, &b1.kind) && same(&a2.kind, &b2.kind)
        }
        (K::Arith(o1, a1, a2), K::Arith(o2, b1, b2)) => {
            o1 == o2 && same(&a1.kind, &b1.kind) && same(&a2.kind, &b2.kind)
        }
        (K::EnumIn(x, m), K::EnumIn(y, n)) => m == n && same(&x.kind, &y.kind),
        (K::Known(x, p), K::Known(y, q)) => p == q && same(&x.kind, &y.kind),
        (K::AtLeast(n, xs), K::AtLeast(m, ys)) => {
            n == m && xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| same(&x.kind, &y.kind))
        }
        _ => false,
    }
}
