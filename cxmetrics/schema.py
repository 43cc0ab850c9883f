"""The canonical contact record, channels and the alias tables (spec §1–2).

Everything here is plain data: the importer, the docs and the tests read it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .settings import SETTINGS_BY_NAME

CHANNELS = ("voice", "chat", "messaging", "email", "social", "video", "back_office")

# The service-level formulas a channel can use (spec §3), each with its text for people.
SL_FORMULA_TEXT = {"abandons_against": "answered within ÷ (offered − short abandons)",
                   "abandons_ignored": "answered within ÷ answered",
                   "abandons_within_met": "(answered within + abandoned within) ÷ offered"}
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
    description: str = ""
    label: str = ""  # what the pages call it


CONTACT_FIELDS = (
    Field("contact_id", "text", True, label="Contact id",
          description="id in the source system; several columns are joined with ':'"),
    Field("channel", "channel", label="Channel",
          description="channel slug (spec §2), or one constant channel for the file"),
    Field("queued_at", "timestamp", label="Queued at (offered)", description="when the contact was offered"),
    Field("queued_date", "date", label="Queued date", description="date part of queued_at, with queued_time"),
    Field("queued_time", "time", label="Queued time", description="time part of queued_at, with queued_date"),
    Field("answered_at", "timestamp", label="Answered at", description="first agent answer / first response"),
    Field("ended_at", "timestamp", label="Ended at", description="end of the contact, or when the customer abandoned"),
    Field("answered", "bool", label="Answered (yes/no)", description="explicit answered flag"),
    Field("abandoned", "bool", label="Abandoned (yes/no)", description="explicit abandoned flag"),
    Field("wait_seconds", "duration", label="Wait time", description="speed of answer / time to first response"),
    Field("talk_seconds", "duration", label="Talk time", description="talk time"),
    Field("hold_seconds", "duration", label="Hold time", description="hold time"),
    Field("wrap_seconds", "duration", label="Wrap-up time", description="after-contact work"),
    Field("handle_seconds", "duration", label="Handle time", description="total handle time"),
    Field("direction", "direction", label="Direction", description="inbound (default) or outbound"),
    Field("customer_id", "text", label="Customer id", description="customer id, for repeat-contact FCR and churn"),
    Field("resolved", "bool", label="Resolved (yes/no)", description="explicit first-contact-resolution flag"),
    Field("csat", "number", low=1, high=5, label="CSAT (1–5)", description="satisfaction score 1–5"),
    Field("nps", "integer", low=0, high=10, label="NPS (0–10)", description="likelihood to recommend 0–10"),
    Field("ces", "number", low=1, high=7, label="CES (1–7)", description="customer effort 1–7, higher is easier"),
    Field("queue", "text", label="Queue", description="queue / skill / topic"),
    Field("team", "text", label="Team", description="team / group"),
    Field("agent", "text", label="Agent", description="agent"),
    Field("status", "status", label="Status", description="disposition: answered, abandoned or skip"),
)

CUSTOMER_FIELDS = (
    Field("customer_id", "text", True, label="Customer id", description="customer id"),
    Field("churned_on", "date", label="Churned on", description="date the customer left; empty = active"),
)

FIELDS_BY_KIND = {"contacts": CONTACT_FIELDS, "customers": CUSTOMER_FIELDS}


def fields_for(kind: str) -> dict[str, Field]:
    return {f.name: f for f in FIELDS_BY_KIND[kind]}


FIELD_LABELS = {f.name: f.label for fields in FIELDS_BY_KIND.values() for f in fields}
_FIELD_ID = re.compile(r"\b(" + "|".join(sorted(FIELD_LABELS, key=len, reverse=True)) + r")\b")


def with_field_labels(text):
    """Stored text (a quarantine reason such as "queued_at is empty") with field ids replaced by their labels,
    for pages; the store, the CLI and CSV files keep the ids."""
    return _FIELD_ID.sub(lambda m: FIELD_LABELS[m.group(1)], text) if isinstance(text, str) else text

# Page headings of the import log, quarantine and problem tables; CLI output and CSV files keep the ids.
COLUMN_LABELS = {
    "import_id": "Import #", "file_name": "File", "kind": "Kind", "source": "Source", "imported_at": "Imported at",
    "rows_read": "Read", "rows_imported": "Imported", "rows_replaced": "Replaced", "rows_skipped": "Skipped",
    "rows_rejected": "Rejected", "file_row": "Row", "row": "Row", "columns": "Columns", "column": "Column",
    "value": "Value", "reason": "Reason", "outcome": "Outcome",
}
# The quarantine export's columns (CLI and Upload page downloads).
QUARANTINE_COLUMNS = ("import_id", "file_name", "file_row", "columns", "reason", "raw_json")
# Stored for the machine (and kept in CSV downloads), never shown in a page table.
HIDDEN_COLUMNS = ("mapping_json", "sha256", "raw_json")


@dataclass(frozen=True)
class Control:
    """An import option as a message names it: a phrase saying how to set it, on each interface.

    `cli` and `page` are format strings over the reference's arguments (see errors.ControlRef);
    `defaults` fills the arguments a reference may leave out.
    """
    cli: str
    page: str
    defaults: tuple[tuple[str, str], ...] = ()


# The Upload page's widgets, by the import control they set (the page and its messages read these).
UPLOAD_LABELS = {"kind": "Kind", "channel": "Channel for every row", "date_format": "Date format",
                 "on_error": "Invalid rows", "source": "Source system", "preset": "Mapping preset",
                 "save_preset": "Save this mapping as a preset named"}

# Every import control a message may name; the CLI says the flag, the Upload page its own widget.
IMPORT_CONTROLS = {
    "kind": Control("with --kind contacts|customers", f"with '{UPLOAD_LABELS['kind']}'"),
    "map": Control("with --map {field}={column}", "in the '{label}' box of the mapping",
                   defaults=(("column", "COLUMN"),)),
    "channel": Control("with --channel SLUG", f"in '{UPLOAD_LABELS['channel']}'"),
    "date_format": Control("with --date-format", f"in the '{UPLOAD_LABELS['date_format']}' box"),
    "status_map": Control("with --status-map VALUE=answered|abandoned|skip", "in the Status values table"),
    "sheet": Control("with --sheet",
                     "through a mapping preset that names it (this page reads the sheet its preset names, "
                     "else the first non-empty one)"),
    "on_error": Control("with --on-error {mode}", f"with '{UPLOAD_LABELS['on_error']}: {{mode}}'",
                        defaults=(("mode", "quarantine"),)),
    "force": Control("with --force (its contacts replace the stored ones)",
                     "after removing import #{import_id} under 'Import history' below (this page does not import "
                     "the same file twice)"),
    "source": Control("with --source NAME", f"in '{UPLOAD_LABELS['source']}'"),
    "timezone": Control("with --timezone TZ",
                        f"in '{SETTINGS_BY_NAME['timezone'].label}' on the Targets & settings page"),
    "preset": Control("with --preset NAME", f"in '{UPLOAD_LABELS['preset']}'"),
    "save_preset": Control("with --save-preset NAME", f"with '{UPLOAD_LABELS['save_preset']}'"),
    "max_upload_mb": Control("with `settings set max_upload_mb N`",
                             "by asking whoever runs the app to raise the upload size limit"),
    "imports": Control("with `imports`", "under 'Import history'"),
}


def normalise_header(text: str) -> str:
    """Header key for alias look-up: lower case, ё→е, letters and digits only."""
    return re.sub(r"[\W_]+", "", str(text).lower().replace("ё", "е"))


# Header aliases: generic English and Russian, plus the column names of Amazon Connect,
# Genesys Cloud, Five9 and Zendesk exports and of common Russian PBX call logs.
_HEADER_ALIASES = {
    "contact_id": [
        "contact_id", "contact id", "id", "call id", "call_id", "callid", "interaction id", "ticket id",
        "ticket_id", "conversation id", "session id", "record id", "contactid", "ticketid",
        "ид", "id звонка", "ид звонка", "номер звонка", "номер обращения", "id обращения", "идентификатор",
        "call id (five9)", "session id",
    ],
    "channel": [
        "channel", "media type", "mediatype", "media", "via", "канал", "тип канала", "канал обращения",
        "ticketchannel", "ticket channel", "contact channel",
    ],
    "queued_at": [
        "queued_at", "queued at", "queue start", "initiationtimestamp", "initiation timestamp",
        "enqueuetimestamp", "queue.enqueuetimestamp", "start time", "starttime", "created at", "created",
        "date/time", "datetime", "timestamp", "contact time", "call time (start)", "call start",
        "время", "дата и время", "время звонка", "дата звонка", "начало", "время начала", "дата обращения",
        "received at", "received",
    ],
    "queued_date": ["date", "call date", "дата", "день"],
    "queued_time": ["time", "call time of day", "время суток"],
    "answered_at": [
        "answered_at", "answered at", "answer time", "connectedtoagenttimestamp",
        "agent.connectedtoagenttimestamp", "connected to agent timestamp", "first reply at",
        "first response at", "время ответа оператора",
    ],
    "ended_at": [
        "ended_at", "ended at", "end time", "endtime", "disconnecttimestamp", "disconnect timestamp",
        "solved at", "время окончания", "окончание",
    ],
    "answered": ["answered", "answered (y/n)", "answered y/n", "is answered", "отвечен", "принят"],
    "abandoned": ["abandoned", "abandon", "is abandoned", "abandoned (y/n)", "брошен", "потерян"],
    "wait_seconds": [
        "wait_seconds", "wait seconds", "wait time", "wait", "speed of answer", "speed of answer in seconds",
        "speed of answer (s)", "asa", "queue wait time", "queue time", "queue.duration", "queue duration",
        "queueduration", "total queue", "tqueue", "time to answer", "время ответа", "время ожидания",
        "ожидание",
    ],
    "talk_seconds": [
        "talk_seconds", "talk seconds", "talk time", "talk duration", "avgtalkduration", "avg talk duration",
        "total talk", "ttalk", "agentinteractionduration", "agent.agentinteractionduration",
        "agent interaction duration", "conversation duration", "длительность разговора", "время разговора",
        "разговор",
    ],
    "hold_seconds": [
        "hold_seconds", "hold seconds", "hold time", "total hold", "thold", "customerholdduration",
        "agent.customerholdduration", "customer hold duration", "время удержания", "удержание",
    ],
    "wrap_seconds": [
        "wrap_seconds", "wrap seconds", "wrap time", "wrap-up time", "wrapup time", "after call work time",
        "after call work", "acw", "total acw", "tacw", "aftercontactworkduration",
        "agent.aftercontactworkduration", "after contact work duration", "поствызывная обработка",
        "время постобработки",
    ],
    "handle_seconds": [
        "handle_seconds", "handle seconds", "handle time", "handling time", "total handle time", "aht",
        "thandle", "время обработки", "длительность обработки",
    ],
    "direction": [
        "direction", "call direction", "тип", "направление", "тип звонка",
    ],
    "customer_id": [
        "customer_id", "customer id", "customer", "client id", "client", "caller id", "ani",
        "requester id", "customerid", "id клиента", "клиент", "номер клиента", "абонент",
        "customer endpoint address", "customerendpoint.address",
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
    "nps": ["nps", "nps score", "likelihood to recommend", "recommend", "оценка nps", "готовность рекомендовать"],
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


HEADER_INDEX = {"contacts": _index(_HEADER_ALIASES), "customers": _index(_CUSTOMER_HEADER_ALIASES)}

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
                 "accepted", "отвечен", "отвечено", "принят", "обработан", "успешно", "answered call"],
    "abandoned": ["abandoned", "abandon", "hang", "hangup", "hung up", "missed", "lost", "unanswered",
                  "no answer", "noanswer", "пропущен", "пропущенный", "потерян", "не отвечен", "неотвечен",
                  "брошен", "сброшен"],
    "skip": [],
}
STATUS_OUTCOMES = ("answered", "abandoned", "skip")


def status_word_rows() -> list[tuple[str, str]]:
    return [(w, outcome) for outcome, words in STATUS_WORDS.items() for w in words]


TRUE_WORDS = ("y", "yes", "true", "t", "1", "да", "д", "истина", "1.0")
FALSE_WORDS = ("n", "no", "false", "f", "0", "нет", "н", "ложь", "0.0")

INBOUND_WORDS = ("inbound", "in", "incoming", "входящий", "входящие", "входящая", "вход")
OUTBOUND_WORDS = ("outbound", "out", "outgoing", "исходящий", "исходящие", "исходящая", "исход")

# Zendesk's satisfaction rating is Good/Bad: placed at the ends of the 1–5 scale, so that
# top-2-box counts "good" as satisfied; "offered"/"unoffered" mean no response.
CSAT_WORDS = {"good": 5, "bad": 1, "offered": None, "unoffered": None}

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
