//! Case input: a JSON object of facts, validated against the guideline's
//! declarations before anything is evaluated. A misspelt key, a wrong type or
//! an impossible value is an error, never an "unknown".

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};

use crate::diagnostics::{did_you_mean, Problem};
use crate::model::{quoted_list, FactId, FactKind, Guideline};

mod typed;
pub use typed::CaseReader;

/// Deepest JSON nesting accepted in a case (a case is flat; this only bounds hostile input).
pub const MAX_CASE_DEPTH: usize = 32;
/// Largest case accepted, in bytes.
pub const MAX_CASE_BYTES: usize = 1024 * 1024;
/// Most problems listed for one case; the rest are counted in a last one.
pub const MAX_CASE_ERRORS: usize = 100;

/// A fact's value. Enum values are stored as their index in the declaration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    /// A boolean.
    Bool(bool),
    /// A number (integers too).
    Num(f64),
    /// An enum value's index.
    Enum(u8),
}

/// A validated case: one optional value per declared fact, by slot.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    values: Vec<Option<Value>>,
    /// The evaluation date (`today`), as a day number; `None` until given.
    as_of: Option<f64>,
}

/// The case key that carries the evaluation date (`"as_of": "2026-12-01"`),
/// so that a case, a suite entry or a witness patient replays on the day it
/// was meant for. No fact may take this name.
pub const AS_OF_KEY: &str = "as_of";

impl Case {
    /// A case where every fact of `g` is unknown.
    pub fn empty(g: &Guideline) -> Case {
        Case {
            values: vec![None; g.facts.len()],
            as_of: None,
        }
    }

    /// Makes this case one where every fact of `g` is unknown, keeping its
    /// buffer (a batch reuses one case for every record).
    pub fn reset(&mut self, g: &Guideline) {
        self.values.clear();
        self.values.resize(g.facts.len(), None);
        self.as_of = None;
    }

    /// Makes this case the one whose facts are `values`, one per fact of
    /// the guideline in [`FactId`] order (`None` unknown), without an
    /// evaluation date: one copy, for a reader that lays out whole cases
    /// itself (a cohort's columns). Values must suit their facts, as for
    /// [`Case::set`].
    pub fn refill(&mut self, values: &[Option<Value>]) {
        self.values.clear();
        self.values.extend_from_slice(values);
        self.as_of = None;
    }

    /// The evaluation date as a day number (see [`crate::time`]), if given.
    #[inline]
    pub fn as_of(&self) -> Option<f64> {
        self.as_of
    }

