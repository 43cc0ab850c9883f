"""Data quality: missing days in the exports and the store's latest month."""
from __future__ import annotations

from .storage import Store


def detect_missing_days(store: Store) -> dict[str, list[str]]:
    """Days without contacts, between a channel's first and last day, on a weekday it usually works.

    "Usually" means the weekday has contacts on at least half of its occurrences in that span, so
    a centre closed on Sundays is not warned about every Sunday, and at least 10 contacts on average,
    so that a quiet channel's empty day (likely by chance) is not reported as a gap in the export.
    """
    rows = store.fetchall("""
        WITH days AS (SELECT channel, day, sum(contacts) AS n FROM measures_coverage WHERE span = 'day' GROUP BY ALL),
        span AS (SELECT channel, min(day) AS first, max(day) AS last FROM days GROUP BY channel),
        calendar AS (SELECT channel, CAST(unnest(generate_series(first, last, INTERVAL 1 DAY)) AS DATE) AS day
                     FROM span),
        filled AS (SELECT c.channel, c.day, isodow(c.day) AS weekday, coalesce(d.n, 0) AS n
                   FROM calendar c LEFT JOIN days d USING (channel, day)),
        usual AS (SELECT channel, weekday, avg(CASE WHEN n > 0 THEN 1 ELSE 0 END) AS worked, avg(n) AS mean_n
                  FROM filled GROUP BY ALL)
        SELECT f.channel, strftime(f.day, '%Y-%m-%d') FROM filled f JOIN usual u USING (channel, weekday)
        WHERE f.n = 0 AND u.worked >= 0.5 AND u.mean_n >= 10 ORDER BY 1, 2""")
    out: dict[str, list[str]] = {}
    for channel, day in rows:
        out.setdefault(channel, []).append(day)
    return out


def latest_month(store: Store) -> str | None:
    """The newest month with data (YYYY-MM), None on an empty store; a report's row counts to its period's end."""
    return store.scalar("SELECT strftime(max(last_day), '%Y-%m') FROM measures_coverage")
