"""Upload: detect, map, preview and import exports; import history with undo."""
import streamlit as st

from cxmetrics import CxError, ImportOptions, ui, views
from cxmetrics.display import channel_name, format_number, import_kind_word
from cxmetrics.errors import PAGE, text_for
from cxmetrics.i18n import DEFAULT_LANGUAGE, N_, _, current_language
from cxmetrics.ingest import (KINDS, PLATFORM_FORMATS, delete_import, detect_kind, import_bytes, list_imports,
                              list_presets, save_preset, status_outcome)
from cxmetrics.schema import (CHANNELS, GRAINS, ON_ERROR_LABELS, PERCENT_OF, STATUS_OUTCOMES,
                              UPLOAD_LABELS, column_label, field_label, fields_for)

ui.apply_language()

# Option values stay these English constants (widget state and comparisons); format_func shows them translated.
NOT_MAPPED = "— not mapped —"
FROM_FILE = "(from the file)"
DETECT = "(detect from the dates)"
NO_PRESET = "(none)"
GRAIN = "grain"  # the report's file details: an aggregated report's grain
CHOICE_WORDS = {NOT_MAPPED: N_("— not mapped —"), FROM_FILE: N_("(from the file)"),
                DETECT: N_("(detect from the dates)"), NO_PRESET: N_("(none)"),
                # the grains, percentage bases and status outcomes (codes) as the page words them
                "interval": N_("interval"), "day": N_("day"), "week": N_("week"), "month": N_("month"),
                "offered": N_("offered"), "answered": N_("answered"), "abandoned": N_("abandoned"),
                "skip": N_("skip"),
                # a dry run's outcome of each row
                "ok": N_("ok"), "skipped": N_("skipped"), "rejected": N_("rejected"), "duplicate": N_("duplicate"),
                # a contact's direction in the preview
                "inbound": N_("inbound"), "outbound": N_("outbound")}
# The import history's kind of each import, as the page words it
KIND_LABELS = {"contacts": N_("Contacts (one row per contact)"), "customers": N_("Customers (churn dates)"),
               "aggregated": N_("Aggregated report (one row per interval, day, week or month)"),
               "scores": N_("Survey scores (for contacts already imported)")}
# What detection found (FileInfo.describe keys), as the caption names it
DETAIL_LABELS = {"format": N_("format"), "encoding": N_("encoding"), "delimiter": N_("delimiter"),
                 "sheet": N_("sheet"), "header_row": N_("header row")}
# "Each row is one …" by the report's grain
GRAIN_CAPTIONS = {
    "interval": N_("Each row is one interval; the rows below are shown as they will be pooled (totals = mean × "
                   "answered, counts rebuilt from percentages marked)."),
    "day": N_("Each row is one day; the rows below are shown as they will be pooled (totals = mean × answered, "
              "counts rebuilt from percentages marked)."),
    "week": N_("Each row is one week; the rows below are shown as they will be pooled (totals = mean × answered, "
               "counts rebuilt from percentages marked)."),
    "month": N_("Each row is one month; the rows below are shown as they will be pooled (totals = mean × "
                "answered, counts rebuilt from percentages marked)."),
}


def _choice(value) -> str:
    """An option of a select box in the current language (a file's own column names as they are)."""
    return _(CHOICE_WORDS[value]) if value in CHOICE_WORDS else value


def _channel_choice(value) -> str:
    """A channel option: its slug in English (what --channel takes), its name in another language."""
    if value in CHOICE_WORDS:
        return _(CHOICE_WORDS[value])
    return value if current_language() == DEFAULT_LANGUAGE else channel_name(value)


def _widget(name: str) -> str:
    """The label of the Upload widget that sets an import control, in the current language."""
    return _(UPLOAD_LABELS[name])


def _preview(frame):
    """A dry run's rows with their grain and outcome in words of the current language."""
    if frame is None:
        return frame
    frame = frame.copy()
    for column in ("grain", "outcome", "direction"):
        if column in frame.columns:
            frame[column] = frame[column].map(lambda v: _choice(v) if isinstance(v, str) else v)
    if "channel" in frame.columns:  # the channel's name, not its slug (a new channel as written)
        frame["channel"] = frame["channel"].map(lambda v: channel_name(v) if isinstance(v, str) else v)
    return frame


def _labelled(table):
    """ui.labelled, with every heading in the current language."""
    frame = ui.labelled(table)
    return frame.rename(columns=lambda c: _(c) if isinstance(c, str) else c)


