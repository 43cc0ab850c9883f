"""Beyond one machine: the store's contacts as a Parquet lake, and the same metrics computed over it by DuckDB or
Apache Spark.

The lake: `contacts/month=YYYY-MM/part-0.parquet` (hive-style, one partition per local month), the small tables a
metric needs (settings, channel settings, targets, customers) and manifest.json (row counts, sha256, schema
version, the newest contact, the coverage of each month and channel). It is written from one snapshot of the store.

The plan: one query per question, generated here in DuckDB's dialect from the registry's parts (metrics.MEASURES,
metrics.PERIOD_SQL): the contacts read once, each inbound contact's next contact found by a window (the repeat-
contact FCR), every measure pooled per channel × period (× group), churn counted from distinct customers. For Spark,
sqlglot transpiles that same text; the dialect `LakeSpark` below handles what Spark writes differently (period
labels, epoch seconds, 30-minute buckets, distinct counts), and tests/test_lake.py pins each difference. The ratios are then taken
by kpis.ratio_sql over the pooled rows, in a small DuckDB store holding the lake's settings and targets, so every
printed figure goes through the same code as the store's.

build_measures computes the store's own measures tables from a lake the same way, into a store that then serves
the dashboards without the contacts.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.dialects.spark import Spark

from .compliance import ComplianceRow, compliance
from .errors import CxError, UsageError
from .i18n import _
from .kpis import KpiRow, Question, kpis
from .measures import (AGENT, CHURN_PERIODS, LAKE_MARK, LAKE_MARK_DDL, MEASURE_COLUMNS, SLOT, TABLES,
                       THRESHOLD_MEASURES, lake_served, pool_day_grain, pool_month_grain)
from .metrics import MEASURES, PERIOD_MONTH_SQL, PERIOD_SQL
from .months import add_months
from .schema import OTHER_CHANNEL_DEFAULTS
from .settings import DEFAULT_SETTINGS
from .storage import CONTACT_COLUMN_NAMES, Store, quote_ident, sha256_of

LAKE_FORMAT = "cxmetrics-lake-1"
ENGINES = ("duckdb", "spark")
SMALL_TABLES = ("settings", "channel_settings", "targets", "customers")
# Every stored contact column but next_contact_at: the engines derive it from the contacts, so an old month's
# partition does not change when a newer month brings a customer's next contact.
CONTACT_COLUMNS = tuple(c for c in CONTACT_COLUMN_NAMES if c != "next_contact_at")
BATCH_ROWS = 200_000


# -- export ------------------------------------------------------------------------------------------------
def export_lake(store: Store, out_dir: str | os.PathLike, progress=None) -> dict:
    """Write (or bring up to date) the lake in `out_dir` from one snapshot of the store; returns the manifest.

    A month whose contacts are unchanged since the last export (same rows, same content fingerprint, file intact)
    keeps its partition file untouched; new and changed months are written, months no longer stored removed.
    """
    import pyarrow.parquet as pq  # loaded on demand: only the lake needs it

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UsageError(_("--out {path} is a file: give a folder for the lake (empty, or an earlier export)")
                         .format(path=out))
    served = lake_served(store)
    if served:
        raise UsageError(_("{path} serves the measures of the lake {folder} and holds no contacts: export from the "
                           "store the lake came from (--db)").format(path=store.path, folder=served["folder"]))
    reports = store.scalar("SELECT count(*) FROM aggregated_rows")
    if reports:
        raise CxError(_("{path} holds {rows} rows of aggregated reports. A lake holds contact records only, so "
                        "its figures would differ from the store's; nothing was exported. Keep serving "
                        "aggregated reports from the store.").format(path=store.path, rows=reports))
    if not store.scalar("SELECT count(*) FROM contacts"):
        raise UsageError(_("{path} holds no contacts, so there is nothing to export (and an earlier lake in {out} "
                           "would lose every month): check --db or CXMETRICS_DB").format(path=store.path, out=out))
    previous = _previous_manifest(out)
    out.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda message: None)
    cur = store._cursor()  # one snapshot needs one connection, held across every read
    cur.execute("BEGIN TRANSACTION").fetchall()
    try:
        columns = ", ".join(quote_ident(c) for c in CONTACT_COLUMNS)
        months = cur.execute(f"""
            SELECT strftime(queued_local, '%Y-%m') AS month, count(*),
                   CAST(sum(CAST(hash({columns}) AS HUGEINT)) AS VARCHAR)
            FROM contacts GROUP BY 1 ORDER BY 1""").fetchall()
        partitions, written = {}, []
        old_partitions = (previous or {}).get("partitions", {})
        for month, rows, fingerprint in months:
            relative = f"contacts/month={month}/part-0.parquet"
            path = out / relative
            entry = old_partitions.get(month)
            if (entry and entry.get("fingerprint") == fingerprint and entry.get("rows") == rows and path.exists()
                    and sha256_of(path) == entry.get("sha256")):
                partitions[month] = entry
                continue
            say(_("writing {month}: {rows} contacts").format(month=month, rows=rows))
            start = dt.datetime.strptime(month, "%Y-%m")
            end = dt.datetime.strptime(add_months(month, 1), "%Y-%m")
            with warnings.catch_warnings():  # DuckDB notes the batch read; the snapshot needs this cursor
                warnings.simplefilter("ignore", UserWarning)
                reader = cur.execute(f"SELECT {columns} FROM contacts WHERE queued_local >= ? AND queued_local < ? "
                                     "ORDER BY queued_at, source, contact_id", [start, end]).to_arrow_reader(BATCH_ROWS)
            _write_parquet(pq, reader, path)
            partitions[month] = {"file": relative, "rows": rows, "sha256": sha256_of(path),
                                 "fingerprint": fingerprint}
            written.append(month)
        removed = sorted(set(old_partitions) - set(partitions))
        for month, entry in old_partitions.items():
            if month not in partitions:
                stale = out / entry["file"]
                if stale.exists():
                    shutil.rmtree(stale.parent)
        tables = {}
        for name in SMALL_TABLES:
            path = out / f"{name}.parquet"
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                reader = cur.execute(f"SELECT * FROM {quote_ident(name)}").to_arrow_reader(BATCH_ROWS)
            rows = _write_parquet(pq, reader, path)
            tables[name] = {"file": path.name, "rows": rows, "sha256": sha256_of(path)}
        coverage = [{"month": m, "channel": c, "first_day": str(first), "last_day": str(last), "contacts": n}
                    for m, c, first, last, n in cur.execute("""
                        SELECT strftime(queued_local, '%Y-%m'), channel, min(CAST(queued_local AS DATE)),
                               max(CAST(queued_local AS DATE)), count(*)
                        FROM contacts GROUP BY 1, 2 ORDER BY 1, 2""").fetchall()]
        latest_us = cur.execute("SELECT epoch_us(max(queued_at)) FROM contacts").fetchone()[0]
        schema_version = cur.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    finally:
        cur.execute("COMMIT")
    manifest = {"format": LAKE_FORMAT, "schema_version": schema_version,
                "exported_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "latest_queued_at_us": latest_us, "partitions": partitions, "tables": tables,
                "coverage": coverage, "written": written, "removed": removed}
    temporary = out / "manifest.json.tmp"
    temporary.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    os.replace(temporary, out / "manifest.json")  # the manifest lands last: a reader never sees half a lake
    return manifest


def _write_parquet(pq, reader, path: Path) -> int:
    """Write a reader's batches to `path` through a temporary file; returns the row count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".parquet.tmp")
    rows = 0
    with pq.ParquetWriter(temporary, reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)
            rows += batch.num_rows
    os.replace(temporary, path)
    return rows


