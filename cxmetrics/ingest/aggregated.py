"""Aggregated reports (spec §1b): one row per interval, day, week or month, with counts, totals, means or
percentages, read into `aggregated_rows` as counts and totals, from which the measures are pooled.

Steps, after the file is staged and mapped like any import: plan and parse the fields (counts, durations,
percentages, the period), decide the grain, derive each row's counts and totals (total = mean × answered;
a count rebuilt from a percentage is marked), validate, refuse overlap with contact-level data, then load
in one transaction (or show, in a dry run).
"""
from __future__ import annotations

from dataclasses import replace

from ..errors import ImportRefused, RowProblem, row_reason
from ..i18n import N_, _
from ..measures import TouchedDays, refresh_days
from ..messages import ControlRef, FieldRef, Message
from ..schema import MONTH_WORDS, fields_for, header_threshold
from ..storage import quote_ident
from . import read
from .derive import channel_is_new_sql, load_channel_words, load_status_words
from .load import crash_point, finish_import, start_import
from .parse import SqlParams, detect_date_format, naive_timestamp_sql
from .plan import EMPTY, NO_CHANNEL, FieldPlan, create_parsed_rows, plan_fields, raw_text_sql
from .report import ImportReport, ignored_columns
from .stage import ImportJob
from .validate import collect_problems, refuse_invalid_rows, refuse_overlap, skipped_rows_sql

_MONTH_ISO = r"^(\d{4})-(\d{1,2})$"
_MONTH_NUMERIC = r"^(\d{1,2})[./](\d{4})$"
_MONTH_WORD = r"^([^\d\s./-]+)[\s./-]*(\d{2}|\d{4})$"
# The columns a dry run shows, as the rows will be pooled.
PREVIEW_COLUMNS = ("period_start", "grain", "channel", "queue", "team", "agent", "offered", "answered_count",
                   "abandoned_count",
                   "short_abandoned", "answered_within", "sl_threshold_s", "wait_total_s", "handle_total_s",
                   "sl_rebuilt", "abandon_rebuilt")
VALID = "live AND file_row NOT IN (SELECT file_row FROM row_problems)"

# Row problem reasons (stored in English, shown translated: errors.row_reason)
NOT_A_PERIOD = row_reason(N_("not a date in the column's format ({format}), nor a month with its year"),
                          translate=("format",))
NO_OFFERED = row_reason(N_("no offered count, and no answered + abandoned counts to add up"))
NO_ANSWERED = row_reason(N_("no answered count"))
ANSWERED_OVER_OFFERED = row_reason(N_("more answered than offered"))
ABANDONED_OVER_OFFERED = row_reason(N_("more abandoned than offered"))
WITHIN_OVER_ANSWERED = row_reason(N_("more answered within the threshold than answered"))
WITHIN_REBUILT_OVER_ANSWERED = row_reason(N_("this share of offered is more than were answered"))
PERIOD_IN_FUTURE = row_reason(N_("the period starts in the future"))
MONTH_NOT_ON_FIRST = row_reason(N_("a month's row must start on the 1st (or write the month with its year, "
                                   "e.g. 2026-03)"))
TIME_OF_DAY_IN = {"day": row_reason(N_("a day's row starts at midnight; this one has a time of day (is it an "
                                       "interval report?)")),
                  "week": row_reason(N_("a week's row starts at midnight; this one has a time of day (is it an "
                                        "interval report?)"))}
# What a service-level percentage is a share of (--percent-of), as the report's notes say it
SHARE_WORDS = {"offered": N_("offered"), "answered": N_("answered")}
# The grain decided from the dates, as the report's warning says it
GRAIN_READ = {"day": N_("each row read as one day, from its dates; say otherwise {control}"),
              "week": N_("each row read as one week, from its dates; say otherwise {control}"),
              "month": N_("each row read as one month, from its dates; say otherwise {control}")}


