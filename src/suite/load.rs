//! Reading a case suite: TOML files of `[[case]]` tables (the format is in
//! docs/editing.md). Every problem of a file is reported, with the case and the
//! key it concerns, and nothing is guessed: an unknown key is an error.

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use super::{ActionExpect, DoseExpect, OutcomeExpect, ScopeExpect, TestCase};
use crate::model::Verdict;

/// Where a guideline's cases live: `<dir>/<stem>.cases/*.toml` (sorted) and
/// `<dir>/<stem>.cases.toml`, those that exist.
pub fn discover(guideline: &Path) -> Vec<PathBuf> {
    let stem = guideline
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let dir = guideline.parent().unwrap_or(Path::new(""));
    let mut out = toml_files(&dir.join(format!("{stem}.cases")));
    let single = dir.join(format!("{stem}.cases.toml"));
    if single.is_file() {
        out.push(single);
    }
    out
}

/// The `.toml` files of a directory, sorted; a file given directly is itself.
pub fn toml_files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    files.sort();
    files
}

/// Parses one suite file. `origin` names it in messages and in each case.
pub fn parse_suite(origin: &str, text: &str) -> Result<Vec<TestCase>, Vec<String>> {
    let table: Table = text
        .parse()
        .map_err(|e: toml::de::Error| vec![format!("{origin}: not valid TOML: {}", e.message().trim())])?;
    let mut errors = Vec::new();
    for key in table.keys().filter(|k| *k != "case") {
        errors.push(format!(
            "{origin}: unknown top-level key `{key}`; a suite file holds `[[case]]` tables"
        ));
    }
    let cases = match table.get("case") {
        None => Vec::new(),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(_) => {
            errors.push(format!("{origin}: `case` must be written as `[[case]]` tables"));
            Vec::new()
        }
    };
    let mut out = Vec::new();
    for (i, item) in cases.into_iter().enumerate() {
        let mut e = Errors {
            origin,
            case: format!("case {}", i + 1),
            list: &mut errors,
        };
        if let Some(c) = case(item, &mut e) {
            out.push(c);
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

struct Errors<'a> {
    origin: &'a str,
    case: String,
    list: &'a mut Vec<String>,
}

impl Errors<'_> {
    fn push(&mut self, msg: impl std::fmt::Display) {
        self.list.push(format!("{}: {}: {msg}", self.origin, self.case));
    }
}

const CASE_KEYS: &str = "name, facts, scope, notes, notes_absent, complete, expect";

fn case(item: &Value, e: &mut Errors) -> Option<TestCase> {
    let Value::Table(t) = item else {
        e.push("each `[[case]]` must be a table");
        return None;
    };
    let name = match t.get("name") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        _ => {
            e.push("every case needs a `name = \"...\"`");
            return None;
        }
    };
    e.case = format!("case \"{name}\"");
    let before = e.list.len();
    for key in t.keys() {
        if !CASE_KEYS.split(", ").any(|k| k == key) {
            e.push(format!("unknown key `{key}`; a case has {CASE_KEYS}"));
        }
    }
    let facts = match t.get("facts") {
        None => serde_json::Value::Object(serde_json::Map::new()),
        Some(Value::Table(f)) => match serde_json::to_value(f) {
            Ok(v) => v,
            Err(err) => {
                e.push(format!("`facts` cannot be read: {err}"));
                return None;
            }
        },
        Some(_) => {
            e.push("`facts` must be a table, e.g. `facts = { als = true, wbc = 150 }`");
            return None;
        }
    };
    let scope = match t.get("scope") {
        None => None,
        Some(Value::String(s)) => match s.as_str() {
            "applies" => Some(ScopeExpect::Applies),
            "not-applicable" => Some(ScopeExpect::NotApplicable),
            "undecided" => Some(ScopeExpect::Undecided),
            other => {
                e.push(format!(
                    "`scope` is \"{other}\"; write \"applies\", \"not-applicable\" or \"undecided\""
                ));
                None
            }
        },
        Some(_) => {
            e.push("`scope` must be \"applies\", \"not-applicable\" or \"undecided\"");
            None
        }
    };
    let notes = strings(t.get("notes"), "notes", e);
    let notes_absent = strings(t.get("notes_absent"), "notes_absent", e);
    let complete = match t.get("complete") {
        None => false,
        Some(Value::Boolean(b)) => *b,
        Some(_) => {
            e.push("`complete` must be true or false");
            false
        }
    };
    let mut actions = Vec::new();
    match t.get("expect") {
        None => {}
        Some(Value::Table(x)) => {
            for (action, v) in x {
                if let Some(a) = expectation(action, v, e) {
                    actions.push((action.clone(), a));
                }
            }
        }
        Some(_) => e.push("`expect` must be a table of actions: `[case.expect]`"),
    }
    (e.list.len() == before).then_some(TestCase {
        name,
        origin: e.origin.to_string(),
        facts,
        scope,
        actions,
        notes,
        notes_absent,
        complete,
    })
}

