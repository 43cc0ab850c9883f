"""Closed-loop follow-up of customers who gave low scores.

A case is a contact whose NPS, CSAT or CES is at or below its threshold (settings). Its status
(open / contacted / resolved / no action) and note are stored by (source, contact_id), like the
contact itself, so they survive re-imports of the same period.
"""
from __future__ import annotations

import datetime as dt

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations; imported where used, not at the top (see cxmetrics/views.py)
    import pandas as pd

from .config import get_settings
from .display import safe_csv_text
from .errors import UsageError
from .i18n import N_, _, pgettext
from .measures import ensure_built
from .months import day_bound
from .schema import FIELD_LABELS
from .storage import Store

STATUSES = ("open", "contacted", "resolved", "no action")  # stored codes: the store, the CLI and the CSV keep them
COLUMNS = ["source", "contact_id", "customer_id", "channel", "queue", "agent", "contact_date", "nps", "csat", "ces",
           "status", "note", "age_days", "overdue"]
# What pages call the columns that are not fields of the contact record (English, marked N_()); the CSV export
# keeps the ids.
_COLUMN_TEXT = {"source": N_("Source"), "contact_date": N_("Contact date"), "status": N_("Follow-up status"),
                "note": N_("Note"), "age_days": N_("Age (days)"), "overdue": N_("Overdue")}


def column_labels() -> dict[str, str]:
    """What pages call each column, in the session's language (the contact record's fields by their labels)."""
    return {**{c: _(FIELD_LABELS[c]) for c in COLUMNS if c in FIELD_LABELS},
            **{c: _(text) for c, text in _COLUMN_TEXT.items()}}


def status_word(status: str) -> str:
    """A follow-up status code as pages show it (English shows the code itself)."""
    words = {"open": pgettext("follow-up status", "open"), "contacted": pgettext("follow-up status", "contacted"),
             "resolved": pgettext("follow-up status", "resolved"),
             "no action": pgettext("follow-up status", "no action")}
    return words.get(status, status)


def thresholds(store: Store) -> dict[str, float]:
    """The follow-up settings: the highest NPS, CSAT and CES that make a case, and the overdue age."""
    conf = get_settings(store)
    return {"nps": float(conf["followup_nps_max"]), "csat": float(conf["followup_csat_max"]),
            "ces": float(conf["followup_ces_max"]), "overdue_days": int(conf["followup_overdue_days"])}


def cases(store: Store, date_from=None, date_to=None, status: str | None = None,
          older_than: int | None = None, channels: list[str] | None = None,
          today: dt.date | None = None) -> pd.DataFrame:
    """Low scorers of a period with their follow-up status; newest first."""
    if status is not None and status not in STATUSES:
        raise UsageError(_("--status must be one of {statuses}, not {status!r}").format(
            statuses=", ".join(STATUSES), status=status))
    t = thresholds(store)
    today = today or dt.date.today()
    lower, upper = day_bound(date_from), day_bound(date_to, end=True)
    frame = store.df("""
        SELECT c.source, c.contact_id, c.customer_id, c.channel, c.queue, c.agent,
               CAST(c.queued_local AS DATE) AS contact_date, c.nps, c.csat, c.ces,
               coalesce(f.status, 'open') AS status, f.note,
               CAST(? AS DATE) - CAST(c.queued_local AS DATE) AS age_days
        FROM contacts c LEFT JOIN followups f USING (source, contact_id)
        WHERE c.direction = 'inbound' AND (c.nps <= ? OR c.csat <= ? OR c.ces <= ?)
          AND (? IS NULL OR c.queued_local >= ?) AND (? IS NULL OR c.queued_local < ?)
          AND (? IS NULL OR list_contains(?, c.channel))
        ORDER BY c.queued_local DESC, c.contact_id""",
        [today, t["nps"], t["csat"], t["ces"], lower, lower, upper, upper,
         channels or None, channels or None])
    frame["overdue"] = (frame["status"] == "open") & (frame["age_days"] > t["overdue_days"])
    if status is not None:
        frame = frame[frame["status"] == status]
    if older_than is not None:
        frame = frame[frame["age_days"] > older_than]
    return frame[COLUMNS].reset_index(drop=True)


def set_case(store: Store, source: str, contact_id: str, status: str, note: str | None = None) -> None:
    """Record a case's status and note."""
    if status not in STATUSES:
        raise UsageError(_("status must be one of {statuses}, not {status!r}").format(
            statuses=", ".join(STATUSES), status=status))
    with store.transaction():
        store.execute("DELETE FROM followups WHERE source = ? AND contact_id = ?", [source, contact_id])
        store.execute("INSERT INTO followups VALUES (?, ?, ?, ?, now())", [source, contact_id, status, note or None])


def save_cases(store: Store, before: pd.DataFrame, after: pd.DataFrame) -> int:
    """Store the rows whose status or note changed in the editor; returns how many."""
    changed = 0
    for old, new in zip(before.to_dict("records"), after.to_dict("records")):
        note_old = old.get("note") if isinstance(old.get("note"), str) else None
        note_new = new.get("note") if isinstance(new.get("note"), str) else None
        if old["status"] != new["status"] or note_old != note_new:
            set_case(store, new["source"], new["contact_id"], new["status"], note_new)
            changed += 1
    return changed


def overdue_count(store: Store, today: dt.date | None = None) -> int:
    """Open cases older than the overdue setting (the Overview shows only the number).

    Every overdue low score, counted from the measures (cxmetrics.measures: scores per day), less those whose
    case is closed; that second count joins the contact ids only when a case has been closed."""
    ensure_built(store)
    t = thresholds(store)
    low = "(nps <= ? OR csat <= ? OR ces <= ?)"
    scores = [t["nps"], t["csat"], t["ces"]]
    age = [today or dt.date.today(), t["overdue_days"]]
    return int(store.scalar(f"""
        SELECT (SELECT coalesce(sum(contacts), 0) FROM measures_scores
                WHERE {low} AND CAST(? AS DATE) - day > ?)
             - (SELECT count(*) FROM followups f JOIN contacts c USING (source, contact_id)
                WHERE f.status <> 'open' AND c.direction = 'inbound' AND {low}
                  AND CAST(? AS DATE) - CAST(c.queued_local AS DATE) > ?)""", scores + age + scores + age))


def export_csv(frame: pd.DataFrame) -> str:
    """The case list as a CSV that is safe to open in Excel."""
    import pandas as pd

    def text(v):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return None
        if isinstance(v, (pd.Timestamp, dt.datetime)):
            return v.date().isoformat()
        return v.isoformat() if isinstance(v, dt.date) else v

    rows = ([text(v) for v in row] for row in frame.itertuples(index=False))
    return safe_csv_text(list(frame.columns), rows)
