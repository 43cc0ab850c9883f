"""Aggregated reports (spec §1b): hand-made fixtures at every grain, with figures worked out by hand, and the
public daily report read end to end."""
import pytest

from cxmetrics import AlreadyImported, ImportOptions, ImportRefused, Store, UsageError, delete_import, import_file
from cxmetrics.errors import PAGE
from cxmetrics.kpis import coarser_data, kpis
from cxmetrics.ingest import detect_kind, propose_mapping
from cxmetrics.schema import _AGGREGATED_HEADER_ALIASES

from .conftest import REALDATA, run_cli, write
from .conftest import tiles as drawn_tiles


def values(store, period="month", **kw):
    return {(r.period, r.channel, r.metric): (r.value, r.n) for r in kpis(store, period, **kw)}


# A Genesys-style daily queue report: counts, means in hh:mm:ss, SL as a percentage with its threshold in the header.
DAILY = ("Date,Queue,Offered,Answered,Abandoned,ASA,Avg Handle,Service Level 30 seconds\n"
         "2026-03-02,Billing,100,90,10,00:00:20,00:05:00,80.00%\n"
         "2026-03-02,Sales,50,45,5,00:00:40,00:04:00,60.00%\n"
         "2026-03-03,Billing,200,190,10,00:00:10,00:06:00,90.00%\n"
         "Total,,350,325,25,,,\n")


def test_a_new_channel_given_for_a_whole_report_is_reported(store, tmp_path):
    """--channel "Service desk" on a report without a channel column is a new channel (spec §2), rows counted;
    a standard channel given that way is not."""
    path = write(tmp_path / "daily.csv", DAILY)
    options = dict(kind="aggregated", percent_of="offered", skip_rows=[("Date", "Total")])
    report = import_file(store, path, ImportOptions(channel="Service desk", **options))
    assert report.new_channels == {"service_desk": 3}
    assert import_file(store, path, ImportOptions(channel="Phone", force=True, **options)).new_channels == {}


def test_daily_report_pools_counts_and_means_never_averaging_percentages(store, tmp_path):
    path = write(tmp_path / "daily.csv", DAILY)
    report = import_file(store, path, ImportOptions(kind="aggregated", channel="voice", percent_of="offered",
                                                    skip_rows=[("Date", "Total")]))
    assert (report.rows_read, report.rows_imported, report.rows_skipped) == (4, 3, 1)
    assert report.file["grain"] == "day"
    got = values(store)
    assert got[("2026-03", "voice", "volume")] == (350.0, 350)
    assert got[("2026-03", "voice", "handled")] == (325.0, 350)
    # ASA pooled as total wait ÷ answered: (20·90 + 40·45 + 10·190) / 325
    assert got[("2026-03", "voice", "asa")][0] == pytest.approx((20 * 90 + 40 * 45 + 10 * 190) / 325)
    assert got[("2026-03", "voice", "aht")][0] == pytest.approx((300 * 90 + 240 * 45 + 360 * 190) / 325)
    # within rebuilt as % × offered: 80 + 30 + 180 = 290 of 350 offered (no short abandons separated)
    assert got[("2026-03", "voice", "service_level")][0] == pytest.approx(100 * 290 / 350)
    assert got[("2026-03", "voice", "abandon_rate")][0] == pytest.approx(100 * 25 / 350)
    sl = next(r for r in kpis(store, "month", metrics=["service_level"]))
    assert sl.rebuilt and sl.reported_threshold == (30.0, 30.0)  # voice's setting is 20 s
    days = values(store, "day", metrics=["volume"])
    assert days == {("2026-03-02", "voice", "volume"): (150.0, 150), ("2026-03-03", "voice", "volume"): (200.0, 200)}
    queues = {r.group: r.value for r in kpis(store, "month", by="queue", metrics=["volume"])}
    assert queues == {"Billing": 300.0, "Sales": 50.0}
    assert any("short abandons are not separated" in str(w) for w in report.warnings)
    assert any("Service Level 30 seconds" in str(w) for w in report.warnings)
    assert coarser_data(store, "interval") == {"voice": "day"}  # a daily report has no half-hours
    assert coarser_data(store, "day") == {}


# Row 2 gives no within-count: it says nothing about service level, so none of its 40 contacts is on either side
# (its 10 abandons included); row 3 separates 2 short abandons.
PARTIAL_SL = ("Date,Offered,Answered,Abandoned,Short abandoned,Answered within 20 s,Abandoned within 20 s\n"
              "2026-01-05,100,90,10,0,70,4\n"
              "2026-01-07,40,30,10,0,,3\n"
              "2026-01-08,50,40,10,2,30,5\n")


