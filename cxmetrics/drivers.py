"""Satisfaction drivers (issue 16 §1): CSAT (top-2-box) or NPS per driver × bucket, with 95 % intervals.

For the selected channels and local dates, every inbound contact with a response for the outcome (a CSAT
score, or an NPS score) is put in one bucket of each driver whose value it has; a driver it has no value
for (no wait known, no customer id, no queue …) leaves it out of that driver only.

Drivers and their buckets (ids, as the command line's CSV writes them):

- `wait`: answered contacts with a known wait, by the channel's service-level threshold T (its
  `sl_threshold_s` setting): `within` (wait ≤ T), `up_to_2x` (T < wait ≤ 2T), `over_2x` (wait > 2T).
- `handle_time`: answered contacts with a known handle time, by quartile `q1` … `q4`. The three cut points
  are taken over *every* answered inbound contact of the selection with a known handle time, surveyed or
  not (the quarters of the contacts handled, not of those who answered a survey), by the nearest-rank rule:
  cut k is the handle time at rank ⌈k·n/4⌉ in ascending order. A contact equal to a cut point belongs to
  the lower quartile, so equal handle times always share a bucket; a quartile is empty when ties span it.
- `fcr`: `resolved` / `not_resolved` at first contact, by the FCR method in force for the contact's channel
  and local month within the selection, as the KPI decides it: an explicit resolved flag when any contact of
  that channel and month has one (answered contacts with a flag), else the repeat-contact method (an
  answered contact with a customer id is resolved when the customer has no other inbound contact, in any
  channel, within the FCR window after it; contacts whose window ends after the latest stored contact are
  left out).
- `repeat`: other inbound contacts of the same customer, in any channel, queued in the 7 × 24 hours before
  the contact (from exactly 168 h before, up to but not including its own queued time): `0`, `1`, `2+`.
  Contacts without a customer id are left out, and so are contacts queued less than 7 days after the
  earliest stored contact (their previous week is not all in the store).
- `channel`, `queue`, `agent`: the contact's own (contacts without a queue or agent are left out of that
  driver).
- `weekday` (`mon` … `sun`) and `hour` (`00` … `23`): of the local queued time (`queued_local`).

Every driver but `wait`, `handle_time` and `fcr` counts all inbound contacts with a response, as the CSAT
and NPS metrics do, so a channel's bucket equals the channel's CSAT or NPS over the same dates.

Statistics, per bucket of n responses:
- CSAT: p = responses of 4 or 5 ÷ n, shown as a percentage; the 95 % interval is Wilson's score interval,
  (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) ÷ (1 + z²/n), with z = 1.959964 (the 97.5 % normal quantile).
- NPS: 100 × (promoters − detractors) ÷ n; with P and D the promoter and detractor shares, the standard error
  is SE = √((P + D − (P − D)²) ÷ n) × 100 and the interval NPS ± z·SE, clipped to −100 … +100.
- A bucket with fewer than 30 responses is *thin*: shown greyed, and left out of the summary.

The summary ranks drivers: for each driver, its best and worst well-supported bucket (≥ 30 responses each)
by value; the driver is a finding only when their 95 % intervals do not overlap (best's lower bound above
worst's upper bound). Findings are ranked by the gap (best − worst, in points), largest first; ties keep the
drivers' order above. These are associations, not proof of cause.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from .display import channel_name, format_duration, format_value, ordered_channels
from .errors import UsageError
from .i18n import N_, _, format_number, ngettext
from .kpis import selection_where
from .metrics import METRICS
from .months import day_bound
from .schema import OTHER_CHANNEL_DEFAULTS
from .storage import Store, quote_ident

DRIVERS = ("wait", "handle_time", "fcr", "repeat", "channel", "queue", "agent", "weekday", "hour")
OUTCOMES = ("csat", "nps")
MIN_RESPONSES = 30  # a bucket with fewer responses is thin: greyed and left out of the summary
Z = 1.959963984540054  # the 97.5 % quantile of the standard normal: two-sided 95 % intervals
REPEAT_WINDOW_S = 7 * 86400  # "repeat contacts in the previous 7 days": exactly 7 × 24 hours
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # ISO order, Monday first
CSV_HEADER = ("driver", "bucket", "responses", "value", "ci_low", "ci_high")

# Fixed bucket orders (the others: channels in the standard order, queues and agents alphabetically).
BUCKET_ORDER = {
    "wait": ("within", "up_to_2x", "over_2x"),
    "handle_time": ("q1", "q2", "q3", "q4"),
    "fcr": ("resolved", "not_resolved"),
    "repeat": ("0", "1", "2+"),
    "weekday": WEEKDAYS,
    "hour": tuple(f"{h:02d}" for h in range(24)),
}

DRIVER_TITLES = {
    "wait": N_("Wait"),
    "handle_time": N_("Handle-time quartile"),
    "fcr": N_("First-contact resolution"),
    "repeat": N_("Repeat contacts in the previous 7 days"),
    "channel": N_("Channel"),
    "queue": N_("Queue"),
    "agent": N_("Agent"),
    "weekday": N_("Weekday"),
    "hour": N_("Hour of day"),
}
DRIVER_HELP = {
    "wait": N_("Answered contacts with a known wait, against the channel's service-level threshold: within it, "
               "up to twice it, beyond twice it."),
    "handle_time": N_("Answered contacts with a known handle time, by quarter of the handle times of all answered "
                      "contacts in the selection (a contact on a cut point goes to the lower quarter)."),
    "fcr": N_("Resolved at first contact or not, by the FCR method in force for the channel and month: the "
              "explicit resolved flag when the data have one, else the repeat-contact method."),
    "repeat": N_("Other inbound contacts of the same customer, in any channel, in the 7 × 24 hours before the "
                 "contact. Contacts without a customer id, or in the store's first 7 days, are left out."),
    "channel": N_("The contact's channel."),
    "queue": N_("The contact's queue (contacts without one are left out)."),
    "agent": N_("The agent who handled the contact (contacts without one are left out)."),
    "weekday": N_("The local day of the week the contact was queued."),
    "hour": N_("The local hour the contact was queued."),
}
WEEKDAY_NAMES = {"mon": N_("Monday"), "tue": N_("Tuesday"), "wed": N_("Wednesday"), "thu": N_("Thursday"),
                 "fri": N_("Friday"), "sat": N_("Saturday"), "sun": N_("Sunday")}
WEEKDAY_PHRASES = {"mon": N_("on Monday"), "tue": N_("on Tuesday"), "wed": N_("on Wednesday"),
                   "thu": N_("on Thursday"), "fri": N_("on Friday"), "sat": N_("on Saturday"),
                   "sun": N_("on Sunday")}

# The summary's sentence per driver and outcome: {best} and {worst} are bucket phrases (bucket_phrase),
# {best_value} and {worst_value} formatted values, {counts} the two bucket sizes.
SENTENCES = {
    ("wait", "csat"): N_("Customers answered {best} are satisfied {best_value} of the time, against {worst_value} "
                         "{worst} {counts}."),
    ("wait", "nps"): N_("Customers answered {best} give an NPS of {best_value}, against {worst_value} {worst} "
                        "{counts}."),
    ("handle_time", "csat"): N_("Customers whose handle time was {best} are satisfied {best_value} of the time, "
                                "against {worst_value} {worst} {counts}."),
    ("handle_time", "nps"): N_("Customers whose handle time was {best} give an NPS of {best_value}, against "
                               "{worst_value} {worst} {counts}."),
    ("fcr", "csat"): N_("Customers whose contact was {best} are satisfied {best_value} of the time, against "
                        "{worst_value} when it was {worst} {counts}."),
    ("fcr", "nps"): N_("Customers whose contact was {best} give an NPS of {best_value}, against {worst_value} when "
                       "it was {worst} {counts}."),
    ("repeat", "csat"): N_("Customers with {best} in the previous 7 days are satisfied {best_value} of the time, "
                           "against {worst_value} with {worst} {counts}."),
    ("repeat", "nps"): N_("Customers with {best} in the previous 7 days give an NPS of {best_value}, against "
                          "{worst_value} with {worst} {counts}."),
    ("channel", "csat"): N_("Customers on {best} are satisfied {best_value} of the time, against {worst_value} on "
                            "{worst} {counts}."),
    ("channel", "nps"): N_("Customers on {best} give an NPS of {best_value}, against {worst_value} on {worst} "
                           "{counts}."),
    ("queue", "csat"): N_("Customers in queue {best} are satisfied {best_value} of the time, against {worst_value} "
                          "in queue {worst} {counts}."),
    ("queue", "nps"): N_("Customers in queue {best} give an NPS of {best_value}, against {worst_value} in queue "
                         "{worst} {counts}."),
    ("agent", "csat"): N_("Customers served by {best} are satisfied {best_value} of the time, against "
                          "{worst_value} served by {worst} {counts}."),
    ("agent", "nps"): N_("Customers served by {best} give an NPS of {best_value}, against {worst_value} served by "
                         "{worst} {counts}."),
    ("weekday", "csat"): N_("Customers who contacted {best} are satisfied {best_value} of the time, against "
                            "{worst_value} {worst} {counts}."),
    ("weekday", "nps"): N_("Customers who contacted {best} give an NPS of {best_value}, against {worst_value} "
                           "{worst} {counts}."),
    ("hour", "csat"): N_("Customers who contacted {best} are satisfied {best_value} of the time, against "
                         "{worst_value} {worst} {counts}."),
    ("hour", "nps"): N_("Customers who contacted {best} give an NPS of {best_value}, against {worst_value} "
                        "{worst} {counts}."),
}
CAVEAT = N_("These are associations, not proof of cause: customers who wait longer or call again may also have "
            "harder problems. Buckets with fewer than {n} responses are greyed and left out of the summary; a gap is "
            "reported only when the two 95% intervals do not overlap.")


# -- statistics ------------------------------------------------------------------------------------------------
def wilson_interval(successes: int, n: int, z: float = Z) -> tuple[float, float]:
    """Wilson's score interval of a proportion, as fractions 0–1: (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) ÷ (1 + z²/n)."""
    if n <= 0:
        raise ValueError("no responses")
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def nps_standard_error(promoters: int, detractors: int, n: int) -> float:
    """The standard error of NPS in points: √((P + D − (P − D)²) ÷ n) × 100, P and D the promoter and detractor
    shares (the variance of a response scored +1, 0 or −1, over n)."""
    if n <= 0:
        raise ValueError("no responses")
    p, d = promoters / n, detractors / n
    return math.sqrt(max(0.0, p + d - (p - d) ** 2) / n) * 100.0


