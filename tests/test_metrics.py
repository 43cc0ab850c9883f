"""Every metric against figures worked out by hand (spec §3), on tiny fixtures."""
import dataclasses
import datetime as dt
import functools

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics import ImportOptions, import_file
from cxmetrics.config import set_channel, set_setting
from cxmetrics.kpis import kpis
from cxmetrics.metrics import REGISTRY

from .conftest import write
from .oracle import oracle_kpis

HEADER = "id,channel,direction,queued_at,status,wait_seconds,talk_seconds,hold_seconds,wrap_seconds,csat,nps,ces\n"
# voice: SL threshold 20 s, short abandon below 5 s.
VOICE_MONTH = HEADER + (
    "c1,voice,in,2024-01-03 09:00,answered,10,240,30,30,5,10,6\n"   # within; handle 300
    "c2,voice,in,2024-01-03 09:05,answered,25,200,,,4,8,4\n"       # not within; handle 200
    "c3,voice,in,2024-01-04 10:00,answered,,,,,2,3,\n"             # unknown wait and handle
    "c4,voice,in,2024-01-04 10:01,abandoned,3,,,,,,\n"             # short abandon
    "c5,voice,in,2024-01-05 11:00,abandoned,15,,,,,,\n"            # abandoned within
    "c6,voice,in,2024-01-05 11:01,abandoned,40,,,,,,\n"
    "c7,voice,in,2024-01-06 12:00,abandoned,,,,,,,\n"              # unknown wait: not within, not short
    "c8,voice,in,2024-01-06 12:30,answered,20,100,,,,,\n"          # exactly the threshold: within
    "c9,voice,out,2024-01-06 13:00,answered,1,50,,,1,0,1\n"        # outbound: left out of everything
)


def _values(rows, period="2024-01", channel="voice"):
    return {r.metric: (r.value, r.n) for r in rows if r.period == period and r.channel == channel}


@pytest.fixture
def voice_store(store, tmp_path):
    import_file(store, write(tmp_path / "v.csv", VOICE_MONTH))
    return store


def test_every_formula_on_one_voice_month(voice_store):
    v = _values(kpis(voice_store))
    # offered 8 (c1–c8); answered 4; abandoned 4, of which 1 short; answered within 2 (c1, c8);
    # answered with unknown wait 1 (c3); abandoned within 2 (c4, c5).
    assert v["volume"] == (8.0, 8)
    assert v["handled"] == (4.0, 8)
    assert v["answered"] == (4.0, 8)
    assert v["abandoned"] == (4.0, 8)
    assert v["service_level"] == (100.0 * 2 / 6, 6)           # 2 ÷ (8 − 1 short − 1 unknown wait)
    assert v["abandon_rate"] == (100.0 * 3 / 7, 7)            # (4 − 1) ÷ (8 − 1)
    assert v["asa"] == ((10 + 25 + 20) / 3, 3)
    assert v["aht"] == ((300 + 200 + 100) / 3, 3)
    assert v["csat"] == (100.0 * 2 / 3, 3)                    # 5 and 4 of 5, 4, 2
    assert v["csat_mean"] == ((5 + 4 + 2) / 3, 3)
    assert v["nps"] == (0.0, 3)                               # one promoter (10), one detractor (3)
    assert v["nps_promoters"] == (100.0 * 1 / 3, 3)
    assert v["nps_passives"] == (100.0 * 1 / 3, 3)
    assert v["nps_detractors"] == (100.0 * 1 / 3, 3)
    assert v["ces"] == ((6 + 4) / 2, 2)
    assert v["fcr"] == (None, 0)                              # no resolved flags, no customer ids
    assert v["churn_rate"] == (None, 0)                       # no customers export


