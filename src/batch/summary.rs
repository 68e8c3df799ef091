//! Counting a cohort: how many records, errors, patients in and out of scope,
//! and for each action how many patients got each verdict or stayed
//! undecided — the cohort table of `--summary`, in text and JSON.

use std::fmt::Write;

use serde::Serialize;
use serde_json::{json, Value};

use crate::eval::{Brief, Conclusion, Truth};
use crate::model::Guideline;
use crate::model::Verdict;
use crate::report::guideline_json;

/// Input lines of invalid records a [`Tally`] keeps: enough to find them,
/// bounded so that a cohort of garbage does not fill memory.
pub const ERROR_LINES_KEPT: usize = 10;

/// Counts for one action over a cohort. `undecided` includes `withheld`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ActionTally {
    /// Patients recommended the action.
    pub recommend: u64,
    /// Patients for whom it is to be considered.
    pub consider: u64,
    /// Patients for whom it is to be avoided.
    pub avoid: u64,
    /// Patients for whom it is contraindicated.
    pub contraindicated: u64,
    /// Patients left undecided (missing facts, unknown scope, or withheld).
    pub undecided: u64,
    /// Of the undecided: a verdict withheld because it broke an invariant.
    pub withheld: u64,
    /// In scope, no rule applied.
    pub no_verdict: u64,
    /// Rules disagreed with no precedence to settle them.
    pub conflict: u64,
}

impl ActionTally {
    fn verdict_mut(&mut self, v: Verdict) -> &mut u64 {
        match v {
            Verdict::Recommend => &mut self.recommend,
            Verdict::Consider => &mut self.consider,
            Verdict::Avoid => &mut self.avoid,
            Verdict::Contraindicated => &mut self.contraindicated,
        }
    }

    fn merge(&mut self, o: &ActionTally) {
        self.recommend += o.recommend;
        self.consider += o.consider;
        self.avoid += o.avoid;
        self.contraindicated += o.contraindicated;
        self.undecided += o.undecided;
        self.withheld += o.withheld;
        self.no_verdict += o.no_verdict;
        self.conflict += o.conflict;
    }
}

/// Counts over a cohort, or over part of one (they merge).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Input records.
    pub records: u64,
    /// Records that were not valid cases.
    pub errors: u64,
    /// Input lines of the first [`ERROR_LINES_KEPT`] of them, in input order,
    /// so that `--summary` (which prints no record) can say where they are.
    pub error_lines: Vec<u64>,
    /// Valid cases in scope.
    pub in_scope: u64,
    /// Valid cases out of scope.
    pub out_of_scope: u64,
    /// Valid cases whose scope could not be decided.
    pub scope_undecided: u64,
    /// Decisions made, over all cases and actions.
    pub decisions: u64,
    /// Actions left undecided (or withheld), over all cases.
    pub undecided: u64,
    /// Actions in conflict, over all cases.
    pub conflicts: u64,
    /// Invariant violations, over all cases.
    pub violations: u64,
    /// Per action, in the guideline's order.
    pub actions: Vec<ActionTally>,
}

impl Tally {
    /// An empty tally for a guideline with `actions` actions.
    pub fn new(actions: usize) -> Tally {
        Tally {
            actions: vec![ActionTally::default(); actions],
            ..Tally::default()
        }
    }

    /// Sets every count back to zero, keeping the buffers (a batch reuses
    /// one tally per chunk in flight).
    pub fn clear(&mut self) {
        let mut actions = std::mem::take(&mut self.actions);
        actions.fill(ActionTally::default());
        let mut error_lines = std::mem::take(&mut self.error_lines);
        error_lines.clear();
        *self = Tally {
            actions,
            error_lines,
            ..Tally::default()
        };
    }

    /// Counts one evaluated case.
    pub fn add(&mut self, brief: &Brief) {
        self.records += 1;
        match brief.scope() {
            Truth::True => self.in_scope += 1,
            Truth::False => self.out_of_scope += 1,
            Truth::Unknown => self.scope_undecided += 1,
        }
        for (a, kind) in brief.outcomes() {
            let t = &mut self.actions[a.index()];
            match kind {
                Conclusion::Silent => t.no_verdict += 1,
                Conclusion::Decided(v) => {
                    *t.verdict_mut(v) += 1;
                    self.decisions += 1;
                }
                Conclusion::Conflict => {
                    t.conflict += 1;
                    self.conflicts += 1;
                }
                Conclusion::Undecided => {
                    t.undecided += 1;
                    self.undecided += 1;
                }
                Conclusion::Withheld(_) => {
                    t.undecided += 1;
                    t.withheld += 1;
                    self.undecided += 1;
                }
            }
        }
        self.violations += brief.violations().len() as u64;
    }

    /// Counts one record that was not a valid case, read from input `line`.
    pub fn add_error(&mut self, line: u64) {
        self.records += 1;
        self.errors += 1;
        if self.error_lines.len() < ERROR_LINES_KEPT {
            self.error_lines.push(line);
        }
    }

