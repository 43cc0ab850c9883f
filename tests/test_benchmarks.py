"""Industry benchmarks (issue 16 §3): stored as data with source, year and scope; CSV import and export; the second
labelled line on the trend charts; the Benchmark column of the quarterly workbook's Summary. Never a target."""
import csv
import io

import pytest
from openpyxl import load_workbook

from cxmetrics import Store
from cxmetrics.benchmarks import (BENCHMARK_HEADER, Benchmark, BenchmarkBook, benchmark_for, export_benchmarks_csv,
                                  import_benchmarks_csv, import_benchmarks_text, list_benchmarks, replace_benchmarks,
                                  shipped_benchmarks)
from cxmetrics.charts import BENCHMARK_COLOUR, BENCHMARK_DASH, TARGET_DASH, trend_chart
from cxmetrics.display import duration_ticks
from cxmetrics.errors import ImportRefused
from cxmetrics.review import quarterly_review
from cxmetrics.storage import SHIPPED_BENCHMARKS
from cxmetrics.views import benchmarks_frame, channel_detail, overview
from cxmetrics.workbook import write_review_workbook

from .conftest import open_page, write

HEADER = ",".join(BENCHMARK_HEADER)
PEERS = (HEADER + "\n"
         "*,fcr,72.5,Nordic utilities peer group,2025,\"Five Nordic utilities, all channels, 2025 H1; \"\"resolved\"\" "
         "by post-contact survey\"\n"
         "chat,asa,41,Peer group,2024,'-chat only: wait to first agent reply\n"
         "voice,fcr,68,Peer group,2024,Voice only – Umlaut ü and кириллица\n"
         "voice,nps,-12,Peer group,2024,'=not a formula\n")


# -- the shipped set ------------------------------------------------------------------------------------------------
def test_the_shipped_set_is_attributed_and_seeds_a_new_store(store):
    shipped = shipped_benchmarks()
    assert [(b.channel, b.metric, b.value, b.source, b.year) for b in shipped] == [
        ("voice", "fcr", 70.0, "SQM Group", 2022), ("voice", "abandon_rate", 9.1, "ContactBabel", 2023),
        ("voice", "asa", 120.0, "ContactBabel", 2023), ("chat", "asa", 35.0, "Comm100", 2021)]
    assert all(len(b.scope) > 60 for b in shipped)  # each says what it covers and means
    assert sorted(list_benchmarks(store), key=repr) == sorted(shipped, key=repr)
    assert "benchmarks" in store.table_counts()


def test_an_existing_store_gets_the_table_and_the_seed_on_upgrade(tmp_path):
    db = tmp_path / "old.duckdb"
    from cxmetrics.storage import MIGRATIONS, _seed_benchmarks

    store = Store(db)
    version = next(number for number, steps in enumerate(MIGRATIONS, 1) if _seed_benchmarks in steps)
    store.execute("DROP TABLE benchmarks")  # as a store made before the migration
    store.execute("DELETE FROM schema_version WHERE version >= ?", [version])
    store.close()
    store = Store(db)
    assert store.schema_version() == len(MIGRATIONS)
    assert sorted(list_benchmarks(store), key=repr) == sorted(shipped_benchmarks(), key=repr)
    store.close()


# -- import and export ----------------------------------------------------------------------------------------------
def test_import_export_round_trip_is_exact(store, tmp_path):
    path = write(tmp_path / "peers.csv", PEERS)
    assert import_benchmarks_csv(store, path) == 4
    assert list_benchmarks(store) == [
        Benchmark("*", "fcr", 72.5, "Nordic utilities peer group", 2025,
                  'Five Nordic utilities, all channels, 2025 H1; "resolved" by post-contact survey'),
        Benchmark("chat", "asa", 41.0, "Peer group", 2024, "-chat only: wait to first agent reply"),
        Benchmark("voice", "fcr", 68.0, "Peer group", 2024, "Voice only – Umlaut ü and кириллица"),
        Benchmark("voice", "nps", -12.0, "Peer group", 2024, "=not a formula")]
    exported = export_benchmarks_csv(store)
    assert exported == PEERS  # byte for byte: the export is the file imported
    assert next(csv.reader(io.StringIO(exported)))[0] == "channel"
    assert [row[5] for row in csv.reader(io.StringIO(exported))][2] == "'-chat only: wait to first agent reply"
    before = list_benchmarks(store)
    assert import_benchmarks_text(store, exported) == 4
    assert list_benchmarks(store) == before and export_benchmarks_csv(store) == exported


