//! `guidelang diff OLD NEW` as text: the items added, removed and changed,
//! each decision that changes with its witness, and the version bump — plus
//! the words the other diff reports share (bumps, outcomes).

use crate::analysis::diff::{Bump, Change, Diff, ItemChange};
use crate::model::{Guideline, OutcomeKind};

/// A bump as a word before "bump": `no`, `patch`, `minor`, `major`.
pub(crate) fn bump_word(b: Bump) -> &'static str {
    match b {
        Bump::None => "no",
        Bump::Patch => "patch",
        Bump::Minor => "minor",
        Bump::Major => "major",
    }
}

/// A bump with its article: `no`, `a patch`, `a minor`, `a major`.
pub(crate) fn article(b: Bump) -> String {
    match b {
        Bump::None => "no".into(),
        b => format!("a {}", bump_word(b)),
    }
}

/// An outcome as a heading or a list reads it: a verdict by its keyword,
/// no verdict as "no recommendation".
pub(crate) fn outcome_name(kind: OutcomeKind) -> &'static str {
    match kind {
        OutcomeKind::NoVerdict => "no recommendation",
        other => other.as_str(),
    }
}

/// What the version numbers show: "a downgrade" or "a minor bump".
fn actual_words(d: &Diff) -> String {
    if d.downgrade {
        "a downgrade".to_string()
    } else {
        format!("{} bump", article(d.actual))
    }
}

/// The warning for a version number that does not reflect the change, or
/// `None` when it does.
pub fn diff_version_warning(old: &Guideline, new: &Guideline, d: &Diff) -> Option<String> {
    d.version_too_low().then(|| {
        format!(
            "warning: the change implies a {} version bump, but {} → {} is {}",
            bump_word(d.implied),
            old.meta.version,
            new.meta.version,
            actual_words(d)
        )
    })
}

fn items(out: &mut String, title: &str, list: &[ItemChange]) {
    if list.is_empty() {
        return;
    }
    out.push_str(&format!("{title}:\n"));
    for c in list {
        let sign = match c.change {
            Change::Added => "+",
            Change::Removed => "-",
            Change::Changed => "~",
        };
        if c.parts.is_empty() {
            out.push_str(&format!("  {sign} {} ({})\n", c.name, c.change));
        } else {
            out.push_str(&format!("  {sign} {}: {} changed\n", c.name, c.parts.join(", ")));
        }
    }
}

/// Renders a diff as text.
pub fn diff_text(old: &Guideline, new: &Guideline, d: &Diff) -> String {
    let mut out = format!(
        "{} {} → {} {}\n\n",
        old.meta.id, old.meta.version, new.meta.id, new.meta.version
    );
    items(&mut out, "actions", &d.actions);
    items(&mut out, "rules", &d.rules);
    items(&mut out, "facts", &d.facts);
    items(&mut out, "other", &d.other);
    items(&mut out, "references", &d.references);
    // References alone do not count: the header's `references` part lists
    // them already.
    if d.actions.is_empty() && d.rules.is_empty() && d.facts.is_empty() && d.other.is_empty() {
        out.push_str("no item was added, removed or changed\n");
    }
    out.push('\n');
    if d.decisions.is_empty() {
        out.push_str("no decision changes for any patient\n");
    } else {
        out.push_str("decisions that change for some patient:\n");
        for c in &d.decisions {
            let key: Vec<String> = c
                .facts
                .iter()
                .filter_map(|f| c.witness.get(f).map(|v| format!("{f} = {v}")))
                .collect();
            out.push_str(&format!(
                "  {}: {} → {}, for a patient with {}\n    witness: {}\n",
                c.action,
                outcome_name(c.before),
                outcome_name(c.after),
                key.join(", "),
                c.witness
            ));
        }
    }
    for n in &d.not_compared {
        out.push_str(&format!("  {}: not compared: {}\n", n.action, n.reason));
    }
    out.push_str(&format!(
        "\nthe change implies {} version bump; {} → {} is {}\n",
        article(d.implied),
        old.meta.version,
        new.meta.version,
        actual_words(d)
    ));
    out
}
