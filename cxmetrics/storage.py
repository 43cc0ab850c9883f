"""The DuckDB store: connection, versioned schema, migrations, transactions.

This is the only module that imports duckdb. Other modules hand it SQL whose values are
bind parameters and whose identifiers come from the schema (quoted with `quote_ident`); bulk
inserts (`insert_rows`, `insert_frame`) and temporary tables (`temp_tables`) go through its helpers.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import re
import threading
import time
import uuid
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import duckdb

from .errors import CxError, StoreBusyError
from .schema import CHANNEL_DEFAULTS, DEFAULT_TARGETS, customer_key_sql
from .i18n import _
from .settings import DEFAULT_SETTINGS

DEFAULT_DB_PATH = Path("data") / "cxmetrics.duckdb"


_CONTACT_COLUMNS = """
    source VARCHAR NOT NULL,
    contact_id VARCHAR NOT NULL,
    import_id INTEGER NOT NULL,
    file_row INTEGER,
    channel VARCHAR NOT NULL,
    direction VARCHAR NOT NULL,
    queued_at TIMESTAMPTZ NOT NULL,
    queued_local TIMESTAMP NOT NULL,
    answered_at TIMESTAMPTZ,
    ended_at TIMESTAMPTZ,
    answered BOOLEAN NOT NULL,
    abandoned BOOLEAN NOT NULL,
    wait_seconds DOUBLE,
    talk_seconds DOUBLE,
    hold_seconds DOUBLE,
    wrap_seconds DOUBLE,
    handle_seconds DOUBLE,
    customer_id VARCHAR,
    resolved BOOLEAN,
    csat DOUBLE,
    nps INTEGER,
    ces DOUBLE,
    queue VARCHAR,
    team VARCHAR,
    agent VARCHAR,
    status VARCHAR,
    next_contact_at TIMESTAMPTZ
"""

CONTACT_COLUMN_NAMES = tuple(line.split()[0] for line in _CONTACT_COLUMNS.strip().splitlines())

SHIPPED_BENCHMARKS = Path(__file__).with_name("benchmarks.csv")  # industry benchmarks a store starts with


def _seed_benchmarks(con: duckdb.DuckDBPyConnection) -> None:
    """The shipped benchmarks (cxmetrics/benchmarks.csv, checked by tests/test_benchmarks.py) into the new table."""
    with SHIPPED_BENCHMARKS.open(encoding="utf-8-sig", newline="") as fh:
        rows = [[r["channel"], r["metric"], float(r["value"]), r["source"], int(r["year"]), r["scope"]]
                for r in csv.DictReader(fh)]
    if rows:
        con.executemany("INSERT INTO benchmarks VALUES (?, ?, ?, ?, ?, ?)", rows)


# Marks a store whose stored customer ids the migration below rewrote: its next contacts and measures are
# recomputed when it is next opened writable (cxmetrics.ingest.fcr), then the table is dropped.
CUSTOMER_KEYS_CHANGED = "customer_keys_changed"


def _normalise_customer_ids(con: duckdb.DuckDBPyConnection) -> None:
    """Customer ids stored before phone numbers were matched by their digits ("+7 916 000-00-01" and
    "8 (916) 000-00-01" as 79160000001, schema.customer_key_sql) are rewritten the way an import now writes them,
    so that a store does not see one caller as two customers across the day of the upgrade. Two stored customers
    rows that become one id keep the newer import's (as a re-import would); the older is set aside as replaced."""
    key = customer_key_sql("customer_id")
    changed = 0
    for table in ("contacts", "contacts_replaced", "customers", "customers_replaced"):
        changed += con.execute(f"UPDATE {table} SET customer_id = {key} "
                               f"WHERE customer_id IS DISTINCT FROM {key}").fetchone()[0]
    if not changed:
        return
    con.execute("""CREATE TEMP TABLE merged_customers AS SELECT * FROM (
                       SELECT rowid AS rid, first_value(import_id) OVER newest AS kept_import,
                              row_number() OVER newest AS rank
                       FROM customers
                       WINDOW newest AS (PARTITION BY customer_id ORDER BY import_id DESC, file_row DESC NULLS LAST))
                   WHERE rank > 1""")
    con.execute("INSERT INTO customers_replaced SELECT c.*, m.kept_import FROM customers c "
                "JOIN merged_customers m ON c.rowid = m.rid")
    con.execute("DELETE FROM customers WHERE rowid IN (SELECT rid FROM merged_customers)")
    con.execute("DROP TABLE merged_customers")
    con.execute(f"CREATE TABLE {CUSTOMER_KEYS_CHANGED} (marked_at TIMESTAMPTZ)")
    con.execute(f"INSERT INTO {CUSTOMER_KEYS_CHANGED} VALUES (now())")


