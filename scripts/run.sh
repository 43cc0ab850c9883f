#!/usr/bin/env bash
# Install, load the bundled sample data (once), and start the dashboard.
set -euo pipefail
source "$(dirname "$0")/_venv.sh" requirements.txt
export CXMETRICS_DB="${CXMETRICS_DB:-data/cxmetrics.duckdb}"
.venv/bin/python -m cxmetrics load-sample
exec .venv/bin/python -m streamlit run app.py --server.headless true "$@"
