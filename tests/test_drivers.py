"""Satisfaction drivers (issue 16 §1) against figures worked out by hand."""
import argparse
import csv
import datetime as dt
import math
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cxmetrics import ImportOptions, Store, import_file
from cxmetrics.display import cell_text
from cxmetrics.drivers import (CSV_HEADER, MIN_RESPONSES, Z, drivers, findings, nps_interval, nps_standard_error,
                               summary, wilson_interval)
from cxmetrics.drivers_views import add_parser, drivers_page, run
from cxmetrics.kpis import kpis

from .conftest import write

ROOT = Path(__file__).resolve().parent.parent
HEADER = "id,channel,queued_at,status,wait_seconds,handle_seconds,customer_id,resolved,csat,nps,queue,agent\n"
START = dt.datetime(2024, 3, 11, 10, 0, 0)  # a Monday; every response is given between 10:00 and 10:42 that day


def _fixture_csv() -> str:
    """120 voice responses (threshold 20 s) in three wait groups, four handle-time groups of 30, explicit FCR flags,
    repeat contacts for 21 customers; 5 chat responses with no wait, handle time, customer, queue or agent.

    Contacts 0–59 wait 10 s (0–47 satisfied), 60–79 wait 30 s (60–71 satisfied), 80–119 wait 50 s (80–95 satisfied):
    76 satisfied of 120. Two contacts sit on the wait boundaries: 58 waits exactly 20 s (within), 78 exactly 40 s
    (up to twice). Contacts 0–59 are resolved at first contact, the rest not. Handle times are 100, 200, 300 or
    400 s, 30 contacts each (ties on every cut point), satisfied 20, 19, 19 and 18 of 30. NPS: 0–29, 60–64 and
    80–87 promoters; 50–59, 75–79 and 100–119 detractors; the rest passives.
    """
    satisfied = set(range(0, 48)) | set(range(60, 72)) | set(range(80, 96))
    sat, unsat = sorted(satisfied), sorted(set(range(120)) - satisfied)
    quartile_members = [sat[0:20] + unsat[0:10], sat[20:39] + unsat[10:21], sat[39:58] + unsat[21:32],
                        sat[58:76] + unsat[32:44]]
    handle = {i: 100 * (q + 1) for q, members in enumerate(quartile_members) for i in members}
    promoters = set(range(0, 30)) | set(range(60, 65)) | set(range(80, 88))
    detractors = set(range(50, 60)) | set(range(75, 80)) | set(range(100, 120))
    lines = [HEADER, "lead,voice,2024-03-01 00:00:00,abandoned,,,,,,,,\n"]  # the store's first contact
    for i in range(120):
        at = START + dt.timedelta(seconds=20 * i)
        wait = 10 if i < 60 else 30 if i < 80 else 50
        wait = {58: 20, 78: 40}.get(i, wait)
        csat = (5 if i % 2 else 4) if i in satisfied else (2 if i % 2 else 3)
        nps = 10 if i in promoters else 3 if i in detractors else 8
        resolved = "yes" if i < 60 else "no"
        lines.append(f"v{i},voice,{at:%Y-%m-%d %H:%M:%S},answered,{wait},{handle[i]},U{i:03d},{resolved},{csat},{nps},"
                     "Billing,Ann\n")
        # earlier inbound contacts of the same customer (abandoned, no survey): one for 100–111, two for 112–119
        priors = [1] if 100 <= i < 112 else [1, 2] if i >= 112 else []
        for days in priors:
            lines.append(f"p{i}_{days},voice,{at - dt.timedelta(days=days):%Y-%m-%d %H:%M:%S},abandoned,,,U{i:03d},,,,,\n")
    # exactly 7 × 24 h before contact 0 counts; 7 × 24 h and one second before contact 1 does not
    lines.append(f"p0_7,voice,{START - dt.timedelta(days=7):%Y-%m-%d %H:%M:%S},abandoned,,,U000,,,,,\n")
    lines.append(f"p1_7,voice,{START + dt.timedelta(seconds=20) - dt.timedelta(days=7, seconds=1):%Y-%m-%d %H:%M:%S},"
                 "abandoned,,,U001,,,,,\n")
    for j in range(5):  # chat: 3 of 5 satisfied, all promoters
        lines.append(f"c{j},chat,{START + dt.timedelta(minutes=41, seconds=j):%Y-%m-%d %H:%M:%S},answered,,,,,"
                     f"{5 if j < 3 else 1},9,,\n")
    return "".join(lines)


@pytest.fixture
def drivers_db(tmp_path):
    db = tmp_path / "drivers.duckdb"
    store = Store(db)
    import_file(store, write(tmp_path / "contacts.csv", _fixture_csv()))
    store.close()
    return db


