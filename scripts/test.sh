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
.venv/bin/python -m pytest -q -p no:cacheprovider tests "$@"
