//! `guidelang diff OLD NEW`: two versions compared by meaning — rules, facts
//! and other items added, removed, changed; every decision that differs for
//! some patient, with a witness; the version bump that implies.

use std::path::PathBuf;

use clap::ValueEnum;

use super::common::{load_guideline, write_stdout, Exit};
use guidelang::analysis::diff::diff_with;
use guidelang::analysis::{Budget, SolverFailure};
use guidelang::report::{diff_json, diff_markdown, diff_text, diff_version_warning};

/// Formats of the comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum DiffFormat {
    /// Readable text.
    #[default]
    Text,
    /// JSON.
    Json,
    /// A Markdown changelog for a review board (deterministic, to commit).
    Markdown,
}

/// Arguments of `diff`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The earlier version.
    old: PathBuf,
    /// The later version.
    new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: DiffFormat,
    /// Fail (exit 1) when the new version number does not reflect the change.
    #[arg(long)]
    strict_version: bool,
    /// The solver work the analysis may do, in kibibytes of clauses and proof;
    /// when it is spent, what is left ends as "not proved" with exit 1.
    #[arg(long, value_name = "UNITS", default_value_t = guidelang::analysis::Budget::DEFAULT_UNITS)]
    budget: u64,
}

pub fn run(args: Args) -> Exit {
    let old = match load_guideline(Some(&args.old), false) {
        Ok(g) => g,
        Err(e) => return e,
    };
    let new = match load_guideline(Some(&args.new), false) {
        Ok(g) => g,
        Err(e) => return e,
    };
    let d = match diff_with(&old, &new, &Budget::new(args.budget)) {
        Ok(d) => d,
        Err(SolverFailure::BudgetSpent) => {
            tell!(
                "error: not compared: the analysis budget ({} units) was spent before the decisions were compared\n\
                 help: nothing is claimed about what changed; raise the budget with `--budget UNITS`",
                args.budget
            );
            return Exit::GuidelineErrors;
        }
        Err(e) => {
            tell!("error: the comparison failed: {e}");
            return Exit::GuidelineErrors;
        }
    };
    let report = match args.format {
        DiffFormat::Json => match serde_json::to_string_pretty(&diff_json(&old, &new, &d)) {
            Ok(s) => s + "\n",
            Err(e) => {
                tell!("error: cannot write the report: {e}");
                return Exit::Io;
            }
        },
        DiffFormat::Text => diff_text(&old, &new, &d),
        DiffFormat::Markdown => diff_markdown(&old, &new, &d),
    };
    if let Err(e) = write_stdout(&report) {
        return e;
    }
    if let Some(warning) = diff_version_warning(&old, &new, &d) {
        tell!("{warning}");
        if args.strict_version {
            return Exit::GuidelineErrors;
        }
    }
    Exit::Ok
}
