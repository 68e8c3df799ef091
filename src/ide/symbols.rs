//! The outline: the header, then groups of facts, definitions (with scores
//! and categories), rules by the action they decide, invariants, notes and
//! references, each entry spanning its whole declaration with its name as
//! the selection. A group spans its members, so it contains them.

use super::hover::fact_type;
use super::Analysis;
use crate::diagnostics::Span;
use crate::syntax::ast::{self, Claim, Item};

/// What an outline entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum SymbolKind {
    /// The guideline header.
    Header,
    /// A group (facts, definitions, an action's rules, ...).
    Group,
    /// A fact.
    Fact,
    /// A definition, score or category.
    Definition,
    /// An action.
    Action,
    /// A rule.
    Rule,
    /// An invariant.
    Invariant,
    /// A note.
    Note,
    /// A reference.
    Reference,
}

/// One outline entry.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Symbol {
    /// Its name.
    pub name: String,
    /// A short detail (a type, a verdict and action).
    pub detail: Option<String>,
    /// Its kind.
    pub kind: SymbolKind,
    /// The whole declaration.
    pub span: Span,
    /// The name within it.
    pub selection: Span,
    /// Entries inside it.
    pub children: Vec<Symbol>,
}

/// A declaration's span without the blank lines and comments the parser
/// lets trail after its last word.
fn trimmed(text: &str, span: Span) -> Span {
    let mut end = span.end.min(text.len());
    loop {
        let Some(body) = text.get(span.start..end) else {
            return span;
        };
        let body = body.trim_end();
        end = span.start + body.len();
        let line_start = body.rfind('\n').map_or(0, |i| i + 1);
        match comment_start(&body[line_start..]) {
            Some(c) => end = span.start + line_start + c,
            None => return Span::new(span.start, end),
        }
    }
}

/// Where a comment starts on one line, outside quoted text.
fn comment_start(line: &str) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '#' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

fn leaf(name: &ast::Spanned<String>, detail: Option<String>, kind: SymbolKind, span: Span) -> Symbol {
    Symbol {
        name: name.node.clone(),
        detail,
        kind,
        span,
        selection: name.span,
        children: Vec::new(),
    }
}

/// A group spanning its members, or nothing when it has none.
fn group(name: &str, kind: SymbolKind, detail: Option<String>, children: Vec<Symbol>) -> Option<Symbol> {
    let span = children.iter().map(|c| c.span).reduce(Span::join)?;
    let selection = children.first().map_or(span, |c| c.selection);
    Some(Symbol {
        name: name.to_string(),
        detail,
        kind,
        span,
        selection,
        children,
    })
}

/// The header: from the `guideline` keyword to its last field.
fn header(file: &ast::File, text: &str) -> Symbol {
    let h = &file.header;
    let start = text[..h.id.span.start.min(text.len())]
        .rfind("guideline")
        .unwrap_or(h.id.span.start);
    let ends = [
        h.title.as_ref().map(|x| x.span),
        h.version.as_ref().map(|x| x.span),
        h.status.as_ref().map(|x| x.span),
        h.updated.as_ref().map(|x| x.span),
        h.scope.as_ref().map(|x| x.span),
    ];
    let end = ends
        .iter()
        .flatten()
        .chain(h.reviewers.iter().map(|r| &r.span))
        .map(|s| s.end)
        .fold(h.id.span.end, usize::max);
    Symbol {
        name: h.id.node.clone(),
        detail: h.title.as_ref().map(|t| t.node.clone()),
        kind: SymbolKind::Header,
        span: Span::new(start, end),
        selection: h.id.span,
        children: Vec::new(),
    }
}

