"""Overview: every channel's key metrics for a month, against target."""
import streamlit as st

from cxmetrics import ui
from cxmetrics.display import channel_name, format_number, month_label
from cxmetrics.i18n import _

ui.apply_language()
st.title(_("Overview"))
if ui.empty_store_notice():
    st.stop()
choices = ui.view("choices")
left, mid, right, far = st.columns([1.3, 2, 2, 2])  # room for «сентябрь 2026»
month = left.selectbox(_("Month"), list(reversed(choices.months)), format_func=ui.in_language(month_label),
                       key=ui.language_key("overview_month"))
channels = mid.multiselect(_("Channels"), choices.channels, format_func=ui.in_language(channel_name),
                           placeholder=_("All channels"))
queues = right.multiselect(_("Queues"), choices.queues, placeholder=_("All queues"))
teams = far.multiselect(_("Teams"), choices.teams, placeholder=_("All teams"))
early = ui.view("early_warning")
if early["stale"]:
    st.info(_("Early warning: {stale} Import this month's exports to see how it is going.").format(
        stale=early["stale"]), icon=":material/notifications_paused:")
elif early["alerts"] or early["overdue"]:
    with st.expander(_("Early warning, {month} so far ({n})").format(month=month_label(early["month"]),
                                                                    n=len(early["alerts"])),
                     expanded=True, icon=":material/notifications_active:"):
        st.markdown("\n".join(f"- {a}" for a in early["alerts"]) or _("No metric is behind its target this month."))
if early["overdue"]:
    st.warning(_("{n} open follow-up cases of low scorers are overdue, in all months.").format(
        n=format_number(early["overdue"])), icon=":material/schedule:")
    # the overdue cases of every month: the Follow-up page opens on the latest month alone otherwise
    st.page_link("pages/followup.py", label=_("Show the overdue cases"), icon=":material/arrow_forward:",
                 query_params={ui.FOLLOWUP_QUERY: ui.FOLLOWUP_OVERDUE})
ui.drawn(ui.overview_body, "overview", month=month, channels=channels or None, queues=queues or None,
         teams=teams or None)
