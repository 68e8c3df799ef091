//! The library's findings as Python objects with named, read-only fields:
//! a checker [`Diagnostic`], a case's [`CaseProblem`], a lint [`Finding`],
//! and a guideline's declared [`Fact`]s and [`Action`]s.

use pyo3::prelude::*;

use guidelang::analysis::Finding as LintFinding;
use guidelang::diagnostics::{Problem, Severity, Source};
use guidelang::facts::CaseError;
use guidelang::model::{Action as ModelAction, Fact as ModelFact, FactKind};

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// One diagnostic of the checker (an error or a warning): what is wrong,
/// where (1-based line and column, when it has a place) and how to put it right.
#[pyclass(frozen, get_all, module = "guidelang")]
pub struct Diagnostic {
    /// Stable code, e.g. `guidelang::check::unknown_name`.
    pub code: String,
    /// `"error"` or `"warning"`.
    pub severity: String,
    /// One sentence saying what is wrong.
    pub message: String,
    /// Advice, if any.
    pub help: Option<String>,
    /// The file (as the guideline was named), when the diagnostic has a place.
    pub file: Option<String>,
    /// 1-based line, when the diagnostic has a place.
    pub line: Option<usize>,
    /// 1-based column (in characters), when the diagnostic has a place.
    pub column: Option<usize>,
    /// The diagnostic as the command line prints it (without colour).
    pub rendered: String,
}

impl Diagnostic {
    /// From a library problem.
    pub fn from_problem(p: &Problem) -> Diagnostic {
        let at = p.primary_span().zip(p.source.as_ref()).map(|(span, src)| {
            let (line, column) = src.line_col(span.start);
            (src.name().to_string(), line, column)
        });
        Diagnostic {
            code: p.code.to_string(),
            severity: severity_word(p.severity).to_string(),
            message: p.message.clone(),
            help: p.help.clone(),
            file: at.as_ref().map(|a| a.0.clone()),
            line: at.as_ref().map(|a| a.1),
            column: at.as_ref().map(|a| a.2),
            rendered: p.render_plain(),
        }
    }
}

#[pymethods]
impl Diagnostic {
    fn __str__(&self) -> String {
        self.rendered.clone()
    }

    fn __repr__(&self) -> String {
        let at = match (&self.file, self.line, self.column) {
            (Some(f), Some(l), Some(c)) => format!(" at {f}:{l}:{c}"),
            _ => String::new(),
        };
        format!("<Diagnostic {} {}{at}: {:?}>", self.severity, self.code, self.message)
    }
}

/// One thing wrong with a case: the fact (key) at fault when there is one,
/// what is wrong, and what to do. `row` is the 1-based row of a table
/// (`evaluate_arrow`), `None` for a single case.
#[pyclass(frozen, get_all, module = "guidelang")]
pub struct CaseProblem {
    /// The fact (key or column's fact) at fault, if the problem is with one.
    pub key: Option<String>,
    /// What is wrong, in the words of the command line.
    pub message: String,
    /// What to do.
    pub help: String,
    /// The 1-based row of the table, for a table's row.
    pub row: Option<u64>,
}

impl CaseProblem {
    /// From a case reader's error.
    pub fn from_case_error(e: &CaseError) -> CaseProblem {
        CaseProblem {
            key: e.key.clone(),
            message: e.message.clone(),
            help: e.help.clone(),
            row: None,
        }
    }
}

#[pymethods]
impl CaseProblem {
    fn __str__(&self) -> String {
        let row = self.row.map(|r| format!("row {r}: ")).unwrap_or_default();
        format!("{row}{}\n  help: {}", self.message, self.help)
    }

    fn __repr__(&self) -> String {
        format!(
            "<CaseProblem key={:?} row={:?}: {:?}>",
            self.key, self.row, self.message
        )
    }
}

/// A declared fact: its name in cases, its type and valid values.
#[pyclass(frozen, get_all, module = "guidelang")]
pub struct Fact {
    /// The name a case gives it by.
    pub name: String,
    /// `"bool"`, `"integer"`, `"number"`, `"enum"` or `"date"`.
    pub kind: String,
    /// A number's unit (`"10^9/L"`), else `None`.
    pub unit: Option<String>,
    /// The lowest valid value of a number or integer, if bounded.
    pub min: Option<f64>,
    /// The highest valid value of a number or integer, if bounded.
    pub max: Option<f64>,
    /// An enum's members, in declaration order; `None` for other kinds.
    pub values: Option<Vec<String>>,
    /// The declared description, if any.
    pub description: Option<String>,
}

