"""One-time Telegram link codes (`/start <code>`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import tables as t


async def create(
    conn: AsyncConnection, code: str, person_id: str, by: str, expires_at: dt.datetime
) -> None:
    await conn.execute(
        sa.insert(t.invites).values(
            code=code, person_id=person_id, created_by=by, expires_at=expires_at
        )
    )


@dataclass(frozen=True, slots=True)
class Invite:
    code: str
    person_id: str
    created_by: str | None


async def get(conn: AsyncConnection, code: str) -> Invite | None:
    """The invitation with this code, whether or not it is still valid."""
    r = (await conn.execute(sa.select(t.invites).where(t.invites.c.code == code))).first()
    return Invite(r.code, r.person_id, r.created_by) if r else None


async def use(conn: AsyncConnection, code: str, now: dt.datetime) -> bool:
    """Mark the code used, if it is unused and unexpired. True when this call used it."""
    res = await conn.execute(
        sa.update(t.invites)
        .where(t.invites.c.code == code, t.invites.c.used_at.is_(None),
               t.invites.c.expires_at > now)
        .values(used_at=now)
    )
    return res.rowcount == 1


async def revoke_open(conn: AsyncConnection, person_id: str, now: dt.datetime) -> int:
    """Expire, as of `now`, every unused and unexpired invitation for the person (they have
    linked; an old link must not link anyone else). How many were revoked."""
    res = await conn.execute(
        sa.update(t.invites)
        .where(t.invites.c.person_id == person_id, t.invites.c.used_at.is_(None),
               t.invites.c.expires_at > now)
        .values(expires_at=now)
    )
    return int(res.rowcount or 0)
