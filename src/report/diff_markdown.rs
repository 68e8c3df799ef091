//! `guidelang diff OLD NEW --format markdown`: the comparison of
//! [`analysis::diff`](crate::analysis::diff) as a changelog for a review board,
//! meant to be committed beside the guideline.
//!
//! Everything here is wording: what changed, which decisions move and the
//! witnesses all come from the analysis, in its order (file order, then
//! removed items), so that the same two files always give the same bytes.

use serde_json::Value;

use super::diff_text::{article, outcome_name};
use super::document::invariant_claim;
use super::english::condition;
use super::markdown::{code, escape, inline};
use crate::analysis::diff::{Bump, Change, DecisionChange, Diff, ItemChange};
use crate::model::{Expr, Fact, FactKind, Guideline, OutcomeKind, Verdict};

/// The two versions, for looking names up in whichever declares them.
struct Pair<'g> {
    old: &'g Guideline,
    new: &'g Guideline,
}

/// Renders a diff as a Markdown changelog.
pub fn diff_markdown(old: &Guideline, new: &Guideline, d: &Diff) -> String {
    let p = Pair { old, new };
    let mut out = String::new();
    title(&mut out, &p);
    version(&mut out, &p, d);
    let mut listed = false;
    for change in Change::ALL {
        listed |= items_section(&mut out, &p, d, change);
    }
    if !listed {
        out.push_str("No item was added, removed or changed.\n\n");
    }
    decisions(&mut out, &p, d);
    if !d.not_compared.is_empty() {
        out.push_str("## Not compared\n\n");
        out.push_str("The analysis could not decide, for these actions, whether some patient's decision changes:\n\n");
        for n in &d.not_compared {
            out.push_str(&format!("- {}: {}\n", p.action(&n.action), escape(&n.reason)));
        }
        out.push('\n');
    }
    let end = out.trim_end().len();
    out.truncate(end);
    out.push('\n');
    out
}

fn title(out: &mut String, p: &Pair) {
    let (o, n) = (&p.old.meta, &p.new.meta);
    if o.id == n.id {
        out.push_str(&format!("# Changelog of `{}`: {} → {}\n\n", o.id, o.version, n.version));
    } else {
        out.push_str(&format!(
            "# Changelog: `{}` {} → `{}` {}\n\n",
            o.id, o.version, n.id, n.version
        ));
    }
    out.push_str(&format!("{}\n\n", super::markdown::line_start(&escape(&n.title))));
    out.push_str("| | Version | Content hash |\n|---|---|---|\n");
    out.push_str(&format!("| Before | {} | `{}` |\n", o.version, p.old.hash));
    out.push_str(&format!("| After | {} | `{}` |\n\n", n.version, p.new.hash));
}

fn version(out: &mut String, p: &Pair, d: &Diff) {
    let why = match d.implied {
        Bump::None => "nothing changed",
        Bump::Patch => "wording only, no patient's output changes",
        Bump::Minor => "some patient's output can change",
        Bump::Major => "case files valid before may now be rejected, or an action is no longer decided",
    };
    let (o, n) = (&p.old.meta.version, &p.new.meta.version);
    let actual = if d.downgrade {
        "a downgrade".to_string()
    } else {
        format!("{} bump", article(d.actual))
    };
    let verdict = if d.version_too_low() {
        format!(
            "**the version does not reflect the change** (it needs {} bump)",
            article(d.implied)
        )
    } else {
        "the version reflects the change".to_string()
    };
    out.push_str("## Version\n\n");
    out.push_str(&format!(
        "- The change implies **{} version bump** ({why}).\n",
        article(d.implied)
    ));
    out.push_str(&format!("- {o} → {n} is {actual}, so {verdict}.\n\n"));
}

/// The kinds of item, in the order the changelog lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    Header,
    Scope,
    Actions,
    Facts,
    Definitions,
    Rules,
    Notes,
    Invariants,
    References,
}

impl Section {
    fn heading(self) -> &'static str {
        match self {
            Section::Header => "Header",
            Section::Scope => "Scope",
            Section::Actions => "Actions",
            Section::Facts => "Facts",
            Section::Definitions => "Definitions",
            Section::Rules => "Rules",
            Section::Notes => "Notes",
            Section::Invariants => "Invariants",
            Section::References => "References",
        }
    }
}