@pytest.mark.parametrize("formula, expected", [
    ("abandons_against", (70 + 30) / ((100 - 0) + (50 - 2))),   # within ÷ (offered − short), rows 1 and 3
    ("abandons_ignored", (70 + 30) / (90 + 40)),                # within ÷ answered
    ("abandons_within_met", (70 + 4 + 30 + 5) / (100 + 50)),    # (answered + abandoned within) ÷ offered
])
def test_a_row_without_within_counts_is_on_neither_side_of_service_level(store, tmp_path, formula, expected):
    from cxmetrics.config import set_channel

    set_channel(store, "voice", sl_formula=formula)
    import_file(store, write(tmp_path / "partial.csv", PARTIAL_SL), ImportOptions(kind="aggregated", channel="voice"))
    value, n = values(store, metrics=["service_level"])[("2026-01", "voice", "service_level")]
    assert value == pytest.approx(100 * expected)
    days = values(store, "day", metrics=["service_level"])
    assert days[("2026-01-07", "voice", "service_level")][0] is None  # that day alone: not measured
    assert values(store, metrics=["abandon_rate"])[("2026-01", "voice", "abandon_rate")][0] == pytest.approx(
        100 * (30 - 2) / (190 - 2))  # the row still counts for abandonment (short abandons out of both sides)


INTERVALS = ("Interval Start,Channel,Contacts queued,Contacts handled,Contacts abandoned,"
             "Contacts answered in 20 seconds,Average queue answer time,Average handle time\n"
             "2026-03-02 09:00,VOICE,10,8,2,6,15,200\n"
             "2026-03-02 09:30,VOICE,20,20,0,10,30,100\n"
             "2026-03-02 09:00,CHAT,4,4,0,4,5,600\n"
             "2026-03-02 09:30,VOICE,20,20,0,10,30,100\n")  # identical to the row above: counted once


def test_interval_report_amazon_connect_headers_duplicates_and_heatmap(store, tmp_path):
    path = write(tmp_path / "intervals.csv", INTERVALS)
    assert detect_kind(INTERVALS.splitlines()[0].split(",")) == "aggregated"
    report = import_file(store, path, ImportOptions(kind="aggregated"))
    assert report.file["grain"] == "interval"
    assert report.duplicate_rows == [[5, 3]] and report.rows_imported == 3 and report.rows_skipped == 1
    got = values(store, "interval", channels=["voice"])
    assert got[("2026-03-02T09:00", "voice", "service_level")][0] == pytest.approx(100 * 6 / 10)
    assert got[("2026-03-02T09:30", "voice", "volume")] == (20.0, 20)
    day = values(store, "day", channels=["voice"])
    assert day[("2026-03-02", "voice", "service_level")][0] == pytest.approx(100 * 16 / 30)
    assert day[("2026-03-02", "voice", "asa")][0] == pytest.approx((15 * 8 + 30 * 20) / 28)
    heat = values(store, "weekday_interval", channels=["chat"])
    assert heat[("1 09:00", "chat", "volume")] == (4.0, 4)  # 2026-03-02 is a Monday
    sl = next(r for r in kpis(store, "day", channels=["voice"], metrics=["service_level"]))
    assert not sl.rebuilt and sl.reported_threshold is None  # 20 s in the header = voice's setting


HOURLY = ("Interval,Channel,Offered,Answered,Abandoned\n"
          "2026-03-02 09:00,voice,100,90,10\n"
          "2026-03-02 10:00,voice,60,60,0\n"
          "2026-03-02 11:00,voice,0,0,0\n")


def test_an_hourly_report_fills_both_half_hours_of_each_hour_evenly(store, tmp_path):
    """Each 60-minute row is spread over its two half-hours (contacts assumed to arrive evenly, as a planner splits an
    hourly figure): the heatmap and staffing see 50 + 50, not 100 + 0; days and months are unchanged."""
    path = write(tmp_path / "hourly.csv", HOURLY)
    report = import_file(store, path, ImportOptions(kind="aggregated", interval_minutes=60))
    assert report.file["grain"] == "interval" and not any("minutes apart" in str(w) for w in report.warnings)
    got = values(store, "interval", metrics=["volume", "handled", "abandon_rate"])
    assert [(p, got[(p, "voice", "volume")]) for p in ("2026-03-02T09:00", "2026-03-02T09:30", "2026-03-02T10:00",
                                                     "2026-03-02T10:30")] == [
        ("2026-03-02T09:00", (50.0, 50)), ("2026-03-02T09:30", (50.0, 50)), ("2026-03-02T10:00", (30.0, 30)),
        ("2026-03-02T10:30", (30.0, 30))]
    assert got[("2026-03-02T09:30", "voice", "handled")][0] == 45.0
    assert got[("2026-03-02T09:30", "voice", "abandon_rate")][0] == pytest.approx(10.0)   # 5 of 50, as the hour
    assert values(store, "day")[("2026-03-02", "voice", "volume")] == (160.0, 160)
    assert store.scalar("SELECT DISTINCT interval_minutes FROM aggregated_rows") == 60


