"""Satisfaction drivers: CSAT or NPS by wait, handle time, FCR, repeat contacts, channel, queue, agent, weekday, hour."""
import datetime as dt

import streamlit as st

from cxmetrics import ui
from cxmetrics.display import channel_name
from cxmetrics.drivers import MIN_RESPONSES, OUTCOMES, outcome_label
from cxmetrics.drivers_views import drivers_page, styled_table
from cxmetrics.i18n import _, current_language
from cxmetrics.months import add_months, month_start, next_month_start

_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>$#|~"})


def _plain(text: str) -> str:
    """Text (queue and agent names included) shown as written, not as Markdown."""
    return text.translate(_MARKDOWN_SPECIAL)


ui.apply_language()

st.title(_("Satisfaction drivers"))
if ui.empty_store_notice():
    st.stop()
choices = ui.view("choices")
if not choices.months:
    st.info(_("No contacts for these channels and dates."))
    st.stop()
first = month_start(choices.months[0]).date()
last = next_month_start(choices.months[-1]).date() - dt.timedelta(days=1)
default_from = max(first, month_start(add_months(choices.months[-1], -2)).date())  # the latest three months

left, middle, right = st.columns([3, 2, 2])
channels = left.multiselect(_("Channels"), choices.channels, format_func=ui.in_language(channel_name),
                            placeholder=_("All channels"), key=ui.language_key("drivers_channels"))
dates = middle.date_input(_("Dates"), value=(default_from, last), min_value=first, max_value=last,
                          key="drivers_dates", format="YYYY/MM/DD" if current_language() == "en" else "DD.MM.YYYY")
outcome = right.radio(_("Satisfaction measure"), list(OUTCOMES), format_func=ui.in_language(outcome_label), horizontal=True,
                      key=ui.language_key("drivers_outcome"))
dates = tuple(dates) if isinstance(dates, (tuple, list)) else (dates,)
date_from = dates[0] if dates else default_from
date_to = dates[-1] if dates else last  # while the second day is being picked, the range is that one day

data = ui.cached(drivers_page, channels=list(channels) or None, date_from=date_from.isoformat(),
                 date_to=date_to.isoformat(), outcome=outcome)
for notice in data.notices:
    st.info(notice)
if data.sections:
    st.subheader(_("Summary"))
    st.warning(data.caveat, icon="⚠️")
    if data.summary:
        st.markdown("\n".join(f"{rank}. {_plain(line)}" for rank, line in enumerate(data.summary, start=1)))
    elif data.no_finding:
        st.markdown(_plain(data.no_finding))
    for section in data.sections:
        st.subheader(section.title, help=section.help)
        ui.vega(section.spec)
        st.dataframe(styled_table(section), hide_index=True, placeholder=ui.MISSING, width="stretch")
    st.caption(_("Greyed rows and lighter bars: fewer than {n} responses, too few to draw a conclusion from.")
               .format(n=MIN_RESPONSES))
