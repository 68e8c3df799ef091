//! What the service tells an EHR it offers (`GET /cds-services`): one
//! `patient-view` service per guideline, with prefetch templates derived from
//! the guideline's record bindings, so the EHR sends exactly the resources the
//! bindings read: the Patient for a birth date, and per bound observation or
//! condition a search by the codes the binding names.

use serde_json::{json, Map, Value};

use crate::model::{Code, FactId, Guideline, RecordSource};

/// The one hook served so far.
pub const PATIENT_VIEW: &str = "patient-view";

/// The key of the Patient prefetch.
pub const PATIENT_KEY: &str = "patient";

/// One prefetch template and the facts read from what the EHR sends for it.
#[derive(Clone, Debug, PartialEq)]
pub struct PrefetchKey {
    /// The key in the request's `prefetch` object.
    pub key: String,
    /// The FHIR query the EHR runs, with `{{context.patientId}}`.
    pub template: String,
    /// The facts whose bindings read this key's resources.
    pub facts: Vec<FactId>,
}

/// The prefetch templates of `g`, in fact order, the Patient first when a fact
/// is read from the birth date. A fact's key is its name; a non-birth-date
/// fact named `patient` gets `patient_fact`, so keys never clash.
pub fn prefetch_keys(g: &Guideline) -> Vec<PrefetchKey> {
    let mut keys: Vec<PrefetchKey> = Vec::new();
    let mut patient = PrefetchKey {
        key: PATIENT_KEY.into(),
        template: "Patient/{{context.patientId}}".into(),
        facts: Vec::new(),
    };
    for id in g.fact_ids() {
        let fact = g.fact(id);
        let Some(binding) = &fact.binding else { continue };
        let key = if fact.name == PATIENT_KEY {
            format!("{PATIENT_KEY}_fact")
        } else {
            fact.name.clone()
        };
        let search = |resource: &str, codes: &[Code]| PrefetchKey {
            key: key.clone(),
            template: format!(
                "{resource}?patient={{{{context.patientId}}}}&code={}",
                token_list(codes)
            ),
            facts: vec![id],
        };
        match &binding.source {
            RecordSource::BirthDate => patient.facts.push(id),
            RecordSource::Observation { codes, .. } => keys.push(search("Observation", codes)),
            RecordSource::Condition { codes, .. } => keys.push(search("Condition", codes)),
        }
    }
    if !patient.facts.is_empty() {
        keys.insert(0, patient);
    }
    keys
}

/// FHIR token search values, `system|code` joined by commas (any of them).
/// Codes are checked to be well formed (no commas, bars or spaces), so they
/// need no escaping; `%7C` is not used because EHRs expect the literal bar.
fn token_list(codes: &[Code]) -> String {
    let tokens: Vec<String> = codes.iter().map(|c| format!("{}|{}", c.system.uri(), c.code)).collect();
    tokens.join(",")
}

/// The discovery entry of the service for `g`.
pub fn service_json(g: &Guideline, keys: &[PrefetchKey]) -> Value {
    let mut prefetch = Map::new();
    for k in keys {
        prefetch.insert(k.key.clone(), Value::from(k.template.clone()));
    }
    json!({
        "hook": PATIENT_VIEW,
        "id": g.meta.id,
        "title": g.meta.title,
        "description": format!(
            "Advice from the guideline \"{}\" (version {}, {}), for the patient in view.",
            g.meta.title, g.meta.version, g.meta.status
        ),
        "prefetch": prefetch,
    })
}

/// The order services of `g` (`{id}-order-select`, `{id}-order-sign`), when
/// it has an action with order codes; none otherwise. Their prefetch is the
/// patient-view one: the order is checked against the same patient reading.
pub fn order_services_json(g: &Guideline, keys: &[PrefetchKey]) -> Vec<Value> {
    use super::orders::{has_orders, service_id, ORDER_SELECT, ORDER_SIGN};
    if !has_orders(g) {
        return Vec::new();
    }
    let coded: Vec<&str> = g
        .actions
        .iter()
        .filter(|a| !a.codes.is_empty())
        .map(|a| a.label.as_str())
        .collect();
    [(ORDER_SELECT, "selected"), (ORDER_SIGN, "about to be signed")]
        .into_iter()
        .map(|(hook, when)| {
            let mut entry = service_json(g, keys);
            entry["hook"] = Value::from(hook);
            entry["id"] = Value::from(service_id(&g.meta.id, hook));
            entry["description"] = Value::from(format!(
                "Checks orders {when} against the guideline \"{}\" (version {}, {}) for the patient: {}.",
                g.meta.title,
                g.meta.version,
                g.meta.status,
                coded.join(", ")
            ));
            entry
        })
        .collect()
}
