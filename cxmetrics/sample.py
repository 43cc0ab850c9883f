"""A deterministic, realistic sample data set (`python -m cxmetrics sample`).

Seven channels with seasonality and weekday/hour patterns, waits that drive abandons,
surveys on about 15% of answered contacts, customers who contact again, a customers file
with churn dates, and a few months of poor service so that targets are missed.
"""
from __future__ import annotations

import csv
import datetime as dt
import math
import random
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: pyarrow is imported where used (README "Architecture")
    import pyarrow.csv as pacsv

from .errors import AlreadyImported
from .ingest import ImportOptions, ImportReport, import_file
from .months import add_months, month_end, month_range, month_start
from .storage import Store

CHANNEL_PLAN = {
    # share of volume, mean wait (s), talk (s), hold (s), wrap (s), queues
    "voice": (0.40, 11.0, 260, 25, 45, ["Billing", "Technical support", "Sales"]),
    "chat": (0.20, 30.0, 520, 0, 30, ["Billing", "Technical support"]),
    "email": (0.14, 30000.0, 360, 0, 60, ["General"]),
    "messaging": (0.10, 150.0, 420, 0, 20, ["WhatsApp", "Telegram"]),
    "social": (0.05, 1500.0, 300, 0, 30, ["Public mentions"]),
    "video": (0.04, 9.0, 360, 20, 45, ["Premium"]),
    "back_office": (0.07, 60000.0, 900, 0, 0, ["Claims", "Refunds"]),
}
AGENTS = ["Anna", "Boris", "Chen", "Diana", "Elif", "Farid", "Greta", "Hugo", "Irina", "Jamal", "Kira",
          "Lukas", "Maya", "Nils", "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tanya"]
TEAMS = ["Team North", "Team South", "Team East"]
HOUR_WEIGHTS = [0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 2.0, 4.5, 6.5, 7.0, 6.6, 5.5, 6.0, 6.6, 6.2, 5.4, 4.2,
                3.0, 2.2, 1.6, 1.0, 0.6, 0.4]
WEEKDAY_WEIGHTS = [1.25, 1.1, 1.05, 1.0, 0.95, 0.55, 0.4]
CONTACT_HEADER = ["contact_id", "channel", "queued_at", "status", "wait_seconds", "talk_seconds", "hold_seconds",
                  "wrap_seconds", "customer_id", "resolved", "csat", "nps", "ces", "queue", "team", "agent"]


def _months(end_month: str, count: int) -> list[dt.date]:
    """The first days of the `count` months ending with end_month."""
    return [month_start(m).date() for m in month_range(add_months(end_month, 1 - count), end_month)]


def _days_in(month: dt.date) -> int:
    return month_end(month).day


