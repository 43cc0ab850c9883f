"""The metric commands print exactly what the Python API computes."""
import csv
import io
import json

from cxmetrics import Store
from cxmetrics.display import cell_text
from cxmetrics.compliance import compliance
from cxmetrics.kpis import kpis

from .conftest import run_cli, write


def _api(sample_db, fn, *args, **kwargs):
    store = Store(sample_db, read_only=True)
    try:
        return fn(store, *args, **kwargs)
    finally:
        store.close()


def test_kpis_csv_equals_the_api_on_the_sample_store(sample_db):
    result = run_cli("kpis", db=sample_db, env={"CXMETRICS_READONLY": "1"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "period,channel,metric,value,n,target,state"
    expected = [[r.period, r.channel, r.metric, cell_text(r.value), str(r.n), cell_text(r.target), r.state or ""]
                for r in _api(sample_db, kpis)]
    assert list(csv.reader(lines[1:])) == expected
    from cxmetrics.metrics import METRICS
    assert len(expected) == 24 * 7 * len(METRICS)
    # full precision: a value printed is the float itself
    some = next(r for r in _api(sample_db, kpis) if r.metric == "service_level")
    assert float(next(row[3] for row in csv.reader(lines[1:]) if row[2] == "service_level")) == some.value


def test_kpis_options_and_formats(sample_db):
    env = {"CXMETRICS_READONLY": "1"}
    result = run_cli("kpis", "--period", "week", "--by", "queue", "--channel", "voice", "--from", "2026-10-01",
                     "--to", "2026-10-31", "--metric", "aht", "--metric", "volume", "--format", "json",
                     db=sample_db, env=env)
    rows = json.loads(result.stdout)
    api = _api(sample_db, kpis, "week", "queue", ["voice"], "2026-10-01", "2026-10-31", ["aht", "volume"])
    assert [(r["period"], r["channel"], r["group"], r["metric"], r["value"], r["n"]) for r in rows] == [
        (r.period, r.channel, r.group, r.metric, r.value, r.n) for r in api]
    assert [r["metric"] for r in rows[:2]] == ["volume", "aht"]   # registry order
    assert {r["period"][:5] for r in rows} == {"2026-"} and all("-W" in r["period"] for r in rows)
    table = run_cli("kpis", "--period", "interval", "--channel", "chat", "--from", "2026-10-01", "--to",
                    "2026-10-01", "--metric", "volume", "--format", "table", db=sample_db, env=env)
    assert table.stdout.splitlines()[0].split() == ["period", "channel", "metric", "value", "n", "target", "state"]
    assert table.stdout.splitlines()[1].split()[0].startswith("2026-10-01T")


def test_compliance_csv_equals_the_api(sample_db):
    result = run_cli("compliance", "--as-of", "2026-10", db=sample_db, env={"CXMETRICS_READONLY": "1"})
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    api = _api(sample_db, compliance, "2026-10")
    assert [(r["channel"], r["metric"], r["window_start"], int(r["months_met"]), int(r["months_with_data"]),
             int(r["months_in_window"]), r["status"], r["flagged_months"]) for r in rows] == [
        (r.channel, r.metric, r.window_start, r.months_met, r.months_with_data, r.months_in_window, r.status,
         ";".join(r.flagged_months)) for r in api]
    assert {r["status"] for r in rows} >= {"compliant", "breached"}
    assert all(r["as_of"] == "2026-10" and r["window_start"] == "2025-11" for r in rows)


def test_targets_settings_and_channels_commands(tmp_path):
    db = tmp_path / "t.duckdb"
    listed = run_cli("targets", "list", db=db)
    assert listed.stdout.splitlines()[0] == "channel,metric,target,tolerance_pct,effective_from"
    assert "voice,service_level,80,0," in listed.stdout
    assert run_cli("targets", "set", "voice", "service_level", "85", "--tolerance-pct", "5", "--effective-from",
                   "2025-01", db=db).returncode == 0
    out = tmp_path / "t.csv"
    assert run_cli("targets", "export", out, db=db).returncode == 0
    assert "voice,service_level,85,5,2025-01" in out.read_text()
    bad = write(tmp_path / "bad.csv", "channel,metric,target,tolerance_pct,effective_from\nvoice,nope,1,0,\n")
    refused = run_cli("targets", "import", bad, db=db)
    assert refused.returncode == 3 and "row 2" in refused.stderr
    assert run_cli("targets", "import", out, db=db).returncode == 0
    assert "rule_k,10" in run_cli("settings", "set", "rule_k", "10", db=db).stdout.splitlines()
    assert run_cli("settings", "set", "rule_k", "13", db=db).returncode == 2
    assert run_cli("settings", "set", "timezone", "Mars/Olympus", db=db).returncode == 2
    shown = run_cli("channels", "set", "chat", "--sl-threshold", "30", "--sl-formula", "abandons_ignored", db=db)
    assert "chat,30,5,abandons_ignored" in shown.stdout
    assert run_cli("kpis", "--period", "year", db=db).returncode == 2
