"""The command line on Parquet files written by pyarrow, as a data platform
writes them: snappy (pyarrow's default) and uncompressed files are read;
a file compressed with a codec this build does not read (zstd, gzip) is
refused by name before any row is read, and no result file is left."""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import ALS, AS_OF, run_cli


def cohort():
    return pa.table(
        {
            "patient_id": pa.array(["p1", "p2", "p3"]),
            "als": pa.array([True, False, None]),
            "acute_leukemia": pa.array([True, True, True]),
            "wbc": pa.array([152.0, 4.1, None]),
            "lineage": pa.array(["myeloid", None, "myeloid"]),
        }
    )


@pytest.mark.parametrize("codec", ["snappy", "none"])
def test_a_snappy_or_plain_cohort_is_read(tmp_path, codec):
    path = tmp_path / "cohort.parquet"
    pq.write_table(cohort(), path, compression=codec)
    out = tmp_path / "results.parquet"
    code, _, stderr = run_cli("eval", ALS, "--as-of", AS_OF, "--cases", path, "--keep", "patient_id", "-o", out)
    assert code == 0, stderr
    results = pq.read_table(out)
    assert results.column("patient_id").to_pylist() == ["p1", "p2", "p3"]
    assert results.column("row").to_pylist() == [1, 2, 3]
    # Patient 2 has no ALS: out of scope. Patient 3's ALS is unknown.
    assert results.column("applicable").to_pylist()[1:] == [False, None]


@pytest.mark.parametrize("codec", ["zstd", "gzip"])
def test_another_codec_is_refused_by_name_and_nothing_is_written(tmp_path, codec):
    path = tmp_path / "cohort.parquet"
    pq.write_table(cohort(), path, compression=codec)
    assert pq.read_metadata(path).row_group(0).column(0).compression.lower() == codec
    out = tmp_path / "results.parquet"
    code, stdout, stderr = run_cli("eval", ALS, "--as-of", AS_OF, "--cases", path, "-o", out)
    assert code != 0
    assert code != 3, "no row may be judged from a file that cannot be read"
    assert f"compressed with {codec.upper()}" in stderr, stderr
    assert "snappy" in stderr, "the message says what is read"
    assert "patient_id" in stderr, "the message names the column"
    assert not out.exists()
    assert stdout == ""
