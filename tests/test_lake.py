"""Beyond one machine (issue 17): the Parquet lake, and kpis / compliance computed over it by DuckDB and by Spark
print exactly what the store prints.

Spark runs in local mode (local[2]). The test command installs pyspark (requirements-spark.txt) and a Java runtime;
on a machine without them the Spark tests skip with the reason, except under CI, where that is a failure.
"""
from __future__ import annotations

import contextlib
import io
import json
import math
import os
import shutil
from pathlib import Path

import duckdb
import pyarrow.compute as pc
import pytest

from cxmetrics import cli, lake
from cxmetrics.errors import CxError
from cxmetrics.ingest import ImportOptions, import_file
from cxmetrics.kpis import question
from cxmetrics.sample import generate_table, write_table_csv
from cxmetrics.storage import Store, sha256_of


def _spark_available() -> str | None:
    """None when Spark can run here, else why not."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install -r requirements-spark.txt)"
    if shutil.which("java") is None:
        return "no Java runtime (apt-get install openjdk-17-jre-headless)"
    return None


SPARK_MISSING = _spark_available()
if SPARK_MISSING and os.environ.get("CI"):
    raise RuntimeError(f"CI must run the Spark tests: {SPARK_MISSING}")
needs_spark = pytest.mark.skipif(SPARK_MISSING is not None, reason=SPARK_MISSING or "")


def run(*argv: str) -> str:
    """A CLI command's standard output (it must succeed)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(list(argv))
    assert code == 0, (argv, code)
    return out.getvalue()


_STORE_OUTPUT: dict[tuple, str] = {}


def store_output(db: Path, case: tuple) -> str:
    """What the command prints on the store (computed once per store and case, for every engine's test)."""
    key = (str(db), case)
    if key not in _STORE_OUTPUT:
        _STORE_OUTPUT[key] = run("--db", str(db), *case)
    return _STORE_OUTPUT[key]