def _previous_manifest(out: Path) -> dict | None:
    manifest = out / "manifest.json"
    if manifest.exists():
        return _read_manifest(out)
    if out.exists() and any(out.iterdir()):
        raise UsageError(_("{folder} is not empty and holds no lake manifest: give --out an empty folder or an "
                           "earlier lake export").format(folder=out))
    return None


def _read_manifest(folder: Path) -> dict:
    path = folder / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError(_("{folder}: no manifest.json, so this is not a cxmetrics lake. Write one with "
                           "export-lake --out {folder}").format(folder=folder)) from exc
    except ValueError as exc:
        raise CxError(_("{manifest}: the manifest is damaged ({reason}); export the lake again")
                      .format(manifest=path, reason=exc)) from exc
    if manifest.get("format") != LAKE_FORMAT:
        raise CxError(_("{manifest}: not a {format} manifest").format(manifest=path, format=LAKE_FORMAT))
    return manifest


# -- reading a lake ----------------------------------------------------------------------------------------
@dataclass
class Lake:
    """A checked lake folder and its manifest."""
    folder: Path
    manifest: dict

    @property
    def contact_files(self) -> list[str]:
        return [str(self.folder / e["file"]) for _, e in sorted(self.manifest["partitions"].items())]

    def table_file(self, name: str) -> str:
        return str(self.folder / self.manifest["tables"][name]["file"])


