"""The metric registry (spec §3): every per-metric fact, declared once.

Each metric: id, labels, unit, direction, description, display format, bounds, whether it is
paced in the month, the smallest change worth a finding, and its SQL parts. Measures are
aggregates over contact rows; a metric is a numerator and a denominator made of measures (a
ratio is scaled to a percentage), so every monthly value is pooled from counts and never
averaged from days. kpis.py turns the registry into queries.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import UsageError
from .i18n import N_, _
from .schema import OTHER_CHANNEL_DEFAULTS, SL_FORMULA_TEXT

# -- measures: aggregates over the `base` relation (one row per inbound contact) ----------------
_WITHIN = "(wait_seconds IS NOT NULL AND wait_seconds <= sl_threshold_s)"
_SHORT = "(abandoned AND wait_seconds IS NOT NULL AND wait_seconds < short_abandon_s)"
_FCR_KNOWN = "(answered AND customer_id IS NOT NULL AND NOT fcr_censored)"
# Each measure: its aggregate over inbound contact rows, and its value for one row of an aggregated report
# (spec §1b, columns of the aggregated_rows table). A part the report does not give adds to no denominator:
# like a contact whose wait is unknown, it is left out of the metric rather than counted as 0.
_MEASURE_PAIRS = {
    "offered": ("count(*)", "offered"),
    "answered": ("count(*) FILTER (WHERE answered)", "answered"),
    "abandoned": ("count(*) FILTER (WHERE abandoned)", "coalesce(abandoned, 0)"),
    "abandon_known": ("count(*)", "CASE WHEN abandoned IS NOT NULL THEN offered ELSE 0 END"),
    "short_abandoned": (f"count(*) FILTER (WHERE {_SHORT})", "coalesce(short_abandoned, 0)"),
    "answered_within": (f"count(*) FILTER (WHERE answered AND {_WITHIN})", "coalesce(answered_within, 0)"),
    "answered_unknown_wait": ("count(*) FILTER (WHERE answered AND wait_seconds IS NULL)",
                              "CASE WHEN answered_within IS NULL THEN answered ELSE 0 END"),
    "abandoned_within": (f"count(*) FILTER (WHERE abandoned AND {_WITHIN})",
                         "CASE WHEN answered_within IS NULL THEN 0 ELSE coalesce(abandoned_within, 0) END"),
    # A report row without within-counts says nothing about service level: none of its contacts is on either side.
    # Its answered are already out (answered_unknown_wait); these take out the rest. A contact has no such part
    # (an abandoned contact of unknown wait counts as not within, spec §3).
    "sl_unknown_rest": ("0", "CASE WHEN answered_within IS NULL THEN offered - answered - coalesce(short_abandoned, 0) "
                             "ELSE 0 END"),
    "sl_unknown_short": ("0", "CASE WHEN answered_within IS NULL THEN coalesce(short_abandoned, 0) ELSE 0 END"),
    "wait_sum": ("sum(wait_seconds) FILTER (WHERE answered AND wait_seconds IS NOT NULL)", "coalesce(wait_total_s, 0)"),
    "wait_n": ("count(*) FILTER (WHERE answered AND wait_seconds IS NOT NULL)",
               "CASE WHEN wait_total_s IS NOT NULL THEN answered ELSE 0 END"),
    "handle_sum": ("sum(handle_seconds) FILTER (WHERE answered AND handle_seconds IS NOT NULL)",
                   "coalesce(handle_total_s, 0)"),
    "handle_n": ("count(*) FILTER (WHERE answered AND handle_seconds IS NOT NULL)",
                 "CASE WHEN handle_total_s IS NOT NULL THEN answered ELSE 0 END"),
    "resolved_any": ("count(resolved)", "coalesce(resolved_n, 0)"),
    "resolved_n": ("count(*) FILTER (WHERE answered AND resolved IS NOT NULL)", "coalesce(resolved_n, 0)"),
    "resolved_yes": ("count(*) FILTER (WHERE answered AND resolved)", "coalesce(resolved, 0)"),
    "repeat_n": (f"count(*) FILTER (WHERE {_FCR_KNOWN})", "0"),
    "repeat_yes": (f"count(*) FILTER (WHERE {_FCR_KNOWN} AND (next_contact_at IS NULL OR "
                   "epoch(next_contact_at) - epoch(queued_at) > fcr_window_s))", "0"),
    "csat_n": ("count(csat)", "coalesce(csat_n, 0)"),
    "csat_top2": ("count(*) FILTER (WHERE csat >= 4)", "coalesce(csat_top2, 0)"),
    "csat_sum": ("sum(csat)", "0"),
    "csat_sum_n": ("count(csat)", "0"),  # a report's CSAT counts give top-2-box, not the mean
    "nps_n": ("count(nps)", "coalesce(nps_n, 0)"),
    "nps_promoters": ("count(*) FILTER (WHERE nps >= 9)", "coalesce(nps_promoters, 0)"),
    "nps_passives": ("count(*) FILTER (WHERE nps BETWEEN 7 AND 8)",
                     "coalesce(nps_n - nps_promoters - nps_detractors, 0)"),
    "nps_detractors": ("count(*) FILTER (WHERE nps <= 6)", "coalesce(nps_detractors, 0)"),
    "ces_n": ("count(ces)", "coalesce(ces_n, 0)"),
    "ces_sum": ("sum(ces)", "coalesce(ces_total, 0)"),
    "survey_n": ("count(*) FILTER (WHERE csat IS NOT NULL OR nps IS NOT NULL OR ces IS NOT NULL)", "0"),
    "survey_base": ("count(*) FILTER (WHERE answered)", "0"),  # answered contacts whose survey answers are known
    # the CSAT distribution (satisfaction page): responses per rounded score
    **{f"csat_score_{score}": (f"count(*) FILTER (WHERE round(csat) = {score})", "0") for score in range(1, 6)},
    # marks of aggregated data: rows whose counts were rebuilt from percentages, rows without short abandons
    "sl_rebuilt": ("0", "CASE WHEN sl_rebuilt THEN 1 ELSE 0 END"),
    "abandon_rebuilt": ("0", "CASE WHEN abandon_rebuilt THEN 1 ELSE 0 END"),
    "short_unseparated": ("0", "CASE WHEN short_abandoned IS NULL THEN 1 ELSE 0 END"),
    "aggregated_rows": ("0", "1"),
}
MEASURES = {name: contact for name, (contact, _) in _MEASURE_PAIRS.items()}
AGGREGATED_MEASURES = {name: row for name, (_, row) in _MEASURE_PAIRS.items()}
# Not additive: the service-level thresholds reported by aggregated rows (when they differ from the setting),
# pooled by min and max.
THRESHOLD_MEASURES = {"sl_reported_min": "min", "sl_reported_max": "max"}
_SL_NUM = ("answered_within + CASE WHEN sl_formula = 'abandons_within_met' THEN abandoned_within ELSE 0 END")
# With no answered contact of known wait the export says nothing about service level (spec §3):
# the denominator is then 0, so the value is null rather than 0 % from the abandons alone.
_SL_DEN = ("CASE WHEN answered = answered_unknown_wait THEN 0 WHEN sl_formula = 'abandons_ignored' THEN answered - answered_unknown_wait "
           "WHEN sl_formula = 'abandons_within_met' THEN offered - answered_unknown_wait - sl_unknown_rest - sl_unknown_short "
           "ELSE offered - short_abandoned - answered_unknown_wait - sl_unknown_rest END")
_FCR_NUM = "CASE WHEN fcr_explicit_channel THEN resolved_yes ELSE repeat_yes END"
_FCR_DEN = "CASE WHEN fcr_explicit_channel THEN resolved_n ELSE repeat_n END"


@dataclass(frozen=True)
class Metric:
    id: str
    label_text: str  # English, marked N_(): `label` is it in the session's language
    unit: str  # count | percent | seconds | score
    direction: str  # higher | lower | band
    description_text: str
    numerator: str
    denominator: str
    scale: float | None = None  # 100 for percentages; None: value = numerator (counts)
    fmt: str = "count"  # count | pct | duration | score | nps
    targeted: bool = True
    short_text: str = ""  # tile label; the label when empty
    low: float | None = None    # the value's natural bounds, when not those of its format (CES 1–7)
    high: float | None = None
    paced: bool = True          # early warning paces it through the month (not a plan band, not a lagging measure)
    change_step: float | None = None      # the smallest change on last quarter worth a finding (absolute)
    change_step_pct: float | None = None  # … or relative to last quarter's value, in percent
    survey: bool = False        # a targeted score from customer surveys (a channel may not measure it at all)
    rebuilt_from: str | None = None  # the measure counting report rows whose counts were rebuilt from percentages

    @property
    def label(self) -> str:
        """The label in the session's language."""
        return _(self.label_text)

    @property
    def short(self) -> str:
        """The tile label in the session's language (empty when the metric has none)."""
        return _(self.short_text)

    @property
    def description(self) -> str:
        """The definition in the session's language."""
        text = _(self.description_text)
        if "{sl_formulas}" in text:
            text = text.format(sl_formulas="; ".join(f"{formula} = {_(rule)}" for formula, rule in SL_FORMULA_TEXT.items()))
        return text

    @property
    def subject(self) -> str:
        """How a sentence names it: the acronym (CSAT, AHT) or the label in lower case ("service level")."""
        return self.short if self.short.isupper() else self.label.lower()

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        """(lowest, highest) value the metric can take."""
        low, high = _FORMAT_BOUNDS[self.fmt]
        return (low if self.low is None else self.low), (high if self.high is None else self.high)

    def value(self, numerator: float | None, denominator: float | None) -> float | None:
        """The metric from its pooled numerator and denominator: value_sql's formula, the same double operations
        in the same order, for parts already fetched (tests/oracle.py computes every value with value_sql)."""
        if self.scale is None:
            return None if numerator is None else float(numerator)
        if numerator is None or denominator is None or not denominator > 0:
            return None
        return (numerator if self.scale == 1 else self.scale * numerator) / denominator

    def value_sql(self) -> str:
        if self.scale is None:
            return f"CAST(({self.numerator}) AS DOUBLE)"
        factor = "" if self.scale == 1 else f"{self.scale!r} * "
        return (f"CASE WHEN ({self.denominator}) > 0 THEN {factor}CAST(({self.numerator}) AS DOUBLE) / "
                f"({self.denominator}) END")


