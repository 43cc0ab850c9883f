"""The interface language: one gettext catalogue per language, and the language of the current session.

Text that reaches a person is written in English in the code and marked: `_()` translates where the
text is used; `N_()` marks a registry's text (a metric's label, a setting's help) that is translated
where it is shown, with `_(value)`; `ngettext()` chooses a plural form (Russian has three).
`python scripts/i18n.py update` (Babel's extractor) collects the marked texts into `cxmetrics/locale/cxmetrics.pot`;
`cxmetrics/locale/ru/LC_MESSAGES/cxmetrics.po` is the Russian catalogue, a plain PO file any
translator's tool edits (README "Translations"; the glossary is docs/GLOSSARY.ru.md).

The language is per session: the app sets it at the start of every script run from the session's
switch (or the store's `language` setting), the command line from the setting. Identifiers, codes
and the command line's CSV and JSON stay English in every language.
"""
from __future__ import annotations

import gettext as _gettext
import io
import re
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Iterator

LANGUAGES: dict[str, str] = {"en": "English", "ru": "Русский"}  # each language in its own words
DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "cxmetrics"

_current: ContextVar[str | None] = ContextVar("cxmetrics_language", default=None)
_process_language = [DEFAULT_LANGUAGE]  # the command line's, set once from the store's setting
_translations: dict[str, _gettext.NullTranslations] = {}
_PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)[sd]")


def check_language(code: str) -> str:
    """The language code, trimmed and lower-cased, or ValueError naming the languages there are."""
    text = str(code).strip().lower()
    if text not in LANGUAGES:
        raise ValueError(f"unknown language {code!r}: use one of {', '.join(LANGUAGES)}")
    return text


def set_language(code: str) -> None:
    """The language of what follows in this thread of execution (a Streamlit script run, a command)."""
    _current.set(check_language(code))


def set_process_language(code: str) -> None:
    """The language wherever none was set for the running session (the command line's default)."""
    _process_language[0] = check_language(code)


def current_language() -> str:
    return _current.get() or _process_language[0]


@contextmanager
def use_language(code: str) -> Iterator[None]:
    """Text inside the block in `code`, whatever the session's language."""
    token = _current.set(check_language(code))
    try:
        yield
    finally:
        _current.reset(token)


def _load(code: str) -> _gettext.NullTranslations:
    """A language's catalogue, read once per process: the compiled .mo beside the PO file (written by
    `scripts/i18n.py update`, kept equal to the PO by tests/test_i18n.py), else the PO itself through Babel."""
    if code not in _translations:
        folder = LOCALE_DIR / code / "LC_MESSAGES"
        if code == DEFAULT_LANGUAGE or not (folder / f"{DOMAIN}.po").exists():
            _translations[code] = _gettext.NullTranslations()
        elif (folder / f"{DOMAIN}.mo").exists():
            with (folder / f"{DOMAIN}.mo").open("rb") as fh:
                _translations[code] = _gettext.GNUTranslations(fh)
        else:
            _translations[code] = _gettext.GNUTranslations(io.BytesIO(compile_po(folder / f"{DOMAIN}.po", code)))
    return _translations[code]


def compile_po(po: Path, code: str) -> bytes:
    """A PO file compiled to gettext's binary .mo form, with Babel's reader and writer."""
    from babel.messages.mofile import write_mo  # only when no compiled catalogue is at hand
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalog = read_po(fh, locale=code, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    return compiled.getvalue()


def translations(code: str | None = None) -> _gettext.NullTranslations:
    return _load(code or current_language())


def gettext(message: str) -> str:
    """`message` in the current language (itself when it has no translation, or is empty)."""
    if not message:
        return message
    code = current_language()
    return message if code == DEFAULT_LANGUAGE else _load(code).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for `n`, by the current language's plural rule (one, few, many in Russian)."""
    code = current_language()
    if code == DEFAULT_LANGUAGE:
        return singular if n == 1 else plural
    return _load(code).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` in the current language, told apart from the same English text in another `context`."""
    code = current_language()
    return message if code == DEFAULT_LANGUAGE else _load(code).pgettext(context, message)


def N_(message: str) -> str:
    """Marks a text for the catalogue without translating it: translated later, where it is shown."""
    return message


_ = gettext


def format_number(value: float, decimals: int = 0, sign: bool = False) -> str:
    """A number with thousands separators and `decimals` decimals, in the current language.

    English keeps Python's own formatting (1,234,567); another language takes its separators from Babel's data
    for its locale (Russian: 1 234 567 with a no-break space, a decimal comma), read once per language."""
    if round(value, decimals) == 0:  # no "-0.0"; a change that rounds to nothing carries no sign
        value = 0.0
    text = f"{value:+,.{decimals}f}" if sign and value else f"{value:,.{decimals}f}"
    code = current_language()
    if code == DEFAULT_LANGUAGE:
        return text
    group, decimal = _separators(code)
    return text.replace(",", "\0").replace(".", decimal).replace("\0", group)


@lru_cache(maxsize=None)
def _separators(code: str) -> tuple[str, str]:
    """(thousands, decimal) separators of a language, from Babel's locale data."""
    from babel.numbers import get_decimal_symbol, get_group_symbol  # only a session not in English needs them

    return get_group_symbol(code), get_decimal_symbol(code)


def placeholders(text: str) -> list[str]:
    """The str.format and %-placeholders of a text, sorted: a translation must keep exactly these."""
    return sorted(_PLACEHOLDER.findall(text))