def open_lake(folder: str | os.PathLike, schema_version: int) -> Lake:
    """The lake in `folder`, after checking its manifest, its files and their row counts (CxError if not)."""
    import pyarrow.parquet as pq  # loaded on demand: only the lake needs it

    folder = Path(folder).resolve()  # absolute: a Spark driver or Connect server has its own working folder
    if not folder.exists():
        raise UsageError(_("--lake {folder}: no such folder").format(folder=folder))
    if not folder.is_dir():
        raise UsageError(_("--lake {folder} is a file (a store? give it with --db): --lake takes the folder written "
                           "by export-lake").format(folder=folder))
    manifest = _read_manifest(folder)
    problems = []
    if manifest.get("schema_version") != schema_version:
        problems.append(_("the lake has schema version {lake}, this cxmetrics {store}: export it again")
                        .format(lake=manifest.get("schema_version"), store=schema_version))
    entries = [*manifest.get("partitions", {}).values(), *manifest.get("tables", {}).values()]
    for name in SMALL_TABLES:
        if name not in manifest.get("tables", {}):
            problems.append(_("table {name} is missing from the manifest").format(name=name))
    for entry in entries:
        path = folder / entry["file"]
        if not path.exists():
            problems.append(_("{file} is missing").format(file=entry["file"]))
        elif sha256_of(path) != entry["sha256"]:  # about 1 s for the 0.5 GB of a 10M-contact lake
            problems.append(_("{file} was altered (sha256 differs from the manifest)").format(file=entry["file"]))
        elif pq.ParquetFile(path).metadata.num_rows != entry["rows"]:
            problems.append(_("{file} has {rows} rows, the manifest says {expected}").format(
                file=entry["file"], rows=pq.ParquetFile(path).metadata.num_rows, expected=entry["rows"]))
    if not manifest.get("partitions"):
        problems.append(_("it holds no contacts: import some into the store, then export-lake again"))
    if problems:
        raise CxError(_("{folder}: the lake is incomplete or altered:").format(folder=folder)
                      + "\n  - " + "\n  - ".join(problems) + "\n"
                      + _("Run export-lake --out {folder} again from the store it came from: it rewrites what is "
                          "missing or altered.").format(folder=folder))
    return Lake(folder, manifest)


def serving_store(lake: Lake, work_dir: str | os.PathLike) -> Store:
    """A small DuckDB store in `work_dir` holding the lake's settings, channel settings, targets and coverage:
    what the ratios, targets and the rolling rule read beside the pooled measures."""
    store = Store(Path(work_dir) / "lake-serving.duckdb", read_only=False)
    with store.transaction():
        for name in ("settings", "channel_settings", "targets"):
            store.execute(f"DELETE FROM {quote_ident(name)}")
            store.execute(f"INSERT INTO {quote_ident(name)} SELECT * FROM read_parquet(?)", [lake.table_file(name)])
        # coverage per month × channel: its first and last day are what the rule and the latest month read
        store.insert_rows("measures_coverage", [
            [c["first_day"], c["last_day"], "day", c["channel"], 0, c["contacts"]] for c in lake.manifest["coverage"]])
    return store


