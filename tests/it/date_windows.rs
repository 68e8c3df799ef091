//! Lint is exact on date windows (`labs >= start - 3 d`, `a - b <= 7 d`) and
//! on changes from a baseline (`x is at least 100 % above b`): on small
//! random guidelines of two rules with different verdicts on one action,
//! "clash possible" equals brute force, and no question is left "not decided
//! exactly". Every witness lint reports is a valid case the evaluator agrees with.

use guidelang::analysis::{lint, LintReport};
use guidelang::model::CmpOp;
use proptest::prelude::*;

const OPS: [(CmpOp, &str); 6] = [
    (CmpOp::Lt, "<"),
    (CmpOp::Le, "<="),
    (CmpOp::Gt, ">"),
    (CmpOp::Ge, ">="),
    (CmpOp::Eq, "="),
    (CmpOp::Ne, "!="),
];

/// A comparison of two dates `a` and `b`, each form a clinician writes.
#[derive(Clone, Copy, Debug)]
enum Window {
    /// `a op b + k d`
    Moved(usize, i32),
    /// `b op a + k d`
    MovedBack(usize, i32),
    /// `a - b op k d`
    Between(usize, i32),
}

fn days(k: i32) -> String {
    match k {
        0 => String::new(),
        k if k < 0 => format!(" - {} d", -k),
        k => format!(" + {k} d"),
    }
}

impl Window {
    fn text(self) -> String {
        let op = |o: usize| OPS[o].1;
        match self {
            Window::Moved(o, k) => format!("a {} b{}", op(o), days(k)),
            Window::MovedBack(o, k) => format!("b {} a{}", op(o), days(k)),
            Window::Between(o, k) => format!("a - b {} {k} d", op(o)),
        }
    }

    /// The truth for `a - b = gap` days, from the text's meaning.
    fn holds(self, gap: i32) -> bool {
        let op = |o: usize| OPS[o].0;
        let (gap, k) = (f64::from(gap), |k: i32| f64::from(k));
        match self {
            Window::Moved(o, c) => op(o).apply(gap, k(c)),
            // b op a + k  ⇔  -gap op k
            Window::MovedBack(o, c) => op(o).apply(-gap, k(c)),
            Window::Between(o, c) => op(o).apply(gap, k(c)),
        }
    }
}

fn window() -> impl Strategy<Value = Window> {
    let op = 0..OPS.len();
    let k = -10..=10i32;
    prop_oneof![
        (op.clone(), k.clone()).prop_map(|(o, k)| Window::Moved(o, k)),
        (op.clone(), k.clone()).prop_map(|(o, k)| Window::MovedBack(o, k)),
        (op, k).prop_map(|(o, k)| Window::Between(o, k)),
    ]
}

fn two_rules(facts: &str, p: &str, q: &str) -> String {
    format!(
        "guideline windows\n  version 1.0.0\n  status draft\n\n{facts}\n\
         rule p: recommend act\n  when {p}\n\n\
         rule q: avoid act\n  when {q}\n"
    )
}

fn and(atoms: &[String]) -> String {
    atoms.join(" and ")
}

/// Whether lint reports the clash, whether it left a question open, and the
/// clash's witness.
fn linted(text: &str) -> (bool, bool, Option<serde_json::Value>) {
    let g = guidelang::load_str("windows.gl", text).expect("the random guideline checks");
    let report: LintReport = lint(&g);
    let clash = report.findings.iter().find(|f| f.code == "guidelang::lint::clash");
    let open = report.findings.iter().any(|f| f.code == "guidelang::lint::inexact");
    (clash.is_some(), open, clash.and_then(|f| f.witness.clone()))
}

/// Runs a witness the way a user would: through `eval`'s case validation,
/// as of a date after every date in it, and says whether both rules fire.
fn witness_fires_both(text: &str, witness: &serde_json::Value) -> bool {
    let g = guidelang::load_str("windows.gl", text).expect("checks");
    let mut json = witness.clone();
    if let serde_json::Value::Object(map) = &mut json {
        map.insert("as_of".into(), "2199-12-31".into());
    }
    let case = guidelang::facts::validate_json(&g, &json).expect("the witness is a valid case");
    let e = guidelang::eval::evaluate(&g, &case);
    matches!(e.actions.first().map(|a| &a.outcome), Some(guidelang::eval::Outcome::Conflict(rules)) if rules.len() == 2)
}

