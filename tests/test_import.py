"""The importer: detection, mapping, parsing, validation, transactions (issue 2).

Every expected figure below was worked out by hand from the fixture beside it.
"""
import datetime as dt
import json

import pytest
from openpyxl import Workbook

from cxmetrics import (AlreadyImported, ImportOptions, ImportRefused, delete_import, import_file, list_presets,
                       quarantined_rows)
from cxmetrics.storage import resolve_db_path

from .conftest import contacts, write

UTC = dt.timezone.utc

RUSSIAN_PBX = (
    "Тип;Статус;Время;Кто ответил;Длительность звонка;Длительность разговора;Время ответа;Оценка\r\n"
    "Входящий;Отвечен;05.03.2024 09:15:00;Иванова;00:03:10;00:02:55;12,5;5\r\n"
    "Входящий;Пропущен;05.03.2024 09:20:30;;00:00:40;00:00:00;40;\r\n"
    "Исходящий;Отвечен;13.03.2024 17:05:00;Петров;00:05:00;00:04:30;0;\r\n"
    "Входящий;Отвечен;13.03.2024 18:00:00;Петров;2:10;1:50;3,25;4,5\r\n"
)


def test_windows1251_semicolon_russian_headers_decimal_comma(store, tmp_path):
    path = write(tmp_path / "pbx.csv", RUSSIAN_PBX, "cp1251")
    report = import_file(store, path, ImportOptions(channel="voice"))
    assert report.file["encoding"] == "cp1251"
    assert report.file["delimiter"] == ";"
    assert report.mapping == {
        "queued_at": ["Время"], "wait_seconds": ["Время ответа"], "talk_seconds": ["Длительность разговора"],
        "direction": ["Тип"], "csat": ["Оценка"], "agent": ["Кто ответил"], "status": ["Статус"]}
    assert report.ignored_columns == ["Длительность звонка"]
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (4, 4, 0)
    rows = contacts(store)
    assert [r["queued_at"] for r in rows] == [
        dt.datetime(2024, 3, 5, 9, 15, tzinfo=UTC), dt.datetime(2024, 3, 5, 9, 20, 30, tzinfo=UTC),
        dt.datetime(2024, 3, 13, 17, 5, tzinfo=UTC), dt.datetime(2024, 3, 13, 18, 0, tzinfo=UTC)]
    assert [r["direction"] for r in rows] == ["inbound", "inbound", "outbound", "inbound"]
    assert [r["answered"] for r in rows] == [True, False, True, True]
    assert [r["abandoned"] for r in rows] == [False, True, False, False]
    assert [r["wait_seconds"] for r in rows] == [12.5, 40.0, 0.0, 3.25]
    assert [r["talk_seconds"] for r in rows] == [175.0, 0.0, 270.0, 110.0]  # HH:MM:SS and MM:SS
    assert [r["handle_seconds"] for r in rows] == [175.0, 0.0, 270.0, 110.0]
    assert [r["csat"] for r in rows] == [5.0, None, None, 4.5]
    assert [r["agent"] for r in rows] == ["Иванова", None, "Петров", "Петров"]
    assert all(r["channel"] == "voice" for r in rows)
    # no id column: ids come from row contents, so they are stable and distinct
    assert len({r["contact_id"] for r in rows}) == 4 and all(r["contact_id"].startswith("row:") for r in rows)
    assert any("no contact id column" in w for w in report.warnings)



def test_a_new_channel_given_for_the_whole_file_is_reported(store, tmp_path):
    """--channel "Service desk" (none of the standard channels) is reported as a new channel, as a column's value
    would be (spec §2); a standard one given that way, or its alias, is not."""
    path = write(tmp_path / "j.csv", "id,queued_at\n1,2024-05-02 09:00\n2,2024-05-02 09:05\n")
    assert import_file(store, path, ImportOptions(channel="Service desk")).new_channels == {"service_desk": 2}
    assert import_file(store, path, ImportOptions(channel="Phone", force=True)).new_channels == {}

def test_utf16_tab_separated_month_first_dates_and_channel_aliases(store, tmp_path):
    text = ("Contact ID\tChannel\tStart Time\tAnswered\tWait Time\tHandle Time\tCSAT\n"
            "A1\tPhone\t01/13/2024 08:00\tYes\t20\t300\t4\n"
            "A2\tWeb chat\t01/14/2024 09:30\tNo\t75\t\t\n"
            "A3\tWhatsApp\t02/01/2024 10:00\tTrue\t5\t0:04:00\t\n"
            "A4\tCarrier pigeon\t02/02/2024 11:00\t1\t1\t60\t5\n")
    path = write(tmp_path / "u16.txt", "\ufeff" + text, "utf-16-le")
    report = import_file(store, path)
    assert report.file["encoding"] == "utf-16" and report.file["delimiter"] == "tab"
    assert report.rows_imported == 4
    assert report.new_channels == {"carrier_pigeon": 1}
    rows = contacts(store)
    assert [r["channel"] for r in rows] == ["voice", "chat", "messaging", "carrier_pigeon"]
    assert rows[0]["queued_at"] == dt.datetime(2024, 1, 13, 8, 0, tzinfo=UTC)
    assert rows[2]["queued_at"] == dt.datetime(2024, 2, 1, 10, 0, tzinfo=UTC)  # MM/DD: 13 only fits the day
    assert [r["answered"] for r in rows] == [True, False, True, True]
    assert [r["abandoned"] for r in rows] == [False, True, False, False]
    assert [r["handle_seconds"] for r in rows] == [300.0, None, 240.0, 60.0]


