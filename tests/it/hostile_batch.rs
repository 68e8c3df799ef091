//! Hostile cohorts: whatever bytes a cohort holds, every input line gets
//! exactly one output line, in order, numbered with its input line: a
//! decision record or an error record. A broken line never stops the batch
//! or shifts the lines after it, and the output does not depend on the
//! number of threads. The library is driven directly here (the CLI's cohort
//! errors are in `tests/errors.rs`).
//!
//! `GUIDELANG_PROPTEST_CASES` raises the number of cases for a soak.

use std::io::Cursor;
use std::sync::OnceLock;

use guidelang::batch::{self, CsvSource, NdjsonSource, RecordFormat, RecordSource, Work};
use guidelang::compile::Program;
use guidelang::model::Guideline;
use proptest::prelude::*;
use serde_json::Value;

fn bundled() -> &'static (Guideline, Program) {
    static G: OnceLock<(Guideline, Program)> = OnceLock::new();
    G.get_or_init(|| {
        let g = guidelang::bundled().unwrap();
        let p = Program::new(&g);
        (g, p)
    })
}

/// Lines as the batch counts them: every `\n` ends one, and a last line
/// without it counts too.
fn input_lines(bytes: &[u8]) -> usize {
    match bytes.last() {
        None => 0,
        Some(&last) => bytes.iter().filter(|&&b| b == b'\n').count() + usize::from(last != b'\n'),
    }
}

/// Runs a cohort through the batch with `jobs` threads; the output lines,
/// parsed, and the number of records the tally counted.
fn run(input: &[u8], csv: bool, jobs: usize, format: RecordFormat) -> Option<(Vec<Value>, u64)> {
    let (g, program) = bundled();
    let columns: Vec<_>;
    let mut source: Box<dyn RecordSource> = if csv {
        let source = CsvSource::new(g, Cursor::new(input.to_vec())).ok()?;
        columns = source.columns().to_vec();
        Box::new(source)
    } else {
        columns = Vec::new();
        Box::new(NdjsonSource::new(Cursor::new(input.to_vec())))
    };
    let work = Work {
        guideline: g,
        program,
        format,
        summary: false,
        columns: csv.then_some(&columns[..]),
        as_of: None,
    };
    let mut out = Vec::new();
    let tally = batch::run(&work, source.as_mut(), &mut out, jobs, &mut |_, _| {}).unwrap();
    let text = String::from_utf8(out).expect("the output is UTF-8");
    let lines = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("every output line is JSON"))
        .collect();
    Some((lines, tally.records))
}

/// Every line answered once, in order, with its own number; the same output
/// on one thread and on three.
fn answers_every_line(input: &[u8], csv: bool) {
    for format in [RecordFormat::Brief, RecordFormat::Contract] {
        let Some((one, records)) = run(input, csv, 1, format) else {
            // A CSV header that names no fact stops the batch before any record.
            assert!(csv);
            return;
        };
        let (three, _) = run(input, csv, 3, format).unwrap();
        assert_eq!(one, three, "the output depends on the number of threads");
        let first = usize::from(csv) + 1;
        let expected: Vec<u64> = (first..=input_lines(input)).map(|n| n as u64).collect();
        let got: Vec<u64> = one.iter().map(|r| r["line"].as_u64().unwrap()).collect();
        assert_eq!(got, expected, "input {:?}", String::from_utf8_lossy(input));
        assert_eq!(records, expected.len() as u64);
        for record in &one {
            let is_error = record.get("errors").is_some();
            let is_decision = record.get("applicable").is_some() || record.get("applicability").is_some();
            assert!(is_error != is_decision, "{record}");
        }
    }
}