def test_shipped_file_round_trips(store):
    replace_benchmarks(store, shipped_benchmarks())
    again = export_benchmarks_csv(store)
    import_benchmarks_text(store, again)
    assert export_benchmarks_csv(store) == again
    assert len(SHIPPED_BENCHMARKS.read_text(encoding="utf-8").splitlines()) == 5


def test_a_refused_import_names_row_column_and_value_and_changes_nothing(store, tmp_path):
    import_benchmarks_csv(store, write(tmp_path / "peers.csv", PEERS))
    before, counts = list_benchmarks(store), store.table_counts()
    bad = write(tmp_path / "bad.csv", HEADER + "\n"
                "voice,speed,70,SQM Group,2022,calls\n"          # 2: unknown metric
                "voice,fcr,-5,SQM Group,2022,calls\n"            # 3: negative percentage
                "chat,abandon_rate,140,X,2022,chats\n"           # 4: above 100 %
                "voice,asa,30,,2022,calls\n"                     # 5: no source
                "voice,aht,300,X,22,calls\n"                     # 6: year not a year
                "email,csat,80,X,2024,\n"                        # 7: no scope
                "voice,volume,1000,X,2024,calls\n"               # 8: a count has no benchmark
                "Voice Line,csat,80,X,2024,calls\n"              # 9: channel not a slug
                "chat,asa,40,X,2024,chats\n"
                "chat,asa,45,Y,2024,chats again\n"               # 11: a second row for chat/asa
                "chat,csat,80,X\n")                              # 12: too few fields
    with pytest.raises(ImportRefused) as err:
        import_benchmarks_csv(store, bad)
    assert [(p.row, p.column, p.value) for p in err.value.problems] == [
        (2, "metric", "speed"), (3, "value", "-5"), (4, "value", "140"), (5, "source", ""), (6, "year", "22"),
        (7, "scope", ""), (8, "metric", "volume"), (9, "channel", "Voice Line"), (11, "metric", "asa"),
        (12, None, "chat,csat,80,X")]
    text = str(err.value)
    assert text.startswith("bad.csv: 10 benchmark rows are invalid; no benchmark was changed.")
    assert "  - bad.csv, row 3, column 'value': First-contact resolution lies between 0.0% and 100.0% (value '-5')\n" \
        in text
    assert "bad.csv, row 6, column 'year': the year is the year of the survey or publication" in text
    assert "(value '22')" in text
    assert "row 11, column 'metric': a second benchmark for chat/asa: row 10 has one already" in text
    assert list_benchmarks(store) == before and store.table_counts() == counts   # unchanged
    with pytest.raises(ImportRefused, match="header must be exactly channel,metric,value,source,year,scope"):
        import_benchmarks_csv(store, write(tmp_path / "h.csv", "channel,metric,target\nvoice,fcr,70\n"))
    assert list_benchmarks(store) == before


def test_an_empty_file_removes_every_benchmark(store, tmp_path):
    assert import_benchmarks_csv(store, write(tmp_path / "none.csv", HEADER + "\n")) == 0
    assert list_benchmarks(store) == [] and export_benchmarks_csv(store) == HEADER + "\n"
    assert benchmarks_frame(store).empty


