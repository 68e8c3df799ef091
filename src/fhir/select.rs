//! The reading rules: which Observation, Condition or birth date gives a
//! fact, and how its value is converted and validated. Each rule either
//! gives a value with the resource it came from, or says why the fact stays
//! unknown; a value that converts but is impossible for the fact is an
//! error, exactly as in a case.

use std::fmt::Write as _;

use super::shapes::{Concept, ObsValue, Observation, Parsed, Quantity};
use super::{Found, Instant, Provenance};
use crate::facts::{value_of, CaseError, Value};
use crate::model::{Code, FactId, FactKind, Guideline, RecordSource, Window};
use crate::units::{Ratio, Unit};

/// The UCUM system URI: a `Quantity.code` in it is a UCUM code.
const UCUM: &str = "http://unitsofmeasure.org";

/// What reading one fact gives: its value (or none) and where it came from;
/// an error when the record's value is impossible for the fact.
pub type Read = Result<(Option<Value>, Provenance), CaseError>;

/// Reads fact `id` by its binding.
pub fn read_fact(g: &Guideline, id: FactId, source: &RecordSource, record: &Parsed, instant: Instant) -> Read {
    match source {
        RecordSource::Observation {
            codes,
            window,
            accept_preliminary,
        } => observation(g, id, codes, *window, *accept_preliminary, record, instant),
        RecordSource::Condition {
            codes,
            absent_means_false,
        } => condition(codes, *absent_means_false, record, instant),
        RecordSource::BirthDate => birth_date(g, id, record, instant),
    }
}

fn unknown(reason: String) -> Read {
    Ok((None, Provenance::Unknown { reason }))
}

/// True when `concept` carries one of `codes`.
fn matches(concept: &Concept, codes: &[Code]) -> bool {
    concept.coding.iter().any(|c| {
        codes
            .iter()
            .any(|k| c.system.as_deref() == Some(k.system.uri()) && c.code.as_deref() == Some(k.code.as_str()))
    })
}

/// "LOINC 6690-2 or 26464-8".
pub fn codes_phrase(codes: &[Code]) -> String {
    let mut out = String::new();
    let mut last = None;
    for (i, c) in codes.iter().enumerate() {
        if i > 0 {
            out.push_str(if i + 1 == codes.len() { " or " } else { ", " });
        }
        if last != Some(c.system) {
            let _ = write!(out, "{} ", system_name(c.system));
            last = Some(c.system);
        }
        out.push_str(&c.code);
    }
    out
}

fn system_name(s: crate::model::CodeSystem) -> &'static str {
    use crate::model::CodeSystem::*;
    match s {
        Loinc => "LOINC",
        Snomed => "SNOMED CT",
        Icd10 => "ICD-10",
        Icd10Cm => "ICD-10-CM",
        RxNorm => "RxNorm",
    }
}

/// A window as a person reads it: "48 h", "7 d".
fn window_phrase(w: Window) -> String {
    let s = w.seconds;
    for (unit, len) in [("wk", 604_800), ("d", 86_400), ("h", 3600), ("min", 60)] {
        if s % len == 0 {
            return format!("{} {unit}", s / len);
        }
    }
    format!("{s} s")
}

/// How a status takes part: final-class results are used; preliminary ones
/// only when the binding allows and no final-class result is in the window.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Standing {
    Final,
    Preliminary,
    Never,
}

fn standing(status: Option<&str>) -> Standing {
    match status {
        Some("final" | "amended" | "corrected") => Standing::Final,
        Some("preliminary") => Standing::Preliminary,
        _ => Standing::Never,
    }
}

