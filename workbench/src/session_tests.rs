//! Each entry point of the session, on the bundled ALS guideline and on texts
//! an editor produces while typing. Expected values come from the guideline's
//! text (its facts, rules and invariants), not from recorded output.

use super::*;

fn bundled() -> Session {
    let mut s = Session::new("als.gl");
    let answer = s.set_text(guidelang::BUNDLED_TEXT);
    assert_eq!(answer["ok"], true, "the bundled guideline checks: {answer}");
    s
}

const DAY: &str = "2026-12-01";

#[test]
fn the_bundled_guideline_checks_without_errors() {
    let mut s = Session::new("als.gl");
    let answer = s.set_text(guidelang::BUNDLED_TEXT);
    assert_eq!(answer["guideline"]["id"], "als-hyperleukocytosis");
    let errors = answer["diagnostics"]
        .as_array()
        .map_or(0, |d| d.iter().filter(|d| d["severity"] == "error").count());
    assert_eq!(errors, 0, "{answer}");
}

#[test]
fn a_misspelt_fact_is_an_error_with_a_suggestion_in_utf16_offsets() {
    let mut s = Session::new("als.gl");
    // A non-ASCII character before the typo: byte and UTF-16 offsets differ.
    let text = guidelang::BUNDLED_TEXT.replacen(
        "define hyperleukocytosis: wbc > 100",
        "define hyperleukocytosis: wbcc > 100",
        1,
    );
    let text = format!("# µ𝔸\n{text}");
    let answer = s.set_text(&text);
    assert_eq!(answer["ok"], false);
    let diags = answer["diagnostics"].as_array().cloned().unwrap_or_default();
    let typo = diags
        .iter()
        .find(|d| d["severity"] == "error")
        .unwrap_or_else(|| panic!("no error in {answer}"));
    let help = typo["help"].as_str().unwrap_or("");
    assert!(help.contains("did you mean `wbc`"), "{typo}");
    let from = typo["from"].as_u64().unwrap_or(0) as usize;
    let to = typo["to"].as_u64().unwrap_or(0) as usize;
    // Slice as JavaScript would: by UTF-16 units.
    let units: Vec<u16> = text.encode_utf16().collect();
    assert_eq!(String::from_utf16_lossy(&units[from..to]), "wbcc");
    // While it has errors nothing is evaluated, and the refusal says why.
    let refused = s.evaluate("{}", DAY);
    assert!(refused.is_err_and(|e| e.contains("errors")));
}

#[test]
fn text_that_does_not_parse_answers_diagnostics_not_a_panic() {
    let mut s = Session::new("x.gl");
    for text in ["", "guideline", "guideline x\n  title", "rule : :", "\u{feff}ü"] {
        let answer = s.set_text(text);
        assert_eq!(answer["ok"], false, "{text:?}");
        assert!(
            answer["diagnostics"].as_array().is_some_and(|d| !d.is_empty()),
            "{text:?}"
        );
        // Offsets past the end clamp.
        let _ = (s.hover(9999), s.complete(9999), s.fixes(9999));
    }
}

#[test]
fn hyperleukocytosis_in_als_recommends_hydroxyurea_now() {
    let s = bundled();
    let case = r#"{"als": true, "acute_leukemia": true, "wbc": 150, "weight": 70}"#;
    let answer = s.evaluate(case, DAY).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(answer["ok"], true, "{answer}");
    // Hydroxyurea is urgent and recommended when wbc > 100 (rule
    // hydroxyurea-for-cytoreduction): in ACT NOW, in both the text and the sections.
    let act_now: Vec<&str> = answer["sections"]["act_now"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["action"].as_str()).collect())
        .unwrap_or_default();
    assert!(act_now.contains(&"hydroxyurea"), "{}", answer["sections"]);
    let text = answer["text"].as_str().unwrap_or("");
    let act = text.find("ACT NOW").unwrap_or_else(|| panic!("{text}"));
    assert!(text[act..].contains("Hydroxyurea"), "{text}");
    // ALS contraindicates intensive induction whatever else is known.
    let do_not = answer["sections"]["do_not"].to_string();
    assert!(do_not.contains("intensive_induction"), "{do_not}");
    // The evaluation date given by the page is the case's.
    assert_eq!(answer["case"]["as_of"], DAY);
    assert_eq!(answer["case"]["wbc"], 150.0);
    assert_eq!(answer["unsafe"], false);
}

