"""The import as a sequence of named steps: read and stage, map, plan and parse, derive, validate, load.

Also the entry points for uploads (bytes) and the Upload page's detection-only helpers.
"""
from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from ..errors import ImportRefused, RowProblem, UsageError
from ..i18n import N_, _
from ..messages import ControlRef, FieldRef, Message
from ..measures import ensure_built
from ..schema import fields_for
from ..storage import Store, TempTables, quote_ident, sha256_of
from . import read
from .aggregated import import_aggregated
from .derive import ANSWER_FIELDS, derive_contact_values, load_channel_words, load_status_words, parse_contact_rows
from .history import refuse_if_imported
from .load import (VALID_ROWS, crash_point, load_contacts, load_customers, load_scores, preview_contacts,
                   preview_customers, preview_scores)
from .mapping import resolve_mapping
from .platforms import platform_info, recognise
from .options import DEFAULT_SOURCE, ImportOptions, ProgressFn, check_options
from .plan import create_parsed_rows, plan_fields
from .presets import merge_preset, save_preset
from .report import ImportReport, ignored_columns
from .stage import ImportJob, stage_file, upload_file
from .validate import (Findings, add_contact_rules, add_customer_rules, add_score_rules, collect_problems,
                       mark_live_and_duplicates, refuse_invalid_rows, refuse_replacing_outcomes, require_contact_time_and_channel,
                       require_customer_id, require_scores, skipped_rows_sql, with_other_sheets)


def import_file(store: Store, path: str | os.PathLike, options: ImportOptions | None = None,
                progress: ProgressFn | None = None) -> ImportReport:
    """Import one file. Raises ImportRefused (store unchanged) or AlreadyImported."""
    options = merge_preset(store, options or ImportOptions())
    path = Path(path)
    display = options.file_name or path.name
    progress = progress or (lambda fraction, message: None)
    check_options(options)
    if not path.exists():
        raise UsageError(_("{file}: no such file").format(file=display))
    tz = options.timezone or store.settings()["timezone"]
    _check_time_zone(store, tz)

    ensure_built(store, lambda message: progress(0.01, message))
    progress(0.02, _("checking whether the file was imported before"))
    sha = sha256_of(path)
    if not options.force and not options.preview_rows:
        refuse_if_imported(store, sha, display)
    read.check_size(path, display, float(store.settings()["max_upload_mb"]))
    crash_point("reading")
    progress(0.05, _("reading the file"))
    with store.temp_tables() as temps:
        job = _staged_job(store, temps, path, display, options, tz, sha, progress)
        importers = {"contacts": _import_contacts, "customers": _import_customers, "aggregated": import_aggregated,
                     "scores": _import_scores}
        report = importers[options.kind](job)
    if options.save_preset and not options.preview_rows:
        save_preset(store, options.save_preset, options)
    progress(1.0, _("done"))
    return report


def _check_time_zone(store: Store, tz: str) -> None:
    if not store.is_time_zone(tz):
        raise UsageError(Message("unknown time zone {tz!r}: give an IANA name such as Europe/Berlin or UTC "
                                 "{timezone}", tz=tz, timezone=ControlRef("timezone")))


def _staged_job(store: Store, temps: TempTables, path: Path, display: str, options: ImportOptions, tz: str,
                sha: str, progress: ProgressFn) -> ImportJob:
    """Read and stage the file, refuse it when it has no data rows, and resolve its mapping."""
    info, stage = stage_file(store, temps, path, display, options.sheet, options.preview_rows)
    rows_read = int(store.scalar(f"SELECT count(*) FROM {stage}"))
    if options.sheet is None and info.other_sheets:
        if rows_read and _gives_key(info.headers, options):
            info.warnings.append(_other_sheets_not_read(info))
        else:  # a cover or notes sheet first: read the first other sheet whose header gives the key, if one does
            info, stage, rows_read = _sheet_giving_key(store, temps, path, options, info, stage, rows_read)
    if rows_read == 0:
        raise ImportRefused(with_other_sheets(Message("{file}: the file has a header but no data rows. Export a "
                                                      "period that has contacts.", file=display), info),
                            [RowProblem(display, info.header_row, None, None, Message("no data rows"))])
    progress(0.35, _("parsing and validating values"))
    mapping = resolve_mapping(info.headers, options, display)
    return ImportJob(store, temps, stage, info, options, mapping, tz, options.source or DEFAULT_SOURCE, sha,
                     rows_read, progress)


