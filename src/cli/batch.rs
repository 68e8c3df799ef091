//! `guidelang eval [FILE] --cases COHORT`: a whole cohort, one output line per
//! input record, in order; or with `--summary`, the cohort table. Output to a
//! regular file goes through a temporary file renamed at the end, so an
//! interrupted run never leaves half a report under the requested name (a
//! FIFO or a device is written as it is: see `cli/output.rs`).

use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal, Write};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::common::{load_guideline, print_problems, Exit};
use super::output::OutputFile;
use super::Format;
use guidelang::batch::{self, BundleSource, CsvSource, NdjsonSource, RecordFormat, RecordSource, Tally, Work};
use guidelang::columnar::files::ColumnarFormat;
use guidelang::compile::Program;
use guidelang::diagnostics::Problem;
use guidelang::model::Guideline;

/// Cohort options of `eval`.
#[derive(clap::Args, Debug)]
pub struct BatchArgs {
    /// Evaluate a cohort: NDJSON, one case per line, or CSV with a header row
    /// of fact names (empty cell = unknown) when the name ends in `.csv`;
    /// `-` reads stdin. Writes one output line per input record, in order.
    #[arg(long, value_name = "COHORT", conflicts_with_all = ["case", "explain"])]
    pub cases: Option<PathBuf>,
    /// The cohort's format, when its file name does not say (stdin is NDJSON).
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// Write the output to this file instead of stdout (a regular file only
    /// once complete; a FIFO or a device as it goes).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Worker threads; all cores by default.
    #[arg(long, value_name = "N")]
    pub jobs: Option<NonZeroUsize>,
    /// Instead of the records, print the cohort table: per action, how many
    /// patients got each verdict and how many were undecided.
    #[arg(long)]
    pub summary: bool,
    /// For a Parquet or Arrow cohort: read FACT from COLUMN (repeatable;
    /// a fact not mapped is read from the column named after it).
    #[arg(long, value_name = "FACT=COLUMN")]
    pub column: Vec<String>,
    /// For a Parquet or Arrow cohort: a TOML file of `fact = "column"` lines.
    #[arg(long, value_name = "MAP.toml")]
    pub columns: Option<PathBuf>,
    /// For a Parquet or Arrow output: id columns copied from the cohort, first.
    #[arg(long, value_name = "COL,...", value_delimiter = ',')]
    pub keep: Vec<String>,
}

impl BatchArgs {
    /// The first cohort option given without `--cases`, if any. (clap's
    /// `requires` is not checked when the required option conflicts with one
    /// that is present, as `--cases` does with `--case`.)
    pub fn misplaced(&self) -> Option<&'static str> {
        if self.cases.is_some() {
            return None;
        }
        [
            (self.input_format.is_some(), "--input-format"),
            (self.output.is_some(), "--output"),
            (self.jobs.is_some(), "--jobs"),
            (self.summary, "--summary"),
            (!self.column.is_empty(), "--column"),
            (self.columns.is_some(), "--columns"),
            (!self.keep.is_empty(), "--keep"),
        ]
        .into_iter()
        .find_map(|(given, name)| given.then_some(name))
    }
}

/// A cohort's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// One JSON case per line.
    Ndjson,
    /// A header row of fact names, one case per row.
    Csv,
    /// One FHIR R4 Bundle (a patient record) per line, read by the
    /// guideline's bindings as of the end of the `--as-of` day.
    Fhir,
    /// Apache Parquet: facts in columns named after them (or `--column`).
    Parquet,
    /// Arrow IPC, file or stream: facts in columns, as for Parquet.
    Arrow,
}

