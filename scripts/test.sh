#!/usr/bin/env bash
# Install everything (Debian's chromium included) and run the whole test suite.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
source "$(dirname "$0")/_venv.sh" requirements-dev.txt
.venv/bin/python -m pytest -q -p no:cacheprovider tests "$@"
