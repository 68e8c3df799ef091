//! The order services (`{id}-order-select`, `{id}-order-sign`): a draft
//! order coded to one of the guideline's actions (`action ... coded snomed
//! 71791006`) is checked against what the guideline decides for the patient.
//!
//! A call reads `context.draftOrders` (a Bundle of MedicationRequest,
//! ServiceRequest, ...) and, for order-select, `context.selections` (the
//! orders just selected: only those are answered). Each order's codings
//! (`medicationCodeableConcept`, or `code`) are matched to actions by system
//! URI and code; the patient is read from the prefetch exactly as for
//! patient-view and evaluated once. Per matched order and action:
//!
//! - contraindicated → `critical`, avoid → `warning`, each with override
//!   reasons a clinician picks when going ahead anyway;
//! - the rules in conflict → `warning`: the guideline gives no advice;
//! - not decided, or scope not known → one `info` card naming the facts that
//!   would decide whether this order is safe;
//! - recommended, consider, no rule, or out of scope → no card: the order
//!   agrees with the guideline or the guideline says nothing about it, and
//!   a card that only agrees is noise in the ordering workflow.
//!
//! An order coded to nothing in the guideline gets no card, and no card is
//! ever about an action the order is not coded to.

use serde_json::{json, Map, Value};

use super::cards::{decision_detail, escape, facts_to_record, names};
use super::request::{about_patient, kind, HookRequest, Refusal};
use super::{Clock, Offered, Service};
use crate::eval::{Applicability, Evaluation, Outcome};
use crate::fhir::Record;
use crate::model::{ActionId, CodeSystem, Guideline, Verdict};
use crate::report::decision_words::{decision_words, to_decide_words};

/// The hook fired when a clinician selects an order.
pub const ORDER_SELECT: &str = "order-select";
/// The hook fired when a clinician signs orders.
pub const ORDER_SIGN: &str = "order-sign";

/// The code system of the override reasons on order cards. CDS Hooks names
/// no standard set; these are the service's own, stable so that the
/// feedback a clinician sends back can be counted by reason.
pub const OVERRIDE_SYSTEM: &str = "urn:guidelang:cds-hooks:override-reason";

/// The reasons a clinician may give for going ahead with an order the
/// guideline advises against: `(code, display)`. They cover the ways such
/// advice is rightly overridden: a judgement for this patient, advice built
/// on wrong data, a decision taken with the specialist team, and the
/// patient's informed choice.
pub const OVERRIDE_REASONS: [(&str, &str); 4] = [
    ("benefit-outweighs-risk", "Benefit outweighs the risk for this patient"),
    (
        "patient-data-incorrect",
        "The patient data behind this advice is wrong or out of date",
    ),
    ("specialist-decision", "Decided with the treating specialist or team"),
    (
        "patient-informed-choice",
        "The patient, informed of the risk, chose to go ahead",
    ),
];

/// Whether `g` has an action with order codes, so that its order services exist.
pub fn has_orders(g: &Guideline) -> bool {
    g.actions.iter().any(|a| !a.codes.is_empty())
}

/// The service id of `hook` for the guideline `id`: `{id}-{hook}`.
pub fn service_id(id: &str, hook: &str) -> String {
    format!("{id}-{hook}")
}

/// The guideline id and hook of an order service id, if it is one.
pub fn split_service_id(service: &str) -> Option<(&str, &'static str)> {
    [ORDER_SELECT, ORDER_SIGN].into_iter().find_map(|hook| {
        service
            .strip_suffix(hook)
            .and_then(|rest| rest.strip_suffix('-'))
            .filter(|id| !id.is_empty())
            .map(|id| (id, hook))
    })
}

/// One draft order as read from the request.
#[derive(Debug)]
struct DraftOrder {
    /// `MedicationRequest/x`, or the resource type alone without an id.
    reference: String,
    /// Its codings: system URI and code.
    codings: Vec<(String, String)>,
}