fn strings(v: Option<&Value>, key: &str, e: &mut Errors) -> Vec<String> {
    match v {
        None => Vec::new(),
        Some(Value::Array(items)) if items.iter().all(Value::is_str) => {
            items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect()
        }
        Some(_) => {
            e.push(format!("`{key}` must be a list of texts, e.g. `{key} = [\"an-id\"]`"));
            Vec::new()
        }
    }
}

const OUTCOMES: &str = "recommend, consider, avoid, contraindicated, absent, undecided, conflict or withheld";

fn outcome(word: &str) -> Option<OutcomeExpect> {
    Some(match word {
        "recommend" => OutcomeExpect::Verdict(Verdict::Recommend),
        "consider" => OutcomeExpect::Verdict(Verdict::Consider),
        "avoid" => OutcomeExpect::Verdict(Verdict::Avoid),
        "contraindicated" => OutcomeExpect::Verdict(Verdict::Contraindicated),
        "absent" => OutcomeExpect::Absent,
        "undecided" => OutcomeExpect::Undecided(None),
        "conflict" => OutcomeExpect::Conflict,
        "withheld" => OutcomeExpect::Withheld,
        _ => return None,
    })
}

fn expectation(action: &str, v: &Value, e: &mut Errors) -> Option<ActionExpect> {
    let at = format!("expect.{action}");
    match v {
        Value::String(s) => match outcome(s) {
            Some(o) => Some(ActionExpect {
                outcome: o,
                dose: None,
                warnings: None,
            }),
            None => {
                e.push(format!("{at} is \"{s}\"; write one of {OUTCOMES}"));
                None
            }
        },
        Value::Table(t) => {
            let mut ok = true;
            for key in t.keys() {
                if !["verdict", "undecided", "dose", "warnings"].contains(&key.as_str()) {
                    e.push(format!(
                        "{at}: unknown key `{key}`; use verdict, undecided, dose or warnings"
                    ));
                    ok = false;
                }
            }
            let outcome = match (t.get("verdict"), t.get("undecided")) {
                (Some(_), Some(_)) => {
                    e.push(format!("{at}: give `verdict` or `undecided`, not both"));
                    return None;
                }
                (Some(Value::String(s)), None) => match outcome(s) {
                    Some(o) => o,
                    None => {
                        e.push(format!("{at}.verdict is \"{s}\"; write one of {OUTCOMES}"));
                        return None;
                    }
                },
                (None, Some(needs)) => OutcomeExpect::Undecided(Some(strings(Some(needs), "undecided", e))),
                _ => {
                    e.push(format!("{at} needs `verdict = \"...\"` or `undecided = [facts]`"));
                    return None;
                }
            };
            let dose = t.get("dose").and_then(|d| dose(&at, d, e));
            let warnings = t.get("warnings").map(|w| strings(Some(w), "warnings", e));
            ok.then_some(ActionExpect {
                outcome,
                dose,
                warnings,
            })
        }
        _ => {
            e.push(format!(
                "{at} must be a text (\"recommend\", \"absent\", ...) or a table ({{ verdict = ..., dose = ... }})"
            ));
            None
        }
    }
}

