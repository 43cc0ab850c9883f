"""Every dashboard page under streamlit.testing.v1.AppTest."""
import datetime as dt
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cxmetrics import ImportOptions, Store
from cxmetrics.metrics import METRICS
from cxmetrics.compliance import compliance
from cxmetrics.kpis import kpis
from cxmetrics.targets import list_targets
from cxmetrics.display import cell_style, format_value
from cxmetrics.display import STATUS_WORDS
from cxmetrics.views import KEY_METRICS, targets_frame

from .conftest import html_tables, tiles

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["pages/overview.py", "pages/channel.py", "pages/compliance.py", "pages/review.py", "pages/staffing.py",
         "pages/satisfaction.py", "pages/drivers.py", "pages/followup.py", "pages/maturity.py", "pages/targets.py",
         "pages/quality.py", "pages/upload.py"]


def _app(db, monkeypatch) -> AppTest:
    monkeypatch.setenv("CXMETRICS_DB", str(db))
    monkeypatch.chdir(ROOT)
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)


def _open(at: AppTest, page: str) -> AppTest:
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.fixture
def sample_copy(sample_db, tmp_path):
    db = tmp_path / "sample.duckdb"
    shutil.copy(sample_db, db)
    return db


@pytest.mark.parametrize("page", PAGES)
def test_every_page_on_an_empty_store(page, tmp_path, monkeypatch):
    at = _open(_app(tmp_path / "empty.duckdb", monkeypatch), page)
    if page in ("pages/overview.py", "pages/channel.py", "pages/compliance.py", "pages/review.py",
                "pages/satisfaction.py", "pages/followup.py", "pages/quality.py"):
        assert at.info[0].value.startswith("The store is empty.")
        assert at.button[0].label == "Load sample data"
    assert not at.error


@pytest.mark.parametrize("page", PAGES)
def test_every_page_on_the_sample_store(page, sample_copy, monkeypatch):
    at = _open(_app(sample_copy, monkeypatch), page)
    assert not at.error
    assert at.title[0].value in ("Overview", "Channel detail", "Compliance (9 of the last 12 months)",
                                 "Quarterly review", "Staffing what-if", "Satisfaction", "Satisfaction drivers",
                                 "Follow-up of low scores",
                                 "CX maturity self-assessment", "Targets & settings", "Data quality", "Upload")


def test_load_sample_data_from_an_empty_store(tmp_path, monkeypatch):
    at = _open(_app(tmp_path / "e.duckdb", monkeypatch), "pages/overview.py")
    at.button[0].click().run()
    assert not at.exception
    assert at.title[0].value == "Overview" and len(tiles(at)) == 7 * len(KEY_METRICS)


def test_overview_tiles_equal_the_api(sample_copy, monkeypatch):
    at = _open(_app(sample_copy, monkeypatch), "pages/overview.py")
    month = at.selectbox(key="overview_month").value
    assert month == "2026-10"
    store = Store(sample_copy)
    rows = kpis(store, "month", date_from=month, date_to=month, metrics=list(KEY_METRICS))
    order = ["voice", "chat", "messaging", "email", "social", "video", "back_office"]
    expected = [(METRICS[r.metric].short, format_value(r.metric, r.value))
                for r in sorted(rows, key=lambda r: (order.index(r.channel), KEY_METRICS.index(r.metric)))]
    drawn = tiles(at)
    assert [(t["label"], t["value"]) for t in drawn] == expected
    voice_volume = next(r for r in rows if r.channel == "voice" and r.metric == "volume")
    assert drawn[0]["value"] == f"{voice_volume.value:,.0f}" and drawn[0]["metric"] == "volume"
    assert METRICS["volume"].description in drawn[0]["help"]   # the definition, one hover away


def test_overview_scorecard_and_attention_are_tables_with_states_coloured_and_definitions(sample_copy, monkeypatch):
    at = _open(_app(sample_copy, monkeypatch), "pages/overview.py")
    attention, scorecard = html_tables(at)
    store = Store(sample_copy)
    rows = {(r.channel, r.metric): r for r in kpis(store, "month", date_from="2026-10", date_to="2026-10",
                                                   metrics=list(KEY_METRICS))}
    assert [r["Channel"] for r in scorecard["rows"]] == ["Voice", "Chat", "Messaging", "Email", "Social",
                                                         "Video", "Back office"]
    voice_sl, styles = scorecard["rows"][0]["Service level"], scorecard["styles"][0]
    sl = rows[("voice", "service_level")]
    assert voice_sl == f"{'✔' if sl.state == 'met' else '✖'} {format_value('service_level', sl.value)}"
    assert styles["Service level"] == cell_style(sl.state) != "" and styles["Channel"] == ""
    assert METRICS["fcr"].description in scorecard["titles"]["FCR"]   # the definition on the heading
    missed = [r for r in rows.values() if r.state == "missed"]
    assert attention["columns"] == ["Channel", "Metric", "Issue", "Detail"]
    assert sum(r["Issue"] == "Missed this month" for r in attention["rows"]) == len(missed) > 0
    assert not at.dataframe   # no data grid: the Overview needs neither pandas nor Arrow tables


