"""The canonical contact record, channels and the alias tables (spec §1–2).

Everything here is plain data: the importer, the docs and the tests read it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import translated_reason
from .i18n import N_, _
from .settings import SETTINGS_BY_NAME

CHANNELS = ("voice", "chat", "messaging", "email", "social", "video", "back_office")

# The service-level formulas a channel can use (spec §3), each with its text for people (English, marked N_():
# translate it where it is shown, with _()).
SL_FORMULA_TEXT = {"abandons_against": N_("answered within ÷ (offered − short abandons)"),
                   "abandons_ignored": N_("answered within ÷ answered"),
                   "abandons_within_met": N_("(answered within + abandoned within) ÷ offered")}
SL_FORMULAS = tuple(SL_FORMULA_TEXT)


@dataclass(frozen=True)
class ChannelDefaults:
    sl_threshold_s: float
    short_abandon_s: float
    sl_formula: str = "abandons_against"


CHANNEL_DEFAULTS = {
    "voice": ChannelDefaults(20, 5),
    "video": ChannelDefaults(20, 5),
    "chat": ChannelDefaults(60, 5),
    "messaging": ChannelDefaults(300, 0),
    "social": ChannelDefaults(3600, 0),
    "email": ChannelDefaults(86400, 0),
    "back_office": ChannelDefaults(172800, 0),
}
OTHER_CHANNEL_DEFAULTS = ChannelDefaults(86400, 0)


@dataclass(frozen=True)
class Field:
    name: str  # the id: CLI flags (--map NAME=COLUMN), CSV headers, presets
    kind: str  # text | timestamp | date | time | duration | number | integer | bool | channel | direction | status
    required: bool = False
    low: float | None = None
    high: float | None = None
    description: str = ""  # English, marked N_(): shown translated, with _()
    label: str = ""  # what the pages call it (English, marked N_(); field_label() is it translated)


CONTACT_FIELDS = (
    Field("contact_id", "text", True, label=N_("Contact id"),
          description=N_("id in the source system; several columns are joined with ':'")),
    Field("channel", "channel", label=N_("Channel"),
          description=N_("channel slug (spec §2), or one constant channel for the file")),
    Field("queued_at", "timestamp", label=N_("Queued at (offered)"), description=N_("when the contact was offered")),
    Field("queued_date", "date", label=N_("Queued date"), description=N_("date part of queued_at, with queued_time")),
    Field("queued_time", "time", label=N_("Queued time"), description=N_("time part of queued_at, with queued_date")),
    Field("answered_at", "timestamp", label=N_("Answered at"), description=N_("first agent answer / first response")),
    Field("ended_at", "timestamp", label=N_("Ended at"),
          description=N_("end of the contact, or when the customer abandoned")),
    Field("answered", "bool", label=N_("Answered (yes/no)"), description=N_("explicit answered flag")),
    Field("abandoned", "bool", label=N_("Abandoned (yes/no)"), description=N_("explicit abandoned flag")),
    Field("wait_seconds", "duration", label=N_("Wait time"),
          description=N_("speed of answer / time to first response")),
    Field("talk_seconds", "duration", label=N_("Talk time"), description=N_("talk time")),
    Field("hold_seconds", "duration", label=N_("Hold time"), description=N_("hold time")),
    Field("wrap_seconds", "duration", label=N_("Wrap-up time"), description=N_("after-contact work")),
    Field("handle_seconds", "duration", label=N_("Handle time"), description=N_("total handle time")),
    Field("direction", "direction", label=N_("Direction"), description=N_("inbound (default) or outbound")),
    Field("customer_id", "text", label=N_("Customer id"),
          description=N_("customer id, for repeat-contact FCR and churn")),
    Field("resolved", "bool", label=N_("Resolved (yes/no)"), description=N_("explicit first-contact-resolution flag")),
    Field("csat", "number", low=1, high=5, label=N_("CSAT (1–5)"), description=N_("satisfaction score 1–5")),
    Field("nps", "integer", low=0, high=10, label=N_("NPS (0–10)"), description=N_("likelihood to recommend 0–10")),
    Field("ces", "number", low=1, high=7, label=N_("CES (1–7)"),
          description=N_("customer effort 1–7, higher is easier")),
    Field("queue", "text", label=N_("Queue"), description=N_("queue / skill / topic")),
    Field("team", "text", label=N_("Team"), description=N_("team / group")),
    Field("agent", "text", label=N_("Agent"), description=N_("agent")),
    Field("status", "status", label=N_("Status"), description=N_("disposition: answered, abandoned or skip")),
)

CUSTOMER_FIELDS = (
    Field("customer_id", "text", True, label=N_("Customer id"), description=N_("customer id")),
    Field("churned_on", "date", label=N_("Churned on"), description=N_("date the customer left; empty = active")),
)

# An aggregated report's row (spec §1b): a period, its dimensions, and counts, totals, means or percentages.
AGGREGATED_FIELDS = (
    Field("period_start", "period", label=N_("Period start"),
          description=N_("start of the row's interval, day, week or month (a month may be written with its year: "
                      "Apr-15, 2026-03, март 2026)")),
    Field("period_date", "date", label=N_("Period date"),
          description=N_("date part of the period start, with period_time")),
    Field("period_time", "time", label=N_("Period time"),
          description=N_("time part of the period start, with period_date")),
    Field("channel", "channel", label=N_("Channel"),
          description=N_("channel slug (spec §2), or one channel for the file")),
    Field("direction", "direction", label=N_("Direction"), description=N_("inbound (default) or outbound")),
    Field("queue", "text", label=N_("Queue"), description=N_("queue / skill / split / CSQ")),
    Field("team", "text", label=N_("Team"), description=N_("team / group")),
    Field("agent", "text", label=N_("Agent"), description=N_("agent")),
    Field("status", "status", label=N_("Status"),
          description=N_("one outcome for all the row's contacts: its offered count is answered or abandoned")),
    Field("offered", "count", label=N_("Offered"), description=N_("contacts offered; absent: answered + abandoned")),
    Field("answered", "count", label=N_("Answered"), description=N_("contacts answered (handled)")),
    Field("abandoned", "count", label=N_("Abandoned"), description=N_("contacts abandoned")),
    Field("short_abandoned", "count", label=N_("Short abandons"),
          description=N_("abandoned before the short-abandon threshold; absent: 0, and the report says so")),
    Field("answered_within", "count", label=N_("Answered within threshold"),
          description=N_("answered within the row's service-level threshold")),
    Field("abandoned_within", "count", label=N_("Abandoned within threshold"),
          description=N_("abandoned within the row's service-level threshold")),
    Field("sl_threshold_s", "duration", label=N_("Service-level threshold"),
          description=N_("the threshold the within-counts refer to")),
    Field("wait_total_s", "duration", label=N_("Wait time (total)"), description=N_("total wait of answered contacts")),
    Field("asa", "duration", label=N_("ASA (mean wait)"), description=N_("mean wait of answered contacts")),
    Field("handle_total_s", "duration", label=N_("Handle time (total)"),
          description=N_("total handle time of answered contacts")),
    Field("aht", "duration", label=N_("AHT (mean handle time)"),
          description=N_("mean handle time of answered contacts")),
    Field("talk_total_s", "duration", label=N_("Talk time (total)"), description=N_("total talk time")),
    Field("talk_mean", "duration", label=N_("Talk time (mean)"), description=N_("mean talk time of answered contacts")),
    Field("hold_total_s", "duration", label=N_("Hold time (total)"), description=N_("total hold time")),
    Field("hold_mean", "duration", label=N_("Hold time (mean)"), description=N_("mean hold time of answered contacts")),
    Field("wrap_total_s", "duration", label=N_("Wrap-up time (total)"), description=N_("total after-contact work")),
    Field("wrap_mean", "duration", label=N_("Wrap-up time (mean)"), description=N_("mean after-contact work")),
    Field("elapsed_total_s", "duration", label=N_("Elapsed time (total)"),
          description=N_("total time from offer to end; with no wait given, wait = elapsed − handle")),
    Field("service_level_pct", "percent", label=N_("Service level %"),
          description=N_("used only when the within-count is absent: rebuilt as % × --percent-of")),
    Field("abandon_rate_pct", "percent", label=N_("Abandonment rate %"),
          description=N_("used only when the abandoned count is absent: rebuilt as % × offered")),
    Field("resolved", "count", label=N_("Resolved (FCR numerator)"),
          description=N_("contacts resolved at first contact")),
    Field("resolved_n", "count", label=N_("FCR responses (denominator)"),
          description=N_("answered contacts with a resolution answer")),
    Field("csat_n", "count", label=N_("CSAT responses"), description=N_("CSAT responses")),
    Field("csat_top2", "count", label=N_("CSAT 4–5 responses"), description=N_("CSAT responses of 4 or 5")),
    Field("nps_n", "count", label=N_("NPS responses"), description=N_("NPS responses")),
    Field("nps_promoters", "count", label=N_("NPS promoters"), description=N_("NPS responses of 9–10")),
    Field("nps_detractors", "count", label=N_("NPS detractors"), description=N_("NPS responses of 0–6")),
    Field("ces_n", "count", label=N_("CES responses"), description=N_("CES responses")),
    Field("ces_total", "number", label=N_("CES (sum)"), description=N_("sum of CES responses")),
)

# A survey export: scores for contacts already stored, matched on their id (the contact's other values are kept)
SCORE_FIELDS = tuple(f for f in CONTACT_FIELDS if f.name in ("contact_id", "resolved", "csat", "nps", "ces"))
SCORE_FIELD_NAMES = tuple(f.name for f in SCORE_FIELDS if f.name != "contact_id")
FIELDS_BY_KIND = {"contacts": CONTACT_FIELDS, "customers": CUSTOMER_FIELDS, "aggregated": AGGREGATED_FIELDS,
                  "scores": SCORE_FIELDS}
GRAINS = ("interval", "day", "week", "month")
PERCENT_OF = ("offered", "answered")


def fields_for(kind: str) -> dict[str, Field]:
    return {f.name: f for f in FIELDS_BY_KIND[kind]}


# Each field's label in English (marked N_()): field_label() gives it in the current language.
FIELD_LABELS: dict[str, str] = {}
for _fields in FIELDS_BY_KIND.values():  # a name shared by two kinds keeps the contact record's label
    for _f in _fields:
        FIELD_LABELS.setdefault(_f.name, _f.label)
_FIELD_ID = re.compile(r"\b(" + "|".join(sorted(FIELD_LABELS, key=len, reverse=True)) + r")\b")


def field_label(name: str) -> str:
    """A field's label in the current language (its id when it has none)."""
    return _(FIELD_LABELS[name]) if name in FIELD_LABELS else name