st.title(_("Upload"))
store = ui.get_store()
presets = {p["name"]: p for p in list_presets(store)}
# Any name is accepted: files are recognised by their content (a queue_log has no extension at all).
files = ui.file_uploader(_("Export files: CSV, TSV or TXT; Excel (XLSX, XLS, ODS); Asterisk queue_log; Amazon "
                           "Connect contact records (JSON)"), accept_multiple_files=True, key="uploads")


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
                chosen = st.multiselect(_("{label} (several columns are joined with ':')").format(
                                            label=_(field.label)), headers,
                                        default=[c for c in start.get(name, []) if c in headers],
                                        key=f"{key}-map-{kind}-{name}", help=_(field.description))
                if chosen:
                    mapping[name] = chosen
                continue
            current = start.get(name, [None])[0]
            options = [NOT_MAPPED] + headers
            picked = st.selectbox(_(field.label), options, index=options.index(current) if current in headers else 0,
                                  key=f"{key}-map-{kind}-{name}", help=_(field.description), format_func=_choice)
            if picked != NOT_MAPPED:
                mapping[name] = [picked]
    # Only the controls the kind reads: customers have no channel or source, survey scores no channel or dates
    shown = [w for w in ("channel", "date_format", "on_error", "source")
             if not (kind in ("customers", "scores") and w == "channel") and not (kind == "customers" and w == "source")
             and not (kind == "scores" and w == "date_format")]
    boxes = dict(zip(shown, st.columns(len(shown))))
    channel, date_format, source = FROM_FILE, "", ""
    if "channel" in boxes:
        channel_choices = [FROM_FILE] + list(CHANNELS)
        channel = boxes["channel"].selectbox(
            _widget("channel"), channel_choices, key=f"{key}-channel",
            index=channel_choices.index(base.channel) if base.channel in CHANNELS else 0,
            help=_("Used where the file has no channel column, or the cell is empty."), format_func=_channel_choice)
    if "date_format" in boxes:
        date_format = boxes["date_format"].text_input(_widget("date_format"), base.date_format or "",
                                                      key=f"{key}-datefmt",
                                                      help=_("strftime codes, e.g. %d/%m/%Y or %y%m%d; empty = detect"))
    on_error = boxes["on_error"].radio(
        _widget("on_error"), ["refuse", "quarantine"], key=f"{key}-onerror", horizontal=True,
        index=0 if base.on_error == "refuse" else 1, format_func=lambda m: _(ON_ERROR_LABELS[m]),
        help=_("refuse: import nothing if any row is invalid; quarantine: import the valid rows"))
    if "source" in boxes:
        source = boxes["source"].text_input(_widget("source"), base.source or "", key=f"{key}-source",
                                            help=_("Contact ids are unique per source; empty = default"))
    status_map = dict(base.status_map)
    skip_text = st.text_input(_widget("skip_rows"), "; ".join(f"{c} = {v}" for c, v in base.skip_rows),
                              key=f"{key}-skip", help=_("Column = value, several separated by ';' (e.g. Date = "
                                                        "Total): those rows are left out and counted as skipped."))
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
    shown = ", ".join(_("'{value}' ({n} rows)").format(value=value, n=format_number(n)) for value, n in examples)
    named = " + ".join(f"'{c}'" for c in columns)
    st.warning(_("{named}, proposed as the contact id, repeats: {repeated} values occur on more than one row "
                 "(e.g. {shown}), so those rows would be refused as duplicates. Either add a second column to "
                 "'{label}' so that together they are unique (e.g. the date and time, or a line number), or clear "
                 "'{label}' to import without ids (each row's id is then derived from its contents).")
               .format(named=named, repeated=format_number(repeated), shown=shown, label=field_label("contact_id")),
               icon=":material/content_copy:")


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
    grain = a.selectbox(_widget("grain"), grains, key=f"{key}-grain",
                        index=grains.index(base.grain) if base.grain in GRAINS else 0, format_func=_choice)
    options.grain = None if grain == DETECT else grain
    options.interval_minutes = int(b.number_input(_widget("interval_minutes"), 1, 1440,
                                                  int(base.interval_minutes), key=f"{key}-minutes"))
    threshold = c.number_input(_widget("sl_threshold"), 0.0, 604800.0, base.sl_threshold_s,
                               key=f"{key}-sl",
                               help=_("The threshold of the 'answered within' counts, when no column or header says "
                                      "it. Empty: read it from a header such as 'Service level (20 seconds)', else "
                                      "the channel's setting."))
    options.sl_threshold_s = threshold
    shares = [NOT_MAPPED] + list(PERCENT_OF)
    share = d.selectbox(_widget("percent_of"), shares, key=f"{key}-percent-of",
                        index=shares.index(base.percent_of) if base.percent_of in PERCENT_OF else 0,
                        format_func=_choice,
                        help=_("Needed when the report gives service level only as a percentage: the count of "
                               "contacts answered within the threshold is rebuilt from it, and marked as rebuilt."))
    options.percent_of = None if share == NOT_MAPPED else share
    options.allow_overlap = st.checkbox(_widget("allow_overlap"), key=f"{key}-overlap",
                                        help=_("Contact-level data and a report on the same channel and day would "
                                               "count the same contacts twice."))


