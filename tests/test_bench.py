"""The benchmark harnesses keep working: `python -m bench --quick`, then `python -m bench.load` on its store (their
figures are not judged here)."""
import json
import subprocess
import sys

from .conftest import ROOT


def test_quick_bench_runs_and_reports_every_row(tmp_path):
    out = tmp_path / "B.md"
    result = subprocess.run([sys.executable, "-m", "bench", "--quick", "--work", str(tmp_path), "--out", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    text = out.read_text()
    for row in ("CSV import (contacts)", "Peak RSS while importing", "Full KPI table, warm",
                "Full KPI table, cold", "KPI cells equal to the pandas peer", "Compliance, latest month",
                "Overview rerun (AppTest), cold", "Overview rerun (AppTest), cached", "One more month",
                "XLSX import (100,000 rows, every cell text), fastexcel", "KPI cells equal to the direct computation",
                "pages/channel.py first run (AppTest), cold", "Daily aggregated report",
                "Building the measures for this store", "Rebuild after the FCR window changes",
                "Asterisk queue_log, 2,000 contacts, import", "Amazon Connect contact records, 2,000 contacts",
                "`cxmetrics sample`, 20,000 contacts", "`export-lake`: the whole store as a Parquet lake",
                "Full monthly KPI table, DuckDB over the lake", "Full monthly KPI table, Spark local[2] over the lake",
                "Compliance at the latest month over the lake"):
        assert f"| {row}" in text, row
    saved = json.loads(out.with_suffix(".json").read_text())
    assert saved["results"][0]["peer_kpis"]["cells_compared"] == 24 * 7 * 10
    assert saved["machine"]["cores"] >= 1
    lake = saved["results"][0]["lake"]  # the engines printed the store's rows (the task fails otherwise)
    assert lake["duckdb_cells"] == lake["spark_cells"] == saved["results"][0]["kpis"]["rows"]
    assert saved["results"][0]["kpis_direct"]["cells_compared"] == saved["results"][0]["kpis"]["rows"]

    # The load test on the quick bench's store: every view drawn (a view that dies in AppTest's runtime counts as
    # an error and fails the command), the import landed, one row per run and their median.
    load = tmp_path / "LOAD.md"
    result = subprocess.run([sys.executable, "-m", "bench.load", "--db", str(tmp_path / "store_20000.duckdb"),
                             "--import-file", str(tmp_path / "next_month_20000.csv"), "--sessions", "4", "--views",
                             "4", "--runs", "1", "--out", str(load)], cwd=ROOT, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    text = load.read_text()
    assert "| 1 | 16 | 0 |" in text and "| **median of the runs** | 16 | 0 |" in text, text
    assert "20,000 → " in text and "20,000 → 20,000 contacts" not in text  # the import landed during the load


def test_the_lower_bound_builds_the_measures_an_import_builds(tmp_path):
    """`python -m bench.lower_bound` (bench/NOTES.md) measures a typed read and the store's measure rebuild: its
    store must hold the volumes, outcomes, waits and handle times a real import of the same file gives, or the
    bound would be measuring less work than the import does."""
    from bench.lower_bound import typed_read_and_measures
    from cxmetrics import Store, import_file
    from cxmetrics.sample import generate_table, write_table_csv

    contacts, _customers = generate_table(3000, months=2, end_month="2026-03")
    csv = write_table_csv(contacts, tmp_path / "contacts.csv")
    written, total = typed_read_and_measures(str(csv), tmp_path)
    assert 0 < written < total
    imported = Store(tmp_path / "imported.duckdb")
    import_file(imported, csv)
    query = ("SELECT day, channel, queue, team, sum(offered), sum(answered), sum(abandoned), sum(answered_within), "
             "sum(wait_sum), sum(handle_sum), sum(csat_n), sum(nps_promoters) FROM measures_day "
             "GROUP BY ALL ORDER BY ALL")
    bound = Store(tmp_path / "lower_bound_store.duckdb", read_only=True)
    assert bound.fetchall(query) == imported.fetchall(query) and len(bound.fetchall(query)) > 50
