"""The quarterly SLA review as a formatted workbook (openpyxl): one writer per sheet.

Numbers stay numbers with real formats (percentages as fractions, durations as days); every
state reads without colour (its symbol is part of the number format); text is never a formula.
"""
from __future__ import annotations

import datetime as dt
import io

# openpyxl is imported where a workbook is written: pages that never write one start ~0.1 s sooner.

from .display import (FORMULA_STARTS, STATE_LOOKS, STATUS_LOOKS, channel_name, excel_number,
                      metric_format, quarter_label)
from .i18n import N_, _, current_language
from .metrics import METRICS
from .months import month_name, shift_quarter
from .review import TREND_METRICS, QuarterlyReview, month_year_label
from .schema import SL_FORMULA_TEXT
from .settings import SETTINGS_BY_NAME

STATE_FILLS = {state: look.fill for state, look in STATE_LOOKS.items() if state is not None}
# A metric's unit and direction (the Definitions sheet's "Unit" and "Better" columns): the code in English, a word
# in another language.
UNIT_WORDS = {"count": N_("count"), "percent": N_("percent"), "seconds": N_("seconds"), "score": N_("score")}
BETTER_WORDS = {"higher": N_("higher"), "lower": N_("lower"), "band": N_("band")}


def _word(words: dict[str, str], code: str) -> str:
    return _(words[code]) if code in words else code


def _generated(at: str) -> str:
    """The review's time of writing, "YYYY-MM-DD HH:MM" (Russian: 24.11.2026 10:00)."""
    if current_language() == "en":
        return at
    try:
        return dt.datetime.strptime(at, "%Y-%m-%d %H:%M").strftime("%d.%m.%Y %H:%M")
    except ValueError:
        return at


def _label(metric_id: str) -> str:
    return METRICS[metric_id].label


def state_number_format(number_format: str, state: str | None) -> str:
    """The number format with the state's symbol in front of every section, so the cell reads without colour
    and stays a number."""
    icon = STATE_LOOKS[state].icon if state in STATE_LOOKS else ""
    if not icon:
        return number_format
    return ";".join(f'"{icon} "{section}' for section in number_format.split(";"))


def state_cell(metric_id: str, value, state: str | None):
    """(value, number format) of a month cell: a number with its state symbol, or the state in words when
    the month is not measured or not loaded yet."""
    if state in ("not_measured", "not_loaded") or (value is None and state is not None):
        return f"{STATE_LOOKS[state].icon} {STATE_LOOKS[state].word}", None
    return excel_number(metric_id, value), state_number_format(metric_format(metric_id).excel, state)


class _Sheet:
    """Writes cells safely: text is never a formula; numbers keep their formats; widths fit."""

    def __init__(self, workbook, title: str):
        from openpyxl.styles import Alignment, Font, PatternFill

        self.ws = workbook.create_sheet(title)
        self.widths: dict[int, int] = {}
        self._bold = Font(bold=True)
        self._fill = PatternFill
        self._header_fill = PatternFill("solid", fgColor="D9D9D9")
        self._wrap = Alignment(wrap_text=True, vertical="top")

    def put(self, row: int, col: int, value, number_format: str | None = None, fill: str | None = None,
            bold: bool = False, wrap: bool = False):
        cell = self.ws.cell(row=row, column=col)
        if isinstance(value, str):
            cell.value = value
            cell.data_type = "s"  # literal text, even when it starts with = + - @
            if value.startswith(FORMULA_STARTS):
                cell.quotePrefix = True
            shown = max(len(line) for line in value.split("\n")) if value else 0
        else:
            cell.value = value
            if number_format:
                cell.number_format = number_format
            shown = 10 if value is not None else 0
        if fill:
            cell.fill = self._fill("solid", fgColor=fill)
        if bold:
            cell.font = self._bold
        if wrap:
            cell.alignment = self._wrap
            shown = min(shown, 80)
        self.widths[col] = max(self.widths.get(col, 0), shown)
        return cell

    def header(self, row: int, names) -> None:
        for col, name in enumerate(names, start=1):
            cell = self.put(row, col, name, bold=True)
            cell.fill = self._header_fill

    def fit(self, maximum: int = 60) -> None:
        from openpyxl.utils import get_column_letter

        for col, width in self.widths.items():
            self.ws.column_dimensions[get_column_letter(col)].width = min(maximum, max(8, width + 2))


def _benchmark_note(benchmark) -> str:
    """The Summary's note of a benchmark's source: "SQM Group 2022" (its scope is in the benchmarks table below)."""
    return f"{benchmark.source} {benchmark.year}"