def test_benchmark_for_a_channel_falls_back_to_every_channel(store, tmp_path):
    import_benchmarks_csv(store, write(tmp_path / "peers.csv", PEERS))
    assert benchmark_for(store, "voice", "fcr").value == 68.0          # the channel's own row wins
    assert benchmark_for(store, "chat", "fcr").channel == "*"          # else the '*' row
    assert benchmark_for(store, "back_office", "fcr").value == 72.5
    assert benchmark_for(store, "voice", "csat") is None
    book = BenchmarkBook(list_benchmarks(store))
    assert [book.lookup(c, "fcr").value for c in ("voice", "chat", "email")] == [68.0, 72.5, 72.5]
    assert book.lookup("voice", "asa") is None


# -- the benchmark line on trend charts ------------------------------------------------------------------------------
def _trend_frame(channels=("voice",), metric="fcr"):
    rows = []
    for channel in channels:
        for i, month in enumerate(("2026-01", "2026-02", "2026-03")):
            rows.append({"period": month, "channel": channel, "metric": metric, "value": 60.0 + i, "n": 100,
                         "target": 70.0, "state": "missed", "group": None, "tolerance_pct": 0.0})
    return rows


def _layers(spec, name):
    return [layer for layer in spec["layer"] if layer.get("name") == name]


def test_a_trend_draws_the_benchmark_as_a_labelled_second_line():
    sqm = Benchmark("voice", "fcr", 70.0, "SQM Group", 2022, "North American call centres")
    spec = trend_chart(_trend_frame(), "fcr", [sqm])
    (rule,) = _layers(spec, "benchmark")
    data = rule["data"]["values"]
    assert [row["value"] for row in data] == [70.0]
    assert data[0]["Benchmark"] == "Benchmark: SQM Group 2022"
    assert (data[0]["source"], data[0]["year"], data[0]["scope"]) == ("SQM Group", "2022", "North American call centres")
    assert rule["mark"]["type"] == "rule" and "x" not in rule["encoding"]  # across every month
    assert rule["mark"]["strokeDash"] == BENCHMARK_DASH != TARGET_DASH and rule["mark"]["color"] == BENCHMARK_COLOUR
    target = next(layer for layer in spec["layer"] if layer["encoding"].get("y", {}).get("field") == "target")
    assert target["mark"]["strokeDash"] == TARGET_DASH and "color" in target["encoding"]  # the channel's colour
    assert {t["title"] for t in rule["encoding"]["tooltip"]} >= {"Benchmark", "Source", "Year", "Scope"}
    # named with its value under the plot, not over the lines; the missed months stay on top
    assert spec["title"]["text"] == ["┈ Benchmark: SQM Group 2022: 70.0%"] and spec["title"]["orient"] == "bottom"
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["line", "line", "rule", "point"]


def test_no_benchmark_draws_nothing_and_leaves_the_chart_as_it_was():
    plain = trend_chart(_trend_frame(), "fcr")
    assert trend_chart(_trend_frame(), "fcr", []) == plain
    other = [Benchmark("chat", "fcr", 75.0, "X", 2024, "chat"), Benchmark("voice", "asa", 30.0, "X", 2024, "calls")]
    assert trend_chart(_trend_frame(), "fcr", other) == plain   # none applies to voice FCR
    assert not _layers(plain, "benchmark")


def test_a_benchmark_of_one_channel_names_it_on_a_chart_of_several():
    everyone = Benchmark("*", "fcr", 72.0, "Peers", 2025, "all")
    spec = trend_chart(_trend_frame(("voice", "chat")), "fcr", [everyone])
    data = _layers(spec, "benchmark")[0]["data"]["values"]
    assert [(r["value"], r["Benchmark"]) for r in data] == [(72.0, "Benchmark: Peers 2025")]  # one line for all
    own = Benchmark("voice", "fcr", 68.0, "Peers", 2025, "voice")
    spec = trend_chart(_trend_frame(("voice", "chat")), "fcr", [everyone, own])
    data = _layers(spec, "benchmark")[0]["data"]["values"]
    assert [(r["value"], r["Benchmark"]) for r in data] == [(68.0, "Benchmark: Peers 2025 · Voice"),
                                                           (72.0, "Benchmark: Peers 2025 · Chat")]
    assert spec["title"]["text"] == ["┈ Benchmark: Peers 2025 · Chat: 72.0%", "┈ Benchmark: Peers 2025 · Voice: 68.0%"]


