"""Step 3b, plan: for every mapped field, its raw text, its typed value and the checks that reject a row."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..errors import row_reason
from ..i18n import N_
from ..messages import Message, PluralMessage
from ..schema import (CSAT_WORDS, INBOUND_WORDS, NO_VALUE_KINDS, NO_VALUE_TEXTS, OUTBOUND_WORDS, Field,
                      customer_key_sql, header_unit_seconds)
from ..storage import quote_ident
from . import read
from .parse import (SqlParams, trim_sql, bad_hms_sql, bool_sql, detect_date_format,
                    detect_day_fraction, duration_sql, naive_timestamp_sql, number_sql, timestamp_sql)
from .stage import ImportJob

MAX_TEXT_CHARS = 1_000  # ids, queue, team and agent names; longer values are rejected, not truncated

# Row problem reasons: stored in English (the quarantine, the CLI's CSV files) and shown in the session's language,
# read back into these templates (errors.row_reason).
EMPTY = row_reason(N_("{field} is empty"))
NO_CHANNEL = row_reason(N_("channel is empty, and no channel is given for the whole file"))
TOO_LONG = row_reason(N_("longer than {limit:,} characters: not a {what}"))
NOT_A_NUMBER = row_reason(N_("not a number"))
NOT_WHOLE = row_reason(N_("{field} must be a whole number from {low:g} to {high:g}"))
OUT_OF_RANGE = row_reason(N_("{field} must be between {low:g} and {high:g}"))
NEGATIVE_COUNT = row_reason(N_("{field} cannot be negative"))
NOT_A_PERCENTAGE = row_reason(N_("not a percentage (80.00%, 80 or 0.8)"))
PERCENT_RANGE = row_reason(N_("a percentage must be from 0 to 100"))
NOT_A_TIME = row_reason(N_("not a time of day (HH:MM:SS)"))
NOT_A_DURATION = row_reason(N_("not a duration (seconds, HH:MM:SS, MM:SS or 1 min 5 s)"))
OVER_60 = row_reason(N_("minutes and seconds must be below 60"))
NEGATIVE_DURATION = row_reason(N_("negative duration"))
TIME_RANGE = row_reason(N_("a time of day must be from 0:00:00 to 23:59:59"))
NOT_A_DATE = row_reason(N_("not a date in the column's format ({format})"), translate=("format",))
NOT_YES_NO = row_reason(N_("not a yes/no value (Y/N, Yes/No, True/False, 1/0, Да/Нет)"))
NOT_A_DIRECTION = row_reason(N_("direction must be inbound or outbound"))


@dataclass
class FieldPlan:
    """Per-field SQL over the staged rows, and the rules a row must pass."""
    raw: list[str] = field(default_factory=lambda: ["file_row"])  # raw texts AS raw_<field>
    select: list[str] = field(default_factory=list)  # typed expressions AS <field>
    checks: list[tuple[str, str, str]] = field(default_factory=list)  # (field, condition, reason)
    q: SqlParams = field(default_factory=SqlParams)  # the bind parameters of `select`

    def rule(self, name: str, condition: str, reason: str) -> None:
        """A row where `condition` holds is rejected, naming field `name` and the reason."""
        self.checks.append((name, condition, reason))


# Our own constants (schema.NO_VALUE_TEXTS), written inline: none holds a quote
_NO_VALUE_LIST = ", ".join(f"'{text}'" for text in NO_VALUE_TEXTS if "'" not in text)


def raw_text_sql(columns: list[str], headers: list[str], padded: set[str] | None = None,
                 no_value: dict[str, dict[str, int]] | None = None) -> str:
    """The trimmed text of a field's column (NULL when empty); several columns are joined with ':'.

    `padded` (FileInfo.padded): the staging columns that hold a value with a blank at either end; the others,
    most columns of most files, need no trim (None: trim every column). `no_value` (FileInfo.no_value_cells, for a
    typed field): the staging columns with cells saying there is no value, which are read as empty.
    """
    names = read.column_names(len(headers))
    staged = [names[headers.index(c)] for c in columns]
    parts = [f"NULLIF({trim_sql(quote_ident(n)) if padded is None or n in padded else quote_ident(n)}, '')"
             for n in staged]
    parts = [f"(CASE WHEN {part} IN ({_NO_VALUE_LIST}) THEN NULL ELSE {part} END)" if no_value and n in no_value
             else part for n, part in zip(staged, parts)]
    if len(parts) == 1:
        return parts[0]
    return "CASE WHEN " + " OR ".join(f"{p} IS NULL" for p in parts) + " THEN NULL ELSE " + " || ':' || ".join(parts) + " END"


def plan_fields(job: ImportJob, fields: dict[str, Field]) -> FieldPlan:
    """Raw text, typed value and checks of every mapped field, each by its kind's rules."""
    plan = FieldPlan()
    for name, columns in job.mapping.items():
        f = fields[name]
        no_value = job.info.no_value_cells if f.kind in NO_VALUE_KINDS else None
        raw_inline = raw_text_sql(columns, job.info.headers, job.info.padded, no_value)
        if no_value:
            _report_no_value_cells(job, columns)
        plan.raw.append(f"{raw_inline} AS {quote_ident('raw_' + name)}")
        _PLANNERS[f.kind](plan, job, f, raw_inline, "+".join(columns))
    return plan


