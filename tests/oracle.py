"""The test oracle: every metric computed directly from the contact rows, in one query.

This is the direct path the measures layer replaced (cxmetrics.kpis reads the measures tables). It is
kept here, as the reference the property test compares the measures layer against, and not as a
second production path. It shares the registry's per-contact aggregates (`MEASURES`) and the
metric formulas; what it does not share is every step in between: no stored measures, no
maintenance, no grain choice, no churn table.
"""
from __future__ import annotations

from cxmetrics.errors import UsageError
from cxmetrics.kpis import KpiRow
from cxmetrics.metrics import GROUPS, MEASURES, METRICS, PERIOD_MONTH_SQL, PERIOD_SQL, PERIODS, REGISTRY, metric
from cxmetrics.months import day_bound
from cxmetrics.schema import OTHER_CHANNEL_DEFAULTS
from cxmetrics.settings import DEFAULT_SETTINGS
from cxmetrics.storage import Store, quote_ident
from cxmetrics.targets import TargetBook, list_targets, month_state

CHURN_MEASURES = {
    "churn_n": "count(DISTINCT customer_id)",
    "churn_yes": "count(DISTINCT customer_id) FILTER (WHERE churned_on > contact_day AND "
                 "churned_on <= contact_day + churn_window_days)",
}


def oracle_kpis(store: Store, period: str = "month", by: str | None = None, channels: list[str] | None = None,
                date_from=None, date_to=None, metrics: list[str] | None = None,
                filters: dict[str, list[str]] | None = None) -> list[KpiRow]:
    """cxmetrics.kpis.kpis, computed from the contact rows."""
    metric_ids = list(metrics) if metrics else [m.id for m in REGISTRY]
    metric_ids = [m.id for m in REGISTRY if m.id in metric_ids]
    sql, params = kpi_sql(metric_ids, period, by, date_from, date_to, channels, filters, store.settings())
    book = TargetBook(list_targets(store))
    out = []
    for row in store.records(sql, params):
        value = row["value"]
        t = (book.in_force(row["channel"], row["metric"], row["target_month"])
             if METRICS[row["metric"]].targeted and row["target_month"] else None)
        out.append(KpiRow(row["period"], row["channel"], row["metric"], value, int(row["n"] or 0),
                          None if t is None else t.target, month_state(row["metric"], value, t),
                          row.get("grp"), None if t is None else t.tolerance_pct))
    return out


