//! Units are UCUM codes: a typo is an error on the unit with the spelling it
//! meant, units of one dimension convert exactly when the file is checked,
//! and an amount converts to a mass only through a molar mass the file states.

use guidelang::diagnostics::{Problem, Source};
use guidelang::eval::{evaluate, Outcome};

const HEAD: &str = "guideline units
  version 1.0.0
  status draft
  applies when true

fact weight: number in kg from 20 to 350 \"Body weight\" recorded
fact platelets: number in 10^9/L from 0 \"Platelet count\" recorded
";

fn problems(body: &str) -> Vec<Problem> {
    let source = Source::new("units.gl", format!("{HEAD}{body}"));
    match guidelang::syntax::parse(&source) {
        Err(p) => p,
        Ok(file) => guidelang::check::check(&file, &source).problems,
    }
}

/// The diagnostics of `body`, which must be exactly those with `codes`.
fn diagnose(body: &str, codes: &[&str]) -> String {
    let found = problems(body);
    let rendered: Vec<String> = found.iter().map(Problem::render_plain).collect();
    let found_codes: Vec<&str> = found.iter().map(|p| p.code).collect();
    assert_eq!(found_codes, codes, "\n{}", rendered.join("\n"));
    rendered.join("\n")
}

/// Whether the single rule of `body` fires for `case`.
fn fires(body: &str, case: &str) -> bool {
    let g = guidelang::load_str("units.gl", &format!("{HEAD}{body}")).unwrap_or_else(|p| panic!("{p:?}"));
    let case = guidelang::facts::parse_case(&g, case).unwrap();
    let e = evaluate(&g, &case);
    e.actions
        .first()
        .is_some_and(|a| matches!(a.outcome, Outcome::Decided(_)))
}

