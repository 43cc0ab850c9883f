"""Files the app and the CLI write: every one is safe to open in Excel."""
from __future__ import annotations

import csv
import io
from typing import Iterable, Sequence

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(value):
    """Text that a spreadsheet would run as a formula is prefixed with ' (OWASP's advice).

    Numbers stay numbers; only text cells are touched.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
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
    buffer = io.StringIO()
    write_safe_csv(buffer, header, rows)
    return buffer.getvalue()


# -- the quarterly SLA review ---------------------------------------------------------------------------
import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from .display import SL_FORMULA_TEXT, STATE_LOOKS, STATUS_LOOKS
from .errors import UsageError

_QUARTER = re.compile(r"(\d{4})Q([1-4])")
FINDING_THRESHOLDS = {"pct": 2.0, "nps": 5.0, "score": 0.2}  # smallest change worth a sentence
FINDING_METRICS = ("service_level", "abandon_rate", "asa", "aht", "fcr", "csat", "nps", "ces")


def parse_quarter(text: str) -> tuple[int, int]:
    match = _QUARTER.fullmatch(str(text or "").strip().upper())
    if not match:
        raise UsageError(f"--quarter {text!r}: write a quarter as YYYYQn, e.g. 2026Q3")
    return int(match.group(1)), int(match.group(2))


def quarter_months(quarter: str) -> list[str]:
    year, q = parse_quarter(quarter)
    return [f"{year:04d}-{3 * (q - 1) + i:02d}" for i in (1, 2, 3)]


def shift_quarter(quarter: str, quarters: int) -> str:
    year, q = parse_quarter(quarter)
    index = year * 4 + q - 1 + quarters
    return f"{index // 4}Q{index % 4 + 1}"


def month_name(month: str) -> str:
    return calendar.month_name[int(month[5:7])]


@dataclass
class ReviewCell:
    month: str
    value: float | None
    n: int
    target: float | None
    state: str | None


@dataclass
class ReviewRow:
    channel: str
    metric: str
    months: list[ReviewCell]
    quarter_value: float | None
    quarter_n: int
    quarter_target: float | None
    quarter_state: str | None
    rolling_status: str | None
    rolling_misses: int | None
    previous_value: float | None
    last_year_value: float | None

    @property
    def previous_delta(self):
        return None if self.quarter_value is None or self.previous_value is None else \
            self.quarter_value - self.previous_value

    @property
    def last_year_delta(self):
        return None if self.quarter_value is None or self.last_year_value is None else \
            self.quarter_value - self.last_year_value


@dataclass
class QuarterlyReview:
    quarter: str
    months: list[str]
    channels: list[str]
    rows: list[ReviewRow]
    targets: list[dict]          # every target row in force during the quarter
    findings: list[str]
    monthly: list                # KpiRow for every metric × month of the quarter
    compliance: list             # ComplianceRow at quarter end
    trends: dict[str, dict]      # metric -> {month: {channel: value}} over the 12 months to quarter end
    by_queue: list               # KpiRow for the quarter by queue
    coverage: dict
    definitions: list[dict]
    channel_settings: list[dict]
    settings: dict
    generated_at: str = field(default_factory=lambda: dt.datetime.now().strftime("%Y-%m-%d %H:%M"))
    not_loaded: list[str] = field(default_factory=list)  # months of the quarter after the store's last data day

    @property
    def has_data(self) -> bool:
        return bool(self.rows)

    def state_of(self, row) -> str | None:
        """A Monthly-table row's state, 'not_measured' where the channel × metric has no value to hold."""
        measured = {(r.channel, r.metric) for r in self.rows
                    if not any(c.state == "not_measured" for c in r.months)}
        if row.state == "no_data" and (row.channel, row.metric) not in measured and \
                any((r.channel, r.metric) == (row.channel, row.metric) for r in self.rows):
            return "not_measured"
        return row.state


