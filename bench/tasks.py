"""One measurement per process: `python -m bench.tasks NAME JSON_ARGS` prints a JSON result line.

Running each in its own process gives honest peak RSS (ru_maxrss) and honest cold starts.
"""
from __future__ import annotations

import importlib
import json
import os
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM). ru_maxrss would carry the parent's peak across exec."""
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(size: int, work: str, xlsx_rows: int) -> dict:
    """Data for one size, made in its own process so the measuring processes start small."""
    from bench.__main__ import generate as make

    return {"files": make(size, Path(work), xlsx_rows)}


def _timed(fn, repeats: int, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def _fresh(path: Path) -> None:
    for p in (path, Path(str(path) + ".wal")):
        if p.exists():
            p.unlink()


def raw_read(csv: str, work: str, repeats: int) -> dict:
    """The floor: DuckDB's own CREATE TABLE AS SELECT * FROM read_csv(...) into a database file."""
    import duckdb

    db = Path(work) / "raw.duckdb"

    def run():
        _fresh(db)
        con = duckdb.connect(str(db))
        con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [csv])
        con.close()
    return {"times": _timed(run, repeats)}


def _store(path):
    """A store for the bench: the upload limit raised so multi-GB generated files are accepted."""
    from cxmetrics import Store
    from cxmetrics.config import set_setting

    store = Store(path)
    set_setting(store, "max_upload_mb", "100000")
    return store


def our_import(csv: str, customers: str, db: str, repeats: int, warmup: int = 1,
               memory_limit: str | None = None) -> dict:
    """cxmetrics' import of the same file into an empty store (contacts timed, then customers)."""
    if memory_limit:
        os.environ["CXMETRICS_MEMORY_LIMIT"] = memory_limit
    from cxmetrics import ImportOptions, Store, import_file

    def run():
        _fresh(Path(db))
        store = _store(db)
        report = import_file(store, csv)
        assert report.rows_rejected == 0 and report.rows_imported == report.rows_read
        store.close()
    times = _timed(run, repeats, warmup)
    store = Store(db)
    import_file(store, customers, ImportOptions(kind="customers"))
    store.checkpoint()
    store.close()
    return {"times": times, "memory_limit": memory_limit}


def peer_import(csv: str, repeats: int) -> dict:
    from bench.peer import read_contacts

    return {"times": _timed(lambda: read_contacts(csv), repeats)}


def peer_kpis(csv: str, customers: str, db: str, repeats: int) -> dict:
    """The peer's recompute of the KPI table from its in-memory frame; checks it equals ours."""
    from bench.peer import compare, kpi_table, read_contacts, read_customers
    from cxmetrics import Store
    from cxmetrics.kpis import kpis

    frame, people = read_contacts(csv), read_customers(customers)
    table = None

    def run():
        nonlocal table
        table = kpi_table(frame, people)
    times = _timed(run, repeats)
    store = Store(db, read_only=True)
    compared = compare(table, kpis(store))
    return {"times": times, "cells_compared": compared}


def kpis_task(db: str, repeats: int) -> dict:
    """The full KPI table (every metric, channel and month): cold = first call in a new process."""
    from cxmetrics import Store
    from cxmetrics.kpis import kpis

    start = time.perf_counter()
    store = Store(db, read_only=True)
    rows = kpis(store)
    cold = time.perf_counter() - start
    warm = _timed(lambda: kpis(store), repeats, warmup=0)
    months = len({r.period for r in rows})
    return {"cold": cold, "times": warm, "rows": len(rows), "months": months}


def compliance_task(db: str, repeats: int) -> dict:
    from cxmetrics import Store
    from cxmetrics.compliance import compliance
    from cxmetrics.quality import latest_month

    store = Store(db, read_only=True)
    month = latest_month(store)
    rows = []
    times = _timed(lambda: rows.append(compliance(store, month)), repeats)
    return {"times": times, "as_of": month, "rows": len(rows[-1])}


