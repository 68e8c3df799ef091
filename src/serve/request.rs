//! A CDS Hooks request read: its shape checked field by field (so a 400 says
//! which field is wrong), its prefetch gathered into one FHIR Bundle for
//! [`crate::fhir::read_record`], and what the EHR did not send made unknown.
//!
//! Two rules keep the record honest. A prefetch key the EHR left out (absent
//! or `null`, as the specification allows) makes the facts read from it
//! unknown, even where the guideline says absence means false: absence from
//! a search that was not run says nothing. And every resource must be about
//! the patient in the request's context; a resource about another patient is
//! refused, never read.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::discovery::PrefetchKey;
use super::fetch::{Fetched, FhirAccess};
use crate::fhir::{Instant, Provenance, Record};
use crate::model::Guideline;

/// A request refused: the status and a message naming what and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// The HTTP status.
    pub status: u16,
    /// What is wrong, in words.
    pub message: String,
    /// Further problems, one line each (the record reader's, by entry).
    pub problems: Vec<String>,
}

impl Refusal {
    /// A 400 with one message.
    pub fn bad(message: impl Into<String>) -> Refusal {
        Refusal {
            status: 400,
            message: message.into(),
            problems: Vec::new(),
        }
    }

    /// The JSON body of the error response.
    pub fn body(&self) -> Value {
        let mut o = Map::new();
        o.insert("error".into(), Value::from(self.message.clone()));
        if !self.problems.is_empty() {
            o.insert("problems".into(), json!(self.problems));
        }
        Value::Object(o)
    }
}

/// The parts of a CDS Hooks request the service uses.
#[derive(Debug)]
pub struct HookRequest {
    /// The hook (`patient-view`).
    pub hook: String,
    /// The patient in context (`context.patientId`).
    pub patient_id: String,
    /// The prefetch object; `None` when the request has none.
    pub prefetch: Option<Map<String, Value>>,
    /// `fhirServer` and `fhirAuthorization`, when given.
    pub fhir: FhirAccess,
    /// What was fetched for the keys the prefetch lacks (`fetch.rs`).
    pub fetched: Fetched,
}

/// Checks the request's shape: `hook`, `hookInstance`, `context.patientId`
/// strings, `prefetch` an object when present.
pub fn parse(body: &[u8]) -> Result<HookRequest, Refusal> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| Refusal::bad(format!("the request body is not valid JSON: {e}")))?;
    let Value::Object(mut top) = value else {
        return Err(Refusal::bad(
            "the request body must be a JSON object (a CDS Hooks request)",
        ));
    };
    let string = |o: &Map<String, Value>, key: &str, place: &str| -> Result<String, Refusal> {
        match o.get(key) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            Some(Value::String(_)) => Err(Refusal::bad(format!("`{place}` is empty"))),
            Some(other) => Err(Refusal::bad(format!("`{place}` must be a string, not {}", kind(other)))),
            None => Err(Refusal::bad(format!("the request has no `{place}`"))),
        }
    };
    let hook = string(&top, "hook", "hook")?;
    string(&top, "hookInstance", "hookInstance")?;
    let patient_id = match top.get("context") {
        Some(Value::Object(context)) => string(context, "patientId", "context.patientId")?,
        Some(other) => {
            return Err(Refusal::bad(format!(
                "`context` must be an object, not {}",
                kind(other)
            )))
        }
        None => return Err(Refusal::bad("the request has no `context`")),
    };
    let fhir = super::fetch::parse_access(&top)?;
    let prefetch = match top.remove("prefetch") {
        None | Some(Value::Null) => None,
        Some(Value::Object(p)) => Some(p),
        Some(other) => {
            return Err(Refusal::bad(format!(
                "`prefetch` must be an object, not {}",
                kind(&other)
            )))
        }
    };
    Ok(HookRequest {
        hook,
        patient_id,
        prefetch,
        fhir,
        fetched: Fetched::new(),
    })
}

pub(super) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Where each entry of the gathered Bundle came from: `prefetch.wbc` or
/// `prefetch.wbc.entry[2]`.
type Origins = Vec<String>;

