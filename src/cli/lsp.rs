//! `guidelang lsp`: the language server on stdin and stdout, for an editor
//! to start (see docs/editing.md). Exit 0 after the protocol's `shutdown`
//! and `exit`, 1 when the client left without `shutdown`, 4 when the
//! transport failed.

use std::time::Duration;

use super::common::Exit;
use guidelang::ide::diagnostics::EDITOR_LINT_UNITS;
use guidelang::lsp::{run_stdio, Config, Ended};

/// Arguments of `lsp`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Serve on stdin and stdout (the only transport; accepted because
    /// clients such as VS Code's pass it).
    #[arg(long)]
    stdio: bool,
    /// The pause in typing, in milliseconds, after which lint runs.
    #[arg(long, value_name = "MS", default_value_t = 300)]
    lint_pause: u64,
    /// Lint's solver budget per run, in kibibytes of clauses and proof (as
    /// `lint --budget`); when spent, lint says so instead of running on.
    #[arg(long, value_name = "UNITS", default_value_t = EDITOR_LINT_UNITS)]
    lint_budget: u64,
}

pub fn run(args: Args) -> Exit {
    let _ = args.stdio;
    let config = Config {
        lint_pause: Duration::from_millis(args.lint_pause),
        lint_units: args.lint_budget,
    };
    match run_stdio(config) {
        Ok(Ended::Clean) => Exit::Ok,
        Ok(Ended::Abrupt) => Exit::GuidelineErrors,
        Err(e) => {
            tell!("guidelang lsp: {e}");
            Exit::Io
        }
    }
}
