//! The name-occurrence index behind hover, go to definition, references and
//! rename: every declared thing of a parsed file (fact, definition, score,
//! category, category level, enumeration value, rule, action, reference
//! number, note, invariant) with the span of its declaring name and the span
//! of every use (conditions, the scope, doses, warnings, `overrides`, `cite`,
//! rule heads, invariants, `is` values, change baselines).
//!
//! Built from the syntax tree alone, so it works on a file that parses but
//! does not check (the usual state mid-edit): a name nothing declares (a typo)
//! simply has no entry. Facts, definitions, scores and categories share one
//! namespace (a condition names any of them); actions, rules, notes,
//! invariants and references each have their own, so a rule and an invariant
//! may share an id without being one thing.

use std::collections::HashMap;

use crate::diagnostics::Span;
use crate::syntax::ast::{self, Claim, Expr, ExprKind, FactType, Item};

/// What a declared thing is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Fact,
    Definition,
    Score,
    Category,
    /// A level of a category (owner: the category).
    Level,
    /// A value of an enumeration fact (owner: the fact).
    Value,
    Rule,
    Action,
    Reference,
    Note,
    Invariant,
}

/// The namespaces in which a name is looked up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Space {
    /// Facts, definitions, scores and categories: what a condition names.
    Values,
    Actions,
    Rules,
    References,
    Notes,
    Invariants,
    /// Levels or enumeration values of one owner entry.
    Members(usize),
}

fn space_of(kind: Kind, owner: Option<usize>) -> Space {
    match kind {
        Kind::Fact | Kind::Definition | Kind::Score | Kind::Category => Space::Values,
        Kind::Level | Kind::Value => Space::Members(owner.unwrap_or(usize::MAX)),
        Kind::Rule => Space::Rules,
        Kind::Action => Space::Actions,
        Kind::Reference => Space::References,
        Kind::Note => Space::Notes,
        Kind::Invariant => Space::Invariants,
    }
}

/// One declared thing.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub kind: Kind,
    pub name: String,
    /// The declaring name (for an action a file never declares: its first use).
    pub decl: Span,
    /// Uses, in text order; a repeated declaration counts as a use, so that a
    /// rename keeps the duplicate a duplicate.
    pub uses: Vec<Span>,
    /// The item that declares it (for a level or a value: its owner's item).
    pub item: Option<usize>,
    /// False for an action that no `action` item declares.
    pub declared: bool,
}

/// Every declared thing of a file and where each is written.
#[derive(Debug, Default)]
pub(crate) struct Index {
    pub entries: Vec<Entry>,
    by_name: HashMap<Space, HashMap<String, usize>>,
    /// Every declaration and use: (span, entry), sorted by start.
    occurrences: Vec<(Span, usize)>,
}

impl Index {
    /// Indexes a parsed file; `text` is the text it was parsed from.
    pub fn build(file: &ast::File, text: &str) -> Index {
        let mut ix = Index::default();
        for (i, item) in file.items.iter().enumerate() {
            ix.declare_item(i, item);
        }
        let mut b = Builder { ix, text, file };
        if let Some(scope) = &file.header.scope {
            b.expr(scope);
        }
        for item in &file.items {
            b.uses_of_item(item);
        }
        let mut ix = b.ix;
        for (i, e) in ix.entries.iter().enumerate() {
            ix.occurrences.push((e.decl, i));
            ix.occurrences.extend(e.uses.iter().map(|s| (*s, i)));
        }
        ix.occurrences.sort_by_key(|(s, i)| (s.start, s.end, *i));
        ix.occurrences.dedup();
        ix
    }

    fn declare(&mut self, kind: Kind, name: &str, decl: Span, item: Option<usize>, owner: Option<usize>) -> usize {
        let space = space_of(kind, owner);
        if let Some(i) = self.lookup(space, name) {
            self.entries[i].uses.push(decl);
            return i;
        }
        self.entries.push(Entry {
            kind,
            name: name.to_string(),
            decl,
            uses: Vec::new(),
            item,
            declared: true,
        });
        let i = self.entries.len() - 1;
        self.by_name.entry(space).or_default().insert(name.to_string(), i);
        i
    }

