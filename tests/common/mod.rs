//! Shared test support: case and guideline generators, and the naive
//! evaluator of the bundled guideline's decision table. Each test binary uses
//! a part of it, hence `dead_code` is allowed here.
#![allow(dead_code)]

pub mod completions;
pub mod gen;
pub mod naive;
pub mod oracle;
pub mod random;