# Each entry is one schema version; a store is brought up to the last one at connect. A step is SQL, or a function
# given the migration's connection (for seeding with bind parameters).
MIGRATIONS: list[list] = [
    [
        "CREATE SEQUENCE import_id_seq START 1",
        """CREATE TABLE imports (
            import_id INTEGER PRIMARY KEY,
            file_name VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            source VARCHAR NOT NULL,
            mapping_json VARCHAR NOT NULL,
            imported_at TIMESTAMPTZ NOT NULL,
            rows_read BIGINT NOT NULL,
            rows_imported BIGINT NOT NULL,
            rows_replaced BIGINT NOT NULL,
            rows_skipped BIGINT NOT NULL,
            rows_rejected BIGINT NOT NULL,
            report_json VARCHAR
        )""",
        f"CREATE TABLE contacts ({_CONTACT_COLUMNS})",
        f"CREATE TABLE contacts_replaced ({_CONTACT_COLUMNS}, replaced_by INTEGER NOT NULL)",
        """CREATE TABLE customers (
            customer_id VARCHAR NOT NULL,
            churned_on DATE,
            import_id INTEGER NOT NULL,
            file_row INTEGER
        )""",
        """CREATE TABLE customers_replaced (
            customer_id VARCHAR NOT NULL,
            churned_on DATE,
            import_id INTEGER NOT NULL,
            file_row INTEGER,
            replaced_by INTEGER NOT NULL
        )""",
        """CREATE TABLE mapping_presets (
            name VARCHAR PRIMARY KEY,
            kind VARCHAR NOT NULL,
            preset_json VARCHAR NOT NULL,
            saved_at TIMESTAMPTZ NOT NULL
        )""",
        """CREATE TABLE channel_settings (
            channel VARCHAR PRIMARY KEY,
            sl_threshold_s DOUBLE NOT NULL,
            short_abandon_s DOUBLE NOT NULL,
            sl_formula VARCHAR NOT NULL
        )""",
        """CREATE TABLE targets (
            channel VARCHAR NOT NULL,
            metric VARCHAR NOT NULL,
            target DOUBLE NOT NULL,
            tolerance_pct DOUBLE NOT NULL DEFAULT 0,
            effective_from DATE
        )""",
        "CREATE TABLE settings (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
        """CREATE TABLE quarantine (
            import_id INTEGER NOT NULL,
            file_row INTEGER,
            columns VARCHAR,
            reason VARCHAR NOT NULL,
            raw_json VARCHAR NOT NULL
        )""",
        "CREATE TABLE data_version (version BIGINT NOT NULL)",
        "INSERT INTO data_version VALUES (1)",
    ],
    [
        # Closed-loop follow-up of low scorers: keyed like contacts, so it survives re-imports.
        """CREATE TABLE followups (
            source VARCHAR NOT NULL,
            contact_id VARCHAR NOT NULL,
            status VARCHAR NOT NULL,
            note VARCHAR,
            updated_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (source, contact_id)
        )""",
        """CREATE TABLE assessments (
            assessment_id INTEGER PRIMARY KEY,
            name VARCHAR NOT NULL,
            assessed_on DATE NOT NULL,
            scores_json VARCHAR NOT NULL,
            total INTEGER NOT NULL,
            stage VARCHAR NOT NULL,
            saved_at TIMESTAMPTZ NOT NULL
        )""",
    ],
    [
        # Rows of aggregated reports (spec §1b), as imported: counts and totals, never averages or percentages.
        # Counts are DOUBLE: one rebuilt from a percentage (80 % of 217) need not be whole.
        """CREATE TABLE aggregated_rows (
            import_id INTEGER NOT NULL,
            file_row INTEGER,
            source VARCHAR NOT NULL,
            grain VARCHAR NOT NULL,
            interval_minutes INTEGER,
            period_start TIMESTAMP NOT NULL,
            period_end TIMESTAMP NOT NULL,
            channel VARCHAR NOT NULL,
            direction VARCHAR NOT NULL,
            queue VARCHAR,
            team VARCHAR,
            agent VARCHAR,
            offered DOUBLE NOT NULL,
            answered DOUBLE NOT NULL,
            abandoned DOUBLE,
            short_abandoned DOUBLE,
            answered_within DOUBLE,
            abandoned_within DOUBLE,
            sl_threshold_s DOUBLE,
            wait_total_s DOUBLE,
            handle_total_s DOUBLE,
            resolved DOUBLE,
            resolved_n DOUBLE,
            csat_n DOUBLE,
            csat_top2 DOUBLE,
            nps_n DOUBLE,
            nps_promoters DOUBLE,
            nps_detractors DOUBLE,
            ces_n DOUBLE,
            ces_total DOUBLE,
            sl_rebuilt BOOLEAN NOT NULL,
            abandon_rebuilt BOOLEAN NOT NULL
        )""",
    ],
    [
        # Industry benchmarks (issue 16 §3): reference values per channel ('*' = every channel) and metric, with
        # where they come from. Never a target. A new store and an upgraded one both start with the shipped set.
        """CREATE TABLE benchmarks (
            channel VARCHAR NOT NULL,
            metric VARCHAR NOT NULL,
            value DOUBLE NOT NULL,
            source VARCHAR NOT NULL,
            year INTEGER NOT NULL,
            scope VARCHAR NOT NULL,
            PRIMARY KEY (channel, metric)
        )""",
        _seed_benchmarks,
    ],
    [
        _normalise_customer_ids,
    ],
]


