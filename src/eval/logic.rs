//! Three-valued (Kleene) logic: the values expressions take on a case.
//! An absent fact is unknown, and unknown propagates: `unknown and false` is
//! false, `unknown and true` is unknown, `unknown > 3` is unknown. The
//! compiled evaluator (`run.rs`) computes them; [`Values`](super::Values)
//! gives them for any expression.

/// A truth value of three-valued logic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Truth {
    /// Definitely false.
    False,
    /// Cannot be decided from the facts given.
    Unknown,
    /// Definitely true.
    True,
}

impl Truth {
    /// Kleene negation.
    pub fn negate(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }

    /// From a known boolean.
    pub fn from_bool(b: bool) -> Truth {
        if b {
            Truth::True
        } else {
            Truth::False
        }
    }
}

/// The value of an expression on a case.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Val {
    /// Not decidable from the case.
    Unknown,
    /// A truth.
    Bool(bool),
    /// A quantity.
    Num(f64),
    /// An enum value's index.
    Enum(u8),
}