def test_service_level_formulas_are_a_channel_setting(voice_store):
    set_channel(voice_store, "voice", sl_formula="abandons_ignored")
    assert _values(kpis(voice_store, metrics=["service_level"]))["service_level"] == (100.0 * 2 / 3, 3)
    set_channel(voice_store, "voice", sl_formula="abandons_within_met")
    # (2 answered within + 2 abandoned within) ÷ (8 offered − 1 answered with unknown wait)
    assert _values(kpis(voice_store, metrics=["service_level"]))["service_level"] == (100.0 * 4 / 7, 7)
    set_channel(voice_store, "voice", sl_formula="abandons_against", sl_threshold_s=25, short_abandon_s=0)
    # threshold 25: c1, c2, c8 within; no short abandons: 3 ÷ (8 − 0 − 1)
    assert _values(kpis(voice_store, metrics=["service_level"]))["service_level"] == (100.0 * 3 / 7, 7)
    assert _values(kpis(voice_store, metrics=["abandon_rate"]))["abandon_rate"] == (100.0 * 4 / 8, 8)


def test_nps_with_passives_only_is_zero_and_no_responses_is_null(store, tmp_path):
    path = write(tmp_path / "p.csv", "id,channel,queued_at,nps\n1,chat,2024-02-01 10:00,7\n"
                 "2,chat,2024-02-01 11:00,8\n3,chat,2024-02-02 10:00,\n")
    import_file(store, path)
    v = _values(kpis(store), "2024-02", "chat")
    assert v["nps"] == (0.0, 2)
    assert v["nps_passives"] == (100.0, 2)
    assert v["csat"] == (None, 0) and v["ces"] == (None, 0)


def test_a_month_is_pooled_from_counts_not_averaged_from_days(store, tmp_path):
    path = write(tmp_path / "d.csv", "id,channel,queued_at,status,wait_seconds\n"
                 "1,voice,2024-03-01 09:00,answered,5\n"            # day 1: 1 of 1 within = 100%
                 "2,voice,2024-03-02 09:00,answered,50\n"           # day 2: 0 of 3 within = 0%
                 "3,voice,2024-03-02 09:10,answered,60\n4,voice,2024-03-02 09:20,answered,70\n")
    import_file(store, path)
    days = {r.period: r.value for r in kpis(store, "day", metrics=["service_level"])}
    assert days == {"2024-03-01": 100.0, "2024-03-02": 0.0}
    month = _values(kpis(store, metrics=["service_level"]), "2024-03")["service_level"]
    assert month == (25.0, 4)  # not (100 + 0) / 2 = 50


def test_fcr_explicit_flag_wins_for_its_channel_and_period(store, tmp_path):
    path = write(tmp_path / "r.csv", "id,channel,queued_at,status,resolved,customer_id\n"
                 "1,back_office,2024-01-02 09:00,answered,Y,K1\n"
                 "2,back_office,2024-01-02 10:00,answered,N,K2\n"
                 "3,back_office,2024-01-02 11:00,answered,,K3\n"      # no flag: left out
                 "4,back_office,2024-01-02 12:00,abandoned,Y,K4\n"    # not answered: left out
                 "5,back_office,2024-03-30 12:00,answered,,K5\n")     # keeps January uncensored
    import_file(store, path)
    assert _values(kpis(store, metrics=["fcr"]), "2024-01", "back_office")["fcr"] == (50.0, 2)


REPEAT_FILE = ("id,channel,queued_at,status,customer_id\n"
               "a1,voice,2024-01-01 10:00:00,answered,A\n"
               "a2,chat,2024-01-05 10:00:00,answered,A\n"        # a1 repeated within 7 days
               "b1,voice,2024-01-02 10:00:00,answered,B\n"
               "b2,chat,2024-01-09 10:00:00,answered,B\n"        # exactly 7 × 24 h later: inside the window
               "c1,voice,2024-01-03 10:00:00,answered,C\n"
               "c2,chat,2024-01-10 10:00:01,answered,C\n"        # one second past the window: c1 resolved
               "d1,voice,2024-01-04 10:00:00,answered,\n"        # no customer id: left out
               "e1,voice,2024-01-20 10:00:00,answered,E\n"       # window ends after the latest contact: censored
               "z1,email,2024-01-25 12:00:00,answered,Z\n")      # the latest contact in the store


