"""The CX maturity self-assessment (../shared/spec/maturity.md): twenty statements, five stages.

Statements 15 and 16 are proposed from the data by this project's own rule; the stage bands are
this project's own too (the original scoring table was not available) and are labelled so.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field


from .compliance import compliance
from .display import format_number, month_label
from .errors import UsageError
from .i18n import N_, _, ngettext
from .kpis import kpis
from .months import add_months, last_complete_month
from .storage import Store
from .targets import TargetBook, list_targets

SECTIONS = {  # section → (number, title, statement); the texts are English, marked N_(), shown with _()
    N_("A. Alignment with the organisation"): [
        (1, N_("Alignment"),
         N_("Contact-centre staff understand how service failures affect the whole organisation. "
            "Management knows which functions, processes and actions are critical to its success.")),
        (2, N_("Goals and objectives"),
         N_("Operational, tactical and strategic goals shared by customer service and the "
            "company as a whole are defined and documented.")),
        (3, N_("Stakeholder involvement"),
         N_("All stakeholders can take part in setting the centre's goals and action "
            "plans; the centre regularly reports back on what it did at their request.")),
        (4, N_("Resource allocation"),
         N_("Resource needs and allocation follow the service-level targets and the "
            "organisation's goals, and are reviewed as the company or its customers change.")),
    ],
    N_("B. People"): [
        (5, N_("Customer satisfaction"),
         N_("A complete customer-satisfaction programme is in place; its results are shared "
            "with staff, stakeholders and customers and used to improve continuously.")),
        (6, N_("Customer-satisfaction reporting"), N_("Customer-satisfaction reports are produced regularly.")),
        (7, N_("Employee satisfaction"), N_("Employee-satisfaction reports are produced regularly.")),
    ],
    N_("C. Processes"): [
        (8, N_("Operational plans"), N_("Operational plans are updated regularly and reviewed at least once a year.")),
        (9, N_("Event management"),
         N_("Roles and duties in handling events (incidents, service requests…) are documented "
            "and known; a contact-centre representative helps improve the process.")),
        (10, N_("Feedback management"),
         N_("The process for collecting feedback and tracking the actions taken on it is "
            "documented and reviewed regularly.")),
        (11, N_("Service-level management"),
         N_("Service-level targets and the agreements between key stakeholders are "
            "reviewed at least quarterly.")),
        (12, N_("Continuous improvement"),
         N_("Processes and procedures are defined, documented and reviewed regularly, and "
            "improved with stakeholders involved in good time.")),
        (13, N_("Quality assurance"),
         N_("The quality-assurance process is clearly defined and consistently followed; its "
            "results reach staff promptly and are one of the performance measures.")),
        (14, N_("Workforce management (process)"),
         N_("Workforce planning rests on formal methods for reaching service-level "
            "targets; it is documented, followed and reviewed at least yearly.")),
    ],
    N_("D. Metrics"): [
        (15, N_("Service level / response time"),
         N_("Performance data are collected regularly, and service level or "
            "response time stays within 5% of target.")),
        (16, N_("Contact measures: volume, AHT, FCR"),
         N_("Performance reports are produced regularly. Targets are met or "
            "beaten in at least 9 of the last 12 months.")),
    ],
    N_("E. Technology"): [
        (17, N_("Routing"),
         N_("Routing is integrated with other systems such as workforce management, routes "
            "automatically, gives real-time statistics and warns early when service level leaves its "
            "target range.")),
        (18, N_("Workforce management (system)"),
         N_("The WFM system is integrated with other systems and combines workload, "
            "working time and service-level targets into an optimal schedule.")),
        (19, N_("Omnichannel"), N_("The centre supports all channels together in routing, analytics and so on.")),
        (20, N_("Reporting"), N_("The reporting system is integrated with the centre's other systems.")),
    ],
}
STATEMENTS = {number: (section, title, text) for section, items in SECTIONS.items() for number, title, text in items}

# Stage bands: this project's own (see maturity.md §3). A stage's English name is its code too (stored with a
# saved assessment, compared in code); `stage_name` gives it in the session's language.
BANDS = [(20, 36, N_("Customer-negligent")), (37, 52, N_("Customer-chaotic")), (53, 68, N_("Customer-aware")),
         (69, 84, N_("Customer-centric")), (85, 100, N_("Customer champion"))]

STAGES = {  # by stage code; the texts are English, marked N_(), shown with _(); key metrics are metric ids
    "Customer-negligent": {
        "summary": N_("Customers are not seen as a vital asset."),
        "people": N_("Staff do not know the customer journey; engagement is low."),
        "processes": N_("The centre runs in survival mode, and nobody owns CX."),
        "technology": N_("Siloed tools, one channel, almost no reporting, no voice of the customer."),
        "key_metrics": [N_("cost per contact"), "volume"],
        "next": [N_("Someone with real influence champions a single CX approach and drives the change; if nobody "
                    "inside can, bring in outside help.")]},
    "Customer-chaotic": {
        "summary": N_("Leaders say customers matter, but actions lag."),
        "people": N_("Staff are measured on numbers unrelated to CX."),
        "processes": N_("A first voice-of-the-customer programme; several leaders own pieces such as CSAT; basic "
                        "reporting."),
        "technology": N_("PBX, a simple CRM and scheduling, each in isolation; much manual re-keying."),
        "key_metrics": ["aht", "volume"],
        "next": [N_("Give CX a single, central leadership."), N_("Let employees act as customer advocates."),
                 N_("Use voice-of-the-customer and customer-journey tools."),
                 N_("Collect customer feedback and record it carefully."),
                 N_("Integrate the critical systems, at least partly."), N_("Track NPS, CSAT and customer effort.")]},
    "Customer-aware": {
        "summary": N_("Coordinated, central effort has begun."),
        "people": N_("Strong voice-of-customer and voice-of-employee programmes."),
        "processes": N_("CX shapes priorities; Lean, Six Sigma, ITIL or Agile are in use; reports include CX "
                        "measures."),
        "technology": N_("The earlier tools are integrated, but still limit progress."),
        "key_metrics": ["fcr", "csat", "nps"],
        "next": [N_("Define a brand voice and share it with every unit."),
                 N_("Make customer and employee feedback the main driver of process improvement."),
                 N_("Apply CX process-improvement methods."), N_("Integrate systems so that information flows freely."),
                 N_("Track churn and other CX measures beside NPS, CSAT and customer effort.")]},
    "Customer-centric": {
        "summary": N_("Customers' interests weigh in every important decision."),
        "people": N_("Hiring is for culture fit; staff are empowered."),
        "processes": N_("CX drives process improvement; reporting puts loyalty measures first."),
        "technology": N_("Fully integrated systems; intelligent routing; workload forecasting; layered analytics."),
        "key_metrics": ["csat", "nps", "ces", "churn_rate", "asa", "fcr"],
        "next": [N_("Appoint a senior executive for customers."),
                 N_("Bring every new hire into the CX programme at once."),
                 N_("Gather customer and employee feedback consistently."),
                 N_("Track first-contact resolution, resolution time, and satisfaction by channel."),
                 N_("Use predictive analytics, AI and machine learning.")]},
    "Customer champion": {
        "summary": N_("Customers are the main asset, and every channel works in concert."),
        "people": N_("High engagement and retention."),
        "processes": N_("CX is the key strategic factor and changes happen fast."),
        "technology": N_("An open, unified platform; predictive analytics, AI and ML."),
        "key_metrics": ["csat", "nps", "ces", "churn_rate", "asa", "fcr", N_("customer lifetime value")],
        "next": []},
}


def stage_name(stage: str) -> str:
    """A stage code (its English name, as stored) in the session's language."""
    return _(stage)


