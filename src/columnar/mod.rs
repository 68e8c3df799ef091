//! Cohorts as Apache Arrow record batches (and so Parquet and Arrow IPC
//! files): facts read straight from typed columns, one result row per valid
//! input row, in a columnar shape a data platform can store and join.
//!
//! A [`CohortEvaluator`] is compiled once per guideline, input schema,
//! [`ColumnMap`] and kept id columns: it checks the input schema once (a
//! column whose Arrow type cannot hold its fact's type is an error naming
//! both; a fact with no column is unknown in every row; other columns are
//! ignored unless kept), then evaluates batch after batch. Each cell is read
//! by its column's Arrow type and checked exactly as a JSON case's value is
//! ([`crate::facts::value_of`]): the same ranges, enum members and dates, the
//! same messages. A row that fails becomes a [`RowError`] with its 1-based
//! row number; the other rows are evaluated; nothing is computed from a row
//! that failed.
//!
//! The result shape ([`CohortEvaluator::output_schema`]), one row per valid
//! case: the kept id columns, `row`, `applicable`, `as_of` (when the guideline
//! reads dates), then per action `<action>` (the verdict, a dictionary of
//! the four verdicts' names with an `Int8` key per row; null when the
//! action is silent, undecided, withheld or in conflict), for an action with
//! a dose `<action>_dose_low`, `<action>_dose_high`, `<action>_dose_unit`,
//! and `<action>_needs` (the facts that would decide it, when undecided or
//! withheld; null otherwise), then `conflicts` and `violations`. The schema's
//! metadata names the guideline's id, version and content hash.
//!
//! ```
//! use std::sync::Arc;
//! use arrow::array::{BooleanArray, Float64Array, RecordBatch};
//! use arrow::datatypes::{DataType, Field, Schema};
//! use guidelang::columnar::{CohortEvaluator, ColumnMap};
//!
//! let g = guidelang::bundled().expect("the bundled guideline checks");
//! let program = guidelang::compile::Program::new(&g);
//! let schema = Arc::new(Schema::new(vec![
//!     Field::new("als", DataType::Boolean, true),
//!     Field::new("wbc", DataType::Float64, true),
//! ]));
//! let batch = RecordBatch::try_new(
//!     schema.clone(),
//!     vec![
//!         Arc::new(BooleanArray::from(vec![Some(true), Some(false)])),
//!         Arc::new(Float64Array::from(vec![Some(150.0), Some(-1.0)])),
//!     ],
//! )
//! .expect("a batch");
//! let mut cohort = CohortEvaluator::new(&g, &program, &schema, &ColumnMap::default(), &[], None)
//!     .expect("the columns suit the facts");
//! let out = cohort.evaluate(&batch, 1).expect("the batch has the compiled schema");
//! assert_eq!(out.results.num_rows(), 1); // row 2 is invalid: wbc below 0
//! assert_eq!(out.errors[0].row, 2);
//! ```

mod cells;
pub mod files;
pub mod jobs;
mod records;
mod results;

pub use records::JsonRows;

use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, UInt32Array};
use arrow::datatypes::{Schema, SchemaRef};

use crate::batch::{ConclusionCounts, Tally};
use crate::compile::Program;
use crate::eval::Evaluator;
use crate::facts::{Case, CaseError, Value, AS_OF_KEY};
use crate::model::{FactId, Guideline};
use cells::Binding;
use results::Results;

/// Rows staged at a time: a stretch of a batch read column by column. A
/// row of the stage is a whole case (some 40 facts of 16 bytes for the
/// bundled guideline), so 1,024 rows keep the stage within a core's L2
/// cache while it is written a column at a time and read a row at a time.
const STAGE_ROWS: usize = 1024;

/// The results' column of each case's row number in the input (1-based).
pub const ROW_COLUMN: &str = "row";

/// Schema metadata key of the guideline's id.
pub const META_GUIDELINE_ID: &str = "guidelang.guideline.id";
/// Schema metadata key of the guideline's version.
pub const META_GUIDELINE_VERSION: &str = "guidelang.guideline.version";
/// Schema metadata key of the guideline's content hash.
pub const META_GUIDELINE_HASH: &str = "guidelang.guideline.hash";

/// Which column holds which fact. A fact not in the map is read from the
/// column named after it, when there is one; `as_of` may be mapped too (the
/// evaluation date of each row).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnMap {
    entries: Vec<(String, String)>,
}

impl ColumnMap {
    /// Reads the fact for `fact` from `column` (a later entry for the same fact wins).
    pub fn insert(&mut self, fact: impl Into<String>, column: impl Into<String>) {
        let fact = fact.into();
        self.entries.retain(|(f, _)| *f != fact);
        self.entries.push((fact, column.into()));
    }

