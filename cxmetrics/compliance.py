"""The "k of the last n months" rule per channel × targeted metric (spec §4)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .config import get_settings
from .display import ordered_channels
from .kpis import PooledSource, kpis
from .metrics import TARGETED
from .months import add_months, check_month, month_range, next_month_start
from .quality import latest_month
from .storage import Store
from .targets import TargetBook, list_targets, month_state

@dataclass
class MonthCell:
    month: str
    value: float | None
    target: float | None
    tolerance_pct: float | None
    state: str | None
    n: int = 0
    rebuilt: bool = False  # the value was rebuilt from an aggregated report's percentages (spec §1b)


@dataclass
class ComplianceRow:
    channel: str
    metric: str
    as_of: str
    window_start: str
    months_met: int
    months_with_data: int
    months_in_window: int
    status: str
    flagged_months: list[str]
    cells: list[MonthCell] = field(default_factory=list)


def rule_status(misses: int, k: int, n: int) -> str:
    """misses ≤ n − k − 1 → compliant; = n − k → at_risk; more → breached."""
    if misses <= n - k - 1:
        return "compliant"
    if misses == n - k:
        return "at_risk"
    return "breached"


def compliance(store: Store, as_of: str, channels: list[str] | None = None,
               metrics: list[str] | None = None, source: PooledSource | None = None) -> list[ComplianceRow]:
    """The k-of-n rule per channel × targeted metric at the as-of month (spec §4).

    Months after the store's last day of data are "not loaded yet": neither counted nor flagged. A channel ×
    metric with no value in any counted month is `not_measured`, its months shown as such, not as misses.
    `source` pools the monthly measures elsewhere (cxmetrics.lake); the store gives settings, targets, coverage.
    """
    as_of = check_month(as_of)
    conf = get_settings(store)
    k, n = int(conf["rule_k"]), int(conf["rule_n"])
    window_start = add_months(as_of, -(n - 1))
    loaded = latest_month(store)
    first_months = dict(store.fetchall(
        "SELECT channel, strftime(min(day), '%Y-%m') FROM measures_coverage "
        "WHERE day < CAST(? AS DATE) GROUP BY 1 HAVING max(last_day) >= CAST(? AS DATE)",
        [next_month_start(as_of), window_start + "-01"]))
    if channels:
        first_months = {c: m for c, m in first_months.items() if c in channels}
    metric_ids = [m for m in TARGETED if not metrics or m in metrics]
    values = {(r.channel, r.metric, r.period): r for r in kpis(
        store, "month", channels=list(first_months) or None, date_from=window_start, date_to=as_of,
        metrics=metric_ids, source=source)} if first_months else {}
    book = TargetBook(list_targets(store))
    out = []
    for channel in ordered_channels(first_months):
        first = first_months[channel]
        insufficient = first > window_start
        counted = month_range(max(first, window_start), min(as_of, loaded or as_of))
        for mid in metric_ids:
            if book.in_force(channel, mid, as_of) is None:
                continue
            cells = []
            for month in month_range(window_start, as_of):
                t = book.in_force(channel, mid, month)
                row = values.get((channel, mid, month))
                value = row.value if row else None
                if month > (loaded or as_of):
                    state = None if t is None else "not_loaded"  # a month with no target has no state
                else:
                    state = month_state(mid, value, t) if month in counted else None
                cells.append(MonthCell(month, value, None if t is None else t.target,
                                       None if t is None else t.tolerance_pct, state, row.n if row else 0,
                                       bool(row and row.rebuilt)))
            judged = [c for c in cells if c.month in counted and c.state is not None]
            if not any(c.month in counted for c in cells):
                continue
            measured = any(c.value is not None for c in judged)
            if not measured:
                for c in judged:
                    c.state = "not_measured"
            met = sum(c.state in ("met", "met_within_tolerance") for c in judged)
            with_data = sum(c.value is not None for c in judged)
            flagged = [c.month for c in judged if c.state in ("missed", "no_data")]
            if not measured:
                status = "not_measured"
            else:
                status = "insufficient_history" if insufficient else rule_status(len(judged) - met, k, n)
            out.append(ComplianceRow(channel, mid, as_of, window_start, met, with_data, len(judged), status,
                                     flagged, cells))
    return out
