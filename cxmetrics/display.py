"""How numbers, states, statuses and channels look, declared once for pages, charts, the CLI and the workbook.

Every state is written with a word and a symbol besides its colour, so it reads without colour.
Colours are Okabe–Ito, distinguishable with every common colour-vision deficiency. Every file
written for people (CSV, workbook text) is safe to open in Excel.
"""
from __future__ import annotations

import copy
import csv
import io
import math
from dataclasses import dataclass
from collections.abc import Mapping
from functools import lru_cache
from html import escape
from typing import Callable, Iterable, Sequence

from .i18n import N_, _, current_language, format_number  # noqa: F401 (format_number: pages read it here)
from .metrics import METRICS
from .schema import CHANNELS


# -- numbers ---------------------------------------------------------------------------------------------
# English keeps Python's own formatting; another language formats through Babel's data for its locale
# (Russian: 1 234 567, 81,2 %, a narrow no-break space between thousands).
def _english() -> bool:
    return current_language() == "en"


def format_duration(seconds: float | None) -> str:
    """mm:ss, or h:mm:ss past an hour (Russian: m:ss, as a stopwatch reads)."""
    if _missing(seconds):
        return "–"
    total = int(round(seconds))
    sign = "-" if total < 0 else ""
    hours, rest = divmod(abs(total), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
    return f"{sign}{minutes:02d}:{secs:02d}" if _english() else f"{sign}{minutes}:{secs:02d}"


# Tick steps of a duration axis: whole seconds, minutes and hours a clock reads (d3 would tick at 10,000 s: 2:46:40)
_DURATION_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200)
DURATION_TICKS = 6


def duration_ticks(highest: float) -> list[int]:
    """The ticks of a duration axis from 0 to at least `highest` seconds: at most DURATION_TICKS steps of a clock
    unit (15 s, 5 min, 1 h…), never below 0:00:01 apart."""
    if _missing(highest) or highest <= 0:
        return [0, 1]
    step = next((s for s in _DURATION_STEPS if highest / s <= DURATION_TICKS),
                86400 * max(1, math.ceil(highest / 86400 / DURATION_TICKS)))
    return list(range(0, int(math.ceil(highest / step)) * step + 1, step))


# The ticks of a duration axis on a log scale: a clock's landmarks from ten seconds to days (no 0: on the symlog
# axis it lies about 17 px under 0:10 and the two labels overprinted)
_LOG_DURATION_TICKS = (10, 60, 600, 3600, 36000, 86400, 864000)


def log_duration_ticks(highest: float) -> list[int]:
    """Ticks of a symlog duration axis up to the first landmark at or above `highest` seconds."""
    last = next((i for i, t in enumerate(_LOG_DURATION_TICKS) if t >= highest), len(_LOG_DURATION_TICKS) - 1)
    return list(_LOG_DURATION_TICKS[:max(last, 1) + 1])


def _percent(value: float) -> str:
    return f"{value:.1f}%" if _english() else format_number(value, 1) + "\u00a0%"


def _points(delta: float, sign: bool = True) -> str:
    if _english():
        number = format_number(delta, 1, sign=sign)
        return f"{number} pts" if sign else f"{number} points"
    return format_number(delta, 1, sign=sign) + "\u00a0" + _("pts")


@dataclass(frozen=True)
class Format:
    """Everything that depends on a metric's display format (Metric.fmt), in one row."""
    value: Callable[[float], str]      # page and table text
    delta: Callable[[float], str]      # a change, signed
    axis: str                          # d3 format of a chart axis
    unit_text: str                     # a chart axis title (English, marked N_())
    excel: str                         # the workbook's number format
    excel_delta_text: str              # the workbook's format of a change (its unit word is translated)
    change: Callable[[float], str]     # the size of a change in a sentence ("4.9 points", "00:15")
    excel_divisor: float = 1.0         # Excel stores percentages as fractions and durations as days
    axis_labels: str | None = None     # a Vega labelExpr when the d3 format cannot say it (m:ss)
    scheme: str = "viridis"            # a heatmap's colour scheme

    @property
    def unit(self) -> str:
        return _(self.unit_text)

    @property
    def excel_delta(self) -> str:
        return self.excel_delta_text.replace('" pts"', '" ' + _("pts") + '"').replace('" s"', '" ' + _("s") + '"')


