"""Calendar tokens, stored only as their sha256: one per person."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import tables as t


async def replace(conn: AsyncConnection, person_id: str, token_hash: str, now: dt.datetime) -> None:
    """The person's token becomes this one; an older one stops working."""
    await conn.execute(sa.delete(t.ical_tokens).where(t.ical_tokens.c.person_id == person_id))
    await conn.execute(
        sa.insert(t.ical_tokens).values(person_id=person_id, token_hash=token_hash, created_at=now)
    )


async def delete(conn: AsyncConnection, person_id: str) -> bool:
    res = await conn.execute(
        sa.delete(t.ical_tokens).where(t.ical_tokens.c.person_id == person_id)
    )
    return res.rowcount == 1


async def exists(conn: AsyncConnection, person_id: str) -> bool:
    q = sa.select(t.ical_tokens.c.person_id).where(t.ical_tokens.c.person_id == person_id)
    return (await conn.execute(q)).first() is not None


async def holder(conn: AsyncConnection, token_hash: str) -> tuple[str, str] | None:
    """(person id, stored hash) for a hash, or None."""
    q = sa.select(t.ical_tokens.c.person_id, t.ical_tokens.c.token_hash).where(
        t.ical_tokens.c.token_hash == token_hash
    )
    r = (await conn.execute(q)).first()
    return (r.person_id, r.token_hash) if r else None
