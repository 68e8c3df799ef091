//! Completion: facts and definitions in conditions, declared values after
//! `is` / `is one of`, units, rule ids after `overrides`, verdicts, actions,
//! reference numbers after `cite`.
//!
//! The text being typed rarely parses, so the place is read from the words
//! before the cursor (see [`context`]), and the names offered come from the
//! syntax tree of the text when it parses, else of `last_good`, plus any
//! declaration the text itself shows (a fact typed a moment ago). Inside a
//! comment or a quoted text nothing is offered.

mod context;
mod names;

use super::Analysis;
use context::Place;
use names::Names;

/// What kind of thing a completion inserts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum CompletionKind {
    /// A fact.
    Fact,
    /// A definition, score or category.
    Definition,
    /// A declared value of an enumeration or a category level.
    Value,
    /// A unit.
    Unit,
    /// A rule id.
    Rule,
    /// An action.
    Action,
    /// A verdict or another keyword.
    Keyword,
    /// A reference number.
    Reference,
}

/// One completion.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Completion {
    /// What the menu shows and what is inserted.
    pub label: String,
    /// Its kind.
    pub kind: CompletionKind,
    /// A one-line detail (type and unit, a label).
    pub detail: Option<String>,
}

fn item(label: &str, kind: CompletionKind, detail: Option<String>) -> Completion {
    Completion {
        label: label.to_string(),
        kind,
        detail,
    }
}

fn keywords(words: &[&str]) -> Vec<Completion> {
    words.iter().map(|w| item(w, CompletionKind::Keyword, None)).collect()
}

/// The completions at a byte offset. Works on a text that does not parse
/// (the usual state while typing), from the words before the cursor and the
/// names of `last_good` (the last analysis whose text parsed), if given.
pub fn completions(analysis: &Analysis, offset: usize, last_good: Option<&Analysis>) -> Vec<Completion> {
    let text = analysis.text();
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let Some(place) = context::place(&text[..offset]) else {
        return Vec::new();
    };
    let source = if analysis.file().is_some() {
        Some(analysis)
    } else {
        last_good
    };
    let names = Names::gather(source, text);
    let mut out: Vec<Completion> = match place {
        Place::Condition { after_when_of } => {
            let mut v = names.values();
            if after_when_of {
                v.extend(keywords(&["always"]));
            }
            v.extend(keywords(&["not", "at least", "today", "sqrt"]));
            v
        }
        Place::Values { subject, after_is } => {
            let mut v = names.members(&subject);
            if after_is {
                v.extend(keywords(&["not", "one of", "known", "at least"]));
            }
            v
        }
        Place::Units { compared_with } => names.units(compared_with.as_deref()),
        Place::DoseUnits => names.dose_units(),
        Place::Overrides { rule, action } => names.rules(rule.as_deref(), action.as_deref()),
        Place::Cite => names.references(),
        Place::Verdicts => keywords(&["recommend", "consider", "avoid", "contraindicated"]),
        Place::Actions { more_verdicts } => {
            let mut v = names.actions();
            if more_verdicts {
                v.extend(keywords(&["or"]));
            }
            v
        }
    };
    // One entry per label and kind (a unit both written and catalogued).
    let mut unique: Vec<Completion> = Vec::with_capacity(out.len());
    for c in out.drain(..) {
        if !unique.iter().any(|u| u.label == c.label && u.kind == c.kind) {
            unique.push(c);
        }
    }
    unique
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(text: &str) -> Vec<String> {
        let a = Analysis::new("t.gl", text);
        completions(&a, text.len(), None).into_iter().map(|c| c.label).collect()
    }

    const HEAD: &str = "guideline t\n  version 1.0.0\n  status draft\n\
        reference 1 \"One\"\nreference 2 \"Two\"\n\
        action a \"A\"\naction b \"B\" urgent\n\
        fact wbc: number in 10^9/L from 0 \"White count\"\n\
        fact kind: one of myeloid, lymphoid \"Kind\"\n\
        define high: wbc > 100\n\
        rule r1: recommend a\n  when high\n";

    #[test]
    fn after_cite_only_reference_numbers() {
        let got = labels(&format!("{HEAD}  cite "));
        assert_eq!(got, ["1", "2"]);
        let got = labels(&format!("{HEAD}  cite 1, "));
        assert_eq!(got, ["1", "2"]);
    }

    #[test]
    fn inside_a_comment_or_a_string_nothing() {
        assert!(labels(&format!("{HEAD}  # when ")).is_empty());
        assert!(labels(&format!("{HEAD}  detail \"when ")).is_empty());
    }

    #[test]
    fn values_after_is_of_the_subject() {
        let got = labels(&format!("{HEAD}rule r2: avoid b\n  when kind is "));
        assert_eq!(&got[..2], ["myeloid", "lymphoid"]);
        let got = labels(&format!("{HEAD}rule r2: avoid b\n  when kind is not one of (myeloid, "));
        assert_eq!(got, ["myeloid", "lymphoid"]);
    }
}
