//! Provenance of a case read from a patient record (`eval --fhir`): in the
//! text report's patient summary, each fact with the resource it came from,
//! the value and unit the record gives, its time and status — or the case
//! that gave it, or why it is unknown; in the JSON contract, the added
//! `"record"` object. Nothing here is a decision: it says where values came
//! from.

use std::fmt::Write;

use serde_json::{json, Map, Value as Json};

use super::text::Painter;
use super::words::{capitalize, fact_noun, fact_value};
use crate::facts::value_json;
use crate::fhir::{Provenance, Record};
use crate::model::{FactId, Guideline};

/// The `"record"` object: the instant, the patient, the number of entries,
/// and per fact that has a binding or was given by the case, its value and
/// source (`record`, `absent`, `case`, `unknown`).
pub fn record_json(g: &Guideline, r: &Record) -> Json {
    let mut facts = Map::new();
    for id in g.fact_ids() {
        let Some(p) = r.provenance(id) else { continue };
        let value = r.value(id).map_or(Json::Null, |v| value_json(g, id, v));
        facts.insert(g.fact(id).name.clone(), provenance_json(p, value));
    }
    json!({
        "instant": r.instant.to_string(),
        "patient": r.patient,
        "entries": r.entries,
        "facts": facts,
    })
}

fn provenance_json(p: &Provenance, value: Json) -> Json {
    let mut o = Map::new();
    o.insert("source".into(), Json::from(p.kind()));
    o.insert("value".into(), value);
    match p {
        Provenance::Resource(f) => {
            o.insert("resource".into(), Json::from(f.resource.clone()));
            o.insert("entry".into(), Json::from(f.entry));
            o.insert("original".into(), Json::from(f.original.clone()));
            o.insert("time".into(), f.time.clone().map_or(Json::Null, Json::from));
            o.insert("status".into(), f.status.clone().map_or(Json::Null, Json::from));
        }
        Provenance::Absent { looked_for } => {
            o.insert(
                "reason".into(),
                Json::from(format!(
                    "no active, confirmed {looked_for} in the record, and the guideline states that the record is complete for it"
                )),
            );
        }
        Provenance::Case { record } => {
            // What the record said, without a value of its own: the case's is the one used.
            if let Some(before) = record {
                let mut inner = provenance_json(before, Json::Null);
                if let Some(m) = inner.as_object_mut() {
                    m.remove("value");
                }
                o.insert("record".into(), inner);
            }
        }
        Provenance::Unknown { reason } => {
            o.insert("reason".into(), Json::from(reason.clone()));
        }
    }
    Json::Object(o)
}

/// Where a value came from, in words: "Observation/wbc-1, 150000 /uL,
/// 2026-12-01T08:00:00Z, final".
fn source_words(p: &Provenance) -> String {
    match p {
        Provenance::Resource(f) => {
            let mut parts = vec![f.resource.clone()];
            if !f.original.is_empty() {
                parts.push(f.original.clone());
            }
            parts.extend(f.time.clone());
            parts.extend(f.status.clone());
            parts.join(", ")
        }
        Provenance::Absent { looked_for } => {
            format!("no {looked_for} in the record, which the guideline states is complete for it")
        }
        Provenance::Case { record: None } => "given in the case".into(),
        Provenance::Case { record: Some(before) } => match before.as_ref() {
            Provenance::Unknown { .. } => "given in the case (not found in the record)".into(),
            other => format!("given in the case, instead of the record's {}", source_words(other)),
        },
        Provenance::Unknown { reason } => reason.clone(),
    }
}

/// The patient summary's lines for a case read from a record: the facts
/// known, each with its source, then those the record could not give.
pub(super) fn facts(out: &mut String, g: &Guideline, r: &Record, p: &Painter) {
    let _ = writeln!(
        out,
        "  {}",
        p.dim(&format!(
            "from the record{} as of {} ({} entries)",
            r.patient.as_deref().map(|n| format!(" of {n}")).unwrap_or_default(),
            r.instant,
            r.entries
        ))
    );
    let mut known = 0;
    for id in g.fact_ids() {
        let Some(v) = r.value(id) else { continue };
        known += 1;
        let from = match r.provenance(id) {
            Some(prov) => source_words(prov),
            None => "given in the case".into(),
        };
        let _ = writeln!(out, "    {}: {} — {from}", label(g, id), fact_value(g, id, v));
    }
    if known == 0 {
        let _ = writeln!(out, "    no facts were found or given");
    }
    let unknown: Vec<(FactId, &str)> = g
        .fact_ids()
        .filter_map(|id| match r.provenance(id) {
            Some(Provenance::Unknown { reason }) if r.value(id).is_none() => Some((id, reason.as_str())),
            _ => None,
        })
        .collect();
    if !unknown.is_empty() {
        let _ = writeln!(out, "  {}", p.dim("unknown (not found in the record)"));
        for (id, reason) in unknown {
            let _ = writeln!(out, "    {}: {reason}", label(g, id));
        }
    }
}

/// The record's facts under their own heading, for a report that stops at
/// its scope (out of scope, or scope undecided).
pub(super) fn section(out: &mut String, g: &Guideline, r: &Record, p: &Painter) {
    let _ = writeln!(out, "\n{}", p.bold("PATIENT"));
    facts(out, g, r, p);
}

fn label(g: &Guideline, id: FactId) -> String {
    capitalize(&fact_noun(g, id))
}