#[allow(clippy::too_many_arguments)]
fn observation(
    g: &Guideline,
    id: FactId,
    codes: &[Code],
    window: Window,
    accept_preliminary: bool,
    record: &Parsed,
    instant: Instant,
) -> Read {
    let looked_for = format!("Observation with {}", codes_phrase(codes));
    let candidates: Vec<&Observation> = record.observations.iter().filter(|o| matches(&o.code, codes)).collect();
    if candidates.is_empty() {
        return unknown(format!("no {looked_for} in the record"));
    }
    let now = instant.seconds();
    let from = now.saturating_sub(window.seconds);
    let (mut finals, mut prelims) = (Vec::new(), Vec::new());
    // Why each candidate was set aside, counted for the reason.
    let (mut no_time, mut later, mut older, mut excluded) = (0, 0, 0, Vec::<String>::new());
    let mut prelim_refused = 0;
    for o in candidates {
        let Some((_, span)) = &o.time else {
            no_time += 1;
            continue;
        };
        if span.latest > now {
            later += 1;
            continue;
        }
        if span.earliest < from {
            older += 1;
            continue;
        }
        match standing(o.status.as_deref()) {
            Standing::Final => finals.push(o),
            Standing::Preliminary if accept_preliminary => prelims.push(o),
            Standing::Preliminary => prelim_refused += 1,
            Standing::Never => excluded.push(o.status.clone().unwrap_or_else(|| "no status".into())),
        }
    }
    let pool = if finals.is_empty() { prelims } else { finals };
    let Some(latest) = pool
        .iter()
        .map(|o| o.time.as_ref().map_or(i64::MIN, |(_, s)| s.latest))
        .max()
    else {
        let mut why = Vec::new();
        if older > 0 {
            why.push(format!("{older} older than the window"));
        }
        if later > 0 {
            why.push(format!("{later} after the evaluation instant {instant}"));
        }
        if no_time > 0 {
            why.push(format!("{no_time} without a time"));
        }
        if prelim_refused > 0 {
            why.push(format!("{prelim_refused} preliminary (not allowed for this fact)"));
        }
        excluded.sort();
        excluded.dedup();
        if !excluded.is_empty() {
            why.push(format!("others with status {} (never used)", excluded.join(", ")));
        }
        return unknown(format!(
            "no usable {looked_for} in the {} before {instant}: {}",
            window_phrase(window),
            why.join("; ")
        ));
    };
    let at_latest: Vec<&Observation> = pool
        .into_iter()
        .filter(|o| o.time.as_ref().is_some_and(|(_, s)| s.latest == latest))
        .collect();
    let mut read: Vec<(f64, &Observation, String)> = Vec::new();
    for o in &at_latest {
        match observed_value(g, id, o) {
            Ok((x, original)) => read.push((x, o, original)),
            Err(reason) => return unknown(format!("{} ({}): {reason}", o.name, time_of(o))),
        }
    }
    let Some((x, first, original)) = read.first().cloned() else {
        return unknown(format!("no usable {looked_for} in the record"));
    };
    if let Some((y, other, _)) = read.iter().find(|(y, _, _)| *y != x) {
        return unknown(format!(
            "{} and {} at {} disagree ({} and {}); the fact is left unknown rather than guessed",
            first.name,
            other.name,
            time_of(first),
            crate::report::fmt_num(x),
            crate::report::fmt_num(*y)
        ));
    }
    let fact = g.fact(id);
    let json = match fact.kind {
        FactKind::Bool => serde_json::Value::Bool(x != 0.0),
        FactKind::Integer { .. } if x.fract() == 0.0 && x.abs() < 9.0e15 => serde_json::Value::from(x as i64),
        _ => serde_json::Number::from_f64(x).map_or(serde_json::Value::Null, serde_json::Value::Number),
    };
    let value = value_of(g, id, &json).map_err(|mut e| {
        e.message = format!("{} ({original}, {}): {}", first.name, time_of(first), e.message);
        e.message = e.message.replace("but the case gives", "but the record gives");
        e
    })?;
    Ok((
        value,
        Provenance::Resource(Found {
            resource: first.name.clone(),
            entry: first.entry,
            original,
            time: first.time.as_ref().map(|_| time_of(first)),
            status: first.status.clone(),
        }),
    ))
}

fn time_of(o: &Observation) -> String {
    o.time.as_ref().map_or_else(|| "no time".into(), |(t, _)| t.clone())
}