def test_a_duration_axis_reaches_the_benchmark_above_every_value():
    """Voice ASA 0:20–0:22 under a 2:00 benchmark: the ticks stopped at 0:25 and the benchmark's line floated
    above the last one."""
    rows = [{"period": f"2026-0{i}", "channel": "voice", "metric": "asa", "value": 20.0 + i, "n": 100,
             "target": None, "state": None} for i in (1, 2)]
    spec = trend_chart(rows, "asa", [Benchmark("voice", "asa", 120.0, "ContactBabel", 2023, "calls")])
    assert spec["layer"][0]["encoding"]["y"]["axis"]["values"][-1] >= 120


def test_overview_and_channel_detail_draw_the_stored_benchmarks(sample_store, tmp_path):
    month = "2026-09"
    view = overview(sample_store, month)
    fcr = view.trend_specs["fcr"]
    rule = _layers(fcr, "benchmark")[0]
    assert [r["value"] for r in rule["data"]["values"]] == [70.0]
    assert not _layers(view.trend_specs["csat"], "benchmark")     # no benchmark for CSAT: nothing drawn
    detail = channel_detail(sample_store, "voice", month)
    asa = detail.specs["trend:asa"]
    assert [r["value"] for r in _layers(asa, "benchmark")[0]["data"]["values"]] == [120.0]
    import_benchmarks_csv(sample_store, write(tmp_path / "none.csv", HEADER + "\n"))
    assert not any(_layers(s, "benchmark") for s in overview(sample_store, month).trend_specs.values() if s)
    assert not any(_layers(s, "benchmark") for s in channel_detail(sample_store, "voice", month).specs.values()
                   if s and "layer" in s)


# -- the quarterly workbook -------------------------------------------------------------------------------------------
def _summary(review, path):
    write_review_workbook(review, path)
    return load_workbook(path)["Summary"]


def test_the_summary_has_a_benchmark_column_beside_the_scorecard(sample_store, tmp_path):
    review = quarterly_review(sample_store, "2026Q3")
    ws = _summary(review, tmp_path / "with.xlsx")
    header = [c.value for c in ws[4]]
    assert header[-2:] == ["Benchmark", "Benchmark source"]
    column = len(header) - 2
    rows = {(r[0], r[1]): r for r in ws.iter_rows(min_row=5, max_row=4 + len(review.rows), values_only=True)}
    assert rows[("Voice", "First-contact resolution")][column:] == (pytest.approx(0.70), "SQM Group 2022")
    assert rows[("Voice", "Abandonment rate")][column:] == (pytest.approx(0.091), "ContactBabel 2023")
    assert rows[("Voice", "CSAT (top-2-box)")][column:] == (None, None)   # empty when none applies
    labels = [r[0] for r in ws.iter_rows(values_only=True)]
    section = labels.index("Industry benchmarks (references, not targets)")
    assert [c.value for c in ws[section + 2]][:6] == ["Channel", "Metric", "Benchmark", "Source", "Year", "Scope"]
    listed = [r[:5] for r in ws.iter_rows(min_row=section + 3, max_row=section + 2 + len(review.benchmarks),
                                          values_only=True)]
    assert ("Voice", "First-contact resolution", pytest.approx(0.70), "SQM Group", 2022) in listed
    assert len(listed) == len(review.benchmarks) == len({(b.channel, b.metric) for b in review.benchmarks})
    # a benchmark is never a target: without any, the states and findings are the same and the columns go
    replace_benchmarks(sample_store, [])
    plain = quarterly_review(sample_store, "2026Q3")
    assert [[c.state for c in r.months] for r in plain.rows] == [[c.state for c in r.months] for r in review.rows]
    assert plain.findings == review.findings
    ws = _summary(plain, tmp_path / "without.xlsx")
    assert [c.value for c in ws[4]] == header[:-2]
    assert "Industry benchmarks (references, not targets)" not in [r[0] for r in ws.iter_rows(values_only=True)]


