//! What every subcommand shares: exit codes, reading files, printing diagnostics.

use std::io::{IsTerminal, Read};
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

/// What a file holds: it decides the size limit and the exit code when the
/// content is refused (the file was read, but cannot be a guideline or a case).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// A guideline (`.gl`).
    Guideline,
    /// A patient case (JSON).
    Case,
}

impl Input {
    fn limit(self) -> usize {
        match self {
            Input::Guideline => guidelang::syntax::MAX_FILE_BYTES,
            Input::Case => guidelang::facts::MAX_CASE_BYTES,
        }
    }

    fn refused(self) -> Exit {
        match self {
            Input::Guideline => Exit::GuidelineErrors,
            Input::Case => Exit::InvalidCase,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Input::Guideline => "a guideline file",
            Input::Case => "a case",
        }
    }
}

/// A file that could not be used, with the diagnostic that says why.
#[derive(Debug)]
pub struct Refused {
    /// What went wrong.
    pub problem: Problem,
    /// The exit code it calls for.
    pub exit: Exit,
}

impl Refused {
    /// Prints the diagnostic and gives the exit code.
    pub fn report(self) -> Exit {
        print_problems(std::slice::from_ref(&self.problem));
        self.exit
    }
}

/// Reads a guideline file as UTF-8 text (see [`read_input`]); a refusal is
/// printed and becomes its exit code.
pub fn read_text(path: &Path) -> Result<String, Exit> {
    read_input(path, Input::Guideline).map_err(Refused::report)
}

/// Reads a file as UTF-8 text. The size is checked before anything is read,
/// and reading stops one byte past the limit, so a huge file (or an endless
/// one such as `/dev/zero`) is refused without being loaded.
pub fn read_input(path: &Path, input: Input) -> Result<String, Refused> {
    let name = path.display().to_string();
    let unreadable = |e: std::io::Error| Refused {
        problem: Problem::error("guidelang::input::unreadable", format!("cannot read {name}: {e}"))
            .with_help("check the path and the file's permissions"),
        exit: Exit::Io,
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let meta = file.metadata().map_err(unreadable)?;
    if meta.is_dir() {
        return Err(Refused {
            problem: Problem::error(
                "guidelang::input::unreadable",
                format!("cannot read {name}: it is a directory"),
            )
            .with_help(format!("give the path of {} inside it", input.noun())),
            exit: Exit::Io,
        });
    }
    if meta.len() > input.limit() as u64 {
        return Err(too_large(&name, meta.len(), true, input));
    }
    let mut bytes = Vec::new();
    file.take(input.limit() as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    decode(&name, bytes, input)
}

/// Reads standard input as UTF-8 text, refusing more than `input`'s limit.
pub fn read_stdin(input: Input) -> Result<String, Refused> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(input.limit() as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Refused {
            problem: Problem::error(
                "guidelang::input::unreadable",
                format!("cannot read standard input: {e}"),
            ),
            exit: Exit::Io,
        })?;
    decode("<stdin>", bytes, input)
}

/// `size` is the file's size when `exact`, else only how much was read
/// before the limit stopped the reading (stdin, devices, a growing file).
fn too_large(name: &str, size: u64, exact: bool, input: Input) -> Refused {
    let limit = input.limit();
    let size = if exact {
        format!("{size} bytes")
    } else {
        format!("more than {limit} bytes")
    };
    Refused {
        problem: Problem::error(
            "guidelang::input::too_large",
            format!(
                "{name} is {size}; {} may hold at most {limit} bytes ({} MiB)",
                input.noun(),
                limit / (1024 * 1024)
            ),
        )
        .with_help(match input {
            Input::Guideline => "check that this is the right file; a larger guideline must be split",
            Input::Case => "a case is one flat JSON object of facts; check that this is the right file",
        }),
        exit: input.refused(),
    }
}

/// Checks the size and decodes UTF-8, dropping a leading byte-order mark.
fn decode(name: &str, bytes: Vec<u8>, input: Input) -> Result<String, Refused> {
    if bytes.len() > input.limit() {
        return Err(too_large(name, bytes.len() as u64, false, input));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Refused {
            problem: Problem::error(
                "guidelang::input::not_utf8",
                format!("{name} is UTF-16 text, not UTF-8"),
            )
            .with_help("save the file as UTF-8"),
            exit: input.refused(),
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        // The prefix is valid UTF-8 by definition of `valid_up_to`.
        let before = std::str::from_utf8(&bytes[..at]).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Refused {
            problem: Problem::error(
                "guidelang::input::not_utf8",
                format!(
                    "{name} is not UTF-8 text: invalid byte 0x{:02X} at line {line}, column {column} (byte offset {at})",
                    bytes[at]
                ),
            )
            .with_help("save the file as UTF-8 (Latin-1 and Windows-1252 text must be converted)"),
            exit: input.refused(),
        }
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// Most diagnostics printed for one file; the rest are counted. A file with
/// thousands of errors is better served by its first ones (or `--format json`).
pub const MAX_PRINTED_PROBLEMS: usize = 100;

/// Prints diagnostics to stderr, with colour when stderr is a terminal.
pub fn print_problems(problems: &[Problem]) {
    let theme = if stderr_color() {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    for (i, p) in problems.iter().take(MAX_PRINTED_PROBLEMS).enumerate() {
        // A blank line between problems: each ends with its code, and the next
        // must not read as part of it.
        let gap = if i == 0 { "" } else { "\n" };
        tell_part!("{gap}{}", p.render(theme.clone()));
    }
    if problems.len() > MAX_PRINTED_PROBLEMS {
        tell!(
            "... and {} more problems not shown (`--format json` lists them all)",
            problems.len() - MAX_PRINTED_PROBLEMS
        );
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
            tell!(
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

/// True when diagnostics on stderr may use colour.
pub fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
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
            tell!("error: cannot write the report: {e}");
            Err(Exit::Io)
        }
    }
}
