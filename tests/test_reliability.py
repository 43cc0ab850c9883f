"""Crash safety, concurrency, undo, backup and restore, injection, read-only mode (issue 7)."""
import csv
import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from cxmetrics import AlreadyImported, ImportOptions, Store, delete_import, import_file, save_preset
from cxmetrics.storage import backup, restore
from cxmetrics.config import set_channel, set_setting
from cxmetrics.kpis import kpis
from cxmetrics.targets import list_targets, parse_targets_csv

from .conftest import ROOT, run_cli, write

INJECTION = '"; DROP TABLE contacts; --'


def _month_file(path: Path, prefix: str, count: int, day: int = 1) -> Path:
    lines = ["id,channel,queued_at,status,wait_seconds,customer_id"]
    lines += [f"{prefix}{i},voice,2024-03-{day:02d} {8 + i % 10:02d}:{i % 60:02d}:00,answered,{i % 40},K{i % 50}"
              for i in range(count)]
    return write(path, "\n".join(lines) + "\n")


def _totals(store: Store) -> dict:
    return {(r.period, r.channel, r.metric): (r.value, r.n) for r in kpis(store)}


# -- crash safety -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("point", ["reading", "parsed", "committing"])
def test_an_import_killed_midway_leaves_no_trace(point, tmp_path):
    db = tmp_path / "crash.duckdb"
    first = _month_file(tmp_path / "first.csv", "a", 50)
    assert run_cli("import", first, db=db).returncode == 0
    second = _month_file(tmp_path / "second.csv", "b", 400, day=2)
    killed = run_cli("import", second, db=db, env={"CXMETRICS_CRASH_AT": point})
    assert killed.returncode == -9  # SIGKILL
    store = Store(db)
    assert store.scalar("SELECT count(*) FROM contacts") == 50
    assert store.fetchall("SELECT file_name FROM imports") == [("first.csv",)]
    assert store.scalar("SELECT count(*) FROM contacts WHERE contact_id LIKE 'b%'") == 0
    store.close()
    again = run_cli("import", second, db=db)
    assert again.returncode == 0, again.stderr
    assert "  imported: 400\n" in again.stdout


# -- concurrency: threads, as Streamlit sessions share one process -------------------------------------------
def test_readers_only_see_whole_imports_while_imports_run(store, tmp_path):
    files = [_month_file(tmp_path / f"m{i}.csv", f"t{i}-", 300, day=i + 1) for i in range(4)]
    seen, errors = set(), []
    stop = threading.Event()

    def reader():
        try:
            while not stop.is_set():
                volume = sum(r.value for r in kpis(store, metrics=["volume"]))
                seen.add(int(volume))
        except Exception as exc:  # noqa: BLE001 - a failure in a reader thread must fail the test
            errors.append(exc)

    readers = [threading.Thread(target=reader) for _ in range(8)]
    for t in readers:
        t.start()
    importers = [threading.Thread(target=import_file, args=(store, f)) for f in files]
    for t in importers:
        t.start()
    for t in importers:
        t.join()
    stop.set()
    for t in readers:
        t.join()
    assert errors == []
    assert seen <= {0, 300, 600, 900, 1200}  # only sums of whole imports
    assert store.scalar("SELECT count(*) FROM imports") == 4
    assert store.scalar("SELECT count(*) FROM contacts") == 1200


def test_remembered_settings_and_data_version_follow_every_commit(store, tmp_path):
    """The data version and the settings are read once per commit (Store._committed): every write transaction,
    through this Store or another on the same file, is seen at once; inside a transaction, its own changes are."""
    other = Store(store.path)  # a second Store on the same file in this process (DuckDB shares the database)
    try:
        version, other_version = store.data_version(), other.data_version()
        assert store.settings()["language"] == other.settings()["language"] == "en"
        set_setting(other, "language", "ru")
        assert store.settings()["language"] == "ru" and store.data_version() == version + 1
        import_file(store, _month_file(tmp_path / "m.csv", "v-", 10))
        assert other.data_version() == other_version + 2 == store.data_version()
        assert store.settings()["language"] == "ru"  # remembered at this commit ...
        seen_inside = []
        with pytest.raises(RuntimeError):
            with store.transaction():
                store.execute("UPDATE settings SET value = 'en' WHERE key = 'language'")
                seen_inside.append(store.settings()["language"])
                seen_inside.append(store.data_version())
                raise RuntimeError("rolled back")
        assert seen_inside == ["en", version + 2]  # ... but read afresh inside: its own change, before the commit
        assert store.settings()["language"] == other.settings()["language"] == "ru"  # rolled back
        assert store.data_version() == version + 2
        store.settings()["language"] = "de"  # a caller's copy: the remembered settings stay as stored
        assert store.settings()["language"] == "ru"
    finally:
        other.close()


