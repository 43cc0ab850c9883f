"""Importing contact and customer exports into the store.

The file is read into a staging table of text columns (see readers.py). Column mapping is
automatic from the alias table (schema.py), overridable per import. Every value is then
parsed and validated in SQL; every problem is collected with its row, column and value.
An import lands in one transaction, or not at all.
"""
from __future__ import annotations

import json
import math
import os
import tempfile
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from . import readers
from .errors import ImportRefused, RowProblem, UsageError
from .messages import ControlRef, FieldRef, Message, already_imported
from .schema import (CHANNELS, CSAT_WORDS, FALSE_WORDS, INBOUND_WORDS, OUTBOUND_WORDS, STATUS_OUTCOMES, TRUE_WORDS,
                     UNKNOWN_CUSTOMER_PATTERN, Field, HEADER_INDEX, channel_alias_rows, fields_for,
                     normalise_header, status_word_rows)
from .metrics import refresh_next_contacts
from .storage import Store, quote_ident

ProgressFn = Callable[[float, str], None]

MAX_PROBLEMS_KEPT = 10_000
MAX_TEXT_CHARS = 1_000  # ids, queue, team and agent names; longer values are rejected, not truncated
ON_ERROR_MODES = ("refuse", "quarantine")
KINDS = ("contacts", "customers")
DEFAULT_SOURCE = "default"

_TRIM_CHARS = " \t\r\n\u00a0\ufeff"
_NUMBER_RE = r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?"
_HMS_RE = r"^(-?)(\d+):(\d{1,2}):(\d{1,2}(?:[.,]\d+)?)$"
_MS_RE = r"^(-?)(\d+):(\d{1,2}(?:[.,]\d+)?)$"
_ISO_RE = r"^\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}([.,]\d+)?)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?$"
_OFFSET_RE = r"(Z|[+-]\d{2}:?\d{2}|[+-]\d{2})$"
_YMD_SLASH_RE = r"^\d{4}/\d{1,2}/\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}([.,]\d+)?)?)?$"
_DAY_FIRST_RE = r"^(\d{1,2})([./-])(\d{1,2})[./-](\d{2}|\d{4})([ T]\d{1,2}:\d{2}(:\d{2}([.,]\d+)?)?)?$"
_SERIAL_RE = r"^\d+([.,]\d+)?$"
_TIME_SUFFIXES = ("%H:%M:%S.%f", "%H:%M:%S", "%H:%M")
# Excel serial day numbers accepted as dates: 1954-10-03 … 2119-01-10.
_SERIAL_MIN, _SERIAL_MAX = 20000, 80000


@dataclass
class ImportOptions:
    """What the user said about one import (CLI flags, upload-page widgets, or a preset)."""
    kind: str = "contacts"
    mapping: dict[str, list[str]] = field(default_factory=dict)
    channel: str | None = None
    date_format: str | None = None
    status_map: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    timezone: str | None = None
    on_error: str = "refuse"
    source: str | None = None
    force: bool = False
    preset: str | None = None
    save_preset: str | None = None
    file_name: str | None = None  # the name to report (an upload's original name)
    preview_rows: int | None = None  # dry run: parse this many rows, import nothing
    auto_map: bool = True  # False: only the explicit mapping (the upload page's editor sends all of it)

    PRESET_KEYS = ("kind", "mapping", "channel", "date_format", "status_map", "sheet", "timezone",
                   "on_error", "source", "auto_map")

    def preset_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.PRESET_KEYS}


@dataclass
class ImportReport:
    import_id: int | None
    file_name: str
    kind: str
    source: str
    file: dict
    mapping: dict[str, list[str]]
    rows_read: int = 0
    rows_imported: int = 0
    rows_replaced: int = 0
    rows_skipped: int = 0
    rows_rejected: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    problem_count: int = 0
    warnings: list[str] = field(default_factory=list)
    new_channels: dict[str, int] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    unknown_customer_ids: int = 0
    unknown_statuses: dict[str, int] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)
    preview: object = None  # dry run only: the first parsed rows (a pandas frame)

    def as_dict(self) -> dict:
        out = {k: v for k, v in asdict(self).items() if k != "preview"}
        out["problems"] = [asdict(p) for p in self.problems]
        return out

    def text(self) -> str:
        """The import report as the CLI prints it."""
        f = self.file
        lines = [
            f"Imported {self.file_name} as import #{self.import_id} ({self.kind}, source {self.source!r})",
            f"  file: {f.get('format')}" + "".join(
                f", {k} {v!r}" for k, v in f.items() if k != "format" and v is not None),
            "  mapping: " + ", ".join(f"{k}={'+'.join(v)}" for k, v in self.mapping.items()),
            f"  read: {self.rows_read}",
            f"  imported: {self.rows_imported}",
            f"  replaced: {self.rows_replaced}",
            f"  skipped: {self.rows_skipped}",
            f"  rejected: {self.rows_rejected}" + (" (kept in quarantine)" if self.rows_rejected else ""),
        ]
        if self.ignored_columns:
            lines.append("  columns not imported: " + ", ".join(self.ignored_columns))
        for slug, count in self.new_channels.items():
            lines.append(f"  new channel {slug!r}: {count} contacts (not one of the standard channels)")
        if self.unknown_customer_ids:
            lines.append(f"  customer ids meaning 'not identified' (e.g. 0), stored as empty: "
                         f"{self.unknown_customer_ids}")
        for w in self.warnings:
            lines.append(f"  warning: {w}")
        for p in self.problems[:50]:
            lines.append(f"  rejected: {p}")
        if self.problem_count > 50:
            lines.append(f"  … {self.problem_count - 50} more problems (see `quarantine --import "
                         f"{self.import_id}`)")
        return "\n".join(lines)


# -- presets -------------------------------------------------------------------------------
def save_preset(store: Store, name: str, options: ImportOptions) -> None:
    """Store the mapping and parsing options under a name, for later imports."""
    if not name or not name.strip():
        raise UsageError("a preset needs a name")
    with store.transaction():
        store.execute("DELETE FROM mapping_presets WHERE name = ?", [name])
        store.execute("INSERT INTO mapping_presets VALUES (?, ?, ?, now())",
                      [name, options.kind, json.dumps(options.preset_dict(), ensure_ascii=False)])


def list_presets(store: Store) -> list[dict]:
    return [{"name": r[0], "kind": r[1], **json.loads(r[2])}
            for r in store.fetchall("SELECT name, kind, preset_json FROM mapping_presets ORDER BY name")]


def load_preset(store: Store, name: str) -> dict:
    row = store.fetchone("SELECT preset_json FROM mapping_presets WHERE name = ?", [name])
    if row is None:
        known = [p["name"] for p in list_presets(store)]
        raise UsageError(Message("there is no mapping preset named {name!r}{known}. Save one {save_preset}.",
                                 name=name, save_preset=ControlRef("save_preset"),
                                 known=f"; saved presets: {', '.join(known)}" if known else "; none is saved yet"))
    return json.loads(row[0])


def _merge_preset(store: Store, options: ImportOptions) -> ImportOptions:
    """Explicit options win over the preset's."""
    if not options.preset:
        return options
    preset = load_preset(store, options.preset)
    defaults = ImportOptions()
    merged = ImportOptions(**{k: getattr(options, k) for k in options.__dataclass_fields__})
    for key in ImportOptions.PRESET_KEYS:
        if key in preset and getattr(options, key) == getattr(defaults, key):
            setattr(merged, key, preset[key])
    merged.mapping = {**preset.get("mapping", {}), **options.mapping}
    merged.status_map = {**preset.get("status_map", {}), **options.status_map}
    if options.source is None and preset.get("source") is None:
        merged.source = options.preset
    return merged


