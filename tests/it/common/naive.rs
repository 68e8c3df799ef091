//! A deliberately naive evaluator of the ALS / hyperleukocytosis decision
//! table, written as plain `if`s straight from the spec's table (the
//! clinical source; docs/guideline.md summarises it), not from the `.gl` file, for
//! complete cases only. It knows nothing of guidelang: std and serde_json
//! only, so the benchmarks can include this file by path as the hand-written
//! native baseline.
#![allow(dead_code)]

use serde_json::Value;

/// The leukemia's lineage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lineage {
    /// AML.
    Myeloid,
    /// ALL.
    Lymphoid,
    /// Not yet known.
    Undetermined,
}

/// The PML-RARA test result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PmlRara {
    /// APL confirmed.
    Positive,
    /// No fusion found.
    Negative,
    /// Not back yet.
    Pending,
}

/// Clinical leukostasis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leukostasis {
    /// None.
    None,
    /// In the lungs.
    Pulmonary,
    /// In the brain.
    Cerebral,
}

/// How the white count answers hydroxyurea.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HydroxyureaResponse {
    /// Not given yet.
    NotStarted,
    /// Falling.
    Responding,
    /// Not falling.
    Refractory,
}

/// A patient: one field per fact of the spec, `None` when absent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Patient {
    /// Years.
    pub age: Option<f64>,
    /// kg.
    pub weight: Option<f64>,
    /// cm.
    pub height: Option<f64>,
    /// Pre-existing ALS.
    pub als: Option<bool>,
    /// Newly diagnosed acute leukemia.
    pub acute_leukemia: Option<bool>,
    /// 0–4.
    pub ecog: Option<f64>,
    /// ALS respiratory weakness.
    pub respiratory_compromise: Option<bool>,
    /// Bulbar dysfunction.
    pub dysphagia: Option<bool>,
    /// AML vs ALL.
    pub lineage: Option<Lineage>,
    /// APL suspected on the smear.
    pub apl_morphology: Option<bool>,
    /// Genetic confirmation of APL.
    pub pml_rara: Option<PmlRara>,
    /// 10^9/L.
    pub wbc: Option<f64>,
    /// Clinical leukostasis.
    pub leukostasis: Option<Leukostasis>,
    /// Response to hydroxyurea.
    pub hydroxyurea_response: Option<HydroxyureaResponse>,
    /// Uncontrolled coagulopathy / DIC.
    pub coagulopathy: Option<bool>,
    /// 10^9/L.
    pub platelets: Option<f64>,
    /// g/dL.
    pub hemoglobin: Option<f64>,
    /// 10^9/L.
    pub anc: Option<f64>,
    /// %.
    pub blasts: Option<f64>,
    /// mg/dL.
    pub uric_acid: Option<f64>,
    /// mmol/L.
    pub potassium: Option<f64>,
    /// mg/dL.
    pub phosphate: Option<f64>,
    /// mg/dL.
    pub calcium: Option<f64>,
    /// mg/dL.
    pub creatinine: Option<f64>,
    /// U/L.
    pub ldh: Option<f64>,
}

/// The thresholds of the spec's table, for test generators that want to hit
/// them whatever the guideline file says.
pub const THRESHOLDS: &[(&str, f64)] = &[
    ("wbc", 100.0),
    ("anc", 0.5),
    ("platelets", 30.0),
    ("platelets", 50.0),
    ("blasts", 20.0),
    ("blasts", 30.0),
    ("uric_acid", 8.0),
    ("potassium", 6.0),
    ("phosphate", 4.5),
    ("calcium", 7.0),
];

