//! The names completion offers: read from the syntax tree of the text (or of
//! the last text that parsed), plus the declarations the text itself shows
//! that the tree lacks (one typed since), with the details a menu shows.

use crate::ide::hover::{fact_type, model_type, reference_text};
use crate::ide::Analysis;
use crate::syntax::ast::{ExprKind, FactType, Item};
use crate::units::Unit;

use super::{item, Completion, CompletionKind};

/// Common UCUM units, offered after the units the file itself writes. Each
/// is checked to be a unit by a test, so none is a suggestion the checker
/// would then refuse.
pub(super) const CATALOGUE: &[&str] = &[
    "kg",
    "g",
    "mg",
    "ug",
    "ng",
    "cm",
    "m",
    "mm",
    "m2",
    "L",
    "dL",
    "mL",
    "uL",
    "mol",
    "mmol",
    "umol",
    "nmol",
    "eq",
    "meq",
    "[IU]",
    "U",
    "mg/dL",
    "g/dL",
    "g/L",
    "mg/L",
    "ug/L",
    "ng/mL",
    "mmol/L",
    "umol/L",
    "meq/L",
    "U/L",
    "[IU]/L",
    "10^9/L",
    "10^12/L",
    "/uL",
    "%",
    "mm[Hg]",
    "kPa",
    "Cel",
    "K",
    "s",
    "min",
    "h",
    "d",
    "wk",
    "mo",
    "a",
    "mg/kg",
    "mg/kg/d",
    "mg/m2",
    "mL/kg/h",
    "L/m2/d",
    "mL/min",
    "mg/d",
    "ug/kg/min",
    "[lb_av]",
    "[in_i]",
    "days",
    "years",
    "mcg",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DeclKind {
    Fact,
    Definition,
    Action,
    Rule,
    Reference,
}

#[derive(Clone, Debug)]
struct Decl {
    kind: DeclKind,
    name: String,
    detail: Option<String>,
    /// A number fact's unit, a definition's stated or computed unit.
    unit: Option<String>,
    /// An enumeration's values, a category's levels.
    members: Vec<String>,
    /// A bool fact or a condition: `is true` / `is false`.
    boolean: bool,
    /// A definition that renames another name (`define l: lineage`).
    alias: Option<String>,
    /// A rule's action.
    action: Option<String>,
}

fn decl(kind: DeclKind, name: &str, detail: Option<String>) -> Decl {
    Decl {
        kind,
        name: name.to_string(),
        detail,
        unit: None,
        members: Vec::new(),
        boolean: false,
        alias: None,
        action: None,
    }
}

/// Every name that may be offered.
pub(super) struct Names {
    decls: Vec<Decl>,
    /// Units the file writes (fact units first, then dose units).
    written_units: Vec<String>,
    dose_units: Vec<String>,
}

impl Names {
    pub(super) fn gather(source: Option<&Analysis>, text: &str) -> Names {
        let mut names = Names {
            decls: Vec::new(),
            written_units: Vec::new(),
            dose_units: Vec::new(),
        };
        if let Some(a) = source {
            names.read_tree(a);
        }
        names.read_text(text);
        names
    }

    fn has(&self, kind: DeclKind, name: &str) -> bool {
        self.decls.iter().any(|d| d.kind == kind && d.name == name)
    }

    fn read_tree(&mut self, a: &Analysis) {
        let Some(file) = a.file() else { return };
        for it in &file.items {
            match it {
                Item::Fact(f) => {
                    let mut d = decl(DeclKind::Fact, &f.name.node, Some(fact_type(&f.ty.node)));
                    match &f.ty.node {
                        FactType::Number { unit, .. } => {
                            d.unit = Some(unit.node.clone());
                            self.written_units.push(unit.node.clone());
                        }
                        FactType::Enum(values) => d.members = values.iter().map(|v| v.node.clone()).collect(),
                        FactType::Bool => d.boolean = true,
                        _ => {}
                    }
                    self.decls.push(d);
                }
                Item::Definition(def) => {
                    let checked = a
                        .guideline()
                        .and_then(|g| Some((g, g.definitions.iter().find(|x| x.name == def.name.node)?)));
                    let detail = match (checked, &def.unit) {
                        (Some((g, c)), _) => Some(model_type(g, &c.ty)),
                        (None, Some(u)) => Some(format!("quantity in {}", u.node)),
                        (None, None) => Some("definition".to_string()),
                    };
                    let mut d = decl(DeclKind::Definition, &def.name.node, detail);
                    d.unit = def.unit.as_ref().map(|u| u.node.clone()).or_else(|| {
                        let (_, c) = checked?;
                        match &c.ty {
                            crate::model::Type::Num(Some(u)) if !u.is_one() => Some(u.to_string()),
                            _ => None,
                        }
                    });
                    d.boolean = checked.is_some_and(|(_, c)| c.ty == crate::model::Type::Bool);
                    if let ExprKind::Name(n) = def.body.node.unparen() {
                        d.alias = Some(n.clone());
                    }
                    self.decls.push(d);
                }
                Item::Score(s) => {
                    let label = s.label.as_ref().map_or(String::new(), |l| format!(" {}", l.node));
                    self.decls
                        .push(decl(DeclKind::Definition, &s.name.node, Some(format!("score{label}"))));
                }
                Item::Category(c) => {
                    let label = c.label.as_ref().map_or(String::new(), |l| format!(" {}", l.node));
                    let mut d = decl(DeclKind::Definition, &c.name.node, Some(format!("category{label}")));
                    d.members = c
                        .levels
                        .iter()
                        .map(|l| &l.name)
                        .chain(&c.otherwise)
                        .map(|l| l.node.clone())
                        .collect();
                    self.decls.push(d);
                }
                Item::Action(act) => {
                    let urgent = if act.urgent { ", urgent" } else { "" };
                    self.decls.push(decl(
                        DeclKind::Action,
                        &act.name.node,
                        Some(format!("{}{urgent}", act.label.node)),
                    ));
                }
                Item::Rule(r) => {
                    let mut d = decl(
                        DeclKind::Rule,
                        &r.id.node,
                        Some(format!("{} {}", r.verdict.node, r.action.node)),
                    );
                    d.action = Some(r.action.node.clone());
                    self.decls.push(d);
                    for b in r.dose.iter().flat_map(|d| &d.branches) {
                        self.dose_units.push(b.amount.unit.node.clone());
                        self.dose_units.extend(b.amount.cap.iter().map(|c| c.unit.node.clone()));
                    }
                }
                Item::Reference(r) => self.decls.push(decl(
                    DeclKind::Reference,
                    &r.number.node.to_string(),
                    Some(reference_text(r)),
                )),
                Item::Note(_) | Item::Invariant(_) => {}
            }
        }
    }

    /// Declarations the text shows that the tree lacks: `fact NAME:`,
    /// `define NAME`, `score NAME`, `category NAME`, `action NAME`,
    /// `rule ID:`, `reference N`, each at the start of a line.
    fn read_text(&mut self, text: &str) {
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            let mut words = line
                .split(|c: char| c.is_whitespace() || c == ':')
                .filter(|w| !w.is_empty());
            let (Some(head), Some(name)) = (words.next(), words.next()) else {
                continue;
            };
            let kind = match head {
                "fact" => DeclKind::Fact,
                "define" | "score" | "category" => DeclKind::Definition,
                "action" => DeclKind::Action,
                "rule" => DeclKind::Rule,
                "reference" => DeclKind::Reference,
                _ => continue,
            };
            let valid = match kind {
                DeclKind::Reference => name.bytes().all(|b| b.is_ascii_digit()),
                DeclKind::Rule => name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
                _ => name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            };
            if !valid || self.has(kind, name) || !line.starts_with(head) {
                continue;
            }
            let mut d = decl(kind, name, None);
            if kind == DeclKind::Fact {
                // `fact x: one of a, b, c "..."`: the values, for `is`.
                if let Some((_, rest)) = line.split_once("one of") {
                    let rest = rest.split('"').next().unwrap_or("");
                    d.members = rest
                        .split(',')
                        .map(str::trim)
                        .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                        .map(str::to_string)
                        .collect();
                }
            }
            self.decls.push(d);
        }
    }

    fn of_kind(&self, kind: DeclKind) -> impl Iterator<Item = &Decl> {
        self.decls.iter().filter(move |d| d.kind == kind)
    }

    fn value_named(&self, name: &str) -> Option<&Decl> {
        self.decls
            .iter()
            .find(|d| matches!(d.kind, DeclKind::Fact | DeclKind::Definition) && d.name == name)
    }

    /// Facts, then definitions, scores and categories.
    pub(super) fn values(&self) -> Vec<Completion> {
        let facts = self
            .of_kind(DeclKind::Fact)
            .map(|d| item(&d.name, CompletionKind::Fact, d.detail.clone()));
        let defs = self
            .of_kind(DeclKind::Definition)
            .map(|d| item(&d.name, CompletionKind::Definition, d.detail.clone()));
        facts.chain(defs).collect()
    }

    /// The values of the enumeration or the levels of the category that
    /// `subject` names, through definitions that rename one; `true` and
    /// `false` for a condition.
    pub(super) fn members(&self, subject: &str) -> Vec<Completion> {
        let mut name = subject;
        for _ in 0..=self.decls.len() {
            let Some(d) = self.value_named(name) else { break };
            if !d.members.is_empty() {
                let detail = Some(format!("value of `{}`", d.name));
                return d
                    .members
                    .iter()
                    .map(|m| item(m, CompletionKind::Value, detail.clone()))
                    .collect();
            }
            if d.boolean {
                return ["true", "false"]
                    .iter()
                    .map(|b| item(b, CompletionKind::Value, None))
                    .collect();
            }
            match &d.alias {
                Some(a) => name = a,
                None => break,
            }
        }
        Vec::new()
    }

    /// Units after a number compared with `name`: its unit, then units of
    /// the same dimension (those it converts to), then the others.
    pub(super) fn units(&self, name: Option<&str>) -> Vec<Completion> {
        let own = name.and_then(|n| self.value_named(n)).and_then(|d| d.unit.clone());
        let mut all: Vec<String> = own.iter().cloned().collect();
        all.extend(self.written_units.iter().cloned());
        all.extend(CATALOGUE.iter().map(|u| u.to_string()));
        if let Some(dims) = own.as_deref().and_then(|u| Unit::parse(u).ok()).map(|u| u.dims()) {
            // A stable sort: the fact's own unit stays first.
            all.sort_by_key(|u| Unit::parse(u).map_or(true, |u| u.dims() != dims));
        }
        let detail = own.map(|u| format!("the unit of `{}` is {u}", name.unwrap_or_default()));
        all.iter()
            .enumerate()
            .map(|(i, u)| item(u, CompletionKind::Unit, if i == 0 { detail.clone() } else { None }))
            .collect()
    }

    /// Units after a dose's amount: those the file's doses use, then the catalogue.
    pub(super) fn dose_units(&self) -> Vec<Completion> {
        self.dose_units
            .iter()
            .map(String::as_str)
            .chain(CATALOGUE.iter().copied())
            .map(|u| item(u, CompletionKind::Unit, None))
            .collect()
    }

    /// Rule ids after `overrides`: when the rule's action is known, the
    /// other rules on it that are not contraindications (the checker refuses
    /// an override across actions or of a contraindication); else every
    /// rule. Never `current` itself.
    pub(super) fn rules(&self, current: Option<&str>, action: Option<&str>) -> Vec<Completion> {
        let contraindication = |d: &Decl| d.detail.as_deref().is_some_and(|x| x.starts_with("contraindicated "));
        self.of_kind(DeclKind::Rule)
            .filter(|d| Some(d.name.as_str()) != current)
            .filter(|d| action.is_none() || (d.action.as_deref() == action && !contraindication(d)))
            .map(|d| item(&d.name, CompletionKind::Rule, d.detail.clone()))
            .collect()
    }

    /// Reference numbers with their text.
    pub(super) fn references(&self) -> Vec<Completion> {
        self.of_kind(DeclKind::Reference)
            .map(|d| item(&d.name, CompletionKind::Reference, d.detail.clone()))
            .collect()
    }

    /// Actions with their labels.
    pub(super) fn actions(&self) -> Vec<Completion> {
        self.of_kind(DeclKind::Action)
            .map(|d| item(&d.name, CompletionKind::Action, d.detail.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_catalogue_unit_is_a_unit() {
        for u in super::CATALOGUE {
            assert!(crate::units::Unit::parse(u).is_ok(), "{u} is not a unit");
        }
    }
}