def stage_for(total: int) -> str:
    for low, high, name in BANDS:
        if low <= total <= high:
            return name
    raise UsageError(_("a total of 20 scores from 1 to 5 lies between 20 and 100, not {total}").format(total=total))


def score_for_share(share: float | None) -> int | None:
    """100% → 5, ≥ 90% → 4, ≥ 75% → 3, ≥ 50% → 2, less → 1 (maturity.md §1)."""
    if share is None:
        return None
    if share >= 1.0:
        return 5
    if share >= 0.9:
        return 4
    if share >= 0.75:
        return 3
    if share >= 0.5:
        return 2
    return 1


# The least evidence from which a score for statement 15 or 16 is proposed (this project's own; README).
# 15 asks that service level *stays* within 5% of target: a month or two cannot show that, so the data
# must cover at least half of the 12-month window (6 different months with a service-level target and data).
MIN_MONTHS_15 = 6
# 16 counts channel × metric verdicts of the rolling rule, each already judged over 12 months; at least two,
# so that one metric on one channel does not decide the score alone ("0 of 1 qualify" is no evidence of a
# level). Statuses that are no verdict (too little history, not measured) are shown but not counted.
MIN_VERDICTS_16 = 2
VERDICTS = ("compliant", "at_risk", "breached")


@dataclass
class Evidence:
    statement: int
    score: int | None
    qualifying: int
    cases: int
    rule: str
    rows: list[dict] = field(default_factory=list)
    thin: str | None = None   # why no score is proposed (too little evidence), in one line

    @property
    def share(self) -> float | None:
        return None if not self.cases else self.qualifying / self.cases

    @property
    def summary(self) -> str:
        """One line: the proposed score and its share, or why there is none."""
        if self.thin:
            return self.thin
        return _("proposed score {score}: {qualifying} of {cases} qualify ({share}%)").format(
            score=self.score, qualifying=self.qualifying, cases=self.cases, share=format_number(100 * self.share))


