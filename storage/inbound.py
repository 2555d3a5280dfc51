"""Webhook dedupe: the same Twilio MessageSid (or Telegram update id) is handled once."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import tables as t


async def record_first(
    conn: AsyncConnection, source: str, external_id: str, now: dt.datetime
) -> bool:
    """Record an inbound id; False when it was recorded before."""
    seen = (
        await conn.execute(
            sa.select(t.inbound_seen.c.external_id).where(
                t.inbound_seen.c.source == source, t.inbound_seen.c.external_id == external_id[:64]
            )
        )
    ).first()
    if seen is not None:
        return False
    await conn.execute(
        sa.insert(t.inbound_seen).values(source=source, external_id=external_id[:64], at=now)
    )
    return True


async def forget(conn: AsyncConnection, source: str, external_id: str) -> None:
    """Take a mark back (handling failed), so a retry of the same webhook is handled."""
    await conn.execute(
        sa.delete(t.inbound_seen).where(
            t.inbound_seen.c.source == source, t.inbound_seen.c.external_id == external_id[:64]
        )
    )
