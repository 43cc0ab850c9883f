"""Staffing what-if: expected contacts per weekday × half-hour of a month, and the agents Erlang C needs for them."""
import streamlit as st

from cxmetrics import staffing_views, ui
from cxmetrics.display import channel_name, month_label
from cxmetrics.i18n import _

ui.apply_language()
st.title(_("Staffing what-if"))
if ui.empty_store_notice():
    st.stop()
choices = ui.cached(staffing_views.staffing_choices)
if not choices.channels:
    st.info(_("No channel has contacts by half-hour yet: import contacts, or an interval report, to plan staffing."))
    st.stop()
left, right = st.columns(2)
channel = left.selectbox(_("Channel"), choices.channels, format_func=ui.in_language(channel_name))
month = right.selectbox(_("Month"), choices.months, index=choices.months.index(choices.default_month),
                        format_func=ui.in_language(month_label), key=ui.language_key("staffing_month"))
shrink_col, occupancy_col, total_col = st.columns(3)
# Whole numbers (Streamlit would write "30.00" with a point in every language); an empty box is "none given",
# with its meaning in the box, rather than a 0 that reads as a real figure
shrinkage = shrink_col.number_input(
    _("Shrinkage (%)"), min_value=0.0, max_value=95.0, value=float(choices.shrinkage_pct), step=1.0, format="%.0f",
    help=_("Share of paid time agents are not available for contacts: breaks, training, meetings, absence."))
max_occupancy = occupancy_col.number_input(
    _("Maximum occupancy (%)"), min_value=1.0, max_value=100.0, value=None, step=1.0, format="%.0f",
    placeholder=_("no limit"),
    help=_("The highest share of their time agents may spend handling contacts; empty sets no limit."))
total = total_col.number_input(
    _("Contacts in the month"), min_value=0, value=None, step=100, placeholder=_("the forecast"),
    help=_("Your own forecast of the month's contacts, spread like the history; empty uses the forecast."))

page = ui.cached(staffing_views.staffing_page, channel=channel, month=month, shrinkage_pct=float(shrinkage),
                 max_occupancy_pct=float(max_occupancy) if max_occupancy else None,
                 total_override=float(total) if total else None)
if page.message:
    st.info(page.message)
    st.stop()

columns = st.columns(3)
for i, (label, value) in enumerate(page.summary):
    columns[i % 3].metric(label, value)
for line in page.notices:
    st.caption(line)

st.subheader(_("Agents by weekday and half-hour"))
ui.vega(page.heatmap, _("No contacts are expected in {month}: no agents are needed.").format(
    month=month_label(month)))
st.subheader(_("Half-hours with contacts expected"))
st.caption(_("Expected contacts are those of one such weekday of the month; half-hours with none need no agents "
             "and are left out."))
st.dataframe(page.table, hide_index=True, placeholder=ui.MISSING, width="stretch")
st.download_button(_("Download the plan (CSV)"), page.csv, file_name=f"cxmetrics_staffing_{channel}_{month}.csv",
                   mime="text/csv")
st.caption("**" + _("Estimate") + "** · " + page.estimate)
