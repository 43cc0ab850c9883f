import os
import shutil
import subprocess
from html.parser import HTMLParser
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
    """A page opened through the app's navigation under AppTest on a copy of the store `db_source`: (AppTest, the
    copy's path). Through the navigation, as a browser opens it: a page may link to another (st.page_link)."""
    from streamlit.testing.v1 import AppTest

    db = tmp_path / "page.duckdb"
    shutil.copy(db_source, db)
    monkeypatch.setenv("CXMETRICS_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    return at.switch_page(page).run(), db


class _TileParser(HTMLParser):
    """The KPI tiles of an st.html grid (display.tiles_html), as the page shows them."""

    def __init__(self):
        super().__init__()
        self.tiles: list[dict] = []
        self._field: str | None = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if "cx-tile" in classes:
            self.tiles.append({"metric": attrs.get("data-metric"), "label": "", "value": "", "delta": "",
                               "state": "", "help": ""})
        for name in ("label", "value", "delta", "state"):
            if f"cx-tile-{name}" in classes:
                self._field, self._depth = name, 0
        if tag == "abbr" and self.tiles:
            self.tiles[-1]["help"] = attrs.get("title", "")
            self._field = None  # the "?" mark is not part of the label
        elif self._field:
            self._depth += 1

    def handle_endtag(self, tag):
        if self._field:
            self._depth -= 1
            if self._depth <= 0:
                self._field = None

    def handle_data(self, data):
        if self._field and self.tiles:
            self.tiles[-1][self._field] += data


def tiles(at) -> list[dict]:
    """Every KPI tile an AppTest run drew (label, value, delta, state, help, metric id), in page order."""
    found: list[dict] = []
    for element in at.get("html"):
        parser = _TileParser()
        parser.feed(element.value)
        found += [{k: v.strip() if isinstance(v, str) else v for k, v in t.items()} for t in parser.tiles]
    return found


class _TableParser(HTMLParser):
    """The tables of an st.html element (display.table_html): headings, cells, each cell's style, heading titles."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self._cell: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append({"columns": [], "rows": [], "styles": [], "titles": {}})
        elif tag == "tr" and self.tables:
            self._row: list = []
            self._styles: list = []
        elif tag in ("th", "td") and self.tables:
            self._cell = [tag, "", attrs.get("style") or ""]
        elif tag == "abbr" and self._cell is not None:
            self._title = attrs.get("title", "")

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            kind, text, style = self._cell
            table = self.tables[-1]
            if kind == "th":
                table["columns"].append(text)
                if getattr(self, "_title", None) is not None:
                    table["titles"][text] = self._title
            else:
                self._row.append(text)
                self._styles.append(style)
            self._cell, self._title = None, None
        elif tag == "tr" and self.tables and self._row:
            self.tables[-1]["rows"].append(dict(zip(self.tables[-1]["columns"], self._row)))
            self.tables[-1]["styles"].append(dict(zip(self.tables[-1]["columns"], self._styles)))

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1] += data


def html_tables(at) -> list[dict]:
    """Every table an AppTest run drew as HTML, in page order: {"columns", "rows" (dicts), "styles" (each cell's
    CSS), "titles" (heading → hover text)}."""
    found: list[dict] = []
    for element in at.get("html"):
        parser = _TableParser()
        parser.feed(element.value)
        found += parser.tables
    return found
