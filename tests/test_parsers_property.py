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
