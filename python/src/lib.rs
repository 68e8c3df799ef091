//! guidelang as a Python extension module (`guidelang._guidelang`, re-exported
//! by the `guidelang` package): a checked [`Guideline`] compiled once, whose
//! methods evaluate a case (a dict) or a whole Arrow table, check and lint.
//!
//! A thin layer over the library: every decision, message and report comes
//! from it unchanged, so Python sees what `guidelang eval --format json`
//! prints. Errors are Python exceptions carrying the diagnostics as objects;
//! nothing here panics on user input.

mod arrow;
mod convert;
mod objects;

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use guidelang::compile::Program;
use guidelang::diagnostics::{Problem, Source};
use guidelang::model::Guideline as Model;

use objects::{Action, CaseProblem, Diagnostic, Fact, Finding};

create_exception!(
    guidelang,
    GuidelangError,
    PyException,
    "The base of guidelang's own errors."
);
create_exception!(
    guidelang,
    GuidelineError,
    GuidelangError,
    "A guideline that does not check: `diagnostics` holds every problem (Diagnostic objects), str() shows them as the command line does."
);
create_exception!(
    guidelang,
    CaseError,
    GuidelangError,
    "A case (or table rows) that failed validation; nothing was evaluated from it: `problems` holds each (CaseProblem objects)."
);

/// The command line's closing line after a list of problems.
fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// A `GuidelineError` for problems found loading a guideline.
fn guideline_error(py: Python<'_>, problems: &[Problem]) -> PyErr {
    let errors = problems.iter().filter(|p| p.is_error()).count();
    let mut text: Vec<String> = problems.iter().map(Problem::render_plain).collect();
    text.push(format!("the guideline has {}", plural(errors, "error")));
    let err = GuidelineError::new_err(text.join("\n"));
    let diagnostics: Vec<Diagnostic> = problems.iter().map(Diagnostic::from_problem).collect();
    if let Err(e) = attach(py, &err, "diagnostics", diagnostics) {
        return e;
    }
    err
}

/// A `CaseError` for a case the reader refused; `origin` names it as the
/// command line names a case file.
fn case_error(py: Python<'_>, errors: &[guidelang::facts::CaseError], origin: &str) -> PyErr {
    let mut text: Vec<String> = errors.iter().map(|e| e.to_problem(origin).render_plain()).collect();
    text.push(format!(
        "the case is invalid ({}); nothing was evaluated",
        plural(errors.len(), "problem")
    ));
    let err = CaseError::new_err(text.join("\n"));
    let problems: Vec<CaseProblem> = errors.iter().map(CaseProblem::from_case_error).collect();
    if let Err(e) = attach(py, &err, "problems", problems) {
        return e;
    }
    err
}

/// Sets `name` on the exception's value to a list of `items`.
fn attach<T: pyo3::PyClass + Into<pyo3::PyClassInitializer<T>>>(
    py: Python<'_>,
    err: &PyErr,
    name: &str,
    items: Vec<T>,
) -> PyResult<()> {
    let list = PyList::empty(py);
    for item in items {
        list.append(Bound::new(py, item)?)?;
    }
    err.value(py).setattr(name, list)
}

/// A guideline, parsed, checked and compiled once; evaluate cases with it.
///
/// Create one with `Guideline.load(path)` or `Guideline.from_str(text, name=...)`.
#[pyclass(frozen, module = "guidelang")]
pub struct Guideline {
    model: Model,
    program: Program,
}

impl Guideline {
    fn new(py: Python<'_>, name: &str, text: &str) -> PyResult<Guideline> {
        let source = Source::new(name, text);
        let model = guidelang::load(&source).map_err(|problems| guideline_error(py, &problems))?;
        let program = Program::new(&model);
        Ok(Guideline { model, program })
    }
}

#[pymethods]
impl Guideline {
    /// Reads, checks and compiles the guideline file at `path`.
    ///
    /// Raises `GuidelineError` (with `.diagnostics`) when it does not check,
    /// `OSError` when it cannot be read.
    #[staticmethod]
    fn load(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Guideline> {
        let name = path.display().to_string();
        let bytes = std::fs::read(&path).map_err(|e| PyOSError::new_err(format!("cannot read {name}: {e}")))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| PyValueError::new_err(format!("cannot read {name}: it is not UTF-8 text")))?;
        Guideline::new(py, &name, &text)
    }

    /// Checks and compiles a guideline given as text; `name` is what
    /// diagnostics call the file.
    ///
    /// Raises `GuidelineError` (with `.diagnostics`) when it does not check.
    #[staticmethod]
    #[pyo3(signature = (text, name = "<string>"))]
    fn from_str(py: Python<'_>, text: &str, name: &str) -> PyResult<Guideline> {
        Guideline::new(py, name, text)
    }

    /// The guideline's id.
    #[getter]
    fn id(&self) -> String {
        self.model.meta.id.clone()
    }

    /// The guideline's version (semver text).
    #[getter]
    fn version(&self) -> String {
        self.model.meta.version.to_string()
    }

    /// The guideline's title.
    #[getter]
    fn title(&self) -> String {
        self.model.meta.title.clone()
    }

    /// `sha256:<hex>` of the guideline file's bytes, as every report names it.
    #[getter]
    fn content_hash(&self) -> String {
        self.model.hash.clone()
    }

    /// The declared facts, in file order.
    #[getter]
    fn facts(&self) -> Vec<Fact> {
        self.model.facts.iter().map(Fact::from_model).collect()
    }