def import_aggregated(job: ImportJob) -> ImportReport:
    """Plan, parse, derive, validate and load (or preview) an aggregated report."""
    _require_period_and_counts(job)
    plan = plan_fields(replace(job, mapping={k: v for k, v in job.mapping.items() if k != "period_start"}),
                       fields_for("aggregated"))
    warnings = list(job.info.warnings)  # with plan_fields' own (cells saying there is no value)
    skipped = skipped_rows_sql(job, warnings)
    month_form = _plan_period(job, plan, skipped)
    plan.raw.append(f"{skipped} AS skipped_by_rule")
    plan.raw.append(_row_hash(job) + " AS row_hash")
    create_parsed_rows(job, plan)
    unknown_statuses = load_status_words(job, skipped)
    constant_channel = load_channel_words(job)
    grain = _decide_grain(job, month_form, warnings)
    threshold, threshold_from = _threshold(job)
    _derive(job, constant_channel, grain, threshold)
    _add_rules(job, plan, grain)
    findings = collect_problems(job, plan)
    hint = None
    if job.options.percent_of == "offered" and any(str(p.reason) == WITHIN_REBUILT_OVER_ANSWERED
                                                   for p in findings.problems):
        hint = Message("The service level was read as a share of offered: if the report's percentage is a share of "
                       "answered, say so {percent_of}.", percent_of=ControlRef("percent_of"))
    refuse_invalid_rows(job, findings, N_("Fix them in the file, or import the valid rows {quarantine} (the "
                                          "invalid rows are kept in quarantine with their reasons)."), hint)
    _refuse_overlap(job)
    _check_interval_length(job, grain, warnings)
    job.progress(0.65, _("writing to the store"))
    duplicates = job.store.fetchall("SELECT file_row, first_row FROM parsed_rows WHERE is_duplicate ORDER BY 1")
    report = ImportReport(
        None, job.display, "aggregated", job.source, {**job.info.describe(), "grain": grain}, job.mapping,
        rows_read=job.rows_read, rows_skipped=int(job.store.scalar("SELECT count(*) FROM parsed_rows WHERE NOT live")),
        rows_rejected=findings.rejected, problems=findings.problems, problem_count=findings.total,
        warnings=warnings + _notes(job, grain, threshold, threshold_from),
        ignored_columns=ignored_columns(job.info.headers, job.mapping), headers=list(job.info.headers),
        unknown_statuses=unknown_statuses, duplicate_rows=[[int(a), int(b)] for a, b in duplicates])
    report.new_channels = dict(job.store.fetchall(
        f"SELECT channel_d, count(*) FROM parsed_rows WHERE {VALID} AND channel_is_new GROUP BY 1 ORDER BY 1"))
    if job.preview:
        report.preview = job.store.df(
            f"SELECT file_row AS row, {', '.join(f'{_preview_sql(c, job.mapping)} AS {c}' for c in PREVIEW_COLUMNS)}, "
            f"CASE WHEN is_duplicate THEN 'duplicate' WHEN NOT live THEN 'skipped' WHEN file_row IN "
            f"(SELECT file_row FROM row_problems) THEN 'rejected' ELSE 'ok' END AS outcome FROM parsed_rows ORDER BY 1")
        return report
    _load(job, report)
    return report


_PREVIEW_SQL = {"period_start": "period_d", "channel": "channel_d", "offered": "offered_d",
                "answered_count": "answered_d", "abandoned_count": "abandoned_d", "answered_within": "answered_within_d", "sl_threshold_s": "threshold_d",
                "wait_total_s": "wait_total_d", "handle_total_s": "handle_total_d", "grain": "grain_d"}


def _preview_sql(column: str, mapping: dict) -> str:
    if column in _PREVIEW_SQL:
        return _PREVIEW_SQL[column]
    if column in ("sl_rebuilt", "abandon_rebuilt"):
        return f"{column}_d"
    return quote_ident(column) if column in mapping else "NULL"


