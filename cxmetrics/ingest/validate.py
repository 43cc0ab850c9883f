"""Step 4, validate: the rules a row must pass, every problem collected (row, column, value, reason).

Problems land in the temporary table `row_problems`; by default any problem refuses the whole file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ImportRefused, RowProblem, UsageError, row_reason
from ..i18n import N_, _
from ..display import CHANNEL_NAMES
from ..messages import ChoiceList, ControlRef, Message, PluralMessage
from ..schema import AVERAGE_WORDS, CHANNELS, SCORE_FIELD_NAMES, STATUS_WORDS, SUMMARY_WORDS
from ..storage import quote_ident
from . import read
from .derive import ANSWER_FIELDS
from .mapping import detect_kind
from .parse import TRIM_CHARS, trim_sql
from .plan import EMPTY, NO_CHANNEL, NOT_A_DIRECTION, FieldPlan
from .stage import ImportJob

MAX_PROBLEMS_KEPT = 10_000
# Row problem reasons: stored in English, shown translated (errors.row_reason)
DUPLICATE_ID = row_reason(N_("the same contact_id appears more than once in this file"))
DUPLICATE_CUSTOMER = row_reason(N_("the same customer_id appears more than once in this file"))
IN_FUTURE = row_reason(N_("the contact time is in the future"))
REPEATS_HEADER = row_reason(N_("the row repeats the header (were two exports joined into one file?)"))
ANSWERED_AND_ABANDONED = row_reason(N_("the contact is marked both answered and abandoned"))
NEGATIVE_WAIT = row_reason(N_("derived wait is negative (answered or ended before it was queued)"))
NO_STORED_CONTACT = row_reason(N_("no stored contact has this contact_id (import the contacts first, or check the "
                                  "source)"))
_SUM_RE = re.compile(r"[\d\s.,:%+-]+")  # a cell of a summary row: a number, duration or percentage


@dataclass
class Findings:
    """What validation found: the first problems (ordered by row), their count, and the rows they reject."""
    problems: list[RowProblem]
    total: int
    rejected: int


def require_contact_time_and_channel(job: ImportJob) -> None:
    """A contacts file must give the contact time, and the channel (a column or one for the whole file)."""
    if "queued_at" not in job.mapping and "queued_date" not in job.mapping:
        summary = Message(
            "{file}: no column gives the contact time. Map one {map_at}, or map a date column {map_date} together "
            "with a time column {map_time}. Columns: {headers}", file=job.display,
            map_at=ControlRef("map", field="queued_at"), map_date=ControlRef("map", field="queued_date"),
            map_time=ControlRef("map", field="queued_time"), headers=", ".join(map(repr, job.info.headers)))
        if _looks_aggregated(job):
            summary = Message("{summary}. The file looks like an aggregated report (counts per period, no contact "
                              "id): import it as one {kind}", summary=summary, kind=_AS_AGGREGATED)
        headerless = _headerless_hint(job.info.headers)
        if headerless is not None:
            summary = Message("{summary}. {hint}", summary=summary, hint=headerless)
        raise ImportRefused(with_other_sheets(summary, job.info))
    if "channel" not in job.mapping and not job.options.channel:
        summary = Message(
            "{file}: no column gives the channel. Give one channel for the whole file {channel} ({channels}), "
            "or map the channel column {map}.", file=job.display, channel=ControlRef("channel"),
            channels=ChoiceList({c: CHANNEL_NAMES[c] for c in CHANNELS}), map=ControlRef("map", field="channel"))
        raise ImportRefused(Message("{summary} {hint}", summary=summary, hint=_AGGREGATED_HINT)
                            if _looks_aggregated(job) else summary)


# Asterisk's cdr_csv writes Master.csv with no header row, in this order (uniqueid and userfield when logged)
ASTERISK_MASTER_CSV = ("accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp", "lastdata",
                       "start", "answer", "end", "duration", "billsec", "disposition", "amaflags", "uniqueid",
                       "userfield")
_ASTERISK_DISPOSITIONS = {"ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"}
_DATA_LIKE_HEADER = re.compile(r"\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}.*)?|\d{1,2}[./]\d{1,2}[./]\d{2,4}( .*)?")


def _headerless_hint(headers: list[str]) -> Message | None:
    """When the first row read is data (a date where a column name should be): the file has no header row. Asterisk's
    Master.csv is such a file, and its legs are not contacts: the queue's queue_log is what to import."""
    dates = [h for h in headers if _DATA_LIKE_HEADER.fullmatch(h.strip())]
    if not dates:
        return None
    if 16 <= len(headers) <= 21 and _ASTERISK_DISPOSITIONS & {h.strip() for h in headers}:
        return Message("The file looks like Asterisk's CDR file Master.csv, which is written without a header row, "
                       "one line per call leg (internal and outbound calls too, transfers as several). For the "
                       "contact centre's figures import the queue's queue_log instead (read as it is, with waits and "
                       "abandons); to import the CDR, add this line above the first: {header}",
                       header=",".join(ASTERISK_MASTER_CSV[:len(headers)]))
    return Message("The first row read holds data ({value!r} is a date), not column names: add a row of column "
                   "names above the data.", value=dates[0])