# -- the plan ----------------------------------------------------------------------------------------------
def base_sql(settings: dict[str, str], latest_us: int | None, have_customers: bool, churn: bool = True,
             lower: dt.datetime | None = None, upper: dt.datetime | None = None) -> tuple[str, list]:
    """The lake's inbound contacts, one row each, with what the measures read beside the stored columns: the
    channel's thresholds, the next contact (a window over each customer's contacts), FCR censoring, and the
    customer ids churn counts. DuckDB's dialect; bind parameters are strings and numbers only.

    `lower`/`upper` bound the question's range: the window reads a day either side of it (local and universal
    time differ by less) and up to the FCR window after it (a later contact only matters inside the window);
    months outside are not read at all (partition pruning)."""
    settings = {**DEFAULT_SETTINGS, **settings}
    window_s = float(settings["fcr_window_days"]) * 86400
    other = OTHER_CHANNEL_DEFAULTS
    scan, scan_params = ["direction = 'inbound'"], []
    if lower is not None:
        first = lower - dt.timedelta(days=1)
        scan.append("month >= ? AND queued_local >= CAST(? AS TIMESTAMP)")
        scan_params += [first.strftime("%Y-%m"), first.isoformat(sep=" ")]
    if upper is not None:
        last = upper + dt.timedelta(seconds=window_s) + dt.timedelta(days=1)
        scan.append("month <= ? AND queued_local < CAST(? AS TIMESTAMP)")
        scan_params += [last.strftime("%Y-%m"), last.isoformat(sep=" ")]
    columns = ", ".join(quote_ident(c) for c in CONTACT_COLUMNS)
    counted = "TRUE" if churn and have_customers else "FALSE"
    latest = "NULL" if latest_us is None else "CAST(? AS DOUBLE)"
    sql = f"""
WITH inbound AS (
    SELECT {columns},
           min(queued_at) OVER (PARTITION BY customer_id IS NULL, coalesce(customer_id, contact_id)
                                ORDER BY epoch_us(queued_at)
                                RANGE BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_contact_at
    FROM contacts
    WHERE {' AND '.join(scan)}
)
SELECT c.*, 'day' AS span, coalesce(cs.sl_threshold_s, CAST(? AS DOUBLE)) AS sl_threshold_s,
       coalesce(cs.short_abandon_s, CAST(? AS DOUBLE)) AS short_abandon_s, CAST(? AS DOUBLE) AS fcr_window_s,
       epoch(c.queued_at) + CAST(? AS DOUBLE) > {latest} AS fcr_censored,
       CASE WHEN {counted} AND c.customer_id IS NOT NULL THEN c.customer_id END AS churn_customer,
       CASE WHEN {counted} AND c.customer_id IS NOT NULL AND cu.churned_on > CAST(c.queued_local AS DATE)
                 AND cu.churned_on <= CAST(c.queued_local AS DATE) + CAST(? AS INTEGER)
            THEN c.customer_id END AS churned_customer
FROM inbound c
LEFT JOIN channel_settings cs ON cs.channel = c.channel
LEFT JOIN customers cu ON cu.customer_id = c.customer_id"""
    params = [float(other.sl_threshold_s), float(other.short_abandon_s), window_s, window_s]
    if latest_us is not None:
        params.append(latest_us / 1e6)
    params.append(int(settings["churn_window_days"]))
    return sql, scan_params + params


_MEASURES_SELECT = ",\n       ".join(
    [f"{sql} AS {quote_ident(name)}" for name, sql in MEASURES.items()]
    + [f"CAST(NULL AS DOUBLE) AS {quote_ident(name)}" for name in THRESHOLD_MEASURES])
_CHURN_SELECT = "count(DISTINCT churn_customer) AS churn_n, count(DISTINCT churned_customer) AS churn_yes"


def plan_sql(asked: Question, settings: dict[str, str], latest_us: int | None, have_customers: bool,
             churn: bool) -> tuple[str, list]:
    """The pooled measures of a question over the lake's relations `contacts`, `channel_settings` and
    `customers`: one query, one read of the contacts. DuckDB's dialect, with its bind parameters."""
    base, params = base_sql(settings, latest_us, have_customers, churn, asked.lower, asked.upper)
    where = ["TRUE"]
    if asked.lower is not None:
        where.append("queued_local >= CAST(? AS TIMESTAMP)")
        params.append(asked.lower.isoformat(sep=" "))
    if asked.upper is not None:
        where.append("queued_local < CAST(? AS TIMESTAMP)")
        params.append(asked.upper.isoformat(sep=" "))
    for column, values in ([("channel", list(asked.channels))] if asked.channels else []) + list(asked.filters.items()):
        where.append(f"{quote_ident(column)} IN ({', '.join('?' * len(values))})")
        params += [str(v) for v in values]
    group = f", {quote_ident(asked.by)} AS grp" if asked.by else ""
    period = PERIOD_SQL[asked.period].format(t="queued_local")
    target_month = PERIOD_MONTH_SQL[asked.period].format(t="queued_local")
    sql = f"""
WITH base AS ({base})
SELECT channel, {period} AS period, any_value({target_month}) AS target_month{group},
       {_MEASURES_SELECT},
       {_CHURN_SELECT}
FROM base
WHERE {' AND '.join(where)}
GROUP BY channel, {period}{', ' + quote_ident(asked.by) if asked.by else ''}
"""
    return sql, params


