//! The bundled ALS guideline's decisions written by hand as a native Rust
//! `if`-chain, as a speed baseline for the interpreter. Same semantics as
//! the guideline: an absent fact is unknown (Kleene logic on `Option<bool>`),
//! out of (or unknown) scope decides nothing, and an action is decided only
//! when every way its unknown rules could turn out gives the same verdict.
//! Undecided actions are left out of the result, as are doses and invariants
//! (the bundled rules never break their invariants).
//!
//! Same interface as the safety suite's `tests/common/naive.rs`, so either
//! can be benchmarked: `Patient::from_json`, `decide(&Patient)`.

use serde_json::Value;

/// A patient's facts; `None` is unknown.
#[derive(Clone, Debug, Default)]
pub struct Patient {
    pub als: Option<bool>,
    pub lineage: Option<String>,
    pub apl_morphology: Option<bool>,
    pub pml_rara: Option<String>,
    pub wbc: Option<f64>,
    pub leukostasis: Option<String>,
    pub hydroxyurea_response: Option<String>,
    pub coagulopathy: Option<bool>,
    pub platelets: Option<f64>,
    pub anc: Option<f64>,
    pub uric_acid: Option<f64>,
    pub potassium: Option<f64>,
    pub phosphate: Option<f64>,
    pub calcium: Option<f64>,
}

impl Patient {
    /// Reads the facts the decisions use from a case object.
    pub fn from_json(v: &Value) -> Patient {
        let b = |k: &str| v.get(k).and_then(Value::as_bool);
        let n = |k: &str| v.get(k).and_then(Value::as_f64);
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        Patient {
            als: b("als"),
            lineage: s("lineage"),
            apl_morphology: b("apl_morphology"),
            pml_rara: s("pml_rara"),
            wbc: n("wbc"),
            leukostasis: s("leukostasis"),
            hydroxyurea_response: s("hydroxyurea_response"),
            coagulopathy: b("coagulopathy"),
            platelets: n("platelets"),
            anc: n("anc"),
            uric_acid: n("uric_acid"),
            potassium: n("potassium"),
            phosphate: n("phosphate"),
            calcium: n("calcium"),
        }
    }
}

type T = Option<bool>;

fn and(a: T, b: T) -> T {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

fn or(a: T, b: T) -> T {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

fn not(a: T) -> T {
    a.map(|x| !x)
}

fn is(v: &Option<String>, value: &str) -> T {
    v.as_deref().map(|x| x == value)
}

/// The values a condition can still take.
fn could(t: T) -> &'static [bool] {
    match t {
        Some(true) => &[true],
        Some(false) => &[false],
        None => &[false, true],
    }
}

/// The decisions for a patient: (action, verdict) for every decided action.
pub fn decide(p: &Patient) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::with_capacity(20);
    if p.als != Some(true) {
        return out;
    }
    let hyper = p.wbc.map(|w| w > 100.0);
    let apl = or(p.apl_morphology, is(&p.pml_rara, "positive"));
    let leukostasis = p.leukostasis.as_deref().map(|l| l == "pulmonary" || l == "cerebral");
    let neutropenia = p.anc.map(|a| a < 0.5);
    let tls = {
        let items = [
            p.uric_acid.map(|x| x >= 8.0),
            p.potassium.map(|x| x >= 6.0),
            p.phosphate.map(|x| x >= 4.5),
            p.calcium.map(|x| x <= 7.0),
        ];
        let yes = items.iter().filter(|i| **i == Some(true)).count();
        let maybe = items.iter().filter(|i| i.is_none()).count();
        if yes >= 2 {
            Some(true)
        } else if yes + maybe < 2 {
            Some(false)
        } else {
            None
        }
    };
    out.push(("intensive_induction", "contraindicated"));
    out.push(("allogeneic_sct", "contraindicated"));
    out.push(("best_supportive_care", "recommend"));
    out.push(("goals_of_care_discussion", "recommend"));
    out.push(("lumbar_puncture", "avoid"));
    let mut single = |action: &'static str, verdict: &'static str, when: T| {
        if when == Some(true) {
            out.push((action, verdict));
        }
    };
    single("hydroxyurea", "recommend", hyper);
    single("iv_hydration", "recommend", hyper);
    single("rasburicase", "recommend", hyper);
    single("tls_monitoring", "recommend", or(hyper, tls));
    let palliative = and(is(&p.lineage, "myeloid"), not(apl));
    single("low_dose_cytarabine", "consider", palliative);
    single("hypomethylating_agent", "consider", palliative);
    single("rbc_transfusion", "avoid", hyper);
    single("antimicrobial_prophylaxis", "consider", neutropenia);
    single("central_venous_catheter", "avoid", or(p.coagulopathy, hyper));
    single("atra", "recommend", apl);
    single("arsenic_trioxide", "avoid", apl);
    // Two recommending rules: either one decides; unknown otherwise.
    let low = p.platelets.map(|x| x < 30.0);
    let risky = and(p.platelets.map(|x| x < 50.0), or(p.coagulopathy, apl));
    if or(low, risky) == Some(true) {
        out.push(("platelet_transfusion", "recommend"));
    }
    // Leukapheresis: contraindicated in APL; considered for refractory
    // leukostasis (over the general avoid); avoided in hyperleukocytosis.
    let refractory = and(and(hyper, leukostasis), is(&p.hydroxyurea_response, "refractory"));
    if apl == Some(true) {
        out.push(("leukapheresis", "contraindicated"));
    } else {
        let (mut first, mut same) = (None, true);
        for &c in could(apl) {
            for &k in could(refractory) {
                for &a in could(hyper) {
                    let v = if c {
                        "contraindicated"
                    } else if k {
                        "consider"
                    } else if a {
                        "avoid"
                    } else {
                        "none"
                    };
                    match first {
                        None => first = Some(v),
                        Some(f) if f != v => same = false,
                        Some(_) => {}
                    }
                }
            }
        }
        if let Some(v) = first.filter(|v| same && *v != "none") {
            out.push(("leukapheresis", v));
        }
    }
    out
}
