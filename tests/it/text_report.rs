//! The clinician's text report (issue 11), on a guideline written here so the
//! expectations do not move with the bundled guideline's content. Every
//! expected line is reasoned from the fixture below, not recorded.

use guidelang::eval::evaluate;
use guidelang::facts::parse_case;
use guidelang::model::Guideline;
use guidelang::report::{evaluation_text, TextOptions};

/// Six declared actions (three urgent), three definitions, a contraindication,
/// an avoid, a recommendation with a dose and warnings, a consideration, and
/// an invariant.
const FIXTURE: &str = r#"guideline triage-demo
  title "Triage demo"
  version 1.2.0
  status draft
  applies when als

reference 1 "Overview" year 2025
reference 2 "Apheresis" source "Journal" year 2002

action hydroxyurea "Hydroxyurea" urgent
action leukapheresis "Leukapheresis" urgent
action atra "ATRA (all-trans retinoic acid)" urgent
action induction "Intensive induction chemotherapy"
action central_line "Central venous catheter"
action supportive_care "Best supportive care"

fact als: bool "Pre-existing amyotrophic lateral sclerosis (ALS)"
fact wbc: number in 10^9/L from 0 "White blood cell count"
fact weight: number in kg from 20 to 350 "Body weight"
fact pml_rara: one of positive, negative, pending "PML-RARA result (genetic confirmation of APL)"
fact apl_morphology: bool "Promyelocytes with Auer rods on the smear"
fact coagulopathy: bool "Uncontrolled coagulopathy"

define hyperleukocytosis: wbc > 100 "Hyperleukocytosis (white count above 100 × 10^9/L)"
define apl_excluded: pml_rara is negative and not apl_morphology "APL excluded"
define apl: apl_morphology or pml_rara is positive "APL suspected or confirmed"

rule hydroxyurea-for-cytoreduction: recommend hydroxyurea
  when hyperleukocytosis
  dose 50 to 60 mg/kg/day by weight
  warn "Oral capsules: plan how they will be given."
  warn "Bleeding risk at the injection site." when coagulopathy
  cite 1, 2

rule no-induction-in-als: contraindicated induction
  when als
  detail "Whatever the age."
  cite 1

rule no-line-in-coagulopathy: avoid central_line
  when coagulopathy or hyperleukocytosis
  cite 1

rule supportive: recommend supportive_care
  when als
  cite 1

rule leukapheresis-if-apl-excluded: consider leukapheresis
  when hyperleukocytosis and apl_excluded
  cite 2

rule no-leukapheresis-in-apl: contraindicated leukapheresis
  when apl
  cite 2

rule atra-for-apl: recommend atra
  when apl
  cite 1

note emergency:
  when hyperleukocytosis
  says "A haematologic emergency."
  cite 1
"#;

fn guideline() -> Guideline {
    guidelang::load_str("triage-demo.gl", FIXTURE).unwrap()
}

fn report_of(g: &Guideline, case: &str, explain: bool) -> String {
    let case = parse_case(g, case).unwrap();
    let result = evaluate(g, &case);
    evaluation_text(g, &case, &result, TextOptions { color: false, explain })
}

fn report(case: &str) -> String {
    report_of(&guideline(), case, false)
}

/// The position of `needle`, which must be in `text`.
fn at(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("`{needle}` is not in the report:\n{text}"))
}

/// White count 150 with a weight: hyperleukocytosis; PML-RARA pending and no
/// smear: APL neither confirmed nor excluded.
const PENDING: &str = r#"{"als": true, "wbc": 150, "weight": 70, "pml_rara": "pending", "coagulopathy": false}"#;

#[test]
fn sections_come_in_triage_order() {
    let text = report(PENDING);
    let order = [
        "Triage demo — version 1.2.0 (draft)",
        "guideline triage-demo, sha256:",
        "\nPATIENT\n",
        "\nACT NOW (urgent)\n",
        "\nDO NOT\n",
        "\nALSO\n",
        "\nTO DECIDE (record these facts to decide)\n",
        "\nNOTES (information, not decisions)\n",
        "\nREFERENCES\n",
    ];
    let positions: Vec<usize> = order.iter().map(|s| at(&text, s)).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
}