def statement_15(store: Store, as_of: str | None = None) -> Evidence:
    """Every channel × month of the last 12 complete months with a service-level target and data:
    qualifying when service level was met within a 5% tolerance. No score with data in fewer than
    MIN_MONTHS_15 different months."""

    as_of = as_of or last_complete_month()
    first = add_months(as_of, -11)
    book = TargetBook(list_targets(store))
    rows = []
    for r in kpis(store, "month", date_from=first, date_to=as_of, metrics=["service_level"]):
        t = book.in_force(r.channel, "service_level", r.period)
        if t is None or r.value is None:
            continue
        ok = r.value >= t.target * 0.95
        rows.append({"channel": r.channel, "month": r.period, "value": r.value, "target": t.target, "qualifies": ok})
    qualifying = sum(r["qualifies"] for r in rows)
    months = len({r["month"] for r in rows})
    thin = None
    if months < MIN_MONTHS_15:
        thin = _("too little evidence to propose a score: {channel_months} with a service-level target and data, "
                 "in {months} of the 12 months; at least {least} months needed").format(
            channel_months=ngettext("{n} channel-month", "{n} channel-months", len(rows)).format(n=len(rows)),
            months=months, least=MIN_MONTHS_15)
    rule = _("channel-months {first}…{last} with a service-level target and data, met within 5% of target; at least "
             "{least} different months needed").format(first=month_label(first), last=month_label(as_of),
                                                        least=MIN_MONTHS_15)
    return Evidence(15, None if thin else score_for_share(qualifying / len(rows)), qualifying, len(rows), rule,
                    rows, thin)


