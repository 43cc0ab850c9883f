"""Month states and statuses beyond met / missed (spec §3–4): not measured, not loaded yet, no wait known.

Hand-built fixtures with fixed dates; the figures are worked out by hand in the comments.
"""
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from cxmetrics import import_file
from cxmetrics.early_warning import alerts
from cxmetrics.review import quarterly_review
from cxmetrics.workbook import review_workbook_bytes
from cxmetrics.compliance import compliance
from cxmetrics.quality import latest_month
from cxmetrics.kpis import kpis
from cxmetrics.targets import Target, replace_targets
from cxmetrics.views import compliance_view, early_warning, review_page

from .conftest import run_cli, write


def _month_rows(months, per_month=10, waits=True, surveys=False):
    """Voice contacts, the 3rd to the 12th of each month; 9 of 10 answered within 10 s, 1 abandoned after 30 s."""
    header = "id,channel,queued_at,status" + (",wait_seconds" if waits else "") + (",csat" if surveys else "")
    lines = [header]
    for month in months:
        for i in range(per_month):
            answered = i < per_month - 1
            line = f"{month}-{i},voice,{month}-{3 + i:02d} 10:00,{'answered' if answered else 'abandoned'}"
            if waits:
                line += f",{10 if answered else 30}"
            if surveys:
                line += ",5" if answered else ","
            lines.append(line)
    return "\n".join(lines) + "\n"


def _months(first: str, last: str):
    y, m = int(first[:4]), int(first[5:])
    while f"{y:04d}-{m:02d}" <= last:
        yield f"{y:04d}-{m:02d}"
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


@pytest.fixture
def history(store, tmp_path):
    """Voice from 2025-01 to 2026-04, no surveys: service level 9 ÷ 10 = 90 % every month."""
    import_file(store, write(tmp_path / "h.csv", _month_rows(_months("2025-01", "2026-04"))))
    replace_targets(store, [Target("*", "service_level", 80.0), Target("*", "csat", 80.0)])
    return store


def test_service_level_and_asa_are_null_without_any_known_wait(store, tmp_path):
    # 9 answered and 1 abandoned, no wait column: only the abandons would be counted, so nothing is known.
    import_file(store, write(tmp_path / "w.csv", _month_rows(["2026-03"], waits=False)))
    values = {r.metric: (r.value, r.n) for r in kpis(store)}
    assert values["service_level"] == (None, 0)
    assert values["asa"] == (None, 0)
    assert values["abandon_rate"] == (pytest.approx(10.0), 10)   # 1 ÷ 10, no short abandons without waits


def test_one_known_wait_is_enough_for_service_level(store, tmp_path):
    text = "id,channel,queued_at,status,wait_seconds\n" + "".join(
        f"a{i},voice,2026-03-0{i + 1} 10:00,answered,{'5' if i == 0 else ''}\n" for i in range(3)) + \
        "b,voice,2026-03-05 10:00,abandoned,30\n"
    import_file(store, write(tmp_path / "o.csv", text))
    values = {r.metric: (r.value, r.n) for r in kpis(store)}
    # abandons_against: 1 within ÷ (4 offered − 0 short − 2 answered of unknown wait) = 50 %
    assert values["service_level"] == (pytest.approx(50.0), 2)
    assert values["asa"] == (5.0, 1)


def test_months_after_the_last_day_of_data_are_not_loaded_yet(history):
    assert latest_month(history) == "2026-04"
    row = next(r for r in compliance(history, "2026-06") if r.metric == "service_level")
    states = {c.month: c.state for c in row.cells}
    assert states["2026-05"] == states["2026-06"] == "not_loaded"
    assert states["2026-04"] == "met"
    # Window 2025-07 … 2026-06; May and June are neither counted nor flagged: 10 months counted, all met.
    assert (row.months_in_window, row.months_met, row.months_with_data) == (10, 10, 10)
    assert row.status == "compliant" and row.flagged_months == []


def test_a_metric_without_any_value_is_not_measured_not_breached(history):
    row = next(r for r in compliance(history, "2026-04") if r.metric == "csat")
    assert row.status == "not_measured"
    assert row.flagged_months == [] and row.months_met == 0 and row.months_with_data == 0
    assert row.months_in_window == 12
    assert {c.state for c in row.cells} == {"not_measured"}


