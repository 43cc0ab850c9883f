"""Channel detail: monthly trends of every metric, the daily view, heatmaps and drill-downs."""
import streamlit as st

from cxmetrics import ui
from cxmetrics.display import channel_name, month_label
from cxmetrics.i18n import _
from cxmetrics.metrics import REGISTRY
from cxmetrics.views import NO_GROUP

ui.apply_language()
st.title(_("Channel detail"))
if ui.empty_store_notice():
    st.stop()
choices = ui.view("choices")
left, right = st.columns(2)
channel = left.selectbox(_("Channel"), choices.channels, format_func=ui.in_language(channel_name))
month = right.selectbox(_("Month"), list(reversed(choices.months)), format_func=ui.in_language(month_label),
                        key=ui.language_key("channel_month"))
detail = ui.view("channel_detail", channel=channel, month=month)
specs = detail.specs
shown_month = month_label(month)
st.caption(detail.settings_text)
if detail.marks:
    with st.expander(_("Notes on these figures ({n})").format(n=len(detail.marks))):
        for mark in detail.marks:
            st.caption(mark)

st.subheader(_("Monthly trends"))
st.caption(_(ui.TREND_MARKS))
targeted = [m for m in REGISTRY if m.targeted]
drawn = [m for m in targeted if specs[f"trend:{m.id}"] is not None]
columns = st.columns(3)
for i, m in enumerate(drawn):
    with columns[i % 3]:
        ui.chart_heading(m.id)
        ui.vega(specs[f"trend:{m.id}"])
if len(drawn) < len(targeted):
    st.caption(_("Not measured on this channel in these months: {metrics}.").format(
        metrics=", ".join(m.label for m in targeted if m not in drawn)))

st.subheader(_("Daily view, {month}").format(month=shown_month))
if "daily" in detail.grain_notes:
    st.info(detail.grain_notes["daily"])
else:
    day_left, day_right = st.columns(2)
    with day_left:
        ui.vega(specs["daily:volume"], _("No inbound contacts in {month}.").format(month=shown_month))
    with day_right:
        ui.vega(specs["daily:service_level"], _("Service level is not measured in {month}: no answered contact "
                                                "with a known wait.").format(month=shown_month))

st.subheader(_("Weekday × half-hour"))
if "heatmap" in detail.grain_notes:
    st.info(detail.grain_notes["heatmap"])
elif detail.heatmap.empty:
    st.caption(_("No inbound contacts in {month}.").format(month=shown_month))
else:
    ui.vega(specs["heat:volume"])
    ui.vega(specs["heat:service_level"], _("Service level is not measured: no answered contact with a known wait."))

st.subheader(_("NPS structure"))
ui.vega(specs["nps"], _("NPS is not measured on this channel: no survey responses in these months."))

NO_BREAKDOWN = {  # why there is nothing to break down, per drill-down
    "queue": _("This channel's exports give no queue, so there is nothing to break down by queue."),
    "team": _("This channel's exports give no team, so there is nothing to break down by team."),
    "agent": _("This channel's exports give no agent, so there is nothing to break down by agent."),
}
st.subheader(_("Drill-down, {month}").format(month=shown_month))
for tab, by in zip(st.tabs([_("By queue"), _("By team"), _("By agent")]), ("queue", "team", "agent")):
    with tab:
        if detail.drilldown[by].empty:
            st.caption(_("No inbound contacts in {month}.").format(month=shown_month))
        elif list(detail.drilldown[by].iloc[:, 0]) == [_(NO_GROUP)]:
            st.caption(NO_BREAKDOWN[by])
        else:
            st.dataframe(detail.drilldown[by], hide_index=True, placeholder=ui.MISSING, width="stretch",
                         column_config=ui.metric_column_help())