def measures_build_sql() -> dict[str, tuple[str, list]]:
    """The store's measures tables as queries over the relation `base` (base_sql over the whole lake), each
    giving the table's columns in order; measures_day is pooled from measures_agent by the store itself."""
    queries = {}
    for grain in (AGENT, SLOT):
        keys = [grain.time_sql] + [("'day'" if k == "span" else quote_ident(k)) for k in grain.keys]
        names = [grain.time, *grain.keys]
        select = ", ".join(f"{expr} AS {quote_ident(name)}" for expr, name in zip(keys, names))
        grouped = ", ".join(expr for expr, name in zip(keys, names) if name != "span")
        queries[grain.table] = (f"SELECT {select},\n       {_MEASURES_SELECT}\nFROM base GROUP BY {grouped}", [])
    queries["measures_scores"] = (
        "SELECT CAST(queued_local AS DATE) AS day, channel, CAST(nps AS DOUBLE) AS nps, csat, ces, count(*) AS contacts "
        "FROM base WHERE nps IS NOT NULL OR csat IS NOT NULL OR ces IS NOT NULL "
        "GROUP BY CAST(queued_local AS DATE), channel, nps, csat, ces", [])
    churn = []
    for kind, template in CHURN_PERIODS.items():
        period = template.format(t="queued_local")
        churn.append((f"SELECT CAST(? AS VARCHAR) AS kind, {period} AS period, channel, {_CHURN_SELECT} FROM base "
                      f"GROUP BY {period}, channel HAVING count(DISTINCT churn_customer) > 0", [kind]))
    queries["measures_churn"] = (" UNION ALL ".join(sql for sql, _ in churn), [p for _, ps in churn for p in ps])
    return queries


# Every customer id among the contacts of both directions, with its number of contacts (Data quality's counts).
CUSTOMERS_SQL = ("SELECT customer_id, count(*) AS contacts FROM contacts WHERE customer_id IS NOT NULL "
                 "GROUP BY customer_id")
# Contacts of both directions per local day, channel and import: what coverage, missing days and the rule read.
COVERAGE_SQL = ("SELECT CAST(queued_local AS DATE) AS day, CAST(queued_local AS DATE) AS last_day, 'day' AS span, "
                "channel, import_id, CAST(count(*) AS DOUBLE) AS contacts FROM contacts "
                "GROUP BY CAST(queued_local AS DATE), channel, import_id")


# -- Spark's dialect: what it writes differently -------------------------------------------------------------
_SPARK_PARTS = {  # DuckDB strftime directives, as Spark expressions of {x}
    "%Y": "date_format({x}, 'yyyy')", "%m": "date_format({x}, 'MM')", "%d": "date_format({x}, 'dd')",
    "%H": "date_format({x}, 'HH')", "%M": "date_format({x}, 'mm')",
    # ISO weeks (DuckDB's %G-W%V): Spark 3+ has no week-based patterns in date_format
    "%G": "CAST(extract(YEAROFWEEK FROM {x}) AS STRING)", "%V": "lpad(CAST(weekofyear({x}) AS STRING), 2, '0')",
    "%u": "CAST(weekday({x}) + 1 AS STRING)",  # ISO weekday, Monday = 1
}


def _spark_strftime(self, expression: exp.Expression) -> str:
    value = self.sql(expression, "this")
    fmt = _duckdb_format(expression)
    pieces, i = [], 0
    while i < len(fmt):
        if fmt[i] == "%" and fmt[i:i + 2] in _SPARK_PARTS:
            pieces.append(_SPARK_PARTS[fmt[i:i + 2]].format(x=value))
            i += 2
        elif fmt[i] == "%":
            raise ValueError(f"no Spark translation for the strftime directive {fmt[i:i + 2]!r}")
        else:
            j = fmt.find("%", i)
            j = len(fmt) if j < 0 else j
            pieces.append("'" + fmt[i:j].replace("'", "''") + "'")
            i = j
    return pieces[0] if len(pieces) == 1 else f"concat({', '.join(pieces)})"


def _duckdb_format(expression: exp.Expression) -> str:
    """The strftime format as DuckDB wrote it (sqlglot keeps it in Python's notation, which DuckDB shares)."""
    return expression.args["format"].name


def _spark_epoch(self, expression: exp.Expression) -> str:
    # DuckDB's epoch() keeps microseconds; Spark's unix_timestamp() drops them
    return f"(CAST(unix_micros({self.sql(expression, 'this')}) AS DOUBLE) / CAST(1000000 AS DOUBLE))"


