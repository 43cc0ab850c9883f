"""The command line in Russian: its messages follow the store's `language` setting, its CSV and JSON do not."""
import re
import shutil

import pytest

from .conftest import run_cli

CYRILLIC = re.compile("[А-Яа-яЁё]")
MACHINE_OUTPUT = [("kpis",), ("kpis", "--format", "json"), ("kpis", "--by", "queue", "--from", "2026-09",
                                                              "--to", "2026-10", "--notes"),
                  ("compliance", "--as-of", "2026-10"), ("compliance", "--as-of", "2026-10", "--format", "json"),
                  ("settings", "show"), ("channels", "show")]


@pytest.fixture(scope="module")
def outputs(sample_db, tmp_path_factory):
    """Every machine-readable output on the sample store, with the language setting en, then ru."""
    db = tmp_path_factory.mktemp("cli_ru") / "store.duckdb"
    shutil.copy(sample_db, db)
    found = {}
    for language in ("en", "ru"):
        result = run_cli("settings", "set", "language", language, db=db)
        assert result.returncode == 0, result.stderr
        for args in MACHINE_OUTPUT:
            result = run_cli(*args, db=db)
            assert result.returncode == 0, result.stderr
            found[language, args] = result.stdout
    return db, found


@pytest.mark.parametrize("args", MACHINE_OUTPUT, ids=" ".join)
def test_csv_and_json_are_byte_identical_in_english_and_russian(outputs, args):
    _, found = outputs
    english, russian = found["en", args], found["ru", args]
    if args[0] == "settings":  # the one difference: the language setting's own value
        english = english.replace("language,en", "language,ru")
    assert russian == english
    assert not CYRILLIC.search(russian)
    assert english.splitlines()[0] in ("period,channel,metric,value,n,target,state",
                                       "period,channel,group,metric,value,n,target,state,rebuilt_from_percentages,"
                                       "reported_threshold_s",
                                       "channel,metric,as_of,window_start,months_met,months_with_data,"
                                       "months_in_window,status,flagged_months",
                                       "key,value", "channel,sl_threshold_s,short_abandon_s,sl_formula", "[")


def test_an_unknown_language_is_refused_naming_the_languages(outputs):
    db, _ = outputs  # its language setting is ru by now: the refusal is said in Russian
    result = run_cli("settings", "set", "language", "xx", db=db)
    assert result.returncode == 2
    assert "'xx'" in result.stderr and "en, ru" in result.stderr
    assert CYRILLIC.search(result.stderr), result.stderr
    shown = run_cli("settings", "show", db=db)
    assert "language,ru" in shown.stdout.splitlines()  # the refused value changed nothing


def test_an_unknown_language_is_refused_in_english_too(tmp_path):
    result = run_cli("settings", "set", "language", "xx", db=tmp_path / "store.duckdb")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: unknown language 'xx': use one of en, ru"


def test_human_messages_follow_the_setting(outputs):
    db, _ = outputs
    result = run_cli("imports", "delete", db=db)
    assert result.returncode == 2 and CYRILLIC.search(result.stderr), result.stderr
    assert "imports" in result.stderr  # the command's name stays as typed
