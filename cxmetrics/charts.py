"""Altair charts for the pages: one colour per channel everywhere, a colour-blind-safe palette.

Every builder returns None when it has nothing to draw, so a page says "not measured" in one line
instead of drawing an empty chart (an empty scale also makes Vega log "Infinite extent").
"""
from __future__ import annotations

import json
import math
from collections import Counter
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only
    import altair as alt
    import pandas as pd

from .benchmarks import BenchmarkBook, benchmark_label
from .display import (FORMATS, STATE_LOOKS, channel_colour, channel_name, chart_locale, duration_ticks,
                      format_value, log_duration_ticks, metric_format, month_label, ordered_channels, weekday_names)
from .i18n import _
from .metrics import METRICS
from .months import month_days, month_name, month_range

def _inline_records(data, **_options) -> dict:
    """Altair's data step for our frames: inline JSON records written by pandas in C (NaN → null).

    Altair's default sanitises every frame column by column in Python, which was most of a cold Overview.
    """
    import pandas as pd  # here, not at the top: the Overview draws no Altair chart (see trend_chart)

    if isinstance(data, pd.DataFrame):
        return {"values": json.loads(data.to_json(orient="records", date_format="iso"))}
    return _altair().utils.data.to_values(data)


@cache
def _altair():
    """Altair, imported on the first chart that needs it: pages drawing only hand-built specs (the Overview's
    trends) start about 0.2 s sooner in a new process (bench/NOTES.md)."""
    import altair

    altair.data_transformers.register("cxmetrics_records", _inline_records)
    altair.data_transformers.enable("cxmetrics_records")
    return altair

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]  # English; weekday_names() in the session's language
HALF_HOURS = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30)]
NPS_GROUPS = {m: METRICS[m].short_text for m in ("nps_promoters", "nps_passives", "nps_detractors")}  # English


def nps_groups() -> dict[str, str]:
    """Promoters, passives, detractors: metric id → its short label in the session's language."""
    return {m: METRICS[m].short for m in NPS_GROUPS}

# Promoters, passives, detractors in the colours of met, no data and missed.
_NPS_RANGE = [STATE_LOOKS[s].colour for s in ("met", "no_data", "missed")]
# A YYYY-MM category as "Oct 25" (UTC, so the browser's zone cannot shift it to the month before).
_MONTH_LABEL = "utcFormat(toDate(datum.value + '-01T00:00:00Z'), '%b %y')"


def _axis_format(metric_id: str) -> str:
    return metric_format(metric_id).axis


def _value_axis(metric_id: str, title: str | None = None) -> alt.Axis:
    """The value axis in the metric's display format (durations as m:ss, h:mm:ss past an hour)."""
    alt = _altair()
    fmt = metric_format(metric_id)
    if fmt.axis_labels:
        return alt.Axis(title=title, labelExpr=fmt.axis_labels)
    return alt.Axis(title=title, format=fmt.axis, tickMinStep=1)


def _unit(metric_id: str) -> str:
    return metric_format(metric_id).unit


def _channel_colour(channels) -> alt.Color:
    alt = _altair()
    channels = ordered_channels(channels)
    scale = alt.Scale(domain=[channel_name(c) for c in channels], range=[channel_colour(c) for c in channels])
    # One channel needs no legend: the page already names it. Several wrap in rows of four, never cut off.
    legend = alt.Legend(title=None, orient="bottom", columns=4, symbolLimit=0) if len(channels) > 1 else None
    return alt.Color("Channel:N", scale=scale, legend=legend)


def _month_axis() -> alt.Axis:
    alt = _altair()
    return alt.Axis(title=None, labelExpr=_MONTH_LABEL, labelAngle=0, labelOverlap="parity")


# The benchmark line: a grey dotted rule across the chart, named under the plot, distinct from the targets' dashed
# lines in the channels' colours (no channel is drawn in this grey), so a reference is never read as a target.
BENCHMARK_COLOUR = "#666666"
BENCHMARK_DASH = [2, 3]
MISSED_MARK_COLOUR = "#222222"  # a missed month's cross on a trend
TARGET_DASH = [6, 4]


