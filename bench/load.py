"""`python -m bench.load`: N concurrent dashboard sessions on a large store while an import runs.

Each session is a streamlit.testing.v1.AppTest in its own thread, sharing the process's cached
store as Streamlit sessions do; it alternates Overview and Compliance. Bounded: N sessions × R
page views, loopback only (no sockets at all). Writes bench/LOAD.md (included in BENCHMARKS.md).
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _wait_without_polling(module) -> None:
    """AppTest waits for each run by polling every millisecond: with twenty sessions waiting, that is twenty thousand
    wakeups a second competing for the interpreter with the pages themselves, a cost no server has (its sessions
    are told when a run ends). Here each wait sleeps until the runner's own end-of-run signal instead."""
    shutdown = module.ScriptRunnerEvent.SHUTDOWN

    def require_widgets_deltas(runner, timeout: float = 3) -> None:
        done = threading.Event()

        def on_event(_sender, event=None, **_kwargs) -> None:
            if event == shutdown:
                done.set()

        runner.on_event.connect(on_event, weak=False)
        try:
            if not runner.script_stopped():
                done.wait(timeout)
            if not runner.script_stopped():
                runner.request_stop()
                runner.join()
                raise RuntimeError(f"AppTest script run timed out after {timeout}(s)")
        finally:
            runner.on_event.disconnect(on_event)

    module.require_widgets_deltas = require_widgets_deltas