def run_failing(*argv: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(list(argv))
    return code, err.getvalue()


@pytest.fixture(scope="module")
def sample_lake(sample_db, tmp_path_factory):
    """(store path, lake folder) for the sample data."""
    folder = tmp_path_factory.mktemp("sample-lake")
    db = folder / "s.duckdb"
    shutil.copy(sample_db, db)
    out = run("--db", str(db), "export-lake", "--out", str(folder / "lake"))
    assert "exported 26755 contacts in 24 months" in out
    return db, folder / "lake"


# Every period, every drill-down, a range cutting periods, a channel filter, and the rule at two months.
SAMPLE_CASES = [
    ("kpis",), ("kpis", "--period", "week"), ("kpis", "--period", "day"), ("kpis", "--period", "interval"),
    ("kpis", "--by", "queue"), ("kpis", "--by", "team"), ("kpis", "--by", "agent"),
    ("kpis", "--by", "agent", "--period", "week"), ("kpis", "--by", "queue", "--period", "interval"),
    ("kpis", "--by", "team", "--period", "day", "--from", "2026-01-15", "--to", "2026-03-10"),
    ("kpis", "--channel", "voice", "--channel", "chat", "--from", "2025-06", "--to", "2025-08", "--period", "week"),
    ("kpis", "--format", "json", "--notes", "--metric", "fcr", "--metric", "churn_rate"),
    ("compliance", "--as-of", "2026-10"), ("compliance", "--as-of", "2025-12"),
    ("compliance", "--as-of", "2026-10", "--format", "table"),
]


@pytest.mark.parametrize("case", SAMPLE_CASES, ids=lambda c: " ".join(c))
def test_duckdb_over_the_lake_prints_what_the_store_prints(sample_lake, case):
    db, folder = sample_lake
    want = store_output(db, case)
    assert len(want.splitlines()) > 3
    assert run(*case, "--lake", str(folder), "--engine", "duckdb") == want


# Spark is slow to plan: every period and every drill-down (each drill-down with another period), a range, a
# filter, the notes, and the rule; the other cases differ only in DuckDB-side formatting.
SPARK_CASES = [c for c in SAMPLE_CASES if c not in (("kpis", "--by", "queue"), ("kpis", "--by", "team"),
                                                     ("kpis", "--by", "agent"), ("compliance", "--as-of", "2025-12"),
                                                     ("compliance", "--as-of", "2026-10", "--format", "table"))]


@needs_spark
@pytest.mark.parametrize("case", SPARK_CASES, ids=lambda c: " ".join(c))
def test_spark_over_the_lake_prints_what_the_store_prints(sample_lake, case):
    db, folder = sample_lake
    assert run(*case, "--lake", str(folder), "--engine", "spark") == store_output(db, case)


def test_the_manifest_counts_and_checksums_every_file(sample_lake):
    db, folder = sample_lake
    manifest = json.loads((folder / "manifest.json").read_text())
    store = Store(db, read_only=True)
    try:
        by_month = dict(store.fetchall("SELECT strftime(queued_local, '%Y-%m'), count(*) FROM contacts GROUP BY 1"))
        assert manifest["schema_version"] == store.schema_version()
        assert manifest["latest_queued_at_us"] == store.scalar("SELECT epoch_us(max(queued_at)) FROM contacts")
    finally:
        store.close()
    assert {m: e["rows"] for m, e in manifest["partitions"].items()} == by_month
    for month, entry in manifest["partitions"].items():
        assert entry["file"] == f"contacts/month={month}/part-0.parquet"  # hive-style
        assert sha256_of(folder / entry["file"]) == entry["sha256"]
    assert set(manifest["tables"]) == {"settings", "channel_settings", "targets", "customers"}
    # the derived next contact is not stored: the engines compute it, so old months stay put
    columns = duckdb.sql(f"SELECT * FROM read_parquet('{folder / manifest['partitions']['2026-10']['file']}')").columns
    assert "next_contact_at" not in columns and "queued_local" in columns


def test_an_altered_lake_is_refused_naming_the_file(sample_lake, tmp_path):
    _, folder = sample_lake
    copy = tmp_path / "lake"
    shutil.copytree(folder, copy)
    (copy / "contacts" / "month=2025-03" / "part-0.parquet").unlink()
    code, err = run_failing("kpis", "--lake", str(copy))
    assert code != 0
    assert "contacts/month=2025-03/part-0.parquet is missing" in err
    (tmp_path / "empty").mkdir()
    code, err = run_failing("kpis", "--lake", str(tmp_path / "empty"))
    assert code != 0 and "no manifest.json" in err and "export-lake --out" in err


def test_a_partition_rewritten_with_other_values_is_refused(sample_lake, tmp_path):
    """Same rows, other figures: the checksum catches what a row count would not."""
    _, folder = sample_lake
    copy = tmp_path / "lake"
    shutil.copytree(folder, copy)
    part = copy / "contacts" / "month=2025-07" / "part-0.parquet"
    duckdb.sql(f"COPY (SELECT * REPLACE (wait_seconds * 10 AS wait_seconds) FROM read_parquet('{part}')) "
               f"TO '{tmp_path / 'x.parquet'}'")
    shutil.move(tmp_path / "x.parquet", part)
    code, err = run_failing("kpis", "--lake", str(copy))
    assert code != 0
    assert "contacts/month=2025-07/part-0.parquet was altered (sha256 differs from the manifest)" in err
    assert f"Run export-lake --out {copy} again" in err


def test_lake_paths_that_are_not_lakes_say_what_they_are(sample_lake, tmp_path):
    db, _ = sample_lake
    code, err = run_failing("kpis", "--lake", str(db))
    assert code == cli.EXIT_USAGE and "is a file (a store? give it with --db)" in err
    code, err = run_failing("kpis", "--lake", str(tmp_path / "typo"))
    assert code == cli.EXIT_USAGE and "typo: no such folder" in err
    code, err = run_failing("--db", str(db), "export-lake", "--out", str(db))
    assert code == cli.EXIT_USAGE and "is a file: give a folder for the lake" in err


def test_an_empty_store_never_empties_a_lake(sample_lake, tmp_path):
    _, folder = sample_lake
    copy = tmp_path / "lake"
    shutil.copytree(folder, copy)
    before = sorted(p.relative_to(copy) for p in copy.rglob("*"))
    code, err = run_failing("--db", str(tmp_path / "mistyped.duckdb"), "export-lake", "--out", str(copy))
    assert code == cli.EXIT_USAGE and "mistyped.duckdb: there is no store there" in err
    assert not (tmp_path / "mistyped.duckdb").exists()
    Store(tmp_path / "empty.duckdb").close()  # a store that exists but holds nothing
    code, err = run_failing("--db", str(tmp_path / "empty.duckdb"), "export-lake", "--out", str(copy))
    assert code == cli.EXIT_USAGE and "holds no contacts, so there is nothing to export" in err
    assert sorted(p.relative_to(copy) for p in copy.rglob("*")) == before


def test_engine_without_a_lake_is_a_usage_error(sample_lake):
    db, _ = sample_lake
    code, err = run_failing("--db", str(db), "kpis", "--engine", "spark")
    assert code == cli.EXIT_USAGE and "add --lake DIR" in err


def test_export_into_a_foreign_folder_is_refused(sample_lake, tmp_path):
    db, _ = sample_lake
    (tmp_path / "notes.txt").write_text("mine")
    code, err = run_failing("--db", str(db), "export-lake", "--out", str(tmp_path))
    assert code == cli.EXIT_USAGE and "not empty and holds no lake manifest" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_store_with_aggregated_reports_is_not_exported(tmp_path):
    store = Store(tmp_path / "agg.duckdb")
    try:
        report = tmp_path / "daily.csv"
        report.write_text("date,offered,answered,abandoned\n2026-01-05,100,90,10\n", encoding="utf-8")
        import_file(store, report, ImportOptions(kind="aggregated", grain="day", channel="voice"))
        with pytest.raises(CxError, match="1 rows of aggregated reports"):
            lake.export_lake(store, tmp_path / "lake")
    finally:
        store.close()
    assert not (tmp_path / "lake" / "manifest.json").exists()


# -- the plan ----------------------------------------------------------------------------------------------
def test_the_spark_dialect_differences_are_pinned():
    """Where Spark writes a thing differently from DuckDB, the generator says how (sqlglot + LakeSpark)."""
    spark = lake.to_spark
    month = spark("SELECT strftime(t, '%Y-%m')")
    assert month == "SELECT concat(date_format(t, 'yyyy'), '-', date_format(t, 'MM'))"
    week = spark("SELECT strftime(t, '%G-W%V')")
    assert week == ("SELECT concat(CAST(extract(YEAROFWEEK FROM t) AS STRING), '-W', "
                    "lpad(CAST(weekofyear(t) AS STRING), 2, '0'))")  # ISO weeks: no week patterns in date_format
    # epoch keeps microseconds (Spark's unix_timestamp would drop them)
    assert spark("SELECT epoch(q)") == "SELECT (CAST(unix_micros(q) AS DOUBLE) / CAST(1000000 AS DOUBLE))"
    assert spark("SELECT epoch_us(q)") == "SELECT unix_micros(q)"
    bucket = spark("SELECT time_bucket(INTERVAL 30 MINUTE, t)")
    assert bucket == ("SELECT CAST(timestamp_seconds(floor(unix_seconds(CAST(t AS TIMESTAMP)) / 1800) * 1800) "
                      "AS TIMESTAMP_NTZ)")
    # FILTER clauses, window frames and local-time bounds pass through sqlglot as Spark reads them
    assert spark("SELECT count(*) FILTER (WHERE answered AND w <= s) FROM x") == \
        "SELECT COUNT(*) FILTER(WHERE answered AND w <= s) FROM x"
    assert "RANGE BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING" in spark(
        "SELECT min(q) OVER (PARTITION BY c ORDER BY epoch_us(q) RANGE BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) FROM x")
    assert spark("SELECT x >= CAST(? AS TIMESTAMP)") == "SELECT x >= CAST(? AS TIMESTAMP_NTZ)"
    # an exact distinct count, without the row expansion Spark plans for DISTINCT aggregates
    assert spark("SELECT count(DISTINCT c), count(*), count(d)") == "SELECT size(collect_set(c)), COUNT(*), COUNT(d)"
    with pytest.raises(ValueError, match="strftime directive '%j'"):
        spark("SELECT strftime(t, '%j')")


EDGE_TIMES = ["2020-12-31 23:59:59", "2021-01-01 00:00:00", "2021-01-03 23:45:00", "2021-01-04 00:29:59.999999",
              "2024-12-30 00:30:00", "2026-03-29 02:30:00", "2026-12-31 12:00:00", "2027-01-01 00:00:00"]


@needs_spark
def test_spark_labels_periods_exactly_as_duckdb(sample_lake):
    """Year ends, ISO weeks 53 and 1, half-hour edges: every period label and target month is DuckDB's."""
    from cxmetrics.metrics import PERIOD_MONTH_SQL, PERIOD_SQL

    _, folder = sample_lake
    engine = lake.SparkEngine(lake.open_lake(folder, _schema_version()))
    labels = [f"{sql.format(t='t')} AS p_{name}" for name, sql in PERIOD_SQL.items()] + \
             [f"{sql.format(t='t')} AS m_{name}" for name, sql in PERIOD_MONTH_SQL.items()]
    values = " UNION ALL ".join(f"SELECT CAST('{t}' AS TIMESTAMP) AS t" for t in EDGE_TIMES)
    sql = f"SELECT {', '.join(labels)} FROM ({values}) ORDER BY t"
    want = duckdb.sql(sql).fetchall()
    got = [tuple(r) for r in engine.spark.sql(lake.to_spark(sql)).collect()]
    assert got == want
    assert ("2020-W53", "2020-W53", "2020-W53", "2021-W01") == tuple(r[1] for r in want[:4])


@needs_spark
def test_spark_reads_the_contacts_once_per_question(sample_lake):
    _, folder = sample_lake
    opened = lake.open_lake(folder, _schema_version())
    engine = lake.SparkEngine(opened)
    sql, params = lake.plan_sql(question("week", "queue"), {}, opened.manifest["latest_queued_at_us"], True, True)
    plan = engine.frame(sql, params)._jdf.queryExecution().executedPlan().toString()
    scans = [line for line in plan.splitlines() if "FileScan parquet" in line or "Scan parquet" in line]
    contact_scans = [line for line in scans if "month" in line and "contact_id" in line]
    assert len(contact_scans) == 1, plan
    assert len(scans) == 3, plan  # contacts, channel settings, customers


def _schema_version() -> int:
    from cxmetrics.storage import MIGRATIONS
    return len(MIGRATIONS)


# -- a million contacts, and one more month ----------------------------------------------------------------
@pytest.fixture(scope="module")
def million(tmp_path_factory):
    """A store of 1,000,000 generated contacts over 24 months, imported as 23 months then the last one, with a
    lake exported after each: (store path, lake folder, manifest after 23 months, manifest after 24)."""
    folder = tmp_path_factory.mktemp("million")
    contacts, customers = generate_table(1_000_000, months=24, end_month="2026-10")
    last = pc.greater_equal(contacts["queued_at"], "2026-10-01")
    earlier_csv = write_table_csv(contacts.filter(pc.invert(last)), folder / "contacts.csv")
    last_csv = write_table_csv(contacts.filter(last), folder / "contacts_2026-10.csv")
    customers_csv = write_table_csv(customers, folder / "customers.csv")
    db = folder / "m.duckdb"
    store = Store(db)
    try:
        import_file(store, earlier_csv, ImportOptions(source="gen"))
        import_file(store, customers_csv, ImportOptions(kind="customers", source="gen"))
        first = lake.export_lake(store, folder / "lake")
        stamps = {m: (folder / "lake" / e["file"]).stat().st_mtime_ns for m, e in first["partitions"].items()}
        import_file(store, last_csv, ImportOptions(source="gen"))
        second = lake.export_lake(store, folder / "lake")
    finally:
        store.close()
    return db, folder / "lake", first, second, stamps


def test_one_more_month_writes_only_its_partition(million):
    db, folder, first, second, stamps = million
    assert "2026-10" not in first["partitions"] and len(first["partitions"]) == 23
    assert second["written"] == ["2026-10"]
    for month, entry in first["partitions"].items():
        assert second["partitions"][month] == entry  # same rows, checksum and fingerprint
        assert (folder / entry["file"]).stat().st_mtime_ns == stamps[month]  # the file was not rewritten
    assert sum(e["rows"] for e in second["partitions"].values()) == 1_000_000
    assert second["latest_queued_at_us"] > first["latest_queued_at_us"]


# Every period and every drill-down (each drill-down with another period), and the rule.
MILLION_CASES = [("kpis",), ("kpis", "--by", "team"), ("kpis", "--period", "week", "--by", "agent"),
                 ("kpis", "--period", "day", "--by", "queue"),
                 ("kpis", "--period", "interval", "--by", "queue", "--from", "2026-10"), ("compliance", "--as-of", "2026-10")]


@pytest.mark.parametrize("engine", ["duckdb", pytest.param("spark", marks=needs_spark)])
def test_a_million_contacts_over_the_lake_print_what_the_store_prints(million, engine):
    db, folder, *_ = million
    for case in MILLION_CASES:
        want = store_output(db, case)
        assert len(want.splitlines()) > 20
        assert run(*case, "--lake", str(folder), "--engine", engine) == want, case


# -- the measures build: a store that serves a lake's measures without its contacts ------------------------
SERVED_CASES = [("kpis",), ("kpis", "--period", "week"), ("kpis", "--period", "day"),
                ("kpis", "--metric", "churn_rate", "--metric", "fcr", "--from", "2025-01", "--to", "2025-12"),
                ("compliance", "--as-of", "2026-10"), ("compliance", "--as-of", "2025-12")]


def _table_rows(db: Path, table: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f'SELECT * FROM "{table}" ORDER BY ALL').fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def served(sample_lake, tmp_path_factory):
    """engine → a store built by build-measures from the sample lake with that engine."""
    _, folder = sample_lake
    built = {}

    def build(engine: str) -> Path:
        if engine not in built:
            db = tmp_path_factory.mktemp(f"served-{engine}") / "serving.duckdb"
            out = run("--db", str(db), "build-measures", "--lake", str(folder), "--engine", engine)
            assert "measures_agent" in out
            built[engine] = db
        return built[engine]
    return build


@pytest.mark.parametrize("engine", ["duckdb", pytest.param("spark", marks=needs_spark)])
def test_build_measures_gives_the_stores_measures_row_for_row(sample_lake, served, engine):
    from cxmetrics.measures import TABLES

    db, _ = sample_lake
    serving = served(engine)
    for table in TABLES:
        want, got = _table_rows(db, table), _table_rows(serving, table)
        assert len(got) == len(want) > 0, table
        for a, b in zip(got, want):  # sums of seconds may round in another order: floats to 1e-12
            assert all(math.isclose(x, y, rel_tol=1e-12) if isinstance(x, float) and isinstance(y, float) else x == y
                       for x, y in zip(a, b)), (table, a, b)


@pytest.mark.parametrize("engine", ["duckdb", pytest.param("spark", marks=needs_spark)])
@pytest.mark.parametrize("case", SERVED_CASES, ids=lambda c: " ".join(c))
def test_a_store_serving_a_lake_prints_what_the_source_store_prints(sample_lake, served, engine, case):
    db, _ = sample_lake
    assert run("--db", str(served(engine)), *case) == store_output(db, case)


def test_a_store_serving_a_lake_refuses_what_would_recompute_its_measures(sample_lake, served, tmp_path):
    db, folder = sample_lake
    serving = tmp_path / "serving.duckdb"
    shutil.copy(served("duckdb"), serving)
    before = run("--db", str(serving), "kpis")
    more = tmp_path / "more.csv"
    more.write_text("contact_id,channel,queued_at,answered,wait_seconds\nX1,voice,2026-10-20 10:00:00,true,12\n",
                    encoding="utf-8")
    code, err = run_failing("--db", str(serving), "import", str(more))
    assert code != 0 and "serves the measures built from the lake" in err and "export-lake and build-measures" in err
    code, err = run_failing("--db", str(serving), "channels", "set", "voice", "--sl-threshold", "30")
    assert code != 0 and "serves the measures built from the lake" in err
    code, err = run_failing("--db", str(serving), "targets", "set", "voice", "service_level", "85")
    assert code == cli.EXIT_USAGE and "whose targets replace this store's at every build-measures" in err
    code, err = run_failing("--db", str(serving), "export-lake", "--out", str(tmp_path / "again"))
    assert code == cli.EXIT_USAGE and "export from the store the lake came from" in err
    assert run("--db", str(serving), "kpis") == before  # nothing changed
    assert run("--db", str(serving), "channels", "show") == run("--db", str(db), "channels", "show")
    assert run("--db", str(serving), "targets", "list") == run("--db", str(db), "targets", "list")


def test_build_measures_refuses_a_store_with_contacts_of_its_own(sample_lake, tmp_path):
    db, folder = sample_lake
    copy = tmp_path / "own.duckdb"
    shutil.copy(db, copy)
    code, err = run_failing("--db", str(copy), "build-measures", "--lake", str(folder))
    assert code == cli.EXIT_USAGE and "holds 26755 contacts or report rows of its own" in err


def test_the_overview_page_serves_a_lake_built_store(served, tmp_path, monkeypatch):
    from .conftest import open_page, tiles

    at, _ = open_page(served("duckdb"), "pages/overview.py", tmp_path, monkeypatch)
    assert not at.exception
    values = [t["value"] for t in tiles(at)]
    assert len(values) >= 10 and all(v not in ("", "—") for v in values[:4]), values


# -- Spark Connect: the same commands through a Spark Connect server (SPARK_REMOTE) --------------------------
@pytest.fixture(scope="module")
def connect_server(tmp_path_factory):
    """A local Spark Connect server (PySpark ships it), stopped after the module: its sc:// address."""
    import socket
    import subprocess
    import time

    import pyspark

    home = Path(pyspark.__file__).parent
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    logs = tmp_path_factory.mktemp("spark-connect")
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOG_DIR": str(logs), "SPARK_PID_DIR": str(logs)}
    subprocess.run([str(home / "sbin" / "start-connect-server.sh"), "--master", "local[2]",
                    "--conf", f"spark.connect.grpc.binding.port={port}"], env=env, check=True, capture_output=True)
    try:
        deadline = time.time() + 120
        while True:
            with socket.socket() as client:
                if client.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.time() > deadline:
                raise RuntimeError("the Spark Connect server did not start: " +
                                   " ".join(p.read_text()[-2000:] for p in logs.glob("*.out")))
            time.sleep(0.5)
        yield f"sc://127.0.0.1:{port}"
    finally:
        subprocess.run([str(home / "sbin" / "stop-connect-server.sh")], env=env, capture_output=True)


@needs_spark
def test_spark_connect_prints_what_the_store_prints(sample_lake, connect_server, tmp_path):
    """SPARK_REMOTE sends the same plan to a Spark Connect server (in a new process: one kind of session each)."""
    import subprocess
    import sys

    db, folder = sample_lake
    env = {**os.environ, "SPARK_REMOTE": connect_server}
    env.pop("CXMETRICS_DB", None)

    def remote(*argv: str) -> str:
        done = subprocess.run([sys.executable, "-m", "cxmetrics", *argv], env=env, capture_output=True, text=True,
                              cwd=tmp_path, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    case = ("kpis", "--period", "week", "--by", "queue")
    assert remote(*case, "--lake", str(folder), "--engine", "spark") == store_output(db, case)
    serving = tmp_path / "serving.duckdb"  # build-measures: the plan's base cached on the server (persist)
    remote("--db", str(serving), "build-measures", "--lake", str(folder), "--engine", "spark")
    assert run("--db", str(serving), "kpis") == store_output(db, ("kpis",))