fn dose(at: &str, v: &Value, e: &mut Errors) -> Option<DoseExpect> {
    let Value::Table(t) = v else {
        e.push(format!(
            "{at}.dose must be a table: {{ low = 3500, high = 4200, unit = \"mg/day\" }} or {{ needs = [\"weight\"] }}"
        ));
        return None;
    };
    if let Some(needs) = t.get("needs") {
        if t.len() > 1 {
            e.push(format!(
                "{at}.dose: `needs` stands alone (the amount cannot be computed)"
            ));
            return None;
        }
        return Some(DoseExpect::Needs(strings(Some(needs), "needs", e)));
    }
    let num = |k: &str| match t.get(k) {
        Some(Value::Integer(i)) => Some(*i as f64),
        Some(Value::Float(f)) => Some(*f),
        _ => None,
    };
    match (num("low"), num("high"), t.get("unit").and_then(Value::as_str)) {
        (Some(low), Some(high), Some(unit)) if t.len() == 3 => Some(DoseExpect::Amount {
            low,
            high,
            unit: unit.to_string(),
        }),
        _ => {
            e.push(format!(
                "{at}.dose must be {{ low = NUMBER, high = NUMBER, unit = \"...\" }} or {{ needs = [facts] }}"
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_kind_of_expectation() {
        let text = r#"
[[case]]
name = "one"
facts = { als = true, wbc = 150, weight = 70.5 }
notes = ["early-mortality"]
complete = true
[case.expect]
hydroxyurea = { verdict = "recommend", dose = { low = 3500, high = 4200, unit = "mg/day" } }
leukapheresis = { undecided = ["pml_rara"] }
atra = "absent"
iv_hydration = { verdict = "recommend", dose = { needs = ["height"] }, warnings = [] }
"#;
        let cases = parse_suite("s.toml", text).unwrap();
        assert_eq!(cases.len(), 1);
        let c = &cases[0];
        assert_eq!(c.facts["weight"], serde_json::json!(70.5));
        assert!(c.complete);
        let by_name = |n: &str| &c.actions.iter().find(|(a, _)| a == n).unwrap().1;
        assert_eq!(
            by_name("leukapheresis").outcome,
            OutcomeExpect::Undecided(Some(vec!["pml_rara".into()]))
        );
        assert_eq!(by_name("atra").outcome, OutcomeExpect::Absent);
        assert_eq!(
            by_name("hydroxyurea").dose,
            Some(DoseExpect::Amount {
                low: 3500.0,
                high: 4200.0,
                unit: "mg/day".into()
            })
        );
        assert_eq!(by_name("iv_hydration").warnings, Some(vec![]));
    }

    #[test]
    fn reports_every_mistake_with_its_case() {
        let text = r#"
[[case]]
name = "bad"
fact = { als = true }
[case.expect]
atra = "recomend"
hydroxyurea = { verdit = "recommend" }
[[case]]
facts = {}
"#;
        let errors = parse_suite("s.toml", text).unwrap_err();
        assert!(errors[0].contains("case \"bad\": unknown key `fact`"), "{errors:?}");
        assert!(
            errors.iter().any(|e| e.contains("expect.atra is \"recomend\"")),
            "{errors:?}"
        );
        assert!(errors.iter().any(|e| e.contains("unknown key `verdit`")), "{errors:?}");
        assert!(
            errors.iter().any(|e| e.contains("case 2: every case needs a `name")),
            "{errors:?}"
        );
    }

    #[test]
    fn bad_toml_is_reported() {
        let errors = parse_suite("s.toml", "[[case]\nname=").unwrap_err();
        assert!(errors[0].starts_with("s.toml: not valid TOML"), "{errors:?}");
    }
}
