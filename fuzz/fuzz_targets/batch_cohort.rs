//! Any bytes as a cohort for the bundled guideline, read as NDJSON and as CSV
//! (the first byte picks which): every input line must get exactly one output
//! line, in order, numbered with its input line (the CSV header excepted),
//! and each output line must be JSON. Nothing may panic or run away.

#![no_main]

use std::io::Cursor;
use std::sync::OnceLock;

use guidelang::batch::{self, CsvSource, NdjsonSource, RecordFormat, RecordSource, Work};
use guidelang::compile::Program;
use guidelang::model::Guideline;
use libfuzzer_sys::fuzz_target;

fn bundled() -> &'static (Guideline, Program) {
    static G: OnceLock<(Guideline, Program)> = OnceLock::new();
    G.get_or_init(|| match guidelang::bundled() {
        Ok(g) => {
            let p = Program::new(&g);
            (g, p)
        }
        Err(_) => panic!("the bundled guideline must check"),
    })
}

fn input_lines(bytes: &[u8]) -> usize {
    match bytes.last() {
        None => 0,
        Some(&last) => bytes.iter().filter(|&&b| b == b'\n').count() + usize::from(last != b'\n'),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let csv = selector % 2 == 1;
    let format = if selector & 2 == 0 {
        RecordFormat::Brief
    } else {
        RecordFormat::Contract
    };
    let (g, program) = bundled();
    let columns: Vec<_>;
    let mut source: Box<dyn RecordSource> = if csv {
        let Ok(source) = CsvSource::new(g, Cursor::new(input)) else {
            return;
        };
        columns = source.columns().to_vec();
        Box::new(source)
    } else {
        columns = Vec::new();
        Box::new(NdjsonSource::new(Cursor::new(input)))
    };
    let work = Work {
        guideline: g,
        program,
        format,
        summary: false,
        columns: csv.then_some(&columns[..]),
        // A fixed evaluation date: a fuzz run must not depend on the clock.
        as_of: Some(20_788.0),
    };
    let mut out = Vec::new();
    let tally = match batch::run(&work, source.as_mut(), &mut out, 1, &mut |_, _| {}) {
        Ok(t) => t,
        Err(e) => panic!("reading from memory cannot fail: {e}"),
    };
    let text = match String::from_utf8(out) {
        Ok(t) => t,
        Err(_) => panic!("the output must be UTF-8"),
    };
    let first = usize::from(csv) + 1;
    let expected: Vec<u64> = (first..=input_lines(input)).map(|n| n as u64).collect();
    let got: Vec<u64> = text
        .lines()
        .map(|l| match serde_json::from_str::<serde_json::Value>(l) {
            Ok(v) => v["line"].as_u64().unwrap_or(0),
            Err(e) => panic!("an output line is not JSON: {e}: {l}"),
        })
        .collect();
    assert_eq!(got, expected, "one output line per input line, in order");
    assert_eq!(tally.records, expected.len() as u64);
});
