"""Staffing what-if (issue 16 §2): expected contacts per weekday × half-hour of a month, and the agents Erlang C
says they need for the channel's service-level target.

Everything is read from `measures_slot` (local half-hour × channel × queue × team, pooled over queues and teams),
so a channel without half-hour data (daily, weekly or monthly aggregated reports only) cannot be planned.

Decisions (README "Staffing what-if"):

- **Complete months.** The channel's data reach its last day with contacts; the month of that day is complete
  when that day is the month's last day, else the month before is the last complete one. The *anchor* is the
  month before the planned month, or the last complete month when that is earlier. A month is *covered* when
  the channel's data start on or before its first day and reach its last day (days missing inside are not
  looked for: the Data quality page shows them).
- **Forecast, first choice: the same month last year × the year-on-year trend.** The trend is the channel's
  contacts in the three months ending with the anchor divided by its contacts in the same three months a year
  earlier (a ratio of sums, not an average of three ratios). It is used when the month a year before the
  planned month and those six months are all covered and hold contacts.
- **Forecast, else: the last eight weeks.** The 56 days ending with the day before the planned month starts,
  or with the channel's last day of data when that is earlier; they must be covered.
- **A typical such weekday.** The contacts of a weekday × half-hour in the reference period (the month last
  year, or the eight weeks) divided by the number of such weekdays in it (4 or 5 Mondays in a month, 8 in eight
  weeks), times the trend. `contacts` is this figure: what one Monday 10:00 of the planned month expects.
- **The month's total** is the sum over the planned month's days of its weekday's expected contacts; an
  override of the total scales every interval by the same factor.
- **AHT** is one figure: handle time pooled over the answered contacts of the three months ending with the
  anchor (handle_sum / handle_n), for every interval.
- **Target and threshold:** the service-level target in force for the channel in the planned month (80 % when
  none is, said in a notice; capped at 99.9 %, as Erlang C never reaches 100 %) and the channel's SL threshold.
- **Zero forecast:** an interval with no contacts expected needs no agent; its service level, ASA and
  occupancy are empty. Any positive forecast, however small, needs at least one agent.
- **Shrinkage:** agents to schedule = ⌈agents ÷ (1 − shrinkage)⌉, per interval, in exact arithmetic.
- **Agent-hours:** the sum over the planned month's days of the half-hours' agents to schedule × 0.5 h (and the
  same for the agents on the queue, before shrinkage).
- **Too little history:** neither forecast possible, or no handle time in the three months: NotEnoughHistory,
  saying what is needed.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

from . import erlang
from .config import channel_settings, get_settings
from .errors import CxError, UsageError
from .i18n import _
from .measures import ensure_built
from .months import add_months, check_month, month_end, month_range, month_start, next_month_start
from .schema import OTHER_CHANNEL_DEFAULTS
from .storage import Store
from .targets import TargetBook, list_targets

INTERVAL_S = 1800  # measures_slot's half-hour
HALF_HOURS = tuple(f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30))
WEEKDAYS = tuple(range(1, 8))  # ISO: 1 = Monday … 7 = Sunday, as `kpis --period weekday_interval` writes them
DEFAULT_SHRINKAGE_PCT = 30.0
DEFAULT_TARGET_PCT = 80.0
HIGHEST_TARGET_PCT = 99.9
TREND_MONTHS = 3
WEEKS = 8
CSV_HEADER = ["weekday", "interval", "contacts", "aht_s", "agents", "service_level_pct", "asa_s", "occupancy_pct",
              "agents_scheduled"]


class NotEnoughHistory(CxError):
    """The channel's half-hour data cannot give a forecast or an AHT for the month."""


@dataclass(frozen=True)
class PlanRow:
    weekday: int               # ISO weekday, 1 = Monday
    interval: str              # HH:MM, the half-hour's start (local time)
    contacts: float            # expected contacts offered in this half-hour of a typical such weekday
    aht_s: float
    agents: int                # Erlang C: the smallest number meeting the target (and the occupancy cap)
    service_level_pct: float | None
    asa_s: float | None
    occupancy_pct: float | None
    agents_scheduled: int      # agents ÷ (1 − shrinkage), rounded up

    def csv_cells(self) -> list:
        return [self.weekday, self.interval, self.contacts, self.aht_s, self.agents, self.service_level_pct,
                self.asa_s, self.occupancy_pct, self.agents_scheduled]


