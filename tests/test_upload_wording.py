"""Importer messages are written once and name import controls by reference: the CLI says the flag,
the Upload page its own widget (issue 11, points 5 and 6)."""
import ast
import io
import pickle
import re
import string
from pathlib import Path

import pytest
from openpyxl import Workbook

from cxmetrics import AlreadyImported, CxError, ImportOptions, ImportRefused, import_bytes, list_imports, \
    quarantined_rows
from cxmetrics.errors import CLI, INTERFACES, PAGE, text_for
from cxmetrics.messages import ControlRef, FieldRef, Message
from cxmetrics.ingest import preview_bytes
from cxmetrics.schema import COLUMN_LABELS, FIELDS_BY_KIND, HIDDEN_COLUMNS, IMPORT_CONTROLS
from cxmetrics.config import set_setting

PACKAGE = Path(__file__).resolve().parent.parent / "cxmetrics"
NO_CHANNEL = b"id,queued_at\n1,2024-05-02 09:00\n"


def _control_references() -> list[tuple[str, str, set[str]]]:
    """(file, control id, argument names) of every ControlRef(...) written in the package (subpackages too)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ControlRef":
                assert isinstance(node.args[0], ast.Constant), f"{path.name}: name controls by a literal id"
                found.append((path.name, node.args[0].value, {k.arg for k in node.keywords}))
    return found


def test_every_control_has_both_renderings_in_its_own_words():
    for control_id, control in IMPORT_CONTROLS.items():
        assert control.cli.strip() and control.page.strip(), control_id
        assert "--" in control.cli or "`" in control.cli, control_id        # the CLI names the flag or command
        assert "--" not in control.page and "`" not in control.page, control_id   # the page never speaks flags


def test_every_control_referenced_in_messages_is_declared_and_renders():
    references = _control_references()
    assert {c for _, c, _ in references} >= {"channel", "map", "date_format", "status_map", "sheet", "on_error",
                                             "force", "max_upload_mb"}
    for file, control_id, arg_names in references:
        assert control_id in IMPORT_CONTROLS, f"{file}: {control_id!r} is not declared in IMPORT_CONTROLS"
        control = IMPORT_CONTROLS[control_id]
        for template in (control.cli, control.page):
            needed = {name for _, name, _, _ in string.Formatter().parse(template) if name}
            given = arg_names | dict(control.defaults).keys() | ({"label"} if "field" in arg_names else set())
            assert needed <= given, f"{file}: ControlRef({control_id!r}) leaves {needed - given} unfilled"
        rendered = {i: ControlRef(control_id, **{a: "x" for a in arg_names}).text_for(i) for i in INTERFACES}
        assert rendered[CLI] != rendered[PAGE], control_id


def test_an_undeclared_control_fails_at_once():
    with pytest.raises(KeyError):
        ControlRef("colour")


def test_every_field_has_a_label_and_labels_tell_fields_apart():
    for kind, fields in FIELDS_BY_KIND.items():
        labels = [f.label for f in fields]
        assert all(labels), kind
        assert len(set(labels)) == len(labels), kind
    assert FieldRef("queued_at").text_for(CLI) == "queued_at"
    assert FieldRef("queued_at").text_for(PAGE) == "'Queued at (offered)'"


def test_a_message_is_the_cli_wording_as_a_str_and_keeps_its_references():
    message = Message("{file}: give one channel {channel}.", file="a.csv", channel=ControlRef("channel"))
    assert message == "a.csv: give one channel with --channel SLUG."
    assert message.text_for(PAGE) == "a.csv: give one channel in 'Channel for every row'."
    again = pickle.loads(pickle.dumps(message))   # the page caches previews, warnings included
    assert (again, again.text_for(PAGE)) == (message, message.text_for(PAGE))
    assert text_for("plain text", PAGE) == "plain text"


def test_a_file_without_a_channel_names_the_flag_on_the_cli_and_the_box_on_the_page(store):
    with pytest.raises(ImportRefused) as err:
        import_bytes(store, NO_CHANNEL, "nochannel.csv")
    cli, page = str(err.value), err.value.text_for(PAGE)
    assert cli.startswith("nochannel.csv: no column gives the channel.")
    assert "with --channel SLUG" in cli and "with --map channel=COLUMN" in cli
    assert page.startswith("nochannel.csv: no column gives the channel.")
    assert "in 'Channel for every row'" in page and "in the 'Channel' box of the mapping" in page
    assert "--" not in page


def _workbook() -> bytes:
    wb = Workbook()
    wb.active.title = "Data"
    wb.active.append(["id", "channel", "queued_at"])
    wb.active.append(["1", "voice", "2024-01-01 10:00"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


REFUSALS = {
    "no channel": (NO_CHANNEL, "a.csv", {}, "'Channel for every row'"),
    "no contact time": (b"id,channel\n1,voice\n", "a.csv", {}, "the 'Queued at (offered)' box of the mapping"),
    "ambiguous dates": (b"id,channel,queued_at\n1,voice,03/04/2024\n", "a.csv", {}, "the 'Date format' box"),
    "mixed dates": (b"id,channel,queued_at\n1,voice,2024-01-02\n2,voice,03.01.2024\n", "a.csv", {},
                    "the 'Date format' box"),
    "unknown status": (b"id,channel,queued_at,status\n1,voice,2024-01-01 10:00,Odd\n", "a.csv", {},
                       "the Status values table"),
    "invalid rows": (b"id,channel,queued_at,csat\n1,voice,2024-01-01 10:00,9\n", "a.csv", {},
                     "'Invalid rows: quarantine'"),
    "duplicate header": (b"id,channel,queued_at,queued_at\n1,voice,2024-01-01 10:00,x\n", "a.csv", {},
                         "the 'Queued at (offered)' box"),
    "no customer id": (b"churned_on\n2024-01-01\n", "c.csv", {"kind": "customers"}, "the 'Customer id' box"),
    "missing sheet": (_workbook(), "b.xlsx", {"sheet": "Nope"}, "in the 'Sheet' box"),
    "unknown field": (NO_CHANNEL, "a.csv", {"mapping": {"colour": ["id"]}}, "the 'colour' box of the mapping"),
    "unknown column": (NO_CHANNEL, "a.csv", {"mapping": {"queue": ["Nope"]}}, "the 'Queue' box of the mapping"),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_every_refusal_speaks_flags_on_the_cli_and_widgets_on_the_page(case, store):
    data, name, options, page_words = REFUSALS[case]
    with pytest.raises(CxError) as err:
        import_bytes(store, data, name, ImportOptions(**options))
    assert "--" in str(err.value), case
    page = err.value.text_for(PAGE)
    assert page_words in page, page
    assert "--" not in page and "`" not in page, page
    if not case.startswith("unknown field"):   # a usage error names the field, not the file
        assert page.startswith(f"{name}: ") and str(err.value).startswith(f"{name}: ")


def test_the_size_limit_names_the_setting_command_on_the_cli_only(store):
    set_setting(store, "max_upload_mb", "0.0001")
    with pytest.raises(ImportRefused) as err:
        import_bytes(store, b"id,channel,queued_at\n" + b"1,voice,2024-01-01 10:00\n" * 10, "big.csv")
    assert "`settings set max_upload_mb N`" in str(err.value)
    assert "`" not in err.value.text_for(PAGE) and "upload size limit" in err.value.text_for(PAGE)


def test_already_imported_says_what_the_page_offers(store):
    import_bytes(store, b"id,channel,queued_at\n1,voice,2024-01-01 10:00\n", "a.csv")
    with pytest.raises(AlreadyImported) as err:
        import_bytes(store, b"id,channel,queued_at\n1,voice,2024-01-01 10:00\n", "b.csv")
    assert re.search(r"as import #1\. Import it again with --force \(its contacts replace", str(err.value))
    page = err.value.text_for(PAGE)
    assert "removing import #1 under 'Import history'" in page and "does not import the same file twice" in page
    assert "--" not in page


def test_report_warnings_name_the_mapping_box_on_the_page(store):
    report = preview_bytes(store, b"channel,queued_at\nvoice,2024-01-01 10:00\n", "a.csv")
    cli = [str(w) for w in report.warnings]
    page = [text_for(w, PAGE) for w in report.warnings]
    assert any("with --map contact_id=COLUMN" in w for w in cli)
    assert any("in the 'Contact id' box of the mapping" in w for w in page)
    assert any("('Answered (yes/no)', 'Status', 'Answered at' or a handle time)" in w for w in page)
    assert not any("--" in w for w in page)


def test_every_import_log_and_quarantine_column_has_a_page_label(store):
    import_bytes(store, b"id,channel,queued_at,csat\n1,voice,2024-01-01 10:00,9\n2,voice,2024-01-01 10:05,4\n",
                 "a.csv", ImportOptions(on_error="quarantine"))
    columns = set(list_imports(store)[0]) | set(quarantined_rows(store)[0]) | {"row", "column", "value", "reason"}
    assert columns - set(HIDDEN_COLUMNS) <= set(COLUMN_LABELS)
