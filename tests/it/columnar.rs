//! Columnar cohorts (`guidelang::columnar`, `eval --cases cohort.parquet`):
//! facts read from Arrow columns must give exactly what the same values
//! give as JSON cases — the same decisions row by row, the same errors with
//! the same messages and row numbers — and the results must carry the
//! guideline's identity. The Parquet and Arrow fixtures are written here,
//! with the same arrow-rs crates.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, RecordBatch, StringBuilder,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use assert_cmd::Command;
use guidelang::batch::Tally;
use guidelang::columnar::files::{CohortReader, ColumnarFormat, ResultWriter};
use guidelang::columnar::{CohortEvaluator, ColumnMap};
use guidelang::compile::Program;
use guidelang::eval::{Conclusion, Evaluator, Outcome, Truth};
use guidelang::facts::parse_case;
use guidelang::model::{FactKind, Guideline};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{json, Value};

use crate::common::gen::{config, CaseSpace};

fn guidelang() -> Command {
    let mut cmd = Command::cargo_bin("guidelang").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

fn bundled() -> Guideline {
    guidelang::bundled().unwrap()
}

fn tumour_lysis() -> Guideline {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("guidelines/tumour-lysis-prophylaxis.gl");
    guidelang::load_str("tumour-lysis-prophylaxis.gl", &std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The evaluation date every test gives (`--as-of`), as a day number.
const AS_OF: &str = "2026-12-01";

fn as_of_day() -> f64 {
    guidelang::time::parse_day(AS_OF).unwrap()
}

/// JSON cases as a batch with one column per fact, typed by the fact as a
/// data platform would store it (booleans, Int64, Float64, text, Date32),
/// plus `patient_id` and, when a case gives one, `as_of`.
fn batch_of(g: &Guideline, cases: &[Value]) -> RecordBatch {
    let mut fields = vec![Field::new("patient_id", DataType::Utf8, false)];
    let mut ids = StringBuilder::new();
    for i in 0..cases.len() {
        ids.append_value(format!("p{}", i + 1));
    }
    let mut columns: Vec<ArrayRef> = vec![Arc::new(ids.finish())];
    let get = |c: &Value, name: &str| c.get(name).filter(|v| !v.is_null()).cloned();
    let day = |v: Value| guidelang::time::parse_day(v.as_str().unwrap()).unwrap() as i32;
    for f in &g.facts {
        let (t, array): (DataType, ArrayRef) = match &f.kind {
            FactKind::Bool => {
                let mut b = BooleanBuilder::new();
                cases
                    .iter()
                    .for_each(|c| b.append_option(get(c, &f.name).map(|v| v.as_bool().unwrap())));
                (DataType::Boolean, Arc::new(b.finish()))
            }
            FactKind::Integer { .. } => {
                let mut b = Int64Builder::new();
                cases
                    .iter()
                    .for_each(|c| b.append_option(get(c, &f.name).map(|v| v.as_i64().unwrap())));
                (DataType::Int64, Arc::new(b.finish()))
            }
            FactKind::Number { .. } => {
                let mut b = Float64Builder::new();
                cases
                    .iter()
                    .for_each(|c| b.append_option(get(c, &f.name).map(|v| v.as_f64().unwrap())));
                (DataType::Float64, Arc::new(b.finish()))
            }
            FactKind::Enum { .. } => {
                let mut b = StringBuilder::new();
                cases
                    .iter()
                    .for_each(|c| b.append_option(get(c, &f.name).map(|v| v.as_str().unwrap().to_string())));
                (DataType::Utf8, Arc::new(b.finish()))
            }
            FactKind::Date => {
                let mut b = Date32Builder::new();
                cases.iter().for_each(|c| b.append_option(get(c, &f.name).map(day)));
                (DataType::Date32, Arc::new(b.finish()))
            }
        };
        fields.push(Field::new(&f.name, t, true));
        columns.push(array);
    }
    if cases.iter().any(|c| c.get("as_of").is_some()) {
        let mut b = Date32Builder::new();
        cases.iter().for_each(|c| b.append_option(get(c, "as_of").map(day)));
        fields.push(Field::new("as_of", DataType::Date32, true));
        columns.push(Arc::new(b.finish()));
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap()
}

/// A batch of the given columns (all nullable).
fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
        .collect();
    RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns.into_iter().map(|(_, a)| a).collect(),
    )
    .unwrap()
}

fn write(path: &Path, batches: &[RecordBatch]) {
    let format = ColumnarFormat::from_path(path).unwrap();
    let file = std::fs::File::create(path).unwrap();
    let mut w = ResultWriter::new(file, format, batches[0].schema_ref()).unwrap();
    for b in batches {
        w.write(b).unwrap();
    }
    w.finish().unwrap();
}

fn read(path: &Path) -> (SchemaRef, Vec<RecordBatch>) {
    let format = ColumnarFormat::from_path(path).unwrap();
    let reader = CohortReader::open(path, format).unwrap();
    let schema = reader.schema();
    (schema, reader.map(Result::unwrap).collect())
}

fn ndjson(cases: &[Value]) -> String {
    cases.iter().map(|c| format!("{c}\n")).collect()
}

/// Draws `n` cases of `g` with a fixed seed.
fn draw(g: &Guideline, n: usize) -> Vec<Value> {
    let mut runner = TestRunner::deterministic();
    let strategy = CaseSpace::of(g).partial();
    (0..n)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

fn strings(a: &dyn Array, row: usize) -> Option<Vec<String>> {
    let list = a.as_list::<i32>();
    if list.is_null(row) {
        return None;
    }
    let values = list.value(row);
    let values = values.as_string::<i32>();
    Some((0..values.len()).map(|i| values.value(i).to_string()).collect())
}

/// What a JSON case's evaluation says a result row must hold: `None` when
/// the case is invalid (no row), else `(applicable, per action (verdict,
/// needs, (dose low, dose unit)), conflicts, violations)`.
type Expected = (
    Option<bool>,
    Vec<(Option<String>, Option<Vec<String>>, (Option<f64>, Option<String>))>,
    Vec<String>,
    Vec<String>,
);

fn expected(g: &Guideline, program: &Program, case: &Value, as_of: f64) -> Result<Expected, Vec<String>> {
    let mut c =
        parse_case(g, &case.to_string()).map_err(|e| e.iter().map(|e| e.message.clone()).collect::<Vec<_>>())?;
    c.default_as_of(g, as_of)
        .map_err(|e| e.iter().map(|e| e.message.clone()).collect::<Vec<_>>())?;
    let mut ev = Evaluator::new(program);
    let brief = ev.run(&c);
    let applicable = match brief.scope() {
        Truth::True => Some(true),
        Truth::False => Some(false),
        Truth::Unknown => None,
    };
    let outcomes: Vec<Conclusion> = if brief.scope() == Truth::False {
        vec![Conclusion::Silent; g.actions.len()]
    } else {
        brief.outcomes().map(|(_, o)| o).collect()
    };
    let violations = brief
        .violations()
        .iter()
        .map(|v| g.invariants[v.invariant].id.clone())
        .collect();
    let evaluation = ev.evaluation(&c);
    let mut actions = Vec::new();
    let mut conflicts = Vec::new();
    for (a, o) in outcomes.iter().enumerate() {
        if *o == Conclusion::Conflict {
            conflicts.push(g.actions[a].name.clone());
        }
        let verdict = match o {
            Conclusion::Decided(v) => Some(v.as_str().to_string()),
            _ => None,
        };
        let needs = matches!(o, Conclusion::Undecided | Conclusion::Withheld(_)).then(|| {
            let mut out = Vec::new();
            ev.needs_into(&c, g.action_ids().nth(a).unwrap(), &mut out);
            out.iter().map(|f| g.fact(*f).name.clone()).collect()
        });
        let first = evaluation.actions.get(a).and_then(|r| match &r.outcome {
            Outcome::Decided(d) => d.doses.first(),
            _ => None,
        });
        // The unit of the amount the patient's criteria chose.
        let unit = first.and_then(|d| {
            let branch = g.rule(d.rule).dose.as_ref()?.branches.get(d.branch?)?;
            Some(branch.amount.result_unit.to_string())
        });
        let dose = (first.and_then(|d| d.amount).map(|(l, _)| l), unit);
        actions.push((verdict, needs, dose));
    }
    Ok((applicable, actions, conflicts, violations))
}

/// The same of result row `row`.
fn observed(g: &Guideline, results: &RecordBatch, row: usize) -> Expected {
    let col = |name: &str| results.column_by_name(name).unwrap();
    let applicable = col("applicable").as_boolean();
    let applicable = (!applicable.is_null(row)).then(|| applicable.value(row));
    let actions = g
        .actions
        .iter()
        .map(|a| {
            // A dictionary of the verdicts' names, a key per row.
            let verdict = col(&a.name).as_dictionary::<arrow::datatypes::Int8Type>();
            let names = verdict.values().as_string::<i32>();
            let verdict = (!verdict.is_null(row)).then(|| names.value(verdict.keys().value(row) as usize).to_string());
            let needs = strings(col(&format!("{}_needs", a.name)).as_ref(), row);
            let low = results.column_by_name(&format!("{}_dose_low", a.name)).and_then(|c| {
                let c = c.as_primitive::<arrow::datatypes::Float64Type>();
                (!c.is_null(row)).then(|| c.value(row))
            });
            let unit = results.column_by_name(&format!("{}_dose_unit", a.name)).and_then(|c| {
                let c = c.as_string::<i32>();
                (!c.is_null(row)).then(|| c.value(row).to_string())
            });
            let dose = (low, unit);
            (verdict, needs, dose)
        })
        .collect();
    let conflicts = strings(col("conflicts").as_ref(), row).unwrap();
    let violations = strings(col("violations").as_ref(), row).unwrap();
    (applicable, actions, conflicts, violations)
}

/// Every case through the columns and as JSON: one row per valid case with
/// the JSON case's outcomes, and an error with the JSON case's messages
/// (and its row number) for each invalid one.
fn same_as_json(g: &Guideline, cases: &[Value], first_row: u64) {
    let program = Program::new(g);
    let input = batch_of(g, cases);
    let mut cohort = CohortEvaluator::new(
        g,
        &program,
        input.schema_ref(),
        &ColumnMap::default(),
        &[],
        Some(as_of_day()),
    )
    .unwrap();
    let out = cohort.evaluate(&input, first_row).unwrap();
    let rows = out
        .results
        .column_by_name("row")
        .unwrap()
        .as_primitive::<arrow::datatypes::UInt64Type>();
    let (mut r, mut e) = (0usize, 0usize);
    // The cohort's counts, as the NDJSON pipeline counts each record.
    let mut tally = Tally::new(g.actions.len());
    for (i, case) in cases.iter().enumerate() {
        let number = first_row + i as u64;
        match parse_case(g, &case.to_string()).and_then(|mut c| c.default_as_of(g, as_of_day()).map(|()| c)) {
            Ok(c) => tally.add(&Evaluator::new(&program).run(&c)),
            Err(_) => tally.add_error(number),
        }
        match expected(g, &program, case, as_of_day()) {
            Ok(want) => {
                assert_eq!(rows.value(r), number, "row number of {case}");
                assert_eq!(observed(g, &out.results, r), want, "row {number}: {case}");
                r += 1;
            }
            Err(messages) => {
                let got = &out.errors[e];
                assert_eq!(got.row, number, "{case}");
                // The same problems; listed in column order here, in key order there.
                let mut got: Vec<String> = got.problems.iter().map(|p| p.message.clone()).collect();
                let mut messages = messages;
                got.sort();
                messages.sort();
                assert_eq!(got, messages, "row {number}: {case}");
                e += 1;
            }
        }
    }
    assert_eq!((r, e), (out.results.num_rows(), out.errors.len()));
    assert_eq!(cohort.tally(), &tally, "the cohort's counts");
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn columns_decide_as_json_cases_do(cases in prop::collection::vec(CaseSpace::of(&bundled()).partial(), 1..24), first in 1u64..1_000_000) {
        same_as_json(&bundled(), &cases, first);
    }

    /// Dates (Date32 columns), each row's own `as_of`, and dates after it
    /// (an error, as in a JSON case).
    #[test]
    fn dated_columns_decide_as_json_cases_do(
        cases in prop::collection::vec(CaseSpace::of(&tumour_lysis()).partial(), 1..16),
        own in prop::collection::vec(prop::option::of(0i64..800), 16),
    ) {
        let start = guidelang::time::parse_day("2024-10-01").unwrap();
        let cases: Vec<Value> = cases
            .into_iter()
            .zip(own)
            .map(|(mut c, d)| {
                if let (Some(d), Some(o)) = (d, c.as_object_mut()) {
                    o.insert("as_of".into(), json!(guidelang::time::format_day(start + d as f64)));
                }
                c
            })
            .collect();
        same_as_json(&tumour_lysis(), &cases, 1);
    }
}

/// One batch larger than the stage (a table handed over whole is read in
/// stretches of 1,024 rows, a batch of the files' 8,192 in eight): rows on
/// either side of a stretch's edge, valid and invalid, give exactly what
/// their JSON cases give, with their row numbers.
#[test]
fn a_batch_larger_than_the_stage_is_read_in_every_stretch() {
    let g = bundled();
    let mut cases = draw(&g, 8192 + 300);
    for i in [0, 1023, 1024, 1025, 4095, 8190, 8191, 8192, 8193, 8491] {
        cases[i]["wbc"] = json!(-1.0);
    }
    same_as_json(&g, &cases, 1);
}

#[test]
fn bad_values_get_the_json_messages_and_their_row_numbers() {
    let g = bundled();
    let cases = vec![
        json!({"als": true, "acute_leukemia": true, "wbc": 150.0, "weight": 70.0}),
        json!({"als": true, "wbc": -5.0}),
        json!({"als": true, "lineage": "myeloyd"}),
        json!({"als": true, "ecog": 7, "weight": 10.0}),
        json!({"als": false}),
    ];
    same_as_json(&g, &cases, 1);
    // And the messages are the ones written in the spec's terms.
    let program = Program::new(&g);
    let input = batch_of(&g, &cases);
    let mut cohort = CohortEvaluator::new(&g, &program, input.schema_ref(), &ColumnMap::default(), &[], None).unwrap();
    let out = cohort.evaluate(&input, 1).unwrap();
    let rows: Vec<u64> = out.errors.iter().map(|e| e.row).collect();
    assert_eq!(rows, [2, 3, 4]);
    assert_eq!(out.errors[1].problems[0].help, "did you mean \"myeloid\"?");
    assert_eq!(
        out.errors[1].problems[0].message,
        "`lineage` is \"myeloyd\", which is not one of \"myeloid\", \"lymphoid\" or \"undetermined\""
    );
    assert_eq!(out.errors[2].problems.len(), 2, "{:?}", out.errors[2]);
    assert_eq!(out.results.num_rows(), 2);
}

#[test]
fn other_arrow_types_read_as_the_plain_ones() {
    use arrow::array::{Decimal128Array, DictionaryArray, Float32Array, Int32Array, LargeStringArray, StringViewArray};
    use arrow::datatypes::Int8Type;
    let g = bundled();
    let program = Program::new(&g);
    let plain = batch(vec![
        (
            "als",
            Arc::new(arrow::array::BooleanArray::from(vec![true, true, true])),
        ),
        (
            "acute_leukemia",
            Arc::new(arrow::array::BooleanArray::from(vec![true, true, true])),
        ),
        (
            "wbc",
            Arc::new(arrow::array::Float64Array::from(vec![Some(150.0), Some(12.5), None])),
        ),
        (
            "ecog",
            Arc::new(arrow::array::Int64Array::from(vec![Some(1), None, Some(3)])),
        ),
        (
            "lineage",
            Arc::new(arrow::array::StringArray::from(vec![
                Some("myeloid"),
                None,
                Some("lymphoid"),
            ])),
        ),
        (
            "pml_rara",
            Arc::new(arrow::array::StringArray::from(vec![
                Some("negative"),
                Some("positive"),
                None,
            ])),
        ),
        (
            "weight",
            Arc::new(arrow::array::Float64Array::from(vec![Some(70.25), None, Some(80.0)])),
        ),
    ]);
    let other = batch(vec![
        ("als", plain.column(0).clone()),
        ("acute_leukemia", plain.column(1).clone()),
        (
            "wbc",
            Arc::new(
                Decimal128Array::from(vec![Some(15000), Some(1250), None])
                    .with_precision_and_scale(10, 2)
                    .unwrap(),
            ),
        ),
        ("ecog", Arc::new(Int32Array::from(vec![Some(1), None, Some(3)]))),
        (
            "lineage",
            Arc::new(
                vec![Some("myeloid"), None, Some("lymphoid")]
                    .into_iter()
                    .collect::<DictionaryArray<Int8Type>>(),
            ),
        ),
        (
            "pml_rara",
            Arc::new(LargeStringArray::from(vec![Some("negative"), Some("positive"), None])),
        ),
        (
            "weight",
            Arc::new(Float32Array::from(vec![Some(70.25), None, Some(80.0)])),
        ),
    ]);
    let view = batch(vec![
        (
            "pml_rara",
            Arc::new(StringViewArray::from(vec![Some("negative"), Some("positive"), None])),
        ),
        ("lineage", plain.column(4).clone()),
    ]);
    let run = |b: &RecordBatch| {
        let mut c = CohortEvaluator::new(&g, &program, b.schema_ref(), &ColumnMap::default(), &[], None).unwrap();
        let out = c.evaluate(b, 1).unwrap();
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        out.results
    };
    assert_eq!(run(&plain), run(&other));
    let (a, b) = (
        run(&batch(vec![
            ("pml_rara", plain.column(5).clone()),
            ("lineage", plain.column(4).clone()),
        ])),
        run(&view),
    );
    assert_eq!(a, b);
}

#[test]
fn a_column_that_cannot_hold_its_fact_is_refused_by_name() {
    let g = bundled();
    let program = Program::new(&g);
    let input = batch(vec![
        ("wbc", Arc::new(arrow::array::BooleanArray::from(vec![true]))),
        ("als", Arc::new(arrow::array::StringArray::from(vec!["yes"]))),
        ("mrn", Arc::new(arrow::array::StringArray::from(vec!["123"]))),
    ]);
    let mut map = ColumnMap::default();
    map.insert("weigth", "mrn");
    let errors = CohortEvaluator::new(&g, &program, input.schema_ref(), &map, &["nope".into()], None).unwrap_err();
    let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(errors.len(), 4, "{messages:?}");
    assert!(
        messages.iter().any(|m| m.contains("`weigth`, which is not a fact")),
        "{messages:?}"
    );
    assert!(errors.iter().any(|e| e.help == "did you mean `weight`?"));
    assert!(
        errors.iter().any(|e| e.column.as_deref() == Some("wbc")
            && e.fact.as_deref() == Some("wbc")
            && e.message
                .starts_with("column `wbc` is Boolean, which cannot hold `wbc`")),
        "{messages:?}"
    );
    assert!(errors
        .iter()
        .any(|e| e.column.as_deref() == Some("als") && e.message.contains("is Utf8")));
    assert!(messages
        .iter()
        .any(|m| m.contains("`nope` to keep is not in the cohort")));
    // A fact with no column is unknown, an unmapped extra column ignored.
    let input = batch(vec![("mrn", Arc::new(arrow::array::StringArray::from(vec!["123"])))]);
    let mut c = CohortEvaluator::new(&g, &program, input.schema_ref(), &ColumnMap::default(), &[], None).unwrap();
    let out = c.evaluate(&input, 1).unwrap();
    assert!(out.results.column_by_name("applicable").unwrap().is_null(0));
}

#[test]
fn mapped_columns_and_kept_ids() {
    let g = bundled();
    let program = Program::new(&g);
    let input = batch(vec![
        ("mrn", Arc::new(arrow::array::StringArray::from(vec!["a", "b", "c"]))),
        (
            "ALS",
            Arc::new(arrow::array::BooleanArray::from(vec![true, true, false])),
        ),
        (
            "acute_leukemia",
            Arc::new(arrow::array::BooleanArray::from(vec![true, true, true])),
        ),
        (
            "wbc_raw",
            Arc::new(arrow::array::Float64Array::from(vec![150.0, -1.0, 3.0])),
        ),
    ]);
    let map = ColumnMap::from_toml("[columns]\nals = \"ALS\"\nwbc = \"wbc_raw\"\n").unwrap();
    let mut c = CohortEvaluator::new(&g, &program, input.schema_ref(), &map, &["mrn".into()], None).unwrap();
    let out = c.evaluate(&input, 41).unwrap();
    let schema = out.results.schema();
    assert_eq!(schema.field(0).name(), "mrn");
    assert_eq!(schema.field(1).name(), "row");
    let ids = out.results.column(0).as_string::<i32>();
    assert_eq!((ids.value(0), ids.value(1)), ("a", "c"));
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].row, 42);
    assert_eq!(out.errors[0].problems[0].key.as_deref(), Some("wbc"));
    let applicable = out.results.column_by_name("applicable").unwrap().as_boolean();
    assert!(applicable.value(0) && !applicable.value(1));
    // Out of scope: every action is silent (null verdict, null needs).
    assert!(out.results.column_by_name("hydroxyurea").unwrap().is_null(1));
    assert!(out.results.column_by_name("hydroxyurea_needs").unwrap().is_null(1));
}

fn work_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// `guidelang eval --as-of AS_OF [extra] --cases input -o out`.
fn eval_to(input: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    guidelang()
        .args(["eval", "--as-of", AS_OF])
        .args(extra)
        .arg("--cases")
        .arg(input)
        .arg("-o")
        .arg(out)
        .output()
        .unwrap()
}

fn cohort_files(dir: &Path, g: &Guideline, cases: &[Value]) -> (PathBuf, PathBuf) {
    let nd = dir.join("cohort.ndjson");
    std::fs::write(&nd, ndjson(cases)).unwrap();
    let pq = dir.join("cohort.parquet");
    // Two row groups, so that row numbers run on across batches.
    let whole = batch_of(g, cases);
    let half = whole.num_rows() / 2;
    write(&pq, &[whole.slice(0, half), whole.slice(half, whole.num_rows() - half)]);
    (nd, pq)
}

#[test]
fn a_parquet_cohort_gives_the_ndjson_records() {
    let g = bundled();
    let mut cases = draw(&g, 300);
    cases[17] = json!({"als": true, "wbc": 1e9, "lineage": "myeloid"});
    cases[18] = json!({"als": true, "ecog": 9});
    let dir = work_dir();
    let (nd, pq) = cohort_files(dir.path(), &g, &cases);
    let arrow_file = dir.path().join("cohort.arrow");
    let arrow_stream = dir.path().join("cohort.arrows");
    write(&arrow_file, &[batch_of(&g, &cases)]);
    write(&arrow_stream, &[batch_of(&g, &cases)]);
    for format in [&["--format", "text"][..], &["--format", "json"][..]] {
        let want = guidelang()
            .args(["eval", "--as-of", AS_OF, "--cases"])
            .arg(&nd)
            .args(format)
            .output()
            .unwrap();
        assert_eq!(want.status.code(), Some(3), "{}", String::from_utf8_lossy(&want.stderr));
        for (input, jobs) in [(&pq, "1"), (&pq, "2"), (&arrow_file, "1"), (&arrow_stream, "2")] {
            let got = guidelang()
                .args(["eval", "--as-of", AS_OF, "--jobs", jobs, "--cases"])
                .arg(input)
                .args(format)
                .output()
                .unwrap();
            assert_eq!(got.status.code(), Some(3), "{}", String::from_utf8_lossy(&got.stderr));
            assert_eq!(
                String::from_utf8_lossy(&got.stdout),
                String::from_utf8_lossy(&want.stdout),
                "{} {format:?}",
                input.display()
            );
        }
    }
}

#[test]
fn a_parquet_output_has_a_row_per_valid_case_and_names_the_guideline() {
    let g = bundled();
    let mut cases = draw(&g, 200);
    cases[4] = json!({"als": true, "lineage": "T-cell"});
    let dir = work_dir();
    let (nd, pq) = cohort_files(dir.path(), &g, &cases);
    let out = dir.path().join("results.parquet");
    let run = eval_to(&pq, &out, &["--keep", "patient_id"]);
    assert_eq!(run.status.code(), Some(3), "{}", String::from_utf8_lossy(&run.stderr));
    // The error line on stderr is the NDJSON batch's, with `row` for `line`.
    let want = guidelang()
        .args(["eval", "--as-of", AS_OF, "--cases"])
        .arg(&nd)
        .output()
        .unwrap();
    let error_line: Value = String::from_utf8_lossy(&want.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v.get("errors").is_some())
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    let got: Value = serde_json::from_str(stderr.lines().find(|l| l.starts_with("{\"row\"")).unwrap()).unwrap();
    assert_eq!(got["row"], 5);
    assert_eq!(got["errors"], error_line["errors"]);
    let (schema, batches) = read(&out);
    let meta = schema.metadata();
    assert_eq!(meta["guidelang.guideline.id"], g.meta.id);
    assert_eq!(meta["guidelang.guideline.version"], g.meta.version.to_string());
    assert_eq!(meta["guidelang.guideline.hash"], g.hash);
    let file = std::fs::File::open(&out).unwrap();
    let footer = parquet::file::reader::SerializedFileReader::new(file).unwrap();
    use parquet::file::reader::FileReader;
    let kv = footer.metadata().file_metadata().key_value_metadata().unwrap();
    assert!(kv
        .iter()
        .any(|k| k.key == "guidelang.guideline.hash" && k.value.as_deref() == Some(g.hash.as_str())));
    // Min/max for the columns a reader filters row groups by (the kept id,
    // then `row`: p1 to p200 less p5, rows 1 to 200 less 5), none for the
    // result columns, whose few names would skip no group.
    let group = &footer.metadata().row_groups()[0];
    for column in group.columns() {
        let path = column.column_path().string();
        let stats = column.statistics();
        match path.as_str() {
            "patient_id" => {
                let stats = stats.expect("the kept id has statistics");
                assert_eq!(stats.min_bytes_opt(), Some(&b"p1"[..]));
                assert_eq!(stats.max_bytes_opt(), Some(&b"p99"[..]));
            }
            "row" => match stats {
                Some(parquet::file::statistics::Statistics::Int64(s)) => {
                    assert_eq!((s.min_opt(), s.max_opt()), (Some(&1), Some(&200)));
                }
                other => panic!("`row` has no row-number statistics: {other:?}"),
            },
            _ => assert!(stats.is_none(), "{path} has statistics: {stats:?}"),
        }
    }
    let results = arrow::compute::concat_batches(&schema, &batches).unwrap();
    assert_eq!(results.num_rows(), 199);
    let program = Program::new(&g);
    let mut r = 0;
    for case in &cases {
        if let Ok(want) = expected(&g, &program, case, as_of_day()) {
            assert_eq!(observed(&g, &results, r), want, "{case}");
            r += 1;
        }
    }
    let ids = results.column_by_name("patient_id").unwrap().as_string::<i32>();
    assert_eq!(ids.value(4), "p6", "row 5 is left out");
}

/// A cohort longer than one result row group (`RESULT_GROUP_ROWS`): the
/// results are written in more than one group, each bounded, and the rows
/// run on across the boundary with their numbers and their own outcomes.
#[test]
fn results_cross_row_groups_with_every_row_in_place() {
    use guidelang::columnar::files::RESULT_GROUP_ROWS;
    use parquet::file::reader::FileReader;
    let g = bundled();
    let mut cases = draw(&g, 500);
    cases[3] = json!({"als": true, "ecog": 9});
    let one = batch_of(&g, &cases);
    // 140 copies of 500 rows: 70,000 rows, past one group of 65,536.
    let copies = 140;
    let n = cases.len() * copies;
    assert!(n > RESULT_GROUP_ROWS && n < 2 * RESULT_GROUP_ROWS);
    let dir = work_dir();
    let pq = dir.path().join("cohort.parquet");
    write(&pq, &vec![one; copies]);
    let out = dir.path().join("results.parquet");
    let run = eval_to(&pq, &out, &[]);
    // Row 4 of every copy is invalid: reported, the rest evaluated.
    assert_eq!(run.status.code(), Some(3), "{}", String::from_utf8_lossy(&run.stderr));
    let error_rows: Vec<u64> = String::from_utf8_lossy(&run.stderr)
        .lines()
        .filter(|l| l.starts_with("{\"row\""))
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["row"].as_u64().unwrap())
        .collect();
    let want_errors: Vec<u64> = (0..copies as u64).map(|c| c * 500 + 4).collect();
    assert_eq!(error_rows, want_errors);
    let footer = parquet::file::reader::SerializedFileReader::new(std::fs::File::open(&out).unwrap()).unwrap();
    let groups: Vec<i64> = footer.metadata().row_groups().iter().map(|r| r.num_rows()).collect();
    let valid = n - copies;
    assert_eq!(
        groups,
        vec![RESULT_GROUP_ROWS as i64, (valid - RESULT_GROUP_ROWS) as i64]
    );
    let (schema, batches) = read(&out);
    let results = arrow::compute::concat_batches(&schema, &batches).unwrap();
    assert_eq!(results.num_rows(), valid);
    let rows = results
        .column_by_name("row")
        .unwrap()
        .as_primitive::<arrow::datatypes::UInt64Type>();
    let program = Program::new(&g);
    let want: Vec<Option<Expected>> = cases
        .iter()
        .map(|c| expected(&g, &program, c, as_of_day()).ok())
        .collect();
    let mut r = 0;
    for row in 1..=n as u64 {
        let Some(want) = &want[(row as usize - 1) % cases.len()] else {
            continue;
        };
        assert_eq!(rows.value(r), row);
        // Every row near the boundary, and a sample of the rest.
        if r.abs_diff(RESULT_GROUP_ROWS) < 600 || r % 97 == 0 {
            assert_eq!(&observed(&g, &results, r), want, "row {row}");
        }
        r += 1;
    }
    assert_eq!(r, valid);
    // Several jobs write the one job's file byte for byte, and report the
    // invalid rows in the same order.
    let out3 = dir.path().join("results-3.parquet");
    let run3 = eval_to(&pq, &out3, &["--jobs", "3"]);
    assert_eq!(run3.status.code(), Some(3));
    let rows_of = |stderr: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(stderr)
            .lines()
            .filter(|l| l.starts_with("{\"row\""))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(rows_of(&run3.stderr), rows_of(&run.stderr));
    assert!(
        std::fs::read(&out3).unwrap() == std::fs::read(&out).unwrap(),
        "--jobs 3 wrote another file"
    );
}