impl Service {
    /// Answers a call of the order service for `hook` of the guideline in `o`.
    pub(super) fn answer_orders(
        &self,
        o: &Offered,
        hook: &'static str,
        body: &[u8],
        base_url: &str,
    ) -> Result<Value, Refusal> {
        let g = &o.guideline;
        let mut call = super::request::parse(body)?;
        if call.hook != hook {
            return Err(Refusal::bad(format!(
                "service `{}` answers the `{hook}` hook, not `{}`",
                service_id(&g.meta.id, hook),
                call.hook
            )));
        }
        // The shape was checked by `parse`; the context is read again here
        // for the order fields, which only the order hooks carry.
        let context = context_of(body)?;
        let orders = draft_orders(&context, &call)?;
        let answered: Vec<&DraftOrder> = match hook {
            ORDER_SELECT => selected(&context, &orders)?,
            _ => orders.iter().collect(),
        };
        let instant = match self.clock {
            Clock::Fixed(i) => i,
            Clock::System => super::now().ok_or_else(|| Refusal {
                status: 500,
                message: "the server's clock is out of range; nothing was evaluated".into(),
                problems: Vec::new(),
            })?,
        };
        // As for patient-view: what the prefetch lacks, asked of the EHR's
        // FHIR server when the request allows it (never a guess).
        call.fetched = super::fetch::fetch_missing(&o.prefetch, &call, &self.fetch);
        let record = super::request::read_prefetch(g, &o.prefetch, &call, instant)?;
        let evaluation = o.program.evaluate(&record.case);
        let url = format!("{base_url}/guidelines/{}", g.meta.id);
        let mut cards = Vec::new();
        for order in answered {
            for (action, coding) in matched_actions(g, order) {
                if let Some(mut card) = order_card(g, &evaluation, &record, order, action, &coding, &url) {
                    card["uuid"] = Value::from(uuid::Uuid::new_v4().to_string());
                    cards.push(card);
                }
            }
        }
        Ok(json!({ "cards": cards }))
    }
}

/// The request's `context` object.
fn context_of(body: &[u8]) -> Result<Map<String, Value>, Refusal> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| Refusal::bad(format!("the request body is not valid JSON: {e}")))?;
    match value.get("context") {
        Some(Value::Object(c)) => Ok(c.clone()),
        _ => Err(Refusal::bad("the request has no `context` object")),
    }
}

/// The orders of `context.draftOrders`, each checked to be a resource about
/// the patient in context with well-formed codings.
fn draft_orders(context: &Map<String, Value>, call: &HookRequest) -> Result<Vec<DraftOrder>, Refusal> {
    let bundle = match context.get("draftOrders") {
        Some(Value::Object(b)) => b,
        Some(other) => {
            return Err(Refusal::bad(format!(
                "`context.draftOrders` must be a FHIR Bundle, not {}",
                kind(other)
            )))
        }
        None => return Err(Refusal::bad("the request has no `context.draftOrders`")),
    };
    if bundle.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
        return Err(Refusal::bad(
            "`context.draftOrders` must be a FHIR Bundle (`\"resourceType\": \"Bundle\"`)",
        ));
    }
    let entries = match bundle.get("entry") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(Refusal::bad(format!(
                "`context.draftOrders.entry` must be an array, not {}",
                kind(other)
            )))
        }
    };
    let mut out = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let place = format!("context.draftOrders.entry[{i}]");
        let Some(resource @ Value::Object(r)) = entry.get("resource") else {
            return Err(Refusal::bad(format!("`{place}` has no `resource` object")));
        };
        let place = format!("{place}.resource");
        let Some(resource_type) = r.get("resourceType").and_then(Value::as_str) else {
            return Err(Refusal::bad(format!("`{place}` has no `resourceType`")));
        };
        about_patient(&format!("`{place}`"), resource, &call.patient_id)?;
        let reference = match r.get("id") {
            Some(Value::String(id)) => format!("{resource_type}/{id}"),
            None => resource_type.to_string(),
            Some(other) => {
                return Err(Refusal::bad(format!(
                    "`{place}.id` must be a string, not {}",
                    kind(other)
                )))
            }
        };
        // Where each order type carries what is ordered; other types (a
        // NutritionOrder, a VisionPrescription) are coded to no action.
        let concept = match resource_type {
            "MedicationRequest" => Some("medicationCodeableConcept"),
            "ServiceRequest" | "DeviceRequest" => Some("code"),
            _ => None,
        };
        let codings = match concept.and_then(|c| r.get(c).map(|v| (c, v))) {
            Some((field, v)) => codings(v, &format!("{place}.{field}"))?,
            None => Vec::new(),
        };
        out.push(DraftOrder { reference, codings });
    }
    Ok(out)
}

