"""Targets & settings: targets with history, industry benchmarks, channel and general settings, CSV import/export."""
import streamlit as st

from cxmetrics import CxError, ui
from cxmetrics.benchmarks import export_benchmarks_csv, import_benchmarks_text
from cxmetrics.config import get_settings, set_channels, set_settings
from cxmetrics.display import channel_name
from cxmetrics.i18n import LANGUAGES, _, ngettext
from cxmetrics.metrics import METRICS, TARGETED
from cxmetrics.schema import SL_FORMULA_TEXT, SL_FORMULAS
from cxmetrics.settings import SETTINGS
from cxmetrics.targets import export_targets, parse_targets_csv, replace_targets
from cxmetrics.views import save_targets_frame

ui.apply_language()
st.title(_("Targets & settings"))
store = ui.get_store()
locked = ui.read_only()
if locked:
    st.info(_("This is a read-only instance: targets and settings can be viewed, not changed."))

st.subheader(_("Targets"))
st.caption(_("A row for one channel, or for every channel (a channel's own row wins). Effective from is a month "
             "(YYYY-MM; empty: always): the row in force for a month is the latest one from that month or before. "
             "Tolerance widens the target by that share of it."))
targets = ui.view("targets_frame")
channel_options = ["*"] + list(dict.fromkeys(list(ui.view("channel_settings_frame")["channel"])
                                             + [c for c in targets["channel"] if c != "*"]))
edited = st.data_editor(
    targets, num_rows="fixed" if locked else "dynamic", disabled=locked or ["shown"], hide_index=True,
    placeholder=ui.MISSING,
    key="targets_editor", width="stretch",
    column_config={
        "channel": st.column_config.SelectboxColumn(_("Channel"), options=channel_options, required=True,
                                                    format_func=channel_name),
        "metric": st.column_config.SelectboxColumn(_("Metric"), options=list(TARGETED), required=True,
                                                   format_func=lambda m: METRICS[m].label),
        "target": st.column_config.NumberColumn(_("Target"), min_value=0.0, required=True,
                                                help=_("Percent for rates, seconds for times, contacts for volume")),
        "tolerance_pct": st.column_config.NumberColumn(_("Tolerance (%)"), min_value=0.0, default=0.0),
        "effective_from": st.column_config.TextColumn(_("Effective from"), help=_("YYYY-MM, empty = always")),
        "shown": st.column_config.TextColumn(_("Reads as"), help=_("The target as the pages show it, once saved"))})
if not locked and st.button(_("Save targets"), type="primary"):
    try:
        count = save_targets_frame(store, edited)
        st.success(_("Saved {count} targets.").format(count=count))
    except CxError as exc:
        st.error(str(exc))

left, right = st.columns(2)
right.download_button(_("Export targets CSV"), export_targets(store), file_name="targets.csv", mime="text/csv")
if not locked:
    upload = ui.file_uploader(_("Import targets CSV (replaces all targets)"), container=left, type=["csv"],
                              key="targets_csv")
    if upload is not None and left.button(_("Import these targets")):
        try:
            targets = parse_targets_csv(upload.getvalue().decode("utf-8-sig"), upload.name)
            replace_targets(store, targets)
            st.success(_("Imported {count} targets from {file}.").format(count=len(targets), file=upload.name))
        except (CxError, UnicodeDecodeError) as exc:
            st.error(str(exc))

st.subheader(_("Industry benchmarks"))
st.caption(_("Benchmarks are references, not targets: each is drawn as a grey dotted line on the trend charts and "
             "written beside the scorecard in the quarterly workbook, and no state, rule or alert uses it. They come "
             "with their source, year and scope; import a CSV (channel,metric,value,source,year,scope) to use your "
             "own peer group instead."))
benchmarks = ui.view("benchmarks_frame")
if benchmarks.empty:
    st.caption(_("No benchmarks: the trend charts show your figures and targets only."))
else:
    st.dataframe(benchmarks, hide_index=True, placeholder=ui.MISSING, width="stretch")
left, right = st.columns(2)
right.download_button(_("Export benchmarks CSV"), export_benchmarks_csv(store), file_name="benchmarks.csv",
                      mime="text/csv")
if not locked:
    upload = ui.file_uploader(_("Import benchmarks CSV (replaces all benchmarks)"), container=left, type=["csv"],
                              key="benchmarks_csv")
    if upload is not None and left.button(_("Import these benchmarks")):
        try:
            count = import_benchmarks_text(store, upload.getvalue().decode("utf-8-sig"), upload.name)
            st.success(ngettext("Imported {count} benchmark from {file}.", "Imported {count} benchmarks from {file}.",
                                count).format(count=count, file=upload.name))
        except (CxError, UnicodeDecodeError) as exc:
            st.error(str(exc))

st.subheader(_("Channel settings"))
channels = st.data_editor(
    ui.view("channel_settings_frame"), disabled=locked or ["channel", "sl_threshold_shown"], hide_index=True,
    placeholder=ui.MISSING,
    key="channel_editor", width="stretch",
    column_config={"channel": st.column_config.SelectboxColumn(_("Channel"), format_func=channel_name,
                                                               options=list(ui.view("channel_settings_frame")["channel"])),
                   "sl_threshold_s": st.column_config.NumberColumn(_("SL threshold (s)"), min_value=0.0),
                   "sl_threshold_shown": st.column_config.TextColumn(
                       _("Reads as"), help=_("The threshold as a time (h:mm:ss past an hour), once saved")),
                   "short_abandon_s": st.column_config.NumberColumn(_("Short abandon below (s)"), min_value=0.0),
                   "sl_formula": st.column_config.SelectboxColumn(_("SL formula"), options=list(SL_FORMULAS),
                                                                  format_func=lambda f: _(SL_FORMULA_TEXT[f]),
                                                                  width="large")})
if not locked and st.button(_("Save channel settings")):
    try:
        # one transaction: a bad row saves nothing; the time shown is only read
        set_channels(store, channels.drop(columns=["sl_threshold_shown"]).to_dict("records"))
        st.success(_("Channel settings saved."))
    except CxError as exc:
        st.error(str(exc))

st.subheader(_("General settings"))
current = get_settings(store)
with st.form("settings"):
    shown = [item for item in SETTINGS if item.on_page]
    values = {}
    for start in range(0, len(shown), 5):
        for column, item in zip(st.columns(5), shown[start:start + 5]):
            if item.kind == "language":  # a choice of the languages there are, each named in its own words
                codes = list(LANGUAGES)
                values[item.name] = column.selectbox(
                    item.label, codes, index=codes.index(current[item.name]) if current[item.name] in codes else 0,
                    format_func=LANGUAGES.get, help=item.help, disabled=locked, key=f"setting_{item.name}")
            else:
                values[item.name] = column.text_input(item.label, current[item.name], help=item.help,
                                                      disabled=locked, key=f"setting_{item.name}")
    if st.form_submit_button(_("Save settings"), disabled=locked):
        try:
            set_settings(store, values)
            st.success(_("Settings saved."))
        except CxError as exc:
            st.error(str(exc))
