"""Streamlit glue shared by the pages: the cached store and the data-version cache key."""
from __future__ import annotations

import streamlit as st

from .storage import Store, resolve_db_path


@st.cache_resource(show_spinner=False)
def _store_for(path: str) -> Store:
    return Store(path)


def get_store() -> Store:
    """One Store per process for the configured path (CXMETRICS_DB or ./data/cxmetrics.duckdb)."""
    return _store_for(str(resolve_db_path()))
