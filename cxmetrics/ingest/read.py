"""Step 1, read: export files as record batches of text columns, with what detection found.

CSV/TSV/TXT: encoding, delimiter and header row are detected, then pyarrow's CSV reader
streams the file in batches (it copes with quoted line breaks and mixed CRLF/LF).
XLSX/XLSM/XLS/ODS: python-calamine reads the sheet (fastexcel, the same parser into Arrow, the usual
.xlsx); typed cells become canonical text (dates as ISO, times as HH:MM:SS) so the same SQL parsers
serve both.
"""
from __future__ import annotations

import codecs
import concurrent.futures
import functools
import csv
import datetime as dt
import io
import os
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:  # annotations only: pyarrow is imported where used (README "Architecture")
    import pyarrow as pa
    import pyarrow.csv as pacsv

from ..errors import ImportRefused, RowProblem
from ..messages import ControlRef, Message
from . import webtable

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"}
TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".tab", ".dat", ""}
DELIMITERS = (",", ";", "\t", "|")
SAMPLE_BYTES = 256 * 1024
BATCH_BYTES = 16 * 1024 * 1024


@dataclass
class FileInfo:
    """What detection found; shown in the import report and on the upload page."""
    file_name: str
    file_format: str  # csv | excel
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int = 1  # 1-based row of the header, as a spreadsheet shows it
    headers: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    other_sheets: list[str] = field(default_factory=list)  # a workbook's sheets besides the one read
    # staging columns with a value that starts or ends with a blank of TRIM_CHARS (None: not looked at, so any may)
    padded: set[str] | None = None
    # staging column -> {cell text saying there is no value (schema.NO_VALUE_TEXTS): cells}
    no_value_cells: dict[str, dict[str, int]] = field(default_factory=dict)

    def describe(self) -> dict:
        """What detection found, as the import report shows it."""
        shown_delim = {"\t": "tab", None: None}.get(self.delimiter, self.delimiter)
        return {"format": self.file_format, "encoding": self.encoding, "delimiter": shown_delim,
                "sheet": self.sheet, "header_row": self.header_row or None}  # 0: no header (a platform log)


def column_names(n: int) -> list[str]:
    """Staging column names: generated, never taken from the file."""
    return [f"c{i}" for i in range(n)]


