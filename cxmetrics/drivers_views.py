"""Satisfaction drivers, as the page *Drivers* shows them and as the `drivers` command writes them (issue 16 §1).

`drivers_page` is the page's data (cached per data version and language through `ui.cached`); `add_parser`
and `run` are the command line's sub-command, wired into cli.py. The numbers come from cxmetrics.drivers.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field

import pandas as pd

from .charts import spec
from .display import channel_name, format_number, format_value, write_safe_csv
from .drivers import (CAVEAT, CSV_HEADER, DRIVER_HELP, DRIVER_TITLES, DRIVERS, MIN_RESPONSES, OUTCOMES, Bucket,
                      Drivers, bucket_label, drivers, outcome_label, summary)
from .i18n import _, ngettext
from .metrics import METRICS
from .storage import Store

BAR_COLOUR = "#0072B2"     # Okabe–Ito blue, as "met" elsewhere
THIN_OPACITY = 0.35        # a thin bucket (fewer than MIN_RESPONSES responses) is drawn lighter
THIN_TEXT_COLOUR = "#999999"


@dataclass
class DriverSection:
    driver: str
    title: str                 # the driver's name, translated
    help: str                  # what the driver means, translated
    table: pd.DataFrame        # translated headings, formatted numbers
    thin: list[bool]           # per table row: fewer than MIN_RESPONSES responses (greyed)
    spec: dict | None          # Vega-Lite bars with 95 % interval error bars (None: nothing to draw)


@dataclass
class DriversPage:
    outcome: str
    outcome_label: str
    summary: list[str]                       # ranked sentences, largest well-supported gap first
    caveat: str                              # associations, not proof of cause; the thin rule
    notices: list[str] = field(default_factory=list)  # why something is missing (aggregated only, no responses)
    sections: list[DriverSection] = field(default_factory=list)
    no_finding: str | None = None            # said instead of the summary when it is empty but data exist
    responses: int = 0


def _interval_text(outcome: str, b: Bucket) -> str:
    return _("{low} to {high}").format(low=format_value(outcome, b.ci_low), high=format_value(outcome, b.ci_high))


def _section(data: Drivers, driver: str) -> DriverSection:
    buckets = data.of(driver)
    value_heading = outcome_label(data.outcome)
    rows = [{_("Bucket"): bucket_label(data, driver, b.bucket), _("Responses"): format_number(b.responses),
             value_heading: format_value(data.outcome, b.value), _("95% interval"): _interval_text(data.outcome, b)}
            for b in buckets]
    table = pd.DataFrame(rows, columns=[_("Bucket"), _("Responses"), value_heading, _("95% interval")])
    return DriverSection(driver, _(DRIVER_TITLES[driver]), _(DRIVER_HELP[driver]), table, [b.thin for b in buckets],
                         spec(driver_chart(data, driver)))


def driver_chart(data: Drivers, driver: str) -> dict | None:
    """Horizontal bars of one driver's buckets, in bucket order, each with its 95 % interval as an error bar; thin
    buckets lighter. A hand-written Vega-Lite dict (charts.spec adds the width rule and the session's locale)."""
    buckets = data.of(driver)
    if not buckets:
        return None
    outcome = data.outcome
    labels = [bucket_label(data, driver, b.bucket) for b in buckets]
    values = [{"label": label, "value": b.value, "ci_low": b.ci_low, "ci_high": b.ci_high,
               "responses": b.responses, "thin": b.thin, "value_text": format_value(outcome, b.value),
               "interval_text": _interval_text(outcome, b), "responses_text": format_number(b.responses)}
              for label, b in zip(labels, buckets)]
    domain = [-100, 100] if outcome == "nps" else [0, 100]
    y = {"field": "label", "type": "nominal", "sort": labels, "title": None,
         "axis": {"labelLimit": 260}}
    x = {"field": "value", "type": "quantitative", "scale": {"domain": domain},
         "title": _("{outcome}, with its 95% interval").format(outcome=outcome_label(outcome)),
         "axis": {"format": "+.0f" if outcome == "nps" else ".0f"}}
    tooltip = [{"field": "label", "type": "nominal", "title": _(DRIVER_TITLES[driver])},
               {"field": "responses_text", "type": "nominal", "title": _("Responses")},
               {"field": "value_text", "type": "nominal", "title": outcome_label(outcome)},
               {"field": "interval_text", "type": "nominal", "title": _("95% interval")}]
    opacity = {"condition": {"test": "datum.thin", "value": THIN_OPACITY}, "value": 1}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"name": "drivers"},  # a named data set: Streamlit sends it beside the spec, as the other charts do
        "datasets": {"drivers": values},
        "height": 22 * max(1, len(values)),  # a fixed height: Streamlit fits charts, and a step height fights that
        "encoding": {"y": y},
        "layer": [
            {"mark": {"type": "bar", "color": BAR_COLOUR},
             "encoding": {"x": x, "opacity": opacity, "tooltip": tooltip}},
            {"mark": {"type": "rule", "color": "black"},
             "encoding": {"x": {"field": "ci_low", "type": "quantitative"}, "x2": {"field": "ci_high"},
                          "opacity": opacity, "tooltip": tooltip}},
            {"mark": {"type": "tick", "color": "black", "thickness": 1, "size": 10},
             "encoding": {"x": {"field": "ci_low", "type": "quantitative"}, "opacity": opacity}},
            {"mark": {"type": "tick", "color": "black", "thickness": 1, "size": 10},
             "encoding": {"x": {"field": "ci_high", "type": "quantitative"}, "opacity": opacity}},
        ],
    }