proptest! {
    #![proptest_config(crate::common::gen::config(48))]

    /// Only the days between `a` and `b` matter (the range of dates is three
    /// centuries wide and the windows are days): brute force over the gap.
    #[test]
    fn date_windows_clash_exactly_when_some_gap_fires_both(
        p in proptest::collection::vec(window(), 1..=3),
        q in proptest::collection::vec(window(), 1..=3),
    ) {
        let texts = |w: &[Window]| w.iter().map(|w| w.text()).collect::<Vec<_>>();
        let text = two_rules(
            "fact a: date \"A.\"\nfact b: date \"B.\"\n",
            &and(&texts(&p)),
            &and(&texts(&q)),
        );
        let possible = (-60..=60).any(|gap| p.iter().chain(&q).all(|w| w.holds(gap)));
        let (clash, open, witness) = linted(&text);
        prop_assert!(!open, "a question was left open:\n{text}");
        prop_assert_eq!(clash, possible, "\n{}", text);
        if let Some(w) = witness {
            prop_assert!(witness_fires_both(&text, &w), "{w}\n{text}");
            // Plausible dates: near the witness day, not at 1900 or 2199.
            for key in ["a", "b"] {
                let day = w[key].as_str().unwrap_or_default();
                prop_assert!(day.starts_with("202"), "{key} = {day}\n{text}");
            }
        }
    }
}

/// A comparison of `x` (0 to 10) and a baseline `b` (−2 to 10).
#[derive(Clone, Copy, Debug)]
enum Change {
    /// `x op c`
    X(usize, u32),
    /// `b op c`
    B(usize, u32),
    /// `x is at least p % above b` (p 100 or 300: the boundary is `x = 2b`, `x = 4b`)
    Rise(u32),
    /// `x is at least p % below b` (p 50 or 75: `x = b/2`, `x = b/4`)
    Fall(u32),
}

impl Change {
    fn text(self) -> String {
        let op = |o: usize| OPS[o].1;
        match self {
            Change::X(o, c) => format!("x {} {c}", op(o)),
            Change::B(o, c) => format!("b {} {c}", op(o)),
            Change::Rise(p) => format!("x is at least {p} % above b"),
            Change::Fall(p) => format!("x is at least {p} % below b"),
        }
    }

    /// True as the issue defines it: a change means nothing on a baseline
    /// of 0 or less, so it is unknown there (and a rule needing it does not fire).
    fn holds(self, x: f64, b: f64) -> bool {
        let op = |o: usize| OPS[o].0;
        match self {
            Change::X(o, c) => op(o).apply(x, f64::from(c)),
            Change::B(o, c) => op(o).apply(b, f64::from(c)),
            Change::Rise(p) => b > 0.0 && 100.0 * x >= (100.0 + f64::from(p)) * b,
            Change::Fall(p) => b > 0.0 && 100.0 * x <= (100.0 - f64::from(p)) * b,
        }
    }
}

fn change() -> impl Strategy<Value = Change> {
    let op = 0..OPS.len();
    let c = 0..10u32;
    prop_oneof![
        (op.clone(), c.clone()).prop_map(|(o, c)| Change::X(o, c)),
        (op, c).prop_map(|(o, c)| Change::B(o, c)),
        proptest::sample::select(&[100u32, 300][..]).prop_map(Change::Rise),
        proptest::sample::select(&[50u32, 75][..]).prop_map(Change::Fall),
    ]
}