# In UTC (a browser's own zone would shift the minutes where it is not a whole hour from UTC), hours past a day kept
_MINUTES_SECONDS = ("datum.value >= 3600 ? floor(datum.value / 3600) + utcFormat(datum.value * 1000, ':%M:%S') "
                    ": utcFormat(datum.value * 1000, '%-M:%S')")


# An NPS axis as the values read: +50, 0, −50 (d3's "+" format writes "+0")
_SIGNED_EXCEPT_ZERO = "(datum.value > 0 ? '+' : '') + format(datum.value, ',.0f')"


def _signed_duration(delta: float) -> str:
    """A change of a time: +0:29 or -0:29. One under half a second in tenths ("+0.4 s"): ASA 30.4 s misses a
    30 s target, and "0:30 against 0:30, gap 0:00, missed" read as a mistake. Under 0.05 s: 0:00, no sign."""
    seconds = round(delta)
    if seconds == 0 and round(delta, 1) != 0:
        return format_number(delta, 1, sign=True) + "\u00a0" + _("s")
    return ("+" if seconds > 0 else "-" if seconds < 0 else "") + format_duration(abs(seconds))


def _score_change(d: float) -> str:
    return f"{d:.2f} points" if _english() else format_number(d, 2) + "\u00a0" + _("points")


def _nps_change(d: float) -> str:
    return f"{d:.1f} points" if _english() else format_number(d, 1) + "\u00a0" + _("points")


FORMATS = {
    "pct": Format(_percent, _points, ".0f", N_("%"), "0.0%",
                  '+0.0" pts";-0.0" pts";0.0" pts"', lambda d: _points(d, sign=False), 100.0),
    "duration": Format(format_duration, lambda d: _signed_duration(d), ",.0f",
                       N_("m:ss"), "[h]:mm:ss", '+#,##0" s";-#,##0" s";0" s"', format_duration, 86400.0,
                       axis_labels=_MINUTES_SECONDS),
    "count": Format(lambda v: format_number(v), lambda d: format_number(d, sign=True), ",.0f", N_("contacts"),
                    "#,##0", "+#,##0;-#,##0;0", lambda d: format_number(d), scheme="blues"),
    "score": Format(lambda v: format_number(v, 2), lambda d: format_number(d, 2, sign=True), ".1f", N_("score"),
                    "0.00", "+0.00;-0.00;0.00", _score_change),
    "nps": Format(lambda v: format_number(v, 1, sign=True), lambda d: format_number(d, 1, sign=True), "+.0f",
                  N_("NPS"), "+0.0;-0.0;0.0", "+0.0;-0.0;0.0", _nps_change, axis_labels=_SIGNED_EXCEPT_ZERO),
}


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value) in ("nan", "NaT", "<NA>")


def metric_format(metric_id: str) -> Format:
    return FORMATS[METRICS[metric_id].fmt]


# What a page shows for no value: in a metric's place, and in a grid's empty cell (st.dataframe and st.data_editor
# otherwise write Python's "None", in English, in every language)
MISSING = "–"


def format_value(metric_id: str, value: float | None) -> str:
    """Display text: rates with one decimal, times as mm:ss, counts with thousands separators."""
    return MISSING if _missing(value) else metric_format(metric_id).value(value)


# An import's kind as the pages word it (the import history, Data quality's import log)
IMPORT_KIND_WORDS = {"contacts": N_("contacts"), "customers": N_("customers"), "aggregated": N_("aggregated report"),
                     "scores": N_("survey scores")}


def import_kind_word(kind: str) -> str:
    """"contacts", "aggregated report" … in the session's language (an unknown code as it is)."""
    return _(IMPORT_KIND_WORDS[kind]) if kind in IMPORT_KIND_WORDS else kind


