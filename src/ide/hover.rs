//! Hover: what the name under the cursor is, in Markdown.
//!
//! Read from the syntax tree (so a file that parses but does not check still
//! gets hovers), with what only the checker knows (a definition's computed
//! type and unit) added when the file checks. A fact's hover says that its
//! name is also a case key, which a rename leaves alone.

use std::fmt::Write;

use super::index::{Entry, Index, Kind};
use super::Analysis;
use crate::diagnostics::Span;
use crate::format::{expr, quote};
use crate::model::{Guideline, Type};
use crate::syntax::ast::{self, Claim, FactType, Item};

/// What a hover shows.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Hover {
    /// The word hovered.
    pub span: Span,
    /// Markdown.
    pub markdown: String,
}

/// The hover at a byte offset: a fact (type, unit, valid range, allowed
/// values, description), a definition (expression, unit, description), a
/// rule (verdict, action, label, citations, what it overrides), a citation
/// number (its reference), an action (label, urgency, every rule deciding it).
pub fn hover(analysis: &Analysis, offset: usize) -> Option<Hover> {
    let file = analysis.file()?;
    let ix = Index::build(file, analysis.text());
    let (span, entry) = ix.at(offset)?;
    let h = Hovering {
        file,
        ix: &ix,
        text: analysis.text(),
        model: analysis.guideline(),
    };
    let markdown = h.describe(&ix.entries[entry])?;
    Some(Hover { span, markdown })
}

struct Hovering<'a> {
    file: &'a ast::File,
    ix: &'a Index,
    text: &'a str,
    model: Option<&'a Guideline>,
}

/// The type of a fact as declared: `number in 10^9/L from 0`.
pub(super) fn fact_type(ty: &FactType) -> String {
    let range = |min: &Option<f64>, max: &Option<f64>| {
        let mut s = String::new();
        if let Some(a) = min {
            let _ = write!(s, " from {a}");
        }
        if let Some(b) = max {
            let _ = write!(s, " to {b}");
        }
        s
    };
    match ty {
        FactType::Bool => "bool".into(),
        FactType::Date => "date".into(),
        FactType::Integer { min, max } => format!("integer{}", range(min, max)),
        FactType::Number { unit, min, max } => format!("number in {}{}", unit.node, range(min, max)),
        FactType::Enum(values) => {
            let vs: Vec<&str> = values.iter().map(|v| v.node.as_str()).collect();
            format!("one of {}", vs.join(", "))
        }
    }
}

/// The type the checker gave a definition: "condition", "quantity in m2".
pub(super) fn model_type(model: &Guideline, ty: &Type) -> String {
    match ty {
        Type::Bool => "condition".into(),
        Type::Num(Some(u)) if !u.is_one() => format!("quantity in {u}"),
        Type::Num(_) => "number".into(),
        Type::Enum(f) => format!("a value of `{}`", model.fact(*f).name),
        Type::Date => "date".into(),
    }
}

/// A span of the text on one line: whitespace runs squeezed, comments dropped.
fn squeezed(text: &str, span: Span) -> String {
    let raw = text.get(span.start..span.end).unwrap_or("");
    raw.lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ")
}

fn code(s: &str) -> String {
    format!("```gl\n{s}\n```\n")
}

