"""The runnable example, examples/python/evaluate_dataframe.py, end to end."""

import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq

from conftest import ALS, AS_OF, ROOT

EXAMPLE = ROOT / "examples" / "python" / "evaluate_dataframe.py"


def test_the_example_evaluates_a_parquet_cohort_and_reports_bad_rows(als, tmp_path):
    cohort = pa.table(
        {
            "patient_id": ["a", "b", "c"],
            "als": [True, True, True],
            "acute_leukemia": [True, True, True],
            "wbc": [150.0, -5.0, 20.0],
            "weight": [70.0, 70.0, None],
        }
    )
    pq.write_table(cohort, tmp_path / "cohort.parquet")
    out = subprocess.run(
        [sys.executable, EXAMPLE, ALS, tmp_path / "cohort.parquet", tmp_path / "results.parquet",
         "--keep", "patient_id", "--as-of", AS_OF],
        capture_output=True, text=True, timeout=120,
    )
    # Row 2 (wbc below 0) is invalid: reported, left out, exit 3.
    assert out.returncode == 3, out.stderr
    assert "row 2" in out.stderr
    assert f"{als.id} {als.version} ({als.content_hash})" in out.stdout
    assert "3 cases, 2 evaluated" in out.stdout
    results = pq.read_table(tmp_path / "results.parquet")
    assert results["patient_id"].to_pylist() == ["a", "c"]
    for i, case in enumerate([{"wbc": 150.0, "weight": 70.0}, {"wbc": 20.0}]):
        report = als.evaluate({"als": True, "acute_leukemia": True, **case}, as_of=AS_OF)
        verdicts = {d["action"]: d["verdict"] for d in report["decisions"]}
        for a in als.actions:
            assert results[a.name][i].as_py() == verdicts.get(a.name), (i, a.name)
