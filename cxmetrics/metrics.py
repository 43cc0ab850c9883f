"""The metric registry and the KPI computation (spec §3).

Each metric is declared once: id, label, unit, direction, description, format, and its SQL
parts. Measures are aggregates over contact rows; a metric is a numerator and a denominator
made of measures (a ratio is scaled to a percentage), so every monthly value is pooled from
counts and never averaged from days.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .errors import UsageError
from .storage import Store, quote_ident

# -- measures: aggregates over the `base` relation (one row per inbound contact) ----------------
_WITHIN = "(wait_seconds IS NOT NULL AND wait_seconds <= sl_threshold_s)"
_SHORT = "(abandoned AND wait_seconds IS NOT NULL AND wait_seconds < short_abandon_s)"
_FCR_KNOWN = "(answered AND customer_id IS NOT NULL AND NOT fcr_censored)"
MEASURES = {
    "offered": "count(*)",
    "answered": "count(*) FILTER (WHERE answered)",
    "abandoned": "count(*) FILTER (WHERE abandoned)",
    "short_abandoned": f"count(*) FILTER (WHERE {_SHORT})",
    "answered_within": f"count(*) FILTER (WHERE answered AND {_WITHIN})",
    "answered_unknown_wait": "count(*) FILTER (WHERE answered AND wait_seconds IS NULL)",
    "abandoned_within": f"count(*) FILTER (WHERE abandoned AND {_WITHIN})",
    "sl_formula": "any_value(sl_formula)",
    "wait_sum": "sum(wait_seconds) FILTER (WHERE answered AND wait_seconds IS NOT NULL)",
    "wait_n": "count(*) FILTER (WHERE answered AND wait_seconds IS NOT NULL)",
    "handle_sum": "sum(handle_seconds) FILTER (WHERE answered AND handle_seconds IS NOT NULL)",
    "handle_n": "count(*) FILTER (WHERE answered AND handle_seconds IS NOT NULL)",
    "resolved_any": "count(resolved)",
    "resolved_n": "count(*) FILTER (WHERE answered AND resolved IS NOT NULL)",
    "resolved_yes": "count(*) FILTER (WHERE answered AND resolved)",
    "repeat_n": f"count(*) FILTER (WHERE {_FCR_KNOWN})",
    "repeat_yes": f"count(*) FILTER (WHERE {_FCR_KNOWN} AND (next_contact_at IS NULL OR "
                  "epoch(next_contact_at) - epoch(queued_at) > fcr_window_s))",
    "csat_n": "count(csat)",
    "csat_top2": "count(*) FILTER (WHERE csat >= 4)",
    "csat_sum": "sum(csat)",
    "nps_n": "count(nps)",
    "nps_promoters": "count(*) FILTER (WHERE nps >= 9)",
    "nps_passives": "count(*) FILTER (WHERE nps BETWEEN 7 AND 8)",
    "nps_detractors": "count(*) FILTER (WHERE nps <= 6)",
    "ces_n": "count(ces)",
    "survey_n": "count(*) FILTER (WHERE csat IS NOT NULL OR nps IS NOT NULL OR ces IS NOT NULL)",
    "ces_sum": "sum(ces)",
}
# Churn needs distinct customers, so it is aggregated apart and joined by key.
CHURN_MEASURES = {
    "churn_n": "count(DISTINCT customer_id)",
    "churn_yes": "count(DISTINCT customer_id) FILTER (WHERE churned_on > contact_day AND "
                 "churned_on <= contact_day + churn_window_days)",
}

_SL_NUM = ("answered_within + CASE WHEN sl_formula = 'abandons_within_met' THEN abandoned_within ELSE 0 END")
# With no answered contact of known wait the export says nothing about service level (spec §3):
# the denominator is then 0, so the value is null rather than 0 % from the abandons alone.
_SL_DEN = ("CASE WHEN wait_n = 0 THEN 0 WHEN sl_formula = 'abandons_ignored' THEN answered - answered_unknown_wait "
           "WHEN sl_formula = 'abandons_within_met' THEN offered - answered_unknown_wait "
           "ELSE offered - short_abandoned - answered_unknown_wait END")
_FCR_NUM = "CASE WHEN fcr_explicit_channel THEN resolved_yes ELSE repeat_yes END"
_FCR_DEN = "CASE WHEN fcr_explicit_channel THEN resolved_n ELSE repeat_n END"


@dataclass(frozen=True)
class Metric:
    id: str
    label: str
    unit: str  # count | percent | seconds | score
    direction: str  # higher | lower | band
    description: str
    numerator: str
    denominator: str
    scale: float | None = None  # 100 for percentages; None: value = numerator (counts)
    fmt: str = "count"  # count | pct | duration | score | nps
    targeted: bool = True
    short: str = ""  # tile label; the label when empty

    def value_sql(self) -> str:
        if self.scale is None:
            return f"CAST(({self.numerator}) AS DOUBLE)"
        factor = "" if self.scale == 1 else f"{self.scale!r} * "
        return (f"CASE WHEN ({self.denominator}) > 0 THEN {factor}CAST(({self.numerator}) AS DOUBLE) / "
                f"({self.denominator}) END")


REGISTRY: tuple[Metric, ...] = (
    Metric("volume", "Volume (offered)", "count", "band",
           "Inbound contacts offered in the period. Held against the volume plan as a band: met when within "
           "tolerance_pct of the plan.", "offered", "offered", short="Volume"),
    Metric("handled", "Handled", "count", "higher", "Answered inbound contacts; n is the contacts offered.",
           "answered", "offered"),
    Metric("service_level", "Service level", "percent", "higher",
           "Share of contacts answered within the channel's threshold. By the channel's sl_formula: "
           "abandons_against = answered within ÷ (offered − short abandons); abandons_ignored = answered within ÷ "
           "answered; abandons_within_met = (answered + abandoned within) ÷ offered. Answered contacts with "
           "unknown wait are left out of both sides; with no answered contact of known wait, service level is "
           "not measured (null).", _SL_NUM, _SL_DEN, 100.0, "pct", short="Service level"),
    Metric("abandon_rate", "Abandonment rate", "percent", "lower",
           "100 × (abandoned − short abandons) ÷ (offered − short abandons). A short abandon waited less than the "
           "channel's short-abandon threshold.", "abandoned - short_abandoned", "offered - short_abandoned",
           100.0, "pct", short="Abandoned"),
    Metric("asa", "Average speed of answer", "seconds", "lower",
           "Mean wait of answered contacts whose wait is known.", "wait_sum", "wait_n", 1.0, "duration", short="ASA"),
    Metric("aht", "Average handle time", "seconds", "lower",
           "Mean handle time (talk + hold + wrap) of answered contacts whose handle time is known.",
           "handle_sum", "handle_n", 1.0, "duration", short="AHT"),
    Metric("fcr", "First-contact resolution", "percent", "higher",
           "If any contact of the channel and period has an explicit resolved flag: resolved ÷ answered contacts "
           "with a flag. Otherwise the repeat-contact method: an answered contact with a customer id is resolved "
           "when that customer has no other inbound contact, in any channel, within the FCR window (exactly "
           "window × 24 hours) after it; contacts whose window ends after the latest contact in the store are "
           "left out.", _FCR_NUM, _FCR_DEN, 100.0, "pct", short="FCR"),
    Metric("csat", "CSAT (top-2-box)", "percent", "higher",
           "100 × responses of 4 or 5 ÷ responses, on the 1–5 scale.", "csat_top2", "csat_n", 100.0, "pct", short="CSAT"),
    Metric("nps", "NPS", "score", "higher",
           "100 × (promoters 9–10 − detractors 0–6) ÷ responses, on the 0–10 scale.",
           "nps_promoters - nps_detractors", "nps_n", 100.0, "nps", short="NPS"),
    Metric("ces", "Customer effort (mean)", "score", "higher",
           "Mean customer-effort score on the 1–7 agreement scale (higher = easier).", "ces_sum", "ces_n", 1.0,
           "score", short="CES"),
    Metric("churn_rate", "Churn after contact", "percent", "lower",
           "Among distinct customers with an inbound contact in the channel and period, the share who churned "
           "within the churn window after one of those contacts (contact day < churned_on ≤ contact day + "
           "window). Needs the customers export; customers missing from it count as not churned.",
           "churn_yes", "churn_n", 100.0, "pct", short="Churn"),
    Metric("answered", "Answered", "count", "higher", "Answered inbound contacts (drill-down).",
           "answered", "offered", targeted=False),
    Metric("abandoned", "Abandoned", "count", "lower", "Abandoned inbound contacts, short abandons included "
           "(drill-down).", "abandoned", "offered", targeted=False),
    Metric("nps_promoters", "NPS promoters", "percent", "higher", "100 × responses of 9–10 ÷ NPS responses.",
           "nps_promoters", "nps_n", 100.0, "pct", targeted=False),
    Metric("nps_passives", "NPS passives", "percent", "band", "100 × responses of 7–8 ÷ NPS responses.",
           "nps_passives", "nps_n", 100.0, "pct", targeted=False),
    Metric("nps_detractors", "NPS detractors", "percent", "lower", "100 × responses of 0–6 ÷ NPS responses.",
           "nps_detractors", "nps_n", 100.0, "pct", targeted=False),
    Metric("csat_mean", "CSAT (mean)", "score", "higher", "Mean CSAT response on the 1–5 scale.",
           "csat_sum", "csat_n", 1.0, "score", targeted=False),
    Metric("responses", "Survey responses", "count", "higher",
           "Contacts with at least one survey answer (CSAT, NPS or CES); n is the contacts handled.",
           "survey_n", "answered", targeted=False),
    Metric("response_rate", "Survey response rate", "percent", "higher",
           "100 × contacts with at least one survey answer ÷ contacts handled.", "survey_n", "answered", 100.0,
           "pct", targeted=False),
)
METRICS = {m.id: m for m in REGISTRY}
TARGETED = tuple(m.id for m in REGISTRY if m.targeted)

PERIODS = ("month", "week", "day", "interval")
GROUPS = ("queue", "team", "agent")
_PERIOD_SQL = {
    "month": "strftime(queued_local, '%Y-%m')",
    "week": "strftime(queued_local, '%G-W%V')",
    "day": "strftime(queued_local, '%Y-%m-%d')",
    "interval": "strftime(time_bucket(INTERVAL 30 MINUTE, queued_local), '%Y-%m-%dT%H:%M')",
    "quarter": "strftime(queued_local, '%Y') || 'Q' || quarter(queued_local)",
    # Not a calendar period: ISO weekday and half-hour of day, pooled over the date range (heatmaps).
    "weekday_interval": "strftime(time_bucket(INTERVAL 30 MINUTE, queued_local), '%u %H:%M')",
}
# The month whose target applies to a period: the month of the period's first day.
_PERIOD_MONTH_SQL = {
    "month": "strftime(queued_local, '%Y-%m')",
    "week": "strftime(date_trunc('week', queued_local), '%Y-%m')",
    "day": "strftime(queued_local, '%Y-%m')",
    "interval": "strftime(queued_local, '%Y-%m')",
    "quarter": "strftime(date_trunc('quarter', queued_local), '%Y-%m')",
    "weekday_interval": "CAST(NULL AS VARCHAR)",
}


def metric(metric_id: str) -> Metric:
    try:
        return METRICS[metric_id]
    except KeyError:
        raise UsageError(f"unknown metric {metric_id!r}; metrics are {', '.join(METRICS)}") from None


def _day_start(value: str | dt.date | None, end: bool = False) -> dt.datetime | None:
    """A --from/--to value (YYYY-MM-DD or YYYY-MM) as a local wall-clock bound."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        day = value
    else:
        text = str(value)
        try:
            if len(text) == 7:
                day = dt.date.fromisoformat(text + "-01")
                if end:
                    nxt = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
                    return dt.datetime.combine(nxt, dt.time())
                return dt.datetime.combine(day, dt.time())
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise UsageError(f"{text!r} is not a date: write YYYY-MM-DD or YYYY-MM") from None
    if end:
        day = day + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time())