    /// Adds the cases `counts` counted, and empties it.
    pub fn add_counts(&mut self, counts: &mut ConclusionCounts) {
        self.records += counts.in_scope + counts.out_of_scope + counts.scope_undecided;
        self.in_scope += counts.in_scope;
        self.out_of_scope += counts.out_of_scope;
        self.scope_undecided += counts.scope_undecided;
        self.violations += counts.violations;
        if self.actions.len() < counts.per_action.len() {
            self.actions.resize(counts.per_action.len(), ActionTally::default());
        }
        for (t, n) in self.actions.iter_mut().zip(&counts.per_action) {
            let decided: u64 = n[1..=4].iter().sum();
            t.no_verdict += n[0];
            t.recommend += n[1];
            t.consider += n[2];
            t.avoid += n[3];
            t.contraindicated += n[4];
            t.conflict += n[5];
            t.undecided += n[6] + n[7];
            t.withheld += n[7];
            self.decisions += decided;
            self.conflicts += n[5];
            self.undecided += n[6] + n[7];
        }
        counts.clear();
    }

    /// Adds another tally's counts.
    pub fn merge(&mut self, o: &Tally) {
        self.records += o.records;
        self.errors += o.errors;
        // Tallies merge in input order, so the lines kept are the first ones.
        let room = ERROR_LINES_KEPT.saturating_sub(self.error_lines.len());
        self.error_lines.extend(o.error_lines.iter().take(room));
        self.in_scope += o.in_scope;
        self.out_of_scope += o.out_of_scope;
        self.scope_undecided += o.scope_undecided;
        self.decisions += o.decisions;
        self.undecided += o.undecided;
        self.conflicts += o.conflicts;
        self.violations += o.violations;
        if self.actions.len() < o.actions.len() {
            self.actions.resize(o.actions.len(), ActionTally::default());
        }
        for (a, b) in self.actions.iter_mut().zip(&o.actions) {
            a.merge(b);
        }
    }

    /// Where the invalid records are, for a message: `line 4`, `lines 4,
    /// 17 and 20`, or `lines 4, 17, ... and 90 more`.
    pub fn error_places(&self) -> String {
        let shown: Vec<String> = self.error_lines.iter().map(u64::to_string).collect();
        let more = self.errors.saturating_sub(shown.len() as u64);
        match (shown.as_slice(), more) {
            ([one], 0) => format!("line {one}"),
            ([first @ .., last], 0) => format!("lines {} and {last}", first.join(", ")),
            (_, _) if shown.is_empty() => String::new(),
            (_, more) => format!("lines {} and {more} more", shown.join(", ")),
        }
    }

    /// True when some case holds a conflict or an invariant violation.
    pub fn is_unsafe(&self) -> bool {
        self.conflicts > 0 || self.violations > 0
    }

    /// The one-line account printed at the end of a batch.
    pub fn line(&self) -> String {
        format!(
            "{} record{}: {} evaluated ({} in scope, {} out of scope, {} scope undecided), {} error{}; \
             {} decision{}, {} undecided, {} conflict{}, {} invariant violation{}",
            self.records,
            plural(self.records),
            self.records - self.errors,
            self.in_scope,
            self.out_of_scope,
            self.scope_undecided,
            self.errors,
            plural(self.errors),
            self.decisions,
            plural(self.decisions),
            self.undecided,
            self.conflicts,
            plural(self.conflicts),
            self.violations,
            plural(self.violations),
        )
    }
}

/// Evaluated cases counted as [`Tally::add`] counts them, kept as a table
/// of conclusions per action and added to a [`Tally`] once per batch
/// ([`Tally::add_counts`]): a columnar batch counts tens of thousands of
/// cases at once, and an index per action costs no branch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConclusionCounts {
    /// Per action, cases by [`ConclusionCounts::place`] of their conclusion.
    per_action: Vec<[u64; 8]>,
    in_scope: u64,
    out_of_scope: u64,
    scope_undecided: u64,
    violations: u64,
}

impl ConclusionCounts {
    /// No case counted, for a guideline with `actions` actions.
    pub fn new(actions: usize) -> ConclusionCounts {
        ConclusionCounts {
            per_action: vec![[0; 8]; actions],
            ..ConclusionCounts::default()
        }
    }

    /// A conclusion's place in a row of the table: no verdict, the four
    /// verdicts in [`Verdict::ALL`]'s order, conflict, undecided, withheld.
    #[inline]
    pub fn place(c: Conclusion) -> usize {
        match c {
            Conclusion::Silent => 0,
            Conclusion::Decided(v) => 1 + v as usize,
            Conclusion::Conflict => 5,
            Conclusion::Undecided => 6,
            Conclusion::Withheld(_) => 7,
        }
    }

    /// Counts one evaluated case: its scope, each action's conclusion (by
    /// [`ConclusionCounts::place`], in action order; ignored out of scope,
    /// where no action has one) and how many invariants it broke.
    pub fn add(&mut self, scope: Truth, places: &[u8], violations: usize) {
        self.violations += violations as u64;
        match scope {
            Truth::True => self.in_scope += 1,
            Truth::Unknown => self.scope_undecided += 1,
            Truth::False => {
                self.out_of_scope += 1;
                return;
            }
        }
        for (row, &place) in self.per_action.iter_mut().zip(places) {
            if let Some(n) = row.get_mut(usize::from(place)) {
                *n += 1;
            }
        }
    }

