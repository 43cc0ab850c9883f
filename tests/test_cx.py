"""NPS structure, closed-loop follow-up, early warning, and the maturity self-assessment (issue 8)."""
import datetime as dt

import pytest

from cxmetrics import ImportOptions, Store, import_file
from cxmetrics.early_warning import alerts, paces, required_value
from cxmetrics.followup import cases, export_csv, overdue_count, set_case
from cxmetrics.errors import UsageError
from cxmetrics.metrics import METRICS
from cxmetrics.maturity import (MIN_MONTHS_15, MIN_VERDICTS_16, assess, save_assessment, score_for_share,
                                stage_for, statement_15, statement_16, unscored)
from cxmetrics.targets import Target, replace_targets
from cxmetrics.views import satisfaction

from .conftest import run_cli, write


def test_nps_structure_response_rate_and_csat_distribution(store, tmp_path):
    path = write(tmp_path / "s.csv", "id,channel,queued_at,status,nps,csat,ces\n"
                 "1,chat,2024-01-03 10:00,answered,10,5,7\n2,chat,2024-01-03 11:00,answered,9,5,6\n"
                 "3,chat,2024-01-04 10:00,answered,8,4,\n4,chat,2024-01-04 11:00,answered,7,2,\n"
                 "5,chat,2024-01-05 10:00,answered,6,,\n6,chat,2024-01-05 11:00,answered,0,,\n"
                 "7,chat,2024-01-06 10:00,answered,,,\n8,chat,2024-01-06 11:00,answered,,,\n"
                 "9,chat,2024-01-06 12:00,abandoned,,,\n10,email,2024-01-07 09:00,answered,,,\n")
    import_file(store, path)
    data = satisfaction(store, "2024-01", "2024-01")
    shares = {(r.group): (r.value, r.n) for r in data.structure.itertuples() if r.channel == "chat"}
    assert shares == {"Promoters (9–10)": (100.0 * 2 / 6, 6), "Passives (7–8)": (100.0 * 2 / 6, 6),
                      "Detractors (0–6)": (100.0 * 2 / 6, 6)}
    chat = data.responses[data.responses["Channel"] == "Chat"].iloc[0]
    label = {m: METRICS[m].label for m in ("handled", "responses", "response_rate", "csat", "nps", "ces")}
    assert (chat[label["handled"]], chat[label["responses"]], chat[label["response_rate"]]) == (
        "8", "6", "75.0%")  # 6 of 8 handled
    assert (chat[label["csat"]], chat[label["nps"]], chat[label["ces"]]) == ("75.0%", "0.0", "6.50")
    dist = data.csat_distribution
    assert dist[["score", "responses"]].values.tolist() == [[2, 1], [4, 1], [5, 2]]
    assert list(dist["share"]) == [25.0, 25.0, 50.0]
    assert data.not_measured == ["email"]


def test_follow_up_statuses_survive_a_reimport(store, tmp_path):
    path = write(tmp_path / "f.csv", "id,channel,queued_at,customer_id,nps,csat,ces\n"
                 "a,voice,2024-02-01 10:00,K1,3,,\nb,voice,2024-02-02 10:00,K2,9,5,6\n"
                 "c,chat,2024-02-03 10:00,K3,,2,\nd,chat,2024-02-04 10:00,K4,,,2\n")
    import_file(store, path)
    open_cases = cases(store, "2024-02", "2024-02", today=dt.date(2024, 2, 10))
    assert list(open_cases["contact_id"]) == ["d", "c", "a"]
    assert list(open_cases["age_days"]) == [6, 7, 9]
    assert list(open_cases["overdue"]) == [False, False, True]   # open and older than 7 days
    day_12 = dt.date(2024, 2, 12)                                  # a, c (9 days) and d (8) are overdue
    assert overdue_count(store, day_12) == 3 and overdue_count(store, dt.date(2024, 2, 10)) == 1
    set_case(store, "default", "d", "open", "left a message")      # still open: still overdue
    assert overdue_count(store, day_12) == 3
    set_case(store, "default", "a", "contacted", "called back, refund agreed")
    assert overdue_count(store, day_12) == 2                       # a case in hand is not overdue
    set_case(store, "default", "c", "resolved")
    import_file(store, path, ImportOptions(force=True))           # the same period again
    after = cases(store, "2024-02", "2024-02", today=dt.date(2024, 2, 10)).set_index("contact_id")
    assert after.loc["a", ["status", "note"]].tolist() == ["contacted", "called back, refund agreed"]
    assert after.loc["c", "status"] == "resolved" and after.loc["d", "status"] == "open"
    assert list(cases(store, status="open", older_than=5, today=dt.date(2024, 2, 10))["contact_id"]) == ["d"]
    assert overdue_count(store, day_12) == 1 == int(cases(store, today=day_12)["overdue"].sum())
    csv_text = export_csv(after.reset_index())
    assert csv_text.splitlines()[0].startswith("contact_id,source,customer_id")