def test_an_hourly_report_read_as_half_hours_is_imported_with_a_warning_naming_the_length(store, tmp_path):
    path = write(tmp_path / "hourly.csv", HOURLY)
    report = import_file(store, path, ImportOptions(kind="aggregated"))   # --interval-minutes defaults to 30
    warning = next(str(w) for w in report.warnings if "minutes apart" in str(w))
    assert "start 60 minutes apart (rows 2 and 3)" in warning and "read as 30 minutes long" in warning
    assert "with --interval-minutes N" in warning
    got = values(store, "interval", metrics=["volume"])
    assert got[("2026-03-02T09:00", "voice", "volume")] == (100.0, 100)
    assert ("2026-03-02T09:30", "voice", "volume") not in got


QUARTERS = ("Interval,Queue,Offered,Answered\n"
            "2026-03-02 09:00,Billing,10,9\n"
            "2026-03-02 09:00,Sales,4,4\n"
            "2026-03-02 09:15,Billing,6,6\n"
            "2026-03-02 09:30,Billing,8,8\n")


def test_rows_closer_than_the_interval_length_are_refused_naming_both_rows_and_the_length(store, tmp_path):
    """Quarter-hour rows read as half-hours would overlap: refused in the interface's words, nothing stored; with
    --interval-minutes 15 they import, and the two quarters of 09:00 pool into its half-hour."""
    path = write(tmp_path / "quarters.csv", QUARTERS)
    with pytest.raises(ImportRefused) as err:
        import_file(store, path, ImportOptions(kind="aggregated", channel="voice"))
    message = str(err.value)
    assert "rows 2 and 4 start 15 minutes apart (2026-03-02 09:00 and 2026-03-02 09:15)" in message
    assert "read as 30 minutes long" in message and "15 minutes, with --interval-minutes N" in message
    assert [(p.row, p.column, p.value) for p in err.value.problems] == [(4, "period_start", "2026-03-02 09:15")]
    assert store.scalar("SELECT count(*) FROM aggregated_rows") == 0 and store.scalar("SELECT count(*) FROM imports") == 0
    assert "15 minutes, in 'Interval length (minutes)'" in err.value.text_for(PAGE)   # the Upload page's field
    cli = run_cli("import", path, "--kind", "aggregated", "--channel", "voice", db=tmp_path / "cli.duckdb")
    assert cli.returncode == 3 and "15 minutes, with --interval-minutes N" in cli.stderr
    import_file(store, path, ImportOptions(kind="aggregated", channel="voice", interval_minutes=15))
    got = values(store, "interval", metrics=["volume"])
    assert got[("2026-03-02T09:00", "voice", "volume")] == (20.0, 20)   # 10 + 4 + 6: both quarters, both queues
    assert got[("2026-03-02T09:30", "voice", "volume")] == (8.0, 8)


MONTHLY = ("Mes;Поступило;Принято;Потеряно;Среднее время ожидания;Уровень обслуживания\n"
           "март 2026;1 000;900;100;25;0,85\n"
           "Apr-26;800;780;20;10;0,9\n"
           "2026-05;600;600;0;5;1\n")


def test_monthly_report_russian_headers_month_names_fractions(store, tmp_path):
    path = write(tmp_path / "monthly.csv", MONTHLY, encoding="cp1251")
    report = import_file(store, path, ImportOptions(kind="aggregated", channel="Телефон", percent_of="answered"))
    assert report.file["grain"] == "month"
    assert set(report.mapping) >= {"period_start", "offered", "answered", "abandoned", "asa", "service_level_pct"}
    got = values(store)
    assert got[("2026-03", "voice", "volume")] == (1000.0, 1000)
    # 0,85 is a fraction (every value ≤ 1): 85 % of 900 answered = 765 within; abandons_against: ÷ offered
    assert got[("2026-03", "voice", "service_level")][0] == pytest.approx(100 * 765 / 1000)
    assert got[("2026-04", "voice", "service_level")][0] == pytest.approx(100 * 702 / 800)
    assert got[("2026-05", "voice", "abandon_rate")] == (0.0, 600)
    assert values(store, "day") == {}  # a monthly report has no days
    assert values(store, "week") == {}
    assert coarser_data(store, "day") == {"voice": "month"}
    assert values(store, "quarter", metrics=["volume"]) == {("2026Q1", "voice", "volume"): (1000.0, 1000),
                                                            ("2026Q2", "voice", "volume"): (1400.0, 1400)}
    fcr = values(store, metrics=["fcr", "churn_rate"])
    assert fcr[("2026-03", "voice", "fcr")] == (None, 0) and fcr[("2026-03", "voice", "churn_rate")] == (None, 0)