@pytest.fixture
def dstore(drivers_db):
    store = Store(drivers_db)
    yield store
    store.close()


def _table(data):
    return {(b.driver, b.bucket): b for b in data.buckets}


# -- the statistics, by hand ---------------------------------------------------------------------------------------
def test_wilson_interval_against_a_hand_calculation():
    # 48 of 60: p = 0.8, z² = 3.841459; centre = (0.8 + z²/120) / (1 + z²/60) = 0.832012 / 1.064024 = 0.781948;
    # half = z·√(0.16/60 + z²/14400) / 1.064024 = 1.959964 · 0.054161 / 1.064024 = 0.099766
    low, high = wilson_interval(48, 60)
    assert (round(100 * low, 4), round(100 * high, 4)) == (68.2182, 88.1715)
    assert [round(100 * x, 4) for x in wilson_interval(16, 40)] == [26.3483, 55.4041]
    assert wilson_interval(0, 5)[0] == 0.0 and wilson_interval(5, 5)[1] == 1.0
    assert Z == pytest.approx(1.959964, abs=1e-6)


def test_nps_standard_error_against_a_hand_calculation():
    # 30 promoters, 10 detractors of 60: P = 1/2, D = 1/6, P + D − (P − D)² = 2/3 − 1/9 = 5/9; 5/9 ÷ 60 = 1/108
    assert nps_standard_error(30, 10, 60) == pytest.approx(100 / math.sqrt(108), abs=1e-12)
    assert round(nps_standard_error(30, 10, 60), 4) == 9.6225
    low, high = nps_interval(30, 10, 60)
    assert (low, high) == pytest.approx((100 / 3 - Z * 100 / math.sqrt(108), 100 / 3 + Z * 100 / math.sqrt(108)))
    assert nps_interval(10, 0, 10) == (100.0, 100.0)  # every response a promoter: no spread, clipped to +100


# -- the buckets -----------------------------------------------------------------------------------------------------
def test_csat_buckets_responses_shares_and_intervals(dstore):
    data = drivers(dstore)
    t = _table(data)
    assert (data.contacts, data.responses) == (125 + 1 + 28 + 2, 125)  # 120 voice + 5 chat responses; lead; priors
    assert data.thresholds == {"voice": 20.0}  # chat has no wait, so no wait bucket
    assert data.handle_cuts == (100.0, 200.0, 300.0)  # ranks 30, 60 and 90 of 120
    expected = {  # (driver, bucket): (responses, satisfied)
        ("wait", "within"): (60, 48), ("wait", "up_to_2x"): (20, 12), ("wait", "over_2x"): (40, 16),
        ("handle_time", "q1"): (30, 20), ("handle_time", "q2"): (30, 19), ("handle_time", "q3"): (30, 19),
        ("handle_time", "q4"): (30, 18),
        ("fcr", "resolved"): (60, 48), ("fcr", "not_resolved"): (60, 28),
        ("repeat", "0"): (99, 75), ("repeat", "1"): (13, 1), ("repeat", "2+"): (8, 0),
        ("channel", "voice"): (120, 76), ("channel", "chat"): (5, 3),
        ("queue", "Billing"): (120, 76), ("agent", "Ann"): (120, 76),
        ("weekday", "mon"): (125, 79), ("hour", "10"): (125, 79),
    }
    assert list(t) == list(expected)  # and in this order: drivers, then each driver's buckets
    for key, (n, k) in expected.items():
        b = t[key]
        assert (b.responses, b.value) == (n, 100.0 * k / n), key
        low, high = wilson_interval(k, n)
        assert (b.ci_low, b.ci_high) == (100 * low, 100 * high), key
    assert (round(t["wait", "within"].ci_low, 4), round(t["wait", "within"].ci_high, 4)) == (68.2182, 88.1715)
    thin = sorted(key for key, b in t.items() if b.thin)
    assert thin == [("channel", "chat"), ("repeat", "1"), ("repeat", "2+"), ("wait", "up_to_2x")]
    assert MIN_RESPONSES == 30 and not t["handle_time", "q1"].thin  # exactly 30 is enough


def test_channel_bucket_equals_the_csat_kpi(dstore):
    kpi = {r.channel: r.value for r in kpis(dstore, metrics=["csat"])}
    t = _table(drivers(dstore))
    assert t["channel", "voice"].value == pytest.approx(kpi["voice"])
    assert t["channel", "chat"].value == pytest.approx(kpi["chat"])