def test_cli_compliance_prints_both_new_states(history, tmp_path):
    history.checkpoint()
    history.close()
    result = run_cli("compliance", "--as-of", "2026-06", db=tmp_path / "store.duckdb")
    lines = {tuple(line.split(",")[:2]): line for line in result.stdout.splitlines()[1:]}
    assert lines[("voice", "csat")] == "voice,csat,2026-06,2025-07,0,0,10,not_measured,"
    assert lines[("voice", "service_level")] == "voice,service_level,2026-06,2025-07,10,10,10,compliant,"
    out = tmp_path / "monthly.csv"
    report = run_cli("report", "--quarter", "2026Q2", "--format", "csv", "--out", out, db=tmp_path / "store.duckdb")
    assert report.returncode == 0, report.stderr
    assert "May and June are not loaded yet" in report.stdout
    assert "voice,csat,2026-04,,0,80,not_measured,False" in out.read_text().splitlines()


def test_compliance_grid_starts_at_the_first_counted_month(store, tmp_path):
    import_file(store, write(tmp_path / "one.csv", _month_rows(["2026-03"])))
    view = compliance_view(store, "2026-03")
    assert view.months == ["2026-03"]
    assert [c for c in view.grid.columns if c.startswith("20")] == ["2026-03"]
    assert view.grid.loc[view.grid["Metric"] == "Service level", "2026-03"].item() == "✔ 90.0%"
    assert view.grid.loc[view.grid["Metric"] == "CSAT", "2026-03"].item() == "○"


def test_compliance_grid_with_a_channel_starting_mid_window(store, tmp_path):
    import_file(store, write(tmp_path / "v.csv", _month_rows(_months("2025-01", "2026-04"))))
    chat = _month_rows(["2026-02", "2026-03", "2026-04"]).replace(",voice,", ",chat,").replace("\n2026", "\nc2026")
    import_file(store, write(tmp_path / "c.csv", chat))
    view = compliance_view(store, "2026-04")
    assert len(view.months) == 12
    chat_row = view.states[(view.states["Channel"] == "chat") & (view.states["Metric"] == "service_level")]
    assert chat_row["2025-05"].item() is None and chat_row["2026-02"].item() == "met"
    assert view.grid.loc[chat_row.index[0], "Status"] == "Insufficient history"
    assert view.grid.loc[chat_row.index[0], "2025-05"] == ""


def test_a_quarter_under_way_holds_the_rolling_rule_as_of_its_latest_loaded_month(history):
    """Service level 90 % every month against 95 % in force May–July 2025 (missed) and 80 % before and after.
    As of April 2026 the window (May 2025 – April 2026) holds 3 misses: at risk, as the Compliance page says. At
    the end of 2026Q2 (window July 2025 – June 2026, May and June not loaded) only July would be left: the review
    read "compliant" while the Compliance page said "at risk"."""
    replace_targets(history, [Target("*", "service_level", 80.0), Target("*", "service_level", 95.0, 0, "2025-05"),
                              Target("*", "service_level", 80.0, 0, "2025-08")])
    on_the_page = next(r for r in compliance(history, "2026-04") if r.metric == "service_level")
    assert (on_the_page.status, len(on_the_page.flagged_months)) == ("at_risk", 3)
    review = quarterly_review(history, "2026Q2")
    assert review.rule_month == "2026-04"
    row = next(r for r in review.rows if r.metric == "service_level")
    assert (row.rolling_status, row.rolling_misses) == ("at_risk", 3)
    assert next(r for r in review.compliance if r.metric == "service_level").as_of == "2026-04"
    assert quarterly_review(history, "2026Q1").rule_month == "2026-03"  # a whole quarter: its end


