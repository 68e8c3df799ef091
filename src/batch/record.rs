//! One input record in, one output line out: validate the case (the same
//! checks and messages as a single `eval`), evaluate it, count it, render it.
//! A record that fails validation becomes an error line carrying its input
//! line number; it never stops the batch.

use std::io::Write;
use std::sync::Arc;

use super::input::{Chunk, Payload, RawRecord};
use super::summary::Tally;
use crate::compile::Program;
use crate::eval::{Conclusion, Evaluator, Truth};
use crate::facts::{value_of, Case, CaseError, CaseReader};
use crate::model::{FactId, FactKind, Guideline};
use crate::report::{write_contract, ContractExtras, ContractText, Layout};

/// What each output line holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RecordFormat {
    /// The brief record: applicability, verdict per decided action, needs per
    /// undecided action, conflicts, violated invariants.
    #[default]
    Brief,
    /// The full JSON output contract of `eval --format json`, compact, plus `line`.
    Contract,
}

/// Everything a worker needs to turn records into output.
#[derive(Clone, Copy, Debug)]
pub struct Work<'g> {
    /// The guideline, for names in the output.
    pub guideline: &'g Guideline,
    /// Its compiled form.
    pub program: &'g Program,
    /// Output record format.
    pub format: RecordFormat,
    /// Count only: write no records (for the cohort table).
    pub summary: bool,
    /// For CSV input: the fact of each column.
    pub columns: Option<&'g [FactId]>,
    /// The evaluation date of every record that does not give its own
    /// (`as_of`), as a day number; `None` leaves `today` unknown.
    pub as_of: Option<f64>,
}

/// A processed chunk: its output lines and its counts.
#[derive(Debug)]
pub struct Done {
    /// The chunk's output, one line per record.
    pub out: Vec<u8>,
    /// Its counts.
    pub tally: Tally,
}

/// A worker's buffers, kept from record to record and chunk to chunk so
/// that, once they have grown, reading and judging a record allocates nothing.
#[derive(Debug)]
pub struct Scratch<'g> {
    reader: CaseReader<'g>,
    case: Case,
    needs: Vec<FactId>,
    /// The guideline's text escaped for JSON, shared by every worker.
    text: Arc<ContractText>,
}

impl<'g> Scratch<'g> {
    /// Buffers for records of `g`.
    pub fn new(g: &'g Guideline) -> Self {
        Self::with_text(g, Arc::new(ContractText::new(g)))
    }

    /// Buffers for records of `g`, sharing `text` (which must be `g`'s), so
    /// that a batch escapes the guideline's text once for all its workers.
    pub fn with_text(g: &'g Guideline, text: Arc<ContractText>) -> Self {
        Scratch {
            reader: CaseReader::new(g),
            case: Case::empty(g),
            needs: Vec::new(),
            text,
        }
    }
}

impl Done {
    /// Empty output and counts for a guideline with `actions` actions.
    pub fn new(actions: usize) -> Self {
        Done {
            out: Vec::new(),
            tally: Tally::new(actions),
        }
    }
}

/// Processes a chunk of records in order into `done`, replacing what it held
/// (its buffers are reused: a batch recycles them chunk after chunk).
pub fn process(work: &Work, evaluator: &mut Evaluator, scratch: &mut Scratch, chunk: &Chunk, done: &mut Done) {
    done.out.clear();
    if !work.summary {
        done.out.reserve(chunk.len() * 256);
    }
    done.tally.clear();
    for record in chunk {
        process_one(work, evaluator, scratch, record, done);
    }
}