/// The section of items with this change; false when there is none.
fn items_section(out: &mut String, p: &Pair, d: &Diff, change: Change) -> bool {
    let mut lines: Vec<(Section, String)> = Vec::new();
    let mut push = |section: Section, line: String| lines.push((section, line));
    let of =
        |list: &'_ [ItemChange]| -> Vec<ItemChange> { list.iter().filter(|c| c.change == change).cloned().collect() };
    for c in of(&d.actions) {
        push(Section::Actions, p.action_item(&c));
    }
    for c in of(&d.facts) {
        push(Section::Facts, p.fact_item(&c));
    }
    for c in of(&d.rules) {
        push(Section::Rules, p.rule_item(&c));
    }
    for c in of(&d.references) {
        push(Section::References, p.reference_item(&c));
    }
    for c in of(&d.other) {
        if c.name == "header" {
            for part in &c.parts {
                match part.as_str() {
                    // References are listed one by one under their own heading.
                    "references" => {}
                    "scope" => push(Section::Scope, p.scope_line()),
                    _ => push(Section::Header, p.header_line(part)),
                }
            }
        } else if let Some(name) = c.name.strip_prefix("define ") {
            push(Section::Definitions, p.definition_item(name, &c));
        } else if let Some(id) = c.name.strip_prefix("note ") {
            push(Section::Notes, p.note_item(id, &c));
        } else if let Some(id) = c.name.strip_prefix("invariant ") {
            push(Section::Invariants, p.invariant_item(id, &c));
        } else {
            push(Section::Header, format!("`{}` {}", c.name, c.change));
        }
    }
    if lines.is_empty() {
        return false;
    }
    // Stable: within a kind, the analysis's order is kept.
    lines.sort_by_key(|(k, _)| *k);
    let heading = match change {
        Change::Added => "Added",
        Change::Removed => "Removed",
        Change::Changed => "Changed",
    };
    out.push_str(&format!("## {heading}\n\n"));
    let mut current = None;
    for (k, line) in lines {
        if current != Some(k) {
            if current.is_some() {
                out.push('\n');
            }
            out.push_str(&format!("### {}\n\n", k.heading()));
            current = Some(k);
        }
        out.push_str(&format!("- {line}\n"));
    }
    out.push('\n');
    true
}

fn words(g: &Guideline, e: Option<&Expr>) -> String {
    match e {
        Some(e) => inline(&condition(g, e)),
        None => "always".into(),
    }
}

fn quoted(s: &str) -> String {
    format!("“{}”", escape(s))
}

