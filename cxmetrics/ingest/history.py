"""The import history: what was imported (by sha256), undo of an import, and the quarantined rows."""
from __future__ import annotations

from ..errors import UsageError
from ..messages import ControlRef, Message, already_imported
from ..schema import QUARANTINE_COLUMNS
from ..measures import TouchedDays, count_customers_of_import, ensure_built, latest_contact, rebuild, refresh_days
from ..storage import Store, quote_ident
from .fcr import customers_of_import, refresh_next_contacts


def refuse_if_imported(store: Store, sha: str, display: str) -> None:
    """Raise AlreadyImported, naming the earlier import, when a file with this sha256 was imported before."""
    row = store.fetchone("SELECT import_id, strftime(imported_at, '%Y-%m-%d %H:%M'), kind FROM imports "
                         "WHERE sha256 = ? ORDER BY import_id LIMIT 1", [sha])
    if row:
        raise already_imported(display, row[0], row[1], row[2])


def list_imports(store: Store) -> list[dict]:
    """Every import, oldest first, with its counts, sha256 and mapping."""
    return store.records(
        "SELECT import_id, file_name, kind, source, strftime(imported_at, '%Y-%m-%d %H:%M:%S') AS imported_at, "
        "rows_read, rows_imported, rows_replaced, rows_skipped, rows_rejected, sha256, mapping_json "
        "FROM imports ORDER BY import_id")


def delete_import(store: Store, import_id: int) -> dict:
    """Remove what an import added and restore the rows it had replaced."""
    row = store.fetchone("SELECT kind, file_name FROM imports WHERE import_id = ?", [import_id])
    if row is None:
        raise UsageError(Message("there is no import #{import_id} (see the imports {imports})", import_id=import_id,
                                 imports=ControlRef("imports")))
    kind = row[0]
    ensure_built(store)
    if kind == "aggregated":
        return _delete_report(store, import_id, row[1])
    if kind == "scores":
        return _delete_scores(store, import_id, row[1])
    table, history = (quote_ident(kind), quote_ident(f"{kind}_replaced"))  # kind is contacts or customers
    with store.temp_tables() as temps, store.transaction():
        customers = customers_of_import(store, temps, import_id) if kind == "contacts" else None
        latest_before = latest_contact(store)
        touched = TouchedDays(store, temps)
        if customers is not None:  # while the import's rows are in place: the days and customers they touch
            touched.add_contacts("import_id = ?", [import_id])
            touched.add_contacts("replaced_by = ?", [import_id], table="contacts_replaced")
            count_customers_of_import(store, import_id, -1)
        removed = int(store.scalar(f"SELECT count(*) FROM {table} WHERE import_id = ?", [import_id]))
        store.execute(f"DELETE FROM {table} WHERE import_id = ?", [import_id])
        store.execute(f"DELETE FROM {history} WHERE import_id = ?", [import_id])
        restored = int(store.scalar(f"SELECT count(*) FROM {history} WHERE replaced_by = ?", [import_id]))
        store.execute(f"INSERT INTO {table} SELECT * EXCLUDE (replaced_by) FROM {history} WHERE replaced_by = ?",
                      [import_id])
        store.execute(f"DELETE FROM {history} WHERE replaced_by = ?", [import_id])
        store.execute("DELETE FROM quarantine WHERE import_id = ?", [import_id])
        store.execute("DELETE FROM imports WHERE import_id = ?", [import_id])
        if customers is not None:
            refresh_next_contacts(store, customers, touched)
            touched.add_censoring_shift(latest_before, latest_contact(store),
                                        float(store.settings()["fcr_window_days"]))
            refresh_days(store, touched)
        else:
            rebuild(store, churn_only=True)
    return {"import_id": import_id, "file_name": row[1], "removed": removed, "restored": restored}


def _delete_scores(store: Store, import_id: int, file_name: str) -> dict:
    """Take survey scores out again: each scored contact still in place (same key, same import as the copy set
    aside) gets its copy from before the scores back; one a newer import has replaced since is left to that import."""
    with store.temp_tables() as temps, store.transaction():
        touched = TouchedDays(store, temps)
        touched.add_contacts("replaced_by = ?", [import_id], table="contacts_replaced", contacts_changed=False)
        scored = temps.create("scored_in_place", """
            SELECT h.source, h.contact_id FROM contacts_replaced h
            WHERE h.replaced_by = ? AND EXISTS (SELECT 1 FROM contacts c WHERE c.source = h.source AND
                                                c.contact_id = h.contact_id AND c.import_id = h.import_id)""",
                              [import_id])
        restored = int(store.scalar(f"SELECT count(*) FROM {scored}"))
        store.execute(f"DELETE FROM contacts c USING {scored} s WHERE c.source = s.source AND "
                      f"c.contact_id = s.contact_id")
        store.execute(f"INSERT INTO contacts SELECT h.* EXCLUDE (replaced_by) FROM contacts_replaced h "
                      f"SEMI JOIN {scored} s ON h.source = s.source AND h.contact_id = s.contact_id "
                      f"WHERE h.replaced_by = ?", [import_id])
        store.execute("DELETE FROM contacts_replaced WHERE replaced_by = ?", [import_id])
        store.execute("DELETE FROM quarantine WHERE import_id = ?", [import_id])
        store.execute("DELETE FROM imports WHERE import_id = ?", [import_id])
        refresh_days(store, touched)
    return {"import_id": import_id, "file_name": file_name, "removed": 0, "restored": restored}


def _delete_report(store: Store, import_id: int, file_name: str) -> dict:
    """Remove an aggregated report's rows and the measures they fed."""
    with store.temp_tables() as temps, store.transaction():
        touched = TouchedDays(store, temps)
        store.execute(f"INSERT INTO {touched.table} SELECT DISTINCT CAST(period_start AS DATE) FROM aggregated_rows "
                      "WHERE import_id = ?", [import_id])
        removed = int(store.scalar("SELECT count(*) FROM aggregated_rows WHERE import_id = ?", [import_id]))
        store.execute("DELETE FROM aggregated_rows WHERE import_id = ?", [import_id])
        store.execute("DELETE FROM quarantine WHERE import_id = ?", [import_id])
        store.execute("DELETE FROM imports WHERE import_id = ?", [import_id])
        refresh_days(store, touched)
    return {"import_id": import_id, "file_name": file_name, "removed": removed, "restored": 0}


def quarantined_rows(store: Store, import_id: int | None = None) -> list[dict]:
    """The rows imports rejected (all imports, or one), with their reasons: one dict per row, QUARANTINE_COLUMNS."""
    columns = ", ".join(("i." if c == "file_name" else "q.") + c for c in QUARANTINE_COLUMNS)
    return store.records(
        f"SELECT {columns} FROM quarantine q LEFT JOIN imports i USING (import_id) "
        "WHERE ? IS NULL OR q.import_id = ? ORDER BY q.import_id, q.file_row", [import_id, import_id])
