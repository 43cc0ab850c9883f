"""Property tests for the value parsers: any text gives a value, None or a typed error; valid values round-trip."""
import datetime as dt
import os

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import pytest

from cxmetrics import CxError, Store
from cxmetrics.errors import ImportRefused
from cxmetrics.ingest import parse_values
from cxmetrics.schema import FALSE_WORDS, TRUE_WORDS

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("p") / "p.duckdb")
    yield store
    store.close()


texts = st.lists(st.text(max_size=30), min_size=1, max_size=8)


@pytest.mark.parametrize("kind", ["duration", "number", "bool", "timestamp"])
def test_any_text_gives_a_value_none_or_a_typed_error(db, kind):
    @SETTINGS
    @given(texts)
    def check(values):
        try:
            parsed = parse_values(db, kind, values)
        except CxError:
            return
        assert len(parsed) == len(values)

    check()


@SETTINGS
@given(st.lists(st.integers(min_value=0, max_value=10 ** 6), min_size=1, max_size=10))
def test_durations_round_trip(db, seconds):
    hms = [f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" for s in seconds]
    assert parse_values(db, "duration", hms) == [float(s) for s in seconds]
    assert parse_values(db, "duration", [str(s) for s in seconds]) == [float(s) for s in seconds]
    short = [s for s in seconds if s < 3600]
    if short:
        assert parse_values(db, "duration", [f"{s // 60}:{s % 60:02d}" for s in short]) == [float(s) for s in short]


@SETTINGS
@given(st.lists(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).map(lambda x: round(x, 4)),
                min_size=1, max_size=10))
def test_numbers_round_trip_with_point_or_comma(db, numbers):
    assert parse_values(db, "number", [repr(x) for x in numbers]) == numbers
    plain = [x for x in numbers if "e" not in repr(x)]
    if plain:
        assert parse_values(db, "number", [repr(x).replace(".", ",") for x in plain]) == plain


@SETTINGS
@given(st.lists(st.sampled_from(TRUE_WORDS + FALSE_WORDS + ("YES", "Да", "НЕТ", "True")), min_size=1, max_size=10))
def test_booleans_round_trip(db, words):
    expected = [w.lower() in TRUE_WORDS for w in words]
    assert parse_values(db, "bool", words) == expected


@SETTINGS
@given(st.lists(st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2035, 12, 31))
                .map(lambda d: d.replace(microsecond=0)), min_size=1, max_size=10))
def test_timestamps_round_trip(db, stamps):
    utc = [d.replace(tzinfo=dt.timezone.utc) for d in stamps]
    assert parse_values(db, "timestamp", [d.isoformat(sep=" ") for d in stamps]) == utc
    assert parse_values(db, "timestamp", [d.strftime("%d.%m.%Y %H:%M:%S") for d in stamps]) == utc
    assert parse_values(db, "timestamp", [d.isoformat() + "+02:00" for d in stamps]) == [
        d - dt.timedelta(hours=2) for d in utc]


# -- workbook cells as text: the column-at-a-time conversion writes what excel_cell_text writes, cell by cell --------
from cxmetrics.ingest.read import _excel_text_array, excel_cell_text  # noqa: E402

_CELL_KINDS = {
    "text": st.text(max_size=12),
    "float": st.floats(allow_nan=False, allow_infinity=False, min_value=-1e17, max_value=1e17),
    "whole": st.integers(-10**6, 10**6).map(float),
    "int": st.integers(-10**17, 10**17),
    "bool": st.booleans(),
    "datetime": st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    "whole_second": st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1))
    .map(lambda d: d.replace(microsecond=0)),
    "date": st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    "time": st.times(),
    "whole_time": st.times().map(lambda t: t.replace(microsecond=0)),
    "duration": st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=2)),
}


@st.composite
def _columns(draw):
    """A workbook column as calamine gives it: mostly one kind of cell with blanks (""), sometimes mixed kinds."""
    kinds = draw(st.lists(st.sampled_from(sorted(_CELL_KINDS)), min_size=1, max_size=2, unique=True))
    cell = st.one_of(st.just(""), *(_CELL_KINDS[k] for k in kinds))
    return draw(st.lists(cell, min_size=1, max_size=12))


