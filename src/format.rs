//! The canonical layout of a guideline file, for `guidelang fmt`.
//!
//! The text is rebuilt from the syntax tree, so two files that mean the same
//! print the same: the header's fields one per line, then the items in written
//! order; a rule's fields in a fixed order (`when`, `overrides`, `dose`,
//! `detail`, `warn`, `because`, `cite`), repeated `cite`/`overrides` fields
//! merged; expressions with the parentheses their author wrote (and those their
//! meaning needs), on one line when they fit in 100 columns, else broken at
//! `and`/`or` (see `format/breaks.rs`); every rule and note with its `when`
//! line; quoted text re-escaped; numbers in the shortest form that reads back
//! as the same number. A blank line separates items of different kinds and
//! every rule, note or invariant that takes several lines; elsewhere (between
//! facts, references, definitions) a blank line the editor left is kept, so
//! groups stay groups. Comments are kept (see `format/comments.rs`).
//!
//! Guarantees, tested by property: formatting is idempotent, and the formatted
//! text parses to the same tree as the original.

mod breaks;
mod comments;
mod dose;

use std::collections::HashMap;
use std::fmt::Write;

use crate::diagnostics::{Problem, Source, Span};
use crate::syntax::ast::*;
use crate::syntax::precedence::Prec;
use comments::{Attached, Comment, Key, Slot};

/// Parses a source and returns it in canonical layout, comments kept.
pub fn format_source(source: &Source) -> Result<String, Vec<Problem>> {
    let file = crate::syntax::parse(source)?;
    Ok(layout(&file, Some(source.text())))
}

/// Prints a syntax tree in canonical layout (no source, so no comments).
pub fn format_file(file: &File) -> String {
    layout(file, None)
}

/// The comments of a guideline text, in order, each from `#` to the end of its line.
pub fn comment_texts(text: &str) -> Vec<String> {
    comments::scan(text).into_iter().map(|c| c.text).collect()
}

fn layout(file: &File, text: Option<&str>) -> String {
    let (attached, at_end) = match text {
        Some(t) => {
            let anchors: Vec<(Key, Span)> = anchors(file)
                .into_iter()
                .map(|(k, s)| (k, comments::trim(t, s)))
                .collect();
            comments::attach(comments::scan(t), &anchors)
        }
        None => (HashMap::new(), Vec::new()),
    };
    let mut p = Printer {
        text: text.unwrap_or(""),
        attached,
        out: String::new(),
    };
    p.header(&file.header);
    let mut previous: Option<&Item> = None;
    for (i, item) in file.items.iter().enumerate() {
        // The header is a block of its own: always a blank line after it.
        let forced = previous.is_none_or(|prev| separate(prev, item));
        p.item(i, item, forced);
        previous = Some(item);
    }
    for c in &at_end {
        if c.blank_before {
            p.out.push('\n');
        }
        p.out.push_str(&c.text);
        p.out.push('\n');
    }
    p.out
}

/// Whether two neighbouring items always get a blank line between them.
fn separate(prev: &Item, next: &Item) -> bool {
    std::mem::discriminant(prev) != std::mem::discriminant(next) || is_block(prev) || is_block(next)
}

/// True for an item printed on several lines.
fn is_block(item: &Item) -> bool {
    match item {
        // A definition and its description read as one entry, like a fact.
        Item::Reference(_) | Item::Action(_) | Item::Fact(_) | Item::Definition(_) => false,
        // Every rule and note has a `when` line (`when always` at least).
        Item::Rule(_) | Item::Note(_) | Item::Invariant(_) => true,
        Item::Score(_) | Item::Category(_) => true,
    }
}

