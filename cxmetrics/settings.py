"""The settings registry: every general setting declared once — name, default, type, label, help, check.

The store seeds its defaults from here; `settings set`, the Targets & settings form, validation
and the README's Settings table all read it (as datasette declares its settings).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import UsageError

_NUMBER = re.compile(r"\d+(\.\d+)?")
_WHOLE = re.compile(r"\d+")


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    kind: str      # timezone | days | whole | score | megabytes
    label: str     # the settings form's label
    help: str      # the README's "meaning" and the form's tooltip
    on_page: bool = True  # False: set by whoever runs the app (it must match the server's own configuration)

    def check(self, value) -> str:
        """The value, trimmed, or a UsageError saying what is expected. A time zone's existence is checked by the
        store (config.set_settings), which knows the zones DuckDB can use."""
        text = str(value).strip()
        if self.kind == "timezone":
            if not text or len(text) > 64:
                raise UsageError(f"unknown time zone {text!r}: use an IANA name such as Europe/Berlin or UTC")
        elif self.kind == "score":
            if not _NUMBER.fullmatch(text):
                raise UsageError(f"{self.name} must be a score, e.g. {self.default}")
        elif self.kind == "megabytes":
            if not _NUMBER.fullmatch(text) or float(text) <= 0:
                raise UsageError(f"{self.name} must be a positive number of megabytes, e.g. {self.default}")
        elif self.kind == "days":
            if not _NUMBER.fullmatch(text) or float(text) <= 0:
                raise UsageError(f"{self.name} must be a positive number of days, e.g. {self.default}")
        elif not _WHOLE.fullmatch(text) or int(text) <= 0:
            raise UsageError(f"{self.name} must be a positive whole number")
        return text


SETTINGS: tuple[Setting, ...] = (
    Setting("timezone", "UTC", "timezone", "Time zone (IANA)",
            "IANA zone of the contact centre: naive timestamps are read in it, and it decides each contact's month, "
            "day and interval. Changing it re-buckets every stored contact."),
    Setting("fcr_window_days", "7", "days", "FCR window (days)",
            "FCR repeat-contact window, in days of exactly 24 hours"),
    Setting("churn_window_days", "30", "whole", "Churn window (days)",
            "churn-after-contact window, in calendar days"),
    Setting("rule_k", "9", "whole", "Rule: months met (k)", "months that must be met …"),
    Setting("rule_n", "12", "whole", "Rule: of the last (n)", "… of the last n months"),
    Setting("followup_nps_max", "6", "score", "Follow up NPS ≤",
            "a contact is a low scorer to follow up when NPS ≤ this …"),
    Setting("followup_csat_max", "2", "score", "Follow up CSAT ≤", "… or CSAT ≤ this …"),
    Setting("followup_ces_max", "2", "score", "Follow up CES ≤", "… or CES ≤ this"),
    Setting("followup_overdue_days", "7", "whole", "Follow-up overdue after (days)",
            "open follow-up cases older than this many days are overdue (highlighted, counted on the Overview)"),
    Setting("max_upload_mb", "200", "megabytes", "Largest upload (MB)",
            "largest file an import accepts; a workbook may unpack to at most 5× this (a zip-bomb guard). "
            "Streamlit's `server.maxUploadSize` in `.streamlit/config.toml` matches it.", on_page=False),
)
SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}
DEFAULT_SETTINGS = {s.name: s.default for s in SETTINGS}


def setting(name: str) -> Setting:
    """The declared setting, or a UsageError listing them."""
    try:
        return SETTINGS_BY_NAME[name]
    except KeyError:
        raise UsageError(f"unknown setting {name!r}; settings are {', '.join(SETTINGS_BY_NAME)}") from None


def check_settings(values: dict[str, str]) -> None:
    """Rules across settings, checked on the result of a change."""
    if int(values["rule_k"]) > int(values["rule_n"]):
        raise UsageError(f"rule_k ({values['rule_k']}) cannot exceed rule_n ({values['rule_n']}): the rule is "
                         "'k of the last n months'")
