"""Staffing what-if (cxmetrics/staffing.py, staffing_views.py, pages/staffing.py) on tiny stores worked by hand."""
import argparse
import math
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cxmetrics import Store, import_file
from cxmetrics.i18n import use_language
from cxmetrics.staffing import CSV_HEADER, NotEnoughHistory, forecast, plan, scheduled, weekday_counts
from cxmetrics.staffing_views import add_parser, run, staffing_choices, staffing_page

from .conftest import write

ROOT = Path(__file__).resolve().parent.parent
HEADER = "id,channel,direction,queued_at,status,wait_seconds,talk_seconds\n"


def _rows(rows: list[tuple[str, int, int]]) -> str:
    """(queued_at, how many contacts, talk seconds) → contacts rows of voice, answered after 5 s."""
    out, n = [], 0
    for at, count, talk in rows:
        for _ in range(count):
            n += 1
            out.append(f"c{n},voice,in,{at},answered,5,{talk}\n")
    return HEADER + "".join(out)


# Fourteen months and a day, 2023-12-01 to 2025-02-28: enough for "the same month last year × the trend".
YEAR_FILE = _rows([
    ("2023-12-01 09:00", 1, 100),   # prior months (2023-12 … 2024-02): 4 contacts
    ("2024-01-15 11:00", 2, 100),
    ("2024-02-14 11:00", 1, 100),
    ("2024-03-04 10:00", 2, 100),   # March 2024, the same month last year: its 4 Mondays at 10:00, 2 each
    ("2024-03-11 10:00", 2, 100),
    ("2024-03-18 10:00", 2, 100),
    ("2024-03-25 10:00", 2, 100),
    ("2024-12-02 11:00", 2, 240),   # the last three months (2024-12 … 2025-02): 6 contacts, handle 240 s
    ("2025-01-15 11:00", 3, 240),
    ("2025-02-28 09:00", 1, 240),
])

# Eight weeks, Saturday 2025-01-04 to Friday 2025-02-28: the fallback.
WEEKS_FILE = _rows([
    ("2025-01-04 09:00", 1, 180),   # the first day (a Saturday)
    ("2025-01-06 10:00", 3, 180),   # Mondays at 10:00: 12 contacts over the 8 Mondays
    ("2025-01-20 10:00", 4, 180),
    ("2025-02-10 10:00", 5, 180),
    ("2025-02-28 09:00", 1, 180),   # the last day (a Friday)
])


@pytest.fixture
def year_store(store, tmp_path):
    import_file(store, write(tmp_path / "year.csv", YEAR_FILE))
    return store


@pytest.fixture
def weeks_store(store, tmp_path):
    import_file(store, write(tmp_path / "weeks.csv", WEEKS_FILE))
    return store


