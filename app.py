"""cxmetrics dashboard: `streamlit run app.py`."""
import streamlit as st

from cxmetrics.ui import read_only

st.set_page_config(page_title="cxmetrics", page_icon=":material/monitoring:", layout="wide")

dashboards = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/channel.py", title="Channel detail", icon=":material/insights:"),
    st.Page("pages/compliance.py", title="Compliance (9 of 12)", icon=":material/rule:"),
    st.Page("pages/review.py", title="Quarterly review", icon=":material/summarize:"),
]
customers = [
    st.Page("pages/satisfaction.py", title="Satisfaction", icon=":material/sentiment_satisfied:"),
    st.Page("pages/followup.py", title="Follow-up", icon=":material/call_missed_outgoing:"),
    st.Page("pages/maturity.py", title="CX maturity", icon=":material/stairs:"),
]
data = [
    st.Page("pages/targets.py", title="Targets & settings", icon=":material/tune:"),
    st.Page("pages/quality.py", title="Data quality", icon=":material/fact_check:"),
]
if not read_only():
    data.insert(0, st.Page("pages/upload.py", title="Upload", icon=":material/upload_file:"))
navigation = st.navigation({"Dashboards": dashboards, "Customers": customers, "Data": data})
navigation.run()