def short_number(value: float) -> str:
    """A setting's number as written ("30", "20.5"; Russian with a decimal comma)."""
    return f"{value:g}" if _english() else f"{value:g}".replace(".", ",")


def tolerance_text(value: float) -> str:
    """A tolerance as "5%" (Russian «5 %»)."""
    return f"{value:g}%" if _english() else short_number(value) + "\u00a0%"


def target_text(metric_id: str, target: float, tolerance_pct: float | None = None) -> str:
    """A target as the state reads it: "≤ 6:00" for a time, "≥ 80.0%" for a rate that should be high, with the
    tolerance on the side it widens ("≤ 6:00 (+10% tolerance)"); a band (volume against plan) "1,000 ± 10%". Each
    part joined by no-break spaces, so a tile never leaves "10 %" alone on a line."""
    direction = METRICS[metric_id].direction
    text = {"higher": "≥\u00a0", "lower": "≤\u00a0"}.get(direction, "") + format_value(metric_id, target)
    if tolerance_pct:
        pct = tolerance_text(tolerance_pct)
        allowance = {"higher": "−", "lower": "+"}.get(direction, "±") + pct
        text = (f"{text}\u00a0±\u00a0{pct}" if direction == "band" else
                _("{target} ({allowance} tolerance)").format(target=text, allowance=allowance).replace(" ", "\u00a0"))
    return text


def format_delta(metric_id: str, delta: float | None) -> str | None:
    """A change of the metric as display text (None when unknown)."""
    return None if _missing(delta) else metric_format(metric_id).delta(delta)


def excel_number(metric_id: str, value):
    """A metric value as Excel stores it: percentages as fractions, durations as days."""
    return None if value is None else value / metric_format(metric_id).excel_divisor


# -- text safe for spreadsheets ---------------------------------------------------------------------------
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(value):
    """Text that a spreadsheet would run as a formula is prefixed with ' (OWASP's advice).

    Numbers stay numbers; only text cells are touched.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
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
    """write_safe_csv into a string."""
    buffer = io.StringIO()
    write_safe_csv(buffer, header, rows)
    return buffer.getvalue()


# -- states, statuses, channels -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Look:
    word_text: str     # English, marked N_(): `word` is it in the session's language
    icon: str
    colour: str        # chart and cell background
    text_colour: str   # text on that background
    badge: str         # Streamlit markdown colour name
    fill: str          # Excel fill (the workbook's lighter tint)

    @property
    def word(self) -> str:
        return _(self.word_text)


# Month states (spec §4); None is "no target in force".
STATE_LOOKS: dict[str | None, Look] = {
    "met": Look(N_("Met"), "✔", "#0072B2", "white", "blue", "DCE9F5"),
    "met_within_tolerance": Look(N_("Met within tolerance"), "±", "#E69F00", "black", "orange", "FDE9C8"),
    "missed": Look(N_("Missed"), "✖", "#D55E00", "white", "red", "F8D0C0"),
    "no_data": Look(N_("No data"), "–", "#BBBBBB", "black", "gray", "E7E7E7"),
    "not_measured": Look(N_("Not measured"), "○", "#F0F0F0", "#555555", "violet", "F4F4F4"),
    "not_loaded": Look(N_("Not loaded yet"), "…", "#FFFFFF", "#777777", "gray", "FFFFFF"),
    None: Look(N_("No target"), "", "#FFFFFF", "black", "gray", "FFFFFF"),
}
# Rolling-rule statuses (spec §4).
STATUS_LOOKS: dict[str, Look] = {
    "compliant": Look(N_("Compliant"), "✔", "#0072B2", "white", "blue", "DCE9F5"),
    "at_risk": Look(N_("At risk"), "!", "#E69F00", "black", "orange", "FDE9C8"),
    "breached": Look(N_("Breached"), "✖", "#D55E00", "white", "red", "F8D0C0"),
    "insufficient_history": Look(N_("Insufficient history"), "…", "#BBBBBB", "black", "gray", "E7E7E7"),
    "not_measured": Look(N_("Not measured"), "○", "#F0F0F0", "#555555", "violet", "F4F4F4"),
}


class _Words(Mapping):
    """State or status → its word in the session's language (looked up when read, not when imported)."""

    def __init__(self, looks: dict):
        self._looks = looks

    def __getitem__(self, key) -> str:
        return self._looks[key].word

    def __iter__(self):
        return iter(self._looks)

    def __len__(self) -> int:
        return len(self._looks)


