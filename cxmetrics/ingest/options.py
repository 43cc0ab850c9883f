"""What the user said about one import (CLI flags, Upload-page widgets or a preset), and its checks."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..errors import UsageError
from ..messages import ControlRef, Message
from ..schema import STATUS_OUTCOMES

ProgressFn = Callable[[float, str], None]

ON_ERROR_MODES = ("refuse", "quarantine")
KINDS = ("contacts", "customers")
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

    PRESET_KEYS = ("kind", "mapping", "channel", "date_format", "status_map", "sheet", "timezone",
                   "on_error", "source", "auto_map")

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
    for value, outcome in options.status_map.items():
        if outcome not in STATUS_OUTCOMES:
            raise UsageError(Message("the status value {value!r} is mapped to {outcome!r} {control}; the outcome "
                                     "must be one of {outcomes}", value=value, outcome=outcome,
                                     control=ControlRef("status_map"), outcomes=", ".join(STATUS_OUTCOMES)))
