import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cxmetrics import Store

ROOT = Path(__file__).resolve().parent.parent
REALDATA = ROOT.parent / "shared" / "realdata"


def realdata(name: str) -> Path:
    """A file of ../shared/realdata, or a skip with the reason when the folder is absent."""
    path = REALDATA / name
    if not path.exists():
        pytest.skip(f"{path} is absent: the real-data tests need ../shared/realdata beside the project")
    return path


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "store.duckdb")
    yield s
    s.close()


def run_cli(*args, db=None, env=None, cwd=None):
    """Run `python -m cxmetrics` in a subprocess; returns CompletedProcess."""
    cmd = [sys.executable, "-m", "cxmetrics"]
    if db is not None:
        cmd += ["--db", str(db)]
    cmd += [str(a) for a in args]
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(cmd, capture_output=True, text=True, env=full_env, cwd=cwd or ROOT, timeout=300)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def contacts(store: Store, order: str = "file_row") -> list[dict]:
    return store.records(f"SELECT * FROM contacts ORDER BY {order}")


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory):
    """A store with the bundled sample data, built once per test session (copy it before writing)."""
    from cxmetrics.sample import load_sample

    db = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    s = Store(db)
    load_sample(s)
    s.checkpoint()
    s.close()
    return db


@pytest.fixture
def sample_store(sample_db, tmp_path):
    """An open copy of the sample store, closed after the test."""
    db = tmp_path / "s.duckdb"
    shutil.copy(sample_db, db)
    store = Store(db)
    yield store
    store.close()


def open_page(db_source: Path, page: str, tmp_path: Path, monkeypatch):
    """A page file run alone under AppTest on a copy of the store `db_source`: (AppTest, the copy's path)."""
    from streamlit.testing.v1 import AppTest

    db = tmp_path / "page.duckdb"
    shutil.copy(db_source, db)
    monkeypatch.setenv("CXMETRICS_DB", str(db))
    monkeypatch.chdir(ROOT)
    return AppTest.from_file(str(ROOT / page), default_timeout=120).run(), db
