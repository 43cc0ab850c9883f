"""The import report: counts, problems and warnings, as the CLI prints it and the Upload page shows it."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..errors import CLI, RowProblem, text_for
from ..i18n import _


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
        """The import report as the CLI prints it (its words in the current language; ids and codes as they are)."""
        f = self.file
        lines = [
            _("Imported {file} as import #{import_id} ({kind}, source {source!r})").format(
                file=self.file_name, import_id=self.import_id, kind=self.kind, source=self.source),
            _("  file: {format}").format(format=f.get("format")) + "".join(
                f", {k} {v!r}" for k, v in f.items() if k != "format" and v is not None),
            _("  mapping: {mapping}").format(mapping=", ".join(f"{k}={'+'.join(v)}" for k, v in self.mapping.items())),
            _("  read: {n}").format(n=self.rows_read),
            _("  imported: {n}").format(n=self.rows_imported),
            _("  replaced: {n}").format(n=self.rows_replaced),
            _("  skipped: {n}").format(n=self.rows_skipped),
            (_("  rejected: {n} (kept in quarantine)") if self.rows_rejected else _("  rejected: {n}"))
            .format(n=self.rows_rejected),
        ]
        if self.duplicate_rows:
            shown = ", ".join(_("row {row} (= row {first})").format(row=r, first=first)
                              for r, first in self.duplicate_rows[:20])
            lines.append(_("  duplicates, counted once: {n}: {rows}").format(n=len(self.duplicate_rows), rows=shown)
                         + (" …" if len(self.duplicate_rows) > 20 else ""))
        if self.ignored_columns:
            lines.append(_("  columns not imported: {columns}").format(columns=", ".join(self.ignored_columns)))
        for slug, count in self.new_channels.items():
            lines.append(_("  new channel {slug!r}: {count} contacts (not one of the standard channels)")
                         .format(slug=slug, count=count))
        if self.unknown_customer_ids:
            lines.append(_("  customer ids meaning 'not identified' (e.g. 0), stored as empty: {n}")
                         .format(n=self.unknown_customer_ids))
        for w in self.warnings:
            lines.append(_("  warning: {warning}").format(warning=text_for(w, CLI)))
        for p in self.problems[:50]:
            lines.append(_("  rejected: {problem}").format(problem=p.text_for(CLI)))
        if self.problem_count > 50:
            lines.append(_("  … {n} more problems (see `quarantine --import {import_id}`)")
                         .format(n=self.problem_count - 50, import_id=self.import_id))
        return "\n".join(lines)


def ignored_columns(headers: list[str], mapping: dict[str, list[str]]) -> list[str]:
    """The file's columns that feed no field ("columns not imported")."""
    return [h for h in headers if not any(h in cols for cols in mapping.values())]
