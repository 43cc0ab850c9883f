"""Stores of the shapes real exports come in, beyond the sample: the AppTest matrix and the browser test use them.

Each builder writes a small CSV the way an ACD or CRM would export it and imports it through the
importer, so the store is exactly what a user would get.
"""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from cxmetrics import ImportOptions, Store, import_file
from cxmetrics.sample import load_sample

TODAY = dt.date.today()


def month_start(months_back: int) -> dt.date:
    """The first day of the month `months_back` months before this one."""
    index = TODAY.year * 12 + TODAY.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def _days(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def _rows(channel: str, first: dt.date, last: dt.date, per_day: int, seed: int, *, surveys: bool,
          customers: bool, waits: bool = True, direction: str = "inbound"):
    rng = random.Random(seed)
    for day in _days(first, last):
        for i in range(per_day):
            at = dt.datetime.combine(day, dt.time(8)) + dt.timedelta(minutes=rng.randrange(0, 600))
            answered = rng.random() > 0.08
            wait = rng.randrange(0, 60) if answered else rng.randrange(2, 120)
            row = {"id": f"{channel}-{seed}-{day:%Y%m%d}-{i}", "channel": channel,
                   "queued_at": at.strftime("%Y-%m-%d %H:%M:%S"), "status": "Answered" if answered else "Abandoned",
                   "talk_seconds": rng.randrange(60, 600) if answered else "", "direction": direction}
            if waits:
                row["wait_seconds"] = wait
            if customers:
                row["customer_id"] = f"C{rng.randrange(1, 400):04d}"
            if surveys:
                responded = answered and rng.random() < 0.3
                row["csat"] = rng.randint(1, 5) if responded else ""
                row["nps"] = rng.randint(0, 10) if responded else ""
            yield row


def _import(store: Store, folder: Path, name: str, rows: list[dict]) -> None:
    header = list(dict.fromkeys(k for r in rows for k in r))
    path = folder / name
    path.write_text("\n".join([",".join(header)] + [",".join(str(r.get(h, "")) for h in header) for r in rows])
                    + "\n", encoding="utf-8")
    import_file(store, path, ImportOptions(mapping={"contact_id": ["id"]}))


def voice_acd(store: Store, folder: Path) -> None:
    """A voice-only ACD log (the Technion layout): waits and talk times, no surveys, no customer ids."""
    _import(store, folder, "acd.csv", list(_rows("voice", month_start(15), TODAY - dt.timedelta(days=1), 6, 1,
                                                 surveys=False, customers=False)))


def new_channel(store: Store, folder: Path) -> None:
    """Voice for 15 months with surveys, up to today; chat only from the middle of the month three months ago."""
    rows = list(_rows("voice", month_start(15), TODAY, 4, 2, surveys=True, customers=True))
    rows += list(_rows("chat", month_start(3) + dt.timedelta(days=14), TODAY, 4, 3, surveys=True, customers=True))
    _import(store, folder, "contacts.csv", rows)


def ended(store: Store, folder: Path) -> None:
    """Voice and chat with surveys, whose data ended seven months before this one."""
    last = month_start(6) - dt.timedelta(days=1)
    rows = list(_rows("voice", month_start(20), last, 4, 4, surveys=True, customers=True))
    rows += list(_rows("chat", month_start(20), last, 3, 5, surveys=True, customers=True))
    _import(store, folder, "old.csv", rows)


def single_day(store: Store, folder: Path) -> None:
    """One day of voice contacts, ten days ago."""
    day = TODAY - dt.timedelta(days=10)
    _import(store, folder, "day.csv", list(_rows("voice", day, day, 40, 6, surveys=True, customers=True)))


def outbound_only(store: Store, folder: Path) -> None:
    """An outbound dialler's log: no inbound contact at all."""
    _import(store, folder, "dialler.csv", list(_rows("voice", month_start(2), TODAY - dt.timedelta(days=1), 5, 7,
                                                     surveys=False, customers=True, direction="outbound")))


def no_waits(store: Store, folder: Path) -> None:
    """Voice outcomes without any wait time (only answered / abandoned): service level and ASA are unknown."""
    _import(store, folder, "outcomes.csv", list(_rows("voice", month_start(2), TODAY - dt.timedelta(days=1), 5, 8,
                                                      surveys=False, customers=False, waits=False)))


def monthly_report(store: Store, folder: Path) -> None:
    """Only an aggregated monthly report (spec §1b), the way public call statistics are published: voice and chat,
    14 months up to last month, months written with their year, counts and means, service level as a percentage."""
    rng = random.Random(11)
    lines = ["Month,Channel,Calls offered,Calls handled,Calls abandoned,Avg Speed Ans,Avg Handle Time,Service Level %"]
    for back in range(14, 0, -1):
        first = month_start(back)
        for channel in ("Phone", "Chat"):
            offered = rng.randrange(2000, 4000)
            abandoned = rng.randrange(60, 200)
            handled = offered - abandoned - rng.randrange(0, 30)
            lines.append(f"{first:%b %Y},{channel},{offered},{handled},{abandoned},00:00:{rng.randrange(10, 59):02d},"
                         f"00:0{rng.randrange(3, 8)}:{rng.randrange(0, 59):02d},{rng.uniform(70, 88):.2f}%")
    path = folder / "monthly_report.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_file(store, path, ImportOptions(kind="aggregated", percent_of="offered"))


def sample(store: Store, folder: Path) -> None:
    load_sample(store)


def empty(store: Store, folder: Path) -> None:
    """Nothing imported."""


SHAPES = {"empty": empty, "sample": sample, "monthly_report": monthly_report, "voice_acd": voice_acd, "new_channel": new_channel, "ended": ended,
          "single_day": single_day, "outbound_only": outbound_only, "no_waits": no_waits}


def build(shape: str, folder: Path) -> Path:
    """A store of that shape in `folder`; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / f"{shape}.duckdb"
    store = Store(db)
    SHAPES[shape](store, folder)
    store.checkpoint()
    store.close()
    return db
