"""Settings and per-channel settings as stored, validated by the settings registry (spec §2)."""
from __future__ import annotations

from .errors import UsageError
from .i18n import _
from .schema import CHANNEL_DEFAULTS, CHANNELS, OTHER_CHANNEL_DEFAULTS, SL_FORMULAS
from .ingest.fcr import refresh_all_next_contacts
from .measures import ensure_built, rebuild
from .settings import check_settings, setting
from .storage import Store


# -- settings ---------------------------------------------------------------------------------------
def get_settings(store: Store) -> dict[str, str]:
    """Every general setting's stored value (the registry's default until changed)."""
    return store.settings()


def set_setting(store: Store, key: str, value: str) -> None:
    """Validate and store one setting; a time-zone change re-buckets every contact."""
    set_settings(store, {key: value})


def set_settings(store: Store, changes: dict[str, str]) -> None:
    """Validate several settings together (by the registry's checks, and k ≤ n on the result), then store them
    in one transaction."""
    current = get_settings(store)
    new = dict(current)
    for key, value in changes.items():
        declared = setting(key)
        value = declared.check(value)
        if declared.kind == "timezone" and not store.is_time_zone(value):
            raise UsageError(_("unknown time zone {zone!r}: use an IANA name such as Europe/Berlin or UTC")
                             .format(zone=value))
        new[key] = value
    check_settings(new)
    changed = {k: v for k, v in new.items() if v != current[k]}
    if not changed:
        return
    ensure_built(store)
    with store.transaction():
        for key, value in changed.items():
            store.execute("UPDATE settings SET value = ? WHERE key = ?", [value, key])
        if "timezone" in changed:
            store.execute("UPDATE contacts SET queued_local = timezone(?, queued_at)", [changed["timezone"]])
        if "fcr_window_days" in changed:  # each contact's next contact is kept within the window
            refresh_all_next_contacts(store)
        # the measures that depend on a changed setting are rebuilt in the same transaction
        if {"timezone", "fcr_window_days"} & set(changed):
            rebuild(store)
        elif "churn_window_days" in changed:
            rebuild(store, churn_only=True)


# -- channel settings -----------------------------------------------------------------------------------
def channel_settings(store: Store) -> list[dict]:
    """Every standard channel and every channel with data, with the settings in force."""
    stored = {r["channel"]: r for r in store.records("SELECT * FROM channel_settings")}
    ensure_built(store)
    seen = [r[0] for r in store.fetchall("SELECT DISTINCT channel FROM measures_coverage ORDER BY 1")]
    out = []
    for channel in list(CHANNELS) + [c for c in seen if c not in CHANNELS]:
        d = CHANNEL_DEFAULTS.get(channel, OTHER_CHANNEL_DEFAULTS)
        row = stored.get(channel, {"channel": channel, "sl_threshold_s": float(d.sl_threshold_s),
                                   "short_abandon_s": float(d.short_abandon_s), "sl_formula": d.sl_formula})
        out.append(dict(row))
    return out


def set_channel(store: Store, channel: str, sl_threshold_s=None, short_abandon_s=None, sl_formula=None) -> dict:
    """Validate and store one channel's service-level settings (None keeps the current value)."""
    return set_channels(store, [{"channel": channel, "sl_threshold_s": sl_threshold_s,
                                 "short_abandon_s": short_abandon_s, "sl_formula": sl_formula}])[0]


def set_channels(store: Store, rows: list[dict]) -> list[dict]:
    """Validate every row first, then store them all in one transaction: a bad row saves nothing."""
    checked = [_checked_channel(store, **row) for row in rows]
    ensure_built(store)
    with store.transaction():
        for current in checked:
            store.execute("DELETE FROM channel_settings WHERE channel = ?", [current["channel"]])
            store.execute("INSERT INTO channel_settings VALUES (?, ?, ?, ?)",
                          [current["channel"], current["sl_threshold_s"], current["short_abandon_s"],
                           current["sl_formula"]])
        # thresholds are inside the measures (answered within, short abandons); the formula is applied when read
        rebuild(store, channels=[c["channel"] for c in checked])
    return checked


def _checked_channel(store: Store, channel: str, sl_threshold_s=None, short_abandon_s=None, sl_formula=None) -> dict:
    channel = str(channel or "").strip().lower()
    if not channel:
        raise UsageError(_("give a channel slug, e.g. voice"))
    current = next((r for r in channel_settings(store) if r["channel"] == channel), None)
    if current is None:
        d = OTHER_CHANNEL_DEFAULTS
        current = {"channel": channel, "sl_threshold_s": d.sl_threshold_s, "short_abandon_s": d.short_abandon_s,
                   "sl_formula": d.sl_formula}
    for name, value in (("sl_threshold_s", sl_threshold_s), ("short_abandon_s", short_abandon_s)):
        if value is not None:
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise UsageError(_("{name} must be a number of seconds, not {value!r}")
                                 .format(name=name, value=value)) from None
            if number < 0:
                raise UsageError(_("{name} cannot be negative").format(name=name))
            current[name] = number
    if sl_formula is not None:
        if sl_formula not in SL_FORMULAS:
            raise UsageError(_("sl_formula must be one of {formulas}, not {value!r}")
                             .format(formulas=", ".join(SL_FORMULAS), value=sl_formula))
        current["sl_formula"] = sl_formula
    return current