def _one_runtime_for_all_sessions(app_test, components) -> contextlib.AbstractContextManager:
    """A server has one Runtime and one configuration. Each AppTest run installs its own mock Runtime as the
    process's and removes it when the run ends, and patches the configuration for the run: with twenty sessions
    at once, one session's end pulled the Runtime from under another's script run ("Runtime hasn't been created!":
    the view died early and was timed as a fast one) or dropped the test-mode setting in the middle of it (AppTest
    then could not read a widget's value: KeyError). Here all runs share one mock Runtime, made as AppTest makes
    it, and the test mode holds for the whole load test; AppTest's own swaps go to a stand-in."""
    from unittest.mock import MagicMock

    runtime = MagicMock(spec=app_test.Runtime)
    runtime.media_file_mgr = app_test.MediaFileManager(app_test.MemoryMediaFileStorage("/mock/media"))
    runtime.dataframe_source_mgr = app_test.DataframeSourceManager()
    runtime.cache_storage_manager = app_test.MemoryCacheStorageManager()
    runtime.bidi_component_registry = components
    app_test.Runtime._instance = runtime
    app_test.Runtime = type("RuntimeStandIn", (), {"_instance": None})
    test_mode = app_test.patch_config_options({"global.appTest": True})
    app_test.patch_config_options = lambda overrides: contextlib.nullcontext()
    return test_mode


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--db", default=str(ROOT / "bench" / "out" / "store_1000000.duckdb"),
                        help="a store made by `python -m bench` (copied; the original is not changed)")
    parser.add_argument("--import-file", default=str(ROOT / "bench" / "out" / "next_month_1000000.csv"))
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--views", type=int, default=6, help="page views per session")
    parser.add_argument("--runs", type=int, default=3,
                        help="load tests, each in a new process on a new copy of the store; the report gives each "
                             "run and their median (one run's p95 moves by a second on this machine)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "LOAD.md"))
    parser.add_argument("--one-run-json", help=argparse.SUPPRESS)  # internal: one run in this process
    return parser


def run_once(args) -> dict:
    """One load test in this process: the sessions, the import in the middle, every view's latency."""
    work = Path(args.db).with_name("load_copy.duckdb")
    for p in (work, Path(str(work) + ".wal")):
        p.unlink(missing_ok=True)
    shutil.copy(args.db, work)
    os.environ["CXMETRICS_DB"] = str(work)
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    from streamlit.components.v2.component_manager import BidiComponentManager
    from streamlit.testing.v1 import AppTest, app_test, local_script_runner

    _wait_without_polling(local_script_runner)

    from cxmetrics import import_file
    from cxmetrics.ui import get_store

    store = get_store()
    contacts_before = store.scalar("SELECT count(*) FROM contacts")
    latencies: list[float] = []
    by_view: dict[int, list[float]] = {}
    errors: list[str] = []
    lock = threading.Lock()
    import_done = {}
    timeline: list[tuple] = []  # (start, seconds, session, view) from the test's start: which views waited, and when

    # A server scans the installed packages for Streamlit components once, when it starts (Runtime); an AppTest
    # does it on its first run. The sessions share one scan, as a server's sessions do, so each first view is not
    # charged for a server start.
    components = BidiComponentManager()
    components.discover_and_register_components(start_file_watching=False)
    test_mode = _one_runtime_for_all_sessions(app_test, components)

    def session(number: int) -> None:
        try:
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
            at._bidi_component_manager = components
            for view in range(args.views):
                start = time.perf_counter()
                if view == 0:
                    at.run()
                else:
                    at.switch_page("pages/compliance.py" if view % 2 else "pages/overview.py").run()
                elapsed = time.perf_counter() - start
                with lock:
                    timeline.append((start - started, elapsed, number, view))
                    latencies.append(elapsed)
                    by_view.setdefault(view, []).append(elapsed)
                    if at.exception:
                        errors.append(f"session {number}: {at.exception[0].message[:200]}")
                    elif not at.title:  # a run that died outside the page's own code draws nothing
                        errors.append(f"session {number}, view {view + 1}: the page drew no title")
        except Exception as exc:  # noqa: BLE001 - every failure is counted as an error
            with lock:
                errors.append(f"session {number}: {exc!r}"[:300])

    def importer() -> None:
        start = time.perf_counter()
        report = import_file(store, args.import_file)
        import_done.update(seconds=time.perf_counter() - start, rows=report.rows_imported, started=start - started)

    threads = [threading.Thread(target=session, args=(i,)) for i in range(args.sessions)]
    with test_mode:
        started = time.perf_counter()
        for t in threads:
            t.start()
        time.sleep(1.0)
        loader = threading.Thread(target=importer)
        loader.start()
        for t in threads + [loader]:
            t.join()
        wall = time.perf_counter() - started
    contacts_after = store.scalar("SELECT count(*) FROM contacts")
    store.close()
    for p in (work, Path(str(work) + ".wal")):
        p.unlink(missing_ok=True)
    return {"latencies": latencies, "by_view": {str(k): v for k, v in by_view.items()}, "errors": errors,
            "timeline": sorted(timeline), "import_started": import_done.get("started"),
            "wall": wall, "import_seconds": import_done.get("seconds"), "import_rows": import_done.get("rows", 0),
            "contacts_before": contacts_before, "contacts_after": contacts_after}


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def report(args, runs: list[dict]) -> str:
    """LOAD.md: one row per run and the runs' median."""
    first = runs[0]
    lines = [
        "## Load test", "",
        f"`python -m bench.load` on {dt.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, {len(runs)} runs, "
        f"each in a new process on a new copy of `{Path(args.db).name}` ({first['contacts_before']:,} contacts): "
        f"{args.sessions} concurrent AppTest sessions in one process (as Streamlit serves them), {args.views} page "
        f"views each, alternating Overview and Compliance, while one import of {first['import_rows']:,} contacts "
        "ran.", "",
        "| run | page views | errors | p50 latency | p95 latency | max | wall time | import during the load |",
        "|---|---|---|---|---|---|---|---|"]
    for number, run in enumerate(runs, 1):
        lat = run["latencies"]
        lines.append(f"| {number} | {len(lat)} | {len(run['errors'])} | {statistics.median(lat):.2f} s | "
                     f"{_p95(lat):.2f} s | {max(lat):.2f} s | {run['wall']:.1f} s | {run['import_seconds']:.1f} s, "
                     f"{run['contacts_before']:,} → {run['contacts_after']:,} contacts |")
    p95s = [_p95(run["latencies"]) for run in runs]
    lines += [f"| **median of the runs** | {sum(len(r['latencies']) for r in runs)} | "
              f"{sum(len(r['errors']) for r in runs)} | "
              f"{statistics.median(statistics.median(r['latencies']) for r in runs):.2f} s | "
              f"**{statistics.median(p95s):.2f} s** | {statistics.median(max(r['latencies']) for r in runs):.2f} s | "
              f"{statistics.median(r['wall'] for r in runs):.1f} s | |", ""]
    by_view: dict[int, list[float]] = {}
    for run in runs:
        for view, times in run["by_view"].items():
            by_view.setdefault(int(view), []).extend(times)
    lines += [
        "Latency is one server-side page run (query or cache hit plus rendering to the element tree), measured "
        "under AppTest; the browser's own rendering is not included. Most views are cache hits: the first views "
        "of each data version pay for the queries. The sessions share one scan of the installed packages for "
        "Streamlit components, which a server makes once when it starts and an AppTest on its first run, and one "
        "mock Runtime, as a server's sessions share its Runtime. A view whose page drew no title counts as an "
        "error.", "",
        "Median latency by the sessions' n-th view, over all runs (all sessions start together; the import lands "
        "during the middle views): " + ", ".join(f"{view + 1}: {statistics.median(times):.2f} s"
                                                 for view, times in sorted(by_view.items())) + ".", ""]
    errors = [f"run {number}: {e}" for number, run in enumerate(runs, 1) for e in run["errors"]]
    if errors:
        lines += ["Errors:", ""] + [f"- {e}" for e in errors[:20]] + [""]
    return "\n".join(lines)


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.one_run_json:
        Path(args.one_run_json).write_text(json.dumps(run_once(args)), encoding="utf-8")
        return 0
    runs = []
    for number in range(args.runs):
        result = Path(args.db).with_name(f"load_run_{number}.json")
        subprocess.run([sys.executable, "-m", "bench.load", "--db", args.db, "--import-file", args.import_file,
                        "--sessions", str(args.sessions), "--views", str(args.views),
                        "--one-run-json", str(result)], cwd=ROOT, check=True)
        runs.append(json.loads(result.read_text(encoding="utf-8")))
        result.unlink()
    text = report(args, runs)
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 1 if any(run["errors"] for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
