//! Shared test support: case and guideline generators, the naive evaluator
//! of the bundled guideline's decision table, and the test oracles: the
//! tree-walking interpreter (`env`) and evaluator (`reference`) the compiled
//! one is checked against. Each test binary uses
//! a part of it, hence `dead_code` is allowed here.
#![allow(dead_code)]

pub mod completions;
pub mod env;
pub mod gen;
pub mod naive;
pub mod oracle;
pub mod random;
pub mod reference;
pub mod reference_needs;