    /// Sets the evaluation date. A date fact after it is in the future, and
    /// so invalid input: every such fact is reported and the date is not set.
    pub fn set_as_of(&mut self, g: &Guideline, day: f64) -> Result<(), Vec<CaseError>> {
        let errors = future_dates(g, self, day);
        if errors.is_empty() {
            self.as_of = Some(day);
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Sets the evaluation date unless the case gives its own (the case's
    /// date is the one it was recorded for).
    pub fn default_as_of(&mut self, g: &Guideline, day: f64) -> Result<(), Vec<CaseError>> {
        match self.as_of {
            Some(_) => Ok(()),
            None => self.set_as_of(g, day),
        }
    }

    /// The value of a fact, `None` when unknown.
    #[inline]
    pub fn get(&self, id: FactId) -> Option<Value> {
        self.values.get(id.index()).copied().flatten()
    }

    /// Sets (or clears) a fact. The value must suit the fact's declaration;
    /// use [`validate`] for input from outside.
    pub fn set(&mut self, id: FactId, value: Option<Value>) {
        if let Some(slot) = self.values.get_mut(id.index()) {
            *slot = value;
        }
    }

    /// Number of fact slots.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when the guideline declares no facts.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The case as a JSON object with the facts that are known.
    pub fn to_json(&self, g: &Guideline) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        for (i, v) in self.values.iter().enumerate() {
            let Some(v) = v else { continue };
            let fact = &g.facts[i];
            let json = match (v, &fact.kind) {
                (Value::Bool(b), _) => serde_json::Value::Bool(*b),
                (Value::Num(n), FactKind::Integer { .. }) => serde_json::Value::from(*n as i64),
                (Value::Num(n), FactKind::Date) => serde_json::Value::String(crate::time::format_day(*n)),
                (Value::Num(n), _) => {
                    serde_json::Number::from_f64(*n).map_or(serde_json::Value::Null, serde_json::Value::Number)
                }
                (Value::Enum(e), FactKind::Enum { values }) => serde_json::Value::String(values[*e as usize].clone()),
                (Value::Enum(_), _) => serde_json::Value::Null,
            };
            map.insert(fact.name.clone(), json);
        }
        if let Some(day) = self.as_of {
            map.insert(
                AS_OF_KEY.to_string(),
                serde_json::Value::String(crate::time::format_day(day)),
            );
        }
        serde_json::Value::Object(map)
    }
}

/// One fact's value as a case writes it: a number, true/false, the enum
/// value's name, a date `"YYYY-MM-DD"`.
pub fn value_json(g: &Guideline, id: FactId, v: Value) -> serde_json::Value {
    match (v, &g.fact(id).kind) {
        (Value::Bool(b), _) => serde_json::Value::Bool(b),
        (Value::Num(n), FactKind::Integer { .. }) => serde_json::Value::from(n as i64),
        (Value::Num(n), FactKind::Date) => serde_json::Value::String(crate::time::format_day(n)),
        (Value::Num(n), _) => {
            serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
        }
        (Value::Enum(e), FactKind::Enum { values }) => values
            .get(e as usize)
            .map_or(serde_json::Value::Null, |s| serde_json::Value::String(s.clone())),
        (Value::Enum(_), _) => serde_json::Value::Null,
    }
}

/// One thing wrong with a case.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseError {
    /// The key at fault, if the problem is with one key.
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub help: String,
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl CaseError {
    fn new(key: Option<&str>, message: impl Into<String>, help: impl Into<String>) -> Self {
        CaseError {
            key: key.map(str::to_string),
            message: message.into(),
            help: help.into(),
        }
    }

    /// As a diagnostic, with `origin` (the case file's name) in the message.
    pub fn to_problem(&self, origin: &str) -> Problem {
        Problem::error("guidelang::case::invalid", format!("{origin}: {}", self.message)).with_help(self.help.clone())
    }
}

/// The JSON object's entries in order, duplicates kept, so that a key given
/// twice is reported instead of silently keeping the last value.
struct Entries(Vec<(String, serde_json::Value)>);

/// Reads [`Entries`] while remembering whose value is being read, so that a
/// value JSON cannot hold (`1e999`, `NaN`) is reported against its key.
struct EntriesSeed<'a> {
    current: &'a mut Option<String>,
}

impl<'de> DeserializeSeed<'de> for EntriesSeed<'_> {
    type Value = Entries;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Entries, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EntriesSeed<'_> {
    type Value = Entries;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object of facts")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
        let mut out = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            *self.current = Some(key.clone());
            let value = map.next_value::<serde_json::Value>()?;
            *self.current = None;
            out.push((key, value));
        }
        Ok(Entries(out))
    }
}

/// Parses and validates a case given as JSON text. Reports every problem found.
///
/// Reads through a [`CaseReader`]; a caller reading many cases of one
/// guideline should keep one and use [`CaseReader::read_into`].
pub fn parse_case(g: &Guideline, text: &str) -> Result<Case, Vec<CaseError>> {
    CaseReader::new(g).read(text)
}

