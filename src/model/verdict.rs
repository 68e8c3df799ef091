//! The vocabulary of outcomes, shared by every stage: the four verdicts, a
//! set of verdicts, and the kinds of outcome an action's rules can resolve to
//! (no verdict, one verdict, a conflict). The analysis, the diff and the
//! reports speak these types rather than indices or strings.

use std::fmt;

/// The four verdicts, weakest to strongest in caution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Do it.
    Recommend,
    /// It may be done; weigh it.
    Consider,
    /// Do not do it.
    Avoid,
    /// Never do it; nothing overrides this.
    Contraindicated,
}

impl Verdict {
    /// All verdicts.
    pub const ALL: [Verdict; 4] = [
        Verdict::Recommend,
        Verdict::Consider,
        Verdict::Avoid,
        Verdict::Contraindicated,
    ];

    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Recommend => "recommend",
            Verdict::Consider => "consider",
            Verdict::Avoid => "avoid",
            Verdict::Contraindicated => "contraindicated",
        }
    }

    /// The bit of this verdict in a [`VerdictSet`].
    const fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of verdicts, such as those a `never` invariant forbids. Iterates in
/// the order of [`Verdict::ALL`].
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct VerdictSet {
    /// Bit `v as u8` for verdict `v`: a set is one byte, cheap to copy into
    /// compiled code and to test in the evaluator's inner loop.
    bits: u8,
}

impl VerdictSet {
    /// No verdict.
    pub const EMPTY: VerdictSet = VerdictSet { bits: 0 };

    /// The verdicts a rule of precedence can override: all but a
    /// contraindication, which nothing overrides.
    pub const OVERRIDABLE: VerdictSet = VerdictSet {
        bits: Verdict::Recommend.bit() | Verdict::Consider.bit() | Verdict::Avoid.bit(),
    };

    /// The set with one more verdict.
    #[must_use]
    pub const fn with(self, v: Verdict) -> VerdictSet {
        VerdictSet {
            bits: self.bits | v.bit(),
        }
    }

    /// Adds a verdict.
    pub fn insert(&mut self, v: Verdict) {
        *self = self.with(v);
    }

    /// True when `v` is in the set.
    pub const fn contains(self, v: Verdict) -> bool {
        self.bits & v.bit() != 0
    }

    /// True when the set holds no verdict.
    pub const fn is_empty(self) -> bool {
        self.bits == 0
    }

    /// How many verdicts the set holds.
    pub const fn len(self) -> usize {
        self.bits.count_ones() as usize
    }

    /// The verdicts, in the order of [`Verdict::ALL`].
    pub fn iter(self) -> impl Iterator<Item = Verdict> {
        Verdict::ALL.into_iter().filter(move |v| self.contains(*v))
    }
}

impl FromIterator<Verdict> for VerdictSet {
    fn from_iter<I: IntoIterator<Item = Verdict>>(iter: I) -> Self {
        iter.into_iter().fold(VerdictSet::EMPTY, VerdictSet::with)
    }
}

impl<'a> FromIterator<&'a Verdict> for VerdictSet {
    fn from_iter<I: IntoIterator<Item = &'a Verdict>>(iter: I) -> Self {
        iter.into_iter().copied().collect()
    }
}

impl fmt::Debug for VerdictSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// As an invariant writes it: `avoid or contraindicated`.
impl fmt::Display for VerdictSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(" or ")?;
            }
            f.write_str(v.as_str())?;
        }
        Ok(())
    }
}

/// What an action's rules resolve to on a complete case, as the analysis
/// distinguishes it: no rule decides, the surviving rules agree on a verdict,
/// or they disagree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OutcomeKind {
    /// No rule decides the action (named `none` in reports).
    NoVerdict,
    /// The surviving rules agree, or a contraindication fires.
    Verdict(Verdict),
    /// The surviving rules disagree: no verdict is given.
    Conflict,
}

impl OutcomeKind {
    /// Every outcome kind, in the order the diff lists changes in.
    pub const ALL: [OutcomeKind; 6] = [
        OutcomeKind::NoVerdict,
        OutcomeKind::Verdict(Verdict::Recommend),
        OutcomeKind::Verdict(Verdict::Consider),
        OutcomeKind::Verdict(Verdict::Avoid),
        OutcomeKind::Verdict(Verdict::Contraindicated),
        OutcomeKind::Conflict,
    ];

    /// The position in [`OutcomeKind::ALL`], for tables indexed by kind.
    pub(crate) const fn index(self) -> usize {
        match self {
            OutcomeKind::NoVerdict => 0,
            OutcomeKind::Verdict(v) => 1 + v as usize,
            OutcomeKind::Conflict => 5,
        }
    }

    /// The name in reports and in the JSON contract: `none`, a verdict's
    /// keyword, or `conflict`.
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeKind::NoVerdict => "none",
            OutcomeKind::Verdict(v) => v.as_str(),
            OutcomeKind::Conflict => "conflict",
        }
    }
}

impl fmt::Display for OutcomeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for OutcomeKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A set of outcome kinds: what the combinations of a case's unknown facts
/// can still lead an action to. Iterates in the order of [`OutcomeKind::ALL`].
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct OutcomeSet {
    /// Bit [`OutcomeKind::index`] for each kind: one byte, cheap to gather in
    /// the evaluator's loop over combinations.
    bits: u8,
}

