"""The import in Russian: refusals, row problems, reports and the Upload page's control names.

NOTE: the tests marked `needs_catalogue` read the real Russian catalogue
(cxmetrics/locale/ru/LC_MESSAGES/cxmetrics.po). The import's translations are written in
i18n_parts/import.po and reach that catalogue when `python scripts/i18n.py update` merges the parts:
until then those tests fail (the messages stay English). The other tests hold in any case.
"""
import pickle

import pytest

from cxmetrics import ImportOptions, ImportRefused, import_bytes, quarantined_rows
from cxmetrics.errors import CLI, PAGE, RowProblem, _REASONS, row_reason, translated_reason
from cxmetrics.i18n import use_language
from cxmetrics.ingest import preview_bytes
from cxmetrics.messages import ControlRef, Message
from cxmetrics.schema import IMPORT_CONTROLS, column_label, field_label, with_field_labels

BAD_CSAT = b"id,channel,queued_at,csat\n1,voice,2024-01-01 10:00,4\n2,voice,2024-01-01 10:05,9\n"


def needs_catalogue(test):
    """Marks a test that reads the merged Russian catalogue: it fails until i18n_parts/import.po is merged."""
    return test


def _refusal(store, data: bytes, name: str, **options) -> ImportRefused:
    with pytest.raises(ImportRefused) as err:
        import_bytes(store, data, name, ImportOptions(**options))
    return err.value


@needs_catalogue
def test_a_refusal_in_russian_still_names_file_row_column_and_value(store):
    with use_language("ru"):
        err = _refusal(store, BAD_CSAT, "bad.csv")
        cli, page = str(err), err.text_for(PAGE)
    for text in (cli, page):
        assert text.startswith("bad.csv: ")
        assert "строка 3" in text and "столбец 'csat'" in text and "(значение '9')" in text
        assert "недопустим" in text and "rows are invalid" not in text
    assert "--on-error quarantine" in cli                     # the flag stays as it is
    assert "«Недопустимые строки: в карантин»" in page and "--" not in page


@needs_catalogue
def test_refusals_name_the_page_widgets_in_russian(store):
    with use_language("ru"):
        page = _refusal(store, b"id,queued_at\n1,2024-05-02 09:00\n", "a.csv").text_for(PAGE)
    assert page.startswith("a.csv: ") and "«Канал для всех строк»" in page and "«Канал»" in page
    assert "--" not in page


def test_the_same_refusal_in_english_is_unchanged(store):
    with use_language("en"):
        err = _refusal(store, BAD_CSAT, "bad.csv")
    assert str(err).startswith("bad.csv: 1 of 2 rows are invalid (1 problems), so nothing was imported.")
    assert "  - bad.csv, row 3, column 'csat': csat must be between 1 and 5 (value '9')" in str(err)


@needs_catalogue
def test_quarantine_reasons_are_stored_in_english_and_shown_in_russian(store):
    with use_language("ru"):
        report = import_bytes(store, BAD_CSAT, "q.csv", ImportOptions(on_error="quarantine"))
        assert "отклонено: 1" in report.text()
        stored = quarantined_rows(store)[0]["reason"]
        shown = with_field_labels(stored)
    assert stored == "csat must be between 1 and 5"           # the store and the CLI's CSV keep English
    assert shown == "CSAT (1–5): значение должно быть от 1 до 5"


@needs_catalogue
def test_warnings_and_labels_in_russian(store):
    with use_language("ru"):
        report = preview_bytes(store, b"channel,queued_at\nvoice,2024-01-01 10:00\n", "a.csv")
        page = [w.text_for(PAGE) for w in report.warnings]
        assert field_label("contact_id") == "ID обращения" and column_label("rows_read") == "Прочитано"
    assert any("«ID обращения»" in w for w in page)


def test_every_reason_template_reads_back_to_itself():
    """A stored reason is read back into its template: with English as the language the text is unchanged, and
    each template's own text (values as placeholders) matches it."""
    assert len(_REASONS) > 25
    with use_language("en"):
        for template in _REASONS:
            assert translated_reason(template) == template
    pattern, _translate = _REASONS[row_reason("{field} must be between {low:g} and {high:g}")]
    assert pattern.fullmatch("csat must be between 1 and 5").groupdict() == {"field": "csat", "low": "1", "high": "5"}


def test_a_message_keeps_its_english_template_and_pickles_across_languages():
    message = Message("{file}: give one channel {channel}.", file="a.csv", channel=ControlRef("channel"))
    with use_language("ru"):
        again = pickle.loads(pickle.dumps(message))
    assert again.template == message.template == "{file}: give one channel {channel}."
    assert message.text_for(CLI) == "a.csv: give one channel with --channel SLUG."


def test_every_control_keeps_its_flag_and_never_names_one_on_the_page():
    for language in ("en", "ru"):
        with use_language(language):
            for control_id, control in IMPORT_CONTROLS.items():
                assert "--" in control.cli or "`" in control.cli, (language, control_id)
                assert "--" not in control.page and "`" not in control.page, (language, control_id)


def test_row_problem_wording_in_english():
    problem = RowProblem("f.csv", 4, "Wait", "x", "not a number")
    assert str(problem) == "f.csv, row 4, column 'Wait': not a number (value 'x')"
