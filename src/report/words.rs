//! Words for the clinician's report: facts and derived notions named by what
//! the guideline's authors wrote about them (never by a bare identifier where
//! a description exists), values as a clinician reads them, and what an
//! undecided action could still become.

use super::english::humanize;
use super::fmt_num;
use crate::facts::Value;
use crate::model::Verdict;
use crate::model::{DefId, FactId, FactKind, Guideline, Type};
use crate::units::Unit;

/// A description without its closing full stop.
fn trimmed(desc: &str) -> &str {
    desc.trim().trim_end_matches('.').trim_end()
}

/// The naming part of a description: what comes before its first gloss
/// (" (", ": ", ", ", ". ", "; "). Splitting on a bare '.' would cut
/// "0.5 × 10^9/L" in two.
fn head(desc: &str) -> &str {
    let desc = trimmed(desc);
    let end = [" (", ": ", ", ", ". ", "; "]
        .iter()
        .filter_map(|sep| desc.find(sep))
        .min()
        .unwrap_or(desc.len());
    desc[..end].trim()
}

/// Lower-cases the first letter unless the word is an acronym ("ECOG", "PML-RARA").
pub fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(_), Some(b)) if b.is_uppercase() || b == '-' => s.to_string(),
        (Some(a), _) => a.to_lowercase().chain(s.chars().skip(1)).collect(),
        _ => String::new(),
    }
}

/// Upper-cases the first letter, to start a line.
pub fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(a) => a.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A description's first sentence up to any colon: a colon or a second
/// sentence starts a gloss, which would blur "name: value" lines.
fn noun_phrase(desc: &str) -> &str {
    let desc = trimmed(desc);
    let end = [": ", ". "]
        .iter()
        .filter_map(|sep| desc.find(sep))
        .min()
        .unwrap_or(desc.len());
    desc[..end].trim()
}

/// A fact as its description names it, for asking for it and listing it:
/// "PML-RARA result (genetic confirmation of APL)". The name in words when the
/// file gives no description.
pub fn fact_noun(g: &Guideline, f: FactId) -> String {
    let fact = g.fact(f);
    match fact.description.as_deref().map(noun_phrase) {
        Some(d) if !d.is_empty() => lower_first(d),
        _ => humanize(&fact.name),
    }
}

/// A fact's short name, for the reasons in parentheses: "PML-RARA result".
pub fn fact_short(g: &Guideline, f: FactId) -> String {
    let fact = g.fact(f);
    match fact.description.as_deref().map(head) {
        Some(h) if !h.is_empty() && h.split_whitespace().count() <= 10 => lower_first(h),
        _ => humanize(&fact.name),
    }
}

/// A derived notion's name as a clinician reads it: the head of its
/// description when short ("APL excluded"), else its name in words.
pub fn definition_label(g: &Guideline, d: DefId) -> String {
    let def = &g.definitions[d.index()];
    match def.description.as_deref().map(head) {
        Some(h) if !h.is_empty() && h.split_whitespace().count() <= 10 => lower_first(h),
        _ => humanize(&def.name),
    }
}

/// A number with its unit: "150 × 10^9/L", "70 kg", "45 %"; bare when unitless.
pub fn quantity(x: f64, unit: Option<&Unit>) -> String {
    match unit.filter(|u| !u.is_one()).map(Unit::to_string) {
        // A scale unit reads as a multiplier.
        Some(u) if u.starts_with(|c: char| c.is_ascii_digit()) => format!("{} × {u}", fmt_num(x)),
        Some(u) => format!("{} {u}", fmt_num(x)),
        None => fmt_num(x),
    }
}

/// A fact's value in words: "yes", "pending", "150 × 10^9/L".
pub fn fact_value(g: &Guideline, f: FactId, value: Value) -> String {
    match (value, &g.fact(f).kind) {
        (Value::Bool(b), _) => yes_no(b).into(),
        (Value::Num(x), FactKind::Number { unit, .. }) => quantity(x, Some(unit)),
        (Value::Num(x), FactKind::Date) => crate::time::format_day(x),
        (Value::Num(x), _) => fmt_num(x),
        (Value::Enum(i), FactKind::Enum { values }) => values
            .get(i as usize)
            .map_or_else(|| format!("value {i}"), |v| humanize(v)),
        (Value::Enum(i), _) => format!("value {i}"),
    }
}

/// The unit a numeric definition is declared in, if any.
pub fn definition_unit(g: &Guideline, d: DefId) -> Option<&Unit> {
    match &g.definitions[d.index()].ty {
        Type::Num(u) => u.as_ref(),
        _ => None,
    }
}

/// "yes" or "no".
pub fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// "a", "a and b", "a, b and c".
pub fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// What to record to decide: "record the white blood cell count and whether
/// the patient has pre-existing amyotrophic lateral sclerosis (ALS)".
pub fn record_phrase(g: &Guideline, facts: &[FactId]) -> String {
    let items: Vec<String> = facts.iter().map(|&f| to_record(g, f)).collect();
    format!("record {}", join_and(&items))
}

/// One fact to record: a yes/no fact is asked as a question about the patient.
pub(super) fn to_record(g: &Guideline, f: FactId) -> String {
    let noun = fact_noun(g, f);
    match g.fact(f).kind {
        FactKind::Bool => format!("whether the patient has {noun}"),
        _ if starts_with_article(&noun) => noun,
        _ => format!("the {noun}"),
    }
}

fn starts_with_article(s: &str) -> bool {
    let l = s.to_lowercase();
    ["the ", "a ", "an ", "whether "].iter().any(|a| l.starts_with(a))
}

/// A verdict as what happens to the action: "recommended", "avoided".
pub fn verdict_done(v: Verdict) -> &'static str {
    match v {
        Verdict::Recommend => "recommended",
        Verdict::Consider => "considered",
        Verdict::Avoid => "avoided",
        Verdict::Contraindicated => "contraindicated",
    }
}

/// What an undecided action could still become, in plain words:
/// "could be considered, avoided or contraindicated", or, when no verdict at
/// all is among the possibilities, "may need no action, or be recommended".
pub fn could_become(possible: &[Option<Verdict>]) -> String {
    let verdicts: Vec<String> = possible
        .iter()
        .flatten()
        .map(|v| verdict_done(*v).to_string())
        .collect();
    let none = possible.iter().any(Option::is_none);
    match (none, verdicts.is_empty()) {
        (true, true) => "may need no action".into(),
        (true, false) => format!("may need no action, or be {}", join_or(&verdicts)),
        (false, _) => format!("could be {}", join_or(&verdicts)),
    }
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn possibilities_read_as_plain_words() {
        use Verdict::*;
        assert_eq!(
            could_become(&[Some(Consider), Some(Avoid), Some(Contraindicated)]),
            "could be considered, avoided or contraindicated"
        );
        assert_eq!(
            could_become(&[None, Some(Recommend)]),
            "may need no action, or be recommended"
        );
        assert_eq!(could_become(&[Some(Avoid), None]), "may need no action, or be avoided");
    }

    #[test]
    fn heads_keep_decimals_and_acronyms() {
        assert_eq!(
            head("Neutrophils below 0.5 × 10^9/L."),
            "Neutrophils below 0.5 × 10^9/L"
        );
        assert_eq!(head("PML-RARA result (genetic confirmation of APL)"), "PML-RARA result");
        assert_eq!(lower_first("PML-RARA result"), "PML-RARA result");
        assert_eq!(lower_first("White blood cell count"), "white blood cell count");
        assert_eq!(quantity(150.0, Unit::parse("10^9/L").ok().as_ref()), "150 × 10^9/L");
    }
}
