"""Exports saved as a web page under an Excel name: Bitrix24, amoCRM and many CRMs and PBX portals write their
"Excel" export as an HTML <table> in a file called .xls, which Excel opens but no workbook reader can. Read with
the standard library's HTML parser (html.parser: entities decoded, tags closed or not) into rows of cell text.
"""
from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser
from pathlib import Path

_HEAD_BYTES = 4096
_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def is_html_table(path: Path) -> bool:
    """Whether the file is markup holding a <table> (not a zip or OLE workbook): judged from its first bytes."""
    with open(path, "rb") as fh:
        head = fh.read(_HEAD_BYTES)
    text = head.lstrip(codecs.BOM_UTF8).lstrip()
    return text[:1] == b"<" and b"<table" in head.lower()


def html_encoding(path: Path, fallback: str) -> str:
    """The charset the page declares (<meta … charset=windows-1251>), else `fallback` (detected like a CSV's)."""
    with open(path, "rb") as fh:
        head = fh.read(_HEAD_BYTES)
    found = _CHARSET.search(head)
    if found:
        try:
            return codecs.lookup(found.group(1).decode("ascii")).name
        except LookupError:
            pass
    return fallback


def html_tables(text: str) -> list[list[list[str]]]:
    """Every <table> of the page as rows of cell text (th and td alike), in the order the tables open.

    A cell spanning columns (colspan) is followed by empty cells, so the columns below it stay in place; a line
    break inside a cell is a space; a table inside a cell is a table of its own."""
    parser = _TableParser()
    parser.feed(text)
    parser.close()
    return parser.tables


class _TableParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._open: list[int] = []  # indexes in self.tables of the tables open, innermost last
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._span = 1

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._end_cell()
            self.tables.append([])
            self._open.append(len(self.tables) - 1)
            self._row = None
        elif not self._open:
            return
        elif tag == "tr":
            self._end_row()
            self._row = []
            self.tables[self._open[-1]].append(self._row)
        elif tag in ("td", "th"):
            self._end_cell()
            if self._row is None:  # a cell outside any <tr>: a row of its own
                self._row = []
                self.tables[self._open[-1]].append(self._row)
            self._cell = []
            span = dict(attrs).get("colspan") or "1"
            self._span = int(span) if span.strip().isdigit() and 0 < int(span) < 1000 else 1
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr":
            self._end_row()
        elif tag == "table" and self._open:
            self._end_row()
            self._open.pop()
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def close(self):
        super().close()
        self._end_row()

    def _end_cell(self):
        if self._cell is not None and self._row is not None:
            self._row.append(_SPACES.sub(" ", "".join(self._cell)).strip())
            self._row.extend([""] * (self._span - 1))
        self._cell = None
        self._span = 1

    def _end_row(self):
        self._end_cell()
        self._row = None
