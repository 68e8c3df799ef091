//! Converts an NDJSON cohort to Parquet (or Arrow IPC, by the output's
//! extension) with one typed column per fact of a guideline, plus a
//! `patient_id` column (`p1`, `p2`, ... by line) to keep through evaluation:
//!
//! ```text
//! cargo run --release --example cohort -- 200000 > cohort.ndjson
//! cargo run --release --example parquet -- cohort.ndjson cohort.parquet
//! guidelang eval --cases cohort.parquet --keep patient_id -o results.parquet
//! ```
//!
//! Options: `--guideline FILE` (the bundled ALS guideline by default),
//! `--batch N` rows per row group (8192). Columns follow the facts' types:
//! booleans, `Int64` for integers, `Float64` for numbers, text for one-of
//! facts, `Date32` for dates and for a case's `as_of`. A line that is not a
//! flat JSON case of the guideline's facts stops the conversion with its
//! line number: this writes test data, it does not judge it.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, RecordBatch, StringBuilder};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use guidelang::columnar::files::{ColumnarFormat, ResultWriter};
use guidelang::model::{FactKind, Guideline};

enum Column {
    Bool(BooleanBuilder),
    Int(Int64Builder),
    Num(Float64Builder),
    Text(StringBuilder),
    Day(Date32Builder),
}

impl Column {
    fn of(kind: &FactKind) -> (Column, DataType) {
        match kind {
            FactKind::Bool => (Column::Bool(BooleanBuilder::new()), DataType::Boolean),
            FactKind::Integer { .. } => (Column::Int(Int64Builder::new()), DataType::Int64),
            FactKind::Number { .. } => (Column::Num(Float64Builder::new()), DataType::Float64),
            FactKind::Enum { .. } => (Column::Text(StringBuilder::new()), DataType::Utf8),
            FactKind::Date => (Column::Day(Date32Builder::new()), DataType::Date32),
        }
    }

    fn push(&mut self, v: Option<&serde_json::Value>) -> Result<(), String> {
        let v = v.filter(|v| !v.is_null());
        let wrong = || format!("{:?} does not fit the column", v);
        match self {
            Column::Bool(b) => b.append_option(v.map(|v| v.as_bool().ok_or_else(wrong)).transpose()?),
            Column::Int(b) => b.append_option(v.map(|v| v.as_i64().ok_or_else(wrong)).transpose()?),
            Column::Num(b) => b.append_option(v.map(|v| v.as_f64().ok_or_else(wrong)).transpose()?),
            Column::Text(b) => b.append_option(v.map(|v| v.as_str().ok_or_else(wrong)).transpose()?),
            Column::Day(b) => b.append_option(
                v.map(|v| {
                    let day = guidelang::time::parse_day(v.as_str().ok_or_else(wrong)?)?;
                    Ok::<i32, String>(day as i32)
                })
                .transpose()?,
            ),
        }
        Ok(())
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Column::Bool(b) => Arc::new(b.finish()),
            Column::Int(b) => Arc::new(b.finish()),
            Column::Num(b) => Arc::new(b.finish()),
            Column::Text(b) => Arc::new(b.finish()),
            Column::Day(b) => Arc::new(b.finish()),
        }
    }
}

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let (mut paths, mut guideline, mut batch_rows) = (Vec::new(), None, 8192usize);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--guideline" => guideline = args.next(),
            "--batch" => {
                batch_rows = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--batch takes a number")?
            }
            _ => paths.push(a),
        }
    }
    let [input, output] = &paths[..] else {
        return Err("usage: parquet [--guideline FILE] [--batch N] COHORT.ndjson OUT.parquet|OUT.arrow".into());
    };
    let g: Guideline = match &guideline {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
            guidelang::load_str(path, &text).map_err(|_| format!("{path} does not check: run guidelang check"))?
        }
        None => guidelang::bundled().map_err(|_| "the bundled guideline does not check")?,
    };
    let format =
        ColumnarFormat::from_path(output.as_ref()).ok_or("the output must end in .parquet, .arrow or .arrows")?;
    let mut names = vec!["patient_id".to_string()];
    let mut fields = vec![Field::new("patient_id", DataType::Utf8, false)];
    let mut columns = vec![Column::Text(StringBuilder::new())];
    for f in &g.facts {
        let (column, t) = Column::of(&f.kind);
        names.push(f.name.clone());
        fields.push(Field::new(&f.name, t, true));
        columns.push(column);
    }
    names.push("as_of".into());
    fields.push(Field::new("as_of", DataType::Date32, true));
    columns.push(Column::Day(Date32Builder::new()));
    let schema: SchemaRef = Arc::new(Schema::new(fields));
    let out = File::create(output).map_err(|e| format!("{output}: {e}"))?;
    let mut writer = ResultWriter::new(out, format, &schema).map_err(|e| e.to_string())?;
    let reader = BufReader::new(File::open(input).map_err(|e| format!("{input}: {e}"))?);
    let mut rows = 0usize;
    let flush = |columns: &mut Vec<Column>, writer: &mut ResultWriter<File>| -> Result<(), String> {
        let arrays: Vec<ArrayRef> = columns.iter_mut().map(Column::finish).collect();
        let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(|e| e.to_string())?;
        writer.write(&batch).map_err(|e| e.to_string())
    };
    for (n, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| format!("{input}: {e}"))?;
        let case: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&line).map_err(|e| format!("line {}: {e}", n + 1))?;
        if let Some(key) = case.keys().find(|k| !names.contains(k)) {
            return Err(format!("line {}: `{key}` is not a fact of {}", n + 1, g.meta.id));
        }
        let id = serde_json::Value::String(format!("p{}", n + 1));
        for (i, column) in columns.iter_mut().enumerate() {
            let v = if i == 0 { Some(&id) } else { case.get(&names[i]) };
            column
                .push(v)
                .map_err(|e| format!("line {}, `{}`: {e}", n + 1, names[i]))?;
        }
        rows += 1;
        if rows.is_multiple_of(batch_rows) {
            flush(&mut columns, &mut writer)?;
        }
    }
    if !rows.is_multiple_of(batch_rows) {
        flush(&mut columns, &mut writer)?;
    }
    writer.finish().map_err(|e| e.to_string())?;
    eprintln!("{rows} rows written to {output}");
    Ok(())
}