impl Pair<'_> {
    /// The guideline that declares a removed item (the old one) or any other (the new one).
    fn side(&self, change: Change) -> &Guideline {
        if change == Change::Removed {
            self.old
        } else {
            self.new
        }
    }

    /// An action by its label and id, as the new version declares it (the old
    /// one when it is gone); a file that declares no action has only ids.
    fn action(&self, name: &str) -> String {
        let g = if self.new.action_id(name).is_some() {
            self.new
        } else {
            self.old
        };
        match g.action_id(name).map(|a| g.action(a)) {
            Some(a) => action_words(&a.label, &a.name, a.urgent),
            None => code(name),
        }
    }

    fn action_item(&self, c: &ItemChange) -> String {
        let g = self.side(c.change);
        let Some(a) = g.action_id(&c.name).map(|a| g.action(a)) else {
            return code(&c.name);
        };
        let mut line = action_words(&a.label, &a.name, a.urgent);
        if c.change == Change::Changed {
            let old = self.old.action_id(&c.name).map(|o| self.old.action(o));
            let mut parts = Vec::new();
            if let Some(o) = old {
                if c.parts.iter().any(|p| p == "label") {
                    parts.push(format!("label {} → {}", quoted(&o.label), quoted(&a.label)));
                }
                if c.parts.iter().any(|p| p == "urgent") {
                    let u = |b: bool| if b { "urgent" } else { "not urgent" };
                    parts.push(format!("{} → {}", u(o.urgent), u(a.urgent)));
                }
            }
            line.push_str(&format!(": {}", parts.join("; ")));
        }
        line
    }

    fn fact_item(&self, c: &ItemChange) -> String {
        let g = self.side(c.change);
        let Some(f) = g.fact_id(&c.name).map(|f| g.fact(f)) else {
            return code(&c.name);
        };
        let mut line = format!("{}: {}", code(&f.name), escape(&f.kind.expected()));
        if c.change != Change::Changed {
            if let Some(desc) = &f.description {
                line.push_str(&format!(" — {}", escape(desc)));
            }
            return line;
        }
        let Some(o) = self.old.fact_id(&c.name).map(|o| self.old.fact(o)) else {
            return line;
        };
        let mut parts = Vec::new();
        if o.kind != f.kind {
            parts.push(format!(
                "values {} → {}",
                escape(&o.kind.expected()),
                escape(&f.kind.expected())
            ));
        }
        if o.description != f.description {
            let d = |x: &Option<String>| x.as_deref().map_or_else(|| "none".to_string(), quoted);
            parts.push(format!("description {} → {}", d(&o.description), d(&f.description)));
        }
        format!("{}: {}", code(&f.name), parts.join("; "))
    }

    fn rule_item(&self, c: &ItemChange) -> String {
        let g = self.side(c.change);
        let Some(r) = g.rule_id(&c.name).map(|r| g.rule(r)) else {
            return code(&c.name);
        };
        let action = g.action(r.action);
        let on = action_words(&action.label, &action.name, action.urgent);
        if c.change != Change::Changed {
            return format!(
                "{}: **{}** {on} when {}",
                code(&r.id),
                r.verdict,
                words(g, r.when.as_ref())
            );
        }
        let head = format!("{} on {on}", code(&r.id));
        let Some(o) = self.old.rule_id(&c.name).map(|o| self.old.rule(o)) else {
            return head;
        };
        let parts: Vec<String> = c
            .parts
            .iter()
            .map(|part| match part.as_str() {
                "verdict" => format!("verdict **{}** → **{}**", o.verdict, r.verdict),
                "action" => {
                    let oa = self.old.action(o.action);
                    format!(
                        "action {} → {}",
                        action_words(&oa.label, &oa.name, oa.urgent),
                        action_words(&action.label, &action.name, action.urgent)
                    )
                }
                "condition" => format!(
                    "condition: {} → {}",
                    words(self.old, o.when.as_ref()),
                    words(self.new, r.when.as_ref())
                ),
                other => format!("{other} changed"),
            })
            .collect();
        format!("{head}: {}", parts.join("; "))
    }

    fn reference_item(&self, c: &ItemChange) -> String {
        let g = self.side(c.change);
        let number: u32 = c.name.parse().unwrap_or(0);
        let Some(r) = g.references.iter().find(|r| r.number == number) else {
            return format!("\\[{}\\]", c.name);
        };
        let mut line = format!("\\[{}\\] {}", r.number, escape(&r.title));
        if let Some(s) = &r.source {
            line.push_str(&format!(". {}", escape(s)));
        }
        if let Some(y) = r.year {
            line.push_str(&format!(", {y}"));
        }
        if c.change == Change::Changed {
            line.push_str(&format!(" ({} changed)", c.parts.join(", ")));
        }
        line
    }

    fn scope_line(&self) -> String {
        let scope = |g: &Guideline| match &g.scope {
            Some(s) => format!("patients with {}", inline(&condition(g, s))),
            None => "every patient".into(),
        };
        format!("Applies to: {} → {}", scope(self.old), scope(self.new))
    }

    fn header_line(&self, part: &str) -> String {
        let value = |g: &Guideline| match part {
            "title" => quoted(&g.meta.title),
            "status" => g.meta.status.to_string(),
            "reviewers" if g.meta.reviewers.is_empty() => "none".into(),
            "reviewers" => escape(&g.meta.reviewers.join(", ")),
            "updated" => g.meta.updated.clone().unwrap_or_else(|| "not given".into()),
            _ => String::new(),
        };
        let name = match part {
            "title" => "Title",
            "status" => "Status",
            "reviewers" => "Reviewed by",
            "updated" => "Updated",
            other => other,
        };
        format!("{name}: {} → {}", value(self.old), value(self.new))
    }

    fn definition_item(&self, name: &str, c: &ItemChange) -> String {
        let find = |g: &'_ Guideline| g.definitions.iter().position(|d| d.name == name);
        let g = self.side(c.change);
        let head = format!("*{}* {}", escape(&name.replace('_', " ")), code(name));
        match c.change {
            Change::Changed => {
                let body =
                    |g: &Guideline| find(g).map_or_else(String::new, |i| inline(&condition(g, &g.definitions[i].body)));
                let parts: Vec<String> = c
                    .parts
                    .iter()
                    .map(|part| match part.as_str() {
                        "body" => format!("means {} → {}", body(self.old), body(self.new)),
                        other => format!("{other} changed"),
                    })
                    .collect();
                format!("{head}: {}", parts.join("; "))
            }
            _ => match find(g) {
                Some(i) => format!("{head}: means {}", inline(&condition(g, &g.definitions[i].body))),
                None => head,
            },
        }
    }

    fn note_item(&self, id: &str, c: &ItemChange) -> String {
        let find = |g: &Guideline| g.notes.iter().position(|n| n.id == id);
        let g = self.side(c.change);
        let head = format!("note {}", code(id));
        match c.change {
            Change::Changed => {
                let note = |g: &Guideline| find(g).map(|i| g.notes[i].clone());
                let (Some(o), Some(n)) = (note(self.old), note(self.new)) else {
                    return head;
                };
                let parts: Vec<String> = c
                    .parts
                    .iter()
                    .map(|part| match part.as_str() {
                        "condition" => format!(
                            "shown when: {} → {}",
                            words(self.old, o.when.as_ref()),
                            words(self.new, n.when.as_ref())
                        ),
                        "text" => format!("text {} → {}", quoted(&o.text), quoted(&n.text)),
                        "citations" => format!("references {:?} → {:?}", o.cites, n.cites),
                        other => format!("{other} changed"),
                    })
                    .collect();
                format!("{head}: {}", parts.join("; "))
            }
            _ => match find(g) {
                Some(i) => format!(
                    "{head}: {}, shown when {}",
                    quoted(&g.notes[i].text),
                    words(g, g.notes[i].when.as_ref())
                ),
                None => head,
            },
        }
    }

    fn invariant_item(&self, id: &str, c: &ItemChange) -> String {
        let claim = |g: &Guideline| {
            g.invariants
                .iter()
                .find(|i| i.id == id)
                .map(|i| inline(&invariant_claim(g, i)))
        };
        let head = format!("invariant {}", code(id));
        match c.change {
            Change::Changed => {
                let parts: Vec<String> = c
                    .parts
                    .iter()
                    .map(|part| match part.as_str() {
                        "claim" => format!(
                            "claim: {} → {}",
                            claim(self.old).unwrap_or_default(),
                            claim(self.new).unwrap_or_default()
                        ),
                        other => format!("{other} changed"),
                    })
                    .collect();
                format!("{head}: {}", parts.join("; "))
            }
            change => match claim(self.side(change)) {
                Some(words) => format!("{head}: {words}"),
                None => head,
            },
        }
    }

    /// The fact as the new version declares it, else as the old one does, and
    /// which versions declare it.
    fn fact(&self, name: &str) -> Option<(&Fact, Option<&Guideline>)> {
        let in_new = self.new.fact_id(name).map(|f| self.new.fact(f));
        let in_old = self.old.fact_id(name).map(|f| self.old.fact(f));
        match (in_new, in_old) {
            (Some(f), Some(_)) => Some((f, None)),
            (Some(f), None) => Some((f, Some(self.new))),
            (None, Some(f)) => Some((f, Some(self.old))),
            (None, None) => None,
        }
    }
}