# -- mapping -------------------------------------------------------------------------------
def propose_mapping(headers: list[str], kind: str = "contacts") -> dict[str, list[str]]:
    """Automatic mapping from the alias table: field -> [header]."""
    index = HEADER_INDEX[kind]
    mapping: dict[str, list[str]] = {}
    for header in headers:
        target = index.get(normalise_header(header))
        if target and target not in mapping:
            mapping[target] = [header]
    return mapping


def resolve_mapping(headers: list[str], options: ImportOptions, display: str) -> dict[str, list[str]]:
    """Automatic mapping overlaid with the user's; checks every named column exists."""
    known_fields = fields_for(options.kind)
    problems = []
    for name, columns in options.mapping.items():
        if name not in known_fields:
            raise UsageError(Message("{name!r} is not a field of {kind} (mapped {map}); fields are {fields}",
                                     name=name, kind=options.kind, map=ControlRef("map", field=name),
                                     fields=", ".join(known_fields)))
        for column in columns:
            if column not in headers:
                problems.append(RowProblem(display, None, column, None, Message(
                    "the file has no column {column!r} (mapped {map}); its columns are {headers}", column=column,
                    map=ControlRef("map", field=name, column=column), headers=", ".join(map(repr, headers)))))
        if len(columns) > 1 and name != "contact_id":
            raise UsageError(Message("{name!r} was given {count} columns {map}; only contact_id may be composed "
                                     "of several columns", name=name, count=len(columns),
                                     map=ControlRef("map", field=name)))
    if problems:
        raise ImportRefused(f"{display}: the mapping names columns the file does not have.", problems)
    explicit_columns = {c for cols in options.mapping.values() for c in cols}
    auto = {f: cols for f, cols in propose_mapping(headers, options.kind).items()
            if options.auto_map and f not in options.mapping and not set(cols) & explicit_columns}
    mapping = {**auto, **options.mapping}
    if "queued_time" in options.mapping:  # a time column given: the contact time is date + time
        mapping.pop("queued_at", None)
    elif "queued_at" in options.mapping:
        mapping.pop("queued_date", None)
        mapping.pop("queued_time", None)
    elif "queued_date" in options.mapping:
        mapping.pop("queued_at", None)
    elif "queued_at" in mapping and "queued_date" in mapping:
        mapping.pop("queued_date", None)
        mapping.pop("queued_time", None)
    if "queued_date" in mapping and "queued_time" not in mapping:
        # A lone date column may hold whole timestamps (Genesys' "Date"): read it as queued_at.
        mapping["queued_at"] = mapping.pop("queued_date")
    for name, columns in mapping.items():
        for column in columns:
            if f"{column} (2)" in headers:
                positions = [str(i + 1) for i, h in enumerate(headers) if h == column or
                             (h.startswith(f"{column} (") and h.endswith(")"))]
                raise ImportRefused(Message(
                    "{file}: header {column!r} appears more than once (columns {positions}), so it is not clear "
                    "which one to read. Rename one of them in the export, or map the other by its new name "
                    "({renamed!r}) {map}.", file=display, column=column, positions=", ".join(positions),
                    renamed=f"{column} (2)", map=ControlRef("map", field=name)),
                    [RowProblem(display, 1, column, None, "duplicate header")])
    order = list(known_fields)
    return {f: mapping[f] for f in order if f in mapping}


# -- SQL value parsers -----------------------------------------------------------------------
class _Sql:
    """Accumulates SQL text and its bind parameters in order."""

    def __init__(self):
        self.params: list = []

    def p(self, value) -> str:
        self.params.append(value)
        return "?"


def _raw_expr(columns: list[str], headers: list[str]) -> str:
    names = readers.column_names(len(headers))
    parts = [f"NULLIF(trim({quote_ident(names[headers.index(c)])}, '{_TRIM_CHARS}'), '')" for c in columns]
    if len(parts) == 1:
        return parts[0]
    return "CASE WHEN " + " OR ".join(f"{p} IS NULL" for p in parts) + " THEN NULL ELSE " + " || ':' || ".join(parts) + " END"


def _number_sql(raw: str) -> str:
    # Plain numbers take the fast cast; only the rest go through the pattern (decimal comma etc.).
    return (f"(CASE WHEN regexp_full_match({raw}, '[+-]?[0-9]+') THEN TRY_CAST({raw} AS DOUBLE) "
            f"WHEN regexp_full_match({raw}, '{_NUMBER_RE}') "
            f"THEN TRY_CAST(replace({raw}, ',', '.') AS DOUBLE) END)")


def _duration_sql(raw: str, day_fraction: bool) -> str:
    num = _number_sql(raw)
    if day_fraction:
        num = f"({num} * 86400.0)"
    hms = f"regexp_extract({raw}, '{_HMS_RE}', ['sg', 'h', 'm', 's'])"
    ms = f"regexp_extract({raw}, '{_MS_RE}', ['sg', 'm', 's'])"
    return (
        f"(CASE WHEN {raw} IS NULL THEN NULL WHEN NOT contains({raw}, ':') THEN {num} "
        f"WHEN regexp_full_match({raw}, '{_HMS_RE}') THEN "
        f"(CASE WHEN {hms}.sg = '-' THEN -1 ELSE 1 END) * (CAST({hms}.h AS DOUBLE) * 3600 + "
        f"CAST({hms}.m AS DOUBLE) * 60 + CAST(replace({hms}.s, ',', '.') AS DOUBLE)) "
        f"WHEN regexp_full_match({raw}, '{_MS_RE}') THEN "
        f"(CASE WHEN {ms}.sg = '-' THEN -1 ELSE 1 END) * (CAST({ms}.m AS DOUBLE) * 60 + "
        f"CAST(replace({ms}.s, ',', '.') AS DOUBLE)) "
        f"ELSE {num} END)"
    )


def _bad_hms_sql(raw: str) -> str:
    """HH:MM:SS whose minutes or seconds are 60 or more."""
    hms = f"regexp_extract({raw}, '{_HMS_RE}', ['sg', 'h', 'm', 's'])"
    return (f"(regexp_full_match({raw}, '{_HMS_RE}') AND (CAST({hms}.m AS INTEGER) >= 60 OR "
            f"CAST(replace({hms}.s, ',', '.') AS DOUBLE) >= 60))")


@dataclass
class DateFormat:
    """How one date/timestamp column is parsed."""
    kind: str  # iso | strptime | serial | empty
    formats: list[str] = field(default_factory=list)
    label: str = ""


def _classify_dates(store: Store, raw: str, stage: str) -> dict:
    sql = f"""
        SELECT count({raw}) AS filled,
               count(*) FILTER (WHERE regexp_full_match({raw}, '{_ISO_RE}')) AS iso,
               count(*) FILTER (WHERE regexp_full_match({raw}, '{_YMD_SLASH_RE}')) AS ymd_slash,
               count(*) FILTER (WHERE regexp_full_match({raw}, '{_SERIAL_RE}')) AS serial,
               count(*) FILTER (WHERE regexp_full_match({raw}, '{_DAY_FIRST_RE}') AND
                                      regexp_extract({raw}, '{_DAY_FIRST_RE}', 2) = '.') AS dotted,
               count(*) FILTER (WHERE regexp_full_match({raw}, '{_DAY_FIRST_RE}') AND
                                      regexp_extract({raw}, '{_DAY_FIRST_RE}', 2) = '/') AS slashed,
               count(*) FILTER (WHERE regexp_full_match({raw}, '{_DAY_FIRST_RE}') AND
                                      regexp_extract({raw}, '{_DAY_FIRST_RE}', 2) = '-') AS dashed,
               max(TRY_CAST(regexp_extract({raw}, '{_DAY_FIRST_RE}', 1) AS INTEGER)) AS max_first,
               max(TRY_CAST(regexp_extract({raw}, '{_DAY_FIRST_RE}', 3) AS INTEGER)) AS max_second,
               max(CASE WHEN regexp_full_match({raw}, '{_DAY_FIRST_RE}')
                        THEN length(regexp_extract({raw}, '{_DAY_FIRST_RE}', 4)) END) AS year_digits,
               any_value({raw}) FILTER (WHERE regexp_full_match({raw}, '{_DAY_FIRST_RE}')) AS example
        FROM {stage}"""
    return store.records(sql)[0]