#[test]
fn decisions_are_under_their_section_by_label_with_rule_and_citations() {
    let text = report(PENDING);
    let (act, dont, also, decide) = (
        at(&text, "ACT NOW"),
        at(&text, "DO NOT"),
        at(&text, "\nALSO"),
        at(&text, "TO DECIDE"),
    );
    // 50–60 mg/kg/day × 70 kg, by the urgent hydroxyurea.
    let hu = at(
        &text,
        "  Hydroxyurea — recommended, 3500–4200 mg/day (50–60 mg/kg/day × 70 kg) [1, 2] \
         (rule hydroxyurea-for-cytoreduction)\n      WARNING: Oral capsules: plan how they will be given.\n",
    );
    assert!(act < hu && hu < dont);
    // Contraindicated before avoid.
    let induction = at(
        &text,
        "  Intensive induction chemotherapy — CONTRAINDICATED [1] (rule no-induction-in-als)\n      Whatever the age.\n",
    );
    let line = at(
        &text,
        "  Central venous catheter — avoid [1] (rule no-line-in-coagulopathy)\n",
    );
    assert!(dont < induction && induction < line && line < also);
    // Not urgent: under ALSO, not ACT NOW.
    let care = at(&text, "  Best supportive care — recommended [1] (rule supportive)\n");
    assert!(also < care && care < decide);
    // Action ids never stand alone as a heading or name.
    for id in [
        "hydroxyurea",
        "induction",
        "central_line",
        "supportive_care",
        "atra",
        "leukapheresis",
    ] {
        assert!(
            !text
                .lines()
                .any(|l| l.trim() == id || l.trim_start().starts_with(&format!("{id} "))),
            "`{id}` stands alone:\n{text}"
        );
    }
}

#[test]
fn the_patient_summary_gives_facts_by_description_and_derived_notions_with_why() {
    let text = report(PENDING);
    let summary = &text[at(&text, "PATIENT")..at(&text, "ACT NOW")];
    assert_eq!(
        summary,
        "PATIENT
  given
    Pre-existing amyotrophic lateral sclerosis (ALS): yes
    White blood cell count: 150 × 10^9/L
    Body weight: 70 kg
    PML-RARA result (genetic confirmation of APL): pending
    Uncontrolled coagulopathy: no
  derived
    Hyperleukocytosis: yes (white blood cell count 150 × 10^9/L > 100)
    APL excluded: no (PML-RARA result: pending)
    APL suspected or confirmed: unknown (promyelocytes with Auer rods on the smear not recorded)

"
    );
}

