//! What was added, removed and changed, item by item: actions, rules, facts,
//! references, and the rest (header, definitions, notes, invariants), each
//! with the parts that differ. Matching is by id or name.

use super::{squash, text_of, Change, ItemChange};
use crate::model::{FactKind, Guideline, Rule};

/// Actions added, removed, or relabelled or made (non-)urgent. A file that
/// declares no action labels each by its id, so declaring them shows as
/// label changes (wording); a change of urgency changes what a report for
/// people puts first, so it is not wording.
pub(super) fn action_changes(old: &Guideline, new: &Guideline) -> Vec<ItemChange> {
    let mut out = Vec::new();
    for a in &new.actions {
        match old.action_id(&a.name).map(|o| old.action(o)) {
            None => out.push(ItemChange {
                name: a.name.clone(),
                change: Change::Added,
                parts: Vec::new(),
            }),
            Some(o) => {
                let parts: Vec<String> = [("label", o.label != a.label), ("urgent", o.urgent != a.urgent)]
                    .iter()
                    .filter(|(_, c)| *c)
                    .map(|(p, _)| p.to_string())
                    .collect();
                if !parts.is_empty() {
                    out.push(ItemChange {
                        name: a.name.clone(),
                        change: Change::Changed,
                        parts,
                    });
                }
            }
        }
    }
    for a in &old.actions {
        if new.action_id(&a.name).is_none() {
            out.push(ItemChange {
                name: a.name.clone(),
                change: Change::Removed,
                parts: Vec::new(),
            });
        }
    }
    out
}

fn find_reference(g: &Guideline, n: u32) -> Option<&crate::model::Reference> {
    g.references.iter().find(|r| r.number == n)
}

/// References by number, in number order.
pub(super) fn reference_changes(old: &Guideline, new: &Guideline) -> Vec<ItemChange> {
    let mut numbers: Vec<u32> = old.references.iter().chain(&new.references).map(|r| r.number).collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
        .into_iter()
        .filter_map(|n| {
            let (change, parts) = match (find_reference(old, n), find_reference(new, n)) {
                (None, _) => (Change::Added, Vec::new()),
                (_, None) => (Change::Removed, Vec::new()),
                (Some(o), Some(r)) => {
                    let parts: Vec<String> = [
                        ("title", o.title != r.title),
                        ("source", o.source != r.source),
                        ("year", o.year != r.year),
                    ]
                    .iter()
                    .filter(|(_, c)| *c)
                    .map(|(p, _)| p.to_string())
                    .collect();
                    if parts.is_empty() {
                        return None;
                    }
                    (Change::Changed, parts)
                }
            };
            Some(ItemChange {
                name: n.to_string(),
                change,
                parts,
            })
        })
        .collect()
}

pub(super) fn rule_changes(old: &Guideline, new: &Guideline) -> Vec<ItemChange> {
    let mut out = Vec::new();
    for r in &new.rules {
        match old.rule_id(&r.id) {
            None => out.push(ItemChange {
                name: r.id.clone(),
                change: Change::Added,
                parts: Vec::new(),
            }),
            Some(o) => {
                let parts = rule_parts(old, old.rule(o), new, r);
                if !parts.is_empty() {
                    out.push(ItemChange {
                        name: r.id.clone(),
                        change: Change::Changed,
                        parts,
                    });
                }
            }
        }
    }
    for r in &old.rules {
        if new.rule_id(&r.id).is_none() {
            out.push(ItemChange {
                name: r.id.clone(),
                change: Change::Removed,
                parts: Vec::new(),
            });
        }
    }
    out
}

