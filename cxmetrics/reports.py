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

    @property
    def has_data(self) -> bool:
        return bool(self.rows)


def quarterly_review(store, quarter: str, channels: list[str] | None = None) -> QuarterlyReview:
    """Everything the quarterly SLA review shows: the page, the workbook and the CLI read this."""
    from .metrics import METRICS, REGISTRY, TARGETED
    from .targets import (TargetBook, add_months, channel_settings, compliance, get_settings, kpis, list_targets,
                          month_range)
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
            cells = []
            for month in months:
                r = by_month.get((channel, metric_id, month))
                t = book.in_force(channel, metric_id, month)
                from .targets import month_state
                value = r.value if r else None
                cells.append(ReviewCell(month, value, r.n if r else 0, None if t is None else t.target,
                                        month_state(metric_id, value, t)))
            q = pooled.get((channel, metric_id))
            end_target = book.in_force(channel, metric_id, last)
            c = rule.get((channel, metric_id))
            rows.append(ReviewRow(
                channel, metric_id, cells, q.value if q else None, q.n if q else 0,
                None if end_target is None else end_target.target,
                month_state(metric_id, q.value if q else None, end_target),
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
        out.insert(0, f"Every targeted metric met its target in every month of {review.quarter}.")
    return out
