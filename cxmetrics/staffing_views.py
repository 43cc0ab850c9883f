"""Staffing what-if: what the Staffing page shows, and the `staffing` command (issue 16 §2).

The page calls `staffing_choices` and `staffing_page` through `ui.cached`; the command line adds the sub-command
with `add_parser(sub)` and runs it with `run(store, args)`. The model and its decisions are in cxmetrics/staffing.py.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass, field

import pandas as pd

from .charts import HALF_HOURS, spec
from .display import (channel_name, format_number, format_value, month_label, ordered_channels, safe_csv_text,
                      weekday_names, write_safe_csv)
from .errors import CxError
from .i18n import _, ngettext
from .months import add_months, month_range
from .staffing import CSV_HEADER, HIGHEST_TARGET_PCT, StaffingPlan, default_shrinkage, plan
from .storage import Store


# -- the page's choices ------------------------------------------------------------------------------------
@dataclass
class StaffingChoices:
    channels: list[str]
    months: list[str]        # from the month after the first with data to a year after the last
    default_month: str | None  # the month after the last with data
    shrinkage_pct: float     # the `shrinkage_pct` setting


def staffing_choices(store: Store) -> StaffingChoices:
    """Channels with contacts by half-hour, the months a plan can be made for, and the default shrinkage."""
    first, last, channels = store.fetchone(
        "SELECT strftime(min(slot), '%Y-%m'), strftime(max(slot), '%Y-%m'), list(DISTINCT channel) "
        "FROM measures_slot WHERE offered > 0")
    if first is None:
        return StaffingChoices([], [], None, default_shrinkage(store))
    months = month_range(add_months(first, 1), add_months(last, 12))
    return StaffingChoices(ordered_channels(channels or []), months, add_months(last, 1), default_shrinkage(store))


# -- the page ------------------------------------------------------------------------------------------
@dataclass
class StaffingPage:
    channel: str
    month: str
    message: str | None = None  # why there is no plan (too little history, a value out of range)
    table: pd.DataFrame = field(default_factory=pd.DataFrame)  # intervals with contacts expected, translated
    heatmap: dict | None = None  # Vega-Lite: agents to schedule by weekday × half-hour
    summary: list[tuple[str, str]] = field(default_factory=list)  # (label, value text)
    notices: list[str] = field(default_factory=list)
    estimate: str = ""           # the model in a manager's words
    csv: str = ""                # the command line's CSV (English ids, raw numbers), for the download button


def staffing_page(store: Store, channel: str, month: str, shrinkage_pct: float | None = None,
                  max_occupancy_pct: float | None = None, total_override: float | None = None) -> StaffingPage:
    """The plan of a channel and month for the page (a message instead when it cannot be made)."""
    page = StaffingPage(channel, month, estimate=estimate_text())
    try:
        p = plan(store, channel, month, shrinkage_pct, max_occupancy_pct, total_override)
    except CxError as exc:
        page.message = str(exc)
        return page
    page.table = _table(p)
    page.heatmap = heatmap_spec(p)
    page.summary = summary(p)
    page.notices = notices(p)
    page.csv = safe_csv_text(CSV_HEADER, (r.csv_cells() for r in p.rows))
    return page


def _table(p: StaffingPlan) -> pd.DataFrame:
    names = weekday_names()
    rows = [{_("Weekday"): names[r.weekday - 1], _("Half-hour"): r.interval,
             _("Expected contacts"): format_number(r.contacts, 1), _("AHT"): format_value("aht", r.aht_s),
             _("Agents"): format_number(r.agents), _("Service level"): format_value("service_level",
                                                                                    r.service_level_pct),
             _("ASA"): format_value("asa", r.asa_s), _("Occupancy"): format_value("service_level", r.occupancy_pct),
             _("Agents to schedule"): format_number(r.agents_scheduled)}
            for r in p.rows if r.contacts > 0]
    return pd.DataFrame(rows)


def heatmap_spec(p: StaffingPlan) -> dict | None:
    """Agents to schedule by weekday × half-hour, on the full 7 × 48 grid (None when no interval needs any)."""
    if not any(r.agents_scheduled for r in p.rows):
        return None
    names = weekday_names()
    values = [{"weekday": names[r.weekday - 1], "time": r.interval, "scheduled": r.agents_scheduled,
               "agents": r.agents, "contacts": round(r.contacts, 2)} for r in p.rows]
    title = _("Agents to schedule by weekday and half-hour, {month}").format(month=month_label(p.month))
    chart = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"name": "agents"},  # a named data set: Streamlit sends it beside the spec, as the other charts do
        "datasets": {"agents": values},
        "mark": {"type": "rect"},
        "encoding": {
            "x": {"field": "time", "type": "ordinal", "scale": {"domain": list(HALF_HOURS)},
                  "title": _("Half-hour starting"), "axis": {"values": list(HALF_HOURS[::4]), "labelAngle": 0}},
            "y": {"field": "weekday", "type": "ordinal", "scale": {"domain": names}, "title": None},
            "color": {"field": "scheduled", "type": "quantitative", "scale": {"scheme": "blues"},
                      "title": _("Agents to schedule"), "legend": {"format": ",.0f", "tickMinStep": 1}},
            "tooltip": [{"field": "weekday", "type": "nominal", "title": _("Weekday")},
                        {"field": "time", "type": "nominal", "title": _("Half-hour")},
                        {"field": "contacts", "type": "quantitative", "title": _("Expected contacts"),
                         "format": ",.1f"},
                        {"field": "agents", "type": "quantitative", "title": _("Agents"), "format": ",.0f"},
                        {"field": "scheduled", "type": "quantitative", "title": _("Agents to schedule"),
                         "format": ",.0f"}],
        },
        "height": 7 * 24,
        "title": title,
    }
    return spec(chart)


def _percent(value: float) -> str:
    return format_value("service_level", value)


def summary(p: StaffingPlan) -> list[tuple[str, str]]:
    """The plan's headline figures, as display text."""
    out = [(_("Expected contacts in the month"), format_number(p.total)),
           (_("AHT"), format_value("aht", p.aht_s)),
           (_("Service-level target"), _("{target} within {seconds} s").format(
               target=_percent(p.target_pct), seconds=format_number(p.threshold_s))),
           (_("Agent-hours to schedule"), format_number(p.agent_hours_scheduled, 1)),
           (_("Agent-hours on the queue"), format_number(p.agent_hours, 1))]
    peak = p.peak
    if peak is not None:
        # both counts: the heatmap below shows agents to schedule, which is more than those on the queue
        out.append((_("Busiest half-hour"), ngettext(
            "{weekday} {time}: {agents} agent on the queue, {scheduled} to schedule",
            "{weekday} {time}: {agents} agents on the queue, {scheduled} to schedule", peak.agents).format(
            weekday=weekday_names()[peak.weekday - 1], time=peak.interval, agents=format_number(peak.agents),
            scheduled=format_number(peak.agents_scheduled))))
    return out


