"""Reminders the evening before: which live bookings are due one, marked durably.

`bookings.reminded_at` is set in the transaction that enqueues the reminder, and only
where it is still empty: however often (and on however many workers) the job runs, a
booking is reminded once.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.model import Booking, Shift
from storage import bookings as bookings_repo
from storage import shifts as shifts_repo
from storage import tables as t


async def due(
    conn: AsyncConnection, start: dt.datetime, end: dt.datetime, booked_before: dt.datetime
) -> list[tuple[Booking, Shift]]:
    """Live bookings not yet reminded, for shifts starting in [start, end) that are still
    on, booked before `booked_before` (a later booking's confirmation is its reminder)."""
    q = (
        sa.select(t.bookings, *[c.label(f"s_{c.name}") for c in t.shifts.c])
        .join(t.shifts, t.shifts.c.id == t.bookings.c.shift_id)
        .where(
            t.shifts.c.starts_at >= start,
            t.shifts.c.starts_at < end,
            t.shifts.c.cancelled.is_(sa.false()),
            t.bookings.c.cancelled_at.is_(None),
            t.bookings.c.reminded_at.is_(None),
            t.bookings.c.booked_at < booked_before,
        )
        .order_by(t.shifts.c.starts_at, t.bookings.c.id)
    )
    return [
        (bookings_repo.from_row(r), shifts_repo.from_row(shifts_repo.Prefixed(r, "s_")))
        for r in await conn.execute(q)
    ]


async def mark_reminded(conn: AsyncConnection, booking_id: int, now: dt.datetime) -> bool:
    """True for the one caller that marks the booking; False when it already was."""
    result = await conn.execute(
        sa.update(t.bookings)
        .where(t.bookings.c.id == booking_id, t.bookings.c.reminded_at.is_(None))
        .values(reminded_at=now)
    )
    return result.rowcount == 1
