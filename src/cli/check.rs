//! `guidelang check FILE...`: every diagnostic of every file; exit 1 on errors.

use std::path::PathBuf;

use super::common::{print_problems, read_input, Exit, Input};
use super::Format;
use guidelang::diagnostics::Source;

/// Arguments of `check`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Guideline files (.gl).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output format for the diagnostics.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub fn run(args: Args) -> Exit {
    let mut worst = Exit::Ok;
    let mut all_json = Vec::new();
    for path in &args.files {
        // A file that cannot be read is reported like one with an error, so
        // that the other files are still checked and the JSON lists them all.
        let (problems, exit) = match read_input(path, Input::Guideline) {
            Ok(text) => {
                let source = Source::new(path.display().to_string(), text);
                let problems = match guidelang::syntax::parse(&source) {
                    Err(p) => p,
                    Ok(file) => guidelang::check::check(&file, &source).problems,
                };
                (problems, Exit::GuidelineErrors)
            }
            Err(refused) => (vec![refused.problem], refused.exit),
        };
        let errors = problems.iter().filter(|p| p.is_error()).count();
        let warnings = problems.len() - errors;
        match args.format {
            Format::Text => {
                print_problems(&problems);
                if errors == 0 {
                    tell!(
                        "{}: ok ({warnings} warning{})",
                        path.display(),
                        if warnings == 1 { "" } else { "s" }
                    );
                } else {
                    tell!(
                        "{}: {errors} error{}, {warnings} warning{}",
                        path.display(),
                        plural(errors),
                        plural(warnings)
                    );
                }
            }
            Format::Json => all_json.push(serde_json::json!({
                "file": path.display().to_string(),
                "errors": errors,
                "warnings": warnings,
                "problems": guidelang::report::problems_json(&problems),
            })),
        }
        if errors > 0 && worst == Exit::Ok {
            worst = exit;
        }
    }
    if args.format == Format::Json {
        if let Err(e) = super::common::write_stdout(&format!("{}\n", serde_json::Value::Array(all_json))) {
            return e;
        }
    }
    worst
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
