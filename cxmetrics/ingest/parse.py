"""Step 3, parse: SQL that turns the staged text into typed values, one format decision per column.

Every expression reads a raw text expression (a quoted column or alias); the values the user gives
(date formats, time zones, word lists) are bind parameters collected in order by `SqlParams`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..errors import ImportRefused, RowProblem, UsageError
from ..i18n import N_, _
from ..messages import ControlRef, Message
from ..schema import FALSE_WORDS, TRUE_WORDS
from ..storage import Store, TempTable

TRIM_CHARS = " \t\r\n\u00a0\ufeff"
_TRIM_LIST = ", ".join(f"'{ch}'" for ch in TRIM_CHARS)


def trim_sql(expr: str) -> str:
    """`expr` without the blanks of TRIM_CHARS at either end.

    DuckDB's trim with a character set costs about four times a plain comparison, and almost no value
    has such a blank, so the set is applied only to a value that starts or ends with one.
    """
    return (f"(CASE WHEN {expr}[1] IN ({_TRIM_LIST}) OR {expr}[-1] IN ({_TRIM_LIST}) "
            f"THEN trim({expr}, '{TRIM_CHARS}') ELSE {expr} END)")
_NUMBER_RE = r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?"
_HMS_RE = r"^(-?)(\d+):(\d{1,2}):(\d{1,2}(?:[.,]\d+)?)$"
_MS_RE = r"^(-?)(\d+):(\d{1,2}(?:[.,]\d+)?)$"
# A duration written with its units, as help desks and Russian PBX reports do: "12 s", "1 min 5 s", "1h 5m",
# "5 мин. 3 сек", "2 ч 10 мин", "1 д 2 ч 10 мин", "3 дн. 4 ч"
_UNIT_AMOUNT = r"(\d+(?:[.,]\d+)?)\s*"
_UNITS_RE = ("(?i)^(?:" + _UNIT_AMOUNT + r"(?:d|days?|д|дн|день|дня|дней)\.?)?\s*"
             "(?:" + _UNIT_AMOUNT + r"(?:h|hr|hrs|hours?|ч|час|часа|часов)\.?)?\s*"
             "(?:" + _UNIT_AMOUNT + r"(?:m|min|mins|minutes?|м|мин|минута|минуты|минут)\.?)?\s*"
             "(?:" + _UNIT_AMOUNT + r"(?:s|sec|secs|seconds?|с|сек|секунда|секунды|секунд)\.?)?$")
_ISO_RE = r"^\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}([.,]\d+)?)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?$"
_OFFSET_RE = r"(Z|[+-]\d{2}:?\d{2}|[+-]\d{2})$"
_YMD_SLASH_RE = r"^\d{4}/\d{1,2}/\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}([.,]\d+)?)?(\s?[AaPp][Mm])?)?$"
# A time of day may carry AM/PM (US exports: 3/14/2026 2:05:33 PM).
_DAY_FIRST_RE = r"^(\d{1,2})([./-])(\d{1,2})[./-](\d{2}|\d{4})([ T]\d{1,2}:\d{2}(:\d{2}([.,]\d+)?)?(\s?[AaPp][Mm])?)?$"
_SERIAL_RE = r"^\d+([.,]\d+)?$"
# English month names (US, Oracle-style and Jira exports): "Mar 2, 2026 9:07 AM", "March 2 2026", "02-Mar-2026 14:05",
# "2 Mar 26", "02/Mar/26 9:05 AM"; DuckDB's strptime reads the names in any case
_MONTH_NAME = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
_TIME_OF_DAY = r"([ T]\d{1,2}:\d{2}(:\d{2}([.,]\d+)?)?(\s?[AaPp][Mm])?)?"
_MONTH_FIRST_RE = r"(?i)^" + _MONTH_NAME + r" \d{1,2},? \d{4}" + _TIME_OF_DAY + "$"
_DAY_MONTH_RE = r"(?i)^\d{1,2}[ /-]" + _MONTH_NAME + r"[ /-]\d{4}" + _TIME_OF_DAY + "$"
_DAY_MONTH_YY_RE = r"(?i)^\d{1,2}[ /-]" + _MONTH_NAME + r"[ /-]\d{2}" + _TIME_OF_DAY + "$"
# Russian month names, as 1C and CRM reports write dates: "2 марта 2026", "02 мар. 2026 10:05", "2 марта 2026 г.
# 10:05:00", "02-мар-2026". strptime knows English names only: the name becomes its number, then DD.MM.YYYY is read.
_RU_MONTH = (r"(?:январ[ья]|янв|феврал[ья]|фев|марта?|мар|апрел[ья]|апр|ма[йя]|июн[ья]|июн|июл[ья]|июл|августа?|авг|"
             r"сентябр[ья]|сент|сен|октябр[ья]|окт|ноябр[ья]|нояб|ноя|декабр[ья]|дек)")
_RU_MONTH_RE = (r"(?i)^(\d{1,2})[ ./-](" + _RU_MONTH + r")\.?[ ./-](\d{4})(?:\s*г\.?)?,?"
                r"([ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?$")
# the first three letters of each month's name, by its number ("мая" is read as "май")
_RU_MONTH_KEYS = ["янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"]
RU_MONTH_LABEL = "D месяца YYYY"
# Each month-name kind: its strptime date formats (with every time of day) and the label messages show
_MONTH_NAME_FORMATS = {
    "month_first": ([f"{m} %d{comma} %Y" for m in ("%b", "%B") for comma in (",", "")], "Mon D, YYYY"),
    "day_month": ([f"%d{sep}{m}{sep}%Y" for m in ("%b", "%B") for sep in ("-", " ", "/")], "DD-Mon-YYYY"),
    "day_month_yy": ([f"%d{sep}{m}{sep}%y" for m in ("%b", "%B") for sep in ("-", " ", "/")], "DD-Mon-YY"),
}
_TIME_SUFFIXES = ("%H:%M:%S.%f", "%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p", "%I:%M:%S%p", "%I:%M%p")
# Compact dates written as digits only, by length: every reading a column of them may have.
_COMPACT_DATES = {6: (("%y%m%d", "YYMMDD"), ("%d%m%y", "DDMMYY"), ("%m%d%y", "MMDDYY")),
                  8: (("%Y%m%d", "YYYYMMDD"), ("%d%m%Y", "DDMMYYYY"), ("%m%d%Y", "MMDDYYYY"))}
# Excel serial day numbers accepted as dates: 1954-10-03 … 2119-01-10.
_SERIAL_MIN, _SERIAL_MAX = 20000, 80000
# Names of date formats a reason or message shows (marked N_(): translated where shown)
ISO_DATE = N_("ISO 8601 (YYYY-MM-DD)")
ISO_OR_SERIAL = N_("ISO 8601 or Excel serial day number")
ISO_OR_DOTTED = N_("ISO 8601 or DD.MM.YYYY")
EXCEL_SERIAL = N_("Excel serial day number")


class SqlParams:
    """The bind parameters of one SQL text, in the order their placeholders appear in it."""

    def __init__(self):
        self.params: list = []

    def p(self, value) -> str:
        """A placeholder for `value`; take them in the order they appear in the text."""
        self.params.append(value)
        return "?"


def number_sql(raw: str) -> str:
    """A DOUBLE from a number's text (decimal point or comma, exponent), NULL when it is not one."""
    # Plain numbers take the fast cast; only the rest go through the pattern (decimal comma etc.).
    return (f"(CASE WHEN regexp_full_match({raw}, '[+-]?[0-9]+') THEN TRY_CAST({raw} AS DOUBLE) "
            f"WHEN regexp_full_match({raw}, '{_NUMBER_RE}') "
            f"THEN TRY_CAST(replace({raw}, ',', '.') AS DOUBLE) END)")


