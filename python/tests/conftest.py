"""Shared fixtures: the repository's files, the bundled guideline loaded
through the installed package, and the command line to compare with."""

import json
import os
import pathlib
import subprocess

import pytest

import guidelang

ROOT = pathlib.Path(__file__).resolve().parents[2]
ALS = ROOT / "guidelines" / "als-hyperleukocytosis.gl"
TLS = ROOT / "guidelines" / "tumour-lysis-prophylaxis.gl"
CASES = ROOT / "examples" / "cases"
# A fixed evaluation date: reports name it, and the CLI is given the same.
AS_OF = "2026-12-01"


@pytest.fixture(scope="session")
def als():
    return guidelang.Guideline.load(str(ALS))


@pytest.fixture(scope="session")
def tls():
    return guidelang.Guideline.load(str(TLS))


def cli_path():
    path = os.environ.get("GUIDELANG") or str(ROOT / "target" / "release" / "guidelang")
    if not pathlib.Path(path).is_file():
        pytest.fail(f"the guidelang binary is missing at {path}: build it or set GUIDELANG")
    return path


def run_cli(*args):
    """Runs the command line; returns (exit code, stdout, stderr)."""
    env = dict(os.environ, NO_COLOR="1")
    out = subprocess.run([cli_path(), *map(str, args)], capture_output=True, text=True, env=env, timeout=120)
    return out.returncode, out.stdout, out.stderr


def cli_eval(guideline, case_path):
    """`guidelang eval G --case C --format json --as-of AS_OF`, parsed."""
    code, stdout, stderr = run_cli("eval", guideline, "--case", case_path, "--format", "json", "--as-of", AS_OF)
    assert code in (0, 5), f"exit {code}: {stderr}"
    return json.loads(stdout)


def example_case_names():
    names = sorted(p.name[: -len(".expected.json")] for p in CASES.glob("*.expected.json"))
    assert len(names) >= 10, "the example cases are missing"
    return names
