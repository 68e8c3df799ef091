"""Evaluate a Parquet cohort against a guideline on Apache Spark.

The recipe for a data platform: the cohort stays a Spark DataFrame, each
executor's Python worker evaluates its partitions with the guidelang Python
package through ``DataFrame.mapInArrow`` (Arrow record batches in and out, no
row-by-row conversion), and the results are written back as Parquet, one row
per valid case, in the columns ``guidelang eval --cases X.parquet -o
Y.parquet`` writes, plus the guideline's identity on every row.

    PYSPARK_PYTHON=$(command -v python) python examples/spark/evaluate_cohort.py \\
        guidelines/als-hyperleukocytosis.gl cohort.parquet results/ \\
        --keep patient_id --master 'local[2]'

On a cluster: ``spark-submit examples/spark/evaluate_cohort.py ...`` without
``--master``, the wheel installed on every executor (or a packed virtual
environment shipped with ``--archives``).

How the guideline travels: the driver reads and checks it once (a guideline
that fails is reported with its diagnostics before any job starts), then
broadcasts its text; each partition compiles it once (``Guideline.from_str``)
and evaluates batch after batch with ``evaluate_arrow``. Nothing but the text
(a few kilobytes) crosses the wire. The evaluation date is fixed on the
driver too, so that a job running past midnight uses one date.

Rows: ``row`` is the case's 1-based position in its Parquet file, the number
the CLI reports, read from Spark's ``_metadata.row_index`` (a batch in a
worker does not know where in the file it starts). Rows that fail validation
are left out of the results and reported (count, and the first problems with
their row numbers; all of them to ``--errors FILE`` as JSON lines).

Exit codes as the CLI's: 0 clean; 1 the guideline was refused; 2 bad usage or
a cohort whose columns do not suit the guideline; 3 some row was invalid; 5
some result holds a conflict or a violation.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from dataclasses import dataclass, field

import pyarrow as pa

import guidelang

# Spark's position of a row in its file, read under a name no cohort uses.
ROW_INDEX = "__guidelang_row_index"
# Provenance columns: a result row read on its own still says which guideline
# (id, version, content hash) made it. The CLI's Parquet carries the same in
# its schema metadata, which Spark does not keep.
PROVENANCE = {
    "guideline_id": b"guidelang.guideline.id",
    "guideline_version": b"guidelang.guideline.version",
    "guideline_hash": b"guidelang.guideline.hash",
}
# Problems kept in full per job; the count is always complete.
MAX_PROBLEMS = 10_000


def spark_compatible(schema: pa.Schema) -> pa.Schema:
    """The result schema with unsigned integers made signed (Spark has no
    unsigned types; a row number fits in 63 bits), the verdict columns'
    dictionaries as plain strings (Spark's Arrow reader takes no
    dictionaries; Parquet stores the strings dictionary-encoded all the
    same) and no metadata."""
    fields = []
    for f in schema:
        if pa.types.is_unsigned_integer(f.type):
            f = f.with_type(pa.int64())
        elif pa.types.is_dictionary(f.type):
            f = f.with_type(f.type.value_type)
        fields.append(f)
    return pa.schema(fields)


@dataclass
class Outcome:
    """What a job did: results written, rows refused and why, results
    flagged (a conflict or a violation), the guideline's identity."""

    results: int = 0
    invalid: int = 0
    problems: list = field(default_factory=list)
    flagged: int = 0
    identity: dict = field(default_factory=dict)


def problems_accumulator(spark):
    """(count, first problems) added up over tasks. A retried task counts
    twice (Spark's rule for accumulators); the results are exact regardless."""
    from pyspark.accumulators import AccumulatorParam

    class Problems(AccumulatorParam):
        def zero(self, value):
            return (0, [])

        def addInPlace(self, a, b):
            return (a[0] + b[0], (a[1] + b[1])[:MAX_PROBLEMS])

    return spark.sparkContext.accumulator((0, []), Problems())


class CohortMismatch(Exception):
    """The cohort's columns cannot be read for the guideline."""


