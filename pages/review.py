"""Quarterly review: the SLA-review pack for a quarter, on screen and as a workbook."""
import streamlit as st

from cxmetrics import ui
from cxmetrics.views import STATE_COLOURS

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

_TEXT_ON = {"met": "white", "missed": "white", "met_within_tolerance": "black", "no_data": "black"}


def _colour(column):
    if column.name not in page.states:
        return [""] * len(column)
    return [f"background-color: {STATE_COLOURS[s]}; color: {_TEXT_ON[s]}" if isinstance(s, str) else ""
            for s in page.states[column.name]]


st.subheader("Scorecard")
st.caption("Months and the quarter are pooled from contact counts; the quarter is held against the target in "
           "force at quarter end. Rolling rule at quarter end. ✔ met · ≈ within tolerance · ✖ missed · – no data")
st.dataframe(page.table.style.apply(_colour, subset=list(page.states.columns)), hide_index=True,
             width="stretch", height=min(900, 40 + 35 * len(page.table)), column_config=ui.metric_column_help())

st.subheader("Targets in force")
st.dataframe(page.targets, hide_index=True, width="stretch")
