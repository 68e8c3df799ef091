//! The clinical-review document of a guideline, built once as neutral blocks
//! that [`markdown`](super::markdown) and [`html`](super::html) print: what the
//! document says is decided here, how it looks there.

use super::english::{condition, fact_label, humanize, quantity, Inline, Phrase};
use super::fmt_range;
use crate::model::Verdict;
use crate::model::{Action, Claim, FactKind, Guideline, Invariant, Rule, RuleId};
use crate::model::{Binding, Code, CodeSystem, RecordSource};

/// A block of the document.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A heading; `id` is its anchor.
    Heading {
        /// 1 for the title.
        level: u8,
        /// Its words.
        text: Phrase,
        /// Anchor.
        id: Option<String>,
    },
    /// A paragraph.
    Paragraph(Phrase),
    /// Labelled values: metadata, a rule's dose and rationale.
    Fields(Vec<(String, Phrase)>),
    /// A table with a header row.
    Table {
        /// Column titles.
        header: Vec<String>,
        /// Cells.
        rows: Vec<Vec<Phrase>>,
    },
    /// A list; items may carry an anchor.
    List {
        /// Numbered.
        ordered: bool,
        /// Items.
        items: Vec<(Option<String>, Phrase)>,
    },
    /// One rule, note or invariant: a verdict line and its fields, framed in HTML.
    Card {
        /// Anchor.
        id: String,
        /// The verdict it carries, for colour.
        verdict: Option<Verdict>,
        /// The first line.
        title: Phrase,
        /// What follows.
        fields: Vec<(String, Phrase)>,
    },
}

/// The whole document: its title (for HTML's `<title>`) and its blocks.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// The guideline's title.
    pub title: String,
    /// Blocks in order.
    pub blocks: Vec<Block>,
}

fn t(s: impl Into<String>) -> Inline {
    Inline::Text(s.into())
}

fn cites(c: &[u32]) -> Phrase {
    let mut out = Vec::new();
    for (i, n) in c.iter().enumerate() {
        if i > 0 {
            out.push(t(", "));
        }
        out.push(Inline::Cite(*n));
    }
    out
}

/// Anchor of a rule, note, invariant or definition.
pub fn anchor(kind: &str, id: &str) -> String {
    format!("{kind}-{id}")
}

pub(super) fn heading(level: u8, text: &str, id: Option<&str>) -> Block {
    Block::Heading {
        level,
        text: vec![t(text)],
        id: id.map(str::to_string),
    }
}

/// Builds the document of a guideline.
pub fn document(g: &Guideline) -> Document {
    let mut b = vec![heading(1, &g.meta.title, None)];
    b.push(metadata(g));
    b.push(Block::Paragraph(vec![t(
        "Each action below lists the rules that decide it, in the order the guideline states them. \
         A contraindication is absolute and always wins. Otherwise, when a rule takes precedence over \
         another and both apply, the first wins; rules that still disagree are a conflict and give no verdict. \
         A rule whose condition cannot be decided from the facts given leaves the action undecided, \
         never guessed.",
    )]));
    if g.actions.iter().any(|a| a.urgent) {
        b.push(Block::Paragraph(vec![
            t("Actions marked "),
            Inline::Urgent,
            t(" are emergency measures."),
        ]));
    }
    b.push(heading(2, "Summary", Some("summary")));
    b.push(summary(g));
    b.push(heading(2, "Actions", Some("actions")));
    for a in &g.actions {
        b.push(Block::Heading {
            level: 3,
            text: action_title(a, false),
            id: Some(anchor("action", &a.name)),
        });
        if !a.codes.is_empty() {
            // What an EHR's order carries to name this action (CDS Hooks order services).
            b.push(Block::Paragraph(vec![t(format!(
                "Ordered as {}.",
                codes_in_words(&a.codes)
            ))]));
        }
        for &r in &a.rules {
            b.push(rule_card(g, r));
        }
    }
    if !g.notes.is_empty() {
        b.push(heading(2, "Notes", Some("notes")));
        b.push(Block::Paragraph(vec![t(
            "Information shown with the recommendations when its condition holds; never a decision.",
        )]));
        for n in &g.notes {
            let mut fields = vec![("Shown when".to_string(), when(g, n.when.as_ref()))];
            if !n.cites.is_empty() {
                fields.push(("References".into(), cites(&n.cites)));
            }
            b.push(Block::Card {
                id: anchor("note", &n.id),
                verdict: None,
                title: vec![t(n.text.clone())],
                fields,
            });
        }
    }
    if !g.invariants.is_empty() {
        b.push(heading(2, "Safety properties", Some("invariants")));
        b.push(Block::Paragraph(vec![t(
            "Stated by the guideline and enforced on every case: a decision that would break one is withheld.",
        )]));
        for inv in &g.invariants {
            b.push(invariant_card(g, inv));
        }
    }
    b.extend(super::derived::document_blocks(g));
    if !g.definitions.is_empty() {
        b.push(heading(2, "Definitions", Some("definitions")));
        for (i, d) in g.definitions.iter().enumerate() {
            let mut fields = vec![("Means".to_string(), condition(g, &d.body))];
            if let crate::model::Type::Num(Some(u)) = &d.ty {
                fields.push(("Unit".into(), vec![Inline::Unit(u.to_string())]));
            }
            if let Some(desc) = &d.description {
                fields.push(("About".into(), vec![t(desc.clone())]));
            }
            b.push(Block::Card {
                id: anchor("def", &d.name),
                verdict: None,
                // Read by the label conditions use, the name beside it.
                title: vec![
                    Inline::Strong(capitalize(&super::words::definition_label(
                        g,
                        crate::model::DefId(i as u32),
                    ))),
                    t(" "),
                    Inline::Code(d.name.clone()),
                ],
                fields,
            });
        }
    }
    b.push(heading(2, "Patient facts", Some("facts")));
    b.push(facts(g));
    if !g.references.is_empty() {
        b.push(heading(2, "References", Some("references")));
        let items = g
            .references
            .iter()
            .map(|r| {
                let mut s = format!("[{}] {}", r.number, r.title);
                if let Some(src) = &r.source {
                    s.push_str(&format!(". {src}"));
                }
                if let Some(y) = r.year {
                    s.push_str(&format!(", {y}"));
                }
                s.push('.');
                (Some(anchor("ref", &r.number.to_string())), vec![t(s)])
            })
            .collect();
        b.push(Block::List { ordered: false, items });
    }
    Document {
        title: g.meta.title.clone(),
        blocks: b,
    }
}