def _sheet_giving_key(store: Store, temps: TempTables, path: Path, options: ImportOptions, first: read.FileInfo,
                      first_stage, first_rows: int):
    """(info, stage, rows) of the first of the other sheets with rows and a header giving the kind's key field,
    with a warning saying so; else the first sheet's (its refusal then names the other sheets)."""
    for name in first.other_sheets:
        try:
            info, stage = stage_file(store, temps, path, first.file_name, name, options.preview_rows)
        except ImportRefused:
            continue
        rows = int(store.scalar(f"SELECT count(*) FROM {stage}"))
        if rows and _gives_key(info.headers, options):
            info.warnings.append(_read_other_sheet(first.file_name, first.sheet, info.sheet, options.kind))
            return info, stage, rows
    return first, first_stage, first_rows


# The field a sheet's header must give for the sheet to hold the kind's rows (either of them)
_KEY_FIELDS = {"contacts": ("queued_at", "queued_date"), "customers": ("customer_id",),
               "aggregated": ("period_start", "period_date")}


def _gives_key(headers: list[str], options: ImportOptions) -> bool:
    """Whether a sheet with these headers maps (automatically or by the user's --map) a key field of the kind."""
    try:
        mapping = resolve_mapping(headers, options, "")
    except (UsageError, ImportRefused):  # e.g. --map names a column this sheet does not have
        return False
    return any(f in mapping for f in _KEY_FIELDS[options.kind])


def _read_other_sheet(display: str, first: str | None, chosen: str | None, kind: str) -> Message:
    return Message("{file}: sheet {first!r} has no {field} column (or no rows), so sheet {sheet!r} was read. To "
                   "read another sheet, choose it {control}.", file=display, first=first, sheet=chosen,
                   field=FieldRef(_KEY_FIELDS[kind][0]), control=ControlRef("sheet"))


def _other_sheets_not_read(info: read.FileInfo) -> Message:
    """Nothing is left out unsaid: a workbook's sheets besides the one read (months on sheets of their own)."""
    return Message("{file}: sheet {sheet!r} was read; the workbook also has {sheets}, not read. To import one of them, "
                   "choose it {control}.", file=info.file_name, sheet=info.sheet,
                   sheets=", ".join(map(repr, info.other_sheets)), control=ControlRef("sheet"))


def _import_contacts(job: ImportJob) -> ImportReport:
    """Contacts: plan and parse the fields, derive the record, validate, then load (or show, in a dry run)."""
    require_contact_time_and_channel(job)
    plan = plan_fields(job, fields_for("contacts"))
    warnings = list(job.info.warnings)
    skipped = skipped_rows_sql(job, warnings)
    plan.raw.append(f"{skipped} AS skipped_by_rule")
    parse_contact_rows(job, plan, warnings)
    job.progress(0.5, _("checking values"))
    unknown_statuses = load_status_words(job, skipped)
    derive_contact_values(job, plan, load_channel_words(job))
    add_contact_rules(plan, job.mapping)
    mark_live_and_duplicates(job)
    findings = collect_problems(job, plan)
    refuse_invalid_rows(job, findings, N_("Fix them in the file, or import the valid rows {quarantine} (the "
                                          "invalid rows are kept in quarantine with their reasons)."))
    refuse_replacing_outcomes(job)
    crash_point("parsed")
    job.progress(0.65, _("writing to the store"))
    report = _contact_report(job, findings, warnings)
    report.unknown_statuses = unknown_statuses
    if job.preview:
        report.preview = preview_contacts(job)
    else:
        load_contacts(job, report)
    return report


