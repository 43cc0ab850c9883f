"""Upload: detect, map, preview and import exports; import history with undo."""
import streamlit as st

from cxmetrics import CxError, ImportOptions, ui
from cxmetrics.display import safe_csv_text
from cxmetrics.errors import PAGE, text_for
from cxmetrics.ingest import (KINDS, PLATFORM_FORMATS, delete_import, detect_kind, import_bytes, list_imports,
                              list_presets, quarantined_rows, save_preset, status_outcome)
from cxmetrics.schema import (CHANNELS, FIELD_LABELS, GRAINS, PERCENT_OF, QUARANTINE_COLUMNS, STATUS_OUTCOMES,
                              UPLOAD_LABELS, fields_for)

NOT_MAPPED = "— not mapped —"
FROM_FILE = "(from the file)"
DETECT = "(detect from the dates)"
KIND_LABELS = {"contacts": "Contacts (one row per contact)", "customers": "Customers (churn dates)",
               "aggregated": "Aggregated report (one row per interval, day, week or month)"}

st.title("Upload")
store = ui.get_store()
presets = {p["name"]: p for p in list_presets(store)}
# Any name is accepted: files are recognised by their content (a queue_log has no extension at all).
files = st.file_uploader("Export files: CSV, TSV or TXT; Excel (XLSX, XLS, ODS); Asterisk queue_log; Amazon Connect "
                         "contact records (JSON)", accept_multiple_files=True, key="uploads")


def _preset_options(options: ImportOptions) -> dict:
    return {k: getattr(options, k) for k in ImportOptions.PRESET_KEYS}


def _options_for(key: str, headers: list[str], proposed: dict, preset: dict | None, kind: str) -> ImportOptions:
    """The mapping editor: one select box per canonical field, plus channel, date format and status map."""
    base = ImportOptions(**{k: v for k, v in (preset or {}).items() if k in ImportOptions.PRESET_KEYS})
    start = {**proposed, **base.mapping} if preset else proposed
    fields = fields_for(kind)
    mapping: dict[str, list[str]] = {}
    columns = st.columns(4)
    for i, (name, field) in enumerate(fields.items()):
        with columns[i % 4]:
            if name == "contact_id":
                chosen = st.multiselect(f"{field.label} (several columns are joined with ':')", headers,
                                        default=[c for c in start.get(name, []) if c in headers],
                                        key=f"{key}-map-{kind}-{name}", help=field.description)
                if chosen:
                    mapping[name] = chosen
                continue
            current = start.get(name, [None])[0]
            options = [NOT_MAPPED] + headers
            picked = st.selectbox(field.label, options, index=options.index(current) if current in headers else 0,
                                  key=f"{key}-map-{kind}-{name}", help=field.description)
            if picked != NOT_MAPPED:
                mapping[name] = [picked]
    a, b, c, d = st.columns(4)
    channel_choices = [FROM_FILE] + list(CHANNELS)
    channel = a.selectbox(UPLOAD_LABELS["channel"], channel_choices, key=f"{key}-channel",
                          index=channel_choices.index(base.channel) if base.channel in CHANNELS else 0,
                          help="Used where the file has no channel column, or the cell is empty.")
    date_format = b.text_input(UPLOAD_LABELS["date_format"], base.date_format or "", key=f"{key}-datefmt",
                               help="strftime codes, e.g. %d/%m/%Y or %y%m%d; empty = detect")
    on_error = c.radio(UPLOAD_LABELS["on_error"], ["refuse", "quarantine"], key=f"{key}-onerror", horizontal=True,
                       index=0 if base.on_error == "refuse" else 1,
                       help="refuse: import nothing if any row is invalid; quarantine: import the valid rows")
    source = d.text_input(UPLOAD_LABELS["source"], base.source or "", key=f"{key}-source",
                          help="Contact ids are unique per source; empty = default")
    status_map = dict(base.status_map)
    skip_text = st.text_input(UPLOAD_LABELS["skip_rows"], "; ".join(f"{c} = {v}" for c, v in base.skip_rows),
                              key=f"{key}-skip", help="Column = value, several separated by ';' (e.g. Date = Total): "
                                                      "those rows are left out and counted as skipped.")
    options = ImportOptions(kind=kind, mapping=mapping, channel=None if channel == FROM_FILE else channel,
                            date_format=date_format or None, status_map=status_map, on_error=on_error,
                            source=source or None, auto_map=False, skip_rows=_skip_pairs(skip_text))
    if kind == "aggregated":
        _report_controls(key, base, options, headers)
    return options