_AS_AGGREGATED = ControlRef("kind", value="aggregated")
_AGGREGATED_HINT = Message("The file looks like an aggregated report (counts per period, no contact id): import it "
                           "as one {kind}.", kind=_AS_AGGREGATED)


def _looks_aggregated(job: ImportJob) -> bool:
    """A contacts import of a per-period report's headers (counts, no contact id): the CLI reads contacts unless
    told, and such a report then fails on its times, its channel or its counts, which the refusal should explain."""
    return job.options.kind == "contacts" and detect_kind(job.info.headers) == "aggregated"


def with_other_sheets(summary: Message, info: read.FileInfo) -> Message:
    """A refusal of a workbook's sheet, naming the sheet read and the others when it has more (a cover or notes
    sheet first: the contacts are on another), and the control that picks one."""
    if not info.other_sheets:
        return summary
    return Message("{summary}. This is sheet {sheet!r}; the workbook also has {sheets}: if the contacts are there, "
                   "choose that sheet {control}.", summary=summary, sheet=info.sheet,
                   sheets=", ".join(map(repr, info.other_sheets)), control=ControlRef("sheet"))


def require_customer_id(job: ImportJob) -> None:
    """A customers file must give the customer id."""
    if "customer_id" not in job.mapping:
        raise ImportRefused(Message("{file}: no column gives the customer id. Map it {map}. Columns: {headers}",
                                    file=job.display, map=ControlRef("map", field="customer_id"),
                                    headers=", ".join(map(repr, job.info.headers))))


def add_contact_rules(plan: FieldPlan, mapping: dict[str, list[str]]) -> None:
    """The rules that need the derived values (derive.derive_contact_values)."""
    time_field = "queued_at" if "queued_at" in mapping else "queued_date"
    plan.rule("contact_id", "contact_id IS NULL", EMPTY.format(field="contact_id"))
    plan.rule(time_field, f"raw_{time_field} IS NULL", EMPTY.format(field=time_field))
    plan.rule("channel", "channel_d IS NULL", NO_CHANNEL)
    plan.rule(time_field, "queued_d > now() + INTERVAL 1 DAY", IN_FUTURE)
    plan.rule("contact_id", "repeats_header", REPEATS_HEADER)
    plan.rule("abandoned", "answered_d AND abandoned_d", ANSWERED_AND_ABANDONED)
    plan.rule("wait_seconds", "wait_d < 0 AND raw_wait_seconds IS NULL" if "wait_seconds" in mapping else "wait_d < 0",
              NEGATIVE_WAIT)
    plan.rule("contact_id", "contact_id IN (SELECT contact_id FROM duplicate_ids)", DUPLICATE_ID)