impl Hovering<'_> {
    fn item(&self, e: &Entry) -> Option<&Item> {
        e.item.and_then(|i| self.file.items.get(i))
    }

    fn describe(&self, e: &Entry) -> Option<String> {
        let item = self.item(e);
        Some(match (e.kind, item) {
            (Kind::Fact, Some(Item::Fact(f))) => self.fact(f),
            (Kind::Definition, Some(Item::Definition(d))) => self.definition(d),
            (Kind::Score, Some(Item::Score(s))) => self.score(s),
            (Kind::Category, Some(Item::Category(c))) => self.category(c),
            (Kind::Level, Some(Item::Category(c))) => self.level(c, &e.name),
            (Kind::Value, Some(Item::Fact(f))) => {
                format!(
                    "value `{}` of the fact `{}`: {}\n\nA case gives it as `\"{}\"`.\n",
                    e.name,
                    f.name.node,
                    fact_type(&f.ty.node),
                    e.name
                )
            }
            (Kind::Rule, Some(Item::Rule(r))) => self.rule(r),
            (Kind::Action, _) => self.action(e, item),
            (Kind::Reference, Some(Item::Reference(r))) => self.reference(r),
            (Kind::Note, Some(Item::Note(n))) => {
                let mut s = format!("**note** `{}`\n\n", n.id.node);
                if let Some(w) = &n.when {
                    let _ = writeln!(s, "shown when `{}`\n", expr(w));
                }
                if let Some(says) = &n.says {
                    let _ = writeln!(s, "{}\n", says.node);
                }
                s.push_str(&self.citations(&n.cites));
                s
            }
            (Kind::Invariant, Some(Item::Invariant(v))) => {
                let mut s = format!("**invariant** `{}`\n\n", v.id.node);
                let lead = match v.claim {
                    Claim::Never { .. } => "never",
                    Claim::AlwaysDecide { .. } => "always decide",
                };
                s.push_str(&code(&format!("{lead} {}", squeezed(self.text, claim_span(v)))));
                if let Some(b) = &v.because {
                    let _ = writeln!(s, "\n{}", b.node);
                }
                s
            }
            _ => return None,
        })
    }

    fn fact(&self, f: &ast::Fact) -> String {
        let mut s = code(&format!("fact {}: {}", f.name.node, fact_type(&f.ty.node)));
        if let Some(d) = &f.description {
            let _ = writeln!(s, "\n{}", d.node);
        }
        s.push('\n');
        match &f.ty.node {
            FactType::Bool => s.push_str("- type: true or false\n"),
            FactType::Date => s.push_str("- type: a date, `\"YYYY-MM-DD\"`, not after the evaluation date\n"),
            FactType::Integer { min, max } => {
                s.push_str("- type: a whole number\n");
                s.push_str(&valid_range(*min, *max, ""));
            }
            FactType::Number { unit, min, max } => {
                let _ = writeln!(s, "- type: a number\n- unit: `{}`", unit.node);
                s.push_str(&valid_range(*min, *max, &format!(" {}", unit.node)));
            }
            FactType::Enum(values) => {
                let vs: Vec<String> = values.iter().map(|v| format!("`{}`", v.node)).collect();
                let _ = writeln!(s, "- allowed values: {}", vs.join(", "));
            }
        }
        if let Some(m) = &f.molar_mass {
            let _ = writeln!(s, "- molar mass: {} {}", m.value.node, m.unit.node);
        }
        if f.recorded {
            s.push_str("- recorded: cases carry it; no rule has to use it\n");
        }
        if f.binding.is_some() {
            // In words from the checked fact; the tree alone cannot say what
            // a binding the checker refused would do.
            let checked = self
                .model
                .and_then(|g| g.facts.iter().find(|x| x.name == f.name.node))
                .and_then(|x| Some(crate::report::binding_in_words(x.binding.as_ref()?, &x.kind)));
            match checked {
                Some(words) => {
                    let _ = writeln!(s, "- from a patient record: {words}");
                }
                None => s.push_str("- from a patient record: not until the file checks\n"),
            }
        }
        s.push_str("\n_The name is also the key of case JSON and of case suites: a rename changes this file only._\n");
        s
    }

    fn definition(&self, d: &ast::Definition) -> String {
        let stated = d.unit.as_ref().map(|u| format!(" in {}", u.node)).unwrap_or_default();
        let mut s = code(&format!("define {}{stated}: {}", d.name.node, expr(&d.body)));
        if let Some(desc) = &d.description {
            let _ = writeln!(s, "\n{}", desc.node);
        }
        s.push('\n');
        if let Some(u) = &d.unit {
            let _ = writeln!(s, "- unit: `{}` (stated)", u.node);
        }
        let checked = self
            .model
            .and_then(|g| Some((g, g.definitions.iter().find(|x| x.name == d.name.node)?)));
        if let Some((g, def)) = checked {
            let _ = writeln!(s, "- type: {}", model_type(g, &def.ty));
        }
        s
    }

    fn score(&self, sc: &ast::Score) -> String {
        let label = sc
            .label
            .as_ref()
            .map(|l| format!(" {}", quote(&l.node)))
            .unwrap_or_default();
        let mut s = format!(
            "**score** `{}`{label}: the sum of the points whose conditions hold\n\n",
            sc.name.node
        );
        for it in &sc.items {
            let _ = writeln!(s, "- {} when `{}`", it.points.node, expr(&it.when));
        }
        s
    }

    fn category(&self, c: &ast::Category) -> String {
        let label = c
            .label
            .as_ref()
            .map(|l| format!(" {}", quote(&l.node)))
            .unwrap_or_default();
        let mut s = format!("**category** `{}`{label}: one level per patient\n\n", c.name.node);
        for l in &c.levels {
            let _ = writeln!(s, "- `{}` when `{}`", l.name.node, expr(&l.when));
        }
        if let Some(o) = &c.otherwise {
            let _ = writeln!(s, "- `{}` otherwise", o.node);
        }
        s
    }

    fn level(&self, c: &ast::Category, name: &str) -> String {
        let mut s = format!("level `{name}` of the category `{}`\n\n", c.name.node);
        match c.levels.iter().find(|l| l.name.node == name) {
            Some(l) => {
                let _ = writeln!(s, "when `{}`", expr(&l.when));
            }
            None => s.push_str("when no other level holds\n"),
        }
        s
    }

    fn action_label(&self, name: &str) -> Option<&ast::ActionDecl> {
        self.file.items.iter().find_map(|i| match i {
            Item::Action(a) if a.name.node == name => Some(a),
            _ => None,
        })
    }

    fn rules(&self) -> impl Iterator<Item = &ast::Rule> {
        self.file.items.iter().filter_map(|i| match i {
            Item::Rule(r) => Some(r),
            _ => None,
        })
    }

    fn rule(&self, r: &ast::Rule) -> String {
        let mut s = format!("**rule** `{}`: {} `{}`", r.id.node, r.verdict.node, r.action.node);
        if let Some(a) = self.action_label(&r.action.node) {
            let _ = write!(s, " ({}{})", a.label.node, if a.urgent { ", urgent" } else { "" });
        }
        s.push_str("\n\n");
        match &r.when {
            Some(w) => {
                let _ = writeln!(s, "when `{}`\n", expr(w));
            }
            None => s.push_str("when always\n\n"),
        }
        if let Some(d) = &r.dose {
            let _ = writeln!(s, "- {}", squeezed(self.text, d.span));
        }
        if let Some(d) = &r.detail {
            let _ = writeln!(s, "- detail: {}", d.node);
        }
        if let Some(b) = &r.because {
            let _ = writeln!(s, "- because: {}", b.node);
        }
        if !r.overrides.is_empty() {
            let ids: Vec<String> = r.overrides.iter().map(|o| format!("`{}`", o.node)).collect();
            let _ = writeln!(s, "- overrides: {}", ids.join(", "));
        }
        let by: Vec<String> = self
            .rules()
            .filter(|o| o.overrides.iter().any(|x| x.node == r.id.node))
            .map(|o| format!("`{}`", o.id.node))
            .collect();
        if !by.is_empty() {
            let _ = writeln!(s, "- overridden by: {}", by.join(", "));
        }
        s.push_str(&self.citations(&r.cites));
        s
    }

    fn citations(&self, cites: &[ast::Spanned<u32>]) -> String {
        let mut s = String::new();
        if cites.is_empty() {
            return s;
        }
        s.push_str("\ncites:\n");
        for c in cites {
            let text = self
                .ix
                .reference_numbered(c.node)
                .and_then(|i| self.item(&self.ix.entries[i]))
                .and_then(|i| match i {
                    Item::Reference(r) => Some(reference_text(r)),
                    _ => None,
                })
                .unwrap_or_else(|| "(not declared)".into());
            let _ = writeln!(s, "- [{}] {text}", c.node);
        }
        s
    }

    fn reference(&self, r: &ast::Reference) -> String {
        let mut s = format!("**reference {}**\n\n{}\n", r.number.node, reference_text(r));
        let citing: Vec<String> = self
            .file
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Rule(x) if x.cites.iter().any(|c| c.node == r.number.node) => {
                    Some(format!("rule `{}`", x.id.node))
                }
                Item::Note(x) if x.cites.iter().any(|c| c.node == r.number.node) => {
                    Some(format!("note `{}`", x.id.node))
                }
                _ => None,
            })
            .collect();
        if !citing.is_empty() {
            let _ = writeln!(s, "\ncited by {}", citing.join(", "));
        }
        s
    }

    fn action(&self, e: &Entry, item: Option<&Item>) -> String {
        let mut s = format!("**action** `{}`", e.name);
        match item {
            Some(Item::Action(a)) => {
                let _ = write!(s, ": {}", a.label.node);
                if a.urgent {
                    s.push_str(" — urgent (reports show it first, under *Act now*)");
                }
                if !a.codes.is_empty() {
                    let codes: Vec<String> = a
                        .codes
                        .iter()
                        .map(|c| format!("{} {}", c.system.node, c.code.node))
                        .collect();
                    let _ = write!(
                        s,
                        "\n\nordered as {} (an order with one of these codes is this action)",
                        codes.join(", ")
                    );
                }
            }
            _ => s.push_str(" (not declared: its id is its label)"),
        }
        s.push_str("\n\n");
        let deciding: Vec<String> = self
            .rules()
            .filter(|r| r.action.node == e.name)
            .map(|r| format!("- `{}`: {}", r.id.node, r.verdict.node))
            .collect();
        if deciding.is_empty() {
            s.push_str("No rule decides it.\n");
        } else {
            s.push_str("Decided by:\n");
            s.push_str(&deciding.join("\n"));
            s.push('\n');
        }
        s
    }
}

/// `Title, Source (Year)`.
pub(super) fn reference_text(r: &ast::Reference) -> String {
    let mut s = r.title.node.clone();
    if let Some(src) = &r.source {
        let _ = write!(s, ", {}", src.node);
    }
    if let Some(y) = &r.year {
        let _ = write!(s, " ({})", y.node);
    }
    s
}

fn valid_range(min: Option<f64>, max: Option<f64>, unit: &str) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("- valid range: {a} to {b}{unit}\n"),
        (Some(a), None) => format!("- valid range: from {a}{unit}\n"),
        (None, Some(b)) => format!("- valid range: up to {b}{unit}\n"),
        (None, None) => "- valid range: any\n".into(),
    }
}

/// From the claim's first verdict (or `always`) to the end of its condition.
fn claim_span(v: &ast::Invariant) -> Span {
    match &v.claim {
        Claim::Never { verdicts, action, when } => {
            let start = verdicts.first().map_or(action.span, |x| x.span);
            start.join(when.span)
        }
        Claim::AlwaysDecide { action, when } => action.span.join(when.span),
    }
}
