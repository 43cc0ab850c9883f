"""Common layouts imported from their headers alone (issue 14 §2): each one a fixture, with its figures."""
import pytest

from cxmetrics import ImportOptions, import_file
from cxmetrics.errors import ImportRefused
from cxmetrics.ingest import propose_mapping
from cxmetrics.kpis import kpis
from cxmetrics.schema import HEADER_INDEX, PLATFORM_HEADER_ALIASES, normalise_header

from .conftest import write


def _contacts(store):
    return store.fetchall("SELECT contact_id, strftime(queued_local, '%Y-%m-%d %H:%M:%S'), agent, wait_seconds, "
                          "talk_seconds, answered FROM contacts ORDER BY queued_local")


def test_windows_1251_semicolons_with_separate_date_and_time_columns(store, tmp_path):
    path = write(tmp_path / "звонки.csv", "Дата;Время;Канал;Оператор;Ожидание;Разговор;Статус\n"
                 "02.03.2026;09:00:05;Телефон;Иванова;00:00:12;00:03:20;Отвечен\n"
                 "02.03.2026;09:01:10;Телефон;;00:00:45;;Пропущен\n"
                 "03.03.2026;14:30:00;Чат;Петров;00:01:00;00:10:00;Отвечен\n", encoding="cp1251")
    report = import_file(store, path)
    assert report.mapping["queued_date"] == ["Дата"] and report.mapping["queued_time"] == ["Время"]
    rows = [r[1:] for r in _contacts(store)]
    assert rows == [("2026-03-02 09:00:05", "Иванова", 12.0, 200.0, True),
                    ("2026-03-02 09:01:10", None, 45.0, None, False),
                    ("2026-03-03 14:30:00", "Петров", 60.0, 600.0, True)]
    values = {(r.channel, r.metric): r.value for r in kpis(store, metrics=["volume", "asa"])}
    assert values == {("voice", "volume"): 2, ("voice", "asa"): 12.0, ("chat", "volume"): 1, ("chat", "asa"): 60.0}


def test_a_time_column_alone_is_still_a_whole_timestamp(store, tmp_path):
    path = write(tmp_path / "t.csv", "id;Время;Канал;Статус\n1;2026-03-02 09:00:05;Телефон;Отвечен\n")
    import_file(store, path)
    assert _contacts(store)[0][1] == "2026-03-02 09:00:05"


def test_us_twelve_hour_clock(store, tmp_path):
    path = write(tmp_path / "us.csv", "Call ID,Channel,Start Time,Status,Wait Time\n"
                 "a,voice,3/14/2026 2:05:33 PM,answered,10\nb,voice,3/14/2026 11:59:00 AM,answered,20\n"
                 "c,voice,3/15/2026 12:30:00 AM,abandoned,30\nd,voice,3/15/2026 12:05 PM,answered,5\n")
    import_file(store, path)
    assert {r[0]: r[1] for r in _contacts(store)} == {
        "a": "2026-03-14 14:05:33", "b": "2026-03-14 11:59:00", "c": "2026-03-15 00:30:00", "d": "2026-03-15 12:05:00"}


def test_yymmdd_dates_are_a_reading_not_an_excel_serial(store, tmp_path):
    path = write(tmp_path / "yy.csv", "id,channel,queued_at,status\n1,voice,990201,answered\n2,voice,990215,answered\n")
    import_file(store, path)
    assert [r[1] for r in _contacts(store)] == ["1999-02-01 00:00:00", "1999-02-15 00:00:00"]


def test_compact_dates_that_read_several_ways_name_the_candidates_and_the_control(store, tmp_path):
    path = write(tmp_path / "amb.csv", "id,channel,queued_at,status\n1,voice,010203,answered\n2,voice,040506,answered\n")
    with pytest.raises(ImportRefused) as refused:
        import_file(store, path)
    text = refused.value.text_for("cli")
    assert "YYMMDD (%y%m%d)" in text and "DDMMYY (%d%m%y)" in text and "MMDDYY (%m%d%y)" in text
    assert "--date-format" in text
    assert "'Date format'" in refused.value.text_for("page")
    import_file(store, path, ImportOptions(date_format="%d%m%y"))      # the flag picks one
    assert [r[1] for r in _contacts(store)] == ["2003-02-01 00:00:00", "2006-05-04 00:00:00"]


@pytest.mark.parametrize("summary", ["Total,,,,75", "Итого,,,,75", "Grand total,,,,75", ",,,,75"])
def test_a_trailing_summary_row_is_skipped_and_reported(store, tmp_path, summary):
    path = write(tmp_path / "s.csv", "id,channel,queued_at,status,wait_seconds\n"
                 "1,voice,2026-03-02 09:00,answered,10\n2,voice,2026-03-02 09:05,abandoned,65\n" + summary + "\n")
    report = import_file(store, path)
    assert (report.rows_read, report.rows_imported, report.rows_skipped) == (3, 2, 1)
    assert any("row 4: a summary row" in str(w) for w in report.warnings)


@pytest.mark.parametrize("summary, options", [("Total,,,2,75", ImportOptions()),  # the count of calls as its status
                                               ("Sum,,,2,75", ImportOptions(skip_rows=[("id", "sum")]))])
def test_a_left_out_row_is_not_asked_about_its_status(store, tmp_path, summary, options):
    """A totals line's count in the status column is no status: the summary row (or a row --skip-rows leaves out)
    is skipped, not a refusal asking how the status value '2' counts (found by a new user's workbook)."""
    path = write(tmp_path / "s.csv", "id,channel,queued_at,status,wait_seconds\n"
                 "1,voice,2026-03-02 09:00,answered,10\n2,voice,2026-03-02 09:05,abandoned,65\n" + summary + "\n")
    report = import_file(store, path, options)
    assert (report.rows_read, report.rows_imported, report.rows_skipped) == (3, 2, 1)


