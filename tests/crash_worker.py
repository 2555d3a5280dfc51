"""A scripted morning that can be killed at any point and restarted (used by test_crash).

Run: python -m tests.crash_worker DB_PATH STATE_DIR
Every step is its own transaction and every step is safe to repeat, as the real bot's are:
report (idempotent), tick (due work from the database), deliver (outbox), answer (offers).
The acknowledgement log gets a line only after a service call has returned, i.e. after its
transaction committed: whatever is in that log must be in the database after any crash.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
import sys
from pathlib import Path

from bot.channels.base import RecordingSender
from bot.channels.dispatcher import Dispatcher
from bot.domain import intents
from bot.domain.model import AbsenceCategory, OfferState, VacancyStatus
from bot.services import absence, answers, callout
from storage import outbox, vacancies
from storage.db import Database
from storage.migrate import upgrade
from tests.builders import World, local, make_deps

ABSENT = [f"staff{i}" for i in range(16)]
SUBS = [f"sub{i:02d}" for i in range(40)]
START = "2026-12-01 05:30"


def wants(person_id: str, vacancy_id: int) -> bool:
    """Deterministic answer: about one in three accepts."""
    return hashlib.sha256(f"{person_id}:{vacancy_id}".encode()).digest()[0] % 3 == 0


def ack(state: Path, line: str) -> None:
    with open(state / "acks.log", "a", encoding="utf-8") as f:
        f.write(line + "\n")
        f.flush()
        os.fsync(f.fileno())


async def seed(db: Database) -> None:
    w = World(db)
    await w.unit("norr")
    await w.person("kim", roles=[("coordinator", "norr")], quals=())
    for i, pid in enumerate(ABSENT):
        await w.staff(pid, "norr")
        await w.shift(
            f"s{i}",
            "norr",
            pid,
            f"2026-12-01 {7 + i % 3:02d}:00",
            f"2026-12-01 {15 + i % 3:02d}:00",
        )
    for pid in SUBS:
        await w.sub(pid)


async def main(db_path: str, state_dir: str) -> int:
    state = Path(state_dir)
    db = Database(f"sqlite+aiosqlite:///{db_path}")
    await upgrade(db)
    if not (state / "seeded").exists():
        # Seeding is one-off set-up, not the system under test: redo it from scratch if killed.
        await db.close()
        for suffix in ("", "-wal", "-shm"):
            Path(db_path + suffix).unlink(missing_ok=True)
        db = Database(f"sqlite+aiosqlite:///{db_path}")
        await upgrade(db)
        await seed(db)
        (state / "seeded").touch()
    clock_file = state / "clock"
    now = clock_file.read_text() if clock_file.exists() else START
    deps = make_deps(db, now)
    print("READY", flush=True)
    dispatcher = Dispatcher(
        deps, {"telegram": RecordingSender("telegram"), "sms": RecordingSender("sms")}
    )
    try:
        while True:
            for i, pid in enumerate(ABSENT):
                receipt = await absence.report_absence(
                    deps, pid, AbsenceCategory.SJUK, "sms", shift_ids=[f"s{i}"]
                )
                ack(state, f"report {pid} s{i} {receipt.absence_id}")
            await callout.tick(deps)
            await dispatcher.drain()
            async with db.read() as conn:
                open_offers = [o for pid in SUBS for o in await vacancies.open_offers_of(conn, pid)]
            for o in open_offers:
                if wants(o.person_id, o.vacancy_id):
                    res = await answers.accept(deps, o.person_id, intents.Accept(o.id), "sms")
                    if res.outcome == answers.Outcome.BOOKED:
                        ack(state, f"booked {o.vacancy_id} {o.person_id} {res.booking_id}")
                else:
                    await answers.decline(deps, o.person_id, intents.Decline(o.id), "sms")
            await dispatcher.drain()
            async with db.read() as conn:
                rows = await vacancies.vacancies_in(
                    conn, local("2026-12-01 00:00"), local("2026-12-02 00:00")
                )
                offers = [o for v, _ in rows for o in await vacancies.offers_for(conn, v.id)]
                # A message whose sender was killed mid-send is re-sent when its lease runs out.
                undelivered = [i for i in await outbox.all_items(conn) if i.state == "pending"]
            done = (
                len(rows) == len(ABSENT)
                and all(v.status != VacancyStatus.SEARCHING or v.escalated_at for v, _ in rows)
                and not any(
                    o.state == OfferState.OPEN and wants(o.person_id, o.vacancy_id) for o in offers
                )
                and not undelivered
            )
            if done:
                print("DONE", flush=True)
                return 0
            clock = deps.clock
            new_now = clock.now() + dt.timedelta(minutes=3)  # type: ignore[attr-defined]
            tmp = clock_file.with_suffix(".tmp")
            tmp.write_text(new_now.astimezone(local(START).tzinfo).strftime("%Y-%m-%d %H:%M"))
            os.replace(tmp, clock_file)
            clock.set(new_now)  # type: ignore[attr-defined]
    finally:
        await db.close()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2])))