/// An action by its label, with its id in code type for editors (case files
/// and JSON use the id) and the urgent mark. A file that declares no action
/// labels each by its id: it is then shown by its name in words.
fn action_title(a: &Action, strong: bool) -> Phrase {
    let mut p = if a.label == a.name {
        named(&a.name, strong)
    } else {
        vec![
            if strong {
                Inline::Strong(a.label.clone())
            } else {
                t(a.label.clone())
            },
            t(" "),
            Inline::Code(a.name.clone()),
        ]
    };
    if a.urgent {
        p.extend([t(" "), Inline::Urgent]);
    }
    p
}

/// An action or definition by its name in words, with the name as written
/// beside it when the two differ (case files use the written one).
fn named(name: &str, strong: bool) -> Phrase {
    let words = humanize(name);
    let mut p = vec![if strong {
        Inline::Strong(words.clone())
    } else {
        t(words.clone())
    }];
    if words != name {
        p.extend([t(" "), Inline::Code(name.to_string())]);
    }
    p
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

fn when(g: &Guideline, e: Option<&crate::model::Expr>) -> Phrase {
    match e {
        Some(e) => condition(g, e),
        None => vec![t("always (every patient the guideline applies to)")],
    }
}

fn metadata(g: &Guideline) -> Block {
    let m = &g.meta;
    let mut f = vec![
        ("Guideline".to_string(), vec![Inline::Code(m.id.clone())]),
        ("Version".into(), vec![t(m.version.to_string())]),
        ("Status".into(), vec![t(m.status.to_string())]),
    ];
    if let Some(u) = &m.updated {
        f.push(("Updated".into(), vec![t(u.clone())]));
    }
    if !m.reviewers.is_empty() {
        f.push(("Reviewed by".into(), vec![t(m.reviewers.join(", "))]));
    }
    f.push(("Applies to".into(), super::english::scope_phrase(g)));
    f.push(("Content hash".into(), vec![Inline::Code(g.hash.clone())]));
    Block::Fields(f)
}

/// One row per rule, grouped by action in the guideline's order: the action
/// (on its first row), the verdict, the condition in words, the rule.
fn summary(g: &Guideline) -> Block {
    let mut rows = Vec::new();
    for a in &g.actions {
        if a.rules.is_empty() {
            rows.push(vec![
                action_title(a, true),
                vec![t("no rule decides it")],
                Vec::new(),
                Vec::new(),
            ]);
        }
        for (i, r) in a.rules.iter().enumerate() {
            let rule = g.rule(*r);
            let action = if i == 0 { action_title(a, true) } else { Vec::new() };
            rows.push(vec![
                action,
                vec![Inline::Verdict(rule.verdict)],
                when(g, rule.when.as_ref()),
                vec![Inline::RuleLink(rule.id.clone())],
            ]);
        }
    }
    Block::Table {
        header: vec!["Action".into(), "Verdict".into(), "When".into(), "Rule".into()],
        rows,
    }
}

/// A dose as written, in words: each amount (per unit, by what, capped, how
/// given) with the criterion that chooses it.
fn dose_phrase(g: &Guideline, d: &crate::model::Dose) -> Phrase {
    let mut p = Vec::new();
    for (k, b) in d.branches.iter().enumerate() {
        let a = &b.amount;
        if k > 0 {
            p.push(t("; otherwise "));
        }
        p.push(t(fmt_range(a.low, a.high, &a.unit.to_string())));
        if let Some(by) = &a.by {
            p.push(t(", by "));
            p.extend(quantity(g, &by.expr));
            if !by.unit.is_one() {
                p.push(t(" ("));
                p.push(Inline::Unit(by.unit.to_string()));
                p.push(t(")"));
            }
        }
        if let Some(cap) = a.cap {
            p.push(t(format!(
                ", at most {}",
                fmt_range(cap, cap, &a.result_unit.to_string())
            )));
        }
        if let Some(how) = &a.how {
            p.push(t(format!(", {how}")));
        }
        if let Some(when) = &b.when {
            p.push(t(" if "));
            p.extend(condition(g, when));
        }
    }
    p
}

fn rule_card(g: &Guideline, id: RuleId) -> Block {
    let r: &Rule = g.rule(id);
    let mut title = vec![Inline::Verdict(r.verdict), t(" when ")];
    title.extend(when(g, r.when.as_ref()));
    let mut fields = Vec::new();
    if let Some(d) = &r.dose {
        fields.push(("Dose".to_string(), dose_phrase(g, d)));
    }
    if let Some(d) = &r.detail {
        fields.push(("Detail".into(), vec![t(d.clone())]));
    }
    for w in &r.warnings {
        let mut p = vec![t(w.text.clone())];
        match &w.when {
            Some(when) => {
                p.push(t(" — when "));
                p.extend(condition(g, when));
            }
            // A warning without a condition goes with every decision of the rule.
            None => p.push(t(" — always")),
        }
        fields.push(("Warning".into(), p));
    }
    if let Some(b) = &r.because {
        fields.push(("Rationale".into(), vec![t(b.clone())]));
    }
    if !r.overrides.is_empty() {
        fields.push(("Takes precedence over".into(), rule_list(g, &r.overrides)));
    }
    let beaten_by: Vec<RuleId> = g.actions[r.action.index()]
        .rules
        .iter()
        .copied()
        .filter(|o| g.rule(*o).overrides.contains(&id))
        .collect();
    if !beaten_by.is_empty() {
        fields.push(("Gives way to".into(), rule_list(g, &beaten_by)));
    }
    if r.verdict == Verdict::Contraindicated {
        fields.push((
            "Precedence".into(),
            vec![t("absolute: nothing overrides a contraindication")],
        ));
    }
    if !r.cites.is_empty() {
        fields.push(("References".into(), cites(&r.cites)));
    }
    fields.push(("Rule".into(), vec![Inline::Code(r.id.clone())]));
    Block::Card {
        id: anchor("rule", &r.id),
        verdict: Some(r.verdict),
        title,
        fields,
    }
}

fn rule_list(g: &Guideline, rules: &[RuleId]) -> Phrase {
    let mut p = Vec::new();
    for (i, o) in rules.iter().enumerate() {
        if i > 0 {
            p.push(t(", "));
        }
        p.push(Inline::Verdict(g.rule(*o).verdict));
        p.push(t(" ("));
        p.push(Inline::RuleLink(g.rule(*o).id.clone()));
        p.push(t(")"));
    }
    p
}

/// What an invariant claims, in words: "Never consider or recommend
/// Leukapheresis when APL".
pub(super) fn invariant_claim(g: &Guideline, inv: &Invariant) -> Phrase {
    let mut title = Vec::new();
    let (head, action, cond) = match &inv.claim {
        Claim::Never { verdicts, action, when } => {
            let vs: Vec<&str> = verdicts.iter().map(|v| v.as_str()).collect();
            (format!("Never {}", vs.join(" or ")), *action, when)
        }
        Claim::AlwaysDecide { action, when } => ("Always decide".to_string(), *action, when),
    };
    let action = g.action(action);
    let name = if action.label == action.name {
        humanize(&action.name)
    } else {
        action.label.clone()
    };
    title.push(Inline::Strong(head));
    title.push(t(format!(" {name} when ")));
    title.extend(condition(g, cond));
    title
}

fn invariant_card(g: &Guideline, inv: &Invariant) -> Block {
    let title = invariant_claim(g, inv);
    let mut fields = Vec::new();
    if let Some(b) = &inv.because {
        fields.push(("Why".to_string(), vec![t(b.clone())]));
    }
    fields.push(("Invariant".into(), vec![Inline::Code(inv.id.clone())]));
    Block::Card {
        id: anchor("invariant", &inv.id),
        verdict: None,
        title,
        fields,
    }
}

fn facts(g: &Guideline) -> Block {
    // The record column only where a fact says how it is read: a guideline
    // without bindings reads as before.
    let bound = g.facts.iter().any(|f| f.binding.is_some());
    let rows = g
        .facts
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let ty = match &f.kind {
                FactKind::Bool => vec![t("yes or no")],
                FactKind::Integer { .. } => vec![t(f.kind.expected())],
                FactKind::Number { unit, min, max } => {
                    let mut p = vec![t("a number in "), Inline::Unit(unit.to_string())];
                    let range = match (min, max) {
                        (Some(a), Some(b)) => format!(", from {a} to {b}"),
                        (Some(a), None) => format!(", from {a}"),
                        (None, Some(b)) => format!(", up to {b}"),
                        (None, None) => String::new(),
                    };
                    p.push(t(range));
                    if let Some(m) = &f.molar_mass {
                        p.push(t(format!("; molar mass {m}")));
                    }
                    p
                }
                FactKind::Enum { values } => vec![t(format!(
                    "one of: {}",
                    values.iter().map(|v| humanize(v)).collect::<Vec<_>>().join(", ")
                ))],
                FactKind::Date => vec![t("a date (YYYY-MM-DD), not after the evaluation date")],
            };
            let label = fact_label(g, crate::model::FactId(i as u32));
            let mut row = vec![
                vec![Inline::Code(f.name.clone())],
                vec![t(capitalize(&label))],
                ty,
                vec![t(f.description.clone().unwrap_or_default())],
            ];
            if bound {
                let from = match &f.binding {
                    Some(b) => capitalize(&binding_in_words(b, &f.kind)),
                    None => "Given in the case".to_string(),
                };
                row.push(vec![t(from)]);
            }
            row
        })
        .collect();
    let mut header = vec!["Fact".into(), "Read as".into(), "Values".into(), "Description".into()];
    if bound {
        header.push("From a patient record".into());
    }
    Block::Table { header, rows }
}

