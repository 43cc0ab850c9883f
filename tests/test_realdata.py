"""The three real exports in ../shared/realdata, imported end to end through the CLI."""
import csv
import datetime as dt
import io

from .conftest import realdata, run_cli

UTC = dt.timezone.utc
TECHNION_FLAGS = [
    "--channel", "voice", "--date-format", "%y%m%d", "--map", "contact_id=vru+line", "--map", "contact_id=call_id",
    "--map", "customer_id=customer_id", "--map", "queue=type", "--map", "agent=server", "--map", "queued_date=date",
    "--map", "queued_time=vru_exit", "--map", "wait_seconds=q_time", "--map", "talk_seconds=ser_time",
    "--map", "status=outcome", "--status-map", "PHANTOM=skip"]
TICKET_FLAGS = ["--map", "contact_id=TicketID", "--map", "channel=TicketChannel", "--map",
                "queued_at=FirstResponseTime", "--map", "csat=CustomerSatisfactionRating", "--on-error", "quarantine"]
TICKET_STATUS_FLAGS = ["--map", "status=TicketStatus", "--status-map", "Closed=answered", "--status-map",
                       "Pending Customer Response=answered", "--status-map", "Open=abandoned"]


def _open(db):
    from cxmetrics import Store
    return Store(db)


def test_pwc_workbook_imports_by_headers_alone_and_refuses_reimport(tmp_path):
    path = realdata("pwc_call_center_2021Q1.xlsx")
    db = tmp_path / "a.duckdb"
    first = run_cli("import", path, "--channel", "voice", db=db)
    assert first.returncode == 0, first.stderr
    assert "  read: 5000\n  imported: 5000\n  replaced: 0\n  skipped: 0\n  rejected: 0" in first.stdout
    again = run_cli("import", path, "--channel", "voice", db=db)
    assert again.returncode == 4
    assert "already imported on" in again.stderr and "as import #1" in again.stderr
    store = _open(db)
    assert store.fetchall("SELECT count(*) FILTER (WHERE answered), count(*) FILTER (WHERE abandoned) "
                          "FROM contacts") == [(4054, 946)]
    first_row = store.records("SELECT * FROM contacts WHERE contact_id = 'ID0001'")[0]
    assert first_row["queued_at"] == dt.datetime(2021, 1, 1, 9, 12, 58, tzinfo=UTC)
    assert (first_row["wait_seconds"], first_row["talk_seconds"], first_row["csat"], first_row["resolved"],
            first_row["queue"], first_row["agent"]) == (109.0, 143.0, 3.0, True, "Contract related", "Diane")
    assert store.fetchall("SELECT strftime(queued_local, '%Y-%m'), count(*) FROM contacts GROUP BY 1 ORDER BY 1") == [
        ("2021-01", 1772), ("2021-02", 1616), ("2021-03", 1612)]
    store.close()
    kpis = run_cli("kpis", "--channel", "voice", "--metric", "volume", db=db)
    assert kpis.stdout.splitlines() == ["period,channel,metric,value,n,target,state",
                                        "2021-01,voice,volume,1772,1772,,", "2021-02,voice,volume,1616,1616,,",
                                        "2021-03,voice,volume,1612,1612,,"]


def test_technion_january_with_the_documented_flags(tmp_path):
    path = realdata("technion_anonbank_1999-01.txt")
    db = tmp_path / "t.duckdb"
    result = run_cli("import", path, *TECHNION_FLAGS, db=db)
    assert result.returncode == 0, result.stderr
    assert "  read: 31599\n  imported: 31359\n  replaced: 0\n  skipped: 240\n  rejected: 0" in result.stdout
    store = _open(db)
    days = [r[0] for r in store.fetchall("SELECT DISTINCT day(queued_local) FROM contacts ORDER BY 1")]
    assert 11 not in days and 12 not in days and len(days) == 29
    assert store.fetchall("SELECT count(*) FILTER (WHERE status = 'AGENT' AND answered), "
                          "count(*) FILTER (WHERE status = 'HANG' AND abandoned) FROM contacts") == [
        store.fetchall("SELECT count(*) FILTER (WHERE status = 'AGENT'), count(*) FILTER (WHERE status = 'HANG') "
                       "FROM contacts")[0]]
    row = store.records("SELECT * FROM contacts WHERE contact_id = 'AA0101:33118'")[0]
    assert (row["queued_at"], row["wait_seconds"], row["talk_seconds"], row["customer_id"], row["queue"],
            row["agent"]) == (dt.datetime(1999, 1, 1, 6, 55, 26, tzinfo=UTC), 17.0, 54.0, "27997683", "PS", "MICHAL")
    # customer_id 0 means "not identified": stored as empty
    assert store.scalar("SELECT customer_id FROM contacts WHERE contact_id = 'AA0101:33117'") is None


