#!/usr/bin/env bash
# The Python package's CI: a fresh virtual environment (target/py-venv) with
# the pinned tools, the wheel built by maturin in release mode, installed as
# a user would install it, then pytest against the installed package.
#
# The wheel is built in the workspace's target/ (the release profile), so
# the compiled dependencies the release build of the CLI made are reused
# where their features agree; the library itself is compiled again (lean:
# no `cli` feature, plus `columnar` for Arrow).
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/py-venv
# Fresh every run: nothing left from an earlier run can make the tests pass.
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r python/requirements-test.txt

rm -rf target/wheels/guidelang-*.whl
"$venv/bin/maturin" build --release --quiet --manifest-path python/Cargo.toml --out target/wheels
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps target/wheels/guidelang-*.whl

# The tests compare with the command line's own output.
if [ -z "${GUIDELANG:-}" ]; then
  cargo build --release --quiet --bin guidelang
  GUIDELANG=$PWD/target/release/guidelang
fi
export GUIDELANG
# From the repository's root, not python/: the source folder `python/guidelang`
# (without the compiled module) must not shadow the installed package.
"$venv/bin/python" -m pytest -q -p no:cacheprovider python/tests
