"""The engine's waves judge people best first and stop early (`callout._judge_best_first`):
the offers they make must be exactly the ones the full ranking would make, on SQLite and
PostgreSQL, whatever the pool looks like."""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from bot.domain.model import AbsenceCategory
from bot.services import callout
from storage import absences as absences_repo
from storage import history, vacancies
from storage import tables as t
from storage.db import Database
from tests.builders import World, local, make_deps

UNITS = {"norr": "Centrum", "syd": "Centrum", "vast": "Väster"}


async def _random_world(db: Database, seed: int) -> None:
    """40 substitutes over every tier, with random histories (past offers, bookings, own
    shifts at the unit), some of them busy during the vacancy, many of them tied."""
    rng = random.Random(seed)
    w = World(db)
    for unit, area in UNITS.items():
        await w.unit(unit, area=area)
    await w.staff("anna", "norr")
    await w.person("hilda", roles=[("staff", "norr"), ("handledare", "norr")], introduced=["norr"])
    await w.shift("s-day", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
    await w.shift("s-hilda", "norr", "hilda", "2026-12-01 07:00", "2026-12-01 16:00")
    for i in range(40):
        pid = f"v{i:02d}"
        introduced = rng.choice([["norr"], ["syd"], ["vast"], [], ["norr", "syd"]])
        quals = rng.choice([("usk",), ("usk", "delegering"), ("vardbitrade",)])
        tier = "pool" if i < 6 else "substitute"
        await w.sub(pid, tier=tier, introduced=introduced, quals=quals)
        if rng.random() < 0.15:  # busy during the vacancy
            await w.shift(f"busy-{pid}", "syd", pid, "2026-12-01 08:00", "2026-12-01 12:00")
        if rng.random() < 0.3:  # worked at the unit lately (continuity)
            day = 2 + rng.randrange(10)
            await w.shift(
                f"past-{pid}",
                "norr",
                pid,
                f"2026-11-{30 - day:02d} 07:00",
                f"2026-11-{30 - day:02d} 12:00",
            )
        for k in range(rng.choice([0, 0, 0, 1, 2, 3])):  # offered and booked lately
            sid = f"h-{pid}-{k}"
            day = 1 + rng.randrange(20)
            hours = rng.choice([4, 5, 8])
            await w.shift(
                sid,
                rng.choice(list(UNITS)),
                None,
                f"2026-11-{30 - day:02d} 07:00",
                f"2026-11-{30 - day:02d} {7 + hours:02d}:00",
            )
            await _history(db, sid, pid, booked=rng.random() < 0.5)


async def _history(db: Database, shift_id: str, person_id: str, booked: bool) -> None:
    when = local("2026-11-15 12:00")
    async with db.write() as conn:
        vid = (
            await conn.execute(
                sa.insert(t.vacancies)
                .values(
                    shift_id=shift_id,
                    status="filled" if booked else "expired",
                    created_at=when,
                    updated_at=when,
                )
                .returning(t.vacancies.c.id)
            )
        ).scalar_one()
        await conn.execute(
            sa.insert(t.offers).values(
                vacancy_id=vid,
                person_id=person_id,
                wave=1,
                rank=1,
                code=vid,
                created_at=when,
                state="accepted" if booked else "declined",
            )
        )
        if booked:
            await conn.execute(
                sa.insert(t.bookings).values(
                    vacancy_id=vid,
                    shift_id=shift_id,
                    person_id=person_id,
                    booked_at=when,
                    channel="sms",
                )
            )


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
async def test_best_first_offers_what_the_full_ranking_would(any_db: Database, seed: int) -> None:
    await _random_world(any_db, seed)
    deps = make_deps(any_db, "2026-11-30 12:00")
    async with any_db.write() as conn:
        absence_id = await absences_repo.insert_absence(
            conn,
            "anna",
            AbsenceCategory.SJUK,
            local("2026-12-01 07:00"),
            local("2026-12-01 16:00"),
            "sms",
            deps.now(),
        )
        vid = await vacancies.insert_vacancy(conn, "s-day", absence_id, deps.now())
    async with any_db.read() as conn:
        vacancy = await vacancies.get_vacancy(conn, vid)
        assert vacancy is not None
        full = await callout.assess(conn, deps, vacancy)
        names = [c.verdict.person.id for c in full.ranked]
        tiers = {c.tier for c in full.ranked}
        assert len(names) >= 12 and {1, 2, 3, 4} <= tiers, (names, tiers)
        for enough in (1, 3, 5, 8, 12, len(names), len(names) + 5):
            best = await callout.assess(conn, deps, vacancy, candidates_only=True, enough=enough)
            got = [c.verdict.person.id for c in best.ranked]
            assert got[: enough + 1] == names[: enough + 1], enough
            judged = {v.person.id for v in best.verdicts}
            if enough < 5:  # stopped early: did not judge the whole pool
                assert len(judged) < len(full.verdicts)


async def test_history_counts_offers_bookings_and_continuity(any_db: Database) -> None:
    w = World(any_db)
    await w.unit("norr")
    await w.unit("syd")
    await w.sub("kim")
    await w.shift("past-own", "norr", "kim", "2026-11-25 07:00", "2026-11-25 12:00")
    await w.shift("old-own", "syd", "kim", "2026-11-10 07:00", "2026-11-10 12:00")
    await w.shift("h1", "syd", None, "2026-11-20 07:00", "2026-11-20 15:00")  # 8 h booked
    await w.shift("h2", "syd", None, "2026-11-21 07:00", "2026-11-21 11:30")  # 4.5 h declined
    await _history(any_db, "h1", "kim", booked=True)
    await _history(any_db, "h2", "kim", booked=False)
    await w.unit("vast")
    now = local("2026-11-30 12:00")
    async with any_db.read() as conn:
        h = await history.history_for(conn, ["kim", "nobody"], now, "norr")
        at_syd = await history.history_for(conn, ["kim"], now, "syd")
        at_vast = await history.history_for(conn, ["kim"], now, "vast")
    assert h["kim"].hours_booked_28d == pytest.approx(8.0)
    assert h["kim"].hours_offered_28d == pytest.approx(12.5)
    assert h["kim"].worked_units_14d == {"norr"}  # own shift on 25 November
    assert at_syd["kim"].worked_units_14d == {"syd"}  # booked on 20 November
    assert not at_vast["kim"].worked_units_14d
    assert h["nobody"].hours_offered_28d == 0 and not h["nobody"].worked_units_14d
    # 10 November (own shift at syd) is over 14 days ago: only the booking makes syd count.
    async with any_db.write() as conn:
        await conn.execute(sa.update(t.bookings).values(cancelled_at=now))
        assert not (await history.history_for(conn, ["kim"], now, "syd"))["kim"].worked_units_14d