fn process_one(work: &Work, evaluator: &mut Evaluator, scratch: &mut Scratch, record: &RawRecord, done: &mut Done) {
    let g = work.guideline;
    let Scratch {
        reader,
        case,
        needs,
        text,
    } = scratch;
    // A patient record read from a Bundle line, kept for its provenance.
    let mut patient_record = None;
    let read = match &record.payload {
        // Read into the worker's case, whose buffer is reused.
        Payload::Json(text) => reader.read_into(text, case),
        Payload::Cells(cells) => case_from_cells(g, work.columns.unwrap_or_default(), cells).map(|c| *case = c),
        Payload::Broken(e) => Err(vec![e.clone()]),
        Payload::Bundle(bytes) => read_bundle(g, bytes, work.as_of).map(|r| {
            *case = r.case.clone();
            patient_record = Some(r);
        }),
    };
    let read = read.and_then(|()| match work.as_of {
        Some(day) => case.default_as_of(g, day),
        None => Ok(()),
    });
    let case: &Case = case;
    match read {
        Ok(()) => {}
        Err(errors) => {
            done.tally.add_error(record.line);
            if !work.summary {
                write_error(&mut done.out, record.line, &errors);
            }
            return;
        }
    }
    done.tally.add(&evaluator.run(case));
    if work.summary {
        return;
    }
    match work.format {
        RecordFormat::Brief => write_brief(&mut done.out, g, text, record.line, evaluator, case, needs),
        RecordFormat::Contract => {
            let evaluation = evaluator.evaluation(case);
            // `line` first, so that a reader sees at once which input it answers.
            let extras = ContractExtras {
                line: Some(record.line),
                record: patient_record.as_ref(),
                explanation: None,
            };
            write_contract(&mut done.out, text, g, &evaluation, Layout::Compact, extras);
            done.out.push(b'\n');
        }
    }
}

/// A Bundle line read at the end of the batch's evaluation day (UTC).
fn read_bundle(g: &Guideline, bytes: &[u8], as_of: Option<f64>) -> Result<crate::fhir::Record, Vec<CaseError>> {
    let Some(instant) = as_of.and_then(crate::fhir::end_of_day) else {
        return Err(vec![CaseError {
            key: None,
            message: "a record is read as of an evaluation date, and none was given".into(),
            help: "give --as-of DATE".into(),
        }]);
    };
    crate::fhir::read_record(g, bytes, instant)
}

/// `{"line":N,"errors":[{"key":..,"message":..,"help":..}]}`.
pub fn write_error(out: &mut Vec<u8>, line: u64, errors: &[CaseError]) {
    #[derive(serde::Serialize)]
    struct Problem<'a> {
        key: Option<&'a str>,
        message: &'a str,
        help: &'a str,
    }
    #[derive(serde::Serialize)]
    struct ErrorRecord<'a> {
        line: u64,
        errors: Vec<Problem<'a>>,
    }
    let record = ErrorRecord {
        line,
        errors: errors
            .iter()
            .map(|e| Problem {
                key: e.key.as_deref(),
                message: &e.message,
                help: &e.help,
            })
            .collect(),
    };
    let _ = serde_json::to_writer(&mut *out, &record);
    out.push(b'\n');
}

fn push_str(out: &mut Vec<u8>, s: &str) {
    let _ = serde_json::to_writer(&mut *out, s);
}

/// A string whose content the guideline's text table holds escaped already.
fn push_escaped(out: &mut Vec<u8>, content: &str) {
    out.push(b'"');
    out.extend_from_slice(content.as_bytes());
    out.push(b'"');
}

/// The brief record, written straight from the evaluator's buffers: it is
/// what most cohorts are run for, so it skips building the full result and a
/// JSON tree. Actions appear in the guideline's order.
fn write_brief(
    out: &mut Vec<u8>,
    g: &Guideline,
    text: &ContractText,
    line: u64,
    evaluator: &Evaluator,
    case: &Case,
    needs: &mut Vec<FactId>,
) {
    let brief = evaluator.brief();
    let applicable = match brief.scope() {
        Truth::True => "true",
        Truth::False => "false",
        Truth::Unknown => "null",
    };
    let _ = write!(out, "{{\"line\":{line},\"applicable\":{applicable},");
    // A guideline with dates decides as of a day, which may differ record by
    // record (a case's own `as_of`): each record names it. Other guidelines'
    // records keep their bytes.
    if g.reads_dates() {
        out.extend_from_slice(b"\"as_of\":");
        match case.as_of() {
            Some(day) => push_str(out, &crate::time::format_day(day)),
            None => out.extend_from_slice(b"null"),
        }
        out.push(b',');
    }
    out.extend_from_slice(b"\"decisions\":{");
    let mut first = true;
    for (a, kind) in brief.outcomes() {
        if let Conclusion::Decided(v) = kind {
            if !std::mem::take(&mut first) {
                out.push(b',');
            }
            push_escaped(out, text.action_name(a));
            out.push(b':');
            push_escaped(out, v.as_str());
        }
    }
    out.extend_from_slice(b"},\"undecided\":{");
    let mut first = true;
    for (a, kind) in brief.outcomes() {
        if !matches!(kind, Conclusion::Undecided | Conclusion::Withheld(_)) {
            continue;
        }
        if !std::mem::take(&mut first) {
            out.push(b',');
        }
        push_escaped(out, text.action_name(a));
        out.extend_from_slice(b":[");
        evaluator.needs_into(case, a, needs);
        for (i, f) in needs.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_escaped(out, text.fact(*f));
        }
        out.push(b']');
    }
    out.extend_from_slice(b"},\"conflicts\":[");
    let mut first = true;
    for (a, kind) in brief.outcomes() {
        if kind == Conclusion::Conflict {
            if !std::mem::take(&mut first) {
                out.push(b',');
            }
            push_escaped(out, text.action_name(a));
        }
    }
    out.extend_from_slice(b"],\"violations\":[");
    for (i, v) in brief.violations().iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_escaped(out, text.invariant(v.invariant));
    }
    out.extend_from_slice(b"]}\n");
}

