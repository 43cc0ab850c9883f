"""Satisfaction: NPS as a structure, response rates, CSAT distribution and CES, on every channel."""
import streamlit as st

from cxmetrics import ui
from cxmetrics.display import channel_name

st.title("Satisfaction")
if ui.empty_store_notice():
    st.stop()
months = list(reversed(ui.view("choices").months))
left, right = st.columns(2)
month_to = left.selectbox("To month", months, key="sat_to")
month_from = right.selectbox("From month", [m for m in months if m <= month_to], index=min(5, len(months) - 1),
                             key="sat_from")
data = ui.view("satisfaction", month_from=month_from, month_to=month_to)
specs = data.specs
for channel in data.not_measured:
    st.warning(f"{channel_name(channel)}: not measured — no survey responses in these months. "
               "Measuring satisfaction only on some channels hides how the others are doing.")
st.subheader("NPS structure")
st.caption("Promoters (9–10), passives (7–8) and detractors (0–6) as shares of NPS responses, per month.")
ui.vega(specs["nps"], "NPS is not measured on any channel in these months: no NPS responses.")
st.subheader("Responses and scores")
st.dataframe(data.responses, hide_index=True, width="stretch", column_config=ui.metric_column_help())
st.subheader("CSAT distribution (1–5)")
ui.vega(specs["csat"], "CSAT is not measured on any channel in these months: no CSAT responses.")