def test_quarterly_review_marks_not_loaded_and_not_measured_months(history):
    review = quarterly_review(history, "2026Q2")
    assert review.not_loaded == ["2026-05", "2026-06"]
    sl = next(r for r in review.rows if r.metric == "service_level")
    assert [c.state for c in sl.months] == ["met", "not_loaded", "not_loaded"]
    csat = next(r for r in review.rows if r.metric == "csat")
    assert [c.state for c in csat.months] == ["not_measured", "not_loaded", "not_loaded"]
    assert csat.quarter_state is None or csat.quarter_state == "not_measured"
    # the caveat first: every finding after it is of a partial quarter
    assert review.findings[:2] == [
        "May and June are not loaded yet: the store's data end before them, so 2026Q2 is reviewed on the months "
        "loaded so far.", "Every targeted metric met its target in every month loaded so far (April)."]
    assert not any("CSAT missed" in f for f in review.findings)

    page = review_page(history, "2026Q2")
    line = page.table[page.table["Metric"] == "Service level"].iloc[0]
    # a month with nothing to show is its symbol alone on the page (the legend above spells it out)
    assert (line["April"], line["May"], line["June"]) == ("✔ 90.0%", "…", "…")
    assert page.table[page.table["Metric"] == "CSAT (top-2-box)"].iloc[0]["April"] == "○"
    assert line["Quarter"] == "✔ 90.0%"

    book = load_workbook(io.BytesIO(review_workbook_bytes(review)))
    monthly = {(r[1], r[2]): r[6] for r in book["Monthly"].iter_rows(min_row=2, values_only=True)}
    assert monthly[("CSAT (top-2-box)", "2026-04")] == "Not measured"
    assert monthly[("Service level", "2026-04")] == "Met"
    summary = book["Summary"]
    cells = {row[1].value: row for row in summary.iter_rows(min_row=5, max_row=4 + len(review.rows))}
    april, may = cells["Service level"][2], cells["Service level"][3]
    assert april.value == pytest.approx(0.9) and april.number_format == '"✔ "0.0%'
    assert may.value == "… Not loaded yet"
    assert cells["CSAT (top-2-box)"][2].value == "○ Not measured"


def test_early_warning_never_prints_an_impossible_requirement(store, tmp_path):
    # 1–10 March: 9 of 10 answered after 60 s (outside 20 s), 1 within: 10 % so far. 21 days remain with about
    # 10 ÷ 28 × 21 = 7.5 contacts (recent daily average): even all within gives (1 + 7.5) ÷ 17.5 = 49 % < 80 %,
    # so the arithmetic would ask for 173 % of the rest.
    text = "id,channel,queued_at,status,wait_seconds\n" + "".join(
        f"m{i},voice,2024-03-{i + 1:02d} 10:00,answered,{5 if i == 0 else 60}\n" for i in range(10))
    import_file(store, write(tmp_path / "m.csv", text))
    replace_targets(store, [Target("*", "service_level", 80.0)])
    found = [a for a in alerts(store, dt.date(2024, 3, 10)) if a.metric == "service_level"]
    assert [a.kind for a in found] == ["impossible"]
    assert found[0].text.startswith("Voice service level can no longer meet 80.0% this month")
    assert "would need" not in found[0].text and "%" not in found[0].text.split("(")[0].replace("80.0%", "")


def test_early_warning_says_when_the_data_are_months_old(history):
    early = early_warning(history)
    assert early["latest"] == "2026-04"
    assert early["stale"] == f"No data for {dt.date.today():%Y-%m} yet (latest: 2026-04)."
    assert early["alerts"] == []


def test_cli_table_rounds_for_reading_and_csv_keeps_full_precision(store, tmp_path):
    text = "id,channel,queued_at,status,wait_seconds\n" + "".join(
        f"r{i},voice,2026-03-0{1 + i % 3} 10:00,{'answered' if i % 3 else 'abandoned'},{7 + i}\n" for i in range(7))
    import_file(store, write(tmp_path / "r.csv", text))
    store.checkpoint()
    store.close()
    db = tmp_path / "store.duckdb"
    table = run_cli("kpis", "--metric", "abandon_rate", "--metric", "asa", "--format", "table", db=db).stdout
    csv_text = run_cli("kpis", "--metric", "abandon_rate", "--metric", "asa", db=db).stdout
    # 3 abandoned of 7 (none short: waits 7, 10, 13 s ≥ 5 s) = 42.857…%; ASA (8 + 9 + 11 + 12) ÷ 4 = 10 s
    assert "42.9%" in table and "00:10" in table and "42.857" not in table
    assert "voice,abandon_rate,42.857142857142854,7," in csv_text


def test_check_says_when_the_month_has_no_data_yet(history, tmp_path):
    """cron must not read "no alerts" off a store whose data ended months ago."""
    history.checkpoint()
    history.close()
    result = run_cli("check", db=tmp_path / "store.duckdb")
    assert result.returncode == 1
    assert result.stdout.strip() == f"[no_data] No data for {dt.date.today():%Y-%m} yet (latest: 2026-04)."
    in_data = run_cli("check", "--as-of", "2026-04-30", db=tmp_path / "store.duckdb")
    assert "[no_data]" not in in_data.stdout
