"""Importing contact, customer and aggregated-report exports into the store, as a sequence of named steps.

  options, presets  what the user said about an import, and saved mappings
  read, stage       the file detected and read into a temporary table of text columns
  platforms         Asterisk queue_log and Amazon Connect contact records, read natively (spec §1c)
  mapping           which column feeds which field (the alias table, overlaid with the user's)
  parse, plan       SQL that types every value, and the checks that reject a row
  derive            a contact's channel, outcome, answered/abandoned, wait and handle time
  aggregated        aggregated reports (spec §1b): counts and totals per interval, day, week or month
  validate          every problem collected with its row, column and value
  load              the valid rows written in one transaction (or shown, in a dry run)
  fcr               each contact's next contact of the same customer, kept up to date
  report            the import report (counts, problems, warnings)
  history           imports by sha256, undo of an import, the quarantine
  pipeline          the steps in order: import_file, import_bytes and the upload helpers

An import lands in one transaction, or not at all.
"""
from .history import delete_import, list_imports, quarantined_rows
from .mapping import detect_kind, propose_mapping, resolve_mapping, status_outcome
from .options import DEFAULT_SOURCE, KINDS, ON_ERROR_MODES, ImportOptions, ProgressFn
from .parse import PARSER_KINDS, parse_values
from .platforms import PLATFORM_FORMATS
from .pipeline import (column_values_bytes, import_bytes, import_file, inspect_bytes, preview_bytes,
                       repeated_values_bytes)
from .presets import list_presets, load_preset, save_preset
from .report import ImportReport

__all__ = [
    "delete_import", "list_imports", "quarantined_rows",
    "detect_kind", "propose_mapping", "resolve_mapping", "status_outcome",
    "DEFAULT_SOURCE", "KINDS", "ON_ERROR_MODES", "ImportOptions", "ProgressFn",
    "PARSER_KINDS", "parse_values", "PLATFORM_FORMATS",
    "column_values_bytes", "import_bytes", "import_file", "inspect_bytes", "preview_bytes", "repeated_values_bytes",
    "list_presets", "load_preset", "save_preset",
    "ImportReport",
]