/// The `(system, code)` pairs of a CodeableConcept; a coding without a
/// system or code matches nothing and is skipped, a wrongly typed one is
/// refused.
fn codings(concept: &Value, place: &str) -> Result<Vec<(String, String)>, Refusal> {
    let Value::Object(c) = concept else {
        return Err(Refusal::bad(format!(
            "`{place}` must be a CodeableConcept object, not {}",
            kind(concept)
        )));
    };
    let list = match c.get("coding") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(Refusal::bad(format!(
                "`{place}.coding` must be an array, not {}",
                kind(other)
            )))
        }
    };
    let mut out = Vec::new();
    for (j, coding) in list.iter().enumerate() {
        let at = format!("{place}.coding[{j}]");
        let Value::Object(coding) = coding else {
            return Err(Refusal::bad(format!(
                "`{at}` must be a Coding object, not {}",
                kind(coding)
            )));
        };
        let field = |name: &str| -> Result<Option<String>, Refusal> {
            match coding.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(other) => Err(Refusal::bad(format!(
                    "`{at}.{name}` must be a string, not {}",
                    kind(other)
                ))),
            }
        };
        if let (Some(system), Some(code)) = (field("system")?, field("code")?) {
            out.push((system, code));
        }
    }
    Ok(out)
}

/// The orders named by `context.selections`, each of which must be in the
/// draft orders.
fn selected<'o>(context: &Map<String, Value>, orders: &'o [DraftOrder]) -> Result<Vec<&'o DraftOrder>, Refusal> {
    let list = match context.get("selections") {
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(Refusal::bad(format!(
                "`context.selections` must be an array of order ids, not {}",
                kind(other)
            )))
        }
        None => {
            return Err(Refusal::bad(
                "the request has no `context.selections` (order-select answers about the selected orders)",
            ))
        }
    };
    let mut out: Vec<&DraftOrder> = Vec::new();
    for (i, s) in list.iter().enumerate() {
        let Some(id) = s.as_str() else {
            return Err(Refusal::bad(format!(
                "`context.selections[{i}]` must be a string like `MedicationRequest/123`, not {}",
                kind(s)
            )));
        };
        let Some(order) = orders.iter().find(|o| o.reference == id) else {
            return Err(Refusal::bad(format!(
                "`context.selections[{i}]` names `{id}`, which is not in `context.draftOrders`"
            )));
        };
        if !out.iter().any(|o| std::ptr::eq(*o, order)) {
            out.push(order);
        }
    }
    Ok(out)
}

/// The actions an order is coded to, in action order, each with the coding
/// that matched (`SNOMED CT 71791006`).
fn matched_actions(g: &Guideline, order: &DraftOrder) -> Vec<(ActionId, String)> {
    let mut out: Vec<(ActionId, String)> = Vec::new();
    for id in g.action_ids() {
        let action = g.action(id);
        let hit = order.codings.iter().find_map(|(system, code)| {
            let system = CodeSystem::from_uri(system)?;
            action
                .codes
                .iter()
                .find(|c| c.system == system && c.code == *code)
                .map(|c| format!("{} {}", system_words(c.system), c.code))
        });
        if let Some(coding) = hit {
            out.push((id, coding));
        }
    }
    out
}

fn system_words(s: CodeSystem) -> &'static str {
    match s {
        CodeSystem::Loinc => "LOINC",
        CodeSystem::Snomed => "SNOMED CT",
        CodeSystem::Icd10 => "ICD-10",
        CodeSystem::Icd10Cm => "ICD-10-CM",
        CodeSystem::RxNorm => "RxNorm",
    }
}