def detect_date_format(store: Store, raw: str, stage: str, column: str, user_format: str | None,
                       display: str) -> DateFormat:
    """Decide one format for a whole date/timestamp column from all its values."""
    if user_format:
        return DateFormat("strptime", [f"{user_format} {t}" for t in _TIME_SUFFIXES] + [user_format],
                          label=user_format)
    c = _classify_dates(store, raw, stage)
    if not c["filled"]:
        return DateFormat("empty")
    classes = {k: c[k] for k in ("iso", "ymd_slash", "serial", "dotted", "slashed", "dashed") if c[k]}
    if set(classes) == {"iso", "serial"}:
        # Excel date cells (read as ISO) beside unformatted serial numbers: both are Excel dates.
        return DateFormat("iso_serial", label="ISO 8601 or Excel serial day number")
    if len(classes) > 1:
        shown = ", ".join(f"{n} {k}" for k, n in classes.items())
        raise ImportRefused(Message(
            "{file}: column {column!r} mixes date formats ({shown} values). Give the format {date_format} "
            "(e.g. %d.%m.%Y), or export the column in one format.", file=display, column=column, shown=shown,
            date_format=ControlRef("date_format")),
            [RowProblem(display, None, column, None, f"mixed date formats: {shown}")])
    if not classes:
        return DateFormat("iso", label="ISO 8601")  # every value will be reported as a row problem
    (kind,) = classes
    if kind == "iso":
        return DateFormat("iso", label="ISO 8601 (YYYY-MM-DD)")
    if kind == "serial":
        return DateFormat("serial", label="Excel serial day number")
    if kind == "ymd_slash":
        return DateFormat("strptime", _with_times("%Y/%m/%d"), "YYYY/MM/DD")
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
            [RowProblem(display, None, column, c["example"], "ambiguous day/month order")])
    return DateFormat("strptime", _with_times(day_first), f"DD{sep}MM{sep}YYYY")


def _with_times(date_format: str) -> list[str]:
    return [f"{date_format} {t}" for t in _TIME_SUFFIXES] + [date_format]


def _naive_timestamp_sql(q: _Sql, raw: str, fmt: DateFormat) -> str:
    """A naive (wall-clock) TIMESTAMP, or NULL when the value does not parse."""
    if fmt.kind == "strptime":
        return f"try_strptime({raw}, {q.p(fmt.formats)}::VARCHAR[])"
    if fmt.kind in ("serial", "iso_serial"):
        num = _number_sql(raw)
        serial = (f"(CASE WHEN {num} BETWEEN {_SERIAL_MIN} AND {_SERIAL_MAX} THEN TIMESTAMP '1899-12-30' + "
                  f"to_microseconds(CAST(round({num} * 86400000000) AS BIGINT)) END)")
        if fmt.kind == "serial":
            return serial
        return (f"(CASE WHEN regexp_full_match({raw}, '{_SERIAL_RE}') THEN {serial} "
                f"ELSE TRY_CAST(replace({raw}, ',', '.') AS TIMESTAMP) END)")
    if fmt.kind == "empty":
        return "CAST(NULL AS TIMESTAMP)"
    return f"TRY_CAST(replace({raw}, ',', '.') AS TIMESTAMP)"


def _timestamp_sql(q: _Sql, raw: str, fmt: DateFormat, tz: str) -> str:
    """An instant (TIMESTAMPTZ): naive values are local to `tz`, offsets are honoured."""
    zone = q.p(tz)  # placeholders must be taken in the order they appear in the text
    naive = _naive_timestamp_sql(q, raw, fmt)
    local = f"timezone({zone}, {naive})"
    if fmt.kind in ("iso", "iso_serial"):
        return (f"(CASE WHEN regexp_matches({raw}, '{_OFFSET_RE}') AND regexp_matches({raw}, '\\d:\\d') "
                f"THEN TRY_CAST(replace({raw}, ',', '.') AS TIMESTAMPTZ) ELSE {local} END)")
    return local


def _bool_sql(q: _Sql, raw: str) -> str:
    return (f"(CASE WHEN list_contains({q.p(list(TRUE_WORDS))}::VARCHAR[], lower({raw})) THEN TRUE "
            f"WHEN list_contains({q.p(list(FALSE_WORDS))}::VARCHAR[], lower({raw})) THEN FALSE END)")


def _detect_day_fraction(store: Store, raw: str, stage: str) -> bool:
    """Excel day fractions: every numeric value below 1 and at least one with a fraction."""
    num = _number_sql(raw)
    row = store.fetchone(f"SELECT count({num}), count(*) FILTER (WHERE {num} >= 1), "
                         f"count(*) FILTER (WHERE {num} > 0 AND {num} < 1) FROM {stage}")
    numeric, at_least_one, fractions = row
    return bool(numeric) and at_least_one == 0 and fractions > 0


# -- the import --------------------------------------------------------------------------------
@dataclass
class _Plan:
    """Per-field SQL: the typed value and the checks that reject a row."""
    select: list[str] = field(default_factory=list)       # typed expressions AS name
    checks: list[tuple[str, str, str]] = field(default_factory=list)  # (field, condition, reason)


def _setting(store: Store, key: str) -> str:
    return store.scalar("SELECT value FROM settings WHERE key = ?", [key])


def _check_timezone(store: Store, tz: str) -> None:
    ok = store.scalar("SELECT count(*) FROM pg_timezone_names() WHERE name = ?", [tz])
    if not ok:
        raise UsageError(Message("unknown time zone {tz!r}: give an IANA name such as Europe/Berlin or UTC "
                                 "{timezone}", tz=tz, timezone=ControlRef("timezone")))


def _stage(store: Store, path: Path, display: str, sheet: str | None, limit: int | None = None
           ) -> tuple[readers.FileInfo, str]:
    """Read the file into a new temporary table of text columns c0..cN plus file_row; returns its name.

    Rows whose field count differs from the header's refuse the file (their values cannot be placed).
    """
    structural: list[RowProblem] = []
    if readers.file_kind(display) == "excel":
        info, batches = readers.read_excel(path, display, sheet)
    else:
        info = readers.sniff_csv(path, display)
        batches = readers.iter_csv_batches(path, info, structural)
    if not info.headers:
        raise ImportRefused(f"{display}: no header row was found. The first row must name the columns.")
    stage = f"stage_{uuid.uuid4().hex}"
    names = readers.column_names(len(info.headers))
    cols_ddl = ", ".join(f"{quote_ident(n)} VARCHAR" for n in names)
    store.execute(f"CREATE TEMP TABLE {stage} ({cols_ddl}, file_row BIGINT)")
    try:
        staged = 0
        for batch in batches:
            if limit:
                if staged >= limit:
                    break
                batch = batch.slice(0, limit - staged)
            staged += batch.num_rows
            view = f"batch_{uuid.uuid4().hex}"
            store.register(view, batch)
            try:
                store.execute(f"INSERT INTO {stage} SELECT * FROM {view}")
            finally:
                store.unregister(view)
        if structural:
            raise ImportRefused(f"{display}: {len(structural)} rows do not have the header's number of fields, "
                                "so their values cannot be placed in columns. Nothing was imported.", structural)
    except BaseException:
        store.execute(f"DROP TABLE IF EXISTS {stage}")
        raise
    return info, stage


