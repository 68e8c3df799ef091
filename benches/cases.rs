//! The representative cases of the evaluation benchmarks, shared by
//! `benches/eval.rs` (criterion) and `examples/eval_instructions.rs`
//! (instruction counts under callgrind).

/// Complete cases: every fact the spec names is given, so the differential
/// test's hand-written evaluator (`tests/it/common/naive.rs`, complete cases
/// only) decides them, and is the native baseline beside the interpreter.
pub const COMPLETE: [(&str, &str); 4] = [
    (
        "full",
        r#"{"als": true, "age": 67, "weight": 70, "height": 175, "ecog": 2, "respiratory_compromise": true,
            "dysphagia": true, "lineage": "myeloid", "apl_morphology": false, "pml_rara": "negative",
            "wbc": 180, "leukostasis": "pulmonary", "hydroxyurea_response": "refractory", "coagulopathy": false,
            "platelets": 25, "hemoglobin": 8, "anc": 0.3, "blasts": 25, "uric_acid": 9, "potassium": 6.2,
            "phosphate": 5, "calcium": 8, "creatinine": 1.4, "ldh": 900}"#,
    ),
    (
        "apl",
        r#"{"als": true, "age": 58, "weight": 82, "height": 180, "ecog": 1, "respiratory_compromise": false,
            "dysphagia": false, "lineage": "myeloid", "apl_morphology": true, "pml_rara": "positive",
            "wbc": 40, "leukostasis": "none", "hydroxyurea_response": "not_started", "coagulopathy": true,
            "platelets": 42, "hemoglobin": 9.5, "anc": 1.2, "blasts": 60, "uric_acid": 6, "potassium": 4.1,
            "phosphate": 3.9, "calcium": 9.1, "creatinine": 0.9, "ldh": 450}"#,
    ),
    (
        "quiet",
        r#"{"als": true, "age": 71, "weight": 60, "height": 165, "ecog": 3, "respiratory_compromise": false,
            "dysphagia": true, "lineage": "lymphoid", "apl_morphology": false, "pml_rara": "negative",
            "wbc": 12, "leukostasis": "none", "hydroxyurea_response": "not_started", "coagulopathy": false,
            "platelets": 120, "hemoglobin": 11, "anc": 2.5, "blasts": 10, "uric_acid": 5, "potassium": 4.0,
            "phosphate": 3.5, "calcium": 9.4, "creatinine": 1.0, "ldh": 300}"#,
    ),
    ("out-of-scope", r#"{"als": false, "wbc": 180}"#),
];

/// Incomplete cases, which the native baseline cannot decide (it reads an
/// absent fact as false): APL status unknown (the evaluator enumerates unknown
/// rules), and only `als` given.
pub const INCOMPLETE: [(&str, &str); 2] = [
    (
        "apl-unknown",
        r#"{"als": true, "weight": 70, "height": 175, "wbc": 180, "leukostasis": "pulmonary",
            "hydroxyurea_response": "refractory", "lineage": "myeloid", "platelets": 45}"#,
    ),
    ("sparse", r#"{"als": true}"#),
];
