"""The measures layer is exact: for random stores built by random sequences of changes, every metric at
every period and drill-down equals the direct computation from the contact rows (tests/oracle.py).

The stores have channels that start late, contacts on both daylight-saving days of Europe/Berlin, unknown
waits and handle times, explicit and repeat-contact FCR, churn, outbound contacts, re-imports that replace
contacts, undone imports, and settings changes (time zone, FCR and churn windows, a channel's thresholds).
"""
import datetime as dt
import itertools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxmetrics import ImportOptions, Store, delete_import, import_file
from cxmetrics.config import set_channel, set_setting
from cxmetrics.followup import STATUSES, cases, overdue_count, set_case
from cxmetrics.kpis import kpis
from cxmetrics.measures import GRAINS, MEASURE_COLUMNS, MONTH, MONTH_PARTS, rebuild

from .oracle import oracle_kpis

HEADER = ("id,channel,direction,queued_at,status,wait_seconds,handle_seconds,customer_id,resolved,csat,nps,ces,"
          "queue,team,agent\n")
# Days around both DST changes of 2026 in Europe/Berlin, month and week edges, and a late-starting channel.
# Days close together at the end, so that a newer contact moves the FCR censoring over stored contacts.
DAYS = [dt.datetime(2026, 3, 27), dt.datetime(2026, 3, 29), dt.datetime(2026, 3, 31), dt.datetime(2026, 4, 1),
        dt.datetime(2026, 4, 6), dt.datetime(2026, 6, 30), dt.datetime(2026, 10, 25), dt.datetime(2026, 10, 27),
        dt.datetime(2026, 10, 29), dt.datetime(2026, 10, 31), dt.datetime(2026, 11, 2), dt.datetime(2026, 11, 4)]
CHANNELS = ["voice", "chat", "email"]

contact = st.fixed_dictionaries({
    "id": st.integers(0, 60),
    "channel": st.sampled_from(CHANNELS),
    "outbound": st.booleans(),
    "day": st.sampled_from(DAYS),
    "minute": st.integers(0, 24 * 60 - 1),
    "answered": st.booleans(),
    "wait": st.none() | st.integers(0, 90) | st.just(20),
    "handle": st.none() | st.integers(1, 900),
    "customer": st.none() | st.sampled_from("ABCDEFG"),
    "resolved": st.none() | st.booleans(),
    "csat": st.none() | st.integers(1, 5),
    "nps": st.none() | st.integers(0, 10),
    "ces": st.none() | st.integers(1, 7),
    "queue": st.none() | st.sampled_from(["q1", "q2"]),
    "team": st.none() | st.sampled_from(["t1", "t2"]),
    "agent": st.none() | st.sampled_from(["a1", "a2", "a3"]),
})


def _row(c: dict, explicit_fcr: bool) -> str:
    at = c["day"] + dt.timedelta(minutes=c["minute"])
    late = c["channel"] == "email" and at < dt.datetime(2026, 4, 1)  # email starts in April
    if late:
        at += dt.timedelta(days=40)
    cells = [f"{c['channel']}-{c['id']}", c["channel"], "out" if c["outbound"] and c["id"] % 5 == 0 else "in",
             at.strftime("%Y-%m-%d %H:%M:%S"), "answered" if c["answered"] else "abandoned",
             "" if c["wait"] is None else str(c["wait"]), "" if c["handle"] is None else str(c["handle"]),
             c["customer"] or "",
             "" if (c["resolved"] is None or not explicit_fcr or c["channel"] != "chat") else ("Y" if c["resolved"] else "N"),
             *("" if c[k] is None else str(c[k]) for k in ("csat", "nps", "ces")),
             c["queue"] or "", c["team"] or "", c["agent"] or ""]
    return ",".join(cells) + "\n"


operation = st.one_of(
    st.tuples(st.just("import"), st.lists(contact, min_size=1, max_size=25), st.booleans()),
    st.tuples(st.just("import"), st.lists(contact, min_size=1, max_size=4), st.booleans()),  # a few contacts
    st.tuples(st.just("delete"), st.integers(0, 5)),
    st.tuples(st.just("customers"), st.lists(st.tuples(st.sampled_from("ABCDEFG"), st.none() | st.sampled_from(DAYS)),
                                             min_size=1, max_size=7)),
    st.tuples(st.just("setting"), st.sampled_from([("timezone", "Europe/Berlin"), ("timezone", "UTC"),
                                                   ("fcr_window_days", "3"), ("fcr_window_days", "7"),
                                                   ("churn_window_days", "10")])),
    st.tuples(st.just("case"), st.integers(0, 50), st.sampled_from(STATUSES)),  # a follow-up case changes status
    st.tuples(st.just("channel"), st.sampled_from(CHANNELS), st.sampled_from([10, 20, 60]), st.sampled_from([0, 5])),
)