def _require_period_and_counts(job: ImportJob) -> None:
    mapping = job.mapping
    if "period_start" not in mapping and "period_date" not in mapping:
        raise ImportRefused(Message(
            "{file}: no column gives the period of each row. Map one {map_start}, or a date column {map_date} "
            "with a time column {map_time}. Columns: {headers}", file=job.display,
            map_start=ControlRef("map", field="period_start"), map_date=ControlRef("map", field="period_date"),
            map_time=ControlRef("map", field="period_time"), headers=", ".join(map(repr, job.info.headers))))
    if "channel" not in mapping and not job.options.channel:
        raise ImportRefused(Message(
            "{file}: no column gives the channel. Give one channel for the whole file {channel}, or map the "
            "channel column {map}.", file=job.display, channel=ControlRef("channel"),
            map=ControlRef("map", field="channel")))
    has_status = "status" in mapping and "offered" in mapping
    if "answered" not in mapping and not has_status:
        raise ImportRefused(Message(
            "{file}: no column gives the answered (handled) count, which every metric needs. Map it {map}, or map "
            "a status column {status} with the offered count. Columns: {headers}", file=job.display,
            map=ControlRef("map", field="answered"), status=ControlRef("map", field="status"),
            headers=", ".join(map(repr, job.info.headers))))
    if "offered" not in mapping and "abandoned" not in mapping:
        raise ImportRefused(Message(
            "{file}: no column gives the offered count, nor the abandoned count to add to the answered one. Map "
            "one {map}.", file=job.display, map=ControlRef("map", field="offered")))
    if ("service_level_pct" in mapping and "answered_within" not in mapping
            and job.options.percent_of is None):
        raise ImportRefused(Message(
            "{file}: column {column!r} gives service level only as a percentage, without the count of contacts "
            "answered within the threshold. Say what the percentage is a share of {percent_of}: the count is "
            "rebuilt from it and marked as rebuilt wherever it shows.", file=job.display,
            column="+".join(mapping["service_level_pct"]), percent_of=ControlRef("percent_of")))


def _row_hash(job: ImportJob) -> str:
    """A row's contents, for 'identical in every column' (spec §1b: counted once)."""
    names = read.column_names(len(job.info.headers))
    return "md5(concat_ws(chr(31), " + ", ".join(f"coalesce(trim({quote_ident(n)}), '')" for n in names) + "))"


