"""Retention of health data: absence records older than the retention period are deleted."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import tables as t


async def purge_absences_before(conn: AsyncConnection, cutoff: dt.datetime) -> int:
    """Delete absences that ended (or were reported well) before `cutoff`. Their vacancies
    stay, unlinked: who covered a shift is work history, why someone was away is not."""
    ended = sa.func.coalesce(t.absences.c.ended_at, t.absences.c.ends_at)
    old = sa.select(t.absences.c.id).where(ended < cutoff)
    await conn.execute(
        sa.update(t.vacancies).where(t.vacancies.c.absence_id.in_(old)).values(absence_id=None)
    )
    res = await conn.execute(sa.delete(t.absences).where(ended < cutoff))
    return int(res.rowcount)