def _skip_rows_conditions(job: ImportJob) -> tuple[list[str], list[str]]:
    """--skip-rows COLUMN=VALUE as SQL conditions over the staged rows (the column's text equals the value, ignoring
    case and surrounding spaces) and their values, which are bind parameters."""
    names = read.column_names(len(job.info.headers))
    conditions, values = [], []
    for column, value in job.options.skip_rows:
        if column not in job.info.headers:
            raise UsageError(Message("the file has no column {column!r} to leave rows out by {control}; its columns "
                                     "are {headers}", column=column, control=ControlRef("skip_rows"),
                                     headers=", ".join(map(repr, job.info.headers))))
        name = quote_ident(names[job.info.headers.index(column)])
        cell = trim_sql(f"coalesce({name}, '')")
        conditions.append(f"lower({cell}) = ?")
        values.append(str(value).strip().lower())
    return conditions, values


_SUMMARY_SPACING = re.compile(r"[\s:.\-–—_]+")
# The first word of a summary line that goes on ("Total calls: 2", "Subtotal Ann", "Итого по оператору")
SUMMARY_LEADS = ("total", "totals", "subtotal", "subtotals", "sum", "summary", "overall", "grand", "итого", "итог",
                 "всего", "подытог", "промежуточный", "общий")
# A note at the very end of an export, alone in its row: "Сформировано 01.04.2026 пользователем admin", "Page 1 of 1"
_NOTE = re.compile(r"[^\W\d_]+\.?\s+\S.*")


def summary_words(text: str) -> tuple[bool, bool]:
    """(the cell says a summary word, e.g. "Grand total:"; the cell begins with one, e.g. "Subtotal Ann")."""
    plain = _SUMMARY_SPACING.sub(" ", text.strip(TRIM_CHARS).lower()).strip()
    whole = plain in SUMMARY_WORDS or plain.replace(" ", "") in SUMMARY_WORDS
    return whole, bool(plain) and (plain.split(" ")[0] in SUMMARY_LEADS or plain in AVERAGE_WORDS)


def trailing_summary_rows(job: ImportJob, warnings: list) -> list[int]:
    """The file rows of a summary at the end of an export ("Total", "Grand total:", "Итого", "Subtotal Ann" with
    no id or time, or an empty id and time with sums in the other cells): left out, and each one named in the
    report's warnings. A cell that only begins with a summary word counts when it is the id or time itself or the
    row has neither: a queue named "Total Care" on a contact's row is not a summary."""
    names = read.column_names(len(job.info.headers))
    columns = {f: [names[job.info.headers.index(c)] for c in cols if c in job.info.headers]
               for f, cols in job.mapping.items()}
    keys = [c for f in ("contact_id", "queued_at", "queued_date", "period_start", "period_date")
            for c in columns.get(f, [])]
    times = {c for f in ("queued_at", "queued_date", "queued_time", "period_start", "period_date", "period_time")
             for c in columns.get(f, [])}
    tail = job.store.fetchall(f"SELECT file_row, {', '.join(quote_ident(n) for n in names)} FROM {job.stage} "
                              "ORDER BY file_row DESC LIMIT 3")
    rows = []
    for file_row, *cells in tail:
        texts = [(c or "").strip(TRIM_CHARS).lower() for c in cells]
        no_key = bool(keys) and all(not texts[names.index(k)] for k in keys)
        word = None
        for i, text in enumerate(texts):
            whole, lead = summary_words(text)
            if whole or (lead and (no_key or names[i] in keys)):
                word = cells[i].strip()
                break
        # no id and no time, and only sums (numbers, durations, percentages) in the other cells
        keyless = no_key and any(texts) and all(_SUM_RE.fullmatch(t) for t in texts if t)
        filled = [(names[i], c.strip()) for i, c in enumerate(cells) if c and c.strip(TRIM_CHARS)]
        # a note: words alone in the row, and not in a time column (a last missed call may give only its time)
        note = (word is None and len(filled) == 1 and filled[0][0] not in times
                and _NOTE.fullmatch(filled[0][1]) is not None)
        if word is None and not keyless and not note:
            break
        rows.append(file_row)
        if note:
            warnings.append(Message("{file}, row {row}: a note at the end of the export ({text!r}); left out and "
                                    "counted as skipped", file=job.display, row=file_row, text=filled[0][1]))
            continue
        warnings.append(Message("{file}, row {row}: a summary row ({what}) at the end of the export; left out and "
                                "counted as skipped", file=job.display, row=file_row,
                                what=repr(word) if word else Message("no id and no time")))
    return rows