def import_file(store: Store, path: str | os.PathLike, options: ImportOptions | None = None,
                progress: ProgressFn | None = None) -> ImportReport:
    """Import one file. Raises ImportRefused (store unchanged) or AlreadyImported."""
    options = _merge_preset(store, options or ImportOptions())
    path = Path(path)
    display = options.file_name or path.name
    progress = progress or (lambda fraction, message: None)
    if options.kind not in KINDS:
        raise UsageError(Message("the kind {kind!r} is not one of {kinds}; choose one {control}",
                                 kind=options.kind, kinds=", ".join(KINDS), control=ControlRef("kind")))
    if options.on_error not in ON_ERROR_MODES:
        raise UsageError(Message("the error mode {mode!r} is not one of {modes}; choose one {control}",
                                 mode=options.on_error, modes=", ".join(ON_ERROR_MODES),
                                 control=ControlRef("on_error", mode="|".join(ON_ERROR_MODES))))
    for value, outcome in options.status_map.items():
        if outcome not in STATUS_OUTCOMES:
            raise UsageError(Message("the status value {value!r} is mapped to {outcome!r} {control}; the outcome "
                                     "must be one of {outcomes}", value=value, outcome=outcome,
                                     control=ControlRef("status_map"), outcomes=", ".join(STATUS_OUTCOMES)))
    if not path.exists():
        raise UsageError(f"{display}: no such file")
    tz = options.timezone or _setting(store, "timezone")
    _check_timezone(store, tz)
    source = options.source or DEFAULT_SOURCE

    progress(0.02, "checking whether the file was imported before")
    sha = readers.sha256_of(path)
    if not options.force and not options.preview_rows:
        row = store.fetchone("SELECT import_id, strftime(imported_at, '%Y-%m-%d %H:%M') FROM imports "
                             "WHERE sha256 = ? ORDER BY import_id LIMIT 1", [sha])
        if row:
            raise already_imported(display, row[0], row[1])

    readers.check_size(path, display, float(_setting(store, "max_upload_mb") or 200))
    _crash_point("reading")
    progress(0.05, "reading the file")
    info, stage = _stage(store, path, display, options.sheet, options.preview_rows)
    try:
        rows_read = int(store.scalar(f"SELECT count(*) FROM {stage}"))
        if rows_read == 0:
            raise ImportRefused(f"{display}: the file has a header but no data rows. Export a period that "
                                "has contacts.", [RowProblem(display, info.header_row, None, None, "no data rows")])
        progress(0.35, "parsing and validating values")
        mapping = resolve_mapping(info.headers, options, display)
        if options.kind == "contacts":
            report = _import_contacts(store, stage, info, mapping, options, tz, source, sha, rows_read, progress)
        else:
            report = _import_customers(store, stage, info, mapping, options, tz, source, sha, rows_read, progress)
    finally:
        store.execute(f"DROP TABLE IF EXISTS {stage}")
        store.execute("DROP TABLE IF EXISTS parsed_rows")
        store.execute("DROP TABLE IF EXISTS duplicate_ids")
        store.execute("DROP TABLE IF EXISTS header_rows")
    if options.save_preset and not options.preview_rows:
        save_preset(store, options.save_preset, options)
    progress(1.0, "done")
    return report


def _field_plan(store: Store, q: _Sql, fields: dict[str, Field], mapping: dict[str, list[str]],
                info: readers.FileInfo, options: ImportOptions, tz: str, stage: str, display: str,
                raw_select: list[str]) -> _Plan:
    plan = _Plan()
    for name, columns in mapping.items():
        f = fields[name]
        raw_inline = _raw_expr(columns, info.headers)
        raw_select.append(f"{raw_inline} AS {quote_ident('raw_' + name)}")
        raw = quote_ident("raw_" + name)
        column_label = "+".join(columns)
        if f.kind == "text":
            plan.select.append(f"{raw} AS {quote_ident(name)}")
            plan.checks.append((name, f"length({raw}) > {MAX_TEXT_CHARS}",
                                f"longer than {MAX_TEXT_CHARS:,} characters: not a {name.replace('_', ' ')}"))
        elif f.kind in ("number", "integer"):
            num = _number_sql(raw)
            if name == "csat":
                # Word ratings are our own constants (schema.CSAT_WORDS), written inline.
                cases = " ".join(f"WHEN '{w}' THEN {'NULL' if v is None else v}" for w, v in CSAT_WORDS.items())
                num = f"(CASE lower({raw}) {cases} ELSE {num} END)"
                no_response = ", ".join(f"'{w}'" for w, v in CSAT_WORDS.items() if v is None)
                raw_select[-1] = (f"(CASE WHEN lower({raw_inline}) IN ({no_response}) THEN NULL "
                                  f"ELSE {raw_inline} END) AS {raw}")
            plan.select.append(f"{num} AS {quote_ident(name)}")
            typed = quote_ident(name)
            plan.checks.append((name, f"{raw} IS NOT NULL AND ({typed} IS NULL OR NOT isfinite({typed}))",
                                "not a number"))
            if f.kind == "integer":
                plan.checks.append((name, f"isfinite({typed}) AND {typed} <> round({typed})",
                                    f"{name} must be a whole number from {f.low:g} to {f.high:g}"))
            if f.low is not None:
                plan.checks.append((name, f"isfinite({typed}) AND ({typed} < {f.low} OR {typed} > {f.high})",
                                    f"{name} must be between {f.low:g} and {f.high:g}"))
        elif f.kind in ("duration", "time"):
            frac = _detect_day_fraction(store, raw_inline, stage)
            dur = _duration_sql(raw, frac)
            if f.kind == "time":
                iso_time = (f"(CASE WHEN regexp_full_match({raw}, '\\d{{4}}-\\d{{1,2}}-\\d{{1,2}}[ T].*') THEN "
                            f"epoch(TRY_CAST({raw} AS TIMESTAMP) - date_trunc('day', TRY_CAST({raw} AS TIMESTAMP))) END)")
                dur = f"COALESCE({iso_time}, {dur})"
            plan.select.append(f"{dur} AS {quote_ident(name)}")
            what = "a time of day (HH:MM:SS)" if f.kind == "time" else "a duration (seconds, HH:MM:SS or MM:SS)"
            typed = quote_ident(name)
            plan.checks.append((name, f"{raw} IS NOT NULL AND ({typed} IS NULL OR NOT isfinite({typed}))",
                                f"not {what}"))
            plan.checks.append((name, f"{raw} IS NOT NULL AND {_bad_hms_sql(raw)}",
                                "minutes and seconds must be below 60"))
            if f.kind == "duration":
                plan.checks.append((name, f"{typed} < 0", "negative duration"))
            else:
                plan.checks.append((name, f"{typed} < 0 OR {typed} >= 86400",
                                    "a time of day must be from 0:00:00 to 23:59:59"))
        elif f.kind in ("timestamp", "date"):
            fmt = detect_date_format(store, raw_inline, stage, column_label, options.date_format, display)
            if f.kind == "timestamp":
                value = _timestamp_sql(q, raw, fmt, tz)
            else:
                value = f"CAST({_naive_timestamp_sql(q, raw, fmt)} AS DATE)"
            plan.select.append(f"{value} AS {quote_ident(name)}")
            plan.checks.append((name, f"{raw} IS NOT NULL AND {quote_ident(name)} IS NULL",
                                f"not a date in the column's format ({fmt.label or 'ISO 8601'})"))
        elif f.kind == "bool":
            b = _bool_sql(q, raw)
            plan.select.append(f"{b} AS {quote_ident(name)}")
            plan.checks.append((name, f"{raw} IS NOT NULL AND {quote_ident(name)} IS NULL",
                                "not a yes/no value (Y/N, Yes/No, True/False, 1/0, Да/Нет)"))
        elif f.kind == "direction":
            expr = (f"(CASE WHEN {raw} IS NULL THEN 'inbound' "
                    f"WHEN list_contains({q.p(list(INBOUND_WORDS))}::VARCHAR[], lower({raw})) THEN 'inbound' "
                    f"WHEN list_contains({q.p(list(OUTBOUND_WORDS))}::VARCHAR[], lower({raw})) THEN 'outbound' END)")
            plan.select.append(f"{expr} AS {quote_ident(name)}")
            plan.checks.append((name, f"{quote_ident(name)} IS NULL", "direction must be inbound or outbound"))
        elif f.kind in ("channel", "status"):
            plan.select.append(f"{raw} AS {quote_ident(name)}")
    return plan


