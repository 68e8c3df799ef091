//! A decision's dose in words and in JSON, the one place every report reads
//! it from: a fixed amount ("5 mg twice daily"), an amount multiplied out for
//! the patient ("3500–4200 mg/day (50–60 mg/kg/day × 70 kg)"), capped ("800
//! mg/day (… capped at 800 mg/day)"), one not computable yet (with the facts
//! it needs), and a choice still pending (the amounts it can end in and the
//! facts that settle it).

use serde::Serialize;

use super::words::record_phrase;
use super::{fmt_num, fmt_range};
use crate::eval::DoseResult;
use crate::model::{DoseAmount, FactId, Guideline};

/// The dose as a report line shows it: the part after the verdict, and the
/// lines that follow (what to record).
pub(crate) struct DoseWords {
    /// "3500–4200 mg/day (50–60 mg/kg/day × 70 kg)".
    pub head: String,
    /// "dose: record the body weight to compute it".
    pub later: Vec<String>,
}

/// The spec of amount `k` of the dose of `r`'s rule.
fn spec<'g>(g: &'g Guideline, r: &DoseResult, k: usize) -> Option<&'g DoseAmount> {
    g.rule(r.rule).dose.as_ref()?.branches.get(k).map(|b| &b.amount)
}

/// "50–60 mg/kg/day" or "5 mg".
fn written(a: &DoseAmount) -> String {
    fmt_range(a.low, a.high, &a.unit.to_string())
}

fn with_how(text: String, a: &DoseAmount) -> String {
    match &a.how {
        Some(how) => format!("{text} {how}"),
        None => text,
    }
}

/// One amount for this patient, or what it is per unit when it cannot be computed.
fn amount_text(a: &DoseAmount, r: &DoseResult) -> String {
    let text = match (r.amount, r.by, &a.by) {
        (Some((lo, hi)), _, None) => fmt_range(lo, hi, &a.result_unit.to_string()),
        (Some((lo, hi)), Some(x), Some(by)) => {
            let cap = match a.cap {
                Some(cap) if r.capped => format!(", capped at {}", fmt_range(cap, cap, &a.result_unit.to_string())),
                _ => String::new(),
            };
            format!(
                "{} ({} × {} {}{cap})",
                fmt_range(lo, hi, &a.result_unit.to_string()),
                written(a),
                fmt_num(x),
                by.unit
            )
        }
        _ => match a.cap {
            Some(cap) => format!(
                "{}, at most {}",
                written(a),
                fmt_range(cap, cap, &a.result_unit.to_string())
            ),
            None => written(a),
        },
    };
    with_how(text, a)
}

/// Why an amount cannot be computed, as a line to act on.
fn not_computed(g: &Guideline, r: &DoseResult) -> Option<String> {
    if !r.not_finite.is_empty() {
        let given: Vec<&str> = r.not_finite.iter().map(|f| g.fact(*f).name.as_str()).collect();
        Some(format!(
            "dose: cannot be computed from the given {}: the result is not a finite number; check the value",
            given.join(", ")
        ))
    } else if r.amount.is_none() && !r.needs.is_empty() {
        Some(format!("dose: {} to compute it", record_phrase(g, &r.needs)))
    } else {
        None
    }
}

/// The dose in words; `None` when the rule states none.
pub(crate) fn words(g: &Guideline, r: &DoseResult) -> Option<DoseWords> {
    let dose = g.rule(r.rule).dose.as_ref()?;
    let mut later = Vec::new();
    let head = match r.branch {
        Some(k) => {
            let a = spec(g, r, k)?;
            later.extend(not_computed(g, r));
            if dose.is_chosen() {
                later.push(format!("dose: {}", criterion(g, r, k)));
            }
            amount_text(a, r)
        }
        None => {
            let options: Vec<String> = r
                .possible
                .iter()
                .filter_map(|p| Some(amount_text(spec(g, p, p.branch?)?, p)))
                .collect();
            later.push(format!("dose: {} to choose it", record_phrase(g, &r.settle)));
            for p in &r.possible {
                // Amounts by the same multiplier need the same facts: said once.
                if let Some(line) = not_computed(g, p).filter(|l| !later.contains(l)) {
                    later.push(line);
                }
            }
            format!("dose pending: {}", options.join(" or "))
        }
    };
    Some(DoseWords { head, later })
}

/// Why amount `k` was chosen: its criterion in words, or that none before it held.
fn criterion(g: &Guideline, r: &DoseResult, k: usize) -> String {
    let when = g
        .rule(r.rule)
        .dose
        .as_ref()
        .and_then(|d| d.branches.get(k))
        .and_then(|b| b.when.as_ref());
    match when {
        Some(e) => format!(
            "chosen because {}",
            super::english::plain(&super::english::condition(g, e))
        ),
        None => "chosen because no criterion for another amount holds".to_string(),
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn name_refs<'g>(g: &'g Guideline, facts: &[FactId]) -> Vec<&'g str> {
    facts.iter().map(|f| g.fact(*f).name.as_str()).collect()
}

