//! A decision's dose for the patient: which amount the criteria choose, the
//! amount multiplied out and capped, and, while the choice is pending, the
//! amounts it can still end in and exactly the facts that can change it.
//!
//! The choice is the first amount whose condition holds (the last is given
//! otherwise). Kleene logic is monotone, so a condition known now keeps its
//! truth on every completion of the case; the choice is pending only while a
//! condition before the first true one is unknown. Then, as `needs.rs` does
//! for an action, the completions of the absent facts those conditions read
//! are enumerated (one value per cell): `possible` is the amounts they reach,
//! `settle` the facts whose change alone changes the amount. Outside the
//! exact fragment, or past [`MAX_COMPLETIONS`], the answer falls back to
//! every amount not ruled out and every absent fact the unknown conditions
//! read: never a fact dropped that might matter.

use super::materialize::absent;
use super::run::{Buffers, Evaluator};
use super::{DecidedDose, DoseResult, Truth, MAX_COMPLETIONS};
use crate::compile::{BranchCode, DoseCode};
use crate::facts::{Case, Value};
use crate::model::{FactId, RuleId};

/// What one amount comes to for the patient.
enum ForPatient {
    /// `(low, high)`, with the multiplier's value when it is per unit.
    Amount {
        low: f64,
        high: f64,
        by: Option<f64>,
        capped: bool,
    },
    /// The multiplier is unknown (a fact is absent).
    Unknown,
    /// The multiplier's facts make it too large to be a number.
    NotFinite,
}

/// Which amount a dose comes to on a case.
enum Choice {
    /// This amount, whatever the absent facts.
    Chosen(usize),
    /// One of these amounts; these absent facts can change which.
    Pending { possible: Vec<usize>, settle: Vec<FactId> },
}