def with_field_labels(text):
    """Stored text (a quarantine reason such as "queued_at is empty") in the current language, with field ids
    replaced by their labels, for pages; the store, the CLI and CSV files keep the English text and the ids."""
    if not isinstance(text, str):
        return text
    return _FIELD_ID.sub(lambda m: field_label(m.group(1)), translated_reason(text))

# Page headings of the import log, quarantine and problem tables; CLI output and CSV files keep the ids.
# English, marked N_(): column_label() gives a heading in the current language.
COLUMN_LABELS = {
    "import_id": N_("Import #"), "file_name": N_("File"), "kind": N_("Kind"), "source": N_("Source"),
    "imported_at": N_("Imported at"), "rows_read": N_("Read"), "rows_imported": N_("Imported"),
    "rows_replaced": N_("Replaced"), "rows_skipped": N_("Skipped"), "rows_rejected": N_("Rejected"),
    "file_row": N_("Row"), "row": N_("Row"), "columns": N_("Columns"), "column": N_("Column"),
    "value": N_("Value"), "reason": N_("Reason"), "outcome": N_("Outcome"),
    # an aggregated report's preview: counts, not the contact record's yes/no flags
    "answered_count": N_("Answered"), "abandoned_count": N_("Abandoned"), "grain": N_("Grain"),
    "sl_rebuilt": N_("SL rebuilt from %"), "abandon_rebuilt": N_("Abandonment rebuilt from %"),
}


