//! `guidelang diff OLD NEW` through the real binary: items changed, decisions
//! that change with witnesses that `guidelang eval` confirms on both versions,
//! and the version bump.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const BUNDLED: &str = include_str!("../../guidelines/als-hyperleukocytosis.gl");

/// A small guideline for the edits below (the bundled one is rewritten from
/// time to time; this one is not): a precedence, a threshold, a rationale.
const FIXTURE: &str = r#"guideline precedence-fixture
  version 1.0.0
  status draft

reference 1 "Test reference"

fact wbc: number in 10^9/L from 0 "White blood cell count."
fact refractory: bool "Refractory to hydroxyurea."
fact platelets: number in 10^9/L from 0 "Platelet count."
fact bleeding: bool "Active bleeding."
fact coagulopathy: bool "Uncontrolled coagulopathy." recorded

rule hydroxyurea-for-high-count: recommend hydroxyurea
  when wbc > 100
  cite 1

rule leukapheresis-for-refractory: consider leukapheresis
  when wbc > 100 and refractory
  overrides no-leukapheresis
  cite 1

rule no-leukapheresis: avoid leukapheresis
  when wbc > 100
  cite 1

rule platelets-with-bleeding: recommend platelet_transfusion
  when platelets < 50 and bleeding
  because "Red cells raise blood viscosity; platelets do not."
  cite 1
"#;

fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` must occur once");
    text.replacen(from, to, 1)
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("guidelang")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Writes both versions (the old one is [`FIXTURE`]) and diffs them as JSON.
fn diff(new: &str) -> (tempfile::TempDir, Value, String) {
    diff_from(FIXTURE, new)
}

fn diff_from(old: &str, new: &str) -> (tempfile::TempDir, Value, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.gl"), old).unwrap();
    std::fs::write(dir.path().join("new.gl"), new).unwrap();
    let (code, stdout, stderr) = run(dir.path(), &["diff", "old.gl", "new.gl", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    (dir, serde_json::from_str(&stdout).unwrap(), stderr)
}

/// The action's outcome when `file` evaluates the witness's facts it declares.
fn outcome(dir: &Path, file: &str, witness: &Value, action: &str) -> String {
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    let g = guidelang::load_str(file, &text).unwrap();
    let own: serde_json::Map<String, Value> = witness
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| g.fact_id(k).is_some())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    std::fs::write(dir.join("witness.json"), Value::Object(own).to_string()).unwrap();
    let (_, stdout, _) = run(dir, &["eval", file, "--case", "witness.json", "--format", "json"]);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    if report["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["action"] == action)
    {
        return "conflict".into();
    }
    report["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["action"] == action)
        .map_or("none".into(), |d| d["verdict"].as_str().unwrap().to_string())
}

#[test]
fn a_version_against_itself_changes_nothing() {
    // Whatever its content: the bundled guideline against itself.
    let (_dir, d, stderr) = diff_from(BUNDLED, BUNDLED);
    assert_eq!(d["decisions"], Value::Array(Vec::new()));
    assert_eq!(d["rules"], Value::Array(Vec::new()));
    assert_eq!(d["implied_bump"], "none");
    assert_eq!(d["version_ok"], true);
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn changed_decisions_come_with_witnesses_that_eval_confirms() {
    // Without its precedence, the consider rule clashes with the avoid rule
    // (refractory, count above 100); platelets from 40 to 50 lose the transfusion.
    let new = edit(FIXTURE, "  overrides no-leukapheresis\n", "");
    let new = edit(&new, "when platelets < 50 and", "when platelets < 40 and");
    let (dir, d, stderr) = diff(&new);
    let decisions = d["decisions"].as_array().unwrap();
    let pairs: Vec<(&str, &str, &str)> = decisions
        .iter()
        .map(|c| {
            (
                c["action"].as_str().unwrap(),
                c["before"].as_str().unwrap(),
                c["after"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("leukapheresis", "consider", "conflict"),
            ("platelet_transfusion", "recommend", "none")
        ]
    );
    for c in decisions {
        let action = c["action"].as_str().unwrap();
        assert_eq!(
            outcome(dir.path(), "old.gl", &c["witness"], action),
            c["before"].as_str().unwrap()
        );
        assert_eq!(
            outcome(dir.path(), "new.gl", &c["witness"], action),
            c["after"].as_str().unwrap()
        );
    }
    let platelets = &decisions[1]["witness"]["platelets"];
    assert!(platelets.as_f64().unwrap() >= 40.0 && platelets.as_f64().unwrap() < 50.0);
    let changed: Vec<&str> = d["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["leukapheresis-for-refractory", "platelets-with-bleeding"]);
    assert_eq!(d["implied_bump"], "minor");
    assert_eq!(d["version_bump"], "none");
    assert_eq!(d["version_ok"], false);
    assert!(stderr.contains("implies a minor version bump"), "{stderr}");
}

#[test]
fn strict_version_fails_when_the_version_is_not_bumped() {
    let new = edit(FIXTURE, "when platelets < 50 and", "when platelets < 40 and");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.gl"), FIXTURE).unwrap();
    std::fs::write(dir.path().join("new.gl"), &new).unwrap();
    let (code, stdout, _) = run(dir.path(), &["diff", "old.gl", "new.gl", "--strict-version"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("platelet_transfusion: recommend → no recommendation"),
        "{stdout}"
    );
    let bumped = edit(&new, "version 1.0.0", "version 1.1.0");
    std::fs::write(dir.path().join("new.gl"), bumped).unwrap();
    let (code, _, stderr) = run(dir.path(), &["diff", "old.gl", "new.gl", "--strict-version"]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn wording_is_a_patch_and_facts_move_the_bump() {
    let reworded = edit(
        FIXTURE,
        "\"Red cells raise blood viscosity",
        "\"Red blood cells raise viscosity",
    );
    let (_dir, d, _) = diff(&reworded);
    assert_eq!(d["implied_bump"], "patch");
    assert_eq!(d["rules"][0]["parts"], serde_json::json!(["rationale"]));
    assert_eq!(d["decisions"], Value::Array(Vec::new()));

    let added = edit(
        FIXTURE,
        "fact bleeding:",
        "fact albumin: number in g/dL from 0 recorded\nfact bleeding:",
    );
    let (_dir, d, _) = diff(&added);
    assert_eq!(d["implied_bump"], "minor");
    assert_eq!(d["facts"][0]["change"], "added");

    let narrowed = edit(
        FIXTURE,
        "fact wbc: number in 10^9/L from 0 ",
        "fact wbc: number in 10^9/L from 0 to 1000 ",
    );
    let (_dir, d, _) = diff(&narrowed);
    assert_eq!(
        d["implied_bump"], "major",
        "old cases with wbc above 1000 are now rejected"
    );
}

#[test]
fn a_new_contraindication_shows_who_it_affects() {
    let new = format!(
        "{FIXTURE}\nrule no-hydroxyurea-in-coagulopathy: contraindicated hydroxyurea\n  when coagulopathy\n  because \"Invented for the test.\"\n  cite 1\n"
    );
    let (dir, d, _) = diff(&new);
    let decisions = d["decisions"].as_array().unwrap();
    assert!(!decisions.is_empty());
    for c in decisions {
        assert_eq!(c["action"], "hydroxyurea");
        assert_eq!(c["after"], "contraindicated");
        assert_eq!(c["witness"]["coagulopathy"], true);
        assert_eq!(
            outcome(dir.path(), "new.gl", &c["witness"], "hydroxyurea"),
            "contraindicated"
        );
        assert_eq!(
            outcome(dir.path(), "old.gl", &c["witness"], "hydroxyurea"),
            c["before"].as_str().unwrap()
        );
    }
    let befores: Vec<&str> = decisions.iter().map(|c| c["before"].as_str().unwrap()).collect();
    assert_eq!(befores, ["none", "recommend"]);
}

// ------------------------------------------------------------------
// `--format markdown`: the changelog, on two small fixture versions (the
// bundled guideline is rewritten from time to time; these are not).

/// Version 1.0.0 of the fixture.
const CHANGELOG_OLD: &str = r#"guideline leukostasis-fixture
  title "Leukostasis fixture"
  version 1.0.0
  status draft
  applies when als

reference 1 "Test reference"

action leukapheresis "Leukapheresis" urgent
action hydroxyurea "Hydroxyurea" urgent
action growth_factors "Growth factors"

fact als: bool "Pre-existing ALS."
fact wbc: number in 10^9/L from 0 "White blood cell count."
fact pml_rara: one of positive, negative, pending "PML-RARA result."
fact ecog: integer from 0 to 4 "ECOG performance status." recorded

define hyperleukocytosis: wbc > 100

rule hydroxyurea-for-hyperleukocytosis: recommend hydroxyurea
  when hyperleukocytosis
  cite 1

rule leukapheresis-for-hyperleukocytosis: consider leukapheresis
  when hyperleukocytosis and pml_rara is not positive
  cite 1

rule no-growth-factors: avoid growth_factors
  when hyperleukocytosis
  cite 1

note emergency:
  when hyperleukocytosis
  says "A haematologic emergency."
  cite 1
"#;

/// The next version: leukapheresis only once PML-RARA is negative (a pending
/// result no longer suffices), rasburicase added, growth factors and `ecog`
/// removed, `uric_acid` added, a label, a fact's description, a note's text,
/// the title and the references changed, an invariant added.
const CHANGELOG_NEW: &str = r#"guideline leukostasis-fixture
  title "Leukostasis fixture, revised"
  version 1.1.0
  status draft
  applies when als

reference 1 "Test reference"
reference 2 "Second reference"

action leukapheresis "Leukapheresis" urgent
action hydroxyurea "Hydroxyurea (oral)" urgent
action rasburicase "Rasburicase" urgent

fact als: bool "Pre-existing amyotrophic lateral sclerosis (ALS)."
fact wbc: number in 10^9/L from 0 "White blood cell count."
fact pml_rara: one of positive, negative, pending "PML-RARA result."
fact uric_acid: number in mg/dL from 0 "Uric acid." recorded

define hyperleukocytosis: wbc > 100

rule hydroxyurea-for-hyperleukocytosis: recommend hydroxyurea
  when hyperleukocytosis
  cite 1

rule leukapheresis-for-hyperleukocytosis: consider leukapheresis
  when hyperleukocytosis and pml_rara is negative
  cite 1

rule rasburicase-for-hyperleukocytosis: recommend rasburicase
  when hyperleukocytosis
  cite 2

note emergency:
  when hyperleukocytosis
  says "A haematologic emergency; act within hours."
  cite 1

invariant no-leukapheresis-in-apl:
  never consider or recommend leukapheresis when pml_rara is positive
"#;

/// `diff old.gl new.gl --format markdown`: exit code, stdout, stderr.
fn changelog(old: &str, new: &str) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.gl"), old).unwrap();
    std::fs::write(dir.path().join("new.gl"), new).unwrap();
    run(dir.path(), &["diff", "old.gl", "new.gl", "--format", "markdown"])
}

/// The lines of the section that starts with `heading`, up to the next
/// heading of the same or a higher level.
fn section<'a>(text: &'a str, heading: &str) -> Vec<&'a str> {
    let level = heading.chars().take_while(|c| *c == '#').count();
    let mut lines = text.lines().skip_while(|l| *l != heading);
    assert!(lines.next().is_some(), "no section {heading:?} in:\n{text}");
    lines
        .take_while(|l| {
            let hashes = l.chars().take_while(|c| *c == '#').count();
            hashes == 0 || hashes > level || !l[hashes..].starts_with(' ')
        })
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn the_changelog_names_both_versions_and_states_the_bump() {
    let (code, md, stderr) = changelog(CHANGELOG_OLD, CHANGELOG_NEW);
    assert_eq!(code, 0, "{stderr}");
    let old = guidelang::load_str("old.gl", CHANGELOG_OLD).unwrap();
    let new = guidelang::load_str("new.gl", CHANGELOG_NEW).unwrap();
    assert_eq!(
        md.lines().next(),
        Some("# Changelog of `leukostasis-fixture`: 1.0.0 → 1.1.0")
    );
    assert!(md.contains(&format!("| Before | 1.0.0 | `{}` |", old.hash)), "{md}");
    assert!(md.contains(&format!("| After | 1.1.0 | `{}` |", new.hash)), "{md}");
    // An action and a fact removed: old case files may be rejected.
    assert_eq!(
        section(&md, "## Version"),
        [
            "- The change implies **a major version bump** (case files valid before may now be rejected, or an action is no longer decided).",
            "- 1.0.0 → 1.1.0 is a minor bump, so **the version does not reflect the change** (it needs a major bump).",
        ]
    );
    assert!(stderr.contains("implies a major version bump"), "{stderr}");

    let major = CHANGELOG_NEW.replace("version 1.1.0", "version 2.0.0");
    let (_, md, stderr) = changelog(CHANGELOG_OLD, &major);
    assert!(
        md.contains("- 1.0.0 → 2.0.0 is a major bump, so the version reflects the change.\n"),
        "{md}"
    );
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn the_changelog_lists_what_was_added_removed_and_changed() {
    let (_, md, _) = changelog(CHANGELOG_OLD, CHANGELOG_NEW);
    assert_eq!(
        section(&md, "## Added"),
        [
            "### Actions",
            "- **Rasburicase** `rasburicase` (urgent)",
            "### Facts",
            "- `uric_acid`: a number in mg/dL from 0 — Uric acid.",
            "### Rules",
            "- `rasburicase-for-hyperleukocytosis`: **recommend** **Rasburicase** `rasburicase` (urgent) when *hyperleukocytosis*",
            "### Invariants",
            "- invariant `no-leukapheresis-in-apl`: **Never consider or recommend** Leukapheresis when PML-RARA result is positive",
            "### References",
            "- \\[2\\] Second reference",
        ]
    );
    assert_eq!(
        section(&md, "## Removed"),
        [
            "### Actions",
            "- **Growth factors** `growth_factors`",
            "### Facts",
            "- `ecog`: a whole number from 0 to 4 — ECOG performance status.",
            "### Rules",
            "- `no-growth-factors`: **avoid** **Growth factors** `growth_factors` when *hyperleukocytosis*",
        ]
    );
    assert_eq!(
        section(&md, "## Changed"),
        [
            "### Header",
            "- Title: “Leukostasis fixture” → “Leukostasis fixture, revised”",
            "### Actions",
            "- **Hydroxyurea (oral)** `hydroxyurea` (urgent): label “Hydroxyurea” → “Hydroxyurea (oral)”",
            "### Facts",
            "- `als`: description “Pre-existing ALS.” → “Pre-existing amyotrophic lateral sclerosis (ALS).”",
            "### Rules",
            "- `leukapheresis-for-hyperleukocytosis` on **Leukapheresis** `leukapheresis` (urgent): condition: *hyperleukocytosis* and PML-RARA result is negative or pending → *hyperleukocytosis* and PML-RARA result is negative",
            "### Notes",
            "- note `emergency`: text “A haematologic emergency.” → “A haematologic emergency; act within hours.”",
        ]
    );
}

#[test]
fn each_changed_decision_has_its_witness_patient_as_a_table() {
    let (_, md, _) = changelog(CHANGELOG_OLD, CHANGELOG_NEW);
    // New actions first in their declared order, then the removed one.
    let actions: Vec<&str> = section(&md, "## Decisions that change")
        .into_iter()
        .filter(|l| l.starts_with("### "))
        .collect();
    assert_eq!(
        actions,
        [
            "### **Leukapheresis** `leukapheresis` (urgent)",
            "### **Rasburicase** `rasburicase` (urgent)",
            "### **Growth factors** `growth_factors`",
        ]
    );

    // Leukapheresis: only a pending PML-RARA, with a count above 100 in an
    // ALS patient, loses the *consider* (positive never had it, negative keeps it).
    let leukapheresis = section(&md, "### **Leukapheresis** `leukapheresis` (urgent)");
    assert_eq!(leukapheresis[0], "#### consider → no recommendation");
    assert_eq!(
        leukapheresis[1],
        "For a patient like this, Leukapheresis goes from *considered* (version 1.0.0) to *no recommendation* (version 1.1.0)."
    );
    assert_eq!(leukapheresis[2], "| Fact | Value | Description |");
    // Rows in the facts' declared order: als, wbc, pml_rara.
    assert_eq!(
        leukapheresis[4],
        "| `als` | yes | Pre-existing amyotrophic lateral sclerosis (ALS). |"
    );
    let wbc = leukapheresis[5]
        .strip_prefix("| `wbc` | ")
        .and_then(|r| r.strip_suffix(" × 10^9/L | White blood cell count. |"))
        .unwrap_or_else(|| panic!("wbc row: {}", leukapheresis[5]));
    assert!(wbc.parse::<f64>().unwrap() > 100.0, "{wbc}");
    assert_eq!(leukapheresis[6], "| `pml_rara` | `pending` | PML-RARA result. |");
    assert!(
        leukapheresis[7].starts_with("Full witness case: `{"),
        "{}",
        leukapheresis[7]
    );

    let rasburicase = section(&md, "### **Rasburicase** `rasburicase` (urgent)");
    assert_eq!(rasburicase[0], "#### no recommendation → recommend");
    let growth = section(&md, "### **Growth factors** `growth_factors`");
    assert_eq!(growth[0], "#### avoid → no recommendation");
    assert_eq!(
        growth[1],
        "For a patient like this, Growth factors goes from *avoided* (version 1.0.0) to *no recommendation* (version 1.1.0)."
    );
}

