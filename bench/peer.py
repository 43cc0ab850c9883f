"""The peer: what a competent analyst would write with pandas instead of cxmetrics.

pandas `read_csv` with the pyarrow engine, group-bys, and the repeat-contact FCR with a shift.
It computes the same monthly KPI table for the generated data (all contacts inbound, time zone
UTC, the spec's default channel settings) so the bench can check that both agree.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

SL_THRESHOLD = {"voice": 20, "video": 20, "chat": 60, "messaging": 300, "social": 3600, "email": 86400,
                "back_office": 172800}
SHORT_ABANDON = {"voice": 5, "video": 5, "chat": 5}
FCR_WINDOW = pd.Timedelta(days=7)
CHURN_WINDOW = pd.Timedelta(days=30)


def read_contacts(path) -> pd.DataFrame:
    df = pd.read_csv(path, engine="pyarrow")
    df["queued_at"] = pd.to_datetime(df["queued_at"])
    return df


def read_customers(path) -> pd.DataFrame:
    customers = pd.read_csv(path, engine="pyarrow")
    customers["churned_on"] = pd.to_datetime(customers["churned_on"])
    return customers


def kpi_table(df: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """One row per month × channel with value and n for each targeted metric (spec §3)."""
    d = pd.DataFrame({"channel": df["channel"], "month": df["queued_at"].dt.strftime("%Y-%m")})
    answered = df["status"].eq("Answered")
    abandoned = df["status"].eq("Abandoned")
    wait = df["wait_seconds"]
    parts = df[["talk_seconds", "hold_seconds", "wrap_seconds"]]
    handle = parts.fillna(0).sum(axis=1).where(parts.notna().any(axis=1))
    threshold = df["channel"].map(SL_THRESHOLD).fillna(86400)
    short_limit = df["channel"].map(SHORT_ABANDON).fillna(0)
    known_wait = wait.notna()
    d["offered"] = 1
    d["answered"] = answered
    d["abandoned"] = abandoned
    d["short"] = abandoned & known_wait & (wait < short_limit)
    d["answered_within"] = answered & known_wait & (wait <= threshold)
    d["answered_unknown_wait"] = answered & ~known_wait
    d["wait_sum"] = wait.where(answered & known_wait)
    d["wait_n"] = answered & known_wait
    d["handle_sum"] = handle.where(answered & handle.notna())
    d["handle_n"] = answered & handle.notna()
    d["resolved_any"] = df["resolved"].notna()
    d["resolved_n"] = answered & df["resolved"].notna()
    d["resolved_yes"] = answered & df["resolved"].eq("Y")

    # Repeat-contact FCR: the next inbound contact of the same customer strictly later, via shift.
    with_customer = df.loc[df["customer_id"].notna(), ["customer_id", "queued_at"]]
    times = with_customer.drop_duplicates().sort_values(["customer_id", "queued_at"])
    times["next_at"] = times.groupby("customer_id")["queued_at"].shift(-1)
    nxt = df[["customer_id", "queued_at"]].merge(times, how="left", on=["customer_id", "queued_at"])["next_at"]
    nxt.index = df.index
    latest = df["queued_at"].max()
    known = answered & df["customer_id"].notna() & ~(df["queued_at"] + FCR_WINDOW > latest)
    d["repeat_n"] = known
    d["repeat_yes"] = known & (nxt.isna() | (nxt - df["queued_at"] > FCR_WINDOW))

    d["csat_n"] = df["csat"].notna()
    d["csat_top2"] = df["csat"] >= 4
    d["nps_n"] = df["nps"].notna()
    d["nps_net"] = (df["nps"] >= 9).astype(int) - (df["nps"] <= 6).astype(int)
    d["ces_sum"] = df["ces"]
    d["ces_n"] = df["ces"].notna()
    g = d.groupby(["month", "channel"]).sum(min_count=0)

    # Churn after contact: distinct customers, churned within the window after one of their contacts.
    c = df.loc[df["customer_id"].notna(), ["customer_id", "queued_at"]].assign(
        month=d["month"], channel=df["channel"])
    c = c.merge(customers, on="customer_id", how="left")
    day = c["queued_at"].dt.normalize()
    c["churned"] = (c["churned_on"] > day) & (c["churned_on"] <= day + CHURN_WINDOW)
    churn_n = c.groupby(["month", "channel"])["customer_id"].nunique()
    churn_yes = c[c["churned"]].groupby(["month", "channel"])["customer_id"].nunique()

    out = pd.DataFrame(index=g.index)

    def ratio(name, numerator, denominator, scale=100.0):
        out[name] = np.where(denominator > 0, scale * numerator / denominator.where(denominator > 0), np.nan)
        out[name + "_n"] = denominator

    out["volume"] = g["offered"].astype(float)
    out["volume_n"] = g["offered"]
    ratio("service_level", g["answered_within"], g["offered"] - g["short"] - g["answered_unknown_wait"])
    ratio("abandon_rate", g["abandoned"] - g["short"], g["offered"] - g["short"])
    ratio("asa", g["wait_sum"], g["wait_n"], 1.0)
    ratio("aht", g["handle_sum"], g["handle_n"], 1.0)
    explicit = g["resolved_any"] > 0
    ratio("fcr", g["resolved_yes"].where(explicit, g["repeat_yes"]), g["resolved_n"].where(explicit, g["repeat_n"]))
    ratio("csat", g["csat_top2"], g["csat_n"])
    ratio("nps", g["nps_net"], g["nps_n"])
    ratio("ces", g["ces_sum"], g["ces_n"], 1.0)
    ratio("churn_rate", churn_yes.reindex(g.index).fillna(0), churn_n.reindex(g.index).fillna(0))
    return out


METRICS = ("volume", "service_level", "abandon_rate", "asa", "aht", "fcr", "csat", "nps", "ces", "churn_rate")


def compare(peer: pd.DataFrame, ours: list) -> int:
    """Assert every (month, channel, metric) value and n agree; returns how many were compared."""
    ours_by = {(r.period, r.channel, r.metric): r for r in ours}
    compared = 0
    for (month, channel), row in peer.iterrows():
        for metric in METRICS:
            mine = ours_by[(month, channel, metric)]
            theirs, n = row[metric], int(row[metric + "_n"])
            assert mine.n == n, (month, channel, metric, mine.n, n)
            if np.isnan(theirs):
                assert mine.value is None, (month, channel, metric, mine.value)
            else:
                assert abs(mine.value - theirs) <= 1e-9 * max(1.0, abs(theirs)), (month, channel, metric,
                                                                                   mine.value, theirs)
            compared += 1
    assert compared == len([k for k in ours_by if k[2] in METRICS]), "the two tables cover different cells"
    return compared