/// The value of one observation in the fact's terms, with the original as
/// written; or why it cannot be read.
fn observed_value(g: &Guideline, id: FactId, o: &Observation) -> Result<(f64, String), String> {
    if let Some(reason) = &o.data_absent {
        return Err(format!("the value is absent (dataAbsentReason: {reason})"));
    }
    let fact = g.fact(id);
    match (&o.value, &fact.kind) {
        (ObsValue::Missing, _) => Err("the result has no value".into()),
        (ObsValue::Other(key), _) => Err(format!(
            "the value is a `{key}`, which a {} fact cannot read",
            kind_word(&fact.kind)
        )),
        (ObsValue::Boolean(b), FactKind::Bool) => Ok((f64::from(u8::from(*b)), b.to_string())),
        (ObsValue::Integer(n), FactKind::Integer { .. }) => Ok((*n as f64, n.to_string())),
        (ObsValue::Quantity(q), FactKind::Number { unit, .. }) => quantity(q, unit, fact.grams_per_mole),
        (ObsValue::Quantity(q), FactKind::Integer { .. }) => {
            let (x, original) = quantity(q, &Unit::one(), None)?;
            Ok((x, original))
        }
        (v, kind) => Err(format!(
            "the value is {}, which a {} fact cannot read",
            match v {
                ObsValue::Boolean(_) => "a valueBoolean",
                ObsValue::Integer(_) => "a valueInteger",
                _ => "a valueQuantity",
            },
            kind_word(kind)
        )),
    }
}

fn kind_word(kind: &FactKind) -> &'static str {
    match kind {
        FactKind::Bool => "true/false",
        FactKind::Integer { .. } => "whole-number",
        FactKind::Number { .. } => "number",
        FactKind::Enum { .. } => "one-of",
        FactKind::Date => "date",
    }
}

/// The record's unit text: the UCUM code when the quantity says it is one,
/// else the free-text unit.
fn unit_text(q: &Quantity) -> Option<&str> {
    match (q.system.as_deref(), q.code.as_deref()) {
        (Some(UCUM), Some(code)) => Some(code),
        _ => q.unit.as_deref(),
    }
}

/// UCUM annotations (`{cells}`) mean one: `{cells}/uL` is `/uL`.
fn without_annotations(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    while out.contains("//") {
        out = out.replace("//", "/");
    }
    let trimmed = out.trim_end_matches('/');
    trimmed.to_string()
}

/// Converts a quantity to `to`, exactly: the record's decimal is read as
/// written and multiplied by the exact factor of the two units (through the
/// fact's molar mass where an amount meets a mass).
fn quantity(q: &Quantity, to: &Unit, grams_per_mole: Option<Ratio>) -> Result<(f64, String), String> {
    let Some(x) = q.value else {
        return Err("the quantity has no value".into());
    };
    let written = unit_text(q).unwrap_or("");
    let original = if written.is_empty() {
        format!("{x}")
    } else {
        format!("{x} {written}")
    };
    if let Some(c) = q.comparator.as_deref() {
        return Err(format!("the result is `{c} {original}`, a bound rather than a value"));
    }
    let cleaned = without_annotations(written);
    let from = if cleaned.is_empty() || cleaned == "1" {
        if !to.is_one() {
            return Err(format!("the quantity {original} has no unit; the fact is in {to}"));
        }
        Unit::one()
    } else {
        Unit::parse(&cleaned).map_err(|e| format!("the unit `{written}` is not a UCUM unit this reader knows ({e})"))?
    };
    let factor = match from.factor_to(to) {
        Some(k) => k,
        None if from.needs_molar_mass(to) => match grams_per_mole {
            Some(m) => from
                .factor_via_molar_mass(to, m)
                .ok_or_else(|| format!("{written} cannot be converted to {to} exactly"))?,
            None => {
                return Err(format!(
                    "{written} is an amount and {to} a mass: converting needs a molar mass, which the guideline does not state for this fact"
                ))
            }
        },
        None => return Err(format!("{written} cannot be converted to {to}")),
    };
    let exact = Ratio::from_written(x).and_then(|r| r.times(factor)).map(Ratio::to_f64);
    let y = exact.unwrap_or_else(|| x * factor.to_f64());
    if !y.is_finite() {
        return Err(format!("{original} is out of range once converted to {to}"));
    }
    Ok((y, original))
}