def _seed_defaults(con: duckdb.DuckDBPyConnection, new_store: bool) -> None:
    for channel, d in CHANNEL_DEFAULTS.items():
        con.execute(
            "INSERT INTO channel_settings VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [channel, d.sl_threshold_s, d.short_abandon_s, d.sl_formula],
        )
    for key, value in DEFAULT_SETTINGS.items():
        con.execute("INSERT INTO settings VALUES (?, ?) ON CONFLICT DO NOTHING", [key, value])
    if new_store:
        con.executemany("INSERT INTO targets VALUES (?, ?, ?, ?, NULL)", [list(t) for t in DEFAULT_TARGETS])


def quote_ident(name: str) -> str:
    """Quote an identifier for SQL. Callers pass names from the schema or registry only."""
    return '"' + str(name).replace('"', '""') + '"'


def sha256_of(path: str | os.PathLike) -> str:
    """The file's sha256 (hex): how an import recognises a file it has seen, and how a backup proves its files."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class TempTable:
    """A temporary table's name; formatted into SQL it is the quoted identifier."""
    name: str

    def __str__(self) -> str:
        return quote_ident(self.name)


def _table_sql(table: str | TempTable) -> str:
    return str(table) if isinstance(table, TempTable) else quote_ident(table)


class TempTables:
    """The temporary tables of one task on this thread's connection; `Store.temp_tables` drops them all."""

    def __init__(self, store: "Store"):
        self._store = store
        self._made: dict[str, TempTable] = {}

    def create(self, name: str, select: str | None = None, params: Sequence[Any] | None = None, *,
               columns: Sequence[tuple[str, str]] | None = None, unique: bool = False) -> TempTable:
        """Create (or replace) a temporary table from a SELECT, or empty with (column, SQL type) pairs.

        `unique` adds a generated suffix to the name, for tables that must not meet another of the same kind.
        """
        if (select is None) == (columns is None):
            raise ValueError("give either select or columns")
        table = TempTable(f"{name}_{uuid.uuid4().hex}" if unique else name)
        self._made[table.name] = table
        if columns is not None:
            ddl = ", ".join(f"{quote_ident(column)} {sql_type}" for column, sql_type in columns)
            self._store.execute(f"CREATE OR REPLACE TEMP TABLE {table} ({ddl})")
        else:
            self._store.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {select}", params)
        return table

    def drop_all(self) -> None:
        """Drop every table made through this object (those that exist)."""
        for table in reversed(list(self._made.values())):
            self._store.execute(f"DROP TABLE IF EXISTS {table}")
        self._made.clear()