def test_a_summary_row_in_a_workbook_no_longer_refuses_it(store, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Call ID", "Channel", "Start Time", "Status", "Wait Time"])
    ws.append(["a", "voice", "2026-03-02 09:00", "answered", 10])
    ws.append(["b", "voice", "2026-03-02 09:10", "answered", 30])
    ws.append(["Итого", None, None, None, 40])
    wb.save(tmp_path / "w.xlsx")
    report = import_file(store, tmp_path / "w.xlsx")
    assert (report.rows_imported, report.rows_skipped) == (2, 1)


def test_a_bad_last_row_with_text_is_still_refused(store, tmp_path):
    path = write(tmp_path / "b.csv", "id,channel,queued_at,status\n1,voice,2026-03-02 09:00,answered\n"
                 ",voice,,abandoned\n")
    with pytest.raises(ImportRefused):
        import_file(store, path)


def test_skip_rows_for_contact_exports(store, tmp_path):
    path = write(tmp_path / "k.csv", "id,channel,queued_at,status,queue\n1,voice,2026-03-02 09:00,answered,Sales\n"
                 "2,voice,2026-03-02 09:05,answered,Internal\n3,voice,2026-03-02 09:07,answered,Internal\n")
    report = import_file(store, path, ImportOptions(skip_rows=[("queue", "internal")]))
    assert (report.rows_imported, report.rows_skipped) == (1, 2)



def test_skip_rows_values_are_bind_parameters_not_sql(store, tmp_path):
    """A value with quotes or SQL in it is compared as text: only the rows holding exactly it are left out, and the
    statement the import runs never contains it (values are bind parameters, brief's security rule)."""
    sneaky = "x' OR '1'='1"
    path = write(tmp_path / "q.csv", "id,channel,queued_at,status,queue\n1,voice,2026-03-02 09:00,answered,Sales\n"
                 f"2,voice,2026-03-02 09:05,answered,\"{sneaky}\"\n3,voice,2026-03-02 09:07,answered,O'Brien\n")
    statements = []
    execute = type(store).execute

    def recording(self, sql, params=None):
        statements.append(sql)
        return execute(self, sql, params)
    type(store).execute = recording
    try:
        report = import_file(store, path, ImportOptions(skip_rows=[("queue", sneaky), ("queue", " o'brien ")]))
    finally:
        type(store).execute = execute
    assert (report.rows_imported, report.rows_skipped) == (1, 2)
    assert store.fetchall("SELECT contact_id, queue FROM contacts") == [("1", "Sales")]
    assert not [sql for sql in statements if "1'='1" in sql or "brien" in sql.lower()]

@pytest.mark.parametrize("header", ["Wait (s)", "Wait time", "Время ожидания, с", "Ожидание, сек", "Wait [sec]",
                                    "Queue wait time (hh:mm:ss)"])
def test_wait_headers_with_units(header):
    assert propose_mapping([header]) == {"wait_seconds": [header]}


@pytest.mark.parametrize("header, field", [("Talk", "talk_seconds"), ("Hold (s)", "hold_seconds"),
                                           ("Wrap", "wrap_seconds"), ("Wrap-up", "wrap_seconds"),
                                           ("Handle", "handle_seconds")])
def test_plain_duration_headers_map_to_their_field(header, field):
    """Exports that head their duration columns with one word (Wait, Talk, Hold, Wrap) map them all, as "Wait"
    always did."""
    assert propose_mapping(["Wait", header]) == {"wait_seconds": ["Wait"], field: [header]}


def test_russian_one_word_duration_headers_map_to_their_fields():
    """A Russian PBX export heads its durations with one word each; missing the wrap-up one ("Постобработка", the
    glossary's word) would leave wrap time out of AHT (a new user's export understated AHT by 6 %)."""
    assert propose_mapping(["Ожидание", "Разговор", "Удержание", "Постобработка"]) == {
        "wait_seconds": ["Ожидание"], "talk_seconds": ["Разговор"], "hold_seconds": ["Удержание"],
        "wrap_seconds": ["Постобработка"]}


@pytest.mark.parametrize("header, field", [
    ("Chat ID", "contact_id"), ("ID диалога", "contact_id"), ("Started", "queued_at"), ("Date created", "queued_at"),
    ("Дата создания", "queued_at"), ("Chat duration", "handle_seconds"), ("Длительность чата", "handle_seconds"),
    ("Missed", "abandoned"), ("Case Origin", "channel"), ("Rating (1-5)", "csat"), ("Оценка [1–5]", "csat"),
    ("How likely to recommend (0-10)", "nps"), ("CES (1-7)", "ces"), ("Account ID", "customer_id"),
    ("Лицевой счёт", "customer_id")])
def test_chat_and_survey_headers_map_to_their_fields(header, field):
    """LiveChat-style chats, Salesforce cases, Bitrix24 open lines and survey tools: the scale after a score's name
    ("(1-5)") is dropped like a unit."""
    assert propose_mapping([header]) == {field: [header]}


@pytest.mark.parametrize("word, outcome", [("Обработано", "answered"), ("Успешный звонок", "answered"),
                                           ("Пропущенный звонок", "abandoned"), ("Потеряно", "abandoned"),
                                           ("Missed call", "abandoned")])
def test_everyday_status_words_are_built_in(store, tmp_path, word, outcome):
    path = write(tmp_path / "s.csv", f"id,channel,queued_at,status\n1,voice,2026-03-02 09:00,{word}\n")
    import_file(store, path)
    assert store.fetchone("SELECT answered, abandoned FROM contacts") == (outcome == "answered",
                                                                         outcome == "abandoned")


def test_a_column_in_minutes_is_not_taken_for_seconds():
    assert propose_mapping(["Wait (min)"]) == {}


@pytest.mark.parametrize("platform, header, field", [
    (platform, header, field) for platform, names in PLATFORM_HEADER_ALIASES.items() for header, field in names.items()])
def test_every_platform_alias_feeds_its_field(platform, header, field):
    assert HEADER_INDEX["contacts"][normalise_header(header)] == field, platform
    assert HEADER_INDEX["contacts"][normalise_header(header.upper())] == field   # Five9 writes them in capitals


def test_five9_call_log_imports_from_its_headers(store, tmp_path):
    path = write(tmp_path / "five9.csv",
                 "CALL ID,DATE,TIME,CAMPAIGN,AGENT NAME,ANI,QUEUE WAIT TIME,TALK TIME,HOLD TIME,AFTER CALL WORK TIME,"
                 "DISPOSITION,CALL TYPE\n"
                 "F1,2026/03/02,09:00:00,Support,Ann Lee,5551230001,0:00:15,0:04:00,0:00:30,0:01:00,Answered,Inbound\n"
                 "F2,2026/03/02,09:02:00,Support,,5551230002,0:00:50,0:00:00,0:00:00,0:00:00,Abandoned,Inbound\n",
                 )
    import_file(store, path, ImportOptions(channel="voice"))
    assert _contacts(store) == [("F1", "2026-03-02 09:00:00", "Ann Lee", 15.0, 240.0, True),
                                ("F2", "2026-03-02 09:02:00", None, 50.0, 0.0, False)]
    aht = next(r for r in kpis(store, metrics=["aht"]))
    assert (aht.value, aht.n) == (240 + 30 + 60, 1)


def test_upload_page_warns_before_the_import_when_the_proposed_id_repeats(tmp_path, monkeypatch):
    from .test_app import _app, _open

    at = _open(_app(tmp_path / "dup.duckdb", monkeypatch), "pages/upload.py")
    rows = "".join(f"{n % 3},voice,2026-03-02 09:{n:02d},answered\n" for n in range(30))   # ids 0, 1, 2 ten times each
    at.file_uploader[0].set_value(("dup.csv", ("id,channel,queued_at,status\n" + rows).encode(), "text/csv")).run()
    assert not at.exception, [e.message for e in at.exception]
    warning = next(w.value for w in at.warning if "proposed as the contact id" in w.value)
    assert "3 values occur on more than one row" in warning and "'0' (10 rows)" in warning
    assert "clear 'Contact id' to import without ids" in warning
    ids = next(m for m in at.multiselect if m.label.startswith("Contact id"))
    ids.set_value(["id", "queued_at"]).run()                                      # the first remedy
    assert not any("proposed as the contact id" in w.value for w in at.warning)


SUMMARY_HEAD = ("Call ID,Start Time,Channel,Agent,Queue,Wait Time,Talk Time,Disposition\n"
                "V1,2026-03-12 09:00:00,Phone,Ann,Sales,10,100,Answered\n"
                "V2,2026-03-12 09:05:00,Phone,Bob,Sales,30,200,Answered\n")


@pytest.mark.parametrize("label", ["Total", "Grand total:", "grand total:", "Grand-total", "Total calls: 2",
                                   "Итого:", "Всего по оператору"])
def test_a_summary_row_of_any_common_wording_is_left_out(store, tmp_path, label):
    path = write(tmp_path / "s.csv", SUMMARY_HEAD + f"{label},,,,,40,300,\n")
    report = import_file(store, path)
    assert (report.rows_imported, report.rows_skipped) == (2, 1)
    assert any(f"row 4: a summary row ({label!r})" in str(w) for w in report.warnings)


def test_subtotals_and_a_grand_total_at_the_end_are_left_out_but_a_queue_named_total_is_a_contact(store, tmp_path):
    footer = ",,,Subtotal Ann,,10,100,\n,,,Subtotal Bob,,30,200,\n,,,Grand total,,40,300,\n"
    report = import_file(store, write(tmp_path / "f.csv", SUMMARY_HEAD + footer))
    assert (report.rows_imported, report.rows_skipped) == (2, 3)
    last = "V3,2026-03-12 09:07:00,Phone,Cy,Total Care,5,50,Answered\n"  # a contact: it has an id and a time
    report = import_file(store, write(tmp_path / "q.csv", SUMMARY_HEAD.replace("V1", "W1").replace("V2", "W2") + last))
    assert (report.rows_imported, report.rows_skipped) == (3, 0)


def test_a_summary_line_inside_the_file_is_refused_with_the_skip_rows_remedy(store, tmp_path):
    middle = SUMMARY_HEAD.replace("V2,", "Total,,,,,40,300,\nV2,")
    with pytest.raises(ImportRefused) as err:
        import_file(store, write(tmp_path / "m.csv", middle))
    assert "Row 3 looks like a summary line (Call ID = 'Total'): leave such rows out with --skip-rows COLUMN=VALUE." \
        in str(err.value)
    report = import_file(store, write(tmp_path / "m.csv", middle), ImportOptions(skip_rows=[("Call ID", "Total")]))
    assert (report.rows_imported, report.rows_skipped) == (2, 1)


MIXED = ("id,channel,queued_at\n" + "".join(f"{n},voice,2026-03-20 09:{n:02d}:00\n" for n in range(1, 6))
         + "6,voice,20/03/2026 09:25:00\n" + "".join(f"{n},voice,2026-03-20 09:{n:02d}:00\n" for n in range(7, 9)))


def test_one_date_in_another_format_is_refused_by_its_row_and_value_and_can_be_set_aside(store, tmp_path):
    path = write(tmp_path / "mixed.csv", MIXED)
    with pytest.raises(ImportRefused) as err:
        import_file(store, path)
    (problem,) = err.value.problems
    assert (problem.row, problem.column, problem.value) == (7, "queued_at", "20/03/2026 09:25:00")
    assert "not a date in the column's format" in str(problem.reason)
    report = import_file(store, path, ImportOptions(on_error="quarantine"))
    assert (report.rows_imported, report.rows_rejected) == (7, 1)


def test_two_date_formats_in_equal_numbers_are_refused_naming_a_row_of_each(store, tmp_path):
    path = write(tmp_path / "half.csv", "id,channel,queued_at\n1,voice,2024-01-01 10:00\n2,voice,15.01.2024 10:00\n")
    with pytest.raises(ImportRefused) as err:
        import_file(store, path)
    assert ("mixes date formats (1 iso, 1 dotted values: row 2: '2024-01-01 10:00', row 3: '15.01.2024 10:00')"
            in str(err.value))


def test_eight_digit_dates_that_read_two_ways_suggest_one_of_their_own_readings(store, tmp_path):
    path = write(tmp_path / "c.csv", "call_id,date,time,wait\n1,01022026,08:00:00,5\n2,02032026,08:10:00,25\n")
    with pytest.raises(ImportRefused) as err:
        import_file(store, path, ImportOptions(channel="voice"))
    assert "DDMMYYYY (%d%m%Y) or MMDDYYYY (%m%d%Y)" in str(err.value) and "(e.g. %d%m%Y)" in str(err.value)


@pytest.mark.parametrize("word, answered", [("Отвеченный", True), ("Принятый", True), ("Обработанный", True),
                                            ("Пропущенный", False), ("Потерянный", False), ("Неотвеченный", False),
                                            ("Брошенный", False)])
def test_russian_status_adjectives(store, tmp_path, word, answered):
    import_file(store, write(tmp_path / "r.csv", f"id,channel,queued_at,status\n1,voice,2026-03-02 09:00,{word}\n"))
    assert store.scalar("SELECT answered FROM contacts") is answered


def test_identical_rows_of_a_file_without_ids_count_once_and_are_listed(store, tmp_path):
    """No id column: ids are derived from the rows' contents, so two rows identical in every column are one contact
    (spec §1b: identical rows count once, listed as duplicates) — not a refusal naming a contact_id column the file
    does not have (found by a new user's PBX log)."""
    path = write(tmp_path / "pbx.csv", "Дата,Время,Канал,Ожидание,Статус\n"
                 "2026-03-02,10:15,voice,3,abandoned\n2026-03-02,10:16,voice,40,answered\n"
                 "2026-03-02,10:15,voice,3,abandoned\n")
    report = import_file(store, path)
    assert (report.rows_read, report.rows_imported, report.rows_skipped, report.rows_rejected) == (3, 2, 1, 0)
    assert any("row 4: identical in every column to row 2" in str(w) for w in report.warnings)
    assert import_file(store, path, ImportOptions(force=True)).rows_replaced == 2  # the same rows again: replaced


def _workbook(path, sheets: dict[str, list[list]]):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


_CONTACT_ROWS = [["Contact ID", "Start time", "Wait (s)"], ["C1", "2026-03-02 09:00:00", 12],
                 ["C2", "2026-03-02 09:05:00", 30]]


def test_a_cover_sheet_first_the_contacts_are_read_from_the_sheet_that_has_them(store, tmp_path):
    """The contacts are on the workbook's second sheet, after a notes sheet: the import (and the Upload page's
    detection) reads the first sheet whose header gives the contact time, and says so, naming the control that
    picks another."""
    from cxmetrics.ingest import inspect_bytes

    path = _workbook(tmp_path / "cover.xlsx", {"Notes": [["Contact export — generated by ACD Reporting v7.2"]],
                                                "Data": _CONTACT_ROWS, "Legend": [["Code", "Meaning"], ["A", "x"]]})
    report = import_file(store, path, ImportOptions(channel="voice"))
    assert (report.rows_imported, report.file["sheet"]) == (2, "Data")
    assert [w.text_for("cli") for w in report.warnings if "sheet" in str(w)] == [
        "cover.xlsx: sheet 'Notes' has no queued_at column (or no rows), so sheet 'Data' was read. To read another "
        "sheet, choose it with --sheet."]
    assert store.fetchall("SELECT contact_id, wait_seconds FROM contacts ORDER BY 1") == [("C1", 12.0), ("C2", 30.0)]
    info, mapping = inspect_bytes(path.read_bytes(), "cover.xlsx")
    assert (info.sheet, mapping["queued_at"]) == ("Data", ["Start time"])


def test_a_workbook_with_no_sheet_of_contacts_is_refused_naming_its_sheets(store, tmp_path):
    """No sheet's header gives the contact time: the refusal says which sheet it read, which others there are, and
    the flag (or page control) that picks one."""
    from cxmetrics.errors import ImportRefused

    path = _workbook(tmp_path / "cover.xlsx", {"Notes": [["Contact export — generated by ACD Reporting v7.2"]],
                                                "Data": [["Contact ID", "Begin", "Wait (s)"], ["C1", "09:00", 12]]})
    with pytest.raises(ImportRefused) as refused:
        import_file(store, path, ImportOptions(channel="voice"))
    assert "This is sheet 'Notes'; the workbook also has 'Data': if the contacts are there, choose that sheet " \
           "with --sheet." in refused.value.text_for("cli")
    assert store.scalar("SELECT count(*) FROM contacts") == 0


def test_the_sheets_a_workbook_import_leaves_unread_are_named(store, tmp_path):
    """A month on each sheet: the first is read and the report names the others, so none is left out unsaid; a
    sheet chosen by name says nothing about the rest."""
    later = [_CONTACT_ROWS[0], ["C3", "2026-04-01 10:00:00", 5]]
    path = _workbook(tmp_path / "months.xlsx", {"March": _CONTACT_ROWS, "April": later})
    report = import_file(store, path, ImportOptions(channel="voice"))
    assert report.rows_imported == 2
    assert [w.text_for("cli") for w in report.warnings if "sheet" in str(w)] == [
        "months.xlsx: sheet 'March' was read; the workbook also has 'April', not read. To import one of them, choose "
        "it with --sheet."]
    report = import_file(store, path, ImportOptions(channel="voice", sheet="April", force=True))
    assert report.rows_imported == 1 and not [w for w in report.warnings if "sheet" in str(w)]


def test_cells_saying_there_is_no_value_are_empty_in_typed_columns_and_kept_in_text_ones(store, tmp_path):
    """"-" for an abandoned call's talk time, "n/a", Excel's "#N/A", "н/д": read as empty in numbers, durations,
    dates and yes/no columns (counted in the report per column), kept as written in a text column."""
    path = write(tmp_path / "na.csv",
                 "id,channel,queued_at,status,wait_seconds,talk_seconds,csat,resolved,answered_at,queue\n"
                 "1,voice,2026-03-02 09:00,answered,12,200,5,yes,2026-03-02 09:00:12,Sales\n"
                 "2,voice,2026-03-02 09:05,abandoned,n/a,-,,-,-,NA\n"
                 "3,voice,2026-03-02 09:07,answered,30, N/A ,#N/A,н/д,2026-03-02 09:07:30,-\n"
                 "4,chat,2026-03-02 09:08,answered,—,—,—,no,#N/A,Sales\n")
    report = import_file(store, path)
    assert report.rows_imported == 4
    assert sorted(w.text_for("cli") for w in report.warnings if "no value" in str(w)) == [
        "na.csv: column 'answered_at' has 2 cells saying there is no value ('#N/A', '-'): read as empty",
        "na.csv: column 'csat' has 2 cells saying there is no value ('#N/A', '—'): read as empty",
        "na.csv: column 'resolved' has 2 cells saying there is no value ('-', 'н/д'): read as empty",
        "na.csv: column 'talk_seconds' has 3 cells saying there is no value ('-', 'N/A', '—'): read as empty",
        "na.csv: column 'wait_seconds' has 2 cells saying there is no value ('n/a', '—'): read as empty"]
    assert store.fetchall("SELECT contact_id, wait_seconds, talk_seconds, csat, resolved, "
                          "strftime(answered_at, '%H:%M:%S'), queue FROM contacts ORDER BY 1") == [
        ("1", 12.0, 200.0, 5.0, True, "09:00:12", "Sales"), ("2", None, None, None, None, None, "NA"),
        ("3", 30.0, None, None, None, "09:07:30", "-"), ("4", None, None, None, False, None, "Sales")]
    # ASA pools the answered voice contacts with a wait: (12 + 30) / 2; chat's one answered contact has none
    values = {(r.channel, r.metric): r.value for r in kpis(store, metrics=["volume", "asa"])}
    assert values == {("voice", "volume"): 3, ("voice", "asa"): 21.0, ("chat", "volume"): 1, ("chat", "asa"): None}


def test_a_direction_saying_there_is_no_value_is_inbound(store, tmp_path):
    """"-" in a direction column is empty, and an empty direction is inbound (spec §1); it was refused."""
    path = write(tmp_path / "dir.csv", "id,channel,queued_at,direction\n1,voice,2026-03-02 09:00,-\n"
                 "2,voice,2026-03-02 09:05,outbound\n3,voice,2026-03-02 09:06,n/a\n")
    report = import_file(store, path)
    assert [w.text_for("cli") for w in report.warnings if "no value" in str(w)] == [
        "dir.csv: column 'direction' has 2 cells saying there is no value ('-', 'n/a'): read as empty"]
    assert store.fetchall("SELECT contact_id, direction FROM contacts ORDER BY 1") == [
        ("1", "inbound"), ("2", "outbound"), ("3", "inbound")]


def test_every_no_value_text_is_empty_in_a_duration_and_a_number(store, tmp_path):
    from cxmetrics.schema import NO_VALUE_TEXTS

    rows = "".join(f"{i},voice,2026-03-02 09:00,{text},{text}\n" for i, text in enumerate(NO_VALUE_TEXTS))
    import_file(store, write(tmp_path / "w.csv", "id,channel,queued_at,wait_seconds,csat\n" + rows))
    assert store.fetchall("SELECT DISTINCT wait_seconds, csat FROM contacts") == [(None, None)]
    assert store.scalar("SELECT count(*) FROM contacts") == len(NO_VALUE_TEXTS) > 20


def test_durations_written_with_their_units(store, tmp_path):
    """Help desks and Russian PBX reports write "12 s", "1 min 5 s", "1h 2m 3s", "5 мин. 3 сек.", "2 ч 10 мин";
    each is its seconds. Units alone, milliseconds or words are still not durations, named with row and column."""
    path = write(tmp_path / "u.csv", "id,channel,queued_at,status,wait_seconds,talk_seconds\n"
                 "1,voice,2026-03-02 09:00,answered,12 s,1 min\n"
                 "2,voice,2026-03-02 09:01,answered,12s,1 min 5 s\n"
                 "3,voice,2026-03-02 09:02,answered,1h 2m 3s,5 мин. 3 сек.\n"
                 "4,voice,2026-03-02 09:03,answered,2 ч 10 мин,0.5 min\n"
                 "5,voice,2026-03-02 09:04,answered,12 Sec,3 Minutes 2 Seconds\n"
                 "6,voice,2026-03-02 09:05,answered,1,\"1,5 мин\"\n"
                 "7,email,2026-03-02 09:06,answered,1 д 2 ч 10 мин,3 дн. 4 ч\n"
                 "8,email,2026-03-02 09:07,answered,2 days 1 hour,1d 30s\n")
    import_file(store, path)
    assert store.fetchall("SELECT contact_id, wait_seconds, talk_seconds FROM contacts ORDER BY 1") == [
        ("1", 12.0, 60.0), ("2", 12.0, 65.0), ("3", 3723.0, 303.0), ("4", 7800.0, 30.0), ("5", 12.0, 182.0),
        ("6", 1.0, 90.0), ("7", 94200.0, 273600.0), ("8", 176400.0, 86430.0)]
    bad = write(tmp_path / "bad.csv", "id,channel,queued_at,wait_seconds\n1,voice,2026-03-02 09:00,12 ms\n"
                "2,voice,2026-03-02 09:01,5 мс\n3,voice,2026-03-02 09:02,min\n4,voice,2026-03-02 09:03,s 5\n")
    with pytest.raises(ImportRefused) as refused:
        import_file(store, bad)
    assert [(p.row, p.column, p.value) for p in refused.value.problems] == [
        (2, "wait_seconds", "12 ms"), (3, "wait_seconds", "5 мс"), (4, "wait_seconds", "min"), (5, "wait_seconds", "s 5")]


def test_dates_with_english_month_names(store, tmp_path):
    """US and Oracle-style exports: "Mar 2, 2026 9:07 AM", "March 2, 2026 2:05:33 PM", "02-MAR-2026 14:06",
    "3 Mar 2026", "02-Mar-26"; each column's format is decided from all its values, as for numeric dates."""
    path = write(tmp_path / "m.csv", "id,channel,queued_at,status,answered_at,ended_at\n"
                 '1,voice,"Mar 2, 2026 9:07 AM",answered,02-Mar-2026 09:07:30,02-Mar-26 09:10\n'
                 '2,voice,"March 2, 2026 2:05:33 PM",answered,02-MAR-2026 14:06,02-mar-26 14:20\n'
                 '3,voice,"Sep 30, 2026 11:00 PM",answered,30-Sep-2026 23:00:45,30-Sep-26 23:30\n'
                 "4,voice,\"Mar 3 2026 14:05\",answered,3 Mar 2026 14:05:10,3 Mar 26 14:09\n")
    import_file(store, path, ImportOptions(timezone="UTC"))
    assert store.fetchall("SELECT contact_id, strftime(queued_local, '%Y-%m-%d %H:%M:%S'), wait_seconds, "
                          "strftime(ended_at, '%Y-%m-%d %H:%M') FROM contacts ORDER BY 1") == [
        ("1", "2026-03-02 09:07:00", 30.0, "2026-03-02 09:10"), ("2", "2026-03-02 14:05:33", 27.0, "2026-03-02 14:20"),
        ("3", "2026-09-30 23:00:00", 45.0, "2026-09-30 23:30"), ("4", "2026-03-03 14:05:00", 10.0, "2026-03-03 14:09")]
    bad = write(tmp_path / "b.csv", 'id,channel,queued_at\n1,voice,"Mar 2, 2026 9:07"\n2,voice,"Smarch 3, 2026"\n'
                '3,voice,"Mar 4, 2026"\n')
    with pytest.raises(ImportRefused) as refused:
        import_file(store, bad)
    assert [(p.row, p.value) for p in refused.value.problems] == [(3, "Smarch 3, 2026")]
    assert "Mon D, YYYY" in refused.value.text_for("cli")


def test_dates_with_russian_month_names(store, tmp_path):
    """1C and CRM reports: "2 марта 2026 г. 10:05", "02 мар. 2026 10:05:30", "15 Мая 2026, 9:30", "3 сент. 2026";
    a month name that is not one is refused by its row, with the format the column was read in."""
    path = write(tmp_path / "r.csv", "ID;Канал;Дата обращения;Статус;Дата ответа\n"
                 "1;Голос;2 марта 2026 г. 10:05;Отвечен;02 мар. 2026 10:05:30\n"
                 "2;Голос;15 Мая 2026, 9:30;Отвечен;15-мая-2026 09:31\n"
                 "3;Голос;3 сент. 2026 12:00;Отвечен;3 сентября 2026 12:00:45\n"
                 "4;Голос;31 декабря 2025 23:59:59;Отвечен;\n")
    import_file(store, path, ImportOptions(timezone="UTC"))
    assert store.fetchall("SELECT contact_id, strftime(queued_local, '%Y-%m-%d %H:%M:%S'), wait_seconds "
                          "FROM contacts ORDER BY 1") == [
        ("1", "2026-03-02 10:05:00", 30.0), ("2", "2026-05-15 09:30:00", 60.0), ("3", "2026-09-03 12:00:00", 45.0),
        ("4", "2025-12-31 23:59:59", None)]
    bad = write(tmp_path / "b.csv", "id;channel;queued_at\n1;voice;2 марта 2026\n2;voice;30 февраля 2026\n"
                "3;voice;1 мартобря 2026\n4;voice;4 марта 2026\n")
    with pytest.raises(ImportRefused) as refused:
        import_file(store, bad)
    assert [(p.row, p.value) for p in refused.value.problems] == [(3, "30 февраля 2026"), (4, "1 мартобря 2026")]
    assert "D месяца YYYY" in refused.value.text_for("cli")


def test_a_duration_column_whose_header_says_minutes_or_hours_is_read_in_that_unit(store, tmp_path):
    """Mapped by hand, "First reply time in minutes" holds minutes and "Время ответа, ч" hours: read as seconds they
    made ASA 60 or 3600 times too small. Fractions of them are not Excel day fractions; a clock value stays a clock."""
    path = write(tmp_path / "z.csv", "Ticket ID,Via,Created at,First reply time in minutes,\"Время ответа, ч\"\n"
                 "1,chat,2026-03-02 09:00,1,0.5\n2,chat,2026-03-02 09:05,2,\n3,chat,2026-03-02 09:07,0.5,0:30:00\n")
    report = import_file(store, path, ImportOptions(mapping={"wait_seconds": ["First reply time in minutes"],
                                                             "talk_seconds": ["Время ответа, ч"]}))
    assert sorted(w.text_for("cli") for w in report.warnings if "by its header" in str(w)) == [
        "z.csv: column 'First reply time in minutes' is in minutes by its header: its numbers are read as minutes",
        "z.csv: column 'Время ответа, ч' is in hours by its header: its numbers are read as hours"]
    assert store.fetchall("SELECT contact_id, wait_seconds, talk_seconds FROM contacts ORDER BY 1") == [
        ("1", 60.0, 1800.0), ("2", 120.0, None), ("3", 30.0, 1800.0)]
    # answered = a handle time (spec §1): tickets 1 and 3, so ASA = (60 + 30) / 2
    assert {r.channel: r.value for r in kpis(store, metrics=["asa"])} == {"chat": 45.0}


@pytest.mark.parametrize("cells", ["cell_by_cell", "column"])
def test_duration_cells_in_a_column_headed_in_minutes_are_clock_values(store, tmp_path, cells):
    """A "(min)" column holding Excel duration cells ([h]:mm:ss) beside plain minutes: the cells are clock values
    (they were staged as seconds and then multiplied by 60); both readers stage them as H:MM:SS."""
    import datetime as dt

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Ticket ID", "Channel", "Created", "Status", "Wait (min)"])
    waits = [dt.timedelta(minutes=1, seconds=5), dt.timedelta(hours=25, seconds=1), dt.timedelta(seconds=30)]
    if cells == "cell_by_cell":  # a plain number among the duration cells: the cell-by-cell reader
        waits[2] = 0.5
    for i, wait in enumerate(waits, start=1):
        sheet.append([str(i), "chat", dt.datetime(2026, 3, 2, 9, i), "answered", wait])
        if isinstance(wait, dt.timedelta):
            sheet.cell(row=i + 1, column=5).number_format = "[h]:mm:ss"
    workbook.save(tmp_path / "d.xlsx")
    import_file(store, tmp_path / "d.xlsx", ImportOptions(mapping={"wait_seconds": ["Wait (min)"]}))
    assert store.fetchall("SELECT contact_id, wait_seconds FROM contacts ORDER BY 1") == [
        ("1", 65.0), ("2", 90001.0), ("3", 30.0)]


def test_excel_duration_cells_are_written_as_clock_text():
    import datetime as dt

    from cxmetrics.ingest.read import excel_cell_text

    assert [excel_cell_text(v) for v in (dt.timedelta(seconds=65), dt.timedelta(hours=100, minutes=2, seconds=3),
                                         dt.timedelta(seconds=-90), dt.timedelta(seconds=1, microseconds=250000),
                                         dt.timedelta(0))] == ["0:01:05", "100:02:03", "-0:01:30", "0:00:01.25",
                                                               "0:00:00"]


def test_help_desk_word_ratings_and_a_field_left_unmapped(store, tmp_path):
    """Freshdesk's faces (Awesome / Just Okay / Not Good = 5 / 3 / 1) and the Russian desks' Хорошо / Нормально /
    Плохо are CSAT on the 1–5 scale; `--map csat=` leaves the column unmapped, as the page's "not mapped" does."""
    path = write(tmp_path / "f.csv", "Ticket ID,Source,Created time,Status,Customer satisfaction\n"
                 "1,Chat,2026-03-02 09:00,Closed,Awesome\n2,Chat,2026-03-02 09:05,Closed,Just Okay\n"
                 "3,Chat,2026-03-02 09:07,Closed,Not Good\n4,Chat,2026-03-02 09:08,Closed,хорошо\n"
                 "5,Chat,2026-03-02 09:09,Closed,Нормально\n6,Chat,2026-03-02 09:10,Closed,ПЛОХО\n"
                 "7,Chat,2026-03-02 09:11,Closed,\n")
    import_file(store, path, ImportOptions(status_map={"Closed": "answered"}, mapping={"channel": ["Source"]}))
    assert store.fetchall("SELECT contact_id, csat FROM contacts ORDER BY 1") == [
        ("1", 5.0), ("2", 3.0), ("3", 1.0), ("4", 5.0), ("5", 3.0), ("6", 1.0), ("7", None)]
    assert {r.channel: (r.value, r.n) for r in kpis(store, metrics=["csat"])} == {"chat": (100 * 2 / 6, 6)}
    report = import_file(store, path, ImportOptions(status_map={"Closed": "answered"},
                                                    mapping={"csat": [""], "channel": ["Source"]}, force=True))
    assert "csat" not in report.mapping and "Customer satisfaction" in report.ignored_columns
    assert store.scalar("SELECT count(csat) FROM contacts") == 0


def test_jira_dates_and_an_offset_after_a_space(store, tmp_path):
    """Jira writes "02/Mar/26 9:05 AM"; some exports put the offset after a space ("… 23:30:00 +0300"), which
    DuckDB reads only right after the time: both are read, the offset honoured."""
    path = write(tmp_path / "j.csv", "Issue key,Created,Resolved,Channel,Answered at\n"
                 "SD-1,02/Mar/26 9:05 AM,02/Mar/26 11:00 AM,email,2026-03-02 09:30:00 +0300\n"
                 "SD-2,31/Mar/26 11:30 PM,01/Apr/26 2:00 AM,email,2026-03-31 23:30:10 +03:00\n")
    import_file(store, path, ImportOptions(timezone="Europe/Moscow", mapping={"ended_at": ["Resolved"]}))
    assert store.fetchall("SELECT contact_id, strftime(queued_local, '%Y-%m-%d %H:%M'), "
                          "strftime(timezone('UTC', answered_at), '%Y-%m-%d %H:%M:%S'), wait_seconds FROM contacts "
                          "ORDER BY 1") == [("SD-1", "2026-03-02 09:05", "2026-03-02 06:30:00", 1500.0),
                                            ("SD-2", "2026-03-31 23:30", "2026-03-31 20:30:10", 10.0)]


def test_a_direction_column_holding_outcomes_is_refused_with_the_status_remedy(store, tmp_path):
    """Talkdesk's "Call Type" (inbound, outbound, abandoned, missed, voicemail) is taken for the direction; the
    refusal says to map it as the status, because setting the outcome rows aside would drop the abandoned calls.
    Following it gives the figures worked out by hand."""
    path = write(tmp_path / "t.csv", "Interaction ID,Call Type,Start Time,Wait Time,Talk Time\n"
                 "1,inbound,2026-03-02 09:00:00,10,100\n2,abandoned,2026-03-02 09:01:00,40,\n"
                 "3,missed,2026-03-02 09:02:00,30,\n4,outbound,2026-03-02 09:03:00,0,50\n"
                 "5,voicemail,2026-03-02 09:04:00,60,\n6,inbound,2026-03-02 09:05:00,20,200\n")
    with pytest.raises(ImportRefused) as refused:
        import_file(store, path, ImportOptions(channel="voice"))
    assert ("Column 'Call Type' gives outcomes ('abandoned', 'missed', 'voicemail') as well as the direction: map it "
            "as the status with --map status=Call Type and say how each value counts with --status-map "
            "VALUE=answered|abandoned|skip (an outbound call: skip).") in refused.value.text_for("cli")
    import_file(store, path, ImportOptions(channel="voice", mapping={"status": ["Call Type"]}, status_map={
        "inbound": "answered", "missed": "abandoned", "voicemail": "abandoned", "outbound": "skip"}))
    values = {r.metric: (r.value, r.n) for r in kpis(store, metrics=["volume", "abandon_rate", "asa"])}
    # 5 inbound offered (the outbound one skipped), 3 abandoned; ASA over the 2 answered: (10 + 20) / 2
    assert values == {"volume": (5, 5), "abandon_rate": (60.0, 5), "asa": (15.0, 2)}


def test_an_average_line_and_a_closing_note_after_the_total_are_left_out(store, tmp_path):
    """A Russian PBX export ends with "Итого", "Среднее" and a note "Сформировано … пользователем admin" alone in its
    row: all three are left out and named; the contacts import with their figures."""
    path = write(tmp_path / "z.csv", "Номер обращения;Дата;Время;Канал;Оператор;Статус;Ожидание;Разговор\n"
                 "5001;02.03.2026;09:00:00;Телефон;Иванова;Отвечен;10;200\n"
                 "5002;02.03.2026;09:05:00;Телефон;;Пропущен;30;\n"
                 "Итого;;;;;2;40;200\nСреднее;;;;;;20;200\n"
                 "Сформировано 01.04.2026 10:00 пользователем admin;;;;;;;\n", encoding="cp1251")
    report = import_file(store, path)
    assert (report.rows_imported, report.rows_skipped) == (2, 3)
    assert [w.text_for("cli") for w in report.warnings if "end of the export" in str(w)] == [
        "z.csv, row 6: a note at the end of the export ('Сформировано 01.04.2026 10:00 пользователем admin'); left "
        "out and counted as skipped",
        "z.csv, row 5: a summary row ('Среднее') at the end of the export; left out and counted as skipped",
        "z.csv, row 4: a summary row ('Итого') at the end of the export; left out and counted as skipped"]
    assert {r.metric: r.value for r in kpis(store, metrics=["volume", "asa"])} == {"volume": 2, "asa": 10.0}


def test_excel_date_cells_beside_dates_typed_as_text(store, tmp_path):
    """In a workbook some dates are date cells (read as ISO) and some were typed as text "15.03.2026 10:00": in Excel
    they all look alike, and each form reads one way only, so both are read (not the text ones refused)."""
    import datetime as dt

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Номер обращения", "Канал", "Дата обращения", "Время ожидания"])
    sheet.append([1, "Чат", dt.datetime(2026, 3, 2, 10, 0), 10])
    sheet.append([2, "Чат", "15.03.2026 10:00", 20])
    sheet.append([3, "Чат", dt.datetime(2026, 3, 31, 23, 0), 30])
    sheet.append([4, "Чат", "01.04.2026", 40])
    workbook.save(tmp_path / "d.xlsx")
    report = import_file(store, tmp_path / "d.xlsx")
    assert report.rows_imported == 4
    assert store.fetchall("SELECT contact_id, strftime(queued_local, '%Y-%m-%d %H:%M') FROM contacts ORDER BY 1") == [
        ("1", "2026-03-02 10:00"), ("2", "2026-03-15 10:00"), ("3", "2026-03-31 23:00"), ("4", "2026-04-01 00:00")]



def test_review_cases_an_average_cell_a_lone_time_a_business_hours_header_and_a_two_digit_year(store, tmp_path):
    """A contact's "Average" call quality and a last missed call with only its time are contacts, not summary or
    note lines; "… in minutes within business hours" is in minutes; "05-Mar-26" among DD-Mon-YYYY dates is refused,
    not stored as the year 26."""
    path = write(tmp_path / "a.csv", "contact_id,queued_at,channel,Call quality,Wait in minutes within business hours\n"
                 "1,2026-03-02 09:00,voice,Good,1\n2,2026-03-02 09:05,voice,Average,2\n")
    import_file(store, path, ImportOptions(mapping={"wait_seconds": ["Wait in minutes within business hours"]}))
    assert store.fetchall("SELECT contact_id, wait_seconds FROM contacts ORDER BY 1") == [("1", 60.0), ("2", 120.0)]
    lone = write(tmp_path / "n.csv", 'queued_at,agent,talk_seconds\n"Mar 2, 2026 9:00 AM",Ann,30\n'
                 '"Mar 2, 2026 9:05 AM",Bob,40\n"Mar 2, 2026 9:07 AM",,\n')
    assert import_file(store, lone, ImportOptions(channel="voice")).rows_imported == 3
    years = write(tmp_path / "y.csv", "id,channel,queued_at\n1,voice,02-Mar-2026 09:00\n2,voice,03-Mar-2026 09:00\n"
                  "3,voice,04-Mar-2026 09:00\n4,voice,05-Mar-26 09:00\n")
    with pytest.raises(ImportRefused) as refused:
        import_file(store, years)
    assert [(p.row, p.value) for p in refused.value.problems] == [(5, "05-Mar-26 09:00")]


BITRIX_HTML_XLS = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251"></head><body>\n'
    '<table border="1">\n'
    '<tr><td colspan="7"><b>Открытые линии: сессии за март&nbsp;2026</b></td></tr>\n'
    '<thead><tr><th>ID</th><th>Дата создания</th><th>Канал</th><th>Оператор</th><th>Время ожидания</th>'
    '<th>Оценка</th><th>Статус</th></tr></thead>\n<tbody>\n'
    '<tr><td>101</td><td>02.03.2026 10:00:00</td><td>Онлайн-чат</td><td>Иванов&nbsp;И.</td><td>30</td><td>5</td>'
    '<td>Закрыт</td></tr>\n'
    '<tr><td>102</td><td>03.03.2026 11:00:00</td><td>Telegram</td><td>Петрова<br>А.</td><td>120</td><td>4</td>'
    '<td>Закрыт</td></tr>\n'
    '<tr><td>103</td><td>03.03.2026 12:00:00</td><td>Онлайн-чат</td><td></td><td>600</td><td></td>'
    '<td>Пропущен</td></tr>\n'
    '<tr><td>104</td><td>04.03.2026 09:30:00</td><td>Онлайн-чат</td><td>R&amp;D desk</td><td>0:00:45</td>'
    '<td>3</td><td>Закрыт</td>\n'   # Bitrix leaves some rows unclosed
    '</tbody></table></body></html>\n')


