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
