"""Compliance: the 'k of the last n months' rule per channel × metric."""
import streamlit as st

from cxmetrics import ui
from cxmetrics.display import channel_name, month_label
from cxmetrics.i18n import _, current_language

ui.apply_language()
st.title(_("Compliance (9 of the last 12 months)"))
if ui.empty_store_notice():
    st.stop()
english = current_language() == "en"
choices = ui.view("choices")
left, right = st.columns([1, 3])
# English lists months (YYYY-MM) and channel slugs as before; another language names them («сентябрь 2026»).
as_of = left.selectbox(_("As of month"), list(reversed(choices.months)), key=ui.language_key("compliance_month"),
                       format_func=ui.in_language(month_label))
channels = right.multiselect(_("Channels"), choices.channels, placeholder=_("All channels"),
                             format_func=str if english else ui.in_language(channel_name))
data = ui.view("compliance_view", as_of=as_of, channels=channels or None)
if data.grid.empty:
    st.info(_("No channel has a target in force and data in this window."))
    st.stop()

ui.drawn(ui.compliance_body, "compliance_view", as_of=as_of, channels=channels or None)