#[test]
fn a_misspelt_unit_gets_its_ucum_spelling() {
    let out = diagnose(
        "rule hu: recommend hydroxyurea\n  when always\n  dose 50 to 60 mg/kg/dya by weight\n",
        &["guidelang::check::bad_unit"],
    );
    assert!(out.contains("did you mean `mg/kg/d`?"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn a_unit_in_the_wrong_case_is_named_as_such() {
    let out = diagnose(
        "fact uric_acid: number in mg/dl from 0 \"Serum uric acid\"\nrule r: recommend x\n  when uric_acid > 8\n",
        &["guidelang::check::bad_unit"],
    );
    assert!(out.contains("did you mean `mg/dL`?"), "{out}");
    assert!(out.contains("case-sensitive"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn the_span_of_a_bad_unit_after_a_number_is_the_unit() {
    let found = problems("rule r: recommend x\n  when platelets < 30 10^9/l\n");
    assert_eq!(found.len(), 1, "{found:?}");
    let span = found[0].primary_span().expect("a span");
    let text = format!("{HEAD}rule r: recommend x\n  when platelets < 30 10^9/l\n");
    assert_eq!(&text[span.start..span.end], "10^9/l");
}

#[test]
fn per_microlitre_converts_exactly_to_ten_to_the_ninth_per_litre() {
    // 30000 /uL is 30 × 10^9/L: the rule holds below 30, not at 30.
    let body = "rule r: recommend platelet_transfusion\n  when platelets < 30000 /uL\n";
    assert!(fires(body, r#"{"platelets": 29.999}"#));
    assert!(!fires(body, r#"{"platelets": 30}"#));
    // The threshold is the exact 30 in the checked guideline, not 30000 × 1e-3 rounded.
    let g = guidelang::load_str("units.gl", &format!("{HEAD}{body}")).unwrap();
    let when = g.rules[0].when.as_ref().expect("a condition");
    let mut constants = Vec::new();
    guidelang::check::visit(when, &mut |k| {
        if let guidelang::model::ExprKind::Num(x) = k {
            constants.push(*x);
        }
    });
    assert_eq!(constants, [30.0]);
}

#[test]
fn decimal_thresholds_convert_without_rounding_drift() {
    // 0.1 g is exactly 100 mg; 0.3 kg is exactly 300 g (not 300.00000000000006).
    let body = "fact dose_given: number in mg from 0 \"Dose given\"\nrule r: recommend x\n  when dose_given >= 0.1 g\n";
    assert!(fires(body, r#"{"dose_given": 100}"#));
    assert!(!fires(body, r#"{"dose_given": 99.99}"#));
    let body = "rule r: recommend x\n  when weight = 0.3 Mg\n";
    assert!(fires(body, r#"{"weight": 300}"#));
}

#[test]
fn two_facts_in_different_scales_are_compared_in_one() {
    let body = "fact hb_lab: number in g/L from 0 \"Hemoglobin (lab)\"
fact hb_poc: number in g/dL from 0 \"Hemoglobin (point of care)\"
rule r: recommend x
  when hb_lab > hb_poc
";
    // 100 g/L is 10 g/dL.
    assert!(fires(body, r#"{"hb_lab": 100, "hb_poc": 9.9}"#));
    assert!(!fires(body, r#"{"hb_lab": 100, "hb_poc": 10}"#));
}

#[test]
fn different_dimensions_stay_an_error() {
    let out = diagnose(
        "rule r: recommend x\n  when weight > 3 L\n",
        &["guidelang::check::unit_mismatch"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn an_amount_against_a_mass_asks_for_the_molar_mass() {
    let out = diagnose(
        "fact creatinine: number in mg/dL from 0 \"Serum creatinine\"\nrule r: recommend x\n  when creatinine > 177 umol/L\n",
        &["guidelang::check::needs_molar_mass"],
    );
    assert!(out.contains("molar mass 113.12 g/mol"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn a_stated_molar_mass_converts_a_threshold() {
    // 177 umol/L × 113.12 g/mol = 20.02224 mg/L = 2.002224 mg/dL.
    let body = "fact creatinine: number in mg/dL from 0 molar mass 113.12 g/mol \"Serum creatinine\"
rule r: recommend x
  when creatinine > 177 umol/L
";
    assert!(fires(body, r#"{"creatinine": 2.0023}"#));
    assert!(!fires(body, r#"{"creatinine": 2.002224}"#));
    // And the other way: a fact in umol/L against a threshold in mg/dL.
    let body = "fact creatinine: number in umol/L from 0 molar mass 113.12 g/mol \"Serum creatinine\"
rule r: recommend x
  when 2 mg/dL < creatinine
";
    // 2 mg/dL = 20 mg/L = 20 / 113.12 mmol/L = 176.803... umol/L.
    assert!(fires(body, r#"{"creatinine": 176.81}"#));
    assert!(!fires(body, r#"{"creatinine": 176.80}"#));
}

#[test]
fn a_molar_mass_must_be_a_mass_per_amount() {
    let out = diagnose(
        "fact creatinine: number in mg/dL from 0 molar mass 113.12 g/L \"Serum creatinine\"\nrule r: recommend x\n  when creatinine > 2\n",
        &["guidelang::check::bad_molar_mass"],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn the_bundled_spellings_are_accepted_and_printed_as_written() {
    let g = guidelang::bundled().unwrap();
    let hu = g.rules.iter().find_map(|r| r.dose.as_ref()).expect("a dose");
    let amount = &hu.branches[0].amount;
    assert_eq!(amount.result_unit.to_string(), "mg/day");
    assert_eq!(amount.unit.to_string(), "mg/kg/day");
}

#[test]
fn fmt_keeps_molar_masses_and_per_units() {
    let text = format!(
        "{HEAD}fact creatinine: number in mg/dL from 0 molar mass 113.12 g/mol \"Serum creatinine\"\n\nrule r: recommend x\n  when platelets < 30000 /uL or creatinine > 177 umol/L\n"
    );
    let out = guidelang::format::format_source(&Source::new("u.gl", text.clone())).unwrap();
    assert!(out.contains("molar mass 113.12 g/mol \"Serum creatinine\""), "{out}");
    assert!(out.contains("platelets < 30000 /uL or"), "{out}");
    let again = guidelang::format::format_source(&Source::new("u.gl", out.clone())).unwrap();
    assert_eq!(again, out);
}

// ---------------------------------------------------------------- exact conversions, by property

/// Pairs of units with the factor between them written out independently of
/// the catalogue: one of the second is `num/den` of the first.
const PAIRS: &[(&str, &str, i128, i128)] = &[
    ("mg", "g", 1000, 1),
    ("g", "mg", 1, 1000),
    ("10^9/L", "/uL", 1, 1000),
    ("10*9/L", "10*3/uL", 1, 1),
    ("g/L", "g/dL", 10, 1),
    ("min", "h", 60, 1),
    ("d", "wk", 7, 1),
    ("kPa", "mm[Hg]", 133_322, 1_000_000),
    ("mmol/L", "umol/L", 1, 1000),
    ("%", "[ppth]", 1, 10),
    ("mg/kg/day", "g/kg/d", 1000, 1),
];

fn decimal(n: i128, places: u32) -> String {
    let scale = 10i128.pow(places);
    if places == 0 {
        n.to_string()
    } else {
        format!("{}.{:0width$}", n / scale, n % scale, width = places as usize)
    }
}

proptest::proptest! {
    #![proptest_config(crate::common::gen::config(64))]

    /// `x > K B` with `x` in `A` holds exactly when x, in A, is above K
    /// converted by the exact factor: checked against integer arithmetic, on
    /// values next to the converted threshold.
    #[test]
    fn a_converted_threshold_decides_like_exact_arithmetic(
        pair in 0..PAIRS.len(),
        k in 0i128..100_000,
        places in 0u32..4,
        nudge in -2i128..3,
    ) {
        let (a, b, num, den) = PAIRS[pair];
        let body = format!(
            "fact x: number in {a} from 0 \"X\"\nrule r: recommend y\n  when x > {} {b}\n",
            decimal(k, places)
        );
        // The threshold in A, in thousandths, rounded down, then nudged.
        let threshold_den = 10i128.pow(places) * den;
        let milli = (k * num * 1000).div_euclid(threshold_den) + nudge;
        proptest::prop_assume!(milli >= 0);
        let value = decimal(milli, 3);
        // value > threshold  ⇔  milli / 1000 > k·num / threshold_den.
        let expected = milli * threshold_den > k * num * 1000;
        let fired = fires(&body, &format!("{{\"x\": {value}}}"));
        proptest::prop_assert_eq!(fired, expected, "x = {} {} against {} {}", value, a, decimal(k, places), b);
    }
}

// ---------------------------------------------------------------- lint sees converted thresholds

#[test]
fn lint_compares_thresholds_after_conversion() {
    let clash = |threshold: &str| {
        let body = format!(
            "rule give: recommend platelet_transfusion\n  when platelets < {threshold}\n\
             rule hold: avoid platelet_transfusion\n  when platelets >= 30\n"
        );
        let g = guidelang::load_str("units.gl", &format!("{HEAD}{body}")).unwrap_or_else(|p| panic!("{p:?}"));
        let report = guidelang::analysis::lint(&g);
        report.findings.iter().any(|f| f.code == "guidelang::lint::clash")
    };
    // Below 30000 /uL is below 30 × 10^9/L: the two rules never meet.
    assert!(!clash("30000 /uL"));
    // Below 30001 /uL leaves 30 to 30.001 to both.
    assert!(clash("30001 /uL"));
}

// ---------------------------------------------------------------- diff sees through a change of unit

#[test]
fn rewriting_a_threshold_in_another_unit_changes_no_decision() {
    let load = |threshold: &str| {
        let body = format!("rule give: recommend platelet_transfusion\n  when platelets < {threshold}\n");
        guidelang::load_str("units.gl", &format!("{HEAD}{body}")).unwrap_or_else(|p| panic!("{p:?}"))
    };
    let decisions = |old: &str, new: &str| {
        let (old, new) = (load(old), load(new));
        let d = guidelang::analysis::diff::diff(&old, &new).expect("diffs");
        let json = guidelang::report::diff_json(&old, &new, &d);
        json["decisions"].as_array().map_or(0, Vec::len)
    };
    assert_eq!(decisions("30", "30000 /uL"), 0, "the same threshold, in another unit");
    // A real change is still seen, with its witness between the two thresholds.
    assert_eq!(decisions("30", "20000 /uL"), 1);
}
