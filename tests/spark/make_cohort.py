"""Turns the synthetic cohort (NDJSON from `cargo run --example cohort`) into
the Parquet file the Spark test evaluates, as a data platform would hold it:
typed columns named after the facts (pyarrow infers the types from the JSON
values: numbers as doubles, `ecog` as an integer, enums as strings), an absent
fact a null, a `patient_id` column to carry through, and every EVERY-th row
given a weight outside 20-350 kg, which the guideline refuses: those rows must
be reported, not evaluated, by every route alike.

    python tests/spark/make_cohort.py cohort.ndjson cohort.parquet [EVERY]
"""

import sys

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj
import pyarrow.parquet as pq


def main() -> int:
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    source, target = sys.argv[1], sys.argv[2]
    every = int(sys.argv[3]) if len(sys.argv) == 4 else 97
    table = pj.read_json(source)
    n = table.num_rows
    ids = pa.array([f"P{i:07d}" for i in range(1, n + 1)])
    if every > 0 and "weight" in table.column_names:
        broken = pa.array([i % every == 0 for i in range(1, n + 1)])
        weight = table.column("weight")
        fixed = pc.if_else(broken, pa.scalar(500.0, weight.type), weight)
        table = table.set_column(table.column_names.index("weight"), "weight", fixed)
    table = table.add_column(0, "patient_id", ids)
    # Row groups smaller than the file, so that Spark splits the cohort into
    # several partitions (and a worker evaluates several batches) even here.
    pq.write_table(table, target, row_group_size=max(1, n // 4))
    print(f"{n} rows, {table.num_columns} columns -> {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
