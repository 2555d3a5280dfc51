"""Shifts: the schedule's rows, typed. Also what "the scheduled person works it" means in SQL.

Every function takes the caller's connection, so a service decides the transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.model import Shift
from storage import tables as t

LIVE_VACANCY = ("searching", "filled")
# No shift is longer than this (the importer takes a date and two wall times; Settings caps
# max_shift_hours at 24). Queries use it as a lower bound on starts_at, so that a time
# window is an index range on starts_at instead of "everything that started before X".
MAX_SHIFT_SPAN = dt.timedelta(hours=24)


def from_row(r: Any) -> Shift:
    """A `shifts` row (or a `Prefixed` view of joined shift columns) as a `Shift`."""
    reqs = tuple(x for x in (r.requirements or "").split(";") if x)
    return Shift(
        id=r.id,
        unit_id=r.unit_id,
        starts_at=r.starts_at,
        ends_at=r.ends_at,
        role=r.role,
        person_id=r.person_id,
        requirements=reqs,
        cancelled=bool(r.cancelled),
    )


async def get_shift(conn: AsyncConnection, shift_id: str) -> Shift | None:
    r = (await conn.execute(sa.select(t.shifts).where(t.shifts.c.id == shift_id))).first()
    return from_row(r) if r else None


async def insert_shift(conn: AsyncConnection, shift: Shift) -> None:
    await conn.execute(
        sa.insert(t.shifts).values(
            id=shift.id,
            unit_id=shift.unit_id,
            person_id=shift.person_id,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            role=shift.role,
            requirements=";".join(shift.requirements),
        )
    )


async def shifts_of(
    conn: AsyncConnection, person_id: str, start: dt.datetime, end: dt.datetime
) -> list[Shift]:
    """A person's own scheduled shifts starting in [start, end), soonest first."""
    q = (
        sa.select(t.shifts)
        .where(
            t.shifts.c.person_id == person_id,
            t.shifts.c.cancelled.is_(False),
            t.shifts.c.starts_at >= start,
            t.shifts.c.starts_at < end,
        )
        .order_by(t.shifts.c.starts_at)
    )
    return [from_row(r) for r in await conn.execute(q)]


def not_vacated() -> sa.ColumnElement[bool]:
    """The shift's scheduled person is working it: no open or filled vacancy for it. A
    correlated NOT EXISTS on the unique `vacancies.shift_id`, one index probe a shift
    (a NOT IN list would read every live vacancy each time)."""
    return ~sa.exists().where(
        t.vacancies.c.shift_id == t.shifts.c.id, t.vacancies.c.status.in_(LIVE_VACANCY)
    )


class Prefixed:
    """A joined row's shift columns, selected as `s_<name>`, read by their plain names, so
    `from_row` reads a shift out of a vacancy or booking join."""

    def __init__(self, row: Any, prefix: str) -> None:
        self._row, self._prefix = row, prefix

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, self._prefix + name)