/// The source spans each printed line shows, for attaching comments.
fn anchors(file: &File) -> Vec<(Key, Span)> {
    let mut out = Vec::new();
    let h = &file.header;
    let key = |item: Option<usize>, slot: Slot| Key { item, slot };
    out.push((key(None, Slot::Head), h.id.span));
    let header_fields = [
        (Slot::Title, h.title.as_ref().map(|t| t.span)),
        (Slot::Version, h.version.as_ref().map(|v| v.span)),
        (Slot::Status, h.status.as_ref().map(|s| s.span)),
        (Slot::Updated, h.updated.as_ref().map(|u| u.span)),
        (Slot::Scope, h.scope.as_ref().map(|s| s.span)),
    ];
    out.extend(
        header_fields
            .into_iter()
            .filter_map(|(s, span)| Some((key(None, s), span?))),
    );
    out.extend(h.reviewers.iter().map(|r| (key(None, Slot::Reviewers), r.span)));
    for (i, item) in file.items.iter().enumerate() {
        let k = |slot| key(Some(i), slot);
        match item {
            Item::Reference(r) => out.push((k(Slot::Head), r.span)),
            Item::Action(a) => out.push((k(Slot::Head), a.span)),
            Item::Fact(f) => match f.binding.as_ref().filter(|_| binding_on_own_line(f)) {
                Some(b) => {
                    out.push((k(Slot::Head), Span::new(f.span.start, b.span.start)));
                    out.push((k(Slot::Binding), b.span));
                }
                None => out.push((k(Slot::Head), f.span)),
            },
            Item::Definition(d) => {
                out.push((k(Slot::Head), Span::new(d.span.start, d.body.span.end)));
                if let Some(s) = &d.description {
                    out.push((k(Slot::Description), s.span));
                }
            }
            Item::Rule(r) => {
                out.push((k(Slot::Head), Span::new(r.span.start, r.action.span.end)));
                let single = [
                    (Slot::When, r.when.as_ref().map(|w| w.span)),
                    (Slot::Dose, r.dose.as_ref().map(|d| d.span)),
                    (Slot::Detail, r.detail.as_ref().map(|d| d.span)),
                    (Slot::Because, r.because.as_ref().map(|b| b.span)),
                ];
                out.extend(single.into_iter().filter_map(|(s, span)| Some((k(s), span?))));
                out.extend(r.overrides.iter().map(|o| (k(Slot::Overrides), o.span)));
                out.extend(r.warnings.iter().enumerate().map(|(j, w)| (k(Slot::Warn(j)), w.span)));
                out.extend(r.cites.iter().map(|c| (k(Slot::Cite), c.span)));
            }
            Item::Note(n) => {
                out.push((k(Slot::Head), Span::new(n.span.start, n.id.span.end)));
                let single = [
                    (Slot::When, n.when.as_ref().map(|w| w.span)),
                    (Slot::Says, n.says.as_ref().map(|s| s.span)),
                ];
                out.extend(single.into_iter().filter_map(|(s, span)| Some((k(s), span?))));
                out.extend(n.cites.iter().map(|c| (k(Slot::Cite), c.span)));
            }
            Item::Invariant(inv) => {
                out.push((k(Slot::Head), Span::new(inv.span.start, inv.id.span.end)));
                let claim = match &inv.claim {
                    Claim::Never { verdicts, action, when } => {
                        let start = verdicts.first().map_or(action.span.start, |v| v.span.start);
                        Span::new(start, when.span.end)
                    }
                    Claim::AlwaysDecide { action, when } => Span::new(action.span.start, when.span.end),
                };
                out.push((k(Slot::Claim), claim));
                if let Some(b) = &inv.because {
                    out.push((k(Slot::Because), b.span));
                }
            }
            Item::Score(sc) => {
                out.push((k(Slot::Head), Span::new(sc.span.start, sc.name.span.end)));
                // One line per entry; the warning slots are numbered lines too.
                out.extend(sc.items.iter().enumerate().map(|(j, it)| (k(Slot::Warn(j)), it.span)));
            }
            Item::Category(c) => {
                out.push((k(Slot::Head), Span::new(c.span.start, c.name.span.end)));
                out.extend(c.levels.iter().enumerate().map(|(j, l)| (k(Slot::Warn(j)), l.span)));
                if let Some(o) = &c.otherwise {
                    out.push((k(Slot::Warn(c.levels.len())), o.span));
                }
            }
        }
    }
    out
}

