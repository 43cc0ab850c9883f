"""The bad-input corpus (tests/corpus): each case gives its exact message, and a refusal changes nothing."""
import io
import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from cxmetrics import AlreadyImported, ImportOptions, ImportRefused, import_bytes, import_file
from cxmetrics.config import set_setting

CORPUS = Path(__file__).parent / "corpus"
CASES = json.loads((CORPUS / "cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_corpus_case(case, store):
    before = store.table_counts()
    path = CORPUS / case["file"]
    options = ImportOptions(**case.get("options", {}))
    if case["refused"]:
        with pytest.raises(ImportRefused) as err:
            import_file(store, path, options)
        assert case["message"] in str(err.value)
        assert str(err.value).startswith(case["file"])  # the message names the file
        assert store.table_counts() == before
    else:
        report = import_file(store, path, options)
        assert report.rows_imported == case["imported"]
        assert report.rows_read == report.rows_imported + report.rows_skipped + report.rows_rejected
        if "warning" in case:
            assert any(case["warning"] in w for w in report.warnings)
        if "encoding" in case:
            assert report.file["encoding"] == case["encoding"]


def test_windows1251_values_arrive_as_cyrillic(store):
    import_file(store, CORPUS / "cp1251_as_utf8.csv")
    assert store.fetchall("SELECT channel FROM contacts ORDER BY contact_id") == [("voice",), ("chat",)]


def test_binary_garbage_named_csv(store, tmp_path):
    path = tmp_path / "garbage.csv"
    path.write_bytes(bytes(range(256)) * 64)
    before = store.table_counts()
    with pytest.raises(ImportRefused, match="looks like a binary file"):
        import_file(store, path)
    assert store.table_counts() == before


def _workbook_bytes() -> bytes:
    wb = Workbook()
    wb.active.append(["id", "channel", "queued_at"])
    for i in range(200):
        wb.active.append([f"x{i}", "voice", f"2024-01-01 10:{i % 60:02d}"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_truncated_xlsx(store, tmp_path):
    data = _workbook_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    before = store.table_counts()
    with pytest.raises(ImportRefused, match="the workbook cannot be opened"):
        import_file(store, path)
    assert store.table_counts() == before


def test_zip_bomb_is_refused_before_parsing(store, tmp_path):
    set_setting(store, "max_upload_mb", "1")
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", "<c>0</c>" * (1024 * 1024))   # 8 MB that compresses to ~10 kB
    assert path.stat().st_size < 100_000
    before = store.table_counts()
    with pytest.raises(ImportRefused, match="looks like a zip bomb and was not opened"):
        import_file(store, path)
    assert store.table_counts() == before


def test_file_over_the_size_limit(store, tmp_path):
    set_setting(store, "max_upload_mb", "1")
    path = tmp_path / "big.csv"
    path.write_text("id,channel,queued_at\n" + "".join(f"{i},voice,2024-01-01 10:00\n" for i in range(60_000)))
    with pytest.raises(ImportRefused, match=r"the file is 1\.\d MB, over the 1 MB limit"):
        import_file(store, path)


def test_streamlit_upload_limit_matches_the_default_setting():
    from cxmetrics.settings import DEFAULT_SETTINGS
    config = (Path(__file__).parent.parent / ".streamlit" / "config.toml").read_text()
    assert f"maxUploadSize = {DEFAULT_SETTINGS['max_upload_mb']}" in config


def test_upload_names_cannot_escape_the_temp_folder(store, tmp_path, monkeypatch):
    import tempfile
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(uploads))
    report = import_bytes(store, b"id,channel,queued_at\n1,voice,2024-01-01 10:00\n", "../../../../tmp/evil.csv")
    assert report.file_name == "evil.csv" and report.rows_imported == 1
    assert not (tmp_path / "evil.csv").exists() and not Path("/tmp/evil.csv").exists()
    assert list(uploads.iterdir()) == []  # the upload's private folder is gone again


def test_same_file_twice_refused_even_with_another_name(store, tmp_path):
    data = b"id,channel,queued_at\n1,voice,2024-01-01 10:00\n"
    import_bytes(store, data, "a.csv")
    with pytest.raises(AlreadyImported):
        import_bytes(store, data, "b.csv")
