//! The FHIR R4 shapes the reader needs — Bundle, Patient, Observation,
//! Condition — with only the fields the reading rules look at. Unknown
//! fields and resource types are ignored (records are full of them); a
//! known field of the wrong JSON type, or a time that is not a FHIR time,
//! is an error naming the entry, and then nothing is read.

use serde::Deserialize;
use serde_json::Value as Json;

use super::when::{parse_fhir_time, Span};
use super::{MAX_BUNDLE_BYTES, MAX_BUNDLE_ENTRIES};
use crate::facts::CaseError;

/// `CodeableConcept`: the codings (text is not matched: codes are).
#[derive(Deserialize, Debug, Default, Clone)]
pub struct Concept {
    #[serde(default)]
    pub coding: Vec<Coding>,
}

/// `Coding`.
#[derive(Deserialize, Debug, Default, Clone)]
pub struct Coding {
    pub system: Option<String>,
    pub code: Option<String>,
}

impl Concept {
    /// The codes of a status concept (`active`, `confirmed`).
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.coding.iter().filter_map(|c| c.code.as_deref())
    }
}

/// `Quantity`.
#[derive(Deserialize, Debug, Default, Clone)]
pub struct Quantity {
    pub value: Option<f64>,
    pub comparator: Option<String>,
    pub unit: Option<String>,
    pub system: Option<String>,
    pub code: Option<String>,
}

/// `Period`.
#[derive(Deserialize, Debug, Default, Clone)]
struct Period {
    start: Option<String>,
    end: Option<String>,
}

