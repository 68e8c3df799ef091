//! `guidelang eval G --cases cohort.parquet|.arrow|.arrows`: a columnar
//! cohort. With `-o results.parquet|.arrow|.arrows` the results are written
//! in the columnar shape (`guidelang::columnar`), facts read straight from
//! the columns; otherwise each row goes through the batch pipeline as the
//! JSON case its cells make, so its output line is the one an NDJSON cohort
//! gets. Either way the columns are checked against the facts before any row
//! is read, and an invalid row is reported with its row number while the
//! others are evaluated.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use super::batch::{BatchArgs, InputFormat};
use super::common::{print_problems, Exit};
use super::output::OutputFile;
use super::Format;
use arrow::error::ArrowError;
use guidelang::batch::Tally;
use guidelang::columnar::files::{CohortReader, ColumnarFormat, ResultWriter};
use guidelang::columnar::jobs::{evaluate_in_order, BatchOutcome};
use guidelang::columnar::{CohortEvaluator, ColumnMap, JsonRows, RowError, SchemaError};
use guidelang::compile::Program;
use guidelang::diagnostics::Problem;
use guidelang::model::Guideline;

/// The columnar format of `cases` as `--input-format` or its name says.
pub fn input_format(cases: &Path, given: Option<InputFormat>) -> Option<ColumnarFormat> {
    match given {
        Some(InputFormat::Parquet) => Some(ColumnarFormat::Parquet),
        Some(InputFormat::Arrow) => Some(match ColumnarFormat::from_path(cases) {
            Some(ColumnarFormat::ArrowStream) => ColumnarFormat::ArrowStream,
            // An IPC file starts with its magic; anything else is read as a stream.
            _ if starts_with_arrow_magic(cases) => ColumnarFormat::ArrowFile,
            _ => ColumnarFormat::ArrowStream,
        }),
        Some(_) => None,
        None => ColumnarFormat::from_path(cases),
    }
}

fn starts_with_arrow_magic(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 6];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|()| &magic == b"ARROW1")
}

/// Refuses the columnar options on another input, and `--keep` without a columnar output.
pub fn misused(args: &BatchArgs, columnar_in: bool) -> Option<String> {
    let mapping = !args.column.is_empty() || args.columns.is_some();
    if !columnar_in && (mapping || !args.keep.is_empty()) {
        return Some("--column, --columns and --keep apply to a Parquet or Arrow cohort".into());
    }
    let columnar_out = args.output.as_deref().and_then(ColumnarFormat::from_path).is_some();
    if !args.keep.is_empty() && (!columnar_out || args.summary) {
        return Some(
            "--keep copies id columns into a Parquet or Arrow output (-o results.parquet); the NDJSON records have no place for them"
                .into(),
        );
    }
    None
}

fn column_map(args: &BatchArgs) -> Result<ColumnMap, Exit> {
    let mut map = match &args.columns {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                tell!("error: cannot read {}: {e}", path.display());
                Exit::Io
            })?;
            ColumnMap::from_toml(&text).map_err(|e| {
                tell!("error: {} is not a column map: {e}", path.display());
                tell!("help: write one `fact = \"column\"` per line, e.g. wbc = \"wbc_10e9_per_l\"");
                Exit::Usage
            })?
        }
        None => ColumnMap::default(),
    };
    for pair in &args.column {
        if let Err(e) = map.insert_pair(pair) {
            tell!("error: --column {e}");
            return Err(Exit::Usage);
        }
    }
    Ok(map)
}

fn open(cases: &Path, format: ColumnarFormat) -> Result<CohortReader, Exit> {
    if cases.as_os_str() == "-" {
        tell!("error: a Parquet or Arrow cohort is read from a file, not stdin");
        return Err(Exit::Usage);
    }
    CohortReader::open(cases, format).map_err(|e| {
        tell!("error: cannot read {}: {e}", cases.display());
        Exit::Io
    })
}

fn schema_problems(cases: &Path, errors: &[SchemaError]) -> Exit {
    let problems: Vec<Problem> = errors
        .iter()
        .map(|e| {
            Problem::error(
                "guidelang::columnar::schema",
                format!("{}: {}", cases.display(), e.message),
            )
            .with_help(e.help.clone())
        })
        .collect();
    print_problems(&problems);
    tell!("error: the cohort's columns do not suit the guideline; nothing was evaluated");
    Exit::InvalidCase
}

/// The evaluator of a cohort's rows, its schema checked.
fn compile<'g>(
    g: &'g Guideline,
    program: &'g Program,
    reader: &CohortReader,
    args: &BatchArgs,
    cases: &Path,
    as_of: f64,
) -> Result<CohortEvaluator<'g>, Exit> {
    let map = column_map(args)?;
    CohortEvaluator::new(g, program, &reader.schema(), &map, &args.keep, Some(as_of))
        .map_err(|errors| schema_problems(cases, &errors))
}

/// The rows as NDJSON cases for the batch pipeline.
pub fn json_rows(
    g: &Guideline,
    program: &Program,
    args: &BatchArgs,
    cases: &Path,
    format: ColumnarFormat,
    as_of: f64,
) -> Result<JsonRows, Exit> {
    let reader = open(cases, format)?;
    let cohort = compile(g, program, &reader, args, cases, as_of)?;
    Ok(cohort.into_json_rows(reader))
}