# -- encoding -------------------------------------------------------------------------
def detect_encoding(path: Path, display: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 (BOM or NUL pattern), else Windows-1251."""
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    if head:
        even_nuls = head[0::2].count(0)
        odd_nuls = head[1::2].count(0)
        half = len(head) / 2
        if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
            return "utf-16-le"
        if even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
            return "utf-16-be"
    if b"\x00" in head or _has_nul(path):
        raise ImportRefused(
            Message("{file}: the file contains NUL bytes and is not UTF-16 text; it looks like a binary file, "
                    "not a CSV export. Export the data again as CSV or XLSX.", file=display),
            [RowProblem(display, None, None, None, Message("binary content (NUL bytes)"))])
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1251"


def _has_nul(path: Path) -> bool:
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            if b"\x00" in chunk:
                return True
    return False


def check_size(path: Path, display: str, max_mb: float) -> None:
    """Refuse files over the size limit, and zip-based workbooks that would unpack beyond 5× it."""
    size = os.path.getsize(path)
    limit = max_mb * 1024 * 1024
    if size > limit:
        raise ImportRefused(Message(
            "{file}: the file is {size_mb:,.1f} MB, over the {max_mb:g} MB limit. Export one month at a time, or "
            "raise the limit {limit}.", file=display, size_mb=size / 1024 / 1024, max_mb=max_mb,
            limit=ControlRef("max_upload_mb")),
            [RowProblem(display, None, None, None, Message("file too large"))])
    if Path(display).suffix.lower() in (".xlsx", ".xlsm", ".ods") and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > 5 * limit:
            raise ImportRefused(
                Message("{file}: the workbook would unpack to {unpacked_mb:,.0f} MB, more than 5× the {max_mb:g} MB "
                        "limit; it looks like a zip bomb and was not opened. Export the data again.", file=display,
                        unpacked_mb=unpacked / 1024 / 1024, max_mb=max_mb),
                [RowProblem(display, None, None, None, Message("workbook unpacks too large"))])


def _decoded_sample(path: Path, encoding: str) -> str:
    with open(path, "rb") as fh:
        raw = fh.read(SAMPLE_BYTES)
    text = raw.decode(encoding, errors="ignore")
    return text.lstrip("\ufeff")


# -- delimiter and header -------------------------------------------------------------
def _first_rows(text: str, delimiter: str, limit: int = 40) -> list[list[str]]:
    rows = []
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            rows.append(row)
            if len(rows) >= limit:
                break
    except csv.Error:
        pass
    return rows


def detect_delimiter(text: str) -> str:
    """The candidate giving the most rows with one consistent field count above 1."""
    best, best_score = ",", -1.0
    for delim in DELIMITERS:
        rows = _first_rows(text, delim)
        counts = Counter(len(r) for r in rows if any(c.strip() for c in r))
        if not counts:
            continue
        width, freq = counts.most_common(1)[0]
        if width < 2:
            continue
        score = freq + width / 100.0
        if score > best_score:
            best, best_score = delim, score
    return best


def detect_header_row(rows: list[list]) -> int:
    """0-based index of the header: the first row as wide as most rows, well filled, and mostly text.

    Title lines above a CSV header are narrower; above a sheet's header they are nearly empty.
    """
    def filled(row) -> list[str]:
        return [str(c).strip() for c in row if str(c).strip()]

    candidates = [r for r in rows if filled(r)]
    if not candidates:
        return 0
    width = _modal([len(r) for r in candidates])
    cells = _modal([len(filled(r)) for r in candidates])
    for i, r in enumerate(rows):
        values = filled(r)
        if len(r) == width and len(values) >= max(1, cells * 0.5) and \
                sum(not _looks_numeric(c) for c in values) >= len(values) * 0.5:
            return i
    return 0


def _modal(values: list[int]) -> int:
    """The most common value; on a tie, the largest."""
    counts = Counter(values)
    top = max(counts.values())
    return max(v for v, n in counts.items() if n == top)


def _looks_numeric(text: str) -> bool:
    try:
        float(text.replace(",", "."))
        return True
    except ValueError:
        return False


def clean_headers(raw: list, display: str, warnings: list[str]) -> list[str]:
    """Header texts; empty ones get a name, duplicates get ' (2)'… and a warning."""
    headers: list[str] = []
    seen: Counter = Counter()
    for i, h in enumerate(raw):
        name = str(h).replace("\ufeff", "").strip() if h is not None else ""
        if not name:
            name = f"column {i + 1}"  # a name, not a sentence: derive recognises it as generated (no translation)
            warnings.append(Message("{file}: column {number} has an empty header; it is called {name!r}.",
                                    file=display, number=i + 1, name=name))
        seen[name] += 1
        if seen[name] > 1:
            new = f"{name} ({seen[name]})"
            warnings.append(Message("{file}: header {name!r} appears more than once; column {number} is called "
                                    "{new!r}.", file=display, name=name, number=i + 1, new=new))
            name = new
        headers.append(name)
    return headers


# -- CSV --------------------------------------------------------------------------------
def sniff_csv(path: Path, display: str) -> FileInfo:
    """Encoding, delimiter, header row and headers of a text export."""
    encoding = detect_encoding(path, display)
    text = _decoded_sample(path, encoding)
    if not text.strip():
        raise ImportRefused(Message("{file}: the file is empty. Export the data again; a contacts export needs "
                                    "a header row and at least one data row.", file=display),
                            [RowProblem(display, None, None, None, Message("empty file"))])
    delimiter = detect_delimiter(text)
    rows = _first_rows(text, delimiter)
    header_index = detect_header_row(rows)
    info = FileInfo(display, "csv", encoding=encoding, delimiter=delimiter, header_row=header_index + 1)
    info.headers = clean_headers(rows[header_index] if rows else [], display, info.warnings)
    return info


def _physical_header_skip(path: Path, encoding: str, delimiter: str, header_index: int) -> int:
    """Lines before the first data record (a quoted header could span lines)."""
    with open(path, encoding=encoding, newline="") as fh:
        text = fh.read(SAMPLE_BYTES)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    for _ in range(header_index + 1):
        next(reader, None)
    return reader.line_num


def iter_csv_batches(path: Path, info: FileInfo, problems: list[RowProblem]) -> Iterator[pa.RecordBatch]:
    """Stream the data rows as record batches of text columns c0..cN plus file_row."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    names = column_names(len(info.headers))
    invalid: list = []

    def on_invalid(row):
        invalid.append(row)
        return "skip"

    skip = _physical_header_skip(path, info.encoding, info.delimiter, info.header_row - 1)
    read_options = pacsv.ReadOptions(skip_rows=skip, column_names=names, block_size=BATCH_BYTES,
                                     encoding=info.encoding, use_threads=True)
    parse_options = pacsv.ParseOptions(delimiter=info.delimiter, quote_char='"', double_quote=True,
                                       newlines_in_values=True, invalid_row_handler=on_invalid)
    convert_options = pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                           strings_can_be_null=False, quoted_strings_can_be_null=False)
    try:
        reader = pacsv.open_csv(path, read_options=read_options, parse_options=parse_options,
                                convert_options=convert_options)
    except (pa.ArrowInvalid, StopIteration) as exc:
        if "Empty CSV file" in str(exc) or isinstance(exc, StopIteration):
            return
        raise ImportRefused(Message("{file}: the file cannot be read as CSV: {error}", file=info.file_name,
                                    error=str(exc)),
                            [RowProblem(info.file_name, None, None, None, str(exc))]) from exc
    next_row = info.header_row + 1
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        except pa.ArrowInvalid as exc:
            raise ImportRefused(Message("{file}: the file cannot be read as CSV: {error}. Check the export's "
                                        "encoding and delimiter.", file=info.file_name, error=str(exc)),
                                [RowProblem(info.file_name, None, None, None, str(exc))]) from exc
        rows = pa.array(range(next_row, next_row + batch.num_rows), type=pa.int64())
        next_row += batch.num_rows
        yield pa.RecordBatch.from_arrays(list(batch.columns) + [rows], names=names + ["file_row"])
    for bad in invalid:
        problems.append(RowProblem(
            info.file_name, _locate_row(path, info, bad.text), None, bad.text[:200],
            Message("the row has {actual} fields but the header has {expected}; fix the quoting or delimiter of "
                    "that row", actual=bad.actual_columns, expected=bad.expected_columns)))