impl Evaluator<'_> {
    /// The dose of rule `rule` on the case last run.
    pub(super) fn dose(&self, case: &Case, rule: RuleId, dose: &DoseCode) -> DoseResult {
        match self.choose(case, dose) {
            Choice::Chosen(k) => self.amount(case, rule, k, &dose.branches[k]),
            Choice::Pending { possible, settle } => DoseResult {
                rule,
                amount: None,
                by: None,
                needs: Vec::new(),
                not_finite: Vec::new(),
                branch: None,
                capped: false,
                possible: possible
                    .into_iter()
                    .map(|k| self.amount(case, rule, k, &dose.branches[k]))
                    .collect(),
                settle,
            },
        }
    }

    /// Amount `k` multiplied out (when it is per unit) and capped.
    fn amount(&self, case: &Case, rule: RuleId, k: usize, b: &BranchCode) -> DoseResult {
        let mut out = DoseResult {
            rule,
            amount: None,
            by: None,
            needs: Vec::new(),
            not_finite: Vec::new(),
            branch: Some(k),
            capped: false,
            possible: Vec::new(),
            settle: Vec::new(),
        };
        match self.for_patient(b) {
            ForPatient::Amount { low, high, by, capped } => {
                out.amount = Some((low, high));
                out.by = by;
                out.capped = capped;
            }
            ForPatient::Unknown => {
                out.needs = absent(case, &b.by_facts);
                // Arithmetic that overflows is NaN in `num` (run.rs `finite`),
                // the same as unknown; with every fact given it can only be an
                // overflow, which is no dose.
                if out.needs.is_empty() {
                    out.not_finite = b.by_facts.clone();
                }
            }
            ForPatient::NotFinite => out.not_finite = b.by_facts.clone(),
        }
        out
    }

    /// Amount `b` for the patient: multiplied out when it is per unit, and
    /// capped. The one place an amount is worked out; [`Evaluator::amount`]
    /// adds what a report says about it.
    fn for_patient(&self, b: &BranchCode) -> ForPatient {
        let Some(by) = b.by else {
            return ForPatient::Amount {
                low: b.low,
                high: b.high,
                by: None,
                capped: false,
            };
        };
        let x = self.num[by as usize];
        if x.is_nan() {
            return ForPatient::Unknown;
        }
        let (low, high) = (b.low * x, b.high * x);
        if !(low.is_finite() && high.is_finite()) {
            return ForPatient::NotFinite;
        }
        match b.cap {
            Some(cap) if high > cap => ForPatient::Amount {
                low: low.min(cap),
                high: cap,
                by: Some(x),
                capped: true,
            },
            _ => ForPatient::Amount {
                low,
                high,
                by: Some(x),
                capped: false,
            },
        }
    }

    /// The dose of rule `rule` as a cohort's columns hold it: the amount
    /// chosen and what it comes to, without what a report adds (the facts
    /// it needs, the amounts still possible).
    pub(super) fn decided_dose(&self, case: &Case, rule: RuleId, dose: &DoseCode) -> DecidedDose {
        match self.choose(case, dose) {
            Choice::Chosen(k) => DecidedDose {
                rule,
                branch: Some(k),
                amount: match self.for_patient(&dose.branches[k]) {
                    ForPatient::Amount { low, high, .. } => Some((low, high)),
                    ForPatient::Unknown | ForPatient::NotFinite => None,
                },
            },
            Choice::Pending { .. } => DecidedDose {
                rule,
                branch: None,
                amount: None,
            },
        }
    }

    fn choose(&self, case: &Case, dose: &DoseCode) -> Choice {
        let truth = |b: &BranchCode| b.when.map_or(Truth::True, |w| self.truth[w as usize]);
        let last = dose.branches.len() - 1;
        // The first amount whose condition is true (or the last) ends the
        // search; the unknown conditions before it are what is pending.
        let end = dose
            .branches
            .iter()
            .position(|b| truth(b) == Truth::True)
            .unwrap_or(last);
        let open: Vec<usize> = (0..end)
            .filter(|&k| truth(&dose.branches[k]) == Truth::Unknown)
            .collect();
        let Some(&first) = open.first() else {
            return Choice::Chosen(end);
        };
        let mut facts: Vec<FactId> = open
            .iter()
            .flat_map(|&k| dose.branches[k].when_facts.iter().copied())
            .collect();
        facts.sort_unstable();
        facts.dedup();
        let facts = absent(case, &facts);
        self.enumerate_choice(case, dose, &open, end, &facts)
            .unwrap_or_else(|| Choice::Pending {
                possible: open.iter().copied().chain([end]).filter(|&k| k >= first).collect(),
                settle: facts,
            })
    }

    /// The exact answer over the completions of `facts`, or `None` when it
    /// cannot be had (see the module's header).
    fn enumerate_choice(
        &self,
        case: &Case,
        dose: &DoseCode,
        open: &[usize],
        end: usize,
        facts: &[FactId],
    ) -> Option<Choice> {
        let plan = &dose.plan;
        let p = self.program;
        // The plan's roots are the conditions in order, the last amount having none.
        if plan.cone.is_empty() || !open.iter().all(|&k| plan.exact.get(k).copied().unwrap_or(false)) {
            return None;
        }
        // Each slot: a fact and its cell values; the completion count is the product.
        let mut slots: Vec<(u32, &[Value])> = Vec::with_capacity(facts.len());
        let mut count: usize = 1;
        for f in facts {
            let entry = plan.values.binary_search_by_key(&f.0, |(g, _)| *g).ok()?;
            let values = &plan.values[entry].1[..];
            count = count
                .checked_mul(values.len())
                .filter(|n| *n <= MAX_COMPLETIONS && *n > 0)?;
            slots.push((f.0, values));
        }
        let dirty: Vec<u32> = plan
            .cone
            .iter()
            .copied()
            .filter(|&n| {
                let i = n as usize;
                match p.nodes[i].ty() {
                    crate::compile::Ty::Truth => self.truth[i] == Truth::Unknown,
                    crate::compile::Ty::Num => self.num[i].is_nan(),
                    crate::compile::Ty::Enum => self.enm[i] == crate::compile::UNKNOWN_ENUM,
                }
            })
            .collect();
        let (mut truth, mut num, mut enm) = (self.truth.clone(), self.num.clone(), self.enm.clone());
        let mut completion: Vec<Option<Value>> = vec![None; p.fact_count];
        let mut chosen = Vec::with_capacity(count);
        for index in 0..count {
            // Slot 0 varies fastest: completion `index` has digit
            // `(index / stride) % radix` in each slot.
            let mut stride = 1;
            for (f, values) in &slots {
                completion[*f as usize] = Some(values[(index / stride) % values.len()]);
                stride *= values.len();
            }
            let mut bufs = Buffers {
                truth: &mut truth[..],
                num: &mut num[..],
                enm: &mut enm[..],
                today: case.as_of().unwrap_or(f64::NAN),
            };
            for &n in &dirty {
                bufs.step(&p.items, n as usize, p.nodes[n as usize], |f| {
                    completion[f as usize].or_else(|| case.get(FactId(f)))
                });
            }
            let mut pick = end;
            for &k in open {
                let when = dose.branches[k].when?;
                match truth[when as usize] {
                    Truth::True => {
                        pick = k;
                        break;
                    }
                    Truth::False => {}
                    Truth::Unknown => return None,
                }
            }
            chosen.push(pick);
        }
        let mut possible = chosen.clone();
        possible.sort_unstable();
        possible.dedup();
        let mut settle = Vec::new();
        let mut stride = 1;
        for (f, values) in &slots {
            let radix = values.len();
            let changes = (0..count)
                .filter(|i| (i / stride) % radix == 0)
                .any(|i| (1..radix).any(|d| chosen[i + d * stride] != chosen[i]));
            if changes {
                settle.push(FactId(*f));
            }
            stride *= radix;
        }
        Some(match possible[..] {
            [only] => Choice::Chosen(only),
            _ => Choice::Pending { possible, settle },
        })
    }
}
