"""`python -m bench`: generate data with the project's generator and measure, writing BENCHMARKS.md.

    python -m bench                      # 1M and 10M contacts (tens of minutes on 2 cores)
    python -m bench --sizes 1000000      # one size
    python -m bench --quick              # 20k contacts, each task once: a smoke run (the tests run it)

Every figure is the median of repeated runs after a warm-up, each kind of measurement in its
own process. Pass/fail never depends on timings: the run fails only when a measurement errors
or when our KPI table differs from the pandas peer's.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_task(name: str, **args) -> dict:
    started = time.time()
    out = subprocess.run([sys.executable, "-m", "bench.tasks", name, json.dumps(args)], cwd=ROOT,
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if out.returncode != 0:
        raise SystemExit(f"bench task {name} failed:\n{out.stderr[-4000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"  {name:<12} {time.time() - started:7.1f} s wall   "
          + ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in result.items()
                      if not isinstance(v, list)), flush=True)
    return result


def cold_runs(name: str, runs: int, discard: int = 1, **args) -> dict:
    """A first run in a new process, measured like every other figure: one discarded run (it also brings the
    libraries into the OS file cache, as on a machine that has run the app before), then the median of
    `runs` new processes. The discarded run's time is kept as `first_cold` (the quick run discards none)."""
    done = [run_task(name, **args) for _ in range(runs + discard)]
    result = dict(done[-1])
    result["cold_times"] = [r["cold"] for r in done[discard:]]
    result["cold"] = statistics.median(result["cold_times"])
    result["first_cold"] = done[0]["cold"]
    return result


