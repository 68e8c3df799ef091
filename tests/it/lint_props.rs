//! The linter against the interpreter on random guidelines: whatever the
//! evaluator can hit on a random case (a conflict, a broken invariant, a rule
//! firing) the linter must have found or allowed, and every witness the linter
//! gives must really show its finding when evaluated.
//!
//! Case counts are modest by default; raise them with `GUIDELANG_PROPTEST_CASES`.

use crate::lint_support::{case, guideline, Rng, Shape};
use guidelang::analysis::{lint, LintReport};
use guidelang::eval::{evaluate, Outcome, Truth};
use guidelang::model::Guideline;
use proptest::prelude::*;

fn shape(facts: usize, rules: usize, actions: usize, scope: bool) -> Shape {
    Shape {
        facts,
        rules,
        actions,
        definitions: 2,
        depth: 3,
        invariants: 3,
        scope,
    }
}

fn findings<'a>(report: &'a LintReport, code: &'a str) -> impl Iterator<Item = &'a guidelang::analysis::Finding> {
    report.findings.iter().filter(move |f| f.code == code)
}

/// Every witness validates as a case file and shows its finding.
fn witnesses_reproduce(g: &Guideline, report: &LintReport) {
    for f in &report.findings {
        let Some(w) = &f.witness else { continue };
        let case = guidelang::facts::parse_case(g, &w.to_string()).unwrap();
        let e = evaluate(g, &case);
        let action = g.action_id(f.action.as_deref().unwrap()).unwrap();
        match f.code {
            "guidelang::lint::clash" => {
                let Outcome::Conflict(rs) = &e.actions[action.index()].outcome else {
                    panic!("witness {w} does not show the clash {}", f.message)
                };
                for id in &f.rules {
                    assert!(rs.contains(&g.rule_id(id).unwrap()), "{id} not in the conflict on {w}");
                }
            }
            "guidelang::lint::invariant_violated" => {
                let inv = g
                    .invariants
                    .iter()
                    .position(|i| Some(&i.id) == f.invariant.as_ref())
                    .unwrap();
                let shown = e
                    .violations
                    .iter()
                    .any(|v| v.invariant == inv || (v.action == action && v.certain));
                assert!(shown, "witness {w} does not break {}", g.invariants[inv].id);
            }
            other => panic!("unexpected witness on {other}"),
        }
    }
}

/// Nothing the evaluator shows on `json` contradicts the report.
fn agrees_on(g: &Guideline, report: &LintReport, json: &serde_json::Value, complete: bool) {
    let case = guidelang::facts::validate_json(g, json).unwrap();
    let e = evaluate(g, &case);
    let clashes: Vec<(String, Vec<String>)> = findings(report, "guidelang::lint::clash")
        .map(|f| (f.action.clone().unwrap(), f.rules.clone()))
        .collect();
    for a in &e.actions {
        let name = &g.action(a.action).name;
        if let Outcome::Conflict(rs) = &a.outcome {
            if complete {
                // Every pair of disagreeing survivors is a clash the linter reported.
                for (i, x) in rs.iter().enumerate() {
                    for y in &rs[i + 1..] {
                        if g.rule(*x).verdict == g.rule(*y).verdict {
                            continue;
                        }
                        let pair = [g.rule(*x).id.clone(), g.rule(*y).id.clone()];
                        assert!(
                            clashes
                                .iter()
                                .any(|(act, r)| act == name && pair.iter().all(|p| r.contains(p))),
                            "conflict {pair:?} on {name} for {json} was not found by the linter\n{}",
                            g.source.text()
                        );
                    }
                }
            } else {
                assert!(
                    clashes.iter().any(|(act, _)| act == name),
                    "conflict on {name} for {json} but no clash found\n{}",
                    g.source.text()
                );
            }
        }
        for (r, t) in &a.trace {
            let id = &g.rule(*r).id;
            if *t == Truth::True {
                let dead = findings(report, "guidelang::lint::unreachable")
                    .any(|f| f.rules.first() == Some(id) && f.message.contains("can never fire"));
                assert!(
                    !dead,
                    "{id} fires on {json} but was reported unreachable\n{}",
                    g.source.text()
                );
            }
        }
        if complete {
            for f in findings(report, "guidelang::lint::redundant") {
                let (x, y) = (g.rule_id(&f.rules[0]).unwrap(), g.rule_id(&f.rules[1]).unwrap());
                let truth = |r| a.trace.iter().find(|(q, _)| *q == r).map(|(_, t)| *t);
                if g.rule(x).action == a.action {
                    assert!(
                        !(truth(x) == Some(Truth::True) && truth(y) == Some(Truth::False)),
                        "{} fires without {} on {json}\n{}",
                        f.rules[0],
                        f.rules[1],
                        g.source.text()
                    );
                }
            }
        }
    }
    for v in &e.violations {
        if !v.certain {
            continue;
        }
        let id = &g.invariants[v.invariant].id;
        let proved = report.proved.iter().any(|p| &p.invariant == id);
        assert!(
            !proved,
            "invariant {id} was proved but {json} breaks it\n{}",
            g.source.text()
        );
        // The violation is attributed to the first invariant that withheld the
        // decision; the linter reports a broken invariant on the same action.
        let action = &g.action(v.action).name;
        assert!(
            findings(report, "guidelang::lint::invariant_violated").any(|f| f.action.as_ref() == Some(action)),
            "{json} breaks {id}, not reported\n{}",
            g.source.text()
        );
    }
}

