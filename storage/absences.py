"""Absences (frånvaro): reported, read, ended. Health data: see storage.privacy for retention.

Every function takes the caller's connection, so a service decides the transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.model import Absence, AbsenceCategory
from storage import tables as t


async def insert_absence(
    conn: AsyncConnection,
    person_id: str,
    category: AbsenceCategory,
    start: dt.datetime,
    end: dt.datetime,
    channel: str,
    now: dt.datetime,
) -> int:
    return int(
        (
            await conn.execute(
                sa.insert(t.absences)
                .values(
                    person_id=person_id,
                    category=category.value,
                    starts_at=start,
                    ends_at=end,
                    channel=channel,
                    reported_at=now,
                )
                .returning(t.absences.c.id)
            )
        ).scalar_one()
    )


def _absence(r: Any) -> Absence:
    return Absence(
        r.id,
        r.person_id,
        AbsenceCategory(r.category),
        r.starts_at,
        r.ends_at,
        r.channel,
        r.reported_at,
        r.ended_at,
    )


async def get_absence(conn: AsyncConnection, absence_id: int) -> Absence | None:
    r = (await conn.execute(sa.select(t.absences).where(t.absences.c.id == absence_id))).first()
    return _absence(r) if r else None


async def open_absences(conn: AsyncConnection, person_id: str, now: dt.datetime) -> list[Absence]:
    q = (
        sa.select(t.absences)
        .where(
            t.absences.c.person_id == person_id,
            t.absences.c.ended_at.is_(None),
            t.absences.c.ends_at > now,
        )
        .order_by(t.absences.c.starts_at)
    )
    return [_absence(r) for r in await conn.execute(q)]


async def end_absence(conn: AsyncConnection, absence_id: int, now: dt.datetime) -> None:
    await conn.execute(
        sa.update(t.absences).where(t.absences.c.id == absence_id).values(ended_at=now)
    )