def test_nps_buckets(dstore):
    t = _table(drivers(dstore, channels=["voice"], outcome="nps"))
    within = t["wait", "within"]
    assert (within.responses, within.value) == (60, 100.0 * (30 - 10) / 60)
    assert (within.ci_low, within.ci_high) == nps_interval(30, 10, 60)
    assert t["wait", "over_2x"].value == 100.0 * (8 - 20) / 40
    assert t["fcr", "not_resolved"].value == 100.0 * (13 - 25) / 60
    assert ("channel", "chat") not in t


def test_selection_by_dates_and_channels(dstore):
    assert drivers(dstore, date_from="2024-03-12").responses == 0
    assert drivers(dstore, date_to="2024-03-11", channels=["chat"]).responses == 5
    assert drivers(dstore, date_from="2024-03", date_to="2024-03").responses == 125


def test_handle_quartiles_count_every_answered_contact_and_ties_go_down(store, tmp_path):
    # answered handle times 100, 100, 200, 300 (two without a response): cut points at ranks 1, 2, 3 → 100, 100, 200
    import_file(store, write(tmp_path / "h.csv", "id,channel,queued_at,status,handle_seconds,csat\n"
                             "a,voice,2024-03-11 10:00,answered,100,5\n"
                             "b,voice,2024-03-11 10:01,answered,100,\n"
                             "c,voice,2024-03-11 10:02,answered,200,\n"
                             "d,voice,2024-03-11 10:03,answered,300,1\n"
                             "e,voice,2024-03-11 10:04,abandoned,900,2\n"))
    data = drivers(store)
    assert data.handle_cuts == (100.0, 100.0, 200.0)
    assert [(b.bucket, b.responses) for b in data.of("handle_time")] == [("q1", 1), ("q4", 1)]
    # the abandoned contact's response counts for the channel but not for wait or handle time
    assert [(b.bucket, b.responses) for b in data.of("channel")] == [("voice", 3)]
    assert data.of("wait") == [] and data.of("repeat") == []  # no wait known; no customer ids


def test_repeat_method_fcr_and_the_first_week(store, tmp_path):
    # no resolved flag: the repeat-contact method (7-day window). k1 is followed by k2 after 2 days: not resolved;
    # k2 has no later contact and its window ends before the latest contact: resolved; k3's window runs past the
    # latest contact: left out. k1 is in the store's first 7 days: left out of the repeat driver; k2 had 1 before.
    import_file(store, write(tmp_path / "r.csv", "id,channel,queued_at,status,customer_id,csat\n"
                             "k1,voice,2024-03-01 10:00,answered,K,5\n"
                             "k2,voice,2024-03-03 10:00,answered,K,2\n"
                             "k3,voice,2024-03-20 10:00,answered,L,4\n"))
    data = drivers(store)
    assert [(b.bucket, b.responses, b.value) for b in data.of("fcr")] == [("resolved", 1, 0.0),
                                                                         ("not_resolved", 1, 100.0)]
    assert [(b.bucket, b.responses) for b in data.of("repeat")] == [("0", 1)]  # k3 only: k2 is in the first week
    assert [b.bucket for b in data.of("weekday")] == ["wed", "fri", "sun"]


# -- the summary -------------------------------------------------------------------------------------------------------
def test_ranked_summary_in_english(dstore):
    data = drivers(dstore)
    assert [(f.driver, f.best.bucket, f.worst.bucket) for f in findings(data)] == [
        ("wait", "within", "over_2x"), ("fcr", "resolved", "not_resolved")]
    assert summary(data) == [
        "Customers answered within 20 s are satisfied 80.0% of the time, against 40.0% beyond 40 s "
        "(60 and 40 responses).",
        "Customers whose contact was resolved at first contact are satisfied 80.0% of the time, against 46.7% when "
        "it was not resolved at first contact (60 and 60 responses).",
    ]


def test_nps_summary_in_english(dstore):
    lines = summary(drivers(dstore, channels=["voice"], outcome="nps"))
    assert lines[0] == ("Customers answered within 20 s give an NPS of +33.3, against -30.0 beyond 40 s "
                        "(60 and 40 responses).")
    assert lines[1] == ("Customers whose contact was resolved at first contact give an NPS of +33.3, against -20.0 "
                        "when it was not resolved at first contact (60 and 60 responses).")


def test_thin_buckets_never_make_a_finding(dstore):
    # contact 1's bucket '1' (1 of 13) against '0' (75 of 99) would be a gap of 68 points, but '1' is thin
    assert "repeat" not in {f.driver for f in findings(drivers(dstore))}


