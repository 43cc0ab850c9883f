"""Satisfaction: NPS as a structure, response rates, CSAT distribution and CES, on every channel."""
import streamlit as st

from cxmetrics import ui
from cxmetrics.display import channel_name, month_label
from cxmetrics.i18n import _

ui.apply_language()

st.title(_("Satisfaction"))
if ui.empty_store_notice():
    st.stop()
months = list(reversed(ui.view("choices").months))
left, right = st.columns(2)
# "From" on the left, as a range reads, but drawn after "To": its choices are the months up to it
month_to = right.selectbox(_("To month"), months, format_func=ui.in_language(month_label),
                           key=ui.language_key("sat_to"))
from_choices = [m for m in months if m <= month_to]
month_from = left.selectbox(_("From month"), from_choices, index=min(5, len(from_choices) - 1),
                            format_func=ui.in_language(month_label), key=ui.language_key("sat_from"))
data = ui.view("satisfaction", month_from=month_from, month_to=month_to)
specs = data.specs
for channel in data.not_measured:
    st.warning(_("{channel}: not measured — no survey responses in these months. Measuring satisfaction only on "
                 "some channels hides how the others are doing.").format(channel=channel_name(channel)))
st.subheader(_("NPS structure"))
st.caption(_("Promoters (9–10), passives (7–8) and detractors (0–6) as shares of NPS responses, per month."))
ui.vega(specs["nps"], _("NPS is not measured on any channel in these months: no NPS responses."))
st.subheader(_("Responses and scores"))
st.dataframe(data.responses, hide_index=True, placeholder=ui.MISSING, width="stretch",
             column_config=ui.metric_column_help())
st.subheader(_("CSAT distribution (1–5)"))
ui.vega(specs["csat"], _("CSAT is not measured on any channel in these months: no CSAT responses."))