def test_the_overview_in_a_new_process_never_imports_pandas_pyarrow_or_numpy(sample_copy):
    """The three take 0.5–0.6 s to import; the first page every session opens draws no data grid and no Arrow
    data set, so a new server process shows it without them (issue 13's cold start). Another page imports them
    on first use."""
    import subprocess
    import sys
    script = f"""
import os, sys
os.environ["CXMETRICS_DB"] = {str(sample_copy)!r}
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({str(ROOT / "app.py")!r}, default_timeout=120).run()
assert not at.exception, [e.message for e in at.exception]
assert at.title[0].value == "Overview" and at.get("vega_lite_chart"), "the Overview was not drawn"
print(*(name in sys.modules for name in ("pandas", "pyarrow", "numpy")))
at.switch_page("pages/compliance.py").run()
print("pandas" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["False", "False", "False", "True"]


def test_overview_filters_by_channel_and_queue(sample_copy, monkeypatch):
    at = _open(_app(sample_copy, monkeypatch), "pages/overview.py")
    at.multiselect[0].set_value(["chat"]).run()
    at.multiselect[1].set_value(["Billing"]).run()
    assert not at.exception
    store = Store(sample_copy)
    rows = kpis(store, "month", channels=["chat"], date_from="2026-10", date_to="2026-10", metrics=["volume"],
                filters={"queue": ["Billing"]})
    drawn = tiles(at)
    assert len(drawn) == len(KEY_METRICS)
    assert drawn[0]["value"] == f"{rows[0].value:,.0f}"


def test_compliance_grid_equals_the_api(sample_copy, monkeypatch):
    at = _open(_app(sample_copy, monkeypatch), "pages/compliance.py")
    grid = at.dataframe[0].value
    expected = compliance(Store(sample_copy), "2026-10")
    assert list(grid["Status"]) == [STATUS_WORDS[r.status] for r in expected]
    assert list(grid["Met"]) == [f"{r.months_met} of {r.months_in_window}" for r in expected]
    assert list(grid.columns[-12:]) == [c.month for c in expected[0].cells]


def test_page_bodies_are_drawn_once_per_data_version_and_replayed(sample_copy, monkeypatch):
    """ui.drawn: the Compliance body is built once and replayed on later runs and in other sessions, with the same
    grid; a change of the data draws it again, with the new figures."""
    from cxmetrics import ui
    from cxmetrics.targets import set_target

    draws = []
    body = ui._DRAWINGS["compliance_body"]
    monkeypatch.setitem(ui._DRAWINGS, "compliance_body", lambda data: (draws.append(1), body(data)))
    at = _open(_app(sample_copy, monkeypatch), "pages/compliance.py")
    first = at.dataframe[0].value
    at.run()
    other = _open(_app(sample_copy, monkeypatch), "pages/compliance.py")  # another session
    assert len(draws) == 1
    assert at.dataframe[0].value.equals(first) and other.dataframe[0].value.equals(first)
    assert at.subheader[0].value == "Flagged months" and len(at.dataframe) == len(other.dataframe) == 2

    voice_sl = int(first.index[(first["Channel"] == "Voice") & (first["Metric"] == "Service level")][0])
    assert first.loc[voice_sl, "Met"] != "0 of 12"
    set_target(Store(sample_copy), "voice", "service_level", 100.0)  # a new data version: no month meets it
    at.run()
    assert len(draws) == 2
    assert at.dataframe[0].value.loc[voice_sl, "Met"] == "0 of 12"


def test_target_edited_in_the_editor_persists_and_changes_the_state(sample_copy, monkeypatch):
    at = _open(_app(sample_copy, monkeypatch), "pages/targets.py")
    store = Store(sample_copy)
    frame = targets_frame(store)
    row = int(frame.index[(frame["channel"] == "voice") & (frame["metric"] == "service_level")][0])
    aht = frame[(frame["channel"] == "voice") & (frame["metric"] == "aht")].iloc[0]
    assert (aht["target"], aht["shown"].replace("\u00a0", " ")) == (360.0, "≤ 06:00 (+10% tolerance)")  # seconds typed
    at.session_state["targets_editor"] = {"edited_rows": {row: {"target": 99.0}}, "added_rows": [],
                                          "deleted_rows": []}
    at.run()
    next(b for b in at.button if b.label == "Save targets").click().run()
    assert not at.exception and at.success[0].value.startswith("Saved")
    assert next(t for t in list_targets(store) if (t.channel, t.metric) == ("voice", "service_level")).target == 99
    at.switch_page("pages/overview.py").run()
    tile = next(t for t in tiles(at) if t["label"] == "Service level")  # voice comes first
    assert tile["value"].endswith("%")
    assert "Missed" in tile["state"] and "target ≥\u00a099.0%" in tile["state"]  # the side the target holds


def test_channel_threshold_edited_on_the_page_is_saved(sample_copy, monkeypatch):
    """The editor shows each threshold as a time beside the seconds; saving passes only the settings."""
    from cxmetrics.config import channel_settings

    at = _open(_app(sample_copy, monkeypatch), "pages/targets.py")
    frame = next(d for d in at.data_editor if d.key == "channel_editor").value
    row = int(frame.index[frame["channel"] == "voice"][0])
    assert frame.loc[row, "sl_threshold_shown"] == "00:20"
    at.session_state["channel_editor"] = {"edited_rows": {row: {"sl_threshold_s": 30.0}}, "added_rows": [],
                                          "deleted_rows": []}
    at.run()
    next(b for b in at.button if b.label == "Save channel settings").click().run()
    assert not at.exception and "Channel settings saved." in [s.value for s in at.success]
    voice = next(s for s in channel_settings(Store(sample_copy)) if s["channel"] == "voice")
    assert voice["sl_threshold_s"] == 30.0


def test_invalid_target_is_refused_with_a_message(sample_copy, monkeypatch):
    at = _open(_app(sample_copy, monkeypatch), "pages/targets.py")
    at.session_state["targets_editor"] = {"edited_rows": {0: {"target": -5.0}}, "added_rows": [],
                                          "deleted_rows": []}
    at.run()
    next(b for b in at.button if b.label == "Save targets").click().run()
    assert "cannot be negative" in at.error[0].value
    assert not at.exception


UPLOAD = (b"id,channel,queued_at,status,wait_seconds,csat\n"
          b"u1,voice,2024-05-02 09:00,answered,12,5\n"
          b"u2,voice,2024-05-02 09:05,abandoned,40,\n"
          b"u3,chat,2024-05-02 09:10,answered,30,9\n"          # csat 9: rejected
          b"u4,chat,2024-05-03 10:00,answered,45,4\n")


def test_upload_through_the_file_uploader_shows_the_exact_report(tmp_path, monkeypatch):
    at = _open(_app(tmp_path / "u.duckdb", monkeypatch), "pages/upload.py")
    at.file_uploader[0].set_value(("may.csv", UPLOAD, "text/csv")).run()
    assert not at.exception
    status = next(d.value for d in at.data_editor if d.key and d.key.endswith("-status"))
    assert status.values.tolist() == [["answered", 3, "answered"], ["abandoned", 1, "abandoned"]]
    preview = next(d.value for d in at.dataframe if "Outcome" in d.value.columns)   # labels, not field ids
    assert list(preview["Outcome"]) == ["ok", "ok", "rejected", "ok"]
    assert list(preview["Channel"]) == ["Voice", "Voice", "Chat", "Chat"]  # names, not slugs
    assert "contact_id" not in preview.columns and "Contact id" in preview.columns
    next(r for r in at.radio if r.label == "Invalid rows").set_value("quarantine").run()
    next(b for b in at.button if b.label == "Import may.csv").click().run()
    assert not at.exception
    counts = {m.label: m.value for m in at.metric}
    assert counts == {"Read": "4", "Imported": "3", "Replaced": "0", "Skipped": "0", "Rejected": "1"}
    # The page names the field by its label (the store and the CLI keep "csat must be between 1 and 5").
    assert any("CSAT (1–5) must be between 1 and 5" in str(df.value.to_dict()) for df in at.dataframe)
    assert any(b.label == "Download the quarantined rows (CSV)" for b in at.get("download_button"))



def test_a_workbook_of_several_sheets_reads_the_one_with_contacts_and_offers_the_others(tmp_path, monkeypatch):
    """A notes sheet first: the page detects the sheet holding the contacts and shows a 'Sheet' box listing it
    first, then the others; choosing another sheet reads that one."""
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["Contact export — generated by ACD Reporting v7.2"])
    for name, day in (("March", "2024-03-04"), ("April", "2024-04-01")):
        sheet = workbook.create_sheet(name)
        sheet.append(["Contact ID", "Channel", "Start time", "Wait (s)"])
        sheet.append([f"{name}-1", "voice", f"{day} 09:00:00", 12])
    buffer = io.BytesIO()
    workbook.save(buffer)
    at = _open(_app(tmp_path / "s.duckdb", monkeypatch), "pages/upload.py")
    at.file_uploader[0].set_value(("months.xlsx", buffer.getvalue(), "application/octet-stream")).run()
    assert not at.exception and not at.error
    box = next(s for s in at.selectbox if s.label == "Sheet")
    assert (box.options, box.value) == (["March", "Notes", "April"], "March")
    box.set_value("April").run()
    assert not at.exception
    next(b for b in at.button if b.label == "Import months.xlsx").click().run()
    assert {m.label: m.value for m in at.metric}["Imported"] == "1"
    assert Store(tmp_path / "s.duckdb").fetchall("SELECT contact_id FROM contacts") == [("April-1",)]

    # A preset made for another workbook names a sheet this one lacks: said, and the detected sheet is read.
    from cxmetrics.ingest.presets import save_preset

    save_preset(Store(tmp_path / "s.duckdb"), "old layout", ImportOptions(sheet="Calls"))
    again = _open(_app(tmp_path / "s.duckdb", monkeypatch), "pages/upload.py")
    again.file_uploader[0].set_value(("months.xlsx", buffer.getvalue(), "application/octet-stream")).run()
    _select(again, "Mapping preset", "old layout")
    again.run()
    assert not again.exception
    assert "The preset reads sheet 'Calls', which this workbook does not have: sheet 'March' is read." in \
        [w.value for w in again.warning]
    assert next(s for s in again.selectbox if s.label == "Sheet").value == "March"

def test_the_preview_of_a_contact_file_shows_its_warnings_before_the_import(tmp_path, monkeypatch):
    """No column says a contact was answered: the page says so under the preview, with the mapping box that fixes
    it, before the import would show 100 % abandonment."""
    data = (b"Conversation ID,Created at,Channel,State,Time to first response (seconds)\n"
            b"1,2026-03-02T07:00:00Z,Chat,closed,40\n2,2026-03-02T07:05:00Z,Chat,closed,75\n")
    at = _open(_app(tmp_path / "w.duckdb", monkeypatch), "pages/upload.py")
    at.file_uploader[0].set_value(("ic.csv", data, "text/csv")).run()
    assert not at.exception and not at.error
    notes = [c.value for c in at.caption if "not answered" in c.value]
    assert len(notes) == 1 and "in the 'Status' box of the mapping" in notes[0] and "--map" not in notes[0]


def test_a_web_page_saved_as_xls_uploads_like_a_workbook(tmp_path, monkeypatch):
    """Bitrix24's HTML "Excel" export: mapped from its headers, its status values offered in the table, the page
    saying it is a web page, and imported."""
    from .test_layouts import BITRIX_HTML_XLS

    at = _open(_app(tmp_path / "h.duckdb", monkeypatch), "pages/upload.py")
    at.file_uploader[0].set_value(("openlines.xls", BITRIX_HTML_XLS.encode("cp1251"), "application/vnd.ms-excel"))
    at.run()
    assert not at.exception and not at.error
    assert any("is a web page (an HTML table)" in c.value for c in at.caption)
    status = next(d.value for d in at.data_editor if d.key and d.key.endswith("-status"))
    assert sorted(status["value"]) == ["Закрыт", "Пропущен"]


def test_a_survey_export_uploads_as_scores_for_the_stored_contacts(tmp_path, monkeypatch):
    """The page detects a survey export (ids and scores only), offers only the controls that kind reads, and adds
    the scores to the stored chats: their waits and outcomes stay."""
    from cxmetrics import ImportOptions, import_file
    from cxmetrics.kpis import kpis

    from .conftest import write
    from .test_scores import CHATS, SURVEY

    db = tmp_path / "v.duckdb"
    import_file(Store(db), write(tmp_path / "chats.csv", CHATS), ImportOptions(channel="chat"))
    at = _open(_app(db, monkeypatch), "pages/upload.py")
    at.file_uploader[0].set_value(("survey.csv", SURVEY.encode(), "text/csv")).run()
    assert not at.exception and not at.error
    assert next(r for r in at.radio if r.label == "Kind").value == "scores"
    assert not [s for s in at.selectbox if s.label == "Channel for every row"]
    assert not [t for t in at.text_input if t.label == "Date format"]
    next(b for b in at.button if b.label == "Import survey.csv").click().run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Imported"] == "3"
    history = next(d.value for d in at.dataframe if "Kind" in d.value.columns)
    assert list(history["Kind"]) == ["contacts", "survey scores"]  # words, not the kind's code
    values = {r.metric: r.value for r in kpis(Store(db), metrics=["csat", "asa"])}
    assert values["csat"] == pytest.approx(200 / 3) and values["asa"] == (20 + 45 + 70 + 15) / 4


def test_a_customers_export_uploads_as_customers_from_its_headers(tmp_path, monkeypatch):
    """A CRM's churn list (a name, a phone, the date the customer left) is proposed as customers, not contacts,
    and imported as such with no choice made: the phone is the id, written as its digits."""
    data = "Клиент;Телефон;Дата ухода\nООО Ромашка;+7 916 000-00-01;20.04.2026\nИП Петров;8 916 000-00-02;\n"
    db = tmp_path / "c.duckdb"
    at = _open(_app(db, monkeypatch), "pages/upload.py")
    at.file_uploader[0].set_value(("churn.csv", data.encode(), "text/csv")).run()
    assert not at.exception and not at.error
    assert next(r for r in at.radio if r.label == "Kind").value == "customers"
    next(b for b in at.button if b.label == "Import churn.csv").click().run()
    assert not at.exception
    assert Store(db).fetchall("SELECT customer_id, churned_on FROM customers ORDER BY 1") == [
        ("79160000001", dt.date(2026, 4, 20)), ("79160000002", None)]


def test_a_refused_upload_is_a_readable_error(tmp_path, monkeypatch):
    at = _open(_app(tmp_path / "r.duckdb", monkeypatch), "pages/upload.py")
    ambiguous = b"id,channel,queued_at\n1,voice,03/04/2024 10:00\n2,voice,05/06/2024 10:00\n"
    at.file_uploader[0].set_value(("amb.csv", ambiguous, "text/csv")).run()
    assert not at.exception
    assert "ambiguous" in at.error[0].value and "the 'Date format' box" in at.error[0].value
    at.text_input[0].set_value("%d/%m/%Y").run()
    assert not at.error
    next(b for b in at.button if b.label == "Import amb.csv").click().run()
    assert {m.label: m.value for m in at.metric}["Imported"] == "2"


def test_import_history_delete_asks_for_confirmation(sample_copy, monkeypatch):
    at = _open(_app(sample_copy, monkeypatch), "pages/upload.py")
    at.selectbox(key="delete_choice").set_value(2).run()
    at.button(key="delete_ask").click().run()
    assert "Remove import #2?" in at.warning[0].value
    assert Store(sample_copy).scalar("SELECT count(*) FROM imports") == 3   # nothing deleted yet
    at.button(key="delete_yes").click().run()
    assert not at.exception
    assert Store(sample_copy).scalar("SELECT count(*) FROM imports") == 2
    assert [m.value for m in at.success if m.value.startswith("Deleted import #2:")]  # still said after the rerun
    assert at.selectbox(key="delete_choice").value == 3  # the newest import first



def test_data_quality_names_the_missing_technion_days(tmp_path, monkeypatch):
    from .conftest import realdata
    from .test_realdata import TECHNION_FLAGS
    from cxmetrics.cli import main

    path = realdata("technion_anonbank_1999-01.txt")
    db = tmp_path / "t.duckdb"
    assert main(["--db", str(db), "import", str(path), *TECHNION_FLAGS]) == 0
    at = _open(_app(db, monkeypatch), "pages/quality.py")
    assert any("1999-01-11, 1999-01-12" in w.value for w in at.warning)


def _select(at, label, value):
    next(s for s in at.selectbox if s.label == label).set_value(value)


def test_technion_upload_with_a_mapping_saved_as_a_preset(tmp_path, monkeypatch):
    from cxmetrics.schema import FIELD_LABELS
    from .conftest import realdata

    data = realdata("technion_anonbank_1999-01.txt").read_bytes()
    at = _open(_app(tmp_path / "t.duckdb", monkeypatch), "pages/upload.py")
    at.file_uploader[0].set_value(("technion_anonbank_1999-01.txt", data, "text/plain")).run()
    # From the headers alone (issue 14): every field but the id is proposed right, YYMMDD dates included ...
    for name, column in (("queued_date", "date"), ("queued_time", "vru_exit"), ("wait_seconds", "q_time"),
                         ("talk_seconds", "ser_time"), ("status", "outcome"), ("queue", "type"),
                         ("agent", "server"), ("customer_id", "customer_id")):
        assert next(b for b in at.selectbox if b.label == FIELD_LABELS[name]).value == column, name
    # ... and the page says before the import that call_id repeats, with the remedy
    assert any("'call_id', proposed as the contact id, repeats" in w.value for w in at.warning)
    next(m for m in at.multiselect if m.label.startswith("Contact id")).set_value(["vru+line", "call_id"])
    _select(at, "Channel for every row", "voice")
    at.run()
    assert not any("proposed as the contact id" in w.value for w in at.warning)
    editor = next(d for d in at.data_editor if d.key and d.key.endswith("-status"))
    rows = editor.value.fillna("").values.tolist()   # counted with the csv module
    assert rows == [["AGENT", 27060, "answered"], ["HANG", 4299, "abandoned"], ["PHANTOM", 240, "skip"]]
    assert not any("PHANTOM" in w.value for w in at.warning)
    next(t for t in at.text_input if t.label == "Save this mapping as a preset named").set_value("technion").run()
    next(b for b in at.button if b.label == "Save preset").click().run()
    assert at.success[0].value == "Preset 'technion' saved."
    next(b for b in at.button if b.label.startswith("Import technion")).click().run()
    assert not at.exception
    counts = {m.label: m.value for m in at.metric}
    assert counts == {"Read": "31,599", "Imported": "31,359", "Replaced": "0", "Skipped": "240", "Rejected": "0"}

    # Next month's file: pick the preset and nothing else.
    again = _open(_app(tmp_path / "t.duckdb", monkeypatch), "pages/upload.py")
    again.file_uploader[0].set_value(("technion_copy.txt", data, "text/plain")).run()
    _select(again, "Mapping preset", "technion")
    again.run()
    assert not again.error
    preview = next(d.value for d in again.dataframe if "Outcome" in d.value.columns)
    assert list(preview["Contact id"][:2]) == ["AA0101:33116", "AA0101:33117"]
    assert set(preview["Channel"]) == {"Voice"}  # the channel's name, not its slug


def test_quarterly_review_page_shows_findings_and_a_workbook(sample_copy, monkeypatch):
    import io

    from openpyxl import load_workbook

    from cxmetrics.review import quarterly_review
    from cxmetrics.workbook import SHEETS

    at = _open(_app(sample_copy, monkeypatch), "pages/review.py")
    at.selectbox(key="review_quarter").set_value("2026Q3").run()
    review = quarterly_review(Store(sample_copy), "2026Q3")
    shown = [line.strip("- ") for line in at.markdown[0].value.splitlines()]
    assert shown == review.findings
    scorecard = at.dataframe[0].value
    assert len(scorecard) == len(review.rows)
    assert list(scorecard.columns[:5]) == ["Channel", "Metric", "July", "August", "September"]
    button = at.get("download_button")[0]
    assert button.label == "Download the 2026Q3 workbook (.xlsx)"


def test_follow_up_page_saves_a_status_and_note(sample_copy, monkeypatch):
    from cxmetrics.followup import cases

    at = _open(_app(sample_copy, monkeypatch), "pages/followup.py")
    shown = next(d for d in at.data_editor if d.key == "followup_editor").value
    first = shown.iloc[0]
    at.session_state["followup_editor"] = {"edited_rows": {0: {"status": "contacted", "note": "called"}},
                                           "added_rows": [], "deleted_rows": []}
    at.run()
    next(b for b in at.button if b.label == "Save follow-up changes").click().run()
    assert at.success[0].value == "Saved 1 changed cases."
    saved = cases(Store(sample_copy)).set_index(["source", "contact_id"]).loc[(first["source"], first["contact_id"])]
    assert (saved["status"], saved["note"]) == ("contacted", "called")


def test_overview_shows_early_warning_and_satisfaction_names_unmeasured(sample_copy, monkeypatch):
    import datetime as dt

    at = _open(_app(sample_copy, monkeypatch), "pages/overview.py")
    # The sample ends in 2026-10: after that month the early warning says there is no data yet, not "all fine".
    # (The alerts themselves are checked on a store with this month's data in tests/test_shapes.py.)
    month = dt.date.today().strftime("%Y-%m")
    if month > "2026-10":
        assert any(i.value.startswith(f"Early warning: No data for {month} yet (latest: 2026-10).") for i in at.info)
    else:
        assert any(e.label.startswith("Early warning") for e in at.expander)
    at.switch_page("pages/satisfaction.py").run()
    assert not at.exception and at.subheader[0].value == "NPS structure"


def test_maturity_page_shows_no_stage_until_all_twenty_are_scored(sample_copy, monkeypatch):
    """Issue 11: statements start unscored; no total or stage until all twenty are scored; no raw ids shown."""
    from cxmetrics.views import maturity_context

    at = _open(_app(sample_copy, monkeypatch), "pages/maturity.py")
    evidence = maturity_context(Store(sample_copy)).evidence
    assert evidence[15].score is not None and evidence[16].score is not None   # the sample has the evidence
    proposed = {15: evidence[15].score, 16: evidence[16].score}
    for n in range(1, 21):
        assert at.button_group(key=f"maturity_{n}").value == proposed.get(n), n   # none pressed: not scored
    assert not any(m.label == "Total" for m in at.metric)
    assert not any("Stage:" in m.value for m in at.markdown)
    assert not any(s.value.startswith("Steps to") or s.value.startswith("Key metrics") for s in at.subheader)
    assert any(i.value.startswith("2 of 20 statements scored.") for i in at.info)
    save = next(b for b in at.button if b.label == "Save assessment")
    at.text_input(key="maturity_name").set_value("Ops review").run()
    assert next(b for b in at.button if b.label == "Save assessment").disabled and save.disabled
    # The evidence tables are labelled: channel names, metric labels, formatted values.
    sl_table, contact_table = (d.value for d in at.dataframe[:2])
    assert list(sl_table.columns) == ["Channel", "Month", "Service level", "Target", "Within 5% of target"]
    assert "Voice" in set(sl_table["Channel"]) and sl_table["Service level"].str.endswith("%").all()
    assert list(contact_table.columns) == ["Channel", "Metric", "Rolling status", "Months met", "Counted",
                                           "Compliant"]
    assert set(contact_table["Metric"]) <= {METRICS[m].label for m in ("volume", "aht", "fcr")}
    assert "back_office" not in set(sl_table["Channel"]) | set(contact_table["Channel"])

    for n in range(1, 20):
        if n not in proposed:
            at.button_group(key=f"maturity_{n}").set_value(3)
    at.run()
    assert not any(m.label == "Total" for m in at.metric)   # 19 of 20: still no total
    assert any(i.value.startswith("19 of 20 statements scored.") and i.value.endswith("Still to score: 20.")
               for i in at.info)
    at.button_group(key="maturity_20").set_value(3).run()
    assert not at.exception
    total = 3 * 18 + proposed[15] + proposed[16]
    assert next(m for m in at.metric if m.label == "Total").value == f"{total} of 100"
    assert any(m.value.startswith("**Stage: Customer-aware**") for m in at.markdown)
    assert any(s.value == "Steps to customer-centric" for s in at.subheader)
    assert not at.info
    next(b for b in at.button if b.label == "Save assessment").click().run()
    assert not at.exception
    assert Store(sample_copy).fetchall("SELECT name, total, stage FROM assessments") == [
        ("Ops review", total, "Customer-aware")]
    history = at.dataframe[-1].value
    assert list(history.columns[:5]) == ["No.", "Assessed by / site", "Date", "Total", "Stage"]
    assert history.columns[5] == "1. Alignment" and "s1" not in history.columns


def test_maturity_page_says_too_little_evidence(tmp_path, monkeypatch):
    """Three months of voice: no proposal for 15 or 16, and one line saying why."""
    from cxmetrics import import_file

    db = tmp_path / "thin.duckdb"
    lines = ["id,channel,queued_at,status,wait_seconds,talk_seconds"]
    for month in ("2024-10", "2024-11", "2024-12"):
        lines += [f"{month}-{i},voice,{month}-1{i} 10:00,answered,5,300" for i in range(10)]
    (tmp_path / "thin.csv").write_text("\n".join(lines) + "\n")
    store = Store(db)
    import_file(store, tmp_path / "thin.csv")
    store.close()
    at = _open(_app(db, monkeypatch), "pages/maturity.py")
    assert at.button_group(key="maturity_15").value is None and at.button_group(key="maturity_16").value is None
    captions = [c.value for c in at.caption]
    assert ("Too little evidence to propose a score: 3 channel-months with a service-level target and data, "
            "in 3 of the 12 months; at least 6 months needed.") in captions
    assert any(c.startswith("Too little evidence to propose a score: 0 channel × metrics with a verdict")
               for c in captions)
    assert sum(e.label == "Proposed from the data: none — too little evidence" for e in at.expander) == 2
    assert any(i.value.startswith("0 of 20 statements scored.") for i in at.info)
    assert not any(m.label == "Total" for m in at.metric)


def test_upload_error_names_the_page_controls_not_cli_flags(tmp_path, monkeypatch):
    """Issue 11.6: a channel-less file is refused in the page's words; the mapping boxes carry field labels."""
    from cxmetrics.schema import CONTACT_FIELDS

    at = _open(_app(tmp_path / "c.duckdb", monkeypatch), "pages/upload.py")
    at.file_uploader[0].set_value(("nochannel.csv", b"id,queued_at\n1,2024-05-02 09:00\n", "text/csv")).run()
    assert not at.exception
    message = at.error[0].value
    assert message.startswith("nochannel.csv: no column gives the channel.")
    assert "'Channel for every row'" in message and "the 'Channel' box of the mapping" in message
    assert "--" not in message
    labels = {s.label for s in at.selectbox} | {m.label.split(" (several")[0] for m in at.multiselect}
    assert {f.label for f in CONTACT_FIELDS} <= labels
    assert not labels & {"contact_id", "queued_at", "wait_seconds", "customer_id"}   # ids are the CLI's
    next(s for s in at.selectbox if s.label == "Channel for every row").set_value("voice").run()
    assert not at.error


