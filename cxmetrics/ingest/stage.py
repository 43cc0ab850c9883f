"""Step 1b, stage: the file read into a temporary table of text columns c0..cN plus file_row.

The staged table and every table the later steps make live in the import's `TempTables`, so they are
dropped however the import ends. `ImportJob` carries the staged file and the import's context.
"""
from __future__ import annotations

import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:  # annotations only: pyarrow is imported where used (README "Architecture")
    import pyarrow as pa

from ..errors import ImportRefused, RowProblem
from ..messages import Message
from ..schema import NO_VALUE_TEXTS
from ..storage import Store, TempTable, TempTables
from . import read
from .parse import TRIM_CHARS
from .platforms import read_platform, recognise
from .options import ImportOptions, ProgressFn


@dataclass
class ImportJob:
    """One import on its way: the staged file and everything the later steps read."""
    store: Store
    temps: TempTables
    stage: TempTable
    info: read.FileInfo
    options: ImportOptions
    mapping: dict[str, list[str]]
    tz: str
    source: str
    sha: str
    rows_read: int
    progress: ProgressFn

    @property
    def display(self) -> str:
        """The file name messages give."""
        return self.info.file_name

    @property
    def preview(self) -> bool:
        """A dry run: parse and check, write nothing."""
        return bool(self.options.preview_rows)


def stage_file(store: Store, temps: TempTables, path: Path, display: str, sheet: str | None,
               limit: int | None = None) -> tuple[read.FileInfo, TempTable]:
    """Read the file into a new temporary table of text columns c0..cN plus file_row.

    Rows whose field count differs from the header's refuse the file (their values cannot be placed).
    """
    structural: list[RowProblem] = []
    platform = recognise(path, display)
    if platform:  # a platform export (spec §1c): canonical contact rows, whatever the file's own layout
        info, batches = read_platform(path, display, platform)
    elif read.file_kind(display) == "excel":
        info, batches = read.read_excel(path, display, sheet)  # looked up at call time: the bench swaps it
    else:
        info = read.sniff_csv(path, display)
        batches = read.iter_csv_batches(path, info, structural)
    if not info.headers:
        raise ImportRefused(Message("{file}: no header row was found. The first row must name the columns.",
                                    file=display))
    columns = [(name, "VARCHAR") for name in read.column_names(len(info.headers))] + [("file_row", "BIGINT")]
    stage = temps.create("stage", columns=columns, unique=True)
    staged = 0
    info.padded = set()
    for batch in batches:
        if limit:
            if staged >= limit:
                break
            batch = batch.slice(0, limit - staged)
        staged += batch.num_rows
        info.padded |= padded_columns(batch, info.padded)
        count_no_value_cells(batch, info.padded, info.no_value_cells)
        store.insert_frame(stage, batch)
    if structural:
        raise ImportRefused(Message("{file}: {count} rows do not have the header's number of fields, so their "
                                    "values cannot be placed in columns. Nothing was imported.", file=display,
                                    count=len(structural)), structural)
    return info, stage


def padded_columns(batch: pa.RecordBatch, known: set[str]) -> set[str]:
    """The text columns of `batch` (beyond those already `known`) with a value that starts or ends with a blank:
    only they need trimming in SQL, where a trim with a character set is the costliest step of parsing."""
    import pyarrow as pa
    import pyarrow.compute as pc
    found = set()
    for name, column in zip(batch.schema.names, batch.columns):
        if name in known or not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
            continue
        trimmed = pc.utf8_trim(column, TRIM_CHARS)
        if pc.any(pc.not_equal(pc.binary_length(trimmed), pc.binary_length(column))).as_py():
            found.add(name)
    return found


def count_no_value_cells(batch: pa.RecordBatch, padded: set[str], found: dict[str, dict[str, int]]) -> None:
    """Add to `found` the cells of each text column that say there is no value ("-", "n/a", "#N/A": schema.
    NO_VALUE_TEXTS), by their trimmed text. A typed field reads them as empty (plan.raw_text_sql)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    texts = pa.array(NO_VALUE_TEXTS)
    for name, column in zip(batch.schema.names, batch.columns):
        if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
            continue
        values = pc.utf8_trim(column, TRIM_CHARS) if name in padded else column
        said = pc.is_in(values, value_set=texts)
        if pc.any(said).as_py():
            counts = found.setdefault(name, {})
            for item in pc.value_counts(pc.filter(values, said)).to_pylist():
                counts[item["values"]] = counts.get(item["values"], 0) + item["counts"]


@contextmanager
def upload_file(data: bytes, file_name: str) -> Iterator[Path]:
    """An upload written to a private temporary folder under a fixed name: the user's name never becomes a path."""
    safe_suffix = "".join(ch for ch in Path(file_name).suffix.lower() if ch.isalnum() or ch == ".")[:8]
    with tempfile.TemporaryDirectory(prefix="cxmetrics-upload-") as tmp:
        path = Path(tmp) / f"upload{safe_suffix}"
        path.write_bytes(data)
        yield path