def nps_interval(promoters: int, detractors: int, n: int, z: float = Z) -> tuple[float, float]:
    """NPS ± z·SE, in points, clipped to −100 … +100."""
    value = 100.0 * (promoters - detractors) / n
    half = z * nps_standard_error(promoters, detractors, n)
    return max(-100.0, value - half), min(100.0, value + half)


# -- the data ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bucket:
    driver: str
    bucket: str
    responses: int
    value: float       # CSAT: percent of responses of 4 or 5; NPS: −100 … +100
    ci_low: float      # the 95 % interval, in the value's units
    ci_high: float

    @property
    def thin(self) -> bool:
        """Fewer than MIN_RESPONSES responses: greyed, and no conclusion drawn from it."""
        return self.responses < MIN_RESPONSES


@dataclass
class Drivers:
    outcome: str                                   # csat | nps
    buckets: list[Bucket]                          # in DRIVERS order, then each driver's bucket order
    contacts: int = 0                              # inbound contacts in the selection
    responses: int = 0                             # … of them with a response for the outcome
    thresholds: dict[str, float] = field(default_factory=dict)  # channel → SL threshold, channels in `wait`
    handle_cuts: tuple[float, float, float] | None = None        # the quartiles' cut points, seconds
    aggregated_channels: list[str] = field(default_factory=list)  # selected channels with reports only

    def of(self, driver: str) -> list[Bucket]:
        return [b for b in self.buckets if b.driver == driver]

    @property
    def aggregated_only(self) -> bool:
        """The selection has aggregated reports but no contact rows: drivers cannot be computed."""
        return not self.contacts and bool(self.aggregated_channels)

    def csv_rows(self) -> list[list]:
        """The command line's rows: driver, bucket, responses, value, ci_low, ci_high (raw numbers, English ids)."""
        return [[b.driver, b.bucket, b.responses, b.value, b.ci_low, b.ci_high] for b in self.buckets]