def _summary(wb, review: QuarterlyReview) -> None:
    """The scorecard with state fills and symbols, the findings and the targets in force."""
    s = _Sheet(wb, _("Summary"))
    quarter = quarter_label(review.quarter)
    s.put(1, 1, _("Quarterly SLA review {quarter}").format(quarter=quarter), bold=True)
    s.put(2, 1, _("Generated {at}; channels: {channels}").format(
        at=_generated(review.generated_at),
        channels=", ".join(channel_name(c) for c in review.channels) or _("none")))
    header = [_("Channel"), _("Metric")] + [month_year_label(m) for m in review.months] + [
        _("Quarter"), "n", _("Target"), _("State"), _("Rolling rule"),
        _("vs {quarter}").format(quarter=quarter_label(shift_quarter(review.quarter, -1))),
        _("vs {quarter}").format(quarter=quarter_label(shift_quarter(review.quarter, -4)))]
    references = review.benchmarks  # the columns appear when a benchmark applies to some row
    if references:
        header += [_("Benchmark"), _("Benchmark source")]
    s.header(4, header)
    row = 5
    if not review.has_data:
        s.put(row, 1, (_("No data for {quarter}: no contacts were imported for this quarter and these channels.")
                       if review.channels else
                       _("No data for {quarter}: no contacts were imported for this quarter.")).format(quarter=quarter))
        row += 1
    for r in review.rows:
        fmt = metric_format(r.metric).excel
        s.put(row, 1, channel_name(r.channel))
        s.put(row, 2, _label(r.metric))
        for i, cell in enumerate(r.months):
            value, number_format = state_cell(r.metric, cell.value, cell.state)
            s.put(row, 3 + i, value, number_format, STATE_FILLS.get(cell.state))
        col = 3 + len(r.months)
        value, number_format = state_cell(r.metric, r.quarter_value, r.quarter_state)
        s.put(row, col, value, number_format, STATE_FILLS.get(r.quarter_state))
        s.put(row, col + 1, r.quarter_n, "#,##0")
        s.put(row, col + 2, excel_number(r.metric, r.quarter_target), fmt)
        s.put(row, col + 3, STATE_LOOKS[r.quarter_state].word, fill=STATE_FILLS.get(r.quarter_state))
        s.put(row, col + 4, STATUS_LOOKS[r.rolling_status].word if r.rolling_status else "—")
        delta_fmt = metric_format(r.metric).excel_delta
        s.put(row, col + 5, r.previous_delta, delta_fmt)
        s.put(row, col + 6, r.last_year_delta, delta_fmt)
        if r.benchmark is not None:  # a reference beside the row, never a target: no fill, no state
            s.put(row, col + 7, excel_number(r.metric, r.benchmark.value), fmt)
            s.put(row, col + 8, _benchmark_note(r.benchmark))
        row += 1
    row += 1
    s.put(row, 1, _("Findings"), bold=True)
    for text in review.findings:
        row += 1
        s.put(row, 1, text)
    row += 2
    s.put(row, 1, _("Targets in force during the quarter"), bold=True)
    row += 1
    s.header(row, [_("Channel"), _("Metric"), _("Target"), _("Tolerance %"), _("Effective from"), _("Row for"),
                   _("Months")])
    for t in review.targets:
        row += 1
        s.put(row, 1, channel_name(t["channel"]))
        s.put(row, 2, _label(t["metric"]))
        s.put(row, 3, excel_number(t["metric"], t["target"]), metric_format(t["metric"]).excel)
        s.put(row, 4, t["tolerance_pct"], "0.0")
        s.put(row, 5, t["effective_from"] or _("always"))
        s.put(row, 6, channel_name(t["scope"]))
        s.put(row, 7, ", ".join(month_name(m) for m in t["months"]))
    if references:
        row += 2
        s.put(row, 1, _("Industry benchmarks (references, not targets)"), bold=True)
        row += 1
        s.header(row, [_("Channel"), _("Metric"), _("Benchmark"), _("Source"), _("Year"), _("Scope")])
        width = s.widths.get(6, 0)
        for b in references:
            row += 1
            s.put(row, 1, channel_name(b.channel))
            s.put(row, 2, _label(b.metric))
            s.put(row, 3, excel_number(b.metric, b.value), metric_format(b.metric).excel)
            s.put(row, 4, b.source)
            s.put(row, 5, b.year, "0")
            s.put(row, 6, b.scope)
        s.widths[6] = width  # the scope runs across the empty cells to its right; the quarter column stays narrow
    s.ws.freeze_panes = "C5"
    s.widths[1] = min(s.widths.get(1, 0), 14)  # findings run across; keep the channel column narrow
    s.fit()


