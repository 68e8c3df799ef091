//! Refinements remembered: a cohort's cases repeat a few patterns of absent
//! facts, and refining an action over the completions of a pattern is the
//! dearest step of evaluating a case (`needs.rs`).
//!
//! A full refinement of an action is a function of its key (see
//! `Evaluator::memo_key`): the action's true and unknown rules, the absent
//! facts that vary, which nodes of its conditions are unknown, the values of
//! the known nodes those read, and the evaluation date. Two cases with one
//! key refine alike, so the second is answered from here, with the same
//! state and the same `needs`. A key holds values, never a hash alone: a
//! collision of hashes only costs a comparison.
//!
//! Bounded: keys longer than [`MAX_KEY`] words are not kept (hostile
//! guidelines, not clinical ones), and past [`MAX_WORDS`] words in all the
//! memo starts again empty, so an evaluator's memory stays within a few
//! megabytes whatever it is given.

use std::collections::HashMap;

use foldhash::fast::FixedState;

use super::run::State;
use crate::model::FactId;

/// Longest key kept, in words.
const MAX_KEY: usize = 256;

/// Most words kept over all keys and `needs` lists (2 MiB of them).
const MAX_WORDS: usize = 1 << 18;

/// What one refinement concluded.
#[derive(Clone, Debug)]
pub(super) struct Refined {
    /// The refined state; `None` when the refinement fell back to the
    /// rule-level state it was given.
    pub state: Option<State>,
    /// `needs` of an undecided state (empty otherwise).
    pub needs: Box<[FactId]>,
}

/// The refinements an evaluator has made, by key.
#[derive(Clone, Debug, Default)]
pub(crate) struct Memo {
    refined: HashMap<Box<[u64]>, Refined, FixedState>,
    /// Words held by the keys and `needs` lists.
    words: usize,
}

impl Memo {
    /// The refinement made before under `key`, if any.
    pub(super) fn recall(&self, key: &[u64]) -> Option<&Refined> {
        self.refined.get(key)
    }

    /// Keeps a refinement under `key`.
    pub(super) fn keep(&mut self, key: &[u64], state: Option<State>, needs: &[FactId]) {
        if key.len() > MAX_KEY {
            return;
        }
        let size = key.len() + needs.len();
        if self.words + size > MAX_WORDS {
            self.refined.clear();
            self.words = 0;
        }
        let refined = Refined {
            state,
            needs: needs.into(),
        };
        if self.refined.insert(key.into(), refined).is_none() {
            self.words += size;
        }
    }
}