def test_status_rows_elapsed_wait_and_talk_parts(store, tmp_path):
    path = write(tmp_path / "status.csv",
                 "Day,Calls,Result,Total elapsed time,Talk time,Hold time\n"
                 "2026-03-02,30,Answered,3600,3000,300\n"     # wait = elapsed − (talk + hold) = 300 s over 30
                 "2026-03-02,5,Missed,,,\n"
                 "2026-03-02,2,IVR,,,\n")
    report = import_file(store, path, ImportOptions(kind="aggregated", channel="voice", mapping={
        "offered": ["Calls"], "status": ["Result"]}, status_map={"IVR": "skip"}))
    assert (report.rows_imported, report.rows_skipped) == (2, 1)
    got = values(store)
    assert got[("2026-03", "voice", "volume")] == (35.0, 35)
    assert got[("2026-03", "voice", "handled")] == (30.0, 35)
    assert got[("2026-03", "voice", "aht")][0] == pytest.approx(3300 / 30)
    assert got[("2026-03", "voice", "asa")][0] == pytest.approx(300 / 30)
    assert got[("2026-03", "voice", "service_level")] == (None, 0)  # no within-count, no percentage: not measured


def test_weekly_grain_is_detected_and_pooled_into_months_by_start(store, tmp_path):
    path = write(tmp_path / "weekly.csv", "Week,Offered,Answered,Abandoned\n2026-03-02,70,63,7\n2026-03-09,35,35,0\n"
                                          "2026-03-30,14,12,2\n")
    report = import_file(store, path, ImportOptions(kind="aggregated", channel="chat"))
    assert report.file["grain"] == "week"
    assert values(store, metrics=["volume"]) == {("2026-03", "chat", "volume"): (119.0, 119)}
    assert values(store, "week", metrics=["volume"])[("2026-W14", "chat", "volume")] == (14.0, 14)
    assert values(store, "day", metrics=["volume"]) == {}


def test_bad_values_name_row_column_and_value_and_leave_the_store_unchanged(store, tmp_path):
    before = store.table_counts()
    path = write(tmp_path / "bad.csv", "Date,Offered,Answered,Abandoned,Service level\n"
                                       "2026-03-02,10,12,0,80%\n"
                                       "2026-03-03,ten,5,0,80%\n"
                                       "2026-03-04,10,5,-1,180%\n")
    with pytest.raises(ImportRefused) as err:
        import_file(store, path, ImportOptions(kind="aggregated", channel="voice", percent_of="offered"))
    found = {(p.row, p.column, p.value, str(p.reason)) for p in err.value.problems}
    assert (2, "Answered", "12", "more answered than offered") in found
    assert (3, "Offered", "ten", "not a number") in found
    assert (4, "Abandoned", "-1", "abandoned cannot be negative") in found
    assert (4, "Service level", "180%", "a percentage must be from 0 to 100") in found
    assert store.table_counts() == before


def test_percentage_without_a_base_is_refused_in_the_interface_s_words(store, tmp_path):
    path = write(tmp_path / "pct.csv", "Date,Offered,Answered,Abandoned,SL %\n2026-03-02,10,9,1,80\n")
    with pytest.raises(ImportRefused, match="with --percent-of offered|answered"):
        import_file(store, path, ImportOptions(kind="aggregated", channel="voice"))
    out = run_cli("import", str(path), "--kind", "aggregated", "--channel", "voice", db=tmp_path / "cli.duckdb")
    assert out.returncode == 3 and "--percent-of offered|answered" in out.stderr


def test_overlap_with_contacts_is_refused_both_ways_unless_allowed(store, tmp_path):
    contacts = write(tmp_path / "contacts.csv", "id,channel,queued_at,status\nc1,voice,2026-03-02 10:00,answered\n")
    import_file(store, contacts)
    report = write(tmp_path / "daily.csv", DAILY)
    options = ImportOptions(kind="aggregated", channel="voice", percent_of="offered", skip_rows=[("Date", "Total")])
    before = store.table_counts()
    with pytest.raises(ImportRefused, match="voice on 2026-03-02") as err:
        import_file(store, report, options)
    assert "--allow-overlap" in str(err.value)
    assert store.table_counts() == before
    options.allow_overlap = True
    import_file(store, report, options)
    assert values(store, metrics=["volume"])[("2026-03", "voice", "volume")] == (351.0, 351)
    more = write(tmp_path / "more.csv", "id,channel,queued_at,status\nc2,voice,2026-03-03 10:00,answered\n")
    with pytest.raises(ImportRefused, match="aggregated report rows for voice on 2026-03-03"):
        import_file(store, more)