def notices(p: StaffingPlan) -> list[str]:
    """Where the figures come from, in sentences."""
    f = p.forecast
    out = []
    if f.method == "last_year":
        change = (f.trend - 1) * 100
        out.append(_("Forecast: {month} scaled by the year-on-year trend of {first} – {last}, ×{trend} ({change} "
                     "against the same months a year earlier).").format(
            month=month_label(f.base_from.strftime("%Y-%m")), first=month_label(f.trend_months[0]),
            last=month_label(f.trend_months[1]), trend=format_number(f.trend, 3),
            change=("+" if change >= 0 else "") + _percent(change)))
    else:
        out.append(_("Forecast: the average of the eight weeks from {start} to {end} (the same month last year, "
                     "with the three months before it in both years, is not in the store).").format(
            start=f.base_from.isoformat(), end=f.base_to.isoformat()))
    if p.overridden:
        out.append(_("The month's total is set to {total} contacts (the forecast was {forecast}); every half-hour "
                     "is scaled by the same factor.").format(total=format_number(p.total),
                                                             forecast=format_number(f.total)))
    out.append(_("AHT: handle time of the answered contacts from {first} to {last}.").format(
        first=month_label(p.aht_months[0]), last=month_label(p.aht_months[1])))
    if not p.target_in_force:
        out.append(_("No service-level target is in force for {channel} in {month}: the plan uses {target}.")
                   .format(channel=channel_name(p.channel), month=month_label(p.month), target=_percent(p.target_pct)))
    if p.target_capped:
        out.append(_("Erlang C never reaches a service level of 100 %: the plan uses {target}.").format(
            target=_percent(HIGHEST_TARGET_PCT)))
    if p.max_occupancy_pct is not None:
        out.append(_("Occupancy is kept at or below {cap}.").format(cap=_percent(p.max_occupancy_pct)))
    out.append(_("Shrinkage {shrinkage}: agents to schedule = agents ÷ (1 − shrinkage), rounded up.").format(
        shrinkage=_percent(p.shrinkage_pct)))
    return out