@settings(max_examples=400, deadline=None)
@given(_columns())
def test_a_workbook_column_converts_in_c_to_exactly_the_text_of_each_cell(cells):
    assert _excel_text_array(cells).to_pylist() == [excel_cell_text(c) for c in cells]


def test_typed_workbook_columns_take_the_column_path_not_the_cell_path(monkeypatch):
    """The usual typed columns (numbers, date-times with blanks) never go cell by cell."""
    from cxmetrics.ingest import read

    calls = []
    monkeypatch.setattr(read, "excel_cell_text", lambda value: calls.append(value) or "")
    whole = [1.0, "", 308.0, 0.0]
    stamps = [dt.datetime(2026, 8, 1, 0, 29, 43), "", dt.datetime(2026, 8, 2, 23, 0, 0)]
    assert read._excel_text_array(whole).to_pylist() == ["1", "", "308", "0"]
    assert read._excel_text_array(stamps).to_pylist() == ["2026-08-01 00:29:43", "", "2026-08-02 23:00:00"]
    assert calls == []
    assert read._excel_text_array([2.5, ""]).to_pylist() == ["", ""] and calls == [2.5]  # a fraction: Python's repr


# -- whole workbooks: fastexcel's Arrow path reads exactly what the cell-by-cell path reads, or declines ---------------
_SHEET_KINDS = {
    "text": st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=10),
    "whole": st.integers(-10**6, 10**6),
    "float": st.floats(allow_nan=False, allow_infinity=False, min_value=-1e17, max_value=1e17),
    "bool": st.booleans(),
    "date": st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
    "datetime": st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1))
    .map(lambda d: d.replace(microsecond=0)),
    "time": st.times().map(lambda t: t.replace(microsecond=0)),
    "duration": st.integers(0, 3 * 86400).map(lambda s: dt.timedelta(seconds=s)),
}
_HEADERS = st.sampled_from(["id", "Дата", "Wait (s)", "queue", "agent", "a_1", "a", "", "  ", " id ", "2026",
                            "Итого", 1.5, 10**16, True, dt.date(2026, 3, 1)])


@st.composite
def _sheets(draw):
    """A sheet as exports write it: a header row over columns of one kind of cell with blanks — sometimes with title
    rows above, blank rows or columns before it, a blank row inside, a column mixing kinds, repeated or blank
    headers."""
    width = draw(st.integers(1, 4))
    kinds = [draw(st.lists(st.sampled_from(sorted(_SHEET_KINDS)), min_size=1,
                           max_size=draw(st.sampled_from([1, 1, 1, 2]))), ) for _ in range(width)]
    headers = [draw(st.one_of(_HEADERS, st.from_regex(r"[A-Za-zА-я][A-Za-zА-я ]{0,8}", fullmatch=True)))
               for _ in range(width)]
    rows = []
    for _ in range(draw(st.integers(1, 8))):
        rows.append([draw(st.one_of(st.none(), *(_SHEET_KINDS[k] for k in kinds[i]))) for i in range(width)])
    if draw(st.booleans()) and len(rows) > 1:
        rows.insert(draw(st.integers(1, len(rows) - 1)), [None] * width)
    top = [[None]] * draw(st.sampled_from([0, 0, 0, 1, 2]))
    if draw(st.integers(0, 4)) == 0:
        top = [["Queue report, March 2026"], [None]] + top
    left = draw(st.sampled_from([0, 0, 0, 1]))
    return top, headers, rows, left


