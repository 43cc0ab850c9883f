"""The package's layering (cxmetrics/layers.py): no upward import, no import circle, no hidden imports."""
import ast
from pathlib import Path

import pytest

from cxmetrics.layers import LAYERS, LAZY_IMPORTS_ALLOWED, layer_of

PACKAGE = Path(__file__).resolve().parent.parent / "cxmetrics"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)


def package_imports(module: str, source: str, is_package: bool = False) -> list[tuple[str, int, bool]]:
    """(imported module of the package, line, inside a function) for every import statement of a module."""
    if module == "__init__":  # the package itself: its relative imports start at the top
        here = []
    else:
        here = module.split(".") if is_package else module.split(".")[:-1]
    tree = ast.parse(source)
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    inside = {id(n) for f in functions for n in ast.walk(f) if n is not f}
    found = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.ImportFrom) and node.level:  # from . import x / from .x import y / from ..x import y
            base = here[:len(here) - node.level + 1]
            targets = [".".join(base + [node.module])] if node.module else [".".join(base + [a.name])
                                                                             for a in node.names]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "cxmetrics":
            rest = node.module.split(".")[1:]
            targets = [".".join(rest)] if rest else [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [".".join(a.name.split(".")[1:]) for a in node.names if a.name.split(".")[0] == "cxmetrics"]
        found += [(t, node.lineno, id(node) in inside) for t in targets if t]
    return found


def violations(module: str, source: str, is_package: bool = False) -> list[str]:
    """What breaks the layering in one module: an upward import, or an import hidden inside a function."""
    out = []
    for target, line, in_function in package_imports(module, source, is_package):
        if layer_of(target) > layer_of(module):
            out.append(f"cxmetrics.{module}:{line} imports {target} (layer {layer_of(target)}: "
                       f"{', '.join(LAYERS[layer_of(target)])}) from layer {layer_of(module)}: move the shared "
                       "code down a layer")
        if in_function and module.split(".")[0] not in LAZY_IMPORTS_ALLOWED:
            out.append(f"cxmetrics.{module}:{line} imports {target} inside a function: import it at the top")
    return out


def _files():
    return sorted(PACKAGE.rglob("*.py"))


def _source(path: Path) -> tuple[str, str, bool]:
    return _module_name(path), path.read_text(encoding="utf-8"), path.name == "__init__.py"


def test_every_module_has_a_layer():
    for path in _files():
        layer_of(_module_name(path))  # raises, naming the module, when it has none


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_to_the_same_layer_or_lower_and_never_hide_in_functions(path):
    assert violations(*_source(path)) == []


def test_no_import_circle():
    graph: dict[str, set[str]] = {}
    for path in _files():
        name, source, is_package = _source(path)
        graph.setdefault(name, set()).update(t for t, _, _ in package_imports(name, source, is_package))
    state: dict[str, int] = {}

    def visit(node, trail):
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if nxt in graph:
                assert state.get(nxt) != 1, "import circle: " + " → ".join(trail + [node, nxt])
                if nxt not in state:
                    visit(nxt, trail + [node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])


def test_the_checker_refuses_an_upward_and_a_hidden_import():
    assert violations("metrics", "from .views import KEY_METRICS\n")[0].startswith(
        "cxmetrics.metrics:1 imports views (layer 7")
    hidden = violations("kpis", "def f():\n    from .errors import UsageError\n")
    assert hidden == ["cxmetrics.kpis:2 imports errors inside a function: import it at the top"]
    assert violations("views", "from .metrics import METRICS\nfrom cxmetrics.display import format_value\n") == []
    assert violations("cli", "def run():\n    from .sample import write_sample\n") == []
    assert violations("ingest.load", "from ..storage import Store\nfrom . import parse\n", False) == []
