//! Shared test support: case and guideline generators, and the naive
//! evaluator of the bundled guideline's decision table. Not every test uses
//! every helper, and the benches include parts by path, hence `dead_code`.
#![allow(dead_code)]

pub mod completions;
pub mod gen;
pub mod naive;
pub mod oracle;
pub mod random;