def _write_sheet(path, top, headers, rows, left, mac_1904=False):
    from openpyxl import Workbook
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    workbook = Workbook()
    if mac_1904:  # old Mac Excel's date system: a time of day is a date-time in 1904 to fastexcel
        workbook.epoch = CALENDAR_MAC_1904
    sheet = workbook.active
    for r, values in enumerate(top + [headers] + rows, start=1):
        for c, value in enumerate(values, start=1 + left):
            if value is not None and value != "":
                cell = sheet.cell(row=r, column=c, value=value)
                if isinstance(value, dt.timedelta):
                    cell.number_format = "[h]:mm:ss"
    workbook.save(path)


def _read_both(path):
    from cxmetrics.ingest import read

    fast = read.read_excel_arrow(path, path.name, None)
    try:
        cells = read.read_excel_cells(path, path.name, None)
    except ImportRefused:  # an empty sheet: refused, by the cell-by-cell reader only
        assert fast is None
        return None, None
    return fast, cells


@settings(max_examples=int(os.environ.get("CXMETRICS_SHEET_EXAMPLES", "150")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_sheets())
def test_a_workbook_read_through_arrow_equals_the_cell_by_cell_read(tmp_path, sheet):
    path = tmp_path / "export.xlsx"
    _write_sheet(path, *sheet)
    fast, cells = _read_both(path)
    event("arrow path" if fast is not None else "declined")
    if fast is None:
        return  # declined: read_excel reads it cell by cell
    (fast_info, [fast_batch]), (cell_info, [cell_batch]) = fast, cells
    assert (fast_info.headers, fast_info.header_row, fast_info.sheet) == \
        (cell_info.headers, cell_info.header_row, cell_info.sheet)
    assert [str(w) for w in fast_info.warnings] == [str(w) for w in cell_info.warnings]
    assert fast_batch.to_pydict() == cell_batch.to_pydict()


def test_the_usual_export_takes_the_arrow_path_and_the_unusual_ones_do_not(tmp_path):
    """Header in row 1 and one kind of cell per column: read through Arrow. Title rows, a sheet starting in column
    B, a column mixing numbers and text: declined (and read cell by cell, the same way as before)."""
    from cxmetrics.ingest import read

    rows = [["CONTACT-1", 12, 2.5, True, dt.datetime(2026, 3, 1, 9, 0, 5), dt.date(2026, 3, 1), dt.time(9, 0, 5)],
            ["CONTACT-2", None, 3, False, dt.datetime(2026, 3, 1, 10, 0, 0), dt.date(2026, 3, 2), None]]
    headers = ["id", "wait", "talk", "resolved", "queued_at", "day", "time"]
    usual = tmp_path / "usual.xlsx"
    _write_sheet(usual, [], headers, rows, 0)
    fast, cells = _read_both(usual)
    assert fast is not None
    assert fast[1][0].to_pydict() == cells[1][0].to_pydict() == {
        "c0": ["CONTACT-1", "CONTACT-2"], "c1": ["12", ""], "c2": ["2.5", "3"], "c3": ["true", "false"],
        "c4": ["2026-03-01 09:00:05", "2026-03-01 10:00:00"], "c5": ["2026-03-01", "2026-03-02"],
        "c6": ["09:00:05", ""], "file_row": [2, 3]}
    for name, (top, left, data) in {"title": ([["Report"], [None]], 0, rows), "column_b": ([], 1, rows),
                                    "mixed": ([], 0, rows + [["CONTACT-3", "n/a", 1, True, None, None, None]]),
                                    "mac_1904": ([], 0, rows)}.items():
        path = tmp_path / f"{name}.xlsx"
        _write_sheet(path, top, headers, data, left, mac_1904=name == "mac_1904")
        assert read.read_excel_arrow(path, path.name, None) is None, name
        info, [batch] = read.read_excel(path, path.name, None)
        assert info.headers[left:] == headers, name  # column A blank: the cell-by-cell reader names it "column 1"
        assert batch.column(left).to_pylist()[:2] == ["CONTACT-1", "CONTACT-2"], name
        assert batch.column(left + 6).to_pylist()[:2] == ["09:00:05", ""], name  # the time of day, as a time


def test_the_first_filled_row_is_found_past_many_kilobytes_of_empty_styled_cells(tmp_path):
    """A sheet's XML can open with thousands of formatted but empty cells (<c r="A1" s="1"/>): the first row with a
    value is found however many 64 KB chunks they take, and a cell split across two chunks is read whole."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from cxmetrics.ingest.read import _xlsx_first_filled_row, _xlsx_sheet_part

    workbook = Workbook()
    sheet = workbook.active
    for column in range(1, 6001):  # about 25 bytes each: more than two 64 KB chunks of empty cells
        sheet.cell(row=1, column=column).font = Font(bold=True)
    sheet.cell(row=2, column=1, value="id")
    sheet.cell(row=3, column=1, value="CONTACT-1")
    path = tmp_path / "styled.xlsx"
    workbook.save(path)
    assert _xlsx_first_filled_row(path, _xlsx_sheet_part(path, 0, sheet.title)) == 2
    sheet.cell(row=1, column=1, value="title")
    workbook.save(path)
    assert _xlsx_first_filled_row(path, _xlsx_sheet_part(path, 0, sheet.title)) == 1


def _rewrite_sheet_xml(path, old: str, new: str, part: str = "xl/worksheets/sheet1.xml") -> None:
    """Replace text in a part of the workbook (the first sheet's XML unless told): cells, styles and workbook
    properties as other programs than openpyxl write them."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts[part].decode()
    assert old in xml, (old, xml[:400])
    parts[part] = xml.replace(old, new).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_cells_the_two_calamine_versions_read_differently_are_read_cell_by_cell(tmp_path):
    """fastexcel bundles an older calamine than python-calamine: where the two read a cell differently, the fast
    path declines and the workbook reads as it always did (found by a review against hand-written sheet XML)."""
    from openpyxl import Workbook

    from cxmetrics.ingest import read

    def written(name, rows, top=(), iso_dates=False, number_format=None):
        workbook = Workbook(iso_dates=iso_dates)
        sheet = workbook.active
        for values in [*top, ["agent", "value"], *rows]:
            sheet.append(values)
        if number_format:
            for cell in sheet["B"][len(top) + 1:]:
                cell.number_format = number_format
        path = tmp_path / f"{name}.xlsx"
        workbook.save(path)
        return path

    def read_both_ways(path):
        assert read.read_excel_arrow(path, path.name, None) is None, path.name
        info, [batch] = read.read_excel(path, path.name, None)
        return info.header_row, batch.column(1).to_pylist(), batch.column("file_row").to_pylist()

    # ISO date cells (t="d"): calamine 0.37 keeps midnight as a date-time and a date before 1900 as a date
    iso = written("iso", [["ann", dt.datetime(2024, 1, 2)], ["bob", dt.datetime(1899, 6, 1, 8)]], iso_dates=True)
    assert read_both_ways(iso) == (1, ["2024-01-02 00:00:00", "1899-06-01 08:00:00"], [2, 3])
    # booleans written as words: true and false, not both true
    words = written("words", [["ann", True], ["bob", False]])
    _rewrite_sheet_xml(words, 't="b"><v>0</v>', 't="b"><v>FALSE</v>')
    _rewrite_sheet_xml(words, 't="b"><v>1</v>', 't="b"><v>TRUE</v>')
    assert read_both_ways(words) == (1, ["true", "false"], [2, 3])
    # the same with the cell type in single quotes, as XML allows (unseen by a search for t="b")
    quoted = written("quoted", [["ann", True], ["bob", False]])
    _rewrite_sheet_xml(quoted, 't="b"><v>0</v>', "t='b'><v>FALSE</v>")
    _rewrite_sheet_xml(quoted, 't="b"><v>1</v>', "t='b'><v>TRUE</v>")
    assert read_both_ways(quoted) == (1, ["true", "false"], [2, 3])
    # a date-formatted serial past 9999-12-31 stays the number it is
    serial = written("serial", [["ann", dt.date(2026, 3, 1)], ["bob", dt.date(2026, 3, 2)]], number_format="yyyy-mm-dd")
    _rewrite_sheet_xml(serial, "<v>46082</v>", "<v>2958466</v>")
    assert read_both_ways(serial) == (1, ["2958466", "2026-03-02"], [2, 3])
    # a date-time a float's step from midnight stays a date-time (fastexcel rounds it to midnight first)
    near = written("near", [["ann", dt.datetime(2026, 3, 1, 9)], ["bob", dt.datetime(2026, 3, 2, 9)]],
                   number_format="yyyy-mm-dd hh:mm:ss")
    _rewrite_sheet_xml(near, "<v>46082.375</v>", "<v>46082.99999999999</v>")
    assert read_both_ways(near) == (1, ["2026-03-02 00:00:00", "2026-03-02 09:00:00"], [2, 3])
    # an East Asian built-in date format (numFmtId 31, which Excel leaves undefined): a date to python-calamine
    east = written("east_asian", [["ann", dt.date(2026, 3, 1)]], number_format="yyyy-mm-dd")
    _rewrite_sheet_xml(east, '<xf numFmtId="164"', '<xf numFmtId="31"', part="xl/styles.xml")
    assert read_both_ways(east) == (1, ["2026-03-01"], [2])
    # an ISO date cell whose type is written with a tab before "="
    spaced = written("spaced", [["ann", dt.datetime(2024, 1, 2)]], iso_dates=True)
    _rewrite_sheet_xml(spaced, 't="d"', 't\t="d"')
    assert read_both_ways(spaced) == (1, ["2024-01-02 00:00:00"], [2])
    # the same format without a styles relationship (calamine reads xl/styles.xml regardless), or beside a
    # conditional format defining that id
    for name, old, new in [("no_relation", '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                                           'relationships/styles" Target="styles.xml" Id="rId2" />', ""),
                           ("dxf", "</cellXfs>", '</cellXfs><dxfs count="1"><dxf><numFmt numFmtId="31" '
                                                 'formatCode="yyyy"/></dxf></dxfs>')]:
        path = written(f"east_asian_{name}", [["ann", dt.date(2026, 3, 1)]], number_format="yyyy-mm-dd")
        _rewrite_sheet_xml(path, '<xf numFmtId="164"', '<xf numFmtId="31"', part="xl/styles.xml")
        _rewrite_sheet_xml(path, old, new, part="xl/_rels/workbook.xml.rels" if name == "no_relation"
                           else "xl/styles.xml")
        assert read_both_ways(path) == (1, ["2026-03-01"], [2]), name
    # a date-time written with a negative exponent after many digits (4608299999999999E-11 is 46082.99999999999)
    wide = written("wide", [["ann", dt.datetime(2026, 3, 1, 9)]], number_format="yyyy-mm-dd hh:mm:ss")
    _rewrite_sheet_xml(wide, "<v>46082.375</v>", "<v>4608299999999999E-11</v>")
    assert read_both_ways(wide) == (1, ["2026-03-02 00:00:00"], [2])
    # a Boolean cell with a second value after a plain one: both calamine versions keep the last
    second = written("second", [["ann", True], ["bob", False]])
    _rewrite_sheet_xml(second, 't="b"><v>0</v>', 't="b"><v>0</v><v>TRUE</v>')
    assert read_both_ways(second) == (1, ["true", "true"], [2, 3])
    # two workbook property elements, the last in the 1904 date system: a time of day stays a time of day
    twice = written("twice", [["ann", dt.time(12)]], number_format="hh:mm:ss")
    _rewrite_sheet_xml(twice, "<workbookPr />", '<workbookPr /><workbookPr date1904="1"/>', part="xl/workbook.xml")
    assert read_both_ways(twice) == (1, ["12:00:00"], [2])
    # an empty value in A1, or a comment, a processing instruction or CDATA holding a cell: the header is the first
    # row with a value
    for name, filler in {"empty_v": '<row r="1"><c r="A1"><v/></c></row>',
                         "comment": '<!-- <c r="A1"><v>1</v></c> -->',
                         "instruction": '<row r="1"><c r="A1"><?x <v>1</v>?></c></row>',
                         "cdata": '<row r="1"><c r="A1" t="str"><f><![CDATA[<v>1</v>]]></f></c></row>',
                         "inline_v": '<row r="1"><c r="A1" t="inlineStr"><v>Title</v></c></row>',
                         "entity": '<row r="1"><c r="A1"><v>&#49;</v></c></row>',
                         "formula_after": '<row r="1"><c r="A1" t="str"><v>Title</v><f>"x"</f></c></row>'}.items():
        path = written(name, [["ann", 12], ["bob", 15]], top=[[None]])
        _rewrite_sheet_xml(path, "<sheetData>", "<sheetData>" + filler)
        assert read_both_ways(path) == (2, ["12", "15"], [3, 4]), name


def test_the_first_row_search_reads_the_cell_reference_not_an_attribute_ending_in_r(tmp_path):
    """A sheet starting in column B whose first cell carries an attribute my-r="A1": column A is blank, as the
    cell-by-cell reader says (its header "column 1")."""
    from openpyxl import Workbook

    from cxmetrics.ingest import read

    workbook = Workbook()
    for values in [["Name", "Val"], ["ann", 1]]:
        workbook.active.append([None, *values])
    path = tmp_path / "fake_r.xlsx"
    workbook.save(path)
    _rewrite_sheet_xml(path, '<c r="B1"', '<c r="B1" my-r="A1"')
    assert read.read_excel_arrow(path, path.name, None) is None
    info, _batches = read.read_excel(path, path.name, None)
    assert info.headers == ["column 1", "Name", "Val"]


def test_a_cell_calamine_cannot_convert_refuses_the_workbook_by_name(tmp_path):
    """A boolean written "2" or a duration of 10^10 days: the import is refused with a message naming the file,
    not a raw library error."""
    from openpyxl import Workbook

    from cxmetrics.ingest import read

    for name, value, old, new in [("boolean", True, 't="b"><v>1</v>', 't="b"><v>2</v>'),
                                  ("duration", dt.timedelta(hours=30), "<v>1.25</v>", "<v>1e10</v>")]:
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(["agent", "value"])
        sheet.append(["ann", value])
        sheet["B2"].number_format = "[h]:mm:ss"
        path = tmp_path / f"{name}.xlsx"
        workbook.save(path)
        _rewrite_sheet_xml(path, old, new)
        assert read.read_excel_arrow(path, path.name, None) is None, name
        with pytest.raises(ImportRefused) as refused:
            read.read_excel(path, path.name, None)
        assert f"{name}.xlsx, sheet 'Sheet', cannot be read: " in str(refused.value), name


def test_a_sheet_calamine_cannot_parse_refuses_the_workbook_naming_the_sheet(tmp_path):
    """Broken sheet XML: a refusal naming the file and the sheet, with calamine's reason."""
    from openpyxl import Workbook

    from cxmetrics.ingest import read

    workbook = Workbook()
    workbook.active.title = "Calls"
    workbook.active.append(["agent", "wait"])
    workbook.active.append(["ann", 12])
    path = tmp_path / "broken.xlsx"
    workbook.save(path)
    _rewrite_sheet_xml(path, "</is></c>", "</is>")  # a cell left unclosed
    with pytest.raises(ImportRefused) as refused:
        read.read_excel(path, path.name, None)
    assert "broken.xlsx, sheet 'Calls', cannot be read: " in str(refused.value)


def test_the_real_pwc_workbook_takes_the_arrow_path_and_reads_as_cell_by_cell():
    """Excel writes a short time as 1.6550925925925926E-3: no nearer a whole day than written, so not declined."""
    from cxmetrics.ingest import read

    from .conftest import realdata

    path = realdata("pwc_call_center_2021Q1.xlsx")
    fast, cells = read.read_excel_arrow(path, path.name, None), read.read_excel_cells(path, path.name, None)
    assert fast is not None
    assert fast[0].headers == cells[0].headers and fast[1][0].equals(cells[1][0])