/// `Reference`.
#[derive(Deserialize, Debug, Default, Clone)]
struct Reference {
    reference: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
struct ObservationJson {
    // Read only so that an id that is not text is refused.
    #[allow(dead_code)]
    id: Option<String>,
    status: Option<String>,
    code: Option<Concept>,
    subject: Option<Reference>,
    effective_date_time: Option<String>,
    effective_instant: Option<String>,
    effective_period: Option<Period>,
    issued: Option<String>,
    value_quantity: Option<Quantity>,
    value_integer: Option<i64>,
    value_boolean: Option<bool>,
    data_absent_reason: Option<Concept>,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
struct ConditionJson {
    // Read only so that an id that is not text is refused.
    #[allow(dead_code)]
    id: Option<String>,
    clinical_status: Option<Concept>,
    verification_status: Option<Concept>,
    code: Option<Concept>,
    subject: Option<Reference>,
    recorded_date: Option<String>,
    onset_date_time: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
struct PatientJson {
    id: Option<String>,
    birth_date: Option<String>,
}

/// An observation's value, as far as the reader reads values.
#[derive(Debug, Clone)]
pub enum ObsValue {
    /// `valueQuantity`.
    Quantity(Quantity),
    /// `valueInteger`.
    Integer(i64),
    /// `valueBoolean`.
    Boolean(bool),
    /// Some other `value[x]` (string, CodeableConcept, ...), by its key.
    Other(String),
    /// No value.
    Missing,
}

/// One Observation entry.
#[derive(Debug, Clone)]
pub struct Observation {
    pub entry: usize,
    pub name: String,
    pub status: Option<String>,
    pub code: Concept,
    /// The time as written, and the span it covers.
    pub time: Option<(String, Span)>,
    pub value: ObsValue,
    pub data_absent: Option<String>,
}

/// One Condition entry.
#[derive(Debug, Clone)]
pub struct Condition {
    pub entry: usize,
    pub name: String,
    pub clinical: Vec<String>,
    pub verification: Vec<String>,
    pub code: Concept,
    /// When it entered the record (recorded date, else onset), as written and as a span.
    pub recorded: Option<(String, Span)>,
}

/// The Patient entry.
#[derive(Debug, Clone)]
pub struct Patient {
    pub entry: usize,
    pub name: String,
    pub birth_date: Option<String>,
}

/// A Bundle, read.
#[derive(Debug, Default)]
pub struct Parsed {
    pub entries: usize,
    pub patient: Option<Patient>,
    pub observations: Vec<Observation>,
    pub conditions: Vec<Condition>,
}

impl Parsed {
    pub fn patient_name(&self) -> Option<String> {
        self.patient.as_ref().map(|p| p.name.clone())
    }
}

fn error(message: String, help: &str) -> CaseError {
    CaseError {
        key: None,
        message,
        help: help.to_string(),
    }
}

/// Reads the Bundle; every malformed entry is reported.
pub fn parse_bundle(bytes: &[u8]) -> Result<Parsed, Vec<CaseError>> {
    if bytes.len() > MAX_BUNDLE_BYTES {
        return Err(vec![error(
            format!(
                "the record is {} bytes; a Bundle is limited to {MAX_BUNDLE_BYTES} bytes",
                bytes.len()
            ),
            "give one patient's Bundle",
        )]);
    }
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let json: Json = serde_json::from_slice(bytes).map_err(|e| {
        vec![error(
            format!("the record is not JSON: {e}"),
            "a record is a FHIR R4 Bundle in JSON: {\"resourceType\": \"Bundle\", \"entry\": [...]}",
        )]
    })?;
    let Json::Object(bundle) = &json else {
        return Err(vec![error(
            "the record is not a JSON object".into(),
            "a record is a FHIR R4 Bundle in JSON: {\"resourceType\": \"Bundle\", \"entry\": [...]}",
        )]);
    };
    match bundle.get("resourceType").and_then(Json::as_str) {
        Some("Bundle") => {}
        other => {
            return Err(vec![error(
                format!(
                    "the record is not a FHIR Bundle (its resourceType is {})",
                    other.map_or_else(|| "missing".to_string(), |t| format!("\"{t}\""))
                ),
                "export the patient as a Bundle (searchset, collection or transaction)",
            )])
        }
    }
    let entries = match bundle.get("entry") {
        None => &Vec::new(),
        Some(Json::Array(a)) => a,
        Some(_) => {
            return Err(vec![error(
                "the Bundle's `entry` is not a list".into(),
                "`entry` is a JSON array of {\"fullUrl\": ..., \"resource\": {...}}",
            )])
        }
    };
    if entries.len() > MAX_BUNDLE_ENTRIES {
        return Err(vec![error(
            format!(
                "the Bundle has {} entries; at most {MAX_BUNDLE_ENTRIES} are read",
                entries.len()
            ),
            "give one patient's Bundle",
        )]);
    }
    let mut parsed = Parsed {
        entries: entries.len(),
        ..Parsed::default()
    };
    let mut errors = Vec::new();
    let mut subjects: Vec<(usize, String, String)> = Vec::new();
    let mut patient_refs: Vec<String> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        if errors.len() >= crate::facts::MAX_CASE_ERRORS {
            break;
        }
        if let Err(e) = parse_entry(i, entry, &mut parsed, &mut subjects, &mut patient_refs) {
            errors.push(e);
        }
    }
    // Resources about another patient must not be mixed into this one's facts.
    if !patient_refs.is_empty() {
        for (i, name, subject) in subjects {
            if !patient_refs.contains(&subject) {
                errors.push(error(
                    format!(
                        "entry {i} ({name}) is about `{subject}`, not the record's patient ({})",
                        patient_refs.join(", ")
                    ),
                    "give one patient's Bundle; resources about another patient are never mixed in",
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(errors)
    }
}

fn parse_entry(
    i: usize,
    entry: &Json,
    parsed: &mut Parsed,
    subjects: &mut Vec<(usize, String, String)>,
    patient_refs: &mut Vec<String>,
) -> Result<(), CaseError> {
    let full_url = entry.get("fullUrl").and_then(Json::as_str);
    let place = |what: &str| match full_url {
        Some(u) => format!("entry {i} ({u}) {what}"),
        None => format!("entry {i} {what}"),
    };
    let Some(resource) = entry.get("resource") else {
        return Err(error(
            place("has no `resource`"),
            "every entry of the Bundle carries its resource",
        ));
    };
    let Some(kind) = resource.get("resourceType").and_then(Json::as_str) else {
        return Err(error(
            place("has a resource without a `resourceType`"),
            "every resource names its type, e.g. \"resourceType\": \"Observation\"",
        ));
    };
    if !matches!(kind, "Patient" | "Observation" | "Condition") {
        return Ok(());
    }
    let id = resource.get("id").and_then(Json::as_str);
    let name = match (id, full_url) {
        (Some(id), _) => format!("{kind}/{id}"),
        (None, Some(u)) => u.to_string(),
        (None, None) => format!("{kind} at entry {i}"),
    };
    let malformed = |e: String| {
        let at = match full_url {
            Some(u) if id.is_some() => format!("entry {i} ({name}, {u})"),
            _ => format!("entry {i} ({name})"),
        };
        error(
            format!("{at} is not a valid {kind}: {e}"),
            "correct the resource in the export; nothing is read from a record with a malformed entry",
        )
    };
    let time = |field: &str, text: Option<String>| -> Result<Option<(String, Span)>, CaseError> {
        match text {
            None => Ok(None),
            Some(t) => match parse_fhir_time(&t) {
                Ok(span) => Ok(Some((t, span))),
                Err(why) => Err(malformed(format!("`{field}`: {why}"))),
            },
        }
    };
    match kind {
        "Patient" => {
            let p: PatientJson = serde_json::from_value(resource.clone()).map_err(|e| malformed(e.to_string()))?;
            if let Some(first) = &parsed.patient {
                return Err(error(
                    format!(
                        "entry {i} ({name}) is a second Patient; the record already holds {} (entry {})",
                        first.name, first.entry
                    ),
                    "give one patient's Bundle",
                ));
            }
            patient_refs.extend(p.id.as_ref().map(|id| format!("Patient/{id}")));
            patient_refs.extend(full_url.map(str::to_string));
            parsed.patient = Some(Patient {
                entry: i,
                name,
                birth_date: p.birth_date,
            });
        }
        "Observation" => {
            let o: ObservationJson = serde_json::from_value(resource.clone()).map_err(|e| malformed(e.to_string()))?;
            let effective = o
                .effective_date_time
                .map(|t| ("effectiveDateTime", t))
                .or(o.effective_instant.map(|t| ("effectiveInstant", t)))
                .or_else(|| {
                    let p = o.effective_period.as_ref()?;
                    p.end
                        .clone()
                        .map(|t| ("effectivePeriod.end", t))
                        .or(p.start.clone().map(|t| ("effectivePeriod.start", t)))
                })
                .or(o.issued.map(|t| ("issued", t)));
            let time = match effective {
                Some((field, t)) => time(field, Some(t))?,
                None => None,
            };
            let other = resource.as_object().and_then(|m| {
                m.keys()
                    .find(|k| {
                        k.starts_with("value")
                            && !matches!(k.as_str(), "valueQuantity" | "valueInteger" | "valueBoolean")
                    })
                    .cloned()
            });
            let value = match (o.value_quantity, o.value_integer, o.value_boolean, other) {
                (Some(q), _, _, _) => ObsValue::Quantity(q),
                (_, Some(n), _, _) => ObsValue::Integer(n),
                (_, _, Some(b), _) => ObsValue::Boolean(b),
                (_, _, _, Some(k)) => ObsValue::Other(k),
                _ => ObsValue::Missing,
            };
            if let Some(s) = o.subject.and_then(|s| s.reference) {
                subjects.push((i, name.clone(), s));
            }
            let data_absent = o.data_absent_reason.map(|c| {
                c.codes()
                    .next()
                    .map_or_else(|| "given without a code".to_string(), str::to_string)
            });
            parsed.observations.push(Observation {
                entry: i,
                name,
                status: o.status,
                code: o.code.unwrap_or_default(),
                time,
                value,
                data_absent,
            });
        }
        _ => {
            let c: ConditionJson = serde_json::from_value(resource.clone()).map_err(|e| malformed(e.to_string()))?;
            let recorded = match (c.recorded_date, c.onset_date_time) {
                (Some(t), _) => time("recordedDate", Some(t))?,
                (None, Some(t)) => time("onsetDateTime", Some(t))?,
                (None, None) => None,
            };
            if let Some(s) = c.subject.and_then(|s| s.reference) {
                subjects.push((i, name.clone(), s));
            }
            parsed.conditions.push(Condition {
                entry: i,
                name,
                clinical: c
                    .clinical_status
                    .iter()
                    .flat_map(|s| s.codes().map(str::to_string))
                    .collect(),
                verification: c
                    .verification_status
                    .iter()
                    .flat_map(|s| s.codes().map(str::to_string))
                    .collect(),
                code: c.code.unwrap_or_default(),
                recorded,
            });
        }
    }
    Ok(())
}
