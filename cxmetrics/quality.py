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


SPARSE_SHARE = 0.35  # of the days in a channel's span: fewer than about 2½ days a week with contacts
SPARSE_MIN_SPAN_DAYS = 14


def sparse_channels(store: Store) -> dict[str, tuple[int, int, str, str]]:
    """Channels with contacts on fewer than SPARSE_SHARE of the days between their first and last day (at least
    SPARSE_MIN_SPAN_DAYS), as {channel: (days with contacts, days in the span, first day, last day)}.

    The missing-days rule cannot judge them: no weekday has contacts on half its occurrences, so none is "usual"
    and nothing would be reported although most days are empty (an export of a few sample days, or a channel open
    twice a week). The page says so instead of "no missing days"."""
    rows = store.fetchall("""
        SELECT channel, count(DISTINCT day) AS worked, date_diff('day', min(day), max(day)) + 1 AS days,
               strftime(min(day), '%Y-%m-%d'), strftime(max(day), '%Y-%m-%d')
        FROM measures_coverage WHERE span = 'day' AND contacts > 0 GROUP BY channel
        HAVING days >= ? AND worked < ? * days ORDER BY channel""", [SPARSE_MIN_SPAN_DAYS, SPARSE_SHARE])
    return {channel: (int(worked), int(days), first, last) for channel, worked, days, first, last in rows}


def latest_month(store: Store) -> str | None:
    """The newest month with data (YYYY-MM), None on an empty store; a report's row counts to its period's end."""
    return store.scalar("SELECT strftime(max(last_day), '%Y-%m') FROM measures_coverage")