def duration_sql(raw: str, day_fraction: bool, unit_seconds: int = 1) -> str:
    """Seconds from seconds, HH:MM:SS, MM:SS or units ("1 min 5 s", "5 мин 3 сек"); `day_fraction` reads plain
    numbers as Excel day fractions, `unit_seconds` as minutes (60) or hours (3600)."""
    num = number_sql(raw)
    if day_fraction:
        num = f"({num} * 86400.0)"
    elif unit_seconds != 1:  # a column whose header says minutes or hours (schema.header_unit_seconds)
        num = f"({num} * {int(unit_seconds)}.0)"
    hms = f"regexp_extract({raw}, '{_HMS_RE}', ['sg', 'h', 'm', 's'])"
    ms = f"regexp_extract({raw}, '{_MS_RE}', ['sg', 'm', 's'])"
    units = f"regexp_extract({raw}, '{_UNITS_RE}', ['d', 'h', 'm', 's'])"
    unit_seconds = " + ".join(f"coalesce(TRY_CAST(replace({units}.{part}, ',', '.') AS DOUBLE), 0) * {factor}"
                              for part, factor in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)))
    # a value that is not a number is tried as one written with its units (plain numbers never get that far)
    return (
        f"(CASE WHEN {raw} IS NULL THEN NULL WHEN NOT contains({raw}, ':') THEN coalesce({num}, "
        f"CASE WHEN regexp_full_match({raw}, '{_UNITS_RE}') THEN {unit_seconds} END) "
        f"WHEN regexp_full_match({raw}, '{_HMS_RE}') THEN "
        f"(CASE WHEN {hms}.sg = '-' THEN -1 ELSE 1 END) * (CAST({hms}.h AS DOUBLE) * 3600 + "
        f"CAST({hms}.m AS DOUBLE) * 60 + CAST(replace({hms}.s, ',', '.') AS DOUBLE)) "
        f"WHEN regexp_full_match({raw}, '{_MS_RE}') THEN "
        f"(CASE WHEN {ms}.sg = '-' THEN -1 ELSE 1 END) * (CAST({ms}.m AS DOUBLE) * 60 + "
        f"CAST(replace({ms}.s, ',', '.') AS DOUBLE)) "
        f"ELSE {num} END)"
    )