STATE_WORDS = _Words(STATE_LOOKS)
STATE_ICONS = {state: look.icon for state, look in STATE_LOOKS.items()}
STATUS_WORDS = _Words(STATUS_LOOKS)


def state_legend() -> str:
    """Every month state's symbol and word, for a caption under a table of states."""
    return " · ".join(f"{look.icon} {look.word.lower()}" for state, look in STATE_LOOKS.items() if state is not None)

CHANNEL_COLOURS = {"voice": "#0072B2", "chat": "#E69F00", "messaging": "#009E73", "email": "#CC79A7",
                   "social": "#56B4E9", "video": "#D55E00", "back_office": "#000000"}
OTHER_CHANNEL_COLOUR = "#999999"



CHANNEL_NAMES = {"voice": N_("Voice"), "chat": N_("Chat"), "messaging": N_("Messaging"), "email": N_("Email"),
                 "social": N_("Social"), "video": N_("Video"), "back_office": N_("Back office")}


def channel_name(channel: str) -> str:
    """A channel slug as people read it: back_office → Back office (Бэк-офис); '*' → every channel.

    A channel of the user's own (a new slug from their export) is shown as written, capitalised."""
    if channel == "*":
        return _("Every channel (*)")
    if channel in CHANNEL_NAMES:
        return _(CHANNEL_NAMES[channel])
    return channel.replace("_", " ").capitalize()


def channel_colour(channel: str) -> str:
    return CHANNEL_COLOURS.get(channel, OTHER_CHANNEL_COLOUR)


def state_text(state: str | None, value_text: str = "", compact: bool = False) -> str:
    """A cell: symbol, then the value; the state's word when there is no value to show (only the symbol when
    `compact`, for narrow month columns whose legend spells the symbols out)."""
    look = STATE_LOOKS[state]
    if state in ("not_measured", "not_loaded") or not value_text or value_text == "–":
        return look.icon if compact and state is not None else f"{look.icon} {look.word}".strip()
    return f"{look.icon} {value_text}".strip()


def cell_style(state) -> str:
    """CSS for a table cell holding a month state (blank for a cell that is not counted)."""
    if not isinstance(state, str) or state not in STATE_LOOKS:
        return ""
    look = STATE_LOOKS[state]
    return f"background-color: {look.colour}; color: {look.text_colour}"


def ordered_channels(present) -> list[str]:
    """Standard channels in their order, then any other channel alphabetically."""
    present = set(present)
    return [c for c in CHANNELS if c in present] + sorted(c for c in present if c not in CHANNELS)


# -- months, quarters, weekdays, a chart's locale ---------------------------------------------------------------
def month_label(month: str, short: bool = False) -> str:
    """A YYYY-MM month as a person reads it: English keeps the code ("2026-03", as the pages always showed it);
    Russian «март 2026» (the nominative, Babel's "LLLL y"), or «мар. 2026» when `short` (narrow table columns)."""
    if _english() or not month:
        return month
    return _babel_date(current_language(), int(month[:4]), int(month[5:7]), "LLL y" if short else "LLLL y")


def quarter_label(quarter: str) -> str:
    """A YYYYQn quarter as a person reads it: English keeps the code ("2026Q1"); Russian «1-й кв. 2026»."""
    if _english() or not quarter:
        return quarter
    year, q = int(quarter[:4]), int(quarter[-1])
    return _babel_date(current_language(), year, 3 * q - 2, "QQQ y")


@lru_cache(maxsize=4096)
def _babel_date(language: str, year: int, month: int, pattern: str) -> str:
    """A month's first day in a Babel date pattern: tables and charts ask for the same few months again and again."""
    import datetime as dt

    from babel.dates import format_date  # only a session that is not in English needs Babel's dates

    return format_date(dt.date(year, month, 1), pattern, locale=language)


