//! `Guideline.evaluate_arrow`: a pyarrow Table or RecordBatch (anything that
//! exports the Arrow C stream interface) evaluated by the library's
//! [`guidelang::columnar::CohortEvaluator`], batch by batch, reading the
//! columns in place (the Arrow C data interface: no copy, no row-by-row
//! Python), the results handed back as a `pyarrow.Table` in the columnar
//! result shape (`docs/scale.md`).

use arrow::array::{RecordBatch, RecordBatchReader};
use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use arrow::ffi_stream::RecordBatchStreamReader;
use arrow::pyarrow::{FromPyArrow, IntoPyArrow, Table};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use guidelang::columnar::{CohortEvaluator, ColumnMap, RowError, SchemaError};
use guidelang::compile::Program;
use guidelang::model::Guideline as Model;

use crate::objects::CaseProblem;
use crate::{attach, plural, CaseError};

/// What `evaluate_arrow` was asked, past the data.
pub struct Request {
    /// Fact → column, for columns not named after their fact.
    pub columns: ColumnMap,
    /// Columns copied through to the results (ids).
    pub keep: Vec<String>,
    /// The evaluation date of a row without its own `as_of`.
    pub as_of: f64,
    /// The 1-based number of the data's first row in the whole input.
    pub first_row: u64,
}

/// Reads `{fact: column}`.
pub fn column_map(columns: Option<&Bound<'_, PyDict>>) -> PyResult<ColumnMap> {
    let mut map = ColumnMap::default();
    if let Some(columns) = columns {
        for (fact, column) in columns.iter() {
            map.insert(fact.extract::<String>()?, column.extract::<String>()?);
        }
    }
    Ok(map)
}

/// Evaluates every row of `data`; see `Guideline.evaluate_arrow`.
pub fn evaluate<'py>(
    py: Python<'py>,
    g: &Model,
    program: &Program,
    data: &Bound<'py, PyAny>,
    request: &Request,
) -> PyResult<Bound<'py, PyAny>> {
    // A table or reader exports a stream; a lone RecordBatch may export only
    // an array (older pyarrow).
    let (input, reader): (SchemaRef, Box<dyn Iterator<Item = Result<RecordBatch, ArrowError>>>) =
        if data.hasattr("__arrow_c_stream__")? {
            let reader = RecordBatchStreamReader::from_pyarrow_bound(data)?;
            (reader.schema(), Box::new(reader))
        } else {
            let batch = RecordBatch::from_pyarrow_bound(data)?;
            (batch.schema(), Box::new(std::iter::once(Ok(batch))))
        };
    let mut cohort = CohortEvaluator::new(g, program, &input, &request.columns, &request.keep, Some(request.as_of))
        .map_err(|errors| schema_error(py, &errors))?;
    let schema = cohort.output_schema();
    let mut results = Vec::new();
    let mut invalid: Vec<RowError> = Vec::new();
    let mut next_row = request.first_row;
    // Each batch is read from the stream with the interpreter held (a
    // Python-backed reader may need it), then evaluated without it.
    for batch in reader {
        let batch = batch.map_err(|e| PyValueError::new_err(format!("cannot read the table: {e}")))?;
        let first = next_row;
        next_row += batch.num_rows() as u64;
        let evaluated = py
            .detach(|| cohort.evaluate(&batch, first))
            .map_err(|e| schema_error(py, &[e]))?;
        results.push(evaluated.results);
        invalid.extend(evaluated.errors);
    }
    let table = Table::try_new(results, schema)
        .map_err(|e| PyValueError::new_err(format!("cannot assemble the results: {e}")))?
        .into_pyarrow(py)?;
    if invalid.is_empty() {
        Ok(table)
    } else {
        Err(rows_error(py, &invalid, table))
    }
}

/// A `CaseError` for a table whose columns cannot be read for the guideline.
fn schema_error(py: Python<'_>, errors: &[SchemaError]) -> PyErr {
    let mut text: Vec<String> = errors
        .iter()
        .map(|e| format!("{}\n  help: {}", e.message, e.help))
        .collect();
    text.push(format!(
        "the table's columns do not suit the guideline ({}); nothing was evaluated",
        plural(errors.len(), "problem")
    ));
    let err = CaseError::new_err(text.join("\n"));
    let problems = errors
        .iter()
        .map(|e| CaseProblem {
            key: e.fact.clone(),
            message: e.message.clone(),
            help: e.help.clone(),
            row: None,
        })
        .collect();
    if let Err(e) = attach(py, &err, "problems", problems) {
        return e;
    }
    err
}

/// A `CaseError` for rows that are not valid cases, carrying the results of
/// the valid rows as `results`: nothing is computed from an invalid row, and
/// nothing computed is lost.
fn rows_error(py: Python<'_>, invalid: &[RowError], results: Bound<'_, PyAny>) -> PyErr {
    let mut text = Vec::new();
    let mut problems = Vec::new();
    for row in invalid {
        for p in &row.problems {
            text.push(p.to_problem(&format!("row {}", row.row)).render_plain());
            let mut problem = CaseProblem::from_case_error(p);
            problem.row = Some(row.row);
            problems.push(problem);
        }
    }
    text.push(format!(
        "{} not valid cases and were not evaluated; the other rows' results are in `.results`",
        if invalid.len() == 1 {
            "1 row is".to_string()
        } else {
            format!("{} rows are", invalid.len())
        }
    ));
    let err = CaseError::new_err(text.join("\n"));
    if let Err(e) = attach(py, &err, "problems", problems) {
        return e;
    }
    if let Err(e) = err.value(py).setattr("results", results) {
        return e;
    }
    err
}