# -- the view and the command line ---------------------------------------------------------------------------------
def test_page_view(dstore):
    page = drivers_page(dstore)
    assert page.notices == [] and page.summary[0].startswith("Customers answered within 20 s")
    assert "associations, not proof of cause" in page.caveat
    wait = page.sections[0]
    assert (wait.driver, wait.title) == ("wait", "Wait")
    assert list(wait.table.columns) == ["Bucket", "Responses", "CSAT (top-2-box)", "95% interval"]
    assert wait.table.iloc[0].tolist() == ["Within 20 s", "60", "80.0%", "68.2% to 88.2%"]
    assert wait.thin == [False, True, False]
    assert wait.spec["layer"][0]["mark"]["type"] == "bar" and wait.spec["datasets"]["drivers"][1]["thin"] is True
    assert [s.driver for s in page.sections] == ["wait", "handle_time", "fcr", "repeat", "channel", "queue", "agent",
                                                 "weekday", "hour"]


def test_cli_writes_the_csv(dstore, tmp_path):
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    out = tmp_path / "drivers.csv"
    args = parser.parse_args(["drivers", "--channel", "voice", "--from", "2024-03-01", "--to", "2024-03-31",
                              "--outcome", "csat", "--out", str(out)])
    assert run(dstore, args) == 0
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == list(CSV_HEADER) == ["driver", "bucket", "responses", "value", "ci_low", "ci_high"]
    expected = [("wait", "within", 60, 48), ("wait", "up_to_2x", 20, 12), ("wait", "over_2x", 40, 16),
                ("handle_time", "q1", 30, 20), ("handle_time", "q2", 30, 19), ("handle_time", "q3", 30, 19),
                ("handle_time", "q4", 30, 18), ("fcr", "resolved", 60, 48), ("fcr", "not_resolved", 60, 28),
                ("repeat", "0", 99, 75), ("repeat", "1", 13, 1), ("repeat", "2+", 8, 0), ("channel", "voice", 120, 76),
                ("queue", "Billing", 120, 76), ("agent", "Ann", 120, 76), ("weekday", "mon", 120, 76),
                ("hour", "10", 120, 76)]
    assert [r[:4] for r in rows[1:]] == [[d, b, str(n), cell_text(100.0 * k / n)] for d, b, n, k in expected]
    assert rows[1][:4] == ["wait", "within", "60", "80"]
    assert [round(float(x), 4) for x in rows[1][4:]] == [68.2182, 88.1715]
    for row, (_, _, n, k) in zip(rows[1:], expected):
        assert [round(float(x), 4) for x in row[4:]] == [round(100 * x, 4) for x in wilson_interval(k, n)]


# -- aggregated-only data; the page under AppTest ---------------------------------------------------------------------
DAILY = ("Date,Queue,Offered,Answered,Abandoned,ASA,Avg Handle,Service Level 30 seconds\n"
         "2026-03-02,Billing,100,90,10,00:00:20,00:05:00,80.00%\n")


@pytest.fixture
def aggregated_db(tmp_path):
    db = tmp_path / "aggregated.duckdb"
    store = Store(db)
    import_file(store, write(tmp_path / "daily.csv", DAILY),
                ImportOptions(kind="aggregated", channel="voice", percent_of="offered"))
    store.close()
    return db


AGGREGATED_NOTICE = ("These channels and dates have aggregated reports only. Satisfaction drivers need contact-level "
                     "data — one row per contact with its wait, handle time and survey scores: import a contacts "
                     "export to see them.")


def test_aggregated_only_store(aggregated_db):
    store = Store(aggregated_db)
    try:
        data = drivers(store)
        assert data.aggregated_only and data.aggregated_channels == ["voice"] and data.buckets == []
        page = drivers_page(store)
        assert page.notices == [AGGREGATED_NOTICE] and page.sections == [] and page.summary == []
    finally:
        store.close()


def _page(db, monkeypatch) -> AppTest:
    monkeypatch.setenv("CXMETRICS_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "pages" / "drivers.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_page_under_apptest(drivers_db, monkeypatch):
    at = _page(drivers_db, monkeypatch)
    assert at.title[0].value == "Satisfaction drivers"
    assert any("associations, not proof of cause" in w.value for w in at.warning)
    assert any("Customers answered within 20 s are satisfied 80.0% of the time" in m.value for m in at.markdown)
    assert len(at.dataframe) == 9
    at.radio[0].set_value("nps").run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("give an NPS of +33.3" in m.value for m in at.markdown)


def test_page_on_an_aggregated_only_store(aggregated_db, monkeypatch):
    at = _page(aggregated_db, monkeypatch)
    assert [i.value for i in at.info] == [AGGREGATED_NOTICE]
    assert len(at.dataframe) == 0
