//! `lint --jobs`: the actions analysed on several threads give the very
//! report one thread gives (findings, their order, witnesses, proofs, the
//! capped counts, the query count), whatever the budget: an action that
//! would not have fitted in what the earlier actions left is analysed again
//! in turn, so a budget that runs out runs out on the same action.

use crate::lint_support::{bench_shape, guideline, Shape};
use guidelang::analysis::{lint_with, Budget, LintOptions, LintReport};
use guidelang::model::Guideline;
use proptest::prelude::*;

/// Lints with `options` on `jobs` threads, on a budget of its own: a cloned
/// budget shares its allowance, so a second run on a clone would start with
/// what the first left.
fn linted(g: &Guideline, options: &LintOptions, jobs: usize) -> LintReport {
    let budget = options.budget.units().map_or_else(Budget::unlimited, Budget::new);
    lint_with(
        g,
        LintOptions {
            jobs,
            budget,
            ..options.clone()
        },
    )
}

/// The reports of 1 and of `jobs` threads, as their full debug text (every
/// field of every finding).
fn same_on(g: &Guideline, options: &LintOptions, jobs: usize) -> Result<(), String> {
    let one = format!("{:#?}", linted(g, options, 1));
    let many = format!("{:#?}", linted(g, options, jobs));
    if one == many {
        Ok(())
    } else {
        let line = one.lines().zip(many.lines()).position(|(a, b)| a != b);
        Err(format!("{jobs} jobs differ from 1 from line {line:?}"))
    }
}

fn bench(rules: usize) -> Guideline {
    guidelang::load_str("bench.gl", &guideline(42, &bench_shape(rules)).text).expect("the bench guideline checks")
}

#[test]
fn threads_report_what_one_thread_reports_on_the_bench_guidelines() {
    for rules in [100, 300] {
        let g = bench(rules);
        let all = LintOptions {
            per_kind: None,
            ..LintOptions::default()
        };
        let report = linted(&g, &all, 2);
        assert!(
            report.findings.iter().any(|f| f.code == "guidelang::lint::clash"),
            "{rules} rules: the bench guideline has clashes"
        );
        for options in [LintOptions::default(), all] {
            for jobs in [2, 3, 8] {
                same_on(&g, &options, jobs).unwrap_or_else(|e| panic!("{rules} rules: {e}"));
            }
        }
    }
}

/// Budgets from nothing to enough: the budget error names the same action,
/// lists the same unanalysed ones, and the findings before it are the same.
#[test]
fn a_budget_runs_out_on_the_same_action_with_any_number_of_threads() {
    let g = bench(100);
    let mut ran_out = 0;
    for units in [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597] {
        let options = LintOptions {
            budget: Budget::new(units),
            ..LintOptions::default()
        };
        let report = linted(&g, &options, 2);
        ran_out += usize::from(
            report
                .findings
                .iter()
                .any(|f| f.code == "guidelang::lint::budget_spent"),
        );
        for jobs in [2, 4] {
            same_on(&g, &options, jobs).unwrap_or_else(|e| panic!("budget {units}: {e}"));
        }
    }
    // The list must cross the point where the budget suffices, or it
    // would test only one side of it.
    assert!((1..17).contains(&ran_out), "{ran_out} of 17 budgets ran out");
}

/// One action with hundreds of clashes (more than a worker holds before it
/// applies the cap), so that counts left out by a worker's cap are merged.
#[test]
fn the_cap_counts_the_same_when_a_worker_applied_it() {
    let mut text = String::from("guideline t\n  title \"T\"\n  version 1.0.0\n  status draft\n\n");
    for i in 0..36 {
        text += &format!("fact f{i}: bool \"F{i}\"\n");
    }
    text += "action a \"A\"\naction b \"B\"\n\n";
    for i in 0..36 {
        let verdict = if i % 2 == 0 { "recommend" } else { "avoid" };
        text += &format!("rule a{i}: {verdict} a when f{i} cite 1\n");
    }
    text += "rule b0: recommend b when f0 cite 1\nrule b1: avoid b when f1 cite 1\nreference 1 \"x\"\n";
    let g = guidelang::load_str("clashes.gl", &text).expect("the clash guideline checks");
    // 18 × 18 pairs of differing verdicts on `a` (more than the 256 a worker
    // holds before it applies the cap), one on `b`.
    let all = linted(
        &g,
        &LintOptions {
            per_kind: None,
            ..LintOptions::default()
        },
        1,
    );
    let clashes = all
        .findings
        .iter()
        .filter(|f| f.code == "guidelang::lint::clash")
        .count();
    assert_eq!(clashes, 18 * 18 + 1);
    for cap in [1, 5, 50] {
        let options = LintOptions {
            per_kind: Some(cap),
            ..LintOptions::default()
        };
        let capped = linted(&g, &options, 2);
        let omitted: usize = capped
            .omitted
            .iter()
            .filter(|o| o.code == "guidelang::lint::clash")
            .map(|o| o.count)
            .sum();
        assert_eq!(omitted, clashes - cap, "cap {cap}");
        same_on(&g, &options, 2).unwrap_or_else(|e| panic!("cap {cap}: {e}"));
    }
}

proptest! {
    #![proptest_config(crate::common::gen::config(24))]

    /// Random guidelines of the bench's kind, with scopes, definitions,
    /// invariants and budgets both small and ample.
    #[test]
    fn threads_report_what_one_thread_reports_on_random_guidelines(
        seed in 0u64..1_000_000,
        actions in 1usize..6,
        units in prop_oneof![Just(None), (0u64..200).prop_map(Some)],
        jobs in 2usize..5,
    ) {
        let shape = Shape { facts: 10, rules: 30, actions, definitions: 3, depth: 3, invariants: 3, scope: seed % 2 == 0 };
        let g = guidelang::load_str("generated.gl", &guideline(seed, &shape).text)
            .map_err(|p| TestCaseError::fail(format!("generated guideline does not check: {p:?}")))?;
        let options = LintOptions {
            budget: units.map_or_else(Budget::unlimited, Budget::new),
            ..LintOptions::default()
        };
        same_on(&g, &options, jobs).map_err(TestCaseError::fail)?;
    }
}

/// The command line's `--jobs` (one per core by default) prints the same
/// report, byte for byte, as one thread.
#[test]
fn the_command_prints_the_same_report_with_any_number_of_jobs() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("bench.gl");
    std::fs::write(&file, guideline(42, &bench_shape(100)).text).expect("the guideline is written");
    let run = |jobs: Option<&str>| {
        let mut cmd = assert_cmd::Command::cargo_bin("guidelang").expect("the binary is built");
        cmd.arg("lint").arg(&file).args(["--format", "json"]);
        if let Some(j) = jobs {
            cmd.args(["--jobs", j]);
        }
        let out = cmd.output().expect("lint runs");
        // The bench guideline has clashes: exit 1, the report on stdout.
        assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    let one = run(Some("1"));
    assert!(one.windows(5).any(|w| w == b"clash"), "the report lists clashes");
    assert_eq!(run(Some("2")), one);
    assert_eq!(run(None), one);
    let zero = assert_cmd::Command::cargo_bin("guidelang")
        .expect("the binary is built")
        .args(["lint", "--jobs", "0"])
        .arg(&file)
        .output()
        .expect("lint runs");
    assert_eq!(zero.status.code(), Some(2), "--jobs 0 is a usage error");
}