def generate(months: int = 24, contacts_per_month: int = 1000, seed: int = 7, end_month: str = "2026-10"):
    """(contact rows, customer rows), fully determined by the arguments."""
    rng = random.Random(seed)
    month_list = _months(end_month, months)
    customers = [f"C{n:05d}" for n in range(1, max(50, 4 * contacts_per_month) + 1)]
    weights = [1.0 / (i + 1) ** 0.3 for i in range(len(customers))]  # some customers contact often
    # Poor-service months: waits triple in voice and chat, CSAT drops.
    bad = {month_list[i] for i in range(len(month_list)) if i % 7 == 5}
    rows = []
    seq = 0
    for index, month in enumerate(month_list):
        season = 1 + 0.18 * math.sin(2 * math.pi * (month.month - 3) / 12) + 0.01 * index
        volume = int(contacts_per_month * season)
        days = _days_in(month)
        day_weights = [WEEKDAY_WEIGHTS[(month + dt.timedelta(d)).weekday()] for d in range(days)]
        for _ in range(volume):
            seq += 1
            channel = rng.choices(list(CHANNEL_PLAN), [p[0] for p in CHANNEL_PLAN.values()])[0]
            _, mean_wait, talk, hold, wrap, queues = CHANNEL_PLAN[channel]
            if month in bad and channel in ("voice", "chat", "video"):
                mean_wait *= 3.2
            day = rng.choices(range(days), day_weights)[0]
            hour = rng.choices(range(24), HOUR_WEIGHTS)[0] if channel != "email" else rng.randrange(24)
            queued = dt.datetime(month.year, month.month, 1) + dt.timedelta(
                days=day, hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60))
            wait = rng.expovariate(1 / mean_wait)
            patience = rng.expovariate(1 / (CHANNEL_PLAN[channel][1] * 22.0))
            abandoned = wait > patience and channel not in ("email", "back_office")
            customer = rng.choices(customers, weights)[0] if rng.random() < 0.9 else ""
            row = {
                "contact_id": f"S{seq:07d}", "channel": channel, "queued_at": queued,
                "status": "Abandoned" if abandoned else "Answered",
                "wait_seconds": round(patience if abandoned else wait), "talk_seconds": "", "hold_seconds": "",
                "wrap_seconds": "", "customer_id": customer, "resolved": "", "csat": "", "nps": "", "ces": "",
                "queue": rng.choice(queues), "team": rng.choice(TEAMS), "agent": "",
            }
            if not abandoned:
                row["talk_seconds"] = round(rng.lognormvariate(math.log(talk), 0.45))
                row["hold_seconds"] = round(rng.expovariate(1 / hold)) if hold and rng.random() < 0.3 else 0
                row["wrap_seconds"] = round(rng.uniform(0.5, 1.5) * wrap)
                row["agent"] = rng.choice(AGENTS)
                if channel == "back_office":
                    row["resolved"] = "Y" if rng.random() < 0.82 else "N"
                if rng.random() < 0.15:
                    mood = -1.2 if month in bad else 0.0
                    row["csat"] = min(5, max(1, round(rng.gauss(4.4 + mood, 0.8))))
                    row["nps"] = min(10, max(0, round(rng.gauss(8.6 + 1.5 * mood, 1.6))))
                    row["ces"] = min(7, max(1, round(rng.gauss(5.6 + mood, 1.2))))
            rows.append(row)
    rows.sort(key=lambda r: (r["queued_at"], r["contact_id"]))
    first, last = month_list[0], month_list[-1]
    span = (dt.date(last.year, last.month, _days_in(last)) - first).days
    customer_rows = []
    for customer in customers:
        churned = ""
        if rng.random() < 0.08:
            churned = (first + dt.timedelta(days=rng.randrange(span))).isoformat()
        customer_rows.append({"customer_id": customer, "churned_on": churned})
    return rows, customer_rows


