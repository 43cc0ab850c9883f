"""The least an import that keeps the measures at import can cost, against the floor (bench/NOTES.md, issue 14 §4).

    python -m bench.lower_bound bench/out/contacts_1000000.csv [--runs 5]

A generated contacts file (`python -m bench` writes them) is read by DuckDB's own typed reader straight into a new
store's contacts table: no staging as text, no checks, no status words, no duplicate ids, no history, no
next-contact FCR. Then the store's own full measure rebuild runs (`cxmetrics.measures.rebuild`), as a new store's
import maintains them. Each run is interleaved with the floor (DuckDB's `CREATE TABLE AS SELECT * FROM
read_csv(...)` into a database file), so their medians come from the same minutes of a noisy machine.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import duckdb

from cxmetrics.measures import rebuild
from cxmetrics.storage import Store

# The generated file's columns typed by DuckDB's reader, mapped to the store's contact columns the way the
# import maps them (status words: Answered, Abandoned; handle time = talk + hold + wrap).
_TYPED_CONTACTS = """
    INSERT INTO contacts BY NAME
    SELECT 'bench' AS source, contact_id, 1 AS import_id, CAST(row_number() OVER () + 1 AS INTEGER) AS file_row,
           channel, 'inbound' AS direction, timezone('UTC', queued_at) AS queued_at, queued_at AS queued_local,
           lower(status) = 'answered' AS answered, lower(status) = 'abandoned' AS abandoned,
           wait_seconds, talk_seconds, hold_seconds, wrap_seconds,
           coalesce(talk_seconds, 0) + coalesce(hold_seconds, 0) + coalesce(wrap_seconds, 0) AS handle_seconds,
           customer_id, resolved, csat, nps, ces, queue, team, agent, status
    FROM read_csv(?, types = {'queued_at': 'TIMESTAMP', 'wait_seconds': 'DOUBLE', 'talk_seconds': 'DOUBLE',
                              'hold_seconds': 'DOUBLE', 'wrap_seconds': 'DOUBLE', 'resolved': 'BOOLEAN',
                              'csat': 'DOUBLE', 'nps': 'INTEGER', 'ces': 'DOUBLE'})"""


def _fresh(path: Path) -> None:
    for p in (path, Path(f"{path}.wal")):
        p.unlink(missing_ok=True)


def floor(csv: str, work: Path) -> float:
    """DuckDB's own typed read into a table of a database file: the bench's floor."""
    db = work / "lower_bound_floor.duckdb"
    _fresh(db)
    start = time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [csv])
    con.close()
    return time.perf_counter() - start


def typed_read_and_measures(csv: str, work: Path) -> tuple[float, float]:
    """(seconds to the contacts written, seconds to the measures built and the store closed) for a new store."""
    db = work / "lower_bound_store.duckdb"
    _fresh(db)
    store = Store(db)  # the schema made before the clock starts, as an import into an existing store would find it
    start = time.perf_counter()
    with store.transaction():
        store.execute(_TYPED_CONTACTS, [csv])
        written = time.perf_counter() - start
        rebuild(store)
    store.close()
    return written, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", default=str(Path(__file__).parent / "out"))
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    floors, written, total = [], [], []
    for run in range(args.runs):
        floors.append(floor(args.csv, work))
        w, t = typed_read_and_measures(args.csv, work)
        written.append(w)
        total.append(t)
        print(f"run {run + 1}: floor {floors[-1]:.2f} s, contacts written {w:.2f} s, with the measures {t:.2f} s",
              flush=True)
    f, w, t = (statistics.median(x) for x in (floors, written, total))
    print(f"medians of {args.runs}: floor {f:.2f} s; typed read into contacts {w:.2f} s ({w / f:.2f}×); "
          f"with the measures rebuilt {t:.2f} s ({t / f:.2f}×); memory limit "
          f"{os.environ.get('CXMETRICS_MEMORY_LIMIT') or 'default'}")


if __name__ == "__main__":
    main()
