"""The measures layer: additive measures stored at a few grains, kept in step with every change.

Every view reads these tables instead of the contact rows, so a view's cost follows the number of
days × channels × queues × teams, not the number of contacts. The measures are the registry's
`MEASURES` (spec §3's counts and sums), computed over the inbound contacts of one grain cell.

Grains, chosen by measuring a 1M-contact store (README "Measures layer"):
- `measures_day`: local day × channel × queue × team (months, weeks, days, quarters; queue and team drill-down);
- `measures_agent`: the same × agent (agent drill-down and filters);
- `measures_slot`: local half-hour × channel × queue × team (the interval period and the heatmaps);
- `measures_month`: local month × channel, pooled from the day grain, with the month's churn counts (months and
  quarters asked with neither drill-down nor filter), and `measures_month_parts`: the same months with every
  metric's numerator and denominator under the channel's rules, which the monthly KPI table reads as stored;
- `measures_coverage`: local day × channel × import, all contacts of both directions (coverage, latest data);
- `measures_scores`: inbound contacts with a survey score per local day × channel × (NPS, CSAT, CES), so the
  overdue follow-up count reads thousands of rows, whatever the follow-up thresholds are set to;
- `measures_churn`: distinct-customer churn counts per month, quarter, week and day × channel, the one
  metric that is not additive over days.

Maintained inside the import and undo transactions for the days a change touches (its own days, the
days of contacts whose next contact changed, the days whose FCR censoring moved with the newest
contact), and rebuilt, wholly or per channel, when a setting they depend on changes. The tables are
derived data: not backed up, rebuilt after a restore or when their layout changes (`ensure_built`).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Callable

from .errors import CxError
from .i18n import _, format_number
from .metrics import (AGGREGATED_MEASURES, MEASURES, PARTS, PERIOD_MONTH_SQL, PERIOD_SQL, THRESHOLD_MEASURES,
                      with_channel_rules)
from .schema import OTHER_CHANNEL_DEFAULTS
from .storage import OPEN_HOOKS, Store, TempTable, TempTables, quote_ident

MEASURE_COLUMNS = tuple(MEASURES) + tuple(THRESHOLD_MEASURES)
# Measures that count report rows (whether a figure was rebuilt, whether short abandons were separated): a row spread
# over several half-hours counts whole in each.
ROW_FLAGS = ("sl_rebuilt", "abandon_rebuilt", "short_unseparated", "aggregated_rows")
# How each measure pools over rows: sums, except the reported thresholds (min and max).
POOL = {**{name: "sum" for name in MEASURES}, **THRESHOLD_MEASURES}


@dataclass(frozen=True)
class Grain:
    """One measures table: its time column (and how a contact's local time maps to it) and its keys."""
    table: str
    time: str
    time_sql: str
    keys: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.time, *self.keys, *MEASURE_COLUMNS)


# `span` is the length of the period a row covers: `day` for contacts and for interval and day reports, `week`
# or `month` for a weekly or monthly report's row (kept on the day its period starts).
DAY = Grain("measures_day", "day", "CAST(queued_local AS DATE)", ("span", "channel", "queue", "team"))
AGENT = Grain("measures_agent", "day", "CAST(queued_local AS DATE)", ("span", "channel", "queue", "team", "agent"))
SLOT = Grain("measures_slot", "slot", "time_bucket(INTERVAL 30 MINUTE, queued_local)", ("channel", "queue", "team"))
GRAINS = (AGENT, DAY, SLOT)
# Every row span pooled: a monthly KPI question takes every span (a weekly report's row counts in its first day's month).
MONTH = Grain("measures_month", "day", "CAST(date_trunc('month', queued_local) AS DATE)", ("channel",))

# Churn counts distinct customers, so it is kept per calendar period, for each kind of period.
CHURN_PERIODS = {
    "month": "strftime({t}, '%Y-%m')",
    "quarter": "strftime({t}, '%Y') || 'Q' || quarter({t})",
    "week": "strftime({t}, '%G-W%V')",
    "day": "strftime({t}, '%Y-%m-%d')",
}

