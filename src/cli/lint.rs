//! `guidelang lint [FILE]`: decides, for every patient, whether rules clash,
//! invariants hold, rules are reachable; prints each finding with a witness
//! case. Exit 1 on errors (or on warnings with `--deny warnings`).

use std::path::PathBuf;

use super::common::{read_text, stderr_color, write_stdout, Exit};
use guidelang::analysis::{lint_with, Budget, Finding, LintOptions, LintReport, FINDINGS_PER_KIND};
use guidelang::diagnostics::Source;
use guidelang::report::{lint_json, lint_text, sarif::lint_sarif};

/// Output formats of `lint`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum LintFormat {
    /// Diagnostics with witness cases.
    #[default]
    Text,
    /// JSON.
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
}

/// What `--deny` can turn into errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    /// Every warning.
    Warnings,
}

/// Arguments of `lint`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Guideline file; the bundled ALS guideline when omitted.
    file: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: LintFormat,
    /// Treat warnings as errors (`--deny warnings`).
    #[arg(long, value_enum)]
    deny: Vec<Deny>,
    /// The solver work the analysis may do, in kibibytes of clauses and proof;
    /// when it is spent, what is left ends as "not proved" with exit 1.
    #[arg(long, value_name = "UNITS", default_value_t = guidelang::analysis::Budget::DEFAULT_UNITS)]
    budget: u64,
    /// List every finding; by default the first 50 of each kind are listed
    /// and the rest counted (the exit code counts them all either way).
    #[arg(long)]
    all_findings: bool,
    /// Threads to analyse the actions on; by default one per core. The
    /// report is the same for any number.
    #[arg(long, value_name = "N")]
    jobs: Option<std::num::NonZeroUsize>,
}

pub fn run(args: Args) -> Exit {
    let (name, text) = match &args.file {
        Some(p) => match read_text(p) {
            Ok(t) => (p.display().to_string(), t),
            Err(e) => return e,
        },
        None => (guidelang::BUNDLED_NAME.to_string(), guidelang::BUNDLED_TEXT.to_string()),
    };
    let source = Source::new(name, text);
    let options = LintOptions {
        per_kind: if args.all_findings {
            None
        } else {
            Some(FINDINGS_PER_KIND)
        },
        budget: Budget::new(args.budget),
        jobs: args
            .jobs
            .or_else(|| std::thread::available_parallelism().ok())
            .map_or(1, |n| n.get()),
        ..LintOptions::default()
    };
    let (guideline, report) = match guidelang::load(&source) {
        Ok(g) => {
            let report = lint_with(&g, options);
            (Some(g), report)
        }
        Err(problems) => {
            let findings = problems.iter().map(Finding::from_problem).collect();
            (None, LintReport::of_findings(findings, options.per_kind))
        }
    };
    let out = match args.format {
        LintFormat::Text => {
            tell_part!("{}", lint_text(&source, &report, guideline.is_some(), stderr_color()));
            None
        }
        LintFormat::Json => Some(lint_json(&source, guideline.as_ref(), &report)),
        LintFormat::Sarif => Some(lint_sarif(&source, &report)),
    };
    if let Some(json) = out {
        match serde_json::to_string_pretty(&json) {
            Ok(s) => {
                if let Err(e) = write_stdout(&(s + "\n")) {
                    return e;
                }
            }
            Err(e) => {
                tell!("error: cannot write the report: {e}");
                return Exit::Io;
            }
        }
    }
    let deny_warnings = args.deny.contains(&Deny::Warnings);
    if report.errors() > 0 || (deny_warnings && report.warnings() > 0) {
        Exit::GuidelineErrors
    } else {
        Exit::Ok
    }
}
