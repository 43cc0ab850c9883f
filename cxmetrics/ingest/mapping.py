"""Step 2, map: which column of the file feeds which field (the alias table, overlaid with the user's)."""
from __future__ import annotations

from ..errors import ImportRefused, RowProblem, UsageError
from ..messages import ControlRef, Message
from ..schema import (CUSTOMER_NAME_HEADERS, CUSTOMER_PHONE_HEADERS, HEADER_INDEX, SCORE_FIELD_NAMES,
                      TIME_OF_DAY_BESIDE_A_DATE, fields_for, header_threshold, normalise_header, status_word_rows)
from .options import ImportOptions


def propose_mapping(headers: list[str], kind: str = "contacts") -> dict[str, list[str]]:
    """Automatic mapping from the alias table: field -> [header]."""
    mapping: dict[str, list[str]] = {}
    # Asterisk's CDR: its "channel" (PJSIP/1001-00000001) is the call leg's line, not the contact's channel
    asterisk_cdr = {"dstchannel", "lastapp"} <= {normalise_header(h) for h in headers}
    for header in headers:
        key = header_threshold(header)[0] if kind == "aggregated" else header
        target = _field_of(key, kind)
        if asterisk_cdr and target == "channel" and normalise_header(header) == "channel":
            continue
        if target and target not in mapping:
            mapping[target] = [header]
        elif (target == "customer_id" and normalise_header(header) in _PHONE_KEYS
              and normalise_header(mapping[target][0]) in _NAME_KEYS):
            mapping[target] = [header]  # "Клиент" may be a company's name; its phone is what a call log holds
    return mapping


_PHONE_KEYS = {normalise_header(h) for h in CUSTOMER_PHONE_HEADERS}
_NAME_KEYS = {normalise_header(h) for h in CUSTOMER_NAME_HEADERS}


def _field_of(header: str, kind: str) -> str | None:
    """The alias table's field for a header. A header marked % whose words alone are a field's alias is that field
    only when the field is a percentage ("Abandonment rate (%)"): "Abandoned %" is not the abandoned count."""
    index = HEADER_INDEX[kind]
    target = index.get(normalise_header(header))
    if target is None and "%" in header:
        plain = index.get(normalise_header(header.replace("%", "")))
        field = fields_for(kind).get(plain) if plain else None
        if field is not None and field.kind == "percent":
            target = plain
    return target


_REPORT_FIELDS = ("offered", "answered", "abandoned", "answered_within", "asa", "aht", "talk_mean",
                  "service_level_pct", "abandon_rate_pct", "wait_total_s", "handle_total_s")


def detect_kind(headers: list[str]) -> str:
    """"aggregated" for a report (count and average columns, no contact id), "scores" for a survey export (contact
    ids and scores only), "customers" for a customers export (a customer id and a churn date, nothing of a
    contact), else "contacts"."""
    contact = propose_mapping(headers, "contacts")
    report = propose_mapping(headers, "aggregated")
    counted = [f for f in _REPORT_FIELDS if f in report]
    if "contact_id" not in contact and len(counted) >= 2 and ("answered" in report or "offered" in report):
        return "aggregated"
    if ("contact_id" in contact and any(f in contact for f in SCORE_FIELD_NAMES)
            and not any(f in contact for f in _CONTACT_EVENT_FIELDS)):
        return "scores"  # ids and scores, and nothing of the contact itself: a survey export
    customers = propose_mapping(headers, "customers")
    if ({"customer_id", "churned_on"} <= set(customers) and "contact_id" not in contact
            and not any(f in contact for f in _CONTACT_EVENT_FIELDS)):
        return "customers"
    return "contacts"


# What a contact-level row has and a survey export has not: when, how long, how it ended
_CONTACT_EVENT_FIELDS = ("queued_at", "queued_date", "answered_at", "ended_at", "answered", "abandoned",
                         "wait_seconds", "talk_seconds", "hold_seconds", "wrap_seconds", "handle_seconds", "status")