struct Printer<'a> {
    text: &'a str,
    attached: HashMap<Key, Attached>,
    out: String,
}

const INDENT: &str = "  ";

impl Printer<'_> {
    /// A field line: its comments, then the line.
    fn field(&mut self, item: Option<usize>, slot: Slot, content: &str) {
        let Attached { leading, trailing } = self.attached.remove(&Key { item, slot }).unwrap_or_default();
        let (own, end) = split_trailing(leading, trailing);
        for c in own {
            let _ = writeln!(self.out, "{INDENT}{}", c.text);
        }
        let _ = write!(self.out, "{INDENT}{content}");
        self.end_line(end);
    }

    /// An item's (or the header's) first line, with the blank line before it.
    fn head(&mut self, item: Option<usize>, start: usize, forced: bool, content: &str) {
        let Attached { leading, trailing } = self
            .attached
            .remove(&Key { item, slot: Slot::Head })
            .unwrap_or_default();
        let (own, end) = split_trailing(leading, trailing);
        let mut first = true;
        for c in own {
            self.blank_if(if first {
                forced || c.blank_before
            } else {
                c.blank_before
            });
            first = false;
            let _ = writeln!(self.out, "{}", c.text);
        }
        let blank = comments::blank_before(self.text, start);
        self.blank_if(if first { forced || blank } else { blank });
        self.out.push_str(content);
        self.end_line(end);
    }

    fn blank_if(&mut self, blank: bool) {
        if blank && !self.out.is_empty() {
            self.out.push('\n');
        }
    }

    fn end_line(&mut self, trailing: Option<Comment>) {
        if let Some(c) = trailing {
            self.out.push(' ');
            self.out.push_str(&c.text);
        }
        self.out.push('\n');
    }

    fn header(&mut self, h: &Header) {
        let start = self
            .text
            .get(..h.id.span.start)
            .and_then(|t| t.rfind("guideline"))
            .unwrap_or(0);
        self.head(None, start, false, &format!("guideline {}", h.id.node));
        if let Some(t) = &h.title {
            self.field(None, Slot::Title, &format!("title {}", quote(&t.node)));
        }
        if let Some(v) = &h.version {
            self.field(None, Slot::Version, &format!("version {}", v.node));
        }
        if let Some(s) = &h.status {
            self.field(None, Slot::Status, &format!("status {}", s.node));
        }
        if let Some(u) = &h.updated {
            self.field(None, Slot::Updated, &format!("updated {}", u.node));
        }
        if !h.reviewers.is_empty() {
            let names: Vec<String> = h.reviewers.iter().map(|r| quote(&r.node)).collect();
            self.field(None, Slot::Reviewers, &format!("reviewed by {}", names.join(", ")));
        }
        if let Some(e) = &h.scope {
            self.field(
                None,
                Slot::Scope,
                &breaks::long("applies when ", e, INDENT.len(), INDENT.len()),
            );
        }
    }

    fn item(&mut self, i: usize, item: &Item, forced: bool) {
        let at = Some(i);
        let start = item.span().start;
        match item {
            Item::Reference(r) => self.head(at, start, forced, &reference(r)),
            Item::Action(a) => self.head(at, start, forced, &action(a)),
            Item::Fact(f) => match &f.binding {
                Some(b) if binding_on_own_line(f) => {
                    self.head(at, start, forced, &fact(f));
                    self.field(at, Slot::Binding, &binding_lines(b));
                }
                Some(b) => self.head(at, start, forced, &format!("{} {}", fact(f), binding(b))),
                None => self.head(at, start, forced, &fact(f)),
            },
            Item::Definition(d) => {
                let unit = d.unit.as_ref().map(|u| format!(" in {}", u.node)).unwrap_or_default();
                self.head(
                    at,
                    start,
                    forced,
                    &breaks::long(&format!("define {}{unit}: ", d.name.node), &d.body, 0, INDENT.len()),
                );
                if let Some(s) = &d.description {
                    self.field(at, Slot::Description, &quote(&s.node));
                }
            }
            Item::Rule(r) => self.rule(i, r, forced),
            Item::Score(sc) => {
                self.head(
                    at,
                    start,
                    forced,
                    &format!("score {}{}:", sc.name.node, label(&sc.label)),
                );
                for (j, it) in sc.items.iter().enumerate() {
                    let prefix = format!("{} when ", it.points.node);
                    self.field(
                        at,
                        Slot::Warn(j),
                        &breaks::long(&prefix, &it.when, INDENT.len(), INDENT.len()),
                    );
                }
            }
            Item::Category(c) => {
                self.head(
                    at,
                    start,
                    forced,
                    &format!("category {}{}:", c.name.node, label(&c.label)),
                );
                for (j, l) in c.levels.iter().enumerate() {
                    let prefix = format!("{} when ", l.name.node);
                    self.field(
                        at,
                        Slot::Warn(j),
                        &breaks::long(&prefix, &l.when, INDENT.len(), INDENT.len()),
                    );
                }
                if let Some(o) = &c.otherwise {
                    self.field(at, Slot::Warn(c.levels.len()), &format!("{} otherwise", o.node));
                }
            }
            Item::Note(n) => {
                self.head(at, start, forced, &format!("note {}:", n.id.node));
                match &n.when {
                    Some(w) => self.field(at, Slot::When, &breaks::long("when ", w, INDENT.len(), INDENT.len())),
                    None => self.field(at, Slot::When, "when always"),
                }
                if let Some(s) = &n.says {
                    self.field(at, Slot::Says, &format!("says {}", quote(&s.node)));
                }
                if !n.cites.is_empty() {
                    self.field(at, Slot::Cite, &format!("cite {}", list(&n.cites)));
                }
            }
            Item::Invariant(inv) => {
                self.head(at, start, forced, &format!("invariant {}:", inv.id.node));
                let claim = match &inv.claim {
                    Claim::Never { verdicts, action, when } => {
                        let vs: Vec<&str> = verdicts.iter().map(|v| v.node.as_str()).collect();
                        let prefix = format!("never {} {} when ", vs.join(" or "), action.node);
                        breaks::long(&prefix, when, INDENT.len(), INDENT.len())
                    }
                    Claim::AlwaysDecide { action, when } => breaks::long(
                        &format!("always decide {} when ", action.node),
                        when,
                        INDENT.len(),
                        INDENT.len(),
                    ),
                };
                self.field(at, Slot::Claim, &claim);
                if let Some(b) = &inv.because {
                    self.field(at, Slot::Because, &format!("because {}", quote(&b.node)));
                }
            }
        }
    }

    fn rule(&mut self, i: usize, r: &Rule, forced: bool) {
        let at = Some(i);
        self.head(
            at,
            r.span.start,
            forced,
            &format!("rule {}: {} {}", r.id.node, r.verdict.node, r.action.node),
        );
        match &r.when {
            Some(w) => self.field(at, Slot::When, &breaks::long("when ", w, INDENT.len(), INDENT.len())),
            None => self.field(at, Slot::When, "when always"),
        }
        if !r.overrides.is_empty() {
            let ids: Vec<&str> = r.overrides.iter().map(|o| o.node.as_str()).collect();
            self.field(at, Slot::Overrides, &format!("overrides {}", ids.join(", ")));
        }
        if let Some(d) = &r.dose {
            self.field(at, Slot::Dose, &dose::line(d));
        }
        if let Some(d) = &r.detail {
            self.field(at, Slot::Detail, &format!("detail {}", quote(&d.node)));
        }
        for (j, w) in r.warnings.iter().enumerate() {
            let line = match &w.when {
                Some(e) => format!("warn {} when {}", quote(&w.text.node), expr(e)),
                None => format!("warn {}", quote(&w.text.node)),
            };
            self.field(at, Slot::Warn(j), &line);
        }
        if let Some(b) = &r.because {
            self.field(at, Slot::Because, &format!("because {}", quote(&b.node)));
        }
        if !r.cites.is_empty() {
            self.field(at, Slot::Cite, &format!("cite {}", list(&r.cites)));
        }
    }
}

