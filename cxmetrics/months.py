"""Calendar arithmetic on months ("YYYY-MM"), quarters ("YYYYQn") and day bounds, in one place."""
from __future__ import annotations

import calendar
import datetime as dt
import re

from .errors import UsageError
from .i18n import DEFAULT_LANGUAGE, _, current_language

_QUARTER = re.compile(r"(\d{4})Q([1-4])")


def add_months(month: str, delta: int) -> str:
    """The month `delta` months after (before, when negative) `month`."""
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_range(first: str, last: str) -> list[str]:
    """Every month from first to last, both included (empty when last < first)."""
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def month_start(month: str) -> dt.datetime:
    """Midnight of the month's first day (local wall clock)."""
    return dt.datetime(int(month[:4]), int(month[5:7]), 1)


def next_month_start(month: str) -> dt.datetime:
    """Midnight of the first day of the month after `month`."""
    return month_start(add_months(month, 1))


def month_end(day: dt.date) -> dt.date:
    """The last day of the day's month."""
    return dt.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def month_days(month: str) -> list[str]:
    """Every day of the month as YYYY-MM-DD."""
    year, number = int(month[:4]), int(month[5:7])
    return [f"{month}-{d:02d}" for d in range(1, calendar.monthrange(year, number)[1] + 1)]


def month_name(month: str) -> str:
    """The name of the month of a YYYY-MM string in the session's language ("2026-03" → "March"; Russian
    «март», the nominative, lower case as inside a sentence)."""
    code = current_language()
    if code == DEFAULT_LANGUAGE:
        return calendar.month_name[int(month[5:7])]
    from babel.dates import get_month_names  # only a session that is not in English needs Babel's names

    return get_month_names("wide", "stand-alone", locale=code)[int(month[5:7])]


def check_month(text: str, flag: str = "--as-of") -> str:
    """A YYYY-MM month, or a UsageError naming the flag."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(text or "")):
        raise UsageError(_("{flag} {text!r}: write a month as YYYY-MM").format(flag=flag, text=text))
    return text


def last_complete_month(today: dt.date | None = None) -> str:
    """The month before today's."""
    today = today or dt.date.today()
    return (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")


def day_bound(value: str | dt.date | None, end: bool = False) -> dt.datetime | None:
    """A --from/--to value (YYYY-MM-DD or YYYY-MM) as a local wall-clock bound; `end` gives the exclusive upper
    bound (the next day, or the next month's first day)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        day = value
    else:
        text = str(value)
        try:
            if len(text) == 7:
                return next_month_start(text) if end else month_start(text)
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise UsageError(_("{text!r} is not a date: write YYYY-MM-DD or YYYY-MM").format(text=text)) from None
    if end:
        day = day + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time())


def parse_quarter(text: str) -> tuple[int, int]:
    """(year, quarter) of "YYYYQn", or a UsageError."""
    match = _QUARTER.fullmatch(str(text or "").strip().upper())
    if not match:
        raise UsageError(_("--quarter {text!r}: write a quarter as YYYYQn, e.g. 2026Q3").format(text=text))
    return int(match.group(1)), int(match.group(2))


def quarter_months(quarter: str) -> list[str]:
    """The three months of a quarter."""
    year, q = parse_quarter(quarter)
    return [f"{year:04d}-{3 * (q - 1) + i:02d}" for i in (1, 2, 3)]


def shift_quarter(quarter: str, quarters: int) -> str:
    """The quarter `quarters` quarters after (before, when negative) `quarter`."""
    year, q = parse_quarter(quarter)
    index = year * 4 + q - 1 + quarters
    return f"{index // 4}Q{index % 4 + 1}"