def resolve_db_path(cli_value: str | os.PathLike | None = None) -> Path:
    """--db, else CXMETRICS_DB, else ./data/cxmetrics.duckdb."""
    value = cli_value or os.environ.get("CXMETRICS_DB") or DEFAULT_DB_PATH
    return Path(value)


_BUSY_PID = re.compile(r"PID (\d+)")

# Called with (store, progress) when a store is opened writable, after its migrations: how a higher layer
# brings its derived tables up to date (cxmetrics.measures registers itself) without this module knowing it.
OPEN_HOOKS: list = []

# Bumped after every write transaction of any Store in this process (and when a store is opened). A page run reads
# the data version and the settings several times; under twenty sessions each DuckDB round trip also waits for the
# interpreter lock, so a read taken at one generation stands until the next. No other process can write a file
# this process has open (DuckDB locks it), so nothing else can change what was read.
_generation = 0
_generation_lock = threading.Lock()


def _next_generation() -> None:
    global _generation
    with _generation_lock:
        _generation += 1


MEMORY_SHARE = 0.05  # of the machine's RAM, for DuckDB's memory limit unless CXMETRICS_MEMORY_LIMIT says otherwise


def default_memory_limit() -> str | None:
    """DuckDB's memory limit when CXMETRICS_MEMORY_LIMIT is not set: 5 % of the machine's RAM, at least 512 MB.

    DuckDB's own default (80 % of RAM) lets one import of 10M contacts grow past 10 GB; at 5 % of a 24 GB machine
    (1.2 GB) it spills to disk and the process stays under 2 GB (BENCHMARKS.md). CXMETRICS_MEMORY_LIMIT=8GB (any
    DuckDB size) or =duckdb (DuckDB's own default) overrides it."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not a POSIX system: DuckDB's own default
        return None
    return f"{max(512, int(total * MEMORY_SHARE / 2**20))}MB"


class Store:
    """One DuckDB database file, shared by the threads of one process.

    Each thread gets its own cursor (DuckDB connections are not thread-safe); writes are
    serialised by a lock, and each import runs in one transaction.
    """

    def __init__(self, path: str | os.PathLike | None = None, *, read_only: bool | None = None,
                 busy_retries: int | None = None, busy_wait_s: float = 1.0, on_busy=None, on_progress=None):
        self.path = resolve_db_path(path)
        if read_only is None:
            read_only = os.environ.get("CXMETRICS_READONLY", "") not in ("", "0", "false")
        self.read_only = read_only
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif not self.path.exists():
            raise CxError(_("{path}: no store there to open read-only. Import data first, or unset CXMETRICS_READONLY.")
                          .format(path=self.path))
        if busy_retries is None:
            busy_retries = int(os.environ.get("CXMETRICS_BUSY_RETRIES", "5"))
        self._con = self._open(busy_retries, busy_wait_s, on_busy)
        limit = os.environ.get("CXMETRICS_MEMORY_LIMIT") or default_memory_limit()
        if limit and limit != "duckdb":  # DuckDB spills large sorts and joins to disk instead of growing
            self._con.execute("SET memory_limit = ?", [limit])
        self._local = threading.local()
        self.write_lock = threading.RLock()
        self.derived_layout: str | None = None  # the derived tables' layout once checked (cxmetrics.measures)
        self._committed_reads: dict[str, tuple[int, Any]] = {}
        if not read_only:
            self._migrate()
            for hook in OPEN_HOOKS:
                hook(self, on_progress)
        _next_generation()

    def _open(self, retries: int, wait_s: float, on_busy) -> duckdb.DuckDBPyConnection:
        for attempt in range(retries + 1):
            try:
                return duckdb.connect(str(self.path), read_only=self.read_only)
            except duckdb.IOException as exc:
                text = str(exc)
                if "lock" not in text.lower():
                    raise CxError(_("{path}: cannot open the store: {reason}").format(path=self.path, reason=text)) from exc
                pid = _BUSY_PID.search(text)
                busy = _("the store {path} is busy (used by PID {pid})").format(
                    path=self.path, pid=pid.group(1) if pid else "?")
                message = _("{busy}; retrying").format(busy=busy)
                if attempt == retries:
                    raise StoreBusyError(
                        _("{busy}. Gave up after {retries} retries: stop that process, or import through the app "
                          "(the app process is the single writer).").format(busy=busy, retries=retries)) from exc
                if on_busy:
                    on_busy(message)
                time.sleep(wait_s)
        raise AssertionError("unreachable")

    # -- connections -------------------------------------------------------------
    def _cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's connection (DuckDB connections are not thread-safe); only this module uses it."""
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._con.cursor()
            cur.execute("SET TimeZone = 'UTC'")
            self._local.cursor = cur
        return cur

    def close(self) -> None:
        """Close the store's connection (every thread's cursor with it)."""
        self._con.close()

    # -- queries -------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] | dict | None = None):
        """Run one statement on this thread's cursor; values are bind parameters."""
        return self._cursor().execute(sql, params or [])

    def fetchall(self, sql: str, params: Sequence[Any] | dict | None = None) -> list[tuple]:
        """Every row of a query, as tuples."""
        return self.execute(sql, params).fetchall()

    def fetchone(self, sql: str, params: Sequence[Any] | dict | None = None):
        """The first row of a query, or None."""
        return self.execute(sql, params).fetchone()

    def scalar(self, sql: str, params: Sequence[Any] | dict | None = None):
        """The first value of the first row, or None."""
        row = self.fetchone(sql, params)
        return None if row is None else row[0]

    def settings(self) -> dict[str, str]:
        """Every general setting as stored (config validates changes; this is the one reader)."""
        return dict(self._committed("settings", lambda: dict(self.fetchall("SELECT key, value FROM settings "
                                                                           "ORDER BY key"))))

    def _committed(self, name: str, read):
        """`read()`, remembered until the next write transaction in this process commits or rolls back. Inside a
        transaction it is read afresh: the transaction may have changed it."""
        if getattr(self._local, "in_transaction", False):
            return read()
        generation = _generation  # taken before reading: a commit in between leaves the memo already stale
        memo = self._committed_reads.get(name)
        if memo is not None and memo[0] == generation:
            return memo[1]
        value = read()
        self._committed_reads[name] = (generation, value)
        return value

    def is_time_zone(self, name: str) -> bool:
        """Whether DuckDB knows the IANA time zone `name` (the one check for settings and imports)."""
        return bool(self.scalar("SELECT count(*) FROM pg_timezone_names() WHERE name = ?", [name]))

    def records(self, sql: str, params: Sequence[Any] | dict | None = None) -> list[dict]:
        """Every row of a query, as dicts keyed by column name."""
        cur = self.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    def df(self, sql: str, params: Sequence[Any] | dict | None = None):
        """A query's result as a pandas frame."""
        return self.execute(sql, params).df()

    # -- bulk writes and temporary tables --------------------------------------------
    def insert_rows(self, table: str | TempTable, rows: Sequence[Sequence[Any]]) -> None:
        """Insert Python rows into `table`, every value a bind parameter."""
        rows = [list(r) for r in rows]
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            self._cursor().executemany(f"INSERT INTO {_table_sql(table)} VALUES ({marks})", rows)

    def insert_frame(self, table: str | TempTable, frame) -> None:
        """Insert a pandas frame or pyarrow table/record batch into `table`, its columns in the table's order."""
        with self._registered(frame) as (cur, view):
            cur.execute(f"INSERT INTO {_table_sql(table)} SELECT * FROM {view}")

    def load_arrow(self, name: str, table, select: str = "*") -> None:
        """Create the temporary table `name` (a name from code, not user text) from a pyarrow table, with the
        column expressions of `select` over it."""
        with self._registered(table) as (cur, view):
            cur.execute(f"CREATE OR REPLACE TEMP TABLE {quote_ident(name)} AS SELECT {select} FROM {view}")

    @contextmanager
    def _registered(self, frame) -> Iterator[tuple]:
        """(this thread's cursor, the quoted name of `frame` registered on it), unregistered afterwards."""
        cur = self._cursor()
        view = f"frame_{uuid.uuid4().hex}"
        cur.register(view, frame)
        try:
            yield cur, quote_ident(view)
        finally:
            cur.unregister(view)

    @contextmanager
    def temp_tables(self) -> Iterator[TempTables]:
        """Temporary tables for one task: whatever is created through it is dropped when the block ends."""
        tables = TempTables(self)
        try:
            yield tables
        finally:
            tables.drop_all()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction: all of it lands, or none of it."""
        if self.read_only:
            raise CxError(_("the store is open read-only (CXMETRICS_READONLY=1): changes are disabled here."))
        with self.write_lock:
            cur = self._cursor()
            cur.execute("BEGIN TRANSACTION")
            self._local.in_transaction = True
            try:
                yield
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            else:
                cur.execute("UPDATE data_version SET version = version + 1")
                cur.execute("COMMIT")
            finally:
                self._local.in_transaction = False
                _next_generation()

    def data_version(self) -> int:
        """Changes with every import, delete and settings change: a cache key for the app."""
        return self._committed("data_version", lambda: int(self.scalar("SELECT version FROM data_version")))

    def checkpoint(self) -> None:
        self.execute("CHECKPOINT")

    # -- schema --------------------------------------------------------------------
    def schema_version(self) -> int:
        exists = self.scalar(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'")
        if not exists:
            return 0
        return int(self.scalar("SELECT max(version) FROM schema_version") or 0)

    def _migrate(self) -> None:
        with self.write_lock:
            cur = self._cursor()
            current = self.schema_version()
            if current >= len(MIGRATIONS):
                _seed_defaults(cur, new_store=False)  # settings added since the store was made
                return
            cur.execute("BEGIN TRANSACTION")
            try:
                cur.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, applied_at TIMESTAMPTZ)")
                for version in range(current + 1, len(MIGRATIONS) + 1):
                    for statement in MIGRATIONS[version - 1]:
                        statement(cur) if callable(statement) else cur.execute(statement)
                    cur.execute("INSERT INTO schema_version VALUES (?, now())", [version])
                _seed_defaults(cur, new_store=current == 0)
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise

    def table_counts(self) -> dict[str, int]:
        """Row count of every table: the tests use it to prove a refused import changed nothing."""
        names = [r[0] for r in self.fetchall(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_type = 'BASE TABLE' ORDER BY 1")]
        return {n: int(self.scalar(f"SELECT count(*) FROM {quote_ident(n)}")) for n in names}


_NOT_BACKED_UP = ("schema_version", "data_version", CUSTOMER_KEYS_CHANGED)
DERIVED_PREFIX = "measures_"  # derived tables (cxmetrics.measures): rebuilt from the rest, so not backed up


def _backed_up(name: str) -> bool:
    return name not in _NOT_BACKED_UP and not name.startswith(DERIVED_PREFIX)


def backup(store: Store, out_dir: str | os.PathLike) -> dict:
    """Every table as Parquet, plus manifest.json with row counts and sha256 (one consistent snapshot)."""
    import pyarrow.parquet as pq  # loaded on demand: only backups need it

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    manifest = {"format": "cxmetrics-backup-1", "schema_version": store.schema_version(),
                "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "tables": {}}
    cur = store._cursor()  # one snapshot needs one connection, held across the tables
    cur.execute("BEGIN TRANSACTION").fetchall()  # one snapshot for all tables; the result is consumed
    try:
        for name in [t for t in store.table_counts() if _backed_up(t)]:
            path = out / f"{name}.parquet"
            with warnings.catch_warnings():  # DuckDB notes the batch copy; the snapshot needs this cursor
                warnings.simplefilter("ignore", UserWarning)
                reader = cur.execute(f"SELECT * FROM {quote_ident(name)}").to_arrow_reader(100_000)
            rows = 0
            with pq.ParquetWriter(path, reader.schema) as writer:
                for batch in reader:
                    writer.write_batch(batch)
                    rows += batch.num_rows
            manifest["tables"][name] = {"file": path.name, "rows": rows, "sha256": sha256_of(path)}
    finally:
        cur.execute("COMMIT")
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def restore(store: Store, in_dir: str | os.PathLike, force: bool = False) -> dict:
    """Replace the store's tables with a backup, after checking it is complete and unaltered."""
    import pyarrow.parquet as pq  # loaded on demand: only restores need it

    folder = Path(in_dir)
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        raise CxError(_("{folder}: no manifest.json, so this is not a complete cxmetrics backup. Nothing was "
                        "restored.").format(folder=folder))
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        tables = manifest["tables"]
    except (ValueError, KeyError) as exc:
        raise CxError(_("{manifest}: the manifest is damaged ({reason}). Nothing was restored.")
                      .format(manifest=manifest_path, reason=exc)) from exc
    expected = {t for t in store.table_counts() if _backed_up(t)}
    problems = []
    if manifest.get("schema_version") != store.schema_version():
        problems.append(_("the backup has schema version {backup}, the store {store}")
                        .format(backup=manifest.get("schema_version"), store=store.schema_version()))
    missing = sorted(expected - set(tables))
    if missing:
        problems.append(_("tables missing from the manifest: {tables}").format(tables=", ".join(missing)))
    for name, entry in tables.items():
        if name not in expected:
            problems.append(_("unknown table {name!r} in the manifest").format(name=name))
            continue
        path = folder / Path(entry["file"]).name
        if not path.exists():
            problems.append(_("{file} is missing").format(file=path.name))
        elif sha256_of(path) != entry["sha256"]:
            problems.append(_("{file} was altered (sha256 differs from the manifest)").format(file=path.name))
        elif pq.ParquetFile(path).metadata.num_rows != entry["rows"]:
            problems.append(_("{file} has {rows} rows, the manifest says {expected}").format(
                file=path.name, rows=pq.ParquetFile(path).metadata.num_rows, expected=entry["rows"]))
    if problems:
        raise CxError(_("{folder}: the backup is incomplete or altered, so nothing was restored:").format(folder=folder)
                      + "\n  - " + "\n  - ".join(problems))
    if not force and store.scalar("SELECT count(*) FROM imports"):
        raise CxError(_("{path} already holds data. Restoring replaces all of it: pass --force to do so.")
                      .format(path=store.path))
    with store.transaction():
        for name in sorted(expected):
            store.execute(f"DELETE FROM {quote_ident(name)}")
            store.execute(f"INSERT INTO {quote_ident(name)} SELECT * FROM read_parquet(?)",
                          [str(folder / Path(tables[name]["file"]).name)])
        for name in [t for t in store.table_counts() if t.startswith(DERIVED_PREFIX)]:
            store.execute(f"DROP TABLE {quote_ident(name)}")  # rebuilt from the restored rows on next use
        store.derived_layout = None
        next_id = int(store.scalar("SELECT coalesce(max(import_id), 0) + 1 FROM imports"))
        store.execute("DROP SEQUENCE import_id_seq")
        store.execute(f"CREATE SEQUENCE import_id_seq START {next_id}")  # an integer, not user text
    return {name: entry["rows"] for name, entry in tables.items()}