#[test]
fn an_invalid_case_answers_its_errors() {
    let s = bundled();
    let answer = s
        .evaluate(r#"{"als": true, "wbcc": 150, "weight": 1000}"#, DAY)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(answer["ok"], false);
    let errors = answer["errors"].to_string();
    assert!(errors.contains("wbcc") && errors.contains("weight"), "{errors}");
    assert!(s.evaluate("not json", DAY).is_ok_and(|a| a["ok"] == false));
    assert!(s.evaluate("{}", "yesterday").is_err());
}

#[test]
fn the_case_form_lists_every_fact_with_its_domain() {
    let s = bundled();
    let form = s.case_form().unwrap_or_else(|e| panic!("{e}"));
    let facts = form["facts"].as_array().cloned().unwrap_or_default();
    let fact = |name: &str| {
        facts
            .iter()
            .find(|f| f["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name}"))
    };
    // `fact weight: number in kg from 20 to 350 "Body weight"`
    let weight = fact("weight");
    assert_eq!(weight["type"], "number");
    assert_eq!(weight["unit"], "kg");
    assert_eq!(
        (weight["min"].as_f64(), weight["max"].as_f64()),
        (Some(20.0), Some(350.0))
    );
    assert_eq!(weight["description"], "Body weight");
    assert_eq!(fact("als")["type"], "bool");
    assert_eq!(fact("ecog")["type"], "integer");
    assert_eq!(fact("ecog")["max"].as_f64(), Some(4.0));
    assert_eq!(
        fact("leukostasis")["values"],
        serde_json::json!(["none", "pulmonary", "cerebral"])
    );
    assert_eq!(fact("wbc")["unit"], "10^9/L");
    assert_eq!(fact("wbc")["max"], serde_json::Value::Null);
}

#[test]
fn lint_of_the_bundled_guideline_finds_no_error_and_places_are_utf16() {
    let s = bundled();
    let out = s.lint().unwrap_or_else(|e| panic!("{e}"));
    // CI runs `lint --deny warnings` on it: nothing to report.
    assert_eq!(out["errors"], 0, "{out}");
    assert_eq!(out["warnings"], 0, "{out}");
    // Its invariants are proved, among them that hydroxyurea is never withheld.
    let proved = out["proved"].to_string();
    assert!(
        proved.contains("hydroxyurea-never-withheld-for-cytoreduction"),
        "{proved}"
    );
}

#[test]
fn a_clash_has_a_witness_and_places_that_select_its_rules() {
    let mut s = Session::new("clash.gl");
    let text = "guideline clash\n  title \"Clash — µ\"\n  version 1.0.0\n  status draft\n\n\
                fact high: bool \"High\"\n\
                action a \"A\"\n\
                rule yes: recommend a\n  when high\n\
                rule no: avoid a\n  when high\n";
    let answer = s.set_text(text);
    assert_eq!(answer["ok"], true, "{answer}");
    let out = s.lint().unwrap_or_else(|e| panic!("{e}"));
    let clash = out["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["code"] == "guidelang::lint::clash"))
        .cloned()
        .unwrap_or_else(|| panic!("no clash in {out}"));
    assert_eq!(clash["witness"]["high"], true, "{clash}");
    let units: Vec<u16> = text.encode_utf16().collect();
    let places = clash["places"].as_array().cloned().unwrap_or_default();
    assert!(!places.is_empty());
    for p in places {
        let from = p["from"].as_u64().unwrap_or(0) as usize;
        let to = p["to"].as_u64().unwrap_or(0) as usize;
        let shown = String::from_utf16_lossy(&units[from..to]);
        // The same text as the byte span the CLI reports (past the `µ`, the two differ).
        let (start, end) = (
            p["start"].as_u64().unwrap_or(0) as usize,
            p["end"].as_u64().unwrap_or(0) as usize,
        );
        assert_eq!(shown, text[start..end]);
        assert!(start > from, "byte offsets past a two-byte character are larger");
    }
}

#[test]
fn the_rendered_document_is_html_with_the_title() {
    let s = bundled();
    let html = s.render_html().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        html.contains("<html") || html.contains("<article") || html.contains("<h1"),
        "{html:.200}"
    );
    assert!(html.contains("Hyperleukocytosis and acute leukemia with pre-existing ALS"));
}

#[test]
fn the_suite_reports_pass_fail_and_coverage() {
    let s = bundled();
    let suite = r#"
[[case]]
name = "ALS contraindicates intensive induction"
facts = { als = true, acute_leukemia = true }
[case.expect]
intensive_induction = "contraindicated"

[[case]]
name = "a wrong expectation fails"
facts = { als = true, acute_leukemia = true }
[case.expect]
intensive_induction = "recommend"
"#;
    let out = s.run_suite(suite).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (out["passed"].as_u64(), out["failed"].as_u64()),
        (Some(1), Some(1)),
        "{out}"
    );
    assert_eq!(out["cases"][1]["passed"], false);
    let percent = out["coverage"]["percent"].as_f64().unwrap_or(-1.0);
    assert!(percent > 0.0 && percent < 100.0, "{percent}");
    assert!(s.run_suite("[[case]\n").is_err());
}