/// A fact's record binding as a reviewer reads it: "read from the latest
/// final Observation with LOINC 6690-2 or 26464-8 in the last 48 hours".
/// It says what the reader does and no more: what is missing stays unknown.
pub fn binding_in_words(b: &Binding, kind: &FactKind) -> String {
    match &b.source {
        RecordSource::Observation {
            codes,
            window,
            accept_preliminary,
        } => {
            let mut s = format!(
                "read from the latest final Observation with {} in the last {}",
                codes_in_words(codes),
                duration_in_words(window.seconds)
            );
            if *accept_preliminary {
                s.push_str(", or the latest preliminary one when no final one is");
            }
            s
        }
        RecordSource::Condition {
            codes,
            absent_means_false,
        } => {
            let absent = if *absent_means_false {
                "false when the record has none (the guideline states the record is complete for it)"
            } else {
                "unknown when the record has none"
            };
            format!(
                "true when the record has an active, confirmed Condition with {}; {absent}",
                codes_in_words(codes)
            )
        }
        RecordSource::BirthDate if *kind == FactKind::Date => "the patient's birth date".to_string(),
        RecordSource::BirthDate => {
            "the age in whole years at the evaluation date, from the patient's birth date".into()
        }
    }
}

/// `LOINC 2160-0 or 14682-9`, `ICD-10 C92.4, C92.0 or SNOMED CT 110004001`:
/// each system named before its first code.
fn codes_in_words(codes: &[Code]) -> String {
    let mut items = Vec::new();
    let mut previous = None;
    for c in codes {
        items.push(if previous == Some(c.system) {
            c.code.clone()
        } else {
            format!("{} {}", system_words(c.system), c.code)
        });
        previous = Some(c.system);
    }
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => "no code".to_string(),
    }
}

fn system_words(s: CodeSystem) -> &'static str {
    match s {
        CodeSystem::Loinc => "LOINC",
        CodeSystem::Snomed => "SNOMED CT",
        CodeSystem::Icd10 => "ICD-10",
        CodeSystem::Icd10Cm => "ICD-10-CM",
        CodeSystem::RxNorm => "RxNorm",
    }
}

/// `48 hours`, `7 days`, `52 weeks`: in the largest unit that divides it
/// exactly and still counts at least two or three of them, as an editor
/// writes a window (`48 h` reads "48 hours", not "2 days").
fn duration_in_words(seconds: i64) -> String {
    let units = [
        (604_800, 2, "week"),
        (86_400, 3, "day"),
        (3_600, 2, "hour"),
        (60, 1, "minute"),
    ];
    let (n, unit) = units
        .iter()
        .find(|(per, least, _)| seconds % per == 0 && seconds / per >= *least)
        .map_or((seconds, "second"), |(per, _, unit)| (seconds / per, *unit));
    if n == 1 {
        unit.to_string()
    } else {
        format!("{n} {unit}s")
    }
}