def settings(store: Store) -> dict[str, str]:
    return dict(store.fetchall("SELECT key, value FROM settings"))


def measures_sql(period: str = "month", by: str | None = None, date_from=None, date_to=None,
                 channels: list[str] | None = None, filters: dict[str, list[str]] | None = None
                 ) -> tuple[str, list]:
    """SQL giving one row per channel × period (× group) with every measure; and its parameters.

    `date_to` is inclusive (a day, or a whole month when given as YYYY-MM).
    """
    if period not in _PERIOD_SQL:
        raise UsageError(f"--period must be one of {', '.join(PERIODS)}, not {period!r}")
    if by is not None and by not in GROUPS:
        raise UsageError(f"--by must be one of {', '.join(GROUPS)}, not {by!r}")
    group_col = f", {quote_ident(by)} AS grp" if by else ""
    group_key = ", grp" if by else ""
    params: list = []
    where = ["c.direction = 'inbound'"]
    lower, upper = _day_start(date_from), _day_start(date_to, end=True)
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
        SELECT CAST(max(value) FILTER (WHERE key = 'fcr_window_days') AS DOUBLE) * 86400 AS fcr_window_s,
               CAST(max(value) FILTER (WHERE key = 'churn_window_days') AS INTEGER) AS churn_window_days,
               (SELECT max(queued_at) FROM contacts) AS latest,
               (SELECT count(*) > 0 FROM customers) AS have_customers
        FROM settings
    ),
    base AS (
        SELECT c.*, {_PERIOD_SQL[period]} AS period, {_PERIOD_MONTH_SQL[period]} AS target_month{group_col},
               coalesce(cs.sl_threshold_s, 86400) AS sl_threshold_s,
               coalesce(cs.short_abandon_s, 0) AS short_abandon_s,
               coalesce(cs.sl_formula, 'abandons_against') AS sl_formula,
               conf.fcr_window_s,
               epoch(c.queued_at) + conf.fcr_window_s > epoch(conf.latest) AS fcr_censored
        FROM contacts c CROSS JOIN conf LEFT JOIN channel_settings cs ON cs.channel = c.channel
        WHERE {' AND '.join(where)}
    ),
    grouped AS (
        SELECT channel, period, any_value(target_month) AS target_month{group_key},
               {measures}
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
    FROM counts LEFT JOIN churn USING (channel, period{group_key})
    """
    return sql, params


def kpi_sql(metric_ids: list[str], period: str, by: str | None, date_from, date_to,
            channels: list[str] | None, filters: dict[str, list[str]] | None = None) -> tuple[str, list]:
    """Long format: period, channel, (grp,) metric, value, n, target_month, metric order."""
    base_sql, params = measures_sql(period, by, date_from, date_to, channels, filters)
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


# -- FCR: per-contact "next inbound contact of the same customer" -------------------------------------
REFRESH_BUCKET_ROWS = 1_500_000  # contacts per pass of the next-contact refresh (bounds its memory)


def refresh_next_contacts(store: Store, customers_sql: str, params: list | None = None,
                          bucket_rows: int | None = None) -> None:
    """Recompute next_contact_at for the customers listed by `customers_sql` (a one-column query).

    Runs inside the import or delete transaction, so views only compare timestamps. Large sets are
    done in passes over hash buckets of customers, so the window never holds every contact at once.
    """
    store.execute(f"CREATE OR REPLACE TEMP TABLE affected_customers AS SELECT DISTINCT * FROM ({customers_sql}) "
                  "AS a(customer_id) WHERE customer_id IS NOT NULL", params or [])
    rows = store.scalar("SELECT count(*) FROM contacts WHERE direction = 'inbound' "
                        "AND customer_id IN (SELECT customer_id FROM affected_customers)")
    buckets = max(1, -(-int(rows) // (bucket_rows or REFRESH_BUCKET_ROWS)))
    for bucket in range(buckets):
        store.execute("""
            UPDATE contacts SET next_contact_at = n.next_at
            FROM (
                SELECT source, contact_id,
                       min(queued_at) OVER (PARTITION BY customer_id ORDER BY queued_at
                           RANGE BETWEEN INTERVAL 1 MICROSECOND FOLLOWING AND UNBOUNDED FOLLOWING) AS next_at
                FROM contacts
                WHERE direction = 'inbound' AND hash(customer_id) % ? = ?
                  AND customer_id IN (SELECT customer_id FROM affected_customers)
            ) n
            WHERE contacts.source = n.source AND contacts.contact_id = n.contact_id
              AND contacts.next_contact_at IS DISTINCT FROM n.next_at""", [buckets, bucket])
    store.execute("DROP TABLE affected_customers")
