"""The quarterly SLA review: findings, workbook, CLI (issue 5).

The workbook stores percentages as Excel fractions and durations as days ([h]:mm:ss), so a cell
equals the API's figure ÷ 100 or ÷ 86400. openpyxl writes floats with 16 significant digits
(Excel keeps 15), so cells are compared to that precision; duration cells come back from
openpyxl as timedeltas rounded to the millisecond.
"""
import csv
import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook

from cxmetrics import import_file
from cxmetrics.metrics import METRICS
from cxmetrics.display import excel_number
from cxmetrics.review import quarterly_review
from cxmetrics.workbook import SHEETS, write_review_workbook
from cxmetrics.compliance import compliance
from cxmetrics.kpis import kpis
from cxmetrics.targets import Target, replace_targets

from .conftest import run_cli, write


def same(cell_value, expected) -> bool:
    """A workbook number equals the expected one to the 16 digits openpyxl writes."""
    if isinstance(cell_value, dt.timedelta):  # openpyxl reads [h]:mm:ss cells back rounded to the millisecond
        return cell_value.total_seconds() == pytest.approx(expected * 86400, abs=0.0005)
    if expected is None or cell_value is None:
        return cell_value is expected
    return cell_value == pytest.approx(expected, rel=1e-15, abs=1e-15)



@pytest.fixture
def review_book(sample_store, tmp_path):
    review = quarterly_review(sample_store, "2026Q3")
    path = tmp_path / "review.xlsx"
    write_review_workbook(review, path)
    return review, load_workbook(path), path


def test_sheet_names(review_book):
    _, wb, _ = review_book
    assert wb.sheetnames == ["Summary", "Monthly", "Compliance", "Flagged months", "Trends", "By queue",
                             "Definitions", "Data coverage"] == list(SHEETS)


def test_summary_equals_the_api(review_book, sample_store):
    review, wb, _ = review_book
    ws = wb["Summary"]
    assert [c.value for c in ws[4]][:6] == ["Channel", "Metric", "July 2026", "August 2026", "September 2026",
                                             "Quarter"]
    monthly = {(r.channel, r.metric, r.period): r for r in kpis(sample_store, "month", date_from="2026-07",
                                                                 date_to="2026-09")}
    pooled = {(r.channel, r.metric): r for r in kpis(sample_store, "quarter", date_from="2026-07",
                                                      date_to="2026-09")}
    rule = {(c.channel, c.metric): c for c in compliance(sample_store, "2026-09")}
    names = {c.replace("_", " ").capitalize(): c for c in review.channels}
    labels = {m.label: m.id for m in METRICS.values()}
    checked = 0
    for row in ws.iter_rows(min_row=5, max_row=4 + len(review.rows)):
        channel, metric = names[row[0].value], labels[row[1].value]
        for i, month in enumerate(("2026-07", "2026-08", "2026-09")):
            assert same(row[2 + i].value, excel_number(metric, monthly[(channel, metric, month)].value))
        assert same(row[5].value, excel_number(metric, pooled[(channel, metric)].value))
        assert row[6].value == pooled[(channel, metric)].n
        assert row[9].value == {"compliant": "Compliant", "at_risk": "At risk", "breached": "Breached",
                                "insufficient_history": "Insufficient history"}[rule[(channel, metric)].status]
        checked += 1
    assert checked == len(review.rows) > 40


def test_monthly_equals_the_api(review_book, sample_store):
    _, wb, _ = review_book
    rows = list(wb["Monthly"].iter_rows(min_row=2, values_only=True))
    api = kpis(sample_store, "month", date_from="2026-07", date_to="2026-09")
    assert len(rows) == len(api) == 3 * 7 * len(METRICS)
    for got, r in zip(rows, api):
        assert (got[2], got[4]) == (r.period, r.n)
        assert same(got[3], excel_number(r.metric, r.value)) and same(got[5], excel_number(r.metric, r.target))


def test_state_fills_and_number_formats(review_book):
    review, wb, _ = review_book
    ws = wb["Summary"]
    fills = {"met": "00DCE9F5", "met_within_tolerance": "00FDE9C8", "missed": "00F8D0C0", "no_data": "00E7E7E7"}
    formats = {"pct": "0.0%", "duration": "[h]:mm:ss", "count": "#,##0", "score": "0.00", "nps": "+0.0;-0.0;0.0"}
    seen_states = set()
    for r, row in zip(review.rows, ws.iter_rows(min_row=5)):
        for cell, state in zip(row[2:5], [c.state for c in r.months]):
            if state:
                assert cell.fill.fgColor.rgb == fills[state]
                seen_states.add(state)
            # The state's symbol is part of the number format, so the cell reads without colour, and stays a number.
            expected = formats[METRICS[r.metric].fmt]
            if state:
                icon = {"met": "✔", "met_within_tolerance": "±", "missed": "✖", "no_data": "–"}[state]
                expected = ";".join(f'"{icon} "{part}' for part in expected.split(";"))
            if state == "no_data":
                assert cell.value == "– No data"
            else:
                assert cell.number_format == expected and not isinstance(cell.value, str)
    assert {"met", "missed"} <= seen_states
    assert ws.freeze_panes == "C5"
    assert ws.column_dimensions["B"].width >= len("First-contact resolution")
    assert wb["Monthly"]["D2"].number_format in formats.values()