def test_the_same_file_sent_twice_at_once_lands_once(store, tmp_path):
    path = _month_file(tmp_path / "same.csv", "s", 500)
    outcomes = []

    def send():
        try:
            outcomes.append(import_file(store, path).rows_imported)
        except AlreadyImported:
            outcomes.append("already")

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes, key=str) == [500, "already"]
    assert store.scalar("SELECT count(*) FROM imports") == 1
    assert store.scalar("SELECT count(*) FROM contacts") == 500


def test_a_second_process_is_told_the_store_is_busy(tmp_path):
    db = tmp_path / "busy.duckdb"
    holder = Store(db)  # this process holds the store, as the app does
    try:
        path = _month_file(tmp_path / "x.csv", "x", 5)
        result = run_cli("import", path, db=db, env={"CXMETRICS_BUSY_RETRIES": "2"})
        assert result.returncode == 5
        assert f"is busy (used by PID {os.getpid()}); retrying" in result.stderr
        assert "Traceback" not in result.stderr
    finally:
        holder.close()
    assert run_cli("import", path, db=db).returncode == 0


# -- undo without loss ---------------------------------------------------------------------------------------
def test_delete_restores_the_kpis_from_before_the_import(store, tmp_path):
    import_file(store, _month_file(tmp_path / "a.csv", "k", 200))
    before = _totals(store)
    changed = ["id,channel,queued_at,status,wait_seconds,customer_id"] + [
        f"k{i},voice,2024-03-01 09:00:00,abandoned,{i},K{i % 7}" for i in range(0, 200, 3)] + [
        "n1,chat,2024-03-05 10:00:00,answered,5,K1"]
    report = import_file(store, write(tmp_path / "b.csv", "\n".join(changed) + "\n"))
    assert report.rows_replaced == 67 and _totals(store) != before
    delete_import(store, report.import_id)
    assert _totals(store) == before


# -- backup and restore --------------------------------------------------------------------------------------
def test_backup_round_trip_gives_identical_kpis(sample_db, tmp_path):
    source = Store(sample_db, read_only=True)
    manifest = backup(source, tmp_path / "bk")
    before = _totals(source)
    source.close()
    assert manifest["tables"]["contacts"]["rows"] == 26755
    target = Store(tmp_path / "restored.duckdb")
    restore(target, tmp_path / "bk")
    assert _totals(target) == before
    assert target.table_counts()["contacts"] == 26755
    # new imports continue the import ids
    report = import_file(target, _month_file(tmp_path / "n.csv", "new", 3))
    assert report.import_id == 4


def test_restore_refuses_an_incomplete_or_altered_backup(store, tmp_path):
    import_file(store, _month_file(tmp_path / "a.csv", "r", 20))
    backup(store, tmp_path / "bk")
    other = Store(tmp_path / "other.duckdb")
    parquet = tmp_path / "bk" / "contacts.parquet"
    original = parquet.read_bytes()
    parquet.write_bytes(original[:-10] + b"0123456789")
    with pytest.raises(Exception, match="contacts.parquet was altered"):
        restore(other, tmp_path / "bk")
    parquet.unlink()
    with pytest.raises(Exception, match="contacts.parquet is missing"):
        restore(other, tmp_path / "bk")
    assert other.scalar("SELECT count(*) FROM contacts") == 0
    parquet.write_bytes(original)
    with pytest.raises(Exception, match="already holds data"):
        restore(store, tmp_path / "bk")
    assert restore(other, tmp_path / "bk")["contacts"] == 20


def test_backup_and_restore_commands(tmp_path):
    db = tmp_path / "c.duckdb"
    run_cli("import", _month_file(tmp_path / "a.csv", "c", 10), db=db)
    assert run_cli("backup", "--out", tmp_path / "bk", db=db).returncode == 0
    (tmp_path / "bk" / "manifest.json").unlink()
    refused = run_cli("restore", tmp_path / "bk", db=tmp_path / "d.duckdb")
    assert refused.returncode == 1 and "no manifest.json" in refused.stderr