def test_a_web_page_saved_as_xls_is_read_as_its_table(store, tmp_path):
    """Bitrix24's "Excel" export is an HTML table in a .xls (here in Windows-1251, as its meta tag says): read
    with its title row above the header, entities, line breaks in cells and an unclosed last row; figures by hand."""
    path = tmp_path / "openlines.xls"
    path.write_bytes(BITRIX_HTML_XLS.encode("cp1251"))
    report = import_file(store, path, ImportOptions(status_map={"Закрыт": "answered", "Пропущен": "abandoned"}))
    assert (report.file["format"], report.file["encoding"], report.file["header_row"]) == ("html", "cp1251", 2)
    assert "openlines.xls is a web page (an HTML table) saved under a workbook's name, as some CRMs export: its " \
           "table was read as text." in [w.text_for("cli") for w in report.warnings]
    assert store.fetchall("SELECT contact_id, channel, agent, wait_seconds, csat, answered FROM contacts "
                          "ORDER BY 1") == [
        ("101", "chat", "Иванов И.", 30.0, 5.0, True), ("102", "messaging", "Петрова А.", 120.0, 4.0, True),
        ("103", "chat", None, 600.0, None, False), ("104", "chat", "R&D desk", 45.0, 3.0, True)]
    # chat: ASA of the answered (30 + 45) / 2; abandonment 1 of 3; CSAT the share of 4–5 among 5 and 3: 1 of 2
    values = {(r.channel, r.metric): r.value for r in kpis(store, metrics=["asa", "abandon_rate", "csat"])}
    assert values[("chat", "asa")] == 37.5 and values[("chat", "abandon_rate")] == pytest.approx(100 / 3)
    assert values[("chat", "csat")] == 50.0


