"""The CX maturity self-assessment (../shared/spec/maturity.md): twenty statements, five stages.

Statements 15 and 16 are proposed from the data by this project's own rule; the stage bands are
this project's own too (the original scoring table was not available) and are labelled so.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import pandas as pd

from .compliance import compliance
from .errors import UsageError
from .kpis import kpis
from .months import add_months, last_complete_month
from .storage import Store
from .targets import TargetBook, list_targets

SECTIONS = {
    "A. Alignment with the organisation": [
        (1, "Alignment", "Contact-centre staff understand how service failures affect the whole organisation. "
                         "Management knows which functions, processes and actions are critical to its success."),
        (2, "Goals and objectives", "Operational, tactical and strategic goals shared by customer service and the "
                                    "company as a whole are defined and documented."),
        (3, "Stakeholder involvement", "All stakeholders can take part in setting the centre's goals and action "
                                       "plans; the centre regularly reports back on what it did at their request."),
        (4, "Resource allocation", "Resource needs and allocation follow the service-level targets and the "
                                   "organisation's goals, and are reviewed as the company or its customers change."),
    ],
    "B. People": [
        (5, "Customer satisfaction", "A complete customer-satisfaction programme is in place; its results are shared "
                                     "with staff, stakeholders and customers and used to improve continuously."),
        (6, "Customer-satisfaction reporting", "Customer-satisfaction reports are produced regularly."),
        (7, "Employee satisfaction", "Employee-satisfaction reports are produced regularly."),
    ],
    "C. Processes": [
        (8, "Operational plans", "Operational plans are updated regularly and reviewed at least once a year."),
        (9, "Event management", "Roles and duties in handling events (incidents, service requests…) are documented "
                                "and known; a contact-centre representative helps improve the process."),
        (10, "Feedback management", "The process for collecting feedback and tracking the actions taken on it is "
                                    "documented and reviewed regularly."),
        (11, "Service-level management", "Service-level targets and the agreements between key stakeholders are "
                                         "reviewed at least quarterly."),
        (12, "Continuous improvement", "Processes and procedures are defined, documented and reviewed regularly, and "
                                       "improved with stakeholders involved in good time."),
        (13, "Quality assurance", "The quality-assurance process is clearly defined and consistently followed; its "
                                  "results reach staff promptly and are one of the performance measures."),
        (14, "Workforce management (process)", "Workforce planning rests on formal methods for reaching service-level "
                                               "targets; it is documented, followed and reviewed at least yearly."),
    ],
    "D. Metrics": [
        (15, "Service level / response time", "Performance data are collected regularly, and service level or "
                                              "response time stays within 5% of target."),
        (16, "Contact measures: volume, AHT, FCR", "Performance reports are produced regularly. Targets are met or "
                                                   "beaten in at least 9 of the last 12 months."),
    ],
    "E. Technology": [
        (17, "Routing", "Routing is integrated with other systems such as workforce management, routes "
                        "automatically, gives real-time statistics and warns early when service level leaves its "
                        "target range."),
        (18, "Workforce management (system)", "The WFM system is integrated with other systems and combines workload, "
                                              "working time and service-level targets into an optimal schedule."),
        (19, "Omnichannel", "The centre supports all channels together in routing, analytics and so on."),
        (20, "Reporting", "The reporting system is integrated with the centre's other systems."),
    ],
}
STATEMENTS = {number: (section, title, text) for section, items in SECTIONS.items() for number, title, text in items}

# Stage bands: this project's own (see maturity.md §3).
BANDS = [(20, 36, "Customer-negligent"), (37, 52, "Customer-chaotic"), (53, 68, "Customer-aware"),
         (69, 84, "Customer-centric"), (85, 100, "Customer champion")]

STAGES = {
    "Customer-negligent": {
        "summary": "Customers are not seen as a vital asset.",
        "people": "Staff do not know the customer journey; engagement is low.",
        "processes": "The centre runs in survival mode, and nobody owns CX.",
        "technology": "Siloed tools, one channel, almost no reporting, no voice of the customer.",
        "key_metrics": ["cost per contact", "volume"],
        "next": ["Someone with real influence champions a single CX approach and drives the change; if nobody "
                 "inside can, bring in outside help."]},
    "Customer-chaotic": {
        "summary": "Leaders say customers matter, but actions lag.",
        "people": "Staff are measured on numbers unrelated to CX.",
        "processes": "A first voice-of-the-customer programme; several leaders own pieces such as CSAT; basic "
                     "reporting.",
        "technology": "PBX, a simple CRM and scheduling, each in isolation; much manual re-keying.",
        "key_metrics": ["aht", "volume"],
        "next": ["Give CX a single, central leadership.", "Let employees act as customer advocates.",
                 "Use voice-of-the-customer and customer-journey tools.",
                 "Collect customer feedback and record it carefully.",
                 "Integrate the critical systems, at least partly.", "Track NPS, CSAT and customer effort."]},
    "Customer-aware": {
        "summary": "Coordinated, central effort has begun.",
        "people": "Strong voice-of-customer and voice-of-employee programmes.",
        "processes": "CX shapes priorities; Lean, Six Sigma, ITIL or Agile are in use; reports include CX measures.",
        "technology": "The earlier tools are integrated, but still limit progress.",
        "key_metrics": ["fcr", "csat", "nps"],
        "next": ["Define a brand voice and share it with every unit.",
                 "Make customer and employee feedback the main driver of process improvement.",
                 "Apply CX process-improvement methods.", "Integrate systems so that information flows freely.",
                 "Track churn and other CX measures beside NPS, CSAT and customer effort."]},
    "Customer-centric": {
        "summary": "Customers' interests weigh in every important decision.",
        "people": "Hiring is for culture fit; staff are empowered.",
        "processes": "CX drives process improvement; reporting puts loyalty measures first.",
        "technology": "Fully integrated systems; intelligent routing; workload forecasting; layered analytics.",
        "key_metrics": ["csat", "nps", "ces", "churn_rate", "asa", "fcr"],
        "next": ["Appoint a senior executive for customers.", "Bring every new hire into the CX programme at once.",
                 "Gather customer and employee feedback consistently.",
                 "Track first-contact resolution, resolution time, and satisfaction by channel.",
                 "Use predictive analytics, AI and machine learning."]},
    "Customer champion": {
        "summary": "Customers are the main asset, and every channel works in concert.",
        "people": "High engagement and retention.",
        "processes": "CX is the key strategic factor and changes happen fast.",
        "technology": "An open, unified platform; predictive analytics, AI and ML.",
        "key_metrics": ["csat", "nps", "ces", "churn_rate", "asa", "fcr", "customer lifetime value"],
        "next": []},
}


def stage_for(total: int) -> str:
    for low, high, name in BANDS:
        if low <= total <= high:
            return name
    raise UsageError(f"a total of 20 scores from 1 to 5 lies between 20 and 100, not {total}")


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
TOO_LITTLE = "too little evidence to propose a score"


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
        return f"proposed score {self.score}: {self.qualifying} of {self.cases} qualify ({100 * self.share:.0f}%)"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


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
        thin = (f"{TOO_LITTLE}: {_plural(len(rows), 'channel-month', 'channel-months')} with a service-level "
                f"target and data, in {months} of the 12 months; at least {MIN_MONTHS_15} months needed")
    return Evidence(15, None if thin else score_for_share(qualifying / len(rows)), qualifying, len(rows),
                    f"channel-months {first}…{as_of} with a service-level target and data, met within 5% of "
                    f"target; at least {MIN_MONTHS_15} different months needed", rows, thin)


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
        thin = (f"{TOO_LITTLE}: {_plural(cases, 'channel × metric', 'channel × metrics')} with a verdict of the "
                f"rolling rule" + (f" ({left_out} more without one: too little history or not measured)"
                                   if left_out else "") + f"; at least {MIN_VERDICTS_16} needed")
    return Evidence(16, None if thin else score_for_share(qualifying / cases), qualifying, cases,
                    f"channel × metric (volume, AHT, FCR) with a target and a verdict of the rolling rule as of "
                    f"{as_of}, compliant; at least {MIN_VERDICTS_16} verdicts needed", rows, thin)


def proposed_scores(store: Store, as_of: str | None = None) -> dict[int, Evidence]:
    return {15: statement_15(store, as_of), 16: statement_16(store, as_of)}


@dataclass
class Result:
    total: int
    stage: str
    sections: dict[str, float]   # section → mean score
    next_stage: str | None
    steps: list[str]
    key_metrics: list[str]


def unscored(scores: dict[int, int | None]) -> list[int]:
    """The statements without a score from 1 to 5 yet (missing, None or the page's "not scored")."""
    return [n for n in STATEMENTS if scores.get(n) not in (1, 2, 3, 4, 5)]


def assess(scores: dict[int, int]) -> Result:
    """Total, stage, per-section means and the steps to the next stage; every statement must be scored."""
    bad = [n for n, s in scores.items() if s is not None and s not in (1, 2, 3, 4, 5)]
    if bad:
        raise UsageError(f"scores are whole numbers from 1 to 5; check statements {', '.join(map(str, bad))}")
    missing = unscored(scores)
    if missing:
        raise UsageError(f"score every statement before the total and stage; {20 - len(missing)} of 20 scored, "
                         f"missing: {', '.join(map(str, missing))}")
    total = sum(scores[n] for n in STATEMENTS)
    stage = stage_for(total)
    names = [b[2] for b in BANDS]
    following = names[names.index(stage) + 1] if stage != names[-1] else None
    sections = {s: sum(scores[n] for n, _, _ in items) / len(items) for s, items in SECTIONS.items()}
    return Result(total, stage, sections, following, STAGES[stage]["next"], STAGES[stage]["key_metrics"])


def save_assessment(store: Store, name: str, scores: dict[int, int], assessed_on: dt.date | None = None) -> int:
    result = assess(scores)
    if not name.strip():
        raise UsageError("give the assessment a name (who assessed, or which site)")
    with store.transaction():
        new_id = int(store.scalar("SELECT coalesce(max(assessment_id), 0) + 1 FROM assessments"))
        store.execute("INSERT INTO assessments VALUES (?, ?, ?, ?, ?, ?, now())",
                      [new_id, name.strip(), assessed_on or dt.date.today(),
                       json.dumps({str(k): v for k, v in sorted(scores.items())}), result.total, result.stage])
    return new_id


def assessments(store: Store):
    frame = store.df("SELECT assessment_id, name, assessed_on, total, stage, scores_json FROM assessments "
                     "ORDER BY assessed_on, assessment_id")
    scores = [json.loads(s) for s in frame["scores_json"]] if len(frame) else []
    for n in STATEMENTS:
        frame[f"s{n}"] = [s.get(str(n)) for s in scores] if scores else pd.Series(dtype="Int64")
    return frame.drop(columns=["scores_json"])