# -- injection -----------------------------------------------------------------------------------------------
def test_sql_text_in_files_names_and_settings_is_only_data(store, tmp_path):
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["id", "channel", "queued_at", "queue", "agent", INJECTION])
    writer.writerow(["1", INJECTION, "2024-01-01 10:00", INJECTION, INJECTION, INJECTION])
    path = write(tmp_path / "inj.csv", text.getvalue())
    report = import_file(store, path, ImportOptions(source=INJECTION, save_preset=INJECTION))
    assert report.rows_imported == 1
    row = store.records("SELECT channel, queue, agent, source FROM contacts")[0]
    assert row == {"channel": INJECTION.lower().replace(" ", "_"), "queue": INJECTION, "agent": INJECTION,
                   "source": INJECTION}
    assert store.scalar("SELECT name FROM mapping_presets") == INJECTION
    import_file(store, path, ImportOptions(preset=INJECTION, force=True))
    set_channel(store, INJECTION, sl_threshold_s=30)
    with pytest.raises(Exception):
        set_setting(store, "timezone", INJECTION)
    with pytest.raises(Exception):
        parse_targets_csv(f"channel,metric,target,tolerance_pct,effective_from\n{INJECTION},csat,80,0,\n"
                          f"voice,{INJECTION},80,0,\n")
    target_csv = io.StringIO()
    csv.writer(target_csv).writerows([["channel", "metric", "target", "tolerance_pct", "effective_from"],
                                      [INJECTION, "csat", 80, 0, ""]])
    targets = parse_targets_csv(target_csv.getvalue())
    assert targets[0].channel == INJECTION.lower()
    assert store.scalar("SELECT count(*) FROM contacts") == 1  # the table is still there
    assert len(list_targets(store)) > 0


def test_injection_in_a_sheet_name(store, tmp_path):
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "x'; DROP TABLE contacts; --"[:31]
    ws.append(["id", "channel", "queued_at"])
    ws.append(["1", "voice", "2024-01-01 10:00"])
    wb.save(tmp_path / "s.xlsx")
    report = import_file(store, tmp_path / "s.xlsx", ImportOptions(sheet=ws.title))
    assert report.rows_imported == 1 and report.file["sheet"] == ws.title


def test_every_csv_export_neutralises_formulas(store, tmp_path):
    from cxmetrics.display import safe_csv_text
    text = safe_csv_text(["a", "b"], [["=1+1", "+cmd"], ["-2", "@SUM(A1)"], [-2.5, "plain"]])
    assert text.splitlines() == ["a,b", "'=1+1,'+cmd", "'-2,'@SUM(A1)", "-2.5,plain"]
    quarantine = write(tmp_path / "q.csv", 'id,channel,queued_at\n"=HYPERLINK(""http://x"")",voice,soon\n')
    report = import_file(store, quarantine, ImportOptions(on_error="quarantine"))
    assert report.rows_rejected == 1
    store.close()
    out = tmp_path / "q_out.csv"
    assert run_cli("quarantine", "--out", out, db=tmp_path / "store.duckdb").returncode == 0
    assert "'=HYPERLINK" not in out.read_text().split("\n")[0]
    assert all(not cell.startswith("=") for line in csv.reader(out.open()) for cell in line)


def test_no_page_renders_html_from_data():
    for page in list((ROOT / "pages").glob("*.py")) + [ROOT / "app.py"]:
        assert "unsafe_allow_html" not in page.read_text(), page


# -- read-only deployments ------------------------------------------------------------------------------------
def test_read_only_store_refuses_writes(sample_db):
    store = Store(sample_db, read_only=True)
    with pytest.raises(Exception, match="read-only"):
        set_setting(store, "rule_k", "8")
    store.close()


def test_read_only_app_hides_upload_delete_and_editing(sample_db, monkeypatch):
    from streamlit.testing.v1 import AppTest
    monkeypatch.setenv("CXMETRICS_DB", str(sample_db))
    monkeypatch.setenv("CXMETRICS_READONLY", "1")
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    with pytest.raises(Exception):
        at.switch_page("pages/upload.py")
    at.switch_page("pages/targets.py").run()
    assert not at.exception
    assert at.info[0].value.startswith("This is a read-only instance")
    assert not [b for b in at.button if b.label in ("Save targets", "Save channel settings")]
    assert at.data_editor[0].proto.disabled


def test_duckdb_memory_is_capped_by_default_and_can_be_overridden(tmp_path, monkeypatch):
    """Issue 14 §4: a default limit from the machine (5 % of RAM, at least 512 MB), overridable."""
    import os

    from cxmetrics.storage import default_memory_limit

    total_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
    assert default_memory_limit() == f"{max(512, int(total_mb * 0.05))}MB"

    def limit(env):
        if env is None:
            monkeypatch.delenv("CXMETRICS_MEMORY_LIMIT", raising=False)
        else:
            monkeypatch.setenv("CXMETRICS_MEMORY_LIMIT", env)
        store = Store(tmp_path / f"m{env}.duckdb")
        try:
            return store.scalar("SELECT current_setting('memory_limit')")
        finally:
            store.close()
    assert limit("700MB") == "667.5 MiB"               # DuckDB reports MiB
    default, duckdb_own = limit(None), limit("duckdb")
    assert default != duckdb_own and "GiB" in duckdb_own