def test_undo_and_reimport_of_the_same_periods(store, tmp_path):
    path = write(tmp_path / "daily.csv", DAILY)
    options = ImportOptions(kind="aggregated", channel="voice", percent_of="offered", skip_rows=[("Date", "Total")])
    first = import_file(store, path, options)
    again = write(tmp_path / "daily_again.csv", DAILY.replace("100,90,10", "101,91,10"))
    with pytest.raises(ImportRefused) as err:
        import_file(store, again, options)
    assert (f"already holds report rows for the same periods: voice 2026-03-02 00:00 (import #{first.import_id}), "
            in str(err.value))
    assert f"If this report replaces them, remove that import first with `imports delete {first.import_id}`." \
        in str(err.value)
    assert err.value.problems[0].column == "Date"  # the file's own column
    with pytest.raises(AlreadyImported) as same:  # the very same file: a report's rows replace nothing
        import_file(store, path, options)
    assert f"to import it again, remove that import first with `imports delete {first.import_id}`." in str(same.value)
    assert "--force" not in str(same.value)
    delete_import(store, first.import_id)
    assert values(store) == {} and not store.scalar("SELECT count(*) FROM measures_day")
    import_file(store, again, options)
    assert values(store, metrics=["volume"])[("2026-03", "voice", "volume")] == (351.0, 351)


def test_every_page_is_shown_on_a_monthly_report_only_store_elsewhere():
    """tests/test_shapes.py runs every page on shapes.monthly_report (a store holding only a monthly report)."""
    from . import shapes
    assert "monthly_report" in shapes.SHAPES


needs_realdata = pytest.mark.skipif(not (REALDATA / "call_center_daily_2020-2023.csv").exists(),
                                    reason="../shared/realdata/call_center_daily_2020-2023.csv is not on this machine")


@needs_realdata
def test_public_daily_report_end_to_end_through_the_cli(tmp_path):
    """The public daily report holds only averages and percentages: its SL is a share of answered calls (on 27 days
    it is above the answer rate, impossible for a share of offered), so `--percent-of offered` refuses 11 rows whose
    rebuilt within-count would exceed the answered calls, and `--percent-of answered` imports all 1,251 days."""
    import csv
    db = tmp_path / "daily.duckdb"
    source = REALDATA / "call_center_daily_2020-2023.csv"
    wrong = run_cli("import", str(source), "--kind", "aggregated", "--channel", "voice", "--percent-of", "offered",
                    db=db)
    assert wrong.returncode == 3 and "11 of 1251 rows are invalid" in wrong.stderr
    out = run_cli("import", str(source), "--kind", "aggregated", "--channel", "voice", "--percent-of", "answered",
                  "--json", db=db)
    assert out.returncode == 0, out.stderr
    kpi = run_cli("kpis", "--channel", "voice", "--from", "2020-01", "--to", "2020-01", "--notes", db=db)
    rows = {r["metric"]: r for r in csv.DictReader(kpi.stdout.splitlines())}
    with open(source, encoding="utf-8") as fh:
        days = [r for r in csv.DictReader(fh) if r["Fecha"].startswith("2020-01")]
    offered = sum(int(r["Incoming Calls"]) for r in days)
    answered = sum(int(r["Answered Calls"]) for r in days)
    within = sum(float(r["Service Level (20 Seconds)"]) * int(r["Answered Calls"]) for r in days)
    asa = sum(float(r["Answer Speed (AVG)"]) * int(r["Answered Calls"]) for r in days) / answered
    aht = sum(float(r["Talk Duration (AVG)"]) * int(r["Answered Calls"]) for r in days) / answered
    assert float(rows["volume"]["value"]) == offered == 5805
    assert float(rows["service_level"]["value"]) == pytest.approx(100 * within / offered)
    assert rows["service_level"]["rebuilt_from_percentages"] == "True"
    assert float(rows["asa"]["value"]) == pytest.approx(asa)
    assert float(rows["aht"]["value"]) == pytest.approx(aht)
    assert rows["fcr"]["value"] == "" and rows["churn_rate"]["value"] == ""
    table = run_cli("kpis", "--channel", "voice", "--from", "2020-01", "--to", "2020-01", "--metric", "service_level",
                    "--metric", "asa", "--format", "table", db=db).stdout
    sl_line = next(line for line in table.splitlines() if "service_level" in line)
    assert f"≈ {100 * within / offered:.1f}%" in sl_line  # people read the mark without asking for --notes
    assert "≈" not in next(line for line in table.splitlines() if " asa " in line)
    store = Store(db)
    assert store.scalar("SELECT count(*) FROM aggregated_rows") == 1251
    assert store.scalar("SELECT sum(offered) FROM measures_day") == sum(
        int(r["Incoming Calls"]) for r in csv.DictReader(open(source, encoding="utf-8")))
    store.close()