def test_technion_from_its_headers_needs_only_the_id_remedy(tmp_path):
    """Issue 14: the YYMMDD dates, date + vru_exit, waits, talk, queue, agent and PHANTOM are found from the
    headers; the one thing to say is the id (call_id repeats across VRU lines), which the refusal proposes."""
    path = realdata("technion_anonbank_1999-01.txt")
    db = tmp_path / "h.duckdb"
    bare = run_cli("import", path, "--channel", "voice", db=db)
    assert bare.returncode == 3
    assert "the same contact_id appears more than once" in bare.stdout + bare.stderr
    assert "--map contact_id=COLUMN --map contact_id=COLUMN" in bare.stdout + bare.stderr   # the remedy, in flags
    result = run_cli("import", path, "--channel", "voice", "--map", "contact_id=vru+line", "--map",
                     "contact_id=call_id", db=db)
    assert result.returncode == 0, result.stderr
    assert "  read: 31599\n  imported: 31359\n  replaced: 0\n  skipped: 240\n  rejected: 0" in result.stdout
    documented = tmp_path / "d.duckdb"
    assert run_cli("import", path, *TECHNION_FLAGS, db=documented).returncode == 0
    columns = "contact_id, queued_at, wait_seconds, talk_seconds, queue, agent, status, answered, abandoned"
    assert _open(db).fetchall(f"SELECT {columns} FROM contacts ORDER BY 1") == \
        _open(documented).fetchall(f"SELECT {columns} FROM contacts ORDER BY 1")


def test_tickets_csv_quarantines_rows_without_a_first_response(tmp_path):
    path = realdata("customer_support_tickets_excel_roundtrip.csv")
    db = tmp_path / "k.duckdb"
    result = run_cli("import", path, *TICKET_FLAGS, *TICKET_STATUS_FLAGS, db=db)
    assert result.returncode == 0, result.stderr
    assert "  read: 8469\n  imported: 5650\n  replaced: 0\n  skipped: 0\n  rejected: 2819" in result.stdout
    store = _open(db)
    assert store.fetchall("SELECT channel, count(*) FROM contacts GROUP BY 1 ORDER BY 1") == [
        ("chat", 1388), ("email", 1442), ("social", 1424), ("voice", 1396)]  # counted with the csv module
    assert store.scalar("SELECT count(*) FROM contacts WHERE answered") == 5650
    assert store.fetchall("SELECT reason, columns, count(*) FROM quarantine GROUP BY ALL") == [
        ("queued_at is empty", "FirstResponseTime", 2819)]
    store.close()  # one process holds the store at a time
    exported = run_cli("quarantine", "--out", tmp_path / "q.csv", db=db)
    assert exported.returncode == 0
    rows = list(csv.DictReader(io.open(tmp_path / "q.csv", encoding="utf-8")))
    assert len(rows) == 2819 and rows[0]["reason"] == "queued_at is empty"


def test_tickets_csv_with_only_the_acceptance_flags(tmp_path):
    path = realdata("customer_support_tickets_excel_roundtrip.csv")
    result = run_cli("import", path, *TICKET_FLAGS, db=tmp_path / "k2.duckdb")
    assert result.returncode == 0, result.stderr
    assert "  imported: 5650\n" in result.stdout and "  rejected: 2819" in result.stdout
    assert "no column says whether a contact was answered" in result.stdout
