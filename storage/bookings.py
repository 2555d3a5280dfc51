"""Bookings (bokningar): who took a vacancy, and cancellations.

Every function takes the caller's connection, so a service decides the transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.model import Booking, Shift
from storage import shifts as shifts_repo
from storage import tables as t


def from_row(r: Any) -> Booking:
    """A `bookings` row as a `Booking` (storage.reminders reads joined rows with it too)."""
    return Booking(
        id=r.id,
        vacancy_id=r.vacancy_id,
        shift_id=r.shift_id,
        person_id=r.person_id,
        booked_at=r.booked_at,
        channel=r.channel,
        override_reason=r.override_reason,
        by_person_id=r.by_person_id,
        cancelled_at=r.cancelled_at,
        cancel_kind=r.cancel_kind,
    )


async def insert_booking(
    conn: AsyncConnection,
    vacancy_id: int,
    shift_id: str,
    person_id: str,
    now: dt.datetime,
    channel: str,
    *,
    override_reason: str | None = None,
    by: str | None = None,
) -> int:
    return int(
        (
            await conn.execute(
                sa.insert(t.bookings)
                .values(
                    vacancy_id=vacancy_id,
                    shift_id=shift_id,
                    person_id=person_id,
                    booked_at=now,
                    channel=channel,
                    override_reason=override_reason,
                    by_person_id=by,
                )
                .returning(t.bookings.c.id)
            )
        ).scalar_one()
    )


async def live_booking(conn: AsyncConnection, vacancy_id: int) -> Booking | None:
    r = (
        await conn.execute(
            sa.select(t.bookings).where(
                t.bookings.c.vacancy_id == vacancy_id, t.bookings.c.cancelled_at.is_(None)
            )
        )
    ).first()
    return from_row(r) if r else None


async def get_booking(conn: AsyncConnection, booking_id: int) -> Booking | None:
    r = (await conn.execute(sa.select(t.bookings).where(t.bookings.c.id == booking_id))).first()
    return from_row(r) if r else None


async def cancel_booking_row(
    conn: AsyncConnection, booking_id: int, now: dt.datetime, kind: str
) -> bool:
    res = await conn.execute(
        sa.update(t.bookings)
        .where(t.bookings.c.id == booking_id, t.bookings.c.cancelled_at.is_(None))
        .values(cancelled_at=now, cancel_kind=kind)
    )
    return res.rowcount == 1


async def bookings_for(conn: AsyncConnection, vacancy_id: int) -> list[Booking]:
    """Every booking of a vacancy, cancelled ones too, oldest first."""
    q = sa.select(t.bookings).where(t.bookings.c.vacancy_id == vacancy_id)
    return [from_row(r) for r in await conn.execute(q.order_by(t.bookings.c.id))]


async def bookings_of(
    conn: AsyncConnection, person_id: str, since: dt.datetime
) -> list[tuple[Booking, Shift]]:
    """A person's live bookings for shifts ending after `since`, soonest first."""
    q = (
        sa.select(t.bookings, *[c.label(f"s_{c.name}") for c in t.shifts.c])
        .join(t.shifts, t.shifts.c.id == t.bookings.c.shift_id)
        .where(
            t.bookings.c.person_id == person_id,
            t.bookings.c.cancelled_at.is_(None),
            t.shifts.c.ends_at > since,
        )
        .order_by(t.shifts.c.starts_at)
    )
    return [
        (from_row(r), shifts_repo.from_row(shifts_repo.Prefixed(r, "s_")))
        for r in await conn.execute(q)
    ]
