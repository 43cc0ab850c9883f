"""Typed exceptions. Each message says what went wrong and how to fix it.

A message is written once (`Message`) and names the import options it suggests by reference
(`ControlRef`, one of schema.IMPORT_CONTROLS); each interface renders it in its own words:
`str()` is the command line's (the flag), `text_for(PAGE)` the Upload page's (its widget).
"""
from __future__ import annotations

from dataclasses import dataclass

from .schema import FIELD_LABELS, IMPORT_CONTROLS

CLI, PAGE = "cli", "page"
INTERFACES = (CLI, PAGE)


class ControlRef:
    """One import control named in a message, with its arguments (e.g. ControlRef("map", field="channel"))."""

    def __init__(self, control_id: str, **args):
        if control_id not in IMPORT_CONTROLS:
            raise KeyError(f"{control_id!r} is not one of schema.IMPORT_CONTROLS")
        self.control_id = control_id
        self.args = args

    def text_for(self, interface: str) -> str:
        if interface not in INTERFACES:
            raise ValueError(f"interface must be one of {', '.join(INTERFACES)}, not {interface!r}")
        control = IMPORT_CONTROLS[self.control_id]
        args = {**dict(control.defaults), **self.args}
        if "field" in args:
            args.setdefault("label", FIELD_LABELS.get(args["field"], args["field"]))
        return getattr(control, interface).format(**args)

    def __str__(self) -> str:
        return self.text_for(CLI)

    def __repr__(self) -> str:
        return f"ControlRef({self.control_id!r}, **{self.args!r})"


class FieldRef:
    """A canonical field named in a message: its id on the command line, its label on the pages."""

    def __init__(self, name: str):
        self.name = name

    def text_for(self, interface: str) -> str:
        return self.name if interface == CLI else f"'{FIELD_LABELS.get(self.name, self.name)}'"

    def __str__(self) -> str:
        return self.text_for(CLI)


class Message(str):
    """Text written once as a str.format template; its ControlRef and FieldRef values render per interface.

    As a str it is the command line's wording, so it prints, compares and serialises like plain text.
    """

    def __new__(cls, template: str, **values):
        text = super().__new__(cls, _fill(template, values, CLI))
        text.template, text.values = template, values
        return text

    def text_for(self, interface: str) -> str:
        return _fill(self.template, self.values, interface)

    def __reduce__(self):  # pickled (the page's cache) and deep-copied (dataclasses.asdict) with its values
        return _rebuild_message, (self.template, self.values)


def _rebuild_message(template: str, values: dict) -> Message:
    return Message(template, **values)


_PER_INTERFACE = (Message, ControlRef, FieldRef)


def _fill(template: str, values: dict, interface: str) -> str:
    return template.format(**{k: text_for(v, interface) if isinstance(v, _PER_INTERFACE) else v
                              for k, v in values.items()})


def text_for(text, interface: str) -> str:
    """Any message (a Message, a ControlRef, a FieldRef or plain text) in the words of one interface."""
    if isinstance(text, _PER_INTERFACE):
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

    def __init__(self, file_name: str, import_id: int, imported_on: str):
        self.import_id = import_id
        super().__init__(Message("{file}: already imported on {date} as import #{import_id}. Import it again {force}.",
                                 file=file_name, date=imported_on, import_id=import_id,
                                 force=ControlRef("force", import_id=import_id)))