#[test]
fn the_diff_against_the_opened_version_names_the_changed_rule() {
    let mut s = bundled();
    let edited = guidelang::BUNDLED_TEXT.replacen(
        "define hyperleukocytosis: wbc > 100",
        "define hyperleukocytosis: wbc > 90",
        1,
    );
    assert_eq!(s.set_text(&edited)["ok"], true);
    let out = s.diff(guidelang::BUNDLED_TEXT).unwrap_or_else(|e| panic!("{e}"));
    // Lowering the threshold changes hydroxyurea for a count between 90 and 100.
    let decisions = out["decisions"].to_string();
    assert!(decisions.contains("hydroxyurea"), "{out}");
    assert!(s.diff("not a guideline").is_err());
    // Unchanged text: no decision changes.
    let same = bundled()
        .diff(guidelang::BUNDLED_TEXT)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(same["decisions"], serde_json::json!([]), "{same}");
}

#[test]
fn editor_services_answer_empty_rather_than_fail() {
    let s = bundled();
    // Before the editor services land these are empty; after, they are
    // content. Either way, JSON of the right shape.
    let offset = guidelang::BUNDLED_TEXT.find("wbc > 100").unwrap_or(0) as u32;
    let hover = s.hover(offset);
    assert!(hover.is_null() || hover["markdown"].is_string(), "{hover}");
    assert!(s.complete(offset).is_array());
    assert!(s.fixes(offset).is_array());
}

/// The report panel's item for an action in one section, by action id.
fn item(answer: &Value, section: &str, action: &str) -> Value {
    answer["sections"][section]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["action"] == action))
        .cloned()
        .unwrap_or_else(|| panic!("no {action} in {section}: {}", answer["sections"]))
}

#[test]
fn each_decision_carries_its_dose_rules_and_cited_titles() {
    let s = bundled();
    let case = r#"{"als": true, "acute_leukemia": true, "wbc": 150, "weight": 70}"#;
    let answer = s.evaluate(case, DAY).unwrap_or_else(|e| panic!("{e}"));
    let hydroxyurea = item(&answer, "act_now", "hydroxyurea");
    // `dose 50 to 60 mg/kg/day by weight` for 70 kg, in the text report's words.
    assert_eq!(hydroxyurea["heading"], "recommended");
    assert_eq!(
        hydroxyurea["doses"],
        serde_json::json!(["3500–4200 mg/day (50–60 mg/kg/day × 70 kg)"])
    );
    let text = answer["text"].as_str().unwrap_or("");
    assert!(text.contains("Hydroxyurea — recommended, 3500–4200 mg/day"), "{text}");
    let rules = hydroxyurea["rules"].to_string();
    assert!(rules.contains("hydroxyurea-for-cytoreduction"), "{rules}");
    // `cite 1, 3`; reference 3 is "Leukocytoreduction for acute leukemia"
    // from Therapeutic Apheresis, 2002.
    let cited = hydroxyurea["citations"].as_array().cloned().unwrap_or_default();
    let three = cited
        .iter()
        .find(|c| c["number"] == 3)
        .unwrap_or_else(|| panic!("reference 3 not cited: {cited:?}"));
    assert_eq!(
        three["text"],
        "Leukocytoreduction for acute leukemia, Therapeutic Apheresis (2002)"
    );
    // Its `because` is a line under it, marked as such.
    let lines = hydroxyurea["lines"].as_array().cloned().unwrap_or_default();
    assert!(
        lines
            .iter()
            .any(|l| l["kind"] == "why" && l["text"].as_str().is_some_and(|t| t.starts_with("Oral cytoreduction"))),
        "{lines:?}"
    );
    // ALS contraindicates intensive induction, said as loudly as the text report says it.
    assert_eq!(
        item(&answer, "do_not", "intensive_induction")["heading"],
        "CONTRAINDICATED"
    );
}