def test_a_web_page_saved_as_xls_with_no_table_rows_is_refused(store, tmp_path):
    path = tmp_path / "empty.xls"
    path.write_text('<html><body><table><tr><td></td></tr></table></body></html>', encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_file(store, path, ImportOptions(channel="chat"))
    assert refused.value.text_for("cli").splitlines()[0] == (
        "empty.xls: a web page saved as a workbook, with no table holding anything. Export the data again.")


ASTERISK_MASTER = (
    '"","1001","500","from-internal","""Ivan"" <1001>","PJSIP/1001-00000001","PJSIP/500-00000002","Queue","support",'
    '"2026-03-02 09:00:00","2026-03-02 09:00:12","2026-03-02 09:05:12",312,300,"ANSWERED","DOCUMENTATION",'
    '"1772442000.1",""\n'
    '"","1002","500","from-internal","""Anna"" <1002>","PJSIP/1002-00000003","","Queue","support",'
    '"2026-03-02 09:10:00",,"2026-03-02 09:10:40",40,0,"NO ANSWER","DOCUMENTATION","1772442600.3",""\n'
    '"","1003","500","from-internal","""Oleg"" <1003>","PJSIP/1003-00000004","PJSIP/501-00000005","Queue","support",'
    '"2026-03-02 09:20:00","2026-03-02 09:20:05","2026-03-02 09:22:05",125,120,"ANSWERED","DOCUMENTATION",'
    '"1772443200.4",""\n')


def test_asterisk_master_csv_without_its_header_is_refused_with_the_header_to_add(store, tmp_path):
    """cdr_csv writes Master.csv with no header: its first call was read as the header. The refusal says what the
    file is, that queue_log is what gives queue figures, and the header line to add; with it, the CDR imports, its
    "channel" (PJSIP/1001-…) not taken for the contact's channel; figures by hand."""
    from cxmetrics.ingest.validate import ASTERISK_MASTER_CSV

    path = write(tmp_path / "Master.csv", ASTERISK_MASTER)
    with pytest.raises(ImportRefused) as refused:
        import_file(store, path, ImportOptions(channel="voice"))
    assert refused.value.text_for("cli").splitlines()[0].endswith(
        "The file looks like Asterisk's CDR file Master.csv, which is written without a header row, one line per call "
        "leg (internal and outbound calls too, transfers as several). For the contact centre's figures import the "
        "queue's queue_log instead (read as it is, with waits and abandons); to import the CDR, add this line above "
        "the first: accountcode,src,dst,dcontext,clid,channel,dstchannel,lastapp,lastdata,start,answer,end,duration,"
        "billsec,disposition,amaflags,uniqueid,userfield")
    with_header = write(tmp_path / "cdr.csv", ",".join(ASTERISK_MASTER_CSV) + "\n" + ASTERISK_MASTER)
    report = import_file(store, with_header, ImportOptions(channel="voice"))
    assert "channel" not in report.mapping and report.new_channels == {}
    values = {r.metric: r.value for r in kpis(store, metrics=["asa", "aht", "abandon_rate"])}
    assert values == {"asa": (12 + 5) / 2, "aht": (300 + 120) / 2, "abandon_rate": pytest.approx(100 / 3)}


def test_a_file_without_a_header_row_is_told_to_add_one(store, tmp_path):
    path = write(tmp_path / "nohead.csv", "1,voice,02.03.2026 09:00,answered\n2,voice,02.03.2026 09:05,answered\n")
    with pytest.raises(ImportRefused) as refused:
        import_file(store, path)
    assert refused.value.text_for("cli").splitlines()[0].endswith(
        "The first row read holds data ('02.03.2026 09:00' is a date), not column names: add a row of column names "
        "above the data.")
    plain = write(tmp_path / "plain.csv", "id,channel,when\n1,voice,02.03.2026 09:00\n")
    with pytest.raises(ImportRefused) as refused:
        import_file(store, plain)
    assert "column names" not in refused.value.text_for("cli")
