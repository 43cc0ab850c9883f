"""Channel detail: monthly trends of every metric, the daily view, heatmaps and drill-downs."""
import streamlit as st

from cxmetrics import ui
from cxmetrics.display import channel_name
from cxmetrics.metrics import REGISTRY

st.title("Channel detail")
if ui.empty_store_notice():
    st.stop()
choices = ui.view("choices")
left, right = st.columns(2)
channel = left.selectbox("Channel", choices.channels, format_func=channel_name)
month = right.selectbox("Month", list(reversed(choices.months)), key="channel_month")
detail = ui.view("channel_detail", channel=channel, month=month)
specs = detail.specs
st.caption(detail.settings_text)
if detail.marks:
    with st.expander(f"Notes on these figures ({len(detail.marks)})"):
        for mark in detail.marks:
            st.caption(mark)

st.subheader("Monthly trends")
targeted = [m for m in REGISTRY if m.targeted]
drawn = [m for m in targeted if specs[f"trend:{m.id}"] is not None]
columns = st.columns(3)
for i, m in enumerate(drawn):
    with columns[i % 3]:
        ui.chart_heading(m.id)
        ui.vega(specs[f"trend:{m.id}"])
if len(drawn) < len(targeted):
    st.caption("Not measured on this channel in these months: "
               + ", ".join(m.label for m in targeted if m not in drawn) + ".")

st.subheader(f"Daily view, {month}")
if "daily" in detail.grain_notes:
    st.info(detail.grain_notes["daily"])
else:
    day_left, day_right = st.columns(2)
    with day_left:
        ui.vega(specs["daily:volume"], f"No inbound contacts in {month}.")
    with day_right:
        ui.vega(specs["daily:service_level"], f"Service level is not measured in {month}: no answered contact "
                                              "with a known wait.")

st.subheader("Weekday × half-hour")
if "heatmap" in detail.grain_notes:
    st.info(detail.grain_notes["heatmap"])
elif detail.heatmap.empty:
    st.caption(f"No inbound contacts in {month}.")
else:
    ui.vega(specs["heat:volume"])
    ui.vega(specs["heat:service_level"], "Service level is not measured: no answered contact with a known wait.")

st.subheader("NPS structure")
ui.vega(specs["nps"], "NPS is not measured on this channel: no survey responses in these months.")

st.subheader(f"Drill-down, {month}")
for tab, by in zip(st.tabs(["By queue", "By team", "By agent"]), ("queue", "team", "agent")):
    with tab:
        if detail.drilldown[by].empty:
            st.caption(f"No inbound contacts in {month}.")
        elif list(detail.drilldown[by].iloc[:, 0]) == ["(none)"]:
            st.caption(f"This channel's exports give no {by}, so there is nothing to break down by {by}.")
        else:
            st.dataframe(detail.drilldown[by], hide_index=True, width="stretch",
                         column_config=ui.metric_column_help())
