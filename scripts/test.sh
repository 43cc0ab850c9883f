#!/usr/bin/env bash
# Install everything (Debian's chromium and a Java runtime included) and run the whole test suite.
set -euo pipefail
# Debian packages: chromium for the browser tests, a Java runtime for Spark (tests/test_lake.py)
MISSING=""
command -v chromium >/dev/null 2>&1 || MISSING="$MISSING chromium"
command -v java >/dev/null 2>&1 || MISSING="$MISSING openjdk-17-jre-headless"
if [ -n "$MISSING" ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $MISSING >/dev/null
fi
source "$(dirname "$0")/_venv.sh" requirements-dev.txt
# Two workers, one test file each at a time (module fixtures such as the 1M lake are built once): most long
# tests wait on a browser, a JVM or a subprocess, so two workers take about 12 of the 18 minutes one takes.
.venv/bin/python -m pytest -q -p no:cacheprovider -n "${CXMETRICS_TEST_WORKERS:-2}" --dist loadfile tests "$@"
