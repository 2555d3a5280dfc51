"""Dialogue state: opaque bytes per (kind, name, key), as the Telegram persistence keeps them."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import tables as t

Key = tuple[str, str, str]  # kind, name, key


async def load(
    conn: AsyncConnection, kind: str, name: str, since: dt.datetime
) -> dict[str, bytes]:
    """key -> data of the rows of this kind and name written since `since`."""
    d = t.dialogue_state
    q = sa.select(d.c.key, d.c.data).where(
        d.c.kind == kind, d.c.name == name, d.c.updated_at >= since
    )
    return {r.key: bytes(r.data) for r in await conn.execute(q)}


async def load_key(
    conn: AsyncConnection, kind: str, key: str, since: dt.datetime
) -> dict[str, bytes]:
    """name -> data of the rows of this kind and key written since `since`."""
    d = t.dialogue_state
    q = sa.select(d.c.name, d.c.data).where(
        d.c.kind == kind, d.c.key == key, d.c.updated_at >= since
    )
    return {r.name: bytes(r.data) for r in await conn.execute(q)}


async def save(conn: AsyncConnection, key: Key, data: bytes | None, now: dt.datetime) -> None:
    """Write (or, with None, forget) one row."""
    d = t.dialogue_state
    kind, name, k = key
    await conn.execute(sa.delete(d).where(d.c.kind == kind, d.c.name == name, d.c.key == k))
    if data is not None:
        await conn.execute(
            sa.insert(d).values(kind=kind, name=name, key=k, data=data, updated_at=now)
        )


async def forget_before(conn: AsyncConnection, before: dt.datetime) -> int:
    res = await conn.execute(
        sa.delete(t.dialogue_state).where(t.dialogue_state.c.updated_at < before)
    )
    return int(res.rowcount or 0)
