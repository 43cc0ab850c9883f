"""CX maturity self-assessment: twenty statements, five stages, progress over time."""
import datetime as dt

import pandas as pd
import streamlit as st

from cxmetrics import CxError, ui
from cxmetrics.display import STATUS_LOOKS, channel_name
from cxmetrics.i18n import _, current_language
from cxmetrics.maturity import BANDS, SECTIONS, STAGES, STATEMENTS, assess, save_assessment, stage_name, unscored
from cxmetrics.metrics import METRICS
from cxmetrics.display import safe_csv_text
from cxmetrics.display import format_number, format_value, month_label

ui.apply_language()

SCORES = [1, 2, 3, 4, 5]  # a statement starts with none picked: not scored


def _metric_label(metric_id: str) -> str:
    """A key metric's label; a measure this app does not compute is an English name marked in maturity.py."""
    return METRICS[metric_id].label if metric_id in METRICS else _(metric_id)


def _status_word(status: str) -> str:
    look = STATUS_LOOKS.get(status)
    return look.word if look else status.replace("_", " ").capitalize()


def _yes_no(value) -> str:
    return "–" if value is None else (_("Yes") if value else _("No"))


def evidence_table(evidence) -> pd.DataFrame:
    """The evidence rows as people read them: channel names, metric labels, formatted values."""
    if evidence.statement == 15:
        rows = [{_("Channel"): channel_name(r["channel"]), _("Month"): month_label(r["month"]),
                 _("Service level"): format_value("service_level", r["value"]),
                 _("Target"): format_value("service_level", r["target"]),
                 _("Within 5% of target"): _yes_no(r["qualifies"])} for r in evidence.rows]
    else:
        rows = [{_("Channel"): channel_name(r["channel"]), _("Metric"): _metric_label(r["metric"]),
                 _("Rolling status"): _status_word(r["status"]),
                 _("Months met"): _("{met} of {window}").format(met=r["months_met"], window=r["months_in_window"]),
                 _("Counted"): _("Yes") if r.get("counted", True) else _("No (no verdict)"),
                 _("Compliant"): _yes_no(r["qualifies"])} for r in evidence.rows]
    return pd.DataFrame(rows)


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """The saved assessments with labelled columns and stage names (the CSV export keeps the ids and codes)."""
    names = {"assessment_id": _("No."), "name": _("Assessed by / site"), "assessed_on": _("Date"),
             "total": _("Total"), "stage": _("Stage")}
    names.update({f"s{n}": f"{n}. {_(STATEMENTS[n][1])}" for n in STATEMENTS})
    shown = history.assign(stage=history["stage"].map(stage_name)) if "stage" in history else history
    return shown.rename(columns=names)


st.title(_("CX maturity self-assessment"))
st.caption(_("Score each statement from 1 (no progress) to 5 (fully achieved); every statement starts *not scored*. "
             "The total, the stage and the steps appear once all twenty are scored. Statements 15 and 16 are "
             "proposed from your data when it holds enough evidence; change them if you know better. The stage "
             "bands are this project's own: the source study's scoring table was not available."))
context = ui.view("maturity_context")
scores: dict[int, int | None] = {}
for section, items in SECTIONS.items():
    st.subheader(_(section))
    for number, title, text in items:
        evidence = context.evidence.get(number)
        default = evidence.score if evidence is not None and evidence.score else None
        key = f"maturity_{number}"
        start = {} if key in st.session_state else {"default": default}
        # five buttons, none pressed until scored: a slider's "not scored" end read as a score of 1
        scores[number] = st.segmented_control(f"{number}. {_(title)}", SCORES, help=_(text), key=key, **start)
        if evidence is not None:
            label = (_("Proposed from the data: {score} — {qualifying} of {cases} qualify ({share}%)").format(
                score=evidence.score, qualifying=evidence.qualifying, cases=evidence.cases,
                share=format_number(100 * evidence.share)) if evidence.score is not None
                else _("Proposed from the data: none — too little evidence"))
            if evidence.thin:
                st.caption(evidence.thin[0].upper() + evidence.thin[1:] + ".")
            with st.expander(label):
                st.caption(_("Rule: {rule}. 100% → 5, ≥ 90% → 4, ≥ 75% → 3, ≥ 50% → 2, less → 1.").format(
                    rule=evidence.rule))
                table = evidence_table(evidence)
                if table.empty:
                    st.caption(_("No rows: nothing in the last 12 months to judge."))
                else:
                    st.dataframe(table, hide_index=True, placeholder=ui.MISSING, width="stretch")