def day_label(day: str) -> str:
    """A YYYY-MM-DD day as a person reads it: English keeps the code; Russian 24.11.2026."""
    if _english() or len(str(day)) != 10:
        return str(day)
    return f"{day[8:10]}.{day[5:7]}.{day[:4]}"


_WEEKDAYS_EN = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def weekday_names() -> list[str]:
    """Monday to Sunday, abbreviated, in the session's language (Mon … Sun; пн … вс)."""
    if _english():
        return list(_WEEKDAYS_EN)
    from babel.dates import get_day_names

    names = get_day_names("abbreviated", "stand-alone", locale=current_language())
    return [names[i] for i in range(7)]


def chart_locale() -> dict | None:
    """A Vega-Lite `config.locale` for the session's language (None in English: Vega's own defaults).

    Numbers with a decimal comma and no-break spaces between thousands; month and day names from Babel (the
    nominative, as an axis label stands alone)."""
    if _english():
        return None
    return copy.deepcopy(_chart_locale(current_language()))  # a copy: each chart spec owns its dict


@lru_cache(maxsize=None)
def _chart_locale(code: str) -> dict:
    from babel.dates import get_day_names, get_month_names

    days = get_day_names("wide", "stand-alone", locale=code)
    short_days = get_day_names("abbreviated", "stand-alone", locale=code)
    months = get_month_names("wide", "stand-alone", locale=code)
    short_months = get_month_names("abbreviated", "stand-alone", locale=code)
    sunday_first = [6, 0, 1, 2, 3, 4, 5]  # d3 lists the days from Sunday
    return {"number": {"decimal": ",", "thousands": "\u00a0", "grouping": [3], "currency": ["", "\u00a0₽"]},
            "time": {"dateTime": "%A, %e %B %Y г. %X", "date": "%d.%m.%Y", "time": "%H:%M:%S",
                     "periods": ["AM", "PM"],
                     "days": [days[i] for i in sunday_first], "shortDays": [short_days[i] for i in sunday_first],
                     "months": [months[i] for i in range(1, 13)],
                     "shortMonths": [short_months[i] for i in range(1, 13)]}}


# -- KPI tiles as one HTML grid ---------------------------------------------------------------------------------------
# Text colours for the state words, after Streamlit's markdown colours (readable on a light or a dark page).
_BADGE_TEXT = {"blue": "#1c83e1", "orange": "#e2660c", "red": "#ff4b4b", "gray": "#808495", "violet": "#803df5",
               "green": "#21c354"}
_TILE_CSS = """<style>
.cx-tiles{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:1rem;margin:0 0 .5rem 0}
@media (max-width:640px){.cx-tiles{grid-template-columns:repeat(2,minmax(0,1fr))}}
.cx-tile{border:1px solid rgba(128,132,149,.3);border-radius:.5rem;padding:.9rem 1rem .8rem 1rem;min-width:0}
.cx-tile-label{font-size:.875rem;line-height:1.4;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.cx-tile-label abbr{text-decoration:none;cursor:help;opacity:.6;margin-left:.35rem;display:inline-flex;
 align-items:center;justify-content:center;width:.9rem;height:.9rem;border:1.5px solid currentColor;
 border-radius:50%;font-size:.62rem;font-weight:600;vertical-align:.05rem}
.cx-tile-value{font-size:2.25rem;line-height:1.3;padding:.1rem 0 .15rem 0;white-space:nowrap;overflow:hidden;
 text-overflow:ellipsis}
.cx-tile-delta{display:inline-block;font-size:.8rem;border-radius:1rem;padding:.05rem .5rem;min-height:1.2rem}
.cx-delta-good{color:#158237;background:rgba(33,195,84,.12)}
.cx-delta-bad{color:#d12e2e;background:rgba(255,75,75,.12)}
.cx-delta-off{color:#808495;background:rgba(128,132,149,.12)}
.cx-tile-state{font-size:.95rem;margin-top:.9rem;line-height:1.4}
.cx-muted{color:#808495}
</style>"""


