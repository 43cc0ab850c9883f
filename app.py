"""cxmetrics dashboard: `streamlit run app.py`."""
import streamlit as st

from cxmetrics.i18n import _
from cxmetrics.ui import apply_language, language_switch, read_only

st.set_page_config(page_title="cxmetrics", page_icon=":material/monitoring:", layout="wide")
apply_language()  # first: every title below is in the session's language

dashboards = [
    st.Page("pages/overview.py", title=_("Overview"), icon=":material/dashboard:", default=True),
    st.Page("pages/channel.py", title=_("Channel detail"), icon=":material/insights:"),
    st.Page("pages/compliance.py", title=_("Compliance (9 of 12)"), icon=":material/rule:"),
    st.Page("pages/review.py", title=_("Quarterly review"), icon=":material/summarize:"),
    st.Page("pages/staffing.py", title=_("Staffing"), icon=":material/groups:"),
]
customers = [
    st.Page("pages/satisfaction.py", title=_("Satisfaction"), icon=":material/sentiment_satisfied:"),
    st.Page("pages/drivers.py", title=_("Drivers"), icon=":material/troubleshoot:"),
    st.Page("pages/followup.py", title=_("Follow-up"), icon=":material/call_missed_outgoing:"),
    st.Page("pages/maturity.py", title=_("CX maturity"), icon=":material/stairs:"),
]
data = [
    st.Page("pages/targets.py", title=_("Targets & settings"), icon=":material/tune:"),
    st.Page("pages/quality.py", title=_("Data quality"), icon=":material/fact_check:"),
]
if not read_only():
    data.insert(0, st.Page("pages/upload.py", title=_("Upload"), icon=":material/upload_file:"))
navigation = st.navigation({_("Dashboards"): dashboards, _("Customers"): customers, _("Data"): data})
language_switch()  # after st.navigation: a widget drawn before it loses its value on the rerun it causes
navigation.run()