    fn declare_item(&mut self, i: usize, item: &Item) {
        match item {
            Item::Reference(r) => {
                self.declare(
                    Kind::Reference,
                    &r.number.node.to_string(),
                    r.number.span,
                    Some(i),
                    None,
                );
            }
            Item::Action(a) => {
                self.declare(Kind::Action, &a.name.node, a.name.span, Some(i), None);
            }
            Item::Fact(f) => {
                let fact = self.declare(Kind::Fact, &f.name.node, f.name.span, Some(i), None);
                if let FactType::Enum(values) = &f.ty.node {
                    for v in values {
                        self.declare(Kind::Value, &v.node, v.span, Some(i), Some(fact));
                    }
                }
            }
            Item::Definition(d) => {
                self.declare(Kind::Definition, &d.name.node, d.name.span, Some(i), None);
            }
            Item::Score(s) => {
                self.declare(Kind::Score, &s.name.node, s.name.span, Some(i), None);
            }
            Item::Category(c) => {
                let cat = self.declare(Kind::Category, &c.name.node, c.name.span, Some(i), None);
                for l in c.levels.iter().map(|l| &l.name).chain(&c.otherwise) {
                    self.declare(Kind::Level, &l.node, l.span, Some(i), Some(cat));
                }
            }
            Item::Rule(r) => {
                self.declare(Kind::Rule, &r.id.node, r.id.span, Some(i), None);
            }
            Item::Note(n) => {
                self.declare(Kind::Note, &n.id.node, n.id.span, Some(i), None);
            }
            Item::Invariant(v) => {
                self.declare(Kind::Invariant, &v.id.node, v.id.span, Some(i), None);
            }
        }
    }

    fn lookup(&self, space: Space, name: &str) -> Option<usize> {
        self.by_name.get(&space)?.get(name).copied()
    }

    /// The fact, definition, score or category called `name`.
    pub fn value_named(&self, name: &str) -> Option<usize> {
        self.lookup(Space::Values, name)
    }

    /// The action called `name`.
    pub fn action_named(&self, name: &str) -> Option<usize> {
        self.lookup(Space::Actions, name)
    }

    /// The rule called `name`.
    pub fn rule_named(&self, name: &str) -> Option<usize> {
        self.lookup(Space::Rules, name)
    }

    /// The reference numbered `n`.
    pub fn reference_numbered(&self, n: u32) -> Option<usize> {
        self.lookup(Space::References, &n.to_string())
    }

    /// The occurrence (a declaration or a use) under a byte offset: one that
    /// contains it, else one that ends there (the cursor just after a word).
    pub fn at(&self, offset: usize) -> Option<(Span, usize)> {
        let inside = self
            .occurrences
            .iter()
            .find(|(s, _)| s.start <= offset && offset < s.end);
        inside
            .or_else(|| {
                self.occurrences
                    .iter()
                    .find(|(s, _)| s.end == offset && s.start < s.end)
            })
            .copied()
    }

    /// The entry's declaration and uses, in text order.
    pub fn all_spans(&self, entry: usize) -> Vec<Span> {
        let e = &self.entries[entry];
        let mut spans: Vec<Span> = std::iter::once(e.decl).chain(e.uses.iter().copied()).collect();
        spans.sort_by_key(|s| (s.start, s.end));
        spans.dedup();
        spans
    }

    /// Whether any entry of any kind is called `name`: a rename to it would
    /// make one name mean two things to a reader, even where the language
    /// keeps them apart.
    pub fn is_taken(&self, name: &str) -> bool {
        self.entries.iter().any(|e| e.name == name)
    }
}

struct Builder<'a> {
    ix: Index,
    text: &'a str,
    file: &'a ast::File,
}