    /// Reads `fact=column`, as `--column` gives it.
    pub fn insert_pair(&mut self, pair: &str) -> Result<(), String> {
        match pair.split_once('=') {
            Some((fact, column)) if !fact.trim().is_empty() && !column.trim().is_empty() => {
                self.insert(fact.trim(), column.trim());
                Ok(())
            }
            _ => Err(format!("`{pair}` is not FACT=COLUMN, e.g. wbc=wbc_10e9_per_l")),
        }
    }

    /// Reads a TOML table of `fact = "column"` lines (a `[columns]` table, or
    /// the top level).
    pub fn from_toml(text: &str) -> Result<ColumnMap, String> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| e.message().to_string())?;
        let table = match table.get("columns") {
            Some(toml::Value::Table(t)) => t.clone(),
            Some(_) => return Err("`columns` must be a table of fact = \"column\"".into()),
            None => table,
        };
        let mut map = ColumnMap::default();
        for (fact, column) in table {
            match column {
                toml::Value::String(c) => map.insert(fact, c),
                other => {
                    return Err(format!(
                        "`{fact}` must name a column in quotes, not a {}",
                        other.type_str()
                    ))
                }
            }
        }
        Ok(map)
    }

    /// The column given for `fact`, if any.
    pub fn column_of(&self, fact: &str) -> Option<&str> {
        self.entries.iter().find(|(f, _)| f == fact).map(|(_, c)| c.as_str())
    }

    /// The entries, `(fact, column)`, in the order given.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(f, c)| (f.as_str(), c.as_str()))
    }
}

/// Why a cohort's columns cannot be read for a guideline: nothing is evaluated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SchemaError {
    /// The column at fault, if one.
    pub column: Option<String>,
    /// The fact concerned, if one.
    pub fact: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub help: String,
}

impl SchemaError {
    fn new(column: Option<&str>, fact: Option<&str>, message: String, help: impl Into<String>) -> Self {
        SchemaError {
            column: column.map(str::to_string),
            fact: fact.map(str::to_string),
            message,
            help: help.into(),
        }
    }
}

/// A row that is not a valid case: reported, not evaluated.
#[derive(Clone, Debug, PartialEq)]
pub struct RowError {
    /// The row's 1-based number in the whole input.
    pub row: u64,
    /// Each problem, as a JSON case with the same values would report it.
    pub problems: Vec<CaseError>,
}

/// One evaluated batch: a result row per valid input row, and the rows that
/// were not valid cases, in input order.
#[derive(Debug)]
pub struct Evaluated {
    /// The result rows ([`CohortEvaluator::output_schema`]).
    pub results: RecordBatch,
    /// The invalid rows.
    pub errors: Vec<RowError>,
}

/// Evaluates record batches of one schema with one guideline (see the
/// module's documentation). Cheap to make; one per thread.
#[derive(Debug)]
pub struct CohortEvaluator<'g> {
    g: &'g Guideline,
    evaluator: Evaluator<'g>,
    input: SchemaRef,
    bindings: Vec<Binding>,
    as_of: Option<Binding>,
    default_as_of: Option<f64>,
    kept: Vec<usize>,
    results: Results,
    case: Case,
    /// The facts of the batch being read, row by row (reused).
    stage: Vec<Option<Value>>,
    needs: Vec<FactId>,
    tally: Tally,
    /// The current batch's counts, added to `tally` when it is done.
    counts: ConclusionCounts,
}