def estimate_text() -> str:
    """What the figures are, for a manager."""
    return _("These figures are an estimate. The expected contacts come from your history (last year's month "
             "adjusted by the recent trend, or the last eight weeks), not from campaigns or holidays you know are "
             "coming. For every half-hour, the Erlang C queueing model gives the fewest agents who answer the target "
             "share of contacts within the threshold, assuming contacts arrive at random, take the average handle "
             "time, and nobody hangs up while waiting. Agents to schedule add shrinkage (breaks, training, absence) "
             "on top. Abandons, agents with several skills and chats handled in parallel are not modelled: use the "
             "figures as a starting point for the roster.")


# -- the command line ------------------------------------------------------------------------------------
def add_parser(sub) -> argparse.ArgumentParser:
    """Adds `staffing` to the command line's sub-commands."""
    p = sub.add_parser("staffing", help="agents needed per weekday and half-hour of a month (Erlang C what-if)",
                       description="Forecasts the contacts of every weekday x half-hour of a month (the same month "
                                   "last year scaled by the year-on-year trend of the last three months, else the "
                                   "average of the last eight weeks), and gives the agents Erlang C needs for the "
                                   "channel's service-level target. Columns: " + ",".join(CSV_HEADER) + "; weekday "
                                   "is ISO (1 = Monday), interval the half-hour's local start, contacts those "
                                   "expected in that half-hour of a typical such weekday.")
    p.add_argument("--channel", required=True, help="channel slug, e.g. voice")
    p.add_argument("--month", required=True, help="the month to plan, YYYY-MM")
    p.add_argument("--shrinkage", type=float, metavar="P",
                   help="shrinkage in percent (default: the shrinkage_pct setting, 30)")
    p.add_argument("--max-occupancy", type=float, metavar="P", help="highest occupancy in percent (default: none)")
    p.add_argument("--total", type=float, metavar="N", help="the month's expected contacts instead of the forecast's")
    p.add_argument("--out", required=True, help="CSV file to write")
    return p


def run(store: Store, args) -> int:
    """Writes the plan's CSV and prints a summary; errors go to the command line's handler."""
    p = plan(store, args.channel, args.month, args.shrinkage, args.max_occupancy, getattr(args, "total", None))
    with open(args.out, "w", newline="", encoding="utf-8") as fh:
        write_safe_csv(fh, CSV_HEADER, (r.csv_cells() for r in p.rows))
    print(_("{channel}, {month}: {contacts} contacts expected, {hours} agent-hours to schedule; written to {path}")
          .format(channel=p.channel, month=p.month, contacts=format_number(p.total),
                  hours=format_number(p.agent_hours_scheduled, 1), path=args.out))
    for line in notices(p):
        print(f"  {line}")
    return 0
