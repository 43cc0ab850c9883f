"""Streamlit glue shared by the pages: the cached store, cached views, and small renderers."""
from __future__ import annotations

import dataclasses
import importlib
import json
from typing import TYPE_CHECKING

import streamlit as st
from streamlit.dataframe_util import convert_anything_to_arrow_bytes

if TYPE_CHECKING:  # annotations only: pyarrow is imported where used (README "Architecture")
    import pyarrow as pa

from . import views
from .i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, _, current_language, set_language, use_language
from .display import (MISSING, STATUS_LOOKS, cell_style, channel_name, format_number, month_label, state_legend,
                      table_html, tiles_html)
from .ingest import ImportOptions, column_values_bytes, inspect_bytes, preview_bytes, repeated_values_bytes
from .metrics import METRICS, REGISTRY
from .sample import load_sample
from .schema import HIDDEN_COLUMNS, column_label, with_field_labels
from .storage import Store, resolve_db_path


@st.cache_resource(show_spinner=False)
def _store_for(path: str) -> Store:
    # A store made by an earlier version builds its measures on this first open: say so while it runs.
    with st.spinner("Opening the store …"):
        return Store(path, on_progress=lambda message: st.info(message, icon="⏳"))


def get_store() -> Store:
    """One Store per process for the configured path (CXMETRICS_DB or ./data/cxmetrics.duckdb)."""
    return _store_for(str(resolve_db_path()))


# -- the session's language ----------------------------------------------------------------------------
LANGUAGE_KEY = "language"  # the sidebar switch's session-state key
SWITCH_LABEL = "Language · Язык"


def apply_language() -> str:
    """Sets this script run's language: the session's switch, else the store's `language` setting.

    Every page calls it first (the app's sidebar switch too), so a page run alone — as AppTest runs
    it — speaks the same language as under the navigation."""
    language = st.session_state.get(LANGUAGE_KEY) or get_store().settings().get("language", DEFAULT_LANGUAGE)
    set_language(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    return current_language()


def _css_text(text: str) -> str:
    """A CSS string literal of `text` (translations may hold quotes)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


# What a trend chart's marks mean, said once above the charts (their legends name only the channels)
TREND_MARKS = N_("Dashed lines: each channel's target, in its colour · dotted grey line: an industry benchmark, "
                 "named under the chart · ✚: a month that missed its target.")


def file_uploader(label: str, container=st, **kwargs):
    """st.file_uploader, with its button and size limit in the session's language: Streamlit writes them in
    English only ("Upload", "200MB per file"), so in another language they are replaced by CSS content. The
    selectors are the test ids of Streamlit's uploader (pinned in requirements.txt; tests/test_browser.py reads
    the words back in a browser)."""
    if current_language() != DEFAULT_LANGUAGE:
        button = _css_text(_("Choose files") if kwargs.get("accept_multiple_files") else _("Choose a file"))
        limit = _css_text(_("up to {size} MB per file").format(size=format_number(st.get_option("server.maxUploadSize"))))
        st.html(f"""<style>
