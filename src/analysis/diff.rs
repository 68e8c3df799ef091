//! Two versions of a guideline compared by meaning (`guidelang diff OLD NEW`):
//! what was added, removed and changed, and — with the linter's analysis — for
//! every action whose decision differs for some patient, a witness case with
//! the decision before and after. From that, the version bump the change
//! implies.
//!
//! Both versions are encoded into one SAT instance over shared facts (matched
//! by name): the new version's guideline is the base, the old version's
//! definitions and conditions are copied in with their facts renamed. A fact
//! whose bounds changed is compared over the values both versions accept; a
//! fact whose type changed cannot be shared, and the actions whose rules read
//! it are reported as not compared.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use varisat::Lit;

use super::action::{outcome_kinds, Kinds, CONFLICT, KINDS};
use super::domain::{collect_cuts, Domain};
use super::encode::{inexact_parts, Encoder, Tv};
use super::lint::witness_json;
use super::sat::SolverFailure;
use crate::eval::{evaluate_action, Outcome};
use crate::facts::Case;
use crate::model::{Definition, Expr, ExprKind, FactId, FactKind, Guideline, Rule, Type};
use crate::syntax::ast::Verdict;

/// How much a version number must move.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// Nothing changed (or the version went down).
    None,
    /// Wording only: no patient's output changes.
    Patch,
    /// Some output can change: a decision, a dose, a warning, a note; a new fact.
    Minor,
    /// Case files valid before may be rejected: a fact removed or narrowed, an action gone.
    Major,
}

/// A change to one named item.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ItemChange {
    /// The item's id or name.
    pub name: String,
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
    /// For `changed`: which parts.
    pub parts: Vec<String>,
}

/// A decision that differs for some patient.
#[derive(Clone, Debug, PartialEq)]
pub struct DecisionChange {
    /// The action.
    pub action: String,
    /// Its outcome under the old version (`none`, a verdict, `conflict`).
    pub before: String,
    /// Its outcome under the new version.
    pub after: String,
    /// A case (facts of both versions) on which the decision changes so.
    pub witness: Value,
    /// The facts the action's rules (in either version) and the scopes read.
    pub facts: Vec<String>,
}

/// Everything the comparison found.
#[derive(Clone, Debug)]
pub struct Diff {
    /// Declared actions added, removed, changed (by id; parts `label`, `urgent`).
    pub actions: Vec<ItemChange>,
    /// Rules added, removed, changed (by id).
    pub rules: Vec<ItemChange>,
    /// Facts added, removed, changed (by name).
    pub facts: Vec<ItemChange>,
    /// Definitions, notes, invariants and the header, added, removed or changed.
    pub other: Vec<ItemChange>,
    /// References added, removed or changed (by number; parts `title`,
    /// `source`, `year`). Informational: the header's `references` part
    /// already carries their weight in the bump.
    pub references: Vec<ItemChange>,
    /// Decisions that change for some patient, one per (action, before, after).
    pub decisions: Vec<DecisionChange>,
    /// Actions whose decisions could not be compared, with the reason.
    pub not_compared: Vec<(String, String)>,
    /// The bump the change implies.
    pub implied: Bump,
    /// The bump the version numbers show.
    pub actual: Bump,
    /// True when the new version is lower than the old.
    pub downgrade: bool,
}

impl Diff {
    /// True when the new version number does not reflect the change.
    pub fn version_too_low(&self) -> bool {
        self.downgrade || self.actual < self.implied
    }

    /// The JSON report.
    pub fn to_json(&self, old: &Guideline, new: &Guideline) -> Value {
        let id = |g: &Guideline| json!({"id": g.meta.id, "version": g.meta.version.to_string(), "hash": g.hash});
        json!({
            "old": id(old),
            "new": id(new),
            "actions": self.actions,
            "rules": self.rules,
            "facts": self.facts,
            "other": self.other,
            "references": self.references,
            "decisions": self.decisions.iter().map(|d| json!({
                "action": d.action, "before": d.before, "after": d.after, "witness": d.witness, "facts": d.facts,
            })).collect::<Vec<_>>(),
            "not_compared": self.not_compared.iter().map(|(a, why)| json!({"action": a, "reason": why})).collect::<Vec<_>>(),
            "implied_bump": self.implied,
            "version_bump": self.actual,
            "version_ok": !self.version_too_low(),
        })
    }
}