impl OutcomeSet {
    /// No outcome.
    pub const EMPTY: OutcomeSet = OutcomeSet { bits: 0 };

    /// The set of one outcome.
    pub const fn of(k: OutcomeKind) -> OutcomeSet {
        OutcomeSet { bits: 1 << k.index() }
    }

    /// The set with one more outcome.
    #[must_use]
    pub const fn with(self, k: OutcomeKind) -> OutcomeSet {
        OutcomeSet {
            bits: self.bits | OutcomeSet::of(k).bits,
        }
    }

    /// Adds an outcome.
    pub fn insert(&mut self, k: OutcomeKind) {
        *self = self.with(k);
    }

    /// True when `k` is in the set.
    pub const fn contains(self, k: OutcomeKind) -> bool {
        self.bits & OutcomeSet::of(k).bits != 0
    }

    /// How many outcomes the set holds.
    pub const fn len(self) -> usize {
        self.bits.count_ones() as usize
    }

    /// True when the set holds no outcome.
    pub const fn is_empty(self) -> bool {
        self.bits == 0
    }

    /// The outcomes, in the order of [`OutcomeKind::ALL`].
    pub fn iter(self) -> impl Iterator<Item = OutcomeKind> {
        OutcomeKind::ALL.into_iter().filter(move |k| self.contains(*k))
    }

    /// As a report says it: a conflict gives no verdict, so it reads as
    /// [`OutcomeKind::NoVerdict`] among the possibilities.
    #[must_use]
    pub fn as_given(self) -> OutcomeSet {
        if self.contains(OutcomeKind::Conflict) {
            OutcomeSet {
                bits: self.bits & !OutcomeSet::of(OutcomeKind::Conflict).bits,
            }
            .with(OutcomeKind::NoVerdict)
        } else {
            self
        }
    }
}

impl FromIterator<OutcomeKind> for OutcomeSet {
    fn from_iter<I: IntoIterator<Item = OutcomeKind>>(iter: I) -> Self {
        iter.into_iter().fold(OutcomeSet::EMPTY, OutcomeSet::with)
    }
}

impl fmt::Debug for OutcomeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outcome_set_holds_what_was_put_in_and_reads_a_conflict_as_no_verdict() {
        let mut set = OutcomeSet::EMPTY;
        assert!(set.is_empty());
        set.insert(OutcomeKind::Verdict(Verdict::Avoid));
        set.insert(OutcomeKind::Conflict);
        set.insert(OutcomeKind::Conflict);
        assert_eq!(set.len(), 2);
        assert!(!set.contains(OutcomeKind::NoVerdict));
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            [OutcomeKind::Verdict(Verdict::Avoid), OutcomeKind::Conflict]
        );
        let given = set.as_given();
        assert_eq!(
            given.iter().collect::<Vec<_>>(),
            [OutcomeKind::NoVerdict, OutcomeKind::Verdict(Verdict::Avoid)]
        );
        // Without a conflict nothing changes.
        let plain = OutcomeSet::of(OutcomeKind::Verdict(Verdict::Recommend));
        assert_eq!(plain.as_given(), plain);
        // Every kind has its own bit.
        let all: OutcomeSet = OutcomeKind::ALL.into_iter().collect();
        assert_eq!(all.len(), OutcomeKind::ALL.len());
    }

    #[test]
    fn outcome_kinds_index_their_own_table() {
        for (i, k) in OutcomeKind::ALL.iter().enumerate() {
            assert_eq!(k.index(), i, "{k}");
        }
        // The table is sorted, so the diff's order is the enum's order.
        assert!(OutcomeKind::ALL.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn outcome_kinds_keep_their_json_names() {
        let names: Vec<String> = OutcomeKind::ALL
            .iter()
            .map(|k| serde_json::to_string(k).unwrap_or_default())
            .collect();
        assert_eq!(
            names,
            [
                "\"none\"",
                "\"recommend\"",
                "\"consider\"",
                "\"avoid\"",
                "\"contraindicated\"",
                "\"conflict\""
            ]
        );
    }

    #[test]
    fn a_verdict_set_holds_what_was_put_in() {
        let set: VerdictSet = [Verdict::Contraindicated, Verdict::Avoid].iter().collect();
        assert!(set.contains(Verdict::Avoid) && set.contains(Verdict::Contraindicated));
        assert!(!set.contains(Verdict::Recommend) && !set.contains(Verdict::Consider));
        assert_eq!(set.len(), 2);
        // Iteration follows the verdicts' order, not the insertion order.
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            [Verdict::Avoid, Verdict::Contraindicated]
        );
        assert_eq!(set.to_string(), "avoid or contraindicated");
        assert_eq!(format!("{set:?}"), "{Avoid, Contraindicated}");
        assert!(VerdictSet::EMPTY.is_empty() && VerdictSet::EMPTY.iter().next().is_none());
        assert_eq!(
            VerdictSet::OVERRIDABLE.iter().collect::<Vec<_>>(),
            [Verdict::Recommend, Verdict::Consider, Verdict::Avoid]
        );
        let mut grown = VerdictSet::EMPTY;
        grown.insert(Verdict::Consider);
        assert_eq!(grown.iter().collect::<Vec<_>>(), [Verdict::Consider]);
    }
}
