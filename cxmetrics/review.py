"""The quarterly SLA review: every figure, state and finding the page, the workbook and the CLI show."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from .benchmarks import Benchmark, BenchmarkBook, list_benchmarks
from .compliance import compliance
from .config import channel_settings, get_settings
from .display import (STATUS_WORDS, channel_name, format_value, metric_format, month_label, ordered_channels,
                      quarter_label)
from .i18n import _, current_language, ngettext, pgettext
from .kpis import kpis
from .metrics import METRICS, REGISTRY, TARGETED
from .months import (add_months, month_name, month_range, month_start, next_month_start, quarter_months,
                     shift_quarter)
from .quality import detect_missing_days, latest_month
from .targets import TargetBook, list_targets, month_state

TREND_METRICS = ("service_level", "csat")  # the review's 12-month trend charts


# -- quarter and month labels in the session's language ---------------------------------------------------------
# English keeps its labels as they were ("2026Q3", "July 2026"); another language writes them through Babel's data
# for its locale (Russian: «3-й кв. 2026», «июль 2026», months in the nominative). display.quarter_label and
# display.month_label give the labels with the year; months.month_name a month without it.
def short_quarter_label(quarter: str) -> str:
    """A quarter without its year: Q3 in English, «3-й кв.» in Russian."""
    if current_language() == "en":
        return quarter[4:]
    from babel.dates import format_date  # only a session that is not in English needs Babel's formats

    return format_date(dt.date(int(quarter[:4]), int(quarter_months(quarter)[0][5:7]), 1), "QQQ",
                       locale=current_language())


def month_year_label(month: str) -> str:
    """A month with its year as a column heading reads it: July 2026 in English, «июль 2026» in Russian."""
    return month_name(month) + " " + month[:4] if current_language() == "en" else month_label(month)


def _plain_number(value: float) -> str:
    """A number as Python's :g writes it, with the decimal comma outside English (a threshold in seconds)."""
    text = f"{value:g}"
    return text if current_language() == "en" else text.replace(".", ",")


def _sentence(text: str) -> str:
    """The text with its first letter in capitals (a Russian sentence may start with a month or a channel)."""
    return text[:1].upper() + text[1:]


def _subject(channel: str, metric_id: str) -> str:
    """How a finding names a channel's metric: "Voice service level" (Russian «Уровень обслуживания (голос)»:
    the translation may put the channel after the metric, so the channel comes in lower case and the text starts
    with a capital)."""
    return _sentence(pgettext("finding subject", "{channel} {metric}").format(
        channel=channel_name(channel).lower(), metric=METRICS[metric_id].subject))


@dataclass
class ReviewCell:
    month: str
    value: float | None
    n: int
    target: float | None
    state: str | None
    rebuilt: bool = False  # rebuilt from an aggregated report's percentages (spec §1b): shown with ≈


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
    benchmark: Benchmark | None = None  # the industry reference beside it (never a target: no state reads it)
    quarter_rebuilt: bool = False  # the quarter's value rebuilt from a report's percentages: shown with ≈

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
    compliance: list             # ComplianceRow at quarter end (or its latest month loaded)
    trends: dict[str, dict]      # metric -> {month: {channel: value}} over the 12 months to quarter end
    by_queue: list               # KpiRow for the quarter by queue
    coverage: dict
    definitions: list[dict]
    channel_settings: list[dict]
    settings: dict
    generated_at: str = field(default_factory=lambda: dt.datetime.now().strftime("%Y-%m-%d %H:%M"))
    not_loaded: list[str] = field(default_factory=list)  # months of the quarter after the store's last data day
    rule_month: str = ""  # the rolling rule's as-of month: the quarter's last, or its latest loaded
    data_notes: list[str] = field(default_factory=list)  # figures rebuilt from percentages, reported thresholds

    @property
    def has_data(self) -> bool:
        return bool(self.rows)

    @cached_property
    def not_measured(self) -> set[tuple[str, str]]:
        """(channel, metric) pairs whose months are not measured (no value anywhere in the rule's window)."""
        return {(r.channel, r.metric) for r in self.rows if any(c.state == "not_measured" for c in r.months)}

    @property
    def benchmarks(self) -> list[Benchmark]:
        """The benchmarks beside the scorecard's rows, each once, in the rows' order."""
        return list(dict.fromkeys(r.benchmark for r in self.rows if r.benchmark is not None))

    def state_of(self, row) -> str | None:
        """A Monthly-table row's state, 'not_measured' where the channel × metric has no value to hold."""
        if row.state == "no_data" and (row.channel, row.metric) in self.not_measured:
            return "not_measured"
        return row.state