def measures_sql(period: str = "month", by: str | None = None, date_from=None, date_to=None,
                 channels: list[str] | None = None, filters: dict[str, list[str]] | None = None,
                 settings: dict[str, str] | None = None) -> tuple[str, list]:
    """SQL giving one row per channel × period (× group) with every measure; and its parameters.

    `date_to` is inclusive (a day, or a whole month when given as YYYY-MM).
    """
    if period not in PERIOD_SQL:
        raise UsageError(f"--period must be one of {', '.join(PERIODS)}, not {period!r}")
    if by is not None and by not in GROUPS:
        raise UsageError(f"--by must be one of {', '.join(GROUPS)}, not {by!r}")
    group_col = f", {quote_ident(by)} AS grp" if by else ""
    group_key = ", grp" if by else ""
    group_on = " AND churn.grp IS NOT DISTINCT FROM counts.grp" if by else ""
    params: list = []
    where = ["c.direction = 'inbound'"]
    lower, upper = day_bound(date_from), day_bound(date_to, end=True)
    if lower is not None:
        where.append("c.queued_local >= ?")
        params.append(lower)
    if upper is not None:
        where.append("c.queued_local < ?")
        params.append(upper)
    if channels:
        where.append("list_contains(?::VARCHAR[], c.channel)")
        params.append(list(channels))
    for column, values in (filters or {}).items():
        if column not in GROUPS:
            raise UsageError(f"cannot filter on {column!r}; filters are {', '.join(GROUPS)}")
        if values:
            where.append(f"list_contains(?::VARCHAR[], c.{quote_ident(column)})")
            params.append(list(values))
    measures = ",\n               ".join(f"{sql} AS {quote_ident(name)}" for name, sql in MEASURES.items())
    churn = ",\n               ".join(f"{sql} AS {quote_ident(name)}" for name, sql in CHURN_MEASURES.items())
    sql = f"""
    WITH conf AS (
        SELECT CAST(? AS DOUBLE) * 86400 AS fcr_window_s, CAST(? AS INTEGER) AS churn_window_days,
               (SELECT max(queued_at) FROM contacts) AS latest,
               (SELECT count(*) > 0 FROM customers) AS have_customers
    ),
    base AS (
        SELECT c.*, {PERIOD_SQL[period].format(t="queued_local")} AS period, {PERIOD_MONTH_SQL[period].format(t="queued_local")} AS target_month{group_col},
               coalesce(cs.sl_threshold_s, ?) AS sl_threshold_s,
               coalesce(cs.short_abandon_s, ?) AS short_abandon_s,
               coalesce(cs.sl_formula, ?) AS sl_formula_in_force,
               conf.fcr_window_s,
               epoch(c.queued_at) + conf.fcr_window_s > epoch(conf.latest) AS fcr_censored
        FROM contacts c CROSS JOIN conf LEFT JOIN channel_settings cs ON cs.channel = c.channel
        WHERE {' AND '.join(where)}
    ),
    grouped AS (
        SELECT channel, period, any_value(target_month) AS target_month{group_key},
               {measures}, any_value(sl_formula_in_force) AS sl_formula
        FROM base
        GROUP BY channel, period{group_key}
    ),
    counts AS (  -- the FCR method is the channel × period's, also on drill-down rows
        SELECT *, sum(resolved_any) OVER (PARTITION BY channel, period) > 0 AS fcr_explicit_channel
        FROM grouped
    ),
    churn AS (
        SELECT channel, period{group_key},
               {churn}
        FROM (SELECT b.channel, b.period{', b.grp' if by else ''}, b.customer_id, cu.churned_on,
                     CAST(b.queued_local AS DATE) AS contact_day, conf.churn_window_days
              FROM base b CROSS JOIN conf LEFT JOIN customers cu ON cu.customer_id = b.customer_id
              WHERE b.customer_id IS NOT NULL AND conf.have_customers)
        GROUP BY ALL
    )
    SELECT counts.*, coalesce(churn.churn_n, 0) AS churn_n, coalesce(churn.churn_yes, 0) AS churn_yes
    FROM counts LEFT JOIN churn ON churn.channel = counts.channel AND churn.period = counts.period{group_on}
    """
    conf = {**DEFAULT_SETTINGS, **(settings or {})}
    other = OTHER_CHANNEL_DEFAULTS  # a channel without stored settings (the store seeds the standard ones)
    head = [float(conf["fcr_window_days"]), int(conf["churn_window_days"]), float(other.sl_threshold_s),
            float(other.short_abandon_s), other.sl_formula]
    return sql, head + params


def kpi_sql(metric_ids: list[str], period: str, by: str | None, date_from, date_to,
            channels: list[str] | None, filters: dict[str, list[str]] | None = None,
            settings: dict[str, str] | None = None) -> tuple[str, list]:
    """Long format: period, channel, (grp,) metric, value, n, target_month, metric order."""
    base_sql, params = measures_sql(period, by, date_from, date_to, channels, filters, settings)
    parts = []
    for order, mid in enumerate(metric_ids):
        m = metric(mid)
        parts.append(f"{{'metric': '{m.id}', 'ord': {order}, 'value': {m.value_sql()}, "
                     f"'n': CAST(({m.denominator}) AS BIGINT)}}")
    grp = ", grp" if by else ""
    sql = f"""
    WITH m AS ({base_sql})
    SELECT * FROM (
        SELECT period, channel{grp}, target_month, unnest(kv, recursive := true)
        FROM (SELECT period, channel{grp}, target_month, [{', '.join(parts)}] AS kv FROM m)
    )
    ORDER BY period, channel{grp}, ord
    """
    return sql, params
