"""The command line: help, exit codes, listing and deleting imports, the sample generator."""
import argparse
import contextlib
import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cxmetrics.cli import build_parser, main
from cxmetrics.sample import generate
from cxmetrics.schema import fields_for

from .conftest import ROOT, run_cli, write


def test_every_subcommand_has_help():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, subparser in sub.choices.items():
        assert subparser.format_help().strip(), name
        assert sub._choices_actions and any(c.dest == name and c.help for c in sub._choices_actions), name


def test_exit_codes(tmp_path):
    db = tmp_path / "x.duckdb"
    good = write(tmp_path / "good.csv", "id,channel,queued_at\n1,voice,2024-01-01 10:00\n")
    bad = write(tmp_path / "bad.csv", "id,channel,queued_at\n1,voice,yesterday\n")
    assert run_cli("import", good, db=db).returncode == 0
    assert run_cli("import", good, db=db).returncode == 4
    refused = run_cli("import", bad, db=db)
    assert refused.returncode == 3
    assert "bad.csv, row 2, column 'queued_at': not a date" in refused.stderr
    assert run_cli("import", good, "--on-error", "sometimes", db=db).returncode == 2
    assert run_cli("import", good, "--map", "nonsense", db=db).returncode == 2
    assert run_cli("import", good, "--map", "colour=id", "--force", db=db).returncode == 2



def test_a_read_command_refuses_a_store_that_does_not_exist(tmp_path, capsys):
    """A mistyped --db is an error, not an empty answer from a store made on the spot; commands that may start a
    store (settings, targets, import) still do."""
    typo = tmp_path / "typo.duckdb"
    for command in (["kpis"], ["imports"], ["check"], ["quarantine"], ["presets"], ["compliance", "--as-of", "2026-03"]):
        assert main(["--db", str(typo), *command]) == 2, command
        assert f"{typo}: there is no store there. Check --db" in capsys.readouterr().err
        assert not typo.exists() and not list(tmp_path.iterdir())
    assert main(["--db", str(typo), "settings", "show"]) == 0
    assert typo.exists() and main(["--db", str(typo), "kpis"]) == 0

def test_imports_list_and_delete(tmp_path):
    db = tmp_path / "x.duckdb"
    a = write(tmp_path / "a.csv", "id,channel,queued_at\n1,voice,2024-01-01 10:00\n2,voice,2024-01-01 10:05\n")
    run_cli("import", a, db=db)
    listing = run_cli("imports", db=db)
    rows = list(csv.DictReader(listing.stdout.splitlines()))
    assert [(r["import_id"], r["file_name"], r["rows_imported"]) for r in rows] == [("1", "a.csv", "2")]
    deleted = run_cli("imports", "delete", "1", db=db)
    assert deleted.returncode == 0 and "2 rows removed, 0 replaced rows restored" in deleted.stdout
    assert run_cli("imports", "delete", "1", db=db).returncode == 2


def test_store_path_from_environment(tmp_path):
    good = write(tmp_path / "g.csv", "id,channel,queued_at\n1,voice,2024-01-01 10:00\n")
    env_db = tmp_path / "sub" / "env.duckdb"
    assert run_cli("import", good, env={"CXMETRICS_DB": str(env_db)}).returncode == 0
    assert env_db.exists()


def test_sample_is_deterministic_and_covers_the_brief():
    rows, customers = generate(months=14, contacts_per_month=400, seed=3, end_month="2025-06")
    again, _ = generate(months=14, contacts_per_month=400, seed=3, end_month="2025-06")
    assert rows == again
    assert {r["channel"] for r in rows} == {"voice", "chat", "messaging", "email", "social", "video", "back_office"}
    answered = [r for r in rows if r["status"] == "Answered"]
    surveyed = [r for r in answered if r["csat"] != ""]
    assert 0.10 <= len(surveyed) / len(rows) <= 0.20
    assert any(r["status"] == "Abandoned" for r in rows)
    ids = [r["customer_id"] for r in rows if r["customer_id"]]
    assert len(ids) > len(set(ids))  # customers contact again
    assert any(c["churned_on"] for c in customers)


