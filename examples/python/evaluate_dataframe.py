"""Evaluates a cohort table with the guidelang Python package, in Rust, one
Arrow batch at a time, and writes one result row per case.

    pip install pyarrow==26.0.1 target/wheels/guidelang-*.whl
    python examples/python/evaluate_dataframe.py guidelines/als-hyperleukocytosis.gl \\
        cohort.parquet results.parquet --keep patient_id --as-of 2026-12-01

The cohort is a Parquet file or NDJSON (one JSON case a line, read into typed
columns from the guideline's own fact declarations); its columns are named
after the facts (`--column fact=column` renames). The results are the
columnar shape of `guidelang eval --cases cohort.parquet -o results.parquet`
and name the guideline (id, version, content hash) in their schema metadata.
Rows that are not valid cases are reported with their row numbers and left
out of the results; the exit code is then 3, as on the command line.

Works with a pandas DataFrame too: `pyarrow.Table.from_pandas(df)` in,
`results.to_pandas()` out (pandas is not needed otherwise).
"""

import argparse
import sys

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json
import pyarrow.parquet as pq

import guidelang

# The Arrow type of each kind of fact, for reading NDJSON into typed columns.
ARROW_TYPES = {"bool": pa.bool_(), "integer": pa.int64(), "number": pa.float64(), "enum": pa.string(), "date": pa.string()}


def read_cohort(path, guideline, columns):
    if path.endswith(".parquet"):
        return pq.read_table(path)
    # NDJSON: the facts' columns typed by their declarations (a JSON 150 is
    # then a float for a number fact, as the case reader takes it); other
    # keys are inferred and ignored unless kept.
    fields = [pa.field(columns.get(f.name, f.name), ARROW_TYPES[f.kind]) for f in guideline.facts]
    options = pyarrow.json.ParseOptions(explicit_schema=pa.schema(fields), unexpected_field_behavior="infer")
    return pyarrow.json.read_json(path, parse_options=options)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("guideline", help="the guideline file (.gl)")
    p.add_argument("cohort", help="the cohort: .parquet, or NDJSON")
    p.add_argument("results", nargs="?", help="where to write the results (.parquet); else a summary only")
    p.add_argument("--keep", action="append", default=[], help="an id column to carry into the results")
    p.add_argument("--column", action="append", default=[], metavar="FACT=COLUMN", help="read FACT from COLUMN")
    p.add_argument("--as-of", help="the evaluation date, YYYY-MM-DD (default: today, UTC)")
    args = p.parse_args()

    try:
        guideline = guidelang.Guideline.load(args.guideline)
    except guidelang.GuidelineError as e:
        print(e, file=sys.stderr)
        return 1
    columns = dict(pair.split("=", 1) for pair in args.column)
    table = read_cohort(args.cohort, guideline, columns)

    status = 0
    try:
        results = guideline.evaluate_arrow(table, columns=columns, keep=args.keep, as_of=args.as_of)
    except guidelang.CohortError as e:
        print(f"error: the cohort does not suit the guideline:\n{e}", file=sys.stderr)
        return 3
    except guidelang.CaseError as e:
        # Invalid rows: reported by row number, the others' results kept.
        print(e, file=sys.stderr)
        results = e.results
        status = 3

    print(f"{guideline.id} {guideline.version} ({guideline.content_hash})")
    print(f"{table.num_rows} cases, {results.num_rows} evaluated")
    for action in guideline.actions:
        counts = pc.value_counts(results[action.name]).to_pylist()
        decided = ", ".join(f"{c['counts']} {c['values']}" for c in counts if c["values"] is not None)
        undecided = results.num_rows - results[f"{action.name}_needs"].null_count
        print(f"  {action.name}: {decided or 'none decided'}; {undecided} undecided")
    if args.results:
        pq.write_table(results, args.results)
        print(f"results written to {args.results}")
    return status


if __name__ == "__main__":
    sys.exit(main())