def test_upload_and_quality_tables_show_labels_and_already_imported_in_page_words(tmp_path, monkeypatch):
    """Issue 11.5: the problems, import history, quarantine and import log tables have headings, not ids."""
    at = _open(_app(tmp_path / "q.duckdb", monkeypatch), "pages/upload.py")
    at.file_uploader[0].set_value(("may.csv", UPLOAD, "text/csv")).run()
    next(r for r in at.radio if r.label == "Invalid rows").set_value("quarantine").run()
    next(b for b in at.button if b.label == "Import may.csv").click().run()
    assert not at.exception
    columns = [list(d.value.columns) for d in at.dataframe]
    assert ["Row", "Column", "Value", "Reason"] in columns
    history = next(c for c in columns if "File" in c)
    assert history[:2] == ["Import #", "File"] and "Read" in history and "Rejected" in history
    assert not {"import_id", "sha256", "mapping_json", "rows_read"} & set(history)
    next(b for b in at.button if b.label == "Import may.csv").click().run()
    already = at.error[0].value
    assert "already imported" in already and "removing import #1 under 'Import history'" in already
    assert "--" not in already

    at.switch_page("pages/quality.py").run()
    assert not at.exception
    quarantine, log = (list(d.value.columns) for d in at.dataframe[:2])
    assert quarantine == ["Import #", "File", "Row", "Columns", "Reason"]
    assert log[:2] == ["Import #", "File"] and not {"import_id", "rows_read", "rows_imported"} & set(log)


