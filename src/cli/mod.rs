//! Subcommands, one file each, and what they share: loading files, printing
//! diagnostics, exit codes.

/// `eprintln!` that cannot panic. A message the user cannot be shown (stderr
/// closed, or on a full disk) is dropped: the exit code still says what
/// happened, and a diagnostic must never turn into a crash.
macro_rules! tell {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// [`tell!`] without the line break.
macro_rules! tell_part {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

mod batch;
mod check;
mod columnar;
mod common;
mod diff;
mod eval;
mod fmt;
mod lint;
mod lsp;
mod output;
mod render;
mod serve;
mod test;

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
    /// Decide for every patient: clashes, invariants, unreachable and redundant rules.
    Lint(lint::Args),
    /// Compare two versions of a guideline by meaning, with a witness for every changed decision.
    Diff(diff::Args),
    /// Rewrite guideline files in canonical layout, comments kept (`--check` for CI).
    Fmt(fmt::Args),
    /// Run a guideline's case suite (`<name>.cases/`), with `--coverage`.
    Test(test::Args),
    /// Render a guideline as a document for clinical review (Markdown or HTML).
    Render(render::Args),
    /// Serve the language server protocol on stdio, for editors (diagnostics, hover, completion...).
    Lsp(lsp::Args),
    /// Serve guidelines to EHRs as a CDS Hooks service (patient-view cards).
    Serve(serve::Args),
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
        Command::Lint(a) => lint::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Fmt(a) => fmt::run(a),
        Command::Test(a) => test::run(a),
        Command::Render(a) => render::run(a),
        Command::Lsp(a) => lsp::run(a),
        Command::Serve(a) => serve::run(a),
    };
    exit.into()
}