def bad_hms_sql(raw: str) -> str:
    """HH:MM:SS whose minutes or seconds are 60 or more."""
    hms = f"regexp_extract({raw}, '{_HMS_RE}', ['sg', 'h', 'm', 's'])"
    return (f"(regexp_full_match({raw}, '{_HMS_RE}') AND (CAST({hms}.m AS INTEGER) >= 60 OR "
            f"CAST(replace({hms}.s, ',', '.') AS DOUBLE) >= 60))")


@dataclass
class DateFormat:
    """How one date/timestamp column is parsed."""
    kind: str  # iso | iso_serial | iso_dotted | strptime | serial | empty
    formats: list[str] = field(default_factory=list)
    label: str = ""


def _date_kind_tests(raw: str) -> dict[str, str]:
    """The SQL test of each date pattern a column's values may have, by the pattern's code."""
    day_first = f"regexp_full_match({raw}, '{_DAY_FIRST_RE}') AND regexp_extract({raw}, '{_DAY_FIRST_RE}', 2)"
    return {"iso": f"regexp_full_match({raw}, '{_ISO_RE}')",
            "ymd_slash": f"regexp_full_match({raw}, '{_YMD_SLASH_RE}')",
            "serial": f"regexp_full_match({raw}, '{_SERIAL_RE}')",
            "dotted": f"{day_first} = '.'", "slashed": f"{day_first} = '/'", "dashed": f"{day_first} = '-'",
            "month_first": f"regexp_full_match({raw}, '{_MONTH_FIRST_RE}')",
            "day_month": f"regexp_full_match({raw}, '{_DAY_MONTH_RE}')",
            "day_month_yy": f"regexp_full_match({raw}, '{_DAY_MONTH_YY_RE}')",
            "ru_month": f"regexp_full_match({raw}, '{_RU_MONTH_RE}')"}


def _classify_dates(store: Store, raw: str, stage: TempTable) -> dict:
    """How many of the column's values fit each date pattern, the first row and value of each, and the largest
    day/month parts seen."""
    per_kind = ",\n".join(f"count(*) FILTER (WHERE {test}) AS {kind}, "
                          f"arg_min({raw}, file_row) FILTER (WHERE {test}) AS first_{kind}, "
                          f"min(file_row) FILTER (WHERE {test}) AS first_row_{kind}"
                          for kind, test in _date_kind_tests(raw).items())
    sql = f"""
        SELECT count({raw}) AS filled,
               {per_kind},
               max(TRY_CAST(regexp_extract({raw}, '{_DAY_FIRST_RE}', 1) AS INTEGER)) AS max_first,
               max(TRY_CAST(regexp_extract({raw}, '{_DAY_FIRST_RE}', 3) AS INTEGER)) AS max_second,
               max(CASE WHEN regexp_full_match({raw}, '{_DAY_FIRST_RE}')
                        THEN length(regexp_extract({raw}, '{_DAY_FIRST_RE}', 4)) END) AS year_digits,
               any_value({raw}) FILTER (WHERE regexp_full_match({raw}, '{_DAY_FIRST_RE}')) AS example
        FROM {stage}"""
    return store.records(sql)[0]