impl Patient {
    /// Reads a case object; a key of the wrong type or an unknown value reads
    /// as absent (the interpreter validates cases; this baseline does not).
    pub fn from_json(v: &Value) -> Patient {
        let num = |k: &str| v.get(k).and_then(Value::as_f64);
        let flag = |k: &str| v.get(k).and_then(Value::as_bool);
        let text = |k: &str| v.get(k).and_then(Value::as_str);
        Patient {
            age: num("age"),
            weight: num("weight"),
            height: num("height"),
            als: flag("als"),
            acute_leukemia: flag("acute_leukemia"),
            ecog: num("ecog"),
            respiratory_compromise: flag("respiratory_compromise"),
            dysphagia: flag("dysphagia"),
            lineage: match text("lineage") {
                Some("myeloid") => Some(Lineage::Myeloid),
                Some("lymphoid") => Some(Lineage::Lymphoid),
                Some("undetermined") => Some(Lineage::Undetermined),
                _ => None,
            },
            apl_morphology: flag("apl_morphology"),
            pml_rara: match text("pml_rara") {
                Some("positive") => Some(PmlRara::Positive),
                Some("negative") => Some(PmlRara::Negative),
                Some("pending") => Some(PmlRara::Pending),
                _ => None,
            },
            wbc: num("wbc"),
            leukostasis: match text("leukostasis") {
                Some("none") => Some(Leukostasis::None),
                Some("pulmonary") => Some(Leukostasis::Pulmonary),
                Some("cerebral") => Some(Leukostasis::Cerebral),
                _ => None,
            },
            hydroxyurea_response: match text("hydroxyurea_response") {
                Some("not_started") => Some(HydroxyureaResponse::NotStarted),
                Some("responding") => Some(HydroxyureaResponse::Responding),
                Some("refractory") => Some(HydroxyureaResponse::Refractory),
                _ => None,
            },
            coagulopathy: flag("coagulopathy"),
            platelets: num("platelets"),
            hemoglobin: num("hemoglobin"),
            anc: num("anc"),
            blasts: num("blasts"),
            uric_acid: num("uric_acid"),
            potassium: num("potassium"),
            phosphate: num("phosphate"),
            calcium: num("calcium"),
            creatinine: num("creatinine"),
            ldh: num("ldh"),
        }
    }
}

/// The notions the spec's table derives from the facts, for a complete case.
struct Derived {
    hyperleukocytosis: bool,
    apl: bool,
    apl_excluded: bool,
    leukostasis_present: bool,
    cytoreduction_indicated: bool,
    laboratory_tls: bool,
    refractory: bool,
}

fn derived(p: &Patient) -> Derived {
    let hyperleukocytosis = p.wbc.unwrap_or(0.0) > 100.0;
    let apl = p.apl_morphology.unwrap_or(false) || p.pml_rara == Some(PmlRara::Positive);
    let apl_excluded = p.pml_rara == Some(PmlRara::Negative) && p.apl_morphology == Some(false);
    let leukostasis_present = matches!(p.leukostasis, Some(Leukostasis::Pulmonary | Leukostasis::Cerebral));
    let criteria = [
        p.uric_acid.unwrap_or(0.0) >= 8.0,
        p.potassium.unwrap_or(0.0) >= 6.0,
        p.phosphate.unwrap_or(0.0) >= 4.5,
        p.calcium.unwrap_or(f64::INFINITY) <= 7.0,
    ];
    Derived {
        hyperleukocytosis,
        apl,
        apl_excluded,
        leukostasis_present,
        cytoreduction_indicated: hyperleukocytosis || leukostasis_present,
        laboratory_tls: criteria.iter().filter(|c| **c).count() >= 2,
        refractory: p.hydroxyurea_response == Some(HydroxyureaResponse::Refractory),
    }
}

/// Whether the guideline applies: pre-existing ALS and a new acute leukemia.
pub fn applies(p: &Patient) -> bool {
    p.als == Some(true) && p.acute_leukemia == Some(true)
}

/// The decisions for a complete case, as (action, verdict), in the order of
/// the spec's table (content 2.0.0). Absent facts read as false or zero: this
/// baseline is for complete cases only. Out of scope: no decisions at all.
pub fn decide(p: &Patient) -> Vec<(&'static str, &'static str)> {
    if !applies(p) {
        return Vec::new();
    }
    let d = derived(p);
    let neutropenia = p.anc.unwrap_or(f64::INFINITY) < 0.5;
    let coagulopathy = p.coagulopathy.unwrap_or(false);
    let myeloid = p.lineage == Some(Lineage::Myeloid);
    let platelets = p.platelets.unwrap_or(f64::INFINITY);
    let tumour_lysis_risk = d.hyperleukocytosis || d.laboratory_tls;

    let mut out = vec![
        ("intensive_induction", "contraindicated"),
        ("allogeneic_sct", "contraindicated"),
        ("best_supportive_care", "recommend"),
        ("goals_of_care_discussion", "recommend"),
    ];
    if d.cytoreduction_indicated {
        out.push(("hydroxyurea", "recommend"));
    }
    if d.apl {
        out.push(("leukapheresis", "contraindicated"));
    } else if d.leukostasis_present && d.refractory && d.apl_excluded {
        out.push(("leukapheresis", "consider"));
    } else if d.cytoreduction_indicated {
        out.push(("leukapheresis", "avoid"));
    }
    if tumour_lysis_risk {
        out.push(("iv_hydration", "recommend"));
        out.push(("rasburicase", "recommend"));
        out.push(("tls_monitoring", "recommend"));
    }
    if myeloid && !d.apl {
        out.push(("low_dose_cytarabine", "consider"));
        out.push(("hypomethylating_agent", "consider"));
    }
    if platelets <= 30.0 || (platelets <= 50.0 && (coagulopathy || d.apl)) {
        out.push(("platelet_transfusion", "recommend"));
    }
    if d.cytoreduction_indicated {
        out.push(("rbc_transfusion", "avoid"));
    }
    if neutropenia {
        out.push(("antimicrobial_prophylaxis", "consider"));
    }
    if coagulopathy || d.cytoreduction_indicated {
        out.push(("central_venous_catheter", "avoid"));
    }
    out.push(("lumbar_puncture", "avoid"));
    if d.apl {
        out.push(("atra", "recommend"));
        out.push(("arsenic_trioxide", "avoid"));
    }
    if d.cytoreduction_indicated {
        out.push(("growth_factors", "avoid"));
    }
    out
}