def check_outcome(outcome: str) -> str:
    if outcome not in OUTCOMES:
        raise UsageError(_("--outcome must be one of {outcomes}, not {outcome!r}")
                         .format(outcomes=", ".join(OUTCOMES), outcome=outcome))
    return outcome


def _selection(date_from, date_to, channels, time: str = "c.queued_local", channel: str = "c.channel"):
    return selection_where(time, day_bound(date_from), day_bound(date_to, end=True), channels, channel=channel)


def _buckets_sql(score: str, where: str) -> str:
    """One query: per driver × bucket, the responses and the counts the outcome needs (see the module's doc)."""
    return f"""
    WITH sel AS (
        SELECT c.source, c.contact_id, c.channel, c.queue, c.agent, c.customer_id, c.queued_at, c.queued_local,
               c.answered, c.wait_seconds, c.handle_seconds, c.resolved, c.next_contact_at,
               CAST(c.{score} AS DOUBLE) AS score, coalesce(cs.sl_threshold_s, ?) AS threshold,
               strftime(c.queued_local, '%Y-%m') AS month
        FROM contacts c LEFT JOIN channel_settings cs USING (channel)
        WHERE c.direction = 'inbound' AND {where}
    ),
    method AS (SELECT channel, month, count(resolved) > 0 AS explicit FROM sel GROUP BY ALL),
    handled AS (SELECT handle_seconds AS h, row_number() OVER (ORDER BY handle_seconds) AS rn, count(*) OVER () AS n
                FROM sel WHERE answered AND handle_seconds IS NOT NULL),
    cuts AS (SELECT max(h) FILTER (WHERE rn <= ceil(n / 4.0)) AS c1, max(h) FILTER (WHERE rn <= ceil(n / 2.0)) AS c2,
                    max(h) FILTER (WHERE rn <= ceil(3 * n / 4.0)) AS c3 FROM handled),
    bounds AS (SELECT epoch(min(queued_at)) AS first_s, epoch(max(queued_at)) AS last_s FROM contacts),
    resp AS (SELECT s.*, m.explicit FROM sel s JOIN method m USING (channel, month) WHERE s.score IS NOT NULL),
    prior AS (
        SELECT r.source, r.contact_id, count(*) AS n
        FROM resp r JOIN contacts o ON o.customer_id = r.customer_id AND o.direction = 'inbound'
             AND epoch(o.queued_at) >= epoch(r.queued_at) - ? AND o.queued_at < r.queued_at
        GROUP BY ALL
    ),
    tagged AS (
        SELECT r.score,
            CASE WHEN r.answered AND r.wait_seconds IS NOT NULL THEN
                CASE WHEN r.wait_seconds <= r.threshold THEN 'within'
                     WHEN r.wait_seconds <= 2 * r.threshold THEN 'up_to_2x' ELSE 'over_2x' END END AS wait,
            CASE WHEN r.answered AND r.handle_seconds IS NOT NULL THEN
                CASE WHEN r.handle_seconds <= k.c1 THEN 'q1' WHEN r.handle_seconds <= k.c2 THEN 'q2'
                     WHEN r.handle_seconds <= k.c3 THEN 'q3' ELSE 'q4' END END AS handle_time,
            CASE WHEN r.explicit THEN
                     CASE WHEN r.answered AND r.resolved IS NOT NULL THEN
                          CASE WHEN r.resolved THEN 'resolved' ELSE 'not_resolved' END END
                 WHEN r.answered AND r.customer_id IS NOT NULL AND epoch(r.queued_at) + ? <= b.last_s THEN
                     CASE WHEN r.next_contact_at IS NULL OR epoch(r.next_contact_at) - epoch(r.queued_at) > ?
                          THEN 'resolved' ELSE 'not_resolved' END END AS fcr,
            CASE WHEN r.customer_id IS NOT NULL AND epoch(r.queued_at) - ? >= b.first_s THEN
                CASE coalesce(p.n, 0) WHEN 0 THEN '0' WHEN 1 THEN '1' ELSE '2+' END END AS "repeat",
            r.channel, r.queue, r.agent,
            (CAST(? AS VARCHAR[]))[isodow(r.queued_local)] AS weekday,
            strftime(r.queued_local, '%H') AS hour
        FROM resp r CROSS JOIN cuts k CROSS JOIN bounds b LEFT JOIN prior p USING (source, contact_id)
    )
    SELECT driver, bucket, count(*) AS responses, count(*) FILTER (WHERE score >= 4) AS top2,
           count(*) FILTER (WHERE score >= 9) AS promoters, count(*) FILTER (WHERE score <= 6) AS detractors
    FROM (UNPIVOT tagged ON wait, handle_time, fcr, "repeat", channel, queue, agent, weekday, hour
          INTO NAME driver VALUE bucket)
    GROUP BY ALL
    """