def test_tiles_are_one_escaped_html_grid_with_the_change_coloured_by_whether_it_is_good():
    """A tile says the same as the st.metric it replaced: label with its definition, value, the change coloured by
    the metric's direction (not by the arrow), the state in words; user text cannot become markup."""
    from cxmetrics.display import tiles_html
    from cxmetrics.views import Tile

    def tile(metric, delta_text, delta_good, state="met", target="target 80.0%", label="Service level"):
        return Tile("voice", metric, label, 1.0, "82.8%", target, state, "", delta_text, delta_good, 10,
                    "Answered within <threshold> & more")
    grid = tiles_html([tile("service_level", "+0.3 pts", True), tile("abandon_rate", "+1.3 pts", False),
                       tile("asa", "-00:01", True), tile("volume", "-65", None, state=None),
                       tile("nps", None, None, label="<script>alert(1)</script>"),
                       tile("abandon_rate", "0.0 pts", False)])  # a change that rounds to nothing
    assert grid.count('class="cx-tile"') == 6 and "<script>" not in grid and "&lt;script&gt;" in grid
    assert 'title="Answered within &lt;threshold&gt; &amp; more"' in grid
    drawn = [t for t in _parse_tiles(grid)]
    assert [t["delta"] for t in drawn] == ["↑ +0.3 pts", "↑ +1.3 pts", "↓ -00:01", "↓ -65", "", "0.0 pts"]
    assert grid.count("cx-delta-good") == 2 + 1 and grid.count("cx-delta-bad") == 1 + 1  # and once each in the CSS
    assert grid.count("cx-delta-off") == 2 + 1
    assert drawn[0]["state"] == "✔ Met · target 80.0%" and drawn[3]["state"] == "No target"