def _warn_repeated_ids(upload, columns: list[str], sheet: str | None) -> None:
    """Before the import: say when the proposed contact id repeats over the whole file, and the two remedies."""
    repeated, examples = ui.upload_view("repeats", upload, columns=columns, sheet=sheet)
    if not repeated:
        return
    shown = ", ".join(f"'{value}' ({n} rows)" for value, n in examples)
    named = " + ".join(f"'{c}'" for c in columns)
    st.warning(f"{named}, proposed as the contact id, repeats: {repeated:,} values occur on more than one row "
               f"(e.g. {shown}), so those rows would be refused as duplicates. Either add a second column to "
               f"'{FIELD_LABELS['contact_id']}' so that together they are unique (e.g. the date and time, or a "
               f"line number), or clear '{FIELD_LABELS['contact_id']}' to import without ids (each row's id is "
               "then derived from its contents).", icon=":material/content_copy:")


def _skip_pairs(text: str) -> list[tuple[str, str]]:
    pairs = []
    for part in text.split(";"):
        if "=" in part:
            column, value = part.split("=", 1)
            pairs.append((column.strip(), value.strip()))
    return pairs


def _report_controls(key: str, base: ImportOptions, options: ImportOptions, headers: list[str]) -> None:
    """What an aggregated report's rows are: their grain, interval length, threshold and percentage base."""
    a, b, c, d = st.columns(4)
    grains = [DETECT] + list(GRAINS)
    grain = a.selectbox(UPLOAD_LABELS["grain"], grains, key=f"{key}-grain",
                        index=grains.index(base.grain) if base.grain in GRAINS else 0)
    options.grain = None if grain == DETECT else grain
    options.interval_minutes = int(b.number_input(UPLOAD_LABELS["interval_minutes"], 1, 1440,
                                                  int(base.interval_minutes), key=f"{key}-minutes"))
    threshold = c.number_input(UPLOAD_LABELS["sl_threshold"], 0.0, 604800.0, base.sl_threshold_s, key=f"{key}-sl",
                               help="The threshold of the 'answered within' counts, when no column or header says "
                                    "it. Empty: read it from a header such as 'Service level (20 seconds)', else the "
                                    "channel's setting.")
    options.sl_threshold_s = threshold
    shares = [NOT_MAPPED] + list(PERCENT_OF)
    share = d.selectbox(UPLOAD_LABELS["percent_of"], shares, key=f"{key}-percent-of",
                        index=shares.index(base.percent_of) if base.percent_of in PERCENT_OF else 0,
                        help="Needed when the report gives service level only as a percentage: the count of "
                             "contacts answered within the threshold is rebuilt from it, and marked as rebuilt.")
    options.percent_of = None if share == NOT_MAPPED else share
    options.allow_overlap = st.checkbox(UPLOAD_LABELS["allow_overlap"], key=f"{key}-overlap",
                                        help="Contact-level data and a report on the same channel and day would "
                                             "count the same contacts twice.")


def _problems_table(problems) -> None:
    rows = ({"row": p.row, "column": p.column, "value": p.value, "reason": text_for(p.reason, PAGE)} for p in problems)
    st.dataframe(ui.labelled(rows), hide_index=True, width="stretch")


def _report(report) -> None:
    counts = st.columns(5)
    for column, (label, value) in zip(counts, [("Read", report.rows_read), ("Imported", report.rows_imported),
                                               ("Replaced", report.rows_replaced), ("Skipped", report.rows_skipped),
                                               ("Rejected", report.rows_rejected)]):
        column.metric(label, f"{value:,}")
    for warning in report.warnings:
        st.warning(text_for(warning, PAGE))
    for slug, count in report.new_channels.items():
        st.info(f"New channel '{slug}': {count:,} contacts (not one of the standard channels).")
    if report.problems:
        _problems_table(report.problems)
    if report.rows_rejected:
        rows = quarantined_rows(store, report.import_id)
        header = list(QUARANTINE_COLUMNS)
        st.download_button("Download the quarantined rows (CSV)",
                           safe_csv_text(header, ([r[h] for h in header] for r in rows)),
                           file_name=f"quarantine_{report.import_id}.csv", mime="text/csv",
                           key=f"dl-{report.import_id}")