/// A line ends once: with several end-of-line comments, all go before it.
fn split_trailing(mut leading: Vec<Comment>, trailing: Vec<Comment>) -> (Vec<Comment>, Option<Comment>) {
    if trailing.len() == 1 {
        (leading, trailing.into_iter().next())
    } else {
        leading.extend(trailing);
        (leading, None)
    }
}

fn reference(r: &Reference) -> String {
    let mut s = format!("reference {} {}", r.number.node, quote(&r.title.node));
    if let Some(src) = &r.source {
        let _ = write!(s, " source {}", quote(&src.node));
    }
    if let Some(y) = &r.year {
        let _ = write!(s, " year {}", y.node);
    }
    s
}

fn action(a: &ActionDecl) -> String {
    let urgent = if a.urgent { " urgent" } else { "" };
    let mut s = format!("action {} {}{urgent}", a.name.node, quote(&a.label.node));
    if !a.codes.is_empty() {
        let _ = write!(s, " coded {}", code_pieces(&a.codes).join(", "));
    }
    s
}

/// Codes between commas, a system written where it changes: `snomed
/// 71791006`, `rxnorm 5552`, `5553`.
fn code_pieces(codes: &[WrittenCode]) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut previous: Option<&str> = None;
    for c in codes {
        let mut piece = String::new();
        if previous != Some(c.system.node.as_str()) {
            let _ = write!(piece, "{} ", c.system.node);
        }
        piece.push_str(&c.code.node);
        previous = Some(&c.system.node);
        pieces.push(piece);
    }
    pieces
}