def quarterly_review(store, quarter: str, channels: list[str] | None = None) -> QuarterlyReview:
    """Everything the quarterly SLA review shows: the page, the workbook and the CLI read this."""
    from .metrics import REGISTRY, TARGETED
    from .targets import (TargetBook, add_months, channel_settings, compliance, get_settings, kpis, list_targets,
                          loaded_through, month_range, month_state)
    from .schema import CHANNELS
    from .views import detect_missing_days

    months = quarter_months(quarter)
    first, last = months[0], months[-1]
    channels = list(channels) if channels else None
    monthly = kpis(store, "month", channels=channels, date_from=first, date_to=last)
    pooled = {(r.channel, r.metric): r for r in kpis(store, "quarter", channels=channels, date_from=first,
                                                     date_to=last, metrics=list(TARGETED))}
    previous = {(r.channel, r.metric): r for r in kpis(
        store, "quarter", channels=channels, date_from=quarter_months(shift_quarter(quarter, -1))[0],
        date_to=quarter_months(shift_quarter(quarter, -1))[-1], metrics=list(TARGETED))}
    last_year = {(r.channel, r.metric): r for r in kpis(
        store, "quarter", channels=channels, date_from=quarter_months(shift_quarter(quarter, -4))[0],
        date_to=quarter_months(shift_quarter(quarter, -4))[-1], metrics=list(TARGETED))}
    rule = {(c.channel, c.metric): c for c in compliance(store, last, channels)}
    loaded = loaded_through(store) or last
    book = TargetBook(list_targets(store))
    by_month = {(r.channel, r.metric, r.period): r for r in monthly}
    seen = set(r.channel for r in monthly)
    present = [c for c in CHANNELS if c in seen] + sorted(seen - set(CHANNELS))
    order = {m.id: i for i, m in enumerate(REGISTRY)}
    rows: list[ReviewRow] = []
    targets: list[dict] = []
    for channel in present:
        for metric_id in TARGETED:
            in_force = book.changes_in(channel, metric_id, first, last)
            if not in_force:
                continue
            for t in in_force:
                targets.append({"channel": channel, "metric": metric_id, "target": t.target,
                                "tolerance_pct": t.tolerance_pct, "effective_from": t.effective_from,
                                "scope": t.channel,
                                "months": [m for m in months if book.in_force(channel, metric_id, m) == t]})
            c = rule.get((channel, metric_id))
            not_measured = c is not None and c.status == "not_measured"
            cells = []
            for month in months:
                r = by_month.get((channel, metric_id, month))
                t = book.in_force(channel, metric_id, month)
                value = r.value if r else None
                state = month_state(metric_id, value, t)
                if month > loaded:
                    state = "not_loaded"
                elif not_measured and state is not None:
                    state = "not_measured"
                cells.append(ReviewCell(month, value, r.n if r else 0, None if t is None else t.target, state))
            q = pooled.get((channel, metric_id))
            end_target = book.in_force(channel, metric_id, last)
            quarter_state = month_state(metric_id, q.value if q else None, end_target)
            if not_measured and quarter_state is not None:
                quarter_state = "not_measured"
            rows.append(ReviewRow(
                channel, metric_id, cells, q.value if q else None, q.n if q else 0,
                None if end_target is None else end_target.target, quarter_state,
                c.status if c else None, len(c.flagged_months) if c else None,
                previous.get((channel, metric_id)).value if (channel, metric_id) in previous else None,
                last_year.get((channel, metric_id)).value if (channel, metric_id) in last_year else None))
    rows.sort(key=lambda r: (present.index(r.channel), order[r.metric]))
    trend_months = month_range(add_months(last, -11), last)
    trend_rows = kpis(store, "month", channels=channels, date_from=trend_months[0], date_to=last,
                      metrics=["service_level", "csat"])
    trends: dict[str, dict] = {"service_level": {}, "csat": {}}
    for r in trend_rows:
        trends[r.metric].setdefault(r.period, {})[r.channel] = r.value
    by_queue = kpis(store, "quarter", by="queue", channels=channels, date_from=first, date_to=last,
                    metrics=["volume", "service_level", "abandon_rate", "aht", "fcr", "csat"])
    coverage = _coverage(store, first, last, channels, detect_missing_days(store))
    review = QuarterlyReview(
        quarter, months, present, rows, targets, [], monthly, [rule[k] for k in rule if k[0] in present],
        {m: trends[m] for m in trends}, by_queue, coverage,
        [{"id": m.id, "label": m.label, "unit": m.unit, "better": m.direction, "definition": m.description}
         for m in REGISTRY],
        [s for s in channel_settings(store) if s["channel"] in present], get_settings(store))
    review.not_loaded = [m for m in months if m > loaded]
    review.findings = findings(review)
    return review