def _collect_problems(store: Store, plan: _Plan, mapping: dict[str, list[str]], display: str,
                      where_live: str) -> tuple[list[RowProblem], int]:
    """Every (row, column, value, reason), ordered by row; and the total count."""
    if not plan.checks:
        return [], 0
    condition_columns = {c for _, c, _ in plan.checks}
    unions = []
    params: list = []
    for name, condition, reason in plan.checks:
        if condition != "repeats_header" and "repeats_header" in condition_columns:
            condition = f"NOT repeats_header AND ({condition})"  # a repeated header is one problem, not many
        value = quote_ident("raw_" + name) if name in mapping else "NULL"
        unions.append(f"SELECT file_row, ? AS field, CAST({value} AS VARCHAR) AS value, ? AS reason "
                      f"FROM parsed_rows WHERE {where_live} AND ({condition})")
        params += ["+".join(mapping.get(name, [name])), reason]
    body = " UNION ALL ".join(unions)
    store.execute(f"CREATE OR REPLACE TEMP TABLE row_problems AS {body}", params)
    total = int(store.scalar("SELECT count(*) FROM row_problems"))
    rows = store.fetchall(f"SELECT file_row, field, value, reason FROM row_problems ORDER BY file_row, field "
                          f"LIMIT {MAX_PROBLEMS_KEPT}")
    return [RowProblem(display, r[0], r[1], r[2], r[3]) for r in rows], total