def column_label(column: str) -> str:
    """A table column's page heading in the current language: its own label, else its field's, else the id."""
    if column in COLUMN_LABELS:
        return _(COLUMN_LABELS[column])
    return field_label(column)

# The quarantine export's columns (CLI and Upload page downloads).
QUARANTINE_COLUMNS = ("import_id", "file_name", "file_row", "columns", "reason", "raw_json")
# Stored for the machine (and kept in CSV downloads), never shown in a page table.
HIDDEN_COLUMNS = ("mapping_json", "sha256", "raw_json")


@dataclass(frozen=True)
class Control:
    """An import option as a message names it: a phrase saying how to set it, on each interface.

    `cli` and `page` are format strings over the reference's arguments (see messages.ControlRef), in the current
    language: the phrases are written in English and marked N_(); the flag a CLI phrase names stays as it is.
    `{widget}` in the page phrase is the page's own label of the control (UPLOAD_LABELS[widget], the setting's
    label, or a field's mapping box); `defaults` fills the arguments a reference may leave out; `page_values`
    gives, per argument, the page's words for its values (e.g. the 'Invalid rows' choices).
    """
    cli_text: str
    page_text: str
    defaults: tuple[tuple[str, str], ...] = ()
    widget: str | None = None
    page_values: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()

    @property
    def cli(self) -> str:
        return _(self.cli_text)

    @property
    def page(self) -> str:
        text = _(self.page_text)
        return text.replace("{widget}", _widget_label(self.widget)) if self.widget else text

    def page_value(self, name: str, value):
        """The page's words for an argument's value ("refuse|quarantine" → each choice's label)."""
        words = dict(dict(self.page_values).get(name, ()))
        if not words or not isinstance(value, str):
            return value
        return "|".join(_(words[v]) if v in words else v for v in value.split("|"))


# The Upload page's widgets, by the import control they set (the page and its messages read these).
# English, marked N_(): translated where shown.
UPLOAD_LABELS = {"sheet": N_("Sheet"), "kind": N_("Kind"), "channel": N_("Channel for every row"), "date_format": N_("Date format"),
                 "on_error": N_("Invalid rows"), "source": N_("Source system"), "preset": N_("Mapping preset"),
                 "save_preset": N_("Save this mapping as a preset named"), "grain": N_("Rows are one"),
                 "interval_minutes": N_("Interval length (minutes)"),
                 "sl_threshold": N_("Service-level threshold (seconds)"),
                 "percent_of": N_("Service level % is a share of"), "skip_rows": N_("Leave out rows where"),
                 "allow_overlap": N_("Import even over days that already hold these contacts (contact-level data or "
                                       "another report)")}
# The choices of 'Invalid rows' (ImportOptions.on_error) as the page shows them.
ON_ERROR_LABELS = {"refuse": N_("refuse"), "quarantine": N_("quarantine")}


def _widget_label(widget: str) -> str:
    """The page's label of a control, in the current language: its Upload widget, the setting's own label, or the
    mapping box of a field."""
    if widget in UPLOAD_LABELS:
        return _(UPLOAD_LABELS[widget])
    if widget in SETTINGS_BY_NAME:
        return SETTINGS_BY_NAME[widget].label
    return field_label(widget)


# Every import control a message may name; the CLI says the flag, the Upload page its own widget.
IMPORT_CONTROLS = {
    "kind": Control(N_("with --kind {value}"), N_("with '{widget}'"), widget="kind",
                    defaults=(("value", "contacts|customers|aggregated"),)),
    "map": Control(N_("with --map {field}={column}"), N_("in the '{label}' box of the mapping"),
                   defaults=(("column", "COLUMN"),)),
    "channel": Control(N_("with --channel SLUG"), N_("in '{widget}'"), widget="channel"),
    "date_format": Control(N_("with --date-format"), N_("in the '{widget}' box"), widget="date_format"),
    "status_map": Control(N_("with --status-map VALUE=answered|abandoned|skip"), N_("in the Status values table")),
    "sheet": Control(N_("with --sheet"), N_("in the '{widget}' box"), widget="sheet"),
    "on_error": Control(N_("with --on-error {mode}"), N_("with '{widget}: {mode}'"), defaults=(("mode", "quarantine"),),
                        widget="on_error", page_values=(("mode", tuple(ON_ERROR_LABELS.items())),)),
    "force": Control(N_("with --force (its contacts replace the stored ones)"),
                     N_("after removing import #{import_id} under 'Import history' below (this page does not import "
                        "the same file twice)")),
    "source": Control(N_("with --source NAME"), N_("in '{widget}'"), widget="source"),
    "timezone": Control(N_("with --timezone TZ"), N_("in '{widget}' on the Targets & settings page"),
                        widget="timezone"),
    "preset": Control(N_("with --preset NAME"), N_("in '{widget}'"), widget="preset"),
    "save_preset": Control(N_("with --save-preset NAME"), N_("with '{widget}'"), widget="save_preset"),
    "max_upload_mb": Control(N_("with `settings set max_upload_mb N`"),
                             N_("by asking whoever runs the app to raise the upload size limit")),
    "imports": Control(N_("with `imports`"), N_("under 'Import history'")),
    "delete_import": Control(N_("with `imports delete {import_id}`"),
                             N_("under 'Import history' below (remove import #{import_id})")),
    "grain": Control(N_("with --grain interval|day|week|month"), N_("in '{widget}'"), widget="grain"),
    "interval_minutes": Control(N_("with --interval-minutes N"), N_("in '{widget}'"), widget="interval_minutes"),
    "sl_threshold": Control(N_("with --sl-threshold SECONDS"), N_("in '{widget}'"), widget="sl_threshold"),
    "percent_of": Control(N_("with --percent-of offered|answered"), N_("in '{widget}'"), widget="percent_of"),
    "skip_rows": Control(N_("with --skip-rows COLUMN=VALUE"), N_("in '{widget}'"), widget="skip_rows"),
    "allow_overlap": Control(N_("with --allow-overlap"), N_("by ticking '{widget}'"), widget="allow_overlap"),
    "compose_id": Control(N_("with --map contact_id=COLUMN --map contact_id=COLUMN (joined with ':')"),
                          N_("by adding a second column to the '{widget}' box (joined with ':'), or by clearing it "
                             "to import without ids"), widget="contact_id"),
}


