"""Targets with history and precedence, month states, and the k-of-n rule (spec §4)."""
import pytest

from cxmetrics import ImportRefused, UsageError, import_file
from cxmetrics.compliance import compliance, rule_status
from cxmetrics.config import channel_settings, set_channels, set_setting
from cxmetrics.kpis import kpis
from cxmetrics.targets import (Target, TargetBook, export_targets, import_targets, list_targets, month_state,
                               replace_targets, set_target)

from .conftest import write


def test_channel_row_beats_star_and_latest_effective_from_applies():
    book = TargetBook([Target("*", "csat", 80.0), Target("voice", "csat", 70.0, 0, "2024-03"),
                       Target("*", "csat", 90.0, 0, "2024-05")])
    assert [book.in_force("voice", "csat", m).target for m in ("2024-02", "2024-03", "2024-06")] == [80.0, 70.0, 70.0]
    assert [book.in_force("chat", "csat", m).target for m in ("2024-04", "2024-05")] == [80.0, 90.0]
    assert book.in_force("chat", "nps", "2024-05") is None


@pytest.mark.parametrize("metric, value, target, tol, state", [
    ("service_level", 80.0, 80.0, 5.0, "met"),
    ("service_level", 76.0, 80.0, 5.0, "met_within_tolerance"),   # 80 × 0.95 = 76
    ("service_level", 75.9, 80.0, 5.0, "missed"),
    ("service_level", 79.9, 80.0, 0.0, "missed"),
    ("aht", 360.0, 360.0, 10.0, "met"),
    ("aht", 396.0, 360.0, 10.0, "met_within_tolerance"),          # 360 × 1.1 = 396
    ("aht", 396.5, 360.0, 10.0, "missed"),
    ("volume", 95.0, 100.0, 5.0, "met"),                          # a band: inside is simply met
    ("volume", 105.0, 100.0, 5.0, "met"),
    ("volume", 94.0, 100.0, 5.0, "missed"),
    ("volume", 106.0, 100.0, 5.0, "missed"),
    ("csat", None, 80.0, 0.0, "no_data"),
])
def test_month_states(metric, value, target, tol, state):
    assert month_state(metric, value, Target("*", metric, target, tol)) == state


def test_no_target_in_force_means_no_state():
    assert month_state("csat", 50.0, None) is None


def test_kpis_carry_the_target_in_force_and_its_state(store, tmp_path):
    import_file(store, write(tmp_path / "c.csv", "id,channel,queued_at,csat\n"
                             "1,voice,2024-02-10 10:00,5\n2,voice,2024-02-11 10:00,3\n"     # 50%
                             "3,voice,2024-03-10 10:00,4\n4,voice,2024-03-11 10:00,2\n"))   # 50%
    replace_targets(store, [Target("*", "csat", 80.0), Target("voice", "csat", 50.0, 0, "2024-03")])
    rows = {r.period: (r.value, r.target, r.state) for r in kpis(store, metrics=["csat"])}
    assert rows == {"2024-02": (50.0, 80.0, "missed"), "2024-03": (50.0, 50.0, "met")}
    set_target(store, "voice", "csat", 60, tolerance_pct=20, effective_from="2024-03")
    assert kpis(store, metrics=["csat"])[1].state == "met_within_tolerance"   # 50 ≥ 60 × 0.8


def test_targets_csv_round_trip_and_validation(store, tmp_path):
    text = export_targets(store)
    assert text.splitlines()[0] == "channel,metric,target,tolerance_pct,effective_from"
    path = write(tmp_path / "t.csv", "channel,metric,target,tolerance_pct,effective_from\n"
                 "voice,service_level,80,5,\nvoice,service_level,85,5,2025-01\n*,csat,75,0,\n")
    assert import_targets(store, path) == 3
    assert list_targets(store) == [Target("*", "csat", 75.0, 0.0, None),
                                   Target("voice", "service_level", 80.0, 5.0, None),
                                   Target("voice", "service_level", 85.0, 5.0, "2025-01")]
    assert export_targets(store).splitlines()[1:] == ["*,csat,75,0,", "voice,service_level,80,5,",
                                                      "voice,service_level,85,5,2025-01"]
    bad = write(tmp_path / "bad.csv", "channel,metric,target,tolerance_pct,effective_from\n"
                "voice,speed,80,0,\nchat,csat,-1,0,\nchat,csat,80,0,2025-13\n")
    with pytest.raises(ImportRefused) as err:
        import_targets(store, bad)
    assert [(p.row, p.reason.split(";")[0]) for p in err.value.problems] == [
        (2, "unknown metric 'speed' for a target"),
        (3, "target for chat/csat cannot be negative"),
        (4, "effective_from '2025-13' is not a month: write YYYY-MM, or leave it empty for 'always'")]
    assert len(list_targets(store)) == 3   # unchanged
    wrong_header = write(tmp_path / "h.csv", "channel,metric,target\nvoice,csat,80\n")
    with pytest.raises(ImportRefused, match="header must be exactly"):
        import_targets(store, wrong_header)