def test_small_tables_are_escaped_html_with_state_colours_and_heading_definitions():
    from cxmetrics.display import table_html

    html = table_html([{"Channel": "<b>Voice</b>", "FCR": "✔ 71.0%"}, {"Channel": "Chat & co", "FCR": "✖ 60.0%"}],
                      [{"FCR": "met"}, {"FCR": "missed"}], {"FCR": "First <contact> resolution"})
    assert "<b>" not in html and "&lt;b&gt;Voice&lt;/b&gt;" in html and "Chat &amp; co" in html
    assert '<abbr title="First &lt;contact&gt; resolution">FCR</abbr>' in html
    (table,) = _parse_tables(html)
    assert table["rows"] == [{"Channel": "<b>Voice</b>", "FCR": "✔ 71.0%"}, {"Channel": "Chat & co", "FCR": "✖ 60.0%"}]
    assert [s["FCR"] for s in table["styles"]] == [cell_style("met"), cell_style("missed")]
    assert cell_style("met") != cell_style("missed") and table["styles"][0]["Channel"] == ""
    assert table_html([]) == ""


def _drawn(html: str):
    """A stand-in for an AppTest run that drew one st.html element holding `html`."""
    element = type("Html", (), {"value": html})()
    return type("At", (), {"get": lambda self, kind: [element]})()