def detect_date_format(store: Store, raw: str, stage: TempTable, column: str, user_format: str | None,
                       display: str, workbook: bool = False) -> DateFormat:
    """Decide one format for a whole date/timestamp column from all its values (`workbook`: read from a sheet, whose
    date cells arrive as ISO text)."""
    if user_format:
        return DateFormat("strptime", _with_times(user_format), label=user_format)
    # Most columns are plain ISO: one pattern over the values settles it before the full classification.
    filled, iso = store.fetchone(f"SELECT count({raw}), count(*) FILTER (WHERE regexp_full_match({raw}, '{_ISO_RE}')) "
                                 f"FROM {stage}")
    if filled and iso == filled:
        return DateFormat("iso", label=ISO_DATE)
    c = _classify_dates(store, raw, stage)
    if not c["filled"]:
        return DateFormat("empty")
    classes = {k: c[k] for k in ("iso", "ymd_slash", "serial", "dotted", "slashed", "dashed", *_MONTH_NAME_FORMATS,
                                 "ru_month") if c[k]}
    if set(classes) == {"iso", "serial"}:
        # Excel date cells (read as ISO) beside unformatted serial numbers: both are Excel dates.
        return DateFormat("iso_serial", label=ISO_OR_SERIAL)
    if workbook and set(classes) == {"iso", "dotted"}:
        # Excel date cells (read as ISO) beside dates typed as text in the sheet's own DD.MM.YYYY: in the sheet they
        # look alike, and each form reads one way only (a dotted date is always day-first), so both are read. In a
        # text file the two forms are visible, and a mix is refused as any other (README "Values").
        year = "%Y" if (c["year_digits"] or 4) == 4 else "%y"
        return DateFormat("iso_dotted", _with_times(f"%d.%m.{year}"), label=ISO_OR_DOTTED)
    if len(classes) > 1:
        most, count = max(classes.items(), key=lambda item: item[1])
        if count * 2 <= c["filled"]:  # no format holds most of the values: which one is meant is not for us to say
            shown = ", ".join(f"{n} {k}" for k, n in classes.items())  # the classes are named by their codes
            examples = ", ".join(_("row {row}: {value!r}").format(row=c[f"first_row_{kind}"], value=c[f"first_{kind}"])
                                 for kind in classes)
            raise ImportRefused(Message(
                "{file}: column {column!r} mixes date formats ({shown} values: {examples}). Correct the rows of one "
                "format to the other's, or give the format to read {date_format} (the values in another format are "
                "then refused by row).", file=display, column=column, shown=shown, examples=examples,
                date_format=ControlRef("date_format")),
                [RowProblem(display, None, column, None, Message("mixed date formats: {shown}", shown=shown))])
        # Most values share one format: the column is read in it, and each other value is refused as a row
        # problem with its row and value (so it can be corrected or set aside with the rest of the file imported).
        classes = {most: count}
    if not classes:
        return DateFormat("iso", label="ISO 8601")  # every value will be reported as a row problem
    (kind,) = classes
    if kind == "iso":
        return DateFormat("iso", label=ISO_DATE)
    if kind == "serial":
        return _serial_or_compact(store, raw, stage, column, display)
    if kind == "ymd_slash":
        return DateFormat("strptime", _with_times("%Y/%m/%d"), "YYYY/MM/DD")
    if kind == "ru_month":
        return DateFormat("ru_month", _with_times("%d.%m.%Y"), RU_MONTH_LABEL)
    if kind in _MONTH_NAME_FORMATS:
        formats, label = _MONTH_NAME_FORMATS[kind]
        return DateFormat("strptime", [f for date in formats for f in _with_times(date)], label)
    sep = {"dotted": ".", "slashed": "/", "dashed": "-"}[kind]
    year = "%Y" if (c["year_digits"] or 4) == 4 else "%y"
    first, second = c["max_first"] or 0, c["max_second"] or 0
    day_first = f"%d{sep}%m{sep}{year}"
    month_first = f"%m{sep}%d{sep}{year}"
    if first > 12 and second <= 12:
        return DateFormat("strptime", _with_times(day_first), f"DD{sep}MM{sep}YYYY")
    if second > 12 and first <= 12:
        return DateFormat("strptime", _with_times(month_first), f"MM{sep}DD{sep}YYYY")
    if first <= 12 and second <= 12 and sep == ".":
        # Dotted dates are day-first wherever they are written (DD.MM.YYYY); no MM.DD convention exists.
        return DateFormat("strptime", _with_times(day_first), f"DD{sep}MM{sep}YYYY")
    if first <= 12 and second <= 12:
        raise ImportRefused(Message(
            "{file}: column {column!r} is ambiguous: every date (e.g. {example!r}) reads both as DD{sep}MM and as "
            "MM{sep}DD. Give the format ({day_first} or {month_first}) {date_format}.", file=display,
            column=column, example=c["example"], sep=sep, day_first=day_first, month_first=month_first,
            date_format=ControlRef("date_format")),
            [RowProblem(display, None, column, c["example"], Message("ambiguous day/month order"))])
    return DateFormat("strptime", _with_times(day_first), f"DD{sep}MM{sep}YYYY")


