//! `guidelang eval [FILE] --case CASE.json`: one case, one report.

use std::path::PathBuf;

use super::common::{
    load_guideline, print_problems, read_input, read_stdin, stdout_color, write_stdout, Exit, Input, Refused,
};
use super::Format;
use guidelang::eval::{evaluate, Outcome};
use guidelang::report::{evaluation_json, evaluation_text, explanation_json, TextOptions};

/// Arguments of `eval`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Guideline file; the bundled ALS guideline when omitted.
    file: Option<PathBuf>,
    /// The patient case: a JSON object of facts (`-` for stdin).
    #[arg(long, required_unless_present = "cases")]
    case: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Show, for each action, which rules fired, which were overridden and why.
    #[arg(long)]
    explain: bool,
    /// The evaluation date (`today` in the guideline), `YYYY-MM-DD`; a case's
    /// own `"as_of"` takes precedence. Default: today (UTC).
    #[arg(long, value_name = "DATE", value_parser = parse_as_of)]
    as_of: Option<f64>,
    #[command(flatten)]
    batch: super::batch::BatchArgs,
}

/// `--as-of`: a calendar date in the accepted years.
fn parse_as_of(text: &str) -> Result<f64, String> {
    guidelang::time::parse_day(text)
}

pub fn run(args: Args) -> Exit {
    if let Some(option) = args.batch.misplaced() {
        tell!("error: {option} applies to a cohort: give it with --cases COHORT");
        return Exit::Usage;
    }
    let as_of = args.as_of.unwrap_or_else(guidelang::time::today_utc);
    let case_path = match (&args.batch.cases, &args.case) {
        (Some(cases), _) => return super::batch::run(args.file.as_deref(), args.format, &args.batch, cases, as_of),
        (None, Some(case)) => case.clone(),
        // clap requires one of the two.
        (None, None) => return Exit::Usage,
    };
    let g = match load_guideline(args.file.as_deref(), false) {
        Ok(g) => g,
        Err(e) => return e,
    };
    let read = if case_path.as_os_str() == "-" {
        read_stdin(Input::Case).map(|t| ("<stdin>".to_string(), t))
    } else {
        read_input(&case_path, Input::Case).map(|t| (case_path.display().to_string(), t))
    };
    let (origin, text) = match read {
        Ok(read) => read,
        Err(refused) => {
            let exit = Refused::report(refused);
            tell!("error: the case could not be read; nothing was evaluated");
            return exit;
        }
    };
    let case = guidelang::facts::parse_case(&g, &text).and_then(|mut c| c.default_as_of(&g, as_of).map(|()| c));
    let case = match case {
        Ok(c) => c,
        Err(errors) => {
            let problems: Vec<_> = errors.iter().map(|e| e.to_problem(&origin)).collect();
            print_problems(&problems);
            tell!(
                "error: the case is invalid ({} problem{}); nothing was evaluated",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            );
            return Exit::InvalidCase;
        }
    };
    let result = evaluate(&g, &case);
    match args.format {
        Format::Json => {
            let mut json = evaluation_json(&g, &result);
            if args.explain {
                json["explanation"] = explanation_json(&g, &case, &result);
            }
            let written = match serde_json::to_string_pretty(&json) {
                Ok(s) => write_stdout(&(s + "\n")),
                Err(e) => {
                    tell!("error: cannot write the report: {e}");
                    Err(Exit::Io)
                }
            };
            if let Err(e) = written {
                return e;
            }
        }
        Format::Text => {
            if let Err(e) = write_stdout(&evaluation_text(
                &g,
                &case,
                &result,
                TextOptions {
                    color: stdout_color(),
                    explain: args.explain,
                },
            )) {
                return e;
            }
        }
    }
    let unsafe_result =
        !result.violations.is_empty() || result.actions.iter().any(|a| matches!(a.outcome, Outcome::Conflict(_)));
    if unsafe_result {
        tell!("warning: the report holds a conflict or an invariant violation; the guideline must be corrected");
        Exit::Unsafe
    } else {
        Exit::Ok
    }
}