/// Lines of a cohort: valid cases, near misses and garbage.
fn ndjson_line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => Just(br#"{"als": true, "wbc": 150, "weight": 70}"#.to_vec()),
        1 => Just(br#"{"als": false}"#.to_vec()),
        1 => Just(b"{}".to_vec()),
        1 => Just(br#"{"als": true, "wbc": NaN}"#.to_vec()),
        1 => Just(br#"{"als": true, "wbc": 1e999}"#.to_vec()),
        1 => Just(br#"{"als": true,"#.to_vec()),
        1 => Just(b"\xef\xbb\xbf{\"als\": true}".to_vec()),
        1 => Just(b"{\"als\": true}\r".to_vec()),
        1 => Just(b"\r".to_vec()),
        1 => Just(Vec::new()),
        1 => Just(b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]".to_vec()),
        1 => Just(b"{\"lineage\": \"my\xffeloid\"}".to_vec()),
        1 => Just(b"\0\0\0".to_vec()),
        2 => proptest::collection::vec(any::<u8>().prop_filter("no line end", |b| *b != b'\n'), 0..40),
        2 => "[^\n]{0,40}".prop_map(String::into_bytes),
    ]
}

fn csv_line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => Just(b"true,150,myeloid".to_vec()),
        1 => Just(b",,".to_vec()),
        1 => Just(b"true,\"150\",\"myeloid\"".to_vec()),
        1 => Just(b"true,\"150,myeloid".to_vec()),
        1 => Just(b"true,150,myeloid,extra".to_vec()),
        1 => Just(b"true".to_vec()),
        1 => Just(b"true,1e999,myeloid\r".to_vec()),
        1 => Just(b"true,150\rfalse,1,lymphoid".to_vec()),
        1 => Just(b"\xff,\xfe,x".to_vec()),
        1 => Just(Vec::new()),
        2 => proptest::collection::vec(any::<u8>().prop_filter("no line end", |b| *b != b'\n'), 0..40),
        2 => "[^\n]{0,40}".prop_map(String::into_bytes),
    ]
}

fn join(lines: &[Vec<u8>], final_newline: bool) -> Vec<u8> {
    let mut out = lines.join(&b'\n');
    if final_newline && !lines.is_empty() {
        out.push(b'\n');
    }
    out
}

proptest! {
    #![proptest_config(crate::common::gen::config(64))]

    #[test]
    fn any_ndjson_cohort_is_answered_line_by_line(
        lines in proptest::collection::vec(ndjson_line(), 0..40),
        final_newline in any::<bool>(),
    ) {
        answers_every_line(&join(&lines, final_newline), false);
    }

    #[test]
    fn any_bytes_as_an_ndjson_cohort(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        answers_every_line(&bytes, false);
    }

    #[test]
    fn any_csv_cohort_is_answered_line_by_line(
        lines in proptest::collection::vec(csv_line(), 0..40),
        final_newline in any::<bool>(),
        bom in any::<bool>(),
    ) {
        let mut input = if bom { b"\xef\xbb\xbf".to_vec() } else { Vec::new() };
        input.extend_from_slice(b"als,wbc,lineage\n");
        input.extend(join(&lines, final_newline));
        answers_every_line(&input, true);
    }

    #[test]
    fn any_bytes_as_a_csv_cohort(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        answers_every_line(&bytes, true);
        let mut input = b"als,wbc\n".to_vec();
        input.extend_from_slice(&bytes);
        answers_every_line(&input, true);
    }
}

/// Regression: the CSV reader let a quoted cell run across lines, so one
/// stray quote swallowed every line after it (9 lines in, 2 records out).
#[test]
fn a_stray_quote_in_a_csv_cohort_breaks_its_own_line_only() {
    let input = b"als,wbc,lineage\ntrue,150,myeloid\ntrue,\"150,myeloid\nfalse,10,lymphoid\ntrue,150,myeloid\n";
    answers_every_line(input, true);
    let (lines, _) = run(input, true, 1, RecordFormat::Brief).unwrap();
    assert!(lines[1]["errors"][0]["message"].as_str().unwrap().contains("quote"));
    assert_eq!(lines[2]["applicable"], false);
}

/// Regression: with CRLF line ends the CSV records were numbered one line
/// early, and a blank line was skipped without an output line, so the numbers
/// after it were wrong too.
#[test]
fn csv_line_numbers_hold_with_crlf_and_blank_lines() {
    answers_every_line(b"als,wbc\r\ntrue,150\r\nfalse,1\r\n", true);
    answers_every_line(b"als,wbc\ntrue,150\n\nfalse,1\n", true);
    let (lines, _) = run(b"als,wbc\ntrue,150\n\nfalse,1\n", true, 1, RecordFormat::Brief).unwrap();
    assert!(lines[1]["errors"][0]["message"].as_str().unwrap().contains("empty"));
}

/// A lone carriage return ends a CSV record: a line holding two rows is one
/// error, not one row silently dropped.
#[test]
fn a_carriage_return_inside_a_csv_line_is_an_error_of_that_line() {
    let (lines, _) = run(b"als,wbc\ntrue,150\rfalse,1\ntrue,2\n", true, 1, RecordFormat::Brief).unwrap();
    assert_eq!(lines.len(), 2);
    assert!(lines[0]["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("more than one row"));
}

#[test]
fn an_oversized_line_anywhere_is_one_error_and_the_rest_follow() {
    let huge = vec![b'x'; guidelang::facts::MAX_CASE_BYTES + 10];
    for csv in [false, true] {
        let mut input = if csv { b"als,wbc\n".to_vec() } else { Vec::new() };
        let valid: &[u8] = if csv { b"true,150" } else { br#"{"als": true}"# };
        input.extend_from_slice(valid);
        input.push(b'\n');
        input.extend_from_slice(&huge);
        input.push(b'\n');
        input.extend_from_slice(valid);
        answers_every_line(&input, csv);
    }
    // A CSV header past the limit stops the batch before any record.
    let mut header = vec![b'a'; guidelang::facts::MAX_CASE_BYTES + 10];
    header.extend_from_slice(b"\ntrue\n");
    let (g, _) = bundled();
    let refused = CsvSource::new(g, Cursor::new(header));
    assert!(matches!(refused, Err(Ok(e)) if e.message.contains("limited to")));
}