st.divider()
missing = unscored(scores)
complete = not missing
if complete:
    result = assess(scores)
    left, right = st.columns([1, 2])
    left.metric(_("Total"), _("{total} of 100").format(total=result.total))
    stage_line = _("Stage: {stage}").format(stage=stage_name(result.stage))
    left.markdown(f"**{stage_line}**  \n{_(STAGES[result.stage]['summary'])}")
    left.caption(_("Bands (this project's own): {bands}").format(
        bands=", ".join(f"{lo}–{hi} {stage_name(name)}" for lo, hi, name in BANDS)))
    section_heading, mean_heading = _("Section"), _("Mean score")
    right.bar_chart(pd.DataFrame({section_heading: [_(s) for s in result.sections],
                                  mean_heading: list(result.sections.values())}),
                    x=section_heading, y=mean_heading, horizontal=True)
    st.subheader(_("Key metrics of the {stage} stage ({month})").format(stage=stage_name(result.stage).lower(),
                                                                         month=month_label(context.as_of)))
    known = context.metric_values[context.metric_values["id"].isin(result.key_metrics)] \
        if not context.metric_values.empty else context.metric_values
    st.dataframe(known.drop(columns=["id"]) if not known.empty else known, hide_index=True, placeholder=ui.MISSING,
                 width="stretch")
    not_measured = [m for m in result.key_metrics if known.empty or m not in set(known["id"])]
    if not_measured:
        st.caption(_("Not measured by this app: {metrics}").format(
            metrics=", ".join(_metric_label(m) for m in not_measured)))
    if result.next_stage:
        st.subheader(_("Steps to {stage}").format(stage=stage_name(result.next_stage).lower()))
        st.markdown("\n".join(f"- {_(step)}" for step in result.steps))
    else:
        st.success(_("The highest stage: keep every channel working in concert."))
else:
    st.info(_("{scored} of 20 statements scored. Score all twenty to see the total, the stage, the section chart, "
              "the key metrics and the steps to the next stage. Still to score: {missing}.").format(
        scored=20 - len(missing), missing=", ".join(map(str, missing))))

st.subheader(_("Save and track progress"))
a, b, c = st.columns([2, 1, 1])
name = a.text_input(_("Assessed by / site"), key="maturity_name")
day = b.date_input(_("Date"), dt.date.today(), key="maturity_date",
                   format="YYYY/MM/DD" if current_language() == "en" else "DD.MM.YYYY")
if not complete:
    st.caption(_("Saving needs all twenty statements scored."))
if not ui.read_only() and c.button(_("Save assessment"), type="primary", disabled=not (name and complete)):
    try:
        save_assessment(ui.get_store(), name, scores, day)
        st.success(_("Assessment saved."))
        st.rerun()
    except CxError as exc:
        st.error(str(exc))
history = context.history
if not history.empty:
    shown = history_table(history)
    st.line_chart(shown, x=_("Date"), y=_("Total"))
    st.dataframe(shown, hide_index=True, placeholder=ui.MISSING, width="stretch")
    st.download_button(_("Export assessments (CSV)"), safe_csv_text(list(history.columns), history.astype(object).where(
        history.notna(), None).itertuples(index=False)), file_name="maturity_assessments.csv", mime="text/csv")