impl Fact {
    /// From the checked model.
    pub fn from_model(f: &ModelFact) -> Fact {
        let (kind, unit, min, max, values) = match &f.kind {
            FactKind::Bool => ("bool", None, None, None, None),
            FactKind::Integer { min, max } => ("integer", None, *min, *max, None),
            FactKind::Number { unit, min, max } => ("number", Some(unit.to_string()), *min, *max, None),
            FactKind::Enum { values } => ("enum", None, None, None, Some(values.clone())),
            FactKind::Date => ("date", None, None, None, None),
        };
        Fact {
            name: f.name.clone(),
            kind: kind.to_string(),
            unit,
            min,
            max,
            values,
            description: f.description.clone(),
        }
    }
}

#[pymethods]
impl Fact {
    fn __repr__(&self) -> String {
        format!("<Fact {} ({})>", self.name, self.kind)
    }
}

/// An action the guideline decides: its id (the contract's `action`), the
/// label a clinician reads, and whether it is urgent.
#[pyclass(frozen, get_all, module = "guidelang")]
pub struct Action {
    /// The action id programs key on.
    pub name: String,
    /// What a person reads.
    pub label: String,
    /// An emergency measure.
    pub urgent: bool,
}

impl Action {
    /// From the checked model.
    pub fn from_model(a: &ModelAction) -> Action {
        Action {
            name: a.name.clone(),
            label: a.label.clone(),
            urgent: a.urgent,
        }
    }
}

#[pymethods]
impl Action {
    fn __repr__(&self) -> String {
        format!("<Action {}>", self.name)
    }
}

/// One lint finding: its kind, the rules and action concerned, and the
/// witness case (facts) on which evaluation shows the problem.
#[pyclass(frozen, module = "guidelang")]
pub struct Finding {
    /// Stable code, e.g. `guidelang::lint::clash`.
    #[pyo3(get)]
    pub code: String,
    /// The code's last part, e.g. `clash`.
    #[pyo3(get)]
    pub kind: String,
    /// `"error"` or `"warning"`.
    #[pyo3(get)]
    pub severity: String,
    /// One sentence.
    #[pyo3(get)]
    pub message: String,
    /// How to settle it, if said.
    #[pyo3(get)]
    pub help: Option<String>,
    /// The action concerned, if any.
    #[pyo3(get)]
    pub action: Option<String>,
    /// The rules concerned, by id.
    #[pyo3(get)]
    pub rules: Vec<String>,
    /// The invariant concerned, if any.
    #[pyo3(get)]
    pub invariant: Option<String>,
    /// What the witness shows, in words.
    #[pyo3(get)]
    pub shows: Option<String>,
    /// The facts of the witness the conditions involved read.
    #[pyo3(get)]
    pub facts: Vec<String>,
    /// 1-based line of the main place, if any.
    #[pyo3(get)]
    pub line: Option<usize>,
    /// 1-based column of the main place, if any.
    #[pyo3(get)]
    pub column: Option<usize>,
    witness: Option<serde_json::Value>,
}

impl Finding {
    /// From the linter's finding on `source`.
    pub fn from_lint(f: &LintFinding, source: &Source) -> Finding {
        let at = f.places.first().map(|p| source.line_col(p.span.start));
        Finding {
            code: f.code.to_string(),
            kind: f.code.rsplit("::").next().unwrap_or(f.code).to_string(),
            severity: severity_word(f.severity).to_string(),
            message: f.message.clone(),
            help: f.help.clone(),
            action: f.action.clone(),
            rules: f.rules.clone(),
            invariant: f.invariant.clone(),
            shows: f.shows.clone(),
            facts: f.facts.clone(),
            line: at.map(|a| a.0),
            column: at.map(|a| a.1),
            witness: f.witness.clone(),
        }
    }
}

#[pymethods]
impl Finding {
    /// The witness case (a dict of facts, as `evaluate` takes), if any.
    #[getter]
    fn witness<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.witness
            .as_ref()
            .map(|w| crate::convert::to_python(py, w))
            .transpose()
    }

    fn __repr__(&self) -> String {
        format!("<Finding {} {}: {:?}>", self.severity, self.kind, self.message)
    }
}
