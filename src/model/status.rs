//! The review status of a guideline: a word of the model that the header
//! writes and the reports, the linter and the diff read.

use std::fmt;

/// Review status of a guideline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Being written.
    Draft,
    /// Under review by the board.
    InReview,
    /// Approved for use.
    Approved,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Draft => "draft",
            Status::InReview => "in-review",
            Status::Approved => "approved",
        })
    }
}
