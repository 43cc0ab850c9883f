"""What the user said about one import (CLI flags, Upload-page widgets or a preset), and its checks."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..errors import UsageError
from ..i18n import _
from ..messages import ControlRef, Message
from ..schema import GRAINS, PERCENT_OF, STATUS_OUTCOMES

ProgressFn = Callable[[float, str], None]

ON_ERROR_MODES = ("refuse", "quarantine")
KINDS = ("contacts", "customers", "aggregated", "scores")
DEFAULT_SOURCE = "default"


@dataclass
class ImportOptions:
    """What the user said about one import (CLI flags, upload-page widgets, or a preset)."""
    kind: str = "contacts"
    mapping: dict[str, list[str]] = field(default_factory=dict)
    channel: str | None = None
    date_format: str | None = None
    status_map: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    timezone: str | None = None
    on_error: str = "refuse"
    source: str | None = None
    force: bool = False
    preset: str | None = None
    save_preset: str | None = None
    file_name: str | None = None  # the name to report (an upload's original name)
    preview_rows: int | None = None  # dry run: parse this many rows, import nothing
    auto_map: bool = True  # False: only the explicit mapping (the upload page's editor sends all of it)
    skip_rows: list[tuple[str, str]] = field(default_factory=list)  # (column, value): rows left out, counted
    # aggregated reports (spec §1b)
    grain: str | None = None  # interval | day | week | month; None: detected from the values
    interval_minutes: int = 30
    sl_threshold_s: float | None = None  # the threshold of the within-counts when no column or header says it
    percent_of: str | None = None  # offered | answered: what a service-level percentage is a share of
    allow_overlap: bool = False  # import a report over days that hold contact-level data of the same channel

    PRESET_KEYS = ("kind", "mapping", "channel", "date_format", "status_map", "sheet", "timezone",
                   "on_error", "source", "auto_map", "skip_rows", "grain", "interval_minutes", "sl_threshold_s",
                   "percent_of")

    def preset_dict(self) -> dict:
        """The options a preset keeps (PRESET_KEYS)."""
        return {k: getattr(self, k) for k in self.PRESET_KEYS}


def check_options(options: ImportOptions) -> None:
    """Refuse an unknown kind, error mode or status outcome before the file is read."""
    if options.kind not in KINDS:
        raise UsageError(Message("the kind {kind!r} is not one of {kinds}; choose one {control}",
                                 kind=options.kind, kinds=", ".join(KINDS), control=ControlRef("kind")))
    if options.on_error not in ON_ERROR_MODES:
        raise UsageError(Message("the error mode {mode!r} is not one of {modes}; choose one {control}",
                                 mode=options.on_error, modes=", ".join(ON_ERROR_MODES),
                                 control=ControlRef("on_error", mode="|".join(ON_ERROR_MODES))))
    if options.grain is not None and options.grain not in GRAINS:
        raise UsageError(Message("the grain {grain!r} is not one of {grains}; choose one {control}",
                                 grain=options.grain, grains=", ".join(GRAINS), control=ControlRef("grain")))
    if options.percent_of is not None and options.percent_of not in PERCENT_OF:
        raise UsageError(Message("a percentage is a share of {choices}, not {value!r} {control}",
                                 choices=_(" or ").join(PERCENT_OF), value=options.percent_of,
                                 control=ControlRef("percent_of")))
    if not 1 <= int(options.interval_minutes) <= 1440:
        raise UsageError(Message("the interval length must be 1 to 1440 minutes, not {value} {control}",
                                 value=options.interval_minutes, control=ControlRef("interval_minutes")))
    if options.sl_threshold_s is not None and float(options.sl_threshold_s) < 0:
        raise UsageError(Message("the service-level threshold cannot be negative {control}",
                                 control=ControlRef("sl_threshold")))
    for value, outcome in options.status_map.items():
        if outcome not in STATUS_OUTCOMES:
            raise UsageError(Message("the status value {value!r} is mapped to {outcome!r} {control}; the outcome "
                                     "must be one of {outcomes}", value=value, outcome=outcome,
                                     control=ControlRef("status_map"), outcomes=", ".join(STATUS_OUTCOMES)))
