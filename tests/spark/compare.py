"""Compares the three routes' results on one cohort, row by row.

    python tests/spark/compare.py GUIDELINE COHORT DIRECT SPARK [--keep COL] [--invalid-every N]

- DIRECT: what `guidelang eval GUIDELINE --cases COHORT -o DIRECT` wrote;
- SPARK: the directory examples/spark/evaluate_cohort.py wrote;
- the Python route is computed here: `Guideline.load(GUIDELINE)
  .evaluate_arrow(<the cohort as one pyarrow Table>)`.

All three must hold the same columns (Spark adds the guideline's id, version
and hash as columns, which must equal what the CLI's schema metadata says),
the same types (Spark has no unsigned integers: `row` is a signed 64-bit
there), and, ordered by `row`, the same values in every cell. The rows the
fixture made invalid (every N-th: a weight of 500 kg) must be missing from
every route, and no other row. Exits 1 and prints the first differences.
"""

from __future__ import annotations

import argparse
import json
import sys

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import guidelang

PROVENANCE = {
    "guideline_id": b"guidelang.guideline.id",
    "guideline_version": b"guidelang.guideline.version",
    "guideline_hash": b"guidelang.guideline.hash",
}
SHOWN = 10


class Differences:
    """Collects what differs; prints the first few of each comparison."""

    def __init__(self) -> None:
        self.count = 0

    def add(self, message: str) -> None:
        self.count += 1
        if self.count <= SHOWN:
            print(f"DIFF {message}", file=sys.stderr)
        elif self.count == SHOWN + 1:
            print("DIFF ... (more)", file=sys.stderr)


def by_row(table: pa.Table) -> pa.Table:
    return table.sort_by("row")


