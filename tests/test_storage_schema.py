from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from bot.domain.model import OfferState
from storage import tables as t
from storage import vacancies
from storage.db import Database
from storage.migrate import alembic_config, current_revision, upgrade
from tests.builders import World, make_deps, report_absent


async def test_migrations_apply_and_are_idempotent(any_db: Database) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert await current_revision(any_db) == head
    await upgrade(any_db)  # second run is a no-op
    assert await current_revision(any_db) == head


async def test_times_round_trip_as_aware_utc(any_db: Database) -> None:
    stockholm = dt.timezone(dt.timedelta(hours=1))
    start = dt.datetime(2026, 3, 29, 1, 30, tzinfo=stockholm)
    async with any_db.write() as conn:
        await conn.execute(sa.insert(t.units).values(id="u1", name="Enhet", area="Norr"))
        await conn.execute(
            sa.insert(t.shifts).values(
                id="s1",
                unit_id="u1",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=8),
                role="usk",
            )
        )
    async with any_db.read() as conn:
        row = (await conn.execute(sa.select(t.shifts.c.starts_at))).one()
    assert row.starts_at == start
    assert row.starts_at.tzinfo is not None and row.starts_at.utcoffset() == dt.timedelta(0)


async def test_one_live_booking_per_vacancy_is_enforced(any_db: Database) -> None:
    now = dt.datetime(2026, 11, 24, 5, 0, tzinfo=dt.UTC)
    async with any_db.write() as conn:
        await conn.execute(sa.insert(t.units).values(id="u1", name="Enhet", area="Norr"))
        await conn.execute(sa.insert(t.people).values(id="p1", name="A"))
        await conn.execute(sa.insert(t.people).values(id="p2", name="B"))
        await conn.execute(
            sa.insert(t.shifts).values(
                id="s1",
                unit_id="u1",
                starts_at=now,
                ends_at=now + dt.timedelta(hours=8),
                role="usk",
            )
        )
        vid = (
            await conn.execute(
                sa.insert(t.vacancies)
                .values(shift_id="s1", status="searching", created_at=now, updated_at=now)
                .returning(t.vacancies.c.id)
            )
        ).scalar_one()
        values = {"vacancy_id": vid, "shift_id": "s1", "booked_at": now, "channel": "sms"}
        await conn.execute(sa.insert(t.bookings).values(person_id="p1", **values))
    failed = False
    try:
        async with any_db.write() as conn:
            await conn.execute(sa.insert(t.bookings).values(person_id="p2", **values))
    except sa.exc.IntegrityError:
        failed = True
    assert failed, "a second live booking for one vacancy must be refused"
    # After the first booking is cancelled, the vacancy can be booked again.
    async with any_db.write() as conn:
        await conn.execute(sa.update(t.bookings).values(cancelled_at=now))
        await conn.execute(sa.insert(t.bookings).values(person_id="p2", **values))


async def test_migrations_build_exactly_the_schema_in_tables_py(db: Database) -> None:
    """A change to storage/tables.py without a migration (or the reverse) fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    async with db.read() as conn:
        diff = await conn.run_sync(
            lambda c: compare_metadata(MigrationContext.configure(c), t.metadata)
        )
    assert diff == []


async def test_0009_gives_an_undeliverable_offer_its_own_state(any_db: Database) -> None:
    """Before 0009 the dispatcher wrote `declined` + answer channel "unreachable"."""
    w = World(any_db)
    await w.unit("norr")
    await w.staff("anna", "norr")
    for pid in ("sub00", "sub01"):
        await w.sub(pid)
    await w.shift("s-day", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
    deps = make_deps(any_db, "2026-12-01 05:45")
    vid = await report_absent(deps, "anna", "s-day", "telegram")
    async with any_db.read() as conn:
        first, second = await vacancies.offers_for(conn, vid)
    await _downgrade(any_db, "0008")
    async with any_db.write() as conn:
        for offer, channel in ((first, "unreachable"), (second, "sms")):
            await conn.execute(
                sa.update(t.offers)
                .where(t.offers.c.id == offer.id)
                .values(state="declined", answer_channel=channel, answered_at=deps.now())
            )
    await upgrade(any_db)
    async with any_db.read() as conn:
        after = {o.id: o for o in await vacancies.offers_for(conn, vid)}
    assert (after[first.id].state, after[first.id].answer_channel) == (
        OfferState.UNREACHABLE,
        None,
    )
    assert (after[second.id].state, after[second.id].answer_channel) == (
        OfferState.DECLINED,
        "sms",
    )


async def _downgrade(db: Database, revision: str) -> None:
    def _run(connection: sa.Connection) -> None:
        command.downgrade(alembic_config(connection), revision)

    async with db.write() as conn:
        await conn.run_sync(_run)