_FORMAT_BOUNDS = {"pct": (0.0, 100.0), "nps": (-100.0, 100.0), "score": (None, None), "duration": (0.0, None),
                  "count": (0.0, None)}

REGISTRY: tuple[Metric, ...] = (
    Metric("volume", N_("Volume (offered)"), "count", "band",
           N_("Inbound contacts offered in the period. Held against the volume plan as a band: met when within "
           "tolerance_pct of the plan."), "offered", "offered", short_text=N_("Volume"), paced=False),
    Metric("handled", N_("Handled"), "count", "higher", N_("Answered inbound contacts; n is the contacts offered."),
           "answered", "offered"),
    Metric("service_level", N_("Service level"), "percent", "higher",
           N_("Share of contacts answered within the channel's threshold. By the channel's sl_formula: "
              "{sl_formulas}. Answered contacts with unknown wait are left out of both sides; with no answered "
              "contact of known wait, service level is not measured (null)."), _SL_NUM, _SL_DEN, 100.0, "pct", short_text=N_("Service level"), change_step=2.0,
           rebuilt_from="sl_rebuilt"),
    Metric("abandon_rate", N_("Abandonment rate"), "percent", "lower",
           N_("100 × (abandoned − short abandons) ÷ (offered − short abandons). A short abandon waited less than the "
           "channel's short-abandon threshold."), "abandoned - short_abandoned", "abandon_known - short_abandoned",
           100.0, "pct", short_text=N_("Abandoned"), change_step=2.0, rebuilt_from="abandon_rebuilt"),
    Metric("asa", N_("Average speed of answer"), "seconds", "lower",
           N_("Mean wait of answered contacts whose wait is known."), "wait_sum", "wait_n", 1.0, "duration", short_text=N_("ASA"),
           change_step_pct=5.0),
    Metric("aht", N_("Average handle time"), "seconds", "lower",
           N_("Mean handle time (talk + hold + wrap) of answered contacts whose handle time is known."),
           "handle_sum", "handle_n", 1.0, "duration", short_text=N_("AHT"), change_step_pct=5.0),
    Metric("fcr", N_("First-contact resolution"), "percent", "higher",
           N_("If any contact of the channel and period has an explicit resolved flag: resolved ÷ answered contacts "
           "with a flag. Otherwise the repeat-contact method: an answered contact with a customer id is resolved "
           "when that customer has no other inbound contact, in any channel, within the FCR window (exactly "
           "window × 24 hours) after it; contacts whose window ends after the latest contact in the store are "
           "left out."), _FCR_NUM, _FCR_DEN, 100.0, "pct", short_text=N_("FCR"), change_step=2.0),
    Metric("csat", N_("CSAT (top-2-box)"), "percent", "higher",
           N_("100 × responses of 4 or 5 ÷ responses, on the 1–5 scale."), "csat_top2", "csat_n", 100.0, "pct",
           short_text=N_("CSAT"), change_step=2.0, survey=True),
    Metric("nps", N_("NPS"), "score", "higher",
           N_("100 × (promoters 9–10 − detractors 0–6) ÷ responses, on the 0–10 scale."),
           "nps_promoters - nps_detractors", "nps_n", 100.0, "nps", short_text=N_("NPS"), change_step=5.0, survey=True),
    Metric("ces", N_("Customer effort (mean)"), "score", "higher",
           N_("Mean customer-effort score on the 1–7 agreement scale (higher = easier)."), "ces_sum", "ces_n", 1.0,
           "score", short_text=N_("CES"), low=1.0, high=7.0, change_step=0.2, survey=True),
    Metric("churn_rate", N_("Churn after contact"), "percent", "lower",
           N_("Among distinct customers with an inbound contact in the channel and period, the share who churned "
           "within the churn window after one of those contacts (contact day < churned_on ≤ contact day + "
           "window). Needs the customers export; customers missing from it count as not churned."),
           "churn_yes", "churn_n", 100.0, "pct", short_text=N_("Churn"), paced=False),
    Metric("answered", N_("Answered"), "count", "higher", N_("Answered inbound contacts (drill-down)."),
           "answered", "offered", targeted=False),
    Metric("abandoned", N_("Abandoned"), "count", "lower", N_("Abandoned inbound contacts, short abandons included "
           "(drill-down)."), "abandoned", "offered", targeted=False, rebuilt_from="abandon_rebuilt"),
    Metric("nps_promoters", N_("NPS promoters"), "percent", "higher", N_("100 × responses of 9–10 ÷ NPS responses."),
           "nps_promoters", "nps_n", 100.0, "pct", targeted=False, short_text=N_("Promoters (9–10)")),
    Metric("nps_passives", N_("NPS passives"), "percent", "band", N_("100 × responses of 7–8 ÷ NPS responses."),
           "nps_passives", "nps_n", 100.0, "pct", targeted=False, short_text=N_("Passives (7–8)")),
    Metric("nps_detractors", N_("NPS detractors"), "percent", "lower", N_("100 × responses of 0–6 ÷ NPS responses."),
           "nps_detractors", "nps_n", 100.0, "pct", targeted=False, short_text=N_("Detractors (0–6)")),
    Metric("csat_mean", N_("CSAT (mean)"), "score", "higher", N_("Mean CSAT response on the 1–5 scale."),
           "csat_sum", "csat_sum_n", 1.0, "score", targeted=False, low=1.0, high=5.0),
    Metric("responses", N_("Survey responses"), "count", "higher",
           N_("Contacts with at least one survey answer (CSAT, NPS or CES); n is the contacts handled."),
           "survey_n", "survey_base", targeted=False),
    Metric("response_rate", N_("Survey response rate"), "percent", "higher",
           N_("100 × contacts with at least one survey answer ÷ contacts handled."), "survey_n", "survey_base", 100.0,
           "pct", targeted=False),
)
METRICS = {m.id: m for m in REGISTRY}
TARGETED = tuple(m.id for m in REGISTRY if m.targeted)