def _import_contacts(store: Store, stage: str, info: readers.FileInfo, mapping: dict[str, list[str]],
                     options: ImportOptions, tz: str, source: str, sha: str, rows_read: int,
                     progress: ProgressFn) -> ImportReport:
    display = info.file_name
    fields = fields_for("contacts")
    warnings = list(info.warnings)
    if "queued_at" not in mapping and "queued_date" not in mapping:
        raise ImportRefused(Message(
            "{file}: no column gives the contact time. Map one {map_at}, or map a date column {map_date} together "
            "with a time column {map_time}. Columns: {headers}", file=display,
            map_at=ControlRef("map", field="queued_at"), map_date=ControlRef("map", field="queued_date"),
            map_time=ControlRef("map", field="queued_time"), headers=", ".join(map(repr, info.headers))))
    if "channel" not in mapping and not options.channel:
        raise ImportRefused(Message(
            "{file}: no column gives the channel. Give one channel for the whole file {channel} ({channels}), "
            "or map the channel column {map}.", file=display, channel=ControlRef("channel"),
            channels=", ".join(CHANNELS), map=ControlRef("map", field="channel")))
    q = _Sql()
    raw_select = ["file_row"]
    plan = _field_plan(store, q, fields, mapping, info, options, tz, stage, display, raw_select)
    names = readers.column_names(len(info.headers))
    compared = [(c, h.lower()) for c, h in zip(names, info.headers) if not h.startswith("column ")]
    match = " AND ".join(f"lower(trim(coalesce({quote_ident(c)}, ''), '{_TRIM_CHARS}')) = ?" for c, _ in compared)
    store.execute(f"CREATE OR REPLACE TEMP TABLE header_rows AS SELECT file_row FROM {stage} "
                  f"WHERE {match or 'FALSE'}", [h for _, h in compared])
    raw_select.append("file_row IN (SELECT file_row FROM header_rows) AS repeats_header")
    if "contact_id" not in mapping:
        others = [c for c in info.headers]
        raw_select.append("'row:' || md5(concat_ws(chr(31), " + ", ".join(
            f"coalesce({quote_ident(n)}, '')" for n in readers.column_names(len(others))) + ")) AS raw_contact_id")
        plan.select.append("raw_contact_id AS contact_id")
        warnings.append(Message("no contact id column: each contact's id is derived from its row contents, so "
                                "re-importing the same rows replaces them. Map one {map} if the export has it.",
                                map=ControlRef("map", field="contact_id")))
    store.execute(f"CREATE OR REPLACE TEMP TABLE parsed_rows AS SELECT *, {', '.join(plan.select)} "
                  f"FROM (SELECT {', '.join(raw_select)} FROM {stage})", q.params)
    progress(0.5, "checking values")

    # status words: built-in plus the import's own; unknown values refuse the import
    status_rows = status_word_rows() + [(k.strip().lower(), v) for k, v in options.status_map.items()]
    store.execute("CREATE OR REPLACE TEMP TABLE status_words (word VARCHAR, outcome VARCHAR)")
    store.execute("DELETE FROM status_words")
    store.cursor().executemany("INSERT INTO status_words VALUES (?, ?)",
                               list({w: (w, o) for w, o in status_rows}.values()))
    unknown_statuses: dict[str, int] = {}
    if "status" in mapping:
        unknown = store.fetchall(
            "SELECT p.status, count(*) FROM parsed_rows p LEFT JOIN status_words s ON lower(p.status) = s.word "
            "WHERE p.status IS NOT NULL AND s.word IS NULL GROUP BY 1 ORDER BY 2 DESC, 1")
        if unknown and options.preview_rows:
            unknown_statuses = {v: n for v, n in unknown}
        elif unknown:
            column = "+".join(mapping["status"])
            listed = ", ".join(f"{v!r} ({n} rows)" for v, n in unknown)
            raise ImportRefused(Message(
                "{file}: column {column!r} has status values that cannot be read as answered, abandoned or "
                "skip: {listed}. Say how each counts {status_map}.", file=display, column=column, listed=listed,
                status_map=ControlRef("status_map")),
                [RowProblem(display, None, column, v, f"unknown status value ({n} rows)") for v, n in unknown])
    # channel aliases
    store.execute("CREATE OR REPLACE TEMP TABLE channel_words (word VARCHAR, slug VARCHAR)")
    store.execute("DELETE FROM channel_words")
    store.cursor().executemany("INSERT INTO channel_words VALUES (?, ?)", list(dict(
        ((w, (w, s)) for w, s in channel_alias_rows())).values()))
    constant_channel = None
    if options.channel:
        constant_channel = store.scalar(
            "SELECT coalesce(max(slug), regexp_replace(lower(trim(?)), '\\s+', '_', 'g')) FROM channel_words "
            "WHERE word = lower(trim(?))", [options.channel, options.channel])

    ch = _Sql()
    channel_raw = "p.channel" if "channel" in mapping else "CAST(NULL AS VARCHAR)"
    channel_expr = (f"coalesce(cw.slug, regexp_replace(lower({channel_raw}), '\\s+', '_', 'g'), "
                    f"{ch.p(constant_channel)})")
    status_expr = "sw.outcome" if "status" in mapping else "CAST(NULL AS VARCHAR)"

    def col(name: str, default: str = "NULL") -> str:
        return f"p.{quote_ident(name)}" if name in mapping else default

    handle_parts = [n for n in ("talk_seconds", "hold_seconds", "wrap_seconds") if n in mapping]
    if "handle_seconds" in mapping:
        handle = "p.handle_seconds"
        if handle_parts:
            handle = f"coalesce(p.handle_seconds, {_sum_parts(handle_parts)})"
    elif handle_parts:
        handle = _sum_parts(handle_parts)
    else:
        handle = "CAST(NULL AS DOUBLE)"
    answered_chain = []
    if "answered" in mapping:
        answered_chain.append("p.answered")
    answered_chain.append(f"(CASE {status_expr} WHEN 'answered' THEN TRUE WHEN 'abandoned' THEN FALSE END)")
    if "answered_at" in mapping:
        answered_chain.append("(p.answered_at IS NOT NULL)")
    answered_chain.append(f"({handle} > 0)")
    answered_chain.append("FALSE")
    abandoned_chain = []
    if "abandoned" in mapping:
        abandoned_chain.append("p.abandoned")
    abandoned_chain.append("(CASE outcome_d WHEN 'abandoned' THEN TRUE WHEN 'answered' THEN FALSE END)")
    abandoned_chain.append("NOT answered_d")
    if "queued_at" in mapping:
        queued = "p.queued_at"
    else:
        time_part = "coalesce(p.queued_time, 0)" if "queued_time" in mapping else "0"
        queued = (f"timezone({ch.p(tz)}, CAST(p.queued_date AS TIMESTAMP) + "
                  f"to_microseconds(CAST(round({time_part} * 1000000) AS BIGINT)))")
    customer = "CAST(NULL AS VARCHAR)"
    if "customer_id" in mapping:
        customer = (f"(CASE WHEN regexp_full_match(lower(p.customer_id), {ch.p(UNKNOWN_CUSTOMER_PATTERN)}) "
                    f"THEN NULL ELSE p.customer_id END)")
    wait = col("wait_seconds", "CAST(NULL AS DOUBLE)")
    derived_wait = []
    if "answered_at" in mapping:
        derived_wait.append("WHEN answered_d THEN epoch(p.answered_at - queued_d)")
    if "ended_at" in mapping:
        derived_wait.append("WHEN abandoned_d THEN epoch(p.ended_at - queued_d)")
    if derived_wait:
        wait = f"coalesce({wait}, CASE {' '.join(derived_wait)} END)"
    nps = "CAST(p.nps AS INTEGER)" if "nps" in mapping else "CAST(NULL AS INTEGER)"

    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE parsed_rows AS
        SELECT *, {wait} AS wait_d, {handle} AS handle_d
        FROM (
            SELECT *, coalesce({', '.join(abandoned_chain)}) AS abandoned_d
            FROM (
                SELECT p.*, {channel_expr} AS channel_d, {status_expr} AS outcome_d,
                       {queued} AS queued_d, {customer} AS customer_d,
                       coalesce({', '.join(answered_chain)}) AS answered_d,
                       {nps} AS nps_d,
                       (cw.slug IS NULL AND {channel_raw} IS NOT NULL) AS channel_is_new
                FROM parsed_rows p
                LEFT JOIN channel_words cw ON lower({channel_raw}) = cw.word
                LEFT JOIN status_words sw ON {'lower(p.status)' if 'status' in mapping else 'NULL'} = sw.word
            ) p
        ) p""", ch.params)
    # Rules that need the derived values.
    plan.checks.append(("contact_id", "contact_id IS NULL", "contact_id is empty"))
    if "queued_at" in mapping:
        plan.checks.append(("queued_at", "raw_queued_at IS NULL", "queued_at is empty"))
    else:
        plan.checks.append(("queued_date", "raw_queued_date IS NULL", "queued_date is empty"))
    plan.checks.append(("channel", "channel_d IS NULL", "channel is empty, and no channel is given for the whole file"))
    plan.checks.append(("queued_at" if "queued_at" in mapping else "queued_date",
                        "queued_d > now() + INTERVAL 1 DAY", "the contact time is in the future"))
    plan.checks.append(("contact_id", "repeats_header",
                        "the row repeats the header (were two exports joined into one file?)"))
    plan.checks.append(("abandoned", "answered_d AND abandoned_d",
                        "the contact is marked both answered and abandoned"))
    plan.checks.append(("wait_seconds", "wait_d < 0 AND raw_wait_seconds IS NULL" if "wait_seconds" in mapping
                        else "wait_d < 0",
                        "derived wait is negative (answered or ended before it was queued)"))
    plan.checks.append(("contact_id", "contact_id IN (SELECT contact_id FROM duplicate_ids)",
                        "the same contact_id appears more than once in this file"))
    # Skipped rows (status 'skip') are left out before duplicates are looked for.
    store.execute("CREATE OR REPLACE TEMP TABLE parsed_rows AS "
                  "SELECT *, outcome_d IS DISTINCT FROM 'skip' AS live FROM parsed_rows")
    store.execute("CREATE OR REPLACE TEMP TABLE duplicate_ids AS SELECT contact_id FROM parsed_rows "
                  "WHERE live AND contact_id IS NOT NULL GROUP BY contact_id HAVING count(*) > 1")
    problems, total = _collect_problems(store, plan, mapping, display, "live")
    rows_skipped = int(store.scalar("SELECT count(*) FROM parsed_rows WHERE NOT live"))
    rejected = int(store.scalar("SELECT count(DISTINCT file_row) FROM row_problems")) if plan.checks else 0
    if rejected and options.on_error == "refuse" and not options.preview_rows:
        raise ImportRefused(Message(
            "{file}: {rejected} of {read} rows are invalid ({total} problems), so nothing was imported. Fix them in "
            "the file, or import the valid rows {quarantine} (the invalid rows are kept in quarantine with their "
            "reasons).", file=display, rejected=rejected, read=rows_read, total=total,
            quarantine=ControlRef("on_error")), problems, total=total)
    _crash_point("parsed")
    progress(0.65, "writing to the store")

    unknown_customers = 0
    if "customer_id" in mapping:
        unknown_customers = int(store.scalar(
            "SELECT count(*) FROM parsed_rows WHERE live AND customer_id IS NOT NULL AND customer_d IS NULL"))
    new_channels = dict(store.fetchall(
        "SELECT channel_d, count(*) FROM parsed_rows WHERE live AND channel_is_new AND channel_d IS NOT NULL "
        "AND file_row NOT IN (SELECT file_row FROM row_problems) GROUP BY 1 ORDER BY 1"))
    ignored = [h for h in info.headers if not any(h in cols for cols in mapping.values())]
    report = ImportReport(None, display, "contacts", source, info.describe(), mapping, rows_read=rows_read,
                          rows_skipped=rows_skipped, rows_rejected=rejected, problems=problems,
                          problem_count=total, warnings=warnings, new_channels=new_channels,
                          ignored_columns=ignored, unknown_customer_ids=unknown_customers,
                          headers=list(info.headers))
    if "answered" not in mapping and "status" not in mapping and "answered_at" not in mapping and not (
            handle_parts or "handle_seconds" in mapping):
        report.warnings.append(Message(
            "no column says whether a contact was answered ({answered}, {status}, {answered_at} or a handle time): "
            "every contact counts as not answered.", answered=FieldRef("answered"), status=FieldRef("status"),
            answered_at=FieldRef("answered_at")))

    report.unknown_statuses = unknown_statuses
    if options.preview_rows:
        report.preview = store.df(f"""
            SELECT file_row AS row, contact_id, channel_d AS channel, {col('direction', "'inbound'")} AS direction,
                   timezone(?, queued_d) AS queued_at, answered_d AS answered, abandoned_d AS abandoned,
                   wait_d AS wait_seconds, handle_d AS handle_seconds, customer_d AS customer_id,
                   {col('resolved')} AS resolved, {col('csat')} AS csat, nps_d AS nps, {col('ces')} AS ces,
                   {col('queue')} AS queue, {col('team')} AS team, {col('agent')} AS agent,
                   CASE WHEN NOT live THEN 'skipped' WHEN file_row IN (SELECT file_row FROM row_problems)
                        THEN 'rejected' ELSE 'ok' END AS outcome
            FROM parsed_rows p ORDER BY file_row""", [tz])
        return report
    valid = "live AND file_row NOT IN (SELECT file_row FROM row_problems)"
    with store.transaction():
        _recheck_not_imported(store, sha, display, options)
        import_id = int(store.scalar("SELECT nextval('import_id_seq')"))
        report.import_id = import_id
        store.execute(f"""CREATE OR REPLACE TEMP TABLE new_contacts AS
            SELECT ? AS source, contact_id, ? AS import_id, file_row, channel_d AS channel,
                   {col('direction', "'inbound'")} AS direction, queued_d AS queued_at,
                   timezone(?, queued_d) AS queued_local,
                   {col('answered_at')} AS answered_at, {col('ended_at')} AS ended_at,
                   answered_d AS answered, abandoned_d AS abandoned, wait_d AS wait_seconds,
                   {col('talk_seconds')} AS talk_seconds, {col('hold_seconds')} AS hold_seconds,
                   {col('wrap_seconds')} AS wrap_seconds, handle_d AS handle_seconds, customer_d AS customer_id,
                   {col('resolved')} AS resolved, {col('csat')} AS csat, nps_d AS nps, {col('ces')} AS ces,
                   {col('queue')} AS queue, {col('team')} AS team, {col('agent')} AS agent,
                   {col('status')} AS status, CAST(NULL AS TIMESTAMPTZ) AS next_contact_at
            FROM parsed_rows p WHERE {valid}""", [source, import_id, tz])
        replaced = int(store.scalar(
            "SELECT count(*) FROM contacts c SEMI JOIN new_contacts n ON c.source = n.source "
            "AND c.contact_id = n.contact_id"))
        if replaced:
            store.execute("INSERT INTO contacts_replaced SELECT c.*, ? FROM contacts c SEMI JOIN new_contacts n "
                          "ON c.source = n.source AND c.contact_id = n.contact_id", [import_id])
            store.execute("DELETE FROM contacts c USING new_contacts n WHERE c.source = n.source "
                          "AND c.contact_id = n.contact_id")
        store.execute("INSERT INTO contacts BY NAME SELECT * FROM new_contacts")
        refresh_next_contacts(store, "SELECT customer_id FROM new_contacts UNION ALL SELECT customer_id FROM "
                                     "contacts_replaced WHERE replaced_by = ?", [import_id])
        imported = int(store.scalar("SELECT count(*) FROM new_contacts"))
        report.rows_imported, report.rows_replaced = imported, replaced
        _quarantine(store, import_id, info, stage)
        _record_import(store, report, sha)
        store.execute("DROP TABLE IF EXISTS new_contacts")
        _crash_point("committing")
    return report


def _recheck_not_imported(store: Store, sha: str, display: str, options: ImportOptions) -> None:
    """Under the write lock: the same file sent twice at once lands exactly once."""
    if options.force:
        return
    row = store.fetchone("SELECT import_id, strftime(imported_at, '%Y-%m-%d %H:%M') FROM imports "
                         "WHERE sha256 = ? ORDER BY import_id LIMIT 1", [sha])
    if row:
        raise already_imported(display, row[0], row[1])


def _crash_point(name: str) -> None:
    """Test hook: CXMETRICS_CRASH_AT=name kills the process here (the crash-safety tests use it)."""
    if os.environ.get("CXMETRICS_CRASH_AT") == name:
        import signal
        os.kill(os.getpid(), signal.SIGKILL)


def _sum_parts(parts: list[str]) -> str:
    nulls = " AND ".join(f"p.{quote_ident(n)} IS NULL" for n in parts)
    total = " + ".join(f"coalesce(p.{quote_ident(n)}, 0)" for n in parts)
    return f"(CASE WHEN {nulls} THEN NULL ELSE {total} END)"


def _quarantine(store: Store, import_id: int, info: readers.FileInfo, stage: str) -> None:
    """Keep every rejected row, raw, with all its reasons."""
    names = readers.column_names(len(info.headers))
    params: list = []
    pairs = []
    for header, name in zip(info.headers, names):
        pairs.append(f"?, s.{quote_ident(name)}")
        params.append(header)
    raw_json = f"CAST(json_object({', '.join(pairs)}) AS VARCHAR)" if pairs else "'{}'"
    store.execute(f"""
        INSERT INTO quarantine
        SELECT ?, s.file_row, r.columns, r.reasons, {raw_json}
        FROM (SELECT file_row, string_agg(field, '; ' ORDER BY field, reason) AS columns,
                     string_agg(reason, '; ' ORDER BY field, reason) AS reasons
              FROM row_problems GROUP BY file_row) r
        JOIN {stage} s USING (file_row)""", [import_id] + params)


def _record_import(store: Store, report: ImportReport, sha: str) -> None:
    store.execute(
        "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, now(), ?, ?, ?, ?, ?, ?)",
        [report.import_id, report.file_name, sha, report.kind, report.source,
         json.dumps(report.mapping, ensure_ascii=False), report.rows_read, report.rows_imported,
         report.rows_replaced, report.rows_skipped, report.rows_rejected,
         json.dumps({"file": report.file, "warnings": report.warnings, "new_channels": report.new_channels,
                     "ignored_columns": report.ignored_columns}, ensure_ascii=False)])


def _import_customers(store: Store, stage: str, info: readers.FileInfo, mapping: dict[str, list[str]],
                      options: ImportOptions, tz: str, source: str, sha: str, rows_read: int,
                      progress: ProgressFn) -> ImportReport:
    display = info.file_name
    fields = fields_for("customers")
    if "customer_id" not in mapping:
        raise ImportRefused(Message("{file}: no column gives the customer id. Map it {map}. Columns: {headers}",
                                    file=display, map=ControlRef("map", field="customer_id"),
                                    headers=", ".join(map(repr, info.headers))))
    q = _Sql()
    raw_select = ["file_row"]
    plan = _field_plan(store, q, fields, mapping, info, options, tz, stage, display, raw_select)
    if "churned_on" not in mapping:
        plan.select.append("CAST(NULL AS DATE) AS churned_on")
    store.execute(f"CREATE OR REPLACE TEMP TABLE parsed_rows AS SELECT *, TRUE AS live, {', '.join(plan.select)} "
                  f"FROM (SELECT {', '.join(raw_select)} FROM {stage})", q.params)
    store.execute("CREATE OR REPLACE TEMP TABLE duplicate_ids AS SELECT customer_id FROM parsed_rows "
                  "WHERE customer_id IS NOT NULL GROUP BY customer_id HAVING count(*) > 1")
    plan.checks.append(("customer_id", "customer_id IS NULL", "customer_id is empty"))
    plan.checks.append(("customer_id", "customer_id IN (SELECT customer_id FROM duplicate_ids)",
                        "the same customer_id appears more than once in this file"))
    problems, total = _collect_problems(store, plan, mapping, display, "live")
    rejected = int(store.scalar("SELECT count(DISTINCT file_row) FROM row_problems"))
    if rejected and options.on_error == "refuse" and not options.preview_rows:
        raise ImportRefused(Message(
            "{file}: {rejected} of {read} rows are invalid ({total} problems), so nothing was imported. Fix them, "
            "or import the valid rows {quarantine}.", file=display, rejected=rejected, read=rows_read, total=total,
            quarantine=ControlRef("on_error")), problems, total=total)
    ignored = [h for h in info.headers if not any(h in cols for cols in mapping.values())]
    report = ImportReport(None, display, "customers", source, info.describe(), mapping, rows_read=rows_read,
                          rows_rejected=rejected, problems=problems, problem_count=total,
                          warnings=list(info.warnings), ignored_columns=ignored, headers=list(info.headers))
    if options.preview_rows:
        report.preview = store.df("SELECT file_row AS row, customer_id, churned_on FROM parsed_rows ORDER BY 1")
        return report
    with store.transaction():
        _recheck_not_imported(store, sha, display, options)
        import_id = int(store.scalar("SELECT nextval('import_id_seq')"))
        report.import_id = import_id
        store.execute("""CREATE OR REPLACE TEMP TABLE new_customers AS
            SELECT customer_id, churned_on, ? AS import_id, file_row FROM parsed_rows
            WHERE file_row NOT IN (SELECT file_row FROM row_problems)""", [import_id])
        replaced = int(store.scalar("SELECT count(*) FROM customers c SEMI JOIN new_customers n USING (customer_id)"))
        if replaced:
            store.execute("INSERT INTO customers_replaced SELECT c.*, ? FROM customers c "
                          "SEMI JOIN new_customers n USING (customer_id)", [import_id])
            store.execute("DELETE FROM customers c USING new_customers n WHERE c.customer_id = n.customer_id")
        store.execute("INSERT INTO customers SELECT * FROM new_customers")
        report.rows_imported = int(store.scalar("SELECT count(*) FROM new_customers"))
        report.rows_replaced = replaced
        _quarantine(store, import_id, info, stage)
        _record_import(store, report, sha)
        store.execute("DROP TABLE IF EXISTS new_customers")
    return report


# -- history, undo, quarantine --------------------------------------------------------------------
def list_imports(store: Store) -> list[dict]:
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
    table, history = ("contacts", "contacts_replaced") if kind == "contacts" else ("customers", "customers_replaced")
    with store.transaction():
        if kind == "contacts":
            store.execute("CREATE OR REPLACE TEMP TABLE undo_customers AS SELECT customer_id FROM contacts "
                          "WHERE import_id = ? UNION SELECT customer_id FROM contacts_replaced WHERE replaced_by = ?",
                          [import_id, import_id])
        removed = int(store.scalar(f"SELECT count(*) FROM {table} WHERE import_id = ?", [import_id]))
        store.execute(f"DELETE FROM {table} WHERE import_id = ?", [import_id])
        store.execute(f"DELETE FROM {history} WHERE import_id = ?", [import_id])
        restored = int(store.scalar(f"SELECT count(*) FROM {history} WHERE replaced_by = ?", [import_id]))
        store.execute(f"INSERT INTO {table} SELECT * EXCLUDE (replaced_by) FROM {history} WHERE replaced_by = ?",
                      [import_id])
        store.execute(f"DELETE FROM {history} WHERE replaced_by = ?", [import_id])
        store.execute("DELETE FROM quarantine WHERE import_id = ?", [import_id])
        store.execute("DELETE FROM imports WHERE import_id = ?", [import_id])
        if kind == "contacts":
            refresh_next_contacts(store, "SELECT customer_id FROM undo_customers")
            store.execute("DROP TABLE undo_customers")
    return {"import_id": import_id, "file_name": row[1], "removed": removed, "restored": restored}


def quarantined_rows(store: Store, import_id: int | None = None) -> list[dict]:
    rows = store.records(
        "SELECT q.import_id, i.file_name, q.file_row, q.columns, q.reason, q.raw_json FROM quarantine q "
        "LEFT JOIN imports i USING (import_id) WHERE ? IS NULL OR q.import_id = ? "
        "ORDER BY q.import_id, q.file_row", [import_id, import_id])
    return rows


@contextmanager
def _upload_file(data: bytes, file_name: str):
    """An upload written to a private temporary folder under a fixed name: the user's name never becomes a path."""
    safe_suffix = "".join(ch for ch in Path(file_name).suffix.lower() if ch.isalnum() or ch == ".")[:8]
    with tempfile.TemporaryDirectory(prefix="cxmetrics-upload-") as tmp:
        path = Path(tmp) / f"upload{safe_suffix}"
        path.write_bytes(data)
        yield path


