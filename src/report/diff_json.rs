//! `guidelang diff OLD NEW --format json`: the comparison as the JSON
//! contract gives it (keys sorted, as `serde_json` writes an object).

use serde_json::{json, Value};

use crate::analysis::diff::Diff;
use crate::model::Guideline;

/// The JSON report of a diff.
pub fn diff_json(old: &Guideline, new: &Guideline, d: &Diff) -> Value {
    let id = |g: &Guideline| json!({"id": g.meta.id, "version": g.meta.version.to_string(), "hash": g.hash});
    json!({
        "old": id(old),
        "new": id(new),
        "actions": d.actions,
        "rules": d.rules,
        "facts": d.facts,
        "other": d.other,
        "references": d.references,
        "decisions": d.decisions,
        "not_compared": d.not_compared,
        "implied_bump": d.implied,
        "version_bump": d.actual,
        "version_ok": !d.version_too_low(),
    })
}
