"""Altair charts for the pages: one colour per channel everywhere, a colour-blind-safe palette."""
from __future__ import annotations

import altair as alt
import pandas as pd

from .metrics import METRICS
from .views import STATE_COLOURS, STATE_WORDS, channel_colour

_STATE_DOMAIN = [STATE_WORDS[s] for s in STATE_COLOURS]
_STATE_RANGE = list(STATE_COLOURS.values())


def _channel_scale(channels) -> alt.Scale:
    channels = list(dict.fromkeys(channels))
    return alt.Scale(domain=channels, range=[channel_colour(c) for c in channels])


def _axis_format(metric_id: str) -> str:
    return {"pct": ".0f", "duration": ",.0f", "count": ",.0f", "nps": "+.0f"}.get(METRICS[metric_id].fmt, ".2f")


def trend_chart(frame: pd.DataFrame, metric_id: str) -> alt.LayerChart:
    """Monthly values per channel, the target as a dashed rule, missed months marked."""
    m = METRICS[metric_id]
    data = frame[frame["metric"] == metric_id].copy()
    data["State"] = data["state"].map(STATE_WORDS)
    unit = {"pct": " (%)", "duration": " (seconds)"}.get(m.fmt, "")
    base = alt.Chart(data).encode(
        x=alt.X("period:O", title="Month"),
        color=alt.Color("channel:N", scale=_channel_scale(data["channel"]), title="Channel"))
    lines = base.mark_line(point=True).encode(
        y=alt.Y("value:Q", title=m.label + unit, axis=alt.Axis(format=_axis_format(metric_id))),
        tooltip=["channel", "period", alt.Tooltip("value:Q", format=",.2f"), "n", "target", "State"])
    targets = base.mark_line(strokeDash=[6, 4], opacity=0.7).encode(y="target:Q")
    missed = alt.Chart(data[data["state"].isin(["missed", "no_data"])]).mark_point(
        shape="cross", size=140, filled=True, color=STATE_COLOURS["missed"]).encode(
        x="period:O", y=alt.Y("value:Q"), tooltip=["channel", "period", "State"])
    return alt.layer(lines, targets, missed).properties(height=220)


def heatmap(frame: pd.DataFrame, metric_id: str) -> alt.Chart:
    """Weekday × half-hour grid of one metric."""
    data = frame[frame["metric"] == metric_id]
    scheme = "blues" if metric_id == "volume" else "viridis"
    return alt.Chart(data).mark_rect().encode(
        x=alt.X("time:O", title="Half-hour"),
        y=alt.Y("weekday:O", sort=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], title=None,
                axis=alt.Axis(labelOverlap=False)),
        color=alt.Color("value:Q", scale=alt.Scale(scheme=scheme), title=METRICS[metric_id].label),
        tooltip=["weekday", "time", alt.Tooltip("value:Q", format=",.1f"), "n"],
    ).properties(title=f"{METRICS[metric_id].label} by weekday and half-hour", height=200)


def nps_structure_chart(frame: pd.DataFrame) -> alt.Chart:
    """Promoters, passives and detractors stacked per month."""
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("period:O", title="Month"),
        y=alt.Y("value:Q", title="Share of NPS responses (%)", stack="zero"),
        color=alt.Color("group:N", scale=alt.Scale(
            domain=["Promoters (9–10)", "Passives (7–8)", "Detractors (0–6)"],
            range=["#0072B2", "#BBBBBB", "#D55E00"]), title=None),
        order=alt.Order("group:N"),
        tooltip=["period", "group", alt.Tooltip("value:Q", format=".1f"), "n"],
    ).properties(title="NPS structure", height=220)


def daily_chart(frame: pd.DataFrame, metric_id: str, channel: str) -> alt.Chart:
    data = frame[frame["metric"] == metric_id]
    return alt.Chart(data).mark_bar(color=channel_colour(channel)).encode(
        x=alt.X("period:O", title="Day"), y=alt.Y("value:Q", title=METRICS[metric_id].label),
        tooltip=["period", alt.Tooltip("value:Q", format=",.1f"), "n"],
    ).properties(height=200, title=f"Daily {METRICS[metric_id].label.lower()}")


def coverage_chart(frame: pd.DataFrame) -> alt.Chart:
    """Contacts per channel and day; days without contacts show as gaps."""
    return alt.Chart(frame).mark_rect().encode(
        x=alt.X("day:T", title="Day"),
        y=alt.Y("channel:N", title=None),
        color=alt.Color("contacts:Q", scale=alt.Scale(scheme="blues"), title="Contacts"),
        tooltip=["channel", alt.Tooltip("day:T"), "contacts"],
    ).properties(height=40 + 28 * frame["channel"].nunique(), title="Coverage calendar")


def spec(chart) -> dict:
    """The chart as a Vega-Lite dict; built once and cached, so reruns skip Altair's work."""
    return chart.to_dict(validate=False)


def overview_trend_specs(trends: pd.DataFrame, metric_ids) -> dict[str, dict]:
    """The Overview's trend charts, one per key metric."""
    return {metric_id: spec(trend_chart(trends, metric_id)) for metric_id in metric_ids}


def channel_detail_specs(d) -> dict[str, dict]:
    """Every chart of the Channel detail page, from its view data."""
    from .metrics import REGISTRY

    out = {f"trend:{m.id}": spec(trend_chart(d.monthly, m.id)) for m in REGISTRY if m.targeted}
    out["daily:volume"] = spec(daily_chart(d.daily, "volume", d.channel))
    out["daily:service_level"] = spec(daily_chart(d.daily, "service_level", d.channel))
    if not d.heatmap.empty:
        out["heat:volume"] = spec(heatmap(d.heatmap, "volume"))
        out["heat:service_level"] = spec(heatmap(d.heatmap, "service_level"))
    if d.nps_structure["value"].notna().any():
        out["nps"] = spec(nps_structure_chart(d.nps_structure))
    return out


def satisfaction_specs(data) -> dict[str, dict]:
    """NPS structure stacked per channel and month, and the CSAT 1–5 distribution per channel."""
    out = {}
    if not data.structure.empty:
        out["nps"] = spec(nps_structure_chart(data.structure).encode(
            column=alt.Column("channel:N", title=None)).properties(width=160, height=200))
    if not data.csat_distribution.empty:
        out["csat"] = spec(alt.Chart(data.csat_distribution).mark_bar().encode(
            x=alt.X("score:O", title="CSAT score"), y=alt.Y("share:Q", title="Share of responses (%)"),
            color=alt.Color("channel:N", scale=_channel_scale(data.csat_distribution["channel"]), legend=None),
            column=alt.Column("channel:N", title=None),
            tooltip=["channel", "score", "responses", alt.Tooltip("share:Q", format=".1f")],
        ).properties(width=120, height=160))
    return out