def test_bundled_sample_data_is_small_and_current():
    folder = ROOT / "sample_data"
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["contacts.csv", "contacts_2026-10.xlsx", "customers.csv"]
    assert sum(p.stat().st_size for p in folder.iterdir()) < 5 * 1024 * 1024


def test_sample_command_writes_files(tmp_path):
    result = run_cli("sample", "--out", tmp_path / "s", "--months", "2", "--contacts-per-month", "50")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == ["contacts.csv", "contacts_2026-10.xlsx",
                                                                  "customers.csv"]


def _commands() -> list[str]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(sub.choices)


def test_help_runs_for_the_tool_and_every_command():
    """argparse formats help texts with %: a bare "95%" in one command's help broke `cxmetrics --help` itself."""
    commands = _commands()
    assert {"import", "kpis", "drivers", "report"} <= set(commands)
    result = run_cli("--help")  # once as the installed tool runs it, in a process of its own
    assert result.returncode == 0 and "usage:" in result.stdout, result.stderr[-2000:]
    assert all(command in result.stdout for command in commands)
    for command in commands:  # in this process: argparse formats the same help either way, without 1 s a start
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), pytest.raises(SystemExit) as done:
            main([command, "--help"])
        assert done.value.code == 0 and "usage:" in out.getvalue(), (command, err.getvalue()[-2000:])


def test_import_errors_name_the_flags(tmp_path):
    """The CLI renders the importer's messages with its own flags (the page renders the same ones with widgets)."""
    db = tmp_path / "x.duckdb"
    no_channel = write(tmp_path / "nochannel.csv", "id,queued_at\n1,2024-01-01 10:00\n")
    refused = run_cli("import", no_channel, db=db)
    assert refused.returncode == 3
    assert refused.stderr.startswith("nochannel.csv: no column gives the channel. Give one channel for the whole "
                                      "file with --channel SLUG (voice, chat, messaging, email, social, video, "
                                      "back_office), or map the channel column with --map channel=COLUMN.")
    assert run_cli("import", no_channel, "--channel", "voice", db=db).returncode == 0
    again = run_cli("import", no_channel, "--channel", "voice", db=db)
    assert again.returncode == 4 and "Import it again with --force" in again.stderr
    bad = write(tmp_path / "bad.csv", "id,channel,queued_at,status\n1,voice,2024-01-01 10:00,Odd\n")
    unknown = run_cli("import", bad, db=db)
    assert unknown.returncode == 3 and "with --status-map VALUE=answered|abandoned|skip" in unknown.stderr


def test_the_installed_command_works_from_any_directory(tmp_path):
    """`pip install -e .` (both README commands) puts a `cxmetrics` command beside the interpreter."""
    command = Path(sys.executable).with_name("cxmetrics")
    assert command.exists(), "no cxmetrics command: install the package with `pip install -e .` (scripts/_venv.sh)"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CXMETRICS_DB")}
    run = lambda *args: subprocess.run([str(command), "--db", str(tmp_path / "any.duckdb"), *map(str, args)],  # noqa: E731
                                       capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    made = run("sample", "--out", "s", "--months", "2", "--contacts-per-month", "60")
    assert made.returncode == 0, made.stderr
    loaded = run("load-sample", "--folder", "s")
    assert loaded.returncode == 0 and "imported contacts.csv" in loaded.stdout, loaded.stderr
    table = run("kpis", "--metric", "volume")
    assert table.returncode == 0, table.stderr
    assert sum(float(line.split(",")[3]) for line in table.stdout.splitlines()[1:]) == 120  # 2 months × 60


def test_import_help_lists_every_field_map_accepts():
    out = run_cli("import", "--help")
    assert out.returncode == 0
    for kind in ("contacts", "customers", "aggregated"):
        for field in fields_for(kind).values():
            assert any(line.split()[:1] == [field.name + ("*" if field.required else "")] and field.description in line
                       for line in out.stdout.splitlines()), (kind, field.name)