def _spark_time_bucket(self, expression: exp.Expression) -> str:
    seconds = _bucket_seconds(expression.this)  # DuckDB's time_bucket(width, value)
    value = self.sql(expression, "expression")
    # DuckDB's default origin (2000-01-03) is a whole number of minute buckets after the epoch
    return (f"CAST(timestamp_seconds(floor(unix_seconds(CAST({value} AS TIMESTAMP)) / {seconds}) * {seconds}) "
            "AS TIMESTAMP_NTZ)")


def _bucket_seconds(unit: exp.Expression) -> int:
    if isinstance(unit, exp.Interval):
        amount, name = int(unit.this.name), unit.unit.name.upper()
        per = {"MINUTE": 60, "MINUTES": 60, "HOUR": 3600, "HOURS": 3600}
        if name in per:
            return amount * per[name]
    raise ValueError(f"no Spark translation for the bucket {unit.sql()!r}")


def _spark_epoch_us(self, expression: exp.Expression) -> str:
    return f"unix_micros({self.sql(expression.expressions[0])})"


def _spark_count(self, expression: exp.Expression) -> str:
    distinct = expression.this
    if isinstance(distinct, exp.Distinct) and len(distinct.expressions) == 1:
        # the same exact count without Spark's row expansion for DISTINCT aggregates (2.5× faster on the plan)
        return f"size(collect_set({self.sql(distinct.expressions[0])}))"
    return self.function_fallback_sql(expression)


class LakeSpark(Spark):
    """Spark SQL as the lake plan needs it; each difference from sqlglot's Spark is pinned by tests/test_lake.py."""

    class Generator(Spark.Generator):
        TRANSFORMS = {
            **Spark.Generator.TRANSFORMS,
            exp.TimeToStr: _spark_strftime,
            exp.TimeToUnix: _spark_epoch,
            exp.DateBin: _spark_time_bucket,
            exp.Count: _spark_count,
        }

        def anonymous_sql(self, expression: exp.Anonymous) -> str:
            if expression.name.lower() == "epoch_us":
                return _spark_epoch_us(self, expression)
            return super().anonymous_sql(expression)


def to_spark(sql: str) -> str:
    """The plan in Spark SQL (sqlglot, read as DuckDB, written by LakeSpark)."""
    return sqlglot.transpile(sql, read="duckdb", write=LakeSpark, unsupported_level=sqlglot.ErrorLevel.RAISE)[0]


# -- the engines -------------------------------------------------------------------------------------------
class DuckDBEngine:
    """The plan on DuckDB, over the lake's Parquet files (not the store)."""
    name = "duckdb"

    def __init__(self, lake: Lake):
        import duckdb  # the engine's own connection: the lake is read, never the store

        self.lake = lake
        self.con = duckdb.connect()
        # An analytic run over files, not the app's shared store: DuckDB's own memory default (80 % of RAM) unless
        # CXMETRICS_MEMORY_LIMIT says otherwise (README "Performance")
        limit = os.environ.get("CXMETRICS_MEMORY_LIMIT")
        if limit and limit != "duckdb":
            self.con.execute("SET memory_limit = ?", [limit])
        # views over the files, made through the relational API: a view's file list cannot be a bind parameter
        self.con.read_parquet(lake.contact_files, hive_partitioning=True).create_view("contacts")
        for name in ("channel_settings", "customers"):
            self.con.read_parquet(lake.table_file(name)).create_view(name)

    def run(self, sql: str, params: list):
        """The query's rows as a pyarrow table."""
        return self.con.sql(sql, params=params).to_arrow_table()

    def run_over_base(self, base: str, params: list, queries: dict[str, tuple[str, list]]) -> dict:
        """Each query over the relation `base`, computed once from the lake; pyarrow tables by name."""
        self.con.sql(base, params=params).to_table("base")
        try:
            return {name: self.run(sql, query_params) for name, (sql, query_params) in queries.items()}
        finally:
            self.con.execute("DROP TABLE base")

    def close(self) -> None:
        self.con.close()


