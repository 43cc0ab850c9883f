"""Early warning for the current, incomplete month.

For each channel × targeted metric: the month-to-date value against its target, what the rest
of the month must deliver for the month to still meet it, and whether that is already
impossible. Expected remaining volume comes from the same days of the same month last year,
or else from the daily average of the last 28 days. Rolling-rule risk is added: a metric at
risk breaches with its next missed month.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .compliance import compliance
from .display import channel_name, format_number, format_value, month_label, target_text
from .i18n import _
from .kpis import kpis
from .metrics import METRICS, TARGETED
from .months import add_months, day_bound, month_end
from .quality import latest_month
from .storage import Store
from .targets import TargetBook, list_targets

PACED = tuple(m for m in TARGETED if METRICS[m].paced)  # volume is a plan band and churn lags: not paced


@dataclass
class Pace:
    channel: str
    metric: str
    month: str
    as_of: str
    value: float | None
    n: int
    target: float                 # the line that counts as met (target widened by its tolerance)
    remaining_contacts: float
    remaining_basis: str          # "same month last year" | "recent daily average"
    required: float | None        # what the remaining contacts must average; None when nothing remains
    impossible: bool
    secured: bool
    on_track: bool
    stated_target: float = 0.0    # the target as set
    tolerance_pct: float = 0.0


@dataclass
class Alert:
    channel: str
    metric: str
    kind: str                     # impossible | behind | rolling | no_data
    text: str


def required_value(direction: str, value: float, n: float, target: float, remaining: float) -> float | None:
    """The average the remaining `remaining` units must reach so the month's pooled value meets the target.

    Pooled value = (value·n + x·remaining) / (n + remaining); solve for x at equality with target.
    """
    if remaining <= 0:
        return None
    return (target * (n + remaining) - value * n) / remaining


def _inbound_between(store: Store, channel: str, first: dt.date, last: dt.date) -> int:
    """Inbound contacts of the channel from the first to the last day, both included."""
    return int(store.scalar("SELECT coalesce(sum(offered), 0) FROM measures_day WHERE channel = ? "
                            "AND day >= CAST(? AS DATE) AND day < CAST(? AS DATE)",
                            [channel, day_bound(first), day_bound(last, end=True)]))


def _remaining_offered(store: Store, channel: str, as_of: dt.date) -> tuple[float, str]:
    last_day = month_end(as_of)
    if as_of >= last_day:
        return 0.0, "month complete"
    last_year = as_of.replace(year=as_of.year - 1) if not (as_of.month == 2 and as_of.day == 29) \
        else dt.date(as_of.year - 1, 2, 28)
    count = _inbound_between(store, channel, last_year + dt.timedelta(days=1), month_end(last_year))
    if count:
        return float(count), "same month last year"
    recent = _inbound_between(store, channel, as_of - dt.timedelta(days=27), as_of)
    return recent / 28.0 * (last_day - as_of).days, "recent daily average"


def paces(store: Store, as_of: dt.date | None = None, channels: list[str] | None = None) -> list[Pace]:
    """Month-to-date pace of every channel × targeted metric with a target and data this month."""
    as_of = as_of or dt.date.today()
    month = as_of.strftime("%Y-%m")
    rows = kpis(store, "month", channels=channels, date_from=month + "-01", date_to=as_of.isoformat(),
                metrics=["volume"] + list(PACED))
    book = TargetBook(list_targets(store))
    offered = {r.channel: r.value or 0.0 for r in rows if r.metric == "volume"}
    out = []
    remaining_cache: dict[str, tuple[float, str]] = {}
    for r in rows:
        if r.metric not in PACED or r.value is None or not r.n:
            continue
        t = book.in_force(r.channel, r.metric, month)
        if t is None:
            continue
        if r.channel not in remaining_cache:
            remaining_cache[r.channel] = _remaining_offered(store, r.channel, as_of)
        remaining_offered, basis = remaining_cache[r.channel]
        share = r.n / offered[r.channel] if offered.get(r.channel) else 0.0
        remaining = remaining_offered * share
        m = METRICS[r.metric]
        # The line that still counts as met: the target widened by its tolerance.
        goal = t.target * (1 - t.tolerance_pct / 100) if m.direction == "higher" else \
            t.target * (1 + t.tolerance_pct / 100)
        required = required_value(m.direction, r.value, r.n, goal, remaining)
        low, high = m.bounds
        impossible = secured = False
        if required is not None:
            if m.direction == "higher":
                impossible = high is not None and required > high
                secured = low is not None and required <= low
            else:
                impossible = low is not None and required < low
                secured = high is not None and required >= high
        else:
            impossible = (r.value < goal) if m.direction == "higher" else (r.value > goal)
        on_track = (r.value >= goal) if m.direction == "higher" else (r.value <= goal)
        out.append(Pace(r.channel, r.metric, month, as_of.isoformat(), r.value, r.n, goal, remaining, basis,
                        required, impossible, secured, on_track, t.target, t.tolerance_pct))
    return out


def staleness(store: Store, as_of: dt.date) -> str | None:
    """"No data for 2026-11 yet (latest: 2026-04)." when the store holds nothing for the as-of month (but holds
    something): an empty alert list would read as "nothing is behind"."""
    month, latest = as_of.strftime("%Y-%m"), latest_month(store)
    if latest is None or latest >= month:
        return None
    return _("No data for {month} yet (latest: {latest}).").format(month=month_label(month),
                                                                    latest=month_label(latest))


def alerts(store: Store, as_of: dt.date | None = None, channels: list[str] | None = None) -> list[Alert]:
    """What needs acting on now: impossible months, metrics behind target, rolling rules one miss from breach.

    When the month has no data at all, that is the one alert (kind "no_data").
    """
    as_of = as_of or dt.date.today()
    stale = staleness(store, as_of)
    if stale:
        return [Alert("*", "", "no_data", stale)]
    out = []
    for p in paces(store, as_of, channels):
        words = {"channel": channel_name(p.channel), "metric": METRICS[p.metric].subject,
                 "value": format_value(p.metric, p.value), "contacts": format_number(p.remaining_contacts)}
        target = format_value(p.metric, p.target)
        if p.tolerance_pct:  # say which line counts: the target widened by its tolerance
            target = _("{line} (target {target})").format(
                line=target, target=target_text(p.metric, p.stated_target, p.tolerance_pct))
        sign = "≥" if METRICS[p.metric].direction == "higher" else "≤"
        if p.impossible:
            # The arithmetic's requirement is out of the metric's range here (above 100 %, below 0 s): say so
            # in words rather than print an impossible figure.
            text = _("{channel} {metric} can no longer meet {target} this month ({value} so far).") \
                if p.required is None else \
                _("{channel} {metric} can no longer meet {target} this month, even if the remaining ~{contacts} "
                  "contacts all go perfectly ({value} so far).")
            out.append(Alert(p.channel, p.metric, "impossible", text.format(target=target, **words)))
        elif not p.on_track and p.required is not None:
            out.append(Alert(p.channel, p.metric, "behind",
                             _("{channel} {metric} needs {sign} {required} on about {contacts} remaining contacts "
                               "to meet {target} ({value} so far).").format(
                                 sign=sign, required=format_value(p.metric, p.required), target=target, **words)))
    previous = add_months(as_of.strftime("%Y-%m"), -1)
    for c in compliance(store, previous, channels):
        if c.status == "at_risk":
            out.append(Alert(c.channel, c.metric, "rolling",
                             _("{channel} {metric}: {misses} misses in the last {months} months — at risk; one more "
                               "missed month breaches the rule.").format(
                                 channel=channel_name(c.channel), metric=METRICS[c.metric].subject,
                                 misses=len(c.flagged_months), months=c.months_in_window)))
    return out