def test_follow_up_export_is_safe_for_excel(store, tmp_path):
    path = write(tmp_path / "x.csv", 'id,channel,queued_at,agent,nps\nz,voice,2024-02-01 10:00,"=cmd|\' /C calc\'!A0",1\n')
    import_file(store, path)
    text = export_csv(cases(store))
    assert "'=cmd" in text and ",=cmd" not in text


def test_required_rate_arithmetic():
    # 70 of 100 within so far; 200 more expected; 80% target: (0.8·300 − 70) ÷ 200 = 85%
    assert required_value("higher", 70.0, 100, 80.0, 200) == pytest.approx(85.0)
    assert required_value("higher", 10.0, 100, 80.0, 20) == pytest.approx(430.0)   # impossible
    assert required_value("lower", 8.0, 100, 5.0, 100) == pytest.approx(2.0)        # abandonment
    assert required_value("higher", 70.0, 100, 80.0, 0) is None


EARLY = ("id,channel,queued_at,status,wait_seconds\n"
         + "".join(f"v{i},voice,2024-03-{1 + i % 10:02d} 10:{i % 60:02d},answered,{5 if i < 70 else 60}\n"
                   for i in range(100))                       # March 1–10: 70 of 100 within 20 s
         + "".join(f"y{i},voice,2023-03-{11 + i % 20:02d} 10:{i % 60:02d},answered,5\n"
                   for i in range(200))                       # last year, 11–31 March: 200 contacts
         + "".join(f"c{i},chat,2024-03-{1 + i % 10:02d} 11:{i % 60:02d},answered,{5 if i < 2 else 500}\n"
                   for i in range(20))                        # chat: 2 of 20 within 60 s
         + "".join(f"d{i},chat,2024-02-{12 + i % 17:02d} 11:{i % 60:02d},answered,5\n"
                   for i in range(8)))                        # chat: 28 contacts in the 28 days to 10 March


def test_early_warning_required_rate_and_impossible(store, tmp_path):
    import_file(store, write(tmp_path / "e.csv", EARLY))
    replace_targets(store, [Target("*", "service_level", 80.0)])
    by_channel = {p.channel: p for p in paces(store, dt.date(2024, 3, 10)) if p.metric == "service_level"}
    voice = by_channel["voice"]
    assert (voice.value, voice.n, voice.remaining_contacts, voice.remaining_basis) == (
        70.0, 100, 200.0, "same month last year")
    assert voice.required == pytest.approx(85.0) and not voice.impossible
    chat = by_channel["chat"]
    assert chat.remaining_basis == "recent daily average" and chat.remaining_contacts == pytest.approx(21.0)
    # (0.8 × 41 − 2) ÷ 21 = 146.7%: no longer possible
    assert chat.required == pytest.approx((0.8 * 41 - 2) / 21 * 100) and chat.impossible
    texts = [a.text for a in alerts(store, dt.date(2024, 3, 10))]
    assert "Voice service level needs ≥ 85.0% on about 200 remaining contacts to meet 80.0% (70.0% so far)." in texts
    assert any(t.startswith("Chat service level can no longer meet 80.0% this month") for t in texts)


