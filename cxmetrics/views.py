"""What each dashboard page shows, computed from the store (pages only render these).

Every function returns plain data (dataclasses, lists and pandas frames built from query
results); no page does SQL or group-bys.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations; each table-making function imports pandas itself, so that a new process drawing
    import pandas as pd  # only the Overview (no pandas table) starts 0.3–0.4 s sooner (README "Architecture")

from . import early_warning as ew
from .benchmarks import list_benchmarks
from .charts import (NPS_GROUPS, channel_detail_specs, coverage_chart, nps_groups, overview_trend_specs,
                     satisfaction_specs, spec)
from .compliance import compliance
from .config import channel_settings, get_settings
from .display import (STATE_WORDS, STATUS_LOOKS, STATUS_WORDS, channel_name, day_label, format_delta, format_duration,
                      format_number, format_value, import_kind_word, month_label, ordered_channels, quarter_label,
                      safe_csv_text, short_number, state_text, target_text, tolerance_text, weekday_names)
from .errors import ImportRefused, RowProblem, UsageError
from .followup import overdue_count
from .i18n import DEFAULT_LANGUAGE, N_, _, current_language
from .ingest import list_imports, quarantined_rows
from .kpis import coarser_data, kpis
from .maturity import assessments, proposed_scores
from .metrics import METRICS
from .months import add_months, last_complete_month, month_name, month_range, shift_quarter
from .quality import detect_missing_days, latest_month, sparse_channels
from .review import quarterly_review
from .schema import QUARANTINE_COLUMNS, SL_FORMULA_TEXT, with_field_labels
from .storage import Store
from .targets import list_targets, replace_targets, validate_target
from .workbook import review_workbook_bytes

KEY_METRICS = ("volume", "service_level", "abandon_rate", "asa", "aht", "fcr", "csat", "nps")


# -- choices ---------------------------------------------------------------------------------------
@dataclass
class Choices:
    months: list[str]
    channels: list[str]
    queues: list[str]
    teams: list[str]
    agents: list[str]


def choices(store: Store) -> Choices:
    """Months, channels and drill-down values present in the store (for the filters), in one pass."""
    row = store.fetchone(
        "SELECT list(DISTINCT strftime(day, '%Y-%m')), list(DISTINCT channel) FROM measures_coverage")
    groups = store.fetchone(
        "SELECT list(DISTINCT queue) FILTER (WHERE queue IS NOT NULL), list(DISTINCT team) FILTER "
        "(WHERE team IS NOT NULL), list(DISTINCT agent) FILTER (WHERE agent IS NOT NULL) FROM measures_agent")
    months, present, queues, teams, agents = (sorted(v or []) for v in (*row, *groups))
    channels = ordered_channels(present)
    return Choices(months, channels, queues[:5000], teams[:5000], agents[:5000])


def is_empty(store: Store) -> bool:
    """No import, and no measures either (a store serving a lake's measures has no imports of its own)."""
    return not store.scalar("SELECT (SELECT count(*) FROM imports) + (SELECT count(*) FROM measures_coverage)")


def _frame(rows) -> pd.DataFrame:
    import pandas as pd
    frame = pd.DataFrame([r.__dict__ for r in rows])
    if frame.empty:
        frame = pd.DataFrame(columns=["period", "channel", "metric", "value", "n", "target", "state", "group",
                                      "tolerance_pct"])
    return frame


# -- overview --------------------------------------------------------------------------------------
@dataclass
class Tile:
    channel: str
    metric: str
    label: str
    value: float | None
    value_text: str
    target_text: str
    state: str | None
    state_text: str
    delta_text: str | None
    delta_good: bool | None
    n: int
    help: str


@dataclass
class Overview:
    month: str
    channels: list[str]
    tiles: dict[str, list[Tile]]
    scorecard: list[dict]  # Channel and one column per key metric, as text (symbol and value)
    scorecard_states: list[dict]  # the state behind each scorecard cell, for colouring
    attention: list[dict]  # Channel, Metric, Issue, Detail
    missed_count: int = 0
    trend_specs: dict = field(default_factory=dict)  # metric → Vega-Lite spec (None: nothing to draw)
    not_measured: dict[str, list[str]] = field(default_factory=dict)  # channel → metric labels without any value
    notice: str | None = None  # why there is nothing to show, in a manager's words
    marks_note: str = ""  # what ≈ means, when a figure shown was rebuilt from a report's percentages


REBUILT_NOTE = N_("≈ rebuilt from the percentages of an aggregated report (its counts were not given).")


def _english() -> bool:
    return current_language() == DEFAULT_LANGUAGE




def _month_in_text(month: str) -> str:
    """A month inside a sentence: "March" in English (as the pages always wrote it), «март 2026» in Russian."""
    return month_name(month) if _english() else month_label(month)


def _marked(metric: str, value, rebuilt: bool) -> str:
    """A value as text, marked ≈ when it was rebuilt from a report's percentages (spec §1b)."""
    text = format_value(metric, value)
    return f"≈ {text}" if rebuilt and value is not None else text


def marked_value(r) -> str:
    """A KPI value as text, marked ≈ when it was rebuilt from a report's percentages (spec §1b)."""
    return _marked(r.metric, r.value, r.rebuilt)


def threshold_note(r) -> str:
    """" · within 30 s (as reported)" when reports counted service level against another threshold than the
    channel's setting (spec §1b); empty otherwise."""
    if not r.reported_threshold:
        return ""
    low, high = r.reported_threshold
    if low == high:
        return " · " + _("within {seconds} s (as reported)").format(seconds=short_number(low))
    return " · " + _("within {low}–{high} s (as reported)").format(low=short_number(low), high=short_number(high))


def measured_metrics(rows) -> set[tuple[str, str]]:
    """(channel, metric) pairs with at least one value among these KPI rows."""
    return {(r.channel, r.metric) for r in rows if r.value is not None}


def overview(store: Store, month: str, channels: list[str] | None = None, queues: list[str] | None = None,
             teams: list[str] | None = None, months_back: int = 12) -> Overview:
    """Tiles, scorecard, 13-month trends and the 'needs attention' list for a month.

    A metric with no value on a channel in any of these months (CSAT on an ACD log) is not measured there:
    it gets no tile, only a line saying so.
    """
    first = add_months(month, -months_back)
    filters = {"queue": queues or [], "team": teams or []}
    rows = kpis(store, "month", channels=channels or None, date_from=first, date_to=month,
                metrics=list(KEY_METRICS), filters=filters)
    measured = measured_metrics(rows)
    current = {(r.channel, r.metric): r for r in rows if r.period == month}
    previous = {(r.channel, r.metric): r for r in rows if r.period == add_months(month, -1)}
    shown = [c for c in (channels or ordered_channels({k[0] for k in current}))
             if any(k[0] == c for k in current)]
    tiles: dict[str, list[Tile]] = {}
    not_measured: dict[str, list[str]] = {}
    for channel in shown:
        tiles[channel] = []
        for mid in KEY_METRICS:
            r = current.get((channel, mid))
            if r is None:
                continue
            m = METRICS[mid]
            if (channel, mid) not in measured:
                not_measured.setdefault(channel, []).append(m.short or m.label)
                continue
            prev = previous.get((channel, mid))
            delta = None if prev is None or prev.value is None or r.value is None else r.value - prev.value
            good = None if delta is None or m.direction == "band" else (delta >= 0) == (m.direction == "higher")
            tiles[channel].append(Tile(
                channel, mid, m.short or m.label, r.value, marked_value(r),
                (_("no target") if r.target is None else
                 _("target {value}").format(value=target_text(mid, r.target, r.tolerance_pct))) + threshold_note(r),
                r.state, STATE_WORDS[r.state], format_delta(mid, delta), good, r.n,
                f"{m.label}: {m.description} (n = {format_number(r.n)})"
                + (f" {_(REBUILT_NOTE)}" if r.rebuilt else "")))
    scorecard, scorecard_states = _scorecard(rows, month, shown, measured)
    attention = []
    missed = [r for r in rows if r.period == month and r.state == "missed" and r.channel in shown]
    heading = {key: _(key) for key in (N_("Channel"), N_("Metric"), N_("Issue"), N_("Detail"))}
    for r in missed:
        attention.append({heading["Channel"]: channel_name(r.channel), heading["Metric"]: METRICS[r.metric].label,
                          heading["Issue"]: _("Missed this month"),
                          heading["Detail"]: _("{value} against {target}").format(
                              value=format_value(r.metric, r.value), target=format_value(r.metric, r.target))})
    for c in compliance(store, month, shown or None):
        if c.status in ("at_risk", "breached"):
            attention.append({heading["Channel"]: channel_name(c.channel), heading["Metric"]: METRICS[c.metric].label,
                              heading["Issue"]: _("Rolling rule: {status}").format(
                                  status=STATUS_WORDS[c.status].lower()),
                              heading["Detail"]: _("{n} misses in the last {months} months").format(
                                  n=len(c.flagged_months), months=c.months_in_window)})
    notice = None
    if not shown:
        notice = (_("No inbound contacts in {month} for these filters: the metrics count inbound contacts only "
                    "(outbound calls are stored but not measured).") if channels or queues or teams else
                  _("No inbound contacts in {month}: the metrics count inbound contacts only (outbound calls are "
                    "stored but not measured).")).format(month=month_label(month))
    marks = _(REBUILT_NOTE) if any(r.rebuilt for r in rows if r.period == month and r.channel in shown) else ""
    return Overview(month, shown, tiles, scorecard, scorecard_states, attention, len(missed),
                    overview_trend_specs([vars(r) for r in rows], KEY_METRICS, list_benchmarks(store)), not_measured,
                    notice, marks)


def _scorecard(rows, month: str, channels: list[str], measured: set) -> tuple[list[dict], list[dict]]:
    """Channel × key metric for the month, each cell with its state symbol (short labels so it fits), and the
    state behind each cell."""
    data, states = [], []
    current = {(r.channel, r.metric): r for r in rows if r.period == month}
    for channel in channels:
        line, line_states = {_("Channel"): channel_name(channel)}, {}
        for mid in KEY_METRICS:
            r = current.get((channel, mid))
            heading = METRICS[mid].short or METRICS[mid].label
            if (channel, mid) not in measured:
                text, line_states[heading] = state_text("not_measured"), "not_measured"
            else:
                text = "–" if r is None else marked_value(r)
                if r is not None and r.state:
                    text, line_states[heading] = state_text(r.state, text), r.state
            line[heading] = text
        data.append(line)
        states.append(line_states)
    return data, states


# -- channel detail ----------------------------------------------------------------------------------------------
@dataclass
class ChannelDetail:
    channel: str
    month: str
    monthly: pd.DataFrame
    daily: pd.DataFrame
    heatmap: pd.DataFrame
    drilldown: dict[str, pd.DataFrame]
    nps_structure: pd.DataFrame
    settings: dict
    specs: dict = field(default_factory=dict)  # chart name → Vega-Lite spec; None: nothing to draw
    settings_text: str = ""
    grain_notes: dict = field(default_factory=dict)  # view → why it is empty (data too coarse, spec §1b)
    marks: list = field(default_factory=list)  # what the figures carry: rebuilt values, reported thresholds
    benchmarks: list = field(default_factory=list)  # the industry benchmarks drawn on the trends (never targets)


# Why a view is empty: (view, the finest grain the channel's data have) → the sentence ({channel}, {month}).
_GRAIN_NOTES = {
    ("daily", "week"): N_("{channel} in {month} comes from a weekly report (aggregated), which has no a daily view: "
                          "its rows cover longer periods."),
    ("daily", "month"): N_("{channel} in {month} comes from a monthly report (aggregated), which has no a daily "
                           "view: its rows cover longer periods."),
    ("heatmap", "day"): N_("{channel} in {month} comes from a daily report (aggregated), which has no a weekday × "
                           "half-hour heatmap: its rows cover longer periods."),
    ("heatmap", "week"): N_("{channel} in {month} comes from a weekly report (aggregated), which has no a weekday × "
                            "half-hour heatmap: its rows cover longer periods."),
    ("heatmap", "month"): N_("{channel} in {month} comes from a monthly report (aggregated), which has no a weekday "
                             "× half-hour heatmap: its rows cover longer periods."),
}
_BY_HEADINGS = {"queue": N_("Queue"), "team": N_("Team"), "agent": N_("Agent")}
NO_GROUP = N_("(none)")  # a drill-down row of contacts without a queue, team or agent


def channel_detail(store: Store, channel: str, month: str, months_back: int = 12) -> ChannelDetail:
    """Monthly trends, the month's days, weekday × half-hour heatmaps, NPS structure and drill-downs."""
    first = add_months(month, -months_back)
    monthly_rows = kpis(store, "month", channels=[channel], date_from=first, date_to=month)
    monthly = _frame(monthly_rows)
    daily = _frame(kpis(store, "day", channels=[channel], date_from=month, date_to=month,
                        metrics=["volume", "service_level", "abandon_rate", "aht"]))
    heat = _frame(kpis(store, "weekday_interval", channels=[channel], date_from=month, date_to=month,
                       metrics=["volume", "service_level"]))
    if not heat.empty:
        heat["weekday"] = heat["period"].str[0].astype(int).map(dict(enumerate([""] + weekday_names())))
        heat["time"] = heat["period"].str[2:]
    drill = {}
    for by in ("queue", "team", "agent"):
        rows = kpis(store, "month", by=by, channels=[channel], date_from=month, date_to=month,
                    metrics=["volume", "handled", "service_level", "abandon_rate", "asa", "aht", "fcr", "csat"])
        drill[by] = _pivot(rows, by)
    structure = monthly[monthly["metric"].isin(list(NPS_GROUPS))][["period", "metric", "value", "n"]].copy()
    structure["group"] = structure["metric"].map(nps_groups())
    settings = next((s for s in channel_settings(store) if s["channel"] == channel), {})
    detail = ChannelDetail(channel, month, monthly, daily, heat, drill, structure, settings,
                           settings_text=channel_settings_text(settings), benchmarks=list_benchmarks(store))
    for view, period in (("daily", "day"), ("heatmap", "interval")):
        coarse = coarser_data(store, period, [channel], month, month).get(channel)
        if coarse:
            detail.grain_notes[view] = _(_GRAIN_NOTES[view, coarse]).format(channel=channel_name(channel),
                                                                           month=_month_in_text(month))
    for r in monthly_rows:  # the trend rows carry the marks: no second query
        if r.rebuilt:
            detail.marks.append(f"{METRICS[r.metric].label}, {_month_in_text(r.period)}: {_(REBUILT_NOTE)}")
        if r.reported_threshold:
            detail.marks.append(_("{metric}, {month}: counted{note} instead of the channel's setting.").format(
                metric=METRICS[r.metric].label, month=_month_in_text(r.period), note=threshold_note(r)))
    detail.specs = channel_detail_specs(detail)
    return detail


def channel_settings_text(settings: dict) -> str:
    """The service-level rule in force for a channel, in words (the formula, not its id)."""
    if not settings:
        return ""
    formula = SL_FORMULA_TEXT[settings["sl_formula"]]  # marked N_() in the schema
    return _("Service level: answered within {threshold} s, counted as {formula}; abandons before {short} s are "
             "short abandons and left out.").format(threshold=format_number(settings["sl_threshold_s"]),
                                                    formula=_(formula),
                                                    short=format_number(settings["short_abandon_s"]))


def _pivot(rows, by: str) -> pd.DataFrame:
    import pandas as pd
    table: dict[str, dict] = {}
    for r in rows:
        key = r.group if r.group is not None else _(NO_GROUP)
        line = table.setdefault(key, {_(_BY_HEADINGS[by]) if by in _BY_HEADINGS else by.capitalize(): key})
        line[METRICS[r.metric].short or METRICS[r.metric].label] = format_value(r.metric, r.value)
    return pd.DataFrame(list(table.values()))


# -- compliance --------------------------------------------------------------------------------------------------
@dataclass
class ComplianceView:
    as_of: str
    months: list[str]        # the month columns shown: from the first month any row counts, to the as-of month
    grid: pd.DataFrame       # one row per channel × metric: Channel, Metric, Status, Met, one column per month
    states: pd.DataFrame     # the same cells as raw states (None: not counted), for colouring
    flagged: pd.DataFrame    # Channel, Metric, Month, Value, Target, Gap, State
    rows: list               # the ComplianceRow objects
    status_counts: list[tuple[str, int]] = field(default_factory=list)  # (status, rows) in rule order
    marks_note: str = ""     # what ≈ means, when a month shown was rebuilt from a report's percentages


def compliance_view(store: Store, as_of: str, channels: list[str] | None = None) -> ComplianceView:
    """The rolling-rule grid: a row per channel × metric, a cell per month with its state in symbol and words.

    Leading months that no row counts (before every channel's first month) are left out, so a store with
    one month of data shows that month, not eleven blank columns first.
    """
    import pandas as pd
    rows = compliance(store, as_of, channels)
    conf = get_settings(store)
    window = month_range(add_months(as_of, -(int(conf["rule_n"]) - 1)), as_of)
    used = [m for m in window if any(c.month == m and c.state is not None for r in rows for c in r.cells)]
    months = window[window.index(used[0]):] if used else window
    grid, states, flagged = [], [], []
    rebuilt_shown = False
    for r in rows:
        m = METRICS[r.metric]
        line = {_("Channel"): channel_name(r.channel), _("Metric"): m.short or m.label,
                _("Status"): STATUS_WORDS[r.status],
                _("Met"): _("{met} of {months}").format(met=r.months_met, months=r.months_in_window)}
        state_line = {"Channel": r.channel, "Metric": r.metric, "Status": r.status}
        for cell in r.cells:
            if cell.month not in months:
                continue
            value_text = _marked(r.metric, cell.value, cell.rebuilt)
            rebuilt_shown = rebuilt_shown or (cell.rebuilt and cell.value is not None)
            line[cell.month] = "" if cell.state is None else state_text(cell.state, value_text, compact=True)
            state_line[cell.month] = cell.state
            if cell.state in ("missed", "no_data"):
                gap = None if cell.value is None or cell.target is None else cell.value - cell.target
                flagged.append({_("Channel"): channel_name(r.channel), _("Metric"): METRICS[r.metric].label,
                                _("Month"): month_label(cell.month), _("Value"): value_text,
                                _("Target"): format_value(r.metric, cell.target),
                                _("Gap"): format_delta(r.metric, gap) or "–", _("State"): STATE_WORDS[cell.state]})
        grid.append(line)
        states.append(state_line)
    counts = [(status, sum(r.status == status for r in rows)) for status in STATUS_LOOKS]
    return ComplianceView(as_of, months, pd.DataFrame(grid), pd.DataFrame(states, dtype=object),
                          pd.DataFrame(flagged), rows, [(s, n) for s, n in counts if n],
                          marks_note=_(REBUILT_NOTE) if rebuilt_shown else "")


# -- targets and settings -------------------------------------------------------------------------------------------
def targets_frame(store: Store) -> pd.DataFrame:
    import pandas as pd
    rows = [{**t.__dict__, "shown": target_text(t.metric, t.target, t.tolerance_pct)} for t in list_targets(store)]
    # "shown": the target as the pages write it (seconds typed as 1200 read 20:00), beside the number typed
    frame = pd.DataFrame(rows, columns=["channel", "metric", "target", "tolerance_pct", "effective_from", "shown"])
    frame["effective_from"] = frame["effective_from"].fillna("")
    return frame


def save_targets_frame(store: Store, frame: pd.DataFrame) -> int:
    """Validate every edited row (all problems at once) and replace the targets."""
    import pandas as pd

    targets, problems = [], []
    for number, row in enumerate(frame.to_dict("records"), start=1):
        values = [row.get(k) for k in ("channel", "metric", "target", "tolerance_pct", "effective_from")]
        if all(v is None or (isinstance(v, float) and pd.isna(v)) or v == "" for v in values):
            continue
        values = [None if isinstance(v, float) and pd.isna(v) else v for v in values]
        try:
            targets.append(validate_target(*values))
        except UsageError as exc:
            problems.append(RowProblem(_("targets table"), number, None, None, str(exc)))
    if problems:
        raise ImportRefused(_("Some target rows are invalid; nothing was saved."), problems)
    replace_targets(store, targets)
    return len(targets)


def benchmarks_frame(store: Store) -> pd.DataFrame:
    """The industry benchmarks as the Targets & settings page shows them (read-only): who says so, when, for what."""
    import pandas as pd
    columns = [_("Channel"), _("Metric"), _("Benchmark"), _("Source"), _("Year"), _("Scope")]
    return pd.DataFrame([[channel_name(b.channel), METRICS[b.metric].label, format_value(b.metric, b.value), b.source,
                          str(b.year), b.scope] for b in list_benchmarks(store)], columns=columns)


def channel_settings_frame(store: Store) -> pd.DataFrame:
    """The channel settings for their editor, with each SL threshold as a time beside the seconds typed (86400
    reads 24:00:00)."""
    import pandas as pd
    frame = pd.DataFrame(channel_settings(store))
    frame["sl_threshold_shown"] = frame["sl_threshold_s"].map(format_duration)
    return frame


# -- data quality ---------------------------------------------------------------------------------------------------
@dataclass
class DataQuality:
    coverage: pd.DataFrame       # channel, day, contacts
    missing_days: dict[str, list[str]]
    imports: pd.DataFrame
    quarantine: pd.DataFrame
    unknown_customers: int
    contacted_customers: int
    have_customers_export: bool
    warnings: list[str] = field(default_factory=list)
    coverage_spec: dict = field(default_factory=dict)


def data_quality(store: Store) -> DataQuality:
    import pandas as pd
    coverage = store.df(
        "SELECT channel, day, sum(contacts) AS contacts FROM measures_coverage GROUP BY ALL ORDER BY channel, day")
    order = {c: i for i, c in enumerate(ordered_channels(coverage["channel"].unique()))}
    coverage = coverage.sort_values(["channel", "day"], key=lambda col: col.map(order) if col.name == "channel"
                                    else col).reset_index(drop=True)
    missing = detect_missing_days(store)
    warnings = []
    for channel, days in missing.items():
        shown = ", ".join(day_label(d) for d in days[:10])
        if len(days) > 10:
            shown = _("{days} and {n} more").format(days=shown, n=format_number(len(days) - 10))
        warnings.append(_("{channel}: no contacts on {days} — a day the centre usually works. Check that the export "
                          "covers it.").format(channel=channel_name(channel), days=shown))
    for channel, (worked, span, first, last) in sparse_channels(store).items():
        warnings.append(_("{channel}: contacts on only {worked} of the {span} days from {first} to {last}, so the "
                          "data cannot tell days the centre was closed from days missing from the export. Check the "
                          "calendar below against the days the channel works.").format(
            channel=channel_name(channel), worked=format_number(worked), span=format_number(span),
            first=day_label(first), last=day_label(last)))
    imports = pd.DataFrame(list_imports(store))
    if not imports.empty:
        imports = imports.drop(columns=["mapping_json", "sha256"])
        imports["kind"] = imports["kind"].map(import_kind_word)
    quarantine = pd.DataFrame(quarantined_rows(store))
    have = bool(store.scalar("SELECT count(*) FROM customers"))
    # the customers who contacted, kept at import (measures_customers), against the customers export
    contacted, unknown = store.fetchone(
        "SELECT (SELECT count(*) FROM measures_customers), "
        "(SELECT count(*) FROM measures_customers ANTI JOIN customers USING (customer_id))")
    contacted, unknown = int(contacted), int(unknown) if have else 0
    return DataQuality(coverage, missing, imports, quarantine, unknown, contacted, have, warnings,
                       spec(coverage_chart(coverage)))


def quarantine_download(store: Store, import_id: int) -> str:
    """The rows an import set aside, as the Upload page's CSV download: safe to open in Excel, the reasons in the
    page's language with field labels (the CLI's `quarantine --out` keeps the stored English and ids)."""
    header = list(QUARANTINE_COLUMNS)
    return safe_csv_text(header, ([with_field_labels(r[h]) if h == "reason" else r[h] for h in header]
                                  for r in quarantined_rows(store, import_id)))


def quarters(store: Store) -> list[str]:
    """Quarters with contacts, newest first."""
    return [r[0] for r in store.fetchall(
        "SELECT DISTINCT strftime(day, '%Y') || 'Q' || quarter(day) FROM measures_coverage ORDER BY 1 DESC")]



# -- quarterly review --------------------------------------------------------------------------------------------
@dataclass
class ReviewPage:
    review: object
    table: pd.DataFrame      # the scorecard as display text
    states: pd.DataFrame     # the state behind each month / quarter cell, for colouring
    targets: pd.DataFrame
    workbook: bytes


def review_page(store: Store, quarter: str, channels: list[str] | None = None) -> ReviewPage:

    import pandas as pd
    review = quarterly_review(store, quarter, channels)
    lines, states = [], []
    for r in review.rows:
        line = {_("Channel"): channel_name(r.channel), _("Metric"): METRICS[r.metric].label}
        state = {}
        for cell in r.months:
            column = month_name(cell.month).capitalize()  # a heading: "March" (Russian «Март»)
            # only the symbol for a month with nothing to show: the legend is above the table, and the words
            # ("… Not loaded yet") widened three columns until the changes at the right were cut off
            line[column] = state_text(cell.state, _marked(r.metric, cell.value, cell.rebuilt), compact=True)
            state[column] = cell.state
        line[_("Quarter")] = state_text(r.quarter_state, _marked(r.metric, r.quarter_value, r.quarter_rebuilt))
        state[_("Quarter")] = r.quarter_state
        line[_("Target")] = format_value(r.metric, r.quarter_target)
        line[_("Rolling rule")] = STATUS_WORDS.get(r.rolling_status, "–")
        line[_("vs {quarter}").format(quarter=quarter_label(shift_quarter(quarter, -1)))] = \
            format_delta(r.metric, r.previous_delta) or "–"
        line[_("vs {quarter}").format(quarter=quarter_label(shift_quarter(quarter, -4)))] = \
            format_delta(r.metric, r.last_year_delta) or "–"
        lines.append(line)
        states.append(state)
    targets = pd.DataFrame([{
        _("Channel"): channel_name(t["channel"]), _("Metric"): METRICS[t["metric"]].label,
        _("Target"): format_value(t["metric"], t["target"]), _("Tolerance"): tolerance_text(t["tolerance_pct"]),
        _("Effective from"): month_label(t["effective_from"]) if t["effective_from"] else _("always"),
        _("Row for"): channel_name(t["scope"]),
        _("In force in"): ", ".join(month_name(m) for m in t["months"])} for t in review.targets])
    return ReviewPage(review, pd.DataFrame(lines), pd.DataFrame(states, dtype=object), targets,
                      review_workbook_bytes(review))


# -- satisfaction structure ------------------------------------------------------------------------------------------
@dataclass
class Satisfaction:
    months: list[str]
    structure: pd.DataFrame      # period, channel, group (promoters/passives/detractors), value (%), n
    responses: pd.DataFrame      # Channel × month: responses and response rate, CSAT, NPS, CES
    csat_distribution: pd.DataFrame  # channel, score 1–5, responses, share
    not_measured: list[str]      # channels with contacts but no survey response at all
    specs: dict = field(default_factory=dict)


def satisfaction(store: Store, month_from: str, month_to: str) -> Satisfaction:
    """NPS as promoters/passives/detractors, response counts and rates, CSAT distribution and CES, per channel."""
    import pandas as pd
    rows = kpis(store, "month", date_from=month_from, date_to=month_to,
                metrics=["handled", "responses", "response_rate", "csat", "nps", "nps_promoters", "nps_passives",
                         "nps_detractors", "ces"])
    frame = _frame(rows)
    structure = frame[frame["metric"].isin(list(NPS_GROUPS))][["period", "channel", "metric", "value", "n"]].copy()
    structure["group"] = structure["metric"].map(nps_groups())
    table = []
    channels = [c for c in choices(store).channels if c in set(frame["channel"])]
    for channel in channels:
        mine = frame[frame["channel"] == channel]
        for month in sorted(mine["period"].unique()):
            cell = {r.metric: r for r in mine[mine["period"] == month].itertuples()}
            line = {_("Channel"): channel_name(channel), _("Month"): month_label(month)}
            for mid in ("handled", "responses", "response_rate", "csat", "nps", "ces"):
                line[METRICS[mid].label] = format_value(mid, cell[mid].value)
            table.append(line)
    totals = frame[frame["metric"] == "responses"].groupby("channel")["value"].sum() if not frame.empty else {}
    not_measured = [c for c in channels if not totals.get(c)]
    distribution = store.df("""
        SELECT channel, score, responses FROM (
            SELECT channel, score, sum(responses) AS responses
            FROM (UNPIVOT (SELECT channel, csat_score_1, csat_score_2, csat_score_3, csat_score_4, csat_score_5
                           FROM measures_day WHERE day >= CAST(? AS DATE) AND day < CAST(? AS DATE))
                  ON COLUMNS(* EXCLUDE (channel)) INTO NAME score_name VALUE responses)
                 , LATERAL (SELECT CAST(right(score_name, 1) AS INTEGER) AS score)
            GROUP BY ALL)
        WHERE responses > 0 ORDER BY channel, score""",
        [month_from + "-01", add_months(month_to, 1) + "-01"])
    if not distribution.empty:
        distribution["share"] = 100.0 * distribution["responses"] / distribution.groupby("channel")[
            "responses"].transform("sum")
    data = Satisfaction(month_range(month_from, month_to), structure, pd.DataFrame(table), distribution,
                        not_measured)
    data.specs = satisfaction_specs(data)
    return data


# -- maturity -----------------------------------------------------------------------------------------------------
@dataclass
class MaturityContext:
    as_of: str
    evidence: dict               # statement number → maturity.Evidence
    metric_values: pd.DataFrame  # metric × channel, last complete month, formatted
    history: pd.DataFrame


def maturity_context(store: Store) -> MaturityContext:

    import pandas as pd
    as_of = last_complete_month()
    latest = latest_month(store)
    if latest and latest < as_of:
        as_of = latest  # the data end before last month: judge the months the data have
    rows = kpis(store, "month", date_from=as_of, date_to=as_of)
    values: dict[str, dict] = {}
    for r in rows:
        values.setdefault(r.metric, {_("Metric"): METRICS[r.metric].label})[channel_name(r.channel)] = \
            format_value(r.metric, r.value)
    frame = pd.DataFrame([dict(values[m], id=m) for m in values])
    return MaturityContext(as_of, proposed_scores(store, as_of), frame, assessments(store))


def early_warning(store: Store) -> dict:
    """The current month's alerts and the overdue follow-up count, for the Overview.

    When the store holds nothing for the current month yet, `stale` says so ("no data for 2026-11 yet
    (latest: 2026-04)") instead of an empty list that would read as "nothing is behind".
    """
    today = dt.date.today()
    stale = ew.staleness(store, today)
    return {"month": today.strftime("%Y-%m"), "alerts": [] if stale else [a.text for a in ew.alerts(store, today)],
            "overdue": overdue_count(store, today), "stale": stale, "latest": latest_month(store)}
