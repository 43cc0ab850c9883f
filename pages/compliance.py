"""Compliance: the 'k of the last n months' rule per channel × metric."""
import streamlit as st

from cxmetrics import ui
from cxmetrics.display import channel_name, month_label, state_legend
from cxmetrics.i18n import _, current_language

ui.apply_language()
st.title(_("Compliance (9 of the last 12 months)"))
if ui.empty_store_notice():
    st.stop()
english = current_language() == "en"
choices = ui.view("choices")
left, right = st.columns([1, 3])
# English lists months (YYYY-MM) and channel slugs as before; another language names them («сентябрь 2026»).
as_of = left.selectbox(_("As of month"), list(reversed(choices.months)), key=ui.language_key("compliance_month"),
                       format_func=ui.in_language(month_label))
channels = right.multiselect(_("Channels"), choices.channels, placeholder=_("All channels"),
                             format_func=str if english else ui.in_language(channel_name))
data = ui.view("compliance_view", as_of=as_of, channels=channels or None)
if data.grid.empty:
    st.info(_("No channel has a target in force and data in this window."))
    st.stop()


def _columns(column: str, config) -> dict:
    """A column's config under its English heading and its heading in the session's language (whichever the grid
    uses)."""
    return {column: config, _(column): config}


st.caption(_("Each cell is a month: {legend}; blank = before the channel's first month (not counted).")
           .format(legend=state_legend()))
status_help = _("Misses ≤ n − k − 1: compliant; = n − k: at risk; more: breached. Insufficient history: the "
                "channel's first month lies inside the window. Not measured: no counted month has a value (no surveys "
                "on this channel, say).")
st.dataframe(ui.styled_states(data.grid, data.states, data.months), hide_index=True, width="stretch",
             height=min(800, 40 + 35 * len(data.grid)),
             column_config={**{month: st.column_config.TextColumn(month_label(month, short=True), width="small")
                               for month in data.months},
                            **_columns("Channel", st.column_config.TextColumn(_("Channel"), pinned=True)),
                            **_columns("Metric", st.column_config.TextColumn(_("Metric"), pinned=True)),
                            **_columns("Status", st.column_config.TextColumn(_("Status"), help=status_help)),
                            **_columns("Met", st.column_config.TextColumn(
                                _("Met"), help=_("Months met (or met within tolerance) of the months counted")))})
st.markdown(" ".join(f"{ui.status_badge(status)} {count}" for status, count in data.status_counts))

st.subheader(_("Flagged months"))
if data.flagged.empty:
    st.success(_("No missed or no-data months in the window."))
else:
    st.dataframe(data.flagged, hide_index=True, width="stretch")
