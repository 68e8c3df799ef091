"""`Guideline.evaluate_arrow`: a pyarrow table evaluated in Rust, compared
row by row with `evaluate` on the same cases (generated from the fact
declarations), and its refusals."""

import datetime
import math

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guidelang
from conftest import AS_OF

ARROW_TYPES = {"bool": pa.bool_(), "integer": pa.int64(), "number": pa.float64(), "enum": pa.string()}


def fact_values(fact):
    """A strategy for one fact's value: unknown (None) or a valid value."""
    if fact.kind == "bool":
        known = st.booleans()
    elif fact.kind == "integer":
        known = st.integers(int(fact.min if fact.min is not None else -1000), int(fact.max if fact.max is not None else 1000))
    elif fact.kind == "number":
        low = fact.min if fact.min is not None else -1000.0
        high = fact.max if fact.max is not None else max(low + 1000.0, 1000.0)
        # Round numbers and values near the guideline's thresholds both matter.
        known = st.one_of(
            st.integers(math.ceil(low), math.floor(high)).map(float),
            st.floats(low, high, allow_nan=False, allow_infinity=False),
        )
    elif fact.kind == "enum":
        known = st.sampled_from(fact.values)
    else:
        known = st.dates(datetime.date(2000, 1, 1), datetime.date(2026, 11, 30)).map(lambda d: d.isoformat())
    return st.one_of(st.none(), known)


def table_of(guideline, cases):
    columns = {}
    for f in guideline.facts:
        columns[f.name] = pa.array([c.get(f.name) for c in cases], type=ARROW_TYPES.get(f.kind, pa.string()))
    return pa.table(columns)


def amount(low, high, unit):
    """A dose as compared: its amount with its unit, or None when no amount
    was worked out (a fact it needs is unknown: the table leaves the unit out
    then, the JSON report names the unit it would have)."""
    return None if low is None and high is None else (low, high, unit)


def expected_row(guideline, report):
    """What the results row of a case must hold, read off its JSON report."""
    decided = {d["action"]: d for d in report["decisions"]}
    undecided = {u["action"]: u for u in report["undecided"]}
    row = {"applicable": report["applicable"]}
    for a in guideline.actions:
        d = decided.get(a.name)
        row[a.name] = d["verdict"] if d else None
        row[f"{a.name}_needs"] = undecided[a.name]["needs"] if a.name in undecided else None
        dose = (d or {}).get("dose")
        row[f"{a.name}_dose"] = amount(dose["low"], dose["high"], dose["unit"]) if dose else None
    row["conflicts"] = [c["action"] for c in report["conflicts"]]
    row["violations"] = [v["invariant"] for v in report["violations"]]
    return row


def actual_row(guideline, results, i, names):
    row = {"applicable": results["applicable"][i].as_py()}
    for a in guideline.actions:
        row[a.name] = results[a.name][i].as_py()
        row[f"{a.name}_needs"] = results[f"{a.name}_needs"][i].as_py()
        if f"{a.name}_dose_low" in names:
            low, high, unit = (results[f"{a.name}_dose_{k}"][i].as_py() for k in ("low", "high", "unit"))
            # The JSON report gives doses to 4 decimals; the table in full.
            low, high = (None if x is None else round(x, 4) for x in (low, high))
            row[f"{a.name}_dose"] = amount(low, high, unit)
        else:
            row[f"{a.name}_dose"] = None
    row["conflicts"] = results["conflicts"][i].as_py()
    row["violations"] = results["violations"][i].as_py()
    return row


def cases_of(guideline):
    return st.lists(st.fixed_dictionaries({f.name: fact_values(f) for f in guideline.facts}), min_size=1, max_size=40)


@pytest.mark.parametrize("which", ["als", "tls"])
def test_each_row_is_what_evaluate_says_of_its_case(request, which):
    guideline = request.getfixturevalue(which)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(cases_of(guideline))
    def check(cases):
        cases = [{k: v for k, v in c.items() if v is not None} for c in cases]
        results = guideline.evaluate_arrow(table_of(guideline, cases), as_of=AS_OF)
        assert results.num_rows == len(cases)
        assert results["row"].to_pylist() == list(range(1, len(cases) + 1))
        names = set(results.column_names)
        for i, case in enumerate(cases):
            expected = expected_row(guideline, guideline.evaluate(case, as_of=AS_OF))
            assert actual_row(guideline, results, i, names) == expected, (i, case)

    check()