/// The reference reader: the JSON parsed into entries, then validated. It
/// words every refusal of [`parse_case`] (the typed reader hands it whatever
/// it does not accept), and the tests hold the typed reader to it.
#[doc(hidden)]
pub fn parse_case_reference(g: &Guideline, text: &str) -> Result<Case, Vec<CaseError>> {
    if text.len() > MAX_CASE_BYTES {
        return Err(vec![CaseError::new(
            None,
            format!(
                "the case is {} bytes; a case is limited to {MAX_CASE_BYTES} bytes",
                text.len()
            ),
            "a case is one flat JSON object of facts",
        )]);
    }
    let scan = scan(text);
    if scan.depth > MAX_CASE_DEPTH {
        return Err(vec![CaseError::new(
            None,
            format!("the case is nested more than {MAX_CASE_DEPTH} levels deep"),
            "a case is one flat JSON object of facts",
        )]);
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(vec![CaseError::new(
            None,
            "the case is empty: expected a JSON object of facts",
            "a case is a JSON object such as {\"wbc\": 120, \"als\": true}; `{}` when no fact is known",
        )]);
    }
    let mut current = None;
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = EntriesSeed { current: &mut current }
        .deserialize(&mut de)
        .and_then(|entries| de.end().map(|()| entries));
    let entries = match parsed {
        Ok(entries) => entries,
        Err(e) => return Err(vec![json_error(g, text, current.as_deref(), &e)]),
    };
    let checked = validate(g, &entries.0);
    if scan.inexact_integers.is_empty() {
        return checked;
    }
    // A value that came from a too-wide whole-number literal: serde_json gave
    // its nearest double, which only the text shows to be rounded. Refused
    // after the other checks, so a value out of range says that instead.
    let mut errors = checked.as_ref().err().cloned().unwrap_or_default();
    for (key, value) in &entries.0 {
        let serde_json::Value::Number(n) = value else { continue };
        let Some(literal) = n
            .as_f64()
            .filter(|_| n.as_u64().is_none() && n.as_i64().is_none())
            .and_then(|x| scan.inexact_integers.iter().find(|(y, _)| *y == x))
            .map(|(_, literal)| *literal)
        else {
            continue;
        };
        if g.fact_id(key).is_some() && errors.iter().all(|e| e.key.as_deref() != Some(key.as_str())) {
            errors.push(inexact_literal(key, literal));
        }
    }
    if errors.is_empty() {
        checked
    } else {
        Err(errors)
    }
}

/// A JSON error said in the case's terms: against the key whose value failed
/// when there is one, as "not an object" when the case is some other value.
fn json_error(g: &Guideline, text: &str, key: Option<&str>, e: &serde_json::Error) -> CaseError {
    let expected = key.and_then(|k| g.fact_id(k)).map(|id| g.fact(id).kind.expected());
    let out_of_range = e.to_string().contains("number out of range");
    match (key, &expected) {
        (Some(key), None) => unknown_key(g, key),
        (Some(key), Some(expected)) if out_of_range => CaseError::new(
            Some(key),
            format!("`{key}` must be {expected}, but the case gives a number too large to represent ({e})"),
            "numbers must be finite (no 1e999, NaN or Infinity)",
        ),
        (Some(key), _) => CaseError::new(
            Some(key),
            format!(
                "the value of `{key}` is not valid JSON ({e}); it must be {}",
                expected.as_deref().unwrap_or_default()
            ),
            "a value is a finite number, true or false, a quoted text, or null for unknown (NaN and Infinity are not JSON)",
        ),
        (None, _) => {
            // Some other JSON value than an object: name what it is.
            if e.classify() == serde_json::error::Category::Data {
                if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
                    if let Err(mut errors) = validate_json(g, &value) {
                        if let Some(first) = errors.pop() {
                            return first;
                        }
                    }
                }
            }
            CaseError::new(
                None,
                format!("not a valid JSON object: {e}"),
                "a case is a JSON object such as {\"wbc\": 120, \"als\": true}",
            )
        }
    }
}

/// Validates parsed JSON: an object whose keys are declared facts.
pub fn validate_json(g: &Guideline, json: &serde_json::Value) -> Result<Case, Vec<CaseError>> {
    match json {
        serde_json::Value::Object(map) => {
            let entries: Vec<(String, serde_json::Value)> = map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            validate(g, &entries)
        }
        other => Err(vec![CaseError::new(
            None,
            format!("a case must be a JSON object, not {}", json_kind(other)),
            "a case is a JSON object such as {\"wbc\": 120, \"als\": true}",
        )]),
    }
}