impl<'g> CohortEvaluator<'g> {
    /// Compiles the reading of batches of `input` for `g` (whose compiled
    /// form is `program`): facts from the columns `map` gives or named after
    /// them, `keep` copied through to the results, `default_as_of` (a day
    /// number) the evaluation date of a row with no `as_of` of its own (none:
    /// `today` is unknown). Every problem with the schema is returned.
    pub fn new(
        g: &'g Guideline,
        program: &'g Program,
        input: &SchemaRef,
        map: &ColumnMap,
        keep: &[String],
        default_as_of: Option<f64>,
    ) -> Result<CohortEvaluator<'g>, Vec<SchemaError>> {
        let mut errors = Vec::new();
        for (fact, column) in map.entries() {
            if fact != AS_OF_KEY && g.fact_id(fact).is_none() {
                let help = match crate::diagnostics::did_you_mean(fact, g.facts.iter().map(|f| f.name.as_str())) {
                    Some(d) => format!("did you mean `{d}`?"),
                    None => "map only the guideline's facts (and as_of)".into(),
                };
                errors.push(SchemaError::new(
                    Some(column),
                    Some(fact),
                    format!("the column map names `{fact}`, which is not a fact of {}", g.meta.id),
                    help,
                ));
            } else if input.index_of(column).is_err() {
                errors.push(SchemaError::new(
                    Some(column),
                    Some(fact),
                    format!("the column map reads `{fact}` from column `{column}`, which the cohort does not have"),
                    format!("the cohort's columns: {}", column_list(input)),
                ));
            }
        }
        let column_for = |name: &str| -> Option<usize> {
            let column = map.column_of(name).unwrap_or(name);
            input.index_of(column).ok()
        };
        let mut bindings = Vec::new();
        for id in g.fact_ids() {
            let fact = g.fact(id);
            let Some(index) = column_for(&fact.name) else { continue };
            match Binding::new(id, &fact.kind, index, input.field(index).data_type()) {
                Ok(b) => bindings.push(b),
                Err(accepts) => errors.push(SchemaError::new(
                    Some(input.field(index).name()),
                    Some(&fact.name),
                    format!(
                        "column `{}` is {}, which cannot hold `{}`: it must be {}",
                        input.field(index).name(),
                        input.field(index).data_type(),
                        fact.name,
                        fact.kind.expected()
                    ),
                    format!("give a column of {accepts}"),
                )),
            }
        }
        let as_of =
            column_for(AS_OF_KEY).and_then(|index| match Binding::as_of(index, input.field(index).data_type()) {
                Ok(b) => Some(b),
                Err(accepts) => {
                    errors.push(SchemaError::new(
                        Some(input.field(index).name()),
                        Some(AS_OF_KEY),
                        format!(
                            "column `{}` is {}, which cannot hold the evaluation date `{AS_OF_KEY}`",
                            input.field(index).name(),
                            input.field(index).data_type()
                        ),
                        format!("give a column of {accepts}"),
                    ));
                    None
                }
            });
        let mut kept = Vec::new();
        for name in keep {
            match input.index_of(name) {
                Ok(i) if !kept.contains(&i) => kept.push(i),
                Ok(_) => {}
                Err(_) => errors.push(SchemaError::new(
                    Some(name),
                    None,
                    format!("the column `{name}` to keep is not in the cohort"),
                    format!("the cohort's columns: {}", column_list(input)),
                )),
            }
        }
        let kept_fields: Vec<_> = kept.iter().map(|&i| input.fields()[i].clone()).collect();
        let results = match Results::new(g, &kept_fields) {
            Ok(r) => Some(r),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        match results {
            Some(results) if errors.is_empty() => Ok(CohortEvaluator {
                g,
                evaluator: Evaluator::new(program),
                input: Arc::clone(input),
                bindings,
                as_of,
                default_as_of,
                kept,
                results,
                case: Case::empty(g),
                stage: Vec::new(),
                needs: Vec::new(),
                tally: Tally::new(g.actions.len()),
                counts: ConclusionCounts::new(g.actions.len()),
            }),
            _ => Err(errors),
        }
    }

    /// The shape of the results: see the module's documentation.
    pub fn output_schema(&self) -> SchemaRef {
        self.results.schema()
    }