pub fn run(file: Option<&Path>, format: Format, args: &BatchArgs, cases: &Path, as_of: f64) -> Exit {
    let g = match load_guideline(file, false) {
        Ok(g) => g,
        Err(e) => return e,
    };
    let program = Program::new(&g);
    let stdin = cases.as_os_str() == "-";
    let columnar_in = super::columnar::input_format(cases, args.input_format);
    if let Some(why) = super::columnar::misused(args, columnar_in.is_some()) {
        tell!("error: {why}");
        return Exit::Usage;
    }
    let columnar_out = args
        .output
        .as_deref()
        .and_then(|o| Some((o, ColumnarFormat::from_path(o)?)));
    if let (Some(input), Some((out, output)), false) = (columnar_in, columnar_out, args.summary) {
        return super::columnar::run(&g, &program, format, args, cases, input, out, output, as_of);
    }
    let input_format = args.input_format.unwrap_or_else(|| {
        let csv = cases.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        if csv && !stdin {
            InputFormat::Csv
        } else if columnar_in == Some(ColumnarFormat::Parquet) {
            InputFormat::Parquet
        } else if columnar_in.is_some() {
            InputFormat::Arrow
        } else {
            InputFormat::Ndjson
        }
    });
    let (reader, size): (Box<dyn std::io::Read + Send>, Option<u64>) = if stdin {
        (Box::new(std::io::stdin()), None)
    } else {
        match File::open(cases) {
            Ok(f) => {
                let size = f.metadata().ok().map(|m| m.len());
                (Box::new(f), size)
            }
            Err(e) => {
                tell!("error: cannot read {}: {e}", cases.display());
                return Exit::Io;
            }
        }
    };
    let mut csv_columns = Vec::new();
    let mut source: Box<dyn RecordSource> = match input_format {
        InputFormat::Ndjson => Box::new(NdjsonSource::new(BufReader::with_capacity(1 << 16, reader))),
        InputFormat::Fhir => Box::new(BundleSource::new(BufReader::with_capacity(1 << 16, reader))),
        InputFormat::Parquet | InputFormat::Arrow => {
            let format = columnar_in.unwrap_or(ColumnarFormat::Parquet);
            match super::columnar::json_rows(&g, &program, args, cases, format, as_of) {
                Ok(rows) => Box::new(rows),
                Err(exit) => return exit,
            }
        }
        InputFormat::Csv => match CsvSource::new(&g, reader) {
            Ok(s) => {
                csv_columns = s.columns().to_vec();
                Box::new(s)
            }
            Err(Ok(header)) => {
                let origin = if stdin {
                    "<stdin>".into()
                } else {
                    cases.display().to_string()
                };
                print_problems(&[Problem::error(
                    "guidelang::batch::csv_header",
                    format!("{origin}: {}", header.message),
                )
                .with_help(header.help)]);
                tell!("error: the cohort's header is invalid; nothing was evaluated");
                return Exit::InvalidCase;
            }
            Err(Err(e)) => {
                tell!("error: cannot read {}: {e}", cases.display());
                return Exit::Io;
            }
        },
    };
    let work = Work {
        guideline: &g,
        program: &program,
        format: match format {
            Format::Text => RecordFormat::Brief,
            Format::Json => RecordFormat::Contract,
        },
        summary: args.summary,
        columns: (input_format == InputFormat::Csv).then_some(&csv_columns[..]),
        as_of: Some(as_of),
    };
    let mut output = match Output::open(args.output.as_deref()) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let jobs = args
        .jobs
        .or_else(|| std::thread::available_parallelism().ok())
        .map_or(1, NonZeroUsize::get);
    let started = Instant::now();
    // A columnar source counts rows, not bytes: a spinner, no ETA.
    let bar = progress_bar(size.filter(|_| columnar_in.is_none()));
    let mut on_progress = |records: u64, bytes: u64| {
        if let Some(bar) = &bar {
            bar.set_position(bytes);
            let rate = records as f64 / started.elapsed().as_secs_f64().max(1e-9);
            bar.set_message(format!("{records} records, {rate:.0} records/s"));
        }
    };
    let result = batch::run(&work, source.as_mut(), output.writer(), jobs, &mut on_progress);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let tally = match result {
        Ok(t) => t,
        // A line with no end in sight: refused by its content, like any case.
        Err(batch::BatchError::Read(e)) if e.kind() == std::io::ErrorKind::InvalidData => {
            let kept = match (args.summary, &args.output) {
                (true, _) => "no summary was written",
                (false, Some(_)) => "no report was written",
                (false, None) => "the lines up to it were answered",
            };
            tell!("error: the cohort is not one case per line: {e}; {kept}");
            return Exit::InvalidCase;
        }
        Err(e) => {
            tell!("error: {e}; no report was written");
            return Exit::Io;
        }
    };
    if args.summary {
        let text = match format {
            Format::Text => batch::summary_text(&g, &tally),
            Format::Json => format!("{}\n", batch::summary_json(&g, &tally)),
        };
        if let Err(e) = output.writer().write_all(text.as_bytes()) {
            tell!("error: cannot write the output: {e}; no report was written");
            return Exit::Io;
        }
    }
    if let Err(e) = output.finish() {
        tell!("error: cannot write the output: {e}; no report was written");
        return Exit::Io;
    }
    report_end(&g, &tally, started, args);
    if tally.errors > 0 {
        Exit::InvalidCase
    } else if tally.is_unsafe() {
        Exit::Unsafe
    } else {
        Exit::Ok
    }
}

