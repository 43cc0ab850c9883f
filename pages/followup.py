"""Follow-up: customers who gave low scores, followed up in a closed loop."""
import datetime as dt

import streamlit as st

from cxmetrics import CxError, ui
from cxmetrics.display import channel_name, format_number, month_label, short_number
from cxmetrics.followup import STATUSES, cases, column_labels, export_csv, save_cases, status_word, thresholds
from cxmetrics.i18n import _, current_language, ngettext

ui.apply_language()
ALL = "all"  # the filters' first option


def _all_or(word):
    """A filter's option text: "all", or the option's own word."""
    return lambda value: _("all") if value == ALL else word(value)


st.title(_("Follow-up of low scores"))
if ui.empty_store_notice():
    st.stop()
store = ui.get_store()
limits = thresholds(store)
days = limits["overdue_days"]
st.caption(ngettext("A case is a contact with NPS ≤ {nps}, CSAT ≤ {csat} or CES ≤ {ces} (Targets & settings). "
                    "Open cases older than {days} days are overdue.",
                    "A case is a contact with NPS ≤ {nps}, CSAT ≤ {csat} or CES ≤ {ces} (Targets & settings). "
                    "Open cases older than {days} days are overdue.", days).format(
    nps=short_number(limits["nps"]), csat=short_number(limits["csat"]), ces=short_number(limits["ces"]), days=days))
months = list(reversed(ui.view("choices").months))
if st.query_params.get(ui.FOLLOWUP_QUERY) == ui.FOLLOWUP_OVERDUE:  # the Overview's link to the overdue cases
    st.session_state[ui.language_key("followup_month")] = ALL
    st.session_state["followup_overdue"] = True
    del st.query_params[ui.FOLLOWUP_QUERY]
a, b, c = st.columns(3)
month = a.selectbox(_("Month"), [ALL] + months, index=1 if months else 0,
                    format_func=ui.in_language(_all_or(month_label)), key=ui.language_key("followup_month"))
status = b.selectbox(_("Status"), [ALL] + list(STATUSES), format_func=ui.in_language(_all_or(status_word)), key=ui.language_key("followup_status"))
only_overdue = c.checkbox(_("Only overdue"), key="followup_overdue")
frame = cases(store, None if month == ALL else month, None if month == ALL else month,
              None if status == ALL else status)
if only_overdue:
    frame = frame[frame["overdue"]].reset_index(drop=True)
overdue = int(frame["overdue"].sum())
st.metric(_("Cases"), format_number(len(frame)), help=_("Low scorers in this selection"))
if overdue:
    st.warning(ngettext("{n} open cases are overdue (older than {days} days).",
                        "{n} open cases are overdue (older than {days} days).", days).format(
        n=format_number(overdue), days=days))
headings = column_labels()
labels = {column: st.column_config.Column(label) for column, label in headings.items()}
labels.update({
    "channel": st.column_config.SelectboxColumn(headings["channel"], options=sorted(set(frame["channel"])),
                                                format_func=channel_name),
    "contact_date": st.column_config.DateColumn(
        headings["contact_date"], format="YYYY-MM-DD" if current_language() == "en" else "DD.MM.YYYY"),
    "status": st.column_config.SelectboxColumn(headings["status"], options=list(STATUSES), required=True,
                                               format_func=status_word),
    "note": st.column_config.TextColumn(headings["note"]),
    "overdue": st.column_config.CheckboxColumn(headings["overdue"], help=_("Open and older than the limit"))})
if frame.empty:  # an empty editor would say so in Streamlit's own English
    st.info(_("No cases in this selection: no low score in these months, or none with this status."))
    st.stop()
# the columns one edits (status, note) before queue, agent and source: at the right end they were cut off
edited = st.data_editor(
    frame, hide_index=True, placeholder=ui.MISSING, width="stretch", key="followup_editor", disabled=ui.read_only() or [
        col for col in frame.columns if col not in ("status", "note")], column_config=labels,
    column_order=("contact_id", "customer_id", "channel", "contact_date", "nps", "csat", "ces", "status", "note",
                  "overdue", "age_days", "queue", "agent", "source"))
left, right = st.columns(2)
if not ui.read_only() and left.button(_("Save follow-up changes"), type="primary"):
    try:
        st.success(_("Saved {n} changed cases.").format(n=save_cases(store, frame, edited)))
    except CxError as exc:
        st.error(str(exc))
# The export is a machine file, as the command line's `followups` writes it: column ids and status codes in English.
right.download_button(_("Export the list (CSV, safe for Excel)"), export_csv(frame),
                      file_name=f"followups_{dt.date.today():%Y%m%d}.csv", mime="text/csv")
