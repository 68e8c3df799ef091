//! Reading a fact's cells from an Arrow column by the column's type: which
//! Arrow types can hold which fact, and each cell as the fact's value.
//!
//! A column is normalised once per batch (an `Int32` column is widened to
//! `Int64`, a dictionary of strings unpacked to `Utf8`, and so on) so that a
//! cell is read with one match. A plain valid value is accepted on a fast
//! path; anything else (out of range, not whole, not a member, not a date)
//! goes the slow way: the cell as the JSON value a case would give, checked
//! by [`value_of`], so that the message is exactly a JSON case's.

use arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int64Array, RecordBatch,
    StringArray, UInt64Array,
};
use std::ops::Range;

use arrow::buffer::NullBuffer;
use arrow::datatypes::{DataType, Date32Type, Decimal128Type, Float64Type, Int64Type, UInt64Type};
use serde_json::Value as J;

use crate::facts::{validate_json, value_of, CaseError, Value, AS_OF_KEY};
use crate::model::{FactId, FactKind, Guideline};

/// 2^53: past it whole numbers share a double (see `facts::value_of`).
const MAX_EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

/// How a column's cells are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Read {
    /// Every cell is null (Arrow's `Null` type).
    Null,
    Bool,
    /// Signed and small unsigned integers, widened to `Int64`.
    Int,
    UInt,
    /// Floats, widened to `Float64`.
    Float,
    /// `Decimal128` with its scale.
    Decimal(i8),
    /// Text of any Arrow string type, dictionary-encoded or not, as `Utf8`.
    Text,
    /// Calendar days (`Date32`, `Date64`), as `Date32`.
    Day,
}

/// A fact (or `as_of`) and the column it is read from.
#[derive(Clone, Debug)]
pub(super) struct Binding {
    pub fact: FactId,
    pub column: usize,
    read: Read,
    /// The fact's type, for the fast path's checks.
    kind: FactKind,
    /// The accepted days, from [`crate::time::EARLIEST`] to [`crate::time::LATEST`].
    days: (f64, f64),
}

fn is_text(t: &DataType) -> bool {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(key, value) => key.is_integer() && is_text(value),
        _ => false,
    }
}

fn number_read(t: &DataType) -> Option<Read> {
    Some(match t {
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32 => Read::Int,
        DataType::UInt64 => Read::UInt,
        DataType::Float16 | DataType::Float32 | DataType::Float64 => Read::Float,
        DataType::Decimal128(_, scale) => Read::Decimal(*scale),
        _ => return None,
    })
}

fn day_read(t: &DataType) -> Option<Read> {
    match t {
        DataType::Date32 | DataType::Date64 => Some(Read::Day),
        t if is_text(t) => Some(Read::Text),
        _ => None,
    }
}

fn accepted_days() -> (f64, f64) {
    let first = crate::time::parse_day(crate::time::EARLIEST).unwrap_or(f64::NEG_INFINITY);
    let last = crate::time::parse_day(crate::time::LATEST).unwrap_or(f64::INFINITY);
    (first, last)
}

const DAY_TYPES: &str = "dates (Date32) or text \"YYYY-MM-DD\" (a timestamp must be cast to a date first: which day a time falls on depends on a time zone)";

impl Binding {
    /// The reading of `fact` from a column of type `t`; `Err` says which types would do.
    pub fn new(fact: FactId, kind: &FactKind, column: usize, t: &DataType) -> Result<Binding, &'static str> {
        let read = match (kind, t) {
            (_, DataType::Null) => Some(Read::Null),
            (FactKind::Bool, DataType::Boolean) => Some(Read::Bool),
            (FactKind::Bool, _) => None,
            (FactKind::Integer { .. } | FactKind::Number { .. }, t) => number_read(t),
            (FactKind::Enum { .. }, t) => is_text(t).then_some(Read::Text),
            (FactKind::Date, t) => day_read(t),
        };
        let accepts = match kind {
            FactKind::Bool => "booleans",
            FactKind::Integer { .. } | FactKind::Number { .. } => "numbers (integers, floats or Decimal128)",
            FactKind::Enum { .. } => "text (Utf8, LargeUtf8, Utf8View, or a dictionary of text)",
            FactKind::Date => DAY_TYPES,
        };
        let read = read.ok_or(accepts)?;
        Ok(Binding {
            fact,
            column,
            read,
            kind: kind.clone(),
            days: accepted_days(),
        })
    }

    /// The reading of the evaluation date from a column of type `t`.
    pub fn as_of(column: usize, t: &DataType) -> Result<Binding, &'static str> {
        let read = match t {
            DataType::Null => Some(Read::Null),
            t => day_read(t),
        };
        Ok(Binding {
            fact: FactId(u32::MAX),
            column,
            read: read.ok_or(DAY_TYPES)?,
            kind: FactKind::Date,
            days: accepted_days(),
        })
    }

    /// The column of `batch`, normalised for reading.
    pub fn cells(&self, batch: &RecordBatch) -> Result<Cells<'_>, arrow::error::ArrowError> {
        let column = batch.column(self.column);
        let cast = |to: &DataType| -> Result<ArrayRef, arrow::error::ArrowError> {
            if column.data_type() == to {
                Ok(column.clone())
            } else {
                arrow::compute::cast(column, to)
            }
        };
        let cell = match self.read {
            Read::Null => Cell::Null,
            Read::Bool => Cell::Bool(column.as_boolean().clone()),
            Read::Int => Cell::Int(cast(&DataType::Int64)?.as_primitive::<Int64Type>().clone()),
            Read::UInt => Cell::UInt(column.as_primitive::<UInt64Type>().clone()),
            Read::Float => Cell::Float(cast(&DataType::Float64)?.as_primitive::<Float64Type>().clone()),
            Read::Decimal(scale) => Cell::Decimal(column.as_primitive::<Decimal128Type>().clone(), scale),
            Read::Text => Cell::Text(cast(&DataType::Utf8)?.as_string::<i32>().clone()),
            Read::Day => Cell::Day(cast(&DataType::Date32)?.as_primitive::<Date32Type>().clone()),
        };
        Ok(Cells { binding: self, cell })
    }
}