def _preload() -> None:
    """What a running app server has already imported (pandas, Altair, DuckDB, the package): a page's first run
    in a server that is up pays only for its queries, charts and rendering. pandas and Altair are named: the
    package imports them where a frame or an Altair chart is first made (the Overview needs neither)."""
    for name in ("cxmetrics.ui", "pandas", "altair"):
        importlib.import_module(name)


def overview_task(db: str, repeats: int, preload: bool = False) -> dict:
    """The Overview page's server-side rerun under AppTest: cold (empty caches), then cached reruns.

    preload=False: a new process, libraries imported inside the timed run; True: libraries imported first."""
    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parent.parent
    os.environ["CXMETRICS_DB"] = db
    os.environ["CXMETRICS_READONLY"] = "1"
    os.chdir(root)
    if preload:
        sys.path.insert(0, str(root))
        _preload()
    at = AppTest.from_file(str(root / "app.py"), default_timeout=600)
    start = time.perf_counter()
    at.run()
    cold = time.perf_counter() - start
    assert not at.exception, [e.message for e in at.exception]
    cached = _timed(at.run, repeats, warmup=0)
    return {"cold": cold, "times": cached, "tiles": sum(e.value.count("class=\"cx-tile\"") for e in at.get("html"))}


def incremental(db: str, next_csv: str, work: str, repeats: int) -> dict:
    """One more month into the big store, FCR of earlier contacts included, against an empty store."""
    import pyarrow.compute  # noqa: F401 — loaded before the first timed import, as in a running server (the
    import pyarrow.csv  # noqa: F401 — package imports pyarrow where an import first uses it)

    from cxmetrics import Store, import_file

    big = Path(work) / "incremental.duckdb"
    empty = Path(work) / "incremental_empty.duckdb"
    into_big, into_empty = [], []
    for _ in range(repeats):
        _fresh(big)
        shutil.copy(db, big)
        store = Store(big)
        start = time.perf_counter()
        report = import_file(store, next_csv)
        into_big.append(time.perf_counter() - start)
        changed = store.scalar("SELECT count(*) FROM contacts WHERE import_id < ? AND next_contact_at >= "
                               "(SELECT min(queued_at) FROM contacts WHERE import_id = ?)",
                               [report.import_id, report.import_id])
        store.close()
        _fresh(empty)
        store = _store(empty)
        start = time.perf_counter()
        import_file(store, next_csv)
        into_empty.append(time.perf_counter() - start)
        store.close()
    _fresh(big)
    _fresh(empty)
    return {"times": into_big, "empty_times": into_empty, "rows": report.rows_imported,
            "earlier_contacts_with_new_next_contact": changed}


def xlsx(path: str, work: str, repeats: int, compare: bool = True) -> dict:
    """A 100k-row workbook: our import (python-calamine) against the same import reading with openpyxl (when
    `compare`)."""
    import pyarrow as pa

    from cxmetrics import import_file
    from cxmetrics.ingest import read as readers

    def openpyxl_reader(file, display, sheet):
        from openpyxl import load_workbook

        wb = load_workbook(file, read_only=True, data_only=True)
        ws = wb[sheet] if sheet else wb.worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
        info = readers.FileInfo(display, "excel", sheet=ws.title, header_row=1)
        info.headers = readers.clean_headers([readers.excel_cell_text(c) for c in rows[0]], display, info.warnings)
        width = len(info.headers)
        body = [tuple(r) + (None,) * (width - len(r)) for r in rows[1:]]  # read-only rows omit trailing blanks
        columns = [[readers.excel_cell_text(r[i]) for r in body] for i in range(width)]
        arrays = [pa.array(c, type=pa.string()) for c in columns] + [pa.array(range(2, len(rows) + 1))]
        return info, [pa.RecordBatch.from_arrays(arrays, names=readers.column_names(width) + ["file_row"])]

    db = Path(work) / "xlsx.duckdb"

    def run():
        _fresh(db)
        store = _store(db)
        import_file(store, path)
        store.close()
    ours = _timed(run, repeats)
    if not compare:
        _fresh(db)
        return {"times": ours}
    original = readers.read_excel
    readers.read_excel = openpyxl_reader
    try:
        theirs = _timed(run, repeats)
    finally:
        readers.read_excel = original
    _fresh(db)
    return {"times": ours, "openpyxl_times": theirs}