def drivers(store: Store, channels: list[str] | None = None, date_from=None, date_to=None,
            outcome: str = "csat") -> Drivers:
    """CSAT or NPS per driver × bucket for the selected channels and local dates (`date_to` inclusive; a month
    YYYY-MM means its first or last day), with responses and 95 % intervals."""
    check_outcome(outcome)
    score = quote_ident(outcome)  # a column of the contact record, from OUTCOMES
    where, params = _selection(date_from, date_to, channels)
    settings = store.settings()
    window_s = float(settings["fcr_window_days"]) * 86400
    default_threshold = float(OTHER_CHANNEL_DEFAULTS.sl_threshold_s)
    counts = store.records(_buckets_sql(score, where),
                           [default_threshold, *params, float(REPEAT_WINDOW_S), window_s, window_s,
                            float(REPEAT_WINDOW_S), list(WEEKDAYS)])
    totals = store.fetchone(f"SELECT count(*), count({score}) FROM contacts c "
                            f"WHERE c.direction = 'inbound' AND {where}", params)
    thresholds = dict(store.fetchall(
        f"SELECT c.channel, any_value(coalesce(cs.sl_threshold_s, ?)) FROM contacts c "
        f"LEFT JOIN channel_settings cs USING (channel) WHERE c.direction = 'inbound' AND {where} "
        f"AND c.{score} IS NOT NULL AND c.answered AND c.wait_seconds IS NOT NULL GROUP BY c.channel",
        [default_threshold, *params]))
    cuts = store.fetchone(f"""
        SELECT max(h) FILTER (WHERE rn <= ceil(n / 4.0)), max(h) FILTER (WHERE rn <= ceil(n / 2.0)),
               max(h) FILTER (WHERE rn <= ceil(3 * n / 4.0))
        FROM (SELECT handle_seconds AS h, row_number() OVER (ORDER BY handle_seconds) AS rn, count(*) OVER () AS n
              FROM contacts c WHERE c.direction = 'inbound' AND {where} AND c.answered
              AND c.handle_seconds IS NOT NULL)""", params)
    agg_where, agg_params = _selection(date_from, date_to, channels, time="period_start", channel="channel")
    with_contacts = {r[0] for r in store.fetchall(
        f"SELECT DISTINCT c.channel FROM contacts c WHERE c.direction = 'inbound' AND {where}", params)}
    reported = [r[0] for r in store.fetchall(
        f"SELECT DISTINCT channel FROM aggregated_rows WHERE direction = 'inbound' AND {agg_where}", agg_params)]
    buckets = [_bucket(outcome, row) for row in counts]
    data = Drivers(outcome, buckets, int(totals[0]), int(totals[1]), thresholds,
                   None if cuts is None or cuts[0] is None else (float(cuts[0]), float(cuts[1]), float(cuts[2])),
                   ordered_channels(set(reported) - with_contacts))
    channel_order = ordered_channels([b.bucket for b in buckets if b.driver == "channel"])
    data.buckets = sorted(buckets, key=lambda b: (DRIVERS.index(b.driver), _bucket_rank(b, channel_order)))
    return data


