"""cxmetrics dashboard: `streamlit run app.py`."""
import streamlit as st

st.set_page_config(page_title="cxmetrics", layout="wide")

navigation = st.navigation([
    st.Page("pages/imports.py", title="Imports", icon=":material/upload_file:", default=True),
])
navigation.run()
