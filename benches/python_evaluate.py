"""Rows per second of the Python package on one core: `evaluate_arrow` on a
whole table against `evaluate` case by case, on the same random cohort.

    target/py-venv/bin/python benches/python_evaluate.py 200000

The cohort is made here from the guideline's fact declarations (each fact
known with probability 0.8, a valid value otherwise uniform in its range or
among its members; seeded, so reproducible) and built as typed Arrow columns
before the clock starts; `evaluate` gets each row as a dict.
"""

import random
import sys
import time

import pyarrow as pa

import guidelang


def value(rng, fact):
    if rng.random() < 0.2:
        return None
    if fact.kind == "bool":
        return rng.random() < 0.5
    if fact.kind == "enum":
        return rng.choice(fact.values)
    if fact.kind == "date":
        return f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"
    low = fact.min if fact.min is not None else 0.0
    high = fact.max if fact.max is not None else low + 400.0
    x = rng.uniform(low, high)
    return round(x) if fact.kind == "integer" else round(x, 1)


TYPES = {"bool": pa.bool_(), "integer": pa.int64(), "number": pa.float64(), "enum": pa.string(), "date": pa.string()}


def main(rows="200000", guideline_path="guidelines/als-hyperleukocytosis.gl", sample="20000"):
    rows, sample = int(rows), int(sample)
    g = guidelang.Guideline.load(guideline_path)
    rng = random.Random(20)
    cases = [{f.name: value(rng, f) for f in g.facts} for _ in range(rows)]
    table = pa.table({f.name: pa.array([c[f.name] for c in cases], TYPES[f.kind]) for f in g.facts})
    start = time.perf_counter()
    results = g.evaluate_arrow(table, as_of="2026-12-01")
    arrow_s = time.perf_counter() - start
    print(f"evaluate_arrow: {rows} rows in {arrow_s:.3f} s: {rows / arrow_s:,.0f} rows/s ({results.num_rows} results)")
    dicts = [{k: v for k, v in c.items() if v is not None} for c in cases[:sample]]
    start = time.perf_counter()
    for case in dicts:
        g.evaluate(case, as_of="2026-12-01")
    dict_s = time.perf_counter() - start
    print(f"evaluate (a dict in, the JSON report out as objects): {sample} cases in {dict_s:.3f} s: "
          f"{sample / dict_s:,.0f} cases/s")


if __name__ == "__main__":
    main(*sys.argv[1:])
