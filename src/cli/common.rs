//! What every subcommand shares: exit codes, reading files, printing diagnostics.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use guidelang::diagnostics::{Problem, Source};
use guidelang::model::Guideline;

/// Documented exit codes (README, "Exit codes").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Success.
    Ok = 0,
    /// The guideline has errors (or lint findings, or failed tests).
    GuidelineErrors = 1,
    /// Bad command-line usage (clap's own code).
    #[allow(dead_code)]
    Usage = 2,
    /// The case is invalid: nothing was evaluated.
    InvalidCase = 3,
    /// A file could not be read or written.
    Io = 4,
    /// The report was produced but holds a conflict or an invariant violation.
    Unsafe = 5,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

/// Reads a file as UTF-8 text, with a clear error.
pub fn read_text(path: &Path) -> Result<String, Exit> {
    let bytes = std::fs::read(path).map_err(|e| {
        eprintln!("error: cannot read {}: {e}", path.display());
        Exit::Io
    })?;
    String::from_utf8(bytes).map_err(|e| {
        eprintln!(
            "error: {} is not UTF-8 text (invalid byte at offset {}); save it as UTF-8",
            path.display(),
            e.utf8_error().valid_up_to()
        );
        Exit::Io
    })
}

/// Prints diagnostics to stderr, with colour when stderr is a terminal.
pub fn print_problems(problems: &[Problem]) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(100);
    for p in problems {
        let mut out = String::new();
        if handler.render_report(&mut out, p).is_err() {
            out = format!("{}: {}\n", p.code, p.message);
        }
        eprint!("{out}");
    }
}

/// Loads and checks a guideline file, or the bundled one when `path` is `None`.
/// Prints diagnostics; warnings do not stop it.
pub fn load_guideline(path: Option<&Path>, show_warnings: bool) -> Result<Guideline, Exit> {
    let (name, text) = match path {
        Some(p) => (p.display().to_string(), read_text(p)?),
        None => (guidelang::BUNDLED_NAME.to_string(), guidelang::BUNDLED_TEXT.to_string()),
    };
    match guidelang::load(&Source::new(name, text)) {
        Ok(g) => {
            if show_warnings {
                print_problems(&g.warnings);
            }
            Ok(g)
        }
        Err(problems) => {
            print_problems(&problems);
            let n = problems.iter().filter(|p| p.is_error()).count();
            eprintln!(
                "error: the guideline has {n} error{}; nothing was evaluated",
                if n == 1 { "" } else { "s" }
            );
            Err(Exit::GuidelineErrors)
        }
    }
}

/// True when colour should be used on stdout.
pub fn stdout_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Writes a report to stdout. A closed pipe (`guidelang eval ... | head`) ends
/// the output quietly; any other write failure is an I/O error.
pub fn write_stdout(text: &str) -> Result<(), Exit> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            eprintln!("error: cannot write the report: {e}");
            Err(Exit::Io)
        }
    }
}