def test_xlsx_with_excel_time_values_and_serial_dates(store, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Calls"
    ws.append(["Call Id", "Date", "Time", "Answered (Y/N)", "Speed of answer in seconds", "AvgTalkDuration",
               "Satisfaction rating"])
    ws.append(["X1", dt.date(2021, 1, 4), dt.time(9, 12, 58), "Y", 109, dt.time(0, 2, 23), 3])
    ws.append(["X2", 44201, dt.time(23, 59, 59), "N", None, None, None])  # serial 44201 = 2021-01-05
    ws.append(["X3", dt.datetime(2021, 1, 6), 0.5, "Y", 7, 0.0125, 5])  # day fractions: 12:00 and 18 min
    for row in ws.iter_rows(min_row=3, max_row=3, min_col=2, max_col=2):
        row[0].number_format = "General"
    path = tmp_path / "calls.xlsx"
    wb.save(path)
    report = import_file(store, path, ImportOptions(channel="phone"))
    assert report.file["sheet"] == "Calls"
    assert report.rows_imported == 3, report.text()
    rows = contacts(store)
    assert [r["queued_at"] for r in rows] == [dt.datetime(2021, 1, 4, 9, 12, 58, tzinfo=UTC),
                                              dt.datetime(2021, 1, 5, 23, 59, 59, tzinfo=UTC),
                                              dt.datetime(2021, 1, 6, 12, 0, tzinfo=UTC)]
    assert [r["talk_seconds"] for r in rows] == [143.0, None, pytest.approx(1080.0)]
    assert [r["wait_seconds"] for r in rows] == [109.0, None, 7.0]
    assert [r["channel"] for r in rows] == ["voice"] * 3


def test_xlsx_blank_rows_cells_past_the_header_and_padded_text(store, tmp_path):
    """Blank rows hold no contact; a cell past the last header is warned about with its row; blanks are trimmed."""
    wb = Workbook()
    ws = wb.active
    ws.append(["id", "channel", "queued_at", "wait"])
    ws.append(["\ufeffA1 ", "\u00a0Voice", "2024-03-01 09:00:00", 12])
    ws.append([None, None, None, None])
    ws.append(["A2", "chat", "2024-03-01 09:05:00", 7.5, "stray note"])
    ws.append(["  ", "", None, None])
    ws.append(["A3", "email", dt.datetime(2024, 3, 1, 9, 10), None])
    path = tmp_path / "gaps.xlsx"
    wb.save(path)
    report = import_file(store, path)
    assert report.rows_imported == 3, report.text()
    assert any("gaps.xlsx, row 4: cells beyond the last header were ignored: stray note" in w
               for w in report.warnings), report.warnings
    rows = contacts(store)
    assert [r["contact_id"] for r in rows] == ["A1", "A2", "A3"]
    assert [r["file_row"] for r in rows] == [2, 4, 6]
    assert [r["channel"] for r in rows] == ["voice", "chat", "email"]
    assert [r["wait_seconds"] for r in rows] == [12.0, 7.5, None]


def test_blanks_first_met_in_a_later_batch_are_trimmed(store, tmp_path, monkeypatch):
    """Only columns found holding a padded value are trimmed in SQL: a blank first met after the first batch of a
    CSV still counts, in every column kind (id, channel, time, duration, number, yes/no, status, text)."""
    from cxmetrics.ingest import read, stage

    monkeypatch.setattr(read, "BATCH_BYTES", 256)  # a few rows per batch
    header = "id,channel,queued_at,wait,csat,resolved,status,agent\n"
    clean = [f"C{i},voice,2024-03-01 09:{i:02d}:00,{i},4,yes,answered,Ann\n" for i in range(40)]
    padded = clean[:35] + [" C35\u00a0,\ufeffchat , 2024-03-01 09:35:00\t,  00:01:05 , 5 ,\u00a0no,  abandoned ,Bob  \n"]
    path = write(tmp_path / "late.csv", header + "".join(padded + clean[36:]))
    seen = []
    real = stage.padded_columns
    monkeypatch.setattr(stage, "padded_columns", lambda batch, known: seen.append(batch.num_rows) or real(batch, known))
    report = import_file(store, path)
    assert len(seen) > 3 and report.rows_imported == 40, (seen, report.text())
    row = store.records("SELECT * FROM contacts WHERE contact_id = 'C35'")
    assert len(row) == 1, contacts(store)
    r = row[0]
    assert (r["channel"], r["queued_local"], r["wait_seconds"], r["csat"], r["resolved"], r["answered"],
            r["abandoned"], r["agent"]) == ("chat", dt.datetime(2024, 3, 1, 9, 35), 65.0, 5.0, False, False, True, "Bob")


def test_padded_columns_names_only_columns_with_a_blank_at_an_end():
    import pyarrow as pa

    from cxmetrics.ingest.stage import padded_columns

    batch = pa.RecordBatch.from_pydict({"c0": ["a", "b c", None], "c1": ["x", "y\u00a0", "z"], "c2": ["\ufeffq", "r", ""],
                                        "c3": ["\tp", "s", "t"], "file_row": [2, 3, 4]})
    assert padded_columns(batch, set()) == {"c1", "c2", "c3"}
    assert padded_columns(batch, {"c1"}) == {"c2", "c3"}


def test_timezone_naive_is_local_offset_is_converted(store, tmp_path):
    path = write(tmp_path / "tz.csv", "id,channel,queued_at\n"
                 "1,voice,2024-07-01 10:00:00\n"
                 "2,voice,2024-07-01T10:00:00+03:00\n"
                 "3,voice,2024-01-15 10:00\n")
    import_file(store, path, ImportOptions(timezone="Europe/Berlin"))
    rows = contacts(store)
    assert rows[0]["queued_at"] == dt.datetime(2024, 7, 1, 8, 0, tzinfo=UTC)  # CEST = UTC+2
    assert rows[1]["queued_at"] == dt.datetime(2024, 7, 1, 7, 0, tzinfo=UTC)
    assert rows[2]["queued_at"] == dt.datetime(2024, 1, 15, 9, 0, tzinfo=UTC)  # CET = UTC+1
    assert rows[1]["queued_local"] == dt.datetime(2024, 7, 1, 9, 0)


def test_ambiguous_day_month_column_is_refused_unless_format_given(store, tmp_path):
    path = write(tmp_path / "amb.csv", "id,channel,queued_at\n1,voice,03/04/2024 10:00\n2,voice,05/06/2024 11:00\n")
    with pytest.raises(ImportRefused) as err:
        import_file(store, path)
    assert "column 'queued_at' is ambiguous" in str(err.value)
    assert "--date-format" in str(err.value)
    import_file(store, path, ImportOptions(date_format="%d/%m/%Y"))
    assert [r["queued_at"].date() for r in contacts(store)] == [dt.date(2024, 4, 3), dt.date(2024, 6, 5)]


def test_dotted_dates_are_day_first_even_when_every_day_is_twelve_or_less(store, tmp_path):
    path = write(tmp_path / "dot.csv", "id;channel;queued_at\n1;voice;03.04.2024 10:00\n")
    import_file(store, path)
    assert contacts(store)[0]["queued_at"] == dt.datetime(2024, 4, 3, 10, 0, tzinfo=UTC)


def test_booleans_english_and_russian(store, tmp_path):
    path = write(tmp_path / "b.csv", "id,channel,queued_at,answered,resolved\n"
                 "1,voice,2024-01-01 10:00,Да,да\n2,voice,2024-01-01 10:01,Нет,нет\n"
                 "3,voice,2024-01-01 10:02,TRUE,y\n4,voice,2024-01-01 10:03,0,False\n")
    import_file(store, path)
    rows = contacts(store)
    assert [r["answered"] for r in rows] == [True, False, True, False]
    assert [r["resolved"] for r in rows] == [True, False, True, False]


def test_status_map_and_unknown_status_values_listed_with_counts(store, tmp_path):
    path = write(tmp_path / "s.csv", "id,channel,queued_at,status\n"
                 "1,voice,2024-01-01 10:00,Answered\n2,voice,2024-01-01 10:01,Voicemail\n"
                 "3,voice,2024-01-01 10:02,Voicemail\n4,voice,2024-01-01 10:03,Callback\n"
                 "5,voice,2024-01-01 10:04,Abandon\n")
    with pytest.raises(ImportRefused) as err:
        import_file(store, path)
    message = str(err.value)
    assert "'Voicemail' (2 rows)" in message and "'Callback' (1 row)" in message
    assert store.scalar("SELECT count(*) FROM contacts") == 0
    report = import_file(store, path, ImportOptions(status_map={"Voicemail": "skip", "callback": "abandoned"}))
    assert (report.rows_read, report.rows_imported, report.rows_skipped, report.rows_rejected) == (5, 3, 2, 0)
    assert [r["abandoned"] for r in contacts(store)] == [False, True, True]


def test_validation_collects_every_problem_with_row_column_value(store, tmp_path):
    path = write(tmp_path / "bad.csv", "id,channel,queued_at,wait_seconds,csat,nps\n"
                 "1,voice,2024-01-01 10:00,10,5,10\n"
                 "2,voice,2024-01-01 10:01,-3,7,11\n"
                 ",voice,not a date,abc,4,9\n"
                 "4,voice,2024-01-01 10:03,5,2,7.5\n"
                 "1,voice,2024-01-01 10:04,5,2,8\n")
    before = store.table_counts()
    with pytest.raises(ImportRefused) as err:
        import_file(store, path)
    found = {(p.row, p.column, p.value, p.reason) for p in err.value.problems}
    assert found == {
        (3, "wait_seconds", "-3", "negative duration"),
        (3, "csat", "7", "csat must be between 1 and 5"),
        (3, "nps", "11", "nps must be between 0 and 10"),
        (4, "id", None, "contact_id is empty"),
        (4, "queued_at", "not a date", "not a date in the column's format (ISO 8601 (YYYY-MM-DD))"),
        (4, "wait_seconds", "abc", "not a duration (seconds, HH:MM:SS, MM:SS or 1 min 5 s)"),
        (5, "nps", "7.5", "nps must be a whole number from 0 to 10"),
        (2, "id", "1", "the same contact_id appears more than once in this file"),
        (6, "id", "1", "the same contact_id appears more than once in this file"),
    }
    assert "5 of 5 rows are invalid" in str(err.value)
    assert store.table_counts() == before  # a refused import leaves every table as it was


def test_quarantine_accounting(store, tmp_path):
    path = write(tmp_path / "q.csv", "id,channel,queued_at,csat\n"
                 "1,chat,2024-01-01 10:00,5\n2,chat,,4\n3,chat,2024-01-01 10:02,9\n4,chat,2024-01-01 10:03,\n")
    report = import_file(store, path, ImportOptions(on_error="quarantine"))
    assert (report.rows_read, report.rows_imported, report.rows_skipped, report.rows_rejected) == (4, 2, 0, 2)
    assert report.rows_read == report.rows_imported + report.rows_skipped + report.rows_rejected
    rows = quarantined_rows(store, report.import_id)
    assert [(r["file_row"], r["columns"], r["reason"]) for r in rows] == [
        (3, "queued_at", "queued_at is empty"), (4, "csat", "csat must be between 1 and 5")]
    assert json.loads(rows[1]["raw_json"]) == {"id": "3", "channel": "chat", "queued_at": "2024-01-01 10:02",
                                               "csat": "9"}
    imported = store.fetchall("SELECT rows_read, rows_imported, rows_skipped, rows_rejected FROM imports")
    assert imported == [(4, 2, 0, 2)]


def test_reimport_refused_unless_forced_and_replace_semantics(store, tmp_path):
    first = write(tmp_path / "jan.csv", "id,channel,queued_at,csat\n1,voice,2024-01-01 10:00,3\n"
                  "2,voice,2024-01-01 11:00,4\n")
    report1 = import_file(store, first)
    with pytest.raises(AlreadyImported) as err:
        import_file(store, first)
    assert f"already imported on {dt.date.today():%Y-%m-%d}" in str(err.value)
    assert f"as import #{report1.import_id}" in str(err.value)
    corrected = write(tmp_path / "jan_v2.csv", "id,channel,queued_at,csat\n2,voice,2024-01-01 11:00,5\n"
                      "3,voice,2024-01-01 12:00,1\n")
    report2 = import_file(store, corrected)
    assert (report2.rows_imported, report2.rows_replaced) == (2, 1)
    assert store.fetchall("SELECT contact_id, csat, import_id FROM contacts ORDER BY 1") == [
        ("1", 3.0, report1.import_id), ("2", 5.0, report2.import_id), ("3", 1.0, report2.import_id)]
    forced = import_file(store, first, ImportOptions(force=True))
    assert (forced.rows_imported, forced.rows_replaced) == (2, 2)
    # another source keeps its own ids
    import_file(store, corrected, ImportOptions(source="crm", force=True))
    assert store.scalar("SELECT count(*) FROM contacts") == 5


def test_delete_import_restores_what_it_replaced(store, tmp_path):
    a = write(tmp_path / "a.csv", "id,channel,queued_at,csat\n1,voice,2024-01-01 10:00,3\n")
    b = write(tmp_path / "b.csv", "id,channel,queued_at,csat\n1,voice,2024-01-01 10:00,5\n2,voice,2024-01-02 10:00,4\n")
    import_file(store, a)
    before = store.fetchall("SELECT contact_id, csat FROM contacts ORDER BY 1")
    report = import_file(store, b)
    result = delete_import(store, report.import_id)
    assert (result["removed"], result["restored"]) == (2, 1)
    assert store.fetchall("SELECT contact_id, csat FROM contacts ORDER BY 1") == before
    assert store.scalar("SELECT count(*) FROM contacts_replaced") == 0


def test_composite_contact_id_and_separate_date_time_columns(store, tmp_path):
    path = write(tmp_path / "c.tsv", "line\tcall\tday\ttime\n"
                 "L1\t7\t240105\t9:05:03\nL2\t7\t240105\t23:00:00\n")
    import_file(store, path, ImportOptions(channel="voice", date_format="%y%m%d", mapping={
        "contact_id": ["line", "call"], "queued_date": ["day"], "queued_time": ["time"]}))
    rows = contacts(store)
    assert [r["contact_id"] for r in rows] == ["L1:7", "L2:7"]
    assert [r["queued_at"] for r in rows] == [dt.datetime(2024, 1, 5, 9, 5, 3, tzinfo=UTC),
                                              dt.datetime(2024, 1, 5, 23, 0, tzinfo=UTC)]


def test_preset_saved_and_reused(store, tmp_path):
    path = write(tmp_path / "p.csv", "Ref|When|Where\nR1|2024-02-01 08:00|Mail\n")
    import_file(store, path, ImportOptions(mapping={"contact_id": ["Ref"], "queued_at": ["When"],
                                                    "channel": ["Where"]}, save_preset="ticket-tool"))
    assert list_presets(store)[0]["mapping"] == {"contact_id": ["Ref"], "queued_at": ["When"], "channel": ["Where"]}
    other = write(tmp_path / "p2.csv", "Ref|When|Where\nR2|2024-02-02 08:00|Почта\n")
    report = import_file(store, other, ImportOptions(preset="ticket-tool"))
    assert report.source == "ticket-tool"
    assert [r["channel"] for r in contacts(store, "contact_id")] == ["email", "email"]


def test_header_row_after_preamble_lines(store, tmp_path):
    path = write(tmp_path / "pre.csv", "Call report\nJanuary 2024\n\nid,channel,queued_at\n1,chat,2024-01-03 10:00\n")
    report = import_file(store, path)
    assert report.file["header_row"] == 4
    assert contacts(store)[0]["file_row"] == 5


def test_derived_answer_and_wait_from_timestamps(store, tmp_path):
    path = write(tmp_path / "ts.csv", "id,channel,queued_at,answered_at,ended_at,talk_seconds,hold_seconds\n"
                 "1,voice,2024-01-01 10:00:00,2024-01-01 10:00:25,2024-01-01 10:05:00,250,\n"
                 "2,voice,2024-01-01 10:01:00,,2024-01-01 10:01:40,,\n")
    import_file(store, path)
    rows = contacts(store)
    assert [(r["answered"], r["abandoned"], r["wait_seconds"], r["handle_seconds"]) for r in rows] == [
        (True, False, 25.0, 250.0), (False, True, 40.0, None)]


def test_customers_import(store, tmp_path):
    path = write(tmp_path / "cust.csv", "Customer ID,Churn date\nC1,\nC2,2024-03-05\nC3,15.04.2024\n")
    with pytest.raises(ImportRefused) as err:  # two date formats in one column
        import_file(store, path, ImportOptions(kind="customers"))
    assert "mixes date formats" in str(err.value)
    path = write(tmp_path / "cust.csv", "Customer ID,Churn date\nC1,\nC2,2024-03-05\nC3,2024-04-15\n")
    report = import_file(store, path, ImportOptions(kind="customers"))
    assert report.rows_imported == 3
    assert store.fetchall("SELECT customer_id, churned_on FROM customers ORDER BY 1") == [
        ("C1", None), ("C2", dt.date(2024, 3, 5)), ("C3", dt.date(2024, 4, 15))]


def test_db_path_resolution(monkeypatch, tmp_path):
    monkeypatch.delenv("CXMETRICS_DB", raising=False)
    assert str(resolve_db_path()) == "data/cxmetrics.duckdb"
    monkeypatch.setenv("CXMETRICS_DB", str(tmp_path / "env.duckdb"))
    assert resolve_db_path() == tmp_path / "env.duckdb"
    assert resolve_db_path(tmp_path / "cli.duckdb") == tmp_path / "cli.duckdb"


def test_schema_is_versioned_and_seeded(store):
    assert store.schema_version() == 5
    assert store.fetchall("SELECT channel, sl_threshold_s, short_abandon_s, sl_formula FROM channel_settings "
                          "ORDER BY channel") == [
        ("back_office", 172800.0, 0.0, "abandons_against"), ("chat", 60.0, 5.0, "abandons_against"),
        ("email", 86400.0, 0.0, "abandons_against"), ("messaging", 300.0, 0.0, "abandons_against"),
        ("social", 3600.0, 0.0, "abandons_against"), ("video", 20.0, 5.0, "abandons_against"),
        ("voice", 20.0, 5.0, "abandons_against")]
    assert dict(store.fetchall("SELECT key, value FROM settings")) == {
        "timezone": "UTC", "fcr_window_days": "7", "churn_window_days": "30", "rule_k": "9", "rule_n": "12",
        "max_upload_mb": "200", "followup_nps_max": "6", "followup_csat_max": "2", "followup_ces_max": "2",
        "followup_overdue_days": "7", "language": "en", "shrinkage_pct": "30"}
    assert set(store.table_counts()) >= {"contacts", "customers", "imports", "mapping_presets", "channel_settings",
                                         "targets", "settings", "quarantine"}


@pytest.mark.parametrize("header, expected", [
    # Amazon Connect contact search export
    ("Contact ID,Channel,Initiation timestamp,Connected to agent timestamp,Disconnect timestamp,Queue,Agent",
     {"contact_id": ["Contact ID"], "channel": ["Channel"], "queued_at": ["Initiation timestamp"],
      "answered_at": ["Connected to agent timestamp"], "ended_at": ["Disconnect timestamp"], "queue": ["Queue"],
      "agent": ["Agent"]}),
    # Genesys Cloud interactions export
    ("Conversation ID,Date,Media Type,Direction,Queue,Users,Abandoned,Total Talk,Total Hold,Total ACW",
     {"contact_id": ["Conversation ID"], "channel": ["Media Type"], "queued_at": ["Date"],
      "abandoned": ["Abandoned"], "talk_seconds": ["Total Talk"], "hold_seconds": ["Total Hold"],
      "wrap_seconds": ["Total ACW"], "direction": ["Direction"], "queue": ["Queue"], "agent": ["Users"]}),
    # Five9 call log report
    ("CALL ID,DATE,TIME,SKILL,AGENT,DISPOSITION,QUEUE WAIT TIME,TALK TIME,HOLD TIME,AFTER CALL WORK TIME,"
     "HANDLE TIME,ABANDONED,ANI",
     {"contact_id": ["CALL ID"], "queued_date": ["DATE"], "queued_time": ["TIME"], "abandoned": ["ABANDONED"],
      "wait_seconds": ["QUEUE WAIT TIME"], "talk_seconds": ["TALK TIME"], "hold_seconds": ["HOLD TIME"],
      "wrap_seconds": ["AFTER CALL WORK TIME"], "handle_seconds": ["HANDLE TIME"], "customer_id": ["ANI"],
      "queue": ["SKILL"], "agent": ["AGENT"], "status": ["DISPOSITION"]}),
    # Zendesk ticket export
    ("Id,Via,Created at,Solved at,Requester id,Assignee,Group,Satisfaction Score",
     {"contact_id": ["Id"], "channel": ["Via"], "queued_at": ["Created at"], "ended_at": ["Solved at"],
      "customer_id": ["Requester id"], "csat": ["Satisfaction Score"], "team": ["Group"], "agent": ["Assignee"]}),
])
def test_platform_export_headers_are_recognised(header, expected):
    from cxmetrics.ingest import resolve_mapping
    headers = header.split(",")
    assert resolve_mapping(headers, ImportOptions(), "x.csv") == expected


def test_zendesk_good_bad_satisfaction_and_lone_date_column_with_times(store, tmp_path):
    path = write(tmp_path / "zd.csv", "Id,Via,Created at,Satisfaction Score\n"
                 "1,Email,2024-05-02 10:00:00,Good\n2,Web,2024-05-02 11:00:00,Bad\n"
                 "3,Chat,2024-05-02 12:00:00,Offered\n4,Chat,2024-05-02 13:00:00,Unoffered\n")
    report = import_file(store, path)
    assert report.new_channels == {"web": 1}
    assert [r["csat"] for r in contacts(store)] == [5.0, 1.0, None, None]
    genesys = write(tmp_path / "g.csv", "Conversation ID,Date,Media Type\nG1,2024-05-03 08:30:15,voice\n")
    import_file(store, genesys)
    assert store.scalar("SELECT queued_at FROM contacts WHERE contact_id = 'G1'") == dt.datetime(
        2024, 5, 3, 8, 30, 15, tzinfo=UTC)


def test_first_non_empty_sheet_or_the_named_one(store, tmp_path):
    wb = Workbook()
    wb.active.title = "Cover"
    data = wb.create_sheet("Data")
    data.append(["id", "channel", "queued_at"])
    data.append(["D1", "chat", "2024-02-01 09:00"])
    other = wb.create_sheet("Other")
    other.append(["id", "channel", "queued_at"])
    other.append(["O1", "email", "2024-02-01 09:00"])
    other.append(["O2", "email", "2024-02-01 09:30"])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    assert import_file(store, path).file["sheet"] == "Data"
    report = import_file(store, path, ImportOptions(sheet="Other", force=True))
    assert (report.file["sheet"], report.rows_imported) == ("Other", 2)
    with pytest.raises(ImportRefused) as err:
        import_file(store, path, ImportOptions(sheet="Missing", force=True))
    assert "there is no sheet named 'Missing'; the sheets are 'Cover', 'Data', 'Other'" in str(err.value)


def test_a_row_with_too_many_fields_after_a_quoted_line_break_is_named_by_its_spreadsheet_row(store, tmp_path):
    """A quoted value spanning two lines is one row (as a spreadsheet shows it), so the malformed row after it is
    row 3, not the file's line 4; value errors already counted rows that way."""
    path = write(tmp_path / "q.csv", 'Ticket ID,Subject,Created at,Channel,Wait Time\n'
                 '1,"Hello, world\nsecond line",2026-03-02 10:00,chat,20\n'
                 '2,Refund, please,2026-03-02 11:00,chat,30\n3,ok,2026-03-03 11:00,chat,40\n')
    with pytest.raises(ImportRefused) as refused:
        import_file(store, path)
    assert [(p.row, p.value) for p in refused.value.problems] == [(3, "2,Refund, please,2026-03-02 11:00,chat,30")]


def test_a_file_that_never_says_a_contact_was_answered_is_warned_with_the_remedy(store, tmp_path):
    """Intercom's export with only "Time to first response" mapped: every conversation counts as not answered
    (spec §1), so abandonment is 100 %; the warning says so and names the mappings that fix it, per interface."""
    from cxmetrics.errors import PAGE

    path = write(tmp_path / "ic.csv", "Conversation ID,Created at,Channel,State,Time to first response (seconds)\n"
                 "1,2026-03-02T07:00:00Z,Chat,closed,40\n2,2026-03-02T07:05:00Z,Chat,closed,75\n")
    report = import_file(store, path, ImportOptions(mapping={"wait_seconds": ["Time to first response (seconds)"]}))
    warning = next(w for w in report.warnings if "answered" in str(w))
    assert warning.text_for("cli").endswith(
        "every contact counts as not answered, so abandonment shows 100 %. Map the column that says it: a status "
        "with --map status=COLUMN (say how each value counts with --status-map VALUE=answered|abandoned|skip), a "
        "yes/no column with --map answered=COLUMN or the time answered with --map answered_at=COLUMN.")
    assert "in the 'Status' box of the mapping" in warning.text_for(PAGE)
    report = import_file(store, path, ImportOptions(mapping={"status": ["State"]}, status_map={"closed": "answered"},
                                                    force=True))
    assert not [w for w in report.warnings if "not answered" in str(w)]


def test_a_phone_number_is_one_customer_however_it_is_written(store, tmp_path):
    """The PBX writes "+7 916 000-00-01", the CRM "79160000001" or "8 (916) 000-00-02": matched on their digits (the
    trunk prefix 8 read as 7), so churn counts them; ids that are not phone numbers stay as written. Figures by
    hand: 4 voice customers in April, 2 churned within 30 days of their call = 50 %."""
    from cxmetrics.kpis import kpis

    write(tmp_path / "calls.csv", "id,channel,queued_at,status,customer\n"
          "1,voice,2026-04-06 10:00,answered,+7 916 000-00-01\n2,voice,2026-04-06 10:15,answered,8 (916) 000-00-02\n"
          "3,voice,2026-04-07 09:00,answered,CUST-0042\n4,voice,2026-04-07 09:30,abandoned,12345\n"
          "5,voice,2026-04-07 09:40,abandoned,0\n")
    import_file(store, tmp_path / "calls.csv")
    assert store.fetchall("SELECT contact_id, customer_id FROM contacts ORDER BY 1") == [
        ("1", "79160000001"), ("2", "79160000002"), ("3", "CUST-0042"), ("4", "12345"), ("5", None)]
    write(tmp_path / "customers.csv", "Клиент;Телефон;Дата ухода\nООО Ромашка;79160000001;20.04.2026\n"
          "ИП Петров;+7 (916) 000-00-02;01.05.2026\nАО Лютик;89160000009;\n")
    report = import_file(store, tmp_path / "customers.csv", ImportOptions(kind="customers"))
    assert report.mapping["customer_id"] == ["Телефон"] and not report.warnings
    assert {r.metric: r.value for r in kpis(store, metrics=["churn_rate"])} == {"churn_rate": 50.0}


def test_a_store_from_before_phone_matching_is_migrated_once(tmp_path):
    """A store whose ids were stored as written ("+7 916 000-00-01" and "8 (916) 000-00-01": two customers) is
    rewritten when opened by this version, and its repeat-contact FCR and measures recomputed. Figures by hand,
    FCR window 7 days: April's answered calls with a customer are 1, 2 and 3; as two callers none repeats (3 of 3 =
    100 %); as one, call 1 is followed by call 2 the next day (2 of 3 = 66.7 %). The customers rows that become one
    id keep the newer import's, and the older comes back when that import is undone."""
    from cxmetrics.ingest.fcr import refresh_all_next_contacts
    from cxmetrics.kpis import kpis
    from cxmetrics.measures import rebuild
    from cxmetrics.storage import CUSTOMER_KEYS_CHANGED, MIGRATIONS, Store

    db = tmp_path / "old.duckdb"
    store = Store(db)
    write(tmp_path / "calls.csv", "id,channel,queued_at,status,customer\n"
          "1,voice,2026-04-06 10:00,answered,+7 916 000-00-01\n2,voice,2026-04-07 10:00,answered,8 (916) 000-00-01\n"
          "3,voice,2026-04-20 09:00,answered,CUST-9\n4,voice,2026-05-30 09:00,answered,CUST-10\n")
    import_file(store, tmp_path / "calls.csv")
    write(tmp_path / "churn1.csv", "customer;churned_on\n+7 (916) 000-00-01;20.04.2026\n")
    import_file(store, tmp_path / "churn1.csv", ImportOptions(kind="customers"))
    write(tmp_path / "churn2.csv", "customer;churned_on\nCUST-9;\n79160000001;\n")
    newer = import_file(store, tmp_path / "churn2.csv", ImportOptions(kind="customers")).import_id
    # as a store of the previous version wrote it: ids as the files gave them, its measures built from them
    for contact_id, customer in {"1": "+7 916 000-00-01", "2": "8 (916) 000-00-01"}.items():
        store.execute("UPDATE contacts SET customer_id = ? WHERE contact_id = ?", [customer, contact_id])
    store.execute("INSERT INTO customers SELECT * EXCLUDE (replaced_by) FROM customers_replaced")  # not replaced
    store.execute("DELETE FROM customers_replaced")
    store.execute("UPDATE customers SET customer_id = '+7 (916) 000-00-01' WHERE import_id < ?", [newer])
    with store.transaction():
        refresh_all_next_contacts(store)
        rebuild(store)
    store.execute("DELETE FROM schema_version WHERE version = ?", [len(MIGRATIONS)])

    def april_fcr(s):
        return next(r.value for r in kpis(s, metrics=["fcr"]) if r.period == "2026-04")

    assert april_fcr(store) == 100.0
    assert store.scalar("SELECT count(*) FROM customers") == 3
    store.close()

    store = Store(db)
    assert store.schema_version() == len(MIGRATIONS)
    assert store.fetchall("SELECT contact_id, customer_id FROM contacts ORDER BY 1") == [
        ("1", "79160000001"), ("2", "79160000001"), ("3", "CUST-9"), ("4", "CUST-10")]
    assert april_fcr(store) == pytest.approx(200 / 3)
    assert store.fetchall("SELECT customer_id, contacts FROM measures_customers ORDER BY 1") == [
        ("79160000001", 2), ("CUST-10", 1), ("CUST-9", 1)]
    assert store.fetchall("SELECT customer_id, churned_on, import_id FROM customers ORDER BY 1") == [
        ("79160000001", None, newer), ("CUST-9", None, newer)]
    assert store.fetchall("SELECT customer_id, churned_on, replaced_by FROM customers_replaced") == [
        ("79160000001", dt.date(2026, 4, 20), newer)]
    assert not store.scalar("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [CUSTOMER_KEYS_CHANGED])
    delete_import(store, newer)
    assert store.fetchall("SELECT customer_id, churned_on FROM customers") == [("79160000001", dt.date(2026, 4, 20))]
    store.close()


@pytest.mark.parametrize("headers, kind", [
    (["Клиент", "Телефон", "Дата ухода"], "customers"),
    (["customer_id", "churned_on"], "customers"),
    (["Account ID", "Cancellation date", "Plan"], "customers"),
    (["Телефон", "Дата звонка", "Дата ухода"], "contacts"),       # a call log that also says when the caller left
    (["Customer", "Churned", "Wait time"], "contacts"),
    (["Клиент", "Телефон"], "contacts"),                           # no churn column: not a customers export
])
def test_a_customers_export_is_recognised_from_its_headers(headers, kind):
    from cxmetrics.ingest import detect_kind

    assert detect_kind(headers) == kind


def test_a_customers_export_matching_none_of_the_contacts_is_warned(store, tmp_path):
    write(tmp_path / "calls.csv", "id,channel,queued_at,status,customer\n1,voice,2026-04-06 10:00,answered,+7 916 000-00-01\n")
    import_file(store, tmp_path / "calls.csv")
    write(tmp_path / "c.csv", "Клиент;Дата ухода\nООО Ромашка;20.04.2026\n")
    report = import_file(store, tmp_path / "c.csv", ImportOptions(kind="customers"))
    assert [w.text_for("cli") for w in report.warnings] == [
        "c.csv: none of its customer ids is a customer of the stored contacts (this file writes 'ООО Ромашка', the "
        "contacts '79160000001'), so churn would count none of them. Map the column holding the id the contacts know "
        "the customer by with --map customer_id=COLUMN."]


def test_the_no_channel_refusal_lists_the_channels_as_each_interface_names_them(store, tmp_path):
    from cxmetrics.errors import PAGE

    with pytest.raises(ImportRefused) as refused:
        import_file(store, write(tmp_path / "n.csv", "id,queued_at\n1,2026-03-02 09:00\n"))
    assert "(voice, chat, messaging, email, social, video, back_office)" in refused.value.text_for("cli")
    assert "(Voice, Chat, Messaging, Email, Social, Video, Back office)" in refused.value.text_for(PAGE)