def _problems_table(problems) -> None:
    rows = ({"row": p.row, "column": p.column, "value": p.value, "reason": text_for(p.reason, PAGE)} for p in problems)
    st.dataframe(_labelled(rows), hide_index=True, placeholder=ui.MISSING, width="stretch")


def _report(report) -> None:
    counts = st.columns(5)
    for column, name in zip(counts, ("rows_read", "rows_imported", "rows_replaced", "rows_skipped", "rows_rejected")):
        column.metric(column_label(name), format_number(getattr(report, name)))
    for warning in report.warnings:
        st.warning(text_for(warning, PAGE))
    for slug, count in report.new_channels.items():
        st.info(_("New channel '{slug}': {count} contacts (not one of the standard channels).")
                .format(slug=slug, count=format_number(count)))
    if report.problems:
        _problems_table(report.problems)
    if report.rows_rejected:
        st.download_button(_("Download the quarantined rows (CSV)"), views.quarantine_download(store, report.import_id),
                           file_name=f"quarantine_{report.import_id}.csv", mime="text/csv",
                           key=f"dl-{report.import_id}")


for index, upload in enumerate(files or []):
    key = f"f{index}-{upload.file_id}"
    with st.expander(upload.name, expanded=True):
        preset_name = st.selectbox(_widget("preset"), [NO_PRESET] + list(presets), key=f"{key}-preset",
                                   format_func=_choice)
        preset = presets.get(preset_name)
        data = upload.getvalue()
        sheet = None
        try:
            info, _proposed = ui.upload_view("inspect", upload, kind="contacts", sheet=None)
            sheets, wanted = [info.sheet] + info.other_sheets, (preset or {}).get("sheet")
            if wanted and info.sheet and wanted not in sheets:
                st.warning(_("The preset reads sheet {wanted!r}, which this workbook does not have: sheet {sheet!r} "
                             "is read.").format(wanted=wanted, sheet=info.sheet))
            if info.other_sheets:  # a workbook of several sheets: the one detected (or the preset's) first
                sheet = st.selectbox(_widget("sheet"), sheets, key=f"{key}-{preset_name}-sheet",
                                     index=sheets.index(wanted) if wanted in sheets else 0)
                if sheet != info.sheet:
                    info, _proposed = ui.upload_view("inspect", upload, kind="contacts", sheet=sheet)
        except CxError as exc:
            st.error(exc.text_for(PAGE))
            continue
        if info.file_format in PLATFORM_FORMATS:  # spec §1c: read natively, nothing to map
            st.info(_("Recognised as {format}: read natively, no column mapping needed. Lines that carry no contact "
                      "are skipped and counted below.").format(format=info.file_format), icon=":material/verified:")
            options = ImportOptions()
        else:
            detected = (preset or {}).get("kind") or detect_kind(info.headers)
            kind = st.radio(_widget("kind"), list(KINDS), horizontal=True, key=f"{key}-{preset_name}-kind",
                            index=list(KINDS).index(detected), format_func=lambda k: _(KIND_LABELS[k]))
            if detected == "aggregated" and not preset:
                st.info(_("This looks like an aggregated report: count and average columns, and no contact id. "
                          "Each row is pooled into the period it covers."))
            if kind == "scores":
                st.info(_("Survey scores are added to the contacts already imported with the same contact id (and "
                          "source); each keeps its other values. A row whose id matches no stored contact is "
                          "refused, or set aside in quarantine."))
            info, proposed = ui.upload_view("inspect", upload, kind=kind, sheet=sheet)
            st.caption(_("Detected: {details}").format(details=", ".join(
                f"{_(DETAIL_LABELS[k]) if k in DETAIL_LABELS else k.replace('_', ' ')} {v}"
                for k, v in info.describe().items() if v is not None)))
            # Widget keys carry the preset, so picking a preset resets the editor to its mapping.
            options = _options_for(f"{key}-{preset_name}", info.headers, proposed, preset, kind)
            options.sheet = info.sheet
            if kind == "contacts" and "contact_id" in options.mapping:
                _warn_repeated_ids(upload, options.mapping["contact_id"], info.sheet)
            if "status" in options.mapping:
                values = ui.upload_view("values", upload, column=options.mapping["status"][0], sheet=info.sheet)
                st.markdown(_("**Status values** — how each counts (answered, abandoned, or skip: left out):"))
                edited = st.data_editor(
                    [{"value": v, "rows": n, "counts as": status_outcome(v, options.status_map)}
                     for v, n in values],
                    key=f"{key}-{preset_name}-status", hide_index=True, placeholder=ui.MISSING,
                    disabled=["value", "rows"], width="stretch",
                    column_config={"value": st.column_config.TextColumn(_("value")),
                                   "rows": st.column_config.NumberColumn(_("rows")),
                                   "counts as": st.column_config.SelectboxColumn(
                                       _("counts as"), options=list(STATUS_OUTCOMES), format_func=_choice)})
                options.status_map = {r["value"]: r["counts as"] for r in edited
                                      if r["counts as"] and r["counts as"] != status_outcome(r["value"])}
                unmapped = [r["value"] for r in edited if not r["counts as"]]
                if unmapped:
                    st.warning(_("Say how these status values count before importing: {values}")
                               .format(values=", ".join(unmapped)))
        try:
            report = ui.upload_view("preview", upload, options=_preset_options(options))
        except CxError as exc:
            st.error(exc.text_for(PAGE))
            report = None
        if report is not None:
            if report.kind == "aggregated":
                if report.file.get(GRAIN) in GRAIN_CAPTIONS:
                    st.caption(_(GRAIN_CAPTIONS[report.file[GRAIN]]))
            for note in report.warnings:  # e.g. no column says a contact was answered: seen before importing
                st.caption("• " + text_for(note, PAGE))
            st.markdown(_("**First rows as they will be imported** ({n} previewed)").format(n=report.rows_read))
            st.dataframe(_labelled(_preview(report.preview)), hide_index=True, placeholder=ui.MISSING, width="stretch")
            if report.problems:
                st.warning(_("{n} problems in these rows:").format(n=report.problem_count))
                _problems_table(report.problems)
        if info.file_format not in PLATFORM_FORMATS:  # a platform export has no mapping to save
            save_left, save_right = st.columns([3, 1])
            preset_to_save = save_left.text_input(_widget("save_preset"), key=f"{key}-save-name")
            if save_right.button(_("Save preset"), key=f"{key}-save", disabled=not preset_to_save):
                save_preset(store, preset_to_save, options)
                st.success(_("Preset '{name}' saved.").format(name=preset_to_save))
        if st.button(_("Import {file}").format(file=upload.name), type="primary", key=f"{key}-import"):
            bar = st.progress(0.0, text=_("Starting"))
            try:
                result = import_bytes(store, data, upload.name, options,
                                      progress=lambda fraction, message: bar.progress(fraction, text=message))
                st.session_state[f"{key}-report"] = result
            except CxError as exc:
                bar.empty()
                st.error(exc.text_for(PAGE))
        if f"{key}-report" in st.session_state:
            result = st.session_state[f"{key}-report"]
            st.success(_("Imported {file} as import #{import_id}.").format(file=result.file_name,
                                                                            import_id=result.import_id))
            _report(result)

