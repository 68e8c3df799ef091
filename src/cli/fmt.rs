//! `guidelang fmt FILE...`: rewrites guideline files in canonical layout;
//! `--check` only reports, with a unified diff, the files that are not.

use std::path::{Path, PathBuf};

use super::common::{print_problems, read_stdin, read_text, write_stdout, Exit, Input, Refused};
use super::output::write_file;
use guidelang::diagnostics::Source;

/// Arguments of `fmt`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Guideline files (.gl); `-` reads stdin and writes the result to stdout.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Change nothing: exit 1 and print a diff when a file is not formatted.
    #[arg(long)]
    check: bool,
}

pub fn run(args: Args) -> Exit {
    let mut worst = Exit::Ok;
    for path in &args.files {
        let outcome = if path.as_os_str() == "-" {
            stdin(args.check)
        } else {
            file(path, args.check)
        };
        if let Err(e) = outcome {
            // An I/O failure outranks "not formatted".
            if worst == Exit::Ok || e == Exit::Io {
                worst = e;
            }
        }
    }
    worst
}

fn stdin(check: bool) -> Result<(), Exit> {
    // Bounded like a guideline file, so that an endless stdin is refused.
    let text = read_stdin(Input::Guideline).map_err(Refused::report)?;
    let formatted = formatted("<stdin>", &text)?;
    if check {
        return compare("<stdin>", &text, &formatted);
    }
    write_stdout(&formatted)
}

fn file(path: &Path, check: bool) -> Result<(), Exit> {
    let text = read_text(path)?;
    let name = path.display().to_string();
    let formatted = formatted(&name, &text)?;
    if check {
        return compare(&name, &text, &formatted);
    }
    if formatted != text {
        // Through a temporary file: a full disk must not leave the guideline cut short.
        write_file(path, formatted.as_bytes())?;
        tell!("formatted {name}");
    }
    Ok(())
}

fn formatted(name: &str, text: &str) -> Result<String, Exit> {
    guidelang::format::format_source(&Source::new(name, text)).map_err(|problems| {
        print_problems(&problems);
        tell!("error: {name} does not parse; it was not formatted");
        Exit::GuidelineErrors
    })
}

fn compare(name: &str, text: &str, formatted: &str) -> Result<(), Exit> {
    if text == formatted {
        return Ok(());
    }
    let diff = similar::TextDiff::from_lines(text, formatted);
    write_stdout(
        &diff
            .unified_diff()
            .context_radius(3)
            .header(name, &format!("{name} (formatted)"))
            .to_string(),
    )?;
    tell!("{name} is not formatted; run `guidelang fmt {name}`");
    Err(Exit::GuidelineErrors)
}
