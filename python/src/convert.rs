//! Values across the border: a Python case (a mapping of facts) as the JSON
//! text the command line reads, and the library's JSON reports as plain
//! Python objects (dict, list, str, int, float, bool, None).
//!
//! A case goes through JSON *text* on purpose: the library's case reader
//! (`facts::parse_case`) then validates it exactly as it validates a case
//! file, so a bad case gets the same messages in Python as on the command line.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::Value;

/// How deep the conversion walks: one level past what the case reader
/// accepts (`MAX_CASE_DEPTH`), so that a case nested too deep is refused by
/// the reader with its own message, and a self-referencing list cannot
/// exhaust the stack first.
const MAX_DEPTH: usize = guidelang::facts::MAX_CASE_DEPTH + 1;

/// Writes a Python value as JSON text. A float that JSON cannot hold (NaN,
/// infinity) is written the way Python's `json.dumps` writes it, so that the
/// case reader refuses it with the message a case file containing it gets.
pub fn write_json(value: &Bound<'_, PyAny>, out: &mut String, depth: usize) -> PyResult<()> {
    if depth > MAX_DEPTH {
        // The text written so far already nests deeper than the reader
        // accepts; what is below this level does not change its refusal.
        out.push_str("null");
        return Ok(());
    }
    if value.is_none() {
        out.push_str("null");
    } else if let Ok(b) = value.cast::<PyBool>() {
        // Before int: a Python bool is an int.
        out.push_str(if b.is_true() { "true" } else { "false" });
    } else if value.is_instance_of::<PyInt>() {
        // Python ints are unbounded: their decimal text is what a case file
        // would hold, and the reader says what it makes of a huge one.
        out.push_str(&value.str()?.to_cow()?);
    } else if let Ok(f) = value.cast::<PyFloat>() {
        let x = f.value();
        match serde_json::Number::from_f64(x) {
            Some(n) => out.push_str(&n.to_string()),
            None if x.is_nan() => out.push_str("NaN"),
            None if x > 0.0 => out.push_str("Infinity"),
            None => out.push_str("-Infinity"),
        }
    } else if let Ok(s) = value.cast::<PyString>() {
        push_string(out, &s.to_cow()?);
    } else if let Ok(d) = value.cast::<PyDict>() {
        out.push('{');
        for (i, (k, v)) in d.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let key = k.cast::<PyString>().map_err(|_| {
                PyTypeError::new_err(format!("a case's keys are fact names (str), not {}", type_name(&k)))
            })?;
            push_string(out, &key.to_cow()?);
            out.push(':');
            write_json(&v, out, depth + 1)?;
        }
        out.push('}');
    } else if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        out.push('[');
        for (i, item) in value.try_iter()?.enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_json(&item?, out, depth + 1)?;
        }
        out.push(']');
    } else if value.hasattr("isoformat")? && !value.hasattr("hour")? {
        // A `datetime.date` (not a datetime): the `YYYY-MM-DD` a date fact takes.
        push_string(out, &value.call_method0("isoformat")?.str()?.to_cow()?);
    } else {
        return Err(PyTypeError::new_err(format!(
            "a case holds JSON values (bool, int, float, str, None, datetime.date), not {}",
            type_name(value)
        )));
    }
    Ok(())
}

/// Appends `s` as a JSON string literal.
fn push_string(out: &mut String, s: &str) {
    // Serialising a `str` cannot fail.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map_or_else(|_| "an unknown type".to_string(), |n| n.to_string())
}

/// A JSON value as the Python object `json.loads` would make of it.
pub fn to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_python(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, to_python(py, v)?)?;
            }
            dict.into_any()
        }
    })
}