/// How many warnings each decided action carries on a complete case, from
/// the spec's "detail and warnings" column: (action, count), actions with
/// none left out.
pub fn warning_counts(p: &Patient) -> Vec<(&'static str, usize)> {
    let decided = decide(p);
    let verdict = |a: &str| decided.iter().find(|(x, _)| *x == a).map(|(_, v)| *v);
    let d = derived(p);
    let dysphagia = p.dysphagia.unwrap_or(false);
    let respiratory = p.respiratory_compromise.unwrap_or(false);
    let bsa = match (p.height, p.weight) {
        (Some(h), Some(w)) => (h * w / 3600.0).sqrt(),
        _ => 0.0,
    };
    let mut out = Vec::new();
    let mut count = |action: &'static str, n: usize| {
        if n > 0 && verdict(action).is_some() {
            out.push((action, n));
        }
    };
    count("hydroxyurea", usize::from(dysphagia));
    match verdict("leukapheresis") {
        Some("consider") => count("leukapheresis", usize::from(respiratory)),
        Some("avoid") => count(
            "leukapheresis",
            usize::from(d.leukostasis_present && d.refractory && !d.apl_excluded),
        ),
        _ => {}
    }
    count("iv_hydration", usize::from(respiratory) + usize::from(bsa > 2.2));
    count("rasburicase", 1);
    count("antimicrobial_prophylaxis", usize::from(dysphagia));
    count(
        "atra",
        usize::from(p.wbc.unwrap_or(0.0) > 10.0) + usize::from(dysphagia),
    );
    out.sort();
    out
}

/// How many notes a complete case shows.
pub fn note_count(p: &Patient) -> usize {
    if !applies(p) {
        return 0;
    }
    let d = derived(p);
    let blasts = p.blasts.unwrap_or(0.0);
    let azacitidine = p.lineage == Some(Lineage::Myeloid) && !d.apl && (20.0..=30.0).contains(&blasts);
    [d.hyperleukocytosis, true, d.laboratory_tls, azacitidine]
        .iter()
        .filter(|n| **n)
        .count()
}

/// The doses the table computes for a complete case, as (action, low, high)
/// in the unit of the dose: hydroxyurea mg/day from weight, IV hydration
/// L/day and low-dose cytarabine mg per dose from the Mosteller surface.
pub fn doses(p: &Patient) -> Vec<(&'static str, f64, f64)> {
    let decided = decide(p);
    let has = |a: &str| decided.iter().any(|(x, _)| *x == a);
    let bsa = match (p.height, p.weight) {
        (Some(h), Some(w)) => Some((h * w / 3600.0).sqrt()),
        _ => None,
    };
    let mut out = Vec::new();
    if let (true, Some(w)) = (has("hydroxyurea"), p.weight) {
        out.push(("hydroxyurea", 50.0 * w, 60.0 * w));
    }
    if let (true, Some(s)) = (has("iv_hydration"), bsa) {
        out.push(("iv_hydration", 2.5 * s, 3.0 * s));
    }
    if let (true, Some(s)) = (has("low_dose_cytarabine"), bsa) {
        out.push(("low_dose_cytarabine", 10.0 * s, 20.0 * s));
    }
    out
}