#[test]
fn an_action_to_decide_names_the_facts_that_would_decide_it() {
    let s = bundled();
    // ALS and leukemia, no count: whether to give hydroxyurea waits for the count.
    let answer = s
        .evaluate(r#"{"als": true, "acute_leukemia": true}"#, DAY)
        .unwrap_or_else(|e| panic!("{e}"));
    let hydroxyurea = item(&answer, "to_decide", "hydroxyurea");
    assert!(hydroxyurea["needs"].to_string().contains("\"wbc\""), "{hydroxyurea}");
    let words = hydroxyurea["words"].as_str().unwrap_or("").to_lowercase();
    assert!(
        words.starts_with("record ") && words.contains("white blood cell count"),
        "{words}"
    );
    // Urgent ones first, as the text report lists them.
    let urgent: Vec<bool> = answer["sections"]["to_decide"]
        .as_array()
        .map(|a| a.iter().map(|i| i["urgent"] == true).collect())
        .unwrap_or_default();
    assert!(urgent.windows(2).all(|w| w[0] >= w[1]), "{urgent:?}");
}

#[test]
fn the_diff_carries_the_text_account_with_one_witness_line_per_change() {
    let mut s = bundled();
    let edited = guidelang::BUNDLED_TEXT.replacen(
        "define hyperleukocytosis: wbc > 100",
        "define hyperleukocytosis: wbc > 90",
        1,
    );
    assert_eq!(s.set_text(&edited)["ok"], true);
    let out = s.diff(guidelang::BUNDLED_TEXT).unwrap_or_else(|e| panic!("{e}"));
    let text = out["text"].as_str().unwrap_or("");
    assert!(text.contains("decisions that change for some patient:"), "{text}");
    assert!(text.contains("the change implies"), "{text}");
    // The page pairs the i-th witness line with the i-th decision change.
    let witness_lines = text.lines().filter(|l| l.trim_start().starts_with("witness: ")).count();
    let changes = out["decisions"].as_array().map_or(0, Vec::len);
    assert!(changes > 0);
    assert_eq!(witness_lines, changes, "{text}");
    // The version was left as it was although decisions change: the warning says so.
    let warning = out["warning"].as_str().unwrap_or("");
    assert!(warning.contains("version bump"), "{out}");
}

#[test]
fn a_misspelt_fact_offers_the_one_click_fix() {
    let mut s = Session::new("als.gl");
    let text = guidelang::BUNDLED_TEXT.replacen(
        "define hyperleukocytosis: wbc > 100",
        "define hyperleukocytosis: wbcc > 100",
        1,
    );
    let answer = s.set_text(&text);
    let typo = answer["diagnostics"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["severity"] == "error"))
        .cloned()
        .unwrap_or_else(|| panic!("no error in {answer}"));
    let fix = &typo["fixes"][0];
    let edit = &fix["edits"][0];
    assert_eq!(edit["insert"], "wbc", "{typo}");
    // Applying it gives back the text that checks.
    let (from, to) = (
        edit["from"].as_u64().unwrap_or(0) as usize,
        edit["to"].as_u64().unwrap_or(0) as usize,
    );
    let units: Vec<u16> = text.encode_utf16().collect();
    let fixed = format!(
        "{}wbc{}",
        String::from_utf16_lossy(&units[..from]),
        String::from_utf16_lossy(&units[to..])
    );
    assert_eq!(fixed, guidelang::BUNDLED_TEXT);
    // The same fix is on offer at the typo's place.
    let at = s.fixes(typo["from"].as_u64().unwrap_or(0) as u32);
    assert!(at.to_string().contains("wbc"), "{at}");
}