fn fact(f: &Fact) -> String {
    let ty = match &f.ty.node {
        FactType::Bool => "bool".to_string(),
        FactType::Date => "date".to_string(),
        FactType::Integer { min, max } => format!("integer{}", range(*min, *max)),
        FactType::Number { unit, min, max } => format!("number in {}{}", unit.node, range(*min, *max)),
        FactType::Enum(values) => {
            let vs: Vec<&str> = values.iter().map(|v| v.node.as_str()).collect();
            format!("one of {}", vs.join(", "))
        }
    };
    let mut s = format!("fact {}: {ty}", f.name.node);
    if let Some(m) = &f.molar_mass {
        let _ = write!(s, " molar mass {} {}", m.value.node, m.unit.node);
    }
    if let Some(d) = &f.description {
        let _ = write!(s, " {}", quote(&d.node));
    }
    if f.recorded {
        s.push_str(" recorded");
    }
    s
}

/// The longest line a fact and its binding share; a longer binding goes on
/// the next line, indented, where its codes read as a list.
const FACT_LINE: usize = 100;

fn binding_on_own_line(f: &Fact) -> bool {
    f.binding
        .as_ref()
        .is_some_and(|b| fact(f).chars().count() + 1 + binding(b).chars().count() > FACT_LINE)
}

/// `read from observation loinc 6690-2, 26464-8 within 48 h`: a system is
/// written where it changes, the options in a fixed order, on one line.
fn binding(b: &Binding) -> String {
    binding_pieces(b).join(", ")
}

