//! guidelang: a declarative language for clinical guidelines.
//!
//! The stages, each a module, data flowing one way:
//! text → [`syntax`] (AST with spans) → [`check`] ([`model::Guideline`]) →
//! [`eval`] (with a [`facts::Case`]) → [`report`].
//!
//! ```
//! let g = guidelang::bundled().expect("the bundled guideline checks");
//! let case = guidelang::facts::parse_case(&g, r#"{"als": true, "wbc": 150, "weight": 70}"#).unwrap();
//! let result = guidelang::eval::evaluate(&g, &case);
//! assert!(!result.actions.is_empty());
//! ```

#![warn(missing_docs)]

pub mod analysis;
pub mod batch;
pub mod check;
#[cfg(feature = "columnar")]
pub mod columnar;
pub mod compile;
pub mod diagnostics;
pub mod eval;
pub mod facts;
pub mod fhir;
pub mod format;
pub mod ide;
#[cfg(feature = "lsp")]
pub mod lsp;
pub mod model;
pub mod report;
#[cfg(feature = "serve")]
pub mod serve;
pub mod suite;
pub mod syntax;
pub mod time;
pub mod units;

use diagnostics::{Problem, Source};
use model::Guideline;

/// The bundled ALS / hyperleukocytosis guideline's file name.
pub const BUNDLED_NAME: &str = "guidelines/als-hyperleukocytosis.gl";
/// The bundled guideline's text, compiled into the binary.
pub const BUNDLED_TEXT: &str = include_str!("../guidelines/als-hyperleukocytosis.gl");

/// Parses and checks a guideline. On success returns it (with its warnings in
/// `Guideline::warnings`); otherwise every problem found, errors first in file order.
/// Sets no process-wide state: pest's call limit is left as the host program set it (see [`syntax`]).
pub fn load(source: &Source) -> Result<Guideline, Vec<Problem>> {
    let file = syntax::parse(source)?;
    let checked = check::check(&file, source);
    checked.guideline.ok_or(checked.problems)
}

/// Loads a guideline from text.
pub fn load_str(name: &str, text: &str) -> Result<Guideline, Vec<Problem>> {
    load(&Source::new(name, text))
}

/// The bundled ALS guideline, checked.
pub fn bundled() -> Result<Guideline, Vec<Problem>> {
    load_str(BUNDLED_NAME, BUNDLED_TEXT)
}