fn validate(g: &Guideline, entries: &[(String, serde_json::Value)]) -> Result<Case, Vec<CaseError>> {
    let mut case = Case::empty(g);
    let mut errors = Vec::new();
    let mut unlisted = 0usize;
    let mut given = vec![false; g.facts.len()];
    // Fact names are usually few and a scan is cheapest; a hostile pairing of
    // a huge case with a huge guideline gets an index instead of n × m.
    let index: Option<std::collections::HashMap<&str, FactId>> = (entries.len().saturating_mul(g.facts.len()) > 4096)
        .then(|| {
            g.facts
                .iter()
                .enumerate()
                .map(|(i, f)| (f.name.as_str(), FactId(i as u32)))
                .collect()
        });
    let mut as_of_given = false;
    for (key, value) in entries {
        if key == AS_OF_KEY {
            if std::mem::replace(&mut as_of_given, true) {
                errors.push(CaseError::new(
                    Some(key),
                    format!("`{key}` is given more than once"),
                    "give it once",
                ));
            } else {
                match as_of_value(value) {
                    Ok(day) => case.as_of = Some(day),
                    Err(e) => errors.push(e),
                }
            }
            continue;
        }
        if errors.len() >= MAX_CASE_ERRORS {
            // Still validated, so that the count below is the true one.
            let known = match &index {
                Some(ix) => ix.get(key.as_str()).copied(),
                None => g.fact_id(key),
            };
            let ok = known
                .is_some_and(|id| !std::mem::replace(&mut given[id.index()], true) && value_of(g, id, value).is_ok());
            unlisted += usize::from(!ok);
            continue;
        }
        let found = match &index {
            Some(ix) => ix.get(key.as_str()).copied(),
            None => g.fact_id(key),
        };
        let Some(id) = found else {
            errors.push(unknown_key(g, key));
            continue;
        };
        if std::mem::replace(&mut given[id.index()], true) {
            errors.push(CaseError::new(
                Some(key),
                format!("`{key}` is given more than once"),
                "give each fact once",
            ));
            continue;
        }
        match value_of(g, id, value) {
            Ok(v) => case.set(id, v),
            Err(e) => errors.push(e),
        }
    }
    if let Some(day) = case.as_of {
        errors.extend(future_dates(g, &case, day));
    }
    if unlisted > 0 {
        errors.push(CaseError::new(
            None,
            format!("{unlisted} more problems were found and are not listed; only the first {MAX_CASE_ERRORS} are"),
            "correct the ones listed and try again",
        ));
    }
    if errors.is_empty() {
        Ok(case)
    } else {
        Err(errors)
    }
}

/// A key or value as a message shows it: cut short past 60 characters.
fn shorten(text: &str) -> String {
    if text.chars().count() <= 60 {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(60).collect::<String>())
    }
}

fn unknown_key(g: &Guideline, key: &str) -> CaseError {
    let names = || g.facts.iter().map(|f| f.name.as_str());
    // Compared as it reads on screen: `WBC`, `w\u{200b}bc` and a Cyrillic
    // `wbс` all mean `wbc`, and none of them is within did_you_mean's reach.
    let seen = as_seen(key);
    let suggestion = names()
        .find(|n| n.eq_ignore_ascii_case(&seen))
        .or_else(|| did_you_mean(&seen, names()))
        .or_else(|| did_you_mean(&seen.to_lowercase(), names()));
    let help = match suggestion {
        Some(s) => format!("did you mean `{s}`? A misspelt fact is not read as unknown"),
        None => {
            // A listing, not the whole declaration: a guideline may declare thousands.
            let listed: Vec<&str> = names().take(30).collect();
            let more = g.facts.len() - listed.len();
            format!(
                "this guideline's facts are: {}{}",
                listed.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            )
        }
    };
    let why = hidden_reason(key)
        .map(|r| format!(": it contains {r}"))
        .unwrap_or_default();
    CaseError::new(
        Some(key),
        format!(
            "`{}` is not a fact of guideline `{}`{why}",
            shorten(&escaped(key)),
            g.meta.id
        ),
        help,
    )
}

/// A key as a message shows it: every character outside printable ASCII
/// escaped (`w\u{200b}bc`), since fact names are ASCII and a key that prints
/// exactly like a fact's name would make the error unreadable.
fn escaped(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for c in key.chars() {
        if c == ' ' || c.is_ascii_graphic() {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        }
    }
    out
}