/// A binding on its own line, its codes wrapped after a comma when the line
/// would pass [`FACT_LINE`], the rest indented under it (a system stays on
/// the line of its first code, which the grammar requires).
fn binding_lines(b: &Binding) -> String {
    let continued = format!("{INDENT}{INDENT}");
    let mut out = String::new();
    let mut line = String::new();
    let pieces = binding_pieces(b);
    let last = pieces.len().saturating_sub(1);
    for (i, piece) in pieces.into_iter().enumerate() {
        let comma = if i < last { "," } else { "" };
        let indent = if out.is_empty() { INDENT.len() } else { continued.len() };
        let fits = indent + line.chars().count() + 1 + piece.chars().count() + comma.len() <= FACT_LINE;
        if line.is_empty() {
            line = format!("{piece}{comma}");
        } else if fits {
            let _ = write!(line, " {piece}{comma}");
        } else {
            let _ = writeln!(out, "{line}");
            out.push_str(&continued);
            line = format!("{piece}{comma}");
        }
    }
    out.push_str(&line);
    out
}

/// The binding's parts between commas: `read from condition icd10 G12.21`,
/// `snomed 86044005 absent means false`.
fn binding_pieces(b: &Binding) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut previous: Option<&str> = None;
    for c in &b.codes {
        let mut piece = String::new();
        if previous != Some(c.system.node.as_str()) {
            let _ = write!(piece, "{} ", c.system.node);
        }
        piece.push_str(&c.code.node);
        previous = Some(&c.system.node);
        pieces.push(piece);
    }
    let head = format!("read from {}", b.kind.node.as_str());
    match pieces.first_mut() {
        Some(first) => *first = format!("{head} {first}"),
        None => pieces.push(head),
    }
    let mut options = String::new();
    if let Some(w) = &b.window {
        let _ = write!(options, " within {} {}", w.amount.node, w.unit.node);
    }
    if b.preliminary_allowed.is_some() {
        options.push_str(" preliminary allowed");
    }
    if b.absent_means_false.is_some() {
        options.push_str(" absent means false");
    }
    if let Some(last) = pieces.last_mut() {
        last.push_str(&options);
    }
    pieces
}

/// ` "Label"` after a score's or category's name, when one is written.
fn label(l: &Option<Spanned<String>>) -> String {
    l.as_ref().map(|l| format!(" {}", quote(&l.node))).unwrap_or_default()
}

fn range(min: Option<f64>, max: Option<f64>) -> String {
    let mut s = String::new();
    if let Some(a) = min {
        let _ = write!(s, " from {a}");
    }
    if let Some(b) = max {
        let _ = write!(s, " to {b}");
    }
    s
}