st.subheader(_("Import history"))
history = list_imports(store)
if not history:
    st.caption(_("Nothing imported yet."))
else:
    # to the minute, and the counts narrow: every column fits beside the file's name (the last one was cut off)
    shown = [{**r, "kind": import_kind_word(r["kind"]), "imported_at": r["imported_at"][:16]}
             for r in history]
    counts = {column_label(c): st.column_config.NumberColumn(column_label(c), width=88)
              for c in ("rows_read", "rows_imported", "rows_replaced", "rows_skipped", "rows_rejected")}
    counts[column_label("import_id")] = st.column_config.NumberColumn(column_label("import_id"), width="small")
    st.dataframe(_labelled(shown), hide_index=True, placeholder=ui.MISSING, width="stretch", column_config=counts)
    left, right = st.columns([2, 1])
    # the newest first: the import one usually takes back is the one just made
    chosen = left.selectbox(_("Import to delete"), [r["import_id"] for r in reversed(history)],
                            format_func=lambda i: next(f"#{r['import_id']} {r['file_name']}" for r in history
                                                       if r["import_id"] == i), key="delete_choice")
    if "delete_done" in st.session_state:
        done, removed, restored = st.session_state.pop("delete_done")
        st.success(_("Deleted import #{import_id}: {removed} rows removed, {restored} restored.")
                   .format(import_id=done, removed=format_number(removed), restored=format_number(restored)))
    if right.button(_("Remove import…"), key="delete_ask"):
        st.session_state["delete_pending"] = chosen
    pending = st.session_state.get("delete_pending")
    if pending is not None:
        st.warning(_("Remove import #{import_id}? Its rows are removed and the rows it replaced are restored.")
                   .format(import_id=pending))
        yes, no = st.columns(2)
        if yes.button(_("Yes, remove it"), type="primary", key="delete_yes"):
            result = delete_import(store, pending)
            st.session_state.pop("delete_pending")
            # said after the rerun that redraws the history without it (a message before it would vanish at once)
            st.session_state["delete_done"] = (pending, result["removed"], result["restored"])
            st.rerun()
        if no.button(_("Cancel"), key="delete_no"):
            st.session_state.pop("delete_pending")
            st.rerun()
