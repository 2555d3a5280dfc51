"""Small persistent state in the `kv` table: board message ids, reminder marks, once-a-day
markers. One place for the few queries every user of the table needs."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import tables as t


async def get(conn: AsyncConnection, key: str) -> str | None:
    value = (await conn.execute(sa.select(t.kv.c.value).where(t.kv.c.key == key))).scalar()
    return str(value) if value is not None else None


async def put(conn: AsyncConnection, key: str, value: str) -> None:
    """Set a value (replacing any), inside the caller's write transaction."""
    await conn.execute(sa.delete(t.kv).where(t.kv.c.key == key))
    await conn.execute(sa.insert(t.kv).values(key=key, value=value))


async def delete(conn: AsyncConnection, *keys: str) -> None:
    if keys:
        await conn.execute(sa.delete(t.kv).where(t.kv.c.key.in_(keys)))


async def with_prefix(conn: AsyncConnection, prefix: str) -> dict[str, str]:
    """Every key starting with `prefix`, with its value."""
    rows = await conn.execute(sa.select(t.kv).where(t.kv.c.key.startswith(prefix, autoescape=True)))
    return {r.key: r.value for r in rows}