def _plan_period(job: ImportJob, plan: FieldPlan, skipped: str) -> bool:
    """The period start as a wall-clock TIMESTAMP (period_d); True when every value of the rows not left out
    (`skipped`: a Total row, --skip-rows) is a month with its year."""
    q = plan.q
    if "period_start" not in job.mapping:
        date = quote_ident("period_date")
        time = f"coalesce({quote_ident('period_time')}, 0)" if "period_time" in job.mapping else "0"
        plan.select.append(f"CAST({date} AS TIMESTAMP) + to_microseconds(CAST({time} * 1e6 AS BIGINT)) AS period_d")
        return False
    raw_inline = raw_text_sql(job.mapping["period_start"], job.info.headers, job.info.padded)
    plan.raw.append(f"{raw_inline} AS raw_period_start")
    words, numbers = list(MONTH_WORDS), list(MONTH_WORDS.values())
    raw = "raw_period_start"
    word = f"lower(regexp_extract({raw}, '{_MONTH_WORD}', 1))"
    year2 = f"CAST(regexp_extract({raw}, '{_MONTH_WORD}', 2) AS INTEGER)"

    def month_sql(q: SqlParams) -> str:
        return (f"(CASE WHEN regexp_full_match({raw}, '{_MONTH_ISO.strip('^$')}') THEN make_timestamp("
                f"CAST(regexp_extract({raw}, '{_MONTH_ISO}', 1) AS INTEGER), "
                f"CAST(regexp_extract({raw}, '{_MONTH_ISO}', 2) AS INTEGER), 1, 0, 0, 0) "
                f"WHEN regexp_full_match({raw}, '{_MONTH_NUMERIC.strip('^$')}') THEN make_timestamp("
                f"CAST(regexp_extract({raw}, '{_MONTH_NUMERIC}', 2) AS INTEGER), "
                f"CAST(regexp_extract({raw}, '{_MONTH_NUMERIC}', 1) AS INTEGER), 1, 0, 0, 0) "
                f"WHEN regexp_full_match(lower({raw}), '{_MONTH_WORD.strip('^$')}') "
                f"AND list_position({q.p(words)}::VARCHAR[], {word}) > 0 THEN make_timestamp("
                f"CASE WHEN {year2} < 100 THEN 2000 + {year2} ELSE {year2} END, "
                f"(CAST({q.p(numbers)} AS INTEGER[]))[list_position({q.p(words)}::VARCHAR[], {word})], 1, 0, 0, 0) END)")

    probe = SqlParams()
    probe_sql = month_sql(probe).replace(raw, "r")
    filled, months = job.store.fetchone(
        f"SELECT count(r), count(TRY({probe_sql})) FROM (SELECT {raw_inline} AS r FROM {job.stage} WHERE NOT {skipped})",
        probe.params)
    if filled and months == filled:
        plan.select.append(f"TRY({month_sql(q)}) AS period_d")
        return True
    fmt = detect_date_format(job.store, raw_inline, job.stage, "+".join(job.mapping["period_start"]),
                             job.options.date_format, job.display, workbook=job.info.file_format == "excel")
    plan.select.append(f"{naive_timestamp_sql(q, raw, fmt)} AS period_d")
    plan.rule("period_start", f"{raw} IS NOT NULL AND period_d IS NULL",
              NOT_A_PERIOD.format(format=fmt.label or "ISO 8601"))
    return False


def _decide_grain(job: ImportJob, month_form: bool, warnings: list) -> str:
    """--grain, else months written as months, else from the period starts: a time of day → interval; the
    first of each month, a month or more apart → month; a whole number of weeks apart → week; else day."""
    if job.options.grain:
        return job.options.grain
    if month_form:
        return "month"
    live = "period_d IS NOT NULL AND NOT skipped_by_rule"
    with_time, distinct_days, firsts, gap, weekly = job.store.fetchone(f"""
        WITH days AS (SELECT DISTINCT CAST(period_d AS DATE) AS day FROM parsed_rows WHERE {live}),
             gaps AS (SELECT day, day - lag(day) OVER (ORDER BY day) AS gap FROM days)
        SELECT (SELECT bool_or(period_d <> date_trunc('day', period_d)) FROM parsed_rows WHERE {live}),
               count(*), bool_and(day(day) = 1), min(gap), bool_and(gap IS NULL OR gap % 7 = 0) FROM gaps""")
    if with_time:
        return "interval"
    if distinct_days and distinct_days > 1 and firsts and gap >= 28:
        grain = "month"
    elif distinct_days and distinct_days > 1 and weekly:
        grain = "week"
    else:
        grain = "day"
    warnings.append(Message(GRAIN_READ[grain], control=ControlRef("grain")))
    return grain


def _threshold(job: ImportJob) -> tuple[float | None, str | None]:
    """The threshold the within-counts refer to when no column gives it: --sl-threshold, else one written in the
    header of a within-count or service-level column; None: the channel's setting."""
    if job.options.sl_threshold_s is not None:
        return float(job.options.sl_threshold_s), "option"
    for name in ("answered_within", "service_level_pct", "abandoned_within"):
        for column in job.mapping.get(name, []):
            seconds = header_threshold(column)[1]
            if seconds is not None:
                return seconds, column
    return None, None


