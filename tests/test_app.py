"""AppTest smoke runs of the dashboard pages."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

from cxmetrics import Store
from cxmetrics.sample import load_sample

ROOT = Path(__file__).resolve().parent.parent


def _app(db, monkeypatch):
    monkeypatch.setenv("CXMETRICS_DB", str(db))
    monkeypatch.chdir(ROOT)
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def test_empty_store_offers_sample_data_and_loads_it(tmp_path, monkeypatch):
    at = _app(tmp_path / "empty.duckdb", monkeypatch)
    at.run()
    assert not at.exception
    assert at.info[0].value == "The store is empty."
    at.button[0].click().run()
    assert not at.exception
    frame = at.dataframe[0].value
    assert list(frame["file_name"]) == ["contacts.csv", "contacts_2026-10.xlsx", "customers.csv"]


def test_sample_store_lists_imports(tmp_path, monkeypatch):
    db = tmp_path / "s.duckdb"
    store = Store(db)
    load_sample(store)
    store.close()
    at = _app(db, monkeypatch)
    at.run()
    assert not at.exception
    assert list(at.dataframe[0].value["rows_imported"]) == [25615, 1140, 1000]
