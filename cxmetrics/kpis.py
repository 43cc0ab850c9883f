"""KPIs from the registry: the measures query and one row per period × channel (× group) × metric (spec §3)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Protocol

from .errors import UsageError
from .i18n import _
from .measures import AGENT, CHURN_PERIODS, DAY, MEASURE_COLUMNS, MONTH, MONTH_PARTS, POOL, SLOT, Grain, ensure_built
from .metrics import (GROUPS, METRICS, PERIOD_MONTH_SQL, PERIOD_SQL, PERIODS, REGISTRY, metric, parts_of,
                      with_channel_rules)
from .months import day_bound
from .schema import OTHER_CHANNEL_DEFAULTS
from .settings import DEFAULT_SETTINGS
from .storage import Store, quote_ident
from .targets import TargetBook, list_targets, month_state


# The store's settings, or a function giving them: read only when churn is counted from the contact rows.
Settings = dict[str, str] | Callable[[], dict[str, str]] | None


@dataclass
class KpiRow:
    period: str
    channel: str
    metric: str
    value: float | None
    n: int
    target: float | None = None
    state: str | None = None
    group: str | None = None
    tolerance_pct: float | None = None
    rebuilt: bool = False  # pooled from counts an aggregated report gave only as percentages (spec §1b)
    reported_threshold: tuple[float, float] | None = None  # (lowest, highest) SL threshold reports used, when
                                                           # it differs from the channel's setting


class PooledSource(Protocol):
    """Where pooled measures come from when not from the store's measures tables (cxmetrics.lake: a Parquet
    lake computed by DuckDB or Spark)."""

    def pooled(self, store: Store, question: "Question", churn: bool) -> str:
        """A relation of `store` with one row per channel × period (× grp): target_month, every measure of
        MEASURE_COLUMNS pooled, churn_n and churn_yes."""


@dataclass(frozen=True)
class Question:
    """What a KPI query asks: the period, the drill-down, the date range (bounds at midnight) and the selection."""
    period: str
    by: str | None
    lower: dt.datetime | None  # first local instant, inclusive
    upper: dt.datetime | None  # end, exclusive
    channels: tuple[str, ...] | None
    filters: dict[str, list[str]]


def question(period: str = "month", by: str | None = None, date_from=None, date_to=None,
             channels: list[str] | None = None, filters: dict[str, list[str]] | None = None) -> Question:
    """A checked question: the period, drill-down and filters known; the bounds at midnight (UsageError if not)."""
    if period not in PERIOD_SQL:
        raise UsageError(_("--period must be one of {periods}, not {period!r}").format(periods=", ".join(PERIODS),
                                                                                      period=period))
    if by is not None and by not in GROUPS:
        raise UsageError(_("--by must be one of {groups}, not {by!r}").format(groups=", ".join(GROUPS), by=by))
    filters = {column: list(values) for column, values in (filters or {}).items() if values}
    for column in filters:
        if column not in GROUPS:
            raise UsageError(_("cannot filter on {column!r}; filters are {groups}").format(column=column,
                                                                                          groups=", ".join(GROUPS)))
    grain = _grain_for(period, by, filters)
    return Question(period, by, _bound(date_from, grain), _bound(date_to, grain, end=True),
                    tuple(channels) if channels else None, filters)


def kpis(store: Store, period: str = "month", by: str | None = None, channels: list[str] | None = None,
         date_from=None, date_to=None, metrics: list[str] | None = None,
         filters: dict[str, list[str]] | None = None, source: PooledSource | None = None) -> list[KpiRow]:
    """One row per period × channel (× group) × metric with at least one contact, in registry order.

    `filters` keeps only contacts whose queue/team/agent is among the values given. `source` pools the measures
    elsewhere (a lake); the store then gives the settings and targets, and the metrics are the same ratios.
    """
    metric_ids = list(metrics) if metrics else [m.id for m in REGISTRY]
    for mid in metric_ids:
        metric(mid)
    metric_ids = [m.id for m in REGISTRY if m.id in metric_ids]
    if source is None:
        ensure_built(store)
        sql, params = kpi_sql(metric_ids, period, by, date_from, date_to, channels, filters, store.settings)
    else:
        asked = question(period, by, date_from, date_to, channels, filters)
        relation = source.pooled(store, asked, _needs_churn(metric_ids))
        rules_sql, params = with_channel_rules(f"SELECT * FROM {relation}", by)
        sql = ratio_sql(metric_ids, by, rules_sql)
    book = TargetBook(list_targets(store))  # first: the store's cursor then runs the KPI query
    return _kpi_rows(metric_ids, by, store.execute(sql, params), book)


def _kpi_rows(metric_ids: list[str], by: str | None, cursor, book: TargetBook) -> list[KpiRow]:
    """The long rows from ratio_sql's wide ones, in period, channel (, group) and registry order: each metric's
    value from its pooled parts, its target and state."""
    columns = {d[0]: i for i, d in enumerate(cursor.description)}
    parts = {sql: columns[name] for sql, name in parts_of(metric_ids).items()}
    period_i, channel_i, month_i = columns["period"], columns["channel"], columns["target_month"]
    grp_i = columns.get("grp")
    low_i, high_i, setting_i = columns["sl_reported_min"], columns["sl_reported_max"], columns["sl_threshold_s"]
    plan = [(m, m.id, parts[m.numerator], parts[m.denominator], parts.get(m.rebuilt_from), m.targeted,
             m.id == "service_level")
            for m in (METRICS[mid] for mid in metric_ids)]
    default_threshold = OTHER_CHANNEL_DEFAULTS.sl_threshold_s
    in_force = book.in_force
    out = []
    # sorted here, not in SQL: DuckDB's ORDER BY costs a millisecond however few the rows (NULL groups last, as
    # ORDER BY puts them; str order is the byte order of UTF-8)
    rows = cursor.fetchall()
    rows.sort(key=(lambda r: (r[period_i], r[channel_i])) if grp_i is None else
              (lambda r: (r[period_i], r[channel_i], r[grp_i] is None, r[grp_i] or "")))
    for row in rows:
        period, channel, target_month = row[period_i], row[channel_i], row[month_i]
        grp = None if grp_i is None else row[grp_i]
        reported = None
        if row[low_i] is not None:
            setting = default_threshold if row[setting_i] is None else row[setting_i]
            if (row[low_i], row[high_i]) != (setting, setting):
                reported = (row[low_i], row[high_i])
        for m, mid, num_i, den_i, rebuilt_i, targeted, is_sl in plan:
            denominator = row[den_i]
            value = m.value(row[num_i], denominator)
            # n: the denominator as a count; round() rounds half to even, as DuckDB's CAST to BIGINT does
            n = 0 if denominator is None else round(denominator)
            rebuilt = rebuilt_i is not None and bool(row[rebuilt_i] and row[rebuilt_i] > 0)
            t = in_force(channel, mid, target_month) if targeted and target_month else None
            if t is None:
                out.append(KpiRow(period, channel, mid, value, n, None, None, grp, None, rebuilt,
                                  reported if is_sl else None))
            else:
                out.append(KpiRow(period, channel, mid, value, n, t.target, month_state(mid, value, t), grp,
                                  t.tolerance_pct, rebuilt, reported if is_sl else None))
    return out


def coarser_data(store: Store, period: str, channels: list[str] | None = None, date_from=None,
                 date_to=None) -> dict[str, str]:
    """Channels whose data in the range is too coarse for `period` (spec §1b: a monthly report has no daily
    view, no heatmap), with the finest grain they have: what a view says instead of drawing nothing."""
    lower, upper = day_bound(date_from), day_bound(date_to, end=True)
    where, params = selection_where("day", lower, upper, channels, {})
    if period in ("interval", "weekday_interval"):
        slot_where, slot_params = selection_where("slot", lower, upper, channels, {})
        rows = store.fetchall(f"""
            WITH days AS (SELECT channel, sum(offered) AS offered, max(CASE span WHEN 'month' THEN 3 WHEN 'week'
                                 THEN 2 ELSE 1 END) AS coarsest FROM measures_day WHERE {where} GROUP BY channel),
                 slots AS (SELECT channel, sum(offered) AS offered FROM measures_slot WHERE {slot_where} GROUP BY channel)
            SELECT d.channel, ['day', 'week', 'month'][d.coarsest]
            FROM days d LEFT JOIN slots s USING (channel) WHERE d.offered > coalesce(s.offered, 0)""",
            params + slot_params)
        return dict(rows)
    coarser = {"day": ("week", "month"), "week": ("month",)}.get(period, ())
    if not coarser:
        return {}
    rows = store.fetchall(f"SELECT channel, ['day', 'week', 'month'][max(CASE span WHEN 'month' THEN 3 "
                          f"WHEN 'week' THEN 2 ELSE 1 END)] FROM measures_day WHERE {where} "
                          "AND list_contains(?::VARCHAR[], span) GROUP BY channel", params + [list(coarser)])
    return dict(rows)


def measures_sql(period: str = "month", by: str | None = None, date_from=None, date_to=None,
                 channels: list[str] | None = None, filters: dict[str, list[str]] | None = None,
                 settings: Settings = None, churn: bool = True) -> tuple[str, list]:
    """SQL giving one row per channel × period (× group) with every measure pooled; and its parameters.

    Reads the measures tables (cxmetrics.measures): the finest grain the question needs. `date_to` is
    inclusive (a day, or a whole month when given as YYYY-MM). churn=False leaves the churn counts at 0, for
    questions that ask no churn metric: a drill-down's churn counts distinct customers from the contact rows.
    """
    asked = question(period, by, date_from, date_to, channels, filters)
    filters, lower, upper = asked.filters, asked.lower, asked.upper
    grain = _pooling_grain(asked)
    group_col = f", {quote_ident(by)} AS grp" if by else ""
    # contacts without a queue, team or agent are a group of their own, churn included (NULL-safe join)
    group_on = " AND churn.grp IS NOT DISTINCT FROM grouped.grp" if by else ""
    where, params = selection_where(grain.time, lower, upper, channels, filters)
    sums = ",\n               ".join(f"{POOL[c]}({quote_ident(c)}) AS {quote_ident(c)}" for c in MEASURE_COLUMNS)
    spans = _SPANS.get(period)
    if spans:  # a weekly or monthly report's row is not split into days (spec §1b)
        where += " AND list_contains(?::VARCHAR[], span)"
        params.append(list(spans))
    t = grain.time
    if not churn:
        churn_sql, churn_params = ("SELECT channel, period, 0 AS churn_n, 0 AS churn_yes FROM grouped WHERE FALSE", [])
        if by:
            churn_sql = churn_sql.replace("period,", "period, grp,")
    elif by is None and not filters and period in CHURN_PERIODS and _whole_periods(period, lower, upper):
        churn_sql, churn_params = ("SELECT channel, period, churn_n, churn_yes FROM measures_churn WHERE kind = ?",
                                   [period])
    else:
        stored = settings() if callable(settings) else settings
        window = int({**DEFAULT_SETTINGS, **(stored or {})}["churn_window_days"])
        churn_sql, churn_params = _churn_from_contacts(period, by, lower, upper, channels, filters, window)
    pooled = f"""
    WITH grouped AS (
        SELECT channel, {PERIOD_SQL[period].format(t=t)} AS period,
               any_value({PERIOD_MONTH_SQL[period].format(t=t)}) AS target_month{group_col},
               {sums}
        FROM {grain.table}
        WHERE {where}
        GROUP BY ALL
    ),
    churn AS ({churn_sql})
    SELECT grouped.*, coalesce(churn.churn_n, 0) AS churn_n, coalesce(churn.churn_yes, 0) AS churn_yes
    FROM grouped LEFT JOIN churn ON churn.channel = grouped.channel AND churn.period = grouped.period{group_on}
    """
    sql, rules_params = with_channel_rules(pooled, by)
    return sql, rules_params + params + churn_params


CHURN_MEASURES = ("churn_n", "churn_yes")  # the counts measures_sql takes from measures_churn or the contacts
_SPANS = {"day": ("day",), "week": ("day", "week")}  # the row spans each period can pool; others take all


def _pooling_grain(asked: Question) -> Grain:
    """The coarsest measures table that answers the question: whole months of every group come from the month
    grain."""
    grain = _grain_for(asked.period, asked.by, asked.filters)
    if (grain is DAY and asked.period in ("month", "quarter") and asked.by is None and not asked.filters
            and _whole_periods("month", asked.lower, asked.upper)):
        return MONTH
    return grain


def _grain_for(period: str, by: str | None, filters: dict[str, list[str]]) -> Grain:
    needs_agent = by == "agent" or "agent" in filters
    if period in ("interval", "weekday_interval"):
        if needs_agent:
            raise UsageError(_("agent drill-down is by day, week, month or quarter, not by half-hour interval: "
                               "choose another --period, or drill down by queue or team"))
        return SLOT
    return AGENT if needs_agent else DAY


def _bound(value, grain: Grain, end: bool = False) -> dt.datetime | None:
    bound = day_bound(value, end=end)
    if bound is not None and grain.time == "day" and bound.time() != dt.time():
        raise UsageError(_("{value!r}: periods start at midnight; give a day (YYYY-MM-DD) or a month (YYYY-MM)")
                         .format(value=value))
    return bound


def selection_where(time: str, lower, upper, channels, filters: dict[str, list[str]] | None = None,
                    channel: str = "channel") -> tuple[str, list]:
    """A WHERE clause and its bind parameters: `time` within [lower, upper), the channels, and a list of values per
    filter column. Column names come from the caller's own SQL (or the schema), values are always parameters."""
    where, params = ["TRUE"], []
    cast = "DATE" if time == "day" else "TIMESTAMP"
    if lower is not None:
        where.append(f"{time} >= CAST(? AS {cast})")
        params.append(lower)
    if upper is not None:
        where.append(f"{time} < CAST(? AS {cast})")
        params.append(upper)
    if channels:
        where.append(f"list_contains(?::VARCHAR[], {channel})")
        params.append(list(channels))
    for column, values in (filters or {}).items():
        where.append(f"list_contains(?::VARCHAR[], {quote_ident(column)})")
        params.append(values)
    return " AND ".join(where), params


