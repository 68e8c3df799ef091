"""What the Spark route costs per row, against the direct one (docs/scale.md).

    target/spark-venv/bin/python benches/spark_bench.py [ROWS] [CORES]

(after tests/spark/run.sh has made target/spark-venv; ROWS 100,000 and
CORES 2 by default). On one synthetic Parquet cohort of ROWS rows, measures:

- the CLI: `guidelang eval G --cases cohort.parquet -o direct.parquet`
  (a child process: wall time, and CPU time from the kernel's accounting);
- the Python package in one process: `evaluate_arrow` on the whole table;
- Spark in local mode on CORES cores: the session's start-up, then the
  recipe's job (examples/spark/evaluate_cohort.py: read, mapInArrow,
  write, count), run twice (the first warms the JVM), and a job that moves
  the same cohort through mapInArrow untouched (Spark's own share); CPU
  time summed over the driver's whole process tree (the JVM and the Python
  workers), read from /proc.

CPU seconds per row do not depend much on what else the machine runs; wall
times do, so both are printed, with the load average. Figures go to stdout
and target/spark-bench/figures.json.
"""

from __future__ import annotations

import datetime
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples" / "spark"))

import guidelang  # noqa: E402
from evaluate_cohort import evaluate_cohort  # noqa: E402

GUIDELINE = ROOT / "guidelines" / "als-hyperleukocytosis.gl"
WORK = ROOT / "target" / "spark-bench"
TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu(root: int) -> float:
    """CPU seconds of `root` and its live descendants, with what their
    ended children used (utime, stime, cutime, cstime of /proc/PID/stat)."""
    parent, cpu = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # ended meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()
        pid = int(entry)
        parent[pid] = int(fields[1])
        cpu[pid] = sum(int(x) for x in fields[11:15]) / TICK
    total = 0.0
    for pid, seconds in cpu.items():
        p = pid
        while p and p != root:
            p = parent.get(p, 0)
        if p == root:
            total += seconds
    return total


def peak_memory(root: int) -> dict:
    """Peak resident memory (VmHWM, MB) of the JVM and of the largest Python
    worker under `root`, while they are alive."""
    peaks = {"jvm_mb": 0.0, "python_worker_mb": 0.0}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == root:
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if f"PPid:\t{root}\n" not in status and "pyspark.daemon" not in cmdline and "pyspark.worker" not in cmdline:
            continue
        hwm = next((line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")), "0")
        kind = "jvm_mb" if "java" in cmdline else "python_worker_mb"
        peaks[kind] = max(peaks[kind], int(hwm) / 1024)
    return {k: round(v) for k, v in peaks.items()}


def child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def measure(label: str, rows: int, wall: float, cpu: float, cores: int) -> dict:
    figure = {
        "route": label,
        "rows": rows,
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "rows_per_s": round(rows / wall),
        "rows_per_core_s_wall": round(rows / wall / cores),
        "rows_per_cpu_s": round(rows / cpu) if cpu > 0 else None,
        "cpu_us_per_row": round(cpu / rows * 1e6, 2),
    }
    print(
        f"{label:<34} {wall:8.2f} s wall {cpu:8.2f} s CPU  {figure['rows_per_s']:>9} rows/s  "
        f"{figure['rows_per_cpu_s'] or 0:>9} rows/CPU-s  {figure['cpu_us_per_row']:>8} us CPU/row",
        flush=True,
    )
    return figure


def main() -> int:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    cores = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    gl = os.environ.get("GUIDELANG", str(ROOT / "target" / "release" / "guidelang"))
    as_of = datetime.date.today().isoformat()
    WORK.mkdir(parents=True, exist_ok=True)
    cohort = WORK / "cohort.parquet"
    with open(WORK / "cohort.ndjson", "wb") as f:
        subprocess.run([str(ROOT / "target/release/examples/cohort"), str(rows)], stdout=f, check=True)
    subprocess.run(
        [sys.executable, str(ROOT / "tests/spark/make_cohort.py"), str(WORK / "cohort.ndjson"), str(cohort), "0"],
        check=True,
    )
    size = cohort.stat().st_size
    print(f"cohort: {rows} rows, {size / 1e6:.1f} MB Parquet; load average {os.getloadavg()}", flush=True)
    figures = {"rows": rows, "cores": cores, "cohort_bytes": size, "load_before": os.getloadavg(), "routes": []}

    # The direct route: one process, as a data engineer would run it.
    before, start = child_cpu(), time.perf_counter()
    cli = subprocess.run(
        [gl, "eval", str(GUIDELINE), "--cases", str(cohort), "--keep", "patient_id", "--as-of", as_of,
         "-o", str(WORK / "direct.parquet")],
    )
    if cli.returncode == 0:
        figures["routes"].append(measure("CLI eval --cases (1 process)", rows, time.perf_counter() - start, child_cpu() - before, 1))
        figures["results_bytes"] = (WORK / "direct.parquet").stat().st_size
    else:
        print(f"CLI route: {gl} exited {cli.returncode}; not measured", flush=True)

    # The Python package in this process, on the table in memory.
    table = pq.read_table(cohort)
    g = guidelang.Guideline.load(str(GUIDELINE))
    c0, start = time.process_time(), time.perf_counter()
    g.evaluate_arrow(table, keep=["patient_id"], as_of=as_of)
    figures["routes"].append(measure("Python evaluate_arrow (in memory)", rows, time.perf_counter() - start, time.process_time() - c0, 1))

    from pyspark.sql import SparkSession

    start = time.perf_counter()
    spark = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("guidelang-spark-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.range(1).count()
    figures["spark_startup_s"] = round(time.perf_counter() - start, 2)
    print(f"Spark start-up (session and a first job): {figures['spark_startup_s']} s", flush=True)
    me = os.getpid()
    text = GUIDELINE.read_text(encoding="utf-8")
    try:
        for run in (1, 2):
            c0, start = tree_cpu(me), time.perf_counter()
            outcome = evaluate_cohort(spark, text, str(cohort), str(WORK / "spark"), ["patient_id"], as_of)
            wall, cpu = time.perf_counter() - start, tree_cpu(me) - c0
            assert outcome.results == rows, f"{outcome.results} results of {rows} rows"
            figures["routes"].append(measure(f"Spark mapInArrow, run {run} (local[{cores}])", rows, wall, cpu, cores))
        # Spark's own share: the same read, mapInArrow and write, the batches untouched.
        frame = spark.read.parquet(str(cohort))
        c0, start = tree_cpu(me), time.perf_counter()
        frame.mapInArrow(lambda batches: batches, frame.schema).write.mode("overwrite").parquet(str(WORK / "identity"))
        figures["routes"].append(
            measure(f"Spark mapInArrow identity (local[{cores}])", rows, time.perf_counter() - start, tree_cpu(me) - c0, cores)
        )
        figures["peak_memory"] = peak_memory(me)
        print(f"peak resident memory: {figures['peak_memory']}", flush=True)
    finally:
        spark.stop()
    figures["spark_results_bytes"] = sum(p.stat().st_size for p in (WORK / "spark").glob("*.parquet"))
    figures["load_after"] = os.getloadavg()
    print(f"results: CLI {figures.get('results_bytes', 0) / 1e6:.1f} MB, Spark {figures['spark_results_bytes'] / 1e6:.1f} MB; "
          f"load average {figures['load_after']}")
    (WORK / "figures.json").write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
