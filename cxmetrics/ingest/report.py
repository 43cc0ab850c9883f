"""The import report: counts, problems and warnings, as the CLI prints it and the Upload page shows it."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..errors import RowProblem


@dataclass
class ImportReport:
    """What one import (or dry run) did: rows read = imported + skipped + rejected."""
    import_id: int | None
    file_name: str
    kind: str
    source: str
    file: dict
    mapping: dict[str, list[str]]
    rows_read: int = 0
    rows_imported: int = 0
    rows_replaced: int = 0
    rows_skipped: int = 0
    rows_rejected: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    problem_count: int = 0
    warnings: list[str] = field(default_factory=list)
    new_channels: dict[str, int] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    unknown_customer_ids: int = 0
    unknown_statuses: dict[str, int] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)
    duplicate_rows: list[list[int]] = field(default_factory=list)  # [row, the identical earlier row] (aggregated)
    preview: object = None  # dry run only: the first parsed rows (a pandas frame)

    def as_dict(self) -> dict:
        """The report as JSON-ready data (the CLI's --json), without the preview frame."""
        out = {k: v for k, v in asdict(self).items() if k != "preview"}
        out["problems"] = [asdict(p) for p in self.problems]
        return out

    def text(self) -> str:
        """The import report as the CLI prints it."""
        f = self.file
        lines = [
            f"Imported {self.file_name} as import #{self.import_id} ({self.kind}, source {self.source!r})",
            f"  file: {f.get('format')}" + "".join(
                f", {k} {v!r}" for k, v in f.items() if k != "format" and v is not None),
            "  mapping: " + ", ".join(f"{k}={'+'.join(v)}" for k, v in self.mapping.items()),
            f"  read: {self.rows_read}",
            f"  imported: {self.rows_imported}",
            f"  replaced: {self.rows_replaced}",
            f"  skipped: {self.rows_skipped}",
            f"  rejected: {self.rows_rejected}" + (" (kept in quarantine)" if self.rows_rejected else ""),
        ]
        if self.duplicate_rows:
            shown = ", ".join(f"row {r} (= row {first})" for r, first in self.duplicate_rows[:20])
            lines.append(f"  duplicates, counted once: {len(self.duplicate_rows)}: {shown}"
                         + (" …" if len(self.duplicate_rows) > 20 else ""))
        if self.ignored_columns:
            lines.append("  columns not imported: " + ", ".join(self.ignored_columns))
        for slug, count in self.new_channels.items():
            lines.append(f"  new channel {slug!r}: {count} contacts (not one of the standard channels)")
        if self.unknown_customer_ids:
            lines.append(f"  customer ids meaning 'not identified' (e.g. 0), stored as empty: "
                         f"{self.unknown_customer_ids}")
        for w in self.warnings:
            lines.append(f"  warning: {w}")
        for p in self.problems[:50]:
            lines.append(f"  rejected: {p}")
        if self.problem_count > 50:
            lines.append(f"  … {self.problem_count - 50} more problems (see `quarantine --import "
                         f"{self.import_id}`)")
        return "\n".join(lines)


def ignored_columns(headers: list[str], mapping: dict[str, list[str]]) -> list[str]:
    """The file's columns that feed no field ("columns not imported")."""
    return [h for h in headers if not any(h in cols for cols in mapping.values())]