def resolve_mapping(headers: list[str], options: ImportOptions, display: str) -> dict[str, list[str]]:
    """Automatic mapping overlaid with the user's; checks every named column exists."""
    known_fields = fields_for(options.kind)
    _check_explicit_mapping(headers, options, display, known_fields)
    # --map FIELD= (no column): the field is left unmapped, whatever the headers propose
    explicit = {f: cols for f, cols in options.mapping.items() if cols != [""]}
    explicit_columns = {c for cols in explicit.values() for c in cols}
    auto = {f: cols for f, cols in propose_mapping(headers, options.kind).items()
            if options.auto_map and f not in options.mapping and not set(cols) & explicit_columns}
    mapping = {**auto, **explicit}
    mapping = _one_period_time(mapping, explicit) if options.kind == "aggregated" else \
        _one_contact_time(mapping, explicit)
    _refuse_duplicate_headers(headers, mapping, display)
    return {f: mapping[f] for f in known_fields if f in mapping}


def _check_explicit_mapping(headers: list[str], options: ImportOptions, display: str, known_fields) -> None:
    """The user's mapping names known fields and columns the file has; only contact_id is composed."""
    problems = []
    for name, columns in options.mapping.items():
        if name not in known_fields:
            raise UsageError(Message("{name!r} is not a field of {kind} (mapped {map}); fields are {fields}",
                                     name=name, kind=options.kind, map=ControlRef("map", field=name),
                                     fields=", ".join(known_fields)))
        if columns == [""]:  # left unmapped on purpose
            continue
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
        raise ImportRefused(Message("{file}: the mapping names columns the file does not have.", file=display),
                            problems)


def _one_contact_time(mapping: dict[str, list[str]], explicit: dict[str, list[str]]) -> dict[str, list[str]]:
    """Keep one way of giving the contact time: a timestamp, or a date with a time (the user's choice wins)."""
    mapping = dict(mapping)
    if "queued_time" in explicit:  # a time column given: the contact time is date + time
        mapping.pop("queued_at", None)
    elif "queued_at" in explicit:
        mapping.pop("queued_date", None)
        mapping.pop("queued_time", None)
    elif "queued_date" in explicit:
        mapping.pop("queued_at", None)
    elif "queued_at" in mapping and "queued_date" in mapping:
        if "queued_time" not in mapping and normalise_header(mapping["queued_at"][0]) in TIME_OF_DAY_BESIDE_A_DATE:
            mapping["queued_time"] = mapping.pop("queued_at")  # "Дата" + "Время": a date and a time of day
        else:
            mapping.pop("queued_date", None)
            mapping.pop("queued_time", None)
    if "queued_date" in mapping and "queued_time" not in mapping:
        # A lone date column may hold whole timestamps (Genesys' "Date"): read it as queued_at.
        mapping["queued_at"] = mapping.pop("queued_date")
    return mapping


def _one_period_time(mapping: dict[str, list[str]], explicit: dict[str, list[str]]) -> dict[str, list[str]]:
    """A report's period: one start column, or a date column with a time column (a time makes the start a date)."""
    mapping = dict(mapping)
    if "period_time" in mapping and "period_date" not in mapping and "period_start" in mapping \
            and "period_start" not in explicit:
        mapping["period_date"] = mapping.pop("period_start")
    if "period_date" in mapping and "period_time" not in mapping:
        mapping["period_start"] = mapping.pop("period_date")
    if "period_start" in mapping:
        mapping.pop("period_date", None)
        mapping.pop("period_time", None)
    return mapping


def _refuse_duplicate_headers(headers: list[str], mapping: dict[str, list[str]], display: str) -> None:
    """A mapped header that appears twice is refused: nothing says which of the two to read."""
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
                    [RowProblem(display, 1, column, None, Message("duplicate header"))])


def status_outcome(value: str, status_map: dict[str, str] | None = None) -> str | None:
    """How a status value counts: the import's own map first, then the built-in words."""
    for key, outcome in (status_map or {}).items():
        if key.strip().lower() == value.strip().lower():
            return outcome
    return dict(status_word_rows()).get(value.strip().lower())
