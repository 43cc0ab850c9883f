"""The quarterly review, its workbook and the Targets & settings page in Russian (the catalogue's translations).

Numbers stay numbers with the same Excel formats in every language (Excel shows the decimal comma itself on a
Russian system); sheet names, headings, words and findings are Russian; English is unchanged.
"""
import re

import pytest
from openpyxl import load_workbook

from cxmetrics import Store
from cxmetrics.display import format_value
from cxmetrics.i18n import use_language
from cxmetrics.review import month_year_label, quarterly_review, short_quarter_label
from cxmetrics.targets import Target, replace_targets
from cxmetrics.workbook import SHEETS, write_review_workbook

from .conftest import open_page
from .test_review import _fixture_store

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
RUSSIAN_SHEETS = ["Сводка", "По месяцам", "Соответствие", "Проблемные месяцы", "Динамика", "По очередям",
                  "Определения", "Покрытие данных"]



@pytest.fixture
def books(sample_store, tmp_path):
    """The 2026Q3 review written in English and in Russian from the same store."""
    english = quarterly_review(sample_store, "2026Q3")
    write_review_workbook(english, tmp_path / "en.xlsx")
    with use_language("ru"):
        russian = quarterly_review(sample_store, "2026Q3")
        write_review_workbook(russian, tmp_path / "ru.xlsx")
    return english, load_workbook(tmp_path / "en.xlsx"), russian, load_workbook(tmp_path / "ru.xlsx")


def test_labels_of_quarters_and_months():
    assert (short_quarter_label("2026Q3"), month_year_label("2026-07")) == ("Q3", "July 2026")
    with use_language("ru"):
        assert (short_quarter_label("2026Q3"), month_year_label("2026-07")) == ("3-й кв.", "июль 2026")


def test_russian_sheet_names_and_headings(books):
    _, en, _, ru = books
    assert en.sheetnames == list(SHEETS)  # English is unchanged
    assert ru.sheetnames == RUSSIAN_SHEETS
    summary = ru["Сводка"]
    assert summary["A1"].value == "Квартальный обзор SLA за 3-й кв. 2026"
    assert [c.value for c in summary[4]][:6] == ["Канал", "Показатель", "июль 2026", "август 2026", "сентябрь 2026",
                                                "Квартал"]
    assert [c.value for c in ru["По месяцам"][1]] == ["Канал", "Показатель", "Месяц", "Значение", "n", "Цель",
                                                     "Состояние"]
    assert ru["Соответствие"]["H1"].value == "Статус"
    assert [c.value for c in ru["Определения"][1]][:2] == ["Код показателя", "Название"]
    # ids stay codes in every language
    definitions = [r[0] for r in ru["Определения"].iter_rows(min_row=2, max_row=4, values_only=True)]
    assert definitions == [r[0] for r in en["Definitions"].iter_rows(min_row=2, max_row=4, values_only=True)]


def test_russian_cells_stay_numbers_with_the_same_formats(books):
    english, en, _, ru = books
    rows = len(english.rows)
    en_cells = [c for row in en["Summary"].iter_rows(min_row=5, max_row=4 + rows) for c in row]
    ru_cells = [c for row in ru["Сводка"].iter_rows(min_row=5, max_row=4 + rows) for c in row]
    numbers = 0
    for e, r in zip(en_cells, ru_cells):
        if isinstance(e.value, (int, float)):
            # the same number and format; only a unit word inside a change's format is translated (" pts", " s")
            assert r.value == e.value and not isinstance(r.value, str)
            assert r.number_format == e.number_format or \
                re.sub(r'" [^"]+"', '" unit"', r.number_format) == re.sub(r'" [^"]+"', '" unit"', e.number_format)
            numbers += 1
        elif isinstance(e.value, str) and r.column > 2:
            assert isinstance(r.value, str)
    assert numbers > 100
    monthly_en = list(en["Monthly"].iter_rows(min_row=2, values_only=True))
    monthly_ru = list(ru["По месяцам"].iter_rows(min_row=2, values_only=True))
    assert [row[3:6] for row in monthly_ru] == [row[3:6] for row in monthly_en]


def test_russian_words_in_cells(books):
    _, _, russian, ru = books
    statuses = {row[7] for row in ru["Соответствие"].iter_rows(min_row=2, values_only=True)}
    assert statuses <= {"Соблюдается", "Под угрозой", "Нарушено", "Недостаточно истории", "Не измеряется"}
    assert all(CYRILLIC.search(text) for text in russian.findings)
    findings = [c.value for c in ru["Сводка"]["A"] if isinstance(c.value, str) and c.value in russian.findings]
    assert findings == russian.findings


def test_a_finding_in_russian(store, tmp_path):
    _fixture_store(store, tmp_path)
    replace_targets(store, [Target("voice", "service_level", 80.0), Target("chat", "csat", 70.0)])
    with use_language("ru"):
        review = quarterly_review(store, "2024Q1")
        zero, eighty = format_value("service_level", 0.0), format_value("service_level", 80.0)
    assert review.findings[0] == (f"Уровень обслуживания (голос): цель не выполнена — февраль ({zero} при цели "
                                  f"{eighty}). Цель не выполнена в 3 из последних 12 месяцев — под угрозой.")
    assert any(f.startswith("CSAT (чат): улучшение на ") and "за 4-й кв. 2023" in f for f in review.findings)
    english = quarterly_review(store, "2024Q1")  # the language returns to English after the block
    assert english.findings[0].startswith("Voice service level missed its target in February")


def test_settings_form_chooses_the_language(sample_db, tmp_path, monkeypatch):
    at, db = open_page(sample_db, "pages/targets.py", tmp_path, monkeypatch)
    assert not at.exception, [e.message for e in at.exception]
    choice = at.selectbox(key="setting_language")
    assert choice.value == "en" and choice.options == ["English", "Русский"]
    choice.set_value("ru")
    next(b for b in at.button if b.label == "Save settings").click().run()
    assert not at.exception and at.success[0].value == "Settings saved."
    assert Store(db).settings()["language"] == "ru"
    at.run()  # the next run speaks the store's new language
    assert at.title[0].value == "Цели и настройки"
    assert at.selectbox(key="setting_language").value == "ru"