def _derive(job: ImportJob, constant_channel: str | None, grain: str, threshold: float | None) -> None:
    """parsed_rows again, with each row's counts and totals as they will be stored (the *_d columns)."""
    m, q = job.mapping, SqlParams()

    def col(name: str) -> str:
        return f"p.{quote_ident(name)}" if name in m else "CAST(NULL AS DOUBLE)"

    channel_raw = "p.channel" if "channel" in m else "CAST(NULL AS VARCHAR)"
    channel = f"coalesce(cw.slug, regexp_replace(lower({channel_raw}), '\\s+', '_', 'g'), {q.p(constant_channel)})"
    outcome = "sw.outcome" if "status" in m else "CAST(NULL AS VARCHAR)"
    answered = f"CASE {outcome} WHEN 'answered' THEN {col('offered')} WHEN 'abandoned' THEN 0 ELSE {col('answered')} END"
    abandoned = f"CASE {outcome} WHEN 'answered' THEN 0 WHEN 'abandoned' THEN {col('offered')} ELSE {col('abandoned')} END"
    parts = [f"coalesce({col(f'{part}_total_s')}, {col(f'{part}_mean')} * answered_d)"
             for part in ("talk", "hold", "wrap") if f"{part}_total_s" in m or f"{part}_mean" in m]
    parts_sum = ("CASE WHEN " + " OR ".join(f"{x} IS NOT NULL" for x in parts) + " THEN "
                 + " + ".join(f"coalesce({x}, 0)" for x in parts) + " END") if parts else "CAST(NULL AS DOUBLE)"
    handle = f"coalesce({col('handle_total_s')}, {col('aht')} * answered_d, {parts_sum})"
    wait = f"coalesce({col('wait_total_s')}, {col('asa')} * answered_d, {col('elapsed_total_s')} - handle_total_d)"
    share_of = "answered_d" if job.options.percent_of == "answered" else "offered_d"
    # numbers and the grain are checked values written inline; the channel (user text) is the one parameter
    step = {"interval": f"to_minutes({int(job.options.interval_minutes)})", "day": "INTERVAL 1 DAY",
            "week": "INTERVAL 7 DAY", "month": "INTERVAL 1 MONTH"}[grain]
    threshold_sql = "CAST(NULL AS DOUBLE)" if threshold is None else repr(float(threshold))
    direction = "p.direction" if "direction" in m else "'inbound'"
    # a status of 'skip' and --skip-rows leave a row out; identical rows after the first count once (spec §1b)
    job.temps.create("parsed_rows", f"""
        SELECT *, {wait} AS wait_total_d,
               NOT skipped_by_rule AND file_row > first_row AS is_duplicate,
               NOT skipped_by_rule AND file_row = first_row AND outcome_d IS DISTINCT FROM 'skip' AS live,
               coalesce({col('answered_within')}, {col('service_level_pct')} / 100.0 * {share_of}) AS answered_within_d,
               ({col('answered_within')} IS NULL AND {col('service_level_pct')} IS NOT NULL) AS sl_rebuilt_d,
               coalesce(abandoned_given, {col('abandon_rate_pct')} / 100.0 * offered_d) AS abandoned_d,
               (abandoned_given IS NULL AND {col('abandon_rate_pct')} IS NOT NULL) AS abandon_rebuilt_d
        FROM (
            SELECT *, {handle} AS handle_total_d, coalesce({col('offered')}, answered_d + abandoned_given) AS offered_d
            FROM (
                SELECT p.*, {channel} AS channel_d, {outcome} AS outcome_d, {direction} AS direction_d,
                       {answered} AS answered_d, {abandoned} AS abandoned_given,
                       coalesce({col('sl_threshold_s')}, {threshold_sql}) AS threshold_d,
                       period_d + {step} AS period_end_d, '{grain}' AS grain_d,
                       {channel_is_new_sql(channel_raw, constant_channel)} AS channel_is_new,
                       min(p.file_row) FILTER (WHERE NOT p.skipped_by_rule) OVER (PARTITION BY p.row_hash) AS first_row
                FROM parsed_rows p
                LEFT JOIN channel_words cw ON lower({channel_raw}) = cw.word
                LEFT JOIN status_words sw ON {'lower(p.status)' if 'status' in m else 'NULL'} = sw.word
            ) p
        ) p""", q.params)