def skipped_rows_sql(job: ImportJob, warnings: list) -> str:
    """SQL true for the staged rows left out: by --skip-rows, and the summary rows at the end of the export (each
    named in `warnings`). The rows are found once, with the user's values as bind parameters, into a table the
    returned condition reads."""
    summary = trailing_summary_rows(job, warnings)
    conditions, values = _skip_rows_conditions(job)
    if summary:
        conditions.append("list_contains(?, file_row)")
        values.append(summary)
    if not conditions:
        return "FALSE"
    skipped = job.temps.create("skipped_rows", f"SELECT file_row FROM {job.stage} WHERE {' OR '.join(conditions)}",
                               values)
    return f"(file_row IN (SELECT file_row FROM {skipped}))"


def mark_live_and_duplicates(job: ImportJob) -> None:
    """Duplicate ids among the live rows (skipped rows, by status or --skip-rows, are not live: derive marks them)."""
    job.temps.create("duplicate_ids", "SELECT contact_id FROM parsed_rows WHERE live AND contact_id IS NOT NULL "
                     "GROUP BY contact_id HAVING count(*) > 1")


def require_scores(job: ImportJob) -> None:
    """A survey export must give the contact id its scores are for, and at least one score."""
    if "contact_id" not in job.mapping or not any(f in job.mapping for f in SCORE_FIELD_NAMES):
        raise ImportRefused(Message(
            "{file}: survey scores need the id of the contact each is for {map_id} and at least one score "
            "({scores}) {map_score}. Columns: {headers}", file=job.display,
            map_id=ControlRef("map", field="contact_id"), scores=", ".join(SCORE_FIELD_NAMES),
            map_score=ControlRef("map", field="csat"), headers=", ".join(map(repr, job.info.headers))))


def add_score_rules(job: ImportJob, plan: FieldPlan) -> None:
    """Every score row names a stored contact of the import's source, once per file."""
    job.temps.create("duplicate_ids", "SELECT contact_id FROM parsed_rows WHERE live AND contact_id IS NOT NULL "
                     "GROUP BY contact_id HAVING count(*) > 1")
    job.temps.create("unmatched_ids", "SELECT DISTINCT p.contact_id FROM parsed_rows p WHERE p.live AND "
                     "p.contact_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.source = ? AND "
                     "c.contact_id = p.contact_id)", [job.source])
    plan.rule("contact_id", "contact_id IS NULL", EMPTY.format(field="contact_id"))
    plan.rule("contact_id", "contact_id IN (SELECT contact_id FROM duplicate_ids)", DUPLICATE_ID)
    plan.rule("contact_id", "contact_id IN (SELECT contact_id FROM unmatched_ids)", NO_STORED_CONTACT)


