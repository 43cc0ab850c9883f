"""CX maturity self-assessment: twenty statements, five stages, progress over time."""
import datetime as dt

import pandas as pd
import streamlit as st

from cxmetrics import CxError, ui
from cxmetrics.maturity import BANDS, SECTIONS, STAGES, assess, save_assessment
from cxmetrics.reports import safe_csv_text

st.title("CX maturity self-assessment")
st.caption("Score each statement from 1 (no progress) to 5 (fully achieved). Statements 15 and 16 are proposed "
           "from your data; change them if you know better. The stage bands are this project's own: the source "
           "study's scoring table was not available.")
context = ui.view("maturity_context")
scores = {}
for section, items in SECTIONS.items():
    st.subheader(section)
    for number, title, text in items:
        evidence = context.evidence.get(number)
        default = evidence.score if evidence and evidence.score else 3
        scores[number] = st.select_slider(f"{number}. {title}", options=[1, 2, 3, 4, 5], value=default,
                                          help=text, key=f"maturity_{number}")
        if evidence is not None:
            share = "no qualifying data" if evidence.share is None else \
                f"{evidence.qualifying} of {evidence.cases} qualify ({100 * evidence.share:.0f}%)"
            with st.expander(f"Proposed from the data: {evidence.score or '—'} — {share}"):
                st.caption(f"Rule: {evidence.rule}. 100% → 5, ≥ 90% → 4, ≥ 75% → 3, ≥ 50% → 2, less → 1.")
                st.dataframe(pd.DataFrame(evidence.rows), hide_index=True, width="stretch")

result = assess(scores)
st.divider()
left, right = st.columns([1, 2])
left.metric("Total", f"{result.total} of 100")
left.markdown(f"**Stage: {result.stage}**  \n{STAGES[result.stage]['summary']}")
left.caption("Bands (this project's own): " + ", ".join(f"{lo}–{hi} {name}" for lo, hi, name in BANDS))
right.bar_chart(pd.DataFrame({"Section": list(result.sections), "Mean score": list(result.sections.values())}),
                x="Section", y="Mean score", horizontal=True)
st.subheader(f"Key metrics of the {result.stage.lower()} stage ({context.as_of})")
known = context.metric_values[context.metric_values["id"].isin(result.key_metrics)] \
    if not context.metric_values.empty else context.metric_values
st.dataframe(known.drop(columns=["id"]) if not known.empty else known, hide_index=True, width="stretch")
missing = [m for m in result.key_metrics if known.empty or m not in set(known["id"])]
if missing:
    st.caption("Not measured by this app: " + ", ".join(missing))
if result.next_stage:
    st.subheader(f"Steps to {result.next_stage.lower()}")
    st.markdown("\n".join(f"- {step}" for step in result.steps))
else:
    st.success("The highest stage: keep every channel working in concert.")

st.subheader("Save and track progress")
a, b, c = st.columns([2, 1, 1])
name = a.text_input("Assessed by / site", key="maturity_name")
day = b.date_input("Date", dt.date.today(), key="maturity_date")
if not ui.read_only() and c.button("Save assessment", type="primary", disabled=not name):
    try:
        save_assessment(ui.get_store(), name, scores, day)
        st.success("Assessment saved.")
        st.rerun()
    except CxError as exc:
        st.error(str(exc))
history = context.history
if not history.empty:
    st.line_chart(history, x="assessed_on", y="total")
    st.dataframe(history, hide_index=True, width="stretch")
    st.download_button("Export assessments (CSV)", safe_csv_text(list(history.columns), history.astype(object).where(
        history.notna(), None).itertuples(index=False)), file_name="maturity_assessments.csv", mime="text/csv")
