"""Step 5, load: the valid rows written in one transaction, or shown when the import is a dry run.

Rows an import replaces are kept (for undo), rejected rows are quarantined whole with their
reasons, and the import is recorded with its counts.
"""
from __future__ import annotations

import json
import os
import signal

from ..measures import TouchedDays, count_customers_of_import, latest_contact, rebuild, refresh_days
from ..errors import CLI, text_for
from ..i18n import DEFAULT_LANGUAGE, use_language
from ..messages import Message
from ..schema import SCORE_FIELD_NAMES
from ..storage import Store, TempTable, quote_ident
from . import read
from .fcr import customers_of_import, refresh_next_contacts
from .history import refuse_if_imported
from .report import ImportReport
from .stage import ImportJob
from .validate import refuse_overlap

VALID_ROWS = "live AND file_row NOT IN (SELECT file_row FROM row_problems)"

# The columns a dry run shows, in order; queued_at is shown in local time.
_PREVIEW_COLUMNS = ("contact_id", "channel", "direction", "queued_at", "answered", "abandoned", "wait_seconds",
                    "handle_seconds", "customer_id", "resolved", "csat", "nps", "ces", "queue", "team", "agent")


def crash_point(name: str) -> None:
    """Test hook: CXMETRICS_CRASH_AT=name kills the process here (the crash-safety tests use it)."""
    if os.environ.get("CXMETRICS_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _contact_values(mapping: dict[str, list[str]]) -> dict[str, str]:
    """Each stored contact column as an expression over parsed_rows p: a mapped or derived value, else NULL."""
    def col(name: str, default: str = "NULL") -> str:
        return f"p.{quote_ident(name)}" if name in mapping else default

    values = {name: col(name) for name in ("answered_at", "ended_at", "talk_seconds", "hold_seconds",
                                           "wrap_seconds", "resolved", "csat", "ces", "queue", "team", "agent",
                                           "status")}
    return {**values, "contact_id": "contact_id", "channel": "channel_d", "direction": col("direction", "'inbound'"),
            "queued_at": "queued_d", "answered": "answered_d", "abandoned": "abandoned_d", "wait_seconds": "wait_d",
            "handle_seconds": "handle_d", "customer_id": "customer_d", "nps": "nps_d"}


def preview_contacts(job: ImportJob):
    """The dry run's parsed rows (a pandas frame), each with its outcome: ok, skipped or rejected."""
    values = {**_contact_values(job.mapping), "queued_at": "timezone(?, queued_d)"}
    shown = ", ".join(f"{values[c]} AS {c}" for c in _PREVIEW_COLUMNS)
    return job.store.df(f"""
        SELECT file_row AS row, {shown},
               CASE WHEN NOT live THEN 'skipped' WHEN file_row IN (SELECT file_row FROM row_problems)
                    THEN 'rejected' ELSE 'ok' END AS outcome
        FROM parsed_rows p ORDER BY file_row""", [job.tz])


def preview_customers(job: ImportJob):
    """The dry run's parsed customers (a pandas frame)."""
    return job.store.df("SELECT file_row AS row, customer_id, churned_on FROM parsed_rows ORDER BY 1")


def load_contacts(job: ImportJob, report: ImportReport) -> None:
    """Write the valid contacts, replacing those stored under the same (source, contact_id)."""
    store = job.store
    with store.transaction():
        import_id = start_import(job, report)
        latest_before = latest_contact(store)
        touched = TouchedDays(store, job.temps)
        values = {**_contact_values(job.mapping), "source": "?", "import_id": "?", "file_row": "file_row",
                  "queued_local": "timezone(?, queued_d)", "next_contact_at": "CAST(NULL AS TIMESTAMPTZ)"}
        columns = ("source", "contact_id", "import_id", "file_row", "channel", "direction", "queued_at",
                   "queued_local", "answered_at", "ended_at", "answered", "abandoned", "wait_seconds",
                   "talk_seconds", "hold_seconds", "wrap_seconds", "handle_seconds", "customer_id", "resolved",
                   "csat", "nps", "ces", "queue", "team", "agent", "status", "next_contact_at")
        new = job.temps.create("new_contacts", f"SELECT {', '.join(f'{values[c]} AS {c}' for c in columns)} "
                               f"FROM parsed_rows p WHERE {VALID_ROWS}", [job.source, import_id, job.tz])
        _refuse_overlap_with_reports(job, new)
        report.rows_replaced = _set_aside_replaced(store, "contacts", new, ("source", "contact_id"), import_id)
        store.execute(f"INSERT INTO contacts BY NAME SELECT * FROM {new}")
        count_customers_of_import(store, import_id, +1)
        touched.add_contacts("import_id = ?", [import_id])
        touched.add_contacts("replaced_by = ?", [import_id], table="contacts_replaced")
        refresh_next_contacts(store, customers_of_import(store, job.temps, import_id), touched)
        touched.add_censoring_shift(latest_before, latest_contact(store), float(store.settings()["fcr_window_days"]))
        refresh_days(store, touched)
        report.rows_imported = int(store.scalar(f"SELECT count(*) FROM {new}"))
        finish_import(job, report)
        crash_point("committing")


def _refuse_overlap_with_reports(job: ImportJob, new: TempTable) -> None:
    """Aggregated report rows of the same channel on a contact's day would count those contacts twice."""
    if job.options.allow_overlap:
        return
    rows = job.store.fetchall(f"""
        SELECT n.channel, list(DISTINCT strftime(CAST(n.queued_local AS DATE), '%Y-%m-%d')
                               ORDER BY strftime(CAST(n.queued_local AS DATE), '%Y-%m-%d'))
        FROM {new} n
        JOIN measures_coverage c ON c.channel = n.channel AND CAST(n.queued_local AS DATE) BETWEEN c.day AND c.last_day
        JOIN imports i ON i.import_id = c.import_id AND i.kind = 'aggregated'
        GROUP BY 1 ORDER BY 1""")
    if rows:
        refuse_overlap(job, rows, Message("aggregated report rows"))


def load_customers(job: ImportJob, report: ImportReport) -> None:
    """Write the valid customers, replacing those stored under the same customer_id."""
    store = job.store
    with store.transaction():
        import_id = start_import(job, report)
        new = job.temps.create("new_customers", "SELECT customer_id, churned_on, ? AS import_id, file_row "
                               f"FROM parsed_rows WHERE {VALID_ROWS}", [import_id])
        report.rows_replaced = _set_aside_replaced(store, "customers", new, ("customer_id",), import_id)
        store.execute(f"INSERT INTO customers BY NAME SELECT * FROM {new}")
        rebuild(store, churn_only=True)
        report.rows_imported = int(store.scalar(f"SELECT count(*) FROM {new}"))
        finish_import(job, report)


def _scored_values(mapping: dict[str, list[str]]) -> str:
    """The REPLACE list of a stored contact c given the file's scores p: a score the file gives wins, an empty cell
    or a score the file has no column for keeps the stored one."""
    typed = {"nps": "CAST(p.nps AS INTEGER)"}
    return ", ".join(f"coalesce({typed.get(f, f'p.{f}')}, c.{f}) AS {f}" for f in SCORE_FIELD_NAMES if f in mapping)


def preview_scores(job: ImportJob):
    """The dry run's rows: each score row with the stored contact it is for (channel, time), its scores as they will
    be written, and its outcome (rejected when no stored contact has its id)."""
    scores = ", ".join(f"p.{f}" if f in job.mapping else f"c.{f}" for f in SCORE_FIELD_NAMES)
    return job.store.df(f"""
        SELECT p.file_row AS row, p.contact_id, c.channel, timezone(?, c.queued_at) AS queued_at, {scores},
               CASE WHEN NOT p.live THEN 'skipped' WHEN p.file_row IN (SELECT file_row FROM row_problems)
                    THEN 'rejected' ELSE 'ok' END AS outcome
        FROM parsed_rows p LEFT JOIN contacts c ON c.source = ? AND c.contact_id = p.contact_id
        ORDER BY p.file_row""", [job.tz, job.source])


def load_scores(job: ImportJob, report: ImportReport) -> None:
    """Write the survey scores into the stored contacts they are for. Each scored contact is set aside whole (for
    undo) and written again with its scores: it keeps its import, file row and every other value."""
    store = job.store
    with store.transaction():
        import_id = start_import(job, report)
        touched = TouchedDays(store, job.temps)
        new = job.temps.create("scored_contacts", f"""
            SELECT c.* REPLACE ({_scored_values(job.mapping)})
            FROM contacts c JOIN parsed_rows p ON c.source = ? AND c.contact_id = p.contact_id
            WHERE p.live AND p.file_row NOT IN (SELECT file_row FROM row_problems)""", [job.source])
        report.rows_replaced = _set_aside_replaced(store, "contacts", new, ("source", "contact_id"), import_id)
        store.execute(f"INSERT INTO contacts BY NAME SELECT * FROM {new}")
        touched.add_contacts("replaced_by = ?", [import_id], table="contacts_replaced", contacts_changed=False)
        refresh_days(store, touched)
        report.rows_imported = int(store.scalar(f"SELECT count(*) FROM {new}"))
        finish_import(job, report)


def start_import(job: ImportJob, report: ImportReport) -> int:
    """Under the write lock: the same file sent twice at once lands exactly once. Returns the new import id."""
    if not job.options.force:
        refuse_if_imported(job.store, job.sha, job.display)
    report.import_id = int(job.store.scalar("SELECT nextval('import_id_seq')"))
    return report.import_id


def _set_aside_replaced(store: Store, table: str, new: TempTable, keys: tuple[str, ...], import_id: int) -> int:
    """Move the stored rows the new ones replace into `<table>_replaced` (for undo); returns how many."""
    same = " AND ".join(f"c.{quote_ident(k)} = n.{quote_ident(k)}" for k in keys)
    stored, history = quote_ident(table), quote_ident(f"{table}_replaced")
    replaced = int(store.scalar(f"SELECT count(*) FROM {stored} c SEMI JOIN {new} n ON {same}"))
    if replaced:
        store.execute(f"INSERT INTO {history} SELECT c.*, ? FROM {stored} c SEMI JOIN {new} n ON {same}", [import_id])
        store.execute(f"DELETE FROM {stored} c USING {new} n WHERE {same}")
    return replaced


def finish_import(job: ImportJob, report: ImportReport) -> None:
    """Quarantine the rejected rows and record the import."""
    _quarantine(job, report.import_id)
    job.store.execute(
        "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, now(), ?, ?, ?, ?, ?, ?)",
        [report.import_id, report.file_name, job.sha, report.kind, report.source,
         json.dumps(report.mapping, ensure_ascii=False), report.rows_read, report.rows_imported,
         report.rows_replaced, report.rows_skipped, report.rows_rejected,
         json.dumps({"file": report.file, "warnings": stored_texts(report.warnings), "new_channels": report.new_channels,
                     "ignored_columns": report.ignored_columns}, ensure_ascii=False)])


def stored_texts(messages: list) -> list[str]:
    """Messages as the store keeps them: in English, the command line's wording, whatever the importer's language
    (like the quarantine's reasons, the store's text is the same for every reader)."""
    with use_language(DEFAULT_LANGUAGE):
        return [text_for(m, CLI) for m in messages]


def _quarantine(job: ImportJob, import_id: int) -> None:
    """Keep every rejected row, raw, with all its reasons."""
    names = read.column_names(len(job.info.headers))
    pairs = [f"?, s.{quote_ident(name)}" for name in names]
    raw_json = f"CAST(json_object({', '.join(pairs)}) AS VARCHAR)" if pairs else "'{}'"
    job.store.execute(f"""
        INSERT INTO quarantine
        SELECT ?, s.file_row, r.columns, r.reasons, {raw_json}
        FROM (SELECT file_row, string_agg(field, '; ' ORDER BY field, reason) AS columns,
                     string_agg(reason, '; ' ORDER BY field, reason) AS reasons
              FROM row_problems GROUP BY file_row) r
        JOIN {job.stage} s USING (file_row)""", [import_id] + list(job.info.headers))