def _coverage(store, first: str, last: str, channels, missing: dict[str, list[str]]) -> dict:
    from .targets import add_months

    lower = dt.datetime.fromisoformat(first + "-01")
    upper = dt.datetime.fromisoformat(add_months(last, 1) + "-01")
    params = [lower, upper, list(channels) if channels else None, list(channels) if channels else None]
    imports = store.records(
        "SELECT i.import_id, i.file_name, i.kind, strftime(i.imported_at, '%Y-%m-%d %H:%M') AS imported_at, "
        "count(*) AS rows_in_quarter FROM contacts c JOIN imports i USING (import_id) "
        "WHERE c.queued_local >= ? AND c.queued_local < ? AND (? IS NULL OR list_contains(?, c.channel)) "
        "GROUP BY ALL ORDER BY i.import_id", params)
    channels_rows = store.records(
        "SELECT channel, count(*) AS contacts, strftime(min(queued_local), '%Y-%m-%d') AS first_day, "
        "strftime(max(queued_local), '%Y-%m-%d') AS last_day, count(DISTINCT CAST(queued_local AS DATE)) AS days "
        "FROM contacts WHERE queued_local >= ? AND queued_local < ? AND (? IS NULL OR list_contains(?, channel)) "
        "GROUP BY channel ORDER BY channel", params)
    for row in channels_rows:
        row["missing_days"] = [d for d in missing.get(row["channel"], []) if first <= d[:7] <= last]
    return {"imports": imports, "channels": channels_rows}


def _name(channel: str) -> str:
    return channel.replace("_", " ").capitalize()


def findings(review: QuarterlyReview) -> list[str]:
    """Plain-language sentences generated from the review's numbers."""
    from .metrics import METRICS
    from .views import format_delta, format_value

    out: list[str] = []
    if not review.has_data:
        return [f"No contacts in {review.quarter}" + (" for the chosen channels" if review.channels else "")
                + ": there is nothing to review."]
    previous_label = shift_quarter(review.quarter, -1)
    previous_label = previous_label[4:] if previous_label[:4] == review.quarter[:4] else previous_label
    any_missed = False
    changes: list[str] = []
    for r in review.rows:
        m = METRICS[r.metric]
        subject = f"{_name(r.channel)} {(m.short or m.label) if m.short in ('CSAT', 'NPS', 'FCR', 'AHT', 'ASA', 'CES') else m.label.lower()}"
        missed = [c for c in r.months if c.state == "missed"]
        sentence = ""
        if missed:
            any_missed = True
            parts = [f"{month_name(c.month)} ({format_value(r.metric, c.value)} against "
                     f"{format_value(r.metric, c.target)})" for c in missed]
            listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
            sentence = f"{subject} missed its target in {listed}."
        if r.rolling_status in ("at_risk", "breached"):
            status = {"at_risk": "at risk", "breached": "breached"}[r.rolling_status]
            sentence += (" " if sentence else f"{subject}: ") + \
                f"{r.rolling_misses} misses in the last {review.settings['rule_n']} months: {status}."
        if sentence:
            out.append(sentence)
        delta = r.previous_delta
        threshold = FINDING_THRESHOLDS.get(m.fmt)
        if r.metric in FINDING_METRICS and delta is not None:
            if m.fmt == "duration":
                big = r.previous_value and abs(delta) >= 0.05 * r.previous_value
            else:
                big = threshold is not None and abs(delta) >= threshold
            if big:
                better = (delta > 0) == (m.direction == "higher")
                size = format_delta(r.metric, abs(delta)).lstrip("+").replace(" pts", " points")
                if m.fmt in ("nps", "score"):
                    size += " points"
                changes.append(f"{subject} {'improved' if better else 'worsened'} {size} on {previous_label} "
                           f"({format_value(r.metric, r.previous_value)} → {format_value(r.metric, r.quarter_value)}).")
    out += changes
    for channel in review.channels:
        rows = [r for r in review.rows if r.channel == channel and r.metric in ("csat", "nps", "ces")]
        if rows and all(r.quarter_n == 0 for r in rows):
            out.append(f"Satisfaction is not measured on {_name(channel).lower()}: no CSAT, NPS or CES responses "
                       f"in {review.quarter}.")
    if not any_missed:
        loaded = [m for m in review.months if m not in review.not_loaded]
        scope = f"every month of {review.quarter}" if not review.not_loaded else \
            "every month loaded so far (" + ", ".join(month_name(m) for m in loaded) + ")"
        out.insert(0, f"Every targeted metric met its target in {scope}.")
    if review.not_loaded:
        names = [month_name(m) for m in review.not_loaded]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        out.append(f"{listed} {'is' if len(names) == 1 else 'are'} not loaded yet: the store's data end before "
                   f"{'it' if len(names) == 1 else 'them'}, so {review.quarter} is reviewed on the months loaded so far.")
    return out


