//! Subcommands, one file each, and what they share: loading files, printing
//! diagnostics, exit codes.

mod batch;
mod check;
mod common;
mod eval;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// guidelang: check, evaluate and lint clinical guidelines.
#[derive(Parser, Debug)]
#[command(name = "guidelang", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check guideline files: syntax, names, types, units, citations, precedence.
    Check(check::Args),
    /// Evaluate a patient case against a guideline (the bundled ALS guideline by default).
    Eval(eval::Args),
}

/// Output format for reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Readable text.
    #[default]
    Text,
    /// JSON.
    Json,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    let exit = match cli.command {
        Command::Check(a) => check::run(a),
        Command::Eval(a) => eval::run(a),
    };
    exit.into()
}