def generate(size: int, work: Path, xlsx_rows: int) -> dict:
    from cxmetrics.sample import generate_table, write_table_csv

    paths = {"csv": work / f"contacts_{size}.csv", "customers": work / f"customers_{size}.csv",
             "next": work / f"next_month_{size}.csv", "xlsx": work / f"contacts_{xlsx_rows}.xlsx",
             "xlsx_typed": work / f"contacts_typed_{xlsx_rows}.xlsx"}
    if not paths["csv"].exists():
        contacts, customers = generate_table(size, months=24, end_month="2026-09")
        write_table_csv(contacts, paths["csv"])
        write_table_csv(customers, paths["customers"])
        del contacts, customers
    if not paths["next"].exists():
        following, _ = generate_table(max(1, size // 24), months=1, end_month="2026-10", seed=8,
                                      first_index=size)
        write_table_csv(following, paths["next"])
    if not paths["xlsx"].exists():
        write_xlsx(xlsx_rows, paths["xlsx"])
    if not paths["xlsx_typed"].exists():
        write_xlsx(xlsx_rows, paths["xlsx_typed"], typed=True)
    return {k: str(v) for k, v in paths.items()}


def write_xlsx(rows: int, path: Path, typed: bool = False) -> None:
    """The generated contacts as a workbook. Every cell text (typed=False: the sheet of an exporter that writes text
    only), or typed as Excel saves an export (typed=True): durations and scores as numbers, the queue time as a
    date-time, text as text."""
    import datetime as dt

    from openpyxl import Workbook

    from cxmetrics.sample import generate_table

    table, _ = generate_table(rows, months=3, end_month="2026-10", seed=9)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Contacts")
    ws.append(table.column_names)
    columns = [c.to_pylist() for c in table.columns]
    numbers = {"wait_seconds", "talk_seconds", "hold_seconds", "wrap_seconds", "csat", "nps", "ces"}

    def cell(name, value):
        if value == "" or value is None:
            return None
        if not typed:
            return value
        if name in numbers:
            return float(value)
        return dt.datetime.fromisoformat(value) if name == "queued_at" else value
    for values in zip(*columns):
        ws.append([cell(name, v) for name, v in zip(table.column_names, values)])
    wb.save(path)


def measure(size: int, work: Path, repeats: int, xlsx_rows: int, quick: bool = False) -> dict:
    """Every figure at one store size. `quick` (the CI smoke run) times each task once, with no warm-up runs."""
    print(f"{size:,} contacts", flush=True)
    files = run_task("generate", size=size, work=str(work), xlsx_rows=xlsx_rows)["files"]
    db = str(work / f"store_{size}.duckdb")
    big = size >= 5_000_000
    warmup = 0 if big or quick else 1
    many = repeats if quick else max(5, repeats)  # the millisecond figures: more runs for a steady median
    results = {"size": size, "files": files, "csv_mb": os.path.getsize(files["csv"]) / 1e6}
    results["raw_read"] = run_task("raw_read", csv=files["csv"], work=str(work), repeats=repeats)
    results["our_import"] = run_task("our_import", csv=files["csv"], customers=files["customers"], db=db,
                                     repeats=2 if big else repeats, warmup=warmup)
    if big:  # the same import with DuckDB's own memory default (80 % of RAM), beside the default cap
        results["our_import_capped"] = run_task("our_import", csv=files["csv"], customers=files["customers"],
                                                db=db, repeats=1, warmup=0, memory_limit="duckdb")
    results["peer_import"] = run_task("peer_import", csv=files["csv"], repeats=repeats)
    results["kpis"] = run_task("kpis", db=db, repeats=many)
    results["kpis_direct"] = run_task("kpis_direct", db=db, repeats=repeats)
    results["peer_kpis"] = run_task("peer_kpis", csv=files["csv"], customers=files["customers"], db=db,
                                    repeats=repeats)
    results["compliance"] = run_task("compliance", db=db, repeats=many)
    discard = 0 if quick else 1
    results["overview"] = cold_runs("overview", repeats, discard, db=db, repeats=many)
    results["overview_loaded"] = cold_runs("overview", repeats, discard, db=db, repeats=many, preload=True)
    results["incremental"] = run_task("incremental", db=db, next_csv=files["next"], work=str(work),
                                      repeats=2 if big else repeats)
    results["xlsx"] = run_task("xlsx", path=files["xlsx"], work=str(work), repeats=repeats)
    results["xlsx_typed"] = run_task("xlsx", path=files["xlsx_typed"], work=str(work), repeats=repeats,
                                     compare=False)
    results["pages"] = {page: cold_runs("pages", repeats, discard, db=db, page=page)["cold"] for page in OTHER_PAGES}
    results["build_layer"] = run_task("build_layer", db=db, work=str(work))
    results["aggregated"] = run_task("aggregated", work=str(work), rows=100_000 if size >= 1_000_000 else 2_000,
                                     repeats=repeats)
    results["lake"] = run_task("lake", db=db, work=str(work), repeats=repeats, spark_repeats=2 if big else repeats,
                               spark_warmup=warmup)
    if size <= 1_000_000:  # the same at any store size: measured once
        results["platforms"] = run_task("platforms", work=str(work), calls=200_000 if size >= 1_000_000 else 2_000,
                                        repeats=repeats)
        results["sample"] = run_task("sample", contacts=size, work=str(work), repeats=repeats)
    return results


OTHER_PAGES = ("pages/channel.py", "pages/compliance.py", "pages/review.py", "pages/satisfaction.py",
               "pages/followup.py", "pages/maturity.py", "pages/upload.py", "pages/targets.py", "pages/quality.py")


def machine() -> dict:
    import duckdb
    import pandas
    import pyarrow
    import streamlit

    memory = "?"
    model = platform.processor() or "?"
    try:
        memory = f"{int(open('/proc/meminfo').readline().split()[1]) / 1024 / 1024:.1f} GiB"
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cores": os.cpu_count(), "memory": memory, "cpu": model, "os": platform.platform(),
            "python": platform.python_version(), "duckdb": duckdb.__version__, "pandas": pandas.__version__,
            "pyarrow": pyarrow.__version__, "streamlit": streamlit.__version__,
            "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "spark": _spark_version()}


def _spark_version() -> str:
    try:
        from importlib.metadata import version
        java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
        return f"PySpark {version('pyspark')} on {java.strip()}"
    except Exception:  # noqa: BLE001 — the report says it was not there
        return "no Spark"


def _s(x: float) -> str:
    return f"{x:.3f} s" if x < 10 else f"{x:.1f} s"


def _check(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**not met**")


def table(r: dict) -> list[str]:
    size, big = r["size"], r["size"] >= 5_000_000
    imp, raw = r["our_import"]["median"], r["raw_read"]["median"]
    kw, kc, peer = r["kpis"]["median"], r["kpis"]["cold"], r["peer_kpis"]["median"]
    ov = r["overview"]
    inc = r["incremental"]
    xl = r["xlsx"]
    rows = [
        ("CSV import (contacts), default settings", _s(imp), f"DuckDB read_csv CTAS {_s(raw)}",
         f"{imp / raw:.2f}× the floor", "≤ 2× the floor", _check(imp / raw <= 2)),
        ("pandas peer: read_csv (pyarrow engine)", _s(r["peer_import"]["median"]), "", "", "information", "—"),
        ("Peak RSS while importing, default settings (DuckDB capped at 5 % of RAM)",
         f"{r['our_import']['rss_mb']:,.0f} MB", "", "", "≤ 2 GB at 10M",
         _check(r["our_import"]["rss_mb"] <= 2048) if big else "—"),
    ]
    if "our_import_capped" in r:
        other = r["our_import_capped"]
        limit = other.get("memory_limit") or "1.2GB"
        rows.append((f"Import with `CXMETRICS_MEMORY_LIMIT={limit}`"
                     + (" (DuckDB's own default, 80 % of RAM)" if limit == "duckdb" else "") + ": time / peak RSS",
                     f"{_s(other['median'])} / {other['rss_mb']:,.0f} MB", "", f"{other['median'] / raw:.2f}× the floor",
                     "information", "—"))
    direct = r["kpis_direct"]["median"]
    comp = r["compliance"]["median"]
    rows += [
        ("Full KPI table, warm (all metrics × channels × 24 months)", _s(kw),
         f"direct from the contact rows (before the measures layer) {_s(direct)}", f"{direct / kw:.0f}× faster",
         "≤ 0.1 s; ≥ 50× the direct path", _check(kw <= 0.1 and direct / kw >= 50)),
        ("Full KPI table, cold (new process)", _s(kc), "", "", "information", "—"),
        ("KPI cells equal to the direct computation", f"{r['kpis_direct']['cells_compared']:,}", "", "", "all equal",
         "met"),
        ("pandas peer recompute of the KPI table", _s(peer), "", f"{peer / kw:.0f}× slower than ours",
         "information", "—"),
        ("KPI cells equal to the pandas peer", f"{r['peer_kpis']['cells_compared']:,}", "", "", "all equal", "met"),
        ("Compliance, latest month", _s(comp), "", "", "≤ 0.1 s", _check(comp <= 0.1)),
        ("Overview rerun (AppTest), cold: new process, libraries imported in the run", _s(ov["cold"]), "", "",
         "≤ 1.0 s", _check(ov["cold"] <= 1.0)),
        *([("Overview rerun (AppTest), cold: the discarded first new process (libraries read from disk, after "
            "the measurements before it took the OS file cache)", _s(ov["first_cold"]), "", "", "information", "—")]
          if "first_cold" in ov else []),
        ("Overview rerun (AppTest), cold: empty caches, libraries already imported (a running server)",
         _s(r["overview_loaded"]["cold"]), "", "", "≤ 1.0 s", _check(r["overview_loaded"]["cold"] <= 1.0)),
        ("Overview rerun (AppTest), cached", _s(ov["median"]), "", "", "≤ 0.1 s", _check(ov["median"] <= 0.1)),
    ]
    for page, cold in r.get("pages", {}).items():
        rows.append((f"{page} first run (AppTest), cold: empty caches, libraries imported", _s(cold), "", "",
                     "≤ 1.5 s", _check(cold <= 1.5)))
    rows += [
        (f"One more month ({inc['rows']:,} contacts) into this store", _s(inc["median"]),
         f"into an empty store {_s(inc['empty_median'])}", f"{inc['median'] / inc['empty_median']:.2f}×",
         "≤ 2×", _check(inc["median"] / inc["empty_median"] <= 2)),
        ("XLSX import (100,000 rows, every cell text), fastexcel", _s(xl["median"]),
         f"same import via openpyxl {_s(xl['openpyxl_median'])}",
         f"{xl['openpyxl_median'] / xl['median']:.1f}× faster", "≤ 4 s; ≥ 5× openpyxl",
         _check(xl["median"] <= 4 and xl["openpyxl_median"] / xl["median"] >= 5)),
    ]
    if "xlsx_typed" in r:
        rows.append(("XLSX import (100,000 rows), typed cells as Excel saves an export (numbers, date-times)",
                     _s(r["xlsx_typed"]["median"]), "", "", "≤ 4 s", _check(r["xlsx_typed"]["median"] <= 4)))
    if "aggregated" in r:
        ag = r["aggregated"]
        rows.append((f"Daily aggregated report, {ag['rows']:,} rows, import", _s(ag["median"]), "", "",
                     "≤ 3 s", _check(ag["median"] <= 3)))
    if "platforms" in r:
        for name, label in (("queue_log", "Asterisk queue_log"), ("connect", "Amazon Connect contact records")):
            pl = r["platforms"][name]
            rows.append((f"{label}, {pl['contacts']:,} contacts, import", _s(pl["median"]),
                         f"{pl['calls_per_minute']:,.0f} calls a minute", "", "≥ 200,000 calls a minute",
                         _check(pl["calls_per_minute"] >= 200_000)))
    if "sample" in r:
        sm = r["sample"]
        rows.append((f"`cxmetrics sample`, {sm['contacts']:,} contacts (three files)", _s(sm["median"]), "", "",
                     "≤ 30 s at 1M", _check(sm["median"] <= 30)))
    if "build_layer" in r:
        bl = r["build_layer"]
        rows += [("Building the measures for this store (first open after the upgrade)", _s(bl["build"]), "", "",
                  "information", "—"),
                 ("Rebuild after one channel's SL threshold changes", _s(bl["channel_rebuild"]), "", "",
                  "information", "—"),
                 ("Rebuild after the FCR window changes (every measure)", _s(bl["window_rebuild"]), "", "",
                  "information", "—"),
                 ("Measure rows (" + ", ".join(f"{t} {n:,}" for t, n in bl["rows"].items()) + ")",
                  f"{sum(bl['rows'].values()):,}", f"{bl['contacts']:,} contacts", "", "information", "—")]
    if "lake" in r:
        lk = r["lake"]
        rows += [("`export-lake`: the whole store as a Parquet lake (" + f"{lk['lake_mb']:,.0f} MB)",
                  _s(lk["export_full"]), f"again, nothing changed {_s(lk['export_unchanged'])}", "", "information", "—"),
                 ("Full monthly KPI table, DuckDB over the lake (`--engine duckdb --lake`)", _s(lk["duckdb_median"]),
                  f"the store {_s(lk['store_median'])}", f"{lk['duckdb_median'] / lk['store_median']:.0f}× the store",
                  "identical rows", "met"),
                 ("Full monthly KPI table, Spark local[2] over the lake (`--engine spark --lake`), session started",
                  _s(lk["spark_median"]), f"DuckDB over the lake {_s(lk['duckdb_median'])}",
                  f"{lk['spark_median'] / lk['duckdb_median']:.1f}× DuckDB", "identical rows", "met"),
                 ("Compliance at the latest month over the lake: DuckDB / Spark local[2]",
                  f"{_s(lk['duckdb_rule_median'])} / {_s(lk['spark_rule_median'])}", "", "", "identical rows", "met"),
                 ("Spark session start (JVM, local[2]) / DuckDB engine start, lake checked",
                  f"{_s(lk['spark_open'])} / {_s(lk['duckdb_open'])}", "", "", "information", "—")]
    lines = [f"### {size:,} contacts ({r['csv_mb']:,.0f} MB CSV)", "",
             "| measurement | cxmetrics | comparison | ratio | target | status |", "|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    rss = ", ".join(f"{k} {v['rss_mb']:,.0f} MB" for k, v in r.items()
                    if isinstance(v, dict) and "rss_mb" in v and k != "generate")
    lines += ["", f"Peak RSS per measurement process: {rss}.", ""]
    return lines


def write_report(results: list[dict], out: Path, repeats: int, quick: bool, m: dict | None = None) -> None:
    m = m or machine()
    lines = ["# Benchmarks", "",
             f"Written by `python -m bench{' --quick' if quick else ''}` on {m['date']}. Machine: {m['cores']} "
             f"cores ({m['cpu']}), {m['memory']} RAM, {m['os']}; Python {m['python']}, DuckDB {m['duckdb']}, "
             f"pandas {m['pandas']}, pyarrow {m['pyarrow']}, Streamlit {m['streamlit']}; {m.get('spark', 'no Spark')} "
             "(local[2]).", "",
             f"Each figure is the median of {repeats} runs after one warm-up run (10M imports: the median of 2 "
             "runs, no separate warm-up), every kind of measurement in its own process; ratios compare figures "
             "from the same run. A first run in a new process (the Overview and page \"cold\" rows) is measured the same "
             "way: the median of as many new processes after one discarded. The data are the project's generator (`cxmetrics.sample.generate_table`): 24 "
             "months, seven channels, customers who contact again, a customers export with churn dates.", ""]
    for r in results:
        lines += table(r)
    lakes = [r for r in results if "lake" in r]
    if len(lakes) >= 2:  # the growth from the smallest to the largest size, for each engine
        small, large = lakes[0], lakes[-1]
        factor = large["size"] / small["size"]
        lines += [f"### Beyond one machine: growth from {small['size']:,} to {large['size']:,} contacts "
                  f"({factor:.0f}× the contacts)", "",
                  "| full monthly KPI table | " + f"{small['size']:,} | {large['size']:,} | growth |", "|---|---|---|---|"]
        for key, label in (("store_median", "the store (measures layer)"), ("duckdb_median", "DuckDB over the lake"),
                           ("spark_median", "Spark local[2] over the lake")):
            a, b = small["lake"][key], large["lake"][key]
            lines.append(f"| {label} | {_s(a)} | {_s(b)} | {b / a:.1f}× |")
        lines.append("")
    for extra in ("LOAD.md", "NOTES.md"):  # the load test's figures, then the explanations
        path = ROOT / "bench" / extra
        if path.exists() and not quick:
            lines += [path.read_text(encoding="utf-8")]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out.with_suffix(".json")).write_text(json.dumps({"machine": m, "repeats": repeats, "results": results},
                                                     indent=1))
    print(f"wrote {out}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="20k contacts, each task timed once, a 2,000-row workbook")
    parser.add_argument("--work", default=str(ROOT / "bench" / "out"), help="folder for generated data and stores")
    parser.add_argument("--out", help="report file (default BENCHMARKS.md; --quick: bench/out/BENCHMARKS.quick.md)")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite the report from the last run's JSON (after editing bench/NOTES.md)")
    args = parser.parse_args(argv)
    if args.report_only:
        out = Path(args.out) if args.out else ROOT / "BENCHMARKS.md"
        saved = json.loads(out.with_suffix(".json").read_text())
        write_report(saved["results"], out, saved.get("repeats", 3), False, saved["machine"])
        return 0
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    sizes, repeats, xlsx_rows = args.sizes, args.repeats, 100_000
    if args.quick:
        sizes, repeats, xlsx_rows = [20_000], 1, 2_000
    out = Path(args.out) if args.out else (work / "BENCHMARKS.quick.md" if args.quick else ROOT / "BENCHMARKS.md")
    # the package's bytecode, as the README's commands write it (scripts/_venv.sh): a new process measured
    # below loads it, whatever PYTHONDONTWRITEBYTECODE says
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "cxmetrics")], check=True)
    results = [measure(size, work, repeats, xlsx_rows, args.quick) for size in sizes]
    write_report(results, out, repeats, args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