def _report_no_value_cells(job: ImportJob, columns: list[str]) -> None:
    """A warning per column of a typed field with cells saying there is no value: read as empty, and said so."""
    names = read.column_names(len(job.info.headers))
    for column in columns:
        cells = job.info.no_value_cells.get(names[job.info.headers.index(column)])
        if cells:
            n = sum(cells.values())
            job.info.warnings.append(PluralMessage(
                "{file}: column {column!r} has {n} cell saying there is no value ({texts}): read as empty",
                "{file}: column {column!r} has {n} cells saying there is no value ({texts}): read as empty", n,
                file=job.display, column=column, texts=", ".join(map(repr, sorted(cells)))))


def parsed_rows_sql(job: ImportJob, plan: FieldPlan) -> tuple[str, list]:
    """Every staged row with its raw texts and its typed values, as SQL and its parameters."""
    return (f"SELECT *, {', '.join(plan.select)} FROM (SELECT {', '.join(plan.raw)} FROM {job.stage})",
            list(plan.q.params))


def create_parsed_rows(job: ImportJob, plan: FieldPlan) -> None:
    """parsed_rows: every staged row with its raw texts and its typed values."""
    job.temps.create("parsed_rows", *parsed_rows_sql(job, plan))


def _plan_text(plan: FieldPlan, job: ImportJob, f: Field, raw_inline: str, label: str) -> None:
    raw = quote_ident("raw_" + f.name)
    # contacts and customers meet on the customer id: a phone number is matched however it is written
    value = customer_key_sql(raw) if f.name == "customer_id" else raw
    plan.select.append(f"{value} AS {quote_ident(f.name)}")
    plan.rule(f.name, f"length({raw}) > {MAX_TEXT_CHARS}",
              TOO_LONG.format(limit=MAX_TEXT_CHARS, what=f.name.replace("_", " ")))


