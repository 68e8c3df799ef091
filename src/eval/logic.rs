//! Three-valued (Kleene) logic: the values expressions take on a case.
//! An absent fact is unknown, and unknown propagates: `unknown and false` is
//! false, `unknown and true` is unknown, `unknown > 3` is unknown.

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

// Used by the tree-walking oracle; the compiled evaluator keeps typed buffers.
#[cfg(test)]
impl Val {
    /// The truth of a condition's value; anything but a boolean is unknown.
    #[inline]
    pub(crate) fn truth(self) -> Truth {
        match self {
            Val::Bool(b) => Truth::from_bool(b),
            _ => Truth::Unknown,
        }
    }

    /// A truth as a value.
    #[inline]
    pub(crate) fn from_truth(t: Truth) -> Val {
        match t {
            Truth::True => Val::Bool(true),
            Truth::False => Val::Bool(false),
            Truth::Unknown => Val::Unknown,
        }
    }

    /// The number, when the value is one.
    #[inline]
    pub(crate) fn num(self) -> Option<f64> {
        match self {
            Val::Num(x) => Some(x),
            _ => None,
        }
    }
}

#[cfg(test)]
/// Arithmetic that leaves the real numbers (x/0, sqrt of a negative) cannot
/// decide anything: it is unknown, never a silent infinity.
pub(crate) fn finite(x: f64) -> Val {
    if x.is_finite() {
        Val::Num(x)
    } else {
        Val::Unknown
    }
}
