"""How states, statuses and channels look, declared once for pages, charts and the workbook.

Every state is written with a word and a symbol besides its colour, so it reads without colour.
Colours are Okabe–Ito, distinguishable with every common colour-vision deficiency.
"""
from __future__ import annotations

from dataclasses import dataclass

from .schema import CHANNELS


@dataclass(frozen=True)
class Look:
    word: str
    icon: str
    colour: str        # chart and cell background
    text_colour: str   # text on that background
    badge: str         # Streamlit markdown colour name
    fill: str          # Excel fill (the workbook's lighter tint)


# Month states (spec §4); None is "no target in force".
STATE_LOOKS: dict[str | None, Look] = {
    "met": Look("Met", "✔", "#0072B2", "white", "blue", "DCE9F5"),
    "met_within_tolerance": Look("Met within tolerance", "≈", "#E69F00", "black", "orange", "FDE9C8"),
    "missed": Look("Missed", "✖", "#D55E00", "white", "red", "F8D0C0"),
    "no_data": Look("No data", "–", "#BBBBBB", "black", "gray", "E7E7E7"),
    "not_measured": Look("Not measured", "○", "#F0F0F0", "#555555", "violet", "F4F4F4"),
    "not_loaded": Look("Not loaded yet", "…", "#FFFFFF", "#777777", "gray", "FFFFFF"),
    None: Look("No target", "", "#FFFFFF", "black", "gray", "FFFFFF"),
}
# Rolling-rule statuses (spec §4).
STATUS_LOOKS: dict[str, Look] = {
    "compliant": Look("Compliant", "✔", "#0072B2", "white", "blue", "DCE9F5"),
    "at_risk": Look("At risk", "!", "#E69F00", "black", "orange", "FDE9C8"),
    "breached": Look("Breached", "✖", "#D55E00", "white", "red", "F8D0C0"),
    "insufficient_history": Look("Insufficient history", "…", "#BBBBBB", "black", "gray", "E7E7E7"),
    "not_measured": Look("Not measured", "○", "#F0F0F0", "#555555", "violet", "F4F4F4"),
}
STATE_LEGEND = " · ".join(f"{look.icon} {look.word.lower()}" for state, look in STATE_LOOKS.items()
                          if state is not None)

CHANNEL_COLOURS = {"voice": "#0072B2", "chat": "#E69F00", "messaging": "#009E73", "email": "#CC79A7",
                   "social": "#56B4E9", "video": "#D55E00", "back_office": "#000000"}
OTHER_CHANNEL_COLOUR = "#999999"

SL_FORMULA_TEXT = {"abandons_against": "answered within ÷ (offered − short abandons)",
                   "abandons_ignored": "answered within ÷ answered",
                   "abandons_within_met": "(answered within + abandoned within) ÷ offered"}


def channel_name(channel: str) -> str:
    """A channel slug as people read it: back_office → Back office; '*' → every channel."""
    if channel == "*":
        return "Every channel (*)"
    return channel.replace("_", " ").capitalize()


def channel_colour(channel: str) -> str:
    return CHANNEL_COLOURS.get(channel, OTHER_CHANNEL_COLOUR)


def state_text(state: str | None, value_text: str = "", compact: bool = False) -> str:
    """A cell: symbol, then the value; the state's word when there is no value to show (only the symbol when
    `compact`, for narrow month columns whose legend spells the symbols out)."""
    look = STATE_LOOKS[state]
    if state in ("not_measured", "not_loaded") or not value_text or value_text == "–":
        return look.icon if compact and state is not None else f"{look.icon} {look.word}".strip()
    return f"{look.icon} {value_text}".strip()


def cell_style(state) -> str:
    """CSS for a table cell holding a month state (blank for a cell that is not counted)."""
    if not isinstance(state, str) or state not in STATE_LOOKS:
        return ""
    look = STATE_LOOKS[state]
    return f"background-color: {look.colour}; color: {look.text_colour}"


def ordered_channels(present) -> list[str]:
    """Standard channels in their order, then any other channel alphabetically."""
    present = set(present)
    return [c for c in CHANNELS if c in present] + sorted(c for c in present if c not in CHANNELS)
