//! How a fact is found in a patient record (FHIR R4): the binding a fact
//! declares next to its type. The checker fills these in from the source
//! (codes well-formed, units convertible, a window on every observation);
//! the record reader (`crate::fhir`) follows them and nothing else, so what a
//! guideline reads from a record is written in the guideline, where an editor
//! reviews it.

use crate::diagnostics::Span;

/// Where a fact's value comes from in a record.
#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    /// What to look for.
    pub source: RecordSource,
    /// The binding as written, for diagnostics and hover.
    pub span: Span,
}

/// The kinds of record entry a fact may be read from.
#[derive(Clone, Debug, PartialEq)]
pub enum RecordSource {
    /// The latest usable Observation with one of `codes` inside the window.
    /// A number fact reads `valueQuantity`, converted from its UCUM unit to the
    /// fact's unit (through the fact's molar mass where mass and amount meet);
    /// an integer fact reads `valueInteger` or a unitless `valueQuantity`; a
    /// bool fact reads `valueBoolean`.
    Observation {
        /// Any of these codes (laboratories differ in the code they use).
        codes: Vec<Code>,
        /// How far back a result still counts, before the evaluation instant.
        window: Window,
        /// Whether a `preliminary` result may be used when no final one is.
        accept_preliminary: bool,
    },
    /// A bool fact: true when an active, confirmed Condition with one of
    /// `codes` is in the record.
    Condition {
        /// Any of these codes.
        codes: Vec<Code>,
        /// The file states that the record is complete for this condition:
        /// its absence reads as false. Otherwise absence is unknown.
        absent_means_false: bool,
    },
    /// `Patient.birthDate`: whole years at the evaluation date for an
    /// integer or number fact (in `a`), the day itself for a date fact.
    BirthDate,
}

/// A code in a code system.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Code {
    /// The system it belongs to.
    pub system: CodeSystem,
    /// The code as FHIR writes it: `6690-2`, `86044005`, `G12.21`.
    pub code: String,
    /// Where it is written.
    pub span: Span,
}

/// The code systems a binding may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CodeSystem {
    /// LOINC, for laboratory results and vital signs.
    Loinc,
    /// SNOMED CT.
    Snomed,
    /// ICD-10 (WHO).
    Icd10,
    /// ICD-10-CM (the United States' clinical modification).
    Icd10Cm,
    /// RxNorm (the United States' National Library of Medicine), for
    /// medicines: an action's order codes, never a fact's binding.
    RxNorm,
}

impl CodeSystem {
    /// The system URI a FHIR `Coding.system` carries.
    pub fn uri(self) -> &'static str {
        match self {
            CodeSystem::Loinc => "http://loinc.org",
            CodeSystem::Snomed => "http://snomed.info/sct",
            CodeSystem::Icd10 => "http://hl7.org/fhir/sid/icd-10",
            CodeSystem::Icd10Cm => "http://hl7.org/fhir/sid/icd-10-cm",
            CodeSystem::RxNorm => "http://www.nlm.nih.gov/research/umls/rxnorm",
        }
    }

    /// The word a guideline writes for it.
    pub fn keyword(self) -> &'static str {
        match self {
            CodeSystem::Loinc => "loinc",
            CodeSystem::Snomed => "snomed",
            CodeSystem::Icd10 => "icd10",
            CodeSystem::Icd10Cm => "icd10cm",
            CodeSystem::RxNorm => "rxnorm",
        }
    }

    /// Every system, in keyword order.
    pub const ALL: [CodeSystem; 5] = [
        CodeSystem::Icd10,
        CodeSystem::Icd10Cm,
        CodeSystem::Loinc,
        CodeSystem::RxNorm,
        CodeSystem::Snomed,
    ];

    /// The systems an action's order codes may use: procedures and services
    /// (SNOMED CT), medicines (RxNorm), laboratory tests (LOINC). ICD-10
    /// codes diagnoses, which are not ordered.
    pub const ORDERS: [CodeSystem; 3] = [CodeSystem::Loinc, CodeSystem::RxNorm, CodeSystem::Snomed];

    /// The systems a fact's record binding may use: RxNorm names medicines,
    /// which no fact is read from.
    pub const RECORDS: [CodeSystem; 4] = [
        CodeSystem::Icd10,
        CodeSystem::Icd10Cm,
        CodeSystem::Loinc,
        CodeSystem::Snomed,
    ];

    /// The system whose FHIR URI is `uri`, if any.
    pub fn from_uri(uri: &str) -> Option<CodeSystem> {
        CodeSystem::ALL.into_iter().find(|s| s.uri() == uri)
    }
}

/// A look-back window, in whole seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    /// How far back a result still counts.
    pub seconds: i64,
    /// Where it is written.
    pub span: Span,
}
