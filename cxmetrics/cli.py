"""Command line: `cxmetrics [--db PATH] COMMAND …`, or `python -m cxmetrics …` (spec §5)."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import textwrap
from pathlib import Path

from . import benchmarks, config, drivers_views, ingest, metrics, staffing_views, targets
from .compliance import compliance as rule_rows
from .display import cell_text, format_value, write_safe_csv
from .errors import AlreadyImported, CxError, ImportRefused, StoreBusyError, UsageError
from .followup import STATUSES as FOLLOWUP_STATUSES
from .i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, _, current_language, ngettext, set_process_language, use_language
from .kpis import coarser_data
from .kpis import kpis as kpi_rows
from .metrics import METRICS
from .schema import GRAINS, PERCENT_OF, QUARANTINE_COLUMNS, SL_FORMULAS, fields_for
from .settings import SETTINGS
from .storage import Store, resolve_db_path

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_REFUSED, EXIT_ALREADY, EXIT_BUSY = 0, 1, 2, 3, 4, 5
# `check` is for cron and CI: 1 means "there are alerts", so its errors exit 3 or more, never 1.
EXIT_ALERTS, EXIT_CHECK_FAILED = 1, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own exit code 2 is our usage error too
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _pairs(values: list[str] | None, flag: str) -> list[tuple[str, str]]:
    out = []
    for item in values or []:
        if "=" not in item:
            raise UsageError(_("{flag} {item!r}: write it as {flag} NAME=VALUE").format(flag=flag, item=item))
        key, value = item.split("=", 1)
        out.append((key.strip(), value))
    return out


def build_parser() -> argparse.ArgumentParser:
    """The command line's parser: one sub-command per entry of COMMANDS."""
    parser = _Parser(prog="cxmetrics", description="Contact-centre metrics over a DuckDB store.")
    parser.add_argument("--db", help="store file (default: $CXMETRICS_DB, else ./data/cxmetrics.duckdb)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    fmt = argparse.ArgumentParser(add_help=False)
    fmt.add_argument("--format", choices=["csv", "json", "table"], default="csv",
                     help="output format (default csv; empty fields are null)")
    _add_import_commands(sub)
    _add_metric_commands(sub, fmt)
    _add_store_commands(sub, fmt)
    drivers_views.add_parser(sub)
    staffing_views.add_parser(sub)
    return parser


def _field_list() -> str:
    """Every field --map accepts, one line each, per kind of file (from the schema)."""
    lines = []
    for kind in ingest.KINDS:
        lines.append(f"fields for --map FIELD=COLUMN (--kind {kind}; * required):")
        fields = fields_for(kind).values()
        width = max(len(f.name) for f in fields) + 2
        lines += [f"  {f.name + ('*' if f.required else ''):<{width}}{_(f.description)}" for f in fields]
        lines.append("")
    return "\n".join(lines)


def _add_import_commands(sub) -> None:
    """Import, imports, quarantine, presets and the sample data."""
    p = sub.add_parser("import", help="import a contacts, customers or aggregated-report export (CSV, TSV, TXT, "
                       "XLSX, XLS, ODS), an Asterisk queue_log or Amazon Connect contact records",
                       description=textwrap.fill(
                           "Import one export file. Exit codes: 0 imported, 3 refused for invalid data, 4 already "
                           "imported, 2 usage error. An Asterisk queue_log and Amazon Connect contact records "
                           "(JSON) are recognised from their content and need no flags.", 78),
                       epilog=_field_list(), formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file")
    p.add_argument("--kind", choices=ingest.KINDS, default="contacts")
    p.add_argument("--preset", help="use a saved mapping preset")
    p.add_argument("--save-preset", metavar="NAME", help="save this import's mapping and options as a preset")
    p.add_argument("--map", action="append", metavar="FIELD=COLUMN",
                   help="map a field to a column; repeat contact_id to compose it from several columns; "
                        "FIELD= (no column) leaves a field unmapped that the headers would map")
    p.add_argument("--channel", help="channel for rows with no channel column or an empty one")
    p.add_argument("--date-format", help="strftime format of the date columns, e.g. %%d/%%m/%%Y or %%y%%m%%d")
    p.add_argument("--status-map", action="append", metavar="VALUE=answered|abandoned|skip",
                   help="how a status value counts")
    p.add_argument("--sheet", help="workbook sheet (default: the first non-empty one)")
    p.add_argument("--timezone", help="zone of timestamps without an offset (default: the store's setting)")
    p.add_argument("--on-error", choices=ingest.ON_ERROR_MODES, default="refuse",
                   help="refuse the file (default) or import the valid rows and quarantine the rest")
    p.add_argument("--source", help="source system name; contact ids are unique per source (default 'default')")
    p.add_argument("--force", action="store_true", help="import a file again even though it was imported before")
    p.add_argument("--skip-rows", action="append", metavar="COLUMN=VALUE",
                   help="leave out rows whose COLUMN holds VALUE (e.g. Total lines, internal calls); repeatable")
    p.add_argument("--allow-overlap", action="store_true",
                   help="import even when the file's channel and days are already covered: contact-level data beside a "
                        "report, or two reports of one source (a daily and a monthly one, say)")
    g = p.add_argument_group("aggregated reports (--kind aggregated)")
    g.add_argument("--grain", choices=GRAINS, help="what one row covers (default: detected from the values)")
    g.add_argument("--interval-minutes", type=int, default=30, help="length of an interval row (default 30)")
    g.add_argument("--sl-threshold", type=float, metavar="SECONDS",
                   help="the threshold of the answered-within counts, when no column or header gives it")
    g.add_argument("--percent-of", choices=PERCENT_OF,
                   help="what a service-level percentage is a share of, to rebuild the count from it")
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    p = sub.add_parser("imports", help="list imports, or delete one", description="List imports; "
                       "`imports delete ID` removes what that import added and restores what it replaced.")
    p.add_argument("action", nargs="?", choices=["list", "delete"], default="list")
    p.add_argument("import_id", nargs="?", type=int)

    p = sub.add_parser("quarantine", help="show or export quarantined rows",
                       description="Rows rejected by imports run with --on-error quarantine, with their reasons.")
    p.add_argument("--import", dest="import_id", type=int, help="only this import")
    p.add_argument("--out", help="write CSV to this file instead of printing")

    p = sub.add_parser("presets", help="list saved mapping presets")

    p = sub.add_parser("sample", help="write a deterministic, realistic sample data set",
                       description="Writes contacts.csv, contacts_<last month>.xlsx and customers.csv.")
    p.add_argument("--out", required=True, help="folder to write to")
    p.add_argument("--months", type=int, default=24)
    p.add_argument("--contacts-per-month", type=int, default=1000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--end", default="2026-10", help="last month, YYYY-MM")
    p.add_argument("--classic", action="store_true",
                   help="the per-row generator that wrote sample_data/ (slow past 100,000 contacts)")

    p = sub.add_parser("load-sample", help="import the bundled sample data (files already imported are skipped)")
    p.add_argument("--folder", help="folder with the sample files (default: sample_data/)")


def _add_lake_arguments(p) -> None:
    p.add_argument("--lake", metavar="DIR",
                   help="compute over this Parquet lake (written by export-lake) instead of the store")
    p.add_argument("--engine", choices=("duckdb", "spark"),
                   help="the engine over --lake: duckdb (default) or spark (needs requirements-spark.txt and Java)")
    p.add_argument("--spark-master", help="Spark master URL for --engine spark (default local[2]; Spark Connect: "
                                          "set SPARK_REMOTE instead)")


def _add_metric_commands(sub, fmt) -> None:
    """KPIs, the rolling rule, the quarterly review, early warning and follow-up."""
    p = sub.add_parser("kpis", parents=[fmt], help="metric values per period and channel, against their targets",
                       description="Columns: period,channel[,group],metric,value,n,target,state. One row per period "
                                   "× channel (× group) × metric with at least one contact, in registry order.")
    p.add_argument("--period", choices=metrics.PERIODS, default="month", help="one row per period (default month)")
    p.add_argument("--by", choices=metrics.GROUPS, help="drill down by queue, team or agent")
    p.add_argument("--channel", action="append", help="only this channel (repeatable)")
    p.add_argument("--from", dest="date_from", help="first day, YYYY-MM-DD (or a month YYYY-MM)")
    p.add_argument("--to", dest="date_to", help="last day, inclusive, YYYY-MM-DD (or a whole month YYYY-MM)")
    p.add_argument("--metric", action="append", help="only this metric (repeatable); ids: "
                   + ", ".join(metrics.METRICS))
    p.add_argument("--notes", action="store_true",
                   help="add the columns rebuilt_from_percentages and reported_threshold_s (aggregated reports: a "
                        "figure pooled from percentages; the SL threshold reports used when it is not the setting)")
    _add_lake_arguments(p)

    p = sub.add_parser("compliance", parents=[fmt], help="the 'k of the last n months' rule at a month",
                       description="Columns: channel,metric,as_of,window_start,months_met,months_with_data,"
                                   "months_in_window,status,flagged_months.")
    p.add_argument("--as-of", required=True, help="the month the window ends with, YYYY-MM")
    p.add_argument("--channel", action="append", help="only this channel (repeatable)")
    _add_lake_arguments(p)

    p = sub.add_parser("report", help="the quarterly SLA review workbook (or its Monthly table as CSV)",
                       description="Writes the quarterly review: Summary, Monthly, Compliance, Flagged months, "
                                   "Trends, By queue, Definitions and Data coverage sheets.")
    p.add_argument("--quarter", required=True, help="YYYYQn, e.g. 2026Q3")
    p.add_argument("--channel", action="append", help="only this channel (repeatable)")
    p.add_argument("--out", required=True, help="FILE.xlsx (or FILE.csv with --format csv)")
    p.add_argument("--format", choices=["xlsx", "csv"], default="xlsx",
                   help="xlsx: the whole workbook (default); csv: the Monthly table")

    p = sub.add_parser("check", help="early-warning alerts for the current month; exit 1 when there are any",
                       description="Prints the alerts (metrics that cannot or may not meet their target this month, "
                                   "rolling rules one miss from breach). Exit code 0 when there are none, 1 when "
                                   "there are alerts, 2 for a usage error, 3 or more when the check itself failed "
                                   "(5: the store is busy), so cron or CI can tell them apart.")
    p.add_argument("--as-of", help="the day to judge the month to date at, YYYY-MM-DD (default today)")

    p = sub.add_parser("followups", help="low scorers to follow up (closed loop), as an Excel-safe CSV",
                       description="Contacts with NPS, CSAT or CES at or below the follow-up thresholds, with "
                                   "their follow-up status and note.")
    p.add_argument("--status", choices=FOLLOWUP_STATUSES)
    p.add_argument("--older-than", type=int, metavar="DAYS", help="only cases older than this many days")
    p.add_argument("--from", dest="date_from", help="first contact day, YYYY-MM-DD or YYYY-MM")
    p.add_argument("--to", dest="date_to", help="last contact day, inclusive")
    p.add_argument("--out", required=True, help="CSV file to write")


def _add_store_commands(sub, fmt) -> None:
    """Targets, settings, channel settings, backup and restore."""
    p = sub.add_parser("benchmarks", parents=[fmt], help="show, import or export industry benchmarks (never targets)",
                       description="benchmarks show | import FILE | export FILE. The CSV header is "
                                   "channel,metric,value,source,year,scope; an import replaces every benchmark, "
                                   "and a file with any invalid row changes nothing.")
    p.add_argument("action", choices=["show", "import", "export"])
    p.add_argument("args", nargs="*", help="FILE for import/export")
    p = sub.add_parser("targets", parents=[fmt], help="list, import, export or set targets",
                       description="targets list | import FILE | export FILE | set CHANNEL METRIC TARGET. The CSV "
                                   "header is channel,metric,target,tolerance_pct,effective_from.")
    p.add_argument("action", choices=["list", "import", "export", "set"])
    p.add_argument("args", nargs="*", help="FILE for import/export; CHANNEL METRIC TARGET for set")
    p.add_argument("--tolerance-pct", type=float, default=0.0)
    p.add_argument("--effective-from", help="YYYY-MM (default: always)")

    p = sub.add_parser("settings", parents=[fmt], help="show or set a setting",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="settings show | set KEY VALUE. Keys (default):\n" + "\n".join(
                           f"  {item.name} ({item.default}): {item.help}" for item in SETTINGS))
    p.add_argument("action", choices=["show", "set"])
    p.add_argument("key", nargs="?")
    p.add_argument("value", nargs="?")

    p = sub.add_parser("channels", parents=[fmt], help="show or set per-channel settings",
                       description="channels show | set CHANNEL [--sl-threshold S] [--short-abandon S] "
                                   "[--sl-formula F]")
    p.add_argument("action", choices=["show", "set"])
    p.add_argument("channel", nargs="?")
    p.add_argument("--sl-threshold", type=float, help="service-level threshold, seconds")
    p.add_argument("--short-abandon", type=float, help="short-abandon threshold, seconds")
    p.add_argument("--sl-formula", choices=SL_FORMULAS)

    p = sub.add_parser("export-lake", help="write the contacts as a Parquet lake, one partition per month, plus "
                                           "a manifest (for --engine duckdb|spark --lake)",
                       description="Writes contacts/month=YYYY-MM/part-0.parquet, the settings, channel settings, "
                                   "targets and customers, and manifest.json (row counts, sha256, schema version), "
                                   "from one snapshot of the store. Run it again into the same folder: only new or "
                                   "changed months are written, and months the store no longer holds are removed. "
                                   "The store read is --db (or CXMETRICS_DB).")
    p.add_argument("--out", required=True, metavar="DIR", help="the lake's folder (empty, or an earlier export)")

    p = sub.add_parser("build-measures", help="compute a lake's measures (DuckDB or Spark) into a store of their own, "
                                              "which then serves the dashboards",
                       description="Computes the measures layer of a lake's contacts and loads it into the store "
                                   "given by the global --db (cxmetrics --db NEW.duckdb build-measures --lake DIR), "
                                   "which then serves the app without the contacts. That store must hold no "
                                   "contacts of its own; the lake's settings, channel settings and targets replace "
                                   "that store's. Run it again after each export-lake.")
    p.add_argument("--lake", required=True, metavar="DIR", help="the lake's folder (written by export-lake)")
    p.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb", help="the engine (default duckdb)")
    p.add_argument("--spark-master", help="Spark master URL for --engine spark (default local[2]; Spark Connect: "
                                          "set SPARK_REMOTE instead)")

    p = sub.add_parser("backup", help="write every table as Parquet plus a manifest (row counts, sha256)")
    p.add_argument("--out", required=True, help="folder to write the backup to")

    p = sub.add_parser("restore", help="replace the store with a backup, after verifying it",
                       description="Refuses a backup with missing or altered files. Replacing a store that holds "
                                   "data needs --force.")
    p.add_argument("folder")
    p.add_argument("--force", action="store_true", help="replace a store that already holds data")


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns its exit code (see README: Command line)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    before = current_language()
    try:
        return _run_reporting_errors(args, EXIT_CHECK_FAILED if args.command == "check" else EXIT_ERROR)
    finally:
        set_process_language(before)  # in-process callers (tests, scripts) get back the language they had


def _run_reporting_errors(args, failed: int) -> int:
    """The command's own exit code, or the code of the error it raised (`failed` for any other error)."""
    try:
        return _run(args)
    except BrokenPipeError:  # output piped into head or similar
        sys.stderr.close()
        return EXIT_OK
    except ImportRefused as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_REFUSED
    except AlreadyImported as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_ALREADY
    except UsageError as exc:
        print(_("error: {message}").format(message=exc), file=sys.stderr)
        return EXIT_USAGE
    except StoreBusyError as exc:
        print(_("error: {message}").format(message=exc), file=sys.stderr)
        return EXIT_BUSY
    except CxError as exc:
        print(_("error: {message}").format(message=exc), file=sys.stderr)
        return failed
    except Exception as exc:  # noqa: BLE001 — an unexpected failure still gets a message and an exit code
        print(_("error: {message}").format(message=f"{type(exc).__name__}: {exc}"), file=sys.stderr)
        return failed


# The commands that may start a new store. The others only read one, so a mistyped --db is refused rather than
# answered from a new, empty store.
STARTS_A_STORE = {"import", "load-sample", "targets", "settings", "channels", "benchmarks", "restore",
                  "build-measures"}


def _open(args) -> Store:
    path = resolve_db_path(args.db)
    if args.command not in STARTS_A_STORE and not path.exists():
        raise UsageError(_("{path}: there is no store there. Check --db (or CXMETRICS_DB), or import data first: "
                           "cxmetrics --db {path} import FILE").format(path=path))
    return Store(args.db, on_busy=lambda message: print(message, file=sys.stderr),
                 on_progress=lambda message: print(message, file=sys.stderr))


def _run(args) -> int:
    if args.command == "sample":
        return _cmd_sample(args)
    if getattr(args, "lake", None) and args.command != "build-measures":
        return _run_on_lake(args)
    if args.command != "build-measures" and (getattr(args, "engine", None) or getattr(args, "spark_master", None)):
        raise UsageError(_("--engine and --spark-master compute over a lake: add --lake DIR (written by export-lake)"))
    store = _open(args)
    try:
        # Messages, errors included, follow the store's `language` setting (main restores the one before); the CSV
        # and JSON stay English (ids, English headers).
        language = store.settings().get("language", DEFAULT_LANGUAGE)
        set_process_language(language if language in LANGUAGES else DEFAULT_LANGUAGE)
        return COMMANDS[args.command](store, args)
    finally:
        store.close()


def _cmd_sample(args) -> int:
    from .sample import write_sample, write_sample_table
    writer = write_sample if args.classic else write_sample_table
    files = writer(Path(args.out), months=args.months, contacts_per_month=args.contacts_per_month,
                   seed=args.seed, end_month=args.end)
    for f in files:
        print(f)
    return EXIT_OK


def _cmd_quarantine(store: Store, args) -> int:
    rows = ingest.quarantined_rows(store, args.import_id)
    header = list(QUARANTINE_COLUMNS)
    if args.out:
        with open(args.out, "w", newline="", encoding="utf-8") as fh:
            write_safe_csv(fh, header, ([r[h] for h in header] for r in rows))
        print(ngettext("{n} quarantined row written to {path}", "{n} quarantined rows written to {path}",
                       len(rows)).format(n=len(rows), path=args.out))
    else:
        write_safe_csv(sys.stdout, header, ([r[h] for h in header] for r in rows))
    return EXIT_OK


def _cmd_report(store: Store, args) -> int:
    from .review import quarterly_review
    from .workbook import write_review_workbook
    review = quarterly_review(store, args.quarter, args.channel)
    if args.format == "csv":
        with open(args.out, "w", newline="", encoding="utf-8") as fh:
            write_safe_csv(fh, ["channel", "metric", "month", "value", "n", "target", "state",
                                "rebuilt_from_percentages"],
                           ([r.channel, r.metric, r.period, r.value, r.n, r.target, review.state_of(r), r.rebuilt]
                            for r in review.monthly))
    else:
        write_review_workbook(review, args.out)
    print(ngettext("{quarter}: {n} channel × metric row written to {path}",
                   "{quarter}: {n} channel × metric rows written to {path}", len(review.rows)).format(
        quarter=review.quarter, n=len(review.rows), path=args.out))
    for line in review.findings:
        print(f"  {line}")
    return EXIT_OK


def _run_on_lake(args) -> int:
    """kpis or compliance computed by an engine over a lake; the store (--db) is not opened."""
    from . import lake  # loaded on demand: sqlglot and the engines are only needed here

    session = lake.open_session(args.lake, args.engine or "duckdb", args.spark_master)
    try:
        language = session.store.settings().get("language", DEFAULT_LANGUAGE)
        set_process_language(language if language in LANGUAGES else DEFAULT_LANGUAGE)
        if args.command == "kpis":
            return _print_kpis(session.kpis(args.period, args.by, args.channel, args.date_from, args.date_to,
                                            args.metric), args)
        return _print_compliance(session.compliance(args.as_of, args.channel), args)
    finally:
        session.close()


def _cmd_export_lake(store: Store, args) -> int:
    from . import lake  # loaded on demand: only the lake needs it

    manifest = lake.export_lake(store, args.out, progress=lambda message: print(message, file=sys.stderr))
    rows = sum(p["rows"] for p in manifest["partitions"].values())
    written, removed = len(manifest["written"]), len(manifest["removed"])
    print(_("exported {rows} contacts in {months} months to {path}: {written} written, {unchanged} unchanged, "
            "{removed} removed").format(rows=rows, months=len(manifest["partitions"]), path=args.out, written=written,
                                        unchanged=len(manifest["partitions"]) - written, removed=removed))
    return EXIT_OK


def _cmd_build_measures(store: Store, args) -> int:
    from . import lake  # loaded on demand: sqlglot and the engines are only needed here

    counts = lake.build_measures(store, args.lake, args.engine, args.spark_master,
                                 progress=lambda message: print(message, file=sys.stderr))
    print(_("built the measures of {lake} into {path}: {counts}").format(
        lake=args.lake, path=store.path, counts=", ".join(f"{k} {v}" for k, v in counts.items())))
    return EXIT_OK


def _cmd_backup(store: Store, args) -> int:
    from .storage import backup
    manifest = backup(store, args.out)
    print(_("backed up {n} tables to {path}: {counts}").format(
        n=len(manifest["tables"]), path=args.out,
        counts=", ".join(f"{k} {v['rows']}" for k, v in manifest["tables"].items())))
    return EXIT_OK


def _cmd_restore(store: Store, args) -> int:
    from .storage import restore
    counts = restore(store, args.folder, force=args.force)
    print(_("restored {n} tables from {path}").format(n=len(counts), path=args.folder))
    return EXIT_OK


def _cmd_followups(store: Store, args) -> int:
    from .followup import cases, export_csv
    frame = cases(store, args.date_from, args.date_to, args.status, args.older_than)
    Path(args.out).write_text(export_csv(frame), encoding="utf-8")
    print(ngettext("{n} follow-up case written to {path} ({overdue} open and overdue)",
                   "{n} follow-up cases written to {path} ({overdue} open and overdue)", len(frame)).format(
        n=len(frame), path=args.out, overdue=int(frame["overdue"].sum())))
    return EXIT_OK


def _cmd_check(store: Store, args) -> int:
    """Exit 0 without alerts, 1 with alerts (errors exit 2 for usage, 3 or more otherwise: see main)."""
    from .early_warning import alerts
    try:
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
    except ValueError:
        raise UsageError(_("--as-of {value!r}: write a day as YYYY-MM-DD").format(value=args.as_of)) from None
    found = alerts(store, as_of)
    for a in found:
        print(f"[{a.kind}] {a.text}")
    if not found:
        print(_("no alerts"))
    return EXIT_ALERTS if found else EXIT_OK


def _cmd_load_sample(store: Store, args) -> int:
    from .sample import load_sample
    for report in load_sample(store, args.folder):
        print(ngettext("imported {file}: {n} row", "imported {file}: {n} rows", report.rows_imported).format(
            file=report.file_name, n=report.rows_imported))
    return EXIT_OK


# What a channel's data holds when it is coarser than the period asked (spec §1b), as a note on stderr
_COARSER_NOTES = {"day": N_("note: {channel} holds daily report rows here, so it has no {period} figures"),
                  "week": N_("note: {channel} holds weekly report rows here, so it has no {period} figures"),
                  "month": N_("note: {channel} holds monthly report rows here, so it has no {period} figures")}


def _cmd_kpis(store: Store, args) -> int:
    for channel, grain in coarser_data(store, args.period, args.channel, args.date_from, args.date_to).items():
        print(_(_COARSER_NOTES[grain]).format(channel=channel, period=args.period), file=sys.stderr)
    return _print_kpis(kpi_rows(store, args.period, args.by, args.channel, args.date_from, args.date_to,
                                args.metric), args)


def _print_kpis(rows, args) -> int:
    header = ["period", "channel"] + (["group"] if args.by else []) + ["metric", "value", "n", "target", "state"]
    notes = ["rebuilt_from_percentages", "reported_threshold_s"] if args.notes else []

    def note_cells(r) -> list:
        if not args.notes:
            return []
        low, high = r.reported_threshold or (None, None)
        return [r.rebuilt, None if low is None else (f"{low:g}" if low == high else f"{low:g}-{high:g}")]
    def value_cell(r):  # a table is read by people: a figure rebuilt from percentages shows "≈" (spec §1b)
        if args.format == "table" and r.rebuilt and r.value is not None:
            return "≈ " + reading_text("value", r.value, {"metric": r.metric})
        return r.value
    emit(header + notes, ([r.period, r.channel] + ([r.group] if args.by else []) +
                          [r.metric, value_cell(r), r.n, r.target, r.state] + note_cells(r) for r in rows), args.format)
    return EXIT_OK


def _cmd_compliance(store: Store, args) -> int:
    return _print_compliance(rule_rows(store, args.as_of, args.channel), args)


def _print_compliance(rows, args) -> int:
    header = ["channel", "metric", "as_of", "window_start", "months_met", "months_with_data", "months_in_window",
              "status", "flagged_months"]
    emit(header, ([r.channel, r.metric, r.as_of, r.window_start, r.months_met, r.months_with_data,
                   r.months_in_window, r.status, ";".join(r.flagged_months)] for r in rows), args.format)
    return EXIT_OK


def _cmd_settings(store: Store, args) -> int:
    if args.action == "set":
        if args.key is None or args.value is None:
            raise UsageError(_("settings set needs KEY VALUE"))
        config.set_setting(store, args.key, args.value)
    emit(["key", "value"], sorted(config.get_settings(store).items()), args.format)
    return EXIT_OK


def _cmd_channels(store: Store, args) -> int:
    if args.action == "set":
        if not args.channel:
            raise UsageError(_("channels set needs a CHANNEL"))
        config.set_channel(store, args.channel, args.sl_threshold, args.short_abandon, args.sl_formula)
    header = ["channel", "sl_threshold_s", "short_abandon_s", "sl_formula"]
    emit(header, ([r[h] for h in header] for r in config.channel_settings(store)), args.format)
    return EXIT_OK


def _cmd_presets(store: Store, args) -> int:
    for p in ingest.list_presets(store):
        print(json.dumps(p, ensure_ascii=False))
    return EXIT_OK


def _cmd_import(store: Store, args) -> int:
    mapping: dict[str, list[str]] = {}
    for name, column in _pairs(args.map, "--map"):
        mapping.setdefault(name, []).append(column)
    options = ingest.ImportOptions(
        kind=args.kind, mapping=mapping, channel=args.channel, date_format=args.date_format,
        status_map=dict(_pairs(args.status_map, "--status-map")), sheet=args.sheet, timezone=args.timezone,
        on_error=args.on_error, source=args.source, force=args.force, preset=args.preset,
        save_preset=args.save_preset, skip_rows=_pairs(args.skip_rows, "--skip-rows"), grain=args.grain,
        interval_minutes=args.interval_minutes, sl_threshold_s=args.sl_threshold, percent_of=args.percent_of,
        allow_overlap=args.allow_overlap)
    report = ingest.import_file(store, args.file, options)
    if args.json:  # JSON is for scripts: English in every language, like the CSV outputs
        with use_language(DEFAULT_LANGUAGE):
            print(json.dumps(report.as_dict(), ensure_ascii=False, default=str, indent=2))
    else:
        print(report.text())
    return EXIT_OK


def _cmd_imports(store: Store, args) -> int:
    if args.action == "delete":
        if args.import_id is None:
            raise UsageError(_("imports delete needs an import id; `imports` lists them"))
        result = ingest.delete_import(store, args.import_id)
        print(_("deleted import #{id} ({file}): {removed} rows removed, {restored} replaced rows restored").format(
            id=result["import_id"], file=result["file_name"], removed=result["removed"], restored=result["restored"]))
        return EXIT_OK
    header = ["import_id", "file_name", "kind", "source", "imported_at", "rows_read", "rows_imported",
              "rows_replaced", "rows_skipped", "rows_rejected", "sha256"]
    write_safe_csv(sys.stdout, header, ([r[h] for h in header] for r in ingest.list_imports(store)))
    return EXIT_OK


def _cmd_benchmarks(store: Store, args) -> int:
    if args.action == "import":
        if len(args.args) != 1:
            raise UsageError(_("benchmarks import needs one FILE"))
        count = benchmarks.import_benchmarks_csv(store, args.args[0])
        print(ngettext("{n} benchmark imported from {path}", "{n} benchmarks imported from {path}", count).format(
            n=count, path=args.args[0]))
        return EXIT_OK
    if args.action == "export":
        if len(args.args) != 1:
            raise UsageError(_("benchmarks export needs one FILE"))
        Path(args.args[0]).write_text(benchmarks.export_benchmarks_csv(store), encoding="utf-8")
        print(_("benchmarks written to {path}").format(path=args.args[0]))
        return EXIT_OK
    emit(benchmarks.BENCHMARK_HEADER, ([b.channel, b.metric, b.value, b.source, b.year, b.scope]
                                       for b in benchmarks.list_benchmarks(store)), args.format)
    return EXIT_OK


def _cmd_targets(store: Store, args) -> int:
    if args.action == "import":
        if len(args.args) != 1:
            raise UsageError(_("targets import needs one FILE"))
        count = targets.import_targets(store, args.args[0])
        print(ngettext("{n} target imported from {path}", "{n} targets imported from {path}", count).format(
            n=count, path=args.args[0]))
        return EXIT_OK
    if args.action == "export":
        if len(args.args) != 1:
            raise UsageError(_("targets export needs one FILE"))
        Path(args.args[0]).write_text(targets.export_targets(store), encoding="utf-8")
        print(_("targets written to {path}").format(path=args.args[0]))
        return EXIT_OK
    if args.action == "set":
        if len(args.args) != 3:
            raise UsageError(_("targets set needs CHANNEL METRIC TARGET"))
        targets.set_target(store, *args.args, tolerance_pct=args.tolerance_pct, effective_from=args.effective_from)
    emit(targets.TARGET_HEADER, ([t.channel, t.metric, t.target, t.tolerance_pct, t.effective_from]
                                 for t in targets.list_targets(store)), args.format)
    return EXIT_OK


COMMANDS = {"import": _cmd_import, "imports": _cmd_imports, "quarantine": _cmd_quarantine, "report": _cmd_report,
            "backup": _cmd_backup, "export-lake": _cmd_export_lake, "build-measures": _cmd_build_measures, "restore": _cmd_restore, "followups": _cmd_followups, "check": _cmd_check,
            "load-sample": _cmd_load_sample, "kpis": _cmd_kpis, "compliance": _cmd_compliance,
            "targets": _cmd_targets, "settings": _cmd_settings, "channels": _cmd_channels, "presets": _cmd_presets,
            "drivers": drivers_views.run, "staffing": staffing_views.run, "benchmarks": _cmd_benchmarks}


def reading_text(column: str, value, row: dict) -> str:
    """A cell of `--format table`, rounded for reading as the pages show it (CSV and JSON keep full precision).

    A metric's value and target use the metric's display format; other numbers get at most two decimals.
    """
    if value is None:
        return ""
    if isinstance(value, str):  # already written for reading
        return value
    if column in ("value", "target") and row.get("metric") in METRICS:
        return format_value(row["metric"], value)
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if not value.is_integer() else str(int(value))
    return cell_text(value)


def emit(header: list[str], rows, fmt: str = "csv", out=None) -> None:
    """Write rows as CSV (default), JSON (a list of objects) or an aligned table (rounded for reading)."""
    out = out or sys.stdout
    rows = [list(r) for r in rows]
    if fmt == "json":
        json.dump([dict(zip(header, r)) for r in rows], out, ensure_ascii=False, indent=1, default=str)
        out.write("\n")
    elif fmt == "table":
        texts = [header] + [[reading_text(h, v, dict(zip(header, r))) for h, v in zip(header, r)] for r in rows]
        widths = [max(len(t[i]) for t in texts) for i in range(len(header))]
        for t in texts:
            out.write("  ".join(v.ljust(w) for v, w in zip(t, widths)).rstrip() + "\n")
    else:
        write_safe_csv(out, header, rows)