#[test]
fn the_changelog_is_the_same_bytes_every_time() {
    let (_, first, _) = changelog(CHANGELOG_OLD, CHANGELOG_NEW);
    for _ in 0..3 {
        assert_eq!(changelog(CHANGELOG_OLD, CHANGELOG_NEW).1, first);
    }
}

#[test]
fn an_unchanged_guideline_gives_an_empty_changelog() {
    let (code, md, stderr) = changelog(CHANGELOG_OLD, CHANGELOG_OLD);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        md.contains("- The change implies **no version bump** (nothing changed).\n"),
        "{md}"
    );
    assert!(
        md.contains("- 1.0.0 → 1.0.0 is no bump, so the version reflects the change.\n"),
        "{md}"
    );
    assert!(md.contains("\nNo item was added, removed or changed.\n"), "{md}");
    assert!(md.contains(
        "\nNo decision changes for any patient: the analysis proves it over every case both versions accept.\n"
    ));
    assert!(!md.contains("## Added") && !md.contains("## Removed") && !md.contains("## Changed"));
}

#[test]
fn actions_and_references_are_items_of_the_json_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.gl"), CHANGELOG_OLD).unwrap();
    std::fs::write(dir.path().join("new.gl"), CHANGELOG_NEW).unwrap();
    let (_, stdout, _) = run(dir.path(), &["diff", "old.gl", "new.gl", "--format", "json"]);
    let d: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        d["actions"],
        serde_json::json!([
            {"name": "hydroxyurea", "change": "changed", "parts": ["label"]},
            {"name": "rasburicase", "change": "added", "parts": []},
            {"name": "growth_factors", "change": "removed", "parts": []},
        ])
    );
    assert_eq!(
        d["references"],
        serde_json::json!([{"name": "2", "change": "added", "parts": []}])
    );
}

