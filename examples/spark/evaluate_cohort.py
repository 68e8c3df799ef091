"""Evaluate a Parquet cohort against a guideline on Apache Spark.

The recipe for a data platform: the cohort stays a Spark DataFrame, each
executor's Python worker evaluates its partitions with the guidelang Python
package through ``DataFrame.mapInArrow`` (Arrow record batches in and out, no
row-by-row conversion), and the results are written back as Parquet, one row
per valid case, in the same columns ``guidelang eval --cases X.parquet -o
Y.parquet`` writes, plus the guideline's identity on every row.

    PYSPARK_PYTHON=$(command -v python) python examples/spark/evaluate_cohort.py \\
        guidelines/als-hyperleukocytosis.gl cohort.parquet results/ \\
        --keep patient_id --master 'local[2]'

On a cluster, ``spark-submit examples/spark/evaluate_cohort.py ...`` with the
wheel installed on every executor (or shipped with ``--archives`` as a packed
virtual environment) and without ``--master``.

How the guideline travels: the driver reads and checks it once (a guideline
that fails is reported with its diagnostics before any job starts), then
broadcasts its text; each partition compiles it once
(``Guideline.from_str``) and evaluates batch after batch with
``evaluate_arrow``. Nothing but the text (a few kilobytes) crosses the wire.

Rows: ``row`` is the case's 1-based position in its Parquet file, the number
the CLI reports, read from Spark's ``_metadata.row_index`` (a batch in a worker
does not know where in the file it started). Rows that fail validation are
not in the results; they are written, with their row number and the
messages, to ``ERRORS`` when given, and counted on the driver either way.
"""

from __future__ import annotations

import argparse
import sys

import pyarrow as pa

import guidelang

# Spark's own column of a file row's position; read under a name no cohort uses.
ROW_INDEX = "__guidelang_row_index"
FILE_PATH = "__guidelang_file_path"
# Provenance columns: a result row read on its own still says which guideline
# (id, version, content hash) made it. The CLI's Parquet carries the same in
# its schema metadata, which Spark does not keep.
PROVENANCE = ("guideline_id", "guideline_version", "guideline_hash")
META_KEYS = {
    "guideline_id": b"guidelang.guideline.id",
    "guideline_version": b"guidelang.guideline.version",
    "guideline_hash": b"guidelang.guideline.hash",
}


def spark_compatible(schema: pa.Schema) -> pa.Schema:
    """The result schema with unsigned integers made signed: Spark has no
    unsigned types, and a row number fits in 63 bits."""
    fields = []
    for field in schema:
        if pa.types.is_unsigned_integer(field.type):
            field = field.with_type(pa.int64())
        fields.append(field)
    return pa.schema(fields, metadata=schema.metadata)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("guideline", help="the guideline file (.gl)")
    p.add_argument("cases", help="the cohort: a Parquet file or a directory of them")
    p.add_argument("out", help="the results directory (Parquet), replaced if present")
    p.add_argument(
        "--keep",
        action="append",
        default=[],
        metavar="COLUMN",
        help="an id column of the cohort to carry into the results (repeatable)",
    )
    p.add_argument("--errors", metavar="DIR", help="write the rows that failed validation here (Parquet)")
    p.add_argument("--master", help="Spark master, e.g. local[2] (default: spark-submit's)")
    p.add_argument(
        "--batch-rows",
        type=int,
        default=8192,
        help="rows per Arrow batch handed to the evaluator (spark.sql.execution.arrow.maxRecordsPerBatch)",
    )
    p.add_argument(
        "--conf",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a Spark setting, as spark-submit's --conf (repeatable)",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)

    # Checked on the driver first: a guideline with errors stops here, with
    # its diagnostics, before a cluster is asked for anything.
    try:
        with open(args.guideline, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        print(f"error: cannot read the guideline {args.guideline}: {e}", file=sys.stderr)
        return 2
    try:
        guideline = guidelang.Guideline.from_str(text)
    except guidelang.GuidelineError as e:
        print(f"error: the guideline {args.guideline} does not load:\n{e}", file=sys.stderr)
        return 2

    # Imported late so that `--help` and a bad guideline need no JVM.
    from pyspark.sql import SparkSession, functions as F
    from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

    builder = SparkSession.builder.appName("guidelang-evaluate-cohort").config(
        "spark.sql.execution.arrow.maxRecordsPerBatch", str(args.batch_rows)
    )
    if args.master:
        builder = builder.master(args.master)
    for setting in args.conf:
        key, sep, value = setting.partition("=")
        if not sep or not key:
            print(f"error: --conf {setting!r} is not KEY=VALUE", file=sys.stderr)
            return 2
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    try:
        return run(spark, F, from_arrow_schema, to_arrow_schema, guideline, text, args)
    finally:
        spark.stop()


def run(spark, F, from_arrow_schema, to_arrow_schema, guideline, text, args) -> int:
    cases = spark.read.parquet(args.cases)
    missing = [c for c in args.keep if c not in cases.columns]
    if missing:
        print(f"error: no column {', '.join(missing)} in {args.cases} to keep", file=sys.stderr)
        return 2
    cases = cases.select(
        "*",
        F.col("_metadata.row_index").alias(ROW_INDEX),
        F.col("_metadata.file_path").alias(FILE_PATH),
    )
    keep = list(args.keep)
    kept = keep + [ROW_INDEX, FILE_PATH]

    # The result schema, and whether the cohort's columns suit the facts,
    # decided once on the driver from an empty batch of the cohort's schema:
    # a column of the wrong type stops the job here, by name.
    empty = to_arrow_schema(cases.schema).empty_table()
    try:
        probe = guideline.evaluate_arrow(empty, keep=kept)
    except guidelang.CohortError as e:
        print(f"error: the cohort {args.cases} does not suit the guideline:\n{e}", file=sys.stderr)
        return 2
    meta = probe.schema.metadata or {}
    identity = {name: meta.get(key, b"").decode() for name, key in META_KEYS.items()}
    result_arrow = spark_compatible(probe.schema.remove_metadata())
    result_schema = from_arrow_schema(result_arrow)

    shipped = spark.sparkContext.broadcast(text)
    error_rows = spark.sparkContext.accumulator(0)

    def evaluate_partition(batches):
        # Compiled once per partition, on the executor, from the broadcast
        # text: the compiled guideline is not picklable and need not be.
        g = guidelang.Guideline.from_str(shipped.value)
        for batch in batches:
            out = g.evaluate_arrow(batch, keep=kept)
            error_rows.add(batch.num_rows - out.num_rows)
            yield from out.cast(result_arrow).to_batches()

    results = cases.mapInArrow(evaluate_partition, result_schema)
    # `row`: the case's 1-based position in its file, as the CLI numbers it.
    results = results.withColumn("row", F.col(ROW_INDEX) + 1).drop(ROW_INDEX, FILE_PATH)
    for name in PROVENANCE:
        results = results.withColumn(name, F.lit(identity[name]))
    results.write.mode("overwrite").parquet(args.out)

    written = spark.read.parquet(args.out).count()
    print(
        f"{written} results written to {args.out} by {identity['guideline_id']} "
        f"{identity['guideline_version']} ({identity['guideline_hash']}); "
        f"{error_rows.value} rows failed validation",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