# A unit in seconds or a clock format after a header ("Wait (s)", "Время ожидания, с", "Talk (hh:mm:ss)") says how
# the values are written, not what they are. Minutes are not stripped: such a column is not in seconds.
_SECONDS_SUFFIX = re.compile(r"\s*(\(|\[|,)\s*(s|sec|secs|second|seconds|с|сек|секунд|секунды|hh:mm:ss|mm:ss|h:mm:ss|"
                             r"чч:мм:сс|мм:сс)\.?\s*(\)|\])?\s*$")


# A header naming its duration's unit as minutes or hours ("First reply time in minutes", "Время ответа, мин",
# "First response time (in hrs)"): a duration mapped to it reads its plain numbers in that unit (README "Mapping")
_MINUTES_OR_HOURS = re.compile(r"(?:\(|\[|,|\bin\b|\bв\b)\s*(?:in\s+)?(minutes|minute|mins|min|мин|минут|минутах|"
                               r"минуты|hours|hour|hrs|hr|h|часах|часов|часа|часы|час|ч)(?=[.)\]\s]|$)")


def header_unit_seconds(header: str) -> int:
    """60 or 3600 when a duration's header names minutes or hours as its unit; else 1 (seconds, a clock, none)."""
    found = _MINUTES_OR_HOURS.search(str(header).lower().replace("ё", "е"))
    if not found:
        return 1
    return 60 if found.group(1).startswith(("min", "мин")) else 3600


# A score's scale after its name: "Rating (1-5)", "How likely to recommend [0–10]"
_SCALE_SUFFIX = re.compile(r"\s*[(\[]\s*\d+\s*[-–—]\s*\d+\s*[)\]]\s*$")


def normalise_header(text: str) -> str:
    """Header key for alias look-up: lower case, ё→е, a unit in seconds dropped, % kept as "pct" (a percentage is
    not the count of the same name: "Abandoned %"), letters and digits only."""
    text = _SECONDS_SUFFIX.sub("", _SCALE_SUFFIX.sub("", str(text).lower().replace("ё", "е"))).replace("%", " pct ")
    return re.sub(r"[\W_]+", "", text)


# Header aliases: generic English and Russian, plus the column names of Amazon Connect,
# Genesys Cloud, Five9 and Zendesk exports and of common Russian PBX call logs.
_HEADER_ALIASES = {
    "contact_id": [
        "contact_id", "contact id", "id", "call id", "call_id", "callid", "interaction id", "ticket id",
        "ticket_id", "conversation id", "session id", "record id", "contactid", "ticketid",
        "ид", "id звонка", "ид звонка", "номер звонка", "номер обращения", "id обращения", "идентификатор",
        "call id (five9)", "session id", "chat id", "chat_id", "id чата", "id диалога",
    ],
    "channel": [
        "channel", "media type", "mediatype", "media", "via", "канал", "тип канала", "канал обращения", "case origin",
        "ticketchannel", "ticket channel", "contact channel",
    ],
    "queued_at": [
        "queued_at", "queued at", "queue start", "initiationtimestamp", "initiation timestamp",
        "enqueuetimestamp", "queue.enqueuetimestamp", "start time", "starttime", "created at", "created",
        "date/time", "datetime", "timestamp", "contact time", "call time (start)", "call start",
        "время", "дата и время", "время звонка", "дата звонка", "начало", "время начала", "дата обращения",
        "received at", "received", "дата создания", "date created", "created date", "creation date", "started",
        "chat start", "начало чата",
    ],
    "queued_date": ["date", "call date", "дата", "день"],
    "queued_time": ["time", "call time of day", "время суток"],
    "answered_at": [
        "answered_at", "answered at", "answer time", "connectedtoagenttimestamp",
        "agent.connectedtoagenttimestamp", "connected to agent timestamp", "first reply at",
        "first response at", "время ответа оператора", "дата ответа", "дата первого ответа",
    ],
    "ended_at": [
        "ended_at", "ended at", "end time", "endtime", "disconnecttimestamp", "disconnect timestamp",
        "solved at", "время окончания", "окончание",
    ],
    "answered": ["answered", "answered (y/n)", "answered y/n", "is answered", "отвечен", "принят"],
    "abandoned": ["abandoned", "abandon", "is abandoned", "abandoned (y/n)", "брошен", "потерян", "missed",
                  "missed chat", "пропущен"],
    "wait_seconds": [
        "wait_seconds", "wait seconds", "wait time", "wait", "speed of answer", "speed of answer in seconds",
        "speed of answer (s)", "asa", "queue wait time", "queue time", "queue.duration", "queue duration",
        "queueduration", "total queue", "tqueue", "time to answer", "время ответа", "время ожидания",
        "ожидание",
    ],
    "talk_seconds": [
        "talk_seconds", "talk seconds", "talk time", "talk duration", "avgtalkduration", "avg talk duration",
        "talk", "total talk", "ttalk", "agentinteractionduration", "agent.agentinteractionduration",
        "agent interaction duration", "conversation duration", "длительность разговора", "время разговора",
        "разговор",
    ],
    "hold_seconds": [
        "hold_seconds", "hold seconds", "hold time", "hold", "total hold", "thold", "customerholdduration",
        "agent.customerholdduration", "customer hold duration", "время удержания", "удержание",
    ],
    "wrap_seconds": [
        "wrap_seconds", "wrap seconds", "wrap time", "wrap", "wrap-up", "wrap-up time", "wrapup time", "after call work time",
        "after call work", "acw", "total acw", "tacw", "aftercontactworkduration",
        "agent.aftercontactworkduration", "after contact work duration", "поствызывная обработка",
        "время постобработки", "постобработка",
    ],
    "handle_seconds": [
        "handle_seconds", "handle seconds", "handle time", "handle", "handling time", "total handle time", "aht",
        "thandle", "время обработки", "длительность обработки", "chat duration", "длительность чата",
        "длительность диалога",
    ],
    "direction": [
        "direction", "call direction", "тип", "направление", "тип звонка",
    ],
    "customer_id": [
        "customer_id", "customer id", "customer", "client id", "client", "caller id", "ani",
        "requester id", "customerid", "id клиента", "клиент", "номер клиента", "абонент",
        "customer endpoint address", "customerendpoint.address", "телефон", "номер телефона", "phone",
        "phone number", "caller number", "номер абонента", "телефон клиента", "account id", "лицевой счёт",
        "лицевой счет",
    ],
    "resolved": [
        "resolved", "fcr", "first contact resolution", "resolved (y/n)", "решен", "решено", "решён",
        "вопрос решен",
    ],
    "csat": [
        "csat", "satisfaction", "satisfaction rating", "satisfaction score", "customer satisfaction",
        "customersatisfactionrating", "customer satisfaction rating", "rating", "оценка",
        "удовлетворенность", "оценка клиента",
    ],
    "nps": ["nps", "nps score", "likelihood to recommend", "recommend", "оценка nps", "готовность рекомендовать",
            "how likely to recommend", "how likely are you to recommend us"],
    "ces": ["ces", "customer effort", "customer effort score", "effort", "ces score", "усилия клиента"],
    "queue": [
        "queue", "queue name", "queue.name", "skill", "topic", "service", "service line", "очередь",
        "группа вызова", "тематика", "тема", "campaign",
    ],
    "team": ["team", "group", "agent group", "team name", "команда", "группа", "отдел"],
    "agent": [
        "agent", "agent name", "agent username", "agent.username", "users", "user", "assignee", "server",
        "оператор", "кто ответил", "сотрудник", "агент", "ответил",
    ],
    "status": [
        "status", "disposition", "outcome", "call status", "result", "call result", "статус",
        "результат", "статус звонка",
    ],
}

