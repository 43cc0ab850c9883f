"""Platform exports read natively (spec §1c): Asterisk `queue_log` and Amazon Connect contact trace records.

Each is recognised from the file's content, with no flag, and turned into canonical contact rows (text
columns named after the contact fields, plus the line or record they came from), which then go through
the same parsing, validation and load as any contact file. What carries no contact is skipped and counted
in the import report, never invented: agent events, ring-no-answer lines, calls whose outcome is not in
the file, stale copies of a contact record.

Decisions where the spec is silent (README "Platform exports"):
- queue_log: a call that enters a second queue (a transfer to a queue, or a timeout that moves it on) is a
  second contact, `callid:2`, offered to that queue. Epoch times are UTC and converted to the store's
  zone. An outcome line with no ENTERQUEUE before it (the log starts mid-call) is counted, not imported.
- Connect: a contact with no Queue that is not outbound never reached an agent queue (it ended in the
  flow or the IVR): counted as self-service, not offered. An outbound contact without a queue is queued
  at its InitiationTimestamp. Transfers (InitiationMethod TRANSFER) are contacts of the queue they were
  transferred to, as Connect's own queue reports count them.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: pyarrow is imported where used (README "Architecture")
    import pyarrow as pa

from ..display import format_number
from ..errors import ImportRefused, RowProblem

from ..messages import Message, PluralMessage
from .read import FileInfo, column_names, file_kind

QUEUE_LOG = "Asterisk queue_log"
CONNECT_RECORDS = "Amazon Connect contact records"
PLATFORM_FORMATS = (QUEUE_LOG, CONNECT_RECORDS)  # FileInfo.file_format of a platform export

_QUEUE_LOG_LINE = re.compile(r"^\d{9,11}(\.\d+)?\|[^|\n]*\|[^|\n]*\|[^|\n]*\|[A-Z_]+(\||$)")
# event → (outcome, index of the waiting time among data1…data5, index of the talk time)
_QUEUE_LOG_OUTCOMES = {
    "COMPLETECALLER": ("answered", 0, 1),
    "COMPLETEAGENT": ("answered", 0, 1),
    "ATTENDEDTRANSFER": ("answered", 2, 3),
    "BLINDTRANSFER": ("answered", 2, 3),
    "ABANDON": ("abandoned", 2, None),
    "EXITWITHTIMEOUT": ("abandoned", 2, None),
    "EXITEMPTY": ("abandoned", 2, None),
    "EXITWITHKEY": ("abandoned", 3, None),
}
CONNECT_CHANNELS = {"VOICE": "voice", "CHAT": "chat", "TASK": "back_office", "EMAIL": "email"}
FIELDS = ["contact_id", "channel", "direction", "queued_at", "answered_at", "ended_at", "status", "wait_seconds",
          "talk_seconds", "hold_seconds", "wrap_seconds", "customer_id", "queue", "agent"]


@dataclass
class _Call:
    line: int
    contact_id: str
    queued_at: str
    queue: str
    customer: str
    agent: str = ""
    wait: str = ""
    talk: str = ""
    status: str = ""


@dataclass
class _Rows:
    """Canonical rows being built: one list per field, plus the source line of each."""
    columns: dict[str, list[str]] = field(default_factory=lambda: {f: [] for f in FIELDS})
    lines: list[int] = field(default_factory=list)

    def add(self, line: int, **values: str) -> None:
        for name in FIELDS:
            self.columns[name].append(values.get(name, "") or "")
        self.lines.append(line)

    def batch(self) -> pa.RecordBatch:
        import pyarrow as pa
        arrays = [pa.array(self.columns[f], type=pa.string()) for f in FIELDS]
        arrays.append(pa.array(self.lines, type=pa.int64()))
        return pa.RecordBatch.from_arrays(arrays, names=column_names(len(FIELDS)) + ["file_row"])


def detect_platform(path: Path) -> str | None:
    """QUEUE_LOG or CONNECT_RECORDS when the file's first lines look like one, else None."""
    with open(path, "rb") as fh:
        head = fh.read(65536)
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    stripped = text.lstrip()
    if stripped[:1] in ("{", "[") and '"ContactId"' in text:
        return CONNECT_RECORDS
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if lines and sum(bool(_QUEUE_LOG_LINE.match(line)) for line in lines) >= max(1, len(lines) - 1):
        return QUEUE_LOG
    return None


