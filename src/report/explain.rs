//! `guidelang eval --explain --format json`: each rule's part in each action
//! — its condition's truth, the rule that overrode it, and *because*: the
//! given values (or the missing facts) that made its condition true, false
//! or unknown.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::why::Why;
use crate::eval::{Evaluation, Outcome};
use crate::facts::Case;
use crate::model::Guideline;

/// The `explanation` member of an evaluation's JSON report: one object per
/// action, with its rules in the order the evaluator traced them.
pub fn explanation_json(g: &Guideline, case: &Case, e: &Evaluation) -> Value {
    let why = Why::new(g, case);
    let actions: Vec<Value> = e
        .actions
        .iter()
        .map(|a| {
            // Looked up once per rule: an action may have thousands of rules.
            let overriders: HashMap<_, _> = match &a.outcome {
                Outcome::Decided(d) => d.overridden.iter().copied().collect(),
                _ => HashMap::new(),
            };
            let rules: Vec<Value> = a
                .trace
                .iter()
                .map(|(r, t)| {
                    let rule = g.rule(*r);
                    let overridden_by = overriders.get(r).map(|by| g.rule(*by).id.clone());
                    let because = rule.when.as_ref().map(|w| why.reason_texts(w)).unwrap_or_default();
                    json!({"rule": rule.id, "verdict": rule.verdict, "condition": t,
                           "overridden_by": overridden_by, "because": because})
                })
                .collect();
            json!({"action": g.action(a.action).name, "label": g.action(a.action).label, "rules": rules})
        })
        .collect();
    Value::Array(actions)
}
