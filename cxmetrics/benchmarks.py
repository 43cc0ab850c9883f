"""Industry benchmarks (issue 16 §3): reference values per channel and metric, with their source, year and scope.

A benchmark is what a published survey (or a centre's own peer group) reports, drawn beside a metric's trend and
written beside it in the quarterly workbook. It is never a target: no month state, rolling rule, finding or alert
reads it. The table holds one row per channel × metric; `*` is every channel, and a channel's own row wins (as for
targets). A store starts with the small set shipped in cxmetrics/benchmarks.csv (every value attributed there);
an import replaces the whole table, and a file with any invalid row changes nothing.

The command line's `benchmarks show | import FILE | export FILE` calls `list_benchmarks`, `import_benchmarks_csv`
and `export_benchmarks_csv`, as `targets` does.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

from .display import FORMULA_STARTS, format_value, safe_csv_text
from .errors import ImportRefused, RowProblem
from .i18n import _, ngettext
from .metrics import METRICS, TARGETED
from .storage import SHIPPED_BENCHMARKS, Store

BENCHMARK_HEADER = ["channel", "metric", "value", "source", "year", "scope"]
# A count (volume) depends on the centre's size: no industry reference means anything for it.
BENCHMARKED = tuple(m for m in TARGETED if METRICS[m].unit != "count")
SOURCE_MAX, SCOPE_MAX = 100, 500  # characters
FIRST_YEAR = 1990
_CHANNEL = re.compile(r"[a-z0-9_]+")


@dataclass(frozen=True)
class Benchmark:
    channel: str   # a channel slug, or '*' for every channel
    metric: str
    value: float   # in the metric's unit: percent 0–100, seconds, score
    source: str    # who published it ("SQM Group"), or the peer group's name
    year: int      # the year of the publication or survey
    scope: str     # what the number covers and means


def _bounds(metric_id: str) -> tuple[float | None, float | None]:
    """The natural bounds of a metric's values (percent 0–100, NPS −100…100, CES on its scale, times ≥ 0)."""
    m = METRICS[metric_id]
    if m.low is not None or m.high is not None:
        return m.low, m.high
    if m.fmt == "nps":
        return -100.0, 100.0
    if m.unit == "percent":
        return 0.0, 100.0
    return 0.0, None


def _bound_text(metric_id: str, low: float | None, high: float | None) -> str:
    if high is None:
        return _("{metric} cannot be negative").format(metric=METRICS[metric_id].label)
    return _("{metric} lies between {low} and {high}").format(metric=METRICS[metric_id].label,
                                                              low=format_value(metric_id, low),
                                                              high=format_value(metric_id, high))


def check_benchmark(channel, metric, value, source, year, scope) -> tuple[Benchmark | None,
                                                                         list[tuple[str, str, str]]]:
    """The benchmark, or (None, [(column, value as given, reason), …]) naming every field that is wrong."""
    given = {"channel": channel, "metric": metric, "value": value, "source": source, "year": year, "scope": scope}
    text = {k: "" if v is None else str(v).strip() for k, v in given.items()}
    problems: list[tuple[str, str, str]] = []
    channel_id = text["channel"].lower()
    if channel_id != "*" and not _CHANNEL.fullmatch(channel_id):
        problems.append(("channel", text["channel"], _("a benchmark needs a channel: a slug such as voice, or * for "
                                                       "every channel")))
    metric_id = text["metric"]
    if metric_id not in BENCHMARKED:
        problems.append(("metric", text["metric"], _("unknown metric for a benchmark; benchmarked metrics are "
                                                     "{metrics}").format(metrics=", ".join(BENCHMARKED))))
    number = None
    try:
        number = float(text["value"])
        if not math.isfinite(number):
            raise ValueError
    except ValueError:
        problems.append(("value", text["value"], _("the value must be a number in the metric's unit (percent for "
                                                   "rates, seconds for times)")))
        number = None
    if number is not None and metric_id in BENCHMARKED:
        low, high = _bounds(metric_id)
        if (low is not None and number < low) or (high is not None and number > high):
            problems.append(("value", text["value"], _bound_text(metric_id, low, high)))
    if not text["source"]:
        problems.append(("source", text["source"], _("a benchmark needs its source (who published it, or your "
                                                     "peer group's name)")))
    elif len(text["source"]) > SOURCE_MAX or "\n" in text["source"]:
        problems.append(("source", text["source"], _("the source is one line of at most {n} characters")
                         .format(n=SOURCE_MAX)))
    this_year = dt.date.today().year
    if not re.fullmatch(r"\d{4}", text["year"]) or not FIRST_YEAR <= int(text["year"]) <= this_year:
        problems.append(("year", text["year"], _("the year is the year of the survey or publication, from {first} "
                                                 "to {last}").format(first=FIRST_YEAR, last=this_year)))
    if not text["scope"]:
        problems.append(("scope", text["scope"], _("a benchmark needs its scope: what the number covers (country, "
                                                   "industry, channel) and what it means")))
    elif len(text["scope"]) > SCOPE_MAX:
        problems.append(("scope", text["scope"][:40] + "…", _("the scope is at most {n} characters")
                         .format(n=SCOPE_MAX)))
    if problems:
        return None, problems
    return Benchmark(channel_id, metric_id, number, text["source"], int(text["year"]), text["scope"]), []