/// A column's cells in the batch being read.
#[derive(Debug)]
enum Cell {
    Null,
    Bool(BooleanArray),
    Int(Int64Array),
    UInt(UInt64Array),
    Float(Float64Array),
    Decimal(Decimal128Array, i8),
    Text(StringArray),
    Day(Date32Array),
}

/// A binding's column in one batch.
#[derive(Debug)]
pub(super) struct Cells<'b> {
    binding: &'b Binding,
    cell: Cell,
}

impl Cells<'_> {
    /// The type of the fact read.
    pub fn kind(&self) -> &FactKind {
        &self.binding.kind
    }

    fn is_null(&self, i: usize) -> bool {
        match &self.cell {
            Cell::Null => true,
            Cell::Bool(a) => a.is_null(i),
            Cell::Int(a) => a.is_null(i),
            Cell::UInt(a) => a.is_null(i),
            Cell::Float(a) => a.is_null(i),
            Cell::Decimal(a, _) => a.is_null(i),
            Cell::Text(a) => a.is_null(i),
            Cell::Day(a) => a.is_null(i),
        }
    }

    /// The values of `rows`, a column at a time, into a stage of whole
    /// cases (`width` places to a row, the first row's first): each row's
    /// value at `place` in its row when its cell is accepted (`None` when
    /// null), and `refused(i, error)` for each that is not (its place set to
    /// `None`). The type's checks are chosen once for the column, not per
    /// cell; a cell the fast checks do not accept goes through
    /// [`Cells::value`], so that what is refused, and how it is said, is
    /// exactly what a cell read alone gets.
    pub fn read_column(
        &self,
        g: &Guideline,
        rows: Range<usize>,
        stage: &mut [Option<Value>],
        (width, place): (usize, usize),
        mut refused: impl FnMut(usize, CaseError),
    ) {
        if width == 0 {
            return;
        }
        let put = &mut Stage {
            rows: stage.chunks_exact_mut(width),
            place,
        };
        let refused = &mut refused;
        let bounds = Bounds::of(&self.binding.kind);
        match &self.cell {
            Cell::Float(a) => {
                let values = a.values();
                let fast = |i: usize| {
                    let x = values[i];
                    bounds.hold(x).then_some(Value::Num(x))
                };
                self.read_each(g, rows, valid(a.nulls()), fast, put, refused);
            }
            Cell::Int(a) => {
                let values = a.values();
                let fast = |i: usize| {
                    let v = values[i];
                    let x = v as f64;
                    (v.unsigned_abs() as f64 <= MAX_EXACT_INTEGER && bounds.hold(x)).then_some(Value::Num(x))
                };
                self.read_each(g, rows, valid(a.nulls()), fast, put, refused);
            }
            Cell::Bool(a) => {
                let bits = a.values();
                let fast = |i: usize| Some(Value::Bool(bits.value(i)));
                self.read_each(g, rows, valid(a.nulls()), fast, put, refused);
            }
            Cell::Text(a) if matches!(self.binding.kind, FactKind::Enum { .. }) => {
                let members: &[String] = match &self.binding.kind {
                    FactKind::Enum { values } => values,
                    _ => &[],
                };
                let fast = |i: usize| {
                    let s = a.value(i).as_bytes();
                    // Length and first byte before the bytes: most members
                    // differ in one of them, and no call to memcmp is made.
                    let first = s.first();
                    members
                        .iter()
                        .position(|m| m.len() == s.len() && m.as_bytes().first() == first && m.as_bytes() == s)
                        .map(|k| Value::Enum(k as u8))
                };
                self.read_each(g, rows, valid(a.nulls()), fast, put, refused);
            }
            // The other types are rare in a cohort: each cell read alone.
            _ => self.read_each(g, rows, |i| !self.is_null(i), |_| None, put, refused),
        }
    }

    /// The loop of [`Cells::read_column`], generic so that each column's
    /// checks are inlined into it.
    fn read_each(
        &self,
        g: &Guideline,
        rows: Range<usize>,
        valid: impl Fn(usize) -> bool,
        fast: impl Fn(usize) -> Option<Value>,
        put: &mut Stage<'_>,
        refused: &mut impl FnMut(usize, CaseError),
    ) {
        for (i, row) in rows.zip(&mut put.rows) {
            let value = if !valid(i) {
                None
            } else {
                match fast(i) {
                    Some(v) => Some(v),
                    None => self.value(g, i).unwrap_or_else(|e| {
                        refused(i, e);
                        None
                    }),
                }
            };
            if let Some(cell) = row.get_mut(put.place) {
                *cell = value;
            }
        }
    }

    /// Row `i`'s value of the fact: `None` when null (unknown).
    pub fn value(&self, g: &Guideline, i: usize) -> Result<Option<Value>, CaseError> {
        if self.is_null(i) {
            return Ok(None);
        }
        let b = self.binding;
        let fast = match (&self.cell, &b.kind) {
            (Cell::Bool(a), _) => Some(Value::Bool(a.value(i))),
            (Cell::Int(a), kind) => {
                let v = a.value(i);
                let x = v as f64;
                (v.unsigned_abs() as f64 <= MAX_EXACT_INTEGER && in_bounds(kind, x)).then_some(Value::Num(x))
            }
            (Cell::UInt(a), kind) => {
                let x = a.value(i) as f64;
                (x <= MAX_EXACT_INTEGER && in_bounds(kind, x)).then_some(Value::Num(x))
            }
            (Cell::Float(a), kind) => {
                let x = a.value(i);
                in_bounds(kind, x).then_some(Value::Num(x))
            }
            (Cell::Decimal(a, scale), kind) => {
                // A whole number below 2^53 over a power of ten a double
                // holds exactly: one correctly rounded division, the nearest
                // double to the decimal, as a JSON number is read.
                let v = a.value(i);
                let x = (v as f64) / 10f64.powi(i32::from(*scale));
                ((0..=22).contains(scale) && (v.unsigned_abs() as f64) <= MAX_EXACT_INTEGER && in_bounds(kind, x))
                    .then_some(Value::Num(x))
            }
            (Cell::Text(a), FactKind::Enum { values }) => {
                let s = a.value(i);
                values.iter().position(|v| v == s).map(|k| Value::Enum(k as u8))
            }
            (Cell::Text(a), FactKind::Date) => crate::time::parse_day(a.value(i)).ok().map(Value::Num),
            (Cell::Day(a), _) => {
                let d = f64::from(a.value(i));
                (b.days.0..=b.days.1).contains(&d).then_some(Value::Num(d))
            }
            _ => None,
        };
        if let Some(v) = fast {
            return Ok(Some(v));
        }
        let name = &g.fact(b.fact).name;
        match self.json(name, &b.kind, i)? {
            Some(json) => value_of(g, b.fact, &json),
            None => Ok(None),
        }
    }

    /// Row `i`'s evaluation date, read from an `as_of` column.
    pub fn day_as_of(&self, g: &Guideline, i: usize) -> Result<Option<f64>, CaseError> {
        if self.is_null(i) {
            return Ok(None);
        }
        let b = self.binding;
        match &self.cell {
            Cell::Day(a) => {
                let d = f64::from(a.value(i));
                if (b.days.0..=b.days.1).contains(&d) {
                    return Ok(Some(d));
                }
            }
            Cell::Text(a) => {
                if let Ok(d) = crate::time::parse_day(a.value(i)) {
                    return Ok(Some(d));
                }
            }
            _ => {}
        }
        // Refused: say it as a JSON case's `as_of` is refused.
        let json = self.json(AS_OF_KEY, &FactKind::Date, i)?;
        let mut object = serde_json::Map::new();
        object.insert(AS_OF_KEY.to_string(), json.unwrap_or(J::Null));
        match validate_json(g, &J::Object(object)) {
            Ok(case) => Ok(case.as_of()),
            Err(mut errors) => Err(errors.remove(0)),
        }
    }

    /// Row `i` as the JSON value a case would give for `key` (a fact of
    /// type `kind`, or `as_of`): `None` when null. A float JSON cannot hold
    /// (NaN, an infinity) is an error here.
    pub fn json(&self, key: &str, kind: &FactKind, i: usize) -> Result<Option<J>, CaseError> {
        if self.is_null(i) {
            return Ok(None);
        }
        Ok(Some(match &self.cell {
            Cell::Null => J::Null,
            Cell::Bool(a) => J::Bool(a.value(i)),
            Cell::Int(a) => J::from(a.value(i)),
            Cell::UInt(a) => J::from(a.value(i)),
            Cell::Float(a) => {
                let x = a.value(i);
                match serde_json::Number::from_f64(x) {
                    Some(n) => J::Number(n),
                    None => {
                        return Err(CaseError {
                            key: Some(key.to_string()),
                            message: format!("`{key}` must be {}, but the column holds {x}", kind.expected()),
                            help: "give a finite number, or null when it is unknown".into(),
                        })
                    }
                }
            }
            Cell::Decimal(a, scale) => {
                let text = decimal_text(a.value(i), *scale);
                // The decimal as JSON text reads exactly as a case's number does.
                serde_json::from_str::<serde_json::Number>(&text)
                    .map(J::Number)
                    .unwrap_or(J::String(text))
            }
            Cell::Text(a) => J::String(a.value(i).to_string()),
            Cell::Day(a) => J::String(crate::time::format_day(f64::from(a.value(i)))),
        }))
    }
}

