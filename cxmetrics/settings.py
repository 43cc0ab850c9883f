"""The settings registry: every general setting declared once — name, default, type, label, help, check.

The store seeds its defaults from here; `settings set`, the Targets & settings form, validation
and the README's Settings table all read it (as datasette declares its settings).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import UsageError
from .i18n import LANGUAGES, N_, _

_NUMBER = re.compile(r"\d+(\.\d+)?")
_WHOLE = re.compile(r"\d+")


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    kind: str      # timezone | days | whole | score | megabytes | language | percent
    label_text: str  # the settings form's label (English, marked N_(); `label` is it translated)
    help_text: str   # the README's "meaning" and the form's tooltip
    on_page: bool = True  # False: set by whoever runs the app (it must match the server's own configuration)

    @property
    def label(self) -> str:
        return _(self.label_text)

    @property
    def help(self) -> str:
        return _(self.help_text)

    def check(self, value) -> str:
        """The value, trimmed, or a UsageError saying what is expected. A time zone's existence is checked by the
        store (config.set_settings), which knows the zones DuckDB can use."""
        text = str(value).strip()
        if self.kind == "timezone":
            if not text or len(text) > 64:
                raise UsageError(_("unknown time zone {zone!r}: use an IANA name such as Europe/Berlin or UTC")
                                 .format(zone=text))
        elif self.kind == "language":
            text = text.lower()
            if text not in LANGUAGES:
                raise UsageError(_("unknown language {value!r}: use one of {languages}")
                                 .format(value=text, languages=", ".join(LANGUAGES)))
        elif self.kind == "percent":
            if not _NUMBER.fullmatch(text) or float(text) >= 100:
                raise UsageError(_("{name} must be a percentage from 0 to below 100, e.g. {default}")
                                 .format(name=self.name, default=self.default))
        elif self.kind == "score":
            if not _NUMBER.fullmatch(text):
                raise UsageError(_("{name} must be a score, e.g. {default}").format(name=self.name, default=self.default))
        elif self.kind == "megabytes":
            if not _NUMBER.fullmatch(text) or float(text) <= 0:
                raise UsageError(_("{name} must be a positive number of megabytes, e.g. {default}")
                                 .format(name=self.name, default=self.default))
        elif self.kind == "days":
            if not _NUMBER.fullmatch(text) or float(text) <= 0:
                raise UsageError(_("{name} must be a positive number of days, e.g. {default}")
                                 .format(name=self.name, default=self.default))
        elif not _WHOLE.fullmatch(text) or int(text) <= 0:
            raise UsageError(_("{name} must be a positive whole number").format(name=self.name))
        return text


SETTINGS: tuple[Setting, ...] = (
    Setting("language", "en", "language", N_("Default language (new sessions)"),
            N_("language of the pages, the quarterly workbook and the command line's messages (en = English, "
               "ru = Russian); each person can switch it for their own session in the sidebar. Codes and the "
               "command line's CSV and JSON stay English.")),
    Setting("timezone", "UTC", "timezone", N_("Time zone (IANA)"),
            N_("IANA zone of the contact centre: naive timestamps are read in it, and it decides each contact's month, "
            "day and interval. Changing it re-buckets every stored contact.")),
    Setting("fcr_window_days", "7", "days", N_("FCR window (days)"),
            N_("FCR repeat-contact window, in days of exactly 24 hours")),
    Setting("churn_window_days", "30", "whole", N_("Churn window (days)"),
            N_("churn-after-contact window, in calendar days")),
    Setting("rule_k", "9", "whole", N_("Rule: months met (k)"), N_("months that must be met …")),
    Setting("rule_n", "12", "whole", N_("Rule: of the last (n)"), N_("… of the last n months")),
    Setting("followup_nps_max", "6", "score", N_("Follow up NPS ≤"),
            N_("a contact is a low scorer to follow up when NPS ≤ this …")),
    Setting("followup_csat_max", "2", "score", N_("Follow up CSAT ≤"), N_("… or CSAT ≤ this …")),
    Setting("followup_ces_max", "2", "score", N_("Follow up CES ≤"), N_("… or CES ≤ this")),
    Setting("followup_overdue_days", "7", "whole", N_("Follow-up overdue after (days)"),
            N_("open follow-up cases older than this many days are overdue (highlighted, counted on the Overview)")),
    Setting("shrinkage_pct", "30", "percent", N_("Shrinkage (%)"),
            N_("share of paid agent time not available for contacts (breaks, training, meetings, absence), in "
               "percent: the Staffing page and `staffing` schedule agents ÷ (1 − this)")),
    Setting("max_upload_mb", "200", "megabytes", N_("Largest upload (MB)"),
            N_("largest file an import accepts; a workbook may unpack to at most 5× this (a zip-bomb guard). "
            "Streamlit's `server.maxUploadSize` in `.streamlit/config.toml` matches it."), on_page=False),
)
SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}
DEFAULT_SETTINGS = {s.name: s.default for s in SETTINGS}


def setting(name: str) -> Setting:
    """The declared setting, or a UsageError listing them."""
    try:
        return SETTINGS_BY_NAME[name]
    except KeyError:
        raise UsageError(_("unknown setting {name!r}; settings are {settings}")
                         .format(name=name, settings=", ".join(SETTINGS_BY_NAME))) from None


def check_settings(values: dict[str, str]) -> None:
    """Rules across settings, checked on the result of a change."""
    if int(values["rule_k"]) > int(values["rule_n"]):
        raise UsageError(_("rule_k ({k}) cannot exceed rule_n ({n}): the rule is 'k of the last n months'")
                         .format(k=values["rule_k"], n=values["rule_n"]))