/// "**Hydroxyurea** `hydroxyurea` (urgent)"; only the id when the label is the id.
fn action_words(label: &str, name: &str, urgent: bool) -> String {
    let mut s = if label == name {
        code(name)
    } else {
        format!("**{}** {}", escape(label), code(name))
    };
    if urgent {
        s.push_str(" (urgent)");
    }
    s
}

/// An outcome of the analysis in words.
fn outcome_words(kind: OutcomeKind) -> &'static str {
    match kind {
        OutcomeKind::Verdict(Verdict::Recommend) => "recommended",
        OutcomeKind::Verdict(Verdict::Consider) => "considered",
        OutcomeKind::Verdict(Verdict::Avoid) => "avoided",
        OutcomeKind::Verdict(Verdict::Contraindicated) => "contraindicated",
        OutcomeKind::NoVerdict => "no recommendation",
        OutcomeKind::Conflict => "a conflict between rules (no verdict)",
    }
}

fn decisions(out: &mut String, p: &Pair, d: &Diff) {
    out.push_str("## Decisions that change\n\n");
    if d.decisions.is_empty() {
        if d.not_compared.is_empty() {
            out.push_str(
                "No decision changes for any patient: the analysis proves it over every case both versions accept.\n\n",
            );
        } else {
            out.push_str("No decision changes for any patient among the actions compared (see *Not compared*).\n\n");
        }
        return;
    }
    out.push_str(&format!(
        "For each action below, some patient gets a different decision from version {} than from version {}. \
         Each change comes with a witness patient, found by the analysis and checked with the evaluator of each version. \
         The table gives the facts the action's rules and the scope read; the full case follows, to replay with \
         `guidelang eval` (give each version the facts it declares).\n\n",
        p.new.meta.version, p.old.meta.version
    ));
    // One subsection per action, in the analysis's order of first appearance.
    let mut actions: Vec<&str> = Vec::new();
    for c in &d.decisions {
        if !actions.contains(&c.action.as_str()) {
            actions.push(&c.action);
        }
    }
    for action in actions {
        out.push_str(&format!("### {}\n\n", p.action(action)));
        for c in d.decisions.iter().filter(|c| c.action == action) {
            change(out, p, c);
        }
    }
}