#[test]
fn a_false_comparison_and_a_decided_or_name_what_decided_them() {
    // 80 is not above 100; the smear alone settles `apl` (an `or` made true by one part).
    let text = report(r#"{"als": true, "wbc": 80, "apl_morphology": true}"#);
    at(
        &text,
        "    Hyperleukocytosis: no (white blood cell count 80 × 10^9/L ≤ 100)\n",
    );
    at(
        &text,
        "    APL suspected or confirmed: yes (promyelocytes with Auer rods on the smear: yes)\n",
    );
    // `and` false through its one false part; the unknown PML-RARA is not named.
    at(
        &text,
        "    APL excluded: no (promyelocytes with Auer rods on the smear: yes)\n",
    );
}

#[test]
fn undecided_actions_ask_for_facts_by_description_and_say_what_they_could_become() {
    let text = report(PENDING);
    let decide = &text[at(&text, "TO DECIDE")..at(&text, "NOTES")];
    // Leukapheresis: the consideration cannot fire (APL not excluded); the
    // contraindication waits on the smear: nothing, or contraindicated.
    at(
        decide,
        "  Leukapheresis (urgent) — record whether the patient has promyelocytes with Auer rods on the smear; \
         may need no action, or be contraindicated\n",
    );
    at(
        decide,
        "  ATRA (all-trans retinoic acid) (urgent) — record whether the patient has promyelocytes with Auer rods \
         on the smear; may need no action, or be recommended\n",
    );
    assert!(!decide.contains("no verdict"), "{decide}");
    assert!(!decide.contains("could be consider "), "{decide}");
}

#[test]
fn a_verdict_that_depends_on_a_missing_enum_fact_asks_for_it_with_the_article() {
    // Nothing about APL is known: the smear and the PML-RARA result both matter.
    let text = report(r#"{"als": true, "wbc": 150, "weight": 70}"#);
    at(
        &text,
        "  Leukapheresis (urgent) — record the PML-RARA result (genetic confirmation of APL) and whether the \
         patient has promyelocytes with Auer rods on the smear; may need no action, or be considered or contraindicated\n",
    );
}

#[test]
fn a_dose_that_cannot_be_computed_asks_for_what_it_needs() {
    let text = report(r#"{"als": true, "wbc": 150, "pml_rara": "negative", "apl_morphology": false}"#);
    at(
        &text,
        "  Hydroxyurea — recommended, 50–60 mg/kg/day [1, 2] (rule hydroxyurea-for-cytoreduction)\n      \
         dose: record the body weight to compute it\n      \
         WARNING: Oral capsules: plan how they will be given.\n      \
         POSSIBLE WARNING: Bleeding risk at the injection site. (record whether the patient has uncontrolled \
         coagulopathy to know whether it applies)\n",
    );
    // APL excluded and a high count: leukapheresis is considered, and it is urgent.
    let lp = at(
        &text,
        "  Leukapheresis — consider [2] (rule leukapheresis-if-apl-excluded)\n",
    );
    assert!(lp < at(&text, "DO NOT"));
}

#[test]
fn out_of_scope_says_which_scope_fact_is_false_in_words() {
    let text = report(r#"{"als": false, "wbc": 150}"#);
    at(
        &text,
        "OUT OF SCOPE — this guideline does not apply: the patient does not have pre-existing amyotrophic lateral \
         sclerosis (ALS). No recommendations are made.\n",
    );
    assert!(!text.contains("ACT NOW") && !text.contains("PATIENT"), "{text}");
}

#[test]
fn unknown_scope_asks_for_the_scope_facts_by_description() {
    let text = report(r#"{"wbc": 150}"#);
    at(
        &text,
        "SCOPE UNDECIDED — record whether the patient has pre-existing amyotrophic lateral sclerosis (ALS) to know \
         whether this guideline applies. No recommendations are made.\n",
    );
    assert!(!text.contains("give als"), "{text}");
}

#[test]
fn explain_names_the_values_behind_each_rule() {
    let g = guideline();
    let text = report_of(&g, PENDING, true);
    let explanation = &text[at(&text, "EXPLANATION")..at(&text, "REFERENCES")];
    at(
        explanation,
        "    rule hydroxyurea-for-cytoreduction (recommend) when hyperleukocytosis: fired: carries the decision — \
         hyperleukocytosis: yes (white blood cell count 150 × 10^9/L > 100)\n",
    );
    at(
        explanation,
        "    rule leukapheresis-if-apl-excluded (consider) when hyperleukocytosis and apl_excluded: did not fire — \
         APL excluded: no (PML-RARA result: pending)\n",
    );
    at(
        explanation,
        "    rule no-leukapheresis-in-apl (contraindicated) when apl: unknown — promyelocytes with Auer rods on the \
         smear not recorded\n",
    );
    // The explanation is an addition: the report before it is unchanged.
    let plain = report_of(&g, PENDING, false);
    assert!(text.starts_with(&plain[..at(&plain, "\nREFERENCES")]));
}

#[test]
fn conflicts_are_loud_and_first() {
    let text = format!("{FIXTURE}\nrule no-hydroxyurea: avoid hydroxyurea\n  when als\n");
    let g = guidelang::load_str("conflict.gl", &text).unwrap();
    let out = report_of(&g, PENDING, false);
    let alarm = at(
        &out,
        "!! THIS REPORT IS INCOMPLETE: THE GUIDELINE MUST BE CORRECTED (see below) !!",
    );
    let conflict = at(
        &out,
        "  Hydroxyurea: rule hydroxyurea-for-cytoreduction says recommend; rule no-hydroxyurea says avoid\n",
    );
    assert!(alarm < conflict && conflict < at(&out, "PATIENT"), "{out}");
}

#[test]
fn an_invariant_violation_is_loud_and_the_action_is_withheld() {
    let text = format!("{FIXTURE}\ninvariant never-line:\n  never avoid central_line when hyperleukocytosis\n");
    let g = guidelang::load_str("invariant.gl", &text).unwrap();
    let out = report_of(&g, PENDING, false);
    let violations = at(&out, "INVARIANT VIOLATIONS");
    let line = at(
        &out,
        "  Central venous catheter would be avoided, against invariant `never-line`\n",
    );
    assert!(violations < line && line < at(&out, "PATIENT"), "{out}");
    at(
        &out,
        "  Central venous catheter — withheld: to have it avoided would break the safety invariant `never-line`\n",
    );
}

/// `eval --explain --format json`: each rule carries `because`, the values
/// behind its condition, as the text explanation says them.
#[test]
fn explain_in_json_gives_the_values_behind_each_rule() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("triage-demo.gl"), FIXTURE).unwrap();
    let out = assert_cmd::Command::cargo_bin("guidelang")
        .unwrap()
        .current_dir(dir.path())
        .args(["eval", "triage-demo.gl", "--case", "-", "--format", "json", "--explain"])
        .write_stdin(PENDING)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let leukapheresis = json["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"] == "leukapheresis")
        .unwrap();
    assert_eq!(leukapheresis["label"], "Leukapheresis");
    let because: Vec<&serde_json::Value> = leukapheresis["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["because"])
        .collect();
    assert_eq!(
        because,
        [
            &serde_json::json!(["APL excluded: no (PML-RARA result: pending)"]),
            &serde_json::json!(["promyelocytes with Auer rods on the smear not recorded"]),
        ]
    );
}