def _bucket(outcome: str, row: dict) -> Bucket:
    n = int(row["responses"])
    if outcome == "csat":
        low, high = wilson_interval(int(row["top2"]), n)
        return Bucket(row["driver"], row["bucket"], n, 100.0 * int(row["top2"]) / n, 100.0 * low, 100.0 * high)
    promoters, detractors = int(row["promoters"]), int(row["detractors"])
    low, high = nps_interval(promoters, detractors, n)
    return Bucket(row["driver"], row["bucket"], n, 100.0 * (promoters - detractors) / n, low, high)


def _bucket_rank(b: Bucket, channel_order: list[str]):
    if b.driver in BUCKET_ORDER:
        return (BUCKET_ORDER[b.driver].index(b.bucket), "")
    if b.driver == "channel":
        return (channel_order.index(b.bucket), "")
    return (0, b.bucket.casefold() + "\0" + b.bucket)


# -- words -------------------------------------------------------------------------------------------------------
def seconds_text(seconds: float) -> str:
    """A threshold as a person says it: 20 s, 5 min, 4 h (else m:ss)."""
    s = float(seconds)
    if s < 120:
        return _("{n} s").format(n=format_number(s, 0 if s.is_integer() else 1))
    if s < 7200 and s % 60 == 0:
        return _("{n} min").format(n=format_number(s / 60))
    if s % 3600 == 0:
        return _("{n} h").format(n=format_number(s / 3600))
    return format_duration(s)