/// Why a key that may look like a fact's name is not one: its first
/// invisible character, look-alike letter or other non-ASCII character.
fn hidden_reason(key: &str) -> Option<String> {
    if let Some(c) = key.chars().find(|&c| is_invisible(c)) {
        return Some(format!("an invisible character (U+{:04X})", u32::from(c)));
    }
    if let Some((c, like)) = key.chars().find_map(|c| look_alike(c).map(|l| (c, l))) {
        return Some(format!(
            "a non-ASCII letter (U+{:04X}) that looks like `{like}`",
            u32::from(c)
        ));
    }
    key.chars().find(|c| !c.is_ascii()).map(|c| {
        format!(
            "a character outside ASCII (U+{:04X}); fact names are ASCII",
            u32::from(c)
        )
    })
}

/// The key as a reader sees it: invisible characters gone, look-alike
/// letters replaced by the ASCII letters they imitate.
fn as_seen(key: &str) -> String {
    key.chars()
        .filter(|&c| !is_invisible(c))
        .map(|c| look_alike(c).unwrap_or(c))
        .collect()
}

/// Characters that print as nothing (or as a plain space): format and
/// control characters, joiners, variation selectors, tags, odd spaces.
fn is_invisible(c: char) -> bool {
    (c.is_control() && c != ' ')
        || (c.is_whitespace() && !c.is_ascii())
        || matches!(c,
            '\u{ad}' | '\u{34f}' | '\u{61c}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}'
            | '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}' | '\u{3164}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}'
            | '\u{ffa0}' | '\u{e0000}'..='\u{e0fff}')
}

/// The ASCII letter or digit a non-ASCII character is drawn like, for the
/// scripts whose letters are mistaken for Latin ones (Cyrillic, Greek) and
/// for full-width forms.
#[rustfmt::skip]
fn look_alike(c: char) -> Option<char> {
    let ascii = match c {
        'а' => 'a', 'е' => 'e', 'о' => 'o', 'р' => 'p', 'с' => 'c', 'у' => 'y', 'х' => 'x',
        'ѕ' => 's', 'і' => 'i', 'ј' => 'j', 'ԁ' => 'd', 'ԛ' => 'q', 'ԝ' => 'w', 'һ' => 'h',
        'ӏ' => 'l', 'ɡ' => 'g',
        'А' => 'A', 'В' => 'B', 'Е' => 'E', 'К' => 'K', 'М' => 'M', 'Н' => 'H', 'О' => 'O',
        'Р' => 'P', 'С' => 'C', 'Т' => 'T', 'Х' => 'X', 'У' => 'Y', 'Ѕ' => 'S', 'І' => 'I',
        'Ј' => 'J',
        'ο' => 'o', 'ν' => 'v', 'ρ' => 'p', 'ι' => 'i', 'κ' => 'k', 'υ' => 'u',
        'Α' => 'A', 'Β' => 'B', 'Ε' => 'E', 'Ζ' => 'Z', 'Η' => 'H', 'Ι' => 'I', 'Κ' => 'K',
        'Μ' => 'M', 'Ν' => 'N', 'Ο' => 'O', 'Ρ' => 'P', 'Τ' => 'T', 'Υ' => 'Y', 'Χ' => 'X',
        // Full-width ASCII, U+FF01 to U+FF5E.
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(u32::from(c) - 0xfee0)?,
        _ => return None,
    };
    Some(ascii)
}