impl Builder<'_> {
    fn use_of(&mut self, entry: Option<usize>, span: Span) {
        if let Some(i) = entry {
            self.ix.entries[i].uses.push(span);
        }
    }

    fn action(&mut self, name: &ast::Spanned<String>) {
        match self.ix.action_named(&name.node) {
            Some(i) => self.ix.entries[i].uses.push(name.span),
            None => {
                // A file that declares no action: its first use stands for the declaration.
                let i = self.ix.declare(Kind::Action, &name.node, name.span, None, None);
                self.ix.entries[i].declared = false;
            }
        }
    }

    fn cites(&mut self, cites: &[ast::Spanned<u32>]) {
        for c in cites {
            let r = self.ix.reference_numbered(c.node);
            self.use_of(r, c.span);
        }
    }

    fn uses_of_item(&mut self, item: &Item) {
        match item {
            Item::Reference(_) | Item::Action(_) | Item::Fact(_) => {}
            Item::Definition(d) => self.expr(&d.body),
            Item::Score(s) => s.items.iter().for_each(|it| self.expr(&it.when)),
            Item::Category(c) => c.levels.iter().for_each(|l| self.expr(&l.when)),
            Item::Rule(r) => {
                self.action(&r.action);
                if let Some(w) = &r.when {
                    self.expr(w);
                }
                for b in r.dose.iter().flat_map(|d| &d.branches) {
                    if let Some(w) = &b.when {
                        self.expr(w);
                    }
                    if let Some(by) = &b.amount.by {
                        self.expr(by);
                    }
                }
                for w in r.warnings.iter().filter_map(|w| w.when.as_ref()) {
                    self.expr(w);
                }
                self.cites(&r.cites);
                for o in &r.overrides {
                    let target = self.ix.rule_named(&o.node);
                    self.use_of(target, o.span);
                }
            }
            Item::Note(n) => {
                if let Some(w) = &n.when {
                    self.expr(w);
                }
                self.cites(&n.cites);
            }
            Item::Invariant(v) => match &v.claim {
                Claim::Never { action, when, .. } | Claim::AlwaysDecide { action, when } => {
                    self.action(action);
                    self.expr(when);
                }
            },
        }
    }

    fn expr(&mut self, e: &Expr) {
        match &e.node {
            ExprKind::Bool(_) | ExprKind::Quantity { .. } | ExprKind::Today => {}
            ExprKind::Name(n) => {
                let span = name_within(self.text, e.span, n);
                let target = self.ix.value_named(n);
                self.use_of(target, span);
            }
            ExprKind::Not(x) | ExprKind::Neg(x) | ExprKind::Sqrt(x) | ExprKind::Paren(x) => self.expr(x),
            ExprKind::Known { subject, .. } => self.expr(subject),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::Is { subject, value, .. } => {
                self.expr(subject);
                self.member(subject, value);
            }
            ExprKind::OneOf { subject, values, .. } => {
                self.expr(subject);
                for v in values {
                    self.member(subject, v);
                }
            }
            ExprKind::AtLeast { items, .. } => items.iter().for_each(|x| self.expr(x)),
            ExprKind::Change { subject, baseline, .. } => {
                self.expr(subject);
                let target = self.ix.value_named(&baseline.node);
                self.use_of(target, baseline.span);
            }
        }
    }

    /// `subject is value`: the value is a level of the category, or a value
    /// of the enumeration fact, that the subject names.
    fn member(&mut self, subject: &Expr, value: &ast::Spanned<String>) {
        let owner = self.owner_of(subject);
        let target = owner.and_then(|o| self.ix.lookup(Space::Members(o), &value.node));
        self.use_of(target, value.span);
    }

    /// The category or enumeration fact an expression stands for, through
    /// definitions that only rename one (`define l: lineage`).
    fn owner_of(&self, subject: &Expr) -> Option<usize> {
        let mut e = subject.node.unparen();
        // Bounded: a circle of definitions is the checker's to report.
        for _ in 0..=self.ix.entries.len() {
            let ExprKind::Name(n) = e else { return None };
            let i = self.ix.value_named(n)?;
            let entry = &self.ix.entries[i];
            match (entry.kind, entry.item.and_then(|it| self.file.items.get(it))) {
                (Kind::Category, _) => return Some(i),
                (Kind::Fact, Some(Item::Fact(f))) => {
                    return matches!(f.ty.node, FactType::Enum(_)).then_some(i);
                }
                (Kind::Definition, Some(Item::Definition(d))) => e = d.body.node.unparen(),
                _ => return None,
            }
        }
        None
    }
}

/// Whether a character may continue a name.
pub(crate) fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The span of `name` as a whole word inside `span`, outside comments. A
/// parenthesised name's expression spans its parentheses (`(apl)`), so the
/// name is looked for; the span itself when it is not found.
pub(crate) fn name_within(text: &str, span: Span, name: &str) -> Span {
    let Some(inner) = text.get(span.start..span.end) else {
        return span;
    };
    if inner == name {
        return span;
    }
    let bytes = inner.as_bytes();
    let mut i = 0;
    while i < inner.len() {
        if bytes[i] == b'#' {
            // A comment inside parentheses runs to the end of its line.
            i = inner[i..].find('\n').map_or(inner.len(), |n| i + n);
            continue;
        }
        if inner[i..].starts_with(name) {
            let before = inner[..i].chars().next_back().is_some_and(is_name_char);
            let after = inner[i + name.len()..].chars().next().is_some_and(is_name_char);
            if !before && !after {
                return Span::new(span.start + i, span.start + i + name.len());
            }
        }
        i += inner[i..].chars().next().map_or(1, char::len_utf8);
    }
    span
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parenthesised_name_is_found_inside_its_parentheses() {
        let text = "x (  # apl here\n apl )";
        let span = name_within(text, Span::new(2, text.len()), "apl");
        assert_eq!(&text[span.start..span.end], "apl");
        assert_eq!(span.start, text.rfind("apl").unwrap_or(0));
    }

    #[test]
    fn a_name_inside_a_longer_word_is_not_it() {
        let text = "(apl_excluded or apl)";
        let span = name_within(text, Span::new(0, text.len()), "apl");
        assert_eq!(span, Span::new(17, 20));
    }
}