fn rule_parts(og: &Guideline, o: &Rule, ng: &Guideline, n: &Rule) -> Vec<String> {
    let ids = |g: &Guideline, r: &Rule| -> Vec<String> { r.overrides.iter().map(|x| g.rule(*x).id.clone()).collect() };
    let dose = dose_text;
    let warnings = |g: &Guideline, r: &Rule| -> Vec<(String, String)> {
        r.warnings
            .iter()
            .map(|w| (w.text.clone(), text_of(g, w.when.as_ref())))
            .collect()
    };
    let checks = [
        ("verdict", o.verdict != n.verdict),
        ("action", og.action(o.action).name != ng.action(n.action).name),
        (
            "condition",
            text_of(og, o.when.as_ref()) != text_of(ng, n.when.as_ref()),
        ),
        ("dose", dose(og, o) != dose(ng, n)),
        ("warnings", warnings(og, o) != warnings(ng, n)),
        ("overrides", ids(og, o) != ids(ng, n)),
        ("detail", o.detail != n.detail),
        ("rationale", o.because != n.because),
        ("citations", o.cites != n.cites),
    ];
    checks.iter().filter(|(_, c)| *c).map(|(p, _)| p.to_string()).collect()
}

/// Facts added, removed, changed; and whether a change can reject old case files.
pub(super) fn fact_changes(old: &Guideline, new: &Guideline) -> (Vec<ItemChange>, bool) {
    let mut out = Vec::new();
    let mut major = false;
    for f in &new.facts {
        match old.fact_id(&f.name) {
            None => out.push(ItemChange {
                name: f.name.clone(),
                change: Change::Added,
                parts: Vec::new(),
            }),
            Some(o) => {
                let of = old.fact(o);
                let mut parts = Vec::new();
                if of.kind != f.kind {
                    parts.push("type".to_string());
                    major |= !accepts_all(&f.kind, &of.kind);
                }
                if of.description != f.description {
                    parts.push("description".to_string());
                }
                if !parts.is_empty() {
                    out.push(ItemChange {
                        name: f.name.clone(),
                        change: Change::Changed,
                        parts,
                    });
                }
            }
        }
    }
    for f in &old.facts {
        if new.fact_id(&f.name).is_none() {
            major = true;
            out.push(ItemChange {
                name: f.name.clone(),
                change: Change::Removed,
                parts: Vec::new(),
            });
        }
    }
    (out, major)
}

/// True when every value `old` accepts, `new` accepts too.
fn accepts_all(new: &FactKind, old: &FactKind) -> bool {
    let wider = |nmin: &Option<f64>, nmax: &Option<f64>, omin: &Option<f64>, omax: &Option<f64>| {
        let lo = match (nmin, omin) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(a), Some(b)) => a <= b,
        };
        let hi = match (nmax, omax) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(a), Some(b)) => a >= b,
        };
        lo && hi
    };
    match (new, old) {
        (FactKind::Bool, FactKind::Bool) => true,
        (FactKind::Enum { values: n }, FactKind::Enum { values: o }) => o.iter().all(|v| n.contains(v)),
        (FactKind::Integer { min: a, max: b }, FactKind::Integer { min: c, max: d }) => wider(a, b, c, d),
        (
            FactKind::Number {
                unit: u,
                min: a,
                max: b,
            },
            FactKind::Number {
                unit: v,
                min: c,
                max: d,
            },
        ) => u == v && wider(a, b, c, d),
        (FactKind::Number { min: a, max: b, .. }, FactKind::Integer { min: c, max: d }) => wider(a, b, c, d),
        _ => false,
    }
}