PERIODS = ("month", "week", "day", "interval")
GROUPS = ("queue", "team", "agent")
# A period's label from a local time column {t} (queued_local on contacts, day or slot on the measures).
PERIOD_SQL = {
    "month": "strftime({t}, '%Y-%m')",
    "week": "strftime({t}, '%G-W%V')",
    "day": "strftime({t}, '%Y-%m-%d')",
    "interval": "strftime(time_bucket(INTERVAL 30 MINUTE, {t}), '%Y-%m-%dT%H:%M')",
    "quarter": "strftime({t}, '%Y') || 'Q' || quarter({t})",
    # Not a calendar period: ISO weekday and half-hour of day, pooled over the date range (heatmaps).
    "weekday_interval": "strftime(time_bucket(INTERVAL 30 MINUTE, {t}), '%u %H:%M')",
}
# The month whose target applies to a period: the month of the period's first day.
PERIOD_MONTH_SQL = {
    "month": "strftime({t}, '%Y-%m')",
    "week": "strftime(date_trunc('week', {t}), '%Y-%m')",
    "day": "strftime({t}, '%Y-%m')",
    "interval": "strftime({t}, '%Y-%m')",
    "quarter": "strftime(date_trunc('quarter', {t}), '%Y-%m')",
    "weekday_interval": "CAST(NULL AS VARCHAR)",
}