def evaluate_cohort(spark, text: str, cases: str, out: str, keep: list, as_of: str) -> Outcome:
    """Evaluates the Parquet cohort `cases` against the guideline `text`
    (already checked by the caller) and writes the results to `out`."""
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

    guideline = guidelang.Guideline.from_str(text)
    frame = spark.read.parquet(cases)
    missing = [c for c in keep if c not in frame.columns]
    if missing:
        raise CohortMismatch(f"no column {', '.join(missing)} in {cases} to keep")
    frame = frame.select("*", F.col("_metadata.row_index").alias(ROW_INDEX))
    kept = list(keep) + [ROW_INDEX]

    # The result schema, and whether the cohort's columns suit the facts,
    # decided once on the driver from an empty batch of the cohort's schema:
    # a column of the wrong type stops the job here, by name.
    try:
        probe = guideline.evaluate_arrow(to_arrow_schema(frame.schema).empty_table(), keep=kept, as_of=as_of)
    except guidelang.CaseError as e:
        raise CohortMismatch(str(e)) from e
    meta = probe.schema.metadata or {}
    outcome = Outcome(identity={name: meta.get(key, b"").decode() for name, key in PROVENANCE.items()})
    result_arrow = spark_compatible(probe.schema)

    shipped = spark.sparkContext.broadcast(text)
    refused = problems_accumulator(spark)

    def evaluate_partition(batches):
        # Compiled once per partition, on the executor, from the broadcast
        # text: a compiled guideline is not picklable, and need not be.
        g = guidelang.Guideline.from_str(shipped.value)
        for batch in batches:
            try:
                out = g.evaluate_arrow(batch, keep=kept, as_of=as_of)
            except guidelang.CaseError as e:
                results = getattr(e, "results", None)
                if results is None:
                    raise  # not a row's problem: the job fails, saying why
                # A problem's row counts from the batch's start: the file's
                # row is the batch's own row index, plus one.
                index = batch.column(batch.schema.get_field_index(ROW_INDEX))
                problems = [
                    {"row": index[p.row - 1].as_py() + 1, "fact": p.key, "message": p.message, "help": p.help}
                    for p in e.problems
                ]
                refused.add((len({p["row"] for p in problems}), problems[:MAX_PROBLEMS]))
                out = results
            yield from out.cast(result_arrow).to_batches()

    results = frame.mapInArrow(evaluate_partition, from_arrow_schema(result_arrow))
    # `row`: the case's 1-based position in its file, as the CLI numbers it.
    results = results.withColumn("row", F.col(ROW_INDEX) + 1).drop(ROW_INDEX)
    for name, value in outcome.identity.items():
        results = results.withColumn(name, F.lit(value))
    results.write.mode("overwrite").parquet(out)

    outcome.invalid, outcome.problems = refused.value
    outcome.problems.sort(key=lambda p: p["row"])
    written = spark.read.parquet(out)
    outcome.results = written.count()
    outcome.flagged = written.where((F.size("conflicts") > 0) | (F.size("violations") > 0)).count()
    return outcome


def parse_args(argv: list) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("guideline", help="the guideline file (.gl)")
    p.add_argument("cases", help="the cohort: a Parquet file or a directory of them")
    p.add_argument("out", help="the results directory (Parquet), replaced if present")
    p.add_argument("--keep", action="append", default=[], metavar="COLUMN", help="an id column to carry into the results (repeatable)")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="the evaluation date (default: today, UTC, on the driver)")
    p.add_argument("--errors", metavar="FILE", help="write every refused row's problems here, as JSON lines")
    p.add_argument("--master", help="Spark master, e.g. local[2] (default: spark-submit's)")
    p.add_argument(
        "--batch-rows",
        type=int,
        default=8192,
        help="rows per Arrow batch handed to the evaluator (spark.sql.execution.arrow.maxRecordsPerBatch)",
    )
    p.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE", help="a Spark setting, as spark-submit's --conf")
    return p.parse_args(argv)


def main(argv: list | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    settings = []
    for setting in args.conf:
        key, sep, value = setting.partition("=")
        if not sep or not key:
            print(f"error: --conf {setting!r} is not KEY=VALUE", file=sys.stderr)
            return 2
        settings.append((key, value))
    as_of = args.as_of or datetime.datetime.now(datetime.timezone.utc).date().isoformat()

    # Checked on the driver first: a guideline with errors stops here, with
    # its diagnostics, before a cluster is asked for anything.
    try:
        with open(args.guideline, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        print(f"error: cannot read the guideline {args.guideline}: {e}", file=sys.stderr)
        return 4
    try:
        guidelang.Guideline.from_str(text)
    except guidelang.GuidelineError as e:
        print(f"error: the guideline {args.guideline} was refused:\n{e}", file=sys.stderr)
        return 1

    # Imported late: `--help` and a refused guideline need no JVM.
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("guidelang-evaluate-cohort")
    builder = builder.config("spark.sql.execution.arrow.maxRecordsPerBatch", str(args.batch_rows))
    if args.master:
        builder = builder.master(args.master)
    for key, value in settings:
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    try:
        outcome = evaluate_cohort(spark, text, args.cases, args.out, args.keep, as_of)
    except CohortMismatch as e:
        print(f"error: the cohort {args.cases} does not suit the guideline:\n{e}", file=sys.stderr)
        return 2
    finally:
        spark.stop()
    return report(outcome, args)


def report(outcome: Outcome, args: argparse.Namespace) -> int:
    who = outcome.identity
    print(
        f"{who['guideline_id']} {who['guideline_version']} ({who['guideline_hash']}): "
        f"{outcome.results} results written to {args.out}; {outcome.invalid} rows invalid, not evaluated; "
        f"{outcome.flagged} results with a conflict or violation",
        file=sys.stderr,
    )
    if args.errors:
        with open(args.errors, "w", encoding="utf-8") as f:
            for p in outcome.problems:
                f.write(json.dumps(p) + "\n")
    for p in outcome.problems[:10]:
        print(f"error: row {p['row']}: {p['message']}\n  help: {p['help']}", file=sys.stderr)
    if outcome.invalid > len({p["row"] for p in outcome.problems}):
        print(f"(only the first {MAX_PROBLEMS} problems are listed)", file=sys.stderr)
    if outcome.invalid:
        return 3
    if outcome.flagged:
        return 5
    return 0


if __name__ == "__main__":
    sys.exit(main())
