"""Platform exports read natively (spec §1c, issue 14 §1): Asterisk queue_log and Amazon Connect contact records.

The fixtures follow the published formats: the Asterisk queue_log event list (ENTERQUEUE, CONNECT,
COMPLETECALLER/AGENT, transfers, ABANDON, EXITWITHTIMEOUT/EMPTY/KEY, agent events) and the Amazon
Connect contact-record data model (Queue, Agent, CustomerEndpoint, LastUpdateTimestamp). Every figure
below is worked out by hand from the fixture's lines.
"""
import json
from pathlib import Path

import pytest

from cxmetrics import Store, import_file
from cxmetrics.errors import ImportRefused
from cxmetrics.ingest.platforms import CONNECT_RECORDS, QUEUE_LOG, detect_platform
from cxmetrics.kpis import kpis

from .conftest import run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "platforms"


def _values(store, **query):
    return {(r.channel, r.group, r.metric): (r.value, r.n) for r in kpis(store, **query)}


def test_formats_are_recognised_from_the_content_alone(tmp_path):
    assert detect_platform(FIXTURES / "queue_log") == QUEUE_LOG
    assert detect_platform(FIXTURES / "connect_ctr.jsonl") == CONNECT_RECORDS
    assert detect_platform(FIXTURES / "connect_ctr.json") == CONNECT_RECORDS
    renamed = tmp_path / "export.csv"          # the name says nothing
    renamed.write_bytes((FIXTURES / "queue_log").read_bytes())
    assert detect_platform(renamed) == QUEUE_LOG
    plain = tmp_path / "plain.csv"
    plain.write_text("id,channel,queued_at\n1,voice,2026-03-02 09:00\n", encoding="utf-8")
    assert detect_platform(plain) is None


def test_queue_log_becomes_contacts_as_the_spec_says(store):
    report = import_file(store, FIXTURES / "queue_log")
    assert (report.rows_read, report.rows_imported) == (9, 9)
    rows = {r[0]: r[1:] for r in store.fetchall(
        "SELECT contact_id, queue, agent, answered, abandoned, wait_seconds, talk_seconds, customer_id "
        "FROM contacts ORDER BY queued_at")}
    assert rows["1772442000.1"] == ("support", "SIP/1002", True, False, 30.0, 120.0, "74951234567")  # CONNECT
    assert rows["1772442300.2"] == ("support", None, False, True, 45.0, None, "74957654321")         # ABANDON
    assert rows["1772442900.5"][4:6] == (8.0, 95.0)          # BLINDTRANSFER: talk = data4
    assert rows["1772445000.11"][4:6] == (10.0, 50.0)        # ATTENDEDTRANSFER: talk = data4
    assert rows["1772443200.7"][:4] == ("support", None, False, True)  # EXITWITHTIMEOUT, then a second queue:
    assert rows["1772443200.7:2"][:5] == ("overflow", "SIP/2001", True, False, 5.0)
    assert rows["1772443800.9"][4] == 20.0 and rows["1772443800.9"][6] is None  # EXITWITHKEY; anonymous caller
    assert rows["1772444400.10"][3:5] == (True, 3.0)         # EXITEMPTY
    assert store.scalar("SELECT strftime(queued_local, '%Y-%m-%d %H:%M:%S') FROM contacts "
                        "WHERE contact_id = '1772442000.1'") == "2026-03-02 09:00:00"  # epoch, UTC store
    # the skipped lines are counted, the call without an outcome reported, never invented
    text = " ".join(report.warnings)
    assert "8 queue_log lines carry no contact" in text and "RINGNOANSWER 2" in text and "ADDMEMBER 3" in text
    assert "1 call entered a queue but has no outcome" in text and "1772445500.14 (line 32)" in text
    assert "COMPLETECALLER 1" in text


def test_queue_log_figures_by_hand(store):
    import_file(store, FIXTURES / "queue_log")
    v = _values(store, period="month")
    # 9 offered; one short abandon (EXITEMPTY after 3 s < 5 s); answered waits 30, 12, 8, 5, 10; talks 120, 300,
    # 95, 40, 50
    assert v[("voice", None, "volume")] == (9, 9)
    assert v[("voice", None, "handled")] == (5, 9)
    assert v[("voice", None, "abandon_rate")] == (pytest.approx(100 * 3 / 8), 8)
    assert v[("voice", None, "service_level")] == (pytest.approx(100 * 4 / 8), 8)   # 4 answered within 20 s
    assert v[("voice", None, "asa")] == (pytest.approx(65 / 5), 5)
    assert v[("voice", None, "aht")] == (pytest.approx(605 / 5), 5)
    queues = _values(store, period="month", by="queue", metrics=["volume"])
    assert {k[1]: val[0] for k, val in queues.items()} == {"support": 7, "sales": 1, "overflow": 1}