def kpis_direct(db: str, repeats: int) -> dict:
    """The full KPI table computed directly from the contact rows (the path before the measures layer, kept as
    the tests' oracle): the baseline the measures layer's speed-up is measured against, in the same run."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from cxmetrics import Store
    from cxmetrics.kpis import kpis
    from tests.oracle import oracle_kpis

    store = Store(db, read_only=True)
    rows = oracle_kpis(store)
    ours = {(r.period, r.channel, r.metric): (r.value, r.n) for r in kpis(store)}
    differ = [k for k, (value, n) in ((_key(r), (r.value, r.n)) for r in rows)
              if k not in ours or ours[k][1] != n or not _close(ours[k][0], value)]
    assert not differ, differ[:5]
    return {"times": _timed(lambda: oracle_kpis(store), repeats, warmup=0), "cells_compared": len(rows)}


def _key(r):
    return (r.period, r.channel, r.metric)


def _close(a, b) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= 1e-9 * max(1, abs(b)))


def pages(db: str, page: str, preload: bool = True) -> dict:
    """One page's first run in a new process with empty caches (libraries imported first unless preload=False)."""
    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parent.parent
    os.environ["CXMETRICS_DB"] = db
    os.environ["CXMETRICS_READONLY"] = "1"
    os.chdir(root)
    if preload:
        sys.path.insert(0, str(root))
        _preload()
    at = AppTest.from_file(str(root / page), default_timeout=600)
    start = time.perf_counter()
    at.run()  # the first run in this process: every module loaded and every query made here
    cold = time.perf_counter() - start
    assert not at.exception, [e.message for e in at.exception]
    return {"cold": cold, "page": page}


def build_layer(db: str, work: str) -> dict:
    """Building the measures for an existing store (the first open after the upgrade), and rebuilding what a
    settings change affects: one channel's thresholds, then the FCR window (every measure)."""
    from cxmetrics import Store
    from cxmetrics.config import set_channel, set_setting
    from cxmetrics.measures import TABLES

    copy = Path(work) / "build_layer.duckdb"
    _fresh(copy)
    shutil.copy(db, copy)
    store = Store(copy)
    with store.transaction():
        for table in (*TABLES, "measures_state"):
            store.execute(f'DROP TABLE IF EXISTS "{table}"')
    store.checkpoint()
    store.close()
    start = time.perf_counter()
    store = Store(copy)  # builds on open
    build = time.perf_counter() - start
    start = time.perf_counter()
    set_channel(store, "voice", sl_threshold_s=25)
    channel = time.perf_counter() - start
    start = time.perf_counter()
    set_setting(store, "fcr_window_days", "5")
    window = time.perf_counter() - start
    rows = {t: store.scalar(f'SELECT count(*) FROM "{t}"') for t in TABLES}
    contacts = store.scalar("SELECT count(*) FROM contacts")
    store.close()
    _fresh(copy)
    return {"build": build, "channel_rebuild": channel, "window_rebuild": window, "rows": rows, "contacts": contacts}


