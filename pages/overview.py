"""Overview: every channel's key metrics for a month, against target."""
import streamlit as st

from cxmetrics import ui
from cxmetrics.display import state_legend, channel_name
from cxmetrics.metrics import METRICS
from cxmetrics.views import KEY_METRICS

st.title("Overview")
if ui.empty_store_notice():
    st.stop()
choices = ui.view("choices")
left, mid, right, far = st.columns([1, 2, 2, 2])
month = left.selectbox("Month", list(reversed(choices.months)), key="overview_month")
channels = mid.multiselect("Channels", choices.channels, placeholder="All channels")
queues = right.multiselect("Queues", choices.queues, placeholder="All queues")
teams = far.multiselect("Teams", choices.teams, placeholder="All teams")
data = ui.view("overview", month=month, channels=channels or None, queues=queues or None, teams=teams or None)

early = ui.view("early_warning")
if early["stale"]:
    st.info(f"Early warning: {early['stale']} Import this month's exports to see how it is going.",
            icon=":material/notifications_paused:")
elif early["alerts"] or early["overdue"]:
    with st.expander(f"Early warning, {early['month']} so far ({len(early['alerts'])})", expanded=True,
                     icon=":material/notifications_active:"):
        st.markdown("\n".join(f"- {a}" for a in early["alerts"]) or "No metric is behind its target this month.")
if early["overdue"]:
    st.warning(f"{early['overdue']:,} open follow-up cases of low scorers are overdue — see Follow-up.",
               icon=":material/schedule:")
if data.notice:
    st.info(data.notice, icon=":material/info:")
    st.stop()
if data.attention:
    with st.expander(f"What needs attention ({len(data.attention)})", expanded=True, icon=":material/warning:"):
        st.dataframe(data.attention, hide_index=True, width="stretch")
else:
    st.success("Every targeted metric met its target this month, and no rolling rule is at risk.",
               icon=":material/check_circle:")

for channel, tiles in data.tiles.items():
    st.subheader(channel_name(channel))
    for start in range(0, len(tiles), 4):
        for column, t in zip(st.columns(4), tiles[start:start + 4]):
            with column:
                ui.tile(t)
    if channel in data.not_measured:
        st.caption("Not measured on this channel (no value in the last 13 months): "
                   + ", ".join(data.not_measured[channel]) + ".")

st.subheader("Scorecard")
st.caption(state_legend() + (f" · {data.marks_note}" if data.marks_note else ""))
st.dataframe(data.scorecard, hide_index=True, width="stretch", column_config=ui.metric_column_help())

st.subheader("Trends (last 13 months)")
drawn = [m for m in KEY_METRICS if data.trend_specs[m] is not None]
trend_columns = st.columns(2)
for i, metric_id in enumerate(drawn):
    with trend_columns[i % 2]:
        ui.chart_heading(metric_id)
        ui.vega(data.trend_specs[metric_id])
if len(drawn) < len(KEY_METRICS):
    st.caption("Not measured on these channels in the last 13 months: "
               + ", ".join(METRICS[m].label for m in KEY_METRICS if m not in drawn) + ".")