# -- the Targets & settings page -----------------------------------------------------------------------------------
def test_the_targets_page_shows_the_benchmarks_read_only_with_export(sample_db, tmp_path, monkeypatch):
    at, _ = open_page(sample_db, "pages/targets.py", tmp_path, monkeypatch)
    assert not at.exception, [e.message for e in at.exception]
    assert "Industry benchmarks" in [h.value for h in at.subheader]
    assert any("references, not targets" in c.value for c in at.caption)
    table = next(d.value for d in at.dataframe if "Source" in d.value.columns)
    assert list(table.columns) == ["Channel", "Metric", "Benchmark", "Source", "Year", "Scope"]
    assert sorted(zip(table["Channel"], table["Benchmark"], table["Source"], table["Year"])) == [
        ("Chat", "00:35", "Comm100", "2021"), ("Voice", "02:00", "ContactBabel", "2023"),
        ("Voice", "70.0%", "SQM Group", "2022"), ("Voice", "9.1%", "ContactBabel", "2023")]
    assert len(at.get("file_uploader")) == 2 and len(at.get("download_button")) == 2  # targets' and benchmarks'


def test_a_month_without_a_value_is_a_gap_on_the_axis_and_in_the_line():
    """Voice has January, February and April: March is on the axis and the line breaks there instead of joining
    February to April as if March had data."""
    rows = [r for r in _trend_frame() if r["period"] != "2026-03"] + [
        {"period": "2026-04", "channel": "voice", "metric": "fcr", "value": 65.0, "n": 100, "target": 70.0,
         "state": "missed", "group": None, "tolerance_pct": 0.0}]
    spec = trend_chart(rows, "fcr")
    line = spec["layer"][0]
    assert line["encoding"]["x"]["scale"]["domain"] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert [(r["period"], r["value"]) for r in line["data"]["values"] if r["value"] is None] == [("2026-03", None)]
    assert line["mark"]["invalid"] == "break-paths-show-domains"


@pytest.mark.parametrize("highest, ticks", [(45, [0, 10, 20, 30, 40, 50]), (290, [0, 60, 120, 180, 240, 300]),
                                            (63300, [0, 10800, 21600, 32400, 43200, 54000, 64800]), (0, [0, 1])])
def test_a_duration_axis_ticks_at_clock_steps(highest, ticks):
    """An e-mail month at 17:35:00 beside calls at 0:20 ticked at 10,000 s (2:46:40, 5:33:20…)."""
    assert duration_ticks(highest) == ticks


def test_a_trend_past_an_hour_is_titled_h_mm_ss():
    rows = [{"period": "2026-02", "channel": c, "metric": "asa", "value": v, "n": 10, "target": None, "state": None,
             "group": None, "tolerance_pct": 0.0} for c, v in (("voice", 4000.0), ("email", 63300.0))]
    axis = trend_chart(rows, "asa")["layer"][0]["encoding"]["y"]["axis"]
    assert axis["title"] == "h:mm:ss" and axis["values"][-1] == 64800


def test_durations_far_apart_share_a_log_axis_with_clock_landmarks():
    """Calls answered in 20 s and e-mails in 17:35:00 on one linear axis put the calls flat on the floor."""
    rows = [{"period": p, "channel": c, "metric": "asa", "value": v, "n": 10, "target": None, "state": None,
             "group": None, "tolerance_pct": 0.0} for p in ("2026-01", "2026-02") for c, v in (("voice", 20.0),
                                                                                             ("email", 63300.0))]
    y = trend_chart(rows, "asa")["layer"][0]["encoding"]["y"]
    assert y["scale"] == {"type": "symlog", "constant": 10}
    assert y["axis"]["values"] == [10, 60, 600, 3600, 36000, 86400]
    assert y["axis"]["title"] == "h:mm:ss, log scale"
    near = [dict(r, value=r["value"] if r["channel"] == "voice" else 300.0) for r in rows]
    assert "scale" not in trend_chart(near, "asa")["layer"][0]["encoding"]["y"]