def _add_rules(job: ImportJob, plan: FieldPlan, grain: str) -> None:
    time_field = "period_start" if "period_start" in job.mapping else "period_date"
    plan.rule(time_field, "period_d IS NULL AND " + (f"raw_{time_field} IS NULL"), EMPTY.format(field=time_field))
    plan.rule("channel", "channel_d IS NULL", NO_CHANNEL)
    plan.rule("offered", "offered_d IS NULL", NO_OFFERED)
    plan.rule("answered", "answered_d IS NULL", NO_ANSWERED)
    plan.rule("answered", "answered_d > offered_d", ANSWERED_OVER_OFFERED)
    plan.rule("abandoned", "abandoned_d > offered_d", ABANDONED_OVER_OFFERED)
    # Named by the column the count came from: the within-count itself, or the percentage it was rebuilt from.
    counted, rebuilt = "answered_within" in job.mapping, "service_level_pct" in job.mapping
    if counted:
        plan.rule("answered_within", "answered_within_d > answered_d + 1e-9"
                  + (" AND raw_answered_within IS NOT NULL" if rebuilt else ""), WITHIN_OVER_ANSWERED)
    if rebuilt:
        plan.rule("service_level_pct", "answered_within_d > answered_d + 1e-9"
                  + (" AND raw_answered_within IS NULL" if counted else ""), WITHIN_REBUILT_OVER_ANSWERED)
    plan.rule(time_field, "period_d > now() + INTERVAL 1 DAY", PERIOD_IN_FUTURE)
    if grain == "month":
        plan.rule(time_field, "day(period_d) <> 1 OR period_d <> date_trunc('day', period_d)", MONTH_NOT_ON_FIRST)
    if grain in ("day", "week"):
        plan.rule(time_field, "period_d <> date_trunc('day', period_d)", TIME_OF_DAY_IN[grain])


def _refuse_overlap(job: ImportJob) -> None:
    """Contact-level data of the same channel on a day the report covers would count those contacts twice."""
    if job.options.allow_overlap or job.preview:
        return
    rows = job.store.fetchall("""
        SELECT a.channel_d, list(DISTINCT strftime(c.day, '%Y-%m-%d') ORDER BY strftime(c.day, '%Y-%m-%d'))
        FROM parsed_rows a
        JOIN measures_coverage c ON c.channel = a.channel_d AND c.day >= CAST(a.period_d AS DATE)
             AND c.day <= CAST(a.period_end_d - INTERVAL 1 MICROSECOND AS DATE)
        JOIN imports i ON i.import_id = c.import_id AND i.kind = 'contacts'
        WHERE a.live AND a.file_row NOT IN (SELECT file_row FROM row_problems)
        GROUP BY 1 ORDER BY 1""")
    if rows:
        refuse_overlap(job, rows, Message("contact-level data"))