def _locate_row(path: Path, info: FileInfo, text: str) -> int | None:
    """The row number, as a spreadsheet shows it, of a malformed row (only on the error path): its first line is
    found, then the records before it are counted, so a quoted value spanning lines above it counts once."""
    first = text.splitlines()[0] if text else ""
    line = None
    with open(path, encoding=info.encoding, errors="replace", newline="") as fh:
        for number, physical in enumerate(fh, start=1):
            if physical.rstrip("\r\n").lstrip("\ufeff") == first:
                line = number
                break
    if line is None:
        return None
    with open(path, encoding=info.encoding, errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=info.delimiter or ",")
        ended = 0  # the physical line the previous record ended on
        for record, _fields in enumerate(reader, start=1):
            if ended < line <= reader.line_num:
                return record
            ended = reader.line_num
    return line


# -- Excel ------------------------------------------------------------------------------
def excel_cell_text(value) -> str:
    """A calamine cell as the canonical text the SQL parsers read."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_cell_text(value)
    return str(value)


def duration_cell_text(value: dt.timedelta) -> str:
    """An Excel duration cell ([h]:mm:ss) as H:MM:SS text: a clock value, so a column headed "(min)" or ", ч"
    does not multiply it as it does the plain numbers in it."""
    micro = value // dt.timedelta(microseconds=1)
    sign, micro = ("-", -micro) if micro < 0 else ("", micro)
    seconds, fraction = divmod(micro, 1_000_000)
    hours, rest = divmod(seconds, 3600)
    text = f"{sign}{hours}:{rest // 60:02d}:{rest % 60:02d}"
    return text + f".{fraction:06d}".rstrip("0") if fraction else text


def read_excel(path: Path, display: str, sheet: str | None):
    """(FileInfo, list of record batches) for the chosen sheet of a workbook.

    The usual export (.xlsx, header in the first filled row, each column one kind of cell) goes straight into
    Arrow through fastexcel; anything else is read cell by cell through python-calamine. Both give the same text
    (a hypothesis test holds them equal)."""
    if webtable.is_html_table(path):  # Bitrix24 and many CRMs: a web page saved as .xls
        return read_html_table(path, display)
    fast = read_excel_arrow(path, display, sheet)
    return fast if fast is not None else read_excel_cells(path, display, sheet)


def read_html_table(path: Path, display: str):
    """read_excel of an HTML page under an Excel name: its largest <table>, every cell text (as a CSV's are)."""
    encoding = webtable.html_encoding(path, detect_encoding(path, display))
    try:
        text = path.read_text(encoding)
    except UnicodeDecodeError as exc:
        raise ImportRefused(Message("{file}: the web page saved as a workbook is not {encoding} text as it says "
                                    "(byte {at}). Export it again, or as CSV.", file=display, encoding=encoding,
                                    at=exc.start + 1),
                            [RowProblem(display, None, None, None, Message("undecodable text"))]) from exc
    tables = [t for t in webtable.html_tables(text) if any(any(cell for cell in row) for row in t)]
    if not tables:
        raise ImportRefused(Message("{file}: a web page saved as a workbook, with no table holding anything. Export "
                                    "the data again.", file=display),
                            [RowProblem(display, None, None, None, Message("empty workbook"))])
    rows = max(tables, key=len)
    info = FileInfo(display, "html", encoding=encoding)
    info.warnings.append(Message("{file} is a web page (an HTML table) saved under a workbook's name, as some CRMs "
                                 "export: its table was read as text.", file=display))
    if len(tables) > 1:
        info.warnings.append(Message("{file}: the page holds {n} tables; the largest ({rows} rows) was read.",
                                     file=display, n=len(tables), rows=len(rows)))
    return info, [_rows_batch(info, rows, display)]


def read_excel_cells(path: Path, display: str, sheet: str | None):
    """read_excel through python-calamine's Python cells: any workbook, title rows, mixed columns, any format."""
    from python_calamine import CalamineWorkbook  # loaded on demand: CSV imports never need it

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for broken files
        raise ImportRefused(Message("{file}: the workbook cannot be opened ({error}). Save it again from the "
                                    "spreadsheet program as .xlsx, or export CSV.", file=display, error=str(exc)),
                            [RowProblem(display, None, None, None, Message("unreadable workbook"))]) from exc
    chosen, rows = _calamine_sheet_rows(workbook, display, sheet)
    info = FileInfo(display, "excel", sheet=chosen, other_sheets=[n for n in workbook.sheet_names if n != chosen])
    return info, [_rows_batch(info, rows, display)]


def _rows_batch(info: FileInfo, rows: list[list], display: str) -> pa.RecordBatch:
    """A sheet's or a table's rows as one batch of text columns under the header row it finds (set in `info`)."""
    import pyarrow as pa

    header_index = detect_header_row([[excel_cell_text(c) for c in r] for r in rows[:40]])
    info.header_row = header_index + 1
    header_cells = [excel_cell_text(c) for c in rows[header_index]] if rows else []
    while header_cells and not header_cells[-1].strip():
        header_cells.pop()
    info.headers = clean_headers(header_cells, display, info.warnings)
    width = len(info.headers)
    data = rows[header_index + 1:]
    arrays, file_rows = _excel_columns(data, width, header_index + 2, display, info.warnings)
    return pa.RecordBatch.from_arrays(arrays + [file_rows], names=column_names(width) + ["file_row"])


def _calamine_sheet_rows(workbook, display: str, sheet: str | None) -> tuple[str, list[list]]:
    """(name, Python rows) of the chosen sheet, or of the first sheet holding anything."""
    names = workbook.sheet_names
    if sheet is not None:
        if sheet not in names:
            raise ImportRefused(Message("{file}: there is no sheet named {sheet!r}; the sheets are {sheets}. "
                                        "Choose one of them {control}.", file=display, sheet=sheet,
                                        sheets=", ".join(map(repr, names)), control=ControlRef("sheet")))
        chosen = sheet
        rows = _calamine_rows(workbook, display, sheet)
    else:
        chosen = None
        for name in names:
            rows = _calamine_rows(workbook, display, name)
            if any(any(excel_cell_text(c).strip() for c in r) for r in rows):
                chosen = name
                break
        if chosen is None:
            raise ImportRefused(Message("{file}: every sheet of the workbook is empty. Export the data again.",
                                        file=display),
                                [RowProblem(display, None, None, None, Message("empty workbook"))])
    return chosen, rows


def _calamine_rows(workbook, display: str, name: str) -> list[list]:
    """One sheet's Python rows; what calamine cannot read is a refusal naming the file and the sheet."""
    from python_calamine import CalamineError

    try:
        return workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (CalamineError, OverflowError) as exc:  # broken XML, a Boolean written "2", a duration past Python's
        summary = Message("{file}, sheet {sheet!r}, cannot be read: {error}. Correct the sheet in the spreadsheet "
                          "program and save the workbook again, or export that sheet as CSV.",
                          file=display, sheet=name, error=str(exc))
        raise ImportRefused(summary, [RowProblem(display, None, None, None, Message("unreadable sheet"))]) from exc


_ARROW_SUFFIXES = (".xlsx", ".xlsm")
_DATE_LIKE_HEADER = re.compile(r"\d{4}-\d{2}-\d{2}.*|\d{2}:\d{2}:\d{2}")
_DEDUPLICATED_HEADER = re.compile(r"(.*)_\d+")


def read_excel_arrow(path: Path, display: str, sheet: str | None):
    """read_excel through fastexcel (calamine's parser, straight into Arrow: no Python object per cell), or None
    when the workbook is not one it reads exactly as `read_excel_cells` would. A 100k-row sheet: about 1 s
    instead of 3 s.

    None (the cell-by-cell reader then reads it, and words any refusal) for: another format than .xlsx/.xlsm; a
    sheet that does not start in cell A1; a workbook in the 1904 date system; a header not in the first row,
    blank, repeated, or a number or date; a column mixing kinds of cells (a cell fastexcel cannot convert to its
    column's type is an error it reports, not a blank); fractions of a second; what fastexcel's older calamine
    reads differently (`_xlsx_sheet_part`, `_xlsx_has_cells_read_differently`, `_arrow_column_text`); anything
    fastexcel cannot open."""
    if Path(display).suffix.lower() not in _ARROW_SUFFIXES or not zipfile.is_zipfile(path):
        return None
    import logging

    import fastexcel  # loaded on demand: CSV imports never need it
    import pyarrow as pa

    logging.getLogger("fastexcel").setLevel(logging.ERROR)  # "falling back to string" for a blank column
    try:
        reader = fastexcel.read_excel(str(path))
        names = list(reader.sheet_names)
        chosen = sheet if sheet is not None else (names[0] if names else None)
        if chosen not in names:
            return None
        part = _xlsx_sheet_part(path, names.index(chosen), chosen)
        if part is None or _xlsx_first_filled_row(path, part) != 1:
            return None  # blank rows above: the cell-by-cell reader's header detection counts them
        with concurrent.futures.ThreadPoolExecutor(1) as pool:  # both release the GIL: the scan costs no time
            read_differently = pool.submit(_xlsx_has_cells_read_differently, path, part)
            loaded = reader.load_sheet(chosen, schema_sample_rows=None, dtype_coercion="strict")
            table, cell_errors = loaded.to_arrow_with_errors()
            if read_differently.result():
                return None
        if cell_errors is not None and cell_errors.errors:  # a cell of another kind than its column's: left blank
            return None
    except Exception:  # noqa: BLE001 — fastexcel's own error types; the cell-by-cell reader reads or refuses it
        return None
    headers = list(table.schema.names)
    if (not headers or table.num_rows == 0
            or any(h.startswith("__UNNAMED__") for h in headers)  # fastexcel's name for a blank header
            or any(not h.strip() or _looks_numeric(h) or _DATE_LIKE_HEADER.fullmatch(h) for h in headers)
            or any((m := _DEDUPLICATED_HEADER.fullmatch(h)) and m.group(1) in headers for h in headers)):
        return None
    arrays = [_arrow_column_text(table.column(i)) for i in range(table.num_columns)]
    if any(a is None for a in arrays):
        return None
    first_rows = [headers] + [list(r) for r in zip(*(a.slice(0, 39).to_pylist() for a in arrays))]
    if detect_header_row(first_rows) != 0:
        return None
    info = FileInfo(display, "excel", sheet=chosen, header_row=1, other_sheets=[n for n in names if n != chosen])
    info.headers = clean_headers(headers, display, info.warnings)
    width = len(info.headers)
    file_rows = pa.array(range(2, 2 + table.num_rows), type=pa.int64())
    arrays, file_rows = _without_blank_rows(arrays, width, width, file_rows, 2, display, info.warnings)
    batch = pa.RecordBatch.from_arrays(arrays + [file_rows], names=column_names(width) + ["file_row"])
    return info, [batch]


_EXCEL_DAY_ZERO = -2_209_161_600  # 1899-12-30, serial 0, in seconds since 1970
_YEAR_10000 = 253_402_300_800  # 10000-01-01


def _arrow_column_text(column) -> pa.Array | None:
    """One fastexcel column as the text excel_cell_text writes for calamine's cell; None: not done here."""
    import pyarrow as pa
    import pyarrow.compute as pc
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    kind = array.type
    if pa.types.is_timestamp(kind) and kind.tz is None:
        # calamine's reading of a date-time cell: before 1900 (a value under one day) a time of day; at midnight
        # a date; else a date-time
        seconds = array.cast(pa.timestamp("s"), safe=False)
        if pc.any(pc.not_equal(seconds.cast(kind), array)).as_py():
            return None  # fractions of a second: calamine's rounding is its own
        since_epoch = seconds.cast(pa.int64())
        if (pc.any(pc.less(since_epoch, _EXCEL_DAY_ZERO)).as_py()
                or pc.any(pc.greater_equal(since_epoch, _YEAR_10000)).as_py()):
            return None  # a serial calamine leaves a number (fastexcel would write a year past 9999 or wrap)
        time_of_day = pc.less(seconds, pa.scalar(dt.datetime(1900, 1, 1), type=pa.timestamp("s")))
        midnight = pc.equal(pc.floor_temporal(seconds, unit="day"), seconds)
        formats = {"%H:%M:%S": time_of_day, "%Y-%m-%d": pc.and_not(midnight, time_of_day),
                   "%Y-%m-%d %H:%M:%S": pc.invert(pc.or_(midnight, time_of_day))}
        used = [f for f, where in formats.items() if pc.any(where).as_py()]
        if len(used) <= 1:  # one kind of cell in the column (the usual): one pass
            return pc.fill_null(pc.strftime(seconds, format=used[0] if used else "%Y-%m-%d"), "")
        text = pc.case_when(pc.make_struct(*formats.values()), *(pc.strftime(seconds, format=f) for f in formats))
        return pc.fill_null(text, "")
    if pa.types.is_duration(kind):
        try:
            values = array.to_pylist()
        except (OverflowError, ValueError):  # past Python's 999,999,999 days: the cell-by-cell reader refuses it
            return None
        if any(v is not None and v.microseconds for v in values):
            return None
        return pa.array([excel_cell_text(v) for v in values], type=pa.string())
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_null(kind)
            or pa.types.is_boolean(kind) or pa.types.is_integer(kind) or pa.types.is_floating(kind)
            or pa.types.is_date32(kind)):
        return None
    text = _typed_cells_text(array, _ArrowCells(array))
    return None if text is None else pc.fill_null(text.cast(pa.string()), "")


