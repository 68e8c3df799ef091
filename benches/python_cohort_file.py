"""CPU per row of the Python package's `evaluate_arrow` on the command
line's benchmark cohort, so the two can be set side by side:

    cargo run --release --example cohort -- 200000 > c.ndjson
    cargo run --release --example parquet -- c.ndjson c.arrow
    target/py-venv/bin/python benches/python_cohort_file.py c.arrow

The Arrow IPC file is read into a `pyarrow.Table` before the clock starts;
the table is then evaluated whole (results table built, `patient_id` kept),
five times, and the run with the least CPU time is reported.
"""

import sys
import time

import pyarrow.ipc as ipc

import guidelang


def main(path, guideline="guidelines/als-hyperleukocytosis.gl", as_of="2026-12-01"):
    g = guidelang.Guideline.load(guideline)
    table = ipc.open_file(path).read_all()
    best = None
    for _ in range(5):
        cpu, wall = time.process_time(), time.perf_counter()
        out = g.evaluate_arrow(table, as_of=as_of, keep=["patient_id"])
        run = (time.process_time() - cpu, time.perf_counter() - wall)
        best = run if best is None or run[0] < best[0] else best
    print(
        f"rows {table.num_rows}, results {out.num_rows}, best CPU {best[0]:.3f} s, "
        f"wall {best[1]:.3f} s, {table.num_rows / best[0]:,.0f} rows per CPU-second"
    )


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python_cohort_file.py COHORT.arrow [GUIDELINE] [AS_OF]")
    main(*sys.argv[1:])