/// The card for `order`, coded to `action`, or `None` when the guideline
/// has nothing against it. The uuid is filled in by the caller.
fn order_card(
    g: &Guideline,
    e: &Evaluation,
    record: &Record,
    order: &DraftOrder,
    action: ActionId,
    coding: &str,
    document_url: &str,
) -> Option<Value> {
    let label = &g.action(action).label;
    let about = format!(
        "The draft order {} ({coding}) is **{}** in the guideline \"{}\".",
        escape(&order.reference),
        escape(label),
        escape(&g.meta.title)
    );
    let (summary, indicator, detail, reasons) = match &e.applicability {
        Applicability::NotApplicable => return None,
        Applicability::Unknown(needs) => (
            format!("{label} ordered: not known whether the guideline applies; record {}", names(g, needs)),
            "info",
            format!(
                "{about} Whether the guideline applies to this patient is not known yet, so it cannot say whether this order is safe.\n\n{}",
                facts_to_record(g, record, needs)
            ),
            false,
        ),
        Applicability::Applies => {
            let outcome = &e.actions.iter().find(|a| a.action == action)?.outcome;
            match outcome {
                Outcome::Silent => return None,
                Outcome::Decided(d) => {
                    let (indicator, headline) = match d.verdict {
                        Verdict::Contraindicated => ("critical", "contraindicated for this patient"),
                        Verdict::Avoid => ("warning", "avoid for this patient"),
                        Verdict::Recommend | Verdict::Consider => return None,
                    };
                    let words = decision_words(g, d);
                    (
                        format!("{label} ordered: {headline}"),
                        indicator,
                        format!("{about}\n\n{}", decision_detail(g, &words)),
                        true,
                    )
                }
                Outcome::Conflict(rules) => {
                    let ids: Vec<String> = rules.iter().map(|r| format!("`{}`", g.rule(*r).id)).collect();
                    (
                        format!("{label} ordered: the guideline's rules disagree; no advice"),
                        "warning",
                        format!(
                            "{about} The rules {} disagree and nothing in the guideline settles them, so it gives **no advice** on this order. The guideline must be corrected.",
                            ids.join(", ")
                        ),
                        false,
                    )
                }
                Outcome::Undecided { needs, .. } => {
                    let words = to_decide_words(g, outcome).unwrap_or_default();
                    let summary = if needs.is_empty() {
                        format!("{label} ordered: not decided whether it is safe")
                    } else {
                        format!("{label} ordered: not decided whether it is safe; record {}", names(g, needs))
                    };
                    (
                        summary,
                        "info",
                        format!(
                            "{about} The guideline does not decide yet whether this order is safe for the patient: {}\n\n{}",
                            escape(&words),
                            facts_to_record(g, record, needs)
                        ),
                        false,
                    )
                }
                Outcome::Withheld { .. } => {
                    let words = to_decide_words(g, outcome).unwrap_or_default();
                    (
                        format!("{label} ordered: not decided whether it is safe"),
                        "info",
                        format!("{about} The guideline does not decide this order: {}", escape(&words)),
                        false,
                    )
                }
            }
        }
    };
    let mut card = json!({
        "uuid": "",
        "summary": super::summary_of(&summary),
        "indicator": indicator,
        "detail": detail,
        "source": {
            "label": format!("{} {} ({})", g.meta.id, g.meta.version, g.hash),
            "url": document_url,
        },
    });
    if reasons {
        card["overrideReasons"] = override_reasons();
    }
    Some(card)
}

/// [`OVERRIDE_REASONS`] as CDS Hooks Codings.
pub fn override_reasons() -> Value {
    Value::Array(
        OVERRIDE_REASONS
            .iter()
            .map(|(code, display)| json!({ "system": OVERRIDE_SYSTEM, "code": code, "display": display }))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_service_id_is_a_guideline_id_a_dash_and_the_hook() {
        assert_eq!(split_service_id("apl-order-sign"), Some(("apl", ORDER_SIGN)));
        assert_eq!(split_service_id("a.b-c-order-select"), Some(("a.b-c", ORDER_SELECT)));
        for not_one in ["order-sign", "-order-sign", "apl-order-signs", "apl.order-sign", "apl"] {
            assert_eq!(split_service_id(not_one), None, "{not_one}");
        }
        assert_eq!(service_id("apl", ORDER_SELECT), "apl-order-select");
    }

    #[test]
    fn a_guideline_whose_id_is_another_ones_order_service_is_refused() {
        let text = |id: &str, coded: &str| {
            format!(
                "guideline {id}\n  version 1.0.0\n  status draft\n  applies when true\n\
                 fact x: bool\naction a \"A\"{coded}\nrule r: recommend a\n  when x\n"
            )
        };
        let coded = crate::load_str("a.gl", &text("apl", " coded snomed 9000001003")).expect("checks");
        let clash = crate::load_str("b.gl", &text("apl-order-sign", "")).expect("checks");
        let refused = Service::new(vec![coded.clone(), clash.clone()], Clock::System);
        assert!(refused.is_err_and(|e| e.contains("`apl-order-sign`")));
        // Without codes there is no order service, so no clash.
        let plain = crate::load_str("c.gl", &text("apl", "")).expect("checks");
        assert!(Service::new(vec![plain, clash], Clock::System).is_ok());
    }
}