def test_unknown_skip_rows_column_is_a_usage_error(store, tmp_path):
    path = write(tmp_path / "daily.csv", DAILY)
    with pytest.raises(UsageError, match="no column 'Datum'"):
        import_file(store, path, ImportOptions(kind="aggregated", channel="voice", percent_of="offered",
                                               skip_rows=[("Datum", "Total")]))


def test_skip_rows_works_for_contact_exports_too(store, tmp_path):
    path = write(tmp_path / "c.csv", "id,channel,queued_at,status,agent\nc1,voice,2026-03-02 10:00,answered,A\n"
                                     "c2,voice,2026-03-02 10:05,answered,INTERNAL\n")
    report = import_file(store, path, ImportOptions(skip_rows=[("agent", "internal")]))
    assert (report.rows_imported, report.rows_skipped) == (1, 1)



def test_upload_page_recognises_a_report_previews_pooled_rows_and_imports_it(tmp_path, monkeypatch):
    from .test_app import _app, _open
    db = tmp_path / "page.duckdb"
    at = _open(_app(db, monkeypatch), "pages/upload.py")
    at.file_uploader[0].set_value(("daily.csv", DAILY.encode(), "text/csv")).run()
    assert not at.exception
    kind = next(r for r in at.radio if r.label == "Kind")
    assert kind.value == "aggregated"
    assert any("looks like an aggregated report" in i.value for i in at.info)
    assert any("in 'Channel for every row'" in e.value for e in at.error)  # in the page's own words
    next(s for s in at.selectbox if s.label == "Channel for every row").set_value("voice").run()
    # service level is only a percentage: the page asks for its base
    assert any("in 'Service level % is a share of'" in e.value for e in at.error)
    next(s for s in at.selectbox if s.label == "Service level % is a share of").set_value("offered").run()
    next(t for t in at.text_input if t.label == "Leave out rows where").set_value("Date = Total").run()
    assert not at.error
    preview = next(d.value for d in at.dataframe if "Outcome" in d.value.columns)
    assert list(preview["Outcome"]) == ["ok", "ok", "ok", "skipped"]
    assert list(preview["Offered"][:3]) == [100.0, 50.0, 200.0]
    assert preview["Wait time (total)"][0] == pytest.approx(20 * 90)   # ASA × answered, as it will be pooled
    assert any("Each row is one day" in c.value for c in at.caption)
    next(b for b in at.button if b.label == "Import daily.csv").click().run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric} == {"Read": "4", "Imported": "3", "Replaced": "0", "Skipped": "1",
                                                     "Rejected": "0"}
    overview = _open(_app(db, monkeypatch), "pages/overview.py")
    assert not overview.exception
    tiles = {t["label"]: t["value"] for t in drawn_tiles(overview)}
    assert tiles["Service level"] == "≈ 82.9%"   # 290 of 350, rebuilt from the report's percentages


def test_a_total_line_at_the_end_of_a_report_is_left_out_and_plain_total_headers_are_read(store, tmp_path):
    """The Total line needs no --skip-rows; "Total wait" and "Total handle" are totals; a narrow no-break space
    (U+202F) separates thousands as an ordinary one does."""
    path = write(tmp_path / "t.csv", "Date,Offered,Answered,Abandoned,Answered within 20 s,Total wait,Total handle\n"
                                     "2026-01-05,1\u202f000,900,100,700,18000,270000\n"
                                     "2026-01-06,60,50,10,40,1000,15000\n"
                                     "Total,1\u202f060,950,110,740,19000,285000\n")
    report = import_file(store, path, ImportOptions(kind="aggregated", channel="voice"))
    assert (report.rows_imported, report.rows_skipped) == (2, 1)
    assert any("row 4: a summary row ('Total')" in str(w) for w in report.warnings)
    got = values(store)
    assert got[("2026-01", "voice", "volume")] == (1060.0, 1060)
    assert got[("2026-01", "voice", "asa")][0] == pytest.approx(19000 / 950)
    assert got[("2026-01", "voice", "aht")][0] == pytest.approx(285000 / 950)


MONTHLY_VOICE = "Month,Offered,Answered,Abandoned,Answered within 20 s\nJanuary 2026,1000,900,100,700\n"
DAILY_VOICE = "Date,Offered,Answered,Abandoned,Answered within 20 s\n2026-01-05,100,90,10,70\n2026-01-06,60,50,10,40\n"
DAILY_BILLING = "Date,Queue,Offered,Answered,Abandoned,Answered within 20 s\n2026-01-05,Billing,10,9,1,7\n"


