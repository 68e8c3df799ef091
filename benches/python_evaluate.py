"""Rows per second of the Python package: `evaluate_arrow` on a whole table
against `evaluate` case by case, on the same cohort (one core).

    cargo run --release --example cohort -- 200000 > target/cohort.ndjson
    target/py-venv/bin/python benches/python_evaluate.py target/cohort.ndjson

The cohort is read into typed columns (as examples/python/evaluate_dataframe.py
does) before the clock starts; `evaluate` gets each row as a dict.
"""

import json
import sys
import time

import pyarrow as pa
import pyarrow.json

import guidelang

TYPES = {"bool": pa.bool_(), "integer": pa.int64(), "number": pa.float64(), "enum": pa.string(), "date": pa.string()}


def main(path, guideline_path="guidelines/als-hyperleukocytosis.gl", sample=20000):
    g = guidelang.Guideline.load(guideline_path)
    schema = pa.schema([pa.field(f.name, TYPES[f.kind]) for f in g.facts])
    table = pyarrow.json.read_json(path, parse_options=pyarrow.json.ParseOptions(explicit_schema=schema))
    start = time.perf_counter()
    try:
        results = g.evaluate_arrow(table, as_of="2026-12-01")
    except guidelang.CaseError as e:
        results = e.results
    arrow_s = time.perf_counter() - start
    print(f"evaluate_arrow: {table.num_rows} rows ({results.num_rows} valid) in {arrow_s:.3f} s: "
          f"{table.num_rows / arrow_s:,.0f} rows/s")
    cases = [json.loads(line) for line in open(path) if line.strip()][:sample]
    start = time.perf_counter()
    for case in cases:
        try:
            g.evaluate(case, as_of="2026-12-01")
        except guidelang.CaseError:
            pass
    dict_s = time.perf_counter() - start
    print(f"evaluate (dict in, report out): {len(cases)} cases in {dict_s:.3f} s: {len(cases) / dict_s:,.0f} cases/s")


if __name__ == "__main__":
    main(*sys.argv[1:])
