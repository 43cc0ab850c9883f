"""Data quality: coverage and missing days, quarantine, import log, customers unknown to the export."""
import streamlit as st

from cxmetrics import ui
from cxmetrics.display import format_number, safe_csv_text
from cxmetrics.i18n import _

ui.apply_language()

st.title(_("Data quality"))
if ui.empty_store_notice():
    st.stop()
dq = ui.view("data_quality")

st.subheader(_("Coverage"))
for warning in dq.warnings:
    st.warning(warning, icon=":material/event_busy:")
if not dq.warnings:
    st.success(_("No missing days: every channel has contacts on every day it usually works."))
ui.vega(dq.coverage_spec)

st.subheader(_("Customers"))
if dq.have_customers_export:
    st.metric(_("Contacted customers missing from the customers export"), format_number(dq.unknown_customers),
              help=_("They count as not churned in churn after contact."))
    st.caption(_("Of {n} distinct customers with a contact.").format(n=format_number(dq.contacted_customers)))
else:
    st.info(_("No customers export is loaded, so churn after contact is not computed."))

st.subheader(_("Quarantine"))
if dq.quarantine.empty:
    st.caption(_("No quarantined rows."))
else:
    st.dataframe(ui.labelled(dq.quarantine), hide_index=True, placeholder=ui.MISSING, width="stretch")
    # The download is a machine file: column ids and stored values, as the command line writes them.
    st.download_button(_("Download quarantined rows (CSV)"),
                       safe_csv_text(list(dq.quarantine.columns), dq.quarantine.itertuples(index=False)),
                       file_name="quarantine.csv", mime="text/csv")

st.subheader(_("Import log"))
st.dataframe(ui.labelled(dq.imports), hide_index=True, placeholder=ui.MISSING, width="stretch")
