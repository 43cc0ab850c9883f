"""The package's layers, bottom to top: a module imports only from its own layer or lower.

tests/test_layers.py enforces it on every run (imports inside functions count, and are refused
except the command line's lazy loading of a subcommand). README's Architecture section says
what each module holds and where a change goes.
"""

LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "months", "i18n"),                           # typed errors; calendar; the interface language
    ("settings", "schema", "metrics", "messages"),          # registries: settings, contact record, metrics
    ("display",),                                           # formats, state words and colours, channel names
    ("storage",),                                           # the only module that talks to DuckDB
    ("ingest", "sample", "measures"),                       # import; the measures layer it maintains
    ("targets", "config", "quality", "kpis", "compliance",  # the domain
     "review", "early_warning", "followup", "maturity", "erlang", "staffing", "drivers", "benchmarks", "lake"),
    ("charts", "workbook"),                                 # outputs
    ("views", "ui", "cli", "__main__", "__init__", "layers",  # what people and scripts use
     "staffing_views", "drivers_views"),
)
LAZY_IMPORTS_ALLOWED = ("cli",)  # may load a subcommand's module when that subcommand runs


def layer_of(module: str) -> int:
    """The layer index of a module of the package (a subpackage's modules share its layer)."""
    top = module.split(".")[0]
    for index, names in enumerate(LAYERS):
        if top in names:
            return index
    raise KeyError(f"cxmetrics.{module} is in no layer of cxmetrics/layers.py: add it where it belongs")
