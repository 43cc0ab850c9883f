"""Survey scores for contacts already imported (`--kind scores`): added to the stored contacts, figures worked out
by hand; undo in either order; a survey export imported as contacts is refused instead of wiping them out."""
import pytest

from cxmetrics import ImportOptions, ImportRefused, delete_import, import_file
from cxmetrics.errors import PAGE
from cxmetrics.ingest import detect_kind
from cxmetrics.kpis import kpis

from .conftest import run_cli, write

CHATS = ("Chat ID,Started,Queue time,Chat duration,Agent,Missed\n"
         "C1,2026-03-02 10:00:00,20,300,Anna,No\n"
         "C2,2026-03-02 10:30:00,45,600,Boris,No\n"
         "C3,2026-03-03 11:00:00,90,0,,Yes\n"
         "C4,2026-03-03 12:00:00,70,420,Anna,No\n"
         "C5,2026-03-04 09:00:00,15,480,Boris,No\n")
SURVEY = ("Chat ID,Survey date,Rating (1-5),How likely to recommend (0-10)\n"
          "C1,2026-03-02 10:06:00,5,10\n"
          "C2,2026-03-02 10:41:00,4,\n"
          "C4,2026-03-03 12:08:00,2,3\n")


def chat(store, *metrics):
    return {r.metric: r.value for r in kpis(store, metrics=list(metrics)) if r.channel == "chat"}


@pytest.fixture
def chats(store, tmp_path):
    import_file(store, write(tmp_path / "chats.csv", CHATS), ImportOptions(channel="chat"))
    return store


def test_scores_are_added_to_the_stored_contacts_and_everything_else_is_kept(chats, tmp_path):
    before = chat(chats, "asa", "aht", "abandon_rate", "volume")
    report = import_file(chats, write(tmp_path / "survey.csv", SURVEY), ImportOptions(kind="scores"))
    assert (report.kind, report.rows_imported, report.rows_replaced) == ("scores", 3, 3)
    assert report.mapping == {"contact_id": ["Chat ID"], "csat": ["Rating (1-5)"],
                              "nps": ["How likely to recommend (0-10)"]}
    assert chat(chats, "asa", "aht", "abandon_rate", "volume") == before
    # CSAT: the share of 4–5 among 5, 4, 2 = 2 of 3; NPS: 10 a promoter, 3 a detractor (C2 gave none) = 0
    after = chat(chats, "csat", "nps")
    assert after["csat"] == pytest.approx(200 / 3) and after["nps"] == 0
    assert chats.fetchall("SELECT contact_id, csat, nps, agent, wait_seconds, import_id, file_row FROM contacts "
                          "ORDER BY 1") == [
        ("C1", 5.0, 10, "Anna", 20.0, 1, 2), ("C2", 4.0, None, "Boris", 45.0, 1, 3), ("C3", None, None, None, 90.0, 1, 4),
        ("C4", 2.0, 3, "Anna", 70.0, 1, 5), ("C5", None, None, "Boris", 15.0, 1, 6)]


def test_an_empty_score_keeps_the_stored_one_and_a_later_survey_overwrites(chats, tmp_path):
    import_file(chats, write(tmp_path / "s1.csv", SURVEY), ImportOptions(kind="scores"))
    import_file(chats, write(tmp_path / "s2.csv", "Chat ID,Rating\nC1,\nC2,1\n"), ImportOptions(kind="scores"))
    assert chats.fetchall("SELECT contact_id, csat, nps FROM contacts WHERE csat IS NOT NULL ORDER BY 1") == [
        ("C1", 5.0, 10), ("C2", 1.0, None), ("C4", 2.0, 3)]


def test_undo_of_scores_restores_the_contacts_as_they_were(chats, tmp_path):
    report = import_file(chats, write(tmp_path / "survey.csv", SURVEY), ImportOptions(kind="scores"))
    assert delete_import(chats, report.import_id)["restored"] == 3
    assert chats.scalar("SELECT count(*) FROM contacts WHERE csat IS NOT NULL") == 0
    assert chat(chats, "csat", "volume") == {"csat": None, "volume": 5}
    assert chats.scalar("SELECT count(*) FROM contacts") == 5


def test_undo_of_the_contacts_takes_their_scores_with_them(chats, tmp_path):
    import_file(chats, write(tmp_path / "survey.csv", SURVEY), ImportOptions(kind="scores"))
    delete_import(chats, 1)
    assert chats.scalar("SELECT count(*) FROM contacts") == 0
    assert chats.scalar("SELECT count(*) FROM contacts_replaced") == 0
    assert delete_import(chats, 2)["restored"] == 0 and chats.scalar("SELECT count(*) FROM contacts") == 0


