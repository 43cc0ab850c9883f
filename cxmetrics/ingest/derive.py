"""Step 3c, derive (contacts): what a record says beyond its columns, in spec §1's order of evidence.

Channel slugs and status outcomes come from word tables; answered, abandoned, wait, handle time,
the contact instant and the customer follow from the mapped columns. Each derived value is a
`*_d` column of the temporary table `parsed_rows`.
"""
from __future__ import annotations

from ..errors import ImportRefused, RowProblem
from ..i18n import _, ngettext
from ..messages import ControlRef, Message, PluralMessage
from ..schema import UNKNOWN_CUSTOMER_PATTERN, channel_alias_rows, status_word_rows
from ..storage import quote_ident
from . import read
from .parse import SqlParams, trim_sql
from .plan import FieldPlan, parsed_rows_sql, raw_text_sql
from .stage import ImportJob


def parse_contact_rows(job: ImportJob, plan: FieldPlan, warnings: list) -> None:
    """Add to the plan what every contact row needs beyond its fields: whether it repeats the header, and an id
    derived from its contents when the file has none. The rows are typed and derived in one pass (derive)."""
    names = read.column_names(len(job.info.headers))
    compared = [(c, h.lower()) for c, h in zip(names, job.info.headers) if not h.startswith("column ")]
    match = " AND ".join(f"lower({trim_sql(quote_ident(c))}) = ?" for c, _header in compared)
    job.temps.create("header_rows", f"SELECT file_row FROM {job.stage} WHERE {match or 'FALSE'}",
                     [h for _column, h in compared])
    plan.raw.append("file_row IN (SELECT file_row FROM header_rows) AS repeats_header")
    if "contact_id" not in job.mapping:
        plan.raw.append("'row:' || md5(concat_ws(chr(31), " + ", ".join(
            f"coalesce({quote_ident(n)}, '')" for n in names) + ")) AS raw_contact_id")
        plan.select.append("raw_contact_id AS contact_id")
        warnings.append(Message("no contact id column: each contact's id is derived from its row contents, so "
                                "re-importing the same rows replaces them. Map one {map} if the export has it.",
                                map=ControlRef("map", field="contact_id")))


def load_status_words(job: ImportJob, skipped_sql: str) -> dict[str, int]:
    """status_words: the built-in words plus the import's own. Unknown status values refuse the import;
    a dry run returns them instead (value -> rows). Rows left out (`skipped_sql`: --skip-rows, a summary row at the
    end of the export) are not asked about: a "Total" row's count in the status column is no status."""
    rows = status_word_rows() + [(k.strip().lower(), v) for k, v in job.options.status_map.items()]
    table = job.temps.create("status_words", columns=[("word", "VARCHAR"), ("outcome", "VARCHAR")])
    job.store.insert_rows(table, list({w: (w, o) for w, o in rows}.values()))  # the import's own word wins
    if "status" not in job.mapping:
        return {}
    raw = raw_text_sql(job.mapping["status"], job.info.headers, job.info.padded)  # a status is its trimmed text (plan)
    unknown = job.store.fetchall(
        f"SELECT r.status, count(*) FROM (SELECT {raw} AS status FROM {job.stage} WHERE NOT {skipped_sql}) r "
        "LEFT JOIN status_words s ON lower(r.status) = s.word "
        "WHERE r.status IS NOT NULL AND s.word IS NULL GROUP BY 1 ORDER BY 2 DESC, 1")
    if unknown and job.preview:
        return {v: n for v, n in unknown}
    if unknown:
        column = "+".join(job.mapping["status"])
        listed = ", ".join(ngettext("{value!r} ({n} row)", "{value!r} ({n} rows)", n).format(value=v, n=n)
                           for v, n in unknown)
        raise ImportRefused(Message(
            "{file}: column {column!r} has status values that cannot be read as answered, abandoned or "
            "skip: {listed}. Say how each counts {status_map}.", file=job.display, column=column, listed=listed,
            status_map=ControlRef("status_map")),
            [RowProblem(job.display, None, column, v, PluralMessage("unknown status value ({n} row)",
                                                                "unknown status value ({n} rows)", n))
             for v, n in unknown])
    return {}