def _serial_or_compact(store: Store, raw: str, stage: TempTable, column: str, display: str) -> DateFormat:
    """Digits only: Excel serial day numbers, or compact dates (990201, 20260314). Every reading that parses
    every value is a candidate; one is taken, several are named in the refusal with the control that picks."""
    lengths = store.fetchall(f"SELECT DISTINCT length({raw}) FROM {stage} WHERE {raw} IS NOT NULL")
    width = lengths[0][0] if len(lengths) == 1 else None
    q = SqlParams()
    tests = [f"count(*) FILTER (WHERE {number_sql(raw)} BETWEEN {_SERIAL_MIN} AND {_SERIAL_MAX})"]
    readings = [("serial", EXCEL_SERIAL)]
    for fmt, label in _COMPACT_DATES.get(width, ()):
        tests.append(f"count(try_strptime({raw}, {q.p(fmt)}))")
        readings.append((fmt, label))
    counts = store.fetchone(f"SELECT count({raw}), {', '.join(tests)} FROM {stage}", q.params)
    fits = [reading for reading, n in zip(readings, counts[1:]) if n == counts[0]]
    if len(fits) > 1:
        names = _(" or ").join(f"{_(label)} ({fmt})" if fmt != "serial" else _(label) for fmt, label in fits)
        raise ImportRefused(Message(
            "{file}: column {column!r} reads several ways: {names}. Give the format {date_format} "
            "(e.g. {example}), or export the dates as YYYY-MM-DD.", file=display, column=column, names=names,
            example=next(fmt for fmt, _label in fits if fmt != "serial"), date_format=ControlRef("date_format")),
            [RowProblem(display, None, column, None, Message("several readings: {names}", names=names))])
    fmt, label = fits[0] if fits else readings[0]
    if fmt == "serial":
        return DateFormat("serial", label=label)
    return DateFormat("strptime", [fmt], label=label)


def _with_times(date_format: str) -> list[str]:
    """The date format followed by each accepted time of day, then alone."""
    return [f"{date_format} {t}" for t in _TIME_SUFFIXES] + [date_format]


def naive_timestamp_sql(q: SqlParams, raw: str, fmt: DateFormat) -> str:
    """A naive (wall-clock) TIMESTAMP, or NULL when the value does not parse."""
    if fmt.kind == "strptime":
        return f"try_strptime({raw}, {q.p(fmt.formats)}::VARCHAR[])"
    if fmt.kind in ("serial", "iso_serial"):
        num = number_sql(raw)
        serial = (f"(CASE WHEN {num} BETWEEN {_SERIAL_MIN} AND {_SERIAL_MAX} THEN TIMESTAMP '1899-12-30' + "
                  f"to_microseconds(CAST(round({num} * 86400000000) AS BIGINT)) END)")
        if fmt.kind == "serial":
            return serial
        return (f"(CASE WHEN regexp_full_match({raw}, '{_SERIAL_RE}') THEN {serial} "
                f"ELSE TRY_CAST(replace({raw}, ',', '.') AS TIMESTAMP) END)")
    if fmt.kind == "ru_month":
        parts = f"regexp_extract({raw}, '{_RU_MONTH_RE}', ['d', 'month', 'y', 't'])"
        month = f"list_position({q.p(_RU_MONTH_KEYS)}::VARCHAR[], replace(left(lower({parts}.month), 3), 'мая', 'май'))"
        dotted = f"{parts}.d || '.' || {month} || '.' || {parts}.y || replace({parts}.t, 'T', ' ')"
        return f"try_strptime({dotted}, {q.p(fmt.formats)}::VARCHAR[])"
    if fmt.kind == "empty":
        return "CAST(NULL AS TIMESTAMP)"
    if fmt.kind == "iso_dotted":
        return (f"(CASE WHEN regexp_full_match({raw}, '^\\d{{1,2}}\\.\\d{{1,2}}\\.\\d.*') "
                f"THEN try_strptime({raw}, {q.p(fmt.formats)}::VARCHAR[]) "
                f"ELSE TRY_CAST(replace({raw}, ',', '.') AS TIMESTAMP) END)")
    return f"TRY_CAST(replace({raw}, ',', '.') AS TIMESTAMP)"