for index, upload in enumerate(files or []):
    key = f"f{index}-{upload.file_id}"
    with st.expander(upload.name, expanded=True):
        preset_name = st.selectbox(UPLOAD_LABELS["preset"], ["(none)"] + list(presets), key=f"{key}-preset")
        preset = presets.get(preset_name)
        data = upload.getvalue()
        try:
            info, _ = ui.upload_view("inspect", upload, kind="contacts", sheet=(preset or {}).get("sheet"))
        except CxError as exc:
            st.error(exc.text_for(PAGE))
            continue
        if info.file_format in PLATFORM_FORMATS:  # spec §1c: read natively, nothing to map
            st.info(f"Recognised as {info.file_format}: read natively, no column mapping needed. Lines that carry "
                    "no contact are skipped and counted below.", icon=":material/verified:")
            options = ImportOptions()
        else:
            detected = (preset or {}).get("kind") or detect_kind(info.headers)
            kind = st.radio(UPLOAD_LABELS["kind"], list(KINDS), horizontal=True, key=f"{key}-{preset_name}-kind",
                            index=list(KINDS).index(detected), format_func=KIND_LABELS.get)
            if detected == "aggregated" and not preset:
                st.info("This looks like an aggregated report: count and average columns, and no contact id. "
                        "Each row is pooled into the period it covers.")
            info, proposed = ui.upload_view("inspect", upload, kind=kind, sheet=(preset or {}).get("sheet"))
            st.caption("Detected: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in info.describe().items()
                                                if v is not None))
            # Widget keys carry the preset, so picking a preset resets the editor to its mapping.
            options = _options_for(f"{key}-{preset_name}", info.headers, proposed, preset, kind)
            options.sheet = info.sheet
            if kind == "contacts" and "contact_id" in options.mapping:
                _warn_repeated_ids(upload, options.mapping["contact_id"], info.sheet)
            if "status" in options.mapping:
                values = ui.upload_view("values", upload, column=options.mapping["status"][0], sheet=info.sheet)
                st.markdown("**Status values** — how each counts (answered, abandoned, or skip: left out):")
                edited = st.data_editor(
                    [{"value": v, "rows": n, "counts as": status_outcome(v, options.status_map)}
                     for v, n in values],
                    key=f"{key}-{preset_name}-status", hide_index=True, disabled=["value", "rows"], width="stretch",
                    column_config={"counts as": st.column_config.SelectboxColumn(options=list(STATUS_OUTCOMES))})
                options.status_map = {r["value"]: r["counts as"] for r in edited
                                      if r["counts as"] and r["counts as"] != status_outcome(r["value"])}
                unmapped = [r["value"] for r in edited if not r["counts as"]]
                if unmapped:
                    st.warning("Say how these status values count before importing: " + ", ".join(unmapped))
        try:
            report = ui.upload_view("preview", upload, options=_preset_options(options))
        except CxError as exc:
            st.error(exc.text_for(PAGE))
            report = None
        if report is not None:
            if report.kind == "aggregated":
                st.caption(f"Each row is one {report.file.get('grain')}; the rows below are shown as they will "
                           "be pooled (totals = mean × answered, counts rebuilt from percentages marked).")
            if report.kind == "aggregated" or info.file_format in PLATFORM_FORMATS:
                for note in report.warnings:
                    st.caption("• " + text_for(note, PAGE))
            st.markdown(f"**First rows as they will be imported** ({report.rows_read} previewed)")
            st.dataframe(ui.labelled(report.preview), hide_index=True, width="stretch")
            if report.problems:
                st.warning(f"{report.problem_count} problems in these rows:")
                _problems_table(report.problems)
        if info.file_format not in PLATFORM_FORMATS:  # a platform export has no mapping to save
            save_left, save_right = st.columns([3, 1])
            preset_to_save = save_left.text_input(UPLOAD_LABELS["save_preset"], key=f"{key}-save-name")
            if save_right.button("Save preset", key=f"{key}-save", disabled=not preset_to_save):
                save_preset(store, preset_to_save, options)
                st.success(f"Preset '{preset_to_save}' saved.")
        if st.button(f"Import {upload.name}", type="primary", key=f"{key}-import"):
            bar = st.progress(0.0, text="Starting")
            try:
                result = import_bytes(store, data, upload.name, options,
                                      progress=lambda fraction, message: bar.progress(fraction, text=message))
                st.session_state[f"{key}-report"] = result
            except CxError as exc:
                bar.empty()
                st.error(exc.text_for(PAGE))
        if f"{key}-report" in st.session_state:
            result = st.session_state[f"{key}-report"]
            st.success(f"Imported {result.file_name} as import #{result.import_id}.")
            _report(result)

st.subheader("Import history")
history = list_imports(store)
if not history:
    st.caption("Nothing imported yet.")
else:
    st.dataframe(ui.labelled(history), hide_index=True, width="stretch")
    left, right = st.columns([2, 1])
    chosen = left.selectbox("Import to delete", [r["import_id"] for r in history],
                            format_func=lambda i: next(f"#{r['import_id']} {r['file_name']}" for r in history
                                                       if r["import_id"] == i), key="delete_choice")
    if right.button("Remove import…", key="delete_ask"):
        st.session_state["delete_pending"] = chosen
    pending = st.session_state.get("delete_pending")
    if pending is not None:
        st.warning(f"Remove import #{pending}? Its rows are removed and the rows it replaced are restored.")
        yes, no = st.columns(2)
        if yes.button("Yes, remove it", type="primary", key="delete_yes"):
            result = delete_import(store, pending)
            st.session_state.pop("delete_pending")
            st.success(f"Deleted import #{pending}: {result['removed']:,} rows removed, "
                       f"{result['restored']:,} restored.")
            st.rerun()
        if no.button("Cancel", key="delete_no"):
            st.session_state.pop("delete_pending")
            st.rerun()