def test_check_exit_codes(tmp_path):
    db = tmp_path / "c.duckdb"
    run_cli("import", write(tmp_path / "e.csv", EARLY), db=db)
    run_cli("targets", "import", write(tmp_path / "t.csv", "channel,metric,target,tolerance_pct,effective_from\n"
                                       "*,service_level,80,0,\n"), db=db)
    behind = run_cli("check", "--as-of", "2024-03-10", db=db)
    assert behind.returncode == 1 and "[behind] Voice service level needs" in behind.stdout
    run_cli("targets", "import", write(tmp_path / "t2.csv", "channel,metric,target,tolerance_pct,effective_from\n"
                                       "*,service_level,5,0,\n"), db=db)
    calm = run_cli("check", "--as-of", "2024-03-10", db=db)
    assert calm.returncode == 0 and calm.stdout.strip() == "no alerts"
    assert run_cli("check", "--as-of", "10/03/2024", db=db).returncode == 2


def _maturity_contacts(months, channels=("voice",), fcr=True) -> str:
    """Ten answered contacts per channel-month; the service level, AHT and FCR of test_statement_15_and_16."""
    lines = ["id,channel,queued_at,status,wait_seconds,talk_seconds" + (",resolved" if fcr else "")]
    sl = {"2024-03": 30, "2024-07": 19}   # waits: 30 s misses 20 s; 19 s is within
    for channel in channels:
        for month in months:
            for i in range(10):
                wait = 5 if i < 8 else sl.get(month, 5)           # 80% or 100% within
                if month == "2024-05":
                    wait = 5 if i < 7 else 30                      # 70%: below 80 × 0.95 = 76
                resolved = ",Y" if i < (5 if month in ("2024-02", "2024-04", "2024-08", "2024-10") else 8) else ",N"
                lines.append(f"{channel}{month}-{i},{channel},{month}-1{i % 9} 10:00,answered,{wait},"
                             f"{300 if month != '2024-09' else 900}" + (resolved if fcr else ""))
    return "\n".join(lines) + "\n"


def test_statement_15_and_16_from_known_target_history(store, tmp_path):
    months = [f"2024-{m:02d}" for m in range(1, 13)]
    import_file(store, write(tmp_path / "m.csv", _maturity_contacts(months)))
    replace_targets(store, [Target("voice", "service_level", 80.0), Target("voice", "aht", 360.0, 0, "2024-06"),
                            Target("voice", "fcr", 70.0)])
    s15 = statement_15(store, "2024-12")
    # 12 channel-months with a target and data; May (70% < 76%) is the only one outside 5% of target
    assert (s15.qualifying, s15.cases, s15.score, s15.thin) == (11, 12, 4, None)
    assert [r["month"] for r in s15.rows if not r["qualifies"]] == ["2024-05"]
    s16 = statement_16(store, "2024-12")
    # aht: target from June; September missed → 1 miss of 7 counted months: compliant.
    # fcr: 50% in four months (< 70%) → 4 misses of 12: breached. 1 of 2 verdicts → 50% → 2.
    assert {(r["metric"], r["status"]) for r in s16.rows} == {("aht", "compliant"), ("fcr", "breached")}
    assert (s16.qualifying, s16.cases, s16.score, s16.thin) == (1, 2, 2, None)
    assert s16.summary == "proposed score 2: 1 of 2 qualify (50%)"


def test_statements_15_and_16_propose_nothing_from_thin_evidence(store, tmp_path):
    """Too little evidence: no score (not 1 from "0 of 1"), and one line saying why."""
    assert (MIN_MONTHS_15, MIN_VERDICTS_16) == (6, 2)
    # Two channels over three months: six channel-months, but only 3 of the 12 months.
    import_file(store, write(tmp_path / "a.csv", _maturity_contacts(["2024-10", "2024-11", "2024-12"],
                                                                    channels=("voice", "chat"))))
    replace_targets(store, [Target("*", "service_level", 80.0), Target("*", "aht", 360.0),
                            Target("*", "fcr", 70.0)])
    s15 = statement_15(store, "2024-12")
    assert (s15.cases, s15.score) == (6, None)
    assert s15.thin == ("too little evidence to propose a score: 6 channel-months with a service-level target and "
                        "data, in 3 of the 12 months; at least 6 months needed")
    assert s15.summary == s15.thin and s15.share == 1.0
    s16 = statement_16(store, "2024-12")
    # Data from October only: every channel × metric has too little history, none is a verdict.
    assert {r["status"] for r in s16.rows} == {"insufficient_history"}
    assert (s16.qualifying, s16.cases, s16.score, s16.share) == (0, 0, None, None)
    assert all(r["counted"] is False and r["qualifies"] is None for r in s16.rows)
    assert s16.thin == ("too little evidence to propose a score: 0 channel × metrics with a verdict of the rolling "
                        "rule (4 more without one: too little history or not measured); at least 2 needed")