/// Writes the results in the columnar shape to `out` (see the module's documentation).
#[allow(clippy::too_many_arguments)]
pub fn run(
    g: &Guideline,
    program: &Program,
    format: Format,
    args: &BatchArgs,
    cases: &Path,
    input: ColumnarFormat,
    out: &Path,
    output: ColumnarFormat,
    as_of: f64,
) -> Exit {
    if format == Format::Json {
        tell!("error: --format json writes JSON records; a Parquet or Arrow output has its own shape");
        tell!("help: drop --format json, or write the records to an NDJSON file (-o results.ndjson)");
        return Exit::Usage;
    }
    let started = Instant::now();
    let reader = match open(cases, input) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let jobs = args
        .jobs
        .or_else(|| std::thread::available_parallelism().ok())
        .map_or(1, std::num::NonZeroUsize::get);
    // One evaluator per job, compiled alike (the first reports any problem).
    let mut cohorts = Vec::with_capacity(jobs);
    for _ in 0..jobs {
        match compile(g, program, &reader, args, cases, as_of) {
            Ok(c) => cohorts.push(c),
            Err(e) => return e,
        }
    }
    let output_schema = cohorts[0].output_schema();
    let file = match OutputFile::create(out) {
        Ok(f) => f,
        Err(e) => {
            tell!("error: cannot write {}: {e}", out.display());
            return Exit::Io;
        }
    };
    let mut writer = match ResultWriter::new(file, output, &output_schema) {
        Ok(w) => w,
        Err(e) => {
            tell!("error: cannot write {}: {e}", out.display());
            return Exit::Io;
        }
    };
    let mut tally = Tally::new(g.actions.len());
    let mut failed: Option<Exit> = None;
    // Each batch's outcome, in input order, whichever job evaluated it.
    let mut take = |outcome: BatchOutcome<ArrowError>| -> bool {
        match outcome {
            BatchOutcome::Evaluated(evaluated, counts) => {
                tally.merge(&counts);
                report_rows(&evaluated.errors);
                if let Err(e) = writer.write(&evaluated.results) {
                    tell!("error: cannot write {}: {e}; no report was written", out.display());
                    failed = Some(Exit::Io);
                    return false;
                }
                true
            }
            BatchOutcome::Unreadable(e) => {
                tell!("error: cannot read {}: {e}; no report was written", cases.display());
                failed = Some(Exit::Io);
                false
            }
            BatchOutcome::Refused(e) => {
                tell!("error: {}: {}; no report was written", cases.display(), e.message);
                failed = Some(Exit::Io);
                false
            }
        }
    };
    if jobs == 1 {
        // One job is one thread: read, evaluate and write in turn.
        let mut cohort = cohorts.remove(0);
        let mut next_row = 1u64;
        for batch in reader {
            let outcome = match batch {
                Ok(batch) => {
                    let rows = batch.num_rows() as u64;
                    let outcome = match cohort.evaluate(&batch, next_row) {
                        Ok(evaluated) => BatchOutcome::Evaluated(evaluated, cohort.take_tally()),
                        Err(e) => BatchOutcome::Refused(e),
                    };
                    next_row += rows;
                    outcome
                }
                Err(e) => BatchOutcome::Unreadable(e),
            };
            if !take(outcome) {
                break;
            }
        }
    } else {
        evaluate_in_order(cohorts, reader, &mut take);
    }
    if let Some(exit) = failed {
        return exit;
    }
    let finished = writer.finish().map_err(|e| e.to_string()).and_then(|mut f| {
        f.flush().map_err(|e| e.to_string())?;
        f.finish().map_err(|e| e.to_string())
    });
    if let Err(e) = finished {
        tell!("error: cannot write {}: {e}; no report was written", out.display());
        return Exit::Io;
    }
    let secs = started.elapsed().as_secs_f64();
    tell!(
        "{}: {} ({:.2} s, {:.0} records/s)",
        g.meta.id,
        tally.line(),
        secs,
        tally.records as f64 / secs.max(1e-9)
    );
    if tally.errors > 0 {
        tell!(
            "error: {} row(s) were not valid cases (input rows {}); their error lines are above; {} holds the others",
            tally.errors,
            tally.error_places(),
            out.display()
        );
    }
    if tally.is_unsafe() {
        tell!("warning: some results hold a conflict or an invariant violation; the guideline must be corrected");
    }
    if tally.errors > 0 {
        Exit::InvalidCase
    } else if tally.is_unsafe() {
        Exit::Unsafe
    } else {
        Exit::Ok
    }
}

/// Each invalid row on stderr, one line each, as the NDJSON batch's error
/// lines: `{"row":N,"errors":[{"key":..,"message":..,"help":..}]}`.
fn report_rows(errors: &[RowError]) {
    #[derive(serde::Serialize)]
    struct Problem<'a> {
        key: Option<&'a str>,
        message: &'a str,
        help: &'a str,
    }
    #[derive(serde::Serialize)]
    struct ErrorRow<'a> {
        row: u64,
        errors: Vec<Problem<'a>>,
    }
    let stderr = std::io::stderr();
    let mut out = stderr.lock();
    for e in errors {
        let line = ErrorRow {
            row: e.row,
            errors: e
                .problems
                .iter()
                .map(|p| Problem {
                    key: p.key.as_deref(),
                    message: &p.message,
                    help: &p.help,
                })
                .collect(),
        };
        if let Ok(text) = serde_json::to_string(&line) {
            let _ = writeln!(out, "{text}");
        }
    }
}