def refuse_replacing_outcomes(job: ImportJob) -> None:
    """A file that never says whether a contact was answered must not replace stored contacts that say it: that is
    a survey export imported as contacts, and would turn every contact it names into an abandoned one."""
    if any(f in job.mapping for f in (*ANSWER_FIELDS, "abandoned")):
        return
    stored = int(job.store.scalar(
        "SELECT count(*) FROM parsed_rows p WHERE live AND file_row NOT IN (SELECT file_row FROM row_problems) AND "
        "EXISTS (SELECT 1 FROM contacts c WHERE c.source = ? AND c.contact_id = p.contact_id AND "
        "(c.answered OR c.status IS NOT NULL OR c.answered_at IS NOT NULL OR c.handle_seconds IS NOT NULL))",
        [job.source]))  # stored contacts that know their outcome (answered is never derived from nothing)
    if stored:
        raise ImportRefused(PluralMessage(
            "{file}: {n} stored contact has the id of a row here, and this file does not say whether a contact was "
            "answered: importing it would replace that contact and lose its outcome and times. If the file holds "
            "survey scores for contacts already imported, import it as survey scores {kind}: they are added to the "
            "stored contacts. Otherwise map the column that says whether a contact was answered {map_status}.",
            "{file}: {n} stored contacts have the id of a row here, and this file does not say whether a contact was "
            "answered: importing it would replace those contacts and lose their outcomes and times. If the file holds "
            "survey scores for contacts already imported, import it as survey scores {kind}: they are added to the "
            "stored contacts. Otherwise map the column that says whether a contact was answered {map_status}.",
            stored, file=job.display, kind=ControlRef("kind", value="scores"),
            map_status=ControlRef("map", field="status")))


def add_customer_rules(job: ImportJob, plan: FieldPlan) -> None:
    """Every customer needs an id, once per file."""
    job.temps.create("duplicate_ids", "SELECT customer_id FROM parsed_rows WHERE customer_id IS NOT NULL "
                     "GROUP BY customer_id HAVING count(*) > 1")
    plan.rule("customer_id", "customer_id IS NULL", EMPTY.format(field="customer_id"))
    plan.rule("customer_id", "customer_id IN (SELECT customer_id FROM duplicate_ids)", DUPLICATE_CUSTOMER)


def collect_problems(job: ImportJob, plan: FieldPlan) -> Findings:
    """Every (row, column, value, reason) among the live rows, into row_problems."""
    if not plan.checks:
        job.temps.create("row_problems", columns=[("file_row", "BIGINT"), ("field", "VARCHAR"), ("value", "VARCHAR"),
                                                  ("reason", "VARCHAR")])
        return Findings([], 0, 0)
    condition_columns = {c for _name, c, _reason in plan.checks}
    found, conditions = [], []
    params: list = []
    for name, condition, reason in plan.checks:
        if condition != "repeats_header" and "repeats_header" in condition_columns:
            condition = f"NOT repeats_header AND ({condition})"  # a repeated header is one problem, not many
        value = quote_ident("raw_" + name) if name in job.mapping else "NULL"
        found.append(f"CASE WHEN {condition} THEN {{'field': ?, 'value': CAST({value} AS VARCHAR), 'reason': ?}} END")
        conditions.append(f"({condition})")
        params += ["+".join(job.mapping.get(name, [name])), reason]
    # One pass over the rows, whatever the number of checks: each row lists the checks it fails.
    job.temps.create("row_problems", f"""
        SELECT file_row, problem.field AS field, problem.value AS value, problem.reason AS reason
        FROM (SELECT file_row, unnest(list_filter([{', '.join(found)}], lambda x: x IS NOT NULL)) AS problem
              FROM parsed_rows WHERE live AND ({' OR '.join(conditions)}))""", params)
    store = job.store
    total = int(store.scalar("SELECT count(*) FROM row_problems"))
    rows = store.fetchall(f"SELECT file_row, field, value, reason FROM row_problems ORDER BY file_row, field "
                          f"LIMIT {MAX_PROBLEMS_KEPT}")
    rejected = int(store.scalar("SELECT count(DISTINCT file_row) FROM row_problems"))
    return Findings([RowProblem(job.display, r[0], r[1], r[2], r[3]) for r in rows], total, rejected)