def _parse_tables(html: str) -> list[dict]:
    return html_tables(_drawn(html))


def _parse_tiles(grid: str) -> list[dict]:
    return tiles(_drawn(grid))


def test_the_overviews_overdue_link_opens_every_months_overdue_cases(sample_copy, monkeypatch):
    """The Overview counts overdue cases of every month; the Follow-up page opens on the latest month alone, so the
    banner's link asks it for all months' overdue cases: the same number. An empty selection says so in words."""
    from cxmetrics.followup import overdue_count

    at = _open(_app(sample_copy, monkeypatch), "pages/overview.py")
    overdue = overdue_count(Store(sample_copy))
    assert overdue > 0
    link = next(e for e in at.get("page_link") if e.proto.label == "Show the overdue cases")
    assert (link.proto.page, link.proto.query_string) == ("followup", "cases=overdue")
    at.query_params["cases"] = "overdue"  # as the browser opens the link
    at.switch_page("pages/followup.py")
    at.run()
    assert not at.exception
    assert next(s for s in at.selectbox if s.label == "Month").value == "all"
    assert next(c for c in at.checkbox if c.label == "Only overdue").value is True
    shown = next(d for d in at.data_editor if d.key == "followup_editor").value
    assert len(shown) == overdue and shown["overdue"].all()
    assert "cases" not in at.query_params
    next(s for s in at.selectbox if s.label == "Status").set_value("resolved").run()  # none yet, so none overdue
    assert not at.data_editor and any(i.value.startswith("No cases in this selection") for i in at.info)