def aggregated(work: str, rows: int, repeats: int) -> dict:
    """A daily aggregated report of `rows` rows (queues × days) into an empty store."""
    import datetime as dt
    import random

    from cxmetrics import ImportOptions, import_file

    path = Path(work) / f"daily_report_{rows}.csv"
    if not path.exists():
        rng = random.Random(5)
        queues = 100
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("Date,Queue,Offered,Answered,Abandoned,ASA,Avg Handle,Service Level 20 seconds\n")
            for i in range(rows):
                day = dt.date(2020, 1, 1) + dt.timedelta(days=i // queues)
                offered = rng.randrange(50, 500)
                abandoned = rng.randrange(0, offered // 10)
                answered = offered - abandoned
                fh.write(f"{day},Q{i % queues:03d},{offered},{answered},{abandoned},{rng.randrange(5, 60)},"
                         f"{rng.randrange(120, 600)},{rng.uniform(0.6, 0.95) * answered / offered:.4f}\n")
    db = Path(work) / "aggregated.duckdb"
    result = {}

    def run():
        _fresh(db)
        store = _store(db)
        report = import_file(store, path, ImportOptions(kind="aggregated", channel="voice", percent_of="offered"))
        assert report.rows_imported == rows, report.text()
        result["grain"] = report.file["grain"]
        store.close()
    times = _timed(run, repeats)
    _fresh(db)
    return {"times": times, "rows": rows, **result}


def _queue_log(path: Path, calls: int) -> None:
    """A queue_log of `calls` calls: ring-no-answers, answers, transfers, abandons and timeouts, agent noise."""
    import random

    rng = random.Random(3)
    t = 1_767_225_600  # 2026-01-01 UTC
    with open(path, "w", encoding="utf-8") as fh:
        for n in range(calls):
            t += rng.randrange(1, 20)
            callid, queue = f"{t}.{n}", f"q{n % 7}"
            fh.write(f"{t}|{callid}|{queue}|NONE|ENTERQUEUE||+7495{n % 100000:07d}|1\n")
            wait = rng.randrange(1, 90)
            kind = rng.random()
            if kind < 0.1:
                fh.write(f"{t + wait}|{callid}|{queue}|NONE|ABANDON|1|1|{wait}\n")
                continue
            if kind < 0.13:
                fh.write(f"{t + wait}|{callid}|{queue}|NONE|EXITWITHTIMEOUT|1|1|{wait}\n")
                continue
            agent = f"SIP/{1000 + n % 40}"
            if kind < 0.4:
                fh.write(f"{t + 5}|{callid}|{queue}|{agent}|RINGNOANSWER|5000\n")
            fh.write(f"{t + wait}|{callid}|{queue}|{agent}|CONNECT|{wait}|{callid}.1|3\n")
            talk = rng.randrange(30, 600)
            end = "BLINDTRANSFER|200|default|" if kind > 0.95 else "COMPLETECALLER|"
            fh.write(f"{t + wait + talk}|{callid}|{queue}|{agent}|{end}{wait}|{talk}|1\n")
            if n % 50 == 0:
                fh.write(f"{t}|NONE|{queue}|{agent}|PAUSE|\n")


def _contact_records(path: Path, contacts: int) -> None:
    """Amazon Connect contact records (JSON lines) for `contacts` contacts, one in twenty delivered twice."""
    import datetime as dt
    import random

    rng = random.Random(4)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    with open(path, "w", encoding="utf-8") as fh:
        for n in range(contacts):
            at = start + dt.timedelta(seconds=n * 7)
            wait = rng.randrange(1, 120)
            answered = rng.random() > 0.1
            iso = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
            record = {"ContactId": f"c-{n}", "Channel": rng.choice(["VOICE", "VOICE", "CHAT", "TASK"]),
                      "InitiationMethod": "INBOUND", "InitiationTimestamp": iso(at),
                      "LastUpdateTimestamp": iso(at + dt.timedelta(seconds=900)),
                      "CustomerEndpoint": {"Address": f"+1555{n % 100000:07d}", "Type": "TELEPHONE_NUMBER"},
                      "Queue": {"Name": f"Q{n % 5}", "EnqueueTimestamp": iso(at), "Duration": wait},
                      "Agent": {"Username": f"agent{n % 40}",
                                "ConnectedToAgentTimestamp": iso(at + dt.timedelta(seconds=wait)),
                                "AgentInteractionDuration": rng.randrange(30, 600), "CustomerHoldDuration": 0,
                                "AfterContactWorkDuration": rng.randrange(0, 60)} if answered else None}
            line = json.dumps(record) + "\n"
            fh.write(line)
            if n % 20 == 0:
                fh.write(line)


def platforms(work: str, calls: int, repeats: int) -> dict:
    """Asterisk queue_log and Amazon Connect contact records of `calls` calls each, imported into an empty store."""
    from cxmetrics import import_file

    out = {}
    for name, make in (("queue_log", _queue_log), ("connect", _contact_records)):
        path = Path(work) / f"{name}_{calls}.log"
        if not path.exists():
            make(path, calls)
        db = Path(work) / f"{name}.duckdb"
        imported = {}

        def run():
            _fresh(db)
            store = _store(db)
            imported["rows"] = import_file(store, path).rows_imported
            store.close()
        times = _timed(run, repeats)
        out[name] = {"median": statistics.median(times), "times": times, "contacts": imported["rows"],
                     "calls_per_minute": calls / statistics.median(times) * 60}
        _fresh(db)
    return out


def sample_task(contacts: int, work: str, repeats: int) -> dict:
    """`cxmetrics sample` for `contacts` contacts (the vectorised generator, three files)."""
    from cxmetrics.sample import write_sample_table

    folder = Path(work) / "sample_bench"
    times = _timed(lambda: write_sample_table(folder, months=24, contacts_per_month=contacts // 24), repeats, 0)
    shutil.rmtree(folder, ignore_errors=True)
    return {"times": times, "contacts": contacts}


def lake_task(db: str, work: str, repeats: int, spark_repeats: int, spark_warmup: int) -> dict:
    """Issue 17: export the store as a Parquet lake (all of it, then again with nothing changed), and the full
    monthly KPI table and compliance computed by the store, by DuckDB over the lake and by Spark local[2] over
    it; the three must print the same rows (the run fails otherwise)."""
    from cxmetrics import Store
    from cxmetrics.compliance import compliance
    from cxmetrics.kpis import kpis
    from cxmetrics.lake import export_lake, open_session
    from cxmetrics.quality import latest_month

    folder = Path(work) / f"lake_{Path(db).stem}"
    shutil.rmtree(folder, ignore_errors=True)
    store = Store(db, read_only=True)
    start = time.perf_counter()
    export_lake(store, folder)
    export_full = time.perf_counter() - start
    start = time.perf_counter()
    again = export_lake(store, folder)
    export_unchanged = time.perf_counter() - start
    assert again["written"] == [], again["written"]
    as_of = latest_month(store)
    want_kpis, want_rule = kpis(store), compliance(store, as_of)
    store_times = _timed(lambda: kpis(store), repeats)
    store.close()
    out = {"export_full": export_full, "export_unchanged": export_unchanged, "store_times": store_times,
           "contacts": sum(e["rows"] for e in again["partitions"].values()),
           "lake_mb": sum(f.stat().st_size for f in folder.rglob("*.parquet")) / 1e6}
    for engine, runs, warmup in (("duckdb", repeats, 1), ("spark", spark_repeats, spark_warmup)):
        start = time.perf_counter()
        session = open_session(folder, engine)
        out[f"{engine}_open"] = time.perf_counter() - start
        try:
            got = {}
            out[f"{engine}_times"] = _timed(lambda: got.__setitem__("kpis", session.kpis()), runs, warmup)
            out[f"{engine}_rule_times"] = _timed(lambda: got.__setitem__("rule", session.compliance(as_of)),
                                                 max(1, runs - 1), 0)
        finally:
            session.close()
        if got["kpis"] != want_kpis or got["rule"] != want_rule:
            raise SystemExit(f"{engine} over the lake differs from the store")
        out[f"{engine}_cells"] = len(got["kpis"])
    shutil.rmtree(folder, ignore_errors=True)
    for key in [k for k in out if k.endswith("_times")]:
        out[key.replace("_times", "_median")] = statistics.median(out[key])
    return out


TASKS = {"lake": lake_task, "platforms": platforms, "sample": sample_task, "kpis_direct": kpis_direct, "pages": pages, "build_layer": build_layer, "aggregated": aggregated,
         "generate": generate, "raw_read": raw_read, "our_import": our_import, "peer_import": peer_import, "peer_kpis": peer_kpis,
         "kpis": kpis_task, "compliance": compliance_task, "overview": overview_task, "incremental": incremental,
         "xlsx": xlsx}


def main() -> None:
    name, args = sys.argv[1], json.loads(sys.argv[2])
    result = TASKS[name](**args)
    result["rss_mb"] = peak_rss_mb()
    for key in ("times", "empty_times", "openpyxl_times"):
        if key in result:
            result[key.replace("times", "median")] = statistics.median(result[key])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