def drivers_page(store: Store, channels: list[str] | None = None, date_from=None, date_to=None,
                 outcome: str = "csat") -> DriversPage:
    """What the page *Drivers* shows: the ranked summary, notices, and one chart and table per driver."""
    data = drivers(store, channels, date_from, date_to, outcome)
    label = METRICS[outcome].short
    page = DriversPage(outcome, outcome_label(outcome), summary(data), _(CAVEAT).format(n=MIN_RESPONSES), responses=data.responses)
    if data.aggregated_only:
        page.notices.append(_("These channels and dates have aggregated reports only. Satisfaction drivers need "
                              "contact-level data — one row per contact with its wait, handle time and survey "
                              "scores: import a contacts export to see them."))
        return page
    if data.aggregated_channels:
        page.notices.append(_("{channels}: aggregated reports only in these dates, so not among the drivers (they "
                              "need contact-level data).").format(
            channels=", ".join(channel_name(c) for c in data.aggregated_channels)))
    if not data.contacts:
        page.notices.append(_("No contacts for these channels and dates."))
        return page
    if not data.responses:
        page.notices.append(_("No {outcome} responses for these channels and dates: nothing to compare.")
                            .format(outcome=label))
        return page
    if not page.summary:
        page.no_finding = _("No well-supported difference: no driver has two buckets of at least {n} responses "
                            "whose 95% intervals do not overlap.").format(n=MIN_RESPONSES)
    page.sections = [_section(data, driver) for driver in DRIVERS if data.of(driver)]
    return page


def styled_table(section: DriverSection):
    """The section's table with its thin buckets greyed (a pandas Styler, for st.dataframe)."""
    def grey(row):
        return [f"color: {THIN_TEXT_COLOUR}" if section.thin[row.name] else ""] * len(row)
    return section.table.style.apply(grey, axis=1)


# -- the command line ----------------------------------------------------------------------------------------------
def add_parser(sub) -> argparse.ArgumentParser:
    """The `drivers` sub-command, on the command line's subparsers."""
    p = sub.add_parser("drivers", help="satisfaction drivers: CSAT or NPS per driver and bucket, with 95%% intervals",
                       description="Writes driver,bucket,responses,value,ci_low,ci_high (value and interval in "
                                   "percent for CSAT top-2-box, in points for NPS). Drivers: " + ", ".join(DRIVERS)
                                   + ". Needs contact-level data. Prints the ranked summary: associations, not "
                                     "proof of cause.")
    p.add_argument("--channel", action="append", help="only this channel (repeatable)")
    p.add_argument("--from", dest="date_from", help="first day, YYYY-MM-DD (or a month YYYY-MM)")
    p.add_argument("--to", dest="date_to", help="last day, inclusive, YYYY-MM-DD (or a whole month YYYY-MM)")
    p.add_argument("--outcome", choices=OUTCOMES, default="csat", help="csat (top-2-box, default) or nps")
    p.add_argument("--out", required=True, help="CSV file to write")
    return p


def run(store: Store, args) -> int:
    """Write the CSV (raw numbers, English ids), then say how many rows and print the ranked summary."""
    data = drivers(store, args.channel, args.date_from, args.date_to, args.outcome)
    with open(args.out, "w", newline="", encoding="utf-8") as fh:
        write_safe_csv(fh, CSV_HEADER, data.csv_rows())
    if data.aggregated_only:
        print(_("These channels and dates have aggregated reports only: satisfaction drivers need contact-level "
                "data."), file=sys.stderr)
    print(ngettext("{n} driver bucket written to {path}", "{n} driver buckets written to {path}",
                   len(data.buckets)).format(n=len(data.buckets), path=args.out))
    lines = summary(data)
    for line in lines:
        print(f"  {line}")
    if lines:
        print("  " + _("(Associations, not proof of cause.)"))
    return 0