def _whole_periods(period: str, lower, upper) -> bool:
    """Whether the date range starts and ends on the period's boundaries (the stored churn counts whole periods)."""
    def starts_period(bound) -> bool:
        day = bound.date()
        return {"day": True, "week": day.weekday() == 0, "month": day.day == 1,
                "quarter": day.day == 1 and day.month % 3 == 1}[period]
    return all(b is None or starts_period(b) for b in (lower, upper))


def _churn_from_contacts(period: str, by, lower, upper, channels, filters,
                         churn_window_days: int) -> tuple[str, list]:
    """Distinct-customer churn for a drill-down or a range that cuts a period: counted from the contact rows."""
    group_col = f", c.{quote_ident(by)} AS grp" if by else ""
    where, params = selection_where("c.queued_local", lower, upper, channels, {})
    for column, values in (filters or {}).items():
        where += f" AND list_contains(?::VARCHAR[], c.{quote_ident(column)})"
        params.append(values)
    sql = f"""
        SELECT channel, period{', grp' if by else ''}, count(DISTINCT customer_id) AS churn_n,
               count(DISTINCT customer_id) FILTER (WHERE churned_on > contact_day
                                                   AND churned_on <= contact_day + CAST(? AS INTEGER)) AS churn_yes
        FROM (SELECT c.channel, {PERIOD_SQL[period].format(t="c.queued_local")} AS period{group_col},
                     c.customer_id, cu.churned_on, CAST(c.queued_local AS DATE) AS contact_day
              FROM contacts c LEFT JOIN customers cu ON cu.customer_id = c.customer_id
              WHERE c.direction = 'inbound' AND c.customer_id IS NOT NULL AND {where}
                AND (SELECT count(*) > 0 FROM customers))
        GROUP BY ALL"""
    return sql, [churn_window_days] + params