/// Gathers the resources of the prefetch keys the service asked for into one
/// Bundle (a resource seen under two keys is kept once), checks that each is
/// about `patient_id`, reads it against `g` at `instant`, and makes the facts
/// of every missing key unknown. Keys the service did not ask for are ignored.
pub fn read_prefetch(
    g: &Guideline,
    keys: &[PrefetchKey],
    request: &HookRequest,
    instant: Instant,
) -> Result<Record, Refusal> {
    let empty = Map::new();
    let prefetch = request.prefetch.as_ref().unwrap_or(&empty);
    let mut entries: Vec<Value> = Vec::new();
    let mut origins: Origins = Vec::new();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut missing = Vec::new();
    for k in keys {
        let no_prefetch = format!("the EHR sent no \"{}\" prefetch", k.key);
        let resources = match (prefetch.get(&k.key), request.fetched.get(&k.key)) {
            // Fetched from the FHIR server: read as if the EHR had sent it.
            (None, Some(Ok(v))) => resources_of(&k.key, v)?,
            (None, Some(Err(why))) => {
                missing.push((k, format!("{no_prefetch}, and it could not be fetched: {why}")));
                continue;
            }
            (None | Some(Value::Null), _) => {
                missing.push((k, no_prefetch));
                continue;
            }
            (Some(v), _) => resources_of(&k.key, v)?,
        };
        for (origin, resource) in resources {
            about_patient(&origin, resource, &request.patient_id)?;
            let identity = resource_identity(resource);
            if let Some(identity) = identity.clone() {
                if let Some(&i) = seen.get(&identity) {
                    if entries[i]["resource"] != *resource {
                        return Err(Refusal::bad(format!(
                            "{origin} and {} are both {}/{} but differ",
                            origins[i], identity.0, identity.1
                        )));
                    }
                    continue;
                }
                seen.insert(identity, entries.len());
            }
            entries.push(json!({ "resource": resource }));
            origins.push(origin);
        }
    }
    let bundle = json!({ "resourceType": "Bundle", "type": "collection", "entry": entries });
    let bytes =
        serde_json::to_vec(&bundle).map_err(|e| Refusal::bad(format!("the prefetch cannot be gathered: {e}")))?;
    let mut record = crate::fhir::read_record(g, &bytes, instant).map_err(|errors| Refusal {
        status: 400,
        message: format!(
            "the prefetch could not be read as a patient record ({} problem{}); nothing was evaluated",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" }
        ),
        problems: errors
            .iter()
            .map(|e| format!("{} (entries, in order: {})", e.message, origins.join(", ")))
            .collect(),
    })?;
    for (k, reason) in missing {
        for &id in &k.facts {
            record.case.set(id, None);
            if let Some(slot) = record.facts.get_mut(id.index()) {
                *slot = Some(Provenance::Unknown { reason: reason.clone() });
            }
        }
    }
    Ok(record)
}

/// The resources one prefetch value holds: itself, or a Bundle's entries.
fn resources_of<'v>(key: &str, v: &'v Value) -> Result<Vec<(String, &'v Value)>, Refusal> {
    let Some(o) = v.as_object() else {
        return Err(Refusal::bad(format!(
            "`prefetch.{key}` must be a FHIR resource or Bundle, not {}",
            kind(v)
        )));
    };
    if o.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
        return Ok(vec![(format!("prefetch.{key}"), v)]);
    }
    let entries = match o.get("entry") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(Refusal::bad(format!(
                "`prefetch.{key}.entry` must be an array, not {}",
                kind(other)
            )))
        }
    };
    let mut out = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        match entry.get("resource") {
            Some(r @ Value::Object(_)) => out.push((format!("prefetch.{key}.entry[{i}]"), r)),
            _ => {
                return Err(Refusal::bad(format!(
                    "`prefetch.{key}.entry[{i}]` has no `resource` object"
                )))
            }
        }
    }
    Ok(out)
}

/// `(resourceType, id)` when the resource has both.
fn resource_identity(r: &Value) -> Option<(String, String)> {
    Some((
        r.get("resourceType")?.as_str()?.to_string(),
        r.get("id")?.as_str()?.to_string(),
    ))
}

/// Refuses a resource about someone else: a Patient whose id is not the
/// context's, or a subject that names another patient.
pub(super) fn about_patient(origin: &str, r: &Value, patient_id: &str) -> Result<(), Refusal> {
    let expected = format!("Patient/{patient_id}");
    if r.get("resourceType").and_then(Value::as_str) == Some("Patient") {
        let id = r.get("id").and_then(Value::as_str);
        if id != Some(patient_id) {
            return Err(Refusal::bad(format!(
                "{origin} is Patient/{}, not the patient in context ({expected}); nothing was evaluated",
                id.unwrap_or("<no id>")
            )));
        }
    }
    if let Some(subject) = r
        .get("subject")
        .and_then(|s| s.get("reference"))
        .and_then(Value::as_str)
    {
        // A reference may be absolute (`https://ehr/fhir/Patient/x`).
        let is_ours = subject == expected || subject.ends_with(&format!("/{expected}"));
        if !is_ours {
            return Err(Refusal::bad(format!(
                "{origin} is about `{subject}`, not the patient in context ({expected}); nothing was evaluated"
            )));
        }
    }
    Ok(())
}
