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
    """The customers whose next contacts must be recomputed: distinct, non-empty ids in a temporary table."""
    table: TempTable


def customers_of_import(store: Store, temps: TempTables, import_id: int) -> AffectedCustomers:
    """The customers an import touches: those of its contacts and of the contacts it replaced.

    Take them while the import's rows are in place: after it is loaded, before it is undone.
    """
    table = temps.create(
        "affected_customers",
        "SELECT DISTINCT customer_id FROM (SELECT customer_id FROM contacts WHERE import_id = ? "
        "UNION ALL SELECT customer_id FROM contacts_replaced WHERE replaced_by = ?) WHERE customer_id IS NOT NULL",
        [import_id, import_id], unique=True)
    return AffectedCustomers(table)


def refresh_next_contacts(store: Store, customers: AffectedCustomers, touched: TouchedDays,
                          bucket_rows: int | None = None) -> None:
    """Recompute next_contact_at for the contacts of `customers`; the days of the contacts whose repeat-contact
    outcome changed with it (a next contact moved into or out of the FCR window) go into `touched`.

    Runs inside the import or delete transaction. Large sets are done in passes over hash buckets of
    customers, so the window never holds every contact at once.
    """
    rows = store.scalar("SELECT count(*) FROM contacts WHERE direction = 'inbound' "
                        f"AND customer_id IN (SELECT customer_id FROM {customers.table})")
    buckets = max(1, -(-int(rows) // (bucket_rows or REFRESH_BUCKET_ROWS)))
    window_s = float(store.settings()["fcr_window_days"]) * 86400
    # A contact's FCR measure only changes when its next contact enters or leaves the window: a customer who
    # comes back after months changes next_contact_at on an old contact, but not that contact's outcome.
    repeated = "({next} IS NOT NULL AND epoch({next}) - epoch(c.queued_at) <= ?)"
    with store.temp_tables() as temps:
        for bucket in range(buckets):
            changed = temps.create("next_contacts_changed", f"""
                SELECT c.source, c.contact_id, CAST(c.queued_local AS DATE) AS day, c.queued_at,
                       c.next_contact_at AS old_next, n.next_at
                FROM (
                    SELECT source, contact_id,
                           min(queued_at) OVER (PARTITION BY customer_id ORDER BY queued_at
                               RANGE BETWEEN INTERVAL 1 MICROSECOND FOLLOWING AND UNBOUNDED FOLLOWING) AS next_at
                    FROM contacts
                    WHERE direction = 'inbound' AND hash(customer_id) % ? = ?
                      AND customer_id IN (SELECT customer_id FROM {customers.table})
                ) n JOIN contacts c ON c.source = n.source AND c.contact_id = n.contact_id
                WHERE c.next_contact_at IS DISTINCT FROM n.next_at""", [buckets, bucket])
            store.execute(f"INSERT INTO {touched.table} SELECT DISTINCT day FROM {changed} c WHERE "
                          f"{repeated.format(next='c.old_next')} IS DISTINCT FROM {repeated.format(next='c.next_at')}",
                          [window_s, window_s])
            store.execute(f"""
                UPDATE contacts SET next_contact_at = n.next_at FROM {changed} n
                WHERE contacts.source = n.source AND contacts.contact_id = n.contact_id""")