# A trailing row whose cell says one of these is the export's summary line, not a contact (issue 14).
SUMMARY_WORDS = ("total", "totals", "grand total", "sum", "summary", "overall", "итого", "итог", "всего",
                 "общий итог", "итого:", "total:", "всего:")
# An export's average line: a summary only in the id or time column or on a row with neither (a "Call quality" column
# may say "Average" on a contact's row)
AVERAGE_WORDS = ("average", "avg", "mean", "среднее", "в среднем")

# Headers that name a whole timestamp when alone, but the time of day beside a date column ("Дата;Время;…"):
# with a date column mapped, such a column is queued_time.
TIME_OF_DAY_BESIDE_A_DATE = ("время", "time", "начало", "время начала", "start time", "время звонка")

# customer_id headers that may hold a name ("Клиент": ООО Ромашка), and those that hold a phone number: when a file
# has both, the phone is the id contact logs (PBX, Bitrix24) know the caller by
CUSTOMER_NAME_HEADERS = ("customer", "client", "клиент", "абонент")
CUSTOMER_PHONE_HEADERS = ("телефон", "номер телефона", "phone", "phone number", "caller number", "номер абонента",
                          "телефон клиента", "caller id", "ani")

# A customer id written as a phone number: digits with +, spaces, dashes, dots or brackets, 7–15 digits. Read by the
# import and by the store's migration of ids stored before the rule.
_PHONE_RE = r"\+?[0-9][0-9 ().\-]{5,22}[0-9]"


def customer_key_sql(raw: str) -> str:
    """The customer id as contacts and customers are matched on: a phone number by its digits alone, and an
    11-digit Russian or Kazakh number written with the trunk prefix 8 as with the country code 7 ("+7 916 000-00-01",
    "8 (916) 000-00-01" and "79160000001" are one customer); any other id as written."""
    digits = f"regexp_replace({raw}, '[^0-9]', '', 'g')"
    return (f"(CASE WHEN regexp_full_match({raw}, '{_PHONE_RE}') AND length({digits}) BETWEEN 7 AND 15 THEN "
            f"(CASE WHEN regexp_full_match({digits}, '8[0-9]{{10}}') THEN '7' || substr({digits}, 2) ELSE {digits} END)"
            f" ELSE {raw} END)")


_CUSTOMER_HEADER_ALIASES = {
    "customer_id": _HEADER_ALIASES["customer_id"] + ["id"],
    "churned_on": [
        "churned_on", "churned on", "churn date", "churned", "cancelled at", "canceled at",
        "cancellation date", "date of churn", "дата оттока", "отток", "дата ухода", "дата расторжения",
    ],
}