def test_statement_16_counts_only_verdicts(store, tmp_path):
    """A metric never measured (no FCR column) is no verdict: 1 verdict of the 2 rows is too little."""
    months = [f"2024-{m:02d}" for m in range(1, 13)]
    import_file(store, write(tmp_path / "m.csv", _maturity_contacts(months, fcr=False)))
    replace_targets(store, [Target("voice", "service_level", 80.0), Target("voice", "aht", 360.0, 0, "2024-06"),
                            Target("voice", "fcr", 70.0)])
    s16 = statement_16(store, "2024-12")
    assert {(r["metric"], r["status"], r["counted"]) for r in s16.rows} == {("aht", "compliant", True),
                                                                             ("fcr", "not_measured", False)}
    assert (s16.qualifying, s16.cases, s16.score) == (1, 1, None)
    assert s16.thin.endswith("1 channel × metric with a verdict of the rolling rule (1 more without one: too "
                             "little history or not measured); at least 2 needed")
    # Statement 15 has the full year: its score stands.
    assert statement_15(store, "2024-12").score == 4


def test_partial_scores_give_no_total_and_cannot_be_saved(store):
    scores = {n: 3 for n in range(1, 19)}
    scores[5] = None
    assert unscored(scores) == [5, 19, 20]
    with pytest.raises(UsageError, match="17 of 20 scored, missing: 5, 19, 20"):
        assess(scores)
    with pytest.raises(UsageError, match="missing: 5, 19, 20"):
        save_assessment(store, "Ops", scores)
    assert store.scalar("SELECT count(*) FROM assessments") == 0
    with pytest.raises(UsageError, match="whole numbers from 1 to 5"):
        assess({n: 6 if n == 2 else 3 for n in range(1, 21)})
    full = {n: 3 for n in range(1, 21)}
    assert unscored(full) == [] and assess(full).stage == "Customer-aware"
    assert save_assessment(store, "Ops", full) == 1


@pytest.mark.parametrize("total, stage", [(20, "Customer-negligent"), (36, "Customer-negligent"),
                                          (37, "Customer-chaotic"), (52, "Customer-chaotic"),
                                          (53, "Customer-aware"), (68, "Customer-aware"), (69, "Customer-centric"),
                                          (84, "Customer-centric"), (85, "Customer champion"),
                                          (100, "Customer champion")])
def test_stage_bands_at_their_edges(total, stage):
    assert stage_for(total) == stage


def test_assessment_total_sections_and_next_steps():
    scores = {n: 2 for n in range(1, 21)}
    scores.update({15: 5, 16: 4, 1: 1})
    result = assess(scores)
    assert result.total == 2 * 17 + 5 + 4 + 1 == 44
    assert result.stage == "Customer-chaotic" and result.next_stage == "Customer-aware"
    assert result.sections["D. Metrics"] == 4.5 and result.sections["A. Alignment with the organisation"] == 1.75
    assert result.steps[0] == "Give CX a single, central leadership."
    assert [score_for_share(s) for s in (1.0, 0.9, 0.89, 0.75, 0.5, 0.49, None)] == [5, 4, 3, 3, 2, 1, None]


def test_check_exit_code_when_the_check_itself_fails(tmp_path):
    """cron and CI tell "alerts" (1) from "the check failed" (3 or more): a file that is no store exits 3."""
    broken = tmp_path / "not_a_store.duckdb"
    broken.write_bytes(b"this is not a DuckDB database" * 100)
    failed = run_cli("check", db=broken)
    assert failed.returncode == 3, (failed.returncode, failed.stderr)
    assert failed.stderr.startswith("error: ") and "Traceback" not in failed.stderr
    Store(tmp_path / "fresh.duckdb").close()  # a store there: a read command refuses a --db with none
    usage = run_cli("check", "--as-of", "2024-13-40", db=tmp_path / "fresh.duckdb")
    assert usage.returncode == 2 and "--as-of '2024-13-40': write a day as YYYY-MM-DD" in usage.stderr