def _benchmark_rows(channels: list[str], metric_id: str, benchmarks, last_month: str) -> list[dict]:
    """One row per benchmark that applies to a channel on the chart (a '*' row once for all its channels)."""
    book = BenchmarkBook(benchmarks or ())
    if not book:
        return []
    applies: dict = {}
    for channel in channels:
        b = book.lookup(channel, metric_id)
        if b is not None:
            applies.setdefault(b, []).append(channel)
    rows = []
    for b, mine in applies.items():
        label = benchmark_label(b)
        if len(channels) > 1 and len(mine) < len(channels):  # say whose it is when others have none or another
            label = f"{label} · {', '.join(channel_name(c) for c in mine)}"
        rows.append({"period": last_month, "value": b.value, "Benchmark": label,
                     "Channels": ", ".join(channel_name(c) for c in mine),
                     "value_text": format_value(metric_id, b.value), "source": b.source, "year": str(b.year),
                     "scope": b.scope})
    return rows


def _plain(value):
    """A cell as JSON has it: NaN and pandas' NA as None (known by its type's name: pandas is not imported here)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or type(value).__name__ == "NAType":
        return None
    return value


def _far_apart(data: list[dict]) -> bool:
    """Whether the channels' typical values differ by more than 20×: on one linear axis the small ones would lie
    flat on its floor (calls answered in seconds under e-mails answered in hours)."""
    typical = []
    for channel in {r["channel"] for r in data}:
        values = sorted(r["value"] for r in data if r["channel"] == channel)
        typical.append(values[len(values) // 2])
    if len(typical) < 2 or max(typical) <= 0:
        return False
    return min(typical) <= 0 or max(typical) / min(typical) > 20


def _gap_rows(data: list[dict], months: list[str]) -> list[dict]:
    """A row without a value for each month a channel has none of between its first and last: its line breaks
    there instead of joining the months on either side as if the gap had data."""
    gaps = []
    for channel in {r["channel"] for r in data}:
        mine = {r["period"]: r for r in data if r["channel"] == channel}
        first, last = min(mine), max(mine)
        gaps += [{**mine[first], "period": m, "month": month_label(m), "value": None, "n": None, "target": None,
                  "state": None, "State": None} for m in months if first < m < last and m not in mine]
    return gaps


def trend_chart(rows, metric_id: str, benchmarks=()) -> dict | None:
    """Monthly values per channel, the target as a dashed line with a tick per month, missed months marked.

    `benchmarks` (cxmetrics.benchmarks.Benchmark rows) adds each one that applies to a channel on the chart as a
    grey dotted line, named with its value under the plot ("┈ Benchmark: SQM Group 2022: 70.0%"); none applies,
    nothing is drawn.

    `rows`: KPI rows as mappings (period, channel, metric, value, n, target, state), of any metric.

    Written as a Vega-Lite dict over plain rows, each layer's rows inline, rather than through Altair, pandas or
    Arrow: the Overview draws eight of these on every cold start, and Altair's object copies, then pandas'
    filters and JSON round trips, were most of that time; and a new process that draws only the Overview does
    not import pandas at all (0.3–0.4 s), which building Arrow data sets would do (pyarrow imports pandas on its
    first array).
    """
    data = []
    for row in rows:
        period, channel, mid, value, n, target, state = (row[c] for c in ("period", "channel", "metric", "value",
                                                                           "n", "target", "state"))
        value = _plain(value)
        if mid != metric_id or value is None:
            continue
        state = _plain(state)
        data.append({"period": period, "month": month_label(period), "channel": channel,
                     "Channel": channel_name(channel), "value": value, "n": _plain(n), "target": _plain(target),
                     "state": state, "State": STATE_LOOKS[state].word})
    if not data:
        return None
    # every month from the first to the last on the axis: a month without a value shows as a gap in its line
    months = month_range(min(r["period"] for r in data), max(r["period"] for r in data))
    channels = ordered_channels(r["channel"] for r in data)
    colour = {"field": "Channel", "type": "nominal",
              "scale": {"domain": [channel_name(c) for c in channels], "range": [channel_colour(c) for c in channels]},
              # One channel needs no legend: the page already names it. Several wrap in rows of four.
              "legend": {"title": None, "orient": "bottom", "columns": 4, "symbolLimit": 0} if len(channels) > 1
              else None}
    x = {"field": "period", "type": "ordinal", "scale": {"domain": months},
         "axis": {"title": None, "labelExpr": _MONTH_LABEL, "labelAngle": 0, "labelOverlap": "parity"}}
    fmt = metric_format(metric_id)
    axis = {"title": _unit(metric_id), **({"labelExpr": fmt.axis_labels} if fmt.axis_labels
                                          else {"format": fmt.axis, "tickMinStep": 1})}
    y_scale = {}
    reference = _benchmark_rows(channels, metric_id, benchmarks, months[-1])
    if fmt is FORMATS["duration"]:  # a duration: ticks at clock steps, titled h:mm:ss once they pass an hour
        # the ticks reach every line drawn: a benchmark above the last tick floated over an unlabelled band
        highest = max([r["value"] for r in data] + [r["target"] for r in data if r["target"] is not None]
                      + [r["value"] for r in reference])
        axis["values"] = duration_ticks(highest)
        if _far_apart(data):  # e-mail answered in hours beside calls in seconds: a log scale shows both
            y_scale = {"type": "symlog", "constant": 10}
            axis["values"] = log_duration_ticks(highest)
            axis["labelOverlap"] = False  # Vega thins a log axis's labels to every few decades otherwise
        if axis["values"][-1] >= 3600:
            axis["title"] = _("h:mm:ss")
        if y_scale:
            axis["title"] = _("{unit}, log scale").format(unit=axis["title"])
    tooltip = [{"field": "Channel", "type": "nominal", "title": _("Channel")},
               {"field": "month", "type": "nominal", "title": _("Month")},
               {"field": "value", "type": "quantitative", "title": _("Value"), "format": ",.2f"},
               {"field": "n", "type": "quantitative", "title": "n", "format": ","},
               {"field": "target", "type": "quantitative", "title": _("Target"), "format": ",.2f"},
               {"field": "State", "type": "nominal", "title": _("State")}]

    def layer(rows: list[dict], mark: dict, encoding: dict) -> dict:
        # a layer's own rows, inline: Streamlit sends a layer's data as JSON in the spec (only a chart's top-level
        # data and named data sets go through pandas and Arrow)
        return {"data": {"values": [dict(r) for r in rows]}, "mark": mark, "encoding": {"x": x, **encoding}}

    gaps = _gap_rows(data, months)
    layers = [layer(data + gaps, {"type": "line", "point": True, "invalid": "break-paths-show-domains"},
                    {"y": {"field": "value", "type": "quantitative", "axis": axis}, "color": colour,
                     "tooltip": tooltip})]
    targets = [r for r in data if r["target"] is not None]
    if targets:
        target_y = {"y": {"field": "target", "type": "quantitative"}, "color": colour}
        layers.append(layer(targets, {"type": "line", "strokeDash": TARGET_DASH, "opacity": 0.7}, target_y))
        # A line needs two months: a channel with one month of target gets a tick instead.
        months_with_target = Counter(r["channel"] for r in targets)
        single = [r for r in targets if months_with_target[r["channel"]] == 1]
        if single:
            layers.append(layer(single, {"type": "tick", "opacity": 0.7, "thickness": 2}, target_y))
    footnote = []
    if reference:
        benchmark_tooltip = [{"field": "Benchmark", "type": "nominal", "title": _("Benchmark")},
                             {"field": "value_text", "type": "nominal", "title": _("Value")},
                             {"field": "Channels", "type": "nominal", "title": _("Channel")},
                             {"field": "source", "type": "nominal", "title": _("Source")},
                             {"field": "year", "type": "nominal", "title": _("Year")},
                             {"field": "scope", "type": "nominal", "title": _("Scope")}]
        rule = layer(reference, {"type": "rule", "color": BENCHMARK_COLOUR, "strokeDash": BENCHMARK_DASH,
                                 "strokeWidth": 1.5}, {"y": {"field": "value", "type": "quantitative"},
                                                       "tooltip": benchmark_tooltip})
        del rule["encoding"]["x"]  # a rule without x spans the whole chart: the reference holds for every month
        layers.append({"name": "benchmark", **rule})
        # Named under the plot, not on it: a label on the line lay over the channels' lines and over another
        # benchmark's label
        footnote = [f"┈ {r['Benchmark']}: {r['value_text']}" for r in sorted(reference, key=lambda r: -r["value"])]
    missed = [r for r in data if r["state"] == "missed"]
    if missed:
        # dark, outlined in white: the missed state's vermillion is also a channel's colour on these charts
        layers.append(layer(missed, {"type": "point", "shape": "cross", "size": 140, "filled": True,
                                     "color": MISSED_MARK_COLOUR, "stroke": "white", "strokeWidth": 1},
                            {"y": {"field": "value", "type": "quantitative"}, "tooltip": tooltip}))
    if y_scale:  # every layer's y says the same axis and scale: a layer that says none would merge in defaults
        for each in layers:
            if "y" in each["encoding"]:
                each["encoding"]["y"] = {**each["encoding"]["y"], "axis": axis, "scale": y_scale}
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "layer": layers, "height": 200}
    if footnote:
        spec["title"] = {"text": footnote, "orient": "bottom", "anchor": "start", "fontSize": 11,
                         "fontWeight": "normal", "color": BENCHMARK_COLOUR, "offset": 8}
    return spec


def heatmap(frame: pd.DataFrame, metric_id: str) -> alt.Chart | None:
    """Weekday × half-hour grid of one metric, on the full 7 × 48 grid so every heatmap lines up."""
    alt = _altair()
    data = frame[(frame["metric"] == metric_id) & frame["value"].notna()]
    if data.empty:
        return None
    scheme = metric_format(metric_id).scheme
    return alt.Chart(data).mark_rect().encode(
        x=alt.X("time:O", scale=alt.Scale(domain=HALF_HOURS), title=_("Half-hour starting"),
                axis=alt.Axis(values=HALF_HOURS[::4], labelAngle=0)),
        y=alt.Y("weekday:O", scale=alt.Scale(domain=weekday_names()), title=None),
        color=alt.Color("value:Q", scale=alt.Scale(scheme=scheme), title=_unit(metric_id),
                        legend=alt.Legend(format=_axis_format(metric_id))),
        tooltip=[alt.Tooltip("weekday:N", title=_("Weekday")), alt.Tooltip("time:N", title=_("Half-hour")),
                 alt.Tooltip("value:Q", title=METRICS[metric_id].label, format=",.1f"),
                 alt.Tooltip("n:Q", title="n", format=",")],
    ).properties(title=_("{metric} by weekday and half-hour").format(metric=METRICS[metric_id].label),
                 height=7 * 24)


def nps_structure_chart(frame: pd.DataFrame) -> alt.Chart | None:
    """Promoters, passives and detractors stacked per month."""
    alt = _altair()
    data = frame[frame["value"].notna()].copy()
    if data.empty:
        return None
    groups = list(nps_groups().values())
    data["stack_order"] = data["group"].map({g: i for i, g in enumerate(groups)})
    data["month"] = data["period"].map(month_label)
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("period:O", axis=_month_axis()),
        y=alt.Y("value:Q", title=_("Share of NPS responses (%)"), stack="zero", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("group:N", scale=alt.Scale(domain=groups, range=_NPS_RANGE),
                        legend=alt.Legend(title=None, orient="bottom")),
        order=alt.Order("stack_order:Q"),
        tooltip=[alt.Tooltip("month:N", title=_("Month")), alt.Tooltip("group:N", title=_("Group")),
                 alt.Tooltip("value:Q", title=_("Share (%)"), format=".1f"),
                 alt.Tooltip("n:Q", title=_("Responses"))],
    ).properties(height=220)


def daily_chart(frame: pd.DataFrame, metric_id: str, channel: str, month: str) -> alt.Chart | None:
    """One bar per day of the month; every day of the month is on the axis, so a missing day shows as a gap."""
    alt = _altair()
    data = frame[(frame["metric"] == metric_id) & frame["value"].notna()]
    if data.empty:
        return None
    days = month_days(month)
    return alt.Chart(data).mark_bar(color=channel_colour(channel)).encode(
        x=alt.X("period:O", scale=alt.Scale(domain=days),
                title=_("Day of {month} {year}").format(month=month_name(month), year=month[:4]),
                axis=alt.Axis(labelExpr="parseInt(slice(datum.value, 8))", labelAngle=0, labelOverlap="parity")),
        y=alt.Y("value:Q", axis=_value_axis(metric_id, _unit(metric_id))),
        tooltip=[alt.Tooltip("period:N", title=_("Day")),
                 alt.Tooltip("value:Q", title=METRICS[metric_id].label, format=",.1f"),
                 alt.Tooltip("n:Q", title="n", format=",")],
    ).properties(height=200, title=_("Daily {metric}").format(metric=METRICS[metric_id].label.lower()))


def coverage_chart(frame: pd.DataFrame) -> alt.Chart | None:
    """Contacts per channel and day: each day a full-width cell, so days without contacts show as gaps."""
    import pandas as pd  # here, not at the top (see trend_chart)

    alt = _altair()
    if frame.empty:
        return None
    data = frame.copy()
    data["Channel"] = data["channel"].map(channel_name)
    data["start"] = pd.to_datetime(data["day"]).dt.strftime("%Y-%m-%d")
    data["end"] = (pd.to_datetime(data["day"]) + pd.Timedelta(days=1)).dt.strftime("%Y-%m-%d")
    channels = [channel_name(c) for c in ordered_channels(data["channel"])]
    return alt.Chart(data).mark_rect().encode(
        x=alt.X("start:T", scale=alt.Scale(type="utc"), title=None, axis=alt.Axis(format="%b %Y", labelAngle=0)),
        x2="end:T",
        y=alt.Y("Channel:N", scale=alt.Scale(domain=channels), title=None,
                axis=alt.Axis(labelOverlap=False, labelLimit=200)),
        color=alt.Color("contacts:Q", scale=alt.Scale(scheme="blues"), title=_("Contacts"),
                        legend=alt.Legend(format=",.0f", tickMinStep=1)),
        tooltip=[alt.Tooltip("Channel:N", title=_("Channel")), alt.Tooltip("start:N", title=_("Day")),
                 alt.Tooltip("contacts:Q", title=_("Contacts"), format=",")],
    ).properties(height=30 * len(channels), title=_("Coverage calendar"))


def spec(chart) -> dict | None:
    """The chart as a Vega-Lite dict (None stays None); built once and cached, so reruns skip Altair's work.

    "fit-x": the width follows the page and the height is the plot's own; Streamlit's default "fit" squeezes
    axis labels and titles into the height, which flattens the plot.
    """
    if chart is None:
        return None
    out = chart if isinstance(chart, dict) else chart.to_dict(validate=False)
    if "facet" not in out and not any(k in out.get("encoding", {}) for k in ("row", "column", "facet")):
        out["autosize"] = {"type": "fit-x", "contains": "padding"}
    locale = chart_locale()  # numbers and dates the session's way (None in English: Vega's defaults)
    if locale:
        out["config"] = {**out.get("config", {}), "locale": locale}
    return out


def overview_trend_specs(rows, metric_ids, benchmarks=()) -> dict[str, dict | None]:
    """The Overview's trend charts, one per key metric (None: no value in these months), with the benchmarks that
    apply. `rows`: KPI rows as mappings."""
    parts: dict[str, list] = {}
    for row in rows:  # one split, not a filter per chart
        parts.setdefault(row["metric"], []).append(row)
    return {metric_id: spec(trend_chart(parts[metric_id], metric_id, benchmarks)) if metric_id in parts else None
            for metric_id in metric_ids}


def channel_detail_specs(d) -> dict[str, dict | None]:
    """Every chart of the Channel detail page, from its view data (None where there is nothing to draw)."""
    monthly = d.monthly.to_dict("records")
    out = {f"trend:{m.id}": spec(trend_chart(monthly, m.id, getattr(d, "benchmarks", ())))
           for m in METRICS.values() if m.targeted}
    out["daily:volume"] = spec(daily_chart(d.daily, "volume", d.channel, d.month))
    out["daily:service_level"] = spec(daily_chart(d.daily, "service_level", d.channel, d.month))
    out["heat:volume"] = spec(heatmap(d.heatmap, "volume")) if not d.heatmap.empty else None
    out["heat:service_level"] = spec(heatmap(d.heatmap, "service_level")) if not d.heatmap.empty else None
    out["nps"] = spec(nps_structure_chart(d.nps_structure))
    return out


def _per_channel(chart: alt.Chart, channels, width: int) -> alt.FacetChart:
    """Small multiples, one per channel in the standard order, wrapped four to a row so none is cut off."""
    alt = _altair()
    order = [channel_name(c) for c in ordered_channels(channels)]
    return chart.properties(width=width).facet(facet=alt.Facet("Channel:N", title=None, sort=order), columns=4)


def satisfaction_specs(data) -> dict[str, dict | None]:
    """NPS structure stacked per channel and month, and the CSAT 1–5 distribution per channel."""
    alt = _altair()
    out: dict[str, dict | None] = {"nps": None, "csat": None}
    structure = data.structure[data.structure["value"].notna()].copy()
    if not structure.empty:
        structure["Channel"] = structure["channel"].map(channel_name)
        out["nps"] = spec(_per_channel(nps_structure_chart(structure).properties(height=180),
                                       structure["channel"], 170))
    if not data.csat_distribution.empty:
        dist = data.csat_distribution.copy()
        dist["Channel"] = dist["channel"].map(channel_name)
        out["csat"] = spec(_per_channel(alt.Chart(dist).mark_bar().encode(
            x=alt.X("score:O", title=_("CSAT score"), scale=alt.Scale(domain=[1, 2, 3, 4, 5]),
                    axis=alt.Axis(labelAngle=0)),
            y=alt.Y("share:Q", title=_("Share of responses (%)")),
            color=_channel_colour(dist["channel"]).legend(None),
            tooltip=[alt.Tooltip("Channel:N", title=_("Channel")), alt.Tooltip("score:O", title=_("Score")),
                     alt.Tooltip("responses:Q", title=_("Responses"), format=","),
                     alt.Tooltip("share:Q", title=_("Share (%)"), format=".1f")],
        ).properties(height=140), dist["channel"], 170))
    return out