#[test]
fn a_relabel_alone_is_a_patch_and_urgency_a_minor_change() {
    let relabelled = CHANGELOG_OLD.replace("\"Growth factors\"", "\"Growth factors (G-CSF, GM-CSF)\"");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.gl"), CHANGELOG_OLD).unwrap();
    std::fs::write(dir.path().join("new.gl"), &relabelled).unwrap();
    let (_, stdout, _) = run(dir.path(), &["diff", "old.gl", "new.gl", "--format", "json"]);
    let d: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(d["implied_bump"], "patch");

    let urgent = CHANGELOG_OLD.replace("\"Growth factors\"", "\"Growth factors\" urgent");
    std::fs::write(dir.path().join("new.gl"), &urgent).unwrap();
    let (_, stdout, _) = run(dir.path(), &["diff", "old.gl", "new.gl", "--format", "markdown"]);
    assert!(
        stdout.contains("- **Growth factors** `growth_factors` (urgent): not urgent → urgent\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("The change implies **a minor version bump**"),
        "{stdout}"
    );
}

#[test]
fn text_in_the_changelog_cannot_become_markup() {
    let old = CHANGELOG_OLD.replace("\"White blood cell count.\"", "\"WBC | count *bold* <b>x</b>.\"");
    let new = CHANGELOG_NEW
        .replace("\"White blood cell count.\"", "\"WBC | count *bold* <b>x</b>.\"")
        .replace("\"Rasburicase\"", "\"Rasburicase | *not bold*\"");
    let (_, md, _) = changelog(&old, &new);
    assert!(
        md.contains("- **Rasburicase \\| \\*not bold\\*** `rasburicase` (urgent)\n"),
        "{md}"
    );
    // In a witness table, a description with a `|` stays in its cell.
    assert!(
        md.contains(" × 10^9/L | WBC \\| count \\*bold\\* \\<b\\>x\\</b\\>. |\n"),
        "{md}"
    );
}

/// The bundled guideline's changelog is `diff --format markdown` of the
/// previous version (kept byte for byte under guidelines/history/) against
/// the current file, so it can never drift from the files it describes.
#[test]
fn the_bundled_changelog_is_what_diff_writes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, stdout, stderr) = run(
        root,
        &[
            "diff",
            "guidelines/history/als-hyperleukocytosis-1.0.0.gl",
            "guidelines/als-hyperleukocytosis.gl",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let kept = std::fs::read_to_string(root.join("guidelines/als-hyperleukocytosis.changes.md")).unwrap();
    assert!(
        kept == stdout,
        "guidelines/als-hyperleukocytosis.changes.md is stale: regenerate it with\n  \
         guidelang diff guidelines/history/als-hyperleukocytosis-1.0.0.gl guidelines/als-hyperleukocytosis.gl --format markdown > guidelines/als-hyperleukocytosis.changes.md"
    );
    // What a review board must find in it: the major bump, and the 2.0.0
    // decisions the spec names, each with a witness.
    assert!(stdout.contains("**a major version bump**"), "{stdout}");
    assert!(stdout.contains("1.0.0 → 2.0.0 is a major bump, so the version reflects the change."));
    for heading in [
        "### **Leukapheresis** `leukapheresis` (urgent)\n\n",
        "#### consider → avoid\n",
        "### **Hydroxyurea** `hydroxyurea` (urgent)\n\n#### no recommendation → recommend\n",
        "### **Platelet transfusion** `platelet_transfusion` (urgent)\n",
    ] {
        assert!(stdout.contains(heading), "missing {heading:?}");
    }
}