fn change(out: &mut String, p: &Pair, c: &DecisionChange) {
    let label = p
        .new
        .action_id(&c.action)
        .map(|a| p.new.action(a).label.clone())
        .or_else(|| p.old.action_id(&c.action).map(|a| p.old.action(a).label.clone()))
        .unwrap_or_else(|| c.action.clone());
    out.push_str(&format!(
        "#### {} → {}\n\n",
        outcome_name(c.before),
        outcome_name(c.after)
    ));
    out.push_str(&format!(
        "For a patient like this, {} goes from *{}* (version {}) to *{}* (version {}).\n\n",
        escape(&label),
        outcome_words(c.before),
        p.old.meta.version,
        outcome_words(c.after),
        p.new.meta.version
    ));
    out.push_str("| Fact | Value | Description |\n|---|---|---|\n");
    // Rows in the order the facts are declared (new version first), so that
    // every witness of a changelog reads the same way.
    let position = |name: &str| {
        p.new
            .fact_id(name)
            .map(|f| f.index())
            .or_else(|| p.old.fact_id(name).map(|f| p.new.facts.len() + f.index()))
            .unwrap_or(usize::MAX)
    };
    let mut names: Vec<&String> = c.facts.iter().collect();
    names.sort_by_key(|n| position(n));
    for name in names {
        let Some(value) = c.witness.get(name) else { continue };
        let (value, description) = match p.fact(name) {
            Some((f, only)) => {
                let mut desc = escape(f.description.as_deref().unwrap_or(""));
                if let Some(g) = only {
                    if !desc.is_empty() {
                        desc.push(' ');
                    }
                    desc.push_str(&format!("(declared only by version {})", g.meta.version));
                }
                (value_words(f, value), desc)
            }
            None => (escape(&value.to_string()), String::new()),
        };
        out.push_str(&format!("| {} | {value} | {description} |\n", code(name)));
    }
    out.push_str(&format!("\nFull witness case: {}\n\n", code(&c.witness.to_string())));
}

/// A witness value with its unit. Numbers are written exactly as the witness
/// gives them: a value just above a threshold must not be rounded onto it.
fn value_words(f: &Fact, v: &Value) -> String {
    match (v, &f.kind) {
        (Value::Bool(true), _) => "yes".into(),
        (Value::Bool(false), _) => "no".into(),
        (Value::String(s), _) => code(s),
        (Value::Number(n), FactKind::Number { unit, .. }) if !unit.is_one() => {
            let unit = unit.to_string();
            // A scale unit reads as a product: 101 × 10^9/L.
            let times = if unit.starts_with(|c: char| c.is_ascii_digit()) {
                "× "
            } else {
                ""
            };
            format!("{n} {times}{}", escape(&unit))
        }
        (other, _) => escape(&other.to_string()),
    }
}
