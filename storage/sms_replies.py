"""Counting SMS answers for the reply limits (`bot.domain.sms_limits`).

Answers to registered people are outbox rows, counted there (`outbox.count_for_person`);
answers to unregistered numbers go back in the webhook's TwiML and are recorded here,
as a keyed hash of the number and a time. Count and record in one write transaction
after `lock_*`, so two workers cannot both take the last answer of an hour.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import tables as t

KEEP = dt.timedelta(days=2)  # enough for "once a local day" and "in the last hour"
_UNKNOWN_LOCK = 0x534D5355  # pg_advisory_xact_lock key: "SMSU"


async def lock_person(conn: AsyncConnection, person_id: str) -> None:
    """Serialise answers to one person (PostgreSQL row lock; SQLite has one writer)."""
    await conn.execute(sa.select(t.people.c.id).where(t.people.c.id == person_id).with_for_update())


async def lock_unknown(conn: AsyncConnection) -> None:
    """Serialise answers to unregistered numbers until the transaction ends."""
    if conn.dialect.name == "postgresql":
        await conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_UNKNOWN_LOCK)))


async def count_unknown(
    conn: AsyncConnection, since: dt.datetime, number_hash: str | None = None
) -> int:
    """Answers to unregistered numbers since `since` (to one of them, given its hash)."""
    q = (
        sa.select(sa.func.count())
        .select_from(t.sms_unknown_replies)
        .where(t.sms_unknown_replies.c.sent_at >= since)
    )
    if number_hash is not None:
        q = q.where(t.sms_unknown_replies.c.number_hash == number_hash)
    return int((await conn.execute(q)).scalar_one())


async def record_unknown(conn: AsyncConnection, number_hash: str, now: dt.datetime) -> None:
    """One answer to an unregistered number; rows older than `KEEP` go at the same time."""
    await conn.execute(
        sa.delete(t.sms_unknown_replies).where(t.sms_unknown_replies.c.sent_at < now - KEEP)
    )
    await conn.execute(
        sa.insert(t.sms_unknown_replies).values(number_hash=number_hash, sent_at=now)
    )