def load_channel_words(job: ImportJob) -> str | None:
    """channel_words: every channel alias and its slug. Returns the slug of the channel given for the whole file."""
    table = job.temps.create("channel_words", columns=[("word", "VARCHAR"), ("slug", "VARCHAR")])
    job.store.insert_rows(table, list(dict(((w, (w, s)) for w, s in channel_alias_rows())).values()))
    if not job.options.channel:
        return None
    return job.store.scalar(
        "SELECT coalesce(max(slug), regexp_replace(lower(trim(?)), '\\s+', '_', 'g')) FROM channel_words "
        "WHERE word = lower(trim(?))", [job.options.channel, job.options.channel])


def channel_is_new_sql(channel_raw: str, constant_channel: str | None) -> str:
    """Whether a row's channel is none of the known ones: its channel cell matched no alias, or it has none and the
    channel given for the whole file (--channel) is new. Reads the join `cw` on channel_words."""
    constant_is_new = constant_channel is not None and constant_channel not in {s for _w, s in channel_alias_rows()}
    return (f"((cw.slug IS NULL AND {channel_raw} IS NOT NULL) "
            f"OR ({channel_raw} IS NULL AND {'TRUE' if constant_is_new else 'FALSE'}))")


def derive_contact_values(job: ImportJob, plan: FieldPlan, constant_channel: str | None) -> None:
    """parsed_rows: every staged row typed by the plan, plus the derived channel, outcome, times, flags and
    customer, made in one pass over the staged rows."""
    mapping, ch = job.mapping, SqlParams()
    channel_raw = "p.channel" if "channel" in mapping else "CAST(NULL AS VARCHAR)"
    # Placeholders are taken in the order they appear in the text: channel, then time zone, then customer.
    channel_expr = (f"coalesce(cw.slug, regexp_replace(lower({channel_raw}), '\\s+', '_', 'g'), "
                    f"{ch.p(constant_channel)})")
    status_expr = "sw.outcome" if "status" in mapping else "CAST(NULL AS VARCHAR)"
    queued = _queued_sql(mapping, ch, job.tz)
    customer = "CAST(NULL AS VARCHAR)"
    if "customer_id" in mapping:
        customer = (f"(CASE WHEN regexp_full_match(lower(p.customer_id), {ch.p(UNKNOWN_CUSTOMER_PATTERN)}) "
                    f"THEN NULL ELSE p.customer_id END)")
    handle = handle_sql(mapping)
    nps = "CAST(p.nps AS INTEGER)" if "nps" in mapping else "CAST(NULL AS INTEGER)"
    parsed, parsed_params = parsed_rows_sql(job, plan)  # its placeholders follow those above in the text
    # A file without ids: its contact ids are derived from the rows' contents, so a row identical in every column to
    # an earlier one is that row again (spec §1b: identical rows count once), left out and listed as a duplicate
    kept = "outcome_d IS DISTINCT FROM 'skip' AND NOT skipped_by_rule"  # not skipped by its status or --skip-rows
    first_identical = (f"min(file_row) FILTER (WHERE {kept}) OVER (PARTITION BY contact_id)"
                       if "contact_id" not in mapping else "CAST(NULL AS BIGINT)")
    # `repeats_row`: a kept row identical to an earlier kept one (the report lists it); `live`: kept and not a
    # repeat (duplicate ids are looked for among the live rows only)
    job.temps.create("parsed_rows", f"""
        SELECT *, {_wait_sql(mapping)} AS wait_d, {handle} AS handle_d,
               {kept} AND coalesce(file_row > first_identical_row, FALSE) AS repeats_row,
               {kept} AND file_row = coalesce(first_identical_row, file_row) AS live
        FROM (
            SELECT *, coalesce({', '.join(_abandoned_chain(mapping))}) AS abandoned_d,
                   {first_identical} AS first_identical_row
            FROM (
                SELECT p.*, {channel_expr} AS channel_d, {status_expr} AS outcome_d,
                       {queued} AS queued_d, {customer} AS customer_d,
                       coalesce({', '.join(_answered_chain(mapping, status_expr, handle))}) AS answered_d,
                       {nps} AS nps_d,
                       {channel_is_new_sql(channel_raw, constant_channel)} AS channel_is_new
                FROM ({parsed}) p
                LEFT JOIN channel_words cw ON lower({channel_raw}) = cw.word
                LEFT JOIN status_words sw ON {'lower(p.status)' if 'status' in mapping else 'NULL'} = sw.word
            ) p
        ) p""", ch.params + parsed_params)