def quarterly_review(store, quarter: str, channels: list[str] | None = None) -> QuarterlyReview:
    """Everything the quarterly SLA review shows: the page, the workbook and the CLI read this."""
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
    loaded = latest_month(store) or last
    # The rolling rule at quarter end; of a quarter still under way, as of its latest month loaded: months not yet
    # loaded would be left out of a window reaching past them, and the status would count fewer months than the
    # Compliance page's (a breach there read as "compliant" here)
    rule_month = min(last, loaded)
    rule = {(c.channel, c.metric): c for c in compliance(store, rule_month, channels)}
    book = TargetBook(list_targets(store))
    references = BenchmarkBook(list_benchmarks(store))
    by_month = {(r.channel, r.metric, r.period): r for r in monthly}
    present = ordered_channels({r.channel for r in monthly})
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
                cells.append(ReviewCell(month, value, r.n if r else 0, None if t is None else t.target, state,
                                        bool(r and r.rebuilt)))
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
                last_year.get((channel, metric_id)).value if (channel, metric_id) in last_year else None,
                references.lookup(channel, metric_id), bool(q and q.rebuilt)))
    rows.sort(key=lambda r: (present.index(r.channel), order[r.metric]))
    trend_months = month_range(add_months(last, -11), last)
    trend_rows = kpis(store, "month", channels=channels, date_from=trend_months[0], date_to=last,
                      metrics=list(TREND_METRICS))
    trends: dict[str, dict] = {m: {} for m in TREND_METRICS}
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
    review.rule_month = rule_month
    review.data_notes = _data_notes(pooled.values())
    review.findings = findings(review)
    return review


def _coverage(store, first: str, last: str, channels, missing: dict[str, list[str]]) -> dict:
    """The imports behind the quarter and each channel's days, for the Data coverage sheet."""
    lower, upper = month_start(first), next_month_start(last)
    params = [lower, upper, list(channels) if channels else None, list(channels) if channels else None]
    imports = store.records(
        "SELECT i.import_id, i.file_name, i.kind, strftime(i.imported_at, '%Y-%m-%d %H:%M') AS imported_at, "
        "sum(c.contacts) AS rows_in_quarter FROM measures_coverage c JOIN imports i USING (import_id) "
        "WHERE c.day >= CAST(? AS DATE) AND c.day < CAST(? AS DATE) AND (? IS NULL OR list_contains(?, c.channel)) "
        "GROUP BY ALL ORDER BY i.import_id", params)
    channels_rows = store.records(
        "SELECT channel, sum(contacts) AS contacts, strftime(min(day), '%Y-%m-%d') AS first_day, "
        "strftime(max(day), '%Y-%m-%d') AS last_day, count(DISTINCT day) AS days "
        "FROM measures_coverage WHERE day >= CAST(? AS DATE) AND day < CAST(? AS DATE) "
        "AND (? IS NULL OR list_contains(?, channel)) GROUP BY channel ORDER BY channel", params)
    for row in channels_rows:
        row["missing_days"] = [d for d in missing.get(row["channel"], []) if first <= d[:7] <= last]
    return {"imports": imports, "channels": channels_rows}


def _data_notes(rows) -> list[str]:
    """What the figures carry from aggregated reports (spec §1b): values rebuilt from percentages, and service
    level counted against a reported threshold other than the channel's setting."""
    notes = []
    for r in rows:
        subject = _subject(r.channel, r.metric)
        if r.rebuilt:
            notes.append(_("{subject} is rebuilt from the percentages of an aggregated report (≈): its counts were "
                           "not given.").format(subject=subject))
        if r.reported_threshold:
            low, high = r.reported_threshold
            shown = _("{seconds} s").format(seconds=_plain_number(low)) if low == high else \
                _("{low}–{high} s").format(low=_plain_number(low), high=_plain_number(high))
            notes.append(_("{subject} is counted within {shown}, the threshold its reports used, not the channel's "
                           "setting.").format(subject=subject, shown=shown))
    return notes