/// Checks one value against its fact's declaration. JSON `null` is unknown.
pub fn value_of(g: &Guideline, id: FactId, value: &serde_json::Value) -> Result<Option<Value>, CaseError> {
    use serde_json::Value as J;
    let fact = g.fact(id);
    let key = fact.name.as_str();
    let wrong = |what: &str| {
        CaseError::new(
            Some(key),
            format!("`{key}` must be {}, but the case gives {what}", fact.kind.expected()),
            match (&fact.kind, value) {
                (FactKind::Number { .. } | FactKind::Integer { .. }, J::String(_)) => {
                    "write the number without quotes".to_string()
                }
                (FactKind::Bool, J::String(_)) => "write true or false without quotes".to_string(),
                (FactKind::Integer { .. }, J::Number(_)) => "give a whole number, e.g. 2".to_string(),
                (FactKind::Enum { values }, _) => format!(
                    "write one of the values in quotes, e.g. \"{}\"",
                    values.first().map_or("", String::as_str)
                ),
                _ => "leave the fact out (or null) when it is unknown".to_string(),
            },
        )
    };
    if value.is_null() {
        return Ok(None);
    }
    let v = match (&fact.kind, value) {
        (FactKind::Bool, J::Bool(b)) => Value::Bool(*b),
        (FactKind::Integer { min, max }, J::Number(n)) => {
            let x = n
                .as_f64()
                .filter(|x| x.is_finite())
                .ok_or_else(|| wrong("a number out of range"))?;
            if x.fract() != 0.0 {
                return Err(wrong(&format!("{n}, which is not a whole number")));
            }
            // Rounding is monotonic, so a rounded value outside the range
            // was outside it as given: the range is the plainer message.
            in_range(key, x, *min, *max, &fact.kind)?;
            // Past 2^53 neighbouring whole numbers share a double, whatever
            // way the number was written: a count there cannot be trusted.
            if x.abs() > MAX_EXACT_INTEGER {
                return Err(inexact(key, n));
            }
            exact(key, n)?;
            Value::Num(x)
        }
        (FactKind::Number { min, max, .. }, J::Number(n)) => {
            let x = n
                .as_f64()
                .filter(|x| x.is_finite())
                .ok_or_else(|| wrong("a number out of range"))?;
            in_range(key, x, *min, *max, &fact.kind)?;
            exact(key, n)?;
            Value::Num(x)
        }
        (FactKind::Date, J::String(s)) => match crate::time::parse_day(s) {
            Ok(day) => Value::Num(day),
            Err(why) => {
                return Err(CaseError::new(
                    Some(key),
                    format!("`{key}` is \"{}\", which is not a date: {why}", shorten(s)),
                    "write the date as \"YYYY-MM-DD\", e.g. \"2026-03-31\"",
                ))
            }
        },
        (FactKind::Enum { values }, J::String(s)) => match values.iter().position(|v| v == s) {
            Some(i) => Value::Enum(i as u8),
            None => {
                let help = match did_you_mean(s, values.iter().map(String::as_str)) {
                    Some(d) => format!("did you mean \"{d}\"?"),
                    None => format!("allowed values: {}", quoted_list(values)),
                };
                return Err(CaseError::new(
                    Some(key),
                    format!("`{key}` is \"{}\", which is not {}", shorten(s), fact.kind.expected()),
                    help,
                ));
            }
        },
        (_, other) => return Err(wrong(&json_kind(other))),
    };
    Ok(Some(v))
}

/// The evaluation date a case gives under [`AS_OF_KEY`].
fn as_of_value(value: &serde_json::Value) -> Result<f64, CaseError> {
    let refuse = |why: String| {
        CaseError::new(
            Some(AS_OF_KEY),
            format!("`{AS_OF_KEY}` is the evaluation date, {why}"),
            "write it as \"YYYY-MM-DD\", e.g. \"2026-03-31\", or leave it out to use the date given on the command line (by default today)",
        )
    };
    match value {
        serde_json::Value::String(s) => {
            crate::time::parse_day(s).map_err(|why| refuse(format!("but \"{}\" is not a date: {why}", shorten(s))))
        }
        other => Err(refuse(format!("but the case gives {}", json_kind(other)))),
    }
}

/// The date facts of `case` after `day`: a record cannot hold a date that
/// has not happened yet, so each is invalid input.
fn future_dates(g: &Guideline, case: &Case, day: f64) -> Vec<CaseError> {
    let mut errors = Vec::new();
    // Only the date facts are looked at: a cohort asks this of every row.
    for &f in &g.date_facts {
        let Some(Some(Value::Num(d))) = case.values.get(f.index()).copied() else {
            continue;
        };
        if d > day {
            let key = g.fact(f).name.as_str();
            errors.push(CaseError::new(
                Some(key),
                format!(
                    "`{key}` is {}, after the evaluation date {}: a recorded date cannot be in the future",
                    crate::time::format_day(d),
                    crate::time::format_day(day)
                ),
                "check the date, or evaluate as of a later date (`--as-of` or the case's \"as_of\")",
            ));
        }
    }
    errors
}