def recognise(path: Path, display: str) -> str | None:
    """The platform of an upload or file, from its content; None for a workbook or any other file."""
    return None if file_kind(display) == "excel" else detect_platform(path)


def platform_info(display: str, platform: str) -> FileInfo:
    """What detection says of a platform export, without reading it: its canonical columns (no header row)."""
    info = FileInfo(display, platform, encoding="utf-8", header_row=0)
    info.headers = list(FIELDS)
    return info


def read_platform(path: Path, display: str, platform: str) -> tuple[FileInfo, list[pa.RecordBatch]]:
    """The export as canonical contact rows; what was skipped is listed in the FileInfo's warnings."""
    reader = {QUEUE_LOG: _read_queue_log, CONNECT_RECORDS: _read_connect}[platform]
    info = platform_info(display, platform)
    rows = reader(path, display, info.warnings)
    return info, [rows.batch()]


def _epoch_text(value: str) -> str:
    return dt.datetime.fromtimestamp(float(value), dt.timezone.utc).isoformat()


def _read_queue_log(path: Path, display: str, warnings: list[str]) -> _Rows:
    calls: dict[str, _Call] = {}
    legs: Counter = Counter()
    done: list[_Call] = []
    noise: Counter = Counter()
    orphans: Counter = Counter()
    problems: list[RowProblem] = []
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        for number, raw in enumerate(fh, start=1):
            line = raw.rstrip("\r\n")
            if not line.strip():
                continue
            parts = line.split("|")
            if len(parts) < 5 or not _QUEUE_LOG_LINE.match(line):
                problems.append(RowProblem(display, number, None, line[:80],
                                           Message("not a queue_log line (epoch|callid|queue|agent|event|data…)")))
                continue
            epoch, callid, queue, agent, event = parts[:5]
            data = (parts[5:] + [""] * 5)[:5]
            if event == "ENTERQUEUE":
                legs[callid] += 1
                contact_id = callid if legs[callid] == 1 else f"{callid}:{legs[callid]}"
                calls[callid] = _Call(number, contact_id, _epoch_text(epoch), queue, data[1])
            elif event == "CONNECT":
                call = calls.get(callid)
                if call is None:
                    orphans[event] += 1
                    continue
                call.agent, call.wait = agent, data[0]
            elif event in _QUEUE_LOG_OUTCOMES:
                call = calls.pop(callid, None)
                if call is None:
                    orphans[event] += 1
                    continue
                outcome, wait_at, talk_at = _QUEUE_LOG_OUTCOMES[event]
                call.status = outcome
                call.wait = data[wait_at] or call.wait
                if talk_at is not None:
                    call.talk = data[talk_at]
                if agent and agent != "NONE":
                    call.agent = agent
                done.append(call)
            else:
                noise[event] += 1
    if problems:
        raise ImportRefused(Message("{file}: {count} lines are not queue_log lines, so the file cannot be read as an "
                                    "Asterisk queue_log. Export the queue_log file unchanged.", file=display,
                                    count=len(problems)), problems)
    rows = _Rows()
    for call in sorted(done, key=lambda c: c.line):
        rows.add(call.line, contact_id=call.contact_id, channel="voice", direction="inbound",
                 queued_at=call.queued_at, status=call.status, wait_seconds=call.wait, talk_seconds=call.talk,
                 customer_id="" if call.customer in ("", "NONE", "anonymous") else call.customer,
                 queue=call.queue, agent="" if call.agent == "NONE" else call.agent)
    if noise:
        n = sum(noise.values())
        warnings.append(PluralMessage("{n} queue_log line carries no contact and was skipped: {events}.",
                                      "{n} queue_log lines carry no contact and were skipped: {events}.", n,
                                      events=_events(noise)))
    if calls:
        first = sorted(calls.values(), key=lambda c: c.line)[:5]
        warnings.append(PluralMessage(
            "{n} call entered a queue but has no outcome in this file (still queued when the log was cut, or the log "
            "is incomplete): not imported. First: {first}. Import a later queue_log that contains the outcome.",
            "{n} calls entered a queue but have no outcome in this file (still queued when the log was cut, or the "
            "log is incomplete): not imported. First: {first}. Import a later queue_log that contains the outcome.",
            len(calls), first=[Message("{contact_id} (line {line})", contact_id=c.contact_id, line=c.line)
                               for c in first]))
    if orphans:
        n = sum(orphans.values())
        warnings.append(PluralMessage("{n} line belongs to a call that entered the queue before this file starts; "
                                      "not imported: {events}.",
                                      "{n} lines belong to calls that entered the queue before this file starts; "
                                      "not imported: {events}.", n, events=_events(orphans)))
    return rows


