//! Go to definition, find references and rename, for facts, definitions,
//! scores, categories (and their levels), enumeration values, rules, actions,
//! notes, invariants and references (citation numbers), over the
//! name-occurrence index of [`super::index`].
//!
//! A rename changes this file only. A fact's name is also the key of case
//! JSON and of case suite files, an enumeration value is a value of case
//! JSON, and a rule id is named in reports: those are left as they are.

use super::index::{Index, Kind};
use super::{Analysis, TextEdit};
use crate::diagnostics::Span;
use crate::syntax::is_reserved;

/// The index of a text that parses.
fn index(analysis: &Analysis) -> Option<Index> {
    analysis.file().map(|f| Index::build(f, analysis.text()))
}

/// Where the name at a byte offset is declared.
pub fn definition(analysis: &Analysis, offset: usize) -> Option<Span> {
    let ix = index(analysis)?;
    let (_, entry) = ix.at(offset)?;
    Some(ix.entries[entry].decl)
}

/// Every use of the name at a byte offset, with its declaration when asked.
pub fn references(analysis: &Analysis, offset: usize, include_declaration: bool) -> Vec<Span> {
    let Some(ix) = index(analysis) else {
        return Vec::new();
    };
    let Some((_, entry)) = ix.at(offset) else {
        return Vec::new();
    };
    let decl = ix.entries[entry].decl;
    ix.all_spans(entry)
        .into_iter()
        .filter(|s| include_declaration || *s != decl)
        .collect()
}

/// The span of the renamable name at a byte offset.
pub fn prepare_rename(analysis: &Analysis, offset: usize) -> Option<Span> {
    let ix = index(analysis)?;
    ix.at(offset).map(|(span, _)| span)
}

/// The edits that rename the name at a byte offset everywhere, or why not
/// (not a name, a new name that is not an identifier, a keyword, or taken).
pub fn rename(analysis: &Analysis, offset: usize, new_name: &str) -> Result<Vec<TextEdit>, String> {
    let ix = index(analysis).ok_or_else(|| "the file does not parse: correct it before renaming".to_string())?;
    let (_, entry) = ix
        .at(offset)
        .ok_or_else(|| "there is no declared name here to rename".to_string())?;
    let e = &ix.entries[entry];
    if new_name == e.name {
        return Ok(Vec::new());
    }
    if e.kind == Kind::Reference {
        let n: u32 = new_name
            .parse()
            .ok()
            .filter(|_| new_name.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| format!("`{new_name}` is not a reference number: write digits only"))?;
        if ix.reference_numbered(n).is_some() {
            return Err(format!("reference {n} is already declared"));
        }
    } else {
        check_identifier(e.kind, new_name)?;
        if ix.is_taken(new_name) {
            return Err(format!(
                "`{new_name}` is already declared in this file: choose another name"
            ));
        }
    }
    Ok(ix
        .all_spans(entry)
        .into_iter()
        .map(|span| TextEdit {
            span,
            new_text: new_name.to_string(),
        })
        .collect())
}

/// Whether `name` can stand where a thing of `kind` is named: a letter, then
/// letters, digits and `_` (ids of rules, notes and invariants may also use
/// `-`), and not a word of the language.
fn check_identifier(kind: Kind, name: &str) -> Result<(), String> {
    let hyphens = matches!(kind, Kind::Rule | Kind::Note | Kind::Invariant);
    let mut chars = name.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || (hyphens && c == '-'));
    if !starts_with_letter || !rest_ok {
        let allowed = if hyphens {
            "letters, digits, `_` and `-`"
        } else {
            "letters, digits and `_`"
        };
        return Err(format!(
            "`{name}` is not a name: start with a letter and use only {allowed}"
        ));
    }
    if is_reserved(name) {
        return Err(format!("`{name}` is a keyword of the language and cannot be a name"));
    }
    Ok(())
}
