"""Files the app and the CLI write: every one is safe to open in Excel."""
from __future__ import annotations

import csv
import io
from typing import Iterable, Sequence

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(value):
    """Text that a spreadsheet would run as a formula is prefixed with ' (OWASP's advice).

    Numbers stay numbers; only text cells are touched.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def cell_text(value) -> str:
    """Full precision, no rounding; integral floats without '.0'; None as empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2 ** 53 else repr(value)
    return str(value)


def write_safe_csv(out, header: Sequence[str], rows: Iterable[Sequence]) -> None:
    """CSV with an empty field for null and formula-looking text neutralised (numbers stay numbers)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([excel_safe(h) for h in header])
    for row in rows:
        writer.writerow([excel_safe(v) if isinstance(v, str) else cell_text(v) for v in row])


def safe_csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    buffer = io.StringIO()
    write_safe_csv(buffer, header, rows)
    return buffer.getvalue()
