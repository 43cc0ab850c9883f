"""Typed exceptions. Each message says what went wrong and how to fix it."""
from __future__ import annotations

from dataclasses import dataclass


class CxError(Exception):
    """Base class for every error cxmetrics raises on purpose."""


class UsageError(CxError):
    """The request itself is wrong (unknown option value, missing argument)."""


class StoreBusyError(CxError):
    """Another process holds the store file."""


@dataclass
class RowProblem:
    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        shown = "" if self.value is None else f" (value {self.value[:80]!r})"
        return f"{where}: {self.reason}{shown}"


class ImportRefused(CxError):
    """The file was not imported; the store is unchanged. `problems` lists every problem found."""

    def __init__(self, message: str, problems: list[RowProblem] | None = None, *, total: int | None = None):
        self.problems = problems or []
        self.total = total if total is not None else len(self.problems)
        lines = [message]
        for p in self.problems[:20]:
            lines.append(f"  - {p}")
        if self.total > 20:
            lines.append(f"  … and {self.total - 20} more problems")
        super().__init__("\n".join(lines))
        self.summary = message


class AlreadyImported(CxError):
    """The same file (by sha256) was imported before."""

    def __init__(self, file_name: str, import_id: int, imported_on: str):
        self.import_id = import_id
        super().__init__(
            f"{file_name}: already imported on {imported_on} as import #{import_id}. "
            "Use --force to import it again (its contacts replace the stored ones)."
        )