def test_trends_sheet_has_native_line_charts(review_book):
    _, wb, _ = review_book
    charts = wb["Trends"]._charts
    assert len(charts) == 2
    assert [c.tagname for c in charts] == ["lineChart", "lineChart"]


def test_definitions_and_coverage(review_book):
    review, wb, _ = review_book
    definitions = [r[0] for r in wb["Definitions"].iter_rows(min_row=2, values_only=True)]
    assert definitions[:len(METRICS)] == list(METRICS)
    assert any(r and r[3] == "abandons_against" and r[1] == 20 for r in
               wb["Definitions"].iter_rows(values_only=True) if r[0] == "Voice")
    coverage = list(wb["Data coverage"].iter_rows(min_row=2, max_row=3, values_only=True))
    assert coverage[0][1] == "contacts.csv"


def _fixture_store(store, tmp_path, queue='=HYPERLINK("http://x","y")'):
    rows = [["id", "channel", "queued_at", "status", "wait_seconds", "csat", "queue"]]
    months = [f"2023-{m:02d}" for m in range(4, 13)] + ["2024-01", "2024-02", "2024-03"]
    for month in months:
        late = month in ("2023-06", "2023-09", "2024-02")
        rows.append([f"v-{month}", "voice", f"{month}-10 10:00", "answered", 90 if late else 5, "", queue])
    for i, score in enumerate([5, 4, 4, 2, 1]):          # Q4 2023: 3 of 5 top-2 = 60%
        rows.append([f"cq4-{i}", "chat", f"2023-11-{10 + i} 10:00", "answered", 5, score, "Web"])
    for i, score in enumerate([5, 5, 4, 4, 3]):          # Q1 2024: 4 of 5 = 80%
        rows.append([f"cq1-{i}", "chat", f"2024-02-{10 + i} 10:00", "answered", 5, score, "Web"])
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    import_file(store, write(tmp_path / "fx.csv", text.getvalue()))


def test_findings_in_plain_language(store, tmp_path):
    _fixture_store(store, tmp_path)
    replace_targets(store, [Target("voice", "service_level", 80.0), Target("chat", "csat", 70.0)])
    review = quarterly_review(store, "2024Q1")
    assert review.findings[0] == ("Voice service level missed its target in February (0.0% against 80.0%). "
                                  "3 misses in the last 12 months: at risk.")
    assert "Chat CSAT improved 20.0 points on 2023Q4 (60.0% → 80.0%)." in review.findings


def test_formula_looking_queue_is_written_as_text(store, tmp_path):
    _fixture_store(store, tmp_path)
    path = tmp_path / "inj.xlsx"
    write_review_workbook(quarterly_review(store, "2024Q1"), path)
    ws = load_workbook(path)["By queue"]
    cells = [c for row in ws.iter_rows() for c in row if c.value == '=HYPERLINK("http://x","y")']
    assert cells and all(c.data_type == "s" for c in cells)
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in z.read(name).decode("utf-8"), name


def test_a_target_change_mid_quarter_shows_both_targets(store, tmp_path):
    _fixture_store(store, tmp_path)
    replace_targets(store, [Target("voice", "service_level", 80.0),
                            Target("voice", "service_level", 85.0, 0, "2024-02")])
    review = quarterly_review(store, "2024Q1")
    shown = [(t["target"], t["effective_from"], t["months"]) for t in review.targets if t["channel"] == "voice"]
    assert shown == [(80.0, None, ["2024-01"]), (85.0, "2024-02", ["2024-02", "2024-03"])]
    voice = next(r for r in review.rows if (r.channel, r.metric) == ("voice", "service_level"))
    assert [c.target for c in voice.months] == [80.0, 85.0, 85.0]
    path = tmp_path / "t.xlsx"
    write_review_workbook(review, path)
    ws = load_workbook(path)["Summary"]
    block = [r for r in ws.iter_rows(values_only=True) if r[0] == "Voice" and r[4] in ("always", "2024-02")]
    assert [(r[2], r[4], r[6]) for r in block] == [(0.8, "always", "January"), (0.85, "2024-02", "February, March")]


def test_a_quarter_without_data_says_so(store, tmp_path):
    _fixture_store(store, tmp_path)
    review = quarterly_review(store, "2019Q2")
    assert not review.has_data
    assert review.findings == ["No contacts in 2019Q2: there is nothing to review."]
    path = tmp_path / "empty.xlsx"
    write_review_workbook(review, path)
    assert load_workbook(path)["Summary"]["A5"].value.startswith("No data for 2019Q2")


def test_cli_report_workbook_and_csv(sample_db, tmp_path):
    env = {"CXMETRICS_READONLY": "1"}
    out = tmp_path / "q.xlsx"
    result = run_cli("report", "--quarter", "2026Q3", "--out", out, db=sample_db, env=env)
    assert result.returncode == 0, result.stderr
    assert load_workbook(out).sheetnames == list(SHEETS)
    csv_out = tmp_path / "q.csv"
    assert run_cli("report", "--quarter", "2026Q3", "--format", "csv", "--out", csv_out, db=sample_db,
                   env=env).returncode == 0
    lines = csv_out.read_text().splitlines()
    assert lines[0] == "channel,metric,month,value,n,target,state,rebuilt_from_percentages"
    assert len(lines) == 1 + 3 * 7 * len(METRICS)
    assert run_cli("report", "--quarter", "2026Q5", "--out", out, db=sample_db, env=env).returncode == 2