def test_a_score_for_no_stored_contact_is_refused_by_row_or_quarantined(chats, tmp_path):
    path = write(tmp_path / "s.csv", "Chat ID,Rating\nC1,5\nC9,4\nC1,3\n")
    with pytest.raises(ImportRefused) as refused:
        import_file(chats, path, ImportOptions(kind="scores"))
    assert [(p.row, p.column, p.value, str(p.reason)) for p in refused.value.problems] == [
        (2, "Chat ID", "C1", "the same contact_id appears more than once in this file"),
        (3, "Chat ID", "C9", "no stored contact has this contact_id (import the contacts first, or check the source)"),
        (4, "Chat ID", "C1", "the same contact_id appears more than once in this file")]
    assert chats.scalar("SELECT count(*) FROM contacts WHERE csat IS NOT NULL") == 0
    other_source = write(tmp_path / "o.csv", "Chat ID,Rating\nC1,5\n")
    with pytest.raises(ImportRefused):
        import_file(chats, other_source, ImportOptions(kind="scores", source="crm"))
    report = import_file(chats, write(tmp_path / "q.csv", "Chat ID,Rating\nC1,5\nC9,4\n"),
                         ImportOptions(kind="scores", on_error="quarantine"))
    assert (report.rows_imported, report.rows_rejected) == (1, 1)
    assert chats.fetchall("SELECT file_row, reason FROM quarantine") == [
        (3, "no stored contact has this contact_id (import the contacts first, or check the source)")]


def test_a_survey_file_without_scores_or_ids_is_refused_naming_the_mapping(store, tmp_path):
    with pytest.raises(ImportRefused) as refused:
        import_file(store, write(tmp_path / "n.csv", "Chat ID,Comment\nC1,fine\n"), ImportOptions(kind="scores"))
    assert refused.value.text_for("cli").startswith(
        "n.csv: survey scores need the id of the contact each is for with --map contact_id=COLUMN and at least one "
        "score (resolved, csat, nps, ces) with --map csat=COLUMN.")
    assert "in the 'CSAT (1–5)' box of the mapping" in refused.value.text_for(PAGE)


def test_a_survey_imported_as_contacts_is_refused_and_the_store_left_as_it_was(chats, tmp_path):
    """What happened on the Upload page: the survey date mapped as the contact time, imported as contacts, replaced
    four chats with contacts that were never answered (abandonment 100 %)."""
    rows = chats.fetchall("SELECT * FROM contacts ORDER BY contact_id")
    with pytest.raises(ImportRefused) as refused:
        import_file(chats, write(tmp_path / "survey.csv", SURVEY),
                    ImportOptions(channel="chat", mapping={"queued_at": ["Survey date"]}))
    assert refused.value.text_for("cli") == (
        "survey.csv: 3 stored contacts have the id of a row here, and this file does not say whether a contact was "
        "answered: importing it would replace those contacts and lose their outcomes and times. If the file holds "
        "survey scores for contacts already imported, import it as survey scores with --kind scores: they are added "
        "to the stored contacts. Otherwise map the column that says whether a contact was answered with --map "
        "status=COLUMN.")
    assert chats.fetchall("SELECT * FROM contacts ORDER BY contact_id") == rows


def test_survey_headers_are_detected_as_scores():
    assert detect_kind(["Chat ID", "Survey date", "Rating (1-5)", "How likely to recommend (0-10)"]) == "scores"
    assert detect_kind(["Chat ID", "Started", "Rating"]) == "contacts"
    assert detect_kind(["Chat ID", "Agent", "Queue time", "CSAT"]) == "contacts"


def test_the_cli_imports_scores_and_lists_their_fields(tmp_path):
    db = tmp_path / "c.duckdb"
    assert run_cli("import", write(tmp_path / "chats.csv", CHATS), "--channel", "chat", db=db).returncode == 0
    done = run_cli("import", write(tmp_path / "survey.csv", SURVEY), "--kind", "scores", db=db)
    assert done.returncode == 0, done.stderr
    assert "Imported survey.csv as import #2 (scores, source 'default')" in done.stdout
    shown = run_cli("import", "--help").stdout
    assert "--kind scores" in shown


def test_the_pages_quarantine_download_gives_reasons_in_the_pages_language(chats, tmp_path):
    """A Russian manager's download of the rows set aside reads in Russian, with field labels; the store keeps the
    English reason (the CLI's export)."""
    from cxmetrics.i18n import use_language
    from cxmetrics.views import quarantine_download

    report = import_file(chats, write(tmp_path / "q.csv", "Chat ID,Rating\nC1,5\nC9,4\n"),
                         ImportOptions(kind="scores", on_error="quarantine"))
    with use_language("ru"):
        text = quarantine_download(chats, report.import_id)
    assert "нет сохранённого обращения с таким" in text and "no stored contact" not in text
    assert chats.scalar("SELECT reason FROM quarantine").startswith("no stored contact")