def _apply(store: Store, op, folder, counter) -> None:
    number = next(counter)
    kind = op[0]
    if kind == "import":
        _, rows, explicit_fcr = op
        unique = {}
        for c in rows:  # one row per id in a file (a repeated id is a refused row, not what this test is about)
            unique[(c["channel"], c["id"])] = c
        path = folder / f"contacts_{number}.csv"
        path.write_text(HEADER + "".join(_row(c, explicit_fcr) for c in unique.values()), encoding="utf-8")
        import_file(store, path, ImportOptions(force=True))
    elif kind == "delete":
        ids = [r[0] for r in store.fetchall("SELECT import_id FROM imports ORDER BY 1")]
        if ids:
            delete_import(store, ids[op[1] % len(ids)])
    elif kind == "customers":
        path = folder / f"customers_{number}.csv"
        lines = {cid: day for cid, day in op[1]}
        path.write_text("customer_id,churned_on\n" + "".join(
            f"{cid},{'' if day is None else day.strftime('%Y-%m-%d')}\n" for cid, day in lines.items()),
            encoding="utf-8")
        import_file(store, path, ImportOptions(kind="customers", force=True))
    elif kind == "setting":
        set_setting(store, *op[1])
    elif kind == "case":
        low = cases(store, today=dt.date(2026, 6, 1))
        if len(low):
            case = low.iloc[op[1] % len(low)]
            set_case(store, case["source"], case["contact_id"], op[2])
    else:
        set_channel(store, op[1], sl_threshold_s=op[2], short_abandon_s=op[3])


def _key(r):
    return (r.period, r.channel, r.group, r.metric)


def assert_same(store: Store, **query) -> None:
    ours = {_key(r): r for r in kpis(store, **query)}
    expected = {_key(r): r for r in oracle_kpis(store, **query)}
    assert set(ours) == set(expected), (query, set(ours) ^ set(expected))
    for key, want in expected.items():
        got = ours[key]
        assert got.n == want.n, (query, key, got, want)
        if want.value is None:
            assert got.value is None, (query, key, got, want)
        else:
            assert got.value is not None and math.isclose(got.value, want.value, rel_tol=1e-9, abs_tol=1e-9), \
                (query, key, got, want)
        assert (got.target, got.state) == (want.target, want.state), (query, key, got, want)


QUERIES = (
    [dict(period=p) for p in ("month", "week", "day", "interval", "quarter", "weekday_interval")]
    + [dict(period=p, by=b) for p in ("month", "week", "day", "quarter") for b in ("queue", "team", "agent")]
    + [dict(period="interval", by="queue"), dict(period="weekday_interval", by="team")]
    + [dict(period="month", filters={"queue": ["q1"]}), dict(period="day", filters={"agent": ["a1", "a2"]}),
       dict(period="month", by="team", filters={"agent": ["a3"]}),
       dict(period="month", channels=["voice", "email"]),
       dict(period="quarter", by="queue", metrics=["volume", "fcr", "csat"]),   # no churn asked: none counted
       dict(period="month", by="team", metrics=["churn_rate", "aht"]),
       dict(period="week", date_from="2026-03-29", date_to="2026-04-06"),     # cuts weeks: churn from contacts
       dict(period="month", date_from="2026-03", date_to="2026-04"),
       dict(period="day", date_from="2026-03-29", date_to="2026-03-31")]
)


def check_everything(store: Store) -> None:
    for query in QUERIES:
        assert_same(store, **query)
    # the overdue count, from measures_scores: on the days a case turns overdue (7 days by default) and after
    days = sorted(set(cases(store)["contact_date"].dt.date))
    for today in {d + dt.timedelta(days=k) for d in days[:1] + days[-1:] for k in (7, 8)}:
        assert overdue_count(store, today) == int(cases(store, today=today)["overdue"].sum()), today


