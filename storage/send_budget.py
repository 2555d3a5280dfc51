"""The send budget shared by every worker: a slot per send in the last minute.

Telegram answers 429 when a bot sends more than 30 messages in a second, more than one a
second to a chat or 20 a minute to a group; Twilio queues (and at length refuses) beyond
a number's MPS. Several worker processes send for one bot token and one number, so the
count lives in the database: a send takes a slot only while its windows have room, under
a lock per budget (PostgreSQL: an advisory transaction lock; SQLite: the write lock).
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.outbox_order import Limit
from storage import tables as t

KEEP = dt.timedelta(seconds=61)  # the longest window (a group's minute), and a margin


async def _lock(conn: AsyncConnection, budget: str) -> None:
    if conn.dialect.name == "postgresql":
        key = zlib.crc32(f"send_budget:{budget}".encode())
        await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


async def _wait_for(
    conn: AsyncConnection,
    budget: str,
    chat_id: int | None,
    limit: Limit,
    now: dt.datetime,
) -> dt.datetime | None:
    """When the window ending at `now` would have room again, or None if it has room.

    Slots up to a window after `now` count too: another worker's clock may be ahead, and
    a window around `now` must hold at most `limit.count` whoever wrote them.
    """
    window = dt.timedelta(seconds=limit.seconds)
    c = t.send_slots.c
    where = [c.budget == budget, c.at > now - window, c.at < now + window]
    if chat_id is not None:
        where.append(c.chat_id == chat_id)
    q = sa.select(c.at).where(*where).order_by(c.at.desc()).limit(limit.count)
    taken: list[dt.datetime] = [r.at for r in await conn.execute(q)]
    if len(taken) < limit.count:
        return None
    # The oldest of the last `count` slots has to leave the window first.
    return max(taken[-1] + window, now + dt.timedelta(milliseconds=10))


@dataclass(frozen=True, slots=True)
class Wait:
    """No slot now: try again at `until`. `chat` says the recipient's own limit was full
    (others may go meanwhile), not the whole budget's."""

    until: dt.datetime
    chat: bool


async def take(
    conn: AsyncConnection,
    budget: str,
    now: dt.datetime,
    limits: list[tuple[Limit, int | None]],
    chat_id: int | None,
) -> Wait | None:
    """Take a slot at `now` for a send to `chat_id` if every limit has room, else say
    when to try again. Each limit applies to the whole budget (chat None) or to one chat."""
    await _lock(conn, budget)
    for limit, chat in limits:
        until = await _wait_for(conn, budget, chat, limit, now)
        if until is not None:
            return Wait(until, chat=chat is not None)
    await conn.execute(sa.insert(t.send_slots).values(budget=budget, chat_id=chat_id, at=now))
    old = sa.and_(t.send_slots.c.budget == budget, t.send_slots.c.at < now - KEEP)
    await conn.execute(sa.delete(t.send_slots).where(old))
    return None


async def all_slots(conn: AsyncConnection, budget: str) -> list[tuple[dt.datetime, int | None]]:
    """Every slot kept, oldest first (tests, the benchmark)."""
    c = t.send_slots.c
    q = sa.select(c.at, c.chat_id).where(c.budget == budget).order_by(c.at, c.id)
    return [(r.at, r.chat_id) for r in await conn.execute(q)]
