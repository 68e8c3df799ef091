//! Reading a patient record: a FHIR R4 Bundle (Patient, Observation,
//! Condition resources) turned into a [`Case`] by the bindings the guideline
//! declares on its facts ([`crate::model::Binding`]), with where each value
//! came from ([`Provenance`]).
//!
//! Pure library code: the bytes and the evaluation instant are passed in (no
//! files, no clock), so the browser build reads records too. The resource
//! shapes are a few serde structs (`shapes.rs`) with only the fields the
//! reading rules look at, rather than a full FHIR model crate: unknown fields
//! and resource types are ignored, and a known field of the wrong shape is an
//! error that names its entry. The rules themselves are in `select.rs`
//! (observations, conditions, the birth date) and `when.rs` (FHIR times).
//!
//! A record that fails to read yields only errors: nothing is evaluated from
//! it. A fact the record cannot give is unknown *with a reason*, never a
//! guess.

mod select;
mod shapes;
mod when;

use crate::facts::{Case, CaseError, Value};
use crate::model::{FactId, Guideline};

pub use when::{end_of_day, parse_instant, Instant};

/// Largest Bundle read, in bytes: a whole-patient export is a few MB; past
/// this it is not one patient's record.
pub const MAX_BUNDLE_BYTES: usize = 64 * 1024 * 1024;
/// Most entries read from one Bundle.
pub const MAX_BUNDLE_ENTRIES: usize = 200_000;

/// A record read against a guideline: the case it gives and, per fact, where
/// its value (or its absence) came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// The facts read, with `as_of` set to the evaluation instant's day.
    pub case: Case,
    /// Per fact slot: `None` for a fact that has no binding (and was not
    /// given by a case), else what was found.
    pub facts: Vec<Option<Provenance>>,
    /// The evaluation instant the record was read at.
    pub instant: Instant,
    /// Entries in the Bundle.
    pub entries: usize,
    /// The patient (`Patient/<id>`), when the Bundle holds one.
    pub patient: Option<String>,
}

/// Where one fact's value came from.
#[derive(Clone, Debug, PartialEq)]
pub enum Provenance {
    /// Read from a resource.
    Resource(Found),
    /// No matching condition, and the guideline states that the record is
    /// complete for it (`absent means false`): false.
    Absent {
        /// What was looked for.
        looked_for: String,
    },
    /// Given by the case (`--case`), overriding or completing the record.
    Case {
        /// What the record said for this fact, if it has a binding.
        record: Option<Box<Provenance>>,
    },
    /// The record cannot give this fact.
    Unknown {
        /// Why, in words a clinician acts on.
        reason: String,
    },
}

/// The resource a value was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    /// `Observation/abc`, or the entry's place when the resource has no id.
    pub resource: String,
    /// The entry's index in the Bundle (from 0).
    pub entry: usize,
    /// The value as the record gives it, with its unit: `150000 /uL`.
    pub original: String,
    /// Its time as the record writes it (the observation's effective time,
    /// the condition's recorded date), if any.
    pub time: Option<String>,
    /// Its status (`final`, `active/confirmed`), if any.
    pub status: Option<String>,
}

impl Provenance {
    /// The word the JSON contract uses for the kind of source.
    pub fn kind(&self) -> &'static str {
        match self {
            Provenance::Resource(_) => "record",
            Provenance::Absent { .. } => "absent",
            Provenance::Case { .. } => "case",
            Provenance::Unknown { .. } => "unknown",
        }
    }
}

/// Reads `bundle` (JSON bytes) against `g` at `instant`. Every problem found
/// is returned (each naming its entry); on any problem, no case.
pub fn read_record(g: &Guideline, bundle: &[u8], instant: Instant) -> Result<Record, Vec<CaseError>> {
    let parsed = shapes::parse_bundle(bundle)?;
    let mut case = Case::empty(g);
    let mut facts = vec![None; g.facts.len()];
    let mut errors = Vec::new();
    for id in g.fact_ids() {
        let Some(binding) = &g.fact(id).binding else { continue };
        match select::read_fact(g, id, &binding.source, &parsed, instant) {
            Ok((value, provenance)) => {
                case.set(id, value);
                facts[id.index()] = Some(provenance);
            }
            Err(e) => errors.push(e),
        }
    }
    if let Err(e) = case.set_as_of(g, instant.day()) {
        errors.extend(e);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Record {
        case,
        facts,
        instant,
        entries: parsed.entries,
        patient: parsed.patient_name(),
    })
}

impl Record {
    /// Lays `given` (a validated case) over the record: each fact the case
    /// gives replaces the record's value, and its provenance says so. The
    /// case's `as_of`, if any, must be the record's day (the record was read
    /// at that instant); a mismatch is an error.
    pub fn complete_with(&mut self, g: &Guideline, given: &Case) -> Result<(), Vec<CaseError>> {
        let mut errors = Vec::new();
        if let Some(day) = given.as_of() {
            if day != self.instant.day() {
                errors.push(CaseError {
                    key: Some(crate::facts::AS_OF_KEY.to_string()),
                    message: format!(
                        "the case's `as_of` is {}, but the record was read as of {}",
                        crate::time::format_day(day),
                        self.instant
                    ),
                    help: "give one evaluation date: `--as-of`, or the case's \"as_of\" alone".into(),
                });
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        for id in g.fact_ids() {
            let Some(v) = given.get(id) else { continue };
            self.case.set(id, Some(v));
            let before = self.facts[id.index()].take().map(Box::new);
            self.facts[id.index()] = Some(Provenance::Case { record: before });
        }
        // A date the case gives must not be after the record's day either.
        self.case.set_as_of(g, self.instant.day())
    }

    /// The provenance of fact `id`, if the record or a case speaks of it.
    pub fn provenance(&self, id: FactId) -> Option<&Provenance> {
        self.facts.get(id.index()).and_then(Option::as_ref)
    }

    /// The value of fact `id` in the merged case.
    pub fn value(&self, id: FactId) -> Option<Value> {
        self.case.get(id)
    }
}

#[cfg(test)]
mod tests;