class SparkEngine:
    """The plan on Apache Spark: local[2] by default, a cluster through --spark-master, or Spark Connect when
    SPARK_REMOTE is set. Time zone and partition typing are set so Spark's months are DuckDB's."""
    name = "spark"

    def __init__(self, lake: Lake, master: str | None = None):
        try:
            with warnings.catch_warnings():  # pyspark warns that it was tested with pandas 2; it reads no pandas here
                warnings.simplefilter("ignore", FutureWarning)
                from pyspark.sql import SparkSession  # optional dependency: requirements-spark.txt
        except ImportError as exc:
            raise CxError(_("--engine spark needs pyspark and a Java runtime: pip install -r requirements-spark.txt "
                            "(and Debian's openjdk-17-jre-headless)")) from exc
        self.lake = lake
        builder = SparkSession.builder.appName("cxmetrics")
        if master:
            builder = builder.master(master)
        elif not (os.environ.get("SPARK_REMOTE") or os.environ.get("PYSPARK_GATEWAY_PORT")):
            builder = builder.master("local[2]")  # not under spark-submit (it sets the gateway) nor Spark Connect
        if not os.environ.get("SPARK_REMOTE"):  # a Spark Connect server has its own driver and UI settings
            for key, value in SPARK_CONF.items():
                builder = builder.config(key, value)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            self.spark = builder.getOrCreate()
        if not os.environ.get("SPARK_REMOTE"):
            self.spark.sparkContext.setLogLevel("ERROR")  # the plan's size warning is not the user's business
        for key, value in SPARK_SESSION_CONF.items():
            self.spark.conf.set(key, value)
        reader = self.spark.read.option("basePath", str(lake.folder / "contacts"))
        reader.parquet(*lake.contact_files).createOrReplaceTempView("contacts")
        for name in ("channel_settings", "customers"):
            self.spark.read.parquet(lake.table_file(name)).createOrReplaceTempView(name)

    def run(self, sql: str, params: list):
        """The query's rows as a pyarrow table."""
        return self.frame(sql, params).toArrow()

    def frame(self, sql: str, params: list):
        """The query as a Spark DataFrame (its plan can be explained)."""
        return self.spark.sql(to_spark(sql), args=list(params))

    def run_over_base(self, base: str, params: list, queries: dict[str, tuple[str, list]]) -> dict:
        """Each query over the relation `base`, which is cached: the lake's contacts are read once."""
        frame = self.frame(base, params).persist()
        frame.createOrReplaceTempView("base")
        try:
            return {name: self.run(sql, query_params) for name, (sql, query_params) in queries.items()}
        finally:
            self.spark.catalog.dropTempView("base")
            frame.unpersist()

    def close(self) -> None:
        """Spark's session is kept for the process (starting one takes seconds)."""


SPARK_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.memory": os.environ.get("CXMETRICS_SPARK_DRIVER_MEMORY", "4g"),
}
SPARK_SESSION_CONF = {  # runtime settings: a Spark Connect session takes these too
    "spark.sql.shuffle.partitions": os.environ.get("CXMETRICS_SPARK_PARTITIONS", "4"),
    "spark.sql.session.timeZone": "UTC",  # local times are stored as such; UTC keeps Spark from shifting them
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",  # month=2026-10 stays a string
    "spark.sql.parquet.inferTimestampNTZ.enabled": "true",  # queued_local is a local time, without a zone
}


def engine_for(name: str, lake: Lake, master: str | None = None):
    """The engine called `name` over `lake`."""
    if name == "duckdb":
        return DuckDBEngine(lake)
    if name == "spark":
        return SparkEngine(lake, master)
    raise UsageError(_("--engine must be one of {engines}, not {name!r}").format(engines=", ".join(ENGINES),
                                                                                name=name))