fn report_end(g: &Guideline, tally: &Tally, started: Instant, args: &BatchArgs) {
    let secs = started.elapsed().as_secs_f64();
    tell!(
        "{}: {} ({:.2} s, {:.0} records/s)",
        g.meta.id,
        tally.line(),
        secs,
        tally.records as f64 / secs.max(1e-9)
    );
    if tally.errors > 0 {
        // Say where to look: `--summary` prints no record, so the error
        // lines exist only in a run without it.
        let look = if args.summary {
            "run without --summary for their error lines".to_string()
        } else if let Some(out) = &args.output {
            format!("their error lines are in {}", out.display())
        } else {
            "their error lines are in the output".to_string()
        };
        tell!(
            "error: {} record(s) were not valid cases (input {}); {look}",
            tally.errors,
            tally.error_places()
        );
    }
    if tally.is_unsafe() {
        tell!("warning: some reports hold a conflict or an invariant violation; the guideline must be corrected");
    }
}

/// A progress bar on stderr, only when stderr is a terminal; measured in
/// input bytes when the input's size is known, so that it can give an ETA.
fn progress_bar(size: Option<u64>) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = match size {
        Some(n) => indicatif::ProgressBar::new(n)
            .with_style(indicatif::ProgressStyle::with_template("{bar:30} {percent:>3}%  {msg}  ETA {eta}").ok()?),
        None => indicatif::ProgressBar::new_spinner()
            .with_style(indicatif::ProgressStyle::with_template("{spinner} {msg}").ok()?),
    };
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr_with_hz(4));
    Some(bar)
}

/// Where the output goes: stdout, or a file (see [`OutputFile`]).
enum Output {
    Stdout(BufWriter<std::io::Stdout>),
    File(OutputFile),
}

impl Output {
    fn open(target: Option<&Path>) -> Result<Output, Exit> {
        let Some(target) = target else {
            return Ok(Output::Stdout(BufWriter::with_capacity(1 << 16, std::io::stdout())));
        };
        OutputFile::create(target).map(Output::File).map_err(|e| {
            tell!("error: cannot write {}: {e}", target.display());
            Exit::Io
        })
    }

    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Output::Stdout(w) => w,
            Output::File(f) => f,
        }
    }

    /// Flushes; a file is completed (renamed over its target when it replaces one).
    fn finish(self) -> std::io::Result<()> {
        match self {
            Output::Stdout(mut w) => w.flush(),
            Output::File(f) => f.finish(),
        }
    }
}