def _unquoted(cell: str) -> str:
    """A cell as the export wrote it, without the ' that keeps a spreadsheet from reading text as a formula."""
    return cell[1:] if cell.startswith("'") and cell[1:2] and cell[1:2] in FORMULA_STARTS else cell


def parse_benchmarks_csv(text: str, file_name: str = "benchmarks.csv") -> list[Benchmark]:
    """Parse a benchmarks CSV (header exactly BENCHMARK_HEADER); every problem names its row, column and value."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None or [h.strip() for h in header] != BENCHMARK_HEADER:
        raise ImportRefused(_("{file}: the header must be exactly {header}").format(
            file=file_name, header=",".join(BENCHMARK_HEADER)),
            [RowProblem(file_name, 1, None, ",".join(header or []), _("wrong header"))])
    out: list[Benchmark] = []
    problems: list[RowProblem] = []
    first_row: dict[tuple[str, str], int] = {}
    bad_rows = set()
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(BENCHMARK_HEADER):
            problems.append(RowProblem(file_name, number, None, ",".join(row),
                                       _("a row needs {n} fields").format(n=len(BENCHMARK_HEADER))))
            bad_rows.add(number)
            continue
        benchmark, wrong = check_benchmark(*(_unquoted(cell) for cell in row))
        for column, value, reason in wrong:
            problems.append(RowProblem(file_name, number, column, value, reason))
            bad_rows.add(number)
        if benchmark is None:
            continue
        key = (benchmark.channel, benchmark.metric)
        if key in first_row:
            problems.append(RowProblem(file_name, number, "metric", benchmark.metric, _(
                "a second benchmark for {channel}/{metric}: row {row} has one already; keep one row per channel and "
                "metric").format(channel=benchmark.channel, metric=benchmark.metric, row=first_row[key])))
            bad_rows.add(number)
            continue
        first_row[key] = number
        out.append(benchmark)
    if problems:
        rows = len(bad_rows)
        raise ImportRefused(ngettext("{file}: {count} benchmark row is invalid; no benchmark was changed.",
                                     "{file}: {count} benchmark rows are invalid; no benchmark was changed.", rows)
                            .format(file=file_name, count=rows), problems)
    return out


def list_benchmarks(store: Store) -> list[Benchmark]:
    """Every benchmark, by channel ('*' first) and metric."""
    rows = store.fetchall("SELECT channel, metric, value, source, year, scope FROM benchmarks ORDER BY channel, metric")
    return [Benchmark(c, m, float(v), s, int(y), sc) for c, m, v, s, y, sc in rows]


def replace_benchmarks(store: Store, benchmarks: list[Benchmark]) -> None:
    """Replace the whole table in one transaction (the rows are already checked)."""
    with store.transaction():
        store.execute("DELETE FROM benchmarks")
        store.insert_rows("benchmarks", [[b.channel, b.metric, b.value, b.source, b.year, b.scope]
                                         for b in benchmarks])


def import_benchmarks_text(store: Store, text: str, file_name: str = "benchmarks.csv") -> int:
    """Replace the benchmarks with a CSV's rows (the page's upload); a refused file changes nothing."""
    benchmarks = parse_benchmarks_csv(text, file_name)
    replace_benchmarks(store, benchmarks)
    return len(benchmarks)


def import_benchmarks_csv(store: Store, path: str | Path) -> int:
    """Replace the benchmarks with the rows of a CSV file; a refused file changes nothing."""
    return import_benchmarks_text(store, Path(path).read_text(encoding="utf-8-sig"), Path(path).name)


def export_benchmarks_csv(store: Store) -> str:
    """The benchmarks as CSV with BENCHMARK_HEADER, safe to open in a spreadsheet; imports back unchanged."""
    return safe_csv_text(BENCHMARK_HEADER, ([b.channel, b.metric, b.value, b.source, b.year, b.scope]
                                            for b in list_benchmarks(store)))


def shipped_benchmarks() -> list[Benchmark]:
    """The set a new store starts with (cxmetrics/benchmarks.csv)."""
    return parse_benchmarks_csv(SHIPPED_BENCHMARKS.read_text(encoding="utf-8-sig"), SHIPPED_BENCHMARKS.name)


class BenchmarkBook:
    """Looks up the benchmark of a channel and metric: the channel's own row, else the '*' row."""

    def __init__(self, benchmarks):
        self._rows = {(b.channel, b.metric): b for b in benchmarks}

    def __bool__(self) -> bool:
        return bool(self._rows)

    def lookup(self, channel: str, metric_id: str) -> Benchmark | None:
        return self._rows.get((channel, metric_id)) or self._rows.get(("*", metric_id))


def benchmark_for(store: Store, channel: str, metric_id: str) -> Benchmark | None:
    """The benchmark that applies to a channel's metric (its own row, else '*'), or None."""
    row = store.fetchone("SELECT channel, metric, value, source, year, scope FROM benchmarks WHERE metric = ? AND "
                         "channel IN (?, '*') ORDER BY channel = '*' LIMIT 1", [metric_id, channel])
    return None if row is None else Benchmark(row[0], row[1], float(row[2]), row[3], int(row[4]), row[5])


def benchmark_label(benchmark: Benchmark) -> str:
    """How a chart labels the line: "Benchmark: SQM Group 2022"."""
    return _("Benchmark: {source} {year}").format(source=benchmark.source, year=benchmark.year)