def _contact_report(job: ImportJob, findings: Findings, warnings: list) -> ImportReport:
    """The report before loading: counts, problems, new channels, unidentified customers, warnings."""
    store, mapping = job.store, job.mapping
    unknown_customers = 0
    if "customer_id" in mapping:
        unknown_customers = int(store.scalar(
            "SELECT count(*) FROM parsed_rows WHERE live AND customer_id IS NOT NULL AND customer_d IS NULL"))
    new_channels = dict(store.fetchall(
        f"SELECT channel_d, count(*) FROM parsed_rows WHERE {VALID_ROWS} AND channel_is_new AND channel_d IS NOT NULL "
        "GROUP BY 1 ORDER BY 1"))
    identical = store.fetchall("SELECT file_row, first_identical_row FROM parsed_rows WHERE repeats_row ORDER BY 1")
    for file_row, first in identical[:20]:
        warnings.append(Message("{file}, row {row}: identical in every column to row {first}, and the file has no "
                                "contact id: counted once, this row left out as a duplicate",
                                file=job.display, row=file_row, first=first))
    if len(identical) > 20:
        warnings.append(Message("{file}: {n} more rows identical to an earlier one, left out as duplicates",
                                file=job.display, n=len(identical) - 20))
    report = ImportReport(None, job.display, "contacts", job.source, job.info.describe(), mapping,
                          rows_read=job.rows_read,
                          rows_skipped=int(store.scalar("SELECT count(*) FROM parsed_rows WHERE NOT live")),
                          rows_rejected=findings.rejected, problems=findings.problems, problem_count=findings.total,
                          warnings=warnings, new_channels=new_channels,
                          ignored_columns=ignored_columns(job.info.headers, mapping),
                          unknown_customer_ids=unknown_customers, headers=list(job.info.headers))
    if not any(f in mapping for f in ANSWER_FIELDS):
        report.warnings.append(Message(
            "no column says whether a contact was answered ({answered}, {status}, {answered_at} or a handle time): "
            "every contact counts as not answered, so abandonment shows 100 %. Map the column that says it: a status "
            "{map_status} (say how each value counts {status_map}), a yes/no column {map_answered} or the time "
            "answered {map_answered_at}.", answered=FieldRef("answered"), status=FieldRef("status"),
            answered_at=FieldRef("answered_at"), map_status=ControlRef("map", field="status"),
            status_map=ControlRef("status_map"), map_answered=ControlRef("map", field="answered"),
            map_answered_at=ControlRef("map", field="answered_at")))
    return report


def _import_customers(job: ImportJob) -> ImportReport:
    """Customers: plan and parse the fields, validate, then load (or show, in a dry run)."""
    require_customer_id(job)
    plan = plan_fields(job, fields_for("customers"))
    if "churned_on" not in job.mapping:
        plan.select.append("CAST(NULL AS DATE) AS churned_on")
    plan.select.append("TRUE AS live")  # customers have no status to skip them by
    create_parsed_rows(job, plan)
    add_customer_rules(job, plan)
    findings = collect_problems(job, plan)
    refuse_invalid_rows(job, findings, N_("Fix them, or import the valid rows {quarantine}."))
    report = ImportReport(None, job.display, "customers", job.source, job.info.describe(), job.mapping,
                          rows_read=job.rows_read, rows_rejected=findings.rejected, problems=findings.problems,
                          problem_count=findings.total, warnings=list(job.info.warnings),
                          ignored_columns=ignored_columns(job.info.headers, job.mapping),
                          headers=list(job.info.headers))
    _warn_no_customer_matches(job, report)
    if job.preview:
        report.preview = preview_customers(job)
    else:
        load_customers(job, report)
    return report


def _import_scores(job: ImportJob) -> ImportReport:
    """Survey scores for stored contacts: matched on (source, contact id), each stored contact keeps every other
    value and takes the file's scores where the file gives one; an id matching no stored contact is a problem."""
    require_scores(job)
    plan = plan_fields(job, fields_for("scores"))
    warnings = list(job.info.warnings)
    plan.raw.append(f"{skipped_rows_sql(job, warnings)} AS skipped_by_rule")
    plan.select.append("NOT skipped_by_rule AS live")
    create_parsed_rows(job, plan)
    add_score_rules(job, plan)
    findings = collect_problems(job, plan)
    refuse_invalid_rows(job, findings, N_("Fix them in the file, or import the valid rows {quarantine} (the "
                                          "invalid rows are kept in quarantine with their reasons)."))
    report = ImportReport(None, job.display, "scores", job.source, job.info.describe(), job.mapping,
                          rows_read=job.rows_read,
                          rows_skipped=int(job.store.scalar("SELECT count(*) FROM parsed_rows WHERE NOT live")),
                          rows_rejected=findings.rejected, problems=findings.problems, problem_count=findings.total,
                          warnings=warnings, ignored_columns=ignored_columns(job.info.headers, job.mapping),
                          headers=list(job.info.headers))
    if job.preview:
        report.preview = preview_scores(job)
    else:
        load_scores(job, report)
    return report