def _index(aliases: dict[str, list[str]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for field, names in aliases.items():
        for name in names:
            index.setdefault(normalise_header(name), field)
    return index


# Aggregated reports: generic English and Russian headers, and the columns of Amazon Connect historical metrics,
# Genesys queue performance, Cisco UCCX CSQ and Avaya CMS reports. A threshold written in a header ("Service level
# 20 seconds") is taken out before the look-up (header_threshold) and read as the row's SL threshold.
_AGGREGATED_HEADER_ALIASES = {
    "period_start": ["period_start", "period", "period start", "interval", "interval start", "start interval",
                     "startinterval", "date", "day", "month", "week", "week of", "fecha", "mes", "date/time",
                     "datetime", "start time", "timestamp", "дата", "день", "месяц", "неделя", "период",
                     "интервал", "начало интервала", "начало периода"],
    "period_time": ["period_time", "time", "interval time", "time of day", "время", "время интервала"],
    "channel": _HEADER_ALIASES["channel"],
    "direction": _HEADER_ALIASES["direction"],
    "queue": _HEADER_ALIASES["queue"] + ["csq", "csq name", "split", "split/skill", "skill name", "queue / skill"],
    "team": _HEADER_ALIASES["team"],
    "agent": _HEADER_ALIASES["agent"],
    "status": _HEADER_ALIASES["status"],
    "offered": ["offered", "contacts offered", "calls offered", "offered calls", "noffered", "incoming calls",
                "incoming", "inbound calls", "contacts queued", "calls presented", "presented", "calls", "total calls",
                "contacts", "поступило", "поступило звонков", "поступило вызовов", "входящие", "входящих",
                "всего звонков", "всего вызовов", "количество звонков", "поступившие"],
    "answered": ["answered", "answered calls", "contacts answered", "contacts handled", "calls handled",
                 "handled", "handled calls", "acd calls", "nanswered", "принято", "принятые", "принято звонков",
                 "принято вызовов", "отвечено", "отвеченные", "обслужено"],
    "abandoned": ["abandoned", "abandoned calls", "contacts abandoned", "calls abandoned", "aban calls", "abandons",
                  "nabandon", "потеряно", "потерянные", "потеряно звонков", "пропущено", "пропущенные", "брошено"],
    "short_abandoned": ["short_abandoned", "short abandons", "short abandoned", "short abandon",
                        "короткие потерянные", "короткие пропущенные"],
    "answered_within": ["answered_within", "answered within", "contacts answered in", "calls answered within",
                        "answered within sl", "answered within threshold", "принято в пределах", "принято за",
                        "отвечено за", "отвечено в пределах"],
    "abandoned_within": ["abandoned_within", "abandoned within", "contacts abandoned in", "abandons within",
                         "потеряно за", "потеряно в пределах"],
    "sl_threshold_s": ["sl_threshold_s", "sl threshold", "service level threshold", "threshold",
                       "порог", "порог уровня обслуживания"],
    "wait_total_s": ["wait_total_s", "total wait time", "total wait", "wait time total", "wait total",
                     "total queue time", "queue time",
                     "суммарное время ожидания", "общее время ожидания"],
    "asa": ["asa", "average speed of answer", "avg speed ans", "avg speed answer", "avg speed of answer",
            "average queue answer time",
            "answer speed (avg)", "answer speed", "average answer speed", "avg asa", "среднее время ожидания",
            "среднее время ответа", "ср. время ожидания", "скорость ответа"],
    "handle_total_s": ["handle_total_s", "handle time", "total handle time", "total handle", "handle time total",
                       "handle total",
                       "общее время обработки", "суммарное время обработки"],
    "aht": ["aht", "average handle time", "avg handle", "avg handle time", "average handling time",
            "среднее время обработки", "ср. время обработки"],
    "talk_total_s": ["talk_total_s", "talk time", "total talk time", "total talk", "время разговора",
                     "общее время разговора"],
    "talk_mean": ["talk_mean", "avg talk time", "average talk time", "avg talk", "talk duration (avg)",
                  "average talk duration", "среднее время разговора"],
    "hold_total_s": ["hold_total_s", "hold time", "total hold time", "время удержания"],
    "hold_mean": ["hold_mean", "avg hold time", "average hold time", "average customer hold time",
                  "avg hold", "среднее время удержания"],
    "wrap_total_s": ["wrap_total_s", "acw time", "total acw", "after call work time", "wrap time", "total wrap time",
                     "время постобработки"],
    "wrap_mean": ["wrap_mean", "avg acw", "average after contact work time", "avg wrap", "average wrap-up time",
                  "avg wrap time", "среднее время постобработки"],
    "elapsed_total_s": ["elapsed_total_s", "elapsed time", "total elapsed time", "total duration",
                        "общая длительность"],
    "service_level_pct": ["service_level_pct", "service level", "service level %", "service level (%)", "sl", "sl %",
                          "sl%", "service level pct", "уровень обслуживания", "уровень сервиса", "уо", "sla"],
    "abandon_rate_pct": ["abandon_rate_pct", "abandon rate", "abandonment rate", "abandon %", "abandoned %",
                         "% abandoned", "abandon rate %", "процент потерянных", "доля потерянных",
                         "процент пропущенных"],
    "resolved": ["resolved", "resolved contacts", "fcr resolved", "resolved first contact",
                 "решено с первого обращения"],
    "resolved_n": ["resolved_n", "fcr responses", "fcr base", "fcr surveyed", "fcr n"],
    "csat_n": ["csat_n", "csat responses", "csat surveys", "csat n", "ответы csat"],
    "csat_top2": ["csat_top2", "csat top 2", "csat top2", "csat satisfied", "satisfied", "довольные"],
    "nps_n": ["nps_n", "nps responses", "nps n", "ответы nps"],
    "nps_promoters": ["nps_promoters", "promoters", "промоутеры", "сторонники"],
    "nps_detractors": ["nps_detractors", "detractors", "критики"],
    "ces_n": ["ces_n", "ces responses", "ces n"],
    "ces_total": ["ces_total", "ces total", "ces sum"],
}

# Column names of contact-level exports of common platforms, each with the field it feeds (tests/test_layouts.py
# checks every one). Durations in minutes or hours (Zendesk's "First reply time in minutes") are left out on
# purpose: read as seconds they would be wrong.
PLATFORM_HEADER_ALIASES = {
    "Five9 call log": {"call id": "contact_id", "date": "queued_date", "time": "queued_time",
                       "campaign": "queue", "skill": "queue", "agent name": "agent", "ani": "customer_id",
                       "queue wait time": "wait_seconds", "speed of answer": "wait_seconds", "talk time": "talk_seconds",
                       "hold time": "hold_seconds", "after call work time": "wrap_seconds",
                       "handle time": "handle_seconds", "disposition": "status", "call type": "direction"},
    "Genesys Cloud interactions": {"conversation id": "contact_id", "media type": "channel", "direction": "direction",
                                   "queue": "queue", "users": "agent", "total queue": "wait_seconds",
                                   "total talk": "talk_seconds", "total hold": "hold_seconds",
                                   "total acw": "wrap_seconds", "total handle": "handle_seconds",
                                   "abandoned": "abandoned", "remote": "customer_id"},
    "Zendesk tickets": {"ticket id": "contact_id", "via": "channel", "created at": "queued_at",
                        "solved at": "ended_at", "requester id": "customer_id", "group": "team",
                        "assignee": "agent"},
    "Freshdesk tickets": {"ticket id": "contact_id", "created time": "queued_at", "resolved time": "ended_at",
                          "agent": "agent", "group": "team"},
    "Jira Service Management issues": {"issue key": "contact_id", "reporter": "customer_id",
                                       "custom field (satisfaction)": "csat"},
    "Talkdesk calls": {"interaction id": "contact_id", "start time": "queued_at", "end time": "ended_at",
                       "wait time": "wait_seconds", "talk time": "talk_seconds", "hold time": "hold_seconds",
                       "agent name": "agent", "customer phone number": "customer_id", "rating": "csat"},
    "Avaya CMS ECH": {"callid": "contact_id", "ucid": "contact_id", "segstart": "queued_at", "segstop": "ended_at",
                      "dispsplit": "queue", "split/skill": "queue", "anslogin": "agent", "calling_pty": "customer_id",
                      "disptime": "wait_seconds", "talktime": "talk_seconds", "ansholdtime": "hold_seconds",
                      "acwtime": "wrap_seconds", "disposition": "status"},
    "Cisco UCCX call CCDR": {"session id": "contact_id", "call start time": "queued_at",
                             "call end time": "ended_at", "contact disposition": "status", "csq names": "queue",
                             "queue time": "wait_seconds", "agent name": "agent", "talk time": "talk_seconds",
                             "hold time": "hold_seconds", "work time": "wrap_seconds",
                             "calling number": "customer_id"},
    "Bitrix24 telephony": {"id звонка": "contact_id", "дата звонка": "queued_at", "тип звонка": "direction",
                           "номер телефона": "customer_id", "ответственный": "agent", "статус": "status"},
    "Mango Office": {"дата и время": "queued_at", "кто звонил": "customer_id", "сотрудник": "agent",
                     "время ожидания": "wait_seconds", "длительность разговора": "talk_seconds",
                     "статус": "status", "идентификатор": "contact_id"},
    "UIS / CoMagic": {"id сессии": "contact_id", "дата/время": "queued_at", "направление": "direction",
                      "номер абонента": "customer_id", "сотрудник": "agent", "время ожидания": "wait_seconds",
                      "длительность разговора": "talk_seconds", "статус": "status"},
    "Technion / Anonymous Bank call log": {"vru_exit": "queued_time", "q_time": "wait_seconds",
                                            "ser_time": "talk_seconds", "type": "queue", "server": "agent",
                                            "outcome": "status"},
    "Asterisk CDR": {"uniqueid": "contact_id", "calldate": "queued_at", "start": "queued_at", "answer": "answered_at",
                     "end": "ended_at", "src": "customer_id", "billsec": "talk_seconds", "disposition": "status"},
}
for _names in PLATFORM_HEADER_ALIASES.values():
    for _header, _field in _names.items():
        if _header not in _HEADER_ALIASES[_field]:
            _HEADER_ALIASES[_field].append(_header)

HEADER_INDEX = {"contacts": _index(_HEADER_ALIASES), "customers": _index(_CUSTOMER_HEADER_ALIASES),
                "aggregated": _index(_AGGREGATED_HEADER_ALIASES),
                "scores": _index({f: _HEADER_ALIASES[f] for f in ("contact_id", *SCORE_FIELD_NAMES)})}

_THRESHOLD_IN_HEADER = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(seconds|second|secs|sec|s|segundos|seg|секунд[аы]?|сек\.?|с)\b", re.IGNORECASE)


def header_threshold(header: str) -> tuple[str, float | None]:
    """A header without the threshold written in it, and that threshold in seconds ("Service level 20 seconds"
    → ("Service level ", 20.0)); the header itself and None when it names none."""
    match = _THRESHOLD_IN_HEADER.search(str(header))
    if not match:
        return str(header), None
    return str(header)[:match.start()] + str(header)[match.end():], float(match.group(1).replace(",", "."))


# Month names with a year (spec §1b: "Apr-15", "март 2026"): English, Spanish and Russian, full, short, genitive.
MONTH_WORDS = {
    **{w: i + 1 for i, names in enumerate([
        ("january", "jan", "enero", "ene", "январь", "января", "янв"),
        ("february", "feb", "febrero", "февраль", "февраля", "фев", "февр"),
        ("march", "mar", "marzo", "март", "марта", "мар"),
        ("april", "apr", "abril", "abr", "апрель", "апреля", "апр"),
        ("may", "mayo", "май", "мая"),
        ("june", "jun", "junio", "июнь", "июня", "июн"),
        ("july", "jul", "julio", "июль", "июля", "июл"),
        ("august", "aug", "agosto", "ago", "август", "августа", "авг"),
        ("september", "sep", "sept", "septiembre", "set", "сентябрь", "сентября", "сен", "сент"),
        ("october", "oct", "octubre", "октябрь", "октября", "окт"),
        ("november", "nov", "noviembre", "ноябрь", "ноября", "ноя", "нояб"),
        ("december", "dec", "diciembre", "dic", "декабрь", "декабря", "дек"),
    ]) for w in names},
}

CHANNEL_ALIASES = {
    "voice": ["voice", "phone", "call", "calls", "inbound call", "telephone", "telephony", "телефон", "звонок",
              "голос", "телефония"],
    "chat": ["chat", "web chat", "webchat", "live chat", "livechat", "чат", "онлайн-чат"],
    "messaging": ["messaging", "sms", "whatsapp", "telegram", "messenger", "viber", "мессенджер", "мессенджеры"],
    "email": ["email", "e-mail", "mail", "почта", "письмо", "электронная почта"],
    "social": ["social", "social media", "twitter", "facebook", "vk", "вконтакте", "instagram",
               "социальные сети", "соцсети"],
    "video": ["video", "video chat", "videochat", "видео", "видеозвонок"],
    "back_office": ["back_office", "back office", "backoffice", "task", "бэк-офис", "бэкофис"],
}


def channel_alias_rows() -> list[tuple[str, str]]:
    """(lower-case alias, slug) pairs, for the importer's look-up table."""
    return [(alias.lower(), slug) for slug, names in CHANNEL_ALIASES.items() for alias in names]


STATUS_WORDS = {
    "answered": ["answered", "answer", "handled", "completed", "complete", "connected", "agent", "served",
                 "accepted", "отвечен", "отвечено", "отвеченный", "принят", "принятый", "обработан", "обработанный",
                 "успешно", "answered call", "обработано", "обработана", "принято", "принята", "успешный звонок",
                 "входящий успешный"],
    "abandoned": ["abandoned", "abandon", "hang", "hangup", "hung up", "missed", "lost", "unanswered",
                  "no answer", "noanswer", "пропущен", "пропущенный", "потерян", "потерянный", "не отвечен",
                  "неотвечен", "неотвеченный", "брошен", "брошенный", "сброшен", "сброшенный", "пропущенный звонок",
                  "пропущено", "пропущена", "потеряно", "потеряна", "missed call"],
    "skip": ["phantom"],  # the Technion log's virtual calls, "to be ignored" by its documentation
}
STATUS_OUTCOMES = ("answered", "abandoned", "skip")


def status_word_rows() -> list[tuple[str, str]]:
    return [(w, outcome) for outcome, words in STATUS_WORDS.items() for w in words]


TRUE_WORDS = ("y", "yes", "true", "t", "1", "да", "д", "истина", "1.0")
FALSE_WORDS = ("n", "no", "false", "f", "0", "нет", "н", "ложь", "0.0")

INBOUND_WORDS = ("inbound", "in", "incoming", "входящий", "входящие", "входящая", "вход")
OUTBOUND_WORDS = ("outbound", "out", "outgoing", "исходящий", "исходящие", "исходящая", "исход")

# Word ratings of help desks on the 1–5 scale (README "Values"): Zendesk's Good/Bad and the Russian desks' хорошо/
# плохо at its ends, so that top-2-box counts "good" as satisfied; Freshdesk's three faces Awesome / Just Okay /
# Not Good at 5, 3 and 1 (the middle face is neither satisfied nor not); "offered"/"unoffered" mean no response.
CSAT_WORDS = {"good": 5, "bad": 1, "offered": None, "unoffered": None, "awesome": 5, "just okay": 3, "not good": 1,
              "хорошо": 5, "нормально": 3, "плохо": 1}

# Cells that say "there is no value" in exports: "-" for an abandoned call's talk time, Excel's #N/A, "н/д". In a
# typed column (numbers, durations, times, dates, yes/no) they are read as empty and counted in the import's report;
# a text column keeps them (a queue may be called "NA"). Matched as written in these cases (README "Files").
NO_VALUE_WORDS = ("-", "–", "—", "n/a", "na", "#n/a", "null", "none", "nan", "н/д", "н/а", "нет данных")
NO_VALUE_TEXTS = tuple(sorted({v for w in NO_VALUE_WORDS for v in (w, w.upper(), w.capitalize())} | {"NaN"}))
# The field kinds whose columns read those cells as empty
NO_VALUE_KINDS = frozenset({"number", "integer", "duration", "time", "timestamp", "date", "bool", "count", "percent",
                            "direction"})  # a direction left empty is inbound (spec §1)

# customer_id values that mean "caller not identified" (the Technion file writes 0).
UNKNOWN_CUSTOMER_PATTERN = r"^(0+|-|n/?a|none|null|unknown|anonymous|аноним|неизвестно)$"


# Shipped defaults: (channel, metric, target, tolerance_pct). Reasons in README "Default targets";
# installed when a store is created.
DEFAULT_TARGETS = [
    ("voice", "service_level", 80.0, 0.0), ("video", "service_level", 80.0, 0.0),
    ("chat", "service_level", 80.0, 0.0), ("messaging", "service_level", 80.0, 0.0),
    ("social", "service_level", 80.0, 0.0), ("email", "service_level", 90.0, 0.0),
    ("back_office", "service_level", 90.0, 0.0),
    ("voice", "abandon_rate", 5.0, 0.0), ("video", "abandon_rate", 5.0, 0.0), ("chat", "abandon_rate", 5.0, 0.0),
    ("messaging", "abandon_rate", 10.0, 0.0), ("social", "abandon_rate", 10.0, 0.0),
    ("voice", "asa", 30.0, 0.0), ("video", "asa", 30.0, 0.0), ("chat", "asa", 60.0, 0.0),
    ("voice", "aht", 360.0, 10.0), ("video", "aht", 480.0, 10.0), ("chat", "aht", 600.0, 10.0),
    ("messaging", "aht", 600.0, 10.0), ("email", "aht", 480.0, 10.0), ("social", "aht", 480.0, 10.0),
    ("back_office", "aht", 1200.0, 10.0),
    ("*", "fcr", 70.0, 0.0), ("*", "csat", 80.0, 0.0), ("*", "nps", 30.0, 0.0), ("*", "ces", 5.0, 0.0),
    ("*", "churn_rate", 5.0, 0.0),
]
