"""Mapping presets: an import's options saved under a name, and merged into a later import's."""
from __future__ import annotations

import json

from ..errors import UsageError
from ..i18n import _
from ..messages import ControlRef, Message
from ..storage import Store
from .options import ImportOptions


def save_preset(store: Store, name: str, options: ImportOptions) -> None:
    """Store the mapping and parsing options under a name, for later imports."""
    if not name or not name.strip():
        raise UsageError(_("a preset needs a name"))
    with store.transaction():
        store.execute("DELETE FROM mapping_presets WHERE name = ?", [name])
        store.execute("INSERT INTO mapping_presets VALUES (?, ?, ?, now())",
                      [name, options.kind, json.dumps(options.preset_dict(), ensure_ascii=False)])


def list_presets(store: Store) -> list[dict]:
    """Every saved preset: its name, kind and options."""
    return [{"name": r[0], "kind": r[1], **json.loads(r[2])}
            for r in store.fetchall("SELECT name, kind, preset_json FROM mapping_presets ORDER BY name")]


def load_preset(store: Store, name: str) -> dict:
    """The options saved under `name`; a UsageError naming the saved presets when there is none."""
    row = store.fetchone("SELECT preset_json FROM mapping_presets WHERE name = ?", [name])
    if row is None:
        known = [p["name"] for p in list_presets(store)]
        raise UsageError(Message("there is no mapping preset named {name!r}{known}. Save one {save_preset}.",
                                 name=name, save_preset=ControlRef("save_preset"),
                                 known=Message("; saved presets: {names}", names=", ".join(known)) if known
                                 else Message("; none is saved yet")))
    return json.loads(row[0])


def merge_preset(store: Store, options: ImportOptions) -> ImportOptions:
    """The options with their preset's filled in; explicit options win over the preset's."""
    if not options.preset:
        return options
    preset = load_preset(store, options.preset)
    defaults = ImportOptions()
    merged = ImportOptions(**{k: getattr(options, k) for k in options.__dataclass_fields__})
    for key in ImportOptions.PRESET_KEYS:
        if key in preset and getattr(options, key) == getattr(defaults, key):
            setattr(merged, key, preset[key])
    merged.mapping = {**preset.get("mapping", {}), **options.mapping}
    merged.status_map = {**preset.get("status_map", {}), **options.status_map}
    if options.source is None and preset.get("source") is None:
        merged.source = options.preset
    return merged