def test_rule_status_thresholds():
    assert [rule_status(m, 9, 12) for m in range(6)] == ["compliant", "compliant", "compliant", "at_risk",
                                                         "breached", "breached"]
    assert [rule_status(m, 10, 12) for m in range(4)] == ["compliant", "compliant", "at_risk", "breached"]


def _history(channel, months, outcome):
    """One contact a month: 'met' answered at once, 'miss' answered after a day, '-' no contact."""
    lines = []
    for i, month in enumerate(months):
        kind = outcome[i]
        if kind == "-":
            continue
        wait = 1 if kind == "met" else 100000
        lines.append(f"{channel}-{month},{channel},{month}-15 10:00,answered,{wait}")
    return lines


MONTHS_14 = [f"2023-{m:02d}" for m in (11, 12)] + [f"2024-{m:02d}" for m in range(1, 13)]


def test_rolling_rule_one_history_per_status(store, tmp_path):
    met = ["met"] * 14
    compliant = met[:5] + ["miss"] + met[6:9] + ["-"] + met[10:]          # 2 misses in the window
    at_risk = met[:3] + ["miss"] * 2 + met[5:8] + ["miss"] + met[9:]       # 3 misses in the window
    breached = ["miss"] * 3 + met[3:6] + ["miss", "miss"] + met[8:11] + ["miss", "-", "met"]  # 5 misses
    late_start = ["-"] * 4 + met[4:7] + ["miss"] + met[8:]                  # first data 2024-03
    lines = ["id,channel,queued_at,status,wait_seconds"]
    for channel, outcome in (("voice", compliant), ("chat", at_risk), ("video", breached),
                             ("messaging", late_start)):
        lines += _history(channel, MONTHS_14, outcome)
    import_file(store, write(tmp_path / "h.csv", "\n".join(lines) + "\n"))
    replace_targets(store, [Target("*", "service_level", 80.0)])
    rows = {r.channel: r for r in compliance(store, "2024-12")}
    summary = {c: (r.window_start, r.months_met, r.months_with_data, r.months_in_window, r.status,
                   r.flagged_months) for c, r in rows.items()}
    assert summary == {
        "voice": ("2024-01", 10, 11, 12, "compliant", ["2024-04", "2024-08"]),
        "chat": ("2024-01", 9, 12, 12, "at_risk", ["2024-02", "2024-03", "2024-07"]),
        "video": ("2024-01", 7, 11, 12, "breached", ["2024-01", "2024-05", "2024-06", "2024-10", "2024-11"]),
        "messaging": ("2024-01", 9, 10, 10, "insufficient_history", ["2024-06"]),
    }
    assert [c.state for c in rows["messaging"].cells[:2]] == [None, None]   # before its first month
    set_setting(store, "rule_k", "10")
    assert compliance(store, "2024-12", ["voice"])[0].status == "at_risk"


def test_months_without_a_target_in_force_are_left_out(store, tmp_path):
    lines = ["id,channel,queued_at,status,wait_seconds"] + _history("voice", MONTHS_14, ["miss"] * 14)
    import_file(store, write(tmp_path / "h.csv", "\n".join(lines) + "\n"))
    replace_targets(store, [Target("voice", "service_level", 80.0, 0, "2024-10")])
    row = compliance(store, "2024-12")[0]
    assert (row.months_in_window, row.months_met, row.status, row.flagged_months) == (
        3, 0, "at_risk", ["2024-10", "2024-11", "2024-12"])   # months with no target do not count as misses


def test_compliance_bad_month_is_a_usage_error(store):
    with pytest.raises(UsageError):
        compliance(store, "2024-13")


def test_channel_settings_are_saved_together_or_not_at_all(store):
    """The Targets page saves every channel row at once: one invalid row leaves every channel as it was."""
    before = channel_settings(store)
    rows = [dict(r) for r in before]
    rows[0]["sl_threshold_s"] = 30.0            # voice: a valid change …
    rows[1]["sl_formula"] = "abandons_sometimes"  # chat: … and an invalid one
    with pytest.raises(UsageError, match="sl_formula must be one of"):
        set_channels(store, rows)
    assert channel_settings(store) == before
    rows[1]["sl_formula"] = "abandons_ignored"
    set_channels(store, rows)
    after = {r["channel"]: r for r in channel_settings(store)}
    assert after["voice"]["sl_threshold_s"] == 30.0 and after["chat"]["sl_formula"] == "abandons_ignored"