def import_bytes(store: Store, data: bytes, file_name: str, options: ImportOptions | None = None,
                 progress: ProgressFn | None = None) -> ImportReport:
    """Import an upload: written to a private temp file under a safe name, then imported."""
    options = options or ImportOptions()
    with _upload_file(data, file_name) as path:
        options.file_name = Path(file_name).name or "upload"
        return import_file(store, path, options, progress)


def preview_bytes(store: Store, data: bytes, file_name: str, options: ImportOptions | None = None,
                  rows: int = 20) -> ImportReport:
    """A dry run on the first rows of an upload: detection, mapping, parsed values, problems. Writes nothing."""
    from dataclasses import replace

    return import_bytes(store, data, file_name, replace(options or ImportOptions(), preview_rows=rows))


def inspect_bytes(data: bytes, file_name: str, kind: str = "contacts", sheet: str | None = None
                  ) -> tuple[readers.FileInfo, dict[str, list[str]]]:
    """Detection only (encoding, delimiter, sheet, headers) and the proposed mapping; values are not parsed."""
    with _upload_file(data, file_name) as path:
        info = readers.sniff(path, Path(file_name).name, sheet)
    return info, resolve_mapping(info.headers, ImportOptions(kind=kind), info.file_name)


def column_values_bytes(store: Store, data: bytes, file_name: str, column: str, sheet: str | None = None,
                        limit: int = 200) -> list[tuple[str, int]]:
    """Distinct values of one column over the whole upload, most frequent first (e.g. its status words)."""
    with _upload_file(data, file_name) as path:
        info, stage = _stage(store, path, Path(file_name).name, sheet)
    try:
        if column not in info.headers:
            return []
        name = quote_ident(readers.column_names(len(info.headers))[info.headers.index(column)])
        return store.fetchall(f"SELECT trim({name}), count(*) FROM {stage} WHERE trim({name}) <> '' "
                              f"GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {int(limit)}")
    finally:
        store.execute(f"DROP TABLE IF EXISTS {stage}")


