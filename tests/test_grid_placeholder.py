"""Every grid on every page shows an empty cell as display.MISSING, never Python's "None" (in English, whatever
the page's language): each st.dataframe and st.data_editor call passes that placeholder."""
import ast
from pathlib import Path

from cxmetrics.display import MISSING, format_value

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "pages").glob("*.py")) + [ROOT / "app.py", ROOT / "cxmetrics" / "ui.py"]


def _grid_calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("dataframe", "data_editor")
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "st"):
            yield node


def test_every_grid_passes_the_missing_value_placeholder():
    calls = {f"{path.name}:{call.lineno}": call for path in SOURCES for call in _grid_calls(path)}
    assert len(calls) >= 19  # the grids of the pages and of ui: the scan finds them
    without = [where for where, call in calls.items()
               if not any(k.arg == "placeholder" and ast.unparse(k.value) in ("ui.MISSING", "MISSING")
                          for k in call.keywords)]
    assert without == []


def test_the_placeholder_is_the_text_a_missing_metric_shows():
    assert MISSING == format_value("aht", None) == "–"