fn check_one(seed: u64, shape: &Shape, samples: usize) {
    let generated = guideline(seed, shape);
    let g = guidelang::load_str("generated.gl", &generated.text)
        .unwrap_or_else(|p| panic!("generated guideline does not check: {:?}\n{}", p, generated.text));
    let report = lint(&g);
    assert_eq!(
        findings(&report, "guidelang::lint::inexact").count(),
        0,
        "generated conditions are all in the exact fragment\n{}",
        generated.text
    );
    witnesses_reproduce(&g, &report);
    let mut rng = Rng::new(seed ^ 0x5eed);
    for k in 0..samples {
        let complete = k % 2 == 0;
        let json = case(&mut rng, &generated.facts, if complete { 0.0 } else { 0.4 });
        agrees_on(&g, &report, &json, complete);
    }
}

proptest! {
    #![proptest_config(crate::common::gen::config(48))]

    #[test]
    fn the_linter_misses_nothing_the_interpreter_hits(
        seed in any::<u64>(),
        facts in 2usize..7,
        rules in 2usize..10,
        actions in 1usize..4,
        scope in any::<bool>(),
    ) {
        check_one(seed, &shape(facts, rules, actions, scope), 60);
    }
}

#[test]
fn a_larger_guideline_agrees_too() {
    for seed in 0..3 {
        check_one(seed, &shape(12, 60, 6, seed % 2 == 0), 200);
    }
}

/// The generator must exercise every kind of finding, or the properties above
/// would pass vacuously. Run with `--nocapture` to see the counts.
#[test]
fn generated_guidelines_exercise_every_finding() {
    let (mut clashes, mut conflicts, mut viol, mut proved, mut unreach, mut red, mut cviol) = (0, 0, 0, 0, 0, 0, 0);
    for seed in 0..300u64 {
        let gen = guideline(
            seed,
            &shape(
                2 + (seed % 5) as usize,
                2 + (seed % 8) as usize,
                1 + (seed % 3) as usize,
                seed % 2 == 0,
            ),
        );
        let g = guidelang::load_str("g.gl", &gen.text).unwrap();
        let r = lint(&g);
        clashes += findings(&r, "guidelang::lint::clash").count();
        viol += findings(&r, "guidelang::lint::invariant_violated").count();
        unreach += findings(&r, "guidelang::lint::unreachable").count();
        red += findings(&r, "guidelang::lint::redundant").count();
        proved += r.proved.len();
        let mut rng = Rng::new(seed);
        for k in 0..60 {
            let json = case(&mut rng, &gen.facts, if k % 2 == 0 { 0.0 } else { 0.4 });
            let c = guidelang::facts::validate_json(&g, &json).unwrap();
            let e = evaluate(&g, &c);
            conflicts += e
                .actions
                .iter()
                .filter(|a| matches!(a.outcome, Outcome::Conflict(_)))
                .count();
            cviol += e.violations.iter().filter(|v| v.certain).count();
        }
    }
    println!("clashes {clashes} conflicts-hit {conflicts} violations {viol} hit {cviol} proved {proved} unreachable {unreach} redundant {red}");
    for (what, n) in [
        ("clashes", clashes),
        ("conflicts hit by cases", conflicts),
        ("invariant violations", viol),
        ("violations hit by cases", cviol),
        ("proved invariants", proved),
        ("unreachable rules", unreach),
        ("redundant rules", red),
    ] {
        assert!(n > 0, "the random guidelines never produced {what}");
    }
}