pub(super) fn other_changes(old: &Guideline, new: &Guideline) -> Vec<ItemChange> {
    let mut out = Vec::new();
    let mut compare = |name: String, o: Option<Vec<(&'static str, String)>>, n: Option<Vec<(&'static str, String)>>| {
        let change = match (&o, &n) {
            (None, Some(_)) => Change::Added,
            (Some(_), None) => Change::Removed,
            _ => Change::Changed,
        };
        let parts: Vec<String> = match (o, n) {
            (Some(o), Some(n)) => o
                .iter()
                .zip(&n)
                .filter(|(a, b)| a.1 != b.1)
                .map(|(a, _)| a.0.to_string())
                .collect(),
            _ => Vec::new(),
        };
        if change != Change::Changed || !parts.is_empty() {
            out.push(ItemChange { name, change, parts });
        }
    };
    let header = |g: &Guideline| {
        vec![
            ("title", g.meta.title.clone()),
            ("status", format!("{:?}", g.meta.status)),
            ("reviewers", g.meta.reviewers.join(", ")),
            ("updated", g.meta.updated.clone().unwrap_or_default()),
            ("scope", text_of(g, g.scope.as_ref())),
            (
                "references",
                g.references
                    .iter()
                    .map(|r| format!("{} {}", r.number, r.title))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        ]
    };
    compare("header".into(), Some(header(old)), Some(header(new)));
    let def = |g: &Guideline, name: &str| {
        g.definitions.iter().find(|d| d.name == name).map(|d| {
            vec![
                ("body", text_of(g, Some(&d.body))),
                ("description", d.description.clone().unwrap_or_default()),
            ]
        })
    };
    let note = |g: &Guideline, id: &str| {
        g.notes.iter().find(|n| n.id == id).map(|n| {
            vec![
                ("condition", text_of(g, n.when.as_ref())),
                ("text", n.text.clone()),
                ("citations", format!("{:?}", n.cites)),
            ]
        })
    };
    let invariant = |g: &Guideline, id: &str| {
        g.invariants.iter().find(|i| i.id == id).map(|i| {
            let text = squash(g.source.slice(i.span));
            let claim = text.split(" because ").next().unwrap_or("").to_string();
            vec![("claim", claim), ("rationale", i.because.clone().unwrap_or_default())]
        })
    };
    let mut names: Vec<&str> = old
        .definitions
        .iter()
        .chain(&new.definitions)
        .map(|d| d.name.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    for n in names {
        compare(format!("define {n}"), def(old, n), def(new, n));
    }
    let mut ids: Vec<&str> = old.notes.iter().chain(&new.notes).map(|n| n.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        compare(format!("note {id}"), note(old, id), note(new, id));
    }
    let mut ids: Vec<&str> = old
        .invariants
        .iter()
        .chain(&new.invariants)
        .map(|n| n.id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        compare(format!("invariant {id}"), invariant(old, id), invariant(new, id));
    }
    // Scores and categories: what rules read through them changes with
    // their items and levels; the decisions that move are found above.
    let score = |g: &Guideline, name: &str| {
        g.scores.iter().find(|s| s.name == name).map(|s| {
            let items: Vec<String> = s
                .items
                .iter()
                .map(|i| format!("{} when {}", i.points, text_of(g, Some(&i.when))))
                .collect();
            vec![("label", s.label.clone()), ("items", items.join("; "))]
        })
    };
    let category = |g: &Guideline, name: &str| {
        g.categories.iter().find(|c| c.name == name).map(|c| {
            let levels: Vec<String> = c
                .levels
                .iter()
                .map(|l| match &l.when {
                    Some(w) => format!("{} when {}", l.name, text_of(g, Some(w))),
                    None => format!("{} otherwise", l.name),
                })
                .collect();
            vec![("label", c.label.clone()), ("levels", levels.join("; "))]
        })
    };
    let mut names: Vec<&str> = old.scores.iter().chain(&new.scores).map(|s| s.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    for n in names {
        compare(format!("score {n}"), score(old, n), score(new, n));
    }
    let mut names: Vec<&str> = old
        .categories
        .iter()
        .chain(&new.categories)
        .map(|c| c.name.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    for n in names {
        compare(format!("category {n}"), category(old, n), category(new, n));
    }
    out
}

/// Every part of every amount of a rule's dose, and the criteria, as written.
pub(super) fn dose_text(g: &Guideline, r: &Rule) -> Option<Vec<String>> {
    r.dose.as_ref().map(|d| {
        d.branches
            .iter()
            .map(|b| {
                let a = &b.amount;
                format!(
                    "{} {} {} {} {:?} {:?} if {}",
                    a.low,
                    a.high,
                    a.unit,
                    text_of(g, a.by.as_ref().map(|by| &by.expr)),
                    a.cap,
                    a.how,
                    text_of(g, b.when.as_ref())
                )
            })
            .collect::<Vec<_>>()
    })
}
