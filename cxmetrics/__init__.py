"""cxmetrics: contact-centre metrics over a DuckDB store."""
from .errors import AlreadyImported, CxError, ImportRefused, RowProblem, StoreBusyError, UsageError
from .ingest import (ImportOptions, ImportReport, delete_import, import_bytes, import_file, list_imports,
                     list_presets, load_preset, propose_mapping, quarantined_rows, save_preset)
from .storage import Store, resolve_db_path

__all__ = [
    "AlreadyImported", "CxError", "ImportRefused", "RowProblem", "StoreBusyError", "UsageError",
    "ImportOptions", "ImportReport", "delete_import", "import_bytes", "import_file", "list_imports",
    "list_presets", "load_preset", "propose_mapping", "quarantined_rows", "save_preset",
    "Store", "resolve_db_path",
]