def _events(counts: Counter) -> str:
    """queue_log events (codes) with their counts, most frequent first."""
    return ", ".join(f"{event} {format_number(count)}" for event, count in counts.most_common())


def _load_records(path: Path, display: str) -> list[tuple[int, dict]]:
    """(line or record number, record) for JSON lines or one JSON array (or object with a list)."""
    text = path.read_text(encoding="utf-8-sig")
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportRefused(Message("{file}: not valid JSON at line {line}, column {column}: {error}. Export the "
                                        "contact records unchanged.", file=display, line=exc.lineno,
                                        column=exc.colno, error=exc.msg),
                                [RowProblem(display, exc.lineno, None, None, exc.msg)]) from None
        return [(i, r) for i, r in enumerate(data, start=1)]
    records, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            problems.append(RowProblem(display, number, None, line[:60],
                                       Message("not a JSON record: {error}", error=exc.msg)))
    if problems:
        raise ImportRefused(Message("{file}: {count} lines are not JSON records. Contact records come one JSON object "
                                    "per line, or as one JSON array.", file=display, count=len(problems)), problems)
    return records


def _read_connect(path: Path, display: str, warnings: list[str]) -> _Rows:
    latest: dict[str, tuple[str, int, dict]] = {}
    stale = 0
    problems: list[RowProblem] = []
    for number, record in _load_records(path, display):
        if not isinstance(record, dict) or not record.get("ContactId"):
            problems.append(RowProblem(display, number, "ContactId", None,
                                       Message("a contact record needs a ContactId")))
            continue
        key = str(record["ContactId"])
        updated = str(record.get("LastUpdateTimestamp") or "")
        if key in latest:
            stale += 1
            if updated < latest[key][0]:
                continue
        latest[key] = (updated, number, record)
    if problems:
        raise ImportRefused(Message("{file}: {count} records have no ContactId. Nothing was imported.", file=display,
                                    count=len(problems)), problems)
    rows = _Rows()
    self_service = 0
    for _updated, number, r in sorted(latest.values(), key=lambda item: item[1]):
        queue = r.get("Queue") or {}
        agent = r.get("Agent") or {}
        outbound = str(r.get("InitiationMethod") or "").upper() == "OUTBOUND"
        queued_at = queue.get("EnqueueTimestamp") or (r.get("InitiationTimestamp") if outbound else None)
        if not queued_at:
            self_service += 1
            continue
        channel = str(r.get("Channel") or "")
        connected = agent.get("ConnectedToAgentTimestamp")
        rows.add(number, contact_id=str(r["ContactId"]), channel=CONNECT_CHANNELS.get(channel.upper(), channel),
                 direction="outbound" if outbound else "inbound", queued_at=str(queued_at),
                 answered_at=str(connected or ""), ended_at=str(r.get("DisconnectTimestamp") or ""),
                 status="answered" if connected else "abandoned",
                 wait_seconds=_text(queue.get("Duration")), talk_seconds=_text(agent.get("AgentInteractionDuration")),
                 hold_seconds=_text(agent.get("CustomerHoldDuration")),
                 wrap_seconds=_text(agent.get("AfterContactWorkDuration")),
                 customer_id=_text((r.get("CustomerEndpoint") or {}).get("Address")),
                 queue=_text(queue.get("Name")), agent=_text(agent.get("Username")))
    if stale:
        warnings.append(PluralMessage(
            "{n} older copy of a contact record was dropped: records are delivered at least once, and the one with "
            "the latest LastUpdateTimestamp is kept for each ContactId.",
            "{n} older copies of contact records were dropped: records are delivered at least once, and the one "
            "with the latest LastUpdateTimestamp is kept for each ContactId.", stale))
    if self_service:
        warnings.append(PluralMessage(
            "{n} inbound contact never entered a queue (ended in the contact flow): not offered to agents, so not "
            "imported.",
            "{n} inbound contacts never entered a queue (ended in the contact flow): not offered to agents, so not "
            "imported.", self_service))
    return rows


def _text(value) -> str:
    return "" if value is None else str(value)

