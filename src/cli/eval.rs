//! `guidelang eval [FILE] --case CASE.json`: one case, one report; with
//! `--fhir BUNDLE.json`, the case is read from a patient record (a FHIR R4
//! Bundle) by the guideline's bindings, completed or overridden by `--case`.

use std::path::{Path, PathBuf};

use super::common::{
    load_guideline, print_problems, read_input, read_stdin, stdout_color, write_stdout, Exit, Input, Refused,
};
use super::Format;
use guidelang::eval::{evaluate, Outcome};
use guidelang::facts::Case;
use guidelang::fhir::{Instant, Record};
use guidelang::model::Guideline;
use guidelang::report::{evaluation_text_with_record, explanation_json, TextOptions};
use guidelang::report::{write_contract, ContractExtras, ContractText, Layout};

/// Arguments of `eval`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Guideline file; the bundled ALS guideline when omitted.
    file: Option<PathBuf>,
    /// The patient case: a JSON object of facts (`-` for stdin). With
    /// `--fhir`, its facts override or complete the record's.
    #[arg(long, required_unless_present_any = ["cases", "fhir"])]
    case: Option<PathBuf>,
    /// A patient record: a FHIR R4 Bundle in JSON (`-` for stdin), read by
    /// the bindings the guideline declares on its facts.
    #[arg(long, value_name = "BUNDLE", conflicts_with = "cases")]
    fhir: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Show, for each action, which rules fired, which were overridden and why.
    #[arg(long)]
    explain: bool,
    /// The evaluation date (`today` in the guideline), `YYYY-MM-DD`; a case's
    /// own `"as_of"` takes precedence. Default: today (UTC). A record is read
    /// as of the end of that day (UTC), or of an RFC 3339 timestamp given
    /// here instead (`2026-12-01T08:00:00Z`).
    #[arg(long, value_name = "DATE", value_parser = parse_as_of)]
    as_of: Option<Instant>,
    #[command(flatten)]
    batch: super::batch::BatchArgs,
}

/// `--as-of`: a calendar date in the accepted years (the end of that day),
/// or a timestamp with its offset.
fn parse_as_of(text: &str) -> Result<Instant, String> {
    guidelang::fhir::parse_instant(text)
}

pub fn run(args: Args) -> Exit {
    if let Some(option) = args.batch.misplaced() {
        tell!("error: {option} applies to a cohort: give it with --cases COHORT");
        return Exit::Usage;
    }
    let as_of = args.as_of.map_or_else(guidelang::time::today_utc, Instant::day);
    if let Some(bundle) = args.fhir.clone() {
        return run_record(&args, &bundle);
    }
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
        Err(errors) => return refuse(&errors, &origin, "the case is invalid"),
    };
    report(&args, &g, &case, None)
}

