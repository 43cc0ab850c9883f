"""Data quality: coverage and missing days, quarantine, import log, customers unknown to the export."""
import streamlit as st

from cxmetrics import ui
from cxmetrics.display import safe_csv_text

st.title("Data quality")
if ui.empty_store_notice():
    st.stop()
dq = ui.view("data_quality")

st.subheader("Coverage")
for warning in dq.warnings:
    st.warning(warning, icon=":material/event_busy:")
if not dq.warnings:
    st.success("No missing days: every channel has contacts on every day it usually works.")
ui.vega(dq.coverage_spec)

st.subheader("Customers")
if dq.have_customers_export:
    st.metric("Contacted customers missing from the customers export", f"{dq.unknown_customers:,}",
              help="They count as not churned in churn after contact.")
    st.caption(f"Of {dq.contacted_customers:,} distinct customers with a contact.")
else:
    st.info("No customers export is loaded, so churn after contact is not computed.")

st.subheader("Quarantine")
if dq.quarantine.empty:
    st.caption("No quarantined rows.")
else:
    st.dataframe(ui.labelled(dq.quarantine), hide_index=True, width="stretch")
    st.download_button("Download quarantined rows (CSV)",
                       safe_csv_text(list(dq.quarantine.columns), dq.quarantine.itertuples(index=False)),
                       file_name="quarantine.csv", mime="text/csv")

st.subheader("Import log")
st.dataframe(ui.labelled(dq.imports), hide_index=True, width="stretch")