def test_fcr_repeat_contact_method_with_window_edges_and_censoring(store, tmp_path):
    import_file(store, write(tmp_path / "rep.csv", REPEAT_FILE))
    rows = kpis(store, metrics=["fcr"])
    assert _values(rows, "2024-01", "voice")["fcr"] == (100.0 * 1 / 3, 3)   # a1 no, b1 no, c1 yes
    assert _values(rows, "2024-01", "chat")["fcr"] == (100.0, 3)            # a2, b2, c2 have no next contact
    assert _values(rows, "2024-01", "email")["fcr"] == (None, 0)            # z1 censored


def test_fcr_outcomes_of_earlier_imports_follow_a_new_import(store, tmp_path):
    import_file(store, write(tmp_path / "rep.csv", REPEAT_FILE))
    later = write(tmp_path / "later.csv", "id,channel,queued_at,status,customer_id\n"
                  "a3,voice,2024-01-06 09:00:00,answered,A\n"            # a2 is now repeated
                  "y1,voice,2024-02-10 09:00:00,answered,Y\n")           # moves the latest contact on
    import_file(store, later)
    assert store.scalar("SELECT next_contact_at FROM contacts WHERE contact_id = 'a2'") is not None
    rows = kpis(store, metrics=["fcr"])
    assert _values(rows, "2024-01", "chat")["fcr"] == (100.0 * 2 / 3, 3)        # a2 no, b2 yes, c2 yes
    # e1 and z1 are no longer censored; a3 resolved too
    assert _values(rows, "2024-01", "voice")["fcr"] == (100.0 * 3 / 5, 5)       # a1 no, b1 no, c1, e1, a3 yes
    assert _values(rows, "2024-01", "email")["fcr"] == (100.0, 1)


def test_fcr_window_is_exactly_168_hours_across_a_daylight_saving_change(store, tmp_path):
    set_setting(store, "timezone", "Europe/Berlin")
    path = write(tmp_path / "dst.csv", "id,channel,queued_at,status,customer_id\n"
                 # CET → CEST on 2021-03-28: local 12:00 on the 25th to local 12:30 on 1 April is 167.5 h
                 "p1,voice,2021-03-25 12:00:00,answered,P\np2,voice,2021-04-01 12:30:00,answered,P\n"
                 # local 12:00 to local 13:30 a week later is 168.5 h: outside the window
                 "q1,voice,2021-03-25 12:00:00,answered,Q\nq2,voice,2021-04-01 13:30:00,answered,Q\n"
                 "z,voice,2021-04-30 12:00:00,answered,Z\n")
    import_file(store, path)
    march = _values(kpis(store, metrics=["fcr"]), "2021-03")["fcr"]
    assert march == (50.0, 2)  # p1 repeated, q1 resolved


def test_churn_window_edges_and_customers_missing_from_the_export(store, tmp_path):
    contacts = write(tmp_path / "c.csv", "id,channel,queued_at,status,customer_id\n"
                     "1,voice,2024-01-10 10:00,answered,K1\n"   # churned on day + 30: counts
                     "2,voice,2024-01-10 10:00,answered,K2\n"   # churned the same day: does not count
                     "3,voice,2024-01-10 10:00,answered,K3\n"   # churned on day + 31: does not count
                     "4,voice,2024-01-10 10:00,answered,K4\n"   # not in the customers export: not churned
                     "5,voice,2024-01-10 10:00,answered,K5\n"   # two contacts, churned a day after the second
                     "6,voice,2024-01-25 10:00,abandoned,K5\n")
    import_file(store, contacts)
    assert _values(kpis(store, metrics=["churn_rate"]))["churn_rate"] == (None, 0)  # no customers export yet
    customers = write(tmp_path / "k.csv", "customer_id,churned_on\nK1,2024-02-09\nK2,2024-01-10\n"
                      "K3,2024-02-10\nK5,2024-01-26\n")
    import_file(store, customers, ImportOptions(kind="customers"))
    assert _values(kpis(store, metrics=["churn_rate"]))["churn_rate"] == (100.0 * 2 / 5, 5)
    set_setting(store, "churn_window_days", "31")
    assert _values(kpis(store, metrics=["churn_rate"]))["churn_rate"] == (100.0 * 3 / 5, 5)