/// Evaluates `case` and writes the report (with the record's provenance
/// when one was read); the exit code says whether the report is safe.
fn report(args: &Args, g: &Guideline, case: &Case, record: Option<&Record>) -> Exit {
    let result = evaluate(g, case);
    match args.format {
        Format::Json => {
            let explanation = args.explain.then(|| explanation_json(g, case, &result));
            let extras = ContractExtras {
                line: None,
                record,
                explanation: explanation.as_ref(),
            };
            let mut json = Vec::new();
            write_contract(&mut json, &ContractText::new(g), g, &result, Layout::Pretty, extras);
            json.push(b'\n');
            // The writer emits only JSON built from valid UTF-8 text.
            if let Err(e) = write_stdout(&String::from_utf8_lossy(&json)) {
                return e;
            }
        }
        Format::Text => {
            if let Err(e) = write_stdout(&evaluation_text_with_record(
                g,
                case,
                &result,
                TextOptions {
                    color: stdout_color(),
                    explain: args.explain,
                },
                record,
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

/// `eval --fhir BUNDLE [--case CASE]`: the case (if any) is read first, since
/// its `as_of` fixes the instant the record is read at; then the record, then
/// the case laid over it. Any problem in either: nothing is evaluated.
fn run_record(args: &Args, bundle: &Path) -> Exit {
    if bundle.as_os_str() == "-" && args.case.as_deref().is_some_and(|c| c.as_os_str() == "-") {
        tell!("error: --fhir and --case cannot both read stdin; give one of them as a file");
        return Exit::Usage;
    }
    let g = match load_guideline(args.file.as_deref(), false) {
        Ok(g) => g,
        Err(e) => return e,
    };
    if !g.facts.iter().any(|f| f.binding.is_some()) {
        tell!(
            "warning: guideline `{}` binds none of its facts to a record (`read from ...`): only --case can give them",
            g.meta.id
        );
    }
    let given = match &args.case {
        None => None,
        Some(path) => match read_case(&g, path) {
            Ok(c) => Some(c),
            Err(e) => return e,
        },
    };
    // The case's own date first, as for a case alone; then --as-of; then now.
    let instant = match given.as_ref().and_then(Case::as_of) {
        Some(day) => guidelang::fhir::end_of_day(day),
        None => args.as_of.or_else(now),
    };
    let Some(instant) = instant else {
        tell!("error: the evaluation instant is out of range; nothing was evaluated");
        return Exit::Usage;
    };
    let origin = if bundle.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        bundle.display().to_string()
    };
    let bytes = match read_bundle(bundle, &origin) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let read = guidelang::fhir::read_record(&g, &bytes, instant).and_then(|mut r| match &given {
        Some(c) => r.complete_with(&g, c).map(|()| r),
        None => Ok(r),
    });
    let record = match read {
        Ok(r) => r,
        Err(errors) => return refuse(&errors, &origin, "the record could not be read"),
    };
    report(args, &g, &record.case, Some(&record))
}

/// Prints why a case or record was refused; nothing is evaluated from it.
fn refuse(errors: &[guidelang::facts::CaseError], origin: &str, what: &str) -> Exit {
    let problems: Vec<_> = errors.iter().map(|e| e.to_problem(origin)).collect();
    print_problems(&problems);
    let plural = if errors.len() == 1 { "" } else { "s" };
    tell!(
        "error: {what} ({} problem{plural}); nothing was evaluated",
        errors.len()
    );
    Exit::InvalidCase
}

/// The current instant, to the second (the library has no clock).
fn now() -> Option<Instant> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    Instant::from_seconds(i64::try_from(secs).ok()?)
}

/// Reads and validates a case file (`-` for stdin); problems are printed.
fn read_case(g: &Guideline, path: &Path) -> Result<Case, Exit> {
    let read = if path.as_os_str() == "-" {
        read_stdin(Input::Case).map(|t| ("<stdin>".to_string(), t))
    } else {
        read_input(path, Input::Case).map(|t| (path.display().to_string(), t))
    };
    let (origin, text) = read.map_err(|refused| {
        let exit = Refused::report(refused);
        tell!("error: the case could not be read; nothing was evaluated");
        exit
    })?;
    guidelang::facts::parse_case(g, &text).map_err(|errors| {
        let problems: Vec<_> = errors.iter().map(|e| e.to_problem(&origin)).collect();
        print_problems(&problems);
        tell!(
            "error: the case is invalid ({} problem{}); nothing was evaluated",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" }
        );
        Exit::InvalidCase
    })
}

/// Reads a Bundle's bytes, refusing more than the Bundle limit before
/// loading it (reading stops one byte past it).
fn read_bundle(path: &Path, origin: &str) -> Result<Vec<u8>, Exit> {
    use std::io::Read;
    let limit = guidelang::fhir::MAX_BUNDLE_BYTES as u64;
    let mut bytes = Vec::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin().lock().take(limit + 1).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
    };
    if let Err(e) = read {
        tell!("error: cannot read {origin}: {e}");
        return Err(Exit::Io);
    }
    if bytes.len() as u64 > limit {
        tell!("error: {origin} is more than {limit} bytes; a record (one patient's Bundle) is limited to that; nothing was evaluated");
        return Err(Exit::InvalidCase);
    }
    Ok(bytes)
}
