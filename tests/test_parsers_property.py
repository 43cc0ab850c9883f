"""Property tests for the value parsers: any text gives a value, None or a typed error; valid values round-trip."""
import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pytest

from cxmetrics import CxError, Store
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