def statement_16(store: Store, as_of: str | None = None) -> Evidence:
    """Every channel × metric (volume, aht, fcr) with a target and a verdict of the rolling rule (compliant,
    at risk or breached): qualifying when compliant. No score with fewer than MIN_VERDICTS_16 verdicts."""

    as_of = as_of or last_complete_month()
    rows = []
    for c in compliance(store, as_of):
        if c.metric not in ("volume", "aht", "fcr"):
            continue
        counted = c.status in VERDICTS
        rows.append({"channel": c.channel, "metric": c.metric, "status": c.status, "months_met": c.months_met,
                     "months_in_window": c.months_in_window, "counted": counted,
                     "qualifies": (c.status == "compliant") if counted else None})
    cases = sum(r["counted"] for r in rows)
    qualifying = sum(bool(r["qualifies"]) for r in rows)
    thin = None
    if cases < MIN_VERDICTS_16:
        left_out = len(rows) - cases
        verdicts = ngettext("{n} channel × metric", "{n} channel × metrics", cases).format(n=cases)
        if left_out:
            thin = _("too little evidence to propose a score: {verdicts} with a verdict of the rolling rule "
                     "({left_out} more without one: too little history or not measured); at least {least} needed")
        else:
            thin = _("too little evidence to propose a score: {verdicts} with a verdict of the rolling rule; at least "
                     "{least} needed")
        thin = thin.format(verdicts=verdicts, left_out=left_out, least=MIN_VERDICTS_16)
    rule = _("channel × metric (volume, AHT, FCR) with a target and a verdict of the rolling rule as of {month}, "
             "compliant; at least {least} verdicts needed").format(month=month_label(as_of), least=MIN_VERDICTS_16)
    return Evidence(16, None if thin else score_for_share(qualifying / cases), qualifying, cases, rule, rows, thin)


def proposed_scores(store: Store, as_of: str | None = None) -> dict[int, Evidence]:
    return {15: statement_15(store, as_of), 16: statement_16(store, as_of)}


@dataclass
class Result:
    total: int
    stage: str                   # a stage code (its English name): shown with stage_name()
    sections: dict[str, float]   # section (English, shown with _()) → mean score
    next_stage: str | None
    steps: list[str]             # English, marked N_(): shown with _()
    key_metrics: list[str]       # metric ids, or an English name (N_()) of a measure this app does not compute


def unscored(scores: dict[int, int | None]) -> list[int]:
    """The statements without a score from 1 to 5 yet (missing, None or the page's "not scored")."""
    return [n for n in STATEMENTS if scores.get(n) not in (1, 2, 3, 4, 5)]


def assess(scores: dict[int, int]) -> Result:
    """Total, stage, per-section means and the steps to the next stage; every statement must be scored."""
    bad = [n for n, s in scores.items() if s is not None and s not in (1, 2, 3, 4, 5)]
    if bad:
        raise UsageError(_("scores are whole numbers from 1 to 5; check statements {numbers}").format(
            numbers=", ".join(map(str, bad))))
    missing = unscored(scores)
    if missing:
        raise UsageError(_("score every statement before the total and stage; {scored} of 20 scored, missing: "
                           "{missing}").format(scored=20 - len(missing), missing=", ".join(map(str, missing))))
    total = sum(scores[n] for n in STATEMENTS)
    stage = stage_for(total)
    names = [b[2] for b in BANDS]
    following = names[names.index(stage) + 1] if stage != names[-1] else None
    sections = {s: sum(scores[item[0]] for item in items) / len(items) for s, items in SECTIONS.items()}
    return Result(total, stage, sections, following, STAGES[stage]["next"], STAGES[stage]["key_metrics"])


def save_assessment(store: Store, name: str, scores: dict[int, int], assessed_on: dt.date | None = None) -> int:
    result = assess(scores)
    if not name.strip():
        raise UsageError(_("give the assessment a name (who assessed, or which site)"))
    with store.transaction():
        new_id = int(store.scalar("SELECT coalesce(max(assessment_id), 0) + 1 FROM assessments"))
        store.execute("INSERT INTO assessments VALUES (?, ?, ?, ?, ?, ?, now())",
                      [new_id, name.strip(), assessed_on or dt.date.today(),
                       json.dumps({str(k): v for k, v in sorted(scores.items())}), result.total, result.stage])
    return new_id


def assessments(store: Store):
    import pandas as pd  # not at the top (see cxmetrics/views.py)

    frame = store.df("SELECT assessment_id, name, assessed_on, total, stage, scores_json FROM assessments "
                     "ORDER BY assessed_on, assessment_id")
    scores = [json.loads(s) for s in frame["scores_json"]] if len(frame) else []
    for n in STATEMENTS:
        frame[f"s{n}"] = [s.get(str(n)) for s in scores] if scores else pd.Series(dtype="Int64")
    return frame.drop(columns=["scores_json"])
