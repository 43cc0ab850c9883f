"""Compliance: the 'k of the last n months' rule per channel × metric."""
import streamlit as st

from cxmetrics import ui
from cxmetrics.display import state_legend

st.title("Compliance (9 of the last 12 months)")
if ui.empty_store_notice():
    st.stop()
choices = ui.view("choices")
left, right = st.columns([1, 3])
as_of = left.selectbox("As of month", list(reversed(choices.months)), key="compliance_month")
channels = right.multiselect("Channels", choices.channels, placeholder="All channels")
data = ui.view("compliance_view", as_of=as_of, channels=channels or None)
if data.grid.empty:
    st.info("No channel has a target in force and data in this window.")
    st.stop()

st.caption(f"Each cell is a month: {state_legend()}; blank = before the channel's first month (not counted).")
st.dataframe(ui.styled_states(data.grid, data.states, data.months), hide_index=True, width="stretch",
             height=min(800, 40 + 35 * len(data.grid)),
             column_config={**{month: st.column_config.TextColumn(month, width="small") for month in data.months},
                            "Channel": st.column_config.TextColumn("Channel", pinned=True),
                            "Metric": st.column_config.TextColumn("Metric", pinned=True),
                            "Status": st.column_config.TextColumn(
                 "Status", help="Misses ≤ n − k − 1: compliant; = n − k: at risk; more: breached. Insufficient "
                                "history: the channel's first month lies inside the window. Not measured: no "
                                "counted month has a value (no surveys on this channel, say)."),
                 "Met": st.column_config.TextColumn("Met", help="Months met (or met within tolerance) of the "
                                                                "months counted")})
st.markdown(" ".join(f"{ui.status_badge(status)} {count}" for status, count in data.status_counts))

st.subheader("Flagged months")
if data.flagged.empty:
    st.success("No missed or no-data months in the window.")
else:
    st.dataframe(data.flagged, hide_index=True, width="stretch")