/// Within the fact's bounds and, for an integer fact, whole and exact: the
/// value a JSON case would have accepted as it is.
fn in_bounds(kind: &FactKind, x: f64) -> bool {
    let within = |min: &Option<f64>, max: &Option<f64>| {
        x.is_finite() && min.is_none_or(|m| x >= m) && max.is_none_or(|m| x <= m)
    };
    match kind {
        FactKind::Integer { min, max } => within(min, max) && x.fract() == 0.0 && x.abs() <= MAX_EXACT_INTEGER,
        FactKind::Number { min, max, .. } => within(min, max),
        _ => false,
    }
}

/// Row `i` is not null (no validity: every row is valid).
/// The rows of a stretch of the stage, and the place a column's fact takes in each.
struct Stage<'s> {
    rows: std::slice::ChunksExactMut<'s, Option<Value>>,
    place: usize,
}

fn valid(nulls: Option<&NullBuffer>) -> impl Fn(usize) -> bool + '_ {
    move |i| nulls.is_none_or(|m| m.is_valid(i))
}

/// A number fact's bounds, looked up once per column: `hold` is
/// [`in_bounds`] without the match on the fact's type.
#[derive(Clone, Copy, Debug)]
struct Bounds {
    min: f64,
    max: f64,
    whole: bool,
    /// Not a number fact: nothing holds (the slow path decides).
    none: bool,
}