def test_daylight_saving_days_months_and_intervals_in_europe_berlin(store, tmp_path):
    set_setting(store, "timezone", "Europe/Berlin")
    path = write(tmp_path / "tz.csv", "id,channel,queued_at\n"
                 "1,voice,2021-03-28 01:59:00\n"          # CET, just before the clocks go forward
                 "2,voice,2021-03-28 03:00:00\n"          # CEST, one real minute later
                 "3,voice,2021-03-31T22:30:00Z\n"         # 00:30 on 1 April in Berlin
                 "4,voice,2021-10-31T00:30:00Z\n"         # 02:30 CEST
                 "5,voice,2021-10-31T01:30:00Z\n"         # 02:30 CET, the repeated hour
                 "6,voice,2021-10-31T23:30:00Z\n")        # 00:30 on 1 November in Berlin
    import_file(store, path)
    months = {r.period: r.value for r in kpis(store, "month", metrics=["volume"])}
    assert months == {"2021-03": 2.0, "2021-04": 1.0, "2021-10": 2.0, "2021-11": 1.0}
    days = {r.period: r.value for r in kpis(store, "day", metrics=["volume"])}
    assert days == {"2021-03-28": 2.0, "2021-04-01": 1.0, "2021-10-31": 2.0, "2021-11-01": 1.0}
    intervals = {r.period: r.value for r in kpis(store, "interval", metrics=["volume"])}
    assert intervals == {"2021-03-28T01:30": 1.0, "2021-03-28T03:00": 1.0, "2021-04-01T00:30": 1.0,
                         "2021-10-31T02:30": 2.0, "2021-11-01T00:30": 1.0}
    # changing the zone re-buckets what is stored
    set_setting(store, "timezone", "UTC")
    months = {r.period: r.value for r in kpis(store, "month", metrics=["volume"])}
    assert months == {"2021-03": 3.0, "2021-10": 3.0}


def test_weeks_drill_down_filters(voice_store, tmp_path):
    import_file(voice_store, write(tmp_path / "q.csv", "id,channel,queued_at,queue,agent\n"
                                   "x1,chat,2024-01-08 10:00,Billing,Ann\nx2,chat,2024-01-09 10:00,Sales,Ann\n"
                                   "x3,chat,2024-01-09 11:00,Billing,Bob\n"))
    weeks = {(r.period, r.channel): r.value for r in kpis(voice_store, "week", metrics=["volume"])}
    assert weeks == {("2024-W01", "voice"): 8.0, ("2024-W02", "chat"): 3.0}
    by_queue = {(r.channel, r.group): r.value for r in kpis(voice_store, by="queue", channels=["chat"],
                                                             metrics=["volume"])}
    assert by_queue == {("chat", "Billing"): 2.0, ("chat", "Sales"): 1.0}
    window = kpis(voice_store, "day", date_from="2024-01-04", date_to="2024-01-05", metrics=["volume"])
    assert [(r.period, r.value) for r in window] == [("2024-01-04", 2.0), ("2024-01-05", 2.0)]


def test_rows_sorted_in_registry_order_and_only_where_there_are_contacts(voice_store):
    from cxmetrics.metrics import REGISTRY
    rows = kpis(voice_store)
    assert [r.metric for r in rows] == [m.id for m in REGISTRY]
    assert {(r.period, r.channel) for r in rows} == {("2024-01", "voice")}


def test_a_longer_fcr_window_finds_next_contacts_beyond_the_old_one(store, tmp_path):
    """next_contact_at is kept within the FCR window only, so widening the window recomputes it: c2 (7 days and
    1 second after c1) becomes c1's next contact and c1 a repeat; narrowing it again drops it."""
    import_file(store, write(tmp_path / "rep.csv", REPEAT_FILE))
    assert store.scalar("SELECT next_contact_at FROM contacts WHERE contact_id = 'c1'") is None
    set_setting(store, "fcr_window_days", "8")
    assert store.scalar("SELECT next_contact_at FROM contacts WHERE contact_id = 'c1'") == dt.datetime(
        2024, 1, 10, 10, 0, 1, tzinfo=dt.timezone.utc)
    assert _values(kpis(store, metrics=["fcr"]), "2024-01", "voice")["fcr"] == (0.0, 3)  # a1, b1, c1 repeated
    set_setting(store, "fcr_window_days", "7")
    assert store.scalar("SELECT next_contact_at FROM contacts WHERE contact_id = 'c1'") is None
    assert _values(kpis(store, metrics=["fcr"]), "2024-01", "voice")["fcr"] == (100.0 * 1 / 3, 3)


