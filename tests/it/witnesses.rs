//! Lint's witness patients are plausible: every value lies inside its fact's
//! declared range and is not an end of that range unless a condition makes
//! that end a threshold of its own (or, for a whole number, the only value
//! left below or above a threshold); a fact no condition reads is not
//! invented; and every witness still shows its finding on the evaluator.

use std::collections::BTreeMap;

use guidelang::analysis::lint;
use guidelang::model::{Claim, Expr, ExprKind, FactId, FactKind, Guideline};

const BUNDLED: &str = include_str!("../../guidelines/als-hyperleukocytosis.gl");

/// The fact a numeric expression reads directly or through definitions.
fn fact_of(g: &Guideline, e: &Expr) -> Option<FactId> {
    match &e.kind {
        ExprKind::Fact(f) => Some(*f),
        ExprKind::Def(d) => fact_of(g, &g.definitions[d.index()].body),
        _ => None,
    }
}

fn constant(e: &Expr) -> Option<f64> {
    match &e.kind {
        ExprKind::Num(c) => Some(*c),
        ExprKind::Neg(x) => constant(x).map(|c| -c),
        _ => None,
    }
}

/// Every constant each fact is compared with, anywhere.
fn thresholds(g: &Guideline) -> BTreeMap<FactId, Vec<f64>> {
    fn walk(g: &Guideline, e: &Expr, out: &mut BTreeMap<FactId, Vec<f64>>, depth: usize) {
        if depth > 64 {
            return;
        }
        match &e.kind {
            ExprKind::Compare(_, a, b) => {
                for (x, y) in [(a, b), (b, a)] {
                    if let (Some(f), Some(c)) = (fact_of(g, x), constant(y)) {
                        out.entry(f).or_default().push(c);
                    }
                }
            }
            ExprKind::Def(d) => walk(g, &g.definitions[d.index()].body, out, depth + 1),
            ExprKind::Not(x) | ExprKind::Known(x, _) | ExprKind::EnumIn(x, _) => walk(g, x, out, depth + 1),
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                walk(g, a, out, depth + 1);
                walk(g, b, out, depth + 1);
            }
            ExprKind::AtLeast(_, items) => items.iter().for_each(|i| walk(g, i, out, depth + 1)),
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    let invariants = g.invariants.iter().map(|i| match &i.claim {
        Claim::Never { when, .. } | Claim::AlwaysDecide { when, .. } => when,
    });
    for e in g
        .scope
        .iter()
        .chain(g.rules.iter().filter_map(|r| r.when.as_ref()))
        .chain(invariants)
    {
        walk(g, e, &mut out, 0);
    }
    out
}

/// Checks every witness of every finding lint makes on `text`; returns how
/// many witnesses were looked at.
fn witnesses_are_plausible(name: &str, text: &str) -> usize {
    let g = guidelang::load_str(name, text).expect("the guideline checks");
    let cuts = thresholds(&g);
    let report = lint(&g);
    let mut seen = 0;
    for f in &report.findings {
        let Some(w) = &f.witness else { continue };
        seen += 1;
        let map = w.as_object().expect("a witness is an object");
        // Nothing the clash does not involve is invented (a fact another rule
        // reads is kept only where the conflict needs it, which the
        // evaluator's check below confirms).
        for k in map.keys().filter(|_| f.code == "guidelang::lint::clash") {
            let without = {
                let mut m = map.clone();
                m.remove(k);
                serde_json::Value::Object(m)
            };
            let needed = {
                let case = guidelang::facts::parse_case(&g, &without.to_string()).expect("validates");
                let e = guidelang::eval::evaluate(&g, &case);
                let a = g.action_id(f.action.as_deref().expect("an action")).expect("declared");
                !matches!(e.actions[a.index()].outcome, guidelang::eval::Outcome::Conflict(_))
            };
            assert!(
                f.facts.contains(k) || needed,
                "{name}: `{k}` is invented (reads {:?}): {w}",
                f.facts
            );
        }
        for (k, v) in map {
            let id = g.fact_id(k).expect("a declared fact");
            let (min, max, integer) = match g.fact(id).kind {
                FactKind::Number { min, max, .. } => (min, max, false),
                FactKind::Integer { min, max } => (min, max, true),
                _ => continue,
            };
            let x = v.as_f64().expect("a number");
            let threshold = |end: f64| {
                let near = cuts.get(&id).into_iter().flatten();
                near.clone().any(|c| *c == end) || (integer && near.clone().any(|c| (c - end).abs() == 1.0))
            };
            assert!(
                min.is_none_or(|m| x >= m) && max.is_none_or(|m| x <= m),
                "{name}: {k} = {x} outside its range: {w}"
            );
            for end in min.into_iter().chain(max) {
                assert!(
                    x != end || threshold(end),
                    "{name}: {k} = {x} is a range end no condition turns at: {w}"
                );
            }
        }
        // Still confirmed: the evaluator shows the finding on the witness.
        let case = guidelang::facts::parse_case(&g, &w.to_string()).expect("the witness validates");
        let e = guidelang::eval::evaluate(&g, &case);
        if f.code == "guidelang::lint::clash" {
            let a = g.action_id(f.action.as_deref().expect("an action")).expect("declared");
            assert!(
                matches!(e.actions[a.index()].outcome, guidelang::eval::Outcome::Conflict(_)),
                "{name}: {w} shows no conflict"
            );
        }
    }
    seen
}

#[test]
fn the_test_guidelines_have_plausible_witnesses() {
    for (name, text) in [
        ("corners.gl", include_str!("../guidelines/corners.gl")),
        ("inserted-between.gl", include_str!("../guidelines/inserted-between.gl")),
    ] {
        witnesses_are_plausible(name, text);
    }
}

#[test]
fn the_bundled_guideline_with_a_clash_injected_has_plausible_witnesses() {
    // Without its precedence, leukapheresis for refractory leukostasis
    // clashes with the rule against it for cytoreduction.
    let from = "  overrides no-leukapheresis-for-cytoreduction\n";
    assert_eq!(BUNDLED.matches(from).count(), 1);
    let text = BUNDLED.replacen(from, "", 1);
    assert!(
        witnesses_are_plausible("mutated.gl", &text) > 0,
        "the clash has a witness"
    );
}

#[test]
fn ranges_without_thresholds_show_their_middle() {
    // Age, weight and potassium are read, but no condition turns at their
    // range ends: the witness shows none of 0, 0 kg, 0 mmol/L.
    let text = "guideline plausible\n  version 1.0.0\n  status draft\n\n\
        fact age: integer from 0 to 120 \"Age in years.\"\n\
        fact weight: number in kg from 0 to 300 \"Body weight.\"\n\
        fact potassium: number in mmol/L from 0 to 10 \"Serum potassium.\"\n\
        fact frail: bool \"Frail.\"\n\n\
        rule give: recommend fluids\n  when age >= 18 and weight > 40\n\n\
        rule hold: avoid fluids\n  when potassium > 5.5 or frail\n";
    assert!(witnesses_are_plausible("plausible.gl", text) > 0);
    let g = guidelang::load_str("plausible.gl", text).unwrap();
    let report = lint(&g);
    let clash = report
        .findings
        .iter()
        .find(|f| f.code == "guidelang::lint::clash")
        .unwrap();
    let w = clash.witness.as_ref().unwrap();
    let age = w["age"].as_f64().unwrap();
    let weight = w["weight"].as_f64().unwrap();
    // 18 is a threshold (`age >= 18` makes it a cell of its own); 0 and
    // 120 are not.
    assert!((18.0..120.0).contains(&age), "{w}");
    assert!(weight > 40.0 && weight < 300.0, "{w}");
    if let Some(k) = w.get("potassium").and_then(|k| k.as_f64()) {
        assert!(k > 0.0 && k < 10.0, "{w}");
    }
}