def _monthly(wb, review: QuarterlyReview) -> None:
    """Channel × metric × month: value, n, target, state."""
    m = _Sheet(wb, _("Monthly"))
    m.header(1, [_("Channel"), _("Metric"), _("Month"), _("Value"), "n", _("Target"), _("State")])
    for i, k in enumerate(review.monthly, start=2):
        fmt = metric_format(k.metric).excel
        m.put(i, 1, channel_name(k.channel))
        m.put(i, 2, _label(k.metric))
        m.put(i, 3, k.period)
        state = review.state_of(k)
        m.put(i, 4, excel_number(k.metric, k.value), fmt, STATE_FILLS.get(state))
        m.put(i, 5, k.n, "#,##0")
        m.put(i, 6, excel_number(k.metric, k.target), fmt)
        m.put(i, 7, STATE_LOOKS[state].word if state else "")
    m.ws.freeze_panes = "A2"
    m.fit()


def _compliance(wb, review: QuarterlyReview) -> None:
    """The rolling rule at quarter end."""
    c = _Sheet(wb, _("Compliance"))
    c.header(1, [_("Channel"), _("Metric"), _("As of"), _("Window start"), _("Months met"), _("Months with data"),
                 _("Months counted"), _("Status"), _("Flagged months")])
    for i, r in enumerate(review.compliance, start=2):
        for col, value in enumerate([channel_name(r.channel), _label(r.metric), r.as_of, r.window_start, r.months_met,
                                     r.months_with_data, r.months_in_window, STATUS_LOOKS[r.status].word,
                                     "; ".join(r.flagged_months)], start=1):
            c.put(i, col, value)
    c.ws.freeze_panes = "A2"
    c.fit()


def _flagged(wb, review: QuarterlyReview) -> None:
    """Every missed or no-data month counted by the rule, with value, target and gap."""
    f = _Sheet(wb, _("Flagged months"))
    f.header(1, [_("Channel"), _("Metric"), _("Month"), _("Value"), _("Target"), _("Gap"), _("State")])
    i = 2
    for r in review.compliance:
        for cell in r.cells:
            if cell.state not in ("missed", "no_data"):
                continue
            fmt = metric_format(r.metric).excel
            gap = None if cell.value is None or cell.target is None else cell.value - cell.target
            f.put(i, 1, channel_name(r.channel))
            f.put(i, 2, _label(r.metric))
            f.put(i, 3, cell.month)
            f.put(i, 4, excel_number(r.metric, cell.value), fmt, STATE_FILLS[cell.state])
            f.put(i, 5, excel_number(r.metric, cell.target), fmt)
            f.put(i, 6, gap, metric_format(r.metric).excel_delta)
            f.put(i, 7, STATE_LOOKS[cell.state].word)
            i += 1
    f.ws.freeze_panes = "A2"
    f.fit()


def _trends(wb, review: QuarterlyReview) -> None:
    """A table per metric and a native Excel line chart beside it, over the last 12 months."""
    from openpyxl.chart import LineChart, Reference

    t = _Sheet(wb, _("Trends"))
    top = 1
    for metric_id, title in ((m, METRICS[m].label) for m in TREND_METRICS):
        data = review.trends.get(metric_id, {})
        months = sorted(data)
        t.put(top, 1, title, bold=True)
        t.header(top + 1, [_("Month")] + [channel_name(ch) for ch in review.channels])
        for j, month in enumerate(months):
            t.put(top + 2 + j, 1, month)
            for k, ch in enumerate(review.channels):
                t.put(top + 2 + j, 2 + k, excel_number(metric_id, data[month].get(ch)), metric_format(metric_id).excel)
        if months and review.channels:
            chart = LineChart()
            chart.title = _("{metric}, last 12 months").format(metric=title)
            chart.y_axis.title = title
            chart.y_axis.number_format = metric_format(metric_id).excel
            chart.x_axis.title = _("Month")
            chart.height, chart.width = 8, 18
            values = Reference(t.ws, min_col=2, max_col=1 + len(review.channels), min_row=top + 1,
                               max_row=top + 1 + len(months))
            chart.add_data(values, titles_from_data=True)
            chart.set_categories(Reference(t.ws, min_col=1, min_row=top + 2, max_row=top + 1 + len(months)))
            t.ws.add_chart(chart, f"{chr(ord('A') + len(review.channels) + 2)}{top}")
        top += max(len(months), 14) + 4
    t.fit(20)


