"""FCR's per-contact fact: each inbound contact's next inbound contact of the same customer.

Kept up to date inside the import and undo transactions, so the metric views only compare timestamps.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..measures import TouchedDays
from ..storage import Store, TempTable, TempTables

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

    Runs inside the import or delete transaction. Large sets are done in passes over hash buckets of
    customers, so the window never holds every contact at once.
    """
    with store.temp_tables() as temps:
        # A next contact is the first one after: only a customer's contacts from the last one before `since` on
        # can change, and their next contacts are found among the later ones. Older history is not re-windowed.
        # window_rows (about how many contacts the window reads for the customer) sizes the passes, from the
        # same read of the customers' contacts
        starts = temps.create("refresh_starts", f"""
            SELECT a.customer_id, coalesce(max(c.queued_at) FILTER (WHERE c.queued_at < a.since), a.since) AS start_at,
                   count(c.queued_at) FILTER (WHERE c.queued_at >= a.since)
                   + CAST(count(c.queued_at) FILTER (WHERE c.queued_at < a.since) > 0 AS INTEGER) AS window_rows
            FROM {customers.table} a
            LEFT JOIN contacts c ON c.customer_id = a.customer_id AND c.direction = 'inbound'
            GROUP BY a.customer_id, a.since""", unique=True)
        _refresh_from(store, starts, touched, bucket_rows)


def _refresh_from(store: Store, starts: TempTable, touched: TouchedDays, bucket_rows: int | None) -> None:
    rows = store.scalar(f"SELECT coalesce(sum(window_rows), 0) FROM {starts}")
    # the bucket is chosen among the few affected customers, not by hashing every contact's id
    inputs = f"""FROM contacts c
                 JOIN (SELECT * FROM {starts} WHERE hash(customer_id) % CAST(? AS UBIGINT) = CAST(? AS UBIGINT)) s
                   ON s.customer_id = c.customer_id
                 WHERE c.direction = 'inbound' AND c.queued_at >= s.start_at"""
    buckets = max(1, -(-int(rows) // (bucket_rows or REFRESH_BUCKET_ROWS)))
    window_s = float(store.settings()["fcr_window_days"]) * 86400
    # A contact's FCR measure only changes when its next contact enters or leaves the window: a customer who
    # comes back after months changes next_contact_at on an old contact, but not that contact's outcome.
    repeated = "({next} IS NOT NULL AND epoch({next}) - epoch(c.queued_at) <= ?)"
    with store.temp_tables() as temps:
        for bucket in range(buckets):
            # Only narrow columns are read here (ids are long strings): the changed rows are found by row id,
            # which stays put inside the transaction, and updated through it.
            changed = temps.create("next_contacts_changed", f"""
                SELECT rid, CAST(queued_local AS DATE) AS day, queued_at, old_next, next_at
                FROM (
                    SELECT c.rowid AS rid, c.queued_local, c.queued_at, c.next_contact_at AS old_next,
                           min(c.queued_at) OVER (PARTITION BY c.customer_id ORDER BY c.queued_at
                               RANGE BETWEEN INTERVAL 1 MICROSECOND FOLLOWING AND UNBOUNDED FOLLOWING) AS next_at
                    {inputs}
                ) c
                WHERE old_next IS DISTINCT FROM next_at""", [buckets, bucket])
            store.execute(f"INSERT INTO {touched.table} SELECT DISTINCT day FROM {changed} c WHERE "
                          f"{repeated.format(next='c.old_next')} IS DISTINCT FROM {repeated.format(next='c.next_at')}",
                          [window_s, window_s])
            store.execute(f"UPDATE contacts SET next_contact_at = n.next_at FROM {changed} n WHERE contacts.rowid = n.rid")