def _listed(items: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    if len(items) == 1:
        return items[0]
    return _("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


def _target_sentence(review: QuarterlyReview, r: ReviewRow, subject: str) -> str:
    """Missed months and a rolling rule at risk or breached, in one sentence (empty when neither)."""
    missed = [c for c in r.months if c.state == "missed"]
    sentence = ""
    if missed:
        sentence = _("{subject} missed its target in {months}.").format(subject=subject, months=_listed(
            [_("{month} ({value} against {target})").format(month=month_name(c.month),
                                                            value=format_value(r.metric, c.value),
                                                            target=format_value(r.metric, c.target))
             for c in missed]))
    if r.rolling_status in ("at_risk", "breached"):
        words = {"misses": r.rolling_misses, "n": review.settings["rule_n"],
                 "status": STATUS_WORDS[r.rolling_status].lower()}
        if sentence:
            sentence += " " + _("{misses} misses in the last {n} months: {status}.").format(**words)
        else:
            sentence = _("{subject}: {misses} misses in the last {n} months: {status}.").format(subject=subject,
                                                                                              **words)
    return sentence


def _change_sentence(r: ReviewRow, subject: str, previous_label: str) -> str:
    """A change on last quarter at least the metric's declared step, in words (empty when smaller)."""
    m, delta = METRICS[r.metric], r.previous_delta
    if delta is None:
        return ""
    if m.change_step_pct is not None:
        big = bool(r.previous_value) and abs(delta) >= m.change_step_pct / 100 * r.previous_value
    else:
        big = m.change_step is not None and abs(delta) >= m.change_step
    if not big:
        return ""
    better = (delta > 0) == (m.direction == "higher")
    size = metric_format(r.metric).change(abs(delta))
    text = _("{subject} improved {size} on {quarter} ({before} → {after}).") if better else \
        _("{subject} worsened {size} on {quarter} ({before} → {after}).")
    return text.format(subject=subject, size=size, quarter=previous_label,
                       before=format_value(r.metric, r.previous_value), after=format_value(r.metric, r.quarter_value))


def findings(review: QuarterlyReview) -> list[str]:
    """Plain-language sentences generated from the review's numbers."""
    quarter = quarter_label(review.quarter)
    if not review.has_data:
        return [(_("No contacts in {quarter} for the chosen channels: there is nothing to review.") if review.channels
                 else _("No contacts in {quarter}: there is nothing to review.")).format(quarter=quarter)]
    previous = shift_quarter(review.quarter, -1)
    previous_label = short_quarter_label(previous) if previous[:4] == review.quarter[:4] else \
        quarter_label(previous)
    out, changes = [], []
    for r in review.rows:
        subject = _subject(r.channel, r.metric)
        out.append(_target_sentence(review, r, subject))
        changes.append(_change_sentence(r, subject, previous_label))
    out = [s for s in out if s] + [s for s in changes if s]
    for channel in review.channels:
        rows = [r for r in review.rows if r.channel == channel and METRICS[r.metric].survey]
        if rows and all(r.quarter_n == 0 for r in rows):
            out.append(_("Satisfaction is not measured on {channel}: no CSAT, NPS or CES responses in {quarter}.")
                       .format(channel=channel_name(channel).lower(), quarter=quarter))
    if not any(c.state == "missed" for r in review.rows for c in r.months):
        loaded = [m for m in review.months if m not in review.not_loaded]
        out.insert(0, _("Every targeted metric met its target in every month of {quarter}.").format(quarter=quarter)
                   if not review.not_loaded else
                   _("Every targeted metric met its target in every month loaded so far ({months}).")
                   .format(months=", ".join(month_name(m) for m in loaded)))
    out += review.data_notes
    if review.not_loaded:  # first: every comparison below is of a partial quarter
        out.insert(0, _sentence(ngettext(
            "{months} is not loaded yet: the store's data end before it, so {quarter} is reviewed on the months "
            "loaded so far.",
            "{months} are not loaded yet: the store's data end before them, so {quarter} is reviewed on the months "
            "loaded so far.", len(review.not_loaded))
            .format(months=_listed([month_name(m) for m in review.not_loaded]), quarter=quarter)))
    return out