def _check_interval_length(job: ImportJob, grain: str, warnings: list) -> None:
    """Interval rows of one channel (queue, team, agent) starting closer together than the interval length
    (--interval-minutes, default 30) would overlap: refused, naming both rows and the length their starts give.
    When the closest rows start further apart than that, each row is most likely a longer interval (an hourly report
    read as half-hours puts each hour into its first half-hour: heatmap and staffing go wrong): a warning, before
    the import on the Upload page."""
    if grain != "interval":
        return
    minutes = int(job.options.interval_minutes)
    keys = ", ".join(["channel_d", "direction_d"] + [quote_ident(k) for k in ("queue", "team", "agent")
                                                      if k in job.mapping])
    closest = job.store.fetchone(f"""
        SELECT gap, prev_row, file_row, strftime(prev_start, '%Y-%m-%d %H:%M'), strftime(period_d, '%Y-%m-%d %H:%M')
        FROM (SELECT file_row, period_d, lag(file_row) OVER w AS prev_row, lag(period_d) OVER w AS prev_start,
                     (epoch(period_d) - epoch(lag(period_d) OVER w)) / 60 AS gap
              FROM parsed_rows WHERE {VALID}
              WINDOW w AS (PARTITION BY {keys} ORDER BY period_d, file_row))
        WHERE gap > 0 ORDER BY gap, file_row LIMIT 1""")
    if closest is None:
        return
    gap, first_row, second_row, first_start, second_start = closest
    gap_text = f"{gap:g}"
    if gap < minutes:
        problem = Message("starts {gap} minutes after row {row} ({start}), but each interval row covers {minutes} "
                          "minutes", gap=gap_text, row=int(first_row), start=first_start, minutes=minutes)
        raise ImportRefused(Message(
            "{file}: rows {first} and {second} start {gap} minutes apart ({first_start} and {second_start}), but each "
            "interval row is read as {minutes} minutes long, so they would overlap. Nothing was imported. Give the "
            "report's own interval length, {gap} minutes, {control}.", file=job.display, first=int(first_row),
            second=int(second_row), gap=gap_text, first_start=first_start, second_start=second_start, minutes=minutes,
            control=ControlRef("interval_minutes")),
            [RowProblem(job.display, int(second_row), "period_start", second_start, problem)])
    if gap > minutes:
        warnings.append(Message(
            "the closest interval rows start {gap} minutes apart (rows {first} and {second}), but each row is read as "
            "{minutes} minutes long. If each row covers {gap} minutes, delete this import and import the report again "
            "with that length {control}; until then heatmaps and staffing put each row's contacts into its first "
            "{minutes} minutes.",
            gap=gap_text, first=int(first_row), second=int(second_row), minutes=minutes,
            control=ControlRef("interval_minutes")))


def _refuse_other_reports(job: ImportJob, new) -> None:
    """A stored report of the same source and channel whose periods cover the new rows' — a daily report beside a
    monthly one, or one of all queues beside one of a single queue — counts the same contacts: refused, naming the
    channel and days, unless --allow-overlap. Reports of different queues (teams, agents) or sources add up."""
    if job.options.allow_overlap:
        return
    dims = " AND ".join(f"(s.{d} IS NULL OR n.{d} IS NULL OR s.{d} = n.{d})" for d in ("queue", "team", "agent"))
    rows = job.store.fetchall(f"""
        SELECT n.channel, list(DISTINCT strftime(CAST(greatest(s.period_start, n.period_start) AS DATE), '%Y-%m-%d')),
               list(DISTINCT s.import_id)
        FROM {new} n JOIN aggregated_rows s ON s.source = n.source AND s.channel = n.channel
             AND s.direction IS NOT DISTINCT FROM n.direction AND {dims}
             AND s.period_start < n.period_end AND n.period_start < s.period_end
        GROUP BY 1 ORDER BY 1""")
    if rows:
        imports = sorted({i for _channel, _days, ids in rows for i in ids})
        refuse_overlap(job, [(channel, sorted(days)) for channel, days, _ids in rows],
                       Message("another report's rows (import {imports})",
                               imports=", ".join(f"#{i}" for i in imports)))


def _notes(job: ImportJob, grain: str, threshold: float | None, threshold_from: str | None) -> list:
    """What the report says about the figures: rebuilt counts, short abandons, the threshold in force."""
    m, notes = job.mapping, []
    if "short_abandoned" not in m:
        notes.append(Message("short abandons are not separated in this report: abandonment counts every abandoned "
                             "contact"))
    if "service_level_pct" in m and "answered_within" not in m:
        notes.append(Message("answered within the threshold rebuilt as {field} × {share}: service level is marked "
                             "'rebuilt from percentages' wherever it shows", field=FieldRef("service_level_pct"),
                             share=Message(SHARE_WORDS.get(job.options.percent_of, str(job.options.percent_of)))))
    if "abandon_rate_pct" in m and "abandoned" not in m:
        notes.append(Message("abandoned rebuilt as {field} × offered: abandonment is marked 'rebuilt from "
                             "percentages' wherever it shows", field=FieldRef("abandon_rate_pct")))
    if threshold_from and threshold_from != "option":
        notes.append(Message("service-level threshold {threshold:g} s, read from the header {header!r}",
                             threshold=threshold, header=threshold_from))
    if "wait_total_s" not in m and "asa" not in m:
        notes.append(Message("no wait is given: ASA is not measured") if "elapsed_total_s" not in m else
                     Message("wait of answered contacts taken as elapsed − handle time"))
    if grain == "month":
        notes.append(Message("a monthly report has no daily view, heatmap or repeat-contact FCR; churn needs "
                             "contacts"))
    return notes