# -- the workbook ---------------------------------------------------------------------------------------------
SHEETS = ("Summary", "Monthly", "Compliance", "Flagged months", "Trends", "By queue", "Definitions",
          "Data coverage")
STATE_FILLS = {state: look.fill for state, look in STATE_LOOKS.items() if state is not None}
NUMBER_FORMATS = {"pct": "0.0%", "duration": "[h]:mm:ss", "count": "#,##0", "score": "0.00",
                  "nps": "+0.0;-0.0;0.0"}
DELTA_FORMATS = {"pct": '+0.0" pts";-0.0" pts";0.0" pts"', "duration": '+#,##0" s";-#,##0" s";0" s"',
                 "count": "+#,##0;-#,##0;0", "score": "+0.00;-0.00;0.00", "nps": "+0.0;-0.0;0.0"}


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
    from .metrics import METRICS

    if state in ("not_measured", "not_loaded") or (value is None and state is not None):
        return f"{STATE_LOOKS[state].icon} {STATE_LOOKS[state].word}", None
    return excel_number(metric_id, value), state_number_format(NUMBER_FORMATS[METRICS[metric_id].fmt], state)


def excel_number(metric_id: str, value):
    """A metric value as Excel stores it: percentages as fractions, durations as days."""
    from .metrics import METRICS

    if value is None:
        return None
    fmt = METRICS[metric_id].fmt
    if fmt == "pct":
        return value / 100.0
    if fmt == "duration":
        return value / 86400.0
    return value


class _Sheet:
    """Writes cells safely: text is never a formula; numbers keep their formats; widths fit."""

    def __init__(self, workbook, title: str):
        from openpyxl.styles import Alignment, Font, PatternFill

        self.ws = workbook.create_sheet(title)
        self.widths: dict[int, int] = {}
        self._bold = Font(bold=True)
        self._header_fill = PatternFill("solid", fgColor="D9D9D9")
        self._wrap = Alignment(wrap_text=True, vertical="top")

    def put(self, row: int, col: int, value, number_format: str | None = None, fill: str | None = None,
            bold: bool = False, wrap: bool = False):
        from openpyxl.styles import PatternFill

        cell = self.ws.cell(row=row, column=col)
        if isinstance(value, str):
            cell.value = value
            cell.data_type = "s"  # literal text, even when it starts with = + - @
            if value.startswith(_FORMULA_STARTS) or value.startswith("+"):
                cell.quotePrefix = True
            shown = max(len(line) for line in value.split("\n")) if value else 0
        else:
            cell.value = value
            if number_format:
                cell.number_format = number_format
            shown = 10 if value is not None else 0
        if fill:
            cell.fill = PatternFill("solid", fgColor=fill)
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


