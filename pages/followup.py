"""Follow-up: customers who gave low scores, followed up in a closed loop."""
import datetime as dt

import streamlit as st

from cxmetrics import CxError, ui
from cxmetrics.display import channel_name
from cxmetrics.followup import COLUMN_LABELS, STATUSES, cases, export_csv, save_cases, thresholds

st.title("Follow-up of low scores")
if ui.empty_store_notice():
    st.stop()
store = ui.get_store()
limits = thresholds(store)
st.caption(f"A case is a contact with NPS ≤ {limits['nps']:g}, CSAT ≤ {limits['csat']:g} or CES ≤ {limits['ces']:g} "
           f"(Targets & settings). Open cases older than {limits['overdue_days']} days are overdue.")
months = list(reversed(ui.view("choices").months))
a, b, c = st.columns(3)
month = a.selectbox("Month", ["all"] + months, index=1 if months else 0, key="followup_month")
status = b.selectbox("Status", ["all"] + list(STATUSES), key="followup_status")
only_overdue = c.checkbox("Only overdue", key="followup_overdue")
frame = cases(store, None if month == "all" else month, None if month == "all" else month,
              None if status == "all" else status)
if only_overdue:
    frame = frame[frame["overdue"]].reset_index(drop=True)
overdue = int(frame["overdue"].sum())
st.metric("Cases", f"{len(frame):,}", help="Low scorers in this selection")
if overdue:
    st.warning(f"{overdue:,} open cases are overdue (older than {limits['overdue_days']} days).")
labels = {column: st.column_config.Column(label) for column, label in COLUMN_LABELS.items()}
labels.update({
    "channel": st.column_config.SelectboxColumn(COLUMN_LABELS["channel"], options=sorted(set(frame["channel"])),
                                                format_func=channel_name),
    "contact_date": st.column_config.DateColumn(COLUMN_LABELS["contact_date"], format="YYYY-MM-DD"),
    "status": st.column_config.SelectboxColumn(COLUMN_LABELS["status"], options=list(STATUSES), required=True),
    "note": st.column_config.TextColumn(COLUMN_LABELS["note"]),
    "overdue": st.column_config.CheckboxColumn(COLUMN_LABELS["overdue"], help="Open and older than the limit")})
edited = st.data_editor(
    frame, hide_index=True, width="stretch", key="followup_editor", disabled=ui.read_only() or [
        col for col in frame.columns if col not in ("status", "note")], column_config=labels)
left, right = st.columns(2)
if not ui.read_only() and left.button("Save follow-up changes", type="primary"):
    try:
        st.success(f"Saved {save_cases(store, frame, edited)} changed cases.")
    except CxError as exc:
        st.error(str(exc))
right.download_button("Export the list (CSV, safe for Excel)", export_csv(frame),
                      file_name=f"followups_{dt.date.today():%Y%m%d}.csv", mime="text/csv")