@dataclass
class Forecast:
    """Expected contacts of a typical weekday × half-hour of the month, and where they come from."""
    method: str                          # "last_year" | "last_8_weeks"
    base_from: dt.date                   # the reference period, both days included
    base_to: dt.date
    trend: float | None                  # the year-on-year factor (last_year only)
    trend_months: tuple[str, str] | None  # first and last month of the trend's three months
    typical: dict[tuple[int, str], float]  # (weekday, HH:MM) → contacts
    total: float                         # the planned month's expected contacts


@dataclass
class StaffingPlan:
    channel: str
    month: str
    forecast: Forecast
    total: float                 # the month's contacts used (the forecast's, or the override)
    overridden: bool
    aht_s: float
    aht_months: tuple[str, str]
    target_pct: float
    target_in_force: bool        # False: no target for this channel and month, DEFAULT_TARGET_PCT used
    target_capped: bool          # the target in force was 100 % or more, HIGHEST_TARGET_PCT used
    threshold_s: float
    shrinkage_pct: float
    max_occupancy_pct: float | None
    rows: list[PlanRow] = field(default_factory=list)
    agent_hours_scheduled: float = 0.0
    agent_hours: float = 0.0      # on the queue, before shrinkage

    @property
    def peak(self) -> PlanRow | None:
        """The interval needing the most agents (the earliest in the week on a tie); None when none needs any."""
        best = max(self.rows, key=lambda r: (r.agents, -r.weekday, -HALF_HOURS.index(r.interval)), default=None)
        return best if best is not None and best.agents > 0 else None


# -- inputs -------------------------------------------------------------------------------------------------
def default_shrinkage(store: Store) -> float:
    """The `shrinkage_pct` setting (30 until the store has one)."""
    return float(get_settings(store).get("shrinkage_pct", str(int(DEFAULT_SHRINKAGE_PCT))))


def _checked_pct(value, name: str, low: float, high: float, high_included: bool) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise UsageError(_("{name} must be a percentage, not {value!r}").format(name=name, value=value)) from None
    if number != number or number < low or number > high or (number == high and not high_included):
        template = (_("{name} must be from {low} to {high} % ({value} given)") if high_included else
                    _("{name} must be at least {low} % and below {high} % ({value} given)"))
        raise UsageError(template.format(name=name, low=f"{low:g}", high=f"{high:g}", value=f"{number:g}"))
    return number


def _slot_span(store: Store, channel: str) -> tuple[dt.date, dt.date] | None:
    first, last = store.fetchone("SELECT min(slot), max(slot) FROM measures_slot WHERE channel = ? AND offered > 0",
                                 [channel])
    return None if first is None else (first.date(), last.date())


def _covered(span: tuple[dt.date, dt.date], start: dt.date, end: dt.date) -> bool:
    """Whether the channel's data run from `start` (or earlier) to `end` (or later), both days included."""
    return span[0] <= start and end <= span[1]


def _month_first(month: str) -> dt.date:
    return month_start(month).date()


def _month_last(month: str) -> dt.date:
    return month_end(_month_first(month))


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def weekday_counts(start: dt.date, end: dt.date) -> Counter:
    """How many Mondays … Sundays (ISO numbers) from start to end, both included."""
    return Counter(d.isoweekday() for d in _days(start, end))


def _offered_by_month(store: Store, channel: str, first: str, last: str) -> dict[str, float]:
    rows = store.fetchall("SELECT strftime(slot, '%Y-%m'), sum(offered) FROM measures_slot WHERE channel = ? AND "
                          "slot >= CAST(? AS TIMESTAMP) AND slot < CAST(? AS TIMESTAMP) GROUP BY 1",
                          [channel, month_start(first), next_month_start(last)])
    return {month: float(total or 0) for month, total in rows}


