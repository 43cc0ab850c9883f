"""Messages written once and rendered in the words of each interface.

A message names the import options it suggests by reference (`ControlRef`, one of
schema.IMPORT_CONTROLS) and the fields it speaks of (`FieldRef`); the command line renders a
reference as the flag, the Upload page as its own widget.

A message is written in English and translated where it is rendered: its template with `_()` (Message is an
extraction keyword, so `Message("literal", ...)` lands in the catalogue), a control's phrase and a field's label
from their registries in schema.
"""
from __future__ import annotations

from .errors import CLI, INTERFACES, PAGE, AlreadyImported, text_for
from .i18n import _, format_number, ngettext
from .schema import IMPORT_CONTROLS, field_label


class ControlRef:
    """One import control named in a message, with its arguments (e.g. ControlRef("map", field="channel"))."""

    def __init__(self, control_id: str, **args):
        if control_id not in IMPORT_CONTROLS:
            raise KeyError(f"{control_id!r} is not one of schema.IMPORT_CONTROLS")
        self.control_id = control_id
        self.args = args

    def text_for(self, interface: str) -> str:
        if interface not in INTERFACES:
            raise ValueError(f"interface must be one of {', '.join(INTERFACES)}, not {interface!r}")
        control = IMPORT_CONTROLS[self.control_id]
        args = {**dict(control.defaults), **self.args}
        if "field" in args:
            args.setdefault("label", field_label(args["field"]))
        if interface == PAGE:
            args.update({name: control.page_value(name, value) for name, value in args.items()})
        return getattr(control, interface).format(**args)

    def __str__(self) -> str:
        return self.text_for(CLI)

    def __repr__(self) -> str:
        return f"ControlRef({self.control_id!r}, **{self.args!r})"


class FieldRef:
    """A canonical field named in a message: its id on the command line, its label on the pages."""

    def __init__(self, name: str):
        self.name = name

    def text_for(self, interface: str) -> str:
        return self.name if interface == CLI else _("'{label}'").format(label=field_label(self.name))

    def __str__(self) -> str:
        return self.text_for(CLI)


class Message(str):
    """Text written once as a str.format template; its ControlRef and FieldRef values render per interface.

    As a str it is the command line's wording in the language of its construction, so it prints, compares and
    serialises like plain text; `text_for` renders it in the current language. It keeps the English template
    (a pickled message is rebuilt in the language of whoever reads it).
    """

    def __new__(cls, template: str, **values):
        text = super().__new__(cls, _fill(_(template), values, CLI))
        text.template, text.values = template, values
        return text

    def text_for(self, interface: str) -> str:
        return _fill(_(self.template), self.values, interface)

    def __reduce__(self):  # pickled (the page's cache) and deep-copied (dataclasses.asdict) with its values
        return _rebuild_message, (self.template, self.values)


def _rebuild_message(template: str, values: dict) -> Message:
    return Message(template, **values)


class PluralMessage(Message):
    """A Message whose wording depends on a count `n` (Russian has three forms): the form is chosen, and `{n}`
    formatted, in the language of whoever reads it."""

    def __new__(cls, singular: str, plural: str, n: int, **values):
        text = str.__new__(cls, _fill(ngettext(singular, plural, n), {**values, "n": format_number(n)}, CLI))
        text.template, text.plural, text.n, text.values = singular, plural, n, values
        return text

    def text_for(self, interface: str) -> str:
        return _fill(ngettext(self.template, self.plural, self.n), {**self.values, "n": format_number(self.n)},
                     interface)

    def __reduce__(self):
        return _rebuild_plural, (self.template, self.plural, self.n, self.values)


def _rebuild_plural(singular: str, plural: str, n: int, values: dict) -> PluralMessage:
    return PluralMessage(singular, plural, n, **values)


class ChoiceList:
    """The values a control accepts, named in a message: as the command line takes them (slugs) or as the page's
    box lists them (labels: English, marked N_(), translated when shown)."""

    def __init__(self, choices: dict[str, str]):
        self.choices = choices

    def text_for(self, interface: str) -> str:
        return ", ".join(self.choices if interface == CLI else (_(label) for label in self.choices.values()))

    def __str__(self) -> str:
        return self.text_for(CLI)


_PER_INTERFACE = (Message, ControlRef, FieldRef, ChoiceList)


def _fill(template: str, values: dict, interface: str) -> str:
    return template.format(**{k: _value_text(v, interface) for k, v in values.items()})


def _value_text(value, interface: str):
    """A value of a message as the interface shows it; a list of messages is joined with commas."""
    if isinstance(value, _PER_INTERFACE):
        return text_for(value, interface)
    if isinstance(value, list):
        return ", ".join(str(_value_text(item, interface)) for item in value)
    return value


def already_imported(file_name: str, import_id: int, imported_on: str, kind: str = "contacts") -> AlreadyImported:
    """The refusal of a file imported before, naming how each interface imports it again: contacts replace the
    stored ones by id; a report's rows replace nothing, so its earlier import is removed first."""
    if kind == "aggregated":
        return AlreadyImported(Message("{file}: already imported on {date} as import #{import_id}. A report's rows "
                                       "replace none that are stored: to import it again, remove that import first "
                                       "{delete}.", file=file_name, date=imported_on, import_id=import_id,
                                       delete=ControlRef("delete_import", import_id=import_id)), import_id)
    return AlreadyImported(Message("{file}: already imported on {date} as import #{import_id}. Import it again "
                                   "{force}.", file=file_name, date=imported_on, import_id=import_id,
                                   force=ControlRef("force", import_id=import_id)), import_id)