/// The jobs hand batches on in input order, whichever finishes first, with
/// each batch's own counts; a taker that stops ends the run without
/// waiting for the rest of the input.
#[test]
fn jobs_hand_batches_on_in_order_and_stop_when_asked() {
    use guidelang::columnar::jobs::{evaluate_in_order, BatchOutcome};
    let g = bundled();
    let program = Program::new(&g);
    let cases = draw(&g, 40);
    let one = batch_of(&g, &cases);
    let make = || {
        CohortEvaluator::new(
            &g,
            &program,
            one.schema_ref(),
            &ColumnMap::default(),
            &[],
            Some(as_of_day()),
        )
        .unwrap()
    };
    // 30 batches of 40 rows, some cut short so that the jobs' work differs.
    let batches: Vec<RecordBatch> = (0..30).map(|i| one.slice(0, 40 - (i % 7) * 5)).collect();
    let mut firsts = Vec::new();
    let mut records = 0;
    evaluate_in_order(
        vec![make(), make(), make()],
        batches.clone().into_iter().map(Ok::<_, ()>),
        |outcome| {
            let BatchOutcome::Evaluated(e, tally) = outcome else {
                panic!("every batch evaluates")
            };
            let rows = e
                .results
                .column_by_name("row")
                .unwrap()
                .as_primitive::<arrow::datatypes::UInt64Type>();
            let first_error = e.errors.first().map(|r| r.row);
            firsts.push(rows.value(0).min(first_error.unwrap_or(u64::MAX)));
            assert_eq!(tally.records as usize, e.results.num_rows() + e.errors.len());
            records += tally.records;
            true
        },
    );
    let mut want = Vec::new();
    let mut row = 1u64;
    for b in &batches {
        want.push(row);
        row += b.num_rows() as u64;
    }
    assert_eq!(firsts, want, "batches in input order, rows numbered across them");
    assert_eq!(records, row - 1);
    // Stop after two batches; an unreadable batch ends it too.
    let mut taken = 0;
    evaluate_in_order(
        vec![make(), make()],
        batches.clone().into_iter().map(Ok::<_, ()>),
        |_| {
            taken += 1;
            taken < 2
        },
    );
    assert_eq!(taken, 2);
    let mut seen = Vec::new();
    let input = batches
        .into_iter()
        .take(3)
        .map(Ok)
        .chain(std::iter::once(Err("broken")));
    evaluate_in_order(vec![make(), make()], input, |o| {
        seen.push(match o {
            BatchOutcome::Evaluated(..) => "evaluated",
            BatchOutcome::Unreadable(e) => e,
            BatchOutcome::Refused(_) => "refused",
        });
        true
    });
    assert_eq!(seen, ["evaluated", "evaluated", "evaluated", "broken"]);
}