def _offered_by_weekday_interval(store: Store, channel: str, start: dt.date, end: dt.date) -> dict[tuple[int, str],
                                                                                                     float]:
    rows = store.fetchall("SELECT isodow(slot), strftime(slot, '%H:%M'), sum(offered) FROM measures_slot "
                          "WHERE channel = ? AND slot >= CAST(? AS TIMESTAMP) AND slot < CAST(? AS TIMESTAMP) "
                          "GROUP BY ALL", [channel, dt.datetime.combine(start, dt.time()),
                                           dt.datetime.combine(end + dt.timedelta(days=1), dt.time())])
    return {(int(wd), hh): float(n or 0) for wd, hh, n in rows}


def last_complete_month(span: tuple[dt.date, dt.date]) -> str:
    """The last month the channel's data reach the end of."""
    last = span[1]
    month = last.strftime("%Y-%m")
    return month if last == month_end(last) else add_months(month, -1)


def anchor_month(span: tuple[dt.date, dt.date], month: str) -> str:
    """The last month the forecast may read: the month before `month`, or the last complete one when earlier."""
    return min(add_months(month, -1), last_complete_month(span))


# -- the forecast ----------------------------------------------------------------------------------------
def forecast(store: Store, channel: str, month: str) -> Forecast:
    """Expected contacts of a typical weekday × half-hour of `month` (see the module's decisions)."""
    check_month(month, "--month")
    ensure_built(store)
    span = _slot_span(store, channel)
    if span is None:
        raise NotEnoughHistory(_("{channel} has no contacts by half-hour in the store, so no forecast can be made: "
                                 "import its contacts, or an interval report (aggregated, by half-hour).")
                               .format(channel=channel))
    anchor = anchor_month(span, month)
    last_year = add_months(month, -12)
    trend_first = add_months(anchor, -(TREND_MONTHS - 1))
    prior_first, prior_last = add_months(trend_first, -12), add_months(anchor, -12)
    if _covered(span, _month_first(last_year), _month_last(last_year)) and \
            _covered(span, _month_first(prior_first), _month_last(anchor)):
        totals = _offered_by_month(store, channel, min(prior_first, last_year), anchor)
        recent = sum(totals.get(m, 0.0) for m in month_range(trend_first, anchor))
        before = sum(totals.get(m, 0.0) for m in month_range(prior_first, prior_last))
        if recent > 0 and before > 0 and totals.get(last_year, 0.0) > 0:
            trend = recent / before
            start, end = _month_first(last_year), _month_last(last_year)
            return _typical(store, channel, month, "last_year", start, end, trend, (trend_first, anchor))
    end = min(_month_first(month) - dt.timedelta(days=1), span[1])
    start = end - dt.timedelta(days=7 * WEEKS - 1)
    if _covered(span, start, end):
        return _typical(store, channel, month, "last_8_weeks", start, end, None, None)
    raise NotEnoughHistory(_(
        "{channel} has too little history by half-hour to forecast {month}: the forecast needs either the same "
        "month a year earlier and the three months before {anchor} in both years, or eight whole weeks before the "
        "month; the data run from {first} to {last}.").format(
        channel=channel, month=month, anchor=add_months(anchor, 1), first=span[0].isoformat(),
        last=span[1].isoformat()))


def _typical(store: Store, channel: str, month: str, method: str, start: dt.date, end: dt.date,
             trend: float | None, trend_months: tuple[str, str] | None) -> Forecast:
    counts = weekday_counts(start, end)
    scale = 1.0 if trend is None else trend
    offered = _offered_by_weekday_interval(store, channel, start, end)
    typical = {(wd, hh): offered.get((wd, hh), 0.0) / counts[wd] * scale for wd in WEEKDAYS for hh in HALF_HOURS}
    in_month = weekday_counts(_month_first(month), _month_last(month))
    total = sum(in_month[wd] * sum(typical[wd, hh] for hh in HALF_HOURS) for wd in WEEKDAYS)
    return Forecast(method, start, end, trend, trend_months, typical, total)


def average_handle_time(store: Store, channel: str, first: str, last: str) -> float:
    """Handle time pooled over the answered contacts of the months from first to last (seconds)."""
    total, n = store.fetchone("SELECT sum(handle_sum), sum(handle_n) FROM measures_slot WHERE channel = ? AND "
                              "slot >= CAST(? AS TIMESTAMP) AND slot < CAST(? AS TIMESTAMP)",
                              [channel, month_start(first), next_month_start(last)])
    if not n or total is None:
        raise NotEnoughHistory(_("{channel} has no handle time from {first} to {last}, so the AHT the agents need is "
                                 "unknown: import exports with talk, hold and wrap-up (or handle) times.")
                               .format(channel=channel, first=first, last=last))
    return float(total) / float(n)