def _load(job: ImportJob, report: ImportReport) -> None:
    """Write the valid rows and their measures in one transaction; refuse rows already stored (same key)."""
    store = job.store
    key = ("source", "grain", "period_start", "channel", "direction", "queue", "team", "agent")
    with store.transaction():
        import_id = start_import(job, report)
        m = job.mapping

        def col(name: str) -> str:
            return quote_ident(name) if name in m else "NULL"

        new = job.temps.create("new_aggregated", f"""
            SELECT ? AS import_id, file_row, ? AS source, grain_d AS grain, ? AS interval_minutes,
                   period_d AS period_start, period_end_d AS period_end, channel_d AS channel, direction_d AS direction,
                   {col('queue')} AS queue, {col('team')} AS team, {col('agent')} AS agent,
                   offered_d AS offered, answered_d AS answered, abandoned_d AS abandoned,
                   {col('short_abandoned')} AS short_abandoned, answered_within_d AS answered_within,
                   {col('abandoned_within')} AS abandoned_within, threshold_d AS sl_threshold_s,
                   wait_total_d AS wait_total_s, handle_total_d AS handle_total_s,
                   {', '.join(f"{col(n)} AS {n}" for n in ('resolved', 'resolved_n', 'csat_n', 'csat_top2', 'nps_n',
                                                           'nps_promoters', 'nps_detractors', 'ces_n', 'ces_total'))},
                   sl_rebuilt_d AS sl_rebuilt, abandon_rebuilt_d AS abandon_rebuilt
            FROM parsed_rows WHERE {VALID}""",
            [import_id, job.source, int(job.options.interval_minutes) if report.file["grain"] == "interval" else None])
        same = " AND ".join(f"s.{k} IS NOT DISTINCT FROM n.{k}" for k in key)
        clash = store.fetchall(f"SELECT DISTINCT s.import_id, n.channel, strftime(n.period_start, '%Y-%m-%d %H:%M') "
                               f"FROM aggregated_rows s JOIN {new} n ON {same} ORDER BY 1, 2, 3 LIMIT 20")
        if clash:
            shown = ", ".join(_("{channel} {period} (import #{import_id})").format(channel=c, period=p, import_id=i)
                              for i, c, p in clash[:5])
            period_column = " + ".join(job.mapping.get("period_start") or job.mapping.get("period_date") or [])
            raise ImportRefused(Message(
                "{file}: the store already holds report rows for the same periods: {shown}. If this report replaces "
                "them, remove that import first {delete}.", file=job.display, shown=shown,
                delete=ControlRef("delete_import", import_id=clash[0][0])),
                [RowProblem(job.display, None, period_column or "period_start", p,
                            Message("already imported as import #{import_id}", import_id=i)) for i, c, p in clash])
        _refuse_other_reports(job, new)
        store.execute(f"INSERT INTO aggregated_rows BY NAME SELECT * FROM {new}")
        touched = TouchedDays(store, job.temps)
        store.execute(f"INSERT INTO {touched.table} SELECT DISTINCT CAST(period_start AS DATE) FROM {new}")
        refresh_days(store, touched)
        report.rows_imported = int(store.scalar(f"SELECT count(*) FROM {new}"))
        finish_import(job, report)
        crash_point("committing")
