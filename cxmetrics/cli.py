"""Command line: `python -m cxmetrics [--db PATH] COMMAND …` (spec §5)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import ingest
from .errors import AlreadyImported, CxError, ImportRefused, StoreBusyError, UsageError
from .reports import write_safe_csv
from .storage import Store

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_REFUSED, EXIT_ALREADY, EXIT_BUSY = 0, 1, 2, 3, 4, 5


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own exit code 2 is our usage error too
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _pairs(values: list[str] | None, flag: str) -> list[tuple[str, str]]:
    out = []
    for item in values or []:
        if "=" not in item:
            raise UsageError(f"{flag} {item!r}: write it as {flag} NAME=VALUE")
        key, value = item.split("=", 1)
        out.append((key.strip(), value))
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m cxmetrics", description="Contact-centre metrics over a DuckDB store.")
    parser.add_argument("--db", help="store file (default: $CXMETRICS_DB, else ./data/cxmetrics.duckdb)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("import", help="import a contacts or customers export (CSV, TSV, TXT, XLSX, XLS, ODS)",
                       description="Import one export file. Exit codes: 0 imported, 3 refused for invalid data, "
                                   "4 already imported, 2 usage error.")
    p.add_argument("file")
    p.add_argument("--kind", choices=ingest.KINDS, default="contacts")
    p.add_argument("--preset", help="use a saved mapping preset")
    p.add_argument("--save-preset", metavar="NAME", help="save this import's mapping and options as a preset")
    p.add_argument("--map", action="append", metavar="FIELD=COLUMN",
                   help="map a field to a column; repeat contact_id to compose it from several columns")
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

    p = sub.add_parser("load-sample", help="import the bundled sample data (files already imported are skipped)")
    p.add_argument("--folder", help="folder with the sample files (default: sample_data/)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except ImportRefused as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_REFUSED
    except AlreadyImported as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_ALREADY
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StoreBusyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except CxError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR


def _open(args) -> Store:
    return Store(args.db, on_busy=lambda message: print(message, file=sys.stderr))


def _run(args) -> int:
    if args.command == "sample":
        from .sample import write_sample
        files = write_sample(Path(args.out), months=args.months, contacts_per_month=args.contacts_per_month,
                             seed=args.seed, end_month=args.end)
        for f in files:
            print(f)
        return EXIT_OK
    store = _open(args)
    try:
        if args.command == "import":
            return _cmd_import(store, args)
        if args.command == "imports":
            return _cmd_imports(store, args)
        if args.command == "quarantine":
            rows = ingest.quarantined_rows(store, args.import_id)
            header = ["import_id", "file_name", "file_row", "columns", "reason", "raw_json"]
            if args.out:
                with open(args.out, "w", newline="", encoding="utf-8") as fh:
                    write_safe_csv(fh, header, ([r[h] for h in header] for r in rows))
                print(f"{len(rows)} quarantined rows written to {args.out}")
            else:
                write_safe_csv(sys.stdout, header, ([r[h] for h in header] for r in rows))
            return EXIT_OK
        if args.command == "load-sample":
            from .sample import load_sample
            for report in load_sample(store, args.folder):
                print(f"imported {report.file_name}: {report.rows_imported} rows")
            return EXIT_OK
        if args.command == "presets":
            for p in ingest.list_presets(store):
                print(json.dumps(p, ensure_ascii=False))
            return EXIT_OK
    finally:
        store.close()
    raise UsageError(f"unknown command {args.command}")


def _cmd_import(store: Store, args) -> int:
    mapping: dict[str, list[str]] = {}
    for name, column in _pairs(args.map, "--map"):
        mapping.setdefault(name, []).append(column)
    options = ingest.ImportOptions(
        kind=args.kind, mapping=mapping, channel=args.channel, date_format=args.date_format,
        status_map=dict(_pairs(args.status_map, "--status-map")), sheet=args.sheet, timezone=args.timezone,
        on_error=args.on_error, source=args.source, force=args.force, preset=args.preset,
        save_preset=args.save_preset)
    report = ingest.import_file(store, args.file, options)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, default=str, indent=2))
    else:
        print(report.text())
    return EXIT_OK


def _cmd_imports(store: Store, args) -> int:
    if args.action == "delete":
        if args.import_id is None:
            raise UsageError("imports delete needs an import id; `imports` lists them")
        result = ingest.delete_import(store, args.import_id)
        print(f"deleted import #{result['import_id']} ({result['file_name']}): {result['removed']} rows removed, "
              f"{result['restored']} replaced rows restored")
        return EXIT_OK
    header = ["import_id", "file_name", "kind", "source", "imported_at", "rows_read", "rows_imported",
              "rows_replaced", "rows_skipped", "rows_rejected", "sha256"]
    write_safe_csv(sys.stdout, header, ([r[h] for h in header] for r in ingest.list_imports(store)))
    return EXIT_OK