    /// The actions the guideline decides, in declaration order.
    #[getter]
    fn actions(&self) -> Vec<Action> {
        self.model.actions.iter().map(Action::from_model).collect()
    }

    /// The checker's warnings (the guideline checks: it has no errors).
    fn check(&self) -> Vec<Diagnostic> {
        self.model.warnings.iter().map(Diagnostic::from_problem).collect()
    }

    /// Lints the guideline (clashes, unreachable rules, invariants...):
    /// the findings, each with its witness case when it has one. With
    /// `all_findings`, every finding is listed, not only the first of each kind.
    #[pyo3(signature = (all_findings = false))]
    fn lint(&self, py: Python<'_>, all_findings: bool) -> Vec<Finding> {
        // The solver's work is bounded by the options' budget; other Python
        // threads run meanwhile. (The budget is made inside: it is not `Send`.)
        let report = py.detach(|| {
            let mut options = guidelang::analysis::LintOptions::default();
            if all_findings {
                options.per_kind = None;
            }
            guidelang::analysis::lint_with(&self.model, options)
        });
        report
            .findings
            .iter()
            .map(|f| Finding::from_lint(f, &self.model.source))
            .collect()
    }

    /// Evaluates one case, a dict of facts (`{"als": True, "wbc": 150}`), and
    /// returns the report of `guidelang eval --format json` as Python objects.
    ///
    /// `as_of` (`"YYYY-MM-DD"` or a `datetime.date`) is the evaluation date
    /// (`today` in the guideline); a case's own `"as_of"` wins; default:
    /// today (UTC), as on the command line. Raises `CaseError` (with
    /// `.problems`) for an invalid case, with the command line's messages.
    #[pyo3(signature = (case, as_of = None))]
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        case: &Bound<'py, PyAny>,
        as_of: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let day = evaluation_day(as_of)?;
        let mut text = String::new();
        convert::write_json(case, &mut text, 0)?;
        let g = &self.model;
        let case = guidelang::facts::parse_case(g, &text)
            .and_then(|mut c| c.default_as_of(g, day).map(|()| c))
            .map_err(|errors| case_error(py, &errors, "case"))?;
        let evaluation = self.program.evaluate(&case);
        convert::to_python(py, &guidelang::report::evaluation_json(g, &evaluation))
    }

    /// Evaluates every row of a `pyarrow.Table` or `RecordBatch` (or any
    /// object exporting the Arrow C stream) whose columns are named after
    /// the facts, in Rust, batch by batch; returns a `pyarrow.Table`, one
    /// row per case: the `keep` columns, `row` (1-based, from `first_row`),
    /// `applicable`, per action its verdict, dose and the facts it needs,
    /// `conflicts` and `violations` (the shape of `guidelang eval --cases
    /// T.parquet -o R.parquet`). The schema's metadata names the
    /// guideline's id, version and content hash.
    ///
    /// `columns` maps a fact to a column of another name; a fact without a
    /// column is unknown in every row. `as_of` as for `evaluate` (a row's
    /// own `as_of` column wins). Raises `CaseError` when a column cannot hold
    /// its fact (nothing evaluated), or when rows are invalid: its
    /// `.problems` name each row, and its `.results` hold the other rows'
    /// results.
    #[pyo3(signature = (data, *, columns = None, keep = Vec::new(), as_of = None, first_row = 1))]
    fn evaluate_arrow<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        columns: Option<&Bound<'py, PyDict>>,
        keep: Vec<String>,
        as_of: Option<&Bound<'py, PyAny>>,
        first_row: u64,
    ) -> PyResult<Bound<'py, PyAny>> {
        if first_row == 0 {
            return Err(PyValueError::new_err("first_row: rows are numbered from 1"));
        }
        let request = arrow::Request {
            columns: arrow::column_map(columns)?,
            keep,
            as_of: evaluation_day(as_of)?,
            first_row,
        };
        arrow::evaluate(py, &self.model, &self.program, data, &request)
    }

    fn __repr__(&self) -> String {
        format!(
            "<Guideline {} {} ({})>",
            self.model.meta.id, self.model.meta.version, self.model.hash
        )
    }
}

/// The evaluation date as a day number: the given `YYYY-MM-DD` (or
/// `datetime.date`), else today in UTC as the command line takes it.
fn evaluation_day(as_of: Option<&Bound<'_, PyAny>>) -> PyResult<f64> {
    let Some(as_of) = as_of.filter(|a| !a.is_none()) else {
        return Ok(guidelang::time::today_utc());
    };
    let text = if let Ok(s) = as_of.extract::<String>() {
        s
    } else if as_of.hasattr("isoformat")? && !as_of.hasattr("hour")? {
        as_of.call_method0("isoformat")?.extract::<String>()?
    } else {
        return Err(PyValueError::new_err(
            "as_of: expected a date as \"YYYY-MM-DD\" or a datetime.date",
        ));
    };
    guidelang::time::parse_day(&text).map_err(|e| PyValueError::new_err(format!("as_of: {e}")))
}

/// The module: the classes and exceptions the `guidelang` package re-exports.
#[pymodule]
fn _guidelang(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<Guideline>()?;
    m.add_class::<Diagnostic>()?;
    m.add_class::<CaseProblem>()?;
    m.add_class::<Fact>()?;
    m.add_class::<Action>()?;
    m.add_class::<Finding>()?;
    m.add("GuidelangError", py.get_type::<GuidelangError>())?;
    m.add("GuidelineError", py.get_type::<GuidelineError>())?;
    m.add("CaseError", py.get_type::<CaseError>())?;
    Ok(())
}
