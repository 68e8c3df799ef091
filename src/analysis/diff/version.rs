//! The version policy: how far a change must move the version number
//! (patch for wording, minor for any output a patient can see, major for
//! case files that may now be rejected), and how far the numbers moved.

use super::{Change, Diff};
use crate::model::Guideline;

/// How much a version number must move.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// Nothing changed (or the version went down).
    None,
    /// Wording only: no patient's output changes.
    Patch,
    /// Some output can change: a decision, a dose, a warning, a note; a new fact.
    Minor,
    /// Case files valid before may be rejected: a fact removed or narrowed, an action gone.
    Major,
}

/// The bump the comparison `d` implies; `facts_major` says a fact change
/// can reject case files valid before.
pub(super) fn implied_bump(old: &Guideline, new: &Guideline, d: &Diff, facts_major: bool) -> Bump {
    let removed_action = old.actions.iter().any(|a| new.action_id(&a.name).is_none());
    if facts_major || removed_action {
        Bump::Major
    } else if !d.decisions.is_empty()
        || !d.not_compared.is_empty()
        || d.actions
            .iter()
            .any(|a| a.change != Change::Changed || a.parts.iter().any(|p| !wording(p)))
        || d.rules
            .iter()
            .any(|r| r.change != Change::Changed || r.parts.iter().any(|p| !wording(p)))
        || !d.facts.is_empty()
        || d.other
            .iter()
            .any(|o| o.parts.iter().any(|p| !wording(p)) || o.change != Change::Changed)
    {
        Bump::Minor
    } else if old.hash != new.hash {
        Bump::Patch
    } else {
        Bump::None
    }
}

/// The bump from `old` to `new`, and whether it is a downgrade (then the
/// bump is none).
pub(super) fn actual_bump(old: &semver::Version, new: &semver::Version) -> (Bump, bool) {
    let (o, n) = (old, new);
    let downgrade = n < o;
    let actual = if downgrade || n == o {
        Bump::None
    } else if n.major > o.major {
        Bump::Major
    } else if n.minor > o.minor {
        Bump::Minor
    } else {
        Bump::Patch
    };
    (actual, downgrade)
}

/// Parts whose change is wording only.
fn wording(part: &str) -> bool {
    matches!(
        part,
        "detail"
            | "rationale"
            | "citations"
            | "description"
            | "title"
            | "text"
            | "references"
            | "reviewers"
            | "updated"
            | "status"
            | "label"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bump(old: &str, new: &str) -> (Bump, bool) {
        let v = |s: &str| semver::Version::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        actual_bump(&v(old), &v(new))
    }

    #[test]
    fn the_highest_part_that_moved_is_the_bump() {
        assert_eq!(bump("1.2.3", "1.2.3"), (Bump::None, false));
        assert_eq!(bump("1.2.3", "1.2.4"), (Bump::Patch, false));
        assert_eq!(bump("1.2.3", "1.3.0"), (Bump::Minor, false));
        // A minor number reset by a major bump is still a major bump.
        assert_eq!(bump("1.2.3", "2.0.0"), (Bump::Major, false));
        // A pre-release of the same version comes before it.
        assert_eq!(bump("1.2.3-rc.1", "1.2.3"), (Bump::Patch, false));
    }

    #[test]
    fn going_down_is_a_downgrade_and_no_bump() {
        assert_eq!(bump("2.0.0", "1.9.9"), (Bump::None, true));
        assert_eq!(bump("1.2.3", "1.2.3-rc.1"), (Bump::None, true));
    }

    #[test]
    fn wording_parts_are_those_no_patient_sees() {
        assert!(wording("rationale") && wording("label") && wording("status"));
        assert!(!wording("condition") && !wording("verdict") && !wording("dose") && !wording("urgent"));
    }
}