def _plan_number(plan: FieldPlan, job: ImportJob, f: Field, raw_inline: str, label: str) -> None:
    name, raw, typed = f.name, quote_ident("raw_" + f.name), quote_ident(f.name)
    num = number_sql(raw)
    if name == "csat":
        # Word ratings are our own constants (schema.CSAT_WORDS), written inline.
        cases = " ".join(f"WHEN '{w}' THEN {'NULL' if v is None else v}" for w, v in CSAT_WORDS.items())
        num = f"(CASE lower({raw}) {cases} ELSE {num} END)"
        no_response = ", ".join(f"'{w}'" for w, v in CSAT_WORDS.items() if v is None)
        plan.raw[-1] = f"(CASE WHEN lower({raw_inline}) IN ({no_response}) THEN NULL ELSE {raw_inline} END) AS {raw}"
    plan.select.append(f"{num} AS {typed}")
    plan.rule(name, f"{raw} IS NOT NULL AND ({typed} IS NULL OR NOT isfinite({typed}))", NOT_A_NUMBER)
    if f.kind == "integer":
        plan.rule(name, f"isfinite({typed}) AND {typed} <> round({typed})",
                  NOT_WHOLE.format(field=name, low=f.low, high=f.high))
    if f.low is not None:
        plan.rule(name, f"isfinite({typed}) AND ({typed} < {f.low} OR {typed} > {f.high})",
                  OUT_OF_RANGE.format(field=name, low=f.low, high=f.high))


def _plan_count(plan: FieldPlan, job: ImportJob, f: Field, raw_inline: str, label: str) -> None:
    """A count of contacts in an aggregated report: a number of 0 or more (thousands separators removed)."""
    name, raw, typed = f.name, quote_ident("raw_" + f.name), quote_ident(f.name)
    plain = f"regexp_replace({raw}, '[\\s\u00a0\u202f\u2009]', '', 'g')"  # any space between thousands
    # digits only (most counts) skip the space removal, four regex passes over every value
    plan.select.append(f"(CASE WHEN regexp_full_match({raw}, '[0-9]+') THEN TRY_CAST({raw} AS DOUBLE) "
                       f"ELSE {number_sql(plain)} END) AS {typed}")
    plan.rule(name, f"{raw} IS NOT NULL AND ({typed} IS NULL OR NOT isfinite({typed}))", NOT_A_NUMBER)
    plan.rule(name, f"{typed} < 0", NEGATIVE_COUNT.format(field=name))


def _plan_percent(plan: FieldPlan, job: ImportJob, f: Field, raw_inline: str, label: str) -> None:
    """A percentage written 80.00%, 80 or 0.8: a column whose values are all ≤ 1 (none with %) holds fractions."""
    name, raw, typed = f.name, quote_ident("raw_" + f.name), quote_ident(f.name)
    value = number_sql(f"trim(replace({raw}, '%', ''))")
    probe = value.replace(raw, "r")
    with_sign, highest = job.store.fetchone(
        f"SELECT bool_or(contains(r, '%')), max({probe}) FROM (SELECT {raw_inline} AS r FROM {job.stage})")
    fractions = not with_sign and highest is not None and highest <= 1
    plan.select.append(f"({value}{' * 100.0' if fractions else ''}) AS {typed}")
    plan.rule(name, f"{raw} IS NOT NULL AND {typed} IS NULL", NOT_A_PERCENTAGE)
    plan.rule(name, f"{typed} < 0 OR {typed} > 100", PERCENT_RANGE)