impl Bounds {
    fn of(kind: &FactKind) -> Bounds {
        let (min, max, whole) = match kind {
            FactKind::Integer { min, max } => (*min, *max, true),
            FactKind::Number { min, max, .. } => (*min, *max, false),
            _ => {
                return Bounds {
                    min: 0.0,
                    max: 0.0,
                    whole: false,
                    none: true,
                }
            }
        };
        Bounds {
            min: min.unwrap_or(f64::NEG_INFINITY),
            max: max.unwrap_or(f64::INFINITY),
            whole,
            none: false,
        }
    }

    #[inline]
    fn hold(self, x: f64) -> bool {
        !self.none
            && x.is_finite()
            && x >= self.min
            && x <= self.max
            && (!self.whole || (x.fract() == 0.0 && x.abs() <= MAX_EXACT_INTEGER))
    }
}

/// A Decimal128 value as decimal text: 1250 at scale 2 is "12.50".
fn decimal_text(v: i128, scale: i8) -> String {
    let digits = v.unsigned_abs().to_string();
    let sign = if v < 0 { "-" } else { "" };
    if scale <= 0 {
        let zeros = "0".repeat(usize::from(scale.unsigned_abs()));
        return if v == 0 {
            "0".into()
        } else {
            format!("{sign}{digits}{zeros}")
        };
    }
    let scale = usize::from(scale.unsigned_abs());
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{sign}{int}.{frac}")
}

#[cfg(test)]
mod tests {
    use super::decimal_text;

    #[test]
    fn decimals_read_as_written() {
        assert_eq!(decimal_text(1250, 2), "12.50");
        assert_eq!(decimal_text(-5, 3), "-0.005");
        assert_eq!(decimal_text(7, 0), "7");
        assert_eq!(decimal_text(7, -2), "700");
        assert_eq!(decimal_text(0, -2), "0");
    }
}
