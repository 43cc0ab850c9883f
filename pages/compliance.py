"""Compliance: the 'k of the last n months' rule per channel × metric."""
import streamlit as st

from cxmetrics import ui
from cxmetrics.views import STATE_COLOURS

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

_TEXT_ON = {"met": "white", "missed": "white", "met_within_tolerance": "black", "no_data": "black"}


def _colour(column):
    states = data.states[column.name] if column.name in data.states else None
    if states is None:
        return [""] * len(column)
    return [f"background-color: {STATE_COLOURS[s]}; color: {_TEXT_ON[s]}" if s else "" for s in states]


st.caption("Each cell is a month: ✔ met · ≈ met within tolerance · ✖ missed · – no data; blank = not counted.")
st.dataframe(data.grid.style.apply(_colour, subset=data.months), hide_index=True, width="stretch",
             height=min(800, 40 + 35 * len(data.grid)),
             column_config={"Status": st.column_config.TextColumn(
                 "Status", help="Misses ≤ n − k − 1: compliant; = n − k: at risk; more: breached. Insufficient "
                                "history: the channel's first month lies inside the window."),
                 "Met": st.column_config.TextColumn("Met", help="Months met (or met within tolerance) of the "
                                                                "months counted")})
counts = data.states["Status"].value_counts()
st.markdown(" ".join(f"{ui.status_badge(s)} {counts[s]}" for s in counts.index))

st.subheader("Flagged months")
if data.flagged.empty:
    st.success("No missed or no-data months in the window.")
else:
    st.dataframe(data.flagged, hide_index=True, width="stretch")