/// A dose in the JSON contract. The fields of a range per unit (`per`, `by`,
/// `by_unit`, `needs`, `not_finite`) are as they always were; a fixed amount
/// has no `per`; the newer fields appear only on the forms that have them.
#[derive(Serialize)]
pub(super) struct DoseJson<'g> {
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    by_unit: Option<String>,
    /// The cap, in `unit`, when the amount has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    cap: Option<f64>,
    /// Whether the cap replaced a larger computed amount (with `cap`).
    #[serde(skip_serializing_if = "Option::is_none")]
    capped: Option<bool>,
    /// The criterion that chooses this amount, in words ("otherwise" for the last).
    #[serde(skip_serializing_if = "Option::is_none")]
    criterion: Option<String>,
    high: Option<f64>,
    /// How it is given ("twice daily").
    #[serde(skip_serializing_if = "Option::is_none")]
    how: Option<&'g str>,
    low: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    needs: Option<Vec<&'g str>>,
    /// The given facts whose values leave the dose without a finite amount.
    #[serde(skip_serializing_if = "Option::is_none")]
    not_finite: Option<Vec<&'g str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    per: Option<PerJson>,
    /// While the choice of amount is pending: the amounts it can end in.
    #[serde(skip_serializing_if = "Option::is_none")]
    possible: Option<Vec<DoseJson<'g>>>,
    rule: &'g str,
    /// While the choice of amount is pending: the absent facts that settle it.
    #[serde(skip_serializing_if = "Option::is_none")]
    settled_by: Option<Vec<&'g str>>,
    text: String,
    unit: String,
}

#[derive(Serialize)]
struct PerJson {
    high: f64,
    low: f64,
    unit: String,
}

/// The JSON of one dose; `None` when the rule states none.
pub(super) fn json<'g>(g: &'g Guideline, r: &DoseResult) -> Option<DoseJson<'g>> {
    let dose = g.rule(r.rule).dose.as_ref()?;
    let rule = g.rule(r.rule).id.as_str();
    let Some(k) = r.branch else {
        let possible: Vec<DoseJson> = r.possible.iter().filter_map(|p| json(g, p)).collect();
        let options: Vec<&str> = possible.iter().map(|p| p.text.as_str()).collect();
        let text = format!(
            "{}, depending on {}",
            options.join(" or "),
            name_refs(g, &r.settle).join(", ")
        );
        return Some(DoseJson {
            by: None,
            by_unit: None,
            cap: None,
            capped: None,
            criterion: None,
            high: None,
            how: None,
            low: None,
            needs: None,
            not_finite: None,
            per: None,
            possible: Some(possible),
            rule,
            settled_by: Some(name_refs(g, &r.settle)),
            text,
            unit: dose.branches.first()?.amount.result_unit.to_string(),
        });
    };
    let a = spec(g, r, k)?;
    let per = a.by.as_ref().map(|_| PerJson {
        high: a.high,
        low: a.low,
        unit: a.unit.to_string(),
    });
    let computed = r.amount.is_some();
    let text = match (computed, a.by.is_some()) {
        (true, _) | (false, false) => amount_text(a, r),
        (false, true) if r.not_finite.is_empty() => format!(
            "{}; the dose cannot be computed without {}",
            amount_text(a, r),
            name_refs(g, &r.needs).join(", ")
        ),
        (false, true) => format!(
            "{}; the dose cannot be computed from the given {}: the result is not a finite number",
            amount_text(a, r),
            name_refs(g, &r.not_finite).join(", ")
        ),
    };
    let by_computed = computed && a.by.is_some();
    Some(DoseJson {
        by: r.by.filter(|_| by_computed).map(round4),
        by_unit: a.by.as_ref().filter(|_| by_computed).map(|b| b.unit.to_string()),
        cap: a.cap,
        capped: a.cap.map(|_| r.capped),
        criterion: dose
            .is_chosen()
            .then(|| match dose.branches.get(k).and_then(|b| b.when.as_ref()) {
                Some(e) => super::english::plain(&super::english::condition(g, e)),
                None => "otherwise".to_string(),
            }),
        high: r.amount.map(|(_, hi)| round4(hi)),
        how: a.how.as_deref(),
        low: r.amount.map(|(lo, _)| round4(lo)),
        needs: (a.by.is_some() && !computed && r.not_finite.is_empty()).then(|| name_refs(g, &r.needs)),
        not_finite: (!r.not_finite.is_empty()).then(|| name_refs(g, &r.not_finite)),
        per,
        possible: None,
        rule,
        settled_by: None,
        text,
        unit: a.result_unit.to_string(),
    })
}
