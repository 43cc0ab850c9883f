"""Typed exceptions. Each message says what went wrong and how to fix it.

A message may be a messages.Message, written once and rendered in the words of each interface:
`str()` is the command line's (the flag), `text_for(PAGE)` the Upload page's (its widget).
"""
from __future__ import annotations

from dataclasses import dataclass

CLI, PAGE = "cli", "page"
INTERFACES = (CLI, PAGE)


def text_for(text, interface: str) -> str:
    """Any message in the words of one interface: a messages.Message (or a reference inside one) renders
    itself; plain text is the same everywhere."""
    if hasattr(text, "text_for"):
        return text.text_for(interface)
    return "" if text is None else str(text)


class CxError(Exception):
    """Base class for every error cxmetrics raises on purpose. str() is the command line's wording."""

    def text_for(self, interface: str) -> str:
        """The message in the words of one interface (CLI or PAGE)."""
        return text_for(self.args[0], interface) if self.args else ""


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
    reason: str  # plain text or a Message

    def text_for(self, interface: str) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        shown = "" if self.value is None else f" (value {self.value[:80]!r})"
        return f"{where}: {text_for(self.reason, interface)}{shown}"

    def __str__(self) -> str:
        return self.text_for(CLI)


class ImportRefused(CxError):
    """The file was not imported; the store is unchanged. `problems` lists every problem found."""

    def __init__(self, message: str, problems: list[RowProblem] | None = None, *, total: int | None = None):
        self.problems = problems or []
        self.total = total if total is not None else len(self.problems)
        self.summary = message
        super().__init__(self.text_for(CLI))

    def text_for(self, interface: str) -> str:
        lines = [text_for(self.summary, interface)]
        for p in self.problems[:20]:
            lines.append(f"  - {p.text_for(interface)}")
        if self.total > 20:
            lines.append(f"  … and {self.total - 20} more problems")
        return "\n".join(lines)


class AlreadyImported(CxError):
    """The same file (by sha256) was imported before."""

    def __init__(self, message, import_id: int):
        self.import_id = import_id
        super().__init__(message)