def test_weekdays_are_counted_in_the_calendar():
    import datetime as dt
    march = weekday_counts(dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    assert (march[1], march[5], march[6], march[7], march[2]) == (5, 4, 5, 5, 4)  # 5 Mondays, Saturdays, Sundays
    assert weekday_counts(dt.date(2024, 3, 1), dt.date(2024, 3, 31))[1] == 4


def test_same_month_last_year_scaled_by_the_trend(year_store):
    f = forecast(year_store, "voice", "2025-03")
    # trend = (2 + 3 + 1) / (1 + 2 + 1) = 6 / 4 = 1.5; a typical Monday 10:00 = 8 contacts ÷ 4 Mondays × 1.5 = 3
    assert f.method == "last_year"
    assert (str(f.base_from), str(f.base_to)) == ("2024-03-01", "2024-03-31")
    assert f.trend == 1.5 and f.trend_months == ("2024-12", "2025-02")
    assert f.typical[1, "10:00"] == 3.0
    assert sum(v for k, v in f.typical.items() if k != (1, "10:00")) == 0
    assert f.total == 15.0  # March 2025 has 5 Mondays


def test_the_plan_of_the_last_year_case(year_store):
    p = plan(year_store, "voice", "2025-03")
    # AHT of the three months ending with February 2025 only (240 s), not the 100 s contacts before
    assert p.aht_s == 240.0 and p.aht_months == ("2024-12", "2025-02")
    assert (p.target_pct, p.target_in_force, p.threshold_s, p.shrinkage_pct) == (80.0, True, 20.0, 30.0)
    row = next(r for r in p.rows if (r.weekday, r.interval) == (1, "10:00"))
    # A = 3 × 240 / 1800 = 0.4 erlangs. One agent: C = 0.4, SL = 1 − 0.4·e^(−0.6·20/240) = 62.0 % < 80 %.
    # Two: C = A²/(2 + A) = 1/15, SL = 1 − e^(−1.6·20/240)/15 = 94.2 %, ASA = (1/15)·240/1.6 = 10 s, occupancy 20 %.
    assert row.agents == 2
    assert row.service_level_pct == pytest.approx(100 * (1 - math.exp(-1.6 * 20 / 240) / 15))
    assert row.asa_s == pytest.approx(10.0)
    assert row.occupancy_pct == pytest.approx(20.0)
    assert row.agents_scheduled == 3  # ⌈2 ÷ 0.7⌉
    empty = next(r for r in p.rows if (r.weekday, r.interval) == (1, "10:30"))
    assert (empty.contacts, empty.agents, empty.service_level_pct, empty.asa_s, empty.agents_scheduled) == (
        0.0, 0, None, None, 0)
    assert len(p.rows) == 7 * 48
    # 5 Mondays × one half-hour: 2 agents × 0.5 h × 5 = 5 agent-hours on the queue, 3 × 0.5 × 5 = 7.5 scheduled
    assert (p.agent_hours, p.agent_hours_scheduled) == (5.0, 7.5)
    assert (p.peak.weekday, p.peak.interval, p.peak.agents) == (1, "10:00", 2)


def test_the_eight_weeks_fallback(weeks_store):
    f = forecast(weeks_store, "voice", "2025-03")
    # no March 2024: the 56 days before March 2025, 2025-01-04 to 2025-02-28, 8 of each weekday
    assert f.method == "last_8_weeks" and f.trend is None
    assert (str(f.base_from), str(f.base_to)) == ("2025-01-04", "2025-02-28")
    assert f.typical[1, "10:00"] == 12 / 8
    assert f.typical[6, "09:00"] == 1 / 8 and f.typical[5, "09:00"] == 1 / 8
    # March 2025: 5 Mondays × 1.5 + 5 Saturdays × 0.125 + 4 Fridays × 0.125
    assert f.total == pytest.approx(7.5 + 0.625 + 0.5)
    p = plan(weeks_store, "voice", "2025-03", shrinkage_pct=0)
    monday = next(r for r in p.rows if (r.weekday, r.interval) == (1, "10:00"))
    # A = 1.5 × 180 / 1800 = 0.15; one agent: C = 0.15, SL = 1 − 0.15·e^(−0.85·20/180) = 86.4 % ≥ 80 %
    assert (monday.agents, monday.agents_scheduled) == (1, 1)
    assert monday.service_level_pct == pytest.approx(100 * (1 - 0.15 * math.exp(-0.85 * 20 / 180)))
    assert monday.asa_s == pytest.approx(0.15 * 180 / 0.85)
    # every half-hour with a forecast needs one agent: 5 + 5 + 4 days × 0.5 h
    assert p.agent_hours == p.agent_hours_scheduled == 7.0


def test_an_override_of_the_total_scales_every_half_hour(year_store):
    p = plan(year_store, "voice", "2025-03", total_override=30)
    assert p.overridden and p.total == 30.0 and p.forecast.total == 15.0
    assert next(r for r in p.rows if (r.weekday, r.interval) == (1, "10:00")).contacts == 6.0


def test_the_occupancy_cap_and_shrinkage(year_store):
    p = plan(year_store, "voice", "2025-03", shrinkage_pct=50, max_occupancy_pct=15)
    row = next(r for r in p.rows if (r.weekday, r.interval) == (1, "10:00"))
    assert row.agents == 3 and row.occupancy_pct <= 15  # 0.4 / 3 = 13.3 %
    assert row.agents_scheduled == 6


def test_shrinkage_is_exact():
    assert scheduled(14, 30) == 20  # 14 ÷ 0.7 is 20.000000000000004 in floats
    assert scheduled(15, 30) == 22
    assert scheduled(0, 30) == 0 and scheduled(3, 0) == 3


def test_too_little_history_says_what_is_needed(weeks_store):
    with pytest.raises(NotEnoughHistory, match="too little history"):
        plan(weeks_store, "voice", "2025-02")
    with pytest.raises(NotEnoughHistory, match="no contacts by half-hour"):
        plan(weeks_store, "chat", "2025-03")
    page = staffing_page(weeks_store, "voice", "2025-02")
    assert page.message.startswith("voice has too little history by half-hour to forecast 2025-02")
    assert page.table.empty and page.heatmap is None


def test_out_of_range_inputs_are_usage_errors(year_store):
    from cxmetrics import UsageError
    for kwargs in ({"shrinkage_pct": 100}, {"shrinkage_pct": -1}, {"max_occupancy_pct": 0},
                   {"max_occupancy_pct": 120}, {"total_override": 0}):
        with pytest.raises(UsageError):
            plan(year_store, "voice", "2025-03", **kwargs)
    with pytest.raises(UsageError, match="YYYY-MM"):
        plan(year_store, "voice", "March")


def test_the_page_view_in_both_languages(year_store):
    page = staffing_page(year_store, "voice", "2025-03")
    assert page.message is None
    assert list(page.table.columns) == ["Weekday", "Half-hour", "Expected contacts", "AHT", "Agents",
                                        "Service level", "ASA", "Occupancy", "Agents to schedule"]
    assert page.table.iloc[0].tolist() == ["Mon", "10:00", "3.0", "04:00", "2", "94.2%", "00:10", "20.0%", "3"]
    assert dict(page.summary)["Agent-hours to schedule"] == "7.5"
    # both counts of the busiest half-hour: the heatmap shows agents to schedule (2 on the queue ÷ 0.7 → 3)
    assert dict(page.summary)["Busiest half-hour"] == "Mon 10:00: 2 agents on the queue, 3 to schedule"
    assert page.heatmap["encoding"]["color"]["field"] == "scheduled"
    assert page.csv.splitlines()[0] == ",".join(CSV_HEADER)
    with use_language("ru"):
        ru = staffing_page(year_store, "voice", "2025-03")
    assert ru.table.iloc[0, 0] == "пн" and ru.table.iloc[0, 5] == "94,2\u00a0%"
    assert dict(ru.summary)["Пиковый интервал"] == "пн 10:00: 2 оператора на линии, 3 в графике"
    assert ru.heatmap["config"]["locale"]["number"]["decimal"] == ","
    choices = staffing_choices(year_store)
    assert choices.channels == ["voice"] and choices.default_month == "2025-03"
    assert choices.months[0] == "2024-01" and choices.months[-1] == "2026-02"


def test_the_command_writes_the_csv(year_store, tmp_path, capsys):
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    out = tmp_path / "plan.csv"
    args = parser.parse_args(["staffing", "--channel", "voice", "--month", "2025-03", "--out", str(out)])
    assert run(year_store, args) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "weekday,interval,contacts,aht_s,agents,service_level_pct,asa_s,occupancy_pct,agents_scheduled"
    assert len(lines) == 1 + 7 * 48
    # Monday, the 21st half-hour (10:00): the figures worked by hand above, at full precision
    assert lines[1 + 20] == "1,10:00,3,240,2,94.16551120638034,10.000000000000002,20,3"
    assert float(lines[1 + 20].split(",")[5]) == pytest.approx(100 * (1 - math.exp(-1.6 * 20 / 240) / 15))
    assert lines[1 + 21] == "1,10:30,0,240,0,,,,0"
    printed = capsys.readouterr().out
    assert "voice, 2025-03: 15 contacts expected, 7.5 agent-hours to schedule" in printed


def _closed_store(tmp_path, text: str | None) -> Path:
    db = tmp_path / "page.duckdb"
    s = Store(db)
    try:
        if text is not None:
            import_file(s, write(tmp_path / "page.csv", text))
    finally:
        s.close()
    return db


@pytest.mark.parametrize("text", [YEAR_FILE, WEEKS_FILE[:WEEKS_FILE.index("c3,")], None],
                         ids=["planned", "too-little-history", "empty"])
def test_the_page_file_runs(text, tmp_path, monkeypatch):
    monkeypatch.setenv("CXMETRICS_DB", str(_closed_store(tmp_path, text)))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "pages" / "staffing.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Staffing what-if"
    if text is YEAR_FILE:
        assert {"Expected contacts in the month", "AHT", "Agent-hours to schedule"} <= {m.label for m in at.metric}
        assert at.dataframe[0].value.shape[0] == 1
        at.number_input[2].set_value(30).run()  # the month's total: twice the forecast
        assert not at.exception
        assert next(m for m in at.metric if m.label == "Expected contacts in the month").value == "30"
    elif text is None:
        assert at.info[0].value.startswith("The store is empty.")
    else:
        assert "too little history" in at.info[0].value