/// A CSV row as a case: an empty cell is unknown; other cells are read by
/// their fact's type and then checked exactly as a JSON case is.
pub fn case_from_cells(g: &Guideline, columns: &[FactId], cells: &csv::ByteRecord) -> Result<Case, Vec<CaseError>> {
    if cells.len() != columns.len() {
        return Err(vec![CaseError {
            key: None,
            message: format!("the row has {} cells; the header has {}", cells.len(), columns.len()),
            help: "give every row one cell per header column; leave a cell empty when the fact is unknown".into(),
        }]);
    }
    let mut case = Case::empty(g);
    let mut errors = Vec::new();
    for (cell, &id) in cells.iter().zip(columns) {
        if cell.is_empty() {
            continue;
        }
        match cell_value(g, id, cell).and_then(|json| value_of(g, id, &json)) {
            Ok(v) => case.set(id, v),
            Err(mut e) => {
                // The JSON wording of "unknown" means nothing in a CSV.
                if e.help.starts_with("leave the fact out") {
                    e.help = "leave the cell empty when the fact is unknown".into();
                }
                errors.push(e);
            }
        }
    }
    if errors.is_empty() {
        Ok(case)
    } else {
        Err(errors)
    }
}

/// Reads a cell as the JSON value a case would give for the fact.
fn cell_value(g: &Guideline, id: FactId, cell: &[u8]) -> Result<serde_json::Value, CaseError> {
    let fact = g.fact(id);
    let name = &fact.name;
    let Ok(text) = std::str::from_utf8(cell) else {
        return Err(CaseError {
            key: Some(name.clone()),
            message: format!("the cell for `{name}` is not UTF-8 text"),
            help: "save the cohort as UTF-8".into(),
        });
    };
    let wrong = |help: &str| CaseError {
        key: Some(name.clone()),
        message: format!(
            "`{name}` must be {}, but the cell holds \"{}\"",
            fact.kind.expected(),
            text.chars().take(40).collect::<String>()
        ),
        help: help.into(),
    };
    match &fact.kind {
        FactKind::Bool if text.eq_ignore_ascii_case("true") => Ok(serde_json::Value::Bool(true)),
        FactKind::Bool if text.eq_ignore_ascii_case("false") => Ok(serde_json::Value::Bool(false)),
        FactKind::Bool => Err(wrong("write true or false, or leave the cell empty when it is unknown")),
        // An integer stays an integer, so that value_of refuses one a double
        // would round exactly as it does for JSON; `str::parse::<f64>` reads
        // a decimal as the nearest double.
        FactKind::Integer { .. } | FactKind::Number { .. } => text
            .parse::<u64>()
            .map(serde_json::Number::from)
            .or_else(|_| text.parse::<i64>().map(serde_json::Number::from))
            .ok()
            .or_else(|| text.parse::<f64>().ok().and_then(serde_json::Number::from_f64))
            .map(serde_json::Value::Number)
            .ok_or_else(|| {
                wrong("write a plain number such as 12.5 (a point for decimals), or leave the cell empty when it is unknown")
            }),
        FactKind::Enum { .. } | FactKind::Date => Ok(serde_json::Value::String(text.to_string())),
    }
}
