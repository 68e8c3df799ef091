//! Shared test support: case and guideline generators, the naive evaluator
//! of the bundled guideline's decision table, and the test oracles: the
//! tree-walking interpreter (`env`) and evaluator (`reference`) the compiled
//! one is checked against. Not every test uses every helper, and the benches
//! include parts by path, hence `dead_code`.
#![allow(dead_code)]

pub mod checked;
pub mod completions;
pub mod env;
pub mod gen;
pub mod naive;
pub mod oracle;
pub mod random;
pub mod reference;
pub mod reference_derived;
pub mod reference_dose;
pub mod reference_needs;