def test_a_record_batch_and_a_table_of_batches_give_the_same_rows(als):
    cases = [
        {"als": True, "acute_leukemia": True, "wbc": 150.0, "weight": 70.0},
        {"als": False},
        {"als": True, "acute_leukemia": True, "lineage": "myeloid", "wbc": 45.0, "blasts": 25.0},
    ]
    table = table_of(als, cases)
    whole = als.evaluate_arrow(table, as_of=AS_OF)
    one_batch = als.evaluate_arrow(table.to_batches()[0], as_of=AS_OF)
    chunked = als.evaluate_arrow(pa.Table.from_batches(table.to_batches(max_chunksize=1)), as_of=AS_OF)
    assert whole.equals(one_batch) and whole.equals(chunked)
    assert whole["row"].to_pylist() == [1, 2, 3]
    # Out of scope (no ALS): not applicable, nothing decided.
    assert whole["applicable"].to_pylist()[1] is False
    assert whole["hydroxyurea"].to_pylist()[1] is None


def test_the_results_name_the_guideline(als):
    results = als.evaluate_arrow(table_of(als, [{"als": True}]), as_of=AS_OF)
    meta = {k.decode(): v.decode() for k, v in results.schema.metadata.items()}
    assert meta["guidelang.guideline.id"] == als.id
    assert meta["guidelang.guideline.version"] == als.version
    assert meta["guidelang.guideline.hash"] == als.content_hash


def test_ids_are_kept_columns_are_mapped_and_rows_numbered_from_first_row(als):
    table = pa.table(
        {
            "patient": ["p1", "p2"],
            "white_cells": [150.0, 20.0],
            "als": [True, True],
            "acute_leukemia": [True, True],
        }
    )
    results = als.evaluate_arrow(table, columns={"wbc": "white_cells"}, keep=["patient"], as_of=AS_OF, first_row=101)
    assert results.column_names[:2] == ["patient", "row"]
    assert results["patient"].to_pylist() == ["p1", "p2"]
    assert results["row"].to_pylist() == [101, 102]
    for i, wbc in enumerate([150.0, 20.0]):
        report = als.evaluate({"als": True, "acute_leukemia": True, "wbc": wbc}, as_of=AS_OF)
        assert actual_row(als, results, i, set(results.column_names)) == expected_row(als, report)


def test_invalid_rows_raise_with_their_row_numbers_and_the_rest_evaluated(als):
    cases = [{"als": True, "wbc": 150.0}, {"als": True, "wbc": -1.0}, {"als": True, "wbc": 20.0}]
    with pytest.raises(guidelang.CaseError) as raised:
        als.evaluate_arrow(table_of(als, cases), as_of=AS_OF)
    e = raised.value
    assert [(p.row, p.key) for p in e.problems] == [(2, "wbc")]
    # The same words as the same value in a case.
    with pytest.raises(guidelang.CaseError) as single:
        als.evaluate({"als": True, "wbc": -1.0}, as_of=AS_OF)
    assert e.problems[0].message == single.value.problems[0].message
    assert "row 2" in str(e)
    # Nothing lost: the valid rows' results travel with the error.
    assert e.results["row"].to_pylist() == [1, 3]


def test_a_column_that_cannot_hold_its_fact_is_refused_before_any_row(als):
    table = pa.table({"als": [True], "wbc": ["150"]})
    with pytest.raises(guidelang.CohortError) as raised:
        als.evaluate_arrow(table, as_of=AS_OF)
    e = raised.value
    assert [p.key for p in e.problems] == ["wbc"]
    assert "wbc" in e.problems[0].message
    assert not hasattr(e, "results")


def test_a_mapped_fact_that_does_not_exist_is_refused(als):
    with pytest.raises(guidelang.CohortError, match="wbcc"):
        als.evaluate_arrow(pa.table({"x": [1.0]}), columns={"wbcc": "x"})


def test_not_a_table_is_a_type_error(als):
    with pytest.raises((TypeError, ValueError)):
        als.evaluate_arrow([{"als": True}])
