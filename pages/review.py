"""Quarterly review: the SLA-review pack for a quarter, on screen and as a workbook."""
import streamlit as st

from cxmetrics import ui
from cxmetrics.display import channel_name, month_label, quarter_label, state_legend
from cxmetrics.i18n import _, current_language

ui.apply_language()
st.title(_("Quarterly review"))
if ui.empty_store_notice():
    st.stop()
left, right = st.columns([1, 3])
quarter = left.selectbox(_("Quarter"), ui.view("quarters"), key=ui.language_key("review_quarter"), format_func=ui.in_language(quarter_label))
# English lists the channel slugs as before; another language shows each channel's name.
channels = right.multiselect(_("Channels"), ui.view("choices").channels, placeholder=_("All channels"),
                             format_func=str if current_language() == "en" else ui.in_language(channel_name))
page = ui.view("review_page", quarter=quarter, channels=channels or None)
review = page.review
st.download_button(_("Download the {quarter} workbook (.xlsx)").format(quarter=quarter_label(quarter)), page.workbook,
                   file_name=f"cxmetrics_review_{quarter}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", type="primary")

st.subheader(_("Findings"))
st.markdown("\n".join(f"- {line}" for line in review.findings))
if not review.has_data:
    st.stop()

st.subheader(_("Scorecard"))
rule_note = _("Rolling rule at quarter end.") if review.rule_month == review.months[-1] else \
    _("Rolling rule as of {month}, the latest month loaded.").format(month=month_label(review.rule_month))
st.caption(_("Months and the quarter are pooled from contact counts; the quarter is held against the target in "
             "force at quarter end.") + " " + rule_note + " " + state_legend())
st.dataframe(ui.styled_states(page.table, page.states, list(page.states.columns)), hide_index=True,
             placeholder=ui.MISSING, width="stretch", height=min(900, 40 + 35 * len(page.table)),
             column_config=ui.metric_column_help())

st.subheader(_("Targets in force"))
st.dataframe(page.targets, hide_index=True, placeholder=ui.MISSING, width="stretch")