def write_sample(out: Path, months: int = 24, contacts_per_month: int = 1000, seed: int = 7,
                 end_month: str = "2026-10") -> list[Path]:
    """contacts.csv (all months but the last), contacts_<last month>.xlsx and customers.csv."""
    from openpyxl import Workbook  # loaded on demand: only the sample's workbook needs it

    out.mkdir(parents=True, exist_ok=True)
    rows, customer_rows = generate(months, contacts_per_month, seed, end_month)
    last = _months(end_month, 1)[0]
    earlier = [r for r in rows if r["queued_at"] < dt.datetime(last.year, last.month, 1)]
    latest = [r for r in rows if r["queued_at"] >= dt.datetime(last.year, last.month, 1)]
    csv_path = out / "contacts.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, CONTACT_HEADER, lineterminator="\n")
        writer.writeheader()
        for r in earlier:
            writer.writerow({**r, "queued_at": r["queued_at"].isoformat(sep=" ")})
    xlsx_path = out / f"contacts_{last:%Y-%m}.xlsx"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Contacts")
    sheet.append(CONTACT_HEADER)
    for r in latest:
        sheet.append([None if r[h] == "" else r[h] for h in CONTACT_HEADER])
    workbook.save(xlsx_path)
    customers_path = out / "customers.csv"
    with open(customers_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, ["customer_id", "churned_on"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(customer_rows)
    return [csv_path, xlsx_path, customers_path]


SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"


def load_sample(store: Store, folder: Path | None = None) -> list[ImportReport]:
    """Import the bundled sample files; files already imported are left as they are."""
    folder = Path(folder or SAMPLE_DIR)
    reports = []
    contact_files = sorted(folder.glob("contacts*.csv")) + sorted(folder.glob("contacts*.xlsx"))
    for path in contact_files:
        try:
            reports.append(import_file(store, path, ImportOptions(source="sample")))
        except AlreadyImported:
            pass
    customers = folder / "customers.csv"
    if customers.exists():
        try:
            reports.append(import_file(store, customers, ImportOptions(kind="customers", source="sample")))
        except AlreadyImported:
            pass
    return reports


def generate_table(contacts: int, months: int = 24, seed: int = 7, end_month: str = "2026-10",
                   first_index: int = 0):
    """The same kind of data as `generate`, vectorised with numpy for millions of contacts.

    Returns (contacts table, customers table) as pyarrow tables with the CSV's columns.
    """
    import numpy as np
    rng = np.random.default_rng(seed)
    month_list = _months(end_month, months)
    pool = max(50, 4 * contacts // max(1, months))
    # The draws are taken in a fixed order (contacts, then queue/team/agent, then churn): same seed, same data.
    drawn = _draw_contacts(rng, contacts, month_list, pool)
    table = _contacts_table(rng, drawn, contacts, first_index)
    return table, _customers_table(rng, month_list, pool)


def _draw_contacts(rng, contacts: int, month_list: list[dt.date], pool: int) -> dict:
    """Every contact's month, time, channel, wait, outcome, customer, handle times and survey answers."""
    import numpy as np
    season = np.array([1 + 0.18 * math.sin(2 * math.pi * (m.month - 3) / 12) + 0.01 * i
                       for i, m in enumerate(month_list)])
    month_index = rng.choice(len(month_list), size=contacts, p=season / season.sum())
    month_start = np.array([np.datetime64(m.isoformat(), "s") for m in month_list])
    days_in = np.array([_days_in(m) for m in month_list])
    day = (rng.random(contacts) * days_in[month_index]).astype(np.int64)
    hour_p = np.array(HOUR_WEIGHTS) / sum(HOUR_WEIGHTS)
    hour = rng.choice(24, size=contacts, p=hour_p)
    seconds = day * 86400 + hour * 3600 + rng.integers(0, 3600, contacts)
    queued = month_start[month_index] + seconds.astype("timedelta64[s]")
    names = list(CHANNEL_PLAN)
    shares = np.array([CHANNEL_PLAN[c][0] for c in names])
    channel = rng.choice(len(names), size=contacts, p=shares / shares.sum())
    mean_wait = np.array([CHANNEL_PLAN[c][1] for c in names])[channel]
    bad_month = np.array([i % 7 == 5 for i in range(len(month_list))])[month_index]
    slow = np.isin(channel, [names.index(c) for c in ("voice", "chat", "video")]) & bad_month
    wait = rng.exponential(np.where(slow, mean_wait * 3.2, mean_wait))
    patience = rng.exponential(mean_wait * 22.0)
    deferred = np.isin(channel, [names.index("email"), names.index("back_office")])
    abandoned = (wait > patience) & ~deferred
    answered = ~abandoned
    weights = 1.0 / np.arange(1, pool + 1) ** 0.3
    customer = rng.choice(pool, size=contacts, p=weights / weights.sum()) + 1
    has_customer = rng.random(contacts) < 0.9
    talk_mean = np.array([CHANNEL_PLAN[c][2] for c in names])[channel]
    talk = np.round(rng.lognormal(np.log(talk_mean), 0.45))
    hold_mean = np.array([CHANNEL_PLAN[c][3] for c in names], dtype=float)[channel]
    hold = np.where((hold_mean > 0) & (rng.random(contacts) < 0.3),
                    np.round(rng.exponential(np.maximum(hold_mean, 1))), 0)
    wrap = np.round(rng.uniform(0.5, 1.5, contacts) * np.array([CHANNEL_PLAN[c][4] for c in names])[channel])
    surveyed = answered & (rng.random(contacts) < 0.15)
    mood = np.where(bad_month, -1.2, 0.0)
    csat = np.clip(np.round(rng.normal(4.4 + mood, 0.8)), 1, 5)
    nps = np.clip(np.round(rng.normal(8.6 + 1.5 * mood, 1.6)), 0, 10)
    ces = np.clip(np.round(rng.normal(5.6 + mood, 1.2)), 1, 7)
    resolved = np.where(rng.random(contacts) < 0.82, "Y", "N")
    return {"queued": queued, "channel": np.array(names)[channel], "abandoned": abandoned, "answered": answered,
            "wait": np.round(np.where(abandoned, patience, wait)), "customer": customer,
            "has_customer": has_customer, "talk": talk, "hold": hold, "wrap": wrap, "surveyed": surveyed,
            "csat": csat, "nps": nps, "ces": ces, "resolved": resolved,
            "is_back_office": channel == names.index("back_office")}


def _contacts_table(rng, d: dict, contacts: int, first_index: int):
    """The contacts as the CSV's text columns, in time order; queue, team and agent are drawn here."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import numpy as np
    order = np.argsort(d["queued"], kind="stable")

    def text(values, mask=None):
        arr = pa.array(values[order])
        if mask is not None:
            arr = pc.if_else(pa.array(mask[order]), arr, pa.scalar("", pa.string()))
        return arr

    def num(values, mask):
        return text(values.astype(np.int64).astype(str), mask)

    queue_names = ["Billing", "Technical support", "Sales", "General", "Claims"]
    ids = np.char.add("B", (np.arange(contacts) + first_index).astype(str))
    answered, surveyed = d["answered"], d["surveyed"]
    return pa.table({
        "contact_id": text(ids),
        "channel": text(d["channel"]),
        "queued_at": pc.strftime(pa.array(d["queued"][order]), format="%Y-%m-%d %H:%M:%S"),
        "status": text(np.where(d["abandoned"], "Abandoned", "Answered")),
        "wait_seconds": num(d["wait"], None),
        "talk_seconds": num(d["talk"], answered),
        "hold_seconds": num(d["hold"], answered),
        "wrap_seconds": num(d["wrap"], answered),
        "customer_id": text(np.char.add("C", d["customer"].astype(str)), d["has_customer"]),
        "resolved": text(d["resolved"], answered & d["is_back_office"]),
        "csat": num(d["csat"], surveyed),
        "nps": num(d["nps"], surveyed),
        "ces": num(d["ces"], surveyed),
        "queue": text(np.array(queue_names)[rng.integers(0, len(queue_names), contacts)]),
        "team": text(np.array(TEAMS)[rng.integers(0, len(TEAMS), contacts)]),
        "agent": text(np.array(AGENTS)[rng.integers(0, len(AGENTS), contacts)], answered),
    })


def _customers_table(rng, month_list: list[dt.date], pool: int):
    """The customers export: about 8% churned on a day within the generated months."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import numpy as np
    first, last = month_list[0], month_list[-1]
    span = (dt.date(last.year, last.month, _days_in(last)) - first).days
    churned = rng.random(pool) < 0.08
    churn_day = np.datetime64(first.isoformat()) + rng.integers(0, span, pool).astype("timedelta64[D]")
    return pa.table({
        "customer_id": pa.array(np.char.add("C", np.arange(1, pool + 1).astype(str))),
        "churned_on": pc.if_else(pa.array(churned), pc.strftime(pa.array(churn_day), format="%Y-%m-%d"),
                                 pa.scalar("", pa.string())),
    })


NUMBER_COLUMNS = ("wait_seconds", "talk_seconds", "hold_seconds", "wrap_seconds", "csat", "nps", "ces")


def write_sample_table(out: Path, months: int = 24, contacts_per_month: int = 1000, seed: int = 7,
                       end_month: str = "2026-10") -> list[Path]:
    """The sample's three files from the vectorised generator (`generate_table`): a million contacts in
    seconds. Same files and columns as `write_sample`, different draws."""
    import pyarrow.compute as pc
    from openpyxl import Workbook  # loaded on demand: only the sample's workbook needs it

    out.mkdir(parents=True, exist_ok=True)
    contacts, customers = generate_table(months * contacts_per_month, months, seed, end_month)
    last = _months(end_month, 1)[0]
    latest = pc.greater_equal(contacts["queued_at"], f"{last:%Y-%m}-01")  # ISO text sorts as time
    csv_path = write_table_csv(contacts.filter(pc.invert(latest)), out / "contacts.csv")
    xlsx_path = out / f"contacts_{last:%Y-%m}.xlsx"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Contacts")
    sheet.append(CONTACT_HEADER)
    month = contacts.filter(latest)
    columns = [[(None if v == "" else int(v)) if name in NUMBER_COLUMNS else (v or None)
                for v in month[name].to_pylist()] for name in CONTACT_HEADER]
    for row in zip(*columns):
        sheet.append(row)
    workbook.save(xlsx_path)
    return [csv_path, xlsx_path, write_table_csv(customers, out / "customers.csv")]


def write_table_csv(table, path: Path) -> Path:
    """Write a generated table as a plain UTF-8 CSV (no quoting needed for these values)."""
    import pyarrow.csv as pacsv
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="none"))
    return path