def _by_queue(wb, review: QuarterlyReview) -> None:
    """The quarter per queue."""
    q = _Sheet(wb, _("By queue"))
    q.header(1, [_("Channel"), _("Queue"), _("Metric"), _("Quarter value"), "n"])
    for i, k in enumerate(review.by_queue, start=2):
        q.put(i, 1, channel_name(k.channel))
        q.put(i, 2, k.group if k.group is not None else _("(none)"))
        q.put(i, 3, _label(k.metric))
        q.put(i, 4, excel_number(k.metric, k.value), metric_format(k.metric).excel)
        q.put(i, 5, k.n, "#,##0")
    q.ws.freeze_panes = "A2"
    q.fit()


def _definitions(wb, review: QuarterlyReview) -> None:
    """Every metric from the registry, each channel's service-level rule, the settings."""
    d = _Sheet(wb, _("Definitions"))
    d.header(1, [_("Metric id"), _("Label"), _("Unit"), _("Better"), _("Definition")])
    row = 2
    for item in review.definitions:
        for col, key in enumerate(("id", "label", "unit", "better", "definition"), start=1):
            value = _word(UNIT_WORDS, item[key]) if key == "unit" else \
                _word(BETTER_WORDS, item[key]) if key == "better" else item[key]
            d.put(row, col, value, wrap=key == "definition")
        row += 1
    row += 1
    d.put(row, 1, _("Service level in force per channel"), bold=True)
    row += 1
    d.header(row, [_("Channel"), _("SL threshold (s)"), _("Short abandon below (s)"), _("SL formula"), _("Formula")])
    for cs in review.channel_settings:
        row += 1
        d.put(row, 1, channel_name(cs["channel"]))
        d.put(row, 2, cs["sl_threshold_s"], "#,##0")
        d.put(row, 3, cs["short_abandon_s"], "#,##0")
        d.put(row, 4, cs["sl_formula"])
        rule = SL_FORMULA_TEXT[cs["sl_formula"]]  # marked where it is declared (schema)
        d.put(row, 5, _(rule))
    row += 2
    conf = review.settings
    for key, text in ((key, SETTINGS_BY_NAME[key].label) for key in ("timezone", "fcr_window_days",
                                                                       "churn_window_days")):
        d.put(row, 1, text, bold=True)
        d.put(row, 2, conf[key])
        row += 1
    d.put(row, 1, _("Rolling rule"), bold=True)
    d.put(row, 2, _("{k} of the last {n} months").format(k=conf["rule_k"], n=conf["rule_n"]))
    d.fit(70)


def _coverage(wb, review: QuarterlyReview) -> None:
    """The imports behind the quarter, and each channel's days."""
    v = _Sheet(wb, _("Data coverage"))
    v.header(1, [_("Import"), _("File"), _("Kind"), _("Imported at"), _("Rows in quarter")])
    row = 2
    for imp in review.coverage["imports"]:
        for col, key in enumerate(("import_id", "file_name", "kind", "imported_at", "rows_in_quarter"), start=1):
            v.put(row, col, imp[key], "#,##0" if key == "rows_in_quarter" else None)
        row += 1
    row += 1
    v.header(row, [_("Channel"), _("Contacts"), _("First day"), _("Last day"), _("Days with contacts"),
                   _("Missing days")])
    for ch in review.coverage["channels"]:
        row += 1
        v.put(row, 1, channel_name(ch["channel"]))
        v.put(row, 2, ch["contacts"], "#,##0")
        v.put(row, 3, ch["first_day"])
        v.put(row, 4, ch["last_day"])
        v.put(row, 5, ch["days"], "#,##0")
        v.put(row, 6, ", ".join(ch["missing_days"]) or _("none"))
    v.fit()


# The sheets by their English names (the workbook names them in the session's language).
SHEET_WRITERS = {"Summary": _summary, "Monthly": _monthly, "Compliance": _compliance, "Flagged months": _flagged,
                 "Trends": _trends, "By queue": _by_queue, "Definitions": _definitions, "Data coverage": _coverage}
SHEETS = tuple(SHEET_WRITERS)


def write_review_workbook(review: QuarterlyReview, target) -> None:
    """The quarterly pack as a formatted workbook (a path or a binary file object)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for write in SHEET_WRITERS.values():
        write(wb, review)
    wb.save(target)


def review_workbook_bytes(review: QuarterlyReview) -> bytes:
    buffer = io.BytesIO()
    write_review_workbook(review, buffer)
    return buffer.getvalue()