def status_outcome(value: str, status_map: dict[str, str] | None = None) -> str | None:
    """How a status value counts: the import's own map first, then the built-in words."""
    for key, outcome in (status_map or {}).items():
        if key.strip().lower() == value.strip().lower():
            return outcome
    return dict(status_word_rows()).get(value.strip().lower())


PARSER_KINDS = ("duration", "number", "bool", "timestamp")


def parse_values(store: Store, kind: str, values: list[str], date_format: str | None = None,
                 timezone: str = "UTC") -> list:
    """Run one of the importer's SQL value parsers over a list of texts (None where a value is invalid).

    The same expressions an import uses; for tests and for checking a sample of values.
    Raises ImportRefused when a date column cannot be read at all (ambiguous or mixed formats).
    """
    if kind not in PARSER_KINDS:
        raise UsageError(f"kind must be one of {', '.join(PARSER_KINDS)}")
    table = f"values_{uuid.uuid4().hex}"
    store.execute(f"CREATE TEMP TABLE {table} AS SELECT ordinality AS i, "
                  f"NULLIF(trim(v, '{_TRIM_CHARS}'), '') AS raw FROM unnest(?::VARCHAR[]) WITH ORDINALITY AS t(v)",
                  [list(values)])
    try:
        q = _Sql()
        if kind == "duration":
            expr = _duration_sql("raw", _detect_day_fraction(store, "raw", table))
        elif kind == "number":
            expr = _number_sql("raw")
        elif kind == "bool":
            expr = _bool_sql(q, "raw")
        else:
            fmt = detect_date_format(store, "raw", table, "value", date_format, "values")
            expr = _timestamp_sql(q, "raw", fmt, timezone)
        rows = store.fetchall(f"SELECT {expr} FROM {table} ORDER BY i", q.params)
    finally:
        store.execute(f"DROP TABLE IF EXISTS {table}")
    out = []
    for (value,) in rows:
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        out.append(value)
    return out
