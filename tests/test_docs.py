"""The README documents every metric, setting and default target (as datasette checks its settings)."""
import re

from cxmetrics.metrics import REGISTRY
from cxmetrics.schema import DEFAULT_TARGETS
from cxmetrics.settings import DEFAULT_SETTINGS, SETTINGS

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.S | re.M)
    assert match, f"README has no section {title!r}"
    return match.group(1)


def test_every_registry_metric_is_documented_with_its_definition():
    metrics = _section("Metrics")
    for m in REGISTRY:
        row = re.search(rf"^\| `{m.id}` \| (.+?) \| (\w+) \| (\w+) \| (.+) \|$", metrics, re.M)
        assert row, f"metric {m.id} is missing from the README's Metrics table"
        assert (row.group(1), row.group(2), row.group(3)) == (m.label, m.unit, m.direction), m.id
        assert m.description in row.group(4), m.id


def test_every_setting_and_default_target_is_documented():
    settings = _section("Settings")
    for key, value in DEFAULT_SETTINGS.items():
        assert f"| `{key}` | `{value}` |" in settings, key
    for item in SETTINGS:  # the README's table says what the registry says
        assert f"| `{item.name}` | `{item.default}` | {item.help} |" in settings, item.name
    rules = _section('Targets and the "9 of the last 12 months" rule')
    for channel, metric, target, tolerance in DEFAULT_TARGETS:
        assert f"| `{channel}` | `{metric}` | {target:g} | {tolerance:g} |" in rules, (channel, metric)
