"""Channel detail: monthly trends of every metric, the daily view, heatmaps and drill-downs."""
import streamlit as st

from cxmetrics import ui
from cxmetrics.metrics import REGISTRY

st.title("Channel detail")
if ui.empty_store_notice():
    st.stop()
choices = ui.view("choices")
left, right = st.columns(2)
channel = left.selectbox("Channel", choices.channels, format_func=lambda c: c.replace("_", " ").capitalize())
month = right.selectbox("Month", list(reversed(choices.months)), key="channel_month")
detail = ui.view("channel_detail", channel=channel, month=month)
specs = detail.specs
s = detail.settings
st.caption(f"Service level: answered within {s.get('sl_threshold_s', 0):,.0f} s, formula "
           f"`{s.get('sl_formula')}`; short abandons below {s.get('short_abandon_s', 0):,.0f} s.")

st.subheader("Monthly trends")
columns = st.columns(3)
for i, m in enumerate([m for m in REGISTRY if m.targeted]):
    with columns[i % 3]:
        ui.chart_heading(m.id)
        ui.vega(specs[f"trend:{m.id}"])

st.subheader(f"Daily view, {month}")
day_left, day_right = st.columns(2)
with day_left:
    ui.vega(specs["daily:volume"])
with day_right:
    ui.vega(specs["daily:service_level"])

st.subheader("Weekday × half-hour")
if detail.heatmap.empty:
    st.info("No contacts in this month.")
else:
    ui.vega(specs["heat:volume"])
    ui.vega(specs["heat:service_level"])

st.subheader("NPS structure")
if "nps" in specs:
    ui.vega(specs["nps"])
else:
    st.warning("NPS is not measured on this channel: no survey responses in these months.")

st.subheader(f"Drill-down, {month}")
for tab, by in zip(st.tabs(["By queue", "By team", "By agent"]), ("queue", "team", "agent")):
    with tab:
        st.dataframe(detail.drilldown[by], hide_index=True, width="stretch", column_config=ui.metric_column_help())
