"""Targets with history and month states (spec §4)."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from .display import safe_csv_text
from .errors import ImportRefused, RowProblem, UsageError
from .i18n import _
from .measures import lake_served
from .metrics import METRICS, TARGETED
from .months import month_range
from .storage import Store

TARGET_HEADER = ["channel", "metric", "target", "tolerance_pct", "effective_from"]


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
    raise UsageError(_("effective_from {value!r} is not a month: write YYYY-MM, or leave it empty for 'always'")
                     .format(value=text))


def validate_target(channel, metric_id, target, tolerance_pct=0.0, effective_from=None) -> Target:
    channel = str(channel or "").strip().lower()
    if not channel:
        raise UsageError(_("a target needs a channel (a slug such as voice, or * for every channel)"))
    if metric_id not in METRICS or not METRICS[metric_id].targeted:
        raise UsageError(_("unknown metric {metric!r} for a target; targeted metrics are {metrics}")
                         .format(metric=metric_id, metrics=", ".join(TARGETED)))
    try:
        target = float(target)
        tolerance_pct = float(tolerance_pct if tolerance_pct not in (None, "") else 0)
    except (TypeError, ValueError):
        raise UsageError(_("target and tolerance_pct must be numbers (got {target!r}, {tolerance!r})")
                         .format(target=target, tolerance=tolerance_pct)) from None
    if target != target or target < 0:
        raise UsageError(_("target for {channel}/{metric} cannot be negative")
                         .format(channel=channel, metric=metric_id))
    if tolerance_pct != tolerance_pct or tolerance_pct < 0:
        raise UsageError(_("tolerance_pct cannot be negative"))
    return Target(channel, metric_id, target, tolerance_pct, _month(effective_from))


def list_targets(store: Store) -> list[Target]:
    """Every target row, by channel, metric and effective_from ("always" first)."""
    rows = store.fetchall("SELECT channel, metric, target, tolerance_pct, strftime(effective_from, '%Y-%m') "
                          "FROM targets")
    # sorted here: DuckDB's ORDER BY costs a millisecond however few the rows, and every KPI query reads targets
    rows.sort(key=lambda r: (r[0], r[1], r[4] is not None, r[4] or ""))
    return [Target(*r) for r in rows]


def replace_targets(store: Store, targets: list[Target]) -> None:
    """Replace the whole target table (the app's editor saves this way)."""
    seen = set()
    for t in targets:
        key = (t.channel, t.metric, t.effective_from)
        if key in seen:
            raise UsageError(_("two targets for {channel}/{metric} from {month}").format(
                channel=t.channel, metric=t.metric, month=t.effective_from or _("always")))
        seen.add(key)
    with store.transaction():
        store.execute("DELETE FROM targets")
        for t in targets:
            _insert(store, t)


def _insert(store: Store, t: Target) -> None:
    served = lake_served(store)
    if served:  # build-measures would put the lake's targets back: say so instead of losing the change later
        raise UsageError(_("{path} serves the lake {folder}, whose targets replace this store's at every "
                           "build-measures. Set targets in the store the lake was exported from, then run export-lake "
                           "and build-measures again.").format(path=store.path, folder=served["folder"]))
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
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None or [h.strip() for h in header] != TARGET_HEADER:
        raise ImportRefused(_("{file}: the header must be exactly {header}").format(file=file_name,
                                                                                  header=",".join(TARGET_HEADER)),
                            [RowProblem(file_name, 1, None, ",".join(header or []), _("wrong header"))])
    targets, problems = [], []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 5:
            problems.append(RowProblem(file_name, number, None, ",".join(row), _("a row needs 5 fields")))
            continue
        try:
            targets.append(validate_target(*row))
        except UsageError as exc:
            problems.append(RowProblem(file_name, number, None, ",".join(row), str(exc)))
    if problems:
        raise ImportRefused(_("{file}: {count} target rows are invalid; no target was changed.")
                            .format(file=file_name, count=len(problems)), problems)
    return targets


def import_targets(store: Store, path: str | Path) -> int:
    """Replace the targets with the CSV's rows."""
    targets = parse_targets_csv(Path(path).read_text(encoding="utf-8-sig"), Path(path).name)
    replace_targets(store, targets)
    return len(targets)


def export_targets(store: Store) -> str:
    return safe_csv_text(TARGET_HEADER, ([t.channel, t.metric, t.target, t.tolerance_pct, t.effective_from or ""]
                                         for t in list_targets(store)))


_VARIES = object()  # TargetBook: the target in force depends on the month


class TargetBook:
    """Looks up the target row in force for a channel, metric and month."""

    def __init__(self, targets: list[Target]):
        self._fixed: dict[tuple[str, str], object] = {}  # (channel, metric) → its target when the same every month
        self._rows: dict[tuple[str, str], list[Target]] = {}
        for t in targets:
            self._rows.setdefault((t.channel, t.metric), []).append(t)
        for rows in self._rows.values():
            rows.sort(key=lambda t: t.effective_from or "")

    def _same_every_month(self, channel: str, metric_id: str):
        """The target in force whatever the month (None: no target), or _VARIES when it depends on the month."""
        own, shared = self._rows.get((channel, metric_id)), self._rows.get(("*", metric_id))
        if own:  # sorted by effective_from, "always" first: one "always" row is in force every month
            return own[0] if len(own) == 1 and own[0].effective_from is None else _VARIES
        if shared:
            return shared[0] if len(shared) == 1 and shared[0].effective_from is None else _VARIES
        return None

    def in_force(self, channel: str, metric_id: str, month: str) -> Target | None:
        """Latest effective_from ≤ month; a channel-specific row beats '*'."""
        fixed = self._fixed.get((channel, metric_id), _VARIES)
        if fixed is _VARIES:
            fixed = self._fixed[(channel, metric_id)] = self._same_every_month(channel, metric_id)
        if fixed is not _VARIES:
            return fixed
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
