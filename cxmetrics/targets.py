"""Targets with history, month states, the "k of n months" rule, settings and channel settings (spec §4)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from .display import ordered_channels
from .errors import UsageError
from .metrics import METRICS, REGISTRY, TARGETED, kpi_sql, metric
from .schema import CHANNEL_DEFAULTS, CHANNELS, OTHER_CHANNEL_DEFAULTS, SL_FORMULAS
from .storage import DEFAULT_SETTINGS, Store

TARGET_HEADER = ["channel", "metric", "target", "tolerance_pct", "effective_from"]
# Month states (spec §4). "not_measured": a counted month of a channel × metric that has no value in any
# counted month (no surveys on an ACD log). "not_loaded": a month after the store's last day of data.
STATES = ("met", "met_within_tolerance", "missed", "no_data", "not_measured", "not_loaded")
STATUSES = ("compliant", "at_risk", "breached", "insufficient_history", "not_measured")



# -- settings ---------------------------------------------------------------------------------------
def get_settings(store: Store) -> dict[str, str]:
    return dict(store.fetchall("SELECT key, value FROM settings ORDER BY key"))


def set_setting(store: Store, key: str, value: str) -> None:
    """Validate and store one setting; a time-zone change re-buckets every contact."""
    set_settings(store, {key: value})


def set_settings(store: Store, changes: dict[str, str]) -> None:
    """Validate several settings together (k ≤ n is checked on the result), then store them at once."""
    current = get_settings(store)
    new = dict(current)
    for key, value in changes.items():
        if key not in DEFAULT_SETTINGS:
            raise UsageError(f"unknown setting {key!r}; settings are {', '.join(DEFAULT_SETTINGS)}")
        value = str(value).strip()
        if key == "timezone":
            if not store.scalar("SELECT count(*) FROM pg_timezone_names() WHERE name = ?", [value]):
                raise UsageError(f"unknown time zone {value!r}: use an IANA name such as Europe/Berlin or UTC")
        elif key in ("followup_nps_max", "followup_csat_max", "followup_ces_max"):
            if not re.fullmatch(r"\d+(\.\d+)?", value):
                raise UsageError(f"{key} must be a score, e.g. 6")
        elif key == "max_upload_mb":
            if not re.fullmatch(r"\d+(\.\d+)?", value) or float(value) <= 0:
                raise UsageError("max_upload_mb must be a positive number of megabytes, e.g. 200")
        elif key == "fcr_window_days":
            if not re.fullmatch(r"\d+(\.\d+)?", value) or float(value) <= 0:
                raise UsageError("fcr_window_days must be a positive number of days, e.g. 7")
        elif not re.fullmatch(r"\d+", value) or int(value) <= 0:
            raise UsageError(f"{key} must be a positive whole number")
        new[key] = value
    if int(new["rule_k"]) > int(new["rule_n"]):
        raise UsageError(f"rule_k ({new['rule_k']}) cannot exceed rule_n ({new['rule_n']}): the rule is "
                         "'k of the last n months'")
    changed = {k: v for k, v in new.items() if v != current[k]}
    if not changed:
        return
    with store.transaction():
        for key, value in changed.items():
            store.execute("UPDATE settings SET value = ? WHERE key = ?", [value, key])
        if "timezone" in changed:
            store.execute("UPDATE contacts SET queued_local = timezone(?, queued_at)", [changed["timezone"]])


# -- channel settings -----------------------------------------------------------------------------------
def channel_settings(store: Store) -> list[dict]:
    """Every standard channel and every channel with data, with the settings in force."""
    stored = {r["channel"]: r for r in store.records("SELECT * FROM channel_settings")}
    seen = [r[0] for r in store.fetchall("SELECT DISTINCT channel FROM contacts ORDER BY 1")]
    out = []
    for channel in list(CHANNELS) + [c for c in seen if c not in CHANNELS]:
        d = CHANNEL_DEFAULTS.get(channel, OTHER_CHANNEL_DEFAULTS)
        row = stored.get(channel, {"channel": channel, "sl_threshold_s": float(d.sl_threshold_s),
                                   "short_abandon_s": float(d.short_abandon_s), "sl_formula": d.sl_formula})
        out.append(dict(row))
    return out


def set_channel(store: Store, channel: str, sl_threshold_s=None, short_abandon_s=None, sl_formula=None) -> dict:
    channel = channel.strip().lower()
    if not channel:
        raise UsageError("give a channel slug, e.g. voice")
    current = next((r for r in channel_settings(store) if r["channel"] == channel), None)
    if current is None:
        d = OTHER_CHANNEL_DEFAULTS
        current = {"channel": channel, "sl_threshold_s": d.sl_threshold_s, "short_abandon_s": d.short_abandon_s,
                   "sl_formula": d.sl_formula}
    for name, value in (("sl_threshold_s", sl_threshold_s), ("short_abandon_s", short_abandon_s)):
        if value is not None:
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise UsageError(f"{name} must be a number of seconds, not {value!r}") from None
            if number < 0:
                raise UsageError(f"{name} cannot be negative")
            current[name] = number
    if sl_formula is not None:
        if sl_formula not in SL_FORMULAS:
            raise UsageError(f"sl_formula must be one of {', '.join(SL_FORMULAS)}, not {sl_formula!r}")
        current["sl_formula"] = sl_formula
    with store.transaction():
        store.execute("DELETE FROM channel_settings WHERE channel = ?", [channel])
        store.execute("INSERT INTO channel_settings VALUES (?, ?, ?, ?)",
                      [channel, current["sl_threshold_s"], current["short_abandon_s"], current["sl_formula"]])
    return current


# -- targets -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    channel: str
    metric: str
    target: float
    tolerance_pct: float = 0.0
    effective_from: str | None = None  # YYYY-MM, None = always


def _month(text) -> str | None:
    if text is None or str(text).strip() == "":
        return None
    text = str(text).strip()
    if isinstance(text, str) and re.fullmatch(r"\d{4}-\d{2}", text) and 1 <= int(text[5:]) <= 12:
        return text
    raise UsageError(f"effective_from {text!r} is not a month: write YYYY-MM, or leave it empty for 'always'")


def validate_target(channel, metric_id, target, tolerance_pct=0.0, effective_from=None) -> Target:
    channel = str(channel or "").strip().lower()
    if not channel:
        raise UsageError("a target needs a channel (a slug such as voice, or * for every channel)")
    if metric_id not in METRICS or not METRICS[metric_id].targeted:
        raise UsageError(f"unknown metric {metric_id!r} for a target; targeted metrics are {', '.join(TARGETED)}")
    try:
        target = float(target)
        tolerance_pct = float(tolerance_pct if tolerance_pct not in (None, "") else 0)
    except (TypeError, ValueError):
        raise UsageError(f"target and tolerance_pct must be numbers (got {target!r}, {tolerance_pct!r})") from None
    if target != target or target < 0:
        raise UsageError(f"target for {channel}/{metric_id} cannot be negative")
    if tolerance_pct != tolerance_pct or tolerance_pct < 0:
        raise UsageError("tolerance_pct cannot be negative")
    return Target(channel, metric_id, target, tolerance_pct, _month(effective_from))


def list_targets(store: Store) -> list[Target]:
    rows = store.fetchall("SELECT channel, metric, target, tolerance_pct, strftime(effective_from, '%Y-%m') "
                          "FROM targets ORDER BY channel, metric, effective_from NULLS FIRST")
    return [Target(*r) for r in rows]


def replace_targets(store: Store, targets: list[Target]) -> None:
    """Replace the whole target table (the app's editor saves this way)."""
    seen = set()
    for t in targets:
        key = (t.channel, t.metric, t.effective_from)
        if key in seen:
            raise UsageError(f"two targets for {t.channel}/{t.metric} from {t.effective_from or 'always'}")
        seen.add(key)
    with store.transaction():
        store.execute("DELETE FROM targets")
        for t in targets:
            _insert(store, t)


def _insert(store: Store, t: Target) -> None:
    store.execute("INSERT INTO targets VALUES (?, ?, ?, ?, CAST(? AS DATE))",
                  [t.channel, t.metric, t.target, t.tolerance_pct,
                   None if t.effective_from is None else t.effective_from + "-01"])


def set_target(store: Store, channel, metric_id, target, tolerance_pct=0.0, effective_from=None) -> Target:
    """Add or change the target row of one channel, metric and effective month."""
    t = validate_target(channel, metric_id, target, tolerance_pct, effective_from)
    with store.transaction():
        store.execute("DELETE FROM targets WHERE channel = ? AND metric = ? AND "
                      "effective_from IS NOT DISTINCT FROM CAST(? AS DATE)",
                      [t.channel, t.metric, None if t.effective_from is None else t.effective_from + "-01"])
        _insert(store, t)
    return t


def parse_targets_csv(text: str, file_name: str = "targets.csv") -> list[Target]:
    """Parse a targets CSV; every problem is reported with its row."""
    from .errors import ImportRefused, RowProblem

    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None or [h.strip() for h in header] != TARGET_HEADER:
        raise ImportRefused(f"{file_name}: the header must be exactly {','.join(TARGET_HEADER)}",
                            [RowProblem(file_name, 1, None, ",".join(header or []), "wrong header")])
    targets, problems = [], []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 5:
            problems.append(RowProblem(file_name, number, None, ",".join(row), "a row needs 5 fields"))
            continue
        try:
            targets.append(validate_target(*row))
        except UsageError as exc:
            problems.append(RowProblem(file_name, number, None, ",".join(row), str(exc)))
    if problems:
        raise ImportRefused(f"{file_name}: {len(problems)} target rows are invalid; no target was changed.", problems)
    return targets


def import_targets(store: Store, path: str | Path) -> int:
    """Replace the targets with the CSV's rows."""
    targets = parse_targets_csv(Path(path).read_text(encoding="utf-8-sig"), Path(path).name)
    replace_targets(store, targets)
    return len(targets)


def export_targets(store: Store) -> str:
    from .reports import safe_csv_text

    return safe_csv_text(TARGET_HEADER, ([t.channel, t.metric, t.target, t.tolerance_pct, t.effective_from or ""]
                                         for t in list_targets(store)))


class TargetBook:
    """Looks up the target row in force for a channel, metric and month."""

    def __init__(self, targets: list[Target]):
        self._rows: dict[tuple[str, str], list[Target]] = {}
        for t in targets:
            self._rows.setdefault((t.channel, t.metric), []).append(t)
        for rows in self._rows.values():
            rows.sort(key=lambda t: t.effective_from or "")

    def in_force(self, channel: str, metric_id: str, month: str) -> Target | None:
        """Latest effective_from ≤ month; a channel-specific row beats '*'."""
        for key in ((channel, metric_id), ("*", metric_id)):
            best = None
            for t in self._rows.get(key, []):
                if (t.effective_from or "") <= month:
                    best = t
            if best is not None:
                return best
        return None

    def changes_in(self, channel: str, metric_id: str, first: str, last: str) -> list[Target]:
        """Every row in force at some month from first to last."""
        months = month_range(first, last)
        seen: list[Target] = []
        for m in months:
            t = self.in_force(channel, metric_id, m)
            if t is not None and t not in seen:
                seen.append(t)
        return seen


def month_state(metric_id: str, value: float | None, target: Target | None) -> str | None:
    """met / met_within_tolerance / missed / no_data; None when no target is in force."""
    if target is None:
        return None
    if value is None:
        return "no_data"
    direction = METRICS[metric_id].direction
    goal, tol = target.target, target.tolerance_pct / 100.0
    if direction == "band":
        return "met" if abs(value - goal) <= goal * tol else "missed"
    if direction == "higher":
        if value >= goal:
            return "met"
        return "met_within_tolerance" if value >= goal * (1 - tol) else "missed"
    if value <= goal:
        return "met"
    return "met_within_tolerance" if value <= goal * (1 + tol) else "missed"


# -- KPIs ---------------------------------------------------------------------------------------------------
@dataclass
class KpiRow:
    period: str
    channel: str
    metric: str
    value: float | None
    n: int
    target: float | None = None
    state: str | None = None
    group: str | None = None
    tolerance_pct: float | None = None


def kpis(store: Store, period: str = "month", by: str | None = None, channels: list[str] | None = None,
         date_from=None, date_to=None, metrics: list[str] | None = None,
         filters: dict[str, list[str]] | None = None) -> list[KpiRow]:
    """One row per period × channel (× group) × metric with at least one contact, in registry order.

    `filters` keeps only contacts whose queue/team/agent is among the values given.
    """
    metric_ids = list(metrics) if metrics else [m.id for m in REGISTRY]
    for mid in metric_ids:
        metric(mid)
    metric_ids = [m.id for m in REGISTRY if m.id in metric_ids]
    sql, params = kpi_sql(metric_ids, period, by, date_from, date_to, channels, filters)
    book = TargetBook(list_targets(store))
    out = []
    for row in store.records(sql, params):
        value = row["value"]
        t = (book.in_force(row["channel"], row["metric"], row["target_month"])
             if METRICS[row["metric"]].targeted and row["target_month"] else None)
        out.append(KpiRow(row["period"], row["channel"], row["metric"], value, int(row["n"] or 0),
                          None if t is None else t.target, month_state(row["metric"], value, t),
                          row.get("grp"), None if t is None else t.tolerance_pct))
    return out


# -- the rolling rule ------------------------------------------------------------------------------------------
def month_range(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def add_months(month: str, delta: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass
class MonthCell:
    month: str
    value: float | None
    target: float | None
    tolerance_pct: float | None
    state: str | None
    n: int = 0


@dataclass
class ComplianceRow:
    channel: str
    metric: str
    as_of: str
    window_start: str
    months_met: int
    months_with_data: int
    months_in_window: int
    status: str
    flagged_months: list[str]
    cells: list[MonthCell] = field(default_factory=list)


def rule_status(misses: int, k: int, n: int) -> str:
    """misses ≤ n − k − 1 → compliant; = n − k → at_risk; more → breached."""
    if misses <= n - k - 1:
        return "compliant"
    if misses == n - k:
        return "at_risk"
    return "breached"


def _check_month(text: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(text or "")):
        raise UsageError(f"--as-of {text!r}: write a month as YYYY-MM")
    return text


def loaded_through(store: Store) -> str | None:
    """The month of the last day the store holds contacts for (YYYY-MM); later months are not loaded yet."""
    return store.scalar("SELECT strftime(max(queued_local), '%Y-%m') FROM contacts")


def compliance(store: Store, as_of: str, channels: list[str] | None = None,
               metrics: list[str] | None = None) -> list[ComplianceRow]:
    """The k-of-n rule per channel × targeted metric at the as-of month (spec §4).

    Months after the store's last day of data are "not loaded yet": neither counted nor flagged. A channel ×
    metric with no value in any counted month is `not_measured`, its months shown as such, not as misses.
    """
    as_of = _check_month(as_of)
    conf = get_settings(store)
    k, n = int(conf["rule_k"]), int(conf["rule_n"])
    window_start = add_months(as_of, -(n - 1))
    loaded = loaded_through(store)
    first_months = dict(store.fetchall(
        "SELECT channel, strftime(min(queued_local), '%Y-%m') FROM contacts "
        "WHERE queued_local < ? GROUP BY 1 HAVING max(queued_local) >= CAST(? AS TIMESTAMP)",
        [_next_month_start(as_of), window_start + "-01"]))
    if channels:
        first_months = {c: m for c, m in first_months.items() if c in channels}
    metric_ids = [m for m in TARGETED if not metrics or m in metrics]
    values = {(r.channel, r.metric, r.period): r for r in kpis(
        store, "month", channels=list(first_months) or None, date_from=window_start, date_to=as_of,
        metrics=metric_ids)} if first_months else {}
    book = TargetBook(list_targets(store))
    out = []
    for channel in ordered_channels(first_months):
        first = first_months[channel]
        insufficient = first > window_start
        counted = month_range(max(first, window_start), min(as_of, loaded or as_of))
        for mid in metric_ids:
            if book.in_force(channel, mid, as_of) is None:
                continue
            cells = []
            for month in month_range(window_start, as_of):
                t = book.in_force(channel, mid, month)
                row = values.get((channel, mid, month))
                value = row.value if row else None
                if month > (loaded or as_of):
                    state = "not_loaded"
                else:
                    state = month_state(mid, value, t) if month in counted else None
                cells.append(MonthCell(month, value, None if t is None else t.target,
                                       None if t is None else t.tolerance_pct, state, row.n if row else 0))
            judged = [c for c in cells if c.month in counted and c.state is not None]
            if not any(c.month in counted for c in cells):
                continue
            measured = any(c.value is not None for c in cells if c.month in counted)
            if not measured:
                for c in judged:
                    c.state = "not_measured"
            met = sum(c.state in ("met", "met_within_tolerance") for c in judged)
            with_data = sum(c.value is not None for c in judged)
            flagged = [c.month for c in judged if c.state in ("missed", "no_data")]
            if not measured:
                status = "not_measured"
            else:
                status = "insufficient_history" if insufficient else rule_status(len(judged) - met, k, n)
            out.append(ComplianceRow(channel, mid, as_of, window_start, met, with_data, len(judged), status,
                                     flagged, cells))
    return out


def _next_month_start(month: str) -> dt.datetime:
    nxt = add_months(month, 1)
    return dt.datetime(int(nxt[:4]), int(nxt[5:7]), 1)