/// The outline of a text that parses (empty when it does not).
pub fn symbols(analysis: &Analysis) -> Vec<Symbol> {
    let Some(file) = analysis.file() else {
        return Vec::new();
    };
    let mut facts = Vec::new();
    let mut definitions = Vec::new();
    let mut invariants = Vec::new();
    let mut notes = Vec::new();
    let mut references = Vec::new();
    // Actions in the order they are declared, then those only rules name.
    let mut actions: Vec<(String, Option<&ast::ActionDecl>, Vec<Symbol>)> = file
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Action(a) => Some((a.name.node.clone(), Some(a), Vec::new())),
            _ => None,
        })
        .collect();
    for item in &file.items {
        match item {
            Item::Reference(r) => references.push(Symbol {
                name: r.number.node.to_string(),
                detail: Some(r.title.node.clone()),
                kind: SymbolKind::Reference,
                span: r.span,
                selection: r.number.span,
                children: Vec::new(),
            }),
            Item::Action(_) => {}
            Item::Fact(f) => facts.push(leaf(&f.name, Some(fact_type(&f.ty.node)), SymbolKind::Fact, f.span)),
            Item::Definition(d) => {
                let unit = d.unit.as_ref().map(|u| format!("in {}", u.node));
                definitions.push(leaf(&d.name, unit, SymbolKind::Definition, d.span));
            }
            Item::Score(s) => {
                let detail = format!(
                    "score{}",
                    s.label.as_ref().map(|l| format!(" {}", l.node)).unwrap_or_default()
                );
                definitions.push(leaf(&s.name, Some(detail), SymbolKind::Definition, s.span));
            }
            Item::Category(c) => {
                let detail = format!(
                    "category{}",
                    c.label.as_ref().map(|l| format!(" {}", l.node)).unwrap_or_default()
                );
                definitions.push(leaf(&c.name, Some(detail), SymbolKind::Definition, c.span));
            }
            Item::Rule(r) => {
                let sym = leaf(
                    &r.id,
                    Some(format!("{} {}", r.verdict.node, r.action.node)),
                    SymbolKind::Rule,
                    r.span,
                );
                match actions.iter_mut().find(|(n, _, _)| *n == r.action.node) {
                    Some((_, _, rules)) => rules.push(sym),
                    None => actions.push((r.action.node.clone(), None, vec![sym])),
                }
            }
            Item::Note(n) => notes.push(leaf(
                &n.id,
                n.says.as_ref().map(|s| s.node.clone()),
                SymbolKind::Note,
                n.span,
            )),
            Item::Invariant(v) => {
                let detail = match &v.claim {
                    Claim::Never { verdicts, action, .. } => {
                        let vs: Vec<&str> = verdicts.iter().map(|x| x.node.as_str()).collect();
                        format!("never {} {}", vs.join(" or "), action.node)
                    }
                    Claim::AlwaysDecide { action, .. } => format!("always decide {}", action.node),
                };
                invariants.push(leaf(&v.id, Some(detail), SymbolKind::Invariant, v.span));
            }
        }
    }
    let text = analysis.text();
    for s in facts
        .iter_mut()
        .chain(&mut definitions)
        .chain(&mut invariants)
        .chain(&mut notes)
        .chain(&mut references)
        .chain(actions.iter_mut().flat_map(|(_, _, rules)| rules.iter_mut()))
    {
        s.span = trimmed(text, s.span);
    }
    let by_action: Vec<Symbol> = actions
        .into_iter()
        .filter_map(|(name, decl, rules)| {
            let detail = decl.map(|a| format!("{}{}", a.label.node, if a.urgent { ", urgent" } else { "" }));
            group(&name, SymbolKind::Action, detail, rules)
        })
        .collect();
    let mut out = vec![header(file, text)];
    out.extend(group("facts", SymbolKind::Group, None, facts));
    out.extend(group("definitions", SymbolKind::Group, None, definitions));
    out.extend(group("rules", SymbolKind::Group, Some("by action".into()), by_action));
    out.extend(group("invariants", SymbolKind::Group, None, invariants));
    out.extend(group("notes", SymbolKind::Group, None, notes));
    out.extend(group("references", SymbolKind::Group, None, references));
    out
}
