from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from storage import tables as t
from storage.db import Database
from storage.migrate import alembic_config, current_revision, upgrade


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