def write_review_workbook(review: QuarterlyReview, target) -> None:
    """The quarterly pack as a formatted workbook (a path or a binary file object)."""
    from openpyxl import Workbook
    from openpyxl.chart import LineChart, Reference

    from .metrics import METRICS

    wb = Workbook()
    wb.remove(wb.active)
    label = lambda mid: METRICS[mid].label  # noqa: E731

    # Summary
    s = _Sheet(wb, "Summary")
    s.put(1, 1, f"Quarterly SLA review {review.quarter}", bold=True)
    s.put(2, 1, f"Generated {review.generated_at}; channels: "
          + (", ".join(_name(c) for c in review.channels) or "none"))
    header = ["Channel", "Metric"] + [month_name(m) + " " + m[:4] for m in review.months] + [
        "Quarter", "n", "Target", "State", "Rolling rule", f"vs {shift_quarter(review.quarter, -1)}",
        f"vs {shift_quarter(review.quarter, -4)}"]
    s.header(4, header)
    row = 5
    if not review.has_data:
        s.put(row, 1, f"No data for {review.quarter}: no contacts were imported for this quarter"
              + (" and these channels." if review.channels else "."))
        row += 1
    for r in review.rows:
        fmt = NUMBER_FORMATS[METRICS[r.metric].fmt]
        s.put(row, 1, _name(r.channel))
        s.put(row, 2, label(r.metric))
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
        delta_fmt = DELTA_FORMATS[METRICS[r.metric].fmt]
        s.put(row, col + 5, r.previous_delta, delta_fmt)
        s.put(row, col + 6, r.last_year_delta, delta_fmt)
        row += 1
    row += 1
    s.put(row, 1, "Findings", bold=True)
    for text in review.findings:
        row += 1
        s.put(row, 1, text)
    row += 2
    s.put(row, 1, "Targets in force during the quarter", bold=True)
    row += 1
    s.header(row, ["Channel", "Metric", "Target", "Tolerance %", "Effective from", "Row for", "Months"])
    for t in review.targets:
        row += 1
        s.put(row, 1, _name(t["channel"]))
        s.put(row, 2, label(t["metric"]))
        s.put(row, 3, excel_number(t["metric"], t["target"]), NUMBER_FORMATS[METRICS[t["metric"]].fmt])
        s.put(row, 4, t["tolerance_pct"], "0.0")
        s.put(row, 5, t["effective_from"] or "always")
        s.put(row, 6, "every channel (*)" if t["scope"] == "*" else _name(t["scope"]))
        s.put(row, 7, ", ".join(month_name(m) for m in t["months"]))
    s.ws.freeze_panes = "C5"
    s.widths[1] = min(s.widths.get(1, 0), 14)  # findings run across; keep the channel column narrow
    s.fit()

    # Monthly
    m = _Sheet(wb, "Monthly")
    m.header(1, ["Channel", "Metric", "Month", "Value", "n", "Target", "State"])
    for i, k in enumerate(review.monthly, start=2):
        fmt = NUMBER_FORMATS[METRICS[k.metric].fmt]
        m.put(i, 1, _name(k.channel))
        m.put(i, 2, label(k.metric))
        m.put(i, 3, k.period)
        state = review.state_of(k)
        m.put(i, 4, excel_number(k.metric, k.value), fmt, STATE_FILLS.get(state))
        m.put(i, 5, k.n, "#,##0")
        m.put(i, 6, excel_number(k.metric, k.target), fmt)
        m.put(i, 7, STATE_LOOKS[state].word if state else "")
    m.ws.freeze_panes = "A2"
    m.fit()

    # Compliance
    c = _Sheet(wb, "Compliance")
    c.header(1, ["Channel", "Metric", "As of", "Window start", "Months met", "Months with data",
                 "Months counted", "Status", "Flagged months"])
    for i, r in enumerate(review.compliance, start=2):
        for col, value in enumerate([_name(r.channel), label(r.metric), r.as_of, r.window_start, r.months_met,
                                     r.months_with_data, r.months_in_window, STATUS_LOOKS[r.status].word,
                                     "; ".join(r.flagged_months)], start=1):
            c.put(i, col, value)
    c.ws.freeze_panes = "A2"
    c.fit()

    # Flagged months
    f = _Sheet(wb, "Flagged months")
    f.header(1, ["Channel", "Metric", "Month", "Value", "Target", "Gap", "State"])
    i = 2
    for r in review.compliance:
        for cell in r.cells:
            if cell.state not in ("missed", "no_data"):
                continue
            fmt = NUMBER_FORMATS[METRICS[r.metric].fmt]
            gap = None if cell.value is None or cell.target is None else cell.value - cell.target
            f.put(i, 1, _name(r.channel))
            f.put(i, 2, label(r.metric))
            f.put(i, 3, cell.month)
            f.put(i, 4, excel_number(r.metric, cell.value), fmt, STATE_FILLS[cell.state])
            f.put(i, 5, excel_number(r.metric, cell.target), fmt)
            f.put(i, 6, gap, DELTA_FORMATS[METRICS[r.metric].fmt])
            f.put(i, 7, STATE_LOOKS[cell.state].word)
            i += 1
    f.ws.freeze_panes = "A2"
    f.fit()

    # Trends: a table per metric and a native line chart beside it
    t = _Sheet(wb, "Trends")
    top = 1
    for metric_id, title in (("service_level", "Service level"), ("csat", "CSAT (top-2-box)")):
        data = review.trends.get(metric_id, {})
        months = sorted(data)
        t.put(top, 1, title, bold=True)
        t.header(top + 1, ["Month"] + [_name(ch) for ch in review.channels])
        for j, month in enumerate(months):
            t.put(top + 2 + j, 1, month)
            for k, ch in enumerate(review.channels):
                t.put(top + 2 + j, 2 + k, excel_number(metric_id, data[month].get(ch)), "0.0%")
        if months and review.channels:
            chart = LineChart()
            chart.title = f"{title}, last 12 months"
            chart.y_axis.title = title
            chart.y_axis.number_format = "0%"
            chart.x_axis.title = "Month"
            chart.height, chart.width = 8, 18
            values = Reference(t.ws, min_col=2, max_col=1 + len(review.channels), min_row=top + 1,
                               max_row=top + 1 + len(months))
            chart.add_data(values, titles_from_data=True)
            chart.set_categories(Reference(t.ws, min_col=1, min_row=top + 2, max_row=top + 1 + len(months)))
            t.ws.add_chart(chart, f"{chr(ord('A') + len(review.channels) + 2)}{top}")
        top += max(len(months), 14) + 4
    t.fit(20)

    # By queue
    q = _Sheet(wb, "By queue")
    q.header(1, ["Channel", "Queue", "Metric", "Quarter value", "n"])
    for i, k in enumerate(review.by_queue, start=2):
        q.put(i, 1, _name(k.channel))
        q.put(i, 2, k.group if k.group is not None else "(none)")
        q.put(i, 3, label(k.metric))
        q.put(i, 4, excel_number(k.metric, k.value), NUMBER_FORMATS[METRICS[k.metric].fmt])
        q.put(i, 5, k.n, "#,##0")
    q.ws.freeze_panes = "A2"
    q.fit()

    # Definitions
    d = _Sheet(wb, "Definitions")
    d.header(1, ["Metric id", "Label", "Unit", "Better", "Definition"])
    row = 2
    for item in review.definitions:
        for col, key in enumerate(("id", "label", "unit", "better", "definition"), start=1):
            d.put(row, col, item[key], wrap=key == "definition")
        row += 1
    row += 1
    d.put(row, 1, "Service level in force per channel", bold=True)
    row += 1
    d.header(row, ["Channel", "SL threshold (s)", "Short abandon below (s)", "SL formula", "Formula"])
    for cs in review.channel_settings:
        row += 1
        d.put(row, 1, _name(cs["channel"]))
        d.put(row, 2, cs["sl_threshold_s"], "#,##0")
        d.put(row, 3, cs["short_abandon_s"], "#,##0")
        d.put(row, 4, cs["sl_formula"])
        d.put(row, 5, SL_FORMULA_TEXT[cs["sl_formula"]])
    row += 2
    conf = review.settings
    for key, text in (("timezone", "Time zone"), ("fcr_window_days", "FCR window (days)"),
                      ("churn_window_days", "Churn window (days)")):
        d.put(row, 1, text, bold=True)
        d.put(row, 2, conf[key])
        row += 1
    d.put(row, 1, "Rolling rule", bold=True)
    d.put(row, 2, f"{conf['rule_k']} of the last {conf['rule_n']} months")
    d.fit(70)

    # Data coverage
    v = _Sheet(wb, "Data coverage")
    v.header(1, ["Import", "File", "Kind", "Imported at", "Rows in quarter"])
    row = 2
    for imp in review.coverage["imports"]:
        for col, key in enumerate(("import_id", "file_name", "kind", "imported_at", "rows_in_quarter"), start=1):
            v.put(row, col, imp[key], "#,##0" if key == "rows_in_quarter" else None)
        row += 1
    row += 1
    v.header(row, ["Channel", "Contacts", "First day", "Last day", "Days with contacts", "Missing days"])
    for ch in review.coverage["channels"]:
        row += 1
        v.put(row, 1, _name(ch["channel"]))
        v.put(row, 2, ch["contacts"], "#,##0")
        v.put(row, 3, ch["first_day"])
        v.put(row, 4, ch["last_day"])
        v.put(row, 5, ch["days"], "#,##0")
        v.put(row, 6, ", ".join(ch["missing_days"]) or "none")
    v.fit()
    wb.save(target)


def review_workbook_bytes(review: QuarterlyReview) -> bytes:
    import io

    buffer = io.BytesIO()
    write_review_workbook(review, buffer)
    return buffer.getvalue()
