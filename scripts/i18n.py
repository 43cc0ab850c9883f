"""The message catalogue's upkeep, with Babel's own extractor and PO reader/writer.

    python scripts/i18n.py update   # extract the marked texts; add new ones to every language's PO file,
                                    # and compile each PO file to the .mo the app reads
    python scripts/i18n.py check    # list texts without a translation, or whose placeholders differ

`update` also takes the entries of any PO file in i18n_parts/ (work in progress of several
translators at once) into the catalogue, over what it held; delete the parts once merged.
"""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from cxmetrics.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, DEFAULT_LANGUAGE, compile_po, placeholders  # noqa: E402

KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "Message": None, "PluralMessage": (1, 2)}
SOURCES = ("cxmetrics", "pages", "app.py")
PARTS = ROOT / "i18n_parts"


def extracted() -> Catalog:
    """Every marked text of the sources, with where it is used."""
    catalog = Catalog(domain=DOMAIN, project="cxmetrics", charset="utf-8")
    for source in SOURCES:
        path = ROOT / source
        directory, pattern = (path, "**.py") if path.is_dir() else (path.parent, path.name)
        for filename, lineno, message, comments, context in extract_from_dir(
                str(directory), method_map=[(pattern, "python")], keywords=KEYWORDS, strip_comment_tags=True):
            if source == "app.py" and filename != "app.py":
                continue
            location = (str((directory / filename).relative_to(ROOT)), lineno)
            catalog.add(message, locations=[location], auto_comments=comments, context=context)
    return catalog


def po_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(path: Path, code: str) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=code, domain=DOMAIN)


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return all(strings) and bool(strings)


def update() -> None:
    template = extracted()
    LOCALE_DIR.mkdir(parents=True, exist_ok=True)
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("wb") as fh:
        write_po(fh, template, width=100, sort_output=True, omit_header=False)
    parts = [read_catalog(p, "ru") for p in sorted(PARTS.glob("*.po"))] if PARTS.exists() else []
    for code in LANGUAGES:
        if code == DEFAULT_LANGUAGE:
            continue
        path = po_path(code)
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = read_catalog(path, code) if path.exists() else Catalog(locale=code, domain=DOMAIN)
        for part in parts:
            for message in part:
                if message.id and _translated(message):
                    existing = catalog.get(message.id, message.context)
                    if existing is None:
                        catalog.add(message.id, message.string, context=message.context)
                    else:
                        existing.string = message.string  # a part is newer work (Catalog.add would keep the old)
        catalog.update(template, no_fuzzy_matching=True)
        with path.open("wb") as fh:
            write_po(fh, catalog, width=100, sort_output=True, ignore_obsolete=True, include_previous=False)
        path.with_suffix(".mo").write_bytes(compile_po(path, code))  # what the app reads at run time
        missing = problems(code)
        print(f"{path.relative_to(ROOT)}: {len(template)} texts, {len(missing)} problems")


def problems(code: str) -> list[str]:
    """Each text of the sources without a translation in `code`, or whose translation changes the placeholders."""
    catalog = read_catalog(po_path(code), code)
    found = []
    for message in extracted():
        if not message.id:
            continue
        entry = catalog.get(message.id, message.context)
        where = ", ".join(f"{f}:{n}" for f, n in message.locations[:2])
        if entry is None or not _translated(entry) or entry.fuzzy:
            found.append(f"{where}: no translation of {message.id!r}")
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else [message.id]
        strings = entry.string if isinstance(entry.string, (list, tuple)) else [entry.string]
        wanted = placeholders(ids[-1])  # every plural form keeps the plural's placeholders (Russian uses "one" for 21)
        for string in strings:
            if placeholders(string) != wanted:
                found.append(f"{where}: the translation of {message.id!r} has placeholders "
                             f"{placeholders(string)}, not {wanted}")
    return found


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"]:
        update()
        return 0
    if argv[:1] == ["check"]:
        bad = [line for code in LANGUAGES if code != DEFAULT_LANGUAGE for line in problems(code)]
        print("\n".join(bad) or "every text has its translation")
        return 1 if bad else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