/// The outcome names, in the order of [`KINDS`] then conflict.
pub fn kind_name(k: usize) -> String {
    match KINDS.get(k) {
        Some(Some(v)) => v.to_string(),
        Some(None) => "none".into(),
        None => "conflict".into(),
    }
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn text_of(g: &Guideline, e: Option<&Expr>) -> String {
    e.map_or_else(String::new, |e| squash(g.source.slice(e.span)))
}

/// Compares two versions.
pub fn diff(old: &Guideline, new: &Guideline) -> Result<Diff, SolverFailure> {
    let actions = action_changes(old, new);
    let rules = rule_changes(old, new);
    let (facts, facts_major) = fact_changes(old, new);
    let other = other_changes(old, new);
    let references = reference_changes(old, new);
    let (decisions, not_compared) = decision_changes(old, new)?;
    let removed_action = old.actions.iter().any(|a| new.action_id(&a.name).is_none());
    let implied = if facts_major || removed_action {
        Bump::Major
    } else if !decisions.is_empty()
        || !not_compared.is_empty()
        || actions
            .iter()
            .any(|a| a.change != "changed" || a.parts.iter().any(|p| !wording(p)))
        || rules
            .iter()
            .any(|r| r.change != "changed" || r.parts.iter().any(|p| !wording(p)))
        || !facts.is_empty()
        || other
            .iter()
            .any(|o| o.parts.iter().any(|p| !wording(p)) || o.change != "changed")
    {
        Bump::Minor
    } else if old.hash != new.hash {
        Bump::Patch
    } else {
        Bump::None
    };
    let (o, n) = (&old.meta.version, &new.meta.version);
    let downgrade = n < o;
    let actual = if downgrade || n == o {
        Bump::None
    } else if n.major > o.major {
        Bump::Major
    } else if n.minor > o.minor {
        Bump::Minor
    } else {
        Bump::Patch
    };
    Ok(Diff {
        actions,
        rules,
        facts,
        other,
        references,
        decisions,
        not_compared,
        implied,
        actual,
        downgrade,
    })
}

/// Parts whose change is wording only.
fn wording(part: &str) -> bool {
    matches!(
        part,
        "detail"
            | "rationale"
            | "citations"
            | "description"
            | "title"
            | "text"
            | "references"
            | "reviewers"
            | "updated"
            | "status"
            | "label"
    )
}

/// Actions added, removed, or relabelled or made (non-)urgent. A file that
/// declares no action labels each by its id, so declaring them shows as
/// label changes (wording); a change of urgency changes what a report for
/// people puts first, so it is not wording.
fn action_changes(old: &Guideline, new: &Guideline) -> Vec<ItemChange> {
    let mut out = Vec::new();
    for a in &new.actions {
        match old.action_id(&a.name).map(|o| old.action(o)) {
            None => out.push(ItemChange {
                name: a.name.clone(),
                change: "added",
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
                        change: "changed",
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
                change: "removed",
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
fn reference_changes(old: &Guideline, new: &Guideline) -> Vec<ItemChange> {
    let mut numbers: Vec<u32> = old.references.iter().chain(&new.references).map(|r| r.number).collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
        .into_iter()
        .filter_map(|n| {
            let (change, parts) = match (find_reference(old, n), find_reference(new, n)) {
                (None, _) => ("added", Vec::new()),
                (_, None) => ("removed", Vec::new()),
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
                    ("changed", parts)
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

fn rule_changes(old: &Guideline, new: &Guideline) -> Vec<ItemChange> {
    let mut out = Vec::new();
    for r in &new.rules {
        match old.rule_id(&r.id) {
            None => out.push(ItemChange {
                name: r.id.clone(),
                change: "added",
                parts: Vec::new(),
            }),
            Some(o) => {
                let parts = rule_parts(old, old.rule(o), new, r);
                if !parts.is_empty() {
                    out.push(ItemChange {
                        name: r.id.clone(),
                        change: "changed",
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
                change: "removed",
                parts: Vec::new(),
            });
        }
    }
    out
}

fn rule_parts(og: &Guideline, o: &Rule, ng: &Guideline, n: &Rule) -> Vec<String> {
    let ids = |g: &Guideline, r: &Rule| -> Vec<String> { r.overrides.iter().map(|x| g.rule(*x).id.clone()).collect() };
    let dose = |g: &Guideline, r: &Rule| {
        r.dose
            .as_ref()
            .map(|d| format!("{} {} {} {}", d.low, d.high, d.unit, squash(g.source.slice(d.by.span))))
    };
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
fn fact_changes(old: &Guideline, new: &Guideline) -> (Vec<ItemChange>, bool) {
    let mut out = Vec::new();
    let mut major = false;
    for f in &new.facts {
        match old.fact_id(&f.name) {
            None => out.push(ItemChange {
                name: f.name.clone(),
                change: "added",
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
                        change: "changed",
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
                change: "removed",
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

fn other_changes(old: &Guideline, new: &Guideline) -> Vec<ItemChange> {
    let mut out = Vec::new();
    let mut compare = |name: String, o: Option<Vec<(&'static str, String)>>, n: Option<Vec<(&'static str, String)>>| {
        let change = match (&o, &n) {
            (None, Some(_)) => "added",
            (Some(_), None) => "removed",
            _ => "changed",
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
        if change != "changed" || !parts.is_empty() {
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
    out
}

/// The new guideline extended with the old one's facts and definitions, and
/// the renaming of the old facts and definitions into it.
struct Universe {
    g: Guideline,
    facts: Vec<Option<FactId>>,
    def_offset: usize,
    broken_defs: Vec<bool>,
    incompatible: Vec<String>,
}

impl Universe {
    fn new(old: &Guideline, new: &Guideline) -> Universe {
        let mut g = new.clone();
        let mut facts = Vec::new();
        let mut incompatible = Vec::new();
        for f in &old.facts {
            match new.fact_id(&f.name) {
                Some(j) => match meet(&new.fact(j).kind, &f.kind) {
                    Some(kind) => {
                        g.facts[j.index()].kind = kind;
                        facts.push(Some(j));
                    }
                    None => {
                        incompatible.push(f.name.clone());
                        facts.push(None);
                    }
                },
                None => {
                    g.facts.push(f.clone());
                    facts.push(Some(FactId(g.facts.len() as u32 - 1)));
                }
            }
        }
        let mut u = Universe {
            def_offset: g.definitions.len(),
            g,
            facts,
            broken_defs: Vec::new(),
            incompatible,
        };
        for d in &old.definitions {
            let body = u.remap(&d.body);
            u.broken_defs.push(body.is_none());
            let ty = match &d.ty {
                Type::Enum(f) => Type::Enum(u.facts[f.index()].unwrap_or(FactId(0))),
                t => t.clone(),
            };
            u.g.definitions.push(Definition {
                name: format!("{} (old)", d.name),
                ty,
                body: body.unwrap_or(Expr {
                    kind: ExprKind::Bool(false),
                    span: d.body.span,
                }),
                description: None,
                span: d.span,
            });
        }
        // The old definitions come after the new ones and use only each other.
        let old_order = old.definition_order.iter();
        let shifted = old_order.map(|d| crate::model::DefId((u.def_offset + d.index()) as u32));
        u.g.definition_order.extend(shifted);
        u.g.definition_facts = crate::model::definition_facts(&u.g.definitions, &u.g.definition_order);
        u
    }

    /// An old expression in the universe's names; `None` when it reads a fact
    /// the versions cannot share.
    fn remap(&self, e: &Expr) -> Option<Expr> {
        let r = |x: &Expr| self.remap(x).map(Box::new);
        let kind = match &e.kind {
            ExprKind::Fact(f) => ExprKind::Fact(self.facts[f.index()]?),
            ExprKind::Def(d) => {
                if self.broken_defs.get(d.index()).copied().unwrap_or(true) {
                    return None;
                }
                ExprKind::Def(crate::model::DefId((self.def_offset + d.index()) as u32))
            }
            ExprKind::Bool(b) => ExprKind::Bool(*b),
            ExprKind::Num(x) => ExprKind::Num(*x),
            ExprKind::Not(x) => ExprKind::Not(r(x)?),
            ExprKind::Neg(x) => ExprKind::Neg(r(x)?),
            ExprKind::Sqrt(x) => ExprKind::Sqrt(r(x)?),
            ExprKind::Known(x, n) => ExprKind::Known(r(x)?, *n),
            ExprKind::And(a, b) => ExprKind::And(r(a)?, r(b)?),
            ExprKind::Or(a, b) => ExprKind::Or(r(a)?, r(b)?),
            ExprKind::Compare(op, a, b) => ExprKind::Compare(*op, r(a)?, r(b)?),
            ExprKind::Arith(op, a, b) => ExprKind::Arith(*op, r(a)?, r(b)?),
            ExprKind::AtLeast(n, items) => {
                ExprKind::AtLeast(*n, items.iter().map(|i| self.remap(i)).collect::<Option<Vec<_>>>()?)
            }
            // Enum values are matched by name: `meet` keeps only facts whose
            // values are the same list, so the bits carry over.
            ExprKind::EnumIn(x, mask) => ExprKind::EnumIn(r(x)?, *mask),
        };
        Some(Expr { kind, span: e.span })
    }
}

/// The values both declarations accept, when the types agree.
fn meet(a: &FactKind, b: &FactKind) -> Option<FactKind> {
    let lo = |x: Option<f64>, y: Option<f64>| match (x, y) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    };
    let hi = |x: Option<f64>, y: Option<f64>| match (x, y) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    match (a, b) {
        (FactKind::Bool, FactKind::Bool) => Some(FactKind::Bool),
        (FactKind::Enum { values: x }, FactKind::Enum { values: y }) if x == y => Some(a.clone()),
        (FactKind::Integer { min: a1, max: a2 }, FactKind::Integer { min: b1, max: b2 }) => Some(FactKind::Integer {
            min: lo(*a1, *b1),
            max: hi(*a2, *b2),
        }),
        (
            FactKind::Number { unit, min: a1, max: a2 },
            FactKind::Number {
                unit: u2,
                min: b1,
                max: b2,
            },
        ) if unit == u2 => Some(FactKind::Number {
            unit: unit.clone(),
            min: lo(*a1, *b1),
            max: hi(*a2, *b2),
        }),
        _ => None,
    }
}

/// One version's rules on one action, encoded.
struct Side {
    kinds: Kinds,
    inexact: bool,
}

fn side(enc: &mut Encoder, scope: Tv, conds: &[Option<Expr>], verdicts: &[Verdict], overriders: &[Vec<usize>]) -> Side {
    let world: Vec<Lit> = conds
        .iter()
        .map(|c| {
            let tv = enc.optional(c.as_ref());
            enc.sat.and(&[scope.t, tv.t])
        })
        .collect();
    Side {
        kinds: outcome_kinds(&mut enc.sat, &world, verdicts, overriders),
        inexact: false,
    }
}

fn positions(rules: &[&Rule], g: &Guideline) -> Vec<Vec<usize>> {
    rules
        .iter()
        .map(|r| {
            let me = g.rule_id(&r.id);
            rules
                .iter()
                .enumerate()
                .filter(|(_, o)| me.is_some_and(|m| o.overrides.contains(&m)))
                .map(|(i, _)| i)
                .collect()
        })
        .collect()
}

type Changes = (Vec<DecisionChange>, Vec<(String, String)>);

fn decision_changes(old: &Guideline, new: &Guideline) -> Result<Changes, SolverFailure> {
    let u = Universe::new(old, new);
    let old_scope = match &old.scope {
        Some(s) => u.remap(s).map(Some),
        None => Some(None),
    };
    let mut names: Vec<&str> = new.actions.iter().map(|a| a.name.as_str()).collect();
    names.extend(
        old.actions
            .iter()
            .map(|a| a.name.as_str())
            .filter(|n| new.action_id(n).is_none()),
    );
    let mut cuts = BTreeMap::new();
    let old_whens: Vec<Option<Option<Expr>>> = old
        .rules
        .iter()
        .map(|r| match &r.when {
            Some(w) => u.remap(w).map(Some),
            None => Some(None),
        })
        .collect();
    for e in new
        .scope
        .iter()
        .chain(new.rules.iter().filter_map(|r| r.when.as_ref()))
        .chain(old_scope.iter().flatten())
        .chain(old_whens.iter().flatten().flatten())
    {
        collect_cuts(&u.g, e, &mut cuts);
    }
    let dom = Domain::with_cuts(&u.g, &cuts);
    let mut decisions = Vec::new();
    let mut not_compared = Vec::new();
    for name in names {
        let new_rules: Vec<&Rule> = new.rules.iter().filter(|r| new.action(r.action).name == name).collect();
        let old_rules: Vec<&Rule> = old.rules.iter().filter(|r| old.action(r.action).name == name).collect();
        let old_conds: Option<Vec<Option<Expr>>> = old_rules
            .iter()
            .map(|r| old_whens[old.rule_id(&r.id).map_or(0, |i| i.index())].clone())
            .collect();
        let (Some(old_conds), Some(old_scope)) = (old_conds, old_scope.clone()) else {
            not_compared.push((
                name.to_string(),
                format!("a fact it reads changed its type: {}", u.incompatible.join(", ")),
            ));
            continue;
        };
        let mut enc = Encoder::new(&u.g, &dom);
        let scope_new = enc.optional(new.scope.as_ref());
        let scope_old = enc.optional(old_scope.as_ref());
        let new_conds: Vec<Option<Expr>> = new_rules.iter().map(|r| r.when.clone()).collect();
        let verdicts = |rs: &[&Rule]| rs.iter().map(|r| r.verdict).collect::<Vec<_>>();
        let mut before = side(
            &mut enc,
            scope_old,
            &old_conds,
            &verdicts(&old_rules),
            &positions(&old_rules, old),
        );
        let mut after = side(
            &mut enc,
            scope_new,
            &new_conds,
            &verdicts(&new_rules),
            &positions(&new_rules, new),
        );
        before.inexact = old_conds
            .iter()
            .flatten()
            .chain(old_scope.iter())
            .any(|e| !inexact_parts(&u.g, e).is_empty());
        after.inexact = new_conds
            .iter()
            .flatten()
            .chain(new.scope.iter())
            .any(|e| !inexact_parts(&u.g, e).is_empty());
        let same: Vec<Lit> = (0..=CONFLICT)
            .map(|k| enc.sat.and(&[before.kinds.kind[k], after.kinds.kind[k]]))
            .collect();
        let mut complete = enc.complete();
        complete.push(!enc.sat.or(&same));
        if enc.sat.solve(&complete)?.is_none() {
            continue;
        }
        complete.pop();
        for kb in 0..=CONFLICT {
            for ka in 0..=CONFLICT {
                if ka == kb {
                    continue;
                }
                let mut assume = complete.clone();
                assume.push(before.kinds.kind[kb]);
                assume.push(after.kinds.kind[ka]);
                let Some(model) = enc.sat.solve(&assume)? else { continue };
                let case = enc.decode(&model, true);
                let witness = witness_json(&u.g, &case);
                let shown = outcome_name(old, &witness, name) == Some(kind_name(kb))
                    && outcome_name(new, &witness, name) == Some(kind_name(ka));
                if shown {
                    decisions.push(DecisionChange {
                        action: name.to_string(),
                        before: kind_name(kb),
                        after: kind_name(ka),
                        witness,
                        facts: read_facts(old, &old_rules, new, &new_rules),
                    });
                } else if before.inexact || after.inexact {
                    not_compared.push((
                        name.to_string(),
                        format!(
                            "whether it can go from {} to {} lies outside what the analysis decides exactly",
                            kind_name(kb),
                            kind_name(ka)
                        ),
                    ));
                }
            }
        }
    }
    Ok((decisions, not_compared))
}

/// The action's outcome in `g` on the facts of `witness` that `g` declares.
fn outcome_name(g: &Guideline, witness: &Value, action: &str) -> Option<String> {
    let mut own = serde_json::Map::new();
    if let Value::Object(map) = witness {
        for (k, v) in map {
            if g.fact_id(k).is_some() {
                own.insert(k.clone(), v.clone());
            }
        }
    }
    let case: Case = crate::facts::validate_json(g, &Value::Object(own)).ok()?;
    let Some(a) = g.action_id(action) else {
        return Some(kind_name(0));
    };
    let outcome = evaluate_action(g, &case, a).map(|r| r.outcome);
    Some(match outcome {
        None | Some(Outcome::Silent) => kind_name(0),
        Some(Outcome::Decided(d)) => d.verdict.to_string(),
        Some(Outcome::Conflict(_)) => kind_name(CONFLICT),
        Some(Outcome::Withheld { verdict, .. }) => verdict.to_string(),
        Some(Outcome::Undecided { .. }) => "undecided".into(),
    })
}

/// Names of the facts the scopes and the given rules read, in either version.
fn read_facts(old: &Guideline, old_rules: &[&Rule], new: &Guideline, new_rules: &[&Rule]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (g, rules) in [(old, old_rules), (new, new_rules)] {
        let mut ids: Vec<FactId> = rules.iter().flat_map(|r| r.depends_on.iter().copied()).collect();
        // The scope may read a fact only through a definition; the witness
        // sets that fact all the same.
        ids.extend(g.scope.iter().flat_map(|s| g.facts_read(s)));
        for f in ids {
            let n = &g.fact(f).name;
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
    }
    names
}