def compare_tables(name: str, expected: pa.Table, actual: pa.Table, diffs: Differences) -> None:
    """`actual` against `expected` (the CLI's), both sorted by row, column by column."""
    for field in expected.schema:
        if field.name not in actual.column_names:
            diffs.add(f"{name}: no column `{field.name}`")
            continue
        got = actual.schema.field(field.name).type
        want = field.type
        if pa.types.is_unsigned_integer(want) and name == "spark":
            want = pa.int64()
        # Spark takes no Arrow dictionaries: the verdicts come back as the
        # strings the CLI's dictionary holds.
        if pa.types.is_dictionary(want) and name == "spark":
            want = want.value_type
        # Spark names a list's items `element`, Arrow `item`: the same type.
        # A dictionary read back from Parquet may come with wider keys than
        # it was written with: the same names.
        if pa.types.is_list(want) and pa.types.is_list(got):
            same = want.value_type == got.value_type
        elif pa.types.is_dictionary(want) and pa.types.is_dictionary(got):
            same = want.value_type == got.value_type
        else:
            same = want == got
        if not same:
            diffs.add(f"{name}: column `{field.name}` is {got}, the CLI's is {field.type}")
    if expected.num_rows != actual.num_rows:
        diffs.add(f"{name}: {actual.num_rows} rows, the CLI wrote {expected.num_rows}")
    rows_expected = expected.column("row").to_pylist()
    rows_actual = actual.column("row").to_pylist()
    if rows_expected != rows_actual:
        missing = sorted(set(rows_expected) - set(rows_actual))[:SHOWN]
        extra = sorted(set(rows_actual) - set(rows_expected))[:SHOWN]
        diffs.add(f"{name}: other rows than the CLI's: missing {missing}, extra {extra}")
        return
    for field in expected.schema:
        if field.name not in actual.column_names:
            continue
        want = expected.column(field.name).to_pylist()
        got = actual.column(field.name).to_pylist()
        for row, w, g in zip(rows_expected, want, got):
            if w != g:
                diffs.add(f"{name}: row {row}, column `{field.name}`: CLI {w!r}, {name} {g!r}")


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("guideline")
    p.add_argument("cohort")
    p.add_argument("direct")
    p.add_argument("spark")
    p.add_argument("--keep", action="append", default=[])
    p.add_argument("--as-of", required=True)
    p.add_argument("--invalid-every", type=int, default=97)
    p.add_argument("--direct-stderr", required=True, help="what the CLI printed: its error lines")
    p.add_argument("--spark-errors", required=True, help="the recipe's --errors file")
    args = p.parse_args()
    diffs = Differences()

    cohort = pq.read_table(args.cohort)
    direct = by_row(pq.read_table(args.direct))
    spark = by_row(pq.read_table(args.spark))
    try:
        python = guidelang.Guideline.load(args.guideline).evaluate_arrow(cohort, keep=args.keep, as_of=args.as_of)
        python_refused = set()
    except guidelang.CaseError as e:
        python = e.results
        python_refused = {p.row for p in e.problems}
    python = by_row(python)

    # Not vacuous: the cohort reaches in-scope and out-of-scope results, and
    # some action states a dose, so that equal tables mean something.
    if direct.num_rows == 0:
        diffs.add("direct: no results at all")
    applicable = set(direct.column("applicable").to_pylist())
    if not {True, False} <= applicable:
        diffs.add(f"direct: applicability takes only {applicable}: the cohort is too narrow to compare")
    dosed = [c for c in direct.column_names if c.endswith("_dose_low")]
    if not any(pc.count(direct.column(c)).as_py() > 0 for c in dosed):
        diffs.add("direct: no dose anywhere: the cohort is too narrow to compare")

    # The invalid rows the fixture planted, and only they, are missing.
    n = cohort.num_rows
    invalid = {i for i in range(1, n + 1) if args.invalid_every > 0 and i % args.invalid_every == 0}
    evaluated = set(direct.column("row").to_pylist())
    want = set(range(1, n + 1)) - invalid
    if evaluated != want:
        diffs.add(
            f"direct: evaluated rows differ from the valid ones: missing {sorted(want - evaluated)[:SHOWN]}, "
            f"evaluated although invalid {sorted(evaluated - want)[:SHOWN]}"
        )

    # Each route reports the invalid rows by their row numbers.
    if python_refused != invalid:
        diffs.add(f"python: CaseError names rows {sorted(python_refused)[:SHOWN]}, expected {sorted(invalid)[:SHOWN]}")
    with open(args.spark_errors, encoding="utf-8") as f:
        spark_refused = {json.loads(line)["row"] for line in f if line.strip()}
    if spark_refused != invalid:
        diffs.add(f"spark: --errors names rows {sorted(spark_refused)[:SHOWN]}, expected {sorted(invalid)[:SHOWN]}")
    # The CLI's error lines on stderr: one JSON object per refused row.
    direct_refused = set()
    with open(args.direct_stderr, encoding="utf-8") as f:
        for line in f:
            if line.startswith("{"):
                direct_refused.add(json.loads(line).get("row"))
    if direct_refused != invalid:
        diffs.add(f"direct: stderr names rows {sorted(direct_refused)[:SHOWN]}, expected {sorted(invalid)[:SHOWN]}")

    # Provenance: the CLI's metadata, the Python route's, Spark's columns.
    meta = direct.schema.metadata or {}
    for column, key in PROVENANCE.items():
        value = meta.get(key)
        if not value:
            diffs.add(f"direct: no `{key.decode()}` in the schema metadata")
            continue
        if (python.schema.metadata or {}).get(key) != value:
            diffs.add(f"python: `{key.decode()}` is {(python.schema.metadata or {}).get(key)!r}, CLI {value!r}")
        if column not in spark.column_names:
            diffs.add(f"spark: no provenance column `{column}`")
            continue
        seen = set(spark.column(column).to_pylist())
        if seen != {value.decode()}:
            diffs.add(f"spark: `{column}` holds {sorted(map(str, seen))[:3]}, CLI {value.decode()!r}")

    # Same columns, in the same order (Spark's provenance after them).
    expected_columns = direct.column_names
    if python.column_names != expected_columns:
        diffs.add(f"python: columns {python.column_names}, CLI {expected_columns}")
    if spark.column_names != expected_columns + list(PROVENANCE):
        diffs.add(f"spark: columns {spark.column_names}, CLI {expected_columns} + {list(PROVENANCE)}")

    compare_tables("python", direct, python, diffs)
    compare_tables("spark", direct, spark, diffs)

    cells = direct.num_rows * direct.num_columns
    if diffs.count:
        print(f"FAIL: {diffs.count} differences ({direct.num_rows} rows, {cells} cells each)", file=sys.stderr)
        return 1
    print(
        f"ok: {direct.num_rows} results of {n} rows ({len(invalid)} invalid, reported by every route), "
        f"{direct.num_columns} columns: CLI, Python and Spark agree in every cell",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