def timestamp_sql(q: SqlParams, raw: str, fmt: DateFormat, tz: str) -> str:
    """An instant (TIMESTAMPTZ): naive values are local to `tz`, offsets are honoured."""
    zone = q.p(tz)  # placeholders must be taken in the order they appear in the text
    naive = naive_timestamp_sql(q, raw, fmt)
    local = f"timezone({zone}, {naive})"
    if fmt.kind in ("iso", "iso_serial", "iso_dotted"):
        return (f"(CASE WHEN regexp_matches({raw}, '{_OFFSET_RE}') AND regexp_matches({raw}, '\\d:\\d') "
                f"THEN TRY_CAST(regexp_replace(replace({raw}, ',', '.'), '\\s+{_OFFSET_RE}', '\\1') AS TIMESTAMPTZ) "
                f"ELSE {local} END)")  # DuckDB reads "+0300" only right after the time, as ISO writes it
    return local


def bool_sql(q: SqlParams, raw: str) -> str:
    """TRUE or FALSE from the yes/no words of schema.TRUE_WORDS and FALSE_WORDS, NULL for anything else."""
    return (f"(CASE WHEN list_contains({q.p(list(TRUE_WORDS))}::VARCHAR[], lower({raw})) THEN TRUE "
            f"WHEN list_contains({q.p(list(FALSE_WORDS))}::VARCHAR[], lower({raw})) THEN FALSE END)")


def detect_day_fraction(store: Store, raw: str, stage: TempTable) -> bool:
    """Excel day fractions: every numeric value below 1 and at least one with a fraction."""
    num = number_sql(raw)
    row = store.fetchone(f"SELECT count({num}), count(*) FILTER (WHERE {num} >= 1), "
                         f"count(*) FILTER (WHERE {num} > 0 AND {num} < 1) FROM {stage}")
    numeric, at_least_one, fractions = row
    return bool(numeric) and at_least_one == 0 and fractions > 0


PARSER_KINDS = ("duration", "number", "bool", "timestamp")


def parse_values(store: Store, kind: str, values: list[str], date_format: str | None = None,
                 timezone: str = "UTC") -> list:
    """Run one of the importer's SQL value parsers over a list of texts (None where a value is invalid).

    The same expressions an import uses; for tests and for checking a sample of values.
    Raises ImportRefused when a date column cannot be read at all (ambiguous or mixed formats).
    """
    if kind not in PARSER_KINDS:
        raise UsageError(_("kind must be one of {kinds}").format(kinds=", ".join(PARSER_KINDS)))
    with store.temp_tables() as temps:
        table = temps.create("values", f"SELECT ordinality AS file_row, NULLIF(trim(v, '{TRIM_CHARS}'), '') AS raw "
                             "FROM unnest(?::VARCHAR[]) WITH ORDINALITY AS t(v)", [list(values)], unique=True)
        q = SqlParams()
        if kind == "duration":
            expr = duration_sql("raw", detect_day_fraction(store, "raw", table))
        elif kind == "number":
            expr = number_sql("raw")
        elif kind == "bool":
            expr = bool_sql(q, "raw")
        else:
            fmt = detect_date_format(store, "raw", table, "value", date_format, "values")
            expr = timestamp_sql(q, "raw", fmt, timezone)
        rows = store.fetchall(f"SELECT {expr} FROM {table} ORDER BY file_row", q.params)
    out = []
    for (value,) in rows:
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        out.append(value)
    return out