def _one_threshold(data: Drivers) -> float | None:
    values = set(data.thresholds.values())
    return values.pop() if len(values) == 1 else None


def bucket_label(data: Drivers, driver: str, bucket: str) -> str:
    """A bucket as a table row or chart axis names it, in the session's language."""
    if driver == "wait":
        t = _one_threshold(data)
        if t is None:
            return {"within": _("Within the channel's threshold"),
                    "up_to_2x": _("Up to twice the channel's threshold"),
                    "over_2x": _("Beyond twice the channel's threshold")}[bucket]
        one, two = seconds_text(t), seconds_text(2 * t)
        return {"within": _("Within {t}").format(t=one),
                "up_to_2x": _("{t} to {t2}").format(t=one, t2=two),
                "over_2x": _("Beyond {t2}").format(t2=two)}[bucket]
    if driver == "handle_time":
        c = [format_duration(x) for x in data.handle_cuts] if data.handle_cuts else ["?"] * 3
        return {"q1": _("1st quartile (up to {c1})").format(c1=c[0]),
                "q2": _("2nd quartile (over {c1}, up to {c2})").format(c1=c[0], c2=c[1]),
                "q3": _("3rd quartile (over {c2}, up to {c3})").format(c2=c[1], c3=c[2]),
                "q4": _("4th quartile (over {c3})").format(c3=c[2])}[bucket]
    if driver == "fcr":
        return {"resolved": _("Resolved at first contact"), "not_resolved": _("Not resolved at first contact")}[bucket]
    if driver == "repeat":
        return {"0": "0", "1": "1", "2+": _("2 or more")}[bucket]
    if driver == "channel":
        return channel_name(bucket)
    if driver == "weekday":
        return _(WEEKDAY_NAMES[bucket])
    if driver == "hour":
        return _hour_span(bucket)
    return bucket