def _needs_churn(metric_ids: list[str]) -> bool:
    return any(c in (metric(mid).numerator, metric(mid).denominator) for mid in metric_ids for c in CHURN_MEASURES)


def kpi_sql(metric_ids: list[str], period: str, by: str | None, date_from, date_to,
            channels: list[str] | None, filters: dict[str, list[str]] | None = None,
            settings: Settings = None) -> tuple[str, list]:
    """Wide format: one row per period × channel (× grp) with the parts of the metrics asked (ratio_sql). Whole
    months of every group read the parts stored per month (measures.MONTH_PARTS)."""
    asked = question(period, by, date_from, date_to, channels, filters)
    if period == "month" and _pooling_grain(asked) is MONTH:
        where, params = selection_where("day", asked.lower, asked.upper, asked.channels)
        return (f"SELECT period, channel, target_month, sl_reported_min, sl_reported_max, sl_threshold_s, "
                f"{', '.join(parts_of(metric_ids).values())} FROM {MONTH_PARTS} WHERE {where}"), params
    base_sql, params = measures_sql(period, by, date_from, date_to, channels, filters, settings,
                                    _needs_churn(metric_ids))
    return ratio_sql(metric_ids, by, base_sql), params


def ratio_sql(metric_ids: list[str], by: str | None, base_sql: str) -> str:
    """The parts each metric asked is a ratio of, over the pooled measures and channel rules of `base_sql`: one
    row per period × channel (× grp), unordered, each distinct part once (named as in metrics.PARTS), and the
    channel's SL threshold setting. Short on purpose: with few rows, DuckDB spends most of a query parsing and
    planning it. Metric.value divides the parts (kpis._kpi_rows)."""
    grp = ", grp" if by else ""
    columns = ", ".join(f"{sql} AS {name}" for sql, name in parts_of(metric_ids).items())
    return (f"SELECT period, channel{grp}, target_month, sl_reported_min, sl_reported_max, sl_threshold_s, "
            f"{columns} FROM ({base_sql})")