/// 2^53: every whole number up to it has its own double; past it they pair up.
const MAX_EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

/// Refuses an integer its double would round: 9007199254740993 would
/// otherwise be read as its neighbour and compare equal to it. A decimal is
/// read as the nearest double (serde_json's `float_roundtrip`), which is the
/// best any double can do.
fn exact(key: &str, n: &serde_json::Number) -> Result<(), CaseError> {
    let same = if let Some(u) = n.as_u64() {
        (u as f64) as u128 == u128::from(u)
    } else if let Some(i) = n.as_i64() {
        (i as f64) as i128 == i128::from(i)
    } else {
        true
    };
    if same {
        Ok(())
    } else {
        Err(inexact(key, n))
    }
}

fn inexact(key: &str, n: &serde_json::Number) -> CaseError {
    CaseError::new(
        Some(key),
        format!("`{key}` is {n}, which cannot be read exactly: past 2^53 (9007199254740992) whole numbers share their nearest double with a neighbour"),
        "check the value: no measurement or count is this large",
    )
}

fn in_range(key: &str, x: f64, min: Option<f64>, max: Option<f64>, kind: &FactKind) -> Result<(), CaseError> {
    let below = min.is_some_and(|m| x < m);
    let above = max.is_some_and(|m| x > m);
    if below || above {
        return Err(CaseError::new(
            Some(key),
            format!(
                "`{key}` is {x}, outside its valid range: it must be {}",
                kind.expected()
            ),
            "check the value and its unit; an impossible value is an error, not an unknown",
        ));
    }
    Ok(())
}

fn json_kind(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "null".into(),
        serde_json::Value::Bool(b) => format!("{b}"),
        serde_json::Value::Number(n) => format!("the number {n}"),
        serde_json::Value::String(s) => format!("the text \"{}\"", s.chars().take(40).collect::<String>()),
        serde_json::Value::Array(_) => "a list".into(),
        serde_json::Value::Object(_) => "an object".into(),
    }
}

/// What the case's text says before it is parsed.
struct Scan<'t> {
    /// The deepest nesting of arrays and objects.
    depth: usize,
    /// Whole numbers wider than 64 bits that no double holds exactly, with
    /// the double serde_json will read each as. After parsing nobody can tell
    /// such a value was rounded; only the text still knows.
    inexact_integers: Vec<(f64, &'t str)>,
}

/// One pass over the text, outside strings: the nesting depth (checked before
/// serde_json recurses into it) and the whole-number literals too wide to be
/// read exactly.
fn scan(text: &str) -> Scan<'_> {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    let mut inexact_integers = Vec::new();
    let mut number_start: Option<usize> = None;
    for (at, b) in text.bytes().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        let in_number = matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9');
        match (number_start, in_number) {
            (None, true) => number_start = Some(at),
            (Some(start), false) => {
                inexact_integers.extend(inexact_token(&text[start..at]));
                number_start = None;
            }
            _ => {}
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                max = max.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if let Some(start) = number_start {
        inexact_integers.extend(inexact_token(&text[start..]));
    }
    Scan {
        depth: max,
        inexact_integers,
    }
}

/// A whole-number literal (digits, an optional minus) wider than 64 bits whose
/// nearest double is another number, with that double; `None` for any other
/// token. Narrower ones are checked after parsing, where serde_json keeps them
/// as integers.
fn inexact_token(token: &str) -> Option<(f64, &str)> {
    let digits = token.strip_prefix('-').unwrap_or(token);
    if digits.len() <= 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let x: f64 = token.parse().ok().filter(|x: &f64| x.is_finite())?;
    // `{:.0}` writes a double's exact integer value.
    (format!("{:.0}", x.abs()) != digits.trim_start_matches('0')).then_some((x, token))
}

fn inexact_literal(key: &str, literal: &str) -> CaseError {
    CaseError::new(
        Some(key),
        format!(
            "`{key}` is {}, which cannot be read exactly: past 2^53 (9007199254740992) whole numbers share their nearest double with a neighbour",
            shorten(literal)
        ),
        "check the value: no measurement or count is this large",
    )
}