_DDL = {
    # contacts of both directions per day, or an aggregated row's offered count over its period (day to last_day)
    "measures_coverage": "day DATE NOT NULL, last_day DATE NOT NULL, span VARCHAR NOT NULL, channel VARCHAR NOT NULL, "
                         "import_id INTEGER NOT NULL, contacts DOUBLE NOT NULL",
    "measures_scores": "day DATE NOT NULL, channel VARCHAR NOT NULL, nps DOUBLE, csat DOUBLE, ces DOUBLE, "
                       "contacts BIGINT NOT NULL",
    "measures_churn": "kind VARCHAR NOT NULL, period VARCHAR NOT NULL, channel VARCHAR NOT NULL, "
                      "churn_n BIGINT NOT NULL, churn_yes BIGINT NOT NULL",
    # every customer id among the stored contacts (both directions) with its number of contacts: distinct customers
    # are not additive over days, and counting them from the contacts took 0.9 s at 10M on every Data quality view
    "measures_customers": "customer_id VARCHAR NOT NULL, contacts BIGINT NOT NULL",
}
for _grain in (*GRAINS, MONTH):
    _types = {_grain.time: "DATE NOT NULL" if _grain.time == "day" else "TIMESTAMP NOT NULL", "channel": "VARCHAR NOT NULL"}
    # counts are DOUBLE: a count rebuilt from a report's percentage (80 % of 217) need not be whole
    _DDL[_grain.table] = ", ".join(
        f"{quote_ident(c)} {_types.get(c, 'VARCHAR' if c in _grain.keys else 'DOUBLE')}" for c in _grain.columns)
_DDL[MONTH.table] += ", churn_n BIGINT NOT NULL, churn_yes BIGINT NOT NULL"  # the month's distinct-customer churn
# The parts every metric is a ratio of (metrics.PARTS) per month × channel, under the channel's rules: the monthly
# KPI table reads them as stored. A channel's settings change rebuilds its rows with the rest of its measures.
MONTH_PARTS = "measures_month_parts"
_DDL[MONTH_PARTS] = ("day DATE NOT NULL, channel VARCHAR NOT NULL, period VARCHAR NOT NULL, target_month VARCHAR, "
                     "sl_reported_min DOUBLE, sl_reported_max DOUBLE, sl_threshold_s DOUBLE, "
                     + ", ".join(f"{name} DOUBLE" for name in PARTS.values()))
TABLES = tuple(_DDL)
# How a report's interval row longer than half an hour fills the half-hour grain (a store built before rebuilds).
SLOT_RULE = "interval rows spread over their half-hours by time"
# A change of grains, measures or metric parts changes the layout; a store whose tables have another layout
# rebuilds them.
LAYOUT = hashlib.sha256(repr((sorted(_DDL.items()), sorted(PARTS.items()), SLOT_RULE)).encode()).hexdigest()[:16]

ProgressFn = Callable[[str], None]


# A store whose measures were built from a Parquet lake (cxmetrics.lake.build_measures) holds no contacts: its
# measures are never recomputed here. The table names the lake; it is derived, so not backed up.
LAKE_MARK = "measures_lake"
LAKE_MARK_DDL = ("folder VARCHAR NOT NULL, manifest_sha256 VARCHAR NOT NULL, engine VARCHAR NOT NULL, "
                 "contacts BIGINT NOT NULL, built_at TIMESTAMPTZ NOT NULL")


