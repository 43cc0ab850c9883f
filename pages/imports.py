"""Import history, and one-click sample data on an empty store."""
import pandas as pd
import streamlit as st

from cxmetrics import list_imports
from cxmetrics.sample import load_sample
from cxmetrics.ui import get_store

st.title("Imports")
store = get_store()
imports = list_imports(store)
if not imports:
    st.info("The store is empty.")
    if st.button("Load sample data", type="primary"):
        with st.spinner("Importing the sample data…"):
            reports = load_sample(store)
        st.success(f"Imported {sum(r.rows_imported for r in reports):,} rows from {len(reports)} files.")
        st.rerun()
else:
    st.dataframe(pd.DataFrame(imports).drop(columns=["mapping_json", "sha256"]), hide_index=True)