# -- the plan -------------------------------------------------------------------------------------------
def scheduled(agents: int, shrinkage_pct: float) -> int:
    """Agents to schedule so that `agents` are on the queue after shrinkage: ⌈agents ÷ (1 − shrinkage)⌉, exact."""
    if agents <= 0:
        return 0
    share = Fraction(str(shrinkage_pct)) / 100
    return math.ceil(Fraction(agents) / (1 - share))


def plan(store: Store, channel: str, month: str, shrinkage_pct: float | None = None,
         max_occupancy_pct: float | None = None, total_override: float | None = None) -> StaffingPlan:
    """The staffing plan of a channel and month: one row per weekday × half-hour, and the month's agent-hours."""
    channel = str(channel or "").strip().lower()
    if not channel:
        raise UsageError(_("give a channel slug, e.g. voice"))
    check_month(month, "--month")
    shrinkage = _checked_pct(default_shrinkage(store) if shrinkage_pct is None else shrinkage_pct,
                             "--shrinkage", 0, 100, high_included=False)
    cap = None if max_occupancy_pct is None else _checked_pct(max_occupancy_pct, "--max-occupancy", 0, 100, True)
    if cap == 0:
        raise UsageError(_("--max-occupancy must be above 0 %"))
    if total_override is not None:
        try:
            total_override = float(total_override)
        except (TypeError, ValueError):
            raise UsageError(_("--total must be a number of contacts, not {value!r}")
                             .format(value=total_override)) from None
        if not total_override > 0 or math.isinf(total_override):
            raise UsageError(_("--total must be a positive number of contacts"))
    fc = forecast(store, channel, month)
    span = _slot_span(store, channel)
    anchor = anchor_month(span, month)
    aht_first = add_months(anchor, -(TREND_MONTHS - 1))
    aht = average_handle_time(store, channel, aht_first, anchor)
    target = TargetBook(list_targets(store)).in_force(channel, "service_level", month)
    target_pct = DEFAULT_TARGET_PCT if target is None else float(target.target)
    capped = target_pct > HIGHEST_TARGET_PCT
    target_pct = min(target_pct, HIGHEST_TARGET_PCT)
    settings = next((s for s in channel_settings(store) if s["channel"] == channel), None)
    threshold = float(settings["sl_threshold_s"] if settings else OTHER_CHANNEL_DEFAULTS.sl_threshold_s)

    factor = 1.0
    if total_override is not None:
        if fc.total <= 0:
            raise NotEnoughHistory(_("the forecast for {month} has no contacts, so a total cannot be spread over "
                                     "its intervals").format(month=month))
        factor = total_override / fc.total
    result = StaffingPlan(channel, month, fc, fc.total * factor, total_override is not None, aht,
                          (aht_first, anchor), target_pct, target is not None, capped, threshold, shrinkage, cap)
    in_month = weekday_counts(_month_first(month), _month_last(month))
    for wd in WEEKDAYS:
        for hh in HALF_HOURS:
            contacts = fc.typical[wd, hh] * factor
            result.rows.append(_row(wd, hh, contacts, aht, threshold, target_pct, cap, shrinkage))
    for r in result.rows:
        result.agent_hours += in_month[r.weekday] * r.agents * INTERVAL_S / 3600
        result.agent_hours_scheduled += in_month[r.weekday] * r.agents_scheduled * INTERVAL_S / 3600
    return result


def _row(weekday: int, interval: str, contacts: float, aht: float, threshold: float, target_pct: float,
         cap: float | None, shrinkage: float) -> PlanRow:
    if contacts <= 0:
        return PlanRow(weekday, interval, 0.0, aht, 0, None, None, None, 0)
    staffing = erlang.agents_needed(erlang.traffic(contacts, INTERVAL_S, aht), aht, threshold, target_pct / 100,
                                    None if cap is None else cap / 100)
    return PlanRow(weekday, interval, contacts, aht, staffing.agents, staffing.service_level * 100,
                   staffing.asa_s, staffing.occupancy * 100, scheduled(staffing.agents, shrinkage))