def refuse_invalid_rows(job: ImportJob, findings: Findings, fix: str, hint: Message | None = None) -> None:
    """In refuse mode any rejected row refuses the file; `fix` (a template marked N_(), naming {quarantine}) is the
    message's advice, after `hint` (what the problems suggest about the options) when given."""
    if findings.rejected and job.options.on_error == "refuse" and not job.preview:
        advice = Message(fix, quarantine=ControlRef("on_error"))
        if hint is not None:
            advice = Message("{hint} {fix}", hint=hint, fix=advice)
        outcomes = sorted({p.value for p in findings.problems if str(p.reason) == NOT_A_DIRECTION and p.value
                           and p.value.strip().lower() in _OUTCOME_WORDS})
        if outcomes:  # Talkdesk's "Call Type": inbound, outbound, abandoned, missed, voicemail
            column = next(p.column for p in findings.problems if str(p.reason) == NOT_A_DIRECTION)
            advice = Message("Column {column!r} gives outcomes ({values}) as well as the direction: map it as the "
                             "status {map} and say how each value counts {status_map} (an outbound call: skip). "
                             "Setting these rows aside would leave them out of the volume and the abandonment. {fix}",
                             column=column, values=", ".join(map(repr, outcomes)),
                             map=ControlRef("map", field="status", column=column), status_map=ControlRef("status_map"),
                             fix=advice)
        summary = _summary_line_among(job, findings.problems)
        if summary is not None:
            row, column, cell = summary
            advice = Message("Row {row} looks like a summary line ({column} = {value!r}): leave such rows out "
                             "{skip_rows}. {fix}", row=row, column=column, value=cell,
                             skip_rows=ControlRef("skip_rows"), fix=advice)
        if _looks_aggregated(job):  # its counts refused as yes/no flags, its queue as the contact id…
            advice = Message("{hint} {fix}", hint=_AGGREGATED_HINT, fix=advice)
        if any(str(p.reason) == DUPLICATE_ID for p in findings.problems):
            advice = Message("The contact id repeats: if one column is not unique, compose the id from two "
                             "{compose}. {fix}", compose=ControlRef("compose_id"), fix=advice)
        raise ImportRefused(Message(
            "{file}: {rejected} of {read} rows are invalid ({total} problems), so nothing was imported. {fix}",
            file=job.display, rejected=findings.rejected, read=job.rows_read, total=findings.total, fix=advice),
            findings.problems, total=findings.total)


# Values of a direction column that are outcomes, not directions
_OUTCOME_WORDS = {w for words in STATUS_WORDS.values() for w in words} | {"voicemail", "voice mail", "голосовая почта"}


def _summary_line_among(job: ImportJob, problems: list[RowProblem]) -> tuple[int, str, str] | None:
    """(row, column, cell) of the first refused row (of the first 20) with a cell like "Total" or "Subtotal Ann":
    a summary line in the middle of the file, or one the end-of-file check could not take as one."""
    rows = sorted({p.row for p in problems if p.row is not None})[:20]
    if not rows:
        return None
    names = read.column_names(len(job.info.headers))
    staged = job.store.fetchall(f"SELECT file_row, {', '.join(quote_ident(n) for n in names)} FROM {job.stage} "
                                f"WHERE file_row IN ({', '.join('?' * len(rows))}) ORDER BY file_row", rows)
    for file_row, *cells in staged:
        for header, cell in zip(job.info.headers, cells):
            if cell and any(summary_words(cell)):
                return file_row, header, cell.strip()
    return None


def refuse_overlap(job: ImportJob, rows: list[tuple[str, list[str]]], other: Message) -> None:
    """Refuse an import whose channel × days already hold `other` data, naming them."""
    def days_of(channel: str, days: list[str]) -> str:
        text = _("{channel} on {days}").format(channel=channel, days=", ".join(days[:10]))
        return _("{listed} and {n} more days").format(listed=text, n=len(days) - 10) if len(days) > 10 else text

    listed = "; ".join(days_of(channel, days) for channel, days in rows)
    raise ImportRefused(Message(
        "{file}: the store already holds {other} for {listed}. Both would count the same contacts twice, so nothing "
        "was imported. Remove one of them, or import anyway {allow}.", file=job.display, other=other, listed=listed,
        allow=ControlRef("allow_overlap")),
        [RowProblem(job.display, None, "channel", channel,
                    Message("{other} already stored on {days} of these days", other=other, days=len(days)))
         for channel, days in rows])