proptest! {
    #![proptest_config(crate::common::gen::config(32))]

    /// Boundaries with slopes 2, 4, 1/2 and 1/4 and whole constants: every
    /// corner of a region is a multiple of 1/4 and every region holds a point
    /// of the grid of 1/48, so the grid is a true oracle.
    #[test]
    fn changes_from_a_baseline_clash_exactly_when_some_point_fires_both(
        p in proptest::collection::vec(change(), 1..=3),
        q in proptest::collection::vec(change(), 1..=3),
    ) {
        let texts = |w: &[Change]| w.iter().map(|w| w.text()).collect::<Vec<_>>();
        let text = two_rules(
            "fact x: number in mg from 0 to 10 \"Now.\"\nfact b: number in mg from -2 to 10 \"Baseline.\"\n",
            &and(&texts(&p)),
            &and(&texts(&q)),
        );
        let mut xs: Vec<f64> = (0..=480).map(|i| f64::from(i) / 48.0).collect();
        xs.extend((1..4).map(f64::from_bits));
        let mut bs: Vec<f64> = (-96..=480).map(|i| f64::from(i) / 48.0).collect();
        bs.extend((1..4).map(f64::from_bits));
        let possible = xs
            .iter()
            .any(|x| bs.iter().any(|b| p.iter().chain(&q).all(|c| c.holds(*x, *b))));
        let (clash, open, witness) = linted(&text);
        prop_assert!(!open, "a question was left open:\n{text}");
        prop_assert_eq!(clash, possible, "\n{}", text);
        if let Some(w) = witness {
            prop_assert!(witness_fires_both(&text, &w), "{w}\n{text}");
        }
    }
}

/// A baseline of 0 never makes "a 25 % rise" true, so a rule needing it
/// cannot clash with one needing a baseline of at most 0.
#[test]
fn a_zero_baseline_is_no_way_to_a_clash() {
    let text = two_rules(
        "fact x: number in mg from 0 to 10 \"Now.\"\nfact b: number in mg from 0 to 10 \"Baseline.\"\n",
        "x is at least 25 % above b",
        "b <= 0",
    );
    let (clash, open, _) = linted(&text);
    assert!(!open && !clash, "{text}");
    // With a baseline just above 0 the two can meet only when the second
    // rule allows it.
    let text = two_rules(
        "fact x: number in mg from 0 to 10 \"Now.\"\nfact b: number in mg from 0 to 10 \"Baseline.\"\n",
        "x is at least 25 % above b",
        "b < 1 and x < 1",
    );
    let (clash, open, witness) = linted(&text);
    assert!(!open && clash, "{text}");
    let w = witness.expect("a clash has a witness");
    let (x, b) = (w["x"].as_f64().unwrap_or(-1.0), w["b"].as_f64().unwrap_or(-1.0));
    assert!(b > 0.0 && b < 1.0 && x < 1.0 && 100.0 * x >= 125.0 * b, "{w}");
}

/// Diff is exact on the TLS guideline's window too: narrowing "7 days after
/// the start" to 5 changes decisions exactly for results 6 or 7 days after,
/// and a change from a baseline moved from 25 % to 30 % is found between the two.
#[test]
fn diff_is_exact_on_date_windows_and_baseline_changes() {
    let text = std::fs::read_to_string("guidelines/tumour-lysis-prophylaxis.gl").expect("the TLS guideline");
    let old = guidelang::load_str("old.gl", &text).expect("checks");
    let narrowed = text.replace(
        "labs_date <= treatment_start + 7 d",
        "labs_date <= treatment_start + 5 d",
    );
    assert_ne!(narrowed, text);
    let new = guidelang::load_str("new.gl", &narrowed).expect("checks");
    let d = guidelang::analysis::diff::diff(&old, &new).expect("compares");
    assert!(d.not_compared.is_empty(), "{:?}", d.not_compared);
    assert!(!d.decisions.is_empty());
    for change in &d.decisions {
        let w = &change.witness;
        let day = |k: &str| guidelang::time::parse_day(w[k].as_str().unwrap_or_default()).expect("a date");
        let gap = day("labs_date") - day("treatment_start");
        assert!(gap == 6.0 || gap == 7.0, "{gap} days: {w}");
    }

    let raised = text.replace(
        "uric_acid is at least 25 % above uric_acid_baseline",
        "uric_acid is at least 30 % above uric_acid_baseline",
    );
    assert_ne!(raised, text);
    let new = guidelang::load_str("new.gl", &raised).expect("checks");
    let d = guidelang::analysis::diff::diff(&old, &new).expect("compares");
    assert!(d.not_compared.is_empty(), "{:?}", d.not_compared);
    assert!(!d.decisions.is_empty());
    for change in &d.decisions {
        let w = &change.witness;
        let (now, base) = (
            w["uric_acid"].as_f64().unwrap_or(-1.0),
            w["uric_acid_baseline"].as_f64().unwrap_or(-1.0),
        );
        assert!(
            base > 0.0 && now < 8.0 && 100.0 * now >= 125.0 * base && 100.0 * now < 130.0 * base,
            "{w}"
        );
    }
}
