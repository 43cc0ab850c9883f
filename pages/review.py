"""Quarterly review: the SLA-review pack for a quarter, on screen and as a workbook."""
import streamlit as st

from cxmetrics import ui
from cxmetrics.display import state_legend

st.title("Quarterly review")
if ui.empty_store_notice():
    st.stop()
left, right = st.columns([1, 3])
quarter = left.selectbox("Quarter", ui.view("quarters"), key="review_quarter")
channels = right.multiselect("Channels", ui.view("choices").channels, placeholder="All channels")
page = ui.view("review_page", quarter=quarter, channels=channels or None)
review = page.review
st.download_button(f"Download the {quarter} workbook (.xlsx)", page.workbook,
                   file_name=f"cxmetrics_review_{quarter}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", type="primary")

st.subheader("Findings")
st.markdown("\n".join(f"- {line}" for line in review.findings))
if not review.has_data:
    st.stop()

st.subheader("Scorecard")
st.caption("Months and the quarter are pooled from contact counts; the quarter is held against the target in "
           "force at quarter end. Rolling rule at quarter end. " + state_legend())
st.dataframe(ui.styled_states(page.table, page.states, list(page.states.columns)), hide_index=True,
             width="stretch", height=min(900, 40 + 35 * len(page.table)), column_config=ui.metric_column_help())

st.subheader("Targets in force")
st.dataframe(page.targets, hide_index=True, width="stretch")