HANDLE_PARTS = ("talk_seconds", "hold_seconds", "wrap_seconds")
# The fields from which _answered_chain can tell that a contact was answered (with none, none is)
ANSWER_FIELDS = ("answered", "status", "answered_at", "handle_seconds", *HANDLE_PARTS)


def handle_sql(mapping: dict[str, list[str]]) -> str:
    """Handle time: the handle column, else talk + hold + wrap (whichever are mapped)."""
    parts = [n for n in HANDLE_PARTS if n in mapping]
    if "handle_seconds" in mapping:
        return f"coalesce(p.handle_seconds, {_sum_parts(parts)})" if parts else "p.handle_seconds"
    if parts:
        return _sum_parts(parts)
    return "CAST(NULL AS DOUBLE)"


def _sum_parts(parts: list[str]) -> str:
    nulls = " AND ".join(f"p.{quote_ident(n)} IS NULL" for n in parts)
    total = " + ".join(f"coalesce(p.{quote_ident(n)}, 0)" for n in parts)
    return f"(CASE WHEN {nulls} THEN NULL ELSE {total} END)"


def _answered_chain(mapping: dict[str, list[str]], status_expr: str, handle: str) -> list[str]:
    """Answered: explicit flag, else status, else answered_at present, else handle time > 0, else not."""
    chain = ["p.answered"] if "answered" in mapping else []
    chain.append(f"(CASE {status_expr} WHEN 'answered' THEN TRUE WHEN 'abandoned' THEN FALSE END)")
    if "answered_at" in mapping:
        chain.append("(p.answered_at IS NOT NULL)")
    return chain + [f"({handle} > 0)", "FALSE"]


def _abandoned_chain(mapping: dict[str, list[str]]) -> list[str]:
    """Abandoned: explicit flag, else status, else not answered."""
    chain = ["p.abandoned"] if "abandoned" in mapping else []
    return chain + ["(CASE outcome_d WHEN 'abandoned' THEN TRUE WHEN 'answered' THEN FALSE END)", "NOT answered_d"]


def _queued_sql(mapping: dict[str, list[str]], ch: SqlParams, tz: str) -> str:
    """The contact instant: the timestamp column, or the date plus the time of day, local to `tz`."""
    if "queued_at" in mapping:
        return "p.queued_at"
    time_part = "coalesce(p.queued_time, 0)" if "queued_time" in mapping else "0"
    return (f"timezone({ch.p(tz)}, CAST(p.queued_date AS TIMESTAMP) + "
            f"to_microseconds(CAST(round({time_part} * 1000000) AS BIGINT)))")


def _wait_sql(mapping: dict[str, list[str]]) -> str:
    """The wait column, else answered_at − queued (answered) or ended_at − queued (abandoned)."""
    wait = "p.wait_seconds" if "wait_seconds" in mapping else "CAST(NULL AS DOUBLE)"
    derived = []
    if "answered_at" in mapping:
        derived.append("WHEN answered_d THEN epoch(p.answered_at - queued_d)")
    if "ended_at" in mapping:
        derived.append("WHEN abandoned_d THEN epoch(p.ended_at - queued_d)")
    return f"coalesce({wait}, CASE {' '.join(derived)} END)" if derived else wait