    fn clear(&mut self) {
        self.per_action.fill([0; 8]);
        self.in_scope = 0;
        self.out_of_scope = 0;
        self.scope_undecided = 0;
        self.violations = 0;
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The cohort table as JSON.
pub fn summary_json(g: &Guideline, t: &Tally) -> Value {
    let actions: Vec<Value> = g
        .actions
        .iter()
        .zip(&t.actions)
        .map(|(a, c)| {
            let mut v = json!(c);
            v["action"] = json!(a.name);
            v
        })
        .collect();
    json!({
        "guideline": guideline_json(g),
        "records": t.records,
        "errors": t.errors,
        "in_scope": t.in_scope,
        "out_of_scope": t.out_of_scope,
        "scope_undecided": t.scope_undecided,
        "decisions": t.decisions,
        "undecided": t.undecided,
        "conflicts": t.conflicts,
        "violations": t.violations,
        "actions": actions,
    })
}

/// The cohort table as text: one row per action, one column per verdict.
/// Out-of-scope patients and invalid records are counted above the table, not
/// in it, so each row adds up to the patients in scope or of undecided scope.
pub fn summary_text(g: &Guideline, t: &Tally) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Cohort: {} — version {}", g.meta.title, g.meta.version);
    let _ = writeln!(
        out,
        "{} records: {} in scope, {} out of scope, {} scope undecided, {} invalid",
        t.records, t.in_scope, t.out_of_scope, t.scope_undecided, t.errors
    );
    let _ = writeln!(out);
    let withheld = t.actions.iter().any(|a| a.withheld > 0);
    let mut headers = vec![
        "action",
        "recommend",
        "consider",
        "avoid",
        "contraindicated",
        "undecided",
        "no verdict",
        "conflict",
    ];
    if withheld {
        headers.push("withheld");
    }
    let rows: Vec<Vec<String>> = g
        .actions
        .iter()
        .zip(&t.actions)
        .map(|(a, c)| {
            let mut row = vec![a.name.clone()];
            row.extend(
                [
                    c.recommend,
                    c.consider,
                    c.avoid,
                    c.contraindicated,
                    c.undecided,
                    c.no_verdict,
                    c.conflict,
                ]
                .iter()
                .map(u64::to_string),
            );
            if withheld {
                row.push(c.withheld.to_string());
            }
            row
        })
        .collect();
    let widths: Vec<usize> = (0..headers.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([headers[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let render = |cells: &[&str]| {
        let mut line = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i == 0 {
                let _ = write!(line, "{c:<w$}", w = widths[0]);
            } else {
                let _ = write!(line, "  {c:>w$}", w = widths[i]);
            }
        }
        line
    };
    let _ = writeln!(out, "{}", render(&headers));
    for r in &rows {
        let cells: Vec<&str> = r.iter().map(String::as_str).collect();
        let _ = writeln!(out, "{}", render(&cells));
    }
    if withheld {
        let _ = writeln!(
            out,
            "\n\"withheld\": verdicts held back by an invariant; they are counted as undecided too."
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `add_counts` reads a decided place as the verdict at that place of
    /// `Verdict::ALL`: the two orders must agree.
    #[test]
    fn places_follow_the_verdicts_order() {
        for (i, v) in Verdict::ALL.into_iter().enumerate() {
            assert_eq!(ConclusionCounts::place(Conclusion::Decided(v)), 1 + i);
            assert_eq!(ConclusionCounts::place(Conclusion::Withheld(v)), 7);
        }
        let places: Vec<usize> = [Conclusion::Silent, Conclusion::Conflict, Conclusion::Undecided]
            .into_iter()
            .map(ConclusionCounts::place)
            .collect();
        assert_eq!(places, [0, 5, 6]);
    }

    /// One case counted both ways gives the same tally.
    #[test]
    fn counts_add_as_each_case_would() {
        let mut counts = ConclusionCounts::new(3);
        counts.add(Truth::True, &[1, 6, 7], 2);
        counts.add(Truth::Unknown, &[6, 0, 5], 0);
        counts.add(Truth::False, &[0, 0, 0], 0);
        let mut tally = Tally::new(3);
        tally.add_counts(&mut counts);
        assert_eq!(tally.records, 3);
        assert_eq!((tally.in_scope, tally.scope_undecided, tally.out_of_scope), (1, 1, 1));
        assert_eq!(
            (tally.decisions, tally.undecided, tally.conflicts, tally.violations),
            (1, 3, 1, 2)
        );
        assert_eq!(tally.actions[0].recommend, 1);
        assert_eq!((tally.actions[1].undecided, tally.actions[1].no_verdict), (1, 1));
        assert_eq!(
            (
                tally.actions[2].undecided,
                tally.actions[2].withheld,
                tally.actions[2].conflict
            ),
            (1, 1, 1)
        );
        // Emptied: added again, nothing changes.
        let before = tally.clone();
        tally.add_counts(&mut counts);
        assert_eq!(tally, before);
    }
}