def _plan_duration(plan: FieldPlan, job: ImportJob, f: Field, raw_inline: str, label: str) -> None:
    name, raw, typed = f.name, quote_ident("raw_" + f.name), quote_ident(f.name)
    units = {header_unit_seconds(c) for c in job.mapping[name]} if f.kind == "duration" else {1}
    unit = units.pop() if len(units) == 1 else 1
    if unit != 1:  # "First reply time in minutes": its numbers are minutes, never Excel day fractions
        dur = duration_sql(raw, False, unit)
        if unit == 60:
            said = Message("{file}: column {column!r} is in minutes by its header: its numbers are read as minutes",
                           file=job.display, column=label)
        else:
            said = Message("{file}: column {column!r} is in hours by its header: its numbers are read as hours",
                           file=job.display, column=label)
        job.info.warnings.append(said)
    else:
        dur = duration_sql(raw, detect_day_fraction(job.store, raw_inline, job.stage))
    if f.kind == "time":
        iso_time = (f"(CASE WHEN regexp_full_match({raw}, '\\d{{4}}-\\d{{1,2}}-\\d{{1,2}}[ T].*') THEN "
                    f"epoch(TRY_CAST({raw} AS TIMESTAMP) - date_trunc('day', TRY_CAST({raw} AS TIMESTAMP))) END)")
        dur = f"COALESCE({iso_time}, {dur})"
    plan.select.append(f"{dur} AS {typed}")
    plan.rule(name, f"{raw} IS NOT NULL AND ({typed} IS NULL OR NOT isfinite({typed}))",
              NOT_A_TIME if f.kind == "time" else NOT_A_DURATION)
    plan.rule(name, f"{raw} IS NOT NULL AND {bad_hms_sql(raw)}", OVER_60)
    if f.kind == "duration":
        plan.rule(name, f"{typed} < 0", NEGATIVE_DURATION)
    else:
        plan.rule(name, f"{typed} < 0 OR {typed} >= 86400", TIME_RANGE)


def _plan_date(plan: FieldPlan, job: ImportJob, f: Field, raw_inline: str, label: str) -> None:
    name, raw = f.name, quote_ident("raw_" + f.name)
    fmt = detect_date_format(job.store, raw_inline, job.stage, label, job.options.date_format, job.display,
                             workbook=job.info.file_format == "excel")
    if f.kind == "timestamp":
        value = timestamp_sql(plan.q, raw, fmt, job.tz)
    else:
        value = f"CAST({naive_timestamp_sql(plan.q, raw, fmt)} AS DATE)"
    plan.select.append(f"{value} AS {quote_ident(name)}")
    plan.rule(name, f"{raw} IS NOT NULL AND ({quote_ident(name)} IS NULL OR year({quote_ident(name)}) < 1900)",
              NOT_A_DATE.format(format=fmt.label or "ISO 8601"))  # %Y reads "26" as the year 26


def _plan_bool(plan: FieldPlan, job: ImportJob, f: Field, raw_inline: str, label: str) -> None:
    name, raw = f.name, quote_ident("raw_" + f.name)
    plan.select.append(f"{bool_sql(plan.q, raw)} AS {quote_ident(name)}")
    plan.rule(name, f"{raw} IS NOT NULL AND {quote_ident(name)} IS NULL", NOT_YES_NO)


def _plan_direction(plan: FieldPlan, job: ImportJob, f: Field, raw_inline: str, label: str) -> None:
    name, raw, q = f.name, quote_ident("raw_" + f.name), plan.q
    expr = (f"(CASE WHEN {raw} IS NULL THEN 'inbound' "
            f"WHEN list_contains({q.p(list(INBOUND_WORDS))}::VARCHAR[], lower({raw})) THEN 'inbound' "
            f"WHEN list_contains({q.p(list(OUTBOUND_WORDS))}::VARCHAR[], lower({raw})) THEN 'outbound' END)")
    plan.select.append(f"{expr} AS {quote_ident(name)}")
    plan.rule(name, f"{quote_ident(name)} IS NULL", NOT_A_DIRECTION)


def _plan_as_text(plan: FieldPlan, job: ImportJob, f: Field, raw_inline: str, label: str) -> None:
    """Channel and status stay text here: they are looked up in their word tables later (derive)."""
    plan.select.append(f"{quote_ident('raw_' + f.name)} AS {quote_ident(f.name)}")


_PLANNERS: dict[str, Callable[[FieldPlan, ImportJob, Field, str, str], None]] = {
    "text": _plan_text, "number": _plan_number, "integer": _plan_number, "duration": _plan_duration,
    "time": _plan_duration, "timestamp": _plan_date, "date": _plan_date, "bool": _plan_bool,
    "direction": _plan_direction, "channel": _plan_as_text, "status": _plan_as_text, "count": _plan_count,
    "percent": _plan_percent,
}
