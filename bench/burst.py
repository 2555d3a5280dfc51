"""Burst: 15 staff report sick at once; how soon does each vacancy's first offer go out?

Fifteen sick reports arrive together (shifts starting 1-3 hours ahead, reported so that
the soonest is last) in a unit area with a 300-person substitute pool. The reports go
through the absence use case; every message goes out through the outbox, the
dispatcher and the real python-telegram-bot against the local fake Bot API server, on
the wall clock. Printed per vacancy: report -> first offer and -> last offer; then the
median and max, the busiest one-second window and messages per person. Then again with
5 % of sendMessage answered 429 (retry_after 1): every offer must still arrive.

    .venv/bin/python -m bench.burst
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import logging
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import sqlalchemy as sa
from telegram import Bot
from telegram.request import HTTPXRequest

from bench.sim import make_deps
from bench.world import DAY, build_morning, local, write_world
from bot.channels.dispatcher import Dispatcher
from bot.channels.telegram import TelegramSender
from bot.domain.model import AbsenceCategory
from bot.fakes.telegram_server import FakeTelegram
from bot.services import absence
from bot.services.deps import Deps
from storage import tables as t
from storage.db import Database
from storage.migrate import upgrade

TOKEN = "4242:burst"
REPORTS = 15
POOL = 300
TIMEOUT = 180.0  # seconds: give up waiting for the outbox


class WallClock:
    """The bench's morning (05:00 on the world's day), moving with the wall clock."""

    def __init__(self, start: dt.datetime) -> None:
        self.start, self.t0 = start, time.monotonic()

    def now(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=time.monotonic() - self.t0)


@dataclasses.dataclass
class BurstResult:
    label: str
    first: list[float]  # per vacancy, seconds from its report to its first offer
    last: list[float]
    offers_queued: int
    offers_delivered: int
    peak_per_second: int
    seconds_over_30: int
    seconds: int
    per_person: float
    throttled: int
    messages: int = 0  # messages sent (a bundled offer is one message for several offers)


def _dispatcher(deps: Deps, bot: Bot) -> Dispatcher:
    senders = {"telegram": TelegramSender(bot)}
    try:  # the send budget, where this code has one (main before issue #13 had none)
        from bot.channels.dispatcher import Pacing  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return Dispatcher(deps, senders)
    return Dispatcher(deps, senders, pacing=Pacing(deps.clock))


async def _setup(db: Database) -> tuple[list[tuple[str, str, dt.datetime]], dt.datetime]:
    """The world with everyone on Telegram; 15 staff shifts moved to start 1-3 h ahead.
    Returns (person, shift, start) in report order (soonest last) and the bench start."""
    w = build_morning(n_subs=POOL, n_absences=0)
    for n, person in enumerate(w.people):
        person["channel"] = "telegram"
        if person["telegram_chat_id"] is None:
            person["telegram_chat_id"] = person["telegram_user_id"] = 800_000 + n
    start = local(DAY, "05:00")
    taken: set[str] = set()
    chosen = []
    for s in sorted(w.shifts.values(), key=lambda s: s.id):
        if s.person and s.person not in taken and s.start.date() == start.date():
            taken.add(s.person)
            chosen.append(s)
        if len(chosen) == REPORTS:
            break
    burst = []
    for k, s in enumerate(chosen):  # k = 0 starts last (3 h ahead), k = 14 soonest (1 h)
        begins = start + dt.timedelta(minutes=180 - k * 120 // (REPORTS - 1))
        w.shifts[s.id] = dataclasses.replace(s, start=begins, end=begins + dt.timedelta(hours=8))
        burst.append((str(s.person), s.id, begins))
    await write_world(db, w)
    return burst, start


async def run(label: str, throttle: float) -> BurstResult:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'burst.db'}")
        await upgrade(db)
        burst, start = await _setup(db)
        deps = make_deps(db, start)
        deps.clock = WallClock(start)
        async with FakeTelegram(TOKEN) as fake:
            async with db.read() as conn:
                chats = (await conn.execute(sa.select(t.people.c.telegram_chat_id))).scalars()
                for chat in chats:
                    if chat is not None and chat > 0:  # known to the server, as after /start
                        fake.user_sends_text(chat, "/start")
                groups = (await conn.execute(sa.select(t.units.c.coordinator_chat_id))).scalars()
                for group in groups:  # the coordinators' group chats
                    if group is not None:
                        fake.user_sends_text(1, "/start", chat_id=group)
            fake.rate_limit(throttle, retry_after=1, seed=13)
            request = HTTPXRequest(connection_pool_size=32)
            async with Bot(TOKEN, base_url=fake.base_url, request=request) as bot:
                dispatcher = _dispatcher(deps, bot)
                loop = asyncio.create_task(dispatcher.run_forever())
                reported: dict[str, float] = {}

                async def report(person: str, shift: str) -> None:
                    reported[shift] = time.time()
                    await absence.report_absence(
                        deps, person, AbsenceCategory.SJUK, "telegram", shift_ids=[shift]
                    )
                    deps.kick()

                t0 = time.time()
                await asyncio.gather(*(report(p, s) for p, s, _ in burst))
                queued = await _wait_drained(db, t0)
                dispatcher.stop()
                await loop
            return await _measure(label, db, fake, burst, reported, queued)


async def _wait_drained(db: Database, t0: float) -> int:
    """Until no offer is pending (or TIMEOUT); returns how many offers were queued."""
    while True:
        async with db.read() as conn:
            pending = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(t.outbox)
                    .where(t.outbox.c.kind == "offer", t.outbox.c.state == "pending")
                )
            ).scalar_one()
            queued = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(t.outbox)
                    .where(t.outbox.c.kind == "offer")
                )
            ).scalar_one()
        if not pending or time.time() - t0 > TIMEOUT:
            return int(queued)
        if int(time.time() - t0) % 10 == 0:
            print(f"  {time.time() - t0:5.0f} s: {pending} of {queued} offers pending", flush=True)
        await asyncio.sleep(0.2)


async def _measure(
    label: str,
    db: Database,
    fake: FakeTelegram,
    burst: list[tuple[str, str, dt.datetime]],
    reported: dict[str, float],
    queued: int,
) -> BurstResult:
    async with db.read() as conn:
        offer_shift = {
            r.id: r.shift_id
            for r in await conn.execute(
                sa.select(t.offers.c.id, t.vacancies.c.shift_id).join(
                    t.vacancies, t.vacancies.c.id == t.offers.c.vacancy_id
                )
            )
        }
        people = sa.select(t.people.c.telegram_chat_id).where(
            t.people.c.telegram_chat_id.is_not(None)
        )
        groups = sa.select(t.units.c.coordinator_chat_id).where(
            t.units.c.coordinator_chat_id.is_not(None)
        )
        chats = [r[0] for r in await conn.execute(people.union_all(groups))]
    arrivals: dict[str, list[float]] = {}
    every: list[float] = []
    per_chat: Counter[int] = Counter()
    for chat in chats:
        for m in fake.messages(chat):
            every.append(m.at)
            per_chat[chat] += 1
            for d in (str(b.get("callback_data", "")) for b in m.buttons):
                if d.startswith("acc:"):
                    shift = offer_shift.get(int(d.split(":")[1]))
                    if shift:
                        arrivals.setdefault(shift, []).append(m.at)
    first, last = [], []
    for _, shift, _ in burst:
        got = sorted(arrivals.get(shift, []))
        first.append(got[0] - reported[shift] if got else float("inf"))
        last.append(got[-1] - reported[shift] if got else float("inf"))
    seconds = Counter(int(a) for a in every)
    busiest = _busiest_window(sorted(every))
    throttled = sum(1 for r in fake.requests if r.method == "sendMessage") - len(every)
    delivered = sum(len(v) for v in arrivals.values())
    return BurstResult(
        label,
        first,
        last,
        queued,
        delivered,
        busiest,
        sum(1 for n in seconds.values() if n > 30),
        len(seconds),
        len(every) / max(1, len(per_chat)),  # people and coordinators' groups
        throttled,
        len(every),
    )


def _busiest_window(times: list[float]) -> int:
    """The most messages in any one-second window [t, t + 1)."""
    best, j = 0, 0
    for i, start in enumerate(times):
        while j < len(times) and times[j] < start + 1.0:
            j += 1
        best = max(best, j - i)
    return best


def report(r: BurstResult, burst_order: list[dt.datetime]) -> None:
    print(f"\n== {r.label} ==")
    print("  vacancy  starts   report->first  report->last")
    for n, (begins, f, la) in enumerate(zip(burst_order, r.first, r.last, strict=True), 1):
        print(f"  {n:>7}  {begins.astimezone(dt.UTC):%H:%M}Z  {f:>12.1f}s  {la:>11.1f}s")
    print(
        f"  first offer: median {statistics.median(r.first):.1f} s, max {max(r.first):.1f} s;"
        f" last offer: median {statistics.median(r.last):.1f} s, max {max(r.last):.1f} s"
    )
    print(
        f"  offers queued {r.offers_queued}, delivered {r.offers_delivered}"
        f" ({'nothing lost' if r.offers_delivered == r.offers_queued else 'LOST SOME'});"
        f" 429s answered {r.throttled}"
    )
    print(
        f"  messages: {r.messages} to {r.offers_delivered} offers and the boards;"
        f" busiest one-second window {r.peak_per_second};"
        f" {r.seconds_over_30} of {r.seconds} calendar seconds over 30;"
        f" {r.per_person:.1f} per chat reached"
    )


async def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--throttle", type=float, default=0.05, help="the 429 share of the 2nd run")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    starts: list[dt.datetime] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'order.db'}")
        await upgrade(db)
        starts = [b for _, _, b in (await _setup(db))[0]]
        await db.close()
    print(f"Burst: {REPORTS} sick reports at once, a {POOL}-person pool, real PTB, fake Bot API")
    print("  (reported in this order: the shift starting soonest last)")
    clean = await run("no 429s", 0.0)
    report(clean, starts)
    limited = await run(f"{args.throttle:.0%} of sendMessage answered 429", args.throttle)
    report(limited, starts)
    ok = (
        statistics.median(clean.first) <= 2.0
        and max(clean.first) <= 5.0
        and clean.peak_per_second <= 30
        and limited.offers_delivered == limited.offers_queued
    )
    print(
        f"\ntargets (first offer median <= 2 s, max <= 5 s, <= 30/s, nothing lost): "
        f"{'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