def build_measures(store: Store, folder: str | os.PathLike, engine: str = "duckdb", master: str | None = None,
                   progress=None) -> dict[str, int]:
    """Compute the store's measures tables from the lake by `engine` and load them into `store`, which then serves
    the dashboards without the contacts (it must hold none of its own). Returns the rows of each table.

    The lake's settings, channel settings and targets replace the store's, since the measures follow them. The
    store is marked as serving the lake (measures.LAKE_MARK): imports and settings changes that would recompute
    its measures are refused there; they belong in the store the lake came from."""
    say = progress or (lambda message: None)
    own = store.scalar("SELECT (SELECT count(*) FROM contacts) + (SELECT count(*) FROM aggregated_rows)")
    if own:
        raise UsageError(_("{path} holds {rows} contacts or report rows of its own. Build a lake's measures into a "
                           "store of their own: --db NEW.duckdb").format(path=store.path, rows=own))
    lake = open_lake(folder, store.schema_version())
    settings = dict(store.fetchall("SELECT key, value FROM read_parquet(?)", [lake.table_file("settings")]))
    have_customers = lake.manifest["tables"]["customers"]["rows"] > 0
    base, params = base_sql(settings, lake.manifest.get("latest_queued_at_us"), have_customers)
    runner = engine_for(engine, lake, master)
    try:
        say(_("computing the measures of {rows} contacts with {engine} …").format(
            rows=sum(e["rows"] for e in lake.manifest["partitions"].values()), engine=engine))
        tables = runner.run_over_base(base, params, measures_build_sql())
        tables["measures_coverage"] = runner.run(COVERAGE_SQL, [])
        tables["measures_customers"] = runner.run(CUSTOMERS_SQL, [])
    finally:
        runner.close()
    manifest_sha = sha256_of(lake.folder / "manifest.json")
    with store.transaction():
        for name in ("settings", "channel_settings", "targets"):
            store.execute(f"DELETE FROM {quote_ident(name)}")
            store.execute(f"INSERT INTO {quote_ident(name)} SELECT * FROM read_parquet(?)", [lake.table_file(name)])
        for name in TABLES:
            store.execute(f"DELETE FROM {quote_ident(name)}")
        for name, rows in tables.items():
            store.insert_frame(name, rows)
        pool_day_grain(store)
        pool_month_grain(store)
        store.execute(f"CREATE TABLE IF NOT EXISTS {quote_ident(LAKE_MARK)} ({LAKE_MARK_DDL})")
        store.execute(f"DELETE FROM {quote_ident(LAKE_MARK)}")
        store.execute(f"INSERT INTO {quote_ident(LAKE_MARK)} VALUES (?, ?, ?, ?, now())",
                      [str(lake.folder.resolve()), manifest_sha, engine,
                       sum(e["rows"] for e in lake.manifest["partitions"].values())])
    return {name: int(store.scalar(f"SELECT count(*) FROM {quote_ident(name)}")) for name in TABLES}


@dataclass
class LakeSource:
    """kpis.PooledSource: each question's measures pooled by an engine over the lake, loaded into the serving
    store as a temporary table."""
    engine: object
    lake: Lake

    def pooled(self, store: Store, asked: Question, churn: bool) -> str:
        have_customers = self.lake.manifest["tables"]["customers"]["rows"] > 0
        sql, params = plan_sql(asked, store.settings(), self.lake.manifest.get("latest_queued_at_us"),
                               have_customers, churn)
        result = self.engine.run(sql, params)
        labels = ["channel", "period", "target_month"] + (["grp"] if asked.by else [])
        counts = [*MEASURE_COLUMNS, "churn_n", "churn_yes"]
        # one type per column whichever engine counted (Spark's counts are BIGINT, its sums DOUBLE)
        typed = ", ".join([f"CAST({quote_ident(c)} AS VARCHAR) AS {quote_ident(c)}" for c in labels]
                          + [f"CAST({quote_ident(c)} AS DOUBLE) AS {quote_ident(c)}" for c in counts])
        store.load_arrow("lake_pooled", result, typed)
        return "lake_pooled"


@dataclass
class LakeSession:
    """An engine over a lake and the store that serves its ratios: `kpis` and `compliance` as on a store."""
    lake: Lake
    engine: object
    store: Store
    work_dir: str

    @property
    def source(self) -> LakeSource:
        return LakeSource(self.engine, self.lake)

    def kpis(self, period: str = "month", by: str | None = None, channels=None, date_from=None, date_to=None,
             metrics=None, filters=None) -> list[KpiRow]:
        return kpis(self.store, period, by, channels, date_from, date_to, metrics, filters, source=self.source)

    def compliance(self, as_of: str, channels=None, metrics=None) -> list[ComplianceRow]:
        return compliance(self.store, as_of, channels, metrics, source=self.source)

    def close(self) -> None:
        self.engine.close()
        self.store.close()
        shutil.rmtree(self.work_dir, ignore_errors=True)


def open_session(folder: str | os.PathLike, engine: str = "duckdb", master: str | None = None) -> LakeSession:
    """The lake in `folder` with `engine` over it and a serving store in a temporary folder (close() removes it)."""
    work_dir = tempfile.mkdtemp(prefix="cxmetrics-lake-")
    store = Store(Path(work_dir) / "lake-serving.duckdb", read_only=False)
    try:
        lake = open_lake(folder, store.schema_version())
        store.close()
        store = serving_store(lake, work_dir)
        return LakeSession(lake, engine_for(engine, lake, master), store, work_dir)
    except BaseException:
        store.close()
        shutil.rmtree(work_dir, ignore_errors=True)
        raise
