"""`Guideline.evaluate`: the hand-worked expectations of the example cases,
the command line's JSON for the same case, and the command line's messages
for a case that is refused."""

import json

import pytest

import guidelang
from conftest import ALS, AS_OF, CASES, cli_eval, example_case_names, run_cli


def flat(text):
    """The CLI's rendered problems with the frame and line wrapping taken out."""
    return " ".join(text.replace("│", " ").replace("×", " ").split())


def differences(path, expected, actual, out):
    """Every field of `expected` that `actual` does not match (numbers to
    5e-5 relative, lists of actions by action, in order), as in the Rust
    examples test."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            out.append(f"{path}: expected an object, got {actual!r}")
            return
        for k, v in expected.items():
            if k not in actual:
                out.append(f"{path}.{k}: missing")
            else:
                differences(f"{path}.{k}", v, actual[k], out)
    elif isinstance(expected, list) and all(isinstance(i, dict) and "action" in i for i in expected + (actual or [])):
        got = [i["action"] for i in actual]
        want = [i["action"] for i in expected]
        if got != want:
            out.append(f"{path}: actions {got}, expected {want}")
            return
        for e, a in zip(expected, actual):
            differences(f"{path}[{e['action']}]", e, a, out)
    elif isinstance(expected, list):
        if not isinstance(actual, list) or len(expected) != len(actual):
            out.append(f"{path}: expected {expected!r}, got {actual!r}")
            return
        for i, (e, a) in enumerate(zip(expected, actual)):
            differences(f"{path}[{i}]", e, a, out)
    elif isinstance(expected, float) or (isinstance(expected, int) and not isinstance(expected, bool)):
        if not isinstance(actual, (int, float)) or abs(expected - actual) > 5e-5 * max(abs(expected), 1):
            out.append(f"{path}: expected {expected}, got {actual!r}")
    elif expected != actual:
        out.append(f"{path}: expected {expected!r}, got {actual!r}")


@pytest.mark.parametrize("name", example_case_names())
def test_each_example_case_gives_its_hand_worked_report(als, name):
    case = json.loads((CASES / f"{name}.json").read_text())
    expected = json.loads((CASES / f"{name}.expected.json").read_text())
    report = als.evaluate(case, as_of=AS_OF)
    out = []
    differences("", expected, report, out)
    assert not out, "\n".join(out)
    assert report["guideline"]["hash"] == als.content_hash


@pytest.mark.parametrize("name", example_case_names())
def test_evaluate_is_the_command_lines_json(als, name):
    case_path = CASES / f"{name}.json"
    assert als.evaluate(json.loads(case_path.read_text()), as_of=AS_OF) == cli_eval(ALS, case_path)


def test_a_refused_case_raises_case_error_with_the_command_lines_messages(als, tmp_path):
    case = {"als": True, "wbc": "high", "alss": True, "lineage": "myelod"}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(case))
    code, stdout, stderr = run_cli("eval", ALS, "--case", path, "--format", "json", "--as-of", AS_OF)
    assert code == 3 and stdout == ""
    with pytest.raises(guidelang.CaseError) as raised:
        als.evaluate(case, as_of=AS_OF)
    e = raised.value
    assert isinstance(e, guidelang.GuidelangError)
    assert sorted(p.key for p in e.problems) == ["alss", "lineage", "wbc"]
    for p in e.problems:
        assert p.row is None
        # The CLI says `<file>: <message>` and the same help.
        assert flat(f"{path}: {p.message}") in flat(stderr)
        assert flat(p.help) in flat(stderr)
    by_key = {p.key: p for p in e.problems}
    assert "did you mean `als`?" in by_key["alss"].help
    assert "nothing was evaluated" in str(e)


@pytest.mark.parametrize("case", [[1, 2], {"wbc": float("nan")}, {"wbc": 10**400}, {"als": {"nested": True}}])
def test_values_json_cannot_hold_are_refused_as_in_a_case_file(als, tmp_path, case):
    path = tmp_path / "case.json"
    # The text the package hands the case reader: Python's own compact JSON
    # (NaN as `NaN`, as json.dumps writes it), so that places in messages agree.
    path.write_text(json.dumps(case, separators=(",", ":")))
    code, _, stderr = run_cli("eval", ALS, "--case", path, "--as-of", AS_OF)
    assert code == 3
    with pytest.raises(guidelang.CaseError) as raised:
        als.evaluate(case, as_of=AS_OF)
    assert raised.value.problems
    for p in raised.value.problems:
        assert flat(f"{path}: {p.message}") in flat(stderr)


def test_a_value_of_no_json_type_is_a_type_error(als):
    with pytest.raises(TypeError, match="set"):
        als.evaluate({"als": {1, 2}})
    with pytest.raises(TypeError, match="fact names"):
        als.evaluate({1: True})


def test_the_evaluation_date_is_given_or_today(als):
    import datetime

    case = {"als": True, "acute_leukemia": True}
    assert als.evaluate(case, as_of="2026-12-01")["as_of"] == "2026-12-01"
    assert als.evaluate(case, as_of=datetime.date(2025, 3, 4))["as_of"] == "2025-03-04"
    today = datetime.datetime.now(datetime.timezone.utc).date()
    assert als.evaluate(case)["as_of"] in {today.isoformat(), (today + datetime.timedelta(days=1)).isoformat()}
    with pytest.raises(ValueError, match="as_of"):
        als.evaluate(case, as_of="01/12/2026")
