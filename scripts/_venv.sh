# Shared by run.sh and test.sh: a project virtualenv on Python 3.11 with pinned requirements.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON_BIN="${PYTHON_BIN:-$(command -v python3.11 || command -v python3)}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON_BIN" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$1"
# The package itself, editable: the `cxmetrics` command works from any directory.
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
# Its bytecode, written once as pip does for an installed package: a new server process loads it instead of
# compiling every module from source (also where PYTHONDONTWRITEBYTECODE is set, as on the CI machines).
.venv/bin/python -m compileall -q cxmetrics