def test_a_report_over_another_report_s_days_is_refused_unless_allowed(store, tmp_path):
    """A daily report beside the monthly one (or a queue's beside all queues') counts the same contacts twice;
    another source's report adds up."""
    options = ImportOptions(kind="aggregated", channel="voice")
    monthly = import_file(store, write(tmp_path / "m.csv", MONTHLY_VOICE), options)
    before = values(store)
    for name, text, days in (("d.csv", DAILY_VOICE, "2026-01-05, 2026-01-06"), ("q.csv", DAILY_BILLING, "2026-01-05")):
        with pytest.raises(ImportRefused) as err:
            import_file(store, write(tmp_path / name, text), options)
        assert (f"the store already holds another report's rows (import #{monthly.import_id}) for voice on {days}. "
                "Both would count the same contacts twice" in str(err.value))
        assert values(store) == before  # nothing landed
    import_file(store, write(tmp_path / "site2.csv", DAILY_VOICE), ImportOptions(kind="aggregated", channel="voice",
                                                                                 source="site2"))
    assert values(store, metrics=["volume"])[("2026-01", "voice", "volume")] == (1160.0, 1160)
    import_file(store, write(tmp_path / "q.csv", DAILY_BILLING), ImportOptions(kind="aggregated", channel="voice",
                                                                               allow_overlap=True))
    assert values(store, metrics=["volume"])[("2026-01", "voice", "volume")] == (1170.0, 1170)


def test_reports_of_different_queues_add_up(store, tmp_path):
    options = ImportOptions(kind="aggregated", channel="voice")
    import_file(store, write(tmp_path / "b.csv", DAILY_BILLING), options)
    import_file(store, write(tmp_path / "s.csv", DAILY_BILLING.replace("Billing,10,9,1,7", "Sales,20,18,2,9")), options)
    assert values(store, metrics=["volume"])[("2026-01", "voice", "volume")] == (30.0, 30)


def test_a_rebuilt_service_level_above_answered_names_its_percentage_and_the_share_option(store, tmp_path):
    path = write(tmp_path / "c.csv", "Queue,Interval,Contacts queued,Contacts handled,Contacts abandoned,"
                                     "Service level 60 seconds\n"
                                     "Sales,2026-01-05T09:00:00.000Z,60,58,2,50.00%\n"
                                     "Sales,2026-01-05T09:30:00.000Z,60,50,8,90.00%\n")  # 0.9 × 60 = 54 > 50
    with pytest.raises(ImportRefused) as err:
        import_file(store, path, ImportOptions(kind="aggregated", channel="voice", percent_of="offered"))
    (problem,) = err.value.problems
    assert (problem.row, problem.column, problem.value) == (3, "Service level 60 seconds", "90.00%")
    assert ("if the report's percentage is a share of answered, say so with --percent-of offered|answered"
            in str(err.value))
    import_file(store, path, ImportOptions(kind="aggregated", channel="voice", percent_of="answered"))
    assert values(store, metrics=["service_level"])[("2026-01", "voice", "service_level")][0] == pytest.approx(
        100 * (0.5 * 58 + 0.9 * 50) / (60 + 60))  # within rebuilt on answered ÷ offered (no short abandons)


@pytest.mark.parametrize("header", ["Abandon Rate", "Abandoned %"])  # "Abandoned %" is a rate, not the count
def test_abandoned_rebuilt_from_an_abandon_rate_is_marked_as_the_rate_is(store, tmp_path, header):
    path = write(tmp_path / "r.csv", f"Date,Offered,Answered,{header}\n2026-01-05,100,80,20%\n2026-01-06,60,51,10%\n")
    import_file(store, path, ImportOptions(kind="aggregated", channel="voice"))
    rows = {r.metric: r for r in kpis(store, "month", metrics=["abandoned", "abandon_rate", "volume"])}
    assert rows["abandoned"].value == pytest.approx(20 + 6) and rows["abandoned"].rebuilt
    assert rows["abandon_rate"].value == pytest.approx(100 * 26 / 160) and rows["abandon_rate"].rebuilt
    assert not rows["volume"].rebuilt


@pytest.mark.parametrize("field, alias", [(field, alias) for field, aliases in _AGGREGATED_HEADER_ALIASES.items()
                                          for alias in aliases])
def test_every_aggregated_header_alias_maps_its_field_alone(field, alias):
    """Each alias of the aggregated table proposes its own field, and no other field's alias shadows it."""
    assert propose_mapping([alias], "aggregated") == {field: [alias]}


def test_kpis_by_day_on_a_monthly_report_says_why_it_prints_no_rows(tmp_path):
    db = tmp_path / "m.duckdb"
    path = write(tmp_path / "m.csv", MONTHLY_VOICE)
    assert run_cli("import", path, "--kind", "aggregated", "--channel", "voice", db=db).returncode == 0
    by_day = run_cli("kpis", "--period", "day", db=db)
    assert by_day.returncode == 0 and by_day.stdout.strip() == "period,channel,metric,value,n,target,state"
    assert "note: voice holds monthly report rows here, so it has no day figures" in by_day.stderr
    by_month = run_cli("kpis", "--metric", "volume", db=db)
    assert "2026-01,voice,volume,1000,1000,," in by_month.stdout and "note:" not in by_month.stderr


