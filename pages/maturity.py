"""CX maturity self-assessment: twenty statements, five stages, progress over time."""
import datetime as dt

import pandas as pd
import streamlit as st

from cxmetrics import CxError, ui
from cxmetrics.display import STATUS_LOOKS, channel_name
from cxmetrics.maturity import BANDS, SECTIONS, STAGES, STATEMENTS, assess, save_assessment, unscored
from cxmetrics.metrics import METRICS
from cxmetrics.display import safe_csv_text
from cxmetrics.display import format_value

NOT_SCORED = 0   # the sliders' first option: a statement starts unscored
OPTIONS = [NOT_SCORED, 1, 2, 3, 4, 5]


def _option_text(value: int) -> str:
    return "Not scored" if value == NOT_SCORED else str(value)


def _metric_label(metric_id: str) -> str:
    return METRICS[metric_id].label if metric_id in METRICS else metric_id


def _status_word(status: str) -> str:
    look = STATUS_LOOKS.get(status)
    return look.word if look else status.replace("_", " ").capitalize()


def _yes_no(value) -> str:
    return "–" if value is None else ("Yes" if value else "No")


def evidence_table(evidence) -> pd.DataFrame:
    """The evidence rows as people read them: channel names, metric labels, formatted values."""
    if evidence.statement == 15:
        rows = [{"Channel": channel_name(r["channel"]), "Month": r["month"],
                 "Service level": format_value("service_level", r["value"]),
                 "Target": format_value("service_level", r["target"]),
                 "Within 5% of target": _yes_no(r["qualifies"])} for r in evidence.rows]
    else:
        rows = [{"Channel": channel_name(r["channel"]), "Metric": _metric_label(r["metric"]),
                 "Rolling status": _status_word(r["status"]),
                 "Months met": f"{r['months_met']} of {r['months_in_window']}",
                 "Counted": "Yes" if r.get("counted", True) else "No (no verdict)",
                 "Compliant": _yes_no(r["qualifies"])} for r in evidence.rows]
    return pd.DataFrame(rows)


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """The saved assessments with labelled columns (the CSV export keeps the ids)."""
    names = {"assessment_id": "No.", "name": "Assessed by / site", "assessed_on": "Date", "total": "Total",
             "stage": "Stage"}
    names.update({f"s{n}": f"{n}. {STATEMENTS[n][1]}" for n in STATEMENTS})
    return history.rename(columns=names)


st.title("CX maturity self-assessment")
st.caption("Score each statement from 1 (no progress) to 5 (fully achieved); every statement starts *not scored*. "
           "The total, the stage and the steps appear once all twenty are scored. Statements 15 and 16 are "
           "proposed from your data when it holds enough evidence; change them if you know better. The stage "
           "bands are this project's own: the source study's scoring table was not available.")
context = ui.view("maturity_context")
scores: dict[int, int | None] = {}
for section, items in SECTIONS.items():
    st.subheader(section)
    for number, title, text in items:
        evidence = context.evidence.get(number)
        default = evidence.score if evidence is not None and evidence.score else NOT_SCORED
        value = st.select_slider(f"{number}. {title}", options=OPTIONS, value=default, format_func=_option_text,
                                 help=text, key=f"maturity_{number}")
        scores[number] = None if value == NOT_SCORED else value
        if evidence is not None:
            label = (f"Proposed from the data: {evidence.score} — {evidence.qualifying} of {evidence.cases} "
                     f"qualify ({100 * evidence.share:.0f}%)" if evidence.score is not None
                     else "Proposed from the data: none — too little evidence")
            if evidence.thin:
                st.caption(evidence.thin[0].upper() + evidence.thin[1:] + ".")
            with st.expander(label):
                st.caption(f"Rule: {evidence.rule}. 100% → 5, ≥ 90% → 4, ≥ 75% → 3, ≥ 50% → 2, less → 1.")
                table = evidence_table(evidence)
                if table.empty:
                    st.caption("No rows: nothing in the last 12 months to judge.")
                else:
                    st.dataframe(table, hide_index=True, width="stretch")

st.divider()
missing = unscored(scores)
complete = not missing
if complete:
    result = assess(scores)
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
    not_measured = [m for m in result.key_metrics if known.empty or m not in set(known["id"])]
    if not_measured:
        st.caption("Not measured by this app: " + ", ".join(_metric_label(m) for m in not_measured))
    if result.next_stage:
        st.subheader(f"Steps to {result.next_stage.lower()}")
        st.markdown("\n".join(f"- {step}" for step in result.steps))
    else:
        st.success("The highest stage: keep every channel working in concert.")
else:
    st.info(f"{20 - len(missing)} of 20 statements scored. Score all twenty to see the total, the stage, the "
            "section chart, the key metrics and the steps to the next stage. Still to score: "
            + ", ".join(map(str, missing)) + ".")

st.subheader("Save and track progress")
a, b, c = st.columns([2, 1, 1])
name = a.text_input("Assessed by / site", key="maturity_name")
day = b.date_input("Date", dt.date.today(), key="maturity_date")
if not complete:
    st.caption("Saving needs all twenty statements scored.")
if not ui.read_only() and c.button("Save assessment", type="primary", disabled=not (name and complete)):
    try:
        save_assessment(ui.get_store(), name, scores, day)
        st.success("Assessment saved.")
        st.rerun()
    except CxError as exc:
        st.error(str(exc))
history = context.history
if not history.empty:
    shown = history_table(history)
    st.line_chart(shown, x="Date", y="Total")
    st.dataframe(shown, hide_index=True, width="stretch")
    st.download_button("Export assessments (CSV)", safe_csv_text(list(history.columns), history.astype(object).where(
        history.notna(), None).itertuples(index=False)), file_name="maturity_assessments.csv", mime="text/csv")
