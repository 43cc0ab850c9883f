"""FCR's per-contact fact: each inbound contact's next inbound contact of the same customer within the FCR window.

Kept up to date inside the import and undo transactions, so the metric views only compare timestamps.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..i18n import _
from ..measures import TouchedDays, lake_served, rebuild
from ..storage import CUSTOMER_KEYS_CHANGED, OPEN_HOOKS, Store, TempTable, TempTables

REFRESH_BUCKET_ROWS = 1_500_000  # contacts per pass of the next-contact refresh (bounds its memory)


@dataclass(frozen=True)
class AffectedCustomers:
    """The customers whose next contacts must be recomputed, in a temporary table: each non-empty id once, with
    `since`, the earliest time an import adds or removes one of their contacts (nothing before it can change)."""
    table: TempTable


def customers_of_import(store: Store, temps: TempTables, import_id: int) -> AffectedCustomers:
    """The customers an import touches: those of its contacts and of the contacts it replaced.

    Take them while the import's rows are in place: after it is loaded, before it is undone.
    """
    table = temps.create(
        "affected_customers",
        "SELECT customer_id, min(queued_at) AS since FROM (SELECT customer_id, queued_at FROM contacts "
        "WHERE import_id = ? UNION ALL SELECT customer_id, queued_at FROM contacts_replaced WHERE replaced_by = ?) "
        "WHERE customer_id IS NOT NULL GROUP BY customer_id", [import_id, import_id], unique=True)
    return AffectedCustomers(table)


def refresh_next_contacts(store: Store, customers: AffectedCustomers, touched: TouchedDays,
                          bucket_rows: int | None = None) -> None:
    """Recompute next_contact_at for the contacts of `customers`; the days of the contacts whose repeat-contact
    outcome changed with it (a next contact moved into or out of the FCR window) go into `touched`.

    next_contact_at is the customer's next inbound contact within the FCR window (NULL when none came within
    it): the only thing repeat-contact FCR asks of it. So only a customer's contacts from one window before
    `since` on can change, and a new month reads the recent contacts, not every customer's history, and updates
    recent rows only. Runs inside the import or delete transaction; large sets are done in passes over hash
    buckets of customers, so the window never holds every contact at once.
    """
    window_s = float(store.settings()["fcr_window_days"]) * 86400
    with store.temp_tables() as temps:
        starts = temps.create("refresh_starts", f"SELECT customer_id, since - to_microseconds(CAST(? AS BIGINT)) "
                              f"AS start_at FROM {customers.table}", [round(window_s * 1e6)], unique=True)
        _refresh_from(store, starts, touched, bucket_rows, window_s)


def refresh_all_next_contacts(store: Store) -> None:
    """Every contact's next contact, recomputed (after the FCR window changes: a longer window needs next contacts
    that were beyond the old one). The caller rebuilds the measures."""
    with store.temp_tables() as temps:
        everyone = temps.create("all_customers", "SELECT customer_id, min(queued_at) AS since FROM contacts "
                                "WHERE customer_id IS NOT NULL GROUP BY customer_id", unique=True)
        refresh_next_contacts(store, AffectedCustomers(everyone), TouchedDays(store, temps))


def _refresh_from(store: Store, starts: TempTable, touched: TouchedDays, bucket_rows: int | None,
                  window_s: float) -> None:
    earliest = store.scalar(f"SELECT min(start_at) FROM {starts}")
    if earliest is None:
        return
    # the earliest start as a constant lets DuckDB skip the row groups of older contacts; it also bounds the rows
    # the window reads, which sizes the passes
    rows = store.scalar("SELECT count(*) FROM contacts WHERE direction = 'inbound' AND queued_at >= ?", [earliest])
    # the bucket is chosen among the few affected customers, not by hashing every contact's id
    inputs = f"""FROM contacts c
                 JOIN (SELECT * FROM {starts} WHERE hash(customer_id) % CAST(? AS UBIGINT) = CAST(? AS UBIGINT)) s
                   ON s.customer_id = c.customer_id
                 WHERE c.direction = 'inbound' AND c.queued_at >= ? AND c.queued_at >= s.start_at"""
    buckets = max(1, -(-int(rows) // (bucket_rows or REFRESH_BUCKET_ROWS)))
    # A contact's FCR measure only changes when its next contact enters or leaves the window (a store made before
    # next_contact_at was bounded by the window may hold a later one: it is replaced, and its day not touched).
    repeated = "({next} IS NOT NULL AND epoch({next}) - epoch(c.queued_at) <= ?)"
    with store.temp_tables() as temps:
        for bucket in range(buckets):
            # Only narrow columns are read here (ids are long strings): the changed rows are found by row id,
            # which stays put inside the transaction, and updated through it.
            changed = temps.create("next_contacts_changed", f"""
                SELECT * FROM (
                    SELECT rid, CAST(queued_local AS DATE) AS day, queued_at, old_next,
                           CASE WHEN epoch(following) - epoch(queued_at) <= ? THEN following END AS next_at
                    FROM (
                        SELECT c.rowid AS rid, c.queued_local, c.queued_at, c.next_contact_at AS old_next,
                               min(c.queued_at) OVER (PARTITION BY c.customer_id ORDER BY c.queued_at
                                   RANGE BETWEEN INTERVAL 1 MICROSECOND FOLLOWING AND UNBOUNDED FOLLOWING) AS following
                        {inputs}
                    )
                ) WHERE old_next IS DISTINCT FROM next_at""", [window_s, buckets, bucket, earliest])
            store.execute(f"INSERT INTO {touched.table} SELECT DISTINCT day FROM {changed} c WHERE "
                          f"{repeated.format(next='c.old_next')} IS DISTINCT FROM {repeated.format(next='c.next_at')}",
                          [window_s, window_s])
            store.execute(f"UPDATE contacts SET next_contact_at = n.next_at FROM {changed} n WHERE contacts.rowid = n.rid")


def refresh_after_customer_keys_changed(store: Store, progress=None) -> None:
    """A store whose customer ids the schema migration rewrote (storage._normalise_customer_ids): every next contact
    and the measures are recomputed once, since callers it saw as two customers may now be one."""
    if not store.scalar("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [CUSTOMER_KEYS_CHANGED]):
        return
    with store.write_lock, store.transaction():
        if progress:
            progress(_("Matching customers by phone number across the stored contacts (once, after an upgrade) …"))
        refresh_all_next_contacts(store)
        if not lake_served(store):
            rebuild(store)
        store.execute(f"DROP TABLE {CUSTOMER_KEYS_CHANGED}")


OPEN_HOOKS.append(refresh_after_customer_keys_changed)  # after measures.ensure_built (imported above)