[data-testid="stFileUploaderDropzone"] button > * {{display: none}}
[data-testid="stFileUploaderDropzone"] button::after {{content: {button}}}
[data-testid="stFileUploaderDropzoneInstructions"] > * {{display: none}}
[data-testid="stFileUploaderDropzoneInstructions"]::after {{content: {limit}; font-size: 0.875rem; opacity: 0.6}}
</style>""")
    return container.file_uploader(label, **kwargs)


def language_switch() -> None:
    """The sidebar's language switch: changes this session only, at once (the store's default stays until it is
    saved on Targets & settings; a read-only store switches too)."""
    current = apply_language()
    st.session_state.setdefault(LANGUAGE_KEY, current)
    # One label in every language: a widget whose label changes is a new widget to Streamlit, which would drop
    # the choice on the rerun it causes; and a person who does not read the current language still finds it.
    st.sidebar.selectbox(SWITCH_LABEL, list(LANGUAGES), format_func=LANGUAGES.get, key=LANGUAGE_KEY)
    apply_language()


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_call(module: str, name: str, db: str, version: int, language: str, kwargs_json: str):
    with use_language(language):
        return _with_arrow_datasets(getattr(importlib.import_module(module), name)(get_store(),
                                                                                  **json.loads(kwargs_json)))


def _with_arrow_datasets(value):
    """The Vega-Lite specs in a view's result with their named data sets as Arrow bytes, made by Streamlit's own
    converter once per data version: Streamlit sends bytes as they are, where it converted every data set of every
    chart on every rerun (half of a cached Overview's rerun)."""
    if isinstance(value, dict):
        if "$schema" in value and isinstance(value.get("datasets"), dict):
            value["datasets"] = {name: rows if isinstance(rows, bytes) else _dataset_bytes(rows)
                                 for name, rows in value["datasets"].items()}
        else:
            for item in value.values():
                _with_arrow_datasets(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _with_arrow_datasets(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _with_arrow_datasets(getattr(value, f.name))
    return value


def _dataset_bytes(rows: list[dict]) -> bytes:
    """A chart's rows as Arrow bytes, typed by pyarrow straight from the rows: through pandas it took 7 times as
    long, most of an Overview's compute after each import. Streamlit's converter takes what pyarrow cannot type
    (a column mixing text and numbers), as it did before."""
    import pyarrow as pa
    try:
        table = pa.Table.from_pylist(rows)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return convert_anything_to_arrow_bytes(rows)
    return convert_anything_to_arrow_bytes(table)


def cached(function, **kwargs):
    """function(store, **kwargs) in the session's language, cached until the next import, delete or settings
    change."""
    store = get_store()
    return _cached_call(function.__module__, function.__name__, str(store.path), store.data_version(),
                        current_language(), json.dumps(kwargs, sort_keys=True))


@st.cache_data(show_spinner=False, max_entries=64)
def _upload_call(what: str, db: str, version: int, language: str, file_id: str, file_name: str, args_json: str,
                 _data: bytes):
    with use_language(language):
        return _upload_work(what, file_name, json.loads(args_json), _data)


def _upload_work(what: str, file_name: str, args: dict, _data: bytes):
    store = get_store()
    if what == "inspect":
        return inspect_bytes(_data, file_name, args["kind"], args["sheet"])
    if what == "values":
        return column_values_bytes(store, _data, file_name, args["column"], args["sheet"])
    if what == "repeats":
        return repeated_values_bytes(store, _data, file_name, args["columns"], args["sheet"])
    return preview_bytes(store, _data, file_name, ImportOptions(**args["options"]))


def upload_view(what: str, upload, **args):
    """An uploaded file's detection ("inspect"), a column's values ("values"), the repeats of its proposed contact
    id ("repeats") or its dry run ("preview"),
    cached per file, arguments and data version (a preview depends on what is already stored)."""
    store = get_store()
    return _upload_call(what, str(store.path), store.data_version(), current_language(), upload.file_id,
                        upload.name, json.dumps(args, sort_keys=True), upload.getvalue())


def view(name: str, **kwargs):
    """views.<name>(store, **kwargs), cached like `cached`."""
    return cached(getattr(views, name), **kwargs)


def drawn(draw, view_name: str, **kwargs) -> None:
    """draw(views.<view_name>(store, **kwargs)) — a drawing function of this module — drawn once per data version,
    language and arguments: Streamlit records the elements a cached function draws and replays them on later runs,
    so a page run sends them again without building them again (a Styler marshalled for the compliance grid,
    56 tiles and 8 charts on the Overview: most of a page run's CPU, and the bound of twenty sessions at once)."""
    store = get_store()
    _drawn(draw.__name__, view_name, str(store.path), store.data_version(), current_language(),
           json.dumps(kwargs, sort_keys=True))


@st.cache_data(show_spinner=False, max_entries=64)
def _drawn(draw_name: str, view_name: str, db: str, version: int, language: str, kwargs_json: str) -> None:
    with use_language(language):
        _DRAWINGS[draw_name](view(view_name, **json.loads(kwargs_json)))


def vega(spec: dict | None, missing: str | None = None) -> None:
    """Render a prepared Vega-Lite spec (built once per data version by the charts module).

    A chart without data is never drawn: one line says why instead (`missing`, already translated).
    """
    if spec is None:
        st.caption(missing or _("Nothing to draw for this selection."))
        return
    st.vega_lite_chart(spec, width="stretch")


def read_only() -> bool:
    return get_store().read_only


def status_badge(status: str) -> str:
    look = STATUS_LOOKS[status]
    return f":{look.badge}-background[{look.word}]"


def styled_states(table, states, columns):
    """A table whose month cells are coloured by their state (the text already carries symbol or word)."""
    def colour(column):
        if column.name not in states:
            return [""] * len(column)
        return [cell_style(s) for s in states[column.name]]
    return table.style.apply(colour, subset=[c for c in columns if c in table.columns])


def empty_store_notice() -> bool:
    """On an empty store, offer the sample data; True when the page should stop."""
    if not view("is_empty"):
        return False
    store = get_store()
    st.info(_("The store is empty. Upload your exports on the Upload page, or load the sample data to look around."))
    if not store.read_only and st.button(_("Load sample data"), type="primary"):
        with st.spinner(_("Importing the sample data…")):
            reports = load_sample(store)
        st.success(_("Imported {rows} rows from {files} files.").format(
            rows=format_number(sum(r.rows_imported for r in reports)), files=len(reports)))
        st.rerun()
    return True


def chart_heading(metric_id: str) -> None:
    """The metric's label, with its registry definition on hover."""
    m = METRICS[metric_id]
    st.markdown(f"**{m.label}**", help=m.description)


def metric_column_titles() -> dict[str, str]:
    """Each metric's label and short label → its definition (a table heading's hover text)."""
    titles = {m.label: m.description for m in REGISTRY}
    titles.update({m.short: f"{m.label}: {m.description}" for m in REGISTRY if m.short and m.short not in titles})
    return titles


def metric_column_help() -> dict:
    """column_config giving each metric-labelled column (full or short label) its definition on hover."""
    return {heading: st.column_config.TextColumn(heading, help=text) for heading, text in metric_column_titles().items()}


def labelled(table):
    """A frame (or list of row dicts) with the page's column headings — field labels from the schema, table
    column labels — and without the columns kept for the machine. CSV downloads keep the ids."""
    import pandas as pd  # not at the top: the Overview draws no pandas table (cxmetrics/views.py)

    frame = table if isinstance(table, pd.DataFrame) else pd.DataFrame(list(table))
    frame = frame.drop(columns=[c for c in HIDDEN_COLUMNS if c in frame.columns])
    for column in ("reason", "column", "columns"):  # stored text may name fields by id
        if column in frame.columns:
            frame[column] = frame[column].map(with_field_labels)
    return frame.rename(columns=column_label)


# The Overview's link to the overdue follow-up cases: ?cases=overdue opens the Follow-up page on every month's
# overdue cases
FOLLOWUP_QUERY = "cases"
FOLLOWUP_OVERDUE = "overdue"


def language_key(key: str) -> str:
    """A widget key for this language (English keeps the key itself).

    Streamlit knows a keyed select box by its key alone, and a browser keeps showing the option text the box
    was first drawn with; a box whose options read differently per language (months, quarters, statuses) is
    another widget in another language, so switching shows it in the new words. It starts from the choice
    made in the other language."""
    scoped = _scoped_key(key, current_language())
    if scoped not in st.session_state:  # keep the choice made in the other language
        for language in LANGUAGES:
            previous = _scoped_key(key, language)
            if previous != scoped and previous in st.session_state:
                st.session_state[scoped] = st.session_state[previous]
                break
    return scoped


def _scoped_key(key: str, language: str) -> str:
    return key if language == DEFAULT_LANGUAGE else f"{key}_{language}"


def in_language(function):
    """`function` (a widget's format_func: month_label, channel_name …) bound to this script run's language.

    Streamlit may call a format_func outside the script run — AppTest does, from its own thread, where the
    session's language is not set — and the option texts must match the ones the page drew."""
    language = current_language()

    def call(value):
        with use_language(language):
            return function(value)
    return call


# -- page bodies drawn once per data version (through `drawn`) ------------------------------------------------------
def overview_body(data: views.Overview) -> None:
    """The Overview below its controls and early warning: what needs attention (or why there is nothing to show),
    each channel's tiles, the scorecard and the trends."""
    if data.notice:
        st.info(data.notice, icon=":material/info:")
        return
    if data.attention:
        with st.expander(_("What needs attention ({n})").format(n=len(data.attention)), expanded=True,
                         icon=":material/warning:"):
            st.html(table_html(data.attention))
    else:
        st.success(_("Every targeted metric met its target this month, and no rolling rule is at risk."),
                   icon=":material/check_circle:")
    for channel, tiles in data.tiles.items():
        st.subheader(channel_name(channel))
        st.html(tiles_html(tiles))
        if channel in data.not_measured:
            st.caption(_("Not measured on this channel (no value in the last 13 months): {metrics}.").format(
                metrics=", ".join(data.not_measured[channel])))

    st.subheader(_("Scorecard"))
    st.caption(state_legend() + (f" · {data.marks_note}" if data.marks_note else ""))
    st.html(table_html(data.scorecard, data.scorecard_states, metric_column_titles()))

    st.subheader(_("Trends (last 13 months)"))
    st.caption(_(TREND_MARKS))
    charted = [m for m in views.KEY_METRICS if data.trend_specs[m] is not None]
    trend_columns = st.columns(2)
    for i, metric_id in enumerate(charted):
        with trend_columns[i % 2]:
            chart_heading(metric_id)
            vega(data.trend_specs[metric_id])
    if len(charted) < len(views.KEY_METRICS):
        st.caption(_("Not measured on these channels in the last 13 months: {metrics}.").format(
            metrics=", ".join(METRICS[m].label for m in views.KEY_METRICS if m not in charted)))


def _both_headings(column: str, config) -> dict:
    """A column's config under its English heading and its heading in the session's language (whichever the grid
    uses)."""
    return {column: config, _(column): config}


def _text_width(frame, column: str) -> int | None:
    """Pixels for a pinned text column to show its longest value whole: the grid sizes a pinned column from its
    first rows and heading, and cut «Уровень обслуживания» to «Уровень обсл» (a pinned column cannot be widened by
    scrolling)."""
    if column not in frame.columns or frame.empty:
        return None
    longest = max(len(str(value)) for value in frame[column])
    return max(80, min(260, 8 * longest + 28))


def compliance_body(data: views.ComplianceView) -> None:
    """The Compliance page below its controls: the grid of months coloured by state, the status counts and the
    flagged months."""
    st.caption(_("Each cell is a month: {legend}; blank = before the channel's first month (not counted).")
               .format(legend=state_legend()))
    status_help = _("Misses ≤ n − k − 1: compliant; = n − k: at risk; more: breached. Insufficient history: the "
                    "channel's first month lies inside the window. Not measured: no counted month has a value (no "
                    "surveys on this channel, say).")
    column_config = {month: st.column_config.TextColumn(month_label(month, short=True), width="small")
                     for month in data.months}
    column_config.update({
        **_both_headings("Channel", st.column_config.TextColumn(_("Channel"), pinned=True)),
        **_both_headings("Metric", st.column_config.TextColumn(_("Metric"), pinned=True,
                                                               width=_text_width(data.grid, _("Metric")))),
        **_both_headings("Status", st.column_config.TextColumn(_("Status"), help=status_help)),
        **_both_headings("Met", st.column_config.TextColumn(
            _("Met"), help=_("Months met (or met within tolerance) of the months counted")))})
    st.dataframe(styled_states(data.grid, data.states, data.months), hide_index=True, placeholder=MISSING,
                 width="stretch", height=min(800, 40 + 35 * len(data.grid)), column_config=column_config)
    st.markdown(" ".join(f"{status_badge(status)} {count}" for status, count in data.status_counts))
    if data.marks_note:
        st.caption(data.marks_note)

    st.subheader(_("Flagged months"))
    if data.flagged.empty:
        st.success(_("No missed or no-data months in the window."))
    else:
        st.dataframe(data.flagged, hide_index=True, placeholder=MISSING, width="stretch")


_DRAWINGS = {draw.__name__: draw for draw in (overview_body, compliance_body)}