class _ArrowCells:
    """An Arrow array indexed as Python cells (what _typed_cells_text reads for the few cells it writes one by
    one)."""

    def __init__(self, array):
        self.array = array

    def __getitem__(self, index: int):
        return self.array[index].as_py()


_SHEET_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/?)>")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_ATTRIBUTE = re.compile(rb'([^\s=]+)\s*=\s*"([^"]*)"')
_EMPTY_CELL_BODY = re.compile(rb"\s*(?:<v\s*/>|<v>\s*</v>)?\s*")  # what calamine reads as no value
# What it reads as a value for certain: a number, shared string index, error or formula result in one plain <v>, or
# an inline string's plain text; anything else (entities, several children, a value in an inline-string cell) the
# first-row search cannot tell, and declines
_PLAIN_VALUE = re.compile(rb"<v>[^<&\s][^<&]*</v>")
_PLAIN_INLINE = re.compile(rb'<is><t(?:\s+xml:space="preserve")?>[^<&\s][^<&]*</t></is>')
_COLUMN_A_REFERENCE = re.compile(rb"A(\d+)")
_RELATIONSHIP_ID = ("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
                    "{http://purl.oclc.org/ooxml/officeDocument/relationships}id")  # transitional, strict
# Built-in number formats python-calamine (0.37) reads as dates and fastexcel's calamine (0.36) as numbers: the
# East Asian date formats Excel writes without defining them. Any mention of one in the styles declines.
_EAST_ASIAN_DATE_FORMAT = re.compile(rb"numFmtId\s*=\s*[\"']0*(?:2[7-9]|3[0-6]|5[0-8])[\"']")
# Searched for once white space is taken out of the XML (so that `t = "d"` is seen as `t="d"`): ISO date cells; a
# cell type in single quotes; a number within a millionth of a whole day — eight zeros or nines right after the
# point, or a positive exponent, which could hide them (python-calamine tells a date from a date-time by the exact
# number, fastexcel after rounding it to the millisecond; Excel's 0.56499999999999995 is not one). Text holding
# these declines too: only slower.
_READ_DIFFERENTLY = (b't="d"', b"t='", b".00000000", b".99999999", b"E+", b"e+")
# A negative exponent after two digits or more (4500100000000001E-11): a number of one day or more hiding its
# digits; Excel's own 1.6550925925925926E-3 has one digit before the point. Searched only where "E-" occurs.
_WIDE_NEGATIVE_EXPONENT = re.compile(rb"<(?:\w+:)?v>\s*[-+]?\d\d+(?:\.\d*)?[eE]-")
# Comments, CDATA and processing instructions: they could hide or fake a cell from the first-row search
_HIDING = (b"<!", b"<?")
_WHITE_SPACE = b" \t\r\n"
# A Boolean cell of exactly one <v>0</v> or <v>1</v>: both calamine versions keep a cell's last child, and the
# older one reads any value but "0" as true
_PLAIN_BOOLEAN = re.compile(rb't="b"[^>]*>\s*<(?:\w+:)?v>[01]</(?:\w+:)?v>\s*</(?:\w+:)?c>')
_XML_DECLARATION = re.compile(rb"(?:\xef\xbb\xbf)?\s*<\?xml[^>]*\?>")


def _xlsx_sheet_part(path: Path, index: int, name: str) -> str | None:
    """The zip member holding sheet `index` (named `name`); None when the workbook is one the fast path declines
    (`_xlsx_workbook_read_differently`) or its package cannot be followed for certain: the cell-by-cell reader
    then reads it."""
    import xml.etree.ElementTree as ET

    with zipfile.ZipFile(path) as archive:
        workbook = ET.fromstring(archive.read("xl/workbook.xml"))
        relations = list(ET.fromstring(archive.read("xl/_rels/workbook.xml.rels")))
        if _xlsx_workbook_read_differently(archive, workbook):
            return None
    sheets = [e for e in workbook.iter() if e.tag.rsplit("}", 1)[-1] == "sheet"]
    if index >= len(sheets) or sheets[index].get("name") != name:
        return None
    rel_id = next((sheets[index].get(key) for key in _RELATIONSHIP_ID if sheets[index].get(key)), None)
    targets = [e.get("Target") for e in relations if e.get("Id") == rel_id]
    if len(targets) != 1 or not targets[0]:
        return None
    return _package_part(targets[0])


def _xlsx_workbook_read_differently(archive: zipfile.ZipFile, workbook) -> bool:
    """Whether the two calamine versions read the workbook's dates differently: the 1904 date system (old Mac
    Excel: there a time of day is not before 1900), two sets of workbook properties, or an East Asian built-in
    date format in the styles, which calamine finds as xl/styles.xml in any case (not through a relation)."""
    properties = [e for e in workbook.iter() if e.tag.rsplit("}", 1)[-1] == "workbookPr"]
    if len(properties) > 1 or properties and properties[0].get("date1904", "0").strip().lower() in ("1", "true"):
        return True
    styles = [n for n in archive.namelist() if n.lower() == "xl/styles.xml"]
    return len(styles) > 1 or bool(styles) and bool(_EAST_ASIAN_DATE_FORMAT.search(archive.read(styles[0])))


def _package_part(target: str) -> str:
    """A workbook relationship's target as a zip member name."""
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _xlsx_first_filled_row(path: Path, part: str) -> int | None:
    """The 1-based row of the sheet's first cell with a value (where calamine's range, and so fastexcel's first
    row, begins), from the start of its XML, when that cell is in column A; None when it is not, or cannot be
    told (no cell references; a comment, CDATA or processing instruction before that cell's end)."""
    with zipfile.ZipFile(path) as archive, archive.open(part) as sheet_xml:
        text, position, first = b"", 0, True
        while chunk := sheet_xml.read(1 << 16):
            text += chunk
            if first:
                declaration = _XML_DECLARATION.match(text)
                text, first = text[declaration.end():] if declaration else text, False
            while cell := _SHEET_CELL.search(text, position):
                if not cell.group(2):  # <c …/> holds no value
                    end = _CELL_END.search(text, cell.end())
                    if end is None:
                        break  # the cell continues in the next chunk
                    body = text[cell.end():end.start()]
                    if not _EMPTY_CELL_BODY.fullmatch(body):
                        return _first_cell_row(cell.group(1), body, text[:end.end()])
                position = cell.end()
            if any(mark in text[:position] for mark in _HIDING):
                return None
            text, position = text[position:], 0  # cells already seen hold no value
            if sheet_xml.tell() > 1 << 24:  # 16 MB of empty cells: let the cell-by-cell reader decide
                return None
    return None


def _first_cell_row(attributes: bytes, body: bytes, before: bytes) -> int | None:
    """The row of the first cell with anything in it, when calamine reads it as a value for certain and it is in
    column A (so no column of the sheet starts further left: fastexcel's first column); else None."""
    if any(mark in before for mark in _HIDING) or b"'" in attributes:
        return None  # a comment, CDATA or processing instruction could hide or fake a cell; a quote style not read
    named = dict(_ATTRIBUTE.findall(attributes))
    inline = named.get(b"t") == b"inlineStr"
    if not (_PLAIN_INLINE.fullmatch(body) if inline else _PLAIN_VALUE.fullmatch(body)):
        return None
    reference = _COLUMN_A_REFERENCE.fullmatch(named.get(b"r", b""))
    return int(reference.group(1)) if reference else None


def _xlsx_has_cells_read_differently(path: Path, part: str) -> bool:
    """Whether the sheet holds what the two calamine versions read differently (`_READ_DIFFERENTLY`) or Booleans
    written other than 0/1. One pass over the sheet's XML, cut after a cell's end so that every cell is searched
    whole (about 0.4 s for 100k rows of 17 columns, run beside fastexcel's parse, which releases the GIL)."""
    with zipfile.ZipFile(path) as archive, archive.open(part) as sheet_xml:
        carried, first = b"", True
        while True:
            chunk = sheet_xml.read(1 << 20)
            text = carried + chunk
            if first:
                declaration = _XML_DECLARATION.match(text)
                text, first = text[declaration.end():] if declaration else text, False
            last_end = text.rfind(b"</c>")
            cut = last_end + 4 if chunk else len(text)
            if chunk and last_end < 0:  # no cell ends in this chunk
                if len(text) > 1 << 24:
                    return True  # 16 MB without a cell's end: not a sheet read here
                carried = text
                continue
            whole, carried = text[:cut], text[cut:]
            squeezed = whole.translate(None, _WHITE_SPACE)  # one pass in C; then each search is one memchr-like pass
            if any(mark in squeezed for mark in _READ_DIFFERENTLY):
                return True
            if (b"E-" in squeezed or b"e-" in squeezed) and _WIDE_NEGATIVE_EXPONENT.search(whole):
                return True
            # counted where white space is out (a spaced cell type counts), matched where it is not (never matches)
            booleans = squeezed.count(b't="b"')
            if booleans and booleans != len(_PLAIN_BOOLEAN.findall(whole)):
                return True  # a Boolean written other than <v>0</v> or <v>1</v>
            if not chunk:
                return False


def _excel_text_array(cells) -> pa.Array:
    """One column of calamine cells as the text `excel_cell_text` writes for each.

    Converted in C for the usual columns — text only, or numbers, booleans, dates, date-times or times of one kind
    with blank cells among them — and cell by cell only for what C would write differently (fractions, very large
    numbers) or a column mixing kinds. A workbook saved by Excel has typed cells: cell by cell in Python, its
    100k rows took about 2 s."""
    import pyarrow as pa
    import pyarrow.compute as pc
    try:
        return pa.array(cells, type=pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        pass
    values = [None if type(c) is str and c == "" else c for c in cells]
    if len({type(v) for v in values if v is not None}) != 1:  # mixed kinds: pyarrow would coerce (a date-time
        values = None                                           # among dates loses its time)
    try:
        text = None if values is None else _typed_cells_text(pa.array(values), cells)
    except (pa.ArrowTypeError, pa.ArrowInvalid, pa.ArrowNotImplementedError, OverflowError, TypeError):
        text = None
    if text is None:
        return pa.array([c if type(c) is str else excel_cell_text(c) for c in cells], type=pa.string())
    return pc.fill_null(text, "")


def _typed_cells_text(typed: pa.Array, cells) -> pa.Array | None:
    """excel_cell_text of a column of one kind, computed in C (nulls are blank cells); None: not a kind done here."""
    import pyarrow as pa
    import pyarrow.compute as pc
    kind = typed.type
    if pa.types.is_string(kind) or pa.types.is_integer(kind) or pa.types.is_date32(kind) or pa.types.is_null(kind):
        return typed.cast(pa.string())  # text; whole numbers as written; dates as YYYY-MM-DD
    if pa.types.is_boolean(kind):
        return pc.if_else(typed, "true", "false")
    if pa.types.is_floating(kind):  # a whole number below 10^15 as an integer, any other as Python writes it
        whole = pc.and_(pc.equal(pc.floor(typed), typed), pc.less(pc.abs(typed), 1e15))
        text = pc.cast(pc.cast(pc.if_else(whole, typed, 0.0), pa.int64()), pa.string())
        other = pc.fill_null(pc.invert(whole), False)
        positions = pc.indices_nonzero(other).to_pylist()
        if positions:
            text = pc.replace_with_mask(text, other, pa.array([excel_cell_text(cells[i]) for i in positions],
                                                              type=pa.string()))
        return text
    if pa.types.is_timestamp(kind) and kind.tz is None:  # whole seconds: "YYYY-MM-DD HH:MM:SS", as isoformat
        return pc.strftime(typed.cast(pa.timestamp("s")), format="%Y-%m-%d %H:%M:%S")  # raises on a fraction
    if pa.types.is_time(kind):
        return typed.cast(pa.time32("s")).cast(pa.string())  # raises on a fraction of a second
    return None


def _blank(array: pa.Array) -> pa.Array:
    import pyarrow.compute as pc
    return pc.equal(pc.utf8_trim_whitespace(pc.fill_null(array, "")), "")


def _excel_columns(data: list[list], width: int, first_row: int, display: str,
                   warnings: list[str]) -> tuple[list[pa.Array], pa.Array]:
    """The data rows as one text array per header column, and their file rows; blank rows are left out.

    Column by column, not row by row: a 100k-row sheet converts in C instead of a Python loop per cell.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    if not data:
        return [pa.array([], type=pa.string()) for _ in range(width)], pa.array([], type=pa.int64())
    sheet_width = max(len(r) for r in data)
    if any(len(r) != sheet_width for r in data):
        data = [list(r) + [""] * (sheet_width - len(r)) for r in data]
    columns = None
    if all(type(c) is str for c in data[0]):  # a typed first row fails the text conversion only after 0.5 s
        try:  # a sheet of text only: one conversion in C, then each column picked out in C
            rows = pa.array(data, type=pa.list_(pa.string()))
            columns = [pc.list_element(rows, i) for i in range(sheet_width)]
        except (pa.ArrowTypeError, pa.ArrowInvalid):
            pass
    if columns is None:  # numbers, dates, times (as Excel saves them): column by column
        cells = list(zip(*data))
        columns = [_excel_text_array(cells[i]) for i in range(sheet_width)]
    arrays = columns + [pa.array([""] * len(data), type=pa.string()) for _ in range(sheet_width, width)]
    file_rows = pa.array(range(first_row, first_row + len(data)), type=pa.int64())
    return _without_blank_rows(arrays, sheet_width, width, file_rows, first_row, display, warnings)


def _without_blank_rows(arrays: list, sheet_width: int, width: int, file_rows, first_row: int, display: str,
                        warnings: list) -> tuple[list[pa.Array], pa.Array]:
    """The header columns without the blank rows, and a warning for each row with cells beyond the last header."""
    import pyarrow.compute as pc
    blank = [_blank(a) for a in arrays]
    if sheet_width > width:
        extra_filled = pc.invert(functools.reduce(pc.and_, blank[width:]))
        for offset in pc.indices_nonzero(extra_filled).to_pylist():
            extra = [a[offset].as_py() for a in arrays[width:] if a[offset].as_py().strip()]
            warnings.append(Message("{file}, row {row}: cells beyond the last header were ignored: {cells}",
                                    file=display, row=first_row + offset, cells=extra[:3]))
    keep = pc.invert(functools.reduce(pc.and_, blank))  # a blank spreadsheet row holds no contact
    arrays = arrays[:width]
    if not pc.all(keep).as_py():
        arrays = [pc.filter(a, keep) for a in arrays]
        file_rows = pc.filter(file_rows, keep)
    return arrays, file_rows


def sniff(path: Path, display: str, sheet: str | None = None) -> FileInfo:
    """Detection only (for the upload page's preview)."""
    if Path(display).suffix.lower() in EXCEL_SUFFIXES:
        info, _batches = read_excel(path, display, sheet)
        return info
    return sniff_csv(path, display)


def file_kind(display: str) -> str:
    """excel or csv, by the file name's suffix."""
    suffix = Path(display).suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return "excel"
    return "csv"