def _warn_no_customer_matches(job: ImportJob, report: ImportReport) -> None:
    """Churn counts the customers of the stored contacts: a customers export none of whose ids is among them
    (another id, written another way) would show 0 % churn as met. Said with an example of each side's ids."""
    theirs = job.store.fetchone("SELECT min(customer_id) FROM contacts WHERE customer_id IS NOT NULL")[0]
    if theirs is None:
        return
    mine = job.store.fetchone(
        "SELECT count(*) FILTER (WHERE customer_id IN (SELECT customer_id FROM contacts)), min(customer_id) "
        "FROM parsed_rows WHERE live AND customer_id IS NOT NULL")
    if mine[0] == 0 and mine[1] is not None:
        report.warnings.append(Message(
            "{file}: none of its customer ids is a customer of the stored contacts (this file writes {mine!r}, the "
            "contacts {theirs!r}), so churn would count none of them. Map the column holding the id the contacts "
            "know the customer by {map}.", file=job.display, mine=mine[1], theirs=theirs,
            map=ControlRef("map", field="customer_id")))


# -- uploads -----------------------------------------------------------------------------------------
def import_bytes(store: Store, data: bytes, file_name: str, options: ImportOptions | None = None,
                 progress: ProgressFn | None = None) -> ImportReport:
    """Import an upload: written to a private temp file under a safe name, then imported."""
    options = options or ImportOptions()
    with upload_file(data, file_name) as path:
        options.file_name = Path(file_name).name or "upload"
        return import_file(store, path, options, progress)


def preview_bytes(store: Store, data: bytes, file_name: str, options: ImportOptions | None = None,
                  rows: int = 20) -> ImportReport:
    """A dry run on the first rows of an upload: detection, mapping, parsed values, problems. Writes nothing."""
    return import_bytes(store, data, file_name, replace(options or ImportOptions(), preview_rows=rows))


def inspect_bytes(data: bytes, file_name: str, kind: str = "contacts", sheet: str | None = None
                  ) -> tuple[read.FileInfo, dict[str, list[str]]]:
    """Detection only (encoding, delimiter, sheet, headers) and the proposed mapping; values are not parsed."""
    options = ImportOptions(kind=kind)
    with upload_file(data, file_name) as path:
        platform = recognise(path, file_name)
        info = platform_info(Path(file_name).name, platform) if platform else read.sniff(path, Path(file_name).name,
                                                                                            sheet)
        if not platform and sheet is None and info.other_sheets and not _gives_key(info.headers, options):
            for name in info.other_sheets:  # as the import chooses (_staged_job), from the headers alone
                try:
                    other = read.sniff(path, info.file_name, name)
                except ImportRefused:
                    continue
                if _gives_key(other.headers, options):
                    other.warnings.append(_read_other_sheet(info.file_name, info.sheet, other.sheet, kind))
                    info = other
                    break
    return info, resolve_mapping(info.headers, options, info.file_name)


def column_values_bytes(store: Store, data: bytes, file_name: str, column: str, sheet: str | None = None,
                        limit: int = 200) -> list[tuple[str, int]]:
    """Distinct values of one column over the whole upload, most frequent first (e.g. its status words)."""
    with store.temp_tables() as temps:
        with upload_file(data, file_name) as path:
            info, stage = stage_file(store, temps, path, Path(file_name).name, sheet)
        if column not in info.headers:
            return []
        name = quote_ident(read.column_names(len(info.headers))[info.headers.index(column)])
        return store.fetchall(f"SELECT trim({name}), count(*) FROM {stage} WHERE trim({name}) <> '' "
                              f"GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {int(limit)}")


def repeated_values_bytes(store: Store, data: bytes, file_name: str, columns: list[str], sheet: str | None = None,
                          limit: int = 5) -> tuple[int, list[tuple[str, int]]]:
    """How many values of the columns (joined with ':', as a composed contact id) occur more than once in the whole
    upload, and the most repeated ones: what the Upload page checks before proposing an id column."""
    with store.temp_tables() as temps:
        with upload_file(data, file_name) as path:
            info, stage = stage_file(store, temps, path, Path(file_name).name, sheet)
        names = read.column_names(len(info.headers))
        picked = [quote_ident(names[info.headers.index(c)]) for c in columns if c in info.headers]
        if not picked:
            return 0, []
        key = " || ':' || ".join(f"coalesce(trim({c}), '')" for c in picked)
        rows = store.fetchall(f"SELECT {key} AS id, count(*) AS n FROM {stage} GROUP BY 1 HAVING count(*) > 1 "
                              "ORDER BY n DESC, id")
    return len(rows), [(value, int(n)) for value, n in rows[:limit]]

