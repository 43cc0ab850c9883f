"""Typed exceptions. Each message says what went wrong and how to fix it.

A message may be a messages.Message, written once and rendered in the words of each interface:
`str()` is the command line's (the flag), `text_for(PAGE)` the Upload page's (its widget).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .i18n import DEFAULT_LANGUAGE, _, current_language

CLI, PAGE = "cli", "page"
INTERFACES = (CLI, PAGE)

# Row problem reasons are stored in English (the quarantine, the CLI's CSV files) and shown in the session's
# language: each is written from a template registered here (row_reason), and translated_reason() reads the
# stored text back into its template and values.
_REASONS: dict[str, tuple[re.Pattern, tuple[str, ...]]] = {}
_PLACEHOLDER = re.compile(r"\{(\w+)(![rsa])?(:[^{}]*)?\}")


def row_reason(template: str, translate: tuple[str, ...] = ()) -> str:
    """Registers the English template (marked N_()) of a row problem's reason and returns it; `translate` names the
    placeholders whose values are themselves marked texts (translated with the reason)."""
    if template not in _REASONS:
        parts, at = [], 0
        for match in _PLACEHOLDER.finditer(template):
            parts.append(re.escape(template[at:match.start()]))
            parts.append(f"(?P<{match.group(1)}>.+?)")
            at = match.end()
        parts.append(re.escape(template[at:]))
        _REASONS[template] = (re.compile("".join(parts), re.DOTALL), tuple(translate))
    return template


def translated_reason(text):
    """A stored reason (or several joined with '; ', as the quarantine keeps them) in the current language;
    text that matches no registered template is returned as it is."""
    if not isinstance(text, str) or hasattr(text, "text_for") or current_language() == DEFAULT_LANGUAGE:
        return text
    return _translate(text, current_language(), len(_REASONS))


@functools.lru_cache(maxsize=4096)
def _translate(text: str, language: str, registered: int) -> str:
    """`text` in `language` (the current one; with the number of templates, part of the cache's key): the longest
    run of its '; '-separated parts that is one reason is translated at a time (a reason may hold '; ' itself)."""
    parts, out, i = text.split("; "), [], 0
    while i < len(parts):
        for j in range(len(parts), i, -1):
            translated = _translate_one("; ".join(parts[i:j]))
            if translated is not None:
                out.append(translated)
                i = j
                break
        else:
            out.append(parts[i])
            i += 1
    return "; ".join(out)


def _translate_one(text: str) -> str | None:
    if text in _REASONS and not _REASONS[text][1]:
        return _(text)
    for template, (pattern, translate) in sorted(_REASONS.items(), key=lambda item: -len(item[0])):
        match = pattern.fullmatch(text)
        if match:
            values = {k: _(v) if k in translate else v for k, v in match.groupdict().items()}
            return _PLACEHOLDER.sub(lambda m: values[m.group(1)], _(template))
    return None


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
            where = _("{place}, row {row}").format(place=where, row=self.row)
        if self.column:
            where = _("{place}, column {column!r}").format(place=where, column=self.column)
        reason = text_for(translated_reason(self.reason), interface)
        if self.value is not None:
            reason = _("{reason} (value {value!r})").format(reason=reason, value=self.value[:80])
        return f"{where}: {reason}"

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
            lines.append(_("  … and {n} more problems").format(n=self.total - 20))
        return "\n".join(lines)


class AlreadyImported(CxError):
    """The same file (by sha256) was imported before."""

    def __init__(self, message, import_id: int):
        self.import_id = import_id
        super().__init__(message)