@pytest.mark.parametrize("months, total", [(("февраль 2026", "март 2026"), "Итого"), (("2026-02", "2026-03"), "Total")])
def test_a_monthly_report_with_a_total_row_reads_its_months(store, tmp_path, months, total):
    """The Total row at the end is left out before the period column is judged: the months are still months (the
    Total row used to make every month row "not a date")."""
    text = f"Месяц;Канал;Поступило;Принято;Потеряно\n{months[0]};Чат;250;240;10\n{months[1]};Чат;200;190;10\n" \
           f"{total};;450;430;20\n"
    report = import_file(store, write(tmp_path / "m.csv", text), ImportOptions(kind="aggregated"))
    assert (report.rows_imported, report.rows_skipped, report.rows_rejected) == (2, 1, 0)
    got = values(store, metrics=["volume", "abandon_rate"])
    assert got == {("2026-02", "chat", "volume"): (250, 250), ("2026-02", "chat", "abandon_rate"): (100 * 10 / 250, 250),
                   ("2026-03", "chat", "volume"): (200, 200), ("2026-03", "chat", "abandon_rate"): (100 * 10 / 200, 200)}


def test_a_report_imported_as_contacts_is_refused_with_the_kind_to_give(store, tmp_path):
    """Without --kind the CLI reads contacts; a per-month report then has no contact time, and the refusal says the
    file looks like an aggregated report and which flag (or page control) imports it as one."""
    text = "Месяц;Канал;Поступило;Принято;Потеряно\nфевраль 2026;Чат;250;240;10\nмарт 2026;Чат;200;190;10\n"
    path = write(tmp_path / "r.csv", text)
    with pytest.raises(ImportRefused) as refused:
        import_file(store, path)
    assert refused.value.text_for("cli").endswith(
        "The file looks like an aggregated report (counts per period, no contact id): import it as one with --kind "
        "aggregated")
    assert "with 'Kind'" in refused.value.text_for(PAGE)
    assert import_file(store, path, ImportOptions(kind="aggregated")).rows_imported == 2


def test_a_daily_report_imported_as_contacts_is_refused_with_the_kind_to_give(store, tmp_path):
    """A daily report's "Date" gives a contact time, so it fails later: on its missing channel, then on its counts
    read as yes/no flags. Both refusals say it looks like an aggregated report and name the flag; a real contact
    log's refusal does not."""
    path = write(tmp_path / "d.csv", DAILY)
    hint = "The file looks like an aggregated report (counts per period, no contact id): import it as one with " \
           "--kind aggregated."
    with pytest.raises(ImportRefused) as refused:
        import_file(store, path)
    assert refused.value.text_for("cli").endswith(hint)
    with pytest.raises(ImportRefused) as refused:
        import_file(store, path, ImportOptions(channel="voice"))
    assert hint in refused.value.text_for("cli") and "with 'Kind'" in refused.value.text_for(PAGE)
    assert {(p.row, p.column) for p in refused.value.problems} >= {(2, "Answered"), (2, "Abandoned")}
    contacts = write(tmp_path / "c.csv", "id,queued_at,answered\n1,2026-03-02 09:00,maybe\n")
    with pytest.raises(ImportRefused) as refused:
        import_file(store, contacts, ImportOptions(channel="voice"))
    assert "aggregated" not in refused.value.text_for("cli")


def test_rebuilt_figures_carry_their_mark_on_compliance_and_the_quarterly_review(store, tmp_path):
    """Spec §1b: a figure rebuilt from percentages is marked wherever it shows. Service level of March from DAILY:
    80 % of 100 + 60 % of 50 + 90 % of 200 = 290 within, of 350 offered = 82.9 %; ASA is given as a time, so not
    rebuilt and not marked."""
    from cxmetrics.views import compliance_view, review_page

    import_file(store, write(tmp_path / "daily.csv", DAILY),
                ImportOptions(kind="aggregated", channel="voice", percent_of="offered", skip_rows=[("Date", "Total")]))
    grid = compliance_view(store, "2026-03").grid.set_index(["Channel", "Metric"])
    assert grid.loc[("Voice", "Service level"), "2026-03"].endswith("≈ 82.9%")
    assert "≈" not in grid.loc[("Voice", "ASA"), "2026-03"]
    assert compliance_view(store, "2026-03").marks_note.startswith("≈ rebuilt from the percentages")
    table = review_page(store, "2026Q1").table.set_index(["Channel", "Metric"])
    assert table.loc[("Voice", "Service level"), "March"].endswith("≈ 82.9%")
    assert table.loc[("Voice", "Service level"), "Quarter"].endswith("≈ 82.9%")
    assert "≈" not in table.loc[("Voice", "Average speed of answer"), "Quarter"]