    /// The facts read from columns, with each one's column, in column order.
    pub fn facts_read(&self) -> impl Iterator<Item = (FactId, &str)> + '_ {
        self.bindings
            .iter()
            .map(|b| (b.fact, self.input.field(b.column).name().as_str()))
    }

    /// The counts over every batch evaluated so far (as a cohort's summary gives them).
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// The counts since the last call (or since it was made), and a fresh
    /// start: each batch's own counts, to merge in input order.
    pub fn take_tally(&mut self) -> Tally {
        std::mem::replace(&mut self.tally, Tally::new(self.g.actions.len()))
    }

    /// Turns the compiled reading into a source of NDJSON cases, one per row
    /// of `reader` (whose schema this was compiled for), for the batch
    /// pipeline's own records ([`crate::batch::run`]): each row becomes the
    /// JSON case its cells make, so that its record (or error line) is the
    /// one an NDJSON cohort with the same values gets.
    pub fn into_json_rows(self, reader: files::CohortReader) -> JsonRows {
        let g = self.g;
        let facts = self
            .bindings
            .into_iter()
            .map(|b| (g.fact(b.fact).name.clone(), b))
            .collect();
        JsonRows::new(reader, facts, self.as_of)
    }

    /// Evaluates every row of `batch`, whose first row is row `first_row`
    /// (1-based) of the whole input. Fails only when the batch's schema is
    /// not the one compiled for.
    pub fn evaluate(&mut self, batch: &RecordBatch, first_row: u64) -> Result<Evaluated, SchemaError> {
        if batch.schema_ref().fields() != self.input.fields() {
            return Err(SchemaError::new(
                None,
                None,
                "a record batch's columns differ from the cohort's first batch".into(),
                "give every batch the same schema",
            ));
        }
        let unreadable = |e: arrow::error::ArrowError| {
            SchemaError::new(
                None,
                None,
                format!("cannot read a column: {e}"),
                "check the cohort file",
            )
        };
        let columns = self
            .bindings
            .iter()
            .map(|b| b.cells(batch))
            .collect::<Result<Vec<_>, _>>()
            .map_err(unreadable)?;
        let as_of = self
            .as_of
            .as_ref()
            .map(|b| b.cells(batch))
            .transpose()
            .map_err(unreadable)?;
        let g = self.g;
        let n = batch.num_rows();
        // The facts are read a column at a time into a row-major stage (the
        // checks of a column's type chosen once, not per cell) laid out as
        // whole cases, a fact per place and the facts without a column
        // unknown; then each row's case is copied from its stretch of the
        // stage. A stretch is at most STAGE_ROWS rows, so that a large batch
        // (a table handed over whole) does not need a stage as large.
        let width = g.facts.len();
        let mut errors = Vec::new();
        let mut valid: Vec<u32> = Vec::with_capacity(n);
        self.results.clear();
        let mut start = 0;
        while start < n {
            let end = n.min(start + STAGE_ROWS);
            let stage = &mut self.stage;
            stage.clear();
            stage.resize((end - start) * width, None);
            let mut refused: Vec<(usize, usize, CaseError)> = Vec::new();
            for (j, (cells, binding)) in columns.iter().zip(&self.bindings).enumerate() {
                let fact = binding.fact.index();
                cells.read_column(g, start..end, stage, (width, fact), |i, e| refused.push((i, j, e)));
            }
            // A row's problems in the order of its columns, as a row read alone gives them.
            refused.sort_by_key(|&(i, j, _)| (i, j));
            let mut refused = refused.into_iter().peekable();
            for i in start..end {
                let row = first_row + i as u64;
                let mut problems = Vec::new();
                while let Some((_, _, e)) = refused.next_if(|(r, _, _)| *r == i) {
                    problems.push(e);
                }
                let k = i - start;
                match self.stage.get(k * width..(k + 1) * width) {
                    Some(values) => self.case.refill(values),
                    // Never: the stage holds every row of the stretch. Were
                    // it short, no fact of another row may be kept.
                    None => self.case.reset(g),
                }
                let day = match &as_of {
                    Some(cells) => match cells.day_as_of(g, i) {
                        Ok(day) => day,
                        Err(e) => {
                            problems.push(e);
                            None
                        }
                    },
                    None => None,
                };
                // The order of a JSON case's checks: values, then dates after the
                // case's own evaluation date, then (a valid case only) the default date.
                if let Some(day) = day {
                    if let Err(e) = self.case.set_as_of(g, day) {
                        problems.extend(e);
                    }
                }
                if problems.is_empty() {
                    if let Some(day) = self.default_as_of {
                        if let Err(e) = self.case.default_as_of(g, day) {
                            problems.extend(e);
                        }
                    }
                }
                if !problems.is_empty() {
                    self.tally.add_error(row);
                    errors.push(RowError { row, problems });
                    continue;
                }
                valid.push(i as u32);
                self.evaluator.run(&self.case);
                self.results
                    .push(row, &mut self.evaluator, &self.case, &mut self.needs, &mut self.counts);
            }
            start = end;
        }
        self.tally.add_counts(&mut self.counts);
        let take = UInt32Array::from(valid);
        let mut kept: Vec<ArrayRef> = Vec::with_capacity(self.kept.len());
        for &c in &self.kept {
            let column = arrow::compute::take(batch.column(c), &take, None).map_err(|e| {
                SchemaError::new(
                    Some(self.input.field(c).name()),
                    None,
                    format!("cannot copy the kept column `{}`: {e}", self.input.field(c).name()),
                    "keep columns of a plain type (numbers, text, dates)",
                )
            })?;
            kept.push(column);
        }
        let results = self.results.finish(kept).map_err(|e| {
            SchemaError::new(
                None,
                None,
                format!("cannot assemble the results: {e}"),
                "report this as a bug in guidelang",
            )
        })?;
        Ok(Evaluated { results, errors })
    }
}

/// The output shape for `g` with the kept id columns `kept` (in this order).
pub fn output_schema(g: &Guideline, kept: &[arrow::datatypes::FieldRef]) -> Result<SchemaRef, SchemaError> {
    Results::new(g, kept).map(|r| r.schema())
}

/// "`a`, `b`, `c`" (the first 20).
fn column_list(schema: &Schema) -> String {
    let names: Vec<String> = schema
        .fields()
        .iter()
        .take(20)
        .map(|f| format!("`{}`", f.name()))
        .collect();
    let more = schema.fields().len().saturating_sub(20);
    if more > 0 {
        format!("{} and {more} more", names.join(", "))
    } else if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}