def test_next_contact_refresh_in_buckets_equals_one_pass(store, tmp_path):
    from cxmetrics.ingest.fcr import customers_of_import, refresh_next_contacts
    from cxmetrics.measures import TouchedDays
    report = import_file(store, write(tmp_path / "rep.csv", REPEAT_FILE))
    one_pass = store.fetchall("SELECT contact_id, next_contact_at FROM contacts ORDER BY 1")
    store.execute("UPDATE contacts SET next_contact_at = NULL")
    with store.temp_tables() as temps:   # the import's customers are every customer of the store
        refresh_next_contacts(store, customers_of_import(store, temps, report.import_id), TouchedDays(store, temps),
                              bucket_rows=2)   # 5 passes
    assert store.fetchall("SELECT contact_id, next_contact_at FROM contacts ORDER BY 1") == one_pass
    # a1 and b1 (b2 exactly 7 × 24 h later) have a next contact within the window; c1's (c2) is a second past
    # it, so none is kept
    assert [c for c, v in one_pass if v is not None] == ["a1", "b1"]


@functools.cache
def _scratch_duckdb():
    """One in-memory DuckDB for every example (a connection takes about 20 ms to open)."""
    return duckdb.connect()


@settings(max_examples=300, deadline=None)
@given(numerator=st.one_of(st.none(), st.floats(-1e12, 1e12, allow_nan=False)),
       denominator=st.one_of(st.none(), st.integers(-5, 10**9).map(float), st.floats(-1e12, 1e12, allow_nan=False)))
def test_metric_value_and_count_are_the_sql_formula_to_the_last_bit(numerator, denominator):
    # kpis() divides the pooled parts in Python (Metric.value) and reports the denominator rounded as n; the oracle
    # does both in DuckDB with value_sql: the same double operations and the same rounding (half to even)
    con = _scratch_duckdb()
    values = ", ".join(dataclasses.replace(m, numerator="num", denominator="den").value_sql() for m in REGISTRY)
    *wanted, count = con.execute(f"SELECT {values}, CAST(den AS BIGINT) FROM (SELECT CAST(? AS DOUBLE) AS num, "
                                 "CAST(? AS DOUBLE) AS den)", [numerator, denominator]).fetchone()
    for m, want in zip(REGISTRY, wanted, strict=True):
        assert m.value(numerator, denominator) == want, m.id
    assert (None if denominator is None else round(denominator)) == count


def test_rows_come_in_period_channel_group_order_with_contacts_without_a_group_last(store, tmp_path):
    """kpis() sorts the rows itself (not in SQL): the order is the oracle's ORDER BY, NULL groups last."""
    import_file(store, write(tmp_path / "q.csv", "id,channel,queued_at,status,queue\n"
                                                 "a,voice,2024-02-01 09:00,answered,Sales\n"
                                                 "b,chat,2024-02-01 09:00,answered,\n"
                                                 "c,chat,2024-01-31 09:00,answered,Billing\n"
                                                 "d,voice,2024-01-02 09:00,answered,\n"
                                                 "e,voice,2024-01-02 10:00,answered,Billing\n"
                                                 "f,voice,2024-01-03 10:00,abandoned,Ärger\n"))
    for question in ({}, {"by": "queue"}, {"period": "day", "by": "queue"}, {"period": "week"}):
        got = [(r.period, r.channel, r.group, r.metric) for r in kpis(store, **question)]
        assert got == [(r.period, r.channel, r.group, r.metric) for r in oracle_kpis(store, **question)], question
        assert len(got) > len(REGISTRY)