#[test]
fn schema_errors_stop_before_any_row_and_write_nothing() {
    let g = bundled();
    let dir = work_dir();
    let input = batch(vec![("wbc", Arc::new(arrow::array::StringArray::from(vec!["150"])))]);
    let pq = dir.path().join("bad.parquet");
    write(&pq, &[input]);
    let out = dir.path().join("results.parquet");
    let run = guidelang()
        .args(["eval", "--cases"])
        .arg(&pq)
        .arg("-o")
        .arg(&out)
        .args(["--column", "als=ALS"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&run.stderr);
    // The messages themselves are the library's (checked above); the
    // diagnostics wrap them, so only their subjects are looked for here.
    assert!(stderr.contains("Utf8") && stderr.contains("`ALS`"), "{stderr}");
    assert!(stderr.contains("nothing was evaluated"), "{stderr}");
    assert!(!out.exists());
    assert!(run.stdout.is_empty());
    let _ = g;
}

#[test]
fn columnar_options_are_refused_where_they_mean_nothing() {
    let dir = work_dir();
    let nd = dir.path().join("c.ndjson");
    std::fs::write(&nd, "{\"als\": true}\n").unwrap();
    let run = guidelang()
        .args(["eval", "--cases"])
        .arg(&nd)
        .args(["--column", "als=x"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("apply to a Parquet or Arrow cohort"));
    let g = bundled();
    let (_, pq) = cohort_files(dir.path(), &g, &draw(&g, 4));
    let run = guidelang()
        .args(["eval", "--cases"])
        .arg(&pq)
        .args(["--keep", "patient_id"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("--keep copies id columns"));
}