def lake_served(store: Store) -> dict | None:
    """The lake whose measures this store serves (folder, manifest_sha256, engine, contacts, built_at), or None."""
    if not store.scalar("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [LAKE_MARK]):
        return None
    rows = store.records(f"SELECT * FROM {quote_ident(LAKE_MARK)}")
    return rows[0] if rows else None


def refuse_if_lake_served(store: Store) -> None:
    """A lake-served store's measures come from the lake: refuse what would recompute them from contacts."""
    served = lake_served(store)
    if served:
        raise CxError(_("{path} serves the measures built from the lake {folder}: it has no contacts to recompute "
                        "them from, so nothing was changed. Import or change settings in the store the lake was "
                        "exported from, then run export-lake and build-measures again.")
                      .format(path=store.path, folder=served["folder"]))


# -- reading state -----------------------------------------------------------------------------------------
def is_built(store: Store) -> bool:
    """Whether the store's measures exist in the current layout."""
    if store.derived_layout == LAYOUT:
        return True
    exists = store.scalar("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'measures_state'")
    built = bool(exists) and store.scalar("SELECT layout FROM measures_state") == LAYOUT
    if built:
        store.derived_layout = LAYOUT  # checked once per Store object
    return built


def ensure_built(store: Store, progress: ProgressFn | None = None) -> bool:
    """Build the measures when the store has none in the current layout (a store made by an earlier
    version, or just restored). Returns True when it built them. `progress` receives one message first."""
    if is_built(store):
        return False
    if store.read_only:
        raise CxError(_("{path} was made by an earlier version of cxmetrics and its measures are not built yet. "
                        "Open it once without CXMETRICS_READONLY to build them.").format(path=store.path))
    with store.write_lock:
        if is_built(store):
            return False
        contacts = int(store.scalar("SELECT count(*) FROM contacts"))
        if progress and contacts:
            progress(_("Building the measures layer from {contacts} stored contacts (once, after an upgrade or "
                       "a restore) …").format(contacts=format_number(contacts)))
        served = lake_served(store)
        if served and progress:  # a lake's measures in an earlier layout: they are dropped, not recomputed
            progress(_("{path} served the measures of the lake {folder} in an earlier layout: run build-measures "
                       "again to serve them.").format(path=store.path, folder=served["folder"]))
        with store.transaction():
            for table in (*TABLES, "measures_state", LAKE_MARK):
                store.execute(f"DROP TABLE IF EXISTS {quote_ident(table)}")
            for table, ddl in _DDL.items():
                store.execute(f"CREATE TABLE {quote_ident(table)} ({ddl})")
            store.execute("CREATE TABLE measures_state (layout VARCHAR NOT NULL)")
            store.execute("INSERT INTO measures_state VALUES (?)", [LAYOUT])
            if contacts or store.scalar("SELECT count(*) FROM aggregated_rows"):  # a new store has nothing to pool
                rebuild(store)
        store.derived_layout = LAYOUT
    return True


# -- maintenance -------------------------------------------------------------------------------------------
class TouchedDays:
    """The local days a change touches, gathered in a temporary table while the change runs."""

    def __init__(self, store: Store, temps: TempTables):
        self.store = store
        self.table: TempTable = temps.create("touched_days", columns=[("day", "DATE")], unique=True)
        # the days whose contacts came or went: churn (distinct customers who contacted) changes on those only
        self.contact_days: TempTable = temps.create("contact_days", columns=[("day", "DATE")], unique=True)

    def add_contacts(self, where: str, params: list | None = None, table: str = "contacts",
                     contacts_changed: bool = True) -> None:
        """The days of the contacts (in `table`) matching `where`; `contacts_changed`: those contacts came or went
        (not only their repeat-contact outcome changed)."""
        days = [day for (day,) in self.store.fetchall(f"SELECT DISTINCT CAST(queued_local AS DATE) "
                                                      f"FROM {quote_ident(table)} WHERE {where}", params or [])]
        for target in (self.table, self.contact_days) if contacts_changed else (self.table,):  # one read, two tables
            self.store.execute(f"INSERT INTO {target} SELECT unnest(CAST(? AS DATE[]))", [days])

    def add_censoring_shift(self, latest_before, latest_after, fcr_window_days: float) -> None:
        """The days whose FCR censoring changed when the newest contact moved from one time to another."""
        if latest_before is None or latest_after is None or latest_before == latest_after:
            return
        window = dt.timedelta(days=fcr_window_days)
        low, high = sorted((latest_before, latest_after))
        self.add_contacts("queued_at > ? AND queued_at <= ?", [low - window, high - window], contacts_changed=False)


def latest_contact(store: Store):
    """The newest queued_at of the store (the FCR censoring point), or None."""
    return store.scalar("SELECT max(queued_at) FROM contacts")


def refresh_days(store: Store, touched: TouchedDays) -> None:
    """Recompute every measure row of the touched days (inside the caller's transaction)."""
    if not store.scalar(f"SELECT count(*) FROM {touched.table}"):
        return
    days = store.fetchone(f"SELECT min(day), max(day) FROM {touched.table}")
    rebuild(store, touched.table, days, churn_days=touched.contact_days)


def rebuild(store: Store, days: TempTable | None = None, day_range=None, channels: list[str] | None = None,
            churn_only: bool = False, churn_days: TempTable | None = None) -> None:
    """Delete and recompute the measure rows of some days (a table of days), some channels, or all of them.

    `churn_days`: the days whose churn is recounted, when not `days` (churn counts the customers who contacted,
    so a day whose repeat-contact outcomes alone changed keeps its count)."""
    refuse_if_lake_served(store)
    settings = store.settings()
    conditions, params = [], []
    if days is not None:
        conditions.append(f"CAST(queued_local AS DATE) IN (SELECT day FROM {days})")
        # the range lets DuckDB skip row groups before the IN test
        conditions.append("queued_local >= CAST(? AS TIMESTAMP) AND queued_local < CAST(? AS TIMESTAMP) + INTERVAL 1 DAY")
        params += list(day_range)
    if channels is not None:
        conditions.append("list_contains(?::VARCHAR[], channel)")
        params.append(list(channels))
    where = " AND ".join(conditions) or "TRUE"
    if days is None and channels is None and not churn_only:
        store.execute("DELETE FROM measures_customers")
        store.execute("INSERT INTO measures_customers SELECT customer_id, count(*) FROM contacts "
                      "WHERE customer_id IS NOT NULL GROUP BY customer_id")
    if not churn_only:
        _delete(store, days, channels)
        _insert_from_contacts(store, settings, where, params)
        _insert_from_reports(store, days, day_range, channels)
        pool_day_grain(store, *_grain_filter(AGENT, days, channels))
    churn_range = day_range
    if churn_days is not None:
        churn_range = store.fetchone(f"SELECT min(day), max(day) FROM {churn_days}")
    if churn_days is None or churn_range[0] is not None:
        _rebuild_churn(store, settings, days if churn_days is None else churn_days, churn_range, channels)
    pool_month_grain(store, days, channels)  # last: a month row holds the month's churn counts too


def count_customers_of_import(store: Store, import_id: int, sign: int) -> None:
    """measures_customers after an import is loaded (`sign` +1) or before it is undone (−1): its contacts count
    `sign` for their customers, the contacts it replaced −`sign`. Counts are added, so only the import's customers
    are read and written (inside the caller's transaction); a customer left with no contact is removed."""
    with store.temp_tables() as temps:
        delta = temps.create("customer_delta", """
            SELECT customer_id, sum(n) AS n FROM (
                SELECT customer_id, CAST(? AS BIGINT) AS n FROM contacts WHERE import_id = ?
                UNION ALL SELECT customer_id, CAST(? AS BIGINT) FROM contacts_replaced WHERE replaced_by = ?)
            WHERE customer_id IS NOT NULL GROUP BY customer_id HAVING sum(n) <> 0""",
                             [sign, import_id, -sign, import_id], unique=True)
        merged = temps.create("customer_counts", f"SELECT d.customer_id, coalesce(m.contacts, 0) + d.n AS contacts "
                              f"FROM {delta} d LEFT JOIN measures_customers m USING (customer_id)", unique=True)
        store.execute(f"DELETE FROM measures_customers WHERE customer_id IN (SELECT customer_id FROM {delta})")
        store.execute(f"INSERT INTO measures_customers SELECT customer_id, contacts FROM {merged} WHERE contacts > 0")


def pool_day_grain(store: Store, where: str = "TRUE", params: list | None = None) -> None:
    """The day grain pools the agent grain: the same counts, without a second pass over the contacts."""
    pooled = ", ".join(f"{POOL[c]}({quote_ident(c)}) AS {quote_ident(c)}" for c in MEASURE_COLUMNS)
    store.execute(f"INSERT INTO measures_day SELECT day, span, channel, queue, team, {pooled} FROM measures_agent "
                  f"WHERE {where} GROUP BY ALL ORDER BY day", params or [])


def pool_month_grain(store: Store, days: TempTable | None = None, channels: list[str] | None = None) -> None:
    """The month grain: the day grain pooled again, and the month's churn counts (measures_churn), for every
    month holding a touched day (all months when no days are given); then those months' metric parts. Its rows
    are recomputed whole: the day grain holds the month's untouched days too."""
    month = "CAST(date_trunc('month', day) AS DATE)"
    conditions, params = [], []
    if channels is not None:
        conditions.append("list_contains(?::VARCHAR[], channel)")
        params.append(list(channels))
    if days is None:
        month_where, month_params = " AND ".join(conditions) or "TRUE", params
        source_where, source_params = month_where, params
    else:
        first, last = store.fetchone(f"SELECT min(day), max(day) FROM {days}")
        if first is None:
            return
        months = f"(SELECT DISTINCT {month} FROM {days})"
        month_where, month_params = " AND ".join([f"day IN {months}", *conditions]), params
        # the day grain's days by their month; the range lets DuckDB skip its row groups outside those months
        source_where = " AND ".join(["day >= date_trunc('month', CAST(? AS DATE))",
                                     "day < date_trunc('month', CAST(? AS DATE)) + INTERVAL 1 MONTH",
                                     f"{month} IN {months}", *conditions])
        source_params = [first, last] + params
    for table in (MONTH.table, MONTH_PARTS):
        store.execute(f"DELETE FROM {table} WHERE {month_where}", month_params)
    pooled = ", ".join(f"{POOL[c]}({quote_ident(c)}) AS {quote_ident(c)}" for c in MEASURE_COLUMNS)
    churn_period = CHURN_PERIODS["month"].format(t="m.day")
    store.execute(f"""
        INSERT INTO measures_month
        SELECT m.*, coalesce(c.churn_n, 0), coalesce(c.churn_yes, 0)
        FROM (SELECT {month} AS day, channel, {pooled} FROM measures_day WHERE {source_where} GROUP BY ALL) m
        LEFT JOIN measures_churn c ON c.kind = 'month' AND c.channel = m.channel AND c.period = {churn_period}
        ORDER BY m.day""", source_params)
    rules, rules_params = with_channel_rules(
        f"SELECT {PERIOD_SQL['month'].format(t='day')} AS period, {PERIOD_MONTH_SQL['month'].format(t='day')} "
        f"AS target_month, * FROM measures_month WHERE {month_where}", None)
    parts = ", ".join(f"CAST(({sql}) AS DOUBLE) AS {name}" for sql, name in PARTS.items())
    store.execute(f"INSERT INTO {MONTH_PARTS} SELECT day, channel, period, target_month, sl_reported_min, "
                  f"sl_reported_max, sl_threshold_s, {parts} FROM ({rules}) ORDER BY day",
                  rules_params + month_params)


def _insert_from_contacts(store: Store, settings: dict, where: str, params: list) -> None:
    other = OTHER_CHANNEL_DEFAULTS
    window_s = float(settings["fcr_window_days"]) * 86400
    base = f"""
        SELECT c.*, 'day' AS span, coalesce(cs.sl_threshold_s, ?) AS sl_threshold_s,
               coalesce(cs.short_abandon_s, ?) AS short_abandon_s, CAST(? AS DOUBLE) AS fcr_window_s,
               epoch(c.queued_at) + ? > epoch((SELECT max(queued_at) FROM contacts)) AS fcr_censored
        FROM (SELECT * FROM contacts WHERE direction = 'inbound' AND {where}) c
        LEFT JOIN channel_settings cs USING (channel)"""
    base_params = [float(other.sl_threshold_s), float(other.short_abandon_s), window_s, window_s] + params
    aggregates = ", ".join([f"{sql} AS {quote_ident(name)}" for name, sql in MEASURES.items()]
                           + [f"CAST(NULL AS DOUBLE) AS {quote_ident(name)}" for name in THRESHOLD_MEASURES])
    for grain in (AGENT, SLOT):
        keys = ", ".join(quote_ident(k) for k in grain.keys)
        # in time order: the next import's delete of its days then touches the last row groups only, and a
        # commit rewrites only those (unordered, every row group held a few deleted rows: +0.7 s at 10M)
        store.execute(f"INSERT INTO {grain.table} SELECT {grain.time_sql} AS {grain.time}, {keys}, {aggregates} "
                      f"FROM ({base}) GROUP BY ALL ORDER BY {grain.time}", base_params)
    store.execute("INSERT INTO measures_coverage SELECT CAST(queued_local AS DATE), CAST(queued_local AS DATE), 'day', "
                  f"channel, import_id, count(*) FROM contacts WHERE {where} GROUP BY ALL ORDER BY 1", params)
    store.execute("INSERT INTO measures_scores SELECT CAST(queued_local AS DATE), channel, nps, csat, ces, count(*) "
                  f"FROM contacts WHERE direction = 'inbound' AND {where} "
                  "AND (nps IS NOT NULL OR csat IS NOT NULL OR ces IS NOT NULL) GROUP BY ALL ORDER BY 1", params)


def _insert_from_reports(store: Store, days: TempTable | None, day_range, channels: list[str] | None) -> None:
    """The rows of aggregated reports (spec §1b): each row's measures, at the grains its period allows."""
    conditions, params = ["TRUE"], []
    if days is not None:
        conditions.append(f"CAST(period_start AS DATE) IN (SELECT day FROM {days})")
    if channels is not None:
        conditions.append("list_contains(?::VARCHAR[], channel)")
        params.append(list(channels))
    where = " AND ".join(conditions)
    span = "CASE WHEN grain IN ('week', 'month') THEN grain ELSE 'day' END"
    inbound = f"direction = 'inbound' AND {where}"
    store.execute(f"INSERT INTO measures_agent SELECT CAST(period_start AS DATE), {span}, channel, queue, team, agent, "
                  f"{_report_measures()} FROM aggregated_rows WHERE {inbound} GROUP BY ALL", params)
    # An interval row longer than the half-hour grain (an hourly report) is spread over the half-hours it covers in
    # proportion to the time it spends in each (half each, for an hour): contacts assumed to arrive evenly within
    # the row, as a workforce planner splits an hourly figure. Whether a row was reported is not a share of it.
    share = "(epoch(least(period_end, slot + INTERVAL 30 MINUTE)) - epoch(greatest(period_start, slot))) " \
            "/ (epoch(period_end) - epoch(period_start))"
    store.execute(f"""
        INSERT INTO measures_slot
        SELECT slot, channel, queue, team, {_report_measures(share)}
        FROM (SELECT *, unnest(generate_series(time_bucket(INTERVAL 30 MINUTE, period_start),
                                               period_end - INTERVAL 1 MICROSECOND, INTERVAL 30 MINUTE)) AS slot
              FROM aggregated_rows WHERE grain = 'interval' AND {inbound})
        GROUP BY slot, channel, queue, team""", params)
    store.execute(f"INSERT INTO measures_coverage SELECT CAST(period_start AS DATE), "
                  "CAST(period_end - INTERVAL 1 MICROSECOND AS DATE), "
                  f"{span}, channel, import_id, sum(offered) FROM aggregated_rows WHERE {where} GROUP BY ALL", params)


def _report_measures(share: str | None = None) -> str:
    """Each measure pooled over report rows; with `share`, each row's counts weighted by it (row flags stay whole)."""
    def weighted(name: str, sql: str) -> str:
        return sql if share is None or name in ROW_FLAGS else f"{sql} * {share}"
    return ", ".join([f"sum({weighted(name, sql)}) AS {quote_ident(name)}" for name, sql in AGGREGATED_MEASURES.items()]
                     + [f"{pool}(sl_threshold_s) AS {quote_ident(name)}" for name, pool in THRESHOLD_MEASURES.items()])


def _grain_filter(grain: Grain, days: TempTable | None, channels: list[str] | None) -> tuple[str, list]:
    conditions, params = [], []
    if days is not None:
        time = grain.time if grain.time == "day" else f"CAST({grain.time} AS DATE)"
        conditions.append(f"{time} IN (SELECT day FROM {days})")
    if channels is not None:
        conditions.append("list_contains(?::VARCHAR[], channel)")
        params.append(list(channels))
    return " AND ".join(conditions) or "TRUE", params


def _delete(store: Store, days: TempTable | None, channels: list[str] | None) -> None:
    for grain in GRAINS:
        where, params = _grain_filter(grain, days, channels)
        store.execute(f"DELETE FROM {grain.table} WHERE {where}", params)
    where, params = _grain_filter(DAY, days, channels)
    store.execute(f"DELETE FROM measures_coverage WHERE {where}", params)
    store.execute(f"DELETE FROM measures_scores WHERE {where}", params)


def _rebuild_churn(store: Store, settings: dict, days: TempTable | None, day_range,
                   channels: list[str] | None) -> None:
    """Recount the churn of every period (of each kind) that holds a touched day, from one read of the contacts."""
    have_customers = bool(store.scalar("SELECT count(*) > 0 FROM customers"))
    channel_filter, channel_params = ("list_contains(?::VARCHAR[], channel)", [list(channels)]) if channels else ("TRUE", [])
    with store.temp_tables() as temps:
        if have_customers:
            conditions, params = ["c.direction = 'inbound'", "c.customer_id IS NOT NULL"], []
            if channels:
                conditions.append("list_contains(?::VARCHAR[], c.channel)")
                params += channel_params
            if days is not None:
                # whole periods around the touched days: a period's distinct customers are recounted over all its
                # days; the widest of the four kinds of period bounds the one read
                low = "least(" + ", ".join(f"date_trunc('{k}', CAST(? AS DATE))" for k in CHURN_PERIODS) + ")"
                high = "greatest(" + ", ".join(f"date_trunc('{k}', CAST(? AS DATE)) + INTERVAL 1 {k}"
                                               for k in CHURN_PERIODS) + ")"
                conditions.append(f"c.queued_local >= {low} AND c.queued_local < {high}")
                params += [day_range[0]] * len(CHURN_PERIODS) + [day_range[1]] * len(CHURN_PERIODS)
            base = temps.create("churn_contacts", f"""
                SELECT c.channel, c.customer_id, CAST(c.queued_local AS DATE) AS contact_day,
                       coalesce(cu.churned_on > CAST(c.queued_local AS DATE)
                                AND cu.churned_on <= CAST(c.queued_local AS DATE) + CAST(? AS INTEGER), FALSE) AS churned
                FROM contacts c LEFT JOIN customers cu ON cu.customer_id = c.customer_id
                WHERE {' AND '.join(conditions)}""", [int(settings["churn_window_days"])] + params)
        for kind, template in CHURN_PERIODS.items():
            of_day = template.format(t="day")
            touched = f" AND period IN (SELECT {of_day} FROM {days})" if days is not None else ""
            store.execute(f"DELETE FROM measures_churn WHERE kind = ? AND {channel_filter}{touched}",
                          [kind] + channel_params)
            if not have_customers:
                continue
            # Distinct customers in two steps (each customer once per period, then counted): several times faster
            # than count(DISTINCT …); periods are keyed by their first day and named at the end.
            starts = (f" AND start IN (SELECT DISTINCT date_trunc('{kind}', day) FROM {days})"
                      if days is not None else "")
            store.execute(f"""
                INSERT INTO measures_churn
                SELECT ?, {template.format(t="start")}, channel, count(*), count(*) FILTER (WHERE churned)
                FROM (SELECT date_trunc('{kind}', contact_day) AS start, channel, customer_id, bool_or(churned) AS churned
                      FROM {base} GROUP BY ALL)
                WHERE TRUE{starts}
                GROUP BY start, channel""", [kind])


OPEN_HOOKS.append(ensure_built)  # a writable store is brought up to date when opened