def _hour_span(bucket: str) -> str:
    hour = int(bucket)
    return f"{hour:02d}:00–{hour + 1:02d}:00"  # the last hour ends at 24:00


def bucket_phrase(data: Drivers, driver: str, bucket: str) -> str:
    """A bucket as the summary's sentences name it (SENTENCES)."""
    if driver == "wait":
        t = _one_threshold(data)
        if t is None:
            return {"within": _("within the channel's threshold"),
                    "up_to_2x": _("between one and two times the channel's threshold"),
                    "over_2x": _("beyond twice the channel's threshold")}[bucket]
        one, two = seconds_text(t), seconds_text(2 * t)
        return {"within": _("within {t}").format(t=one),
                "up_to_2x": _("between {t} and {t2}").format(t=one, t2=two),
                "over_2x": _("beyond {t2}").format(t2=two)}[bucket]
    if driver == "handle_time":
        c = [format_duration(x) for x in data.handle_cuts] if data.handle_cuts else ["?"] * 3
        return {"q1": _("in the shortest quarter (up to {c1})").format(c1=c[0]),
                "q2": _("in the second quarter (over {c1}, up to {c2})").format(c1=c[0], c2=c[1]),
                "q3": _("in the third quarter (over {c2}, up to {c3})").format(c2=c[1], c3=c[2]),
                "q4": _("in the longest quarter (over {c3})").format(c3=c[2])}[bucket]
    if driver == "fcr":
        return {"resolved": _("resolved at first contact"), "not_resolved": _("not resolved at first contact")}[bucket]
    if driver == "repeat":
        return {"0": _("no other contact"), "1": _("1 other contact"), "2+": _("2 or more other contacts")}[bucket]
    if driver == "channel":
        return channel_name(bucket)
    if driver == "weekday":
        return _(WEEKDAY_PHRASES[bucket])
    if driver == "hour":
        hour = int(bucket)
        return _("between {start} and {end}").format(start=f"{hour:02d}:00", end=f"{hour + 1:02d}:00")
    return bucket


def outcome_label(outcome: str) -> str:
    """CSAT (top-2-box) or NPS, in the session's language."""
    return METRICS[outcome].label


# -- the summary -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Finding:
    driver: str
    best: Bucket
    worst: Bucket

    @property
    def gap(self) -> float:
        return self.best.value - self.worst.value


def findings(data: Drivers) -> list[Finding]:
    """Per driver, its best and worst well-supported bucket when their intervals do not overlap; largest gap first."""
    out = []
    for driver in DRIVERS:
        supported = [b for b in data.of(driver) if not b.thin]
        if len(supported) < 2:
            continue
        best = max(supported, key=lambda b: b.value)    # the first of equals, in bucket order
        worst = min(supported, key=lambda b: b.value)
        if best.ci_low > worst.ci_high:
            out.append(Finding(driver, best, worst))
    return sorted(out, key=lambda f: -f.gap)  # stable: equal gaps keep the drivers' order


def sentence(data: Drivers, finding: Finding) -> str:
    """One finding in plain words, in the session's language."""
    b, w = finding.best, finding.worst
    counts = ngettext("({best_n} and {worst_n} response)", "({best_n} and {worst_n} responses)", w.responses).format(
        best_n=format_number(b.responses), worst_n=format_number(w.responses))
    return _(SENTENCES[(finding.driver, data.outcome)]).format(
        best=bucket_phrase(data, finding.driver, b.bucket), worst=bucket_phrase(data, finding.driver, w.bucket),
        best_value=format_value(data.outcome, b.value), worst_value=format_value(data.outcome, w.value),
        counts=counts)


def summary(data: Drivers) -> list[str]:
    """The ranked findings as sentences, largest well-supported gap first."""
    return [sentence(data, f) for f in findings(data)]