@settings(max_examples=int(__import__("os").environ.get("CXMETRICS_PROPERTY_EXAMPLES", "25")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations=st.lists(operation, min_size=1, max_size=6))
def test_measures_equal_the_direct_computation_after_any_changes(tmp_path_factory, operations):
    folder = tmp_path_factory.mktemp("store")
    store = Store(folder / "store.duckdb")
    try:
        set_setting(store, "timezone", "Europe/Berlin")
        counter = itertools.count()
        for op in operations:
            _apply(store, op, folder, counter)
            assert_same(store, period="day")  # every intermediate state, at the finest day grain
            # the customers who contacted, kept by adding each import's counts: what counting the contacts gives
            assert store.fetchall("SELECT * FROM measures_customers ORDER BY ALL") == store.fetchall(
                "SELECT customer_id, count(*) FROM contacts WHERE customer_id IS NOT NULL GROUP BY 1 ORDER BY ALL")
        check_everything(store)
        # the maintained next contacts (repeat FCR's fact) are what a window over every contact gives: the next
        # inbound contact of the customer when it came within the FCR window, else none
        window_s = float(store.settings()["fcr_window_days"]) * 86400
        assert store.fetchall("""
            SELECT c.contact_id, c.next_contact_at, e.expected FROM contacts c LEFT JOIN (
                SELECT source, contact_id, CASE WHEN epoch(following) - epoch(queued_at) <= ? THEN following END
                       AS expected
                FROM (SELECT source, contact_id, queued_at, min(queued_at) OVER (PARTITION BY customer_id
                             ORDER BY queued_at RANGE BETWEEN INTERVAL 1 MICROSECOND FOLLOWING AND UNBOUNDED
                             FOLLOWING) AS following
                      FROM contacts WHERE direction = 'inbound' AND customer_id IS NOT NULL)) e
            USING (source, contact_id)
            WHERE c.direction = 'inbound' AND c.next_contact_at IS DISTINCT FROM e.expected""", [window_s]) == []
        # and maintenance left exactly what a full rebuild gives
        derived = [g.table for g in (*GRAINS, MONTH)] + [MONTH_PARTS]
        maintained = {table: store.fetchall(f"SELECT * FROM {table} ORDER BY ALL") for table in derived}
        churn = store.fetchall("SELECT * FROM measures_churn ORDER BY ALL")
        coverage = store.fetchall("SELECT * FROM measures_coverage ORDER BY ALL")
        scores = store.fetchall("SELECT * FROM measures_scores ORDER BY ALL")
        customers = store.fetchall("SELECT * FROM measures_customers ORDER BY ALL")
        with store.transaction():
            rebuild(store)
        for table in derived:
            assert store.fetchall(f"SELECT * FROM {table} ORDER BY ALL") == maintained[table], table
        assert store.fetchall("SELECT * FROM measures_churn ORDER BY ALL") == churn
        assert store.fetchall("SELECT * FROM measures_coverage ORDER BY ALL") == coverage
        assert store.fetchall("SELECT * FROM measures_scores ORDER BY ALL") == scores
        assert store.fetchall("SELECT * FROM measures_customers ORDER BY ALL") == customers
    finally:
        store.close()


def test_agent_by_interval_is_refused_with_a_reason(store):
    from cxmetrics.errors import UsageError
    with pytest.raises(UsageError, match="agent drill-down is by day, week, month or quarter"):
        kpis(store, "interval", by="agent")


def test_every_measure_column_is_stored_at_every_grain(store):
    for grain in (*GRAINS, MONTH):
        columns = [r[0] for r in store.fetchall(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
            [grain.table])]
        assert columns == list(grain.columns) + (["churn_n", "churn_yes"] if grain is MONTH else [])
        assert set(MEASURE_COLUMNS) <= set(columns)


CENSORING = ("id,channel,queued_at,status,customer_id\n"
             "x1,voice,2026-10-27 10:00:00,answered,X\n"
             "y1,chat,2026-10-28 09:00:00,answered,Y\n"
             "z1,voice,2026-10-29 12:00:00,answered,Z\n")


def test_a_newer_contact_moves_censoring_over_days_the_import_does_not_touch(store, tmp_path):
    (tmp_path / "a.csv").write_text(CENSORING, encoding="utf-8")
    import_file(store, tmp_path / "a.csv")
    fcr = {r.period: r.n for r in kpis(store, "day", metrics=["fcr"])}
    assert fcr == {"2026-10-27": 0, "2026-10-28": 0, "2026-10-29": 0}  # all within 7 days of the newest contact
    (tmp_path / "b.csv").write_text("id,channel,queued_at,status,customer_id\n"
                                    "w1,email,2026-11-04 11:00:00,answered,W\n", encoding="utf-8")
    report = import_file(store, tmp_path / "b.csv")
    fcr = {r.period: (r.value, r.n) for r in kpis(store, "day", metrics=["fcr"])}
    # x1 and y1 are now more than 7 × 24 h before the newest contact: known, and resolved (no repeat)
    assert fcr["2026-10-27"] == (100.0, 1) and fcr["2026-10-28"] == (100.0, 1) and fcr["2026-10-29"][1] == 0
    assert_same(store, period="day")
    delete_import(store, report.import_id)  # undo moves the newest contact back: censored again
    assert {r.period: r.n for r in kpis(store, "day", metrics=["fcr"])} == {
        "2026-10-27": 0, "2026-10-28": 0, "2026-10-29": 0}
    assert_same(store, period="day")


def test_a_repeat_contact_changes_fcr_on_an_earlier_day(store, tmp_path):
    (tmp_path / "a.csv").write_text("id,channel,queued_at,status,customer_id\n"
                                    "x1,voice,2026-03-02 10:00:00,answered,X\n"
                                    "k1,voice,2026-03-20 10:00:00,answered,K\n", encoding="utf-8")
    import_file(store, tmp_path / "a.csv")
    assert [(r.period, r.value) for r in kpis(store, "day", metrics=["fcr"]) if r.n] == [("2026-03-02", 100.0)]
    (tmp_path / "b.csv").write_text("id,channel,queued_at,status,customer_id\n"
                                    "x2,chat,2026-03-05 10:00:00,answered,X\n", encoding="utf-8")
    import_file(store, tmp_path / "b.csv")  # X came back within 7 days: x1 (another day, another channel) not resolved
    assert [(r.period, r.channel, r.value) for r in kpis(store, "day", metrics=["fcr"]) if r.n] == [
        ("2026-03-02", "voice", 0.0), ("2026-03-05", "chat", 100.0)]
    assert_same(store, period="day")


def test_settings_changes_rebuild_what_they_affect(store, tmp_path):
    (tmp_path / "a.csv").write_text(
        "id,channel,queued_at,status,wait_seconds,customer_id\n"
        "v1,voice,2026-03-28 23:30:00,answered,15,A\n"    # Europe/Berlin: 2026-03-29 00:30 (CET, +1)
        "v2,voice,2026-03-29 10:00:00,answered,25,B\n"
        "v3,voice,2026-03-29 10:05:00,abandoned,3,\n", encoding="utf-8")
    import_file(store, tmp_path / "a.csv")
    (tmp_path / "c.csv").write_text("customer_id,churned_on\nA,2026-04-02\n", encoding="utf-8")
    import_file(store, tmp_path / "c.csv", ImportOptions(kind="customers"))
    sl = {r.period: r.value for r in kpis(store, "day", metrics=["service_level"])}
    assert sl == {"2026-03-28": 100.0, "2026-03-29": 0.0}  # threshold 20 s; v3 is a short abandon (< 5 s)
    set_channel(store, "voice", sl_threshold_s=30, short_abandon_s=0)
    sl = {r.period: r.value for r in kpis(store, "day", metrics=["service_level"])}
    assert sl == {"2026-03-28": 100.0, "2026-03-29": 50.0}  # v2 within 30 s; v3 no longer short: 1 of 2
    set_setting(store, "timezone", "Europe/Berlin")  # stored UTC times become Berlin local: v1 moves a day
    assert {r.period: r.n for r in kpis(store, "day", metrics=["volume"])} == {"2026-03-29": 3}
    churn = {r.period: (r.value, r.n) for r in kpis(store, "month", metrics=["churn_rate"])}
    assert churn == {"2026-03": (100.0 / 2, 2)}   # A churned 4 days after: within 30 days
    set_setting(store, "churn_window_days", "3")
    assert {r.period: r.value for r in kpis(store, "month", metrics=["churn_rate"])} == {"2026-03": 0.0}
    check_everything(store)


def test_a_store_from_the_previous_version_builds_its_measures_on_first_open(tmp_path):
    from .conftest import run_cli
    db = tmp_path / "old.duckdb"
    store = Store(db)
    (tmp_path / "a.csv").write_text(CENSORING, encoding="utf-8")
    import_file(store, tmp_path / "a.csv")
    expected = oracle_kpis(store, "month")
    with store.transaction():  # what the previous version left: contacts and no measures tables
        for table in [t for t in store.table_counts() if t.startswith("measures_")]:
            store.execute(f"DROP TABLE {table}")
    store.close()
    messages = []
    reopened = Store(db, on_progress=messages.append)
    assert messages == ["Building the measures layer from 3 stored contacts (once, after an upgrade or a restore) …"]
    assert [(r.period, r.channel, r.metric, r.value, r.n) for r in kpis(reopened, "month")] == [
        (r.period, r.channel, r.metric, r.value, r.n) for r in expected]
    messages.clear()
    Store(db, on_progress=messages.append).close()  # built once: the next open says nothing
    assert messages == []
    with reopened.transaction():
        reopened.execute("DROP TABLE measures_state")
    reopened.close()
    out = run_cli("kpis", "--period", "month", db=db)  # the command line shows the same message on stderr
    assert out.returncode == 0, out.stderr
    assert "Building the measures layer from 3 stored contacts" in out.stderr


def test_a_restored_backup_rebuilds_its_measures(store, tmp_path):
    from cxmetrics.storage import backup, restore
    (tmp_path / "a.csv").write_text(CENSORING, encoding="utf-8")
    import_file(store, tmp_path / "a.csv")
    manifest = backup(store, tmp_path / "backup")
    assert not [t for t in manifest["tables"] if t.startswith("measures_")]  # derived: not in the backup
    fresh = Store(tmp_path / "fresh.duckdb")
    restore(fresh, tmp_path / "backup")
    assert [(r.period, r.channel, r.metric, r.value, r.n) for r in kpis(fresh, "day")] == [
        (r.period, r.channel, r.metric, r.value, r.n) for r in oracle_kpis(fresh, "day")]
    assert fresh.scalar("SELECT sum(offered) FROM measures_day") == 3
    fresh.close()


def test_data_quality_counts_contacted_customers_missing_from_the_export(store, tmp_path):
    from cxmetrics.views import data_quality
    (tmp_path / "a.csv").write_text(CENSORING, encoding="utf-8")   # customers X, Y, Z
    import_file(store, tmp_path / "a.csv")
    (tmp_path / "c.csv").write_text("customer_id,churned_on\nX,\nQ,2026-01-01\n", encoding="utf-8")
    import_file(store, tmp_path / "c.csv", ImportOptions(kind="customers"))
    quality = data_quality(store)
    assert (quality.contacted_customers, quality.unknown_customers) == (3, 2)   # Y and Z are not in the export
    first = store.scalar("SELECT min(import_id) FROM imports WHERE kind = 'contacts'")
    delete_import(store, first)
    quality = data_quality(store)
    assert (quality.contacted_customers, quality.unknown_customers) == (0, 0)
    assert store.scalar("SELECT count(*) FROM measures_customers") == 0


def test_data_quality_says_when_a_channel_is_too_sparse_for_the_missing_days_rule(store, tmp_path):
    """Chat has contacts on 5 of the 30 days from 2 to 31 March: no weekday has contacts on half its occurrences,
    so the usual-weekday rule reports nothing; the page must not say "no missing days". Voice on each of 14 days
    is not sparse."""
    from cxmetrics.quality import sparse_channels
    from cxmetrics.views import data_quality

    chat_days = ["2026-03-02", "2026-03-05", "2026-03-13", "2026-03-20", "2026-03-31"]
    voice_days = [f"2026-03-{d:02d}" for d in range(1, 15)]
    lines = [f"c{i},chat,{d} 10:00,answered" for i, d in enumerate(chat_days)]
    lines += [f"v{i},voice,{d} 10:00,answered" for i, d in enumerate(voice_days)]
    (tmp_path / "s.csv").write_text("id,channel,queued_at,status\n" + "\n".join(lines) + "\n", encoding="utf-8")
    import_file(store, tmp_path / "s.csv")
    assert sparse_channels(store) == {"chat": (5, 30, "2026-03-02", "2026-03-31")}
    warnings = data_quality(store).warnings
    assert len(warnings) == 1 and warnings[0].startswith("Chat: contacts on only 5 of the 30 days from ")