def metric(metric_id: str) -> Metric:
    try:
        return METRICS[metric_id]
    except KeyError:
        raise UsageError(f"unknown metric {metric_id!r}; metrics are {', '.join(METRICS)}") from None


def _part_columns() -> dict[str, str]:
    """Every distinct numerator, denominator and rebuilt mark of the registry (its SQL over pooled measures and the
    channel rules), with the column name it has wherever parts are selected or stored."""
    parts: dict[str, str] = {}
    for m in REGISTRY:
        for sql in (m.numerator, m.denominator) + ((m.rebuilt_from,) if m.rebuilt_from else ()):
            parts.setdefault(sql, f"p{len(parts)}")
    return parts


PARTS = _part_columns()


def parts_of(metric_ids) -> dict[str, str]:
    """The parts (SQL → column name, as in PARTS) the given metrics are ratios of."""
    needed = {sql for mid in metric_ids for sql in (metric(mid).numerator, metric(mid).denominator,
                                                     metric(mid).rebuilt_from) if sql}
    return {sql: name for sql, name in PARTS.items() if sql in needed}


def with_channel_rules(pooled_sql: str, by: str | None) -> tuple[str, list]:
    """Pooled measures with each row's channel rules, which the parts read: the SL formula, the SL threshold
    setting (beside the reported one) and the FCR method of the channel × period (also on drill-down rows,
    pooled over their groups)."""
    # without a drill-down a row is its channel × period: no window (DuckDB's costs ~5 ms however few the rows)
    explicit = "sum(resolved_any) OVER (PARTITION BY channel, period)" if by else "resolved_any"
    sql = f"""
        SELECT g.*, coalesce(cs.sl_formula, ?) AS sl_formula, cs.sl_threshold_s, {explicit} > 0 AS fcr_explicit_channel
        FROM ({pooled_sql}) g LEFT JOIN channel_settings cs USING (channel)"""
    return sql, [OTHER_CHANNEL_DEFAULTS.sl_formula]