def test_connect_records_keep_the_latest_copy_and_map_channels(store):
    report = import_file(store, FIXTURES / "connect_ctr.jsonl")
    assert report.rows_imported == 7
    rows = {r[0]: r[1:] for r in store.fetchall(
        "SELECT contact_id, channel, direction, queue, agent, answered, wait_seconds, talk_seconds, hold_seconds, "
        "wrap_seconds, handle_seconds, customer_id FROM contacts")}
    # three copies of c-voice-1 arrived; the latest LastUpdateTimestamp (with 60 s of after-contact work) wins
    assert rows["c-voice-1"] == ("voice", "inbound", "Support", "anna", True, 25.0, 200.0, 30.0, 60.0, 290.0,
                                 "15551230001")  # E.164 by its digits, as every phone id
    assert rows["c-voice-2"][:6] == ("voice", "inbound", "Support", None, False, 40.0)
    assert rows["c-chat-1"][:2] == ("chat", "inbound") and rows["c-task-1"][0] == "back_office"
    assert rows["c-out-1"][:2] == ("voice", "outbound")
    assert rows["c-xfer-1"][2] == "Billing"
    assert "c-ivr-1" not in rows
    text = " ".join(report.warnings)
    assert "2 older copies of contact records were dropped" in text
    assert "1 inbound contact never entered a queue" in text
    v = _values(store, period="month")
    # voice inbound: c-voice-1 (25 s), c-xfer-1 (10 s) answered; c-voice-2 (40 s), c-voice-3 (3 s: short) abandoned
    assert v[("voice", None, "volume")] == (4, 4)
    assert v[("voice", None, "abandon_rate")] == (pytest.approx(100 / 3), 3)
    assert v[("voice", None, "service_level")] == (pytest.approx(100 / 3), 3)
    assert v[("voice", None, "asa")] == (pytest.approx(17.5), 2)
    assert v[("voice", None, "aht")] == (pytest.approx((290 + 150) / 2), 2)
    assert v[("chat", None, "aht")] == (630, 1) and v[("back_office", None, "aht")] == (900, 1)


def test_connect_json_array_gives_the_same_contacts(tmp_path):
    stores = []
    for name in ("connect_ctr.jsonl", "connect_ctr.json"):
        store = Store(tmp_path / f"{name}.duckdb")
        import_file(store, FIXTURES / name)
        stores.append(store.fetchall("SELECT * EXCLUDE (import_id, file_row) FROM contacts ORDER BY contact_id"))
        store.close()
    assert stores[0] == stores[1] and len(stores[0]) == 7


def test_a_broken_record_names_its_line_and_leaves_the_store_unchanged(store, tmp_path):
    lines = (FIXTURES / "connect_ctr.jsonl").read_text(encoding="utf-8").splitlines()
    lines.insert(3, '{"ContactId": "x", "Channel": "VOICE"')     # cut off
    bad = tmp_path / "ctr.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_file(store, bad)
    assert refused.value.problems[0].row == 4 and "not a JSON record" in refused.value.problems[0].reason
    assert store.scalar("SELECT count(*) FROM contacts") == 0 and store.scalar("SELECT count(*) FROM imports") == 0


def test_a_queue_log_with_a_foreign_line_is_refused_with_the_line(store, tmp_path):
    text = (FIXTURES / "queue_log").read_text(encoding="utf-8").splitlines()
    text.insert(10, "this is not a queue_log line")
    bad = tmp_path / "queue_log"
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_file(store, bad)
    assert refused.value.problems[0].row == 11
    assert store.scalar("SELECT count(*) FROM contacts") == 0


def test_cli_imports_a_queue_log_with_no_flags(tmp_path):
    db = tmp_path / "cli.duckdb"
    out = run_cli("import", FIXTURES / "queue_log", "--json", db=db)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["rows_imported"] == 9 and report["file"]["format"] == QUEUE_LOG


@pytest.mark.parametrize("name, contacts", [("queue_log", 9), ("connect_ctr.jsonl", 7)])
def test_upload_page_recognises_the_export_and_imports_it_without_a_mapping(tmp_path, monkeypatch, name, contacts):
    from .test_app import _app, _open

    at = _open(_app(tmp_path / "up.duckdb", monkeypatch), "pages/upload.py")
    at.file_uploader[0].set_value((name, (FIXTURES / name).read_bytes(), "text/plain")).run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("read natively, no column mapping needed" in i.value for i in at.info)
    assert not at.radio or all(r.label != "Kind of file" for r in at.radio)     # nothing to choose or map
    notes = " ".join(c.value for c in at.caption)
    assert ("carry no contact" in notes) if name == "queue_log" else ("older copies" in notes)
    next(b for b in at.button if b.label == f"Import {name}").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert {m.label: m.value for m in at.metric}["Imported"] == str(contacts)