fn list(numbers: &[Spanned<u32>]) -> String {
    numbers
        .iter()
        .map(|n| n.node.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A quoted text that reads back as `s`: the parser resolves `\"`, `\\` and
/// `\n`, so those three are the only escapes written.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An expression on one line, parenthesised only where the parse would differ:
/// where an operand binds less tightly than its operator, by the one table
/// in [`crate::syntax::precedence`].
pub fn expr(e: &Expr) -> String {
    let mut s = String::new();
    write_expr(&mut s, &e.node);
    s
}

fn write_expr(s: &mut String, e: &ExprKind) {
    match e {
        ExprKind::Bool(b) => s.push_str(if *b { "true" } else { "false" }),
        ExprKind::Quantity { value, unit } => {
            let _ = write!(s, "{value}");
            if let Some(u) = unit {
                let _ = write!(s, " {u}");
            }
        }
        ExprKind::Name(n) => s.push_str(n),
        ExprKind::Not(x) => {
            s.push_str("not ");
            operand(s, &x.node, x.node.prec() < Prec::Not);
        }
        ExprKind::Neg(x) => {
            s.push('-');
            operand(s, &x.node, x.node.prec() < Prec::Neg);
        }
        ExprKind::Binary { op, lhs, rhs } => {
            let p = op.prec();
            operand(s, &lhs.node, lhs.node.prec() < p);
            let _ = write!(s, " {} ", op.as_str());
            // Left-associative: an equally strong right operand needs parentheses.
            operand(s, &rhs.node, rhs.node.prec() <= p);
        }
        ExprKind::Is {
            subject,
            value,
            negated,
        } => {
            postfix_subject(s, &subject.node);
            let _ = write!(s, " is {}{}", if *negated { "not " } else { "" }, value.node);
        }
        ExprKind::OneOf {
            subject,
            values,
            negated,
        } => {
            postfix_subject(s, &subject.node);
            let vs: Vec<&str> = values.iter().map(|v| v.node.as_str()).collect();
            let _ = write!(
                s,
                " is {}one of ({})",
                if *negated { "not " } else { "" },
                vs.join(", ")
            );
        }
        ExprKind::Known { subject, negated } => {
            postfix_subject(s, &subject.node);
            s.push_str(if *negated { " is not known" } else { " is known" });
        }
        ExprKind::AtLeast { n, items } => {
            let _ = write!(s, "at least {} of (", n.node);
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                write_expr(s, &item.node);
            }
            s.push(')');
        }
        ExprKind::Sqrt(x) => {
            s.push_str("sqrt(");
            write_expr(s, &x.node);
            s.push(')');
        }
        ExprKind::Today => s.push_str("today"),
        ExprKind::Change {
            subject,
            percent,
            rise,
            baseline,
        } => {
            postfix_subject(s, &subject.node);
            let way = if *rise { "above" } else { "below" };
            let _ = write!(s, " is at least {} % {way} {}", percent.node, baseline.node);
        }
        ExprKind::Paren(x) => {
            s.push('(');
            write_expr(s, &x.node);
            s.push(')');
        }
    }
}

fn postfix_subject(s: &mut String, subject: &ExprKind) {
    // Chained postfix forms read back the same either way; parentheses keep it plain.
    operand(s, subject, subject.prec() <= Prec::Is);
}

fn operand(s: &mut String, e: &ExprKind, parens: bool) {
    if parens {
        s.push('(');
        write_expr(s, e);
        s.push(')');
    } else {
        write_expr(s, e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(text: &str) -> String {
        format_source(&Source::new("t.gl", text)).expect("parses")
    }

    #[test]
    fn reorders_fields_and_merges_citations() {
        let src = "guideline g version 1.0.0 status draft\nfact a: bool\nreference 1 \"R\"\nrule r: recommend x cite 1 because \"why\" when a cite 1\n";
        let out = fmt(src);
        assert_eq!(
            out,
            "guideline g\n  version 1.0.0\n  status draft\n\nfact a: bool\n\nreference 1 \"R\"\n\nrule r: recommend x\n  when a\n  because \"why\"\n  cite 1, 1\n"
        );
    }

    #[test]
    fn keeps_the_parentheses_the_author_wrote() {
        let src = "guideline g\ndefine d: (a and (b or c)) or ((not a) and x < (y - (z - 1)))\n";
        let out = fmt(src);
        assert!(
            out.contains("define d: (a and (b or c)) or ((not a) and x < (y - (z - 1)))"),
            "{out}"
        );
        assert_eq!(fmt(&out), out);
    }

    #[test]
    fn comments_stay_with_what_follows_or_ends_their_line() {
        let src = "# top\n\nguideline g # id\n# before rule\nrule r: recommend x\n  # before when\n  when a and # inside\n  b\n# the end\n";
        let out = fmt(src);
        assert_eq!(
            out,
            "# top\n\nguideline g # id\n\n# before rule\nrule r: recommend x\n  # before when\n  when a and b # inside\n# the end\n"
        );
        assert_eq!(fmt(&out), out);
    }

    #[test]
    fn a_comment_after_an_item_ending_in_an_optional_part_stays_before_the_next() {
        // `reference` ends with an optional `year`; the parser's span of the
        // reference then runs over the comment that follows.
        let src = "guideline g
reference 1 \"R\"\n\n# section\nreference 2 \"S\"\nfact a: number in kg\n# facts\nfact b: bool\n";
        let out = fmt(src);
        assert_eq!(
            out,
            "guideline g\n\nreference 1 \"R\"\n\n# section\nreference 2 \"S\"\n\nfact a: number in kg\n# facts\nfact b: bool\n"
        );
    }
}
