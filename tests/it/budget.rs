//! Every analysis runs on a budget of solver work (`--budget UNITS`): when it
//! is spent the answer is "not proved", with exit 1, never a hang. Work is
//! counted, not time, so these answers are the same on any machine.

use std::process::Command;

use guidelang::analysis::{diff::diff_with, lint_with, Budget, LintOptions, SolverFailure};

fn guidelang(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_guidelang"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Two counts of `k` out of `n` facts: comparing a file with itself must prove
/// the counts equal, which is hard for a SAT solver when `n` is large.
fn wide_count(n: usize, k: usize) -> String {
    let mut text = String::from("guideline wide\n  version 1.0.0\n  status draft\n\n");
    for i in 0..n {
        text.push_str(&format!("fact f{i}: bool \"F{i}.\"\n"));
    }
    let items: Vec<String> = (0..n).map(|i| format!("f{i}")).collect();
    text.push_str(&format!(
        "rule r: recommend x\n  when at least {k} of ({})\n",
        items.join(", ")
    ));
    text
}

#[test]
fn a_spent_budget_stops_lint_with_one_finding_that_names_what_was_not_analysed() {
    let g = guidelang::bundled().unwrap();
    let options = LintOptions {
        budget: Budget::new(1),
        ..LintOptions::default()
    };
    let report = lint_with(&g, options);
    let spent: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.code == "guidelang::lint::budget_spent")
        .collect();
    assert_eq!(spent.len(), 1, "{:#?}", report.findings);
    let f = spent[0];
    assert!(f.is_error());
    let action = f.action.clone().unwrap();
    assert!(
        f.message
            .starts_with("not proved: the analysis budget (1 units) was spent on"),
        "{}",
        f.message
    );
    // Every action after the one the budget ran out on is named as not analysed.
    let names: Vec<&str> = g.actions.iter().map(|a| a.name.as_str()).collect();
    let at = names.iter().position(|n| *n == action).unwrap();
    for later in &names[at + 1..] {
        assert!(
            f.message.contains(&format!("`{later}`")),
            "{later} missing: {}",
            f.message
        );
    }
    // Nothing about an unanalysed action is claimed either way.
    assert!(report
        .findings
        .iter()
        .all(|x| x.code != "guidelang::lint::clash" || !names[at..].contains(&x.action.as_deref().unwrap_or(""))));
}

#[test]
fn the_default_budget_lints_the_bundled_guideline_completely() {
    let g = guidelang::bundled().unwrap();
    let report = lint_with(&g, LintOptions::default());
    assert!(report
        .findings
        .iter()
        .all(|f| f.code != "guidelang::lint::budget_spent"));
    assert_eq!(report.proved.len(), g.invariants.len());
}

#[test]
fn lint_budget_on_the_command_line() {
    let (code, stdout, _) = guidelang(&["lint", "--format", "json", "--budget", "1"]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("guidelang::lint::budget_spent"), "{stdout}");
    // The same file with the default budget is clean.
    let (code, _, stderr) = guidelang(&["lint", "--deny", "warnings"]);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn a_hard_comparison_ends_as_not_compared_when_the_budget_is_spent() {
    // The same count with its items in another order: the rule's text
    // changed, so the solver must be asked (an action whose rules did not
    // change at all is not compared), and its answer is "no change".
    let swapped = |text: &str| text.replacen("(f0, f1,", "(f1, f0,", 1);
    let text = wide_count(60, 30);
    let g = guidelang::load_str("wide.gl", &text).unwrap();
    let h = guidelang::load_str("wide.gl", &swapped(&text)).unwrap();
    match diff_with(&g, &h, &Budget::new(100)) {
        Err(SolverFailure::BudgetSpent) => {}
        other => panic!(
            "expected the budget to be spent, got {:?}",
            other.map(|d| d.decisions.len())
        ),
    }
    // With room enough, a smaller instance is compared and found unchanged.
    let small_text = wide_count(12, 6);
    let small = guidelang::load_str("small.gl", &small_text).unwrap();
    let small_swapped = guidelang::load_str("small.gl", &swapped(&small_text)).unwrap();
    let d = diff_with(&small, &small_swapped, &Budget::default()).unwrap();
    assert!(d.decisions.is_empty() && d.not_compared.is_empty());

    let dir = tempfile::tempdir().unwrap();
    let (old_path, new_path) = (dir.path().join("wide.gl"), dir.path().join("wide-new.gl"));
    std::fs::write(&old_path, &text).unwrap();
    std::fs::write(&new_path, swapped(&text)).unwrap();
    let (o, n) = (old_path.to_str().unwrap(), new_path.to_str().unwrap());
    let (code, stdout, stderr) = guidelang(&["diff", o, n, "--budget", "100"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stdout.is_empty(), "no report from an unfinished comparison: {stdout}");
    assert!(
        stderr.contains("not compared: the analysis budget (100 units) was spent"),
        "{stderr}"
    );
}

/// Regression: the encoding of a wide count is millions of clauses (`at least
/// 600 of 1200` took 10 s and 2 GB before a single query was asked); the
/// clauses the encoding adds draw on the budget too, so it stops there.
#[test]
fn an_encoding_too_large_for_the_budget_ends_as_not_proved() {
    let g = guidelang::load_str("wide.gl", &wide_count(1200, 600)).unwrap();
    let report = lint_with(&g, LintOptions::default());
    let codes: Vec<&str> = report.findings.iter().map(|f| f.code).collect();
    assert!(codes.contains(&"guidelang::lint::budget_spent"), "{codes:?}");
    assert!(report.proved.is_empty());
}

/// The default budget is far above what real and generated guidelines need:
/// the benchmark's generated guidelines of 1,000 and 5,000 rules lint in full.
#[test]
fn the_default_budget_lints_large_generated_guidelines_completely() {
    for rules in [1_000usize, 5_000] {
        let shape = crate::lint_support::Shape {
            facts: 50,
            rules,
            actions: (rules / 10).max(1),
            definitions: 10,
            depth: 3,
            invariants: (rules / 50).max(2),
            scope: true,
        };
        let generated = crate::lint_support::guideline(42, &shape);
        let g = guidelang::load_str("generated.gl", &generated.text).unwrap();
        let report = lint_with(&g, LintOptions::default());
        assert!(
            report
                .findings
                .iter()
                .all(|f| f.code != "guidelang::lint::budget_spent"),
            "{rules} rules"
        );
    }
}