fn condition(codes: &[Code], absent_means_false: bool, record: &Parsed, instant: Instant) -> Read {
    let looked_for = format!("Condition with {}", codes_phrase(codes));
    let now = instant.seconds();
    let mut set_aside = Vec::new();
    for c in record.conditions.iter().filter(|c| matches(&c.code, codes)) {
        if c.recorded.as_ref().is_some_and(|(_, s)| s.latest > now) {
            set_aside.push(format!("{} recorded after {instant}", c.name));
            continue;
        }
        let active = c
            .clinical
            .iter()
            .any(|s| matches!(s.as_str(), "active" | "recurrence" | "relapse"));
        let confirmed = c.verification.iter().any(|s| s == "confirmed");
        if active && confirmed {
            let status = format!("{}/{}", c.clinical.join(","), c.verification.join(","));
            // The code it was found by, with its system: "SNOMED CT 86044005".
            // The record's first coding the binding names.
            let code = c
                .code
                .coding
                .iter()
                .find_map(|k| {
                    codes.iter().find(|b| {
                        k.system.as_deref() == Some(b.system.uri()) && k.code.as_deref() == Some(b.code.as_str())
                    })
                })
                .map(|b| format!("{} {}", system_name(b.system), b.code))
                .unwrap_or_default();
            return Ok((
                Some(Value::Bool(true)),
                Provenance::Resource(Found {
                    resource: c.name.clone(),
                    entry: c.entry,
                    original: code,
                    time: c.recorded.as_ref().map(|(t, _)| t.clone()),
                    status: Some(status),
                }),
            ));
        }
        let clinical = if c.clinical.is_empty() {
            "no clinical status".to_string()
        } else {
            c.clinical.join(",")
        };
        let verification = if c.verification.is_empty() {
            "not verified".to_string()
        } else {
            c.verification.join(",")
        };
        set_aside.push(format!("{} is {clinical}, {verification}", c.name));
    }
    if absent_means_false {
        return Ok((Some(Value::Bool(false)), Provenance::Absent { looked_for }));
    }
    let mut reason = format!("no active, confirmed {looked_for} in the record");
    if !set_aside.is_empty() {
        let _ = write!(reason, " ({})", set_aside.join("; "));
    }
    unknown(reason)
}

fn birth_date(g: &Guideline, id: FactId, record: &Parsed, instant: Instant) -> Read {
    let Some(patient) = &record.patient else {
        return unknown("no Patient in the record".into());
    };
    let Some(text) = patient.birth_date.as_deref() else {
        return unknown(format!("{} has no birthDate", patient.name));
    };
    let born = match crate::time::parse_day(text) {
        Ok(d) => d,
        Err(why) => {
            return unknown(format!(
                "{}'s birthDate \"{text}\" is not a day this reader counts from: {why}",
                patient.name
            ))
        }
    };
    let today = instant.day();
    let fact = g.fact(id);
    use crate::time::{whole_between, CalendarUnit};
    let json = match &fact.kind {
        FactKind::Date => serde_json::Value::String(text.to_string()),
        FactKind::Integer { .. } => serde_json::Value::from(whole_between(CalendarUnit::Year, born, today) as i64),
        FactKind::Number { unit, .. } => {
            let calendar = ["a", "mo", "wk", "d"]
                .into_iter()
                .filter_map(|u| Unit::parse(u).ok().map(|p| (u, p)))
                .find(|(_, p)| p == unit)
                .and_then(|(u, _)| CalendarUnit::from_unit(u));
            let Some(cal) = calendar else {
                return unknown(format!(
                    "an age from the birth date is counted in years, months, weeks or days, not {unit}"
                ));
            };
            serde_json::Value::from(whole_between(cal, born, today) as i64)
        }
        other => return unknown(format!("a birth date cannot give a {} fact", kind_word(other))),
    };
    let value = value_of(g, id, &json).map_err(|mut e| {
        e.message = format!("{} (birthDate {text}): {}", patient.name, e.message)
            .replace("but the case gives", "but the record gives");
        e
    })?;
    Ok((
        value,
        Provenance::Resource(Found {
            resource: patient.name.clone(),
            entry: patient.entry,
            original: format!("born {text}"),
            time: None,
            status: None,
        }),
    ))
}