def tiles_html(tiles: Iterable) -> str:
    """One channel's KPI tiles (views.Tile) as one HTML grid, four to a row: label with its definition on hover,
    value, change against the previous month (green when the change is good, red when bad, grey when neither),
    and the state in words with the target.

    One element instead of three per tile and a column grid around them: Streamlit sends and hashes every element
    on every rerun, and the Overview's 56 tiles were most of its elements (the bound of many sessions at once).
    Every text is escaped: channel and queue names come from the user's files."""
    cells = []
    for t in tiles:
        delta = ""
        if t.delta_text:
            arrow = {"-": "↓", "+": "↑"}.get(t.delta_text[:1], "")
            # a change that rounds to nothing ("0.0 pts") has no arrow and is neither good nor bad
            tone = "off" if t.delta_good is None or not arrow else ("good" if t.delta_good else "bad")
            delta = f'<span class="cx-tile-delta cx-delta-{tone}">{arrow} {escape(t.delta_text)}</span>'
        if t.state:
            look = STATE_LOOKS[t.state]
            colour = _BADGE_TEXT.get(look.badge, "inherit")
            state = (f'<span style="color:{colour}">{escape(look.icon)} {escape(look.word)}</span> · '
                     f'{escape(t.target_text)}')
        else:
            state = f'<span class="cx-muted">{escape(_("No target"))}</span>'
        cells.append(
            f'<div class="cx-tile" data-metric="{escape(t.metric)}">'
            f'<div class="cx-tile-label">{escape(t.label)}<abbr title="{escape(t.help)}">?</abbr></div>'
            f'<div class="cx-tile-value">{escape(t.value_text)}</div>'
            f'<div>{delta or "&nbsp;"}</div><div class="cx-tile-state">{state}</div></div>')
    return f'{_TILE_CSS}<div class="cx-tiles">{"".join(cells)}</div>'


# -- small tables as HTML ---------------------------------------------------------------------------------------------
_TABLE_CSS = """<style>
.cx-table-wrap{overflow:auto;max-height:24rem;margin:0 0 .75rem 0}
.cx-table{border-collapse:collapse;width:100%;font-size:.875rem}
.cx-table th,.cx-table td{border:1px solid rgba(128,132,149,.3);padding:.3rem .6rem;text-align:left;white-space:nowrap}
.cx-table th{font-weight:600;background:rgba(128,132,149,.08)}
.cx-table th abbr{text-decoration:none;cursor:help;border-bottom:1px dotted currentColor}
</style>"""


def table_html(rows: Sequence[Mapping[str, str]], states: Sequence[Mapping[str, str | None]] = (),
               column_help: Mapping[str, str] | None = None) -> str:
    """A few rows of text as one HTML table (headings from the first row's keys), each cell coloured by its state
    when `states` gives one (the same colours as the compliance grid; the text already carries symbol or word), a
    heading with an entry in `column_help` showing it on hover.

    Past about ten rows it scrolls inside its box, as a data grid does. For the Overview's small tables: a data
    grid needs pandas to be drawn (0.3–0.4 s to import in a new process, before the first page a session opens is
    shown). Every text is escaped: channel and metric names come from the user's files and the registry."""
    if not rows:
        return ""
    column_help = column_help or {}
    columns = list(rows[0])
    head = "".join(f'<th><abbr title="{escape(column_help[c])}">{escape(c)}</abbr></th>' if c in column_help
                   else f"<th>{escape(c)}</th>" for c in columns)
    body = []
    for i, row in enumerate(rows):
        cell_states = states[i] if i < len(states) else {}
        cells = []
        for c in columns:
            style = cell_style(cell_states.get(c))
            attribute = f' style="{style}"' if style else ""
            cells.append(f"<td{attribute}>{escape(str(row.get(c, '')))}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (f'{_TABLE_CSS}<div class="cx-table-wrap"><table class="cx-table"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')
